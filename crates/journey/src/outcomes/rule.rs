//! Outcome definitions evaluated on one journey, and the outcome rate per
//! persona.
//!
//! Each rule says whether a journey is *eligible* (the outcome can be judged
//! for it), whether the outcome *occurred*, and which events came *before*
//! it: the exposure, a prefix of the journey that the moments of truth and
//! the driver analysis read. The outcome's own event is never part of the
//! exposure, so that (for example) the NPS answer cannot predict itself.
//!
//! - `Reach` (conversion, recommendation, "reaches touchpoint X later"):
//!   every journey with events is eligible; the outcome occurred when the
//!   journey has an event at one of the touchpoints. Exposure: the events
//!   before the first such event (by (ts, event_id) order, so events at the
//!   same time but ordered earlier count); the whole journey when it never
//!   got there.
//! - `Repurchase`: eligible when the customer's first purchase lies at
//!   least `within_days` before `now_us`, so that the whole window after it
//!   is observed. The outcome occurred when some purchase event follows an
//!   earlier purchase at a strictly earlier time by at most `within_days`
//!   (events with equal times are one purchase). Exposure: the events before
//!   the first such repurchase; the whole journey otherwise.
//! - `Churn`: every journey with events is eligible; the outcome occurred
//!   when `now_us` (the end of the data set, passed in; never the clock)
//!   lies at least `after_days` after the last event. Exposure: the whole
//!   journey.
//! - `Promoter`: eligible when the journey holds an answer on the `nps_10`
//!   scale within 0..=10; the customer's LAST such answer decides (the most
//!   recent intent, after the most experience). Occurred when that answer is
//!   at least `promoter_min`. Exposure: the events before that answer.

use super::{Examples, MICROS_PER_DAY, OutcomesError, Proportion, validate_n_personas};
use crate::{Accumulator, Journey};
use model::{Catalog, Outcomes, RatingScale, TouchpointId};
use serde::Serialize;

/// A validated outcome definition; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub enum OutcomeRule {
    Reach {
        /// Sorted, without repeats, not empty.
        touchpoints: Vec<TouchpointId>,
    },
    Repurchase {
        /// Sorted, without repeats, not empty.
        purchase: Vec<TouchpointId>,
        within_days: u32,
        now_us: i64,
    },
    Churn {
        after_days: u32,
        now_us: i64,
    },
    Promoter {
        promoter_min: f32,
    },
}

/// An outcome of the definition's `[outcomes]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeName {
    /// Reaching the `conversion` touchpoint.
    Conversion,
    /// A purchase within `repurchase_days` after an earlier one.
    Repurchase,
    /// No activity for `churn_days`.
    Churn,
    /// An NPS answer of at least `promoter_min`.
    Promoter,
    /// Reaching one of the `recommendation` touchpoints.
    Recommendation,
    /// Reaching the named touchpoint.
    Reaches(String),
}

/// What one journey says about an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeOfJourney {
    pub occurred: bool,
    /// The events `0..exposure_len` came before the outcome.
    pub exposure_len: usize,
}

impl OutcomeRule {
    /// A reach rule for the given touchpoints.
    pub fn reach(touchpoints: &[TouchpointId]) -> Result<OutcomeRule, OutcomesError> {
        let rule = OutcomeRule::Reach {
            touchpoints: sorted_unique(touchpoints),
        };
        rule.validate()?;
        Ok(rule)
    }

    /// The rule for one outcome of the definition, its touchpoint names
    /// resolved with `catalog`. `now_us` is the end of the data set (the
    /// latest event time), the reference of churn and of the repurchase
    /// window.
    pub fn from_definition(
        outcomes: &Outcomes,
        catalog: &Catalog,
        outcome: &OutcomeName,
        now_us: i64,
    ) -> Result<OutcomeRule, OutcomesError> {
        let resolve = |names: &[String]| -> Result<Vec<TouchpointId>, OutcomesError> {
            (names.iter())
                .map(|name| {
                    catalog
                        .lookup(name)
                        .ok_or_else(|| OutcomesError::UnknownTouchpoint { name: name.clone() })
                })
                .collect()
        };
        let rule = match outcome {
            OutcomeName::Conversion => OutcomeRule::Reach {
                touchpoints: resolve(outcomes.conversion.as_slice())?,
            },
            OutcomeName::Recommendation => OutcomeRule::Reach {
                touchpoints: resolve(&outcomes.recommendation)?,
            },
            OutcomeName::Reaches(name) => OutcomeRule::Reach {
                touchpoints: resolve(std::slice::from_ref(name))?,
            },
            OutcomeName::Repurchase => OutcomeRule::Repurchase {
                purchase: resolve(&outcomes.purchase)?,
                within_days: outcomes.repurchase_days,
                now_us,
            },
            OutcomeName::Churn => OutcomeRule::Churn {
                after_days: outcomes.churn_days,
                now_us,
            },
            OutcomeName::Promoter => OutcomeRule::Promoter {
                promoter_min: outcomes.promoter_min,
            },
        };
        let rule = rule.normalised();
        rule.validate()?;
        Ok(rule)
    }

    fn normalised(self) -> OutcomeRule {
        match self {
            OutcomeRule::Reach { touchpoints } => OutcomeRule::Reach {
                touchpoints: sorted_unique(&touchpoints),
            },
            OutcomeRule::Repurchase {
                purchase,
                within_days,
                now_us,
            } => OutcomeRule::Repurchase {
                purchase: sorted_unique(&purchase),
                within_days,
                now_us,
            },
            other => other,
        }
    }

    /// Checks the rule; the kernels call it in their constructors.
    pub fn validate(&self) -> Result<(), OutcomesError> {
        match self {
            OutcomeRule::Reach { touchpoints } if touchpoints.is_empty() => {
                Err(OutcomesError::NoTouchpoints { outcome: "reach" })
            }
            OutcomeRule::Repurchase { purchase, .. } if purchase.is_empty() => {
                Err(OutcomesError::NoTouchpoints {
                    outcome: "repurchase",
                })
            }
            OutcomeRule::Promoter { promoter_min } if !(0.0..=10.0).contains(promoter_min) => {
                Err(OutcomesError::InvalidOption {
                    name: "promoter_min",
                    reason: "must lie within the NPS scale 0..=10",
                })
            }
            _ => Ok(()),
        }
    }

    /// Evaluates the rule on one journey; `None` when the journey is not
    /// eligible (see the module documentation).
    pub fn evaluate(&self, journey: &Journey<'_>) -> Option<OutcomeOfJourney> {
        let last_ts_us = *journey.ts_us.last()?;
        match self {
            OutcomeRule::Reach { touchpoints } => {
                let first = (journey.touchpoint.iter())
                    .position(|touchpoint| touchpoints.binary_search(touchpoint).is_ok());
                Some(OutcomeOfJourney {
                    occurred: first.is_some(),
                    exposure_len: first.unwrap_or(journey.len()),
                })
            }
            OutcomeRule::Repurchase {
                purchase,
                within_days,
                now_us,
            } => evaluate_repurchase(journey, purchase, *within_days, *now_us),
            OutcomeRule::Churn { after_days, now_us } => Some(OutcomeOfJourney {
                occurred: now_us.saturating_sub(last_ts_us)
                    >= i64::from(*after_days) * MICROS_PER_DAY,
                exposure_len: journey.len(),
            }),
            OutcomeRule::Promoter { promoter_min } => {
                let facts = &journey.facts;
                let last_answer = (0..facts.rating.len().min(facts.rating_scale.len()))
                    .rev()
                    .find(|&index| {
                        facts.rating_scale[index] == Some(RatingScale::Nps10)
                            && RatingScale::Nps10.to_emotion(facts.rating[index]).is_some()
                    })?;
                Some(OutcomeOfJourney {
                    occurred: facts.rating[last_answer] >= *promoter_min,
                    exposure_len: last_answer,
                })
            }
        }
    }
}

fn evaluate_repurchase(
    journey: &Journey<'_>,
    purchase: &[TouchpointId],
    within_days: u32,
    now_us: i64,
) -> Option<OutcomeOfJourney> {
    let window_us = i64::from(within_days) * MICROS_PER_DAY;
    let is_purchase = |index: usize| purchase.binary_search(&journey.touchpoint[index]).is_ok();
    let first = (0..journey.len()).find(|&index| is_purchase(index))?;
    if journey.ts_us[first] > now_us.saturating_sub(window_us) {
        return None;
    }
    // The latest purchase time, and the latest one strictly before it.
    let mut latest_us = journey.ts_us[first];
    let mut before_latest_us: Option<i64> = None;
    for index in first + 1..journey.len() {
        if !is_purchase(index) {
            continue;
        }
        let ts_us = journey.ts_us[index];
        let earlier_us = if latest_us < ts_us {
            Some(latest_us)
        } else {
            before_latest_us
        };
        if earlier_us.is_some_and(|earlier_us| ts_us - earlier_us <= window_us) {
            return Some(OutcomeOfJourney {
                occurred: true,
                exposure_len: index,
            });
        }
        if latest_us < ts_us {
            before_latest_us = Some(latest_us);
            latest_us = ts_us;
        }
    }
    Some(OutcomeOfJourney {
        occurred: false,
        exposure_len: journey.len(),
    })
}

fn sorted_unique(touchpoints: &[TouchpointId]) -> Vec<TouchpointId> {
    let mut touchpoints = touchpoints.to_vec();
    touchpoints.sort_unstable();
    touchpoints.dedup();
    touchpoints
}

/// What the outcome rate counts.
#[derive(Debug, Clone)]
pub struct OutcomeRateSpec {
    pub rule: OutcomeRule,
    /// Bits of the persona mask to report; at most 64.
    pub n_personas: usize,
}

/// The outcome rate overall and per persona.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeRates {
    /// Eligible customers and those with the outcome.
    pub overall: Proportion,
    pub personas: Vec<PersonaRate>,
    /// Customers with the outcome (smallest keys).
    pub example_customers: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaRate {
    pub persona: u32,
    pub rate: Proportion,
}

/// Builds [`OutcomeRates`].
#[derive(Debug)]
pub struct OutcomeRateAccumulator {
    spec: OutcomeRateSpec,
    eligible: u64,
    occurred: u64,
    persona_eligible: Vec<u64>,
    persona_occurred: Vec<u64>,
    examples: Examples<u64>,
}

impl OutcomeRateAccumulator {
    pub fn new(spec: &OutcomeRateSpec) -> Result<OutcomeRateAccumulator, OutcomesError> {
        spec.rule.validate()?;
        validate_n_personas(spec.n_personas)?;
        Ok(OutcomeRateAccumulator {
            spec: spec.clone(),
            eligible: 0,
            occurred: 0,
            persona_eligible: vec![0; spec.n_personas],
            persona_occurred: vec![0; spec.n_personas],
            examples: Examples::default(),
        })
    }
}

impl Accumulator for OutcomeRateAccumulator {
    type Output = OutcomeRates;

    fn observe(&mut self, journey: &Journey<'_>) {
        let Some(outcome) = self.spec.rule.evaluate(journey) else {
            return;
        };
        self.eligible += 1;
        self.occurred += u64::from(outcome.occurred);
        if outcome.occurred {
            self.examples.offer(journey.customer);
        }
        for persona in 0..self.spec.n_personas {
            if journey.personas & (1 << persona) != 0 {
                self.persona_eligible[persona] += 1;
                self.persona_occurred[persona] += u64::from(outcome.occurred);
            }
        }
    }

    fn merge(&mut self, other: Self) {
        self.eligible += other.eligible;
        self.occurred += other.occurred;
        for (mine, theirs) in self
            .persona_eligible
            .iter_mut()
            .zip(&other.persona_eligible)
        {
            *mine += theirs;
        }
        for (mine, theirs) in self
            .persona_occurred
            .iter_mut()
            .zip(&other.persona_occurred)
        {
            *mine += theirs;
        }
        self.examples.merge(&other.examples);
    }

    fn finish(self) -> OutcomeRates {
        OutcomeRates {
            overall: Proportion::wilson(self.occurred, self.eligible),
            personas: (0..self.spec.n_personas)
                .map(|persona| PersonaRate {
                    persona: persona as u32,
                    rate: Proportion::wilson(
                        self.persona_occurred[persona],
                        self.persona_eligible[persona],
                    ),
                })
                .collect(),
            example_customers: self.examples.customers(),
        }
    }
}
