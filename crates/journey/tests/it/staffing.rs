//! Contact-centre staffing: the published Erlang C worked example,
//! agreement with `pyworkforce`, Erlang A against an independent exact
//! birth–death computation and its Erlang C limit, the forecast and the
//! plan, and monotonicity properties.

use journey::staffing::erlang::QueueMetrics;
use journey::staffing::required::tolerant_ceil;
use journey::staffing::{
    SeasonalForecast, Staffing, StaffingError, StaffingTarget, Traffic, erlang_b, erlang_c,
    queue_metrics, required_agents, staffing_plan,
};
use proptest::prelude::*;

const PYWORKFORCE: &str = include_str!("../data/pyworkforce_reference.csv");

fn check_close(label: &str, actual: f64, expected: f64, absolute: f64) {
    assert!(
        (actual - expected).abs() <= absolute,
        "{label}: got {actual}, expected {expected} (difference {:.3e})",
        (actual - expected).abs()
    );
}

fn target(
    service_level: f64,
    answer_within_secs: f64,
    max_occupancy: f64,
    shrinkage: f64,
) -> StaffingTarget {
    StaffingTarget {
        service_level,
        answer_within_secs,
        max_asa_secs: None,
        max_occupancy,
        shrinkage,
    }
}

#[test]
fn erlang_c_worked_example() {
    // 100 calls per 30 minutes, 180 s handle time, 80 % answered within
    // 20 s: 14 agents, 88.8 % service level, 17.4 % wait, ASA 7.8 s,
    // occupancy 71.4 %; 20 agents to schedule with 30 % shrinkage.
    let traffic = Traffic::new(100.0, 1800.0, 180.0, None).expect("valid traffic");
    assert_eq!(traffic.offered_load(), 10.0);
    let staffing = required_agents(&traffic, &target(0.8, 20.0, 1.0, 0.3)).expect("reachable");
    assert_eq!(staffing.agents, 14);
    assert_eq!(staffing.agents_with_shrinkage, 20);
    check_close("service level", staffing.service_level, 0.888, 0.0005);
    check_close("P(wait)", staffing.p_wait, 0.174, 0.0005);
    check_close("ASA", staffing.asa_s, 7.8, 0.05);
    check_close("occupancy", staffing.occupancy, 0.714, 0.0005);
    assert_eq!(staffing.abandon_rate, 0.0);
    // One agent fewer misses the target.
    let thirteen = queue_metrics(&traffic, 13, 20.0).expect("stable");
    assert!(thirteen.service_level < 0.8, "{thirteen:?}");
}

#[test]
fn erlang_b_and_c_hand_values() {
    // (agents, Erlangs, B, C): B(1, A) = A/(1+A); B(2, 1) = 0.5/2.5;
    // C(1, A) = A (an M/M/1 caller waits with probability ρ).
    for (agents, load, blocking, waiting) in [
        (1, 0.5, 1.0 / 3.0, 0.5),
        (2, 1.0, 0.2, 1.0 / 3.0),
        (1, 0.25, 0.2, 0.25),
    ] {
        check_close("B", erlang_b(agents, load), blocking, 1e-15);
        check_close("C", erlang_c(agents, load), waiting, 1e-15);
    }
    assert_eq!(erlang_c(3, 3.0), 1.0);
    assert_eq!(erlang_b(0, 4.0), 1.0);
}

/// One row of `pyworkforce_reference.csv`.
struct PyworkforceCase {
    contacts: f64,
    aht_secs: f64,
    interval_secs: f64,
    answer_within_secs: f64,
    shrinkage: f64,
    service_level_target: f64,
    max_occupancy: f64,
    raw_positions: u32,
    positions: u32,
    service_level: f64,
    occupancy: f64,
    waiting_probability: f64,
    probe_positions: u32,
    probe: [f64; 3],
}

fn pyworkforce_cases() -> Vec<PyworkforceCase> {
    PYWORKFORCE
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<f64> = line
                .split(',')
                .map(|v| v.parse().expect("numeric CSV field"))
                .collect();
            PyworkforceCase {
                contacts: f[0],
                aht_secs: f[1] * 60.0,
                interval_secs: f[2] * 60.0,
                answer_within_secs: f[3] * 60.0,
                shrinkage: f[4],
                service_level_target: f[5],
                max_occupancy: f[6],
                raw_positions: f[7] as u32,
                positions: f[8] as u32,
                service_level: f[9],
                occupancy: f[10],
                waiting_probability: f[11],
                probe_positions: f[12] as u32,
                probe: [f[13], f[14], f[15]],
            }
        })
        .collect()
}

#[test]
fn erlang_c_agrees_with_pyworkforce() {
    let cases = pyworkforce_cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for case in cases {
        let label = format!(
            "{} contacts, AHT {} s, {} s interval, {} in {} s, occupancy ≤ {}, shrinkage {}",
            case.contacts,
            case.aht_secs,
            case.interval_secs,
            case.service_level_target,
            case.answer_within_secs,
            case.max_occupancy,
            case.shrinkage
        );
        let traffic = Traffic::new(case.contacts, case.interval_secs, case.aht_secs, None)
            .expect("valid traffic");
        let goal = target(
            case.service_level_target,
            case.answer_within_secs,
            case.max_occupancy,
            case.shrinkage,
        );
        let staffing = required_agents(&traffic, &goal).expect("reachable");
        assert_eq!(staffing.agents, case.raw_positions, "agents for {label}");
        assert_eq!(
            staffing.agents_with_shrinkage, case.positions,
            "agents with shrinkage for {label}"
        );
        check_close(
            &format!("service level for {label}"),
            staffing.service_level,
            case.service_level,
            1e-6,
        );
        check_close(
            &format!("occupancy for {label}"),
            staffing.occupancy,
            case.occupancy,
            1e-6,
        );
        check_close(
            &format!("P(wait) for {label}"),
            staffing.p_wait,
            case.waiting_probability,
            1e-6,
        );
        let probe = queue_metrics(&traffic, case.probe_positions, case.answer_within_secs)
            .expect("stable probe");
        check_close(
            &format!("probe P(wait) for {label}"),
            probe.p_wait,
            case.probe[0],
            1e-6,
        );
        check_close(
            &format!("probe service level for {label}"),
            probe.service_level,
            case.probe[1],
            1e-6,
        );
        check_close(
            &format!("probe occupancy for {label}"),
            probe.occupancy,
            case.probe[2],
            1e-6,
        );
    }
}

/// Erlang A by brute force: the birth–death chain's stationary
/// distribution truncated far out, the tagged caller's chance of being
/// answered within t by uniformization, and its expected wait by the
/// recursion over the callers ahead. Shares no formula with the library.
fn erlang_a_exact(
    contacts_per_s: f64,
    aht_secs: f64,
    patience_secs: f64,
    agents: u32,
    t: f64,
) -> QueueMetrics {
    let (lambda, mu, theta) = (contacts_per_s, 1.0 / aht_secs, 1.0 / patience_secs);
    let n = f64::from(agents);
    let max_queue = 4_000_usize;
    let states = agents as usize + max_queue;
    let mut ln_pi = vec![0.0_f64; states + 1];
    for k in 1..=states {
        let death = f64::from(k.min(agents as usize) as u32) * mu + (k as f64 - n).max(0.0) * theta;
        ln_pi[k] = ln_pi[k - 1] + (lambda / death).ln();
    }
    let peak = ln_pi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = ln_pi.iter().map(|l| (l - peak).exp()).collect();
    let total: f64 = weights.iter().sum();
    let pi: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let queue = &pi[agents as usize..];
    let p_wait: f64 = queue.iter().sum();
    let mean_queue: f64 = queue.iter().enumerate().map(|(j, p)| j as f64 * p).sum();
    let abandon_rate = theta * mean_queue / lambda;
    // Callers ahead j = 0..J: advance at r_j = nμ + jθ, abandon at θ.
    let jmax = queue.iter().rposition(|p| *p > 1e-300).unwrap_or(0);
    let rate = |j: usize| n * mu + j as f64 * theta;
    let uniform = rate(jmax) + theta;
    let mean_steps = uniform * t;
    let steps = (mean_steps + 12.0 * mean_steps.sqrt() + 60.0) as usize;
    let mut answered_by = vec![0.0_f64; jmax + 1];
    let mut within = vec![0.0_f64; jmax + 1];
    let mut poisson = (-mean_steps).exp();
    for step in 0..=steps {
        if step > 0 {
            poisson *= mean_steps / step as f64;
            let previous = answered_by.clone();
            for j in 0..=jmax {
                let ahead_done = if j == 0 { 1.0 } else { previous[j - 1] };
                answered_by[j] = rate(j) / uniform * ahead_done
                    + (1.0 - (rate(j) + theta) / uniform) * previous[j];
            }
        }
        for j in 0..=jmax {
            within[j] += poisson * answered_by[j];
        }
    }
    let mut served = 1.0;
    let mut served_wait = 0.0;
    let mut asa_numerator = 0.0;
    for (j, share) in queue.iter().enumerate().take(jmax + 1) {
        let advance = rate(j) / (rate(j) + theta);
        served_wait = advance * (served / (rate(j) + theta) + served_wait);
        served *= advance;
        asa_numerator += share * served_wait;
    }
    let service_level = (1.0 - p_wait) + (0..=jmax).map(|j| queue[j] * within[j]).sum::<f64>();
    QueueMetrics {
        agents,
        service_level,
        p_wait,
        asa_s: asa_numerator / (1.0 - abandon_rate),
        occupancy: lambda * (1.0 - abandon_rate) / (n * mu),
        abandon_rate,
    }
}

fn check_metrics(label: &str, actual: &QueueMetrics, expected: &QueueMetrics, tolerance: f64) {
    check_close(
        &format!("{label} service level"),
        actual.service_level,
        expected.service_level,
        tolerance,
    );
    check_close(
        &format!("{label} P(wait)"),
        actual.p_wait,
        expected.p_wait,
        tolerance,
    );
    check_close(
        &format!("{label} abandon rate"),
        actual.abandon_rate,
        expected.abandon_rate,
        tolerance,
    );
    check_close(
        &format!("{label} occupancy"),
        actual.occupancy,
        expected.occupancy,
        tolerance,
    );
    check_close(
        &format!("{label} ASA"),
        actual.asa_s,
        expected.asa_s,
        tolerance * expected.asa_s.max(1.0),
    );
}

#[test]
fn erlang_a_matches_exact_birth_death_chain() {
    // (contacts per 30 min, AHT s, patience s, agents, answer within s):
    // under- and overloaded queues, short and long patience.
    let cases = [
        (100.0, 180.0, 120.0, 14, 20.0),
        (100.0, 180.0, 600.0, 10, 20.0),
        (100.0, 180.0, 30.0, 8, 15.0),
        (40.0, 300.0, 90.0, 5, 30.0),
        (300.0, 240.0, 200.0, 45, 10.0),
        (300.0, 240.0, 200.0, 30, 60.0),
        (5.0, 400.0, 60.0, 1, 20.0),
    ];
    for (contacts, aht, patience, agents, within) in cases {
        let label = format!("{contacts} contacts, AHT {aht}, patience {patience}, {agents} agents");
        let traffic = Traffic::new(contacts, 1800.0, aht, Some(patience)).expect("valid traffic");
        let actual = queue_metrics(&traffic, agents, within).expect("Erlang A is always stable");
        let exact = erlang_a_exact(contacts / 1800.0, aht, patience, agents, within);
        check_metrics(&label, &actual, &exact, 1e-9);
    }
}

#[test]
fn erlang_a_with_endless_patience_is_erlang_c() {
    for (contacts, aht, agents, within) in [
        (100.0, 180.0, 14, 20.0),
        (600.0, 255.0, 93, 20.0),
        (3000.0, 210.0, 360, 15.0),
    ] {
        let erlang_c = queue_metrics(
            &Traffic::new(contacts, 1800.0, aht, None).expect("valid"),
            agents,
            within,
        )
        .expect("stable");
        let patient = Traffic::new(contacts, 1800.0, aht, Some(1e9)).expect("valid");
        let erlang_a = queue_metrics(&patient, agents, within).expect("stable");
        check_metrics(
            &format!("{contacts} contacts, {agents} agents"),
            &erlang_a,
            &erlang_c,
            1e-5,
        );
    }
}

#[test]
fn erlang_a_stays_finite_for_hundreds_of_agents() {
    // 1,000 Erlangs, from heavily over- to understaffed.
    let traffic = Traffic::new(10_000.0, 1800.0, 180.0, Some(240.0)).expect("valid traffic");
    let mut previous = 0.0;
    for agents in [800, 950, 1000, 1030, 1100, 1300] {
        let metrics = queue_metrics(&traffic, agents, 20.0).expect("stable");
        for value in [
            metrics.service_level,
            metrics.p_wait,
            metrics.asa_s,
            metrics.occupancy,
            metrics.abandon_rate,
        ] {
            assert!(
                value.is_finite() && value >= 0.0,
                "{agents} agents: {metrics:?}"
            );
        }
        assert!(
            metrics.service_level >= previous,
            "{agents} agents: {metrics:?}"
        );
        previous = metrics.service_level;
    }
    let exact = erlang_a_exact(10_000.0 / 1800.0, 180.0, 240.0, 1000, 20.0);
    check_metrics(
        "1000 agents",
        &queue_metrics(&traffic, 1000, 20.0).expect("stable"),
        &exact,
        1e-8,
    );
}

#[test]
fn erlang_a_requirement_is_minimal_and_uses_abandonment() {
    let goal = target(0.8, 20.0, 1.0, 0.3);
    let impatient = Traffic::new(100.0, 1800.0, 180.0, Some(120.0)).expect("valid traffic");
    let staffing = required_agents(&impatient, &goal).expect("reachable");
    assert!(
        staffing.service_level >= 0.8 && staffing.abandon_rate > 0.0,
        "{staffing:?}"
    );
    let fewer = queue_metrics(&impatient, staffing.agents - 1, 20.0).expect("stable");
    assert!(fewer.service_level < 0.8, "{fewer:?}");
    // With an ASA target too.
    let strict = StaffingTarget {
        max_asa_secs: Some(2.0),
        ..goal
    };
    let staffing = required_agents(&impatient, &strict).expect("reachable");
    assert!(staffing.asa_s <= 2.0, "{staffing:?}");
    let fewer = queue_metrics(&impatient, staffing.agents - 1, 20.0).expect("stable");
    assert!(fewer.asa_s > 2.0 || fewer.service_level < 0.8, "{fewer:?}");
}

#[test]
fn occupancy_cap_and_shrinkage() {
    let traffic = Traffic::new(600.0, 1800.0, 255.0, None).expect("valid traffic");
    let capped = required_agents(&traffic, &target(0.5, 20.0, 0.85, 0.0)).expect("reachable");
    assert_eq!(capped.agents, 100, "85 Erlangs at ≤ 85 % occupancy");
    // Under Erlang A the cap applies to the served load.
    let impatient = Traffic::new(600.0, 1800.0, 255.0, Some(120.0)).expect("valid traffic");
    let capped = required_agents(&impatient, &target(0.5, 20.0, 0.7, 0.0)).expect("reachable");
    assert!(
        capped.occupancy <= 0.7 && capped.service_level >= 0.5,
        "{capped:?}"
    );
    let fewer = queue_metrics(&impatient, capped.agents - 1, 20.0).expect("stable");
    assert!(fewer.occupancy > 0.7, "{fewer:?}");
    assert_eq!(tolerant_ceil(7.0 / (1.0 - 0.3)), 10);
    assert_eq!(tolerant_ceil(10.000001), 11);
    let idle = required_agents(
        &Traffic::new(0.0, 1800.0, 200.0, None).expect("valid"),
        &target(0.8, 20.0, 1.0, 0.3),
    )
    .expect("no traffic needs nobody");
    assert_eq!(
        (idle.agents, idle.agents_with_shrinkage, idle.service_level),
        (0, 0, 1.0)
    );
}

#[test]
fn invalid_inputs_are_refused() {
    assert!(matches!(
        Traffic::new(-1.0, 1800.0, 180.0, None),
        Err(StaffingError::InvalidInput {
            name: "contacts",
            ..
        })
    ));
    assert!(Traffic::new(10.0, 0.0, 180.0, None).is_err());
    assert!(Traffic::new(10.0, 1800.0, f64::NAN, None).is_err());
    assert!(Traffic::new(10.0, 1800.0, 180.0, Some(-5.0)).is_err());
    let hand_made = Traffic {
        arrival_rate_per_s: 0.1,
        aht_secs: -3.0,
        patience_secs: None,
    };
    assert!(required_agents(&hand_made, &target(0.8, 20.0, 1.0, 0.0)).is_err());
    let traffic = Traffic::new(100.0, 1800.0, 180.0, None).expect("valid traffic");
    for bad in [
        target(1.2, 20.0, 1.0, 0.0),
        target(0.8, -1.0, 1.0, 0.0),
        target(0.8, 20.0, 0.0, 0.0),
        target(0.8, 20.0, 1.0, 1.0),
    ] {
        assert!(required_agents(&traffic, &bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        queue_metrics(&traffic, 10, 20.0),
        Err(StaffingError::Unstable {
            agents: 10,
            load: 10.0
        })
    );
    assert_eq!(
        queue_metrics(&traffic, 0, 20.0),
        Err(StaffingError::NoAgents)
    );
    let forecast = SeasonalForecast {
        season_len: 4,
        weeks: 2,
    };
    assert!(matches!(
        forecast.forecast(&[1.0, 2.0], 3),
        Err(StaffingError::HistoryTooShort { .. })
    ));
    assert!(forecast.forecast(&[1.0, 2.0, -3.0, 4.0], 3).is_err());
}

fn check_forecast(
    history: &[f64],
    season_len: usize,
    weeks: usize,
    horizon: usize,
    expected: &[f64],
) {
    let forecast = SeasonalForecast { season_len, weeks }
        .forecast(history, horizon)
        .expect("valid history");
    assert_eq!(
        forecast, expected,
        "history {history:?}, season {season_len}, {weeks} weeks"
    );
}

#[test]
fn seasonal_forecast_hand_cases() {
    // Season of 3: positions 0, 1, 2 repeat.
    check_forecast(&[1.0, 2.0, 3.0], 3, 4, 4, &[1.0, 2.0, 3.0, 1.0]);
    check_forecast(&[1.0, 2.0, 3.0, 5.0, 6.0, 7.0], 3, 2, 3, &[3.0, 4.0, 5.0]);
    check_forecast(&[1.0, 2.0, 3.0, 5.0, 6.0, 7.0], 3, 1, 3, &[5.0, 6.0, 7.0]);
    // History ending mid-season: the next interval is position 1.
    check_forecast(&[1.0, 2.0, 3.0, 5.0], 3, 2, 2, &[2.0, 3.0]);
    check_forecast(
        &[10.0, 2.0, 3.0, 20.0, 6.0, 7.0, 30.0],
        3,
        2,
        1,
        &[(6.0 + 2.0) / 2.0],
    );
    assert_eq!(SeasonalForecast::weekly(48, 4).season_len, 336);
}

#[test]
fn staffing_plan_per_interval() {
    let goal = target(0.8, 20.0, 1.0, 0.3);
    let plan = staffing_plan(&[0.0, 100.0, 200.0], 1800.0, 180.0, None, &goal).expect("valid plan");
    let agents: Vec<u32> = plan.iter().map(|s: &Staffing| s.agents).collect();
    assert_eq!(agents[..2], [0, 14]);
    assert!(
        agents[2] > 14 && agents[2] < 28,
        "economies of scale: {agents:?}"
    );
    assert!(staffing_plan(&[-1.0], 1800.0, 180.0, None, &goal).is_err());
}

proptest! {
    #[test]
    fn erlang_c_improves_with_every_agent(load in 0.1..300.0_f64, extra in 1_u32..40, within in 0.0..120.0_f64) {
        let traffic = Traffic::new(load * 1800.0 / 180.0, 1800.0, 180.0, None).expect("valid");
        let agents = load.floor() as u32 + extra;
        let fewer = queue_metrics(&traffic, agents, within).expect("stable");
        let more = queue_metrics(&traffic, agents + 1, within).expect("stable");
        prop_assert!(more.service_level >= fewer.service_level);
        prop_assert!(more.p_wait <= fewer.p_wait);
        prop_assert!(more.asa_s <= fewer.asa_s);
        prop_assert!((0.0..=1.0).contains(&fewer.p_wait) && (0.0..=1.0).contains(&fewer.service_level));
    }

    #[test]
    fn erlang_a_improves_with_every_agent(
        load in 0.1..200.0_f64, agents in 1_u32..250, patience in 5.0..2000.0_f64, within in 0.0..120.0_f64,
    ) {
        let traffic = Traffic::new(load * 1800.0 / 180.0, 1800.0, 180.0, Some(patience)).expect("valid");
        let fewer = queue_metrics(&traffic, agents, within).expect("stable");
        let more = queue_metrics(&traffic, agents + 1, within).expect("stable");
        prop_assert!(more.service_level >= fewer.service_level - 1e-12, "{:?} {:?}", fewer, more);
        prop_assert!(more.abandon_rate <= fewer.abandon_rate + 1e-12);
        prop_assert!(more.p_wait <= fewer.p_wait + 1e-12);
        for value in [fewer.service_level, fewer.p_wait, fewer.abandon_rate, fewer.occupancy] {
            prop_assert!((0.0..=1.0).contains(&value), "{:?}", fewer);
        }
    }

    #[test]
    fn required_agents_are_the_fewest(load in 0.5..150.0_f64, level in 0.5..0.99_f64, patience in prop::option::of(20.0..900.0_f64)) {
        let traffic = Traffic::new(load * 1800.0 / 180.0, 1800.0, 180.0, patience).expect("valid");
        let staffing = required_agents(&traffic, &target(level, 20.0, 1.0, 0.0)).expect("reachable");
        prop_assert!(staffing.service_level >= level);
        if staffing.agents > 1 {
            let fewer = queue_metrics(&traffic, staffing.agents - 1, 20.0);
            prop_assert!(fewer.map_or(true, |m| m.service_level < level));
        }
    }
}
