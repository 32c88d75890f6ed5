//! The identity graph: the log of records and the customers it implies.
//!
//! The customers are a pure function of the *set* of records, never of the
//! order in which the calls arrived. The records are replayed in
//! `replay_order` (by the time of their reason, then rule, then content)
//! through a union-find. During the replay:
//!
//! 1. A mark (`mark_identified`, or the user side of `identify`, or the new
//!    side of `alias`) makes that identity identified from its time on; a
//!    customer is identified when any of its identities is.
//! 2. A link undone by a split is skipped (`Undone`).
//! 3. A link whose ends are already one customer changes nothing
//!    (`AlreadyJoined`).
//! 4. `merge` always joins (`Joined`).
//! 5. `identify`, `alias` and trait links join unless both customers are
//!    identified at that point of the replay (`Refused`): an identified
//!    customer is never merged away by them; two anonymous identities that
//!    later both get identified stay one customer.
//!
//! The canonical key of a customer is the smallest key among its identified
//! identities, else the smallest key among its identities. Both rules look
//! only at the component, so they too are independent of arrival order.
//!
//! The mark of a link's identified side comes before the link itself, so
//! `identify(a, u)` is refused exactly when `a`'s customer is already
//! identified.
//!
//! A record that comes last in the replay order of its region (see
//! `region`) is applied incrementally. A late one (an older time than
//! records already applied in its region) or a split replays that region
//! alone; `from_records` replays the whole log once.

use crate::error::IdentityError;
use crate::junk::is_junk_identity;
use crate::log::encode_records;
use crate::record::{Link, Reason, Record, RecordId, ReplayKey, SplitTarget};
use crate::region::Regions;
use crate::union_find::UnionFind;
use model::{Event, IdentityRules};
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};

/// Original customer key → canonical customer key, for every key whose
/// canonical key differs from itself. The engine applies it at query time.
pub type Overrides = HashMap<u64, u64, FxBuildHasher>;

/// What the graph accepts from new calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityOptions {
    /// Traits whose shared normalised hash may link customers
    /// (`identity.merge_on_traits` in `journey.toml`).
    pub merge_on_traits: Vec<String>,
}

impl IdentityOptions {
    pub fn from_rules(rules: &IdentityRules) -> IdentityOptions {
        IdentityOptions {
            merge_on_traits: rules.merge_on_traits.clone(),
        }
    }
}

/// What the replay made of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordStatus {
    /// The link joined two customers.
    Joined,
    /// The link's ends were already one customer.
    AlreadyJoined,
    /// Both ends belonged to identified customers; only `merge` joins those.
    Refused {
        left_canonical: u64,
        right_canonical: u64,
    },
    /// A split undid the link.
    Undone { split: RecordId },
    /// The mark made the identity identified.
    Identified,
    /// An earlier record had already marked the identity.
    AlreadyIdentified,
    /// The record is a split.
    Split,
}

/// The answer to a link or mark call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Recorded, and it changed the customers (a join or a new mark).
    Applied { record: RecordId, canonical: u64 },
    /// Nothing changed. `record` is `None` when nothing was recorded.
    NoOp {
        record: Option<RecordId>,
        reason: NoOpReason,
    },
    /// Refused. `record` is `None` when nothing was recorded (the refusal
    /// does not depend on other records), `Some` when the refusal comes from
    /// the replay and may change with records that arrive later.
    Refused {
        record: Option<RecordId>,
        reason: Refusal,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoOpReason {
    /// Both sides are the same identity (same customer key).
    SameIdentity,
    AlreadyJoined,
    AlreadyIdentified,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A placeholder id (see `JUNK_IDENTITIES`).
    JunkIdentity { distinct_id: String },
    /// The trait is not in `merge_on_traits`.
    TraitNotEnabled { trait_name: String },
    /// The trait hash is empty, has whitespace or is a placeholder.
    InvalidTraitHash,
    /// Both customers are identified; only an explicit `merge` joins them.
    BothIdentified {
        left_canonical: u64,
        right_canonical: u64,
    },
    /// A split undid the link (a detach at a later time than the link).
    Undone { split: RecordId },
}

/// The answer to a split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitOutcome {
    /// The edge's ends are now different customers. A canonical key is
    /// `None` for a trait hub that no identity shares any more.
    Separated {
        record: RecordId,
        left_canonical: Option<u64>,
        right_canonical: Option<u64>,
    },
    /// Other links still join the edge's ends; `path` is one chain of them.
    StillJoined {
        record: RecordId,
        canonical: u64,
        path: Vec<RecordId>,
    },
    /// The identity's links up to the split's time are undone; it is now
    /// customer `canonical` with `n_identities` identities (1 unless later
    /// links joined it again).
    Detached {
        record: RecordId,
        canonical: u64,
        n_identities: usize,
    },
}

/// A link or mark not yet recorded, or the reason it never will be.
enum Submitted {
    Decided(Outcome),
    Recorded(usize),
}

/// The identity graph. See the module documentation for its semantics.
#[derive(Debug, Clone, Default)]
pub struct IdentityGraph {
    options: IdentityOptions,
    records: Vec<Record>,
    replay_keys: Vec<ReplayKey>,
    /// Per record, the nodes it names: a link's two ends, a mark's identity
    /// twice; splits have `[u32::MAX; 2]`.
    pub(crate) ends: Vec<[u32; 2]>,
    pub(crate) status: Vec<RecordStatus>,
    /// Nodes are identities (with a key) or hubs of one trait value that
    /// identities sharing it link to (without). Per node: the first record
    /// that names it, where its name is read (no second copy of the text).
    node_records: Vec<u32>,
    node_keys: Vec<Option<u64>>,
    identity_nodes: FxHashMap<u64, u32>,
    /// Trait name → normalised hash → hub node.
    trait_nodes: FxHashMap<String, FxHashMap<String, u32>>,
    /// Link record → the first split that undid it.
    undone_edges: FxHashMap<u64, RecordId>,
    /// Identity node → its detaches as (time, split), sorted.
    detaches: FxHashMap<u32, Vec<(i64, RecordId)>>,
    pub(crate) union_find: UnionFind,
    regions: Regions,
}

impl IdentityGraph {
    pub fn new(options: IdentityOptions) -> IdentityGraph {
        IdentityGraph {
            options,
            ..IdentityGraph::default()
        }
    }

    /// Rebuilds a graph from its log (as `decode_log` returns it), with one
    /// replay. Records are checked for what no call of this crate writes
    /// (junk ids, splits of missing links); `merge_on_traits` is not
    /// re-checked, so trait links recorded while a trait was enabled stay.
    pub fn from_records(
        options: IdentityOptions,
        records: Vec<Record>,
    ) -> Result<IdentityGraph, IdentityError> {
        let mut graph = IdentityGraph::new(options);
        graph.records.reserve(records.len());
        for record in records {
            graph.check_logged(&record)?;
            graph.push(record);
        }
        graph.replay_all();
        Ok(graph)
    }

    /// `anonymous_id` turned out to be `user_id` (e.g. a login). Marks
    /// `user_id` identified; refused when `anonymous_id`'s customer is
    /// already identified. `identify(x, x)` only marks `x`.
    pub fn identify(&mut self, anonymous_id: &str, user_id: &str, reason: Reason) -> Outcome {
        let link = Link::Identify {
            anonymous_id: anonymous_id.to_string(),
            user_id: user_id.to_string(),
        };
        self.link(link, reason)
    }

    /// `previous_id` is another name of `new_id`. Marks `new_id` identified;
    /// refused when `previous_id`'s customer is already identified.
    pub fn alias(&mut self, previous_id: &str, new_id: &str, reason: Reason) -> Outcome {
        let link = Link::Alias {
            previous_id: previous_id.to_string(),
            new_id: new_id.to_string(),
        };
        self.link(link, reason)
    }

    /// An explicit (admin) merge: joins even two identified customers.
    pub fn merge(&mut self, a: &str, b: &str, reason: Reason) -> Outcome {
        let link = Link::Merge {
            a: a.to_string(),
            b: b.to_string(),
        };
        self.link(link, reason)
    }

    /// `distinct_id` has the trait `trait_name` whose normalised SHA-256 is
    /// `normalised_hash` (see `trait_hash`). Identities sharing it become one
    /// customer unless that would join two identified customers. Refused
    /// unless the trait is in `merge_on_traits`.
    pub fn link_by_trait(
        &mut self,
        distinct_id: &str,
        trait_name: &str,
        normalised_hash: &str,
        reason: Reason,
    ) -> Outcome {
        let link = Link::SharedTrait {
            distinct_id: distinct_id.to_string(),
            trait_name: trait_name.to_string(),
            normalised_hash: normalised_hash.to_string(),
        };
        self.link(link, reason)
    }

    /// Any link call.
    pub fn link(&mut self, link: Link, reason: Reason) -> Outcome {
        let submitted = self.submit_link(link, reason);
        self.outcome(submitted)
    }

    /// Many link calls, e.g. the identify calls of an ingest batch. The
    /// outcomes are as of the whole batch (a later call of the batch with
    /// an earlier time may change an earlier call's outcome).
    pub fn link_all(&mut self, links: impl IntoIterator<Item = (Link, Reason)>) -> Vec<Outcome> {
        let submitted: Vec<Submitted> = links
            .into_iter()
            .map(|(link, reason)| self.submit_link(link, reason))
            .collect();
        submitted
            .into_iter()
            .map(|submitted| self.outcome(submitted))
            .collect()
    }

    /// Marks an identity identified (e.g. it is a customer number from a
    /// CRM), without linking it to anything.
    pub fn mark_identified(&mut self, distinct_id: &str, reason: Reason) -> Outcome {
        let submitted = if is_junk_identity(distinct_id) {
            Submitted::Decided(junk(distinct_id))
        } else {
            Submitted::Recorded(self.record(Record::Identified {
                distinct_id: distinct_id.to_string(),
                reason,
            }))
        };
        self.outcome(submitted)
    }

    /// Undoes one link. The customers are recomputed from the remaining
    /// links; other links may still join the two ends (`StillJoined`).
    pub fn split_edge(
        &mut self,
        edge: RecordId,
        reason: Reason,
    ) -> Result<SplitOutcome, IdentityError> {
        let edge_index = self.link_index(edge)?;
        let record = self.record(Record::Split {
            target: SplitTarget::Edge { edge },
            reason,
        });
        let [a, b] = self.ends[edge_index];
        let (root_a, root_b) = (self.union_find.find_const(a), self.union_find.find_const(b));
        let record = RecordId(record as u64);
        if root_a != root_b {
            return Ok(SplitOutcome::Separated {
                record,
                left_canonical: self.union_find.canonical_of_root(root_a),
                right_canonical: self.union_find.canonical_of_root(root_b),
            });
        }
        Ok(SplitOutcome::StillJoined {
            record,
            canonical: self
                .union_find
                .canonical_of_root(root_a)
                .expect("a link names at least one identity"),
            path: self.path_between(a, b),
        })
    }

    /// Separates an identity: every link that names it and whose time is
    /// not after the split's is undone, including links that arrive later
    /// with such a time. Links with later times join it again (new evidence
    /// after the split). An identity that no link names yet is accepted, so
    /// that the result does not depend on which arrived first.
    pub fn detach(
        &mut self,
        distinct_id: &str,
        reason: Reason,
    ) -> Result<SplitOutcome, IdentityError> {
        if is_junk_identity(distinct_id) {
            return Err(IdentityError::JunkIdentity(distinct_id.to_string()));
        }
        let key = Event::customer_key(distinct_id);
        let record = self.record(Record::Split {
            target: SplitTarget::Identity {
                distinct_id: distinct_id.to_string(),
            },
            reason,
        });
        let node = self.identity_nodes[&key];
        let root = self.union_find.find_const(node);
        let n_identities = (0..self.n_nodes())
            .filter(|&other| {
                self.node_keys[other as usize].is_some()
                    && self.union_find.find_const(other) == root
            })
            .count();
        Ok(SplitOutcome::Detached {
            record: RecordId(record as u64),
            canonical: self.canonical(key),
            n_identities,
        })
    }

    /// The canonical customer key of a customer key (itself when no link
    /// names it).
    pub fn canonical(&self, key: u64) -> u64 {
        match self.identity_nodes.get(&key) {
            Some(&node) => self
                .canonical_of_node(node)
                .expect("an identity node has a key"),
            None => key,
        }
    }

    /// The canonical customer key of an identity.
    pub fn canonical_of(&self, distinct_id: &str) -> u64 {
        self.canonical(Event::customer_key(distinct_id))
    }

    /// Whether the customer of this key is identified.
    pub fn is_identified(&self, key: u64) -> bool {
        self.identity_nodes.get(&key).is_some_and(|&node| {
            let root = self.union_find.find_const(node);
            self.union_find.is_root_identified(root)
        })
    }

    /// Every key whose canonical key differs from itself.
    pub fn overrides(&self) -> Overrides {
        let mut overrides = Overrides::default();
        for (node, key) in self.node_keys.iter().enumerate() {
            let Some(key) = *key else { continue };
            let canonical = self
                .canonical_of_node(node as u32)
                .expect("an identity node has a key");
            if canonical != key {
                overrides.insert(key, canonical);
            }
        }
        overrides
    }

    /// The log, in arrival order; a record's index is its id.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn record_status(&self, record: RecordId) -> Option<RecordStatus> {
        self.status.get(usize::try_from(record.0).ok()?).copied()
    }

    /// The log lines of the records from `first` on, for the store to append.
    pub fn encode_from(&self, first: RecordId) -> String {
        let start = usize::try_from(first.0)
            .map_or(self.records.len(), |start| start.min(self.records.len()));
        encode_records(RecordId(start as u64), &self.records[start..])
    }

    /// The number of identities any record names.
    pub fn n_identities(&self) -> usize {
        self.identity_nodes.len()
    }

    pub(crate) fn identity_node(&self, key: u64) -> Option<u32> {
        self.identity_nodes.get(&key).copied()
    }

    pub(crate) fn node_key(&self, node: u32) -> Option<u64> {
        self.node_keys[node as usize]
    }

    pub(crate) fn canonical_of_node(&self, node: u32) -> Option<u64> {
        let root = self.union_find.find_const(node);
        self.union_find.canonical_of_root(root)
    }

    pub(crate) fn replay_cmp(&self, a: usize, b: usize) -> Ordering {
        replay_cmp(&self.replay_keys, &self.records, a, b)
    }

    /// The checks that need no other record; what passes is recorded.
    fn submit_link(&mut self, link: Link, reason: Reason) -> Submitted {
        if let Some(junk_id) = link
            .identities()
            .into_iter()
            .find(|id| is_junk_identity(id))
        {
            return Submitted::Decided(junk(junk_id));
        }
        if let Link::SharedTrait {
            trait_name,
            normalised_hash,
            ..
        } = &link
        {
            if !self.options.merge_on_traits.contains(trait_name) {
                let trait_name = trait_name.clone();
                return Submitted::Decided(Outcome::Refused {
                    record: None,
                    reason: Refusal::TraitNotEnabled { trait_name },
                });
            }
            if !is_valid_trait_hash(normalised_hash) {
                return Submitted::Decided(Outcome::Refused {
                    record: None,
                    reason: Refusal::InvalidTraitHash,
                });
            }
        }
        if let [first, second] = link.identities()[..]
            && Event::customer_key(first) == Event::customer_key(second)
        {
            if let Link::Identify { user_id, .. } = link {
                let mark = Record::Identified {
                    distinct_id: user_id,
                    reason,
                };
                return Submitted::Recorded(self.record(mark));
            }
            return Submitted::Decided(Outcome::NoOp {
                record: None,
                reason: NoOpReason::SameIdentity,
            });
        }
        Submitted::Recorded(self.record(Record::Link { link, reason }))
    }

    /// Checks a record read back from the log.
    fn check_logged(&self, record: &Record) -> Result<(), IdentityError> {
        let id = RecordId(self.records.len() as u64);
        let invalid = |reason: String| Err(IdentityError::InvalidRecord { record: id, reason });
        match record {
            Record::Link { link, .. } => {
                if let Some(junk_id) = link
                    .identities()
                    .into_iter()
                    .find(|id| is_junk_identity(id))
                {
                    return invalid(format!("names the placeholder id {junk_id:?}"));
                }
                if let [first, second] = link.identities()[..]
                    && Event::customer_key(first) == Event::customer_key(second)
                {
                    return invalid(format!("links {first:?} to itself"));
                }
                if let Link::SharedTrait {
                    normalised_hash, ..
                } = link
                    && !is_valid_trait_hash(normalised_hash)
                {
                    return invalid(format!("trait hash {normalised_hash:?} is not valid"));
                }
            }
            Record::Identified { distinct_id, .. } => {
                if is_junk_identity(distinct_id) {
                    return invalid(format!("marks the placeholder id {distinct_id:?}"));
                }
            }
            Record::Split {
                target: SplitTarget::Edge { edge },
                ..
            } => {
                let is_earlier_link = usize::try_from(edge.0)
                    .ok()
                    .and_then(|index| self.records.get(index))
                    .is_some_and(|target| matches!(target, Record::Link { .. }));
                if !is_earlier_link {
                    return invalid(format!("splits {edge}, which is no earlier link"));
                }
            }
            Record::Split {
                target: SplitTarget::Identity { distinct_id },
                ..
            } => {
                if is_junk_identity(distinct_id) {
                    return invalid(format!("detaches the placeholder id {distinct_id:?}"));
                }
            }
        }
        Ok(())
    }

    fn link_index(&self, edge: RecordId) -> Result<usize, IdentityError> {
        let index = usize::try_from(edge.0)
            .ok()
            .filter(|&index| index < self.records.len())
            .ok_or(IdentityError::UnknownRecord(edge))?;
        match self.records[index] {
            Record::Link { .. } => Ok(index),
            _ => Err(IdentityError::NotALink(edge)),
        }
    }

    /// Appends a checked record and applies it: incrementally when it
    /// comes last in its region's replay order, else by replaying the
    /// region.
    fn record(&mut self, record: Record) -> usize {
        let index = self.push(record);
        let region = match &self.records[index] {
            Record::Split { target, .. } => {
                let node = match target {
                    SplitTarget::Edge { edge } => self.ends[edge.0 as usize][0],
                    SplitTarget::Identity { distinct_id } => {
                        self.identity_nodes[&Event::customer_key(distinct_id)]
                    }
                };
                let region = self.regions.find(node);
                self.replay_region(region);
                return index;
            }
            _ => self.regions.find(self.ends[index][0]),
        };
        match self.regions.last(region) {
            Some(last) if self.replay_cmp(index, last as usize) == Ordering::Less => {
                self.replay_region(region);
            }
            _ => {
                self.step(index);
                self.regions.set_last(region, index as u32);
            }
        }
        index
    }

    /// Appends a record, creating its nodes; does not apply it.
    fn push(&mut self, record: Record) -> usize {
        let index = self.records.len();
        let ends = match &record {
            Record::Link { link, .. } => match link {
                Link::Identify {
                    anonymous_id: a,
                    user_id: b,
                }
                | Link::Alias {
                    previous_id: a,
                    new_id: b,
                }
                | Link::Merge { a, b } => [
                    self.identity_node_or_new(a, index),
                    self.identity_node_or_new(b, index),
                ],
                Link::SharedTrait {
                    distinct_id,
                    trait_name,
                    normalised_hash,
                } => [
                    self.identity_node_or_new(distinct_id, index),
                    self.trait_node_or_new(trait_name, normalised_hash, index),
                ],
            },
            Record::Identified { distinct_id, .. } => {
                let node = self.identity_node_or_new(distinct_id, index);
                [node, node]
            }
            Record::Split { target, reason } => {
                let split = RecordId(index as u64);
                match target {
                    SplitTarget::Edge { edge } => {
                        self.undone_edges.entry(edge.0).or_insert(split);
                    }
                    SplitTarget::Identity { distinct_id } => {
                        let node = self.identity_node_or_new(distinct_id, index);
                        let detaches = self.detaches.entry(node).or_default();
                        detaches.push((reason.ts_us, split));
                        detaches.sort_unstable();
                    }
                }
                [u32::MAX; 2]
            }
        };
        self.replay_keys.push(ReplayKey::of(&record));
        self.status.push(match record {
            Record::Split { .. } => RecordStatus::Split,
            _ => RecordStatus::AlreadyJoined,
        });
        self.ends.push(ends);
        let is_split = matches!(record, Record::Split { .. });
        self.records.push(record);
        self.regions.push_record();
        if !is_split {
            let [a, b] = ends;
            let (keys, records) = (&self.replay_keys, &self.records);
            let later = |x: u32, y: u32| {
                if replay_cmp(keys, records, x as usize, y as usize) == Ordering::Less {
                    y
                } else {
                    x
                }
            };
            let region = self.regions.union(a, b, later);
            self.regions.add_record(region, index as u32);
        }
        index
    }

    fn identity_node_or_new(&mut self, distinct_id: &str, record: usize) -> u32 {
        let key = Event::customer_key(distinct_id);
        if let Some(&node) = self.identity_nodes.get(&key) {
            return node;
        }
        let node = self.new_node(Some(key), record);
        self.identity_nodes.insert(key, node);
        node
    }

    fn trait_node_or_new(&mut self, trait_name: &str, normalised_hash: &str, record: usize) -> u32 {
        let existing = self
            .trait_nodes
            .get(trait_name)
            .and_then(|hubs| hubs.get(normalised_hash));
        if let Some(&node) = existing {
            return node;
        }
        let node = self.new_node(None, record);
        self.trait_nodes
            .entry(trait_name.to_string())
            .or_default()
            .insert(normalised_hash.to_string(), node);
        node
    }

    fn new_node(&mut self, key: Option<u64>, record: usize) -> u32 {
        let id = u32::try_from(self.node_keys.len()).expect("fewer than 2^32 nodes");
        self.node_records
            .push(u32::try_from(record).expect("fewer than 2^32 records"));
        self.node_keys.push(key);
        self.union_find.push(key);
        self.regions.push_node();
        id
    }

    pub(crate) fn n_nodes(&self) -> u32 {
        self.node_keys.len() as u32
    }

    /// The text of an identity node, read from the first record naming it;
    /// `None` for a trait hub.
    pub(crate) fn identity_name(&self, node: u32) -> Option<&str> {
        let key = self.node_keys[node as usize]?;
        let names: Vec<&str> = match &self.records[self.node_records[node as usize] as usize] {
            Record::Link { link, .. } => link.identities(),
            Record::Identified { distinct_id, .. } => vec![distinct_id],
            Record::Split {
                target: SplitTarget::Identity { distinct_id },
                ..
            } => vec![distinct_id],
            Record::Split { .. } => Vec::new(),
        };
        names
            .into_iter()
            .find(|name| Event::customer_key(name) == key)
    }

    /// Replays the whole log (after `from_records`).
    fn replay_all(&mut self) {
        self.union_find.reset(&self.node_keys);
        // The keys sit beside the indices so that the sort reads memory in
        // order; the records are compared only on a tie of keys. Stable, so
        // identical records keep their arrival order (which of two identical
        // records joins changes no customer).
        let mut keyed: Vec<(ReplayKey, usize)> = (0..self.records.len())
            .filter(|&index| !matches!(self.records[index], Record::Split { .. }))
            .map(|index| (self.replay_keys[index], index))
            .collect();
        keyed.sort_by(|(key_a, a), (key_b, b)| {
            key_a
                .cmp(key_b)
                .then_with(|| self.records[*a].cmp(&self.records[*b]))
        });
        let order: Vec<usize> = keyed.into_iter().map(|(_, index)| index).collect();
        for &index in &order {
            self.step(index);
            let region = self.regions.find(self.ends[index][0]);
            self.regions.set_last(region, index as u32);
        }
        self.union_find.compress_all();
    }

    /// Replays one region: its nodes start as singletons again and its
    /// records are applied in replay order. Nothing outside it changes,
    /// because no link crosses a region's border.
    fn replay_region(&mut self, region: u32) {
        let nodes = self.regions.nodes(region);
        for &node in &nodes {
            self.union_find
                .reset_node(node, self.node_keys[node as usize]);
        }
        let mut order = self.regions.records(region);
        order.sort_by(|&a, &b| self.replay_cmp(a as usize, b as usize));
        for &index in &order {
            self.step(index as usize);
        }
        if let Some(&last) = order.last() {
            self.regions.set_last(region, last);
        }
        for &node in &nodes {
            self.union_find.compress(node);
        }
    }

    /// Applies one record of the replay order.
    fn step(&mut self, index: usize) {
        let [a, b] = self.ends[index];
        let status = match &self.records[index] {
            Record::Identified { .. } => {
                let key = self.node_keys[a as usize].expect("a mark names an identity");
                if self.union_find.mark_identified(a, key) {
                    RecordStatus::Identified
                } else {
                    RecordStatus::AlreadyIdentified
                }
            }
            Record::Link { link, .. } => {
                if link.identified_side().is_some() {
                    let key =
                        self.node_keys[b as usize].expect("the identified side is an identity");
                    self.union_find.mark_identified(b, key);
                }
                let forced = link.is_forced();
                self.join(index, a, b, forced)
            }
            Record::Split { .. } => RecordStatus::Split,
        };
        self.status[index] = status;
    }

    fn join(&mut self, index: usize, a: u32, b: u32, forced: bool) -> RecordStatus {
        if let Some(split) = self.undone_by(index) {
            return RecordStatus::Undone { split };
        }
        let (root_a, root_b) = (self.union_find.find(a), self.union_find.find(b));
        if root_a == root_b {
            return RecordStatus::AlreadyJoined;
        }
        if !forced
            && self.union_find.is_root_identified(root_a)
            && self.union_find.is_root_identified(root_b)
        {
            return RecordStatus::Refused {
                left_canonical: self
                    .union_find
                    .canonical_of_root(root_a)
                    .expect("identified"),
                right_canonical: self
                    .union_find
                    .canonical_of_root(root_b)
                    .expect("identified"),
            };
        }
        self.union_find.union_roots(root_a, root_b);
        RecordStatus::Joined
    }

    /// The split that undoes a link: a split of the edge itself, or the
    /// earliest detach of one of its identities at or after the link's time.
    fn undone_by(&self, index: usize) -> Option<RecordId> {
        if self.undone_edges.is_empty() && self.detaches.is_empty() {
            return None;
        }
        if let Some(&split) = self.undone_edges.get(&(index as u64)) {
            return Some(split);
        }
        let ts_us = self.records[index].reason().ts_us;
        self.ends[index]
            .iter()
            .filter_map(|node| self.detaches.get(node))
            .filter_map(|detaches| {
                detaches
                    .iter()
                    .find(|(split_ts_us, _)| *split_ts_us >= ts_us)
            })
            .min()
            .map(|&(_, split)| split)
    }

    fn outcome(&self, submitted: Submitted) -> Outcome {
        let index = match submitted {
            Submitted::Decided(outcome) => return outcome,
            Submitted::Recorded(index) => index,
        };
        let record = RecordId(index as u64);
        let canonical = || {
            self.canonical_of_node(self.ends[index][0])
                .expect("a link's first end is an identity")
        };
        match self.status[index] {
            RecordStatus::Joined | RecordStatus::Identified => Outcome::Applied {
                record,
                canonical: canonical(),
            },
            RecordStatus::AlreadyJoined => Outcome::NoOp {
                record: Some(record),
                reason: NoOpReason::AlreadyJoined,
            },
            RecordStatus::AlreadyIdentified => Outcome::NoOp {
                record: Some(record),
                reason: NoOpReason::AlreadyIdentified,
            },
            RecordStatus::Refused {
                left_canonical,
                right_canonical,
            } => Outcome::Refused {
                record: Some(record),
                reason: Refusal::BothIdentified {
                    left_canonical,
                    right_canonical,
                },
            },
            RecordStatus::Undone { split } => Outcome::Refused {
                record: Some(record),
                reason: Refusal::Undone { split },
            },
            RecordStatus::Split => unreachable!("links and marks are never splits"),
        }
    }

    /// Joined links that connect two nodes of one component, in order from
    /// `from` to `to` (breadth-first, so a shortest chain).
    pub(crate) fn path_between(&self, from: u32, to: u32) -> Vec<RecordId> {
        let root = self.union_find.find_const(from);
        let mut adjacency: FxHashMap<u32, Vec<(u32, usize)>> = FxHashMap::default();
        for index in self.joined_links_of(root) {
            let [a, b] = self.ends[index];
            adjacency.entry(a).or_default().push((b, index));
            adjacency.entry(b).or_default().push((a, index));
        }
        let mut came_by: FxHashMap<u32, (u32, usize)> = FxHashMap::default();
        let mut queue = VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            if node == to {
                break;
            }
            for &(next, index) in adjacency.get(&node).map_or(&[][..], Vec::as_slice) {
                if next != from && !came_by.contains_key(&next) {
                    came_by.insert(next, (node, index));
                    queue.push_back(next);
                }
            }
        }
        let mut path = Vec::new();
        let mut node = to;
        while node != from {
            let Some(&(previous, index)) = came_by.get(&node) else {
                return Vec::new();
            };
            path.push(RecordId(index as u64));
            node = previous;
        }
        path.reverse();
        path
    }

    /// The joined links inside the component of `root`, in replay order.
    pub(crate) fn joined_links_of(&self, root: u32) -> Vec<usize> {
        let mut links: Vec<usize> = (0..self.records.len())
            .filter(|&index| {
                self.status[index] == RecordStatus::Joined
                    && self.union_find.find_const(self.ends[index][0]) == root
            })
            .collect();
        links.sort_by(|&a, &b| self.replay_cmp(a, b));
        links
    }
}

/// The replay order of two records by index: the cheap key first, the
/// content only on a tie.
fn replay_cmp(keys: &[ReplayKey], records: &[Record], a: usize, b: usize) -> Ordering {
    keys[a]
        .cmp(&keys[b])
        .then_with(|| records[a].cmp(&records[b]))
}

/// Rewrites a column of customer keys to their canonical keys. Rows of one
/// customer usually come together (the store sorts by customer), so a key
/// equal to the previous row's reuses its answer and most rows cost one
/// comparison instead of a map lookup.
pub fn apply_overrides(overrides: &Overrides, keys: &mut [u64]) {
    if overrides.is_empty() {
        return;
    }
    let mut previous: Option<(u64, u64)> = None;
    for key in keys.iter_mut() {
        let canonical = match previous {
            Some((original, canonical)) if original == *key => canonical,
            _ => {
                let canonical = overrides.get(key).copied().unwrap_or(*key);
                previous = Some((*key, canonical));
                canonical
            }
        };
        *key = canonical;
    }
}

fn junk(distinct_id: &str) -> Outcome {
    Outcome::Refused {
        record: None,
        reason: Refusal::JunkIdentity {
            distinct_id: distinct_id.to_string(),
        },
    }
}

fn is_valid_trait_hash(normalised_hash: &str) -> bool {
    !normalised_hash.is_empty()
        && !normalised_hash.chars().any(char::is_whitespace)
        && !is_junk_identity(normalised_hash)
}
