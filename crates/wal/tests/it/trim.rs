//! Trimming: the checkpoint hides trimmed records, whole trimmed segments are deleted, the current one is kept.

use crate::{append_each, open, options_with_segment_bytes, recovered_pairs, segment_files};
use wal::{CHECKPOINT_FILE_NAME, CHECKPOINT_TEMP_FILE_NAME, Wal, WalError, WalOptions};

fn options() -> WalOptions {
    // Frames of 8 + 30 bytes: two records per segment.
    options_with_segment_bytes(100)
}

/// A WAL with records 1..=10, two per segment (first LSNs 1, 3, 5, 7, 9).
fn ten_records(dir: &std::path::Path) -> (Wal, Vec<(u64, Vec<u8>)>) {
    let (wal, _) = open(dir, &options());
    let payloads: Vec<Vec<u8>> = (0..10)
        .map(|seq_idx| vec![b'0' + seq_idx as u8; 30])
        .collect();
    let written = append_each(&wal, &payloads);
    assert_eq!(wal.segment_names().len(), 5);
    (wal, written)
}

/// Trims to `trimmed_lsn`, checks the segments left and what a reopen
/// recovers.
fn check(trimmed_lsn: u64, expected_segment_first_lsns: &[u64]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (wal, written) = ten_records(dir.path());
    let before = wal.segment_names().len();
    let outcome = wal.trim(trimmed_lsn).expect("trim succeeds");
    let expected_names: Vec<String> = expected_segment_first_lsns
        .iter()
        .map(|&lsn| wal::segment_name(lsn))
        .collect();
    assert_eq!(wal.segment_names(), expected_names, "trim to {trimmed_lsn}");
    assert_eq!(outcome.segments_deleted, before - expected_names.len());
    assert_eq!(
        segment_files(dir.path()).len(),
        expected_names.len(),
        "files were deleted"
    );
    assert_eq!(wal.trimmed_lsn(), trimmed_lsn);
    drop(wal);
    let (wal, recovery) = open(dir.path(), &options());
    assert_eq!(recovery.trimmed_lsn, trimmed_lsn);
    assert_eq!(recovery.segments_deleted, 0);
    assert_eq!(
        recovered_pairs(&recovery),
        written[trimmed_lsn as usize..],
        "trim to {trimmed_lsn}"
    );
    assert_eq!(wal.append(&[b"next"]).expect("append after trim"), 11..12);
}

#[test]
fn trim_cases() {
    check(1, &[1, 3, 5, 7, 9]);
    check(2, &[3, 5, 7, 9]);
    check(5, &[5, 7, 9]);
    check(6, &[7, 9]);
    check(9, &[9]);
    check(10, &[9]);
}

#[test]
fn trim_beyond_the_durable_records_is_refused_and_lower_trims_do_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (wal, _) = ten_records(dir.path());
    let error = wal.trim(11).expect_err("record 11 does not exist");
    assert!(
        matches!(
            error,
            WalError::TrimBeyondDurable {
                requested_lsn: 11,
                last_durable_lsn: 10
            }
        ),
        "{error}"
    );
    wal.trim(6).expect("trim");
    assert_eq!(
        wal.trim(3)
            .expect("a lower trim is allowed")
            .segments_deleted,
        0
    );
    assert_eq!(wal.trimmed_lsn(), 6);
    assert_eq!(wal.trim(0).expect("trim to 0").segments_deleted, 0);
}

#[test]
fn trimming_everything_then_appending_continues_the_lsns() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let (wal, _) = ten_records(dir.path());
        wal.trim(10).expect("trim");
    }
    let (wal, recovery) = open(dir.path(), &options());
    assert!(recovery.records.is_empty());
    assert_eq!(wal.next_lsn(), 11);
    assert_eq!(wal.append(&[b"eleven"]).expect("append"), 11..12);
    drop(wal);
    let (_, recovery) = open(dir.path(), &options());
    assert_eq!(recovered_pairs(&recovery), vec![(11, b"eleven".to_vec())]);
}

#[test]
fn segments_left_by_a_crash_during_trim_are_skipped_and_deleted_on_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (wal, written) = ten_records(dir.path());
    let saved: Vec<(std::path::PathBuf, Vec<u8>)> = segment_files(dir.path())
        .into_iter()
        .map(|path| (path.clone(), std::fs::read(&path).expect("read")))
        .collect();
    wal.trim(6).expect("trim");
    drop(wal);
    // As if the process died after the checkpoint but before the deletions.
    for (path, bytes) in &saved {
        std::fs::write(path, bytes).expect("restore segment");
    }
    std::fs::write(dir.path().join(CHECKPOINT_TEMP_FILE_NAME), b"half-written")
        .expect("write temp checkpoint");
    let (wal, recovery) = open(dir.path(), &options());
    assert_eq!(recovery.segments_deleted, 3);
    assert_eq!(recovered_pairs(&recovery), written[6..]);
    assert_eq!(
        wal.segment_names(),
        vec![wal::segment_name(7), wal::segment_name(9)]
    );
    assert!(
        !dir.path().join(CHECKPOINT_TEMP_FILE_NAME).exists(),
        "the temporary checkpoint was removed"
    );
}

#[test]
fn a_damaged_checkpoint_is_corruption() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let (wal, _) = ten_records(dir.path());
        wal.trim(4).expect("trim");
    }
    let path = dir.path().join(CHECKPOINT_FILE_NAME);
    let mut bytes = std::fs::read(&path).expect("read checkpoint");
    bytes[10] ^= 0x10;
    std::fs::write(&path, &bytes).expect("write checkpoint");
    let error = Wal::open(dir.path(), options()).expect_err("the checkpoint is damaged");
    assert!(
        matches!(&error, WalError::Corrupt { file, .. } if file == CHECKPOINT_FILE_NAME),
        "{error}"
    );
}

#[test]
fn a_checkpoint_beyond_the_end_of_the_log_is_corruption() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let (_wal, _) = ten_records(dir.path());
    }
    std::fs::write(
        dir.path().join(CHECKPOINT_FILE_NAME),
        wal::encode_checkpoint(20),
    )
    .expect("write checkpoint");
    let error = Wal::open(dir.path(), options()).expect_err("records 11..=20 are not in the log");
    assert!(
        matches!(&error, WalError::Corrupt { file, .. } if file == CHECKPOINT_FILE_NAME),
        "{error}"
    );
    assert_eq!(
        segment_files(dir.path()).len(),
        5,
        "no segment is deleted on the word of a bad checkpoint"
    );
}
