//! Service mode: the issue's examples, what must not change, and the
//! evaluation figures of EVALUATION.md as regression floors.

use text::evaluation::Confusion;
use text::{Mode, Polarity, sentiment, service_phrases};

/// Checks the service-mode polarity of one text.
fn check(text: &str, expected: Polarity) {
    let got = sentiment(text, Mode::Service);
    assert_eq!(
        got.polarity(),
        expected,
        "{text:?}: {got:?} {:?}",
        service_phrases(text)
    );
}

#[test]
fn issue_examples_score_as_customers_mean_them() {
    for text in [
        "I was on hold for 40 minutes",
        "still waiting for my refund",
        "third time I'm calling",
        "nobody called back",
        "I've been waiting three days for a reply",
        "Called customer support twice, no answer",
        "Thanks for nothing",
        "I would like a refund, it stopped working",
    ] {
        check(text, Polarity::Negative);
        assert_ne!(
            sentiment(text, Mode::Vader).polarity(),
            Polarity::Negative,
            "{text:?} was already negative in VADER mode; pick a harder example"
        );
    }
    // VADER already finds this one negative, service mode more so.
    let damaged = "the parcel arrived damaged";
    check(damaged, Polarity::Negative);
    assert!(sentiment(damaged, Mode::Service).compound < sentiment(damaged, Mode::Vader).compound);
    for text in [
        "The agent went above and beyond",
        "Sorted on the first call",
        "Arrived a day early and well packed",
        "Quick delivery",
        "No waiting at all, answered straight away",
    ] {
        check(text, Polarity::Positive);
    }
}

#[test]
fn requests_are_neutral_in_service_mode() {
    for text in [
        "I would like to change my delivery address please",
        "Please send me a copy of my invoice",
        "Can you help me with my account number?",
        "Please call me back on this number",
    ] {
        check(text, Polarity::Neutral);
    }
}

#[test]
fn durations_scale_with_length() {
    let compound = |text: &str| sentiment(text, Mode::Service).compound;
    assert_eq!(compound("I was on hold for 2 minutes"), 0.0);
    assert!(compound("I was on hold for 40 minutes") < compound("I was on hold for 5 minutes"));
    assert!(compound("on hold for an hour") < -0.5);
    assert!(compound("fixed in five minutes") > 0.3);
    assert!(compound("it took two hours to assemble") < 0.0);
    assert_eq!(compound("set-up took me ten minutes"), 0.0);
}

#[test]
fn negation_and_contrast_apply_to_service_phrases() {
    check("the parcel didn't arrive damaged", Polarity::Positive);
    check("it was not delivered on time", Polarity::Negative);
    check("I will never buy from you again", Polarity::Negative);
    check("I will definitely order again", Polarity::Positive);
    // The later clause dominates, as in the VADER paper.
    check(
        "Delivery was quick but the parcel arrived damaged",
        Polarity::Negative,
    );
}

#[test]
fn general_text_keeps_vader_scores_when_no_rule_fires() {
    for text in [
        "The book was good.",
        "VADER is VERY SMART, handsome, and FUNNY!!!",
        "Not bad at all",
        "I hate Mondays :(",
    ] {
        assert_eq!(
            sentiment(text, Mode::Service).compound,
            sentiment(text, Mode::Vader).compound,
            "{text:?}"
        );
    }
}

#[test]
fn service_phrases_explain_the_score() {
    let phrases = service_phrases("I was on hold for 40 minutes and nobody called back.");
    let found: Vec<&str> = phrases.iter().map(|p| p.phrase.as_str()).collect();
    assert_eq!(found, ["on hold for 40 minutes", "nobody called back"]);
    assert!(phrases.iter().all(|p| p.valence < 0.0));
}

fn labelled(tsv: &'static str) -> Vec<(Polarity, &'static str)> {
    tsv.lines()
        .skip(1)
        .map(|line| {
            let (label, text) = line.split_once('\t').expect("label<TAB>text");
            let gold = match label {
                "neg" => Polarity::Negative,
                "neu" => Polarity::Neutral,
                "pos" => Polarity::Positive,
                other => panic!("unknown label {other:?}"),
            };
            (gold, text)
        })
        .collect()
}

fn rated(tsv: &'static str) -> Vec<(Polarity, &'static str)> {
    tsv.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.trim_end_matches('\r').splitn(3, '\t');
            let _id = fields.next().expect("id column");
            let rating: f64 = fields
                .next()
                .expect("rating")
                .parse()
                .expect("numeric rating");
            let gold = if rating >= 0.5 {
                Polarity::Positive
            } else if rating <= -0.5 {
                Polarity::Negative
            } else {
                Polarity::Neutral
            };
            (gold, fields.next().expect("text column"))
        })
        .collect()
}

fn macro_f1(rows: &[(Polarity, &str)], mode: Mode) -> f64 {
    let mut confusion = Confusion::default();
    for &(gold, text) in rows {
        confusion.observe(gold, sentiment(text, mode).polarity());
    }
    confusion.macro_f1()
}

#[test]
fn service_mode_beats_vader_on_service_text() {
    let held_out = labelled(include_str!("../data/service_test.tsv"));
    assert!(held_out.len() >= 175);
    let vader = macro_f1(&held_out, Mode::Vader);
    let service = macro_f1(&held_out, Mode::Service);
    println!("held-out service text: macro-F1 VADER {vader:.3}, service {service:.3}");
    assert!(
        service >= vader + 0.3,
        "service mode lost its edge on service text"
    );
}

#[test]
fn service_mode_does_not_lose_on_general_text() {
    let mut all = Vec::new();
    for tsv in [
        include_str!("../data/icwsm2014/amazonReviewSnippets_GroundTruth.txt"),
        include_str!("../data/icwsm2014/tweets_GroundTruth.txt"),
        include_str!("../data/icwsm2014/movieReviewSnippets_GroundTruth.txt"),
        include_str!("../data/icwsm2014/nytEditorialSnippets_GroundTruth.txt"),
    ] {
        all.extend(rated(tsv));
    }
    assert!(all.len() > 20_000);
    let vader = macro_f1(&all, Mode::Vader);
    let service = macro_f1(&all, Mode::Service);
    println!("ICWSM-2014 rated text: macro-F1 VADER {vader:.3}, service {service:.3}");
    assert!(
        service >= vader - 0.005,
        "service mode lost accuracy on general text"
    );
}
