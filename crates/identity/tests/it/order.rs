//! The customers depend only on the set of calls: random sets of calls
//! applied in random permutations, one at a time or as a batch, and
//! replayed from their log all give the same canonical keys — and the same
//! as a naive reference that follows the documented rules literally.

use crate::common::{Call, apply, options};
use identity::{IdentityGraph, Link, Reason, Record, RecordId, SplitTarget, replay_order};
use model::Event;
use proptest::prelude::*;
use std::collections::BTreeSet;

const IDS: &[&str] = &["a", "b", "c", "d", "u1", "u2", "u3", "x", "null"];

fn id() -> impl Strategy<Value = String> {
    proptest::sample::select(IDS).prop_map(String::from)
}

fn reason() -> impl Strategy<Value = Reason> {
    (0..6i64, 0..3u8).prop_map(|(ts_us, event)| Reason::event(format!("e{event}"), ts_us))
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        3 => (id(), id(), reason()).prop_map(|(anonymous_id, user_id, reason)| {
            Call::Link(Link::Identify { anonymous_id, user_id }, reason)
        }),
        2 => (id(), id(), reason()).prop_map(|(previous_id, new_id, reason)| {
            Call::Link(Link::Alias { previous_id, new_id }, reason)
        }),
        1 => (id(), id(), reason()).prop_map(|(a, b, reason)| Call::Link(Link::Merge { a, b }, reason)),
        2 => (id(), prop_oneof![Just("email"), Just("phone")], 0..3u8, reason()).prop_map(
            |(distinct_id, trait_name, hash, reason)| {
                let link = Link::SharedTrait {
                    distinct_id,
                    trait_name: trait_name.to_string(),
                    normalised_hash: format!("h{hash}"),
                };
                Call::Link(link, reason)
            }
        ),
        1 => (id(), reason()).prop_map(|(id, reason)| Call::Mark(id, reason)),
        1 => (id(), reason()).prop_map(|(id, reason)| Call::Detach(id, reason)),
    ]
}

fn canonical_map(graph: &IdentityGraph) -> Vec<u64> {
    IDS.iter().map(|id| graph.canonical_of(id)).collect()
}

fn sorted_records(graph: &IdentityGraph) -> Vec<Record> {
    let mut records = graph.records().to_vec();
    records.sort();
    records
}

/// The documented rules, followed literally: sets of node names merged in
/// replay order, no union-find, no incremental path.
fn reference(records: &[Record]) -> Vec<u64> {
    let key = Event::customer_key;
    let node_of_identity = |id: &str| format!("id:{id}");
    let mut detaches: Vec<(String, i64)> = Vec::new();
    let mut undone: BTreeSet<usize> = BTreeSet::new();
    for record in records {
        match record {
            Record::Split {
                target: SplitTarget::Identity { distinct_id },
                reason,
            } => detaches.push((distinct_id.clone(), reason.ts_us)),
            Record::Split {
                target: SplitTarget::Edge { edge },
                ..
            } => {
                undone.insert(edge.0 as usize);
            }
            _ => {}
        }
    }
    let mut order: Vec<usize> = (0..records.len())
        .filter(|&index| !matches!(records[index], Record::Split { .. }))
        .collect();
    order.sort_by(|&a, &b| replay_order(&records[a], &records[b]));

    let mut components: Vec<BTreeSet<String>> = Vec::new();
    let mut identified: BTreeSet<String> = BTreeSet::new();
    let component_of = |components: &mut Vec<BTreeSet<String>>, node: &str| -> usize {
        if let Some(index) = components.iter().position(|c| c.contains(node)) {
            return index;
        }
        components.push(BTreeSet::from([node.to_string()]));
        components.len() - 1
    };
    for index in order {
        match &records[index] {
            Record::Identified { distinct_id, .. } => {
                identified.insert(node_of_identity(distinct_id));
            }
            Record::Link { link, reason } => {
                if let Some(id) = link.identified_side() {
                    identified.insert(node_of_identity(id));
                }
                let is_undone = undone.contains(&index)
                    || link.identities().iter().any(|id| {
                        detaches
                            .iter()
                            .any(|(detached, ts_us)| detached == id && *ts_us >= reason.ts_us)
                    });
                if is_undone {
                    continue;
                }
                let (first, second) = match link {
                    Link::Identify {
                        anonymous_id: a,
                        user_id: b,
                    }
                    | Link::Alias {
                        previous_id: a,
                        new_id: b,
                    }
                    | Link::Merge { a, b } => (node_of_identity(a), node_of_identity(b)),
                    Link::SharedTrait {
                        distinct_id,
                        trait_name,
                        normalised_hash,
                    } => (
                        node_of_identity(distinct_id),
                        format!("trait:{trait_name}:{normalised_hash}"),
                    ),
                };
                let left = component_of(&mut components, &first);
                let right = component_of(&mut components, &second);
                if left == right {
                    continue;
                }
                let has_identified =
                    |c: &BTreeSet<String>| c.iter().any(|node| identified.contains(node));
                if !link.is_forced()
                    && has_identified(&components[left])
                    && has_identified(&components[right])
                {
                    continue;
                }
                let moved = std::mem::take(&mut components[right]);
                components[left].extend(moved);
            }
            Record::Split { .. } => unreachable!("splits are not replayed"),
        }
    }
    IDS.iter()
        .map(|id| {
            let node = node_of_identity(id);
            let Some(component) = components.iter().find(|c| c.contains(&node)) else {
                return key(id);
            };
            let keys_of = |only_identified: bool| {
                component
                    .iter()
                    .filter(|node| node.starts_with("id:"))
                    .filter(|node| !only_identified || identified.contains(*node))
                    .map(|node| key(&node[3..]))
                    .min()
            };
            keys_of(true)
                .or(keys_of(false))
                .expect("the component holds this identity")
        })
        .collect()
}

fn build(calls: &[Call]) -> IdentityGraph {
    let mut graph = IdentityGraph::new(options());
    for call in calls {
        apply(&mut graph, call);
    }
    graph
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn customers_do_not_depend_on_arrival_order(
        (calls, shuffled) in proptest::collection::vec(call(), 0..30)
            .prop_flat_map(|calls| (Just(calls.clone()), Just(calls).prop_shuffle()))
    ) {
        let graph = build(&calls);
        let other = build(&shuffled);
        prop_assert_eq!(sorted_records(&graph), sorted_records(&other));
        prop_assert_eq!(canonical_map(&graph), canonical_map(&other));
        prop_assert_eq!(graph.overrides(), other.overrides());
        prop_assert_eq!(canonical_map(&graph), reference(graph.records()));

        // The links as one batch, and the log replayed, agree too.
        let mut batch = IdentityGraph::new(options());
        let mut later = Vec::new();
        let links: Vec<(Link, Reason)> = shuffled
            .iter()
            .filter_map(|call| match call {
                Call::Link(link, reason) => Some((link.clone(), reason.clone())),
                other => {
                    later.push(other.clone());
                    None
                }
            })
            .collect();
        batch.link_all(links);
        for call in &later {
            apply(&mut batch, call);
        }
        prop_assert_eq!(canonical_map(&batch), canonical_map(&graph));
        let replayed = IdentityGraph::from_records(options(), other.records().to_vec())
            .expect("own records replay");
        prop_assert_eq!(canonical_map(&replayed), canonical_map(&graph));
    }

    #[test]
    fn split_edges_match_the_reference(
        calls in proptest::collection::vec(call(), 1..30),
        splits in proptest::collection::vec(0..30u64, 0..4),
    ) {
        let mut graph = build(&calls);
        for edge in splits {
            // Record ids that are no link are refused and record nothing.
            let _ = graph.split_edge(RecordId(edge), Reason::call("admin", 9));
        }
        prop_assert_eq!(canonical_map(&graph), reference(graph.records()));
        let overrides = graph.overrides();
        for id in IDS {
            let key = Event::customer_key(id);
            let canonical = graph.canonical(key);
            prop_assert_eq!(overrides.get(&key).copied().unwrap_or(key), canonical);
        }
    }
}
