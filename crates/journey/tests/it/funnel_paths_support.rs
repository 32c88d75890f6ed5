//! Shared by the funnel and paths differential tests: owned journeys, their
//! random generation, and running a kernel over a random partition of the
//! journeys into accumulators merged in a random order.

use journey::{Accumulator, Journey};
use model::TouchpointId;
use proptest::prelude::*;

#[derive(Debug, Clone)]
pub struct OwnedJourney {
    pub customer: u64,
    pub ts_us: Vec<i64>,
    pub touchpoint: Vec<TouchpointId>,
    pub emotion: Vec<f32>,
    pub breakdown: Vec<u32>,
}

impl OwnedJourney {
    pub fn view(&self) -> Journey<'_> {
        Journey {
            customer: self.customer,
            personas: 0,
            ts_us: &self.ts_us,
            touchpoint: &self.touchpoint,
            emotion: &self.emotion,
            breakdown: &self.breakdown,
            facts: Default::default(),
        }
    }
}

/// Up to 10 journeys of up to 10 events over `n_touchpoints` touchpoints,
/// most of them among the first `n_common` so that long chains are common.
/// Gaps are whole seconds and often zero, so equal timestamps and events
/// exactly on a window's edge are common.
pub fn journeys(n_common: u32, n_touchpoints: u32) -> impl Strategy<Value = Vec<OwnedJourney>> {
    let gap_s = prop_oneof![Just(0_i64), 1_i64..4];
    let touchpoint = prop_oneof![4 => 0..n_common, 1 => 0..n_touchpoints];
    let event = (gap_s, touchpoint, 0_u32..4);
    prop::collection::vec(prop::collection::vec(event, 0..10), 0..10).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(idx, events)| {
                let mut journey = OwnedJourney {
                    customer: idx as u64 * 3 + 1,
                    ts_us: Vec::new(),
                    touchpoint: Vec::new(),
                    emotion: Vec::new(),
                    breakdown: Vec::new(),
                };
                let mut ts_us = 1_700_000_000_000_000;
                for (gap_s, touchpoint, value) in events {
                    ts_us += gap_s * 1_000_000;
                    journey.ts_us.push(ts_us);
                    journey.touchpoint.push(TouchpointId(touchpoint));
                    journey.emotion.push(f32::NAN);
                    journey.breakdown.push(value);
                }
                journey
            })
            .collect()
    })
}

/// How journeys are split and merged: the accumulator of each journey
/// (taken modulo the number of accumulators) and, for each merge, which two
/// of the remaining partials are merged (modulo their number).
#[derive(Debug, Clone)]
pub struct Partition {
    pub n_accumulators: usize,
    pub assignment: Vec<usize>,
    pub merges: Vec<(usize, usize)>,
}

pub fn partition() -> impl Strategy<Value = Partition> {
    (
        1_usize..5,
        prop::collection::vec(0_usize..64, 10),
        prop::collection::vec((0_usize..64, 0_usize..64), 4),
    )
        .prop_map(|(n_accumulators, assignment, merges)| Partition {
            n_accumulators,
            assignment,
            merges,
        })
}

/// Observes each journey in its accumulator, then merges the partials
/// pairwise in the partition's order and finishes.
pub fn run_partitioned<A: Accumulator>(
    make: impl Fn() -> A,
    journeys: &[OwnedJourney],
    partition: &Partition,
) -> A::Output {
    let mut partials: Vec<A> = (0..partition.n_accumulators).map(|_| make()).collect();
    for (idx, journey) in journeys.iter().enumerate() {
        let target = partition.assignment[idx % partition.assignment.len()] % partials.len();
        partials[target].observe(&journey.view());
    }
    let mut merges = partition.merges.iter().cycle();
    while partials.len() > 1 {
        let &(a, b) = merges.next().expect("cycle never ends");
        let into = a % partials.len();
        let mut from = b % partials.len();
        if from == into {
            from = (from + 1) % partials.len();
        }
        let other = partials.remove(from);
        let into = if from < into { into - 1 } else { into };
        partials[into].merge(other);
    }
    partials.pop().expect("at least one accumulator").finish()
}
