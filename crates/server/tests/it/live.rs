//! The live queue monitor through the real ingest path: a replayed contact
//! stream with one spike of long waits raises exactly one alert at the
//! spike, with an Erlang A recommendation, clears it after the spike, shows
//! in `/metrics`, and reaches a webhook.

use crate::call;
use serde_json::{Value, json};
use server::AppState;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HOUR_S: i64 = 3600;
/// 2026-03-02T08:00:00Z.
const START_S: i64 = 1_772_438_400;

/// One contact every 20 s on `care_phone` for three hours; in the middle
/// hour callers wait 150 s and a fifth of them hang up, otherwise they wait
/// 5 s. Handle time 240 s.
fn contacts() -> Vec<Value> {
    (0..3 * HOUR_S / 20)
        .map(|i| {
            let offset_s = i * 20;
            let spike = (HOUR_S..2 * HOUR_S).contains(&offset_s);
            let abandoned = spike && i % 5 == 0;
            json!({
                "event_id": format!("c{i}"),
                "customer_id": format!("caller{}", i % 97),
                "ts": model::format_timestamp((START_S + offset_s) * 1_000_000),
                "touchpoint": "phone_support",
                "channel": "phone",
                "queue": "care_phone",
                "team": "customer_care",
                "wait_s": if spike { 150 } else { 5 },
                "abandoned": abandoned,
                "talk_s": 200, "hold_s": 10, "wrap_s": 30,
                "agent": "Ada",
            })
        })
        .collect()
}

async fn ingesting_state(
    dir: &std::path::Path,
    webhook: Option<String>,
) -> (Arc<AppState>, String, String) {
    let (ingestor, _) = store::ingest::Ingestor::open(dir, Default::default())
        .await
        .expect("ingestor opens");
    let mut options = server::ServerOptions::new(dir.to_path_buf());
    options.live.webhook = webhook;
    options.validate().expect("valid options");
    let state = Arc::new(AppState::with_ingestor(options, Arc::new(ingestor)));
    let (write_key, _) = state
        .keys
        .create(server::keys::KeyKind::Write, "test", "2026-11-23".into())
        .expect("write key");
    let (read_key, _) = state
        .keys
        .create(server::keys::KeyKind::Read, "test", "2026-11-23".into())
        .expect("read key");
    (state, write_key, read_key)
}

/// A one-route HTTP server that collects the JSON bodies POSTed to it.
async fn webhook_sink() -> (String, tokio::sync::mpsc::UnboundedReceiver<Value>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let address = listener.local_addr().expect("address");
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let sender = sender.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                loop {
                    let n = socket.read(&mut buffer).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Length: "))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if body.len() >= length {
                            let value = serde_json::from_str(body).unwrap_or(Value::Null);
                            let _ = sender.send(value);
                            break;
                        }
                    }
                }
                let _ = socket
                    .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    (format!("http://{address}/alerts"), receiver)
}

#[tokio::test]
async fn a_spike_raises_one_alert_and_clears() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, mut received) = webhook_sink().await;
    let (state, write_key, read_key) = ingesting_state(dir.path(), Some(url)).await;
    for batch in contacts().chunks(40) {
        let (status, _, answer) = call(
            &state,
            "POST",
            "/v1/events",
            Some(&write_key),
            Some(Value::Array(batch.to_vec())),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, _, alerts) = call(&state, "GET", "/api/alerts", Some(&read_key), None).await;
    assert_eq!(status, 200, "{alerts}");
    assert_eq!(alerts["alerts_total"], 1, "{alerts}");
    assert_eq!(alerts["cleared_total"], 1, "{alerts}");
    assert_eq!(alerts["active"].as_array().map(Vec::len), Some(0));
    let history = alerts["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "{alerts}");
    // Newest first: the clearance, then the alert.
    let (cleared, alert) = (&history[0], &history[1]);
    assert_eq!(alert["signal"], "alert");
    assert_eq!(alert["queue"], "care_phone");
    let at = |v: &Value| {
        model::parse_timestamp(v["at"].as_str().expect("at")).expect("a time") / 1_000_000
    };
    let (alert_s, cleared_s) = (at(alert), at(cleared));
    assert!(
        (START_S + HOUR_S..START_S + HOUR_S + 900).contains(&alert_s),
        "the alert comes within the window after the spike starts: {alert}"
    );
    assert!(
        cleared_s > START_S + 2 * HOUR_S && cleared_s < START_S + 3 * HOUR_S,
        "cleared after the spike: {cleared}"
    );
    let required = alert["detail"]["required_agents"]
        .as_u64()
        .expect("Erlang A recommends a staffing level");
    assert!(required >= 1, "{alert}");
    assert!(
        alert["message"]
            .as_str()
            .expect("message")
            .contains("agents")
    );

    let (status, _, _) = call(&state, "GET", "/api/alerts", Some(&write_key), None).await;
    assert_eq!(status, 403, "a write key cannot read alerts");

    let metrics = reqwest_free_get_metrics(&state).await;
    assert!(
        metrics.contains("touchpoint_queue_alerts_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("touchpoint_queue_in_breach{queue=\"care_phone\"} 0"),
        "{metrics}"
    );

    let mut signals = Vec::new();
    while signals.len() < 2 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
            .await
            .expect("the webhook receives the signals")
            .expect("open channel");
        signals.push(next);
    }
    assert_eq!(signals[0]["signal"], "alert");
    assert_eq!(signals[1]["signal"], "cleared");
    assert_eq!(signals[0]["queue"], "care_phone");

    // Retried batches are duplicates: no second alert.
    let (status, _, _) = call(
        &state,
        "POST",
        "/v1/events",
        Some(&write_key),
        Some(Value::Array(contacts())),
    )
    .await;
    assert_eq!(status, 200);
    let (_, _, alerts) = call(&state, "GET", "/api/alerts", Some(&read_key), None).await;
    assert_eq!(alerts["alerts_total"], 1, "{alerts}");
}

#[tokio::test]
async fn steady_service_raises_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (state, write_key, read_key) = ingesting_state(dir.path(), None).await;
    let steady: Vec<Value> = contacts()
        .into_iter()
        .map(|mut c| {
            c["wait_s"] = json!(5);
            c["abandoned"] = json!(false);
            c
        })
        .collect();
    let (status, _, _) = call(
        &state,
        "POST",
        "/v1/events",
        Some(&write_key),
        Some(Value::Array(steady)),
    )
    .await;
    assert_eq!(status, 200);
    let (_, _, alerts) = call(&state, "GET", "/api/alerts", Some(&read_key), None).await;
    assert_eq!(alerts["alerts_total"], 0, "{alerts}");
    let queue = &alerts["queues"][0];
    assert_eq!(queue["queue"], "care_phone");
    assert_eq!(queue["in_breach"], false);
    assert_eq!(queue["window"]["service_level"], 1.0, "{queue}");
}

async fn reqwest_free_get_metrics(state: &Arc<AppState>) -> String {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = server::router(state.clone())
        .oneshot(
            Request::builder()
                .uri("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("answer");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).to_string()
}
