//! The BG/NBD model of Fader, Hardie & Lee (2005), "Counting your customers
//! the easy way: an alternative to the Pareto/NBD model", Marketing Science
//! 24(2): while alive a customer buys as a Poisson process with rate λ ~
//! Gamma(r, α); after each repeat purchase the customer drops out with
//! probability p ~ Beta(a, b). Equations cited as FHL (n) refer to that
//! paper; the likelihood is their eq. (6) in the log form of Hardie's note
//! 004 ("Implementing the BG/NBD model in Excel").

use serde::Serialize;

use super::optimize::{FitOptions, minimize_with_gradient};
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

    /// Maximum-likelihood fit by BFGS on the log parameters with the
    /// analytic gradient.
    pub fn fit(base: &CustomerBase, options: &FitOptions) -> Result<Fitted<BgNbd>, ValueError> {
        options.validate()?;
        if base.n_customers() == 0 {
            return Err(ValueError::NoCustomers);
        }
        // Negative log-likelihood and its gradient in log parameters:
        // ∂/∂ln θ = θ ∂/∂θ.
        let objective = |log_params: &[f64]| {
            let [r, alpha, a, b] = [0, 1, 2, 3].map(|i| log_params[i].exp());
            let (value, gradient) = BgNbd { r, alpha, a, b }.log_likelihood_and_gradient(base);
            let gradient = [r, alpha, a, b]
                .iter()
                .zip(gradient)
                .map(|(theta, g)| -theta * g)
                .collect();
            (-value, gradient)
        };
        let (_, mean_age) = base.mean_frequency_and_age();
        let start = [0.0, mean_age.max(1e-3).ln(), 0.0, 0.0];
        let minimum = minimize_with_gradient(objective, &start, options);
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
        self.log_likelihood_and_gradient(base).0
    }

    /// The log-likelihood and its gradient with respect to (r, α, a, b).
    ///
    /// Per customer ℓ = C_x + ln(e^{A₃} + δ e^{A₄}) with A₃ = −(r+x) ln(α+T)
    /// and A₄ = ln a − ln(b+x−1) − (r+x) ln(α+t_x) (Hardie's note 004);
    /// with w = e^{A₄} / (e^{A₃} + e^{A₄}) the weight of the dropout branch,
    /// ∂ℓ/∂r = ∂C/∂r − (1−w) ln(α+T) − w ln(α+t_x),
    /// ∂ℓ/∂α = r/α − (r+x) ((1−w)/(α+T) + w/(α+t_x)),
    /// ∂ℓ/∂a = ∂C/∂a + w/a and ∂ℓ/∂b = ∂C/∂b − w/(b+x−1).
    pub fn log_likelihood_and_gradient(&self, base: &CustomerBase) -> (f64, [f64; 4]) {
        let BgNbd { r, alpha, a, .. } = *self;
        let tables = Tables::new(self, base);
        let mut total = 0.0;
        let mut gradient = [0.0; 4];
        for group in 0..base.n_groups() {
            let x = base.frequency[group] as usize;
            let count = base.count[group];
            let age = tables.by_age[base.age_idx[group] as usize];
            let r_x = r + x as f64;
            // ln of the "still alive at T" branch of FHL eq. 6 …
            let alive = -r_x * age.ln_alpha_plus;
            let by_x = &tables.by_frequency[x];
            let (ln_sum, dropout_weight, recency) = if x == 0 {
                (alive, 0.0, age)
            } else {
                // … and of the "dropped out after the last purchase" branch.
                let recency = tables.by_recency[base.recency_idx[group] as usize];
                let dropped = by_x.ln_dropout - r_x * recency.ln_alpha_plus;
                let difference = dropped - alive;
                let small = (-difference.abs()).exp();
                if difference > 0.0 {
                    (dropped + small.ln_1p(), 1.0 / (1.0 + small), recency)
                } else {
                    (alive + small.ln_1p(), small / (1.0 + small), recency)
                }
            };
            let alive_weight = 1.0 - dropout_weight;
            total += count * (by_x.common + ln_sum);
            gradient[0] += count
                * (by_x.d_common_dr
                    - alive_weight * age.ln_alpha_plus
                    - dropout_weight * recency.ln_alpha_plus);
            gradient[1] -= count
                * r_x
                * (alive_weight * age.inverse_alpha_plus
                    + dropout_weight * recency.inverse_alpha_plus);
            gradient[2] += count * (by_x.d_common_da + dropout_weight / a);
            gradient[3] += count * (by_x.d_common_db - dropout_weight * by_x.inverse_b_x_minus_1);
        }
        gradient[1] += base.n_customers() as f64 * r / alpha;
        (total, gradient)
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
    /// periods after the end of calibration. At a = 1 exactly the formula
    /// is 0/0 (a removable singularity); fitted values never land there.
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
/// and 1/(α + t) per distinct recency and age. Filling them costs
/// O(max x + distinct times); the per-group loop then needs one exp and one
/// log.
#[derive(Debug)]
struct Tables {
    by_frequency: Vec<FrequencyTerms>,
    by_recency: Vec<TimeTerms>,
    by_age: Vec<TimeTerms>,
}

#[derive(Debug, Clone, Copy)]
struct FrequencyTerms {
    /// C_x = lnΓ(r+x) − lnΓ(r) + r ln α + ln B(a, b+x) − ln B(a, b).
    common: f64,
    /// ∂C_x/∂r without the ln α, which is added per customer count.
    d_common_dr: f64,
    d_common_da: f64,
    d_common_db: f64,
    /// ln a − ln(b + x − 1) for x ≥ 1 (0 and unused at x = 0).
    ln_dropout: f64,
    inverse_b_x_minus_1: f64,
}

#[derive(Debug, Clone, Copy)]
struct TimeTerms {
    ln_alpha_plus: f64,
    inverse_alpha_plus: f64,
}

impl Tables {
    fn new(model: &BgNbd, base: &CustomerBase) -> Self {
        let BgNbd { r, alpha, a, b } = *model;
        let max_x = base.max_frequency() as usize;
        let ln_alpha = alpha.ln();
        // lnΓ(r+x) − lnΓ(r) = Σ_{k<x} ln(r+k) and B(a, b+x)/B(a, b) =
        // Π_{k<x} (b+k)/(a+b+k): recurrences instead of ln Γ and digamma.
        let mut terms = FrequencyTerms {
            common: r * ln_alpha,
            d_common_dr: ln_alpha,
            d_common_da: 0.0,
            d_common_db: 0.0,
            // Never read without repeat purchases; zeros keep 0 × term = 0.
            ln_dropout: 0.0,
            inverse_b_x_minus_1: 0.0,
        };
        let mut by_frequency = Vec::with_capacity(max_x + 1);
        by_frequency.push(terms);
        for x in 1..=max_x {
            let k = (x - 1) as f64;
            terms.common += (r + k).ln() + ((b + k) / (a + b + k)).ln();
            terms.d_common_dr += 1.0 / (r + k);
            terms.d_common_da -= 1.0 / (a + b + k);
            terms.d_common_db += 1.0 / (b + k) - 1.0 / (a + b + k);
            terms.ln_dropout = (a / (b + k)).ln();
            terms.inverse_b_x_minus_1 = 1.0 / (b + k);
            by_frequency.push(terms);
        }
        let time_terms = |t: &f64| TimeTerms {
            ln_alpha_plus: (alpha + t).ln(),
            inverse_alpha_plus: 1.0 / (alpha + t),
        };
        Tables {
            by_frequency,
            by_recency: base.recencies.iter().map(time_terms).collect(),
            by_age: base.ages.iter().map(time_terms).collect(),
        }
    }
}
