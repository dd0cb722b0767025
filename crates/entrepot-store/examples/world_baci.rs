//! Writes a **world-shaped synthetic BACI** release: one `t,i,j,k,v,q` CSV per year,
//! every BACI country code as exporter and importer, every HS 2017 six-digit
//! product, with a gravity-like density (big and near pairs trade more products) so
//! that a year holds about 11 million rows, like a real BACI year. The data are
//! random (seeded, deterministic): the files say SYNTHETIC in their names and must
//! never be read as trade statistics. Used by `bench/world/run.sh`.
//!
//! ```text
//! cargo run --release -p entrepot-store --example world_baci -- OUT_DIR \
//!     [--countries BACI_COUNTRY_CODES.csv] [--rows-per-year 11000000] \
//!     [--years 2021,2022] [--seed 20260101]
//! ```
//!
//! Countries: the codes of a BACI country table (`country_code,…,iso3` in the
//! V202201 or V202401 layout) when given, else every country of the built-in
//! registry, in both cases only codes that the registry resolves (as the BACI reader
//! does without a table), one code per ISO3. Model: each country has a mass (a
//! Zipf law over a fixed ranking whose top holds the largest real traders) and a
//! random position; product `k` has a ubiquity `u_k`; the flow (i, j, k) exists with
//! probability `min(1, C · m_i^0.5 · m_j^0.4 · (1 + d_ij/1000 km)^-0.8 · u_k)`, `C`
//! calibrated to the target rows; its value is lognormal around
//! `m_i · m_j / distance` (thousands of USD, 3 decimals, as BACI), its quantity in
//! tonnes is empty for one row in ten. Rows are sorted by exporter, importer and
//! product codes, as BACI's are.
//!
//! Writes `BACI_HS17_Y<year>_SYNTHETIC_WORLD.csv` for each year and
//! `SYNTHETIC_WORLD_SUMMARY.txt` (rows per year, the largest exporter by value and
//! a small one, for the benchmarks' brief timings).

use entrepot_core::CountryRegistry;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const HS17: &str = include_str!("../../entrepot-core/data/hs2017_hs6.csv");

/// The largest traders first (their masses lead the Zipf law); the other countries
/// follow in a seeded random order.
const TOP: [&str; 24] = [
    "CHN", "USA", "DEU", "NLD", "JPN", "FRA", "KOR", "ITA", "GBR", "BEL", "HKG", "MEX", "CAN",
    "SGP", "IND", "CHE", "ESP", "TWN", "RUS", "POL", "VNM", "AUS", "BRA", "THA",
];

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

struct Country {
    code: u16,
    iso3: String,
    mass: f64,
    lat: f64,
    lon: f64,
}

struct Args {
    out: PathBuf,
    countries: Option<PathBuf>,
    rows_per_year: f64,
    years: Vec<i32>,
    seed: u64,
}

fn parse_args() -> Result<Args, Box<dyn std::error::Error>> {
    let mut it = std::env::args().skip(1);
    let mut args = Args {
        out: PathBuf::new(),
        countries: None,
        rows_per_year: 11e6,
        years: vec![2021, 2022],
        seed: 20_260_101,
    };
    let mut out = None;
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--countries" => args.countries = Some(PathBuf::from(value()?)),
            "--rows-per-year" => args.rows_per_year = value()?.parse()?,
            "--years" => {
                args.years = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--seed" => args.seed = value()?.parse()?,
            _ if out.is_none() && !a.starts_with("--") => out = Some(PathBuf::from(&a)),
            _ => return Err(format!("unexpected argument {a}").into()),
        }
    }
    args.out = out.ok_or(
        "usage: world_baci OUT_DIR [--countries FILE] [--rows-per-year N] [--years Y,Y] [--seed S]",
    )?;
    Ok(args)
}

/// (BACI numeric code, ISO3) of every country to generate, by code.
fn country_codes(table: Option<&Path>) -> Result<Vec<(u16, String)>, Box<dyn std::error::Error>> {
    let registry = CountryRegistry::builtin();
    let mut candidates: Vec<u16> = Vec::new();
    match table {
        Some(p) => {
            let mut r = csv::ReaderBuilder::new().from_path(p)?;
            for rec in r.byte_records() {
                let rec = rec?;
                let code = std::str::from_utf8(rec.get(0).unwrap_or_default())?.trim();
                candidates.push(code.parse()?);
            }
        }
        None => candidates.extend(
            registry
                .all()
                .iter()
                .filter(|c| c.kind == entrepot_core::CountryKind::Country)
                .map(|c| c.m49),
        ),
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for code in candidates {
        // As the BACI reader without a table: the registry's entry for the code.
        if let Some(c) = registry.get(&code.to_string()) {
            if seen.insert(c.iso3.clone()) {
                out.push((code, c.iso3.clone()));
            }
        }
    }
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    std::fs::create_dir_all(&args.out)?;
    let mut rng = Rng::new(args.seed);

    // Countries: masses from a ranking (the top traders first), random positions.
    let codes = country_codes(args.countries.as_deref())?;
    let mut rest: Vec<usize> = (0..codes.len())
        .filter(|&i| !TOP.contains(&codes[i].1.as_str()))
        .collect();
    for i in (1..rest.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        rest.swap(i, j);
    }
    let mut rank = vec![0usize; codes.len()];
    let mut r = 0;
    for t in TOP {
        if let Some(i) = codes.iter().position(|c| c.1 == t) {
            rank[i] = r;
            r += 1;
        }
    }
    for i in rest {
        rank[i] = r;
        r += 1;
    }
    let countries: Vec<Country> = codes
        .iter()
        .zip(&rank)
        .map(|((code, iso3), &rank)| Country {
            code: *code,
            iso3: iso3.clone(),
            mass: (rank as f64 + 1.0).powf(-1.1),
            lat: (rng.uniform() * 2.0 - 1.0).asin(),
            lon: rng.uniform() * std::f64::consts::TAU,
        })
        .collect();
    let n = countries.len();

    // Products and their ubiquity.
    let products: Vec<&str> = HS17
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .filter(|c| c.len() == 6)
        .collect();
    let ubiquity: Vec<f64> = products.iter().map(|_| rng.uniform().powi(2)).collect();

    // Pair weights and distances (km on a sphere of the Earth's radius).
    let mut weight = vec![0.0f64; n * n];
    let mut dist = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let (a, b) = (&countries[i], &countries[j]);
            let cos = a.lat.sin() * b.lat.sin() + a.lat.cos() * b.lat.cos() * (a.lon - b.lon).cos();
            let d = 6371.0 * cos.clamp(-1.0, 1.0).acos();
            dist[i * n + j] = d;
            weight[i * n + j] = a.mass.powf(0.5) * b.mass.powf(0.4) * (1.0 + d / 1000.0).powf(-0.8);
        }
    }
    let c = calibrate(&weight, &ubiquity, args.rows_per_year);

    let mut summary = String::new();
    summary.push_str("SYNTHETIC world-shaped BACI (random data, not trade statistics)\n");
    summary.push_str(&format!(
        "countries={n} products={} target_rows_per_year={} seed={}\n",
        products.len(),
        args.rows_per_year,
        args.seed
    ));
    for &year in &args.years {
        let path = args
            .out
            .join(format!("BACI_HS17_Y{year}_SYNTHETIC_WORLD.csv"));
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
        w.write_all(b"t,i,j,k,v,q\n")?;
        let mut rng = Rng::new(args.seed ^ (year as u64).wrapping_mul(0x0100_0000_01B3));
        let mut rows = 0u64;
        let mut exported: BTreeMap<usize, (f64, u64)> = BTreeMap::new();
        let mut line = Vec::with_capacity(64);
        let year_text = year.to_string();
        let code_text: Vec<String> = countries.iter().map(|c| c.code.to_string()).collect();
        for i in 0..n {
            for j in 0..n {
                let wij = weight[i * n + j];
                if wij == 0.0 {
                    continue;
                }
                let scale =
                    countries[i].mass * countries[j].mass * 2e6 / (1.0 + dist[i * n + j] / 1000.0);
                for (k, u) in ubiquity.iter().enumerate() {
                    if rng.uniform() >= (c * wij * u).min(1.0) {
                        continue;
                    }
                    let v = (scale * u * (1.5 * rng.normal()).exp()).max(0.001);
                    line.clear();
                    line.extend_from_slice(year_text.as_bytes());
                    line.push(b',');
                    line.extend_from_slice(code_text[i].as_bytes());
                    line.push(b',');
                    line.extend_from_slice(code_text[j].as_bytes());
                    line.push(b',');
                    line.extend_from_slice(products[k].as_bytes());
                    line.push(b',');
                    push_thousandths(&mut line, v);
                    line.push(b',');
                    if !rng.next().is_multiple_of(10) {
                        push_thousandths(&mut line, v / (0.5 + 20.0 * rng.uniform()));
                    }
                    line.push(b'\n');
                    w.write_all(&line)?;
                    rows += 1;
                    let e = exported.entry(i).or_default();
                    e.0 += v;
                    e.1 += 1;
                }
            }
        }
        w.flush()?;
        let mut by_value: Vec<(usize, f64, u64)> =
            exported.iter().map(|(&i, &(v, r))| (i, v, r)).collect();
        by_value.sort_by(|a, b| b.1.total_cmp(&a.1));
        let largest = by_value.first().ok_or("no rows generated")?;
        // A small exporter: the median by rows among those exporting.
        let mut by_rows = by_value.clone();
        by_rows.sort_by_key(|e| (e.2, countries[e.0].code));
        let small = by_rows[by_rows.len() / 2];
        let line = format!(
            "year={year} file={} rows={rows} exporters={} largest_exporter={} \
             largest_exporter_rows={} small_exporter={} small_exporter_rows={}\n",
            path.display(),
            exported.len(),
            countries[largest.0].iso3,
            largest.2,
            countries[small.0].iso3,
            small.2,
        );
        print!("{line}");
        summary.push_str(&line);
    }
    std::fs::write(args.out.join("SYNTHETIC_WORLD_SUMMARY.txt"), summary)?;
    Ok(())
}

/// The `C` for which the expected number of rows a year, `Σ min(1, C · w_ij · u_k)`,
/// is `target` (bisection on a log scale).
fn calibrate(weight: &[f64], ubiquity: &[f64], target: f64) -> f64 {
    let mut u = ubiquity.to_vec();
    u.sort_by(f64::total_cmp);
    // suffix count and prefix sums: Σ_k min(1, a·u_k) = a·Σ_{u_k < 1/a} u_k + #{u_k ≥ 1/a}
    let mut prefix = vec![0.0; u.len() + 1];
    for (i, x) in u.iter().enumerate() {
        prefix[i + 1] = prefix[i] + x;
    }
    let expected = |c: f64| -> f64 {
        weight
            .iter()
            .filter(|w| **w > 0.0)
            .map(|w| {
                let a = c * w;
                let cut = u.partition_point(|x| a * x < 1.0);
                a * prefix[cut] + (u.len() - cut) as f64
            })
            .sum()
    };
    let (mut lo, mut hi) = (1e-6f64, 1e9f64);
    for _ in 0..100 {
        let mid = (lo * hi).sqrt();
        if expected(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo * hi).sqrt()
}

/// Appends `v` rounded to thousandths, with exactly three decimals.
fn push_thousandths(out: &mut Vec<u8>, v: f64) {
    let t = (v * 1000.0).round() as u64;
    out.extend_from_slice((t / 1000).to_string().as_bytes());
    let frac = t % 1000;
    out.push(b'.');
    out.push(b'0' + (frac / 100) as u8);
    out.push(b'0' + (frac / 10 % 10) as u8);
    out.push(b'0' + (frac % 10) as u8);
}
