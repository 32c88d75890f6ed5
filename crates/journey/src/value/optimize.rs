//! The optimisers behind the maximum-likelihood fits. Nelder–Mead with
//! restarts for likelihoods without a convenient gradient (Pareto/NBD,
//! whose gradient needs derivatives of 2F1 in its parameters;
//! Gamma-Gamma): restarting from the best vertex until no restart improves
//! removes the method's habit of stalling on a collapsed simplex (Lagarias
//! et al. 1998; Numerical Recipes §10.5). BFGS with an analytic gradient
//! where one is cheap (BG/NBD): a few dozen evaluations instead of a
//! thousand, which is what makes a million customers fit in seconds
//! (Nocedal & Wright, Numerical Optimization, 2nd ed., §6.1).

use serde::Serialize;

/// Stopping rules for [`minimize`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FitOptions {
    /// Upper bound on objective evaluations over all restarts.
    pub max_evaluations: usize,
    /// Relative tolerance: a Nelder–Mead run stops once the simplex's
    /// objective values lie within tolerance × (1 + |f|) of each other;
    /// BFGS stops once every gradient component or a step's decrease is
    /// that small.
    pub tolerance: f64,
    /// Largest number of restarts from the best point.
    pub max_restarts: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_evaluations: 20_000,
            tolerance: 1e-12,
            max_restarts: 20,
        }
    }
}

impl FitOptions {
    pub fn validate(&self) -> Result<(), super::ValueError> {
        if self.max_evaluations == 0 {
            return Err(super::ValueError::InvalidOption {
                name: "max_evaluations",
                reason: "must be at least 1",
            });
        }
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(super::ValueError::InvalidOption {
                name: "tolerance",
                reason: "must be finite and non-negative",
            });
        }
        Ok(())
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
        let converged =
            improvement.is_finite() && improvement <= options.tolerance * (1.0 + best_value.abs());
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
        if spread <= tolerance * (1.0 + values[0].abs())
            || !values[0].is_finite() && !values[dimension].is_finite()
        {
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

/// Minimises `objective`, which returns the value and its gradient, from
/// `start` by BFGS with a backtracking (Armijo) line search whose steps are
/// capped at length 1 (a factor e on log parameters). Non-finite values
/// are rejected by the line search.
pub fn minimize_with_gradient(
    objective: impl Fn(&[f64]) -> (f64, Vec<f64>),
    start: &[f64],
    options: &FitOptions,
) -> Minimum {
    let dimension = start.len();
    let mut point = start.to_vec();
    let (mut value, mut gradient) = objective(&point);
    let mut evaluations = 1;
    let mut inverse_hessian = identity(dimension);
    let mut restarts = 0;
    let mut first_step = true;
    while evaluations < options.max_evaluations && value.is_finite() {
        let scale = options.tolerance * (1.0 + value.abs());
        if gradient.iter().all(|g| g.abs() <= scale) {
            break;
        }
        let mut direction = multiply(&inverse_hessian, &gradient, -1.0);
        let mut slope = dot(&gradient, &direction);
        if slope >= 0.0 {
            // Not a descent direction: forget the curvature estimate.
            inverse_hessian = identity(dimension);
            direction = gradient.iter().map(|g| -g).collect();
            slope = dot(&gradient, &direction);
            restarts += 1;
        }
        let longest = direction.iter().fold(0.0_f64, |m, d| m.max(d.abs()));
        let mut step = if longest > 1.0 { 1.0 / longest } else { 1.0 };
        let accepted = loop {
            let candidate: Vec<f64> = point
                .iter()
                .zip(&direction)
                .map(|(x, d)| x + step * d)
                .collect();
            let (candidate_value, candidate_gradient) = objective(&candidate);
            evaluations += 1;
            if candidate_value.is_finite()
                && candidate_value < value
                && candidate_value <= value + 1e-4 * step * slope
            {
                break Some((candidate, candidate_value, candidate_gradient));
            }
            step *= 0.5;
            if step < 1e-16 || evaluations >= options.max_evaluations {
                break None;
            }
        };
        // No decrease along a descent direction: the minimum is resolved to
        // floating-point precision.
        let Some((next, next_value, next_gradient)) = accepted else {
            break;
        };
        let s: Vec<f64> = next.iter().zip(&point).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = next_gradient
            .iter()
            .zip(&gradient)
            .map(|(a, b)| a - b)
            .collect();
        if first_step {
            // Scale the initial guess to the observed curvature (Nocedal &
            // Wright eq. 6.20) so the first steps are neither tiny nor wild.
            let scale = dot(&s, &y) / dot(&y, &y);
            if scale.is_finite() && scale > 0.0 {
                inverse_hessian = identity(dimension);
                inverse_hessian
                    .iter_mut()
                    .enumerate()
                    .for_each(|(i, row)| row[i] = scale);
            }
            first_step = false;
        }
        update_inverse_hessian(&mut inverse_hessian, &s, &y);
        let decrease = value - next_value;
        point = next;
        value = next_value;
        gradient = next_gradient;
        // Near the optimum the gradient stalls at the rounding noise of a
        // large sum; a decrease this small means the value has converged.
        if decrease <= options.tolerance * (1.0 + value.abs()) {
            break;
        }
    }
    Minimum {
        point,
        value,
        evaluations,
        restarts,
    }
}

fn identity(dimension: usize) -> Vec<Vec<f64>> {
    (0..dimension)
        .map(|i| {
            (0..dimension)
                .map(|j| if i == j { 1.0 } else { 0.0 })
                .collect()
        })
        .collect()
}

fn dot(left: &[f64], right: &[f64]) -> f64 {
    left.iter().zip(right).map(|(a, b)| a * b).sum()
}

/// factor · matrix · vector.
fn multiply(matrix: &[Vec<f64>], vector: &[f64], factor: f64) -> Vec<f64> {
    matrix.iter().map(|row| factor * dot(row, vector)).collect()
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / (yᵀ s), skipped
/// when the curvature condition yᵀ s > 0 fails (it keeps H positive
/// definite).
fn update_inverse_hessian(inverse_hessian: &mut [Vec<f64>], s: &[f64], y: &[f64]) {
    let curvature = dot(y, s);
    let enough = curvature > 1e-12 * dot(s, s).sqrt() * dot(y, y).sqrt();
    if !enough || curvature.is_nan() {
        return;
    }
    let rho = 1.0 / curvature;
    let hy = multiply(inverse_hessian, y, 1.0);
    let yhy = dot(y, &hy);
    let n = s.len();
    for i in 0..n {
        for j in 0..n {
            inverse_hessian[i][j] +=
                -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}
