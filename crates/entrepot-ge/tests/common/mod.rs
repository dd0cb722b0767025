//! Shared helpers of the replication tests: the book's data (`agtpa_applications.csv`),
//! the authors' published Stata outputs, and comparisons.

#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use entrepot_ge::Matrix;

/// One row of `agtpa_applications.csv`.
#[derive(Debug, Clone)]
pub struct Row {
    pub exporter: String,
    pub importer: String,
    pub pair_id: String,
    pub year: i32,
    pub trade: f64,
    pub dist: f64,
    pub cntg: f64,
    pub lang: f64,
    pub clny: f64,
    pub rta: f64,
}

/// Reads `agtpa_applications.csv` (years kept by `keep`).
pub fn read_agtpa(path: &Path, keep: impl Fn(i32) -> bool) -> Vec<Row> {
    let mut rdr = csv::Reader::from_path(path).expect("agtpa_applications.csv opens");
    let headers = rdr.headers().expect("header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} in agtpa_applications.csv"))
    };
    let (ex, im, pid, yr, tr, di, cn, la, cl, rt) = (
        col("exporter"),
        col("importer"),
        col("pair_id"),
        col("year"),
        col("trade"),
        col("dist"),
        col("cntg"),
        col("lang"),
        col("clny"),
        col("rta"),
    );
    let num = |r: &csv::StringRecord, k: usize| -> f64 {
        r[k].parse::<f64>()
            .unwrap_or_else(|_| panic!("number in column {k}: {:?}", &r[k]))
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let r = rec.expect("CSV record");
        let year = num(&r, yr) as i32;
        if !keep(year) {
            continue;
        }
        out.push(Row {
            exporter: r[ex].to_string(),
            importer: r[im].to_string(),
            pair_id: r[pid].to_string(),
            year,
            trade: num(&r, tr),
            dist: num(&r, di),
            cntg: num(&r, cn),
            lang: num(&r, la),
            clny: num(&r, cl),
            rta: num(&r, rt),
        });
    }
    out
}

/// The countries of some rows, sorted.
pub fn countries(rows: &[Row]) -> Vec<String> {
    let set: BTreeSet<&str> = rows.iter().map(|r| r.exporter.as_str()).collect();
    set.into_iter().map(String::from).collect()
}

/// A matrix of `f(row)` over the rows of one year (every pair must be present once).
pub fn matrix(rows: &[Row], countries: &[String], year: i32, f: impl Fn(&Row) -> f64) -> Matrix {
    let n = countries.len();
    let idx: HashMap<&str, usize> = countries
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), k))
        .collect();
    let mut m = Matrix::filled(n, f64::NAN);
    for r in rows.iter().filter(|r| r.year == year) {
        m.set(idx[r.exporter.as_str()], idx[r.importer.as_str()], f(r));
    }
    assert!(
        m.as_slice().iter().all(|v| !v.is_nan()),
        "every pair of {year} present"
    );
    m
}

/// A published Stata output: country → column → value.
pub struct Published {
    pub values: HashMap<String, HashMap<String, f64>>,
}

impl Published {
    pub fn read(path: &Path) -> Published {
        let mut rdr = csv::Reader::from_path(path).expect("published CSV opens");
        let headers: Vec<String> = rdr
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        let mut values = HashMap::new();
        for rec in rdr.records() {
            let r = rec.expect("record");
            let mut row = HashMap::new();
            for (h, v) in headers.iter().zip(r.iter()).skip(1) {
                row.insert(h.clone(), v.parse::<f64>().expect("numeric cell"));
            }
            values.insert(r[0].to_string(), row);
        }
        Published { values }
    }

    pub fn get(&self, country: &str, column: &str) -> f64 {
        self.values[country][column]
    }
}

/// Tracks the largest discrepancy of a set of comparisons.
#[derive(Default)]
pub struct Worst {
    pub max: f64,
    pub at: String,
}

impl Worst {
    pub fn see(&mut self, what: &str, d: f64) {
        if d > self.max || !d.is_finite() {
            self.max = d;
            self.at = what.to_string();
        }
    }
}

/// `|got/want − 1|`, or `|got − want|` when `|want| < floor`.
pub fn rel(got: f64, want: f64, floor: f64) -> f64 {
    if want.abs() < floor {
        (got - want).abs()
    } else {
        (got / want - 1.0).abs()
    }
}
