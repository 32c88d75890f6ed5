//! Lifecycle: per period, how the active customers divide into new,
//! returning and resurrecting ones, and how many went dormant — PostHog's
//! lifecycle insight.
//!
//! A customer is *active* in a period when they had an event at one of the
//! spec's touchpoints in it (any touchpoint when the list is empty). For
//! each period `k` of the range:
//! - *new*: active in `k`, and `k` is the customer's first period. By
//!   default ([`NewCustomer::FirstSeen`]) that is the period of the
//!   customer's first event of any touchpoint, as PostHog uses the person's
//!   creation time; [`NewCustomer::FirstActive`] uses the first event at
//!   the spec's touchpoints instead.
//! - *returning*: active in `k` and in `k − 1`, and not new.
//! - *resurrecting*: active in `k`, not in `k − 1`, and not new.
//! - *dormant*: active in `k − 1` but not in `k`. PostHog plots this count
//!   below the axis as a negative number; here it is a positive count in
//!   its own field.
//!
//! Period −1, the one before the range, is looked at to classify period 0,
//! and events before the range decide who is new, so the journeys must
//! hold the customers' history.

use super::calendar::{PeriodIdx, date_string};
use super::{Groups, PeriodRange, PeriodSpec, PersonaSpec, RetentionError, TouchpointSet};
use crate::{Accumulator, Journey};
use serde::{Deserialize, Serialize};

/// Which period makes a customer new.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewCustomer {
    /// The period of the customer's first event of any touchpoint.
    #[default]
    FirstSeen,
    /// The period of the customer's first event at the spec's touchpoints.
    FirstActive,
}

/// A lifecycle query as a user states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifecycleSpec {
    /// Touchpoints that make a customer active; empty for any touchpoint.
    #[serde(default)]
    pub touchpoints: Vec<String>,
    #[serde(flatten)]
    pub periods: PeriodSpec,
    #[serde(default)]
    pub new_customer: NewCustomer,
    #[serde(default)]
    pub personas: Vec<PersonaSpec>,
}

impl LifecycleSpec {
    pub fn validate(&self, touchpoint_names: &[String]) -> Result<LifecycleQuery, RetentionError> {
        Ok(LifecycleQuery {
            touchpoints: TouchpointSet::resolve(
                &self.touchpoints,
                touchpoint_names,
                "touchpoints",
                true,
            )?,
            range: self.periods.validate()?,
            new_customer: self.new_customer,
            groups: Groups::new(&self.personas)?,
        })
    }
}

/// A validated [`LifecycleSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleQuery {
    touchpoints: TouchpointSet,
    range: PeriodRange,
    new_customer: NewCustomer,
    groups: Groups,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifecycleReport {
    pub period: super::Period,
    pub new_customer: NewCustomer,
    /// [`ALL_CUSTOMERS`](super::ALL_CUSTOMERS) first, then the personas.
    pub groups: Vec<LifecycleGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifecycleGroup {
    pub group: String,
    pub periods: Vec<LifecyclePeriod>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifecyclePeriod {
    pub period_start_us: i64,
    /// `YYYY-MM-DD` (UTC) of the period's start.
    pub period_start: String,
    pub new: u64,
    pub returning: u64,
    pub resurrecting: u64,
    /// Customers active in the previous period but not in this one, as a
    /// positive count.
    pub dormant: u64,
}

const NEW: usize = 0;
const RETURNING: usize = 1;
const RESURRECTING: usize = 2;
const DORMANT: usize = 3;
const STATES: usize = 4;

/// Builds a [`LifecycleReport`]; see the module documentation.
#[derive(Debug)]
pub struct LifecycleAccumulator {
    query: LifecycleQuery,
    /// Per group, per period, the four states.
    counts: Vec<u64>,
    /// The current journey's active periods (−1..n, ascending, distinct)
    /// and the counters it adds to.
    active: Vec<PeriodIdx>,
    cells: Vec<usize>,
}

impl LifecycleAccumulator {
    pub fn new(query: &LifecycleQuery) -> LifecycleAccumulator {
        LifecycleAccumulator {
            query: query.clone(),
            counts: vec![0; query.groups.len() * query.range.n_periods() * STATES],
            active: Vec::new(),
            cells: Vec::new(),
        }
    }

    /// Fills the active periods; returns the customer's first period in the
    /// sense of [`NewCustomer`], if they were ever active.
    fn collect_active(&mut self, journey: &Journey<'_>) -> Option<PeriodIdx> {
        let n = self.query.range.n_periods() as PeriodIdx;
        self.active.clear();
        let mut cursor = self.query.range.cursor();
        let mut first_active = None;
        for (&ts_us, &touchpoint) in journey.ts_us.iter().zip(journey.touchpoint) {
            if !self.query.touchpoints.contains(touchpoint) {
                continue;
            }
            let k = cursor.locate(ts_us);
            first_active.get_or_insert(k);
            if (-1..n).contains(&k) && self.active.last() != Some(&k) {
                self.active.push(k);
            }
        }
        let first_active = first_active?;
        Some(match self.query.new_customer {
            NewCustomer::FirstActive => first_active,
            NewCustomer::FirstSeen => self.query.range.locate(journey.ts_us[0]),
        })
    }
}

impl Accumulator for LifecycleAccumulator {
    type Output = LifecycleReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        let Some(first_period) = self.collect_active(journey) else {
            return;
        };
        let n = self.query.range.n_periods() as PeriodIdx;
        self.cells.clear();
        let cell = |k: PeriodIdx, state: usize| k as usize * STATES + state;
        for (i, &k) in self.active.iter().enumerate() {
            let previous_active = i > 0 && self.active[i - 1] == k - 1;
            let next_active = self.active.get(i + 1) == Some(&(k + 1));
            if k >= 0 {
                let state = if k == first_period {
                    NEW
                } else if previous_active {
                    RETURNING
                } else {
                    RESURRECTING
                };
                self.cells.push(cell(k, state));
            }
            if k + 1 < n && !next_active {
                self.cells.push(cell(k + 1, DORMANT));
            }
        }
        let per_group = n as usize * STATES;
        for group in self.query.groups.of(journey.personas) {
            for &cell in &self.cells {
                self.counts[group * per_group + cell] += 1;
            }
        }
    }

    fn merge(&mut self, other: Self) {
        for (count, other) in self.counts.iter_mut().zip(&other.counts) {
            *count += other;
        }
    }

    fn finish(self) -> LifecycleReport {
        let range = &self.query.range;
        let n = range.n_periods();
        let groups = (0..self.query.groups.len())
            .map(|group| {
                let periods = (0..n)
                    .map(|k| {
                        let counts = &self.counts[(group * n + k) * STATES..][..STATES];
                        let start_us = range.start_us(k as PeriodIdx);
                        LifecyclePeriod {
                            period_start_us: start_us,
                            period_start: date_string(start_us),
                            new: counts[NEW],
                            returning: counts[RETURNING],
                            resurrecting: counts[RESURRECTING],
                            dormant: counts[DORMANT],
                        }
                    })
                    .collect();
                LifecycleGroup {
                    group: self.query.groups.name(group).to_string(),
                    periods,
                }
            })
            .collect();
        LifecycleReport {
            period: range.period,
            new_customer: self.query.new_customer,
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::Period;
    use crate::retention::test_journeys::{DAY0_US, names, parse};

    fn render(report: &LifecycleReport) -> String {
        let mut lines = Vec::new();
        for group in &report.groups {
            lines.push(format!("[{}]", group.group));
            for p in &group.periods {
                lines.push(format!(
                    "{} new={} ret={} res={} dor={}",
                    p.period_start, p.new, p.returning, p.resurrecting, p.dormant
                ));
            }
        }
        lines.join("\n")
    }

    /// Daily lifecycle of touchpoints `a` and `b` over days 0–4.
    fn check(adjust: impl Fn(&mut LifecycleSpec), input: &[&str], expected: &str) {
        let mut spec = LifecycleSpec {
            touchpoints: vec!["a".into(), "b".into()],
            periods: PeriodSpec {
                period: Period::Day,
                from_us: DAY0_US,
                n_periods: 5,
            },
            new_customer: NewCustomer::FirstSeen,
            personas: Vec::new(),
        };
        adjust(&mut spec);
        let query = spec.validate(&names()).expect("valid spec");
        let mut accumulator = LifecycleAccumulator::new(&query);
        for journey in parse(input) {
            accumulator.observe(&journey.as_journey());
        }
        assert_eq!(render(&accumulator.finish()), expected.trim(), "{input:?}");
    }

    #[test]
    fn states_per_period() {
        let quiet = "[all]
2024-01-01 new=0 ret=0 res=0 dor=0
2024-01-02 new=0 ret=0 res=0 dor=0
2024-01-03 new=0 ret=0 res=0 dor=0
2024-01-04 new=0 ret=0 res=0 dor=0
2024-01-05 new=0 ret=0 res=0 dor=0";
        check(|_| {}, &[], quiet);
        check(|_| {}, &["", "c@1 d@2", "a@-5"], quiet);
        // 1: new on day 0, returning day 1, dormant day 2, resurrecting 3.
        // 2: active the day before the range: returning on day 0, dormant 1.
        // 3: first seen on day 0 at `c`, first active day 2: resurrecting.
        // 4: active before the range, not on day −1: resurrecting on day 4.
        check(
            |_| {},
            &["a@0 b@1.5 a@3", "a@-1 b@0", "c@0 a@2 b@2.5", "a@-3 b@4"],
            "[all]
2024-01-01 new=1 ret=1 res=0 dor=0
2024-01-02 new=0 ret=1 res=0 dor=1
2024-01-03 new=0 ret=0 res=1 dor=1
2024-01-04 new=0 ret=0 res=1 dor=1
2024-01-05 new=0 ret=0 res=1 dor=1",
        );
    }

    #[test]
    fn first_active_counts_as_new() {
        check(
            |spec| spec.new_customer = NewCustomer::FirstActive,
            &["c@0 a@2 b@2.5", "p=1 a@-1"],
            "[all]
2024-01-01 new=0 ret=0 res=0 dor=1
2024-01-02 new=0 ret=0 res=0 dor=0
2024-01-03 new=1 ret=0 res=0 dor=0
2024-01-04 new=0 ret=0 res=0 dor=1
2024-01-05 new=0 ret=0 res=0 dor=0",
        );
    }

    #[test]
    fn weekly_with_personas() {
        check(
            |spec| {
                spec.periods.period = Period::Week;
                spec.periods.n_periods = 2;
                spec.touchpoints = Vec::new();
                spec.personas = vec![PersonaSpec {
                    name: "mobile".into(),
                    bit: 1,
                }];
            },
            &["p=2 d@-2 x@6.5 c@13.9", "p=1 a@3"],
            "[all]
2024-01-01 new=1 ret=1 res=0 dor=0
2024-01-08 new=0 ret=1 res=0 dor=1
[mobile]
2024-01-01 new=0 ret=1 res=0 dor=0
2024-01-08 new=0 ret=1 res=0 dor=0",
        );
    }
}
