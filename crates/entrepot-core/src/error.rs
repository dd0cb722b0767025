//! Errors of the domain core.

use crate::text::display_value;
use thiserror::Error;

/// Queries longer than this (in characters) get no "did you mean" suggestions: codes
/// and names are short, and similarity scores of long text cost time (quadratic in
/// the worst case) for no useful answer.
pub const MAX_SUGGEST_QUERY_CHARS: usize = 16;

/// Candidates longer than this (in characters) are never suggested.
const MAX_SUGGEST_CANDIDATE_CHARS: usize = 64;

/// Errors raised when a code, period or reference table cannot be interpreted.
///
/// Every value that came from data is shown through [`display_value`] (control
/// characters escaped, at most [`crate::text::MAX_ECHO_CHARS`] characters).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// A period string is not `YYYY`, `YYYY-MM` or `YYYY-MM..YYYY-MM`.
    #[error("invalid period '{}': expected YYYY, YYYY-MM or YYYY-MM..YYYY-MM ({reason})", display_value(.value))]
    InvalidPeriod {
        /// The offending text.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A country code is not known.
    #[error("unknown country code '{}'{}", display_value(.code), suggest(.suggestions))]
    UnknownCountry {
        /// The offending code.
        code: String,
        /// Closest known codes.
        suggestions: Vec<String>,
    },
    /// A country name fits several entries.
    #[error("ambiguous country '{}': it could be {}; give a code", display_value(.query), .candidates.join(", "))]
    AmbiguousCountry {
        /// The name given.
        query: String,
        /// The entries it fits, as `ISO3 (name)`.
        candidates: Vec<String>,
    },
    /// A country name where a code is expected (a code column of data).
    #[error("'{}' is a country name, not a code: {iso3} is {}; write the code", display_value(.name), display_value(.country))]
    NameNotCode {
        /// The name given.
        name: String,
        /// The ISO3 code of the country it names.
        iso3: String,
        /// The country's name.
        country: String,
    },
    /// A partner group is not known.
    #[error("unknown partner group '{}'{}", display_value(.name), suggest(.suggestions))]
    UnknownGroup {
        /// The offending group name.
        name: String,
        /// Closest known group names.
        suggestions: Vec<String>,
    },
    /// An HS product code is malformed or unknown in its revision.
    #[error("unknown product code '{}' in {revision}{}", display_value(.code), suggest(.suggestions))]
    UnknownProduct {
        /// The offending code.
        code: String,
        /// The HS revision it was looked up in.
        revision: String,
        /// Closest known codes.
        suggestions: Vec<String>,
    },
    /// A value that must be one of a fixed set is not.
    #[error("invalid {field} '{}': expected {expected}", display_value(.value))]
    InvalidValue {
        /// The field name.
        field: &'static str,
        /// The offending value.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A user-supplied definition file (groups, baskets) is malformed.
    #[error("{} line {line}: {}", crate::text::escape_controls(.source_name), crate::text::escape_controls(.message))]
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
        let shown: Vec<String> = s.iter().map(|x| display_value(x)).collect();
        format!(" (did you mean {}?)", shown.join(", "))
    }
}

/// Returns up to `n` candidates closest to `query` by Jaro–Winkler similarity
/// (case-insensitive), best first. A query longer than [`MAX_SUGGEST_QUERY_CHARS`]
/// characters gets none (a code or a name is short; scoring megabytes of text would
/// take minutes), and candidates longer than 64 characters are skipped.
pub fn closest<'a, I>(query: &str, candidates: I, n: usize) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    if !suggestable(query) {
        return Vec::new();
    }
    let q = query.to_ascii_uppercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .filter(|c| c.chars().nth(MAX_SUGGEST_CANDIDATE_CHARS).is_none())
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

/// Whether "did you mean" suggestions are computed for this query: at most
/// [`MAX_SUGGEST_QUERY_CHARS`] characters once trimmed.
pub fn suggestable(query: &str) -> bool {
    query.trim().chars().nth(MAX_SUGGEST_QUERY_CHARS).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_queries_get_no_suggestions_and_short_messages() {
        let huge = "Q".repeat(10_000_000);
        let t = std::time::Instant::now();
        assert!(closest(&huge, ["CHN", "USA"], 3).is_empty());
        assert!(t.elapsed().as_millis() < 500);
        assert_eq!(closest("CHM", ["CHN", "USA"], 3), vec!["CHN"]);
        let e = CoreError::UnknownCountry {
            code: format!("\u{1b}[31m{huge}"),
            suggestions: vec![],
        }
        .to_string();
        assert!(e.len() < 200, "{}", e.len());
        assert!(e.starts_with("unknown country code '\\e[31mQQQ"), "{e}");
        assert!(!e.chars().any(char::is_control), "{e}");
    }
}
