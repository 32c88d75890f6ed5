//! Emotion labels of a text, for the emotion lane of a journey map.
//!
//! Sentiment says *how good or bad*; a journey map also wants to say *what*
//! a customer felt at a touchpoint — the anxiety of a missing parcel is
//! handled differently from the anger at a rude agent. Seven labels are
//! enough to tell these apart and few enough to draw: [`Emotion`].
//!
//! # Rules
//!
//! Scores are computed on the normalised words of the text (lower case,
//! apostrophes dropped) and are the same in both sentiment modes.
//!
//! 1. **Emotion words.** Each label has a curated word list (below, ours,
//!    written for customer text). A word adds its weight (1, or 1.5 for
//!    strong words such as "furious") to its label.
//! 2. **Intensifiers.** A booster just before the word ("very", "so",
//!    "really", "absolutely", …) multiplies the weight by 1.5.
//! 3. **Negation.** A negation among the three words before ("not happy",
//!    "never helpful") removes the word; a negated positive word (joy, trust,
//!    surprise) adds half its weight to disappointment instead.
//! 4. **Service phrases.** Every service-mode rule that fires ("on hold for
//!    40 minutes", "arrived damaged", "went above and beyond") adds half its
//!    absolute valence to the emotion the rule names (frustration for
//!    waiting and repetition, disappointment for broken deliveries, anger for
//!    billing errors and rude staff, anxiety for lost parcels, trust for
//!    fixes and follow-ups, joy for speed and care, surprise for early
//!    delivery). Words inside such a phrase are not counted again by rule 1.
//! 5. **Exclamation.** One or more "!" multiply joy, surprise and anger by 1.2.
//! 6. **Fallback.** When no rule above fired, a clearly positive text
//!    (compound ≥ 0.05) gets joy = compound / 2 and a clearly negative one
//!    disappointment = |compound| / 2, so that every opinionated text has an
//!    emotion.
//! 7. **Scale.** Each label's raw sum `x` becomes `1 − e^(−x)`, in [0, 1):
//!    one plain cue gives 0.63, two give 0.86.

use std::fmt;

use serde::Serialize;

use crate::service::{self, ServiceAnalysis};

/// An emotion label on the journey map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Emotion {
    Joy,
    Trust,
    Surprise,
    Frustration,
    Anger,
    Anxiety,
    Disappointment,
}

impl Emotion {
    /// All labels, in output order.
    pub const ALL: [Emotion; 7] = [
        Emotion::Joy,
        Emotion::Trust,
        Emotion::Surprise,
        Emotion::Frustration,
        Emotion::Anger,
        Emotion::Anxiety,
        Emotion::Disappointment,
    ];

    /// The label's name in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Emotion::Joy => "joy",
            Emotion::Trust => "trust",
            Emotion::Surprise => "surprise",
            Emotion::Frustration => "frustration",
            Emotion::Anger => "anger",
            Emotion::Anxiety => "anxiety",
            Emotion::Disappointment => "disappointment",
        }
    }

    /// Whether the label is an unpleasant emotion.
    pub fn is_negative(self) -> bool {
        !matches!(self, Emotion::Joy | Emotion::Trust | Emotion::Surprise)
    }

    fn idx(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Emotion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Scores in [0, 1] for every [`Emotion`] of one text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Emotions {
    pub joy: f64,
    pub trust: f64,
    pub surprise: f64,
    pub frustration: f64,
    pub anger: f64,
    pub anxiety: f64,
    pub disappointment: f64,
}

impl Emotions {
    /// The score of one label.
    pub fn get(&self, emotion: Emotion) -> f64 {
        match emotion {
            Emotion::Joy => self.joy,
            Emotion::Trust => self.trust,
            Emotion::Surprise => self.surprise,
            Emotion::Frustration => self.frustration,
            Emotion::Anger => self.anger,
            Emotion::Anxiety => self.anxiety,
            Emotion::Disappointment => self.disappointment,
        }
    }

    /// Labels with their scores, in [`Emotion::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Emotion, f64)> + '_ {
        Emotion::ALL
            .into_iter()
            .map(|emotion| (emotion, self.get(emotion)))
    }

    /// The strongest label, or `None` when every score is zero; ties go to
    /// the label listed first in [`Emotion::ALL`].
    pub fn dominant(&self) -> Option<(Emotion, f64)> {
        self.iter().filter(|&(_, score)| score > 0.0).fold(
            None,
            |best, (emotion, score)| match best {
                Some((_, best_score)) if best_score >= score => best,
                _ => Some((emotion, score)),
            },
        )
    }

    fn from_raw(raw: [f64; 7]) -> Emotions {
        let scale = |x: f64| py_round6(1.0 - (-x).exp());
        Emotions {
            joy: scale(raw[0]),
            trust: scale(raw[1]),
            surprise: scale(raw[2]),
            frustration: scale(raw[3]),
            anger: scale(raw[4]),
            anxiety: scale(raw[5]),
            disappointment: scale(raw[6]),
        }
    }
}

/// Rounds to six decimals so output is stable and short.
fn py_round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The emotion word lists: (word, label, weight).
fn emotion_word(word: &str) -> Option<(Emotion, f64)> {
    use Emotion::*;
    let found = match word {
        "happy" | "glad" | "pleased" | "love" | "loved" | "loving" | "lovely" | "great"
        | "excellent" | "fantastic" | "amazing" | "awesome" | "brilliant" | "wonderful"
        | "perfect" | "perfectly" | "enjoy" | "enjoyed" | "superb" | "outstanding" | "best"
        | "fabulous" | "easy" | "thanks" | "thank" | "cheers" | "yay" | "grinning" | "smiling"
        | "joy" | "nice" | "good" | "impressed" | "impressive" | "pleasure" | "appreciate"
        | "appreciated" => (Joy, 1.0),
        "delighted" | "thrilled" | "ecstatic" | "overjoyed" | "fantastically" => (Joy, 1.5),
        "reliable" | "trustworthy" | "trust" | "trusted" | "honest" | "helpful"
        | "professional" | "knowledgeable" | "recommend" | "recommended" | "dependable"
        | "confident" | "safe" | "secure" | "reassured" | "reassuring" | "competent" | "fair"
        | "transparent" | "loyal" | "patient" | "polite" | "courteous" | "friendly" | "caring"
        | "kind" | "understanding" | "expert" | "efficient" => (Trust, 1.0),
        "surprised" | "surprise" | "surprising" | "surprisingly" | "amazed" | "unexpected"
        | "unexpectedly" | "wow" | "whoa" | "suddenly" | "unbelievable" | "speechless" => {
            (Surprise, 1.0)
        }
        "astonished" | "stunned" | "shocked" | "gobsmacked" => (Surprise, 1.5),
        "frustrating" | "frustrated" | "frustration" | "annoying" | "annoyed" | "irritating"
        | "irritated" | "fed" | "hassle" | "pointless" | "useless" | "ridiculous" | "waste"
        | "wasted" | "endless" | "tired" | "exhausting" | "tedious" | "impossible"
        | "confusing" | "confused" | "complicated" | "ugh" | "argh" | "sigh" | "seriously"
        | "nightmare" | "struggle" | "struggling" | "again" => (Frustration, 1.0),
        "infuriating" | "exasperated" | "exasperating" => (Frustration, 1.5),
        "angry" | "disgusting" | "disgusted" | "unacceptable" | "scam" | "ripoff" | "rip-off"
        | "rude" | "appalling" | "disgraceful" | "disgrace" | "worst" | "hate" | "hated"
        | "pathetic" | "incompetent" | "insulting" | "insult" | "outrageous" | "liars" | "lied"
        | "lying" | "theft" | "stole" | "cheated" | "robbed" | "wtf" | "damn" | "bloody"
        | "sue" | "lawyer" | "ombudsman" | "shocking" | "shameful" | "joke" | "complaint"
        | "complain" | "arrogant" | "dismissive" | "condescending" => (Anger, 1.0),
        "furious" | "outraged" | "livid" | "fuming" | "raging" | "enraged" => (Anger, 1.5),
        "worried" | "worry" | "worrying" | "anxious" | "nervous" | "concerned" | "concern"
        | "unsure" | "uncertain" | "afraid" | "scared" | "fear" | "urgent" | "urgently"
        | "asap" | "desperate" | "desperately" | "stress" | "stressed" | "stressful" | "lost"
        | "missing" | "confusion" | "hopefully" | "risk" => (Anxiety, 1.0),
        "panic" | "panicking" | "terrified" | "frantic" => (Anxiety, 1.5),
        "disappointed" | "disappointing" | "disappointment" | "letdown" | "unfortunately"
        | "sadly" | "shame" | "pity" | "mediocre" | "underwhelming" | "underwhelmed" | "meh"
        | "poor" | "regret" | "sad" | "unhappy" | "unsatisfied" | "dissatisfied" | "flimsy"
        | "cheaply" | "broken" | "faulty" | "damaged" | "defective" => (Disappointment, 1.0),
        "gutted" | "devastated" | "heartbroken" => (Disappointment, 1.5),
        _ => return None,
    };
    Some(found)
}

fn is_intensifier(word: &str) -> bool {
    matches!(
        word,
        "very"
            | "so"
            | "really"
            | "extremely"
            | "absolutely"
            | "totally"
            | "completely"
            | "utterly"
            | "incredibly"
            | "super"
            | "truly"
            | "deeply"
            | "highly"
    )
}

fn is_negation(word: &str) -> bool {
    matches!(
        word,
        "not"
            | "no"
            | "never"
            | "didnt"
            | "doesnt"
            | "dont"
            | "wasnt"
            | "werent"
            | "isnt"
            | "arent"
            | "hasnt"
            | "havent"
            | "wont"
            | "wouldnt"
            | "cant"
            | "cannot"
            | "couldnt"
            | "without"
            | "hardly"
            | "nor"
    )
}

/// Emotion scores of one text (the same in both sentiment modes).
pub fn emotions(text: &str) -> Emotions {
    from_analysis(&service::analyse(text), text)
}

/// Emotion scores from a service-mode analysis of `text`.
pub(crate) fn from_analysis(analysis: &ServiceAnalysis, text: &str) -> Emotions {
    let words = &analysis.words.words;
    let sentence_end = &analysis.words.sentence_end;
    let mut raw = [0.0f64; 7];
    let mut covered = vec![false; words.len()];
    let mut any_rule = false;
    for cue in &analysis.cues {
        raw[cue.emotion.idx()] += cue.valence.abs() / 2.0;
        covered[cue.start..cue.end].fill(true);
        any_rule = true;
    }
    for (idx, word) in words.iter().enumerate() {
        if covered[idx] {
            continue;
        }
        let Some((emotion, mut weight)) = emotion_word(word) else {
            continue;
        };
        any_rule = true;
        let before = |back: usize| -> Option<&str> {
            let prev_idx = idx.checked_sub(back)?;
            let crosses = (prev_idx..idx).any(|between| sentence_end[between]);
            (!crosses).then(|| words[prev_idx].as_str())
        };
        if before(1).is_some_and(is_intensifier) {
            weight *= 1.5;
        }
        let negated = (1..=3).any(|back| before(back).is_some_and(is_negation));
        if !negated {
            raw[emotion.idx()] += weight;
        } else if !emotion.is_negative() {
            raw[Emotion::Disappointment.idx()] += weight / 2.0;
        }
    }
    if text.contains('!') {
        for emotion in [Emotion::Joy, Emotion::Surprise, Emotion::Anger] {
            raw[emotion.idx()] *= 1.2;
        }
    }
    if !any_rule {
        let compound = analysis.sentiment.compound;
        if compound >= 0.05 {
            raw[Emotion::Joy.idx()] = compound / 2.0;
        } else if compound <= -0.05 {
            raw[Emotion::Disappointment.idx()] = -compound / 2.0;
        }
    }
    Emotions::from_raw(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dominant emotion of a text, as a one-line check.
    fn check(text: &str, expected: Option<Emotion>) {
        let scores = emotions(text);
        assert_eq!(
            scores.dominant().map(|(emotion, _)| emotion),
            expected,
            "{text:?}: {scores:?}"
        );
        for (_, score) in scores.iter() {
            assert!((0.0..=1.0).contains(&score), "{text:?}: {scores:?}");
        }
    }

    #[test]
    fn dominant_emotions() {
        check("I was on hold for 40 minutes", Some(Emotion::Frustration));
        check(
            "third time I'm calling about this",
            Some(Emotion::Frustration),
        );
        check("the parcel arrived damaged", Some(Emotion::Disappointment));
        check("The agent was rude and I am furious!", Some(Emotion::Anger));
        check("You charged me twice", Some(Emotion::Anger));
        check("I'm worried my parcel is lost", Some(Emotion::Anxiety));
        check("Delighted with the new sofa", Some(Emotion::Joy));
        check("Very helpful and knowledgeable staff", Some(Emotion::Trust));
        check("Wow, it arrived a day early", Some(Emotion::Surprise));
        check("Not happy with the quality", Some(Emotion::Disappointment));
        check("Please send me the invoice", None);
    }

    #[test]
    fn negated_negative_words_do_not_count() {
        let scores = emotions("I am not worried at all");
        assert_eq!(scores.anxiety, 0.0);
    }

    #[test]
    fn intensifiers_and_exclamations_raise_scores() {
        assert!(emotions("very happy").joy > emotions("happy").joy);
        assert!(emotions("happy!").joy > emotions("happy").joy);
    }

    #[test]
    fn fallback_uses_sentiment() {
        let scores = emotions("The view was beautiful");
        assert!(scores.joy > 0.0, "{scores:?}");
    }
}
