//! The analysis endpoints (decompose, dependence, mirror, reroute, edge, complexity,
//! tariff, scenario) answer with the application layer's document, and refuse bad
//! parameters with the right status.

mod common;
use common::*;
use entrepot_app::StoreLocation;

fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("thread")
}

fn as_json(doc: &entrepot_app::Document) -> serde_json::Value {
    serde_json::from_str(&entrepot_report::render_json(doc)).expect("json")
}

#[tokio::test]
async fn decompose_dependence_mirror_and_reroute_are_the_application_layers_documents() {
    let (dir, app) = flows_server();
    let store = dir.path().join("store");
    let loc = StoreLocation::named(&store);
    let r = get(&app, "/api/v1/decompose/CHN?from=2024-01&to=2025-01").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let req = entrepot_app::decompose::DecomposeRequest {
        reporter: "CHN".into(),
        dataset: None,
        flow: entrepot_core::FlowKind::Export,
        by: None,
        hs_level: 6,
        from: "2024-01".into(),
        to: "2025-01".into(),
        top: 10,
    };
    let l = loc.clone();
    let doc = off_runtime(move || entrepot_app::decompose::decompose(&l, &req).map(|o| o.document))
        .expect("decompose");
    assert_eq!(r.json(), as_json(&doc));
    assert_eq!(
        get(&app, "/api/v1/decompose/CHN?from=2024").await.status,
        400
    );
    assert_eq!(
        get(&app, "/api/v1/decompose/CHN?from=2024&to=2025&by=sideways")
            .await
            .status,
        400
    );

    let r = get(&app, "/api/v1/dependence/CHN/USA").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let req = entrepot_app::dependence::DependenceRequest {
        reporter: "CHN".into(),
        partner: "USA".into(),
        dataset: None,
        from: None,
        to: None,
        period: None,
        level: 6,
        threshold: 0.5,
        top: 10,
    };
    let l = loc.clone();
    let doc =
        off_runtime(move || entrepot_app::dependence::dependence(&l, &req).map(|o| o.document))
            .expect("dependence");
    assert_eq!(r.json(), as_json(&doc));
    assert_eq!(
        get(&app, "/api/v1/dependence/CHN/USA?threshold=2")
            .await
            .status,
        400
    );
    assert_eq!(
        get(&app, "/api/v1/dependence/CHN/USA?level=5").await.status,
        400
    );

    let r = get(&app, "/api/v1/mirror/CHN/USA").await;
    let req = entrepot_app::mirror::MirrorRequest {
        reporter: "CHN".into(),
        partner: "USA".into(),
        dataset: None,
        against: None,
        from: None,
        to: None,
        period: None,
        level: 6,
        top: 10,
    };
    let l = loc.clone();
    match off_runtime(move || entrepot_app::mirror::mirror(&l, &req).map(|o| o.document)) {
        Ok(doc) => {
            assert_eq!(r.status, 200, "{}", r.text());
            assert_eq!(r.json(), as_json(&doc));
        }
        Err(e) => {
            assert_ne!(r.status, 200);
            assert!(
                r.text().contains(&e.message[..e.message.len().min(40)]),
                "{}",
                r.text()
            );
        }
    }

    let r = get(&app, "/api/v1/reroute/CHN/USA?after=2024").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let req = entrepot_app::reroute::RerouteRequest {
        reporter: "CHN".into(),
        target: "USA".into(),
        after: 2024,
        to: None,
        dataset: None,
        level: None,
        top: 25,
    };
    let l = loc.clone();
    let doc = off_runtime(move || entrepot_app::reroute::reroute(&l, &req).map(|o| o.document))
        .expect("reroute");
    assert_eq!(r.json(), as_json(&doc));
    assert_eq!(get(&app, "/api/v1/reroute/CHN/USA").await.status, 400);
}

#[tokio::test]
async fn a_scenario_on_stored_data_is_the_application_layers_document() {
    let (dir, app) = flows_server();
    let json = [("content-type", "application/json")];
    let body = serde_json::json!({
        "data": { "sql": WORLD_SQL, "year": 2020, "currency": "USD" },
        "elasticity": { "theta": 4.0, "se": 0.5 },
        "uncertainty": { "draws": 20, "seed": 5 },
        "shock": [{ "type": "tariff", "importer": "BBB", "exporter": "AAA", "change_pp": 20.0 }]
    });
    let r = send(&app, "POST", "/api/v1/scenario", &json, &body.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let spec: entrepot_app::scenario::spec::ScenarioSpec =
        serde_json::from_value(body.clone()).expect("spec");
    let store = dir.path().join("store");
    let doc = off_runtime(move || {
        entrepot_app::scenario::run_scenario(
            &StoreLocation::named(store),
            &entrepot_app::scenario::ScenarioRequest {
                spec,
                groups_file: None,
                memory_limit: Some(1 << 30),
                ..Default::default()
            },
        )
        .map(|o| o.document)
    })
    .expect("scenario");
    assert_eq!(r.json(), as_json(&doc));
    assert_eq!(r.json()["kind"], "scenario");
    // cached: the same bytes again
    let again = send(&app, "POST", "/api/v1/scenario", &json, &body.to_string()).await;
    assert_eq!(again.body, r.body);
    let mut with_file = body.clone();
    with_file["data"] = serde_json::json!({ "file": "/etc/passwd", "year": 2020 });
    let mut bad_type = body.clone();
    bad_type["shock"][0]["type"] = "tarif".into();
    let mut unknown = body.clone();
    unknown["shock"][0]["importer"] = "ZZZ".into();
    let mut many = body.clone();
    many["uncertainty"]["draws"] = 5000.into();
    for (b, status, says) in [
        (with_file, 400, "stored data only"),
        (bad_type, 400, "tarif"),
        (unknown, 404, "ZZZ"),
        (many, 400, "at most 1000"),
    ] {
        let r = send(&app, "POST", "/api/v1/scenario", &json, &b.to_string()).await;
        assert_eq!(r.status, status, "{}", r.text());
        assert!(r.text().contains(says), "{}", r.text());
    }
}

/// The server's answer is the application layer's: its document, or its error.
fn same_as_app(r: &Reply, app: entrepot_app::AppResult<entrepot_app::Document>, what: &str) {
    match app {
        Ok(doc) => {
            assert_eq!(r.status, 200, "{what}: {}", r.text());
            assert_eq!(r.json(), as_json(&doc), "{what}");
        }
        Err(e) => {
            assert_ne!(r.status, 200, "{what}");
            let head: String = e.message.chars().take(40).collect();
            assert!(
                r.text().contains(&head),
                "{what}: {} vs {}",
                r.text(),
                e.message
            );
        }
    }
}

#[tokio::test]
async fn edge_complexity_and_tariff_are_the_application_layers_documents() {
    let (dir, app) = product_server();
    let loc = StoreLocation::named(dir.path().join("store"));

    let r = get(&app, "/api/v1/edge/CHN?basket=solar_cells").await;
    let req = entrepot_app::edge::EdgeRequest {
        reporter: "CHN".into(),
        selection: entrepot_app::edge::Selection::Basket("solar_cells".into()),
        top: 10,
        ..Default::default()
    };
    let l = loc.clone();
    same_as_app(
        &r,
        off_runtime(move || entrepot_app::edge::edge(&l, &req).map(|o| o.document)),
        "edge",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        get(&app, "/api/v1/edge/CHN?basket=solar_cells&products=854140")
            .await
            .status,
        400
    );

    let r = get(&app, "/api/v1/complexity?year=2024").await;
    let req = entrepot_app::complexity::ComplexityRequest {
        source: entrepot_app::complexity::Source::Store { dataset: None },
        year: Some(2024),
        reporter: None,
        options: entrepot_app::complexity::Options::default(),
        top: 20,
    };
    let l = loc.clone();
    same_as_app(
        &r,
        off_runtime(move || entrepot_app::complexity::complexity(&l, &req).map(|o| o.document)),
        "complexity",
    );
    assert_eq!(
        get(&app, "/api/v1/complexity?rca_threshold=-1")
            .await
            .status,
        400
    );

    let r = get(&app, "/api/v1/tariff/USA?on=CHN&points=20&sigma=2").await;
    let req = entrepot_app::tariff::TariffRequest {
        importers: vec!["USA".into()],
        exporters: vec!["CHN".into()],
        points: 20.0,
        baseline_tariff: 0.0,
        products: entrepot_app::tariff::ProductChoice::All,
        year: None,
        dataset: None,
        elasticities: None,
        sigma: Some(2.0),
        fallback_sigma: entrepot_app::tariff::SMART_SUBSTITUTION_ELASTICITY,
        not_significant: entrepot_app::tariff::NotSignificantPolicy::UseEstimate,
        import_demand_elasticity: -1.0,
        groups_file: None,
        baskets_file: None,
        top: 25,
    };
    let l = loc.clone();
    same_as_app(
        &r,
        off_runtime(move || entrepot_app::tariff::tariff(&l, &req).map(|o| o.document)),
        "tariff",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    for (uri, says) in [
        ("/api/v1/tariff/USA?points=20&sigma=2", "on is required"),
        ("/api/v1/tariff/USA?on=CHN&sigma=2", "points is required"),
        ("/api/v1/tariff/USA?on=CHN&points=20", "sigma is required"),
        (
            "/api/v1/tariff/USA?on=CHN&points=20&sigma=2&basket=solar_cells&products=854140",
            "not both",
        ),
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, 400, "{uri}: {}", r.text());
        assert!(r.text().contains(says), "{uri}: {}", r.text());
    }
}
