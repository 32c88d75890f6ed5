//! The linking rules as one-line scripts. Keys by size (FNV-1a):
//! u1 < u2 < u3 < d < a < c < b < w < y < x < z, so the canonical identity
//! of a customer is the first of these among its identified identities,
//! else among all.

use crate::common::{run, unescape};
use identity::{IdentityGraph, Link, Outcome, Reason, RecordId, RecordStatus, is_junk_identity};

#[track_caller]
fn check(script: &str, expected_outcomes: &str, expected_customers: &str) {
    let (_, outcomes, customers) = run(script);
    assert_eq!(outcomes, expected_outcomes, "outcomes of {script:?}");
    assert_eq!(customers, expected_customers, "customers of {script:?}");
}

#[test]
fn identify_joins_anonymous_to_user() {
    check("identify a u1 @1", "applied", "u1{a u1}");
    check(
        "identify b u2 @1; identify c u2 @2",
        "applied applied",
        "u2{b c u2}",
    );
    // The user is canonical even though the anonymous id would be smaller
    // among the anonymous ones: identified keys come first.
    check("identify u1 z @1", "applied", "z{u1 z}");
    check(
        "identify a u1 @1; identify a u1 @2",
        "applied noop:joined",
        "u1{a u1}",
    );
    // identify(x, x) only marks x identified, which then refuses x's merge.
    check(
        "identify x x @1; identify x u1 @2",
        "applied refused:identified",
        "u1{u1} x{x}",
    );
}

#[test]
fn identified_customers_are_never_merged_away_by_identify() {
    // The earlier login wins, whatever the arrival order.
    check(
        "identify a u1 @1; identify a u2 @2",
        "applied refused:identified",
        "u1{a u1} u2{u2}",
    );
    check(
        "identify a u2 @2; identify a u1 @1",
        "applied applied",
        "u1{a u1} u2{u2}",
    );
    check(
        "mark u1 @1; identify u1 u2 @2",
        "applied refused:identified",
        "u1{u1} u2{u2}",
    );
    // Before u1 is identified it may still be merged into u2.
    check(
        "identify u1 u2 @1; mark u1 @2",
        "applied applied",
        "u1{u1 u2}",
    );
    check("mark d @1; mark d @2", "applied noop:identified", "d{d}");
}

#[test]
fn alias_marks_the_new_id_and_refuses_identified_previous_ids() {
    check("alias a b @1", "applied", "b{a b}");
    check("alias a b @1; alias c a @2", "applied applied", "a{a b c}");
    check(
        "identify a u1 @1; alias u1 u2 @2",
        "applied refused:identified",
        "u1{a u1} u2{u2}",
    );
    check(
        "alias a b @1; alias a c @2",
        "applied refused:identified",
        "b{a b} c{c}",
    );
}

#[test]
fn merge_joins_identified_customers() {
    check(
        "identify a u1 @1; identify b u2 @2; merge u2 u1 @3",
        "applied applied applied",
        "u1{a b u1 u2}",
    );
    check(
        "merge x y @1; merge y x @2",
        "applied noop:joined",
        "y{x y}",
    );
    check("merge x x @1", "noop:same", "x{x}");
    check("alias x x @1", "noop:same", "x{x}");
}

#[test]
fn trait_links_join_through_the_shared_value() {
    check(
        "trait a email h1 @1; trait b email h1 @2",
        "applied applied",
        "a{a b}",
    );
    check(
        "trait a email h1 @1; trait b email h1 @2; trait c email h2 @3",
        "applied applied applied",
        "a{a b} c{c}",
    );
    check("trait a phone h1 @1", "refused:trait", "a{a}");
    check(
        "trait a email \\s @1; trait b email null @2",
        "refused:hash refused:hash",
        "a{a} b{b}",
    );
    // Identified customers are not joined by a shared trait either.
    check(
        "identify a u1 @1; identify b u2 @2; trait a email h @3; trait b email h @4",
        "applied applied applied refused:identified",
        "u1{a u1} u2{b u2}",
    );
    // Joined while anonymous, then identified: they stay one customer…
    check(
        "trait a email h @1; trait b email h @2; mark a @3; mark b @4",
        "applied applied applied applied",
        "a{a b}",
    );
    // …but once it is identified, a second login is refused.
    check(
        "trait a email h @1; trait b email h @2; identify a u2 @3; identify b u1 @4",
        "applied applied applied refused:identified",
        "u1{u1} u2{a b u2}",
    );
}

#[test]
fn junk_ids_link_nothing() {
    let junk = [
        "null",
        "NULL",
        "undefined",
        "anonymous",
        "none",
        "0",
        "-1",
        "guest",
        "NaN",
        "[object\\sObject]",
        "true",
        "false",
        "distinct_id",
        "not_authenticated",
        "<empty>",
        "\\s",
    ];
    for id in junk {
        check(
            &format!("identify {id} u1 @1"),
            "refused:junk",
            &expected_alone(id, "u1"),
        );
        check(
            &format!("identify a {id} @1"),
            "refused:junk",
            &expected_alone(id, "a"),
        );
        check(
            &format!("alias {id} b @1"),
            "refused:junk",
            &expected_alone(id, "b"),
        );
        check(
            &format!("merge u1 {id} @1"),
            "refused:junk",
            &expected_alone(id, "u1"),
        );
        check(
            &format!("trait {id} email h @1"),
            "refused:junk",
            &expected_alone(id, "zz"),
        );
        check(
            &format!("mark {id} @1"),
            "refused:junk",
            &expected_alone(id, "zz"),
        );
    }
}

/// The customers when a junk call changed nothing: the junk id and the
/// other one on their own, sorted by name.
fn expected_alone(junk_word: &str, other: &str) -> String {
    let junk = unescape(junk_word);
    assert!(is_junk_identity(&junk), "{junk:?}");
    let mut names = vec![junk];
    if other != "zz" {
        names.push(other.to_string());
    }
    names.sort();
    let groups: Vec<String> = names
        .iter()
        .map(|name| format!("{name}{{{name}}}"))
        .collect();
    groups.join(" ")
}

#[test]
fn late_calls_replay_in_time_order() {
    let (graph, outcomes, customers) = run("identify a u1 @10; identify a u2 @5");
    // When the second call arrived it was the earlier login, so it wins and
    // the first link is refused after the replay.
    assert_eq!(outcomes, "applied applied");
    assert_eq!(customers, "u1{u1} u2{a u2}");
    assert_eq!(
        graph.record_status(RecordId(0)),
        Some(RecordStatus::Refused {
            left_canonical: model::Event::customer_key("u2"),
            right_canonical: model::Event::customer_key("u1"),
        })
    );
    assert_eq!(graph.record_status(RecordId(1)), Some(RecordStatus::Joined));
}

#[test]
fn overrides_list_exactly_the_keys_that_change() {
    let (graph, _, _) = run(
        "identify a u1 @1; identify b u1 @2; trait c email h @3; trait d email h @4; mark x @5",
    );
    let key = model::Event::customer_key;
    let overrides = graph.overrides();
    let mut pairs: Vec<(u64, u64)> = overrides.into_iter().collect();
    pairs.sort_unstable();
    let mut expected = vec![
        (key("a"), key("u1")),
        (key("b"), key("u1")),
        (key("c"), key("d")),
    ];
    expected.sort_unstable();
    assert_eq!(pairs, expected);
    assert_eq!(graph.canonical(key("never-seen")), key("never-seen"));
    assert!(graph.is_identified(key("a")));
    assert!(!graph.is_identified(key("c")));
    assert!(graph.is_identified(key("x")));
}

#[test]
fn outcomes_carry_record_ids_and_canonical_keys() {
    let mut graph = IdentityGraph::new(crate::common::options());
    let reason = |ts_us| Reason::call("test", ts_us);
    assert_eq!(
        graph.identify("a", "u1", reason(1)),
        Outcome::Applied {
            record: RecordId(0),
            canonical: model::Event::customer_key("u1")
        }
    );
    let outcomes = graph.link_all([
        (
            Link::Alias {
                previous_id: "b".into(),
                new_id: "u1".into(),
            },
            reason(0),
        ),
        (
            Link::Merge {
                a: "null".into(),
                b: "u1".into(),
            },
            reason(2),
        ),
    ]);
    assert_eq!(
        outcomes[0],
        Outcome::Applied {
            record: RecordId(1),
            canonical: model::Event::customer_key("u1")
        }
    );
    assert!(matches!(outcomes[1], Outcome::Refused { record: None, .. }));
    assert_eq!(graph.records().len(), 2);
}

#[test]
fn apply_overrides_rewrites_a_key_column() {
    let (graph, _, _) = run("identify a u1 @1; identify b u1 @2");
    let key = model::Event::customer_key;
    let mut column = [key("a"), key("a"), key("c"), key("b"), key("a"), key("u1")];
    identity::apply_overrides(&graph.overrides(), &mut column);
    assert_eq!(
        column,
        [
            key("u1"),
            key("u1"),
            key("c"),
            key("u1"),
            key("u1"),
            key("u1")
        ]
    );
}
