//! Paths (PostHog user paths, improved): each session of a journey is one
//! path of touchpoint nodes keyed by position (`"1_faq_page"`); the result
//! is a Sankey graph whose totals add up.
//!
//! # Semantics
//!
//! - Sessions: a gap of `session_gap_us` or more between two events starts
//!   a new session (PostHog splits where the difference is not below its
//!   30-minute threshold).
//! - Names are cleaned per touchpoint once: every cleaning rule, in order,
//!   replaces all matches of its regex (PostHog `replaceRegexpAll`; the
//!   replacement uses the `regex` crate's `$1` syntax); then the first
//!   wildcard group whose glob matches the *whole* cleaned name replaces it
//!   (PostHog matches the glob anywhere in the name).
//! - Consecutive duplicates after cleaning collapse into one node. An edge's
//!   duration runs from the last event of the source run to the first event
//!   of the target run: the time from leaving one node to reaching the next
//!   (PostHog times both ends by the last event of each run).
//! - Start point: the path begins at the first occurrence of that node in
//!   the session and keeps its first `max_steps` nodes. End point: the path
//!   ends at the first occurrence of that node and keeps the last
//!   `max_steps` nodes before it, numbered from 1 (PostHog `arrayResize`
//!   then `arraySlice(-limit)`). Both: from the first start to the first end
//!   after it; longer paths keep their first ⌈(max_steps−1)/2⌉ and last
//!   ⌊(max_steps−1)/2⌋ nodes around a `"..."` node that spans the hidden
//!   nodes' times. Sessions without the points are left out.
//! - Edges are ranked by paths (then position and names); the top
//!   `edge_limit` are kept. A path that takes an edge outside them continues
//!   through the `"(other)"` node of each later position, so every path is
//!   still counted once from its start to its end.
//! - Every node has `paths = outflow + drop_off`, and for nodes after
//!   position 1 `paths` is also the sum of its incoming edges. A path's end is
//!   an explicit drop-off edge to `"{position + 1}_(drop-off)"` (the session
//!   ended, or `max_steps` was reached).

#[cfg(test)]
mod tests;

use crate::funnel::DurationStats;
use crate::{Accumulator, Journey};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// The node of paths that left the kept edges.
pub const OTHER_NODE: &str = "(other)";
/// The target of drop-off edges.
pub const DROP_OFF_NODE: &str = "(drop-off)";
/// The node that stands for the middle of a long start-to-end path.
pub const ELLIPSIS_NODE: &str = "...";
/// The node of touchpoint ids the names did not cover.
pub const UNKNOWN_NODE: &str = "(unknown)";

const RESERVED: [&str; 4] = [OTHER_NODE, DROP_OFF_NODE, ELLIPSIS_NODE, UNKNOWN_NODE];

/// A regex replacement applied to touchpoint names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleaningRule {
    pub pattern: String,
    pub replacement: String,
}

/// A paths query as a user states it; [`PathsSpec::validate`] turns it
/// into [`Paths`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathsSpec {
    #[serde(default = "default_session_gap_us")]
    pub session_gap_us: i64,
    #[serde(default)]
    pub start_point: Option<String>,
    #[serde(default)]
    pub end_point: Option<String>,
    #[serde(default)]
    pub cleaning_rules: Vec<CleaningRule>,
    /// Globs such as `"help_*"`; names they match become one node.
    #[serde(default)]
    pub wildcard_groups: Vec<String>,
    #[serde(default = "default_max_steps")]
    pub max_steps: usize,
    #[serde(default = "default_edge_limit")]
    pub edge_limit: usize,
    #[serde(default = "default_histogram_bins")]
    pub histogram_bins: usize,
}

fn default_session_gap_us() -> i64 {
    30 * 60 * 1_000_000
}

fn default_max_steps() -> usize {
    5
}

fn default_edge_limit() -> usize {
    50
}

fn default_histogram_bins() -> usize {
    5
}

impl Default for PathsSpec {
    fn default() -> PathsSpec {
        PathsSpec {
            session_gap_us: default_session_gap_us(),
            start_point: None,
            end_point: None,
            cleaning_rules: Vec::new(),
            wildcard_groups: Vec::new(),
            max_steps: default_max_steps(),
            edge_limit: default_edge_limit(),
            histogram_bins: default_histogram_bins(),
        }
    }
}

/// Why a [`PathsSpec`] was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathsError {
    NonPositiveSessionGap { session_gap_us: i64 },
    ZeroMaxSteps,
    MaxStepsTooSmallForStartAndEnd { max_steps: usize },
    ZeroHistogramBins,
    InvalidPattern { pattern: String, message: String },
    EmptyWildcardGroup,
    UnknownPoint { point: String },
    ReservedName { name: String },
}

impl fmt::Display for PathsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PathsError::*;
        match self {
            NonPositiveSessionGap { session_gap_us } => {
                write!(f, "session gap must be positive, not {session_gap_us} µs")
            }
            ZeroMaxSteps => write!(f, "paths need at least one step"),
            MaxStepsTooSmallForStartAndEnd { max_steps } => write!(
                f,
                "{max_steps} steps cannot show a start point, \"...\" and an end point; use at least 3"
            ),
            ZeroHistogramBins => write!(f, "histograms need at least one bin"),
            InvalidPattern { pattern, message } => {
                write!(f, "cleaning rule {pattern:?}: {message}")
            }
            EmptyWildcardGroup => write!(f, "a wildcard group is empty"),
            UnknownPoint { point } => write!(f, "no touchpoint becomes the path point {point:?}"),
            ReservedName { name } => write!(f, "{name:?} is reserved for paths' own nodes"),
        }
    }
}

impl std::error::Error for PathsError {}

/// A validated paths query: each touchpoint id's node label, precomputed.
#[derive(Debug, Clone)]
pub struct Paths {
    session_gap_us: i64,
    /// Label id of each touchpoint id.
    label_of: Vec<u32>,
    /// Label names: cleaned touchpoint names, then the reserved nodes.
    labels: Vec<String>,
    unknown_label: u32,
    ellipsis_label: u32,
    other_label: u32,
    start_label: Option<u32>,
    end_label: Option<u32>,
    max_steps: usize,
    edge_limit: usize,
    histogram_bins: usize,
}

impl PathsSpec {
    /// [`PathsSpec::validate`] against the catalog's touchpoint names.
    pub fn validate_in(&self, catalog: &model::Catalog) -> Result<Paths, PathsError> {
        self.validate(&crate::funnel::catalog_names(catalog))
    }

    /// Checks the spec and cleans every touchpoint name (indexed by
    /// `TouchpointId`) once.
    pub fn validate(&self, touchpoint_names: &[String]) -> Result<Paths, PathsError> {
        self.check_limits()?;
        let rules = self.compile_rules()?;
        let groups = self.compile_groups()?;
        let mut labels: Vec<String> = Vec::new();
        let mut label_ids: HashMap<String, u32> = HashMap::new();
        let mut label_of = Vec::with_capacity(touchpoint_names.len());
        for name in touchpoint_names {
            let label = clean_name(name, &rules, &groups);
            if RESERVED.contains(&label.as_str()) {
                return Err(PathsError::ReservedName { name: label });
            }
            let next_id = labels.len() as u32;
            let id = *label_ids.entry(label.clone()).or_insert_with(|| {
                labels.push(label);
                next_id
            });
            label_of.push(id);
        }
        let point = |point: &Option<String>| -> Result<Option<u32>, PathsError> {
            point
                .as_ref()
                .map(|name| {
                    label_ids
                        .get(name)
                        .copied()
                        .ok_or_else(|| PathsError::UnknownPoint {
                            point: name.clone(),
                        })
                })
                .transpose()
        };
        let (start_label, end_label) = (point(&self.start_point)?, point(&self.end_point)?);
        let first_reserved = labels.len() as u32;
        labels.extend([UNKNOWN_NODE, ELLIPSIS_NODE, OTHER_NODE].map(str::to_string));
        Ok(Paths {
            session_gap_us: self.session_gap_us,
            label_of,
            labels,
            unknown_label: first_reserved,
            ellipsis_label: first_reserved + 1,
            other_label: first_reserved + 2,
            start_label,
            end_label,
            max_steps: self.max_steps,
            edge_limit: self.edge_limit,
            histogram_bins: self.histogram_bins,
        })
    }

    fn check_limits(&self) -> Result<(), PathsError> {
        if self.session_gap_us <= 0 {
            return Err(PathsError::NonPositiveSessionGap {
                session_gap_us: self.session_gap_us,
            });
        }
        if self.max_steps == 0 {
            return Err(PathsError::ZeroMaxSteps);
        }
        if self.start_point.is_some() && self.end_point.is_some() && self.max_steps < 3 {
            return Err(PathsError::MaxStepsTooSmallForStartAndEnd {
                max_steps: self.max_steps,
            });
        }
        if self.histogram_bins == 0 {
            return Err(PathsError::ZeroHistogramBins);
        }
        Ok(())
    }

    fn compile_rules(&self) -> Result<Vec<(Regex, &str)>, PathsError> {
        self.cleaning_rules
            .iter()
            .map(|rule| {
                Regex::new(&rule.pattern)
                    .map(|regex| (regex, rule.replacement.as_str()))
                    .map_err(|error| PathsError::InvalidPattern {
                        pattern: rule.pattern.clone(),
                        message: error.to_string(),
                    })
            })
            .collect()
    }

    /// Each glob as an anchored regex: `*` matches anything, the rest
    /// literally.
    fn compile_groups(&self) -> Result<Vec<(Regex, &str)>, PathsError> {
        self.wildcard_groups
            .iter()
            .map(|glob| {
                if glob.is_empty() {
                    return Err(PathsError::EmptyWildcardGroup);
                }
                let body: Vec<String> = glob.split('*').map(regex::escape).collect();
                let regex = Regex::new(&format!("^(?s:{})$", body.join(".*")))
                    .expect("escaped literals joined by .* form a valid regex");
                Ok((regex, glob.as_str()))
            })
            .collect()
    }
}

fn clean_name(name: &str, rules: &[(Regex, &str)], groups: &[(Regex, &str)]) -> String {
    let mut cleaned = name.to_string();
    for (regex, replacement) in rules {
        cleaned = regex.replace_all(&cleaned, *replacement).into_owned();
    }
    match groups.iter().find(|(regex, _)| regex.is_match(&cleaned)) {
        Some((_, glob)) => glob.to_string(),
        None => cleaned,
    }
}

impl Paths {
    fn label(&self, touchpoint: model::TouchpointId) -> u32 {
        self.label_of
            .get(touchpoint.index())
            .copied()
            .unwrap_or(self.unknown_label)
    }

    fn name(&self, label: u32) -> &str {
        &self.labels[label as usize]
    }

    /// Cuts a collapsed session to the displayed path, per the start and
    /// end points and `max_steps` into `path`; false when the session lacks
    /// a point.
    fn cut(&self, session: &[Visit], path: &mut Vec<Visit>) -> bool {
        path.clear();
        let find =
            |nodes: &[Visit], label: u32| nodes.iter().position(|visit| visit.label == label);
        let from = match self.start_label {
            Some(start) => match find(session, start) {
                Some(idx) => idx,
                None => return false,
            },
            None => 0,
        };
        let session = &session[from..];
        let Some(end) = self.end_label else {
            path.extend_from_slice(&session[..session.len().min(self.max_steps)]);
            return true;
        };
        let Some(end_idx) = find(session, end) else {
            return false;
        };
        let session = &session[..=end_idx];
        if self.start_label.is_none() || session.len() <= self.max_steps {
            path.extend_from_slice(&session[session.len().saturating_sub(self.max_steps)..]);
            return true;
        }
        let head = self.max_steps / 2;
        let tail = (self.max_steps - 1) / 2;
        path.extend_from_slice(&session[..head]);
        let hidden = &session[head..session.len() - tail];
        path.push(Visit {
            label: self.ellipsis_label,
            first_us: hidden[0].first_us,
            last_us: hidden[hidden.len() - 1].last_us,
        });
        path.extend_from_slice(&session[session.len() - tail..]);
        true
    }
}

/// One node of a session: a run of events with the same label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Visit {
    label: u32,
    first_us: i64,
    last_us: i64,
}

/// Every displayed path, flat: appending a session allocates nothing once
/// the vectors have grown, and merging is concatenation.
#[derive(Debug, Clone, Default, PartialEq)]
struct Sessions {
    /// Node labels of all paths, one after another.
    labels: Vec<u32>,
    /// End of each path in `labels`.
    ends: Vec<usize>,
    /// Edge durations of all paths, one after another (one fewer per path
    /// than labels).
    durations_us: Vec<i64>,
    customers: Vec<u64>,
}

impl Sessions {
    fn push(&mut self, customer: u64, path: &[Visit]) {
        self.labels.extend(path.iter().map(|visit| visit.label));
        self.ends.push(self.labels.len());
        self.durations_us.extend(
            path.windows(2)
                .map(|pair| pair[1].first_us - pair[0].last_us),
        );
        self.customers.push(customer);
    }

    fn append(&mut self, other: Sessions) {
        let offset = self.labels.len();
        self.labels.extend(other.labels);
        self.ends
            .extend(other.ends.into_iter().map(|end| end + offset));
        self.durations_us.extend(other.durations_us);
        self.customers.extend(other.customers);
    }

    /// (labels, edge durations, customer) of each path.
    fn iter(&self) -> impl Iterator<Item = (&[u32], &[i64], u64)> + '_ {
        self.ends.iter().enumerate().map(|(idx, &end)| {
            let start = if idx == 0 { 0 } else { self.ends[idx - 1] };
            // Each earlier path has one duration fewer than labels.
            let durations = &self.durations_us[start - idx..end - idx - 1];
            (&self.labels[start..end], durations, self.customers[idx])
        })
    }
}

/// The mergeable paths kernel.
#[derive(Debug)]
pub struct PathsAccumulator {
    paths: Arc<Paths>,
    sessions: Sessions,
    session: Vec<Visit>,
    path: Vec<Visit>,
}

impl PathsAccumulator {
    pub fn new(paths: Arc<Paths>) -> PathsAccumulator {
        PathsAccumulator {
            paths,
            sessions: Sessions::default(),
            session: Vec::new(),
            path: Vec::new(),
        }
    }

    fn flush_session(&mut self, customer: u64) {
        if !self.session.is_empty() && self.paths.cut(&self.session, &mut self.path) {
            self.sessions.push(customer, &self.path);
        }
        self.session.clear();
    }
}

impl Accumulator for PathsAccumulator {
    type Output = PathsResult;

    fn observe(&mut self, journey: &Journey<'_>) {
        self.session.clear();
        let mut previous_us = None;
        for (&ts_us, &touchpoint) in journey.ts_us.iter().zip(journey.touchpoint) {
            if previous_us.is_some_and(|previous: i64| {
                ts_us.saturating_sub(previous) >= self.paths.session_gap_us
            }) {
                self.flush_session(journey.customer);
            }
            previous_us = Some(ts_us);
            let label = self.paths.label(touchpoint);
            match self.session.last_mut() {
                Some(last) if last.label == label => last.last_us = ts_us,
                _ => self.session.push(Visit {
                    label,
                    first_us: ts_us,
                    last_us: ts_us,
                }),
            }
        }
        self.flush_session(journey.customer);
    }

    fn merge(&mut self, other: Self) {
        self.sessions.append(other.sessions);
    }

    fn finish(self) -> PathsResult {
        Graph::build(&self.paths, &self.sessions).result(&self.paths)
    }
}

/// The Sankey graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathsResult {
    pub nodes: Vec<PathNode>,
    /// Transitions first by count, then drop-offs by count.
    pub edges: Vec<PathEdge>,
    /// Paths (sessions with a displayed path).
    pub paths: u64,
    /// Distinct customers with a path.
    pub customers: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathNode {
    /// `"{position}_{name}"`.
    pub key: String,
    pub name: String,
    /// 1-based.
    pub position: usize,
    /// Paths through the node.
    pub paths: u64,
    /// Paths that continue to a next node.
    pub outflow: u64,
    /// Paths that end here.
    pub drop_off: u64,
    pub customers: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    Transition,
    DropOff,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathEdge {
    pub source: String,
    pub target: String,
    pub kind: EdgeKind,
    /// Paths along the edge.
    pub count: u64,
    /// Distinct customers along the edge.
    pub customers: u64,
    /// Time between the two nodes; `None` for drop-offs.
    pub duration: Option<DurationStats>,
}

#[derive(Debug, Default)]
struct Tally {
    count: u64,
    customers: Vec<u64>,
    durations_us: Vec<i64>,
}

impl Tally {
    fn add(&mut self, customer: u64) {
        self.count += 1;
        self.customers.push(customer);
    }

    fn distinct_customers(&mut self) -> u64 {
        self.customers.sort_unstable();
        self.customers.dedup();
        self.customers.len() as u64
    }
}

/// A multiply-rotate hasher for the small integer keys of the graph maps,
/// several times cheaper than SipHash. The keys are not attacker-chosen
/// strings, so hash flooding is no concern.
#[derive(Debug, Default, Clone, Copy)]
struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// (position, label) of a node.
type NodeKey = (usize, u32);

/// The graph after folding: nodes, transitions keyed by their source node
/// and target label, and drop-offs keyed by node.
#[derive(Debug, Default)]
struct Graph {
    nodes: IntMap<NodeKey, Tally>,
    transitions: IntMap<(NodeKey, u32), Tally>,
    drop_offs: IntMap<NodeKey, Tally>,
    all_customers: Vec<u64>,
    n_paths: u64,
}

impl Graph {
    fn build(paths: &Paths, sessions: &Sessions) -> Graph {
        let kept = kept_edges(paths, sessions);
        let mut graph = Graph::default();
        let mut folded: Vec<u32> = Vec::new();
        for (labels, durations_us, customer) in sessions.iter() {
            fold_path(paths, labels, &kept, &mut folded);
            graph.add_path(&folded, durations_us, customer);
        }
        graph
    }

    fn add_path(&mut self, labels: &[u32], durations_us: &[i64], customer: u64) {
        self.n_paths += 1;
        self.all_customers.push(customer);
        for (idx, &label) in labels.iter().enumerate() {
            let node = (idx + 1, label);
            self.nodes.entry(node).or_default().add(customer);
            match labels.get(idx + 1) {
                Some(&next) => {
                    let transition = self.transitions.entry((node, next)).or_default();
                    transition.add(customer);
                    transition.durations_us.push(durations_us[idx]);
                }
                None => self.drop_offs.entry(node).or_default().add(customer),
            }
        }
    }

    fn result(mut self, paths: &Paths) -> PathsResult {
        let mut edges = self.transition_edges(paths);
        edges.extend(self.drop_off_edges(paths));
        edges.sort_by(|a, b| edge_order(a).cmp(&edge_order(b)));
        let mut nodes = self.nodes(paths);
        nodes.sort_by(|a, b| {
            (a.position, std::cmp::Reverse(a.paths), &a.name).cmp(&(
                b.position,
                std::cmp::Reverse(b.paths),
                &b.name,
            ))
        });
        self.all_customers.sort_unstable();
        self.all_customers.dedup();
        PathsResult {
            nodes,
            edges,
            paths: self.n_paths,
            customers: self.all_customers.len() as u64,
        }
    }

    fn transition_edges(&mut self, paths: &Paths) -> Vec<PathEdge> {
        self.transitions
            .iter_mut()
            .map(|((source, target), tally)| PathEdge {
                source: node_key(paths, *source),
                target: node_key(paths, (source.0 + 1, *target)),
                kind: EdgeKind::Transition,
                count: tally.count,
                customers: tally.distinct_customers(),
                duration: Some(DurationStats::of(
                    &mut tally.durations_us,
                    paths.histogram_bins,
                )),
            })
            .collect()
    }

    fn drop_off_edges(&mut self, paths: &Paths) -> Vec<PathEdge> {
        self.drop_offs
            .iter_mut()
            .map(|(source, tally)| PathEdge {
                source: node_key(paths, *source),
                target: format!("{}_{DROP_OFF_NODE}", source.0 + 1),
                kind: EdgeKind::DropOff,
                count: tally.count,
                customers: tally.distinct_customers(),
                duration: None,
            })
            .collect()
    }

    fn nodes(&mut self, paths: &Paths) -> Vec<PathNode> {
        let mut outflow: IntMap<NodeKey, u64> = IntMap::default();
        for ((source, _), tally) in &self.transitions {
            *outflow.entry(*source).or_default() += tally.count;
        }
        let drop_offs = &self.drop_offs;
        self.nodes
            .iter_mut()
            .map(|(node, tally)| PathNode {
                key: node_key(paths, *node),
                name: paths.name(node.1).to_string(),
                position: node.0,
                paths: tally.count,
                outflow: outflow.get(node).copied().unwrap_or(0),
                drop_off: drop_offs.get(node).map_or(0, |drop| drop.count),
                customers: tally.distinct_customers(),
            })
            .collect()
    }
}

fn node_key(paths: &Paths, (position, label): NodeKey) -> String {
    format!("{position}_{}", paths.name(label))
}

/// Transitions before drop-offs, each by count (most first), then keys.
fn edge_order(edge: &PathEdge) -> (bool, std::cmp::Reverse<u64>, &str, &str) {
    (
        edge.kind == EdgeKind::DropOff,
        std::cmp::Reverse(edge.count),
        &edge.source,
        &edge.target,
    )
}

/// An edge before folding: (source position, source label, target label).
type EdgeKey = (usize, u32, u32);

/// The `edge_limit` edges with most paths (ties: earlier position, then
/// source and target names).
fn kept_edges(paths: &Paths, sessions: &Sessions) -> IntMap<EdgeKey, ()> {
    let mut counts: IntMap<EdgeKey, u64> = IntMap::default();
    for (labels, _, _) in sessions.iter() {
        for (idx, pair) in labels.windows(2).enumerate() {
            *counts.entry((idx + 1, pair[0], pair[1])).or_default() += 1;
        }
    }
    let mut ranked: Vec<(EdgeKey, u64)> = counts.into_iter().collect();
    ranked.sort_by(|(a, count_a), (b, count_b)| {
        let rank = |(position, source, target): EdgeKey, count: u64| {
            (
                std::cmp::Reverse(count),
                position,
                paths.name(source),
                paths.name(target),
            )
        };
        rank(*a, *count_a).cmp(&rank(*b, *count_b))
    });
    ranked
        .into_iter()
        .take(paths.edge_limit)
        .map(|(edge, _)| (edge, ()))
        .collect()
}

/// The path as displayed: after its first edge outside `kept`, every node
/// is the position's "(other)" node.
fn fold_path(paths: &Paths, labels: &[u32], kept: &IntMap<EdgeKey, ()>, folded: &mut Vec<u32>) {
    folded.clear();
    folded.push(labels[0]);
    let mut diverted = false;
    for (idx, pair) in labels.windows(2).enumerate() {
        diverted = diverted || !kept.contains_key(&(idx + 1, pair[0], pair[1]));
        folded.push(if diverted { paths.other_label } else { pair[1] });
    }
}
