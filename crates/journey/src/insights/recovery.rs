//! Service recovery: do customers whose complaint was handled well come
//! back and recommend more than those whose complaint was not?
//!
//! Each customer's first complaint (a complaint touchpoint) counts once. It
//! was *resolved well* when it, or a contact within `window_days` after it
//! (on the same issue when both carry one), is marked resolved, and the
//! ratings given within that window after it average an emotion of at
//! least 0 (no rating: resolution alone decides). Outcomes within
//! `outcome_days` after the complaint: a purchase (repurchase), and a
//! recommendation touchpoint or an NPS answer of at least `promoter_min`
//! (recommendation). Complaints whose outcome window reaches beyond the
//! data are left out. Differences come with Newcombe's interval and a
//! two-proportion z-test ([`Comparison`]).

use super::context::{InsightContext, is_contact, purchase_within};
use super::emotion::rating_emotion;
use super::proportion::Comparison;
use super::{InsightsError, check_range, days_us};
use crate::{Accumulator, Journey, NO_NAME};
use model::RatingScale;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct RecoveryOptions {
    /// Resolution and ratings after the complaint count within this window.
    pub window_days: f64,
    /// Outcomes count within this many days after the complaint.
    pub outcome_days: f64,
}

impl Default for RecoveryOptions {
    fn default() -> Self {
        RecoveryOptions {
            window_days: 30.0,
            outcome_days: 90.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryReport {
    /// Customers with a complaint whose outcome window lies in the data.
    pub complainants: u64,
    /// Resolved well (first) against not (second).
    pub repurchase: Comparison,
    pub recommendation: Comparison,
}

/// Builds the [`RecoveryReport`].
#[derive(Debug, Clone)]
pub struct RecoveryAccumulator {
    context: Arc<InsightContext>,
    window_us: i64,
    outcome_us: i64,
    /// Per group (well, not well): customers, repurchased, recommended.
    counts: [[u64; 3]; 2],
}

impl RecoveryAccumulator {
    pub fn new(
        context: Arc<InsightContext>,
        options: RecoveryOptions,
    ) -> Result<RecoveryAccumulator, InsightsError> {
        check_range("window_days", options.window_days, 0.0..=3_650.0)?;
        check_range("outcome_days", options.outcome_days, 0.0..=3_650.0)?;
        Ok(RecoveryAccumulator {
            window_us: days_us(options.window_days),
            outcome_us: days_us(options.outcome_days),
            context,
            counts: [[0; 3]; 2],
        })
    }

    fn resolved_well(&self, journey: &Journey<'_>, complaint: usize) -> bool {
        let config = &self.context.emotion;
        let facts = &journey.facts;
        let issue_of = |j: usize| {
            (facts.contact.get(j))
                .map(|c| c.issue)
                .filter(|&issue| issue != NO_NAME)
        };
        let start_us = journey.ts_us[complaint];
        let window = (complaint..journey.len())
            .take_while(|&j| journey.ts_us[j] - start_us <= self.window_us);
        let resolved = window.clone().any(|j| {
            (j == complaint || is_contact(config, journey, j))
                && facts.resolved.get(j).copied().flatten() == Some(true)
                && match (issue_of(complaint), issue_of(j)) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        });
        let ratings: Vec<f32> = window.filter_map(|j| rating_emotion(journey, j)).collect();
        let mean = ratings.iter().sum::<f32>() / ratings.len().max(1) as f32;
        resolved && (ratings.is_empty() || mean >= 0.0)
    }

    fn recommended(&self, journey: &Journey<'_>, after_us: i64) -> bool {
        let context = &self.context;
        (0..journey.len())
            .filter(|&j| journey.ts_us[j] > after_us)
            .take_while(|&j| journey.ts_us[j] - after_us <= self.outcome_us)
            .any(|j| {
                let promoter = journey.facts.rating_scale.get(j).copied().flatten()
                    == Some(RatingScale::Nps10)
                    && journey.facts.rating[j] >= context.promoter_min;
                promoter || context.emotion.role(journey, j).recommendation
            })
    }
}

impl Accumulator for RecoveryAccumulator {
    type Output = RecoveryReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        let context = &self.context;
        let Some(complaint) =
            (0..journey.len()).find(|&i| context.emotion.role(journey, i).complaint)
        else {
            return;
        };
        let ts_us = journey.ts_us[complaint];
        if !context.observable(ts_us, self.outcome_us.max(self.window_us)) {
            return;
        }
        let group = usize::from(!self.resolved_well(journey, complaint));
        let repurchased = purchase_within(context.roles(), journey, ts_us, self.outcome_us);
        let recommended = self.recommended(journey, ts_us);
        let counts = &mut self.counts[group];
        counts[0] += 1;
        counts[1] += u64::from(repurchased);
        counts[2] += u64::from(recommended);
    }

    fn merge(&mut self, other: Self) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }

    fn finish(self) -> RecoveryReport {
        let [well, not_well] = self.counts;
        RecoveryReport {
            complainants: well[0] + not_well[0],
            repurchase: Comparison::of(well[1], well[0], not_well[1], not_well[0]),
            recommendation: Comparison::of(well[2], well[0], not_well[2], not_well[0]),
        }
    }
}
