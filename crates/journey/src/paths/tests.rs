//! Hand-computed paths cases, one line each. Journeys are written as
//! `"a@0 b@10"` (touchpoint `@` seconds); edges as `"1_a>2_b 3"` (count)
//! and drop-offs as `"2_b>3_(drop-off) 1"`.

use super::*;
use crate::{Accumulator, Journey};
use model::TouchpointId;
use std::sync::Arc;

const NAMES: [&str; 10] = [
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "help_faq",
    "help_contact",
    "product_12",
    "product_7",
];

fn names() -> Vec<String> {
    NAMES.iter().map(|name| name.to_string()).collect()
}

struct OwnedJourney {
    customer: u64,
    ts_us: Vec<i64>,
    touchpoint: Vec<TouchpointId>,
    emotion: Vec<f32>,
}

impl OwnedJourney {
    fn parse(customer: u64, text: &str) -> OwnedJourney {
        let mut journey = OwnedJourney {
            customer,
            ts_us: Vec::new(),
            touchpoint: Vec::new(),
            emotion: Vec::new(),
        };
        for event in text.split_whitespace() {
            let (name, time) = event.split_once('@').expect("name@seconds");
            let id = NAMES.iter().position(|n| *n == name).expect("known name");
            journey.touchpoint.push(TouchpointId(id as u32));
            journey
                .ts_us
                .push((time.parse::<f64>().expect("seconds") * 1e6).round() as i64);
            journey.emotion.push(f32::NAN);
        }
        journey
    }

    fn view(&self) -> Journey<'_> {
        Journey {
            customer: self.customer,
            personas: 0,
            ts_us: &self.ts_us,
            touchpoint: &self.touchpoint,
            emotion: &self.emotion,
            breakdown: &[],
            facts: Default::default(),
        }
    }
}

/// Journeys as (customer, text); the same customer may appear twice.
fn run_customers(spec: &PathsSpec, journeys: &[(u64, &str)]) -> PathsResult {
    let paths = Arc::new(spec.validate(&names()).expect("valid spec"));
    let mut accumulator = PathsAccumulator::new(paths);
    for (customer, text) in journeys {
        accumulator.observe(&OwnedJourney::parse(*customer, text).view());
    }
    let result = accumulator.finish();
    assert_totals_add_up(&result);
    result
}

fn run(spec: &PathsSpec, journeys: &[&str]) -> PathsResult {
    let numbered: Vec<(u64, &str)> = journeys
        .iter()
        .enumerate()
        .map(|(idx, text)| (idx as u64 + 1, *text))
        .collect();
    run_customers(spec, &numbered)
}

fn edge_lines(result: &PathsResult) -> Vec<String> {
    let mut lines: Vec<String> = result
        .edges
        .iter()
        .map(|edge| format!("{}>{} {}", edge.source, edge.target, edge.count))
        .collect();
    lines.sort();
    lines
}

fn check(spec: &PathsSpec, journeys: &[&str], expected: &[&str]) {
    let mut expected: Vec<String> = expected.iter().map(|line| line.to_string()).collect();
    expected.sort();
    assert_eq!(edge_lines(&run(spec, journeys)), expected, "{journeys:?}");
}

fn assert_totals_add_up(result: &PathsResult) {
    let mut inflow: HashMap<&str, u64> = HashMap::new();
    let mut outflow: HashMap<&str, u64> = HashMap::new();
    for edge in &result.edges {
        *outflow.entry(&edge.source).or_default() += edge.count;
        if edge.kind == EdgeKind::Transition {
            *inflow.entry(&edge.target).or_default() += edge.count;
        }
    }
    let mut starts = 0;
    for node in &result.nodes {
        assert_eq!(node.paths, node.outflow + node.drop_off, "{node:?}");
        assert_eq!(
            outflow.get(node.key.as_str()).copied().unwrap_or(0),
            node.paths,
            "{node:?}"
        );
        if node.position == 1 {
            starts += node.paths;
        } else {
            assert_eq!(
                inflow.get(node.key.as_str()).copied().unwrap_or(0),
                node.paths,
                "{node:?}"
            );
        }
    }
    let drop_offs: u64 = result
        .edges
        .iter()
        .filter(|edge| edge.kind == EdgeKind::DropOff)
        .map(|edge| edge.count)
        .sum();
    assert_eq!(starts, result.paths);
    assert_eq!(drop_offs, result.paths);
}

#[test]
fn nodes_are_keyed_by_position() {
    check(
        &PathsSpec::default(),
        &["a@0 b@1 a@2"],
        &["1_a>2_b 1", "2_b>3_a 1", "3_a>4_(drop-off) 1"],
    );
    check(
        &PathsSpec::default(),
        &["a@0 b@1", "a@0 c@1", "a@0 b@1"],
        &[
            "1_a>2_b 2",
            "1_a>2_c 1",
            "2_b>3_(drop-off) 2",
            "2_c>3_(drop-off) 1",
        ],
    );
}

#[test]
fn sessions_split_after_the_inactivity_gap() {
    // 30 minutes of silence start a new path; a microsecond less does not.
    check(
        &PathsSpec::default(),
        &["a@0 b@1800"],
        &["1_a>2_(drop-off) 1", "1_b>2_(drop-off) 1"],
    );
    check(
        &PathsSpec::default(),
        &["a@0 b@1799.999999"],
        &["1_a>2_b 1", "2_b>3_(drop-off) 1"],
    );
    let short = PathsSpec {
        session_gap_us: 10_000_000,
        ..PathsSpec::default()
    };
    check(
        &short,
        &["a@0 b@5 a@20 c@25"],
        &[
            "1_a>2_b 1",
            "1_a>2_c 1",
            "2_b>3_(drop-off) 1",
            "2_c>3_(drop-off) 1",
        ],
    );
}

#[test]
fn consecutive_duplicates_collapse_and_time_from_leaving_to_reaching() {
    let result = run(&PathsSpec::default(), &["a@0 a@5 a@6 b@8 b@9"]);
    assert_eq!(edge_lines(&result), ["1_a>2_b 1", "2_b>3_(drop-off) 1"]);
    let duration = result.edges[0].duration.as_ref().expect("transition");
    assert_eq!(duration.mean_s, Some(2.0));
}

#[test]
fn max_steps_truncates_paths() {
    let three = PathsSpec {
        max_steps: 3,
        ..PathsSpec::default()
    };
    check(
        &three,
        &["a@0 b@1 c@2 d@3 e@4"],
        &["1_a>2_b 1", "2_b>3_c 1", "3_c>4_(drop-off) 1"],
    );
}

#[test]
fn start_point_begins_at_its_first_occurrence() {
    let from_b = PathsSpec {
        start_point: Some("b".into()),
        ..PathsSpec::default()
    };
    check(
        &from_b,
        &["a@0 b@1 c@2 b@3 d@4", "a@0 c@1"],
        &["1_b>2_c 1", "2_c>3_b 1", "3_b>4_d 1", "4_d>5_(drop-off) 1"],
    );
}

#[test]
fn end_point_keeps_the_last_steps_before_its_first_occurrence() {
    let to_c = PathsSpec {
        end_point: Some("c".into()),
        max_steps: 2,
        ..PathsSpec::default()
    };
    check(
        &to_c,
        &["a@0 b@1 d@2 c@3 e@4 c@5", "a@0 c@1", "c@0", "a@0 b@1"],
        &[
            "1_d>2_c 1",
            "1_a>2_c 1",
            "2_c>3_(drop-off) 2",
            "1_c>2_(drop-off) 1",
        ],
    );
}

#[test]
fn start_and_end_points_elide_the_middle() {
    let between = PathsSpec {
        start_point: Some("b".into()),
        end_point: Some("e".into()),
        max_steps: 4,
        ..PathsSpec::default()
    };
    let result = run(
        &between,
        &["a@0 b@1 c@2 d@3 f@4 e@5 a@6", "b@0 c@1 e@2", "b@0 c@1"],
    );
    assert_eq!(
        edge_lines(&result),
        [
            "1_b>2_c 2",
            "2_c>3_... 1",
            "2_c>3_e 1",
            "3_...>4_e 1",
            "3_e>4_(drop-off) 1",
            "4_e>5_(drop-off) 1",
        ]
    );
    // The "..." node spans the nodes it hides: d@3 to f@4.
    let into_ellipsis = result
        .edges
        .iter()
        .find(|edge| edge.target == "3_...")
        .expect("edge");
    assert_eq!(
        into_ellipsis.duration.as_ref().and_then(|d| d.mean_s),
        Some(1.0)
    );
}

#[test]
fn cleaning_rules_and_wildcard_groups_merge_nodes() {
    let cleaned = PathsSpec {
        cleaning_rules: vec![CleaningRule {
            pattern: r"_\d+$".into(),
            replacement: "_<id>".into(),
        }],
        wildcard_groups: vec!["help_*".into()],
        ..PathsSpec::default()
    };
    check(
        &cleaned,
        &["product_12@0 product_7@1 help_faq@2 help_contact@3 a@4"],
        &[
            "1_product_<id>>2_help_* 1",
            "2_help_*>3_a 1",
            "3_a>4_(drop-off) 1",
        ],
    );
    // Groups match whole names only.
    let anchored = PathsSpec {
        wildcard_groups: vec!["faq*".into()],
        ..PathsSpec::default()
    };
    check(&anchored, &["help_faq@0"], &["1_help_faq>2_(drop-off) 1"]);
    let start_at_group = PathsSpec {
        start_point: Some("help_*".into()),
        ..cleaned
    };
    check(
        &start_at_group,
        &["a@0 help_contact@1 b@2"],
        &["1_help_*>2_b 1", "2_b>3_(drop-off) 1"],
    );
}

#[test]
fn edges_beyond_the_limit_fold_into_other() {
    let two = PathsSpec {
        edge_limit: 2,
        ..PathsSpec::default()
    };
    // Ranked: 1_a>2_b (3), 2_b>3_c (2), then 1_a>2_d, 2_b>3_e, 3_c>4_f (1 each).
    let journeys = [
        "a@0 b@1 c@2 f@3",
        "a@0 b@1 c@2",
        "a@0 b@1 e@2 a@3",
        "a@0 d@1 c@2",
    ];
    check(
        &two,
        &journeys,
        &[
            "1_a>2_b 3",
            "1_a>2_(other) 1",
            "2_b>3_c 2",
            "2_b>3_(other) 1",
            "2_(other)>3_(other) 1",
            "3_c>4_(other) 1",
            "3_(other)>4_(other) 1",
            "3_c>4_(drop-off) 1",
            "3_(other)>4_(drop-off) 1",
            "4_(other)>5_(drop-off) 2",
        ],
    );
    let result = run(&two, &journeys);
    assert_eq!((result.paths, result.customers), (4, 4));
}

#[test]
fn edges_count_paths_and_distinct_customers() {
    let result = run_customers(
        &PathsSpec::default(),
        &[
            (7, "a@0 b@10 c@4000 d@4010"),
            (7, "a@0 b@20"),
            (8, "a@0 b@30"),
        ],
    );
    let edge = result
        .edges
        .iter()
        .find(|edge| edge.source == "1_a" && edge.target == "2_b")
        .expect("edge");
    assert_eq!((edge.count, edge.customers), (3, 2));
    let duration = edge.duration.as_ref().expect("transition");
    assert_eq!(
        (duration.mean_s, duration.median_s),
        (Some(20.0), Some(20.0))
    );
    assert_eq!(duration.histogram.len(), 5);
    assert_eq!((result.paths, result.customers), (4, 2));
    let node = result
        .nodes
        .iter()
        .find(|node| node.key == "1_a")
        .expect("node");
    assert_eq!(
        (node.paths, node.outflow, node.drop_off, node.customers),
        (3, 3, 0, 2)
    );
}

#[test]
fn unknown_touchpoint_ids_get_their_own_node() {
    let paths = Arc::new(PathsSpec::default().validate(&names()[..2]).expect("valid"));
    let mut accumulator = PathsAccumulator::new(paths);
    let journey = OwnedJourney::parse(1, "a@0 c@1");
    accumulator.observe(&journey.view());
    let result = accumulator.finish();
    assert_eq!(
        edge_lines(&result),
        ["1_a>2_(unknown) 1", "2_(unknown)>3_(drop-off) 1"]
    );
}

#[test]
fn invalid_specs_are_explained() {
    let check_error = |spec: PathsSpec, expected: PathsError| {
        assert_eq!(spec.validate(&names()).expect_err("invalid"), expected);
    };
    check_error(
        PathsSpec {
            session_gap_us: 0,
            ..PathsSpec::default()
        },
        PathsError::NonPositiveSessionGap { session_gap_us: 0 },
    );
    check_error(
        PathsSpec {
            max_steps: 0,
            ..PathsSpec::default()
        },
        PathsError::ZeroMaxSteps,
    );
    check_error(
        PathsSpec {
            start_point: Some("a".into()),
            end_point: Some("b".into()),
            max_steps: 2,
            ..PathsSpec::default()
        },
        PathsError::MaxStepsTooSmallForStartAndEnd { max_steps: 2 },
    );
    check_error(
        PathsSpec {
            start_point: Some("help_*".into()),
            ..PathsSpec::default()
        },
        PathsError::UnknownPoint {
            point: "help_*".into(),
        },
    );
    let bad_rule = PathsSpec {
        cleaning_rules: vec![CleaningRule {
            pattern: "(".into(),
            replacement: String::new(),
        }],
        ..PathsSpec::default()
    };
    assert!(matches!(
        bad_rule.validate(&names()),
        Err(PathsError::InvalidPattern { .. })
    ));
    let reserved = PathsSpec {
        cleaning_rules: vec![CleaningRule {
            pattern: "^a$".into(),
            replacement: "(other)".into(),
        }],
        ..PathsSpec::default()
    };
    check_error(
        reserved,
        PathsError::ReservedName {
            name: "(other)".into(),
        },
    );
    check_error(
        PathsSpec {
            wildcard_groups: vec![String::new()],
            ..PathsSpec::default()
        },
        PathsError::EmptyWildcardGroup,
    );
}
