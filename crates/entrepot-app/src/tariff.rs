//! Product-level tariff scenarios in partial equilibrium (the logic of the World Bank's
//! WITS-SMART): "if the United States raises its tariff on Chinese electric vehicles by
//! 20 points, how much of its imports from China disappear, how much goes to other
//! suppliers, and what happens to prices, tariff revenue and consumer surplus?"
//!
//! [`tariff`] reads, from one flows dataset of the store, the imports of the importing
//! country (or each country of a group) by supplier and HS6 product in one year, as a
//! flow cube (partner and product grain, [`Mirror::Fill`]: where the importer does not
//! report, as in CEPII BACI, its imports are its partners' exports to it). Each
//! (importer, product) is one market of the SMART model: the kernel
//! ([`entrepot_pe::simulate_markets`]) solves trade creation, trade diversion, the price
//! effect, tariff revenue and consumer surplus per market, and this module sums them
//! per product, per supplier and per basket, then lays them out as a report
//! [`Document`] (kind [`DOCUMENT_KIND`], built in [`document`]).
//!
//! ## Inputs and the assumptions they carry
//!
//! * **Tariffs.** The data hold no tariffs: every supplier pays the baseline tariff
//!   (`baseline_tariff`, default 0 %, an MFN-like rate stated in the report), and the
//!   targeted exporters pay it plus the change in points.
//! * **Elasticities.** Either one substitution elasticity for every product
//!   (`sigma`), or the CEPII ProTEE table ([`entrepot_pe::ElasticityTable`], HS 2007
//!   codes) mapped to SMART parameters by [`entrepot_pe::MappingRule`]: `σ = −sigma`,
//!   with a stated fallback (default SMART's 1.5) for every product the table gives no
//!   usable estimate, each listed in the report with its reason. The data's codes (in
//!   their own HS revision, e.g. HS 2017 for BACI HS17) are looked up **by their six
//!   digits**, not concorded: a code whose content changed between revisions takes the
//!   estimate of the HS 2007 code with the same digits, and a code created after 2007
//!   is not in the table and takes the fallback.
//! * **Import demand elasticity**: one value for every product, default `−1` (a neutral
//!   placeholder, not an estimate; stated in the report).
//!
//! Values stay in the dataset's currency ([`crate::money`]); nothing is converted.
//!
//! | module | holds |
//! |---|---|
//! | this one | [`TariffRequest`], [`TariffOutput`] and its parts; reading the flows, calling the kernel, the sums per product, supplier and basket |
//! | `inputs` | the checks of a request's numbers, the elasticity table (errors naming file and line), baskets and countries or groups |
//! | [`document`] | the report document |

pub mod document;
mod inputs;

use inputs::{
    check_parameters, ever_members, in_basket, read_table, resolve_baskets, select, years_held,
};

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::pair::{choose_dataset, is_world};
use entrepot_core::{FlowKind, HsRevision, Period, ProductId};
use entrepot_cube::{
    CubeRequest, Mirror, PeriodGrain, PeriodRange, ProductGrain, ProductSelection, Side,
};
use entrepot_doc::Document;
use entrepot_pe::{
    MappedParameters, MappingRule, MarketEffect, Parameters, PeError, SubstitutionSource,
    SupplierEffect,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

pub use entrepot_pe::{NotSignificantPolicy, SMART_SUBSTITUTION_ELASTICITY};

/// The [`Document::kind`] of a tariff report.
pub const DOCUMENT_KIND: &str = "tariff";

/// The products a request covers.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ProductChoice {
    /// Every HS6 product the importer imports.
    #[default]
    All,
    /// The products of these baskets (built-in or from the baskets file).
    Baskets(Vec<String>),
    /// These HS6 codes.
    Codes(Vec<String>),
}

/// A request for a product-level tariff scenario.
#[derive(Debug, Clone)]
pub struct TariffRequest {
    /// The importers imposing the change: countries (any code the registry knows) or
    /// groups.
    pub importers: Vec<String>,
    /// The exporters the change targets: countries or groups.
    pub exporters: Vec<String>,
    /// The tariff change, in percentage points (`20` raises 5 % to 25 %).
    pub points: f64,
    /// The baseline tariff every supplier pays, in percent.
    pub baseline_tariff: f64,
    /// The products.
    pub products: ProductChoice,
    /// The year; `None`: the last year the dataset holds.
    pub year: Option<i32>,
    /// The flows dataset; `None`: the one that holds the countries as reporters.
    pub dataset: Option<String>,
    /// The CEPII ProTEE elasticity table (`HS6,zero,positive,sigma`).
    pub elasticities: Option<PathBuf>,
    /// One substitution elasticity for every product (instead of a table).
    pub sigma: Option<f64>,
    /// The substitution elasticity of products the table gives no usable estimate.
    pub fallback_sigma: f64,
    /// What to do with estimates not significant at 1 %.
    pub not_significant: NotSignificantPolicy,
    /// The import demand elasticity of every product (`≤ 0`).
    pub import_demand_elasticity: f64,
    /// A user's groups file added to the built-in groups.
    pub groups_file: Option<PathBuf>,
    /// A user's baskets file added to the built-in baskets.
    pub baskets_file: Option<PathBuf>,
    /// Rows of the product and supplier tables.
    pub top: usize,
}

impl Default for TariffRequest {
    fn default() -> Self {
        let rule = MappingRule::default();
        TariffRequest {
            importers: Vec::new(),
            exporters: Vec::new(),
            points: 0.0,
            baseline_tariff: 0.0,
            products: ProductChoice::All,
            year: None,
            dataset: None,
            elasticities: None,
            sigma: None,
            fallback_sigma: rule.fallback_substitution_elasticity,
            not_significant: rule.not_significant,
            import_demand_elasticity: rule.import_demand_elasticity,
            groups_file: None,
            baskets_file: None,
            top: 25,
        }
    }
}

/// Imports of a set of suppliers before and after (summed over markets).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Imports {
    /// Baseline imports.
    pub baseline: f64,
    /// Trade creation.
    pub creation: f64,
    /// Trade diversion (towards these suppliers when positive).
    pub diversion: f64,
}

impl Imports {
    /// `creation + diversion`.
    pub fn change(&self) -> f64 {
        self.creation + self.diversion
    }

    /// The change in percent of the baseline (`None` when the baseline is zero).
    pub fn change_pct(&self) -> Option<f64> {
        (self.baseline > 0.0).then(|| self.change() / self.baseline * 100.0)
    }

    fn add(&mut self, baseline: f64, creation: f64, diversion: f64) {
        self.baseline += baseline;
        self.creation += creation;
        self.diversion += diversion;
    }
}

/// Where a product's substitution elasticity came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SigmaSource {
    /// One value given for every product.
    Given,
    /// The elasticity table, with the mapping's provenance.
    Table(MappedParameters),
}

impl SigmaSource {
    /// Whether the product's code is in the elasticity table (`None` without a table).
    pub fn found(&self) -> Option<bool> {
        match self {
            SigmaSource::Given => None,
            SigmaSource::Table(m) => Some(!matches!(
                m.source,
                SubstitutionSource::Fallback(entrepot_pe::FallbackReason::NotInTable)
            )),
        }
    }

    /// Whether the fallback elasticity was used.
    pub fn is_fallback(&self) -> bool {
        matches!(
            self,
            SigmaSource::Table(MappedParameters {
                source: SubstitutionSource::Fallback(_),
                ..
            })
        )
    }

    /// A label for a narrow column (`CEPII`, `CEPII n.s.`, `fallback`, `given`).
    pub fn label(&self) -> &'static str {
        match self {
            SigmaSource::Given => "given",
            SigmaSource::Table(m) => match m.source {
                SubstitutionSource::Estimate => "CEPII",
                SubstitutionSource::EstimateNotSignificant => "CEPII n.s.",
                SubstitutionSource::Fallback(_) => "fallback",
            },
        }
    }

    /// A short description (`CEPII estimate`, `fallback: not in table`).
    pub fn describe(&self) -> &'static str {
        use entrepot_pe::FallbackReason as F;
        match self {
            SigmaSource::Given => "given (one value for every product)",
            SigmaSource::Table(m) => match m.source {
                SubstitutionSource::Estimate => "CEPII estimate",
                SubstitutionSource::EstimateNotSignificant => {
                    "CEPII estimate, not significant at 1 %"
                }
                SubstitutionSource::Fallback(F::NotInTable) => "fallback: code not in the table",
                SubstitutionSource::Fallback(F::Missing) => "fallback: no value in the table",
                SubstitutionSource::Fallback(F::PositiveSignificant) => {
                    "fallback: estimate positive and significant"
                }
                SubstitutionSource::Fallback(F::NotSignificant) => {
                    "fallback: estimate not significant at 1 %"
                }
                SubstitutionSource::Fallback(F::NonNegative) => "fallback: value not negative",
            },
        }
    }
}

/// One HS6 product, summed over the importers.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductResult {
    /// The six-digit code, in the data's revision.
    pub code: String,
    /// The data's HS revision of the code.
    pub revision: Option<HsRevision>,
    /// The description from the built-in catalogue, if it knows the code.
    pub description: Option<String>,
    /// The parameters used.
    pub parameters: Parameters,
    /// Where σ came from.
    pub sigma_source: SigmaSource,
    /// Imports from the targeted exporters.
    pub targeted: Imports,
    /// Imports from every other supplier.
    pub others: Imports,
    /// The sum of the product's solved markets ([`MarketEffect::accumulate`]).
    pub effect: MarketEffect,
    /// Markets (importers) solved for the product.
    pub markets: usize,
}

/// One supplier, summed over the solved markets.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplierResult {
    /// ISO3 code.
    pub code: String,
    /// Whether the change targets it.
    pub targeted: bool,
    /// Its effects.
    pub effect: SupplierEffect,
}

/// One basket's totals.
#[derive(Debug, Clone, PartialEq)]
pub struct BasketResult {
    /// The basket's name.
    pub name: String,
    /// Solved markets of its products.
    pub markets: usize,
    /// Imports from the targeted exporters.
    pub targeted: Imports,
    /// Imports from the other suppliers.
    pub others: Imports,
    /// The sum of its markets' effects.
    pub effect: MarketEffect,
}

/// A market left out of every total, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedMarket {
    /// The importer (ISO3).
    pub importer: String,
    /// The HS6 code.
    pub product: String,
    /// The kernel's message (naming the supplier when it names one).
    pub reason: String,
}

/// A solved tariff scenario and its report.
#[derive(Debug, Clone)]
pub struct TariffOutput {
    /// The importers (ISO3) and the labels they were given by.
    pub importers: Vec<String>,
    /// The targeted exporters (ISO3).
    pub exporters: Vec<String>,
    /// The dataset read.
    pub dataset: String,
    /// The year.
    pub year: i32,
    /// Baseline tariff and new tariff of the targeted exporters, fractions.
    pub tariffs: (f64, f64),
    /// Per product, by baseline imports from the targeted exporters (largest first).
    pub products: Vec<ProductResult>,
    /// Per supplier: the targeted ones first, then by total change (largest first).
    pub suppliers: Vec<SupplierResult>,
    /// Per basket, in the order asked (empty unless baskets were asked for).
    pub baskets: Vec<BasketResult>,
    /// Imports from the targeted exporters over all solved markets.
    pub targeted: Imports,
    /// Imports from the other suppliers.
    pub others: Imports,
    /// All solved markets together.
    pub total: MarketEffect,
    /// Markets left out.
    pub skipped: Vec<SkippedMarket>,
    /// The report document.
    pub document: Document,
}

/// What the report says about the inputs besides the results.
#[derive(Debug, Clone, Default)]
pub(crate) struct Basis {
    /// Labels of the importer and exporter selections as asked (`EU27`, `CHN`).
    pub importer_label: String,
    pub exporter_label: String,
    /// Products choice in words.
    pub products: String,
    /// The revisions of the codes read.
    pub revisions: BTreeSet<HsRevision>,
    /// Cells read from each side.
    pub reported_cells: usize,
    pub mirror_cells: usize,
    /// Whether the year covers world trade (`None` when not checked: no mirror cell).
    pub covers_world: Option<bool>,
    /// Group members not in the data, and other notes.
    pub notes: Vec<String>,
    /// The elasticity table's path and its number of products.
    pub table: Option<(String, usize)>,
}

/// Computes a tariff scenario.
pub fn tariff(location: &StoreLocation, req: &TariffRequest) -> AppResult<TariffOutput> {
    check_parameters(req)?;
    let groups = crate::reference::load_groups(req.groups_file.as_ref())?;
    let baskets = match &req.products {
        ProductChoice::Baskets(names) => resolve_baskets(
            names,
            &crate::reference::load_baskets(req.baskets_file.as_ref())?,
        )?,
        _ => Vec::new(),
    };
    let selection = match &req.products {
        ProductChoice::All => ProductSelection::All,
        ProductChoice::Baskets(_) => ProductSelection::Baskets(baskets.clone()),
        ProductChoice::Codes(codes) => {
            for c in codes {
                entrepot_pe::parse_hs6(c).map_err(|e| {
                    AppError::usage(format!("--products: {e}; give HS6 codes like 870380"))
                })?;
            }
            ProductSelection::prefixes(codes).map_err(|e| AppError::usage(e.to_string()))?
        }
    };
    // The table is read before the store, so a bad file fails fast.
    let table = match (&req.elasticities, req.sigma) {
        (Some(path), None) => Some((path, read_table(path)?)),
        _ => None,
    };
    let store = location.open_read()?;
    // Any country that ever belonged to a group names the dataset; the year's members
    // are resolved once the year is known.
    let ever: Vec<String> = req
        .importers
        .iter()
        .chain(&req.exporters)
        .flat_map(|n| ever_members(n, &groups))
        .collect();
    let ever: Vec<&str> = ever.iter().map(String::as_str).collect();
    let dataset = choose_dataset(&store, req.dataset.as_deref(), &ever, "--dataset")?;
    let info = store
        .dataset(&dataset)
        .ok_or_else(|| AppError::not_found(format!("no dataset '{dataset}' in the store")))?;
    let year = match req.year {
        Some(y) if info.years.contains(&y) => y,
        Some(y) => {
            return Err(AppError::not_found(format!(
                "dataset '{dataset}' holds no flows in {y} (it holds {})",
                years_held(&info.years)
            )))
        }
        None => *info
            .years
            .last()
            .ok_or_else(|| AppError::not_found(format!("dataset '{dataset}' holds no years")))?,
    };
    let mut basis = Basis::default();
    let period = Period::Year(year);
    let importers = select(&req.importers, &groups, &period, "importer", &mut basis)?;
    let exporters = select(&req.exporters, &groups, &period, "--on", &mut basis)?;
    if let Some(both) = importers.iter().find(|c| exporters.contains(c)) {
        return Err(AppError::usage(format!(
            "{both} is both an importer and a targeted exporter: a country does not levy a tariff on itself"
        )));
    }
    basis.importer_label = req.importers.join("+");
    basis.exporter_label = req.exporters.join("+");

    let cubes = location.cubes(&store)?;
    let cube = cubes.run(
        &CubeRequest::new()
            .datasets([dataset.as_str()])
            .reporters(importers.iter().map(String::as_str))
            .flows([FlowKind::Import])
            .by_reporter()
            .by_partner()
            .by_product(ProductGrain::Hs(6))
            .by_period(PeriodGrain::Year)
            .period_range(PeriodRange::years(year, year))
            .products(selection)
            .mirror(Mirror::Fill)
            .quantity(false),
    )?;
    let currency = crate::money::dataset_currency(&store, &dataset)?;

    // Interned columns: importer and supplier ids index `importers` and `suppliers`.
    let mut suppliers: Vec<String> = Vec::new();
    let mut supplier_id: HashMap<String, u32> = HashMap::new();
    let mut products: BTreeMap<u32, ProductId> = BTreeMap::new();
    let (t0, t1) = (
        req.baseline_tariff / 100.0,
        (req.baseline_tariff + req.points) / 100.0,
    );
    let mut cols = Columns::default();
    let mut coarse = 0usize;
    for c in cube.cells() {
        let (Some(r), Some(p), Some(product)) = (c.reporter, c.partner, c.product) else {
            continue;
        };
        if is_world(p) || p == r || c.value == 0.0 {
            continue;
        }
        if product.level() != 6 {
            coarse += 1;
            continue;
        }
        let Some(importer) = importers.iter().position(|i| i == r) else {
            continue;
        };
        let Ok(code) = product.code_string().parse::<u32>() else {
            continue;
        };
        if let Some(rev) = product.revision() {
            basis.revisions.insert(rev);
        }
        products.entry(code).or_insert(product);
        let next = suppliers.len() as u32;
        let s = *supplier_id.entry(p.to_string()).or_insert_with(|| {
            suppliers.push(p.to_string());
            next
        });
        let targeted = exporters.iter().any(|e| e == p);
        match c.side {
            Side::Mirror => basis.mirror_cells += 1,
            _ => basis.reported_cells += 1,
        }
        cols.push(
            code,
            importer as u32,
            s,
            c.value,
            t0,
            if targeted { t1 } else { t0 },
        );
    }
    if coarse > 0 {
        basis.notes.push(format!(
            "{coarse} cell(s) of the dataset are held at a coarser level than HS6 and were left out."
        ));
    }
    if cols.product.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no HS6 imports of {} in {year}{}",
            basis.importer_label,
            match &req.products {
                ProductChoice::All => String::new(),
                ProductChoice::Baskets(b) => format!(" in basket {}", b.join(", ")),
                ProductChoice::Codes(c) => format!(" of {}", c.join(", ")),
            }
        )));
    }
    if !cols
        .supplier
        .iter()
        .any(|&s| exporters.contains(&suppliers[s as usize]))
    {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no imports of {} from {} in {year} in the products asked for",
            basis.importer_label, basis.exporter_label
        )));
    }
    if basis.mirror_cells > 0 {
        let all = cubes.run(
            &CubeRequest::new()
                .datasets([dataset.as_str()])
                .flows([FlowKind::Export, FlowKind::Import])
                .by_reporter()
                .by_partner()
                .by_period(PeriodGrain::Year)
                .period_range(PeriodRange::years(year, year))
                .mirror(Mirror::Off)
                .quantity(false),
        )?;
        basis.covers_world = crate::dependence::coverage(&all)
            .get(&year)
            .map(crate::dependence::Coverage::covers_world);
    }

    // Parameters per product.
    let rule = MappingRule {
        import_demand_elasticity: req.import_demand_elasticity,
        fallback_substitution_elasticity: req.fallback_sigma,
        not_significant: req.not_significant,
    };
    let sources: HashMap<u32, SigmaSource> = products
        .keys()
        .map(|&code| {
            let source = match (&table, req.sigma) {
                (Some((_, t)), _) => SigmaSource::Table(t.parameters(code, &rule)),
                _ => SigmaSource::Given,
            };
            (code, source)
        })
        .collect();
    let given = Parameters::new(req.import_demand_elasticity, req.sigma.unwrap_or(1.0));
    let params_of = |code: u32| match sources.get(&code) {
        Some(SigmaSource::Table(m)) => m.parameters,
        _ => given,
    };
    if let Some((path, t)) = &table {
        basis.table = Some((path.display().to_string(), t.len()));
    }
    let pe_baskets: Vec<entrepot_pe::Basket> = baskets
        .iter()
        .map(|b| entrepot_pe::Basket {
            name: b.name.clone(),
            products: products
                .iter()
                .filter(|(_, id)| in_basket(b, **id))
                .map(|(code, _)| *code)
                .collect(),
        })
        .collect();
    let flows = cols.view();
    let sim = entrepot_pe::simulate_markets(&flows, |_, p| params_of(p), &pe_baskets)
        .map_err(|e| AppError::failure(e.to_string()))?;

    if sim.markets.is_empty() {
        if let Some(m) = sim.skipped.first() {
            return Err(AppError::usage(format!(
                "every market was left out ({}), e.g. {} {}: {}",
                sim.skipped.len(),
                importers[m.importer as usize],
                entrepot_pe::format_hs6(m.product),
                skip_reason(&m.error, m.supplier.map(|s| suppliers[s as usize].as_str()))
            )));
        }
    }
    // Per product and per basket, split into targeted and other suppliers.
    let is_targeted: Vec<bool> = suppliers.iter().map(|s| exporters.contains(s)).collect();
    let catalog = entrepot_core::ProductCatalog::builtin();
    let mut per_product: BTreeMap<u32, ProductResult> = products
        .iter()
        .map(|(&code, id)| {
            let text = id.code_string();
            let description = id
                .revision()
                .and_then(|r| catalog.get(r, &text))
                .map(|i| i.description.clone());
            let source = sources.get(&code).copied().unwrap_or(SigmaSource::Given);
            let result = ProductResult {
                code: text,
                revision: id.revision(),
                description,
                parameters: params_of(code),
                sigma_source: source,
                targeted: Imports::default(),
                others: Imports::default(),
                effect: MarketEffect::default(),
                markets: 0,
            };
            (code, result)
        })
        .collect();
    let skipped_markets: BTreeSet<(u32, u32)> = sim
        .skipped
        .iter()
        .map(|m| (m.importer, m.product))
        .collect();
    let (mut targeted, mut others) = (Imports::default(), Imports::default());
    for (row, effect) in sim.rows.iter().enumerate() {
        let (code, importer) = (flows.product[row], flows.importer[row]);
        if skipped_markets.contains(&(importer, code)) {
            continue;
        }
        let Some(p) = per_product.get_mut(&code) else {
            continue;
        };
        let (v, tc, td) = (
            flows.value[row],
            effect.trade_creation,
            effect.trade_diversion,
        );
        if is_targeted[flows.supplier[row] as usize] {
            p.targeted.add(v, tc, td);
            targeted.add(v, tc, td);
        } else {
            p.others.add(v, tc, td);
            others.add(v, tc, td);
        }
    }
    for m in &sim.markets {
        if let Some(p) = per_product.get_mut(&m.product) {
            p.effect.accumulate(&m.effect);
            p.markets += 1;
        }
    }
    // Products whose every market was left out are in the table of skipped markets.
    let mut product_list: Vec<ProductResult> = per_product
        .into_values()
        .filter(|p| p.markets > 0)
        .collect();
    product_list.sort_by(|a, b| {
        b.targeted
            .baseline
            .total_cmp(&a.targeted.baseline)
            .then_with(|| a.code.cmp(&b.code))
    });
    let basket_list: Vec<BasketResult> = sim
        .baskets
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let (mut t, mut o) = (Imports::default(), Imports::default());
            for (_, s) in sim.basket_suppliers.iter().filter(|(i, _)| *i == k) {
                let e = &s.effect;
                let side = if is_targeted[s.supplier as usize] {
                    &mut t
                } else {
                    &mut o
                };
                side.add(e.baseline, e.trade_creation, e.trade_diversion);
            }
            BasketResult {
                name: b.name.clone(),
                markets: b.markets,
                targeted: t,
                others: o,
                effect: b.effect,
            }
        })
        .collect();
    let mut supplier_list: Vec<SupplierResult> = sim
        .suppliers
        .iter()
        .map(|s| SupplierResult {
            code: suppliers[s.supplier as usize].clone(),
            targeted: is_targeted[s.supplier as usize],
            effect: s.effect,
        })
        .collect();
    supplier_list.sort_by(|a, b| {
        b.targeted
            .cmp(&a.targeted)
            .then_with(|| b.effect.total_change.total_cmp(&a.effect.total_change))
            .then_with(|| b.effect.baseline.total_cmp(&a.effect.baseline))
            .then_with(|| a.code.cmp(&b.code))
    });
    let skipped: Vec<SkippedMarket> = sim
        .skipped
        .iter()
        .map(|m| SkippedMarket {
            importer: importers[m.importer as usize].clone(),
            product: entrepot_pe::format_hs6(m.product),
            reason: skip_reason(&m.error, m.supplier.map(|s| suppliers[s as usize].as_str())),
        })
        .collect();
    basis.products = match &req.products {
        ProductChoice::All => "every HS6 product imported".into(),
        ProductChoice::Baskets(_) => format!(
            "the HS6 products of basket{} {}",
            if baskets.len() > 1 { "s" } else { "" },
            baskets
                .iter()
                .map(|b| b.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ProductChoice::Codes(c) => format!("HS6 {}", c.join(", ")),
    };
    let mut out = TariffOutput {
        importers,
        exporters,
        dataset,
        year,
        tariffs: (t0, t1),
        products: product_list,
        suppliers: supplier_list,
        baskets: basket_list,
        targeted,
        others,
        total: sim.total,
        skipped,
        document: Document::new(DOCUMENT_KIND, String::new()),
    };
    let mut doc = document::document(&out, req, &basis, currency);
    doc.label_money_in(currency);
    doc.currency = Some(currency);
    out.document = doc;
    Ok(out)
}

/// The input columns of the kernel.
#[derive(Debug, Default)]
struct Columns {
    product: Vec<u32>,
    importer: Vec<u32>,
    supplier: Vec<u32>,
    value: Vec<f64>,
    tariff_before: Vec<f64>,
    tariff_after: Vec<f64>,
}

impl Columns {
    fn push(&mut self, product: u32, importer: u32, supplier: u32, value: f64, t0: f64, t1: f64) {
        self.product.push(product);
        self.importer.push(importer);
        self.supplier.push(supplier);
        self.value.push(value);
        self.tariff_before.push(t0);
        self.tariff_after.push(t1);
    }

    fn view(&self) -> entrepot_pe::FlowColumns<'_> {
        entrepot_pe::FlowColumns {
            product: &self.product,
            importer: &self.importer,
            supplier: &self.supplier,
            value: &self.value,
            tariff_before: &self.tariff_before,
            tariff_after: &self.tariff_after,
        }
    }
}

/// Why a market was skipped, with the supplier's code when the kernel names one.
fn skip_reason(error: &PeError, supplier: Option<&str>) -> String {
    match (error, supplier) {
        (PeError::NegativeImports { value, .. }, Some(s)) => format!(
            "imports from {s} would become {value:.3e} < 0: the tariff rise is too large for SMART's linear trade-creation term (|ε_m|·Δt/(1+t0) > 1)"
        ),
        (PeError::InvalidSupplier {
            field,
            value,
            requirement,
            ..
        }, Some(s)) => format!("{s}: {field} is {value}: {requirement}"),
        (e, _) => e.to_string(),
    }
}
