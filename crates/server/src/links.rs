//! Tracked short links: a link names its target URL and the touchpoint a
//! click on it records (an e-mail button, a social post, the QR code on the
//! packaging). `GET /l/{code}` stores the click as a touchpoint event of the
//! customer — named by the link (`?cid=`), else by the visitor's cookie —
//! and redirects to the target. Links live in `links.json` of the data
//! directory, re-read when it changes so that `touchpoint links` works while
//! the server runs.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// The file of the links in a data directory.
pub const LINKS_FILE: &str = "links.json";
/// Event ids of clicks start with this, then the code and a dash.
pub const CLICK_ID_PREFIX: &str = "link-";
/// The touchpoint and channel of a click when the link names none.
pub const DEFAULT_TOUCHPOINT: &str = "link_click";
pub const DEFAULT_CHANNEL: &str = "link";

/// One tracked link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub code: String,
    pub url: String,
    pub touchpoint: String,
    pub channel: String,
    pub campaign: Option<String>,
    pub created_at: String,
}

/// What `create` needs; empty touchpoint or channel take the defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewLink {
    pub url: String,
    pub code: Option<String>,
    pub touchpoint: Option<String>,
    pub channel: Option<String>,
    pub campaign: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{0}")]
    Invalid(String),
    #[error("a link with the code {0:?} exists")]
    Exists(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a links file: {message}")]
    Corrupt { path: PathBuf, message: String },
}

#[derive(Debug, Default)]
struct Loaded {
    modified: Option<SystemTime>,
    links: BTreeMap<String, Link>,
}

/// The links of one data directory.
#[derive(Debug)]
pub struct LinkStore {
    path: PathBuf,
    loaded: Mutex<Loaded>,
}

fn valid_code(code: &str) -> bool {
    (3..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// A random code of 8 letters and digits (62⁸ ≈ 2 × 10¹⁴ codes).
fn random_code() -> String {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

impl LinkStore {
    pub fn open(data_dir: &Path) -> LinkStore {
        LinkStore {
            path: data_dir.join(LINKS_FILE),
            loaded: Mutex::new(Loaded::default()),
        }
    }

    fn read(&self) -> Result<BTreeMap<String, Link>, LinkError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                let links: Vec<Link> =
                    serde_json::from_slice(&bytes).map_err(|e| LinkError::Corrupt {
                        path: self.path.clone(),
                        message: e.to_string(),
                    })?;
                Ok(links.into_iter().map(|l| (l.code.clone(), l)).collect())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(source) => Err(LinkError::Io {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// Writes the whole file through a synced temporary file and a rename,
    /// so that a crash leaves the old or the new file, never half of one.
    fn write(&self, links: &BTreeMap<String, Link>) -> Result<(), LinkError> {
        let io = |source| LinkError::Io {
            path: self.path.clone(),
            source,
        };
        let temporary = self.path.with_extension("json.tmp");
        let list: Vec<&Link> = links.values().collect();
        let bytes = serde_json::to_vec_pretty(&list).expect("links serialise");
        std::fs::write(&temporary, bytes).map_err(io)?;
        std::fs::File::open(&temporary)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        std::fs::rename(&temporary, &self.path).map_err(io)?;
        Ok(())
    }

    /// The links as they are on disk now (re-read when the file changed).
    fn current(&self) -> Result<std::sync::MutexGuard<'_, Loaded>, LinkError> {
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        let mut loaded = self.loaded.lock().expect("links lock is not poisoned");
        if loaded.modified != modified || modified.is_none() {
            loaded.links = self.read()?;
            loaded.modified = modified;
        }
        Ok(loaded)
    }

    /// Validates and stores a new link; the file is left as it was when the
    /// link is refused.
    pub fn create(&self, new: NewLink, created_at: String) -> Result<Link, LinkError> {
        let url = url::Url::parse(new.url.trim())
            .map_err(|e| LinkError::Invalid(format!("url {:?}: {e}", new.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(LinkError::Invalid(format!(
                "url {:?}: an http:// or https:// address with a host",
                new.url
            )));
        }
        let name = |value: Option<String>, default: &str, what: &str| {
            let value = value
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string());
            if valid_name(&value) {
                Ok(value)
            } else {
                Err(LinkError::Invalid(format!(
                    "{what} {value:?}: 1 to 128 characters without spaces"
                )))
            }
        };
        let touchpoint = name(new.touchpoint, DEFAULT_TOUCHPOINT, "touchpoint")?;
        let channel = name(new.channel, DEFAULT_CHANNEL, "channel")?;
        let campaign = new
            .campaign
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        let mut loaded = self.current()?;
        let code = match new.code.map(|c| c.trim().to_string()) {
            Some(code) => {
                if !valid_code(&code) {
                    return Err(LinkError::Invalid(format!(
                        "code {code:?}: 3 to 64 letters, digits, '_' or '-'"
                    )));
                }
                if loaded.links.contains_key(&code) {
                    return Err(LinkError::Exists(code));
                }
                code
            }
            None => loop {
                let code = random_code();
                if !loaded.links.contains_key(&code) {
                    break code;
                }
            },
        };
        let link = Link {
            code: code.clone(),
            url: url.to_string(),
            touchpoint,
            channel,
            campaign,
            created_at,
        };
        let mut links = loaded.links.clone();
        links.insert(code, link.clone());
        self.write(&links)?;
        loaded.links = links;
        loaded.modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        Ok(link)
    }

    pub fn list(&self) -> Result<Vec<Link>, LinkError> {
        Ok(self.current()?.links.values().cloned().collect())
    }

    pub fn get(&self, code: &str) -> Result<Option<Link>, LinkError> {
        Ok(self.current()?.links.get(code).cloned())
    }
}

/// The code of a click's event id (`link-CODE-…`), if it is one.
pub fn code_of_click(event_id: &str) -> Option<&str> {
    let rest = event_id.strip_prefix(CLICK_ID_PREFIX)?;
    rest.rsplit_once('-').map(|(code, _)| code)
}

/// 96 random bits in hex.
fn random_hex() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh event id for a click on `code`.
pub fn click_id(code: &str) -> String {
    format!("{CLICK_ID_PREFIX}{code}-{}", random_hex())
}

// --- HTTP -------------------------------------------------------------------

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// The visitor cookie that keeps an anonymous clicker's id.
pub const VISITOR_COOKIE: &str = "tp_visitor";

impl From<LinkError> for ApiError {
    fn from(error: LinkError) -> ApiError {
        match error {
            LinkError::Invalid(detail) => ApiError::unprocessable("invalid_link", detail),
            LinkError::Exists(_) => {
                ApiError::new(StatusCode::CONFLICT, "link_exists", error.to_string())
            }
            other => ApiError::internal(other.to_string()),
        }
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// An identity from a link or cookie: printable, no spaces, ≤ 128 bytes.
fn usable_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic() && b != b';')
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// `GET /l/{code}`: records the click as a touchpoint event and redirects.
/// The visitor is the link's `cid` (e-mail links carry the customer id),
/// else the `tp_visitor` cookie, else a new anonymous id set in that cookie.
/// The redirect never waits on a failure to store: a click that cannot be
/// stored is logged and counted, and the customer still gets the page.
pub async fn click(
    State(state): State<Arc<AppState>>,
    UrlPath(code): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(link) = state.links.get(&code)? else {
        return Err(ApiError::not_found(
            "unknown_link",
            format!("no link with the code {code:?}"),
        ));
    };
    let params = crate::params::Params::parse(query.as_deref());
    let mut new_visitor = None;
    let distinct_id = match params.string("cid").filter(|id| usable_id(id)) {
        Some(id) => id,
        None => match cookie(&headers, VISITOR_COOKIE).filter(|id| usable_id(id)) {
            Some(id) => id.to_string(),
            None => {
                let id = format!("visitor-{}", random_hex());
                new_visitor = Some(id.clone());
                id
            }
        },
    };
    let referrer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let now = now_us();
    let event = model::Event {
        event_id: click_id(&link.code),
        ts_us: now,
        received_at_us: now,
        customer: model::Event::customer_key(&distinct_id),
        distinct_id,
        touchpoint: link.touchpoint.clone(),
        channel: link.channel.clone(),
        properties: Some(
            json!({
                "link": link.code,
                "campaign": link.campaign,
                "url": link.url,
                "referrer": referrer,
            })
            .to_string(),
        ),
        ..model::Event::default()
    };
    match state.ingestor() {
        Ok(ingestor) => {
            let worker = ingestor.clone();
            let stored = tokio::task::spawn_blocking(move || worker.ingest(vec![event])).await;
            match stored {
                Ok(Ok(_)) => crate::metrics::Metrics::add(&state.metrics.events_ingested, 1),
                Ok(Err(e)) => eprintln!("touchpoint: click on {code} not stored: {e}"),
                Err(e) => eprintln!("touchpoint: click on {code} not stored: {e}"),
            }
        }
        Err(_) => eprintln!("touchpoint: click on {code} not stored: this server does not ingest"),
    }
    let mut response = (
        StatusCode::FOUND,
        [
            (header::LOCATION, link.url.clone()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response();
    if let Some(id) = new_visitor {
        let value =
            format!("{VISITOR_COOKIE}={id}; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax");
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// Every link as JSON with `short_path`, its stored `clicks` and clicking
/// `customers` (clicks still in the write-ahead log count once flushed).
pub async fn with_clicks(
    links: Vec<Link>,
    engine: &engine::Engine,
) -> Result<Vec<Value>, engine::EngineError> {
    let batches = engine
        .sql_read_only(&format!(
            "SELECT event_id, customer FROM events WHERE starts_with(event_id, '{CLICK_ID_PREFIX}')"
        ))
        .await?;
    let mut clicks: BTreeMap<String, (u64, std::collections::HashSet<String>)> = BTreeMap::new();
    for row in crate::api::rows(&batches) {
        if let Some(code) = row["event_id"].as_str().and_then(code_of_click) {
            let entry = clicks.entry(code.to_string()).or_default();
            entry.0 += 1;
            entry.1.insert(row["customer"].to_string());
        }
    }
    Ok(links
        .into_iter()
        .map(|link| {
            let (n, customers) = clicks
                .get(&link.code)
                .map_or((0, 0), |(n, c)| (*n, c.len()));
            let mut value = serde_json::to_value(&link).expect("links serialise");
            value["short_path"] = json!(format!("/l/{}", link.code));
            value["clicks"] = json!(n);
            value["customers"] = json!(customers);
            value
        })
        .collect())
}

/// `GET /api/links`: [`with_clicks`] of every link.
pub async fn list(State(state): State<Arc<AppState>>) -> Result<axum::Json<Value>, ApiError> {
    let links = state.links.list()?;
    let engine = state.engine().await?;
    Ok(axum::Json(Value::Array(with_clicks(links, &engine).await?)))
}

/// `POST /api/links` (admin key): creates a link from
/// `{url, code?, touchpoint?, channel?, campaign?}`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let key = crate::bearer(&headers).unwrap_or_default();
    if state
        .keys
        .check(key)
        .map_err(|e| ApiError::internal(e.to_string()))?
        != Some(crate::keys::KeyKind::Admin)
    {
        return Err(ApiError::forbidden("creating links needs an admin key"));
    }
    let new: NewLink = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_body(format!(
            "a link is {{url, code?, touchpoint?, channel?, campaign?}}: {e}"
        ))
    })?;
    let created_at = model::format_timestamp(now_us());
    let link = state.links.create(new, created_at)?;
    let mut value = serde_json::to_value(&link).expect("links serialise");
    value["short_path"] = json!(format!("/l/{}", link.code));
    Ok((StatusCode::CREATED, axum::Json(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_validate_and_reload() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let links = LinkStore::open(dir.path());
        let link = links
            .create(
                NewLink {
                    url: "https://shop.example/setup?x=1".into(),
                    campaign: Some("spring".into()),
                    ..NewLink::default()
                },
                "2026-11-24".into(),
            )
            .expect("created");
        assert_eq!(link.code.len(), 8);
        assert_eq!(link.touchpoint, DEFAULT_TOUCHPOINT);
        assert_eq!(link.channel, DEFAULT_CHANNEL);
        let named = links
            .create(
                NewLink {
                    url: "http://shop.example/".into(),
                    code: Some("qr-box".into()),
                    touchpoint: Some("packaging_qr".into()),
                    channel: Some("print".into()),
                    campaign: None,
                },
                "2026-11-24".into(),
            )
            .expect("created");
        assert_eq!(named.code, "qr-box");
        // Refusals leave the file as it was.
        let before = std::fs::read(dir.path().join(LINKS_FILE)).expect("file");
        for bad in [
            NewLink {
                url: "ftp://shop.example/".into(),
                ..NewLink::default()
            },
            NewLink {
                url: "not a url".into(),
                ..NewLink::default()
            },
            NewLink {
                url: "https://shop.example/".into(),
                code: Some("qr box".into()),
                ..NewLink::default()
            },
            NewLink {
                url: "https://shop.example/".into(),
                touchpoint: Some("two words".into()),
                ..NewLink::default()
            },
        ] {
            assert!(matches!(
                links.create(bad, "2026-11-24".into()),
                Err(LinkError::Invalid(_))
            ));
        }
        assert!(matches!(
            links.create(
                NewLink {
                    url: "https://shop.example/".into(),
                    code: Some("qr-box".into()),
                    ..NewLink::default()
                },
                "2026-11-24".into()
            ),
            Err(LinkError::Exists(_))
        ));
        assert_eq!(
            std::fs::read(dir.path().join(LINKS_FILE)).expect("file"),
            before
        );
        // Another process's view sees both.
        let again = LinkStore::open(dir.path());
        assert_eq!(again.list().expect("listed").len(), 2);
        assert_eq!(again.get("qr-box").expect("read"), Some(named));
        assert_eq!(again.get("nope").expect("read"), None);
    }

    #[test]
    fn click_ids_carry_their_code() {
        let id = click_id("qr-box");
        assert_eq!(code_of_click(&id), Some("qr-box"));
        assert_eq!(code_of_click("abc-123"), None);
    }
}
