//! Benchmarks of the contact-centre kernels: contact metrics over a
//! million contacts (250,000 customers × 4 contacts among page views),
//! grouped by queue, by agent and by queue × half hour; and the breach
//! detector replaying the same million contacts as queue events. Run with
//! `cargo bench -p journey --bench contact`.
//!
//! Results on 2026-11-23, 2-core AMD EPYC VM shared with other builds
//! (load average 5–7, so ±20 %), release profile, criterion medians:
//! - 1,000,000 contacts (2,000,000 events): total only 113 ms; by agent
//!   (200 groups) 125 ms; by queue × half hour (23,000 groups) 594 ms; all
//!   three groupings 664 ms. The many-group case is bound by cache misses
//!   on the group table (a better-mixing hash did not help).
//! - Breach detector replaying the same contacts as 2.9 million queue
//!   events (8 queues): 436 ms, about 150 ns per event.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use journey::contact::{
    BreachConfig, BreachDetector, ContactDimension, ContactMetricsAccumulator, ContactRecord,
    ContactSpec, QueueEvent, contact_records,
};
use journey::owned::OwnedJourney;
use journey::{Accumulator, Contact, NO_NAME};
use model::TouchpointId;

const N_CUSTOMERS: u64 = 250_000;
const CONTACTS_PER_CUSTOMER: u64 = 4;

/// A small linear congruential generator: enough for bench data.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Four contacts per customer over 60 days, each after a page view, on 8
/// queues and 200 agents, a tenth abandoned.
fn journeys() -> Vec<OwnedJourney> {
    let mut rng = Lcg(2026);
    (0..N_CUSTOMERS)
        .map(|customer| {
            let mut journey = OwnedJourney::new(customer, 0);
            let mut ts_us = rng.below(60 * 86_400) as i64 * 1_000_000;
            for _ in 0..CONTACTS_PER_CUSTOMER {
                push_page(&mut journey, ts_us);
                ts_us += rng.below(3 * 86_400) as i64 * 1_000_000;
                let abandoned = rng.below(10) == 0;
                let facts = &mut journey.facts;
                facts.channel.push(rng.below(3) as u32);
                facts.agent.push(if abandoned {
                    NO_NAME
                } else {
                    rng.below(200) as u32
                });
                facts.wait_s.push(rng.below(120) as f32);
                facts.handle_s.push(f32::NAN);
                facts.abandoned.push(Some(abandoned));
                facts.resolved.push(Some(rng.below(4) != 0));
                facts.contact.push(Contact {
                    queue: rng.below(8) as u32,
                    team: rng.below(4) as u32,
                    skill: NO_NAME,
                    issue: rng.below(20) as u32,
                    talk_s: 60.0 + rng.below(600) as f32,
                    hold_s: rng.below(60) as f32,
                    wrap_s: rng.below(90) as f32,
                    transfers: (rng.below(10) == 0) as u16,
                });
                let emotion = rng.below(9) as f32 / 4.0 - 1.0;
                journey.push(ts_us, TouchpointId(1), emotion);
                ts_us += 1_000_000;
            }
            journey
        })
        .collect()
}

fn push_page(journey: &mut OwnedJourney, ts_us: i64) {
    let facts = &mut journey.facts;
    facts.channel.push(3);
    facts.agent.push(NO_NAME);
    facts.wait_s.push(f32::NAN);
    facts.handle_s.push(f32::NAN);
    facts.abandoned.push(None);
    facts.resolved.push(None);
    facts.contact.push(Contact::NONE);
    journey.push(ts_us, TouchpointId(0), f32::NAN);
}

fn metrics(c: &mut Criterion) {
    let journeys = journeys();
    let spec = ContactSpec {
        groupings: vec![
            vec![ContactDimension::Queue],
            vec![ContactDimension::Agent],
            vec![ContactDimension::Queue, ContactDimension::Interval],
        ],
        human_channels: vec![0, 1],
        ..ContactSpec::default()
    };
    let mut group = c.benchmark_group("contacts_1m");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("metrics_total_only", |b| {
        let spec = ContactSpec {
            groupings: Vec::new(),
            ..spec.clone()
        };
        b.iter(|| run(black_box(&journeys), &spec))
    });
    for (name, grouping) in [
        ("metrics_by_agent", vec![ContactDimension::Agent]),
        (
            "metrics_by_queue_x_half_hour",
            vec![ContactDimension::Queue, ContactDimension::Interval],
        ),
    ] {
        let spec = ContactSpec {
            groupings: vec![grouping],
            ..spec.clone()
        };
        group.bench_function(name, |b| b.iter(|| run(black_box(&journeys), &spec)));
    }
    group.bench_function("metrics_queue_agent_queue_x_half_hour", |b| {
        b.iter(|| run(black_box(&journeys), &spec))
    });
    let mut records: Vec<ContactRecord> = Vec::new();
    for journey in &journeys {
        contact_records(&journey.as_journey(), &mut records);
    }
    let events = QueueEvent::replay(&records);
    eprintln!("{} contacts, {} queue events", records.len(), events.len());
    group.bench_function("breach_detector_replay", |b| {
        b.iter(|| {
            let mut detector = BreachDetector::new(&BreachConfig::default()).expect("valid");
            let mut signals = 0_u64;
            for event in black_box(&events) {
                signals += u64::from(detector.observe(event).expect("in order").is_some());
            }
            signals
        })
    });
    group.finish();
}

fn run(journeys: &[OwnedJourney], spec: &ContactSpec) -> u64 {
    let mut accumulator = ContactMetricsAccumulator::new(spec).expect("valid spec");
    for journey in journeys {
        accumulator.observe(&journey.as_journey());
    }
    accumulator.finish().total.offered
}

criterion_group!(benches, metrics);
criterion_main!(benches);
