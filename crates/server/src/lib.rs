//! The HTTP service of touchpoint (axum): the query API under `/api/`, the
//! embedded dashboard at `/`, health and Prometheus metrics. The only crate
//! that speaks HTTP and JSON wire types.

mod api;
mod assets;
mod error;
pub mod ingest;
pub mod keys;
pub mod links;
pub mod live;
mod metrics;
mod openapi;
mod params;
mod state;

pub use error::ApiError;
pub use state::{AppState, ServerOptions};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use keys::KeyKind;
use std::sync::Arc;
use std::time::Instant;

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Query endpoints take a secret read or admin key; a write key is refused.
async fn require_read_key(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = bearer(request.headers()) else {
        return ApiError::unauthorized("send a read key as `Authorization: Bearer <key>`")
            .into_response();
    };
    match state.keys.check(key) {
        Ok(Some(KeyKind::Read | KeyKind::Admin)) => {}
        Ok(Some(KeyKind::Write)) => {
            return ApiError::forbidden("a write key cannot query; use a read key").into_response();
        }
        Ok(None) => return ApiError::unauthorized("unknown or revoked key").into_response(),
        Err(e) => return ApiError::internal(e.to_string()).into_response(),
    }
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.observe_query(started.elapsed().as_secs_f64());
    response
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match state.engine().await {
        Ok(_) => "ready".into_response(),
        Err(e) => e.into_response(),
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let lag = state
        .ingestor()
        .map_or(0.0, |ingestor| ingestor.pending_events() as f64);
    let mut gauges = vec![(
        "touchpoint_wal_lag_events",
        "Events durable in the log but not yet in the table.",
        lag,
    )];
    gauges.extend(state.live.gauges());
    let mut body = state.metrics.render(&gauges);
    body.push_str(&state.live.queue_metrics());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// The whole service.
pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/meta", get(api::meta))
        .route("/map", get(api::map))
        .route("/touchpoints/{name}", get(api::touchpoint))
        .route("/funnel", get(api::funnel))
        .route("/paths", get(api::paths))
        .route("/variants", get(api::variants))
        .route("/retention", get(api::retention))
        .route("/lifecycle", get(api::lifecycle))
        .route("/stickiness", get(api::stickiness))
        .route("/repeat", get(api::repeat))
        .route("/value", get(api::value))
        .route("/contacts", get(api::contacts))
        .route("/handovers", get(api::handovers))
        .route("/staff/erlang", get(api::staff_erlang))
        .route("/staff/plan", get(api::staff_plan))
        .route("/alerts", get(api::alerts))
        .route("/agents", get(api::agents))
        .route("/agents/{agent}/timeline", get(api::agent_timeline))
        .route("/insights/{kind}", get(api::insight))
        .route("/customers", get(api::customers))
        .route("/customers/{customer}", get(api::customer))
        .route("/sql", post(api::sql))
        .route("/links", get(links::list).post(links::create))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_read_key,
        ))
        .route("/openapi.json", get(openapi::document));
    let cors = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([axum::http::Method::POST, axum::http::Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::CONTENT_ENCODING,
        ]);
    let ingest = Router::new()
        .route("/events", post(ingest::native))
        .route("/{call}", post(ingest::call))
        .layer(cors)
        .layer(axum::extract::DefaultBodyLimit::disable());
    Router::new()
        .nest("/v1", ingest)
        .nest("/api", api)
        .route("/l/{code}", get(links::click))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(assets::serve)
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

pub use assets::has_dashboard;

/// The OpenAPI document the server serves at `/api/openapi.json`.
pub fn openapi_document() -> serde_json::Value {
    openapi::build()
}
