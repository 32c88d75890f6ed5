//! Discounted customer lifetime value from a transaction model and a spend
//! forecast.
//!
//! CLV = Σ_{k=1}^{H} m · (E[Y(k L)] − E[Y((k−1) L)]) / (1 + d)^k, where
//! E[Y(t)] is the model's expected number of purchases in the t periods
//! after the end of calibration, L the length of one cash-flow period in
//! the model's time unit, H the number of such periods, d the discount rate
//! per cash-flow period and m the expected value per purchase (usually the
//! Gamma-Gamma conditional expectation). Discounting each period's expected
//! purchases at the period's end is the discrete approximation of the
//! discounted expected residual transactions (DERT) of Fader, Hardie & Lee
//! (2005, "RFM and CLV"), truncated at H periods; it is also what the
//! `lifetimes` package computes, which the tests compare with.

use serde::Serialize;

use super::summary::FrequencyRecency;
use super::{TransactionModel, ValueError, check_positive};

/// The cash-flow schedule of [`discounted_clv`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClvOptions {
    /// H: number of cash-flow periods.
    pub horizon_periods: u32,
    /// L: length of one cash-flow period in the model's time unit (for
    /// example 4.345 weeks for months with a weekly model).
    pub period_length: f64,
    /// d: discount rate per cash-flow period (0.01 = 1 %).
    pub discount_rate: f64,
}

impl ClvOptions {
    pub fn validate(&self) -> Result<(), ValueError> {
        check_positive("period_length", self.period_length)?;
        if !(self.discount_rate.is_finite() && self.discount_rate > -1.0) {
            return Err(ValueError::InvalidOption {
                name: "discount_rate",
                reason: "must be finite and greater than -1",
            });
        }
        Ok(())
    }
}

/// Discounted CLV of one customer who spends `expected_spend` per purchase.
pub fn discounted_clv(
    model: &impl TransactionModel,
    customer: &FrequencyRecency,
    expected_spend: f64,
    options: &ClvOptions,
) -> Result<f64, ValueError> {
    options.validate()?;
    customer.validate()?;
    let mut value = 0.0;
    let mut previous = 0.0;
    let mut discount = 1.0;
    for k in 1..=options.horizon_periods {
        let cumulative = model.expected_purchases(f64::from(k) * options.period_length, customer);
        discount /= 1.0 + options.discount_rate;
        value += expected_spend * (cumulative - previous) * discount;
        previous = cumulative;
    }
    Ok(value)
}
