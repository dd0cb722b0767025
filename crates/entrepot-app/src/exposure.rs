//! Firm exposure: a business's own sales by destination (and product) over time, read
//! through the readers and column mappings of `entrepot ingest` and measured with the
//! indices every other analysis uses. [`exposure`] reads the sales file into memory
//! (never into the store), compares it with the destinations' imports held in a flows
//! dataset of the store, and lays the result out as a report [`Document`] (kind
//! [`DOCUMENT_KIND`]).
//!
//! With `x_{d,k,t}` the firm's sales to destination `d` of product `k` in year `t`,
//! `X_t = Σ_{d,k} x_{d,k,t}` and `s_{d,t} = Σ_k x_{d,k,t} / X_t`:
//!
//! * **concentration across destinations**, per year: HHI `Σ_d s_{d,t}²`, the
//!   effective number of markets `1/HHI`, Shannon entropy `−Σ s ln s`, the top-1 and
//!   top-3 shares (`entrepot-indices`); the same HHI and effective number across
//!   products when the file has products;
//! * **growth markets**, from the first to the last year: the contribution of each
//!   destination in percentage points, `100·(x_{d,1} − x_{d,0})/X_0`, adding up to the
//!   growth of the firm's sales (`entrepot_indices::contributions`);
//! * **market shares**: `x_{d,k,t} / M_{d,k,t}`, with `M_{d,k,t}` destination `d`'s
//!   imports of product `k` (at the level of the firm's code) in year `t` from every
//!   origin, read from the dataset as `d`'s reported imports, else every exporter's
//!   reported exports to `d` (mirror; all of them on BACI-like data), and per
//!   destination `Σ_k x_{d,k,t} / Σ_{k∈K} M_{d,k,t}` over the firm's products `K`
//!   (`entrepot_indices::import_share`). Absent with the reason, never zero, when the
//!   store holds no imports of `d` in `t`, when the two are in different currencies,
//!   when the year of sales is incomplete, for sales in the firm's own country;
//! * **one-market products**: per product, the share of the firm's sales of it
//!   (last year) going to its largest destination, and the products where it exceeds
//!   the threshold (`entrepot_indices::chokepoints`, a half by default).

use crate::error::{AppError, AppResult};
use crate::ingest::{self, InputFormat};
use crate::location::StoreLocation;
use crate::money;
use entrepot_core::{FlowKind, HsRevision, Period, Product};
use entrepot_cube::{
    CubeRequest, Mirror, PeriodGrain, PeriodRange, ProductGrain, ProductSelection, Side,
};
use entrepot_doc::{Currency, Document, Scale};
use entrepot_indices::contributions::Contributions;
use entrepot_indices::{Index, IndexError};
use entrepot_io::{IoError, OnError, ReadOptions, ReaderSpec};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod document;

/// The [`Document::kind`] of a firm exposure report.
pub const DOCUMENT_KIND: &str = "exposure";

/// The product code of a file without products (every row is the firm's total).
pub const TOTAL: &str = "TOTAL";

/// A request for the exposure report of a firm's sales file.
#[derive(Debug, Clone)]
pub struct ExposureRequest {
    /// The sales file (CSV, Parquet, Stata: any file `entrepot ingest` reads).
    pub file: PathBuf,
    /// The input format (default: detected from the extension and header).
    pub format: Option<InputFormat>,
    /// The column mapping, as for `entrepot ingest --map` (the firm is the reporter,
    /// its destinations the partners; `flow=export` when no flow is given).
    pub map: Option<String>,
    /// The firm's country, when the mapping gives no reporter.
    pub firm_country: Option<String>,
    /// The HS revision of the product codes (`HS2017`, `H5`, …).
    pub hs: Option<String>,
    /// The field delimiter of a text file; default: detected.
    pub delimiter: Option<String>,
    /// The decimal mark of numbers in a text file; default `auto`.
    pub decimal: Option<String>,
    /// An exchange-rate table converting values in another currency to US dollars
    /// (`currency=` in the mapping), as for `entrepot ingest --fx`.
    pub fx: Option<PathBuf>,
    /// The flows dataset holding the destinations' imports; `None`: the one flows
    /// dataset of the store.
    pub dataset: Option<String>,
    /// The share of a product's sales going to one destination above which the
    /// product is listed as depending on one market.
    pub threshold: f64,
    /// The number of destinations (and destination–product pairs) listed.
    pub top: usize,
}

impl ExposureRequest {
    /// A request for `file` with the defaults (threshold one half, 25 rows).
    pub fn new(file: impl Into<PathBuf>) -> Self {
        ExposureRequest {
            file: file.into(),
            format: None,
            map: None,
            firm_country: None,
            hs: None,
            delimiter: None,
            decimal: None,
            fx: None,
            dataset: None,
            threshold: 0.5,
            top: 25,
        }
    }
}

/// The concentration of the firm's sales across products in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductConcentration {
    /// Products with sales.
    pub products: usize,
    /// HHI across products.
    pub hhi: Index<f64>,
    /// Effective number of products, 1/HHI.
    pub effective_number: Index<f64>,
}

/// The indices of one year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearIndices {
    /// The calendar year.
    pub year: i32,
    /// The months of sales the file holds in the year (`None`: annual rows).
    pub months: Option<usize>,
    /// The firm's sales (in [`ExposureOutput::currency`]).
    pub total: f64,
    /// Destinations with sales.
    pub destinations: usize,
    /// HHI across destinations.
    pub hhi: Index<f64>,
    /// Effective number of markets, 1/HHI.
    pub effective_number: Index<f64>,
    /// Shannon entropy across destinations.
    pub entropy: Index<f64>,
    /// Share of the largest destination (a fraction).
    pub top1: Index<f64>,
    /// Share of the three largest destinations.
    pub top3: Index<f64>,
    /// The largest destination and its sales.
    pub largest: Option<(String, f64)>,
    /// The concentration across products, when the file has products.
    pub products: Option<ProductConcentration>,
}

impl YearIndices {
    /// Whether the year's sales cover the whole year (annual rows or twelve months).
    pub fn complete(&self) -> bool {
        self.months.is_none_or(|m| m == 12)
    }
}

/// The growth of the firm's sales by destination between two years.
#[derive(Debug, Clone, PartialEq)]
pub struct Growth {
    /// The base year.
    pub from: i32,
    /// The end year.
    pub to: i32,
    /// The destinations, aligned with `contributions.units`.
    pub destinations: Vec<String>,
    /// The contributions, from the kernel.
    pub contributions: Contributions,
}

/// The firm's share of a destination's imports (of one product, or of all the firm's
/// products) in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketShare {
    /// The destination (ISO3).
    pub destination: String,
    /// The product; `None`: all the firm's products together.
    pub product: Option<String>,
    /// The year.
    pub year: i32,
    /// The firm's sales.
    pub sales: f64,
    /// The destination's imports, or why they are not known.
    pub imports: Result<f64, String>,
    /// `sales / imports` (a fraction), or why absent.
    pub share: Result<f64, String>,
    /// Which side the imports come from: `reported`, `mirror`, or both (summed over
    /// products).
    pub side: Option<String>,
}

/// How much of a product's sales go to its largest destination.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductMarket {
    /// The product code (`TOTAL` for a file without products).
    pub product: String,
    /// The year (the last of the file).
    pub year: i32,
    /// The firm's sales of the product.
    pub sales: f64,
    /// Destinations with sales of it.
    pub destinations: usize,
    /// The largest destination.
    pub largest: String,
    /// The firm's sales of the product there.
    pub largest_sales: f64,
    /// `largest_sales / sales` (a fraction).
    pub share: f64,
}

/// A firm exposure report: the indices per year, growth by destination, market
/// shares, one-market products and the document.
#[derive(Debug, Clone)]
pub struct ExposureOutput {
    /// The countries the firm sells from (the file's reporters).
    pub origins: Vec<String>,
    /// The currency of the sales.
    pub currency: Currency,
    /// The flows dataset of the destinations' imports, if any.
    pub dataset: Option<String>,
    /// The indices, one entry per year, in order.
    pub years: Vec<YearIndices>,
    /// Contributions to growth by destination from the first to the last year, or why
    /// absent.
    pub growth: Result<Growth, String>,
    /// Market shares per destination (all products: `product` `None`) and per
    /// destination and product, by year.
    pub markets: Vec<MarketShare>,
    /// Every product's largest destination in the last year, by sales.
    pub products: Vec<ProductMarket>,
    /// Positions into `products` of the products whose share exceeds the threshold,
    /// by sales.
    pub one_market: Vec<usize>,
    /// The report document.
    pub document: Document,
}

/// What the file holds, summed, and how it was read.
pub(crate) struct Sales {
    /// Sales by (destination, product, year).
    cells: BTreeMap<(String, String, i32), f64>,
    /// The reporters of the rows.
    origins: BTreeSet<String>,
    /// HS revisions of the product codes.
    revisions: BTreeSet<HsRevision>,
    /// Per year: `None` for annual rows, else the months held.
    months: BTreeMap<i32, Option<BTreeSet<u8>>>,
    /// Rows read.
    rows: u64,
    /// Rows with partner `WLD` (no destination), left out, and their sum.
    world_rows: (u64, f64),
    /// The currency of the values.
    currency: Currency,
    /// The reader's description.
    reader: String,
}

/// What was read from the store.
pub(crate) struct Imports {
    /// The dataset.
    dataset: String,
    /// Destination's imports of all products per (destination, year) and side: the
    /// store has data for the pair.
    totals: BTreeMap<(String, i32), (f64, Side)>,
    /// Imports per (destination, product at the firm's level, year), with sides.
    products: BTreeMap<(String, String, i32), (f64, BTreeSet<Side>)>,
    /// Years the dataset holds.
    years: Vec<i32>,
    /// HS revisions of the dataset's cells.
    revisions: BTreeSet<HsRevision>,
    /// Cells read, and how many are mirror figures.
    cells: usize,
    mirror_cells: usize,
    /// Whether each year covers world trade: a destination's imports read from its
    /// partners' reports are its imports only then (see `dependence`).
    coverage: BTreeMap<i32, crate::dependence::Coverage>,
}

/// The store side: the imports, or why there are none.
pub(crate) type Store = Result<Imports, String>;

/// Computes the exposure report of a firm's sales file.
pub fn exposure(location: &StoreLocation, req: &ExposureRequest) -> AppResult<ExposureOutput> {
    if !(0.0..=1.0).contains(&req.threshold) {
        return Err(AppError::usage(format!(
            "--threshold {}: a share between 0 and 1 (0.5 for a half)",
            req.threshold
        )));
    }
    if req.top == 0 {
        return Err(AppError::usage("--top must be at least 1"));
    }
    let sales = read_sales(req)?;
    let store = location.open_read()?;
    let imports = read_imports(location, &store, req.dataset.as_deref(), &sales)?;
    let years = year_indices(&sales)?;
    let growth = growth(&sales, &years)?;
    let markets = market_shares(&sales, &years, &imports)?;
    let (products, one_market) = product_markets(&sales, &years, req.threshold)?;
    let out = ExposureOutput {
        origins: sales.origins.iter().cloned().collect(),
        currency: sales.currency,
        dataset: imports.as_ref().ok().map(|i| i.dataset.clone()),
        years,
        growth,
        markets,
        products,
        one_market,
        document: Document::new(DOCUMENT_KIND, ""),
    };
    let document = document::document(&out, req, &sales, &imports);
    Ok(ExposureOutput { document, ..out })
}

/// A read error as an application error: bad rows and unusable files are bad input.
fn io_error(e: IoError) -> AppError {
    match &e {
        IoError::Row(_) | IoError::Format { .. } | IoError::Schema(_) => {
            AppError::bad_input(e.to_string())
        }
        IoError::File { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            AppError::not_found(e.to_string())
        }
        _ => AppError::failure(e.to_string()),
    }
}

/// The mapping spec of a sales file: the request's, with the firm's country as the
/// reporter (`--firm-country`) and `flow=export` when it gives no flow.
fn sales_mapping(map: Option<&str>, firm_country: Option<&str>) -> AppResult<Option<String>> {
    let Some(map) = map else {
        if firm_country.is_some() {
            return Err(AppError::usage(
                "--firm-country is the reporter of a mapped file: give --map as well (e.g. --map partner=country,period=year,value=sales)",
            ));
        }
        return Ok(None);
    };
    let keys: Vec<String> = map
        .split(',')
        .filter_map(|p| p.split_once('='))
        .map(|(k, _)| k.trim().to_ascii_lowercase())
        .collect();
    let has = |names: &[&str]| keys.iter().any(|k| names.contains(&k.as_str()));
    let mut spec = map.trim().trim_end_matches(',').to_string();
    match (has(&["reporter"]), firm_country) {
        (true, Some(_)) => {
            return Err(AppError::usage(
                "the firm's country is given twice, by reporter= in --map and by --firm-country: keep one",
            ))
        }
        (false, Some(c)) => {
            let iso3 = entrepot_core::CountryRegistry::builtin()
                .resolve(c)
                .map_err(|e| AppError::not_found(format!("--firm-country: {e}")))?
                .iso3
                .clone();
            spec.push_str(&format!(",reporter=const:{iso3}"));
        }
        (false, None) => {
            return Err(AppError::usage(
                "the firm's country is missing: give --firm-country ISO3 (e.g. DEU), or reporter=CODE (or a column) in --map",
            ))
        }
        (true, None) => {}
    }
    if !has(&["flow", "export", "import"]) {
        spec.push_str(",flow=export");
    }
    Ok(Some(spec))
}

/// The line (if known) of a year's first annual row and of its first monthly row.
type YearRows = (Option<Option<i64>>, Option<Option<i64>>);

/// `FILE:LINE: message`, as a bad-input error.
fn row_error(file: &Path, line: Option<i64>, message: String) -> AppError {
    match line {
        Some(l) => AppError::bad_input(format!("{}:{l}: {message}", file.display())),
        None => AppError::bad_input(format!("{}: {message}", file.display())),
    }
}

/// Reads the sales file into memory, checking what a firm's file must be: exports
/// only, each key once, each year annual or monthly, product codes that do not
/// overlap.
pub(crate) fn read_sales(req: &ExposureRequest) -> AppResult<Sales> {
    ingest::check_input(&req.file, "sales file")?;
    let spec_text = sales_mapping(req.map.as_deref(), req.firm_country.as_deref())?;
    let mapping = ingest::mapping_with_fx(spec_text.as_deref(), req.fx.as_deref())?;
    let (delimiter, decimal) =
        ingest::text_options(req.delimiter.as_deref(), req.decimal.as_deref())?;
    let spec = ReaderSpec {
        format: req.format,
        mapping,
        hs_revision: ingest::parse_hs(req.hs.as_deref())?,
        dataset: "sales".into(),
        options: ReadOptions {
            on_error: OnError::Fail,
            delimiter,
            decimal,
            ..ReadOptions::default()
        },
        ..ReaderSpec::default()
    };
    let file = req.file.as_path();
    let mut reader = entrepot_io::open_reader(file, &spec).map_err(io_error)?;
    let mut sales = Sales {
        cells: BTreeMap::new(),
        origins: BTreeSet::new(),
        revisions: BTreeSet::new(),
        months: BTreeMap::new(),
        rows: 0,
        world_rows: (0, 0.0),
        currency: Currency::USD,
        reader: reader.describe(),
    };
    // The line of each key's row, of each year's first annual and monthly row, of
    // each product code's first row.
    let mut keys: BTreeMap<(String, String, String, Period), Option<i64>> = BTreeMap::new();
    // Per year, the line of its first annual row and of its first monthly row.
    let mut year_kind: BTreeMap<i32, YearRows> = BTreeMap::new();
    let mut codes: BTreeMap<String, Option<i64>> = BTreeMap::new();
    while let Some(batch) = reader.next_batch().map_err(io_error)? {
        let flows = entrepot_io::schema::batch_to_flows(&batch, "sales").map_err(io_error)?;
        let lines = batch
            .column_by_name(entrepot_io::schema::col::SOURCE_LINE)
            .and_then(|c| {
                c.as_any()
                    .downcast_ref::<arrow::array::Int64Array>()
                    .cloned()
            });
        for (i, f) in flows.into_iter().enumerate() {
            use arrow::array::Array;
            let line = lines.as_ref().filter(|l| !l.is_null(i)).map(|l| l.value(i));
            sales.rows += 1;
            if f.flow != FlowKind::Export {
                return Err(row_error(
                    file,
                    line,
                    format!(
                        "flow '{}': a sales file holds the firm's sales to its destinations (exports); leave imports out, or map flow=export",
                        f.flow.as_str()
                    ),
                ));
            }
            let code = f.product.code_str().to_string();
            let key = (
                f.reporter.clone(),
                f.partner.clone(),
                code.clone(),
                f.period,
            );
            if let Some(first) = keys.insert(key, line) {
                return Err(row_error(
                    file,
                    line,
                    format!(
                        "the same origin ({}), destination ({}), product ({code}) and period ({}) as {}: a duplicate row",
                        f.reporter,
                        f.partner,
                        f.period,
                        line_text(first)
                    ),
                ));
            }
            let year = f.period.year();
            let kinds = year_kind.entry(year).or_default();
            match f.period.month_of_year() {
                None => {
                    if let Some(m) = kinds.1 {
                        return Err(row_error(
                            file,
                            line,
                            format!("an annual row for {year}, which also has monthly rows ({}): give each year either whole or month by month", line_text(m)),
                        ));
                    }
                    kinds.0.get_or_insert(line);
                    sales.months.insert(year, None);
                }
                Some(m) => {
                    if let Some(a) = kinds.0 {
                        return Err(row_error(
                            file,
                            line,
                            format!("a monthly row for {}, a year that also has annual rows ({}): give each year either whole or month by month", f.period, line_text(a)),
                        ));
                    }
                    kinds.1.get_or_insert(line);
                    sales
                        .months
                        .entry(year)
                        .or_insert_with(|| Some(BTreeSet::new()))
                        .get_or_insert_with(BTreeSet::new)
                        .insert(m);
                }
            }
            codes.entry(code.clone()).or_insert(line);
            if let Product::Hs { revision, .. } = f.product {
                sales.revisions.insert(revision);
            }
            sales.origins.insert(f.reporter.clone());
            if matches!(f.partner.as_str(), "WLD" | "WORLD" | "W00") {
                sales.world_rows.0 += 1;
                sales.world_rows.1 += f.value_usd;
                continue;
            }
            *sales.cells.entry((f.partner, code, year)).or_default() += f.value_usd;
        }
    }
    if let Some(c) = reader.currency() {
        sales.currency = c.as_str().parse::<Currency>().map_err(|e| {
            AppError::bad_input(format!("{}: the currency '{c}': {e}", file.display()))
        })?;
    }
    check_codes(file, &codes)?;
    if sales.cells.is_empty() {
        return Err(AppError::bad_input(format!(
            "{}: no sales to a destination ({} rows read{})",
            file.display(),
            sales.rows,
            if sales.world_rows.0 > 0 {
                ", all of them to the world (WLD), which is no destination"
            } else {
                ""
            }
        )));
    }
    Ok(sales)
}

fn line_text(line: Option<i64>) -> String {
    line.map_or_else(|| "an earlier row".to_string(), |l| format!("line {l}"))
}

/// Refuses product codes that overlap (a total beside products, a heading beside one
/// of its subheadings): the firm's sales would count twice.
fn check_codes(file: &Path, codes: &BTreeMap<String, Option<i64>>) -> AppResult<()> {
    if codes.len() > 1 {
        if let Some(line) = codes.get(TOTAL) {
            return Err(row_error(
                file,
                *line,
                "a row of all products (TOTAL) in a file that also has rows by HS product: the sales would count twice; give products or totals".into(),
            ));
        }
    }
    // Sorted codes: a code's descendants follow it directly.
    let list: Vec<(&String, &Option<i64>)> = codes.iter().collect();
    for w in list.windows(2) {
        let ((a, la), (b, lb)) = (w[0], w[1]);
        if b.starts_with(a.as_str()) {
            return Err(row_error(
                file,
                *lb,
                format!(
                    "product {b} lies within product {a} ({}): the sales would count twice; give every product at one level, or codes that do not contain each other",
                    line_text(*la)
                ),
            ));
        }
    }
    Ok(())
}

/// The firm's sales per year and destination.
fn by_destination(sales: &Sales) -> BTreeMap<i32, BTreeMap<String, f64>> {
    let mut out: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    for ((d, _, y), v) in &sales.cells {
        *out.entry(*y).or_default().entry(d.clone()).or_default() += v;
    }
    out
}

/// The firm's sales per year and product.
fn by_product(sales: &Sales) -> BTreeMap<i32, BTreeMap<String, f64>> {
    let mut out: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    for ((_, k, y), v) in &sales.cells {
        *out.entry(*y).or_default().entry(k.clone()).or_default() += v;
    }
    out
}

/// Whether the file has products (not only totals).
fn has_products(sales: &Sales) -> bool {
    sales.cells.keys().any(|(_, k, _)| k != TOTAL)
}

/// Maps a kernel error (a negative or non-finite value) to a bad-input error.
fn kernel<T>(r: Result<T, IndexError>, what: &str) -> AppResult<T> {
    r.map_err(|e| AppError::bad_input(format!("{what}: {e}")))
}

fn year_indices(sales: &Sales) -> AppResult<Vec<YearIndices>> {
    let products = has_products(sales).then(|| by_product(sales));
    let mut out = Vec::new();
    for (year, dests) in by_destination(sales) {
        let what = year.to_string();
        let x: Vec<f64> = dests.values().copied().collect();
        let largest = dests
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .filter(|(_, v)| **v > 0.0)
            .map(|(d, v)| (d.clone(), *v));
        let products = match products.as_ref().and_then(|p| p.get(&year)) {
            Some(p) => {
                let v: Vec<f64> = p.values().copied().collect();
                Some(ProductConcentration {
                    products: entrepot_indices::active_units(&v),
                    hhi: kernel(entrepot_indices::hhi(&v), &what)?,
                    effective_number: kernel(entrepot_indices::effective_number(&v), &what)?,
                })
            }
            None => None,
        };
        out.push(YearIndices {
            year,
            months: sales
                .months
                .get(&year)
                .and_then(|m| m.as_ref().map(BTreeSet::len)),
            total: x.iter().sum(),
            destinations: entrepot_indices::active_units(&x),
            hhi: kernel(entrepot_indices::hhi(&x), &what)?,
            effective_number: kernel(entrepot_indices::effective_number(&x), &what)?,
            entropy: kernel(entrepot_indices::entropy(&x), &what)?,
            top1: kernel(entrepot_indices::top_k_share(&x, 1), &what)?,
            top3: kernel(entrepot_indices::top_k_share(&x, 3), &what)?,
            largest,
            products,
        });
    }
    Ok(out)
}

/// Contributions to growth by destination from the first to the last year.
fn growth(sales: &Sales, years: &[YearIndices]) -> AppResult<Result<Growth, String>> {
    let (Some(first), Some(last)) = (years.first(), years.last()) else {
        return Ok(Err("no sales".into()));
    };
    if first.year == last.year {
        return Ok(Err(format!(
            "the file holds one year ({}): no growth",
            first.year
        )));
    }
    // The same months of the year in both (or both whole years).
    let held = |y: i32| sales.months.get(&y).cloned().flatten();
    if held(first.year) != held(last.year) {
        let span = |y: i32| match held(y) {
            None => format!("{y} as a whole year"),
            Some(m) => format!(
                "months {} of {y}",
                m.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
            ),
        };
        return Ok(Err(format!(
            "the file holds {} and {}: growth between different parts of the year is not computed",
            span(first.year),
            span(last.year)
        )));
    }
    let dests = by_destination(sales);
    let empty = BTreeMap::new();
    let (base, end) = (
        dests.get(&first.year).unwrap_or(&empty),
        dests.get(&last.year).unwrap_or(&empty),
    );
    let names: Vec<String> = base
        .keys()
        .chain(end.keys())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let b: Vec<f64> = names
        .iter()
        .map(|d| base.get(d).copied().unwrap_or(0.0))
        .collect();
    let e: Vec<f64> = names
        .iter()
        .map(|d| end.get(d).copied().unwrap_or(0.0))
        .collect();
    let what = format!("{} to {}", first.year, last.year);
    Ok(
        match kernel(
            entrepot_indices::contributions::contributions(&b, &e),
            &what,
        )? {
            Ok(c) => Ok(Growth {
                from: first.year,
                to: last.year,
                destinations: names,
                contributions: c,
            }),
            Err(a) => Err(a.reason().to_string()),
        },
    )
}

/// The flows dataset of the destinations' imports, and the imports of every
/// destination of the file (by year, in total and per product of the firm), or why
/// there are none.
fn read_imports(
    location: &StoreLocation,
    store: &entrepot_store::Store,
    dataset: Option<&str>,
    sales: &Sales,
) -> AppResult<Store> {
    let name = match dataset {
        Some(d) => match store.dataset(d) {
            Some(info) if info.kind == entrepot_store::DatasetKind::Flows => d.to_string(),
            Some(_) => {
                return Err(AppError::usage(format!(
                    "dataset '{d}' holds published figures, not flows"
                )))
            }
            None => {
                return Err(AppError::not_found(format!(
                    "no dataset '{d}' in the store"
                )))
            }
        },
        None => {
            let flows: Vec<String> = store
                .datasets()
                .iter()
                .filter(|d| d.kind == entrepot_store::DatasetKind::Flows)
                .map(|d| d.name.clone())
                .collect();
            match flows.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Ok(Err(
                        "the store holds no flows dataset with the destinations' imports (ingest one, e.g. BACI, and name it with --dataset)".into(),
                    ))
                }
                many => {
                    return Err(AppError::usage(format!(
                        "the store holds several flows datasets: {}; name the one with the destinations' imports with --dataset",
                        many.join(", ")
                    )))
                }
            }
        }
    };
    let currency = money::dataset_currency(store, &name)?;
    if currency != sales.currency {
        return Ok(Err(format!(
            "the sales are in {} and dataset '{name}' in {currency}: figures in two currencies are never compared (convert the sales to {currency} with --fx FILE and currency= in --map)",
            sales.currency
        )));
    }
    let info = store
        .dataset(&name)
        .ok_or_else(|| AppError::not_found(format!("no dataset '{name}' in the store")))?;
    let mut imports = Imports {
        dataset: name.clone(),
        totals: BTreeMap::new(),
        products: BTreeMap::new(),
        years: info.years.clone(),
        revisions: BTreeSet::new(),
        cells: 0,
        mirror_cells: 0,
        coverage: BTreeMap::new(),
    };
    // Destinations the firm exports to (not its own countries).
    let dests: Vec<String> = sales
        .cells
        .keys()
        .map(|(d, _, _)| d.clone())
        .filter(|d| !sales.origins.contains(d))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let years: BTreeSet<i32> = sales.cells.keys().map(|(_, _, y)| *y).collect();
    let (Some(&y0), Some(&y1)) = (years.first(), years.last()) else {
        return Ok(Ok(imports));
    };
    if dests.is_empty() {
        return Ok(Ok(imports));
    }
    let cubes = location.cubes(store)?;
    let base = CubeRequest::new()
        .datasets([name.as_str()])
        .reporters(dests.iter().map(String::as_str))
        .flows([FlowKind::Import])
        .by_reporter()
        .by_period(PeriodGrain::Year)
        .period_range(PeriodRange::years(y0, y1))
        .mirror(Mirror::Fill)
        .quantity(false);
    imports.coverage = crate::dependence::coverage(
        &cubes.run(
            &CubeRequest::new()
                .datasets([name.as_str()])
                .flows([FlowKind::Export, FlowKind::Import])
                .by_reporter()
                .by_partner()
                .by_period(PeriodGrain::Year)
                .period_range(PeriodRange::years(y0, y1))
                .mirror(Mirror::Off)
                .quantity(false),
        )?,
    );
    let total = cubes.run(&base)?;
    let check_currency = |cube: &entrepot_cube::Cube| -> AppResult<()> {
        if !cube.is_empty() && money::cube_currency(cube)? != sales.currency {
            return Err(AppError::failure(format!(
                "dataset '{name}' records {} but its cells are in {}",
                sales.currency,
                cube.currency()
            )));
        }
        Ok(())
    };
    check_currency(&total)?;
    for c in total.cells() {
        let (Some(d), Some(p)) = (c.reporter, c.period) else {
            continue;
        };
        imports.cells += 1;
        imports.mirror_cells += usize::from(c.side == Side::Mirror);
        let e = imports
            .totals
            .entry((d.to_string(), p.year()))
            .or_insert((0.0, c.side));
        e.0 += c.value;
    }
    if !has_products(sales) {
        for ((d, y), (v, side)) in &imports.totals {
            imports.products.insert(
                (d.clone(), TOTAL.to_string(), *y),
                (*v, BTreeSet::from([*side])),
            );
        }
        return Ok(Ok(imports));
    }
    // One cube per level of the firm's codes, at that level.
    let mut levels: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (_, k, _) in sales.cells.keys() {
        levels.entry(k.len()).or_default().insert(k.clone());
    }
    for (level, codes) in levels {
        let selection = ProductSelection::prefixes(codes.iter())?;
        let cube = cubes.run(
            &base
                .clone()
                .products(selection)
                .by_product(ProductGrain::Hs(level as u8)),
        )?;
        check_currency(&cube)?;
        for c in cube.cells() {
            let (Some(d), Some(p), Some(k)) = (c.reporter, c.period, c.product) else {
                continue;
            };
            imports.cells += 1;
            imports.mirror_cells += usize::from(c.side == Side::Mirror);
            if let Some(r) = k.revision() {
                imports.revisions.insert(r);
            }
            let e = imports
                .products
                .entry((d.to_string(), k.code_string(), p.year()))
                .or_insert((0.0, BTreeSet::new()));
            e.0 += c.value;
            e.1.insert(c.side);
        }
    }
    Ok(Ok(imports))
}

/// Why a destination's imports read from its partners' reports are not its imports in
/// a year that does not cover world trade (an extract of a few exporters), if so.
fn uncovered(imports: &Imports, d: &str, y: i32) -> Option<String> {
    match imports.coverage.get(&y) {
        Some(c) if c.covers_world() => None,
        Some(c) => Some(format!(
            "{d} reports no imports in {y} in dataset '{}', and its {} reporter{} do not cover world trade ({:.1}% of what they report is trade with one another, below {:.0}%): their exports to {d} are not {d}'s imports",
            imports.dataset,
            c.reporters,
            if c.reporters == 1 { "" } else { "s" },
            c.within * 100.0,
            crate::dependence::WORLD_COVERAGE * 100.0
        )),
        None => Some(format!(
            "{d} reports no imports in {y} in dataset '{}', which holds no reports of that year to read its partners' from",
            imports.dataset
        )),
    }
}

/// `reported`, `mirror` or `reported and mirror`.
fn sides_text(sides: &BTreeSet<Side>) -> Option<String> {
    match (
        sides.contains(&Side::Reported),
        sides.contains(&Side::Mirror),
    ) {
        (true, true) => Some("reported and mirror".into()),
        (true, false) => Some("reported".into()),
        (false, true) => Some("mirror".into()),
        (false, false) => None,
    }
}

/// The firm's share of the destinations' imports, per destination (all its products)
/// and per destination and product, by year.
fn market_shares(
    sales: &Sales,
    years: &[YearIndices],
    store: &Store,
) -> AppResult<Vec<MarketShare>> {
    let products: BTreeSet<&String> = sales.cells.keys().map(|(_, k, _)| k).collect();
    let mut by_dest: BTreeMap<(String, i32), f64> = BTreeMap::new();
    for ((d, _, y), v) in &sales.cells {
        *by_dest.entry((d.clone(), *y)).or_default() += v;
    }
    let complete: BTreeMap<i32, &YearIndices> = years.iter().map(|y| (y.year, y)).collect();
    // Why no share can be formed for (destination, year), if so.
    let why_not = |d: &str, y: i32| -> Option<String> {
        let imports = match store {
            Err(reason) => return Some(reason.clone()),
            Ok(i) => i,
        };
        if sales.origins.contains(d) {
            return Some(format!(
                "sales in the firm's own country ({d}) are not imports of it"
            ));
        }
        if let Some(yi) = complete.get(&y).filter(|yi| !yi.complete()) {
            return Some(format!(
                "the file holds {} months of {y}: a part of the year is not compared with a year of imports",
                yi.months.unwrap_or(0)
            ));
        }
        if !imports.years.contains(&y) {
            return Some(format!(
                "dataset '{}' holds no flows in {y}",
                imports.dataset
            ));
        }
        match imports.totals.get(&(d.to_string(), y)) {
            None => Some(format!(
                "dataset '{}' holds no imports of {d} in {y} (neither {d}'s reports nor its partners')",
                imports.dataset
            )),
            Some((_, Side::Mirror)) => uncovered(imports, d, y),
            Some(_) => None,
        }
    };
    let share = |d: &str,
                 k: Option<&str>,
                 y: i32,
                 s: f64,
                 m: f64|
     -> AppResult<Result<f64, String>> {
        let of = k.map_or_else(|| "the firm's products".to_string(), |k| k.to_string());
        Ok(match entrepot_indices::import_share(s, m) {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(format!(
                "dataset '{}' records no imports of {of} into {d} in {y}",
                store.as_ref().map(|i| i.dataset.as_str()).unwrap_or("")
            )),
            Err(IndexError::PartExceedsTotal { part, total }) => Err(format!(
                "the firm's sales ({} {}) exceed {d}'s recorded imports of {of} ({} {}) in {y}: the two sources disagree",
                entrepot_doc::format::number(part, 0),
                sales.currency,
                entrepot_doc::format::number(total, 0),
                sales.currency
            )),
            Err(e) => return Err(AppError::bad_input(format!("{d} {y}: {e}"))),
        })
    };
    let mut out = Vec::new();
    for ((d, y), s) in &by_dest {
        let (imports, share_v, side) = match (why_not(d, *y), store.as_ref().ok()) {
            (None, Some(i)) => {
                let mut m = 0.0;
                let mut sides = BTreeSet::new();
                for k in &products {
                    if let Some((v, s)) = i.products.get(&(d.clone(), (*k).clone(), *y)) {
                        m += v;
                        sides.extend(s.iter().copied());
                    }
                }
                match sides
                    .contains(&Side::Mirror)
                    .then(|| uncovered(i, d, *y))
                    .flatten()
                {
                    Some(r) => (Err(r.clone()), Err(r), sides_text(&sides)),
                    None => (Ok(m), share(d, None, *y, *s, m)?, sides_text(&sides)),
                }
            }
            (reason, _) => {
                let r = reason.unwrap_or_default();
                (Err(r.clone()), Err(r), None)
            }
        };
        out.push(MarketShare {
            destination: d.clone(),
            product: None,
            year: *y,
            sales: *s,
            imports,
            share: share_v,
            side,
        });
    }
    if has_products(sales) {
        for ((d, k, y), s) in &sales.cells {
            let (imports, share_v, side) = match (why_not(d, *y), store.as_ref().ok()) {
                (None, Some(i)) => {
                    let (m, sides) = i
                        .products
                        .get(&(d.clone(), k.clone(), *y))
                        .cloned()
                        .unwrap_or_default();
                    match sides
                        .contains(&Side::Mirror)
                        .then(|| uncovered(i, d, *y))
                        .flatten()
                    {
                        Some(r) => (Err(r.clone()), Err(r), sides_text(&sides)),
                        None => (Ok(m), share(d, Some(k), *y, *s, m)?, sides_text(&sides)),
                    }
                }
                (reason, _) => {
                    let r = reason.unwrap_or_default();
                    (Err(r.clone()), Err(r), None)
                }
            };
            out.push(MarketShare {
                destination: d.clone(),
                product: Some(k.clone()),
                year: *y,
                sales: *s,
                imports,
                share: share_v,
                side,
            });
        }
    }
    Ok(out)
}

/// Every product's largest destination in the last year, by sales, and the products
/// whose largest destination takes more than `threshold` of their sales.
fn product_markets(
    sales: &Sales,
    years: &[YearIndices],
    threshold: f64,
) -> AppResult<(Vec<ProductMarket>, Vec<usize>)> {
    let Some(last) = years.last().map(|y| y.year) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut per: BTreeMap<&String, BTreeMap<&String, f64>> = BTreeMap::new();
    for ((d, k, y), v) in &sales.cells {
        if *y == last {
            *per.entry(k).or_default().entry(d).or_default() += v;
        }
    }
    let mut out = Vec::new();
    for (k, dests) in per {
        let x: Vec<f64> = dests.values().copied().collect();
        let Ok(top) = kernel(entrepot_indices::top_k_share(&x, 1), k)? else {
            continue; // no sales of it in the year
        };
        let Some((d, v)) = dests
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
        else {
            continue;
        };
        out.push(ProductMarket {
            product: k.clone(),
            year: last,
            sales: x.iter().sum(),
            destinations: entrepot_indices::active_units(&x),
            largest: (*d).clone(),
            largest_sales: *v,
            share: top,
        });
    }
    out.sort_by(|a, b| {
        b.sales
            .total_cmp(&a.sales)
            .then_with(|| a.product.cmp(&b.product))
    });
    let shares: Vec<f64> = out.iter().map(|p| p.share).collect();
    let values: Vec<f64> = out.iter().map(|p| p.sales).collect();
    let one = kernel(
        entrepot_indices::chokepoints(&shares, &values, threshold),
        "one-market products",
    )?;
    Ok((out, one))
}

/// The scale money figures are shown in: the largest that keeps the firm's largest
/// annual sales at or above one.
pub(crate) fn scale_for(max: f64) -> Scale {
    if max >= 1e9 {
        Scale::Billions
    } else if max >= 1e6 {
        Scale::Millions
    } else if max >= 1e3 {
        Scale::Thousands
    } else {
        Scale::Units
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_gets_the_firm_country_and_an_export_flow() {
        let s = sales_mapping(Some("partner=c,period=y,value=v"), Some("Germany"))
            .unwrap()
            .unwrap();
        assert_eq!(
            s,
            "partner=c,period=y,value=v,reporter=const:DEU,flow=export"
        );
        let s = sales_mapping(Some("reporter=o,partner=c,period=y,export=v"), None)
            .unwrap()
            .unwrap();
        assert!(!s.contains("flow="), "{s}");
        let e = sales_mapping(Some("reporter=o,partner=c"), Some("DEU")).unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
        let e = sales_mapping(Some("partner=c"), None).unwrap_err();
        assert!(e.message.contains("--firm-country"), "{e}");
        let e = sales_mapping(Some("partner=c"), Some("XXX")).unwrap_err();
        assert_eq!(e.class, crate::ErrorClass::NotFound);
        assert!(sales_mapping(None, Some("DEU")).is_err());
    }

    #[test]
    fn overlapping_codes_are_refused() {
        let f = Path::new("s.csv");
        let ok = BTreeMap::from([("8703".to_string(), Some(2)), ("8704".into(), Some(3))]);
        assert!(check_codes(f, &ok).is_ok());
        let nested = BTreeMap::from([("8703".to_string(), Some(2)), ("870321".into(), Some(5))]);
        let e = check_codes(f, &nested).unwrap_err();
        assert!(
            e.message
                .starts_with("s.csv:5: product 870321 lies within product 8703 (line 2)"),
            "{e}"
        );
        let total = BTreeMap::from([(TOTAL.to_string(), Some(4)), ("8703".into(), Some(2))]);
        assert!(check_codes(f, &total)
            .unwrap_err()
            .message
            .contains("TOTAL"));
    }

    /// Random sales (a fixed linear congruential sequence): each year's destination
    /// shares sum to one, the top shares are ordered, the contributions add up to the
    /// growth, each product's largest-destination share lies in (0, 1].
    #[test]
    fn shares_sum_to_one_and_contributions_to_the_growth() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let dests = ["FRA", "USA", "CHN", "JPN", "BRA", "IND", "ZAF"];
        let products = ["870321", "850440", "300490"];
        for _case in 0..200 {
            let mut cells = BTreeMap::new();
            for y in 2020..2020 + 1 + next(3) as i32 {
                for _ in 0..1 + next(12) {
                    let d = dests[next(dests.len() as u64) as usize].to_string();
                    let k = products[next(products.len() as u64) as usize].to_string();
                    // some zeros, some tiny, some large values
                    let v = match next(4) {
                        0 => 0.0,
                        1 => next(10) as f64 * 1e-3,
                        _ => (1 + next(1_000_000)) as f64 * 1e3,
                    };
                    *cells.entry((d, k, y)).or_insert(0.0) += v;
                }
            }
            let sales = Sales {
                cells,
                origins: BTreeSet::from(["DEU".to_string()]),
                revisions: BTreeSet::new(),
                months: BTreeMap::new(),
                rows: 0,
                world_rows: (0, 0.0),
                currency: Currency::USD,
                reader: String::new(),
            };
            let years = year_indices(&sales).unwrap();
            let store: Store = Err("no store".into());
            let markets = market_shares(&sales, &years, &store).unwrap();
            for y in &years {
                let Ok(hhi) = y.hhi else {
                    assert_eq!(y.total, 0.0);
                    continue;
                };
                let own: Vec<f64> = markets
                    .iter()
                    .filter(|m| m.product.is_none() && m.year == y.year)
                    .map(|m| m.sales / y.total)
                    .collect();
                let sum: f64 = own.iter().sum();
                assert!((sum - 1.0).abs() < 1e-12, "{sum}");
                let h: f64 = own.iter().map(|s| s * s).sum();
                assert!((h - hhi).abs() < 1e-12);
                let (t1, t3) = (y.top1.unwrap(), y.top3.unwrap());
                assert!(t1 <= t3 + 1e-15 && t3 <= 1.0 + 1e-15);
                assert!(markets.iter().all(|m| m.share.is_err()), "no store: absent");
            }
            if let Ok(g) = growth(&sales, &years).unwrap() {
                if let Ok(total) = g.contributions.growth_pct {
                    let sum: f64 = g
                        .contributions
                        .units
                        .iter()
                        .map(|u| u.contribution_pp.unwrap())
                        .sum();
                    assert!((sum - total).abs() < 1e-9 * total.abs().max(1.0));
                }
            }
            let (products, one) = product_markets(&sales, &years, 0.5).unwrap();
            for p in &products {
                assert!(p.share > 0.0 && p.share <= 1.0, "{p:?}");
            }
            for i in one {
                assert!(products[i].share > 0.5);
            }
        }
    }

    #[test]
    fn scales_follow_the_size_of_the_sales() {
        assert_eq!(scale_for(2.5e9), Scale::Billions);
        assert_eq!(scale_for(12e6), Scale::Millions);
        assert_eq!(scale_for(999_999.0), Scale::Thousands);
        assert_eq!(scale_for(12.0), Scale::Units);
    }
}
