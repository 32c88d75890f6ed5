//! Agreement of predicted and gold sentiment classes: accuracy and macro-F1.
//!
//! Kept in the library (not only in tests) so that the evaluation example,
//! the test suite and other components report the same figures the same way.

use crate::Polarity;

/// A 3×3 confusion matrix of gold (rows) against predicted (columns)
/// polarity, in the order negative, neutral, positive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    pub counts: [[usize; 3]; 3],
}

fn class_idx(polarity: Polarity) -> usize {
    match polarity {
        Polarity::Negative => 0,
        Polarity::Neutral => 1,
        Polarity::Positive => 2,
    }
}

impl Confusion {
    /// Records one labelled prediction.
    pub fn observe(&mut self, gold: Polarity, predicted: Polarity) {
        self.counts[class_idx(gold)][class_idx(predicted)] += 1;
    }

    /// Number of observations.
    pub fn n_observed(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Share of predictions equal to the gold class.
    pub fn accuracy(&self) -> f64 {
        let n_correct: usize = (0..3).map(|idx| self.counts[idx][idx]).sum();
        n_correct as f64 / self.n_observed().max(1) as f64
    }

    /// Unweighted mean over the classes present in gold or predictions of
    /// F1 = 2·precision·recall / (precision + recall).
    pub fn macro_f1(&self) -> f64 {
        let mut f1_sum = 0.0;
        let mut n_classes = 0;
        for class in 0..3 {
            let true_pos = self.counts[class][class] as f64;
            let n_gold: usize = self.counts[class].iter().sum();
            let n_predicted: usize = (0..3).map(|gold| self.counts[gold][class]).sum();
            if n_gold == 0 && n_predicted == 0 {
                continue;
            }
            n_classes += 1;
            if true_pos > 0.0 {
                let precision = true_pos / n_predicted as f64;
                let recall = true_pos / n_gold as f64;
                f1_sum += 2.0 * precision * recall / (precision + recall);
            }
        }
        f1_sum / n_classes.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_known_scores() {
        let mut confusion = Confusion::default();
        confusion.observe(Polarity::Negative, Polarity::Negative);
        confusion.observe(Polarity::Positive, Polarity::Positive);
        assert_eq!(confusion.accuracy(), 1.0);
        assert_eq!(confusion.macro_f1(), 1.0);
        confusion.observe(Polarity::Negative, Polarity::Neutral);
        // Negative: p = 1, r = 0.5, F1 = 2/3; neutral: F1 = 0; positive: 1.
        assert!((confusion.macro_f1() - (2.0 / 3.0 + 0.0 + 1.0) / 3.0).abs() < 1e-12);
        assert!((confusion.accuracy() - 2.0 / 3.0).abs() < 1e-12);
    }
}
