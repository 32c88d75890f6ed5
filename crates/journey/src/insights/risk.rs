//! Unhappy customers at risk: who has had `poor_count` poor experiences
//! (emotion at or below `poor_emotion_max`) within a window, open or
//! repeated complaints, a detractor's NPS answer, or a falling emotion over
//! the last rated events — ranked by value, each with the events that
//! explain it. Customers one poor experience short of the threshold are
//! listed too ("who has had two?").
//!
//! The report also measures what the threshold means: among customers with
//! a purchase, the share who purchase again within `repurchase_days` after
//! reaching the threshold, against the share who purchase again within the
//! same time after their first purchase among those who never reach it.
//! Only windows that end before the data does count.

use super::context::{InsightContext, is_contact, purchase_within};
use super::emotion::{emotions_of, rating_emotion};
use super::proportion::{Comparison, slope_per_step};
use super::{InsightsError, check_range, days_us};
use crate::{Accumulator, Journey};
use model::RatingScale;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct RiskOptions {
    /// Poor experiences within `window_days` that put a customer at risk.
    pub poor_count: u32,
    pub window_days: f64,
    /// The falling-emotion test looks at the last this many rated events…
    pub falling_events: usize,
    /// …needs at least this many…
    pub falling_min_events: usize,
    /// …and flags a least-squares slope per event at or below this.
    pub falling_slope_max: f64,
    /// Explaining events kept per customer (the latest).
    pub evidence_events: usize,
}

impl Default for RiskOptions {
    fn default() -> Self {
        RiskOptions {
            poor_count: 3,
            window_days: 90.0,
            falling_events: 5,
            falling_min_events: 3,
            falling_slope_max: -0.15,
            evidence_events: 10,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskReason {
    /// `poor_count` or more poor experiences within the window.
    PoorExperiences,
    /// One poor experience short of it.
    NearPoorExperiences,
    /// The last complaint has no resolved contact at or after it.
    OpenComplaint,
    RepeatedComplaints,
    /// The last NPS answer is at most `detractor_max`.
    Detractor,
    FallingEmotion,
}

impl RiskReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskReason::PoorExperiences => "poor_experiences",
            RiskReason::NearPoorExperiences => "near_poor_experiences",
            RiskReason::OpenComplaint => "open_complaint",
            RiskReason::RepeatedComplaints => "repeated_complaints",
            RiskReason::Detractor => "detractor",
            RiskReason::FallingEmotion => "falling_emotion",
        }
    }
}

/// An event that explains a flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainingEvent {
    pub ts_us: i64,
    pub touchpoint: u32,
    /// The event's emotion score, if it has one.
    pub emotion: Option<f32>,
    pub reason: RiskReason,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskCustomer {
    pub customer: u64,
    /// Sum of the customer's event values.
    pub value: f64,
    pub reasons: Vec<RiskReason>,
    /// The most poor experiences within one window.
    pub poor_in_window: u32,
    pub complaints: u32,
    pub open_complaint: bool,
    pub last_nps: Option<f32>,
    pub emotion_slope: Option<f64>,
    /// In time order.
    pub events: Vec<ExplainingEvent>,
}

/// [`AtRiskCustomer`] flattened for CSV: reasons joined by `;`, events as
/// `ts_us@touchpoint:emotion` joined by `;`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskRow {
    pub customer: u64,
    pub value: f64,
    pub reasons: String,
    pub poor_in_window: u32,
    pub complaints: u32,
    pub open_complaint: bool,
    pub last_nps: Option<f32>,
    pub emotion_slope: Option<f64>,
    pub events: String,
}

impl AtRiskCustomer {
    pub fn to_row(&self) -> AtRiskRow {
        let reasons: Vec<&str> = self.reasons.iter().map(|r| r.as_str()).collect();
        let events: Vec<String> = (self.events.iter())
            .map(|e| match e.emotion {
                Some(emotion) => format!("{}@{}:{emotion}", e.ts_us, e.touchpoint),
                None => format!("{}@{}", e.ts_us, e.touchpoint),
            })
            .collect();
        AtRiskRow {
            customer: self.customer,
            value: self.value,
            reasons: reasons.join(";"),
            poor_in_window: self.poor_in_window,
            complaints: self.complaints,
            open_complaint: self.open_complaint,
            last_nps: self.last_nps,
            emotion_slope: self.emotion_slope,
            events: events.join(";"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskReport {
    /// By value, largest first, then by customer key.
    pub customers: Vec<AtRiskCustomer>,
    /// Repurchase after reaching `poor_count` (first) against repurchase
    /// after the first purchase of those who never reach it (second).
    pub repurchase_after_poor: Comparison,
}

/// Finds [`AtRiskCustomer`]s.
#[derive(Debug, Clone)]
pub struct AtRiskAccumulator {
    context: Arc<InsightContext>,
    options: RiskOptions,
    window_us: i64,
    customers: Vec<AtRiskCustomer>,
    /// Hits and totals: after reaching the threshold, never reaching it.
    repurchase: [(u64, u64); 2],
}

impl AtRiskAccumulator {
    pub fn new(
        context: Arc<InsightContext>,
        options: RiskOptions,
    ) -> Result<AtRiskAccumulator, InsightsError> {
        check_range("poor_count", f64::from(options.poor_count), 1.0..=1e6)?;
        check_range("window_days", options.window_days, 0.0..=36_500.0)?;
        check_range(
            "falling_min_events",
            options.falling_min_events as f64,
            2.0..=1e6,
        )?;
        check_range(
            "falling_events",
            options.falling_events as f64,
            options.falling_min_events as f64..=1e6,
        )?;
        check_range("falling_slope_max", options.falling_slope_max, -2.0..=0.0)?;
        Ok(AtRiskAccumulator {
            window_us: days_us(options.window_days),
            context,
            options,
            customers: Vec::new(),
            repurchase: [(0, 0); 2],
        })
    }

    /// The most poor events within one window, and the time the count
    /// first reached `poor_count` (with the window's events), if it did.
    fn poor_windows(&self, journey: &Journey<'_>, poor: &[usize]) -> (u32, Option<(i64, usize)>) {
        let (mut most, mut reached) = (0, None);
        let mut start = 0;
        for end in 0..poor.len() {
            let end_ts = journey.ts_us[poor[end]];
            while end_ts - journey.ts_us[poor[start]] > self.window_us {
                start += 1;
            }
            let count = (end - start + 1) as u32;
            most = most.max(count);
            if reached.is_none() && count >= self.options.poor_count {
                reached = Some((end_ts, start));
            }
        }
        (most, reached)
    }

    fn count_outcome(&mut self, journey: &Journey<'_>, reached_ts: Option<i64>) {
        let context = &self.context;
        let roles = context.roles();
        let Some(first) =
            (0..journey.len()).find(|&i| roles[journey.touchpoint[i].index()].purchase)
        else {
            return;
        };
        let first_ts = journey.ts_us[first];
        let (group, from_ts) = match reached_ts {
            Some(ts) if ts >= first_ts => (0, ts),
            Some(_) => return,
            None => (1, first_ts),
        };
        if !context.observable(from_ts, context.repurchase_us) {
            return;
        }
        let again = purchase_within(roles, journey, from_ts, context.repurchase_us);
        self.repurchase[group].0 += u64::from(again);
        self.repurchase[group].1 += 1;
    }
}

impl Accumulator for AtRiskAccumulator {
    type Output = AtRiskReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        if journey.is_empty() {
            return;
        }
        let context = Arc::clone(&self.context);
        let config = &context.emotion;
        let (mut scores, mut signals) = (Vec::new(), Vec::new());
        emotions_of(journey, config, &mut scores, &mut signals);
        let poor: Vec<usize> = (0..journey.len())
            .filter(|&i| scores[i] <= context.poor_emotion_max)
            .collect();
        let (poor_in_window, reached) = self.poor_windows(journey, &poor);
        let reached_ts = reached.map(|(ts, _)| ts);
        // A post-purchase threshold: the count reached at or after the first
        // purchase; `count_outcome` decides.
        self.count_outcome(journey, reached_ts);
        let mut events = Vec::new();
        let mut reasons = Vec::new();
        let event = |i: usize, reason| ExplainingEvent {
            ts_us: journey.ts_us[i],
            touchpoint: journey.touchpoint[i].0,
            emotion: Some(scores[i]).filter(|s| !s.is_nan()),
            reason,
        };
        let threshold = self.options.poor_count;
        if poor_in_window >= threshold {
            reasons.push(RiskReason::PoorExperiences);
            let (end_ts, start) = reached.expect("the count reached the threshold");
            (poor[start..].iter())
                .take_while(|&&i| journey.ts_us[i] <= end_ts)
                .for_each(|&i| events.push(event(i, RiskReason::PoorExperiences)));
        } else if poor_in_window + 1 == threshold {
            reasons.push(RiskReason::NearPoorExperiences);
            poor.iter()
                .for_each(|&i| events.push(event(i, RiskReason::NearPoorExperiences)));
        }
        let complaints: Vec<usize> = (0..journey.len())
            .filter(|&i| config.role(journey, i).complaint)
            .collect();
        let open_complaint = complaints.last().is_some_and(|&last| {
            !(last..journey.len()).any(|i| {
                is_contact(config, journey, i)
                    && journey.facts.resolved.get(i).copied().flatten() == Some(true)
            })
        });
        if open_complaint {
            reasons.push(RiskReason::OpenComplaint);
        }
        if complaints.len() >= 2 {
            reasons.push(RiskReason::RepeatedComplaints);
        }
        if open_complaint || complaints.len() >= 2 {
            complaints.iter().for_each(|&i| {
                events.push(event(i, RiskReason::RepeatedComplaints));
            });
        }
        let last_nps = (0..journey.len()).rev().find_map(|i| {
            let scale = journey.facts.rating_scale.get(i).copied().flatten();
            (scale == Some(RatingScale::Nps10))
                .then(|| journey.facts.rating[i])
                .filter(|r| r.is_finite())
                .map(|r| (i, r))
        });
        if let Some((i, nps)) = last_nps
            && nps <= context.detractor_max
        {
            reasons.push(RiskReason::Detractor);
            events.push(event(i, RiskReason::Detractor));
        }
        let rated: Vec<usize> = (0..journey.len())
            .filter(|&i| !scores[i].is_nan() && said_something(journey, i))
            .collect();
        let recent = &rated[rated.len().saturating_sub(self.options.falling_events)..];
        let emotion_slope = (recent.len() >= self.options.falling_min_events)
            .then(|| {
                let values: Vec<f64> = recent.iter().map(|&i| f64::from(scores[i])).collect();
                slope_per_step(&values)
            })
            .flatten();
        if emotion_slope.is_some_and(|slope| slope <= self.options.falling_slope_max) {
            reasons.push(RiskReason::FallingEmotion);
            recent
                .iter()
                .for_each(|&i| events.push(event(i, RiskReason::FallingEmotion)));
        }
        if reasons.is_empty() {
            return;
        }
        events.sort_by_key(|e| (e.ts_us, e.reason));
        events.dedup_by(|a, b| a.ts_us == b.ts_us && a.touchpoint == b.touchpoint);
        let keep = events.len().saturating_sub(self.options.evidence_events);
        events.drain(..keep);
        let value = (journey.facts.value.iter()).filter(|v| v.is_finite()).sum();
        self.customers.push(AtRiskCustomer {
            customer: journey.customer,
            value,
            reasons,
            poor_in_window,
            complaints: complaints.len() as u32,
            open_complaint,
            last_nps: last_nps.map(|(_, nps)| nps),
            emotion_slope,
            events,
        });
    }

    fn merge(&mut self, other: Self) {
        self.customers.extend(other.customers);
        for (mine, theirs) in self.repurchase.iter_mut().zip(other.repurchase) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
    }

    fn finish(mut self) -> AtRiskReport {
        self.customers
            .sort_by(|a, b| (b.value.total_cmp(&a.value)).then(a.customer.cmp(&b.customer)));
        let [(after_hits, after_n), (other_hits, other_n)] = self.repurchase;
        AtRiskReport {
            customers: self.customers,
            repurchase_after_poor: Comparison::of(after_hits, after_n, other_hits, other_n),
        }
    }
}

/// Whether the customer said something at the event: a rating, a text's
/// sentiment or a stored emotion.
fn said_something(journey: &Journey<'_>, index: usize) -> bool {
    let facts = &journey.facts;
    rating_emotion(journey, index).is_some()
        || facts.sentiment.get(index).is_some_and(|s| s.is_finite())
        || journey.emotion.get(index).is_some_and(|e| e.is_finite())
}
