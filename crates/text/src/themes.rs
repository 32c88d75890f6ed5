//! Themes of a corpus: recurring key phrases grouped into root causes.
//!
//! A pain point on the journey map says *where* customers suffer; the text
//! they leave there says *why*. This module finds what many texts talk about
//! ("set-up instructions unclear", "refund still waiting", "parcel
//! damaged"), and reports for each theme how many texts mention it, how
//! those texts feel, and which texts they are — by index, so that the
//! caller can join them with the touchpoints that preceded each text.
//!
//! # Method
//!
//! 1. **Words.** Each text is lower-cased and cut into clauses at
//!    punctuation and at "but"/"and"/"or"; stopwords are removed inside a
//!    clause (so "instructions were unclear" yields "instructions unclear"),
//!    numbers are dropped, hyphens and apostrophes removed, and regular
//!    plurals reduced ("parcels" → "parcel") so that variants count together.
//! 2. **Candidates.** Every run of one to `max_phrase_words` consecutive
//!    remaining words in a clause is a candidate phrase; a phrase may not end
//!    with (or consist of) a weak word such as "still", "not" or "use", and
//!    a strong opinion word ("great", "terrible") may not stand alone — the
//!    theme's sentiment already says how it feels.
//! 3. **Scores.** A phrase found in `n` of `N` texts scores
//!    `n · ln(1 + N / n)` — frequent, but not so frequent that it says
//!    nothing (a TF-IDF over documents). A phrase of several words must be a
//!    collocation: Dunning's log-likelihood ratio G² of its first words and
//!    its last word co-occurring in texts must reach 3.84 (p < 0.05), or the
//!    two must always occur together; it then earns a bonus of 25 % per extra
//!    word, because "refund still waiting" says more than "refund".
//! 4. **Subsumption.** A phrase is dropped when a longer phrase containing
//!    it covers at least 75 % of its texts (the longer one stands for it).
//! 5. **Grouping.** In order of score, a phrase joins the theme whose texts
//!    contain at least half of its own texts and with which it shares a word
//!    (or 80 % of its texts without a shared word); otherwise it starts a new
//!    theme, up to `max_themes`.
//! 6. **Report.** A theme's label is its best phrase (in the surface form
//!    most often written), preceded by the best phrase that shares no word
//!    with it and covers three quarters of the theme ("refund" + "still
//!    waiting"); its texts are the union of its phrases' texts;
//!    sentiment and emotions are means over those texts; examples are the
//!    texts that contain most of its phrases, most negative first.
//!
//! Everything is deterministic: ties are broken by phrase text and index.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::emotion::{self, Emotions};
use crate::{Mode, lexicon, service, vader};

/// Settings of theme extraction.
#[derive(Clone, Debug, PartialEq)]
pub struct ThemeOptions {
    /// Sentiment mode for the themes' mean sentiment.
    pub mode: Mode,
    /// At most this many themes are returned, largest first.
    pub max_themes: usize,
    /// A phrase must occur in at least this many texts.
    pub min_texts: usize,
    /// Longest key phrase, in words.
    pub max_phrase_words: usize,
    /// Example texts per theme.
    pub n_examples: usize,
}

impl Default for ThemeOptions {
    fn default() -> Self {
        ThemeOptions {
            mode: Mode::Service,
            max_themes: 20,
            min_texts: 2,
            max_phrase_words: 3,
            n_examples: 3,
        }
    }
}

/// A key phrase of a corpus.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyPhrase {
    /// The phrase as customers most often wrote it.
    pub phrase: String,
    /// Number of texts that contain it.
    pub n_texts: usize,
    /// Its score (see the module documentation).
    pub score: f64,
}

/// A theme: key phrases that the same texts talk about.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Theme {
    /// The theme's best phrase.
    pub label: String,
    /// Its key phrases, best first.
    pub phrases: Vec<KeyPhrase>,
    /// Number of texts in the theme.
    pub volume: usize,
    /// Indices (into the input) of the theme's texts, ascending.
    pub text_indices: Vec<usize>,
    /// Mean compound sentiment of the theme's texts.
    pub mean_compound: f64,
    /// Share of the theme's texts with compound ≤ −0.05.
    pub share_negative: f64,
    /// Mean emotion scores of the theme's texts.
    pub emotions: Emotions,
    /// Indices of example texts, most representative first.
    pub examples: Vec<usize>,
}

/// Words that carry no theme on their own.
fn is_stopword(word: &str) -> bool {
    matches!(
        word,
        "a" | "about"
            | "above"
            | "after"
            | "again"
            | "all"
            | "also"
            | "am"
            | "an"
            | "and"
            | "any"
            | "are"
            | "as"
            | "at"
            | "be"
            | "because"
            | "been"
            | "before"
            | "being"
            | "below"
            | "between"
            | "both"
            | "but"
            | "by"
            | "can"
            | "could"
            | "did"
            | "do"
            | "does"
            | "doing"
            | "down"
            | "during"
            | "each"
            | "even"
            | "ever"
            | "every"
            | "few"
            | "for"
            | "from"
            | "further"
            | "had"
            | "has"
            | "have"
            | "having"
            | "he"
            | "her"
            | "here"
            | "hers"
            | "herself"
            | "him"
            | "himself"
            | "his"
            | "how"
            | "i"
            | "if"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "itself"
            | "just"
            | "me"
            | "more"
            | "most"
            | "my"
            | "myself"
            | "of"
            | "off"
            | "on"
            | "once"
            | "only"
            | "or"
            | "other"
            | "our"
            | "ours"
            | "ourselves"
            | "out"
            | "over"
            | "own"
            | "same"
            | "she"
            | "should"
            | "so"
            | "some"
            | "such"
            | "than"
            | "that"
            | "the"
            | "their"
            | "theirs"
            | "them"
            | "themselves"
            | "then"
            | "there"
            | "these"
            | "they"
            | "this"
            | "those"
            | "through"
            | "to"
            | "too"
            | "under"
            | "until"
            | "up"
            | "very"
            | "was"
            | "we"
            | "were"
            | "what"
            | "when"
            | "where"
            | "which"
            | "while"
            | "who"
            | "whom"
            | "why"
            | "will"
            | "with"
            | "would"
            | "you"
            | "your"
            | "yours"
            | "yourself"
            | "im"
            | "ive"
            | "id"
            | "ill"
            | "youre"
            | "theyre"
            | "thats"
            | "dont"
            | "really"
            | "quite"
            | "always"
            | "already"
            | "yet"
            | "though"
            | "although"
            | "hi"
            | "hello"
            | "dear"
            | "please"
            | "thanks"
            | "thank"
            | "regards"
            | "etc"
            | "us"
            | "ok"
            | "okay"
            | "yes"
            | "oh"
            | "well"
            | "much"
            | "many"
            | "lot"
            | "lots"
            | "one"
            | "two"
            | "three"
            | "four"
            | "five"
            | "six"
            | "seven"
            | "eight"
            | "nine"
            | "ten"
            | "first"
            | "second"
            | "third"
            | "may"
            | "might"
            | "must"
            | "shall"
            | "said"
            | "says"
            | "told"
            | "tell"
            | "asked"
            | "ask"
            | "get"
            | "got"
            | "getting"
    )
}

/// Words that may sit inside a phrase but neither end it nor stand alone.
fn is_weak(word: &str) -> bool {
    matches!(
        word,
        "still"
            | "not"
            | "no"
            | "never"
            | "nothing"
            | "nobody"
            | "again"
            | "without"
            | "cant"
            | "cannot"
            | "didnt"
            | "doesnt"
            | "wasnt"
            | "isnt"
            | "havent"
            | "hasnt"
            | "wont"
            | "time"
            | "times"
            | "day"
            | "week"
            | "make"
            | "made"
            | "go"
            | "went"
            | "going"
            | "want"
            | "need"
            | "like"
            | "know"
            | "new"
            | "last"
            | "next"
            | "now"
            | "today"
            | "back"
            | "way"
            | "thing"
            | "things"
            | "someone"
            | "anyone"
            | "use"
            | "used"
            | "using"
            | "work"
            | "works"
            | "worked"
            | "buy"
            | "bought"
            | "able"
    )
}

/// Whether a single word is an opinion rather than a topic ("great",
/// "terrible"): such words say how a theme feels, which the theme's
/// sentiment already reports, so they may not form a theme on their own.
fn is_opinion(key: &str) -> bool {
    lexicon::valence(key).is_some_and(|valence| valence.abs() >= 1.5)
}

/// Reduces a regular plural to its singular so that variants count together.
fn singular(word: &str) -> String {
    let n_chars = word.chars().count();
    if n_chars > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..word.len() - 3]);
    }
    let keeps_s = word.ends_with("ss") || word.ends_with("us") || word.ends_with("is");
    if n_chars > 3 && word.ends_with('s') && !keeps_s {
        return word[..word.len() - 1].to_owned();
    }
    word.to_owned()
}

/// One content word: its key (for counting) and its surface form.
struct ContentWord {
    key: String,
    surface: String,
}

/// Clauses of content words of one text.
fn clauses(text: &str) -> Vec<Vec<ContentWord>> {
    let mut clauses = Vec::new();
    let mut current: Vec<ContentWord> = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == '/') {
        let ends_clause = raw.ends_with(|c: char| ".,;:!?()\"".contains(c));
        let surface: String = raw
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
            .chars()
            .filter(|&c| c != '\'' && c != '’')
            .collect();
        let is_break = matches!(surface.as_str(), "but" | "and" | "or" | "however");
        if is_break && !current.is_empty() {
            clauses.push(std::mem::take(&mut current));
        }
        let is_content = !surface.is_empty()
            && !is_break
            && !is_stopword(&surface)
            && !surface.chars().all(|c| c.is_ascii_digit() || c == '.');
        if is_content {
            let key = singular(&surface.replace('-', ""));
            current.push(ContentWord { key, surface });
        }
        if ends_clause && !current.is_empty() {
            clauses.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        clauses.push(current);
    }
    clauses
}

/// Counts of one candidate phrase.
#[derive(Default)]
struct Candidate {
    texts: BTreeSet<usize>,
    surfaces: BTreeMap<String, usize>,
}

/// Candidate phrases of a corpus, keyed by their word keys joined by spaces.
fn candidates(texts: &[&str], max_words: usize) -> HashMap<String, Candidate> {
    let mut found: HashMap<String, Candidate> = HashMap::new();
    for (text_idx, text) in texts.iter().enumerate() {
        for clause in clauses(text) {
            for start in 0..clause.len() {
                for len in 1..=max_words.min(clause.len() - start) {
                    let words = &clause[start..start + len];
                    let last = &words[len - 1].key;
                    let too_plain = len == 1 && (last.chars().count() < 3 || is_opinion(last));
                    if is_weak(last) || too_plain {
                        continue;
                    }
                    let key = join(words.iter().map(|w| w.key.as_str()));
                    let surface = join(words.iter().map(|w| w.surface.as_str()));
                    let candidate = found.entry(key).or_default();
                    candidate.texts.insert(text_idx);
                    *candidate.surfaces.entry(surface).or_default() += 1;
                }
            }
        }
    }
    found
}

fn join<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut joined = String::new();
    for word in words {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    joined
}

/// Dunning's log-likelihood ratio of a 2×2 table of text counts.
fn log_likelihood(both: f64, only_first: f64, only_second: f64, neither: f64) -> f64 {
    let total = both + only_first + only_second + neither;
    let cells = [
        (both, (both + only_first) * (both + only_second)),
        (only_first, (both + only_first) * (only_first + neither)),
        (only_second, (only_second + neither) * (both + only_second)),
        (neither, (only_second + neither) * (only_first + neither)),
    ];
    2.0 * cells
        .iter()
        .filter(|(observed, _)| *observed > 0.0)
        .map(|&(observed, margin_product)| observed * (observed * total / margin_product).ln())
        .sum::<f64>()
}

/// A scored phrase with its texts, before grouping.
struct Scored {
    key: String,
    words: Vec<String>,
    display: String,
    texts: BTreeSet<usize>,
    score: f64,
}

/// Key phrases of a corpus, best first.
pub fn key_phrases(texts: &[&str], options: &ThemeOptions) -> Vec<KeyPhrase> {
    scored_phrases(texts, options)
        .into_iter()
        .map(|scored| KeyPhrase {
            phrase: scored.display,
            n_texts: scored.texts.len(),
            score: scored.score,
        })
        .collect()
}

fn scored_phrases(texts: &[&str], options: &ThemeOptions) -> Vec<Scored> {
    let n_texts = texts.len() as f64;
    let found = candidates(texts, options.max_phrase_words.max(1));
    let n_texts_of = |key: &str| found.get(key).map_or(0, |c| c.texts.len()) as f64;
    let mut scored: Vec<Scored> = found
        .iter()
        .filter(|(_, candidate)| candidate.texts.len() >= options.min_texts.max(1))
        .filter_map(|(key, candidate)| {
            let words: Vec<String> = key.split(' ').map(str::to_owned).collect();
            let n_with = candidate.texts.len() as f64;
            if words.len() > 1 {
                let prefix = words[..words.len() - 1].join(" ");
                let n_prefix = n_texts_of(&prefix);
                let n_last = n_texts_of(&words[words.len() - 1]);
                let g2 = log_likelihood(
                    n_with,
                    n_prefix - n_with,
                    n_last - n_with,
                    n_texts - n_prefix - n_last + n_with,
                );
                let always_together = n_with >= n_prefix.min(n_last);
                if g2 < 3.84 && !always_together {
                    return None;
                }
            } else if is_weak(key) {
                return None;
            }
            let length_bonus = 1.0 + 0.25 * (words.len() - 1) as f64;
            let score = n_with * (1.0 + n_texts / n_with).ln() * length_bonus;
            let display = candidate
                .surfaces
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(surface, _)| surface.clone())
                .expect("a candidate has at least one surface form");
            Some(Scored {
                key: key.clone(),
                words,
                display,
                texts: candidate.texts.clone(),
                score,
            })
        })
        .collect();
    remove_subsumed(&mut scored);
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
    scored
}

/// Drops phrases that a longer phrase containing them mostly covers.
fn remove_subsumed(scored: &mut Vec<Scored>) {
    let n_texts_by_key: HashMap<String, usize> = scored
        .iter()
        .map(|phrase| (phrase.key.clone(), phrase.texts.len()))
        .collect();
    let mut subsumed: BTreeSet<String> = BTreeSet::new();
    for phrase in scored.iter() {
        let n_words = phrase.words.len();
        for len in 1..n_words {
            for start in 0..=(n_words - len) {
                let part = phrase.words[start..start + len].join(" ");
                if let Some(&n_part) = n_texts_by_key.get(&part)
                    && phrase.texts.len() as f64 >= 0.75 * n_part as f64
                {
                    subsumed.insert(part);
                }
            }
        }
    }
    scored.retain(|phrase| !subsumed.contains(&phrase.key));
}

/// A theme being built.
struct Draft {
    phrases: Vec<Scored>,
    words: BTreeSet<String>,
    texts: BTreeSet<usize>,
}

fn group(scored: Vec<Scored>, max_themes: usize) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    for phrase in scored {
        let n_phrase = phrase.texts.len() as f64;
        let best = drafts
            .iter()
            .enumerate()
            .map(|(draft_idx, draft)| {
                let shared_texts = phrase.texts.intersection(&draft.texts).count() as f64;
                let containment = shared_texts / n_phrase;
                let shares_word = phrase.words.iter().any(|word| draft.words.contains(word));
                (draft_idx, containment, shares_word)
            })
            .filter(|&(_, containment, shares_word)| {
                (shares_word && containment >= 0.5) || containment >= 0.8
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        match best {
            Some((draft_idx, _, _)) => {
                let draft = &mut drafts[draft_idx];
                draft.words.extend(phrase.words.iter().cloned());
                draft.texts.extend(phrase.texts.iter().copied());
                draft.phrases.push(phrase);
            }
            None if drafts.len() < max_themes => drafts.push(Draft {
                words: phrase.words.iter().cloned().collect(),
                texts: phrase.texts.clone(),
                phrases: vec![phrase],
            }),
            None => {}
        }
    }
    drafts
}

/// Extracts themes from a corpus of texts (see the module documentation).
pub fn themes(texts: &[&str], options: &ThemeOptions) -> Vec<Theme> {
    let scored = scored_phrases(texts, options);
    let drafts = group(scored, options.max_themes);
    let mut per_text: HashMap<usize, (f64, Emotions)> = HashMap::new();
    let mut themes: Vec<Theme> = drafts
        .into_iter()
        .map(|draft| {
            for &text_idx in &draft.texts {
                per_text
                    .entry(text_idx)
                    .or_insert_with(|| text_scores(texts[text_idx], options.mode));
            }
            finish(draft, &per_text, options.n_examples)
        })
        .collect();
    themes.sort_by(|a, b| b.volume.cmp(&a.volume).then_with(|| a.label.cmp(&b.label)));
    themes
}

/// Compound sentiment and emotions of one text.
fn text_scores(text: &str, mode: Mode) -> (f64, Emotions) {
    let analysis = service::analyse(text);
    let compound = match mode {
        Mode::Service => analysis.sentiment.compound,
        Mode::Vader => vader::polarity_scores(text).compound,
    };
    (compound, emotion::from_analysis(&analysis, text))
}

/// The best phrase, preceded by the best other phrase that shares no word
/// with it and covers three quarters of the theme's texts: "still waiting"
/// and "refund" make "refund still waiting".
fn label_of(draft: &Draft) -> String {
    let best = &draft.phrases[0];
    let companion = draft.phrases[1..].iter().find(|phrase| {
        let disjoint = !phrase.words.iter().any(|word| best.words.contains(word));
        disjoint && phrase.texts.len() as f64 >= 0.75 * draft.texts.len() as f64
    });
    match companion {
        Some(companion) => format!("{} {}", companion.display, best.display),
        None => best.display.clone(),
    }
}

fn finish(draft: Draft, per_text: &HashMap<usize, (f64, Emotions)>, n_examples: usize) -> Theme {
    let volume = draft.texts.len();
    let scores = |text_idx: &usize| per_text.get(text_idx).expect("every theme text is scored");
    let mean_compound = draft.texts.iter().map(|idx| scores(idx).0).sum::<f64>() / volume as f64;
    let n_negative = draft
        .texts
        .iter()
        .filter(|idx| scores(idx).0 <= -0.05)
        .count();
    let mut emotion_sums = [0.0f64; 7];
    for text_idx in &draft.texts {
        for (slot, (_, score)) in emotion_sums.iter_mut().zip(scores(text_idx).1.iter()) {
            *slot += score;
        }
    }
    let mean = |slot: usize| emotion_sums[slot] / volume as f64;
    let emotions = Emotions {
        joy: mean(0),
        trust: mean(1),
        surprise: mean(2),
        frustration: mean(3),
        anger: mean(4),
        anxiety: mean(5),
        disappointment: mean(6),
    };
    let mut ranked: Vec<(usize, usize, f64)> = draft
        .texts
        .iter()
        .map(|&text_idx| {
            let n_phrases = draft
                .phrases
                .iter()
                .filter(|phrase| phrase.texts.contains(&text_idx))
                .count();
            (text_idx, n_phrases, scores(&text_idx).0)
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.2.total_cmp(&b.2))
            .then_with(|| a.0.cmp(&b.0))
    });
    Theme {
        label: label_of(&draft),
        phrases: draft
            .phrases
            .iter()
            .map(|phrase| KeyPhrase {
                phrase: phrase.display.clone(),
                n_texts: phrase.texts.len(),
                score: phrase.score,
            })
            .collect(),
        volume,
        text_indices: draft.texts.into_iter().collect(),
        mean_compound,
        share_negative: n_negative as f64 / volume as f64,
        emotions,
        examples: ranked
            .into_iter()
            .take(n_examples)
            .map(|(idx, _, _)| idx)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_drop_stopwords_and_split_at_punctuation() {
        let keys: Vec<Vec<String>> =
            clauses("The set-up instructions were unclear, and the parcels arrived late.")
                .into_iter()
                .map(|clause| clause.into_iter().map(|w| w.key).collect())
                .collect();
        assert_eq!(
            keys,
            [
                vec!["setup", "instruction", "unclear"],
                vec!["parcel", "arrived", "late"]
            ]
        );
    }

    #[test]
    fn log_likelihood_is_zero_for_independence() {
        assert!(log_likelihood(25.0, 25.0, 25.0, 25.0).abs() < 1e-9);
        assert!(log_likelihood(10.0, 0.0, 0.0, 90.0) > 3.84);
    }

    #[test]
    fn singular_handles_common_plurals() {
        assert_eq!(singular("deliveries"), "delivery");
        assert_eq!(singular("parcels"), "parcel");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("process"), "process");
    }
}
