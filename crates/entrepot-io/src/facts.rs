//! Hand-compiled release facts: published figures with their source URLs.
//!
//! Two layouts are read:
//!
//! * `china_customs_facts.csv`: `period,reporter,partner,flow,value_usd_bn,yoy_pct,
//!   source_url,note`. The unit is billions of USD; `flow` is `export`, `import`,
//!   `balance` or `total_trade`.
//! * `china_other_facts.csv`: `period,indicator,reporter,partner,value,unit,yoy_pct,
//!   source_url,note`. The unit is parsed with [`Unit::parse`] (empty = billions of USD).
//!
//! Checks on every row: the period is `YYYY`, `YYYY-MM` or a span `YYYY-MM..YYYY-MM`;
//! the reporter and partner are codes of the country registry (normalised to ISO3)
//! or group names of the group registry (`EU27`, `ASEAN`, …), `WORLD`/`WLD` becoming
//! `WORLD`; the partner may be empty only in the other-facts layout (indicators without
//! partner, such as a PMI); value and y/y change are finite numbers and may be empty
//! but not both; exports and imports are not negative; money values are finite and at
//! most 1e15 once converted to their currency (`value_usd_bn` × 1e9); the source URL
//! is a well-formed `http://` or `https://` address with a host and without quotes,
//! angle brackets, backslashes, whitespace or control characters (see
//! [`check_source_url`]). Each figure keeps its source URL, note, and `origin` =
//! `file:line`. Bad rows are returned next to the good ones, never dropped silently.
//!
//! Facts files are small: a file may be gzip-compressed, binary input is refused, and
//! reading stops at [`MAX_WHOLE_FILE_BYTES`] or at a record longer than
//! [`MAX_RECORD_BYTES`].

use crate::csvsrc::{csv_err, open_file};
use crate::error::kept_value;
use crate::error::{IoError, RowError};
use crate::input::{prepare, Capped, MAX_RECORD_BYTES, MAX_WHOLE_FILE_BYTES};
use crate::mapping::repeated_column;
use crate::validate::{cut, fmt_amount, CountingReader, MAX_KEPT_RAW_BYTES};
use entrepot_core::text::display_value;
use entrepot_core::{
    CountryKind, CountryRegistry, GroupRegistry, PeriodSpan, PublishedFigure, Unit,
    MAX_FLOW_VALUE_USD,
};
use std::io::Read;
use std::path::Path;

const CUSTOMS_COLS: [&str; 8] = [
    "period",
    "reporter",
    "partner",
    "flow",
    "value_usd_bn",
    "yoy_pct",
    "source_url",
    "note",
];
const OTHER_COLS: [&str; 9] = [
    "period",
    "indicator",
    "reporter",
    "partner",
    "value",
    "unit",
    "yoy_pct",
    "source_url",
    "note",
];

/// Reads a customs-facts file (layout `china_customs_facts.csv`). `name` is the file
/// name used in `origin` and errors. Returns the figures and the rejected rows; a
/// missing column or an unreadable stream is an error.
pub fn read_customs_facts(
    name: &str,
    reader: impl Read,
) -> Result<(Vec<PublishedFigure>, Vec<RowError>), IoError> {
    read_facts(name, reader, Layout::Customs)
}

/// Reads an other-facts file (layout `china_other_facts.csv`); see
/// [`read_customs_facts`].
pub fn read_other_facts(
    name: &str,
    reader: impl Read,
) -> Result<(Vec<PublishedFigure>, Vec<RowError>), IoError> {
    read_facts(name, reader, Layout::Other)
}

/// Reads a customs-facts file from disk (see [`read_customs_facts`]); the file name
/// in `origin` and errors is the path as given. Files above
/// [`MAX_WHOLE_FILE_BYTES`] are refused before reading.
pub fn read_customs_facts_file(
    path: &Path,
) -> Result<(Vec<PublishedFigure>, Vec<RowError>), IoError> {
    read_facts_file(path, Layout::Customs)
}

/// Reads an other-facts file from disk (see [`read_other_facts`] and
/// [`read_customs_facts_file`]).
pub fn read_other_facts_file(
    path: &Path,
) -> Result<(Vec<PublishedFigure>, Vec<RowError>), IoError> {
    read_facts_file(path, Layout::Other)
}

fn read_facts_file(
    path: &Path,
    layout: Layout,
) -> Result<(Vec<PublishedFigure>, Vec<RowError>), IoError> {
    let name = path.display().to_string();
    let (f, size) = open_file(path)?;
    if size.is_some_and(|s| s > MAX_WHOLE_FILE_BYTES) && f.metadata().is_ok_and(|m| m.is_file()) {
        return Err(IoError::Format {
            path: name,
            message: format!(
                "a facts file larger than {}: expected a small hand-compiled table",
                crate::input::human_bytes(MAX_WHOLE_FILE_BYTES)
            ),
        });
    }
    read_facts(&name, f, layout)
}

/// Bad rows reported at most; a file with more is refused as a whole (facts files
/// are hand-compiled tables of a few hundred rows).
pub const MAX_BAD_ROWS: usize = 1000;

#[derive(Clone, Copy, PartialEq)]
enum Layout {
    Customs,
    Other,
}

fn read_facts(
    name: &str,
    reader: impl Read,
    layout: Layout,
) -> Result<(Vec<PublishedFigure>, Vec<RowError>), IoError> {
    let input = prepare(name, reader)?;
    let capped = Capped::new(input.reader, MAX_WHOLE_FILE_BYTES, "a facts file is");
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(CountingReader::with_limit(capped, MAX_RECORD_BYTES as u64));
    let header: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| csv_err(name, e))?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    let want: &[&str] = match layout {
        Layout::Customs => &CUSTOMS_COLS,
        Layout::Other => &OTHER_COLS,
    };
    let after_header = rdr.position().byte();
    rdr.get_mut().set_record_start(after_header);
    let mut idx = Vec::with_capacity(want.len());
    for w in want {
        let at: Vec<usize> = (0..header.len()).filter(|&i| header[i] == *w).collect();
        match at.as_slice() {
            [i] => idx.push(*i),
            [_, _, ..] => return Err(repeated_column(name, "", w, &at)),
            [] => {
                return Err(IoError::Format {
                    path: name.to_string(),
                    message: format!(
                        "missing column '{w}': expected the header {}",
                        want.join(",")
                    ),
                })
            }
        }
    }
    let mut figures = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(name, e)),
        }
        let next = rdr.position().byte();
        rdr.get_mut().set_record_start(next);
        let start = rec.position().map(|p| p.byte()).unwrap_or(0);
        let line = rdr.get_mut().line_at(start);
        let raw = cut(
            rec.iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
                .join(","),
            MAX_KEPT_RAW_BYTES,
        );
        match parse_row(name, &rec, &header, &idx, line, layout) {
            Ok(f) => figures.push(f),
            Err(mut e) => {
                if errors.len() >= MAX_BAD_ROWS {
                    return Err(IoError::Format {
                        path: name.to_string(),
                        message: format!(
                            "more than {MAX_BAD_ROWS} bad rows (the first: line {}: {}): not a facts file of this layout",
                            errors[0].line,
                            errors[0].message
                        ),
                    });
                }
                e.raw = Some(raw);
                errors.push(*e);
            }
        }
    }
    Ok((figures, errors))
}

fn parse_row(
    name: &str,
    rec: &csv::ByteRecord,
    header: &[String],
    idx: &[usize],
    line: u64,
    layout: Layout,
) -> Result<PublishedFigure, Box<RowError>> {
    let err = |col: &str, value: &str, m: String| {
        let value = kept_value(value);
        Box::new(RowError::new(
            name,
            line,
            (!col.is_empty()).then_some(col),
            (!value.is_empty()).then_some(value.as_str()),
            m,
        ))
    };
    if rec.len() != header.len() {
        return Err(err(
            "",
            "",
            format!(
                "wrong number of fields: expected {}, found {}",
                header.len(),
                rec.len()
            ),
        ));
    }
    let mut fields: Vec<&str> = Vec::with_capacity(idx.len());
    for &i in idx {
        let b = rec.get(i).unwrap_or(b"");
        match std::str::from_utf8(b) {
            Ok(s) => fields.push(s.trim()),
            Err(e) => {
                let off = rec.position().map(|p| p.byte()).unwrap_or(0);
                return Err(err(
                    &header[i],
                    &String::from_utf8_lossy(b),
                    format!(
                        "invalid UTF-8 at line {line} (byte {} of the field; the record starts at byte offset {off})",
                        e.valid_up_to()
                    ),
                ));
            }
        }
    }
    let get = |c: &str| -> &str {
        let cols: &[&str] = match layout {
            Layout::Customs => &CUSTOMS_COLS,
            Layout::Other => &OTHER_COLS,
        };
        cols.iter()
            .position(|x| *x == c)
            .map(|k| fields[k])
            .unwrap_or("")
    };
    let span: PeriodSpan = get("period")
        .parse()
        .map_err(|e: entrepot_core::CoreError| err("period", get("period"), e.to_string()))?;
    let reporter = area(get("reporter")).map_err(|m| err("reporter", get("reporter"), m))?;
    let partner_raw = get("partner");
    let partner = if partner_raw.is_empty() && layout == Layout::Other {
        String::new()
    } else {
        area(partner_raw).map_err(|m| err("partner", partner_raw, m))?
    };
    let (indicator, value_col, unit) = match layout {
        Layout::Customs => {
            let f = get("flow").to_ascii_lowercase();
            if !matches!(f.as_str(), "export" | "import" | "balance" | "total_trade") {
                return Err(err(
                    "flow",
                    get("flow"),
                    "invalid flow: expected export, import, balance or total_trade".into(),
                ));
            }
            (f, "value_usd_bn", Unit::UsdBn)
        }
        Layout::Other => {
            let ind = get("indicator");
            if ind.is_empty() {
                return Err(err("indicator", "", "missing indicator name".into()));
            }
            (ind.to_string(), "value", Unit::parse(get("unit")))
        }
    };
    let num = |c: &str| -> Result<Option<f64>, Box<RowError>> {
        let s = get(c);
        if s.is_empty() {
            return Ok(None);
        }
        let v: f64 = s.parse().map_err(|_| {
            err(
                c,
                s,
                format!("expected a number, found '{}'", display_value(s)),
            )
        })?;
        if !v.is_finite() {
            return Err(err(
                c,
                s,
                "NaN or infinite number: expected a finite number".into(),
            ));
        }
        Ok(Some(v))
    };
    let value = num(value_col)?;
    let yoy = num("yoy_pct")?;
    if value.is_none() && yoy.is_none() {
        return Err(err(
            value_col,
            "",
            format!("both {value_col} and yoy_pct are empty: expected at least one of them"),
        ));
    }
    if let Some(v) = value {
        if v < 0.0 && matches!(indicator.as_str(), "export" | "import") {
            return Err(err(
                value_col,
                get(value_col),
                format!("negative {indicator} value: expected a non-negative number"),
            ));
        }
        check_money(v, &unit).map_err(|m| err(value_col, get(value_col), m))?;
    }
    let url = get("source_url");
    check_source_url(url).map_err(|m| err("source_url", url, m))?;
    Ok(PublishedFigure {
        span,
        reporter,
        partner,
        indicator,
        value,
        unit,
        yoy_pct: yoy,
        source_url: url.to_string(),
        note: get("note").to_string(),
        origin: format!("{name}:{line}"),
    })
}

/// Checks a published value once converted to its currency's base unit (`330.3` USD
/// bn → 3.303e11 USD): finite, and at most 1e15 in absolute value (some 40 years of
/// world trade; more is a unit mistake). Indexes and percentages are only checked
/// for being finite (done by the parser).
fn check_money(v: f64, unit: &Unit) -> Result<(), String> {
    let Some(scale) = unit.scale() else {
        return Ok(());
    };
    let base = v * scale;
    if !base.is_finite() {
        return Err(format!(
            "value overflows: {} {} is not a finite amount: check the value and its unit",
            fmt_amount(v),
            unit.label()
        ));
    }
    if base.abs() > MAX_FLOW_VALUE_USD {
        return Err(format!(
            "implausible value: {} {} is {} after conversion, above 1e15 (1,000 trillion): check the unit (the value is in {})",
            fmt_amount(v),
            unit.label(),
            fmt_amount(base),
            unit.label()
        ));
    }
    Ok(())
}

/// The longest source URL accepted, in characters.
const MAX_URL_CHARS: usize = 2048;

/// Checks a source URL: `http://` or `https://` (any case), then a host (letters,
/// digits, `-`, `.`, `_`, or an IPv6 address in brackets) with an optional numeric
/// port, then an optional path, query and fragment; no quotes, angle brackets,
/// backslashes, whitespace or control characters anywhere; at most 2,048 characters.
/// The error says what is wrong.
pub fn check_source_url(url: &str) -> Result<(), String> {
    const EXPECTED: &str = "expected an http:// or https:// address with a host";
    if url.is_empty() {
        return Err(format!("missing source URL: {EXPECTED}"));
    }
    if url.chars().nth(MAX_URL_CHARS).is_some() {
        return Err(format!(
            "source URL longer than {MAX_URL_CHARS} characters: {EXPECTED}"
        ));
    }
    if let Some((i, c)) = url.char_indices().find(|&(_, c)| {
        c.is_control() || c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | '\\')
    }) {
        let what = match c {
            ' ' => "a space".to_string(),
            c if c.is_control() || c.is_whitespace() => {
                format!(
                    "the control or space character {}",
                    display_value(&c.to_string())
                )
            }
            c => format!("'{c}'"),
        };
        return Err(format!(
            "invalid source URL: {what} at character {} (quotes, angle brackets, backslashes, whitespace and control characters are not allowed): {EXPECTED}",
            url[..i].chars().count() + 1
        ));
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(format!("invalid source URL: {EXPECTED}"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // user:password@ is not a source anyone should cite.
    if authority.contains('@') {
        return Err(format!(
            "invalid source URL: user name or password before the host: {EXPECTED}"
        ));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else {
            return Err(format!(
                "invalid source URL: unclosed '[' in the host: {EXPECTED}"
            ));
        };
        if addr.is_empty()
            || !addr
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(format!("invalid source URL: bad IPv6 host: {EXPECTED}"));
        }
        match after {
            "" => (addr, None),
            p => match p.strip_prefix(':') {
                Some(p) => (addr, Some(p)),
                None => return Err(format!("invalid source URL: bad host: {EXPECTED}")),
            },
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(format!("invalid source URL: no host: {EXPECTED}"));
    }
    if !authority.starts_with('[')
        && (host.starts_with(['.', '-'])
            || host.contains("..")
            || !host
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        return Err(format!("invalid source URL: bad host name: {EXPECTED}"));
    }
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("invalid source URL: bad port: {EXPECTED}"));
        }
    }
    Ok(())
}

/// Normalises a reporter or partner: a country code → its ISO3, the World →
/// `WORLD`, a group → its upper-case name.
fn area(code: &str) -> Result<String, String> {
    if code.is_empty() {
        return Err("missing code: expected an ISO3 code, WORLD or a group name".into());
    }
    let reg = CountryRegistry::builtin();
    if let Some(c) = reg.get(code) {
        return Ok(if c.kind == CountryKind::Aggregate && c.iso3 == "WLD" {
            "WORLD".to_string()
        } else {
            c.iso3.clone()
        });
    }
    let groups = GroupRegistry::builtin();
    if groups.contains(code) {
        return Ok(code.to_ascii_uppercase());
    }
    let country = reg
        .resolve(code)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let group = groups
        .memberships(code)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    Err(format!("neither a country nor a group: {country}; {group}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "period,reporter,partner,flow,value_usd_bn,yoy_pct,source_url,note\n";

    fn one(row: &str) -> (Vec<PublishedFigure>, Vec<RowError>) {
        read_customs_facts("f.csv", format!("{HEAD}{row}\n").as_bytes()).unwrap()
    }

    #[test]
    fn good_rows() {
        let (f, e) = one("2025-01..2025-11,CHN,WORLD,balance,1080,22,https://x.org/a,approx.");
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(f[0].span.to_string(), "2025-01..2025-11");
        assert_eq!(f[0].origin, "f.csv:2");
        let crlf = HEAD.replace('\n', "\r\n") + "2025,CHN,USA,export,1,,https://x.org,\"a\r\nb\"\r\n2025,CHN,JPN,export,1,,https://x.org,\r\n";
        let (f, e) = read_customs_facts("f.csv", crlf.as_bytes()).unwrap();
        assert!(e.is_empty());
        assert_eq!(f[0].origin, "f.csv:2");
        assert_eq!(f[1].origin, "f.csv:4");
        let (f, _) = one("2025-11,CHN,ROM,export,,5,https://x.org/a,");
        assert_eq!(f[0].partner, "ROU");
        let (f, _) = one("2025-11,CHN,eu27,export,,5,https://x.org/a,");
        assert_eq!(f[0].partner, "EU27");
    }

    #[test]
    fn bad_rows() {
        let cases = [
            (
                "2025-11,CHN,CHM,export,1,,https://x.org,",
                "partner",
                "did you mean",
            ),
            (
                "2025-13,CHN,USA,export,1,,https://x.org,",
                "period",
                "invalid period",
            ),
            (
                "2025-11,CHN,USA,export,,,https://x.org,",
                "value_usd_bn",
                "both value_usd_bn and yoy_pct are empty",
            ),
            (
                "2025-11,CHN,USA,export,abc,,https://x.org,",
                "value_usd_bn",
                "expected a number",
            ),
            (
                "2025-11,CHN,USA,export,-3,,https://x.org,",
                "value_usd_bn",
                "negative",
            ),
            (
                "2025-11,CHN,USA,export,NaN,,https://x.org,",
                "value_usd_bn",
                "NaN",
            ),
            (
                "2025-11,CHN,USA,exports2,1,,https://x.org,",
                "flow",
                "invalid flow",
            ),
            ("2025-11,CHN,USA,export,1,,,", "source_url", "source URL"),
        ];
        for (row, col, msg) in cases {
            let (f, e) = one(row);
            assert!(f.is_empty(), "{row}");
            assert_eq!(e.len(), 1, "{row}");
            assert_eq!(e[0].line, 2);
            assert_eq!(e[0].column.as_deref(), Some(col), "{row}: {}", e[0]);
            assert!(e[0].message.contains(msg), "{row}: {}", e[0]);
        }
        let (_, e) = one("2025-11,CHN,USA,export,1");
        assert!(e[0].message.contains("wrong number of fields"), "{}", e[0]);
        let (f, e) = one(
            "2025-11,CHN,USA,export,-3,,https://x.org,\n2025-11,CHN,USA,balance,-3,,https://x.org,",
        );
        assert_eq!((f.len(), e.len()), (1, 1));
        let mut bytes = HEAD.as_bytes().to_vec();
        bytes.extend_from_slice(b"2025-11,CHN,US\xffA,export,1,,https://x.org,\n");
        let (_, e) = read_customs_facts("f.csv", bytes.as_slice()).unwrap();
        assert!(e[0].message.contains("invalid UTF-8 at line 2"), "{}", e[0]);
        let e = read_customs_facts("f.csv", "period,reporter\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("missing column 'partner'"), "{e}");
    }
}
