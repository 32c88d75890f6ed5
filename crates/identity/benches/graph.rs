//! Benchmarks of the identity graph: building it from a million link
//! records (one replay from the log, and call by call as ingest does, 5 %
//! of the calls late),
//! decoding the log, and resolving ten million event keys through the
//! override map (issue target: identity resolution adds ≤ 10 % to a
//! 10M-event journey map with 5 % of customers merged). Run with
//! `cargo bench -p identity --bench graph`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use identity::{
    IdentityGraph, IdentityOptions, Link, Reason, Record, RecordId, apply_overrides, decode_log,
    encode_records,
};
use model::Event;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const N_RECORDS: usize = 1_000_000;
const N_CUSTOMERS: usize = 1_000_000;
const N_EVENTS: usize = 10_000_000;

fn options() -> IdentityOptions {
    IdentityOptions {
        merge_on_traits: vec!["email".into()],
    }
}

/// A million link records: 400k users with two anonymous devices each
/// (800k identifies), and 200k trait links pairing devices by e-mail.
/// Times rise with the record, except that 5 % arrive late.
fn million_records() -> Vec<Record> {
    let mut rng = SmallRng::seed_from_u64(7);
    let n_identifies = N_RECORDS * 4 / 5;
    let mut records = Vec::with_capacity(N_RECORDS);
    for index in 0..N_RECORDS {
        let late = rng.random_bool(0.05);
        let ts_us = if late {
            index as i64 - 50_000
        } else {
            index as i64
        };
        let reason = Reason::event(format!("event-{index}"), ts_us);
        let link = if index < n_identifies {
            Link::Identify {
                anonymous_id: format!("anon-{index}"),
                user_id: format!("user-{}", index / 2),
            }
        } else {
            Link::SharedTrait {
                distinct_id: format!("device-{index}"),
                trait_name: "email".into(),
                normalised_hash: format!("{:064x}", index / 2),
            }
        };
        records.push(Record::Link { link, reason });
    }
    records
}

fn build(c: &mut Criterion) {
    let records = million_records();
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(N_RECORDS as u64));
    group.bench_function("from_records_1m", |b| {
        b.iter_batched(
            || records.clone(),
            |records| IdentityGraph::from_records(options(), records).expect("valid records"),
            BatchSize::PerIteration,
        );
    });
    // In generation order: 5 % of the calls arrive late and replay their
    // region.
    let calls: Vec<(Link, Reason)> = records
        .clone()
        .into_iter()
        .map(|record| match record {
            Record::Link { link, reason } => (link, reason),
            _ => unreachable!("only links were generated"),
        })
        .collect();
    group.bench_function("call_by_call_5pct_late_1m", |b| {
        b.iter_batched(
            || calls.clone(),
            |calls| {
                let mut graph = IdentityGraph::new(options());
                for (link, reason) in calls {
                    black_box(graph.link(link, reason));
                }
                graph
            },
            BatchSize::PerIteration,
        );
    });
    let text = encode_records(RecordId(0), &records);
    group.bench_function("decode_log_1m", |b| {
        b.iter(|| decode_log(black_box(&text)).expect("own log decodes"));
    });
    group.finish();
}

/// A graph where 5 % of a million customers are merged into another, and
/// ten million events over the million customers: in store order (each
/// customer's events together) and shuffled.
fn resolve(c: &mut Criterion) {
    let mut rng = SmallRng::seed_from_u64(11);
    let mut graph = IdentityGraph::new(options());
    let n_merged = N_CUSTOMERS / 20;
    let calls = (0..n_merged).map(|index| {
        let link = Link::Identify {
            anonymous_id: format!("customer-{}", index * 20 + 1),
            user_id: format!("customer-{}", index * 20),
        };
        (link, Reason::event(format!("login-{index}"), index as i64))
    });
    graph.link_all(calls);
    let keys: Vec<u64> = (0..N_CUSTOMERS)
        .map(|index| Event::customer_key(&format!("customer-{index}")))
        .collect();
    let mut sorted_events: Vec<u64> = (0..N_EVENTS)
        .map(|_| keys[rng.random_range(0..N_CUSTOMERS)])
        .collect();
    let mut shuffled_events = sorted_events.clone();
    shuffled_events.shuffle(&mut rng);
    sorted_events.sort_unstable();
    let overrides = graph.overrides();
    assert_eq!(overrides.len(), n_merged);

    let mut group = c.benchmark_group("resolve");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(N_EVENTS as u64));
    group.bench_function("overrides_10m_events_in_store_order", |b| {
        b.iter_batched_ref(
            || sorted_events.clone(),
            |events| apply_overrides(&overrides, events),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("overrides_10m_events_shuffled", |b| {
        b.iter_batched_ref(
            || shuffled_events.clone(),
            |events| apply_overrides(&overrides, events),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("canonical_10m_events_shuffled", |b| {
        b.iter(|| {
            let mut checksum = 0u64;
            for &key in &shuffled_events {
                checksum = checksum.wrapping_add(graph.canonical(key));
            }
            checksum
        });
    });
    group.finish();

    let mut group = c.benchmark_group("overrides");
    group.sample_size(10);
    group.throughput(Throughput::Elements(graph.n_identities() as u64));
    group.bench_function("build_map_of_100k_identities", |b| {
        b.iter(|| graph.overrides().len());
    });
    group.finish();
}

criterion_group!(benches, build, resolve);
criterion_main!(benches);
