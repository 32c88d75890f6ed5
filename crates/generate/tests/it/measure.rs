//! Naive measurement helpers: counters, means, event lookups, and the
//! check that a measured effect lies near the documented one.

use generate::{CustomerRecord, ExpectedEffect, GenerateOptions, Generator, Scenario};
use model::Event;

/// Customers per measured dataset: enough for tolerances of a few points.
pub const CUSTOMERS: u64 = 20_000;

pub fn dataset(scenario: Scenario) -> Generator {
    let options = GenerateOptions {
        customers: CUSTOMERS,
        seed: 7,
        ..GenerateOptions::default()
    };
    Generator::new(scenario, options).expect("default options are valid")
}

/// A share: hits out of a total.
#[derive(Debug, Default, Clone, Copy)]
pub struct Share {
    pub hits: u64,
    pub total: u64,
}

impl Share {
    pub fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += u64::from(hit);
    }

    pub fn value(&self) -> f64 {
        assert!(self.total > 0, "nothing was counted");
        self.hits as f64 / self.total as f64
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Mean {
    pub sum: f64,
    pub count: u64,
}

impl Mean {
    pub fn add(&mut self, value: f64) {
        self.sum += value;
        self.count += 1;
    }

    pub fn value(&self) -> f64 {
        assert!(self.count > 0, "nothing was averaged");
        self.sum / self.count as f64
    }
}

/// The string property `key` of an event, if any.
pub fn property(event: &Event, key: &str) -> Option<String> {
    let json = event.properties.as_deref()?;
    let value: serde_json::Value = serde_json::from_str(json).expect("properties are JSON");
    match value.get(key)? {
        serde_json::Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

pub fn trait_of<'a>(customer: &'a CustomerRecord, name: &str) -> &'a str {
    customer.traits.get(name).map_or("", String::as_str)
}

pub const DAY_US: i64 = 86_400_000_000;
pub const HOUR_US: i64 = 3_600_000_000;

/// Asserts that the measured values lie within the effect's tolerance.
pub fn check(effect: &ExpectedEffect, affected: f64, baseline: f64) {
    println!(
        "{}\n  measured {affected:.4} vs {baseline:.4}; documented {} vs {} ± {}",
        effect.metric, effect.affected, effect.baseline, effect.tolerance
    );
    let near = |measured: f64, expected: f64| (measured - expected).abs() <= effect.tolerance;
    assert!(
        near(affected, effect.affected) && near(baseline, effect.baseline),
        "{}: measured {affected:.4} vs {baseline:.4}, documented {} vs {} ± {}",
        effect.metric,
        effect.affected,
        effect.baseline,
        effect.tolerance
    );
}
