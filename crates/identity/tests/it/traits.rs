//! Trait combination does not depend on the order of the customers, and
//! combining in steps equals combining at once for the exact strategies.

use identity::{TimedTraits, TimedValue, combine_traits};
use model::TraitStrategy;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn customer() -> impl Strategy<Value = TimedTraits> {
    let value = prop_oneof![
        (-50i64..50).prop_map(|n| n.to_string()),
        Just(String::new()),
        Just("pro".to_string()),
        Just("basic".to_string()),
    ];
    proptest::collection::btree_map(
        prop_oneof![Just("plan"), Just("orders"), Just("email"), Just("region")]
            .prop_map(String::from),
        (value, 0..5i64).prop_map(|(value, ts_us)| TimedValue::new(value, ts_us)),
        0..4,
    )
}

fn strategies() -> BTreeMap<String, TraitStrategy> {
    [
        ("plan", TraitStrategy::Newest),
        ("orders", TraitStrategy::Add),
        ("email", TraitStrategy::NonEmpty),
        ("region", TraitStrategy::Oldest),
    ]
    .into_iter()
    .map(|(name, strategy)| (name.to_string(), strategy))
    .collect()
}

proptest! {
    #[test]
    fn combination_is_order_free_and_stepwise(
        (customers, shuffled) in proptest::collection::vec(customer(), 1..6)
            .prop_flat_map(|customers| (Just(customers.clone()), Just(customers).prop_shuffle()))
    ) {
        let strategies = strategies();
        let at_once = combine_traits(&strategies, &customers);
        prop_assert_eq!(&combine_traits(&strategies, &shuffled), &at_once);
        let stepwise = customers[1..].iter().fold(customers[0].clone(), |combined, next| {
            combine_traits(&strategies, &[combined, next.clone()])
        });
        // Add sums only numbers; non-numeric values fall back to newest, so
        // stepwise equality holds for traits whose values are all numeric.
        for (name, value) in &at_once {
            let all_numeric = customers
                .iter()
                .filter_map(|c| c.get(name))
                .all(|v| v.value.parse::<i64>().is_ok());
            if name != "orders" || all_numeric {
                prop_assert_eq!(Some(value), stepwise.get(name), "{}", name);
            }
        }
    }
}
