//! Criterion benchmarks of the journey kernels over about a million
//! synthetic events held in columns, the way the engine lends them: each
//! iteration observes every journey in one accumulator and finishes it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use journey::map::{MapAccumulator, MapSpec};
use journey::transitions::{TransitionAccumulator, TransitionSpec};
use journey::variants::{VariantAccumulator, VariantSpec};
use journey::{Accumulator, Journey};
use model::{Catalog, JourneyDefinition, TouchpointId};
use std::hint::black_box;
use std::sync::Arc;

const N_JOURNEYS: usize = 100_000;
const N_TOUCHPOINTS: u32 = 40;

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

/// 40 touchpoints spread over the default seven stages, three personas.
fn catalog() -> Arc<Catalog> {
    let mut definition = JourneyDefinition::default();
    let stages = definition.stages.clone();
    let mut toml = format!("stages = {stages:?}\n");
    for t in 0..N_TOUCHPOINTS as usize {
        let stage = &stages[t * stages.len() / N_TOUCHPOINTS as usize];
        toml.push_str(&format!(
            "[[touchpoint]]\nname = \"touchpoint_{t:02}\"\nstage = \"{stage}\"\n"
        ));
    }
    for persona in ["older", "mobile", "business"] {
        toml.push_str(&format!("[[persona]]\nname = \"{persona}\"\n"));
    }
    definition = JourneyDefinition::from_toml(&toml).expect("benchmark definition is valid");
    Arc::new(Catalog::new(&definition))
}

/// Journeys of 1 to 19 events that mostly move forward through the
/// touchpoints, sometimes repeat one, with gaps from none to about a day.
fn events() -> Events {
    let mut state = 42;
    let mut events = Events {
        personas: Vec::new(),
        offsets: vec![0],
        ts_us: Vec::new(),
        touchpoint: Vec::new(),
        emotion: Vec::new(),
    };
    for _ in 0..N_JOURNEYS {
        events.personas.push(next_random(&mut state) % 8);
        let len = 1 + next_random(&mut state) % 19;
        let mut ts_us = (next_random(&mut state) % 1_000_000_000_000) as i64;
        let mut touchpoint = (next_random(&mut state) % u64::from(N_TOUCHPOINTS / 4)) as u32;
        for _ in 0..len {
            let random = next_random(&mut state);
            ts_us += (random % 86_400_000_000) as i64 >> (random % 24);
            touchpoint = (touchpoint + (random >> 40) as u32 % 4) % N_TOUCHPOINTS;
            let emotion = if random.is_multiple_of(5) {
                ((random >> 8) % 9) as f32 / 4.0 - 1.0
            } else {
                f32::NAN
            };
            events.ts_us.push(ts_us);
            events.touchpoint.push(TouchpointId(touchpoint));
            events.emotion.push(emotion);
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

fn kernels(c: &mut Criterion) {
    let catalog = catalog();
    let events = events();
    let mut group = c.benchmark_group("kernels");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.ts_us.len() as u64));
    for collapse_repeats in [false, true] {
        let spec = TransitionSpec {
            catalog: catalog.clone(),
            collapse_repeats,
        };
        let name = if collapse_repeats {
            "transitions_collapsed"
        } else {
            "transitions"
        };
        group.bench_function(name, |b| {
            b.iter(|| black_box(run(&events, TransitionAccumulator::new(&spec))))
        });
    }
    let spec = MapSpec::new(catalog.clone());
    group.bench_function("map", |b| {
        b.iter(|| black_box(run(&events, MapAccumulator::new(&spec))))
    });
    let spec = VariantSpec {
        catalog: catalog.clone(),
        max_len: 10,
        collapse_repeats: true,
        top_n: 20,
    };
    group.bench_function("variants", |b| {
        b.iter(|| black_box(run(&events, VariantAccumulator::new(&spec))))
    });
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
