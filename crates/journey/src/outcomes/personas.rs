//! Persona differences: where one persona's journeys differ from everyone
//! else's, per touchpoint, with tests corrected for their number.
//!
//! Semantics:
//! - For each persona bit b < `n_personas`, customers with the bit form the
//!   persona group, all other customers the comparison group. Journeys
//!   without events are ignored.
//! - Drop-off at touchpoint t: among the group's customers with an event at
//!   t, the share whose journey ends there (last event at t), as in the
//!   journey map. Tested with the pooled two-proportion z-test; effect: the
//!   difference persona − others with its unpooled (Wald) 95 % interval, and
//!   Cohen's h = 2 asin √p₁ − 2 asin √p₂.
//! - Emotion at t: each customer's mean known score at t (one value per
//!   customer, so that a customer's repeated events do not count as
//!   independent), compared by Welch's t-test; effect: the difference of
//!   means with its Welch 95 % interval, Cohen's d on the pooled standard
//!   deviation and Hedges' g = d · (1 − 3 / (4 (n₁ + n₂) − 9)).
//! - A test runs when both groups hold at least `min_customers_per_group`
//!   customers (drop-off) or customers with a score (emotion), and at least
//!   two each for the t-test. All tests together are corrected by
//!   Benjamini–Hochberg; `significant` means q ≤ `false_discovery_rate`.
//! - Ranking: significant tests first, then by |standardised effect| (h or
//!   g) descending, then q ascending, then persona, touchpoint and kind.
//! - Example customers: the persona's customers who dropped off there
//!   (drop-off), or its customers with the most extreme scores in the
//!   direction of the difference (emotion).

use super::experience::{TouchpointExperience, experiences};
use super::special::{normal_two_sided_p, t_quantile_975, t_two_sided_p};
use super::{
    Effect, EffectMeasure, Evidence, Examples, ExperienceSource, Finding, FindingKind,
    OrderedScore, OutcomesError, Z_975, serialize_touchpoint, validate_n_personas,
};
use crate::{Accumulator, Journey};
use model::TouchpointId;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the persona comparison tests.
#[derive(Debug, Clone)]
pub struct PersonaDifferenceSpec {
    /// Persona bits to compare; at most 64.
    pub n_personas: usize,
    pub source: ExperienceSource,
    /// Customers each group needs at a touchpoint for a test; at least 2.
    pub min_customers_per_group: u64,
    /// The Benjamini–Hochberg level, in (0, 1).
    pub false_discovery_rate: f64,
}

impl PersonaDifferenceSpec {
    /// The defaults: emotion scores, 30 customers per group, FDR 5 %.
    pub fn new(n_personas: usize) -> PersonaDifferenceSpec {
        PersonaDifferenceSpec {
            n_personas,
            source: ExperienceSource::Emotion,
            min_customers_per_group: 30,
            false_discovery_rate: 0.05,
        }
    }

    fn validate(&self) -> Result<(), OutcomesError> {
        validate_n_personas(self.n_personas)?;
        if self.min_customers_per_group < 2 {
            return Err(OutcomesError::InvalidOption {
                name: "min_customers_per_group",
                reason: "must be at least 2",
            });
        }
        if !(self.false_discovery_rate > 0.0 && self.false_discovery_rate < 1.0) {
            return Err(OutcomesError::InvalidOption {
                name: "false_discovery_rate",
                reason: "must lie in (0, 1)",
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonaDifferenceKind {
    DropOff,
    Emotion,
}

/// The finished comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaDifferences {
    /// Tests run (the Benjamini–Hochberg family).
    pub tests: u64,
    /// Every test, ranked.
    pub differences: Vec<PersonaDifference>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaDifference {
    pub kind: PersonaDifferenceKind,
    #[serde(serialize_with = "serialize_touchpoint")]
    pub touchpoint: TouchpointId,
    pub persona: u32,
    /// Customers in the test: reached (drop-off) or scored (emotion).
    pub persona_customers: u64,
    pub others_customers: u64,
    /// Drop-off share or mean score of each group.
    pub persona_value: f64,
    pub others_value: f64,
    /// persona_value − others_value, with its 95 % interval.
    pub difference: f64,
    pub difference_low: f64,
    pub difference_high: f64,
    /// Cohen's h (drop-off) or Hedges' g (emotion).
    pub standardized_effect: f64,
    /// Cohen's d (emotion only).
    pub cohens_d: Option<f64>,
    /// z (drop-off) or Welch's t (emotion).
    pub statistic: f64,
    /// Welch–Satterthwaite degrees of freedom (emotion only).
    pub degrees_of_freedom: Option<f64>,
    pub p_value: f64,
    pub q_value: f64,
    pub significant: bool,
    pub example_customers: Vec<u64>,
}

/// Counts and sums of one group at one touchpoint.
#[derive(Debug, Clone, Default)]
struct Group {
    reached: u64,
    dropped: u64,
    scored: u64,
    sum: f64,
    sum_squares: f64,
}

impl Group {
    fn merge(&mut self, other: &Group) {
        self.reached += other.reached;
        self.dropped += other.dropped;
        self.scored += other.scored;
        self.sum += other.sum;
        self.sum_squares += other.sum_squares;
    }
}

/// One persona at one touchpoint: its group, the others, and examples.
#[derive(Debug, Clone, Default)]
struct Cell {
    persona: Group,
    others: Group,
    dropped_examples: Examples<u64>,
    lowest: Examples<(OrderedScore, u64)>,
    /// Negated scores, so that the smallest keys are the highest scores.
    highest: Examples<(OrderedScore, u64)>,
}

/// Builds [`PersonaDifferences`].
#[derive(Debug)]
pub struct PersonaDifferenceAccumulator {
    spec: PersonaDifferenceSpec,
    cells: BTreeMap<(u32, TouchpointId), Cell>,
    scratch: Vec<(TouchpointId, usize)>,
    experiences: Vec<TouchpointExperience>,
}

impl PersonaDifferenceAccumulator {
    pub fn new(
        spec: &PersonaDifferenceSpec,
    ) -> Result<PersonaDifferenceAccumulator, OutcomesError> {
        spec.validate()?;
        Ok(PersonaDifferenceAccumulator {
            spec: spec.clone(),
            cells: BTreeMap::new(),
            scratch: Vec::new(),
            experiences: Vec::new(),
        })
    }
}

impl Accumulator for PersonaDifferenceAccumulator {
    type Output = PersonaDifferences;

    fn observe(&mut self, journey: &Journey<'_>) {
        let Some(&last) = journey.touchpoint.last() else {
            return;
        };
        experiences(
            journey,
            journey.len(),
            self.spec.source,
            &mut self.scratch,
            &mut self.experiences,
        );
        for persona in 0..self.spec.n_personas as u32 {
            let member = journey.personas & (1 << persona) != 0;
            for experience in &self.experiences {
                let dropped = experience.touchpoint == last;
                let cell = self
                    .cells
                    .entry((persona, experience.touchpoint))
                    .or_default();
                let group = if member {
                    &mut cell.persona
                } else {
                    &mut cell.others
                };
                group.reached += 1;
                group.dropped += u64::from(dropped);
                if let Some(score) = experience.score {
                    group.scored += 1;
                    group.sum += score;
                    group.sum_squares += score * score;
                }
                if member {
                    if dropped {
                        cell.dropped_examples.offer(journey.customer);
                    }
                    if let Some(score) = experience.score {
                        cell.lowest.offer((OrderedScore(score), journey.customer));
                        cell.highest.offer((OrderedScore(-score), journey.customer));
                    }
                }
            }
        }
    }

    fn merge(&mut self, other: Self) {
        for (key, theirs) in other.cells {
            let mine = self.cells.entry(key).or_default();
            mine.persona.merge(&theirs.persona);
            mine.others.merge(&theirs.others);
            mine.dropped_examples.merge(&theirs.dropped_examples);
            mine.lowest.merge(&theirs.lowest);
            mine.highest.merge(&theirs.highest);
        }
    }

    fn finish(self) -> PersonaDifferences {
        let min = self.spec.min_customers_per_group;
        let mut differences = Vec::new();
        for (&(persona, touchpoint), cell) in &self.cells {
            if cell.persona.reached >= min && cell.others.reached >= min {
                differences.push(drop_off_difference(persona, touchpoint, cell));
            }
            if cell.persona.scored >= min && cell.others.scored >= min {
                differences.push(emotion_difference(persona, touchpoint, cell));
            }
        }
        let p_values: Vec<f64> = differences.iter().map(|d| d.p_value).collect();
        for (difference, q) in differences.iter_mut().zip(benjamini_hochberg(&p_values)) {
            difference.q_value = q;
            difference.significant = q <= self.spec.false_discovery_rate;
        }
        // Sums of floats differ in the last bits with the partitioning, so
        // the ranking compares values rounded to 1e-9: equal effects then
        // fall through to the persona/touchpoint/kind order.
        let rounded = |value: f64| (value * 1e9).round();
        differences.sort_by(|x, y| {
            (y.significant.cmp(&x.significant))
                .then(
                    rounded(y.standardized_effect.abs())
                        .total_cmp(&rounded(x.standardized_effect.abs())),
                )
                .then(rounded(x.q_value).total_cmp(&rounded(y.q_value)))
                .then((x.persona, x.touchpoint, x.kind).cmp(&(y.persona, y.touchpoint, y.kind)))
        });
        PersonaDifferences {
            tests: differences.len() as u64,
            differences,
        }
    }
}

fn drop_off_difference(persona: u32, touchpoint: TouchpointId, cell: &Cell) -> PersonaDifference {
    let (x1, n1) = (cell.persona.dropped, cell.persona.reached);
    let (x2, n2) = (cell.others.dropped, cell.others.reached);
    let test = two_proportion_test(x1, n1, x2, n2);
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    PersonaDifference {
        kind: PersonaDifferenceKind::DropOff,
        touchpoint,
        persona,
        persona_customers: n1,
        others_customers: n2,
        persona_value: p1,
        others_value: p2,
        difference: test.difference,
        difference_low: test.difference_low,
        difference_high: test.difference_high,
        standardized_effect: cohens_h(p1, p2),
        cohens_d: None,
        statistic: test.statistic,
        degrees_of_freedom: None,
        p_value: test.p_value,
        q_value: f64::NAN,
        significant: false,
        example_customers: cell.dropped_examples.customers(),
    }
}

fn emotion_difference(persona: u32, touchpoint: TouchpointId, cell: &Cell) -> PersonaDifference {
    let moments = |group: &Group| {
        let n = group.scored as f64;
        let mean = group.sum / n;
        let variance = ((group.sum_squares - n * mean * mean) / (n - 1.0)).max(0.0);
        (group.scored, mean, variance)
    };
    let (n1, mean1, variance1) = moments(&cell.persona);
    let (n2, mean2, variance2) = moments(&cell.others);
    let test = welch_test((n1, mean1, variance1), (n2, mean2, variance2));
    let examples = if mean1 < mean2 {
        &cell.lowest
    } else {
        &cell.highest
    };
    PersonaDifference {
        kind: PersonaDifferenceKind::Emotion,
        touchpoint,
        persona,
        persona_customers: n1,
        others_customers: n2,
        persona_value: mean1,
        others_value: mean2,
        difference: test.difference,
        difference_low: test.difference_low,
        difference_high: test.difference_high,
        standardized_effect: test.hedges_g,
        cohens_d: Some(test.cohens_d),
        statistic: test.statistic,
        degrees_of_freedom: Some(test.degrees_of_freedom),
        p_value: test.p_value,
        q_value: f64::NAN,
        significant: false,
        example_customers: examples
            .keys()
            .iter()
            .map(|&(_, customer)| customer)
            .collect(),
    }
}

/// The result of [`two_proportion_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProportionTest {
    /// p₁ − p₂ and its unpooled 95 % interval.
    pub difference: f64,
    pub difference_low: f64,
    pub difference_high: f64,
    /// The pooled z statistic and its two-sided p-value.
    pub statistic: f64,
    pub p_value: f64,
}

/// The pooled two-proportion z-test of x₁ of n₁ against x₂ of n₂ (both
/// n > 0). When both proportions are 0 or both 1 the statistic is 0 and the
/// p-value 1.
pub fn two_proportion_test(x1: u64, n1: u64, x2: u64, n2: u64) -> ProportionTest {
    assert!(
        n1 > 0 && n2 > 0 && x1 <= n1 && x2 <= n2,
        "{x1}/{n1} vs {x2}/{n2}"
    );
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let (p1, p2) = (x1 as f64 / n1f, x2 as f64 / n2f);
    let pooled = (x1 + x2) as f64 / (n1f + n2f);
    let pooled_se = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    let statistic = if pooled_se > 0.0 {
        (p1 - p2) / pooled_se
    } else {
        0.0
    };
    let se = (p1 * (1.0 - p1) / n1f + p2 * (1.0 - p2) / n2f).sqrt();
    ProportionTest {
        difference: p1 - p2,
        difference_low: p1 - p2 - Z_975 * se,
        difference_high: p1 - p2 + Z_975 * se,
        statistic,
        p_value: normal_two_sided_p(statistic),
    }
}

/// Cohen's h between two proportions.
pub fn cohens_h(p1: f64, p2: f64) -> f64 {
    2.0 * p1.sqrt().asin() - 2.0 * p2.sqrt().asin()
}

/// The result of [`welch_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanTest {
    /// mean₁ − mean₂ and its Welch 95 % interval.
    pub difference: f64,
    pub difference_low: f64,
    pub difference_high: f64,
    pub statistic: f64,
    pub degrees_of_freedom: f64,
    pub p_value: f64,
    pub cohens_d: f64,
    pub hedges_g: f64,
}

/// Welch's t-test of two samples given as (n, mean, sample variance), both
/// n ≥ 2. Without any spread in either sample the statistic is 0 and the
/// p-value 1 when the means agree, and the p-value 0 when they differ.
pub fn welch_test(first: (u64, f64, f64), second: (u64, f64, f64)) -> MeanTest {
    let (n1, mean1, variance1) = first;
    let (n2, mean2, variance2) = second;
    assert!(
        n1 >= 2 && n2 >= 2,
        "Welch's test needs two values per sample"
    );
    let (n1, n2) = (n1 as f64, n2 as f64);
    let difference = mean1 - mean2;
    let (a, b) = (variance1 / n1, variance2 / n2);
    let se = (a + b).sqrt();
    let pooled_sd = (((n1 - 1.0) * variance1 + (n2 - 1.0) * variance2) / (n1 + n2 - 2.0)).sqrt();
    let cohens_d = if pooled_sd > 0.0 {
        difference / pooled_sd
    } else {
        0.0
    };
    let hedges_g = cohens_d * (1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0));
    if se == 0.0 {
        return MeanTest {
            difference,
            difference_low: difference,
            difference_high: difference,
            statistic: 0.0,
            degrees_of_freedom: n1 + n2 - 2.0,
            p_value: if difference == 0.0 { 1.0 } else { 0.0 },
            cohens_d,
            hedges_g,
        };
    }
    let statistic = difference / se;
    let degrees_of_freedom = (a + b).powi(2) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    let half_width = t_quantile_975(degrees_of_freedom) * se;
    MeanTest {
        difference,
        difference_low: difference - half_width,
        difference_high: difference + half_width,
        statistic,
        degrees_of_freedom,
        p_value: t_two_sided_p(statistic, degrees_of_freedom),
        cohens_d,
        hedges_g,
    }
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input's order:
/// q₍ᵢ₎ = min over j ≥ i of p₍ⱼ₎ · m / j, capped at 1.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p_values[i].total_cmp(&p_values[j]).then(i.cmp(&j)));
    let mut q = vec![0.0; m];
    let mut running_min = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running_min = running_min.min(p_values[i] * m as f64 / (rank + 1) as f64);
        q[i] = running_min;
    }
    q
}

impl PersonaDifferences {
    /// The significant differences as findings, in rank order.
    pub fn findings(&self) -> Vec<Finding> {
        (self.differences.iter())
            .filter(|difference| difference.significant)
            .map(|d| {
                let mut numbers = BTreeMap::new();
                numbers.insert("persona_value", d.persona_value);
                numbers.insert("others_value", d.others_value);
                numbers.insert("persona_customers", d.persona_customers as f64);
                numbers.insert("others_customers", d.others_customers as f64);
                numbers.insert("standardized_effect", d.standardized_effect);
                numbers.insert("statistic", d.statistic);
                if let Some(df) = d.degrees_of_freedom {
                    numbers.insert("degrees_of_freedom", df);
                }
                let (kind, measure) = match d.kind {
                    PersonaDifferenceKind::DropOff => (
                        FindingKind::PersonaDropOff,
                        EffectMeasure::DifferenceInProportions,
                    ),
                    PersonaDifferenceKind::Emotion => (
                        FindingKind::PersonaEmotion,
                        EffectMeasure::DifferenceInMeans,
                    ),
                };
                Finding {
                    kind,
                    touchpoint: Some(d.touchpoint),
                    persona: Some(d.persona),
                    effect: Effect {
                        measure,
                        value: d.difference,
                        low: d.difference_low,
                        high: d.difference_high,
                    },
                    support: d.persona_customers + d.others_customers,
                    p_value: Some(d.p_value),
                    q_value: Some(d.q_value),
                    impact: d.difference.abs() * d.persona_customers as f64,
                    evidence: Evidence {
                        numbers,
                        customers: d.example_customers.clone(),
                    },
                }
            })
            .collect()
    }
}
