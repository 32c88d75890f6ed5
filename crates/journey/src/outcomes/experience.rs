//! A customer's experience at each touchpoint: the mean score of their
//! events there, from the emotion column or from survey ratings.

use crate::Journey;
use model::TouchpointId;

/// Where an event's experience score comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExperienceSource {
    /// The event's emotion score (survey, text and behaviour combined);
    /// NaN means unknown.
    #[default]
    Emotion,
    /// The event's survey rating mapped to [-1, 1] by
    /// `RatingScale::to_emotion`; events without a rating, without a scale
    /// or with an answer outside the scale are unknown.
    Rating,
}

impl ExperienceSource {
    /// The score of event `index`, `None` when unknown.
    fn score(self, journey: &Journey<'_>, index: usize) -> Option<f64> {
        match self {
            ExperienceSource::Emotion => {
                let emotion = journey.emotion[index];
                emotion.is_finite().then_some(f64::from(emotion))
            }
            ExperienceSource::Rating => {
                let facts = &journey.facts;
                let rating = *facts.rating.get(index)?;
                let scale = (*facts.rating_scale.get(index)?)?;
                if !rating.is_finite() {
                    return None;
                }
                scale.to_emotion(rating).map(f64::from)
            }
        }
    }
}

/// One touchpoint's experience for one customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TouchpointExperience {
    pub touchpoint: TouchpointId,
    /// Mean score of the customer's events there with a known score; `None`
    /// when every event there is unknown.
    pub score: Option<f64>,
}

/// Fills `out` with the experience of every touchpoint among the first
/// `prefix_len` events, ordered by touchpoint id. The mean adds scores in
/// event order, so it is the same whoever computes it. `scratch` is reused
/// between journeys.
pub(crate) fn experiences(
    journey: &Journey<'_>,
    prefix_len: usize,
    source: ExperienceSource,
    scratch: &mut Vec<(TouchpointId, usize)>,
    out: &mut Vec<TouchpointExperience>,
) {
    scratch.clear();
    out.clear();
    scratch.extend((0..prefix_len).map(|index| (journey.touchpoint[index], index)));
    scratch.sort_unstable();
    for group in scratch.chunk_by(|a, b| a.0 == b.0) {
        let mut sum = 0.0;
        let mut n = 0_u32;
        for &(_, index) in group {
            if let Some(score) = source.score(journey, index) {
                sum += score;
                n += 1;
            }
        }
        out.push(TouchpointExperience {
            touchpoint: group[0].0,
            score: (n > 0).then(|| sum / f64::from(n)),
        });
    }
}
