//! Store integration tests: the committed format fixture still opens, and
//! bad input is refused without touching stored data.

use std::path::{Path, PathBuf};
use store::{CreateOptions, EventBuilders, Store, StoreError};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format-v1")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A data directory written by format version 1 (40 generated retail
/// customers, 383 events, 4 buckets) must stay readable.
#[tokio::test]
async fn format_v1_fixture_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(), dir.path());
    let store = Store::open(dir.path()).await.expect("fixture opens");
    assert_eq!(store.meta().format_version, model::FORMAT_VERSION);
    assert_eq!(store.buckets(), 4);
    let files = store.files().expect("files");
    assert_eq!(files.len(), 4);
    assert!(files.iter().all(|f| f.bucket < 4 && f.path.exists()));
    let ids = files.iter().map(|f| f.size_bytes).sum::<u64>();
    assert!(ids > 0);
    let definition = store.definition().expect("definition");
    assert!(definition.touchpoints.len() >= 30);
    assert_eq!(store.traits().expect("traits").len(), 40);
    assert!(store.names().touchpoints.contains_key("parcel_delivery"));
}

#[tokio::test]
async fn refuses_unknown_format_and_non_data_dirs() {
    let dir = tempfile::tempdir().expect("temp dir");
    match Store::open(dir.path()).await {
        Err(StoreError::NotADataDir(_)) => {}
        other => panic!("expected NotADataDir, got {other:?}"),
    }
    copy_dir(&fixture(), dir.path());
    let meta = dir.path().join("touchpoint.json");
    std::fs::write(&meta, r#"{"format_version": 99, "buckets": 4}"#).expect("write meta");
    let error = Store::open(dir.path())
        .await
        .expect_err("format 99 is refused");
    assert!(error.to_string().contains("format 99"), "{error}");
}

#[tokio::test]
async fn a_batch_of_the_wrong_shape_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(), dir.path());
    let mut store = Store::open(dir.path()).await.expect("opens");
    let version = store.version();
    let files = store.files().expect("files");
    let wrong = arrow::array::RecordBatch::try_from_iter([(
        "event_id",
        std::sync::Arc::new(arrow::array::StringArray::from(vec!["x"])) as arrow::array::ArrayRef,
    )])
    .expect("batch");
    let error = store
        .append(&[wrong])
        .await
        .expect_err("wrong schema is refused");
    assert!(error.to_string().contains("event schema"), "{error}");
    assert_eq!(store.version(), version);
    assert_eq!(store.files().expect("files"), files);
}

#[tokio::test]
async fn new_directory_rejects_bad_bucket_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error = Store::open_or_create(&dir.path().join("d"), &CreateOptions { buckets: 0 })
        .await
        .expect_err("zero buckets");
    assert!(error.to_string().contains("buckets"), "{error}");
    let store = Store::open_or_create(&dir.path().join("e"), &CreateOptions { buckets: 2 })
        .await
        .expect("created");
    assert_eq!(store.files().expect("files"), Vec::new());
    assert!(EventBuilders::new().is_empty());
}
