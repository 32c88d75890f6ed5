//! Conversion funnels with PostHog and ClickHouse `windowFunnel` semantics:
//! a spec is validated once into a [`Funnel`], whose [`FunnelAccumulator`]
//! finds each customer's counted chain in one linear pass and tallies it.
//!
//! # Semantics
//!
//! A *chain* is a sequence of distinct events of one journey, in journey
//! order, that serve funnel steps in increasing step order. Positions, not
//! timestamps, decide order, so an event with the same timestamp as the
//! previous step may serve the next step (ClickHouse without
//! `strict_increase`), while one event serves at most one step of a chain.
//!
//! - The chain starts with a step-1 event. Every later event must satisfy
//!   `ts − ts(step 1) ≤ window_us`, inclusive like ClickHouse's
//!   `timestamp <= first_timestamp + window`.
//! - A step with its own `window_us` additionally needs
//!   `ts − ts(previous event of the chain) ≤ window_us`.
//! - Only optional steps may be skipped (PostHog optional steps). A chain
//!   that skips an optional step links the next step to the last step it
//!   did reach.
//! - [`FunnelOrder::Strict`]: between two consecutive events of a chain,
//!   every journey event must match the step just reached (a repeat of that
//!   step); any other event breaks the chain. A later step-1 event starts a
//!   new chain, as in PostHog's strict funnels (ClickHouse's `strict_order`
//!   instead stops the whole search at the first interruption).
//! - [`FunnelOrder::Unordered`]: the chain is a set of events of distinct
//!   steps within `window_us` of its first event, in any order; "step k"
//!   then means "k of the steps done" (PostHog unordered funnels).
//!
//! Each customer counts once, at the furthest step of the best chain, as
//! `windowFunnel` returns the maximum level over all chains. The *counted
//! chain*, whose times and breakdown values are reported, is the first chain
//! to reach that step (earliest completing event, as PostHog keeps the first
//! chain reaching its maximum step); among those, the one with the latest
//! step-1 event; then, going backwards from the completing event, the
//! predecessor of the highest step (PostHog tries the directly previous step
//! before skipping optional ones) and, for that step, the earliest event
//! (PostHog keeps the first event that reached a step from a given start).
//! Unordered funnels count the latest event of each step before the
//! completing event.
//!
//! Exclusion steps (PostHog: "exclude persons who completed a specific event
//! between two specific steps ... removed from the funnel altogether") are
//! checked on the counted chain: when it reached step `to_step`, an
//! excluded event strictly between its `from_step` and `to_step` events
//! removes the customer; when it stopped between the two, an excluded event
//! after its `from_step` event and within `window_us` of step 1 does.

mod chain;
mod durations;
mod report;
#[cfg(test)]
mod tests;

pub use durations::{DurationStats, HistogramBin};
pub use report::{BreakdownFunnel, FunnelAccumulator, FunnelResult, FunnelStepResult};

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// At most 32 steps (ClickHouse `windowFunnel` allows 32 conditions), so
/// that a touchpoint's steps fit one `u32` mask.
pub const MAX_STEPS: usize = 32;
/// At most 32 exclusion steps, for the same reason.
pub const MAX_EXCLUSIONS: usize = 32;
/// The name of the breakdown bucket of events without a breakdown value.
pub const NO_BREAKDOWN_VALUE: &str = "(none)";
/// The name of the bucket that gathers breakdown values beyond the top K.
pub const OTHER_BREAKDOWN_VALUE: &str = "(other)";

const DAY_US: i64 = 24 * 3600 * 1_000_000;

/// How steps must follow each other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelOrder {
    /// Steps in order; other events in between are allowed.
    #[default]
    Ordered,
    /// Steps in order with nothing but repeats of the reached step between.
    Strict,
    /// Steps in any order within the window.
    Unordered,
}

/// One funnel step: any of its touchpoints serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepSpec {
    pub touchpoints: Vec<String>,
    /// An optional step may be skipped. It counts the customers whose counted
    /// chain took it; later steps count everyone who got there either way.
    #[serde(default)]
    pub optional: bool,
    /// Maximum time since the chain's previous event, on top of the overall
    /// window.
    #[serde(default)]
    pub window_us: Option<i64>,
}

impl StepSpec {
    pub fn new(touchpoints: &[&str]) -> StepSpec {
        StepSpec {
            touchpoints: touchpoints.iter().map(|name| name.to_string()).collect(),
            optional: false,
            window_us: None,
        }
    }
}

/// Customers with one of `touchpoints` between steps `from_step` and
/// `to_step` (1-based) of their counted chain leave the funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExclusionSpec {
    pub touchpoints: Vec<String>,
    pub from_step: usize,
    pub to_step: usize,
}

/// Which event of the counted chain gives the customer's breakdown value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// The step-1 event.
    FirstTouch,
    /// The event of the furthest step reached.
    LastTouch,
    /// The event of this step (1-based); customers whose chain did not take
    /// it have no value.
    Step(usize),
}

/// Split the funnel by a per-event value (`Journey::breakdown`): ids index
/// `names`; ids beyond it mean "no value".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakdownSpec {
    pub names: Vec<String>,
    pub attribution: Attribution,
    /// Values kept by step-1 customers; the rest are reported as "(other)".
    #[serde(default = "default_breakdown_limit")]
    pub limit: usize,
}

/// A funnel query as a user states it; [`FunnelSpec::validate`] turns it
/// into a [`Funnel`] or explains what is wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelSpec {
    pub steps: Vec<StepSpec>,
    #[serde(default)]
    pub order: FunnelOrder,
    /// Conversion window measured from the step-1 event (default 14 days,
    /// PostHog's default).
    #[serde(default = "default_window_us")]
    pub window_us: i64,
    #[serde(default)]
    pub exclusions: Vec<ExclusionSpec>,
    #[serde(default)]
    pub breakdown: Option<BreakdownSpec>,
    /// Bins of every time-to-convert histogram.
    #[serde(default = "default_histogram_bins")]
    pub histogram_bins: usize,
    /// Customer keys listed per step and per drop-off (the smallest keys).
    #[serde(default = "default_customer_limit")]
    pub customer_limit: usize,
}

fn default_window_us() -> i64 {
    14 * DAY_US
}

fn default_histogram_bins() -> usize {
    10
}

fn default_customer_limit() -> usize {
    100
}

fn default_breakdown_limit() -> usize {
    25
}

impl FunnelSpec {
    /// An ordered funnel over `steps` with the defaults.
    pub fn new(steps: Vec<StepSpec>) -> FunnelSpec {
        FunnelSpec {
            steps,
            order: FunnelOrder::Ordered,
            window_us: default_window_us(),
            exclusions: Vec::new(),
            breakdown: None,
            histogram_bins: default_histogram_bins(),
            customer_limit: default_customer_limit(),
        }
    }

    /// [`FunnelSpec::validate`] against the catalog's touchpoint names.
    pub fn validate_in(&self, catalog: &model::Catalog) -> Result<Funnel, FunnelError> {
        self.validate(&catalog_names(catalog))
    }

    /// Checks the spec against the touchpoint names (indexed by
    /// `TouchpointId`) and precomputes the per-touchpoint lookup tables.
    pub fn validate(&self, touchpoint_names: &[String]) -> Result<Funnel, FunnelError> {
        let by_name: HashMap<&str, usize> = touchpoint_names
            .iter()
            .enumerate()
            .map(|(id, name)| (name.as_str(), id))
            .collect();
        self.check_shape()?;
        let step_masks = self.step_masks(&by_name, touchpoint_names.len())?;
        let exclusion_masks =
            self.exclusion_masks(&by_name, touchpoint_names.len(), &step_masks)?;
        self.check_breakdown()?;
        let steps = self.valid_steps();
        let links = Links::new(&steps);
        let masks = step_masks
            .iter()
            .zip(&exclusion_masks)
            .map(|(&steps, &exclusions)| TouchpointMasks { steps, exclusions })
            .collect();
        Ok(Funnel {
            order: self.order,
            window_us: self.window_us,
            has_step_windows: steps.iter().any(|step| step.window_us != i64::MAX),
            mandatory_mask: steps
                .iter()
                .enumerate()
                .filter(|(_, step)| !step.optional)
                .fold(0, |mask, (idx, _)| mask | 1 << idx),
            steps,
            masks,
            exclusions: self
                .exclusions
                .iter()
                .map(|e| (e.from_step - 1, e.to_step - 1))
                .collect(),
            links,
            breakdown: self.breakdown.clone(),
            histogram_bins: self.histogram_bins,
            customer_limit: self.customer_limit,
        })
    }

    fn check_shape(&self) -> Result<(), FunnelError> {
        if self.steps.is_empty() {
            return Err(FunnelError::NoSteps);
        }
        if self.steps.len() > MAX_STEPS {
            return Err(FunnelError::TooManySteps {
                n_steps: self.steps.len(),
            });
        }
        if self.exclusions.len() > MAX_EXCLUSIONS {
            return Err(FunnelError::TooManyExclusions {
                n_exclusions: self.exclusions.len(),
            });
        }
        if self.window_us < 0 {
            return Err(FunnelError::NegativeWindow {
                step: None,
                window_us: self.window_us,
            });
        }
        if self.histogram_bins == 0 {
            return Err(FunnelError::ZeroHistogramBins);
        }
        if self.steps[0].optional {
            return Err(FunnelError::FirstStepOptional);
        }
        if self.steps[0].window_us.is_some() {
            return Err(FunnelError::FirstStepWindow);
        }
        for (idx, step) in self.steps.iter().enumerate() {
            self.check_step(idx + 1, step)?;
        }
        for (idx, exclusion) in self.exclusions.iter().enumerate() {
            self.check_exclusion_range(idx + 1, exclusion)?;
        }
        Ok(())
    }

    fn check_step(&self, step_no: usize, step: &StepSpec) -> Result<(), FunnelError> {
        if step.touchpoints.is_empty() {
            return Err(FunnelError::EmptyStep { step: step_no });
        }
        if let Some(window_us) = step.window_us.filter(|w| *w < 0) {
            return Err(FunnelError::NegativeWindow {
                step: Some(step_no),
                window_us,
            });
        }
        if self.order == FunnelOrder::Unordered && step.optional {
            return Err(FunnelError::UnorderedOptionalStep { step: step_no });
        }
        if self.order == FunnelOrder::Unordered && step.window_us.is_some() {
            return Err(FunnelError::UnorderedStepWindow { step: step_no });
        }
        Ok(())
    }

    fn check_exclusion_range(
        &self,
        exclusion_no: usize,
        exclusion: &ExclusionSpec,
    ) -> Result<(), FunnelError> {
        let (from, to) = (exclusion.from_step, exclusion.to_step);
        if exclusion.touchpoints.is_empty() {
            return Err(FunnelError::EmptyExclusion {
                exclusion: exclusion_no,
            });
        }
        if from == 0 || from >= to || to > self.steps.len() {
            return Err(FunnelError::ExclusionRange {
                exclusion: exclusion_no,
                from_step: from,
                to_step: to,
            });
        }
        for step in [from, to] {
            if self.steps[step - 1].optional {
                return Err(FunnelError::ExclusionOnOptionalStep {
                    exclusion: exclusion_no,
                    step,
                });
            }
        }
        Ok(())
    }

    fn step_masks(
        &self,
        by_name: &HashMap<&str, usize>,
        n_touchpoints: usize,
    ) -> Result<Vec<u32>, FunnelError> {
        let mut masks = vec![0_u32; n_touchpoints];
        for (step_idx, step) in self.steps.iter().enumerate() {
            for name in &step.touchpoints {
                let id = lookup(by_name, name)?;
                let overlap = masks[id] & !(1 << step_idx);
                if self.order == FunnelOrder::Unordered && overlap != 0 {
                    return Err(FunnelError::UnorderedStepsOverlap {
                        first: overlap.trailing_zeros() as usize + 1,
                        second: step_idx + 1,
                        touchpoint: name.clone(),
                    });
                }
                masks[id] |= 1 << step_idx;
            }
        }
        Ok(masks)
    }

    fn exclusion_masks(
        &self,
        by_name: &HashMap<&str, usize>,
        n_touchpoints: usize,
        step_masks: &[u32],
    ) -> Result<Vec<u32>, FunnelError> {
        let mut masks = vec![0_u32; n_touchpoints];
        for (idx, exclusion) in self.exclusions.iter().enumerate() {
            for name in &exclusion.touchpoints {
                let id = lookup(by_name, name)?;
                // PostHog rejects exclusions that are also funnel steps: the
                // same event cannot be both progress and a reason to leave.
                if step_masks[id] != 0 {
                    return Err(FunnelError::ExclusionIsStep {
                        exclusion: idx + 1,
                        touchpoint: name.clone(),
                    });
                }
                masks[id] |= 1 << idx;
            }
        }
        Ok(masks)
    }

    fn check_breakdown(&self) -> Result<(), FunnelError> {
        let Some(breakdown) = &self.breakdown else {
            return Ok(());
        };
        if breakdown.limit == 0 {
            return Err(FunnelError::ZeroBreakdownLimit);
        }
        if let Attribution::Step(step) = breakdown.attribution
            && (step == 0 || step > self.steps.len())
        {
            return Err(FunnelError::AttributionStep {
                step,
                n_steps: self.steps.len(),
            });
        }
        Ok(())
    }

    fn valid_steps(&self) -> Vec<ValidStep> {
        let mut previous_mandatory = 0;
        let mut steps = Vec::with_capacity(self.steps.len());
        for (idx, step) in self.steps.iter().enumerate() {
            let mut names: Vec<&str> = Vec::new();
            for name in &step.touchpoints {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
            steps.push(ValidStep {
                display_name: names.join("|"),
                optional: step.optional,
                window_us: step.window_us.unwrap_or(i64::MAX),
                previous_mandatory,
            });
            if !step.optional {
                previous_mandatory = idx;
            }
        }
        steps
    }
}

/// The catalog's touchpoint names, indexed by `TouchpointId`.
pub fn catalog_names(catalog: &model::Catalog) -> Vec<String> {
    catalog
        .touchpoints()
        .map(|(_, info)| info.name.clone())
        .collect()
}

fn lookup(by_name: &HashMap<&str, usize>, name: &str) -> Result<usize, FunnelError> {
    by_name
        .get(name)
        .copied()
        .ok_or_else(|| FunnelError::UnknownTouchpoint {
            name: name.to_string(),
        })
}

/// Why a [`FunnelSpec`] was rejected. Steps and exclusions are numbered
/// from 1, as the user wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunnelError {
    NoSteps,
    TooManySteps {
        n_steps: usize,
    },
    TooManyExclusions {
        n_exclusions: usize,
    },
    EmptyStep {
        step: usize,
    },
    UnknownTouchpoint {
        name: String,
    },
    FirstStepOptional,
    FirstStepWindow,
    NegativeWindow {
        step: Option<usize>,
        window_us: i64,
    },
    UnorderedOptionalStep {
        step: usize,
    },
    UnorderedStepWindow {
        step: usize,
    },
    UnorderedStepsOverlap {
        first: usize,
        second: usize,
        touchpoint: String,
    },
    EmptyExclusion {
        exclusion: usize,
    },
    ExclusionRange {
        exclusion: usize,
        from_step: usize,
        to_step: usize,
    },
    ExclusionOnOptionalStep {
        exclusion: usize,
        step: usize,
    },
    ExclusionIsStep {
        exclusion: usize,
        touchpoint: String,
    },
    ZeroBreakdownLimit,
    AttributionStep {
        step: usize,
        n_steps: usize,
    },
    ZeroHistogramBins,
}

impl fmt::Display for FunnelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use FunnelError::*;
        match self {
            NoSteps => write!(f, "a funnel needs at least one step"),
            TooManySteps { n_steps } => {
                write!(f, "{n_steps} steps; a funnel has at most {MAX_STEPS}")
            }
            TooManyExclusions { n_exclusions } => {
                write!(
                    f,
                    "{n_exclusions} exclusions; a funnel has at most {MAX_EXCLUSIONS}"
                )
            }
            EmptyStep { step } => write!(f, "step {step} names no touchpoint"),
            UnknownTouchpoint { name } => write!(f, "unknown touchpoint {name:?}"),
            FirstStepOptional => write!(f, "step 1 cannot be optional"),
            FirstStepWindow => write!(f, "step 1 has no previous step to set a window from"),
            NegativeWindow {
                step: None,
                window_us,
            } => write!(f, "negative window {window_us} µs"),
            NegativeWindow {
                step: Some(step),
                window_us,
            } => {
                write!(f, "step {step} has a negative window of {window_us} µs")
            }
            UnorderedOptionalStep { step } => {
                write!(f, "step {step}: unordered funnels have no optional steps")
            }
            UnorderedStepWindow { step } => {
                write!(f, "step {step}: unordered funnels have no per-step windows")
            }
            UnorderedStepsOverlap {
                first,
                second,
                touchpoint,
            } => write!(
                f,
                "steps {first} and {second} both match {touchpoint:?}; unordered funnel steps must be disjoint"
            ),
            EmptyExclusion { exclusion } => write!(f, "exclusion {exclusion} names no touchpoint"),
            ExclusionRange {
                exclusion,
                from_step,
                to_step,
            } => write!(
                f,
                "exclusion {exclusion}: steps {from_step}..{to_step} are not two steps of the funnel in order"
            ),
            ExclusionOnOptionalStep { exclusion, step } => {
                write!(
                    f,
                    "exclusion {exclusion} is bounded by optional step {step}"
                )
            }
            ExclusionIsStep {
                exclusion,
                touchpoint,
            } => {
                write!(
                    f,
                    "exclusion {exclusion}: {touchpoint:?} is also a funnel step"
                )
            }
            ZeroBreakdownLimit => write!(f, "a breakdown must keep at least one value"),
            AttributionStep { step, n_steps } => {
                write!(
                    f,
                    "attribution step {step} is not one of the {n_steps} steps"
                )
            }
            ZeroHistogramBins => write!(f, "histograms need at least one bin"),
        }
    }
}

impl std::error::Error for FunnelError {}

/// A validated funnel: lookup tables by touchpoint id and the step links the
/// chain search walks. Nothing in it can fail any more.
#[derive(Debug, Clone)]
pub struct Funnel {
    order: FunnelOrder,
    window_us: i64,
    /// Whether some step has its own window; without, the chain search
    /// needs only one candidate per step.
    has_step_windows: bool,
    /// Bit `s` set when step `s` is mandatory.
    mandatory_mask: u32,
    steps: Vec<ValidStep>,
    /// By touchpoint id, so that one load per event answers both questions.
    masks: Vec<TouchpointMasks>,
    /// (from, to) steps of each exclusion, 0-based.
    exclusions: Vec<(usize, usize)>,
    links: Links,
    breakdown: Option<BreakdownSpec>,
    histogram_bins: usize,
    customer_limit: usize,
}

#[derive(Debug, Clone)]
struct ValidStep {
    display_name: String,
    optional: bool,
    /// `i64::MAX` when the step has no window of its own.
    window_us: i64,
    /// The nearest mandatory step before this one (0 for step 0): the step
    /// conversion and drop-off are measured from.
    previous_mandatory: usize,
}

impl Funnel {
    pub fn n_steps(&self) -> usize {
        self.steps.len()
    }

    pub fn order(&self) -> FunnelOrder {
        self.order
    }

    /// The steps and exclusions a touchpoint serves; touchpoints unknown
    /// at validation serve none.
    fn masks(&self, touchpoint: model::TouchpointId) -> TouchpointMasks {
        self.masks
            .get(touchpoint.index())
            .copied()
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct TouchpointMasks {
    /// Bit `s` set when the touchpoint serves step `s` (0-based).
    steps: u32,
    /// Bit `e` set when the touchpoint is excluded by exclusion `e`.
    exclusions: u32,
}

/// Which earlier steps a step's chains may continue from: step `k` extends
/// chains that reached any step from its previous mandatory step up to
/// `k − 1` (the steps in between are optional and may be skipped). Each
/// (source, consumer) pair is a *link* with its own candidate queue.
#[derive(Debug, Clone)]
struct Links {
    /// Source step of each link.
    source: Vec<usize>,
    /// Consumer step of each link.
    consumer: Vec<usize>,
    /// Links into step `k`: `into_start[k]..into_start[k + 1]`.
    into_start: Vec<usize>,
    /// Links leaving step `s`.
    from: Vec<Vec<usize>>,
}

impl Links {
    fn new(steps: &[ValidStep]) -> Links {
        let mut links = Links {
            source: Vec::new(),
            consumer: Vec::new(),
            into_start: vec![0, 0],
            from: vec![Vec::new(); steps.len()],
        };
        for (consumer, step) in steps.iter().enumerate().skip(1) {
            for source in step.previous_mandatory..consumer {
                links.from[source].push(links.source.len());
                links.source.push(source);
                links.consumer.push(consumer);
            }
            links.into_start.push(links.source.len());
        }
        links
    }

    fn feeding(&self, consumer: usize) -> std::ops::Range<usize> {
        self.into_start[consumer]..self.into_start[consumer + 1]
    }

    fn len(&self) -> usize {
        self.source.len()
    }
}
