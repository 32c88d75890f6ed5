//! Conversion attribution: the first-order Markov removal effect (Anderl et
//! al. 2016) beside first-touch, last-touch and linear attribution.
//!
//! Semantics:
//! - Every journey with events is one path. A converting journey's path is
//!   its touchpoints before the first conversion event (the
//!   [`OutcomeRule::Reach`] exposure), then the conversion state; any other
//!   journey's path is all its touchpoints, then the null state. Events
//!   after the conversion are ignored. A converting journey whose first
//!   event converts is a *direct* conversion: start → conversion.
//! - States: start, one per touchpoint, conversion and null (absorbing).
//!   Transition probabilities are transition counts ÷ counts out of the
//!   state. Repeats (a → a) are kept; they do not change any absorption
//!   probability, since x_a = p_aa x_a + Σ p_ab x_b gives the chain without
//!   the self-loop.
//! - P(conversion) is the absorption probability from start, solved exactly
//!   from (I − Q) x = r over the transient states (Gaussian elimination).
//!   Removing touchpoint k sends every transition into k to null; its
//!   removal effect is 1 − P(conversion without k) ÷ P(conversion).
//! - Markov conversions = removal effect ÷ Σ removal effects × conversions
//!   through at least one touchpoint (direct conversions have no touchpoint
//!   to credit and are reported apart).
//! - Over the same converting paths: first touch credits the first
//!   touchpoint, last touch the last one, linear 1/len to each event of the
//!   path (a touchpoint twice in a path gets two shares).
//! - Touchpoints rank by Markov conversions descending, ties by id.

use super::linalg::solve_linear_system;
use super::{
    Effect, EffectMeasure, Evidence, Examples, Finding, FindingKind, OutcomeRule, OutcomesError,
    serialize_touchpoint,
};
use crate::{Accumulator, Journey};
use model::TouchpointId;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What counts as conversion.
#[derive(Debug, Clone)]
pub struct AttributionSpec {
    /// A reach rule: reaching one of its touchpoints is a conversion.
    pub conversion: OutcomeRule,
}

/// The finished attribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    pub journeys: u64,
    pub conversions: u64,
    pub direct_conversions: u64,
    /// Absorption probability in conversion from start.
    pub conversion_probability: f64,
    pub touchpoints: Vec<TouchpointAttribution>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchpointAttribution {
    pub kind: FindingKind,
    #[serde(serialize_with = "serialize_touchpoint")]
    pub touchpoint: TouchpointId,
    /// Journeys whose path visits the touchpoint, and those that converted.
    pub journeys: u64,
    pub converting_journeys: u64,
    pub conversion_probability_without: f64,
    pub removal_effect: f64,
    pub markov_conversions: f64,
    pub first_touch_conversions: f64,
    pub last_touch_conversions: f64,
    pub linear_conversions: f64,
    /// Smallest keys of converting customers whose path visits it.
    pub example_customers: Vec<u64>,
}

/// A state of the chain; touchpoints between start and the absorbing ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum State {
    Start,
    Touchpoint(TouchpointId),
    Conversion,
    Null,
}

#[derive(Debug, Clone, Default)]
struct Visits {
    journeys: u64,
    converting: u64,
    first_touch: u64,
    last_touch: u64,
    examples: Examples<u64>,
}

/// Builds [`Attribution`].
#[derive(Debug)]
pub struct AttributionAccumulator {
    spec: AttributionSpec,
    journeys: u64,
    conversions: u64,
    direct: u64,
    transitions: HashMap<(State, State), u64>,
    visits: BTreeMap<TouchpointId, Visits>,
    /// (touchpoint, path length) → events of converting paths: linear
    /// credit is Σ count ÷ length, summed exactly at the end.
    linear_events: BTreeMap<(TouchpointId, usize), u64>,
    seen: BTreeSet<TouchpointId>,
}

impl AttributionAccumulator {
    pub fn new(spec: &AttributionSpec) -> Result<AttributionAccumulator, OutcomesError> {
        spec.conversion.validate()?;
        if !matches!(spec.conversion, OutcomeRule::Reach { .. }) {
            return Err(OutcomesError::InvalidOption {
                name: "conversion",
                reason: "attribution needs a reach rule",
            });
        }
        Ok(AttributionAccumulator {
            spec: spec.clone(),
            journeys: 0,
            conversions: 0,
            direct: 0,
            transitions: HashMap::new(),
            visits: BTreeMap::new(),
            linear_events: BTreeMap::new(),
            seen: BTreeSet::new(),
        })
    }
}

impl Accumulator for AttributionAccumulator {
    type Output = Attribution;

    fn observe(&mut self, journey: &Journey<'_>) {
        let Some(outcome) = self.spec.conversion.evaluate(journey) else {
            return;
        };
        self.journeys += 1;
        let path = &journey.touchpoint[..outcome.exposure_len];
        let end = if outcome.occurred {
            State::Conversion
        } else {
            State::Null
        };
        let mut previous = State::Start;
        for &touchpoint in path {
            *self
                .transitions
                .entry((previous, State::Touchpoint(touchpoint)))
                .or_default() += 1;
            previous = State::Touchpoint(touchpoint);
        }
        *self.transitions.entry((previous, end)).or_default() += 1;
        if outcome.occurred {
            self.conversions += 1;
            if path.is_empty() {
                self.direct += 1;
            }
        }
        self.seen.clear();
        self.seen.extend(path.iter().copied());
        for &touchpoint in &self.seen {
            let visits = self.visits.entry(touchpoint).or_default();
            visits.journeys += 1;
            if outcome.occurred {
                visits.converting += 1;
                visits.examples.offer(journey.customer);
            }
        }
        if let (true, Some(first), Some(last)) = (outcome.occurred, path.first(), path.last()) {
            self.visits.entry(*first).or_default().first_touch += 1;
            self.visits.entry(*last).or_default().last_touch += 1;
            for &touchpoint in path {
                *self
                    .linear_events
                    .entry((touchpoint, path.len()))
                    .or_default() += 1;
            }
        }
    }

    fn merge(&mut self, other: Self) {
        self.journeys += other.journeys;
        self.conversions += other.conversions;
        self.direct += other.direct;
        for (key, count) in other.transitions {
            *self.transitions.entry(key).or_default() += count;
        }
        for (touchpoint, theirs) in other.visits {
            let mine = self.visits.entry(touchpoint).or_default();
            mine.journeys += theirs.journeys;
            mine.converting += theirs.converting;
            mine.first_touch += theirs.first_touch;
            mine.last_touch += theirs.last_touch;
            mine.examples.merge(&theirs.examples);
        }
        for (key, count) in other.linear_events {
            *self.linear_events.entry(key).or_default() += count;
        }
    }

    fn finish(self) -> Attribution {
        let chain = Chain::new(&self.transitions);
        let conversion_probability = chain.conversion_probability(None);
        let touchpoints: Vec<TouchpointId> = self.visits.keys().copied().collect();
        let without: Vec<f64> = (touchpoints.iter())
            .map(|&touchpoint| chain.conversion_probability(Some(touchpoint)))
            .collect();
        let removal: Vec<f64> = (without.iter())
            .map(|&p| {
                if conversion_probability > 0.0 {
                    1.0 - p / conversion_probability
                } else {
                    0.0
                }
            })
            .collect();
        let removal_total: f64 = removal.iter().sum();
        let credited = (self.conversions - self.direct) as f64;
        let mut linear: BTreeMap<TouchpointId, f64> = BTreeMap::new();
        for (&(touchpoint, length), &count) in &self.linear_events {
            *linear.entry(touchpoint).or_default() += count as f64 / length as f64;
        }
        let mut result: Vec<TouchpointAttribution> = (self.visits.into_iter())
            .enumerate()
            .map(|(i, (touchpoint, visits))| TouchpointAttribution {
                kind: FindingKind::RemovalEffect,
                touchpoint,
                journeys: visits.journeys,
                converting_journeys: visits.converting,
                conversion_probability_without: without[i],
                removal_effect: removal[i],
                markov_conversions: if removal_total > 0.0 {
                    removal[i] / removal_total * credited
                } else {
                    0.0
                },
                first_touch_conversions: visits.first_touch as f64,
                last_touch_conversions: visits.last_touch as f64,
                linear_conversions: linear.get(&touchpoint).copied().unwrap_or(0.0),
                example_customers: visits.examples.customers(),
            })
            .collect();
        result.sort_by(|x, y| {
            (y.markov_conversions.total_cmp(&x.markov_conversions))
                .then(x.touchpoint.cmp(&y.touchpoint))
        });
        Attribution {
            journeys: self.journeys,
            conversions: self.conversions,
            direct_conversions: self.direct,
            conversion_probability,
            touchpoints: result,
        }
    }
}

/// The absorbing chain: transient states (start first, then touchpoints by
/// id) with their transition probabilities.
struct Chain {
    transient: Vec<State>,
    index: HashMap<State, usize>,
    /// Probability of each transient → transient step.
    to_transient: Vec<Vec<f64>>,
    /// Probability of stepping straight into conversion.
    to_conversion: Vec<f64>,
}

impl Chain {
    fn new(transitions: &HashMap<(State, State), u64>) -> Chain {
        let mut transient: Vec<State> = (transitions.keys())
            .flat_map(|&(from, to)| [from, to])
            .filter(|state| matches!(state, State::Start | State::Touchpoint(_)))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !transient.contains(&State::Start) {
            transient.insert(0, State::Start);
        }
        let index: HashMap<State, usize> = transient
            .iter()
            .enumerate()
            .map(|(i, &state)| (state, i))
            .collect();
        let n = transient.len();
        let mut out = vec![0_u64; n];
        for (&(from, _), &count) in transitions {
            out[index[&from]] += count;
        }
        let mut to_transient = vec![vec![0.0; n]; n];
        let mut to_conversion = vec![0.0; n];
        for (&(from, to), &count) in transitions {
            let i = index[&from];
            let probability = count as f64 / out[i] as f64;
            match to {
                State::Conversion => to_conversion[i] += probability,
                State::Null => {}
                State::Start | State::Touchpoint(_) => to_transient[i][index[&to]] += probability,
            }
        }
        Chain {
            transient,
            index,
            to_transient,
            to_conversion,
        }
    }

    /// Absorption probability in conversion from start, with `removed`'s
    /// incoming transitions sent to null.
    fn conversion_probability(&self, removed: Option<TouchpointId>) -> f64 {
        let n = self.transient.len();
        let removed = removed.and_then(|t| self.index.get(&State::Touchpoint(t)).copied());
        let mut matrix = vec![vec![0.0; n]; n];
        let mut rhs = vec![0.0; n];
        for (i, (row, b)) in matrix.iter_mut().zip(rhs.iter_mut()).enumerate() {
            row[i] = 1.0;
            if Some(i) == removed {
                continue;
            }
            *b = self.to_conversion[i];
            for (j, (entry, &q)) in row.iter_mut().zip(&self.to_transient[i]).enumerate() {
                if Some(j) != removed {
                    *entry -= q;
                }
            }
        }
        let solution = solve_linear_system(&matrix, &rhs)
            .expect("every observed state reaches an absorbing state, so I − Q is invertible");
        solution[self.index[&State::Start]].clamp(0.0, 1.0)
    }
}

impl Attribution {
    /// Every touchpoint with a removal effect as a finding, in rank order.
    pub fn findings(&self) -> Vec<Finding> {
        (self.touchpoints.iter())
            .map(|t| {
                let mut numbers = BTreeMap::new();
                numbers.insert("markov_conversions", t.markov_conversions);
                numbers.insert("first_touch_conversions", t.first_touch_conversions);
                numbers.insert("last_touch_conversions", t.last_touch_conversions);
                numbers.insert("linear_conversions", t.linear_conversions);
                numbers.insert("conversion_probability", self.conversion_probability);
                numbers.insert(
                    "conversion_probability_without",
                    t.conversion_probability_without,
                );
                numbers.insert("converting_journeys", t.converting_journeys as f64);
                Finding {
                    kind: FindingKind::RemovalEffect,
                    touchpoint: Some(t.touchpoint),
                    persona: None,
                    effect: Effect {
                        measure: EffectMeasure::RemovalEffect,
                        value: t.removal_effect,
                        low: t.removal_effect,
                        high: t.removal_effect,
                    },
                    support: t.journeys,
                    p_value: None,
                    q_value: None,
                    impact: t.markov_conversions,
                    evidence: Evidence {
                        numbers,
                        customers: t.example_customers.clone(),
                    },
                }
            })
            .collect()
    }
}
