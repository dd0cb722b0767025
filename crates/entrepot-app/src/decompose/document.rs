//! The report document of a growth decomposition: headline figures, the table, check
//! and chart of the shift-share effects, the contribution tables and charts, the
//! method and the data basis.

use super::{
    flow_word, money_unit, By, DataBasis, DecomposeOutput, DecomposeRequest, UnitContributions,
    DOCUMENT_KIND,
};
use entrepot_doc::Currency;
use entrepot_doc::{
    format, Bar, Basis, Block, Cell, Chart, Check, CheckStatus, Citations, Column, Document,
    FigureItem, Note, Plot, Provenance, Row, Section, SourceId, Table, Unit,
};
use entrepot_indices::cms::Cms;
use entrepot_indices::contributions::{contributions, Contribution};
use entrepot_indices::Index;

/// The multiple of the money unit (1e9 for billions).
fn scale() -> f64 {
    match money_unit(Currency::USD) {
        Unit::Money { scale, .. } => scale.factor(),
        _ => 1.0,
    }
}

/// A money cell from a value in currency units.
fn money(cur: Currency, value: f64, signed: bool) -> Cell {
    Cell::Number {
        value: value / scale(),
        unit: money_unit(cur),
        decimals: 2,
        signed,
    }
}

/// A money amount in text (`2,049.0bn`, `+512.3m`).
fn money_text(cur: Currency, value: f64, signed: bool) -> String {
    let unit = money_unit(cur);
    format::quantity(value / scale(), &unit, 1, signed, false, unit.currency())
}

/// A signed percentage or percentage-point cell, or the reason it is absent.
fn rate(v: Index<f64>, unit: Unit) -> Cell {
    match v {
        Ok(v) if v.is_finite() => Cell::Number {
            value: v,
            decimals: if unit == Unit::PercentagePoints { 2 } else { 1 },
            unit,
            signed: true,
        },
        Ok(_) => Cell::missing("not finite"),
        Err(a) => Cell::missing(a.reason()),
    }
}

/// The method of the shift-share effects, as the document states it.
fn cms_method(reporter: &str) -> String {
    format!("constant-market-share decomposition of {reporter}'s change in exports (entrepot-indices cms, Leamer and Stern 1970, base-period weights, products before markets) against the other exporters of the dataset")
}

/// Builds the document of a decomposition.
pub(super) fn document(
    out: &DecomposeOutput,
    req: &DecomposeRequest,
    basis: &DataBasis,
) -> Document {
    let cur = out.currency;
    let r = out.reporter.as_str();
    let flow = flow_word(req.flow);
    let (p0, p1) = (out.from.label.as_str(), out.to.label.as_str());
    let mut doc = Document::new(
        DOCUMENT_KIND,
        format!("Growth decomposition of {r}'s {flow}, {p0} to {p1}"),
    );
    doc.currency = money_unit(cur).currency();
    let mut cite = Citations::new();
    let data = vec![format!("flows:{}", out.dataset)];
    let computed = |method: String| Provenance::Computed {
        basis: Basis::Flows,
        method,
        inputs: data.clone(),
    };
    let totals = out
        .partners
        .as_ref()
        .or(out.products.as_ref())
        .map(|u| &u.contributions);
    let (x0, x1) = totals.map_or((0.0, 0.0), |c| (c.base, c.end));
    let growth = totals.map_or(Err(entrepot_indices::Absent::NoUnits), |c| c.growth_pct);

    // Headline figures.
    let total_method = computed(format!(
        "{r}'s {flow} summed over partners and products, each period (mirror-filled where {r} reports none)"
    ));
    let growth_method = computed(format!("growth of {r}'s {flow}: 100 · (X¹ / X⁰ − 1)"));
    let mut items = vec![
        FigureItem {
            label: format!("{} {p0}", capitalise(flow)),
            value: Cell::figure(cite.figure(x0 / scale(), money_unit(cur), 2, &total_method)),
            note: None,
        },
        FigureItem {
            label: format!("{} {p1}", capitalise(flow)),
            value: Cell::figure(cite.figure(x1 / scale(), money_unit(cur), 2, &total_method)),
            note: None,
        },
        FigureItem {
            label: "Change".into(),
            value: Cell::figure(
                cite.figure((x1 - x0) / scale(), money_unit(cur), 2, &total_method)
                    .as_change(),
            ),
            note: None,
        },
        FigureItem {
            label: "Growth".into(),
            value: match growth {
                Ok(g) => Cell::figure(cite.figure(g, Unit::Percent, 1, &growth_method).as_change()),
                Err(a) => Cell::missing(a.reason()),
            },
            note: None,
        },
    ];
    let cms_provenance = computed(cms_method(r));
    if req.flow == entrepot_core::FlowKind::Export {
        items.push(FigureItem {
            label: "Growth of the other exporters' exports".into(),
            value: match &out.cms {
                Ok(d) => Cell::figure(
                    cite.figure(100.0 * d.reference_growth, Unit::Percent, 1, &cms_provenance)
                        .as_change(),
                ),
                Err(reason) => Cell::missing(reason.clone()),
            },
            note: Some(
                "the world-demand reference: the other exporters of the dataset with exports in both periods"
                    .into(),
            ),
        });
    }
    let mut lead = format!(
        "{r}'s {flow} went from {} in {p0} to {} in {p1}",
        money_text(cur, x0, false),
        money_text(cur, x1, false)
    );
    if let Ok(g) = growth {
        lead.push_str(&format!(" ({}%)", format::signed(g, 1)));
    }
    lead.push('.');
    if let Ok(d) = &out.cms {
        let pp = |v: f64| format!("{}pp", format::signed(100.0 * v / d.base, 1));
        if d.base > 0.0 {
            let mut parts = vec![format!("world demand {}", pp(d.world_demand))];
            if out.by != By::Partners {
                parts.push(format!("product mix {}", pp(d.product_mix)));
            }
            if out.by != By::Products {
                parts.push(format!("market mix {}", pp(d.market_mix)));
            }
            parts.push(format!("competitiveness {}", pp(d.competitiveness)));
            lead.push_str(&format!(" In points of growth: {}.", parts.join(", ")));
        }
    }
    doc.lead.push(lead);
    doc.sections.push(Section {
        id: "headline".into(),
        title: "Headline".into(),
        blocks: vec![Block::Figures { items }],
    });

    // The shift-share effects: for exports, a table (its cells missing with the reason
    // when there is no reference group); for imports, why there is none.
    let blocks = match (&out.cms, req.flow) {
        (Err(reason), entrepot_core::FlowKind::Import) => {
            Block::notes(vec![format!("{}.", capitalise(reason))])
        }
        _ => effects_blocks(out, req, basis, cite.cite(&cms_provenance).0),
    };
    doc.sections.push(Section {
        id: "effects".into(),
        title: "Constant-market-share decomposition".into(),
        blocks,
    });

    // Contributions.
    let contrib_method = computed(format!(
        "contributions to the growth of {r}'s {flow}: 100 · (x¹_j − x⁰_j) / X⁰ per unit; growth without a unit; the others' net change as a share of a unit's loss (entrepot-indices contributions)"
    ));
    let contrib_id = cite.cite(&contrib_method).0;
    for (units, id, noun, plural) in [
        (&out.partners, "partners", "Partner", "partners"),
        (&out.products, "products", "Product", "products"),
    ] {
        if let Some(u) = units {
            doc.sections.push(Section {
                id: id.into(),
                title: format!("Contributions to growth by {}", noun.to_lowercase()),
                blocks: contribution_blocks(u, id, noun, plural, p0, p1, req.top, contrib_id, cur),
            });
        }
    }
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(method_notes(out, req)),
    });
    doc.sections.push(Section {
        id: "data".into(),
        title: "Data basis".into(),
        blocks: Block::notes(data_notes(out, req, basis)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

/// Why an effect is not separated at the grain of the decomposition, if it is not.
fn not_separated(by: By, product_effect: bool, basis: &DataBasis, level: u8) -> Option<String> {
    match (by, product_effect) {
        (By::Partners, true) if basis.by_auto => Some(format!(
            "not separated: the dataset holds no HS{level} product detail (decomposition by partners)"
        )),
        (By::Partners, true) => Some("not separated: decomposition by partners (--by partners)".into()),
        (By::Products, false) => Some("not separated: decomposition by products (--by products)".into()),
        _ => None,
    }
}

fn effects_blocks(
    out: &DecomposeOutput,
    req: &DecomposeRequest,
    basis: &DataBasis,
    source: SourceId,
) -> Vec<Block> {
    let cur = out.currency;
    // label, definition, whether it is the product (true) or market (false) effect,
    // the value
    type Effect = (&'static str, &'static str, Option<bool>, fn(&Cms) -> f64);
    let effects: [Effect; 4] = [
        ("World demand", "g · X⁰", None, |d| d.world_demand),
        ("Product mix", "Σ_i (g_i − g) X⁰_i", Some(true), |d| {
            d.product_mix
        }),
        (
            "Market mix",
            "Σ_ij (g_ij − g_i) X⁰_ij",
            Some(false),
            |d| d.market_mix,
        ),
        (
            "Competitiveness",
            "Σ_ij (X¹_ij − (1 + g_ij) X⁰_ij)",
            None,
            |d| d.competitiveness,
        ),
    ];
    let pct = |v: f64, d: &Cms| -> Cell {
        if d.base > 0.0 {
            rate(Ok(100.0 * v / d.base), Unit::PercentagePoints)
        } else {
            Cell::missing(entrepot_indices::Absent::ZeroBase.reason())
        }
    };
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for (label, formula, product_effect, value) in effects {
        let absent = product_effect.and_then(|p| not_separated(out.by, p, basis, req.hs_level));
        let (v, p) = match (&out.cms, absent) {
            (_, Some(reason)) => (Cell::missing(reason.clone()), Cell::missing(reason)),
            (Err(reason), None) => (Cell::missing(reason.clone()), Cell::missing(reason.clone())),
            (Ok(d), None) => {
                bars.push(Bar {
                    label: label.into(),
                    value: value(d) / scale(),
                    total: false,
                });
                (money(cur, value(d), true), pct(value(d), d))
            }
        };
        rows.push(Row::new(vec![Cell::text(label), v, p, Cell::text(formula)]));
    }
    let change_row = match &out.cms {
        Ok(d) => vec![
            Cell::text("Change"),
            money(cur, d.change, true),
            pct(d.change, d),
            Cell::text("X¹ − X⁰"),
        ],
        Err(reason) => vec![
            Cell::text("Change"),
            Cell::missing(reason.clone()),
            Cell::missing(reason.clone()),
            Cell::text("X¹ − X⁰"),
        ],
    };
    let mut footer = Row::new(change_row);
    footer.emphasis = true;
    let unit_label = money_unit(cur).label();
    let table = Table {
        id: "decompose-effects".into(),
        title: format!(
            "Constant-market-share effects on {}'s exports, {} to {}",
            out.reporter, out.from.label, out.to.label
        ),
        source: Some(source),
        columns: vec![
            Column::new("effect", "Effect"),
            Column::new("value", format!("Value ({unit_label})")),
            Column::new("pct_of_base", "Points of growth (pp)"),
            Column::new("definition", "Definition"),
        ],
        rows,
        footer: vec![footer],
    };
    let check = match &out.cms {
        Ok(d) => {
            let diff = d.sum_of_effects() - d.change;
            let tol = 1e-9 * d.base.max(d.end).max(1.0);
            Check {
                status: if diff.abs() <= tol { CheckStatus::Ok } else { CheckStatus::Conflict },
                subject: "the effects add up to the change".into(),
                detail: format!(
                    "world demand + product mix + market mix + competitiveness = {}; change X¹ − X⁰ = {}; difference {diff:.3e} {} (rounding)",
                    money_text(cur, d.sum_of_effects(), true),
                    money_text(cur, d.change, true),
                    money_unit(cur).currency().map(|c| c.to_string()).unwrap_or_default()
                ),
                items: Vec::new(),
            }
        }
        Err(reason) => Check {
            status: CheckStatus::NotCheckable,
            subject: "the effects add up to the change".into(),
            detail: reason.clone(),
            items: Vec::new(),
        },
    };
    if let Ok(d) = &out.cms {
        bars.push(Bar {
            label: "Change".into(),
            value: d.change / scale(),
            total: true,
        });
    }
    let chart = Chart {
        id: "chart-effects".into(),
        title: format!("Effects on the change in exports ({unit_label})"),
        unit: money_unit(cur),
        empty_reason: out.cms.as_ref().err().cloned(),
        plot: Plot::Bars { bars },
    };
    vec![
        Block::Table(table),
        Block::Checks {
            checks: vec![check],
        },
        Block::Chart(chart),
    ]
}

/// The contribution table and chart of one dimension: the `top` units with the largest
/// changes (by name), sorted by contribution, the rest summed in one row, the total.
#[allow(clippy::too_many_arguments)]
fn contribution_blocks(
    u: &UnitContributions,
    id: &str,
    noun: &str,
    plural: &str,
    p0: &str,
    p1: &str,
    top: usize,
    source: SourceId,
    cur: Currency,
) -> Vec<Block> {
    let c = &u.contributions;
    let mut order: Vec<usize> = (0..c.units.len()).collect();
    order.sort_by(|a, b| {
        c.units[*b]
            .change
            .abs()
            .total_cmp(&c.units[*a].change.abs())
            .then(u.codes[*a].cmp(&u.codes[*b]))
    });
    let (shown, rest) = order.split_at(top.min(order.len()));
    let mut shown = shown.to_vec();
    shown.sort_by(|a, b| {
        c.units[*b]
            .change
            .total_cmp(&c.units[*a].change)
            .then(u.codes[*a].cmp(&u.codes[*b]))
    });
    // The rest as one unit: the kernel again over the shown units and the rest.
    let rest_unit: Option<Contribution> = (!rest.is_empty())
        .then(|| {
            let mut base: Vec<f64> = shown.iter().map(|i| c.units[*i].base).collect();
            let mut end: Vec<f64> = shown.iter().map(|i| c.units[*i].end).collect();
            base.push(rest.iter().map(|i| c.units[*i].base).sum());
            end.push(rest.iter().map(|i| c.units[*i].end).sum());
            contributions(&base, &end).ok()?.ok()?.units.pop()
        })
        .flatten();
    let row = |code: &str, name: &str, x: &Contribution| {
        Row::new(vec![
            Cell::text(code),
            Cell::text(name),
            money(cur, x.base, false),
            money(cur, x.end, false),
            money(cur, x.change, true),
            rate(x.growth_pct, Unit::Percent),
            rate(x.contribution_pp, Unit::PercentagePoints),
            rate(x.growth_without_pct, Unit::Percent),
            rate(x.offset_pct, Unit::Percent),
        ])
    };
    let mut rows: Vec<Row> = shown
        .iter()
        .map(|i| row(&u.codes[*i], &u.names[*i], &c.units[*i]))
        .collect();
    if let Some(x) = &rest_unit {
        let mut r = row(
            &format!("Others ({})", rest.len()),
            &format!("other {plural}"),
            x,
        );
        r.indent = 1;
        rows.push(r);
    }
    let mut total = Row::new(vec![
        Cell::text("Total"),
        Cell::text(""),
        money(cur, c.base, false),
        money(cur, c.end, false),
        money(cur, c.change, true),
        rate(c.growth_pct, Unit::Percent),
        rate(c.growth_pct, Unit::PercentagePoints),
        Cell::text(""),
        Cell::text(""),
    ]);
    total.emphasis = true;
    let unit_label = money_unit(cur).label();
    let table = Table {
        id: format!("decompose-{id}"),
        title: format!(
            "Contributions to growth by {}, {p0} to {p1}",
            noun.to_lowercase()
        ),
        source: Some(source),
        columns: vec![
            Column::new("code", noun),
            Column {
                detail: true,
                ..Column::new("name", "Name")
            },
            Column::new("base", p0),
            Column::new("end", p1),
            Column::new("change", "Change"),
            Column::new("growth_pct", "Growth"),
            Column::new("contribution_pp", "Contribution"),
            Column::new("growth_without_pct", "Growth without"),
            Column::new("offset_pct", "Loss made up"),
        ],
        rows,
        footer: vec![total],
    };
    let mut bars: Vec<Bar> = shown
        .iter()
        .filter_map(|i| {
            c.units[*i].contribution_pp.ok().map(|v| Bar {
                label: u.codes[*i].clone(),
                value: v,
                total: false,
            })
        })
        .collect();
    if let Some(v) = rest_unit.and_then(|x| x.contribution_pp.ok()) {
        bars.push(Bar {
            label: format!("Other {plural}"),
            value: v,
            total: false,
        });
    }
    if let Ok(g) = c.growth_pct {
        bars.push(Bar {
            label: "Total".into(),
            value: g,
            total: true,
        });
    }
    let chart = Chart {
        id: format!("chart-{id}"),
        title: format!("Contributions to growth by {} (pp)", noun.to_lowercase()),
        unit: Unit::PercentagePoints,
        empty_reason: c.growth_pct.err().map(|a| a.reason().to_string()),
        plot: Plot::Bars { bars },
    };
    let legend = format!(
        "Values in {unit_label}. Contribution: the {noun_l}'s change in percentage points of the total's {p0} value (the contributions add up to the total's growth). Growth without: the growth of the other {plural} together. Loss made up: for a {noun_l} whose value fell, the other {plural}' net change as a percentage of the loss (100%: all of it).",
        noun_l = noun.to_lowercase()
    );
    vec![
        Block::Table(table),
        Block::Note(Note::text(legend)),
        Block::Chart(chart),
    ]
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn method_notes(out: &DecomposeOutput, req: &DecomposeRequest) -> Vec<String> {
    let r = &out.reporter;
    let grain = match out.by {
        By::Both => format!(
            "product × market cells (HS{} products, partner markets)",
            req.hs_level
        ),
        By::Partners => "markets (partners), products summed".into(),
        By::Products => format!("HS{} products, markets summed", req.hs_level),
    };
    vec![
        format!("Constant-market-share (shift-share) decomposition in the three-level form of Leamer and Stern (1970, Quantitative International Economics, ch. 7), with base-period weights and products taken before markets, as in ECB (2005, Occasional Paper 30), over {grain}. X are {r}'s exports, W those of the reference group; 0 is {} and 1 is {}; g = W¹/W⁰ − 1, g_i = W¹_i/W⁰_i − 1 (product i, all markets), g_ij = W¹_ij/W⁰_ij − 1.", out.from.label, out.to.label),
        "X¹ − X⁰ = g·X⁰ (world demand: the change had the exporter kept its share of the reference group's total) + Σ_i (g_i − g)·X⁰_i (product mix: base exports in products whose demand grew faster or slower than the total) + Σ_ij (g_ij − g_i)·X⁰_ij (market mix: product by product, base exports to markets whose demand grew faster or slower) + Σ_ij (X¹_ij − (1 + g_ij)·X⁰_ij) (competitiveness: the change beyond keeping every cell's base share). The terms telescope, so the four effects add up to the change exactly; each is computed from its own definition and the check above compares their sum with the change.".into(),
        format!("Reference group: the exporters of the dataset other than {r} (world excluding {r}) that have exports in both periods, their reported exports to every market other than {r}, each one's trade with itself left out. On an extract of a few exporters, 'world' means those exporters. A dataset that holds no other exporter has no reference: the effects are then absent, not zero."),
        "Conventions: a cell the exporter did not sell in the base period carries no base weight, so all of a new market or product is competitiveness; a cell (product) where the reference group had no base-period exports has no growth rate of its own and takes its product's (the total's) growth, so its change is competitiveness. The split between product and market mix depends on the order products-then-markets (Richardson 1971, Journal of International Economics 1(2)); their sum does not. The share-based variant of Fagerberg and Sollie (1987, Applied Economics 19(12)) is not computed.".into(),
        "Contributions to growth: contribution of unit j = 100·(x¹_j − x⁰_j)/X⁰ percentage points, adding up to the total's growth 100·(X¹/X⁰ − 1); growth without j = 100·((X¹ − x¹_j)/(X⁰ − x⁰_j) − 1); for a unit that lost (x¹_j < x⁰_j), the loss made up by others = 100·Δ_rest/|x¹_j − x⁰_j|, Δ_rest the net change of all other units (100%: all of it, above 100%: the total still grew, negative: the others fell too).".into(),
    ]
}

fn data_notes(out: &DecomposeOutput, req: &DecomposeRequest, basis: &DataBasis) -> Vec<String> {
    let cur = out.currency;
    let r = &out.reporter;
    let mut notes = vec![format!(
        "Flows dataset '{}': {} cells of {r}'s {} in {} and {} ({}), summed from {} stored rows; trade of {r} with itself and world rows (WLD) are not partners.",
        out.dataset,
        basis.cells,
        flow_word(req.flow),
        out.from.label,
        out.to.label,
        match out.by {
            By::Both => format!("by partner and HS{} product", req.hs_level),
            By::Partners => "by partner".into(),
            By::Products => format!("by HS{} product", req.hs_level),
        },
        basis.rows
    )];
    if basis.by_auto && out.by == By::Partners {
        notes.push(format!("The dataset holds no HS{} product detail of {r}: the decomposition is by partners only (product and market effects cannot be told apart).", req.hs_level));
    }
    if basis.mirror_cells > 0 {
        notes.push(format!("{} of the {} cells are mirror figures: the partners' reports, where {r} reports none (valued as the partners declared them).", basis.mirror_cells, basis.cells));
    } else {
        notes.push(format!("No mirror cells: every value is {r}'s own report."));
    }
    if req.flow == entrepot_core::FlowKind::Export && basis.exporters != [0, 0] {
        notes.push(format!(
            "Reference group: the {} other exporters with exports in both periods ({} have exports in {}, {} in {}; those with exports in only one period are left out, so that a change in who reports is not read as a change in demand).",
            basis.reference_exporters, basis.exporters[0], out.from.label, basis.exporters[1], out.to.label
        ));
    }
    if basis.self_trade.iter().any(|v| *v != 0.0) {
        notes.push(format!(
            "Trade of the other exporters with themselves ({} in {}, {} in {}) is not exports and is left out of the reference.",
            money_text(cur, basis.self_trade[0], false),
            out.from.label,
            money_text(cur, basis.self_trade[1], false),
            out.to.label
        ));
    }
    if let Ok(d) = &out.cms {
        for (what, i) in [("cells", d.imputed_cells), ("products", d.imputed_products)] {
            if i.count > 0 {
                notes.push(format!(
                    "{} {what} where {r} exported in {} but the reference group did not ({} of {r}'s base): their growth is taken from the level above, so their change is competitiveness.",
                    i.count,
                    out.from.label,
                    money_text(cur, i.own_base, false)
                ));
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::super::periods::window;
    use super::*;
    use entrepot_indices::cms::{cms, CmsCell};

    fn output(cms: Result<Cms, String>, by: By) -> DecomposeOutput {
        let c = contributions(&[300e9, 50e9], &[290e9, 70e9])
            .unwrap()
            .unwrap();
        let units = UnitContributions {
            codes: vec!["USA".into(), "GBR".into()],
            names: vec!["United States".into(), "United Kingdom".into()],
            contributions: c,
        };
        DecomposeOutput {
            reporter: "ZAF".into(),
            dataset: "d".into(),
            from: window("--from", "2019").unwrap(),
            to: window("--to", "2020").unwrap(),
            by,
            cms,
            partners: Some(units),
            products: None,
            currency: Currency::USD,
            document: Document::new(DOCUMENT_KIND, ""),
        }
    }

    fn table<'a>(d: &'a Document, id: &str) -> &'a Table {
        d.tables().find(|t| t.id == id).expect(id)
    }

    fn number(c: &Cell) -> f64 {
        match c {
            Cell::Number { value, .. } => *value,
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn the_effects_table_holds_each_effect_in_money_and_points_and_they_add_up() {
        let d = cms(&[
            CmsCell {
                product: 0,
                own_base: 300e9,
                own_end: 290e9,
                reference_base: 1000e9,
                reference_end: 1500e9,
            },
            CmsCell {
                product: 0,
                own_base: 50e9,
                own_end: 70e9,
                reference_base: 500e9,
                reference_end: 500e9,
            },
        ])
        .unwrap()
        .unwrap();
        let req = DecomposeRequest::default();
        let doc = document(&output(Ok(d), By::Partners), &req, &DataBasis::default());
        doc.validate().expect("consistent");
        let t = table(&doc, "decompose-effects");
        let values: Vec<f64> = t
            .rows
            .iter()
            .filter_map(|r| match &r.cells[1] {
                Cell::Number { value, .. } => Some(*value),
                _ => None,
            })
            .collect();
        assert_eq!(values.len(), 3, "product mix is not separated by partners");
        assert!(
            matches!(&t.rows[1].cells[1], Cell::Missing { reason } if reason.contains("--by partners"))
        );
        let change = number(&t.footer[0].cells[1]);
        assert!((values.iter().sum::<f64>() - change).abs() < 1e-12);
        assert!((change - 10.0).abs() < 1e-12, "USD bn");
        // world demand: g = 1/3 on a base of 350bn
        assert!((number(&t.rows[0].cells[1]) - 350.0 / 3.0).abs() < 1e-9);
        assert!(
            (number(&t.rows[0].cells[2]) - 100.0 / 3.0).abs() < 1e-9,
            "pp"
        );
        let p = table(&doc, "decompose-partners");
        assert_eq!(p.rows.len(), 2);
        // sorted by contribution: GBR (+20bn) first
        assert_eq!(p.rows[0].cells[0], Cell::text("GBR"));
        assert!(
            (number(&p.rows[1].cells[8]) - 200.0).abs() < 1e-9,
            "USA's loss made up twice"
        );
    }

    #[test]
    fn absent_effects_are_missing_with_their_reason_and_not_checkable() {
        let why = "the dataset holds no exporter other than ZAF".to_string();
        let req = DecomposeRequest::default();
        let doc = document(
            &output(Err(why.clone()), By::Partners),
            &req,
            &DataBasis::default(),
        );
        doc.validate().expect("consistent");
        let t = table(&doc, "decompose-effects");
        assert!(matches!(&t.rows[0].cells[1], Cell::Missing { reason } if *reason == why));
        let checks: Vec<&Check> = doc
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .filter_map(|b| match b {
                Block::Checks { checks } => Some(checks),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(checks[0].status, CheckStatus::NotCheckable);
        // the contributions are still there
        assert_eq!(table(&doc, "decompose-partners").rows.len(), 2);
        let text = format!("{doc:?}");
        assert!(text.contains("Leamer and Stern"));
    }

    #[test]
    fn the_top_n_units_are_named_and_the_rest_summed_in_one_row() {
        let c = contributions(&[5.0, 4.0, 3.0, 2.0, 1.0], &[1.0, 4.0, 3.5, 2.0, 3.0])
            .unwrap()
            .unwrap();
        let u = UnitContributions {
            codes: ["A", "B", "C", "D", "E"].map(String::from).to_vec(),
            names: vec![String::new(); 5],
            contributions: c,
        };
        let blocks = contribution_blocks(
            &u,
            "partners",
            "Partner",
            "partners",
            "2019",
            "2020",
            2,
            Citations::new().method(Basis::Flows, "m", &[]),
            Currency::USD,
        );
        let Block::Table(t) = &blocks[0] else {
            panic!()
        };
        // the two largest changes (A −4, E +2), sorted by contribution, then the rest
        let codes: Vec<&Cell> = t.rows.iter().map(|r| &r.cells[0]).collect();
        assert_eq!(
            codes,
            [
                &Cell::text("E"),
                &Cell::text("A"),
                &Cell::text("Others (3)")
            ]
        );
        // the rest: 9 → 9.5, +0.5 of a base of 15
        assert!((number(&t.rows[2].cells[6]) - 100.0 * 0.5 / 15.0).abs() < 1e-12);
        let sum: f64 = t.rows.iter().map(|r| number(&r.cells[6])).sum();
        assert!(
            (sum - number(&t.footer[0].cells[6])).abs() < 1e-12,
            "contributions add up"
        );
    }
}
