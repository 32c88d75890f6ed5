//! Splits: undoing one link or detaching an identity, both appended to the
//! log; the customers are recomputed from the remaining links.

use crate::common::{apply, parse, run};
use identity::{IdentityError, Reason, RecordId, RecordStatus, SplitOutcome};
use model::Event;

fn admin(ts_us: i64) -> Reason {
    Reason::call("admin: wrong login", ts_us)
}

#[test]
fn split_edge_separates_and_explain_shows_it() {
    let (mut graph, _, _) = run("identify a u1 @1; identify b u1 @2");
    let outcome = graph
        .split_edge(RecordId(0), admin(9))
        .expect("record 0 is a link");
    assert_eq!(
        outcome,
        SplitOutcome::Separated {
            record: RecordId(2),
            left_canonical: Some(Event::customer_key("a")),
            right_canonical: Some(Event::customer_key("u1")),
        }
    );
    assert_eq!(graph.canonical_of("a"), Event::customer_key("a"));
    assert_eq!(graph.canonical_of("b"), Event::customer_key("u1"));
    assert_eq!(
        graph.record_status(RecordId(0)),
        Some(RecordStatus::Undone { split: RecordId(2) })
    );
    assert_eq!(graph.records().len(), 3, "a split appends, never deletes");

    let explanation = graph.explain("a");
    assert_eq!(explanation.splits.len(), 1);
    assert_eq!(explanation.not_joined.len(), 1);
    let text = explanation.to_string();
    assert!(
        text.contains("#2 split edge #0 (call \"admin: wrong login\" at 9 µs) split"),
        "{text}"
    );
    assert!(text.contains("undone by split #2"), "{text}");
    // The other side of the split explains it too.
    assert_eq!(graph.explain("u1").splits.len(), 1);
}

#[test]
fn split_edge_reports_links_that_still_join() {
    let (mut graph, outcomes, _) = run("identify a u1 @1; alias a u1 @2");
    assert_eq!(outcomes, "applied noop:joined");
    let outcome = graph
        .split_edge(RecordId(0), admin(9))
        .expect("record 0 is a link");
    assert_eq!(
        outcome,
        SplitOutcome::StillJoined {
            record: RecordId(2),
            canonical: Event::customer_key("u1"),
            path: vec![RecordId(1)],
        }
    );
    assert_eq!(graph.record_status(RecordId(1)), Some(RecordStatus::Joined));
}

#[test]
fn split_lets_a_refused_link_join() {
    let (mut graph, outcomes, _) = run("identify a u1 @1; identify a u2 @2");
    assert_eq!(outcomes, "applied refused:identified");
    graph
        .split_edge(RecordId(0), admin(9))
        .expect("record 0 is a link");
    assert_eq!(graph.canonical_of("a"), Event::customer_key("u2"));
    assert_eq!(graph.canonical_of("u1"), Event::customer_key("u1"));
}

#[test]
fn detach_undoes_links_up_to_its_time() {
    let (mut graph, _, customers) =
        run("trait a email h @1; trait b email h @2; trait c email h @3");
    assert_eq!(customers, "a{a b c}");
    let outcome = graph.detach("b", admin(3)).expect("b is no placeholder");
    assert_eq!(
        outcome,
        SplitOutcome::Detached {
            record: RecordId(3),
            canonical: Event::customer_key("b"),
            n_identities: 1,
        }
    );
    assert_eq!(graph.canonical_of("c"), Event::customer_key("a"));
    // A late link from before the detach stays undone; a newer one joins.
    let late = parse("trait b email h @2; identify b c @3; trait b email h @5");
    let words: Vec<String> = late.iter().map(|call| apply(&mut graph, call)).collect();
    assert_eq!(words, ["refused:undone", "refused:undone", "applied"]);
    // The undone identify still marked `c` identified, so `c` is canonical.
    assert_eq!(graph.canonical_of("b"), Event::customer_key("c"));
    assert_eq!(graph.canonical_of("a"), Event::customer_key("c"));
    assert_eq!(graph.explain("b").splits.len(), 1);
}

#[test]
fn split_errors_are_clear() {
    let (mut graph, _, _) = run("identify a u1 @1; mark u1 @2");
    let check = |result: Result<SplitOutcome, IdentityError>, expected: &str| {
        let error = result.expect_err(expected).to_string();
        assert_eq!(error, expected);
    };
    check(
        graph.split_edge(RecordId(7), admin(3)),
        "record #7 does not exist",
    );
    check(
        graph.split_edge(RecordId(1), admin(3)),
        "record #1 is not a link, so it cannot be split",
    );
    check(
        graph.detach(" Null ", admin(3)),
        "identity \" Null \" is a placeholder (junk) id and links nothing",
    );
    assert_eq!(graph.records().len(), 2, "a refused split records nothing");
}
