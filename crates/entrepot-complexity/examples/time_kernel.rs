//! Times [`entrepot_complexity::complexity`] on a long CSV (`country,product,year,value`,
//! as `bench/complexity/gen_matrix.py` writes it): a development aid, not a benchmark
//! of record (that is `bench/complexity/ecomplexity.sh`).
//!
//! `cargo run --profile bench-fast -p entrepot-complexity --example time_kernel -- FILE [REPEATS]`

use entrepot_complexity::{complexity, ExportMatrix, Options};
use std::collections::BTreeMap;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: time_kernel FILE [REPEATS]")?;
    let repeats: usize = args.next().map_or(Ok(5), |r| r.parse())?;
    let text = std::fs::read_to_string(&path)?;
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 4 {
            return Err(format!("{path}: short line {line:?}").into());
        }
        rows.push((f[0].to_string(), f[1].to_string(), f[3].parse::<f64>()?));
    }
    let index = |k: &mut BTreeMap<String, usize>, s: &str| {
        let n = k.len();
        *k.entry(s.to_string()).or_insert(n)
    };
    let (mut cs, mut ps) = (BTreeMap::new(), BTreeMap::new());
    let cells: Vec<(usize, usize, f64)> = rows
        .iter()
        .map(|(c, p, v)| (index(&mut cs, c), index(&mut ps, p), *v))
        .collect();
    let m = ExportMatrix::from_triplets(cs.len(), ps.len(), cells)?;
    for _ in 0..repeats {
        let t = Instant::now();
        let r = complexity(&m, &Options::default())?;
        let present = r.presence.iter().filter(|&&v| v == 1).count();
        println!(
            "{} x {}: {:.1} ms (presence {:.1}%, eci[0] {:.9}, cog sum {:.9})",
            r.n_countries(),
            r.n_products(),
            t.elapsed().as_secs_f64() * 1e3,
            100.0 * present as f64 / r.presence.len() as f64,
            r.eci[0],
            r.cog.iter().sum::<f64>(),
        );
    }
    Ok(())
}
