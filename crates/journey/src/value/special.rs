//! Special functions the customer-base and queueing models need: ln Γ, the
//! regularized incomplete gamma function and the Gauss hypergeometric
//! function 2F1 on [0, 1). Written here because `journey` takes no numerical
//! dependencies; each function cites the method it follows.

/// Relative precision the series and continued fractions stop at.
const EPSILON: f64 = 1e-16;
/// Guards the continued fractions against division by zero (modified Lentz).
const TINY: f64 = 1e-300;

/// Lanczos coefficients for g = 7, n = 9 (Godfrey's set, as in Numerical
/// Recipes 3rd ed. §6.1 and Boost's `lanczos13m53` predecessor); relative
/// error below 2e-15 for x > 0.
const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// ln Γ(x) for x > 0 by the Lanczos approximation; NaN for x ≤ 0 or NaN.
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x < 0.5 {
        // Reflection keeps the approximation in its accurate range:
        // Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let z = x - 1.0;
    let mut series = LANCZOS[0];
    for (k, coefficient) in LANCZOS.iter().enumerate().skip(1) {
        series += coefficient / (z + k as f64);
    }
    let t = z + LANCZOS_G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (z + 0.5) * t.ln() - t + series.ln()
}

/// ln of the regularized lower incomplete gamma function P(a, x) =
/// γ(a, x) / Γ(a), for a > 0 and x ≥ 0. Series for x < a + 1 and Lentz's
/// continued fraction for Q = 1 − P otherwise (Numerical Recipes §6.2);
/// working in logs keeps P meaningful where it underflows (x ≪ a), which
/// the Erlang A formulas need for hundreds of agents.
pub fn ln_gamma_p(a: f64, x: f64) -> f64 {
    debug_assert!(
        a > 0.0 && x >= 0.0,
        "ln_gamma_p({a}, {x}) outside its domain"
    );
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x < a + 1.0 {
        ln_gamma_p_prefactor(a, x) + gamma_series_tail(a, x).ln_1p()
    } else {
        (-gamma_q_continued_fraction(a, x)).ln_1p()
    }
}

/// ln(e^{−x} x^a / Γ(a + 1)), the factor in front of the series for P(a, x).
pub fn ln_gamma_p_prefactor(a: f64, x: f64) -> f64 {
    -x + a * x.ln() - ln_gamma(a + 1.0)
}

/// Σ_{k≥1} x^k / ((a+1)(a+2)…(a+k)): the series for P(a, x) divided by
/// its prefactor, less its leading 1. The same sum is the Erlang A function
/// A(a, x) − 1, which is why the leading term is left out: 1 + tail keeps
/// the tail exact when it is tiny (few callers per agent). Converges for
/// every x; used directly where x < a + 1.
pub fn gamma_series_tail(a: f64, x: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    let mut denominator = a;
    // Terms shrink once a + k > x; the bound covers x < a + 1 comfortably
    // (about 8·sqrt(a) terms near x ≈ a).
    for _ in 0..1_000_000 {
        denominator += 1.0;
        term *= x / denominator;
        sum += term;
        if term <= sum * EPSILON {
            break;
        }
    }
    sum
}

/// Q(a, x) = 1 − P(a, x) by the Legendre continued fraction with the modified
/// Lentz algorithm; converges quickly for x > a + 1.
fn gamma_q_continued_fraction(a: f64, x: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..1_000_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
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
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
}

/// Gauss hypergeometric 2F1(a, b; c; z) for 0 ≤ z < 1 by its power series,
/// Σ (a)_k (b)_k / ((c)_k k!) z^k. The terms eventually shrink like z^k, so
/// the cost grows as 1/(1 − z): fine for the BG/NBD forecast, where
/// z = t / (α + T + t) stays moderate for horizons comparable to the
/// observation period.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    debug_assert!(
        (0.0..1.0).contains(&z),
        "hyp2f1 series needs 0 ≤ z < 1, got {z}"
    );
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..10_000_000_u32 {
        let k = f64::from(k);
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        // Stop only once the terms are falling, so a slow start (large a, b)
        // cannot end the sum early.
        let ratio = (a + k + 1.0) * (b + k + 1.0) / ((c + k + 1.0) * (k + 2.0)) * z;
        if term.abs() <= sum.abs() * EPSILON && ratio.abs() < 1.0 {
            break;
        }
    }
    sum
}

/// 2F1(a, b; a + 1; z) for a > 0, b real and 0 ≤ z < 1, the form in the
/// Pareto/NBD likelihood (Fader & Hardie 2005 note, eq. 19–20).
///
/// Euler's transformation gives (1 − z)^{1−b} 2F1(1, a + 1 − b; a + 1; z),
/// and that function is B_z(a, 1 − b) z^{−a} (1 − z)^{b−1} a, the incomplete
/// beta function, whose continued fraction (Numerical Recipes §6.4, Gauss's
/// fraction for contiguous 2F1) converges in O(1/sqrt(1 − z)) steps instead
/// of the O(1/(1 − z)) terms of the power series. It stays valid for the
/// negative second beta parameter 1 − b that occurs here.
pub fn hyp2f1_c_is_a_plus_1(a: f64, b: f64, z: f64) -> f64 {
    debug_assert!(
        a > 0.0 && (0.0..1.0).contains(&z),
        "hyp2f1_c_is_a_plus_1({a}, {b}, {z})"
    );
    if z == 0.0 {
        return 1.0;
    }
    (1.0 - z).powf(1.0 - b) * incomplete_beta_fraction(a, 1.0 - b, z)
}

/// ln of [`hyp2f1_c_is_a_plus_1`]: the Pareto/NBD likelihood combines it
/// with powers that overflow for frequent buyers.
pub fn ln_hyp2f1_c_is_a_plus_1(a: f64, b: f64, z: f64) -> f64 {
    if z == 0.0 {
        return 0.0;
    }
    (1.0 - b) * (-z).ln_1p() + incomplete_beta_fraction(a, 1.0 - b, z).ln()
}

/// 2F1(a + b, 1; a + 1; x) as the continued fraction 1 / (1 + d1 / (1 + d2 /
/// …)) with d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
/// d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)), evaluated by modified Lentz.
fn incomplete_beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    let mut c = 1.0;
    let mut d = 0.0;
    let mut value = 1.0;
    for i in 1..10_000_000_u32 {
        let m = f64::from(i / 2);
        let numerator = if i % 2 == 1 {
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))
        } else {
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
        };
        d = 1.0 + numerator * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + numerator / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        value *= delta;
        if (delta - 1.0).abs() < EPSILON {
            break;
        }
    }
    1.0 / value
}

/// ln(e^x + e^y) without overflow.
pub fn ln_add_exp(x: f64, y: f64) -> f64 {
    let (high, low) = if x >= y { (x, y) } else { (y, x) };
    if low == f64::NEG_INFINITY {
        return high;
    }
    high + (low - high).exp().ln_1p()
}

/// (1 − q^k) / k for 0 < q ≤ 1, continuous at k = 0 where it is −ln q. The
/// Pareto/NBD forecast divides by s − 1, which the fit can put near zero.
pub fn one_minus_power_over_exponent(q: f64, k: f64) -> f64 {
    let ln_q = q.ln();
    if (k * ln_q).abs() < 1e-8 {
        // Two terms of the series −ln q (1 + k ln q / 2 + …).
        -ln_q * (1.0 + 0.5 * k * ln_q)
    } else {
        -(k * ln_q).exp_m1() / k
    }
}
