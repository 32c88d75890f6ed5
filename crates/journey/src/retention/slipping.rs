//! Who is slipping away: valuable customers whose probability of still
//! being a customer is low or falling, with the poor experiences they had
//! last.
//!
//! [`PoorExperienceAccumulator`] keeps, per customer, the last `keep_last`
//! events whose emotion is below `threshold` (−0.3 by default; events
//! without an emotion never count). [`customer_outlooks`] evaluates a
//! fitted purchase model per customer twice: at the calibration end
//! ("now") and at an earlier instant (by default 30 days before), each time
//! from the purchases up to that instant. [`slipping_away`] then ranks:
//!
//! - *valuable*: CLV at or above the `min_value_quantile` quantile (type 7)
//!   of all given customers' CLV;
//! - *low*: P(alive) now ≤ `max_p_alive`; *falling*: P(alive) earlier −
//!   P(alive) now ≥ `min_p_alive_drop` (customers without an earlier value,
//!   those who first bought after the earlier instant, are never falling);
//! - a customer is listed when valuable and low or falling, ranked by
//!   value at risk = CLV × (1 − P(alive) now) descending, then by the drop
//!   descending, then by customer key.
//!
//! Under the BG/NBD model a customer without repeat purchases has
//! P(alive) = 1, so one-time buyers are never listed by that model.

use super::{RetentionError, share};
use crate::stats::quantile_sorted;
use crate::value::{
    ClvOptions, GammaGamma, PeriodUnit, SpendObservation, SummaryOptions, TransactionModel,
    ValueError, discounted_clv, summarize,
};
use crate::{Accumulator, Journey};
use model::TouchpointId;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use super::purchases::PurchaseHistories;

/// Which experiences count as poor, and how many to keep per customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoorExperienceSpec {
    /// Events with an emotion strictly below this are poor.
    #[serde(default = "default_threshold")]
    pub threshold: f32,
    /// How many of the latest poor experiences to keep per customer.
    #[serde(default = "default_keep_last")]
    pub keep_last: usize,
}

fn default_threshold() -> f32 {
    -0.3
}

fn default_keep_last() -> usize {
    3
}

impl Default for PoorExperienceSpec {
    fn default() -> Self {
        PoorExperienceSpec {
            threshold: default_threshold(),
            keep_last: default_keep_last(),
        }
    }
}

/// At most this many poor experiences are kept per customer.
pub const MAX_KEEP_LAST: usize = 100;

impl PoorExperienceSpec {
    /// Checks the spec; `touchpoint_names` (indexed by `TouchpointId`) name
    /// the touchpoints in the output.
    pub fn validate(
        &self,
        touchpoint_names: &[String],
    ) -> Result<PoorExperienceQuery, RetentionError> {
        if !(self.threshold.is_finite() && (-1.0..=1.0).contains(&self.threshold)) {
            return Err(RetentionError::InvalidOption {
                name: "threshold",
                reason: "must be an emotion between -1 and 1",
            });
        }
        if self.keep_last == 0 || self.keep_last > MAX_KEEP_LAST {
            return Err(RetentionError::InvalidOption {
                name: "keep_last",
                reason: "must be between 1 and 100",
            });
        }
        Ok(PoorExperienceQuery {
            threshold: self.threshold,
            keep_last: self.keep_last,
            touchpoint_names: touchpoint_names.to_vec(),
        })
    }
}

/// A validated [`PoorExperienceSpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct PoorExperienceQuery {
    threshold: f32,
    keep_last: usize,
    touchpoint_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoorExperience {
    pub touchpoint: String,
    pub ts_us: i64,
    pub emotion: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerPoorExperiences {
    pub customer: u64,
    /// All poor experiences of the customer.
    pub poor_experiences: u64,
    /// The latest ones, oldest first.
    pub last: Vec<PoorExperience>,
}

/// Customers with at least one poor experience, sorted by customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PoorExperiences {
    pub customers: Vec<CustomerPoorExperiences>,
}

impl PoorExperiences {
    pub fn get(&self, customer: u64) -> Option<&CustomerPoorExperiences> {
        let idx = (self.customers)
            .binary_search_by_key(&customer, |c| c.customer)
            .ok()?;
        Some(&self.customers[idx])
    }
}

/// One customer's poor experiences before names are resolved.
#[derive(Debug)]
struct Collected {
    customer: u64,
    count: u64,
    last: Vec<(i64, TouchpointId, f32)>,
}

/// Builds [`PoorExperiences`]; see the module documentation.
#[derive(Debug)]
pub struct PoorExperienceAccumulator {
    query: PoorExperienceQuery,
    customers: Vec<Collected>,
}

impl PoorExperienceAccumulator {
    pub fn new(query: &PoorExperienceQuery) -> PoorExperienceAccumulator {
        PoorExperienceAccumulator {
            query: query.clone(),
            customers: Vec::new(),
        }
    }

    fn name(&self, touchpoint: TouchpointId) -> String {
        (self.query.touchpoint_names.get(touchpoint.index()))
            .cloned()
            .unwrap_or_else(|| format!("#{}", touchpoint.0))
    }
}

impl Accumulator for PoorExperienceAccumulator {
    type Output = PoorExperiences;

    fn observe(&mut self, journey: &Journey<'_>) {
        let threshold = self.query.threshold;
        let poor = |i: &usize| journey.emotion[*i] < threshold;
        let count = (0..journey.len()).filter(poor).count();
        if count == 0 {
            return;
        }
        let skip = count.saturating_sub(self.query.keep_last);
        let last = (0..journey.len())
            .filter(poor)
            .skip(skip)
            .map(|i| (journey.ts_us[i], journey.touchpoint[i], journey.emotion[i]))
            .collect();
        self.customers.push(Collected {
            customer: journey.customer,
            count: count as u64,
            last,
        });
    }

    fn merge(&mut self, other: Self) {
        self.customers.extend(other.customers);
    }

    fn finish(mut self) -> PoorExperiences {
        self.customers.sort_by_key(|c| c.customer);
        let mut merged: Vec<Collected> = Vec::with_capacity(self.customers.len());
        // Keys are distinct when each customer is one journey; otherwise the
        // customer's lists are merged in time order.
        for customer in std::mem::take(&mut self.customers) {
            match merged.last_mut() {
                Some(last) if last.customer == customer.customer => {
                    last.count += customer.count;
                    last.last.extend(customer.last);
                    last.last
                        .sort_by(|a, b| (a.0, a.1.0).cmp(&(b.0, b.1.0)).then(a.2.total_cmp(&b.2)));
                    let excess = last.last.len().saturating_sub(self.query.keep_last);
                    last.last.drain(..excess);
                }
                _ => merged.push(customer),
            }
        }
        let customers = (merged.into_iter())
            .map(|c| CustomerPoorExperiences {
                customer: c.customer,
                poor_experiences: c.count,
                last: (c.last.into_iter())
                    .map(|(ts_us, touchpoint, emotion)| PoorExperience {
                        touchpoint: self.name(touchpoint),
                        ts_us,
                        emotion,
                    })
                    .collect(),
            })
            .collect();
        PoorExperiences { customers }
    }
}

/// One customer's value-model outputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerOutlook {
    pub customer: u64,
    /// P(alive) at the calibration end.
    pub p_alive: f64,
    /// P(alive) at the earlier instant; `None` when the customer had not
    /// purchased by then.
    pub p_alive_before: Option<f64>,
    /// Expected purchases in the forecast horizon after the calibration end.
    pub expected_purchases: f64,
    pub clv: f64,
}

/// How [`customer_outlooks`] evaluates the models.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutlookOptions {
    pub period: PeriodUnit,
    /// "Now": purchases on this UTC day or earlier are the calibration data.
    pub calibration_end_us: i64,
    /// The earlier instant P(alive) is compared with.
    pub before_us: i64,
    /// Horizon of `expected_purchases`, in periods of `period`.
    pub forecast_periods: f64,
    pub clv: ClvOptions,
}

impl OutlookOptions {
    /// Options comparing with 30 days before the calibration end, a
    /// forecast over one year and a CLV of 12 monthly cash flows at 1 % a
    /// month, in the given unit.
    pub fn new(calibration_end_us: i64, period: PeriodUnit) -> OutlookOptions {
        const DAY_US: i64 = super::calendar::DAY_US;
        OutlookOptions {
            period,
            calibration_end_us,
            before_us: calibration_end_us - 30 * DAY_US,
            forecast_periods: 365.0 / period.days(),
            clv: ClvOptions {
                horizon_periods: 12,
                period_length: 30.0 / period.days(),
                discount_rate: 0.01,
            },
        }
    }
}

/// Evaluates `model` (fitted on the calibration data) and the spend model
/// for every customer whose first purchase is on or before the calibration
/// end day, in customer order. Expected spend per purchase is the
/// Gamma-Gamma conditional expectation, which needs q > 1.
pub fn customer_outlooks(
    histories: &PurchaseHistories,
    model: &impl TransactionModel,
    spend: &GammaGamma,
    options: &OutlookOptions,
) -> Result<Vec<CustomerOutlook>, ValueError> {
    if spend.q <= 1.0 {
        return Err(ValueError::InvalidOption {
            name: "gamma_gamma",
            reason: "q must exceed 1 for a finite expected spend",
        });
    }
    if !(options.forecast_periods.is_finite() && options.forecast_periods >= 0.0) {
        return Err(ValueError::InvalidOption {
            name: "forecast_periods",
            reason: "must be finite and not negative",
        });
    }
    let now = SummaryOptions {
        period: options.period,
        calibration_end_us: options.calibration_end_us,
        holdout_end_us: None,
    };
    let before = SummaryOptions {
        calibration_end_us: options.before_us,
        ..now
    };
    let mut outlooks = Vec::with_capacity(histories.customers.len());
    for customer in &histories.customers {
        let Some(summary) = summarize(&customer.purchases, &now)? else {
            continue;
        };
        let fr = summary.frequency_recency;
        let expected_spend = spend.expected_spend(&SpendObservation {
            frequency: fr.frequency,
            monetary_value: summary.monetary_value,
        });
        let p_alive_before = summarize(&customer.purchases, &before)?
            .map(|earlier| model.p_alive(&earlier.frequency_recency));
        outlooks.push(CustomerOutlook {
            customer: customer.customer,
            p_alive: model.p_alive(&fr),
            p_alive_before,
            expected_purchases: model.expected_purchases(options.forecast_periods, &fr),
            clv: discounted_clv(model, &fr, expected_spend, &options.clv)?,
        });
    }
    Ok(outlooks)
}

/// What [`slipping_away`] lists; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlippingOptions {
    pub min_value_quantile: f64,
    pub max_p_alive: f64,
    pub min_p_alive_drop: f64,
    /// Customers listed at most.
    pub limit: usize,
}

impl Default for SlippingOptions {
    fn default() -> Self {
        SlippingOptions {
            min_value_quantile: 0.8,
            max_p_alive: 0.5,
            min_p_alive_drop: 0.1,
            limit: 100,
        }
    }
}

impl SlippingOptions {
    pub fn validate(&self) -> Result<(), RetentionError> {
        let unit = |value: f64| value.is_finite() && (0.0..=1.0).contains(&value);
        for (name, value) in [
            ("min_value_quantile", self.min_value_quantile),
            ("max_p_alive", self.max_p_alive),
            ("min_p_alive_drop", self.min_p_alive_drop),
        ] {
            if !unit(value) {
                return Err(RetentionError::InvalidOption {
                    name,
                    reason: "must be between 0 and 1",
                });
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlippingAway {
    /// Customers assessed.
    pub customers: u64,
    /// The CLV a customer needs to count as valuable; `None` without
    /// customers.
    pub value_threshold: Option<f64>,
    /// Customers who are valuable and low or falling, listed or not.
    pub candidates: u64,
    /// `candidates ÷ customers`.
    pub candidate_share: Option<f64>,
    /// The top candidates, ranked.
    pub ranked: Vec<SlippingCustomer>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlippingCustomer {
    /// 1 for the customer most at risk.
    pub rank: usize,
    pub customer: u64,
    pub p_alive: f64,
    pub p_alive_before: Option<f64>,
    /// `p_alive_before − p_alive`.
    pub p_alive_drop: Option<f64>,
    pub expected_purchases: f64,
    pub clv: f64,
    /// `clv × (1 − p_alive)`.
    pub value_at_risk: f64,
    pub low_p_alive: bool,
    pub falling_p_alive: bool,
    /// All poor experiences of the customer, and the latest ones.
    pub poor_experiences: u64,
    pub last_poor_experiences: Vec<PoorExperience>,
}

/// Ranks the customers slipping away; see the module documentation.
pub fn slipping_away(
    outlooks: &[CustomerOutlook],
    poor: &PoorExperiences,
    options: &SlippingOptions,
) -> Result<SlippingAway, RetentionError> {
    options.validate()?;
    let probability = |p: f64| p.is_finite() && (0.0..=1.0).contains(&p);
    let valid = |o: &CustomerOutlook| {
        probability(o.p_alive) && o.p_alive_before.is_none_or(probability) && o.clv.is_finite()
    };
    if !outlooks.iter().all(valid) {
        return Err(RetentionError::InvalidOption {
            name: "outlooks",
            reason: "P(alive) must lie in [0, 1] and CLV be finite",
        });
    }
    let mut clvs: Vec<f64> = outlooks.iter().map(|o| o.clv).collect();
    clvs.sort_by(f64::total_cmp);
    let value_threshold = quantile_sorted(&clvs, options.min_value_quantile);
    let mut ranked: Vec<SlippingCustomer> = Vec::new();
    if let Some(threshold) = value_threshold {
        for outlook in outlooks.iter().filter(|o| o.clv >= threshold) {
            let drop = outlook
                .p_alive_before
                .map(|before| before - outlook.p_alive);
            let low = outlook.p_alive <= options.max_p_alive;
            let falling = drop.is_some_and(|drop| drop >= options.min_p_alive_drop);
            if !(low || falling) {
                continue;
            }
            let experiences = poor.get(outlook.customer);
            ranked.push(SlippingCustomer {
                rank: 0,
                customer: outlook.customer,
                p_alive: outlook.p_alive,
                p_alive_before: outlook.p_alive_before,
                p_alive_drop: drop,
                expected_purchases: outlook.expected_purchases,
                clv: outlook.clv,
                value_at_risk: outlook.clv * (1.0 - outlook.p_alive),
                low_p_alive: low,
                falling_p_alive: falling,
                poor_experiences: experiences.map_or(0, |e| e.poor_experiences),
                last_poor_experiences: experiences.map_or_else(Vec::new, |e| e.last.clone()),
            });
        }
    }
    let candidates = ranked.len() as u64;
    ranked.sort_by(rank_order);
    ranked.truncate(options.limit);
    for (i, customer) in ranked.iter_mut().enumerate() {
        customer.rank = i + 1;
    }
    Ok(SlippingAway {
        customers: outlooks.len() as u64,
        value_threshold,
        candidates,
        candidate_share: share(candidates, outlooks.len() as u64),
        ranked,
    })
}

/// Value at risk descending, then the drop descending (none last), then
/// the customer key.
fn rank_order(a: &SlippingCustomer, b: &SlippingCustomer) -> Ordering {
    let drop = |c: &SlippingCustomer| c.p_alive_drop.unwrap_or(f64::NEG_INFINITY);
    (b.value_at_risk.total_cmp(&a.value_at_risk))
        .then_with(|| drop(b).total_cmp(&drop(a)))
        .then_with(|| a.customer.cmp(&b.customer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::calendar::DAY_US;
    use crate::retention::test_journeys::{DAY0_US, names, parse};
    use crate::value::BgNbd;

    fn poor(keep_last: usize, input: &[&str]) -> PoorExperiences {
        let spec = PoorExperienceSpec {
            keep_last,
            ..PoorExperienceSpec::default()
        };
        let query = spec.validate(&names()).expect("valid spec");
        let mut accumulator = PoorExperienceAccumulator::new(&query);
        for journey in parse(input) {
            accumulator.observe(&journey.as_journey());
        }
        accumulator.finish()
    }

    fn render_poor(poor: &PoorExperiences) -> String {
        let lines: Vec<String> = (poor.customers.iter())
            .map(|c| {
                let last: Vec<String> = (c.last.iter())
                    .map(|e| {
                        format!(
                            "{}@{}:{}",
                            e.touchpoint,
                            (e.ts_us - DAY0_US) / DAY_US,
                            e.emotion
                        )
                    })
                    .collect();
                format!("{} n={} {}", c.customer, c.poor_experiences, last.join(" "))
            })
            .collect();
        lines.join("\n")
    }

    #[test]
    fn keeps_the_last_poor_experiences() {
        assert_eq!(render_poor(&poor(2, &[])), "");
        // −0.3 itself is not poor; NaN never is.
        assert_eq!(render_poor(&poor(2, &["a@0:-0.3 b@1 c@2:0.5"])), "");
        assert_eq!(
            render_poor(&poor(
                2,
                &[
                    "a@0:-0.5 b@1:-0.3 c@2:-1 d@3:-0.75 x@4:0.9",
                    "",
                    "d@5:-0.375"
                ]
            )),
            "1 n=3 c@2:-1 d@3:-0.75\n3 n=1 d@5:-0.375"
        );
        let spec = PoorExperienceSpec {
            threshold: f32::NAN,
            keep_last: 1,
        };
        assert!(spec.validate(&names()).is_err());
        let spec = PoorExperienceSpec {
            threshold: -0.3,
            keep_last: 0,
        };
        assert!(spec.validate(&names()).is_err());
    }

    fn outlook(
        customer: u64,
        p_alive: f64,
        p_alive_before: Option<f64>,
        clv: f64,
    ) -> CustomerOutlook {
        CustomerOutlook {
            customer,
            p_alive,
            p_alive_before,
            expected_purchases: 1.0,
            clv,
        }
    }

    fn render(result: &SlippingAway) -> String {
        let mut lines = vec![format!(
            "customers={} threshold={:?} candidates={}",
            result.customers, result.value_threshold, result.candidates
        )];
        for c in &result.ranked {
            lines.push(format!(
                "#{} {} risk={} low={} falling={} poor={}",
                c.rank,
                c.customer,
                c.value_at_risk,
                c.low_p_alive,
                c.falling_p_alive,
                c.poor_experiences
            ));
        }
        lines.join("\n")
    }

    #[test]
    fn ranks_valuable_customers_at_risk() {
        let poor = poor(3, &["", "", "c@1:-0.5 d@2:-0.5"]);
        let options = SlippingOptions {
            min_value_quantile: 0.5,
            max_p_alive: 0.5,
            min_p_alive_drop: 0.25,
            limit: 10,
        };
        let outlooks = [
            // Valuable and low.
            outlook(1, 0.5, Some(0.5), 100.0),
            // Valuable and falling (0.875 → 0.625).
            outlook(3, 0.625, Some(0.875), 200.0),
            // Valuable, neither low nor falling.
            outlook(4, 0.75, Some(0.875), 400.0),
            // Low but not valuable.
            outlook(5, 0.125, None, 10.0),
            // Low, no earlier value, not valuable at the median; at the 0
            // quantile it has the risk of 1 and ranks after it (no drop).
            outlook(6, 0.0, None, 50.0),
            outlook(7, 0.9, None, 20.0),
        ];
        // CLV sorted: 10 20 50 100 200 400; median 75.
        let result = slipping_away(&outlooks, &poor, &options).expect("valid input");
        assert_eq!(
            render(&result),
            "customers=6 threshold=Some(75.0) candidates=2
#1 3 risk=75 low=false falling=true poor=2
#2 1 risk=50 low=true falling=false poor=0"
        );
        let options = SlippingOptions {
            min_value_quantile: 0.0,
            limit: 2,
            ..options
        };
        let result = slipping_away(&outlooks, &poor, &options).expect("valid input");
        assert_eq!(
            render(&result),
            "customers=6 threshold=Some(10.0) candidates=4
#1 3 risk=75 low=false falling=true poor=2
#2 1 risk=50 low=true falling=false poor=0"
        );
        let empty = slipping_away(&[], &poor, &options).expect("valid input");
        assert_eq!(render(&empty), "customers=0 threshold=None candidates=0");
        let bad = [outlook(1, f64::NAN, None, 1.0)];
        assert!(slipping_away(&bad, &poor, &options).is_err());
    }

    #[test]
    fn outlooks_come_from_the_models() {
        let spec = crate::retention::PurchaseHistorySpec {
            purchase: vec!["c".into()],
        };
        let query = spec.validate(&names()).expect("valid spec");
        let mut accumulator = crate::retention::PurchaseHistoryAccumulator::new(&query);
        // 1 bought often early and then stopped; 2 buys steadily; 3 first
        // bought after the earlier instant; 4 after the calibration end.
        let input = [
            "c@0$10 c@3$10 c@6$10 c@9$10 c@12$10",
            "c@0$10 c@20$10 c@40$10 c@60$10",
            "c@50$10",
            "c@70$10",
        ];
        for journey in parse(&input) {
            accumulator.observe(&journey.as_journey());
        }
        let histories = accumulator.finish();
        let model = BgNbd::new(0.243, 4.414, 0.793, 2.426).expect("CDNOW parameters");
        let spend = GammaGamma::new(6.25, 3.74, 15.44).expect("CDNOW parameters");
        let options = OutlookOptions::new(DAY0_US + 65 * DAY_US, PeriodUnit::Day);
        let outlooks = customer_outlooks(&histories, &model, &spend, &options).expect("valid");
        let keys: Vec<u64> = outlooks.iter().map(|o| o.customer).collect();
        assert_eq!(keys, [1, 2, 3]);
        let [first, second, third] = [outlooks[0], outlooks[1], outlooks[2]];
        assert!(first.p_alive < 0.1, "{first:?}");
        assert!(first.p_alive_before.expect("bought by then") > first.p_alive);
        assert!(second.p_alive > first.p_alive, "{second:?}");
        assert_eq!(third.p_alive, 1.0);
        assert_eq!(third.p_alive_before, None);
        let fr = crate::value::FrequencyRecency {
            frequency: 3,
            recency: 60.0,
            age: 65.0,
        };
        assert_eq!(second.p_alive, model.p_alive(&fr));
        let bad_spend = GammaGamma::new(6.25, 0.5, 15.44).expect("positive parameters");
        assert!(customer_outlooks(&histories, &model, &bad_spend, &options).is_err());
    }
}
