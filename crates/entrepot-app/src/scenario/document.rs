//! The report of a scenario: the shocks, the headline effects on the shocked pair, the
//! per-country table (winners and losers), the diversion accounting, the bilateral heat
//! map, the intervals and the checks. Nothing is computed here beyond arranging the
//! solved numbers.

use super::spec::{ScenarioSpec, SolverChoice};
use super::{Diversion, ScenarioOutput};
use crate::error::{AppError, AppResult};
use entrepot_core::Period;
use entrepot_doc::{
    Bar, Basis, Block, Cell, Chart, Check, CheckStatus, Citations, Column, Currency, Document,
    Note, Plot, Row, Scale, Section, SourceId, Table, Unit,
};
use entrepot_ge::{Deficits, Levels, Numeraire};
use std::collections::BTreeSet;

/// Default groups of the diversion accounting.
const DEFAULT_GROUPS: [&str; 4] = ["EU27", "ASEAN", "AFRICA", "LATAM"];

/// The unit of the data's values: stated, never assumed.
fn value_unit(spec: &ScenarioSpec) -> AppResult<Unit> {
    let scale = match spec.data.scale.as_deref() {
        None | Some("units") => Scale::Units,
        Some("thousands") => Scale::Thousands,
        Some("millions") => Scale::Millions,
        Some("billions") => Scale::Billions,
        Some(other) => {
            return Err(AppError::usage(format!(
                "[data] scale: `{other}` is not units, thousands, millions or billions"
            )))
        }
    };
    match &spec.data.currency {
        Some(c) => {
            let cur: Currency = c.parse().map_err(|_| {
                AppError::usage(format!("[data] currency: `{c}` is not an ISO 4217 code"))
            })?;
            Ok(Unit::money(cur, scale))
        }
        None => Ok(Unit::Other {
            label: match spec.data.scale.as_deref() {
                Some(s) if s != "units" => format!("data units, {s} (currency not given)"),
                _ => "data units (currency not given)".into(),
            },
        }),
    }
}

fn pct(v: f64) -> Cell {
    if v.is_finite() {
        Cell::Number {
            value: v,
            unit: Unit::Percent,
            decimals: 2,
            signed: true,
        }
    } else {
        Cell::missing("not defined")
    }
}

fn amount(v: f64, unit: &Unit, signed: bool) -> Cell {
    if v.is_finite() {
        Cell::Number {
            value: v,
            unit: unit.clone(),
            decimals: 1,
            signed,
        }
    } else {
        Cell::missing("not defined")
    }
}

fn band_cells(b: Option<(f64, f64)>, why: &str) -> [Cell; 2] {
    match b {
        Some((lo, hi)) if lo.is_finite() && hi.is_finite() => [pct(lo), pct(hi)],
        _ => [Cell::missing(why), Cell::missing(why)],
    }
}

/// Builds the report of a solved scenario.
pub fn document(spec: &ScenarioSpec, out: &ScenarioOutput) -> AppResult<Document> {
    let p = &out.prepared;
    let cf = &out.result;
    let unit = value_unit(spec)?;
    let names = &p.countries;
    let shocks: Vec<&str> = p.shocks.iter().map(|s| s.description.as_str()).collect();
    let title = spec
        .title
        .clone()
        .unwrap_or_else(|| format!("Scenario: {}", shocks.join("; ")));
    let mut doc = Document::new(super::DOCUMENT_KIND, title);
    if let Unit::Money { currency, .. } = &unit {
        doc.currency = Some(*currency);
    }
    let o = &cf.options;
    let solver = match (spec.model.solver, out.solver_gap) {
        (SolverChoice::Geppml, _) => "GEPPML (Anderson, Larch and Yotov 2018)".to_string(),
        (_, Some(g)) => {
            format!("exact hat algebra, checked against GEPPML (largest relative gap {g:.1e})")
        }
        _ => "exact hat algebra (Baier, Yotov and Zylkin 2019; Zylkin's ge_gravity)".to_string(),
    };
    let deficits = match o.deficits {
        Deficits::Multiplicative => "multiplicative (E = φY, as in Yotov et al. 2016)",
        Deficits::Additive => "additive (D = E − Y fixed, as in ge_gravity)",
        Deficits::Balanced => "balanced trade",
    };
    let numeraire = match o.numeraire {
        Numeraire::InwardResistance => format!("{}'s inward resistance P fixed", o.reference),
        Numeraire::ProducerPrice => format!("{}'s producer price fixed", o.reference),
        Numeraire::WorldOutput => "world output fixed".to_string(),
    };
    doc.lead.push(format!(
        "Structural gravity in general equilibrium on {}, baseline {}, {} economies ({}). Trade elasticity θ = {:.3} (σ = {:.3}; {}).",
        p.source,
        p.year,
        names.len(),
        match spec.model.baseline {
            super::spec::BaselineKind::Observed => "the baseline calibrated to the observed flows",
            super::spec::BaselineKind::Fitted => "baseline trade costs fitted by the estimate",
        },
        p.theta.theta,
        cf.sigma,
        p.theta.origin
    ));
    doc.lead.push(format!(
        "Conditional GE: output and expenditure fixed, the multilateral resistances adjust. Full endowment GE: producer prices, output and expenditure adjust too. Solver: {solver}; deficits {deficits}; numéraire: {numeraire}. Changes of real GDP and welfare do not depend on the numéraire{}; values (flows, exports) are in the numéraire's units.",
        if o.deficits == Deficits::Additive { " except with additive deficits" } else { "" }
    ));
    let mut cite = Citations::new();
    let inputs = vec![p.source.clone()];
    let method = cite.method(
        Basis::Flows,
        &format!(
            "structural gravity GE counterfactual (Yotov et al. 2016 ch. 2): θ = {:.4}, {} shock(s), {}",
            p.theta.theta,
            p.shocks.len(),
            solver
        ),
        &inputs,
    );
    doc.sections.push(shock_section(out, method));
    if let Some(d) = &out.diversion {
        doc.sections.push(headline_section(out, d, &unit, method));
    }
    doc.sections.push(country_section(out, method));
    match &out.diversion {
        Some(d) => doc
            .sections
            .push(diversion_section(spec, out, d, &unit, method)?),
        None => doc.sections.push(Section {
            id: "diversion".into(),
            title: "Trade diversion".into(),
            blocks: vec![Block::Note(Note::text(format!(
                "No diversion accounting: {}.",
                out.diversion_missing.as_deref().unwrap_or("no focus pair")
            )))],
        }),
    }
    doc.sections.push(heat_map_section(spec, out));
    doc.sections.push(method_section(spec, out));
    (doc.sources, doc.methods) = cite.into_parts();
    Ok(doc)
}

fn shock_section(out: &ScenarioOutput, method: SourceId) -> Section {
    let p = &out.prepared;
    let theta = p.theta.theta;
    let rows = p
        .shocks
        .iter()
        .map(|s| {
            let changes: Vec<f64> = s
                .pairs
                .iter()
                .map(|(_, _, e)| match e {
                    super::build::Effect::Tau(t) => t.powf(-theta),
                    super::build::Effect::LogT(x) => x.exp(),
                })
                .collect();
            let (lo, hi) = changes
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| {
                    (a.min(c), b.max(c))
                });
            let range = if changes.is_empty() {
                Cell::missing("no pair changes")
            } else {
                Cell::Number {
                    value: (lo - 1.0) * 100.0,
                    unit: Unit::Percent,
                    decimals: 2,
                    signed: true,
                }
            };
            let range_hi = if changes.is_empty() || (hi - lo).abs() < 1e-15 {
                Cell::missing("one value")
            } else {
                pct((hi - 1.0) * 100.0)
            };
            Row::new(vec![
                Cell::text(s.description.clone()),
                Cell::Number {
                    value: s.pairs.len() as f64,
                    unit: Unit::Count,
                    decimals: 0,
                    signed: false,
                },
                range,
                range_hi,
            ])
        })
        .collect();
    let mut blocks = vec![Block::Table(Table {
        id: "shocks".into(),
        title: "Shocks".into(),
        source: Some(method),
        columns: vec![
            Column::new("shock", "Shock"),
            Column::new("pairs", "Pairs"),
            Column::new("cost_term_change_pct", "Change of t = τ^(−θ) (%)"),
            Column::detail("cost_term_change_max_pct", "Largest change of t (%)"),
        ],
        rows,
        footer: Vec::new(),
    })];
    for n in &p.notes {
        blocks.push(Block::Note(Note::text(n.clone())));
    }
    Section {
        id: "shocks".into(),
        title: "Shocks".into(),
        blocks,
    }
}

fn headline_section(out: &ScenarioOutput, d: &Diversion, unit: &Unit, method: SourceId) -> Section {
    let names = &out.prepared.countries;
    let (x, m) = (names[d.exporter].as_str(), names[d.importer].as_str());
    let rows_cf = out.result.country_results();
    let iv = out.intervals.as_ref();
    let why = out
        .intervals_missing
        .clone()
        .unwrap_or_else(|| "not resampled".into());
    let mut rows = Vec::new();
    let mut push = |label: String, base: Cell, cond: Cell, full: Cell, band: Option<(f64, f64)>| {
        let [lo, hi] = band_cells(band, &why);
        rows.push(Row::new(vec![Cell::text(label), base, cond, full, lo, hi]));
    };
    push(
        format!("{x} → {m}"),
        amount(d.direct.baseline, unit, false),
        pct(d.direct.conditional_change_pct()),
        pct(d.direct.full_change_pct()),
        iv.and_then(|i| i.direct),
    );
    let (mb, mc, mf) = sums(&d.markets);
    push(
        format!("{x} → other markets"),
        amount(mb, unit, false),
        pct((mc / mb - 1.0) * 100.0),
        pct((mf / mb - 1.0) * 100.0),
        None,
    );
    let (sb, sc, sf) = sums(&d.suppliers);
    push(
        format!("Other suppliers → {m}"),
        amount(sb, unit, false),
        pct((sc / sb - 1.0) * 100.0),
        pct((sf / sb - 1.0) * 100.0),
        None,
    );
    for k in [d.exporter, d.importer] {
        let r = &rows_cf[k];
        push(
            format!("{} welfare", names[k]),
            Cell::missing("a change"),
            pct(r.welfare.conditional_change_pct()),
            pct(r.welfare.full_change_pct()),
            iv.map(|i| i.welfare[k]),
        );
    }
    let lost = -d.direct_change();
    let share = |v: Option<f64>, what: &str| match v {
        Some(s) => pct(s),
        None => Cell::missing(format!(
            "the {x} → {m} flow did not fall: nothing to {what}"
        )),
    };
    let level = iv.map(|i| i.level * 100.0).unwrap_or(90.0);
    let table = Table {
        id: "headline".into(),
        title: format!("{x} → {m} and around it: changes of flows and welfare (real expenditure)"),
        source: Some(method),
        columns: vec![
            Column::new("measure", "Flow or economy"),
            Column::new("baseline", format!("Baseline, {}", unit.label())),
            Column::new("conditional_pct", "Conditional (%)"),
            Column::new("full_pct", "Full GE (%)"),
            Column::new("full_low_pct", format!("{level:.0}% low")),
            Column::new("full_high_pct", format!("{level:.0}% high")),
        ],
        rows,
        footer: Vec::new(),
    };
    let [rlo, rhi] = band_cells(iv.and_then(|i| i.redirected_share), &why);
    let [plo, phi] = band_cells(iv.and_then(|i| i.replaced_share), &why);
    let accounting = Table {
        id: "diversion-summary".into(),
        title: format!("Where the lost {x} → {m} trade went (full GE)"),
        source: Some(method),
        columns: vec![
            Column::new("measure", "Measure"),
            Column::new("value", format!("Value ({})", unit.label())),
            Column::new("share_pct", "Share of lost (%)"),
            Column::new("share_low_pct", format!("{level:.0}% low")),
            Column::new("share_high_pct", format!("{level:.0}% high")),
        ],
        rows: vec![
            Row::new(vec![
                Cell::text(format!("Lost: {x} → {m}")),
                amount(lost, unit, false),
                Cell::missing("the reference"),
                Cell::missing("the reference"),
                Cell::missing("the reference"),
            ]),
            Row::new(vec![
                Cell::text(format!("Redirected: {x} → others")),
                amount(d.redirected(), unit, true),
                share(d.redirected_share_pct(), "redirect"),
                rlo,
                rhi,
            ]),
            Row::new(vec![
                Cell::text(format!("Replaced: others → {m}")),
                amount(d.replaced(), unit, true),
                share(d.replaced_share_pct(), "replace"),
                plo,
                phi,
            ]),
            Row::new(vec![
                Cell::text(format!("Absorbed: {x} at home")),
                amount(
                    d.exporter_domestic.full - d.exporter_domestic.baseline,
                    unit,
                    true,
                ),
                share(
                    (lost > 0.0).then(|| {
                        (d.exporter_domestic.full - d.exporter_domestic.baseline) / lost * 100.0
                    }),
                    "absorb",
                ),
                Cell::missing("not resampled"),
                Cell::missing("not resampled"),
            ]),
        ],
        footer: Vec::new(),
    };
    Section {
        id: "headline".into(),
        title: format!("The shocked pair: {x} → {m}"),
        blocks: vec![Block::Table(table), Block::Table(accounting)],
    }
}

fn sums(v: &[(usize, Levels)]) -> (f64, f64, f64) {
    v.iter().fold((0.0, 0.0, 0.0), |(a, b, c), (_, l)| {
        (a + l.baseline, b + l.conditional, c + l.full)
    })
}

fn country_section(out: &ScenarioOutput, method: SourceId) -> Section {
    let names = &out.prepared.countries;
    let mut results = out.result.country_results();
    let iv = out.intervals.as_ref();
    let why = out
        .intervals_missing
        .clone()
        .unwrap_or_else(|| "not resampled".into());
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| {
        results[b]
            .welfare
            .full_ratio
            .total_cmp(&results[a].welfare.full_ratio)
            .then_with(|| names[a].cmp(&names[b]))
    });
    let rows: Vec<Row> = order
        .iter()
        .map(|&k| {
            let r = &results[k];
            let [wlo, whi] = band_cells(iv.map(|i| i.welfare[k]), &why);
            let [xlo, xhi] = band_cells(iv.map(|i| i.exports[k]), &why);
            Row::new(vec![
                Cell::text(r.country.clone()),
                pct(r.exports.conditional_change_pct()),
                pct(r.exports.full_change_pct()),
                xlo,
                xhi,
                pct(r.imports.full_change_pct()),
                pct(r.producer_price.full_change_pct()),
                pct(r.outward_resistance.full_change_pct()),
                pct(r.inward_resistance.full_change_pct()),
                pct(r.real_gdp.full_change_pct()),
                pct(r.welfare.full_change_pct()),
                wlo,
                whi,
            ])
        })
        .collect();
    let level = iv.map(|i| i.level * 100.0).unwrap_or(90.0);
    let table = Table {
        id: "countries".into(),
        title: "Per economy, from the largest welfare gain to the largest loss (% changes)".into(),
        source: Some(method),
        columns: vec![
            Column::new("country", "Economy"),
            Column::detail("exports_conditional_pct", "Exports, conditional"),
            Column::new("exports_full_pct", "Exports"),
            Column::detail("exports_low_pct", format!("Exports, {level:.0}% low")),
            Column::detail("exports_high_pct", format!("Exports, {level:.0}% high")),
            Column::new("imports_full_pct", "Imports"),
            Column::new("producer_price_pct", "Producer price"),
            Column::new("outward_resistance_pct", "Outward MR Π"),
            Column::new("inward_resistance_pct", "Inward MR P"),
            Column::new("real_gdp_pct", "Real GDP"),
            Column::new("welfare_pct", "Welfare"),
            Column::new("welfare_low_pct", format!("{level:.0}% low")),
            Column::new("welfare_high_pct", format!("{level:.0}% high")),
        ],
        rows,
        footer: Vec::new(),
    };
    results.sort_by(|a, b| b.welfare.full_ratio.total_cmp(&a.welfare.full_ratio));
    let n = results.len();
    let picked: Vec<&entrepot_ge::CountryResult> = if n <= 20 {
        results.iter().collect()
    } else {
        results[..10]
            .iter()
            .chain(results[n - 10..].iter())
            .collect()
    };
    let chart = Chart {
        id: "chart-welfare".into(),
        title: if n <= 20 {
            "Welfare change, full GE (%)".into()
        } else {
            "Welfare change, full GE: the ten largest gains and losses (%)".into()
        },
        unit: Unit::Percent,
        empty_reason: None,
        plot: Plot::Bars {
            bars: picked
                .iter()
                .map(|r| Bar {
                    label: r.country.clone(),
                    value: r.welfare.full_change_pct(),
                    total: false,
                })
                .collect(),
        },
    };
    Section {
        id: "countries".into(),
        title: "Winners and losers".into(),
        blocks: vec![Block::Table(table), Block::Chart(chart)],
    }
}

fn diversion_section(
    spec: &ScenarioSpec,
    out: &ScenarioOutput,
    d: &Diversion,
    unit: &Unit,
    method: SourceId,
) -> AppResult<Section> {
    let names = &out.prepared.countries;
    let (x, m) = (names[d.exporter].as_str(), names[d.importer].as_str());
    let lines = |v: &[(usize, Levels)], id: &str, title: String, who: &str| -> Table {
        let mut v: Vec<&(usize, Levels)> = v.iter().collect();
        v.sort_by(|a, b| {
            (b.1.full - b.1.baseline)
                .total_cmp(&(a.1.full - a.1.baseline))
                .then_with(|| names[a.0].cmp(&names[b.0]))
        });
        Table {
            id: id.into(),
            title,
            source: Some(method),
            columns: vec![
                Column::new(
                    who,
                    if who == "market" {
                        "Market"
                    } else {
                        "Supplier"
                    },
                ),
                Column::new("baseline", format!("Baseline ({})", unit.label())),
                Column::detail("conditional", "Conditional GE"),
                Column::detail("full", "Full GE"),
                Column::new("change", "Change"),
                Column::new("change_pct", "Change (%)"),
            ],
            rows: v
                .iter()
                .map(|(k, l)| {
                    Row::new(vec![
                        Cell::text(names[*k].clone()),
                        amount(l.baseline, unit, false),
                        amount(l.conditional, unit, false),
                        amount(l.full, unit, false),
                        amount(l.full - l.baseline, unit, true),
                        pct(l.full_change_pct()),
                    ])
                })
                .collect(),
            footer: Vec::new(),
        }
    };
    let markets = lines(
        &d.markets,
        "markets",
        format!("{x}'s exports to each other market (full GE)"),
        "market",
    );
    let suppliers = lines(
        &d.suppliers,
        "suppliers",
        format!("{m}'s imports from each other supplier (full GE)"),
        "supplier",
    );
    let groups = crate::reference::load_groups(None)?;
    let period: Period = out
        .prepared
        .year
        .to_string()
        .parse()
        .map_err(|_| AppError::bad_input("the baseline year is not a period"))?;
    let wanted: Vec<String> = spec
        .report
        .groups
        .clone()
        .unwrap_or_else(|| DEFAULT_GROUPS.iter().map(|s| s.to_string()).collect());
    let mut group_rows = Vec::new();
    let mut in_groups = BTreeSet::new();
    for g in &wanted {
        let members = groups.members_at(g, &period).map_err(|_| {
            AppError::not_found(format!(
                "[report] groups: `{g}` is not a known group (see `entrepot groups`)"
            ))
        })?;
        let members: BTreeSet<&str> = members.iter().map(String::as_str).collect();
        let held: Vec<&(usize, Levels)> = d
            .markets
            .iter()
            .filter(|(k, _)| members.contains(names[*k].as_str()))
            .collect();
        for (k, _) in &held {
            in_groups.insert(*k);
        }
        group_rows.push(group_row(g, &held, unit, members.len()));
    }
    let rest: Vec<&(usize, Levels)> = d
        .markets
        .iter()
        .filter(|(k, _)| !in_groups.contains(k))
        .collect();
    group_rows.push(group_row("Other markets", &rest, unit, rest.len()));
    let group_table = Table {
        id: "market-groups".into(),
        title: format!("{x}'s exports by destination group (full GE; {m} and {x} itself left out)"),
        source: Some(method),
        columns: vec![
            Column::new("group", "Group"),
            Column::new("held", "Members in the data"),
            Column::new("baseline", format!("Baseline ({})", unit.label())),
            Column::new("change", "Change"),
            Column::new("change_pct", "Change (%)"),
        ],
        rows: group_rows,
        footer: Vec::new(),
    };
    let mut bars: Vec<&(usize, Levels)> = d.markets.iter().collect();
    bars.sort_by(|a, b| {
        (b.1.full - b.1.baseline)
            .abs()
            .total_cmp(&(a.1.full - a.1.baseline).abs())
    });
    let chart = Chart {
        id: "chart-markets".into(),
        title: format!(
            "{x}'s exports: the 15 largest changes by market ({})",
            unit.label()
        ),
        unit: unit.clone(),
        empty_reason: None,
        plot: Plot::Bars {
            bars: bars
                .iter()
                .take(15)
                .map(|(k, l)| Bar {
                    label: names[*k].clone(),
                    value: l.full - l.baseline,
                    total: false,
                })
                .collect(),
        },
    };
    Ok(Section {
        id: "diversion".into(),
        title: format!("Trade diversion around {x} → {m}"),
        blocks: vec![
            Block::Table(group_table),
            Block::Chart(chart),
            Block::Table(markets),
            Block::Table(suppliers),
        ],
    })
}

fn group_row(name: &str, held: &[&(usize, Levels)], unit: &Unit, members: usize) -> Row {
    let (b, f) = held
        .iter()
        .fold((0.0, 0.0), |(b, f), (_, l)| (b + l.baseline, f + l.full));
    let _ = members;
    Row::new(vec![
        Cell::text(name.to_string()),
        Cell::Number {
            value: held.len() as f64,
            unit: Unit::Count,
            decimals: 0,
            signed: false,
        },
        amount(b, unit, false),
        amount(f - b, unit, true),
        if held.is_empty() || b == 0.0 {
            Cell::missing("no member in the data")
        } else {
            pct((f / b - 1.0) * 100.0)
        },
    ])
}

fn heat_map_section(spec: &ScenarioSpec, out: &ScenarioOutput) -> Section {
    let p = &out.prepared;
    let cf = &out.result;
    let n = p.countries.len();
    let chosen: Vec<usize> = match &spec.report.heat_map {
        Some(list) => list.iter().filter_map(|c| p.index(c)).collect(),
        None => {
            let mut set: BTreeSet<usize> = BTreeSet::new();
            for s in &p.shocks {
                for &k in s.importers.iter().chain(&s.exporters).take(10) {
                    set.insert(k);
                }
            }
            let y = p.flows.row_sums();
            let mut by_size: Vec<usize> = (0..n).collect();
            by_size.sort_by(|&a, &b| y[b].total_cmp(&y[a]));
            for k in by_size {
                if set.len() >= 20 {
                    break;
                }
                set.insert(k);
            }
            set.into_iter().collect()
        }
    };
    let labels: Vec<String> = chosen.iter().map(|&k| p.countries[k].clone()).collect();
    let values: Vec<Vec<Option<f64>>> = chosen
        .iter()
        .map(|&i| {
            chosen
                .iter()
                .map(|&j| {
                    let (b, f) = (cf.baseline.flows.get(i, j), cf.full.flows.get(i, j));
                    (b > 0.0).then(|| (f / b - 1.0) * 100.0)
                })
                .collect()
        })
        .collect();
    Section {
        id: "bilateral".into(),
        title: "Bilateral flows".into(),
        blocks: vec![
            Block::Chart(Chart {
                id: "chart-bilateral".into(),
                title: "Change of bilateral flows, full GE (%): exporters in rows, importers in columns".into(),
                unit: Unit::Percent,
                empty_reason: None,
                plot: Plot::HeatMap {
                    x_labels: labels.clone(),
                    y_labels: labels,
                    values,
                },
            }),
            Block::Note(Note::text(
                "Every pair's levels in the three scenarios are in the JSON output of `entrepot scenario run --format json` (tables \"markets\" and \"suppliers\" for the focus pair).".to_string(),
            )),
        ],
    }
}

fn method_section(spec: &ScenarioSpec, out: &ScenarioOutput) -> Section {
    let p = &out.prepared;
    let cf = &out.result;
    let mut blocks = Vec::new();
    let mut checks = vec![Check {
        status: if cf.full.adding_up_gap() < 1e-6 {
            CheckStatus::Ok
        } else {
            CheckStatus::Warning
        },
        subject: "market clearing".into(),
        detail: format!(
            "largest relative gap between the full-GE flows' totals and output or expenditure: {:.1e}; {} outer iterations",
            cf.full.adding_up_gap(),
            cf.iterations
        ),
        items: Vec::new(),
    }];
    if let Some(g) = out.solver_gap {
        checks.push(Check {
            status: if g < 1e-6 {
                CheckStatus::Ok
            } else {
                CheckStatus::Conflict
            },
            subject: "two solvers".into(),
            detail: format!(
                "exact hat algebra and GEPPML agree to {g:.1e} (largest relative gap over flows, producer prices and welfare)"
            ),
            items: Vec::new(),
        });
    }
    blocks.push(Block::Checks { checks });
    let mut notes = vec![
        "Tariffs are modelled as ad-valorem trade costs: τ̂ = (1 + t1)/(1 + t0) and the trade-cost term t = τ^(−θ) changes by τ̂^(−θ); tariff revenue is not rebated (as in Yotov et al. 2016 and ge_gravity). An agreement switched on or off changes t by exp(b·Δdummy) with b its gravity coefficient.".to_string(),
        "Welfare is real expenditure E/P and real GDP is Y/P, P the inward multilateral resistance (the consumer price index); both are equal under balanced trade. Exports and imports are international (domestic sales left out).".to_string(),
    ];
    if p.absent_pairs > 0 {
        notes.push(format!(
            "{} exporter–importer pairs are absent from the data in {}: taken as zero flows, which stay zero in the calibrated baseline.",
            p.absent_pairs, p.year
        ));
    }
    match (&out.intervals, &out.intervals_missing) {
        (Some(i), _) => notes.push(format!(
            "Intervals: θ drawn {} times from N({:.4}, {:.4}²) truncated to θ > 0 (seed {}; {} normal draws at or below zero redrawn; {} draws failed to solve and were left out), each solved by exact hat algebra; the {:.0}% intervals are the {:.1}th and {:.1}th percentiles (type 7). Only the elasticity is resampled.",
            i.draws + i.failed,
            p.theta.theta,
            i.se,
            i.seed,
            i.redrawn,
            i.failed,
            i.level * 100.0,
            (1.0 - i.level) / 2.0 * 100.0,
            (1.0 - (1.0 - i.level) / 2.0) * 100.0
        )),
        (None, Some(why)) => notes.push(format!("No intervals: {why}.")),
        _ => {}
    }
    if let Some(est) = &p.estimate {
        notes.push(format!(
            "Estimate: {} ({} observations); coefficients {}.",
            est.spec.formula(),
            est.nobs,
            est.names
                .iter()
                .zip(&est.coef)
                .zip(&est.se)
                .map(|((n, b), s)| format!("{n} {b:.4} ({s:.4})"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if spec.data.currency.is_none() {
        notes.push("The currency of the values was not given ([data] currency): amounts are in the data's units.".into());
    }
    blocks.extend(Block::notes(notes));
    Section {
        id: "method".into(),
        title: "Method and checks".into(),
        blocks,
    }
}
