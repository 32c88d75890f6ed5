//! Moments of truth: touchpoints where a bad experience changes the odds of
//! an outcome.
//!
//! Semantics:
//! - The population is the journeys the [`OutcomeRule`] finds eligible; only
//!   the exposure (the events before the outcome) is read.
//! - A customer *experienced* a touchpoint when the exposure holds an event
//!   there. Their experience is the mean score of those events with a known
//!   score ([`ExperienceSource`]): GOOD when ≥ `threshold`, BAD when
//!   ≤ −`threshold`, neutral in between; UNKNOWN when no event there has a
//!   score. Neutral and unknown customers are counted but take no part in
//!   the test. The default threshold 0.2 is one step on the CSAT scale
//!   ((x − 3)/2 puts 2 at −0.5 and 4 at +0.5) and a fifth of the NPS scale.
//! - Direction: the odds ratio is odds(outcome | bad) ÷ odds(outcome | good),
//!   so OR > 1 means a bad experience there makes the outcome more likely
//!   (churn: a bad experience drives churn; promoter: OR < 1).
//! - Every cell of the 2 × 2 table gets one extra customer (the +1 prior):
//!   a = bad with outcome, b = bad without, c = good with, d = good without,
//!   each plus one; OR = a·d / (b·c), SE(ln OR) = √(1/a + 1/b + 1/c + 1/d)
//!   (Woolf), the 95 % interval exp(ln OR ± 1.96 SE) and the two-sided
//!   p-value of z = ln OR / SE.
//! - A touchpoint is `supported` when both arms hold at least
//!   `min_customers_per_arm` customers (default 30).
//! - Impact = |ln OR| × bad-arm customers: how strongly and for how many
//!   customers the experience there moves the outcome. Supported moments
//!   rank first, then by impact descending, ties by touchpoint id.

use super::experience::{TouchpointExperience, experiences};
use super::special::normal_two_sided_p;
use super::{
    Effect, EffectMeasure, Evidence, Examples, ExperienceSource, Finding, FindingKind, OutcomeRule,
    OutcomesError, Z_975, serialize_touchpoint,
};
use crate::{Accumulator, Journey};
use model::TouchpointId;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the moments-of-truth analysis tests.
#[derive(Debug, Clone)]
pub struct MomentsSpec {
    pub rule: OutcomeRule,
    pub source: ExperienceSource,
    /// Good at or above this score, bad at or below its negative; in (0, 1].
    pub threshold: f64,
    /// Customers each arm needs for a supported moment; at least 1.
    pub min_customers_per_arm: u64,
}

impl MomentsSpec {
    /// The defaults: emotion scores, threshold 0.2, 30 customers per arm.
    pub fn new(rule: OutcomeRule) -> MomentsSpec {
        MomentsSpec {
            rule,
            source: ExperienceSource::Emotion,
            threshold: 0.2,
            min_customers_per_arm: 30,
        }
    }

    fn validate(&self) -> Result<(), OutcomesError> {
        self.rule.validate()?;
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(OutcomesError::InvalidOption {
                name: "threshold",
                reason: "must lie in (0, 1]",
            });
        }
        if self.min_customers_per_arm == 0 {
            return Err(OutcomesError::InvalidOption {
                name: "min_customers_per_arm",
                reason: "must be at least 1",
            });
        }
        Ok(())
    }
}

/// The finished analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MomentsOfTruth {
    pub eligible_customers: u64,
    pub outcome_customers: u64,
    /// Every touchpoint experienced before an outcome, ranked.
    pub moments: Vec<MomentOfTruth>,
}

/// Customers of one arm (good or bad experience) and the outcome among them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arm {
    pub customers: u64,
    pub with_outcome: u64,
    /// with_outcome ÷ customers, without the prior; NaN (null) for none.
    pub outcome_rate: f64,
    /// Smallest customer keys of the arm.
    pub example_customers: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MomentOfTruth {
    pub kind: FindingKind,
    #[serde(serialize_with = "serialize_touchpoint")]
    pub touchpoint: TouchpointId,
    pub bad: Arm,
    pub good: Arm,
    pub neutral_customers: u64,
    pub unknown_customers: u64,
    /// Odds of the outcome after a bad experience ÷ after a good one, each
    /// cell + 1.
    pub odds_ratio: f64,
    pub odds_ratio_low: f64,
    pub odds_ratio_high: f64,
    pub log_odds_ratio: f64,
    pub standard_error: f64,
    pub p_value: f64,
    pub supported: bool,
    /// |ln OR| × bad-arm customers.
    pub impact: f64,
}

/// The odds ratio of a 2 × 2 table with +1 in every cell: returns
/// (OR, low, high, ln OR, SE of ln OR) for the table
/// `[[bad_with, bad_without], [good_with, good_without]]`.
pub fn odds_ratio(table: [[u64; 2]; 2]) -> (f64, f64, f64, f64, f64) {
    let [[a, b], [c, d]] = table.map(|row| row.map(|cell| cell as f64 + 1.0));
    let log_or = (a * d / (b * c)).ln();
    let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
    (
        log_or.exp(),
        (log_or - Z_975 * se).exp(),
        (log_or + Z_975 * se).exp(),
        log_or,
        se,
    )
}

#[derive(Debug, Clone, Default)]
struct Cell {
    /// `[bad, good][without outcome, with outcome]`.
    arms: [[u64; 2]; 2],
    neutral: u64,
    unknown: u64,
    examples: [Examples<u64>; 2],
}

const BAD: usize = 0;
const GOOD: usize = 1;

/// Builds [`MomentsOfTruth`].
#[derive(Debug)]
pub struct MomentsAccumulator {
    spec: MomentsSpec,
    eligible: u64,
    occurred: u64,
    cells: BTreeMap<TouchpointId, Cell>,
    scratch: Vec<(TouchpointId, usize)>,
    experiences: Vec<TouchpointExperience>,
}

impl MomentsAccumulator {
    pub fn new(spec: &MomentsSpec) -> Result<MomentsAccumulator, OutcomesError> {
        spec.validate()?;
        Ok(MomentsAccumulator {
            spec: spec.clone(),
            eligible: 0,
            occurred: 0,
            cells: BTreeMap::new(),
            scratch: Vec::new(),
            experiences: Vec::new(),
        })
    }
}

impl Accumulator for MomentsAccumulator {
    type Output = MomentsOfTruth;

    fn observe(&mut self, journey: &Journey<'_>) {
        let Some(outcome) = self.spec.rule.evaluate(journey) else {
            return;
        };
        self.eligible += 1;
        self.occurred += u64::from(outcome.occurred);
        experiences(
            journey,
            outcome.exposure_len,
            self.spec.source,
            &mut self.scratch,
            &mut self.experiences,
        );
        for experience in &self.experiences {
            let cell = self.cells.entry(experience.touchpoint).or_default();
            let arm = match experience.score {
                None => {
                    cell.unknown += 1;
                    continue;
                }
                Some(score) if score >= self.spec.threshold => GOOD,
                Some(score) if score <= -self.spec.threshold => BAD,
                Some(_) => {
                    cell.neutral += 1;
                    continue;
                }
            };
            cell.arms[arm][usize::from(outcome.occurred)] += 1;
            cell.examples[arm].offer(journey.customer);
        }
    }

    fn merge(&mut self, other: Self) {
        self.eligible += other.eligible;
        self.occurred += other.occurred;
        for (touchpoint, theirs) in other.cells {
            let mine = self.cells.entry(touchpoint).or_default();
            for arm in [BAD, GOOD] {
                for outcome in 0..2 {
                    mine.arms[arm][outcome] += theirs.arms[arm][outcome];
                }
                mine.examples[arm].merge(&theirs.examples[arm]);
            }
            mine.neutral += theirs.neutral;
            mine.unknown += theirs.unknown;
        }
    }

    fn finish(self) -> MomentsOfTruth {
        let min = self.spec.min_customers_per_arm;
        let mut moments: Vec<MomentOfTruth> = (self.cells.into_iter())
            .map(|(touchpoint, cell)| moment(touchpoint, cell, min))
            .collect();
        moments.sort_by(|x, y| {
            (y.supported.cmp(&x.supported))
                .then(y.impact.total_cmp(&x.impact))
                .then(x.touchpoint.cmp(&y.touchpoint))
        });
        MomentsOfTruth {
            eligible_customers: self.eligible,
            outcome_customers: self.occurred,
            moments,
        }
    }
}

fn moment(touchpoint: TouchpointId, cell: Cell, min_customers_per_arm: u64) -> MomentOfTruth {
    let arm = |index: usize| {
        let [without, with] = cell.arms[index];
        let customers = without + with;
        Arm {
            customers,
            with_outcome: with,
            outcome_rate: with as f64 / customers as f64,
            example_customers: cell.examples[index].customers(),
        }
    };
    let (bad, good) = (arm(BAD), arm(GOOD));
    let table = [
        [bad.with_outcome, bad.customers - bad.with_outcome],
        [good.with_outcome, good.customers - good.with_outcome],
    ];
    let (odds_ratio, low, high, log_odds_ratio, standard_error) = odds_ratio(table);
    MomentOfTruth {
        kind: FindingKind::MomentOfTruth,
        touchpoint,
        supported: bad.customers >= min_customers_per_arm
            && good.customers >= min_customers_per_arm,
        impact: log_odds_ratio.abs() * bad.customers as f64,
        bad,
        good,
        neutral_customers: cell.neutral,
        unknown_customers: cell.unknown,
        odds_ratio,
        odds_ratio_low: low,
        odds_ratio_high: high,
        log_odds_ratio,
        standard_error,
        p_value: normal_two_sided_p(log_odds_ratio / standard_error),
    }
}

impl MomentsOfTruth {
    /// The supported moments as findings, in rank order.
    pub fn findings(&self) -> Vec<Finding> {
        (self.moments.iter())
            .filter(|moment| moment.supported)
            .map(|moment| {
                let mut evidence = Evidence {
                    numbers: BTreeMap::new(),
                    customers: moment.bad.example_customers.clone(),
                };
                let numbers = &mut evidence.numbers;
                numbers.insert("bad_customers", moment.bad.customers as f64);
                numbers.insert("bad_with_outcome", moment.bad.with_outcome as f64);
                numbers.insert("bad_outcome_rate", moment.bad.outcome_rate);
                numbers.insert("good_customers", moment.good.customers as f64);
                numbers.insert("good_with_outcome", moment.good.with_outcome as f64);
                numbers.insert("good_outcome_rate", moment.good.outcome_rate);
                numbers.insert("log_odds_ratio", moment.log_odds_ratio);
                numbers.insert("standard_error", moment.standard_error);
                Finding {
                    kind: FindingKind::MomentOfTruth,
                    touchpoint: Some(moment.touchpoint),
                    persona: None,
                    effect: Effect {
                        measure: EffectMeasure::OddsRatio,
                        value: moment.odds_ratio,
                        low: moment.odds_ratio_low,
                        high: moment.odds_ratio_high,
                    },
                    support: moment.bad.customers + moment.good.customers,
                    p_value: Some(moment.p_value),
                    q_value: None,
                    impact: moment.impact,
                    evidence,
                }
            })
            .collect()
    }
}
