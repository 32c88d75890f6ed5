//! Live ingestion with exactly-once storage. An ingest call checks each
//! event id against the persisted dedup index, appends the new events to the
//! write-ahead log as one record and returns only when that record is
//! durable (fsync, group commit). A flusher moves records into the events
//! table and trims the log.
//!
//! Exactly once, across crashes:
//! - A flush commits a *contiguous* prefix of LSNs in one Delta commit that
//!   carries a `txn` action (app id [`WAL_APP_ID`], version = the prefix's
//!   last LSN). On open, records at or below the table's txn version are
//!   already in the table and are skipped; every other record is replayed,
//!   so nothing is stored twice and nothing acknowledged is lost, whatever
//!   the moment of the crash.
//! - The dedup index (`dedup.idx`) holds 128-bit hashes of (project,
//!   event id) of every stored event and the table version it covers. If a
//!   crash (or an import) left it behind the table, it is rebuilt from the
//!   table's event ids on open. Hashes of ids still in the log are added
//!   from the replayed records.
//! - Two concurrent calls carrying the same new id may both be written to
//!   the log (an id counts as stored only once its record is durable); the
//!   flush drops the second copy, so the table still holds it once.
//! - If the log fails to write or sync, the ingestor is failed: every later
//!   call is refused (fail-stop) and nothing unacknowledged is reported as
//!   stored.

use crate::dedup::{DedupIndex, id_hash};
use crate::error::StoreError;
use crate::{CreateOptions, EventBuilders, Store};
use model::Event;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Mutex;
use wal::{Wal, WalOptions};

/// The Delta `txn` app id under which flushes record their last LSN.
pub const WAL_APP_ID: &str = "touchpoint-wal";

#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Namespace of event ids: the same id in two projects is two events.
    pub project: String,
    pub wal: WalOptions,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            project: "default".into(),
            wal: WalOptions::default(),
        }
    }
}

/// What happened to one event of an ingest call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Durable now (in the log; the table follows at the next flush).
    Stored,
    /// Its id was stored before; nothing was written.
    Duplicate,
}

/// The answer to one ingest call, given once the new events are durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The log record holding the new events (0 when there were none).
    pub lsn: u64,
    pub outcomes: Vec<Outcome>,
}

impl Receipt {
    pub fn stored(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| **o == Outcome::Stored)
            .count()
    }
}

/// What a flush moved into the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlushSummary {
    pub records: usize,
    pub events: u64,
    /// The highest LSN now in the table (and trimmed from the log).
    pub flushed_lsn: u64,
}

/// What opening found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenSummary {
    pub replayed_records: usize,
    pub replayed_events: usize,
    pub torn_tail_bytes: u64,
    pub index_rebuilt: bool,
}

/// Records in the log that are not in the table yet, by LSN.
#[derive(Default)]
struct Pending {
    records: BTreeMap<u64, Vec<Event>>,
}

/// The live ingestion entry point of one data directory.
pub struct Ingestor {
    project: String,
    wal: Wal,
    /// Hashes of every event id that is durable (table or log).
    index: Mutex<DedupIndex>,
    pending: Mutex<Pending>,
    /// The highest LSN known to be in the table.
    flushed_lsn: Mutex<u64>,
    store: tokio::sync::Mutex<Store>,
}

impl std::fmt::Debug for Ingestor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingestor")
            .field("project", &self.project)
            .finish()
    }
}

fn decode_record(lsn: u64, payload: &[u8]) -> Result<Vec<Event>, StoreError> {
    serde_json::from_slice(payload)
        .map_err(|e| StoreError::Invalid(format!("log record {lsn} does not hold events: {e}")))
}

impl Ingestor {
    /// Opens (or creates) the data directory, recovers the log and the dedup
    /// index, and replays every record that the table does not have yet.
    pub async fn open(
        dir: &Path,
        options: IngestOptions,
    ) -> Result<(Ingestor, OpenSummary), StoreError> {
        let store = Store::open_or_create(dir, &CreateOptions::default()).await?;
        let flushed_lsn = store
            .transaction_version(WAL_APP_ID)
            .await?
            .map_or(0, |v| v.max(0) as u64);
        let wal_dir = dir.join("wal");
        let (wal, recovery) = Wal::open(&wal_dir, options.wal.clone())
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", wal_dir.display())))?;
        let (mut index, index_rebuilt) = DedupIndex::open(&store, &options.project)?;
        let mut pending = Pending::default();
        let mut summary = OpenSummary {
            index_rebuilt,
            torn_tail_bytes: recovery.torn_tail.as_ref().map_or(0, |t| t.discarded_bytes),
            ..OpenSummary::default()
        };
        for record in &recovery.records {
            if record.lsn <= flushed_lsn {
                continue;
            }
            let events = decode_record(record.lsn, &record.payload)?;
            for event in &events {
                index
                    .hashes
                    .insert(id_hash(&options.project, &event.event_id));
            }
            summary.replayed_records += 1;
            summary.replayed_events += events.len();
            pending.records.insert(record.lsn, events);
        }
        let ingestor = Ingestor {
            project: options.project,
            wal,
            index: Mutex::new(index),
            pending: Mutex::new(pending),
            flushed_lsn: Mutex::new(flushed_lsn),
            store: tokio::sync::Mutex::new(store),
        };
        // Records the table already holds can go from the log now.
        let trimmed = ingestor.wal.trimmed_lsn();
        if flushed_lsn > trimmed && flushed_lsn <= ingestor.wal.last_durable_lsn() {
            ingestor.trim(flushed_lsn)?;
        }
        Ok((ingestor, summary))
    }

    fn trim(&self, lsn: u64) -> Result<(), StoreError> {
        self.wal
            .trim(lsn)
            .map(|_| ())
            .map_err(|e| StoreError::Invalid(format!("trimming the log: {e}")))
    }

    /// Whether the log failed; a failed ingestor refuses every call.
    pub fn failure(&self) -> Option<String> {
        self.wal.failure()
    }

    /// Events in the log but not yet in the table.
    pub fn pending_events(&self) -> usize {
        self.pending
            .lock()
            .expect("pending lock is not poisoned")
            .records
            .values()
            .map(Vec::len)
            .sum()
    }

    /// Stores the events that are new and returns once they are durable.
    /// Blocking (it waits for fsync): call it from a blocking thread.
    pub fn ingest(&self, mut events: Vec<Event>) -> Result<Receipt, StoreError> {
        if let Some(reason) = self.wal.failure() {
            return Err(StoreError::Invalid(format!(
                "ingestion stopped after a log failure: {reason}"
            )));
        }
        let hashes: Vec<u128> = events
            .iter()
            .map(|e| id_hash(&self.project, &e.event_id))
            .collect();
        let mut outcomes = Vec::with_capacity(events.len());
        {
            let index = self.index.lock().expect("index lock is not poisoned");
            let mut in_call = HashSet::new();
            for hash in &hashes {
                let new = !index.hashes.contains(hash) && in_call.insert(*hash);
                outcomes.push(if new {
                    Outcome::Stored
                } else {
                    Outcome::Duplicate
                });
            }
        }
        let mut keep = outcomes.iter().map(|o| *o == Outcome::Stored);
        events.retain(|_| keep.next().expect("one outcome per event"));
        if events.is_empty() {
            return Ok(Receipt { lsn: 0, outcomes });
        }
        let payload = serde_json::to_vec(&events).expect("events serialise");
        let lsns = self
            .wal
            .append(&[&payload])
            .map_err(|e| StoreError::Invalid(format!("the log refused the events: {e}")))?;
        {
            let mut index = self.index.lock().expect("index lock is not poisoned");
            for (hash, outcome) in hashes.iter().zip(&outcomes) {
                if *outcome == Outcome::Stored {
                    index.hashes.insert(*hash);
                }
            }
        }
        self.pending
            .lock()
            .expect("pending lock is not poisoned")
            .records
            .insert(lsns.start, events);
        Ok(Receipt {
            lsn: lsns.start,
            outcomes,
        })
    }

    /// Moves the contiguous run of durable records after the last flushed
    /// LSN into the table in one commit, then trims the log.
    pub async fn flush(&self) -> Result<FlushSummary, StoreError> {
        let mut store = self.store.lock().await;
        let flushed = *self
            .flushed_lsn
            .lock()
            .expect("flushed lock is not poisoned");
        let (lsns, events) = {
            let pending = self.pending.lock().expect("pending lock is not poisoned");
            let mut lsns = Vec::new();
            let mut events = Vec::new();
            let expected = flushed + 1..;
            for (next, (lsn, record)) in expected.zip(pending.records.range(flushed + 1..)) {
                if *lsn != next {
                    break; // an earlier record is still being written
                }
                lsns.push(*lsn);
                events.extend(record.iter().cloned());
            }
            (lsns, events)
        };
        let Some(&last) = lsns.last() else {
            return Ok(FlushSummary {
                flushed_lsn: flushed,
                ..FlushSummary::default()
            });
        };
        let mut builders = EventBuilders::new();
        for event in &events {
            builders.push(event);
        }
        let hashes: Vec<u128> = events
            .iter()
            .map(|e| id_hash(&self.project, &e.event_id))
            .collect();
        store
            .append_logged(&[builders.finish()], WAL_APP_ID, last as i64)
            .await?;
        {
            let index = self.index.lock().expect("index lock is not poisoned");
            index.append(&hashes, store.version())?;
        }
        *self
            .flushed_lsn
            .lock()
            .expect("flushed lock is not poisoned") = last;
        {
            let mut pending = self.pending.lock().expect("pending lock is not poisoned");
            for lsn in &lsns {
                pending.records.remove(lsn);
            }
        }
        self.trim(last)?;
        Ok(FlushSummary {
            records: lsns.len(),
            events: events.len() as u64,
            flushed_lsn: last,
        })
    }

    /// The store, for callers that read or administer it between flushes.
    pub fn store(&self) -> &tokio::sync::Mutex<Store> {
        &self.store
    }
}
