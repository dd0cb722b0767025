//! `entrepot exposure` on a firm's sales file built by hand and a BACI-like store (each
//! flow once, on the exporter's side) holding the destinations' imports, so that every
//! figure can be computed by hand.
//!
//! The firm sells from Germany (millions of US dollars):
//!
//! | destination | product | 2021 | 2022 |
//! |---|---|---|---|
//! | FRA | 870321 | 60 | 50 |
//! | FRA | 850440 | – | 20 |
//! | USA | 870321 | 30 | 90 |
//! | USA | 850440 | – | 15 |
//! | CHN | 850440 | 10 | 25 |
//!
//! 2021: 100 in all, shares 0.6, 0.3, 0.1, HHI 0.46; 2022: 200, shares 0.35, 0.525,
//! 0.125, HHI 0.41375. Growth +100%: FRA +10 pp, USA +75 pp, CHN +15 pp.
//!
//! The destinations' imports (every exporter's exports to them, millions):
//! FRA 870321: 600 (2021), 500 (2022); FRA 850440: 80 (2022); USA 870321: 600, 900;
//! USA 850440: 150 (2022); CHN 850440: 250 (2022), CHN 870321: 100 (2022); nothing
//! into CHN in 2021. FRA also imports 1000 of 300490 in 2022, which the firm does not
//! sell. Every importer also exports, so the dataset covers world trade.

mod common;
use common::*;
use serde_json::Value;

const SALES: &str = "country,year,hs,sales
FRA,2021,870321,60000000
FRA,2022,870321,50000000
FRA,2022,850440,20000000
USA,2021,870321,30000000
USA,2022,870321,90000000
USA,2022,850440,15000000
CHN,2021,850440,10000000
CHN,2022,850440,25000000
";

const MAP: &str = "partner=country,year=year,product=hs,value=sales,hs_revision=HS2017";

/// (exporter, importer, year, product, value in millions). Every importer reports
/// exports too, so that the dataset covers world trade (its reporters' trade is with one
/// another), as BACI does.
const FLOWS: [(&str, &str, i32, &str, f64); 16] = [
    ("DEU", "FRA", 2021, "870321", 400.0),
    ("JPN", "FRA", 2021, "870321", 200.0),
    ("DEU", "USA", 2021, "870321", 100.0),
    ("JPN", "USA", 2021, "870321", 500.0),
    ("DEU", "FRA", 2022, "870321", 300.0),
    ("JPN", "FRA", 2022, "870321", 200.0),
    ("KOR", "FRA", 2022, "850440", 80.0),
    ("JPN", "FRA", 2022, "300490", 1000.0),
    ("JPN", "USA", 2022, "870321", 900.0),
    ("CHN", "USA", 2022, "850440", 150.0),
    ("KOR", "CHN", 2022, "850440", 250.0),
    ("JPN", "CHN", 2022, "870321", 100.0),
    ("USA", "JPN", 2021, "870321", 7.0),
    ("USA", "JPN", 2022, "870321", 7.0),
    ("FRA", "DEU", 2021, "870321", 50.0),
    ("FRA", "DEU", 2022, "870321", 50.0),
];

struct Fixture {
    _dir: tempfile::TempDir,
    store: std::path::PathBuf,
    sales: std::path::PathBuf,
    dir: std::path::PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let flows = dir.path().join("flows.csv");
    let mut csv = String::from("reporter,partner,period,flow,product,value\n");
    for (r, p, y, k, v) in FLOWS {
        csv.push_str(&format!("{r},{p},{y},export,{k},{}\n", v * 1e6));
    }
    std::fs::write(&flows, csv).expect("write");
    ok(
        &store,
        &[
            "ingest",
            flows.to_str().expect("path"),
            "--dataset",
            "baci",
            "--map",
            "reporter=reporter,partner=partner,period=period,flow=flow,product=product,value=value,hs_revision=HS2017",
        ],
    );
    let sales = dir.path().join("sales.csv");
    std::fs::write(&sales, SALES).expect("write");
    Fixture {
        store,
        sales,
        dir: dir.path().to_path_buf(),
        _dir: dir,
    }
}

/// The rows of a table of the JSON document (body, then footer).
fn table(doc: &Value, id: &str) -> Vec<DocRow> {
    doc_table(doc, id).all()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

fn exposure(f: &Fixture, extra: &[&str]) -> Value {
    let mut args = vec![
        "exposure",
        f.sales.to_str().expect("path"),
        "--firm-country",
        "DEU",
        "--map",
        MAP,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = ok(&f.store, &args);
    serde_json::from_str(&out).expect("json")
}

/// The market-share row of a destination (and product) in a year.
fn market<'a>(rows: &'a [DocRow], dest: &str, product: Option<&str>, year: &str) -> &'a DocRow {
    rows.iter()
        .find(|r| {
            text(&r["destination"]) == dest
                && text(&r["year"]) == year
                && product.is_none_or(|p| text(&r["product"]) == p)
        })
        .unwrap_or_else(|| panic!("no row {dest} {product:?} {year}"))
}

#[test]
fn concentration_growth_market_shares_and_one_market_products_by_hand() {
    let f = fixture();
    let doc = exposure(&f, &[]);
    assert_eq!(doc["kind"], "exposure");
    assert_eq!(doc["currency"], "USD");
    let indices = table(&doc, "indices");
    assert_eq!(indices.len(), 2);
    let (y21, y22) = (&indices[0], &indices[1]);
    assert_eq!(text(&y21["year"]), "2021");
    assert!(close(number(&y21["sales"]), 100.0), "millions");
    assert_eq!(y21["sales"]["unit"]["scale"], "millions");
    assert_eq!(number(&y21["destinations"]), 3.0);
    assert!(close(number(&y21["hhi"]), 0.46));
    assert!(close(number(&y21["effective_number"]), 1.0 / 0.46));
    let entropy = -(0.6f64 * 0.6f64.ln() + 0.3 * 0.3f64.ln() + 0.1 * 0.1f64.ln());
    assert!(close(number(&y21["entropy"]), entropy));
    assert!(close(number(&y21["top1_share"]), 60.0));
    assert!(close(number(&y21["top3_share"]), 100.0));
    assert_eq!(text(&y21["largest"]), "FRA");
    assert!(close(number(&y22["sales"]), 200.0));
    assert!(close(number(&y22["hhi"]), 0.41375));
    assert!(close(number(&y22["effective_number"]), 1.0 / 0.41375));
    assert!(close(number(&y22["top1_share"]), 52.5));
    assert_eq!(text(&y22["largest"]), "USA");
    // across products: 2022 is 140 of 870321 and 60 of 850440
    let p = (140.0f64 / 200.0).powi(2) + (60.0f64 / 200.0).powi(2);
    assert!(close(number(&y22["hhi_products"]), p));
    assert_eq!(number(&y22["products"]), 2.0);

    // growth: +100%, FRA +10 pp, USA +75 pp, CHN +15 pp, adding up to the growth
    let growth = table(&doc, "growth");
    let pp = |d: &str| {
        number(
            &growth
                .iter()
                .find(|r| text(&r["destination"]) == d)
                .unwrap_or_else(|| panic!("{d}"))["contribution_pp"],
        )
    };
    assert!(close(pp("FRA"), 10.0));
    assert!(close(pp("USA"), 75.0));
    assert!(close(pp("CHN"), 15.0));
    assert!(close(pp("Total"), 100.0));
    assert!(close(pp("FRA") + pp("USA") + pp("CHN"), pp("Total")));
    assert_eq!(text(&growth[0]["destination"]), "USA", "largest first");

    // market shares per destination (all the firm's products) and per product
    let m = table(&doc, "markets");
    let share = |d: &str, y: &str| number(&market(&m, d, None, y)["market_share"]);
    assert!(close(share("FRA", "2021"), 10.0), "60 of 600");
    assert!(close(share("USA", "2021"), 5.0), "30 of 600");
    assert!(
        close(share("FRA", "2022"), 7000.0 / 580.0),
        "70 of 500 + 80"
    );
    assert!(close(share("USA", "2022"), 10.0), "105 of 900 + 150");
    assert!(
        close(share("CHN", "2022"), 2500.0 / 350.0),
        "25 of 250 + 100"
    );
    // the imports in their own scale: billions beside the firm's millions
    let fra = &market(&m, "FRA", None, "2022")["imports"];
    assert!(close(number(fra), 0.58), "{fra}");
    assert_eq!(fra["unit"]["scale"], "billions");
    assert_eq!(text(&market(&m, "FRA", None, "2022")["side"]), "mirror");
    let chn = market(&m, "CHN", None, "2021");
    assert!(
        missing_reason(&chn["market_share"]).contains("holds no imports of CHN in 2021"),
        "{chn:?}"
    );
    assert!(missing_reason(&chn["imports"]).contains("holds no imports of CHN in 2021"));
    // the shares of the firm's sales add up to 100% each year
    for y in ["2021", "2022"] {
        let sum: f64 = m
            .iter()
            .filter(|r| text(&r["year"]) == y)
            .map(|r| number(&r["share_of_sales"]))
            .sum();
        assert!(close(sum, 100.0), "{y}: {sum}");
    }
    let mp = table(&doc, "market-products");
    let pshare = |d: &str, k: &str, y: &str| number(&market(&mp, d, Some(k), y)["market_share"]);
    assert!(close(pshare("FRA", "870321", "2022"), 10.0), "50 of 500");
    assert!(close(pshare("FRA", "850440", "2022"), 25.0), "20 of 80");
    assert!(close(pshare("USA", "850440", "2022"), 10.0), "15 of 150");
    assert!(close(pshare("CHN", "850440", "2022"), 10.0), "25 of 250");

    // one-market products in 2022: 870321 (USA 90 of 140); not 850440 (CHN 25 of 60)
    let one = table(&doc, "one-market");
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!(text(&one[0]["product"]), "870321");
    assert_eq!(text(&one[0]["largest"]), "USA");
    assert!(close(number(&one[0]["largest_share"]), 900.0 / 14.0));
    // a lower threshold lists 850440 as well, by sales
    let doc = exposure(&f, &["--threshold", "0.4"]);
    let one = table(&doc, "one-market");
    let got: Vec<&str> = one.iter().map(|r| text(&r["product"])).collect();
    assert_eq!(got, ["870321", "850440"]);
    assert!(close(number(&one[1]["largest_share"]), 2500.0 / 60.0));

    // the method names its formulas and references
    let methods = doc["methods"].to_string();
    assert!(methods.contains("import_share"), "{methods}");
    let all = doc.to_string();
    for r in [
        "Herfindahl 1950",
        "Adelman 1969",
        "Shannon 1948",
        "Hirschman 1945",
    ] {
        assert!(all.contains(r), "{r}");
    }
}

#[test]
fn the_terminal_report_csv_and_files_render() {
    let f = fixture();
    let sales = f.sales.to_str().expect("path");
    let base = ["exposure", sales, "--firm-country", "DEU", "--map", MAP];
    let text = ok(&f.store, &base);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("2022: sales of 200.00m (USD m) to 3 destinations"),
        "{text}"
    );
    assert!(
        words.contains(
            "From 2021 to 2022 sales changed by +100.0%; USA contributed most (+75.00 pp)"
        ),
        "{text}"
    );
    assert!(
        words.contains("1 of 2 products sold more than 50%"),
        "{text}"
    );
    let mut args = base.to_vec();
    args.extend(["--format", "csv"]);
    let csv = ok(&f.store, &args);
    let header = csv.lines().next().expect("header");
    assert!(header.contains(",year,sales,destinations,hhi,"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let html = f.dir.join("exposure.html");
    let mut args = base.to_vec();
    args.extend(["--html", html.to_str().expect("path")]);
    ok(&f.store, &args);
    let h = std::fs::read_to_string(&html).expect("html");
    assert!(h.contains("<svg"), "charts");
}

#[test]
fn sales_in_euros_without_rates_have_no_market_shares_with_the_reason() {
    let f = fixture();
    let map = format!("{MAP},currency=EUR");
    let doc = exposure_with_map(&f, &map, &[]);
    assert_eq!(doc["currency"], "EUR");
    let indices = table(&doc, "indices");
    assert_eq!(indices[0]["sales"]["unit"]["currency"], "EUR");
    assert!(
        close(number(&indices[0]["hhi"]), 0.46),
        "concentration still holds"
    );
    let m = table(&doc, "markets");
    for r in &m {
        let why = missing_reason(&r["market_share"]);
        assert!(
            why.contains("the sales are in EUR and dataset 'baci' in USD"),
            "{why}"
        );
        assert!(why.contains("--fx"), "{why}");
    }
    // converted with a table of rates, the shares are there (1 USD = 0.5 EUR: doubled)
    let fx = f.dir.join("fx.csv");
    std::fs::write(
        &fx,
        "currency,period,per_usd,source\nEUR,2021,0.5,test fixture\nEUR,2022,0.5,test fixture\n",
    )
    .expect("write");
    let doc = exposure_with_map(&f, &map, &["--fx", fx.to_str().expect("path")]);
    assert_eq!(doc["currency"], "USD");
    let m = table(&doc, "markets");
    assert!(close(
        number(&market(&m, "FRA", None, "2021")["market_share"]),
        20.0
    ));
}

fn exposure_with_map(f: &Fixture, map: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "exposure",
        f.sales.to_str().expect("path"),
        "--firm-country",
        "DEU",
        "--map",
        map,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(&f.store, &args)).expect("json")
}

#[test]
fn domestic_sales_world_rows_and_a_missing_store() {
    let f = fixture();
    let file = f.dir.join("home.csv");
    std::fs::write(
        &file,
        "dest,year,v\nDEU,2022,50\nFRA,2022,30\nUSA,2022,20\nWLD,2022,99\n",
    )
    .expect("write");
    let o = ok(
        &f.store,
        &[
            "exposure",
            file.to_str().expect("path"),
            "--firm-country",
            "DEU",
            "--map",
            "partner=dest,period=year,value=v",
            "--format",
            "json",
        ],
    );
    let doc: Value = serde_json::from_str(&o).expect("json");
    let indices = table(&doc, "indices");
    assert!(close(number(&indices[0]["sales"]), 100.0), "WLD left out");
    assert!(close(number(&indices[0]["hhi"]), 0.25 + 0.09 + 0.04));
    let m = table(&doc, "markets");
    let home = market(&m, "DEU", None, "2022");
    assert!(missing_reason(&home["market_share"]).contains("own country"));
    // no products: the share of all of FRA's imports (500 + 80 + 1000 in 2022)
    assert!(close(
        number(&market(&m, "FRA", None, "2022")["market_share"]),
        30.0 / 1580e6 * 100.0
    ));
    let growth = doc.to_string();
    assert!(growth.contains("the file holds one year (2022): no growth"));
    assert!(growth.contains("1 row(s) to the world (WLD)"));
    let o = run(
        &f.dir.join("no-such-store"),
        &[
            "exposure",
            file.to_str().expect("path"),
            "--firm-country",
            "DEU",
            "--map",
            "partner=dest,period=year,value=v",
        ],
    );
    assert_eq!(o.status.code(), Some(4), "a named store must exist");
}

#[test]
fn an_extract_of_a_few_exporters_gives_no_market_shares() {
    // Japan's exports alone: their sums into FRA and USA are not those countries'
    // imports.
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let flows = dir.path().join("jpn.csv");
    std::fs::write(
        &flows,
        "reporter,partner,period,flow,product,value\nJPN,FRA,2021,export,870321,200000000\nJPN,USA,2021,export,870321,500000000\n",
    )
    .expect("write");
    ok(
        &store,
        &[
            "ingest",
            flows.to_str().expect("path"),
            "--dataset",
            "jpn",
            "--map",
            "reporter=reporter,partner=partner,period=period,flow=flow,product=product,value=value,hs_revision=HS2017",
        ],
    );
    let sales = dir.path().join("sales.csv");
    std::fs::write(&sales, "country,year,hs,sales\nFRA,2021,870321,60000000\n").expect("write");
    let out = ok(
        &store,
        &[
            "exposure",
            sales.to_str().expect("path"),
            "--firm-country",
            "DEU",
            "--map",
            MAP,
            "--format",
            "json",
        ],
    );
    let doc: Value = serde_json::from_str(&out).expect("json");
    let m = table(&doc, "markets");
    let why = missing_reason(&m[0]["market_share"]);
    assert!(why.contains("do not cover world trade"), "{why}");
    assert!(why.contains("1 reporter"), "{why}");
    assert!(doc.to_string().contains("Coverage of world trade by year"));
}

#[test]
fn months_of_a_year_give_concentration_but_no_market_shares() {
    let f = fixture();
    let file = f.dir.join("monthly.csv");
    let run_on = |content: &str| -> Value {
        std::fs::write(&file, content).expect("write");
        let out = ok(
            &f.store,
            &[
                "exposure",
                file.to_str().expect("path"),
                "--firm-country",
                "DEU",
                "--map",
                "partner=country,period=period,product=hs,value=sales,hs_revision=HS2017",
                "--format",
                "json",
            ],
        );
        serde_json::from_str(&out).expect("json")
    };
    // January to March of both years: growth over the same months, no market shares
    let doc = run_on(
        "country,period,hs,sales\nFRA,2021-01,870321,10\nFRA,2021-02,870321,10\nUSA,2021-03,870321,5\nFRA,2022-01,870321,12\nUSA,2022-02,870321,9\nUSA,2022-03,870321,9\n",
    );
    let indices = table(&doc, "indices");
    assert_eq!(number(&indices[0]["months"]), 3.0);
    assert!(close(number(&indices[0]["hhi"]), 0.8 * 0.8 + 0.2 * 0.2));
    let growth = table(&doc, "growth");
    let total = growth.last().expect("total");
    assert!(close(number(&total["contribution_pp"]), 20.0));
    let m = table(&doc, "markets");
    assert!(missing_reason(&m[0]["market_share"]).contains("holds 3 months of 2021"));
    // different months: no growth, with the reason
    let doc = run_on("country,period,hs,sales\nFRA,2021-01,870321,10\nFRA,2022-02,870321,12\n");
    assert!(doc
        .to_string()
        .contains("the file holds months 1 of 2021 and months 2 of 2022"));
}

#[test]
fn bad_input_says_file_line_and_field() {
    let f = fixture();
    let bad = f.dir.join("bad.csv");
    let run_on = |content: &str, extra: &[&str]| {
        std::fs::write(&bad, content).expect("write");
        let mut args = vec![
            "exposure",
            bad.to_str().expect("path"),
            "--firm-country",
            "DEU",
            "--map",
            MAP,
        ];
        args.extend_from_slice(extra);
        run(&f.store, &args)
    };
    // a value that is not a number: file, line and column
    let o = run_on(
        "country,year,hs,sales\nFRA,2021,870321,60\nUSA,2021,870321,thirty\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("bad.csv:3"), "{e}");
    assert!(e.contains("'sales'"), "{e}");
    assert!(
        !e.contains("store unchanged"),
        "the store is not involved: {e}"
    );
    // an unknown destination code
    let o = run_on("country,year,hs,sales\nXYZ,2021,870321,60\n", &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("bad.csv:2") && e.contains("XYZ"), "{e}");
    // the same destination, product and year twice
    let o = run_on(
        "country,year,hs,sales\nFRA,2021,870321,60\nFRA,2021,870321,60\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(3));
    let e = stderr(&o);
    assert!(e.contains("bad.csv:3") && e.contains("duplicate"), "{e}");
    // a heading beside one of its subheadings
    let o = run_on(
        "country,year,hs,sales\nFRA,2021,8703,60\nUSA,2021,870321,60\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("lies within product 8703"),
        "{}",
        stderr(&o)
    );
    // bad requests
    let good = "country,year,hs,sales\nFRA,2021,870321,60\n";
    let o = run_on(good, &["--threshold", "1.5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run_on(good, &["--dataset", "nope"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = run(
        &f.store,
        &["exposure", bad.to_str().expect("path"), "--map", MAP],
    );
    assert_eq!(o.status.code(), Some(2), "no firm country: {}", stderr(&o));
    assert!(stderr(&o).contains("--firm-country"), "{}", stderr(&o));
    let o = run(
        &f.store,
        &[
            "exposure",
            f.dir.join("missing.csv").to_str().expect("path"),
            "--firm-country",
            "DEU",
            "--map",
            MAP,
        ],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = run(
        &f.store,
        &[
            "exposure",
            bad.to_str().expect("path"),
            "--firm-country",
            "XXX",
            "--map",
            MAP,
        ],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
}
