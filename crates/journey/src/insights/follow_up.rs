//! Follow-up gaps: purchases with no follow-up touchpoint within
//! `follow_up_days`, per purchase touchpoint, and what follow-up is worth —
//! the repurchase rate of customers whose first purchase was followed up
//! against those whose first purchase was not, with the difference's 95 %
//! interval (Newcombe's hybrid score method, see
//! [`Comparison`]) and a two-proportion z-test.
//!
//! A purchase counts only when its window lies inside the data (the
//! follow-up window for the gap counts, the repurchase window for the
//! comparison), so that recent purchases are not mistaken for neglected
//! ones. The first purchase per customer keeps the units independent.

use super::context::{InsightContext, purchase_within};
use super::proportion::{Comparison, Proportion};
use super::sample::{SmallestK, mix64};
use super::{InsightsError, check_range};
use crate::{Accumulator, Journey};
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpOptions {
    /// Example customers whose first purchase had no follow-up.
    pub examples: usize,
}

impl Default for FollowUpOptions {
    fn default() -> Self {
        FollowUpOptions { examples: 5 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpGap {
    pub touchpoint: u32,
    /// Purchases here whose follow-up window lies inside the data.
    pub purchases: u64,
    /// Share of them without a follow-up in the window.
    pub without_follow_up: Proportion,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpReport {
    /// One row per purchase touchpoint with purchases, by id.
    pub gaps: Vec<FollowUpGap>,
    /// First purchases followed up (first) against not followed up
    /// (second): the share with another purchase within `repurchase_days`.
    pub repurchase: Comparison,
    pub example_customers_without: Vec<u64>,
}

/// Builds the [`FollowUpReport`].
#[derive(Debug, Clone)]
pub struct FollowUpAccumulator {
    context: Arc<InsightContext>,
    /// Per touchpoint id: purchases and those without follow-up.
    gaps: Vec<(u64, u64)>,
    /// Hits and totals: followed up, not followed up.
    repurchase: [(u64, u64); 2],
    examples: SmallestK<u64>,
}

impl FollowUpAccumulator {
    pub fn new(
        context: Arc<InsightContext>,
        options: FollowUpOptions,
    ) -> Result<FollowUpAccumulator, InsightsError> {
        check_range("examples", options.examples as f64, 0.0..=1_000.0)?;
        Ok(FollowUpAccumulator {
            gaps: vec![(0, 0); context.roles().len()],
            context,
            repurchase: [(0, 0); 2],
            examples: SmallestK::new(options.examples),
        })
    }

    fn followed_up(&self, journey: &Journey<'_>, purchase_ts_us: i64) -> bool {
        let roles = self.context.roles();
        (journey.ts_us.iter().zip(journey.touchpoint))
            .skip_while(|(ts_us, _)| **ts_us < purchase_ts_us)
            .take_while(|(ts_us, _)| **ts_us - purchase_ts_us <= self.context.follow_up_us)
            .any(|(_, id)| roles[id.index()].follow_up)
    }
}

impl Accumulator for FollowUpAccumulator {
    type Output = FollowUpReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        let context = Arc::clone(&self.context);
        let roles = context.roles();
        let mut first = true;
        for i in 0..journey.len() {
            let id = journey.touchpoint[i];
            if !roles[id.index()].purchase {
                continue;
            }
            let ts_us = journey.ts_us[i];
            let followed = self.followed_up(journey, ts_us);
            if context.observable(ts_us, context.follow_up_us) {
                let gap = &mut self.gaps[id.index()];
                gap.0 += 1;
                gap.1 += u64::from(!followed);
            }
            if std::mem::take(&mut first) && context.observable(ts_us, context.repurchase_us) {
                let again = purchase_within(roles, journey, ts_us, context.repurchase_us);
                let group = &mut self.repurchase[usize::from(!followed)];
                group.0 += u64::from(again);
                group.1 += 1;
                if !followed {
                    self.examples
                        .offer(mix64(journey.customer), journey.customer);
                }
            }
        }
    }

    fn merge(&mut self, other: Self) {
        for (mine, theirs) in self.gaps.iter_mut().zip(other.gaps) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        for (mine, theirs) in self.repurchase.iter_mut().zip(other.repurchase) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        self.examples.merge(&other.examples);
    }

    fn finish(self) -> FollowUpReport {
        let gaps = (self.gaps.iter().enumerate())
            .filter(|(_, (purchases, _))| *purchases > 0)
            .map(|(id, &(purchases, without))| FollowUpGap {
                touchpoint: id as u32,
                purchases,
                without_follow_up: Proportion::of(without, purchases),
            })
            .collect();
        let [(with_hits, with_n), (without_hits, without_n)] = self.repurchase;
        FollowUpReport {
            gaps,
            repurchase: Comparison::of(with_hits, with_n, without_hits, without_n),
            example_customers_without: self.examples.items(),
        }
    }
}
