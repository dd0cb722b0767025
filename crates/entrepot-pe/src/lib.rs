//! # entrepot-pe (module doc written below)

#![warn(missing_docs)]

pub mod elasticity;
pub mod error;
pub mod smart;

pub use elasticity::{
    format_hs6, parse_hs6, ElasticityRow, ElasticityTable, EstimateStatus, FallbackReason,
    MappedParameters, MappingRule, NotSignificantPolicy, SubstitutionSource, HS_REVISION,
};
pub use error::{PeError, Result};
pub use smart::{
    smart, smart_columns, ExportSupply, MarketEffect, Parameters, SmartResult, SupplierEffect,
    SupplierFlow, SMART_SUBSTITUTION_ELASTICITY,
};
