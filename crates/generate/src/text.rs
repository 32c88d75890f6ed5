//! Feedback text: survey comments, chat and ticket messages, reviews. Each
//! text is composed from an opener, a topic sentence and sometimes a closer,
//! all of the same tone, so that the words carry the sentiment the rating
//! or the situation implies and a sentiment model has something to find.

use crate::rng::Rng;
use model::RatingScale;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Positive,
    Neutral,
    Negative,
}

impl Tone {
    /// The tone a rating implies: the upper third of the emotion range is
    /// positive, the lower third negative.
    pub(crate) fn of_rating(scale: RatingScale, rating: f32) -> Tone {
        let emotion = scale
            .to_emotion(rating)
            .expect("generated ratings lie on their scale");
        if emotion >= 0.34 {
            Tone::Positive
        } else if emotion <= -0.34 {
            Tone::Negative
        } else {
            Tone::Neutral
        }
    }
}

/// Sentences about one subject, by tone. `{item}` is replaced by the
/// product or plan the text is about.
#[derive(Debug)]
pub(crate) struct Topic {
    pub(crate) positive: &'static [&'static str],
    pub(crate) neutral: &'static [&'static str],
    pub(crate) negative: &'static [&'static str],
}

const OPENERS_POSITIVE: &[&str] = &[
    "Really happy.",
    "Great experience overall.",
    "Honestly impressed.",
    "Love it.",
    "Thank you!",
    "Excellent.",
    "Very pleased.",
];
const OPENERS_NEUTRAL: &[&str] = &[
    "",
    "Okay.",
    "Fine I guess.",
    "It was alright.",
    "Mixed feelings.",
];
const OPENERS_NEGATIVE: &[&str] = &[
    "Really disappointed.",
    "Terrible experience.",
    "Not happy at all.",
    "Very frustrating.",
    "Awful.",
    "So annoyed right now.",
    "Worst service I have had from any company.",
];
const CLOSERS_POSITIVE: &[&str] = &[
    "Would definitely recommend.",
    "Will buy again.",
    "Keep up the good work!",
    "Five stars from me.",
];
const CLOSERS_NEUTRAL: &[&str] = &["Nothing special.", "Could be better, could be worse."];
const CLOSERS_NEGATIVE: &[&str] = &[
    "I will not be coming back.",
    "Please sort this out.",
    "I expected much better.",
    "Thinking about cancelling.",
];

/// A text about `topic` in `tone`, naming `item` where the topic does.
pub(crate) fn compose(rng: &mut Rng, topic: &Topic, tone: Tone, item: &str) -> String {
    let (openers, sentences, closers) = match tone {
        Tone::Positive => (OPENERS_POSITIVE, topic.positive, CLOSERS_POSITIVE),
        Tone::Neutral => (OPENERS_NEUTRAL, topic.neutral, CLOSERS_NEUTRAL),
        Tone::Negative => (OPENERS_NEGATIVE, topic.negative, CLOSERS_NEGATIVE),
    };
    let mut text = String::with_capacity(160);
    if rng.chance(0.6) {
        text.push_str(rng.pick::<&str>(openers));
    }
    let opened = !text.is_empty();
    let sentence = *rng.pick(sentences);
    if opened {
        text.push(' ');
    }
    let mut pieces = sentence.split("{item}");
    text.push_str(pieces.next().unwrap_or_default());
    for piece in pieces {
        text.push_str(item);
        text.push_str(piece);
    }
    if rng.chance(0.35) {
        text.push(' ');
        text.push_str(rng.pick::<&str>(closers));
    }
    text
}

/// Answers a survey question on `scale` around `mean`: a rounded normal
/// draw clamped to the scale, spread like real answers (NPS widest).
pub(crate) fn answer(rng: &mut Rng, scale: RatingScale, mean: f64) -> f32 {
    let sd = match scale {
        RatingScale::Csat5 => 0.8,
        RatingScale::Ces7 => 1.1,
        RatingScale::Nps10 => 1.6,
    };
    let (low, high) = scale.range();
    rng.normal(mean, sd)
        .round()
        .clamp(f64::from(low), f64::from(high)) as f32
}

/// What a survey on an event asks and how likely a comment is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Survey<'a> {
    pub(crate) scale: RatingScale,
    pub(crate) mean: f64,
    pub(crate) topic: &'a Topic,
    pub(crate) item: &'a str,
    /// Probability that the answer comes with a free-text comment.
    pub(crate) comment: f64,
}

/// Puts a survey answer (and perhaps a comment in the answer's tone) on
/// the event it rates.
pub(crate) fn rate(rng: &mut Rng, event: &mut model::Event, survey: &Survey<'_>) {
    let rating = answer(rng, survey.scale, survey.mean);
    event.rating = Some(rating);
    event.rating_scale = Some(survey.scale);
    if rng.chance(survey.comment) {
        let tone = Tone::of_rating(survey.scale, rating);
        event.text = Some(compose(rng, survey.topic, tone, survey.item));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: Topic = Topic {
        positive: &["The {item} works great."],
        neutral: &["The {item} arrived."],
        negative: &["The {item} broke."],
    };

    #[test]
    fn composes_text_in_tone() {
        let mut rng = Rng::new(2);
        for _ in 0..50 {
            let text = compose(&mut rng, &TOPIC, Tone::Negative, "kettle");
            assert!(text.contains("The kettle broke."), "{text}");
            assert!(!text.starts_with(' ') && !text.ends_with(' '));
        }
    }

    #[test]
    fn ratings_have_tones() {
        assert_eq!(Tone::of_rating(RatingScale::Csat5, 5.0), Tone::Positive);
        assert_eq!(Tone::of_rating(RatingScale::Csat5, 3.0), Tone::Neutral);
        assert_eq!(Tone::of_rating(RatingScale::Nps10, 2.0), Tone::Negative);
        assert_eq!(Tone::of_rating(RatingScale::Ces7, 6.0), Tone::Positive);
    }
}
