//! Insight kernels, part B: the emotion score of every event and the
//! emotion curve, pain points, unhappy customers at risk, follow-up gaps,
//! the resolution gap (true versus reported first-contact resolution), root
//! causes of complaint themes and service recovery.
//!
//! Every kernel is an [`Accumulator`](crate::Accumulator) built from one
//! validated [`InsightContext`] (touchpoint roles, targets, outcome
//! definitions) and its own options. Outputs carry ids, not names:
//! touchpoints as [`TouchpointId`](model::TouchpointId) numbers, stages as
//! indices into [`Catalog::stages`](model::Catalog::stages), personas as
//! bit positions, channels, agents, teams and themes as the ids of
//! [`Facts`](crate::Facts); the caller resolves them. Examples (customer
//! keys, texts) are chosen by a hash of the customer and the event, never
//! by arrival order, so that results do not depend on partitioning.

pub mod emotion;
pub mod follow_up;
pub mod pain;
pub mod proportion;
pub mod recovery;
pub mod resolution;
pub mod risk;
pub mod root_cause;

mod context;
mod sample;

pub use context::{InsightContext, InsightSpec, Role};
pub use emotion::{
    EmotionConfig, EmotionCurve, EmotionCurveAccumulator, SIGNAL_WEIGHTS, Signal, emotion_of,
    emotions_of,
};
pub use follow_up::{FollowUpAccumulator, FollowUpOptions, FollowUpReport};
pub use pain::{Evidence, PainKind, PainOptions, PainPoint, PainPointsAccumulator};
pub use recovery::{RecoveryAccumulator, RecoveryOptions, RecoveryReport};
pub use resolution::{ResolutionAccumulator, ResolutionOptions, ResolutionReport};
pub use risk::{AtRiskAccumulator, AtRiskCustomer, AtRiskReport, AtRiskRow, RiskOptions};
pub use root_cause::{RootCauseAccumulator, RootCauseOptions, ThemeRootCauses};

use std::fmt;

/// Why an insight spec or options were rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum InsightsError {
    /// A touchpoint named in the spec is not in the catalog.
    UnknownTouchpoint { role: &'static str, name: String },
    /// A window, count or threshold is out of its range.
    OutOfRange { field: &'static str, value: f64 },
}

impl fmt::Display for InsightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InsightsError::UnknownTouchpoint { role, name } => {
                write!(
                    f,
                    "{role} touchpoint {name:?} is not in the journey definition"
                )
            }
            InsightsError::OutOfRange { field, value } => {
                write!(f, "{field} = {value} is out of range")
            }
        }
    }
}

impl std::error::Error for InsightsError {}

/// Checks that `value` lies in `range`, naming the field otherwise.
pub(crate) fn check_range(
    field: &'static str,
    value: f64,
    range: std::ops::RangeInclusive<f64>,
) -> Result<(), InsightsError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(InsightsError::OutOfRange { field, value })
    }
}

pub(crate) const DAY_US: i64 = 86_400_000_000;

/// Days as microseconds.
pub(crate) fn days_us(days: f64) -> i64 {
    (days * DAY_US as f64).round() as i64
}

/// Whether the journey's customer is in persona `bit`; bits beyond 63 never
/// match.
pub(crate) fn in_persona(personas: u64, bit: usize) -> bool {
    u32::try_from(bit)
        .ok()
        .and_then(|bit| personas.checked_shr(bit))
        .is_some_and(|bits| bits & 1 == 1)
}
