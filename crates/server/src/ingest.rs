//! Ingestion over HTTP: the Segment-compatible endpoints (`/v1/batch`,
//! `/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`, `/v1/alias`,
//! `/v1/group` and the browser library's short forms `/v1/t`, `/v1/b`, …)
//! and the native `/v1/events` (JSON array or NDJSON). Every answer is given
//! after the accepted events are durable in the write-ahead log.

use crate::error::ApiError;
use crate::keys::KeyKind;
use crate::metrics::Metrics;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use model::Event;
use serde_json::{Map, Value, json};
use std::io::Read;
use std::sync::Arc;

/// The kinds of Segment calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Track,
    Page,
    Screen,
    Identify,
    Alias,
    Group,
}

impl CallKind {
    fn parse(name: &str) -> Option<CallKind> {
        match name {
            "track" | "t" => Some(CallKind::Track),
            "page" | "p" => Some(CallKind::Page),
            "screen" | "s" => Some(CallKind::Screen),
            "identify" | "i" => Some(CallKind::Identify),
            "alias" | "a" => Some(CallKind::Alias),
            "group" | "g" => Some(CallKind::Group),
            _ => None,
        }
    }
}

fn decode_basic_user(value: &str) -> Option<String> {
    let encoded = value.strip_prefix("Basic ")?.trim();
    let bytes = base64_decode(encoded)?;
    let text = String::from_utf8(bytes).ok()?;
    Some(text.split(':').next().unwrap_or("").to_string())
}

/// Standard base64 (with or without padding); no dependency for 20 lines.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// The request body, refused as soon as it passes `limit` bytes (before
/// decompression), so no request is buffered beyond the limit.
async fn read_limited(body: axum::body::Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::too_large(format!("request body exceeds the limit of {limit} bytes"))
    })
}

/// Decompresses (gzip) and checks type and size; returns the JSON text.
fn body_bytes(headers: &HeaderMap, body: &Bytes, limit: usize) -> Result<Vec<u8>, ApiError> {
    if body.len() > limit {
        return Err(ApiError::too_large(format!(
            "request body of {} bytes exceeds the limit of {limit}",
            body.len()
        )));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !matches!(
        essence,
        "application/json" | "text/plain" | "application/x-ndjson" | ""
    ) {
        return Err(ApiError::unsupported_media(format!(
            "content type {essence:?}: send application/json, application/x-ndjson or text/plain"
        )));
    }
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    match encoding {
        "identity" | "" => Ok(body.to_vec()),
        "gzip" => {
            let mut out = Vec::new();
            let decoder = flate2::read::GzDecoder::new(&body[..]);
            decoder
                .take(limit as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| ApiError::bad_body(format!("gzip body does not decompress: {e}")))?;
            if out.len() > limit {
                return Err(ApiError::too_large(format!(
                    "decompressed body exceeds the limit of {limit} bytes"
                )));
            }
            Ok(out)
        }
        other => Err(ApiError::unsupported_media(format!(
            "content encoding {other:?}: send gzip or no encoding"
        ))),
    }
}

/// Checks the write key (Basic user, or `writeKey` in the body).
fn authorise(state: &AppState, headers: &HeaderMap, body: &Value) -> Result<(), ApiError> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(decode_basic_user);
    let key = from_header
        .filter(|k| !k.is_empty())
        .or_else(|| {
            body.get("writeKey")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .ok_or_else(|| {
            ApiError::unauthorized("send a write key as the Basic auth user or as writeKey")
        })?;
    match state.keys.check(&key) {
        Ok(Some(KeyKind::Write)) => Ok(()),
        Ok(Some(_)) => Err(ApiError::forbidden(
            "a secret key must not be used for ingestion; use a write key",
        )),
        Ok(None) => Err(ApiError::unauthorized("unknown or revoked write key")),
        Err(e) => Err(ApiError::internal(e.to_string())),
    }
}

fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn time_us(object: &Map<String, Value>, key: &str) -> Result<Option<i64>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => model::parse_timestamp(s)
            .map(Some)
            .map_err(|e| format!("{key}: {e}")),
        Some(Value::Number(n)) => n
            .as_f64()
            .and_then(model::time::epoch_to_us)
            .map(Some)
            .ok_or_else(|| format!("{key}: {n} is not a time")),
        Some(other) => Err(format!("{key}: {other} is not a time")),
    }
}

fn number(properties: &Map<String, Value>, keys: &[&str]) -> Result<Option<f64>, String> {
    for key in keys {
        match properties.get(*key) {
            None | Some(Value::Null) => continue,
            Some(Value::Number(n)) => return Ok(n.as_f64()),
            Some(Value::String(s)) => {
                return s
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("properties.{key}: {s:?} is not a number"));
            }
            Some(other) => return Err(format!("properties.{key}: {other} is not a number")),
        }
    }
    Ok(None)
}

/// One Segment message as a touchpoint event (`Ok(None)` for calls that
/// carry no touchpoint: identify, alias, group).
pub fn segment_event(
    kind: CallKind,
    message: &Map<String, Value>,
    received_at_us: i64,
    max_event_bytes: usize,
) -> Result<Option<Event>, String> {
    let size = Value::Object(message.clone()).to_string().len();
    if size > max_event_bytes {
        return Err(format!(
            "event of {size} bytes exceeds the limit of {max_event_bytes}"
        ));
    }
    let distinct_id = text(message, "userId")
        .or_else(|| text(message, "anonymousId"))
        .ok_or("no userId or anonymousId")?
        .to_string();
    if !matches!(kind, CallKind::Track | CallKind::Page | CallKind::Screen) {
        return Ok(None);
    }
    let empty = Map::new();
    let properties = message
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let context = message
        .get("context")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let touchpoint = match kind {
        CallKind::Track => text(message, "event").ok_or("track without event name")?,
        _ => text(message, "name")
            .or_else(|| text(properties, "name"))
            .or_else(|| text(properties, "path"))
            .unwrap_or(if kind == CallKind::Page {
                "page_view"
            } else {
                "screen_view"
            }),
    }
    .to_string();
    let channel = text(properties, "channel")
        .or_else(|| text(context, "channel"))
        .unwrap_or(match kind {
            CallKind::Screen => "app",
            _ => "web",
        })
        .to_string();
    let timestamp = time_us(message, "timestamp")?;
    let sent_at = time_us(message, "sentAt")?;
    // Clock-skew correction (DESIGN §4): the device's clock is trusted for
    // the gap between the event and the send, the server's for the rest.
    let ts_us = match (timestamp, sent_at) {
        (Some(t), Some(s)) => received_at_us - (s - t),
        (Some(t), None) => t,
        (None, _) => received_at_us,
    };
    let event_id = text(message, "messageId")
        .map(str::to_string)
        .unwrap_or_else(|| {
            let mut hasher = xxhash_rust_hash(&Value::Object(message.clone()).to_string());
            hasher.insert(0, 'h');
            hasher
        });
    let rating_scale = match text(properties, "rating_scale") {
        Some(name) => Some(
            model::RatingScale::parse(name)
                .ok_or_else(|| format!("unknown rating_scale {name:?}"))?,
        ),
        None => None,
    };
    let rating = number(properties, &["rating"])?.map(|r| r as f32);
    let feedback = text(properties, "text")
        .or_else(|| text(properties, "comment"))
        .map(str::to_string);
    let sentiment = feedback
        .as_deref()
        .map(|t| text::sentiment(t, text::Mode::Service).compound as f32);
    let rating_emotion = match (rating, rating_scale) {
        (Some(r), Some(scale)) => Some(
            scale
                .to_emotion(r)
                .ok_or_else(|| format!("rating {r} is outside the {} scale", scale.as_str()))?,
        ),
        _ => None,
    };
    Ok(Some(Event {
        event_id,
        ts_us,
        received_at_us,
        customer: Event::customer_key(&distinct_id),
        distinct_id,
        touchpoint,
        channel,
        stage: text(properties, "stage").map(str::to_string),
        channel_kind: None,
        agent: text(properties, "agent").map(str::to_string),
        text: feedback,
        sentiment,
        rating,
        rating_scale,
        emotion: rating_emotion.or(sentiment),
        value: number(properties, &["revenue", "value", "total"])?,
        wait_s: number(properties, &["wait_s"])?.map(|v| v as f32),
        handle_s: number(properties, &["handle_s"])?.map(|v| v as f32),
        resolved: properties.get("resolved").and_then(Value::as_bool),
        abandoned: properties.get("abandoned").and_then(Value::as_bool),
        properties: (!properties.is_empty()).then(|| Value::Object(properties.clone()).to_string()),
    }))
}

fn xxhash_rust_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// The result of one message of a request.
fn result(index: usize, message_id: Option<&str>, status: &str, reason: Option<String>) -> Value {
    let mut value = json!({"index": index, "status": status});
    if let Some(id) = message_id {
        value["messageId"] = json!(id);
    }
    if let Some(reason) = reason {
        value["reason"] = json!(reason);
    }
    value
}

/// One message of a request: its call kind and its JSON object.
type Message = (CallKind, Map<String, Value>);

/// Converts messages, stores the events durably and answers per message.
async fn accept(state: &Arc<AppState>, messages: Vec<Message>) -> Result<Json<Value>, ApiError> {
    let ingestor = state.ingestor()?;
    let received_at_us = now_us();
    let mut results: Vec<Option<Value>> = vec![None; messages.len()];
    let mut events = Vec::new();
    let mut slots = Vec::new();
    let mut traits = Vec::new();
    for (index, (kind, message)) in messages.iter().enumerate() {
        let message_id = text(message, "messageId");
        match segment_event(
            *kind,
            message,
            received_at_us,
            state.options.max_event_bytes,
        ) {
            Ok(Some(event)) => {
                slots.push(index);
                events.push(event);
            }
            Ok(None) => {
                traits.extend(trait_rows(*kind, message, received_at_us));
                results[index] = Some(result(index, message_id, "accepted", None));
            }
            Err(reason) => {
                results[index] = Some(result(index, message_id, "rejected", Some(reason)));
            }
        }
    }
    let rejected = results
        .iter()
        .flatten()
        .filter(|r| r["status"] == "rejected")
        .count();
    if rejected == messages.len() {
        let reason = results
            .iter()
            .flatten()
            .find_map(|r| r["reason"].as_str().map(str::to_string))
            .unwrap_or_default();
        Metrics::add(&state.metrics.events_rejected, rejected as u64);
        return Err(ApiError::unprocessable("invalid_event", reason));
    }
    let permit = state
        .ingest_slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            Metrics::add(&state.metrics.requests_overloaded, 1);
            ApiError::overloaded("too many ingest requests in flight; retry shortly")
        })?;
    let ids: Vec<Option<String>> = events.iter().map(|e| Some(e.event_id.clone())).collect();
    // Contacts with a wait feed the live queue monitor once stored.
    let contacts: Vec<(usize, Event)> = (events.iter().enumerate())
        .filter(|(_, e)| e.wait_s.is_some())
        .map(|(i, e)| (i, e.clone()))
        .collect();
    let worker = ingestor.clone();
    let receipt = tokio::task::spawn_blocking(move || worker.ingest(events))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::unavailable(format!("events not stored: {e}")))?;
    drop(permit);
    if !traits.is_empty() {
        let store = ingestor.store().lock().await;
        store
            .merge_traits(traits)
            .map_err(|e| ApiError::unavailable(format!("traits not stored: {e}")))?;
        drop(store);
        state.invalidate();
    }
    let stored = receipt.stored() as u64;
    Metrics::add(&state.metrics.events_ingested, stored);
    Metrics::add(
        &state.metrics.events_duplicate,
        receipt.outcomes.len() as u64 - stored,
    );
    Metrics::add(&state.metrics.events_rejected, rejected as u64);
    Metrics::add(&state.metrics.batches_ingested, 1);
    if !contacts.is_empty() {
        let stored: Vec<&Event> = (contacts.iter())
            .filter(|(i, _)| receipt.outcomes[*i] == store::ingest::Outcome::Stored)
            .map(|(_, e)| e)
            .collect();
        let raised = state.live.observe(&stored);
        if let (Some(url), false) = (state.live.webhook(), raised.is_empty()) {
            let url = url.to_string();
            tokio::spawn(async move {
                for signal in raised {
                    let body = serde_json::to_value(&signal).unwrap_or(Value::Null);
                    if let Err(e) = crate::live::post_webhook(&url, &body).await {
                        eprintln!("touchpoint: {e}");
                    }
                }
            });
        }
    }
    for ((slot, outcome), id) in slots.iter().zip(&receipt.outcomes).zip(&ids) {
        let status = match outcome {
            store::ingest::Outcome::Stored => "stored",
            store::ingest::Outcome::Duplicate => "duplicate",
        };
        results[*slot] = Some(result(*slot, id.as_deref(), status, None));
    }
    Ok(Json(json!({
        "success": true,
        "results": results.into_iter().flatten().collect::<Vec<_>>(),
    })))
}

/// Identify and group calls carry traits: stored per customer, newest wins.
fn trait_rows(
    kind: CallKind,
    message: &Map<String, Value>,
    received_at_us: i64,
) -> Vec<store::TraitRow> {
    let Some(user) = text(message, "userId").or_else(|| text(message, "anonymousId")) else {
        return Vec::new();
    };
    let customer = Event::customer_key(user);
    let mut rows = Vec::new();
    let mut push = |name: String, value: &Value| {
        let value = match value {
            Value::String(s) => s.clone(),
            Value::Null => return,
            other => other.to_string(),
        };
        rows.push(store::TraitRow {
            customer,
            name,
            value,
            updated_at_us: received_at_us,
        });
    };
    match kind {
        CallKind::Identify => {
            if let Some(traits) = message.get("traits").and_then(Value::as_object) {
                for (name, value) in traits {
                    push(name.clone(), value);
                }
            }
        }
        CallKind::Group => {
            if let Some(group) = message.get("groupId") {
                push("group_id".into(), group);
            }
        }
        _ => {}
    }
    rows
}

fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_body(format!("body is not JSON: {e}")))
}

fn single(kind: CallKind, value: Value) -> Result<Vec<Message>, ApiError> {
    match value {
        Value::Object(object) => Ok(vec![(kind, object)]),
        _ => Err(ApiError::bad_body("body must be a JSON object")),
    }
}

/// `/v1/{call}` for one Segment call (and its short form).
pub async fn call(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Value>, ApiError> {
    let body = read_limited(body, state.options.max_batch_bytes).await?;
    let bytes = body_bytes(&headers, &body, state.options.max_batch_bytes)?;
    let value = parse_json(&bytes)?;
    authorise(&state, &headers, &value)?;
    let messages = match name.as_str() {
        "batch" | "b" => {
            let batch = value
                .get("batch")
                .and_then(Value::as_array)
                .ok_or_else(|| ApiError::bad_body("a batch needs a `batch` array"))?;
            let mut messages = Vec::with_capacity(batch.len());
            for (index, message) in batch.iter().enumerate() {
                let object = message.as_object().ok_or_else(|| {
                    ApiError::bad_body(format!("batch[{index}] is not an object"))
                })?;
                let kind = object
                    .get("type")
                    .and_then(Value::as_str)
                    .and_then(CallKind::parse)
                    .ok_or_else(|| {
                        ApiError::bad_body(format!("batch[{index}] has no known `type`"))
                    })?;
                messages.push((kind, object.clone()));
            }
            messages
        }
        other => {
            let kind = CallKind::parse(other).ok_or_else(|| {
                ApiError::not_found("unknown_endpoint", format!("no ingest call /v1/{other}"))
            })?;
            single(kind, value)?
        }
    };
    if messages.is_empty() {
        return Err(ApiError::bad_body("the batch is empty"));
    }
    accept(&state, messages).await
}

/// `/v1/events`: native events as a JSON array or NDJSON, authorised by a
/// write key as Basic user or `Authorization: Bearer`.
pub async fn native(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Value>, ApiError> {
    let body = read_limited(body, state.options.max_batch_bytes).await?;
    let bytes = body_bytes(&headers, &body, state.options.max_batch_bytes)?;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|k| json!({ "writeKey": k.trim() }))
        .unwrap_or(Value::Null);
    authorise(&state, &headers, &bearer)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::bad_body("body is not UTF-8"))?
        .trim();
    let items: Vec<Value> = if text.starts_with('[') {
        match parse_json(text.as_bytes())? {
            Value::Array(items) => items,
            _ => return Err(ApiError::bad_body("expected a JSON array")),
        }
    } else {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, line)| {
                serde_json::from_str(line)
                    .map_err(|e| ApiError::bad_body(format!("line {}: invalid JSON: {e}", i + 1)))
            })
            .collect::<Result<_, _>>()?
    };
    if items.is_empty() {
        return Err(ApiError::bad_body("no events in the body"));
    }
    let messages = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::Object(object) => Ok((CallKind::Track, native_to_segment(object))),
            _ => Err(ApiError::bad_body(format!(
                "event {index} is not an object"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    accept(&state, messages).await
}

/// The native event model (DESIGN §4 names) in Segment's shape, so both
/// paths share one conversion.
fn native_to_segment(mut object: Map<String, Value>) -> Map<String, Value> {
    let mut message = Map::new();
    let mut rename = |from: &str, to: &str, object: &mut Map<String, Value>| {
        if let Some(value) = object.remove(from) {
            message.insert(to.to_string(), value);
        }
    };
    rename("event_id", "messageId", &mut object);
    rename("distinct_id", "userId", &mut object);
    rename("customer_id", "userId", &mut object);
    rename("ts", "timestamp", &mut object);
    rename("touchpoint", "event", &mut object);
    let mut properties = match object.remove("properties") {
        Some(Value::Object(p)) => p,
        _ => Map::new(),
    };
    for (key, value) in object {
        properties.insert(key, value);
    }
    message.insert("properties".into(), Value::Object(properties));
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_basic_auth() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(
            decode_basic_user("Basic dHBfd3JpdGVfYWJjOg==").as_deref(),
            Some("tp_write_abc")
        );
        assert_eq!(base64_decode("a$b"), None);
    }

    #[test]
    fn clock_skew_is_corrected_with_sent_at() {
        let message: Map<String, Value> = serde_json::from_value(json!({
            "userId": "u1", "event": "checkout", "messageId": "m1",
            "timestamp": "2026-01-01T10:00:00Z", "sentAt": "2026-01-01T10:00:10Z",
        }))
        .expect("object");
        let received = model::parse_timestamp("2026-01-01T12:00:10Z").expect("time");
        let event = segment_event(CallKind::Track, &message, received, 32_768)
            .expect("valid")
            .expect("a touchpoint");
        assert_eq!(
            event.ts_us,
            model::parse_timestamp("2026-01-01T12:00:00Z").expect("time")
        );
        assert_eq!(event.event_id, "m1");
        assert_eq!(event.touchpoint, "checkout");
    }

    #[test]
    fn bad_messages_say_why() {
        let check = |message: Value, needle: &str| {
            let object = message.as_object().expect("object").clone();
            let error = segment_event(CallKind::Track, &object, 0, 1_000).expect_err("rejected");
            assert!(error.contains(needle), "{error} does not mention {needle}");
        };
        check(json!({"event": "x"}), "userId");
        check(
            json!({"userId": "u", "event": "x", "timestamp": "soon"}),
            "timestamp",
        );
        check(json!({"userId": "u"}), "event name");
        check(
            json!({"userId": "u", "event": "x", "properties": {"revenue": "lots"}}),
            "revenue",
        );
        check(
            json!({"userId": "u", "event": "x", "properties": {"text": "a".repeat(2_000)}}),
            "limit",
        );
    }
}
