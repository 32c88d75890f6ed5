//! The VADER word and emoji lexicons, embedded at compile time and parsed once.
//!
//! The two data files are the unchanged `vader_lexicon.txt` and
//! `emoji_utf8_lexicon.txt` of vaderSentiment 3.3.2 (MIT, Hutto & Gilbert
//! 2014; see `data/LICENSE-vader`). They are parsed the way the reference
//! parses them so that duplicate entries resolve to the same value.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use crate::pytext::py_strip;

/// The Fx hash (rustc's): lexicon keys are short, trusted, compile-time
/// strings, so the standard library's DoS-resistant SipHash buys nothing and
/// costs a third of VADER mode's time.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("chunks of eight bytes"));
            self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.hash = (self.hash.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A hash map with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The VADER word lexicon text, embedded so that `text` needs no I/O.
const VADER_LEXICON_TXT: &str = include_str!("../data/vader_lexicon.txt");

/// The VADER emoji lexicon text (emoji, tab, English description).
const EMOJI_LEXICON_TXT: &str = include_str!("../data/emoji_utf8_lexicon.txt");

/// Valence of a word or emoticon, keyed exactly as in the file (lookups use
/// the lower-cased token, so upper-case keys such as `:D` never match — a
/// quirk of the reference that compatibility requires us to keep).
pub(crate) static LEXICON: LazyLock<FxHashMap<&'static str, f64>> = LazyLock::new(|| {
    let mut lexicon = FxHashMap::with_capacity_and_hasher(7600, Default::default());
    for line in VADER_LEXICON_TXT.trim_end_matches('\n').split('\n') {
        if line.is_empty() {
            continue;
        }
        let mut fields = py_strip(line).split('\t');
        let word = fields.next().expect("split yields at least one field");
        let measure = fields
            .next()
            .expect("every lexicon line has a tab-separated valence");
        let valence: f64 = measure
            .parse()
            .expect("the embedded lexicon holds decimal valences");
        lexicon.insert(word, valence);
    }
    lexicon
});

/// Emoji code point → description. Keys of several code points (skin tones,
/// variation selectors) are left out: the reference replaces emoji one code
/// point at a time, so such keys can never match there either.
pub(crate) static EMOJI: LazyLock<FxHashMap<char, &'static str>> = LazyLock::new(|| {
    let mut emoji = FxHashMap::with_capacity_and_hasher(1300, Default::default());
    for line in EMOJI_LEXICON_TXT.trim_end_matches('\n').split('\n') {
        let mut fields = py_strip(line).split('\t');
        let key = fields.next().expect("split yields at least one field");
        let description = fields
            .next()
            .expect("every emoji line has a tab-separated description");
        let mut chars = key.chars();
        if let (Some(only), None) = (chars.next(), chars.next()) {
            emoji.insert(only, description);
        }
    }
    emoji
});

/// Looks up the valence of an already lower-cased token.
pub(crate) fn valence(lower: &str) -> Option<f64> {
    LEXICON.get(lower).copied()
}

/// Whether a lower-cased token is in the word lexicon.
pub(crate) fn contains(lower: &str) -> bool {
    LEXICON.contains_key(lower)
}

/// Empirical mean intensity increase of a booster word (Hutto & Gilbert).
const B_INCR: f64 = 0.293;
/// Empirical mean intensity decrease of a dampener word.
pub(crate) const B_DECR: f64 = -0.293;
/// Intensity added by writing a sentiment word in ALL CAPS among lower case.
pub(crate) const C_INCR: f64 = 0.733;
/// Factor applied to a negated valence.
pub(crate) const N_SCALAR: f64 = -0.74;

/// Booster and dampener words with their scalar (the reference's
/// `BOOSTER_DICT`); multi-word keys are matched by the idiom check only.
pub(crate) fn booster(lower: &str) -> Option<f64> {
    let scalar = match lower {
        "absolutely" | "amazingly" | "awfully" | "completely" | "considerable" | "considerably"
        | "decidedly" | "deeply" | "effing" | "enormous" | "enormously" | "entirely"
        | "especially" | "exceptional" | "exceptionally" | "extreme" | "extremely"
        | "fabulously" | "flipping" | "flippin" | "frackin" | "fracking" | "fricking"
        | "frickin" | "frigging" | "friggin" | "fully" | "fuckin" | "fucking" | "fuggin"
        | "fugging" | "greatly" | "hella" | "highly" | "hugely" | "incredible" | "incredibly"
        | "intensely" | "major" | "majorly" | "more" | "most" | "particularly" | "purely"
        | "quite" | "really" | "remarkably" | "so" | "substantially" | "thoroughly" | "total"
        | "totally" | "tremendous" | "tremendously" | "uber" | "unbelievably" | "unusually"
        | "utter" | "utterly" | "very" => B_INCR,
        "almost" | "barely" | "hardly" | "just enough" | "kind of" | "kinda" | "kindof"
        | "kind-of" | "less" | "little" | "marginal" | "marginally" | "occasional"
        | "occasionally" | "partly" | "scarce" | "scarcely" | "slight" | "slightly"
        | "somewhat" | "sort of" | "sorta" | "sortof" | "sort-of" => B_DECR,
        _ => return None,
    };
    Some(scalar)
}

/// Whether a lower-cased word is one of the reference's negation words.
pub(crate) fn is_negation_word(lower: &str) -> bool {
    matches!(
        lower,
        "aint"
            | "arent"
            | "cannot"
            | "cant"
            | "couldnt"
            | "darent"
            | "didnt"
            | "doesnt"
            | "ain't"
            | "aren't"
            | "can't"
            | "couldn't"
            | "daren't"
            | "didn't"
            | "doesn't"
            | "dont"
            | "hadnt"
            | "hasnt"
            | "havent"
            | "isnt"
            | "mightnt"
            | "mustnt"
            | "neither"
            | "don't"
            | "hadn't"
            | "hasn't"
            | "haven't"
            | "isn't"
            | "mightn't"
            | "mustn't"
            | "neednt"
            | "needn't"
            | "never"
            | "none"
            | "nope"
            | "nor"
            | "not"
            | "nothing"
            | "nowhere"
            | "oughtnt"
            | "shant"
            | "shouldnt"
            | "uhuh"
            | "wasnt"
            | "werent"
            | "oughtn't"
            | "shan't"
            | "shouldn't"
            | "uh-uh"
            | "wasn't"
            | "weren't"
            | "without"
            | "wont"
            | "wouldnt"
            | "won't"
            | "wouldn't"
            | "rarely"
            | "seldom"
            | "despite"
    )
}

/// The reference's `negated([word])`: a negation word or any word with "n't".
pub(crate) fn negated(lower: &str) -> bool {
    is_negation_word(lower) || lower.contains("n't")
}
