//! `touchpoint ingest`: NDJSON events on stdin, one acknowledgement line on
//! stdout per durable batch. Lines are grouped into batches (up to
//! `--batch` lines, or whatever arrived within `--linger-ms`); each batch is
//! appended to the write-ahead log and acknowledged only after fsync. A
//! flusher moves the log into the events table in the background. The HTTP
//! server sits on the same `store::ingest::Ingestor`.

use crate::convert::{Mapping, Resolved, Value, content_id, event_from_row};
use clap::Args;
use serde_json::json;
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};
use store::ingest::{IngestOptions, Ingestor};

#[derive(Debug, Clone, Args)]
pub struct IngestArgs {
    /// Most lines per batch (one log record, one fsync, one acknowledgement).
    #[arg(long, default_value_t = 2000)]
    pub batch: usize,
    /// How long a batch waits for more lines before it is written.
    #[arg(long, default_value_t = 5)]
    pub linger_ms: u64,
    /// How often the log is moved into the table.
    #[arg(long, default_value_t = 500)]
    pub flush_ms: u64,
    /// Largest accepted line (event), bytes.
    #[arg(long, default_value_t = 32 * 1024)]
    pub max_event_bytes: usize,
}

fn json_value(value: &serde_json::Value) -> Value<'_> {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => Value::Null,
    }
}

/// One NDJSON line as an event of the native model (DESIGN §4 names, or the
/// common aliases the import recognises).
pub fn parse_line(line: &str, max_bytes: usize) -> Result<model::Event, String> {
    if line.len() > max_bytes {
        return Err(format!(
            "event of {} bytes exceeds the limit of {max_bytes}",
            line.len()
        ));
    }
    let object = match serde_json::from_str::<serde_json::Value>(line) {
        Ok(serde_json::Value::Object(object)) => object,
        Ok(_) => return Err("line is not a JSON object".into()),
        Err(e) => return Err(format!("invalid JSON: {e}")),
    };
    let header: Vec<String> = object.keys().cloned().collect();
    let resolved = Resolved::new(&header, &Mapping::default()).map_err(|e| e.to_string())?;
    let nested: Vec<Option<String>> = header
        .iter()
        .map(|key| match &object[key] {
            v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_)) => Some(v.to_string()),
            _ => None,
        })
        .collect();
    let get = |i: usize| match &nested[i] {
        Some(text) => Value::Str(text),
        None => json_value(&object[&header[i]]),
    };
    event_from_row(&resolved, &get, &|| content_id(&[line]))
}

/// Lines read from stdin, numbered from 1.
fn read_stdin(lines: std::sync::mpsc::SyncSender<(u64, String)>) {
    let stdin = std::io::stdin();
    for (index, line) in stdin.lock().lines().enumerate() {
        let Ok(line) = line else { break };
        if lines.send((index as u64 + 1, line)).is_err() {
            break;
        }
    }
}

/// The next batch: blocks for the first line, then takes what arrives
/// within the linger time. `None` at the end of input.
fn next_batch(
    lines: &Receiver<(u64, String)>,
    max_lines: usize,
    linger: Duration,
) -> Option<Vec<(u64, String)>> {
    let first = lines.recv().ok()?;
    let deadline = Instant::now() + linger;
    let mut batch = vec![first];
    while batch.len() < max_lines {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => batch.push(line),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(batch)
}

fn ingest_loop(ingestor: &Ingestor, args: &IngestArgs) -> anyhow::Result<(u64, u64, u64)> {
    let (sender, receiver) = sync_channel(args.batch * 4);
    std::thread::spawn(move || read_stdin(sender));
    let (mut stored, mut duplicates, mut rejected) = (0u64, 0u64, 0u64);
    let mut stdout = std::io::stdout().lock();
    let linger = Duration::from_millis(args.linger_ms);
    while let Some(batch) = next_batch(&receiver, args.batch.max(1), linger) {
        let mut events = Vec::with_capacity(batch.len());
        let mut rejects = Vec::new();
        for (number, line) in &batch {
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(line, args.max_event_bytes) {
                Ok(event) => events.push(event),
                Err(reason) => rejects.push(json!({"line": number, "reason": reason})),
            }
        }
        let receipt = ingestor.ingest(events)?;
        let batch_stored = receipt.stored() as u64;
        let batch_duplicates = receipt.outcomes.len() as u64 - batch_stored;
        stored += batch_stored;
        duplicates += batch_duplicates;
        rejected += rejects.len() as u64;
        let ack = json!({
            "first_line": batch.first().map(|(n, _)| *n),
            "last_line": batch.last().map(|(n, _)| *n),
            "lsn": receipt.lsn,
            "stored": batch_stored,
            "duplicates": batch_duplicates,
            "rejected": rejects,
        });
        writeln!(stdout, "{ack}")?;
        stdout.flush()?;
    }
    Ok((stored, duplicates, rejected))
}

pub async fn run(data: &std::path::Path, args: IngestArgs) -> anyhow::Result<()> {
    let (ingestor, opened) = Ingestor::open(data, IngestOptions::default()).await?;
    if opened.replayed_records > 0 || opened.torn_tail_bytes > 0 || opened.index_rebuilt {
        eprintln!(
            "recovered: {} log records ({} events) replayed, {} torn bytes cut, dedup index {}",
            opened.replayed_records,
            opened.replayed_events,
            opened.torn_tail_bytes,
            if opened.index_rebuilt {
                "rebuilt"
            } else {
                "loaded"
            }
        );
    }
    let ingestor = Arc::new(ingestor);
    let flusher = {
        let ingestor = ingestor.clone();
        let interval = Duration::from_millis(args.flush_ms.max(10));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                if let Err(e) = ingestor.flush().await {
                    eprintln!("flush failed (the log keeps the events): {e}");
                }
            }
        })
    };
    let looping = ingestor.clone();
    let counts = tokio::task::spawn_blocking(move || ingest_loop(&looping, &args)).await?;
    flusher.abort();
    let flushed = ingestor.flush().await?;
    let (stored, duplicates, rejected) = counts?;
    eprintln!(
        "ingested: {stored} stored, {duplicates} duplicates, {rejected} rejected; table at log record {}",
        flushed.flushed_lsn
    );
    Ok(())
}
