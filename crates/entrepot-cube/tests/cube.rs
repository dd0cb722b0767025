//! Flow cubes over a small store built in the test: values by hand, mirror filling,
//! the choice of stored rows, shares that sum to the total, and filters that give
//! what the same SQL gives through the query engine.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::Float64Type;
use entrepot_core::{Declarant, FlowKind, HsRevision, Period, ProductId, Quantity, QuantityUnit};
use entrepot_cube::{
    columns, CubeEngine, CubeError, CubePeriod, CubeRequest, Mirror, PeriodGrain, PeriodRange,
    ProductGrain, ProductSelection, Side,
};
use entrepot_io::schema::{FlowBatchBuilder, FlowRow};
use entrepot_io::{FlowReader, IoError, RowError};
use entrepot_store::{IngestOptions, Store};
use std::collections::BTreeMap;
use FlowKind::{Export as X, Import as M};

/// A reader over prepared batches.
struct VecReader(Vec<RecordBatch>);

impl FlowReader for VecReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        Ok(if self.0.is_empty() {
            None
        } else {
            Some(self.0.remove(0))
        })
    }
    fn take_rejected(&mut self) -> Vec<RowError> {
        Vec::new()
    }
    fn progress(&self) -> (u64, Option<u64>) {
        (0, None)
    }
    fn describe(&self) -> String {
        "test rows".into()
    }
}

/// One stored row: reporter, partner, flow, period, product (`TOTAL` or HS2017
/// digits), value, quantity.
type Row = (
    &'static str,
    &'static str,
    FlowKind,
    &'static str,
    &'static str,
    f64,
    Option<(f64, QuantityUnit)>,
);

fn batch(rows: &[Row], declared_by: Declarant) -> RecordBatch {
    let mut b = FlowBatchBuilder::default();
    for (i, (r, p, f, period, product, v, q)) in rows.iter().enumerate() {
        b.push(&FlowRow {
            reporter: r,
            partner: p,
            flow: *f,
            period: period.parse::<Period>().unwrap(),
            hs_revision: (*product != "TOTAL").then_some(HsRevision::Hs2017),
            product,
            value_usd: *v,
            quantity: q.map(|(value, unit)| Quantity { value, unit }),
            declared_by,
            source_file: Some("t.csv"),
            source_line: Some(i as u64 + 2),
        });
    }
    b.finish().unwrap()
}

fn ingest(store: &mut Store, name: &str, rows: &[Row], declared_by: Declarant) {
    store
        .ingest(
            name,
            vec![Box::new(VecReader(vec![batch(rows, declared_by)]))],
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap();
}

const T: Option<(f64, QuantityUnit)> = None;

/// BACI-like: exports only, each flow once on the exporter's side (HS6 rows).
fn baci_rows() -> Vec<Row> {
    use QuantityUnit::Tonnes as Tn;
    vec![
        ("ZAF", "AFG", X, "2020", "854140", 10.0, Some((1.0, Tn))),
        ("ZAF", "AFG", X, "2020", "870380", 5.0, Some((2.0, Tn))),
        ("ZAF", "AFG", X, "2020", "100199", 1.5, None),
        ("ZAF", "CHN", X, "2020", "854140", 100.0, Some((9.0, Tn))),
        ("ZAF", "CHN", X, "2019", "854140", 80.0, Some((7.0, Tn))),
        ("AFG", "ZAF", X, "2020", "080620", 3.0, Some((0.5, Tn))),
        ("AFG", "IND", X, "2020", "080620", 7.0, Some((1.5, Tn))),
        ("AFG", "IND", X, "2019", "080620", 6.0, Some((1.0, Tn))),
        ("CHN", "AFG", X, "2020", "850760", 40.0, Some((3.0, Tn))),
        ("CHN", "AFG", X, "2020", "854140", 2.0, Some((0.1, Tn))),
    ]
}

/// Comtrade-like: both sides report, monthly, HS6 rows with mixed units.
fn comtrade_rows() -> Vec<Row> {
    use QuantityUnit::{Kg, Tonnes as Tn};
    vec![
        (
            "USA",
            "CHN",
            M,
            "2020-01",
            "854140",
            120.0,
            Some((10.0, Kg)),
        ),
        ("USA", "CHN", M, "2020-02", "854140", 60.0, Some((6.0, Kg))),
        ("USA", "CHN", M, "2020-04", "850760", 30.0, Some((1.0, Tn))),
        ("CHN", "USA", X, "2020-01", "854140", 100.0, Some((9.0, Kg))),
        ("CHN", "USA", X, "2020-02", "854140", 55.0, T),
        ("CHN", "USA", X, "2020-07", "870380", 20.0, Some((2.0, Kg))),
        ("CHN", "DEU", X, "2020-01", "854140", 30.0, Some((3.0, Kg))),
        ("DEU", "USA", X, "2020-01", "870380", 9.0, Some((1.0, Kg))),
        ("DEU", "CHN", M, "2020-01", "854140", 33.0, Some((3.0, Kg))),
        ("CHN", "USA", X, "2019-01", "854140", 90.0, Some((8.0, Kg))),
    ]
}

/// A dataset with totals and detail, world rows and partner rows, annual and monthly
/// rows: the cube must never add two views of the same trade.
fn layered_rows() -> Vec<Row> {
    vec![
        ("BRA", "WLD", X, "2020", "TOTAL", 1000.0, T),
        ("BRA", "CHN", X, "2020", "TOTAL", 300.0, T),
        ("BRA", "USA", X, "2020", "TOTAL", 200.0, T),
        ("BRA", "CHN", X, "2020", "120190", 250.0, T),
        ("BRA", "CHN", X, "2020", "12", 260.0, T),
        ("BRA", "USA", X, "2020", "270900", 150.0, T),
        ("BRA", "CHN", X, "2020-03", "TOTAL", 25.0, T),
        ("BRA", "CHN", X, "2020-04", "TOTAL", 35.0, T),
    ]
}

fn store() -> (tempfile::TempDir, CubeEngine) {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    ingest(&mut store, "baci", &baci_rows(), Declarant::Reconciled);
    ingest(&mut store, "ct", &comtrade_rows(), Declarant::Reporter);
    ingest(&mut store, "layered", &layered_rows(), Declarant::Reporter);
    let fig = entrepot_core::PublishedFigure {
        span: "2025-11".parse().unwrap(),
        reporter: "CHN".into(),
        partner: "USA".into(),
        indicator: "export".into(),
        value: Some(33.8),
        unit: entrepot_core::Unit::UsdBn,
        yoy_pct: Some(-28.6),
        source_url: "https://example.org".into(),
        note: String::new(),
        origin: "facts.csv:2".into(),
    };
    store.ingest_facts("facts", vec![fig], &[]).unwrap();
    let engine = CubeEngine::new(&store).unwrap();
    (tmp, engine)
}

/// `(partner, flow, side) -> value` of a cube by partner.
fn by_partner(cube: &entrepot_cube::Cube) -> BTreeMap<(String, &'static str, &'static str), f64> {
    cube.cells()
        .into_iter()
        .map(|c| {
            (
                (
                    c.partner.unwrap_or("-").to_string(),
                    c.flow.as_str(),
                    c.side.as_str(),
                ),
                c.value,
            )
        })
        .collect()
}

fn key(p: &str, f: &'static str, s: &'static str) -> (String, &'static str, &'static str) {
    (p.to_string(), f, s)
}

#[test]
fn a_baci_reporters_imports_are_its_partners_exports_labelled_mirror() {
    let (_t, e) = store();
    let cube = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .reporters(["AFG"])
                .flows([X, M])
                .by_partner()
                .by_period(PeriodGrain::Year)
                .period_range(PeriodRange::years(2020, 2020))
                .mirror(Mirror::Fill),
        )
        .unwrap();
    let got = by_partner(&cube);
    let want: BTreeMap<_, _> = [
        (key("CHN", "import", "mirror"), 42.0),
        (key("IND", "export", "reported"), 7.0),
        (key("ZAF", "export", "reported"), 3.0),
        (key("ZAF", "import", "mirror"), 16.5),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    // Mirror cells are declared `mirror`; BACI's own rows keep `reconciled`.
    for c in cube.cells() {
        let d = c.declared_by.unwrap();
        match c.side {
            Side::Mirror => assert_eq!(d, Declarant::Mirror),
            Side::Reported => assert_eq!(d, Declarant::Reconciled),
        }
        assert_eq!(c.period, Some(CubePeriod::Year(2020)));
    }
    // Without mirror the imports are absent.
    let off = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .reporters(["AFG"])
                .flows([M])
                .by_partner(),
        )
        .unwrap();
    assert!(off.is_empty());
    // ZAF's reported exports to AFG equal AFG's mirror imports from ZAF.
    let zaf = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .reporters(["710"])
                .partners(["AFG"])
                .flows([X])
                .period_range(PeriodRange::years(2020, 2020)),
        )
        .unwrap();
    assert_eq!(zaf.total_value(), 16.5);
}

#[test]
fn mirror_fills_cell_by_cell_at_the_requested_grain() {
    let (_t, e) = store();
    let req = CubeRequest::new()
        .datasets(["ct"])
        .reporters(["USA"])
        .flows([M])
        .period_range(PeriodRange::years(2020, 2020))
        .mirror(Mirror::Fill);
    // Partner by partner: CHN as USA reported it, DEU from DEU's exports.
    let cube = e.run(&req.clone().by_partner()).unwrap();
    let want: BTreeMap<_, _> = [
        (key("CHN", "import", "reported"), 210.0),
        (key("DEU", "import", "mirror"), 9.0),
    ]
    .into_iter()
    .collect();
    assert_eq!(by_partner(&cube), want);
    // At the total grain, USA reported imports, so the reported total stands.
    let total = e.run(&req.clone()).unwrap();
    assert_eq!(total.len(), 1);
    assert_eq!(total.cells()[0].side, Side::Reported);
    assert_eq!(total.total_value(), 210.0);
    // Both sides kept apart for comparison.
    let both = e
        .run(&req.clone().by_partner().mirror(Mirror::Both))
        .unwrap();
    let want: BTreeMap<_, _> = [
        (key("CHN", "import", "reported"), 210.0),
        (key("CHN", "import", "mirror"), 175.0),
        (key("DEU", "import", "mirror"), 9.0),
    ]
    .into_iter()
    .collect();
    assert_eq!(by_partner(&both), want);
    // Month by month: USA's own months stand; July (no USA row) and DEU come from the
    // partners' exports.
    let monthly = e
        .run(&req.clone().by_partner().by_period(PeriodGrain::Month))
        .unwrap();
    let cells: Vec<(String, String, &str, f64)> = monthly
        .cells()
        .iter()
        .map(|c| {
            (
                c.partner.unwrap().to_string(),
                c.period.unwrap().to_string(),
                c.side.as_str(),
                c.value,
            )
        })
        .collect();
    assert_eq!(
        cells,
        vec![
            ("CHN".into(), "2020-01".into(), "reported", 120.0),
            ("CHN".into(), "2020-02".into(), "reported", 60.0),
            ("CHN".into(), "2020-04".into(), "reported", 30.0),
            ("CHN".into(), "2020-07".into(), "mirror", 20.0),
            ("DEU".into(), "2020-01".into(), "mirror", 9.0),
        ]
    );
    // Mirror exports come from partners' imports: CHN's exports to DEU are reported,
    // but with no own rows CHN's exports would be DEU's imports (33).
    let chn = e
        .run(
            &CubeRequest::new()
                .datasets(["ct"])
                .reporters(["CHN"])
                .flows([X])
                .by_partner()
                .period_range(PeriodRange::years(2020, 2020))
                .mirror(Mirror::Both),
        )
        .unwrap();
    let got = by_partner(&chn);
    assert_eq!(got[&key("DEU", "export", "reported")], 30.0);
    assert_eq!(got[&key("DEU", "export", "mirror")], 33.0);
    assert_eq!(got[&key("USA", "export", "mirror")], 210.0);
}

#[test]
fn shares_of_a_cube_sum_to_its_total() {
    let (_t, e) = store();
    for (dataset, reporter) in [("baci", "ZAF"), ("ct", "CHN"), ("baci", "AFG")] {
        let base = CubeRequest::new()
            .datasets([dataset])
            .reporters([reporter])
            .flows([X])
            .period_range(PeriodRange::years(2020, 2020));
        let total = e.run(&base.clone()).unwrap().total_value();
        assert!(total > 0.0);
        for req in [
            base.clone().by_partner(),
            base.clone().by_product(ProductGrain::Hs(2)),
            base.clone().by_product(ProductGrain::Hs(6)),
            base.clone().by_period(PeriodGrain::Month),
            base.clone().by_period(PeriodGrain::Quarter),
            base.clone().by_partner().by_product(ProductGrain::Hs(4)),
        ] {
            let cube = e.run(&req).unwrap();
            let shares: f64 = cube.cells().iter().map(|c| c.value / total).sum();
            assert!(
                (shares - 1.0).abs() < 1e-12,
                "{dataset} {reporter} {req:?}: {shares}"
            );
        }
    }
}

#[test]
fn totals_world_rows_and_annual_rows_are_never_added_to_their_detail() {
    let (_t, e) = store();
    let req = CubeRequest::new()
        .datasets(["layered"])
        .reporters(["BRA"])
        .flows([X]);
    // World row, annual, totals: 1000.
    let year = e.run(&req.clone().by_period(PeriodGrain::Year)).unwrap();
    assert_eq!(year.total_value(), 1000.0);
    // By partner: WLD is a partner; CHN's annual total (not its months), USA's total.
    let partners = e
        .run(&req.clone().by_partner().by_period(PeriodGrain::Year))
        .unwrap();
    let got = by_partner(&partners);
    assert_eq!(got[&key("WLD", "export", "reported")], 1000.0);
    assert_eq!(got[&key("CHN", "export", "reported")], 300.0);
    assert_eq!(got[&key("USA", "export", "reported")], 200.0);
    // Monthly grain: annual rows stay years, months are their own cells.
    let months = e
        .run(&req.clone().partners(["CHN"]).by_period(PeriodGrain::Month))
        .unwrap();
    let periods: Vec<(String, f64)> = months
        .cells()
        .iter()
        .map(|c| (c.period.unwrap().to_string(), c.value))
        .collect();
    assert_eq!(
        periods,
        vec![
            ("2020".to_string(), 300.0),
            ("2020-03".into(), 25.0),
            ("2020-04".into(), 35.0)
        ]
    );
    // Products: the HS detail, never the totals; chapter 12 and its subheading are
    // one view each level (the most detailed wins).
    let hs2 = e
        .run(
            &req.clone()
                .partners(["CHN"])
                .by_product(ProductGrain::Hs(2)),
        )
        .unwrap();
    let cells = hs2.cells();
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0].product.unwrap().to_string(), "HS2017:12");
    assert_eq!(cells[0].value, 250.0);
    assert_eq!(cells[0].product_level, 6);
    assert_eq!(year.cells()[0].product_level, 0);
    let prefix = e
        .run(
            &req.clone()
                .products(ProductSelection::prefixes(["27"]).unwrap())
                .by_partner(),
        )
        .unwrap();
    assert_eq!(
        by_partner(&prefix),
        [(key("USA", "export", "reported"), 150.0)]
            .into_iter()
            .collect()
    );
}

/// A cell's quantity with its unit, and the note saying why it is absent.
type QuantityOrNote = (Option<(f64, String)>, Option<String>);

#[test]
fn quantities_only_where_the_units_agree_else_the_reason() {
    let (_t, e) = store();
    let cube = e
        .run(
            &CubeRequest::new()
                .datasets(["ct"])
                .reporters(["USA", "CHN"])
                .flows([X, M])
                .by_reporter()
                .by_product(ProductGrain::Hs(4))
                .period_range(PeriodRange::years(2020, 2020)),
        )
        .unwrap();
    let got: BTreeMap<(String, String), QuantityOrNote> = cube
        .cells()
        .into_iter()
        .map(|c| {
            (
                (
                    c.reporter.unwrap().to_string(),
                    c.product.unwrap().code_string(),
                ),
                (
                    c.quantity.map(|(q, u)| (q, u.to_string())),
                    c.quantity_note.map(str::to_string),
                ),
            )
        })
        .collect();
    assert_eq!(
        got[&("USA".into(), "8541".into())],
        (Some((16.0, "kg".into())), None)
    );
    assert_eq!(
        got[&("USA".into(), "8507".into())],
        (Some((1.0, "t".into())), None)
    );
    assert_eq!(
        got[&("CHN".into(), "8541".into())],
        (None, Some("quantity missing on 1 of 3 rows".into()))
    );
    // Without quantities: the same values, no quantity columns.
    let values_only = e
        .run(
            &CubeRequest::new()
                .datasets(["ct"])
                .reporters(["USA", "CHN"])
                .flows([X, M])
                .by_reporter()
                .by_product(ProductGrain::Hs(4))
                .period_range(PeriodRange::years(2020, 2020))
                .quantity(false),
        )
        .unwrap();
    assert!(values_only
        .batch()
        .column_by_name(columns::QUANTITY)
        .is_none());
    assert_eq!(values_only.len(), cube.len());
    assert_eq!(values_only.total_value(), cube.total_value());
    assert!(values_only
        .cells()
        .iter()
        .all(|c| c.quantity.is_none() && c.quantity_note.is_none()));
    // Across products the units differ.
    let all = e
        .run(
            &CubeRequest::new()
                .datasets(["ct"])
                .reporters(["USA"])
                .flows([M])
                .period_range(PeriodRange::years(2020, 2020)),
        )
        .unwrap();
    assert_eq!(all.cells()[0].quantity, None);
    assert_eq!(all.cells()[0].quantity_note, Some("units differ (kg to t)"));
    assert_eq!(all.cells()[0].rows, 3);
}

#[test]
fn baskets_group_their_codes_in_their_revision() {
    let (_t, e) = store();
    let sel = ProductSelection::baskets(
        ["solar_cells", "electric_vehicles", "lithium_ion_batteries"],
        &[],
    )
    .unwrap();
    let cube = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .flows([X])
                .period_range(PeriodRange::years(2020, 2020))
                .products(sel.clone())
                .by_product(ProductGrain::Basket),
        )
        .unwrap();
    let got: BTreeMap<String, f64> = cube
        .cells()
        .into_iter()
        .map(|c| (c.basket.unwrap().to_string(), c.value))
        .collect();
    let want: BTreeMap<String, f64> = [
        ("solar_cells".to_string(), 112.0),
        ("electric_vehicles".into(), 5.0),
        ("lithium_ion_batteries".into(), 40.0),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    // Without the basket grain, the selection is one filter: their sum.
    let sum = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .flows([X])
                .period_range(PeriodRange::years(2020, 2020))
                .products(sel),
        )
        .unwrap();
    assert_eq!(sum.total_value(), 157.0);
    // Exact codes.
    let codes = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .products(ProductSelection::codes(HsRevision::Hs2017, ["854140"]).unwrap())
                .by_period(PeriodGrain::Year),
        )
        .unwrap();
    let years: Vec<(String, f64)> = codes
        .cells()
        .iter()
        .map(|c| (c.period.unwrap().to_string(), c.value))
        .collect();
    assert_eq!(years, vec![("2019".into(), 80.0), ("2020".into(), 112.0)]);
}

/// `(key columns joined by '|') -> value` of SQL results whose last column is the sum.
fn sql_map(e: &CubeEngine, sql: &str) -> BTreeMap<String, f64> {
    let batches = e.query_engine().sql_blocking(sql).unwrap();
    let mut out = BTreeMap::new();
    for b in &batches {
        let n = b.num_columns();
        let keys: Vec<arrow::array::ArrayRef> = (0..n - 1)
            .map(|i| arrow::compute::cast(b.column(i), &arrow::datatypes::DataType::Utf8).unwrap())
            .collect();
        let v =
            arrow::compute::cast(b.column(n - 1), &arrow::datatypes::DataType::Float64).unwrap();
        let v = v.as_primitive::<Float64Type>();
        for r in 0..b.num_rows() {
            let k: Vec<String> = keys
                .iter()
                .map(|a| {
                    let s = a.as_string::<i32>();
                    if s.is_valid(r) {
                        s.value(r).to_string()
                    } else {
                        String::new()
                    }
                })
                .collect();
            out.insert(k.join("|"), v.value(r));
        }
    }
    out
}

#[test]
fn filters_give_what_the_same_sql_gives() {
    let (_t, e) = store();
    // Reporter, product prefix, month range, by HS4 and quarter.
    let cube = e
        .run(
            &CubeRequest::new()
                .datasets(["ct"])
                .reporters(["CHN"])
                .flows([X])
                .products(ProductSelection::prefixes(["85"]).unwrap())
                .period_range(PeriodRange::parse("2020-01..2020-06").unwrap())
                .by_product(ProductGrain::Hs(4))
                .by_period(PeriodGrain::Quarter),
        )
        .unwrap();
    let got: BTreeMap<String, f64> = cube
        .cells()
        .into_iter()
        .map(|c| {
            let CubePeriod::Quarter { year, quarter } = c.period.unwrap() else {
                panic!("not a quarter")
            };
            (
                format!("{}|{year}|{quarter}", c.product.unwrap().code_string()),
                c.value,
            )
        })
        .collect();
    let want = sql_map(
        &e,
        "SELECT substr(product, 1, 4), year, (month + 2) / 3, SUM(value_usd) FROM ct \
         WHERE reporter = 'CHN' AND flow = 'export' AND product LIKE '85%' \
         AND year * 100 + month BETWEEN 202001 AND 202006 GROUP BY 1, 2, 3",
    );
    assert_eq!(got, want);
    assert_eq!(got.values().sum::<f64>(), 185.0);
    // Partners and years over the whole store (every dataset), by reporter and partner.
    let cube = e
        .run(
            &CubeRequest::new()
                .datasets(["baci", "ct"])
                .partners(["AFG", "USA", "CHN"])
                .period_range(PeriodRange::years(2019, 2020))
                .by_reporter()
                .by_partner()
                .by_period(PeriodGrain::Year),
        )
        .unwrap();
    let got: BTreeMap<String, f64> = cube
        .cells()
        .into_iter()
        .map(|c| {
            (
                format!(
                    "{}|{}|{}|{}|{}",
                    c.dataset,
                    c.reporter.unwrap(),
                    c.partner.unwrap(),
                    c.flow.as_str(),
                    c.period.unwrap()
                ),
                c.value,
            )
        })
        .collect();
    let want = sql_map(
        &e,
        "SELECT dataset, reporter, partner, flow, year, SUM(value_usd) FROM flows \
         WHERE dataset IN ('baci', 'ct') AND partner IN ('AFG', 'USA', 'CHN') \
         AND year BETWEEN 2019 AND 2020 GROUP BY 1, 2, 3, 4, 5",
    );
    assert_eq!(got, want);
    assert_eq!(got.len(), 9);
    // The mirror side is the same SQL with reporter and partner swapped.
    let cube = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .reporters(["AFG", "CHN"])
                .flows([M])
                .by_reporter()
                .by_partner()
                .by_product(ProductGrain::Hs(6))
                .mirror(Mirror::Fill),
        )
        .unwrap();
    let got: BTreeMap<String, f64> = cube
        .cells()
        .into_iter()
        .map(|c| {
            assert_eq!(c.side, Side::Mirror);
            (
                format!(
                    "{}|{}|{}",
                    c.reporter.unwrap(),
                    c.partner.unwrap(),
                    c.product.unwrap().code_string()
                ),
                c.value,
            )
        })
        .collect();
    let want = sql_map(
        &e,
        "SELECT partner, reporter, product, SUM(value_usd) FROM baci \
         WHERE partner IN ('AFG', 'CHN') AND flow = 'export' GROUP BY 1, 2, 3",
    );
    assert_eq!(got, want);
}

#[test]
fn the_batch_holds_interned_ids() {
    let (_t, e) = store();
    let cube = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .reporters(["ZAF"])
                .partners(["AFG"])
                .by_reporter()
                .by_partner()
                .by_product(ProductGrain::Hs(6)),
        )
        .unwrap();
    let b = cube.batch();
    let schema = b.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        vec![
            "dataset",
            "reporter",
            "partner",
            "flow",
            "product",
            "side",
            "value",
            "quantity",
            "quantity_unit",
            "quantity_note",
            "declared_by",
            "rows",
            "product_level"
        ]
    );
    let reporter = b.column_by_name(columns::REPORTER).unwrap();
    let reporter = reporter.as_primitive::<arrow::datatypes::UInt16Type>();
    assert_eq!(
        reporter.value(0),
        entrepot_core::CountryId::of("ZAF").unwrap().0
    );
    let product = b.column_by_name(columns::PRODUCT).unwrap();
    let product = product.as_primitive::<arrow::datatypes::UInt32Type>();
    let ids: Vec<ProductId> = product
        .values()
        .iter()
        .map(|p| ProductId::from_raw(*p).unwrap())
        .collect();
    assert_eq!(
        ids.iter().map(|p| p.code_string()).collect::<Vec<_>>(),
        vec!["100199", "854140", "870380"]
    );
    let labelled = cube.labelled_batch().unwrap();
    let text = |name: &str| -> Vec<Option<String>> {
        let c = labelled.column_by_name(name).unwrap().as_string::<i32>();
        (0..c.len())
            .map(|i| c.is_valid(i).then(|| c.value(i).to_string()))
            .collect()
    };
    let s = |v: &str| Some(v.to_string());
    assert_eq!(text("reporter"), vec![s("ZAF"), s("ZAF"), s("ZAF")]);
    assert_eq!(
        text("product"),
        vec![s("HS2017:100199"), s("HS2017:854140"), s("HS2017:870380")]
    );
    assert_eq!(
        text("side"),
        vec![s("reported"), s("reported"), s("reported")]
    );
    assert_eq!(
        text("quantity_note"),
        vec![s("no quantity reported"), None, None]
    );
}

#[test]
fn cells_become_aggregated_trade_flows_with_mirror_declared() {
    let (_t, e) = store();
    let cube = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .reporters(["AFG"])
                .flows([X, M])
                .by_partner()
                .by_period(PeriodGrain::Month)
                .mirror(Mirror::Fill),
        )
        .unwrap();
    let flows = cube.to_trade_flows().unwrap();
    assert_eq!(flows.len(), cube.len());
    let zaf: Vec<_> = flows
        .iter()
        .filter(|f| f.partner == "ZAF" && f.period == Period::Year(2020))
        .map(|f| (f.flow, f.value_usd, f.provenance.declared_by))
        .collect();
    assert_eq!(
        zaf,
        vec![
            (X, 3.0, Declarant::Reconciled),
            (M, 16.5, Declarant::Mirror)
        ]
    );
    assert!(flows
        .iter()
        .all(|f| f.reporter == "AFG" && f.provenance.dataset == "baci"));
    // Summed over partners, the cell is the trade with the world.
    let world = e
        .run(
            &CubeRequest::new()
                .datasets(["baci"])
                .reporters(["AFG"])
                .flows([M])
                .by_period(PeriodGrain::Year)
                .mirror(Mirror::Fill),
        )
        .unwrap()
        .to_trade_flows()
        .unwrap();
    assert_eq!(world.len(), 1);
    assert_eq!(world[0].partner, "WLD");
    assert_eq!(world[0].value_usd, 58.5);
    // A cube that is not made of flows says why.
    let e2 = e
        .run(&CubeRequest::new().datasets(["baci"]).by_partner())
        .unwrap()
        .to_trade_flows()
        .unwrap_err();
    assert!(e2.to_string().contains("need the reporter"), "{e2}");
}

#[test]
fn bad_requests_fail_with_their_reason() {
    let (_t, e) = store();
    let err = |r: CubeRequest| e.run(&r).unwrap_err();
    assert!(matches!(
        err(CubeRequest::new().datasets(["nope"])),
        CubeError::UnknownDataset(_)
    ));
    assert!(matches!(
        err(CubeRequest::new().datasets(["facts"])),
        CubeError::NotFlows(_)
    ));
    let x = err(CubeRequest::new().reporters(["CHM"]));
    assert!(x.to_string().contains("unknown country code 'CHM'"), "{x}");
    let x = err(CubeRequest::new().by_product(ProductGrain::Basket));
    assert!(x.to_string().contains("needs a basket selection"), "{x}");
    let x = err(CubeRequest::new().by_product(ProductGrain::Hs(3)));
    assert!(x.to_string().contains("must be 2, 4 or 6"), "{x}");
    // An empty selection is an empty cube, not an error.
    let empty = e
        .run(&CubeRequest::new().period_range(PeriodRange::years(1990, 1991)))
        .unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.total_value(), 0.0);
}

/// A reader whose values are in another currency than US dollars.
struct InCurrency(VecReader, entrepot_io::fx::CurrencyCode);

impl FlowReader for InCurrency {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        self.0.next_batch()
    }
    fn take_rejected(&mut self) -> Vec<RowError> {
        Vec::new()
    }
    fn progress(&self) -> (u64, Option<u64>) {
        (0, None)
    }
    fn describe(&self) -> String {
        format!("test rows in {}", self.1)
    }
    fn currency(&self) -> Option<entrepot_io::fx::CurrencyCode> {
        Some(self.1)
    }
}

#[test]
fn a_cube_keeps_its_datasets_currency_and_never_mixes_two() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let jpy: entrepot_io::fx::CurrencyCode = "JPY".parse().unwrap();
    let yen: Vec<Row> = vec![
        ("JPN", "CHN", X, "2019", "TOTAL", 15_000.0, T),
        ("JPN", "USA", X, "2019", "TOTAL", 16_000.0, T),
    ];
    store
        .ingest(
            "jp",
            vec![Box::new(InCurrency(
                VecReader(vec![batch(&yen, Declarant::Reporter)]),
                jpy,
            ))],
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap();
    assert_eq!(store.dataset("jp").unwrap().value_currency(), "JPY");
    assert_eq!(store.dataset("jp").unwrap().value_column(), "value_jpy");
    // the same flows in dollars, in another dataset
    ingest(
        &mut store,
        "us",
        &[("JPN", "CHN", X, "2019", "TOTAL", 140.0, T)],
        Declarant::Reporter,
    );
    let engine = CubeEngine::new(&store).unwrap();
    let one = engine
        .run(
            &CubeRequest::new()
                .datasets(["jp"])
                .reporters(["JPN"])
                .by_partner(),
        )
        .unwrap();
    assert_eq!(one.currency(), "JPY");
    assert_eq!(one.total_value(), 31_000.0);
    let usd = engine
        .run(
            &CubeRequest::new()
                .datasets(["us"])
                .reporters(["JPN"])
                .by_partner(),
        )
        .unwrap();
    assert_eq!(usd.currency(), "USD");
    // both datasets give rows: refused, naming each dataset's currency
    let e = engine
        .run(&CubeRequest::new().reporters(["JPN"]).by_partner())
        .unwrap_err();
    assert!(matches!(e, CubeError::MixedCurrencies { .. }), "{e}");
    let m = e.to_string();
    assert!(
        m.contains("'jp' in JPY") && m.contains("'us' in USD"),
        "{m}"
    );
    // a request only one of them answers is not mixed
    let only = engine
        .run(
            &CubeRequest::new()
                .reporters(["JPN"])
                .partners(["USA"])
                .by_partner(),
        )
        .unwrap();
    assert_eq!(only.currency(), "JPY");
    // SQL: the yen dataset's column says yen; `flows` never adds yen to dollars
    let q = entrepot_query::QueryEngine::new(&store).unwrap();
    let b = q.sql_blocking("SELECT SUM(value_jpy) FROM jp").unwrap();
    let v = b[0].column(0).as_primitive::<Float64Type>().value(0);
    assert_eq!(v, 31_000.0);
    let b = q
        .sql_blocking(
            "SELECT currency, SUM(value), SUM(value_usd) FROM flows GROUP BY currency ORDER BY currency",
        )
        .unwrap();
    let cur = b[0].column(0).as_string::<i32>();
    let val = b[0].column(1).as_primitive::<Float64Type>();
    let usd_col = b[0].column(2).as_primitive::<Float64Type>();
    assert_eq!((cur.value(0), val.value(0)), ("JPY", 31_000.0));
    assert!(usd_col.is_null(0), "no dollar value for yen rows");
    assert_eq!(
        (cur.value(1), val.value(1), usd_col.value(1)),
        ("USD", 140.0, 140.0)
    );
    // TradeFlows are US dollars: a yen dataset is not read as them
    let e = store
        .load_flows(&entrepot_store::FlowFilter {
            dataset: Some("jp".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(e.to_string().contains("holds values in JPY"), "{e}");
}

/// A copy of the test store whose manifest no longer records what its datasets hold
/// (as a store written before it was recorded).
fn without_content(dir: &std::path::Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", dir.display()))
        .arg(copy.path())
        .status()
        .unwrap();
    assert!(status.success());
    let path = copy.path().join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for d in m["datasets"].as_object_mut().unwrap().values_mut() {
        d.as_object_mut().unwrap().remove("content");
    }
    std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    copy
}

#[test]
fn ingest_records_what_the_rows_hold_and_cubes_read_the_same_with_or_without_it() {
    let (tmp, pinned) = store();
    let store = Store::open_read(tmp.path()).unwrap();
    let content = |name: &str| store.dataset(name).unwrap().content.clone().unwrap();
    let baci = content("baci");
    assert_eq!(baci.product_levels, vec![6]);
    assert_eq!(baci.hs_revisions, vec!["HS2017".to_string()]);
    assert!(baci.annual && !baci.monthly && !baci.unrevised_products);
    assert_eq!(baci.flows, vec!["export".to_string()]);
    assert_eq!(baci.declarants, vec!["reconciled".to_string()]);
    assert_eq!(baci.single_level_from(2), Some(6));
    assert_eq!(baci.single_revision(), Some("HS2017"));
    let ct = content("ct");
    assert!(!ct.annual && ct.monthly);
    assert_eq!(ct.flows, vec!["export".to_string(), "import".to_string()]);
    let layered = content("layered");
    assert_eq!(layered.product_levels, vec![0, 2, 6]);
    assert!(layered.annual && layered.monthly);
    assert_eq!(layered.single_level_from(0), None);
    assert_eq!(layered.single_level_from(4), Some(6));
    assert!(store.dataset("facts").unwrap().content.is_none());

    // The cubes group on the pinned keys as constants; the cells are the same as
    // those of a store that does not record the content.
    let copy = without_content(tmp.path());
    let plain = CubeEngine::new(&Store::open_read(copy.path()).unwrap()).unwrap();
    let mut compared = 0;
    for (dataset, reporter) in [("baci", "ZAF"), ("ct", "CHN"), ("layered", "BRA")] {
        for mirror in [Mirror::Off, Mirror::Fill, Mirror::Both] {
            let base = CubeRequest::new()
                .datasets([dataset])
                .reporters([reporter])
                .mirror(mirror);
            for req in [
                base.clone().flows([X]).by_partner(),
                base.clone()
                    .flows([M])
                    .by_product(ProductGrain::Hs(6))
                    .by_period(PeriodGrain::Year),
                base.clone(),
                base.clone().by_partner().by_period(PeriodGrain::Year),
                base.clone().by_product(ProductGrain::Hs(6)),
                base.clone().by_product(ProductGrain::Hs(2)).by_partner(),
                base.clone()
                    .by_product(ProductGrain::Hs(4))
                    .by_period(PeriodGrain::Month),
                base.clone().by_period(PeriodGrain::Quarter),
                CubeRequest::new()
                    .datasets([dataset])
                    .by_reporter()
                    .by_partner()
                    .by_product(ProductGrain::Hs(6))
                    .by_period(PeriodGrain::Year)
                    .mirror(mirror),
            ] {
                let a = pinned.run(&req).unwrap();
                let b = plain.run(&req).unwrap();
                assert_eq!(a.cells(), b.cells(), "{dataset} {req:?}");
                compared += a.cells().len();
            }
        }
    }
    assert!(compared > 100, "{compared} cells compared");

    // Ingesting the same rows again into the store without the record writes a new
    // version that has it; into the store with it, nothing.
    let reingest = |dir: &std::path::Path| {
        let mut store = Store::open(dir).unwrap();
        let report = store
            .ingest(
                "baci",
                vec![Box::new(VecReader(vec![batch(
                    &baci_rows(),
                    Declarant::Reconciled,
                )]))],
                &IngestOptions {
                    replace: true,
                    ..IngestOptions::default()
                },
                &|_| {},
            )
            .unwrap();
        let content = store.dataset("baci").unwrap().content.clone();
        (report.unchanged, report.version, content)
    };
    let (unchanged, version, content) = reingest(copy.path());
    assert!(!unchanged);
    assert_eq!(version, 2);
    assert_eq!(content, Some(baci));
    let (unchanged, version, _) = reingest(tmp.path());
    assert!(unchanged);
    assert_eq!(version, 1);
}
