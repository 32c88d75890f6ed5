//! Small dense linear algebra for the outcome analyses: Gaussian elimination
//! with partial pivoting (the absorbing Markov chain) and the sweep operator
//! on a correlation matrix (R² of every driver subset).

/// Solves `matrix · x = rhs` for a square `matrix` given row by row, by
/// Gaussian elimination with partial pivoting. `None` when the matrix is
/// singular (a pivot below 1e-12 times the largest entry of its column).
pub fn solve_linear_system(matrix: &[Vec<f64>], rhs: &[f64]) -> Option<Vec<f64>> {
    let n = rhs.len();
    assert!(
        matrix.len() == n && matrix.iter().all(|row| row.len() == n),
        "matrix is not {n} × {n}"
    );
    let mut rows: Vec<Vec<f64>> = matrix
        .iter()
        .zip(rhs)
        .map(|(row, &b)| {
            let mut augmented = row.clone();
            augmented.push(b);
            augmented
        })
        .collect();
    let scale = matrix
        .iter()
        .flatten()
        .fold(0.0_f64, |largest, v| largest.max(v.abs()));
    for column in 0..n {
        let pivot_row = (column..n)
            .max_by(|&a, &b| rows[a][column].abs().total_cmp(&rows[b][column].abs()))
            .expect("a non-empty range of rows");
        if rows[pivot_row][column].abs() <= 1e-12 * scale {
            return None;
        }
        rows.swap(column, pivot_row);
        let pivot = rows[column].clone();
        for row in rows.iter_mut().skip(column + 1) {
            let factor = row[column] / pivot[column];
            if factor != 0.0 {
                for (entry, &p) in row.iter_mut().zip(&pivot).skip(column) {
                    *entry -= factor * p;
                }
            }
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let known: f64 = (i + 1..n).map(|j| rows[i][j] * x[j]).sum();
        x[i] = (rows[i][n] - known) / rows[i][i];
    }
    Some(x)
}

/// The R² of the least-squares regression of the last variable of the
/// correlation matrix `correlation` (size p + 1) on the variables whose bits
/// are set in `subset`. Sweeps the chosen variables one by one; a variable
/// whose residual variance given those swept before is below 1e-10 is a
/// linear combination of them (or constant, with a zero diagonal) and adds
/// nothing, so it is skipped.
pub(crate) fn r_squared_of_subset(correlation: &[Vec<f64>], subset: u32) -> f64 {
    let size = correlation.len();
    let outcome = size - 1;
    let mut a: Vec<Vec<f64>> = correlation.to_vec();
    for k in 0..outcome {
        if subset & (1 << k) == 0 || a[k][k] < 1e-10 {
            continue;
        }
        sweep(&mut a, k);
    }
    (1.0 - a[outcome][outcome]).clamp(0.0, 1.0)
}

/// The sweep operator on pivot `k` of a symmetric matrix (Goodnight 1979):
/// afterwards the untouched block holds residual covariances given `k`.
fn sweep(a: &mut [Vec<f64>], k: usize) {
    let size = a.len();
    let pivot = a[k][k];
    for i in 0..size {
        for j in 0..size {
            if i != k && j != k {
                a[i][j] -= a[i][k] * a[k][j] / pivot;
            }
        }
    }
    for (i, row) in a.iter_mut().enumerate() {
        if i != k {
            row[k] /= pivot;
        }
    }
    for (i, entry) in a[k].iter_mut().enumerate() {
        if i != k {
            *entry /= pivot;
        }
    }
    a[k][k] = -1.0 / pivot;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_small_systems() {
        let check = |matrix: &[&[f64]], rhs: &[f64], expected: Option<&[f64]>| {
            let matrix: Vec<Vec<f64>> = matrix.iter().map(|row| row.to_vec()).collect();
            let actual = solve_linear_system(&matrix, rhs);
            match (actual, expected) {
                (Some(actual), Some(expected)) => {
                    for (a, e) in actual.iter().zip(expected) {
                        assert!((a - e).abs() < 1e-12, "{actual:?} vs {expected:?}");
                    }
                }
                (None, None) => {}
                (actual, expected) => panic!("{actual:?} vs {expected:?}"),
            }
        };
        check(&[&[2.0]], &[4.0], Some(&[2.0]));
        // Needs a row swap: the first pivot is zero.
        check(&[&[0.0, 1.0], &[1.0, 0.0]], &[3.0, 5.0], Some(&[5.0, 3.0]));
        // x + y + z = 6, 2y + 5z = −4, 2x + 5y − z = 27 → (5, 3, −2).
        check(
            &[&[1.0, 1.0, 1.0], &[0.0, 2.0, 5.0], &[2.0, 5.0, -1.0]],
            &[6.0, -4.0, 27.0],
            Some(&[5.0, 3.0, -2.0]),
        );
        check(&[&[1.0, 2.0], &[2.0, 4.0]], &[1.0, 2.0], None);
    }

    #[test]
    fn r_squared_of_two_correlated_predictors() {
        // r1 = 0.5, r2 = 0.3, r12 = 0.4: R²(1,2) = (r1² + r2² − 2 r1 r2 r12)
        // ÷ (1 − r12²) = (0.25 + 0.09 − 0.12) / 0.84.
        let correlation = vec![
            vec![1.0, 0.4, 0.5],
            vec![0.4, 1.0, 0.3],
            vec![0.5, 0.3, 1.0],
        ];
        let check = |subset: u32, expected: f64| {
            let actual = r_squared_of_subset(&correlation, subset);
            assert!(
                (actual - expected).abs() < 1e-12,
                "{subset}: {actual} vs {expected}"
            );
        };
        check(0b00, 0.0);
        check(0b01, 0.25);
        check(0b10, 0.09);
        check(0b11, 0.22 / 0.84);
    }

    #[test]
    fn r_squared_skips_collinear_and_constant_predictors() {
        // Predictor 1 duplicates predictor 0; predictor 2 is constant.
        let correlation = vec![
            vec![1.0, 1.0, 0.0, 0.6],
            vec![1.0, 1.0, 0.0, 0.6],
            vec![0.0, 0.0, 0.0, 0.0],
            vec![0.6, 0.6, 0.0, 1.0],
        ];
        for subset in [0b001, 0b011, 0b111, 0b110] {
            let actual = r_squared_of_subset(&correlation, subset);
            assert!((actual - 0.36).abs() < 1e-12, "{subset}: {actual}");
        }
        assert_eq!(r_squared_of_subset(&correlation, 0b100), 0.0);
    }
}
