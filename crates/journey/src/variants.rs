//! Variants: the distinct touchpoint sequences that journeys follow, counted
//! by customers, with the share of all journeys each covers.
//!
//! Semantics, chosen to be one line of SQL for the DuckDB peer
//! (`list(touchpoint ORDER BY ts, event_id)[1:max_len]`, grouped):
//! - A journey's variant is its touchpoint sequence. With
//!   `collapse_repeats`, consecutive events at the same touchpoint count
//!   once; THEN the sequence is cut to its first `max_len` touchpoints.
//! - Each journey is one customer's; journeys without events are ignored.
//! - Variants rank by customers descending, ties by the sequence of names
//!   compared element by element (a prefix first); the top `top_n` are
//!   reported.
//! - `coverage` = the variant's customers ÷ all customers;
//!   `cumulative_coverage` adds the coverage of the variants ranked above.

use crate::hash::BuildIdHasher;
use crate::{Accumulator, Journey};
use model::{Catalog, TouchpointId};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// What the variant analysis counts.
#[derive(Debug, Clone)]
pub struct VariantSpec {
    /// Resolves touchpoint ids to names; it must know every touchpoint that
    /// the observed journeys hold.
    pub catalog: Arc<Catalog>,
    /// Longest sequence kept per journey (after collapsing repeats);
    /// `usize::MAX` for whole journeys.
    pub max_len: usize,
    /// Count consecutive events at one touchpoint once.
    pub collapse_repeats: bool,
    /// How many variants to report.
    pub top_n: usize,
}

/// The finished analysis, in the contract's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variants {
    /// Customers with at least one event: the denominator of coverage.
    pub total_customers: u64,
    /// Distinct variants seen, reported or not.
    pub distinct_variants: u64,
    /// The top variants, ranked.
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Touchpoint names in journey order.
    pub variant: Vec<String>,
    pub customers: u64,
    pub coverage: f64,
    pub cumulative_coverage: f64,
}

/// Builds [`Variants`]; see the module documentation.
#[derive(Debug)]
pub struct VariantAccumulator {
    spec: VariantSpec,
    customers_by_variant: HashMap<Vec<TouchpointId>, u64, BuildIdHasher>,
    total_customers: u64,
    /// The current journey's variant, reused to avoid an allocation per
    /// journey when the variant was seen before.
    sequence: Vec<TouchpointId>,
}

impl VariantAccumulator {
    pub fn new(spec: &VariantSpec) -> VariantAccumulator {
        VariantAccumulator {
            spec: spec.clone(),
            customers_by_variant: HashMap::default(),
            total_customers: 0,
            sequence: Vec::new(),
        }
    }

    fn count(&mut self, variant: &[TouchpointId], customers: u64) {
        match self.customers_by_variant.get_mut(variant) {
            Some(count) => *count += customers,
            None => {
                self.customers_by_variant
                    .insert(variant.to_vec(), customers);
            }
        }
    }

    /// Ranks variants: customers descending, then names element by element.
    fn rank(&self, a: &(&[TouchpointId], u64), b: &(&[TouchpointId], u64)) -> Ordering {
        let catalog = &self.spec.catalog;
        (b.1.cmp(&a.1)).then_with(|| names(catalog, a.0).cmp(names(catalog, b.0)))
    }
}

fn names<'c>(catalog: &'c Catalog, variant: &'c [TouchpointId]) -> impl Iterator<Item = &'c str> {
    variant.iter().map(|&id| catalog.name(id))
}

impl Accumulator for VariantAccumulator {
    type Output = Variants;

    fn observe(&mut self, journey: &Journey<'_>) {
        if journey.is_empty() {
            return;
        }
        let n_touchpoints = self.spec.catalog.len();
        assert!(
            journey.touchpoint.iter().all(|t| t.index() < n_touchpoints),
            "the spec's catalog knows every touchpoint of the journeys"
        );
        let mut sequence = std::mem::take(&mut self.sequence);
        sequence.clear();
        for &touchpoint in journey.touchpoint {
            if sequence.len() == self.spec.max_len {
                break;
            }
            if self.spec.collapse_repeats && sequence.last() == Some(&touchpoint) {
                continue;
            }
            sequence.push(touchpoint);
        }
        self.count(&sequence, 1);
        self.sequence = sequence;
        self.total_customers += 1;
    }

    fn merge(&mut self, other: Self) {
        self.total_customers += other.total_customers;
        for (variant, customers) in &other.customers_by_variant {
            self.count(variant, *customers);
        }
    }

    fn finish(self) -> Variants {
        let mut ranked: Vec<(&[TouchpointId], u64)> = (self.customers_by_variant.iter())
            .map(|(variant, &customers)| (variant.as_slice(), customers))
            .collect();
        // Only the top N need a full order.
        if self.spec.top_n < ranked.len() {
            ranked.select_nth_unstable_by(self.spec.top_n, |a, b| self.rank(a, b));
            ranked.truncate(self.spec.top_n);
        }
        ranked.sort_unstable_by(|a, b| self.rank(a, b));
        let total = self.total_customers as f64;
        let mut customers_so_far = 0;
        let variants = (ranked.into_iter())
            .map(|(variant, customers)| {
                customers_so_far += customers;
                Variant {
                    variant: names(&self.spec.catalog, variant)
                        .map(String::from)
                        .collect(),
                    customers,
                    coverage: customers as f64 / total,
                    cumulative_coverage: customers_so_far as f64 / total,
                }
            })
            .collect();
        Variants {
            total_customers: self.total_customers,
            distinct_variants: self.customers_by_variant.len() as u64,
            variants,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{journeys, round9, test_catalog};

    fn render(variants: &Variants) -> String {
        let mut lines = vec![format!(
            "total={} distinct={}",
            variants.total_customers, variants.distinct_variants
        )];
        for v in &variants.variants {
            lines.push(format!(
                "{} c={} cov={} cum={}",
                v.variant.join(">"),
                v.customers,
                round9(v.coverage),
                round9(v.cumulative_coverage)
            ));
        }
        lines.join("\n")
    }

    /// `options` is (max_len, collapse_repeats, top_n).
    fn check(options: (usize, bool, usize), input: &[&str], expected: &str) {
        let catalog = Arc::new(test_catalog());
        let (max_len, collapse_repeats, top_n) = options;
        let spec = VariantSpec {
            catalog: catalog.clone(),
            max_len,
            collapse_repeats,
            top_n,
        };
        let mut accumulator = VariantAccumulator::new(&spec);
        for journey in journeys(&catalog, input) {
            accumulator.observe(&journey.as_journey());
        }
        assert_eq!(
            render(&accumulator.finish()),
            expected.trim(),
            "input {input:?}"
        );
    }

    const ALL: (usize, bool, usize) = (usize::MAX, false, usize::MAX);

    #[test]
    fn counts_rank_and_cover() {
        check(ALL, &[], "total=0 distinct=0");
        check(
            ALL,
            &["a@0 b@1", "c@0", "a@0 b@5", "b@0", "a@1 b@1 c@1", ""],
            "total=5 distinct=4
a>b c=2 cov=0.4 cum=0.4
a>b>c c=1 cov=0.2 cum=0.6
b c=1 cov=0.2 cum=0.8
c c=1 cov=0.2 cum=1",
        );
    }

    #[test]
    fn top_n_keeps_the_best_ranked() {
        check(
            (usize::MAX, false, 2),
            &["d@0", "c@0", "b@0", "b@0", "a@0 d@1"],
            "total=5 distinct=4
b c=2 cov=0.4 cum=0.4
a>d c=1 cov=0.2 cum=0.6",
        );
        check((usize::MAX, false, 0), &["d@0"], "total=1 distinct=1");
    }

    #[test]
    fn self_loops_and_collapse_before_truncation() {
        let input = ["a@0 a@1 a@2 b@3 b@3 c@4", "a@0 b@1 c@2 d@3"];
        check(
            (3, false, 10),
            &input,
            "total=2 distinct=2
a>a>a c=1 cov=0.5 cum=0.5
a>b>c c=1 cov=0.5 cum=1",
        );
        check(
            (3, true, 10),
            &input,
            "total=2 distinct=1
a>b>c c=2 cov=1 cum=1",
        );
        check(
            (0, true, 10),
            &input,
            "total=2 distinct=1\n c=2 cov=1 cum=1",
        );
    }

    #[test]
    fn serializes_to_contract_shape() {
        let catalog = Arc::new(test_catalog());
        let spec = VariantSpec {
            catalog: catalog.clone(),
            max_len: 10,
            collapse_repeats: false,
            top_n: 10,
        };
        let mut accumulator = VariantAccumulator::new(&spec);
        for journey in journeys(&catalog, &["x@0 d@1"]) {
            accumulator.observe(&journey.as_journey());
        }
        let json = serde_json::to_value(accumulator.finish()).expect("serializable");
        let expected = serde_json::json!({"total_customers": 1, "distinct_variants": 1,
            "variants": [{"variant": ["x", "d"], "customers": 1, "coverage": 1.0,
                "cumulative_coverage": 1.0}]});
        assert_eq!(json, expected);
    }
}
