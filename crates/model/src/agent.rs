//! Agent events: the employee's journey beside the customer's (log in and
//! out, ready, not ready, breaks, contacts, after-contact work, manual tasks,
//! tool look-ups), stored as ordinary [`Event`] rows in a table of their own
//! so that customer analyses never see them.
//!
//! The conventions of an agent event row:
//! - `distinct_id` and `agent` are the agent's name, `customer` is
//!   [`Event::customer_key`] of that name;
//! - `touchpoint` is the kind in snake case ([`AgentEventKind::as_str`]:
//!   `log_in`, `log_out`, `ready`, `not_ready`, `break`, `contact`,
//!   `after_contact_work`, `manual_task`, `tool_used`);
//! - `channel` is [`AGENT_CHANNEL`];
//! - `handle_s` is the duration of work events (contact, after-contact work,
//!   manual task, tool used) and empty for state events;
//! - `properties` is a JSON object with `team` (always), `name` (the task or
//!   tool of a manual task or tool use) and, for contacts and their
//!   after-contact work, `queue` and `contact_event_id` (the id of the
//!   customer's event the agent served).
//!
//! [`AgentEventRecord::from_event`] checks a row against these conventions
//! and returns its typed view; [`AgentEventRecord::to_event`] writes one.

use crate::event::Event;
use serde::{Deserialize, Serialize};

/// The channel of every agent event: the agent's desktop, where the
/// contact-centre software records them.
pub const AGENT_CHANNEL: &str = "agent_desktop";

pub const LOG_IN: &str = "log_in";
pub const LOG_OUT: &str = "log_out";
pub const READY: &str = "ready";
pub const NOT_READY: &str = "not_ready";
pub const BREAK: &str = "break";
pub const CONTACT: &str = "contact";
pub const AFTER_CONTACT_WORK: &str = "after_contact_work";
pub const MANUAL_TASK: &str = "manual_task";
pub const TOOL_USED: &str = "tool_used";

/// The keys of an agent event's `properties`.
pub mod property {
    /// The agent's team; every agent event carries it.
    pub const TEAM: &str = "team";
    /// The task of a manual task, the tool of a tool use.
    pub const NAME: &str = "name";
    /// The queue a contact came through.
    pub const QUEUE: &str = "queue";
    /// The `event_id` of the customer's event that a contact (and its
    /// after-contact work) served.
    pub const CONTACT_EVENT_ID: &str = "contact_event_id";
}

/// What an agent event records. State events set the agent's state until
/// the next one; work events last `handle_s` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentEventKind {
    LogIn,
    LogOut,
    Ready,
    NotReady,
    Break,
    /// Serving a customer: talk and hold.
    Contact,
    /// Wrap-up after a contact.
    AfterContactWork,
    /// A manual task; `name` says which.
    ManualTask,
    /// A tool or system look-up; `name` says which.
    ToolUsed,
}

impl AgentEventKind {
    pub const ALL: [AgentEventKind; 9] = [
        AgentEventKind::LogIn,
        AgentEventKind::LogOut,
        AgentEventKind::Ready,
        AgentEventKind::NotReady,
        AgentEventKind::Break,
        AgentEventKind::Contact,
        AgentEventKind::AfterContactWork,
        AgentEventKind::ManualTask,
        AgentEventKind::ToolUsed,
    ];

    /// The touchpoint name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentEventKind::LogIn => LOG_IN,
            AgentEventKind::LogOut => LOG_OUT,
            AgentEventKind::Ready => READY,
            AgentEventKind::NotReady => NOT_READY,
            AgentEventKind::Break => BREAK,
            AgentEventKind::Contact => CONTACT,
            AgentEventKind::AfterContactWork => AFTER_CONTACT_WORK,
            AgentEventKind::ManualTask => MANUAL_TASK,
            AgentEventKind::ToolUsed => TOOL_USED,
        }
    }

    /// The kind named exactly by a touchpoint (snake case, as written by
    /// [`AgentEventKind::as_str`]).
    pub fn parse(touchpoint: &str) -> Option<AgentEventKind> {
        AgentEventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == touchpoint)
    }

    /// Whether the kind is work with a duration rather than a state.
    pub fn is_work(self) -> bool {
        matches!(
            self,
            AgentEventKind::Contact
                | AgentEventKind::AfterContactWork
                | AgentEventKind::ManualTask
                | AgentEventKind::ToolUsed
        )
    }
}

/// Why a row is not a valid agent event.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgentEventError {
    #[error(
        "event {event_id}: unknown agent event kind {touchpoint:?} (expected one of log_in, \
         log_out, ready, not_ready, break, contact, after_contact_work, manual_task, tool_used)"
    )]
    UnknownKind {
        event_id: String,
        touchpoint: String,
    },
    #[error("event {event_id}: channel {channel:?} is not {AGENT_CHANNEL:?}")]
    WrongChannel { event_id: String, channel: String },
    #[error("event {event_id}: an agent event needs the agent's name in `agent`")]
    MissingAgent { event_id: String },
    #[error("event {event_id}: distinct_id {distinct_id:?} is not the agent's name {agent:?}")]
    DistinctIdNotAgent {
        event_id: String,
        distinct_id: String,
        agent: String,
    },
    #[error("event {event_id}: properties are not a JSON object: {reason}")]
    InvalidProperties { event_id: String, reason: String },
    #[error("event {event_id}: property {key:?} must be a non-empty string")]
    InvalidProperty { event_id: String, key: &'static str },
    #[error("event {event_id}: an agent event needs the agent's team in properties.team")]
    MissingTeam { event_id: String },
    #[error("event {event_id}: {kind} is work and needs its duration in handle_s")]
    MissingDuration {
        event_id: String,
        kind: &'static str,
    },
    #[error("event {event_id}: duration {handle_s} s is negative or not a number")]
    InvalidDuration { event_id: String, handle_s: f32 },
    #[error("event {event_id}: {kind} is a state and carries no duration (handle_s {handle_s})")]
    DurationOnState {
        event_id: String,
        kind: &'static str,
        handle_s: f32,
    },
}

/// One agent event, typed: what [`AgentEventRecord::from_event`] reads from
/// a row and [`AgentEventRecord::to_event`] writes into one.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentEventRecord {
    pub event_id: String,
    pub ts_us: i64,
    pub kind: AgentEventKind,
    pub agent: String,
    pub team: String,
    /// Seconds of work; `None` exactly for state events.
    pub duration_s: Option<f32>,
    /// The task or tool (manual tasks and tool uses).
    pub name: Option<String>,
    /// The queue of the contact served (contacts, after-contact work).
    pub queue: Option<String>,
    /// The customer event served (contacts, after-contact work).
    pub contact_event_id: Option<String>,
}

impl AgentEventRecord {
    /// The duration in microseconds, 0 for state events.
    pub fn duration_us(&self) -> i64 {
        self.duration_s
            .map_or(0, |seconds| (f64::from(seconds) * 1e6).round() as i64)
    }

    /// The end of the event: its start plus its duration.
    pub fn end_us(&self) -> i64 {
        self.ts_us.saturating_add(self.duration_us())
    }

    /// Checks a row against the conventions of the module documentation.
    /// `customer` is not checked: the importer derives it from the agent.
    pub fn from_event(event: &Event) -> Result<AgentEventRecord, AgentEventError> {
        let event_id = || event.event_id.clone();
        let kind = AgentEventKind::parse(&event.touchpoint).ok_or_else(|| {
            AgentEventError::UnknownKind {
                event_id: event_id(),
                touchpoint: event.touchpoint.clone(),
            }
        })?;
        if event.channel != AGENT_CHANNEL {
            return Err(AgentEventError::WrongChannel {
                event_id: event_id(),
                channel: event.channel.clone(),
            });
        }
        let agent = (event.agent.as_deref())
            .filter(|agent| !agent.trim().is_empty())
            .ok_or_else(|| AgentEventError::MissingAgent {
                event_id: event_id(),
            })?;
        if !event.distinct_id.is_empty() && event.distinct_id != agent {
            return Err(AgentEventError::DistinctIdNotAgent {
                event_id: event_id(),
                distinct_id: event.distinct_id.clone(),
                agent: agent.to_string(),
            });
        }
        let duration_s = check_duration(event, kind)?;
        let properties = parse_properties(event)?;
        let text = |key: &'static str| -> Result<Option<String>, AgentEventError> {
            match properties.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(value)) if !value.is_empty() => {
                    Ok(Some(value.clone()))
                }
                Some(_) => Err(AgentEventError::InvalidProperty {
                    event_id: event_id(),
                    key,
                }),
            }
        };
        let team = text(property::TEAM)?.ok_or_else(|| AgentEventError::MissingTeam {
            event_id: event_id(),
        })?;
        Ok(AgentEventRecord {
            event_id: event.event_id.clone(),
            ts_us: event.ts_us,
            kind,
            agent: agent.to_string(),
            team,
            duration_s,
            name: text(property::NAME)?,
            queue: text(property::QUEUE)?,
            contact_event_id: text(property::CONTACT_EVENT_ID)?,
        })
    }

    /// The row of this agent event; received when it happened (desktop
    /// software records in real time).
    pub fn to_event(&self) -> Event {
        let mut properties = serde_json::Map::new();
        properties.insert(property::TEAM.into(), self.team.clone().into());
        let optional = [
            (property::NAME, &self.name),
            (property::QUEUE, &self.queue),
            (property::CONTACT_EVENT_ID, &self.contact_event_id),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                properties.insert(key.into(), value.clone().into());
            }
        }
        Event {
            event_id: self.event_id.clone(),
            ts_us: self.ts_us,
            received_at_us: self.ts_us,
            customer: Event::customer_key(&self.agent),
            distinct_id: self.agent.clone(),
            touchpoint: self.kind.as_str().to_string(),
            channel: AGENT_CHANNEL.to_string(),
            agent: Some(self.agent.clone()),
            handle_s: self.duration_s,
            properties: Some(serde_json::Value::Object(properties).to_string()),
            ..Event::default()
        }
    }
}

/// `handle_s` must be a non-negative number on work and absent on states.
fn check_duration(event: &Event, kind: AgentEventKind) -> Result<Option<f32>, AgentEventError> {
    match (kind.is_work(), event.handle_s) {
        (true, None) => Err(AgentEventError::MissingDuration {
            event_id: event.event_id.clone(),
            kind: kind.as_str(),
        }),
        (true, Some(handle_s)) if !(handle_s >= 0.0 && handle_s.is_finite()) => {
            Err(AgentEventError::InvalidDuration {
                event_id: event.event_id.clone(),
                handle_s,
            })
        }
        (false, Some(handle_s)) => Err(AgentEventError::DurationOnState {
            event_id: event.event_id.clone(),
            kind: kind.as_str(),
            handle_s,
        }),
        (_, handle_s) => Ok(handle_s),
    }
}

fn parse_properties(
    event: &Event,
) -> Result<serde_json::Map<String, serde_json::Value>, AgentEventError> {
    let invalid = |reason: String| AgentEventError::InvalidProperties {
        event_id: event.event_id.clone(),
        reason,
    };
    let Some(json) = event.properties.as_deref() else {
        return Ok(serde_json::Map::new());
    };
    match serde_json::from_str(json) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("not an object".to_string())),
        Err(error) => Err(invalid(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: AgentEventKind) -> AgentEventRecord {
        AgentEventRecord {
            event_id: "a-1".into(),
            ts_us: 1_736_150_400_000_000,
            kind,
            agent: "Alex Morgan".into(),
            team: "customer_care".into(),
            duration_s: kind.is_work().then_some(95.0),
            name: matches!(kind, AgentEventKind::ToolUsed).then(|| "order_history".into()),
            queue: matches!(kind, AgentEventKind::Contact).then(|| "care_phone".into()),
            contact_event_id: matches!(kind, AgentEventKind::Contact)
                .then(|| "00000000000000ab-00003".into()),
        }
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in AgentEventKind::ALL {
            assert_eq!(AgentEventKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serialisable");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(AgentEventKind::parse("Log_In"), None);
        assert_eq!(AgentEventKind::parse("lunch"), None);
        let work: Vec<&str> = (AgentEventKind::ALL.into_iter())
            .filter(|kind| kind.is_work())
            .map(AgentEventKind::as_str)
            .collect();
        assert_eq!(
            work,
            ["contact", "after_contact_work", "manual_task", "tool_used"]
        );
    }

    #[test]
    fn records_round_trip_through_events() {
        for kind in AgentEventKind::ALL {
            let record = record(kind);
            let event = record.to_event();
            assert_eq!(event.customer, Event::customer_key("Alex Morgan"));
            assert_eq!(event.distinct_id, "Alex Morgan");
            assert_eq!(event.channel, AGENT_CHANNEL);
            assert_eq!(event.touchpoint, kind.as_str());
            assert_eq!(AgentEventRecord::from_event(&event), Ok(record));
        }
        let contact = record(AgentEventKind::Contact);
        assert_eq!(contact.duration_us(), 95_000_000);
        assert_eq!(contact.end_us(), contact.ts_us + 95_000_000);
        assert_eq!(record(AgentEventKind::Break).duration_us(), 0);
        assert_eq!(
            contact.to_event().properties.as_deref(),
            Some(
                r#"{"contact_event_id":"00000000000000ab-00003","queue":"care_phone","team":"customer_care"}"#
            )
        );
    }

    /// Changes a valid event and expects the validator's verdict; `None`
    /// means the event stays valid.
    fn check(
        kind: AgentEventKind,
        change: impl FnOnce(&mut Event),
        expected: Option<AgentEventError>,
    ) {
        let mut event = record(kind).to_event();
        change(&mut event);
        let verdict = AgentEventRecord::from_event(&event);
        match expected {
            None => assert!(verdict.is_ok(), "{verdict:?}"),
            Some(error) => assert_eq!(verdict, Err(error)),
        }
    }

    #[test]
    fn validation_names_what_is_wrong() {
        use AgentEventKind::{Break, Contact, ManualTask};
        let id = || "a-1".to_string();
        check(Contact, |_| {}, None);
        check(
            Contact,
            |e| e.touchpoint = "lunch".into(),
            Some(AgentEventError::UnknownKind {
                event_id: id(),
                touchpoint: "lunch".into(),
            }),
        );
        check(
            Contact,
            |e| e.channel = "phone".into(),
            Some(AgentEventError::WrongChannel {
                event_id: id(),
                channel: "phone".into(),
            }),
        );
        let missing_agent = Some(AgentEventError::MissingAgent { event_id: id() });
        check(Contact, |e| e.agent = None, missing_agent.clone());
        check(Contact, |e| e.agent = Some("  ".into()), missing_agent);
        check(
            Contact,
            |e| e.distinct_id = "someone".into(),
            Some(AgentEventError::DistinctIdNotAgent {
                event_id: id(),
                distinct_id: "someone".into(),
                agent: "Alex Morgan".into(),
            }),
        );
        check(Contact, |e| e.distinct_id.clear(), None);
        check(
            Contact,
            |e| e.handle_s = None,
            Some(AgentEventError::MissingDuration {
                event_id: id(),
                kind: "contact",
            }),
        );
        check(
            ManualTask,
            |e| e.handle_s = Some(-1.0),
            Some(AgentEventError::InvalidDuration {
                event_id: id(),
                handle_s: -1.0,
            }),
        );
        check(Contact, |e| e.handle_s = Some(0.0), None);
        check(
            Break,
            |e| e.handle_s = Some(600.0),
            Some(AgentEventError::DurationOnState {
                event_id: id(),
                kind: "break",
                handle_s: 600.0,
            }),
        );
        check(
            Break,
            |e| e.properties = None,
            Some(AgentEventError::MissingTeam { event_id: id() }),
        );
        check(
            Break,
            |e| e.properties = Some(r#"{"team":7}"#.into()),
            Some(AgentEventError::InvalidProperty {
                event_id: id(),
                key: "team",
            }),
        );
        check(
            Break,
            |e| e.properties = Some("[1]".into()),
            Some(AgentEventError::InvalidProperties {
                event_id: id(),
                reason: "not an object".into(),
            }),
        );
        check(
            Break,
            |e| e.properties = Some(r#"{"team":"care","extra":[1,2]}"#.into()),
            None,
        );
    }

    #[test]
    fn errors_read_well() {
        let mut event = record(AgentEventKind::Contact).to_event();
        event.handle_s = Some(f32::NAN);
        let error = AgentEventRecord::from_event(&event).expect_err("NaN duration");
        assert_eq!(
            error.to_string(),
            "event a-1: duration NaN s is negative or not a number"
        );
    }
}
