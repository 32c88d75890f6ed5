//! Hand-computed funnel cases, one line each. Journeys are written as
//! `"a@0 b@10 c@10.5:1"`: touchpoint, `@` time in seconds, optional `:`
//! breakdown value id. Steps are written as `"b|c?<=5"`: alternatives
//! joined by `|`, `?` for optional, `<=` a per-step window in seconds.

use super::*;
use crate::{Accumulator, Journey};
use model::TouchpointId;
use std::sync::Arc;

const NAMES: [&str; 8] = ["a", "b", "c", "d", "e", "x", "y", "z"];

fn names() -> Vec<String> {
    NAMES.iter().map(|name| name.to_string()).collect()
}

fn seconds(text: &str) -> i64 {
    (text.parse::<f64>().expect("seconds") * 1e6).round() as i64
}

fn step(text: &str) -> StepSpec {
    let (text, window_us) = match text.split_once("<=") {
        Some((rest, window)) => (rest, Some(seconds(window))),
        None => (text, None),
    };
    let (text, optional) = match text.strip_suffix('?') {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    StepSpec {
        touchpoints: text.split('|').map(str::to_string).collect(),
        optional,
        window_us,
    }
}

fn spec(steps: &[&str]) -> FunnelSpec {
    FunnelSpec::new(steps.iter().map(|text| step(text)).collect())
}

struct OwnedJourney {
    customer: u64,
    ts_us: Vec<i64>,
    touchpoint: Vec<TouchpointId>,
    emotion: Vec<f32>,
    breakdown: Vec<u32>,
}

impl OwnedJourney {
    fn parse(customer: u64, text: &str) -> OwnedJourney {
        let mut journey = OwnedJourney {
            customer,
            ts_us: Vec::new(),
            touchpoint: Vec::new(),
            emotion: Vec::new(),
            breakdown: Vec::new(),
        };
        for event in text.split_whitespace() {
            let (name, rest) = event.split_once('@').expect("name@seconds");
            let (time, value) = rest.split_once(':').unwrap_or((rest, "0"));
            let id = NAMES.iter().position(|n| *n == name).expect("known name");
            journey.touchpoint.push(TouchpointId(id as u32));
            journey.ts_us.push(seconds(time));
            journey.emotion.push(f32::NAN);
            journey.breakdown.push(value.parse().expect("value id"));
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
            breakdown: &self.breakdown,
            facts: Default::default(),
        }
    }
}

fn run(spec: &FunnelSpec, journeys: &[&str]) -> FunnelResult {
    let funnel = Arc::new(spec.validate(&names()).expect("valid spec"));
    let mut accumulator = FunnelAccumulator::new(funnel);
    for (idx, text) in journeys.iter().enumerate() {
        accumulator.observe(&OwnedJourney::parse(idx as u64 + 1, text).view());
    }
    accumulator.finish()
}

fn customers(steps: &[FunnelStepResult]) -> Vec<u64> {
    steps.iter().map(|step| step.customers).collect()
}

/// Customers per step of the whole funnel.
fn check(spec: &FunnelSpec, journeys: &[&str], expected: &[u64]) {
    let result = run(spec, journeys);
    assert_eq!(customers(&result.steps), expected, "{journeys:?}");
}

/// Mean time from the previous step and from step 1, in seconds, per step
/// (None where no customer has one).
fn check_times(spec: &FunnelSpec, journey: &str, expected: &[(Option<f64>, Option<f64>)]) {
    let result = run(spec, &[journey]);
    let times: Vec<_> = result
        .steps
        .iter()
        .map(|step| (step.from_previous.mean_s, step.from_start.mean_s))
        .collect();
    assert_eq!(times, expected, "{journey}");
}

fn with_order(mut spec: FunnelSpec, order: FunnelOrder) -> FunnelSpec {
    spec.order = order;
    spec
}

fn with_window(mut spec: FunnelSpec, window_s: &str) -> FunnelSpec {
    spec.window_us = seconds(window_s);
    spec
}

#[test]
fn ordered_steps() {
    let abc = spec(&["a", "b", "c"]);
    check(&abc, &["a@0 b@1 c@2"], &[1, 1, 1]);
    check(&abc, &["a@0 c@1 b@2"], &[1, 1, 0]);
    check(&abc, &["b@0 c@1"], &[0, 0, 0]);
    check(&abc, &["a@0 x@1 b@2 y@3 c@4"], &[1, 1, 1]);
    check(&abc, &["c@0 b@1 a@2"], &[1, 0, 0]);
    check(
        &spec(&["a", "b|c", "d"]),
        &["a@0 c@1 d@2", "a@0 b@1 d@2"],
        &[2, 2, 2],
    );
}

#[test]
fn window_is_inclusive_and_measured_from_step_one() {
    let ab = with_window(spec(&["a", "b", "c"]), "10");
    check(&ab, &["a@0 b@10 c@10"], &[1, 1, 1]);
    check(&ab, &["a@0 b@5 c@10.000001"], &[1, 1, 0]);
    check(&ab, &["a@0 b@11"], &[1, 0, 0]);
    // Chains restart at every step-1 event and the best one counts.
    check(&ab, &["a@0 a@20 b@25 c@30"], &[1, 1, 1]);
    check(&with_window(spec(&["a", "b"]), "0"), &["a@0 b@0"], &[1, 1]);
}

#[test]
fn strict_order_breaks_on_other_events() {
    let strict = with_order(spec(&["a", "b", "c"]), FunnelOrder::Strict);
    check(&strict, &["a@0 b@1 x@2 c@3"], &[1, 1, 0]);
    check(&strict, &["a@0 x@1 b@2 c@3"], &[1, 0, 0]);
    // A new step-1 event starts a new chain (PostHog; ClickHouse would stop).
    check(&strict, &["a@0 x@1 a@2 b@3 c@4"], &[1, 1, 1]);
    // Repeats of the step just reached do not break the chain.
    check(&strict, &["a@0 a@1 b@2 b@3 c@4"], &[1, 1, 1]);
    // Another funnel step does.
    check(&strict, &["a@0 b@1 a@2 c@3"], &[1, 1, 0]);
    check(
        &with_order(spec(&["a", "b", "c"]), FunnelOrder::Ordered),
        &["a@0 b@1 x@2 c@3"],
        &[1, 1, 1],
    );
}

#[test]
fn equal_timestamps_serve_the_next_step_once() {
    check(&spec(&["a", "b"]), &["a@5 b@5"], &[1, 1]);
    check(&spec(&["a", "a"]), &["a@5"], &[1, 0]);
    check(&spec(&["a", "a"]), &["a@5 a@5"], &[1, 1]);
    check(&spec(&["a", "a|b", "b"]), &["a@0 b@0"], &[1, 1, 0]);
    check(&spec(&["a", "a|b", "b"]), &["a@0 a@0 b@0"], &[1, 1, 1]);
    // Journey order, not the step order, decides: b before a at the same time.
    check(&spec(&["a", "b"]), &["b@5 a@5"], &[1, 0]);
}

#[test]
fn counted_chain_completes_first_with_the_latest_start() {
    let abc = spec(&["a", "b", "c"]);
    let (one, two) = (Some(1.0), Some(2.0));
    check_times(
        &abc,
        "a@0 b@1 a@2 b@3 c@4",
        &[(None, None), (one, one), (one, two)],
    );
    // The earliest b after the latest a serves step 2.
    check_times(
        &abc,
        "a@0 b@5 b@7 c@9",
        &[(None, None), (Some(5.0), Some(5.0)), (Some(4.0), Some(9.0))],
    );
    // A later start that completes later does not replace the first chain.
    check_times(
        &with_window(abc, "10"),
        "a@0 b@1 c@9 a@10 b@11 c@12",
        &[(None, None), (one, one), (Some(8.0), Some(9.0))],
    );
}

#[test]
fn optional_steps_may_be_skipped() {
    let optional = spec(&["a", "b?", "c"]);
    check(&optional, &["a@0 c@1"], &[1, 0, 1]);
    check(&optional, &["a@0 b@1 c@2"], &[1, 1, 1]);
    check(&optional, &["a@0 b@1"], &[1, 1, 0]);
    let result = run(&optional, &["a@0 c@5", "a@0 b@1 c@3", "a@0"]);
    assert_eq!(customers(&result.steps), [3, 1, 2]);
    // Conversion and drop-off of both later steps are from step 1.
    assert_eq!(result.steps[1].drop_off, 2);
    assert_eq!(result.steps[1].drop_off_keys, [1, 3]);
    assert_eq!(result.steps[2].drop_off, 1);
    assert_eq!(result.steps[2].conversion_from_previous, 2.0 / 3.0);
    // Time to c is from the chain's previous event: a for customer 1, b for 2.
    assert_eq!(result.steps[2].from_previous.mean_s, Some(3.5));
    assert_eq!(result.steps[2].from_start.mean_s, Some(4.0));
}

#[test]
fn per_step_windows_limit_the_gap_to_the_previous_step() {
    let windowed = spec(&["a", "b<=5", "c"]);
    check(&windowed, &["a@0 b@6 c@7"], &[1, 0, 0]);
    check(&windowed, &["a@0 b@5 c@100"], &[1, 1, 1]);
    check(&windowed, &["a@0 a@3 b@6"], &[1, 1, 0]);
    // After a skipped optional step the window runs from the last step taken.
    check(
        &spec(&["a", "b?", "c<=5"]),
        &["a@0 b@1 c@6", "a@0 b@2 c@8", "a@0 c@6"],
        &[3, 2, 1],
    );
}

#[test]
fn unordered_steps_in_any_order_within_the_window() {
    let unordered = with_window(
        with_order(spec(&["a", "b", "c"]), FunnelOrder::Unordered),
        "10",
    );
    check(&unordered, &["c@0 a@1 b@2"], &[1, 1, 1]);
    check(&unordered, &["c@0 a@20 b@21"], &[1, 1, 0]);
    check(&unordered, &["b@0 b@5 b@9"], &[1, 0, 0]);
    check(&unordered, &["c@0 c@15 a@20 b@30"], &[1, 1, 0]);
    check(&unordered, &["c@0 a@20 c@25 b@30"], &[1, 1, 1]);
    check(&unordered, &["x@0"], &[0, 0, 0]);
    // Latest event of each step before completion: b@5, then c@6 and a@8.
    check_times(
        &unordered,
        "b@0 b@5 c@6 a@8",
        &[(None, None), (Some(1.0), Some(1.0)), (Some(2.0), Some(3.0))],
    );
}

fn exclusion(touchpoint: &str, from_step: usize, to_step: usize) -> ExclusionSpec {
    ExclusionSpec {
        touchpoints: vec![touchpoint.to_string()],
        from_step,
        to_step,
    }
}

#[test]
fn exclusions_remove_customers_between_their_steps() {
    let mut excluding = with_window(spec(&["a", "b", "c"]), "10");
    excluding.exclusions = vec![exclusion("x", 1, 2)];
    check(&excluding, &["a@0 x@1 b@2 c@3"], &[0, 0, 0]);
    check(&excluding, &["a@0 b@1 x@2 c@3"], &[1, 1, 1]);
    check(&excluding, &["x@0 a@1 b@2 c@3"], &[1, 1, 1]);
    // Stopped between the two steps: the excluded event must be in the window.
    check(&excluding, &["a@0 x@5"], &[0, 0, 0]);
    check(&excluding, &["a@0 x@11"], &[1, 0, 0]);
    // Only the counted chain matters: a x a b has its chain after x.
    check(&excluding, &["a@0 x@1 a@2 b@3"], &[1, 1, 0]);
    excluding.exclusions = vec![exclusion("x", 1, 3)];
    let result = run(&excluding, &["a@0 b@1 x@2 c@3", "a@0 b@1 c@2 x@3"]);
    assert_eq!(customers(&result.steps), [1, 1, 1]);
    assert_eq!(result.excluded_customers, 1);
}

fn with_breakdown(mut spec: FunnelSpec, attribution: Attribution, limit: usize) -> FunnelSpec {
    let names = ["web", "app", "store"]
        .iter()
        .map(|n| n.to_string())
        .collect();
    spec.breakdown = Some(BreakdownSpec {
        names,
        attribution,
        limit,
    });
    spec
}

/// (value name, customers per step) for each breakdown funnel.
fn check_breakdown(spec: &FunnelSpec, journeys: &[&str], expected: &[(&str, &[u64])]) {
    let result = run(spec, journeys);
    let actual: Vec<(&str, Vec<u64>)> = result
        .breakdowns
        .iter()
        .map(|funnel| (funnel.value.as_str(), customers(&funnel.steps)))
        .collect();
    let expected: Vec<(&str, Vec<u64>)> = expected
        .iter()
        .map(|(name, counts)| (*name, counts.to_vec()))
        .collect();
    assert_eq!(actual, expected, "{journeys:?}");
}

#[test]
fn breakdown_attribution() {
    let journeys = ["a@0:0 b@1:1 c@2:2", "a@0:1 b@1:1", "a@0:2"];
    let abc = spec(&["a", "b", "c"]);
    check_breakdown(
        &with_breakdown(abc.clone(), Attribution::FirstTouch, 5),
        &journeys,
        &[
            ("web", &[1, 1, 1]),
            ("app", &[1, 1, 0]),
            ("store", &[1, 0, 0]),
        ],
    );
    check_breakdown(
        &with_breakdown(abc.clone(), Attribution::LastTouch, 5),
        &journeys,
        &[("store", &[2, 1, 1]), ("app", &[1, 1, 0])],
    );
    check_breakdown(
        &with_breakdown(abc.clone(), Attribution::Step(2), 5),
        &journeys,
        &[("app", &[2, 2, 1]), (NO_BREAKDOWN_VALUE, &[1, 0, 0])],
    );
    // Values beyond the names have none.
    check_breakdown(
        &with_breakdown(abc, Attribution::FirstTouch, 5),
        &["a@0:7"],
        &[(NO_BREAKDOWN_VALUE, &[1, 0, 0])],
    );
}

#[test]
fn breakdown_keeps_the_top_values_and_folds_the_rest() {
    let journeys = ["a@0:2 b@1", "a@0:2", "a@0:0 b@1", "a@0:1 b@1", "a@0:1"];
    let ab = with_breakdown(spec(&["a", "b"]), Attribution::FirstTouch, 1);
    // app and store tie at 2 customers; the lower id wins.
    check_breakdown(
        &ab,
        &journeys,
        &[("app", &[2, 1]), (OTHER_BREAKDOWN_VALUE, &[3, 2])],
    );
    let result = run(&ab, &journeys);
    assert_eq!(customers(&result.steps), [5, 3]);
    assert_eq!(result.breakdowns[1].steps[1].customer_keys, [1, 3]);
}

#[test]
fn step_statistics_and_customer_lists() {
    let mut ab = spec(&["a", "b"]);
    ab.customer_limit = 2;
    ab.histogram_bins = 2;
    let result = run(
        &ab,
        &["a@0 b@1", "a@0 b@2", "a@0 b@3", "a@0 b@10", "a@0", "b@0"],
    );
    let step = &result.steps[1];
    assert_eq!((step.customers, step.drop_off), (4, 1));
    assert_eq!((step.conversion, step.conversion_from_previous), (0.8, 0.8));
    assert_eq!(step.from_previous.mean_s, Some(4.0));
    assert_eq!(step.from_previous.median_s, Some(2.5));
    assert!((step.from_previous.p90_s.expect("values") - 7.9).abs() < 1e-9);
    assert_eq!(step.customer_keys, [1, 2]);
    assert_eq!(step.drop_off_keys, [5]);
    assert_eq!(result.steps[0].customer_keys, [1, 2]);
    let bins: Vec<u64> = result.histogram.iter().map(|bin| bin.count).collect();
    assert_eq!(bins, [3, 1]);
    assert_eq!(result.steps[0].conversion_from_previous, 1.0);
}

#[test]
fn invalid_specs_are_explained() {
    let check_error = |spec: FunnelSpec, expected: FunnelError| {
        assert_eq!(spec.validate(&names()).expect_err("invalid"), expected);
    };
    check_error(spec(&[]), FunnelError::NoSteps);
    check_error(
        spec(&["a", "nope"]),
        FunnelError::UnknownTouchpoint {
            name: "nope".into(),
        },
    );
    check_error(spec(&["a?", "b"]), FunnelError::FirstStepOptional);
    check_error(spec(&["a<=3", "b"]), FunnelError::FirstStepWindow);
    check_error(
        spec(&["a", "b<=-1"]),
        FunnelError::NegativeWindow {
            step: Some(2),
            window_us: -1_000_000,
        },
    );
    let unordered = |steps: &[&str]| with_order(spec(steps), FunnelOrder::Unordered);
    check_error(
        unordered(&["a", "b?"]),
        FunnelError::UnorderedOptionalStep { step: 2 },
    );
    check_error(
        unordered(&["a|b", "b"]),
        FunnelError::UnorderedStepsOverlap {
            first: 1,
            second: 2,
            touchpoint: "b".into(),
        },
    );
    let mut excluding = spec(&["a", "b?", "c"]);
    excluding.exclusions = vec![exclusion("x", 2, 2)];
    check_error(
        excluding.clone(),
        FunnelError::ExclusionRange {
            exclusion: 1,
            from_step: 2,
            to_step: 2,
        },
    );
    excluding.exclusions = vec![exclusion("x", 1, 2)];
    check_error(
        excluding.clone(),
        FunnelError::ExclusionOnOptionalStep {
            exclusion: 1,
            step: 2,
        },
    );
    excluding.exclusions = vec![exclusion("c", 1, 3)];
    check_error(
        excluding,
        FunnelError::ExclusionIsStep {
            exclusion: 1,
            touchpoint: "c".into(),
        },
    );
    check_error(
        with_breakdown(spec(&["a"]), Attribution::Step(2), 3),
        FunnelError::AttributionStep {
            step: 2,
            n_steps: 1,
        },
    );
    check_error(
        with_breakdown(spec(&["a"]), Attribution::FirstTouch, 0),
        FunnelError::ZeroBreakdownLimit,
    );
    let too_many: Vec<&str> = vec!["a"; MAX_STEPS + 1];
    check_error(
        spec(&too_many),
        FunnelError::TooManySteps {
            n_steps: MAX_STEPS + 1,
        },
    );
    assert_eq!(
        FunnelError::FirstStepOptional.to_string(),
        "step 1 cannot be optional"
    );
}

#[test]
fn display_names_join_alternatives() {
    let result = run(&spec(&["a|b|a", "c"]), &[]);
    assert_eq!(result.steps[0].touchpoint, "a|b");
    assert_eq!(customers(&result.steps), [0, 0]);
}

#[test]
fn validates_against_a_catalog() {
    let definition = model::JourneyDefinition::from_toml("stages = [\"a\"]").expect("valid");
    let mut catalog = model::Catalog::new(&definition);
    let faq = catalog.intern("faq_page", "web");
    catalog.intern("checkout", "web");
    let funnel = Arc::new(
        spec(&["faq_page", "checkout"])
            .validate_in(&catalog)
            .expect("known names"),
    );
    let mut accumulator = FunnelAccumulator::new(funnel);
    let journey = OwnedJourney {
        customer: 1,
        ts_us: vec![0, 1],
        touchpoint: vec![faq, TouchpointId(faq.0 + 1)],
        emotion: vec![f32::NAN; 2],
        breakdown: Vec::new(),
    };
    accumulator.observe(&journey.view());
    assert_eq!(customers(&accumulator.finish().steps), [1, 1]);
    assert!(matches!(
        spec(&["nope"]).validate_in(&catalog),
        Err(FunnelError::UnknownTouchpoint { .. })
    ));
}
