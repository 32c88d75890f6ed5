//! Turns counted chains into funnel results: per breakdown value and step,
//! customers, drop-offs, every conversion time and the smallest customer
//! keys, all mergeable; `finish` ranks breakdown values, folds the tail into
//! "(other)" and computes the statistics.

use super::chain::{ChainEvent, ChainSearch};
use super::durations::{DurationStats, HistogramBin, SmallestKeys};
use super::{Attribution, Funnel, NO_BREAKDOWN_VALUE, OTHER_BREAKDOWN_VALUE};
use crate::{Accumulator, Journey};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The breakdown value id of customers without one.
const NO_VALUE: u32 = u32::MAX;

/// The funnel of all customers, its time-to-convert histogram (step 1 to
/// the last step), the number of customers removed by exclusions, and one
/// funnel per kept breakdown value (plus "(other)").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelResult {
    pub steps: Vec<FunnelStepResult>,
    pub histogram: Vec<HistogramBin>,
    pub excluded_customers: u64,
    pub breakdowns: Vec<BreakdownFunnel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownFunnel {
    pub value: String,
    pub steps: Vec<FunnelStepResult>,
    pub histogram: Vec<HistogramBin>,
}

/// One step. `conversion` is relative to step 1; `conversion_from_previous`
/// and `drop_off` are relative to the previous mandatory step (for step 1:
/// 1 and 0). The flattened duration fields are the time from the chain's
/// previous event; `from_start` is the time from step 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStepResult {
    /// The step's touchpoint names joined with "|".
    pub touchpoint: String,
    pub optional: bool,
    pub customers: u64,
    pub conversion: f64,
    pub conversion_from_previous: f64,
    pub drop_off: u64,
    #[serde(flatten)]
    pub from_previous: DurationStats,
    pub from_start: DurationStats,
    /// The smallest keys of customers who reached the step.
    pub customer_keys: Vec<u64>,
    /// The smallest keys of customers who reached the previous mandatory
    /// step but not this one.
    pub drop_off_keys: Vec<u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct StepTally {
    customers: u64,
    drop_off: u64,
    from_previous_us: Vec<i64>,
    from_start_us: Vec<i64>,
    customer_keys: SmallestKeys,
    drop_off_keys: SmallestKeys,
}

#[derive(Debug, Clone, PartialEq)]
struct FunnelTally {
    steps: Vec<StepTally>,
}

impl FunnelTally {
    fn new(n_steps: usize) -> FunnelTally {
        FunnelTally {
            steps: vec![StepTally::default(); n_steps],
        }
    }

    fn merge(&mut self, other: &FunnelTally, limit: usize) {
        for (mine, theirs) in self.steps.iter_mut().zip(&other.steps) {
            mine.customers += theirs.customers;
            mine.drop_off += theirs.drop_off;
            mine.from_previous_us
                .extend_from_slice(&theirs.from_previous_us);
            mine.from_start_us.extend_from_slice(&theirs.from_start_us);
            mine.customer_keys.merge(&theirs.customer_keys, limit);
            mine.drop_off_keys.merge(&theirs.drop_off_keys, limit);
        }
    }
}

/// The mergeable funnel kernel: observe journeys, merge partials, finish.
#[derive(Debug)]
pub struct FunnelAccumulator {
    funnel: Arc<Funnel>,
    /// One tally per breakdown value (value 0 alone without a breakdown).
    tallies: Vec<(u32, FunnelTally)>,
    /// Index into `tallies` by value.
    tally_index: HashMap<u32, usize>,
    excluded_customers: u64,
    search: ChainSearch,
}

impl FunnelAccumulator {
    pub fn new(funnel: Arc<Funnel>) -> FunnelAccumulator {
        FunnelAccumulator {
            funnel,
            tallies: Vec::new(),
            tally_index: HashMap::new(),
            excluded_customers: 0,
            search: ChainSearch::default(),
        }
    }

    fn is_excluded(&self, journey: &Journey<'_>) -> bool {
        let chain = &self.search.chain;
        let last = chain.last().expect("called with a chain").step as usize;
        let start_us = journey.ts_us[chain[0].pos as usize];
        self.funnel
            .exclusions
            .iter()
            .enumerate()
            .any(|(idx, &(from, to))| {
                let bit = 1_u32 << idx;
                let Some(from_pos) = chain_pos(chain, from) else {
                    return false;
                };
                let excluded_at = |&&(pos, mask): &&(u32, u32)| mask & bit != 0 && pos > from_pos;
                match chain_pos(chain, to) {
                    Some(to_pos) => self
                        .search
                        .exclusion_events
                        .iter()
                        .filter(excluded_at)
                        .any(|&(pos, _)| pos < to_pos),
                    None if last < to => self
                        .search
                        .exclusion_events
                        .iter()
                        .filter(excluded_at)
                        .any(|&(pos, _)| {
                            journey.ts_us[pos as usize].saturating_sub(start_us)
                                <= self.funnel.window_us
                        }),
                    None => false,
                }
            })
    }

    fn breakdown_value(&self, journey: &Journey<'_>) -> u32 {
        let Some(breakdown) = &self.funnel.breakdown else {
            return 0;
        };
        let chain = &self.search.chain;
        let event = match breakdown.attribution {
            Attribution::FirstTouch => chain.first(),
            Attribution::LastTouch => chain.last(),
            Attribution::Step(step) => chain.iter().find(|event| event.step as usize == step - 1),
        };
        event
            .and_then(|event| journey.breakdown.get(event.pos as usize))
            .copied()
            .filter(|&value| (value as usize) < breakdown.names.len())
            .unwrap_or(NO_VALUE)
    }

    /// Bit `s` set when the counted chain reached step `s`: every
    /// mandatory step up to its last, and the optional steps it took.
    fn reached_mask(&self) -> u32 {
        let chain = &self.search.chain;
        let last = chain.last().expect("called with a chain").step as u32;
        let up_to_last = u32::MAX >> (31 - last);
        let taken = chain.iter().fold(0, |mask, event| mask | 1 << event.step);
        (self.funnel.mandatory_mask & up_to_last) | taken
    }

    fn tally_index(&mut self, value: u32) -> usize {
        let n_steps = self.funnel.n_steps();
        let tallies = &mut self.tallies;
        *self.tally_index.entry(value).or_insert_with(|| {
            tallies.push((value, FunnelTally::new(n_steps)));
            tallies.len() - 1
        })
    }

    fn tally(&mut self, journey: &Journey<'_>, value: u32) {
        let limit = self.funnel.customer_limit;
        let reached = self.reached_mask();
        // Without a breakdown every customer has value 0: skip the hash.
        let idx = match self.tallies.first() {
            Some((first, _)) if *first == value && self.funnel.breakdown.is_none() => 0,
            _ => self.tally_index(value),
        };
        let tally = &mut self.tallies[idx].1;
        let chain = &self.search.chain;
        let start_us = journey.ts_us[chain[0].pos as usize];
        for (idx, step) in self.funnel.steps.iter().enumerate() {
            let step_tally = &mut tally.steps[idx];
            if reached & (1 << idx) != 0 {
                step_tally.customers += 1;
                step_tally.customer_keys.insert(journey.customer, limit);
            } else if idx > 0 && reached & (1 << step.previous_mandatory) != 0 {
                step_tally.drop_off += 1;
                step_tally.drop_off_keys.insert(journey.customer, limit);
            }
        }
        for pair in chain.windows(2) {
            let step_tally = &mut tally.steps[pair[1].step as usize];
            let ts_us = journey.ts_us[pair[1].pos as usize];
            step_tally
                .from_previous_us
                .push(ts_us - journey.ts_us[pair[0].pos as usize]);
            step_tally.from_start_us.push(ts_us - start_us);
        }
    }

    fn step_results(&self, tally: &mut FunnelTally) -> Vec<FunnelStepResult> {
        let first = tally.steps[0].customers;
        let counts: Vec<u64> = tally.steps.iter().map(|step| step.customers).collect();
        let bins = self.funnel.histogram_bins;
        tally
            .steps
            .iter_mut()
            .zip(&self.funnel.steps)
            .enumerate()
            .map(|(idx, (step_tally, step))| {
                let previous = if idx == 0 {
                    step_tally.customers
                } else {
                    counts[step.previous_mandatory]
                };
                FunnelStepResult {
                    touchpoint: step.display_name.clone(),
                    optional: step.optional,
                    customers: step_tally.customers,
                    conversion: ratio(step_tally.customers, first),
                    conversion_from_previous: ratio(step_tally.customers, previous),
                    drop_off: step_tally.drop_off,
                    from_previous: DurationStats::of(&mut step_tally.from_previous_us, bins),
                    from_start: DurationStats::of(&mut step_tally.from_start_us, bins),
                    customer_keys: step_tally.customer_keys.keys().to_vec(),
                    drop_off_keys: step_tally.drop_off_keys.keys().to_vec(),
                }
            })
            .collect()
    }

    fn breakdown_funnel(&self, value: String, tally: &mut FunnelTally) -> BreakdownFunnel {
        let steps = self.step_results(tally);
        let histogram = last_histogram(&steps);
        BreakdownFunnel {
            value,
            steps,
            histogram,
        }
    }

    fn value_name(&self, value: u32) -> String {
        let names = &self
            .funnel
            .breakdown
            .as_ref()
            .expect("values only with a breakdown")
            .names;
        names
            .get(value as usize)
            .cloned()
            .unwrap_or_else(|| NO_BREAKDOWN_VALUE.to_string())
    }

    /// Kept values by step-1 customers (most first, then by id), then
    /// "(other)" for the rest when it has customers.
    fn breakdowns(&self, mut values: Vec<(u32, FunnelTally)>) -> Vec<BreakdownFunnel> {
        let Some(breakdown) = &self.funnel.breakdown else {
            return Vec::new();
        };
        values.sort_by_key(|(value, tally)| (std::cmp::Reverse(tally.steps[0].customers), *value));
        let rest = values.split_off(breakdown.limit.min(values.len()));
        let mut result: Vec<BreakdownFunnel> = values
            .into_iter()
            .map(|(value, mut tally)| self.breakdown_funnel(self.value_name(value), &mut tally))
            .collect();
        if !rest.is_empty() {
            let mut other = FunnelTally::new(self.funnel.n_steps());
            for (_, tally) in &rest {
                other.merge(tally, self.funnel.customer_limit);
            }
            result.push(self.breakdown_funnel(OTHER_BREAKDOWN_VALUE.to_string(), &mut other));
        }
        result
    }
}

/// Position of the chain's event for `step`, if the chain took it.
fn chain_pos(chain: &[ChainEvent], step: usize) -> Option<u32> {
    chain
        .iter()
        .find(|event| event.step as usize == step)
        .map(|event| event.pos)
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The time-to-convert histogram of the whole funnel: step 1 to last step.
fn last_histogram(steps: &[FunnelStepResult]) -> Vec<HistogramBin> {
    steps
        .last()
        .map(|step| step.from_start.histogram.clone())
        .unwrap_or_default()
}

impl Accumulator for FunnelAccumulator {
    type Output = FunnelResult;

    fn observe(&mut self, journey: &Journey<'_>) {
        self.search.run(&self.funnel, journey);
        if self.search.chain.is_empty() {
            return;
        }
        if !self.funnel.exclusions.is_empty() && self.is_excluded(journey) {
            self.excluded_customers += 1;
            return;
        }
        let value = self.breakdown_value(journey);
        self.tally(journey, value);
    }

    fn merge(&mut self, other: Self) {
        let limit = self.funnel.customer_limit;
        self.excluded_customers += other.excluded_customers;
        for (value, tally) in other.tallies {
            let idx = self.tally_index(value);
            self.tallies[idx].1.merge(&tally, limit);
        }
    }

    fn finish(mut self) -> FunnelResult {
        let mut total = FunnelTally::new(self.funnel.n_steps());
        let mut values = std::mem::take(&mut self.tallies);
        values.sort_by_key(|(value, _)| *value);
        for (_, tally) in &values {
            total.merge(tally, self.funnel.customer_limit);
        }
        let steps = self.step_results(&mut total);
        FunnelResult {
            histogram: last_histogram(&steps),
            steps,
            excluded_customers: self.excluded_customers,
            breakdowns: self.breakdowns(values),
        }
    }
}
