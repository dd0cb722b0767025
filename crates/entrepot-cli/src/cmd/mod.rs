//! One module per command, each with its usage text at the top.

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
pub mod serve;
pub mod sql;
pub mod tariff;
pub mod verify;
