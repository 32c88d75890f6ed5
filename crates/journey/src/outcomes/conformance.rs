//! Conformance to the designed ("to-be") journey: each journey replayed
//! against the designed steps, with skipped steps, unexpected loops and
//! steps slower than their target.
//!
//! Semantics:
//! - Only events at a designed step's touchpoints take part; other events
//!   are neither conforming nor deviating. A journey with no such event is
//!   `not_replayed`. A step may list several touchpoints (any of them is the
//!   step), and a touchpoint belongs to one step at most.
//! - The replay keeps the current step. An event at the current step is a
//!   repeat and allowed. An event at a later step moves forward: every
//!   required (non-optional) step in between is SKIPPED; on the first
//!   designed event, every required step before it is skipped. An event at
//!   an earlier step is an UNEXPECTED LOOP at that step, except when
//!   `cycle` is set and the step lies at or before the first required step:
//!   that is the cycle back to the start, and the replay begins a new pass
//!   from there (checked for skips as a first event is).
//! - A forward move to step s with `max_s` is SLOW when more than `max_s`
//!   seconds passed since the arrival at the current step (the first event
//!   of its current visit) and no required step was skipped in between.
//! - A journey that stops before the last step is incomplete, not
//!   deviating: `completed_customers` counts journeys that reached the last
//!   step. A journey conforms when it has no deviation.
//! - Deviations are reported per (kind, step) with the customers affected
//!   (once each), the occurrences, their share of replayed customers with a
//!   Wilson interval, and for slow steps the mean duration. They rank by
//!   customers descending, then step and kind.

use super::{
    Effect, EffectMeasure, Evidence, Examples, Finding, FindingKind, OutcomesError, Proportion,
    serialize_touchpoint, validate_n_personas,
};
use crate::{Accumulator, Journey};
use model::{Catalog, DesignedStep, TouchpointId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One designed step.
#[derive(Debug, Clone, PartialEq)]
pub struct ConformanceStep {
    /// Touchpoints that are this step; not empty.
    pub touchpoints: Vec<TouchpointId>,
    /// The longest the step should take after the previous one, seconds.
    pub max_s: Option<f64>,
    pub optional: bool,
}

/// The designed journey to replay against.
#[derive(Debug, Clone)]
pub struct ConformanceSpec {
    pub steps: Vec<ConformanceStep>,
    /// Whether returning to the start begins a new pass (the journey is a
    /// cycle) rather than a loop.
    pub cycle: bool,
    /// Persona bits to report; at most 64.
    pub n_personas: usize,
}

impl ConformanceSpec {
    /// The spec of a definition's designed journey, names resolved with
    /// `catalog`; `cycle` and the personas come from the definition too.
    pub fn from_definition(catalog: &Catalog) -> Result<ConformanceSpec, OutcomesError> {
        let definition = catalog.definition();
        let steps = (definition.designed.iter())
            .map(|step: &DesignedStep| {
                let touchpoint = catalog.lookup(&step.touchpoint).ok_or_else(|| {
                    OutcomesError::UnknownTouchpoint {
                        name: step.touchpoint.clone(),
                    }
                })?;
                Ok(ConformanceStep {
                    touchpoints: vec![touchpoint],
                    max_s: step.max_s,
                    optional: step.optional,
                })
            })
            .collect::<Result<Vec<_>, OutcomesError>>()?;
        Ok(ConformanceSpec {
            steps,
            cycle: definition.cycle,
            n_personas: definition.personas.len(),
        })
    }

    fn validate(&self) -> Result<(), OutcomesError> {
        validate_n_personas(self.n_personas)?;
        if self.steps.is_empty() {
            return Err(OutcomesError::InvalidOption {
                name: "steps",
                reason: "the designed journey has no steps",
            });
        }
        let mut seen = BTreeSet::new();
        for step in &self.steps {
            if step.touchpoints.is_empty() {
                return Err(OutcomesError::InvalidOption {
                    name: "steps",
                    reason: "a designed step names no touchpoint",
                });
            }
            if step
                .max_s
                .is_some_and(|max_s| !(max_s.is_finite() && max_s >= 0.0))
            {
                return Err(OutcomesError::InvalidOption {
                    name: "max_s",
                    reason: "must be finite and not negative",
                });
            }
            for &touchpoint in &step.touchpoints {
                if !seen.insert(touchpoint) {
                    return Err(OutcomesError::TouchpointInTwoSteps { touchpoint });
                }
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviationKind {
    SkippedStep,
    UnexpectedLoop,
    SlowStep,
}

/// The finished analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conformance {
    pub replayed_customers: u64,
    pub not_replayed_customers: u64,
    pub completed_customers: u64,
    /// Conforming customers of the replayed ones.
    pub conforming: Proportion,
    pub personas: Vec<PersonaConformance>,
    pub deviations: Vec<Deviation>,
    /// Smallest keys of non-conforming customers.
    pub example_nonconforming_customers: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaConformance {
    pub persona: u32,
    pub conforming: Proportion,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deviation {
    pub kind: DeviationKind,
    pub step_idx: usize,
    /// The step's first touchpoint.
    #[serde(serialize_with = "serialize_touchpoint")]
    pub touchpoint: TouchpointId,
    /// Customers with the deviation, of the replayed customers.
    pub customers: Proportion,
    pub occurrences: u64,
    /// The step's target (slow steps).
    pub target_s: Option<f64>,
    /// Mean duration of the slow occurrences, seconds.
    pub mean_duration_s: Option<f64>,
    pub example_customers: Vec<u64>,
}

#[derive(Debug, Clone, Default)]
struct DeviationCounts {
    customers: u64,
    occurrences: u64,
    duration_sum_us: i128,
    examples: Examples<u64>,
}

/// Builds [`Conformance`].
#[derive(Debug)]
pub struct ConformanceAccumulator {
    spec: ConformanceSpec,
    step_of: BTreeMap<TouchpointId, usize>,
    first_required: usize,
    replayed: u64,
    not_replayed: u64,
    completed: u64,
    conforming: u64,
    persona_replayed: Vec<u64>,
    persona_conforming: Vec<u64>,
    deviations: BTreeMap<(DeviationKind, usize), DeviationCounts>,
    nonconforming_examples: Examples<u64>,
    /// This journey's deviations: (kind, step, duration of a slow step).
    found: Vec<(DeviationKind, usize, i64)>,
}

impl ConformanceAccumulator {
    pub fn new(spec: &ConformanceSpec) -> Result<ConformanceAccumulator, OutcomesError> {
        spec.validate()?;
        let step_of = (spec.steps.iter().enumerate())
            .flat_map(|(idx, step)| step.touchpoints.iter().map(move |&t| (t, idx)))
            .collect();
        let first_required = (spec.steps.iter())
            .position(|step| !step.optional)
            .unwrap_or(spec.steps.len() - 1);
        Ok(ConformanceAccumulator {
            spec: spec.clone(),
            step_of,
            first_required,
            replayed: 0,
            not_replayed: 0,
            completed: 0,
            conforming: 0,
            persona_replayed: vec![0; spec.n_personas],
            persona_conforming: vec![0; spec.n_personas],
            deviations: BTreeMap::new(),
            nonconforming_examples: Examples::default(),
            found: Vec::new(),
        })
    }

    /// Replays one journey into `self.found`; returns whether any designed
    /// event was seen and whether the last step was reached.
    fn replay(&mut self, journey: &Journey<'_>) -> (bool, bool) {
        self.found.clear();
        let steps = &self.spec.steps;
        // (current step, arrival time at it)
        let mut current: Option<(usize, i64)> = None;
        let mut completed = false;
        for (&touchpoint, &ts_us) in journey.touchpoint.iter().zip(journey.ts_us) {
            let Some(&step) = self.step_of.get(&touchpoint) else {
                continue;
            };
            let restart = self.spec.cycle && step <= self.first_required;
            let from = match current {
                Some((at, _)) if at == step => continue,
                Some((at, _)) if step < at && !restart => {
                    self.found.push((DeviationKind::UnexpectedLoop, step, 0));
                    current = Some((step, ts_us));
                    continue;
                }
                Some((at, _)) if step < at => None,
                other => other,
            };
            let skipped_from = from.map_or(0, |(at, _)| at + 1);
            let mut skipped = false;
            for (between, designed) in steps.iter().enumerate().take(step).skip(skipped_from) {
                if !designed.optional {
                    self.found.push((DeviationKind::SkippedStep, between, 0));
                    skipped = true;
                }
            }
            if let (Some((_, arrived_us)), Some(max_s), false) = (from, steps[step].max_s, skipped)
            {
                let duration_us = ts_us - arrived_us;
                if duration_us as f64 > max_s * 1e6 {
                    self.found
                        .push((DeviationKind::SlowStep, step, duration_us));
                }
            }
            completed |= step == steps.len() - 1;
            current = Some((step, ts_us));
        }
        (current.is_some(), completed)
    }
}

impl Accumulator for ConformanceAccumulator {
    type Output = Conformance;

    fn observe(&mut self, journey: &Journey<'_>) {
        if journey.is_empty() {
            return;
        }
        let (replayed, completed) = self.replay(journey);
        if !replayed {
            self.not_replayed += 1;
            return;
        }
        self.replayed += 1;
        self.completed += u64::from(completed);
        let conforming = self.found.is_empty();
        self.conforming += u64::from(conforming);
        if !conforming {
            self.nonconforming_examples.offer(journey.customer);
        }
        for persona in 0..self.spec.n_personas {
            if journey.personas & (1 << persona) != 0 {
                self.persona_replayed[persona] += 1;
                self.persona_conforming[persona] += u64::from(conforming);
            }
        }
        self.found.sort_unstable();
        for (i, &(kind, step, duration_us)) in self.found.iter().enumerate() {
            let counts = self.deviations.entry((kind, step)).or_default();
            let first_of_its_kind =
                i == 0 || self.found[i - 1].0 != kind || self.found[i - 1].1 != step;
            if first_of_its_kind {
                counts.customers += 1;
                counts.examples.offer(journey.customer);
            }
            counts.occurrences += 1;
            counts.duration_sum_us += i128::from(duration_us);
        }
    }

    fn merge(&mut self, other: Self) {
        self.replayed += other.replayed;
        self.not_replayed += other.not_replayed;
        self.completed += other.completed;
        self.conforming += other.conforming;
        for (mine, theirs) in self
            .persona_replayed
            .iter_mut()
            .zip(&other.persona_replayed)
        {
            *mine += theirs;
        }
        for (mine, theirs) in self
            .persona_conforming
            .iter_mut()
            .zip(&other.persona_conforming)
        {
            *mine += theirs;
        }
        for (key, theirs) in other.deviations {
            let mine = self.deviations.entry(key).or_default();
            mine.customers += theirs.customers;
            mine.occurrences += theirs.occurrences;
            mine.duration_sum_us += theirs.duration_sum_us;
            mine.examples.merge(&theirs.examples);
        }
        self.nonconforming_examples
            .merge(&other.nonconforming_examples);
    }

    fn finish(self) -> Conformance {
        let mut deviations: Vec<Deviation> = (self.deviations.into_iter())
            .map(|((kind, step_idx), counts)| {
                let step = &self.spec.steps[step_idx];
                let slow = kind == DeviationKind::SlowStep;
                Deviation {
                    kind,
                    step_idx,
                    touchpoint: step.touchpoints[0],
                    customers: Proportion::wilson(counts.customers, self.replayed),
                    occurrences: counts.occurrences,
                    target_s: if slow { step.max_s } else { None },
                    mean_duration_s: slow
                        .then(|| counts.duration_sum_us as f64 / counts.occurrences as f64 / 1e6),
                    example_customers: counts.examples.customers(),
                }
            })
            .collect();
        deviations.sort_by(|x, y| {
            (y.customers.count.cmp(&x.customers.count))
                .then((x.step_idx, x.kind).cmp(&(y.step_idx, y.kind)))
        });
        Conformance {
            replayed_customers: self.replayed,
            not_replayed_customers: self.not_replayed,
            completed_customers: self.completed,
            conforming: Proportion::wilson(self.conforming, self.replayed),
            personas: (0..self.spec.n_personas)
                .map(|persona| PersonaConformance {
                    persona: persona as u32,
                    conforming: Proportion::wilson(
                        self.persona_conforming[persona],
                        self.persona_replayed[persona],
                    ),
                })
                .collect(),
            deviations,
            example_nonconforming_customers: self.nonconforming_examples.customers(),
        }
    }
}

impl Conformance {
    /// Every deviation as a finding, in rank order.
    pub fn findings(&self) -> Vec<Finding> {
        (self.deviations.iter())
            .map(|deviation| {
                let mut numbers = BTreeMap::new();
                numbers.insert("step_idx", deviation.step_idx as f64);
                numbers.insert("occurrences", deviation.occurrences as f64);
                numbers.insert("replayed_customers", self.replayed_customers as f64);
                if let (Some(target_s), Some(mean_s)) =
                    (deviation.target_s, deviation.mean_duration_s)
                {
                    numbers.insert("target_s", target_s);
                    numbers.insert("mean_duration_s", mean_s);
                }
                Finding {
                    kind: match deviation.kind {
                        DeviationKind::SkippedStep => FindingKind::SkippedStep,
                        DeviationKind::UnexpectedLoop => FindingKind::UnexpectedLoop,
                        DeviationKind::SlowStep => FindingKind::SlowStep,
                    },
                    touchpoint: Some(deviation.touchpoint),
                    persona: None,
                    effect: Effect {
                        measure: EffectMeasure::Share,
                        value: deviation.customers.value,
                        low: deviation.customers.low,
                        high: deviation.customers.high,
                    },
                    support: deviation.customers.total,
                    p_value: None,
                    q_value: None,
                    impact: deviation.customers.count as f64,
                    evidence: Evidence {
                        numbers,
                        customers: deviation.example_customers.clone(),
                    },
                }
            })
            .collect()
    }
}
