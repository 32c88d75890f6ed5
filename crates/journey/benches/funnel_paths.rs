//! Throughput of the funnel and paths kernels on ~1M synthetic events
//! (100k customers, 20 touchpoints, gaps from seconds to hours), reported
//! in events per second. Run: `cargo bench -p journey --bench funnel_paths`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use journey::funnel::{
    Attribution, BreakdownSpec, ExclusionSpec, FunnelAccumulator, FunnelOrder, FunnelSpec, StepSpec,
};
use journey::paths::{CleaningRule, PathsAccumulator, PathsSpec};
use journey::{Accumulator, Journey};
use model::TouchpointId;
use std::hint::black_box;
use std::sync::Arc;

const N_CUSTOMERS: usize = 100_000;
const N_TOUCHPOINTS: u32 = 20;

/// All journeys in shared columns; `offsets[c]..offsets[c + 1]` is customer c.
struct Events {
    offsets: Vec<usize>,
    ts_us: Vec<i64>,
    touchpoint: Vec<TouchpointId>,
    emotion: Vec<f32>,
    breakdown: Vec<u32>,
}

/// xorshift64*: deterministic data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn events() -> Events {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut events = Events {
        offsets: vec![0],
        ts_us: Vec::new(),
        touchpoint: Vec::new(),
        emotion: Vec::new(),
        breakdown: Vec::new(),
    };
    for _ in 0..N_CUSTOMERS {
        let n_events = 1 + rng.below(19) as usize;
        let mut ts_us = 1_700_000_000_000_000 + rng.below(30 * 86_400) as i64 * 1_000_000;
        for _ in 0..n_events {
            // Mostly minutes apart, sometimes hours: several sessions each.
            let gap_s = if rng.below(5) == 0 {
                rng.below(20_000)
            } else {
                rng.below(600)
            };
            ts_us += gap_s as i64 * 1_000_000;
            // Early touchpoints are more frequent, like a real journey.
            let touchpoint = (rng.below(u64::from(N_TOUCHPOINTS))
                * rng.below(u64::from(N_TOUCHPOINTS))) as u32
                / N_TOUCHPOINTS;
            events.ts_us.push(ts_us);
            events.touchpoint.push(TouchpointId(touchpoint));
            events.emotion.push(f32::NAN);
            events.breakdown.push(rng.below(8) as u32);
        }
        events.offsets.push(events.ts_us.len());
    }
    events
}

impl Events {
    fn journey(&self, customer: usize) -> Journey<'_> {
        let range = self.offsets[customer]..self.offsets[customer + 1];
        Journey {
            customer: customer as u64,
            personas: 0,
            ts_us: &self.ts_us[range.clone()],
            touchpoint: &self.touchpoint[range.clone()],
            emotion: &self.emotion[range.clone()],
            breakdown: &self.breakdown[range],
            facts: Default::default(),
        }
    }

    fn run<A: Accumulator>(&self, mut accumulator: A) -> A::Output {
        for customer in 0..self.offsets.len() - 1 {
            accumulator.observe(&self.journey(customer));
        }
        accumulator.finish()
    }
}

fn names() -> Vec<String> {
    let mut names: Vec<String> = (0..N_TOUCHPOINTS).map(|idx| format!("tp_{idx}")).collect();
    names[5] = "help_faq".into();
    names[6] = "help_chat".into();
    names
}

fn funnel_spec(order: FunnelOrder) -> FunnelSpec {
    let mut spec = FunnelSpec::new(vec![
        StepSpec::new(&["tp_0"]),
        StepSpec::new(&["tp_1", "tp_2"]),
        StepSpec::new(&["tp_3"]),
        StepSpec::new(&["tp_4"]),
    ]);
    spec.order = order;
    spec.window_us = 86_400 * 1_000_000;
    spec
}

fn bench(criterion: &mut Criterion) {
    let events = events();
    let names = names();
    let mut group = criterion.benchmark_group("funnel_paths");
    group.throughput(Throughput::Elements(events.ts_us.len() as u64));
    group.sample_size(10);
    for (label, order) in [
        ("funnel_ordered", FunnelOrder::Ordered),
        ("funnel_strict", FunnelOrder::Strict),
        ("funnel_unordered", FunnelOrder::Unordered),
    ] {
        let funnel = Arc::new(funnel_spec(order).validate(&names).expect("valid funnel"));
        group.bench_function(label, |b| {
            b.iter(|| black_box(events.run(FunnelAccumulator::new(Arc::clone(&funnel)))))
        });
    }
    let mut rich = funnel_spec(FunnelOrder::Ordered);
    rich.steps[1].optional = true;
    rich.steps[2].window_us = Some(3_600 * 1_000_000);
    rich.exclusions = vec![ExclusionSpec {
        touchpoints: vec!["tp_9".into()],
        from_step: 1,
        to_step: 3,
    }];
    let values = (0..8).map(|idx| format!("value_{idx}")).collect();
    rich.breakdown = Some(BreakdownSpec {
        names: values,
        attribution: Attribution::FirstTouch,
        limit: 5,
    });
    let funnel = Arc::new(rich.validate(&names).expect("valid funnel"));
    group.bench_function("funnel_optional_exclusion_breakdown", |b| {
        b.iter(|| black_box(events.run(FunnelAccumulator::new(Arc::clone(&funnel)))))
    });
    let paths_spec = PathsSpec {
        cleaning_rules: vec![CleaningRule {
            pattern: r"_1\d$".into(),
            replacement: "_1x".into(),
        }],
        wildcard_groups: vec!["help_*".into()],
        ..PathsSpec::default()
    };
    let paths = Arc::new(paths_spec.validate(&names).expect("valid paths"));
    group.bench_function("paths", |b| {
        b.iter(|| black_box(events.run(PathsAccumulator::new(Arc::clone(&paths)))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
