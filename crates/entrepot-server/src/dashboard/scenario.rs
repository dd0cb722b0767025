//! The scenario page (`/scenario`): a form for a tariff change between two countries
//! or groups in general equilibrium, on stored data; submitted (a plain GET form, no
//! script), the scenario runs as a job like `POST /api/v1/scenario` and the page shows
//! its report document — the shocked pair's trade, where the lost trade went (other
//! markets, other suppliers: the diversion) and every economy's welfare — under the
//! form, which keeps the values given. The scenario's JSON is shown too, so that the
//! same result can be asked of the API.

use super::{esc, failed_section, fragment, page_response};
use crate::analyses::{number, scenario_request};
use crate::api::AppStateRef;
use crate::error::ServerError;
use crate::params::{flag, int, opt_text, query_rejected, MAX_PARAM_CHARS};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::fmt::Write;

/// The most characters of the SQL query of the form.
const MAX_SQL_CHARS: usize = 2048;

/// The most draws of the elasticity the form asks for (the API allows more).
const MAX_FORM_DRAWS: usize = 500;

/// The fields of the form, all optional in the query string: without `change_pp` the
/// page shows the form only (prefilled with what is given, e.g. from a country page's
/// link).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioForm {
    importer: Option<String>,
    exporter: Option<String>,
    change_pp: Option<String>,
    from_pct: Option<String>,
    both_ways: Option<String>,
    theta: Option<String>,
    se: Option<String>,
    draws: Option<String>,
    dataset: Option<String>,
    sql: Option<String>,
    year: Option<String>,
    exporter_column: Option<String>,
    importer_column: Option<String>,
    value_column: Option<String>,
    year_column: Option<String>,
    currency: Option<String>,
    scale: Option<String>,
}

/// A required form field.
fn required(name: &str, label: &str, v: Option<&String>) -> Result<String, ServerError> {
    opt_text(name, v)?.ok_or_else(|| ServerError::BadRequest(format!("{label} is required")))
}

/// The scenario of a submitted form, as the JSON `POST /api/v1/scenario` takes: one
/// tariff shock (both ways when asked), θ and its standard error, the data (a dataset
/// with its columns, or a read-only SQL query) and its unit.
pub(crate) fn scenario_json(f: &ScenarioForm) -> Result<Value, ServerError> {
    let importer = required("importer", "the importer", f.importer.as_ref())?;
    let exporter = required("exporter", "the exporter", f.exporter.as_ref())?;
    let change = number("change_pp", f.change_pp.as_ref(), -100.0..=1000.0)?
        .ok_or_else(|| ServerError::BadRequest("the tariff change is required".into()))?;
    let theta = number("theta", f.theta.as_ref(), 1e-6..=100.0)?.ok_or_else(|| {
        ServerError::BadRequest(
            "the trade elasticity θ is required (e.g. 7.604, Yotov et al. 2016, ch. 1)".into(),
        )
    })?;
    let mut shock = Map::new();
    shock.insert("type".into(), "tariff".into());
    shock.insert("importer".into(), importer.into());
    shock.insert("exporter".into(), exporter.into());
    shock.insert("change_pp".into(), change.into());
    if let Some(t) = number("from_pct", f.from_pct.as_ref(), 0.0..=1000.0)? {
        shock.insert("from_pct".into(), t.into());
    }
    if flag("both_ways", f.both_ways.as_ref())? {
        shock.insert("both_ways".into(), true.into());
    }
    let mut elasticity = Map::new();
    elasticity.insert("theta".into(), theta.into());
    if let Some(se) = number("se", f.se.as_ref(), 1e-9..=100.0)? {
        elasticity.insert("se".into(), se.into());
    }
    let mut data = Map::new();
    let sql = f
        .sql
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.chars().count() > MAX_SQL_CHARS {
                Err(ServerError::BadRequest(format!(
                    "the SQL query is longer than {MAX_SQL_CHARS} characters"
                )))
            } else {
                Ok(s.to_string())
            }
        })
        .transpose()?;
    match (opt_text("dataset", f.dataset.as_ref())?, sql) {
        (Some(_), Some(_)) => {
            return Err(ServerError::BadRequest(
                "give a dataset or an SQL query, not both".into(),
            ))
        }
        (None, None) => {
            return Err(ServerError::BadRequest(
                "the data are required: a dataset of the store or an SQL query".into(),
            ))
        }
        (Some(d), None) => {
            data.insert("dataset".into(), d.into());
        }
        (None, Some(q)) => {
            data.insert("sql".into(), q.into());
        }
    }
    if let Some(y) = int("year", f.year.as_ref(), 1900i32..=2100)? {
        data.insert("year".into(), y.into());
    }
    for (key, v) in [
        ("exporter", &f.exporter_column),
        ("importer", &f.importer_column),
        ("value", &f.value_column),
        ("year_column", &f.year_column),
        ("currency", &f.currency),
    ] {
        if let Some(c) = opt_text(key, v.as_ref())? {
            data.insert(key.into(), c.into());
        }
    }
    if let Some(s) = opt_text("scale", f.scale.as_ref())? {
        if !matches!(s.as_str(), "units" | "thousands" | "millions" | "billions") {
            return Err(ServerError::BadRequest(
                "scale must be units, thousands, millions or billions".into(),
            ));
        }
        data.insert("scale".into(), s.into());
    }
    let mut spec = json!({
        "data": data,
        "elasticity": elasticity,
        "shock": [shock],
    });
    if let Some(d) = int("draws", f.draws.as_ref(), 0usize..=MAX_FORM_DRAWS)? {
        spec["uncertainty"] = json!({ "draws": d });
    }
    Ok(spec)
}

/// `GET /scenario?importer=&exporter=&change_pp=&theta=&dataset=|sql=…`: the form, and
/// with `change_pp` the scenario's report (diversion, welfare) under it.
pub(crate) async fn scenario(
    State(s): AppStateRef,
    q: Result<Query<ScenarioForm>, QueryRejection>,
) -> Response {
    let form = match q {
        Ok(Query(f)) => f,
        Err(e) => return super::error_page(&query_rejected(e), ""),
    };
    let datasets = super::flows_datasets(&s).await;
    let title = "Tariff scenario";
    let mut main = format!("<h1>{title}</h1>\n<p>What happens when an importer changes its tariff on an exporter's goods: the trade between them, where the lost trade goes (the exporter's other markets, the importer's other suppliers) and every economy's welfare (real expenditure), in structural-gravity general equilibrium (exact hat algebra; Yotov et al. 2016, ch. 2). The data are flows of the store with one row per exporter, importer and year, <strong>domestic sales included</strong> (exporter = importer).</p>\n");
    main.push_str(&form_html(&form, &datasets));
    if form
        .change_pp
        .as_deref()
        .is_none_or(|v| v.trim().is_empty())
    {
        main.push_str("<p class=\"meta\">Fill in the form and run: the scenario runs on the server as a job (at most one minute) and its report appears below.</p>\n");
        return page_response(title, &main, None);
    }
    let result = run(&s, &form).await;
    match &result {
        Ok((spec, html)) => {
            let _ = writeln!(
                main,
                "<details class=\"meta\"><summary>This scenario as JSON (for <code>POST /api/v1/scenario</code>)</summary><pre id=\"scenario-json\">{}</pre></details>",
                esc(&spec.to_string())
            );
            main.push_str(&String::from_utf8_lossy(html));
        }
        Err(e) => main.push_str(&failed_section("scn-document", "Scenario", e)),
    }
    page_response(title, &main, result.as_ref().err())
}

/// Runs the scenario of a form on a worker (cached by its JSON and the store): its JSON
/// and the report as HTML.
async fn run(
    s: &std::sync::Arc<crate::AppState>,
    form: &ScenarioForm,
) -> Result<(Value, axum::body::Bytes), ServerError> {
    let spec = scenario_json(form)?;
    let req = scenario_request(spec.clone(), s.config.sql_memory_limit)?;
    let fp = s.fingerprint.get(&s.config.store).await?;
    let key = format!("page-scenario\n{fp}\n{spec}\nhtml");
    let loc = s.config.store.clone();
    let html = fragment(
        s,
        key,
        move || Ok(entrepot_app::scenario::run_scenario(&loc, &req)?.document),
        "scn-",
    )
    .await?;
    Ok((spec, html))
}

/// The form, prefilled with the values given.
fn form_html(f: &ScenarioForm, datasets: &[String]) -> String {
    let v = |x: &Option<String>| {
        esc(&x
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(MAX_SQL_CHARS)
            .collect::<String>())
    };
    let input = |id: &str, label: &str, hint: &str, value: &Option<String>, extra: &str| {
        let hint = if hint.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"hint\">({hint})</span>")
        };
        format!(
            "<label for=\"{id}\">{label}{hint}<input id=\"{id}\" name=\"{id}\" value=\"{}\" maxlength=\"{MAX_PARAM_CHARS}\"{extra}></label>\n",
            v(value)
        )
    };
    let list = super::datalist("datasets", datasets);
    let both = flag("both_ways", f.both_ways.as_ref()).unwrap_or(false);
    let mut scale_options = String::new();
    for s in ["", "units", "thousands", "millions", "billions"] {
        let selected = f.scale.as_deref().unwrap_or("") == s;
        let _ = write!(
            scale_options,
            "<option value=\"{s}\"{}>{}</option>",
            if selected { " selected" } else { "" },
            if s.is_empty() { "not given" } else { s }
        );
    }
    let mut out = String::from("<form class=\"search\" method=\"get\" action=\"/scenario\">\n<fieldset><legend>Tariff change</legend>\n");
    out.push_str(&input(
        "importer",
        "Importer",
        "country or group",
        &f.importer,
        " required placeholder=\"USA\"",
    ));
    out.push_str(&input(
        "exporter",
        "Exporter",
        "country or group",
        &f.exporter,
        " required placeholder=\"CHN\"",
    ));
    out.push_str(&input(
        "change_pp",
        "Change",
        "percentage points",
        &f.change_pp,
        " required inputmode=\"decimal\" placeholder=\"20\"",
    ));
    out.push_str(&input(
        "from_pct",
        "From",
        "baseline tariff %, default 0",
        &f.from_pct,
        " inputmode=\"decimal\" placeholder=\"0\"",
    ));
    let _ = writeln!(
        out,
        "<label for=\"both_ways\" class=\"check\"><input type=\"checkbox\" id=\"both_ways\" name=\"both_ways\" value=\"true\"{}> Retaliation (the same change both ways)</label>",
        if both { " checked" } else { "" }
    );
    out.push_str("</fieldset>\n<fieldset><legend>Trade elasticity</legend>\n");
    out.push_str(&input(
        "theta",
        "θ = σ − 1",
        "required",
        &f.theta,
        " required inputmode=\"decimal\" placeholder=\"7.604\"",
    ));
    out.push_str(&input(
        "se",
        "Standard error of θ",
        "for intervals",
        &f.se,
        " inputmode=\"decimal\" placeholder=\"0.516\"",
    ));
    out.push_str(&input(
        "draws",
        "Draws of θ",
        "0 to 500; default 200 with a standard error",
        &f.draws,
        " inputmode=\"numeric\"",
    ));
    out.push_str("</fieldset>\n<fieldset><legend>Data</legend>\n");
    out.push_str(&input(
        "dataset",
        "Dataset of the store",
        "flows with domestic sales",
        &f.dataset,
        " list=\"datasets\" autocomplete=\"off\"",
    ));
    out.push_str(&list);
    out.push_str(&input(
        "year",
        "Baseline year",
        "needed when the data hold several",
        &f.year,
        " inputmode=\"numeric\"",
    ));
    out.push_str(&input(
        "exporter_column",
        "Exporter column",
        "default exporter; reporter in a flows dataset",
        &f.exporter_column,
        "",
    ));
    out.push_str(&input(
        "importer_column",
        "Importer column",
        "default importer; partner in a flows dataset",
        &f.importer_column,
        "",
    ));
    out.push_str(&input(
        "value_column",
        "Value column",
        "default trade; value_usd in a flows dataset",
        &f.value_column,
        "",
    ));
    out.push_str(&input(
        "year_column",
        "Year column",
        "default year",
        &f.year_column,
        "",
    ));
    out.push_str(&input(
        "currency",
        "Currency",
        "ISO 4217; never assumed",
        &f.currency,
        " placeholder=\"USD\"",
    ));
    let _ = writeln!(
        out,
        "<label for=\"scale\">Values in<select id=\"scale\" name=\"scale\">{scale_options}</select></label>"
    );
    let _ = writeln!(
        out,
        "<label class=\"wide\" for=\"sql\">Or a read-only SQL query over the store <span class=\"hint\">(columns exporter, importer, year, trade; e.g. <code>SELECT reporter AS exporter, partner AS importer, year, SUM(value) AS trade FROM flows WHERE dataset = 'NAME' AND flow = 'export' GROUP BY 1, 2, 3</code>)</span><textarea id=\"sql\" name=\"sql\" maxlength=\"{MAX_SQL_CHARS}\" rows=\"3\">{}</textarea></label>",
        v(&f.sql)
    );
    out.push_str("</fieldset>\n<button type=\"submit\">Run the scenario</button>\n</form>\n");
    out
}
