//! Queue performance for a given number of agents: Erlang B (blocking),
//! Erlang C (M/M/n, infinitely patient callers) and Erlang A (M/M/n+M,
//! exponential patience).
//!
//! Definitions (DESIGN §7, contact centre): the service level is the share
//! of *offered* contacts answered within the target time, so abandoned
//! contacts count against it; ASA is the mean wait of answered contacts;
//! occupancy is the share of agent time spent handling contacts.
//!
//! Erlang A uses the closed forms of Palm (1946) as written by Garnett,
//! Mandelbaum & Reiman (2002, "Designing a call center with impatient
//! customers") and Mandelbaum & Zeltyn (2007, "The M/M/n+G queue: summary
//! of performance measures"), with a = nμ/θ, y = λ/θ (μ service rate, θ
//! abandonment rate) and A(a, y) = Σ_{j≥0} y^j / ((a+1)…(a+j)) =
//! a e^y y^{−a} γ(a, y):
//!
//! - P(wait) = A E / (1 + (A − 1) E), E the Erlang B blocking of n agents;
//! - P(served | wait) = (a/y)(1 − 1/A), so P(abandon) = P(wait)(1 − (a/y)(1 − 1/A));
//! - P(served within t | wait) = (a/y)(1 − 1/A)(1 − P(a+1, y e^{−θt}) / P(a+1, y)),
//!   because e^{−θV} of a caller with j callers ahead is Beta(a, j+1)
//!   distributed (V the wait to service); summing over j gives the
//!   regularized incomplete gamma P;
//! - ASA: E[W; served | j ahead] = (1/θ) (a/(a+j+1)) Σ_{m=0}^{j} 1/(a+1+m),
//!   summed over the stationary distribution of j, which is truncated once
//!   the remaining mass is below 1e-16.
//!
//! Everything runs in logs, so hundreds of agents neither overflow nor
//! underflow.

use serde::Serialize;

use super::StaffingError;
use crate::value::special::{gamma_series_tail, ln_gamma, ln_gamma_p, ln_gamma_p_prefactor};

/// Offered traffic of one queue in one interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Traffic {
    /// λ: contacts offered per second.
    pub arrival_rate_per_s: f64,
    /// Average handle time (talk + hold + wrap), seconds.
    pub aht_secs: f64,
    /// Mean patience before abandoning, seconds; `None` for Erlang C
    /// (nobody abandons).
    pub patience_secs: Option<f64>,
}

impl Traffic {
    /// Traffic of `contacts` offered over `interval_secs`, validated.
    pub fn new(
        contacts: f64,
        interval_secs: f64,
        aht_secs: f64,
        patience_secs: Option<f64>,
    ) -> Result<Self, StaffingError> {
        if !(contacts.is_finite() && contacts >= 0.0) {
            return Err(StaffingError::InvalidInput {
                name: "contacts",
                value: contacts,
            });
        }
        positive("interval_secs", interval_secs)?;
        positive("aht_secs", aht_secs)?;
        if let Some(patience) = patience_secs {
            positive("patience_secs", patience)?;
        }
        Ok(Traffic {
            arrival_rate_per_s: contacts / interval_secs,
            aht_secs,
            patience_secs,
        })
    }

    /// Checks fields set directly rather than through [`Traffic::new`].
    pub fn validate(&self) -> Result<(), StaffingError> {
        if !(self.arrival_rate_per_s.is_finite() && self.arrival_rate_per_s >= 0.0) {
            return Err(StaffingError::InvalidInput {
                name: "arrival_rate_per_s",
                value: self.arrival_rate_per_s,
            });
        }
        positive("aht_secs", self.aht_secs)?;
        if let Some(patience) = self.patience_secs {
            positive("patience_secs", patience)?;
        }
        Ok(())
    }

    /// Offered load in Erlangs: λ × AHT.
    pub fn offered_load(&self) -> f64 {
        self.arrival_rate_per_s * self.aht_secs
    }
}

pub(crate) fn positive(name: &'static str, value: f64) -> Result<(), StaffingError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(StaffingError::InvalidInput { name, value })
    }
}

/// Performance of a queue with a given number of agents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QueueMetrics {
    pub agents: u32,
    /// Share of offered contacts answered within the target time.
    pub service_level: f64,
    /// Share of offered contacts that wait at all.
    pub p_wait: f64,
    /// Average speed of answer over answered contacts, seconds.
    pub asa_s: f64,
    /// Share of agent time busy with contacts.
    pub occupancy: f64,
    /// Share of offered contacts that abandon (0 under Erlang C).
    pub abandon_rate: f64,
}

/// Erlang B: the blocking probability of `agents` servers under `load`
/// Erlangs, by the stable recursion B(k) = A B(k−1) / (k + A B(k−1)).
pub fn erlang_b(agents: u32, load: f64) -> f64 {
    (1..=agents).fold(1.0, |blocking, k| next_erlang_b(blocking, k, load))
}

/// One step of the Erlang B recursion, from k − 1 to k agents.
pub(crate) fn next_erlang_b(blocking: f64, k: u32, load: f64) -> f64 {
    load * blocking / (f64::from(k) + load * blocking)
}

/// Erlang C: the probability that a contact waits, C = n B / (n − A(1 − B));
/// 1 when the queue is unstable (n ≤ A).
pub fn erlang_c(agents: u32, load: f64) -> f64 {
    erlang_c_from_b(agents, load, erlang_b(agents, load))
}

fn erlang_c_from_b(agents: u32, load: f64, blocking: f64) -> f64 {
    let n = f64::from(agents);
    if n <= load {
        return 1.0;
    }
    n * blocking / (n - load * (1.0 - blocking))
}

/// Metrics of `agents` agents for `traffic` and a service level measured
/// at `answer_within_secs`: Erlang A with a patience, Erlang C without.
pub fn queue_metrics(
    traffic: &Traffic,
    agents: u32,
    answer_within_secs: f64,
) -> Result<QueueMetrics, StaffingError> {
    traffic.validate()?;
    if !(answer_within_secs.is_finite() && answer_within_secs >= 0.0) {
        return Err(StaffingError::InvalidInput {
            name: "answer_within_secs",
            value: answer_within_secs,
        });
    }
    let load = traffic.offered_load();
    if load == 0.0 {
        return Ok(idle_metrics(agents));
    }
    if agents == 0 {
        return Err(StaffingError::NoAgents);
    }
    let blocking = erlang_b(agents, load);
    match traffic.patience_secs {
        None if f64::from(agents) <= load => Err(StaffingError::Unstable { agents, load }),
        None => Ok(erlang_c_metrics(
            traffic,
            agents,
            blocking,
            answer_within_secs,
        )),
        Some(_) => Ok(erlang_a_metrics(
            traffic,
            agents,
            blocking,
            answer_within_secs,
        )),
    }
}

/// No traffic: nobody waits and the service level is met by definition.
pub(crate) fn idle_metrics(agents: u32) -> QueueMetrics {
    QueueMetrics {
        agents,
        service_level: 1.0,
        p_wait: 0.0,
        asa_s: 0.0,
        occupancy: 0.0,
        abandon_rate: 0.0,
    }
}

/// Erlang C metrics from the Erlang B value of the same agents (n > A):
/// SL = 1 − C e^{−(n − A) t / AHT}, ASA = C AHT / (n − A), occupancy A / n.
pub(crate) fn erlang_c_metrics(
    traffic: &Traffic,
    agents: u32,
    blocking: f64,
    answer_within_secs: f64,
) -> QueueMetrics {
    let load = traffic.offered_load();
    let n = f64::from(agents);
    debug_assert!(
        n > load,
        "Erlang C needs more agents ({n}) than Erlangs ({load})"
    );
    let p_wait = erlang_c_from_b(agents, load, blocking);
    let excess = n - load;
    QueueMetrics {
        agents,
        service_level: (1.0 - p_wait * (-excess * answer_within_secs / traffic.aht_secs).exp())
            .max(0.0),
        p_wait,
        asa_s: p_wait * traffic.aht_secs / excess,
        occupancy: load / n,
        abandon_rate: 0.0,
    }
}

/// Erlang A metrics from the Erlang B value of the same agents (n ≥ 1);
/// formulas in the module docs.
pub(crate) fn erlang_a_metrics(
    traffic: &Traffic,
    agents: u32,
    blocking: f64,
    answer_within_secs: f64,
) -> QueueMetrics {
    ErlangA::new(traffic, agents, blocking, answer_within_secs).metrics()
}

/// Erlang A short of the ASA: the ASA needs a series over queue lengths,
/// several times the work of everything else, so a staffing search asks
/// for it only when it has an ASA target.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErlangA {
    pub(crate) agents: u32,
    pub(crate) service_level: f64,
    pub(crate) p_wait: f64,
    pub(crate) abandon_rate: f64,
    pub(crate) occupancy: f64,
    a: f64,
    y: f64,
    ln_big_a: f64,
    patience_secs: f64,
}

impl ErlangA {
    pub(crate) fn new(
        traffic: &Traffic,
        agents: u32,
        blocking: f64,
        answer_within_secs: f64,
    ) -> Self {
        let patience_secs = traffic.patience_secs.expect("Erlang A needs a patience");
        let n = f64::from(agents);
        let a = n * patience_secs / traffic.aht_secs;
        let y = traffic.arrival_rate_per_s * patience_secs;
        let z = (-answer_within_secs / patience_secs).exp();
        let (ln_big_a, late_share) = a_function_and_late_share(a, y, z);
        // 1 − 1/A, exact also when A is barely above 1 (few callers per agent).
        let one_minus_inverse = -(-ln_big_a).exp_m1();
        let p_wait = 1.0 / (1.0 + (1.0 / blocking - 1.0) * (-ln_big_a).exp());
        let served_given_wait = (a / y * one_minus_inverse).min(1.0);
        let abandon_rate = p_wait * (1.0 - served_given_wait);
        let service_level = (1.0 - p_wait) + p_wait * served_given_wait * (1.0 - late_share);
        ErlangA {
            agents,
            service_level: service_level.clamp(0.0, 1.0),
            p_wait,
            abandon_rate,
            occupancy: (traffic.offered_load() * (1.0 - abandon_rate) / n).min(1.0),
            a,
            y,
            ln_big_a,
            patience_secs,
        }
    }

    /// Average speed of answer over answered contacts, seconds.
    pub(crate) fn asa_s(&self) -> f64 {
        let served = 1.0 - self.abandon_rate;
        if served <= 0.0 {
            return 0.0;
        }
        self.p_wait * self.patience_secs * mean_wait_series(self.a, self.y, self.ln_big_a) / served
    }

    pub(crate) fn metrics(&self) -> QueueMetrics {
        QueueMetrics {
            agents: self.agents,
            service_level: self.service_level,
            p_wait: self.p_wait,
            asa_s: self.asa_s(),
            occupancy: self.occupancy,
            abandon_rate: self.abandon_rate,
        }
    }
}

/// ln A(a, y) and P(a+1, yz) / P(a+1, y), the share of answered waiting
/// callers who wait longer than t (z = e^{−θt}).
///
/// Below the turning point (y < a + 1) everything comes from two series:
/// A = 1 + T(a, y) with T the series tail, and S(a+1, y) = T(a, y)(a+1)/y
/// because S(a, y) = 1 + y/(a+1) S(a+1, y); the prefactors of the two P
/// values then cancel analytically. Above it, Q(a, y) by continued
/// fraction gives A, and P(a+1, y) = P(a, y) − e^{−y} y^a / Γ(a+1).
fn a_function_and_late_share(a: f64, y: f64, z: f64) -> (f64, f64) {
    let yz = y * z;
    if y < a + 1.0 {
        let tail = gamma_series_tail(a, y);
        if yz == 0.0 {
            return (tail.ln_1p(), 0.0);
        }
        let ln_series_y = (tail * (a + 1.0) / y).ln();
        let ln_series_yz = gamma_series_tail(a + 1.0, yz).ln_1p();
        let ln_late = (y - yz) + (a + 1.0) * z.ln() + ln_series_yz - ln_series_y;
        (tail.ln_1p(), ln_late.exp().min(1.0))
    } else {
        let ln_p = ln_gamma_p(a, y);
        let ln_big_a = y - a * y.ln() + ln_gamma(a + 1.0) + ln_p;
        if yz == 0.0 {
            return (ln_big_a, 0.0);
        }
        let p_next = ln_p.exp() - ln_gamma_p_prefactor(a, y).exp();
        (ln_big_a, (ln_gamma_p(a + 1.0, yz).exp() / p_next).min(1.0))
    }
}

/// Σ_j q_j (a/(a+j+1)) H_j with q_j = y^j / ((a+1)…(a+j)) / A the share of
/// waiting callers with j callers ahead and H_j = Σ_{m=0}^{j} 1/(a+1+m);
/// times P(wait) / θ this is E[W; served].
fn mean_wait_series(a: f64, y: f64, ln_big_a: f64) -> f64 {
    let mode = (y - a).max(0.0);
    let limit = (mode + 40.0 * (y.sqrt() + 1.0) + 1_000.0) as u64;
    // q_0 = 1/A; while it is a normal number the weights follow by
    // multiplication, otherwise (queues hundreds of callers long) in logs.
    let linear = ln_big_a < 600.0;
    let ln_y = y.ln();
    let mut weight = (-ln_big_a).exp();
    let mut ln_weight = -ln_big_a;
    let mut harmonic = 0.0;
    let mut sum = 0.0;
    for j in 0..limit {
        let j = j as f64;
        if j > 0.0 {
            if linear {
                weight *= y / (a + j);
            } else {
                ln_weight += ln_y - (a + j).ln();
                weight = ln_weight.exp();
            }
        }
        harmonic += 1.0 / (a + 1.0 + j);
        let term = weight * a / (a + j + 1.0) * harmonic;
        sum += term;
        if j > mode && term <= sum * 1e-17 {
            break;
        }
    }
    sum
}
