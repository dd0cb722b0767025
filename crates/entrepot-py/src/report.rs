//! `entrepot.Report`: a report document (a brief, a regression table) and its
//! renderers: a dictionary (the JSON of `crates/entrepot-doc/schema/document.schema.json`),
//! JSON, a self-contained HTML page, an HTML fragment for a notebook cell
//! (`_repr_html_`), Markdown and terminal text.

use entrepot_doc::Document;
use entrepot_report::{
    render_html, render_html_fragment, render_json, render_markdown, render_terminal,
    HtmlFragmentOptions, TerminalOptions, HTML_STYLE,
};
use pyo3::prelude::*;

/// A report document, with the analysis' own model as JSON where it has one (the
/// brief's, `crates/entrepot-brief/schema/brief.schema.json`).
#[pyclass(module = "entrepot._entrepot", frozen)]
pub struct Report {
    document: Document,
    model_json: Option<String>,
}

impl Report {
    /// A report of `document`, with the analysis' model as JSON when it has one.
    pub fn new(document: Document, model_json: Option<String>) -> Self {
        Report {
            document,
            model_json,
        }
    }
}

#[pymethods]
impl Report {
    /// The document's kind (`release_brief`, `gravity_regression`, …).
    #[getter]
    fn kind(&self) -> String {
        self.document.kind.clone()
    }

    /// The document's title.
    #[getter]
    fn title(&self) -> String {
        self.document.title.clone()
    }

    /// The document as JSON.
    fn to_json(&self) -> String {
        render_json(&self.document)
    }

    /// The analysis' own model as JSON (the brief's), or `None`.
    fn model_json(&self) -> Option<String> {
        self.model_json.clone()
    }

    /// The document as a dictionary (its JSON schema is
    /// `crates/entrepot-doc/schema/document.schema.json`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?
            .call_method1("loads", (render_json(&self.document),))
    }

    /// The analysis' own model as a dictionary (the brief's,
    /// `crates/entrepot-brief/schema/brief.schema.json`), or `None`.
    fn model<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match &self.model_json {
            Some(j) => Ok(Some(py.import("json")?.call_method1("loads", (j,))?)),
            None => Ok(None),
        }
    }

    /// The document as a self-contained HTML page (inline CSS and SVG charts).
    fn to_html(&self) -> String {
        render_html(&self.document)
    }

    /// The document as Markdown.
    fn to_markdown(&self) -> String {
        render_markdown(&self.document)
    }

    /// The document as terminal text within `width` columns.
    #[pyo3(signature = (width=100))]
    fn to_text(&self, width: usize) -> String {
        let opts = TerminalOptions {
            width,
            ..TerminalOptions::default()
        };
        render_terminal(&self.document, &opts)
    }

    /// The document as an HTML fragment with its style sheet, for a notebook cell.
    fn _repr_html_(&self) -> String {
        let body = render_html_fragment(&self.document, &HtmlFragmentOptions::default());
        format!("<style>{HTML_STYLE}</style>\n{body}")
    }

    fn __repr__(&self) -> String {
        format!(
            "<entrepot.Report {}: {}>",
            self.document.kind, self.document.title
        )
    }
}
