//! Retention cohorts with the semantics of PostHog's retention insight.
//!
//! - A customer's *start periods* are the periods of the range in which
//!   they had a start event; their *return periods* those in which they had
//!   a return event. An event may be both.
//! - [`RetentionType::FirstTime`]: the customer's cohort is the period of
//!   their first start event ever; customers whose first start event lies
//!   outside the range are in no cohort. [`RetentionType::Recurring`]: the
//!   customer is in the cohort of every start period.
//! - Period 0 of a cohort counts its members (`values[0] == size`). Period
//!   `k ≥ 1` counts the members with a return event in the `k`-th period
//!   after the cohort's; return events in the cohort's own period do not
//!   count as returns, return events after the range are not seen. Cohort
//!   `c` therefore has `n_periods − c` values: a triangle.
//! - Cumulative ("on or after"): a member who returned in period `k`
//!   counts in every period `1..=k` too.
//! - Shares: [`RetentionReference::Total`] divides by the cohort's size;
//!   [`RetentionReference::Previous`] divides period `k` by period `k − 1`
//!   of the same cohort (period 0 by the size). `None` where the divisor
//!   is 0.

use super::calendar::{PeriodIdx, date_string};
use super::{Groups, PeriodRange, PeriodSpec, PersonaSpec, RetentionError, TouchpointSet, share};
use crate::{Accumulator, Journey};
use serde::{Deserialize, Serialize};

/// Which start events put a customer into a cohort.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionType {
    /// The period of the customer's first start event ever.
    #[default]
    FirstTime,
    /// Every period with a start event.
    Recurring,
}

/// What a share is relative to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionReference {
    /// The cohort's size.
    #[default]
    Total,
    /// The same cohort's count in the previous period.
    Previous,
}

/// A retention query as a user states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionSpec {
    /// Touchpoints whose events start a cohort; empty for any touchpoint.
    pub start: Vec<String>,
    /// Touchpoints whose events count as a return; empty for any.
    pub returning: Vec<String>,
    #[serde(default)]
    pub retention_type: RetentionType,
    #[serde(flatten)]
    pub periods: PeriodSpec,
    /// Count a return in period k also in every earlier period.
    #[serde(default)]
    pub cumulative: bool,
    #[serde(default)]
    pub reference: RetentionReference,
    #[serde(default)]
    pub personas: Vec<PersonaSpec>,
}

impl RetentionSpec {
    /// Checks the spec against the touchpoint names (indexed by
    /// `TouchpointId`).
    pub fn validate(&self, touchpoint_names: &[String]) -> Result<RetentionQuery, RetentionError> {
        Ok(RetentionQuery {
            start: TouchpointSet::resolve(&self.start, touchpoint_names, "start", true)?,
            returning: TouchpointSet::resolve(
                &self.returning,
                touchpoint_names,
                "returning",
                true,
            )?,
            retention_type: self.retention_type,
            range: self.periods.validate()?,
            cumulative: self.cumulative,
            reference: self.reference,
            groups: Groups::new(&self.personas)?,
        })
    }
}

/// A validated [`RetentionSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionQuery {
    start: TouchpointSet,
    returning: TouchpointSet,
    retention_type: RetentionType,
    range: PeriodRange,
    cumulative: bool,
    reference: RetentionReference,
    groups: Groups,
}

/// The finished retention triangle per group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionReport {
    pub period: super::Period,
    pub retention_type: RetentionType,
    pub cumulative: bool,
    pub reference: RetentionReference,
    /// [`ALL_CUSTOMERS`](super::ALL_CUSTOMERS) first, then the personas.
    pub groups: Vec<RetentionGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionGroup {
    pub group: String,
    /// One cohort per period of the range, in time order, empty ones too.
    pub cohorts: Vec<Cohort>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    /// Start of the cohort's period, microseconds since the epoch.
    pub cohort_start_us: i64,
    /// The same as a UTC date, `YYYY-MM-DD`.
    pub cohort_start: String,
    pub size: u64,
    /// Customers per period since the cohort's: `values[0] == size`.
    pub values: Vec<u64>,
    /// One share per value; see the module documentation.
    pub shares: Vec<Option<f64>>,
}

/// Builds a [`RetentionReport`]; see the module documentation.
#[derive(Debug)]
pub struct RetentionAccumulator {
    query: RetentionQuery,
    /// Per group, the triangle row by row: cohort `c` has `n − c` cells.
    counts: Vec<u64>,
    /// The current journey's start and return periods within the range,
    /// ascending and distinct, and the triangle cells it adds to.
    start_periods: Vec<PeriodIdx>,
    return_periods: Vec<PeriodIdx>,
    cells: Vec<usize>,
}

/// Cells of an `n`-period triangle.
fn triangle_len(n: usize) -> usize {
    n * (n + 1) / 2
}

/// Where cohort `c`'s row starts in an `n`-period triangle.
fn row_offset(n: usize, c: usize) -> usize {
    c * n - c * c.saturating_sub(1) / 2
}

/// Appends `value` unless it equals the last element: distinct values of a
/// non-decreasing sequence.
fn push_distinct(values: &mut Vec<PeriodIdx>, value: PeriodIdx) {
    if values.last() != Some(&value) {
        values.push(value);
    }
}

impl RetentionAccumulator {
    pub fn new(query: &RetentionQuery) -> RetentionAccumulator {
        let n = query.range.n_periods();
        RetentionAccumulator {
            query: query.clone(),
            counts: vec![0; query.groups.len() * triangle_len(n)],
            start_periods: Vec::new(),
            return_periods: Vec::new(),
            cells: Vec::new(),
        }
    }

    /// Fills the start and return periods; returns the period of the first
    /// start event ever, if any.
    fn collect_periods(&mut self, journey: &Journey<'_>) -> Option<PeriodIdx> {
        let n = self.query.range.n_periods() as PeriodIdx;
        self.start_periods.clear();
        self.return_periods.clear();
        let mut first_start = None;
        let mut cursor = self.query.range.cursor();
        for (&ts_us, &touchpoint) in journey.ts_us.iter().zip(journey.touchpoint) {
            let is_start = self.query.start.contains(touchpoint);
            let is_return = self.query.returning.contains(touchpoint);
            if !(is_start || is_return) {
                continue;
            }
            let k = cursor.locate(ts_us);
            if is_start {
                first_start.get_or_insert(k);
            }
            if !(0..n).contains(&k) {
                continue;
            }
            if is_start {
                push_distinct(&mut self.start_periods, k);
            }
            if is_return {
                push_distinct(&mut self.return_periods, k);
            }
        }
        first_start
    }

    /// The triangle cells of the current journey, for the cohort starting
    /// in period `c`.
    fn add_cells(&mut self, c: PeriodIdx) {
        let n = self.query.range.n_periods();
        let row = row_offset(n, usize::try_from(c).expect("cohorts are in the range"));
        self.cells.push(row);
        let later = self.return_periods.partition_point(|&r| r <= c);
        let returns = &self.return_periods[later..];
        if self.query.cumulative {
            let last = returns.last().map_or(0, |&r| r - c);
            self.cells.extend((1..=last).map(|k| row + k as usize));
        } else {
            self.cells
                .extend(returns.iter().map(|&r| row + (r - c) as usize));
        }
    }
}

impl Accumulator for RetentionAccumulator {
    type Output = RetentionReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        let first_start = self.collect_periods(journey);
        if self.start_periods.is_empty() {
            return;
        }
        self.cells.clear();
        match self.query.retention_type {
            RetentionType::FirstTime => {
                // The first start event ever is in the range exactly when it
                // is the first start period found in the range.
                if first_start == self.start_periods.first().copied() {
                    self.add_cells(self.start_periods[0]);
                }
            }
            RetentionType::Recurring => {
                for i in 0..self.start_periods.len() {
                    self.add_cells(self.start_periods[i]);
                }
            }
        }
        let per_group = triangle_len(self.query.range.n_periods());
        for group in self.query.groups.of(journey.personas) {
            let counts = &mut self.counts[group * per_group..(group + 1) * per_group];
            for &cell in &self.cells {
                counts[cell] += 1;
            }
        }
    }

    fn merge(&mut self, other: Self) {
        for (count, other) in self.counts.iter_mut().zip(&other.counts) {
            *count += other;
        }
    }

    fn finish(self) -> RetentionReport {
        let range = &self.query.range;
        let n = range.n_periods();
        let per_group = triangle_len(n);
        let groups = (0..self.query.groups.len())
            .map(|group| {
                let triangle = &self.counts[group * per_group..(group + 1) * per_group];
                let cohorts = (0..n)
                    .map(|c| {
                        let row = row_offset(n, c);
                        let values = triangle[row..row + n - c].to_vec();
                        cohort(range.start_us(c as PeriodIdx), values, self.query.reference)
                    })
                    .collect();
                RetentionGroup {
                    group: self.query.groups.name(group).to_string(),
                    cohorts,
                }
            })
            .collect();
        RetentionReport {
            period: range.period,
            retention_type: self.query.retention_type,
            cumulative: self.query.cumulative,
            reference: self.query.reference,
            groups,
        }
    }
}

fn cohort(start_us: i64, values: Vec<u64>, reference: RetentionReference) -> Cohort {
    let size = values[0];
    let shares = (values.iter().enumerate())
        .map(|(k, &value)| match reference {
            RetentionReference::Total => share(value, size),
            RetentionReference::Previous => share(value, values[k.saturating_sub(1)]),
        })
        .collect();
    Cohort {
        cohort_start_us: start_us,
        cohort_start: date_string(start_us),
        size,
        values,
        shares,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::Period;
    use crate::retention::test_journeys::{DAY0_US, names, parse};

    fn render(report: &RetentionReport) -> String {
        let mut lines = Vec::new();
        for group in &report.groups {
            lines.push(format!("[{}]", group.group));
            for cohort in &group.cohorts {
                let shares: Vec<String> = (cohort.shares.iter())
                    .map(|s| s.map_or("-".to_string(), |s| format!("{:.2}", s)))
                    .collect();
                lines.push(format!(
                    "{} {:?} {}",
                    cohort.cohort_start,
                    cohort.values,
                    shares.join(" ")
                ));
            }
        }
        lines.join("\n")
    }

    /// `spec` adjusts a first-time daily spec over 4 days from day 0 with
    /// start `a` and return `b`.
    fn check(adjust: impl Fn(&mut RetentionSpec), input: &[&str], expected: &str) {
        let mut spec = RetentionSpec {
            start: vec!["a".into()],
            returning: vec!["b".into()],
            retention_type: RetentionType::FirstTime,
            periods: PeriodSpec {
                period: Period::Day,
                from_us: DAY0_US,
                n_periods: 4,
            },
            cumulative: false,
            reference: RetentionReference::Total,
            personas: Vec::new(),
        };
        adjust(&mut spec);
        let query = spec.validate(&names()).expect("valid spec");
        let mut accumulator = RetentionAccumulator::new(&query);
        for journey in parse(input) {
            accumulator.observe(&journey.as_journey());
        }
        assert_eq!(render(&accumulator.finish()), expected.trim(), "{input:?}");
    }

    #[test]
    fn first_time_cohorts() {
        let empty = "[all]
2024-01-01 [0, 0, 0, 0] - - - -
2024-01-02 [0, 0, 0] - - -
2024-01-03 [0, 0] - -
2024-01-04 [0] -";
        check(|_| {}, &[], empty);
        check(|_| {}, &["", "b@1 c@2"], empty);
        check(
            |_| {},
            &["a@2"],
            "[all]
2024-01-01 [0, 0, 0, 0] - - - -
2024-01-02 [0, 0, 0] - - -
2024-01-03 [1, 0] 1.00 0.00
2024-01-04 [0] -",
        );
        // Customer 2 started before the range: in no cohort. Customer 3's
        // return on its start day does not count; customer 4 returns after
        // the range.
        check(
            |_| {},
            &[
                "a@0 b@1 b@1.5 b@3",
                "a@-1 a@1 b@2",
                "a@1.2 b@1.9 a@2 b@3",
                "b@0 a@3 b@4",
            ],
            "[all]
2024-01-01 [1, 1, 0, 1] 1.00 1.00 0.00 1.00
2024-01-02 [1, 0, 1] 1.00 0.00 1.00
2024-01-03 [0, 0] - -
2024-01-04 [1] 1.00",
        );
    }

    #[test]
    fn recurring_cumulative_and_previous() {
        let input = ["a@0 b@1 a@2 b@3", "a@0 b@2", "a@1"];
        check(
            |spec| spec.retention_type = RetentionType::Recurring,
            &input,
            "[all]
2024-01-01 [2, 1, 1, 1] 1.00 0.50 0.50 0.50
2024-01-02 [1, 0, 0] 1.00 0.00 0.00
2024-01-03 [1, 1] 1.00 1.00
2024-01-04 [0] -",
        );
        check(
            |spec| {
                spec.retention_type = RetentionType::Recurring;
                spec.cumulative = true;
                spec.reference = RetentionReference::Previous;
            },
            &input,
            "[all]
2024-01-01 [2, 2, 2, 1] 1.00 1.00 1.00 0.50
2024-01-02 [1, 0, 0] 1.00 0.00 -
2024-01-03 [1, 1] 1.00 1.00
2024-01-04 [0] -",
        );
    }

    #[test]
    fn weeks_months_and_personas() {
        // 2024-01-01 is a Monday: days 0–6 are week 0, 7–13 week 1.
        check(
            |spec| {
                spec.periods.period = Period::Week;
                spec.periods.n_periods = 2;
                spec.start = Vec::new();
                spec.personas = vec![
                    PersonaSpec {
                        name: "older".into(),
                        bit: 0,
                    },
                    PersonaSpec {
                        name: "mobile".into(),
                        bit: 1,
                    },
                ];
            },
            &["p=1 c@6.9 b@7", "p=3 b@2 b@6", "p=2 a@8"],
            "[all]
2024-01-01 [2, 1] 1.00 0.50
2024-01-08 [1] 1.00
[older]
2024-01-01 [2, 1] 1.00 0.50
2024-01-08 [0] -
[mobile]
2024-01-01 [1, 0] 1.00 0.00
2024-01-08 [1] 1.00",
        );
        check(
            |spec| {
                spec.periods.period = Period::Month;
                spec.periods.n_periods = 3;
                spec.periods.from_us = DAY0_US + 20 * 86_400_000_000;
            },
            &["a@30.9 b@31 b@59.5", "a@59 b@60"],
            "[all]
2024-01-01 [1, 1, 0] 1.00 1.00 0.00
2024-02-01 [1, 1] 1.00 1.00
2024-03-01 [0] -",
        );
    }

    #[test]
    fn rejects_bad_specs() {
        let base = RetentionSpec {
            start: vec!["a".into()],
            returning: Vec::new(),
            retention_type: RetentionType::Recurring,
            periods: PeriodSpec {
                period: Period::Day,
                from_us: 0,
                n_periods: 3,
            },
            cumulative: false,
            reference: RetentionReference::Total,
            personas: Vec::new(),
        };
        let check = |adjust: &dyn Fn(&mut RetentionSpec), expected: RetentionError| {
            let mut spec = base.clone();
            adjust(&mut spec);
            assert_eq!(spec.validate(&names()), Err(expected));
        };
        check(
            &|s| s.start = vec!["nope".into()],
            RetentionError::UnknownTouchpoint {
                name: "nope".into(),
            },
        );
        check(
            &|s| s.periods.n_periods = 0,
            RetentionError::PeriodCount { n_periods: 0 },
        );
        check(
            &|s| s.periods.n_periods = 401,
            RetentionError::PeriodCount { n_periods: 401 },
        );
        check(
            &|s| s.periods.from_us = i64::MAX,
            RetentionError::StartOutOfRange { from_us: i64::MAX },
        );
        check(
            &|s| {
                s.personas = vec![PersonaSpec {
                    name: "all".into(),
                    bit: 0,
                }]
            },
            RetentionError::DuplicateGroup { name: "all".into() },
        );
        check(
            &|s| {
                s.personas = vec![PersonaSpec {
                    name: "x".into(),
                    bit: 64,
                }]
            },
            RetentionError::PersonaBit {
                name: "x".into(),
                bit: 64,
            },
        );
    }

    #[test]
    fn spec_reads_from_json() {
        let spec: RetentionSpec = serde_json::from_value(serde_json::json!({
            "start": ["a"], "returning": [], "period": "week",
            "from_us": 0, "n_periods": 8, "cumulative": true
        }))
        .expect("spec deserializes");
        assert_eq!(spec.retention_type, RetentionType::FirstTime);
        assert_eq!(spec.reference, RetentionReference::Total);
        assert_eq!(spec.periods.period, Period::Week);
        assert!(spec.cumulative);
    }
}
