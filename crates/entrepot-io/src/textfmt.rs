//! How raw text files spell their delimiters, periods and numbers: the conventions of
//! official statistics (national statistics offices, customs) that the mapped CSV
//! reader accepts besides the tidy ones.
//!
//! - **Delimiters** ([`parse_delimiter`], [`detect_delimiter`]): comma, semicolon,
//!   tab or pipe, given (`--delimiter ';'`) or detected from the header line: the one
//!   candidate that appears in it outside double quotes. A header holding two of them
//!   is refused (give the delimiter); a header holding none is one column (comma).
//! - **Periods** ([`parse_period`]): `YYYY`, `YYYY-MM`, `YYYY/MM`, `YYYYMM`,
//!   `YYYYMmm` (`2001M01`, Eurostat/IMF style), `MM/YYYY`, `MM-YYYY`, and an English
//!   month name or its three-letter abbreviation with the year, in either order
//!   (`January 2001`, `Jan 2001`, `Jan. 2001`, `2001 January`, `Sept-2001`).
//! - **Numbers** ([`parse_number`], [`DecimalMark`]): plain numbers as Rust reads
//!   them, plus thousands separators under a rule that never misreads a value:
//!
//!   | decimal mark | thousands separator | `1,187.5` | `1,187,000` | `1,187` | `1.187` | `1 187,5` |
//!   |---|---|---|---|---|---|---|
//!   | `auto` (default) | `,` | 1187.5 | 1187000 | refused (ambiguous) | 1.187 | refused |
//!   | `.` | `,` | 1187.5 | 1187000 | 1187 | 1.187 | refused |
//!   | `,` | `.`, space, no-break space, `'` | refused | refused | 1.187 | 1187 | 1187.5 |
//!
//!   Groups after the first must have exactly three digits, and one number uses one
//!   thousands separator. With the comma delimiter a number holding a comma must be
//!   quoted (`"1,187.5"`), as CSV requires.

use crate::error::IoError;
use crate::validate::check_year;
use entrepot_core::text::display_value;
use entrepot_core::Period;
use std::fmt;
use std::str::FromStr;

/// The delimiters a header may be detected with, and their names in messages.
const CANDIDATES: [(u8, &str); 4] = [(b',', "','"), (b';', "';'"), (b'\t', "tab"), (b'|', "'|'")];

/// Parses a delimiter option: `,` (`comma`), `;` (`semicolon`), `tab` (`\t` or a tab
/// character) or `|` (`pipe`).
pub fn parse_delimiter(s: &str) -> Result<u8, IoError> {
    let d = match s.to_ascii_lowercase().as_str() {
        "," | "comma" => b',',
        ";" | "semicolon" => b';',
        "\t" | "\\t" | "tab" => b'\t',
        "|" | "pipe" => b'|',
        _ => {
            return Err(IoError::Format {
                path: "--delimiter".into(),
                message: format!(
                "unknown delimiter '{}': expected ',' (comma), ';' (semicolon), tab or '|' (pipe)",
                display_value(s)
            ),
            })
        }
    };
    Ok(d)
}

/// The name of a delimiter in messages (`';'`, `tab`).
pub fn delimiter_name(d: u8) -> String {
    CANDIDATES
        .iter()
        .find(|(c, _)| *c == d)
        .map(|(_, n)| (*n).to_string())
        .unwrap_or_else(|| format!("'{}'", display_value(&(d as char).to_string())))
}

/// Detects the delimiter from a header line (see the module docs): the one candidate
/// (`,`, `;`, tab, `|`) that appears in it outside double quotes, a comma when none
/// does, and an error naming the candidates found when several do.
pub fn detect_delimiter(header_line: &[u8]) -> Result<u8, String> {
    let mut counts = [0usize; 4];
    let mut quoted = false;
    for &b in header_line {
        if b == b'"' {
            quoted = !quoted;
        } else if b == b'\n' {
            break;
        } else if !quoted {
            if let Some(i) = CANDIDATES.iter().position(|(c, _)| *c == b) {
                counts[i] += 1;
            }
        }
    }
    let mut found: Vec<usize> = (0..4).filter(|&i| counts[i] > 0).collect();
    found.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    match found.as_slice() {
        [] => Ok(b','),
        [one] => Ok(CANDIDATES[*one].0),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|&i| {
                    format!(
                        "{} ({} time{})",
                        CANDIDATES[i].1,
                        counts[i],
                        if counts[i] == 1 { "" } else { "s" }
                    )
                })
                .collect();
            Err(format!(
                "cannot tell the delimiter from the header line: it holds {}; give it with --delimiter (',', ';', tab or '|')",
                list.join(" and ")
            ))
        }
    }
}

/// The decimal mark of the numbers of a text file (see the module docs for the
/// thousands separators each allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalMark {
    /// A decimal point; comma thousands separators only where they cannot be a
    /// decimal comma (`1,187.5`, `1,187,000`); `1,187` is refused as ambiguous.
    #[default]
    Auto,
    /// A decimal point, comma thousands separators (`1,187` is 1187).
    Point,
    /// A decimal comma, thousands separated by `.`, a space, a no-break space or `'`
    /// (`1.187` is 1187, `1 187,5` is 1187.5).
    Comma,
}

impl FromStr for DecimalMark {
    type Err = IoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "auto" => DecimalMark::Auto,
            "." | "point" | "dot" => DecimalMark::Point,
            "," | "comma" => DecimalMark::Comma,
            _ => {
                return Err(IoError::Format {
                    path: "--decimal".into(),
                    message: format!(
                        "unknown decimal mark '{}': expected '.' (point), ',' (comma) or auto",
                        display_value(s)
                    ),
                })
            }
        })
    }
}

impl fmt::Display for DecimalMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecimalMark::Auto => "auto",
            DecimalMark::Point => ".",
            DecimalMark::Comma => ",",
        })
    }
}

/// The longest number (in bytes, separators removed) [`parse_number`] reads.
const MAX_NUMBER_BYTES: usize = 64;

/// Parses a number written with the decimal mark `mark` (see the module docs). Plain
/// numbers take the fast path (no copy); numbers with separators are normalised in a
/// buffer on the stack. The error says what was found and what was expected.
pub fn parse_number(s: &str, mark: DecimalMark) -> Result<f64, String> {
    let t = s.trim();
    if mark != DecimalMark::Comma {
        if let Ok(v) = t.parse::<f64>() {
            return Ok(v);
        }
    }
    grouped(t, mark)
}

/// A number with thousands separators and a decimal mark, normalised into a stack
/// buffer and parsed.
fn grouped(t: &str, mark: DecimalMark) -> Result<f64, String> {
    let expected = || {
        match mark {
        DecimalMark::Comma => format!(
            "expected a non-negative number with a decimal comma (1187,5, 1.187,5 or 1 187,5), found '{}'",
            display_value(t)
        ),
        _ => format!(
            "expected a non-negative number, found '{}'{}",
            display_value(t),
            if t.contains(',') {
                ": a comma separates thousands in groups of three (1,187.5); for a decimal comma give --decimal ,"
            } else {
                ""
            }
        ),
    }
    };
    let (dec, is_sep): (char, fn(char) -> bool) = match mark {
        DecimalMark::Comma => (',', |c| {
            matches!(c, '.' | ' ' | '\u{a0}' | '\u{202f}' | '\'')
        }),
        _ => ('.', |c| c == ','),
    };
    let mut buf = [0u8; MAX_NUMBER_BYTES];
    let mut n = 0;
    let mut push = |b: u8, n: &mut usize| -> Result<(), String> {
        if *n == MAX_NUMBER_BYTES {
            return Err(format!(
                "number too long: {} characters, at most {MAX_NUMBER_BYTES}",
                t.chars().count()
            ));
        }
        buf[*n] = b;
        *n += 1;
        Ok(())
    };
    let mut chars = t.chars().peekable();
    if let Some(&c) = chars.peek() {
        if c == '-' || c == '+' {
            push(c as u8, &mut n)?;
            chars.next();
        }
    }
    // Integer part: digit groups split by one kind of separator.
    let mut sep_used: Option<char> = None;
    let mut groups = 0usize;
    let mut group_len = 0usize;
    let mut fraction = false;
    for c in chars.by_ref() {
        if c.is_ascii_digit() {
            push(c as u8, &mut n)?;
            group_len += 1;
        } else if is_sep(c) {
            if sep_used.is_some_and(|u| u != c) || group_len == 0 {
                return Err(expected());
            }
            sep_used = Some(c);
            if groups == 0 {
                if group_len > 3 {
                    return Err(expected());
                }
            } else if group_len != 3 {
                return Err(expected());
            }
            groups += 1;
            group_len = 0;
        } else if c == dec {
            fraction = true;
            break;
        } else {
            return Err(expected());
        }
    }
    if group_len == 0 || (groups > 0 && group_len != 3) {
        return Err(expected());
    }
    if fraction {
        push(b'.', &mut n)?;
        let mut digits = 0;
        for c in chars.by_ref() {
            if !c.is_ascii_digit() {
                return Err(expected());
            }
            push(c as u8, &mut n)?;
            digits += 1;
        }
        if digits == 0 {
            return Err(expected());
        }
    }
    if mark == DecimalMark::Auto && groups == 1 && !fraction {
        return Err(format!(
            "ambiguous number '{}': the comma may separate thousands or be a decimal comma; give the decimal mark with --decimal . (thousands) or --decimal , (decimal comma)",
            display_value(t)
        ));
    }
    let text = std::str::from_utf8(&buf[..n]).map_err(|_| expected())?;
    text.parse::<f64>().map_err(|_| expected())
}

/// English month names and their three-letter abbreviations (and `Sept`), lower case.
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month (1-12) of an English month name or abbreviation (`January`, `Jan`,
/// `jan.`, `Sept`), case-insensitive.
pub fn month_of_name(s: &str) -> Option<u8> {
    let t = s.strip_suffix('.').unwrap_or(s);
    if t.len() < 3 || !t.is_ascii() {
        return None;
    }
    let lower = |i: usize| t.as_bytes()[i].to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| {
            (t.len() == 3 || t.len() == m.len() || (m.starts_with("sept") && t.len() == 4))
                && t.len() <= m.len()
                && (0..t.len()).all(|i| lower(i) == m.as_bytes()[i])
        })
        .map(|i| i as u8 + 1)
}

/// What [`parse_period`] accepts, for messages.
pub const PERIOD_FORMS: &str = "YYYY, YYYY-MM, YYYY/MM, YYYYMM, YYYYMmm (2001M01), MM/YYYY or an English month name and year (January 2001, Jan 2001)";

/// Parses a period in any of the spellings of the module docs.
pub fn parse_period(s: &str) -> Result<Period, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "invalid period '{}': expected {PERIOD_FORMS}",
            display_value(t)
        )
    };
    if t.is_empty() {
        return Err(format!("missing period: expected {PERIOD_FORMS}"));
    }
    let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let year = |y: &str| -> Result<i32, String> {
        if y.len() != 4 || !all_digits(y) {
            return Err(bad());
        }
        check_year(y.parse::<i64>().map_err(|_| bad())?)
            .map_err(|m| format!("invalid period '{}': {m}", display_value(t)))
    };
    let month = |m: &str| -> Result<u8, String> {
        if !(1..=2).contains(&m.len()) || !all_digits(m) {
            return Err(bad());
        }
        match m.parse::<u8>() {
            Ok(v) if (1..=12).contains(&v) => Ok(v),
            _ => Err(format!(
                "invalid period '{}': month {m} out of range, expected 1-12",
                display_value(t)
            )),
        }
    };
    let ym = |y: i32, m: u8| Period::month(y, m).map_err(|e| e.to_string());
    // One token: YYYY, YYYYMM, YYYYMmm.
    if all_digits(t) {
        return match t.len() {
            4 => Ok(Period::Year(year(t)?)),
            6 => ym(year(&t[..4])?, month(&t[4..])?),
            _ => Err(bad()),
        };
    }
    if t.len() >= 6
        && t.is_ascii()
        && matches!(t.as_bytes()[4], b'M' | b'm')
        && all_digits(&t[..4])
        && all_digits(&t[5..])
    {
        return ym(year(&t[..4])?, month(&t[5..])?);
    }
    // Two tokens split by a space, '-', '/' or ',' (runs of them).
    let mut parts = t.split([' ', '-', '/', ',']).filter(|p| !p.is_empty());
    let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let name_month = |x: &str| -> Result<u8, String> {
        month_of_name(x).ok_or_else(|| {
            format!(
                "invalid period '{}': unknown month name '{}', expected an English month name (January…December) or its abbreviation (Jan…Dec)",
                display_value(t),
                display_value(x)
            )
        })
    };
    let alpha = |x: &str| x.chars().next().is_some_and(|c| c.is_alphabetic());
    match (alpha(a), alpha(b)) {
        (true, false) => ym(year(b)?, name_month(a)?),
        (false, true) => ym(year(a)?, name_month(b)?),
        (false, false) if a.len() == 4 => ym(year(a)?, month(b)?),
        (false, false) if b.len() == 4 => ym(year(b)?, month(a)?),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, mo: u8) -> Period {
        Period::Month { year: y, month: mo }
    }

    #[test]
    fn periods_in_every_spelling() {
        for s in [
            "2001-01",
            "2001/01",
            "200101",
            "2001M01",
            "2001m1",
            "January 2001",
            "Jan 2001",
            "jan. 2001",
            "JANUARY-2001",
            "2001 January",
            "01/2001",
            "1-2001",
            " Jan, 2001 ",
        ] {
            assert_eq!(parse_period(s), Ok(m(2001, 1)), "{s}");
        }
        assert_eq!(parse_period("Sept 2019"), Ok(m(2019, 9)));
        assert_eq!(parse_period("Dec 2019"), Ok(m(2019, 12)));
        assert_eq!(parse_period("2019"), Ok(Period::Year(2019)));
        let e = parse_period("Janvier 2001").unwrap_err();
        assert!(e.contains("unknown month name 'Janvier'"), "{e}");
        let e = parse_period("2001M13").unwrap_err();
        assert!(e.contains("month 13 out of range"), "{e}");
        for bad in [
            "2001Q1",
            "Ja 2001",
            "January",
            "01/01/2001",
            "20011",
            "1800",
        ] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
        assert_eq!(month_of_name("Septem"), None);
        assert_eq!(month_of_name("sep"), Some(9));
        assert_eq!(month_of_name("May"), Some(5));
    }

    #[test]
    fn numbers_are_never_misread() {
        use DecimalMark::*;
        assert_eq!(parse_number("1187.5", Auto), Ok(1187.5));
        assert_eq!(parse_number("1,187.5", Auto), Ok(1187.5));
        assert_eq!(parse_number("1,187,000", Auto), Ok(1_187_000.0));
        assert_eq!(parse_number("1.187", Auto), Ok(1.187));
        let e = parse_number("1,187", Auto).unwrap_err();
        assert!(e.contains("ambiguous number '1,187'"), "{e}");
        assert!(parse_number("1,5", Auto)
            .unwrap_err()
            .contains("--decimal ,"));
        assert_eq!(parse_number("1,187", Point), Ok(1187.0));
        assert_eq!(parse_number("12,345,678.25", Point), Ok(12_345_678.25));
        assert!(parse_number("1,18", Point).is_err());
        assert!(parse_number("1187,000", Point).is_err());
        assert!(parse_number("1,187.5.2", Point).is_err());
        assert_eq!(parse_number("1,187", Comma), Ok(1.187));
        assert_eq!(parse_number("1.187", Comma), Ok(1187.0));
        assert_eq!(parse_number("1 187,5", Comma), Ok(1187.5));
        assert_eq!(
            parse_number("1\u{a0}187\u{a0}000,25", Comma),
            Ok(1_187_000.25)
        );
        assert_eq!(parse_number("1187", Comma), Ok(1187.0));
        assert!(parse_number("1.187 000", Comma).is_err());
        assert!(parse_number("1187.5", Comma).is_err());
        assert!(parse_number("1,187.5", Comma).is_err());
        assert_eq!(parse_number("-1,187.5", Auto), Ok(-1187.5));
        assert!(parse_number(&"9".repeat(100), Comma).is_err());
        assert!(parse_number(",187", Point).is_err());
        assert!(parse_number("1,", Point).is_err());
    }

    #[test]
    fn delimiters_given_or_detected() {
        assert_eq!(
            detect_delimiter(b"Partner;Period;Exports;Imports\n"),
            Ok(b';')
        );
        assert_eq!(detect_delimiter(b"Partner\tPeriod\tValue"), Ok(b'\t'));
        assert_eq!(detect_delimiter(b"a|b"), Ok(b'|'));
        assert_eq!(detect_delimiter(b"a,\"b;c\",d"), Ok(b','));
        assert_eq!(detect_delimiter(b"value"), Ok(b','));
        let e = detect_delimiter(b"Partner;Value, USD;Period").unwrap_err();
        assert!(e.contains("';' (2 times) and ',' (1 time)"), "{e}");
        assert_eq!(parse_delimiter("tab").ok(), Some(b'\t'));
        assert_eq!(parse_delimiter(";").ok(), Some(b';'));
        assert_eq!(parse_delimiter("PIPE").ok(), Some(b'|'));
        assert!(parse_delimiter(":").is_err());
        assert_eq!(delimiter_name(b'\t'), "tab");
    }
}
