//! Contact-centre staffing: how many agents an interval needs to meet a
//! service-level target, by Erlang C (callers wait forever) or Erlang A
//! (callers abandon after an exponential patience), with a maximum
//! occupancy and shrinkage ([`erlang`], [`required`]); and a per-interval
//! arrival forecast with weekly seasonality that turns history into a
//! staffing plan ([`plan`]). Pure arithmetic: no clock, no I/O.

pub mod erlang;
pub mod plan;
pub mod required;

use std::fmt;

pub use erlang::{QueueMetrics, Traffic, erlang_b, erlang_c, queue_metrics};
pub use plan::{SeasonalForecast, staffing_plan};
pub use required::{Staffing, StaffingTarget, required_agents};

/// Why a staffing computation refused its input.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffingError {
    /// A rate, time or count is negative, zero where it must be positive,
    /// or not finite.
    InvalidInput { name: &'static str, value: f64 },
    /// A share (service level, occupancy, shrinkage) outside its range.
    OutOfRange {
        name: &'static str,
        value: f64,
        range: &'static str,
    },
    /// Erlang C with no more agents than Erlangs of load: the queue grows
    /// without bound.
    Unstable { agents: u32, load: f64 },
    /// Traffic but no agent to serve it.
    NoAgents,
    /// The forecast history is shorter than one season.
    HistoryTooShort { len: usize, season_len: usize },
    /// No agent count up to the search limit meets the target.
    TargetUnreachable { limit: u32 },
}

impl fmt::Display for StaffingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StaffingError::InvalidInput { name, value } => write!(f, "invalid {name}: {value}"),
            StaffingError::OutOfRange { name, value, range } => {
                write!(f, "{name} = {value} is outside {range}")
            }
            StaffingError::Unstable { agents, load } => {
                write!(
                    f,
                    "{agents} agents cannot serve {load} Erlangs without abandonment: the queue is unstable"
                )
            }
            StaffingError::NoAgents => write!(f, "contacts are offered but there are no agents"),
            StaffingError::HistoryTooShort { len, season_len } => {
                write!(
                    f,
                    "history of {len} intervals is shorter than one season of {season_len}"
                )
            }
            StaffingError::TargetUnreachable { limit } => {
                write!(f, "no staffing up to {limit} agents meets the target")
            }
        }
    }
}

impl std::error::Error for StaffingError {}
