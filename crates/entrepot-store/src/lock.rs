//! The writer lock of a store: an advisory `flock` on `DIR/.lock` (Unix), which the
//! kernel releases when the holder exits, even on `kill -9`. The file holds the pid
//! of the last holder, for the error message. Elsewhere the lock is an
//! `O_CREAT|O_EXCL` file removed on release.

use crate::error::{FsContext, StoreError};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Name of the lock file in the store directory.
pub(crate) const LOCK_FILE: &str = ".lock";

/// A held writer lock; released on drop.
#[derive(Debug)]
pub(crate) struct StoreLock {
    #[allow(dead_code)]
    file: File,
    #[allow(dead_code)]
    path: PathBuf,
}

fn read_pid(path: &Path) -> Option<u32> {
    let mut s = String::new();
    File::open(path).ok()?.read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}

impl StoreLock {
    /// Tries to take the lock of the store in `dir`. `Ok(None)` when another process
    /// holds it.
    pub(crate) fn try_acquire(dir: &Path) -> Result<Option<StoreLock>, StoreError> {
        let path = dir.join(LOCK_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .at(&path)?;
            // SAFETY: flock on a valid, owned file descriptor.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc != 0 {
                let err = std::io::Error::last_os_error();
                if err.kind() == std::io::ErrorKind::WouldBlock {
                    return Ok(None);
                }
                return Err(StoreError::fs(&path, err));
            }
            file.set_len(0).at(&path)?;
            file.seek(SeekFrom::Start(0)).at(&path)?;
            writeln!(file, "{}", std::process::id()).at(&path)?;
            Ok(Some(StoreLock { file, path }))
        }
        #[cfg(not(unix))]
        {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    writeln!(file, "{}", std::process::id()).at(&path)?;
                    Ok(Some(StoreLock { file, path }))
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
                Err(e) => Err(StoreError::fs(&path, e)),
            }
        }
    }

    /// Takes the lock or fails with [`StoreError::Locked`].
    pub(crate) fn acquire(dir: &Path) -> Result<StoreLock, StoreError> {
        match Self::try_acquire(dir)? {
            Some(l) => Ok(l),
            None => {
                let lock = dir.join(LOCK_FILE);
                Err(StoreError::Locked {
                    dir: dir.to_path_buf(),
                    pid: read_pid(&lock),
                    lock,
                })
            }
        }
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: unlocking a valid, owned file descriptor.
            unsafe {
                libc::flock(self.file.as_raw_fd(), libc::LOCK_UN);
            }
        }
        #[cfg(not(unix))]
        {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Name of the readers' lock file in the store directory.
pub(crate) const READERS_FILE: &str = ".readers";

/// A shared lock on `DIR/.readers`, held by every open read view of a store for its
/// lifetime. A writer removes an old dataset version only when it can take this
/// lock exclusively (no reader is active); otherwise the old version stays until a
/// later writer finds no reader, so a long query never loses its files to a
/// concurrent ingest.
#[derive(Debug)]
pub(crate) struct ReadGuard {
    #[allow(dead_code)]
    file: Option<File>,
}

impl ReadGuard {
    /// Takes the shared lock, waiting only for a writer that is removing old versions
    /// (a few milliseconds). Where the file cannot be opened (a read-only store
    /// without one, which no writer can change either) the guard holds nothing.
    pub(crate) fn acquire(dir: &Path) -> ReadGuard {
        let path = dir.join(READERS_FILE);
        let file = match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => File::open(&path).ok(),
            _ => None,
        };
        #[cfg(unix)]
        if let Some(f) = &file {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a valid, owned file descriptor.
            let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_SH) };
            if rc != 0 {
                return ReadGuard { file: None };
            }
        }
        ReadGuard { file }
    }

    /// A guard that holds nothing (a store view without files).
    pub(crate) fn none() -> ReadGuard {
        ReadGuard { file: None }
    }
}

/// Creates `DIR/.readers` if absent (writers call it, holding the writer lock).
pub(crate) fn ensure_readers_file(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(READERS_FILE);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_file() => Ok(()),
        Ok(_) => Err(StoreError::Unsafe {
            path,
            message: "not a regular file".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .at(&path)?;
            Ok(())
        }
        Err(e) => Err(StoreError::fs(&path, e)),
    }
}

/// Whether no reader holds `DIR/.readers` now. While the returned file is held no
/// new reader can start, so the caller removes old versions and then drops it.
pub(crate) fn no_readers(dir: &Path) -> Option<File> {
    let path = dir.join(READERS_FILE);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_file() => {}
        _ => return None,
    }
    let f = File::open(&path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a valid, owned file descriptor.
        let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            return None;
        }
    }
    Some(f)
}
