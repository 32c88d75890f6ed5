//! Counters and a latency histogram for `/metrics` in the Prometheus text
//! format, kept with atomics so that recording never blocks a request.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the query latency histogram buckets.
const LATENCY_BOUNDS_S: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Debug, Default)]
pub struct Metrics {
    pub events_ingested: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub events_rejected: AtomicU64,
    pub batches_ingested: AtomicU64,
    pub requests_overloaded: AtomicU64,
    pub link_clicks: AtomicU64,
    pub survey_answers: AtomicU64,
    query_count: AtomicU64,
    query_sum_us: AtomicU64,
    query_buckets: [AtomicU64; LATENCY_BOUNDS_S.len()],
}

impl Metrics {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn observe_query(&self, seconds: f64) {
        self.query_count.fetch_add(1, Ordering::Relaxed);
        self.query_sum_us
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        for (bound, bucket) in LATENCY_BOUNDS_S.iter().zip(&self.query_buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The Prometheus exposition; `gauges` are extra (name, help, value).
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        let counters = [
            (
                "touchpoint_events_ingested_total",
                "Events stored durably.",
                &self.events_ingested,
            ),
            (
                "touchpoint_events_duplicate_total",
                "Events skipped as already stored.",
                &self.events_duplicate,
            ),
            (
                "touchpoint_events_rejected_total",
                "Events rejected as invalid.",
                &self.events_rejected,
            ),
            (
                "touchpoint_batches_ingested_total",
                "Ingest requests acknowledged.",
                &self.batches_ingested,
            ),
            (
                "touchpoint_requests_overloaded_total",
                "Requests answered 429 or 503.",
                &self.requests_overloaded,
            ),
            (
                "touchpoint_link_clicks_total",
                "Tracked-link clicks recorded.",
                &self.link_clicks,
            ),
            (
                "touchpoint_survey_answers_total",
                "Survey answers stored.",
                &self.survey_answers,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        }
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        let name = "touchpoint_query_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Query API latency.\n# TYPE {name} histogram"
        );
        for (bound, bucket) in LATENCY_BOUNDS_S.iter().zip(&self.query_buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.query_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(
            out,
            "{name}_sum {}",
            self.query_sum_us.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "{name}_count {count}");
        out
    }
}
