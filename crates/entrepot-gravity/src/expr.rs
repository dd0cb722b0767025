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
//! func    := log | ln | log1p | exp | sqrt | abs | coalesce | I
//! ```
//!
//! Comparisons and logical operators give 1.0 / 0.0; so `exporter != importer` can be used
//! both as a filter and as a regressor (an international-border dummy). Missing values
//! propagate as `NaN` (a filter row that evaluates to missing is excluded);
//! `coalesce(x, 0)` replaces missing values. `log` of a non-positive number is missing.
//! Columns are compared as strings when both sides are categorical or one side is a string
//! literal; otherwise as numbers.

use std::collections::HashMap;

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
                .map_err(|_| perr(input, format!("bad number `{s}`")))?;
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
            _ => return Err(perr(input, format!("unexpected character `{c}`"))),
        };
        out.push(tok);
        i += 1;
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    input: &'a str,
}

impl Parser<'_> {
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

    fn or(&mut self) -> Result<Expr> {
        let mut lhs = self.and()?;
        while self.is_op("||") || self.is_kw("or") {
            self.pos += 1;
            let rhs = self.and()?;
            lhs = Expr::Bin(BinOp::Or, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr> {
        let mut lhs = self.cmp()?;
        while self.is_op("&&") || self.is_kw("and") {
            self.pos += 1;
            let rhs = self.cmp()?;
            lhs = Expr::Bin(BinOp::And, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn cmp(&mut self) -> Result<Expr> {
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
            return Ok(Expr::In {
                value: Box::new(lhs),
                items,
                negated: negated_in,
            });
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
        Ok(Expr::Bin(op, Box::new(lhs), Box::new(rhs)))
    }

    fn sum(&mut self) -> Result<Expr> {
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
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn prod(&mut self) -> Result<Expr> {
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
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr> {
        if self.is_op("-") {
            self.pos += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.is_op("!") || (self.is_kw("not") && !self.is_kw_at(1, "in")) {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr> {
        match self.next() {
            Some(Tok::Num(v)) => Ok(Expr::Num(v)),
            Some(Tok::Str(s)) => Ok(Expr::Str(s)),
            Some(Tok::LParen) => {
                let e = self.or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => Err(perr(self.input, "expected `)`")),
                }
            }
            Some(Tok::Ident(name)) => {
                if matches!(self.peek(), Some(Tok::LParen)) {
                    self.pos += 1;
                    let mut args = vec![self.or()?];
                    while matches!(self.peek(), Some(Tok::Comma)) {
                        self.pos += 1;
                        args.push(self.or()?);
                    }
                    match self.next() {
                        Some(Tok::RParen) => {}
                        _ => return Err(perr(self.input, "expected `)` after arguments")),
                    }
                    let f = name.to_ascii_lowercase();
                    let arity = match f.as_str() {
                        "log" | "ln" | "log1p" | "exp" | "sqrt" | "abs" | "i" => 1,
                        "coalesce" => 2,
                        _ => return Err(perr(self.input, format!("unknown function `{name}`"))),
                    };
                    if args.len() != arity {
                        return Err(perr(
                            self.input,
                            format!("`{name}` takes {arity} argument(s), got {}", args.len()),
                        ));
                    }
                    Ok(Expr::Call(f, args))
                } else {
                    Ok(Expr::Col(name))
                }
            }
            Some(t) => Err(perr(self.input, format!("unexpected token {t:?}"))),
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
        };
        let e = p.or()?;
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

    /// Evaluates the expression as a row filter: true where the value is non-zero and
    /// not missing.
    pub fn eval_mask(&self, data: &Dataset, src: &str) -> Result<Vec<bool>> {
        Ok(self
            .eval_numeric(data, src)?
            .into_iter()
            .map(|v| !v.is_nan() && v != 0.0)
            .collect())
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
                _ => return Err(perr(src, format!("unknown function `{f}`"))),
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
                                terr(src, format!("`{s}` is not a number (numeric column)"))
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
            format!("string literal \"{s}\" used as a number"),
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
