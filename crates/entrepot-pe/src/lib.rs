//! # entrepot-pe (module doc written below)

#![warn(missing_docs)]

pub mod error;
pub mod smart;

pub use error::{PeError, Result};
pub use smart::{
    smart, smart_columns, ExportSupply, MarketEffect, Parameters, SmartResult, SupplierEffect,
    SupplierFlow, SMART_SUBSTITUTION_ELASTICITY,
};
