//! The HTTP service in process: a store filled from the retail generator,
//! the router driven with `tower::ServiceExt::oneshot`, every answer checked
//! against the engine or against the documented error.

mod ingest;
mod links;
mod live;
mod query;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use generate::{GenerateOptions, Generator, Scenario};
use http_body_util::BodyExt;
use serde_json::Value;
use server::keys::KeyKind;
use server::{AppState, ServerOptions};
use std::sync::Arc;
use tower::ServiceExt;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub state: Arc<AppState>,
    pub read_key: String,
    pub write_key: String,
}

/// A data directory with `customers` generated retail customers.
pub async fn fixture(customers: u64) -> Fixture {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut store = store::Store::open_or_create(dir.path(), &store::CreateOptions::default())
        .await
        .expect("store created");
    store
        .set_definition(&Scenario::Retail.definition())
        .expect("definition stored");
    let generator = Generator::new(
        Scenario::Retail,
        GenerateOptions {
            customers,
            ..GenerateOptions::default()
        },
    )
    .expect("generator");
    let mut builders = store::EventBuilders::new();
    let mut traits = Vec::new();
    for index in 0..customers {
        let record = generator.customer(index);
        for event in &record.events {
            builders.push(event);
        }
        let key = model::Event::customer_key(&record.distinct_id);
        for (name, value) in &record.traits {
            traits.push(store::TraitRow {
                customer: key,
                name: name.clone(),
                value: value.clone(),
                updated_at_us: 0,
            });
        }
    }
    store.append(&[builders.finish()]).await.expect("appended");
    store.merge_traits(traits).expect("traits stored");
    let state = Arc::new(AppState::new(ServerOptions::new(dir.path().to_path_buf())));
    let (read_key, _) = state
        .keys
        .create(KeyKind::Read, "test", "2026-11-23".into())
        .expect("read key");
    let (write_key, _) = state
        .keys
        .create(KeyKind::Write, "test", "2026-11-23".into())
        .expect("write key");
    Fixture {
        dir,
        state,
        read_key,
        write_key,
    }
}

/// Status, content type and JSON body of one request.
pub async fn call(
    state: &Arc<AppState>,
    method: &str,
    uri: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    let body = match body {
        Some(value) => {
            request = request.header("content-type", "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    let response = server::router(state.clone())
        .oneshot(request.body(body).expect("request"))
        .await
        .expect("the router answers");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("ascii").to_string())
        .unwrap_or_default();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, content_type, value)
}
