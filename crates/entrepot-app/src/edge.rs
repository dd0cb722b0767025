//! Sectoral edge of a reporter: its world market shares and Balassa revealed
//! comparative advantage by product, for a basket of products and in total, year by
//! year. [`edge`] reads one flow cube of the store and lays the figures out as a
//! report [`Document`] (kind [`DOCUMENT_KIND`]).
//!
//! * [`ExportMatrix`] (here): every exporter's reported exports by HS6 product and
//!   year, summed from the cube, and the figures of a group of products (one product,
//!   a basket, or every product) for an exporter: [`ExportMatrix::group`]. A pure
//!   computation, tested without a store.
//! * `document` (submodule): the report: summary by year, the products table, the top
//!   gaining and losing products, charts, method notes and the data basis.
//!
//! **Definitions** (each formula in `entrepot_core::formulas`): with `X_rk` the exports
//! of exporter `r` in product `k`, `X_r = Σ_k X_rk`, `X_wk = Σ_r X_rk` and
//! `X_w = Σ_r Σ_k X_rk`, summed over every exporter that reports exports in the dataset
//! (the "world"):
//!
//! * world market share `s_rk = X_rk / X_wk` ([`share_pct`], in percent);
//! * revealed comparative advantage `RCA_rk = (X_rk / X_r) / (X_wk / X_w)` (Balassa
//!   1965, [`balassa_rca`]);
//! * a basket `B`: share `Σ_{k∈B} X_rk / Σ_{k∈B} X_wk` and RCA
//!   `(Σ_{k∈B} X_rk / X_r) / (Σ_{k∈B} X_wk / X_w)`;
//! * total share `X_r / X_w`.
//!
//! Only exporters' own reports are read (no mirror figures), so that the shares of all
//! exporters in a product add up to 100%. The world is the dataset's: where the
//! dataset does not cover world trade (an extract of a few exporters), the report says
//! so ([`crate::dependence::Coverage`]). A figure that cannot be computed (world
//! exports of a product zero, the reporter exporting nothing in a year) is absent with
//! the reason, never zero.
//!
//! [`share_pct`]: entrepot_core::formulas::share_pct
//! [`balassa_rca`]: entrepot_core::formulas::balassa_rca

use crate::dependence::{coverage, Coverage};
use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::pair::{choose_dataset, is_world, resolve_country, year_range, years_text};
use entrepot_core::formulas::{balassa_rca, share_change_pp, share_pct};
use entrepot_core::{Basket, FlowKind, HsCode, HsRevision, ProductId};
use entrepot_cube::{CubeRequest, Mirror, PeriodGrain, ProductGrain};
use entrepot_doc::{Currency, Document};
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod document;
#[cfg(test)]
mod tests;

/// The [`Document::kind`] of a sectoral-edge report.
pub const DOCUMENT_KIND: &str = "edge";

/// Which products the report is about.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Selection {
    /// Every product: the products the reporter exports, the top gainers and losers.
    #[default]
    All,
    /// A basket by name (built-in, or of [`EdgeRequest::baskets`]), case-insensitive.
    Basket(String),
    /// HS6 codes.
    Products(Vec<String>),
}

/// A request for the sectoral-edge report of a reporter.
#[derive(Debug, Clone, Default)]
pub struct EdgeRequest {
    /// The reporter, as ISO3 or any code the country registry knows.
    pub reporter: String,
    /// The flows dataset to read when several hold the reporter.
    pub dataset: Option<String>,
    /// The products.
    pub selection: Selection,
    /// The baskets known (built-in and the user's: [`crate::reference::load_baskets`]);
    /// empty: the built-in ones.
    pub baskets: Vec<Basket>,
    /// First year (inclusive); `None`: the first held.
    pub from: Option<i32>,
    /// Last year (inclusive); `None`: the last held.
    pub to: Option<i32>,
    /// How many gaining and losing products to list (0: the default, 10).
    pub top: usize,
}

/// The figures of a group of products (one product, a basket, every product) for the
/// reporter in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupYear {
    /// The calendar year.
    pub year: i32,
    /// The reporter's exports of the group, in the dataset's currency.
    pub exports: f64,
    /// The world's exports of the group (every exporter of the dataset).
    pub world_exports: f64,
    /// World market share in percent, or why absent.
    pub share: Result<f64, String>,
    /// Balassa RCA, or why absent.
    pub rca: Result<f64, String>,
}

/// One product of the report: its figures by year and its change in share.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductEdge {
    /// The product (revision and HS6 code).
    pub product: ProductId,
    /// Its description in the built-in catalogue (empty when unknown).
    pub description: String,
    /// One entry per year of the report, in order.
    pub years: Vec<GroupYear>,
    /// Change in share, first to last year, in percentage points, or why absent.
    pub change_pp: Result<f64, String>,
}

/// A sectoral-edge report: the figures and the document.
#[derive(Debug, Clone)]
pub struct EdgeOutput {
    /// The reporter (ISO3).
    pub reporter: String,
    /// The dataset read.
    pub dataset: String,
    /// The HS revisions of the dataset's products (the basket codes used).
    pub revisions: Vec<HsRevision>,
    /// The reporter's total exports and total share by year.
    pub total: Vec<GroupYear>,
    /// The basket's name and figures by year, with `--basket`.
    pub basket: Option<(String, Vec<GroupYear>)>,
    /// The products: of the basket, the codes asked for, or every product the
    /// reporter exports; by the reporter's exports in the last year, largest first.
    pub products: Vec<ProductEdge>,
    /// Indices into `products` of the top gainers (largest rise in share first).
    pub gainers: Vec<usize>,
    /// Indices into `products` of the top losers (largest fall first).
    pub losers: Vec<usize>,
    /// Why there are no gainers and losers (a single year), if so.
    pub no_change: Option<String>,
    /// Coverage of world trade by year.
    pub coverage: BTreeMap<i32, Coverage>,
    /// The number of exporters (the world) by year.
    pub exporters: BTreeMap<i32, usize>,
    /// The report document.
    pub document: Document,
}

/// The exports of one year.
#[derive(Debug, Clone, Default)]
struct YearMatrix {
    exporter_totals: HashMap<String, f64>,
    product_totals: HashMap<ProductId, f64>,
    total: f64,
    detail: HashMap<String, HashMap<ProductId, f64>>,
}

/// Exporters' exports by product and year, with the world totals: the input of
/// every figure of the report.
///
/// Totals are kept for every exporter and product; the detail by product only for the
/// exporters `keep` admits (the reporter, in a report; everyone, in a test).
pub struct ExportMatrix {
    years: BTreeMap<i32, YearMatrix>,
    keep: Box<dyn Fn(&str) -> bool>,
}

impl ExportMatrix {
    /// An empty matrix keeping the product detail of the exporters `keep` admits.
    pub fn new(keep: impl Fn(&str) -> bool + 'static) -> Self {
        ExportMatrix {
            years: BTreeMap::new(),
            keep: Box::new(keep),
        }
    }

    /// Adds exports of `exporter` in `product` in `year`.
    pub fn add(&mut self, exporter: &str, year: i32, product: ProductId, value: f64) {
        let y = self.years.entry(year).or_default();
        *y.exporter_totals.entry(exporter.to_string()).or_default() += value;
        *y.product_totals.entry(product).or_default() += value;
        y.total += value;
        if (self.keep)(exporter) {
            *y.detail
                .entry(exporter.to_string())
                .or_default()
                .entry(product)
                .or_default() += value;
        }
    }

    /// The years held, in order.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The exporters of a year (the world), in order.
    pub fn exporters(&self, year: i32) -> BTreeSet<&str> {
        self.years
            .get(&year)
            .map(|y| y.exporter_totals.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// The products with world exports in any year.
    pub fn products(&self) -> BTreeSet<ProductId> {
        self.years
            .values()
            .flat_map(|y| y.product_totals.keys().copied())
            .collect()
    }

    /// The products `exporter` exports (a positive value) in any year.
    pub fn products_of(&self, exporter: &str) -> BTreeSet<ProductId> {
        self.years
            .values()
            .filter_map(|y| y.detail.get(exporter))
            .flat_map(|d| d.iter().filter(|(_, v)| **v > 0.0).map(|(k, _)| *k))
            .collect()
    }

    /// The figures of `exporter` in a group of products in `year`: `None` for every
    /// product (the total share; the RCA of everything is 1 by definition and absent).
    pub fn group(&self, exporter: &str, year: i32, products: Option<&[ProductId]>) -> GroupYear {
        let empty = YearMatrix::default();
        let y = self.years.get(&year).unwrap_or(&empty);
        let x_r = y.exporter_totals.get(exporter).copied().unwrap_or(0.0);
        let (x_rk, x_wk) = match products {
            None => (x_r, y.total),
            Some(ks) => {
                let own = y.detail.get(exporter);
                ks.iter().fold((0.0, 0.0), |(a, b), k| {
                    (
                        a + own.and_then(|o| o.get(k)).copied().unwrap_or(0.0),
                        b + y.product_totals.get(k).copied().unwrap_or(0.0),
                    )
                })
            }
        };
        let what = if products.is_none() {
            "every product"
        } else {
            "these products"
        };
        let share = if x_r <= 0.0 {
            Err(format!(
                "{exporter} reports no exports in the dataset in {year}"
            ))
        } else {
            share_pct(x_rk, x_wk).ok_or_else(|| format!("no world exports of {what} in {year}"))
        };
        let rca = match products {
            None => Err("1 by definition (every product)".to_string()),
            Some(_) if x_r <= 0.0 => Err(format!(
                "{exporter} reports no exports in the dataset in {year}"
            )),
            Some(_) => balassa_rca(x_rk, x_r, x_wk, y.total)
                .ok_or_else(|| format!("no world exports of {what} in {year}")),
        };
        GroupYear {
            year,
            exports: x_rk,
            world_exports: x_wk,
            share,
            rca,
        }
    }
}

/// The change in share from the first to the last year, in percentage points.
fn change(years: &[GroupYear]) -> Result<f64, String> {
    let (Some(a), Some(b)) = (years.first(), years.last()) else {
        return Err("no years".into());
    };
    if a.year == b.year {
        return Err(format!("one year held ({})", a.year));
    }
    match (&a.share, &b.share) {
        (Ok(x), Ok(y)) => share_change_pp(*y, *x).ok_or_else(|| "not finite".to_string()),
        (Err(e), _) | (_, Err(e)) => Err(e.clone()),
    }
}

/// What was read, for the data basis.
struct DataBasis {
    currency: Currency,
    rows: u64,
    cells: usize,
    /// The codes asked for with `--products` that the dataset does not hold.
    missing_codes: Vec<String>,
    /// The basket's codes in each revision of the dataset.
    basket_codes: Vec<(HsRevision, Vec<HsCode>)>,
}

/// Computes the sectoral edge of a request and the report.
pub fn edge(location: &StoreLocation, req: &EdgeRequest) -> AppResult<EdgeOutput> {
    let reporter = resolve_country(&req.reporter, "reporter")?;
    let range = year_range(req.from, req.to, None)?;
    let top = if req.top == 0 { 10 } else { req.top };
    let baskets = if req.baskets.is_empty() {
        Basket::builtin()
    } else {
        req.baskets.clone()
    };
    let basket = match &req.selection {
        Selection::Basket(name) => Some(find_basket(&baskets, name)?),
        _ => None,
    };
    let codes: Vec<String> = match &req.selection {
        Selection::Products(list) => parse_codes(list)?,
        _ => Vec::new(),
    };
    let store = location.open_read()?;
    let dataset = choose_dataset(&store, req.dataset.as_deref(), &[&reporter], "--dataset")?;
    let cubes = location.cubes(&store)?;
    let with_range = |r: CubeRequest| match range {
        Some(p) => r.period_range(p),
        None => r,
    };
    let world = cubes.run(&with_range(
        CubeRequest::new()
            .datasets([dataset.as_str()])
            .by_reporter()
            .by_product(ProductGrain::Hs(6))
            .by_period(PeriodGrain::Year)
            .flows([FlowKind::Export])
            .mirror(Mirror::Off)
            .quantity(false),
    ))?;
    let pairs = cubes.run(&with_range(
        CubeRequest::new()
            .datasets([dataset.as_str()])
            .by_reporter()
            .by_partner()
            .by_period(PeriodGrain::Year)
            .flows([FlowKind::Export])
            .mirror(Mirror::Off)
            .quantity(false),
    ))?;
    let keep = reporter.clone();
    let mut matrix = ExportMatrix::new(move |e| e == keep);
    let mut basis = DataBasis {
        currency: crate::money::common_currency(&[&world])?,
        rows: 0,
        cells: 0,
        missing_codes: Vec::new(),
        basket_codes: Vec::new(),
    };
    for c in world.cells() {
        let (Some(r), Some(p), Some(period)) = (c.reporter, c.product, c.period) else {
            continue;
        };
        if is_world(r) || p.level() != 6 {
            continue;
        }
        matrix.add(r, period.year(), p, c.value);
        basis.rows += c.rows;
        basis.cells += 1;
    }
    let years: Vec<i32> = matrix
        .years()
        .into_iter()
        .filter(|y| matrix.exporters(*y).contains(reporter.as_str()))
        .collect();
    if years.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no HS6 exports reported by {reporter}{}",
            years_text(req.from, req.to)
        )));
    }
    let revisions: Vec<HsRevision> = matrix
        .products()
        .iter()
        .filter_map(|p| p.revision())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let held = matrix.products();
    let products: Vec<ProductId> = if let Some(b) = &basket {
        basis.basket_codes = revisions
            .iter()
            .filter_map(|r| b.codes.get(r).map(|c| (*r, c.clone())))
            .collect();
        if basis.basket_codes.is_empty() {
            return Err(AppError::bad_input(format!(
                "basket '{}' has no codes in {}, the HS revision of dataset '{dataset}'",
                b.name,
                revision_list(&revisions)
            )));
        }
        held.iter()
            .filter(|p| b.contains(&p.to_product()))
            .copied()
            .collect()
    } else if !codes.is_empty() {
        let mut out = Vec::new();
        for c in &codes {
            let found: Vec<ProductId> = held
                .iter()
                .filter(|p| p.code_string() == *c)
                .copied()
                .collect();
            if found.is_empty() {
                basis.missing_codes.push(c.clone());
                let rev = revisions.first().copied().unwrap_or(HsRevision::Hs2017);
                if let Some(p) = ProductId::from_digits(rev, c) {
                    out.push(p);
                }
            }
            out.extend(found);
        }
        out
    } else {
        matrix.products_of(&reporter).into_iter().collect()
    };
    let series = |ks: Option<&[ProductId]>| -> Vec<GroupYear> {
        years
            .iter()
            .map(|y| matrix.group(&reporter, *y, ks))
            .collect()
    };
    let total = series(None);
    let basket_years = basket
        .as_ref()
        .map(|b| (b.name.clone(), series(Some(&products))));
    let mut product_rows: Vec<ProductEdge> = products
        .iter()
        .map(|p| {
            let ys = series(Some(std::slice::from_ref(p)));
            ProductEdge {
                product: *p,
                description: crate::pair::code_name(p.revision(), &p.code_string(), 60),
                change_pp: change(&ys),
                years: ys,
            }
        })
        .collect();
    product_rows.sort_by(|a, b| {
        let last = |p: &ProductEdge| p.years.last().map_or(0.0, |y| y.exports);
        last(b)
            .total_cmp(&last(a))
            .then_with(|| a.product.code_string().cmp(&b.product.code_string()))
    });
    let (gainers, losers, no_change) = movers(&product_rows, top, &years);
    let cov = coverage(&pairs);
    let exporters = years
        .iter()
        .map(|y| (*y, matrix.exporters(*y).len()))
        .collect();
    let mut out = EdgeOutput {
        reporter,
        dataset,
        revisions,
        total,
        basket: basket_years,
        products: product_rows,
        gainers,
        losers,
        no_change,
        coverage: cov,
        exporters,
        document: Document::new(DOCUMENT_KIND, ""),
    };
    out.document = document::document(&out, req, &basis, top);
    Ok(out)
}

/// The top `top` gainers and losers by change in share (indices into `rows`), or why
/// there are none.
fn movers(
    rows: &[ProductEdge],
    top: usize,
    years: &[i32],
) -> (Vec<usize>, Vec<usize>, Option<String>) {
    if years.len() < 2 {
        let y = years.first().map(|y| y.to_string()).unwrap_or_default();
        return (
            Vec::new(),
            Vec::new(),
            Some(format!(
                "one year held ({y}): no change in share; give a dataset or --from/--to spanning two years or more"
            )),
        );
    }
    let mut changes: Vec<(usize, f64)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.change_pp.as_ref().ok().map(|c| (i, *c)))
        .collect();
    changes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let gainers = changes
        .iter()
        .filter(|c| c.1 > 0.0)
        .take(top)
        .map(|c| c.0)
        .collect();
    let losers = changes
        .iter()
        .rev()
        .filter(|c| c.1 < 0.0)
        .take(top)
        .map(|c| c.0)
        .collect();
    (gainers, losers, None)
}

/// The basket named (case-insensitive), or not found with the names known.
pub(crate) fn find_basket(baskets: &[Basket], name: &str) -> AppResult<Basket> {
    let n = name.trim();
    baskets
        .iter()
        .rev()
        .find(|b| b.name.eq_ignore_ascii_case(n))
        .cloned()
        .ok_or_else(|| {
            let known: BTreeSet<&str> = baskets.iter().map(|b| b.name.as_str()).collect();
            AppError::not_found(format!(
                "no basket '{}'; known baskets: {}",
                entrepot_core::text::display_value(n),
                known.into_iter().collect::<Vec<_>>().join(", ")
            ))
        })
}

/// HS6 codes from `--products` (comma-separated or repeated), checked.
pub(crate) fn parse_codes(list: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for c in list.iter().flat_map(|s| s.split(',')) {
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        let code = HsCode::parse(c).map_err(|e| AppError::usage(format!("--products: {e}")))?;
        if code.level() != 6 {
            return Err(AppError::usage(format!(
                "--products {}: expected an HS6 code (6 digits)",
                entrepot_core::text::display_value(c)
            )));
        }
        if !out.iter().any(|o| o == code.as_str()) {
            out.push(code.as_str().to_string());
        }
    }
    if out.is_empty() {
        return Err(AppError::usage("--products: no HS6 code given"));
    }
    Ok(out)
}

/// `HS2017` or `HS2017 and HS2022`.
fn revision_list(revisions: &[HsRevision]) -> String {
    let v: Vec<String> = revisions.iter().map(|r| r.to_string()).collect();
    if v.is_empty() {
        "no HS revision".into()
    } else {
        v.join(" and ")
    }
}
