//! The committed files of format version 1 still decode, and today's encoder still writes them byte for byte.

use std::path::{Path, PathBuf};

use crate::{open, recovered_pairs};
use wal::{CHECKPOINT_FILE_NAME, FORMAT_VERSION, WalOptions};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/v1")
}

const FIRST_LSN: u64 = 7;
const TRIMMED_LSN: u64 = 7;

fn fixture_payloads() -> Vec<Vec<u8>> {
    vec![
        b"trimmed".to_vec(),
        Vec::new(),
        b"touchpoint".to_vec(),
        (0..=255).collect(),
    ]
}

/// The fixture files as this build encodes them.
fn encoded_files() -> Vec<(String, Vec<u8>)> {
    let mut segment = wal::encode_segment_header(FIRST_LSN).to_vec();
    for (index, payload) in fixture_payloads().iter().enumerate() {
        wal::encode_record(FIRST_LSN + index as u64, payload, &mut segment);
    }
    vec![
        (wal::segment_name(FIRST_LSN), segment),
        (
            CHECKPOINT_FILE_NAME.to_string(),
            wal::encode_checkpoint(TRIMMED_LSN).to_vec(),
        ),
    ]
}

#[test]
fn format_version_one_fixture_is_stable() {
    assert_eq!(
        FORMAT_VERSION, 1,
        "a new format version needs a new fixture directory"
    );
    let bless = std::env::var_os("WAL_BLESS_FIXTURES").is_some();
    for (name, bytes) in encoded_files() {
        let path = fixture_dir().join(&name);
        if bless {
            std::fs::write(&path, &bytes).expect("write fixture");
        }
        let committed = std::fs::read(&path)
            .expect("the fixture is committed (WAL_BLESS_FIXTURES=1 writes it)");
        assert_eq!(
            committed, bytes,
            "{name} differs from what this build encodes"
        );
    }
}

#[test]
fn format_version_one_fixture_recovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, _) in encoded_files() {
        std::fs::copy(fixture_dir().join(&name), dir.path().join(&name)).expect("copy fixture");
    }
    let (wal, recovery) = open(dir.path(), &WalOptions::default());
    assert_eq!(recovery.trimmed_lsn, TRIMMED_LSN);
    let expected: Vec<(u64, Vec<u8>)> = fixture_payloads()
        .into_iter()
        .enumerate()
        .skip(1)
        .map(|(index, p)| (FIRST_LSN + index as u64, p))
        .collect();
    assert_eq!(recovered_pairs(&recovery), expected);
    assert_eq!(wal.next_lsn(), FIRST_LSN + 4);
}
