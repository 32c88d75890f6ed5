//! Nelder–Mead minimisation with restarts, the optimiser behind the
//! maximum-likelihood fits. Derivative-free because the Pareto/NBD
//! likelihood's gradient needs derivatives of 2F1 in its parameters;
//! restarting from the best vertex until no restart improves removes the
//! method's known habit of stalling on a collapsed simplex (Lagarias et al.
//! 1998; the restart strategy of Numerical Recipes §10.5).

use serde::Serialize;

/// Stopping rules for [`minimize`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FitOptions {
    /// Upper bound on objective evaluations over all restarts.
    pub max_evaluations: usize,
    /// A run stops once the simplex's objective values lie within this
    /// absolute distance of each other.
    pub tolerance: f64,
    /// Largest number of restarts from the best point.
    pub max_restarts: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_evaluations: 20_000,
            tolerance: 1e-10,
            max_restarts: 20,
        }
    }
}

/// The minimum found and the work it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub point: Vec<f64>,
    pub value: f64,
    pub evaluations: usize,
    pub restarts: usize,
}

/// Minimises `objective` from `start`. Non-finite objective values count as
/// +∞, so the objective may refuse parameters by returning NaN.
pub fn minimize(objective: impl Fn(&[f64]) -> f64, start: &[f64], options: &FitOptions) -> Minimum {
    let guarded = |point: &[f64]| {
        let value = objective(point);
        if value.is_finite() {
            value
        } else {
            f64::INFINITY
        }
    };
    let mut best = start.to_vec();
    let mut best_value = guarded(&best);
    let mut evaluations = 1;
    let mut restarts = 0;
    loop {
        let budget = options.max_evaluations.saturating_sub(evaluations);
        let run = nelder_mead(&guarded, &best, options.tolerance, budget);
        evaluations += run.evaluations;
        let improvement = best_value - run.value;
        if run.value <= best_value {
            best = run.point;
            best_value = run.value;
        }
        // A restart that gains nothing beyond the tolerance confirms the
        // minimum; so does running out of budget.
        let converged = improvement.is_finite() && improvement <= options.tolerance;
        if converged || restarts >= options.max_restarts || evaluations >= options.max_evaluations {
            break;
        }
        restarts += 1;
    }
    Minimum {
        point: best,
        value: best_value,
        evaluations,
        restarts,
    }
}

/// One Nelder–Mead run with the standard coefficients (reflection 1,
/// expansion 2, contraction ½, shrink ½) from a simplex of steps 0.1 (on
/// log parameters: ±10 %) around `start`.
fn nelder_mead(
    objective: &impl Fn(&[f64]) -> f64,
    start: &[f64],
    tolerance: f64,
    budget: usize,
) -> Minimum {
    let dimension = start.len();
    let mut simplex: Vec<Vec<f64>> = vec![start.to_vec()];
    for axis in 0..dimension {
        let mut vertex = start.to_vec();
        vertex[axis] += if vertex[axis].abs() > 1.0 {
            0.1 * vertex[axis].abs()
        } else {
            0.1
        };
        simplex.push(vertex);
    }
    let mut values: Vec<f64> = simplex.iter().map(|vertex| objective(vertex)).collect();
    let mut evaluations = simplex.len();
    while evaluations < budget {
        order(&mut simplex, &mut values);
        let spread = values[dimension] - values[0];
        if spread <= tolerance || !values[0].is_finite() && !values[dimension].is_finite() {
            break;
        }
        let centroid = centroid_without_worst(&simplex);
        let worst = &simplex[dimension];
        let reflected = affine(&centroid, worst, -1.0);
        let reflected_value = objective(&reflected);
        evaluations += 1;
        if reflected_value < values[0] {
            let expanded = affine(&centroid, worst, -2.0);
            let expanded_value = objective(&expanded);
            evaluations += 1;
            let (vertex, value) = if expanded_value < reflected_value {
                (expanded, expanded_value)
            } else {
                (reflected, reflected_value)
            };
            simplex[dimension] = vertex;
            values[dimension] = value;
        } else if reflected_value < values[dimension - 1] {
            simplex[dimension] = reflected;
            values[dimension] = reflected_value;
        } else {
            // Contract towards the better of the worst and the reflection.
            let outside = reflected_value < values[dimension];
            let contracted = if outside {
                affine(&centroid, worst, -0.5)
            } else {
                affine(&centroid, worst, 0.5)
            };
            let contracted_value = objective(&contracted);
            evaluations += 1;
            let bound = if outside {
                reflected_value
            } else {
                values[dimension]
            };
            if contracted_value < bound {
                simplex[dimension] = contracted;
                values[dimension] = contracted_value;
            } else {
                evaluations += shrink(objective, &mut simplex, &mut values);
            }
        }
    }
    order(&mut simplex, &mut values);
    Minimum {
        point: simplex.swap_remove(0),
        value: values[0],
        evaluations,
        restarts: 0,
    }
}

/// Sorts vertices by objective value, best first.
fn order(simplex: &mut Vec<Vec<f64>>, values: &mut Vec<f64>) {
    let mut pairs: Vec<(f64, Vec<f64>)> = values.drain(..).zip(simplex.drain(..)).collect();
    pairs.sort_by(|left, right| left.0.total_cmp(&right.0));
    for (value, vertex) in pairs {
        values.push(value);
        simplex.push(vertex);
    }
}

fn centroid_without_worst(simplex: &[Vec<f64>]) -> Vec<f64> {
    let kept = &simplex[..simplex.len() - 1];
    let mut centroid = vec![0.0; simplex[0].len()];
    for vertex in kept {
        for (sum, coordinate) in centroid.iter_mut().zip(vertex) {
            *sum += coordinate;
        }
    }
    for sum in &mut centroid {
        *sum /= kept.len() as f64;
    }
    centroid
}

/// centroid + coefficient · (worst − centroid).
fn affine(centroid: &[f64], worst: &[f64], coefficient: f64) -> Vec<f64> {
    centroid
        .iter()
        .zip(worst)
        .map(|(c, w)| c + coefficient * (w - c))
        .collect()
}

/// Moves every vertex halfway towards the best one; returns evaluations.
fn shrink(
    objective: &impl Fn(&[f64]) -> f64,
    simplex: &mut [Vec<f64>],
    values: &mut [f64],
) -> usize {
    let best = simplex[0].clone();
    for (vertex, value) in simplex.iter_mut().zip(values.iter_mut()).skip(1) {
        for (coordinate, target) in vertex.iter_mut().zip(&best) {
            *coordinate = target + 0.5 * (*coordinate - target);
        }
        *value = objective(vertex);
    }
    simplex.len() - 1
}
