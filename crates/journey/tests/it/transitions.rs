//! The transition graph against a reference that lists every step of every
//! journey and groups the list.

use crate::common::{assert_same_json, catalog, journeys, named_events, plan, run_split};
use journey::owned::OwnedJourney;
use journey::stats::Summary;
use journey::transitions::{Transition, TransitionAccumulator, TransitionGraph, TransitionSpec};
use model::Catalog;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// One step of one journey: from, to, customer, seconds.
type Step<'c> = (&'c str, &'c str, u64, f64);

/// An edge's durations in seconds and its customers.
type EdgeSteps = (Vec<f64>, BTreeSet<u64>);

fn reference(
    catalog: &Catalog,
    journeys: &[OwnedJourney],
    collapse_repeats: bool,
) -> TransitionGraph {
    let mut steps: Vec<Step<'_>> = Vec::new();
    let mut starts = BTreeMap::new();
    let mut ends = BTreeMap::new();
    for journey in journeys.iter().filter(|j| !j.ts_us.is_empty()) {
        let mut events = named_events(catalog, journey);
        if collapse_repeats {
            // `dedup` keeps the first of each run of equal touchpoints.
            events.dedup_by_key(|(_, name, _)| *name);
        }
        *starts.entry(events[0].1.to_string()).or_insert(0) += 1;
        *ends
            .entry(events[events.len() - 1].1.to_string())
            .or_insert(0) += 1;
        for pair in events.windows(2) {
            let seconds = (pair[1].0 - pair[0].0) as f64 / 1e6;
            steps.push((pair[0].1, pair[1].1, journey.customer, seconds));
        }
    }
    let mut edges: BTreeMap<(&str, &str), EdgeSteps> = BTreeMap::new();
    for (from, to, customer, seconds) in steps {
        let edge = edges.entry((from, to)).or_default();
        edge.0.push(seconds);
        edge.1.insert(customer);
    }
    let mut transitions: Vec<Transition> = (edges.into_iter())
        .map(|((from, to), (mut seconds, customers))| {
            let summary = Summary::of(&mut seconds).expect("an edge has a step");
            Transition {
                from: from.to_string(),
                to: to.to_string(),
                count: summary.count,
                customers: customers.len() as u64,
                mean_s: summary.mean,
                median_s: summary.median,
                p90_s: summary.p90,
                min_s: summary.min,
                max_s: summary.max,
                stdev_s: summary.stdev,
            }
        })
        .collect();
    transitions.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then((&a.from, &a.to).cmp(&(&b.from, &b.to)))
    });
    TransitionGraph {
        transitions,
        starts,
        ends,
    }
}

proptest! {
    #[test]
    fn split_and_merged_graph_equals_reference(
        journeys in journeys(),
        plan in plan(),
        collapse_repeats in any::<bool>(),
    ) {
        let catalog = catalog();
        let spec = TransitionSpec { catalog: catalog.clone(), collapse_repeats };
        let actual = run_split(&journeys, &plan, || TransitionAccumulator::new(&spec));
        assert_same_json(&actual, &reference(&catalog, &journeys, collapse_repeats));
    }
}
