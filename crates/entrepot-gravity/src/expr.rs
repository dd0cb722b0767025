//! A tiny expression language for derived variables and sample filters.
//!
//! Grammar (lowest precedence first):
//!
//! ```text
//! expr    := and ( ("||" | "or") and )*
//! and     := cmp ( ("&&" | "&" | "and") cmp )*
//! cmp     := sum ( ("==" | "!=" | "<" | "<=" | ">" | ">=") sum
//!                | ["not"] "in" item ("," item)* )?
//! sum     := prod ( ("+" | "-") prod )*
//! prod    := unary ( ("*" | "/") unary )*
//! unary   := ("-" | "!" | "not") unary | primary
//! primary := number | "string" | column | func "(" expr ("," expr)* ")" | "(" expr ")"
//! func    := log | ln | log1p | exp | sqrt | abs | coalesce | I | total
//! ```
//!
//! `total(x, g1, g2, …)` is the sum of `x` over the rows that share the values of the
//! columns `g1, g2, …` (Stata's `egen total(x), by(g1 g2)`; missing values count as 0),
//! computed on the whole dataset **before** any sample filter, as the constructed
//! variables of Yotov et al. (2016) are: output `total(trade, exporter, year)` and
//! expenditure `total(trade, importer, year)` include the domestic flows that the
//! estimation sample then filters out.
//!
//! Comparisons and logical operators give 1.0 / 0.0; so `exporter != importer` can be used
//! both as a filter and as a regressor (an international-border dummy). Missing values
//! propagate as `NaN` (a filter row that evaluates to missing is excluded);
//! `coalesce(x, 0)` replaces missing values. `log` of a non-positive number is missing.
//! Columns are compared as strings when both sides are categorical or one side is a string
//! literal; otherwise as numbers.

use std::collections::HashMap;

use entrepot_core::text::display_value;

use crate::data::{Column, Dataset, MISSING_CODE};
use crate::error::{GravityError, Result};

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// logical and
    And,
    /// logical or
    Or,
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A numeric literal.
    Num(f64),
    /// A string literal.
    Str(String),
    /// A column reference.
    Col(String),
    /// Unary minus.
    Neg(Box<Expr>),
    /// Logical not.
    Not(Box<Expr>),
    /// A binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// Set membership (`x in 1,2,3`); `negated` for `not in`.
    In {
        /// The tested value.
        value: Box<Expr>,
        /// The literal set.
        items: Vec<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// A function call.
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

impl Tok {
    /// The token as named in an error message (user text escaped and cut).
    fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("number {v}"),
            Tok::Str(s) => format!("string \"{}\"", display_value(s)),
            Tok::Ident(s) => format!("name `{}`", display_value(s)),
            Tok::Op(o) => format!("operator `{o}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
        }
    }
}

fn perr(input: &str, message: impl Into<String>) -> GravityError {
    GravityError::Parse {
        input: input.to_string(),
        message: message.into(),
    }
}

fn tokenize(input: &str) -> Result<Vec<Tok>> {
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let save = i;
                i += 1;
                if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                    i += 1;
                }
                if i < chars.len() && chars[i].is_ascii_digit() {
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                } else {
                    i = save;
                }
            }
            let s: String = chars[start..i].iter().collect();
            let v = s
                .parse::<f64>()
                .map_err(|_| perr(input, format!("bad number `{}`", display_value(&s))))?;
            out.push(Tok::Num(v));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        if c == '"' || c == '\'' {
            let q = c;
            i += 1;
            let start = i;
            while i < chars.len() && chars[i] != q {
                i += 1;
            }
            if i >= chars.len() {
                return Err(perr(input, "unterminated string literal"));
            }
            out.push(Tok::Str(chars[start..i].iter().collect()));
            i += 1;
            continue;
        }
        if c == '`' {
            // backquoted column name
            i += 1;
            let start = i;
            while i < chars.len() && chars[i] != '`' {
                i += 1;
            }
            if i >= chars.len() {
                return Err(perr(input, "unterminated `column name`"));
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op2 = ["==", "!=", "<=", ">=", "&&", "||"]
            .into_iter()
            .find(|o| *o == two);
        if let Some(op) = op2 {
            out.push(Tok::Op(op));
            i += 2;
            continue;
        }
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' => Tok::Comma,
            '+' => Tok::Op("+"),
            '-' => Tok::Op("-"),
            '*' => Tok::Op("*"),
            '/' => Tok::Op("/"),
            '<' => Tok::Op("<"),
            '>' => Tok::Op(">"),
            '!' => Tok::Op("!"),
            '&' => Tok::Op("&&"),
            '|' => Tok::Op("||"),
            '=' => Tok::Op("=="),
            _ => {
                let shown = display_value(&c.to_string());
                return Err(perr(input, format!("unexpected character `{shown}`")));
            }
        };
        out.push(tok);
        i += 1;
    }
    Ok(out)
}

/// The deepest expression accepted: nested parentheses, function calls, unary operators
/// and chained binary operators all count one level each. Parsing and evaluation recurse
/// over the tree, so the bound keeps both far from the stack limit (a formula with 200
/// levels is already unreadable; real gravity formulas have fewer than 10).
pub const MAX_DEPTH: usize = 200;

/// An expression with the depth of its tree.
type Node = (Expr, usize);

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    input: &'a str,
    /// Current recursion depth of the descent (parentheses, calls, unary operators).
    nesting: usize,
}

impl Parser<'_> {
    fn too_deep(&self) -> GravityError {
        perr(
            self.input,
            format!("expression is nested too deeply (limit {MAX_DEPTH} levels)"),
        )
    }

    /// Enters one level of recursion; fails beyond [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<()> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    /// A node over children of the given depths; fails beyond [`MAX_DEPTH`].
    fn node(&self, expr: Expr, child_depth: usize) -> Result<Node> {
        let depth = child_depth + 1;
        if depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok((expr, depth))
    }

    fn bin(&self, op: BinOp, (a, da): Node, (b, db): Node) -> Result<Node> {
        self.node(Expr::Bin(op, Box::new(a), Box::new(b)), da.max(db))
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }
    fn is_kw_at(&self, offset: usize, kw: &str) -> bool {
        matches!(self.toks.get(self.pos + offset), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Node> {
        let mut lhs = self.and()?;
        while self.is_op("||") || self.is_kw("or") {
            self.pos += 1;
            let rhs = self.and()?;
            lhs = self.bin(BinOp::Or, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Node> {
        let mut lhs = self.cmp()?;
        while self.is_op("&&") || self.is_kw("and") {
            self.pos += 1;
            let rhs = self.cmp()?;
            lhs = self.bin(BinOp::And, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn cmp(&mut self) -> Result<Node> {
        let lhs = self.sum()?;
        let negated_in = self.is_kw("not") && self.is_kw_at(1, "in");
        if self.is_kw("in") || negated_in {
            self.pos += if negated_in { 2 } else { 1 };
            let paren = matches!(self.peek(), Some(Tok::LParen));
            if paren {
                self.pos += 1;
            }
            let mut items = Vec::new();
            loop {
                match self.next() {
                    Some(Tok::Num(v)) => items.push(Expr::Num(v)),
                    Some(Tok::Op("-")) => match self.next() {
                        Some(Tok::Num(v)) => items.push(Expr::Num(-v)),
                        _ => return Err(perr(self.input, "expected a number after `-`")),
                    },
                    Some(Tok::Str(s)) | Some(Tok::Ident(s)) => items.push(Expr::Str(s)),
                    _ => return Err(perr(self.input, "expected a literal in `in` list")),
                }
                if matches!(self.peek(), Some(Tok::Comma)) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            if paren {
                match self.next() {
                    Some(Tok::RParen) => {}
                    _ => return Err(perr(self.input, "expected `)` after `in` list")),
                }
            }
            let (value, depth) = lhs;
            let expr = Expr::In {
                value: Box::new(value),
                items,
                negated: negated_in,
            };
            return self.node(expr, depth);
        }
        let op = match self.peek() {
            Some(Tok::Op("==")) => BinOp::Eq,
            Some(Tok::Op("!=")) => BinOp::Ne,
            Some(Tok::Op("<")) => BinOp::Lt,
            Some(Tok::Op("<=")) => BinOp::Le,
            Some(Tok::Op(">")) => BinOp::Gt,
            Some(Tok::Op(">=")) => BinOp::Ge,
            _ => return Ok(lhs),
        };
        self.pos += 1;
        let rhs = self.sum()?;
        self.bin(op, lhs, rhs)
    }

    fn sum(&mut self) -> Result<Node> {
        let mut lhs = self.prod()?;
        loop {
            let op = if self.is_op("+") {
                BinOp::Add
            } else if self.is_op("-") {
                BinOp::Sub
            } else {
                break;
            };
            self.pos += 1;
            let rhs = self.prod()?;
            lhs = self.bin(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn prod(&mut self) -> Result<Node> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.is_op("*") {
                BinOp::Mul
            } else if self.is_op("/") {
                BinOp::Div
            } else {
                break;
            };
            self.pos += 1;
            let rhs = self.unary()?;
            lhs = self.bin(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Node> {
        let negate = self.is_op("-");
        let not = self.is_op("!") || (self.is_kw("not") && !self.is_kw_at(1, "in"));
        if !(negate || not) {
            return self.primary();
        }
        self.pos += 1;
        self.enter()?;
        let (inner, depth) = self.unary()?;
        self.leave();
        let expr = if negate {
            Expr::Neg(Box::new(inner))
        } else {
            Expr::Not(Box::new(inner))
        };
        self.node(expr, depth)
    }

    /// A parenthesised expression or a function's arguments, one level deeper.
    fn nested_or(&mut self) -> Result<Node> {
        self.enter()?;
        let node = self.or()?;
        self.leave();
        Ok(node)
    }

    fn primary(&mut self) -> Result<Node> {
        match self.next() {
            Some(Tok::Num(v)) => Ok((Expr::Num(v), 1)),
            Some(Tok::Str(s)) => Ok((Expr::Str(s), 1)),
            Some(Tok::LParen) => {
                let e = self.nested_or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => Err(perr(self.input, "expected `)`")),
                }
            }
            Some(Tok::Ident(name)) => {
                if matches!(self.peek(), Some(Tok::LParen)) {
                    self.pos += 1;
                    let mut args = vec![self.nested_or()?];
                    while matches!(self.peek(), Some(Tok::Comma)) {
                        self.pos += 1;
                        args.push(self.nested_or()?);
                    }
                    match self.next() {
                        Some(Tok::RParen) => {}
                        _ => return Err(perr(self.input, "expected `)` after arguments")),
                    }
                    let f = name.to_ascii_lowercase();
                    let shown = display_value(&name);
                    let arity = match f.as_str() {
                        "log" | "ln" | "log1p" | "exp" | "sqrt" | "abs" | "i" => 1,
                        "coalesce" => 2,
                        "total" => {
                            if args.len() < 2
                                || !args[1..].iter().all(|a| matches!(a.0, Expr::Col(_)))
                            {
                                return Err(perr(
                                    self.input,
                                    "`total` takes a value and one or more grouping columns: `total(trade, exporter, year)`",
                                ));
                            }
                            args.len()
                        }
                        _ => return Err(perr(self.input, format!("unknown function `{shown}`"))),
                    };
                    if args.len() != arity {
                        return Err(perr(
                            self.input,
                            format!("`{shown}` takes {arity} argument(s), got {}", args.len()),
                        ));
                    }
                    let depth = args.iter().map(|a| a.1).max().unwrap_or(0);
                    let args = args.into_iter().map(|a| a.0).collect();
                    self.node(Expr::Call(f, args), depth)
                } else {
                    Ok((Expr::Col(name), 1))
                }
            }
            Some(t) => Err(perr(self.input, format!("unexpected {}", t.describe()))),
            None => Err(perr(self.input, "unexpected end of expression")),
        }
    }
}

impl Expr {
    /// Parses an expression.
    pub fn parse(input: &str) -> Result<Expr> {
        let toks = tokenize(input)?;
        if toks.is_empty() {
            return Err(perr(input, "empty expression"));
        }
        let mut p = Parser {
            toks,
            pos: 0,
            input,
            nesting: 0,
        };
        let (e, _depth) = p.or()?;
        if p.pos != p.toks.len() {
            return Err(perr(
                input,
                format!("unexpected trailing input at token {}", p.pos + 1),
            ));
        }
        Ok(e)
    }

    /// Column names referenced by the expression.
    pub fn columns(&self, out: &mut Vec<String>) {
        match self {
            Expr::Col(c) => {
                if !out.contains(c) {
                    out.push(c.clone())
                }
            }
            Expr::Neg(e) | Expr::Not(e) => e.columns(out),
            Expr::Bin(_, a, b) => {
                a.columns(out);
                b.columns(out);
            }
            Expr::In { value, .. } => value.columns(out),
            Expr::Call(_, args) => args.iter().for_each(|a| a.columns(out)),
            Expr::Num(_) | Expr::Str(_) => {}
        }
    }

    /// Evaluates the expression to one number per row (`NaN` = missing).
    pub fn eval_numeric(&self, data: &Dataset, src: &str) -> Result<Vec<f64>> {
        match eval(self, data, src)? {
            Val::Num(v) => Ok(v),
            Val::Scalar(x) => Ok(vec![x; data.nrows()]),
            Val::Cat(..) | Val::Text(_) => Err(GravityError::Type {
                expr: src.to_string(),
                message: "expression is categorical (text), not numeric".into(),
            }),
        }
    }

    /// Checks that the expression can serve as a sample filter: a comparison (`==`, `!=`,
    /// `<`, `<=`, `>`, `>=`), an `in` / `not in` test, a logical `and` / `or` / `not`, a
    /// bare column (a 0/1 dummy, checked when evaluated by [`Expr::eval_mask`]) or `I(…)`
    /// of one of these. Anything else (`log(dist)`, `x + 1`, a number) is refused with
    /// [`GravityError::NotACondition`]: it would keep the rows where it happens to be
    /// non-zero, which is almost never what was meant.
    pub fn check_condition(&self, src: &str) -> Result<()> {
        let reason = match self {
            Expr::Bin(op, ..)
                if !matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) =>
            {
                return Ok(())
            }
            Expr::In { .. } | Expr::Not(_) | Expr::Col(_) => return Ok(()),
            Expr::Call(f, args) if f == "i" => return args[0].check_condition(src),
            Expr::Bin(..) | Expr::Neg(_) => "it is arithmetic",
            Expr::Call(..) => "it is a function value",
            Expr::Num(_) | Expr::Str(_) => "it is a constant",
        };
        Err(GravityError::NotACondition {
            filter: src.to_string(),
            reason: format!(
                "{reason}; write a comparison such as `dist > 0`, `year in 1990,2000` or `exporter != importer`"
            ),
        })
    }

    /// Evaluates the expression as a row filter (see [`Expr::check_condition`]): true where
    /// the condition holds, false where it does not or is missing. A bare column must hold
    /// only 0, 1 or missing values.
    pub fn eval_mask(&self, data: &Dataset, src: &str) -> Result<Vec<bool>> {
        self.check_condition(src)?;
        let values = self.eval_numeric(data, src)?;
        if let Some((row, v)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_nan() && **v != 0.0 && **v != 1.0)
        {
            return Err(GravityError::NotACondition {
                filter: src.to_string(),
                reason: format!(
                    "it holds values other than 0 and 1 ({v} at row {row}); compare it, e.g. `{} > 0`",
                    display_value(src)
                ),
            });
        }
        Ok(values.into_iter().map(|v| v == 1.0).collect())
    }
}

enum Val<'a> {
    Num(Vec<f64>),
    Scalar(f64),
    Cat(&'a [u32], &'a [String]),
    Text(String),
}

fn terr(src: &str, message: impl Into<String>) -> GravityError {
    GravityError::Type {
        expr: src.to_string(),
        message: message.into(),
    }
}

fn bool_f(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn num_cmp(op: BinOp, a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Eq => bool_f(a == b),
        BinOp::Ne => bool_f(a != b),
        BinOp::Lt => bool_f(a < b),
        BinOp::Le => bool_f(a <= b),
        BinOp::Gt => bool_f(a > b),
        BinOp::Ge => bool_f(a >= b),
        BinOp::And => bool_f(a != 0.0 && b != 0.0),
        BinOp::Or => bool_f(a != 0.0 || b != 0.0),
    }
}

fn str_cmp(op: BinOp, a: &str, b: &str, src: &str) -> Result<f64> {
    Ok(match op {
        BinOp::Eq => bool_f(a == b),
        BinOp::Ne => bool_f(a != b),
        BinOp::Lt => bool_f(a < b),
        BinOp::Le => bool_f(a <= b),
        BinOp::Gt => bool_f(a > b),
        BinOp::Ge => bool_f(a >= b),
        _ => return Err(terr(src, "arithmetic on text values")),
    })
}

/// Converts a categorical column to numbers by parsing its levels (used when a categorical
/// column is compared with a number).
fn cat_as_num(codes: &[u32], levels: &[String]) -> Option<Vec<f64>> {
    let lv: Vec<f64> = levels
        .iter()
        .map(|l| l.trim().parse::<f64>().ok())
        .collect::<Option<Vec<f64>>>()?;
    Some(
        codes
            .iter()
            .map(|&c| {
                if c == MISSING_CODE {
                    f64::NAN
                } else {
                    lv[c as usize]
                }
            })
            .collect(),
    )
}

/// `total(x, g…)`: the sum of `x` (missing as 0) over the rows sharing the values of the
/// grouping columns, for every row (missing when a grouping value is missing).
fn group_total(x: &[f64], by: &[Expr], data: &Dataset) -> Result<Vec<f64>> {
    let mut keys: Vec<Vec<u64>> = vec![Vec::with_capacity(by.len()); x.len()];
    for g in by {
        let Expr::Col(name) = g else {
            continue;
        };
        match data.column(name)? {
            Column::Numeric(v) => {
                for (k, &val) in keys.iter_mut().zip(v) {
                    k.push(if val.is_nan() {
                        u64::MAX
                    } else {
                        (val + 0.0).to_bits()
                    });
                }
            }
            Column::Categorical { codes, .. } => {
                for (k, &c) in keys.iter_mut().zip(codes) {
                    k.push(if c == MISSING_CODE {
                        u64::MAX
                    } else {
                        c as u64
                    });
                }
            }
        }
    }
    let mut sums: HashMap<&[u64], f64> = HashMap::new();
    for (k, &v) in keys.iter().zip(x) {
        *sums.entry(k.as_slice()).or_insert(0.0) += if v.is_nan() { 0.0 } else { v };
    }
    Ok(keys
        .iter()
        .map(|k| {
            if k.contains(&u64::MAX) {
                f64::NAN
            } else {
                sums[k.as_slice()]
            }
        })
        .collect())
}

fn eval<'a>(e: &Expr, data: &'a Dataset, src: &str) -> Result<Val<'a>> {
    let n = data.nrows();
    Ok(match e {
        Expr::Num(v) => Val::Scalar(*v),
        Expr::Str(s) => Val::Text(s.clone()),
        Expr::Col(c) => match data.column(c)? {
            Column::Numeric(v) => Val::Num(v.clone()),
            Column::Categorical { codes, levels } => Val::Cat(codes, levels),
        },
        Expr::Neg(a) => match eval(a, data, src)? {
            Val::Num(v) => Val::Num(v.into_iter().map(|x| -x).collect()),
            Val::Scalar(x) => Val::Scalar(-x),
            _ => return Err(terr(src, "cannot negate text")),
        },
        Expr::Not(a) => match eval(a, data, src)? {
            Val::Num(v) => Val::Num(
                v.into_iter()
                    .map(|x| if x.is_nan() { x } else { bool_f(x == 0.0) })
                    .collect(),
            ),
            Val::Scalar(x) => Val::Scalar(bool_f(x == 0.0)),
            _ => return Err(terr(src, "cannot apply `not` to text")),
        },
        Expr::Call(f, args) if f == "total" => {
            let a = to_num(eval(&args[0], data, src)?, n, src)?;
            Val::Num(group_total(&a, &args[1..], data)?)
        }
        Expr::Call(f, args) => {
            let a = to_num(eval(&args[0], data, src)?, n, src)?;
            match f.as_str() {
                "log" | "ln" => Val::Num(
                    a.into_iter()
                        .map(|x| if x > 0.0 { x.ln() } else { f64::NAN })
                        .collect(),
                ),
                "log1p" => Val::Num(
                    a.into_iter()
                        .map(|x| if x > -1.0 { x.ln_1p() } else { f64::NAN })
                        .collect(),
                ),
                "exp" => Val::Num(a.into_iter().map(f64::exp).collect()),
                "sqrt" => Val::Num(
                    a.into_iter()
                        .map(|x| if x >= 0.0 { x.sqrt() } else { f64::NAN })
                        .collect(),
                ),
                "abs" => Val::Num(a.into_iter().map(f64::abs).collect()),
                "i" => Val::Num(a),
                "coalesce" => {
                    let b = to_num(eval(&args[1], data, src)?, n, src)?;
                    Val::Num(
                        a.into_iter()
                            .zip(b)
                            .map(|(x, y)| if x.is_nan() { y } else { x })
                            .collect(),
                    )
                }
                _ => {
                    let shown = display_value(f);
                    return Err(perr(src, format!("unknown function `{shown}`")));
                }
            }
        }
        Expr::In {
            value,
            items,
            negated,
        } => {
            let v = eval(value, data, src)?;
            let neg = *negated;
            let out: Vec<f64> = match v {
                Val::Cat(codes, levels) => {
                    let set: Vec<String> = items
                        .iter()
                        .map(|i| match i {
                            Expr::Num(x) => format!("{x}"),
                            Expr::Str(s) => s.clone(),
                            _ => String::new(),
                        })
                        .collect();
                    let hit: Vec<bool> = levels.iter().map(|l| set.contains(l)).collect();
                    codes
                        .iter()
                        .map(|&c| {
                            if c == MISSING_CODE {
                                f64::NAN
                            } else {
                                bool_f(hit[c as usize] != neg)
                            }
                        })
                        .collect()
                }
                other => {
                    let x = to_num(other, n, src)?;
                    let set: Vec<f64> = items
                        .iter()
                        .map(|i| match i {
                            Expr::Num(v) => Ok(*v),
                            Expr::Str(s) => s.parse::<f64>().map_err(|_| {
                                terr(
                                    src,
                                    format!(
                                        "`{}` is not a number (numeric column)",
                                        display_value(s)
                                    ),
                                )
                            }),
                            _ => Err(terr(src, "bad `in` list")),
                        })
                        .collect::<Result<_>>()?;
                    x.into_iter()
                        .map(|v| {
                            if v.is_nan() {
                                f64::NAN
                            } else {
                                bool_f(set.contains(&v) != neg)
                            }
                        })
                        .collect()
                }
            };
            Val::Num(out)
        }
        Expr::Bin(op, a, b) => {
            let va = eval(a, data, src)?;
            let vb = eval(b, data, src)?;
            binary(*op, va, vb, n, src)?
        }
    })
}

fn map_codes(codes: &[u32], per_level: &[f64]) -> Vec<f64> {
    codes
        .iter()
        .map(|&c| {
            if c == MISSING_CODE {
                f64::NAN
            } else {
                per_level[c as usize]
            }
        })
        .collect()
}

fn to_num(v: Val<'_>, n: usize, src: &str) -> Result<Vec<f64>> {
    match v {
        Val::Num(v) => Ok(v),
        Val::Scalar(x) => Ok(vec![x; n]),
        Val::Cat(codes, levels) => cat_as_num(codes, levels)
            .ok_or_else(|| terr(src, "a text (categorical) column used as a number")),
        Val::Text(s) => Err(terr(
            src,
            format!("string literal \"{}\" used as a number", display_value(&s)),
        )),
    }
}

fn binary<'a>(op: BinOp, a: Val<'a>, b: Val<'a>, n: usize, src: &str) -> Result<Val<'a>> {
    let is_text = |v: &Val<'_>| matches!(v, Val::Cat(..) | Val::Text(_));
    if is_text(&a) || is_text(&b) {
        // String comparison.
        match (a, b) {
            (Val::Text(x), Val::Text(y)) => return Ok(Val::Scalar(str_cmp(op, &x, &y, src)?)),
            (Val::Cat(codes, levels), Val::Text(s)) => {
                let lv: Vec<f64> = levels
                    .iter()
                    .map(|l| str_cmp(op, l, &s, src))
                    .collect::<Result<_>>()?;
                return Ok(Val::Num(map_codes(codes, &lv)));
            }
            (Val::Text(s), Val::Cat(codes, levels)) => {
                let lv: Vec<f64> = levels
                    .iter()
                    .map(|l| str_cmp(op, &s, l, src))
                    .collect::<Result<_>>()?;
                return Ok(Val::Num(map_codes(codes, &lv)));
            }
            (Val::Cat(ca, la), Val::Cat(cb, lb)) => {
                if matches!(op, BinOp::Eq | BinOp::Ne) {
                    let map: HashMap<&str, u32> = lb
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (s.as_str(), i as u32))
                        .collect();
                    let a_to_b: Vec<u32> = la
                        .iter()
                        .map(|s| map.get(s.as_str()).copied().unwrap_or(MISSING_CODE - 1))
                        .collect();
                    let eq = op == BinOp::Eq;
                    return Ok(Val::Num(
                        ca.iter()
                            .zip(cb)
                            .map(|(&x, &y)| {
                                if x == MISSING_CODE || y == MISSING_CODE {
                                    f64::NAN
                                } else {
                                    bool_f((a_to_b[x as usize] == y) == eq)
                                }
                            })
                            .collect(),
                    ));
                }
                let mut out = Vec::with_capacity(n);
                for (&x, &y) in ca.iter().zip(cb) {
                    if x == MISSING_CODE || y == MISSING_CODE {
                        out.push(f64::NAN);
                    } else {
                        out.push(str_cmp(op, &la[x as usize], &lb[y as usize], src)?);
                    }
                }
                return Ok(Val::Num(out));
            }
            (x, y) => {
                // categorical vs number: compare numerically if the levels are numbers
                let xa = to_num(x, n, src)?;
                let yb = to_num(y, n, src)?;
                return Ok(Val::Num(
                    xa.into_iter()
                        .zip(yb)
                        .map(|(p, q)| num_cmp(op, p, q))
                        .collect(),
                ));
            }
        }
    }
    Ok(match (a, b) {
        (Val::Scalar(x), Val::Scalar(y)) => Val::Scalar(num_cmp(op, x, y)),
        (Val::Num(v), Val::Scalar(y)) => {
            Val::Num(v.into_iter().map(|x| num_cmp(op, x, y)).collect())
        }
        (Val::Scalar(x), Val::Num(v)) => {
            Val::Num(v.into_iter().map(|y| num_cmp(op, x, y)).collect())
        }
        (x, y) => {
            let xa = to_num(x, n, src)?;
            let yb = to_num(y, n, src)?;
            Val::Num(
                xa.into_iter()
                    .zip(yb)
                    .map(|(p, q)| num_cmp(op, p, q))
                    .collect(),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_sums_within_groups_with_missing_as_zero() {
        let mut d = Dataset::new();
        d.add_categorical("i", &["a", "a", "b", "b", "a"]).unwrap();
        d.add_numeric("t", vec![1.0, 2.0, 1.0, 1.0, 1.0]).unwrap();
        d.add_numeric("v", vec![1.0, 2.0, 3.0, f64::NAN, 5.0])
            .unwrap();
        let e = Expr::parse("total(v, i, t)").unwrap();
        let got = e.eval_numeric(&d, "total(v, i, t)").unwrap();
        assert_eq!(got, vec![6.0, 2.0, 3.0, 3.0, 6.0]);
        let e = Expr::parse("v / total(v, i)").unwrap();
        let got = e.eval_numeric(&d, "").unwrap();
        assert_eq!(got[1], 2.0 / 8.0);
        assert!(parse_message("total(v)").contains("grouping columns"));
        assert!(parse_message("total(v, 1)").contains("grouping columns"));
        assert!(matches!(
            Expr::parse("total(v, zz)").unwrap().eval_numeric(&d, ""),
            Err(GravityError::UnknownColumn { .. })
        ));
    }

    fn parse_message(input: &str) -> String {
        match Expr::parse(input) {
            Err(GravityError::Parse { message, .. }) => message,
            other => panic!("expected a parse error for {input:.40}, got {other:?}"),
        }
    }

    #[test]
    fn deep_parentheses_are_refused_not_a_stack_overflow() {
        let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse_message(&deep).contains("nested too deeply (limit 200"));
        let ok = format!("{}x{}", "(".repeat(150), ")".repeat(150));
        assert_eq!(Expr::parse(&ok).unwrap(), Expr::Col("x".into()));
    }

    #[test]
    fn deep_unary_operators_are_refused() {
        let minus = format!("{}x", "-".repeat(50_000));
        assert!(parse_message(&minus).contains("nested too deeply"));
        let not = format!("{}x", "not ".repeat(50_000));
        assert!(parse_message(&not).contains("nested too deeply"));
        assert!(parse_message(&format!("{}x)", "log(".repeat(5_000))).contains("too deeply"));
    }

    #[test]
    fn long_flat_chains_are_bounded_too() {
        // a left-deep tree 100,000 levels deep would overflow the stack when evaluated or
        // dropped; the depth bound covers chained binary operators as well
        let chain = vec!["x"; 100_000].join(" + ");
        assert!(parse_message(&chain).contains("nested too deeply"));
        let short = vec!["x"; 150].join(" * ");
        assert!(Expr::parse(&short).is_ok());
    }

    #[test]
    fn error_messages_escape_and_cut_user_text() {
        let m = parse_message("x \u{1b}[31m");
        assert!(m.contains("\\e"), "{m}");
        let e = Expr::parse(&format!("{} +", "y".repeat(10_000))).unwrap_err();
        assert!(e.to_string().len() < 300, "{e}");
        // found by the fuzz harness: string literals echoed raw in type errors
        let mut d = Dataset::new();
        d.add_numeric("x", vec![1.0]).unwrap();
        for src in ["\"a\u{1b}[2J\n\" + 1", "x in \"\u{1b}\", 2"] {
            let e = Expr::parse(src).unwrap().eval_numeric(&d, src).unwrap_err();
            let m = e.to_string();
            assert!(!m.chars().any(char::is_control), "{m:?}");
            assert!(m.contains("\\e"), "{m}");
        }
    }

    #[test]
    fn filters_must_be_conditions() {
        for ok in [
            "x > 0",
            "exporter != importer",
            "year in 1990,2000",
            "a > 0 and not b",
            "I(x == 1)",
            "x",
        ] {
            Expr::parse(ok).unwrap().check_condition(ok).unwrap();
        }
        for bad in ["log(dist)", "x + 1", "3", "\"a\"", "-x", "I(x * 2)"] {
            let e = Expr::parse(bad).unwrap().check_condition(bad).unwrap_err();
            assert!(
                matches!(e, GravityError::NotACondition { .. }),
                "{bad}: {e}"
            );
            assert!(e.to_string().contains("is not a condition"), "{e}");
        }
    }

    #[test]
    fn a_bare_column_filter_must_be_a_dummy() {
        let mut d = Dataset::new();
        d.add_numeric("dummy", vec![0.0, 1.0, f64::NAN]).unwrap();
        d.add_numeric("dist", vec![1.0, 2.5, 3.0]).unwrap();
        let keep = Expr::parse("dummy")
            .unwrap()
            .eval_mask(&d, "dummy")
            .unwrap();
        assert_eq!(keep, vec![false, true, false]);
        let e = Expr::parse("dist")
            .unwrap()
            .eval_mask(&d, "dist")
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("values other than 0 and 1 (2.5 at row 1)"),
            "{e}"
        );
    }
}
