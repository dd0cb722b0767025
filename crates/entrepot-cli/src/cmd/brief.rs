//! `entrepot brief`: the release brief of a reporter for a period.
//!
//! ```text
//! Usage: entrepot brief [REPORTER] [--period YYYY-MM|YYYY] [--dataset NAME] [--sample]
//!                       [--markdown FILE] [--html FILE] [--json FILE]
//!                       [--format table|json|csv]
//!                       [--partners LIST] [--groups-file FILE]
//!
//! Headline (exports, imports, balance, y/y, year-to-date and rolling 12 months), records,
//! partners and groups (value, y/y, share, change in share, contribution to growth),
//! diversion away from the largest shrinking partner, context indicators (PMI) and
//! consistency checks, each number labelled as computed from stored flows or published
//! (with its source).
//!
//! REPORTER defaults to CHN. The data is what the store holds for REPORTER (flows from one
//! flows dataset, chosen with --dataset when several have the reporter, plus every stored
//! published figure); when the store holds nothing for REPORTER, or with --sample, the
//! embedded sample (China customs facts, shipped in the binary) is used. --period defaults
//! to the latest period available.
//!
//! Flows are read as a flow cube (entrepot-cube): the reporter's exports and imports by
//! partner and period, aggregated where the data lives. Imports (exports) the reporter
//! does not report are its partners' reported exports to it (imports from it) — mirror
//! figures, said so in the brief's data basis. A CEPII BACI dataset holds each flow once,
//! on the exporter's side, so a BACI brief's imports are all mirror figures; a country
//! that is only a partner in the store gets a brief of mirror figures only.
//!
//! Output: a terminal report (default), --format json (schema:
//! crates/entrepot-brief/schema/brief.schema.json), --format csv (the partner table),
//! --markdown FILE, --html FILE (a self-contained report with charts) and --json FILE
//! (the report document every analysis produces, schema:
//! crates/entrepot-doc/schema/document.schema.json); `-` = stdout.
//!
//! The global --engine (or ENTREPOT_ENGINE) `ballista://HOST:PORT` runs the flow-cube queries on
//! an Apache Ballista cluster (see `entrepot cluster`); the brief is the same.
//! ```

use crate::output::{app_error, print_document, Format, ReportFiles};
use crate::Ctx;
use clap::Args;
use entrepot_app::brief::BriefRequest;
use std::path::PathBuf;

/// Arguments of `entrepot brief`.
#[derive(Args, Debug)]
pub struct BriefArgs {
    /// Reporter (ISO3 or any known code).
    #[arg(default_value = "CHN")]
    pub reporter: String,
    /// The period (YYYY-MM or YYYY); default: the latest available.
    #[arg(long)]
    pub period: Option<String>,
    /// The flows dataset to use when several hold the reporter.
    #[arg(long)]
    pub dataset: Option<String>,
    /// Use the embedded sample even if the store holds data for the reporter.
    #[arg(long)]
    pub sample: bool,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
    /// Partners and groups to show (comma-separated ISO3 codes or group names).
    #[arg(long, value_delimiter = ',')]
    pub partners: Vec<String>,
    /// A CSV of user-defined groups (`group,iso3,from,to,source`).
    #[arg(long, env = "ENTREPOT_GROUPS_FILE")]
    pub groups_file: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &BriefArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let request = BriefRequest {
        reporter: args.reporter.clone(),
        period: args.period.clone(),
        dataset: args.dataset.clone(),
        sample: args.sample,
        partners: args.partners.clone(),
        groups_file: args.groups_file.clone(),
    };
    let out = entrepot_app::brief::brief(&ctx.store, &request).map_err(app_error)?;
    // --format json: the brief's own model (schema:
    // crates/entrepot-brief/schema/brief.schema.json)
    let json = match ctx.format {
        Format::Json => Some(entrepot_report::render_json_value(&out.brief)?),
        _ => None,
    };
    print_document(&out.document, &args.report, ctx, "partners-", json)
}
