//! Appends come back on reopen, with consecutive LSNs; segments roll at the configured size.

use crate::{
    append_each, open, options_with_segment_bytes, payload, recovered_pairs, segment_files,
};
use wal::{SEGMENT_HEADER_LEN, Wal, WalError, WalOptions};

#[test]
fn batches_get_consecutive_lsns_and_come_back_on_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = WalOptions::default();
    let mut expected = Vec::new();
    {
        let (wal, recovery) = open(dir.path(), &options);
        assert!(recovery.records.is_empty());
        assert_eq!(recovery.trimmed_lsn, 0);
        assert_eq!(wal.next_lsn(), 1);
        assert_eq!(wal.last_durable_lsn(), 0);
        let mut next_lsn = 1;
        for batch_len in [1_usize, 3, 0, 10, 2] {
            let payloads: Vec<Vec<u8>> = (0..batch_len)
                .map(|seq_idx| payload(batch_len, seq_idx))
                .collect();
            let slices: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
            let lsns = wal.append(&slices).expect("append succeeds");
            assert_eq!(lsns, next_lsn..next_lsn + batch_len as u64);
            expected.extend(lsns.zip(payloads));
            next_lsn += batch_len as u64;
        }
        assert_eq!(wal.last_durable_lsn(), next_lsn - 1);
        let stats = wal.stats();
        assert_eq!(stats.records_written, 16);
        assert_eq!(stats.batches_written, 4, "the empty batch writes nothing");
    }
    let (wal, recovery) = open(dir.path(), &options);
    assert_eq!(recovered_pairs(&recovery), expected);
    assert_eq!(recovery.torn_tail, None);
    assert_eq!(wal.next_lsn(), 17);
}

#[test]
fn empty_and_binary_payloads_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = WalOptions::default();
    let all_bytes: Vec<u8> = (0..=255).collect();
    let payloads: Vec<Vec<u8>> = vec![Vec::new(), all_bytes, vec![0; 1000], Vec::new()];
    let expected = {
        let (wal, _) = open(dir.path(), &options);
        append_each(&wal, &payloads)
    };
    let (_, recovery) = open(dir.path(), &options);
    assert_eq!(recovered_pairs(&recovery), expected);
}

#[test]
fn appends_after_reopen_continue_the_lsns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = WalOptions::default();
    let mut expected = Vec::new();
    for round_idx in 0..3 {
        let (wal, recovery) = open(dir.path(), &options);
        assert_eq!(recovered_pairs(&recovery), expected);
        let payloads: Vec<Vec<u8>> = (0..4).map(|seq_idx| payload(round_idx, seq_idx)).collect();
        expected.extend(append_each(&wal, &payloads));
    }
    let lsns: Vec<u64> = expected.iter().map(|(lsn, _)| *lsn).collect();
    assert_eq!(lsns, (1..=12).collect::<Vec<u64>>());
}

#[test]
fn oversized_records_are_rejected_and_nothing_is_appended() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = WalOptions {
        max_record_bytes: 10,
        ..WalOptions::default()
    };
    let (wal, _) = open(dir.path(), &options);
    let error = wal
        .append(&[b"short", b"much too long"])
        .expect_err("the second record is too long");
    assert!(
        matches!(
            error,
            WalError::RecordTooLarge {
                len_bytes: 13,
                max_bytes: 10
            }
        ),
        "{error}"
    );
    assert_eq!(
        wal.append(&[b"exactly 10"]).expect("10 bytes is allowed"),
        1..2
    );
}

#[test]
fn a_second_open_of_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (wal, _) = open(dir.path(), &WalOptions::default());
    let error = Wal::open(dir.path(), WalOptions::default()).expect_err("the directory is locked");
    assert!(matches!(error, WalError::Locked { .. }), "{error}");
    drop(wal);
    Wal::open(dir.path(), WalOptions::default()).expect("the lock is released on drop");
}

#[test]
fn segment_target_must_exceed_the_header() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = Wal::open(
        dir.path(),
        options_with_segment_bytes(SEGMENT_HEADER_LEN as u64),
    )
    .expect_err("too small");
    assert!(matches!(error, WalError::InvalidOptions(_)), "{error}");
}

#[test]
fn segments_roll_at_the_target_size_and_records_never_span_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let segment_target_bytes = 120;
    let options = options_with_segment_bytes(segment_target_bytes);
    // Frames of 8 + 30 bytes: two fit after the 20-byte header, a third does not.
    let payloads: Vec<Vec<u8>> = (0..9)
        .map(|seq_idx| vec![b'a' + seq_idx as u8; 30])
        .collect();
    let expected = {
        let (wal, _) = open(dir.path(), &options);
        let mut expected = append_each(&wal, &payloads[..4]);
        // One batch that spans two more segments.
        let slices: Vec<&[u8]> = payloads[4..].iter().map(Vec::as_slice).collect();
        let lsns = wal.append(&slices).expect("append succeeds");
        expected.extend(lsns.zip(payloads[4..].iter().cloned()));
        assert_eq!(
            wal.segment_names(),
            vec![
                wal::segment_name(1),
                wal::segment_name(3),
                wal::segment_name(5),
                wal::segment_name(7),
                wal::segment_name(9)
            ]
        );
        assert_eq!(wal.stats().segments_rolled, 4);
        expected
    };
    for file in segment_files(dir.path()) {
        let len_bytes = std::fs::metadata(&file).expect("segment metadata").len();
        assert!(
            len_bytes <= segment_target_bytes,
            "{} has {len_bytes} bytes",
            file.display()
        );
    }
    let (_, recovery) = open(dir.path(), &options);
    assert_eq!(recovered_pairs(&recovery), expected);
}

#[test]
fn a_record_larger_than_the_segment_target_gets_a_segment_of_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = options_with_segment_bytes(64);
    let payloads = vec![vec![1_u8; 10], vec![2_u8; 200], vec![3_u8; 10]];
    let expected = {
        let (wal, _) = open(dir.path(), &options);
        let expected = append_each(&wal, &payloads);
        assert_eq!(
            wal.segment_names(),
            vec![
                wal::segment_name(1),
                wal::segment_name(2),
                wal::segment_name(3)
            ]
        );
        expected
    };
    let (_, recovery) = open(dir.path(), &options);
    assert_eq!(recovered_pairs(&recovery), expected);
}
