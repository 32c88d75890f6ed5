//! A naive paths analysis, written as plainly as possible to check the
//! kernel: names cleaned per event, sessions and paths as vectors of
//! strings, every count in a `BTreeMap`.

use crate::funnel_paths_support::OwnedJourney;
use crate::funnel_reference::stats;
use journey::paths::{EdgeKind, PathEdge, PathNode, PathsResult, PathsSpec};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};

/// `*` matches any run of characters; the glob must match the whole text.
fn glob_matches(glob: &[char], text: &[char]) -> bool {
    match glob.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| glob_matches(rest, &text[skip..])),
        Some((c, rest)) => text.first() == Some(c) && glob_matches(rest, &text[1..]),
    }
}

pub fn label(spec: &PathsSpec, names: &[String], touchpoint: u32) -> String {
    let Some(name) = names.get(touchpoint as usize) else {
        return "(unknown)".to_string();
    };
    let mut cleaned = name.clone();
    for rule in &spec.cleaning_rules {
        cleaned = Regex::new(&rule.pattern)
            .unwrap()
            .replace_all(&cleaned, rule.replacement.as_str())
            .to_string();
    }
    let chars: Vec<char> = cleaned.chars().collect();
    for group in &spec.wildcard_groups {
        if glob_matches(&group.chars().collect::<Vec<_>>(), &chars) {
            return group.clone();
        }
    }
    cleaned
}

/// (label, first µs, last µs) of one node of a session.
type Visit = (String, i64, i64);

fn sessions(spec: &PathsSpec, names: &[String], journey: &OwnedJourney) -> Vec<Vec<Visit>> {
    let mut sessions: Vec<Vec<Visit>> = Vec::new();
    for idx in 0..journey.ts_us.len() {
        let ts = journey.ts_us[idx];
        if idx == 0 || ts - journey.ts_us[idx - 1] >= spec.session_gap_us {
            sessions.push(Vec::new());
        }
        let session = sessions.last_mut().unwrap();
        let name = label(spec, names, journey.touchpoint[idx].0);
        match session.last_mut() {
            Some(last) if last.0 == name => last.2 = ts,
            _ => session.push((name, ts, ts)),
        }
    }
    sessions
}

fn cut(spec: &PathsSpec, session: &[Visit]) -> Option<Vec<Visit>> {
    let max = spec.max_steps;
    let mut path = session.to_vec();
    if let Some(start) = &spec.start_point {
        let first = path.iter().position(|visit| &visit.0 == start)?;
        path = path[first..].to_vec();
    }
    let Some(end) = &spec.end_point else {
        path.truncate(max);
        return Some(path);
    };
    let end_idx = path.iter().position(|visit| &visit.0 == end)?;
    path.truncate(end_idx + 1);
    if spec.start_point.is_none() || path.len() <= max {
        let skip = path.len().saturating_sub(max);
        return Some(path[skip..].to_vec());
    }
    let (head, tail) = (max / 2, (max - 1) / 2);
    let hidden = &path[head..path.len() - tail];
    let ellipsis = ("...".to_string(), hidden[0].1, hidden[hidden.len() - 1].2);
    let mut elided = path[..head].to_vec();
    elided.push(ellipsis);
    elided.extend_from_slice(&path[path.len() - tail..]);
    Some(elided)
}

fn key(position: usize, name: &str) -> String {
    format!("{position}_{name}")
}

#[derive(Default)]
struct Tally {
    count: u64,
    customers: BTreeSet<u64>,
    durations: Vec<i64>,
}

fn displayed_paths(
    spec: &PathsSpec,
    names: &[String],
    journeys: &[OwnedJourney],
) -> Vec<(u64, Vec<Visit>)> {
    let mut paths = Vec::new();
    for journey in journeys {
        for session in sessions(spec, names, journey) {
            if let Some(path) = cut(spec, &session) {
                paths.push((journey.customer, path));
            }
        }
    }
    paths
}

fn kept_edges(spec: &PathsSpec, paths: &[(u64, Vec<Visit>)]) -> BTreeSet<(usize, String, String)> {
    let mut edge_counts: BTreeMap<(usize, String, String), u64> = BTreeMap::new();
    for (_, path) in paths {
        for idx in 1..path.len() {
            *edge_counts
                .entry((idx, path[idx - 1].0.clone(), path[idx].0.clone()))
                .or_default() += 1;
        }
    }
    let mut ranked: Vec<_> = edge_counts.into_iter().collect();
    ranked.sort_by(|(a, count_a), (b, count_b)| (count_b, a).cmp(&(count_a, b)));
    ranked
        .into_iter()
        .take(spec.edge_limit)
        .map(|(edge, _)| edge)
        .collect()
}

#[derive(Default)]
struct Graph {
    nodes: BTreeMap<(usize, String), Tally>,
    transitions: BTreeMap<(usize, String, String), Tally>,
    drop_offs: BTreeMap<(usize, String), Tally>,
}

impl Graph {
    fn add(&mut self, customer: u64, path: &[Visit], shown: &[String]) {
        for idx in 0..shown.len() {
            let node = self.nodes.entry((idx + 1, shown[idx].clone())).or_default();
            node.count += 1;
            node.customers.insert(customer);
            if idx + 1 == shown.len() {
                let drop = self
                    .drop_offs
                    .entry((idx + 1, shown[idx].clone()))
                    .or_default();
                drop.count += 1;
                drop.customers.insert(customer);
            } else {
                let edge = self
                    .transitions
                    .entry((idx + 1, shown[idx].clone(), shown[idx + 1].clone()))
                    .or_default();
                edge.count += 1;
                edge.customers.insert(customer);
                edge.durations.push(path[idx + 1].1 - path[idx].2);
            }
        }
    }

    fn edges(&self, spec: &PathsSpec) -> Vec<PathEdge> {
        let mut edges: Vec<PathEdge> = Vec::new();
        for ((position, source, target), tally) in &self.transitions {
            edges.push(PathEdge {
                source: key(*position, source),
                target: key(position + 1, target),
                kind: EdgeKind::Transition,
                count: tally.count,
                customers: tally.customers.len() as u64,
                duration: Some(stats(tally.durations.clone(), spec.histogram_bins)),
            });
        }
        for ((position, source), tally) in &self.drop_offs {
            edges.push(PathEdge {
                source: key(*position, source),
                target: key(position + 1, "(drop-off)"),
                kind: EdgeKind::DropOff,
                count: tally.count,
                customers: tally.customers.len() as u64,
                duration: None,
            });
        }
        edges.sort_by_key(|edge| {
            (
                edge.kind == EdgeKind::DropOff,
                u64::MAX - edge.count,
                edge.source.clone(),
                edge.target.clone(),
            )
        });
        edges
    }

    fn nodes(&self) -> Vec<PathNode> {
        let mut nodes: Vec<PathNode> = self
            .nodes
            .iter()
            .map(|((position, name), tally)| PathNode {
                key: key(*position, name),
                name: name.clone(),
                position: *position,
                paths: tally.count,
                outflow: self
                    .transitions
                    .iter()
                    .filter(|((p, source, _), _)| p == position && source == name)
                    .map(|(_, edge)| edge.count)
                    .sum(),
                drop_off: self
                    .drop_offs
                    .get(&(*position, name.clone()))
                    .map_or(0, |drop| drop.count),
                customers: tally.customers.len() as u64,
            })
            .collect();
        nodes.sort_by_key(|node| (node.position, u64::MAX - node.paths, node.name.clone()));
        nodes
    }
}

pub fn reference(spec: &PathsSpec, names: &[String], journeys: &[OwnedJourney]) -> PathsResult {
    let paths = displayed_paths(spec, names, journeys);
    let kept = kept_edges(spec, &paths);
    let mut graph = Graph::default();
    let mut customers = BTreeSet::new();
    for (customer, path) in &paths {
        customers.insert(*customer);
        let mut shown: Vec<String> = vec![path[0].0.clone()];
        for idx in 1..path.len() {
            let diverted = shown[idx - 1] == "(other)"
                || !kept.contains(&(idx, path[idx - 1].0.clone(), path[idx].0.clone()));
            shown.push(if diverted {
                "(other)".to_string()
            } else {
                path[idx].0.clone()
            });
        }
        graph.add(*customer, path, &shown);
    }
    PathsResult {
        nodes: graph.nodes(),
        edges: graph.edges(spec),
        paths: paths.len() as u64,
        customers: customers.len() as u64,
    }
}
