//! Ingestion over HTTP in process: Segment batches and single calls, the
//! native endpoint, retries stored once, and every kind of bad body answered
//! with its documented status and code.

use crate::fixture;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use server::AppState;
use std::io::Write;
use std::sync::Arc;
use tower::ServiceExt;

async fn ingesting_state(dir: &std::path::Path) -> (Arc<AppState>, String) {
    let (ingestor, _) = store::ingest::Ingestor::open(dir, Default::default())
        .await
        .expect("ingestor opens");
    let state = Arc::new(AppState::with_ingestor(
        server::ServerOptions::new(dir.to_path_buf()),
        Arc::new(ingestor),
    ));
    let (key, _) = state
        .keys
        .create(server::keys::KeyKind::Write, "test", "2026-11-23".into())
        .expect("write key");
    (state, key)
}

fn basic(key: &str) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("{key}:").into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

async fn post(
    state: &Arc<AppState>,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method("POST").uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = server::router(state.clone())
        .oneshot(request.body(Body::from(body)).expect("request"))
        .await
        .expect("answer");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn track(id: &str, user: &str, event: &str) -> Value {
    json!({"type": "track", "messageId": id, "userId": user, "event": event,
           "timestamp": "2026-03-01T10:00:00Z", "properties": {"revenue": 12.5}})
}

#[tokio::test]
async fn batches_are_stored_once_and_become_queryable() {
    let dir = tempfile::tempdir().expect("dir");
    let (state, key) = ingesting_state(dir.path()).await;
    let auth = basic(&key);
    let body = json!({"batch": [
        track("m1", "u1", "product_page"),
        track("m2", "u1", "checkout"),
        {"type": "identify", "userId": "u1", "traits": {"age_band": "55-64"}},
        {"type": "track", "messageId": "m3", "event": "x"},
    ]});
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let (status, answer) = post(&state, "/v1/batch", &headers, body.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let statuses: Vec<&str> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["stored", "stored", "accepted", "rejected"]);
    let (_, again) = post(&state, "/v1/batch", &headers, body.to_string().into_bytes()).await;
    assert_eq!(again["results"][0]["status"], "duplicate");
    assert_eq!(again["results"][1]["status"], "duplicate");

    // The browser library's short form with a text/plain body and the key inside.
    let beacon = json!({"writeKey": key, "messageId": "m4", "anonymousId": "a9",
                        "event": "faq_page", "sentAt": "2026-03-01T10:00:05Z",
                        "timestamp": "2026-03-01T10:00:00Z"});
    let (status, answer) = post(
        &state,
        "/v1/t",
        &[("content-type", "text/plain")],
        beacon.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // Gzip and the native NDJSON endpoint.
    let ndjson = format!(
        "{}\n{}\n",
        json!({"event_id": "n1", "customer_id": "u2", "ts": "2026-03-02T09:00:00Z", "touchpoint": "chat", "channel": "chat"}),
        json!({"event_id": "n2", "customer_id": "u2", "ts": "2026-03-02T09:05:00Z", "touchpoint": "survey", "rating": 2, "rating_scale": "csat_5"})
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(ndjson.as_bytes()).expect("gzip");
    let bearer = format!("Bearer {key}");
    let (status, answer) = post(
        &state,
        "/v1/events",
        &[
            ("authorization", bearer.as_str()),
            ("content-encoding", "gzip"),
            ("content-type", "application/x-ndjson"),
        ],
        encoder.finish().expect("gzip"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["results"].as_array().expect("results").len(), 2);

    assert_eq!(state.flush().await.expect("flushed"), 5);
    let engine = state.engine().await.expect("engine");
    let batches = engine
        .sql("SELECT event_id FROM events ORDER BY event_id")
        .await
        .expect("sql");
    let ids: Vec<String> = batches
        .iter()
        .flat_map(|b| {
            let column = arrow::array::AsArray::as_string::<i32>(b.column(0)).clone();
            (0..b.num_rows()).map(move |i| column.value(i).to_string())
        })
        .collect();
    assert_eq!(ids, ["m1", "m2", "m4", "n1", "n2"]);
}

/// URI, headers, body, expected status and error code.
type Case<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    Vec<u8>,
    StatusCode,
    &'a str,
);

#[tokio::test]
async fn bad_requests_get_their_status_and_code() {
    let dir = tempfile::tempdir().expect("dir");
    let (state, key) = ingesting_state(dir.path()).await;
    let auth = basic(&key);
    let json_type = ("content-type", "application/json");
    let ok_body = json!({"batch": [track("m1", "u1", "home")]})
        .to_string()
        .into_bytes();
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(&vec![b' '; 50 * 1024 * 1024]).expect("bomb");
    let bomb = bomb.finish().expect("bomb");
    let f = fixture(5).await;
    let read_auth = basic(&f.read_key);
    let cases: Vec<Case> = vec![
        (
            "/v1/batch",
            vec![json_type],
            ok_body.clone(),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "/v1/batch",
            vec![("authorization", "Basic Zm9vOg=="), json_type],
            ok_body.clone(),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "/v1/batch",
            vec![("authorization", auth.as_str()), json_type],
            b"{nope".to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_body",
        ),
        (
            "/v1/batch",
            vec![("authorization", auth.as_str()), json_type],
            b"{\"batch\": 3}".to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_body",
        ),
        (
            "/v1/batch",
            vec![
                ("authorization", auth.as_str()),
                ("content-type", "application/xml"),
            ],
            ok_body.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "/v1/batch",
            vec![
                ("authorization", auth.as_str()),
                json_type,
                ("content-encoding", "gzip"),
            ],
            bomb,
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            "/v1/batch",
            vec![
                ("authorization", auth.as_str()),
                json_type,
                ("content-encoding", "gzip"),
            ],
            b"not gzip".to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_body",
        ),
        (
            "/v1/track",
            vec![("authorization", auth.as_str()), json_type],
            json!({"userId": "u", "event": "x", "timestamp": "soon"})
                .to_string()
                .into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_event",
        ),
        (
            "/v1/track",
            vec![("authorization", auth.as_str()), json_type],
            vec![b'x'; 600 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            "/v1/nothing",
            vec![("authorization", auth.as_str()), json_type],
            b"{}".to_vec(),
            StatusCode::NOT_FOUND,
            "unknown_endpoint",
        ),
    ];
    for (uri, headers, body, expected, code) in cases {
        let (status, answer) = post(&state, uri, &headers, body).await;
        assert_eq!(status, expected, "{uri} {headers:?}: {answer}");
        assert_eq!(answer["code"], code, "{uri}: {answer}");
    }
    // A secret key is refused on ingestion, on its own server.
    let (status, answer) = post(
        &f.state,
        "/v1/batch",
        &[("authorization", read_auth.as_str()), json_type],
        ok_body,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    // Nothing of the refused requests was stored.
    assert_eq!(state.flush().await.expect("flush"), 0);
}
