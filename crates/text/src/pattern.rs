//! A small word-pattern matcher for the phrase rules of service mode.
//!
//! Rules are written as readable strings (`"still ~1 no|not|nothing"`) and
//! compiled once. A regular expression over the raw text would be shorter
//! to write but harder to read, slower on two cores, and blind to what a
//! "word" is; this matcher works on the normalised words of a text and knows
//! about clause boundaries, durations and counts.
//!
//! Syntax, one slot per white-space separated item:
//!
//! - `a|b|c` — one of the words; `word*` matches any word starting with
//!   `word`; `a+b` is a sequence of words inside one alternative.
//! - `?slot` — the slot may be absent.
//! - `~N` — up to N arbitrary words.
//! - `$` — the end of a sentence (matches no word).
//! - `@dur` — a duration ("40 minutes", "2hrs", "half an hour", "all day");
//!   `@num` — a count of two or more ("three", "5", "twice" is a word);
//!   `@ord` — an ordinal of two or more ("third", "4th").
//!
//! A match never crosses a sentence end (a word followed by `.`, `!`, `?`
//! or `;`), and a gap never skips a negation: "will never buy … again" must
//! not match a rule written for "will buy … again".

use crate::lexicon::FxHashMap;

/// Id of a word that no pattern mentions.
pub(crate) const UNKNOWN_WORD: u32 = u32::MAX;

/// The words that patterns mention, numbered, so that matching compares
/// integers: a text's words are looked up once, not once per rule.
#[derive(Clone, Debug, Default)]
pub(crate) struct Vocabulary {
    ids: FxHashMap<&'static str, u32>,
}

impl Vocabulary {
    fn intern(&mut self, word: &'static str) -> u32 {
        let next_id = u32::try_from(self.ids.len()).expect("fewer than 2^32 pattern words");
        *self.ids.entry(word).or_insert(next_id)
    }

    /// The id of a word, or [`UNKNOWN_WORD`].
    pub(crate) fn id_of(&self, word: &str) -> u32 {
        self.ids.get(word).copied().unwrap_or(UNKNOWN_WORD)
    }

    /// Number of distinct pattern words.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }
}

/// One way to match a single word.
#[derive(Clone, Debug, PartialEq)]
enum WordTest {
    /// The word with this vocabulary id.
    Exact(u32),
    Prefix(&'static str),
}

impl WordTest {
    fn matches(&self, word: &str, id: u32) -> bool {
        match self {
            WordTest::Exact(expected) => id == *expected,
            WordTest::Prefix(prefix) => word.starts_with(prefix),
        }
    }
}

/// One compiled slot of a pattern.
#[derive(Clone, Debug, PartialEq)]
enum Slot {
    /// Alternatives, each a sequence of word tests.
    Words(Vec<Vec<WordTest>>),
    Gap(usize),
    SentenceEnd,
    Duration,
    Count,
    Ordinal,
}

/// A compiled pattern: optional slots are expanded at compile time into
/// variants (longest first), so matching never allocates.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pattern {
    variants: Vec<Vec<Slot>>,
}

/// What a successful match covers and captured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PatternMatch {
    /// Index of the first word of the match.
    pub(crate) start: usize,
    /// One past the last word of the match.
    pub(crate) end: usize,
    /// The duration in seconds, or the count or ordinal, if one was captured.
    pub(crate) quantity: Option<f64>,
}

/// Normalised words of a text plus where its sentences end, and the
/// durations, counts and ordinals that start at each word (parsed once per
/// text, because many rules ask for them at every position).
pub(crate) struct Words<'a> {
    pub(crate) words: &'a [String],
    /// Vocabulary id of each word.
    pub(crate) ids: &'a [u32],
    /// `sentence_end[i]` is true when word `i` ends a sentence.
    pub(crate) sentence_end: &'a [bool],
    pub(crate) quantities: &'a Quantities,
}

/// Durations (seconds, words spanned), counts and ordinals by start word,
/// and which words are negations.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Quantities {
    pub(crate) duration: Vec<Option<(f64, usize)>>,
    pub(crate) count: Vec<Option<f64>>,
    pub(crate) ordinal: Vec<Option<f64>>,
    pub(crate) negation: Vec<bool>,
}

impl Quantities {
    pub(crate) fn of(words: &[String]) -> Quantities {
        Quantities {
            duration: (0..words.len())
                .map(|idx| parse_duration(&words[idx..]))
                .collect(),
            count: words.iter().map(|word| parse_count(word)).collect(),
            ordinal: words.iter().map(|word| parse_ordinal(word)).collect(),
            negation: words.iter().map(|word| is_negation(word)).collect(),
        }
    }
}

/// What the first slot of a pattern needs, for indexing rules.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FirstSlot {
    /// One of the words with these vocabulary ids.
    Words(Vec<u32>),
    Duration,
    Count,
    Ordinal,
    /// A prefix test: the pattern must be tried at every word.
    Anything,
}

impl Pattern {
    /// Compiles a pattern; panics on a malformed one, which is a bug in the
    /// rule table (covered by the tests that build every table).
    pub(crate) fn compile(source: &'static str, vocabulary: &mut Vocabulary) -> Pattern {
        let mut variants: Vec<Vec<Slot>> = vec![Vec::new()];
        for item in source.split_whitespace() {
            match item.strip_prefix('?') {
                Some(optional) => {
                    let slot = compile_slot(optional, vocabulary);
                    let without = variants.clone();
                    for variant in &mut variants {
                        variant.push(slot.clone());
                    }
                    variants.extend(without);
                }
                None => {
                    let slot = compile_slot(item, vocabulary);
                    for variant in &mut variants {
                        variant.push(slot.clone());
                    }
                }
            }
        }
        for variant in &variants {
            assert!(
                matches!(
                    variant.first(),
                    Some(Slot::Words(_) | Slot::Duration | Slot::Count | Slot::Ordinal)
                ),
                "pattern {source:?} must start with a word, duration, count or ordinal"
            );
        }
        Pattern { variants }
    }

    /// What can start this pattern, for indexing.
    pub(crate) fn first_slot(&self) -> FirstSlot {
        let mut firsts = Vec::new();
        for variant in &self.variants {
            match variant.first() {
                Some(Slot::Words(alternatives)) => {
                    for alternative in alternatives {
                        match alternative[0] {
                            WordTest::Exact(word) => firsts.push(word),
                            WordTest::Prefix(_) => return FirstSlot::Anything,
                        }
                    }
                }
                Some(Slot::Duration) if self.variants.len() == 1 => return FirstSlot::Duration,
                Some(Slot::Count) if self.variants.len() == 1 => return FirstSlot::Count,
                Some(Slot::Ordinal) if self.variants.len() == 1 => return FirstSlot::Ordinal,
                _ => return FirstSlot::Anything,
            }
        }
        firsts.sort_unstable();
        firsts.dedup();
        FirstSlot::Words(firsts)
    }

    /// Tries to match at word `start`.
    pub(crate) fn match_at(&self, words: &Words<'_>, start: usize) -> Option<PatternMatch> {
        self.variants.iter().find_map(|slots| {
            let mut quantity = None;
            let end = match_slots(slots, words, start, start, &mut quantity)?;
            Some(PatternMatch {
                start,
                end,
                quantity,
            })
        })
    }
}

fn compile_slot(item: &'static str, vocabulary: &mut Vocabulary) -> Slot {
    if let Some(n_words) = item.strip_prefix('~') {
        return Slot::Gap(n_words.parse().expect("~N takes a number"));
    }
    match item {
        "$" => return Slot::SentenceEnd,
        "@dur" => return Slot::Duration,
        "@num" => return Slot::Count,
        "@ord" => return Slot::Ordinal,
        _ => {}
    }
    let mut alternatives: Vec<Vec<WordTest>> = item
        .split('|')
        .map(|alternative| {
            alternative
                .split('+')
                .map(|word| match word.strip_suffix('*') {
                    Some(prefix) => WordTest::Prefix(prefix),
                    None => WordTest::Exact(vocabulary.intern(word)),
                })
                .collect()
        })
        .collect();
    // Longest alternatives first, so "called back" wins over "called".
    alternatives.sort_by_key(|alternative| std::cmp::Reverse(alternative.len()));
    Slot::Words(alternatives)
}

/// Whether words `from..to` may be joined into one match (no sentence end
/// before the last of them).
fn within_sentence(words: &Words<'_>, from: usize, to: usize) -> bool {
    to <= words.words.len() && (from..to.saturating_sub(1)).all(|idx| !words.sentence_end[idx])
}

/// Backtracking match of `slots` from word `pos`; returns the end index.
fn match_slots(
    slots: &[Slot],
    words: &Words<'_>,
    start: usize,
    pos: usize,
    quantity: &mut Option<f64>,
) -> Option<usize> {
    let Some((slot, rest)) = slots.split_first() else {
        return Some(pos);
    };
    match slot {
        Slot::Gap(max_words) => (0..=*max_words)
            .take_while(|&skip| {
                skip == 0
                    || words
                        .quantities
                        .negation
                        .get(pos + skip - 1)
                        .is_some_and(|&negation| !negation)
            })
            .find_map(|skip| {
                let next = pos + skip;
                if skip > 0 && !within_sentence(words, start, next + 1) {
                    return None;
                }
                match_slots(rest, words, start, next, quantity)
            }),
        Slot::SentenceEnd => {
            let at_end = pos == words.words.len() || (pos > 0 && words.sentence_end[pos - 1]);
            if at_end {
                match_slots(rest, words, start, pos, quantity)
            } else {
                None
            }
        }
        Slot::Words(alternatives) => alternatives.iter().find_map(|alternative| {
            // Compare words first (integer ids, cheap) and only then check
            // that the match stays within one sentence.
            let end = pos + alternative.len();
            if end > words.words.len() {
                return None;
            }
            let all_match = alternative
                .iter()
                .zip(&words.words[pos..end])
                .zip(&words.ids[pos..end])
                .all(|((test, word), &id)| test.matches(word, id));
            if all_match && within_sentence(words, start, end) {
                match_slots(rest, words, start, end, quantity)
            } else {
                None
            }
        }),
        Slot::Duration | Slot::Count | Slot::Ordinal => {
            let quantities = words.quantities;
            let (value, n_words) = match slot {
                Slot::Duration => (*quantities.duration.get(pos)?)?,
                Slot::Count => (*quantities.count.get(pos)?).map(|count| (count, 1))?,
                _ => (*quantities.ordinal.get(pos)?).map(|ordinal| (ordinal, 1))?,
            };
            let end = pos + n_words;
            if !within_sentence(words, start, end) {
                return None;
            }
            let before = *quantity;
            quantity.get_or_insert(value);
            let result = match_slots(rest, words, start, end, quantity);
            if result.is_none() {
                *quantity = before;
            }
            result
        }
    }
}

/// Words that negate what follows them (normalised: apostrophes dropped).
pub(crate) fn is_negation(word: &str) -> bool {
    matches!(
        word,
        "not"
            | "no"
            | "never"
            | "nothing"
            | "nobody"
            | "none"
            | "didnt"
            | "doesnt"
            | "dont"
            | "wasnt"
            | "werent"
            | "isnt"
            | "arent"
            | "hasnt"
            | "havent"
            | "hadnt"
            | "wont"
            | "wouldnt"
            | "cant"
            | "cannot"
            | "couldnt"
            | "shouldnt"
            | "without"
            | "hardly"
            | "barely"
            | "nor"
            | "neither"
    )
}

/// A cardinal number written as digits or as an English word.
pub(crate) fn parse_number(word: &str) -> Option<f64> {
    if word.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        if let Ok(value) = word.parse::<f64>() {
            return value.is_finite().then_some(value);
        }
        // "3-5" (a range) counts as its upper end.
        let (_, upper) = word.split_once('-')?;
        return upper.parse::<f64>().ok().filter(|value| value.is_finite());
    }
    let value = match word {
        "a" | "an" | "one" => 1.0,
        "two" | "couple" => 2.0,
        "three" | "few" => 3.0,
        "four" | "several" => 4.0,
        "five" | "many" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "fifteen" => 15.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "forty-five" => 45.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "ninety" => 90.0,
        "hundred" => 100.0,
        _ => return None,
    };
    Some(value)
}

/// Seconds in one unit of time, for the unit words customers use.
fn unit_secs(word: &str) -> Option<f64> {
    const MINUTE: f64 = 60.0;
    const HOUR: f64 = 3600.0;
    const DAY: f64 = 86_400.0;
    let secs = match word {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
        "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" => DAY,
        "wk" | "wks" | "week" | "weeks" => 7.0 * DAY,
        "fortnight" | "fortnights" => 14.0 * DAY,
        "month" | "months" => 30.0 * DAY,
        "yr" | "yrs" | "year" | "years" => 365.0 * DAY,
        _ => return None,
    };
    Some(secs)
}

/// A bare plural unit stands for "several" of it ("for hours", "weeks later").
fn bare_unit_secs(word: &str) -> Option<f64> {
    match word {
        "hours" => Some(2.0 * 3600.0),
        "days" => Some(3.0 * 86_400.0),
        "weeks" => Some(3.0 * 7.0 * 86_400.0),
        "months" => Some(3.0 * 30.0 * 86_400.0),
        _ => None,
    }
}

/// Seconds of a part of the day or week named after "all" / "the whole".
fn period_secs(word: &str) -> Option<f64> {
    match word {
        "morning" | "afternoon" | "evening" | "night" | "lunch" => Some(3.0 * 3600.0),
        "day" => Some(8.0 * 3600.0),
        "week" => Some(7.0 * 86_400.0),
        "weekend" => Some(2.0 * 86_400.0),
        _ => None,
    }
}

/// Parses a duration at the start of `words`: returns seconds and the number
/// of words it spans.
pub(crate) fn parse_duration(words: &[String]) -> Option<(f64, usize)> {
    let first = words.first()?.as_str();
    let second = words.get(1).map(String::as_str);
    let third = words.get(2).map(String::as_str);
    // "half an hour", "half a day".
    if first == "half"
        && matches!(second, Some("a" | "an"))
        && let Some(unit) = third.and_then(unit_secs)
    {
        return Some((unit / 2.0, 3));
    }
    // "all day", "the whole afternoon", "the entire weekend".
    if first == "all"
        && let Some(secs) = second.and_then(period_secs)
    {
        return Some((secs, 2));
    }
    if first == "the"
        && matches!(second, Some("whole" | "entire"))
        && let Some(secs) = third.and_then(period_secs)
    {
        return Some((secs, 3));
    }
    if let Some(secs) = bare_unit_secs(first) {
        return Some((secs, 1));
    }
    if let Some(secs) = fused_duration(first) {
        return Some((secs, 1));
    }
    let number = parse_number(first)?;
    // "a couple of days", "a few weeks".
    let (number, mut idx) = match (first, second, third) {
        ("a", Some("couple"), Some("of")) => (2.0, 3),
        ("a", Some("few"), _) => (3.0, 2),
        ("couple", Some("of"), _) => (2.0, 2),
        _ => (number, 1),
    };
    // "3 working days", "two full hours", "40 more minutes".
    if matches!(
        words.get(idx).map(String::as_str),
        Some("working" | "business" | "full" | "more" | "whole" | "long")
    ) {
        idx += 1;
    }
    let unit = unit_secs(words.get(idx)?)?;
    Some((number * unit, idx + 1))
}

/// "40min", "2hrs", "40-minute", "3-day".
fn fused_duration(word: &str) -> Option<f64> {
    let split_at = word.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    if split_at == 0 {
        return None;
    }
    let (digits, unit) = word.split_at(split_at);
    let number: f64 = digits.parse().ok()?;
    let unit = unit.strip_prefix('-').unwrap_or(unit);
    Some(number * unit_secs(unit)?)
}

/// A count of two or more.
fn parse_count(word: &str) -> Option<f64> {
    parse_number(word).filter(|count| (2.0..1000.0).contains(count))
}

/// An ordinal of two or more ("second", "3rd", "umpteenth").
fn parse_ordinal(word: &str) -> Option<f64> {
    let value = match word {
        "second" | "2nd" => 2.0,
        "third" | "3rd" => 3.0,
        "fourth" | "4th" => 4.0,
        "fifth" | "5th" => 5.0,
        "sixth" | "6th" => 6.0,
        "seventh" | "7th" => 7.0,
        "eighth" | "8th" => 8.0,
        "ninth" | "9th" => 9.0,
        "tenth" | "10th" => 10.0,
        "umpteenth" | "nth" | "hundredth" => 10.0,
        _ => {
            let digits = word.strip_suffix("th")?;
            let value: f64 = digits.parse().ok()?;
            // "27th letter" is a position, not the 27th contact.
            return (2.0..=20.0).contains(&value).then_some(value);
        }
    };
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(text: &str) -> (Vec<String>, Vec<bool>) {
        let words = text
            .split_whitespace()
            .map(|w| w.trim_end_matches('.').to_owned())
            .collect();
        let ends = text.split_whitespace().map(|w| w.ends_with('.')).collect();
        (words, ends)
    }

    fn check(pattern: &'static str, text: &str, expected: Option<(usize, usize, Option<f64>)>) {
        let (words, sentence_end) = words_of(text);
        let mut vocabulary = Vocabulary::default();
        let pattern = Pattern::compile(pattern, &mut vocabulary);
        let quantities = Quantities::of(&words);
        let ids: Vec<u32> = words.iter().map(|word| vocabulary.id_of(word)).collect();
        let words = Words {
            words: &words,
            ids: &ids,
            sentence_end: &sentence_end,
            quantities: &quantities,
        };
        let got = (0..words.words.len())
            .find_map(|start| pattern.match_at(&words, start))
            .map(|m| (m.start, m.end, m.quantity));
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn words_alternatives_and_prefixes() {
        check(
            "still ~1 no|not",
            "i am still not happy",
            Some((2, 4, None)),
        );
        check("still ~1 no|not", "still waiting no", Some((0, 3, None)));
        check("still ~1 no|not", "still really really not", None);
        check("will ~2 buy", "will never buy", None);
        check("wait* for", "i waited for you", Some((1, 3, None)));
        check("no+one|nobody called", "no one called", Some((0, 3, None)));
        check(
            "nobody called|called+back",
            "nobody called back",
            Some((0, 3, None)),
        );
        check("arrived ?very late", "arrived late", Some((0, 2, None)));
        check(
            "arrived ?very late",
            "arrived very late",
            Some((0, 3, None)),
        );
        check("again $", "sent again. fine", Some((1, 2, None)));
        check("again $", "again and again", Some((2, 3, None)));
    }

    #[test]
    fn matches_stop_at_sentence_ends() {
        check("hold ~2 minutes", "on hold. two minutes", None);
        check(
            "hold ~2 minutes",
            "on hold for two minutes",
            Some((1, 5, None)),
        );
    }

    #[test]
    fn durations_counts_and_ordinals() {
        check(
            "hold for @dur",
            "on hold for 40 minutes",
            Some((1, 5, Some(2400.0))),
        );
        check(
            "hold for @dur",
            "hold for 40min",
            Some((0, 3, Some(2400.0))),
        );
        check(
            "hold for @dur",
            "hold for half an hour",
            Some((0, 5, Some(1800.0))),
        );
        check(
            "hold for @dur",
            "hold for an hour",
            Some((0, 4, Some(3600.0))),
        );
        check(
            "@dur later",
            "three working days later",
            Some((0, 4, Some(259_200.0))),
        );
        check("@dur later", "weeks later", Some((0, 2, Some(1_814_400.0))));
        check(
            "waited @dur",
            "waited all day",
            Some((0, 3, Some(28_800.0))),
        );
        check("@ord time", "the third time", Some((1, 3, Some(3.0))));
        check("@ord time", "the first time", None);
        check("@num times", "called 5 times", Some((1, 3, Some(5.0))));
        check("@num times", "one times", None);
    }
}
