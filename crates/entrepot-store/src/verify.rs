//! Verification: every stored file against the manifest (present, a regular file,
//! its size and SHA-256).

use super::*;

impl Store {
    /// Checks the files of a dataset against the manifest: each must be a regular
    /// file (not a symbolic link) of the recorded size and, with `checksums`, the
    /// recorded SHA-256. Returns the problems found (empty when intact).
    pub fn verify_dataset(&self, d: &DatasetInfo, checksums: bool) -> Vec<StoreError> {
        if let Some(location) = &self.object {
            let mut problems = crate::object::verify_dataset(location, d, checksums);
            if checksums && content_checksum(&d.partitions) != d.checksum {
                problems.push(StoreError::Integrity {
                    path: self.dir.join(&d.path),
                    message: "the content checksum differs from the manifest's".into(),
                });
            }
            return problems;
        }
        let base = self.dir.join(&d.path);
        let mut problems = Vec::new();
        for f in &d.partitions {
            let path = base.join(&f.path);
            if let Err(e) = check_file(&path, f) {
                problems.push(e);
                continue;
            }
            if checksums {
                match sha256_file(&path) {
                    Ok((sha, _)) if sha == f.sha256 => {}
                    Ok((sha, _)) => problems.push(StoreError::Integrity {
                        path,
                        message: format!("SHA-256 {sha} differs from the manifest's {}", f.sha256),
                    }),
                    Err(e) => problems.push(e),
                }
            }
        }
        if checksums && content_checksum(&d.partitions) != d.checksum {
            problems.push(StoreError::Integrity {
                path: base,
                message: "the content checksum differs from the manifest's".into(),
            });
        }
        problems
    }

    /// Checks every file of `name` (or of every dataset) against the manifest, with
    /// checksums: the problems found, by dataset.
    pub fn verify(&self, name: Option<&str>) -> Result<Vec<(String, Vec<StoreError>)>, StoreError> {
        let datasets: Vec<&DatasetInfo> = match name {
            Some(n) => vec![self
                .dataset(n)
                .ok_or_else(|| StoreError::NotFound(n.to_string()))?],
            None => self.manifest.datasets.values().collect(),
        };
        Ok(datasets
            .into_iter()
            .map(|d| (d.name.clone(), self.verify_dataset(d, true)))
            .collect())
    }
}

/// Checks that a stored file is a regular file (not a symbolic link) of the size
/// the manifest records; every reader calls it before opening a file.
pub fn check_stored_file(path: &Path, f: &PartitionFile) -> Result<(), StoreError> {
    check_file(path, f)
}

pub(crate) fn check_file(path: &Path, f: &PartitionFile) -> Result<(), StoreError> {
    let m = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Integrity {
                path: path.to_path_buf(),
                message: "missing (the manifest lists it); run `entrepot verify` and \
                          re-ingest the dataset"
                    .into(),
            })
        }
        Err(e) => return Err(StoreError::fs(path, e)),
    };
    if !m.file_type().is_file() {
        return Err(StoreError::Unsafe {
            path: path.to_path_buf(),
            message: "a stored file that is not a regular file (a symbolic link?)".into(),
        });
    }
    if m.len() != f.bytes {
        return Err(StoreError::Integrity {
            path: path.to_path_buf(),
            message: format!(
                "{} bytes where the manifest records {}; the file was altered",
                m.len(),
                f.bytes
            ),
        });
    }
    Ok(())
}
