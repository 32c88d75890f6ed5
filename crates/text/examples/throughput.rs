//! A fixed sentiment workload (the texts of the criterion benchmark: 1,000
//! tweets and the 358 labelled service sentences) for measuring CPU time per
//! text on a shared machine, where criterion's wall-clock figures swing with
//! other load.
//!
//! Run: `cargo build -p text --release --example throughput` and then
//! `/usr/bin/time -f %U target/release/examples/throughput service`
//! (or `vader`, or `score` for sentiment plus emotions); texts per CPU
//! second = the printed text count / the user time.

use std::hint::black_box;

use text::{Mode, score, sentiment};

const PASSES: usize = 100;

fn main() {
    let which = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "service".to_owned());
    let tweets = include_str!("../tests/data/icwsm2014/tweets_GroundTruth.txt");
    let mut texts: Vec<&str> = tweets
        .lines()
        .filter_map(|line| line.trim_end_matches('\r').splitn(3, '\t').nth(2))
        .take(1000)
        .collect();
    for tsv in [
        include_str!("../tests/data/service_dev.tsv"),
        include_str!("../tests/data/service_test.tsv"),
    ] {
        texts.extend(
            tsv.lines()
                .skip(1)
                .filter_map(|line| Some(line.split_once('\t')?.1)),
        );
    }
    for _ in 0..PASSES {
        for text in &texts {
            match which.as_str() {
                "vader" => {
                    black_box(sentiment(black_box(text), Mode::Vader));
                }
                "score" => {
                    black_box(score(black_box(text), Mode::Service));
                }
                _ => {
                    black_box(sentiment(black_box(text), Mode::Service));
                }
            }
        }
    }
    println!("{} texts ({which})", PASSES * texts.len());
}
