//! The return journey's customer-base models: who comes back, who is about
//! to stop, and what they are worth. From raw purchases to the
//! frequency–recency summary ([`summary`]), the BG/NBD ([`bgnbd`]) and
//! Pareto/NBD ([`paretonbd`]) purchase models with P(alive) and forecasts,
//! the Gamma-Gamma spend model ([`gamma_gamma`]), discounted CLV ([`clv`])
//! and RFM segments ([`rfm`]). Fits are maximum likelihood over customers
//! grouped by identical (x, t_x, T), so a million customers fit in seconds.
//! Pure functions: the caller supplies purchases, this module never reads a
//! clock or a file.

pub mod bgnbd;
pub mod clv;
pub mod gamma_gamma;
pub mod optimize;
pub mod paretonbd;
pub mod rfm;
pub mod simulate;
pub mod special;
pub mod summary;

use std::fmt;

use serde::Serialize;

pub use bgnbd::BgNbd;
pub use clv::{ClvOptions, discounted_clv};
pub use gamma_gamma::{GammaGamma, SpendObservation};
pub use optimize::FitOptions;
pub use paretonbd::ParetoNbd;
pub use rfm::{RfmScore, RfmSegment, RfmValues, rfm_scores};
pub use summary::{
    CustomerBase, CustomerSummary, FrequencyRecency, PeriodUnit, Purchase, SummaryOptions,
    summarize,
};

/// A purchase model that forecasts one customer from (x, t_x, T).
pub trait TransactionModel {
    /// Probability that the customer is still active at the end of
    /// calibration.
    fn p_alive(&self, customer: &FrequencyRecency) -> f64;
    /// Expected purchases in the `t` periods after the end of calibration.
    fn expected_purchases(&self, t: f64, customer: &FrequencyRecency) -> f64;
}

/// A fitted model with its maximised log-likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fitted<M> {
    pub model: M,
    pub log_likelihood: f64,
    /// Objective evaluations the optimiser used.
    pub evaluations: usize,
}

/// Why a customer-base computation refused its input.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueError {
    /// A model parameter or amount that must be finite and positive is not.
    NotPositive {
        name: &'static str,
        value: f64,
    },
    /// A summary violating 0 ≤ t_x ≤ T (or t_x > 0 without repeats).
    InvalidCustomer {
        frequency: u32,
        recency: f64,
        age: f64,
    },
    InvalidOption {
        name: &'static str,
        reason: &'static str,
    },
    NoCustomers,
    NoRepeatCustomers,
    /// The optimiser ended without a finite likelihood.
    FitFailed,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::NotPositive { name, value } => {
                write!(f, "{name} must be finite and positive, got {value}")
            }
            ValueError::InvalidCustomer {
                frequency,
                recency,
                age,
            } => write!(
                f,
                "invalid customer summary x={frequency}, t_x={recency}, T={age}: need 0 ≤ t_x ≤ T and t_x = 0 when x = 0"
            ),
            ValueError::InvalidOption { name, reason } => write!(f, "invalid {name}: {reason}"),
            ValueError::NoCustomers => write!(f, "no customers to fit"),
            ValueError::NoRepeatCustomers => {
                write!(f, "no customer with a repeat purchase to fit spend on")
            }
            ValueError::FitFailed => write!(f, "the likelihood could not be maximised"),
        }
    }
}

impl std::error::Error for ValueError {}

pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<(), ValueError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(ValueError::NotPositive { name, value })
    }
}
