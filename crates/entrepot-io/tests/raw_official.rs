//! Raw official series (national statistics offices, customs): semicolon or tab
//! delimiters given or detected, month names and `2001M01` periods, thousands
//! separators, constant reporter/partner and wide export/import columns.

mod common;
use common::*;
use entrepot_io::tidy::CsvFlowReader;
use entrepot_io::{
    open_reader, ColumnMapping, DecimalMark, IoError, OnError, ReadOptions, ReaderSpec,
};

/// A fixture of `tests/fixtures/raw/`.
fn raw(name: &str) -> std::path::PathBuf {
    fixture(&format!("raw/{name}"))
}

/// A stored flow: (reporter, partner, flow, period, value_usd).
type Flow = (String, String, String, String, f64);

/// Every flow of a file as (reporter, partner, flow, period, value_usd), sorted.
fn flows(path: &std::path::Path, map: &str, options: ReadOptions) -> Result<Vec<Flow>, IoError> {
    let spec = ReaderSpec {
        mapping: Some(ColumnMapping::parse(map)?),
        options,
        ..ReaderSpec::new("raw")
    };
    let mut r = open_reader(path, &spec)?;
    let (batches, rejected) = read_all(r.as_mut())?;
    assert!(rejected.is_empty(), "{rejected:?}");
    let mut out = Vec::new();
    for b in &batches {
        for i in 0..b.num_rows() {
            out.push((
                s(b, "reporter").value(i).to_string(),
                s(b, "partner").value(i).to_string(),
                s(b, "flow").value(i).to_string(),
                s(b, "period").value(i).to_string(),
                f(b, "value_usd").value(i),
            ));
        }
    }
    out.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Ok(out)
}

fn row(
    r: &str,
    p: &str,
    flow: &str,
    period: &str,
    v: f64,
) -> (String, String, String, String, f64) {
    (r.into(), p.into(), flow.into(), period.into(), v)
}

#[test]
fn semicolon_file_with_month_names_and_thousands_separators() {
    // Delimiter detected from the header; reporter a constant (not a header name).
    let got = flows(
        &raw("semicolon_months.csv"),
        "reporter=USA,partner=Partner,period=Period,value=Exports,flow=export",
        ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        got,
        vec![
            row("USA", "CHN", "export", "2001-01", 1187.5),
            row("USA", "CHN", "export", "2001-02", 2_030_000.0),
            row("USA", "DEU", "export", "2001-03", 950.25),
        ]
    );
    // The same with the delimiter given.
    let given = flows(
        &raw("semicolon_months.csv"),
        "reporter=USA,partner=Partner,period=Period,value=Exports,flow=export",
        ReadOptions {
            delimiter: Some(b';'),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(given, got);
}

#[test]
fn tab_file_with_2001m01_periods() {
    let got = flows(
        &raw("tab_2001m01.tsv"),
        "reporter=Reporter,partner=Partner,period=Period,value=Value,flow=import,scale=thousands",
        ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        got,
        vec![
            row("FRA", "DEU", "import", "2001-12", 3_000_750.0),
            row("FRA", "WLD", "import", "2001-01", 100_500.0),
            row("FRA", "WLD", "import", "2001-02", 200_000.0),
        ]
    );
}

#[test]
fn wide_file_gives_export_and_import_and_no_flow_for_an_empty_cell() {
    let got = flows(
        &raw("wide.csv"),
        "reporter=USA,partner=Partner,period=Period,export=Exports,import=Imports",
        ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        got,
        vec![
            row("USA", "CAN", "export", "2001-01", 1187.5),
            row("USA", "CAN", "import", "2001-01", 2000.25),
            row("USA", "CAN", "import", "2001-02", 300.0),
            row("USA", "MEX", "export", "2001-01", 50.0),
        ]
    );
    // Export values only: the import column is not read.
    let exports = flows(
        &raw("wide.csv"),
        "reporter=USA,partner=Partner,period=Period,export=Exports",
        ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(exports.len(), 2);
    assert_eq!(exports[0], row("USA", "CAN", "export", "2001-01", 1187.5));
}

#[test]
fn constant_reporter_and_partner() {
    let text = "Period;Exports\n2001-01;10\n2001-02;12.5\n";
    let m = ColumnMapping::parse(
        "reporter=USA,partner=const:WLD,period=Period,value=Exports,flow=export",
    )
    .unwrap();
    let mut r =
        CsvFlowReader::from_reader("c.csv", text.as_bytes(), &m, None, ReadOptions::default())
            .unwrap();
    let (b, e) = read_all(&mut r).unwrap();
    assert!(e.is_empty());
    assert_eq!(rows(&b), 2);
    assert_eq!(s(&b[0], "reporter").value(1), "USA");
    assert_eq!(s(&b[0], "partner").value(1), "WLD");
    assert_eq!(f(&b[0], "value_usd").value(1), 12.5);
    // An unknown constant is an error on the first row, naming the constant.
    let m = ColumnMapping::parse(
        "reporter=const:XYZ,partner=const:WLD,period=Period,value=Exports,flow=export",
    )
    .unwrap();
    let mut r =
        CsvFlowReader::from_reader("c.csv", text.as_bytes(), &m, None, ReadOptions::default())
            .unwrap();
    let e = read_all(&mut r).unwrap_err().to_string();
    assert!(
        e.starts_with("c.csv:2: column 'reporter': value 'XYZ': the reporter constant"),
        "{e}"
    );
}

#[test]
fn ambiguous_delimiter_is_refused_unless_given() {
    let map = "reporter=USA,partner=Partner,period=Period,value=Value,flow=export";
    let e = flows(&raw("ambiguous_delimiter.csv"), map, ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("ambiguous_delimiter.csv: cannot tell the delimiter from the header line: it holds ';' (2 times) and ',' (1 time); give it with --delimiter"),
        "{e}"
    );
    // Given: the header is read with ';' (the column is 'Value, USD').
    let e = flows(
        &raw("ambiguous_delimiter.csv"),
        map,
        ReadOptions {
            delimiter: Some(b';'),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("did you mean Value, USD?"), "{e}");
}

#[test]
fn bad_month_name_names_file_line_column_and_value() {
    let e = flows(
        &raw("bad_month.csv"),
        "reporter=USA,partner=Partner,period=Period,value=Exports,flow=export",
        ReadOptions::default(),
    )
    .unwrap_err();
    let IoError::Row(r) = &e else {
        panic!("expected a row error, got {e}");
    };
    assert!(r.file.ends_with("bad_month.csv"), "{}", r.file);
    assert_eq!(r.line, 3);
    assert_eq!(r.column.as_deref(), Some("Period"));
    assert_eq!(r.value.as_deref(), Some("Janvier 2001"));
    assert!(
        r.message.contains("unknown month name 'Janvier'"),
        "{}",
        r.message
    );
}

#[test]
fn ambiguous_thousands_are_refused_and_the_decimal_mark_decides() {
    let text = "Partner;Period;Exports\nCHN;2001-01;1,187\n";
    let m = ColumnMapping::parse(
        "reporter=USA,partner=Partner,period=Period,value=Exports,flow=export",
    )
    .unwrap();
    let read = |decimal: DecimalMark, text: &'static str| {
        let opts = ReadOptions {
            decimal,
            on_error: OnError::Fail,
            ..Default::default()
        };
        let mut r = CsvFlowReader::from_reader("n.csv", text.as_bytes(), &m, None, opts)?;
        read_all(&mut r).map(|(b, _)| f(&b[0], "value_usd").value(0))
    };
    let e = read(DecimalMark::Auto, text).unwrap_err().to_string();
    assert!(
        e.starts_with("n.csv:2: column 'Exports': value '1,187': ambiguous number '1,187'"),
        "{e}"
    );
    assert_eq!(read(DecimalMark::Point, text).unwrap(), 1187.0);
    assert_eq!(read(DecimalMark::Comma, text).unwrap(), 1.187);
    let euro = "Partner;Period;Exports\nCHN;2001-01;1 187,5\n";
    assert_eq!(read(DecimalMark::Comma, euro).unwrap(), 1187.5);
    let e = read(DecimalMark::Auto, euro).unwrap_err().to_string();
    assert!(e.contains("for a decimal comma give --decimal ,"), "{e}");
}

#[test]
fn month_column_may_spell_its_months() {
    let text = "Year\tMonth\tPartner\tExports\n2001\tJan\tCHN\t1\n2001\tDecember\tCHN\t2\n2001\t\tCHN\t3\n";
    let m = ColumnMapping::parse(
        "reporter=USA,partner=Partner,year=Year,month=Month,value=Exports,flow=export",
    )
    .unwrap();
    let mut r =
        CsvFlowReader::from_reader("m.tsv", text.as_bytes(), &m, None, ReadOptions::default())
            .unwrap();
    let (b, e) = read_all(&mut r).unwrap();
    assert!(e.is_empty(), "{e:?}");
    let periods: Vec<&str> = (0..3).map(|i| s(&b[0], "period").value(i)).collect();
    assert_eq!(periods, ["2001-01", "2001-12", "2001"]);
}

/// `n` with a separator every three digits from the right.
fn grouped(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

proptest::proptest! {
    /// Any grouped number reads back exactly under the decimal mark it is written
    /// with, and auto reads it whenever the comma cannot be a decimal comma.
    #[test]
    fn grouped_numbers_read_back_exactly(n in 0u64..1_000_000_000_000, cents in 0u64..100) {
        use entrepot_io::textfmt::parse_number;
        // The plain spelling, read by Rust: the value every grouped spelling must give.
        let want: f64 = format!("{n}.{cents:02}").parse().unwrap();
        let point = format!("{}.{cents:02}", grouped(n, ','));
        proptest::prop_assert_eq!(parse_number(&point, DecimalMark::Point), Ok(want));
        proptest::prop_assert_eq!(parse_number(&point, DecimalMark::Auto), Ok(want));
        let comma = format!("{},{cents:02}", grouped(n, '.'));
        proptest::prop_assert_eq!(parse_number(&comma, DecimalMark::Comma), Ok(want));
        let spaced = format!("{},{cents:02}", grouped(n, ' '));
        proptest::prop_assert_eq!(parse_number(&spaced, DecimalMark::Comma), Ok(want));
        // Without a fraction, one comma group is ambiguous under auto, never misread.
        let whole = grouped(n, ',');
        let auto = parse_number(&whole, DecimalMark::Auto);
        match whole.matches(',').count() {
            0 | 2.. => proptest::prop_assert_eq!(auto, Ok(n as f64)),
            _ => proptest::prop_assert!(auto.is_err_and(|e| e.contains("ambiguous"))),
        }
    }

    /// No text makes the number or period parsers panic.
    #[test]
    fn any_text_is_a_number_or_an_error(t in "\\PC{0,24}") {
        for mark in [DecimalMark::Auto, DecimalMark::Point, DecimalMark::Comma] {
            let _ = entrepot_io::textfmt::parse_number(&t, mark);
        }
        let _ = entrepot_io::textfmt::parse_period(&t);
    }
}

/// A country name in a code column is refused (names are for people's queries, not
/// for data), saying which code it names.
#[test]
fn a_country_name_in_a_code_column_is_refused_naming_the_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("names.csv");
    std::fs::write(
        &p,
        "reporter,partner,period,flow,value\nUSA,Turkey,2020,export,5\n",
    )
    .expect("write");
    let spec = entrepot_io::ReaderSpec {
        mapping: Some(
            entrepot_io::ColumnMapping::parse(
                "reporter=reporter,partner=partner,period=period,flow=flow,value=value",
            )
            .expect("mapping"),
        ),
        ..entrepot_io::ReaderSpec::default()
    };
    let mut r = entrepot_io::open_reader(&p, &spec).expect("reader");
    let mut err = None;
    loop {
        match r.next_batch() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                err = Some(e.to_string());
                break;
            }
        }
    }
    let e = err.expect("the name is refused");
    assert!(
        e.contains("'Turkey' is a country name, not a code: TUR is"),
        "{e}"
    );
    assert!(e.contains("line 2") || e.contains(":2:"), "{e}");
}
