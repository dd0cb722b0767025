//! The application layer of Entrepôt: what the `entrepot` command and the HTTP server
//! both call.
//!
//! A request (what, for whom, from which data) goes in; a report document, a listing
//! or a typed result comes out, or an [`AppError`] whose [`ErrorClass`] the caller maps
//! to an exit code ([`ErrorClass::exit_code`]) or an HTTP status. Everything between
//! the two ends lives here: which store and how it is opened ([`StoreLocation`]),
//! which dataset a brief reads and when the embedded sample stands in, where a gravity
//! sample comes from (a CSV, Parquet or Stata file, a dataset, an SQL query) and its
//! conversion from Arrow, the readers an ingest builds and its bad-row policy, the
//! published-figure ingest. The callers only parse their input, call one function and
//! print or send what it returns; none of them touches Arrow, Parquet or DataFusion.
//!
//! | request | function | result |
//! |---|---|---|
//! | release brief | [`brief::brief`] | [`brief::BriefOutput`] (model + [`Document`]) |
//! | economic complexity (ECI, PCI, density, COI, COG; store or CSV) | [`complexity::complexity`], [`complexity::write_tables`] | [`complexity::ComplexityOutput`] (every figure + [`Document`]) |
//! | diversification | [`diversification::diversification`] | [`diversification::DiversificationOutput`] (indices per year + [`Document`]) |
//! | sectoral edge (world market shares, Balassa RCA by product, basket and total) | [`edge::edge`] | [`edge::EdgeOutput`] (figures per year and product, gainers and losers + [`Document`]) |
//! | a product series in one HS revision (years held in another converted through the concordance, trade-value weights) | [`series::series`] | [`series::SeriesOutput`] (values by code and year, weights used, unmapped rows + [`Document`]) |
//! | projection of a world market share (log-linear trend, damped trend, no-change benchmark; rolling-origin backtest) | [`project::project`] | [`project::ProjectOutput`] (series, projections, backtest + [`Document`]) |
//! | growth decomposition | [`decompose::decompose`] | [`decompose::DecomposeOutput`] (shift-share effects, contributions + [`Document`]) |
//! | dependence and leverage of a pair | [`dependence::dependence`] | [`dependence::DependenceOutput`] (figures per year and direction, products + [`Document`]) |
//! | firm exposure (a sales file) | [`exposure::exposure`] | [`exposure::ExposureOutput`] (indices per year, growth by destination, market shares, one-market products + [`Document`]) |
//! | mirror statistics of a pair | [`mirror::mirror`] | [`mirror::MirrorOutput`] (gaps per year, direction and product + [`Document`]) |
//! | trade-policy scenario (GE counterfactual; flows from a file, the store, or a table in memory: [`scenario::ScenarioRequest::flows`]) | [`scenario::run_scenario`] | [`scenario::ScenarioOutput`] (the solved counterfactual, diversion, intervals + [`Document`]) |
//! | product-level tariff scenario (SMART partial equilibrium, CEPII elasticities) | [`tariff::tariff`] | [`tariff::TariffOutput`] (effects per product, supplier and basket + [`Document`]) |
//! | gravity fit (a file, the store, or a sample in memory: the Python package) | [`gravity::fit_gravity`], [`gravity::fit_gravity_on`] (with [`gravity::dataset_from_batches`]) | [`gravity::GravityOutput`] (estimate + table) |
//! | several models side by side | [`gravity::fit_gravity_models`] | the estimates and one comparison table |
//! | SQL | [`sql::sql`] | [`sql::SqlResult`] (rendered as table, JSON or CSV) |
//! | ingest | [`ingest::ingest`] | [`ingest::IngestOutcome`] (a [`Listing`]) |
//! | datasets | [`datasets::datasets`], [`datasets::dataset`] | [`Listing`], manifest entry |
//! | fetch (UN Comtrade, CEPII BACI, IMF) | [`fetch::comtrade::fetch_comtrade`], [`fetch::baci::fetch_baci`], [`fetch::imf::fetch_imf`] | [`fetch::FetchOutcome`] (a [`Listing`]) |
//! | remove, verify | [`maintenance::remove`], [`maintenance::verify`] | [`Listing`] |
//!
//! Lookups of the built-in reference data (countries, products, groups) need no store
//! and are served by `entrepot-core` directly; [`reference::load_groups`] and
//! [`reference::load_baskets`] add a user's file to the built-in groups and baskets.
//!
//! Long requests report their progress to whoever started them (a bar in the terminal,
//! a notebook's widget): a gravity fit through [`gravity::GravityRequest::progress`] and
//! a scenario through [`scenario::ScenarioRequest::progress`] (both an
//! [`entrepot_core::Progress`] hook), an ingest through its `progress` callback.

pub mod brief;
pub mod complexity;
pub mod datasets;
pub mod decompose;
pub mod dependence;
pub mod diversification;
pub mod edge;
mod error;
pub mod exposure;
pub mod fetch;
pub mod gravity;
pub mod ingest;
mod listing;
mod location;
pub mod maintenance;
pub mod mirror;
pub mod money;
mod pair;
pub mod project;
pub mod reference;
pub mod reroute;
pub mod scenario;
pub mod series;
pub mod sql;
pub mod tariff;

pub use entrepot_doc::Document;
pub use error::{gravity_class, AppError, AppResult, ErrorClass};
pub use listing::Listing;
pub use location::StoreLocation;

/// Where queries run: embedded DataFusion (`local`) or an Apache Ballista cluster
/// (`ballista://HOST:PORT`); see `entrepot_query::engine`.
pub use entrepot_query::Engine;

/// The estimators and variance choices of a gravity request.
pub use entrepot_gravity::{Estimator, VcovKind};
