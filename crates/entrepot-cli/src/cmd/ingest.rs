//! `entrepot ingest`: read trade files into the store, atomically.
//!
//! ```text
//! Usage: entrepot ingest FILE... --dataset NAME [--from baci|comtrade|comtrade-json|csv|parquet|dta]
//!                        [--hs REVISION] [--map SPEC] [--countries FILE]
//!                        [--on-error fail|quarantine] [--quarantine FILE] [--facts customs|other]
//!                        [--replace]
//!
//! Reads every FILE (format detected from the extension and header unless --from is
//! given), validates every row (country and product codes, numbers, units, duplicate
//! keys) and writes the dataset NAME into the store as Parquet, partitioned by reporter
//! and year. The ingest is atomic: on any failure, or if interrupted, the store is left
//! exactly as it was; ingesting the same files again gives the same dataset.
//!
//! --map SPEC        column mapping for generic CSV/Parquet/Stata files, e.g.
//!                   reporter=exp,partner=imp,period=time,value=export,flow=export
//! --hs REVISION     HS revision of product codes (HS2017, H5, …); BACI file names imply it
//! --countries FILE  the country-code table shipped with a BACI release
//! --on-error        fail (default): stop at the first bad row with file, line, column and
//!                   value, exit code 3, store unchanged; quarantine: write bad rows with
//!                   their reasons to --quarantine FILE (default NAME.rejected.csv) and
//!                   ingest the rest
//! --replace         replace an existing dataset of that name by a new version (without
//!                   it, ingesting into an existing name is refused unless the sources
//!                   are the very same files, which is a no-op)
//! --facts KIND      the files are published-figure tables (China customs facts layout
//!                   `customs` or the indicators layout `other`) instead of flows
//! ```

use crate::output::{exit, exit_error, print_rows};
use crate::Ctx;
use clap::{Args, ValueEnum};
use entrepot_io::{ColumnMapping, Format as InFormat, OnError, ReadOptions, ReaderSpec};
use entrepot_store::{IngestOptions, Store};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// CEPII BACI CSV (t,i,j,k,v,q; value in thousands of USD).
    Baci,
    /// UN Comtrade bulk or API CSV.
    Comtrade,
    /// UN Comtrade API JSON.
    ComtradeJson,
    /// A tidy CSV with --map.
    Csv,
    /// Parquet (canonical columns or --map).
    Parquet,
    /// Stata .dta with --map.
    Dta,
}

/// Published-figure layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FactsKind {
    /// `period,reporter,partner,flow,value_usd_bn,yoy_pct,source_url,note`.
    Customs,
    /// `period,indicator,reporter,partner,value,unit,yoy_pct,source_url,note`.
    Other,
}

/// What to do with bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnErrorArg {
    /// Stop at the first bad row; the store is unchanged.
    Fail,
    /// Set bad rows aside in a quarantine file and ingest the rest.
    Quarantine,
}

/// Arguments of `entrepot ingest`.
#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files to read.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Name of the dataset in the store (default: the first file's stem).
    #[arg(long)]
    pub dataset: Option<String>,
    /// Input format (default: detected).
    #[arg(long, value_enum)]
    pub from: Option<From>,
    /// HS revision of the product codes.
    #[arg(long)]
    pub hs: Option<String>,
    /// Column mapping for generic files.
    #[arg(long)]
    pub map: Option<String>,
    /// BACI country-code table.
    #[arg(long)]
    pub countries: Option<PathBuf>,
    /// Bad-row policy.
    #[arg(long, value_enum, default_value_t = OnErrorArg::Fail)]
    pub on_error: OnErrorArg,
    /// Where to write rejected rows in quarantine mode.
    #[arg(long)]
    pub quarantine: Option<PathBuf>,
    /// Read published-figure tables instead of flows.
    #[arg(long, value_enum)]
    pub facts: Option<FactsKind>,
    /// Replace an existing dataset of that name by a new version.
    #[arg(long)]
    pub replace: bool,
}

/// The largest published-figure file read (they are read whole).
const MAX_FACTS_FILE_BYTES: u64 = 64 << 20;

/// Checks that a file named on the command line exists and is a file: a missing one
/// is exit code 4, anything else (a symlink loop, a directory, no permission) says
/// what the system said.
fn check_input(f: &std::path::Path, what: &str) -> anyhow::Result<()> {
    match std::fs::metadata(f) {
        Ok(m) if m.is_dir() => Err(exit_error(
            exit::USAGE,
            format!("{}: is a directory, not a {what}", f.display()),
        )),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dangling = std::fs::symlink_metadata(f).is_ok();
            Err(exit_error(
                exit::NOT_FOUND,
                if dangling {
                    format!(
                        "{}: a symbolic link to a file that does not exist",
                        f.display()
                    )
                } else {
                    format!("{}: no such {what}", f.display())
                },
            ))
        }
        Err(e) => Err(exit_error(exit::FAILURE, format!("{}: {e}", f.display()))),
    }
}

/// The dataset name: `--dataset`, or the first file's stem made into an SQL identifier.
fn dataset_name(args: &IngestArgs) -> anyhow::Result<String> {
    let name = match &args.dataset {
        Some(d) => d.clone(),
        None => entrepot_query::sql_identifier(
            &args.files[0]
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "dataset".into()),
        ),
    };
    entrepot_store::validate_dataset_name(&name)
        .map_err(|e| exit_error(exit::USAGE, e.to_string()))?;
    Ok(name)
}

/// Runs the command.
pub fn run(args: &IngestArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let name = dataset_name(args)?;
    let on_error = match args.on_error {
        OnErrorArg::Fail => OnError::Fail,
        OnErrorArg::Quarantine => OnError::Quarantine,
    };
    for f in &args.files {
        check_input(f, "file")?;
    }
    if let Some(c) = &args.countries {
        check_input(c, "country table (--countries)")?;
    }
    let mut store = Store::open(&ctx.store).map_err(store_exit)?;
    if let Some(kind) = args.facts {
        return ingest_facts(args, ctx, &mut store, &name, kind);
    }
    let hs = match &args.hs {
        Some(h) => Some(
            h.parse()
                .map_err(|e: entrepot_core::CoreError| exit_error(exit::USAGE, e.to_string()))?,
        ),
        None => None,
    };
    let mapping = match &args.map {
        Some(m) => {
            Some(ColumnMapping::parse(m).map_err(|e| exit_error(exit::USAGE, e.to_string()))?)
        }
        None => None,
    };
    let format = args.from.map(|f| match f {
        From::Baci => InFormat::Baci,
        From::Comtrade => InFormat::Comtrade,
        From::ComtradeJson => InFormat::ComtradeJson,
        From::Csv => InFormat::Csv,
        From::Parquet => InFormat::Parquet,
        From::Dta => InFormat::Dta,
    });
    let mut readers = Vec::new();
    for f in &args.files {
        let spec = ReaderSpec {
            format,
            mapping: mapping.clone(),
            hs_revision: hs,
            country_table: args.countries.clone(),
            dataset: name.clone(),
            options: ReadOptions {
                on_error,
                ..ReadOptions::default()
            },
            ..ReaderSpec::default()
        };
        readers.push(entrepot_io::open_reader(f, &spec).map_err(io_exit)?);
    }
    let quarantine = match on_error {
        OnError::Quarantine => Some(
            args.quarantine
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("{name}.rejected.csv"))),
        ),
        OnError::Fail => None,
    };
    let opts = IngestOptions {
        on_error,
        quarantine_path: quarantine.clone(),
        replace: args.replace,
        source_files: args.files.clone(),
    };
    let sizes: Vec<u64> = args
        .files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .collect();
    let total: u64 = sizes.iter().sum();
    let bar = if ctx.progress {
        let b = ProgressBar::new(total);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} ingest {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_message(name.clone());
        b
    } else {
        ProgressBar::hidden()
    };
    let report = store
        .ingest(
            &name,
            readers,
            &opts,
            &|p: entrepot_store::IngestProgress| {
                let before: u64 = sizes.iter().take(p.source_index).sum();
                bar.set_position(before + p.bytes_read);
            },
        )
        .map_err(store_exit)?;
    bar.finish_and_clear();
    let rows = vec![vec![
        report.dataset.clone(),
        report.version.to_string(),
        report.rows.to_string(),
        report.rejected.to_string(),
        report.partitions.to_string(),
        if report.unchanged {
            "unchanged".into()
        } else {
            "written".into()
        },
        quarantine
            .filter(|_| report.rejected > 0)
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    ]];
    print_rows(
        ctx.format,
        &[
            "dataset",
            "version",
            "rows",
            "rejected",
            "partitions",
            "status",
            "quarantine",
        ],
        &rows,
    )
}

fn ingest_facts(
    args: &IngestArgs,
    ctx: &Ctx,
    store: &mut Store,
    name: &str,
    kind: FactsKind,
) -> anyhow::Result<()> {
    let mut figures = Vec::new();
    let mut sources = Vec::new();
    let mut all_rejected = Vec::new();
    let quarantine = args
        .quarantine
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{name}.rejected.csv")));
    if args.on_error == OnErrorArg::Quarantine {
        check_not_an_input(&quarantine, &args.files)?;
    }
    for f in &args.files {
        let bytes = read_bounded(f, MAX_FACTS_FILE_BYTES)?;
        let label = f.display().to_string();
        let (figs, rejected) = match kind {
            FactsKind::Customs => entrepot_io::read_customs_facts(&label, bytes.as_slice()),
            FactsKind::Other => entrepot_io::read_other_facts(&label, bytes.as_slice()),
        }
        .map_err(io_exit)?;
        if let Some(first) = rejected.first() {
            if args.on_error == OnErrorArg::Fail {
                return Err(exit_error(
                    exit::BAD_INPUT,
                    format!(
                        "{first} ({} bad row(s) in this file; store unchanged)",
                        rejected.len()
                    ),
                ));
            }
        }
        all_rejected.extend(rejected);
        figures.extend(figs);
        // The checksum of the bytes read, not of the file as it may be now.
        sources.push((f.clone(), entrepot_store::sha256_bytes(&bytes)));
    }
    if !all_rejected.is_empty() {
        // One quarantine file for every input's rejects.
        entrepot_io::write_quarantine(&quarantine, &all_rejected).map_err(io_exit)?;
        eprintln!(
            "{} row(s) rejected, written to {}",
            all_rejected.len(),
            quarantine.display()
        );
    }
    if let Some(e) = store.dataset(name).filter(|_| !args.replace) {
        let same = e.sources.len() == sources.len()
            && sources
                .iter()
                .all(|(_, sha)| e.sources.iter().any(|s| &s.sha256 == sha));
        if !same {
            return Err(store_exit(entrepot_store::StoreError::Exists {
                name: name.to_string(),
                version: e.version,
            }));
        }
    }
    let report = store
        .ingest_facts(name, figures, &sources)
        .map_err(store_exit)?;
    print_rows(
        ctx.format,
        &["dataset", "version", "rows", "status"],
        &[vec![
            report.dataset.clone(),
            report.version.to_string(),
            report.rows.to_string(),
            if report.unchanged {
                "unchanged".into()
            } else {
                "written".into()
            },
        ]],
    )
}

/// Refuses a quarantine path that is one of the inputs (another spelling of the
/// same path, a link to it or the same inode): writing it would destroy the input.
fn check_not_an_input(q: &std::path::Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let Ok(qm) = std::fs::metadata(q) else {
        return Ok(()); // a file that does not exist is no input
    };
    for f in inputs {
        let same = match std::fs::metadata(f) {
            #[cfg(unix)]
            Ok(m) => {
                use std::os::unix::fs::MetadataExt;
                m.dev() == qm.dev() && m.ino() == qm.ino()
            }
            #[cfg(not(unix))]
            Ok(_) => std::fs::canonicalize(f).ok() == std::fs::canonicalize(q).ok(),
            Err(_) => false,
        };
        if same {
            return Err(exit_error(
                exit::USAGE,
                format!(
                    "quarantine file {}: it is the input file {}, which it would overwrite; \
                     choose another --quarantine path",
                    q.display(),
                    f.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Reads a whole file of at most `max` bytes; a larger one is refused before it is
/// read.
fn read_bounded(f: &std::path::Path, max: u64) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(f)
        .map_err(|e| exit_error(exit::FAILURE, format!("{}: {e}", f.display())))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| exit_error(exit::FAILURE, format!("{}: {e}", f.display())))?;
    if bytes.len() as u64 > max {
        return Err(exit_error(
            exit::BAD_INPUT,
            format!(
                "{}: larger than {} MiB, the most a published-figure table may hold",
                f.display(),
                max >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// Maps a reader error to an exit code: bad rows are exit code 3.
pub fn io_exit(e: entrepot_io::IoError) -> anyhow::Error {
    match e {
        entrepot_io::IoError::Row(_) => {
            exit_error(exit::BAD_INPUT, format!("{e}; store unchanged"))
        }
        other => exit_error(exit::FAILURE, other.to_string()),
    }
}

/// Maps a store error to an exit code: bad rows and ingests that would store
/// nothing are 3, a refused name, replace or quarantine path is 2, a missing
/// dataset or store is 4, the rest 1.
pub fn store_exit(e: entrepot_store::StoreError) -> anyhow::Error {
    use entrepot_store::StoreError as E;
    let msg = e.to_string();
    match e {
        E::Row(_)
        | E::Read {
            error: entrepot_io::IoError::Row(_),
            ..
        } => exit_error(exit::BAD_INPUT, format!("{msg}; store unchanged")),
        E::Empty { .. } => exit_error(exit::BAD_INPUT, msg),
        E::Exists { .. }
        | E::NameCollision { .. }
        | E::BadQuarantine { .. }
        | E::InvalidName(_)
        | E::KindMismatch { .. } => exit_error(exit::USAGE, msg),
        E::NotFound(_) | E::NoStore { .. } => exit_error(exit::NOT_FOUND, msg),
        _ => exit_error(exit::FAILURE, msg),
    }
}
