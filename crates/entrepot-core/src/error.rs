//! Errors of the domain core.

use thiserror::Error;

/// Errors raised when a code, period or reference table cannot be interpreted.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// A period string is not `YYYY`, `YYYY-MM` or `YYYY-MM..YYYY-MM`.
    #[error("invalid period '{value}': expected YYYY, YYYY-MM or YYYY-MM..YYYY-MM ({reason})")]
    InvalidPeriod {
        /// The offending text.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A country code is not known.
    #[error("unknown country code '{code}'{}", suggest(.suggestions))]
    UnknownCountry {
        /// The offending code.
        code: String,
        /// Closest known codes.
        suggestions: Vec<String>,
    },
    /// A partner group is not known.
    #[error("unknown partner group '{name}'{}", suggest(.suggestions))]
    UnknownGroup {
        /// The offending group name.
        name: String,
        /// Closest known group names.
        suggestions: Vec<String>,
    },
    /// An HS product code is malformed or unknown in its revision.
    #[error("unknown product code '{code}' in {revision}{}", suggest(.suggestions))]
    UnknownProduct {
        /// The offending code.
        code: String,
        /// The HS revision it was looked up in.
        revision: String,
        /// Closest known codes.
        suggestions: Vec<String>,
    },
    /// A value that must be one of a fixed set is not.
    #[error("invalid {field} '{value}': expected {expected}")]
    InvalidValue {
        /// The field name.
        field: &'static str,
        /// The offending value.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A user-supplied definition file (groups, baskets) is malformed.
    #[error("{source_name} line {line}: {message}")]
    Definition {
        /// The name of the definition source (usually a file name).
        source_name: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", s.join(", "))
    }
}

/// Returns up to `n` candidates closest to `query` by Jaro–Winkler similarity
/// (case-insensitive), best first.
pub fn closest<'a, I>(query: &str, candidates: I, n: usize) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let q = query.to_ascii_uppercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&q, &c.to_ascii_uppercase()), c))
        .filter(|(s, _)| *s > 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(n)
        .map(|(_, c)| c.to_string())
        .collect()
}
