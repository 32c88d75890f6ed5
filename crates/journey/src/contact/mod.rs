//! Contact-centre analyses (issue 9), pure and mergeable like the other
//! kernels:
//!
//! - [`metrics`]: offered, answered, abandoned, service level, ASA, AHT,
//!   transfers, reported and true first-contact resolution and the emotion
//!   of served contacts, per channel, queue, team, agent and interval.
//! - [`agent`]: the agent's own journey from agent events (log in, ready,
//!   breaks, contacts, after-contact work, manual tasks, tools): time per
//!   activity, non-customer work, manual steps per contact, occupancy and
//!   the activity-transition graph per agent and team.
//! - [`handover`]: the network of handovers between agents and teams,
//!   from one customer's consecutive contacts and from transfer records.
//! - [`breach`]: a real-time service-level breach detector, a state machine
//!   over a queue's event stream that recommends a staffing level by
//!   Erlang A (`crate::staffing`).
//!
//! Definitions follow DESIGN §7: the service level counts every offered
//! contact including abandons, ASA is over answered contacts, AHT is talk +
//! hold + wrap, and first-contact resolution means no repeat contact on the
//! same issue within 7 days.

pub mod agent;
pub mod breach;
pub mod handover;
pub mod metrics;
mod record;

use std::fmt;

use crate::staffing::StaffingError;

pub use agent::{
    ActivityTimes, AgentAccumulator, AgentActivity, AgentEvent, AgentEventKind, AgentReport,
    AgentSpell, AgentStats, AgentTransition, agent_spells,
};
pub use breach::{
    Alert, BreachConfig, BreachDetector, BreachMetric, BreachSignal, Cleared, QueueEvent,
    QueueEventKind, Recommendation, WindowStats,
};
pub use handover::{
    HandoverAccumulator, HandoverEdge, HandoverKind, HandoverNetwork, HandoverSpec,
};
pub use metrics::{
    ContactDimension, ContactGroup, ContactGrouping, ContactKey, ContactMetrics,
    ContactMetricsAccumulator, ContactReport, ContactSpec,
};
pub use record::{ContactRecord, contact_records};

const MICROS_PER_SECOND: f64 = 1_000_000.0;

/// Why a contact-centre analysis refused its input.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactError {
    /// A duration, threshold or share is negative, zero where it must be
    /// positive, or not finite.
    InvalidSetting { name: &'static str, value: f64 },
    /// A grouping names the same dimension twice.
    RepeatedDimension { dimension: ContactDimension },
    /// The breach detector was fed an event older than the last one of the
    /// same queue.
    OutOfOrder {
        queue: u32,
        ts_us: i64,
        last_ts_us: i64,
    },
    /// The staffing target derived from the breach configuration is invalid.
    Staffing(StaffingError),
}

impl fmt::Display for ContactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContactError::InvalidSetting { name, value } => write!(f, "invalid {name}: {value}"),
            ContactError::RepeatedDimension { dimension } => {
                write!(f, "a grouping names {dimension:?} twice")
            }
            ContactError::OutOfOrder {
                queue,
                ts_us,
                last_ts_us,
            } => write!(
                f,
                "queue {queue}: event at {ts_us} µs comes after one at {last_ts_us} µs"
            ),
            ContactError::Staffing(error) => write!(f, "staffing target: {error}"),
        }
    }
}

impl std::error::Error for ContactError {}

impl From<StaffingError> for ContactError {
    fn from(error: StaffingError) -> Self {
        ContactError::Staffing(error)
    }
}

/// Checks that a setting is finite and positive.
fn positive(name: &'static str, value: f64) -> Result<(), ContactError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(ContactError::InvalidSetting { name, value })
    }
}

/// Checks that a setting is finite and not negative.
fn non_negative(name: &'static str, value: f64) -> Result<(), ContactError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(ContactError::InvalidSetting { name, value })
    }
}

/// Whole microseconds of a validated, finite number of seconds.
fn secs_to_us(secs: f64) -> i64 {
    (secs * MICROS_PER_SECOND).round() as i64
}

/// `sum / n`, or `None` for no values.
fn mean(sum: f64, n: u64) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
}

/// `part / whole`, or `None` when `whole` is zero.
fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
