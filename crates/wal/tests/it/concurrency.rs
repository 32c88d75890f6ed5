//! Many threads append at once: every acknowledged record is on disk exactly once, LSNs are unique, syncs are shared.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::{open, options_with_segment_bytes, payload};
use wal::{FsStorage, Lsn, SegmentFile, Storage, Wal};

/// Runs `writer_count` threads that each append `appends_per_writer` batches
/// of 1 to 3 records and returns every acknowledged (lsn, payload).
fn append_from_threads(
    wal: &Arc<Wal>,
    writer_count: usize,
    appends_per_writer: usize,
) -> Vec<(Lsn, Vec<u8>)> {
    let handles: Vec<_> = (0..writer_count)
        .map(|writer_idx| {
            let wal = Arc::clone(wal);
            thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for append_idx in 0..appends_per_writer {
                    let batch_len = 1 + (writer_idx + append_idx) % 3;
                    let payloads: Vec<Vec<u8>> = (0..batch_len)
                        .map(|record_idx| payload(writer_idx, append_idx * 3 + record_idx))
                        .collect();
                    let slices: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
                    let lsns = wal.append(&slices).expect("append succeeds");
                    assert_eq!(lsns.end - lsns.start, batch_len as u64);
                    acknowledged.extend(lsns.zip(payloads));
                }
                acknowledged
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|handle| handle.join().expect("writer thread"))
        .collect()
}

#[test]
fn concurrent_appends_are_all_recovered_exactly_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = options_with_segment_bytes(4096);
    let acknowledged = {
        let (wal, _) = open(dir.path(), &options);
        let wal = Arc::new(wal);
        let acknowledged = append_from_threads(&wal, 8, 60);
        assert!(
            wal.segment_names().len() > 3,
            "the test spans several segments"
        );
        acknowledged
    };
    let by_lsn: BTreeMap<Lsn, Vec<u8>> = acknowledged.iter().cloned().collect();
    assert_eq!(
        by_lsn.len(),
        acknowledged.len(),
        "no LSN was handed out twice"
    );
    let (_, recovery) = open(dir.path(), &options);
    let recovered: Vec<(Lsn, Vec<u8>)> = recovery
        .records
        .iter()
        .map(|r| (r.lsn, r.payload.clone()))
        .collect();
    let expected: Vec<(Lsn, Vec<u8>)> = by_lsn.into_iter().collect();
    assert_eq!(
        recovered, expected,
        "exactly the acknowledged records, in LSN order, without gaps"
    );
    assert_eq!(recovered.first().map(|(lsn, _)| *lsn), Some(1));
}

/// Real files whose `sync_data` takes at least 20 ms, so that appenders
/// arriving during a sync must queue.
struct SlowSyncStorage {
    inner: FsStorage,
}

struct SlowSyncFile {
    inner: Box<dyn SegmentFile>,
}

impl SegmentFile for SlowSyncFile {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)
    }

    fn sync_data(&mut self) -> io::Result<()> {
        thread::sleep(Duration::from_millis(20));
        self.inner.sync_data()
    }

    fn set_len(&mut self, len_bytes: u64) -> io::Result<()> {
        self.inner.set_len(len_bytes)
    }
}

impl Storage for SlowSyncStorage {
    fn list(&self) -> io::Result<Vec<String>> {
        self.inner.list()
    }
    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        self.inner.read(name)
    }
    fn create(&self, name: &str) -> io::Result<Box<dyn SegmentFile>> {
        Ok(Box::new(SlowSyncFile {
            inner: self.inner.create(name)?,
        }))
    }
    fn open_append(&self, name: &str) -> io::Result<Box<dyn SegmentFile>> {
        Ok(Box::new(SlowSyncFile {
            inner: self.inner.open_append(name)?,
        }))
    }
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        self.inner.rename(from, to)
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        self.inner.remove(name)
    }
    fn sync_dir(&self) -> io::Result<()> {
        self.inner.sync_dir()
    }
}

#[test]
fn appenders_that_arrive_during_a_sync_share_the_next_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = SlowSyncStorage {
        inner: FsStorage::open(dir.path()).expect("open storage"),
    };
    let (wal, _) = Wal::open_with_storage(Arc::new(storage), options_with_segment_bytes(1 << 20))
        .expect("open");
    let wal = Arc::new(wal);
    let writer_count = 8;
    let appends_per_writer = 5;
    let acknowledged = append_from_threads(&wal, writer_count, appends_per_writer);
    let stats = wal.stats();
    assert_eq!(stats.records_written, acknowledged.len() as u64);
    // With a 20 ms sync and 8 writers, batches of one append each would
    // take 40 syncs; group commit needs far fewer.
    assert!(
        stats.batches_written < (writer_count * appends_per_writer / 2) as u64,
        "{} batches for {} appends",
        stats.batches_written,
        writer_count * appends_per_writer
    );
    assert_eq!(
        stats.data_syncs, stats.batches_written,
        "one sync per batch without rolling"
    );
}
