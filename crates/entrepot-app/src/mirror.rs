//! Mirror statistics of a pair of countries: [`mirror`] sets each country's reported
//! exports to the other against the other's reported imports from it, per year and
//! per HS product, with the gap in value and percent and the ratio `M/X` against the
//! usual CIF/FOB margin (kernel [`entrepot_indices::mirror_gap`]), and lays them out
//! as a report [`Document`] (kind [`DOCUMENT_KIND`]).
//!
//! The exporters' reports are read from one flows dataset (`dataset`), the importers'
//! from the same one or another (`against`): two releases of one source, or a source
//! against another. Both are **reported** figures ([`Mirror::Off`]): comparing a
//! country's report with the mirror of itself would show nothing. A dataset that holds
//! each flow once, on the exporter's side (CEPII BACI), has no importer's report to
//! compare with: when neither country reports its imports in the `against` dataset
//! the request fails with the reason; when a report is missing for some years or
//! one direction only, those figures are absent, with the reason.
//!
//! A reporter that reports a flow in a year but not to the other country reports
//! zero to it (a true zero of its report); a reporter with no report of the flow at
//! all in the year leaves the figure absent.

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::pair::{choose_dataset, is_world, resolve_pair, year_range, years_text};
use entrepot_core::FlowKind;
use entrepot_cube::{Cube, CubeRequest, Mirror, PeriodGrain, PeriodRange, ProductGrain};
use entrepot_doc::Document;
use entrepot_indices::MirrorGap;
use std::collections::{BTreeMap, BTreeSet};

mod document;

/// The [`Document::kind`] of a mirror-statistics report.
pub const DOCUMENT_KIND: &str = "mirror";

/// A request for the mirror statistics of a pair of countries.
#[derive(Debug, Clone)]
pub struct MirrorRequest {
    /// The reporter, as any code the country registry knows.
    pub reporter: String,
    /// The partner.
    pub partner: String,
    /// The flows dataset of the exporters' reports (when several hold the countries).
    pub dataset: Option<String>,
    /// The flows dataset of the importers' reports; `None`: the same as `dataset`.
    pub against: Option<String>,
    /// First year (inclusive); `None`: the first held.
    pub from: Option<i32>,
    /// Last year (inclusive); `None`: the last held.
    pub to: Option<i32>,
    /// The year of the product tables; `None`: the last year held.
    pub period: Option<i32>,
    /// HS level of the products (2, 4 or 6).
    pub level: u8,
    /// Rows of each product table.
    pub top: usize,
}

impl Default for MirrorRequest {
    fn default() -> Self {
        MirrorRequest {
            reporter: String::new(),
            partner: String::new(),
            dataset: None,
            against: None,
            from: None,
            to: None,
            period: None,
            level: 6,
            top: 20,
        }
    }
}

/// One flow (an exporter's exports to an importer, overall or of one product) in one
/// year, as each side reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct MirrorFlow {
    /// The year.
    pub year: i32,
    /// The exporter, ISO3.
    pub exporter: String,
    /// The importer, ISO3.
    pub importer: String,
    /// The product: the digits of its HS code at the level asked for (the two datasets
    /// may use different revisions), or `None` for all products.
    pub product: Option<String>,
    /// The exporter's report, US dollars, or why there is none.
    pub exports: Result<f64, String>,
    /// The importer's report, US dollars, or why there is none.
    pub imports: Result<f64, String>,
    /// The gap of the two reports, when both are held.
    pub gap: Result<MirrorGap, String>,
}

/// A mirror-statistics report.
#[derive(Debug, Clone)]
pub struct MirrorOutput {
    /// The reporter (ISO3).
    pub reporter: String,
    /// The partner (ISO3).
    pub partner: String,
    /// The dataset of the exporters' reports.
    pub dataset: String,
    /// The dataset of the importers' reports.
    pub against: String,
    /// Both directions by year (reporter → partner first), all products.
    pub years: Vec<MirrorFlow>,
    /// Both directions by product in the year of the product tables, by the size of
    /// the gap.
    pub products: Vec<MirrorFlow>,
    /// The report document.
    pub document: Document,
}

/// One side's reports: who reports the flow in which year (at any product, and with
/// product detail), and the flows between the two countries.
#[derive(Debug, Default)]
struct Reports {
    /// (country, year) with a report of the flow.
    reporting: BTreeSet<(String, i32)>,
    /// (country, year) with a report of the flow by HS product.
    reporting_products: BTreeSet<(String, i32)>,
    /// (reporter, partner, year, product code) → value; products keyed by their digits
    /// so that two datasets of different HS revisions still meet.
    values: BTreeMap<(String, String, i32, String), f64>,
    /// HS revisions of the product cells.
    revisions: BTreeSet<String>,
    /// Stored rows summed into the overall cells of the pair.
    rows: u64,
}

/// Computes the mirror statistics of a request.
pub fn mirror(location: &StoreLocation, req: &MirrorRequest) -> AppResult<MirrorOutput> {
    let (reporter, partner) = resolve_pair(&req.reporter, &req.partner)?;
    if req.top == 0 {
        return Err(AppError::usage("--top must be at least 1"));
    }
    if !matches!(req.level, 2 | 4 | 6) {
        return Err(AppError::usage(format!(
            "HS level {}: expected 2, 4 or 6",
            req.level
        )));
    }
    let range = year_range(req.from, req.to, req.period)?;
    let store = location.open_read()?;
    let both = [reporter.as_str(), partner.as_str()];
    let dataset = choose_dataset(&store, req.dataset.as_deref(), &both, "--dataset")?;
    let against = match &req.against {
        Some(a) => choose_dataset(&store, Some(a), &both, "--against")?,
        None => dataset.clone(),
    };
    let cubes = location.cubes(&store)?;
    let span = years_text(req.from, req.to);
    let read = |d: &str, flow: FlowKind, years: Option<PeriodRange>| -> AppResult<Reports> {
        let base = |r: CubeRequest| {
            let r = r
                .datasets([d])
                .reporters(both)
                .flows([flow])
                .by_reporter()
                .by_period(PeriodGrain::Year)
                .mirror(Mirror::Off)
                .quantity(false);
            match years {
                Some(y) => r.period_range(y),
                None => r,
            }
        };
        let mut out = Reports::default();
        for c in cubes.run(&base(CubeRequest::new()))?.cells() {
            if let (Some(r), Some(p)) = (c.reporter, c.period) {
                out.reporting.insert((r.to_string(), p.year()));
            }
        }
        let pair = |r: CubeRequest| base(r).partners(both).by_partner();
        let overall = cubes.run(&pair(CubeRequest::new()))?;
        out.rows = overall.cells().iter().map(|c| c.rows).sum();
        read_values(&overall, &mut out);
        Ok(out)
    };
    let exports = read(&dataset, FlowKind::Export, range)?;
    let imports = read(&against, FlowKind::Import, range)?;
    if exports.reporting.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no exports reported by {reporter} or {partner}{span}"
        )));
    }
    if imports.reporting.is_empty() {
        let holds_imports = !cubes
            .run(
                &CubeRequest::new()
                    .datasets([against.as_str()])
                    .flows([FlowKind::Import])
                    .mirror(Mirror::Off)
                    .quantity(false),
            )?
            .is_empty();
        let why = if holds_imports {
            format!("neither {reporter} nor {partner} reports its imports there{span}")
        } else {
            "it holds no reported imports at all, only the exporters' side (as CEPII BACI, which holds each flow once, on the exporter's side)".to_string()
        };
        return Err(AppError::not_found(format!(
            "dataset '{against}' holds no importer's report to set against the exporters' reports: {why}. Mirror statistics compare an exporter's report of a flow with the importer's report of the same flow; give --against DATASET with a dataset in which {reporter} or {partner} reports its imports"
        )));
    }
    let directions = [(&reporter, &partner), (&partner, &reporter)];
    let years: BTreeSet<i32> = exports
        .reporting
        .iter()
        .chain(&imports.reporting)
        .map(|(_, y)| *y)
        .collect();
    let comparable = years.iter().any(|y| {
        directions.iter().any(|(x, m)| {
            exports.reporting.contains(&((*x).clone(), *y))
                && imports.reporting.contains(&((*m).clone(), *y))
        })
    });
    if !comparable {
        return Err(AppError::not_found(format!(
            "no year in which an exporter's report ('{dataset}') and its importer's report ('{against}') of trade between {reporter} and {partner} are both held{span}"
        )));
    }
    let product_year = match req.period {
        Some(p) if years.contains(&p) => p,
        Some(p) => {
            return Err(AppError::not_found(format!(
                "no report of trade between {reporter} and {partner} in {p}"
            )))
        }
        None => *years
            .last()
            .ok_or_else(|| AppError::not_found("no year held"))?,
    };
    let mut out_years = Vec::new();
    for year in &years {
        for (x, m) in directions {
            out_years.push(flow(
                &exports, &imports, x, m, *year, None, &dataset, &against,
            )?);
        }
    }
    // Products: the year of the product tables only.
    let mut exports = exports;
    let mut imports = imports;
    let one = PeriodRange::years(product_year, product_year);
    for (reports, d, f) in [
        (&mut exports, &dataset, FlowKind::Export),
        (&mut imports, &against, FlowKind::Import),
    ] {
        let cube = cubes.run(
            &CubeRequest::new()
                .datasets([d.as_str()])
                .reporters(both)
                .flows([f])
                .by_reporter()
                .by_partner()
                .by_product(ProductGrain::Hs(req.level))
                .by_period(PeriodGrain::Year)
                .mirror(Mirror::Off)
                .quantity(false)
                .period_range(one),
        )?;
        read_values(&cube, reports);
        // who reports the flow with product detail: any product cell with any partner
        let detail = cubes.run(
            &CubeRequest::new()
                .datasets([d.as_str()])
                .reporters(both)
                .flows([f])
                .by_reporter()
                .by_product(ProductGrain::Hs(2))
                .by_period(PeriodGrain::Year)
                .mirror(Mirror::Off)
                .quantity(false)
                .period_range(one),
        )?;
        for c in detail.cells() {
            if let (Some(r), Some(p)) = (c.reporter, c.period) {
                reports.reporting_products.insert((r.to_string(), p.year()));
            }
        }
    }
    let mut out_products = Vec::new();
    for (x, m) in directions {
        let codes: BTreeSet<String> = [(&exports, x, m), (&imports, m, x)]
            .iter()
            .flat_map(|(rep, a, b)| {
                rep.values
                    .iter()
                    .filter(move |((r, p, y, k), v)| {
                        r == *a && p == *b && *y == product_year && k != "TOTAL" && **v > 0.0
                    })
                    .map(|(k, _)| k.3.clone())
            })
            .collect();
        let mut rows = Vec::new();
        for code in codes {
            rows.push(flow(
                &exports,
                &imports,
                x,
                m,
                product_year,
                Some(&code),
                &dataset,
                &against,
            )?);
        }
        rows.sort_by(|a, b| {
            let size = |f: &MirrorFlow| f.gap.as_ref().map_or(-1.0, |g| g.gap.abs());
            size(b).total_cmp(&size(a)).then(a.product.cmp(&b.product))
        });
        out_products.extend(rows);
    }
    let revisions: Vec<(String, BTreeSet<String>)> = vec![
        (dataset.clone(), exports.revisions.clone()),
        (against.clone(), imports.revisions.clone()),
    ];
    // Exports and imports compared are in one currency, or not compared at all.
    let currency = crate::money::dataset_currency(&store, &dataset)?;
    let against_currency = crate::money::dataset_currency(&store, &against)?;
    if currency != against_currency {
        return Err(AppError::bad_input(format!(
            "dataset '{dataset}' holds values in {currency} and '{against}' in {against_currency}: reports in two currencies are never compared; use datasets in one currency, or convert at ingest (--fx)"
        )));
    }
    let document = document::document(&document::Inputs {
        reporter: &reporter,
        partner: &partner,
        dataset: &dataset,
        against: &against,
        req,
        years: &out_years,
        products: &out_products,
        product_year,
        rows: (exports.rows, imports.rows),
        revisions: &revisions,
    });
    let mut document = document;
    document.label_money_in(currency);
    Ok(MirrorOutput {
        reporter,
        partner,
        dataset,
        against,
        years: out_years,
        products: out_products,
        document,
    })
}

/// Reads a cube of the flows between the two countries into `reports`.
fn read_values(cube: &Cube, reports: &mut Reports) {
    for c in cube.cells() {
        let (Some(r), Some(p), Some(period)) = (c.reporter, c.partner, c.period) else {
            continue;
        };
        if is_world(p) {
            continue;
        }
        let code = c.product.map_or("TOTAL".to_string(), |p| p.code_string());
        if let Some(rev) = c.product.and_then(|p| p.revision()) {
            reports.revisions.insert(rev.to_string());
        }
        *reports
            .values
            .entry((r.to_string(), p.to_string(), period.year(), code))
            .or_default() += c.value;
    }
}

/// One flow as both sides report it, with the gap.
#[allow(clippy::too_many_arguments)]
fn flow(
    exports: &Reports,
    imports: &Reports,
    exporter: &str,
    importer: &str,
    year: i32,
    product: Option<&str>,
    dataset: &str,
    against: &str,
) -> AppResult<MirrorFlow> {
    let code = product.unwrap_or("TOTAL");
    let side = |reports: &Reports, country: &str, partner: &str, flow: &str, d: &str| {
        let detail = if product.is_some() {
            &reports.reporting_products
        } else {
            &reports.reporting
        };
        if detail.contains(&(country.to_string(), year)) {
            Ok(reports
                .values
                .get(&(
                    country.to_string(),
                    partner.to_string(),
                    year,
                    code.to_string(),
                ))
                .copied()
                .unwrap_or(0.0))
        } else if product.is_some() && reports.reporting.contains(&(country.to_string(), year)) {
            Err(format!(
                "{country} reports its {flow} in {year} in '{d}' without product detail"
            ))
        } else {
            Err(format!("{country} reports no {flow} in {year} in '{d}'"))
        }
    };
    let x = side(exports, exporter, importer, "exports", dataset);
    let m = side(imports, importer, exporter, "imports", against);
    let gap = match (&x, &m) {
        (Ok(x), Ok(m)) => {
            entrepot_indices::mirror_gap(*x, *m).map_err(|e| AppError::bad_input(e.to_string()))?
        }
        (Err(e), _) | (_, Err(e)) => {
            return Ok(MirrorFlow {
                year,
                exporter: exporter.to_string(),
                importer: importer.to_string(),
                product: product.map(str::to_string),
                gap: Err(e.clone()),
                exports: x,
                imports: m,
            })
        }
    };
    Ok(MirrorFlow {
        year,
        exporter: exporter.to_string(),
        importer: importer.to_string(),
        product: product.map(str::to_string),
        exports: x,
        imports: m,
        gap: Ok(gap),
    })
}
