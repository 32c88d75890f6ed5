//! The records of the identity log: links between identities, marks that
//! an identity is identified, and splits. Each carries its reason (which
//! event or call, and when). Records are only ever appended.

use model::Event;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The position of a record in the log, from 0. A link's record id is its
/// edge id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(pub u64);

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What caused a record: an event (by its `event_id`) or an API or admin
/// call (by a caller-chosen description, e.g. `"admin:ana merge ticket 812"`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    Event { event_id: String },
    Call { call: String },
}

/// Why and when a record was made. The time is the caller's (the event's
/// time for event-driven links); this crate has no clock.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Reason {
    pub ts_us: i64,
    #[serde(flatten)]
    pub source: Source,
}

impl Reason {
    pub fn event(event_id: impl Into<String>, ts_us: i64) -> Reason {
        Reason {
            ts_us,
            source: Source::Event {
                event_id: event_id.into(),
            },
        }
    }

    pub fn call(call: impl Into<String>, ts_us: i64) -> Reason {
        Reason {
            ts_us,
            source: Source::Call { call: call.into() },
        }
    }
}

/// A merge edge between two identities, by the rule that made it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Link {
    /// An anonymous identity turned out to be `user_id` (a login). Marks
    /// `user_id` identified.
    Identify {
        anonymous_id: String,
        user_id: String,
    },
    /// `previous_id` is another name of `new_id`. Marks `new_id` identified.
    Alias { previous_id: String, new_id: String },
    /// An explicit (admin) merge; the only link that may join two
    /// identified customers.
    Merge { a: String, b: String },
    /// The identity has a trait (e.g. `email`) whose normalised SHA-256 is
    /// `normalised_hash`; identities with the same one are linked through it.
    SharedTrait {
        distinct_id: String,
        trait_name: String,
        normalised_hash: String,
    },
}

impl Link {
    /// The rule's name as written in the log and in explanations.
    pub fn rule_name(&self) -> &'static str {
        match self {
            Link::Identify { .. } => "identify",
            Link::Alias { .. } => "alias",
            Link::Merge { .. } => "merge",
            Link::SharedTrait { .. } => "shared_trait",
        }
    }

    /// Whether the link joins customers even when both are identified.
    pub fn is_forced(&self) -> bool {
        matches!(self, Link::Merge { .. })
    }

    /// The identity that the link marks identified.
    pub fn identified_side(&self) -> Option<&str> {
        match self {
            Link::Identify { user_id, .. } => Some(user_id),
            Link::Alias { new_id, .. } => Some(new_id),
            Link::Merge { .. } | Link::SharedTrait { .. } => None,
        }
    }

    /// The identities the link names (one for a trait link).
    pub fn identities(&self) -> Vec<&str> {
        match self {
            Link::Identify {
                anonymous_id,
                user_id,
            } => vec![anonymous_id, user_id],
            Link::Alias {
                previous_id,
                new_id,
            } => vec![previous_id, new_id],
            Link::Merge { a, b } => vec![a, b],
            Link::SharedTrait { distinct_id, .. } => vec![distinct_id],
        }
    }
}

/// What a split undoes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "target", rename_all = "snake_case", deny_unknown_fields)]
pub enum SplitTarget {
    /// One link record.
    Edge { edge: RecordId },
    /// Every link that names this identity and is not newer than the
    /// split; later links name it afresh.
    Identity { distinct_id: String },
}

/// One record of the identity log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Record {
    Link {
        link: Link,
        reason: Reason,
    },
    /// The identity is known to be a person's own id (e.g. a login id).
    Identified {
        distinct_id: String,
        reason: Reason,
    },
    Split {
        target: SplitTarget,
        reason: Reason,
    },
}

impl Record {
    pub fn reason(&self) -> &Reason {
        match self {
            Record::Link { reason, .. }
            | Record::Identified { reason, .. }
            | Record::Split { reason, .. } => reason,
        }
    }
}

/// The prefix of the replay order, cheap to compare. Splits are not
/// replayed; they decide which links are undone before the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ReplayKey {
    ts_us: i64,
    rank: u8,
    first_key: u64,
    second_key: u64,
}

impl ReplayKey {
    pub(crate) fn of(record: &Record) -> ReplayKey {
        let key = Event::customer_key;
        let (rank, first_key, second_key) = match record {
            Record::Identified { distinct_id, .. } => (0, key(distinct_id), 0),
            Record::Link { link, .. } => match link {
                Link::Merge { a, b } => (1, key(a), key(b)),
                Link::Identify {
                    anonymous_id,
                    user_id,
                } => (2, key(anonymous_id), key(user_id)),
                Link::Alias {
                    previous_id,
                    new_id,
                } => (3, key(previous_id), key(new_id)),
                Link::SharedTrait {
                    distinct_id,
                    normalised_hash,
                    ..
                } => (4, key(distinct_id), key(normalised_hash)),
            },
            Record::Split { .. } => (5, 0, 0),
        };
        ReplayKey {
            ts_us: record.reason().ts_us,
            rank,
            first_key,
            second_key,
        }
    }
}

/// The order in which links and marks take effect: by time, then marks
/// before merges before identifies before aliases before trait links, then
/// by the records' content. It is a total order on distinct records, so
/// the replay — and with it every customer — depends only on the set of
/// records, never on the order in which they arrived.
pub fn replay_order(a: &Record, b: &Record) -> Ordering {
    ReplayKey::of(a)
        .cmp(&ReplayKey::of(b))
        .then_with(|| a.cmp(b))
}
