//! Differential test of VADER mode against vaderSentiment 3.3.2.
//!
//! `tests/vader_expected.tsv` holds the reference's scores of thousands of
//! generated and real sentences (made by `tests/gen_expected.py`), so the
//! default suite needs no Python. `live_reference_agrees` additionally runs
//! the Python package, when installed, on fresh sentences made here and on
//! all rated sentences of `tests/data/icwsm2014`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use text::{Mode, Sentiment, sentiment};

const EXPECTED_TSV: &str = include_str!("../vader_expected.tsv");

/// Tolerance of the issue's target: compound within 0.001 of the reference.
const TOLERANCE: f64 = 0.001;

struct Case {
    id: String,
    category: String,
    expected: Sentiment,
    text: String,
}

fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            other => panic!("bad escape \\{other:?} in {field:?}"),
        }
    }
    out
}

fn cases() -> Vec<Case> {
    EXPECTED_TSV
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.splitn(7, '\t').collect();
            assert_eq!(fields.len(), 7, "malformed row {line:?}");
            let number = |idx: usize| -> f64 { fields[idx].parse().expect("numeric column") };
            Case {
                id: fields[0].to_owned(),
                category: fields[1].to_owned(),
                expected: Sentiment {
                    compound: number(2),
                    pos: number(3),
                    neu: number(4),
                    neg: number(5),
                },
                text: unescape(fields[6]),
            }
        })
        .collect()
}

/// Agreement of our scores with expected ones, per score.
#[derive(Default)]
struct Agreement {
    n_cases: usize,
    n_compound_within: usize,
    n_proportions_within: usize,
    n_identical: usize,
    max_compound_diff: f64,
    max_proportion_diff: f64,
    failures: Vec<String>,
}

impl Agreement {
    fn observe(&mut self, label: &str, text: &str, expected: Sentiment, got: Sentiment) {
        self.n_cases += 1;
        let compound_diff = (expected.compound - got.compound).abs();
        let proportion_diff = [
            (expected.pos - got.pos).abs(),
            (expected.neu - got.neu).abs(),
            (expected.neg - got.neg).abs(),
        ]
        .into_iter()
        .fold(0.0, f64::max);
        self.max_compound_diff = self.max_compound_diff.max(compound_diff);
        self.max_proportion_diff = self.max_proportion_diff.max(proportion_diff);
        if compound_diff <= TOLERANCE + 1e-12 {
            self.n_compound_within += 1;
        }
        if proportion_diff <= TOLERANCE + 1e-12 {
            self.n_proportions_within += 1;
        }
        if expected == got {
            self.n_identical += 1;
        } else if self.failures.len() < 20 {
            self.failures.push(format!(
                "{label} {text:?}: expected {expected:?}, got {got:?}"
            ));
        }
    }

    fn share(&self, count: usize) -> f64 {
        count as f64 / self.n_cases as f64
    }

    fn report(&self, what: &str) {
        println!(
            "{what}: {} sentences; compound within {TOLERANCE}: {:.2} %; pos/neu/neg within {TOLERANCE}: {:.2} %; \
             identical: {:.2} %; max |Δcompound| = {:.4}; max |Δpos/neu/neg| = {:.3}",
            self.n_cases,
            100.0 * self.share(self.n_compound_within),
            100.0 * self.share(self.n_proportions_within),
            100.0 * self.share(self.n_identical),
            self.max_compound_diff,
            self.max_proportion_diff,
        );
        for failure in &self.failures {
            println!("  differs: {failure}");
        }
    }

    fn assert_target(&self) {
        assert!(
            self.share(self.n_compound_within) >= 0.995,
            "compound agreement below 99.5 %"
        );
        assert!(
            self.share(self.n_proportions_within) >= 0.995,
            "pos/neu/neg agreement below 99.5 %"
        );
    }
}

#[test]
fn committed_reference_table_agrees() {
    let cases = cases();
    assert!(
        cases.len() >= 3000,
        "the table must hold thousands of sentences"
    );
    let mut overall = Agreement::default();
    let mut per_category: std::collections::BTreeMap<String, Agreement> = Default::default();
    for case in &cases {
        let got = sentiment(&case.text, Mode::Vader);
        overall.observe(&case.id, &case.text, case.expected, got);
        per_category
            .entry(case.category.clone())
            .or_default()
            .observe(&case.id, &case.text, case.expected, got);
    }
    for (category, agreement) in &per_category {
        println!(
            "  {category:<22} {:>5} sentences, {:.2} % identical",
            agreement.n_cases,
            100.0 * agreement.share(agreement.n_identical)
        );
    }
    overall.report("committed table");
    overall.assert_target();
}

/// Where the reference Python lives, if anywhere.
fn reference_python() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("TOUCHPOINT_VADER_PYTHON") {
        return Some(PathBuf::from(path));
    }
    let default = PathBuf::from("/tmp/vader-venv/bin/python");
    default.exists().then_some(default)
}

/// Fresh sentences from a small deterministic generator (xorshift), so the
/// live run covers text the committed table does not.
fn fresh_sentences(n_sentences: usize) -> Vec<String> {
    let words = [
        "good",
        "bad",
        "great",
        "terrible",
        "not",
        "never",
        "no",
        "very",
        "kind",
        "of",
        "sort",
        "least",
        "at",
        "but",
        "BUT",
        "so",
        "this",
        "without",
        "doubt",
        "the",
        "refund",
        "waiting",
        "still",
        "hold",
        "minutes",
        "love",
        "hate",
        "HATE",
        "GREAT",
        "isn't",
        "didn't",
        "helpful",
        "rude",
        "slightly",
        "extremely",
        ":)",
        ":(",
        "😁",
        "😡",
        "👍",
        "❤",
        "okay",
        "fine",
        "damaged",
        "arrived",
        "lol",
        "wtf",
        "yeah",
        "right",
        "bomb",
        "shit",
        "nor",
        "or",
        "happy",
        "sad",
        "KINDA",
        "barely",
    ];
    let punctuation = ["", ".", "!", "!!!", "?", "??", "?!", ",", "..."];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    (0..n_sentences)
        .map(|_| {
            let n_words = 1 + next(12);
            let mut sentence = String::new();
            for word_idx in 0..n_words {
                if word_idx > 0 {
                    sentence.push(' ');
                }
                sentence.push_str(words[next(words.len())]);
                if next(8) == 0 {
                    sentence.push_str(punctuation[next(punctuation.len())]);
                }
            }
            sentence.push_str(punctuation[next(punctuation.len())]);
            sentence
        })
        .collect()
}

const LIVE_SCRIPT: &str = r#"
import json, sys
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
analyzer = SentimentIntensityAnalyzer()
for line in sys.stdin:
    s = analyzer.polarity_scores(json.loads(line))
    print(json.dumps([s["compound"], s["pos"], s["neu"], s["neg"]]))
"#;

#[test]
fn live_reference_agrees() {
    let Some(python) = reference_python() else {
        println!(
            "skipped: no reference Python (set TOUCHPOINT_VADER_PYTHON or create /tmp/vader-venv)"
        );
        return;
    };
    let mut sentences = fresh_sentences(3000);
    // Also every rated real sentence shipped with the crate (23,703).
    for tsv in [
        include_str!("../data/icwsm2014/amazonReviewSnippets_GroundTruth.txt"),
        include_str!("../data/icwsm2014/tweets_GroundTruth.txt"),
        include_str!("../data/icwsm2014/movieReviewSnippets_GroundTruth.txt"),
        include_str!("../data/icwsm2014/nytEditorialSnippets_GroundTruth.txt"),
    ] {
        sentences.extend(
            tsv.lines()
                .filter_map(|line| line.trim_end_matches('\r').splitn(3, '\t').nth(2))
                .map(str::to_owned),
        );
    }
    let mut child = Command::new(&python)
        .args(["-c", LIVE_SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the reference Python starts");
    // Feed the input from another thread: the reference answers line by
    // line, and with both pipes full a single thread would deadlock.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input: String = sentences
        .iter()
        .map(|sentence| serde_json::to_string(sentence).expect("strings serialise") + "\n")
        .collect();
    let writer = std::thread::spawn(move || {
        stdin
            .write_all(input.as_bytes())
            .expect("the reference reads its input");
    });
    let output = child.wait_with_output().expect("the reference finishes");
    writer.join().expect("the input writer finishes");
    assert!(output.status.success(), "the reference failed");
    let stdout = String::from_utf8(output.stdout).expect("the reference prints UTF-8");
    let mut agreement = Agreement::default();
    for (idx, (sentence, line)) in sentences.iter().zip(stdout.lines()).enumerate() {
        let scores: [f64; 4] = serde_json::from_str(line).expect("four scores per line");
        let expected = Sentiment {
            compound: scores[0],
            pos: scores[1],
            neu: scores[2],
            neg: scores[3],
        };
        agreement.observe(
            &idx.to_string(),
            sentence,
            expected,
            sentiment(sentence, Mode::Vader),
        );
    }
    assert_eq!(
        agreement.n_cases,
        sentences.len(),
        "one answer per sentence"
    );
    agreement.report("live reference");
    agreement.assert_target();
}
