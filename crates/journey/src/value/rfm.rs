//! RFM scores and the customary named segments.
//!
//! Scores: each of recency (days since the last purchase, fewer is better),
//! frequency and monetary value becomes a quintile score 1–5 (5 best) from
//! the customer's mid-rank percentile p = (number below + ½ · number equal)
//! / n, score = min(5, 1 + ⌊5 p⌋). Ties share a score, so the result does
//! not depend on the order of the customers, and heavy ties (the many
//! one-time buyers) do not split arbitrarily across quintiles.
//!
//! Segments come from the recency score R and FM = ⌈(F + M) / 2⌉, on the
//! grid popularised by RFM marketing guides:
//!
//! | R \ FM | 1 | 2 | 3 | 4 | 5 |
//! |---|---|---|---|---|---|
//! | 5 | new | potential loyalist | potential loyalist | champions | champions |
//! | 4 | promising | potential loyalist | potential loyalist | loyal | loyal |
//! | 3 | about to sleep | about to sleep | need attention | loyal | loyal |
//! | 2 | hibernating | hibernating | at risk | at risk | can't lose |
//! | 1 | lost | hibernating | at risk | at risk | can't lose |

use serde::Serialize;

use super::ValueError;

/// One customer's raw RFM values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RfmValues {
    /// Time since the last purchase (any unit; fewer is better).
    pub recency_days: f64,
    /// Number of purchases (or purchase days).
    pub frequency: f64,
    /// Spend: total or mean, as the caller prefers.
    pub monetary: f64,
}

/// The named RFM segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmSegment {
    Champions,
    Loyal,
    PotentialLoyalist,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CantLose,
    Hibernating,
    Lost,
}

impl RfmSegment {
    /// The segment for recency score `r` and combined frequency–monetary
    /// score `fm`, both 1–5 (see the module table).
    pub fn from_scores(r: u8, fm: u8) -> RfmSegment {
        debug_assert!(
            (1..=5).contains(&r) && (1..=5).contains(&fm),
            "scores {r}, {fm} outside 1–5"
        );
        match (r, fm) {
            (5, 1) => RfmSegment::New,
            (5, 4..=5) => RfmSegment::Champions,
            (4..=5, 2..=3) => RfmSegment::PotentialLoyalist,
            (4, 1) => RfmSegment::Promising,
            (3..=4, 4..=5) => RfmSegment::Loyal,
            (3, 3) => RfmSegment::NeedAttention,
            (3, 1..=2) => RfmSegment::AboutToSleep,
            (1, 1) => RfmSegment::Lost,
            (1..=2, 1..=2) => RfmSegment::Hibernating,
            (1..=2, 3..=4) => RfmSegment::AtRisk,
            _ => RfmSegment::CantLose,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RfmSegment::Champions => "champions",
            RfmSegment::Loyal => "loyal",
            RfmSegment::PotentialLoyalist => "potential_loyalist",
            RfmSegment::New => "new",
            RfmSegment::Promising => "promising",
            RfmSegment::NeedAttention => "need_attention",
            RfmSegment::AboutToSleep => "about_to_sleep",
            RfmSegment::AtRisk => "at_risk",
            RfmSegment::CantLose => "cant_lose",
            RfmSegment::Hibernating => "hibernating",
            RfmSegment::Lost => "lost",
        }
    }
}

/// One customer's scores and segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RfmScore {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
    pub segment: RfmSegment,
}

/// Scores every customer against the whole base, in input order.
pub fn rfm_scores(customers: &[RfmValues]) -> Result<Vec<RfmScore>, ValueError> {
    if customers
        .iter()
        .any(|c| !(c.recency_days.is_finite() && c.frequency.is_finite() && c.monetary.is_finite()))
    {
        return Err(ValueError::InvalidOption {
            name: "rfm values",
            reason: "recency, frequency and monetary value must be finite",
        });
    }
    // Negated recency: a recent purchase must score high.
    let recency = quintile_scores(customers.iter().map(|c| -c.recency_days));
    let frequency = quintile_scores(customers.iter().map(|c| c.frequency));
    let monetary = quintile_scores(customers.iter().map(|c| c.monetary));
    let scores = recency
        .into_iter()
        .zip(frequency)
        .zip(monetary)
        .map(|((r, f), m)| RfmScore {
            recency: r,
            frequency: f,
            monetary: m,
            segment: RfmSegment::from_scores(r, (f + m).div_ceil(2)),
        })
        .collect();
    Ok(scores)
}

/// Mid-rank quintile score of each value (see the module docs).
pub fn quintile_scores(values: impl Iterator<Item = f64> + Clone) -> Vec<u8> {
    let mut sorted: Vec<f64> = values.clone().collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    values
        .map(|value| {
            let below = sorted.partition_point(|v| *v < value);
            let up_to = sorted.partition_point(|v| *v <= value);
            let percentile = (below as f64 + 0.5 * (up_to - below) as f64) / n;
            (1.0 + (5.0 * percentile).floor()).min(5.0) as u8
        })
        .collect()
}
