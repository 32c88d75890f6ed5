//! The outcome analyses: hand-computed cases for every statistic, values
//! from scipy/numpy and ChannelAttribution embedded as constants (each with
//! how it was produced), the Markov solution against brute-force path
//! enumeration, the imputed Shapley regression against a naive data-matrix
//! reference, and every accumulator's result against random partitionings.

use crate::common::{assert_same_json, journeys, plan, run_split};
use journey::Accumulator;
use journey::outcomes::*;
use journey::owned::OwnedJourney;
use model::{Catalog, JourneyDefinition, Outcomes, RatingScale, TouchpointId};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

const DAY_US: i64 = 86_400_000_000;

fn tp(id: u32) -> TouchpointId {
    TouchpointId(id)
}

/// A journey of (seconds, touchpoint, emotion) events.
fn journey(customer: u64, personas: u64, events: &[(f64, u32, f32)]) -> OwnedJourney {
    let mut journey = OwnedJourney::new(customer, personas);
    for &(seconds, touchpoint, emotion) in events {
        journey.push((seconds * 1e6) as i64, tp(touchpoint), emotion);
    }
    journey
}

/// A journey of (days, touchpoint) events without emotions.
fn journey_days(customer: u64, events: &[(i64, u32)]) -> OwnedJourney {
    let mut journey = OwnedJourney::new(customer, 0);
    for &(days, touchpoint) in events {
        journey.push(days * DAY_US, tp(touchpoint), f32::NAN);
    }
    journey
}

/// Adds survey answers: (event index, rating, scale); other events none.
fn with_ratings(mut journey: OwnedJourney, answers: &[(usize, f32, RatingScale)]) -> OwnedJourney {
    journey.facts.rating = vec![f32::NAN; journey.ts_us.len()];
    journey.facts.rating_scale = vec![None; journey.ts_us.len()];
    for &(index, rating, scale) in answers {
        journey.facts.rating[index] = rating;
        journey.facts.rating_scale[index] = Some(scale);
    }
    journey
}

fn run<A: Accumulator>(mut accumulator: A, journeys: &[OwnedJourney]) -> A::Output {
    for journey in journeys {
        accumulator.observe(&journey.as_journey());
    }
    accumulator.finish()
}

fn close(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} vs {expected} (± {tolerance})"
    );
}

// ---------------------------------------------------------------------------
// Outcome definitions

#[test]
fn outcome_rules_evaluate_journeys() {
    let check = |rule: &OutcomeRule, events: &[(i64, u32)], expected: Option<(bool, usize)>| {
        let journey = journey_days(1, events);
        let actual = rule.evaluate(&journey.as_journey());
        let actual = actual.map(|outcome| (outcome.occurred, outcome.exposure_len));
        assert_eq!(actual, expected, "{rule:?} on {events:?}");
    };
    let reach = OutcomeRule::reach(&[tp(4), tp(2), tp(4)]).expect("valid rule");
    assert_eq!(
        reach,
        OutcomeRule::Reach {
            touchpoints: vec![tp(2), tp(4)]
        }
    );
    check(&reach, &[(0, 0), (1, 1), (2, 2), (3, 4)], Some((true, 2)));
    check(&reach, &[(0, 4), (1, 0)], Some((true, 0)));
    check(&reach, &[(0, 0), (1, 1)], Some((false, 2)));
    check(&reach, &[], None);

    let repurchase = OutcomeRule::Repurchase {
        purchase: vec![tp(3)],
        within_days: 10,
        now_us: 100 * DAY_US,
    };
    check(
        &repurchase,
        &[(0, 0), (1, 3), (5, 1), (6, 3)],
        Some((true, 3)),
    );
    check(&repurchase, &[(1, 3), (20, 3)], Some((false, 2)));
    // Exactly `within_days` later still counts.
    check(&repurchase, &[(1, 3), (11, 3)], Some((true, 1)));
    // Purchases at the same time are one purchase.
    check(&repurchase, &[(1, 3), (1, 3)], Some((false, 2)));
    check(&repurchase, &[(1, 3), (1, 3), (9, 3)], Some((true, 2)));
    // The window runs from the latest earlier purchase.
    check(&repurchase, &[(1, 3), (15, 3), (20, 3)], Some((true, 2)));
    // A first purchase within the last 10 days cannot be judged yet.
    check(&repurchase, &[(0, 0), (91, 3)], None);
    check(&repurchase, &[(90, 3)], Some((false, 1)));
    check(&repurchase, &[(0, 0)], None);

    let churn = OutcomeRule::Churn {
        after_days: 30,
        now_us: 100 * DAY_US,
    };
    check(&churn, &[(0, 0), (60, 1)], Some((true, 2)));
    check(&churn, &[(70, 1)], Some((true, 1)));
    check(&churn, &[(80, 1)], Some((false, 1)));
    check(&churn, &[], None);
}

#[test]
fn promoter_rule_reads_the_last_nps_answer() {
    let rule = OutcomeRule::Promoter { promoter_min: 9.0 };
    let check = |answers: &[(usize, f32, RatingScale)], expected: Option<(bool, usize)>| {
        let journey = with_ratings(journey_days(1, &[(0, 0), (1, 5), (2, 1), (3, 5)]), answers);
        let actual = rule.evaluate(&journey.as_journey());
        let actual = actual.map(|outcome| (outcome.occurred, outcome.exposure_len));
        assert_eq!(actual, expected, "{answers:?}");
    };
    let nps = RatingScale::Nps10;
    check(&[(1, 10.0, nps), (3, 6.0, nps)], Some((false, 3)));
    check(&[(1, 6.0, nps), (3, 9.0, nps)], Some((true, 3)));
    check(&[(1, 9.0, nps)], Some((true, 1)));
    // CSAT answers and answers outside the scale do not count.
    check(
        &[(1, 10.0, nps), (3, 5.0, RatingScale::Csat5)],
        Some((true, 1)),
    );
    check(&[(3, 11.0, nps)], None);
    check(&[], None);
    let without_facts = journey_days(1, &[(0, 0)]);
    assert_eq!(rule.evaluate(&without_facts.as_journey()), None);
}

fn test_catalog() -> Catalog {
    let mut toml = String::from("stages = [\"s0\", \"s1\"]\n");
    for name in ["t0", "t1", "t2", "t3", "t4"] {
        toml.push_str(&format!(
            "[[touchpoint]]\nname = \"{name}\"\nstage = \"s0\"\n"
        ));
    }
    let definition = JourneyDefinition::from_toml(&toml).expect("valid definition");
    Catalog::new(&definition)
}

#[test]
fn rules_resolve_the_definition() {
    let catalog = test_catalog();
    let outcomes = Outcomes {
        purchase: vec!["t4".into(), "t2".into()],
        conversion: Some("t3".into()),
        ..Outcomes::default()
    };
    let check = |name: OutcomeName, expected: Result<OutcomeRule, OutcomesError>| {
        let actual = OutcomeRule::from_definition(&outcomes, &catalog, &name, 500);
        assert_eq!(actual, expected, "{name:?}");
    };
    check(
        OutcomeName::Conversion,
        Ok(OutcomeRule::Reach {
            touchpoints: vec![tp(3)],
        }),
    );
    check(
        OutcomeName::Repurchase,
        Ok(OutcomeRule::Repurchase {
            purchase: vec![tp(2), tp(4)],
            within_days: 90,
            now_us: 500,
        }),
    );
    check(
        OutcomeName::Churn,
        Ok(OutcomeRule::Churn {
            after_days: 120,
            now_us: 500,
        }),
    );
    check(
        OutcomeName::Promoter,
        Ok(OutcomeRule::Promoter { promoter_min: 9.0 }),
    );
    check(
        OutcomeName::Reaches("t1".into()),
        Ok(OutcomeRule::Reach {
            touchpoints: vec![tp(1)],
        }),
    );
    check(
        OutcomeName::Recommendation,
        Err(OutcomesError::NoTouchpoints { outcome: "reach" }),
    );
    check(
        OutcomeName::Reaches("nowhere".into()),
        Err(OutcomesError::UnknownTouchpoint {
            name: "nowhere".into(),
        }),
    );
}

#[test]
fn outcome_rate_has_a_wilson_interval() {
    let rule = OutcomeRule::reach(&[tp(3)]).expect("valid rule");
    let spec = OutcomeRateSpec {
        rule,
        n_personas: 2,
    };
    let journeys: Vec<OwnedJourney> = (0..10)
        .map(|i| {
            let mut events = vec![(0.0, 0, f32::NAN)];
            if i < 8 {
                events.push((1.0, 3, f32::NAN));
            }
            journey(100 - i, if i % 2 == 0 { 0b01 } else { 0b00 }, &events)
        })
        .collect();
    let rates = run(
        OutcomeRateAccumulator::new(&spec).expect("valid"),
        &journeys,
    );
    // Wilson 95 % for 8 of 10, as statsmodels' proportion_confint(8, 10,
    // method="wilson"): (0.4901624715366418, 0.9433178485456248).
    assert_eq!((rates.overall.count, rates.overall.total), (8, 10));
    close(rates.overall.value, 0.8, 1e-15);
    close(rates.overall.low, 0.490_162_471_536_641_8, 1e-12);
    close(rates.overall.high, 0.943_317_848_545_624_8, 1e-12);
    assert_eq!(
        (rates.personas[0].rate.count, rates.personas[0].rate.total),
        (4, 5)
    );
    assert_eq!(
        (rates.personas[1].rate.count, rates.personas[1].rate.total),
        (0, 0)
    );
    assert_eq!(rates.example_customers, vec![93, 94, 95, 96, 97]);
    let none = Proportion::wilson(0, 5);
    close(none.low, 0.0, 0.0);
    close(none.high, 0.434_482_464_783_174_76, 1e-12);
}

// ---------------------------------------------------------------------------
// Moments of truth

#[test]
fn odds_ratio_matches_textbook_cases() {
    // [[10, 20], [30, 40]] + 1 per cell: OR = 11·41 / (21·31) = 451/651,
    // SE = √(1/11 + 1/21 + 1/31 + 1/41); interval and p-value by Python's
    // math module and scipy.stats.norm.
    let check = |table: [[u64; 2]; 2], expected: [f64; 4]| {
        let (or, low, high, log_or, se) = odds_ratio(table);
        close(or, expected[0], 1e-12);
        close(low, expected[1], 1e-12);
        close(high, expected[2], 1e-12);
        close(se, expected[3], 1e-12);
        close(log_or, expected[0].ln(), 1e-12);
    };
    check(
        [[10, 20], [30, 40]],
        [
            0.692_780_337_941_628_3,
            0.291_437_282_692_973_37,
            1.646_819_487_896_935_3,
            0.441_787_784_967_745_07,
        ],
    );
    // Empty cells are where the prior matters: 1·1 / (6·6).
    let se = (1.0_f64 + 1.0 / 6.0 + 1.0 / 6.0 + 1.0).sqrt();
    check(
        [[0, 5], [5, 0]],
        [
            1.0 / 36.0,
            (-(36.0_f64).ln() - Z_975 * se).exp(),
            (-(36.0_f64).ln() + Z_975 * se).exp(),
            1.527_525_231_651_946_8,
        ],
    );
    // Equal cells of 8 after the prior: SE = √(4/8).
    let se = 0.5_f64.sqrt();
    check(
        [[7, 7], [7, 7]],
        [1.0, (-Z_975 * se).exp(), (Z_975 * se).exp(), se],
    );
}

#[test]
fn moments_of_truth_by_hand() {
    let nan = f32::NAN;
    // Conversion = reaching t3; the conversion event and what follows it
    // are not experiences before the outcome.
    let journeys = [
        journey(1, 0, &[(0.0, 0, -0.5), (1.0, 3, nan)]),
        journey(2, 0, &[(0.0, 0, -1.0), (1.0, 1, 0.5)]),
        journey(3, 0, &[(0.0, 0, 0.5), (1.0, 3, -1.0)]),
        journey(4, 0, &[(0.0, 0, 0.25), (1.0, 3, nan), (2.0, 0, -1.0)]),
        journey(5, 0, &[(0.0, 0, 0.0), (1.0, 1, nan)]),
        journey(6, 0, &[(0.0, 0, -0.5), (1.0, 0, 1.0)]),
        journey(7, 0, &[(0.0, 0, -0.25), (1.0, 3, nan)]),
        journey(8, 0, &[(0.0, 1, -0.5), (1.0, 3, nan)]),
        journey(9, 0, &[(0.0, 0, 0.75)]),
    ];
    let mut spec = MomentsSpec::new(OutcomeRule::reach(&[tp(3)]).expect("valid"));
    spec.min_customers_per_arm = 2;
    let result = run(MomentsAccumulator::new(&spec).expect("valid"), &journeys);
    assert_eq!(
        (result.eligible_customers, result.outcome_customers),
        (9, 5)
    );
    assert_eq!(result.moments.len(), 2, "t3 is never before the outcome");
    // t0: bad = 1 (yes), 2 (no), 7 (yes); good = 3 (yes), 4 (yes), 6 (mean
    // 0.25, no), 9 (no); neutral = 5. OR = (3·3)/(2·3) = 1.5.
    let t0 = &result.moments[0];
    assert_eq!(t0.touchpoint, tp(0));
    assert_eq!((t0.bad.customers, t0.bad.with_outcome), (3, 2));
    assert_eq!((t0.good.customers, t0.good.with_outcome), (4, 2));
    assert_eq!((t0.neutral_customers, t0.unknown_customers), (1, 0));
    assert_eq!(t0.bad.example_customers, vec![1, 2, 7]);
    assert_eq!(t0.good.example_customers, vec![3, 4, 6, 9]);
    close(t0.odds_ratio, 1.5, 1e-12);
    close(t0.standard_error, 1.5_f64.sqrt(), 1e-12);
    close(t0.impact, 1.5_f64.ln() * 3.0, 1e-12);
    assert!(t0.supported);
    // t1: bad = 8 (yes); good = 2 (no); unknown = 5. OR = (2·2)/(1·1).
    let t1 = &result.moments[1];
    assert_eq!(t1.touchpoint, tp(1));
    assert_eq!(
        (t1.bad.customers, t1.good.customers, t1.unknown_customers),
        (1, 1, 1)
    );
    close(t1.odds_ratio, 4.0, 1e-12);
    assert!(!t1.supported);
    let findings = result.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].kind, FindingKind::MomentOfTruth);
    assert_eq!(findings[0].touchpoint, Some(tp(0)));
    assert_eq!(findings[0].support, 7);
    assert_eq!(findings[0].evidence.customers, vec![1, 2, 7]);
}

#[test]
fn moments_can_read_ratings() {
    // CSAT 1 → −1 (bad), 5 → +1 (good); the emotion column is ignored.
    let csat = RatingScale::Csat5;
    let journeys = [
        with_ratings(
            journey(1, 0, &[(0.0, 0, 1.0), (1.0, 3, f32::NAN)]),
            &[(0, 1.0, csat)],
        ),
        with_ratings(journey(2, 0, &[(0.0, 0, -1.0)]), &[(0, 5.0, csat)]),
        with_ratings(journey(3, 0, &[(0.0, 0, -1.0)]), &[]),
    ];
    let mut spec = MomentsSpec::new(OutcomeRule::reach(&[tp(3)]).expect("valid"));
    spec.source = ExperienceSource::Rating;
    spec.min_customers_per_arm = 1;
    let result = run(MomentsAccumulator::new(&spec).expect("valid"), &journeys);
    let t0 = &result.moments[0];
    assert_eq!((t0.bad.customers, t0.bad.with_outcome), (1, 1));
    assert_eq!((t0.good.customers, t0.good.with_outcome), (1, 0));
    assert_eq!(t0.unknown_customers, 1);
    close(t0.odds_ratio, 4.0, 1e-12);
}

// ---------------------------------------------------------------------------
// Driver importance

/// (score at t0, t1, t2, outcome) per customer; the expected values below
/// come from numpy 2.4 `lstsq` with an intercept over every subset and the
/// Shapley formula (script kept in the report of issue 7).
const DRIVER_ROWS: [(f32, f32, f32, bool); 12] = [
    (0.5, 0.25, -0.5, true),
    (-0.5, -0.25, 0.0, false),
    (1.0, 0.5, 0.25, true),
    (-1.0, -0.75, -0.5, false),
    (0.25, 0.5, 0.5, true),
    (0.0, -0.5, 0.25, false),
    (0.75, 0.25, -0.25, true),
    (-0.25, 0.0, 0.75, false),
    (0.5, -0.25, 0.0, false),
    (-0.75, -0.5, -1.0, false),
    (0.25, 0.75, 0.5, true),
    (1.0, 0.0, -0.75, true),
];

fn driver_journeys() -> Vec<OwnedJourney> {
    (DRIVER_ROWS.iter().enumerate())
        .map(|(i, &(a, b, c, converted))| {
            let mut events = vec![(0.0, 0, a), (1.0, 1, b), (2.0, 2, c)];
            if converted {
                events.push((3.0, 3, f32::NAN));
            }
            journey(i as u64 + 1, 0, &events)
        })
        .collect()
}

#[test]
fn shapley_values_of_a_correlation_matrix() {
    // Two drivers by hand: r1 = 0.5, r2 = 0.3, r12 = 0.4, R²(1, 2) =
    // (r1² + r2² − 2 r1 r2 r12) / (1 − r12²).
    let full = (0.25 + 0.09 - 2.0 * 0.5 * 0.3 * 0.4) / (1.0 - 0.16);
    let two = shapley_r_squared(&[
        vec![1.0, 0.4, 0.5],
        vec![0.4, 1.0, 0.3],
        vec![0.5, 0.3, 1.0],
    ]);
    close(two[0], 0.5 * 0.25 + 0.5 * (full - 0.09), 1e-12);
    close(two[1], 0.5 * 0.09 + 0.5 * (full - 0.25), 1e-12);
    // Three drivers; numpy solving every sub-system (see DRIVER_ROWS).
    let three = shapley_r_squared(&[
        vec![1.0, 0.4, 0.2, 0.5],
        vec![0.4, 1.0, 0.3, 0.3],
        vec![0.2, 0.3, 1.0, -0.2],
        vec![0.5, 0.3, -0.2, 1.0],
    ]);
    let expected = [
        0.228_408_367_321_625_9,
        0.067_742_158_530_417_11,
        0.083_664_777_578_036_17,
    ];
    for (actual, expected) in three.iter().zip(expected) {
        close(*actual, expected, 1e-12);
    }
    close(three.iter().sum(), 0.379_815_303_430_079_2, 1e-12);
}

#[test]
fn driver_importance_matches_least_squares() {
    let mut spec = DriverSpec::new(OutcomeRule::reach(&[tp(3)]).expect("valid"));
    spec.min_customers = 1;
    let result = run(
        DriverAccumulator::new(&spec).expect("valid"),
        &driver_journeys(),
    );
    assert_eq!(
        (result.eligible_customers, result.outcome_customers),
        (12, 6)
    );
    close(
        result.r_squared.expect("outcome varies"),
        0.897_458_353_357_412_8,
        1e-12,
    );
    let order: Vec<TouchpointId> = result.drivers.iter().map(|d| d.touchpoint).collect();
    assert_eq!(order, vec![tp(1), tp(0), tp(2)]);
    let expected: BTreeMap<u32, (f64, f64)> = [
        (0, (0.305_841_752_815_177_4, 0.757_054_221_478_128_4)),
        (1, (0.523_900_112_233_314_9, 0.842_927_230_423_524_7)),
        (2, (0.067_716_488_308_920_35, 0.039_936_153_191_543_59)),
    ]
    .into();
    for driver in &result.drivers {
        let (shapley, correlation) = expected[&driver.touchpoint.0];
        close(driver.shapley_r_squared, shapley, 1e-12);
        close(driver.correlation, correlation, 1e-12);
        assert!(driver.correlation_low < correlation && correlation < driver.correlation_high);
        assert_eq!(driver.observed_customers, 12);
    }
    // t0's lowest scores: customers 4 (−1), 10 (−0.75), 2 (−0.5), 8, 6.
    let t0 = result
        .drivers
        .iter()
        .find(|d| d.touchpoint == tp(0))
        .expect("t0");
    assert_eq!(t0.example_customers, vec![4, 10, 2, 8, 6]);
    assert_eq!(result.findings().len(), 3);

    spec.max_drivers = 2;
    let result = run(
        DriverAccumulator::new(&spec).expect("valid"),
        &driver_journeys(),
    );
    assert_eq!(result.candidates_not_modelled, 1);
    let mut modelled: Vec<u32> = result.drivers.iter().map(|d| d.touchpoint.0).collect();
    modelled.sort();
    assert_eq!(modelled, vec![0, 1], "ties in support go to the smaller id");
}

/// The naive driver reference: the explicitly mean-imputed data matrix,
/// R² of every subset from its normal equations, and Shapley values as the
/// average marginal contribution over all orderings.
struct NaiveDrivers {
    r_squared: Option<f64>,
    /// touchpoint → (correlation, Shapley value)
    drivers: BTreeMap<u32, (f64, f64)>,
    well_conditioned: bool,
}

fn naive_drivers(journeys: &[OwnedJourney], rule: &OutcomeRule, spec: &DriverSpec) -> NaiveDrivers {
    let mut rows: Vec<(HashMap<u32, f64>, f64)> = Vec::new();
    for journey in journeys {
        let Some(outcome) = rule.evaluate(&journey.as_journey()) else {
            continue;
        };
        let mut sums: HashMap<u32, (f64, f64)> = HashMap::new();
        for i in 0..outcome.exposure_len {
            let emotion = journey.emotion[i];
            if emotion.is_finite() {
                let entry = sums.entry(journey.touchpoint[i].0).or_default();
                entry.0 += f64::from(emotion);
                entry.1 += 1.0;
            }
        }
        let scores = sums.into_iter().map(|(t, (s, n))| (t, s / n)).collect();
        rows.push((scores, f64::from(u8::from(outcome.occurred))));
    }
    let n = rows.len() as f64;
    let mut candidates: Vec<(u32, usize, f64)> = Vec::new();
    for t in 0..6 {
        let observed: Vec<f64> = rows
            .iter()
            .filter_map(|(s, _)| s.get(&t).copied())
            .collect();
        if observed.is_empty() || (observed.len() as u64) < spec.min_customers {
            continue;
        }
        let mean = observed.iter().sum::<f64>() / observed.len() as f64;
        let variance = observed
            .iter()
            .map(|v| (v - mean) * (v - mean))
            .sum::<f64>()
            / observed.len() as f64;
        if variance > 1e-12 {
            candidates.push((t, observed.len(), mean));
        }
    }
    candidates.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    candidates.truncate(spec.max_drivers);
    candidates.sort_by_key(|c| c.0);
    let outcomes: f64 = rows.iter().map(|(_, y)| y).sum();
    let mut result = NaiveDrivers {
        r_squared: None,
        drivers: BTreeMap::new(),
        well_conditioned: true,
    };
    if candidates.is_empty() || outcomes == 0.0 || outcomes == n {
        return result;
    }
    let columns: Vec<Vec<f64>> = (candidates.iter())
        .map(|&(t, _, mean)| {
            rows.iter()
                .map(|(s, _)| s.get(&t).copied().unwrap_or(mean))
                .collect()
        })
        .collect();
    let y: Vec<f64> = rows.iter().map(|(_, y)| *y).collect();
    let centre = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| x - mean).collect::<Vec<f64>>()
    };
    let columns: Vec<Vec<f64>> = columns.iter().map(|c| centre(c)).collect();
    let y = centre(&y);
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let syy = dot(&y, &y);
    let p = columns.len();
    let r_squared = |subset: &[usize]| -> Option<f64> {
        if subset.is_empty() {
            return Some(0.0);
        }
        let matrix: Vec<Vec<f64>> = (subset.iter())
            .map(|&i| {
                subset
                    .iter()
                    .map(|&j| dot(&columns[i], &columns[j]))
                    .collect()
            })
            .collect();
        let rhs: Vec<f64> = subset.iter().map(|&i| dot(&columns[i], &y)).collect();
        let beta = solve_linear_system(&matrix, &rhs)?;
        Some(beta.iter().zip(&rhs).map(|(b, r)| b * r).sum::<f64>() / syy)
    };
    // Condition check: the full Gram matrix of standardised columns.
    let standardised: Vec<Vec<f64>> = (columns.iter())
        .map(|c| {
            let norm = dot(c, c).sqrt();
            c.iter().map(|x| x / norm).collect()
        })
        .collect();
    let gram: Vec<Vec<f64>> = (0..p)
        .map(|i| {
            (0..p)
                .map(|j| dot(&standardised[i], &standardised[j]))
                .collect()
        })
        .collect();
    result.well_conditioned = determinant(gram) > 1e-6;
    let mut shapley = vec![0.0; p];
    let mut orderings = 0.0;
    for_each_permutation(&mut (0..p).collect::<Vec<_>>(), 0, &mut |order| {
        orderings += 1.0;
        for k in 0..p {
            let before = &order[..k];
            let with: Vec<usize> = order[..=k].to_vec();
            let gain = r_squared(&with).unwrap_or(f64::NAN) - r_squared(before).unwrap_or(f64::NAN);
            shapley[order[k]] += gain;
        }
    });
    result.r_squared = r_squared(&(0..p).collect::<Vec<_>>());
    for (i, &(t, _, _)) in candidates.iter().enumerate() {
        let correlation = dot(&columns[i], &y) / (dot(&columns[i], &columns[i]) * syy).sqrt();
        result
            .drivers
            .insert(t, (correlation, shapley[i] / orderings));
    }
    result
}

fn for_each_permutation(items: &mut Vec<usize>, start: usize, visit: &mut impl FnMut(&[usize])) {
    if start == items.len() {
        visit(items);
        return;
    }
    for i in start..items.len() {
        items.swap(start, i);
        for_each_permutation(items, start + 1, visit);
        items.swap(start, i);
    }
}

fn determinant(mut matrix: Vec<Vec<f64>>) -> f64 {
    let n = matrix.len();
    let mut determinant = 1.0;
    for column in 0..n {
        let pivot = (column..n)
            .max_by(|&a, &b| matrix[a][column].abs().total_cmp(&matrix[b][column].abs()))
            .expect("rows");
        if matrix[pivot][column] == 0.0 {
            return 0.0;
        }
        if pivot != column {
            matrix.swap(pivot, column);
            determinant = -determinant;
        }
        determinant *= matrix[column][column];
        let pivot_row = matrix[column].clone();
        for row in matrix.iter_mut().skip(column + 1) {
            let factor = row[column] / pivot_row[column];
            for (entry, p) in row.iter_mut().zip(&pivot_row).skip(column) {
                *entry -= factor * p;
            }
        }
    }
    determinant
}

// ---------------------------------------------------------------------------
// Markov attribution

fn attribution_spec(conversion: u32) -> AttributionSpec {
    AttributionSpec {
        conversion: OutcomeRule::reach(&[tp(conversion)]).expect("valid"),
    }
}

/// Journeys of touchpoint paths, each ending in conversion (t9) or not.
fn path_journeys(paths: &[(&[u32], bool, usize)]) -> Vec<OwnedJourney> {
    let mut journeys = Vec::new();
    for &(path, converted, copies) in paths {
        for _ in 0..copies {
            let mut events: Vec<(f64, u32, f32)> = (path.iter().enumerate())
                .map(|(i, &t)| (i as f64, t, f32::NAN))
                .collect();
            if converted {
                events.push((path.len() as f64, 9, f32::NAN));
            }
            journeys.push(journey(journeys.len() as u64 + 1, 0, &events));
        }
    }
    journeys
}

fn by_touchpoint(attribution: &Attribution) -> BTreeMap<u32, &TouchpointAttribution> {
    (attribution.touchpoints.iter())
        .map(|t| (t.touchpoint.0, t))
        .collect()
}

#[test]
fn markov_removal_effect_by_hand() {
    // a = t0, b = t1. start→a 3/5, start→b 2/5; a→b, a→conv, a→null 1/3
    // each; b→conv 2/3, b→null 1/3. x_b = 2/3, x_a = 1/3·2/3 + 1/3 = 5/9,
    // P = 3/5·5/9 + 2/5·2/3 = 3/5. Without a: 2/5·2/3 = 4/15, effect 5/9.
    // Without b: 3/5·1/3 = 1/5, effect 2/3. Markov credit 5/11 and 6/11 of
    // three conversions.
    let journeys = path_journeys(&[
        (&[0, 1], true, 1),
        (&[0], true, 1),
        (&[1], false, 1),
        (&[0], false, 1),
        (&[1], true, 1),
    ]);
    let result = run(
        AttributionAccumulator::new(&attribution_spec(9)).expect("valid"),
        &journeys,
    );
    assert_eq!(
        (
            result.journeys,
            result.conversions,
            result.direct_conversions
        ),
        (5, 3, 0)
    );
    close(result.conversion_probability, 0.6, 1e-12);
    let t = by_touchpoint(&result);
    close(t[&0].conversion_probability_without, 4.0 / 15.0, 1e-12);
    close(t[&0].removal_effect, 5.0 / 9.0, 1e-12);
    close(t[&1].removal_effect, 2.0 / 3.0, 1e-12);
    close(t[&0].markov_conversions, 15.0 / 11.0, 1e-12);
    close(t[&1].markov_conversions, 18.0 / 11.0, 1e-12);
    assert_eq!(
        result.touchpoints[0].touchpoint,
        tp(1),
        "ranked by Markov credit"
    );
    let heuristics = |t: &TouchpointAttribution| {
        (
            t.first_touch_conversions,
            t.last_touch_conversions,
            t.linear_conversions,
        )
    };
    assert_eq!(heuristics(t[&0]), (2.0, 1.0, 1.5));
    assert_eq!(heuristics(t[&1]), (1.0, 2.0, 1.5));
    assert_eq!((t[&0].journeys, t[&0].converting_journeys), (3, 2));
    assert_eq!(t[&0].example_customers, vec![1, 2]);

    // A direct conversion (the first event converts) adds start→conv 1/6:
    // P = 2/3; without a 7/18 (effect 5/12), without b 1/3 (effect 1/2);
    // the credit still splits the three conversions through touchpoints.
    let mut journeys = journeys;
    journeys.push(journey(6, 0, &[(0.0, 9, f32::NAN), (1.0, 0, f32::NAN)]));
    let result = run(
        AttributionAccumulator::new(&attribution_spec(9)).expect("valid"),
        &journeys,
    );
    assert_eq!(result.direct_conversions, 1);
    close(result.conversion_probability, 2.0 / 3.0, 1e-12);
    let t = by_touchpoint(&result);
    close(t[&0].removal_effect, 5.0 / 12.0, 1e-12);
    close(t[&1].removal_effect, 0.5, 1e-12);
    close(t[&0].markov_conversions, 15.0 / 11.0, 1e-12);
    assert_eq!(t[&0].journeys, 3, "events after the conversion are ignored");
}

#[test]
fn markov_agrees_with_channelattribution() {
    // ChannelAttribution 2.2.5 (PyPI) on the same paths:
    //   markov_model(data, "path", "total_conversions", var_null="total_null",
    //                order=1, out_more=True, nsim_start=1e6, max_step=1000)
    // It simulates, so it agrees to about 0.01; the exact values (numpy
    // solving the same absorbing chain) agree to 1e-12.
    // heuristic_models(...) gives the first/last/linear columns exactly.
    let journeys = path_journeys(&[
        (&[0, 1, 2], true, 30),
        (&[0, 1, 2], false, 10),
        (&[0, 2], true, 20),
        (&[0, 2], false, 15),
        (&[1], true, 5),
        (&[1], false, 40),
        (&[0, 1, 0, 2], true, 12),
        (&[0, 1, 0, 2], false, 8),
        (&[2, 1], true, 7),
        (&[2, 1], false, 20),
        (&[0], false, 50),
        (&[1, 2], true, 25),
        (&[1, 2], false, 10),
        (&[3, 0, 2], true, 9),
        (&[3, 0, 2], false, 6),
        (&[3], true, 2),
        (&[3], false, 30),
        (&[3, 1], true, 4),
        (&[3, 1], false, 12),
    ]);
    let result = run(
        AttributionAccumulator::new(&attribution_spec(9)).expect("valid"),
        &journeys,
    );
    assert_eq!((result.journeys, result.conversions), (315, 114));
    close(
        result.conversion_probability,
        0.361_904_761_904_761_84,
        1e-12,
    );
    // (touchpoint, exact removal effect, exact Markov conversions,
    //  ChannelAttribution removal effect, ChannelAttribution conversions,
    //  first, last, linear)
    let expected = [
        (
            0,
            0.553_140_005_968_879_6,
            30.291_927_513_962,
            0.554_358,
            30.301_338,
            62.0,
            0.0,
            29.0,
        ),
        (
            1,
            0.545_627_634_978_920_2,
            29.880_523_176_849_845,
            0.547_666,
            29.935_530,
            30.0,
            16.0,
            36.0,
        ),
        (
            2,
            0.863_595_662_123_171_7,
            47.293_590_982_603_66,
            0.863_681,
            47.208_947,
            7.0,
            96.0,
            42.0,
        ),
        (
            3,
            0.119_312_108_683_131_14,
            6.533_958_326_584_506,
            0.119_908,
            6.554_184,
            15.0,
            2.0,
            7.0,
        ),
    ];
    let t = by_touchpoint(&result);
    for (id, removal, markov, ca_removal, ca_markov, first, last, linear) in expected {
        let actual = t[&id];
        close(actual.removal_effect, removal, 1e-12);
        close(actual.markov_conversions, markov, 1e-9);
        close(actual.removal_effect, ca_removal, 0.01);
        close(actual.markov_conversions, ca_markov, 0.5);
        close(actual.first_touch_conversions, first, 0.0);
        close(actual.last_touch_conversions, last, 0.0);
        close(actual.linear_conversions, linear, 1e-12);
    }
}

/// P(conversion) of the chain estimated from `paths` by enumerating every
/// path from start (the chain must be acyclic): Σ over paths of the product
/// of their transition probabilities, with `removed` unreachable.
fn brute_force_conversion(paths: &[(Vec<u32>, bool)], removed: Option<u32>) -> f64 {
    // States: 0..=9 touchpoints, START, CONV, NULL.
    const START: u32 = 100;
    const CONV: u32 = 101;
    const NULL: u32 = 102;
    let mut counts: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    let mut out: BTreeMap<u32, f64> = BTreeMap::new();
    for (path, converted) in paths {
        let mut previous = START;
        for &t in path.iter().chain([if *converted { &CONV } else { &NULL }]) {
            *counts.entry((previous, t)).or_default() += 1.0;
            *out.entry(previous).or_default() += 1.0;
            previous = t;
        }
    }
    fn walk(
        state: u32,
        counts: &BTreeMap<(u32, u32), f64>,
        out: &BTreeMap<u32, f64>,
        removed: Option<u32>,
    ) -> f64 {
        if state == CONV {
            return 1.0;
        }
        if state == NULL || Some(state) == removed {
            return 0.0;
        }
        (counts.iter())
            .filter(|((from, _), _)| *from == state)
            .map(|((_, to), count)| count / out[&state] * walk(*to, counts, out, removed))
            .sum()
    }
    walk(START, &counts, &out, removed)
}

fn acyclic_paths() -> impl Strategy<Value = Vec<(Vec<u32>, bool)>> {
    let path = (prop::collection::btree_set(0_u32..6, 0..5), any::<bool>()).prop_map(
        |(touchpoints, converted)| {
            // A journey needs an event: an empty path is a direct conversion.
            let converted = converted || touchpoints.is_empty();
            (touchpoints.into_iter().collect(), converted)
        },
    );
    prop::collection::vec(path, 1..30)
}

proptest! {
    #[test]
    fn markov_solution_equals_path_enumeration(paths in acyclic_paths()) {
        let spec: Vec<(&[u32], bool, usize)> =
            paths.iter().map(|(p, c)| (p.as_slice(), *c, 1)).collect();
        let journeys = path_journeys(&spec);
        let result = run(AttributionAccumulator::new(&attribution_spec(9)).expect("valid"), &journeys);
        let expected = brute_force_conversion(&paths, None);
        prop_assert!((result.conversion_probability - expected).abs() < 1e-12);
        // The fitted chain reproduces the observed conversion rate.
        let rate = result.conversions as f64 / result.journeys as f64;
        prop_assert!((result.conversion_probability - rate).abs() < 1e-12);
        for t in &result.touchpoints {
            let without = brute_force_conversion(&paths, Some(t.touchpoint.0));
            prop_assert!((t.conversion_probability_without - without).abs() < 1e-12);
        }
        let credited: f64 = result.touchpoints.iter().map(|t| t.markov_conversions).sum();
        let through = (result.conversions - result.direct_conversions) as f64;
        if result.touchpoints.iter().any(|t| t.removal_effect > 0.0) {
            prop_assert!((credited - through).abs() < 1e-9);
        }
    }
}

// ---------------------------------------------------------------------------
// Persona differences

#[test]
fn two_proportion_test_matches_scipy() {
    // 30/100 vs 20/100; z and p by scipy.stats.norm, h by Python's math.
    let test = two_proportion_test(30, 100, 20, 100);
    close(test.statistic, 1.632_993_161_855_451_8, 1e-12);
    close(test.p_value, 0.102_470_434_859_749_41, 1e-12);
    close(test.difference, 0.1, 1e-15);
    close(test.difference_low, -0.019_219_954_858_942_43, 1e-12);
    close(cohens_h(0.3, 0.2), 0.231_984_262_725_796_3, 1e-12);
    let same = two_proportion_test(0, 10, 0, 20);
    assert_eq!((same.statistic, same.p_value), (0.0, 1.0));
}

#[test]
fn welch_test_matches_scipy() {
    // scipy.stats.ttest_ind(a, b, equal_var=False) with
    // a = [0.5, 0.25, 0.75, 1.0, 0.0, 0.5] (mean 0.5, variance 0.125) and
    // b = [0.0, −0.25, 0.25, 0.5, −0.5, 0.25, 0.0, −0.75] (mean −0.0625,
    // variance 0.174107…); interval from its confidence_interval(0.95).
    let test = welch_test((6, 0.5, 0.125), (8, -0.0625, 0.174_107_142_857_142_85));
    close(test.statistic, 2.725_426_131_498_206, 1e-12);
    close(test.p_value, 0.018_731_583_085_069_142, 1e-10);
    close(test.degrees_of_freedom, 11.746_558_466_077_452, 1e-10);
    close(test.difference_low, 0.111_736_942_552_231_32, 1e-9);
    close(test.difference_high, 1.013_263_057_447_768_6, 1e-9);
    close(test.cohens_d, 1.435_033_809_322_381_6, 1e-12);
    close(test.hedges_g, 1.343_435_906_599_676_4, 1e-12);
}

#[test]
fn benjamini_hochberg_matches_scipy() {
    // scipy.stats.false_discovery_control([0.01, 0.04, 0.03, 0.005]).
    let check = |p: &[f64], expected: &[f64]| {
        let q = benjamini_hochberg(p);
        assert_eq!(q.len(), expected.len());
        for (q, e) in q.iter().zip(expected) {
            close(*q, *e, 1e-15);
        }
    };
    check(&[0.01, 0.04, 0.03, 0.005], &[0.02, 0.04, 0.04, 0.02]);
    check(&[0.5, 0.9], &[0.9, 0.9]);
    check(&[], &[]);
}

#[test]
fn persona_differences_by_hand() {
    let nan = f32::NAN;
    // Persona 0: scores a at t0; the first three stop there. Others: scores
    // b at t0; the first two stop there. Every journey that goes on ends at
    // t1 (no scores).
    let a = [0.5, 0.25, 0.75, 1.0, 0.0, 0.5];
    let b = [0.0, -0.25, 0.25, 0.5, -0.5, 0.25, 0.0, -0.75];
    let mut journeys = Vec::new();
    for (i, &score) in a.iter().enumerate() {
        let mut events = vec![(0.0, 0, score)];
        if i >= 3 {
            events.push((1.0, 1, nan));
        }
        journeys.push(journey(10 + i as u64, 0b1, &events));
    }
    for (i, &score) in b.iter().enumerate() {
        let mut events = vec![(0.0, 0, score)];
        if i >= 2 {
            events.push((1.0, 1, nan));
        }
        journeys.push(journey(20 + i as u64, 0b0, &events));
    }
    let mut spec = PersonaDifferenceSpec::new(1);
    spec.min_customers_per_group = 3;
    spec.false_discovery_rate = 0.1;
    let result = run(
        PersonaDifferenceAccumulator::new(&spec).expect("valid"),
        &journeys,
    );
    // Tests: t0 emotion, t0 drop-off (3/6 vs 2/8), t1 drop-off (3/3 vs 6/6).
    // p-values 0.018732 (Welch, above), 0.333998 (pooled z = 0.966092, by
    // scipy), 1; BH q-values 0.056195, 0.500997, 1.
    assert_eq!(result.tests, 3);
    let emotion = &result.differences[0];
    assert_eq!(
        (emotion.kind, emotion.touchpoint),
        (PersonaDifferenceKind::Emotion, tp(0))
    );
    close(emotion.statistic, 2.725_426_131_498_206, 1e-9);
    close(emotion.q_value, 0.056_194_749_255_207_43, 1e-9);
    assert!(emotion.significant);
    assert_eq!(emotion.example_customers, vec![13, 12, 10, 15, 11]);
    let drop_off = &result.differences[1];
    assert_eq!(
        (drop_off.kind, drop_off.touchpoint),
        (PersonaDifferenceKind::DropOff, tp(0))
    );
    close(drop_off.statistic, 0.966_091_783_079_296_1, 1e-12);
    close(drop_off.p_value, 0.333_998_255_821_997_94, 1e-12);
    close(drop_off.q_value, 0.500_997_383_732_996_9, 1e-12);
    close(drop_off.difference_low, -0.250_094_966_287_011_33, 1e-12);
    // h = 2 asin √0.5 − 2 asin √0.25 = π/2 − π/3.
    close(
        drop_off.standardized_effect,
        std::f64::consts::FRAC_PI_6,
        1e-12,
    );
    assert_eq!(drop_off.example_customers, vec![10, 11, 12]);
    assert!(!drop_off.significant);
    let t1 = &result.differences[2];
    assert_eq!((t1.touchpoint, t1.p_value, t1.q_value), (tp(1), 1.0, 1.0));
    let findings = result.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].kind, FindingKind::PersonaEmotion);
    assert_eq!(findings[0].persona, Some(0));
}

// ---------------------------------------------------------------------------
// Conformance

fn conformance_spec(cycle: bool) -> ConformanceSpec {
    let step = |t: u32, max_s: Option<f64>, optional: bool| ConformanceStep {
        touchpoints: vec![tp(t)],
        max_s,
        optional,
    };
    ConformanceSpec {
        steps: vec![
            step(0, None, true),
            step(1, None, false),
            step(2, Some(3_600.0), false),
            step(3, None, false),
        ],
        cycle,
        n_personas: 1,
    }
}

#[test]
fn conformance_replays_journeys() {
    use DeviationKind::*;
    let check = |cycle: bool, events: &[(f64, u32)], expected: &[(DeviationKind, usize)]| {
        let events: Vec<(f64, u32, f32)> = events.iter().map(|&(s, t)| (s, t, f32::NAN)).collect();
        let journeys = [journey(1, 0, &events)];
        let spec = conformance_spec(cycle);
        let result = run(
            ConformanceAccumulator::new(&spec).expect("valid"),
            &journeys,
        );
        let mut actual: Vec<(DeviationKind, usize)> = result
            .deviations
            .iter()
            .map(|d| (d.kind, d.step_idx))
            .collect();
        actual.sort();
        assert_eq!(actual, expected, "{events:?}");
        assert_eq!(
            result.conforming.count == 1,
            expected.is_empty(),
            "{events:?}"
        );
    };
    check(true, &[(0.0, 0), (1.0, 1), (2.0, 2), (3.0, 3)], &[]);
    check(true, &[(0.0, 1), (1.0, 2), (2.0, 3)], &[]);
    check(true, &[(0.0, 1), (1.0, 4), (1.0, 1), (2.0, 2)], &[]);
    check(true, &[(0.0, 0), (1.0, 2), (2.0, 3)], &[(SkippedStep, 1)]);
    check(true, &[(0.0, 2), (1.0, 3)], &[(SkippedStep, 1)]);
    check(true, &[(0.0, 1), (1.0, 3)], &[(SkippedStep, 2)]);
    check(true, &[(0.0, 1), (7_200.0, 2)], &[(SlowStep, 2)]);
    check(true, &[(0.0, 1), (3_600.0, 2)], &[]);
    // Measured from the arrival at the previous step, not its last event.
    check(
        true,
        &[(0.0, 1), (3_000.0, 1), (4_000.0, 2)],
        &[(SlowStep, 2)],
    );
    // A slow arrival after a skipped step is only a skip.
    check(true, &[(0.0, 0), (9_000.0, 2)], &[(SkippedStep, 1)]);
    check(
        true,
        &[(0.0, 1), (1.0, 2), (2.0, 3), (3.0, 2)],
        &[(UnexpectedLoop, 2)],
    );
    check(true, &[(0.0, 1), (1.0, 2), (2.0, 1), (3.0, 2)], &[]);
    check(
        false,
        &[(0.0, 1), (1.0, 2), (2.0, 1), (3.0, 2)],
        &[(UnexpectedLoop, 1)],
    );
    check(
        true,
        &[(0.0, 0), (1.0, 1), (2.0, 2), (3.0, 3), (4.0, 0), (5.0, 1)],
        &[],
    );
    check(
        true,
        &[(0.0, 1), (1.0, 2), (2.0, 3), (3.0, 2), (4.0, 3), (5.0, 2)],
        &[(UnexpectedLoop, 2)],
    );
}

#[test]
fn conformance_counts_customers_and_personas() {
    let nan = f32::NAN;
    let journeys = [
        journey(1, 1, &[(0.0, 1, nan), (1.0, 2, nan), (2.0, 3, nan)]),
        journey(2, 1, &[(0.0, 1, nan), (1.0, 3, nan)]),
        journey(
            3,
            0,
            &[(0.0, 1, nan), (1.0, 3, nan), (2.0, 1, nan), (3.0, 3, nan)],
        ),
        journey(4, 0, &[(0.0, 4, nan), (1.0, 5, nan)]),
        journey(5, 0, &[(0.0, 1, nan), (10_000.0, 2, nan)]),
        journey(6, 0, &[]),
    ];
    let spec = conformance_spec(true);
    let result = run(
        ConformanceAccumulator::new(&spec).expect("valid"),
        &journeys,
    );
    assert_eq!(result.replayed_customers, 4);
    assert_eq!(result.not_replayed_customers, 1);
    assert_eq!(result.completed_customers, 3);
    assert_eq!((result.conforming.count, result.conforming.total), (1, 4));
    assert_eq!(
        (
            result.personas[0].conforming.count,
            result.personas[0].conforming.total
        ),
        (1, 2)
    );
    assert_eq!(result.example_nonconforming_customers, vec![2, 3, 5]);
    let skipped = &result.deviations[0];
    assert_eq!(
        (skipped.kind, skipped.step_idx),
        (DeviationKind::SkippedStep, 2)
    );
    assert_eq!((skipped.customers.count, skipped.occurrences), (2, 3));
    assert_eq!(skipped.example_customers, vec![2, 3]);
    let slow = &result.deviations[1];
    assert_eq!(
        (slow.kind, slow.target_s, slow.mean_duration_s),
        (DeviationKind::SlowStep, Some(3_600.0), Some(10_000.0))
    );
    assert_eq!(result.findings().len(), 2);
}

#[test]
fn conformance_spec_from_definition() {
    let toml = r#"
stages = ["s0"]
[[touchpoint]]
name = "a"
stage = "s0"
[[touchpoint]]
name = "b"
stage = "s0"
[[persona]]
name = "p"
[[designed]]
touchpoint = "a"
optional = true
[[designed]]
touchpoint = "b"
max_s = 60
"#;
    let catalog = Catalog::new(&JourneyDefinition::from_toml(toml).expect("valid"));
    let spec = ConformanceSpec::from_definition(&catalog).expect("resolves");
    assert_eq!(spec.steps.len(), 2);
    assert_eq!(spec.steps[1].touchpoints, vec![tp(1)]);
    assert_eq!(spec.steps[1].max_s, Some(60.0));
    assert!(spec.steps[0].optional && spec.cycle);
    assert_eq!(spec.n_personas, 1);
    let bad = r#"
stages = ["s0"]
[[designed]]
touchpoint = "missing"
"#;
    let catalog = Catalog::new(&JourneyDefinition::from_toml(bad).expect("valid"));
    assert!(matches!(
        ConformanceSpec::from_definition(&catalog),
        Err(OutcomesError::UnknownTouchpoint { .. })
    ));
}

#[test]
fn specs_are_validated() {
    let reach = OutcomeRule::reach(&[tp(3)]).expect("valid");
    let check = |result: Result<(), OutcomesError>, needle: &str| {
        let error = result.expect_err(needle).to_string();
        assert!(error.contains(needle), "{error:?} lacks {needle:?}");
    };
    check(OutcomeRule::reach(&[]).map(drop), "names no touchpoint");
    check(
        OutcomeRule::Promoter { promoter_min: 11.0 }.validate(),
        "promoter_min",
    );
    let mut moments = MomentsSpec::new(reach.clone());
    moments.threshold = 0.0;
    check(MomentsAccumulator::new(&moments).map(drop), "threshold");
    let mut drivers = DriverSpec::new(reach.clone());
    drivers.max_drivers = 15;
    check(DriverAccumulator::new(&drivers).map(drop), "max_drivers");
    let churn = OutcomeRule::Churn {
        after_days: 1,
        now_us: 0,
    };
    check(
        AttributionAccumulator::new(&AttributionSpec { conversion: churn }).map(drop),
        "reach rule",
    );
    check(
        PersonaDifferenceAccumulator::new(&PersonaDifferenceSpec::new(65)).map(drop),
        "at most 64",
    );
    let mut twice = conformance_spec(true);
    twice.steps[3].touchpoints.push(tp(1));
    check(
        ConformanceAccumulator::new(&twice).map(drop),
        "two designed steps",
    );
    let mut empty = conformance_spec(true);
    empty.steps.clear();
    check(ConformanceAccumulator::new(&empty).map(drop), "no steps");
}

// ---------------------------------------------------------------------------
// Independence of partitioning and merge order

/// Random journeys with NPS answers derived from their emotions, so that
/// the promoter rule has data.
fn journeys_with_ratings() -> impl Strategy<Value = Vec<OwnedJourney>> {
    journeys().prop_map(|journeys| {
        (journeys.into_iter())
            .map(|mut journey| {
                let answers: Vec<(usize, f32, RatingScale)> = (journey.emotion.iter().enumerate())
                    .filter(|(i, e)| e.is_finite() && i % 3 == 1)
                    .map(|(i, e)| (i, ((e + 1.0) * 5.0).round(), RatingScale::Nps10))
                    .collect();
                journey = with_ratings(journey, &answers);
                journey
            })
            .collect()
    })
}

fn rules() -> Vec<OutcomeRule> {
    vec![
        OutcomeRule::reach(&[tp(5)]).expect("valid"),
        OutcomeRule::Churn {
            after_days: 0,
            now_us: 1_500_000,
        },
        OutcomeRule::Repurchase {
            purchase: vec![tp(2), tp(3)],
            within_days: 0,
            now_us: 2_000_000,
        },
        OutcomeRule::Promoter { promoter_min: 7.0 },
    ]
}

proptest! {
    #[test]
    fn outcome_kernels_ignore_partitioning(
        journeys in journeys_with_ratings(),
        plan in plan(),
        rule_idx in 0_usize..4,
    ) {
        let rule = rules()[rule_idx].clone();
        let single = crate::common::Plan { n_partials: 1, seed: 0 };
        let rate_spec = OutcomeRateSpec { rule: rule.clone(), n_personas: 2 };
        let new_rate = || OutcomeRateAccumulator::new(&rate_spec).expect("valid");
        assert_same_json(&run_split(&journeys, &plan, new_rate), &run_split(&journeys, &single, new_rate));
        let mut moments_spec = MomentsSpec::new(rule.clone());
        moments_spec.min_customers_per_arm = 2;
        let new_moments = || MomentsAccumulator::new(&moments_spec).expect("valid");
        assert_same_json(&run_split(&journeys, &plan, new_moments), &run_split(&journeys, &single, new_moments));
        let mut driver_spec = DriverSpec::new(rule.clone());
        driver_spec.min_customers = 3;
        let new_drivers = || DriverAccumulator::new(&driver_spec).expect("valid");
        assert_same_json(&run_split(&journeys, &plan, new_drivers), &run_split(&journeys, &single, new_drivers));
    }

    #[test]
    fn attribution_personas_and_conformance_ignore_partitioning(
        journeys in journeys(),
        plan in plan(),
    ) {
        let single = crate::common::Plan { n_partials: 1, seed: 0 };
        let attribution = attribution_spec(5);
        let new_attribution = || AttributionAccumulator::new(&attribution).expect("valid");
        assert_same_json(&run_split(&journeys, &plan, new_attribution), &run_split(&journeys, &single, new_attribution));
        let mut persona_spec = PersonaDifferenceSpec::new(2);
        persona_spec.min_customers_per_group = 2;
        let new_personas = || PersonaDifferenceAccumulator::new(&persona_spec).expect("valid");
        assert_same_json(&run_split(&journeys, &plan, new_personas), &run_split(&journeys, &single, new_personas));
        let conformance = conformance_spec(true);
        let new_conformance = || ConformanceAccumulator::new(&conformance).expect("valid");
        assert_same_json(&run_split(&journeys, &plan, new_conformance), &run_split(&journeys, &single, new_conformance));
    }

    #[test]
    fn driver_importance_equals_naive_imputed_regression(journeys in journeys(), rule_idx in 0_usize..2) {
        let rule = rules()[rule_idx].clone();
        let mut spec = DriverSpec::new(rule.clone());
        spec.min_customers = 3;
        spec.max_drivers = 4;
        let result = run(DriverAccumulator::new(&spec).expect("valid"), &journeys);
        let naive = naive_drivers(&journeys, &rule, &spec);
        let modelled: Vec<u32> = result.drivers.iter().map(|d| d.touchpoint.0).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let expected: Vec<u32> = naive.drivers.keys().copied().collect();
        prop_assert_eq!(modelled, expected);
        for driver in &result.drivers {
            let (correlation, shapley) = naive.drivers[&driver.touchpoint.0];
            prop_assert!((driver.correlation - correlation).abs() < 1e-9, "{} vs {}", driver.correlation, correlation);
            if naive.well_conditioned {
                prop_assert!((driver.shapley_r_squared - shapley).abs() < 1e-7, "{} vs {}", driver.shapley_r_squared, shapley);
            }
        }
        if naive.well_conditioned {
            match (result.r_squared, naive.r_squared) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-7, "{} vs {}", a, b),
                (a, b) => prop_assert_eq!(a.is_some(), b.is_some()),
            }
        }
    }
}
