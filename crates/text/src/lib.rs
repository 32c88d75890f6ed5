//! Sentiment, emotions and themes of feedback, chat and ticket text.
//!
//! `text` turns the free text that customers leave at touchpoints (survey
//! comments, chat messages, tickets, reviews) into numbers a journey map can
//! carry: a sentiment score per text, emotion labels per text, and themes —
//! recurring key phrases with volume and sentiment — over a corpus of texts.
//! It is pure: no I/O, no clock, no global state beyond lexicons that are
//! embedded at compile time and parsed once on first use.
//!
//! # Sentiment
//!
//! [`sentiment`] scores one text in one of two [`Mode`]s:
//!
//! - [`Mode::Vader`] reproduces the reference implementation of VADER,
//!   vaderSentiment 3.3.2, score for score (compound rounded to 4 decimals,
//!   pos/neu/neg to 3), so results can be compared with published work.
//! - [`Mode::Service`] starts from the same valences and adds knowledge of
//!   customer service: phrases of failure and delight ("still waiting for my
//!   refund", "arrived damaged", "went above and beyond"), waiting durations
//!   ("on hold for 40 minutes"), repeated contact ("third time I'm calling"),
//!   and removes valence that service vocabulary carries by accident
//!   ("customer *support*", "*please* call me", "I would *like* a refund").
//!
//! # Emotions
//!
//! [`emotions`] maps a text to scores in [0, 1] for seven labels useful on a
//! journey map ([`Emotion`]); the rules are documented at the top of
//! `src/emotion.rs`. [`score`] returns sentiment and emotions together, as
//! `touchpoint text score` writes them (one JSON object per text with
//! `compound`, `pos`, `neu`, `neg` and `emotions`, via `serde`).
//! [`service_phrases`] tells which service phrases service mode found.
//!
//! # Themes
//!
//! [`themes`] extracts key phrases from a corpus, groups them into themes and
//! reports each theme's volume, mean sentiment and example texts, by index so
//! that the caller can join them with the touchpoints that preceded each text.
//!
//! # Example
//!
//! ```
//! use text::{Mode, ThemeOptions, score, sentiment, themes};
//!
//! let text = "Still waiting for my refund, third time I'm calling";
//! assert_eq!(sentiment(text, Mode::Vader).compound, 0.0);
//! let scored = score(text, Mode::Service);
//! assert!(scored.compound < -0.5);
//! assert!(scored.emotions.frustration > 0.5);
//!
//! let corpus = ["parcel arrived damaged", "my parcel was damaged", "great staff"];
//! let found = themes(&corpus, &ThemeOptions::default());
//! assert_eq!(found[0].text_indices, [0, 1]);
//! ```
//!
//! # Attribution
//!
//! The VADER lexicon and emoji lexicon (`data/vader_lexicon.txt`,
//! `data/emoji_utf8_lexicon.txt`) are © C.J. Hutto, used under the MIT licence
//! (`data/LICENSE-vader`). Hutto, C.J. & Gilbert, E.E. (2014). VADER: A
//! Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text.
//! ICWSM-14. The rated sentences under `tests/data/icwsm2014/` come from the
//! same package's source distribution under the same licence. The Rust code
//! is our own, written from the published algorithm and the reference source.

mod emotion;
pub mod evaluation;
mod lexicon;
mod pattern;
mod pytext;
mod service;
mod themes;
mod vader;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use emotion::{Emotion, Emotions, emotions};
pub use service::{ServicePhrase, service_phrases};
pub use themes::{KeyPhrase, Theme, ThemeOptions, key_phrases, themes};

/// How a text is scored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Exactly vaderSentiment 3.3.2.
    Vader,
    /// VADER plus customer-service phrases, durations and repetition; the
    /// default because touchpoint's texts are customers talking to a company.
    #[default]
    Service,
}

impl Mode {
    /// The name used on the command line and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Vader => "vader",
            Mode::Service => "service",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mode name that is neither `vader` nor `service`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown sentiment mode {0:?}: expected \"vader\" or \"service\"")]
pub struct UnknownMode(pub String);

impl FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "vader" => Ok(Mode::Vader),
            "service" => Ok(Mode::Service),
            _ => Err(UnknownMode(name.to_owned())),
        }
    }
}

/// VADER's four scores of one text.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sentiment {
    /// Normalised sum of valences in [-1, 1]; ≥ 0.05 is conventionally
    /// positive and ≤ -0.05 negative. This is the emotion score of DESIGN.md.
    pub compound: f64,
    /// Share of the text's weight that is positive, in [0, 1].
    pub pos: f64,
    /// Share that is neutral, in [0, 1].
    pub neu: f64,
    /// Share that is negative, in [0, 1].
    pub neg: f64,
}

impl Sentiment {
    /// What the reference returns for a text without words: all zero.
    pub const NEUTRAL_EMPTY: Sentiment = Sentiment {
        compound: 0.0,
        pos: 0.0,
        neu: 0.0,
        neg: 0.0,
    };

    /// The sign class with VADER's customary ±0.05 thresholds.
    pub fn polarity(&self) -> Polarity {
        if self.compound >= 0.05 {
            Polarity::Positive
        } else if self.compound <= -0.05 {
            Polarity::Negative
        } else {
            Polarity::Neutral
        }
    }
}

/// Sign of a sentiment, for classification and evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    Negative,
    Neutral,
    Positive,
}

/// Scores the sentiment of one text.
pub fn sentiment(text: &str, mode: Mode) -> Sentiment {
    match mode {
        Mode::Vader => vader::polarity_scores(text),
        Mode::Service => service::polarity_scores(text),
    }
}

/// Everything `touchpoint text score` writes for one text: the four
/// sentiment scores and the emotion scores.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TextScore {
    pub compound: f64,
    pub pos: f64,
    pub neu: f64,
    pub neg: f64,
    pub emotions: Emotions,
}

/// Scores the sentiment and emotions of one text. Emotions are the same in
/// both modes (they always use the service phrase rules).
pub fn score(text: &str, mode: Mode) -> TextScore {
    let analysis = service::analyse(text);
    let sentiment = match mode {
        Mode::Vader => vader::polarity_scores(text),
        Mode::Service => analysis.sentiment,
    };
    TextScore {
        compound: sentiment.compound,
        pos: sentiment.pos,
        neu: sentiment.neu,
        neg: sentiment.neg,
        emotions: emotion::from_analysis(&analysis, text),
    }
}
