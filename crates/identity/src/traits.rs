//! How the traits of customers combine when they merge: one strategy per
//! trait (`TraitStrategy` of `journey.toml`), a pure function of the values
//! and the times they were set. The result never depends on the order in
//! which the customers are listed.

use model::{TraitStrategy, Traits};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A trait value and when it was set (microseconds since the Unix epoch).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimedValue {
    pub value: String,
    pub ts_us: i64,
}

impl TimedValue {
    pub fn new(value: impl Into<String>, ts_us: i64) -> TimedValue {
        TimedValue {
            value: value.into(),
            ts_us,
        }
    }
}

/// One customer's traits with the time each was set.
pub type TimedTraits = BTreeMap<String, TimedValue>;

/// The strategy of a trait without one in `journey.toml`.
pub const DEFAULT_TRAIT_STRATEGY: TraitStrategy = TraitStrategy::Newest;

/// Combines the traits of customers that merge into one: for every trait
/// any of them has, `combine_values` with the trait's strategy.
pub fn combine_traits(
    strategies: &BTreeMap<String, TraitStrategy>,
    customers: &[TimedTraits],
) -> TimedTraits {
    let mut values_by_trait: BTreeMap<&str, Vec<TimedValue>> = BTreeMap::new();
    for traits in customers {
        for (trait_name, value) in traits {
            values_by_trait
                .entry(trait_name)
                .or_default()
                .push(value.clone());
        }
    }
    values_by_trait
        .into_iter()
        .filter_map(|(trait_name, values)| {
            let strategy = strategies
                .get(trait_name)
                .copied()
                .unwrap_or(DEFAULT_TRAIT_STRATEGY);
            combine_values(strategy, &values).map(|value| (trait_name.to_string(), value))
        })
        .collect()
}

/// The traits without their times.
pub fn untimed(traits: &TimedTraits) -> Traits {
    traits
        .iter()
        .map(|(name, value)| (name.clone(), value.value.clone()))
        .collect()
}

/// Combines the values of one trait; `None` only for no values.
///
/// - `Newest`: the value with the latest time; an empty value counts (it
///   means the trait was cleared). Equal times: the greater value.
/// - `Oldest`: the value with the earliest time. Equal times: the smaller
///   value.
/// - `NonEmpty`: the earliest value that is not empty after trimming, so a
///   value once known is never replaced by a later one nor by an empty
///   one; when every value is empty, the newest (empty) value. Equal times:
///   the smaller value.
/// - `Add`: the sum of the values that parse as numbers (after trimming),
///   stamped with the latest of their times. Integers sum exactly and print
///   as integers; otherwise the sum is of `f64`s added in ascending order
///   (so that the rounding does not depend on the input order). Values that
///   are not numbers are ignored; when none is a number, `Newest` decides.
pub fn combine_values(strategy: TraitStrategy, values: &[TimedValue]) -> Option<TimedValue> {
    match strategy {
        TraitStrategy::Newest => newest(values.iter()),
        TraitStrategy::Oldest => oldest(values.iter()),
        TraitStrategy::NonEmpty => oldest(values.iter().filter(|v| !v.value.trim().is_empty()))
            .or_else(|| newest(values.iter())),
        TraitStrategy::Add => sum(values).or_else(|| newest(values.iter())),
    }
}

fn newest<'a>(values: impl Iterator<Item = &'a TimedValue>) -> Option<TimedValue> {
    values
        .max_by(|a, b| a.ts_us.cmp(&b.ts_us).then_with(|| a.value.cmp(&b.value)))
        .cloned()
}

fn oldest<'a>(values: impl Iterator<Item = &'a TimedValue>) -> Option<TimedValue> {
    values
        .min_by(|a, b| a.ts_us.cmp(&b.ts_us).then_with(|| a.value.cmp(&b.value)))
        .cloned()
}

fn sum(values: &[TimedValue]) -> Option<TimedValue> {
    let numeric: Vec<&TimedValue> = values
        .iter()
        .filter(|v| v.value.trim().parse::<f64>().is_ok_and(f64::is_finite))
        .collect();
    let latest_ts_us = numeric.iter().map(|v| v.ts_us).max()?;
    let integers: Option<Vec<i128>> = numeric
        .iter()
        .map(|v| v.value.trim().parse::<i64>().ok().map(i128::from))
        .collect();
    let value = match integers {
        Some(integers) => integers.iter().sum::<i128>().to_string(),
        None => {
            let mut floats: Vec<f64> = numeric
                .iter()
                .map(|v| {
                    v.value
                        .trim()
                        .parse::<f64>()
                        .expect("filtered to numbers above")
                })
                .collect();
            floats.sort_by(f64::total_cmp);
            let total: f64 = floats.iter().sum();
            format_number(total)
        }
    };
    Some(TimedValue::new(value, latest_ts_us))
}

/// Shortest text that reads back as the same `f64`, without a trailing
/// `.0` for whole numbers (so `2.5 + 0.5` prints `3`).
fn format_number(value: f64) -> String {
    if value.fract().partial_cmp(&0.0) == Some(Ordering::Equal) && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, i64)]) -> Vec<TimedValue> {
        pairs
            .iter()
            .map(|(v, ts)| TimedValue::new(*v, *ts))
            .collect()
    }

    #[test]
    fn strategies_pick_by_time() {
        let check =
            |strategy: TraitStrategy, pairs: &[(&str, i64)], expected: Option<(&str, i64)>| {
                let combined = combine_values(strategy, &values(pairs));
                assert_eq!(
                    combined,
                    expected.map(|(v, ts)| TimedValue::new(v, ts)),
                    "{strategy:?} {pairs:?}"
                );
            };
        use TraitStrategy::*;
        check(Newest, &[("basic", 10), ("pro", 20)], Some(("pro", 20)));
        check(Newest, &[("pro", 20), ("", 30)], Some(("", 30)));
        check(Newest, &[("b", 5), ("a", 5)], Some(("b", 5)));
        check(Oldest, &[("basic", 10), ("pro", 20)], Some(("basic", 10)));
        check(Oldest, &[("b", 5), ("a", 5)], Some(("a", 5)));
        check(
            NonEmpty,
            &[(" ", 1), ("x@y.z", 20), ("a@b.c", 30)],
            Some(("x@y.z", 20)),
        );
        check(NonEmpty, &[("", 1), (" ", 2)], Some((" ", 2)));
        check(Add, &[("10", 1), ("5", 3), ("-2", 2)], Some(("13", 3)));
        check(Add, &[("2.5", 1), ("0.5", 2)], Some(("3", 2)));
        check(
            Add,
            &[("0.1", 1), ("0.2", 2)],
            Some(("0.30000000000000004", 2)),
        );
        check(Add, &[("10", 1), ("n/a", 9)], Some(("10", 1)));
        check(Add, &[("x", 1), ("y", 9)], Some(("y", 9)));
        check(
            Add,
            &[("9223372036854775807", 1), ("1", 2)],
            Some(("9223372036854775808", 2)),
        );
        check(Newest, &[], None);
    }

    #[test]
    fn customers_combine_per_trait() {
        let customer = |pairs: &[(&str, &str, i64)]| -> TimedTraits {
            pairs
                .iter()
                .map(|(name, value, ts)| (name.to_string(), TimedValue::new(*value, *ts)))
                .collect()
        };
        let strategies: BTreeMap<String, TraitStrategy> = [
            ("email".to_string(), TraitStrategy::NonEmpty),
            ("orders".to_string(), TraitStrategy::Add),
            ("first_channel".to_string(), TraitStrategy::Oldest),
        ]
        .into_iter()
        .collect();
        let anonymous = customer(&[
            ("first_channel", "social", 5),
            ("orders", "1", 5),
            ("plan", "free", 5),
        ]);
        let known = customer(&[
            ("email", "a@b.c", 10),
            ("first_channel", "email", 10),
            ("orders", "3", 12),
            ("plan", "pro", 12),
        ]);
        let combined = combine_traits(&strategies, &[known.clone(), anonymous.clone()]);
        let expected: Traits = [
            ("email", "a@b.c"),
            ("first_channel", "social"),
            ("orders", "4"),
            ("plan", "pro"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(untimed(&combined), expected);
        assert_eq!(combine_traits(&strategies, &[anonymous, known]), combined);
    }
}
