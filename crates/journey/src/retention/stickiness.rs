//! Stickiness: for each period of the range, how many customers were
//! active on exactly 1, 2, …, d of its d days — PostHog's stickiness
//! insight with days as the unit of activity.
//!
//! A customer is active on a UTC day when they had an event at one of the
//! spec's touchpoints (any touchpoint when the list is empty) on it. With
//! weekly periods the histogram runs over 1..=7 days, with monthly ones
//! over the month's 28 to 31 days, with daily ones it is one bar: the
//! day's active customers. Customers without activity in a period are not
//! counted in it.

use super::calendar::{PeriodIdx, date_string, day_of};
use super::{Groups, PeriodRange, PeriodSpec, PersonaSpec, RetentionError, TouchpointSet};
use crate::{Accumulator, Journey};
use serde::{Deserialize, Serialize};

/// A stickiness query as a user states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StickinessSpec {
    /// Touchpoints that make a customer active; empty for any touchpoint.
    #[serde(default)]
    pub touchpoints: Vec<String>,
    #[serde(flatten)]
    pub periods: PeriodSpec,
    #[serde(default)]
    pub personas: Vec<PersonaSpec>,
}

impl StickinessSpec {
    pub fn validate(&self, touchpoint_names: &[String]) -> Result<StickinessQuery, RetentionError> {
        let range = self.periods.validate()?;
        let mut offsets = vec![0];
        for k in 0..range.n_periods() {
            offsets.push(offsets[k] + range.days(k as PeriodIdx));
        }
        Ok(StickinessQuery {
            touchpoints: TouchpointSet::resolve(
                &self.touchpoints,
                touchpoint_names,
                "touchpoints",
                true,
            )?,
            range,
            offsets,
            groups: Groups::new(&self.personas)?,
        })
    }
}

/// A validated [`StickinessSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct StickinessQuery {
    touchpoints: TouchpointSet,
    range: PeriodRange,
    /// Where period `k`'s histogram starts among a group's counters; the
    /// last entry is the number of counters per group.
    offsets: Vec<usize>,
    groups: Groups,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StickinessReport {
    pub period: super::Period,
    /// [`ALL_CUSTOMERS`](super::ALL_CUSTOMERS) first, then the personas.
    pub groups: Vec<StickinessGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StickinessGroup {
    pub group: String,
    pub periods: Vec<StickinessPeriod>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StickinessPeriod {
    pub period_start_us: i64,
    /// `YYYY-MM-DD` (UTC) of the period's start.
    pub period_start: String,
    /// Days in the period.
    pub days: usize,
    /// Customers active on at least one day of the period.
    pub customers: u64,
    /// `customers_by_active_days[i]`: customers active on exactly `i + 1`
    /// days; `days` entries.
    pub customers_by_active_days: Vec<u64>,
}

/// Builds a [`StickinessReport`]; see the module documentation.
#[derive(Debug)]
pub struct StickinessAccumulator {
    query: StickinessQuery,
    counts: Vec<u64>,
    /// The counters the current journey adds to.
    cells: Vec<usize>,
}

impl StickinessAccumulator {
    pub fn new(query: &StickinessQuery) -> StickinessAccumulator {
        let per_group = *query.offsets.last().expect("offsets start with 0");
        StickinessAccumulator {
            query: query.clone(),
            counts: vec![0; query.groups.len() * per_group],
            cells: Vec::new(),
        }
    }
}

impl Accumulator for StickinessAccumulator {
    type Output = StickinessReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        let n = self.query.range.n_periods() as PeriodIdx;
        self.cells.clear();
        let mut cursor = self.query.range.cursor();
        // The period being counted, its distinct active days so far, and
        // the last active day seen.
        let mut current: Option<(PeriodIdx, usize, i64)> = None;
        let offsets = &self.query.offsets;
        for (&ts_us, &touchpoint) in journey.ts_us.iter().zip(journey.touchpoint) {
            if !self.query.touchpoints.contains(touchpoint) {
                continue;
            }
            let k = cursor.locate(ts_us);
            if !(0..n).contains(&k) {
                continue;
            }
            let day = day_of(ts_us);
            current = match current {
                Some((period, days, last_day)) if period == k => {
                    Some((period, days + usize::from(day != last_day), day))
                }
                Some((period, days, _)) => {
                    self.cells.push(offsets[period as usize] + days - 1);
                    Some((k, 1, day))
                }
                None => Some((k, 1, day)),
            };
        }
        if let Some((period, days, _)) = current {
            self.cells.push(offsets[period as usize] + days - 1);
        }
        let per_group = *offsets.last().expect("offsets start with 0");
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

    fn finish(self) -> StickinessReport {
        let range = &self.query.range;
        let offsets = &self.query.offsets;
        let per_group = *offsets.last().expect("offsets start with 0");
        let groups = (0..self.query.groups.len())
            .map(|group| {
                let counts = &self.counts[group * per_group..(group + 1) * per_group];
                let periods = (0..range.n_periods())
                    .map(|k| {
                        let histogram = counts[offsets[k]..offsets[k + 1]].to_vec();
                        let start_us = range.start_us(k as PeriodIdx);
                        StickinessPeriod {
                            period_start_us: start_us,
                            period_start: date_string(start_us),
                            days: histogram.len(),
                            customers: histogram.iter().sum(),
                            customers_by_active_days: histogram,
                        }
                    })
                    .collect();
                StickinessGroup {
                    group: self.query.groups.name(group).to_string(),
                    periods,
                }
            })
            .collect();
        StickinessReport {
            period: range.period,
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::Period;
    use crate::retention::test_journeys::{DAY0_US, names, parse};

    fn render(report: &StickinessReport) -> String {
        let mut lines = Vec::new();
        for group in &report.groups {
            lines.push(format!("[{}]", group.group));
            for p in &group.periods {
                lines.push(format!(
                    "{} d={} c={} {:?}",
                    p.period_start, p.days, p.customers, p.customers_by_active_days
                ));
            }
        }
        lines.join("\n")
    }

    fn check(adjust: impl Fn(&mut StickinessSpec), input: &[&str], expected: &str) {
        let mut spec = StickinessSpec {
            touchpoints: vec!["a".into()],
            periods: PeriodSpec {
                period: Period::Week,
                from_us: DAY0_US,
                n_periods: 2,
            },
            personas: Vec::new(),
        };
        adjust(&mut spec);
        let query = spec.validate(&names()).expect("valid spec");
        let mut accumulator = StickinessAccumulator::new(&query);
        for journey in parse(input) {
            accumulator.observe(&journey.as_journey());
        }
        assert_eq!(render(&accumulator.finish()), expected.trim(), "{input:?}");
    }

    #[test]
    fn counts_active_days_per_week() {
        check(
            |_| {},
            &[],
            "[all]
2024-01-01 d=7 c=0 [0, 0, 0, 0, 0, 0, 0]
2024-01-08 d=7 c=0 [0, 0, 0, 0, 0, 0, 0]",
        );
        // 1: days 0, 1 and 6 of week 0 (two events on day 1), day 7 of
        // week 1. 2: one day; `b` does not count. 3: before and after.
        check(
            |_| {},
            &["a@0 a@1 a@1.9 a@6.99 a@7", "b@0 a@3 b@4", "a@-1 a@14"],
            "[all]
2024-01-01 d=7 c=2 [1, 0, 1, 0, 0, 0, 0]
2024-01-08 d=7 c=1 [1, 0, 0, 0, 0, 0, 0]",
        );
    }

    #[test]
    fn months_days_and_personas() {
        check(
            |spec| {
                spec.periods.period = Period::Month;
                spec.periods.from_us = DAY0_US + 40 * 86_400_000_000;
                spec.periods.n_periods = 1;
                spec.touchpoints = Vec::new();
                spec.personas = vec![PersonaSpec {
                    name: "older".into(),
                    bit: 0,
                }];
            },
            &["p=1 c@31 d@59.9", "x@45"],
            "[all]
2024-02-01 d=29 c=2 [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
[older]
2024-02-01 d=29 c=1 [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]",
        );
        check(
            |spec| {
                spec.periods.period = Period::Day;
                spec.periods.n_periods = 2;
            },
            &["a@0 a@0.5", "a@1"],
            "[all]
2024-01-01 d=1 c=1 [1]
2024-01-02 d=1 c=1 [1]",
        );
    }
}
