//! `entrepot`: the command-line interface of Entrepôt, a trade-flow intelligence engine.
//!
//! One file per command under `cmd/`, each with its usage text at the top (in the
//! manner of xsv). A command parses its flags into a request of the application layer
//! (`entrepot-app`), calls it and prints what it returns; the work itself (which data,
//! which store, Arrow and DataFusion) is the application layer's. Global options: `--store DIR` (or `ENTREPOT_STORE`),
//! `--engine local|ballista://HOST:PORT` (or `ENTREPOT_ENGINE`: where the store's
//! queries run, for `sql`, the brief, every analysis and `serve`), `--format
//! table|json|csv`, `--no-color` (or `NO_COLOR`), `--quiet`.
//!
//! Exit codes: 0 success; 1 runtime failure; 2 usage error; 3 bad input data (rows
//! rejected with `--on-error fail`); 4 something named on the command line does not
//! exist.

mod cmd;
mod output;

use clap::{Parser, Subcommand};
use entrepot_app::StoreLocation;
use output::{exit, ExitError, Format};
use std::path::PathBuf;

/// Entrepôt: trade statistics in, answers out.
#[derive(Parser, Debug)]
#[command(name = "entrepot", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// The store directory (default: the per-user data directory, e.g.
    /// ~/.local/share/entrepot).
    #[arg(long, global = true, env = "ENTREPOT_STORE")]
    store: Option<PathBuf>,
    /// Where the store's queries run: `local` (embedded DataFusion, in this process)
    /// or `ballista://HOST:PORT` (the scheduler of an Apache Ballista cluster; see
    /// `entrepot cluster`). The answers are the same.
    #[arg(long, global = true, env = "ENTREPOT_ENGINE", value_name = "ENGINE", default_value = "local", value_parser = parse_engine)]
    engine: entrepot_app::Engine,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Never use colour (also honoured: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    no_color: bool,
    /// No progress bars or informational messages on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read trade files (BACI, Comtrade, CSV, Parquet, Stata) into the store.
    Ingest(cmd::ingest::IngestArgs),
    /// Fetch current data from UN Comtrade, CEPII BACI or the IMF into the store.
    Fetch(cmd::fetch::FetchArgs),
    /// List the datasets in the store (and the embedded sample).
    Datasets(cmd::datasets::DatasetsArgs),
    /// Run an SQL query over the store (Apache DataFusion).
    Sql(cmd::sql::SqlArgs),
    /// Look up countries and the codes trade data uses.
    Countries(cmd::countries::CountriesArgs),
    /// Browse HS products and named product baskets.
    Products(cmd::products::ProductsArgs),
    /// Partner groups and their dated membership.
    Groups(cmd::groups::GroupsArgs),
    /// The release brief: headline, records, partners, diversion, checks.
    Brief(cmd::brief::BriefArgs),
    /// Concentration and diversification indices of a reporter's trade, by year.
    Diversification(cmd::diversification::DiversificationArgs),
    /// Economic complexity of one year: ECI, PCI, density, COI, COG.
    Complexity(cmd::complexity::ComplexityArgs),
    /// Sectoral edge: world market shares and revealed comparative advantage by product.
    Edge(cmd::edge::EdgeArgs),
    /// A reporter's product series in one HS revision, years held in another converted.
    Series(cmd::series::SeriesArgs),
    /// Projection of a world market share to a target year: several methods, intervals, backtest error.
    Project(cmd::project::ProjectArgs),
    /// Growth decomposition between two periods: shift-share effects and contributions.
    Decompose(cmd::decompose::DecomposeArgs),
    /// Re-routing indicator: exports to third countries rising with their exports to a target.
    Reroute(cmd::reroute::RerouteArgs),
    /// Dependence and leverage between two countries: import and export shares,
    /// asymmetry, trade intensity, chokepoints.
    Dependence(cmd::dependence::DependenceArgs),
    /// Mirror statistics: each country's reported exports against the other's
    /// reported imports, gaps and the CIF/FOB ratio.
    Mirror(cmd::mirror::MirrorArgs),
    /// Firm exposure: a firm's sales by destination and product, concentration, growth
    /// markets, shares of the destinations' imports, one-market products.
    Exposure(cmd::exposure::ExposureArgs),
    /// Structural gravity: PPML with high-dimensional fixed effects.
    Gravity(cmd::gravity::GravityArgs),
    /// Trade-policy scenarios in general equilibrium: tariffs, agreements, diversion
    /// and welfare.
    Scenario(cmd::scenario::ScenarioArgs),
    /// Product-level tariff scenario in partial equilibrium (SMART): trade creation,
    /// diversion, prices, tariff revenue and welfare per HS6 product and basket.
    Tariff(cmd::tariff::TariffArgs),
    /// Remove a dataset from the store.
    Remove(cmd::remove::RemoveArgs),
    /// Check every stored file against the manifest (sizes and SHA-256).
    Verify(cmd::verify::VerifyArgs),
    /// Serve the HTTP API and the web dashboard over the store.
    Serve(cmd::serve::ServeArgs),
    /// Run a node of an Apache Ballista cluster (scheduler or executor) for
    /// `--engine ballista://HOST:PORT`.
    Cluster(cmd::cluster::ClusterArgs),
}

/// Global settings handed to every command.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The store: named (`--store` or `ENTREPOT_STORE`; it must exist for read
    /// commands) or the per-user default.
    pub store: StoreLocation,
    /// Output format.
    pub format: Format,
    /// Whether to use colour on stdout.
    pub color: bool,
    /// Whether to show progress on stderr.
    pub progress: bool,
}

/// Parses `--engine` (clap reports a failure as a usage error).
fn parse_engine(text: &str) -> Result<entrepot_app::Engine, String> {
    entrepot_app::sql::parse_engine(text).map_err(|e| e.to_string())
}

fn main() {
    let cli = Cli::parse();
    let ctx = Ctx {
        store: StoreLocation::from_option(cli.store.clone()).with_engine(cli.engine.clone()),
        format: cli.format,
        color: output::use_color(cli.no_color),
        progress: !cli.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let result = match &cli.command {
        Command::Ingest(a) => cmd::ingest::run(a, &ctx),
        Command::Fetch(a) => cmd::fetch::run(a, &ctx),
        Command::Datasets(a) => cmd::datasets::run(a, &ctx),
        Command::Sql(a) => cmd::sql::run(a, &ctx),
        Command::Countries(a) => cmd::countries::run(a, ctx.format),
        Command::Products(a) => cmd::products::run(a, ctx.format),
        Command::Groups(a) => cmd::groups::run(a, ctx.format),
        Command::Brief(a) => cmd::brief::run(a, &ctx),
        Command::Diversification(a) => cmd::diversification::run(a, &ctx),
        Command::Complexity(a) => cmd::complexity::run(a, &ctx),
        Command::Edge(a) => cmd::edge::run(a, &ctx),
        Command::Series(a) => cmd::series::run(a, &ctx),
        Command::Project(a) => cmd::project::run(a, &ctx),
        Command::Decompose(a) => cmd::decompose::run(a, &ctx),
        Command::Reroute(a) => cmd::reroute::run(a, &ctx),
        Command::Dependence(a) => cmd::dependence::run(a, &ctx),
        Command::Mirror(a) => cmd::mirror::run(a, &ctx),
        Command::Exposure(a) => cmd::exposure::run(a, &ctx),
        Command::Gravity(a) => cmd::gravity::run(a, &ctx),
        Command::Scenario(a) => cmd::scenario::run(a, &ctx),
        Command::Tariff(a) => cmd::tariff::run(a, &ctx),
        Command::Remove(a) => cmd::remove::run(a, &ctx),
        Command::Verify(a) => cmd::verify::run(a, &ctx),
        Command::Serve(a) => cmd::serve::run(a, &ctx),
        Command::Cluster(a) => cmd::cluster::run(a),
    };
    if let Err(e) = result {
        let code = e
            .downcast_ref::<ExitError>()
            .map(|x| x.code)
            .unwrap_or(exit::FAILURE);
        // A closed pipe (`entrepot countries | head`) is not an error.
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(exit::OK);
            }
        }
        // Messages quote data (file contents, names, paths): control bytes are shown
        // escaped, never sent to the terminal.
        let message = format!("{e:#}");
        eprintln!(
            "error: {}",
            entrepot_core::text::escape_controls_keep_layout(&message)
        );
        std::process::exit(code);
    }
}
