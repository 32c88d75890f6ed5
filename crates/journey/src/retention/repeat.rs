//! The circular part of the journey: repeat purchases, how long customers
//! take to buy again, how many reach the loyalty and advocacy stages, and
//! the referrals they make.
//!
//! Semantics:
//! - A *purchase day* is a UTC day with at least one event at a purchase
//!   touchpoint; several purchases on one day count as one, as the
//!   customer-base models count them ([`crate::value::summary`]).
//! - `repurchase_rate` = customers with two or more purchase days ÷
//!   customers with at least one.
//! - Time to repurchase: from the customer's first purchase event to the
//!   first purchase event on a later UTC day, in days (fractional, from
//!   the timestamps), over the customers who repurchased.
//! - A customer *reaches* a stage when any of their events is at a
//!   touchpoint of that stage (stage per touchpoint from the spec's
//!   `stage_of`); shares are of all customers with events.
//! - Referrals: events at the referral touchpoints, and the customers with
//!   at least one.
//!
//! Journeys without events are ignored.

use super::calendar::{DAY_US, day_of};
use super::{Groups, PersonaSpec, RetentionError, TouchpointSet, share};
use crate::stats::{Summary, quantile_sorted};
use crate::{Accumulator, Journey};
use serde::{Deserialize, Serialize};

/// A repeat-purchase query as a user states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatSpec {
    /// Touchpoints whose events are purchases; at least one.
    pub purchase: Vec<String>,
    /// Touchpoints whose events are referrals or recommendations.
    #[serde(default)]
    pub referral: Vec<String>,
    /// Stage index per touchpoint, indexed by `TouchpointId` (for example
    /// `Catalog::stage_of` of every touchpoint). Needed, with one entry per
    /// touchpoint, when a loyalty or advocacy stage is given.
    #[serde(default)]
    pub stage_of: Vec<usize>,
    #[serde(default)]
    pub loyalty_stage: Option<usize>,
    #[serde(default)]
    pub advocacy_stage: Option<usize>,
    #[serde(default)]
    pub personas: Vec<PersonaSpec>,
}

impl RepeatSpec {
    /// The stage of every touchpoint of the catalog, for `stage_of`.
    pub fn stages_of(catalog: &model::Catalog) -> Vec<usize> {
        catalog
            .touchpoints()
            .map(|(id, _)| catalog.stage_of(id))
            .collect()
    }

    pub fn validate(&self, touchpoint_names: &[String]) -> Result<RepeatQuery, RetentionError> {
        let needs_stages = self.loyalty_stage.is_some() || self.advocacy_stage.is_some();
        if needs_stages && self.stage_of.len() != touchpoint_names.len() {
            return Err(RetentionError::StageTable {
                n_touchpoints: touchpoint_names.len(),
                n_entries: self.stage_of.len(),
            });
        }
        let referral = if self.referral.is_empty() {
            TouchpointSet::Only(Vec::new())
        } else {
            TouchpointSet::resolve(&self.referral, touchpoint_names, "referral", false)?
        };
        Ok(RepeatQuery {
            purchase: TouchpointSet::resolve(&self.purchase, touchpoint_names, "purchase", false)?,
            referral,
            stage_of: if needs_stages {
                self.stage_of.clone()
            } else {
                Vec::new()
            },
            loyalty_stage: self.loyalty_stage,
            advocacy_stage: self.advocacy_stage,
            groups: Groups::new(&self.personas)?,
        })
    }
}

/// A validated [`RepeatSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatQuery {
    purchase: TouchpointSet,
    referral: TouchpointSet,
    stage_of: Vec<usize>,
    loyalty_stage: Option<usize>,
    advocacy_stage: Option<usize>,
    groups: Groups,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatReport {
    /// [`ALL_CUSTOMERS`](super::ALL_CUSTOMERS) first, then the personas.
    pub groups: Vec<RepeatGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatGroup {
    pub group: String,
    /// Customers with at least one event.
    pub customers: u64,
    /// Customers with at least one purchase day.
    pub purchasers: u64,
    /// Customers with two or more purchase days.
    pub repeat_purchasers: u64,
    /// `repeat_purchasers ÷ purchasers`; `None` without purchasers.
    pub repurchase_rate: Option<f64>,
    /// Purchase days of all purchasers together.
    pub purchase_days: u64,
    /// `None` when nobody repurchased.
    pub time_to_repurchase: Option<RepurchaseTimes>,
    pub loyalty_customers: u64,
    /// `loyalty_customers ÷ customers`; `None` without a loyalty stage or
    /// customers.
    pub loyalty_share: Option<f64>,
    pub advocacy_customers: u64,
    pub advocacy_share: Option<f64>,
    /// Events at referral touchpoints.
    pub referrals: u64,
    /// Customers with at least one referral.
    pub referring_customers: u64,
    pub referring_share: Option<f64>,
}

/// The distribution of the days from the first purchase to the first
/// purchase on a later day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RepurchaseTimes {
    pub days: Summary,
    pub p25_days: f64,
    pub p75_days: f64,
}

#[derive(Debug, Clone, Default)]
struct Tally {
    customers: u64,
    purchasers: u64,
    repeat_purchasers: u64,
    purchase_days: u64,
    loyalty_customers: u64,
    advocacy_customers: u64,
    referrals: u64,
    referring_customers: u64,
    /// Microseconds from the first purchase to the repurchase.
    repurchase_us: Vec<i64>,
}

/// One journey's facts.
#[derive(Debug, Default)]
struct Facts {
    purchase_days: u64,
    first_purchase_us: Option<i64>,
    repurchase_us: Option<i64>,
    loyalty: bool,
    advocacy: bool,
    referrals: u64,
}

/// Builds a [`RepeatReport`]; see the module documentation.
#[derive(Debug)]
pub struct RepeatAccumulator {
    query: RepeatQuery,
    tallies: Vec<Tally>,
}

impl RepeatAccumulator {
    pub fn new(query: &RepeatQuery) -> RepeatAccumulator {
        RepeatAccumulator {
            query: query.clone(),
            tallies: vec![Tally::default(); query.groups.len()],
        }
    }

    fn facts(&self, journey: &Journey<'_>) -> Facts {
        let mut facts = Facts::default();
        let mut last_purchase_day = None;
        let query = &self.query;
        for (&ts_us, &touchpoint) in journey.ts_us.iter().zip(journey.touchpoint) {
            if query.purchase.contains(touchpoint) {
                let day = day_of(ts_us);
                if last_purchase_day != Some(day) {
                    facts.purchase_days += 1;
                    last_purchase_day = Some(day);
                    match facts.first_purchase_us {
                        None => facts.first_purchase_us = Some(ts_us),
                        Some(first_us) if facts.repurchase_us.is_none() => {
                            facts.repurchase_us = Some(ts_us - first_us);
                        }
                        Some(_) => {}
                    }
                }
            }
            facts.referrals += u64::from(query.referral.contains(touchpoint));
            let stage = query.stage_of.get(touchpoint.index()).copied();
            facts.loyalty |= stage.is_some() && stage == query.loyalty_stage;
            facts.advocacy |= stage.is_some() && stage == query.advocacy_stage;
        }
        facts
    }
}

impl Accumulator for RepeatAccumulator {
    type Output = RepeatReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        if journey.is_empty() {
            return;
        }
        let facts = self.facts(journey);
        for group in self.query.groups.of(journey.personas) {
            let tally = &mut self.tallies[group];
            tally.customers += 1;
            tally.purchasers += u64::from(facts.purchase_days > 0);
            tally.repeat_purchasers += u64::from(facts.purchase_days > 1);
            tally.purchase_days += facts.purchase_days;
            tally.loyalty_customers += u64::from(facts.loyalty);
            tally.advocacy_customers += u64::from(facts.advocacy);
            tally.referrals += facts.referrals;
            tally.referring_customers += u64::from(facts.referrals > 0);
            tally.repurchase_us.extend(facts.repurchase_us);
        }
    }

    fn merge(&mut self, other: Self) {
        for (tally, other) in self.tallies.iter_mut().zip(other.tallies) {
            tally.customers += other.customers;
            tally.purchasers += other.purchasers;
            tally.repeat_purchasers += other.repeat_purchasers;
            tally.purchase_days += other.purchase_days;
            tally.loyalty_customers += other.loyalty_customers;
            tally.advocacy_customers += other.advocacy_customers;
            tally.referrals += other.referrals;
            tally.referring_customers += other.referring_customers;
            tally.repurchase_us.extend(other.repurchase_us);
        }
    }

    fn finish(self) -> RepeatReport {
        let query = &self.query;
        let groups = (self.tallies.into_iter().enumerate())
            .map(|(group, tally)| {
                let stage_share = |stage: Option<usize>, reached: u64| {
                    stage.and_then(|_| share(reached, tally.customers))
                };
                RepeatGroup {
                    group: query.groups.name(group).to_string(),
                    customers: tally.customers,
                    purchasers: tally.purchasers,
                    repeat_purchasers: tally.repeat_purchasers,
                    repurchase_rate: share(tally.repeat_purchasers, tally.purchasers),
                    purchase_days: tally.purchase_days,
                    time_to_repurchase: repurchase_times(&tally.repurchase_us),
                    loyalty_customers: tally.loyalty_customers,
                    loyalty_share: stage_share(query.loyalty_stage, tally.loyalty_customers),
                    advocacy_customers: tally.advocacy_customers,
                    advocacy_share: stage_share(query.advocacy_stage, tally.advocacy_customers),
                    referrals: tally.referrals,
                    referring_customers: tally.referring_customers,
                    referring_share: share(tally.referring_customers, tally.customers),
                }
            })
            .collect();
        RepeatReport { groups }
    }
}

fn repurchase_times(durations_us: &[i64]) -> Option<RepurchaseTimes> {
    let mut days: Vec<f64> = (durations_us.iter())
        .map(|&us| us as f64 / DAY_US as f64)
        .collect();
    // `Summary::of` sorts, so the result does not depend on merge order.
    let summary = Summary::of(&mut days)?;
    Some(RepurchaseTimes {
        days: summary,
        p25_days: quantile_sorted(&days, 0.25)?,
        p75_days: quantile_sorted(&days, 0.75)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::test_journeys::{names, parse};

    fn render(report: &RepeatReport) -> String {
        let round = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
        let mut lines = Vec::new();
        for g in &report.groups {
            let times = g.time_to_repurchase.map_or("-".to_string(), |t| {
                format!(
                    "n={} mean={:.4} med={:.4} p25={:.4} p75={:.4} max={:.4}",
                    t.days.count, t.days.mean, t.days.median, t.p25_days, t.p75_days, t.days.max
                )
            });
            lines.push(format!(
                "[{}] c={} buyers={} repeat={} rate={} days={} ttr({}) loyal={} {} adv={} {} ref={} by={} {}",
                g.group,
                g.customers,
                g.purchasers,
                g.repeat_purchasers,
                round(g.repurchase_rate),
                g.purchase_days,
                times,
                g.loyalty_customers,
                round(g.loyalty_share),
                g.advocacy_customers,
                round(g.advocacy_share),
                g.referrals,
                g.referring_customers,
                round(g.referring_share),
            ));
        }
        lines.join("\n")
    }

    /// Purchases at `c`, referrals at `d`; stages: a, b → 0, c → 1 (loyalty
    /// in these tests), d → 2 (advocacy), x → 3.
    fn check(adjust: impl Fn(&mut RepeatSpec), input: &[&str], expected: &str) {
        let mut spec = RepeatSpec {
            purchase: vec!["c".into()],
            referral: vec!["d".into()],
            stage_of: vec![0, 0, 1, 2, 3],
            loyalty_stage: Some(1),
            advocacy_stage: Some(2),
            personas: Vec::new(),
        };
        adjust(&mut spec);
        let query = spec.validate(&names()).expect("valid spec");
        let mut accumulator = RepeatAccumulator::new(&query);
        for journey in parse(input) {
            accumulator.observe(&journey.as_journey());
        }
        assert_eq!(render(&accumulator.finish()), expected.trim(), "{input:?}");
    }

    #[test]
    fn edge_cases() {
        check(
            |_| {},
            &[],
            "[all] c=0 buyers=0 repeat=0 rate=- days=0 ttr(-) loyal=0 - adv=0 - ref=0 by=0 -",
        );
        check(
            |_| {},
            &["", "a@0"],
            "[all] c=1 buyers=0 repeat=0 rate=- days=0 ttr(-) loyal=0 0.0000 adv=0 0.0000 ref=0 by=0 0.0000",
        );
        // Same-day purchases are one purchase day.
        check(
            |_| {},
            &["c@0.1 c@0.2 c@0.9"],
            "[all] c=1 buyers=1 repeat=0 rate=0.0000 days=1 ttr(-) loyal=1 1.0000 adv=0 0.0000 ref=0 by=0 0.0000",
        );
    }

    #[test]
    fn repurchase_loyalty_and_referrals() {
        // 1: buys day 0 and 2.5 (2.5 days later), then again; refers twice.
        // 2: buys at 18:00 and at 00:00 the next day: another day, 6 hours.
        // 3: one purchase. 4: no purchase, only research.
        check(
            |spec| {
                spec.personas = vec![PersonaSpec {
                    name: "older".into(),
                    bit: 0,
                }]
            },
            &[
                "p=1 c@0 c@0.5 c@2.5 c@9 d@10 d@11",
                "c@0.75 c@1",
                "p=1 c@4",
                "a@1 b@2",
            ],
            "[all] c=4 buyers=3 repeat=2 rate=0.6667 days=6 ttr(n=2 mean=1.3750 med=1.3750 p25=0.8125 p75=1.9375 max=2.5000) loyal=3 0.7500 adv=1 0.2500 ref=2 by=1 0.2500
[older] c=2 buyers=2 repeat=1 rate=0.5000 days=4 ttr(n=1 mean=2.5000 med=2.5000 p25=2.5000 p75=2.5000 max=2.5000) loyal=2 1.0000 adv=1 0.5000 ref=2 by=1 0.5000",
        );
    }

    #[test]
    fn stages_are_optional_but_checked() {
        check(
            |spec| {
                spec.stage_of = Vec::new();
                spec.loyalty_stage = None;
                spec.advocacy_stage = None;
                spec.referral = Vec::new();
            },
            &["c@0 d@1 c@1"],
            "[all] c=1 buyers=1 repeat=1 rate=1.0000 days=2 ttr(n=1 mean=1.0000 med=1.0000 p25=1.0000 p75=1.0000 max=1.0000) loyal=0 - adv=0 - ref=0 by=0 0.0000",
        );
        let spec = RepeatSpec {
            purchase: vec!["c".into()],
            referral: Vec::new(),
            stage_of: vec![0, 1],
            loyalty_stage: Some(1),
            advocacy_stage: None,
            personas: Vec::new(),
        };
        assert_eq!(
            spec.validate(&names()),
            Err(RetentionError::StageTable {
                n_touchpoints: 5,
                n_entries: 2
            })
        );
        let spec = RepeatSpec {
            purchase: Vec::new(),
            loyalty_stage: None,
            ..spec
        };
        assert_eq!(
            spec.validate(&names()),
            Err(RetentionError::NoTouchpoints { what: "purchase" })
        );
    }
}
