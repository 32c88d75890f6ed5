//! Prints the sentiment evaluation of both modes on the rated text shipped
//! with the crate (the figures in EVALUATION.md).
//!
//! Run: `cargo run -p text --release --example evaluate`

use text::evaluation::Confusion;
use text::{Mode, Polarity, sentiment};

/// Gold polarity of a mean human rating on VADER's −4…4 scale.
fn gold_of_rating(mean_rating: f64) -> Polarity {
    if mean_rating >= 0.5 {
        Polarity::Positive
    } else if mean_rating <= -0.5 {
        Polarity::Negative
    } else {
        Polarity::Neutral
    }
}

fn gold_of_label(label: &str) -> Polarity {
    match label {
        "neg" => Polarity::Negative,
        "neu" => Polarity::Neutral,
        "pos" => Polarity::Positive,
        other => panic!("unknown label {other:?}"),
    }
}

fn labelled(tsv: &'static str) -> Vec<(Polarity, &'static str)> {
    tsv.lines()
        .skip(1)
        .map(|line| {
            let (label, text) = line.split_once('\t').expect("label<TAB>text");
            (gold_of_label(label), text)
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
            (gold_of_rating(rating), fields.next().expect("text column"))
        })
        .collect()
}

fn report(name: &str, rows: &[(Polarity, &str)]) {
    let mut line = format!("| {name} | {} |", rows.len());
    for mode in [Mode::Vader, Mode::Service] {
        let mut confusion = Confusion::default();
        for &(gold, text) in rows {
            confusion.observe(gold, sentiment(text, mode).polarity());
        }
        line.push_str(&format!(
            " {:.3} | {:.3} |",
            confusion.accuracy(),
            confusion.macro_f1()
        ));
    }
    println!("{line}");
}

fn main() {
    println!("| set | n | VADER accuracy | VADER macro-F1 | service accuracy | service macro-F1 |");
    println!("|---|---|---|---|---|---|");
    let service_dev = labelled(include_str!("../tests/data/service_dev.tsv"));
    let service_test = labelled(include_str!("../tests/data/service_test.tsv"));
    report("service dev (tuned on)", &service_dev);
    report("service held-out test", &service_test);
    let icwsm: [(&str, &'static str); 4] = [
        (
            "ICWSM amazon product reviews",
            include_str!("../tests/data/icwsm2014/amazonReviewSnippets_GroundTruth.txt"),
        ),
        (
            "ICWSM tweets",
            include_str!("../tests/data/icwsm2014/tweets_GroundTruth.txt"),
        ),
        (
            "ICWSM movie reviews",
            include_str!("../tests/data/icwsm2014/movieReviewSnippets_GroundTruth.txt"),
        ),
        (
            "ICWSM NYT editorials",
            include_str!("../tests/data/icwsm2014/nytEditorialSnippets_GroundTruth.txt"),
        ),
    ];
    let mut all = Vec::new();
    for (name, tsv) in icwsm {
        let rows = rated(tsv);
        report(name, &rows);
        all.extend(rows);
    }
    report("ICWSM all four", &all);
}
