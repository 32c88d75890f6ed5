//! Group-commit throughput: 200-byte records appended by N threads, one or many records per call, with real fsyncs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wal::{Wal, WalOptions};

const RECORD_BYTES: usize = 200;

/// Appends `record_count` records from `thread_count` threads, each call
/// carrying `records_per_append` records; returns the wall time.
fn append_records(
    wal: &Arc<Wal>,
    thread_count: usize,
    records_per_append: usize,
    record_count: u64,
) -> Duration {
    let appends_total = record_count.div_ceil(records_per_append as u64);
    let appends_per_thread = appends_total.div_ceil(thread_count as u64);
    let record = vec![b'e'; RECORD_BYTES];
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..thread_count {
            let wal = Arc::clone(wal);
            let record = &record;
            scope.spawn(move || {
                let batch: Vec<&[u8]> = vec![record.as_slice(); records_per_append];
                for _ in 0..appends_per_thread {
                    wal.append(&batch).expect("append succeeds");
                }
            });
        }
    });
    start.elapsed()
}

fn bench_append(c: &mut Criterion) {
    let mut group = c.benchmark_group("wal_append_200B");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    for (thread_count, records_per_append) in [
        (1, 1),
        (16, 1),
        (64, 1),
        (256, 1),
        (1, 64),
        (16, 64),
        (64, 64),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let options = WalOptions {
            segment_target_bytes: 16 << 20,
            ..WalOptions::default()
        };
        let (wal, _) = Wal::open(dir.path(), options).expect("open");
        let wal = Arc::new(wal);
        group.throughput(Throughput::Elements(1));
        let id = BenchmarkId::new(
            format!("threads_{thread_count}"),
            format!("records_per_append_{records_per_append}"),
        );
        group.bench_function(id, |bencher| {
            bencher.iter_custom(|record_count| {
                let elapsed = append_records(&wal, thread_count, records_per_append, record_count);
                // Keep the directory small: everything written is trimmed.
                wal.trim(wal.last_durable_lsn()).expect("trim");
                elapsed
            });
        });
        let stats = wal.stats();
        eprintln!(
            "threads {thread_count}, records/append {records_per_append}: {} records in {} batches, {:.4} data syncs per record, {:.1} records per sync",
            stats.records_written,
            stats.batches_written,
            stats.data_syncs as f64 / stats.records_written as f64,
            stats.records_written as f64 / stats.data_syncs as f64,
        );
    }
    group.finish();
}

criterion_group!(benches, bench_append);
criterion_main!(benches);
