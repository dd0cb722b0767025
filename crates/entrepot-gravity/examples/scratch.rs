use entrepot_gravity::*;
fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let data = Dataset::from_csv_path(&args[1])?;
    let mut spec = ModelSpec::parse(&args[2])?;
    let mut opts = FitOptions::default();
    for a in &args[3..] {
        if let Some(c) = a.strip_prefix("cluster=") {
            spec = spec.with_cluster(c)?;
        } else if let Some(f) = a.strip_prefix("filter=") {
            spec = spec.with_filter(f)?;
        } else if a == "noir" {
            opts.separation_ir = false;
        } else if let Some(t) = a.strip_prefix("dtol=") {
            opts.demean_tol = t.parse().unwrap();
        } else if a == "ols" {
            opts.estimator = Estimator::Ols;
        } else if a == "hetero" {
            opts.vcov = Some(VcovKind::Hetero);
        } else if a == "iid" {
            opts.vcov = Some(VcovKind::Iid);
        } else if a == "nossc" {
            opts.small_sample = SmallSample::none();
        } else if a == "stata" {
            opts.small_sample = SmallSample::stata();
        } else if let Some(t) = a.strip_prefix("tol=") {
            opts.tol = t.parse().unwrap();
            opts.demean_tol = opts.tol;
        }
    }
    let t = std::time::Instant::now();
    let e = fit(&data, &spec, &opts)?;
    println!("{}", e.table().to_text());
    for (n, (b, s)) in e.names.iter().zip(e.coef.iter().zip(&e.se)) {
        println!("{n}: {b:.10} ({s:.10})");
    }
    println!("factor {} time {:?}", e.small_sample_factor, t.elapsed());
    Ok(())
}
