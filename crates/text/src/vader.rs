//! The VADER algorithm (Hutto & Gilbert 2014), reproducing vaderSentiment 3.3.2.
//!
//! Each step mirrors one step of the reference, quirks included, because the
//! point of this mode is that a score computed here equals the score a data
//! scientist gets from the Python package: the emoji replacement that glues a
//! description to the next word, the punctuation stripping that keeps tokens
//! of two characters or fewer, the `but` rule that rescales the *first* equal
//! value, and the idiom check that only runs three words into a sentence.
//! Service mode (`service.rs`) reuses the per-token valences computed here.

use std::borrow::Cow;

use crate::Sentiment;
use crate::lexicon::{self, B_DECR, C_INCR, EMOJI, N_SCALAR};
use crate::pytext::{py_isupper, py_lower, py_round, py_split, py_strip};

/// Words of a text as VADER sees them: white-space separated, surrounding
/// punctuation stripped unless that leaves two characters or fewer.
pub(crate) struct Tokens<'a> {
    /// The tokens as written (case kept, for the ALL-CAPS rules).
    pub(crate) raw: Vec<&'a str>,
    /// The tokens lower-cased, for every lexicon and word comparison.
    pub(crate) lower: Vec<Cow<'a, str>>,
    /// Lexicon valence of each token, looked up once: the rules ask whether
    /// the words around each sentiment word are in the lexicon many times.
    lexicon_valence: Vec<Option<f64>>,
    /// Whether some but not all tokens are ALL CAPS (only then does case
    /// carry emphasis).
    pub(crate) is_cap_diff: bool,
}

impl<'a> Tokens<'a> {
    /// Splits an emoji-free, stripped text into tokens.
    pub(crate) fn new(text: &'a str) -> Self {
        let raw: Vec<&str> = py_split(text).map(strip_punctuation_if_word).collect();
        let lower: Vec<Cow<'a, str>> = raw.iter().map(|token| py_lower(token)).collect();
        let lexicon_valence = lower.iter().map(|word| lexicon::valence(word)).collect();
        let n_allcaps = raw.iter().filter(|token| py_isupper(token)).count();
        let cap_differential = raw.len() - n_allcaps;
        let is_cap_diff = 0 < cap_differential && cap_differential < raw.len();
        Tokens {
            raw,
            lower,
            lexicon_valence,
            is_cap_diff,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.raw.len()
    }

    fn lower(&self, idx: usize) -> &str {
        &self.lower[idx]
    }

    fn in_lexicon(&self, idx: usize) -> bool {
        self.lexicon_valence[idx].is_some()
    }
}

/// Removes leading and trailing ASCII punctuation, unless the rest would be
/// two characters or fewer (then the token is probably an emoticon like `:)`).
fn strip_punctuation_if_word(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    if stripped.chars().count() <= 2 {
        token
    } else {
        stripped
    }
}

/// Replaces each emoji code point by its description, as the reference does:
/// a space is inserted before a description unless a space precedes it, but
/// none after it, so "😁ok" becomes "beaming face with smiling eyesok".
pub(crate) fn replace_emoji(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || !text.chars().any(|c| EMOJI.contains_key(&c)) {
        return Cow::Borrowed(text);
    }
    let mut replaced = String::with_capacity(text.len() + 32);
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(description) = EMOJI.get(&c) {
            if !prev_space {
                replaced.push(' ');
            }
            replaced.push_str(description);
            prev_space = false;
        } else {
            replaced.push(c);
            prev_space = c == ' ';
        }
    }
    Cow::Owned(replaced)
}

/// Scores a text exactly as vaderSentiment 3.3.2's `polarity_scores`.
pub(crate) fn polarity_scores(text: &str) -> Sentiment {
    let without_emoji = replace_emoji(text);
    let prepared = py_strip(&without_emoji);
    let tokens = Tokens::new(prepared);
    let mut valences = token_valences(&tokens);
    but_rule_reference(&tokens, &mut valences);
    score_valences(&valences, punctuation_emphasis(prepared))
}

/// The valence of every token before the `but` rule; zero for tokens that are
/// not in the lexicon and for boosters (they act through their neighbours).
pub(crate) fn token_valences(tokens: &Tokens<'_>) -> Vec<f64> {
    let n_tokens = tokens.len();
    let mut valences = Vec::with_capacity(n_tokens);
    for idx in 0..n_tokens {
        let lower = tokens.lower(idx);
        let is_kind_of = idx + 1 < n_tokens && lower == "kind" && tokens.lower(idx + 1) == "of";
        if lexicon::booster(lower).is_some() || is_kind_of {
            valences.push(0.0);
        } else {
            valences.push(sentiment_valence(tokens, idx));
        }
    }
    valences
}

/// The reference's `sentiment_valence` for the token at `idx`.
fn sentiment_valence(tokens: &Tokens<'_>, idx: usize) -> f64 {
    let lower = tokens.lower(idx);
    let Some(base) = tokens.lexicon_valence[idx] else {
        return 0.0;
    };
    let mut valence = base;
    // "no" directly before a lexicon word negates that word instead of
    // counting as negative itself.
    if lower == "no" && idx + 1 < tokens.len() && tokens.in_lexicon(idx + 1) {
        valence = 0.0;
    }
    let no_before = (idx > 0 && tokens.lower(idx - 1) == "no")
        || (idx > 1 && tokens.lower(idx - 2) == "no")
        || (idx > 2
            && tokens.lower(idx - 3) == "no"
            && matches!(tokens.lower(idx - 1), "or" | "nor"));
    if no_before {
        valence = base * N_SCALAR;
    }
    if py_isupper(tokens.raw[idx]) && tokens.is_cap_diff {
        if valence > 0.0 {
            valence += C_INCR;
        } else {
            valence -= C_INCR;
        }
    }
    for start_idx in 0..3 {
        if idx > start_idx && !tokens.in_lexicon(idx - (start_idx + 1)) {
            let mut scalar = scalar_inc_dec(tokens, idx - (start_idx + 1), valence);
            if start_idx == 1 && scalar != 0.0 {
                scalar *= 0.95;
            }
            if start_idx == 2 && scalar != 0.0 {
                scalar *= 0.9;
            }
            valence += scalar;
            valence = negation_check(valence, tokens, start_idx, idx);
            if start_idx == 2 {
                valence = special_idioms_check(valence, tokens, idx);
            }
        }
    }
    least_check(valence, tokens, idx)
}

/// Intensity change that the word at `modifier_idx` gives a following word.
fn scalar_inc_dec(tokens: &Tokens<'_>, modifier_idx: usize, valence: f64) -> f64 {
    let Some(mut scalar) = lexicon::booster(tokens.lower(modifier_idx)) else {
        return 0.0;
    };
    if valence < 0.0 {
        scalar *= -1.0;
    }
    if py_isupper(tokens.raw[modifier_idx]) && tokens.is_cap_diff {
        if valence > 0.0 {
            scalar += C_INCR;
        } else {
            scalar -= C_INCR;
        }
    }
    scalar
}

fn is_so_or_this(word: &str) -> bool {
    word == "so" || word == "this"
}

/// The reference's `_negation_check`, including its operator precedence at
/// distance three (`never so X` *or* `so X` amplifies).
fn negation_check(valence: f64, tokens: &Tokens<'_>, start_idx: usize, idx: usize) -> f64 {
    let word = |back: usize| tokens.lower(idx - back);
    match start_idx {
        0 if lexicon::negated(word(1)) => valence * N_SCALAR,
        1 if word(2) == "never" && is_so_or_this(word(1)) => valence * 1.25,
        1 if word(2) == "without" && word(1) == "doubt" => valence,
        1 if lexicon::negated(word(2)) => valence * N_SCALAR,
        2 if (word(3) == "never" && is_so_or_this(word(2))) || is_so_or_this(word(1)) => {
            valence * 1.25
        }
        2 if word(3) == "without" && (word(2) == "doubt" || word(1) == "doubt") => valence,
        2 if lexicon::negated(word(3)) => valence * N_SCALAR,
        _ => valence,
    }
}

/// The reference's `_special_idioms_check` (only reached for `idx >= 3`).
fn special_idioms_check(valence: f64, tokens: &Tokens<'_>, idx: usize) -> f64 {
    let word = |word_idx: usize| tokens.lower(word_idx);
    let one_zero = [word(idx - 1), word(idx)];
    let two_one_zero = [word(idx - 2), word(idx - 1), word(idx)];
    let two_one = [word(idx - 2), word(idx - 1)];
    let three_two_one = [word(idx - 3), word(idx - 2), word(idx - 1)];
    let three_two = [word(idx - 3), word(idx - 2)];
    let mut valence = valence;
    let sequences: [&[&str]; 5] = [
        &one_zero,
        &two_one_zero,
        &two_one,
        &three_two_one,
        &three_two,
    ];
    for sequence in sequences {
        if let Some(idiom_valence) = special_case(sequence) {
            valence = idiom_valence;
            break;
        }
    }
    if tokens.len() - 1 > idx
        && let Some(idiom_valence) = special_case(&[word(idx), word(idx + 1)])
    {
        valence = idiom_valence;
    }
    if tokens.len() - 1 > idx + 1
        && let Some(idiom_valence) = special_case(&[word(idx), word(idx + 1), word(idx + 2)])
    {
        valence = idiom_valence;
    }
    let n_grams: [&[&str]; 3] = [&three_two_one, &three_two, &two_one];
    for n_gram in n_grams {
        if let Some(scalar) = booster_phrase(n_gram) {
            valence += scalar;
        }
    }
    valence
}

/// The reference's `SPECIAL_CASES`, given as words: tokens never contain
/// spaces, so comparing word by word equals comparing the space-joined
/// phrase (and the one-word key "badass" can never match there either).
fn special_case(words: &[&str]) -> Option<f64> {
    match words {
        [first, second] => match (*first, *second) {
            ("the", "shit") => Some(3.0),
            ("the", "bomb") => Some(3.0),
            ("bad", "ass") => Some(1.5),
            ("bus", "stop") => Some(0.0),
            ("yeah", "right") => Some(-2.0),
            ("beating", "heart") => Some(3.5),
            _ => None,
        },
        [first, second, third] => match (*first, *second, *third) {
            ("kiss", "of", "death") => Some(-1.5),
            ("to", "die", "for") => Some(3.0),
            _ => None,
        },
        _ => None,
    }
}

/// Multi-word boosters and dampeners ("kind of", "sort of", "just enough").
fn booster_phrase(words: &[&str]) -> Option<f64> {
    match words {
        ["kind", "of"] | ["sort", "of"] | ["just", "enough"] => Some(B_DECR),
        _ => None,
    }
}

/// The reference's `_least_check`: "least X" negates X unless "at least" or
/// "very least".
fn least_check(valence: f64, tokens: &Tokens<'_>, idx: usize) -> f64 {
    if idx > 0 && !tokens.in_lexicon(idx - 1) && tokens.lower(idx - 1) == "least" {
        if idx > 1 {
            let before = tokens.lower(idx - 2);
            if before != "at" && before != "very" {
                return valence * N_SCALAR;
            }
            return valence;
        }
        return valence * N_SCALAR;
    }
    valence
}

/// The reference's `_but_check`, bug for bug: it halves valences before the
/// first "but" and multiplies those after it by 1.5, but finds each value's
/// position with `list.index`, so of equal values only the first is rescaled
/// (possibly repeatedly) and a value equal to an earlier one is skipped.
fn but_rule_reference(tokens: &Tokens<'_>, valences: &mut [f64]) {
    let Some(but_idx) = tokens.lower.iter().position(|word| word == "but") else {
        return;
    };
    for current_idx in 0..valences.len() {
        let value = valences[current_idx];
        let first_idx = valences
            .iter()
            .position(|&candidate| candidate == value)
            .expect("the value was just read from this slice");
        if first_idx < but_idx {
            valences[first_idx] = value * 0.5;
        } else if first_idx > but_idx {
            valences[first_idx] = value * 1.5;
        }
    }
}

/// Emphasis added by up to four "!" and by two or more "?" in the text.
pub(crate) fn punctuation_emphasis(text: &str) -> f64 {
    let n_exclamations = text.bytes().filter(|&b| b == b'!').count().min(4);
    let n_questions = text.bytes().filter(|&b| b == b'?').count();
    let exclamation_amplifier = n_exclamations as f64 * 0.292;
    let question_amplifier = match n_questions {
        0 | 1 => 0.0,
        2 | 3 => n_questions as f64 * 0.18,
        _ => 0.96,
    };
    exclamation_amplifier + question_amplifier
}

/// Maps an unbounded valence sum into (-1, 1): `x / sqrt(x² + 15)`.
fn normalize(score: f64) -> f64 {
    let alpha = 15.0;
    (score / (score * score + alpha).sqrt()).clamp(-1.0, 1.0)
}

/// Turns per-token valences into compound, pos, neu and neg, rounded as the
/// reference rounds them (compound to 4, the proportions to 3 decimals).
pub(crate) fn score_valences(valences: &[f64], punct_amplifier: f64) -> Sentiment {
    if valences.is_empty() {
        return Sentiment::NEUTRAL_EMPTY;
    }
    let mut sum = valences.iter().fold(0.0, |acc, v| acc + v);
    if sum > 0.0 {
        sum += punct_amplifier;
    } else if sum < 0.0 {
        sum -= punct_amplifier;
    }
    let compound = normalize(sum);
    let mut pos_sum = 0.0;
    let mut neg_sum = 0.0;
    let mut n_neutral = 0usize;
    for &valence in valences {
        // The +1/-1 compensates for neutral words counting as 1 each.
        if valence > 0.0 {
            pos_sum += valence + 1.0;
        }
        if valence < 0.0 {
            neg_sum += valence - 1.0;
        }
        if valence == 0.0 {
            n_neutral += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += punct_amplifier;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= punct_amplifier;
    }
    let total = pos_sum + neg_sum.abs() + n_neutral as f64;
    Sentiment {
        compound: py_round(compound, 4),
        pos: py_round((pos_sum / total).abs(), 3),
        neu: py_round((n_neutral as f64 / total).abs(), 3),
        neg: py_round((neg_sum / total).abs(), 3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: [f64; 4]) {
        let got = polarity_scores(text);
        assert_eq!(
            [got.compound, got.pos, got.neu, got.neg],
            expected,
            "{text:?}"
        );
    }

    #[test]
    fn reference_readme_examples() {
        // Expected values printed by vaderSentiment 3.3.2: [compound, pos, neu, neg].
        check(
            "VADER is smart, handsome, and funny.",
            [0.8316, 0.746, 0.254, 0.0],
        );
        check(
            "VADER is VERY SMART, handsome, and FUNNY.",
            [0.9227, 0.754, 0.246, 0.0],
        );
        check(
            "The book was only kind of good.",
            [0.3832, 0.303, 0.697, 0.0],
        );
        check("Not bad at all", [0.431, 0.487, 0.513, 0.0]);
        check("", [0.0, 0.0, 0.0, 0.0]);
    }
}
