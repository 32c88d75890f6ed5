//! Integration tests of the WAL: round trips, recovery, torn tails, corruption, trimming, concurrency and fail-stop.

mod concurrency;
mod corruption;
mod failure;
mod fixture;
mod recovery;
mod round_trip;
mod trim;

use std::path::Path;

use wal::{Lsn, Recovery, Wal, WalOptions};

/// Options with a chosen segment size and the default record limit.
pub fn options_with_segment_bytes(segment_target_bytes: u64) -> WalOptions {
    WalOptions {
        segment_target_bytes,
        ..WalOptions::default()
    }
}

pub fn open(dir: &Path, options: &WalOptions) -> (Wal, Recovery) {
    Wal::open(dir, options.clone()).expect("the WAL opens")
}

/// A payload that names its writer and sequence number, of varying length.
pub fn payload(writer_idx: usize, seq_idx: usize) -> Vec<u8> {
    let mut bytes = format!("writer {writer_idx} record {seq_idx} ").into_bytes();
    bytes.resize(bytes.len() + (seq_idx * 7 + writer_idx) % 23, b'x');
    bytes
}

/// The recovered records as (lsn, payload) pairs.
pub fn recovered_pairs(recovery: &Recovery) -> Vec<(Lsn, Vec<u8>)> {
    recovery
        .records
        .iter()
        .map(|record| (record.lsn, record.payload.clone()))
        .collect()
}

/// Appends each payload as its own record and returns (lsn, payload) pairs.
pub fn append_each(wal: &Wal, payloads: &[Vec<u8>]) -> Vec<(Lsn, Vec<u8>)> {
    payloads
        .iter()
        .map(|payload| {
            let lsns = wal.append(&[payload.as_slice()]).expect("append succeeds");
            assert_eq!(lsns.end - lsns.start, 1);
            (lsns.start, payload.clone())
        })
        .collect()
}

/// The segment files of a WAL directory, sorted by name (that is, by LSN).
pub fn segment_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the WAL directory is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            wal::parse_segment_name(&path.file_name().expect("a file name").to_string_lossy())
                .is_some()
        })
        .collect();
    files.sort();
    files
}
