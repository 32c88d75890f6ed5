//! Differential test of the funnel kernel: random specs and journeys, the
//! kernel over random partitions merged in random order, against the naive
//! reference.

use crate::funnel_paths_support::{Partition, journeys, partition, run_partitioned};
use crate::funnel_reference::reference;
use journey::funnel::{
    Attribution, BreakdownSpec, ExclusionSpec, FunnelAccumulator, FunnelOrder, FunnelSpec, StepSpec,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::sync::Arc;

/// t0..t3 serve steps, t4 and t5 only exclusions (PostHog rejects
/// exclusions that are also steps).
fn names() -> Vec<String> {
    (0..6).map(|idx| format!("t{idx}")).collect()
}

fn tp(idx: usize) -> String {
    format!("t{idx}")
}

/// Raw material of one step: touchpoint mask, optional roll, step window.
type RawStep = (u8, u8, Option<i64>);

fn build_steps(order: FunnelOrder, n_steps: usize, raw: &[RawStep]) -> Vec<StepSpec> {
    (0..n_steps)
        .map(|idx| {
            let (mask, optional_roll, window_s) = raw[idx];
            if order == FunnelOrder::Unordered {
                // Unordered steps must be disjoint: rotate the four touchpoints.
                let shift = raw[0].0 as usize;
                return StepSpec {
                    touchpoints: vec![tp((idx + shift) % 4)],
                    optional: false,
                    window_us: None,
                };
            }
            let touchpoints = (0..4)
                .filter(|bit| mask & (1 << bit) != 0)
                .map(tp)
                .collect();
            StepSpec {
                touchpoints,
                optional: idx > 0 && optional_roll < 3,
                window_us: if idx > 0 {
                    window_s.map(|s| s * 1_000_000)
                } else {
                    None
                },
            }
        })
        .collect()
}

fn build_exclusions(steps: &[StepSpec], raw: &[(u8, usize, usize)]) -> Vec<ExclusionSpec> {
    let mandatory: Vec<usize> = (0..steps.len())
        .filter(|&idx| !steps[idx].optional)
        .map(|idx| idx + 1)
        .collect();
    if mandatory.len() < 2 {
        return Vec::new();
    }
    raw.iter()
        .map(|&(mask, a, b)| {
            let from = a % (mandatory.len() - 1);
            let to = from + 1 + b % (mandatory.len() - 1 - from);
            let touchpoints = (0..2)
                .filter(|bit| mask & (1 << bit) != 0)
                .map(|bit| tp(4 + bit))
                .collect();
            ExclusionSpec {
                touchpoints,
                from_step: mandatory[from],
                to_step: mandatory[to],
            }
        })
        .collect()
}

fn build_breakdown(n_steps: usize, raw: Option<(u8, usize, usize)>) -> Option<BreakdownSpec> {
    let (kind, step, limit) = raw?;
    let attribution = match kind {
        0 => Attribution::FirstTouch,
        1 => Attribution::LastTouch,
        _ => Attribution::Step(1 + step % n_steps),
    };
    Some(BreakdownSpec {
        names: vec!["web".into(), "app".into(), "store".into()],
        attribution,
        limit,
    })
}

fn spec() -> impl Strategy<Value = FunnelSpec> {
    let raw_step = (1_u8..16, 0_u8..10, prop::option::of(0_i64..5));
    let raw_exclusion = (1_u8..4, 0_usize..8, 0_usize..8);
    (
        (
            1_usize..=4,
            prop::collection::vec(raw_step, 4),
            0_u8..3,
            0_i64..9,
        ),
        prop::collection::vec(raw_exclusion, 0..3),
        prop::option::of((0_u8..3, 0_usize..4, 1_usize..4)),
        (1_usize..4, 0_usize..4),
    )
        .prop_map(
            |(
                (n_steps, raw_steps, order, window_s),
                raw_exclusions,
                raw_breakdown,
                (bins, limit),
            )| {
                let order = [
                    FunnelOrder::Ordered,
                    FunnelOrder::Strict,
                    FunnelOrder::Unordered,
                ][order as usize];
                let steps = build_steps(order, n_steps, &raw_steps);
                let exclusions = build_exclusions(&steps, &raw_exclusions);
                FunnelSpec {
                    steps,
                    order,
                    window_us: window_s * 1_000_000,
                    exclusions,
                    breakdown: build_breakdown(n_steps, raw_breakdown),
                    histogram_bins: bins,
                    customer_limit: limit,
                }
            },
        )
}

fn check(
    spec: &FunnelSpec,
    journeys: &[crate::funnel_paths_support::OwnedJourney],
    partition: &Partition,
) {
    let funnel = Arc::new(spec.validate(&names()).expect("generated specs are valid"));
    let kernel = run_partitioned(
        || FunnelAccumulator::new(Arc::clone(&funnel)),
        journeys,
        partition,
    );
    let expected = reference(spec, &names(), journeys);
    assert_eq!(kernel, expected, "{spec:#?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn funnel_matches_naive_reference(spec in spec(), journeys in journeys(4, 7), partition in partition()) {
        check(&spec, &journeys, &partition);
    }
}

#[test]
fn repeated_runs_over_one_journey_set_agree() {
    // The same input, split two ways, gives the same result.
    let spec = FunnelSpec::new(vec![
        StepSpec::new(&["t0"]),
        StepSpec {
            touchpoints: vec![tp(1)],
            optional: true,
            window_us: Some(2_000_000),
        },
        StepSpec::new(&["t2", "t3"]),
    ]);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let journeys = journeys(4, 6)
        .new_tree(&mut runner)
        .expect("strategy")
        .current();
    for n_accumulators in 1..5 {
        let partition = Partition {
            n_accumulators,
            assignment: vec![3, 1, 4, 1, 5, 9, 2, 6],
            merges: vec![(2, 7), (1, 8)],
        };
        check(&spec, &journeys, &partition);
    }
}
