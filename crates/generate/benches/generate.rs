//! Generation throughput, in events per second, for each scenario: the
//! number that decides whether 100 million events are a coffee break or a
//! night; and the agents' events built from them.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use generate::{AgentDays, CustomerRecord, GenerateOptions, Generator, Scenario};
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

/// Building the agents' events from customers already generated: observe
/// every customer, then finish; throughput in agent events.
fn agents(c: &mut Criterion) {
    let mut group = c.benchmark_group("agents");
    group.sample_size(10);
    let options = GenerateOptions {
        customers: CUSTOMERS,
        seed: 1,
        ..GenerateOptions::default()
    };
    for scenario in Scenario::ALL {
        let customers: Vec<CustomerRecord> = generator(scenario).collect();
        let build = || {
            let mut days = AgentDays::new(scenario, &options).expect("default options are valid");
            customers.iter().for_each(|customer| days.observe(customer));
            days.finish()
        };
        group.throughput(Throughput::Elements(build().len() as u64));
        group.bench_function(scenario.name(), |b| b.iter(|| black_box(build()).len()));
    }
    group.finish();
}

criterion_group!(benches, throughput, agents);
criterion_main!(benches);
