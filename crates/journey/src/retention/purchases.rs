//! Each customer's purchase history in the shape the customer-base models
//! of [`crate::value`] take: per customer, one [`Purchase`] per UTC day
//! with a purchase, its value the sum of that day's `Facts::value` (NaN or
//! missing values count 0). [`PurchaseHistories::summaries`] turns them into
//! the (x, t_x, T) summaries of [`summarize`] for a calibration end and a
//! period unit, and [`PurchaseHistories::customer_base`] into the grouped
//! base the BG/NBD and Pareto/NBD fits take.
//!
//! Merged output is sorted by customer, so it does not depend on how the
//! journeys were partitioned.

use super::calendar::day_of;
use super::{RetentionError, TouchpointSet};
use crate::value::{
    CustomerBase, CustomerSummary, Purchase, RfmValues, SpendObservation, SummaryOptions,
    ValueError, summarize,
};
use crate::{Accumulator, Journey};
use serde::{Deserialize, Serialize};

/// Which events are purchases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseHistorySpec {
    /// Touchpoints whose events are purchases; at least one.
    pub purchase: Vec<String>,
}

impl PurchaseHistorySpec {
    pub fn validate(
        &self,
        touchpoint_names: &[String],
    ) -> Result<PurchaseHistoryQuery, RetentionError> {
        Ok(PurchaseHistoryQuery {
            purchase: TouchpointSet::resolve(&self.purchase, touchpoint_names, "purchase", false)?,
        })
    }
}

/// A validated [`PurchaseHistorySpec`].
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseHistoryQuery {
    purchase: TouchpointSet,
}

/// One customer's purchase days, ascending.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerPurchases {
    pub customer: u64,
    /// One per purchase day: the time of the day's first purchase and the
    /// sum of the day's values.
    pub purchases: Vec<Purchase>,
}

/// One customer's frequency–recency summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerValueSummary {
    pub customer: u64,
    pub summary: CustomerSummary,
}

impl CustomerValueSummary {
    /// The customer's repeat purchases for the Gamma-Gamma spend model.
    pub fn spend(&self) -> SpendObservation {
        SpendObservation {
            frequency: self.summary.frequency_recency.frequency,
            monetary_value: self.summary.monetary_value,
        }
    }
}

/// Every purchaser's history, sorted by customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PurchaseHistories {
    pub customers: Vec<CustomerPurchases>,
}

impl PurchaseHistories {
    /// The history of one customer, if they purchased.
    pub fn get(&self, customer: u64) -> Option<&CustomerPurchases> {
        let idx = (self.customers)
            .binary_search_by_key(&customer, |c| c.customer)
            .ok()?;
        Some(&self.customers[idx])
    }

    /// The summary of every customer whose first purchase is on or before
    /// the calibration end day, in customer order.
    pub fn summaries(
        &self,
        options: &SummaryOptions,
    ) -> Result<Vec<CustomerValueSummary>, ValueError> {
        let mut summaries = Vec::with_capacity(self.customers.len());
        for customer in &self.customers {
            if let Some(summary) = summarize(&customer.purchases, options)? {
                summaries.push(CustomerValueSummary {
                    customer: customer.customer,
                    summary,
                });
            }
        }
        Ok(summaries)
    }

    /// The grouped (x, t_x, T) base of [`PurchaseHistories::summaries`].
    pub fn customer_base(&self, options: &SummaryOptions) -> Result<CustomerBase, ValueError> {
        let summaries = self.summaries(options)?;
        CustomerBase::from_customers(summaries.iter().map(|s| &s.summary.frequency_recency))
    }

    /// RFM values as of the UTC day holding `as_of_us`, counting purchase
    /// days up to and including it: recency in days since the last purchase
    /// day, frequency in purchase days, monetary value as the mean value of
    /// a purchase day. Customers without a purchase by then are left out.
    pub fn rfm_values(&self, as_of_us: i64) -> Vec<(u64, RfmValues)> {
        let as_of_day = day_of(as_of_us);
        (self.customers.iter())
            .filter_map(|customer| {
                let days: Vec<&Purchase> = (customer.purchases.iter())
                    .take_while(|p| day_of(p.ts_us) <= as_of_day)
                    .collect();
                let last = days.last()?;
                let total: f64 = days.iter().map(|p| p.value).sum();
                let values = RfmValues {
                    recency_days: (as_of_day - day_of(last.ts_us)) as f64,
                    frequency: days.len() as f64,
                    monetary: total / days.len() as f64,
                };
                Some((customer.customer, values))
            })
            .collect()
    }
}

/// Builds [`PurchaseHistories`]; see the module documentation.
#[derive(Debug)]
pub struct PurchaseHistoryAccumulator {
    query: PurchaseHistoryQuery,
    customers: Vec<CustomerPurchases>,
}

impl PurchaseHistoryAccumulator {
    pub fn new(query: &PurchaseHistoryQuery) -> PurchaseHistoryAccumulator {
        PurchaseHistoryAccumulator {
            query: query.clone(),
            customers: Vec::new(),
        }
    }
}

/// Adds a purchase to purchase days in time order: to the last day when it
/// is the same UTC day, as a new day otherwise.
fn add_purchase(days: &mut Vec<Purchase>, ts_us: i64, value: f64) {
    match days.last_mut() {
        Some(last) if day_of(last.ts_us) == day_of(ts_us) => last.value += value,
        _ => days.push(Purchase { ts_us, value }),
    }
}

impl Accumulator for PurchaseHistoryAccumulator {
    type Output = PurchaseHistories;

    fn observe(&mut self, journey: &Journey<'_>) {
        let mut purchases = Vec::new();
        for (i, (&ts_us, &touchpoint)) in journey.ts_us.iter().zip(journey.touchpoint).enumerate() {
            if self.query.purchase.contains(touchpoint) {
                let value = (journey.facts.value.get(i).copied())
                    .filter(|value| value.is_finite())
                    .unwrap_or(0.0);
                add_purchase(&mut purchases, ts_us, value);
            }
        }
        if !purchases.is_empty() {
            self.customers.push(CustomerPurchases {
                customer: journey.customer,
                purchases,
            });
        }
    }

    fn merge(&mut self, other: Self) {
        self.customers.extend(other.customers);
    }

    fn finish(mut self) -> PurchaseHistories {
        self.customers.sort_by_key(|c| c.customer);
        // A customer is one journey, so keys are distinct; should a caller
        // split one customer's events over two journeys, their purchase days
        // are merged rather than reported twice.
        let mut customers: Vec<CustomerPurchases> = Vec::with_capacity(self.customers.len());
        for customer in self.customers {
            match customers.last_mut() {
                Some(last) if last.customer == customer.customer => {
                    let mut all = std::mem::take(&mut last.purchases);
                    all.extend(customer.purchases);
                    all.sort_by_key(|p| p.ts_us);
                    for purchase in all {
                        add_purchase(&mut last.purchases, purchase.ts_us, purchase.value);
                    }
                }
                _ => customers.push(customer),
            }
        }
        PurchaseHistories { customers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::calendar::DAY_US;
    use crate::retention::test_journeys::{DAY0_US, names, parse};
    use crate::value::PeriodUnit;

    fn histories(input: &[&str]) -> PurchaseHistories {
        let spec = PurchaseHistorySpec {
            purchase: vec!["c".into(), "d".into()],
        };
        let query = spec.validate(&names()).expect("valid spec");
        let mut accumulator = PurchaseHistoryAccumulator::new(&query);
        for journey in parse(input) {
            accumulator.observe(&journey.as_journey());
        }
        accumulator.finish()
    }

    fn render(histories: &PurchaseHistories) -> String {
        let lines: Vec<String> = (histories.customers.iter())
            .map(|c| {
                let days: Vec<String> = (c.purchases.iter())
                    .map(|p| {
                        format!(
                            "{}h{}=${}",
                            (p.ts_us - DAY0_US) / DAY_US,
                            (p.ts_us - DAY0_US) % DAY_US / 3_600_000_000,
                            p.value
                        )
                    })
                    .collect();
                format!("{}: {}", c.customer, days.join(" "))
            })
            .collect();
        lines.join("\n")
    }

    #[test]
    fn merges_purchases_per_day() {
        assert_eq!(render(&histories(&[])), "");
        assert_eq!(render(&histories(&["a@0", ""])), "");
        assert_eq!(
            render(&histories(&[
                "c@0.25$10 a@0.3$99 d@0.5$5 c@0.9 c@2$7",
                "x@1 c@3.5$-2 c@3.75$NaN",
            ])),
            "1: 0h6=$15 2h0=$7\n2: 3h12=$-2"
        );
    }

    #[test]
    fn summaries_feed_the_value_models() {
        let histories = histories(&["c@0$10 c@2$20 c@3$30 c@9$99", "c@5$1", "c@7.5$4 c@7.6$6"]);
        let options = SummaryOptions {
            period: PeriodUnit::Day,
            calibration_end_us: DAY0_US + 6 * DAY_US,
            holdout_end_us: None,
        };
        let summaries = histories.summaries(&options).expect("valid options");
        let rows: Vec<String> = (summaries.iter())
            .map(|s| {
                let fr = s.summary.frequency_recency;
                format!(
                    "{} x={} t_x={} T={} m={}",
                    s.customer, fr.frequency, fr.recency, fr.age, s.summary.monetary_value
                )
            })
            .collect();
        // Customer 3 first buys after the calibration end.
        assert_eq!(rows, ["1 x=2 t_x=3 T=6 m=25", "2 x=0 t_x=0 T=1 m=0"]);
        assert_eq!(summaries[0].spend().frequency, 2);
        let base = histories.customer_base(&options).expect("valid options");
        assert_eq!(base.n_customers(), 2);
        let rfm = histories.rfm_values(DAY0_US + 8 * DAY_US);
        let rfm: Vec<String> = (rfm.iter())
            .map(|(c, v)| {
                format!(
                    "{c}: r={} f={} m={}",
                    v.recency_days, v.frequency, v.monetary
                )
            })
            .collect();
        assert_eq!(
            rfm,
            ["1: r=5 f=3 m=20", "2: r=3 f=1 m=1", "3: r=1 f=1 m=10"]
        );
        assert_eq!(histories.get(3).map(|c| c.purchases.len()), Some(1));
        assert_eq!(histories.get(4), None);
    }
}
