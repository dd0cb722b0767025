//! Ingest: trade files (BACI, Comtrade, CSV, Parquet, Stata) or published-figure
//! tables into the store, atomically, with the bad-row policy of the request.

use crate::error::{AppError, AppResult};
use crate::listing::Listing;
use crate::location::StoreLocation;
use entrepot_io::{ColumnMapping, DecimalMark, ReadOptions, ReaderSpec};
use entrepot_store::{IngestOptions, Store, StoreError};
use std::path::{Path, PathBuf};

pub use entrepot_io::{Format as InputFormat, OnError};

/// The layouts of published-figure tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsLayout {
    /// `period,reporter,partner,flow,value_usd_bn,yoy_pct,source_url,note`.
    Customs,
    /// `period,indicator,reporter,partner,value,unit,yoy_pct,source_url,note`.
    Other,
}

/// A request to ingest files into a dataset of the store.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    /// The files to read.
    pub files: Vec<PathBuf>,
    /// The dataset name (default: the first file's stem made into an SQL identifier).
    pub dataset: Option<String>,
    /// The input format (default: detected from the extension and header).
    pub format: Option<InputFormat>,
    /// The HS revision of the product codes (`HS2017`, `H5`, …).
    pub hs: Option<String>,
    /// The column mapping of generic files (`reporter=exp,partner=imp,…`).
    pub map: Option<String>,
    /// The field delimiter of text files (`,`, `;`, `tab`, `|`); default: detected
    /// from the header line.
    pub delimiter: Option<String>,
    /// The decimal mark of numbers in text files (`.`, `,` or `auto`, the default:
    /// see `entrepot_io::textfmt` for the thousands separators each reads).
    pub decimal: Option<String>,
    /// The country-code table of a BACI release.
    pub countries: Option<PathBuf>,
    /// An exchange-rate table (`currency,period,per_usd,source`) for mapped files whose
    /// values are not in US dollars (`currency=` in the mapping): see
    /// `entrepot_io::fx`.
    pub fx: Option<PathBuf>,
    /// The bad-row policy.
    pub on_error: OnError,
    /// Where rejected rows go with [`OnError::Quarantine`] (default
    /// `NAME.rejected.csv`).
    pub quarantine: Option<PathBuf>,
    /// Read published-figure tables of this layout instead of flows.
    pub facts: Option<FactsLayout>,
    /// Replace an existing dataset of that name by a new version.
    pub replace: bool,
}

impl IngestRequest {
    /// A request to ingest `files` with the defaults (format detected, fail on the
    /// first bad row, no replacement).
    pub fn new(files: Vec<PathBuf>) -> Self {
        IngestRequest {
            files,
            dataset: None,
            format: None,
            hs: None,
            map: None,
            delimiter: None,
            decimal: None,
            countries: None,
            fx: None,
            on_error: OnError::Fail,
            quarantine: None,
            facts: None,
            replace: false,
        }
    }

    /// The sizes of the input files in bytes (0 for one that cannot be read), for a
    /// progress bar.
    pub fn input_sizes(&self) -> Vec<u64> {
        self.files
            .iter()
            .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
            .collect()
    }
}

/// What an ingest did: a one-row listing (dataset, version, rows, …, status) and
/// messages for the user (rows set aside in quarantine).
#[derive(Debug, Clone)]
pub struct IngestOutcome {
    /// The summary row.
    pub summary: Listing,
    /// Informational messages.
    pub messages: Vec<String>,
}

/// The largest published-figure file read (they are read whole).
const MAX_FACTS_FILE_BYTES: u64 = 64 << 20;

/// Ingests the files of a request. `progress(bytes_read, total_bytes)` is called as
/// the sources are read. On any failure the store is left as it was.
pub fn ingest(
    location: &StoreLocation,
    req: &IngestRequest,
    progress: &dyn Fn(u64, u64),
) -> AppResult<IngestOutcome> {
    location.write_with(|store| ingest_into(store, req, progress))
}

/// [`ingest`] on a local store (an object store's staging store included).
fn ingest_into(
    location: &StoreLocation,
    req: &IngestRequest,
    progress: &dyn Fn(u64, u64),
) -> AppResult<IngestOutcome> {
    let name = dataset_name(req)?;
    for f in &req.files {
        check_input(f, "file")?;
    }
    if let Some(c) = &req.countries {
        check_input(c, "country table (--countries)")?;
    }
    let mut store = location.open_write()?;
    if let Some(layout) = req.facts {
        return ingest_facts(req, &mut store, &name, layout);
    }
    let hs = parse_hs(req.hs.as_deref())?;
    let mapping = mapping_with_fx(req.map.as_deref(), req.fx.as_deref())?;
    let (delimiter, decimal) = text_options(req.delimiter.as_deref(), req.decimal.as_deref())?;
    let mut readers = Vec::new();
    for f in &req.files {
        let spec = ReaderSpec {
            format: req.format,
            mapping: mapping.clone(),
            hs_revision: hs,
            country_table: req.countries.clone(),
            dataset: name.clone(),
            options: ReadOptions {
                on_error: req.on_error,
                delimiter,
                decimal,
                ..ReadOptions::default()
            },
            ..ReaderSpec::default()
        };
        readers.push(entrepot_io::open_reader(f, &spec)?);
    }
    let quarantine = quarantine_path(req.on_error, req.quarantine.as_ref(), &name);
    let opts = IngestOptions {
        on_error: req.on_error,
        quarantine_path: quarantine.clone(),
        replace: req.replace,
        source_files: req.files.clone(),
    };
    let sizes = req.input_sizes();
    let total: u64 = sizes.iter().sum();
    let report = store.ingest(
        &name,
        readers,
        &opts,
        &|p: entrepot_store::IngestProgress| {
            let before: u64 = sizes.iter().take(p.source_index).sum();
            progress(before + p.bytes_read, total);
        },
    )?;
    let mut summary = Listing::new(&[
        "dataset",
        "version",
        "rows",
        "rejected",
        "partitions",
        "status",
        "quarantine",
    ]);
    summary.push(vec![
        report.dataset.clone(),
        report.version.to_string(),
        report.rows.to_string(),
        report.rejected.to_string(),
        report.partitions.to_string(),
        status(report.unchanged),
        quarantine
            .filter(|_| report.rejected > 0)
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    ]);
    let mut messages = Vec::new();
    if let Some(d) = store.dataset(&name) {
        if d.value_currency() != "USD" {
            messages.push(format!(
                "values kept in {c} as the file gives them (no exchange-rate table, --fx, was given): figures from dataset '{name}' are in {c}, and never summed or compared with figures in another currency",
                c = d.value_currency()
            ));
        }
    }
    Ok(IngestOutcome { summary, messages })
}

/// The HS revision of a request (`--hs`), parsed.
pub(crate) fn parse_hs(hs: Option<&str>) -> AppResult<Option<entrepot_core::HsRevision>> {
    hs.map(|h| {
        h.parse()
            .map_err(|e: entrepot_core::CoreError| AppError::usage(e.to_string()))
    })
    .transpose()
}

/// The column mapping of a request (`--map`), with the exchange-rate table of `--fx`
/// attached (which needs the currency of the values in the mapping).
pub(crate) fn mapping_with_fx(
    map: Option<&str>,
    fx: Option<&Path>,
) -> AppResult<Option<ColumnMapping>> {
    let mut mapping = match map {
        Some(m) => Some(ColumnMapping::parse(m).map_err(|e| AppError::usage(e.to_string()))?),
        None => None,
    };
    if let Some(path) = fx {
        let Some(m) = mapping.as_mut() else {
            return Err(AppError::usage(
                "--fx converts the values of mapped files: give --map with currency=CODE or currency=COLUMN",
            ));
        };
        if m.currency.is_none() {
            return Err(AppError::usage(
                "--fx needs the currency of the values: add currency=CODE (e.g. currency=JPY) or currency=COLUMN to --map",
            ));
        }
        m.fx = Some(std::sync::Arc::new(load_fx(path)?));
    }
    Ok(mapping)
}

/// The delimiter (`--delimiter`, detected when `None`) and decimal mark (`--decimal`,
/// `auto` when `None`) of text files.
pub(crate) fn text_options(
    delimiter: Option<&str>,
    decimal: Option<&str>,
) -> AppResult<(Option<u8>, DecimalMark)> {
    let delimiter = match delimiter {
        Some(d) => Some(
            entrepot_io::textfmt::parse_delimiter(d).map_err(|e| AppError::usage(e.to_string()))?,
        ),
        None => None,
    };
    let decimal = match decimal {
        Some(d) => d
            .parse::<DecimalMark>()
            .map_err(|e| AppError::usage(e.to_string()))?,
        None => DecimalMark::Auto,
    };
    Ok((delimiter, decimal))
}

fn status(unchanged: bool) -> String {
    if unchanged { "unchanged" } else { "written" }.to_string()
}

/// Reads an exchange-rate table, naming it by its path and the SHA-256 of the bytes
/// read (recorded with the dataset's readers).
fn load_fx(path: &Path) -> AppResult<entrepot_io::fx::FxTable> {
    check_input(path, "exchange-rate table (--fx)")?;
    let text = entrepot_io::read_text_file(path).map_err(|e| AppError::bad_input(e.to_string()))?;
    let sha = entrepot_store::sha256_bytes(text.as_bytes());
    let label = format!("{} (sha256 {})", path.display(), &sha[..sha.len().min(16)]);
    entrepot_io::fx::FxTable::from_csv(&label, &text)
        .map_err(|e| AppError::bad_input(e.to_string()))
}

/// The dataset name: the request's, or the first file's stem made into an SQL
/// identifier.
fn dataset_name(req: &IngestRequest) -> AppResult<String> {
    let name = match &req.dataset {
        Some(d) => d.clone(),
        None => entrepot_query::sql_identifier(
            &req.files
                .first()
                .and_then(|f| f.file_stem())
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "dataset".into()),
        ),
    };
    entrepot_store::validate_dataset_name(&name).map_err(|e| AppError::usage(e.to_string()))?;
    Ok(name)
}

/// Checks that a file named in the request exists and is a file: a missing one is not
/// found, anything else (a symlink loop, a directory, no permission) says what the
/// system said.
pub(crate) fn check_input(f: &Path, what: &str) -> AppResult<()> {
    match std::fs::metadata(f) {
        Ok(m) if m.is_dir() => Err(AppError::usage(format!(
            "{}: is a directory, not a {what}",
            f.display()
        ))),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dangling = std::fs::symlink_metadata(f).is_ok();
            Err(AppError::not_found(if dangling {
                format!(
                    "{}: a symbolic link to a file that does not exist",
                    f.display()
                )
            } else {
                format!("{}: no such {what}", f.display())
            }))
        }
        Err(e) => Err(AppError::failure(format!("{}: {e}", f.display()))),
    }
}

fn ingest_facts(
    req: &IngestRequest,
    store: &mut Store,
    name: &str,
    layout: FactsLayout,
) -> AppResult<IngestOutcome> {
    let mut figures = Vec::new();
    let mut sources = Vec::new();
    let mut all_rejected = Vec::new();
    let mut messages = Vec::new();
    let quarantine = req
        .quarantine
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{name}.rejected.csv")));
    if req.on_error == OnError::Quarantine {
        check_not_an_input(&quarantine, &req.files)?;
    }
    for f in &req.files {
        let bytes = read_bounded(f, MAX_FACTS_FILE_BYTES)?;
        let label = f.display().to_string();
        let (figs, rejected) = match layout {
            FactsLayout::Customs => entrepot_io::read_customs_facts(&label, bytes.as_slice()),
            FactsLayout::Other => entrepot_io::read_other_facts(&label, bytes.as_slice()),
        }?;
        if let Some(first) = rejected.first() {
            if req.on_error == OnError::Fail {
                return Err(AppError::bad_input(format!(
                    "{first} ({} bad row(s) in this file; store unchanged)",
                    rejected.len()
                )));
            }
        }
        all_rejected.extend(rejected);
        figures.extend(figs);
        // The checksum of the bytes read, not of the file as it may be now.
        sources.push((f.clone(), entrepot_store::sha256_bytes(&bytes)));
    }
    if !all_rejected.is_empty() {
        // One quarantine file for every input's rejects.
        entrepot_io::write_quarantine(&quarantine, &all_rejected)?;
        messages.push(format!(
            "{} row(s) rejected, written to {}",
            all_rejected.len(),
            quarantine.display()
        ));
    }
    if let Some(e) = store.dataset(name).filter(|_| !req.replace) {
        let same = e.sources.len() == sources.len()
            && sources
                .iter()
                .all(|(_, sha)| e.sources.iter().any(|s| &s.sha256 == sha));
        if !same {
            return Err(StoreError::Exists {
                name: name.to_string(),
                version: e.version,
            }
            .into());
        }
    }
    let report = store.ingest_facts(name, figures, &sources)?;
    let mut summary = Listing::new(&["dataset", "version", "rows", "status"]);
    summary.push(vec![
        report.dataset.clone(),
        report.version.to_string(),
        report.rows.to_string(),
        status(report.unchanged),
    ]);
    Ok(IngestOutcome { summary, messages })
}

/// Refuses a quarantine path that is one of the inputs (another spelling of the
/// same path, a link to it or the same inode): writing it would destroy the input.
fn check_not_an_input(q: &Path, inputs: &[PathBuf]) -> AppResult<()> {
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
            return Err(AppError::usage(format!(
                "quarantine file {}: it is the input file {}, which it would overwrite; \
                 choose another --quarantine path",
                q.display(),
                f.display()
            )));
        }
    }
    Ok(())
}

/// Reads a whole file of at most `max` bytes; a larger one is refused before it is
/// read.
fn read_bounded(f: &Path, max: u64) -> AppResult<Vec<u8>> {
    use std::io::Read;
    let io_err = |e: std::io::Error| AppError::failure(format!("{}: {e}", f.display()));
    let file = std::fs::File::open(f).map_err(io_err)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(io_err)?;
    if bytes.len() as u64 > max {
        return Err(AppError::bad_input(format!(
            "{}: larger than {} MiB, the most a published-figure table may hold",
            f.display(),
            max >> 20
        )));
    }
    Ok(bytes)
}

/// Where the rejected rows of dataset `name` go: the given file, else
/// `NAME.rejected.csv`, with [`OnError::Quarantine`]; nowhere with [`OnError::Fail`].
pub(crate) fn quarantine_path(
    on_error: OnError,
    given: Option<&PathBuf>,
    name: &str,
) -> Option<PathBuf> {
    match on_error {
        OnError::Quarantine => Some(
            given
                .cloned()
                .unwrap_or_else(|| PathBuf::from(format!("{name}.rejected.csv"))),
        ),
        OnError::Fail => None,
    }
}
