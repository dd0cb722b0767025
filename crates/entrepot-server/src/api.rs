//! The JSON endpoints under `/api/v1/`: each parses its parameters, calls one function
//! of the application layer (or a registry of `entrepot-core`) and sends what it
//! returns. Listings are arrays of objects of text cells, like the CLI's
//! `--format json`; reports are their document (or the brief's own model).

use crate::error::{ServerError, ServerResult};
use crate::jobs::blocking;
use crate::params::{self, choice, flag, int, list, opt_text, text, MAX_LIST_ITEMS};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use entrepot_app::brief::BriefRequest;
use entrepot_app::diversification::{Across, DiversificationRequest};
use entrepot_app::Listing;
use entrepot_core::{CountryKind, CountryRegistry, FlowKind, HsCode, HsRevision};
use entrepot_core::{ProductCatalog, ProductItem};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The shared state, as handlers take it.
pub(crate) type AppStateRef = State<Arc<AppState>>;

/// The most bytes of an SQL result sent back.
const MAX_SQL_RESULT_BYTES: usize = 16 << 20;

/// A JSON response of bytes already serialised.
pub(crate) fn json_bytes(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// A value as a JSON response.
fn json_value<T: serde::Serialize>(value: &T) -> ServerResult<Response> {
    let body = serde_json::to_vec(value).map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok(json_bytes(Bytes::from(body)))
}

/// A listing as an array of objects (column name → text cell).
fn listing_json(listing: &Listing) -> Value {
    rows_json(&listing.headers, &listing.rows)
}

fn rows_json<S: AsRef<str>>(headers: &[S], rows: &[Vec<String>]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                for (h, v) in headers.iter().zip(r) {
                    m.insert(h.as_ref().to_string(), Value::String(v.clone()));
                }
                Value::Object(m)
            })
            .collect(),
    )
}

/// The path parameter, or 400.
pub(crate) fn path_param(
    p: Result<Path<String>, PathRejection>,
    name: &str,
) -> ServerResult<String> {
    let Path(v) = p.map_err(params::path_rejected)?;
    text(name, &v)
}

/// The query parameters, or 400.
pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> ServerResult<T> {
    q.map(|Query(v)| v).map_err(params::query_rejected)
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn openapi() -> Response {
    json_bytes(Bytes::from_static(crate::OPENAPI.as_bytes()))
}

/// `GET /api/v1/datasets`: the datasets of the store and the embedded sample.
pub(crate) async fn datasets(State(s): AppStateRef) -> ServerResult<Response> {
    let loc = s.config.store.clone();
    let listing = blocking(move || Ok(entrepot_app::datasets::datasets(&loc)?)).await?;
    json_value(&listing_json(&listing))
}

/// `GET /api/v1/datasets/{name}`: one dataset's manifest entry.
pub(crate) async fn dataset(
    State(s): AppStateRef,
    name: Result<Path<String>, PathRejection>,
) -> ServerResult<Response> {
    let name = path_param(name, "name")?;
    let loc = s.config.store.clone();
    let info = blocking(move || Ok(entrepot_app::datasets::dataset(&loc, &name)?)).await?;
    json_value(&info)
}

/// `DELETE /api/v1/datasets/{name}` (token required): removes a dataset.
pub(crate) async fn remove_dataset(
    State(s): AppStateRef,
    name: Result<Path<String>, PathRejection>,
) -> ServerResult<Response> {
    let name = path_param(name, "name")?;
    let loc = s.config.store.clone();
    let listing = s
        .jobs
        .run(move || Ok(entrepot_app::maintenance::remove(&loc, &name)?))
        .await?;
    json_value(&listing_json(&listing))
}

/// The parameters of `/api/v1/countries`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CountriesQuery {
    q: Option<String>,
    kind: Option<String>,
}

/// `GET /api/v1/countries?q=&kind=`: every country, or those matching `q`, ranked.
pub(crate) async fn countries(
    q: Result<Query<CountriesQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let q = query(q)?;
    let kind = match q.kind.as_ref() {
        None => None,
        Some(_) => Some(choice(
            "kind",
            q.kind.as_ref(),
            &["country", "historical", "special", "aggregate"],
        )?),
    };
    let wanted = |k: CountryKind| match kind {
        None => true,
        Some("country") => k == CountryKind::Country,
        Some("historical") => k == CountryKind::Historical,
        Some("special") => k == CountryKind::Special,
        Some(_) => k == CountryKind::Aggregate,
    };
    let reg = CountryRegistry::builtin();
    let row = |c: &entrepot_core::Country| {
        let mut m = Map::new();
        m.insert("iso3".into(), c.iso3.clone().into());
        m.insert("iso2".into(), c.iso2.clone().into());
        m.insert("m49".into(), c.m49.to_string().into());
        m.insert("name".into(), c.name.clone().into());
        m.insert("region".into(), c.region.clone().into());
        m.insert("subregion".into(), c.subregion.clone().into());
        m.insert("kind".into(), c.kind.to_string().into());
        m.insert("aliases".into(), c.aliases.clone().into());
        m
    };
    let rows: Vec<Value> = match opt_text("q", q.q.as_ref())? {
        None => reg
            .all()
            .iter()
            .filter(|c| wanted(c.kind))
            .map(|c| Value::Object(row(c)))
            .collect(),
        Some(q) => {
            let hits: Vec<Value> = reg
                .search(&q)
                .into_iter()
                .filter(|m| wanted(m.country.kind))
                .map(|m| {
                    let mut r = row(m.country);
                    r.insert("match".into(), m.kind.to_string().into());
                    r.insert("matched".into(), m.matched.clone().into());
                    Value::Object(r)
                })
                .collect();
            if hits.is_empty() {
                let message = match reg.resolve(&q) {
                    Err(e) => e.to_string(),
                    Ok(c) => format!("{} is {}, not of the kind asked for", c.iso3, c.kind),
                };
                return Err(entrepot_app::AppError::not_found(message).into());
            }
            hits
        }
    };
    json_value(&rows)
}

/// The parameters of `/api/v1/products`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProductsQuery {
    q: Option<String>,
    hs: Option<String>,
    children: Option<String>,
    baskets: Option<String>,
    limit: Option<String>,
}

/// `GET /api/v1/products?q=&hs=&children=&baskets=&limit=`: HS products and baskets.
pub(crate) async fn products(
    q: Result<Query<ProductsQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let q = query(q)?;
    let cat = ProductCatalog::builtin();
    let baskets = entrepot_app::reference::load_baskets(None)?;
    if flag("baskets", q.baskets.as_ref())? {
        let mut rows = Vec::new();
        for b in &baskets {
            for (rev, codes) in &b.codes {
                for c in codes {
                    let d = cat
                        .get(*rev, c.as_str())
                        .map(|i| i.description.clone())
                        .unwrap_or_default();
                    rows.push(vec![b.name.clone(), rev.to_string(), c.to_string(), d]);
                }
            }
        }
        return json_value(&rows_json(
            &["basket", "revision", "code", "description"],
            &rows,
        ));
    }
    let hs = opt_text("hs", q.hs.as_ref())?.unwrap_or_else(|| "HS2022".into());
    let rev: HsRevision = hs
        .parse()
        .map_err(|e: entrepot_core::CoreError| ServerError::BadRequest(e.to_string()))?;
    if !cat.has_revision(rev) {
        return Err(entrepot_app::AppError::not_found(format!(
            "no built-in nomenclature for {rev}; available: HS2012, HS2017, HS2022"
        ))
        .into());
    }
    let limit = int("limit", q.limit.as_ref(), 1usize..=500)?.unwrap_or(50);
    let query = opt_text("q", q.q.as_ref())?;
    let not_found = |e: entrepot_core::CoreError| entrepot_app::AppError::not_found(e.to_string());
    let hs_row = |i: &entrepot_core::ProductInfo| {
        vec![
            i.revision.to_string(),
            i.code.to_string(),
            i.code.level().to_string(),
            i.section.clone(),
            i.description.clone(),
        ]
    };
    let rows: Vec<Vec<String>> = match (&query, flag("children", q.children.as_ref())?) {
        (None, _) => cat.children(rev, None).into_iter().map(hs_row).collect(),
        (Some(q), true) => {
            let code = cat.resolve(rev, q).map_err(not_found)?;
            cat.children(rev, Some(&code))
                .into_iter()
                .map(hs_row)
                .collect()
        }
        (Some(q), false) => {
            if HsCode::parse(q).is_ok() && q.len() % 2 == 0 {
                cat.resolve(rev, q).map_err(not_found)?;
            }
            cat.find(rev, q, &baskets, limit)
                .into_iter()
                .map(|m| match m.item {
                    ProductItem::Hs(i) => hs_row(i),
                    ProductItem::Basket(b) => {
                        let codes: Vec<String> = b
                            .codes
                            .get(&rev)
                            .map(|cs| cs.iter().map(|c| c.to_string()).collect())
                            .unwrap_or_default();
                        vec![
                            rev.to_string(),
                            b.name.clone(),
                            "basket".to_string(),
                            String::new(),
                            format!("{} (basket of {})", b.description, codes.join(", ")),
                        ]
                    }
                })
                .collect()
        }
    };
    if rows.is_empty() {
        return Err(entrepot_app::AppError::not_found("no product matches").into());
    }
    json_value(&rows_json(
        &["revision", "code", "level", "section", "description"],
        &rows,
    ))
}

/// The parameters of `/api/v1/groups/{group}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupsQuery {
    at: Option<String>,
    history: Option<String>,
}

/// The date of `at`: `YYYY-MM-DD`, or the last day of a `YYYY`/`YYYY-MM` period;
/// today (UTC) when absent.
fn at_date(at: Option<&String>) -> ServerResult<entrepot_core::group::Date> {
    use entrepot_core::group::{date_from_unix_days, last_day, parse_date};
    let Some(s) = opt_text("at", at)? else {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        return Ok(date_from_unix_days((secs / 86_400) as i64));
    };
    let bad = || ServerError::BadRequest("at must be YYYY-MM-DD, YYYY or YYYY-MM".into());
    if s.len() == 10 {
        return parse_date(&s).ok_or_else(bad);
    }
    let p: entrepot_core::Period = s.parse().map_err(|_| bad())?;
    Ok(last_day(&p))
}

/// `GET /api/v1/groups?at=`: the groups and their number of members on a date.
pub(crate) async fn groups(
    q: Result<Query<GroupsQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let q = query(q)?;
    let at = at_date(q.at.as_ref())?;
    let reg = entrepot_app::reference::load_groups(None)?;
    let rows: Vec<Value> = reg
        .names()
        .into_iter()
        .map(|g| {
            let n = reg.members_on(g, at).map(|m| m.len()).unwrap_or(0);
            serde_json::json!({
                "group": g,
                "members": n,
                "at": entrepot_core::group::format_date(at),
            })
        })
        .collect();
    json_value(&rows)
}

/// `GET /api/v1/groups/{group}?at=&history=`: a group's members on a date, or every
/// membership row with its dates and source.
pub(crate) async fn group(
    group: Result<Path<String>, PathRejection>,
    q: Result<Query<GroupsQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let g = path_param(group, "group")?;
    let q = query(q)?;
    let reg = entrepot_app::reference::load_groups(None)?;
    let not_found = |e: entrepot_core::CoreError| entrepot_app::AppError::not_found(e.to_string());
    if flag("history", q.history.as_ref())? {
        let d = |x: Option<(i32, u8, u8)>| {
            x.map(|(y, mo, da)| format!("{y:04}-{mo:02}-{da:02}"))
                .unwrap_or_default()
        };
        let rows: Vec<Vec<String>> = reg
            .memberships(&g)
            .map_err(not_found)?
            .iter()
            .map(|m| vec![m.iso3.clone(), d(m.from), d(m.to), m.source.clone()])
            .collect();
        return json_value(&rows_json(&["iso3", "from", "to", "source"], &rows));
    }
    let at = at_date(q.at.as_ref())?;
    let countries = CountryRegistry::builtin();
    let rows: Vec<Vec<String>> = reg
        .members_on(&g, at)
        .map_err(not_found)?
        .into_iter()
        .map(|iso| {
            let name = countries
                .get(&iso)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            vec![iso, name]
        })
        .collect();
    json_value(&rows_json(&["iso3", "name"], &rows))
}

/// The parameters of `/api/v1/brief/{reporter}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BriefQuery {
    pub(crate) period: Option<String>,
    pub(crate) dataset: Option<String>,
    pub(crate) partners: Option<String>,
    pub(crate) view: Option<String>,
}

/// The brief request of a reporter and its parameters.
pub(crate) fn brief_request(reporter: &str, q: &BriefQuery) -> ServerResult<BriefRequest> {
    Ok(BriefRequest {
        reporter: text("reporter", reporter)?,
        period: opt_text("period", q.period.as_ref())?,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        sample: false,
        partners: list("partners", q.partners.as_ref())?,
        groups_file: None,
        engine: Default::default(),
    })
}

/// The cache key of a brief request in a view, under the store's fingerprint.
pub(crate) fn brief_key(fingerprint: &str, view: &str, r: &BriefRequest) -> String {
    format!(
        "brief\n{fingerprint}\n{view}\n{}\n{}\n{}\n{}",
        r.reporter.to_ascii_uppercase(),
        r.period.as_deref().unwrap_or(""),
        r.dataset.as_deref().unwrap_or(""),
        r.partners.join(",")
    )
}

/// `GET /api/v1/brief/{reporter}?period=&dataset=&partners=&view=brief|document`: the
/// release brief (its own model, schema `brief.schema.json`) or its report document;
/// cached by request and store fingerprint.
pub(crate) async fn brief(
    State(s): AppStateRef,
    reporter: Result<Path<String>, PathRejection>,
    q: Result<Query<BriefQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let reporter = path_param(reporter, "reporter")?;
    let q = query(q)?;
    let view = choice("view", q.view.as_ref(), &["brief", "document"])?;
    let req = brief_request(&reporter, &q)?;
    let fp = s.fingerprint.get(&s.config.store).await?;
    let key = brief_key(&fp, view, &req);
    if let Some(body) = s.cache.get(&key) {
        return Ok(json_bytes(body));
    }
    let loc = s.config.store.clone();
    let body = s
        .jobs
        .run(move || {
            let out = entrepot_app::brief::brief(&loc, &req)?;
            let text = if view == "document" {
                entrepot_report::try_render_json(&out.document)
            } else {
                entrepot_report::render_json_value(&out.brief)
            }
            .map_err(|e| ServerError::Internal(e.to_string()))?;
            Ok(Bytes::from(text))
        })
        .await?;
    s.cache.insert(key, body.clone());
    Ok(json_bytes(body))
}

/// The parameters of `/api/v1/diversification/{reporter}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DiversificationQuery {
    dataset: Option<String>,
    flow: Option<String>,
    across: Option<String>,
    hs_level: Option<String>,
    from: Option<String>,
    to: Option<String>,
    top: Option<String>,
}

/// The diversification request of a reporter and its parameters.
pub(crate) fn diversification_request(
    reporter: &str,
    q: &DiversificationQuery,
) -> ServerResult<DiversificationRequest> {
    let hs_level = match int("hs_level", q.hs_level.as_ref(), 2u8..=6)? {
        None => 6,
        Some(l) if l % 2 == 0 => l,
        Some(_) => return Err(ServerError::BadRequest("hs_level must be 2, 4 or 6".into())),
    };
    Ok(DiversificationRequest {
        reporter: text("reporter", reporter)?,
        dataset: opt_text("dataset", q.dataset.as_ref())?,
        flow: match choice("flow", q.flow.as_ref(), &["export", "import"])? {
            "import" => FlowKind::Import,
            _ => FlowKind::Export,
        },
        across: match choice("across", q.across.as_ref(), &["partners", "products"])? {
            "products" => Across::Products(hs_level),
            _ => Across::Partners,
        },
        from: int("from", q.from.as_ref(), 1900..=2100)?,
        to: int("to", q.to.as_ref(), 1900..=2100)?,
        top_k: int("top", q.top.as_ref(), 1usize..=100)?.unwrap_or(5),
    })
}

/// The cache key of a diversification request, under the store's fingerprint.
pub(crate) fn diversification_key(fingerprint: &str, r: &DiversificationRequest) -> String {
    format!(
        "diversification\n{fingerprint}\n{}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}",
        r.reporter.to_ascii_uppercase(),
        r.dataset,
        r.flow,
        r.across,
        r.from,
        r.to,
        r.top_k
    )
}

/// `GET /api/v1/diversification/{reporter}?…`: the diversification report document.
pub(crate) async fn diversification(
    State(s): AppStateRef,
    reporter: Result<Path<String>, PathRejection>,
    q: Result<Query<DiversificationQuery>, QueryRejection>,
) -> ServerResult<Response> {
    let reporter = path_param(reporter, "reporter")?;
    let req = diversification_request(&reporter, &query(q)?)?;
    let fp = s.fingerprint.get(&s.config.store).await?;
    let key = diversification_key(&fp, &req);
    if let Some(body) = s.cache.get(&key) {
        return Ok(json_bytes(body));
    }
    let loc = s.config.store.clone();
    let body = s
        .jobs
        .run(move || {
            let out = entrepot_app::diversification::diversification(&loc, &req)?;
            entrepot_report::try_render_json(&out.document)
                .map(Bytes::from)
                .map_err(|e| ServerError::Internal(e.to_string()))
        })
        .await?;
    s.cache.insert(key, body.clone());
    Ok(json_bytes(body))
}

/// The body of `POST /api/v1/sql`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SqlBody {
    /// The query (read-only: DDL, DML and statements are refused).
    #[serde(default)]
    query: String,
    /// List the tables and their columns instead.
    #[serde(default)]
    tables: bool,
}

/// `POST /api/v1/sql`: a read-only SQL query over the store, under the configured
/// memory limit and the job time limit; the rows as an array of objects.
pub(crate) async fn sql(
    State(s): AppStateRef,
    body: Result<Json<SqlBody>, JsonRejection>,
) -> ServerResult<Response> {
    let Json(body) = body.map_err(params::json_rejected)?;
    if !body.tables && body.query.trim().is_empty() {
        return Err(ServerError::BadRequest(
            "query is empty (or send \"tables\": true)".into(),
        ));
    }
    let req = entrepot_app::sql::SqlRequest {
        query: body.query,
        tables: body.tables,
        memory_limit: s.config.sql_memory_limit,
        engine: Default::default(),
    };
    let loc = s.config.store.clone();
    let text = s
        .jobs
        .run(move || {
            let result = entrepot_app::sql::sql(&loc, &req)?;
            Ok(result.render(entrepot_app::sql::SqlFormat::Json)?)
        })
        .await?;
    if text.len() > MAX_SQL_RESULT_BYTES {
        return Err(entrepot_app::AppError::usage(format!(
            "the result is over {} MiB: narrow the query (WHERE, LIMIT)",
            MAX_SQL_RESULT_BYTES >> 20
        ))
        .into());
    }
    Ok(json_bytes(Bytes::from(text)))
}

/// The body of `POST /api/v1/gravity`: the sample (a stored dataset or an SQL query,
/// never a file) and the model, as `entrepot gravity fit` takes them.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GravityBody {
    dataset: Option<String>,
    sql: Option<String>,
    formula: String,
    model: Option<String>,
    vcov: Option<String>,
    cluster: Option<String>,
    #[serde(default)]
    filters: Vec<String>,
    offset: Option<String>,
    weights: Option<String>,
    small_sample: Option<String>,
    #[serde(default)]
    intercept: bool,
    max_iter: Option<usize>,
}

/// The most characters of a formula, filter or expression of a gravity request.
const MAX_EXPRESSION_CHARS: usize = 4096;

/// An expression of a gravity request: bounded, no control characters.
fn expression(name: &str, v: &str) -> ServerResult<String> {
    if v.chars().count() > MAX_EXPRESSION_CHARS || v.chars().any(char::is_control) {
        return Err(ServerError::BadRequest(format!(
            "{name}: at most {MAX_EXPRESSION_CHARS} characters, no control characters"
        )));
    }
    Ok(v.to_string())
}

/// The gravity request of a body.
fn gravity_request(
    b: &GravityBody,
    memory_limit: Option<u64>,
) -> ServerResult<entrepot_app::gravity::GravityRequest> {
    use entrepot_app::gravity::{GravityRequest, SampleSource, SmallSampleChoice};
    use entrepot_app::{Estimator, VcovKind};
    let source = match (&b.dataset, &b.sql) {
        (Some(d), None) => SampleSource::Dataset(text("dataset", d)?),
        (None, Some(q)) => SampleSource::Sql(q.clone()),
        _ => {
            return Err(ServerError::BadRequest(
                "give the sample as exactly one of dataset and sql".into(),
            ))
        }
    };
    if b.filters.len() > MAX_LIST_ITEMS {
        return Err(ServerError::BadRequest(format!(
            "filters: at most {MAX_LIST_ITEMS}"
        )));
    }
    let mut r = GravityRequest::new(source, expression("formula", &b.formula)?);
    let model = choice("model", b.model.as_ref(), &["ppml", "ols"])?;
    r.estimator = if model == "ols" {
        Estimator::Ols
    } else {
        Estimator::Ppml
    };
    r.vcov = match b.vcov.as_ref() {
        None => None,
        Some(_) => Some(
            match choice("vcov", b.vcov.as_ref(), &["iid", "hetero", "cluster"])? {
                "hetero" => VcovKind::Hetero,
                "cluster" => VcovKind::Cluster,
                _ => VcovKind::Iid,
            },
        ),
    };
    r.cluster = b
        .cluster
        .as_deref()
        .map(|c| expression("cluster", c))
        .transpose()?;
    r.filters = b
        .filters
        .iter()
        .map(|f| expression("filters", f))
        .collect::<ServerResult<_>>()?;
    r.offset = b
        .offset
        .as_deref()
        .map(|o| expression("offset", o))
        .transpose()?;
    r.weights = b
        .weights
        .as_deref()
        .map(|w| expression("weights", w))
        .transpose()?;
    r.small_sample = match choice(
        "small_sample",
        b.small_sample.as_ref(),
        &["pyfixest", "stata", "reghdfe", "none"],
    )? {
        "stata" => SmallSampleChoice::Stata,
        "reghdfe" => SmallSampleChoice::Reghdfe,
        "none" => SmallSampleChoice::None,
        _ => SmallSampleChoice::Pyfixest,
    };
    r.intercept = b.intercept;
    if let Some(n) = b.max_iter {
        if !(1..=10_000).contains(&n) {
            return Err(ServerError::BadRequest(
                "max_iter must be from 1 to 10000".into(),
            ));
        }
        r.max_iter = n;
    }
    r.memory_limit = memory_limit;
    Ok(r)
}

/// `POST /api/v1/gravity`: a gravity fit on stored data (a dataset or an SQL query),
/// its regression table as a report document; cached by request and store
/// fingerprint.
pub(crate) async fn gravity(
    State(s): AppStateRef,
    body: Result<Json<GravityBody>, JsonRejection>,
) -> ServerResult<Response> {
    let Json(body) = body.map_err(params::json_rejected)?;
    let req = gravity_request(&body, s.config.sql_memory_limit)?;
    let spec = serde_json::to_string(&body).map_err(|e| ServerError::Internal(e.to_string()))?;
    let fp = s.fingerprint.get(&s.config.store).await?;
    let key = format!("gravity\n{fp}\n{spec}");
    if let Some(body) = s.cache.get(&key) {
        return Ok(json_bytes(body));
    }
    let loc = s.config.store.clone();
    let body = s
        .jobs
        .run(move || {
            let out = entrepot_app::gravity::fit_gravity(&loc, &req)?;
            entrepot_report::try_render_json(&out.document())
                .map(Bytes::from)
                .map_err(|e| ServerError::Internal(e.to_string()))
        })
        .await?;
    s.cache.insert(key, body.clone());
    Ok(json_bytes(body))
}
