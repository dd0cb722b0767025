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
