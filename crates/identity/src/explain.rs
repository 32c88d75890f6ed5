//! Why an identity belongs to its customer: the customer's identities, the
//! chain of links from the identity to the canonical one with their
//! reasons, and the links, marks and splits around them.

use crate::graph::{IdentityGraph, RecordStatus};
use crate::record::{Link, Record, RecordId, Source, SplitTarget};
use model::Event;
use std::fmt;

/// One identity of a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub key: u64,
    pub distinct_id: String,
    /// Whether a record marked this identity identified.
    pub identified: bool,
}

/// A record with what the replay made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedRecord {
    pub id: RecordId,
    pub record: Record,
    pub status: RecordStatus,
}

/// The answer to `IdentityGraph::explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub distinct_id: String,
    pub key: u64,
    /// The canonical customer key.
    pub canonical: u64,
    /// The customer's identities by key; trait hubs are not identities.
    pub members: Vec<Member>,
    /// The links, in order, that lead from `distinct_id` to the canonical
    /// identity (empty when it is the canonical one).
    pub path: Vec<ExplainedRecord>,
    /// Every link that joined identities of this customer, in replay order.
    pub joined: Vec<ExplainedRecord>,
    /// Links naming an identity of this customer that did not join anything
    /// (already joined, refused, undone), by record id.
    pub not_joined: Vec<ExplainedRecord>,
    /// The records that marked identities of this customer identified.
    pub marks: Vec<ExplainedRecord>,
    /// Splits of links of this customer or of its identities, by record id.
    pub splits: Vec<ExplainedRecord>,
}

impl IdentityGraph {
    /// Explains the customer of an identity. An identity that no record
    /// names is a customer of its own with nothing to explain.
    pub fn explain(&self, distinct_id: &str) -> Explanation {
        let key = Event::customer_key(distinct_id);
        let Some(node) = self.identity_node(key) else {
            return Explanation {
                distinct_id: distinct_id.to_string(),
                key,
                canonical: key,
                members: vec![Member {
                    key,
                    distinct_id: distinct_id.to_string(),
                    identified: false,
                }],
                path: Vec::new(),
                joined: Vec::new(),
                not_joined: Vec::new(),
                marks: Vec::new(),
                splits: Vec::new(),
            };
        };
        let root = self.union_find.find_const(node);
        let in_component = |node: u32| node != u32::MAX && self.union_find.find_const(node) == root;
        let canonical = self.canonical(key);
        let canonical_node = self
            .identity_node(canonical)
            .expect("the canonical key is a member");
        let mut members: Vec<Member> = (0..self.n_nodes())
            .filter(|&other| in_component(other))
            .filter_map(|other| {
                let name = self.identity_name(other)?;
                Some(Member {
                    key: self.node_key(other).expect("an identity node has a key"),
                    distinct_id: name.to_string(),
                    identified: self.union_find.is_node_identified(other),
                })
            })
            .collect();
        members.sort_by_key(|member| member.key);

        let explained = |index: usize| ExplainedRecord {
            id: RecordId(index as u64),
            record: self.records()[index].clone(),
            status: self.status[index],
        };
        let joined = self
            .joined_links_of(root)
            .into_iter()
            .map(explained)
            .collect();
        let path = self
            .path_between(node, canonical_node)
            .into_iter()
            .map(|id| explained(id.0 as usize))
            .collect();
        let mut not_joined = Vec::new();
        let mut marks = Vec::new();
        let mut splits = Vec::new();
        for (index, record) in self.records().iter().enumerate() {
            let [a, b] = self.ends[index];
            match record {
                Record::Link { .. }
                    if (in_component(a) || in_component(b))
                        && self.status[index] != RecordStatus::Joined =>
                {
                    not_joined.push(explained(index));
                }
                Record::Identified { .. } if in_component(a) => marks.push(explained(index)),
                Record::Split { target, .. } if self.split_touches(target, &in_component) => {
                    splits.push(explained(index));
                }
                _ => {}
            }
        }
        Explanation {
            distinct_id: distinct_id.to_string(),
            key,
            canonical,
            members,
            path,
            joined,
            not_joined,
            marks,
            splits,
        }
    }

    fn split_touches(&self, target: &SplitTarget, in_component: &impl Fn(u32) -> bool) -> bool {
        match target {
            SplitTarget::Edge { edge } => {
                let [a, b] = self.ends[edge.0 as usize];
                in_component(a) || in_component(b)
            }
            SplitTarget::Identity { distinct_id } => self
                .identity_node(Event::customer_key(distinct_id))
                .is_some_and(in_component),
        }
    }
}

impl fmt::Display for ExplainedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.id)?;
        let reason = self.record.reason();
        match &self.record {
            Record::Link { link, .. } => match link {
                Link::Identify {
                    anonymous_id,
                    user_id,
                } => write!(f, "identify {anonymous_id:?} → {user_id:?}")?,
                Link::Alias {
                    previous_id,
                    new_id,
                } => write!(f, "alias {previous_id:?} → {new_id:?}")?,
                Link::Merge { a, b } => write!(f, "merge {a:?} + {b:?}")?,
                Link::SharedTrait {
                    distinct_id,
                    trait_name,
                    normalised_hash,
                } => {
                    write!(f, "shared_trait {distinct_id:?} {trait_name}=")?;
                    match normalised_hash.get(..12) {
                        Some(prefix) if normalised_hash.len() > 12 => write!(f, "{prefix}…")?,
                        _ => write!(f, "{normalised_hash}")?,
                    }
                }
            },
            Record::Identified { distinct_id, .. } => write!(f, "identified {distinct_id:?}")?,
            Record::Split { target, .. } => match target {
                SplitTarget::Edge { edge } => write!(f, "split edge {edge}")?,
                SplitTarget::Identity { distinct_id } => write!(f, "detach {distinct_id:?}")?,
            },
        }
        match &reason.source {
            Source::Event { event_id } => write!(f, " (event {event_id:?}")?,
            Source::Call { call } => write!(f, " (call {call:?}")?,
        }
        write!(f, " at {} µs) ", reason.ts_us)?;
        match self.status {
            RecordStatus::Joined => write!(f, "joined"),
            RecordStatus::AlreadyJoined => write!(f, "already joined"),
            RecordStatus::Refused {
                left_canonical,
                right_canonical,
            } => write!(
                f,
                "refused: customers {left_canonical} and {right_canonical} are both identified"
            ),
            RecordStatus::Undone { split } => write!(f, "undone by split {split}"),
            RecordStatus::Identified => write!(f, "marked identified"),
            RecordStatus::AlreadyIdentified => write!(f, "already identified"),
            RecordStatus::Split => write!(f, "split"),
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "identity {:?} (key {}) belongs to customer {}",
            self.distinct_id, self.key, self.canonical
        )?;
        writeln!(f, "identities:")?;
        for member in &self.members {
            let identified = if member.identified { " identified" } else { "" };
            writeln!(
                f,
                "  {:?} (key {}){identified}",
                member.distinct_id, member.key
            )?;
        }
        let sections = [
            ("path to the canonical identity", &self.path),
            ("links that joined", &self.joined),
            ("links that did not join", &self.not_joined),
            ("marks", &self.marks),
            ("splits", &self.splits),
        ];
        for (title, records) in sections {
            if records.is_empty() {
                continue;
            }
            writeln!(f, "{title}:")?;
            for record in records {
                writeln!(f, "  {record}")?;
            }
        }
        Ok(())
    }
}
