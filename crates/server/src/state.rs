//! What every handler shares: the data directory, the engine over the
//! current store version (reopened after new data lands), the keys, the
//! metrics and the options.

use crate::error::ApiError;
use crate::keys::KeyStore;
use crate::live::{LiveMonitor, LiveOptions};
use crate::metrics::Metrics;
use engine::Engine;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use store::ingest::Ingestor;
use tokio::sync::RwLock;

/// Settings of one server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub data_dir: PathBuf,
    /// Largest accepted event, bytes.
    pub max_event_bytes: usize,
    /// Largest accepted request body (after decompression), bytes.
    pub max_batch_bytes: usize,
    /// Origins allowed by CORS on the ingest endpoints; empty = any.
    pub cors_origins: Vec<String>,
    /// The live queue monitor (service-level breaches and alerts).
    pub live: LiveOptions,
}

impl ServerOptions {
    pub fn new(data_dir: PathBuf) -> ServerOptions {
        ServerOptions {
            data_dir,
            max_event_bytes: 32 * 1024,
            max_batch_bytes: 500 * 1024,
            cors_origins: Vec::new(),
            live: LiveOptions::default(),
        }
    }

    /// Checks the settings that can be wrong; `AppState::new` relies on it.
    pub fn validate(&self) -> Result<(), String> {
        LiveMonitor::new(self.live.clone()).map(|_| ())
    }
}

#[derive(Debug)]
pub struct AppState {
    pub options: ServerOptions,
    pub keys: KeyStore,
    pub links: crate::links::LinkStore,
    pub metrics: Metrics,
    engine: RwLock<Option<Arc<Engine>>>,
    stale: AtomicBool,
    ingestor: Option<Arc<Ingestor>>,
    /// Ingest requests allowed in flight; beyond them the answer is 429.
    pub ingest_slots: Arc<tokio::sync::Semaphore>,
    pub live: LiveMonitor,
}

impl AppState {
    /// A state that answers queries only (ingest endpoints answer 503).
    /// Call [`ServerOptions::validate`] first: invalid live-monitor
    /// settings fall back to the defaults here.
    pub fn new(options: ServerOptions) -> AppState {
        let live = LiveMonitor::new(options.live.clone()).unwrap_or_else(|_| {
            LiveMonitor::new(LiveOptions::default()).expect("the default settings are valid")
        });
        AppState {
            live,
            keys: KeyStore::open(&options.data_dir),
            links: crate::links::LinkStore::open(&options.data_dir),
            options,
            metrics: Metrics::default(),
            engine: RwLock::new(None),
            stale: AtomicBool::new(true),
            ingestor: None,
            ingest_slots: Arc::new(tokio::sync::Semaphore::new(64)),
        }
    }

    /// A state that also ingests, through the data directory's log.
    pub fn with_ingestor(options: ServerOptions, ingestor: Arc<Ingestor>) -> AppState {
        AppState {
            ingestor: Some(ingestor),
            ..AppState::new(options)
        }
    }

    pub fn ingestor(&self) -> Result<&Arc<Ingestor>, ApiError> {
        self.ingestor
            .as_ref()
            .ok_or_else(|| ApiError::unavailable("this server does not ingest"))
    }

    /// Moves the log into the table; the next query sees the new events.
    pub async fn flush(&self) -> Result<u64, ApiError> {
        let Some(ingestor) = &self.ingestor else {
            return Ok(0);
        };
        let summary = ingestor
            .flush()
            .await
            .map_err(|e| ApiError::unavailable(format!("flush failed: {e}")))?;
        if summary.events > 0 {
            self.invalidate();
        }
        Ok(summary.events)
    }

    /// The engine over the newest committed store version.
    pub async fn engine(&self) -> Result<Arc<Engine>, ApiError> {
        if !self.stale.load(Ordering::Acquire)
            && let Some(engine) = self.engine.read().await.as_ref()
        {
            return Ok(engine.clone());
        }
        let mut slot = self.engine.write().await;
        if self.stale.swap(false, Ordering::AcqRel) || slot.is_none() {
            let engine = Engine::open(&self.options.data_dir).await.map_err(|e| {
                self.stale.store(true, Ordering::Release);
                ApiError::unavailable(format!("cannot open the store: {e}"))
            })?;
            *slot = Some(Arc::new(engine));
        }
        Ok(slot.as_ref().expect("just opened").clone())
    }

    /// New data was committed: the next query reopens the engine.
    pub fn invalidate(&self) {
        self.stale.store(true, Ordering::Release);
    }

    /// The identities of a customer and why they belong to it.
    pub fn identities_of(&self, customer: u64, distinct_ids: &[String]) -> Vec<Value> {
        distinct_ids
            .iter()
            .map(|id| {
                let own = model::Event::customer_key(id) == customer;
                json!({
                    "id": id,
                    "linked_to": if own { Value::Null } else { json!(customer.to_string()) },
                    "reason": if own { "the customer's own identity" } else { "stored under this customer at import" },
                })
            })
            .collect()
    }
}
