//! Real-time service-level breach detection: a pure state machine fed with
//! each queue's contact events in time order. It knows no clock; event
//! timestamps are its only time.
//!
//! Per queue it keeps a sliding window (default 15 min) of arrivals,
//! outcomes (answered or abandoned, with the wait) and handle times, and
//! after every event judges the window, once it holds enough outcomes:
//! - service level = answered within the threshold / outcomes (abandons
//!   count against it, as in the contact metrics); ASA = mean wait of the
//!   answered.
//! - A breach starts when the service level falls below its target (or the
//!   ASA rises above its target, when one is set). The detector then
//!   emits one [`Alert`], with the agents Erlang A needs for the window's
//!   traffic: arrival rate = max(arrivals, outcomes) in the window over
//!   the window's span, AHT = mean handle time in the window (a default
//!   before any), patience = total wait of all outcomes / abandons (the
//!   exponential maximum-likelihood estimate, answered waits being
//!   censored patience; a default before any abandon).
//! - Hysteresis: a breach clears only after the window has stayed within
//!   target by a margin (service level ≥ target + margin, ASA ≤ target ×
//!   (1 − margin)) for a hold time; then the detector emits [`Cleared`].
//! - No alert comes sooner than a minimum interval after the previous
//!   one, so a breach that clears and comes straight back does not flap.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::record::ContactRecord;
use super::{ContactError, MICROS_PER_SECOND, non_negative, positive, secs_to_us};
use crate::staffing::{StaffingTarget, Traffic, required_agents};

/// Settings of the breach detector.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BreachConfig {
    pub window_secs: f64,
    /// Service-level target, a share in [0, 1].
    pub service_level_target: f64,
    /// The service-level threshold, seconds of wait.
    pub answer_within_secs: f64,
    /// Optional ASA target, seconds.
    pub max_asa_secs: Option<f64>,
    /// Service-level points above target needed to clear (0.05 = 5 points).
    pub clear_margin: f64,
    /// Share below the ASA target needed to clear.
    pub asa_clear_margin: f64,
    /// How long the window must stay within target by the margin to clear.
    pub clear_hold_secs: f64,
    /// Least time between two alerts of one queue.
    pub min_alert_interval_secs: f64,
    /// Outcomes the window needs before it is judged at all.
    pub min_outcomes: u64,
    /// AHT used before the window holds a handle time.
    pub default_aht_secs: f64,
    /// Patience used before the window holds an abandon; `None` sizes by
    /// Erlang C until then.
    pub default_patience_secs: Option<f64>,
    /// Occupancy cap of the recommendation, in (0, 1].
    pub max_occupancy: f64,
}

impl Default for BreachConfig {
    fn default() -> Self {
        BreachConfig {
            window_secs: 900.0,
            service_level_target: 0.8,
            answer_within_secs: 20.0,
            max_asa_secs: None,
            clear_margin: 0.05,
            asa_clear_margin: 0.1,
            clear_hold_secs: 300.0,
            min_alert_interval_secs: 60.0,
            min_outcomes: 10,
            default_aht_secs: 300.0,
            default_patience_secs: Some(120.0),
            max_occupancy: 1.0,
        }
    }
}

impl BreachConfig {
    pub fn validate(&self) -> Result<(), ContactError> {
        positive("window_secs", self.window_secs)?;
        non_negative("answer_within_secs", self.answer_within_secs)?;
        non_negative("clear_margin", self.clear_margin)?;
        non_negative("asa_clear_margin", self.asa_clear_margin)?;
        non_negative("clear_hold_secs", self.clear_hold_secs)?;
        non_negative("min_alert_interval_secs", self.min_alert_interval_secs)?;
        positive("default_aht_secs", self.default_aht_secs)?;
        if let Some(patience) = self.default_patience_secs {
            positive("default_patience_secs", patience)?;
        }
        if let Some(asa) = self.max_asa_secs {
            positive("max_asa_secs", asa)?;
        }
        if !(0.0..=1.0).contains(&self.service_level_target) {
            return Err(ContactError::InvalidSetting {
                name: "service_level_target",
                value: self.service_level_target,
            });
        }
        self.staffing_target().validate()?;
        Ok(())
    }

    fn staffing_target(&self) -> StaffingTarget {
        StaffingTarget {
            service_level: self.service_level_target,
            answer_within_secs: self.answer_within_secs,
            max_asa_secs: self.max_asa_secs,
            max_occupancy: self.max_occupancy,
            // Real time: the agents on the queue now, not a schedule.
            shrinkage: 0.0,
        }
    }
}

/// One event of a queue's stream.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QueueEvent {
    pub queue: u32,
    pub ts_us: i64,
    pub kind: QueueEventKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueEventKind {
    /// A contact joins the queue.
    Arrival,
    /// A contact is answered after waiting `wait_s`.
    Answered { wait_s: f64 },
    /// A contact leaves the queue unanswered after `wait_s`.
    Abandoned { wait_s: f64 },
    /// An answered contact is finished after `handle_s` of handling.
    Handled { handle_s: f64 },
    /// The queue is now staffed by `agents` agents.
    Staffed { agents: u32 },
}

impl QueueEventKind {
    /// Order of events at one time: staffing first, outcomes before new
    /// arrivals.
    fn rank(&self) -> u8 {
        match self {
            QueueEventKind::Staffed { .. } => 0,
            QueueEventKind::Handled { .. } => 1,
            QueueEventKind::Answered { .. } | QueueEventKind::Abandoned { .. } => 2,
            QueueEventKind::Arrival => 3,
        }
    }
}

impl QueueEvent {
    /// The stream of contacts that are already over, for replaying history:
    /// the arrival, the answer or abandon at arrival + wait, and the end of
    /// handling. Contacts without a wait or queue are skipped (they never
    /// waited on a line). Sorted by time, then queue.
    pub fn replay<'a>(records: impl IntoIterator<Item = &'a ContactRecord>) -> Vec<QueueEvent> {
        let mut events = Vec::new();
        for record in records {
            let Some(wait_s) = record.wait_s else {
                continue;
            };
            if record.queue == crate::NO_NAME {
                continue;
            }
            let event = |ts_us: i64, kind: QueueEventKind| QueueEvent {
                queue: record.queue,
                ts_us,
                kind,
            };
            let answered_us = record.ts_us + secs_to_us(wait_s);
            events.push(event(record.ts_us, QueueEventKind::Arrival));
            if record.abandoned {
                events.push(event(answered_us, QueueEventKind::Abandoned { wait_s }));
                continue;
            }
            events.push(event(answered_us, QueueEventKind::Answered { wait_s }));
            if let Some(handle_s) = record.handle_s {
                let handled_us = answered_us + secs_to_us(handle_s);
                events.push(event(handled_us, QueueEventKind::Handled { handle_s }));
            }
        }
        events.sort_by_key(|event| (event.ts_us, event.queue, event.kind.rank()));
        events
    }
}

/// What breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachMetric {
    ServiceLevel,
    Asa,
}

/// The window's figures when a signal was raised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WindowStats {
    pub arrivals: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub service_level: f64,
    pub asa_s: Option<f64>,
    pub aht_s: f64,
    pub arrivals_per_hour: f64,
    pub patience_s: Option<f64>,
}

/// What to do about a breach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Recommendation {
    /// Move `add` agents to the queue, for `to` in all.
    AddAgents { add: u32, to: u32 },
    /// The queue's current staffing is unknown; it needs `agents`.
    StaffTo { agents: u32 },
    /// Erlang A says the current agents suffice: look at adherence, handle
    /// times or an outage rather than headcount.
    Investigate,
    /// No staffing meets the target for this traffic.
    Unreachable,
}

impl fmt::Display for Recommendation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recommendation::AddAgents { add, to } => {
                write!(f, "add {add} agents ({to} in all) to meet the target")
            }
            Recommendation::StaffTo { agents } => {
                write!(f, "staff the queue with {agents} agents to meet the target")
            }
            Recommendation::Investigate => write!(
                f,
                "current staffing should meet the target: check adherence, handle times and outages"
            ),
            Recommendation::Unreachable => {
                write!(f, "no staffing meets the target at this traffic")
            }
        }
    }
}

/// A breach started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Alert {
    pub queue: u32,
    /// Event time of the breach, microseconds since the Unix epoch.
    pub at_us: i64,
    pub metric: BreachMetric,
    pub value: f64,
    pub target: f64,
    pub window: WindowStats,
    pub current_agents: Option<u32>,
    pub required_agents: Option<u32>,
    pub recommendation: Recommendation,
}

/// A breach is over.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cleared {
    pub queue: u32,
    pub at_us: i64,
    /// When the breach's alert was raised.
    pub since_us: i64,
    pub window: WindowStats,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "signal")]
pub enum BreachSignal {
    Alert(Alert),
    Cleared(Cleared),
}

#[derive(Debug, Clone, Copy)]
struct Outcome {
    ts_us: i64,
    answered: bool,
    /// Answered within the service-level threshold.
    within: bool,
    wait_us: i64,
}

/// One queue's window and breach state. Sums are kept in whole
/// microseconds so that adding and evicting never drift.
#[derive(Debug, Default)]
struct QueueState {
    first_ts_us: i64,
    last_ts_us: i64,
    agents: Option<u32>,
    arrivals: VecDeque<i64>,
    outcomes: VecDeque<Outcome>,
    answered: u64,
    answered_within: u64,
    answered_wait_us: i64,
    all_wait_us: i64,
    handles: VecDeque<(i64, i64)>,
    handle_sum_us: i64,
    /// The open breach: when its alert was raised, and since when the
    /// window has been back within target by the margin.
    breach: Option<OpenBreach>,
    last_alert_us: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
struct OpenBreach {
    since_us: i64,
    recovering_since_us: Option<i64>,
}

impl QueueState {
    fn evict(&mut self, window_start_us: i64) {
        while self
            .arrivals
            .front()
            .is_some_and(|&ts| ts <= window_start_us)
        {
            self.arrivals.pop_front();
        }
        while let Some(outcome) = self.outcomes.front().copied()
            && outcome.ts_us <= window_start_us
        {
            self.outcomes.pop_front();
            self.all_wait_us -= outcome.wait_us;
            if outcome.answered {
                self.answered -= 1;
                self.answered_wait_us -= outcome.wait_us;
            }
            self.answered_within -= u64::from(outcome.within);
        }
        while let Some(&(ts, handle_us)) = self.handles.front()
            && ts <= window_start_us
        {
            self.handles.pop_front();
            self.handle_sum_us -= handle_us;
        }
    }

    fn stats(&self, span_us: i64, config: &BreachConfig) -> WindowStats {
        let outcomes = self.outcomes.len() as u64;
        let abandoned = outcomes - self.answered;
        let arrivals = (self.arrivals.len() as u64).max(outcomes);
        let aht_s = if self.handles.is_empty() {
            config.default_aht_secs
        } else {
            self.handle_sum_us as f64 / self.handles.len() as f64 / MICROS_PER_SECOND
        };
        let patience_s = if abandoned > 0 {
            Some((self.all_wait_us as f64 / abandoned as f64 / MICROS_PER_SECOND).max(1.0))
        } else {
            config.default_patience_secs
        };
        let span_s = (span_us as f64 / MICROS_PER_SECOND).max(1.0);
        WindowStats {
            arrivals,
            answered: self.answered,
            abandoned,
            service_level: self.answered_within as f64 / outcomes.max(1) as f64,
            asa_s: (self.answered > 0)
                .then(|| self.answered_wait_us as f64 / self.answered as f64 / MICROS_PER_SECOND),
            aht_s,
            arrivals_per_hour: arrivals as f64 / span_s * 3600.0,
            patience_s,
        }
    }
}

/// The breach detector over any number of queues; see the module
/// documentation.
#[derive(Debug)]
pub struct BreachDetector {
    config: BreachConfig,
    window_us: i64,
    answer_within_us: i64,
    queues: HashMap<u32, QueueState>,
}

impl BreachDetector {
    pub fn new(config: &BreachConfig) -> Result<Self, ContactError> {
        config.validate()?;
        Ok(BreachDetector {
            config: *config,
            window_us: secs_to_us(config.window_secs),
            answer_within_us: secs_to_us(config.answer_within_secs),
            queues: HashMap::new(),
        })
    }

    /// The window of `queue` as of its last event, for a live view; `None`
    /// for a queue not seen yet.
    pub fn window_stats(&self, queue: u32) -> Option<WindowStats> {
        let state = self.queues.get(&queue)?;
        let span_us = (state.last_ts_us - state.first_ts_us).min(self.window_us);
        Some(state.stats(span_us, &self.config))
    }

    /// Whether `queue` is in breach (an alert raised and not yet cleared).
    pub fn in_breach(&self, queue: u32) -> bool {
        self.queues
            .get(&queue)
            .is_some_and(|state| state.breach.is_some())
    }

    /// Feeds one event; returns the signal it raises, if any. Events of one
    /// queue must come in time order; those of different queues need not.
    pub fn observe(&mut self, event: &QueueEvent) -> Result<Option<BreachSignal>, ContactError> {
        let answer_within_us = self.answer_within_us;
        let state = self
            .queues
            .entry(event.queue)
            .or_insert_with(|| QueueState {
                first_ts_us: event.ts_us,
                last_ts_us: event.ts_us,
                ..QueueState::default()
            });
        if event.ts_us < state.last_ts_us {
            return Err(ContactError::OutOfOrder {
                queue: event.queue,
                ts_us: event.ts_us,
                last_ts_us: state.last_ts_us,
            });
        }
        state.last_ts_us = event.ts_us;
        state.evict(event.ts_us - self.window_us);
        match event.kind {
            QueueEventKind::Arrival => state.arrivals.push_back(event.ts_us),
            QueueEventKind::Answered { wait_s } | QueueEventKind::Abandoned { wait_s } => {
                let answered = matches!(event.kind, QueueEventKind::Answered { .. });
                let wait_us = event_secs_to_us(wait_s);
                let within = answered && wait_us <= answer_within_us;
                state.outcomes.push_back(Outcome {
                    ts_us: event.ts_us,
                    answered,
                    within,
                    wait_us,
                });
                state.all_wait_us += wait_us;
                state.answered_within += u64::from(within);
                if answered {
                    state.answered += 1;
                    state.answered_wait_us += wait_us;
                }
            }
            QueueEventKind::Handled { handle_s } => {
                let handle_us = event_secs_to_us(handle_s);
                state.handles.push_back((event.ts_us, handle_us));
                state.handle_sum_us += handle_us;
            }
            QueueEventKind::Staffed { agents } => state.agents = Some(agents),
        }
        Ok(judge(
            &self.config,
            event.queue,
            event.ts_us,
            self.window_us,
            state,
        ))
    }
}

/// Microseconds of a time from an event: negative or unknown times count
/// as 0, and times beyond a year as a year, so sums cannot overflow.
fn event_secs_to_us(secs: f64) -> i64 {
    if secs.is_finite() {
        secs_to_us(secs.clamp(0.0, 365.0 * 86_400.0))
    } else {
        0
    }
}

/// The breach state machine, after the window took `now_us`'s event.
fn judge(
    config: &BreachConfig,
    queue: u32,
    now_us: i64,
    window_us: i64,
    state: &mut QueueState,
) -> Option<BreachSignal> {
    if (state.outcomes.len() as u64) < config.min_outcomes.max(1) {
        return None;
    }
    let span_us = (now_us - state.first_ts_us).min(window_us);
    let window = state.stats(span_us, config);
    let asa_over = |margin: f64| match (config.max_asa_secs, window.asa_s) {
        (Some(target), Some(asa)) => asa > target * (1.0 - margin),
        _ => false,
    };
    match &mut state.breach {
        None => {
            let (metric, value, target) = if window.service_level < config.service_level_target {
                let target = config.service_level_target;
                (BreachMetric::ServiceLevel, window.service_level, target)
            } else if asa_over(0.0) {
                let asa = window.asa_s.expect("an ASA over target exists");
                let target = config.max_asa_secs.expect("an ASA target exists");
                (BreachMetric::Asa, asa, target)
            } else {
                return None;
            };
            let min_interval_us = secs_to_us(config.min_alert_interval_secs);
            if state
                .last_alert_us
                .is_some_and(|last| now_us - last < min_interval_us)
            {
                return None;
            }
            state.last_alert_us = Some(now_us);
            state.breach = Some(OpenBreach {
                since_us: now_us,
                recovering_since_us: None,
            });
            let (required_agents, recommendation) = recommend(config, &window, state.agents);
            Some(BreachSignal::Alert(Alert {
                queue,
                at_us: now_us,
                metric,
                value,
                target,
                window,
                current_agents: state.agents,
                required_agents,
                recommendation,
            }))
        }
        Some(breach) => {
            let healthy = window.service_level >= config.service_level_target + config.clear_margin
                && !asa_over(config.asa_clear_margin);
            if !healthy {
                breach.recovering_since_us = None;
                return None;
            }
            let recovering_since_us = *breach.recovering_since_us.get_or_insert(now_us);
            if now_us - recovering_since_us < secs_to_us(config.clear_hold_secs) {
                return None;
            }
            let since_us = breach.since_us;
            state.breach = None;
            Some(BreachSignal::Cleared(Cleared {
                queue,
                at_us: now_us,
                since_us,
                window,
            }))
        }
    }
}

/// Agents Erlang A needs for the window's traffic, and what to do.
fn recommend(
    config: &BreachConfig,
    window: &WindowStats,
    current_agents: Option<u32>,
) -> (Option<u32>, Recommendation) {
    let traffic = Traffic {
        arrival_rate_per_s: window.arrivals_per_hour / 3600.0,
        aht_secs: window.aht_s.max(1e-3),
        patience_secs: window.patience_s,
    };
    let Ok(staffing) = required_agents(&traffic, &config.staffing_target()) else {
        return (None, Recommendation::Unreachable);
    };
    let required = staffing.agents;
    let recommendation = match current_agents {
        None => Recommendation::StaffTo { agents: required },
        Some(current) if current < required => Recommendation::AddAgents {
            add: required - current,
            to: required,
        },
        Some(_) => Recommendation::Investigate,
    };
    (Some(required), recommendation)
}
