//! The return journey: who comes back, how often, and who is slipping
//! away. Per-journey kernels, each an [`Accumulator`](crate::Accumulator)
//! built from a spec that is validated once:
//!
//! - [`cohorts`]: retention cohorts (PostHog's retention insight): a
//!   triangle of cohorts by the period of their start event, and how many
//!   came back in each later period.
//! - [`lifecycle`]: new, returning, resurrecting and dormant customers per
//!   period (PostHog's lifecycle insight).
//! - [`stickiness`]: how many customers were active on exactly n days of
//!   each period (PostHog's stickiness insight).
//! - [`repeat`]: repurchase rate, time to repurchase, loyalty and advocacy
//!   reach, referrals.
//! - [`purchases`]: each customer's purchase days and values, the input of
//!   the customer-base models in [`crate::value`].
//! - [`slipping`]: the last poor experiences of each customer, and a ranking
//!   of valuable customers whose P(alive) is low or falling.
//!
//! Periods are UTC calendar periods ([`Period`]): days from midnight, weeks
//! from Monday 00:00 (ISO 8601), months from the first of the month. Every
//! per-period kernel reports `n_periods` periods starting with the one that
//! holds `from_us`. The kernels need each customer's whole history (also
//! before `from_us`) where a definition says "first" or "ever".
//!
//! Breakdown by persona: every kernel with a `personas` list reports the
//! group of all customers (named [`ALL_CUSTOMERS`]) first, then one group
//! per listed persona, in the spec's order; a customer belongs to persona
//! `p` when bit `p.bit` of [`Journey::personas`](crate::Journey) is set.

pub mod calendar;
pub mod cohorts;
pub mod lifecycle;
pub mod purchases;
pub mod repeat;
pub mod slipping;
pub mod stickiness;

pub use calendar::{Period, PeriodRange};
pub use cohorts::{
    Cohort, RetentionAccumulator, RetentionGroup, RetentionQuery, RetentionReference,
    RetentionReport, RetentionSpec, RetentionType,
};
pub use lifecycle::{
    LifecycleAccumulator, LifecycleGroup, LifecyclePeriod, LifecycleQuery, LifecycleReport,
    LifecycleSpec, NewCustomer,
};
pub use purchases::{
    CustomerPurchases, CustomerValueSummary, PurchaseHistories, PurchaseHistoryAccumulator,
    PurchaseHistoryQuery, PurchaseHistorySpec,
};
pub use repeat::{
    RepeatAccumulator, RepeatGroup, RepeatQuery, RepeatReport, RepeatSpec, RepurchaseTimes,
};
pub use slipping::{
    CustomerOutlook, CustomerPoorExperiences, OutlookOptions, PoorExperience,
    PoorExperienceAccumulator, PoorExperienceQuery, PoorExperienceSpec, PoorExperiences,
    SlippingAway, SlippingCustomer, SlippingOptions, customer_outlooks, slipping_away,
};
pub use stickiness::{
    StickinessAccumulator, StickinessGroup, StickinessPeriod, StickinessQuery, StickinessReport,
    StickinessSpec,
};

use model::TouchpointId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// The name of the group of all customers in persona breakdowns.
pub const ALL_CUSTOMERS: &str = "all";
/// At most this many periods per report, so that a retention triangle per
/// persona stays small (400 days is more than a year of daily cohorts).
pub const MAX_PERIODS: usize = 400;

/// One persona to break a report down by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonaSpec {
    pub name: String,
    /// The persona's bit in [`Journey::personas`](crate::Journey), 0..64.
    pub bit: u32,
}

impl PersonaSpec {
    /// Every persona of the catalog's journey definition, in its order.
    pub fn all_of(catalog: &model::Catalog) -> Vec<PersonaSpec> {
        (catalog.definition().personas.iter().enumerate())
            .map(|(bit, persona)| PersonaSpec {
                name: persona.name.clone(),
                bit: u32::try_from(bit).expect("fewer than 2^32 personas"),
            })
            .collect()
    }
}

/// Which periods a per-period report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodSpec {
    pub period: Period,
    /// Any instant in the first period, microseconds since the epoch.
    pub from_us: i64,
    /// How many periods, 1..=[`MAX_PERIODS`].
    pub n_periods: usize,
}

impl PeriodSpec {
    pub(crate) fn validate(&self) -> Result<PeriodRange, RetentionError> {
        if self.n_periods == 0 || self.n_periods > MAX_PERIODS {
            return Err(RetentionError::PeriodCount {
                n_periods: self.n_periods,
            });
        }
        if !(calendar::MIN_RANGE_US..=calendar::MAX_RANGE_US).contains(&self.from_us) {
            return Err(RetentionError::StartOutOfRange {
                from_us: self.from_us,
            });
        }
        Ok(PeriodRange::new(self.period, self.from_us, self.n_periods))
    }
}

/// A validated set of touchpoints: either every touchpoint, or those whose
/// id is marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TouchpointSet {
    Any,
    /// Membership per `TouchpointId` index; ids beyond it are not members.
    Only(Vec<bool>),
}

impl TouchpointSet {
    /// The set of `names` (empty: any touchpoint when `empty_means_any`,
    /// otherwise an error naming `what`), looked up in `touchpoint_names`
    /// (indexed by `TouchpointId`).
    pub(crate) fn resolve(
        names: &[String],
        touchpoint_names: &[String],
        what: &'static str,
        empty_means_any: bool,
    ) -> Result<TouchpointSet, RetentionError> {
        if names.is_empty() {
            return if empty_means_any {
                Ok(TouchpointSet::Any)
            } else {
                Err(RetentionError::NoTouchpoints { what })
            };
        }
        let by_name: HashMap<&str, usize> = (touchpoint_names.iter().enumerate())
            .map(|(id, name)| (name.as_str(), id))
            .collect();
        let mut members = vec![false; touchpoint_names.len()];
        for name in names {
            let id = by_name
                .get(name.as_str())
                .ok_or_else(|| RetentionError::UnknownTouchpoint { name: name.clone() })?;
            members[*id] = true;
        }
        Ok(TouchpointSet::Only(members))
    }

    pub fn contains(&self, touchpoint: TouchpointId) -> bool {
        match self {
            TouchpointSet::Any => true,
            TouchpointSet::Only(members) => {
                members.get(touchpoint.index()).copied().unwrap_or(false)
            }
        }
    }
}

/// The persona groups of a report: group 0 is everyone, group `1 + i` the
/// spec's persona `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Groups {
    names: Vec<String>,
    bits: Vec<u32>,
}

impl Groups {
    pub(crate) fn new(personas: &[PersonaSpec]) -> Result<Groups, RetentionError> {
        let mut names = vec![ALL_CUSTOMERS.to_string()];
        for persona in personas {
            if persona.bit >= 64 {
                return Err(RetentionError::PersonaBit {
                    name: persona.name.clone(),
                    bit: persona.bit,
                });
            }
            if names.contains(&persona.name) {
                return Err(RetentionError::DuplicateGroup {
                    name: persona.name.clone(),
                });
            }
            names.push(persona.name.clone());
        }
        Ok(Groups {
            names,
            bits: personas.iter().map(|p| p.bit).collect(),
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn name(&self, group: usize) -> &str {
        &self.names[group]
    }

    /// The groups a customer with persona bits `personas` belongs to.
    pub(crate) fn of(&self, personas: u64) -> impl Iterator<Item = usize> + '_ {
        let members = (self.bits.iter().enumerate())
            .filter(move |(_, bit)| personas & (1 << **bit) != 0)
            .map(|(i, _)| i + 1);
        std::iter::once(0).chain(members)
    }
}

/// `numerator / denominator`, or `None` when the denominator is zero.
pub(crate) fn share(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Why a return-journey spec or input was rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum RetentionError {
    UnknownTouchpoint {
        name: String,
    },
    /// A touchpoint list that must not be empty is.
    NoTouchpoints {
        what: &'static str,
    },
    PeriodCount {
        n_periods: usize,
    },
    StartOutOfRange {
        from_us: i64,
    },
    PersonaBit {
        name: String,
        bit: u32,
    },
    /// Two groups of one breakdown share a name (or a persona is named
    /// [`ALL_CUSTOMERS`]).
    DuplicateGroup {
        name: String,
    },
    /// The stage lookup does not have one entry per touchpoint.
    StageTable {
        n_touchpoints: usize,
        n_entries: usize,
    },
    InvalidOption {
        name: &'static str,
        reason: &'static str,
    },
}

impl fmt::Display for RetentionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RetentionError::*;
        match self {
            UnknownTouchpoint { name } => write!(f, "unknown touchpoint {name:?}"),
            NoTouchpoints { what } => write!(f, "{what} names no touchpoint"),
            PeriodCount { n_periods } => write!(
                f,
                "{n_periods} periods; a report has 1 to {MAX_PERIODS} periods"
            ),
            StartOutOfRange { from_us } => {
                write!(f, "start {from_us} µs lies outside the years 0001 to 9999")
            }
            PersonaBit { name, bit } => {
                write!(f, "persona {name:?} has bit {bit}; bits are 0 to 63")
            }
            DuplicateGroup { name } => write!(f, "two breakdown groups are named {name:?}"),
            StageTable {
                n_touchpoints,
                n_entries,
            } => write!(
                f,
                "the stage lookup has {n_entries} entries for {n_touchpoints} touchpoints"
            ),
            InvalidOption { name, reason } => write!(f, "invalid {name}: {reason}"),
        }
    }
}

impl std::error::Error for RetentionError {}

#[cfg(test)]
pub(crate) mod test_journeys {
    //! Journeys for the unit tests written as one line each, with times in
    //! days from Monday 2024-01-01.

    use super::calendar::{DAY_US, days_from_civil};
    use crate::owned::OwnedJourney;
    use crate::test_support::test_catalog;

    /// 2024-01-01T00:00:00Z, a Monday.
    pub const DAY0_US: i64 = 19_723 * DAY_US;

    /// The test catalog's touchpoint names: `a`, `b`, `c`, `d`, `x`.
    pub fn names() -> Vec<String> {
        crate::funnel::catalog_names(&test_catalog())
    }

    /// Parses lines like `"p=2 a@0 b@1.5$20 d@3:-0.5"`: an optional persona
    /// mask, then events `touchpoint@days[$value][:emotion]` in order.
    /// Customer `i + 1` for line `i`; every journey carries values (NaN
    /// where none is given).
    pub fn parse(lines: &[&str]) -> Vec<OwnedJourney> {
        assert_eq!(days_from_civil(2024, 1, 1) * DAY_US, DAY0_US);
        let catalog = test_catalog();
        (lines.iter().enumerate())
            .map(|(i, line)| {
                let mut journey = OwnedJourney::new(i as u64 + 1, 0);
                for token in line.split_whitespace() {
                    if let Some(mask) = token.strip_prefix("p=") {
                        journey.personas = mask.parse().expect("persona mask is a number");
                        continue;
                    }
                    let (name, rest) = token.split_once('@').expect("event is touchpoint@days");
                    let (time_value, emotion) = rest.split_once(':').unwrap_or((rest, "NaN"));
                    let (days, value) = time_value.split_once('$').unwrap_or((time_value, "NaN"));
                    let days: f64 = days.parse().expect("days are a number");
                    let id = catalog
                        .lookup(name)
                        .expect("touchpoint is in the test catalog");
                    let ts_us = DAY0_US + (days * DAY_US as f64).round() as i64;
                    journey.push(ts_us, id, emotion.parse().expect("emotion is a number"));
                    journey
                        .facts
                        .value
                        .push(value.parse().expect("value is a number"));
                }
                journey
            })
            .collect()
    }
}
