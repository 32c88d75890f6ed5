//! Customer-base models: reproduction of the published CDNOW estimates,
//! agreement with the `lifetimes` package, and hand-computed and property
//! cases for the summary, special functions, CLV and RFM segments.

use std::collections::HashMap;

use journey::value::special::{hyp2f1, hyp2f1_c_is_a_plus_1, ln_gamma, ln_gamma_p};
use journey::value::summary::day_of;
use journey::value::{
    BgNbd, ClvOptions, CustomerBase, FitOptions, FrequencyRecency, GammaGamma, ParetoNbd,
    PeriodUnit, Purchase, RfmSegment, RfmValues, SpendObservation, SummaryOptions,
    TransactionModel, ValueError, discounted_clv, rfm_scores, summarize,
};
use proptest::prelude::*;

const CDNOW_SUMMARY: &str = include_str!("../data/cdnow_customers_summary_with_transactions.csv");
const CDNOW_SAMPLE: &str = include_str!("../data/cdnow_sample.txt");
const LIFETIMES: &str = include_str!("../data/lifetimes_reference.txt");

/// CDNOW customers: id, x, t_x, T (weeks), mean repeat spend.
fn cdnow() -> Vec<(u32, FrequencyRecency, f64)> {
    CDNOW_SUMMARY
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let number = |i: usize| fields[i].parse::<f64>().expect("numeric CSV field");
            let customer = FrequencyRecency {
                frequency: number(1) as u32,
                recency: number(2),
                age: number(3),
            };
            (number(0) as u32, customer, number(4))
        })
        .collect()
}

fn cdnow_base() -> CustomerBase {
    let customers: Vec<FrequencyRecency> = cdnow().into_iter().map(|(_, c, _)| c).collect();
    CustomerBase::from_customers(&customers).expect("valid CDNOW summaries")
}

fn lifetimes() -> HashMap<String, f64> {
    LIFETIMES
        .lines()
        .filter_map(|line| line.split_once(" = "))
        .filter_map(|(key, value)| Some((key.to_string(), value.parse::<f64>().ok()?)))
        .collect()
}

fn reference(table: &HashMap<String, f64>, key: &str) -> f64 {
    *table
        .get(key)
        .unwrap_or_else(|| panic!("{key} missing from lifetimes_reference.txt"))
}

fn check_close(label: &str, actual: f64, expected: f64, relative: f64) {
    let scale = expected.abs().max(1e-300);
    assert!(
        (actual - expected).abs() <= relative * scale,
        "{label}: got {actual}, expected {expected} (relative error {:.3e})",
        (actual - expected).abs() / scale
    );
}

fn check_published(label: &str, actual: f64, published: f64, half_unit: f64) {
    assert!(
        (actual - published).abs() < half_unit,
        "{label}: fitted {actual}, published {published} (allowed ±{half_unit})"
    );
}

/// The CDNOW customers of lifetimes' prediction checks.
const CUSTOMERS: [u32; 8] = [1, 2, 3, 10, 18, 100, 1000, 2357];

fn customer(id: u32) -> (FrequencyRecency, f64) {
    let (_, summary, spend) = cdnow()
        .into_iter()
        .find(|(i, _, _)| *i == id)
        .expect("customer in CDNOW");
    (summary, spend)
}

#[test]
fn bgnbd_reproduces_published_cdnow_estimates() {
    let fitted = BgNbd::fit(&cdnow_base(), &FitOptions::default()).expect("CDNOW fits");
    let model = fitted.model;
    // Fader, Hardie & Lee (2005), Marketing Science, Table 1 … in text.
    check_published("r", model.r, 0.243, 0.0005);
    check_published("alpha", model.alpha, 4.414, 0.0005);
    check_published("a", model.a, 0.793, 0.0005);
    check_published("b", model.b, 2.426, 0.0005);
    check_published("log-likelihood", fitted.log_likelihood, -9582.4, 0.05);
    let table = lifetimes();
    // The same optimum as lifetimes: our likelihood is at least as high,
    // and the parameters agree to five digits.
    let lifetimes_ll = reference(&table, "bgnbd.loglik");
    assert!(
        fitted.log_likelihood >= lifetimes_ll - 1e-7,
        "{} < {lifetimes_ll}",
        fitted.log_likelihood
    );
    for (name, value) in [
        ("r", model.r),
        ("alpha", model.alpha),
        ("a", model.a),
        ("b", model.b),
    ] {
        check_close(
            name,
            value,
            reference(&table, &format!("bgnbd.{name}")),
            1e-4,
        );
    }
}

#[test]
fn paretonbd_reproduces_published_cdnow_estimates() {
    let fitted = ParetoNbd::fit(&cdnow_base(), &FitOptions::default()).expect("CDNOW fits");
    let model = fitted.model;
    // Fader, Hardie & Lee (2005), "A note on implementing the Pareto/NBD
    // model in MATLAB".
    check_published("r", model.r, 0.553, 0.0005);
    check_published("alpha", model.alpha, 10.58, 0.005);
    check_published("s", model.s, 0.606, 0.0005);
    check_published("beta", model.beta, 11.67, 0.005);
    check_published("log-likelihood", fitted.log_likelihood, -9595.0, 0.05);
    let table = lifetimes();
    let lifetimes_ll = reference(&table, "paretonbd.loglik");
    assert!(
        fitted.log_likelihood >= lifetimes_ll - 1e-6,
        "{} < {lifetimes_ll}",
        fitted.log_likelihood
    );
    for (name, value) in [
        ("r", model.r),
        ("alpha", model.alpha),
        ("s", model.s),
        ("beta", model.beta),
    ] {
        check_close(
            name,
            value,
            reference(&table, &format!("paretonbd.{name}")),
            1e-3,
        );
    }
}

#[test]
fn gamma_gamma_reproduces_published_cdnow_estimates() {
    // Mean repeat spends from the raw sample: the summary CSV rounds them to
    // cents, which alone moves γ from 15.44 to 15.45.
    let purchases = parse_sample();
    let options = SummaryOptions {
        period: PeriodUnit::Week,
        calibration_end_us: date_us("19970930"),
        holdout_end_us: None,
    };
    let observations: Vec<SpendObservation> = purchases
        .values()
        .map(|p| {
            summarize(p, &options)
                .expect("valid options")
                .expect("bought in calibration")
        })
        .map(|s| SpendObservation {
            frequency: s.frequency_recency.frequency,
            monetary_value: s.monetary_value,
        })
        .collect();
    let fitted = GammaGamma::fit(&observations, &FitOptions::default()).expect("CDNOW fits");
    let model = fitted.model;
    // Fader, Hardie & Lee (2005), "RFM and CLV", and Hardie's note 025.
    check_published("p", model.p, 6.25, 0.005);
    check_published("q", model.q, 3.74, 0.005);
    check_published("gamma", model.gamma, 15.44, 0.005);
    let table = lifetimes();
    for (name, value) in [("p", model.p), ("q", model.q), ("v", model.gamma)] {
        check_close(
            name,
            value,
            reference(&table, &format!("gammagamma_raw.{name}")),
            1e-4,
        );
    }
}

#[test]
fn gamma_gamma_fit_on_the_summary_file_matches_lifetimes() {
    let observations: Vec<SpendObservation> = cdnow()
        .into_iter()
        .map(|(_, c, spend)| SpendObservation {
            frequency: c.frequency,
            monetary_value: spend,
        })
        .collect();
    let fitted = GammaGamma::fit(&observations, &FitOptions::default()).expect("CDNOW fits");
    let table = lifetimes();
    let lifetimes_ll = reference(&table, "gammagamma.loglik");
    assert!(
        fitted.log_likelihood >= lifetimes_ll - 1e-7,
        "{} < {lifetimes_ll}",
        fitted.log_likelihood
    );
    let model = fitted.model;
    for (name, value) in [("p", model.p), ("q", model.q), ("v", model.gamma)] {
        check_close(
            name,
            value,
            reference(&table, &format!("gammagamma.{name}")),
            1e-4,
        );
    }
    check_close(
        "log-likelihood",
        lifetimes_gamma_gamma(&table).log_likelihood(&observations),
        lifetimes_ll,
        1e-12,
    );
}

fn lifetimes_bgnbd(table: &HashMap<String, f64>) -> BgNbd {
    let get = |name: &str| reference(table, &format!("bgnbd.{name}"));
    BgNbd::new(get("r"), get("alpha"), get("a"), get("b")).expect("lifetimes' parameters are valid")
}

fn lifetimes_paretonbd(table: &HashMap<String, f64>) -> ParetoNbd {
    let get = |name: &str| reference(table, &format!("paretonbd.{name}"));
    ParetoNbd::new(get("r"), get("alpha"), get("s"), get("beta"))
        .expect("lifetimes' parameters are valid")
}

fn lifetimes_gamma_gamma(table: &HashMap<String, f64>) -> GammaGamma {
    let get = |name: &str| reference(table, &format!("gammagamma.{name}"));
    GammaGamma::new(get("p"), get("q"), get("v")).expect("lifetimes' parameters are valid")
}

/// P(alive) and E[Y(t)] at lifetimes' own parameters, so the comparison
/// does not depend on either optimiser.
fn check_predictions(prefix: &str, model: &impl TransactionModel, table: &HashMap<String, f64>) {
    for id in CUSTOMERS {
        let (summary, _) = customer(id);
        let p_alive = reference(table, &format!("{prefix}.p_alive.{id}"));
        check_close(
            &format!("{prefix} P(alive) of {id}"),
            model.p_alive(&summary),
            p_alive,
            1e-9,
        );
        for t in [10, 39, 52] {
            let expected = reference(table, &format!("{prefix}.expected.{id}.{t}"));
            let label = format!("{prefix} E[Y({t})] of {id}");
            check_close(
                &label,
                model.expected_purchases(f64::from(t), &summary),
                expected,
                1e-9,
            );
        }
    }
}

#[test]
fn bgnbd_agrees_with_lifetimes() {
    let table = lifetimes();
    let model = lifetimes_bgnbd(&table);
    check_close(
        "log-likelihood",
        model.log_likelihood(&cdnow_base()),
        reference(&table, "bgnbd.loglik"),
        1e-11,
    );
    check_predictions("bgnbd", &model, &table);
    let unconditional = reference(&table, "bgnbd.unconditional.39");
    check_close(
        "E[X(39)]",
        model.expected_purchases_new_customer(39.0),
        unconditional,
        1e-9,
    );
}

#[test]
fn paretonbd_agrees_with_lifetimes() {
    let table = lifetimes();
    let model = lifetimes_paretonbd(&table);
    check_close(
        "log-likelihood",
        model.log_likelihood(&cdnow_base()),
        reference(&table, "paretonbd.loglik"),
        1e-10,
    );
    check_predictions("paretonbd", &model, &table);
    let unconditional = reference(&table, "paretonbd.unconditional.39");
    check_close(
        "E[X(39)]",
        model.expected_purchases_new_customer(39.0),
        unconditional,
        1e-9,
    );
}

#[test]
fn gamma_gamma_and_clv_agree_with_lifetimes() {
    let table = lifetimes();
    let spend_model = lifetimes_gamma_gamma(&table);
    let purchase_model = lifetimes_bgnbd(&table);
    // lifetimes' monthly schedule for weekly data: 12 months of 4.345
    // weeks at 1 % a month.
    let options = ClvOptions {
        horizon_periods: 12,
        period_length: 4.345,
        discount_rate: 0.01,
    };
    for id in CUSTOMERS {
        let (summary, mean_spend) = customer(id);
        let observation = SpendObservation {
            frequency: summary.frequency,
            monetary_value: mean_spend,
        };
        let spend = spend_model.expected_spend(&observation);
        check_close(
            &format!("E[M] of {id}"),
            spend,
            reference(&table, &format!("gammagamma.expected_spend.{id}")),
            1e-12,
        );
        let clv =
            discounted_clv(&purchase_model, &summary, spend, &options).expect("valid options");
        check_close(
            &format!("CLV of {id}"),
            clv,
            reference(&table, &format!("clv.bgnbd.{id}")),
            1e-9,
        );
    }
}

#[test]
fn fits_recover_simulated_parameters() {
    let truth = BgNbd::new(0.5, 6.0, 0.7, 3.0).expect("valid");
    // Cohorts acquired over 12 weeks, observed for 52 weeks after the
    // first, with purchases stamped by day.
    let ages: Vec<f64> = (0..20_000)
        .map(|i| 52.0 + f64::from(i % 84) / 7.0)
        .collect();
    let customers = journey::value::simulate::simulate_bg_nbd(&truth, &ages, 1.0 / 7.0, 7);
    let base = CustomerBase::from_customers(&customers).expect("simulated summaries are valid");
    assert!(
        base.n_groups() < customers.len(),
        "day stamps repeat triples: {} groups",
        base.n_groups()
    );
    let fitted = BgNbd::fit(&base, &FitOptions::default()).expect("fits");
    let fitted = fitted.model;
    check_close("r", fitted.r, truth.r, 0.1);
    check_close("alpha", fitted.alpha, truth.alpha, 0.15);
    check_close("a", fitted.a, truth.a, 0.25);
    check_close("b", fitted.b, truth.b, 0.35);
}

#[test]
fn grouped_likelihood_equals_customer_by_customer_sum() {
    let model = BgNbd::new(0.3, 5.0, 0.9, 2.0).expect("valid");
    let pareto = ParetoNbd::new(0.6, 9.0, 0.5, 13.0).expect("valid");
    let customers: Vec<FrequencyRecency> = cdnow().into_iter().map(|(_, c, _)| c).collect();
    let grouped = cdnow_base();
    assert!(grouped.n_groups() < customers.len());
    let mut one_by_one = (0.0, 0.0);
    for customer in &customers {
        let single = CustomerBase::from_customers([customer]).expect("valid");
        one_by_one.0 += model.log_likelihood(&single);
        one_by_one.1 += pareto.log_likelihood(&single);
    }
    check_close(
        "BG/NBD",
        model.log_likelihood(&grouped),
        one_by_one.0,
        1e-12,
    );
    check_close(
        "Pareto/NBD",
        pareto.log_likelihood(&grouped),
        one_by_one.1,
        1e-12,
    );
}

#[test]
fn bgnbd_gradient_matches_finite_differences() {
    let base = cdnow_base();
    for (r, alpha, a, b) in [
        (0.243, 4.414, 0.793, 2.426),
        (1.3, 20.0, 3.0, 0.4),
        (0.05, 0.7, 0.2, 9.0),
    ] {
        let model = BgNbd::new(r, alpha, a, b).expect("valid");
        let (value, gradient) = model.log_likelihood_and_gradient(&base);
        check_close("value", value, model.log_likelihood(&base), 0.0);
        let params = [r, alpha, a, b];
        for (i, analytic) in gradient.iter().enumerate() {
            let h = 1e-6 * params[i];
            let shifted = |delta: f64| {
                let mut p = params;
                p[i] += delta;
                BgNbd::new(p[0], p[1], p[2], p[3])
                    .expect("valid")
                    .log_likelihood(&base)
            };
            let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
            // Central differences of a sum near 10⁴ carry ~1e-6 of rounding.
            let label = format!("∂ℓ/∂θ{i} at {params:?}");
            assert!(
                (analytic - numeric).abs() <= 1e-5 * numeric.abs().max(1.0),
                "{label}: {analytic} vs {numeric}"
            );
        }
    }
}

#[test]
fn paretonbd_likelihood_matches_quadrature_where_2f1_is_hard() {
    // α ≫ β and t_x = 0 put z = (α − β)/(α + τ) near 1, where the 2F1
    // series would need ~10^5 terms; compare with the integral FH eq. (18)
    // comes from, L = Γ(r+x)/Γ(r) α^r β^s [(α+T)^{−(r+x)} (β+T)^{−s}
    // + s ∫_{t_x}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ], by Simpson's rule.
    let cases = [
        (0.6, 500.0, 0.8, 0.3, 0, 0.0, 30.0),
        (1.7, 0.05, 2.5, 90.0, 3, 1.5, 40.0),
        (0.4, 40.0, 1.0, 40.0, 5, 12.0, 39.0),
    ];
    for (r, alpha, s, beta, x, recency, age) in cases {
        let model = ParetoNbd::new(r, alpha, s, beta).expect("valid");
        let customer = FrequencyRecency {
            frequency: x,
            recency,
            age,
        };
        let base = CustomerBase::from_customers([&customer]).expect("valid");
        let xf = f64::from(x);
        let integrand = |tau: f64| (alpha + tau).powf(-(r + xf)) * (beta + tau).powf(-(s + 1.0));
        let steps = 200_000;
        let h = (age - recency) / f64::from(steps);
        let mut integral = integrand(recency) + integrand(age);
        for k in 1..steps {
            integral += integrand(recency + f64::from(k) * h) * if k % 2 == 1 { 4.0 } else { 2.0 };
        }
        integral *= h / 3.0;
        let likelihood = (ln_gamma(r + xf) - ln_gamma(r) + r * alpha.ln() + s * beta.ln()).exp()
            * ((alpha + age).powf(-(r + xf)) * (beta + age).powf(-s) + s * integral);
        check_close(
            &format!("{cases:?}"),
            model.log_likelihood(&base),
            likelihood.ln(),
            1e-9,
        );
    }
}

#[test]
fn special_functions_match_reference_values() {
    // Reference values from SciPy 1.17 (gammaln, gammainc, hyp2f1).
    for (x, expected) in [
        (0.1, 2.252712651734206),
        (0.5, 0.5723649429247),
        (2.5, 0.2846828704729192),
        (10.0, 12.801827480081469),
        (100.5, 361.43554046777757),
        (1e5, 1051287.7089736569),
    ] {
        check_close(&format!("ln Γ({x})"), ln_gamma(x), expected, 1e-13);
    }
    assert!(ln_gamma(1.0).abs() < 1e-15);
    for (a, x, expected) in [
        (0.5, 0.2, 0.47291074313446196),
        (3.0, 2.5, 0.45618688411667035),
        (10.0, 15.0, 0.9301463393005901),
        (250.5, 240.0, 0.2572713479978951),
        (1000.0, 1100.0, 0.9989406767460701),
        (0.8, 30.0, 0.9999999999999596),
    ] {
        check_close(
            &format!("P({a}, {x})"),
            ln_gamma_p(a, x).exp(),
            expected,
            1e-12,
        );
    }
    for (a, b, c, z, expected) in [
        (0.8, 2.4, 3.1, 0.3, 1.2408915378232888),
        (1.24, 3.4, 2.2, 0.6, 6.538477426880041),
        (5.2, 6.4, 3.2, 0.9, 809903953.7024482),
    ] {
        check_close(
            &format!("2F1({a}, {b}; {c}; {z})"),
            hyp2f1(a, b, c, z),
            expected,
            1e-12,
        );
    }
    for (a, b, z, expected) in [
        (1.2, 1.6, 0.3, 1.358752719013381),
        (20.5, 1.6, 0.9, 25.686990104371592),
        (3.3, 0.7, 0.99, 4.526230047791787),
        (50.2, 30.1, 0.9999, 4.332894541693754e+116),
        (2.5, 2.5, 0.5, 3.3582338591505616),
    ] {
        check_close(
            &format!("2F1({a}, {b}; {a}+1; {z})"),
            hyp2f1_c_is_a_plus_1(a, b, z),
            expected,
            1e-12,
        );
    }
}

// ---- frequency–recency summary ----

fn parse_sample() -> HashMap<u32, Vec<Purchase>> {
    let mut customers: HashMap<u32, Vec<Purchase>> = HashMap::new();
    for line in CDNOW_SAMPLE.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let id: u32 = fields[1].parse().expect("customer id");
        let date = fields[2];
        let ts_us = date_us(date);
        let value: f64 = fields[4].parse().expect("dollar value");
        customers
            .entry(id)
            .or_default()
            .push(Purchase { ts_us, value });
    }
    customers
}

/// Microseconds at midnight UTC of a YYYYMMDD date (civil-from-days,
/// Howard Hinnant's algorithm).
fn date_us(yyyymmdd: &str) -> i64 {
    let year: i64 = yyyymmdd[0..4].parse().expect("year");
    let month: i64 = yyyymmdd[4..6].parse().expect("month");
    let day: i64 = yyyymmdd[6..8].parse().expect("day");
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400_000_000
}

#[test]
fn summary_of_raw_cdnow_reproduces_the_published_summary() {
    let purchases = parse_sample();
    let options = SummaryOptions {
        period: PeriodUnit::Week,
        calibration_end_us: date_us("19970930") + 3_600_000_000,
        holdout_end_us: Some(date_us("19980630")),
    };
    let published = cdnow();
    assert_eq!(purchases.len(), published.len());
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    for (id, expected, spend) in published {
        let summary = summarize(&purchases[&id], &options)
            .expect("valid options")
            .expect("customer bought in calibration");
        let actual = summary.frequency_recency;
        assert_eq!(actual.frequency, expected.frequency, "x of {id}");
        assert_eq!(round2(actual.recency), expected.recency, "t_x of {id}");
        assert_eq!(round2(actual.age), expected.age, "T of {id}");
        assert!(
            (summary.monetary_value - spend).abs() < 0.0051,
            "zbar of {id}: {} vs {spend}",
            summary.monetary_value
        );
    }
}

#[test]
fn calibration_and_holdout_agree_with_lifetimes() {
    let purchases = parse_sample();
    let table = lifetimes();
    let options = SummaryOptions {
        period: PeriodUnit::Day,
        calibration_end_us: date_us("19970930"),
        holdout_end_us: Some(date_us("19980630")),
    };
    let mut holdout_total = 0;
    for summary in purchases.values().map(|p| {
        summarize(p, &options)
            .expect("valid")
            .expect("in calibration")
    }) {
        holdout_total += summary.holdout_frequency;
        assert_eq!(
            summary.holdout_duration,
            reference(&table, "holdout.duration_holdout")
        );
    }
    assert_eq!(
        f64::from(holdout_total),
        reference(&table, "holdout.frequency_holdout_sum")
    );
    for id in CUSTOMERS {
        let summary = summarize(&purchases[&id], &options)
            .expect("valid")
            .expect("in calibration");
        let get = |name: &str| reference(&table, &format!("holdout.{name}.{id}"));
        assert_eq!(
            f64::from(summary.frequency_recency.frequency),
            get("frequency_cal"),
            "x of {id}"
        );
        assert_eq!(
            summary.frequency_recency.recency,
            get("recency_cal"),
            "t_x of {id}"
        );
        assert_eq!(summary.frequency_recency.age, get("T_cal"), "T of {id}");
        check_close(
            &format!("m of {id}"),
            summary.monetary_value,
            get("monetary_value_cal"),
            1e-12,
        );
        assert_eq!(
            f64::from(summary.holdout_frequency),
            get("frequency_holdout"),
            "holdout x of {id}"
        );
        check_close(
            &format!("holdout m of {id}"),
            summary.holdout_monetary_value,
            get("monetary_value_holdout"),
            1e-12,
        );
    }
}

const DAY_US: i64 = 86_400_000_000;

fn check_summary(
    days_and_values: &[(f64, f64)],
    period: PeriodUnit,
    end_day: i64,
    expected: Option<(u32, f64, f64, f64)>,
) {
    let purchases: Vec<Purchase> = days_and_values
        .iter()
        .map(|&(day, value)| Purchase {
            ts_us: (day * DAY_US as f64) as i64,
            value,
        })
        .collect();
    let options = SummaryOptions {
        period,
        calibration_end_us: end_day * DAY_US + DAY_US - 1,
        holdout_end_us: None,
    };
    let actual = summarize(&purchases, &options)
        .expect("valid options")
        .map(|s| {
            (
                s.frequency_recency.frequency,
                s.frequency_recency.recency,
                s.frequency_recency.age,
                s.monetary_value,
            )
        });
    assert_eq!(actual, expected, "{days_and_values:?}");
}

#[test]
fn summary_hand_cases() {
    // (day, value) purchases → (x, t_x, T, mean repeat value)
    check_summary(&[], PeriodUnit::Day, 10, None);
    check_summary(&[(11.0, 5.0)], PeriodUnit::Day, 10, None);
    check_summary(&[(3.0, 5.0)], PeriodUnit::Day, 10, Some((0, 0.0, 7.0, 0.0)));
    // Same-day purchases merge, values add up; order does not matter.
    check_summary(
        &[(5.5, 2.0), (3.0, 5.0), (5.1, 3.0)],
        PeriodUnit::Day,
        10,
        Some((1, 2.0, 7.0, 5.0)),
    );
    check_summary(
        &[(0.0, 1.0), (7.0, 2.0), (14.0, 4.0), (21.0, 8.0)],
        PeriodUnit::Week,
        28,
        Some((3, 3.0, 4.0, 14.0 / 3.0)),
    );
    // Purchases after the calibration end do not count.
    check_summary(
        &[(0.0, 1.0), (4.0, 2.0), (12.0, 4.0)],
        PeriodUnit::Day,
        10,
        Some((1, 4.0, 10.0, 2.0)),
    );
    // Negative timestamps (before 1970) bucket into whole days too.
    check_summary(
        &[(-1.5, 1.0), (-1.2, 1.0), (-0.5, 3.0)],
        PeriodUnit::Day,
        0,
        Some((1, 1.0, 2.0, 3.0)),
    );
}

#[test]
fn invalid_inputs_are_refused() {
    let options = SummaryOptions {
        period: PeriodUnit::Day,
        calibration_end_us: 10 * DAY_US,
        holdout_end_us: Some(10 * DAY_US + 5),
    };
    assert!(matches!(
        summarize(&[], &options),
        Err(ValueError::InvalidOption { .. })
    ));
    let bad = FrequencyRecency {
        frequency: 1,
        recency: 5.0,
        age: 4.0,
    };
    assert!(matches!(
        CustomerBase::from_customers([&bad]),
        Err(ValueError::InvalidCustomer { .. })
    ));
    let bad = FrequencyRecency {
        frequency: 0,
        recency: 1.0,
        age: 4.0,
    };
    assert!(CustomerBase::from_customers([&bad]).is_err());
    assert!(matches!(
        BgNbd::new(-1.0, 1.0, 1.0, 1.0),
        Err(ValueError::NotPositive { name: "r", .. })
    ));
    assert!(ParetoNbd::new(1.0, f64::NAN, 1.0, 1.0).is_err());
    assert!(GammaGamma::new(1.0, 1.0, 0.0).is_err());
    assert_eq!(
        BgNbd::fit(&CustomerBase::new(), &FitOptions::default()),
        Err(ValueError::NoCustomers)
    );
    let no_budget = FitOptions {
        max_evaluations: 0,
        ..FitOptions::default()
    };
    assert!(matches!(
        BgNbd::fit(&cdnow_base(), &no_budget),
        Err(ValueError::InvalidOption { .. })
    ));
    let one_timers = [SpendObservation {
        frequency: 0,
        monetary_value: 3.0,
    }];
    assert_eq!(
        GammaGamma::fit(&one_timers, &FitOptions::default()),
        Err(ValueError::NoRepeatCustomers)
    );
    let clv_options = ClvOptions {
        horizon_periods: 3,
        period_length: 1.0,
        discount_rate: -1.0,
    };
    let model = BgNbd::new(1.0, 1.0, 2.0, 1.0).expect("valid");
    let customer = FrequencyRecency {
        frequency: 0,
        recency: 0.0,
        age: 1.0,
    };
    assert!(discounted_clv(&model, &customer, 1.0, &clv_options).is_err());
}

/// The summary by the definition, one purchase day at a time.
fn naive_summary(purchases: &[(i64, f64)], end_day: i64) -> Option<(u32, f64, f64, f64)> {
    let mut days: Vec<i64> = purchases
        .iter()
        .map(|p| p.0.div_euclid(DAY_US))
        .filter(|d| *d <= end_day)
        .collect();
    days.sort();
    days.dedup();
    let first = *days.first()?;
    let repeat_days = &days[1..];
    let mut repeat_total = 0.0;
    for day in repeat_days {
        repeat_total += purchases
            .iter()
            .filter(|p| p.0.div_euclid(DAY_US) == *day)
            .map(|p| p.1)
            .sum::<f64>();
    }
    let mean = if repeat_days.is_empty() {
        0.0
    } else {
        repeat_total / repeat_days.len() as f64
    };
    let last = *days.last().expect("non-empty");
    Some((
        repeat_days.len() as u32,
        (last - first) as f64,
        (end_day - first) as f64,
        mean,
    ))
}

proptest! {
    #[test]
    fn summary_matches_naive_definition(
        purchases in prop::collection::vec((-20 * DAY_US..60 * DAY_US, 0.0..100.0_f64), 0..25),
        end_day in -5_i64..50,
    ) {
        let as_purchases: Vec<Purchase> = purchases.iter().map(|&(ts_us, value)| Purchase { ts_us, value }).collect();
        let options = SummaryOptions { period: PeriodUnit::Day, calibration_end_us: end_day * DAY_US, holdout_end_us: None };
        let actual = summarize(&as_purchases, &options).expect("valid options");
        let expected = naive_summary(&purchases, end_day);
        prop_assert_eq!(actual.is_some(), expected.is_some());
        if let (Some(actual), Some((x, t_x, age, mean))) = (actual, expected) {
            prop_assert_eq!(actual.frequency_recency.frequency, x);
            prop_assert_eq!(actual.frequency_recency.recency, t_x);
            prop_assert_eq!(actual.frequency_recency.age, age);
            prop_assert!((actual.monetary_value - mean).abs() <= 1e-9 * mean.max(1.0));
            prop_assert_eq!(day_of(end_day * DAY_US), end_day);
        }
    }

    #[test]
    fn p_alive_is_a_probability_and_forecasts_grow_with_the_horizon(
        frequency in 0_u32..40, recency_share in 0.0..1.0_f64, age in 0.1..80.0_f64,
        r in 0.05..3.0_f64, alpha in 0.5..40.0_f64, a in 0.1..3.0_f64, b in 0.1..5.0_f64,
        s in 0.1..3.0_f64, beta in 0.5..40.0_f64,
    ) {
        let recency = if frequency == 0 { 0.0 } else { recency_share * age };
        let customer = FrequencyRecency { frequency, recency, age };
        let bgnbd = BgNbd::new(r, alpha, a, b).expect("valid");
        let pareto = ParetoNbd::new(r, alpha, s, beta).expect("valid");
        for model in [&bgnbd as &dyn Probe, &pareto as &dyn Probe] {
            let p = model.alive(&customer);
            prop_assert!((0.0..=1.0).contains(&p), "P(alive) = {}", p);
            let near = model.expected(10.0, &customer);
            let far = model.expected(20.0, &customer);
            prop_assert!(near >= 0.0 && far >= near * (1.0 - 1e-12), "E[Y(10)] = {}, E[Y(20)] = {}", near, far);
        }
    }
}

/// Object-safe view of [`TransactionModel`] for the property test.
trait Probe {
    fn alive(&self, customer: &FrequencyRecency) -> f64;
    fn expected(&self, t: f64, customer: &FrequencyRecency) -> f64;
}

impl<M: TransactionModel> Probe for M {
    fn alive(&self, customer: &FrequencyRecency) -> f64 {
        self.p_alive(customer)
    }
    fn expected(&self, t: f64, customer: &FrequencyRecency) -> f64 {
        self.expected_purchases(t, customer)
    }
}

// ---- RFM ----

#[test]
fn rfm_segment_grid() {
    use RfmSegment::*;
    let grid = [
        (
            5,
            [
                New,
                PotentialLoyalist,
                PotentialLoyalist,
                Champions,
                Champions,
            ],
        ),
        (
            4,
            [
                Promising,
                PotentialLoyalist,
                PotentialLoyalist,
                Loyal,
                Loyal,
            ],
        ),
        (3, [AboutToSleep, AboutToSleep, NeedAttention, Loyal, Loyal]),
        (2, [Hibernating, Hibernating, AtRisk, AtRisk, CantLose]),
        (1, [Lost, Hibernating, AtRisk, AtRisk, CantLose]),
    ];
    for (r, row) in grid {
        for (fm, segment) in (1..=5).zip(row) {
            assert_eq!(RfmSegment::from_scores(r, fm), segment, "R={r} FM={fm}");
        }
    }
}

#[test]
fn rfm_scores_hand_case() {
    // Ten customers: recency i days, frequency 10 − i, spend 10·i.
    let customers: Vec<RfmValues> = (0..10)
        .map(|i| RfmValues {
            recency_days: f64::from(i),
            frequency: f64::from(10 - i),
            monetary: f64::from(10 * i),
        })
        .collect();
    let scores = rfm_scores(&customers).expect("finite values");
    let recency: Vec<u8> = scores.iter().map(|s| s.recency).collect();
    let monetary: Vec<u8> = scores.iter().map(|s| s.monetary).collect();
    assert_eq!(recency, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    assert_eq!(monetary, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // Customer 0: R 5, F 5, M 1 → FM 3 → potential loyalist.
    assert_eq!(scores[0].segment, RfmSegment::PotentialLoyalist);
    // Ties share a score whatever their order.
    let tied = [1.0, 1.0, 1.0, 1.0, 9.0].map(|f| RfmValues {
        recency_days: 1.0,
        frequency: f,
        monetary: 1.0,
    });
    let scores = rfm_scores(&tied).expect("finite values");
    // Mid-rank of the four tied: (0 + 4/2)/5 = 0.4 → score 3.
    assert!(scores[..4].iter().all(|s| s.frequency == 3), "{scores:?}");
    assert_eq!(scores[4].frequency, 5);
    assert!(scores.iter().all(|s| s.recency == 3));
    let bad = [RfmValues {
        recency_days: f64::NAN,
        frequency: 1.0,
        monetary: 1.0,
    }];
    assert!(rfm_scores(&bad).is_err());
}
