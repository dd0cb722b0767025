//! The manifest: `DIR/manifest.json`, the single source of truth of a store.
//!
//! Readers trust only the manifest: a directory that the manifest does not name is
//! garbage from an interrupted write and is removed by the next writer.

use crate::error::StoreError;
use crate::fsutil::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The manifest schema version this build writes and reads.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// Name of the manifest file in the store directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// What a dataset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetKind {
    /// Trade flows, partitioned by reporter and year.
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

/// One Parquet file of a dataset version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionFile {
    /// Path relative to the version directory
    /// (`reporter=CHN/year=2016/part-0.parquet`, or `facts.parquet`).
    pub path: String,
    /// Reporter partition value (flows only).
    pub reporter: Option<String>,
    /// Year partition value (flows only).
    pub year: Option<i32>,
    /// Number of rows.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
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
    /// Hive partition columns, in path order (`reporter`, `year` for flows).
    #[serde(default)]
    pub partition_columns: Vec<String>,
    /// The Parquet files, sorted by path.
    pub partitions: Vec<PartitionFile>,
    /// Content checksum: SHA-256 over the sorted `path` and `sha256` of all files.
    pub checksum: String,
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
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| StoreError::Manifest {
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
        if version != u64::from(MANIFEST_SCHEMA_VERSION) {
            return Err(StoreError::Manifest {
                path,
                message: format!(
                    "schema version {version} is not supported by this build \
                     (which reads version {MANIFEST_SCHEMA_VERSION})"
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
        Ok(Some(manifest))
    }

    /// Checks that every path the manifest names stays inside the store: a dataset's
    /// `path` must be exactly `datasets/<name>/v<version>` with a valid name, and a
    /// file path must be relative, made of plain components (no `..`, `.`, root,
    /// backslash or control character) and end in `.parquet`. The manifest is data
    /// that anyone able to write the directory can edit; nothing it says is used to
    /// reach a file before this check.
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
            let want = format!("datasets/{key}/v{}", d.version);
            if d.path != want {
                return Err(format!(
                    "dataset '{shown}' has path '{}', expected '{want}'",
                    crate::display(&d.path)
                ));
            }
            for f in &d.partitions {
                check_relative_file(&f.path).map_err(|why| {
                    format!(
                        "dataset '{shown}' lists the file '{}': {why}",
                        crate::display(&f.path)
                    )
                })?;
            }
        }
        Ok(())
    }

    /// Writes the manifest atomically (`manifest.json.tmp`, fsync, rename, fsync dir).
    pub(crate) fn save(&self, dir: &Path) -> Result<(), StoreError> {
        let path = dir.join(MANIFEST_FILE);
        let mut text = serde_json::to_string_pretty(self).map_err(|e| StoreError::Manifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        text.push('\n');
        write_atomic(&path, text.as_bytes())
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

#[cfg(test)]
mod tests {
    use super::check_relative_file;

    #[test]
    fn only_plain_relative_parquet_paths_are_accepted() {
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
}
