//! What counts as a poor experience. The generators count poor experiences
//! with this same rule when they decide whether a customer comes back, so
//! that an analysis can recover the planted "three poor experiences →
//! churn" situation from the events alone.

use model::Event;

/// The emotion (DESIGN §7 mapping of the rating) at or below which a survey
/// answer is a poor experience: CSAT 1–2, CES 1–2, NPS 0–2.
pub const POOR_EMOTION_MAX: f32 = -0.5;

/// True when the event records a poor experience: an abandoned contact, a
/// contact marked unresolved, a wait beyond `wait_target_s`, or a survey
/// answer whose emotion is at most [`POOR_EMOTION_MAX`]. Text sentiment
/// does not count here because it needs a model to read; the texts follow
/// the ratings' tone anyway.
pub fn is_poor_experience(event: &Event, wait_target_s: f32) -> bool {
    let poor_rating = match (event.rating, event.rating_scale) {
        (Some(rating), Some(scale)) => scale
            .to_emotion(rating)
            .is_some_and(|emotion| emotion <= POOR_EMOTION_MAX),
        _ => false,
    };
    event.abandoned == Some(true)
        || event.resolved == Some(false)
        || event.wait_s.is_some_and(|wait_s| wait_s > wait_target_s)
        || poor_rating
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::RatingScale;

    #[test]
    fn classifies_events() {
        let check = |event: Event, expected: bool| {
            assert_eq!(is_poor_experience(&event, 120.0), expected, "{event:?}");
        };
        let rated = |scale, rating| Event {
            rating: Some(rating),
            rating_scale: Some(scale),
            ..Event::default()
        };
        check(Event::default(), false);
        check(
            Event {
                abandoned: Some(true),
                ..Event::default()
            },
            true,
        );
        check(
            Event {
                abandoned: Some(false),
                resolved: Some(true),
                ..Event::default()
            },
            false,
        );
        check(
            Event {
                resolved: Some(false),
                ..Event::default()
            },
            true,
        );
        check(
            Event {
                wait_s: Some(121.0),
                ..Event::default()
            },
            true,
        );
        check(
            Event {
                wait_s: Some(120.0),
                ..Event::default()
            },
            false,
        );
        check(rated(RatingScale::Csat5, 2.0), true);
        check(rated(RatingScale::Csat5, 3.0), false);
        check(rated(RatingScale::Ces7, 2.0), true);
        check(rated(RatingScale::Ces7, 3.0), false);
        check(rated(RatingScale::Nps10, 2.0), true);
        check(rated(RatingScale::Nps10, 3.0), false);
    }
}
