//! Driver importance: how much of the outcome's variance each touchpoint's
//! experience explains, by Shapley regression (Lipovetsky & Conklin 2001).
//!
//! Semantics:
//! - The population is the journeys the [`OutcomeRule`] finds eligible. The
//!   outcome y is 1 or 0; driver k is the customer's experience score at
//!   touchpoint k within the exposure (mean of known scores, as in the
//!   moments of truth). A customer with no known score at k gets the mean
//!   score of the customers who have one (mean imputation), so every
//!   eligible customer enters every model. The accumulator keeps exact
//!   pairwise sums per missingness pattern, so the imputed covariances
//!   equal those of the explicitly imputed data matrix.
//! - Candidate drivers: touchpoints with a known score for at least
//!   `min_customers` customers and non-zero variance; the `max_drivers`
//!   (≤ 14) with most such customers are modelled (ties by id).
//! - The model is the linear probability model y ~ drivers. R²(S) comes from
//!   the correlation matrix for every subset S (2^p subsets); a driver that
//!   is a linear combination of others adds nothing. The Shapley value of
//!   driver k is Σ_{S ∌ k} |S|! (p − |S| − 1)! / p! · (R²(S ∪ k) − R²(S)),
//!   and the values add up to the full model's R².
//! - Each driver also reports its correlation with the outcome (sign: does a
//!   better experience go with more of the outcome?) with a 95 % Fisher-z
//!   interval. Impact = Shapley R² × customers with a known score. Drivers
//!   rank by Shapley value descending, ties by id.

use super::experience::{TouchpointExperience, experiences};
use super::linalg::r_squared_of_subset;
use super::{
    Effect, EffectMeasure, Evidence, Examples, ExperienceSource, Finding, FindingKind,
    OrderedScore, OutcomeRule, OutcomesError, Z_975, serialize_touchpoint,
};
use crate::{Accumulator, Journey};
use model::TouchpointId;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The most drivers an exact Shapley decomposition is computed for.
pub const MAX_DRIVERS: usize = 14;

/// What the driver analysis models.
#[derive(Debug, Clone)]
pub struct DriverSpec {
    pub rule: OutcomeRule,
    pub source: ExperienceSource,
    /// Drivers modelled, 1..=14 (exact Shapley costs 2^p regressions).
    pub max_drivers: usize,
    /// Customers with a known score a touchpoint needs to be a driver.
    pub min_customers: u64,
}

impl DriverSpec {
    /// The defaults: emotion scores, 12 drivers, 30 customers each.
    pub fn new(rule: OutcomeRule) -> DriverSpec {
        DriverSpec {
            rule,
            source: ExperienceSource::Emotion,
            max_drivers: 12,
            min_customers: 30,
        }
    }

    fn validate(&self) -> Result<(), OutcomesError> {
        self.rule.validate()?;
        if !(1..=MAX_DRIVERS).contains(&self.max_drivers) {
            return Err(OutcomesError::InvalidOption {
                name: "max_drivers",
                reason: "must lie in 1..=14",
            });
        }
        Ok(())
    }
}

/// The finished analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverImportance {
    pub eligible_customers: u64,
    pub outcome_customers: u64,
    /// R² of the model with every driver; `None` when the outcome does not
    /// vary or no driver qualifies.
    pub r_squared: Option<f64>,
    /// Qualifying touchpoints left out because of `max_drivers`.
    pub candidates_not_modelled: u64,
    pub drivers: Vec<Driver>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    pub kind: FindingKind,
    #[serde(serialize_with = "serialize_touchpoint")]
    pub touchpoint: TouchpointId,
    /// Customers with a known score here.
    pub observed_customers: u64,
    /// Their mean score (the imputed value for the others).
    pub mean_score: f64,
    pub shapley_r_squared: f64,
    /// Shapley value ÷ full R².
    pub share_of_r_squared: f64,
    /// Correlation of the (imputed) score with the outcome, 95 % interval.
    pub correlation: f64,
    pub correlation_low: f64,
    pub correlation_high: f64,
    pub impact: f64,
    /// Customers with the lowest scores here (ties by key).
    pub example_customers: Vec<u64>,
}

/// Sums over the customers with a known score at one touchpoint.
#[derive(Debug, Clone, Default)]
struct Single {
    n: u64,
    sum: f64,
    sum_squares: f64,
    sum_times_outcome: f64,
    outcomes: u64,
    lowest: Examples<(OrderedScore, u64)>,
}

/// Sums over the customers with known scores at both touchpoints of a pair
/// (first id < second id).
#[derive(Debug, Clone, Copy, Default)]
struct Pair {
    n: u64,
    sum_first: f64,
    sum_second: f64,
    sum_product: f64,
}

/// Builds [`DriverImportance`].
#[derive(Debug)]
pub struct DriverAccumulator {
    spec: DriverSpec,
    eligible: u64,
    occurred: u64,
    singles: BTreeMap<TouchpointId, Single>,
    pairs: HashMap<(TouchpointId, TouchpointId), Pair>,
    scratch: Vec<(TouchpointId, usize)>,
    experiences: Vec<TouchpointExperience>,
}

impl DriverAccumulator {
    pub fn new(spec: &DriverSpec) -> Result<DriverAccumulator, OutcomesError> {
        spec.validate()?;
        Ok(DriverAccumulator {
            spec: spec.clone(),
            eligible: 0,
            occurred: 0,
            singles: BTreeMap::new(),
            pairs: HashMap::new(),
            scratch: Vec::new(),
            experiences: Vec::new(),
        })
    }
}

impl Accumulator for DriverAccumulator {
    type Output = DriverImportance;

    fn observe(&mut self, journey: &Journey<'_>) {
        let Some(outcome) = self.spec.rule.evaluate(journey) else {
            return;
        };
        self.eligible += 1;
        self.occurred += u64::from(outcome.occurred);
        let y = f64::from(u8::from(outcome.occurred));
        experiences(
            journey,
            outcome.exposure_len,
            self.spec.source,
            &mut self.scratch,
            &mut self.experiences,
        );
        self.experiences
            .retain(|experience| experience.score.is_some());
        for (i, first) in self.experiences.iter().enumerate() {
            let v = first.score.expect("unknown scores were removed");
            let single = self.singles.entry(first.touchpoint).or_default();
            single.n += 1;
            single.sum += v;
            single.sum_squares += v * v;
            single.sum_times_outcome += v * y;
            single.outcomes += u64::from(outcome.occurred);
            single.lowest.offer((OrderedScore(v), journey.customer));
            // Experiences are ordered by id, so `first` < `second`.
            for second in &self.experiences[i + 1..] {
                let w = second.score.expect("unknown scores were removed");
                let pair = self.pairs.entry((first.touchpoint, second.touchpoint));
                let pair = pair.or_default();
                pair.n += 1;
                pair.sum_first += v;
                pair.sum_second += w;
                pair.sum_product += v * w;
            }
        }
    }

    fn merge(&mut self, other: Self) {
        self.eligible += other.eligible;
        self.occurred += other.occurred;
        for (touchpoint, theirs) in other.singles {
            let mine = self.singles.entry(touchpoint).or_default();
            mine.n += theirs.n;
            mine.sum += theirs.sum;
            mine.sum_squares += theirs.sum_squares;
            mine.sum_times_outcome += theirs.sum_times_outcome;
            mine.outcomes += theirs.outcomes;
            mine.lowest.merge(&theirs.lowest);
        }
        for (key, theirs) in other.pairs {
            let mine = self.pairs.entry(key).or_default();
            mine.n += theirs.n;
            mine.sum_first += theirs.sum_first;
            mine.sum_second += theirs.sum_second;
            mine.sum_product += theirs.sum_product;
        }
    }

    fn finish(self) -> DriverImportance {
        let n = self.eligible as f64;
        let variance = |single: &Single| {
            let mean = single.sum / single.n as f64;
            single.sum_squares / single.n as f64 - mean * mean
        };
        let mut candidates: Vec<(TouchpointId, &Single)> = (self.singles.iter())
            .filter(|(_, single)| single.n >= self.spec.min_customers.max(1))
            .filter(|(_, single)| variance(single) > 1e-12)
            .map(|(&touchpoint, single)| (touchpoint, single))
            .collect();
        candidates.sort_by(|x, y| y.1.n.cmp(&x.1.n).then(x.0.cmp(&y.0)));
        let not_modelled = candidates.len().saturating_sub(self.spec.max_drivers);
        candidates.truncate(self.spec.max_drivers);
        candidates.sort_by_key(|(touchpoint, _)| *touchpoint);
        let mut result = DriverImportance {
            eligible_customers: self.eligible,
            outcome_customers: self.occurred,
            r_squared: None,
            candidates_not_modelled: not_modelled as u64,
            drivers: Vec::new(),
        };
        if candidates.is_empty() || self.occurred == 0 || self.occurred == self.eligible {
            return result;
        }
        let covariance = imputed_covariance(&candidates, &self.pairs, n, self.occurred as f64);
        let correlation = correlation_of(&covariance);
        let shapley = shapley_r_squared(&correlation);
        let r_squared: f64 = shapley.iter().sum();
        result.r_squared = Some(r_squared);
        let outcome = candidates.len();
        for (k, (touchpoint, single)) in candidates.iter().enumerate() {
            let r = correlation[k][outcome];
            let (low, high) = fisher_interval(r, self.eligible);
            result.drivers.push(Driver {
                kind: FindingKind::Driver,
                touchpoint: *touchpoint,
                observed_customers: single.n,
                mean_score: single.sum / single.n as f64,
                shapley_r_squared: shapley[k],
                share_of_r_squared: if r_squared > 0.0 {
                    shapley[k] / r_squared
                } else {
                    0.0
                },
                correlation: r,
                correlation_low: low,
                correlation_high: high,
                impact: shapley[k] * single.n as f64,
                example_customers: single.lowest.keys().iter().map(|&(_, c)| c).collect(),
            });
        }
        result.drivers.sort_by(|x, y| {
            (y.shapley_r_squared.total_cmp(&x.shapley_r_squared))
                .then(x.touchpoint.cmp(&y.touchpoint))
        });
        result
    }
}

/// Population covariances of the mean-imputed drivers and the outcome (last
/// row and column), from the per-pattern sums.
fn imputed_covariance(
    candidates: &[(TouchpointId, &Single)],
    pairs: &HashMap<(TouchpointId, TouchpointId), Pair>,
    n: f64,
    outcomes: f64,
) -> Vec<Vec<f64>> {
    let p = candidates.len();
    let means: Vec<f64> = (candidates.iter())
        .map(|(_, single)| single.sum / single.n as f64)
        .collect();
    let mut covariance = vec![vec![0.0; p + 1]; p + 1];
    let outcome_mean = outcomes / n;
    for (j, (first, sj)) in candidates.iter().enumerate() {
        let mj = means[j];
        let missing = n - sj.n as f64;
        covariance[j][j] = (sj.sum_squares + missing * mj * mj) / n - mj * mj;
        let with_outcome = sj.sum_times_outcome + mj * (outcomes - sj.outcomes as f64);
        covariance[j][p] = with_outcome / n - mj * outcome_mean;
        covariance[p][j] = covariance[j][p];
        for (k, (second, sk)) in candidates.iter().enumerate().skip(j + 1) {
            let mk = means[k];
            let pair = pairs.get(&(*first, *second)).copied().unwrap_or_default();
            let neither = n - sj.n as f64 - sk.n as f64 + pair.n as f64;
            let cross = pair.sum_product
                + mk * (sj.sum - pair.sum_first)
                + mj * (sk.sum - pair.sum_second)
                + mj * mk * neither;
            covariance[j][k] = cross / n - mj * mk;
            covariance[k][j] = covariance[j][k];
        }
    }
    covariance[p][p] = outcome_mean * (1.0 - outcome_mean);
    covariance
}

/// The correlation matrix of a covariance matrix; a variable with no
/// variance gets a zero row, column and diagonal (the sweep skips it).
fn correlation_of(covariance: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let sd: Vec<f64> = (0..covariance.len())
        .map(|i| covariance[i][i].max(0.0).sqrt())
        .collect();
    (0..covariance.len())
        .map(|i| {
            (0..covariance.len())
                .map(|j| {
                    if sd[i] <= 1e-9 || sd[j] <= 1e-9 {
                        0.0
                    } else if i == j {
                        1.0
                    } else {
                        (covariance[i][j] / (sd[i] * sd[j])).clamp(-1.0, 1.0)
                    }
                })
                .collect()
        })
        .collect()
}

/// Shapley decomposition of R² for the regression of the last variable of
/// `correlation` (a (p + 1) × (p + 1) correlation matrix, p ≤ 14) on the
/// others: one value per predictor, summing to the full model's R².
pub fn shapley_r_squared(correlation: &[Vec<f64>]) -> Vec<f64> {
    let p = correlation.len() - 1;
    assert!(
        p <= MAX_DRIVERS,
        "{p} drivers; exact Shapley is limited to {MAX_DRIVERS}"
    );
    let r_squared: Vec<f64> = (0..1_u32 << p)
        .map(|subset| r_squared_of_subset(correlation, subset))
        .collect();
    // weight[s] = s! (p − s − 1)! / p!, the share of orderings in which a
    // driver joins a given subset of size s.
    let factorial = |m: usize| (1..=m).map(|i| i as f64).product::<f64>();
    let weight: Vec<f64> = (0..p)
        .map(|s| factorial(s) * factorial(p - s - 1) / factorial(p))
        .collect();
    (0..p)
        .map(|k| {
            let bit = 1_u32 << k;
            (0..1_u32 << p)
                .filter(|subset| subset & bit == 0)
                .map(|subset| {
                    let size = subset.count_ones() as usize;
                    weight[size] * (r_squared[(subset | bit) as usize] - r_squared[subset as usize])
                })
                .sum()
        })
        .collect()
}

/// The 95 % interval of a correlation by Fisher's z; the value itself below
/// four customers.
fn fisher_interval(r: f64, n: u64) -> (f64, f64) {
    if n < 4 || r.abs() >= 1.0 {
        return (r, r);
    }
    let z = r.atanh();
    let se = 1.0 / ((n - 3) as f64).sqrt();
    ((z - Z_975 * se).tanh(), (z + Z_975 * se).tanh())
}

impl DriverImportance {
    /// Every modelled driver as a finding, in rank order.
    pub fn findings(&self) -> Vec<Finding> {
        (self.drivers.iter())
            .map(|driver| {
                let mut numbers = BTreeMap::new();
                numbers.insert("shapley_r_squared", driver.shapley_r_squared);
                numbers.insert("share_of_r_squared", driver.share_of_r_squared);
                numbers.insert("mean_score", driver.mean_score);
                numbers.insert("r_squared", self.r_squared.unwrap_or(f64::NAN));
                numbers.insert("eligible_customers", self.eligible_customers as f64);
                Finding {
                    kind: FindingKind::Driver,
                    touchpoint: Some(driver.touchpoint),
                    persona: None,
                    effect: Effect {
                        measure: EffectMeasure::Correlation,
                        value: driver.correlation,
                        low: driver.correlation_low,
                        high: driver.correlation_high,
                    },
                    support: driver.observed_customers,
                    p_value: None,
                    q_value: None,
                    impact: driver.impact,
                    evidence: Evidence {
                        numbers,
                        customers: driver.example_customers.clone(),
                    },
                }
            })
            .collect()
    }
}
