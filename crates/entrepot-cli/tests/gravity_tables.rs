//! `entrepot gravity fit` for replicating published tables: several models side by side
//! (repeated `--formula`), the intercept beside fixed effects (`--intercept`), reghdfe's
//! degrees of freedom (`--ssc reghdfe`), and suggestions for an unknown column.
//!
//! The acceptance test prints Table 1 (columns 1–4) of Yotov, Piermartini, Monteiro and
//! Larch (2016), *An Advanced Guide to Trade Policy Analysis*, p. 42, as one table from
//! one command and checks every published coefficient and standard error to its printed
//! precision (values as listed in the shared data's SOURCES.md).

mod common;
use common::*;

use std::path::Path;
use std::process::Output;

#[track_caller]
fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    stdout(o)
}

const YEARS_4: &str = "year in 1986,1990,1994,1998,2002,2006";
const LN_Y: &str = "log(total(trade, exporter, year))";
const LN_E: &str = "log(total(trade, importer, year))";
/// Exporter remoteness `ln Σ_j dist_ij / (E_j / E)` and importer remoteness
/// `ln Σ_i dist_ij / (Y_i / Y)` (the book's do-file; world output = expenditure = total
/// trade of the year, domestic flows included).
const REM_EXP: &str =
    "log(total(dist * total(trade, year) / total(trade, importer, year), exporter, year))";
const REM_IMP: &str =
    "log(total(dist * total(trade, year) / total(trade, exporter, year), importer, year))";

/// The four formulas of Table 1, in column order.
fn table1_formulas() -> [String; 4] {
    let base = "log(dist) + cntg + lang + clny";
    let fe = "| exporter^year + importer^year";
    [
        format!("log(trade) ~ {base} + {LN_Y} + {LN_E}"),
        format!("log(trade) ~ {base} + {LN_Y} + {LN_E} + {REM_EXP} + {REM_IMP}"),
        format!("log(trade) ~ {base} {fe}"),
        format!("trade ~ {base} {fe}"),
    ]
}

/// `gravity fit` arguments for Table 1 on `data`, printed with `out` (e.g. `--markdown`).
fn table1_args(data: &Path, out: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "gravity".into(),
        "fit".into(),
        "--data".into(),
        data.display().to_string(),
    ];
    for (f, m) in table1_formulas().iter().zip(["ols", "ols", "ols", "ppml"]) {
        a.extend(["--formula".into(), f.clone(), "--model".into(), m.into()]);
    }
    for x in [
        "--filter",
        "exporter != importer",
        "--filter",
        YEARS_4,
        "--cluster",
        "pair_id",
        "--ssc",
        "stata",
    ] {
        a.push(x.into());
    }
    a.extend(out.iter().map(|s| s.to_string()));
    a
}

/// Parses the long CSV of a side-by-side table: (model, term) → (estimate, std. error, N).
fn parse_csv(csv: &str) -> Vec<(usize, String, f64, f64, usize)> {
    let mut out = Vec::new();
    for line in csv.lines().skip(1) {
        // the term may be quoted (it holds commas): model,"term",estimate,se,z,p,nobs,est
        let (model, rest) = line.split_once(',').expect("model column");
        let (term, rest) = if let Some(r) = rest.strip_prefix('"') {
            let end = r.find("\",").expect("closing quote");
            (r[..end].replace("\"\"", "\""), &r[end + 2..])
        } else {
            let (t, r) = rest.split_once(',').expect("term column");
            (t.to_string(), r)
        };
        let f: Vec<&str> = rest.split(',').collect();
        out.push((
            model.parse().expect("model number"),
            term,
            f[0].parse().expect("estimate"),
            f[1].parse().unwrap_or(f64::NAN),
            f[4].parse().expect("nobs"),
        ));
    }
    out
}

/// Asserts `|got - want| <= 0.5 * 10^-decimals` (equal when printed to `decimals`).
#[track_caller]
fn assert_printed(what: &str, got: f64, want: f64, decimals: i32) {
    let tol = 0.5 * 10f64.powi(-decimals) + 1e-12;
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.10}, published {want} (to {decimals} decimals)"
    );
}

#[test]
fn yotov_table1_columns_1_to_4_as_one_table_from_one_command() {
    let data = entrepot_testdata::require_shared_data!("yotov_agtpa/agtpa_applications.csv");
    let store = tempfile::tempdir().expect("tempdir");
    // --format is global: it goes before the subcommand
    let args = table1_args(&data, &[]);
    let mut csv_args: Vec<&str> = vec!["--format", "csv"];
    csv_args.extend(args.iter().map(String::as_str));
    let csv = ok(&run(store.path(), &csv_args));
    let rows = parse_csv(&csv);
    let get = |model: usize, term: &str| {
        rows.iter()
            .find(|r| r.0 == model && r.1 == term)
            .map(|r| (r.2, r.3, r.4))
            .unwrap_or_else(|| panic!("no {term} in model {model}:\n{csv}"))
    };
    // Published Table 1 (p. 42): estimate (standard error), clustered by pair.
    let published: [(&str, [(f64, f64); 4]); 4] = [
        (
            "log(dist)",
            [
                (-1.002, 0.027),
                (-1.185, 0.031),
                (-1.216, 0.038),
                (-0.841, 0.032),
            ],
        ),
        (
            "cntg",
            [
                (0.574, 0.185),
                (0.247, 0.177),
                (0.223, 0.199),
                (0.437, 0.083),
            ],
        ),
        (
            "lang",
            [
                (0.802, 0.082),
                (0.739, 0.078),
                (0.661, 0.081),
                (0.247, 0.077),
            ],
        ),
        (
            "clny",
            [
                (0.735, 0.144),
                (0.842, 0.150),
                (0.670, 0.147),
                (-0.222, 0.116),
            ],
        ),
    ];
    for (term, cols) in published {
        for (m, (b, se)) in cols.iter().enumerate() {
            let (gb, gs, _) = get(m + 1, term);
            assert_printed(&format!("({}) {term}", m + 1), gb, *b, 3);
            assert_printed(&format!("({}) se {term}", m + 1), gs, *se, 3);
        }
    }
    for (m, ln_y, ln_e) in [(1, 1.190, 0.908), (2, 1.164, 0.903)] {
        assert_printed(&format!("({m}) ln Y"), get(m, LN_Y).0, ln_y, 3);
        assert_printed(&format!("({m}) ln E"), get(m, LN_E).0, ln_e, 3);
    }
    for (m, n) in [(1, 25_689), (2, 25_689), (3, 25_689), (4, 28_152)] {
        assert_eq!(get(m, "cntg").2, n, "N of model {m}");
    }

    // The same table through the report document: one table, four model columns.
    let md = ok(&run(
        store.path(),
        &table1_args(&data, &["--markdown"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    ));
    let header = md
        .lines()
        .find(|l| l.contains("(1) OLS (log(trade))"))
        .expect("a header row with the four models");
    assert!(header.contains("(4) PPML (trade)"), "{header}");
    assert_eq!(md.matches("(1) OLS (log(trade))").count(), 1, "{md}");
    let dist = md.lines().find(|l| l.starts_with("| log(dist) |")).unwrap();
    for cell in ["-1.002", "(0.027)", "-1.185", "-1.216", "-0.841", "(0.032)"] {
        assert!(dist.contains(cell), "{cell} not in {dist}");
    }
    let text = ok(&run(
        store.path(),
        &table1_args(&data, &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    ));
    assert!(text.contains("(4) PPML (trade)") && text.contains("-0.841*** (0.032)"));
    let latex = ok(&run(
        store.path(),
        &table1_args(&data, &["--latex"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    ));
    assert!(latex.contains("\\begin{tabular}"), "{latex}");
    assert_eq!(latex.matches("\\begin{tabular}").count(), 1, "{latex}");
    assert!(latex.contains("-0.841"), "{latex}");
    let html = ok(&run(
        store.path(),
        &table1_args(&data, &["--html"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    ));
    assert!(html.contains("<table") && html.contains("-1.216"), "{html}");
}

#[test]
fn intercept_and_reghdfe_degrees_of_freedom_on_table1_column3() {
    let data = entrepot_testdata::require_shared_data!("yotov_agtpa/agtpa_applications.csv");
    let store = tempfile::tempdir().expect("tempdir");
    let d = data.display().to_string();
    let col3 = "log(trade) ~ log(dist) + cntg + lang + clny | exporter^year + importer^year";
    let fit = |ssc: &str, extra: &[&str]| {
        let mut a = vec![
            "--format",
            "csv",
            "gravity",
            "fit",
            "--data",
            &d,
            "--formula",
            col3,
            "--model",
            "ols",
            "--filter",
            YEARS_4,
            "--filter",
            "exporter != importer",
            "--cluster",
            "pair_id",
            "--ssc",
            ssc,
        ];
        a.extend_from_slice(extra);
        ok(&run(store.path(), &a))
    };
    let se = |csv: &str| -> f64 {
        let line = csv.lines().find(|l| l.starts_with("log(dist),")).unwrap();
        line.split(',').nth(2).unwrap().parse().unwrap()
    };
    let stata = fit("stata", &[]);
    let reghdfe = fit("reghdfe", &[]);
    // published (stata: G/(G-1) only) 0.038; reghdfe's (N-1)/(N-K) makes it larger
    assert_printed("se log(dist) stata", se(&stata), 0.038, 3);
    assert!(se(&reghdfe) > se(&stata) * 1.01, "{reghdfe}");
    // --intercept: the constant beside the fixed effects, with its standard error
    let text = {
        let a = [
            "gravity",
            "fit",
            "--data",
            &d,
            "--formula",
            col3,
            "--model",
            "ols",
            "--filter",
            YEARS_4,
            "--filter",
            "exporter != importer",
            "--cluster",
            "pair_id",
            "--intercept",
        ];
        ok(&run(store.path(), &a))
    };
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("(Intercept)"))
        .unwrap_or_else(|| panic!("no intercept row:\n{text}"));
    assert!(row.contains("13.08"), "{row}");
    // PPML prints corr(y, fit)^2 beside the pseudo-R2
    let ppml = ok(&run(
        store.path(),
        &[
            "gravity",
            "fit",
            "--data",
            &d,
            "--formula",
            "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year",
            "--filter",
            YEARS_4,
            "--filter",
            "exporter != importer",
        ],
    ));
    assert!(
        ppml.contains("Pseudo-R2") && ppml.contains("R2 (corr(y, fitted)^2)"),
        "{ppml}"
    );
}

#[test]
fn unknown_columns_suggest_the_closest_names_and_exit_4() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("t.csv");
    std::fs::write(
        &csv,
        "exporter,importer,trade,dist,lang\nA,B,1,2,0\nB,A,2,3,1\nA,C,3,1,0\nC,A,4,2,1\n",
    )
    .unwrap();
    let d = csv.display().to_string();
    for (flag, value, wrong, right) in [
        ("--formula", "trade ~ lnag", "lnag", "lang"),
        ("--filter", "distt > 1", "distt", "dist"),
        ("--cluster", "exportr", "exportr", "exporter"),
    ] {
        let mut a = vec!["gravity", "fit", "--data", &d];
        if flag == "--formula" {
            a.extend(["--formula", value]);
        } else {
            a.extend(["--formula", "trade ~ dist", flag, value]);
        }
        let o = run(dir.path(), &a);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(4), "{flag}: {err}");
        assert!(err.contains(&format!("unknown column `{wrong}`")), "{err}");
        assert!(err.contains(&format!("did you mean `{right}`")), "{err}");
    }
    // several formulas: the model at fault is named
    let o = run(
        dir.path(),
        &[
            "gravity",
            "fit",
            "--data",
            &d,
            "--formula",
            "trade ~ dist",
            "--formula",
            "trade ~ dst",
        ],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean `dist`"), "{}", stderr(&o));
    // --model must be given once or once per formula
    let o = run(
        dir.path(),
        &[
            "gravity",
            "fit",
            "--data",
            &d,
            "--formula",
            "trade ~ dist",
            "--formula",
            "trade ~ lang",
            "--formula",
            "trade ~ dist + lang",
            "--model",
            "ols",
            "--model",
            "ppml",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("once per formula"), "{}", stderr(&o));
}
