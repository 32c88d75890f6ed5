//! Engine integration tests: journeys come out whole and in order whatever
//! the file layout, and the journey plan needs no repartition or sort.

use engine::{Engine, EventFilter};
use journey::{Accumulator, Journey};
use model::Event;
use store::{CreateOptions, EventBuilders, Store};

/// Records every journey it sees: (customer, [(ts, touchpoint name)]).
struct Recorder {
    names: Vec<String>,
    journeys: Vec<(u64, Vec<(i64, String)>)>,
}

impl Accumulator for Recorder {
    type Output = Vec<(u64, Vec<(i64, String)>)>;

    fn observe(&mut self, journey: &Journey<'_>) {
        let steps = journey
            .ts_us
            .iter()
            .zip(journey.touchpoint)
            .map(|(ts, tp)| (*ts, self.names[tp.index()].clone()))
            .collect();
        self.journeys.push((journey.customer, steps));
    }

    fn merge(&mut self, other: Self) {
        self.journeys.extend(other.journeys);
    }

    fn finish(mut self) -> Self::Output {
        self.journeys.sort();
        self.journeys
    }
}

/// A small deterministic generator (xorshift) so the test needs no crate.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_events(seed: u64, count: usize) -> Vec<Event> {
    let mut random = Random(seed | 1);
    let touchpoints = ["ad", "faq", "cart", "checkout", "parcel", "phone"];
    let channels = ["web", "phone", "parcel"];
    (0..count)
        .map(|i| {
            let distinct_id = format!("c{}", random.below(60));
            Event {
                event_id: format!("e{i:06}"),
                // Few distinct times so that equal timestamps occur.
                ts_us: 1_700_000_000_000_000 + random.below(50) as i64 * 1_000_000,
                received_at_us: 1_700_000_000_000_000,
                customer: Event::customer_key(&distinct_id),
                distinct_id,
                touchpoint: touchpoints[random.below(6) as usize].to_string(),
                channel: channels[random.below(3) as usize].to_string(),
                ..Event::default()
            }
        })
        .collect()
}

fn batch_of(events: &[Event]) -> arrow::array::RecordBatch {
    let mut builders = EventBuilders::new();
    for event in events {
        builders.push(event);
    }
    builders.finish()
}

/// The journeys as a plain sort of the events would give them.
fn naive_journeys(events: &[Event]) -> Vec<(u64, Vec<(i64, String)>)> {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| {
        (a.customer as i64, a.ts_us, &a.event_id).cmp(&(b.customer as i64, b.ts_us, &b.event_id))
    });
    let mut journeys: Vec<(u64, Vec<(i64, String)>)> = Vec::new();
    for event in sorted {
        match journeys.last_mut() {
            Some((customer, steps)) if *customer == event.customer => {
                steps.push((event.ts_us, event.touchpoint.clone()))
            }
            _ => journeys.push((
                event.customer,
                vec![(event.ts_us, event.touchpoint.clone())],
            )),
        }
    }
    journeys.sort();
    journeys
}

async fn run_recorder(dir: &std::path::Path) -> Vec<(u64, Vec<(i64, String)>)> {
    let engine = Engine::open(dir).await.expect("engine opens");
    let names: Vec<String> = engine
        .catalog()
        .touchpoints()
        .map(|(_, info)| info.name.clone())
        .collect();
    let recorder = engine
        .run("recorder", &EventFilter::default(), move || Recorder {
            names: names.clone(),
            journeys: Vec::new(),
        })
        .await
        .expect("query runs");
    recorder.finish()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_are_whole_and_ordered_across_files_and_compaction() {
    for seed in [1u64, 7, 42] {
        let dir = tempfile::tempdir().expect("temp dir");
        let events = random_events(seed, 3000);
        let mut store = Store::open_or_create(dir.path(), &CreateOptions { buckets: 4 })
            .await
            .expect("store");
        // Uneven appends so that buckets hold several overlapping files.
        let mut random = Random(seed + 99);
        let mut start = 0;
        while start < events.len() {
            let end = (start + 1 + random.below(900) as usize).min(events.len());
            store
                .append(&[batch_of(&events[start..end])])
                .await
                .expect("append");
            start = end;
        }
        let expected = naive_journeys(&events);
        assert_eq!(
            run_recorder(dir.path()).await,
            expected,
            "seed {seed}, before compaction"
        );
        let summary = store.compact().await.expect("compact");
        assert!(summary.files_removed > summary.files_added, "{summary:?}");
        assert_eq!(
            run_recorder(dir.path()).await,
            expected,
            "seed {seed}, after compaction"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reappending_the_same_events_adds_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let events = random_events(5, 500);
    let mut store = Store::open_or_create(dir.path(), &CreateOptions { buckets: 3 })
        .await
        .expect("store");
    let first = store.append(&[batch_of(&events)]).await.expect("append");
    assert_eq!((first.added, first.duplicates), (500, 0));
    let second = store
        .append(&[batch_of(&events[100..300])])
        .await
        .expect("append again");
    assert_eq!((second.added, second.duplicates), (0, 200));
    let engine = Engine::open(dir.path()).await.expect("engine");
    let batches = engine
        .sql("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events")
        .await
        .expect("sql");
    let text = arrow::util::pretty::pretty_format_batches(&batches)
        .expect("format")
        .to_string();
    assert!(text.contains("| 500 | 500 |"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_plan_needs_no_repartition_and_no_sort() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open_or_create(dir.path(), &CreateOptions { buckets: 8 })
        .await
        .expect("store");
    store
        .append(&[batch_of(&random_events(3, 2000))])
        .await
        .expect("append");
    store
        .append(&[batch_of(
            &random_events(4, 2000)
                .into_iter()
                .map(|mut e| {
                    e.event_id.push('b');
                    e
                })
                .collect::<Vec<_>>(),
        )])
        .await
        .expect("append");
    let engine = Engine::open(dir.path()).await.expect("engine");
    let filters = [
        EventFilter::default(),
        EventFilter {
            channels: vec!["web".into()],
            from_us: Some(1_700_000_010_000_000),
            ..EventFilter::default()
        },
    ];
    for filter in filters {
        let plan = engine.explain_journey(&filter).await.expect("plan");
        assert!(plan.contains("JourneyExec"), "{plan}");
        assert!(plan.contains("BucketScanExec: buckets=8"), "{plan}");
        assert!(
            !plan.contains("RepartitionExec"),
            "journey plan repartitions:\n{plan}"
        );
        assert!(!plan.contains("SortExec"), "journey plan sorts:\n{plan}");
        assert!(
            !plan.contains("CoalescePartitionsExec"),
            "journey plan coalesces:\n{plan}"
        );
    }
    // The same query through plain SQL on another key does need a shuffle:
    // the check above is not vacuous.
    let batches = engine
        .sql("EXPLAIN SELECT touchpoint, count(*) FROM events GROUP BY touchpoint")
        .await
        .expect("explain");
    let text = arrow::util::pretty::pretty_format_batches(&batches)
        .expect("format")
        .to_string();
    assert!(text.contains("RepartitionExec"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_and_time_filters_cut_events_not_customers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let events = random_events(11, 1500);
    let mut store = Store::open_or_create(dir.path(), &CreateOptions { buckets: 4 })
        .await
        .expect("store");
    store.append(&[batch_of(&events)]).await.expect("append");
    let engine = Engine::open(dir.path()).await.expect("engine");
    let names: Vec<String> = engine
        .catalog()
        .touchpoints()
        .map(|(_, info)| info.name.clone())
        .collect();
    let from_us = 1_700_000_020_000_000;
    let filter = EventFilter {
        channels: vec!["web".into(), "phone".into()],
        from_us: Some(from_us),
        ..EventFilter::default()
    };
    let seen = engine
        .run("recorder", &filter, move || Recorder {
            names: names.clone(),
            journeys: Vec::new(),
        })
        .await
        .expect("runs")
        .finish();
    let kept: Vec<Event> = events
        .into_iter()
        .filter(|e| e.channel != "parcel" && e.ts_us >= from_us)
        .collect();
    assert_eq!(seen, naive_journeys(&kept));
}
