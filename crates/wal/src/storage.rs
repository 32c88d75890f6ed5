//! The file operations the WAL needs, behind a trait so that tests can inject faults.
//!
//! [`FsStorage`] is the real implementation over one directory; the
//! `fault` module wraps any storage to fail chosen writes and syncs.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// One directory of named files, as the WAL uses it.
///
/// Names are plain file names without separators. Implementations must be
/// usable from several threads; the WAL serialises writes to one file.
pub trait Storage: Send + Sync {
    /// The names of all files in the directory, in no particular order.
    fn list(&self) -> io::Result<Vec<String>>;
    /// The whole content of a file.
    fn read(&self, name: &str) -> io::Result<Vec<u8>>;
    /// Creates a file, or truncates an existing one, and opens it for
    /// appending.
    fn create(&self, name: &str) -> io::Result<Box<dyn SegmentFile>>;
    /// Opens an existing file for appending at its end.
    fn open_append(&self, name: &str) -> io::Result<Box<dyn SegmentFile>>;
    /// Atomically replaces `to` with `from`.
    fn rename(&self, from: &str, to: &str) -> io::Result<()>;
    fn remove(&self, name: &str) -> io::Result<()>;
    /// Makes created, renamed and removed names durable.
    fn sync_dir(&self) -> io::Result<()>;
}

/// A file opened for appending.
pub trait SegmentFile: Send {
    /// Appends all of `bytes` at the end of the file.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Makes the content written so far (and the file length) durable.
    fn sync_data(&mut self) -> io::Result<()>;
    /// Truncates or extends the file; later writes append after `len_bytes`.
    fn set_len(&mut self, len_bytes: u64) -> io::Result<()>;
}

/// Name of the lock file that keeps a second process from opening the same
/// WAL directory.
pub const LOCK_FILE_NAME: &str = "wal.lock";

/// The real file system: one directory, locked exclusively while this value
/// lives.
#[derive(Debug)]
pub struct FsStorage {
    dir: PathBuf,
    // Held for its advisory lock, released when dropped.
    _lock_file: File,
}

/// Why [`FsStorage::open`] failed.
#[derive(Debug)]
pub enum FsStorageOpenError {
    Io(io::Error),
    /// Another `FsStorage` (in this or another process) holds the lock.
    Locked,
}

impl FsStorage {
    /// Creates `dir` if needed and takes its exclusive lock.
    pub fn open(dir: &Path) -> Result<FsStorage, FsStorageOpenError> {
        std::fs::create_dir_all(dir).map_err(FsStorageOpenError::Io)?;
        let lock_file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE_NAME))
            .map_err(FsStorageOpenError::Io)?;
        match lock_file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(FsStorageOpenError::Locked),
            Err(TryLockError::Error(error)) => return Err(FsStorageOpenError::Io(error)),
        }
        Ok(FsStorage {
            dir: dir.to_path_buf(),
            _lock_file: lock_file,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Storage for FsStorage {
    fn list(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            // Names that are not UTF-8 cannot be WAL files; skip them.
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
        Ok(names)
    }

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.dir.join(name))
    }

    fn create(&self, name: &str) -> io::Result<Box<dyn SegmentFile>> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(self.dir.join(name))?;
        Ok(Box::new(FsSegmentFile { file }))
    }

    fn open_append(&self, name: &str) -> io::Result<Box<dyn SegmentFile>> {
        let file = OpenOptions::new().append(true).open(self.dir.join(name))?;
        Ok(Box::new(FsSegmentFile { file }))
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        std::fs::rename(self.dir.join(from), self.dir.join(to))
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        std::fs::remove_file(self.dir.join(name))
    }

    fn sync_dir(&self) -> io::Result<()> {
        File::open(&self.dir)?.sync_all()
    }
}

struct FsSegmentFile {
    file: File,
}

impl SegmentFile for FsSegmentFile {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)
    }

    fn sync_data(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    fn set_len(&mut self, len_bytes: u64) -> io::Result<()> {
        self.file.set_len(len_bytes)?;
        // A file opened without append mode keeps its position; move it to
        // the new end so that the next write appends.
        self.file.seek(SeekFrom::End(0)).map(|_| ())
    }
}
