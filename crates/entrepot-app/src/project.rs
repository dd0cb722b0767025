//! Projection of a reporter's world market share to a target year: [`project`] reads
//! the share series from a flow cube (the reporter's share of every exporter's
//! exports, in total or for a basket, as `entrepot edge` computes it), projects it
//! with each method of [`entrepot_project`] (log-linear trend, damped-trend
//! exponential smoothing, the no-change benchmark), backtests them from rolling
//! origins, and lays out the chosen method's projection beside its backtest error as
//! a report [`Document`] (kind [`DOCUMENT_KIND`]). A projected share is never shown
//! without its interval and the error the method made on held-back years.
//!
//! * here: the request, the share series ([`share_series`]: from the store;
//!   [`total_shares`]: the total share from reporter × partner × year cells, a pure
//!   computation tested without a store) and the projection.
//! * `document` (submodule): the report: lead, projection table and chart, backtest
//!   tables, method notes and data basis.
//!
//! **The series.** Total: `s_t = X_rt / Σ_r X_rt` over every exporter of the dataset,
//! where `X_rt` is the reporter's declared world total (partner `WLD`) when it has
//! one, else the sum of its exports to every partner but itself (domestic flows, which
//! some panels hold, are not exports). With a basket: the basket's share from HS6
//! exports ([`crate::edge::ExportMatrix::group`]). Only the run of consecutive years
//! with a share, ending in the last such year, is projected; earlier years are listed
//! in the data basis.

use crate::dependence::{coverage, Coverage};
use crate::edge::{EdgeRequest, Selection};
use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::pair::{choose_dataset, is_world, resolve_country, year_range, years_text};
use entrepot_core::{Basket, FlowKind};
use entrepot_cube::{CubeRequest, Mirror, PeriodGrain};
use entrepot_doc::{Currency, Document};
use entrepot_project::{Options, ProjectError, Projection, ShareSeries};
use std::collections::BTreeMap;

mod document;
#[cfg(test)]
mod tests;

/// The [`Document::kind`] of a projection report.
pub const DOCUMENT_KIND: &str = "projection";

/// A request for the projection of a reporter's world market share.
#[derive(Debug, Clone, Default)]
pub struct ProjectRequest {
    /// The reporter, as ISO3 or any code the country registry knows.
    pub reporter: String,
    /// The flows dataset to read when several hold the reporter.
    pub dataset: Option<String>,
    /// A basket by name (built-in or of [`ProjectRequest::baskets`]); `None`: the
    /// total share.
    pub basket: Option<String>,
    /// The baskets known; empty: the built-in ones.
    pub baskets: Vec<Basket>,
    /// First year of data to use (inclusive); `None`: the first held.
    pub from: Option<i32>,
    /// The target year.
    pub target: i32,
    /// The prediction interval level in (0, 1); `None`: 0.8.
    pub level: Option<f64>,
}

/// The share series read from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesData {
    /// The reporter (ISO3).
    pub reporter: String,
    /// The dataset read.
    pub dataset: String,
    /// The basket's name, or `None` for the total share.
    pub basket: Option<String>,
    /// The dataset's currency.
    pub currency: Currency,
    /// By year: the reporter's exports, the world's, and the share (%) or why absent.
    pub years: Vec<(i32, f64, f64, Result<f64, String>)>,
    /// Coverage of world trade by year.
    pub coverage: BTreeMap<i32, Coverage>,
    /// Exporters (the world) by year.
    pub exporters: BTreeMap<i32, usize>,
}

/// A projection: the series, the projection and the document.
#[derive(Debug, Clone)]
pub struct ProjectOutput {
    /// The series read.
    pub series: SeriesData,
    /// The years projected (the last run of consecutive years with a share).
    pub used: ShareSeries,
    /// Years with data left out of the projection, with the reason.
    pub left_out: Vec<(i32, String)>,
    /// The projection.
    pub projection: Projection,
    /// The report document.
    pub document: Document,
}

/// Exporters' totals by year from reporter × partner × year cells: a reporter's
/// world (`WLD`) row when it has one, else the sum over partners other than itself.
/// Returns `year → exporter → exports`.
pub fn total_shares<'a>(
    cells: impl IntoIterator<Item = (&'a str, &'a str, i32, f64)>,
) -> BTreeMap<i32, BTreeMap<String, f64>> {
    // (year, reporter) → (declared world total, sum over partners)
    let mut acc: BTreeMap<(i32, &str), (Option<f64>, f64)> = BTreeMap::new();
    for (r, p, y, v) in cells {
        if is_world(r) {
            continue;
        }
        let e = acc.entry((y, r)).or_insert((None, 0.0));
        if is_world(p) {
            *e.0.get_or_insert(0.0) += v;
        } else if p != r {
            e.1 += v;
        }
    }
    let mut out: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    for ((y, r), (world, sum)) in acc {
        out.entry(y)
            .or_default()
            .insert(r.to_string(), world.unwrap_or(sum));
    }
    out
}

/// The share of `reporter` in a year's exporter totals, with the figures.
fn year_share(
    reporter: &str,
    year: i32,
    totals: &BTreeMap<String, f64>,
) -> (i32, f64, f64, Result<f64, String>) {
    let x_r = totals.get(reporter).copied().unwrap_or(0.0);
    let x_w: f64 = totals.values().sum();
    let share = if x_r <= 0.0 {
        Err(format!(
            "{reporter} reports no exports in the dataset in {year}"
        ))
    } else {
        entrepot_core::formulas::share_pct(x_r, x_w)
            .ok_or_else(|| format!("no world exports in {year}"))
    };
    (year, x_r, x_w, share)
}

/// Reads the share series of a request from the store.
pub fn share_series(location: &StoreLocation, req: &ProjectRequest) -> AppResult<SeriesData> {
    let reporter = resolve_country(&req.reporter, "reporter")?;
    if let Some(name) = &req.basket {
        let out = crate::edge::edge(
            location,
            &EdgeRequest {
                reporter: req.reporter.clone(),
                dataset: req.dataset.clone(),
                selection: Selection::Basket(name.clone()),
                baskets: req.baskets.clone(),
                from: req.from,
                to: None,
                top: 1,
            },
        )?;
        let (basket, ys) = out
            .basket
            .ok_or_else(|| AppError::failure("the edge report held no basket series"))?;
        return Ok(SeriesData {
            reporter: out.reporter,
            dataset: out.dataset,
            basket: Some(basket),
            currency: out
                .document
                .currency
                .ok_or_else(|| AppError::failure("the edge report states no currency"))?,
            years: ys
                .into_iter()
                .map(|g| (g.year, g.exports, g.world_exports, g.share))
                .collect(),
            coverage: out.coverage,
            exporters: out.exporters,
        });
    }
    let range = year_range(req.from, None, None)?;
    let store = location.open_read()?;
    let dataset = choose_dataset(&store, req.dataset.as_deref(), &[&reporter], "--dataset")?;
    let cubes = location.cubes(&store)?;
    let mut request = CubeRequest::new()
        .datasets([dataset.as_str()])
        .by_reporter()
        .by_partner()
        .by_period(PeriodGrain::Year)
        .flows([FlowKind::Export])
        .mirror(Mirror::Off)
        .quantity(false);
    if let Some(p) = range {
        request = request.period_range(p);
    }
    let pairs = cubes.run(&request)?;
    let currency = crate::money::common_currency(&[&pairs])?;
    let totals = total_shares(
        pairs
            .cells()
            .into_iter()
            .filter_map(|c| Some((c.reporter?, c.partner?, c.period?.year(), c.value))),
    );
    let years: Vec<_> = totals
        .iter()
        .filter(|(_, t)| t.contains_key(&reporter))
        .map(|(y, t)| year_share(&reporter, *y, t))
        .collect();
    if years.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no exports reported by {reporter}{}",
            years_text(req.from, None)
        )));
    }
    let exporters = totals.iter().map(|(y, t)| (*y, t.len())).collect();
    Ok(SeriesData {
        reporter,
        dataset,
        basket: None,
        currency,
        years,
        coverage: coverage(&pairs),
        exporters,
    })
}

/// The last run of consecutive years with a share, and the years left out with why.
fn last_run(data: &SeriesData) -> (Vec<i32>, Vec<f64>, Vec<(i32, String)>) {
    let mut start = data.years.len();
    while start > 0 {
        let (y, _, _, s) = &data.years[start - 1];
        let ok = matches!(s, Ok(v) if *v > 0.0 && *v < 100.0);
        let next_consecutive = data
            .years
            .get(start)
            .is_none_or(|(next, ..)| *next == y + 1);
        if !ok || !next_consecutive {
            break;
        }
        start -= 1;
    }
    let left_out = data.years[..start]
        .iter()
        .map(|(y, _, _, s)| {
            let why = match s {
                Err(e) => e.clone(),
                Ok(v) if *v <= 0.0 || *v >= 100.0 => {
                    format!("a share of {v}% has no log-odds")
                }
                Ok(_) => "before a gap or a year without a share".to_string(),
            };
            (*y, why)
        })
        .collect();
    let used = &data.years[start..];
    (
        used.iter().map(|y| y.0).collect(),
        used.iter()
            .filter_map(|y| y.3.as_ref().ok().copied())
            .collect(),
        left_out,
    )
}

/// An error of the projection kernel as an application error: too little data or a
/// bad target is the request's or the data's mistake, a failed fit a failure.
fn project_error(e: ProjectError) -> AppError {
    match e {
        ProjectError::Target { .. } | ProjectError::Level(_) => AppError::usage(e.to_string()),
        ProjectError::TooFewYears { .. }
        | ProjectError::Gap { .. }
        | ProjectError::ShareOutOfRange { .. }
        | ProjectError::Shape { .. } => AppError::bad_input(e.to_string()),
        ProjectError::Fit { .. } => AppError::failure(e.to_string()),
    }
}

/// Projects the share of a request and builds the report.
pub fn project(location: &StoreLocation, req: &ProjectRequest) -> AppResult<ProjectOutput> {
    let level = req.level.unwrap_or(0.8);
    if !(level > 0.0 && level < 1.0) {
        return Err(AppError::usage(format!(
            "--level {level}: must be strictly between 0 and 1 (e.g. 0.8 or 0.95)"
        )));
    }
    let data = share_series(location, req)?;
    let (years, shares, left_out) = last_run(&data);
    let what = match &data.basket {
        Some(b) => format!("{}'s share of world exports of basket {b}", data.reporter),
        None => format!("{}'s share of world exports", data.reporter),
    };
    let used = ShareSeries::new(years, shares)
        .map_err(|e| project_error(e).context(&format!("{what} in dataset '{}'", data.dataset)))?;
    let mut options = Options::new(req.target);
    options.level = level;
    let projection = entrepot_project::project(&used, &options).map_err(|e| {
        project_error(e).context(&format!(
            "{what} in dataset '{}' ({} consecutive years with a share{})",
            data.dataset,
            used.len(),
            match (used.years().first(), used.last_year()) {
                (Some(a), Some(b)) => format!(", {a}–{b}"),
                _ => String::new(),
            }
        ))
    })?;
    let document = document::document(&data, &used, &left_out, &projection);
    Ok(ProjectOutput {
        series: data,
        used,
        left_out,
        projection,
        document,
    })
}
