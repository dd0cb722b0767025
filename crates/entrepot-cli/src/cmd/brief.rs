//! `entrepot brief`: the release brief of a reporter for a period.
//!
//! ```text
//! Usage: entrepot brief [REPORTER] [--period YYYY-MM|YYYY] [--dataset NAME] [--sample]
//!                       [--markdown FILE] [--html FILE] [--format table|json|csv]
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
//! --markdown FILE and --html FILE (a self-contained report with charts; `-` = stdout).
//! ```

use crate::output::{exit, exit_error, Format};
use crate::Ctx;
use clap::Args;
use entrepot_core::{FlowKind, Period, PublishedFigure, TradeFlow};
use entrepot_cube::{Cube, CubeEngine, CubeError, CubeRequest, Mirror, PeriodGrain, Side};
use std::io::Write;
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
    /// Write a Markdown report to FILE (`-` for stdout).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write a self-contained HTML report with charts to FILE (`-` for stdout).
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Partners and groups to show (comma-separated ISO3 codes or group names).
    #[arg(long, value_delimiter = ',')]
    pub partners: Vec<String>,
    /// A CSV of user-defined groups (`group,iso3,from,to,source`).
    #[arg(long, env = "ENTREPOT_GROUPS_FILE")]
    pub groups_file: Option<PathBuf>,
}

struct Data {
    flows: Vec<TradeFlow>,
    facts: Vec<PublishedFigure>,
    label: String,
}

fn load(args: &BriefArgs, ctx: &Ctx, reporter: &str) -> anyhow::Result<Data> {
    let sample = || {
        let facts: Vec<PublishedFigure> = entrepot_io::sample::sample_facts()
            .into_iter()
            .filter(|f| f.reporter == reporter)
            .collect();
        Data {
            flows: Vec::new(),
            facts,
            label: "embedded sample (China customs facts, published figures)".into(),
        }
    };
    if args.sample {
        return Ok(sample());
    }
    // A missing default store means "no data yet" (the sample is shown); a store that
    // exists but cannot be used, or a --store that does not exist, is an error.
    let store = super::open_store_read(ctx)?;
    let flows_datasets: Vec<String> = store
        .datasets()
        .iter()
        .filter(|d| d.kind == entrepot_store::DatasetKind::Flows)
        .map(|d| d.name.clone())
        .collect();
    let own_sets: Vec<String> = store
        .datasets()
        .iter()
        .filter(|d| {
            d.kind == entrepot_store::DatasetKind::Flows
                && d.reporters.iter().any(|r| r == reporter)
        })
        .map(|d| d.name.clone())
        .collect();
    let dataset = match &args.dataset {
        Some(d) => {
            if store.dataset(d).is_none() {
                return Err(exit_error(
                    exit::NOT_FOUND,
                    format!("no dataset '{d}' in the store"),
                ));
            }
            Some(d.clone())
        }
        None if own_sets.len() > 1 => {
            return Err(exit_error(
                exit::USAGE,
                format!(
                    "several datasets hold flows of {reporter}: {}; choose one with --dataset",
                    own_sets.join(", ")
                ),
            ))
        }
        None => own_sets.first().cloned(),
    };
    let cubes = CubeEngine::new(&store).map_err(cube_error)?;
    let (dataset, cube) = match dataset {
        Some(d) => {
            let cube = cubes
                .run(&reporter_request(Some(d.as_str()), reporter))
                .map_err(cube_error)?;
            (Some(d), Some(cube))
        }
        None if flows_datasets.is_empty() => (None, None),
        // A reporter that no dataset holds as a reporter may still be a partner in
        // one: its flows are then all mirror figures.
        None => {
            let held = cubes
                .run(&reporter_request(None, reporter))
                .map_err(cube_error)?;
            let names: std::collections::BTreeSet<String> =
                held.cells().iter().map(|c| c.dataset.to_string()).collect();
            if names.len() > 1 {
                return Err(exit_error(
                    exit::USAGE,
                    format!(
                        "several datasets hold flows with {reporter}: {}; choose one with --dataset",
                        names.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            match names.into_iter().next() {
                Some(d) => (Some(d), Some(held)),
                None => (None, None),
            }
        }
    };
    let (flows, mirror_note, detail) = match &cube {
        Some(cube) => (
            cube.to_trade_flows().map_err(cube_error)?,
            mirror_note(cube, reporter),
            summed_levels(cube),
        ),
        None => (Vec::new(), None, None),
    };
    let facts: Vec<PublishedFigure> = store
        .load_facts(None)?
        .into_iter()
        .filter(|f| f.reporter == reporter)
        .collect();
    if flows.is_empty() && facts.is_empty() {
        if args.dataset.is_some() {
            return Err(exit_error(
                exit::NOT_FOUND,
                format!("dataset has no flows of {reporter}"),
            ));
        }
        return Ok(sample());
    }
    let label = match &dataset {
        Some(d) => {
            let mut l = format!("store {} (flows dataset '{d}'", ctx.store.display());
            if let Some(level) = detail {
                l.push_str(&format!(", partner totals summed from {level} rows"));
            }
            l.push(')');
            if let Some(note) = mirror_note {
                l.push_str("; ");
                l.push_str(&note);
            }
            l
        }
        None => format!("store {} (published figures)", ctx.store.display()),
    };
    Ok(Data {
        flows,
        facts,
        label,
    })
}

/// The cube the brief reads: the reporter's exports and imports by partner and
/// period (months, or years for annual data), with imports (exports) the reporter
/// does not report filled from its partners' exports (imports) — mirror cells,
/// declared `mirror`. One flow per partner, period and direction.
fn reporter_request(dataset: Option<&str>, reporter: &str) -> CubeRequest {
    let r = CubeRequest::new()
        .reporters([reporter])
        .flows([FlowKind::Export, FlowKind::Import])
        .by_partner()
        .by_period(PeriodGrain::Month)
        .mirror(Mirror::Fill)
        .quantity(false);
    match dataset {
        Some(d) => r.datasets([d]),
        None => r,
    }
}

/// Says which flows of the brief are mirror figures, for the brief's data basis.
fn mirror_note(cube: &Cube, reporter: &str) -> Option<String> {
    let summary = cube.summary();
    let cells = |side: Side, flow: FlowKind| {
        summary
            .iter()
            .filter(|(s, f, _, _)| *s == side && *f == flow)
            .map(|(_, _, n, _)| *n)
            .sum::<usize>()
    };
    let mut parts = Vec::new();
    for (flow, name, other) in [
        (FlowKind::Import, "imports", "exports to"),
        (FlowKind::Export, "exports", "imports from"),
    ] {
        let mirror = cells(Side::Mirror, flow);
        if mirror == 0 {
            continue;
        }
        let all = mirror + cells(Side::Reported, flow);
        let scope = if mirror == all {
            "all".to_string()
        } else {
            format!("{mirror} of {all} partner-period values")
        };
        parts.push(format!(
            "{name} of {reporter} are mirror figures ({scope}): the partners' reported {other} {reporter}, where {reporter} reports none"
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The HS levels the cube summed (`HS6`), when it summed product detail rather
/// than stored totals.
fn summed_levels(cube: &Cube) -> Option<String> {
    let levels: std::collections::BTreeSet<u8> = cube
        .cells()
        .iter()
        .map(|c| c.product_level)
        .filter(|l| *l > 0)
        .collect();
    (!levels.is_empty()).then(|| {
        levels
            .iter()
            .map(|l| format!("HS{l}"))
            .collect::<Vec<_>>()
            .join("/")
    })
}

/// A cube error as a command error with its exit code.
fn cube_error(e: CubeError) -> anyhow::Error {
    let code = match e {
        CubeError::UnknownDataset(_) | CubeError::Core(_) => exit::NOT_FOUND,
        CubeError::NotFlows(_) => exit::USAGE,
        _ => exit::FAILURE,
    };
    exit_error(code, e.to_string())
}

/// Runs the command.
pub fn run(args: &BriefArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let reporter = entrepot_core::CountryRegistry::builtin()
        .resolve(&args.reporter)
        .map_err(|e| exit_error(exit::NOT_FOUND, e.to_string()))?
        .iso3
        .clone();
    let period: Option<Period> = match &args.period {
        Some(p) => Some(
            p.parse()
                .map_err(|e: entrepot_core::CoreError| exit_error(exit::USAGE, e.to_string()))?,
        ),
        None => None,
    };
    let groups = super::groups::load_groups(args.groups_file.as_ref())?;
    let data = load(args, ctx, &reporter)?;
    if data.flows.is_empty() && data.facts.is_empty() {
        return Err(exit_error(
            exit::NOT_FOUND,
            format!("no data for {reporter}"),
        ));
    }
    let mut input = entrepot_brief::BriefInput::new(&reporter, &data.flows, &data.facts, &groups);
    input.period = period;
    input.data_label = data.label.clone();
    if !args.partners.is_empty() {
        input.partners_of_interest = args
            .partners
            .iter()
            .map(|p| p.trim().to_ascii_uppercase())
            .collect();
    }
    let brief = entrepot_brief::build_brief(&input)
        .map_err(|e| exit_error(exit::NOT_FOUND, e.to_string()))?;
    // the brief laid out as a report document, which every text format renders
    let doc = entrepot_brief::brief_document(&brief);
    let write_to = |path: &PathBuf, text: String| -> anyhow::Result<()> {
        if path.as_os_str() == "-" {
            std::io::stdout().lock().write_all(text.as_bytes())?;
        } else {
            std::fs::write(path, text)
                .map_err(|e| exit_error(exit::FAILURE, format!("{}: {e}", path.display())))?;
            eprintln!("wrote {}", path.display());
        }
        Ok(())
    };
    // With --markdown/--html the report goes to the file (or to stdout with `-`), and
    // nothing else is printed.
    let mut wrote = false;
    if let Some(p) = &args.markdown {
        write_to(p, entrepot_report::render_markdown(&doc))?;
        wrote = true;
    }
    if let Some(p) = &args.html {
        write_to(p, entrepot_report::render_html(&doc))?;
        wrote = true;
    }
    if wrote {
        return Ok(());
    }
    let text = match ctx.format {
        // the brief's own model (schema: crates/entrepot-brief/schema/brief.schema.json)
        Format::Json => entrepot_report::render_json_value(&brief)?,
        Format::Csv => entrepot_report::render_csv(
            &doc,
            &entrepot_report::CsvOptions::tables_starting_with("partners-"),
        ),
        Format::Table => entrepot_report::render_terminal(
            &doc,
            &entrepot_report::TerminalOptions {
                width: 100,
                color: ctx.color,
            },
        ),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
