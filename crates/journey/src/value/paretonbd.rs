//! The Pareto/NBD model of Schmittlein, Morrison & Colombo (1987), "Counting
//! your customers: who are they and what will they do next?": while alive a
//! customer buys as a Poisson process with rate λ ~ Gamma(r, α) and the
//! lifetime is exponential with rate μ ~ Gamma(s, β). The likelihood,
//! P(alive) and the forecast follow Fader & Hardie (2005), "A note on
//! deriving the Pareto/NBD model and related expressions" (cited FH (n)),
//! with the 2F1 terms of eq. (19)–(20) evaluated in logs.

use serde::Serialize;

use super::optimize::{FitOptions, minimize};
use super::special::{
    ln_add_exp, ln_gamma, ln_hyp2f1_c_is_a_plus_1, one_minus_power_over_exponent,
};
use super::summary::{CustomerBase, FrequencyRecency};
use super::{Fitted, TransactionModel, ValueError, check_positive};

/// Pareto/NBD parameters: purchase rate λ ~ Gamma(shape r, rate α), dropout
/// rate μ ~ Gamma(shape s, rate β). α and β are in the period unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParetoNbd {
    pub r: f64,
    pub alpha: f64,
    pub s: f64,
    pub beta: f64,
}

impl ParetoNbd {
    /// Validated parameters: all four finite and positive.
    pub fn new(r: f64, alpha: f64, s: f64, beta: f64) -> Result<Self, ValueError> {
        check_positive("r", r)?;
        check_positive("alpha", alpha)?;
        check_positive("s", s)?;
        check_positive("beta", beta)?;
        Ok(ParetoNbd { r, alpha, s, beta })
    }

    /// Maximum-likelihood fit by Nelder–Mead on the log parameters.
    pub fn fit(base: &CustomerBase, options: &FitOptions) -> Result<Fitted<ParetoNbd>, ValueError> {
        options.validate()?;
        if base.n_customers() == 0 {
            return Err(ValueError::NoCustomers);
        }
        let objective = |log_params: &[f64]| {
            let [r, alpha, s, beta] = [0, 1, 2, 3].map(|i| log_params[i].exp());
            -ParetoNbd { r, alpha, s, beta }.log_likelihood(base)
        };
        let (_, mean_age) = base.mean_frequency_and_age();
        let ln_scale = mean_age.max(1e-3).ln();
        let minimum = minimize(objective, &[0.0, ln_scale, 0.0, ln_scale], options);
        let [r, alpha, s, beta] = [0, 1, 2, 3].map(|i| minimum.point[i].exp());
        let model = ParetoNbd::new(r, alpha, s, beta).map_err(|_| ValueError::FitFailed)?;
        if !minimum.value.is_finite() {
            return Err(ValueError::FitFailed);
        }
        Ok(Fitted {
            model,
            log_likelihood: -minimum.value,
            evaluations: minimum.evaluations,
        })
    }

    /// Total log-likelihood of the customer base (FH eq. 18), one term per
    /// distinct (x, t_x, T) weighted by its count.
    pub fn log_likelihood(&self, base: &CustomerBase) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let head = -ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let mut total = 0.0;
        for (customer, count) in base.groups() {
            let x = f64::from(customer.frequency);
            let alive = -(r + x) * (alpha + customer.age).ln() - s * (beta + customer.age).ln();
            let dropped = s.ln() - (r + s + x).ln() + self.ln_a0(&customer);
            total += count * (head + ln_gamma(r + x) + ln_add_exp(alive, dropped));
        }
        total
    }

    /// ln A_0 of FH eq. (19)–(20): ln ∫_{t_x}^{T} (r+s+x) (α+τ)^{−(r+x)}
    /// (β+τ)^{−(s+1)} dτ written with 2F1(r+s+x, ·; r+s+x+1; z), using the
    /// larger of α and β so that 0 ≤ z < 1. −∞ when t_x = T.
    fn ln_a0(&self, customer: &FrequencyRecency) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = f64::from(customer.frequency);
        let sum = r + s + x;
        let (larger, second) = if alpha >= beta {
            (alpha, s + 1.0)
        } else {
            (beta, r + x)
        };
        let difference = (alpha - beta).abs();
        let term = |tau: f64| {
            let z = difference / (larger + tau);
            ln_hyp2f1_c_is_a_plus_1(sum, second, z) - sum * (larger + tau).ln()
        };
        let at_recency = term(customer.recency);
        let at_age = term(customer.age);
        let gap = at_age - at_recency;
        if gap >= 0.0 {
            return f64::NEG_INFINITY;
        }
        at_recency + (-gap.exp_m1()).ln()
    }

    /// Expected purchases in (0, t] of a customer picked at random when the
    /// base was acquired (FH eq. 17).
    pub fn expected_purchases_new_customer(&self, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        r * beta / alpha * one_minus_power_over_exponent(beta / (beta + t), s - 1.0)
    }

    /// ln of the odds that the customer has already dropped out.
    fn ln_dropout_odds(&self, customer: &FrequencyRecency) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = f64::from(customer.frequency);
        s.ln() - (r + s + x).ln()
            + (r + x) * (alpha + customer.age).ln()
            + s * (beta + customer.age).ln()
            + self.ln_a0(customer)
    }
}

impl TransactionModel for ParetoNbd {
    /// P(alive | x, t_x, T) (FH eq. 21): 1 / (1 + s/(r+s+x) (α+T)^{r+x}
    /// (β+T)^s A_0).
    fn p_alive(&self, customer: &FrequencyRecency) -> f64 {
        1.0 / (1.0 + self.ln_dropout_odds(customer).exp())
    }

    /// E[Y(t) | x, t_x, T] (FH eq. 22): (r+x)(β+T) / ((α+T)(s−1))
    /// [1 − ((β+T)/(β+T+t))^{s−1}] P(alive), continuous at s = 1.
    fn expected_purchases(&self, t: f64, customer: &FrequencyRecency) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = f64::from(customer.frequency);
        let age = customer.age;
        let decay = one_minus_power_over_exponent((beta + age) / (beta + age + t), s - 1.0);
        (r + x) * (beta + age) / (alpha + age) * decay * self.p_alive(customer)
    }
}
