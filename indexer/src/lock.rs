//! One process per data dir. Owns the lock file `rhizome.lock` in the data
//! dir: an advisory OS lock (released by the kernel when the process dies, so
//! a crash never leaves a stale lock) and, inside, a line naming the holder.
//! Must not decide what a command may do beside another: the engine takes the
//! lock when it opens the stores, because the embedded Qdrant and tantivy
//! allow one writer each and a second opener would only fail deep inside them.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Held while the engine has the data dir open; dropping it releases the lock.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the data dir for this process, or fails with [`Error::DataDirInUse`]
    /// naming the data dir and what the holder wrote (its pid and command).
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::io(data_dir, e))?;
        let path = crate::data_dir::DataDir(data_dir).lock();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(Error::DataDirInUse {
                    data_dir: data_dir.to_path_buf(),
                    holder: describe(holder.trim()),
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        let line = format!("pid {}: {}\n", std::process::id(), command_line());
        file.set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(line.as_bytes()))
            .and_then(|_| file.flush())
            .map_err(|e| Error::io(&path, e))?;
        Ok(DataDirLock { _file: file })
    }

    /// The lock file of a data dir (for messages and tests).
    pub fn path(data_dir: &Path) -> PathBuf {
        crate::data_dir::DataDir(data_dir).lock()
    }
}

fn describe(holder: &str) -> String {
    if holder.is_empty() {
        "another process (it has not written its name yet)".into()
    } else {
        holder.to_string()
    }
}

/// `rhizome serve --addr 127.0.0.1:8080`, program name without its directory.
fn command_line() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .map(|p| {
            Path::new(&p)
                .file_name()
                .map_or(p.clone(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "rhizome".into());
    std::iter::once(program)
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_data_dir_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path()).unwrap();
        let err = DataDirLock::acquire(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::DataDirInUse { .. }), "{msg}");
        assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        DataDirLock::acquire(dir.path()).expect("free again once the holder is gone");
    }
}
