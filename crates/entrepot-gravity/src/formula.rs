//! Model specifications and the formula syntax.
//!
//! ```text
//! trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year
//! ```
//!
//! * left of `~`: the dependent variable (an expression, e.g. `log(trade)` for OLS);
//! * between `~` and `|`: regressors separated by top-level `+`. Each term is an
//!   [`Expr`]: a column, `log(x)`/`ln(x)`, `log(1 + coalesce(t, 0))`,
//!   or a parenthesised comparison such as `(exporter != importer)` (a 0/1 dummy). The term
//!   text is the coefficient name. `0` removes the intercept (models without fixed effects
//!   get an `(Intercept)` by default; with fixed effects there is none);
//! * after `|`: fixed effects separated by `+`; `a^b` (or `a#b`) is the interaction of
//!   columns `a` and `b` (e.g. exporter-year). Any column can be a fixed effect; numbers are
//!   treated as categories.
//!
//! Clusters are given separately (`"pair_id"`, `"a,b"` for two-way, `"a^b"` for the
//! interaction): see [`parse_cluster`].

use serde::{Deserialize, Serialize};

use crate::error::{GravityError, Result};
use crate::expr::Expr;

/// A model: what to regress on what, with which fixed effects, on which sample.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Dependent variable (an expression).
    pub depvar: String,
    /// Regressors (expressions); their text is the coefficient name.
    pub regressors: Vec<String>,
    /// Fixed-effect dimensions; each is an interaction of one or more columns.
    pub fixed_effects: Vec<Vec<String>>,
    /// Cluster dimensions for clustered standard errors (each an interaction of columns);
    /// two or more give multi-way clustering.
    pub cluster: Vec<Vec<String>>,
    /// Offset expression (enters the linear predictor with coefficient 1).
    pub offset: Option<String>,
    /// Observation-weight expression (non-negative).
    pub weights: Option<String>,
    /// Sample filters (expressions); an observation is kept when all are true.
    pub filter: Vec<String>,
    /// Whether to add an intercept when there are no fixed effects (default true).
    pub intercept: bool,
}

/// Splits `s` at top-level (outside parentheses and quotes) occurrences of `sep`.
/// A `|` that is part of `||` is not a separator.
fn split_top(s: &str, sep: char) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            cur.push(c);
        } else if c == '"' || c == '\'' || c == '`' {
            quote = Some(c);
            cur.push(c);
        } else if c == '(' {
            depth += 1;
            cur.push(c);
        } else if c == ')' {
            depth -= 1;
            cur.push(c);
        } else if c == sep && depth == 0 {
            let doubled =
                sep == '|' && (chars.get(i + 1) == Some(&'|') || (i > 0 && chars[i - 1] == '|'));
            if doubled {
                cur.push(c);
            } else {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(c);
        }
        i += 1;
    }
    out.push(cur);
    out.into_iter().map(|t| t.trim().to_string()).collect()
}

/// Parses an interaction term `a^b^c` (or `a#b`) into its column names.
fn parse_interaction(term: &str) -> Result<Vec<String>> {
    let parts: Vec<String> = term
        .split(['^', '#'])
        .map(|p| p.trim().trim_matches('`').to_string())
        .collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(GravityError::Parse {
            input: term.to_string(),
            message: "empty name in interaction".into(),
        });
    }
    Ok(parts)
}

/// Parses a cluster specification: `"pair_id"`, `"exporter,importer"` (two-way),
/// `"isoimp^isoexp"` (one-way on the interaction). An empty name anywhere (`""`,
/// `"a,,b"`, `"a^"`) is an error: it cannot name a column, and silently falling back to
/// unclustered standard errors would misreport the inference.
pub fn parse_cluster(s: &str) -> Result<Vec<Vec<String>>> {
    s.split([',', '+'])
        .map(str::trim)
        .map(|t| {
            if t.is_empty() {
                Err(GravityError::Parse {
                    input: s.to_string(),
                    message: "empty cluster variable name".into(),
                })
            } else {
                parse_interaction(t)
            }
        })
        .collect()
}

impl ModelSpec {
    /// Parses a formula `y ~ x1 + x2 | fe1 + fe2^fe3` (see the module docs).
    pub fn parse(formula: &str) -> Result<ModelSpec> {
        let perr = |m: &str| GravityError::Parse {
            input: formula.to_string(),
            message: m.to_string(),
        };
        let sides = split_top(formula, '~');
        if sides.len() != 2 {
            return Err(perr("expected exactly one `~`"));
        }
        let depvar = sides[0].clone();
        if depvar.is_empty() {
            return Err(perr("missing dependent variable"));
        }
        Expr::parse(&depvar)?;
        let parts = split_top(&sides[1], '|');
        if parts.len() > 2 {
            return Err(perr("expected at most one `|`"));
        }
        let mut intercept = true;
        let mut explicit_intercept = false;
        let mut regressors = Vec::new();
        for t in split_top(&parts[0], '+') {
            if t.is_empty() {
                if parts[0].trim().is_empty() {
                    continue;
                }
                return Err(perr("empty regressor term"));
            }
            match t.as_str() {
                "0" | "-1" => intercept = false,
                "1" => {
                    intercept = true;
                    explicit_intercept = true;
                }
                _ => {
                    Expr::parse(&t)?;
                    if !regressors.contains(&t) {
                        regressors.push(t);
                    }
                }
            }
        }
        let mut fixed_effects = Vec::new();
        if parts.len() == 2 {
            for t in split_top(&parts[1], '+') {
                if t.is_empty() || t == "0" {
                    continue;
                }
                let fe = parse_interaction(&t)?;
                if !fixed_effects.contains(&fe) {
                    fixed_effects.push(fe);
                }
            }
        }
        let intercept_only = intercept && explicit_intercept && fixed_effects.is_empty();
        if regressors.is_empty() && !intercept_only {
            return Err(perr(
                "the formula has no regressors: write at least one after `~`, e.g. \
                 `trade ~ log(dist) | exporter + importer` (`y ~ 1` fits an intercept only)",
            ));
        }
        Ok(ModelSpec {
            depvar,
            regressors,
            fixed_effects,
            cluster: Vec::new(),
            offset: None,
            weights: None,
            filter: Vec::new(),
            intercept,
        })
    }

    /// Sets the cluster dimensions from a string (see [`parse_cluster`]).
    pub fn with_cluster(mut self, cluster: &str) -> Result<ModelSpec> {
        self.cluster = parse_cluster(cluster)?;
        Ok(self)
    }

    /// Adds a sample filter expression (checked here for syntax, and to be a condition:
    /// see [`Expr::check_condition`]).
    pub fn with_filter(mut self, filter: &str) -> Result<ModelSpec> {
        Expr::parse(filter)?.check_condition(filter)?;
        self.filter.push(filter.to_string());
        Ok(self)
    }

    /// Sets the offset expression.
    pub fn with_offset(mut self, offset: &str) -> Result<ModelSpec> {
        Expr::parse(offset)?;
        self.offset = Some(offset.to_string());
        Ok(self)
    }

    /// Sets the weight expression.
    pub fn with_weights(mut self, weights: &str) -> Result<ModelSpec> {
        Expr::parse(weights)?;
        self.weights = Some(weights.to_string());
        Ok(self)
    }

    /// The fixed-effect terms as text (`exporter^year`).
    pub fn fixed_effect_names(&self) -> Vec<String> {
        self.fixed_effects.iter().map(|f| f.join("^")).collect()
    }

    /// The formula as text.
    pub fn formula(&self) -> String {
        let mut rhs = self.regressors.join(" + ");
        if !self.intercept && self.fixed_effects.is_empty() {
            rhs = if rhs.is_empty() {
                "0".into()
            } else {
                format!("{rhs} + 0")
            };
        }
        if self.fixed_effects.is_empty() {
            format!("{} ~ {}", self.depvar, rhs)
        } else {
            format!(
                "{} ~ {} | {}",
                self.depvar,
                rhs,
                self.fixed_effect_names().join(" + ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gravity_formula() {
        let s = ModelSpec::parse(
            "trade ~ log(dist) + cntg + (exporter != importer) | exporter^year + importer#year",
        )
        .unwrap();
        assert_eq!(s.depvar, "trade");
        assert_eq!(
            s.regressors,
            vec!["log(dist)", "cntg", "(exporter != importer)"]
        );
        assert_eq!(
            s.fixed_effects,
            vec![
                vec!["exporter".to_string(), "year".to_string()],
                vec!["importer".to_string(), "year".to_string()]
            ]
        );
        assert_eq!(
            parse_cluster("a, b^c").unwrap(),
            vec![
                vec!["a".to_string()],
                vec!["b".to_string(), "c".to_string()]
            ]
        );
        assert!(ModelSpec::parse("y ~ x ~ z").is_err());
        assert!(ModelSpec::parse("y ~ log(x").is_err());
    }

    fn parse_message(e: GravityError) -> String {
        match e {
            GravityError::Parse { message, .. } => message,
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn a_formula_needs_regressors() {
        for f in [
            "trade ~",
            "trade ~ ",
            "trade ~ | exporter",
            "trade ~ 0",
            "y ~ 1 | fe",
        ] {
            let m = parse_message(ModelSpec::parse(f).unwrap_err());
            assert!(m.contains("the formula has no regressors"), "{f}: {m}");
        }
        let s = ModelSpec::parse("y ~ 1").unwrap();
        assert!(s.regressors.is_empty() && s.intercept);
    }

    #[test]
    fn cluster_names_cannot_be_empty() {
        for c in ["", " ", "a,,b", "a,", "a^", "+"] {
            let m = parse_message(parse_cluster(c).unwrap_err());
            assert!(m.contains("empty"), "{c:?}: {m}");
        }
    }

    #[test]
    fn filters_are_checked_to_be_conditions() {
        let s = ModelSpec::parse("y ~ x").unwrap();
        let e = s.clone().with_filter("log(dist)").unwrap_err();
        assert!(matches!(e, GravityError::NotACondition { .. }), "{e}");
        assert!(s.with_filter("dist > 0").is_ok());
    }

    #[test]
    fn deep_formulas_are_refused() {
        let f = format!("y ~ {}x{}", "(".repeat(10_000), ")".repeat(10_000));
        let m = parse_message(ModelSpec::parse(&f).unwrap_err());
        assert!(m.contains("nested too deeply"), "{m}");
        let f = format!("y ~ {}x", "-".repeat(50_000));
        assert!(parse_message(ModelSpec::parse(&f).unwrap_err()).contains("too deeply"));
    }
}
