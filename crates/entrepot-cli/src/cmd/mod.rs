//! One module per command, each with its usage text at the top.

use clap::ValueEnum;
use entrepot_core::FlowKind;

pub mod brief;
pub mod cluster;
pub mod cluster_executor;
pub mod cluster_scheduler;
pub mod complexity;
pub mod countries;
pub mod datasets;
pub mod decompose;
pub mod dependence;
pub mod diversification;
pub mod edge;
pub mod exposure;
pub mod fetch;
pub mod gravity;
pub mod groups;
pub mod ingest;
pub mod mirror;
pub mod products;
pub mod project;
pub mod remove;
pub mod reroute;
pub mod scenario;
pub mod series;
pub mod serve;
pub mod sql;
pub mod tariff;
pub mod verify;

/// The flow direction of an analysis (`--flow export|import`).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FlowArg {
    /// Exports of the reporter.
    Export,
    /// Imports of the reporter.
    Import,
}

impl From<FlowArg> for FlowKind {
    fn from(f: FlowArg) -> FlowKind {
        match f {
            FlowArg::Export => FlowKind::Export,
            FlowArg::Import => FlowKind::Import,
        }
    }
}
