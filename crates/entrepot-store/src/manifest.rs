//! The manifest: `DIR/manifest.json`, the single source of truth of a store.
//!
//! Readers trust only the manifest: a directory that the manifest does not name is
//! garbage from an interrupted write and is removed by the next writer.
//!
//! Schema version 2 (this build) records, for each flows file, its year and the range
//! of reporters it holds ([`PartitionFile::reporter_range`], layout 2, see
//! [`FileLayout`]). Version-1 manifests, whose flows files each hold one reporter
//! named only in their path ([`PartitionFile::reporter`], layout 1), are still read;
//! the first write to such a store saves its manifest as version 2, with the old
//! datasets' files and entries unchanged.

use crate::error::StoreError;
use crate::fsutil::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The manifest schema version this build writes. It also reads every older
/// version down to [`OLDEST_MANIFEST_SCHEMA_VERSION`].
pub const MANIFEST_SCHEMA_VERSION: u32 = 2;

/// The oldest manifest schema version this build reads (stores of layout 1).
pub const OLDEST_MANIFEST_SCHEMA_VERSION: u32 = 1;

/// Name of the manifest file in the store directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// What a dataset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    /// Trade flows, partitioned by year (layout 2) or, in stores written before
    /// manifest version 2, by reporter and year (layout 1).
    Flows,
    /// Published figures, in one `facts.parquet`.
    Facts,
}

impl DatasetKind {
    /// `flows` or `facts`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DatasetKind::Flows => "flows",
            DatasetKind::Facts => "facts",
        }
    }
}

impl std::fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source file an ingest read, identified by content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// The path as given by the caller.
    pub path: String,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Size in bytes (`None` when only the checksum was given).
    pub size: Option<u64>,
}

/// How a stored Parquet file is laid out: where its reporters and year are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLayout {
    /// Layout 1 (stores written before manifest version 2): one reporter and one
    /// year per file, `reporter=<R>/year=<YYYY>/part-<k>.parquet`; neither
    /// `reporter` nor `year` is a column of the file, both are in the path (and in
    /// [`PartitionFile::reporter`] and [`PartitionFile::year`]).
    ReporterYear,
    /// Layout 2: one year per file, `year=<YYYY>/part-<k>.parquet`; `reporter` is a
    /// column of the file (its range in [`PartitionFile::reporter_range`]), `year`
    /// is only in the path.
    Year,
    /// `facts.parquet` of a facts dataset: every column is in the file.
    Facts,
}

/// The smallest and largest reporter code of a flows file (string order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterRange {
    /// Smallest reporter code in the file.
    pub min: String,
    /// Largest reporter code in the file.
    pub max: String,
}

impl ReporterRange {
    /// Whether `reporter` lies in the range (it may still be absent from the file).
    pub fn contains(&self, reporter: &str) -> bool {
        self.min.as_str() <= reporter && reporter <= self.max.as_str()
    }
}

/// One Parquet file of a dataset version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionFile {
    /// Path relative to the version directory: `year=2016/part-0.parquet` (flows),
    /// `reporter=CHN/year=2016/part-0.parquet` (flows of layout 1) or
    /// `facts.parquet`.
    pub path: String,
    /// Layout 1 only: the file's one reporter, which is in its path and not in the
    /// file.
    pub reporter: Option<String>,
    /// Layout 2 only: the smallest and largest reporter in the file's `reporter`
    /// column, so that readers skip the files that cannot hold a reporter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter_range: Option<ReporterRange>,
    /// Year partition value (flows only), also in the path.
    pub year: Option<i32>,
    /// Number of rows.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
}

impl PartitionFile {
    /// How the file is laid out (from the manifest entry, which
    /// [`Manifest::validate`] has checked against the path).
    pub fn layout(&self) -> FileLayout {
        match (&self.reporter, &self.reporter_range) {
            (Some(_), _) => FileLayout::ReporterYear,
            (None, Some(_)) => FileLayout::Year,
            (None, None) => FileLayout::Facts,
        }
    }

    /// The smallest and largest reporter the file can hold, in either layout
    /// (`None` for facts).
    pub fn reporter_bounds(&self) -> Option<(&str, &str)> {
        match (&self.reporter, &self.reporter_range) {
            (Some(r), _) => Some((r.as_str(), r.as_str())),
            (None, Some(r)) => Some((r.min.as_str(), r.max.as_str())),
            (None, None) => None,
        }
    }

    /// Whether the file can hold rows of `reporter` (always true for facts).
    pub fn may_hold_reporter(&self, reporter: &str) -> bool {
        self.reporter_bounds()
            .is_none_or(|(min, max)| min <= reporter && reporter <= max)
    }
}

/// A dataset as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Dataset name.
    pub name: String,
    /// What it holds.
    pub kind: DatasetKind,
    /// Current version (1, 2, …).
    pub version: u64,
    /// Directory of the current version, relative to the store
    /// (`datasets/<name>/v<N>`).
    pub path: String,
    /// Creation time of this version, RFC 3339 UTC.
    pub created_at: String,
    /// Creation time of this version, Unix seconds.
    pub created_at_unix: i64,
    /// Version of Entrepôt that wrote it.
    pub entrepot_version: String,
    /// Source files, with checksums.
    pub sources: Vec<SourceFile>,
    /// Descriptions of the readers the rows came from.
    #[serde(default)]
    pub readers: Vec<String>,
    /// Number of stored rows.
    pub rows: u64,
    /// Number of rows rejected at ingest (quarantined).
    pub rejected: u64,
    /// Distinct reporters, sorted.
    pub reporters: Vec<String>,
    /// Distinct years, sorted.
    pub years: Vec<i32>,
    /// Hive partition columns, in path order: `year` for flows (`reporter`, `year`
    /// for flows of layout 1), none for facts.
    #[serde(default)]
    pub partition_columns: Vec<String>,
    /// The Parquet files, sorted by path.
    pub partitions: Vec<PartitionFile>,
    /// Content checksum: SHA-256 over the sorted `path` and `sha256` of all files.
    pub checksum: String,
    /// Flows: the ISO 4217 currency of the values, one per dataset. Absent from
    /// manifests written before datasets could hold another currency than US dollars
    /// (and from facts datasets, whose figures carry their own units): US dollars.
    /// The value column is named after it ([`entrepot_io::schema::value_column`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Flows: what the rows hold (product levels, HS revisions, annual and monthly
    /// rows), seen at ingest. Absent from manifests written before it was recorded,
    /// and from facts datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<FlowsContent>,
}

/// What the rows of a flows dataset hold, recorded at ingest from every stored row.
///
/// Queries read it to know a column that holds a single value without scanning it:
/// the flow cubes group on such a column as a constant (`entrepot-cube`), which at
/// world scale saves a hashed column per row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowsContent {
    /// The distinct product levels (0: totals; 2, 4, 6: HS digits), sorted.
    pub product_levels: Vec<i32>,
    /// The distinct HS revisions of the product rows (level above 0), sorted.
    pub hs_revisions: Vec<String>,
    /// Whether some product row has no HS revision.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unrevised_products: bool,
    /// Whether some rows are annual (no month).
    pub annual: bool,
    /// Whether some rows are monthly.
    pub monthly: bool,
    /// The distinct stored flows (`export`, `import`, …), sorted; empty in manifests
    /// written before they were recorded (unknown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<String>,
    /// The distinct declarants of the rows (`reporter`, `mirror`, `reconciled`),
    /// sorted; empty when unknown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declarants: Vec<String>,
}

impl FlowsContent {
    /// The one product level of the rows at level `min` or above, when exactly one
    /// is held.
    pub fn single_level_from(&self, min: i32) -> Option<i32> {
        let mut held = self.product_levels.iter().filter(|l| **l >= min);
        match (held.next(), held.next()) {
            (Some(l), None) => Some(*l),
            _ => None,
        }
    }

    /// The one HS revision of every product row, when there is exactly one.
    pub fn single_revision(&self) -> Option<&str> {
        match (&self.hs_revisions[..], self.unrevised_products) {
            ([r], false) => Some(r),
            _ => None,
        }
    }
}

impl DatasetInfo {
    /// The currency of a flows dataset's values (`USD` unless recorded otherwise).
    pub fn value_currency(&self) -> &str {
        self.currency.as_deref().unwrap_or("USD")
    }

    /// The name of the value column of a flows dataset's files (`value_usd`,
    /// `value_jpy`, …).
    pub fn value_column(&self) -> String {
        entrepot_io::schema::value_column(self.value_currency())
    }
}

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest schema version ([`MANIFEST_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Version of Entrepôt that last wrote it.
    pub entrepot_version: String,
    /// Last write, RFC 3339 UTC.
    pub updated_at: String,
    /// Datasets by name.
    pub datasets: BTreeMap<String, DatasetInfo>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            schema_version: MANIFEST_SCHEMA_VERSION,
            entrepot_version: crate::ENTREPOT_VERSION.to_string(),
            updated_at: String::new(),
            datasets: BTreeMap::new(),
        }
    }
}

impl Manifest {
    /// Reads and checks the manifest of the store in `dir`; `Ok(None)` when there is
    /// no `manifest.json`. Whether a directory without a manifest may be used as an
    /// empty store is the caller's decision (see `Store::open`): a missing manifest
    /// is never taken to mean "no datasets" when the directory holds data.
    pub fn load_existing(dir: &Path) -> Result<Option<Manifest>, StoreError> {
        let path = dir.join(MANIFEST_FILE);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::fs(&path, e)),
        };
        if !meta.file_type().is_file() {
            return Err(StoreError::Manifest {
                path,
                message: "not a regular file (a symbolic link or a directory); \
                          the manifest must be a file inside the store"
                    .into(),
            });
        }
        if meta.len() > MAX_MANIFEST_BYTES {
            return Err(StoreError::Manifest {
                path,
                message: format!(
                    "{} bytes, more than the {MAX_MANIFEST_BYTES} bytes a manifest may hold",
                    meta.len()
                ),
            });
        }
        let text = std::fs::read_to_string(&path).map_err(|e| StoreError::fs(&path, e))?;
        Manifest::parse(&text, &path).map(Some)
    }

    /// Reads and checks a manifest's text (`path` names it in messages): its schema
    /// version must be one this build reads, and [`Manifest::validate`] must pass.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, StoreError> {
        let path = path.to_path_buf();
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| StoreError::Manifest {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let version = value
            .get("schema_version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| StoreError::Manifest {
                path: path.clone(),
                message: "no schema_version".into(),
            })?;
        if !(u64::from(OLDEST_MANIFEST_SCHEMA_VERSION)..=u64::from(MANIFEST_SCHEMA_VERSION))
            .contains(&version)
        {
            return Err(StoreError::Manifest {
                path,
                message: format!(
                    "schema version {version} is not supported by this build (which reads \
                     versions {OLDEST_MANIFEST_SCHEMA_VERSION} to {MANIFEST_SCHEMA_VERSION})"
                ),
            });
        }
        let manifest: Manifest =
            serde_json::from_value(value).map_err(|e| StoreError::Manifest {
                path: path.clone(),
                message: e.to_string(),
            })?;
        manifest
            .validate()
            .map_err(|message| StoreError::Manifest { path, message })?;
        Ok(manifest)
    }

    /// Checks that every path the manifest names stays inside the store and is a
    /// name the store generates: a dataset's `path` must be exactly
    /// `datasets/<name>/v<version>` with a valid name; a file path must be relative,
    /// made of plain components (no `..`, `.`, root, backslash or control
    /// character), end in `.parquet` and be, for facts, `facts.parquet`, for flows,
    /// `year=<YYYY>/part-<k>.parquet` with a valid reporter range (layout 2, from
    /// schema version 2) or `reporter=<R>/year=<YYYY>/part-<k>.parquet` (layout 1),
    /// the reporter and year in the path being those the entry records. The
    /// manifest is data that anyone able to write the directory can edit; nothing it
    /// says is used to reach a file before this check.
    pub fn validate(&self) -> Result<(), String> {
        for (key, d) in &self.datasets {
            let shown = crate::display(key);
            if key != &d.name {
                return Err(format!(
                    "dataset entry '{shown}' names itself '{}'",
                    crate::display(&d.name)
                ));
            }
            crate::validate_dataset_name(key)
                .map_err(|_| format!("invalid dataset name '{shown}'"))?;
            if d.version == 0 {
                return Err(format!("dataset '{shown}' has version 0"));
            }
            if let Some(c) = &d.currency {
                if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(format!(
                        "dataset '{shown}' has currency '{}', not an ISO 4217 code",
                        crate::display(c)
                    ));
                }
            }
            let want = format!("datasets/{key}/v{}", d.version);
            if d.path != want {
                return Err(format!(
                    "dataset '{shown}' has path '{}', expected '{want}'",
                    crate::display(&d.path)
                ));
            }
            for f in &d.partitions {
                check_relative_file(&f.path)
                    .and_then(|()| check_file_entry(d.kind, f, self.schema_version))
                    .map_err(|why| {
                        format!(
                            "dataset '{shown}' lists the file '{}': {why}",
                            crate::display(&f.path)
                        )
                    })?;
            }
        }
        Ok(())
    }

    /// Writes the manifest atomically (`manifest.json.tmp`, fsync, rename, fsync dir)
    /// as [`MANIFEST_SCHEMA_VERSION`] (a version-1 manifest is a valid version 2).
    pub(crate) fn save(&mut self, dir: &Path) -> Result<(), StoreError> {
        self.schema_version = MANIFEST_SCHEMA_VERSION;
        let path = dir.join(MANIFEST_FILE);
        let text = self.to_json().map_err(|e| match e {
            StoreError::Manifest { message, .. } => StoreError::Manifest {
                path: path.clone(),
                message,
            },
            other => other,
        })?;
        write_atomic(&path, text.as_bytes())
    }

    /// The manifest's text as it is stored (pretty JSON, a final newline).
    pub(crate) fn to_json(&self) -> Result<String, StoreError> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| StoreError::Manifest {
            path: PathBuf::from(MANIFEST_FILE),
            message: e.to_string(),
        })?;
        text.push('\n');
        Ok(text)
    }
}

/// The largest manifest this build reads (a store of 100,000 files is ~30 MB).
pub const MAX_MANIFEST_BYTES: u64 = 256 << 20;

/// Checks that `rel` is a relative path of plain components ending in `.parquet`.
fn check_relative_file(rel: &str) -> Result<(), &'static str> {
    if rel.is_empty() || rel.len() > 1024 {
        return Err("empty or longer than 1024 bytes");
    }
    if rel.starts_with('/') {
        return Err("an absolute path");
    }
    if rel.chars().any(|c| c.is_control() || c == '\\' || c == ':') {
        return Err("contains a control character, a backslash or a colon");
    }
    for comp in rel.split('/') {
        if comp.is_empty() || comp == "." || comp == ".." {
            return Err("contains an empty, '.' or '..' component");
        }
    }
    if !rel.ends_with(".parquet") {
        return Err("not a .parquet file");
    }
    Ok(())
}

/// Checks a file entry against the names the store generates for its dataset kind
/// (see [`Manifest::validate`]).
fn check_file_entry(kind: DatasetKind, f: &PartitionFile, schema: u32) -> Result<(), &'static str> {
    match kind {
        DatasetKind::Facts => {
            if f.path != "facts.parquet" {
                return Err("a facts dataset holds only facts.parquet");
            }
            if f.layout() != FileLayout::Facts || f.year.is_some() {
                return Err("a facts file has no reporter or year");
            }
            Ok(())
        }
        DatasetKind::Flows => {
            let year = f.year.ok_or("a flows file without a year")?;
            if !(0..=9999).contains(&year) {
                return Err("a year outside 0-9999");
            }
            let name = match (&f.reporter, &f.reporter_range) {
                (Some(r), None) => {
                    if !is_reporter_code(r) {
                        return Err("an invalid reporter code");
                    }
                    f.path
                        .strip_prefix(&format!("reporter={r}/year={year:04}/"))
                        .ok_or("not under reporter=<its reporter>/year=<its year>/")?
                }
                (None, Some(range)) => {
                    if schema < 2 {
                        return Err("a reporter range in a version-1 manifest");
                    }
                    if !is_reporter_code(&range.min) || !is_reporter_code(&range.max) {
                        return Err("an invalid reporter code in its reporter range");
                    }
                    if range.min > range.max {
                        return Err("a reporter range whose min is above its max");
                    }
                    f.path
                        .strip_prefix(&format!("year={year:04}/"))
                        .ok_or("not under year=<its year>/")?
                }
                _ => return Err("a flows file needs either a reporter or a reporter range"),
            };
            if is_part_name(name) {
                Ok(())
            } else {
                Err("not named part-<k>.parquet")
            }
        }
    }
}

/// Whether `r` is a reporter code the store accepts (1-16 ASCII upper-case letters,
/// digits or `_`).
pub(crate) fn is_reporter_code(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 16
        && r.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `name` is `part-<k>.parquet` with `k` decimal digits.
fn is_part_name(name: &str) -> bool {
    name.strip_prefix("part-")
        .and_then(|n| n.strip_suffix(".parquet"))
        .is_some_and(|k| !k.is_empty() && k.len() <= 10 && k.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_parquet_paths_are_accepted() {
        assert!(check_relative_file("year=2016/part-0.parquet").is_ok());
        assert!(check_relative_file("reporter=CHN/year=2016/part-0.parquet").is_ok());
        assert!(check_relative_file("facts.parquet").is_ok());
        for bad in [
            "../../etc/passwd",
            "/etc/passwd.parquet",
            "reporter=CHN/../../x.parquet",
            "a//b.parquet",
            "./a.parquet",
            "a\\..\\b.parquet",
            "C:/x.parquet",
            "x.csv",
            "",
        ] {
            assert!(check_relative_file(bad).is_err(), "{bad}");
        }
    }

    fn flows_file(
        path: &str,
        reporter: Option<&str>,
        range: Option<(&str, &str)>,
    ) -> PartitionFile {
        PartitionFile {
            path: path.into(),
            reporter: reporter.map(String::from),
            reporter_range: range.map(|(min, max)| ReporterRange {
                min: min.into(),
                max: max.into(),
            }),
            year: Some(2016),
            rows: 1,
            bytes: 1,
            sha256: String::new(),
        }
    }

    #[test]
    fn file_entries_must_match_the_names_the_store_generates() {
        let ok = |f: &PartitionFile, v| check_file_entry(DatasetKind::Flows, f, v);
        // Layout 2 (manifest version 2 only) and layout 1 (both versions).
        let v2 = flows_file("year=2016/part-3.parquet", None, Some(("AFG", "CHN")));
        assert_eq!(ok(&v2, 2), Ok(()));
        assert!(ok(&v2, 1).is_err());
        let v1 = flows_file("reporter=CHN/year=2016/part-0.parquet", Some("CHN"), None);
        assert_eq!(ok(&v1, 1), Ok(()));
        assert_eq!(ok(&v1, 2), Ok(()));
        for bad in [
            // the path's year or reporter is not the entry's
            flows_file("year=2017/part-0.parquet", None, Some(("AFG", "CHN"))),
            flows_file("reporter=USA/year=2016/part-0.parquet", Some("CHN"), None),
            // not a generated name
            flows_file("year=2016/data.parquet", None, Some(("AFG", "CHN"))),
            flows_file("year=2016/part-.parquet", None, Some(("AFG", "CHN"))),
            flows_file("year=2016/x/part-0.parquet", None, Some(("AFG", "CHN"))),
            flows_file("facts.parquet", None, Some(("AFG", "CHN"))),
            // ranges and codes
            flows_file("year=2016/part-0.parquet", None, Some(("CHN", "AFG"))),
            flows_file("year=2016/part-0.parquet", None, Some(("afg", "CHN"))),
            flows_file("year=2016/part-0.parquet", None, None),
            flows_file(
                "year=2016/part-0.parquet",
                Some("CHN"),
                Some(("AFG", "CHN")),
            ),
            flows_file("reporter=../year=2016/part-0.parquet", Some(".."), None),
        ] {
            assert!(ok(&bad, 2).is_err(), "{bad:?}");
        }
        let mut no_year = v2.clone();
        no_year.year = None;
        assert!(ok(&no_year, 2).is_err());
        // Facts: only facts.parquet, without reporter or year.
        let facts = PartitionFile {
            path: "facts.parquet".into(),
            reporter: None,
            reporter_range: None,
            year: None,
            rows: 1,
            bytes: 1,
            sha256: String::new(),
        };
        assert_eq!(check_file_entry(DatasetKind::Facts, &facts, 2), Ok(()));
        assert!(check_file_entry(DatasetKind::Facts, &v2, 2).is_err());
        assert!(check_file_entry(DatasetKind::Flows, &facts, 2).is_err());
    }

    #[test]
    fn reporter_bounds_cover_both_layouts() {
        let v2 = flows_file("year=2016/part-3.parquet", None, Some(("AFG", "CHN")));
        assert_eq!(v2.layout(), FileLayout::Year);
        assert_eq!(v2.reporter_bounds(), Some(("AFG", "CHN")));
        assert!(v2.may_hold_reporter("BRA") && !v2.may_hold_reporter("USA"));
        let v1 = flows_file("reporter=CHN/year=2016/part-0.parquet", Some("CHN"), None);
        assert_eq!(v1.layout(), FileLayout::ReporterYear);
        assert!(v1.may_hold_reporter("CHN") && !v1.may_hold_reporter("BRA"));
    }
}
