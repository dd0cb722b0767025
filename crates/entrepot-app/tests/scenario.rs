//! Scenario runs on generated economies and on the Yotov et al. (2016) data: a zero
//! shock returns the baseline, the diversion accounting adds up, the two solvers agree,
//! intervals bracket the point estimate, and bad scenarios are refused with the reason.

use entrepot_app::scenario::spec::{parse_scenario, ScenarioSpec, Selection, ShockSpec};
use entrepot_app::scenario::{run_scenario, ScenarioRequest};
use entrepot_app::{ErrorClass, StoreLocation};
use std::path::Path;

/// A four-economy world with domestic sales, deficits and one missing pair.
const WORLD: &str = "exporter,importer,year,trade,rta\n\
AAA,AAA,2020,500,0\nAAA,BBB,2020,60,1\nAAA,CCC,2020,40,0\nAAA,DDD,2020,20,0\n\
BBB,AAA,2020,50,1\nBBB,BBB,2020,400,0\nBBB,CCC,2020,30,0\nBBB,DDD,2020,25,0\n\
CCC,AAA,2020,35,0\nCCC,BBB,2020,20,0\nCCC,CCC,2020,300,0\n\
DDD,AAA,2020,15,0\nDDD,BBB,2020,30,0\nDDD,CCC,2020,10,0\nDDD,DDD,2020,200,0\n";

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// A scenario on `file` with θ = 4; `extra` continues the `[elasticity]` table.
fn spec_for(file: &Path, extra: &str) -> ScenarioSpec {
    let text = format!(
        "[data]\nfile = {:?}\nyear = 2020\ncurrency = \"USD\"\n[elasticity]\ntheta = 4\n{extra}",
        file.display().to_string()
    );
    parse_scenario(&text).expect("scenario parses")
}

fn run(spec: ScenarioSpec) -> entrepot_app::AppResult<entrepot_app::scenario::ScenarioOutput> {
    let dir = tempfile::tempdir().expect("tempdir");
    let location = StoreLocation::named(dir.path().join("store"));
    run_scenario(
        &location,
        &ScenarioRequest {
            spec,
            groups_file: None,
            memory_limit: None,
            ..ScenarioRequest::default()
        },
    )
}

fn tariff(im: &str, ex: &str, pp: f64) -> ShockSpec {
    ShockSpec::Tariff {
        importer: Selection::One(im.into()),
        exporter: Selection::One(ex.into()),
        change_pp: pp,
        from_pct: None,
        both_ways: false,
    }
}

#[test]
fn a_zero_tariff_returns_the_baseline_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "world.csv", WORLD);
    let mut spec = spec_for(&file, "");
    spec.shocks.push(tariff("BBB", "AAA", 0.0));
    let out = run(spec).expect("runs");
    for r in out.result.country_results() {
        assert_eq!(r.welfare.full_change_pct(), 0.0, "{}", r.country);
        assert_eq!(r.exports.full_change_pct(), 0.0, "{}", r.country);
    }
    let d = out.diversion.expect("focus pair");
    assert_eq!(d.direct_change(), 0.0);
    assert_eq!(d.redirected_share_pct(), None);
}

#[test]
fn diversion_adds_up_and_solvers_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "world.csv", WORLD);
    // Balanced trade is refused: the baseline has deficits.
    let mut spec = spec_for(&file, "[model]\ndeficits = \"balanced\"\n");
    spec.shocks.push(tariff("BBB", "AAA", 25.0));
    let e = run(spec).expect_err("deficits in the baseline");
    assert!(e.message.contains("deficit"), "{}", e.message);
    for deficits in ["multiplicative", "additive"] {
        let mut spec = spec_for(
            &file,
            &format!(
                "[model]\nsolver = \"both\"\ndeficits = \"{deficits}\"\nreference = \"AAA\"\n"
            ),
        );
        spec.shocks.push(tariff("BBB", "AAA", 25.0));
        let out = run(spec).expect("runs");
        let gap = out.solver_gap.expect("both solvers");
        assert!(gap < 1e-6, "{deficits}: solvers differ by {gap}");
        let d = out.diversion.expect("focus pair");
        assert!(d.direct_change() < 0.0, "the tariff lowers AAA → BBB");
        // The exporter's sales add up to its output, in each scenario.
        let cf = &out.result;
        let x = d.exporter;
        for (base, new, label) in [
            (
                cf.baseline.output[x],
                cf.conditional.output[x],
                "conditional",
            ),
            (cf.baseline.output[x], cf.full.output[x], "full"),
        ] {
            let (dd, dr, dh) = if label == "full" {
                (
                    d.direct_change(),
                    d.redirected(),
                    d.exporter_domestic.full - d.exporter_domestic.baseline,
                )
            } else {
                (
                    d.direct.conditional - d.direct.baseline,
                    d.markets
                        .iter()
                        .map(|(_, l)| l.conditional - l.baseline)
                        .sum(),
                    d.exporter_domestic.conditional - d.exporter_domestic.baseline,
                )
            };
            assert!(
                (dd + dr + dh - (new - base)).abs() < 1e-6 * base,
                "{deficits} {label}: {dd} + {dr} + {dh} vs {}",
                new - base
            );
        }
        // Output is fixed in the conditional scenario.
        assert!(
            (cf.conditional.output[x] - cf.baseline.output[x]).abs() < 1e-9 * cf.baseline.output[x]
        );
        let share = d.redirected_share_pct().expect("trade lost");
        assert!(
            share > 0.0 && share < 100.0,
            "{deficits}: redirected {share}%"
        );
        // The absent pair CCC → DDD stays zero.
        assert_eq!(cf.full.flows.get(2, 3), 0.0);
    }
}

#[test]
fn groups_agreements_and_intervals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "world.csv", WORLD);
    let spec = parse_scenario(&format!(
        "[data]\nfile = {:?}\nyear = 2020\n[elasticity]\ntheta = 4\nse = 0.5\n[uncertainty]\ndraws = 40\nseed = 3\n[[shock]]\ntype = \"agreement\"\nmembers = [\"AAA\", \"BBB\"]\nvariable = \"rta\"\nactive = false\ncoefficient = 0.5\n[report]\nexporter = \"AAA\"\nimporter = \"BBB\"\ngroups = [\"EU27\"]\n",
        file.display().to_string()
    ))
    .expect("parses");
    let out = run(spec).expect("runs");
    let s = &out.prepared.shocks[0];
    assert_eq!(s.pairs.len(), 2, "AAA→BBB and BBB→AAA had rta = 1");
    let d = out.diversion.as_ref().expect("focus");
    assert!(
        (d.direct.conditional_ratio - 1.0) < 0.0,
        "switching the agreement off lowers AAA → BBB"
    );
    let iv = out.intervals.as_ref().expect("intervals");
    assert_eq!(iv.draws + iv.failed, 40);
    let rows = out.result.country_results();
    for (k, r) in rows.iter().enumerate() {
        let (lo, hi) = iv.welfare[k];
        let w = r.welfare.full_change_pct();
        assert!(
            lo <= w + 1e-9 && w <= hi + 1e-9,
            "{}: {w} not in [{lo}, {hi}]",
            r.country
        );
    }
    // the same seed gives the same intervals
    let again = run(out_spec(&file)).expect("runs");
    let again2 = run(out_spec(&file)).expect("runs");
    assert!(again.intervals.is_some());
    assert_eq!(again.intervals, again2.intervals);
    // currency not given: the document says so
    let text = serde_json::to_string(&out.document).expect("json");
    assert!(text.contains("currency not given"), "{text}");
}

fn out_spec(file: &Path) -> ScenarioSpec {
    let mut spec = spec_for(file, "se = 0.4\n[uncertainty]\ndraws = 20\nseed = 9\n");
    spec.shocks.push(tariff("CCC", "AAA", 10.0));
    spec
}

#[test]
fn bad_scenarios_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "world.csv", WORLD);
    let class = |spec: ScenarioSpec| run(spec).expect_err("refused");
    // no shock
    let e = class(spec_for(&file, ""));
    assert_eq!(e.class, ErrorClass::Usage);
    assert!(e.message.contains("no shock"), "{}", e.message);
    // unknown country
    let mut s = spec_for(&file, "");
    s.shocks.push(tariff("ZZZ", "AAA", 10.0));
    let e = class(s);
    assert_eq!(e.class, ErrorClass::NotFound);
    assert!(
        e.message.contains("ZZZ") && e.message.contains("shock 1"),
        "{}",
        e.message
    );
    // no domestic sales
    let no_home: String = WORLD
        .lines()
        .filter(|l| !l.starts_with("CCC,CCC"))
        .map(|l| format!("{l}\n"))
        .collect();
    let f2 = write(dir.path(), "nohome.csv", &no_home);
    let mut s = spec_for(&f2, "");
    s.shocks.push(tariff("BBB", "AAA", 10.0));
    let e = class(s);
    assert_eq!(e.class, ErrorClass::BadInput);
    assert!(
        e.message.contains("CCC") && e.message.contains("sales to itself"),
        "{}",
        e.message
    );
    // a negative flow names the row and field
    let f3 = write(
        dir.path(),
        "neg.csv",
        &WORLD.replace("AAA,CCC,2020,40", "AAA,CCC,2020,-40"),
    );
    let mut s = spec_for(&f3, "");
    s.shocks.push(tariff("BBB", "AAA", 10.0));
    let e = class(s);
    assert_eq!(e.class, ErrorClass::BadInput);
    assert!(
        e.message.contains("line 4") && e.message.contains("field trade"),
        "{}",
        e.message
    );
    // a year not held
    let mut s = spec_for(&file, "");
    s.data.year = Some(1999);
    s.shocks.push(tariff("BBB", "AAA", 10.0));
    let e = class(s);
    assert_eq!(e.class, ErrorClass::NotFound);
    assert!(
        e.message.contains("1999") && e.message.contains("2020"),
        "{}",
        e.message
    );
    // two elasticities
    let mut s = spec_for(&file, "");
    s.elasticity.sigma = Some(5.0);
    s.shocks.push(tariff("BBB", "AAA", 10.0));
    assert_eq!(class(s).class, ErrorClass::Usage);
    // a tariff below −100%
    let mut s = spec_for(&file, "");
    s.shocks.push(tariff("BBB", "AAA", -120.0));
    assert_eq!(class(s).class, ErrorClass::Usage);
}

#[test]
fn us_tariff_on_china_with_the_yotov_data() {
    let Some(path) =
        entrepot_testdata::shared_file("us_tariff_on_china", "yotov_agtpa/agtpa_applications.csv")
    else {
        return;
    };
    let spec = parse_scenario(&format!(
        "[data]\nfile = {:?}\nyear = 2006\ncurrency = \"USD\"\nscale = \"millions\"\n[elasticity]\ntheta = 7.604\nse = 0.516\n[model]\nreference = \"DEU\"\nsolver = \"both\"\n[uncertainty]\ndraws = 30\n[[shock]]\ntype = \"tariff\"\nimporter = \"USA\"\nexporter = \"CHN\"\nchange_pp = 20\n",
        path.display().to_string()
    ))
    .expect("parses");
    let out = run(spec).expect("runs");
    assert_eq!(out.prepared.countries.len(), 69);
    let gap = out.solver_gap.expect("both");
    assert!(gap < 1e-6, "solvers differ by {gap}");
    let d = out.diversion.as_ref().expect("CHN → USA");
    // t̂ = 1.2^−7.604 = 0.2500: the direct flow falls by about three quarters
    let direct = d.direct.full_change_pct();
    assert!((-80.0..-65.0).contains(&direct), "CHN → USA {direct}%");
    let share = d.redirected_share_pct().expect("lost trade");
    assert!(share > 0.0 && share < 100.0, "redirected {share}%");
    let chn = out.result.country("CHN").expect("CHN");
    let usa = out.result.country("USA").expect("USA");
    assert!(chn.welfare.full_change_pct() < 0.0);
    assert!(usa.welfare.full_change_pct() < 0.0);
    // third countries sell more to the US
    assert!(d.replaced() > 0.0);
}

/// A progress report as a test keeps it: stage, done, total.
type Reported = (String, u64, Option<u64>);

/// A run on `flows` held in memory (no `[data]` source), with the progress hook.
fn run_in_memory(
    spec: ScenarioSpec,
    flows: entrepot_gravity::Dataset,
    progress: entrepot_core::Progress,
) -> entrepot_app::AppResult<entrepot_app::scenario::ScenarioOutput> {
    let dir = tempfile::tempdir().expect("tempdir");
    run_scenario(
        &StoreLocation::named(dir.path().join("store")),
        &ScenarioRequest {
            spec,
            flows: Some(std::sync::Arc::new(flows)),
            progress,
            ..ScenarioRequest::default()
        },
    )
}

#[test]
fn flows_in_memory_give_the_files_results_and_report_progress() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "world.csv", WORLD);
    let from_file = run(out_spec(&file)).expect("runs on the file");
    let table = entrepot_gravity::Dataset::from_csv_path(&file).expect("reads");
    let mut spec = out_spec(&file);
    spec.data.file = None;
    let seen: Arc<Mutex<Vec<Reported>>> = Arc::default();
    let s = Arc::clone(&seen);
    let hook = entrepot_core::Progress::new(move |p| {
        s.lock()
            .expect("not poisoned")
            .push((p.stage.to_string(), p.done, p.total))
    });
    let in_memory = run_in_memory(spec.clone(), table.clone(), hook).expect("runs in memory");
    assert_eq!(in_memory.result, from_file.result);
    assert_eq!(in_memory.intervals, from_file.intervals);
    assert_eq!(in_memory.prepared.source, "the flows table");
    let seen = seen.lock().expect("not poisoned").clone();
    let solving: Vec<u64> = seen
        .iter()
        .filter(|s| s.0 == entrepot_app::scenario::SOLVING)
        .map(|s| s.1)
        .collect();
    assert_eq!(solving, vec![0, 1], "{seen:?}");
    let draws: Vec<&Reported> = seen
        .iter()
        .filter(|s| s.0 == entrepot_app::scenario::DRAWS)
        .collect();
    assert_eq!(draws.len(), 21, "0 and one report per draw: {seen:?}");
    assert!(draws.iter().all(|d| d.2 == Some(20)));
    let mut counts: Vec<u64> = draws.iter().map(|d| d.1).collect();
    counts.sort_unstable();
    assert_eq!(counts, (0..=20).collect::<Vec<_>>());
    // A file and a table at once: which one is meant?
    let e = run_in_memory(out_spec(&file), table, entrepot_core::Progress::none())
        .expect_err("two sources");
    assert_eq!(e.class, ErrorClass::Usage);
    assert!(e.message.contains("as a table"), "{}", e.message);
    // Bad rows are named by their row in the table, from 1.
    let bad = WORLD.replace("AAA,CCC,2020,40,0", "AAA,CCC,2020,-40,0");
    let bad_file = write(dir.path(), "bad.csv", &bad);
    let bad_table = entrepot_gravity::Dataset::from_csv_path(&bad_file).expect("reads");
    let e =
        run_in_memory(spec, bad_table, entrepot_core::Progress::none()).expect_err("negative flow");
    assert_eq!(e.class, ErrorClass::BadInput);
    assert!(
        e.message
            .starts_with("the flows table, row 3, field trade: AAA → CCC in 2020 is -40"),
        "{}",
        e.message
    );
}
