//! Outcome analytics, part A of the insight kernels: what counts as an
//! outcome for one journey, which touchpoints decide it (moments of truth,
//! driver importance), which touchpoints earn conversions (Markov removal
//! effect beside first, last and linear touch), where personas differ from
//! everyone else, and whether journeys follow the designed journey.
//!
//! Every analysis is an [`Accumulator`](crate::Accumulator) built from a
//! spec that its `new` validates once; observing and merging cannot fail
//! afterwards, and finishing is pure arithmetic on merged counts and sums.
//! Results name touchpoints by [`TouchpointId`] and personas by their bit
//! index; the caller resolves names. Each result converts into the common
//! [`Finding`] shape (kind, touchpoint, persona, effect with interval,
//! support, evidence) with its `findings` method.
//!
//! Example customers are always the smallest keys (or the most extreme
//! scores, ties by key) among those that qualify, so they too do not depend
//! on how journeys were split among partial accumulators.

mod attribution;
mod conformance;
mod drivers;
mod experience;
mod linalg;
mod moments;
mod personas;
mod rule;
pub mod special;

pub use attribution::{
    Attribution, AttributionAccumulator, AttributionSpec, TouchpointAttribution,
};
pub use conformance::{
    Conformance, ConformanceAccumulator, ConformanceSpec, ConformanceStep, Deviation,
    DeviationKind, PersonaConformance,
};
pub use drivers::{
    Driver, DriverAccumulator, DriverImportance, DriverSpec, MAX_DRIVERS, shapley_r_squared,
};
pub use experience::ExperienceSource;
pub use linalg::solve_linear_system;
pub use moments::{
    Arm, MomentOfTruth, MomentsAccumulator, MomentsOfTruth, MomentsSpec, odds_ratio,
};
pub use personas::{
    MeanTest, PersonaDifference, PersonaDifferenceAccumulator, PersonaDifferenceKind,
    PersonaDifferenceSpec, PersonaDifferences, ProportionTest, benjamini_hochberg, cohens_h,
    two_proportion_test, welch_test,
};
pub use rule::{
    OutcomeName, OutcomeOfJourney, OutcomeRateAccumulator, OutcomeRateSpec, OutcomeRates,
    OutcomeRule, PersonaRate,
};

use model::TouchpointId;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// How many example customers a finding carries.
pub const EXAMPLE_CUSTOMERS: usize = 5;

/// The 97.5 % quantile of the standard normal distribution.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// Microseconds in one day, for the day-based windows of the definition.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Why an outcome analysis spec was rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum OutcomesError {
    /// A touchpoint name that the catalog does not know.
    UnknownTouchpoint { name: String },
    /// The definition names no touchpoint for an outcome that needs one.
    NoTouchpoints { outcome: &'static str },
    /// A numeric option outside its valid range.
    InvalidOption {
        name: &'static str,
        reason: &'static str,
    },
    /// A touchpoint that appears in two designed steps.
    TouchpointInTwoSteps { touchpoint: TouchpointId },
    /// More personas than the 64 bits of a persona mask.
    TooManyPersonas { n_personas: usize },
}

impl fmt::Display for OutcomesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutcomesError::UnknownTouchpoint { name } => write!(f, "unknown touchpoint {name:?}"),
            OutcomesError::NoTouchpoints { outcome } => {
                write!(f, "the {outcome} outcome names no touchpoint")
            }
            OutcomesError::InvalidOption { name, reason } => write!(f, "{name}: {reason}"),
            OutcomesError::TouchpointInTwoSteps { touchpoint } => write!(
                f,
                "touchpoint #{} appears in two designed steps",
                touchpoint.0
            ),
            OutcomesError::TooManyPersonas { n_personas } => {
                write!(f, "{n_personas} personas; at most 64 are supported")
            }
        }
    }
}

impl std::error::Error for OutcomesError {}

/// What a [`Finding`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    MomentOfTruth,
    Driver,
    RemovalEffect,
    PersonaDropOff,
    PersonaEmotion,
    SkippedStep,
    UnexpectedLoop,
    SlowStep,
}

/// The measure an [`Effect`] is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectMeasure {
    /// Odds of the outcome after a bad experience ÷ after a good one.
    OddsRatio,
    /// Correlation of the experience score with the outcome; the Shapley
    /// share of R² goes into the evidence.
    Correlation,
    /// 1 − P(conversion without the touchpoint) ÷ P(conversion).
    RemovalEffect,
    /// Persona proportion − everyone else's proportion.
    DifferenceInProportions,
    /// Persona mean − everyone else's mean.
    DifferenceInMeans,
    /// A share of customers (conformance deviations).
    Share,
}

/// An effect size with its 95 % interval; the interval equals the value
/// where none can be estimated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Effect {
    pub measure: EffectMeasure,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// The numbers behind a finding and some customers it concerns.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Evidence {
    pub numbers: BTreeMap<&'static str, f64>,
    pub customers: Vec<u64>,
}

/// One finding in the shape that every outcome analysis shares, for the
/// insight ranking and the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    #[serde(serialize_with = "serialize_optional_touchpoint")]
    pub touchpoint: Option<TouchpointId>,
    /// The persona's bit index, for findings about one persona.
    pub persona: Option<u32>,
    pub effect: Effect,
    /// Customers the finding rests on.
    pub support: u64,
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg adjusted p-value, where several tests were run.
    pub q_value: Option<f64>,
    /// The ranking key of the analysis that produced it (documented there).
    pub impact: f64,
    pub evidence: Evidence,
}

/// A proportion with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    pub count: u64,
    pub total: u64,
    /// count ÷ total; NaN (JSON null) when total is 0.
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Proportion {
    /// `count` of `total` with the Wilson score interval at 95 %.
    pub fn wilson(count: u64, total: u64) -> Proportion {
        assert!(count <= total, "{count} of {total}");
        if total == 0 {
            return Proportion {
                count,
                total,
                value: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let n = total as f64;
        let p = count as f64 / n;
        let z2 = Z_975 * Z_975;
        let denominator = 1.0 + z2 / n;
        let center = (p + z2 / (2.0 * n)) / denominator;
        let half_width = Z_975 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        Proportion {
            count,
            total,
            value: p,
            low: (center - half_width).max(0.0),
            high: (center + half_width).min(1.0),
        }
    }
}

/// The `EXAMPLE_CUSTOMERS` smallest keys offered, without repeats. Keys are
/// customers or (score, customer) pairs; the set is the same whatever the
/// order of offers and merges.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Examples<K> {
    smallest: Vec<K>,
}

impl<K> Default for Examples<K> {
    fn default() -> Self {
        Examples {
            smallest: Vec::new(),
        }
    }
}

impl<K: Ord + Copy> Examples<K> {
    pub(crate) fn offer(&mut self, key: K) {
        if let Err(position) = self.smallest.binary_search(&key)
            && position < EXAMPLE_CUSTOMERS
        {
            self.smallest.insert(position, key);
            self.smallest.truncate(EXAMPLE_CUSTOMERS);
        }
    }

    pub(crate) fn merge(&mut self, other: &Examples<K>) {
        for &key in &other.smallest {
            self.offer(key);
        }
    }

    pub(crate) fn keys(&self) -> &[K] {
        &self.smallest
    }
}

impl Examples<u64> {
    pub(crate) fn customers(&self) -> Vec<u64> {
        self.smallest.clone()
    }
}

/// A score ordered by `total_cmp`, so that (score, customer) pairs can be
/// example keys.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OrderedScore(pub f64);

impl Eq for OrderedScore {}

impl PartialOrd for OrderedScore {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedScore {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

pub(crate) fn serialize_touchpoint<S: Serializer>(
    touchpoint: &TouchpointId,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_u32(touchpoint.0)
}

pub(crate) fn serialize_optional_touchpoint<S: Serializer>(
    touchpoint: &Option<TouchpointId>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match touchpoint {
        Some(touchpoint) => serializer.serialize_some(&touchpoint.0),
        None => serializer.serialize_none(),
    }
}

/// Checks a persona count against the 64 bits of a persona mask.
pub(crate) fn validate_n_personas(n_personas: usize) -> Result<(), OutcomesError> {
    if n_personas > 64 {
        return Err(OutcomesError::TooManyPersonas { n_personas });
    }
    Ok(())
}
