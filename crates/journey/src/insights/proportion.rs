//! Statistics of proportions and counts for the insight kernels: Wilson
//! intervals, the difference of two proportions with Newcombe's interval
//! and a two-proportion z-test, odds ratios with a +1 prior, and a least
//! squares slope. All closed-form, so results do not depend on how the
//! counts were gathered.

use serde::Serialize;

/// The 97.5 % quantile of the standard normal distribution.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// A share with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    pub hits: u64,
    pub n: u64,
    /// `hits / n`; 0 when `n` is 0.
    pub rate: f64,
    pub low: f64,
    pub high: f64,
}

impl Proportion {
    /// The share `hits / n` and its Wilson interval; with `n = 0` the rate is
    /// 0 and the interval the whole of [0, 1].
    pub fn of(hits: u64, n: u64) -> Proportion {
        assert!(hits <= n, "{hits} hits out of {n}");
        let (low, high) = wilson_interval(hits, n);
        let rate = if n == 0 { 0.0 } else { hits as f64 / n as f64 };
        Proportion {
            hits,
            n,
            rate,
            low,
            high,
        }
    }
}

/// The 95 % Wilson score interval of `hits` out of `n` (Wilson 1927): the
/// interval recommended by Brown, Cai and DasGupta (2001), good also near 0
/// and 1 where the Wald interval collapses.
pub fn wilson_interval(hits: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = hits as f64 / n_f;
    let z2 = Z_975 * Z_975;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z_975 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denominator;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Two groups' shares, their difference `first − second` with its 95 %
/// interval and a two-sided two-proportion z-test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    pub first: Proportion,
    pub second: Proportion,
    /// `first.rate − second.rate`.
    pub difference: f64,
    /// Newcombe's hybrid score interval of the difference (method 10 of
    /// Newcombe 1998): combines the two Wilson intervals, keeps inside
    /// [−1, 1] and holds its coverage for small or extreme shares, where the
    /// Wald interval `d ± 1.96·√(p₁q₁/n₁ + p₂q₂/n₂)` does not.
    pub low: f64,
    pub high: f64,
    /// The pooled two-proportion z statistic; 0 when undefined (an empty
    /// group, or both shares 0 or both 1).
    pub z: f64,
    /// Two-sided p-value of `z`.
    pub p_value: f64,
}

impl Comparison {
    pub fn of(first_hits: u64, first_n: u64, second_hits: u64, second_n: u64) -> Comparison {
        let first = Proportion::of(first_hits, first_n);
        let second = Proportion::of(second_hits, second_n);
        let difference = first.rate - second.rate;
        let low = difference
            - ((first.rate - first.low).powi(2) + (second.high - second.rate).powi(2)).sqrt();
        let high = difference
            + ((first.high - first.rate).powi(2) + (second.rate - second.low).powi(2)).sqrt();
        let z = two_proportion_z(first_hits, first_n, second_hits, second_n);
        Comparison {
            first,
            second,
            difference,
            low,
            high,
            z,
            p_value: two_sided_p(z),
        }
    }
}

/// The pooled two-proportion z statistic `(p₁ − p₂) / √(p(1−p)(1/n₁ + 1/n₂))`
/// with `p` the pooled share; 0 when either group is empty or the pooled
/// share is 0 or 1.
pub fn two_proportion_z(first_hits: u64, first_n: u64, second_hits: u64, second_n: u64) -> f64 {
    if first_n == 0 || second_n == 0 {
        return 0.0;
    }
    let (n1, n2) = (first_n as f64, second_n as f64);
    let pooled = (first_hits + second_hits) as f64 / (n1 + n2);
    let variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    if variance <= 0.0 {
        return 0.0;
    }
    (first_hits as f64 / n1 - second_hits as f64 / n2) / variance.sqrt()
}

/// The one-sample z-score of a share against an expected share `p0`:
/// `(hits/n − p0) / √(p0(1−p0)/n)` (the normal approximation of the
/// binomial test); 0 when `n` is 0 or `p0` is 0 or 1.
pub fn binomial_z(hits: u64, n: u64, p0: f64) -> f64 {
    if n == 0 || p0 <= 0.0 || p0 >= 1.0 {
        return 0.0;
    }
    let n_f = n as f64;
    (hits as f64 / n_f - p0) / (p0 * (1.0 - p0) / n_f).sqrt()
}

/// Two-sided p-value of a standard normal statistic.
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// The standard normal distribution function.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The complementary error function, to a relative error below 1.2e-7
/// everywhere (Numerical Recipes' Chebyshev fit, `erfcc`).
fn erfc(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let value = t * poly.exp();
    if x >= 0.0 { value } else { 2.0 - value }
}

/// An odds ratio of a 2×2 table with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OddsRatio {
    pub odds_ratio: f64,
    pub low: f64,
    pub high: f64,
}

impl OddsRatio {
    /// The odds ratio `(a·d)/(b·c)` of exposed cases `a`, exposed non-cases
    /// `b`, unexposed cases `c` and unexposed non-cases `d`, each cell plus
    /// one (a +1 prior: finite for empty cells, and shrunk towards 1 for
    /// small ones), with Woolf's log interval `exp(ln OR ± 1.96·√Σ 1/cell)`
    /// over the same augmented cells.
    pub fn with_prior(a: u64, b: u64, c: u64, d: u64) -> OddsRatio {
        let [a, b, c, d] = [a, b, c, d].map(|cell| cell as f64 + 1.0);
        let log = (a * d / (b * c)).ln();
        let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
        OddsRatio {
            odds_ratio: log.exp(),
            low: (log - Z_975 * se).exp(),
            high: (log + Z_975 * se).exp(),
        }
    }
}

/// The least squares slope of `values` against their positions 0, 1, 2, …;
/// `None` below two values.
pub fn slope_per_step(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / n;
    let (mut covariance, mut variance) = (0.0, 0.0);
    for (x, y) in values.iter().enumerate() {
        let dx = x as f64 - mean_x;
        covariance += dx * (y - mean_y);
        variance += dx * dx;
    }
    Some(covariance / variance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} vs {expected}"
        );
    }

    #[test]
    fn wilson_interval_by_hand() {
        // 8 of 10: centre (0.8 + 1.92073/10)/1.384146 = 0.716741, half
        // 1.959964·√(0.016 + 0.0096037)/1.384146 = 0.226536.
        let (low, high) = wilson_interval(8, 10);
        close(low, 0.490_162, 1e-6);
        close(high, 0.943_318, 1e-6);
        // No hits: the lower end is 0 and the upper 3.8415/13.8415.
        let (low, high) = wilson_interval(0, 10);
        assert_eq!(low, 0.0);
        close(high, 0.277_533, 1e-6);
        assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
    }

    #[test]
    fn newcombe_difference_by_hand() {
        // Newcombe (1998), table II, example (a): 56/70 vs 48/80, method 10
        // gives 0.0524 to 0.3339 for the difference 0.2.
        let comparison = Comparison::of(56, 70, 48, 80);
        close(comparison.difference, 0.2, 1e-12);
        close(comparison.low, 0.0524, 1e-4);
        close(comparison.high, 0.3339, 1e-4);
        // Example (b): 9/10 vs 3/10 → 0.1705 to 0.8090.
        let comparison = Comparison::of(9, 10, 3, 10);
        close(comparison.low, 0.1705, 1e-4);
        close(comparison.high, 0.8090, 1e-4);
    }

    #[test]
    fn two_proportion_z_by_hand() {
        // Pooled 104/150 = 0.693333; se = √(0.693333·0.306667·(1/70+1/80))
        // = 0.075459; z = 0.2/0.075459 = 2.650172.
        close(two_proportion_z(56, 70, 48, 80), 2.650_172, 1e-5);
        close(two_sided_p(2.650_172), 0.008_045, 1e-6);
        assert_eq!(two_proportion_z(0, 10, 0, 10), 0.0);
        assert_eq!(two_proportion_z(1, 0, 0, 10), 0.0);
        close(normal_cdf(Z_975), 0.975, 1e-7);
        close(normal_cdf(0.0), 0.5, 1e-7);
        close(two_sided_p(0.0), 1.0, 1e-7);
    }

    #[test]
    fn binomial_z_by_hand() {
        // 30 of 100 against 0.2: (0.3 − 0.2)/√(0.2·0.8/100) = 0.1/0.04 = 2.5.
        close(binomial_z(30, 100, 0.2), 2.5, 1e-12);
        assert_eq!(binomial_z(3, 10, 0.0), 0.0);
        assert_eq!(binomial_z(0, 0, 0.5), 0.0);
    }

    #[test]
    fn odds_ratio_with_prior_by_hand() {
        // Cells 9, 19, 4, 64 after the prior: OR = 9·64/(19·4) = 7.578947;
        // se = √(1/9 + 1/19 + 1/4 + 1/64) = 0.655262.
        let ratio = OddsRatio::with_prior(8, 18, 3, 63);
        close(ratio.odds_ratio, 7.578_947, 1e-6);
        close(
            ratio.low,
            (7.578_947_f64.ln() - Z_975 * 0.655_262).exp(),
            1e-5,
        );
        close(
            ratio.high,
            (7.578_947_f64.ln() + Z_975 * 0.655_262).exp(),
            1e-4,
        );
        let empty = OddsRatio::with_prior(0, 0, 0, 0);
        assert_eq!(empty.odds_ratio, 1.0);
    }

    #[test]
    fn slope_by_hand() {
        assert_eq!(slope_per_step(&[1.0]), None);
        close(
            slope_per_step(&[1.0, 0.5, 0.0]).expect("values"),
            -0.5,
            1e-12,
        );
        // x̄ = 1.5, ȳ = 0.25; Σdx·dy = (−1.5)(0.25)+(−0.5)(−0.25)+(0.5)(0.75)+(1.5)(−0.75) = −1;
        // Σdx² = 5 → −0.2.
        close(
            slope_per_step(&[0.5, 0.0, 1.0, -0.5]).expect("values"),
            -0.2,
            1e-12,
        );
    }
}
