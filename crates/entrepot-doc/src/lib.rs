//! # entrepot-doc
//!
//! The report document of Entrepôt: what every analysis produces and every renderer
//! consumes. An analysis (the release brief, a gravity regression, …) builds a
//! [`Document`]; `entrepot-report` prints it as terminal text, JSON, Markdown, a
//! self-contained HTML page with SVG charts, or CSV. A new analysis gets every format
//! by producing a `Document`, and a renderer never computes: every number, its unit,
//! its precision and where it came from are already in the document.
//!
//! The crate is pure data: serde types, a register that numbers sources, the text of
//! numbers, and consistency checks. No I/O.
//!
//! ## Map
//!
//! * [`model`]: the [`Document`] — [`Section`]s of [`Block`]s: headline figures
//!   ([`FigureItem`]), [`Table`]s of typed [`Cell`]s (text, figure, number with unit,
//!   regression estimate, missing with its reason), [`Chart`]s (series of bars and
//!   lines, horizontal bars, heat maps), [`Note`]s and [`Check`]s (ok, warning,
//!   conflict, not checkable) — then the published [`Source`]s and computation
//!   [`Method`]s the figures refer to.
//! * [`figure`]: a [`Figure`] — value, [`Unit`], decimals, sign, approximation,
//!   rounding tolerance, its [`SourceId`] marker, its [`Provenance`], and the
//!   [`Alternative`] reports of the same quantity (conflicts are shown, never
//!   averaged).
//! * [`provenance`]: [`Provenance`] (published with URL and file line, or computed
//!   with [`Basis`], method and inputs) — the one provenance type of every analysis.
//! * [`id`]: [`SourceId`], the typed marker `P3` (third published source) or `C2`
//!   (second method). Ids are numbered by the document, so every renderer prints the
//!   same marker for the same figure.
//! * [`unit`]: [`Unit`] — money with an explicit [`Currency`] and [`Scale`] (never
//!   assumed), percent, percentage points, index, ratio, count, plain number, or a
//!   source's own unit.
//! * [`citations`]: [`Citations`], the register producers use to turn provenances
//!   into numbered sources and methods while they build a document.
//! * [`format`]: the text of numbers (`330.3bn`, `+5.9%`, `-0.841*** (0.032)`),
//!   shared by all renderers.
//! * [`Document::validate`] (module `validate`): numbering, listed markers, finite
//!   numbers, table and chart shapes.
//! * [`Document::number_methods_in_reading_order`] (module `reading`): `C` ids in the
//!   order a reader of the text formats meets them.
//!
//! ## Example
//!
//! ```
//! use entrepot_doc::*;
//! let mut cite = Citations::new();
//! cite.add_source("P1", "https://customs.example/release", &["facts.csv:2".into()]);
//! let exports = cite.figure(
//!     330.3,
//!     Unit::money(Currency::USD, Scale::Billions),
//!     1,
//!     &Provenance::Published {
//!         source_id: "P1".into(),
//!         source_url: "https://customs.example/release".into(),
//!         origin: "facts.csv:2".into(),
//!         note: String::new(),
//!     },
//! );
//! let mut doc = Document::new("example", "Exports, November 2025");
//! doc.currency = Some(Currency::USD);
//! doc.sections.push(Section {
//!     id: "headline".into(),
//!     title: "Headline".into(),
//!     blocks: vec![Block::Figures {
//!         items: vec![FigureItem { label: "Exports".into(), value: Cell::figure(exports), note: None }],
//!     }],
//! });
//! (doc.sources, doc.methods) = cite.into_parts();
//! doc.validate()?;
//! assert_eq!(doc.figures()[0].1.source.to_string(), "P1");
//! assert_eq!(format::figure(doc.figures()[0].1, doc.currency), "330.3bn");
//! # Ok::<(), DocError>(())
//! ```
//!
//! ## JSON
//!
//! `serde_json::to_string(&document)` follows the JSON Schema in
//! `crates/entrepot-doc/schema/document.schema.json`, whose version is
//! [`SCHEMA_VERSION`] (the document's `schema_version` field).

#![warn(missing_docs)]

pub mod citations;
mod error;
pub mod figure;
pub mod format;
pub mod id;
pub mod model;
pub mod provenance;
mod reading;
pub mod unit;
mod validate;

pub use citations::Citations;
pub use error::DocError;
pub use figure::{Alternative, Figure};
pub use id::{SourceId, SourceKind};
pub use model::{
    Axis, Bar, Block, Cell, Chart, Check, CheckStatus, Column, Document, FigureItem, Mark, Method,
    Note, Plot, Row, Section, Series, Source, Table, SCHEMA_VERSION,
};
pub use provenance::{Basis, Provenance};
pub use unit::{Currency, Scale, Unit};
