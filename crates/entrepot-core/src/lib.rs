//! # entrepot-core
//!
//! The pure domain core of Entrepôt: countries, partner groups, HS products, periods,
//! trade flows and published figures. This crate performs **no I/O**: the reference
//! tables it needs (countries, groups, HS nomenclatures) are compiled into the binary
//! from the files under `data/` (see `data/SOURCES.md` for their origin and licence),
//! and user-defined groups or baskets are parsed from strings handed in by callers.
//!
//! Data flows one way through Entrepôt: readers (`entrepot-io`) turn files into
//! validated [`TradeFlow`]s and [`PublishedFigure`]s defined here, the store
//! (`entrepot-store`) persists them, analyses consume them.

pub mod concordance;
pub mod country;
pub mod error;
pub mod fact;
pub mod flow;
pub mod formulas;
pub mod group;
pub mod ids;
pub mod period;
pub mod product;
pub mod progress;
pub mod text;

pub use concordance::{Concordance, Link, LinkKind, LinkSource};
pub use country::{
    Country, CountryKind, CountryMatch, CountryMatchKind, CountryName, CountryNameKind,
    CountryRegistry,
};
pub use error::CoreError;
pub use fact::{PublishedFigure, Unit};
pub use flow::{
    Declarant, FlowKind, FlowSource, Provenance, Quantity, QuantityUnit, TradeFlow,
    MAX_FLOW_VALUE_USD,
};
pub use group::{GroupMembership, GroupRegistry};
pub use ids::{CountryId, ProductId};
pub use period::{Period, PeriodSpan};
pub use product::{
    Basket, HsCode, HsRevision, Product, ProductCatalog, ProductInfo, ProductItem, ProductMatch,
    ProductMatchKind,
};
pub use progress::{Progress, ProgressStep};
