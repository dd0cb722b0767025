//! A reporter's product series lined up in one HS revision: "China's exports of solar
//! cells, 2017–2023, in HS 2022 codes", when the years before 2022 are held in HS 2017
//! (where solar cells and LEDs share 854140) and the later ones in HS 2022 (854141 …
//! 854149). [`series`] reads one flow cube of the store (the reporter's flows by HS6
//! product and year, from every dataset asked for), decides for each year which
//! revision is read ([`plan_years`]: the target revision where held, otherwise the
//! revision held, converted), converts the other years with the built-in concordance
//! and lays it all out as a report [`Document`] (kind [`DOCUMENT_KIND`]).
//!
//! **Conversion** (`entrepot_core::concordance::convert`): the value `x_a,t` of a source
//! code `a` in year `t` goes to its target codes `b_j` by weights `w_{a→b_j}` adding up
//! to 1, so the total of every year is kept:
//!
//! * one target: the whole value;
//! * several targets, [`WeightSource::Own`] (default) or [`WeightSource::World`]: the
//!   proportional method of Pierce and Schott (2012), `w_{a→b} = V_b / Σ_j V_{b_j}`,
//!   with `V_b` the value of target code `b` in an overlap year (a year the data holds
//!   in the target revision): the reporter's own flows (same partner and direction),
//!   or every reporter's reported flows in the datasets read; equal shares for a code
//!   whose targets have no value in that year, said in the weights table;
//! * [`WeightSource::Equal`]: `1/k` among the `k` targets.
//!
//! Codes without a link in the concordance are kept apart (the unmapped table), never
//! dropped: the "read" value of a year equals its converted value plus its unmapped
//! value. Two datasets holding the same revision for the same year would count the
//! reporter's trade twice: refused, naming them.

use crate::edge::{find_basket, parse_codes, Selection};
use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::pair::{flow_word, is_world, resolve_country, year_range, years_text};
use entrepot_core::concordance::{LinkWeight, SeriesRow, Weighting};
use entrepot_core::{Basket, Concordance, FlowKind, HsRevision, ProductCatalog};
use entrepot_cube::{CubeRequest, Mirror, PeriodGrain, PeriodRange, ProductGrain};
use entrepot_doc::{Currency, Document};
use std::collections::{BTreeMap, BTreeSet};

mod document;
#[cfg(test)]
mod tests;

/// The [`Document::kind`] of a series report.
pub const DOCUMENT_KIND: &str = "series";

/// Where the trade values that split a code among several targets come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WeightSource {
    /// The reporter's own flows (same partner and direction) in the overlap year.
    #[default]
    Own,
    /// Every reporter's reported flows of that direction in the overlap year, in the
    /// datasets read.
    World,
    /// Equal shares among the targets.
    Equal,
}

impl WeightSource {
    /// The option's name: `own`, `world`, `equal`.
    pub fn as_str(self) -> &'static str {
        match self {
            WeightSource::Own => "own",
            WeightSource::World => "world",
            WeightSource::Equal => "equal",
        }
    }
}

/// A request for a reporter's series in one HS revision.
#[derive(Debug, Clone, Default)]
pub struct SeriesRequest {
    /// The reporter, as ISO3 or any code the country registry knows.
    pub reporter: String,
    /// A partner; `None`: every partner (the world).
    pub partner: Option<String>,
    /// Exports (default) or imports; a reporter's imports missing from its own reports
    /// are filled from partners' reports (mirror), as in the brief.
    pub flow: Option<FlowKind>,
    /// The datasets to read; empty: every flows dataset of the store.
    pub datasets: Vec<String>,
    /// The revision of the series.
    pub target: Option<HsRevision>,
    /// The products: every product, a basket (its codes in the target revision), or
    /// HS6 codes of any revision (a code of another revision stands for the target
    /// codes it becomes).
    pub selection: Selection,
    /// The baskets known; empty: the built-in ones.
    pub baskets: Vec<Basket>,
    /// How codes with several targets are split.
    pub weights: WeightSource,
    /// The overlap year of the trade-value weights; `None`: the year held in the
    /// target revision nearest to the converted years.
    pub overlap_year: Option<i32>,
    /// First year (inclusive); `None`: the first held.
    pub from: Option<i32>,
    /// Last year (inclusive); `None`: the last held.
    pub to: Option<i32>,
}

/// One value read from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRow {
    /// The dataset.
    pub dataset: String,
    /// The HS revision of the code.
    pub revision: HsRevision,
    /// The six-digit code.
    pub code: String,
    /// The year.
    pub year: i32,
    /// The value, in the cube's currency.
    pub value: f64,
}

/// What was read for a year, and how it enters the series.
#[derive(Debug, Clone, PartialEq)]
pub struct YearBasis {
    /// The year.
    pub year: i32,
    /// The revision read (the target revision where held).
    pub revision: HsRevision,
    /// The datasets that held it.
    pub datasets: Vec<String>,
    /// The value read in that revision, every product.
    pub read: f64,
    /// The value converted into target codes (equal to `read` for a year held in the
    /// target revision).
    pub in_target: f64,
    /// The value of codes without a link to the target revision.
    pub unmapped: f64,
    /// Values held in other revisions that year, not used (the target revision, or the
    /// newest revision, is read instead).
    pub set_aside: Vec<(HsRevision, f64)>,
}

impl YearBasis {
    /// Whether the year was converted.
    pub fn converted(&self, target: HsRevision) -> bool {
        self.revision != target
    }
}

/// One value of the series: a target code in a year, and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesValue {
    /// The target code.
    pub code: String,
    /// The year.
    pub year: i32,
    /// The value.
    pub value: f64,
    /// The source codes (revision, code, weight) that make it up, for a converted
    /// year; empty for a year held in the target revision.
    pub from: Vec<(HsRevision, String, f64)>,
}

/// The weight of a link used, with its source revision.
#[derive(Debug, Clone, PartialEq)]
pub struct UsedWeight {
    /// The source revision.
    pub revision: HsRevision,
    /// The weight.
    pub weight: LinkWeight,
}

/// A reporter's series in one revision: the figures and the document.
#[derive(Debug, Clone)]
pub struct SeriesOutput {
    /// The reporter (ISO3).
    pub reporter: String,
    /// The partner (ISO3), or none for every partner.
    pub partner: Option<String>,
    /// The flow direction.
    pub flow: FlowKind,
    /// The revision of the series.
    pub target: HsRevision,
    /// The currency of the values.
    pub currency: Currency,
    /// What each year read, in order.
    pub years: Vec<YearBasis>,
    /// The overlap year of the trade-value weights, when one was used.
    pub overlap_year: Option<i32>,
    /// The weighting asked for.
    pub weights: WeightSource,
    /// The selected target codes (empty: every code).
    pub selected: BTreeSet<String>,
    /// The series values of the selected codes, by code then year.
    pub values: Vec<SeriesValue>,
    /// The selection's total by year (aligned with `years`).
    pub totals: Vec<f64>,
    /// The weights used for the selected codes, by source revision and code.
    pub used_weights: Vec<UsedWeight>,
    /// Rows whose code has no link to the target revision.
    pub unmapped: Vec<(HsRevision, SeriesRow)>,
    /// The report document.
    pub document: Document,
}

/// The revision each year is read in: the target where held, otherwise the newest
/// revision held; with what is set aside. Refuses two datasets holding the same
/// revision in the same year.
pub fn plan_years(rows: &[ReadRow], target: HsRevision) -> AppResult<Vec<YearBasis>> {
    // year → revision → dataset → value
    let mut held: BTreeMap<i32, BTreeMap<HsRevision, BTreeMap<&str, f64>>> = BTreeMap::new();
    for r in rows {
        *held
            .entry(r.year)
            .or_default()
            .entry(r.revision)
            .or_default()
            .entry(r.dataset.as_str())
            .or_default() += r.value;
    }
    let mut out = Vec::with_capacity(held.len());
    for (year, revs) in held {
        for (rev, ds) in &revs {
            if ds.len() > 1 {
                return Err(AppError::usage(format!(
                    "datasets {} all hold {rev} flows for {year}, which would count them twice; choose one with --dataset",
                    ds.keys().copied().collect::<Vec<_>>().join(", ")
                )));
            }
        }
        let revision = if revs.contains_key(&target) {
            target
        } else {
            match revs.keys().next_back() {
                Some(r) => *r,
                None => continue,
            }
        };
        let (datasets, read) = revs
            .get(&revision)
            .map(|ds| {
                (
                    ds.keys().map(|d| d.to_string()).collect::<Vec<_>>(),
                    ds.values().sum::<f64>(),
                )
            })
            .unwrap_or_default();
        let set_aside = revs
            .iter()
            .filter(|(r, _)| **r != revision)
            .map(|(r, ds)| (*r, ds.values().sum()))
            .collect();
        out.push(YearBasis {
            year,
            revision,
            datasets,
            read,
            in_target: if revision == target { read } else { 0.0 },
            unmapped: 0.0,
            set_aside,
        });
    }
    Ok(out)
}

/// The overlap year for trade-value weights: `asked` (which must be held in the target
/// revision), or the target year nearest to the converted years (the earlier on a tie).
pub fn overlap_year(
    years: &[YearBasis],
    target: HsRevision,
    asked: Option<i32>,
) -> AppResult<Option<i32>> {
    let held: Vec<i32> = years
        .iter()
        .filter(|y| y.revision == target)
        .map(|y| y.year)
        .collect();
    let converted: Vec<i32> = years
        .iter()
        .filter(|y| y.revision != target)
        .map(|y| y.year)
        .collect();
    if let Some(y) = asked {
        return if held.contains(&y) {
            Ok(Some(y))
        } else {
            Err(AppError::usage(format!(
                "--overlap-year {y}: the data holds no {target} flows for {y}{}",
                if held.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (it does for {})",
                        held.iter()
                            .map(|y| y.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            )))
        };
    }
    if converted.is_empty() {
        return Ok(None);
    }
    let distance = |y: i32| converted.iter().map(|c| (y - c).abs()).min().unwrap_or(0);
    Ok(held.iter().copied().min_by_key(|y| (distance(*y), *y)))
}

/// The target codes a selection stands for (empty: every code).
pub fn selected_codes(
    selection: &Selection,
    baskets: &[Basket],
    target: HsRevision,
) -> AppResult<BTreeSet<String>> {
    let catalog = ProductCatalog::builtin();
    match selection {
        Selection::All => Ok(BTreeSet::new()),
        Selection::Basket(name) => {
            let b = find_basket(baskets, name)?;
            let out: BTreeSet<String> = b
                .codes
                .get(&target)
                .into_iter()
                .flatten()
                .flat_map(|c| catalog.six_digit_codes(target, c.as_str()))
                .collect();
            if out.is_empty() {
                return Err(AppError::bad_input(format!(
                    "basket '{}' has no codes in {target}",
                    b.name
                )));
            }
            Ok(out)
        }
        Selection::Products(list) => {
            let mut out = BTreeSet::new();
            for code in parse_codes(list)? {
                if catalog.get(target, &code).is_some() {
                    out.insert(code);
                    continue;
                }
                let mut found = false;
                for from in HsRevision::ALL.into_iter().filter(|r| *r != target) {
                    if catalog.get(from, &code).is_none() {
                        continue;
                    }
                    let c = Concordance::builtin(from, target)
                        .map_err(|e| AppError::failure(e.to_string()))?;
                    for l in c.links_from(&code) {
                        out.insert(l.to.clone());
                        found = true;
                    }
                }
                if !found {
                    return Err(AppError::not_found(format!(
                        "--products {code}: no six-digit code of {target}, nor a code of another revision with a link to {target}"
                    )));
                }
            }
            Ok(out)
        }
    }
}

/// The series of a request and the report.
pub fn series(location: &StoreLocation, req: &SeriesRequest) -> AppResult<SeriesOutput> {
    let reporter = resolve_country(&req.reporter, "reporter")?;
    let partner = req
        .partner
        .as_deref()
        .map(|p| resolve_country(p, "partner"))
        .transpose()?;
    if partner.as_deref() == Some(reporter.as_str()) {
        return Err(AppError::usage("the partner is the reporter"));
    }
    let flow = req.flow.unwrap_or(FlowKind::Export);
    let target = req
        .target
        .ok_or_else(|| AppError::usage("no target HS revision given (--hs)"))?;
    let baskets = if req.baskets.is_empty() {
        Basket::builtin()
    } else {
        req.baskets.clone()
    };
    let selected = selected_codes(&req.selection, &baskets, target)?;
    let range = year_range(req.from, req.to, None)?;
    let store = location.open_read()?;
    for d in &req.datasets {
        crate::pair::choose_dataset(&store, Some(d), &[], "--dataset")?;
    }
    let cubes = location.cubes(&store)?;
    let base = |r: CubeRequest| {
        let r = if req.datasets.is_empty() {
            r
        } else {
            r.datasets(req.datasets.iter().map(String::as_str))
        };
        r.by_product(ProductGrain::Hs(6))
            .by_period(PeriodGrain::Year)
            .flows([flow])
            .quantity(false)
    };
    let mut own = base(CubeRequest::new().reporters([reporter.as_str()])).mirror(Mirror::Fill);
    if let Some(p) = &partner {
        own = own.partners([p.as_str()]);
    }
    if let Some(p) = range {
        own = own.period_range(p);
    }
    let cube = cubes.run(&own)?;
    let currency = crate::money::common_currency(&[&cube])?;
    let mut rows = Vec::new();
    for c in cube.cells() {
        let (Some(p), Some(period)) = (c.product, c.period) else {
            continue;
        };
        let Some(revision) = p.revision() else {
            continue;
        };
        if p.level() != 6 || c.partner.is_some_and(is_world) {
            continue;
        }
        rows.push(ReadRow {
            dataset: c.dataset.to_string(),
            revision,
            code: p.code_string(),
            year: period.year(),
            value: c.value,
        });
    }
    if rows.is_empty() {
        let whom = partner
            .as_deref()
            .map(|p| format!(" with {p}"))
            .unwrap_or_default();
        return Err(AppError::not_found(format!(
            "the store holds no HS6 {} of {reporter}{whom}{}",
            flow_word(flow),
            years_text(req.from, req.to)
        )));
    }
    let mut years = plan_years(&rows, target)?;
    let needs_values = req.weights != WeightSource::Equal;
    let overlap = if needs_values {
        overlap_year(&years, target, req.overlap_year)?
    } else {
        None
    };
    if needs_values && overlap.is_none() && years.iter().any(|y| y.revision != target) {
        return Err(AppError::usage(format!(
            "--weights {}: the data holds no {target} flows of {reporter} to weigh the split of codes by trade value; add a dataset in {target} or use --weights equal",
            req.weights.as_str()
        )));
    }
    let weighting = match (req.weights, overlap) {
        (WeightSource::Equal, _) | (_, None) => Weighting::Equal,
        (WeightSource::Own, Some(y)) => Weighting::TradeValue {
            year: y,
            values: sum_by_code(rows.iter().filter(|r| r.year == y && r.revision == target)),
        },
        (WeightSource::World, Some(y)) => {
            let cube = cubes.run(
                &base(CubeRequest::new())
                    .mirror(Mirror::Off)
                    .period_range(PeriodRange::years(y, y)),
            )?;
            let world: Vec<ReadRow> = cube
                .cells()
                .into_iter()
                .filter_map(|c| {
                    let p = c.product?;
                    (p.revision() == Some(target) && p.level() == 6).then(|| ReadRow {
                        dataset: c.dataset.to_string(),
                        revision: target,
                        code: p.code_string(),
                        year: y,
                        value: c.value,
                    })
                })
                .collect();
            Weighting::TradeValue {
                year: y,
                values: sum_by_code(world.iter()),
            }
        }
    };
    let lined = line_up(&rows, &mut years, target, &weighting, &selected)?;
    let totals = years
        .iter()
        .map(|y| {
            lined
                .values
                .iter()
                .filter(|v| v.year == y.year)
                .map(|v| v.value)
                .sum()
        })
        .collect();
    let mut out = SeriesOutput {
        reporter,
        partner,
        flow,
        target,
        currency,
        years,
        overlap_year: overlap,
        weights: req.weights,
        selected,
        values: lined.values,
        totals,
        used_weights: lined.weights,
        unmapped: lined.unmapped,
        document: Document::new(DOCUMENT_KIND, ""),
    };
    out.document = document::document(&out, req);
    Ok(out)
}

/// The converted values, weights and unmapped rows of [`line_up`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lined {
    /// The series values of the selected codes, by code then year.
    pub values: Vec<SeriesValue>,
    /// The weights of links into the selected codes, by revision and code.
    pub weights: Vec<UsedWeight>,
    /// Rows without a link to the target revision.
    pub unmapped: Vec<(HsRevision, SeriesRow)>,
}

/// Lines the rows up in the target revision: each year in the revision `years` chose,
/// converted where it is not the target (filling `in_target` and `unmapped` of each
/// year), keeping the codes of `selected` (every code when empty).
pub fn line_up(
    rows: &[ReadRow],
    years: &mut [YearBasis],
    target: HsRevision,
    weighting: &Weighting,
    selected: &BTreeSet<String>,
) -> AppResult<Lined> {
    let keep = |code: &str| selected.is_empty() || selected.contains(code);
    let used: BTreeMap<i32, HsRevision> = years.iter().map(|y| (y.year, y.revision)).collect();
    let mut values: BTreeMap<(String, i32), SeriesValue> = BTreeMap::new();
    let mut by_source: BTreeMap<HsRevision, Vec<SeriesRow>> = BTreeMap::new();
    for r in rows {
        if used.get(&r.year) != Some(&r.revision) {
            continue;
        }
        if r.revision == target {
            if keep(&r.code) {
                values
                    .entry((r.code.clone(), r.year))
                    .or_insert_with(|| SeriesValue {
                        code: r.code.clone(),
                        year: r.year,
                        value: 0.0,
                        from: Vec::new(),
                    })
                    .value += r.value;
            }
        } else {
            by_source.entry(r.revision).or_default().push(SeriesRow {
                code: r.code.clone(),
                year: r.year,
                value: r.value,
            });
        }
    }
    let mut out = Lined::default();
    for (rev, src) in by_source {
        let c = Concordance::builtin(rev, target).map_err(|e| AppError::failure(e.to_string()))?;
        let conv = c
            .convert(&src, weighting)
            .map_err(|e| AppError::bad_input(e.to_string()))?;
        for y in years.iter_mut().filter(|y| y.revision == rev) {
            y.in_target = conv
                .rows
                .iter()
                .filter(|r| r.year == y.year)
                .map(|r| r.value)
                .sum();
            y.unmapped = conv
                .unmapped
                .iter()
                .filter(|r| r.year == y.year)
                .map(|r| r.value)
                .sum();
        }
        // The source codes held in each year, for the make-up of each value.
        let held: BTreeSet<(i32, &str)> = src.iter().map(|r| (r.year, r.code.as_str())).collect();
        for r in conv.rows.iter().filter(|r| keep(&r.code)) {
            let from = conv
                .weights
                .iter()
                .filter(|w| w.to == r.code && held.contains(&(r.year, w.from.as_str())))
                .map(|w| (rev, w.from.clone(), w.weight))
                .collect();
            values.insert(
                (r.code.clone(), r.year),
                SeriesValue {
                    code: r.code.clone(),
                    year: r.year,
                    value: r.value,
                    from,
                },
            );
        }
        out.weights.extend(
            conv.weights
                .into_iter()
                .filter(|w| keep(&w.to))
                .map(|weight| UsedWeight {
                    revision: rev,
                    weight,
                }),
        );
        out.unmapped
            .extend(conv.unmapped.into_iter().map(|r| (rev, r)));
    }
    out.values = values.into_values().collect();
    Ok(out)
}

fn sum_by_code<'a>(rows: impl Iterator<Item = &'a ReadRow>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for r in rows {
        *out.entry(r.code.clone()).or_insert(0.0) += r.value;
    }
    out
}
