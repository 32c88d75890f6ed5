//! Synthetic customer bases drawn from the BG/NBD model, for demos,
//! benchmarks and parameter-recovery tests. Deterministic for a seed, with
//! a small self-contained generator (SplitMix64) so `journey` needs no RNG
//! dependency.

use super::bgnbd::BgNbd;
use super::summary::FrequencyRecency;

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, good enough for
/// simulation; not for cryptography.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1): never 0, so logs are safe.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1_u64 << 53) as f64
    }

    pub fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }

    pub fn standard_normal(&mut self) -> f64 {
        // Box–Muller; the second variate is discarded for simplicity.
        (-2.0 * self.uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * self.uniform()).cos()
    }

    /// Gamma(shape, rate) by Marsaglia & Tsang (2000), with the u^{1/shape}
    /// boost for shape < 1.
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            let boost = self.uniform().powf(1.0 / shape);
            return self.gamma(shape + 1.0, rate) * boost;
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let normal = self.standard_normal();
            let v = (1.0 + c * normal).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * normal * normal + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        x / (x + y)
    }
}

/// Draws one customer per entry of `ages` (T) from the BG/NBD model.
/// Purchase times are rounded down to multiples of `time_step` (for example
/// 1/7 for days in a weekly model; 0 keeps them continuous), and purchases
/// that fall on the same step as the previous one merge into it, as in a
/// summary of day-stamped purchases.
pub fn simulate_bg_nbd(
    model: &BgNbd,
    ages: &[f64],
    time_step: f64,
    seed: u64,
) -> Vec<FrequencyRecency> {
    let mut rng = SplitMix64::new(seed);
    ages.iter()
        .map(|&age| {
            let rate = rng.gamma(model.r, model.alpha);
            let dropout = rng.beta(model.a, model.b);
            let mut frequency = 0;
            let mut recency = 0.0;
            let mut time = 0.0;
            loop {
                time += rng.exponential(rate);
                let observed = if time_step > 0.0 {
                    (time / time_step).floor() * time_step
                } else {
                    time
                };
                if observed > age {
                    break;
                }
                if time_step > 0.0 && observed == recency {
                    // Same day as the previous purchase: one transaction,
                    // as the summary counts them.
                    continue;
                }
                frequency += 1;
                recency = observed;
                // The customer may drop out only after a repeat purchase.
                if rng.uniform() < dropout {
                    break;
                }
            }
            FrequencyRecency {
                frequency,
                recency,
                age,
            }
        })
        .collect()
}
