//! `touchpoint serve` and `touchpoint keys`: the HTTP service over a data
//! directory, and the API keys that guard it.

use clap::{Args, Subcommand};
use server::keys::{KeyKind, KeyStore};
use server::{AppState, ServerOptions};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7070")]
    pub listen: String,
    /// Largest accepted event, bytes.
    #[arg(long, default_value_t = 32 * 1024)]
    pub max_event_bytes: usize,
    /// Largest accepted request body after decompression, bytes.
    #[arg(long, default_value_t = 500 * 1024)]
    pub max_batch_bytes: usize,
    /// Sliding window of the live queue monitor.
    #[arg(long, default_value = "15m")]
    pub alert_window: String,
    /// How long the window must be back within target (by a margin) before
    /// a breach clears.
    #[arg(long, default_value = "5m")]
    pub alert_clear_after: String,
    /// An http:// URL that receives every queue alert and clearance as JSON.
    #[arg(long)]
    pub alert_webhook: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key: `write` (ingest, safe in a browser), `read` or `admin` (secret).
    Create {
        kind: String,
        /// A name to recognise the key by.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by its id.
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
pub enum LinksCommand {
    /// Create a tracked short link; prints it as JSON (`short_path` is
    /// served by `touchpoint serve` at /l/CODE).
    Create {
        /// The target: an http:// or https:// address.
        url: String,
        /// The short code (3–64 letters, digits, '_' or '-'; default: random).
        #[arg(long)]
        code: Option<String>,
        /// The touchpoint a click records (default link_click).
        #[arg(long)]
        touchpoint: Option<String>,
        /// The channel of that touchpoint (default link), e.g. email, print, social.
        #[arg(long)]
        channel: Option<String>,
        #[arg(long)]
        campaign: Option<String>,
    },
    /// List the links with their stored clicks and clicking customers.
    List,
}

pub async fn links(data: &Path, command: LinksCommand) -> anyhow::Result<()> {
    anyhow::ensure!(
        data.is_dir(),
        "no data directory at {} (import or run demo first)",
        data.display()
    );
    let links = server::links::LinkStore::open(data);
    match command {
        LinksCommand::Create {
            url,
            code,
            touchpoint,
            channel,
            campaign,
        } => {
            let link = links.create(
                server::links::NewLink {
                    url,
                    code,
                    touchpoint,
                    channel,
                    campaign,
                },
                now_text(),
            )?;
            let mut value = serde_json::to_value(&link)?;
            value["short_path"] = serde_json::json!(format!("/l/{}", link.code));
            println!("{value}");
        }
        LinksCommand::List => {
            let all = links.list()?;
            let listed = if data.join("touchpoint.json").exists() {
                let engine = engine::Engine::open(data).await?;
                server::links::with_clicks(all, &engine).await?
            } else {
                all.iter()
                    .map(serde_json::to_value)
                    .collect::<Result<_, _>>()?
            };
            println!("{}", serde_json::to_string_pretty(&listed)?);
        }
    }
    Ok(())
}

fn now_text() -> String {
    let us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    model::format_timestamp(us)
}

pub fn keys(data: &Path, command: KeysCommand) -> anyhow::Result<()> {
    anyhow::ensure!(
        data.is_dir(),
        "no data directory at {} (import or run demo first)",
        data.display()
    );
    let keys = KeyStore::open(data);
    match command {
        KeysCommand::Create { kind, name } => {
            let kind = KeyKind::parse(&kind)
                .ok_or_else(|| anyhow::anyhow!("key kind {kind:?}: use write, read or admin"))?;
            let (key, record) = keys.create(kind, &name, now_text())?;
            println!("{key}");
            eprintln!(
                "created {:?} key {} (shown once; store it now)",
                record.kind, record.id
            );
        }
        KeysCommand::List => {
            for record in keys.list()? {
                println!(
                    "{}\t{:?}\t{}\t{}\t{}",
                    record.id,
                    record.kind,
                    if record.revoked { "revoked" } else { "active" },
                    record.created_at,
                    record.name
                );
            }
        }
        KeysCommand::Revoke { id } => {
            keys.revoke(&id)?;
            println!("revoked {id}");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("a SIGTERM handler installs");
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// Serves the data directory until SIGINT or SIGTERM. With `dashboard_key`,
/// prints the dashboard URL carrying a fresh read key.
pub async fn serve(data: &Path, args: &ServeArgs, dashboard_key: bool) -> anyhow::Result<()> {
    if !data.join("touchpoint.json").exists() {
        store::Store::open_or_create(data, &store::CreateOptions::default()).await?;
    }
    let mut options = ServerOptions::new(data.to_path_buf());
    options.max_event_bytes = args.max_event_bytes;
    options.max_batch_bytes = args.max_batch_bytes;
    let targets = store::Store::open(data).await?.definition()?.targets;
    let seconds = |text: &str, name: &str| -> anyhow::Result<f64> {
        Ok(engine::contacts::parse_duration_secs(text, name)?)
    };
    options.live.breach.window_secs = seconds(&args.alert_window, "alert window")?;
    options.live.breach.clear_hold_secs = seconds(&args.alert_clear_after, "alert clear after")?;
    options.live.breach.service_level_target = f64::from(targets.service_level);
    options.live.breach.answer_within_secs = f64::from(targets.answer_within_s);
    if let Some(url) = &args.alert_webhook {
        anyhow::ensure!(
            url.starts_with("http://"),
            "alert webhook {url}: only http:// URLs are supported"
        );
    }
    options.live.webhook = args.alert_webhook.clone();
    options
        .validate()
        .map_err(|e| anyhow::anyhow!("live monitor: {e}"))?;
    let (ingestor, opened) =
        store::ingest::Ingestor::open(data, store::ingest::IngestOptions::default()).await?;
    if opened.replayed_records > 0 {
        println!(
            "recovered {} events from the log ({} records)",
            opened.replayed_events, opened.replayed_records
        );
    }
    let state = Arc::new(AppState::with_ingestor(options, Arc::new(ingestor)));
    state
        .flush()
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    let flusher = {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                if let Err(e) = state.flush().await {
                    eprintln!("{} (the log keeps the events)", e.detail);
                }
            }
        })
    };
    state
        .engine()
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    let address = listener.local_addr()?;
    println!("touchpoint serving {} on http://{address}", data.display());
    if dashboard_key {
        let (key, _) = state.keys.create(KeyKind::Read, "dashboard", now_text())?;
        if server::has_dashboard() {
            println!("dashboard: http://{address}/#key={key}");
        } else {
            println!("query API key: {key} (this build has no dashboard)");
        }
    }
    println!("press Ctrl-C to stop");
    server::serve(listener, state.clone(), shutdown_signal()).await?;
    flusher.abort();
    let flushed = state
        .flush()
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    println!("stopped ({flushed} events flushed on the way out)");
    Ok(())
}
