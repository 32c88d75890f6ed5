//! From raw purchases to the frequency–recency summary the customer-base
//! models are fitted on, and the grouped representation that makes fitting
//! a million customers cheap.
//!
//! Conventions follow the published CDNOW analysis (Fader, Hardie & Lee
//! 2005) and the `lifetimes` package: purchases are bucketed into UTC days
//! and several purchases on one day count as one transaction whose value is
//! their sum; frequency x is the number of days with a purchase after the
//! first one; recency t_x is the time from the first to the last purchase
//! day and age T the time from the first purchase day to the end of the
//! calibration period, both in the chosen period unit; monetary value is
//! the mean value of the repeat purchase days (0 without repeats).

use std::collections::HashMap;

use serde::Serialize;

use super::ValueError;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// One purchase of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Purchase {
    /// Microseconds since the Unix epoch, UTC (the event's `ts`).
    pub ts_us: i64,
    /// Revenue of the purchase (the event's `value`).
    pub value: f64,
}

/// The unit recency and age are expressed in. Transactions are always
/// merged per day; the unit only scales the times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PeriodUnit {
    Day,
    Week,
}

impl PeriodUnit {
    pub fn days(self) -> f64 {
        match self {
            PeriodUnit::Day => 1.0,
            PeriodUnit::Week => 7.0,
        }
    }
}

/// Where the calibration period ends and, optionally, the holdout period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SummaryOptions {
    pub period: PeriodUnit,
    /// Purchases on the UTC day containing this instant or earlier are
    /// calibration data.
    pub calibration_end_us: i64,
    /// Purchases after the calibration day up to and including the UTC day
    /// containing this instant form the holdout period.
    pub holdout_end_us: Option<i64>,
}

impl SummaryOptions {
    pub fn validate(&self) -> Result<(), ValueError> {
        match self.holdout_end_us {
            Some(holdout_end_us) if day_of(holdout_end_us) <= day_of(self.calibration_end_us) => {
                Err(ValueError::InvalidOption {
                    name: "holdout_end_us",
                    reason: "the holdout must end on a day after the calibration period",
                })
            }
            _ => Ok(()),
        }
    }
}

/// A customer's frequency, recency and age: the sufficient statistics of
/// the BG/NBD and Pareto/NBD models.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FrequencyRecency {
    /// x: repeat purchases (purchase days after the first).
    pub frequency: u32,
    /// t_x: time of the last purchase since the first, in periods.
    pub recency: f64,
    /// T: time from the first purchase to the end of calibration, in periods.
    pub age: f64,
}

impl FrequencyRecency {
    /// Checks 0 ≤ t_x ≤ T, finite, and t_x = 0 without repeat purchases.
    pub fn validate(&self) -> Result<(), ValueError> {
        let valid = self.recency.is_finite()
            && self.age.is_finite()
            && self.recency >= 0.0
            && self.recency <= self.age
            && (self.frequency > 0 || self.recency == 0.0);
        if valid {
            Ok(())
        } else {
            Err(ValueError::InvalidCustomer {
                frequency: self.frequency,
                recency: self.recency,
                age: self.age,
            })
        }
    }
}

/// One customer's summary over the calibration and holdout periods.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerSummary {
    pub frequency_recency: FrequencyRecency,
    /// Mean value of the repeat purchase days; 0 without repeats.
    pub monetary_value: f64,
    /// Purchase days in the holdout period (0 without a holdout).
    pub holdout_frequency: u32,
    /// Mean value of the holdout purchase days; 0 without any.
    pub holdout_monetary_value: f64,
    /// Length of the holdout period in periods (0 without a holdout).
    pub holdout_duration: f64,
}

/// Summarises one customer's purchases, in any order. `None` when the
/// customer made no purchase on or before the calibration end day (such a
/// customer is not yet in the customer base the models describe).
pub fn summarize(
    purchases: &[Purchase],
    options: &SummaryOptions,
) -> Result<Option<CustomerSummary>, ValueError> {
    options.validate()?;
    let calibration_end_day = day_of(options.calibration_end_us);
    let holdout_end_day = options.holdout_end_us.map(day_of);
    let days = purchase_days(purchases);
    let Some(&(first_day, _)) = days.first() else {
        return Ok(None);
    };
    if first_day > calibration_end_day {
        return Ok(None);
    }
    let period_days = options.period.days();
    let calibration: Vec<(i64, f64)> = days
        .iter()
        .copied()
        .take_while(|&(day, _)| day <= calibration_end_day)
        .collect();
    let repeats = &calibration[1..];
    let last_day = calibration
        .last()
        .expect("the first purchase day is in calibration")
        .0;
    let holdout: Vec<f64> = match holdout_end_day {
        Some(end_day) => days
            .iter()
            .filter(|&&(day, _)| day > calibration_end_day && day <= end_day)
            .map(|&(_, value)| value)
            .collect(),
        None => Vec::new(),
    };
    let summary = CustomerSummary {
        frequency_recency: FrequencyRecency {
            frequency: u32::try_from(repeats.len()).expect("fewer than 2^32 purchase days"),
            recency: (last_day - first_day) as f64 / period_days,
            age: (calibration_end_day - first_day) as f64 / period_days,
        },
        monetary_value: mean(repeats.iter().map(|&(_, value)| value)),
        holdout_frequency: u32::try_from(holdout.len()).expect("fewer than 2^32 purchase days"),
        holdout_monetary_value: mean(holdout.iter().copied()),
        holdout_duration: holdout_end_day.map_or(0.0, |end_day| {
            (end_day - calibration_end_day) as f64 / period_days
        }),
    };
    Ok(Some(summary))
}

/// The UTC day number of an instant (days since 1970-01-01).
pub fn day_of(ts_us: i64) -> i64 {
    ts_us.div_euclid(MICROS_PER_DAY)
}

/// Purchases merged per UTC day, values summed, days ascending.
fn purchase_days(purchases: &[Purchase]) -> Vec<(i64, f64)> {
    let mut days: Vec<(i64, f64)> = purchases
        .iter()
        .map(|p| (day_of(p.ts_us), p.value))
        .collect();
    days.sort_by_key(|&(day, _)| day);
    let mut merged: Vec<(i64, f64)> = Vec::with_capacity(days.len());
    for (day, value) in days {
        match merged.last_mut() {
            Some((last_day, total)) if *last_day == day => *total += value,
            _ => merged.push((day, value)),
        }
    }
    merged
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (count, sum) = values.fold((0_u64, 0.0), |(count, sum), value| (count + 1, sum + value));
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// Customers grouped by identical (x, t_x, T): the likelihoods depend on a
/// customer only through that triple, and real data (day-resolution times,
/// cohorts that share an age) repeats triples heavily, so a fit costs per
/// distinct triple rather than per customer. Recencies and ages are further
/// deduplicated so each log term is computed once per distinct time.
#[derive(Debug, Clone, Default)]
pub struct CustomerBase {
    /// Per group: frequency, index into `recencies`, index into `ages`, and
    /// how many customers share the triple.
    pub(crate) frequency: Vec<u32>,
    pub(crate) recency_idx: Vec<u32>,
    pub(crate) age_idx: Vec<u32>,
    pub(crate) count: Vec<f64>,
    pub(crate) recencies: Vec<f64>,
    pub(crate) ages: Vec<f64>,
    group_of: HashMap<(u32, u64, u64), usize>,
    recency_of: HashMap<u64, u32>,
    age_of: HashMap<u64, u32>,
    n_customers: u64,
}

impl CustomerBase {
    pub fn new() -> Self {
        CustomerBase::default()
    }

    /// Builds a base from customers, validating each.
    pub fn from_customers<'a>(
        customers: impl IntoIterator<Item = &'a FrequencyRecency>,
    ) -> Result<Self, ValueError> {
        let mut base = CustomerBase::new();
        for customer in customers {
            base.add(customer, 1)?;
        }
        Ok(base)
    }

    /// Adds `count` customers with the same frequency, recency and age.
    pub fn add(&mut self, customer: &FrequencyRecency, count: u64) -> Result<(), ValueError> {
        customer.validate()?;
        if count == 0 {
            return Ok(());
        }
        // +0.0 normalises −0.0 so equal times share a group.
        let recency_bits = (customer.recency + 0.0).to_bits();
        let age_bits = (customer.age + 0.0).to_bits();
        let key = (customer.frequency, recency_bits, age_bits);
        self.n_customers += count;
        if let Some(&group) = self.group_of.get(&key) {
            self.count[group] += count as f64;
            return Ok(());
        }
        let recency_idx = intern(
            &mut self.recency_of,
            &mut self.recencies,
            recency_bits,
            customer.recency,
        );
        let age_idx = intern(&mut self.age_of, &mut self.ages, age_bits, customer.age);
        self.group_of.insert(key, self.frequency.len());
        self.frequency.push(customer.frequency);
        self.recency_idx.push(recency_idx);
        self.age_idx.push(age_idx);
        self.count.push(count as f64);
        Ok(())
    }

    pub fn n_customers(&self) -> u64 {
        self.n_customers
    }

    pub fn n_groups(&self) -> usize {
        self.frequency.len()
    }

    /// Largest frequency in the base (0 when empty).
    pub fn max_frequency(&self) -> u32 {
        self.frequency.iter().copied().max().unwrap_or(0)
    }

    /// The groups as (customer, count) pairs, in insertion order.
    pub fn groups(&self) -> impl Iterator<Item = (FrequencyRecency, f64)> + '_ {
        (0..self.n_groups()).map(|group| {
            let customer = FrequencyRecency {
                frequency: self.frequency[group],
                recency: self.recencies[self.recency_idx[group] as usize],
                age: self.ages[self.age_idx[group] as usize],
            };
            (customer, self.count[group])
        })
    }

    /// Mean frequency and mean age: scale hints for the optimiser's start.
    pub(crate) fn mean_frequency_and_age(&self) -> (f64, f64) {
        let mut frequency = 0.0;
        let mut age = 0.0;
        for (customer, count) in self.groups() {
            frequency += f64::from(customer.frequency) * count;
            age += customer.age * count;
        }
        let n = self.n_customers.max(1) as f64;
        (frequency / n, age / n)
    }
}

fn intern(index_of: &mut HashMap<u64, u32>, values: &mut Vec<f64>, bits: u64, value: f64) -> u32 {
    *index_of.entry(bits).or_insert_with(|| {
        values.push(value);
        u32::try_from(values.len() - 1).expect("fewer than 2^32 distinct times")
    })
}
