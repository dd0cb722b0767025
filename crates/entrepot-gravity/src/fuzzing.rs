//! Fuzz harnesses for the formula and filter parsers, taking arbitrary bytes.
//!
//! A harness parses its input (as lossy UTF-8) and, when it parses, evaluates and fits
//! it on a small dataset ([`sample_dataset`]). Whatever the input, it checks that:
//!
//! * the parser and the estimator return: no panic, no stack overflow (the caller —
//!   proptest in `tests/fuzz_parser.rs`, or libFuzzer in the cargo-fuzz targets
//!   `formula` and `filter` of `fuzz/` — reports a panic as a failure);
//! * every error is a message shorter than [`MAX_MESSAGE_BYTES`] without raw control
//!   characters (user text is echoed escaped and cut);
//! * every estimate that is returned has finite standard errors.
//!
//! The harnesses panic (with the offending message) when a promise is broken. They are
//! public for the fuzz targets only and are not part of the supported API.

use crate::data::{Column, Dataset};
use crate::error::GravityError;
use crate::estimate::{fit, FitOptions};
use crate::expr::Expr;
use crate::formula::ModelSpec;

/// The longest message an error may have.
pub const MAX_MESSAGE_BYTES: usize = 2_000;

/// Twelve rows: numeric `trade`, `dist`, `year`, `x` (one missing), `y` (0/1),
/// `odd name`; categorical `exporter`, `importer`, `cat` (with a missing value).
pub fn sample_dataset() -> Dataset {
    let n = 12;
    let num = |f: &dyn Fn(usize) -> f64| (0..n).map(f).collect::<Vec<f64>>();
    let names = ["A", "B", "C"];
    let ex: Vec<&str> = (0..n).map(|i| names[i % 3]).collect();
    let im: Vec<&str> = (0..n).map(|i| names[(i / 3) % 3]).collect();
    let cat = [Some("1"), None, Some("TOTAL")].repeat(4);
    let mut d = Dataset::new();
    let columns = [
        ("trade", Column::Numeric(num(&|i| (i % 4) as f64 * 3.0))),
        ("dist", Column::Numeric(num(&|i| 100.0 + i as f64))),
        ("year", Column::Numeric(num(&|i| 2000.0 + (i % 3) as f64))),
        (
            "x",
            Column::Numeric(num(&|i| if i == 5 { f64::NAN } else { i as f64 / 7.0 })),
        ),
        ("y", Column::Numeric(num(&|i| (i % 2) as f64))),
        ("odd name", Column::Numeric(num(&|i| i as f64))),
        (
            "exporter",
            Column::from_strings(&ex.iter().map(Some).collect::<Vec<_>>()),
        ),
        (
            "importer",
            Column::from_strings(&im.iter().map(Some).collect::<Vec<_>>()),
        ),
        ("cat", Column::from_strings(&cat)),
    ];
    for (name, column) in columns {
        if let Err(e) = d.add_column(name, column) {
            panic!("sample dataset: {e}");
        }
    }
    d
}

/// Panics unless `e` is a short message without raw control characters.
pub fn check_message(e: &GravityError) {
    let m = e.to_string();
    assert!(
        !m.is_empty() && m.len() < MAX_MESSAGE_BYTES,
        "error message of {} bytes: {:.200}",
        m.len(),
        m
    );
    assert!(
        !m.chars().any(char::is_control),
        "raw control character in {m:?}"
    );
}

/// Fits `spec` with PPML and OLS (few iterations), checking errors and estimates.
fn fit_both(spec: &ModelSpec, data: &Dataset) {
    let ppml = FitOptions {
        max_iter: 50,
        ..FitOptions::default()
    };
    let ols = FitOptions {
        max_iter: 50,
        ..FitOptions::ols()
    };
    for opts in [ppml, ols] {
        match fit(data, spec, &opts) {
            Err(e) => check_message(&e),
            Ok(est) => assert!(
                est.se.iter().all(|s| s.is_finite()),
                "{}: standard errors {:?}",
                spec.formula(),
                est.se
            ),
        }
    }
}

/// The formula harness: the first line of the input is a formula; a second line, when
/// present and not empty, a cluster specification; a third, a filter.
pub fn formula(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let formula = lines.next().unwrap_or_default();
    let cluster = lines.next().filter(|l| !l.is_empty());
    let filter = lines.next().filter(|l| !l.is_empty());
    let spec = ModelSpec::parse(formula)
        .and_then(|s| match cluster {
            Some(c) => s.with_cluster(c),
            None => Ok(s),
        })
        .and_then(|s| match filter {
            Some(f) => s.with_filter(f),
            None => Ok(s),
        });
    match spec {
        Err(e) => check_message(&e),
        Ok(spec) => {
            let _ = spec.formula();
            fit_both(&spec, &sample_dataset());
        }
    }
}

/// The filter harness: the input is an expression, parsed, evaluated as numbers and as
/// a row filter, and used as the filter of `trade ~ dist`.
pub fn filter(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let d = sample_dataset();
    match Expr::parse(&text) {
        Err(e) => check_message(&e),
        Ok(e) => {
            let mut columns = Vec::new();
            e.columns(&mut columns);
            if let Err(err) = e.eval_numeric(&d, &text) {
                check_message(&err);
            }
            if let Err(err) = e.eval_mask(&d, &text) {
                check_message(&err);
            }
        }
    }
    match ModelSpec::parse("trade ~ dist").and_then(|s| s.with_filter(&text)) {
        Err(e) => check_message(&e),
        Ok(spec) => fit_both(&spec, &d),
    }
}
