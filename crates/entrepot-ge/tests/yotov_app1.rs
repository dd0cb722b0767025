//! Yotov, Piermartini, Monteiro and Larch (2016), ch. 2, Application 1, "trade without
//! borders" (2006): the authors' published Stata outputs
//! (`ge_results_stata/1_TradeWithoutBorder_FULL_{PROD,CONS}.csv`, `data-figure-7.csv`)
//! reproduced from the raw data, and the equilibrium solvers checked against each other
//! on the same inputs.
//!
//! Procedure (`TradeWithoutBorder.do`): PPML of 2006 trade (domestic included) on
//! exporter and importer fixed effects, `ln DIST`, `CNTG` and `INTL_BRDR`; baseline costs
//! `t = exp(b_d ln DIST + b_c CNTG + b_b INTL_BRDR)`; counterfactual costs without the
//! border term; `σ = 7`; Germany the reference country. The baseline regression is fitted
//! here with `entrepot-gravity` (a dev-dependency) and checked against the coefficients
//! printed in the authors' log (`TradeWithoutBorder.log`: ln_DIST −.7912879,
//! CNTG .6736456, INTL_BRDR −2.47445).

mod common;

use std::sync::OnceLock;

use common::{countries, matrix, read_agtpa, rel, Published, Worst};
use entrepot_ge::{
    replicate_yotov2016, solve_geppml, solve_hat, Baseline, Counterfactual, Elasticity, Options,
    Shock, BOOK_STOP,
};
use entrepot_gravity::{fit, Dataset, FitOptions, ModelSpec};

const SIGMA: f64 = 7.0;

struct App {
    baseline: Baseline,
    shock: Shock,
    dir: std::path::PathBuf,
}

fn app() -> Option<&'static App> {
    static APP: OnceLock<Option<App>> = OnceLock::new();
    APP.get_or_init(build).as_ref()
}

fn build() -> Option<App> {
    let path = entrepot_testdata::shared_file("yotov_app1", "yotov_agtpa/agtpa_applications.csv")?;
    let dir = path.parent()?.join("ge_results_stata");
    let rows = read_agtpa(&path, |y| y == 2006);
    let cs = countries(&rows);
    let mut d = Dataset::new();
    d.add_numeric("trade", rows.iter().map(|r| r.trade).collect())
        .expect("column");
    d.add_numeric("ln_dist", rows.iter().map(|r| r.dist.ln()).collect())
        .expect("column");
    d.add_numeric("cntg", rows.iter().map(|r| r.cntg).collect())
        .expect("column");
    let intl: Vec<f64> = rows
        .iter()
        .map(|r| f64::from(u8::from(r.exporter != r.importer)))
        .collect();
    d.add_numeric("intl", intl).expect("column");
    let ex: Vec<&str> = rows.iter().map(|r| r.exporter.as_str()).collect();
    let im: Vec<&str> = rows.iter().map(|r| r.importer.as_str()).collect();
    d.add_categorical("exporter", &ex).expect("column");
    d.add_categorical("importer", &im).expect("column");
    let spec =
        ModelSpec::parse("trade ~ ln_dist + cntg + intl | exporter + importer").expect("formula");
    let opts = FitOptions {
        tol: 1e-13,
        demean_tol: 1e-13,
        ..FitOptions::default()
    };
    let est = fit(&d, &spec, &opts).expect("baseline PPML");
    let b = |n: &str| est.coefficient(n).expect("coefficient");
    let (bd, bc, bb) = (b("ln_dist"), b("cntg"), b("intl"));
    println!("baseline PPML: ln_DIST {bd:.8}, CNTG {bc:.8}, INTL_BRDR {bb:.8}");
    // The authors' log prints 7 significant digits.
    for (got, want, decimals) in [(bd, -0.7912879, 7), (bc, 0.6736456, 7), (bb, -2.47445, 5)] {
        assert!(
            (got - want).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-12,
            "coefficient {got} vs published {want}"
        );
    }
    let flows = matrix(&rows, &cs, 2006, |r| r.trade);
    let t_bln = matrix(&rows, &cs, 2006, |r| {
        let border = if r.exporter != r.importer { 1.0 } else { 0.0 };
        (bd * r.dist.ln() + bc * r.cntg + bb * border).exp()
    });
    let t_cfl = matrix(&rows, &cs, 2006, |r| (bd * r.dist.ln() + bc * r.cntg).exp());
    let baseline = Baseline::from_flows(cs, &flows, t_bln).expect("baseline");
    Some(App {
        baseline,
        shock: Shock::NewCosts(t_cfl),
        dir,
    })
}

fn options() -> Options {
    Options::new(Elasticity::Sigma(SIGMA), "DEU")
}

/// Compares a solved counterfactual with the published outputs; returns the worst
/// relative discrepancy of levels and of percent changes.
fn compare(cf: &Counterfactual, dir: &std::path::Path) -> (Worst, Worst) {
    let prod = Published::read(&dir.join("1_TradeWithoutBorder_FULL_PROD.csv"));
    let cons = Published::read(&dir.join("1_TradeWithoutBorder_FULL_CONS.csv"));
    let fig7 = Published::read(&dir.join("data-figure-7.csv"));
    let (mut levels, mut changes) = (Worst::default(), Worst::default());
    for c in cf.country_results() {
        let k = c.country.as_str();
        let mut lv = |col: &str, got: f64, want: f64| {
            levels.see(&format!("{k} {col}"), rel(got, want, 0.0));
        };
        lv("OMR_BLN", c.omr.baseline, prod.get(k, "OMR_BLN"));
        lv("OMR_CDL", c.omr.conditional, prod.get(k, "OMR_CDL"));
        lv("OMR_FULL", c.omr.full, prod.get(k, "OMR_FULL"));
        lv("IMR_BLN", c.imr.baseline, cons.get(k, "IMR_BLN"));
        lv("IMR_CDL", c.imr.conditional, cons.get(k, "IMR_CDL"));
        lv("IMR_FULL", c.imr.full, cons.get(k, "IMR_FULL"));
        lv("Xi_BLN", c.exports.baseline, prod.get(k, "Xi_BLN"));
        lv("Xi_CDL", c.exports.conditional, prod.get(k, "Xi_CDL"));
        lv("Xi_FULL", c.exports.full, prod.get(k, "Xi_FULL"));
        lv("Y_BLN", c.output.baseline, prod.get(k, "Y_BLN"));
        lv("Y_FULL", c.output.full, prod.get(k, "Y_FULL"));
        lv(
            "change_pricei_FULL",
            c.producer_price.full,
            prod.get(k, "change_pricei_FULL"),
        );
        // Percent changes: relative, or absolute (in percentage points) below 0.01%.
        let mut ch = |col: &str, got: f64, want: f64| {
            changes.see(&format!("{k} {col}"), rel(got, want, 1e-2));
        };
        let price = (c.producer_price.full - 1.0) * 100.0;
        ch("change_price_FULL", price, prod.get(k, "change_price_FULL"));
        ch(
            "fig7 change_price_FULL",
            price,
            fig7.get(k, "change_price_FULL"),
        );
        let omr = &c.outward_resistance;
        ch(
            "change_OMR_CDL",
            omr.conditional_change_pct(),
            prod.get(k, "change_OMR_CDL"),
        );
        ch(
            "change_OMR_FULL",
            omr.full_change_pct(),
            prod.get(k, "change_OMR_FULL"),
        );
        let imr = &c.inward_resistance;
        ch(
            "change_IMR_CDL",
            imr.conditional_change_pct(),
            cons.get(k, "change_IMR_CDL"),
        );
        ch(
            "change_IMR_FULL",
            imr.full_change_pct(),
            cons.get(k, "change_IMR_FULL"),
        );
        ch(
            "fig7 change_IMR_FULL",
            imr.full_change_pct(),
            fig7.get(k, "change_IMR_FULL"),
        );
        let x = &c.exports;
        ch(
            "change_Xi_CDL",
            x.conditional_change_pct(),
            prod.get(k, "change_Xi_CDL"),
        );
        ch(
            "change_Xi_FULL",
            x.full_change_pct(),
            prod.get(k, "change_Xi_FULL"),
        );
        ch(
            "fig7 change_Xi_CDL",
            x.conditional_change_pct(),
            fig7.get(k, "change_Xi_CDL"),
        );
        ch(
            "fig7 change_Xi_FULL",
            x.full_change_pct(),
            fig7.get(k, "change_Xi_FULL"),
        );
        ch(
            "change_rGDP_FULL",
            c.real_gdp.full_change_pct(),
            fig7.get(k, "change_rGDP_FULL"),
        );
    }
    (levels, changes)
}

#[test]
fn trade_without_borders_reproduces_the_published_conditional_and_full_results() {
    let Some(app) = app() else { return };
    let cf = replicate_yotov2016(&app.baseline, &app.shock, &options(), BOOK_STOP)
        .expect("book procedure");
    println!("book procedure: {} passes", cf.iterations);
    assert_eq!(cf.iterations, 5, "the authors' log shows five passes");
    let (levels, changes) = compare(&cf, &app.dir);
    println!(
        "max relative difference to the published values: levels {:.3e} ({}), changes {:.3e} ({})",
        levels.max, levels.at, changes.max, changes.at
    );
    assert!(
        levels.max <= 1e-3,
        "levels: {:.3e} at {}",
        levels.max,
        levels.at
    );
    assert!(
        changes.max <= 1e-3,
        "changes: {:.3e} at {}",
        changes.max,
        changes.at
    );
    let deu = cf.country("DEU").expect("DEU");
    assert_eq!(deu.imr.baseline, 1.0, "P_R = 1 normalisation");
    assert!((deu.imr.conditional - 1.0).abs() < 1e-12);
    assert!((deu.imr.full - 1.0).abs() < 1e-12);
}

/// Largest relative difference of two solved counterfactuals (per-country levels in the
/// three scenarios and every flow).
fn max_gap(a: &Counterfactual, b: &Counterfactual) -> (f64, String) {
    let mut w = Worst::default();
    for (x, y) in a.country_results().iter().zip(b.country_results()) {
        let k = &x.country;
        for (name, u, v) in [
            ("exports", x.exports, y.exports),
            ("imports", x.imports, y.imports),
            ("output", x.output, y.output),
            ("expenditure", x.expenditure, y.expenditure),
            ("price", x.producer_price, y.producer_price),
            ("omr", x.omr, y.omr),
            ("imr", x.imr, y.imr),
            ("real gdp", x.real_gdp, y.real_gdp),
            ("welfare", x.welfare, y.welfare),
        ] {
            w.see(
                &format!("{k} {name} conditional"),
                rel(u.conditional, v.conditional, 0.0),
            );
            w.see(&format!("{k} {name} full"), rel(u.full, v.full, 0.0));
        }
    }
    for (p, q) in a.pair_results().iter().zip(b.pair_results()) {
        if q.flow.full > 0.0 {
            w.see(
                &format!("{} → {} flow", p.exporter, p.importer),
                rel(p.flow.full, q.flow.full, 0.0),
            );
        }
    }
    (w.max, w.at)
}

#[test]
fn trade_without_borders_the_two_solvers_agree_and_clear_markets() {
    let Some(app) = app() else { return };
    let opts = options();
    let hat = solve_hat(&app.baseline, &app.shock, &opts).expect("hat algebra");
    let ge = solve_geppml(&app.baseline, &app.shock, &opts).expect("GEPPML");
    let (gap, at) = max_gap(&hat, &ge);
    println!(
        "hat algebra {} iterations, GEPPML {} iterations, κ = {:.6}; largest relative gap {gap:.3e} ({at})",
        hat.iterations, ge.iterations, hat.expenditure_scale
    );
    assert!(gap <= 1e-6, "solvers differ by {gap:e} at {at}");
    for cf in [&hat, &ge] {
        assert!(cf.full.adding_up_gap() < 1e-9, "{:?}", cf.method);
        assert!(cf.conditional.adding_up_gap() < 1e-9, "{:?}", cf.method);
    }
    // How far the published (book) numbers are from the equilibrium.
    let book = replicate_yotov2016(&app.baseline, &app.shock, &opts, BOOK_STOP).expect("book");
    let (gap, at) = max_gap(&book, &hat);
    println!(
        "book procedure vs equilibrium: largest relative gap {gap:.3e} ({at}); book full-scenario adding-up gap {:.3e}",
        book.full.adding_up_gap()
    );
}

#[test]
fn trade_without_borders_every_deficit_rule_and_numeraire_agree_across_solvers() {
    use entrepot_ge::{Deficits, Numeraire};
    let Some(app) = app() else { return };
    for deficits in [Deficits::Multiplicative, Deficits::Additive] {
        for numeraire in [
            Numeraire::InwardResistance,
            Numeraire::ProducerPrice,
            Numeraire::WorldOutput,
        ] {
            let opts = Options {
                deficits,
                numeraire,
                ..options()
            };
            let hat = solve_hat(&app.baseline, &app.shock, &opts).expect("hat algebra");
            let ge = solve_geppml(&app.baseline, &app.shock, &opts).expect("GEPPML");
            let (gap, at) = max_gap(&hat, &ge);
            println!(
                "{deficits:?} / {numeraire:?}: gap {gap:.3e} ({at}), iterations {} / {}",
                hat.iterations, ge.iterations
            );
            assert!(gap <= 1e-6, "{deficits:?} {numeraire:?}: {gap:e} at {at}");
        }
    }
}

#[test]
fn a_zero_shock_on_the_book_data_returns_the_baseline_exactly() {
    let Some(app) = app() else { return };
    let none = Shock::none(app.baseline.len());
    let same = Shock::NewCosts(app.baseline.costs().clone());
    for shock in [none, same] {
        for cf in [
            solve_hat(&app.baseline, &shock, &options()).expect("hat"),
            solve_geppml(&app.baseline, &shock, &options()).expect("geppml"),
            replicate_yotov2016(&app.baseline, &shock, &options(), BOOK_STOP).expect("book"),
        ] {
            assert_eq!(cf.full, cf.baseline);
            assert_eq!(cf.conditional, cf.baseline);
        }
    }
}
