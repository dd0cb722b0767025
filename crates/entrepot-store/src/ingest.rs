//! Ingest: reading the sources on a thread of their own (with their checksums
//! computed alongside), the duplicate-key check, quarantine, writing the files in a
//! staging folder and committing them with the manifest; published-figure ingests.

use super::*;

impl Store {
    /// Streams the batches of `sources` into a new version of the flows dataset
    /// `name` and commits it atomically. See the crate docs for the guarantees.
    pub fn ingest(
        &mut self,
        name: &str,
        sources: Vec<Box<dyn FlowReader>>,
        opts: &IngestOptions,
        progress: &dyn Fn(IngestProgress),
    ) -> Result<IngestReport, StoreError> {
        let fresh = self.is_uninitialised();
        let result = self.ingest_flows(name, sources, opts, progress);
        if result.is_err() && fresh {
            self.undo_initialisation();
        }
        result
    }

    /// Whether the store has no manifest on disk yet (its first write initialises it).
    pub(crate) fn is_uninitialised(&self) -> bool {
        fs::symlink_metadata(self.dir.join(MANIFEST_FILE)).is_err()
    }

    /// After a failed first write: removes what initialising wrote (the empty
    /// manifest and the readers' lock file), so that the directory is as it was.
    pub(crate) fn undo_initialisation(&mut self) {
        if !self.manifest.datasets.is_empty() {
            return;
        }
        let _ = fs::remove_file(self.dir.join(MANIFEST_FILE));
        let _ = fs::remove_file(self.dir.join(lock::READERS_FILE));
        remove_dir_if_empty(&self.dir.join(STAGING_DIR));
        remove_dir_if_empty(&self.dir.join(DATASETS_DIR));
    }

    pub(crate) fn ingest_flows(
        &mut self,
        name: &str,
        sources: Vec<Box<dyn FlowReader>>,
        opts: &IngestOptions,
        progress: &dyn Fn(IngestProgress),
    ) -> Result<IngestReport, StoreError> {
        let start = Instant::now();
        self.check_quarantine_path(opts)?;
        let (lock, existing) = self.begin_write(name, DatasetKind::Flows)?;
        let before = snapshot_sources(&opts.source_files)?;
        // The checksums of the sources decide whether an existing dataset is unchanged
        // (after checking that its stored files are intact: a damaged dataset is
        // written again); when they cannot (no dataset yet, or `replace`), they are
        // computed on a thread of their own while the sources are read.
        let mut existing_intact = false;
        // Readers that hash their file as they read it (see `entrepot_io::digest`):
        // those files are not read a second time.
        let mut digests: Vec<std::sync::Arc<entrepot_io::SourceDigest>> = Vec::new();
        let hashing = if let Some(e) = existing.as_ref().filter(|_| !opts.replace) {
            let source_files = hash_sources(&opts.source_files)?;
            if source_files.is_empty() || !same_sources(&e.sources, &source_files) {
                return Err(StoreError::Exists {
                    name: name.into(),
                    version: e.version,
                });
            }
            if self.verify_dataset(e, true).is_empty() {
                return Ok(unchanged_report(e, start));
            }
            std::thread::spawn(move || Ok(source_files))
        } else {
            existing_intact = existing
                .as_ref()
                .is_some_and(|e| self.verify_dataset(e, false).is_empty());
            digests = sources.iter().filter_map(|r| r.source_digest()).collect();
            let paths: Vec<PathBuf> = opts
                .source_files
                .iter()
                .filter(|p| !digests.iter().any(|d| d.path() == p.as_path()))
                .cloned()
                .collect();
            std::thread::spawn(move || hash_sources(&paths))
        };
        let readers: Vec<String> = sources.iter().map(|r| r.describe()).collect();
        let staging = self.new_staging(name)?;
        let written = self.write_flows(&staging, sources, opts, progress);
        let hashed = hashing
            .join()
            .unwrap_or_else(|_| Err(StoreError::Corrupt("hashing the sources panicked".into())));
        let checked = written.and_then(|w| {
            let source_files = with_digests(&opts.source_files, hashed?, &digests)?;
            // The recorded checksums are those of the bytes read only if no source
            // changed while it was read.
            check_sources_unchanged(&before, &source_files)?;
            if w.1 == 0 {
                return Err(StoreError::Empty {
                    name: name.to_string(),
                    rejected: w.2,
                });
            }
            Ok((w, source_files))
        });
        let ((written, rows, rejected, currency), source_files) = match checked {
            Ok(x) => x,
            Err(e) => {
                self.discard_staging(&staging);
                return Err(e);
            }
        };
        let files = written.files;
        let checksum = content_checksum(&files);
        if let Some(e) = &existing {
            // (a version whose manifest entry does not record what its rows hold is
            // written again, with the record)
            if e.checksum == checksum && existing_intact && e.content.is_some() {
                self.discard_staging(&staging);
                return Ok(unchanged_report(e, start));
            }
        }
        progress(IngestProgress {
            phase: IngestPhase::Committing,
            source_index: readers.len().saturating_sub(1),
            source_count: readers.len(),
            source: String::new(),
            bytes_read: 0,
            bytes_total: None,
            rows,
            rejected,
        });
        let years: BTreeSet<i32> = files.iter().filter_map(|f| f.year).collect();
        let now = time::unix_now();
        let info = DatasetInfo {
            name: name.to_string(),
            kind: DatasetKind::Flows,
            version: 0,
            path: String::new(),
            created_at: format_rfc3339(now),
            created_at_unix: now,
            entrepot_version: ENTREPOT_VERSION.to_string(),
            sources: source_files,
            readers,
            rows,
            rejected,
            reporters: written.reporters.into_iter().collect(),
            years: years.into_iter().collect(),
            partition_columns: vec![col::YEAR.into()],
            partitions: files,
            checksum,
            currency: Some(currency),
            content: Some(written.content),
        };
        let info = match self.commit(&lock, &staging, info) {
            Ok(i) => i,
            Err(e) => {
                self.discard_staging(&staging);
                return Err(e);
            }
        };
        drop(lock);
        let report = report_of(&info, false, start);
        progress(IngestProgress {
            phase: IngestPhase::Done,
            source_index: info.readers.len().saturating_sub(1),
            source_count: info.readers.len(),
            source: String::new(),
            bytes_read: 0,
            bytes_total: None,
            rows,
            rejected,
        });
        Ok(IngestReport {
            quarantine_path: match opts.on_error {
                OnError::Quarantine => opts.quarantine_path.clone(),
                OnError::Fail => None,
            },
            ..report
        })
    }

    /// Refuses a quarantine file that is one of the inputs (same path, a link to
    /// it, or the same inode) or that lies inside the store.
    pub(crate) fn check_quarantine_path(&self, opts: &IngestOptions) -> Result<(), StoreError> {
        let (OnError::Quarantine, Some(q)) = (opts.on_error, &opts.quarantine_path) else {
            return Ok(());
        };
        let refuse = |message: String| StoreError::BadQuarantine {
            quarantine: q.clone(),
            message,
        };
        let q_abs = std::path::absolute(q).at(q)?;
        let q_parent = q_abs
            .parent()
            .and_then(|p| fs::canonicalize(p).ok())
            .unwrap_or_else(|| q_abs.clone());
        let store = fs::canonicalize(&self.dir).unwrap_or_else(|_| self.dir.clone());
        if q_parent.starts_with(&store) {
            return Err(refuse(format!(
                "it is inside the store {}",
                self.dir.display()
            )));
        }
        let q_meta = fs::metadata(q).ok();
        for input in &opts.source_files {
            let same_path = fs::canonicalize(input)
                .ok()
                .zip(q_abs.file_name().map(|n| q_parent.join(n)))
                .is_some_and(|(a, b)| a == b);
            if same_path || q_meta.as_ref().is_some_and(|m| same_inode(m, input)) {
                return Err(refuse(format!(
                    "it is the input file {}, which it would overwrite",
                    input.display()
                )));
            }
        }
        Ok(())
    }

    /// Reads the sources on a thread of their own (parsing and validation overlap the
    /// encoding of the previous batches), checks keys across sources and routes the
    /// rows to the year files. Returns the files, the reporters, and the rows stored
    /// and rejected.
    pub(crate) fn write_flows(
        &self,
        staging: &Path,
        sources: Vec<Box<dyn FlowReader>>,
        opts: &IngestOptions,
        progress: &dyn Fn(IngestProgress),
    ) -> Result<WrittenFlows, StoreError> {
        let mut sink = writer::PartitionSink::new(staging, self.limits);
        let mut quarantine = Quarantine::new(opts)?;
        // A reader that rejects repeated keys itself needs no check when it is the
        // only source; otherwise every key is checked against the keys of the
        // sources read before it (and of its own rows, for readers that do not
        // check).
        let check_own: Vec<bool> = sources.iter().map(|r| !r.keys_unique()).collect();
        let check_keys = sources.len() > 1 || check_own.iter().any(|c| *c);
        let mut keys = keys::KeyCheck::new(sources.len());
        let mut rows = 0u64;
        let mut currency: Option<(entrepot_io::fx::CurrencyCode, String)> = None;
        let count = sources.len();
        let descs: Vec<String> = sources.iter().map(|r| r.describe()).collect();
        std::thread::scope(|scope| -> Result<(), StoreError> {
            // Two batches in flight bound the memory of the pipeline.
            let (tx, rx) = std::sync::mpsc::sync_channel::<ReadMsg>(2);
            let reading = scope.spawn(move || read_sources(sources, tx));
            // `rx` is dropped when this returns, which stops the reading thread early
            // if the ingest failed.
            let consume = || -> Result<(), StoreError> {
                let rx = rx;
                let mut finished = false;
                for msg in rx.iter() {
                    let ReadMsg::Batch {
                        index,
                        batch,
                        rejected,
                        bytes_read,
                        bytes_total,
                        currency: source_currency,
                    } = msg
                    else {
                        finished = true;
                        break;
                    };
                    let desc = &descs[index];
                    let batch = batch.map_err(|error| StoreError::Read {
                        reader: desc.clone(),
                        error,
                    })?;
                    quarantine.add(rejected)?;
                    let Some(batch) = batch else { continue };
                    check_flow_schema(&batch, desc)?;
                    if batch.num_rows() > 0 {
                        // One currency per dataset; the files' value column says which.
                        let c = source_currency.ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "{desc} returned rows without saying their currency"
                            ))
                        })?;
                        match &currency {
                            None => {
                                sink.set_currency(c.as_str());
                                currency = Some((c, desc.clone()));
                            }
                            Some((first, first_source)) if *first != c => {
                                return Err(StoreError::MixedCurrencies {
                                    first_source: first_source.clone(),
                                    first: first.to_string(),
                                    second_source: desc.clone(),
                                    second: c.to_string(),
                                })
                            }
                            Some(_) => {}
                        }
                    }
                    let batch = if check_keys {
                        let (batch, dups) = keys.filter(&batch, desc, index, check_own[index])?;
                        quarantine.add(dups)?;
                        batch
                    } else {
                        batch
                    };
                    rows += batch.num_rows() as u64;
                    sink.push(&batch)?;
                    crash_point("reading");
                    progress(IngestProgress {
                        phase: IngestPhase::Reading,
                        source_index: index,
                        source_count: count,
                        source: desc.clone(),
                        bytes_read,
                        bytes_total,
                        rows,
                        rejected: quarantine.count,
                    });
                }
                if finished {
                    Ok(())
                } else {
                    Err(reader_panicked())
                }
            };
            let consumed = consume();
            let joined = reading.join();
            consumed?;
            joined.map_err(|_| reader_panicked())
        })?;
        let rejected = quarantine.finish()?;
        let written = sink.finish()?;
        let currency = currency.map_or(entrepot_io::fx::CurrencyCode::USD, |c| c.0);
        Ok((written, rows, rejected, currency.to_string()))
    }

    /// Stores published figures as a new version of the facts dataset `name`
    /// (replacing any previous version) with the same atomic commit as flows.
    /// `source_files` are `(path, sha256)` pairs recorded in the manifest.
    pub fn ingest_facts(
        &mut self,
        name: &str,
        figures: Vec<PublishedFigure>,
        source_files: &[(PathBuf, String)],
    ) -> Result<IngestReport, StoreError> {
        let fresh = self.is_uninitialised();
        let result = self.write_facts(name, figures, source_files);
        if result.is_err() && fresh {
            self.undo_initialisation();
        }
        result
    }

    pub(crate) fn write_facts(
        &mut self,
        name: &str,
        figures: Vec<PublishedFigure>,
        source_files: &[(PathBuf, String)],
    ) -> Result<IngestReport, StoreError> {
        let start = Instant::now();
        let (lock, existing) = self.begin_write(name, DatasetKind::Facts)?;
        if figures.is_empty() {
            return Err(StoreError::Empty {
                name: name.to_string(),
                rejected: 0,
            });
        }
        let staging = self.new_staging(name)?;
        let written = (|| -> Result<PartitionFile, StoreError> {
            let path = staging.join("facts.parquet");
            let batch = facts::figures_to_batch(&figures)?;
            let file = File::create(&path).at(&path)?;
            let named = |e: parquet::errors::ParquetError| StoreError::from(e).in_file(&path);
            let mut w =
                ArrowWriter::try_new(file, facts_schema(), Some(writer::writer_properties()))
                    .map_err(named)?;
            w.write(&batch).map_err(named)?;
            let file = w.into_inner().map_err(named)?;
            file.sync_all().at(&path)?;
            sync_dir(&staging)?;
            let (sha256, bytes) = sha256_file(&path)?;
            Ok(PartitionFile {
                path: "facts.parquet".into(),
                reporter: None,
                reporter_range: None,
                year: None,
                rows: figures.len() as u64,
                bytes,
                sha256,
            })
        })();
        let file = match written {
            Ok(f) => f,
            Err(e) => {
                self.discard_staging(&staging);
                return Err(e);
            }
        };
        let files = vec![file];
        let checksum = content_checksum(&files);
        if let Some(e) = &existing {
            if e.checksum == checksum {
                self.discard_staging(&staging);
                return Ok(unchanged_report(e, start));
            }
        }
        let reporters: BTreeSet<String> = figures.iter().map(|f| f.reporter.clone()).collect();
        let years: BTreeSet<i32> = figures
            .iter()
            .flat_map(|f| [f.span.start.year(), f.span.end.year()])
            .collect();
        let now = time::unix_now();
        let info = DatasetInfo {
            name: name.to_string(),
            kind: DatasetKind::Facts,
            version: 0,
            path: String::new(),
            created_at: format_rfc3339(now),
            created_at_unix: now,
            entrepot_version: ENTREPOT_VERSION.to_string(),
            sources: source_files
                .iter()
                .map(|(p, sha)| SourceFile {
                    path: p.display().to_string(),
                    sha256: sha.clone(),
                    size: fs::metadata(p).ok().map(|m| m.len()),
                })
                .collect(),
            readers: Vec::new(),
            rows: figures.len() as u64,
            rejected: 0,
            reporters: reporters.into_iter().collect(),
            years: years.into_iter().collect(),
            partition_columns: Vec::new(),
            partitions: files,
            checksum,
            currency: None,
            content: None,
        };
        let info = match self.commit(&lock, &staging, info) {
            Ok(i) => i,
            Err(e) => {
                self.discard_staging(&staging);
                return Err(e);
            }
        };
        Ok(report_of(&info, false, start))
    }
}

/// What identifies the content of a source file cheaply: size, modification time
/// and inode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceStamp {
    path: PathBuf,
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: (u64, u64),
}

pub(crate) fn stamp(path: &Path) -> Result<SourceStamp, StoreError> {
    let m = fs::metadata(path).at(path)?;
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let inode = (0, 0);
    Ok(SourceStamp {
        path: path.to_path_buf(),
        len: m.len(),
        modified: m.modified().ok(),
        inode,
    })
}

/// The stamps of the source files before they are read.
pub(crate) fn snapshot_sources(paths: &[PathBuf]) -> Result<Vec<SourceStamp>, StoreError> {
    paths.iter().map(|p| stamp(p)).collect()
}

/// Fails with [`StoreError::SourceChanged`] when a source's stamp moved while it was
/// read, or when the bytes hashed are not the file's size then.
pub(crate) fn check_sources_unchanged(
    before: &[SourceStamp],
    hashed: &[SourceFile],
) -> Result<(), StoreError> {
    for (i, b) in before.iter().enumerate() {
        let now = stamp(&b.path).ok();
        let size_hashed = hashed.get(i).and_then(|h| h.size);
        if now.as_ref() != Some(b) || size_hashed.is_some_and(|n| n != b.len) {
            return Err(StoreError::SourceChanged {
                path: b.path.clone(),
            });
        }
    }
    Ok(())
}

/// Whether `m` (the metadata of one file) is the same file as `other`.
pub(crate) fn same_inode(m: &fs::Metadata, other: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(other).is_ok_and(|o| o.dev() == m.dev() && o.ino() == m.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (m, other);
        false
    }
}

/// The SHA-256 and size of every source file.
pub(crate) fn hash_sources(paths: &[PathBuf]) -> Result<Vec<SourceFile>, StoreError> {
    paths
        .iter()
        .map(|p| {
            sha256_file(p).map(|(sha256, size)| SourceFile {
                path: p.display().to_string(),
                sha256,
                size: Some(size),
            })
        })
        .collect()
}

/// The checksums of `paths`, in order: from the readers' `digests` where a reader
/// read its file whole (else the file is hashed now), the others from `hashed` (the
/// files that no reader hashed, hashed on a thread of their own, in order).
pub(crate) fn with_digests(
    paths: &[PathBuf],
    hashed: Vec<SourceFile>,
    digests: &[std::sync::Arc<entrepot_io::SourceDigest>],
) -> Result<Vec<SourceFile>, StoreError> {
    if digests.is_empty() {
        return Ok(hashed);
    }
    let mut rest = hashed.into_iter();
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        match digests.iter().find(|d| d.path() == p.as_path()) {
            Some(d) => {
                let (sha256, size) = match d.get() {
                    Some((sha, n)) => (sha.to_string(), n),
                    None => sha256_file(p)?,
                };
                out.push(SourceFile {
                    path: p.display().to_string(),
                    sha256,
                    size: Some(size),
                });
            }
            None => out.push(
                rest.next()
                    .ok_or_else(|| StoreError::Corrupt("a source was not hashed".into()))?,
            ),
        }
    }
    Ok(out)
}

pub(crate) fn same_sources(a: &[SourceFile], b: &[SourceFile]) -> bool {
    let mut x: Vec<&str> = a.iter().map(|s| s.sha256.as_str()).collect();
    let mut y: Vec<&str> = b.iter().map(|s| s.sha256.as_str()).collect();
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

pub(crate) fn report_of(info: &DatasetInfo, unchanged: bool, start: Instant) -> IngestReport {
    let partitions: BTreeSet<(Option<&String>, Option<i32>)> = info
        .partitions
        .iter()
        .map(|p| (p.reporter.as_ref(), p.year))
        .collect();
    IngestReport {
        dataset: info.name.clone(),
        version: info.version,
        rows: info.rows,
        rejected: info.rejected,
        partitions: partitions.len(),
        files: info.partitions.len(),
        unchanged,
        checksum: info.checksum.clone(),
        quarantine_path: None,
        duration: start.elapsed(),
    }
}

pub(crate) fn unchanged_report(info: &DatasetInfo, start: Instant) -> IngestReport {
    report_of(info, true, start)
}

pub(crate) fn check_flow_schema(batch: &RecordBatch, desc: &str) -> Result<(), StoreError> {
    let want = flows_schema();
    let got = batch.schema();
    let same = got.fields().len() == want.fields().len()
        && got
            .fields()
            .iter()
            .zip(want.fields().iter())
            .all(|(g, w)| g.name() == w.name() && g.data_type() == w.data_type());
    if same {
        Ok(())
    } else {
        Err(StoreError::Read {
            reader: desc.to_string(),
            error: entrepot_io::IoError::Schema(format!(
                "batch does not have the canonical flows schema: {got:?}"
            )),
        })
    }
}

/// The error of an ingest whose reading thread stopped without finishing (a reader
/// panicked).
pub(crate) fn reader_panicked() -> StoreError {
    StoreError::Corrupt("a reader panicked before the end of its source".into())
}

/// A message from the reading thread of an ingest.
pub(crate) enum ReadMsg {
    /// The outcome of one `next_batch` call of source `index`: `Ok(None)` when the
    /// source is exhausted, an error stops the reading.
    Batch {
        index: usize,
        batch: Result<Option<RecordBatch>, entrepot_io::IoError>,
        rejected: Vec<RowError>,
        bytes_read: u64,
        bytes_total: Option<u64>,
        /// The currency of the source's values so far.
        currency: Option<entrepot_io::fx::CurrencyCode>,
    },
    /// Every source was read to its end.
    Done,
}

/// Reads the sources in order and sends their batches; stops at the first error or
/// when the receiver is gone (the ingest failed).
pub(crate) fn read_sources(
    sources: Vec<Box<dyn FlowReader>>,
    tx: std::sync::mpsc::SyncSender<ReadMsg>,
) {
    for (index, mut reader) in sources.into_iter().enumerate() {
        loop {
            let batch = reader.next_batch();
            let stop = batch.is_err();
            let end = matches!(batch, Ok(None));
            let rejected = if stop {
                Vec::new()
            } else {
                reader.take_rejected()
            };
            let (bytes_read, bytes_total) = reader.progress();
            let msg = ReadMsg::Batch {
                index,
                batch,
                rejected,
                bytes_read,
                bytes_total,
                currency: reader.currency(),
            };
            if tx.send(msg).is_err() || stop {
                return;
            }
            if end {
                break;
            }
        }
    }
    let _ = tx.send(ReadMsg::Done);
}

/// Rejected rows, counted and optionally written to a CSV file.
pub(crate) struct Quarantine {
    mode: OnError,
    writer: Option<(csv::Writer<File>, PathBuf)>,
    count: u64,
}

impl Quarantine {
    fn new(opts: &IngestOptions) -> Result<Self, StoreError> {
        let writer = match (&opts.on_error, &opts.quarantine_path) {
            (OnError::Quarantine, Some(p)) => {
                let f = File::create(p).at(p)?;
                let mut w = csv::Writer::from_writer(f);
                w.write_record(["file", "line", "column", "value", "message", "raw"])
                    .map_err(|e| csv_err(p, e))?;
                Some((w, p.clone()))
            }
            _ => None,
        };
        Ok(Quarantine {
            mode: opts.on_error,
            writer,
            count: 0,
        })
    }

    fn add(&mut self, rows: Vec<RowError>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        if self.mode == OnError::Fail {
            if let Some(first) = rows.into_iter().next() {
                return Err(StoreError::Row(Box::new(first)));
            }
            return Ok(());
        }
        self.count += rows.len() as u64;
        if let Some((w, p)) = self.writer.as_mut() {
            for r in rows {
                w.write_record([
                    r.file.as_str(),
                    &r.line.to_string(),
                    r.column.as_deref().unwrap_or(""),
                    r.value.as_deref().unwrap_or(""),
                    r.message.as_str(),
                    r.raw.as_deref().unwrap_or(""),
                ])
                .map_err(|e| csv_err(p, e))?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<u64, StoreError> {
        if let Some((mut w, p)) = self.writer {
            w.flush().at(&p)?;
        }
        Ok(self.count)
    }
}

pub(crate) fn csv_err(p: &Path, e: csv::Error) -> StoreError {
    StoreError::fs(p, std::io::Error::other(e.to_string()))
}
