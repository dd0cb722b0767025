//! Hostile and broken input, one class per section: values that overflow or are
//! implausible after scaling, control bytes echoed into messages, unbounded records,
//! huge codes, binary and gzip input, repeated columns. Every reader of the class is
//! checked, and each message names file, line, column and value.

mod common;
use common::*;
use entrepot_core::HsRevision;
use entrepot_io::baci::BaciReader;
use entrepot_io::comtrade::ComtradeJsonReader;
use entrepot_io::dta::DtaFlowReader;
use entrepot_io::parquet_reader::ParquetFlowReader;
use entrepot_io::schema::{flows_schema, FlowBatchBuilder, FlowRow};
use entrepot_io::tidy::CsvFlowReader;
use entrepot_io::{
    open_reader, read_customs_facts, read_other_facts, BreakdownPolicy, ColumnMapping, FlowReader,
    Format, IoError, OnError, ReadOptions, ReaderSpec, RowError,
};
use std::io::{Read, Write};
use std::time::Instant;

fn q() -> ReadOptions {
    ReadOptions {
        on_error: OnError::Quarantine,
        ..ReadOptions::default()
    }
}

fn mapping(spec: &str) -> ColumnMapping {
    ColumnMapping::parse(spec).unwrap()
}

/// The rejected rows of a CSV read with a mapping.
fn csv_rejected(text: &[u8], spec: &str) -> Vec<RowError> {
    let mut r = CsvFlowReader::from_reader(
        "t.csv",
        std::io::Cursor::new(text.to_vec()),
        &mapping(spec),
        None,
        q(),
    )
    .unwrap();
    read_all(&mut r).unwrap().1
}

/// The error that stops a read (opening included).
fn failure<R: FlowReader>(r: Result<R, IoError>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(mut r) => match read_all(&mut r) {
            Err(e) => e.to_string(),
            Ok((b, rej)) => panic!("expected an error, got {} rows and {rej:?}", rows(&b)),
        },
    }
}

fn assert_clean(msg: &str) {
    assert!(
        !msg.chars().any(char::is_control),
        "control character in {msg:?}"
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

const TIDY: &str = "reporter=r,partner=p,flow=export,period=y,value=v,value_scale=millions";

// ---------------------------------------------------------------------------------
// 1. Values are checked after scaling: finite, non-negative, at most 1e15 USD.

#[test]
fn csv_values_are_checked_after_scaling() {
    let e = csv_rejected(
        b"r,p,y,v\nCHN,USA,2020,1e306\nCHN,JPN,2020,2000000000\nCHN,KOR,2020,5\n",
        TIDY,
    );
    assert_eq!(e.len(), 2, "{e:#?}");
    assert_eq!((e[0].line, e[0].column.as_deref()), (2, Some("v")));
    assert_eq!(e[0].value.as_deref(), Some("1e306"));
    assert!(
        e[0].message
            .contains("value overflows: 1e306 × 1000000 is not a finite number"),
        "{}",
        e[0]
    );
    assert!(e[0].message.contains("check value_scale"), "{}", e[0]);
    assert_eq!((e[1].line, e[1].column.as_deref()), (3, Some("v")));
    assert!(
        e[1].message.starts_with(
            "implausible value: 2e15 USD after scaling (2000000000 × 1000000) is above 1e15 USD"
        ),
        "{}",
        e[1]
    );
    assert!(
        e[1].to_string()
            .starts_with("t.csv:3: column 'v': value '2000000000': "),
        "{}",
        e[1]
    );
}

#[test]
fn quantities_are_finite_after_unit_conversion() {
    let e = csv_rejected(
        b"r,p,y,v,q,u\nCHN,USA,2020,1,1e306,1000u\n",
        "reporter=r,partner=p,flow=export,period=y,value=v,quantity=q,quantity_unit=col:u",
    );
    assert_eq!((e[0].line, e[0].column.as_deref()), (2, Some("q")));
    assert!(
        e[0].message.starts_with("quantity overflows: 1e306 × 1000"),
        "{}",
        e[0]
    );
}

#[test]
fn baci_values_in_thousands_are_checked_after_scaling() {
    let text = "t,i,j,k,v,q\n2020,4,24,300431,1e308,1\n2020,4,24,854140,2000000000000,\n2020,4,842,870380,3,\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("BACI_HS17_Y2020_big.csv");
    std::fs::write(&path, text).unwrap();
    // The fast path (a file) and the CSV parser (a stream) say the same.
    let fast = {
        let mut r = BaciReader::open(&path, None, None, q()).unwrap();
        read_all(&mut r).unwrap()
    };
    let slow = {
        let mut r = BaciReader::from_reader(
            "x",
            std::io::Cursor::new(text),
            HsRevision::Hs2017,
            None,
            q(),
        )
        .unwrap();
        read_all(&mut r).unwrap()
    };
    for (b, e) in [fast, slow] {
        assert_eq!(rows(&b), 1);
        assert_eq!(e.len(), 2, "{e:#?}");
        assert_eq!(
            (e[0].line, e[0].column.as_deref(), e[0].value.as_deref()),
            (2, Some("v"), Some("1e308"))
        );
        assert!(
            e[0].message.starts_with(
                "value overflows: 1e308 × 1000 is not a finite number: BACI's v is in thousands"
            ),
            "{}",
            e[0]
        );
        assert_eq!(e[1].line, 3);
        assert!(
            e[1].message
                .starts_with("implausible value: 2e15 USD after scaling"),
            "{}",
            e[1]
        );
    }
}

#[test]
fn comtrade_csv_and_json_values_are_checked() {
    let csv = std::fs::read_to_string(fixture("comtrade.csv"))
        .unwrap()
        .replace("330300000000", "1e16");
    let mut r = CsvFlowReader::comtrade_from_reader(
        "c.csv",
        std::io::Cursor::new(csv),
        None,
        BreakdownPolicy::Skip,
        q(),
    )
    .unwrap();
    let (_, e) = read_all(&mut r).unwrap();
    assert_eq!(
        (e[0].line, e[0].column.as_deref(), e[0].value.as_deref()),
        (2, Some("primaryValue"), Some("1e16"))
    );
    assert!(
        e[0].message
            .contains("implausible value: 1e16 USD is above 1e15 USD"),
        "{}",
        e[0]
    );
    let json = std::fs::read_to_string(fixture("comtrade.json"))
        .unwrap()
        .replace("3580000000000.0", "1e300");
    let mut r = ComtradeJsonReader::from_reader(
        "c.json",
        json.as_bytes(),
        None,
        None,
        BreakdownPolicy::Skip,
        q(),
    )
    .unwrap();
    let (_, e) = read_all(&mut r).unwrap();
    assert_eq!(
        (e[0].line, e[0].column.as_deref(), e[0].value.as_deref()),
        (1, Some("primaryValue"), Some("1e300"))
    );
    assert!(
        e[0].message.starts_with("implausible value: 1e300 USD"),
        "{}",
        e[0]
    );
}

#[test]
fn parquet_and_stata_values_are_checked() {
    // Parquet in the canonical schema with an implausible value on its second row.
    let mut b = FlowBatchBuilder::with_capacity(2);
    for (partner, v) in [("USA", 5.0), ("JPN", 3e15)] {
        b.push(&FlowRow {
            reporter: "CHN",
            partner,
            flow: entrepot_core::FlowKind::Export,
            period: "2020".parse().unwrap(),
            hs_revision: None,
            product: "TOTAL",
            value_usd: v,
            quantity: None,
            declared_by: entrepot_core::Declarant::Reporter,
            source_file: None,
            source_line: None,
        });
    }
    let mut bytes = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut bytes, flows_schema(), None).unwrap();
    w.write(&b.finish().unwrap()).unwrap();
    w.close().unwrap();
    let mut r = ParquetFlowReader::from_bytes("p.parquet", bytes, None, None, q()).unwrap();
    let (batches, e) = read_all(&mut r).unwrap();
    assert_eq!(rows(&batches), 1);
    assert_eq!(
        (e[0].line, e[0].column.as_deref(), e[0].value.as_deref()),
        (3, Some("value_usd"), Some("3e15"))
    );
    assert!(e[0].message.contains("above 1e15 USD"), "{}", e[0]);
    // Stata: trade 384920000000 in millions is 3.8e17 USD.
    let m = mapping(
        "reporter=exporter,partner=importer,year=year,value=trade,flow=export,value_scale=millions",
    );
    let mut r = DtaFlowReader::open(&fixture("mixed_118.dta"), &m, None, q()).unwrap();
    let (_, e) = read_all(&mut r).unwrap();
    let first = e.iter().find(|e| e.line == 2).unwrap();
    assert_eq!(first.column.as_deref(), Some("trade"));
    assert!(
        first
            .message
            .starts_with("implausible value: 3.8492e17 USD after scaling (384920000000 × 1000000)"),
        "{first}"
    );
    assert!(
        first.message.contains("check value_scale (now 1000000"),
        "{first}"
    );
}

const FACTS_HEAD: &str = "period,reporter,partner,flow,value_usd_bn,yoy_pct,source_url,note\n";

fn facts(rows: &str) -> Vec<RowError> {
    read_customs_facts("f.csv", format!("{FACTS_HEAD}{rows}").as_bytes())
        .unwrap()
        .1
}

#[test]
fn facts_are_finite_after_conversion() {
    let e = facts("2025,CHN,USA,export,1e307,,https://x.org,\n2025,CHN,USA,import,2000000,,https://x.org,\n2025,CHN,USA,balance,-1e300,,https://x.org,\n");
    assert_eq!(e.len(), 3, "{e:#?}");
    assert_eq!(
        (e[0].line, e[0].column.as_deref(), e[0].value.as_deref()),
        (2, Some("value_usd_bn"), Some("1e307"))
    );
    assert!(
        e[0].message
            .starts_with("value overflows: 1e307 USD bn is not a finite amount"),
        "{}",
        e[0]
    );
    assert!(
        e[1].message
            .starts_with("implausible value: 2000000 USD bn is 2e15 after conversion"),
        "{}",
        e[1]
    );
    assert_eq!(e[2].line, 4);
    let (_, e) = read_other_facts(
        "o.csv",
        "period,indicator,reporter,partner,value,unit,yoy_pct,source_url,note\n2025,total,CHN,,1e300,trillion CNY,,https://x.org,\n2025,pmi,CHN,,1e300,index,,https://x.org,\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(
        e.len(),
        1,
        "an index is only checked for being finite: {e:#?}"
    );
    assert!(
        e[0].message.starts_with("value overflows: 1e300 CNY tn"),
        "{}",
        e[0]
    );
}

// ---------------------------------------------------------------------------------
// 2. Control bytes never reach a message raw; source URLs are well-formed.

#[test]
fn control_bytes_are_escaped_in_every_message() {
    let e = csv_rejected(
        b"r,p,y,v\n\x1b[31mCHN\x07,USA,2020,1\nCHN,\xc2\x9bUSA\x1b]0;pwned\x07,2020,1\nCHN,USA,2020,\"1\x1b[2J\"\n",
        TIDY,
    );
    assert_eq!(e.len(), 3, "{e:#?}");
    let shown: Vec<String> = e.iter().map(ToString::to_string).collect();
    for s in &shown {
        assert_clean(s);
    }
    assert!(shown[0].starts_with("t.csv:2: column 'r': value '\\e[31mCHN\\u{07}': unknown country code '\\e[31mCHN\\u{07}'"), "{}", shown[0]);
    assert!(
        shown[1].contains("'\\u{9B}USA\\e]0;pwned\\u{07}'"),
        "{}",
        shown[1]
    );
    assert!(shown[2].contains("found '1\\e[2J'"), "{}", shown[2]);
    // A NUL after the first block (so the file is text) is escaped too.
    let mut text = b"r,p,y,v\n".to_vec();
    for _ in 0..5000 {
        text.extend_from_slice(b"CHN,USA,2020,1\n");
    }
    text.extend_from_slice(b"CHN,U\x00SA,2021,1\n");
    let e = csv_rejected(&text, TIDY);
    let last = e.last().unwrap().to_string();
    assert!(last.contains("value 'U\\0SA'"), "{last}");
    assert_clean(&last);
    // Header names are data too.
    let err = failure(CsvFlowReader::from_reader(
        "t.csv",
        std::io::Cursor::new(b"r\x1b[1m,p,y,v\nCHN,USA,2020,1\n".to_vec()),
        &mapping(TIDY),
        None,
        q(),
    ));
    assert!(err.contains("columns are: r\\e[1m, p, y, v"), "{err}");
    assert_clean(&err);
}

#[test]
fn facts_source_urls_must_be_well_formed() {
    let bad = [
        ("https://x.org/a b", "a space at character 16"),
        ("https://x.org/\"onmouseover", "'\"' at character 15"),
        ("https://x.org/<script>", "'<' at character 15"),
        ("https://x.org/a\\b", "'\\' at character 16"),
        (
            "https://x.org/\x1b[31m",
            "the control or space character \\e at character 15",
        ),
        ("https://", "no host"),
        ("https:///path", "no host"),
        ("ftp://x.org/a", "expected an http:// or https:// address"),
        (
            "javascript:alert(1)",
            "expected an http:// or https:// address",
        ),
        ("https://user:pw@x.org/", "user name or password"),
        ("https://x..org/", "bad host name"),
        ("https://x.org:80a/", "bad port"),
    ];
    for (url, why) in bad {
        let row = format!("2025,CHN,USA,export,1,,\"{}\",\n", url.replace('"', "\"\""));
        let e = facts(&row);
        assert_eq!(e.len(), 1, "{url}");
        assert_eq!(
            (e[0].file.as_str(), e[0].line, e[0].column.as_deref()),
            ("f.csv", 2, Some("source_url")),
            "{url}"
        );
        assert!(e[0].message.contains(why), "{url}: {}", e[0]);
        assert_clean(&e[0].to_string());
    }
    for url in [
        "https://www.business-standard.com/a/b?c=d&e=f#g",
        "http://127.0.0.1:8080/x",
        "HTTPS://X.ORG",
        "https://[::1]/x",
        "https://例え.jp/パス",
    ] {
        assert!(
            facts(&format!("2025,CHN,USA,export,1,,{url},\n")).is_empty(),
            "{url}"
        );
    }
}

// ---------------------------------------------------------------------------------
// 3. Memory stays bounded: record length, whole-file limits, /dev/zero.

#[test]
fn dev_zero_fails_fast_as_binary_input() {
    let t = Instant::now();
    let spec = ReaderSpec {
        format: Some(Format::Csv),
        mapping: Some(mapping(TIDY)),
        ..ReaderSpec::new("z")
    };
    let e = open_reader(std::path::Path::new("/dev/zero"), &spec)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(e, "/dev/zero: not a text file (NUL byte at byte offset 0: binary data, expected UTF-8 CSV text)");
    for format in [Format::Baci, Format::Comtrade, Format::ComtradeJson] {
        let spec = ReaderSpec {
            format: Some(format),
            hs_revision: Some(HsRevision::Hs2017),
            ..ReaderSpec::new("z")
        };
        let e = open_reader(std::path::Path::new("/dev/zero"), &spec)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("/dev/zero: not a text file (NUL byte"),
            "{format}: {e}"
        );
    }
    let e = read_customs_facts("/dev/zero", std::io::repeat(0))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/dev/zero: not a text file (NUL byte"), "{e}");
    assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
}

#[test]
fn an_endless_line_stops_at_the_record_limit() {
    // An endless stream without a newline: the reader stops after about 1 MiB.
    let endless = std::io::repeat(b'a');
    let e = failure(CsvFlowReader::from_reader(
        "inf.csv",
        endless,
        &mapping(TIDY),
        None,
        q(),
    ));
    assert_eq!(e, "inf.csv: line 1: record longer than 1 MiB (1048576 bytes) (the maximum record length): this is not a table of this format, or a quoted field is never closed");
    // A long data line, and a quoted field that is never closed (short lines).
    let mut long = b"r,p,y,v\nCHN,USA,2020,1\nCHN,".to_vec();
    long.extend(std::iter::repeat_n(b'x', 2 << 20));
    long.extend_from_slice(b",2020,1\n");
    let e = failure(CsvFlowReader::from_reader(
        "long.csv",
        std::io::Cursor::new(long.clone()),
        &mapping(TIDY),
        None,
        q(),
    ));
    assert!(
        e.starts_with("long.csv: line 3: record longer than 1 MiB"),
        "{e}"
    );
    let mut open_quote = b"r,p,y,v\nCHN,USA,2020,1\n\"".to_vec();
    for _ in 0..30_000 {
        open_quote.extend_from_slice(&[b'x'; 99]);
        open_quote.push(b'\n');
    }
    let e = failure(CsvFlowReader::from_reader(
        "q.csv",
        std::io::Cursor::new(open_quote),
        &mapping(TIDY),
        None,
        q(),
    ));
    assert!(
        e.starts_with("q.csv: line 3: record longer than 1 MiB"),
        "{e}"
    );
    // The limit is an option.
    let opts = ReadOptions {
        max_record_bytes: 4 << 20,
        ..q()
    };
    let mut r = CsvFlowReader::from_reader(
        "long.csv",
        std::io::Cursor::new(long),
        &mapping(TIDY),
        None,
        opts,
    )
    .unwrap();
    let (b, e) = read_all(&mut r).unwrap();
    assert_eq!((rows(&b), e.len()), (1, 1));
}

#[test]
fn baci_fast_path_and_other_readers_stop_at_the_record_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("BACI_HS17_long.csv");
    let mut text = b"t,i,j,k,v,q\n2020,4,24,300431,1,1\n2020,4,24,".to_vec();
    text.extend(std::iter::repeat_n(b'9', 3 << 20));
    text.extend_from_slice(b",1,1\n");
    std::fs::write(&path, &text).unwrap();
    let e = failure(BaciReader::open(&path, None, None, q()));
    assert!(e.ends_with("BACI_HS17_long.csv: line 3: record longer than 1 MiB (1048576 bytes) (the maximum record length): this is not a table of this format, or a quoted field is never closed"), "{e}");
    let e = failure(CsvFlowReader::comtrade_from_reader(
        "c.csv",
        std::io::repeat(b'c'),
        None,
        BreakdownPolicy::Reject,
        q(),
    ));
    assert!(
        e.starts_with("c.csv: line 1: record longer than 1 MiB"),
        "{e}"
    );
    let e = read_customs_facts("f.csv", std::io::repeat(b'f'))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("f.csv: line 1: record longer than 1 MiB"),
        "{e}"
    );
    // A facts stream that never ends stops too.
    // Blank lines forever: no record ever ends, so the record limit stops it (the
    // 64 MiB limit of a facts file is checked in `definition_files_are_read_with_a_bound`).
    let endless_rows =
        std::io::Cursor::new(FACTS_HEAD.as_bytes().to_vec()).chain(RepeatLine(b"\n", 0));
    let e = read_customs_facts("big.csv", endless_rows)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("big.csv: line ") && e.contains(": record longer than 1 MiB"),
        "{e}"
    );
}

/// A line repeated forever.
struct RepeatLine(&'static [u8], usize);

impl Read for RepeatLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            buf[n] = self.0[self.1];
            self.1 = (self.1 + 1) % self.0.len();
            n += 1;
        }
        Ok(n)
    }
}

#[test]
fn definition_files_are_read_with_a_bound() {
    let dir = tempfile::tempdir().unwrap();
    let groups = dir.path().join("groups.csv");
    std::fs::write(&groups, "group,iso3\nBIG,USA\n").unwrap();
    assert_eq!(
        entrepot_io::read_text_file(&groups).unwrap(),
        "group,iso3\nBIG,USA\n"
    );
    let gz = dir.path().join("groups.csv.gz");
    std::fs::write(&gz, gzip(b"group,iso3\nBIG,CHN\n")).unwrap();
    assert_eq!(
        entrepot_io::read_text_file(&gz).unwrap(),
        "group,iso3\nBIG,CHN\n"
    );
    let e = entrepot_io::read_text_file(std::path::Path::new("/dev/zero"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/dev/zero: not a text file (NUL byte"), "{e}");
    let big = dir.path().join("big.csv");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(65 << 20).unwrap();
    let e = entrepot_io::read_text_file(&big).unwrap_err().to_string();
    assert!(e.ends_with("the file is larger than 64 MiB (67108864 bytes), the most that is read into memory: expected a much smaller file"), "{e}");
    let e = entrepot_io::read_customs_facts_file(&big)
        .unwrap_err()
        .to_string();
    assert!(e.contains("a facts file larger than 64 MiB"), "{e}");
}

#[test]
fn quarantined_bad_rows_are_handed_over_in_bounded_groups() {
    let mut text = b"r,p,y,v\n".to_vec();
    for _ in 0..10_000 {
        text.extend_from_slice(b"XXX,USA,2020,1\n");
    }
    let mut r = CsvFlowReader::from_reader(
        "bad.csv",
        std::io::Cursor::new(text),
        &mapping(TIDY),
        None,
        q(),
    )
    .unwrap();
    let mut calls = 0;
    let mut total = 0;
    while let Some(b) = r.next_batch().unwrap() {
        assert_eq!(b.num_rows(), 0);
        let n = r.take_rejected().len();
        assert!(n <= 1024, "{n}");
        total += n;
        calls += 1;
    }
    total += r.take_rejected().len();
    assert_eq!((total, calls), (10_000, 9));
}

// ---------------------------------------------------------------------------------
// 4. Huge codes fail fast, with a short message.

#[test]
fn a_ten_megabyte_country_code_fails_fast_with_a_short_message() {
    let code = "Z".repeat(10_000_000);
    let text = format!("r,p,y,v\n{code},USA,2020,1\n");
    let opts = ReadOptions {
        max_record_bytes: 16 << 20,
        ..ReadOptions::default()
    };
    let t = Instant::now();
    let mut r = CsvFlowReader::from_reader(
        "huge.csv",
        std::io::Cursor::new(text.into_bytes()),
        &mapping(TIDY),
        None,
        opts,
    )
    .unwrap();
    let e = read_all(&mut r).unwrap_err().to_string();
    assert!(t.elapsed().as_secs_f64() < 1.0, "{:?}", t.elapsed());
    assert!(e.len() < 1000, "{} bytes", e.len());
    assert!(e.starts_with("huge.csv:2: column 'r': value 'ZZZZ"), "{e}");
    assert!(
        e.contains("…(+9999920 chars)': unknown country code 'ZZZZ"),
        "{e}"
    );
    // BACI and facts too.
    let text = format!("t,i,j,k,v,q\n2020,{code},24,300431,1,1\n");
    let t = Instant::now();
    let mut r = BaciReader::from_reader(
        "BACI_HS17_huge.csv",
        std::io::Cursor::new(text.into_bytes()),
        HsRevision::Hs2017,
        None,
        ReadOptions {
            max_record_bytes: 16 << 20,
            ..ReadOptions::default()
        },
    )
    .unwrap();
    let e = read_all(&mut r).unwrap_err().to_string();
    assert!(
        t.elapsed().as_secs_f64() < 1.0 && e.len() < 1000,
        "{:?} {}",
        t.elapsed(),
        e.len()
    );
    let short = "Q".repeat(500_000);
    let e = facts(&format!("2025,CHN,{short},export,1,,https://x.org,\n"));
    let shown = e[0].to_string();
    assert!(shown.len() < 1000, "{}", shown.len());
    assert!(shown.contains("neither a country nor a group"), "{shown}");
}

// ---------------------------------------------------------------------------------
// 5. gzip is read transparently; other binary input is refused before any header.

#[test]
fn gzip_input_is_read_transparently_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read(fixture("BACI_HS17_Y2020_fixture.csv")).unwrap();
    let gz = dir.path().join("BACI_HS17_Y2020_fixture.csv.gz");
    std::fs::write(&gz, gzip(&plain)).unwrap();
    assert_eq!(entrepot_io::detect_format(&gz).unwrap(), Format::Baci);
    let mut r = open_reader(&gz, &ReaderSpec::new("g")).unwrap();
    let (b, e) = read_all(r.as_mut()).unwrap();
    assert_eq!((rows(&b), e.len()), (4, 0));
    let (done, total) = r.progress();
    assert_eq!(total, Some(std::fs::metadata(&gz).unwrap().len()));
    assert_eq!(done, total.unwrap(), "compressed bytes read");
    for (name, text, format) in [
        (
            "c.csv.gz",
            std::fs::read(fixture("comtrade.csv")).unwrap(),
            Format::Comtrade,
        ),
        (
            "c.json.gz",
            std::fs::read(fixture("comtrade.json")).unwrap(),
            Format::ComtradeJson,
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, gzip(&text)).unwrap();
        assert_eq!(entrepot_io::detect_format(&p).unwrap(), format);
        let mut r = open_reader(
            &p,
            &ReaderSpec {
                breakdowns: BreakdownPolicy::Skip,
                ..ReaderSpec::new("g")
            },
        )
        .unwrap();
        let (b, _) = read_all(r.as_mut()).unwrap();
        assert!(rows(&b) >= 2, "{name}");
    }
    let (f, e) = read_customs_facts(
        "f.csv.gz",
        gzip(entrepot_io::sample::CUSTOMS_FACTS_CSV.as_bytes()).as_slice(),
    )
    .unwrap();
    assert!(e.is_empty() && f.len() > 100);
    let mut r = CsvFlowReader::from_reader(
        "t.csv.gz",
        std::io::Cursor::new(gzip(b"r,p,y,v\nCHN,USA,2020,1\n")),
        &mapping(TIDY),
        None,
        q(),
    )
    .unwrap();
    assert_eq!(rows(&read_all(&mut r).unwrap().0), 1);
}

#[test]
fn binary_input_is_refused_before_the_header_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |f| ReaderSpec {
        format: Some(f),
        mapping: Some(mapping(TIDY)),
        hs_revision: Some(HsRevision::Hs2017),
        ..ReaderSpec::new("b")
    };
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("zeros.csv", vec![0; 100], "NUL byte at byte offset 0"),
        (
            "random.csv",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8 | 0x80)
                .collect(),
            "invalid UTF-8 at byte 0 of the first line",
        ),
        (
            "data.csv",
            std::fs::read(fixture("mixed_118.dta")).unwrap(),
            "a Stata .dta file: read it with --from dta",
        ),
        (
            "old.csv",
            std::fs::read(fixture("mixed_114.dta")).unwrap(),
            "a Stata .dta file",
        ),
        ("double.csv.gz", gzip(&gzip(b"a,b\n")), "gzip inside gzip"),
    ];
    for (name, bytes, why) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, &bytes).unwrap();
        for f in [Format::Csv, Format::Baci, Format::Comtrade] {
            let e = open_reader(&p, &spec(f)).err().unwrap().to_string();
            assert!(
                e.starts_with(&format!("{}: not a text file (", p.display())),
                "{name} {f}: {e}"
            );
            assert!(e.contains(why), "{name} {f}: {e}");
            assert_clean(&e);
        }
    }
    // A Parquet file given to a text reader, and detected by its magic bytes.
    let pq = dir.path().join("flows.dat");
    let mut bytes = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut bytes, flows_schema(), None).unwrap();
    w.write(&arrow::record_batch::RecordBatch::new_empty(flows_schema()))
        .unwrap();
    w.close().unwrap();
    std::fs::write(&pq, &bytes).unwrap();
    let e = open_reader(&pq, &spec(Format::Csv))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("not a text file (a Parquet file: read it with --from parquet)"),
        "{e}"
    );
    assert_eq!(entrepot_io::detect_format(&pq).unwrap(), Format::Parquet);
}

// ---------------------------------------------------------------------------------
// 6. Ambiguous columns and messages that name the CLI flag.

#[test]
fn a_mapped_column_present_twice_is_an_error() {
    let e = failure(CsvFlowReader::from_reader(
        "dup.csv",
        std::io::Cursor::new(b"exp,imp,exp,year,v\nCHN,USA,JPN,2020,1\n".to_vec()),
        &mapping("reporter=exp,partner=imp,flow=export,period=year,value=v"),
        None,
        q(),
    ));
    assert_eq!(e, "dup.csv: the reporter column 'exp' appears 2 times in the header, at columns 1 and 3: rename or remove the extra column(s) so that the mapping is not ambiguous");
    // Case-insensitive matches count when there is no exact one.
    let e = failure(CsvFlowReader::from_reader(
        "dup.csv",
        std::io::Cursor::new(b"EXP,imp,Exp,year,v\nCHN,USA,JPN,2020,1\n".to_vec()),
        &mapping("reporter=exp,partner=imp,flow=export,period=year,value=v"),
        None,
        q(),
    ));
    assert!(
        e.contains("column 'exp' appears 2 times in the header, at columns 1 and 3"),
        "{e}"
    );
    // Comtrade (built-in mapping) and facts.
    let csv = std::fs::read_to_string(fixture("comtrade.csv")).unwrap();
    let (head, rest) = csv.split_once('\n').unwrap();
    let doubled = format!(
        "{head},primaryValue\n{}",
        rest.lines().map(|l| format!("{l},1\n")).collect::<String>()
    );
    let e = failure(CsvFlowReader::comtrade_from_reader(
        "c.csv",
        std::io::Cursor::new(doubled),
        None,
        BreakdownPolicy::Skip,
        q(),
    ));
    assert!(
        e.contains(
            "the value column 'primaryValue' appears 2 times in the header, at columns 19 and 20"
        ),
        "{e}"
    );
    let e = read_customs_facts(
        "f.csv",
        "period,reporter,partner,flow,value_usd_bn,yoy_pct,source_url,note,source_url\n".as_bytes(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("the column 'source_url' appears 2 times in the header, at columns 7 and 9"),
        "{e}"
    );
}

#[test]
fn hs_revision_messages_name_the_cli_flag() {
    let e = csv_rejected(
        b"r,p,y,k,v\nCHN,USA,2020,854140,1\n",
        "reporter=r,partner=p,flow=export,period=y,product=k,value=v",
    );
    assert!(
        e[0].message.contains("set the HS revision with --hs REV"),
        "{}",
        e[0]
    );
    assert!(e[0].message.contains("map hs_revision="), "{}", e[0]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("trade.csv");
    std::fs::write(&p, "t,i,j,k,v,q\n").unwrap();
    let e = failure(BaciReader::open(&p, None, None, q()));
    assert!(e.contains("set the HS revision with --hs REV"), "{e}");
}
