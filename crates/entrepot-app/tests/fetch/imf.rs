//! IMF International Trade in Goods by partner (IMTS): SDMX-CSV 1.0 answers as the
//! SDMX 2.1 REST API documents them, and SDMX error messages.

use super::{cell, flows, options, store, store_is_empty};
use entrepot_app::fetch::imf::{fetch_imf, ImfRequest};
use entrepot_app::ErrorClass;
use entrepot_fetch::replay::{ReplayServer, Reply, Request};

const PARTNERS: [&str; 5] = ["USA", "IND", "DEU", "G001", "G110"];
const MONTHS: [&str; 3] = ["2024-01", "2024-02", "2024-03"];

fn value(partner: usize, indicator: usize, month: usize) -> f64 {
    1000.0 + partner as f64 * 100.0 + indicator as f64 * 10.0 + month as f64 + 0.25
}

/// The SDMX-CSV 1.0 answer for a reporter.
fn csv(reporter: &str) -> String {
    let mut s = String::from(
        "DATAFLOW,COUNTRY,INDICATOR,COUNTERPART_COUNTRY,FREQUENCY,TIME_PERIOD,OBS_VALUE,UNIT_MULT,OBS_STATUS\n",
    );
    for (p, partner) in PARTNERS.iter().enumerate() {
        for (i, ind) in ["XG_FOB_USD", "MG_CIF_USD"].iter().enumerate() {
            for (m, month) in MONTHS.iter().enumerate() {
                s.push_str(&format!(
                    "IMF.STA:IMTS(1.0.0),{reporter},{ind},{partner},M,{month},{},6,\n",
                    value(p, i, m)
                ));
            }
        }
    }
    // A period without an observation is no flow.
    s.push_str(&format!(
        "IMF.STA:IMTS(1.0.0),{reporter},XG_FOB_USD,USA,M,2024-04,,6,M\n"
    ));
    s
}

fn api(req: &Request) -> Reply {
    let Some(rest) = req.target.strip_prefix("/data/IMF.STA,IMTS/") else {
        return Reply::status(404, "text/html", "<html><title>Not Found</title></html>");
    };
    let reporter = rest.split('.').next().unwrap_or("");
    if reporter == "ATA" {
        return Reply::status(
            404,
            "application/xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><message:Error xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"><message:ErrorMessage code="100"><common:Text xml:lang="en">NoResultsFound</common:Text></message:ErrorMessage></message:Error>"#,
        );
    }
    Reply::ok(
        "application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8",
        csv(reporter),
    )
}

fn request(reporters: &[&str]) -> ImfRequest {
    ImfRequest {
        reporters: reporters.iter().map(|r| r.to_string()).collect(),
        partners: vec!["all".into()],
        freq: "M".into(),
        period: Some("2024-01..2024-04".into()),
        dataflow: None,
    }
}

fn no_progress(_: &entrepot_app::fetch::Progress) {}

#[test]
fn sdmx_observations_become_flows_with_imf_codes_mapped() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(api);
    let out = fetch_imf(
        &store(dir.path()),
        &request(&["CHN", "Brazil"]),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0].target,
        "/data/IMF.STA,IMTS/CHN.XG_FOB_USD+MG_CIF_USD..M?startPeriod=2024-01&endPeriod=2024-04"
    );
    assert_eq!(reqs[1].target.split('.').next(), Some("/data/IMF"));
    assert!(reqs[1].target.contains("/BRA."));
    assert_eq!(
        reqs[0].header("accept"),
        Some("application/vnd.sdmx.data+csv;version=1.0.0")
    );
    // 4 known partners (G001 is the World) x 2 flows x 3 months per reporter; the
    // G110 aggregate is set aside and reported.
    assert_eq!(cell(&out, "rows"), "48");
    assert_eq!(cell(&out, "rejected"), "12");
    assert!(out.messages[0].contains("G110"), "{:?}", out.messages);
    let stored = flows(dir.path(), "imf_imts");
    let world = stored
        .iter()
        .find(|f| {
            f.reporter == "CHN"
                && f.partner == "WLD"
                && f.flow == entrepot_core::FlowKind::Import
                && f.period.to_string() == "2024-02"
        })
        .unwrap();
    assert!((world.value_usd - value(3, 1, 1) * 1e6).abs() < 1e-3);
    assert!(stored.iter().all(|f| f.period.to_string() != "2024-04"));
    let info = entrepot_app::datasets::dataset(&store(dir.path()), "imf_imts").unwrap();
    assert!(info.readers[0].starts_with("SDMX-CSV "));
    assert!(info.readers[0].contains("IMF SDMX from http://127.0.0.1"));
}

#[test]
fn an_sdmx_error_or_an_html_page_is_reported_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(api);
    // Antarctica reports nothing: the SDMX service answers 404 with an error message;
    // the fetch of both reporters stops and stores nothing.
    let e = fetch_imf(
        &store(dir.path()),
        &request(&["CHN", "ATA"]),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert_eq!(e.class, ErrorClass::NotFound);
    assert!(e.message.contains("HTTP 404"), "{}", e.message);
    assert!(e.message.contains("NoResultsFound"), "{}", e.message);
    assert!(store_is_empty(dir.path()));
    let mut req = request(&["CHN"]);
    req.dataflow = Some("IMF,DOT".into());
    let e = fetch_imf(
        &store(dir.path()),
        &req,
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("HTML page instead of data (HTTP 404, title 'Not Found')"),
        "{}",
        e.message
    );
    assert!(store_is_empty(dir.path()));
}

#[test]
fn a_truncated_sdmx_answer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(|req: &Request| {
        let full = api(req);
        let n = full.body.len() - 30;
        full.cut_after(n)
    });
    let e = fetch_imf(
        &store(dir.path()),
        &request(&["CHN"]),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(e.message.contains("response truncated"), "{}", e.message);
    assert!(store_is_empty(dir.path()));
}
