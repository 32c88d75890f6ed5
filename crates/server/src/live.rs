//! Real-time reaction to waits (issue 9): every contact event that `serve`
//! stores durably feeds a per-queue sliding window (the breach detector of
//! `journey::contact::breach`); when a queue's service level or ASA breaks
//! its target the detector recomputes the agents needed by Erlang A and
//! raises one alert, held until the window is back within target by a
//! margin for a while (hysteresis: no flapping). Alerts are listed at
//! `/api/alerts`, counted in `/metrics`, and optionally POSTed to a
//! webhook.
//!
//! Event time, not arrival time, drives the window. Contacts arrive as
//! finished records (arrival, wait, answer or abandon, handling), possibly
//! a little out of order across requests; a reorder buffer holds the
//! queue events until the newest event time seen is `lateness` past them.
//! An event later than that is fed at its queue's last time instead.

use journey::contact::{BreachConfig, BreachDetector, BreachSignal, QueueEvent, QueueEventKind};
use model::Event;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Alerts kept for `/api/alerts`.
const HISTORY_LEN: usize = 500;

/// Settings of the live monitor.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    pub breach: BreachConfig,
    /// How long queue events wait in the reorder buffer, seconds.
    pub lateness_secs: f64,
    /// `http://host:port/path` that receives every alert and clearance as
    /// a JSON POST.
    pub webhook: Option<String>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            breach: BreachConfig::default(),
            lateness_secs: 30.0,
            webhook: None,
        }
    }
}

/// One alert as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    pub queue: String,
    /// `alert` or `cleared`.
    pub signal: &'static str,
    /// Event time, ISO 8601.
    pub at: String,
    /// The signal with the window's figures and the recommendation.
    pub detail: Value,
    /// The recommendation in words (alerts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug)]
struct Inner {
    detector: BreachDetector,
    queue_ids: HashMap<String, u32>,
    queue_names: Vec<String>,
    pending: Vec<QueueEvent>,
    newest_us: i64,
    last_fed_us: HashMap<u32, i64>,
    active: HashMap<u32, AlertView>,
    history: VecDeque<AlertView>,
    alerts_total: u64,
    cleared_total: u64,
    late_events: u64,
}

/// The live monitor of one server.
#[derive(Debug)]
pub struct LiveMonitor {
    options: LiveOptions,
    lateness_us: i64,
    inner: Mutex<Inner>,
}

/// The queue events of one stored contact event: arrival, then answer or
/// abandon after the wait, then the end of handling. Events without a
/// queue (in `properties`) or a wait are not on a live queue.
fn contact_events(event: &Event) -> Option<(String, Vec<(i64, QueueEventKind)>)> {
    let wait_s = f64::from(event.wait_s?);
    if !(wait_s.is_finite() && wait_s >= 0.0) {
        return None;
    }
    let details = engine::ContactDetails::parse(event.properties.as_deref()?);
    let queue = details.queue?;
    let secs_us = |s: f64| (s * 1e6).round() as i64;
    let mut out = vec![(event.ts_us, QueueEventKind::Arrival)];
    let outcome_us = event.ts_us + secs_us(wait_s);
    if event.abandoned == Some(true) {
        out.push((outcome_us, QueueEventKind::Abandoned { wait_s }));
        return Some((queue, out));
    }
    out.push((outcome_us, QueueEventKind::Answered { wait_s }));
    let handle_s = match details.talk_s {
        Some(talk) => Some(talk + details.hold_s.unwrap_or(0.0) + details.wrap_s.unwrap_or(0.0)),
        None => event.handle_s.map(f64::from),
    }
    .filter(|h| h.is_finite() && *h >= 0.0);
    if let Some(handle_s) = handle_s {
        out.push((
            outcome_us + secs_us(handle_s),
            QueueEventKind::Handled { handle_s },
        ));
    }
    Some((queue, out))
}

/// Order of queue events at one time: staffing, then handling ends, then
/// outcomes, then arrivals (the detector's own order).
fn rank(kind: &QueueEventKind) -> u8 {
    match kind {
        QueueEventKind::Staffed { .. } => 0,
        QueueEventKind::Handled { .. } => 1,
        QueueEventKind::Answered { .. } | QueueEventKind::Abandoned { .. } => 2,
        QueueEventKind::Arrival => 3,
    }
}

impl LiveMonitor {
    pub fn new(options: LiveOptions) -> Result<LiveMonitor, String> {
        let detector = BreachDetector::new(&options.breach).map_err(|e| e.to_string())?;
        if !(options.lateness_secs.is_finite() && options.lateness_secs >= 0.0) {
            return Err(format!(
                "lateness {}: not a duration",
                options.lateness_secs
            ));
        }
        Ok(LiveMonitor {
            lateness_us: (options.lateness_secs * 1e6).round() as i64,
            options,
            inner: Mutex::new(Inner {
                detector,
                queue_ids: HashMap::new(),
                queue_names: Vec::new(),
                pending: Vec::new(),
                newest_us: i64::MIN,
                last_fed_us: HashMap::new(),
                active: HashMap::new(),
                history: VecDeque::new(),
                alerts_total: 0,
                cleared_total: 0,
                late_events: 0,
            }),
        })
    }

    /// Feeds the events just stored; returns the signals raised (already
    /// recorded), for the webhook.
    pub fn observe(&self, events: &[&Event]) -> Vec<AlertView> {
        let mut inner = self.inner.lock().expect("live monitor lock");
        let inner = &mut *inner;
        let mut any = false;
        for event in events {
            let Some((queue, parts)) = contact_events(event) else {
                continue;
            };
            let next_id = inner.queue_names.len() as u32;
            let id = *inner.queue_ids.entry(queue.clone()).or_insert_with(|| {
                inner.queue_names.push(queue);
                next_id
            });
            for (ts_us, kind) in parts {
                inner.newest_us = inner.newest_us.max(ts_us);
                inner.pending.push(QueueEvent {
                    queue: id,
                    ts_us,
                    kind,
                });
            }
            any = true;
        }
        if !any {
            return Vec::new();
        }
        let watermark_us = inner.newest_us.saturating_sub(self.lateness_us);
        inner
            .pending
            .sort_by_key(|e| (e.ts_us, e.queue, rank(&e.kind)));
        let ready = inner.pending.partition_point(|e| e.ts_us <= watermark_us);
        let released: Vec<QueueEvent> = inner.pending.drain(..ready).collect();
        let mut raised = Vec::new();
        for mut event in released {
            let last = inner.last_fed_us.entry(event.queue).or_insert(i64::MIN);
            if event.ts_us < *last {
                inner.late_events += 1;
                event.ts_us = *last;
            }
            *last = event.ts_us;
            // Cannot fail: events are fed in time order per queue.
            let signal = inner.detector.observe(&event).unwrap_or_default();
            let Some(signal) = signal else { continue };
            let queue_name = inner.queue_names[event.queue as usize].clone();
            let view = match signal {
                BreachSignal::Alert(alert) => {
                    inner.alerts_total += 1;
                    let view = AlertView {
                        queue: queue_name,
                        signal: "alert",
                        at: model::format_timestamp(alert.at_us),
                        detail: serde_json::to_value(alert).unwrap_or(Value::Null),
                        message: Some(alert.recommendation.to_string()),
                    };
                    inner.active.insert(event.queue, view.clone());
                    view
                }
                BreachSignal::Cleared(cleared) => {
                    inner.cleared_total += 1;
                    inner.active.remove(&event.queue);
                    AlertView {
                        queue: queue_name,
                        signal: "cleared",
                        at: model::format_timestamp(cleared.at_us),
                        detail: serde_json::to_value(cleared).unwrap_or(Value::Null),
                        message: None,
                    }
                }
            };
            if inner.history.len() == HISTORY_LEN {
                inner.history.pop_front();
            }
            inner.history.push_back(view.clone());
            raised.push(view);
        }
        raised
    }

    /// `/api/alerts`: the active breaches, the latest signals (newest
    /// first) and every queue's current window.
    pub fn snapshot(&self) -> Value {
        let inner = self.inner.lock().expect("live monitor lock");
        let mut active: Vec<&AlertView> = inner.active.values().collect();
        active.sort_by(|a, b| a.queue.cmp(&b.queue));
        let queues: Vec<Value> = inner
            .queue_names
            .iter()
            .enumerate()
            .map(|(id, name)| {
                json!({
                    "queue": name,
                    "in_breach": inner.detector.in_breach(id as u32),
                    "window": inner.detector.window_stats(id as u32),
                })
            })
            .collect();
        json!({
            "config": {
                "window_s": self.options.breach.window_secs,
                "service_level_target": self.options.breach.service_level_target,
                "answer_within_s": self.options.breach.answer_within_secs,
                "max_asa_s": self.options.breach.max_asa_secs,
                "clear_margin": self.options.breach.clear_margin,
                "clear_hold_s": self.options.breach.clear_hold_secs,
                "lateness_s": self.options.lateness_secs,
            },
            "active": active,
            "history": inner.history.iter().rev().collect::<Vec<_>>(),
            "queues": queues,
            "alerts_total": inner.alerts_total,
            "cleared_total": inner.cleared_total,
            "late_events": inner.late_events,
            "pending_events": inner.pending.len(),
        })
    }

    /// Gauges for `/metrics`: (name, help, value).
    pub fn gauges(&self) -> Vec<(&'static str, &'static str, f64)> {
        let inner = self.inner.lock().expect("live monitor lock");
        vec![
            (
                "touchpoint_queue_alerts_total",
                "Service-level or ASA breaches raised since start.",
                inner.alerts_total as f64,
            ),
            (
                "touchpoint_queue_alerts_cleared_total",
                "Breaches cleared since start.",
                inner.cleared_total as f64,
            ),
            (
                "touchpoint_queues_in_breach",
                "Queues in breach now.",
                inner.active.len() as f64,
            ),
        ]
    }

    /// Per-queue lines for `/metrics` (labelled gauges).
    pub fn queue_metrics(&self) -> String {
        use std::fmt::Write as _;
        let inner = self.inner.lock().expect("live monitor lock");
        let mut out = String::new();
        out.push_str("# HELP touchpoint_queue_in_breach 1 while the queue is in breach.\n");
        out.push_str("# TYPE touchpoint_queue_in_breach gauge\n");
        for (id, name) in inner.queue_names.iter().enumerate() {
            let _ = writeln!(
                out,
                "touchpoint_queue_in_breach{{queue=\"{}\"}} {}",
                escape_label(name),
                u8::from(inner.detector.in_breach(id as u32))
            );
        }
        out.push_str(
            "# HELP touchpoint_queue_service_level Service level of the queue's sliding window.\n",
        );
        out.push_str("# TYPE touchpoint_queue_service_level gauge\n");
        for (id, name) in inner.queue_names.iter().enumerate() {
            if let Some(stats) = inner.detector.window_stats(id as u32) {
                let _ = writeln!(
                    out,
                    "touchpoint_queue_service_level{{queue=\"{}\"}} {}",
                    escape_label(name),
                    stats.service_level
                );
            }
        }
        out.push_str("# HELP touchpoint_queue_required_agents Agents Erlang A recommends for the queue in breach.\n");
        out.push_str("# TYPE touchpoint_queue_required_agents gauge\n");
        for view in inner.active.values() {
            if let Some(required) = view.detail["required_agents"].as_u64() {
                let _ = writeln!(
                    out,
                    "touchpoint_queue_required_agents{{queue=\"{}\"}} {required}",
                    escape_label(&view.queue)
                );
            }
        }
        out
    }

    pub fn webhook(&self) -> Option<&str> {
        self.options.webhook.as_deref()
    }
}

fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// POSTs `body` to an `http://host[:port]/path` URL; errors are returned
/// for logging only (an alert is never lost from `/api/alerts` because a
/// webhook is down).
pub async fn post_webhook(url: &str, body: &Value) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("webhook {url}: only http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let address = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let payload = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .map_err(|e| format!("webhook {url}: {e}"))?;
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("webhook {url}: {e}"))?;
        let mut head = [0u8; 32];
        let n = stream
            .read(&mut head)
            .await
            .map_err(|e| format!("webhook {url}: {e}"))?;
        let status = String::from_utf8_lossy(&head[..n]);
        if status.starts_with("HTTP/1.1 2") || status.starts_with("HTTP/1.0 2") {
            Ok(())
        } else {
            Err(format!(
                "webhook {url}: answered {}",
                status.lines().next().unwrap_or("")
            ))
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), exchange)
        .await
        .map_err(|_| format!("webhook {url}: no answer within 5 s"))?
}
