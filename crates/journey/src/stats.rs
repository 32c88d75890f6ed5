//! Exact descriptive statistics shared by the kernels. Quantiles interpolate
//! linearly between closest ranks (Hyndman–Fan type 7), the definition of
//! DuckDB's `quantile_cont` and ClickHouse's `quantileExactInclusive`, so
//! results can be compared with those engines to the microsecond.

use serde::Serialize;

/// The `q` quantile (0 ≤ q ≤ 1) of values that are already sorted ascending.
/// `None` for no values.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    debug_assert!((0.0..=1.0).contains(&q), "quantile {q} outside [0, 1]");
    debug_assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "values not sorted");
    let last = sorted.len().checked_sub(1)?;
    let position = q * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

/// Summary of a sample of durations (or any values): count, mean, median,
/// 90th percentile, min, max and sample standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub mean: f64,
    pub median: f64,
    pub p90: f64,
    pub min: f64,
    pub max: f64,
    /// Sample standard deviation (n − 1); `None` below two values.
    pub stdev: Option<f64>,
}

impl Summary {
    /// Summarises `values`, sorting them in place. `None` for no values.
    pub fn of(values: &mut [f64]) -> Option<Summary> {
        values.sort_unstable_by(f64::total_cmp);
        let count = values.len();
        let min = *values.first()?;
        let max = *values.last()?;
        let mean = values.iter().sum::<f64>() / count as f64;
        let stdev = (count >= 2).then(|| {
            let squares: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
            (squares / (count - 1) as f64).sqrt()
        });
        Some(Summary {
            count: count as u64,
            mean,
            median: quantile_sorted(values, 0.5)?,
            p90: quantile_sorted(values, 0.9)?,
            min,
            max,
            stdev,
        })
    }
}

/// A mean with its 95 % confidence interval (normal approximation with the
/// t quantile for small samples).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanInterval {
    pub n: u64,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// Running sums for a mean and its interval; mergeable.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MeanAccumulator {
    pub n: u64,
    pub sum: f64,
    pub sum_squares: f64,
}

impl MeanAccumulator {
    pub fn add(&mut self, value: f64) {
        self.n += 1;
        self.sum += value;
        self.sum_squares += value * value;
    }

    pub fn merge(&mut self, other: &MeanAccumulator) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_squares += other.sum_squares;
    }

    /// The mean and its 95 % interval; `None` without values. With one value
    /// the interval is that value (no spread can be estimated).
    pub fn finish(&self) -> Option<MeanInterval> {
        if self.n == 0 {
            return None;
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        if self.n == 1 {
            return Some(MeanInterval { n: 1, mean, low: mean, high: mean });
        }
        let variance = ((self.sum_squares - n * mean * mean) / (n - 1.0)).max(0.0);
        let half_width = t_quantile_975(self.n - 1) * (variance / n).sqrt();
        Some(MeanInterval { n: self.n, mean, low: mean - half_width, high: mean + half_width })
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom, exact
/// to three decimals for small `df` (table) and by the Cornish–Fisher
/// expansion above 30.
pub fn t_quantile_975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            let z = 1.959_963_984_540_054_f64;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_duckdb() {
        let check = |values: &[f64], q: f64, expected: Option<f64>| {
            assert_eq!(quantile_sorted(values, q), expected, "{values:?} q={q}");
        };
        check(&[], 0.5, None);
        check(&[7.0], 0.9, Some(7.0));
        check(&[1.0, 2.0], 0.5, Some(1.5));
        check(&[1.0, 2.0, 3.0, 4.0], 0.5, Some(2.5));
        // DuckDB: SELECT quantile_cont(x, 0.9) FROM range(1, 11) t(x) → 9.1
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile_sorted(&ten, 0.9).expect("values") - 9.1).abs() < 1e-12);
        check(&ten, 0.0, Some(1.0));
        check(&ten, 1.0, Some(10.0));
    }

    #[test]
    fn summary_of_sample() {
        let summary = Summary::of(&mut [4.0, 1.0, 3.0, 2.0]).expect("values");
        assert_eq!(summary.count, 4);
        assert_eq!(summary.mean, 2.5);
        assert_eq!(summary.median, 2.5);
        assert_eq!(summary.min, 1.0);
        assert_eq!(summary.max, 4.0);
        let stdev = summary.stdev.expect("two or more values");
        assert!((stdev - 1.290_994_448_735_805_6).abs() < 1e-12);
        assert_eq!(Summary::of(&mut [5.0]).expect("value").stdev, None);
        assert!(Summary::of(&mut []).is_none());
    }

    #[test]
    fn mean_interval_matches_hand_computation() {
        let mut accumulator = MeanAccumulator::default();
        for value in [0.5, -0.5, 1.0, 0.0] {
            accumulator.add(value);
        }
        let interval = accumulator.finish().expect("values");
        // mean 0.25, sample sd 0.6455, se 0.32275, t(3) = 3.182
        assert!((interval.mean - 0.25).abs() < 1e-12);
        assert!((interval.high - (0.25 + 3.182 * 0.322_748_612_183_951_2)).abs() < 1e-9);
        let mut left = MeanAccumulator::default();
        left.add(0.5);
        left.add(-0.5);
        let mut right = MeanAccumulator::default();
        right.add(1.0);
        right.add(0.0);
        left.merge(&right);
        assert_eq!(left, accumulator);
    }

    #[test]
    fn t_quantile_is_continuous_at_table_end() {
        assert!((t_quantile_975(30) - t_quantile_975(31)).abs() < 0.01);
        assert!((t_quantile_975(1_000_000) - 1.96).abs() < 1e-3);
    }
}
