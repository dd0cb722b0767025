//! # entrepot-cube
//!
//! Flow cubes: aggregates of the stored trade flows, computed where the data lives.
//! A [`CubeRequest`] says which rows (datasets, reporters, partners, flow, periods,
//! products), at which grain (any of reporter, partner, product at an HS level or by
//! basket, period by month, quarter or year) and whether absent cells are filled
//! from the partners' side ([`Mirror`]); [`CubeEngine::run`] answers with a [`Cube`],
//! one Arrow record batch with interned ids ([`entrepot_core::CountryId`],
//! [`entrepot_core::ProductId`]) and the measures value, quantity (where the units
//! agree, else absent with the reason) and rows summed.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use entrepot_core::FlowKind;
//! use entrepot_cube::{CubeEngine, CubeRequest, Mirror, PeriodGrain};
//! let store = entrepot_store::Store::open_read("store")?;
//! let cube = CubeEngine::new(&store)?.run(
//!     &CubeRequest::new()
//!         .datasets(["baci"])
//!         .reporters(["AFG"])
//!         .flows([FlowKind::Export, FlowKind::Import])
//!         .by_partner()
//!         .by_period(PeriodGrain::Year)
//!         .mirror(Mirror::Fill),
//! )?;
//! for cell in cube.cells() {
//!     println!("{:?} {:?} {} {}", cell.partner, cell.flow, cell.side.as_str(), cell.value);
//! }
//! # Ok(()) }
//! ```
//!
//! ## How it runs
//!
//! The aggregation is planned with DataFusion on the tables of
//! [`entrepot_query::QueryEngine`] (module `plan`): one grouped aggregation per dataset and
//! side, whose filters on `reporter` and `year` prune the store's files (and row
//! groups) before anything is read, and whose hash aggregation streams over the rows.
//! Its result rows are streamed into module `cells`, which keeps one small record per
//! *candidate* (a cell's value for one side, world row or not, annual row or not,
//! stored product level) and chooses each cell's candidate. Memory follows the size
//! of the result, never of the data: no `TradeFlow` is built from stored rows, and
//! [`entrepot_store::Store::load_flows`] is not used.
//!
//! | module | holds |
//! |---|---|
//! | [`request`] | [`CubeRequest`], [`Grain`], [`ProductGrain`], [`PeriodGrain`], [`PeriodRange`], [`ProductSelection`], [`Mirror`], [`Side`] |
//! | `plan` | the DataFusion plan of one dataset and side (filters, group keys, aggregates) |
//! | `cells` | candidates → cells (the choice rule below); the codes of the `flow` and `declared_by` columns |
//! | [`cube`] | [`Cube`] (record batch, [`Cell`] views, [`CubePeriod`], text-labelled batch, [`TradeFlow`](entrepot_core::TradeFlow)s) |
//! | [`engine`] | [`CubeEngine`]: runs requests (blocking or async) |
//!
//! ## Which stored rows make a cell
//!
//! Stored datasets may hold several views of the same trade; a cell never counts one
//! twice. Among the candidates of a cell, in this order:
//!
//! 1. **Side** (with [`Mirror::Fill`]): the reporter's own rows when it has any for the
//!    cell, else the mirror (below).
//! 2. **World rows**: when the partner is summed over, rows with partner `WLD` (the
//!    reporter's declared total) are used when present, else the sum over partners.
//!    With a partner grain, `WLD` is a partner like any other.
//! 3. **Annual rows**: when periods are summed to years (year grain or none), rows of
//!    annual data are used when present, else the sum of the months.
//! 4. **Product level**: with no product filter and no product grain, the totals
//!    (`TOTAL` rows) when present; otherwise the most detailed HS level present (HS6
//!    normally), so that chapters and their subheadings are never added together.
//!
//! ## Mirror
//!
//! A reporter's imports from a partner are, seen from the other side, the partner's
//! exports to it (and its exports the partner's imports). With [`Mirror::Fill`] the
//! cube computes both sides at the requested grain and keeps, **cell by cell at that
//! grain**, the reported cell when the reporter's own rows give one, else the mirror
//! cell (the partners' rows of the opposite direction, with reporter and partner
//! swapped). Every cell carries its [`Side`]; mirror cells are valued as the partner
//! declared them (exports FOB, imports CIF: no CIF/FOB adjustment is made). Only
//! exports and imports have mirrors; re-exports and re-imports do not.
//!
//! At a coarse grain the rule applies to the coarse cell: a reporter's total imports
//! are its reported total when it reported any import in that cell, and the mirror
//! total only when it reported none — ask for a partner grain to fill partner by
//! partner. CEPII BACI holds each flow once, on the exporter's side (declared
//! `reconciled`), so a BACI reporter's exports are all reported and its imports are
//! all mirror: [`Mirror::Both`] keeps both sides as separate cells for comparisons.

#![warn(missing_docs)]

mod cells;
pub mod cube;
pub mod engine;
pub mod error;
mod plan;
pub mod request;

pub use cells::{declarant_code, declarant_of_code, flow_code, flow_of_code};
pub use cube::{columns, Cell, Cube, CubePeriod};
pub use engine::CubeEngine;
pub use error::CubeError;
pub use request::{
    CubeRequest, Grain, Mirror, PeriodGrain, PeriodRange, ProductGrain, ProductSelection, Side,
};
