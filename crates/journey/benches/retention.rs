//! Criterion benchmarks of the return-journey kernels over a million
//! synthetic journeys spread over four months, held in shared columns the
//! way the engine lends them.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use journey::retention::{
    LifecycleAccumulator, LifecycleSpec, NewCustomer, Period, PeriodSpec, PersonaSpec,
    RetentionAccumulator, RetentionReference, RetentionSpec, RetentionType, StickinessAccumulator,
    StickinessSpec,
};
use journey::{Accumulator, Journey};
use model::TouchpointId;
use std::hint::black_box;

const N_JOURNEYS: usize = 1_000_000;
const N_TOUCHPOINTS: u32 = 20;
const DAY_US: i64 = 86_400_000_000;
/// 2024-01-01T00:00:00Z.
const DAY0_US: i64 = 19_723 * DAY_US;

/// All journeys' events in shared columns; journey `i` spans
/// `offsets[i]..offsets[i + 1]`.
struct Events {
    personas: Vec<u64>,
    offsets: Vec<usize>,
    ts_us: Vec<i64>,
    touchpoint: Vec<TouchpointId>,
    emotion: Vec<f32>,
}

impl Events {
    fn journeys(&self) -> impl Iterator<Item = Journey<'_>> {
        (0..self.personas.len()).map(|i| {
            let events = self.offsets[i]..self.offsets[i + 1];
            Journey {
                customer: i as u64,
                personas: self.personas[i],
                ts_us: &self.ts_us[events.clone()],
                touchpoint: &self.touchpoint[events.clone()],
                emotion: &self.emotion[events],
                breakdown: &[],
                facts: Default::default(),
            }
        })
    }
}

/// SplitMix64, so that the data is the same on every run.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Journeys of 1 to 12 events starting in the first 100 days of 2024,
/// with gaps from minutes to about two weeks.
fn events() -> Events {
    let mut state = 7;
    let mut events = Events {
        personas: Vec::with_capacity(N_JOURNEYS),
        offsets: Vec::with_capacity(N_JOURNEYS + 1),
        ts_us: Vec::new(),
        touchpoint: Vec::new(),
        emotion: Vec::new(),
    };
    events.offsets.push(0);
    for _ in 0..N_JOURNEYS {
        events.personas.push(next_random(&mut state) % 8);
        let len = 1 + next_random(&mut state) % 12;
        let mut ts_us = DAY0_US + (next_random(&mut state) % (100 * DAY_US as u64)) as i64;
        for _ in 0..len {
            let random = next_random(&mut state);
            ts_us += (random % (14 * DAY_US as u64)) as i64 >> (random % 8);
            events.ts_us.push(ts_us);
            events
                .touchpoint
                .push(TouchpointId((random >> 40) as u32 % N_TOUCHPOINTS));
            events.emotion.push(f32::NAN);
        }
        events.offsets.push(events.ts_us.len());
    }
    events
}

fn run<A: Accumulator>(events: &Events, mut accumulator: A) -> A::Output {
    for journey in events.journeys() {
        accumulator.observe(&journey);
    }
    accumulator.finish()
}

fn personas() -> Vec<PersonaSpec> {
    (0..3)
        .map(|bit| PersonaSpec {
            name: format!("persona_{bit}"),
            bit,
        })
        .collect()
}

fn retention(c: &mut Criterion) {
    let names: Vec<String> = (0..N_TOUCHPOINTS).map(|t| format!("t{t:02}")).collect();
    let events = events();
    let mut group = c.benchmark_group("retention");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N_JOURNEYS as u64));
    let weeks = PeriodSpec {
        period: Period::Week,
        from_us: DAY0_US,
        n_periods: 16,
    };
    for (name, retention_type, cumulative, period) in [
        (
            "first_time_weekly",
            RetentionType::FirstTime,
            false,
            Period::Week,
        ),
        (
            "recurring_cumulative_weekly",
            RetentionType::Recurring,
            true,
            Period::Week,
        ),
        (
            "recurring_daily",
            RetentionType::Recurring,
            false,
            Period::Day,
        ),
    ] {
        let n_periods = if period == Period::Day { 120 } else { 16 };
        let spec = RetentionSpec {
            start: vec!["t00".into(), "t01".into()],
            returning: (2..10).map(|t| format!("t{t:02}")).collect(),
            retention_type,
            periods: PeriodSpec {
                period,
                n_periods,
                ..weeks
            },
            cumulative,
            reference: RetentionReference::Total,
            personas: personas(),
        };
        let query = spec.validate(&names).expect("valid spec");
        group.bench_function(name, |b| {
            b.iter(|| black_box(run(&events, RetentionAccumulator::new(&query))))
        });
    }
    let spec = LifecycleSpec {
        touchpoints: Vec::new(),
        periods: weeks,
        new_customer: NewCustomer::FirstSeen,
        personas: personas(),
    };
    let query = spec.validate(&names).expect("valid spec");
    group.bench_function("lifecycle_weekly", |b| {
        b.iter(|| black_box(run(&events, LifecycleAccumulator::new(&query))))
    });
    let spec = StickinessSpec {
        touchpoints: Vec::new(),
        periods: weeks,
        personas: personas(),
    };
    let query = spec.validate(&names).expect("valid spec");
    group.bench_function("stickiness_weekly", |b| {
        b.iter(|| black_box(run(&events, StickinessAccumulator::new(&query))))
    });
    group.finish();
}

criterion_group!(benches, retention);
criterion_main!(benches);
