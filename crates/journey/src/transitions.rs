//! The transition graph: process mining's directly-follows graph over
//! touchpoints. Every pair of consecutive events of one journey is an edge
//! `from → to`; per edge we report how often it was taken, by how many
//! customers, and how long it took, plus where journeys start and end.
//!
//! Semantics (DESIGN §7), to match pm4py's DFG and the DuckDB peer query:
//! - Self-loops (`faq_page → faq_page`) are kept by default: a repeated
//!   contact is a finding, not noise.
//! - With `collapse_repeats`, a run of consecutive events at the same
//!   touchpoint counts as its FIRST event, as pm4py and PostHog do: in
//!   `a@0 a@5 b@9` the edge `a → b` takes 9 s, measured from the first `a`.
//!   In SQL: keep rows where `touchpoint IS DISTINCT FROM lag(touchpoint)`,
//!   then `lead(ts) - ts`. Starts and ends do not change.
//! - A duration is the difference of the two timestamps in microseconds,
//!   reported in seconds; equal timestamps give 0 s.
//! - `customers` counts journeys that took the edge at least once; each
//!   journey is one customer's, observed once.

use crate::hash::BuildIdHasher;
use crate::stats::Summary;
use crate::{Accumulator, Journey};
use model::{Catalog, TouchpointId};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// What the transition graph counts.
#[derive(Debug, Clone)]
pub struct TransitionSpec {
    /// Resolves touchpoint ids to names; it must know every touchpoint that
    /// the observed journeys hold.
    pub catalog: Arc<Catalog>,
    /// Count a run of consecutive events at one touchpoint as its first
    /// event, which removes self-loops.
    pub collapse_repeats: bool,
}

/// The finished graph, in the contract's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionGraph {
    /// Edges by count descending, then by `from` and `to` name.
    pub transitions: Vec<Transition>,
    /// Touchpoint name → number of journeys whose first event is there.
    pub starts: BTreeMap<String, u64>,
    /// Touchpoint name → number of journeys whose last event is there.
    pub ends: BTreeMap<String, u64>,
}

/// One edge of the graph with its duration distribution in seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub from: String,
    pub to: String,
    pub count: u64,
    pub customers: u64,
    pub mean_s: f64,
    /// Type 7 quantiles, like DuckDB's `quantile_cont`.
    pub median_s: f64,
    pub p90_s: f64,
    pub min_s: f64,
    pub max_s: f64,
    /// Sample standard deviation; `None` below two transitions.
    pub stdev_s: Option<f64>,
}

/// Builds a [`TransitionGraph`]; see the module documentation.
#[derive(Debug)]
pub struct TransitionAccumulator {
    spec: TransitionSpec,
    index: EdgeIndex,
    edges: Vec<Edge>,
    /// Journeys started / ended per touchpoint id.
    starts: Vec<u64>,
    ends: Vec<u64>,
    /// Journeys observed by this partial; stamps edges to count customers.
    journeys_seen: u64,
}

#[derive(Debug)]
struct Edge {
    from: TouchpointId,
    to: TouchpointId,
    /// Raw durations: exact, and needed whole for the quantiles.
    durations_us: Vec<i64>,
    customers: u64,
    /// The journey that last took this edge (a `journeys_seen` value; 0 for
    /// none), so that a customer is counted once per edge.
    last_journey: u64,
}

/// Graphs with at most this many touchpoints index edges in a dense
/// `from * n + to` table (4 MiB at the limit); larger ones hash the pair.
const DENSE_MAX_TOUCHPOINTS: usize = 1024;

/// Finds an edge's slot in `TransitionAccumulator::edges` without hashing
/// names, which would dominate the cost of a pass over the events.
#[derive(Debug)]
enum EdgeIndex {
    /// Slot + 1 at `from * n_touchpoints + to`; 0 for an edge not seen yet.
    Dense {
        n_touchpoints: usize,
        slots: Vec<u32>,
    },
    Sparse(HashMap<(TouchpointId, TouchpointId), u32, BuildIdHasher>),
}

impl EdgeIndex {
    fn new(n_touchpoints: usize, dense_max_touchpoints: usize) -> EdgeIndex {
        if n_touchpoints <= dense_max_touchpoints {
            let slots = vec![0; n_touchpoints * n_touchpoints];
            EdgeIndex::Dense {
                n_touchpoints,
                slots,
            }
        } else {
            EdgeIndex::Sparse(HashMap::default())
        }
    }

    #[inline]
    fn get(&self, from: TouchpointId, to: TouchpointId) -> Option<usize> {
        match self {
            EdgeIndex::Dense {
                n_touchpoints,
                slots,
            } => {
                let slot = slots[from.index() * n_touchpoints + to.index()];
                (slot != 0).then(|| slot as usize - 1)
            }
            EdgeIndex::Sparse(slots) => slots.get(&(from, to)).map(|&slot| slot as usize),
        }
    }

    fn insert(&mut self, from: TouchpointId, to: TouchpointId, slot: usize) {
        let slot = u32::try_from(slot).expect("fewer than 2^32 - 1 edges");
        match self {
            EdgeIndex::Dense {
                n_touchpoints,
                slots,
            } => slots[from.index() * *n_touchpoints + to.index()] = slot + 1,
            EdgeIndex::Sparse(slots) => {
                slots.insert((from, to), slot);
            }
        }
    }
}

impl TransitionAccumulator {
    pub fn new(spec: &TransitionSpec) -> TransitionAccumulator {
        TransitionAccumulator::with_dense_limit(spec, DENSE_MAX_TOUCHPOINTS)
    }

    /// Lets tests exercise the hashed index on a small catalog.
    fn with_dense_limit(spec: &TransitionSpec, dense_max_touchpoints: usize) -> Self {
        let n_touchpoints = spec.catalog.len();
        TransitionAccumulator {
            spec: spec.clone(),
            index: EdgeIndex::new(n_touchpoints, dense_max_touchpoints),
            edges: Vec::new(),
            starts: vec![0; n_touchpoints],
            ends: vec![0; n_touchpoints],
            journeys_seen: 0,
        }
    }

    #[inline(always)]
    fn edge_slot(&mut self, from: TouchpointId, to: TouchpointId) -> usize {
        match self.index.get(from, to) {
            Some(slot) => slot,
            None => self.add_edge(from, to),
        }
    }

    /// Kept out of line: an edge is added once and looked up many times.
    #[inline(never)]
    fn add_edge(&mut self, from: TouchpointId, to: TouchpointId) -> usize {
        let slot = self.edges.len();
        self.index.insert(from, to, slot);
        self.edges.push(Edge {
            from,
            to,
            durations_us: Vec::new(),
            customers: 0,
            last_journey: 0,
        });
        slot
    }

    #[inline]
    fn record(&mut self, from: TouchpointId, to: TouchpointId, duration_us: i64) {
        let journey = self.journeys_seen;
        let slot = self.edge_slot(from, to);
        let edge = &mut self.edges[slot];
        edge.durations_us.push(duration_us);
        if edge.last_journey != journey {
            edge.last_journey = journey;
            edge.customers += 1;
        }
    }
}

impl Accumulator for TransitionAccumulator {
    type Output = TransitionGraph;

    fn observe(&mut self, journey: &Journey<'_>) {
        let touchpoints = journey.touchpoint;
        let (Some(first), Some(last)) = (touchpoints.first(), touchpoints.last()) else {
            return;
        };
        let n_touchpoints = self.starts.len();
        assert!(
            touchpoints.iter().all(|t| t.index() < n_touchpoints),
            "the spec's catalog knows every touchpoint of the journeys"
        );
        self.journeys_seen += 1;
        self.starts[first.index()] += 1;
        self.ends[last.index()] += 1;
        // `kept` is the event the next edge starts from: the previous event,
        // or the first of a run of repeats when they collapse.
        let mut kept = 0;
        for next in 1..touchpoints.len() {
            let (from, to) = (touchpoints[kept], touchpoints[next]);
            if self.spec.collapse_repeats && from == to {
                continue;
            }
            self.record(from, to, journey.ts_us[next] - journey.ts_us[kept]);
            kept = next;
        }
    }

    fn merge(&mut self, other: Self) {
        assert_eq!(
            self.starts.len(),
            other.starts.len(),
            "partials share one catalog"
        );
        add_counts(&mut self.starts, &other.starts);
        add_counts(&mut self.ends, &other.ends);
        for mut edge in other.edges {
            let slot = self.edge_slot(edge.from, edge.to);
            let mine = &mut self.edges[slot];
            mine.customers += edge.customers;
            // Durations are a multiset; append the shorter list to the longer.
            if mine.durations_us.len() < edge.durations_us.len() {
                std::mem::swap(&mut mine.durations_us, &mut edge.durations_us);
            }
            mine.durations_us.extend_from_slice(&edge.durations_us);
        }
    }

    fn finish(self) -> TransitionGraph {
        let catalog = &self.spec.catalog;
        let mut transitions: Vec<Transition> = self
            .edges
            .into_iter()
            .map(|edge| edge.into_transition(catalog))
            .collect();
        transitions.sort_by(|a, b| {
            (b.count.cmp(&a.count))
                .then_with(|| a.from.cmp(&b.from))
                .then_with(|| a.to.cmp(&b.to))
        });
        TransitionGraph {
            transitions,
            starts: named_counts(catalog, &self.starts),
            ends: named_counts(catalog, &self.ends),
        }
    }
}

impl Edge {
    fn into_transition(mut self, catalog: &Catalog) -> Transition {
        let summary = Summary::of_durations_us(&mut self.durations_us)
            .expect("an edge exists only once it has a duration");
        Transition {
            from: catalog.name(self.from).to_string(),
            to: catalog.name(self.to).to_string(),
            count: summary.count,
            customers: self.customers,
            mean_s: summary.mean,
            median_s: summary.median,
            p90_s: summary.p90,
            min_s: summary.min,
            max_s: summary.max,
            stdev_s: summary.stdev,
        }
    }
}

fn add_counts(counts: &mut [u64], other: &[u64]) {
    for (count, other) in counts.iter_mut().zip(other) {
        *count += other;
    }
}

/// Non-zero counts by touchpoint name.
fn named_counts(catalog: &Catalog, counts: &[u64]) -> BTreeMap<String, u64> {
    (counts.iter().enumerate())
        .filter(|&(_, &count)| count > 0)
        .map(|(id, &count)| {
            let id = TouchpointId(u32::try_from(id).expect("ids come from the catalog"));
            (catalog.name(id).to_string(), count)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{journeys, round9, test_catalog};

    /// Renders a graph as one line per edge, start and end, with durations
    /// rounded to the nanosecond, so that expectations read like the data.
    fn render(graph: &TransitionGraph) -> String {
        let mut lines: Vec<String> = graph
            .transitions
            .iter()
            .map(|t| {
                format!(
                    "{}>{} n={} c={} mean={} med={} p90={} min={} max={} sd={}",
                    t.from,
                    t.to,
                    t.count,
                    t.customers,
                    round9(t.mean_s),
                    round9(t.median_s),
                    round9(t.p90_s),
                    round9(t.min_s),
                    round9(t.max_s),
                    t.stdev_s.map_or("-".to_string(), |s| round9(s).to_string()),
                )
            })
            .collect();
        lines.extend(graph.starts.iter().map(|(t, n)| format!("start {t}={n}")));
        lines.extend(graph.ends.iter().map(|(t, n)| format!("end {t}={n}")));
        lines.join("\n")
    }

    fn check(collapse_repeats: bool, input: &[&str], expected: &str) {
        let catalog = Arc::new(test_catalog());
        let spec = TransitionSpec {
            catalog: catalog.clone(),
            collapse_repeats,
        };
        let journeys = journeys(&catalog, input);
        // The dense and the hashed edge index must agree.
        for dense_max_touchpoints in [DENSE_MAX_TOUCHPOINTS, 0] {
            let mut accumulator =
                TransitionAccumulator::with_dense_limit(&spec, dense_max_touchpoints);
            for journey in &journeys {
                accumulator.observe(&journey.as_journey());
            }
            let actual = render(&accumulator.finish());
            assert_eq!(actual, expected.trim(), "input {input:?}");
        }
    }

    #[test]
    fn edges_durations_starts_and_ends() {
        check(false, &[], "");
        check(false, &["a@0"], "start a=1\nend a=1");
        check(
            false,
            &["a@0 b@1 c@3", "a@10 b@12"],
            "a>b n=2 c=2 mean=1.5 med=1.5 p90=1.9 min=1 max=2 sd=0.707106781
b>c n=1 c=1 mean=2 med=2 p90=2 min=2 max=2 sd=-
start a=2
end b=1
end c=1",
        );
    }

    #[test]
    fn self_loops_are_kept_and_counted_per_customer() {
        check(
            false,
            &["d@0 d@60 d@60 c@90"],
            "d>d n=2 c=1 mean=30 med=30 p90=54 min=0 max=60 sd=42.426406871
d>c n=1 c=1 mean=30 med=30 p90=30 min=30 max=30 sd=-
start d=1
end c=1",
        );
    }

    #[test]
    fn collapsed_repeats_start_at_first_of_run() {
        check(
            true,
            &["d@0 d@60 d@60 c@90 c@91", "d@5"],
            "d>c n=1 c=1 mean=90 med=90 p90=90 min=90 max=90 sd=-
start d=2
end c=1
end d=1",
        );
        check(
            true,
            &["a@0 b@1 a@2 a@3 b@7"],
            "a>b n=2 c=1 mean=3 med=3 p90=4.6 min=1 max=5 sd=2.828427125
b>a n=1 c=1 mean=1 med=1 p90=1 min=1 max=1 sd=-
start a=1
end b=1",
        );
    }

    #[test]
    fn equal_timestamps_and_sub_second_durations() {
        check(
            false,
            &["a@0 b@0 c@0.000001", "b@1 c@1"],
            "b>c n=2 c=2 mean=0.0000005 med=0.0000005 p90=0.0000009 min=0 max=0.000001 sd=0.000000707
a>b n=1 c=1 mean=0 med=0 p90=0 min=0 max=0 sd=-
start a=1
start b=1
end c=2",
        );
    }

    #[test]
    fn serializes_to_contract_shape() {
        let catalog = Arc::new(test_catalog());
        let spec = TransitionSpec {
            catalog: catalog.clone(),
            collapse_repeats: false,
        };
        let mut accumulator = TransitionAccumulator::new(&spec);
        for journey in journeys(&catalog, &["a@0 b@2"]) {
            accumulator.observe(&journey.as_journey());
        }
        let json = serde_json::to_value(accumulator.finish()).expect("serializable");
        let expected = serde_json::json!({
            "transitions": [{"from": "a", "to": "b", "count": 1, "customers": 1, "mean_s": 2.0,
                "median_s": 2.0, "p90_s": 2.0, "min_s": 2.0, "max_s": 2.0, "stdev_s": null}],
            "starts": {"a": 1},
            "ends": {"b": 1},
        });
        assert_eq!(json, expected);
    }
}
