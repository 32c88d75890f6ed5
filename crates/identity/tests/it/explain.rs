//! `explain`: the members, the chain of links to the canonical identity
//! with their reasons, and the links that did not join.

use crate::common::run;
use identity::{RecordId, RecordStatus};
use model::Event;

#[test]
fn explains_the_chain_to_the_canonical_identity() {
    let (graph, outcomes, customers) = run(
        "identify a u1 @1; trait b email h @2; trait a email h @3; identify c u2 @4; identify b u2 @5",
    );
    assert_eq!(
        outcomes,
        "applied applied applied applied refused:identified"
    );
    assert_eq!(customers, "u1{a b u1} u2{c u2}");

    let explanation = graph.explain("b");
    let ids = |records: &[identity::ExplainedRecord]| -> Vec<u64> {
        records.iter().map(|record| record.id.0).collect()
    };
    assert_eq!(explanation.canonical, Event::customer_key("u1"));
    assert_eq!(ids(&explanation.path), [1, 2, 0]);
    assert_eq!(ids(&explanation.joined), [0, 1, 2]);
    assert_eq!(ids(&explanation.not_joined), [4]);
    assert!(explanation.splits.is_empty());
    let members: Vec<(&str, bool)> = explanation
        .members
        .iter()
        .map(|member| (member.distinct_id.as_str(), member.identified))
        .collect();
    assert_eq!(members, [("u1", true), ("a", false), ("b", false)]);

    let key = Event::customer_key;
    let expected = format!(
        "identity \"b\" (key {b}) belongs to customer {u1}
identities:
  \"u1\" (key {u1}) identified
  \"a\" (key {a})
  \"b\" (key {b})
path to the canonical identity:
  #1 shared_trait \"b\" email=h (event \"e1\" at 2 µs) joined
  #2 shared_trait \"a\" email=h (event \"e2\" at 3 µs) joined
  #0 identify \"a\" → \"u1\" (event \"e0\" at 1 µs) joined
links that joined:
  #0 identify \"a\" → \"u1\" (event \"e0\" at 1 µs) joined
  #1 shared_trait \"b\" email=h (event \"e1\" at 2 µs) joined
  #2 shared_trait \"a\" email=h (event \"e2\" at 3 µs) joined
links that did not join:
  #4 identify \"b\" → \"u2\" (event \"e4\" at 5 µs) refused: customers {u1} and {u2} are both identified
",
        a = key("a"),
        b = key("b"),
        u1 = key("u1"),
        u2 = key("u2"),
    );
    assert_eq!(explanation.to_string(), expected);
}

#[test]
fn explains_the_canonical_identity_and_strangers() {
    let (graph, _, _) = run("identify a u1 @1; mark u1 @0");
    let explanation = graph.explain("u1");
    assert!(explanation.path.is_empty());
    assert_eq!(explanation.marks.len(), 1);
    assert_eq!(explanation.marks[0].id, RecordId(1));
    assert_eq!(explanation.marks[0].status, RecordStatus::Identified);

    let stranger = graph.explain("someone-else");
    assert_eq!(stranger.canonical, Event::customer_key("someone-else"));
    assert_eq!(stranger.members.len(), 1);
    assert!(stranger.joined.is_empty() && stranger.not_joined.is_empty());
}
