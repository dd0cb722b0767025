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
//! but not both; exports and imports are not negative; the source URL is an
//! `http(s)://` address. Each figure keeps its source URL, note, and `origin` =
//! `file:line`. Bad rows are returned next to the good ones, never dropped silently.

use crate::csvsrc::csv_err;
use crate::error::{IoError, RowError};
use entrepot_core::{
    CountryKind, CountryRegistry, GroupRegistry, PeriodSpan, PublishedFigure, Unit,
};
use std::io::Read;

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
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(crate::validate::CountingReader::new(reader));
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
    let mut idx = Vec::with_capacity(want.len());
    for w in want {
        match header.iter().position(|h| h == w) {
            Some(i) => idx.push(i),
            None => {
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
    let mut errors = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_err(name, e)),
        }
        let start = rec.position().map(|p| p.byte()).unwrap_or(0);
        let line = rdr.get_mut().line_at(start);
        let raw = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect::<Vec<_>>()
            .join(",");
        match parse_row(name, &rec, &header, &idx, line, layout) {
            Ok(f) => figures.push(f),
            Err(mut e) => {
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
        Box::new(RowError::new(
            name,
            line,
            (!col.is_empty()).then_some(col),
            (!value.is_empty()).then_some(value),
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
        let v: f64 = s
            .parse()
            .map_err(|_| err(c, s, format!("expected a number, found '{s}'")))?;
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
    }
    let url = get("source_url");
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(err(
            "source_url",
            url,
            "missing or invalid source URL: expected an http:// or https:// address".into(),
        ));
    }
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
