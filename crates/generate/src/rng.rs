//! A small, portable pseudo-random generator (xoshiro256++ seeded through
//! SplitMix64) and the few distributions the scenarios need. Our own code
//! rather than `rand` so that the byte stream is fixed by this file alone,
//! on every platform and across dependency upgrades.

/// The SplitMix64 finaliser: a bijection on `u64` that scatters nearby
/// inputs. Used to derive independent seeds and stable identifiers.
pub(crate) fn mix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream for one customer: a function of the dataset seed, a scenario
/// salt and the customer's index only, so that customer `i` is the same
/// whether 10 or 10 million customers are generated, in any chunking.
pub(crate) fn customer_seed(seed: u64, salt: u64, index: u64) -> u64 {
    mix64(mix64(seed ^ salt).wrapping_add(index.wrapping_mul(0xd1b5_4a32_d192_ed03)))
}

#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: [u64; 4],
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        let mut counter = seed;
        let mut next = || {
            counter = counter.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix64(counter)
        };
        Rng {
            state: [next(), next(), next(), next()],
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.state;
        let result = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        let t = s1 << 17;
        let mut s = [s0, s1, s2 ^ s0, s3 ^ s1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        self.state = s;
        result
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(crate) fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// Uniform in [0, n); `n` must be positive.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0) has no value to return");
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform integer in [low, high], inclusive.
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        assert!(low <= high, "empty range {low}..={high}");
        low + self.below((high - low) as u64 + 1) as i64
    }

    pub(crate) fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// Exponentially distributed with the given mean.
    pub(crate) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// Approximately normal (Irwin–Hall sum of four uniforms, rescaled):
    /// bounded to ±3.5 standard deviations, which keeps ratings and
    /// durations free of absurd outliers.
    pub(crate) fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let sum = self.unit() + self.unit() + self.unit() + self.unit();
        mean + sd * (sum - 2.0) * 3.0f64.sqrt()
    }

    /// A positive, right-skewed duration: the median times a log-normal-like
    /// factor, as handle and talk times are in contact centres.
    pub(crate) fn skewed(&mut self, median: f64) -> f64 {
        median * (self.normal(0.0, 0.5)).exp()
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with probability proportional to its weight.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut target = self.below(total);
        for (index, weight) in weights.iter().enumerate() {
            let weight = u64::from(*weight);
            if target < weight {
                return index;
            }
            target -= weight;
        }
        unreachable!("target lies below the total weight")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_is_fixed() {
        let mut rng = Rng::new(7);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        let mut again = Rng::new(7);
        let second: Vec<u64> = (0..3).map(|_| again.next_u64()).collect();
        assert_eq!(first, second);
        assert_ne!(Rng::new(8).next_u64(), first[0]);
    }

    #[test]
    fn distributions_have_their_means() {
        let mut rng = Rng::new(1);
        let n = 200_000;
        let mean = |values: Vec<f64>| values.iter().sum::<f64>() / values.len() as f64;
        let unit = mean((0..n).map(|_| rng.unit()).collect());
        let exponential = mean((0..n).map(|_| rng.exponential(30.0)).collect());
        let normal = mean((0..n).map(|_| rng.normal(5.0, 2.0)).collect());
        assert!((unit - 0.5).abs() < 0.01, "{unit}");
        assert!((exponential - 30.0).abs() < 0.5, "{exponential}");
        assert!((normal - 5.0).abs() < 0.05, "{normal}");
        let counts = (0..n).fold([0u32; 3], |mut counts, _| {
            counts[rng.weighted(&[1, 2, 7])] += 1;
            counts
        });
        assert!(
            (f64::from(counts[2]) / n as f64 - 0.7).abs() < 0.01,
            "{counts:?}"
        );
    }

    #[test]
    fn customer_seeds_differ() {
        assert_ne!(customer_seed(1, 0, 0), customer_seed(1, 0, 1));
        assert_ne!(customer_seed(1, 0, 0), customer_seed(2, 0, 0));
        assert_ne!(customer_seed(1, 0, 0), customer_seed(1, 5, 0));
    }
}
