//! The analysis endpoints beyond the brief and diversification: growth decomposition,
//! dependence, mirror statistics, re-routing, sectoral edge, economic complexity and
//! the product-level tariff model (GET, parameters in the query) and trade-policy
//! scenarios in general equilibrium (POST, the scenario as JSON). Each parses its parameters into
//! the application layer's request, runs it on a worker under the job limits, and sends
//! the report document; answers are cached by request and store content.

use crate::api::{json_bytes, path_param, query, AppStateRef};
use crate::error::{ServerError, ServerResult};
use crate::params::{self, choice, int, opt_text, text};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::response::Response;
use entrepot_app::decompose::{By, DecomposeRequest};
use entrepot_app::dependence::DependenceRequest;
use entrepot_app::mirror::MirrorRequest;
use entrepot_app::reroute::RerouteRequest;
use entrepot_app::scenario::spec::ScenarioSpec;
use entrepot_app::scenario::ScenarioRequest;
use entrepot_app::{AppResult, Document, StoreLocation};
use entrepot_core::FlowKind;
use serde::Deserialize;
use std::fmt::Debug;
use std::sync::Arc;

/// The most shocks of a scenario sent over HTTP.
const MAX_SHOCKS: usize = 64;
/// The most draws of the elasticity of a scenario sent over HTTP.
const MAX_DRAWS: usize = 1_000;

/// Runs an analysis on a worker and sends its document, cached under `kind`, the
/// store's fingerprint and the request.
async fn document<R>(
    s: &Arc<AppState>,
    kind: &str,
    key: String,
    req: R,
    run: fn(&StoreLocation, &R) -> AppResult<Document>,
) -> ServerResult<Response>
where
    R: Send + 'static,
{
    let fp = s.fingerprint.get(&s.config.store).await?;
    let key = format!("{kind}\n{fp}\n{key}");
    if let Some(body) = s.cache.get(&key) {
        return Ok(json_bytes(body));
    }
    let loc = s.config.store.clone();
    let body = s
        .jobs
        .run(move || {
            let doc = run(&loc, &req)?;
            entrepot_report::try_render_json(&doc)
                .map(Bytes::from)
                .map_err(|e| ServerError::Internal(e.to_string()))
        })
        .await?;
    s.cache.insert(key, body.clone());
    Ok(json_bytes(body))
}

/// A cache key from a request's debug form.
fn key_of<R: Debug>(r: &R) -> String {
    format!("{r:?}")
}

/// An HS level parameter: 2, 4 or 6.
fn hs_level(name: &str, v: Option<&String>) -> ServerResult<Option<u8>> {
    match int(name, v, 2u8..=6)? {
        Some(l) if l % 2 != 0 => Err(ServerError::BadRequest(format!("{name} must be 2, 4 or 6"))),
        other => Ok(other),
    }
}

/// A year parameter (1900 to 2100).
fn year(name: &str, v: Option<&String>) -> ServerResult<Option<i32>> {
    int(name, v, 1900..=2100)
}

/// The parameters of `/api/v1/decompose/{reporter}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecomposeQuery {
    from: Option<String>,
    to: Option<String>,
    dataset: Option<String>,
    flow: Option<String>,
    by: Option<String>,
    hs_level: Option<String>,
    top: Option<String>,
}

/// `GET /api/v1/decompose/{reporter}?from=P1&to=P2…`: the growth decomposition.
pub(crate) async fn decompose(
    axum::extract::State(s): AppStateRef,
    reporter: Result<Path<String>, PathRejection>,
    q: Result<Query<DecomposeQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let reporter = path_param(reporter, "reporter")?;
    let q = query(q)?;
    let period = |name: &str, v: Option<&String>| -> ServerResult<String> {
        match v {
            Some(p) if !p.trim().is_empty() => text(name, p),
            _ => Err(ServerError::BadRequest(format!(
                "{name} is required (a year, 2018-Q2, 2018-04 or 2018-04..2018-09)"
            ))),
        }
    };
    let req = DecomposeRequest {
        reporter: text("reporter", &reporter)?,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        flow: match choice("flow", q.flow.as_ref(), &["export", "import"])? {
            "import" => FlowKind::Import,
            _ => FlowKind::Export,
        },
        by: match q.by.as_ref() {
            None => None,
            Some(_) => Some(
                match choice("by", q.by.as_ref(), &["partners", "products", "both"])? {
                    "products" => By::Products,
                    "both" => By::Both,
                    _ => By::Partners,
                },
            ),
        },
        hs_level: hs_level("hs_level", q.hs_level.as_ref())?.unwrap_or(6),
        from: period("from", q.from.as_ref())?,
        to: period("to", q.to.as_ref())?,
        top: int("top", q.top.as_ref(), 1usize..=100)?.unwrap_or(10),
    };
    let key = key_of(&req);
    document(&s, "decompose", key, req, |loc, r| {
        entrepot_app::decompose::decompose(loc, r).map(|o| o.document)
    })
    .await
}

/// The parameters of the pair analyses (`dependence`, `mirror`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PairQuery {
    dataset: Option<String>,
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    level: Option<String>,
    top: Option<String>,
    threshold: Option<String>,
    against: Option<String>,
}

impl PairQuery {
    /// The defaults, on a dataset (the dashboard's pair page).
    pub(crate) fn of_dataset(dataset: Option<String>) -> Self {
        PairQuery {
            dataset,
            ..Default::default()
        }
    }
}

/// The two countries of a pair path.
fn pair(p: Result<Path<(String, String)>, PathRejection>) -> ServerResult<(String, String)> {
    let Path((a, b)) = p.map_err(params::path_rejected)?;
    Ok((text("reporter", &a)?, text("partner", &b)?))
}

/// The dependence request of a pair and its parameters (the dashboard's pair page
/// sends the defaults).
pub(crate) fn dependence_request(
    reporter: String,
    partner: String,
    q: &PairQuery,
) -> ServerResult<DependenceRequest> {
    if q.against.is_some() {
        return Err(ServerError::BadRequest(
            "against is a parameter of mirror, not dependence".into(),
        ));
    }
    let threshold = number("threshold", q.threshold.as_ref(), 0.0..=1.0)?.unwrap_or(0.5);
    if threshold == 0.0 {
        return Err(ServerError::BadRequest(
            "threshold must be a number in (0, 1]".into(),
        ));
    }
    Ok(DependenceRequest {
        reporter,
        partner,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        from: year("from", q.from.as_ref())?,
        to: year("to", q.to.as_ref())?,
        period: year("period", q.period.as_ref())?,
        level: hs_level("level", q.level.as_ref())?.unwrap_or(6),
        threshold,
        top: int("top", q.top.as_ref(), 1usize..=100)?.unwrap_or(10),
    })
}

/// The mirror request of a pair and its parameters.
pub(crate) fn mirror_request(
    reporter: String,
    partner: String,
    q: &PairQuery,
) -> ServerResult<MirrorRequest> {
    if q.threshold.is_some() {
        return Err(ServerError::BadRequest(
            "threshold is a parameter of dependence, not mirror".into(),
        ));
    }
    Ok(MirrorRequest {
        reporter,
        partner,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        against: opt_text("against", q.against.as_ref())?,
        from: year("from", q.from.as_ref())?,
        to: year("to", q.to.as_ref())?,
        period: year("period", q.period.as_ref())?,
        level: hs_level("level", q.level.as_ref())?.unwrap_or(6),
        top: int("top", q.top.as_ref(), 1usize..=100)?.unwrap_or(10),
    })
}

/// `GET /api/v1/dependence/{reporter}/{partner}`: dependence and leverage, both ways.
pub(crate) async fn dependence(
    axum::extract::State(s): AppStateRef,
    p: Result<Path<(String, String)>, PathRejection>,
    q: Result<Query<PairQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let (reporter, partner) = pair(p)?;
    let req = dependence_request(reporter, partner, &query(q)?)?;
    let key = key_of(&req);
    document(&s, "dependence", key, req, |loc, r| {
        entrepot_app::dependence::dependence(loc, r).map(|o| o.document)
    })
    .await
}

/// `GET /api/v1/mirror/{reporter}/{partner}`: mirror statistics of a pair.
pub(crate) async fn mirror(
    axum::extract::State(s): AppStateRef,
    p: Result<Path<(String, String)>, PathRejection>,
    q: Result<Query<PairQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let (reporter, partner) = pair(p)?;
    let req = mirror_request(reporter, partner, &query(q)?)?;
    let key = key_of(&req);
    document(&s, "mirror", key, req, |loc, r| {
        entrepot_app::mirror::mirror(loc, r).map(|o| o.document)
    })
    .await
}

/// The parameters of `/api/v1/reroute/{origin}/{target}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RerouteQuery {
    after: Option<String>,
    to: Option<String>,
    dataset: Option<String>,
    level: Option<String>,
    top: Option<String>,
}

/// `GET /api/v1/reroute/{origin}/{target}?after=YYYY`: the re-routing indicator.
pub(crate) async fn reroute(
    axum::extract::State(s): AppStateRef,
    p: Result<Path<(String, String)>, PathRejection>,
    q: Result<Query<RerouteQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let (origin, target) = pair(p)?;
    let q = query(q)?;
    let after = year("after", q.after.as_ref())?.ok_or_else(|| {
        ServerError::BadRequest("after is required: the base year, before the change".into())
    })?;
    let req = RerouteRequest {
        reporter: origin,
        target,
        after,
        to: year("to", q.to.as_ref())?,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        level: hs_level("level", q.level.as_ref())?,
        top: int("top", q.top.as_ref(), 1usize..=500)?.unwrap_or(25),
    };
    let key = key_of(&req);
    document(&s, "reroute", key, req, |loc, r| {
        entrepot_app::reroute::reroute(loc, r).map(|o| o.document)
    })
    .await
}

/// The scenario request of a scenario as JSON (the fields of a scenario file), with
/// the server's bounds: stored data only, at most [`MAX_SHOCKS`] shocks and
/// [`MAX_DRAWS`] draws. The dashboard's scenario page builds the same JSON from its
/// form.
pub(crate) fn scenario_request(
    value: serde_json::Value,
    memory_limit: Option<u64>,
) -> ServerResult<ScenarioRequest> {
    let spec: ScenarioSpec = serde_json::from_value(value)
        .map_err(|e| ServerError::BadRequest(format!("the scenario: {e}")))?;
    if spec.data.file.is_some() {
        return Err(ServerError::BadRequest(
            "data.file: the server reads stored data only (data.dataset or data.sql)".into(),
        ));
    }
    if spec.shocks.len() > MAX_SHOCKS {
        return Err(ServerError::BadRequest(format!(
            "shock: at most {MAX_SHOCKS}"
        )));
    }
    if spec.uncertainty.draws.is_some_and(|d| d > MAX_DRAWS) {
        return Err(ServerError::BadRequest(format!(
            "uncertainty.draws: at most {MAX_DRAWS}"
        )));
    }
    Ok(ScenarioRequest {
        spec,
        groups_file: None,
        memory_limit,
        ..ScenarioRequest::default()
    })
}

/// `POST /api/v1/scenario`: a trade-policy scenario in general equilibrium, the body
/// the fields of a scenario file as JSON, on stored data (a dataset or a read-only SQL
/// query, never a file of the server).
pub(crate) async fn scenario(
    axum::extract::State(s): AppStateRef,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ServerResult<Response> {
    // A full queue refuses the scenario before its JSON is parsed (a flood of
    // scenarios costs the light requests little).
    if s.jobs.is_full() {
        return Err(s.jobs.busy());
    }
    let body = body.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ServerError::BodyTooLarge(crate::MAX_BODY_BYTES)
        } else {
            ServerError::BadRequest(e.body_text())
        }
    })?;
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json")
                || (v.starts_with("application/") && v.ends_with("+json"))
        });
    if !json {
        return Err(ServerError::BadRequest(
            "Expected request with `Content-Type: application/json`".into(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| ServerError::BadRequest(format!("the body is not JSON: {e}")))?;
    let key = value.to_string();
    let req = scenario_request(value, s.config.sql_memory_limit)?;
    document(&s, "scenario", key, req, |loc, r| {
        entrepot_app::scenario::run_scenario(loc, r).map(|o| o.document)
    })
    .await
}

/// The parameters of `/api/v1/edge/{reporter}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EdgeQuery {
    pub(crate) dataset: Option<String>,
    pub(crate) basket: Option<String>,
    pub(crate) products: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) top: Option<String>,
}

/// The products of `basket=` or `products=` (not both; neither: every product).
fn selection(
    basket: Option<&String>,
    products: Option<&String>,
) -> ServerResult<entrepot_app::edge::Selection> {
    use entrepot_app::edge::Selection;
    let products = params::list("products", products)?;
    Ok(match (opt_text("basket", basket)?, products.is_empty()) {
        (Some(_), false) => {
            return Err(ServerError::BadRequest(
                "give basket or products, not both".into(),
            ))
        }
        (Some(b), true) => Selection::Basket(b),
        (None, false) => Selection::Products(products),
        (None, true) => Selection::All,
    })
}

/// The edge request of a reporter and its parameters (the dashboard's products page
/// takes the same parameters).
pub(crate) fn edge_request(
    reporter: String,
    q: &EdgeQuery,
) -> ServerResult<entrepot_app::edge::EdgeRequest> {
    use entrepot_app::edge::EdgeRequest;
    let selection = selection(q.basket.as_ref(), q.products.as_ref())?;
    Ok(EdgeRequest {
        reporter,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        selection,
        baskets: Vec::new(),
        from: year("from", q.from.as_ref())?,
        to: year("to", q.to.as_ref())?,
        top: int("top", q.top.as_ref(), 1usize..=100)?.unwrap_or(10),
    })
}

/// `GET /api/v1/edge/{reporter}?basket=&products=…`: world market shares and RCA.
pub(crate) async fn edge(
    axum::extract::State(s): AppStateRef,
    reporter: Result<Path<String>, PathRejection>,
    q: Result<Query<EdgeQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let reporter = path_param(reporter, "reporter")?;
    let req = edge_request(reporter, &query(q)?)?;
    let key = key_of(&req);
    document(&s, "edge", key, req, |loc, r| {
        entrepot_app::edge::edge(loc, r).map(|o| o.document)
    })
    .await
}

/// The parameters of `/api/v1/series/{reporter}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeriesQuery {
    hs: Option<String>,
    partner: Option<String>,
    flow: Option<String>,
    dataset: Option<String>,
    basket: Option<String>,
    products: Option<String>,
    weights: Option<String>,
    overlap_year: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /api/v1/series/{reporter}?hs=HS2022&products=…`: a reporter's product series in
/// one HS revision.
pub(crate) async fn series(
    axum::extract::State(s): AppStateRef,
    reporter: Result<Path<String>, PathRejection>,
    q: Result<Query<SeriesQuery>, QueryRejection>,
) -> ServerResult<Response> {
    use entrepot_app::series::{SeriesRequest, WeightSource};
    let reporter = path_param(reporter, "reporter")?;
    let q = query(q)?;
    let target = match opt_text("hs", q.hs.as_ref())? {
        Some(h) => h
            .parse()
            .map_err(|e: entrepot_core::CoreError| ServerError::BadRequest(format!("hs: {e}")))?,
        None => {
            return Err(ServerError::BadRequest(
                "hs is required (HS2022, HS2017 or HS2012)".into(),
            ))
        }
    };
    let selection = selection(q.basket.as_ref(), q.products.as_ref())?;
    let req = SeriesRequest {
        reporter: text("reporter", &reporter)?,
        partner: opt_text("partner", q.partner.as_ref())?,
        flow: Some(
            match choice("flow", q.flow.as_ref(), &["export", "import"])? {
                "import" => FlowKind::Import,
                _ => FlowKind::Export,
            },
        ),
        datasets: params::list("dataset", q.dataset.as_ref())?,
        target: Some(target),
        selection,
        baskets: Vec::new(),
        weights: match choice("weights", q.weights.as_ref(), &["own", "world", "equal"])? {
            "world" => WeightSource::World,
            "equal" => WeightSource::Equal,
            _ => WeightSource::Own,
        },
        overlap_year: year("overlap_year", q.overlap_year.as_ref())?,
        from: year("from", q.from.as_ref())?,
        to: year("to", q.to.as_ref())?,
    };
    let key = key_of(&req);
    document(&s, "series", key, req, |loc, r| {
        entrepot_app::series::series(loc, r).map(|o| o.document)
    })
    .await
}

/// The parameters of `/api/v1/project/{reporter}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProjectQuery {
    pub(crate) dataset: Option<String>,
    pub(crate) basket: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) level: Option<String>,
}

/// The target year of a projection when none is asked for (the horizon).
pub(crate) const DEFAULT_PROJECTION_TARGET: i32 = 2030;

/// The projection request of a reporter and its parameters (the dashboard's products
/// page asks for the same, to [`DEFAULT_PROJECTION_TARGET`]).
pub(crate) fn project_request(
    reporter: String,
    q: &ProjectQuery,
) -> ServerResult<entrepot_app::project::ProjectRequest> {
    Ok(entrepot_app::project::ProjectRequest {
        reporter,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        basket: opt_text("basket", q.basket.as_ref())?,
        baskets: Vec::new(),
        from: year("from", q.from.as_ref())?,
        target: year("to", q.to.as_ref())?.unwrap_or(DEFAULT_PROJECTION_TARGET),
        level: number("level", q.level.as_ref(), 0.5..=0.99)?,
    })
}

/// `GET /api/v1/project/{reporter}?to=&basket=…`: the world market share projected
/// to a target year by several methods, with prediction intervals and a
/// rolling-origin backtest.
pub(crate) async fn project(
    axum::extract::State(s): AppStateRef,
    reporter: Result<Path<String>, PathRejection>,
    q: Result<Query<ProjectQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let reporter = path_param(reporter, "reporter")?;
    let req = project_request(reporter, &query(q)?)?;
    let key = key_of(&req);
    document(&s, "project", key, req, |loc, r| {
        entrepot_app::project::project(loc, r).map(|o| o.document)
    })
    .await
}

/// The parameters of `/api/v1/complexity`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComplexityQuery {
    year: Option<String>,
    dataset: Option<String>,
    reporter: Option<String>,
    rca_threshold: Option<String>,
    top: Option<String>,
}

/// `GET /api/v1/complexity?year=&dataset=&reporter=`: economic complexity of one year
/// of a stored dataset.
pub(crate) async fn complexity(
    axum::extract::State(s): AppStateRef,
    q: Result<Query<ComplexityQuery>, QueryRejection>,
) -> ServerResult<Response> {
    use entrepot_app::complexity::{ComplexityRequest, Source};
    let q = query(q)?;
    let mut options = entrepot_app::complexity::Options::default();
    if let Some(t) = number(
        "rca_threshold",
        q.rca_threshold.as_ref(),
        f64::MIN_POSITIVE..=1e9,
    )? {
        options.rca_threshold = t;
    }
    let req = ComplexityRequest {
        source: Source::Store {
            dataset: opt_text("dataset", q.dataset.as_ref())?,
        },
        year: year("year", q.year.as_ref())?,
        reporter: opt_text("reporter", q.reporter.as_ref())?,
        options,
        top: int("top", q.top.as_ref(), 1usize..=500)?.unwrap_or(20),
    };
    let key = key_of(&req);
    document(&s, "complexity", key, req, |loc, r| {
        entrepot_app::complexity::complexity(loc, r).map(|o| o.document)
    })
    .await
}

/// The parameters of `/api/v1/tariff/{importer}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TariffQuery {
    on: Option<String>,
    points: Option<String>,
    sigma: Option<String>,
    baseline_tariff: Option<String>,
    import_demand_elasticity: Option<String>,
    basket: Option<String>,
    products: Option<String>,
    year: Option<String>,
    dataset: Option<String>,
    top: Option<String>,
}

/// A number parameter within `range` (`None` when absent).
pub(crate) fn number(
    name: &str,
    v: Option<&String>,
    range: std::ops::RangeInclusive<f64>,
) -> ServerResult<Option<f64>> {
    match v.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => match t.parse::<f64>() {
            Ok(x) if range.contains(&x) => Ok(Some(x)),
            _ => Err(ServerError::BadRequest(format!(
                "{name} must be a number from {} to {}",
                range.start(),
                range.end()
            ))),
        },
    }
}

/// `GET /api/v1/tariff/{importer}?on=&points=&sigma=…`: the product-level (SMART)
/// tariff scenario with one elasticity of substitution for every product (the server
/// reads no elasticity file).
pub(crate) async fn tariff(
    axum::extract::State(s): AppStateRef,
    importer: Result<Path<String>, PathRejection>,
    q: Result<Query<TariffQuery>, QueryRejection>,
) -> ServerResult<Response> {
    use entrepot_app::tariff::{
        NotSignificantPolicy, ProductChoice, TariffRequest, SMART_SUBSTITUTION_ELASTICITY,
    };
    let importer = path_param(importer, "importer")?;
    let q = query(q)?;
    let exporters = params::list("on", q.on.as_ref())?;
    if exporters.is_empty() {
        return Err(ServerError::BadRequest(
            "on is required: the exporting country or group".into(),
        ));
    }
    let points = number("points", q.points.as_ref(), -100.0..=1000.0)?
        .ok_or_else(|| ServerError::BadRequest("points is required".into()))?;
    let sigma = number("sigma", q.sigma.as_ref(), 0.0..=1000.0)?.ok_or_else(|| {
        ServerError::BadRequest(
            "sigma is required: the elasticity of substitution between suppliers (the server reads no elasticity file)".into(),
        )
    })?;
    let products = params::list("products", q.products.as_ref())?;
    let baskets = params::list("basket", q.basket.as_ref())?;
    let choice = match (baskets.is_empty(), products.is_empty()) {
        (false, false) => {
            return Err(ServerError::BadRequest(
                "give basket or products, not both".into(),
            ))
        }
        (false, true) => ProductChoice::Baskets(baskets),
        (true, false) => ProductChoice::Codes(products),
        (true, true) => ProductChoice::All,
    };
    let req = TariffRequest {
        importers: vec![importer],
        exporters,
        points,
        baseline_tariff: number("baseline_tariff", q.baseline_tariff.as_ref(), 0.0..=1000.0)?
            .unwrap_or(0.0),
        products: choice,
        year: year("year", q.year.as_ref())?,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        elasticities: None,
        sigma: Some(sigma),
        fallback_sigma: SMART_SUBSTITUTION_ELASTICITY,
        not_significant: NotSignificantPolicy::UseEstimate,
        import_demand_elasticity: number(
            "import_demand_elasticity",
            q.import_demand_elasticity.as_ref(),
            -100.0..=0.0,
        )?
        .unwrap_or(-1.0),
        groups_file: None,
        baskets_file: None,
        top: int("top", q.top.as_ref(), 1usize..=100)?.unwrap_or(25),
    };
    let key = key_of(&req);
    document(&s, "tariff", key, req, |loc, r| {
        entrepot_app::tariff::tariff(loc, r).map(|o| o.document)
    })
    .await
}
