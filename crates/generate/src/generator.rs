//! The streaming generator: options, their validation, and an iterator
//! that yields one customer at a time, so that a dataset of any size is
//! produced in constant memory and chunks can be generated in parallel.

use crate::planted::{Planted, Switches};
use crate::rng::customer_seed;
use crate::scenario::Scenario;
use crate::time::DAY_US;
use crate::timeline::Window;
use model::{Event, Traits};
use std::ops::Range;

/// 2025-01-06 00:00:00 UTC, a Monday: the default start of generated time.
pub const DEFAULT_START_TS_US: i64 = 1_736_121_600_000_000;

/// Generated time may not start before 1970 nor end after 2200, which
/// keeps every timestamp far from overflow.
const LATEST_END_US: i64 = 7_258_118_400_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    pub customers: u64,
    pub seed: u64,
    /// Start of the generated window, microseconds since the Unix epoch.
    pub start_ts_us: i64,
    /// Length of the window; events after it are not generated.
    pub days: u32,
    pub planted: Planted,
    pub identities: Identities,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            customers: 1_000,
            seed: 42,
            start_ts_us: DEFAULT_START_TS_US,
            days: 365,
            planted: Planted::All,
            identities: Identities::Known,
        }
    }
}

/// Which identities the events carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Identities {
    /// Every event carries the customer's own id.
    #[default]
    Known,
    /// Events before the first sign-in carry an anonymous id; the first
    /// signed-in event names it in `properties.anonymous_id` and the
    /// customer's `email` trait links the rest, so that identity stitching
    /// has work to do and a ground truth to be checked against.
    AnonymousFirst,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GenerateError {
    #[error("scenario {scenario} has no planted situation {key:?}; it has: {known}")]
    UnknownPlanted {
        scenario: &'static str,
        key: String,
        known: String,
    },
    #[error("the window must be at least one day long")]
    NoDays,
    #[error("the window must lie between 1970 and 2200")]
    WindowOutOfRange,
}

/// One customer: their identity, traits and time-ordered events.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRecord {
    /// Position in the dataset; the same customer at any dataset size.
    pub index: u64,
    pub distinct_id: String,
    pub traits: Traits,
    /// Ordered by (`ts_us`, `event_id`), all inside the window.
    pub events: Vec<Event>,
}

/// What a scenario needs to generate one customer.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) seed: u64,
    pub(crate) window: Window,
    pub(crate) switches: Switches,
    pub(crate) identities: Identities,
    pub(crate) wait_target_s: f64,
}

impl Context {
    /// The per-customer stream seed and the id tag that names the customer.
    pub(crate) fn customer_seeds(&self, salt: u64, index: u64) -> (u64, u64) {
        (
            customer_seed(self.seed, salt, index),
            customer_seed(self.seed, salt ^ 0x1d, index),
        )
    }
}

/// The scenario's planted situations that `planted` switches on.
pub(crate) fn resolve_switches(
    scenario: Scenario,
    planted: &Planted,
) -> Result<Switches, GenerateError> {
    let keys: Vec<&'static str> = scenario.planted().iter().map(|p| p.key).collect();
    Switches::resolve(planted, &keys).map_err(|key| GenerateError::UnknownPlanted {
        scenario: scenario.name(),
        key,
        known: keys.join(", "),
    })
}

/// Yields the customers of a range (all of them by default) in index order.
#[derive(Debug, Clone)]
pub struct Generator {
    scenario: Scenario,
    context: Context,
    customers: u64,
    next: u64,
    end: u64,
}

impl Generator {
    pub fn new(scenario: Scenario, options: GenerateOptions) -> Result<Generator, GenerateError> {
        if options.days == 0 {
            return Err(GenerateError::NoDays);
        }
        let end_us = i64::from(options.days)
            .checked_mul(DAY_US)
            .and_then(|length| options.start_ts_us.checked_add(length))
            .filter(|end| options.start_ts_us >= 0 && *end <= LATEST_END_US)
            .ok_or(GenerateError::WindowOutOfRange)?;
        let switches = resolve_switches(scenario, &options.planted)?;
        let context = Context {
            seed: options.seed,
            window: Window {
                start_us: options.start_ts_us,
                end_us,
            },
            switches,
            identities: options.identities,
            wait_target_s: f64::from(scenario.definition().targets.wait_s),
        };
        Ok(Generator {
            scenario,
            context,
            customers: options.customers,
            next: 0,
            end: options.customers,
        })
    }

    /// Restricts the generator to the customers in `range` (clamped to the
    /// dataset), e.g. one chunk per worker thread.
    pub fn chunk(mut self, range: Range<u64>) -> Generator {
        self.end = range.end.min(self.customers);
        self.next = range.start.min(self.end);
        self
    }

    pub fn scenario(&self) -> Scenario {
        self.scenario
    }

    /// Customer `index`, independent of the dataset's size and of chunking.
    pub fn customer(&self, index: u64) -> CustomerRecord {
        self.scenario.customer(&self.context, index)
    }
}

impl Iterator for Generator {
    type Item = CustomerRecord;

    fn next(&mut self) -> Option<CustomerRecord> {
        if self.next >= self.end {
            return None;
        }
        let record = self.customer(self.next);
        self.next += 1;
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Generator {}
