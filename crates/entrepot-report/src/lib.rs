//! # entrepot-report
//!
//! Renderers of an Entrepôt report [`Document`] (`entrepot-doc`): terminal text, JSON,
//! Markdown, a self-contained HTML page with inline SVG charts, CSV of the tables, and
//! LaTeX tabulars. Any analysis that produces a `Document` — the release brief
//! (`entrepot_brief::brief_document`), a gravity regression
//! (`entrepot_gravity::RegressionTable::to_document`) — gets every format. Renderers
//! only format: every number, its unit and precision, and its marker come from the
//! document.
//!
//! ## Map
//!
//! | function | output | module |
//! |---|---|---|
//! | [`render_terminal`] | plain text within a width, optional ANSI colour | `terminal` (layout in `text`) |
//! | [`render_json`] / [`try_render_json`] | the document as JSON (`crates/entrepot-doc/schema/document.schema.json`) | here |
//! | [`render_json_value`] | any model as JSON, with the same escaping (the brief's own JSON) | here |
//! | [`render_markdown`] | GitHub-flavoured Markdown | `markdown` |
//! | [`render_html`] | self-contained HTML with SVG charts | `html`, `svg` |
//! | [`render_html_fragment`] | the same as an `<article>` to embed in a page (a dashboard), styled by [`HTML_STYLE`] | `html`, `svg` |
//! | [`render_csv`] | one CSV of the document's tables (selected by [`CsvOptions`]) | `csv_out` |
//! | [`render_latex`] | booktabs `tabular`s of the document's tables | `latex` |
//!
//! What every text renderer decides the same way (visible columns, alignment, check
//! tags, the marker legend) is in `layout`.
//!
//! ## Markers
//!
//! Provenance markers are the document's typed ids, so they are the same in every
//! format: `[P3]` for a figure quoted from source P3 (listed with its URL and
//! facts-file lines at the end), `[C2]` for a figure computed by Entrepôt (its method
//! and inputs listed at the end), `~` for an approximate figure and `!` when published
//! reports of the same quantity disagree (the other reports are shown next to it). A
//! figure that cannot be given is shown as missing (`-`, with its reason where there
//! is room), never as a number.
//!
//! ## Hostile text
//!
//! Any text of a document may come from a hostile file (control bytes, markup, a
//! `javascript:` URL). The `escape` module holds the one function per format that
//! makes such text safe, and which renderer applies it where: control characters are
//! never written raw in any format, Markdown and HTML carry no markup from data, a URL
//! becomes a link only when it is a well-formed `http(s)` URL, and a CSV cell never
//! starts a formula.

#![warn(missing_docs)]

mod csv_out;
mod escape;
mod html;
mod latex;
mod layout;
mod markdown;
mod svg;
mod terminal;
mod text;

pub use entrepot_doc::Document;
pub use html::FragmentOptions as HtmlFragmentOptions;
use serde::Serialize;
use thiserror::Error;

/// Errors of the renderers.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The value could not be serialised to JSON (a non-string map key, say).
    #[error("cannot serialise to JSON: {0}")]
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

/// Which tables [`render_csv`] writes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvOptions {
    /// Only the tables whose id starts with this (`partners-` for the brief's partner
    /// tables); `None` writes every table.
    pub table_prefix: Option<String>,
}

impl CsvOptions {
    /// Every table.
    pub fn all() -> CsvOptions {
        CsvOptions::default()
    }

    /// The tables whose id starts with `prefix`.
    pub fn tables_starting_with(prefix: &str) -> CsvOptions {
        CsvOptions {
            table_prefix: Some(prefix.to_string()),
        }
    }
}

/// The document as terminal text; no line is wider than `opts.width` columns (ANSI
/// colour codes aside).
pub fn render_terminal(doc: &Document, opts: &TerminalOptions) -> String {
    terminal::render(doc, opts)
}

/// The document as pretty-printed JSON, following
/// `crates/entrepot-doc/schema/document.schema.json`.
pub fn try_render_json(doc: &Document) -> Result<String, ReportError> {
    render_json_value(doc)
}

/// Any serialisable value (an analysis' own model, such as the brief's, with its own
/// schema) as pretty-printed JSON with the escaping of [`render_json`].
pub fn render_json_value<T: Serialize + ?Sized>(value: &T) -> Result<String, ReportError> {
    let mut s = serde_json::to_string_pretty(value)?;
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

/// The document as pretty-printed JSON (see [`try_render_json`]); a document always
/// serialises (its numbers are finite and its map keys strings), so this never fails
/// in practice (an error is returned as a JSON object with an `error` key).
pub fn render_json(doc: &Document) -> String {
    try_render_json(doc).unwrap_or_else(|e| {
        format!(
            "{{\"error\": {}}}\n",
            serde_json::Value::String(e.to_string())
        )
    })
}

/// The document as Markdown (GitHub-flavoured tables, source links).
pub fn render_markdown(doc: &Document) -> String {
    markdown::render(doc)
}

/// The document as a self-contained HTML page: inline CSS, inline SVG charts (each
/// `<svg>` with its chart's id), no scripts and no network access.
pub fn render_html(doc: &Document) -> String {
    html::render(doc)
}

/// The document as an HTML fragment to embed in a page of the caller's (the server's
/// dashboard): an `<article>` holding what [`render_html`] puts in its `<body>`, with
/// the title at `opts.heading_level` and every `id` and `#fragment` prefixed with
/// `opts.id_prefix`, so that several documents can share a page. Inline SVG charts, no
/// scripts; the page includes [`HTML_STYLE`].
pub fn render_html_fragment(doc: &Document, opts: &HtmlFragmentOptions) -> String {
    html::fragment(doc, opts)
}

/// The style sheet of [`render_html`], for a page that embeds
/// [`render_html_fragment`]s.
pub const HTML_STYLE: &str = html::STYLE;

/// The document's tables (those `opts` selects) as one CSV: one line per row, values
/// as numbers, with the marker and provenance of each figure.
pub fn render_csv(doc: &Document, opts: &CsvOptions) -> String {
    csv_out::render(doc, opts)
}

/// The document's tables as LaTeX `tabular`s (booktabs), estimates with stars and
/// standard errors in parentheses.
pub fn render_latex(doc: &Document) -> String {
    latex::render(doc)
}
