//! Throughput of sentiment, emotions and themes on short customer texts.
//!
//! Run: `cargo bench -p text --bench sentiment`. Each iteration scores a
//! batch of real short texts (the labelled service sentences and ICWSM-2014
//! tweets), so criterion's element throughput is texts per second on one core.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use text::{Mode, ThemeOptions, score, sentiment, themes};

/// Short texts: customer-service sentences and tweets, one per line.
fn short_texts() -> Vec<&'static str> {
    let mut texts: Vec<&'static str> = Vec::new();
    for tsv in [
        include_str!("../tests/data/service_dev.tsv"),
        include_str!("../tests/data/service_test.tsv"),
    ] {
        texts.extend(
            tsv.lines()
                .skip(1)
                .filter_map(|line| line.split_once('\t'))
                .map(|(_, text)| text),
        );
    }
    let tweets = include_str!("../tests/data/icwsm2014/tweets_GroundTruth.txt");
    texts.extend(
        tweets
            .lines()
            .filter_map(|line| line.trim_end_matches('\r').splitn(3, '\t').nth(2))
            .take(1000),
    );
    texts
}

fn bench_sentiment(c: &mut Criterion) {
    let texts = short_texts();
    let mut group = c.benchmark_group("sentiment");
    group.throughput(Throughput::Elements(texts.len() as u64));
    for mode in [Mode::Vader, Mode::Service] {
        group.bench_function(mode.as_str(), |b| {
            b.iter(|| {
                for text in &texts {
                    black_box(sentiment(black_box(text), mode));
                }
            })
        });
    }
    group.bench_function("score_with_emotions", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(score(black_box(text), Mode::Service));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("themes");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.sample_size(10);
    group.bench_function("corpus", |b| {
        b.iter(|| black_box(themes(black_box(&texts), &ThemeOptions::default())))
    });
    group.finish();
}

criterion_group!(benches, bench_sentiment);
criterion_main!(benches);
