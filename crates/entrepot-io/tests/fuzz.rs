//! Property-based fuzzing of every reader: the harnesses of `entrepot_io::fuzzing`
//! run over mutations of the real fixtures (bit flips, truncation, insertion of
//! random bytes, huge numbers, control bytes, quotes and line breaks, gzip).
//!
//! `ENTREPOT_FUZZ_CASES` sets the number of cases per reader (default 48, so that the
//! file runs in well under a minute in the dev profile); for a long run:
//!
//! ```text
//! ENTREPOT_FUZZ_CASES=20000 cargo test --release -p entrepot-io --test fuzz
//! ```

use entrepot_io::fuzzing;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::io::Write;
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Cases per reader.
fn cases() -> u32 {
    std::env::var("ENTREPOT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

/// Pieces of text that break readers: huge and odd numbers, control bytes (ESC, BEL,
/// NUL, C1), quotes, line breaks, invalid UTF-8, a BOM, long runs.
fn tokens() -> Vec<Vec<u8>> {
    let mut t: Vec<Vec<u8>> = [
        "1e306",
        "1e308",
        "1.7976931348623157e308",
        "-1e308",
        "1e15",
        "1000000000000001",
        "-0",
        "NaN",
        "inf",
        "-inf",
        "0x10",
        "1e-400",
        "\u{1b}[31m",
        "\u{7}",
        "\u{9b}",
        "\u{0}",
        "\"",
        "\"\"",
        ",",
        "\n",
        "\r\n",
        "\r",
        "\u{feff}",
        "TOTAL",
        "999999",
        "2020",
        "52",
        "0",
        "{",
        "}",
        "[",
        "]",
        "null",
        "http://",
        "javascript:alert(1)",
        "<stata_dta>",
        "PAR1",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    t.push(vec![0xff]);
    t.push(vec![0xc3]);
    t.push(vec![0x1f, 0x8b]);
    t.push("9".repeat(400).into_bytes());
    t.push("A".repeat(5000).into_bytes());
    t
}

/// One mutation; positions are taken modulo the input length.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(usize, u8),
    SetByte(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Token(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(p, b)| Mutation::FlipBit(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::SetByte(p, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..24))
            .prop_map(|(p, b)| Mutation::Insert(p, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Mutation::Token(p, t)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), 1usize..256).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation, tokens: &[Vec<u8>]) {
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
    match m {
        Mutation::FlipBit(p, b) if !data.is_empty() => {
            let i = p % data.len();
            data[i] ^= 1 << b;
        }
        Mutation::SetByte(p, b) if !data.is_empty() => {
            let i = p % data.len();
            data[i] = *b;
        }
        Mutation::Truncate(p) => {
            let i = at(*p, data.len());
            data.truncate(i);
        }
        Mutation::Insert(p, bytes) => {
            let i = at(*p, data.len());
            data.splice(i..i, bytes.iter().copied());
        }
        Mutation::Token(p, t) => {
            let i = at(*p, data.len());
            let tok = &tokens[t % tokens.len()];
            data.splice(i..i, tok.iter().copied());
        }
        Mutation::Delete(p, n) => {
            let i = at(*p, data.len());
            let end = (i + n).min(data.len());
            data.drain(i..end);
        }
        Mutation::Duplicate(p, n) => {
            let i = at(*p, data.len());
            let end = (i + n).min(data.len());
            let piece = data[i..end].to_vec();
            data.splice(end..end, piece);
        }
        _ => {}
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

/// Runs `harness` over mutations of `seeds` (`gz`: sometimes gzip the result).
fn fuzz(name: &str, seeds: Vec<Vec<u8>>, gz: bool, harness: fn(&[u8])) {
    let tokens = tokens();
    // The seeds themselves first.
    for s in &seeds {
        harness(s);
    }
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        0..seeds.len(),
        prop::collection::vec(mutation(), 1..8),
        0u8..8,
    );
    let result = runner.run(&strategy, |(seed, muts, flags)| {
        let mut data = seeds[seed].clone();
        for m in &muts {
            apply(&mut data, m, &tokens);
        }
        if gz && flags == 0 {
            data = gzip(&data);
        }
        harness(&data);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

/// A canonical Parquet file with the rows of the tidy fixture.
fn parquet_seed() -> Vec<u8> {
    use entrepot_io::tidy::CsvFlowReader;
    use entrepot_io::{ColumnMapping, FlowReader, OnError, ReadOptions};
    let m = ColumnMapping::parse(fuzzing::TIDY_MAPPING).expect("mapping");
    let opts = ReadOptions {
        on_error: OnError::Quarantine,
        ..ReadOptions::default()
    };
    let mut r = CsvFlowReader::from_reader(
        "tidy_bad.csv",
        std::io::Cursor::new(fixture("tidy_bad.csv")),
        &m,
        None,
        opts,
    )
    .expect("open");
    let mut out = Vec::new();
    {
        let mut w = parquet::arrow::ArrowWriter::try_new(
            &mut out,
            entrepot_io::schema::flows_schema(),
            None,
        )
        .expect("writer");
        while let Some(b) = r.next_batch().expect("batch") {
            w.write(&b).expect("write");
        }
        w.close().expect("close");
    }
    out
}

#[test]
fn fuzz_csv_mapping() {
    fuzz(
        "csv",
        vec![fixture("tidy_bad.csv"), fixture("mixed.csv")],
        true,
        fuzzing::csv_mapping,
    );
}

#[test]
fn fuzz_baci() {
    fuzz(
        "baci",
        vec![
            fixture("BACI_HS17_Y2020_bad.csv"),
            fixture("BACI_HS17_Y2020_fixture.csv"),
        ],
        true,
        fuzzing::baci,
    );
}

#[test]
fn fuzz_comtrade_csv() {
    fuzz(
        "comtrade csv",
        vec![fixture("comtrade.csv")],
        true,
        fuzzing::comtrade_csv,
    );
}

#[test]
fn fuzz_comtrade_json() {
    fuzz(
        "comtrade json",
        vec![fixture("comtrade.json")],
        true,
        fuzzing::comtrade_json,
    );
}

#[test]
fn fuzz_parquet() {
    fuzz("parquet", vec![parquet_seed()], false, fuzzing::parquet);
}

#[test]
fn fuzz_dta() {
    fuzz(
        "dta",
        [
            "mixed_114.dta",
            "mixed_117.dta",
            "mixed_118.dta",
            "mixed_119.dta",
        ]
        .iter()
        .map(|f| fixture(f))
        .collect(),
        false,
        fuzzing::dta,
    );
}

#[test]
fn fuzz_facts() {
    let head = |text: &str| -> Vec<u8> {
        text.lines()
            .take(12)
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    };
    fuzz(
        "facts",
        vec![
            head(entrepot_io::sample::CUSTOMS_FACTS_CSV),
            head(entrepot_io::sample::OTHER_FACTS_CSV),
        ],
        true,
        fuzzing::facts,
    );
}

/// Inputs every reader must refuse cleanly: nothing, zeros (as `/dev/zero` gives),
/// random binary, another format's bytes.
#[test]
fn every_reader_survives_hostile_whole_inputs() {
    let mut inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![0; 1 << 20],
        (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect(),
        gzip(&[0; 1 << 16]),
        fixture("mixed_118.dta"),
        parquet_seed(),
        fixture("comtrade.json"),
        gzip(&fixture("BACI_HS17_Y2020_fixture.csv")),
    ];
    inputs.push(
        b"a,b\n"
            .repeat(3)
            .into_iter()
            .chain(vec![b'x'; 2 << 20])
            .collect(),
    );
    for data in &inputs {
        fuzzing::all(data);
    }
}
