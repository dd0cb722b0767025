//! Values in another currency: never stored or shown as US dollars. A currency column
//! must be mapped; values not in US dollars are converted with the user's exchange-rate
//! table (the average of their own month or year), named in the dataset and the brief;
//! without a table they are kept in their own currency (one per dataset), labelled as
//! such everywhere and never summed or compared with another currency.

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
fn two_currencies_in_one_file_without_rates_are_refused_with_the_way_out() {
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
    // the dollar row after the yen rows, by line and field
    assert!(e.contains("yen.csv:4:"), "{e}");
    assert!(
        e.contains("values in USD, but the earlier rows are in JPY"),
        "{e}"
    );
    assert!(e.contains("--fx FILE"), "{e}");
    assert!(!store.join("manifest.json").exists(), "nothing stored");
}

/// Two years of monthly exports and imports of Japan with China and the United States
/// in yen (as the Ministry of Finance publishes them, in billions here), 2019 growing
/// month by month over 2018.
fn yen_series() -> String {
    let mut s = String::from("reporter,partner,period,flow,value\n");
    for year in [2018, 2019] {
        for m in 1..=12 {
            for (partner, x, i) in [("CHN", 1_300.0, 1_600.0), ("USA", 1_250.0, 700.0)] {
                let grow = if year == 2019 {
                    1.0 + m as f64 / 100.0
                } else {
                    1.0
                };
                s.push_str(&format!(
                    "JPN,{partner},{year}-{m:02},export,{}\nJPN,{partner},{year}-{m:02},import,{}\n",
                    x * grow * 1e9,
                    i * grow * 1e9
                ));
            }
        }
    }
    s
}

#[test]
fn a_yen_file_without_rates_is_kept_in_yen_and_never_printed_as_dollars() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("mof.csv");
    std::fs::write(&file, yen_series()).expect("write");
    let map = format!("{MAP},currency=JPY");
    let o = run(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "mof",
            "--map",
            &map,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(said.contains("values kept in JPY"), "{said}");
    // the dataset says its currency; SQL names the column after it
    let d = stdout(&run(&store, &["--format", "csv", "datasets"]));
    let row = d.lines().find(|l| l.starts_with("mof,")).expect("row");
    assert!(row.contains(",JPY,"), "{d}");
    let o = run(
        &store,
        &[
            "--format",
            "csv",
            "sql",
            "SELECT SUM(value_jpy) AS jpy FROM mof WHERE period = '2018-01' AND flow = 'export'",
        ],
    );
    assert!(stdout(&o).contains("2550000000000"), "{}", stdout(&o));
    let o = run(
        &store,
        &[
            "--format",
            "csv",
            "sql",
            "SELECT COUNT(value_usd) AS usd, COUNT(value) AS any FROM flows",
        ],
    );
    assert!(stdout(&o).lines().nth(1) == Some("0,96"), "{}", stdout(&o));
    // the brief: every figure in yen, no dollar sign anywhere, in every format
    let b = run(&store, &["brief", "JPN", "--period", "2019-12"]);
    assert!(b.status.success(), "{}", stderr(&b));
    let text = stdout(&b);
    assert!(!text.contains('$') && !text.contains("USD"), "{text}");
    assert!(text.contains("JPY"), "{text}");
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("values in JPY as stored"), "{text}");
    // December 2019 exports: (1,300 + 1,250) × 1.12 = 2,856bn yen
    assert!(words.contains("2,856.00bn"), "{text}");
    let j = run(
        &store,
        &["brief", "JPN", "--period", "2019-12", "--format", "json"],
    );
    assert!(j.status.success(), "{}", stderr(&j));
    let v: serde_json::Value = serde_json::from_str(&stdout(&j)).expect("json");
    assert_eq!(v["currency"], "JPY");
    assert_eq!(v["schema_version"], "1.2");
    assert_eq!(
        v["headline"]["current"][0]["exports"]["level"]["unit"], "jpy_bn",
        "{v}"
    );
    let md = dir.path().join("b.md");
    let html = dir.path().join("b.html");
    let o = run(
        &store,
        &[
            "brief",
            "JPN",
            "--period",
            "2019-12",
            "--markdown",
            md.to_str().expect("path"),
            "--html",
            html.to_str().expect("path"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let json = stdout(&j);
    assert!(!json.contains("usd_bn") && !json.contains('$'), "{json}");
    for f in [&md, &html] {
        let t = std::fs::read_to_string(f).expect("report");
        assert!(!t.contains("USD") && !t.contains("US$"), "{t}");
        assert!(t.contains("Money in JPY"), "{t}");
    }
    // the annual brief from twelve months, in yen
    let y = stdout(&run(&store, &["brief", "JPN", "--period", "2019"]));
    assert!(!y.contains('$') && y.contains("JPY"), "{y}");
}

#[test]
fn sources_in_two_currencies_are_never_one_dataset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(
        &a,
        "reporter,partner,period,flow,value,currency\nJPN,CHN,2019,export,5,JPY\n",
    )
    .expect("write");
    std::fs::write(
        &b,
        "reporter,partner,period,flow,value,currency\nDEU,CHN,2019,export,5,EUR\n",
    )
    .expect("write");
    let map = format!("{MAP},currency=currency");
    let o = run(
        &store,
        &[
            "ingest",
            a.to_str().expect("path"),
            b.to_str().expect("path"),
            "--dataset",
            "two",
            "--map",
            &map,
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("holds values in EUR") && e.contains("values in JPY"),
        "{e}"
    );
    assert!(!store.join("manifest.json").exists(), "nothing stored");
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
