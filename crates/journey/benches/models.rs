//! Benchmarks of the customer-base and staffing models: a BG/NBD fit on a
//! million customers (target ≤ 5 s) and Erlang A/C staffing for 500
//! intervals × 10 queues (target ≤ 50 ms). Run with
//! `cargo bench -p journey --bench models`.
//!
//! Results on 2026-11-23, 2-core AMD EPYC VM shared with other builds,
//! release profile (criterion medians):
//! - 1,000,000 simulated customers → 106,725 distinct (x, t_x, T) groups;
//!   grouping 124 ms, one log-likelihood + gradient 4.2 ms, the full BFGS
//!   fit 119 ms (27 evaluations).
//! - Staffing 5,000 intervals (0–1,200 contacts per half hour, AHT 3–7
//!   min, 80 % in 20 s, occupancy ≤ 90 %, 30 % shrinkage): Erlang C
//!   7.6 ms, Erlang A (patience 3 min) 35.7 ms.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use journey::staffing::{StaffingTarget, Traffic, required_agents};
use journey::value::simulate::simulate_bg_nbd;
use journey::value::{BgNbd, CustomerBase, FitOptions, FrequencyRecency};

const N_CUSTOMERS: usize = 1_000_000;

/// A million customers drawn from the CDNOW estimates: acquired over 12
/// weeks, observed until week 39, purchases stamped by day.
fn million_customers() -> Vec<FrequencyRecency> {
    let truth = BgNbd::new(0.243, 4.414, 0.793, 2.426).expect("published CDNOW parameters");
    let ages: Vec<f64> = (0..N_CUSTOMERS)
        .map(|i| (273 - (i % 84)) as f64 / 7.0)
        .collect();
    simulate_bg_nbd(&truth, &ages, 1.0 / 7.0, 2005)
}

fn bgnbd(c: &mut Criterion) {
    let customers = million_customers();
    let base = CustomerBase::from_customers(&customers).expect("simulated summaries are valid");
    eprintln!(
        "{} customers in {} distinct (x, t_x, T) groups",
        base.n_customers(),
        base.n_groups()
    );
    let mut group = c.benchmark_group("bgnbd_1m_customers");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("group_customers", |b| {
        b.iter(|| CustomerBase::from_customers(black_box(&customers)).expect("valid"))
    });
    group.bench_function("fit", |b| {
        b.iter(|| BgNbd::fit(black_box(&base), &FitOptions::default()).expect("fits"))
    });
    group.bench_function("log_likelihood", |b| {
        let model = BgNbd::new(0.3, 4.0, 0.8, 2.5).expect("valid");
        b.iter(|| model.log_likelihood(black_box(&base)))
    });
    group.finish();
    let fitted = BgNbd::fit(&base, &FitOptions::default()).expect("fits");
    eprintln!(
        "fitted {:?} with {} evaluations",
        fitted.model, fitted.evaluations
    );
}

/// 10 queues × 500 half-hour intervals with a daily curve: 0–1,200
/// contacts per interval, handle times 3–7 minutes.
fn intervals(patience_secs: Option<f64>) -> Vec<Traffic> {
    let mut traffic = Vec::with_capacity(5_000);
    for queue in 0..10 {
        let aht_secs = 180.0 + 24.0 * f64::from(queue);
        for interval in 0..500 {
            let time_of_day = f64::from(interval % 48) / 48.0;
            let curve = (std::f64::consts::PI * time_of_day).sin().powi(2);
            let contacts = (20.0 + 1_000.0 * curve) * (1.0 + 0.1 * f64::from(queue % 3));
            traffic.push(
                Traffic::new(contacts, 1800.0, aht_secs, patience_secs).expect("valid traffic"),
            );
        }
    }
    traffic
}

fn staffing(c: &mut Criterion) {
    let target = StaffingTarget {
        service_level: 0.8,
        answer_within_secs: 20.0,
        max_asa_secs: None,
        max_occupancy: 0.9,
        shrinkage: 0.3,
    };
    let mut group = c.benchmark_group("staffing_500_intervals_x_10_queues");
    for (name, patience) in [("erlang_c", None), ("erlang_a", Some(180.0))] {
        let traffic = intervals(patience);
        group.bench_function(name, |b| {
            b.iter(|| {
                traffic
                    .iter()
                    .map(|t| {
                        required_agents(black_box(t), &target)
                            .expect("reachable")
                            .agents
                    })
                    .sum::<u32>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bgnbd, staffing);
criterion_main!(benches);
