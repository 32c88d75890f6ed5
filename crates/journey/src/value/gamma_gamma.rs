//! The Gamma-Gamma spend model of Fader, Hardie & Lee (2005), "RFM and
//! CLV: using iso-value curves for customer base analysis", Journal of
//! Marketing Research 42(4), in the form of Hardie's note 025 ("The
//! Gamma-Gamma model of monetary value"): each transaction's value is
//! Gamma(p, ν), and ν ~ Gamma(q, γ) across customers. It is fitted on the
//! customers with at least one repeat purchase, from their number of repeat
//! purchases x and the mean value m̄ of those purchases, and assumes spend
//! is independent of the purchase process.

use serde::Serialize;

use super::optimize::{FitOptions, minimize};
use super::special::ln_gamma;
use super::{Fitted, ValueError, check_positive};

/// One customer's repeat purchases: how many, and their mean value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SpendObservation {
    pub frequency: u32,
    pub monetary_value: f64,
}

/// Gamma-Gamma parameters p, q and γ (`gamma`, in currency units).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

impl GammaGamma {
    /// Validated parameters: all three finite and positive.
    pub fn new(p: f64, q: f64, gamma: f64) -> Result<Self, ValueError> {
        check_positive("p", p)?;
        check_positive("q", q)?;
        check_positive("gamma", gamma)?;
        Ok(GammaGamma { p, q, gamma })
    }

    /// Maximum-likelihood fit on the customers with repeat purchases;
    /// customers without any are skipped, as they carry no spend data.
    pub fn fit(
        observations: &[SpendObservation],
        options: &FitOptions,
    ) -> Result<Fitted<GammaGamma>, ValueError> {
        options.validate()?;
        let repeat: Vec<SpendObservation> = observations
            .iter()
            .copied()
            .filter(|o| o.frequency > 0)
            .collect();
        for observation in &repeat {
            check_positive("monetary_value", observation.monetary_value)?;
        }
        if repeat.is_empty() {
            return Err(ValueError::NoRepeatCustomers);
        }
        let mean_value = repeat.iter().map(|o| o.monetary_value).sum::<f64>() / repeat.len() as f64;
        let objective = |log_params: &[f64]| {
            let [p, q, gamma] = [0, 1, 2].map(|i| log_params[i].exp());
            -GammaGamma { p, q, gamma }.log_likelihood(&repeat)
        };
        let minimum = minimize(objective, &[0.0, 0.0, mean_value.ln()], options);
        let [p, q, gamma] = [0, 1, 2].map(|i| minimum.point[i].exp());
        let model = GammaGamma::new(p, q, gamma).map_err(|_| ValueError::FitFailed)?;
        if !minimum.value.is_finite() {
            return Err(ValueError::FitFailed);
        }
        Ok(Fitted {
            model,
            log_likelihood: -minimum.value,
            evaluations: minimum.evaluations,
        })
    }

    /// Log-likelihood of the mean values m̄ given x (note 025, eq. 1a: the
    /// density of m̄, Jacobian included), summed over customers with x > 0.
    pub fn log_likelihood(&self, observations: &[SpendObservation]) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        let head = -ln_gamma(q) + q * gamma.ln();
        observations
            .iter()
            .filter(|o| o.frequency > 0)
            .map(|o| {
                let x = f64::from(o.frequency);
                let m = o.monetary_value;
                let px = p * x;
                head + ln_gamma(px + q) - ln_gamma(px) + (px - 1.0) * m.ln() + px * x.ln()
                    - (px + q) * (gamma + m * x).ln()
            })
            .sum()
    }

    /// E[M | p, q, γ, m̄, x] = p (γ + m̄ x) / (p x + q − 1) (note 025, eq. 5):
    /// a weighted mean of the population mean p γ / (q − 1) and the
    /// customer's own mean m̄. Infinite when q ≤ 1 − p x (no finite mean).
    pub fn expected_spend(&self, observation: &SpendObservation) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        let x = f64::from(observation.frequency);
        let denominator = p * x + q - 1.0;
        if denominator <= 0.0 {
            return f64::INFINITY;
        }
        p * (gamma + observation.monetary_value * x) / denominator
    }
}
