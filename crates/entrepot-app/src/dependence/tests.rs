//! The side and coverage rules of the dependence figures, and the report document,
//! on hand-made cells.

use super::*;

fn covered(within: f64) -> Coverage {
    Coverage {
        reporters: 2,
        others: 10,
        within,
    }
}

/// Cells of two countries in 2020: AFG reports no imports (mirror), ZAF reports its
/// exports; `within` decides the coverage.
fn held(within: f64) -> Held {
    let mut h = Held::default();
    let t = ProductId::TOTAL;
    let k = ProductId::parse(entrepot_core::HsRevision::Hs2017, "010121").expect("code");
    for (c, f, p, v, s) in [
        ("AFG", FlowKind::Import, t, 400.0, Side::Mirror),
        ("AFG", FlowKind::Import, k, 100.0, Side::Mirror),
        ("ZAF", FlowKind::Export, t, 1000.0, Side::Reported),
        ("ZAF", FlowKind::Export, k, 200.0, Side::Reported),
        ("ZAF", FlowKind::Import, t, 500.0, Side::Mirror),
        ("AFG", FlowKind::Export, t, 50.0, Side::Reported),
    ] {
        h.totals.insert((c.into(), f, 2020, p), (v, s));
    }
    for (r, p, f, prod, s, v) in [
        ("AFG", "ZAF", FlowKind::Import, t, Side::Mirror, 80.0),
        ("AFG", "ZAF", FlowKind::Import, k, Side::Mirror, 60.0),
        ("ZAF", "AFG", FlowKind::Export, t, Side::Reported, 80.0),
        ("ZAF", "AFG", FlowKind::Export, k, Side::Reported, 60.0),
    ] {
        h.pair.insert((r.into(), p.into(), f, 2020, prod, s), v);
    }
    h.any_product = true;
    h.coverage.insert(2020, covered(within));
    if within >= WORLD_COVERAGE {
        h.world.insert(2020, 5000.0);
    }
    h
}

#[test]
fn reported_totals_are_used_and_mirror_totals_only_where_the_world_is_covered() {
    let h = held(0.5);
    assert_eq!(
        total(&h, "ZAF", FlowKind::Export, 2020, ProductId::TOTAL),
        Ok((1000.0, Side::Reported))
    );
    let e = total(&h, "AFG", FlowKind::Import, 2020, ProductId::TOTAL).unwrap_err();
    assert!(e.contains("AFG's imports in 2020 are not held"), "{e}");
    assert!(e.contains("2 reporters do not cover world trade"), "{e}");
    let h = held(0.95);
    assert_eq!(
        total(&h, "AFG", FlowKind::Import, 2020, ProductId::TOTAL),
        Ok((400.0, Side::Mirror))
    );
    // a product the country does not trade: zero when it reports the flow, or the
    // world is covered; not held otherwise
    let other = ProductId::parse(entrepot_core::HsRevision::Hs2017, "020110").expect("code");
    assert_eq!(
        total(&held(0.5), "ZAF", FlowKind::Export, 2020, other),
        Ok((0.0, Side::Reported))
    );
    assert!(total(&held(0.5), "AFG", FlowKind::Import, 2020, other).is_err());
    // a product a reporting country reports none of, held only as a mirror figure
    let mut h = held(0.5);
    h.totals.insert(
        ("ZAF".into(), FlowKind::Export, 2020, other),
        (5.0, Side::Mirror),
    );
    let e = total(&h, "ZAF", FlowKind::Export, 2020, other).unwrap_err();
    assert!(e.contains("ZAF reports none of 020110"), "{e}");
    assert_eq!(
        total(&held(0.95), "AFG", FlowKind::Import, 2020, other),
        Ok((0.0, Side::Mirror))
    );
}

#[test]
fn shares_chokepoints_and_intensity_follow_the_coverage() {
    // Not covered: the export share only; the import share, the asymmetry and the
    // intensity are absent with the reason; no chokepoint can be listed.
    let h = held(0.5);
    let p = direction_products(&h, "ZAF", "AFG", 2020, 0.5).unwrap();
    assert_eq!(p.products.len(), 1);
    assert_eq!(p.products[0].export_share, Ok(0.3));
    assert!(p.products[0].import_share.is_err());
    assert!(p.chokepoints.is_err());
    let y = direction_year(&h, "ZAF", "AFG", 2020, &p, 6).unwrap();
    assert_eq!(y.export_share, Ok(0.08));
    assert!(y.import_share.is_err() && y.asymmetry.is_err() && y.intensity.is_err());
    assert!(y.chokepoints.is_err());
    // Covered: 80/400 of AFG's imports, 60/100 of its imports of 010121 (a chokepoint
    // at 0.5), TII = (80/1000) / (400/(5000 − 500)).
    let h = held(0.95);
    let p = direction_products(&h, "ZAF", "AFG", 2020, 0.5).unwrap();
    assert_eq!(p.products[0].import_share, Ok(0.6));
    assert_eq!(p.chokepoints, Ok(vec![0]));
    let y = direction_year(&h, "ZAF", "AFG", 2020, &p, 6).unwrap();
    assert_eq!(y.import_share, Ok(0.2));
    assert!((y.asymmetry.clone().unwrap() - 0.12).abs() < 1e-15);
    let tii = 0.08 / (400.0 / 4500.0);
    assert!((y.intensity.clone().unwrap() - tii).abs() < 1e-12);
    assert_eq!(y.chokepoints, Ok((1, 60.0)));
    // At 0.6 the product is not more than the threshold.
    let p = direction_products(&h, "ZAF", "AFG", 2020, 0.6).unwrap();
    assert_eq!(p.chokepoints, Ok(vec![]));
}

#[test]
fn the_document_is_consistent_and_says_why_figures_are_absent() {
    let h = held(0.5);
    let req = DependenceRequest {
        reporter: "ZAF".into(),
        partner: "AFG".into(),
        ..Default::default()
    };
    let mut years = Vec::new();
    let mut products = Vec::new();
    for (s, b) in [("ZAF", "AFG"), ("AFG", "ZAF")] {
        let p = direction_products(&h, s, b, 2020, 0.5).unwrap();
        years.push(direction_year(&h, s, b, 2020, &p, 6).unwrap());
        products.push(p);
    }
    let basis = DataBasis::default();
    let d = document::document(&document::Inputs {
        reporter: "ZAF",
        partner: "AFG",
        dataset: "d",
        req: &req,
        years: &years,
        products: &products,
        coverage: &h.coverage,
        basis: &basis,
        any_product: true,
    });
    d.validate().expect("consistent");
    assert_eq!(d.kind, DOCUMENT_KIND);
    let t = d.tables().find(|t| t.id == "dependence").expect("table");
    assert_eq!(t.rows.len(), 2);
    let col = |k: &str| t.columns.iter().position(|c| c.key == k).expect(k);
    match &t.rows[0].cells[col("import_share")] {
        entrepot_doc::Cell::Missing { reason } => assert!(reason.contains("not held")),
        c => panic!("{c:?}"),
    }
    match &t.rows[0].cells[col("export_share")] {
        entrepot_doc::Cell::Number { value, .. } => assert!((value - 8.0).abs() < 1e-12),
        c => panic!("{c:?}"),
    }
    assert!(d.tables().any(|t| t.id == "dependence-products-ZAF-AFG"));
    assert!(!d
        .tables()
        .any(|t| t.id.starts_with("dependence-chokepoints")));
    let text = format!("{d:?}");
    assert!(text.contains("Not covering world trade"));
    assert!(text.contains("Kojima 1964"));
}
