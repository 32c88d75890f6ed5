//! Variants against a reference that builds each journey's list of names
//! and counts the lists.

use crate::common::{assert_same_json, catalog, journeys, named_events, plan, run_split};
use journey::owned::OwnedJourney;
use journey::variants::{Variant, VariantAccumulator, VariantSpec, Variants};
use model::Catalog;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn reference(catalog: &Catalog, journeys: &[OwnedJourney], spec: &VariantSpec) -> Variants {
    let mut counts: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    let mut total_customers = 0;
    for journey in journeys.iter().filter(|j| !j.ts_us.is_empty()) {
        let mut names: Vec<String> = (named_events(catalog, journey).into_iter())
            .map(|(_, name, _)| name.to_string())
            .collect();
        if spec.collapse_repeats {
            names.dedup();
        }
        names.truncate(spec.max_len);
        *counts.entry(names).or_insert(0) += 1;
        total_customers += 1;
    }
    let distinct_variants = counts.len() as u64;
    let mut ranked: Vec<(Vec<String>, u64)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(spec.top_n);
    let mut cumulative = 0;
    let variants = (ranked.into_iter())
        .map(|(variant, customers)| {
            cumulative += customers;
            Variant {
                variant,
                customers,
                coverage: customers as f64 / total_customers as f64,
                cumulative_coverage: cumulative as f64 / total_customers as f64,
            }
        })
        .collect();
    Variants {
        total_customers,
        distinct_variants,
        variants,
    }
}

proptest! {
    #[test]
    fn split_and_merged_variants_equal_reference(
        journeys in journeys(),
        plan in plan(),
        max_len in prop_oneof![0_usize..6, Just(usize::MAX)],
        collapse_repeats in any::<bool>(),
        top_n in prop_oneof![0_usize..8, Just(usize::MAX)],
    ) {
        let catalog = catalog();
        let spec = VariantSpec { catalog: catalog.clone(), max_len, collapse_repeats, top_n };
        let actual = run_split(&journeys, &plan, || VariantAccumulator::new(&spec));
        assert_same_json(&actual, &reference(&catalog, &journeys, &spec));
    }
}
