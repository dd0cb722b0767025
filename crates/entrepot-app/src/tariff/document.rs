//! The report of a tariff scenario: the summary (imports affected, trade creation,
//! diversion, price, tariff revenue, consumer surplus, welfare), the products, the
//! suppliers, the baskets, a chart of the change by supplier, the products that took
//! the fallback elasticity, the markets left out, and the method. Nothing is computed
//! here beyond arranging the solved numbers.

use super::{Basis, Imports, TariffOutput, TariffRequest};
use crate::pair::{money_cell, money_decimals, percent_text};
use entrepot_doc::{
    Bar, Basis as DataBasis, Block, Cell, Chart, Citations, Column, Currency, Document, Plot, Row,
    Section, SourceId, Table, Unit,
};
use entrepot_pe::NotSignificantPolicy;

/// Bars of the chart of the change by supplier.
const CHART_BARS: usize = 15;

/// Builds the report of a solved scenario.
pub(crate) fn document(
    out: &TariffOutput,
    req: &TariffRequest,
    basis: &Basis,
    currency: Currency,
) -> Document {
    let (imp, exp) = (&basis.importer_label, &basis.exporter_label);
    let (t0, t1) = out.tariffs;
    let y = out.year;
    let mut doc = Document::new(
        super::DOCUMENT_KIND,
        format!(
            "Tariff scenario: {imp} {} {} points on imports from {exp}, {y} (partial equilibrium, SMART)",
            if req.points < 0.0 { "cuts by" } else { "raises by" },
            entrepot_doc::format::number(req.points.abs(), points_decimals(req.points)),
        ),
    );
    doc.currency = Some(currency);
    let mut cite = Citations::new();
    let inputs = {
        let mut v = vec![format!("flows:{}", out.dataset)];
        if let Some((path, _)) = &basis.table {
            v.push(format!("elasticities:{path}"));
        }
        v
    };
    let method = cite.method(
        DataBasis::Flows,
        "SMART partial equilibrium per (importer, HS6 product): trade creation ε_m·M_s·Δt_s/(1+t0_s); CES diversion among suppliers at σ; price index Σ(M_s/M)Δt_s/(1+t0_s); revenue Σt·M; consumer surplus −Δt(M_s+TC_s/2) (Laird and Yeats 1986; Jammes and Olarreaga 2005)",
        &inputs,
    );
    let amount = |v: f64, signed: bool| {
        let b = v / 1e9;
        entrepot_doc::format::quantity(
            b,
            &crate::money::billions(currency),
            money_decimals(b),
            signed,
            false,
            Some(currency),
        )
    };
    doc.lead.push(lead(out, basis, &amount));
    if let Some(false) = basis.covers_world {
        doc.lead.push(format!(
            "The dataset does not cover world trade in {y}: {imp}'s imports are read from the reports of its partners, and only the partners that report are suppliers here, so trade is diverted among them only."
        ));
    }
    if !out.skipped.is_empty() {
        doc.lead.push(format!(
            "{} market(s) left out of every total: see the table of markets left out.",
            out.skipped.len()
        ));
    }
    let mut blocks = vec![Block::Table(summary(out, basis, method))];
    blocks.push(Block::Table(products(out, req, basis, method)));
    if !out.baskets.is_empty() {
        blocks.push(Block::Table(baskets(out, basis, method)));
    }
    blocks.push(Block::Table(suppliers(out, req, basis, method)));
    blocks.push(Block::Chart(chart(out)));
    doc.sections.push(Section {
        id: "effects".into(),
        title: format!(
            "Effects of {t0_pct} → {t1_pct} on imports from {exp}",
            t0_pct = percent_text(t0 * 100.0),
            t1_pct = percent_text(t1 * 100.0)
        ),
        blocks,
    });
    let mut coverage = Vec::new();
    if let Some(t) = fallbacks(out, req) {
        coverage.push(Block::Table(t));
    }
    if !out.skipped.is_empty() {
        coverage.push(Block::Table(skipped(out)));
    }
    if !coverage.is_empty() {
        doc.sections.push(Section {
            id: "coverage".into(),
            title: "Fallbacks and markets left out".into(),
            blocks: coverage,
        });
    }
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(notes(out, req, basis)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

/// The paragraph under the title.
fn lead(out: &TariffOutput, basis: &Basis, amount: &dyn Fn(f64, bool) -> String) -> String {
    let (imp, exp) = (&basis.importer_label, &basis.exporter_label);
    let (t, o) = (&out.targeted, &out.others);
    let n = out.products.len();
    let pct = |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), signed_percent);
    let mut s = format!(
        "On {} ({n} HS6 product{} with imports in {}), {imp}'s imports from {exp} of {} would change by {} ({}): trade creation {} and diversion {}.",
        basis.products,
        if n == 1 { "" } else { "s" },
        out.year,
        amount(t.baseline, false),
        amount(t.change(), true),
        pct(t.change_pct()),
        amount(t.creation, true),
        amount(t.diversion, true),
    );
    s.push_str(&format!(
        " Other suppliers' sales to {imp} change by {} and total imports by {} ({}).",
        amount(o.change(), true),
        amount(out.total.total_change, true),
        pct((out.total.baseline > 0.0)
            .then(|| out.total.total_change / out.total.baseline * 100.0)),
    ));
    s.push_str(&format!(
        " Tariff revenue goes from {} to {}; consumer surplus changes by {} and welfare (consumer surplus plus revenue) by {}.",
        amount(out.total.tariff_revenue_before, false),
        amount(out.total.tariff_revenue_after, false),
        amount(out.total.consumer_surplus_change, true),
        amount(out.total.welfare_change, true),
    ));
    s
}

fn signed_percent(v: f64) -> String {
    let t = percent_text(v.abs());
    if v < 0.0 {
        format!("-{t}")
    } else {
        format!("+{t}")
    }
}

/// Decimals of a number of points: none for whole numbers, else two.
fn points_decimals(p: f64) -> u8 {
    if p.fract() == 0.0 {
        0
    } else {
        2
    }
}

fn percent(v: Option<f64>, signed: bool, why: &str) -> Cell {
    match v {
        Some(v) if v.is_finite() => Cell::Number {
            value: v,
            unit: Unit::Percent,
            decimals: 2,
            signed,
        },
        _ => Cell::missing(why),
    }
}

fn number(v: f64, decimals: u8) -> Cell {
    Cell::Number {
        value: v,
        unit: Unit::Number,
        decimals,
        signed: false,
    }
}

fn count(n: usize) -> Cell {
    Cell::Number {
        value: n as f64,
        unit: Unit::Count,
        decimals: 0,
        signed: false,
    }
}

/// The summary table: one row per measure.
fn summary(out: &TariffOutput, basis: &Basis, method: SourceId) -> Table {
    let (imp, exp) = (&basis.importer_label, &basis.exporter_label);
    let (t, o, m) = (&out.targeted, &out.others, &out.total);
    let total_pct = (m.baseline > 0.0).then(|| m.total_change / m.baseline * 100.0);
    let rows: Vec<(&str, String, Cell)> = vec![
        (
            "imports_targeted",
            format!("Imports of {imp} from {exp} (baseline)"),
            money_cell(t.baseline, false),
        ),
        (
            "imports_others",
            format!("Imports of {imp} from other suppliers (baseline)"),
            money_cell(o.baseline, false),
        ),
        (
            "trade_creation",
            "Trade creation (change of total imports)".into(),
            money_cell(m.trade_creation, true),
        ),
        (
            "trade_diversion",
            "Trade diversion to other suppliers".into(),
            money_cell(o.diversion, true),
        ),
        (
            "change_targeted",
            format!("Change of imports from {exp}"),
            money_cell(t.change(), true),
        ),
        (
            "change_targeted_pct",
            format!("Change of imports from {exp} (%)"),
            percent(t.change_pct(), true, "no baseline imports"),
        ),
        (
            "change_others",
            "Change of imports from other suppliers".into(),
            money_cell(o.change(), true),
        ),
        (
            "change_total",
            "Change of total imports".into(),
            money_cell(m.total_change, true),
        ),
        (
            "change_total_pct",
            "Change of total imports (%)".into(),
            percent(total_pct, true, "no baseline imports"),
        ),
        (
            "price_index",
            "Change of the tariff-inclusive import price index (%)".into(),
            percent(Some(m.price_index_change * 100.0), true, ""),
        ),
        (
            "revenue_before",
            "Tariff revenue before".into(),
            money_cell(m.tariff_revenue_before, false),
        ),
        (
            "revenue_after",
            "Tariff revenue after".into(),
            money_cell(m.tariff_revenue_after, false),
        ),
        (
            "revenue_change",
            "Change of tariff revenue".into(),
            money_cell(m.tariff_revenue_change, true),
        ),
        (
            "consumer_surplus",
            "Change of consumer surplus".into(),
            money_cell(m.consumer_surplus_change, true),
        ),
        (
            "welfare",
            "Change of welfare (consumer surplus + tariff revenue)".into(),
            money_cell(m.welfare_change, true),
        ),
    ];
    Table {
        id: "summary".into(),
        title: format!("{imp}: imports of the products covered, {}", out.year),
        source: Some(method),
        columns: vec![
            Column::detail("id", "Id"),
            Column::new("measure", "Measure"),
            Column::new("value", "Value (bn or %)"),
        ],
        rows: rows
            .into_iter()
            .map(|(id, label, cell)| Row::new(vec![Cell::text(id), Cell::text(label), cell]))
            .collect(),
        footer: Vec::new(),
    }
}

/// The cells of imports split into targeted and others (shared by products and baskets).
fn split_cells(t: &Imports, o: &Imports) -> Vec<Cell> {
    vec![
        money_cell(t.baseline, false),
        money_cell(t.change(), true),
        percent(t.change_pct(), true, "no baseline imports"),
        money_cell(o.diversion, true),
        money_cell(t.change() + o.change(), true),
        money_cell(o.baseline, false),
        money_cell(t.creation + o.creation, true),
    ]
}

/// The columns of [`split_cells`]; the terminal shows the targeted exporters' change,
/// the diversion to the others and the total change (equal to trade creation).
fn split_columns(exp: &str) -> Vec<Column> {
    vec![
        Column::new("imports_targeted", format!("From {exp}")),
        Column::new("change_targeted", format!("Δ {exp}")),
        Column::new("change_targeted_pct", format!("Δ {exp} %")),
        Column::new("trade_diversion", "To others"),
        Column::new("change_total", "Δ total"),
        Column::detail("imports_others", "From others"),
        Column::detail("trade_creation", "Trade creation"),
    ]
}

/// A description cut to `n` characters for the terminal (`…` at the end when cut).
fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}

/// Per product, the largest imports from the targeted exporters first.
fn products(out: &TariffOutput, req: &TariffRequest, basis: &Basis, method: SourceId) -> Table {
    let exp = &basis.exporter_label;
    let shown = out.products.iter().take(req.top);
    let mut columns = vec![
        Column::new("hs6", "HS6"),
        Column::new("product", "Product"),
        Column::new("sigma", "σ"),
        Column::new("sigma_source", "σ from"),
    ];
    columns.extend(split_columns(exp));
    columns.extend([
        Column::detail("description", "Description"),
        Column::detail("in_table", "In elasticity table"),
        Column::detail("sigma_source_detail", "σ source"),
        Column::detail("price_index_pct", "Price index %"),
        Column::detail("revenue_before", "Tariff revenue before"),
        Column::detail("revenue_after", "Tariff revenue after"),
        Column::detail("consumer_surplus", "Consumer surplus change"),
        Column::detail("welfare", "Welfare change"),
        Column::detail("markets", "Markets"),
        Column::detail("revision", "HS revision"),
    ]);
    let rows = shown
        .map(|p| {
            let mut cells = vec![
                Cell::text(p.code.clone()),
                Cell::text(short(p.description.as_deref().unwrap_or(""), 24)),
                number(p.parameters.substitution_elasticity, 2),
                Cell::text(p.sigma_source.label()),
            ];
            cells.extend(split_cells(&p.targeted, &p.others));
            cells.extend([
                match &p.description {
                    Some(d) => Cell::text(d.clone()),
                    None => Cell::missing("not in the built-in catalogue"),
                },
                Cell::text(match p.sigma_source.found() {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "n/a",
                }),
                Cell::text(p.sigma_source.describe()),
                percent(Some(p.effect.price_index_change * 100.0), true, ""),
                money_cell(p.effect.tariff_revenue_before, false),
                money_cell(p.effect.tariff_revenue_after, false),
                money_cell(p.effect.consumer_surplus_change, true),
                money_cell(p.effect.welfare_change, true),
                count(p.markets),
                Cell::text(p.revision.map(|r| r.to_string()).unwrap_or_default()),
            ]);
            Row::new(cells)
        })
        .collect();
    let mut footer = vec![
        Cell::text("All"),
        Cell::text(format!("{} products", out.products.len())),
        Cell::text(""),
        Cell::text(""),
    ];
    footer.extend(split_cells(&out.targeted, &out.others));
    let m = &out.total;
    footer.extend([
        Cell::text(""),
        Cell::text(""),
        Cell::text(""),
        percent(Some(m.price_index_change * 100.0), true, ""),
        money_cell(m.tariff_revenue_before, false),
        money_cell(m.tariff_revenue_after, false),
        money_cell(m.consumer_surplus_change, true),
        money_cell(m.welfare_change, true),
        count(out.products.iter().map(|p| p.markets).sum()),
        Cell::text(""),
    ]);
    Table {
        id: "products".into(),
        title: format!(
            "By HS6 product, largest imports from {exp} first ({} of {})",
            out.products.len().min(req.top),
            out.products.len()
        ),
        source: Some(method),
        columns,
        rows,
        footer: vec![Row {
            emphasis: true,
            ..Row::new(footer)
        }],
    }
}

/// Per basket.
fn baskets(out: &TariffOutput, basis: &Basis, method: SourceId) -> Table {
    let exp = &basis.exporter_label;
    let mut columns = vec![
        Column::new("basket", "Basket"),
        Column::detail("markets", "Markets"),
    ];
    columns.extend(split_columns(exp));
    columns.extend([
        Column::new("price_index_pct", "Price index %"),
        Column::detail("revenue_change", "Tariff revenue change"),
        Column::detail("consumer_surplus", "Consumer surplus change"),
        Column::new("welfare", "Welfare change"),
    ]);
    Table {
        id: "baskets".into(),
        title: "By basket".into(),
        source: Some(method),
        columns,
        rows: out
            .baskets
            .iter()
            .map(|b| {
                let mut cells = vec![Cell::text(b.name.clone()), count(b.markets)];
                cells.extend(split_cells(&b.targeted, &b.others));
                cells.extend([
                    percent(Some(b.effect.price_index_change * 100.0), true, ""),
                    money_cell(b.effect.tariff_revenue_change, true),
                    money_cell(b.effect.consumer_surplus_change, true),
                    money_cell(b.effect.welfare_change, true),
                ]);
                Row::new(cells)
            })
            .collect(),
        footer: Vec::new(),
    }
}

/// Per supplier: the targeted ones, then those gaining most.
fn suppliers(out: &TariffOutput, req: &TariffRequest, basis: &Basis, method: SourceId) -> Table {
    let imp = &basis.importer_label;
    let rows = out
        .suppliers
        .iter()
        .take(req.top.max(out.exporters.len()))
        .map(|s| {
            let e = &s.effect;
            Row::new(vec![
                Cell::text(s.code.clone()),
                Cell::text(if s.targeted { "targeted" } else { "" }),
                money_cell(e.baseline, false),
                money_cell(e.trade_creation, true),
                money_cell(e.trade_diversion, true),
                money_cell(e.total_change, true),
                percent(
                    (e.baseline > 0.0).then(|| e.total_change / e.baseline * 100.0),
                    true,
                    "no baseline imports",
                ),
                money_cell(e.new_value, false),
            ])
        })
        .collect();
    Table {
        id: "suppliers".into(),
        title: format!(
            "By supplier to {imp}: the targeted exporters, then the largest gains ({} of {})",
            out.suppliers.len().min(req.top.max(out.exporters.len())),
            out.suppliers.len()
        ),
        source: Some(method),
        columns: vec![
            Column::new("supplier", "Supplier"),
            Column::new("targeted", ""),
            Column::new("baseline", "Imports before"),
            Column::new("trade_creation", "Creation"),
            Column::new("trade_diversion", "Diversion"),
            Column::new("change", "Δ imports"),
            Column::new("change_pct", "Δ %"),
            Column::detail("new_value", "Imports after"),
        ],
        rows,
        footer: Vec::new(),
    }
}

/// The change of imports by supplier (the largest changes either way).
fn chart(out: &TariffOutput) -> Chart {
    let mut bars: Vec<&super::SupplierResult> = out.suppliers.iter().collect();
    bars.sort_by(|a, b| {
        b.effect
            .total_change
            .abs()
            .total_cmp(&a.effect.total_change.abs())
            .then_with(|| a.code.cmp(&b.code))
    });
    bars.truncate(CHART_BARS);
    let empty = bars.iter().all(|s| s.effect.total_change == 0.0);
    Chart {
        id: "chart-suppliers".into(),
        title: "Change of imports by supplier (bn)".into(),
        unit: crate::pair::money_unit(),
        empty_reason: empty.then(|| "the change moves no supplier's imports".to_string()),
        plot: Plot::Bars {
            bars: bars
                .iter()
                .map(|s| Bar {
                    label: s.code.clone(),
                    value: s.effect.total_change / 1e9,
                    total: false,
                })
                .collect(),
        },
    }
}

/// The products that took the fallback σ, with the reason (every one of them).
fn fallbacks(out: &TariffOutput, req: &TariffRequest) -> Option<Table> {
    let rows: Vec<Row> = out
        .products
        .iter()
        .filter(|p| p.sigma_source.is_fallback())
        .map(|p| {
            Row::new(vec![
                Cell::text(p.code.clone()),
                Cell::text(p.sigma_source.describe()),
                number(p.parameters.substitution_elasticity, 2),
                money_cell(p.targeted.baseline, false),
            ])
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        id: "elasticity-fallbacks".into(),
        title: format!(
            "Products without a usable CEPII estimate: σ = {} (the fallback) for {} of {}",
            entrepot_doc::format::number(req.fallback_sigma, 2),
            rows.len(),
            out.products.len()
        ),
        source: None,
        columns: vec![
            Column::new("hs6", "HS6"),
            Column::new("reason", "Reason"),
            Column::new("sigma", "σ used"),
            Column::new("imports_targeted", "Imports from targeted"),
        ],
        rows,
        footer: Vec::new(),
    })
}

fn skipped(out: &TariffOutput) -> Table {
    Table {
        id: "skipped".into(),
        title: format!("Markets left out of every total ({})", out.skipped.len()),
        source: None,
        columns: vec![
            Column::new("importer", "Importer"),
            Column::new("hs6", "HS6"),
            Column::new("reason", "Reason"),
        ],
        rows: out
            .skipped
            .iter()
            .map(|s| {
                Row::new(vec![
                    Cell::text(s.importer.clone()),
                    Cell::text(s.product.clone()),
                    Cell::text(s.reason.clone()),
                ])
            })
            .collect(),
        footer: Vec::new(),
    }
}

/// The method notes.
fn notes(out: &TariffOutput, req: &TariffRequest, basis: &Basis) -> Vec<String> {
    let imp = &basis.importer_label;
    let (t0, t1) = out.tariffs;
    let mut v = vec![
        "Model: SMART partial equilibrium (World Bank WITS; Laird and Yeats 1986; Jammes and Olarreaga 2005, \"Explaining SMART and GSIM\"), one market per importing country and HS6 product. Suppliers are imperfect substitutes (Armington, elasticity of substitution σ); export supply is perfectly elastic, so world prices do not move. Values are at world prices, as the data hold them.".to_string(),
        "Formulas (crate entrepot-pe, module smart): trade creation TC_s = ε_m·M_s·(t1_s − t0_s)/(1 + t0_s); trade diversion is the CES reallocation of the imports after creation among the suppliers at their new relative tariff-inclusive prices (weights ((1+t1_s)/(1+t0_s))^−σ), which sums to zero in each market — SMART's published two-group formula is its first-order form, so the two differ at second order; price index change Σ_s (M_s/M)(t1_s − t0_s)/(1 + t0_s); tariff revenue R0 = Σ t0_s M_s, R1 = Σ t1_s M1_s; consumer surplus ΔCS = −Σ_s (t1_s − t0_s)(M_s + TC_s/2) (a linear-demand approximation); welfare = ΔCS + R1 − R0. WITS labels consumer surplus as welfare; here the two are reported apart. A supplier with no baseline imports stays at zero: the model opens no new trade.".to_string(),
        format!(
            "Tariffs: the data hold none. Every supplier of {imp} pays the baseline tariff of {} (an assumption{}); the targeted exporters ({}) pay {} after the change of {} points. Tariffs are ad valorem on values at world prices.",
            percent_text(t0 * 100.0),
            if req.baseline_tariff == 0.0 { ", the default: set it with --baseline-tariff" } else { " given with the request" },
            out.exporters.join(", "),
            percent_text(t1 * 100.0),
            entrepot_doc::format::number(req.points, points_decimals(req.points)),
        ),
        format!(
            "Import demand elasticity ε_m = {} for every product{}: it sets trade creation (the change of total imports). The CEPII estimates do not identify it; −1 (unit-elastic demand) is a neutral placeholder, not an estimate.",
            entrepot_doc::format::number(req.import_demand_elasticity, 2),
            if req.import_demand_elasticity == -1.0 { " (the default)" } else { " (given with the request)" },
        ),
    ];
    match (&basis.table, req.sigma) {
        (Some((path, n)), _) => {
            let found = out.products.iter().filter(|p| p.sigma_source.found() == Some(true)).count();
            let fallback = out.products.iter().filter(|p| p.sigma_source.is_fallback()).count();
            v.push(format!(
                "Substitution elasticities: CEPII ProTEE product-level trade elasticities (Fontagné, Guimbard and Orefice 2022, Journal of International Economics 137, 103593), file {path} ({n} products, HS 2007 codes). σ = −(the table's estimate): with values at world prices, the tariff coefficient of the CEPII gravity equation is −σ (a reading of the estimate; read as 1 − σ, σ would be larger by one). Estimates not significant at 1 % are {}. Products without a usable estimate take σ = {} (SMART's default is 1.5) and are listed with their reason. {found} of {} products were found in the table; {fallback} took the fallback.",
                match req.not_significant {
                    NotSignificantPolicy::UseEstimate => "used as they are (--not-significant use)",
                    NotSignificantPolicy::Fallback => "replaced by the fallback (--not-significant fallback)",
                },
                entrepot_doc::format::number(req.fallback_sigma, 2),
                out.products.len(),
            ));
            let revisions: Vec<String> = basis.revisions.iter().map(|r| r.to_string()).collect();
            v.push(format!(
                "HS revisions: the data's codes ({}) are looked up in the HS 2007 table by their six digits, without a concordance. A code whose content changed between revisions takes the estimate of the HS 2007 code with the same digits; a code created after 2007 is not in the table and takes the fallback.",
                if revisions.is_empty() { "revision not recorded".to_string() } else { revisions.join(", ") }
            ));
        }
        (None, Some(s)) => v.push(format!(
            "Substitution elasticity σ = {} for every product (given with --sigma; no elasticity table read).",
            entrepot_doc::format::number(s, 2)
        )),
        (None, None) => {}
    }
    let side = match (basis.reported_cells, basis.mirror_cells) {
        (_, 0) => format!("as {imp} reports them"),
        (0, _) => format!("from its partners' reports of their exports to {imp} (mirror: {imp} reports no imports here, as in CEPII BACI)"),
        (r, m) => format!("as {imp} reports them where it does ({r} cells), else from its partners' reports ({m} cells, mirror)"),
    };
    v.push(format!(
        "Data: flows dataset '{}', year {}, {}: the imports of {imp} by supplier and HS6 product, {side}. {}",
        out.dataset,
        out.year,
        basis.products,
        match basis.covers_world {
            Some(false) => "The year does not cover world trade (an extract of a few reporters): only the reporting partners are suppliers, and diversion is shared among them only.",
            Some(true) => "The year covers world trade: every trading country reports.",
            None => "",
        }
    ));
    v.extend(basis.notes.iter().cloned());
    v
}
