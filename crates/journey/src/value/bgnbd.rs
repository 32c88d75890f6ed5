//! The BG/NBD model of Fader, Hardie & Lee (2005), "Counting your customers
//! the easy way: an alternative to the Pareto/NBD model", Marketing Science
//! 24(2): while alive a customer buys as a Poisson process with rate λ ~
//! Gamma(r, α); after each repeat purchase the customer drops out with
//! probability p ~ Beta(a, b). Equations cited as FHL (n) refer to that
//! paper; the likelihood is their eq. (6) in the log form of Hardie's note
//! 004 ("Implementing the BG/NBD model in Excel").

use serde::Serialize;

use super::optimize::{FitOptions, minimize};
use super::special::hyp2f1;
use super::summary::{CustomerBase, FrequencyRecency};
use super::{Fitted, TransactionModel, ValueError, check_positive};

/// BG/NBD parameters: purchase rate λ ~ Gamma(shape r, rate α) and dropout
/// probability p ~ Beta(a, b). α is in the period unit of the data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

impl BgNbd {
    /// Validated parameters: all four finite and positive.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self, ValueError> {
        check_positive("r", r)?;
        check_positive("alpha", alpha)?;
        check_positive("a", a)?;
        check_positive("b", b)?;
        Ok(BgNbd { r, alpha, a, b })
    }

    /// Maximum-likelihood fit by Nelder–Mead on the log parameters.
    pub fn fit(base: &CustomerBase, options: &FitOptions) -> Result<Fitted<BgNbd>, ValueError> {
        if base.n_customers() == 0 {
            return Err(ValueError::NoCustomers);
        }
        let objective = |log_params: &[f64]| {
            let [r, alpha, a, b] = [0, 1, 2, 3].map(|i| log_params[i].exp());
            -BgNbd { r, alpha, a, b }.log_likelihood(base)
        };
        let (_, mean_age) = base.mean_frequency_and_age();
        let start = [0.0, mean_age.max(1e-3).ln(), 0.0, 0.0];
        let minimum = minimize(objective, &start, options);
        let [r, alpha, a, b] = [0, 1, 2, 3].map(|i| minimum.point[i].exp());
        let model = BgNbd::new(r, alpha, a, b).map_err(|_| ValueError::FitFailed)?;
        if !minimum.value.is_finite() {
            return Err(ValueError::FitFailed);
        }
        Ok(Fitted {
            model,
            log_likelihood: -minimum.value,
            evaluations: minimum.evaluations,
        })
    }

    /// Total log-likelihood of the customer base (FHL eq. 6), one term per
    /// distinct (x, t_x, T) weighted by its count.
    pub fn log_likelihood(&self, base: &CustomerBase) -> f64 {
        let r = self.r;
        let tables = Tables::new(self, base);
        let mut total = 0.0;
        for group in 0..base.n_groups() {
            let x = base.frequency[group] as usize;
            let ln_alpha_age = tables.ln_alpha_plus_age[base.age_idx[group] as usize];
            let r_x = r + x as f64;
            // ln of the "still alive at T" branch of FHL eq. 6 …
            let alive = -r_x * ln_alpha_age;
            let ln_likelihood = if x == 0 {
                tables.common[0] + alive
            } else {
                // … and of the "dropped out after the last purchase" branch.
                let ln_alpha_recency =
                    tables.ln_alpha_plus_recency[base.recency_idx[group] as usize];
                let dropped = tables.ln_dropout[x] - r_x * ln_alpha_recency;
                let difference = dropped - alive;
                let ln_sum = if difference > 0.0 {
                    dropped + (-difference).exp().ln_1p()
                } else {
                    alive + difference.exp().ln_1p()
                };
                tables.common[x] + ln_sum
            };
            total += base.count[group] * ln_likelihood;
        }
        total
    }

    /// Expected repeat purchases in (0, t] of a customer picked at random
    /// when the base was acquired (FHL eq. 7).
    pub fn expected_purchases_new_customer(&self, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let z = t / (alpha + t);
        (a + b - 1.0) / (a - 1.0)
            * (1.0 - (alpha / (alpha + t)).powf(r) * hyp2f1(r, b, a + b - 1.0, z))
    }
}

impl TransactionModel for BgNbd {
    /// P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x})
    /// (Hardie's note 021, "Computing P(alive) using the BG/NBD model").
    fn p_alive(&self, customer: &FrequencyRecency) -> f64 {
        1.0 / (1.0 + self.dropout_odds(customer))
    }

    /// E[Y(t) | x, t_x, T] (FHL eq. 10): expected purchases in the next t
    /// periods after the end of calibration.
    fn expected_purchases(&self, t: f64, customer: &FrequencyRecency) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(customer.frequency);
        let age = customer.age;
        let z = t / (alpha + age + t);
        let power = ((alpha + age) / (alpha + age + t)).powf(r + x);
        let numerator = (a + b + x - 1.0) / (a - 1.0)
            * (1.0 - power * hyp2f1(r + x, b + x, a + b + x - 1.0, z));
        numerator / (1.0 + self.dropout_odds(customer))
    }
}

impl BgNbd {
    /// a/(b+x−1) ((α+T)/(α+t_x))^{r+x}: the odds that a customer with
    /// repeat purchases has dropped out; 0 without repeat purchases.
    fn dropout_odds(&self, customer: &FrequencyRecency) -> f64 {
        if customer.frequency == 0 {
            return 0.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(customer.frequency);
        let ln_ratio = ((alpha + customer.age) / (alpha + customer.recency)).ln();
        ((a / (b + x - 1.0)).ln() + (r + x) * ln_ratio).exp()
    }
}

/// Per-evaluation tables: the terms that depend on x only, and ln(α + t)
/// per distinct recency and age. Filling them costs O(max x + distinct
/// times); the per-group loop then needs one exp and one log.
#[derive(Debug)]
struct Tables {
    /// lnΓ(r+x) − lnΓ(r) + r ln α + ln B(a, b+x) − ln B(a, b).
    common: Vec<f64>,
    /// ln a − ln(b + x − 1) for x ≥ 1 (unused at 0).
    ln_dropout: Vec<f64>,
    ln_alpha_plus_recency: Vec<f64>,
    ln_alpha_plus_age: Vec<f64>,
}

impl Tables {
    fn new(model: &BgNbd, base: &CustomerBase) -> Self {
        let BgNbd { r, alpha, a, b } = *model;
        let max_x = base.max_frequency() as usize;
        let mut common = Vec::with_capacity(max_x + 1);
        let mut ln_dropout = Vec::with_capacity(max_x + 1);
        // lnΓ(r+x) − lnΓ(r) = Σ_{k<x} ln(r+k), and the beta-function ratio
        // B(a, b+x)/B(a, b) = Π_{k<x} (b+k)/(a+b+k): recurrences instead of
        // one ln Γ per frequency.
        let mut ln_rising_r = 0.0;
        let mut ln_beta_ratio = 0.0;
        let ln_alpha = alpha.ln();
        for x in 0..=max_x {
            if x > 0 {
                let k = (x - 1) as f64;
                ln_rising_r += (r + k).ln();
                ln_beta_ratio += ((b + k) / (a + b + k)).ln();
            }
            common.push(ln_rising_r + r * ln_alpha + ln_beta_ratio);
            ln_dropout.push(if x == 0 {
                f64::NAN
            } else {
                (a / (b + x as f64 - 1.0)).ln()
            });
        }
        Tables {
            common,
            ln_dropout,
            ln_alpha_plus_recency: base.recencies.iter().map(|t| (alpha + t).ln()).collect(),
            ln_alpha_plus_age: base.ages.iter().map(|t| (alpha + t).ln()).collect(),
        }
    }
}
