//! # entrepot-report
//!
//! Renderers of a release [`Brief`](entrepot_brief::Brief): terminal text, JSON,
//! Markdown, a self-contained HTML report with inline SVG charts, and a CSV of the
//! partner tables. Renderers only format: every number, and whether it is published
//! or computed, comes from the brief.
//!
//! Provenance markers are the same in every text format: `[P3]` for a figure quoted
//! from source P3 (listed with its URL and facts-file lines at the end), `[C2]` for a
//! figure computed by Entrepôt (its method and inputs listed at the end), `~` for an
//! approximate figure and `!` when published reports of the same quantity disagree
//! (the other reports are shown next to it).
//!
//! Any text of a brief may come from a hostile file (control bytes, markup, a
//! `javascript:` URL). The `escape` module holds the one function per format that
//! makes such text safe, and which renderer applies it where: control characters are
//! never written raw in any format, Markdown and HTML carry no markup from data, and
//! a URL becomes a link only when it is a well-formed `http(s)` URL.

mod csv_out;
mod escape;
mod html;
mod labels;
mod markdown;
mod marks;
mod svg;
mod terminal;
mod text;

use entrepot_brief::Brief;
use thiserror::Error;

/// Errors of the renderers.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The brief could not be serialised to JSON.
    #[error("cannot serialise the brief to JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Options of the terminal renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalOptions {
    /// Maximum line width in columns (at least 60 is used).
    pub width: usize,
    /// Whether to use ANSI colours (the caller decides, e.g. off when `NO_COLOR` is
    /// set or the output is not a terminal).
    pub color: bool,
}

impl Default for TerminalOptions {
    fn default() -> Self {
        TerminalOptions {
            width: 100,
            color: false,
        }
    }
}

/// The brief as terminal text; no line is wider than `opts.width` columns (ANSI
/// colour codes aside).
pub fn render_terminal(brief: &Brief, opts: &TerminalOptions) -> String {
    terminal::render(brief, opts)
}

/// The brief as pretty-printed JSON, following
/// `crates/entrepot-brief/schema/brief.schema.json`.
pub fn try_render_json(brief: &Brief) -> Result<String, ReportError> {
    let mut s = serde_json::to_string_pretty(brief)?;
    s.push('\n');
    Ok(escape_json_controls(s))
}

/// serde_json escapes the C0 control characters in strings but writes DEL and the C1
/// controls (U+0080 to U+009F, among them the 8-bit CSI U+009B) as they are; they are
/// escaped here too, so JSON printed to a terminal cannot drive it. The JSON is
/// unchanged in meaning: outside strings it holds only ASCII whitespace, which is
/// left alone.
fn escape_json_controls(s: String) -> String {
    if !s
        .chars()
        .any(|c| c.is_control() && !c.is_ascii_whitespace())
    {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c.is_control() && !c.is_ascii_whitespace() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The brief as pretty-printed JSON (see [`try_render_json`]); a brief always
/// serialises, so this never fails in practice (an error is returned as a JSON object
/// with an `error` key).
pub fn render_json(brief: &Brief) -> String {
    try_render_json(brief).unwrap_or_else(|e| {
        format!(
            "{{\"error\": {}}}\n",
            serde_json::Value::String(e.to_string())
        )
    })
}

/// The brief as Markdown (GitHub-flavoured tables, source links).
pub fn render_markdown(brief: &Brief) -> String {
    markdown::render(brief)
}

/// The brief as a self-contained HTML page: inline CSS, inline SVG charts
/// (`#chart-monthly`, `#chart-contributions`, `#chart-shares`), no scripts and no
/// network access.
pub fn render_html(brief: &Brief) -> String {
    html::render(brief)
}

/// The partner tables as CSV (one row per table row; values as numbers, with the
/// provenance of each).
pub fn render_partners_csv(brief: &Brief) -> String {
    csv_out::render(brief)
}
