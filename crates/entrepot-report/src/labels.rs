//! Words shared by the renderers.

use entrepot_brief::{CheckStatus, Window};
use entrepot_core::PeriodSpan;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_name(p: &entrepot_core::Period) -> String {
    match p.month_of_year() {
        Some(m) => format!(
            "{} {}",
            MONTHS[(m as usize).saturating_sub(1) % 12],
            p.year()
        ),
        None => p.year().to_string(),
    }
}

/// `Nov 2025`, `Jan-Nov 2025`, `12 months to Nov 2025`.
pub(crate) fn window_label(w: Window, span: &PeriodSpan) -> String {
    match w {
        Window::Period => month_name(&span.end),
        Window::YearToDate => match (span.start.month_of_year(), span.end.month_of_year()) {
            (Some(a), Some(b)) if a != b => format!(
                "{}-{} {}",
                MONTHS[(a as usize - 1) % 12],
                MONTHS[(b as usize - 1) % 12],
                span.end.year()
            ),
            _ => month_name(&span.end),
        },
        Window::Rolling12 => format!("12m to {}", month_name(&span.end)),
    }
}

/// `Exports by partner`.
pub(crate) fn flow_title(flow: &str) -> String {
    match flow {
        "import" => "Imports by partner".into(),
        _ => "Exports by partner".into(),
    }
}

/// Short tag of a check status.
pub(crate) fn check_tag(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Ok => "OK",
        CheckStatus::MinorDifference => "MINOR",
        CheckStatus::Mismatch => "MISMATCH",
        CheckStatus::Conflict => "CONFLICT",
        CheckStatus::NotCheckable => "N/A",
    }
}

/// A status in words.
pub(crate) fn status_word(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Ok => "holds",
        CheckStatus::MinorDifference => "minor difference",
        CheckStatus::Mismatch => "does not hold",
        CheckStatus::Conflict => "conflict",
        CheckStatus::NotCheckable => "not checkable",
    }
}

/// The growth column header of a partner table: `y/y`, or `vs 2012` when the
/// comparison is not the year-ago period.
pub(crate) fn growth_header(t: &entrepot_brief::PartnerTable) -> String {
    if t.comparison_span == t.span.year_ago() {
        "y/y".into()
    } else {
        format!("vs {}", t.comparison_span)
    }
}

/// The headline rows in display order, current windows first, then the previous
/// period's (labelled "(previous)").
pub(crate) fn headline_rows(
    b: &entrepot_brief::Brief,
) -> Vec<(String, &entrepot_brief::HeadlineRow)> {
    let current = b
        .headline
        .current
        .iter()
        .map(|r| (window_label(r.window, &r.span), r));
    let previous = b
        .headline
        .previous
        .iter()
        .map(|r| (format!("{} (previous)", window_label(r.window, &r.span)), r));
    current.chain(previous).collect()
}
