//! Input that admits no counterfactual is refused with the error that says why, before
//! any iteration where it can be seen.

use entrepot_ge::{
    fit_two_way, replicate_yotov2016, solve_geppml, solve_hat, Baseline, Deficits, Elasticity,
    GeError, Matrix, Numeraire, Options, Shock, BOOK_STOP,
};

fn names(n: usize) -> Vec<String> {
    (0..n).map(|k| format!("C{k}")).collect()
}

fn flows3() -> Matrix {
    Matrix::new(3, vec![50.0, 10.0, 5.0, 8.0, 60.0, 7.0, 4.0, 9.0, 40.0]).expect("3×3")
}

fn costs3() -> Matrix {
    Matrix::new(3, vec![1.0, 0.1, 0.05, 0.1, 1.0, 0.08, 0.05, 0.08, 1.0]).expect("3×3")
}

fn options() -> Options {
    Options::new(Elasticity::Sigma(5.0), "C0")
}

#[test]
fn invalid_values_are_refused_with_the_pair_or_country() {
    let mut f = flows3();
    f.set(0, 1, -1.0);
    let e = Baseline::from_flows(names(3), &f, costs3()).unwrap_err();
    assert!(
        matches!(&e, GeError::InvalidValue { what: "flow", at, .. } if at == "C0 → C1"),
        "{e}"
    );
    let mut t = costs3();
    t.set(2, 1, f64::NAN);
    let e = Baseline::from_flows(names(3), &flows3(), t).unwrap_err();
    assert!(
        matches!(
            e,
            GeError::InvalidValue {
                what: "trade cost",
                ..
            }
        ),
        "{e}"
    );
    let e = Matrix::from_logs(1, vec![f64::NAN]).unwrap_err();
    assert!(matches!(e, GeError::InvalidValue { .. }), "{e}");
    assert_eq!(
        Matrix::from_logs(2, vec![0.0, f64::NEG_INFINITY, 0.0, 0.0])
            .expect("−∞ is a structural zero")
            .get(0, 1),
        0.0
    );
}

#[test]
fn shapes_names_and_elasticities_are_checked() {
    let e = Baseline::from_flows(names(2), &flows3(), costs3()).unwrap_err();
    assert!(matches!(e, GeError::Dimension { .. }), "{e}");
    let e = Matrix::new(2, vec![1.0; 3]).unwrap_err();
    assert!(matches!(e, GeError::Dimension { .. }), "{e}");
    let dup = vec!["A".to_string(), "B".to_string(), "A".to_string()];
    let e = Baseline::from_flows(dup, &flows3(), costs3()).unwrap_err();
    assert_eq!(e, GeError::DuplicateCountry("A".into()));
    assert_eq!(
        Baseline::from_totals(vec![], vec![], vec![], Matrix::filled(0, 0.0)).unwrap_err(),
        GeError::Empty
    );
    let b = Baseline::from_flows(names(3), &flows3(), costs3()).expect("baseline");
    let none = Shock::none(3);
    let e = solve_hat(&b, &none, &Options::new(Elasticity::Sigma(1.0), "C0")).unwrap_err();
    assert_eq!(e, GeError::InvalidElasticity(1.0));
    let e = solve_geppml(&b, &none, &Options::new(Elasticity::Theta(-2.0), "C0")).unwrap_err();
    assert_eq!(e, GeError::InvalidElasticity(-1.0));
    let e = solve_hat(&b, &none, &Options::new(Elasticity::Sigma(5.0), "XXX")).unwrap_err();
    assert_eq!(e, GeError::UnknownCountry("XXX".into()));
    let bad = Options {
        tolerance: 0.0,
        ..options()
    };
    assert!(matches!(
        solve_hat(&b, &none, &bad),
        Err(GeError::InvalidOption(_))
    ));
    let e = solve_hat(&b, &Shock::Changes(Matrix::filled(2, 1.0)), &options()).unwrap_err();
    assert!(matches!(e, GeError::Dimension { .. }), "{e}");
}

#[test]
fn economies_without_an_equilibrium_are_refused_up_front() {
    // A country that produces nothing.
    let mut f = flows3();
    for j in 0..3 {
        f.set(1, j, 0.0);
    }
    assert_eq!(
        Baseline::from_flows(names(3), &f, costs3()).unwrap_err(),
        GeError::ZeroOutput("C1".into())
    );
    // A country whose trade costs reach no market.
    let mut t = costs3();
    for j in 0..3 {
        t.set(2, j, 0.0);
    }
    let e = Baseline::from_flows(names(3), &flows3(), t).unwrap_err();
    assert!(
        matches!(
            e,
            GeError::Isolated {
                side: "exporter",
                ..
            }
        ),
        "{e}"
    );
    // Two groups that never trade with each other.
    let t = Matrix::new(3, vec![1.0, 0.5, 0.0, 0.5, 1.0, 0.0, 0.0, 0.0, 1.0]).expect("3×3");
    let e = Baseline::from_flows(names(3), &flows3(), t).unwrap_err();
    assert!(
        matches!(&e, GeError::Disconnected { groups: 2, example } if example == "C2"),
        "{e}"
    );
    // World output ≠ world expenditure.
    let e = Baseline::from_totals(names(3), vec![1.0, 2.0, 3.0], vec![1.0, 2.0, 4.0], costs3())
        .unwrap_err();
    assert!(matches!(e, GeError::WorldImbalance { .. }), "{e}");
    // Balanced trade asked for a baseline with deficits.
    let b = Baseline::from_flows(names(3), &flows3(), costs3()).expect("baseline");
    let balanced = Options {
        deficits: Deficits::Balanced,
        ..options()
    };
    let e = solve_geppml(&b, &Shock::none(3), &balanced).unwrap_err();
    assert!(matches!(e, GeError::Unbalanced { .. }), "{e}");
}

#[test]
fn hat_algebra_cannot_open_a_trade_link_but_geppml_can() {
    let mut t = costs3();
    t.set(0, 2, 0.0);
    let mut f = flows3();
    f.set(0, 2, 0.0);
    let b = Baseline::from_flows(names(3), &f, t).expect("baseline");
    let mut t1 = b.costs().clone();
    t1.set(0, 2, 0.05);
    let shock = Shock::NewCosts(t1);
    let e = solve_hat(&b, &shock, &options()).unwrap_err();
    assert_eq!(
        e,
        GeError::NewTradeLink {
            exporter: "C0".into(),
            importer: "C2".into()
        }
    );
    let cf = solve_geppml(&b, &shock, &options()).expect("GEPPML opens the link");
    assert!(cf.full.flows.get(0, 2) > 0.0);
    assert_eq!(cf.baseline.flows.get(0, 2), 0.0);
    assert!(cf.full.adding_up_gap() < 1e-9);
}

#[test]
fn additive_deficits_that_cannot_be_financed_are_reported() {
    // C1 runs a surplus of half its output; the shock all but shuts its exports, so its
    // output falls below the surplus it must keep paying.
    let f = Matrix::new(2, vec![10.0, 1.0, 50.0, 50.0]).expect("2×2");
    let b = Baseline::from_flows(names(2), &f, Matrix::filled(2, 1.0)).expect("baseline");
    let mut h = Matrix::filled(2, 1.0);
    h.set(1, 0, 1e-6);
    let opts = Options {
        deficits: Deficits::Additive,
        numeraire: Numeraire::ProducerPrice,
        ..options()
    };
    for r in [
        solve_hat(&b, &Shock::Changes(h.clone()), &opts),
        solve_geppml(&b, &Shock::Changes(h.clone()), &opts),
    ] {
        assert!(
            matches!(r, Err(GeError::NegativeExpenditure { .. })),
            "{:?}",
            r.err()
        );
    }
    // Multiplicative deficits scale down with output: an equilibrium exists.
    let mult = Options {
        deficits: Deficits::Multiplicative,
        ..opts
    };
    assert!(solve_hat(&b, &Shock::Changes(h), &mult).is_ok());
}

#[test]
fn the_book_procedure_only_runs_with_the_books_options() {
    let b = Baseline::from_flows(names(3), &flows3(), costs3()).expect("baseline");
    let mut h = Matrix::filled(3, 1.0);
    h.set(0, 1, 2.0);
    let additive = Options {
        deficits: Deficits::Additive,
        ..options()
    };
    let e = replicate_yotov2016(&b, &Shock::Changes(h.clone()), &additive, BOOK_STOP);
    assert!(matches!(e, Err(GeError::Unsupported(_))));
    let e = replicate_yotov2016(&b, &Shock::Changes(h), &options(), 0.0);
    assert!(matches!(e, Err(GeError::InvalidOption(_))));
}

#[test]
fn infeasible_totals_make_the_fixed_effect_fit_fail() {
    // Exporter 0 can only sell to importer 0, which buys less than it sells.
    let t = Matrix::new(2, vec![1.0, 0.0, 1.0, 1.0]).expect("2×2");
    let (rows, cols) = ([10.0, 1.0], [2.0, 9.0]);
    let e = entrepot_ge::fit_two_way_totals(&rows, &cols, &t, 0, 1e-12, None);
    assert!(matches!(e, Err(GeError::NotConverged { .. })), "{e:?}");
    // A negative dependent variable is refused.
    let y = Matrix::new(2, vec![10.0, 0.0, -1.0, 9.0]).expect("2×2");
    let e = fit_two_way(&y, &t, 0, 1e-12);
    assert!(matches!(e, Err(GeError::InvalidValue { .. })), "{e:?}");
}
