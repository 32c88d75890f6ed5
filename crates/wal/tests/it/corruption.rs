//! Random damage to the files never yields a record that was not written, never panics, and never drops data silently.

use std::sync::OnceLock;

use proptest::prelude::*;

use crate::{open, options_with_segment_bytes, payload, recovered_pairs, segment_files};
use wal::{Lsn, Wal, WalError, WalOptions};

struct Template {
    files: Vec<(String, Vec<u8>)>,
    written: Vec<(Lsn, Vec<u8>)>,
}

fn options() -> WalOptions {
    options_with_segment_bytes(200)
}

/// A log of 30 records over several segments, written once.
fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut written = Vec::new();
        {
            let (wal, _) = open(dir.path(), &options());
            for batch_idx in 0..10 {
                let payloads: Vec<Vec<u8>> =
                    (0..3).map(|seq_idx| payload(batch_idx, seq_idx)).collect();
                let slices: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
                let lsns = wal.append(&slices).expect("append succeeds");
                written.extend(lsns.zip(payloads));
            }
        }
        let files = segment_files(dir.path())
            .into_iter()
            .map(|path| {
                let name = path
                    .file_name()
                    .expect("a file name")
                    .to_string_lossy()
                    .into_owned();
                (name, std::fs::read(&path).expect("read segment"))
            })
            .collect::<Vec<_>>();
        assert!(files.len() >= 4, "the template spans several segments");
        Template { files, written }
    })
}

#[derive(Clone, Debug)]
struct Damage {
    /// (file selector, byte selector, xor mask) per flipped byte.
    flips: Vec<(usize, usize, u8)>,
    /// (file selector, length selector) for an optional truncation.
    truncation: Option<(usize, usize)>,
}

fn damage_strategy() -> impl Strategy<Value = Damage> {
    let flips = prop::collection::vec((any::<usize>(), any::<usize>(), 1..=255_u8), 0..4);
    let truncation = prop::option::of((any::<usize>(), any::<usize>()));
    (flips, truncation).prop_map(|(flips, truncation)| Damage { flips, truncation })
}

fn damaged_files(damage: &Damage) -> Vec<(String, Vec<u8>)> {
    let mut files = template().files.clone();
    let file_count = files.len();
    for &(file_selector, byte_selector, mask) in &damage.flips {
        let bytes = &mut files[file_selector % file_count].1;
        let byte_idx = byte_selector % bytes.len();
        bytes[byte_idx] ^= mask;
    }
    if let Some((file_selector, len_selector)) = damage.truncation {
        let bytes = &mut files[file_selector % file_count].1;
        let new_len = len_selector % (bytes.len() + 1);
        bytes.truncate(new_len);
    }
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn damage_yields_a_prefix_of_the_written_records_or_an_error(damage in damage_strategy()) {
        let files = damaged_files(&damage);
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, bytes) in &files {
            std::fs::write(dir.path().join(name), bytes).expect("write damaged file");
        }
        let written = &template().written;
        match Wal::open(dir.path(), options()) {
            Ok((wal, recovery)) => {
                let recovered = recovered_pairs(&recovery);
                prop_assert!(recovered.len() <= written.len());
                prop_assert_eq!(&recovered[..], &written[..recovered.len()]);
                if recovered.len() < written.len() {
                    // Records can only go missing from the last segment.
                    let last_segment_first_lsn = wal::parse_segment_name(&files.last().expect("files").0).expect("a segment name");
                    prop_assert!(recovered.len() as u64 + 1 >= last_segment_first_lsn);
                }
                let next_lsn = recovered.len() as u64 + 1;
                prop_assert_eq!(wal.append(&[b"after damage"]).expect("append after recovery"), next_lsn..next_lsn + 1);
                drop(wal);
                let (_, reopened) = open(dir.path(), &options());
                let mut expected = recovered.clone();
                expected.push((next_lsn, b"after damage".to_vec()));
                prop_assert_eq!(recovered_pairs(&reopened), expected);
            }
            Err(WalError::Corrupt { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {}", other),
        }
    }
}

#[test]
fn undamaged_template_recovers_everything() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in &template().files {
        std::fs::write(dir.path().join(name), bytes).expect("write file");
    }
    let (_, recovery) = open(dir.path(), &options());
    assert_eq!(recovered_pairs(&recovery), template().written);
}
