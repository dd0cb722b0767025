//! What every text renderer decides the same way: which columns a reader sees, how a
//! column is aligned, the words of check statuses and the marker legend.

use entrepot_doc::{Cell, CheckStatus, Document, Table};

/// The legend of the markers the document uses (`Markers: [Pn] published figure
/// (sources listed at the end), …`), with the wording of the terminal and Markdown
/// reports; `None` when it uses none.
pub(crate) fn markers_legend(d: &Document) -> Option<String> {
    let figures = d.figures();
    let mut parts = Vec::new();
    if !d.sources.is_empty() {
        parts.push("[Pn] published figure (sources listed at the end)");
    }
    if !d.methods.is_empty() {
        parts.push("[Cn] computed by Entrepôt (methods listed at the end)");
    }
    if figures.iter().any(|(_, f)| f.approximate) {
        parts.push("~ approximate");
    }
    if figures.iter().any(|(_, f)| f.is_conflicted()) {
        parts.push("! published reports disagree (alternatives shown)");
    }
    (!parts.is_empty()).then(|| format!("Markers: {}.", parts.join(", ")))
}

/// `Money in USD unless another currency is named.` when the document has a currency.
pub(crate) fn currency_note(d: &Document) -> Option<String> {
    d.currency
        .map(|c| format!("Money in {c} unless another currency is named."))
}

/// The columns shown by the text renderers (all but detail columns).
pub(crate) fn visible_columns(t: &Table) -> Vec<usize> {
    (0..t.columns.len())
        .filter(|&i| !t.columns[i].detail)
        .collect()
}

/// Whether column `i` holds numbers (right-aligned): any of its cells is not text.
pub(crate) fn numeric_column(t: &Table, i: usize) -> bool {
    t.rows
        .iter()
        .chain(&t.footer)
        .filter_map(|r| r.cells.get(i))
        .any(|c| !matches!(c, Cell::Text { .. }))
}

/// Short tag of a check status (`OK`, `WARNING`, `CONFLICT`, `N/A`).
pub(crate) fn check_tag(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Ok => "OK",
        CheckStatus::Warning => "WARNING",
        CheckStatus::Conflict => "CONFLICT",
        CheckStatus::NotCheckable => "N/A",
    }
}

/// The class of a check status in HTML.
pub(crate) fn check_class(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Ok => "status-ok",
        CheckStatus::Warning => "status-warning",
        CheckStatus::Conflict => "status-conflict",
        CheckStatus::NotCheckable => "status-na",
    }
}
