//! Shared pieces of the differential tests: a catalog, random journeys, a
//! random split-and-merge plan and a float-tolerant comparison of outputs.

use journey::Accumulator;
use journey::owned::OwnedJourney;
use model::{Catalog, JourneyDefinition, TouchpointId};
use proptest::prelude::*;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// Touchpoints `t0`..`t4` over stages `s0`..`s2`, `t5` without a stage;
/// personas `p0` and `p1`.
pub fn catalog() -> Arc<Catalog> {
    let mut toml = String::from("stages = [\"s0\", \"s1\", \"s2\"]\n");
    for (touchpoint, stage) in [
        ("t0", "s0"),
        ("t1", "s0"),
        ("t2", "s1"),
        ("t3", "s2"),
        ("t4", "s1"),
    ] {
        toml.push_str(&format!(
            "[[touchpoint]]\nname = \"{touchpoint}\"\nstage = \"{stage}\"\n"
        ));
    }
    toml.push_str("[[persona]]\nname = \"p0\"\n[[persona]]\nname = \"p1\"\n");
    let definition = JourneyDefinition::from_toml(&toml).expect("test definition is valid");
    let mut catalog = Catalog::new(&definition);
    catalog.intern("t5", "phone");
    Arc::new(catalog)
}

/// Gaps between events: many ties, some microsecond steps, some long waits.
fn gap_us() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0_i64), 1_i64..3, 0_i64..100_000_000]
}

/// Emotions on a grid of eighths (or none), so that sums are exact in any
/// order and the comparison tests the kernels, not float rounding.
fn emotion() -> impl Strategy<Value = f32> {
    prop_oneof![Just(f32::NAN), (-8_i8..=8).prop_map(|k| f32::from(k) / 8.0)]
}

/// Up to 40 journeys of up to 12 events at 6 touchpoints; persona bit 2 is
/// beyond the catalog's personas and must be ignored.
pub fn journeys() -> impl Strategy<Value = Vec<OwnedJourney>> {
    let event = (gap_us(), 0_u32..6, emotion());
    let journey = (
        0_u64..8,
        -1_000_000_i64..1_000_000,
        prop::collection::vec(event, 0..12),
    );
    prop::collection::vec(journey, 0..40).prop_map(|journeys| {
        (journeys.into_iter().enumerate())
            .map(|(customer, (personas, start_us, events))| {
                let mut journey = OwnedJourney::new(customer as u64, personas);
                let mut ts_us = start_us;
                for (gap_us, touchpoint, emotion) in events {
                    ts_us += gap_us;
                    journey.push(ts_us, TouchpointId(touchpoint), emotion);
                }
                journey
            })
            .collect()
    })
}

/// How journeys are split among partial accumulators and merged back.
#[derive(Debug, Clone)]
pub struct Plan {
    pub n_partials: usize,
    pub seed: u64,
}

pub fn plan() -> impl Strategy<Value = Plan> {
    (1_usize..=5, any::<u64>()).prop_map(|(n_partials, seed)| Plan { n_partials, seed })
}

/// SplitMix64: enough randomness for a plan, and reproducible from its seed.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Observes every journey in a randomly chosen partial, then merges random
/// pairs of partials until one is left, and finishes it.
pub fn run_split<A: Accumulator>(
    journeys: &[OwnedJourney],
    plan: &Plan,
    new: impl Fn() -> A,
) -> A::Output {
    let mut state = plan.seed;
    let mut partials: Vec<A> = (0..plan.n_partials).map(|_| new()).collect();
    for journey in journeys {
        let partial = next_random(&mut state) as usize % plan.n_partials;
        partials[partial].observe(&journey.as_journey());
    }
    while partials.len() > 1 {
        let taken = next_random(&mut state) as usize % partials.len();
        let other = partials.swap_remove(taken);
        let into = next_random(&mut state) as usize % partials.len();
        partials[into].merge(other);
    }
    partials.pop().expect("at least one partial").finish()
}

/// Asserts that two outputs serialize to the same JSON, numbers equal to
/// 1e-9 relative (1e-12 absolute near zero).
pub fn assert_same_json(actual: &impl Serialize, expected: &impl Serialize) {
    let actual = serde_json::to_value(actual).expect("serializable");
    let expected = serde_json::to_value(expected).expect("serializable");
    if let Err(path) = compare(&actual, &expected, "$".to_string()) {
        panic!("outputs differ at {path}\nactual:   {actual}\nexpected: {expected}");
    }
}

fn compare(actual: &Value, expected: &Value, path: String) -> Result<(), String> {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().expect("finite"), b.as_f64().expect("finite"));
            let tolerance = 1e-9 * a.abs().max(b.abs()) + 1e-12;
            if (a - b).abs() <= tolerance {
                Ok(())
            } else {
                Err(format!("{path}: {a} vs {b}"))
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let mut pairs = a.iter().zip(b).enumerate();
            pairs.try_for_each(|(i, (a, b))| compare(a, b, format!("{path}[{i}]")))
        }
        (Value::Object(a), Value::Object(b)) if a.len() == b.len() => {
            a.iter().try_for_each(|(key, a)| {
                let b = b.get(key).ok_or_else(|| format!("{path}.{key} missing"))?;
                compare(a, b, format!("{path}.{key}"))
            })
        }
        _ if actual == expected => Ok(()),
        _ => Err(path),
    }
}

/// A journey's events as (ts_us, touchpoint name, emotion), for references.
pub fn named_events<'c>(catalog: &'c Catalog, journey: &OwnedJourney) -> Vec<(i64, &'c str, f32)> {
    (journey
        .ts_us
        .iter()
        .zip(&journey.touchpoint)
        .zip(&journey.emotion))
    .map(|((&ts_us, &touchpoint), &emotion)| (ts_us, catalog.name(touchpoint), emotion))
    .collect()
}
