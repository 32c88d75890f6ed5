//! Differential test of the paths kernel: random specs and journeys, the
//! kernel over random partitions merged in random order, against the naive
//! reference.

use crate::funnel_paths_support::{journeys, partition, run_partitioned};
use crate::paths_reference::{label, reference};
use journey::paths::{CleaningRule, PathsAccumulator, PathsSpec};
use proptest::prelude::*;
use std::sync::Arc;

fn names() -> Vec<String> {
    [
        "home",
        "help_faq",
        "help_chat",
        "product_1",
        "product_22",
        "checkout",
    ]
    .map(str::to_string)
    .to_vec()
}

fn rules(mask: u8) -> Vec<CleaningRule> {
    let all = [(r"_\d+$", "_<id>"), ("^home$", "start"), ("chat", "faq")];
    all.iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, (pattern, replacement))| CleaningRule {
            pattern: pattern.to_string(),
            replacement: replacement.to_string(),
        })
        .collect()
}

fn groups(mask: u8) -> Vec<String> {
    let all = ["help_*", "product*", "*out"];
    all.iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, glob)| glob.to_string())
        .collect()
}

fn spec() -> impl Strategy<Value = PathsSpec> {
    (
        (1_i64..6, 0_u8..8, 0_u8..8),
        (prop::option::of(0_u32..6), prop::option::of(0_u32..6)),
        (1_usize..7, 0_usize..7, 1_usize..4),
    )
        .prop_map(
            |((gap_s, rule_mask, group_mask), (start, end), (max_steps, edge_limit, bins))| {
                let mut spec = PathsSpec {
                    session_gap_us: gap_s * 1_000_000,
                    cleaning_rules: rules(rule_mask),
                    wildcard_groups: groups(group_mask),
                    max_steps,
                    edge_limit,
                    histogram_bins: bins,
                    ..PathsSpec::default()
                };
                // Points are named as nodes, after cleaning and grouping.
                spec.start_point = start.map(|id| label(&spec, &names(), id));
                spec.end_point = end.map(|id| label(&spec, &names(), id));
                if spec.start_point.is_some() && spec.end_point.is_some() {
                    spec.max_steps = spec.max_steps.max(3);
                }
                spec
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn paths_match_naive_reference(spec in spec(), journeys in journeys(6, 7), partition in partition()) {
        let paths = Arc::new(spec.validate(&names()).expect("generated specs are valid"));
        let kernel = run_partitioned(|| PathsAccumulator::new(Arc::clone(&paths)), &journeys, &partition);
        prop_assert_eq!(kernel, reference(&spec, &names(), &journeys), "{:#?}", spec);
    }
}
