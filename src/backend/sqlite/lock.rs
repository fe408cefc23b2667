//! The SQLite run lock: an exclusive OS lock on `<database>.migrate-lock`.
//!
//! SQLite's write lock lasts one transaction, and every file commits on its
//! own, so it cannot hold a run together. An OS file lock can, and the kernel
//! releases it when a process dies, so a killed run never leaves a stale lock
//! (a lock row in a table would, and a PID check fails across containers).
//! The lock is not on the database file itself: closing any descriptor of a
//! file drops the POSIX locks SQLite holds on it in the same process.
//!
//! The lock file is removed on release. A waiter that then wins the lock on
//! the removed file notices that the path no longer names its file and tries
//! again, so two runs can never both hold it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::DbError;

/// How often a waiting run tries again.
const POLL: Duration = Duration::from_millis(50);

/// A held run lock.
pub struct FileLock {
    file: File,
    path: PathBuf,
}

/// The lock file of a database file: beside the file its path resolves to,
/// so that every name reaching it through symbolic links or `..` meets the
/// same lock. (A hard link cannot be resolved to one name; the executor's
/// re-check inside each file's transaction covers it.)
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = resolved(database).into_os_string();
    name.push(".migrate-lock");
    PathBuf::from(name)
}

/// The path with every symbolic link and `..` resolved; for a file not
/// created yet, where it will be created: a dangling link is followed to
/// its target, whose folder is resolved.
fn resolved(database: &Path) -> PathBuf {
    if let Ok(path) = std::fs::canonicalize(database) {
        return path;
    }
    let mut database = database.to_path_buf();
    // Bounded like the kernel's own limit on links in a path.
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&database) else {
            break;
        };
        database = match database.parent() {
            Some(parent) => parent.join(target),
            None => target,
        };
    }
    let folder = match database.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(folder), database.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => database.to_path_buf(),
    }
}

impl FileLock {
    /// Waits up to `wait` for the lock; on a timeout, says who holds it.
    pub fn acquire(
        path: &Path,
        wait: Duration,
    ) -> Result<Result<FileLock, Option<String>>, DbError> {
        // A wait too long for the clock to reach (`--lock-wait` near
        // u64::MAX seconds) has no deadline: it waits until the lock is free.
        let deadline = Instant::now().checked_add(wait);
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(|error| {
                    DbError::new(format!(
                        "cannot open the lock file {}: {error}",
                        path.display()
                    ))
                })?;
            match file.try_lock() {
                Ok(()) if still_named_by(&file, path) => {
                    let mut held = FileLock {
                        file,
                        path: path.to_path_buf(),
                    };
                    held.write_holder();
                    return Ok(Ok(held));
                }
                Ok(()) => continue,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(error)) => {
                    return Err(DbError::new(format!(
                        "cannot lock {}: {error}",
                        path.display()
                    )));
                }
            }
            // A signal ends the wait too; the caller sees it and stops.
            if deadline.is_some_and(|deadline| Instant::now() >= deadline)
                || crate::interrupt::requested().is_some()
            {
                return Ok(Err(read_holder(path)));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Records who holds the lock, for the message of a run that waits in vain.
    fn write_holder(&mut self) {
        let holder = format!("held by process {}", std::process::id());
        // The text is only informative: failing to write it must not fail the run.
        let _ = self.file.set_len(0);
        let _ = self.file.rewind();
        let _ = self.file.write_all(holder.as_bytes());
    }

    /// Removes the lock file and releases the lock.
    pub fn release(self) -> Result<(), DbError> {
        // Remove first, while holding the lock: a waiter that then wins the
        // removed file sees that the path no longer names it.
        let removed = std::fs::remove_file(&self.path);
        drop(self.file);
        removed.map_err(|error| {
            DbError::new(format!(
                "cannot remove the lock file {}: {error}",
                self.path.display()
            ))
        })
    }
}

fn read_holder(path: &Path) -> Option<String> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(unix)]
fn still_named_by(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_named_by(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn every_name_of_a_file_shares_one_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("app.db");
        std::fs::write(&real, b"").unwrap();
        let link = dir.path().join("link.db");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let dotted = dir.path().join("sub").join("..").join("app.db");
        assert_eq!(lock_path(&link), lock_path(&real));
        assert_eq!(lock_path(&dotted), lock_path(&real));
        // A file not created yet: its folder is resolved.
        let linked_dir = dir.path().join("linked");
        std::os::unix::fs::symlink(dir.path(), &linked_dir).unwrap();
        assert_eq!(
            lock_path(&linked_dir.join("new.db")),
            lock_path(&dir.path().join("new.db"))
        );
        // A link to a file not created yet: the file it will create.
        let dangling = dir.path().join("dangling.db");
        std::os::unix::fs::symlink("sub/later.db", &dangling).unwrap();
        assert_eq!(
            lock_path(&dangling),
            lock_path(&dir.path().join("sub").join("later.db"))
        );
    }

    #[test]
    fn a_second_lock_waits_then_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = lock_path(&dir.path().join("app.db"));
        let held = FileLock::acquire(&path, Duration::ZERO).unwrap().unwrap();
        let started = Instant::now();
        let holder = FileLock::acquire(&path, Duration::from_millis(200))
            .unwrap()
            .err()
            .flatten()
            .unwrap();
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert_eq!(holder, format!("held by process {}", std::process::id()));
        held.release().unwrap();
        assert!(!path.exists());
        let again = FileLock::acquire(&path, Duration::ZERO).unwrap().unwrap();
        again.release().unwrap();
    }
}
