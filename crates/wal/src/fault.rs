//! A storage wrapper that fails chosen writes and syncs, to test fail-stop behaviour without root.
//!
//! [`FaultyStorage`] counts every `write_all` and every sync (file
//! `sync_data` and `sync_dir` alike) across all files it opened. A test arms
//! a failure for "the n-th write (or sync) from now"; that one operation
//! fails once and later ones succeed again, so a test can check that the WAL
//! itself refuses to carry on. A failed write first writes half of its bytes,
//! as a real short write before `ENOSPC` would.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::storage::{SegmentFile, Storage};

/// Sentinel for "no failure armed".
const DISARMED: u64 = u64::MAX;

#[derive(Debug, Default)]
struct FaultState {
    writes: AtomicU64,
    syncs: AtomicU64,
    fail_write_number: AtomicU64,
    fail_sync_number: AtomicU64,
}

/// Wraps a storage and injects failures; clones share counters and armed
/// failures.
#[derive(Clone)]
pub struct FaultyStorage {
    inner: Arc<dyn Storage>,
    state: Arc<FaultState>,
}

impl std::fmt::Debug for FaultyStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultyStorage")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl FaultyStorage {
    pub fn new(inner: Arc<dyn Storage>) -> FaultyStorage {
        let state = FaultState::default();
        state.fail_write_number.store(DISARMED, Ordering::SeqCst);
        state.fail_sync_number.store(DISARMED, Ordering::SeqCst);
        FaultyStorage {
            inner,
            state: Arc::new(state),
        }
    }

    /// Makes the write after `successful_writes_first` more writes fail.
    pub fn fail_write_after(&self, successful_writes_first: u64) {
        let number = self.state.writes.load(Ordering::SeqCst) + successful_writes_first;
        self.state.fail_write_number.store(number, Ordering::SeqCst);
    }

    /// Makes the sync after `successful_syncs_first` more syncs fail.
    pub fn fail_sync_after(&self, successful_syncs_first: u64) {
        let number = self.state.syncs.load(Ordering::SeqCst) + successful_syncs_first;
        self.state.fail_sync_number.store(number, Ordering::SeqCst);
    }

    /// Writes attempted so far, failed ones included.
    pub fn writes(&self) -> u64 {
        self.state.writes.load(Ordering::SeqCst)
    }

    /// Syncs attempted so far, failed ones included.
    pub fn syncs(&self) -> u64 {
        self.state.syncs.load(Ordering::SeqCst)
    }
}

impl FaultState {
    /// Counts one operation and says whether it is the one armed to fail.
    fn count_and_check(counter: &AtomicU64, fail_number: &AtomicU64) -> bool {
        let number = counter.fetch_add(1, Ordering::SeqCst);
        fail_number
            .compare_exchange(number, DISARMED, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    fn write_fails(&self) -> bool {
        FaultState::count_and_check(&self.writes, &self.fail_write_number)
    }

    fn sync_fails(&self) -> bool {
        FaultState::count_and_check(&self.syncs, &self.fail_sync_number)
    }
}

fn injected(what: &str) -> io::Error {
    io::Error::other(format!("injected {what} failure"))
}

impl Storage for FaultyStorage {
    fn list(&self) -> io::Result<Vec<String>> {
        self.inner.list()
    }

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        self.inner.read(name)
    }

    fn create(&self, name: &str) -> io::Result<Box<dyn SegmentFile>> {
        let inner = self.inner.create(name)?;
        Ok(Box::new(FaultySegmentFile {
            inner,
            state: Arc::clone(&self.state),
        }))
    }

    fn open_append(&self, name: &str) -> io::Result<Box<dyn SegmentFile>> {
        let inner = self.inner.open_append(name)?;
        Ok(Box::new(FaultySegmentFile {
            inner,
            state: Arc::clone(&self.state),
        }))
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        self.inner.rename(from, to)
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        self.inner.remove(name)
    }

    fn sync_dir(&self) -> io::Result<()> {
        if self.state.sync_fails() {
            return Err(injected("directory sync"));
        }
        self.inner.sync_dir()
    }
}

struct FaultySegmentFile {
    inner: Box<dyn SegmentFile>,
    state: Arc<FaultState>,
}

impl SegmentFile for FaultySegmentFile {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.state.write_fails() {
            self.inner.write_all(&bytes[..bytes.len() / 2])?;
            return Err(injected("write"));
        }
        self.inner.write_all(bytes)
    }

    fn sync_data(&mut self) -> io::Result<()> {
        if self.state.sync_fails() {
            return Err(injected("sync_data"));
        }
        self.inner.sync_data()
    }

    fn set_len(&mut self, len_bytes: u64) -> io::Result<()> {
        self.inner.set_len(len_bytes)
    }
}
