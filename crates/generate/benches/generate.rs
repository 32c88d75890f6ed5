//! Generation throughput, in events per second, for each scenario: the
//! number that decides whether 100 million events are a coffee break or a
//! night.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use generate::{GenerateOptions, Generator, Scenario};
use std::hint::black_box;

const CUSTOMERS: u64 = 20_000;

fn generator(scenario: Scenario) -> Generator {
    let options = GenerateOptions {
        customers: CUSTOMERS,
        seed: 1,
        ..GenerateOptions::default()
    };
    Generator::new(scenario, options).expect("default options are valid")
}

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for scenario in Scenario::ALL {
        let events: usize = generator(scenario)
            .map(|customer| customer.events.len())
            .sum();
        group.throughput(Throughput::Elements(events as u64));
        group.bench_function(scenario.name(), |b| {
            b.iter(|| {
                generator(scenario)
                    .map(|customer| black_box(customer).events.len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
