//! Recovery: a torn tail at any byte of the last record is cut off; damage elsewhere is reported, not skipped.

use std::path::Path;

use crate::{
    append_each, open, options_with_segment_bytes, payload, recovered_pairs, segment_files,
};
use wal::{FRAME_HEADER_LEN, SEGMENT_HEADER_LEN, Wal, WalError, WalOptions};

/// Writes a copy of `files` (name, bytes) into a fresh directory.
fn directory_with(files: &[(String, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("write a WAL file");
    }
    dir
}

fn read_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    segment_files(dir)
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("read a segment"))
        })
        .collect()
}

#[test]
fn a_torn_tail_at_every_byte_of_the_last_record_is_cut_and_appends_continue() {
    let template = tempfile::tempdir().expect("temp dir");
    let options = WalOptions::default();
    let payloads: Vec<Vec<u8>> = (0..5).map(|seq_idx| payload(0, seq_idx)).collect();
    let written = {
        let (wal, _) = open(template.path(), &options);
        append_each(&wal, &payloads)
    };
    let files = read_files(template.path());
    assert_eq!(files.len(), 1);
    let (name, segment) = &files[0];
    let last_frame_len = FRAME_HEADER_LEN + payloads[4].len();
    let last_frame_start = segment.len() - last_frame_len;
    for cut_offset in last_frame_start..segment.len() {
        let dir = directory_with(&[(name.clone(), segment[..cut_offset].to_vec())]);
        let replacement = format!("replacement at {cut_offset}").into_bytes();
        {
            let (wal, recovery) = open(dir.path(), &options);
            assert_eq!(
                recovered_pairs(&recovery),
                written[..4],
                "cut at byte {cut_offset}"
            );
            if cut_offset == last_frame_start {
                assert_eq!(
                    recovery.torn_tail, None,
                    "a cut between records leaves no torn tail"
                );
            } else {
                let torn_tail = recovery
                    .torn_tail
                    .as_ref()
                    .expect("a torn tail is reported");
                assert_eq!(torn_tail.offset_bytes, last_frame_start as u64);
                assert_eq!(
                    torn_tail.discarded_bytes,
                    (cut_offset - last_frame_start) as u64
                );
            }
            assert_eq!(
                wal.append(&[replacement.as_slice()])
                    .expect("append after recovery"),
                5..6
            );
        }
        let (_, recovery) = open(dir.path(), &options);
        let mut expected = written[..4].to_vec();
        expected.push((5, replacement));
        assert_eq!(
            recovered_pairs(&recovery),
            expected,
            "cut at byte {cut_offset}, then appended"
        );
        assert_eq!(recovery.torn_tail, None);
    }
}

#[test]
fn garbage_after_the_last_record_is_a_torn_tail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = WalOptions::default();
    let written = {
        let (wal, _) = open(dir.path(), &options);
        append_each(&wal, &[b"one".to_vec(), b"two".to_vec()])
    };
    let path = &segment_files(dir.path())[0];
    let mut bytes = std::fs::read(path).expect("read segment");
    let valid_len = bytes.len();
    bytes.extend_from_slice(&[0_u8; 4096]);
    std::fs::write(path, &bytes).expect("append zeros");
    let (wal, recovery) = open(dir.path(), &options);
    assert_eq!(recovered_pairs(&recovery), written);
    assert_eq!(
        recovery.torn_tail.as_ref().map(|tail| tail.discarded_bytes),
        Some(4096)
    );
    assert_eq!(
        std::fs::metadata(path).expect("metadata").len(),
        valid_len as u64,
        "the file was truncated"
    );
    assert_eq!(wal.next_lsn(), 3);
}

#[test]
fn a_last_segment_with_a_torn_header_is_reinitialised() {
    let template = tempfile::tempdir().expect("temp dir");
    let options = options_with_segment_bytes(100);
    let written = {
        let (wal, _) = open(template.path(), &options);
        append_each(
            &wal,
            &(0..3)
                .map(|seq_idx| vec![seq_idx as u8; 40])
                .collect::<Vec<_>>(),
        )
    };
    let files = read_files(template.path());
    assert_eq!(files.len(), 3, "one record per segment");
    for header_len in [0, 1, SEGMENT_HEADER_LEN - 1] {
        let mut damaged = files.clone();
        damaged[2].1.truncate(header_len);
        let dir = directory_with(&damaged);
        {
            let (wal, recovery) = open(dir.path(), &options);
            assert_eq!(
                recovered_pairs(&recovery),
                written[..2],
                "header cut to {header_len} bytes"
            );
            assert!(
                recovery.torn_tail.is_some(),
                "header cut to {header_len} bytes is a torn tail"
            );
            assert_eq!(wal.append(&[b"again"]).expect("append"), 3..4);
        }
        let (_, recovery) = open(dir.path(), &options);
        assert_eq!(recovery.records.len(), 3);
        assert_eq!(recovery.records[2].payload, b"again");
    }
    let mut zeroed = files.clone();
    zeroed[2].1 = vec![0; 64];
    let dir = directory_with(&zeroed);
    let (_, recovery) = open(dir.path(), &options);
    assert_eq!(
        recovered_pairs(&recovery),
        written[..2],
        "a zeroed header counts as torn"
    );
}

/// Opens a copy of `files` and expects a corruption error mentioning
/// `expected_file`.
fn check_corrupt(files: &[(String, Vec<u8>)], expected_file: &str) {
    let dir = directory_with(files);
    match Wal::open(dir.path(), options_with_segment_bytes(100)) {
        Err(WalError::Corrupt { file, .. }) => assert_eq!(file, expected_file),
        Err(other) => panic!("expected a corruption error, got {other}"),
        Ok((_, recovery)) => panic!(
            "expected a corruption error, recovered {:?}",
            recovery.records
        ),
    }
}

#[test]
fn damage_outside_the_last_segment_is_an_error_not_a_silent_loss() {
    let template = tempfile::tempdir().expect("temp dir");
    let options = options_with_segment_bytes(100);
    {
        let (wal, _) = open(template.path(), &options);
        append_each(
            &wal,
            &(0..4)
                .map(|seq_idx| vec![seq_idx as u8; 30])
                .collect::<Vec<_>>(),
        );
    }
    let files = read_files(template.path());
    assert_eq!(files.len(), 2, "two records per segment");
    let first_name = files[0].0.clone();

    let mut flipped_payload = files.clone();
    flipped_payload[0].1[SEGMENT_HEADER_LEN + FRAME_HEADER_LEN + 3] ^= 0x40;
    check_corrupt(&flipped_payload, &first_name);

    let mut truncated = files.clone();
    truncated[0].1.pop();
    check_corrupt(&truncated, &first_name);

    let mut torn_header = files.clone();
    torn_header[0].1.truncate(5);
    check_corrupt(&torn_header, &first_name);

    let mut trailing_bytes = files.clone();
    trailing_bytes[0].1.extend_from_slice(&[0; 8]);
    check_corrupt(&trailing_bytes, &first_name);

    let mut bad_last_header = files.clone();
    bad_last_header[1].1[0] = b'X';
    check_corrupt(&bad_last_header, &files[1].0);

    let missing_middle = vec![
        files[0].clone(),
        (wal::segment_name(5), {
            let mut segment = wal::encode_segment_header(5).to_vec();
            wal::encode_record(5, b"late", &mut segment);
            segment
        }),
    ];
    check_corrupt(&missing_middle, &missing_middle[1].0);

    let missing_first = vec![files[1].clone()];
    check_corrupt(&missing_first, &files[1].0);

    let mut renamed = files.clone();
    renamed[1].0 = wal::segment_name(4);
    check_corrupt(&renamed, &renamed[1].0);
}

#[test]
fn unrelated_files_in_the_directory_are_ignored() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("README"), b"not a segment").expect("write");
    std::fs::write(dir.path().join("wal-12.log"), b"not a segment name either").expect("write");
    let (wal, recovery) = open(dir.path(), &WalOptions::default());
    assert!(recovery.records.is_empty());
    assert_eq!(wal.append(&[b"x"]).expect("append"), 1..2);
}
