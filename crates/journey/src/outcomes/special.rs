//! The distribution functions the tests of the outcome analyses need: the
//! standard normal CDF (through erfc), Student's t CDF (through the
//! regularized incomplete beta function) and its two-sided 95 % quantile for
//! fractional degrees of freedom (Welch). Written here because `journey`
//! takes no numerical dependencies.

use crate::value::special::ln_gamma;

/// Relative precision the series and continued fractions stop at.
const EPSILON: f64 = 1e-16;
/// Guards the continued fractions against division by zero (modified Lentz).
const TINY: f64 = 1e-300;
const ITERATIONS: usize = 10_000;

/// The complementary error function, erfc(x) = 1 − erf(x), to about 1e-13
/// relative (the worst just below 2, where 1 − erf cancels). Below |x| = 2: the everywhere-positive series
/// erf(x) = 2/√π e^{−x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)) (Abramowitz & Stegun
/// 7.1.6), which has no cancellation; from 2 on: the continued fraction
/// erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (A&S
/// 7.1.14) by Lentz's method, which keeps the tail's relative precision.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        return 1.0 - erf_series(x);
    }
    erfc_continued_fraction(x)
}

fn erf_series(x: f64) -> f64 {
    let x2 = x * x;
    let mut term = x;
    let mut sum = x;
    for n in 1..ITERATIONS {
        term *= 2.0 * x2 / (2 * n + 1) as f64;
        sum += term;
        if term <= sum * EPSILON {
            break;
        }
    }
    2.0 / std::f64::consts::PI.sqrt() * (-x2).exp() * sum
}

fn erfc_continued_fraction(x: f64) -> f64 {
    // Lentz on K(a_k / (x)) with a_1 = 1 and a_k = (k − 1)/2 afterwards.
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for k in 1..ITERATIONS {
        let a = k as f64 / 2.0;
        d = x + a * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = x + a / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < EPSILON {
            break;
        }
    }
    (-x * x).exp() / std::f64::consts::PI.sqrt() / f
}

/// The standard normal CDF Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Two-sided p-value of a standard normal statistic: 2 Φ(−|z|).
pub fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// The regularized incomplete beta function I_x(a, b) for a, b > 0 and
/// 0 ≤ x ≤ 1, by the continued fraction of Numerical Recipes §6.4 (modified
/// Lentz), using I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges
/// slowly.
pub fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    debug_assert!(a > 0.0 && b > 0.0, "I_x({a}, {b}) outside its domain");
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..ITERATIONS {
        let m = m as f64;
        let m2 = 2.0 * m;
        // The even step of the fraction.
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        // The odd step.
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPSILON {
            break;
        }
    }
    h
}

/// Two-sided p-value of Student's t statistic with `df` > 0 degrees of
/// freedom (fractional allowed): P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2).
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    debug_assert!(df > 0.0, "t distribution with {df} degrees of freedom");
    if t.is_nan() {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// Student's t CDF with `df` > 0 degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * t_two_sided_p(t, df);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The 97.5 % quantile of Student's t with `df` > 0 (fractional) degrees of
/// freedom, found by bisection on [`t_two_sided_p`] to 1e-12.
pub fn t_quantile_975(df: f64) -> f64 {
    debug_assert!(df > 0.0, "t distribution with {df} degrees of freedom");
    let mut low = 0.0_f64;
    let mut high = 1.0_f64;
    while t_two_sided_p(high, df) > 0.05 {
        high *= 2.0;
    }
    while high - low > 1e-12 * high {
        let middle = 0.5 * (low + high);
        if t_two_sided_p(middle, df) > 0.05 {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, relative: f64) -> bool {
        (actual - expected).abs() <= relative * expected.abs().max(1e-300)
    }

    #[test]
    fn erfc_matches_tables() {
        // Expected values from scipy 1.17.1 (`scipy.special.erfc`).
        let check = |x: f64, expected: f64| {
            let actual = erfc(x);
            assert!(
                close(actual, expected, 5e-13),
                "erfc({x}) = {actual}, expected {expected}"
            );
        };
        check(0.0, 1.0);
        check(0.5, 0.479_500_122_186_953_5);
        check(1.0, 0.157_299_207_050_285_16);
        check(1.999, 0.004_698_443_348_629_486_5);
        check(2.0, 0.004_677_734_981_047_266);
        check(3.0, 2.209_049_699_858_544e-5);
        check(6.0, 2.151_973_671_249_891_3e-17);
        check(-1.0, 1.842_700_792_949_714_8);
    }

    #[test]
    fn normal_cdf_matches_known_values() {
        let check = |z: f64, expected: f64| {
            let actual = normal_cdf(z);
            assert!(
                close(actual, expected, 1e-12),
                "Φ({z}) = {actual}, expected {expected}"
            );
        };
        check(0.0, 0.5);
        check(1.959_963_984_540_054, 0.975);
        check(-1.959_963_984_540_054, 0.025);
        check(1.0, 0.841_344_746_068_542_9);
        check(-3.0, 0.001_349_898_031_630_093_3);
        assert!(close(
            normal_two_sided_p(2.0),
            0.045_500_263_896_358_39,
            1e-12
        ));
    }

    #[test]
    fn t_distribution_matches_known_values() {
        // Two-sided p-values from scipy 1.17.1: 2 * stats.t.sf(abs(t), df).
        let check = |t: f64, df: f64, expected: f64| {
            let actual = t_two_sided_p(t, df);
            assert!(
                close(actual, expected, 1e-9),
                "p({t}, {df}) = {actual}, expected {expected}"
            );
        };
        check(2.0, 10.0, 0.073_388_034_770_740_37);
        check(-2.0, 10.0, 0.073_388_034_770_740_37);
        check(0.0, 5.0, 1.0);
        check(1.0, 1.0, 0.5);
        check(2.228_138_851_986_273, 10.0, 0.05);
        check(3.5, 4.5, 0.020_541_689_969_385_577);
        check(1.5, 200.0, 0.135_191_321_227_034_9);
        assert!(close(
            t_cdf(2.0, 10.0),
            1.0 - 0.036_694_017_385_370_18,
            1e-9
        ));
        assert!(close(t_cdf(-2.0, 10.0), 0.036_694_017_385_370_18, 1e-9));
    }

    #[test]
    fn t_quantile_inverts_the_cdf() {
        // scipy 1.17.1: stats.t.ppf(0.975, df).
        let check = |df: f64, expected: f64| {
            let actual = t_quantile_975(df);
            assert!(
                close(actual, expected, 1e-9),
                "q({df}) = {actual}, expected {expected}"
            );
        };
        check(1.0, 12.706_204_736_174_694);
        check(10.0, 2.228_138_851_986_273);
        check(30.0, 2.042_272_456_301_238);
        check(7.5, 2.333_039_626_864_974);
    }

    #[test]
    fn incomplete_beta_matches_closed_forms() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b.
        for x in [0.0, 0.1, 0.5, 0.77, 1.0] {
            assert!((regularized_incomplete_beta(1.0, 1.0, x) - x).abs() < 1e-14);
            assert!((regularized_incomplete_beta(3.5, 1.0, x) - x.powf(3.5)).abs() < 1e-14);
            let expected = 1.0 - (1.0 - x).powf(2.5);
            assert!((regularized_incomplete_beta(1.0, 2.5, x) - expected).abs() < 1e-14);
        }
    }
}
