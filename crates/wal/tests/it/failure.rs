//! Fail-stop: after a failed write or sync no append is acknowledged, and no acknowledged record is lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use crate::{append_each, open, options_with_segment_bytes, payload, recovered_pairs};
use wal::{FaultyStorage, FsStorage, Lsn, Wal, WalError, WalOptions};

fn faulty_wal(dir: &std::path::Path, options: WalOptions) -> (Wal, FaultyStorage) {
    let storage = FaultyStorage::new(Arc::new(FsStorage::open(dir).expect("open storage")));
    let (wal, _) = Wal::open_with_storage(Arc::new(storage.clone()), options).expect("open");
    (wal, storage)
}

fn assert_failed(result: Result<impl std::fmt::Debug, WalError>) {
    match result {
        Err(WalError::Failed { reason }) => assert!(reason.contains("injected"), "{reason}"),
        other => panic!("expected WalError::Failed, got {other:?}"),
    }
}

/// Checks that after reopening, the acknowledged records are all there and
/// anything more is one of the unacknowledged ones at the next LSNs.
fn check_recovered(
    dir: &std::path::Path,
    acknowledged: &[(Lsn, Vec<u8>)],
    unacknowledged: &[Vec<u8>],
) {
    let (_, recovery) = open(dir, &WalOptions::default());
    let recovered = recovered_pairs(&recovery);
    assert!(
        recovered.len() >= acknowledged.len(),
        "acknowledged records were lost"
    );
    assert_eq!(&recovered[..acknowledged.len()], acknowledged);
    for (index, (lsn, payload)) in recovered[acknowledged.len()..].iter().enumerate() {
        assert_eq!(*lsn, (acknowledged.len() + index + 1) as u64);
        assert_eq!(
            payload, &unacknowledged[index],
            "only a record of the failed batch may appear"
        );
    }
}

#[test]
fn a_failed_sync_fails_the_batch_and_every_later_call() {
    let dir = tempfile::tempdir().expect("temp dir");
    let failed_payload = b"never acknowledged".to_vec();
    let acknowledged = {
        let (wal, storage) = faulty_wal(dir.path(), WalOptions::default());
        let acknowledged = append_each(&wal, &[b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        storage.fail_sync_after(0);
        assert_failed(wal.append(&[failed_payload.as_slice()]));
        assert!(wal.failure().is_some());
        // The storage works again, but the WAL must not carry on.
        assert_failed(wal.append(&[b"later"]));
        assert_failed(wal.trim(1));
        assert_eq!(wal.last_durable_lsn(), 3);
        acknowledged
    };
    check_recovered(dir.path(), &acknowledged, &[failed_payload]);
}

#[test]
fn a_failed_write_leaves_a_torn_tail_that_recovery_cuts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let failed_payload = vec![b'z'; 100];
    let acknowledged = {
        let (wal, storage) = faulty_wal(dir.path(), WalOptions::default());
        let acknowledged = append_each(&wal, &[b"a".to_vec(), b"b".to_vec()]);
        storage.fail_write_after(0);
        assert_failed(wal.append(&[failed_payload.as_slice()]));
        assert_failed(wal.append(&[b"later"]));
        acknowledged
    };
    let (_, recovery) = open(dir.path(), &WalOptions::default());
    assert_eq!(recovered_pairs(&recovery), acknowledged);
    assert!(
        recovery.torn_tail.is_some(),
        "half of the failed frame was written"
    );
}

#[test]
fn a_failed_directory_sync_after_rolling_fails_the_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = options_with_segment_bytes(60);
    let acknowledged = {
        let (wal, storage) = faulty_wal(dir.path(), options.clone());
        let acknowledged = append_each(&wal, &[vec![b'a'; 30]]);
        // The next batch rolls before writing anything to the old segment:
        // a sync of the new segment, then of the directory, which fails.
        storage.fail_sync_after(1);
        assert_failed(wal.append(&[&[b'b'; 30]]));
        acknowledged
    };
    check_recovered(dir.path(), &acknowledged, &[vec![b'b'; 30]]);
}

#[test]
fn concurrent_appenders_never_see_an_acknowledgement_after_the_failure_and_lose_nothing() {
    for failing_sync in [1_u64, 5, 17] {
        let dir = tempfile::tempdir().expect("temp dir");
        let options = options_with_segment_bytes(2048);
        let (wal, storage) = faulty_wal(dir.path(), options);
        storage.fail_sync_after(failing_sync);
        let wal = Arc::new(wal);
        let failure_seen = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = (0..6)
            .map(|writer_idx| {
                let wal = Arc::clone(&wal);
                let failure_seen = Arc::clone(&failure_seen);
                thread::spawn(move || {
                    let mut acknowledged = Vec::new();
                    let mut failed = false;
                    for append_idx in 0..40 {
                        let record = payload(writer_idx, append_idx);
                        match wal.append(&[record.as_slice()]) {
                            Ok(lsns) => {
                                assert!(
                                    !failed,
                                    "an append succeeded after this thread saw the failure"
                                );
                                acknowledged.push((lsns.start, record));
                            }
                            Err(WalError::Failed { .. }) => {
                                failed = true;
                                failure_seen.store(true, Ordering::SeqCst);
                            }
                            Err(other) => panic!("unexpected error {other}"),
                        }
                    }
                    acknowledged
                })
            })
            .collect();
        let mut acknowledged: Vec<(Lsn, Vec<u8>)> = handles
            .into_iter()
            .flat_map(|handle| handle.join().expect("writer thread"))
            .collect();
        assert!(
            failure_seen.load(Ordering::SeqCst),
            "the injected failure was hit (sync {failing_sync})"
        );
        assert!(wal.failure().is_some());
        // The storage holds the directory lock; release it before reopening.
        drop(wal);
        drop(storage);
        acknowledged.sort();
        let (_, recovery) = open(dir.path(), &WalOptions::default());
        let recovered: std::collections::BTreeMap<Lsn, Vec<u8>> =
            recovered_pairs(&recovery).into_iter().collect();
        for (lsn, record) in &acknowledged {
            assert_eq!(
                recovered.get(lsn),
                Some(record),
                "acknowledged LSN {lsn} is lost (sync {failing_sync})"
            );
        }
    }
}
