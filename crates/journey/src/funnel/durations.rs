//! Duration distributions shared by funnels and paths: exact mean, median
//! and p90 in seconds plus a fixed-count, equal-width histogram, computed
//! from every duration kept in integer microseconds so that the result does
//! not depend on the order in which partial results were merged.

use crate::stats::quantile_sorted;
use serde::Serialize;

const US_PER_S: f64 = 1_000_000.0;

/// One histogram bin: durations in `[from_s, to_s)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistogramBin {
    pub from_s: f64,
    pub to_s: f64,
    pub count: u64,
}

/// Distribution of a set of durations. Statistics are `None` (JSON null)
/// when there are no durations; the histogram is then empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationStats {
    pub count: u64,
    pub mean_s: Option<f64>,
    pub median_s: Option<f64>,
    pub p90_s: Option<f64>,
    pub histogram: Vec<HistogramBin>,
}

impl DurationStats {
    /// Summarises durations in microseconds, sorting them in place. The
    /// histogram spans `[min, max]` in `bins` bins of equal integer width.
    pub fn of(durations_us: &mut [i64], bins: usize) -> DurationStats {
        durations_us.sort_unstable();
        let count = durations_us.len();
        if count == 0 {
            return DurationStats {
                count: 0,
                mean_s: None,
                median_s: None,
                p90_s: None,
                histogram: Vec::new(),
            };
        }
        let sum_us: i128 = durations_us.iter().map(|&d| i128::from(d)).sum();
        let as_f64: Vec<f64> = durations_us.iter().map(|&d| d as f64).collect();
        let quantile_s = |q: f64| quantile_sorted(&as_f64, q).map(|us| us / US_PER_S);
        DurationStats {
            count: count as u64,
            mean_s: Some(sum_us as f64 / count as f64 / US_PER_S),
            median_s: quantile_s(0.5),
            p90_s: quantile_s(0.9),
            histogram: histogram(durations_us, bins),
        }
    }
}

/// Equal-width bins over the sorted, non-empty `sorted_us`: the width is
/// the smallest whole number of microseconds that fits `bins` bins over
/// `[min, max]`, so every bin edge is exact.
fn histogram(sorted_us: &[i64], bins: usize) -> Vec<HistogramBin> {
    assert!(bins > 0, "validation requires at least one bin");
    let min_us = i128::from(sorted_us[0]);
    let span_us = i128::from(sorted_us[sorted_us.len() - 1]) - min_us;
    let n_bins = bins as i128;
    let width_us = (span_us + n_bins) / n_bins;
    let mut counts = vec![0_u64; bins];
    // Sorted values fill the bins in order: walk them once instead of
    // dividing per value.
    let mut bin = 0;
    for &duration in sorted_us {
        while i128::from(duration) >= min_us + (bin as i128 + 1) * width_us {
            bin += 1;
        }
        counts[bin] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(idx, count)| {
            let from_us = min_us + idx as i128 * width_us;
            HistogramBin {
                from_s: from_us as f64 / US_PER_S,
                to_s: (from_us + width_us) as f64 / US_PER_S,
                count,
            }
        })
        .collect()
}

/// The smallest customer keys seen, at most `limit` of them: a bounded,
/// deterministic sample that merges exactly (the smallest keys of a union
/// are among the smallest keys of its parts).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SmallestKeys {
    keys: Vec<u64>,
}

impl SmallestKeys {
    pub fn insert(&mut self, key: u64, limit: usize) {
        if self.keys.len() == limit && self.keys.last().is_none_or(|&last| key >= last) {
            return;
        }
        if let Err(idx) = self.keys.binary_search(&key) {
            self.keys.insert(idx, key);
            self.keys.truncate(limit);
        }
    }

    pub fn merge(&mut self, other: &SmallestKeys, limit: usize) {
        for &key in &other.keys {
            self.insert(key, limit);
        }
    }

    pub fn keys(&self) -> &[u64] {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_and_bins_are_exact() {
        let mut durations = vec![4_000_000, 1_000_000, 2_000_000, 3_000_000];
        let stats = DurationStats::of(&mut durations, 3);
        assert_eq!(stats.count, 4);
        assert_eq!(stats.mean_s, Some(2.5));
        assert_eq!(stats.median_s, Some(2.5));
        assert_eq!(stats.p90_s, Some(3.7));
        // span 3 s + 1 µs over 3 bins → width 1 s + 1 µs (rounded up).
        let counts: Vec<u64> = stats.histogram.iter().map(|bin| bin.count).collect();
        assert_eq!(counts, [2, 1, 1]);
        assert_eq!(stats.histogram[0].from_s, 1.0);
        assert_eq!(stats.histogram[0].to_s, 2.000_001);
        let single = DurationStats::of(&mut [7], 2);
        assert_eq!(
            single
                .histogram
                .iter()
                .map(|bin| bin.count)
                .collect::<Vec<_>>(),
            [1, 0]
        );
        assert_eq!(DurationStats::of(&mut [], 2).mean_s, None);
    }

    #[test]
    fn smallest_keys_merge_like_a_union() {
        let mut left = SmallestKeys::default();
        let mut right = SmallestKeys::default();
        for key in [9, 3, 7, 3] {
            left.insert(key, 3);
        }
        for key in [1, 8, 2] {
            right.insert(key, 3);
        }
        assert_eq!(left.keys(), [3, 7, 9]);
        left.merge(&right, 3);
        assert_eq!(left.keys(), [1, 2, 3]);
        let mut none = SmallestKeys::default();
        none.insert(5, 0);
        assert!(none.keys().is_empty());
    }
}
