//! The log format: round trips through text and replay, the committed
//! version-1 fixture, and clear errors for damaged lines.

use crate::common::{options, run};
use identity::{
    IdentityError, IdentityGraph, Link, Reason, Record, RecordId, SplitTarget, decode_log,
    encode_record, encode_records,
};

const FIXTURE_V1: &str = include_str!("fixtures/identity-log-v1.txt");

/// A graph with every kind of record.
fn sample_graph() -> IdentityGraph {
    let (mut graph, _, _) = run(
        "identify a u1 @1; alias b a @2; merge u1 u2 @3; trait c email h1 @4; trait a email h1 @5; mark d @6; identify a u3 @7",
    );
    graph
        .split_edge(RecordId(2), Reason::call("admin: ticket 812", 8))
        .expect("record 2 is a link");
    graph
        .detach("c", Reason::call("admin: shared inbox", 9))
        .expect("c is no placeholder");
    graph
}

#[test]
fn log_round_trips_and_replays_to_the_same_customers() {
    let graph = sample_graph();
    let text = graph.encode_from(RecordId(0));
    assert_eq!(text.lines().count(), graph.records().len());
    let records = decode_log(&text).expect("own log decodes");
    assert_eq!(records, graph.records());
    let replayed = IdentityGraph::from_records(options(), records).expect("own log replays");
    assert_eq!(replayed.overrides(), graph.overrides());
    for index in 0..graph.records().len() as u64 {
        assert_eq!(
            replayed.record_status(RecordId(index)),
            graph.record_status(RecordId(index))
        );
    }
    // Appending the lines of later records gives the log of the whole.
    let head = encode_records(RecordId(0), &graph.records()[..4]);
    let tail = graph.encode_from(RecordId(4));
    assert_eq!(format!("{head}{tail}"), text);
}

#[test]
fn fixture_v1_still_decodes() {
    let graph = sample_graph();
    if std::env::var_os("IDENTITY_BLESS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/it/fixtures/identity-log-v1.txt"
        );
        std::fs::write(path, graph.encode_from(RecordId(0))).expect("fixture is writable");
    }
    let records = decode_log(FIXTURE_V1).expect("the v1 fixture decodes");
    assert_eq!(records, graph.records());
    assert_eq!(
        records[8],
        Record::Split {
            target: SplitTarget::Identity {
                distinct_id: "c".into()
            },
            reason: Reason::call("admin: shared inbox", 9),
        }
    );
}

#[track_caller]
fn check(text: &str, expected: &str) {
    let error = decode_log(text).expect_err(expected).to_string();
    assert_eq!(error, expected, "{text:?}");
}

fn line(id: u64, record: &Record) -> String {
    encode_record(RecordId(id), record)
}

fn mark(distinct_id: &str) -> Record {
    Record::Identified {
        distinct_id: distinct_id.into(),
        reason: Reason::event("e1", 1),
    }
}

#[test]
fn damaged_lines_are_rejected_with_clear_errors() {
    let first = line(0, &mark("u1"));
    let second = line(1, &mark("u2"));
    check(
        &format!("{first}{}", second.replacen("v1", "v2", 1)),
        "identity log line 2: format version 2 is not supported (this build reads version 1)",
    );
    check(
        &format!("{first}{}", second.replacen("\"u2\"", "\"u3\"", 1)),
        &format!(
            "identity log line 2: checksum mismatch: the line says {}, its JSON has {:08x}",
            &second[5..13],
            crc32c::crc32c(br#"{"kind":"identified","distinct_id":"u3","reason":{"ts_us":1,"source":"event","event_id":"e1"}}"#)
        ),
    );
    check(
        &format!("{first}{}", line(2, &mark("u2"))),
        "identity log line 2: expected record #1, found #2",
    );
    check(
        &format!("{first}\n{second}"),
        "identity log line 2: empty line",
    );
    check(
        "x1 0 00000000 {}\n",
        "identity log line 1: \"x1\" is not a version tag like `v1`",
    );
    check(
        "v1 zero 00000000 {}\n",
        "identity log line 1: record id \"zero\" is not a number",
    );
    check(
        "v1 0 0000 {}\n",
        "identity log line 1: checksum \"0000\" is not 8 hex digits",
    );
    check(
        "v1 0\n",
        "identity log line 1: expected `v<version> <id> <crc> <json>`, found 2 of those 4 fields",
    );
    check(
        "v9 0\n",
        "identity log line 1: expected `v<version> <id> <crc> <json>`, found 2 of those 4 fields",
    );
    let json = r#"{"kind":"identified","distinct_id":"u1"}"#;
    check(
        &format!("v1 0 {:08x} {json}\n", crc32c::crc32c(json.as_bytes())),
        "identity log line 1: the record does not parse: missing field `reason`",
    );
}

#[test]
fn a_torn_last_line_reports_where_the_log_is_whole() {
    let first = line(0, &mark("u1"));
    let second = line(1, &mark("u2"));
    let torn = &second[..second.len() - 10];
    let error = decode_log(&format!("{first}{torn}")).expect_err("torn");
    assert!(
        matches!(
            error,
            IdentityError::TornTail {
                line_number: 2,
                valid_len_bytes
            } if valid_len_bytes == first.len()
        ),
        "{error:?}"
    );
    // A last line complete but for its newline is kept.
    let records = decode_log(&format!("{first}{}", second.trim_end())).expect("whole");
    assert_eq!(records.len(), 2);
}

#[test]
fn replay_rejects_records_no_call_writes() {
    let check = |records: Vec<Record>, expected: &str| {
        let error = IdentityGraph::from_records(options(), records)
            .expect_err(expected)
            .to_string();
        assert_eq!(error, expected);
    };
    let link = |link: Link| Record::Link {
        link,
        reason: Reason::event("e", 1),
    };
    check(
        vec![link(Link::Identify {
            anonymous_id: "undefined".into(),
            user_id: "u1".into(),
        })],
        "identity record #0: names the placeholder id \"undefined\"",
    );
    check(
        vec![
            mark("u1"),
            link(Link::Merge {
                a: "x".into(),
                b: "x".into(),
            }),
        ],
        "identity record #1: links \"x\" to itself",
    );
    check(
        vec![
            mark("u1"),
            Record::Split {
                target: SplitTarget::Edge { edge: RecordId(0) },
                reason: Reason::call("admin", 2),
            },
        ],
        "identity record #1: splits #0, which is no earlier link",
    );
}
