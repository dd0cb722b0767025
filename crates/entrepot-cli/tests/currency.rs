//! Values in another currency: never stored or shown as US dollars. A currency column
//! must be mapped; values not in US dollars are converted with the user's exchange-rate
//! table (the average of their own month or year), named in the dataset and the brief,
//! and refused without a rate.

mod common;
use common::*;

const YEN: &str = "reporter,partner,period,flow,value,currency
JPN,CHN,2019-01,export,1089700000000,JPY
JPN,CHN,2019-02,export,1100000000000,JPY
JPN,USA,2019-01,export,10000000000,USD
";

const FX: &str = "currency,period,per_usd,source
JPY,2019-01,108.97,Bank of Japan monthly average (test fixture)
JPY,2019-02,110.00,Bank of Japan monthly average (test fixture)
JPY,2019,109.01,IMF IFS rf (test fixture)
";

const MAP: &str = "reporter=reporter,partner=partner,period=period,flow=flow,value=value";

#[test]
fn an_unmapped_currency_column_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("yen.csv");
    std::fs::write(&file, YEN).expect("write");
    let o = run(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "jp",
            "--map",
            MAP,
        ],
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("currency column 'currency' that the mapping does not use"),
        "{e}"
    );
    assert!(!store.join("manifest.json").exists(), "nothing stored");
}

#[test]
fn values_in_yen_without_rates_are_refused_with_the_way_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("yen.csv");
    std::fs::write(&file, YEN).expect("write");
    let map = format!("{MAP},currency=currency");
    let o = run(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "jp",
            "--map",
            &map,
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("values in JPY"), "{e}");
    assert!(e.contains("--fx FILE"), "{e}");
    assert!(e.contains("yen.csv:2:"), "{e}");
}

#[test]
fn yen_converted_with_monthly_rates_and_named_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("yen.csv");
    let fx = dir.path().join("fx.csv");
    std::fs::write(&file, YEN).expect("write");
    std::fs::write(&fx, FX).expect("write");
    let map = format!("{MAP},currency=currency");
    let args = [
        "ingest",
        file.to_str().expect("path"),
        "--dataset",
        "jp",
        "--map",
        &map,
        "--fx",
        fx.to_str().expect("path"),
    ];
    let o = run(&store, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &store,
        &[
            "--format",
            "csv",
            "sql",
            "SELECT partner, period, value_usd FROM jp ORDER BY period, partner",
        ],
    );
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{out}");
    // 1,089.7bn yen at 108.97 per dollar = 10.0bn dollars; the dollar row as it was
    let v = |line: &str| -> f64 {
        line.rsplit(',')
            .next()
            .expect("value")
            .parse()
            .expect("number")
    };
    assert!(rows[0].starts_with("CHN,2019-01"), "{out}");
    assert!(
        (v(rows[0]) - 1_089_700_000_000.0 / 108.97).abs() < 1e-3,
        "{out}"
    );
    assert!(
        rows[1].starts_with("USA,2019-01") && (v(rows[1]) - 1e10).abs() < 1e-6,
        "{out}"
    );
    assert!((v(rows[2]) - 1.0e10).abs() < 1e-3, "{out}");
    // the dataset and the brief name the rates
    let d = stdout(&run(&store, &["datasets", "jp"]));
    assert!(d.contains("with exchange rates"), "{d}");
    assert!(d.contains("IMF IFS rf (test fixture)"), "{d}");
    let b = stdout(&run(&store, &["brief", "JPN", "--period", "2019-02"]));
    let words = b.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("values converted to US dollars with the exchange rates"),
        "{b}"
    );
}

#[test]
fn a_month_without_its_rate_is_refused_naming_the_period() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("yen.csv");
    let fx = dir.path().join("fx.csv");
    std::fs::write(&file, YEN).expect("write");
    // only the annual average: it never stands in for a month
    std::fs::write(
        &fx,
        "currency,period,per_usd,source\nJPY,2019,109.01,IMF IFS rf (test fixture)\n",
    )
    .expect("write");
    let map = format!("{MAP},currency=currency");
    let o = run(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "jp",
            "--map",
            &map,
            "--fx",
            fx.to_str().expect("path"),
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("no JPY rate for 2019-01"), "{e}");
    assert!(e.contains("monthly average"), "{e}");
    // --fx without a currency in the mapping is a usage error
    let o = run(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "jp",
            "--map",
            MAP,
            "--fx",
            fx.to_str().expect("path"),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--fx needs the currency"),
        "{}",
        stderr(&o)
    );
}
