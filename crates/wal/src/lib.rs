//! The write-ahead log of the store: records framed with length and CRC32C in segment files, group commit, torn-tail recovery and trimming.
//!
//! Ingest appends events to the WAL and acknowledges them once they are
//! durable; a flusher later moves them into the table and trims the log.
//! This crate knows nothing of events: a record is an opaque byte payload
//! numbered by its LSN (log sequence number). It uses only `std`, `crc32c`
//! and `thiserror`.
//!
//! # Use
//!
//! ```no_run
//! # fn main() -> Result<(), wal::WalError> {
//! let (wal, recovery) = wal::Wal::open("data/wal", wal::WalOptions::default())?;
//! for record in &recovery.records {
//!     // Replay record.payload (its LSN is record.lsn) into the memtable.
//! }
//! let wal = std::sync::Arc::new(wal);
//! let lsns = wal.append(&[b"event one", b"event two"])?; // durable on return
//! // ... after the flusher committed everything up to lsns.end - 1:
//! wal.trim(lsns.end - 1)?;
//! # Ok(()) }
//! ```
//!
//! # Directory layout
//!
//! - `wal-<first_lsn>.log`: segment files, the first LSN zero-padded to 20
//!   digits so that names sort like LSNs. A segment holds the records from
//!   its first LSN up to the next segment's first LSN, without gaps.
//! - `wal.checkpoint`: the highest trimmed LSN (absent until the first trim).
//! - `wal.checkpoint.tmp`: a checkpoint being written; removed on open.
//! - `wal.lock`: locked exclusively while a [`Wal`] is open (`flock`).
//!
//! # Format (version [`FORMAT_VERSION`] = 1; all integers little-endian)
//!
//! A segment starts with a 20-byte header: the magic `TPWL`, the format
//! version (u32), the first LSN (u64) and the CRC32C of those 16 bytes
//! (u32). Then come records, each framed as
//!
//! ```text
//! [payload length: u32][crc: u32][payload: length bytes]
//! crc = CRC32C(payload ‖ length as u32 LE ‖ lsn as u64 LE)
//! ```
//!
//! The LSN is not stored: the n-th record of a segment (from 0) has LSN
//! `first_lsn + n`. Because the checksum covers the LSN, a frame that is
//! read at a position implying another LSN fails its check. Records never
//! span segments. A segment is closed (rolled) before a record would take
//! it past [`WalOptions::segment_target_bytes`], unless it holds no record
//! yet, so a segment exceeds the target only by a single oversized record.
//!
//! The checkpoint file is 20 bytes: the magic `TPWC`, the format version
//! (u32), the trimmed LSN (u64) and the CRC32C of those 16 bytes (u32). It is
//! replaced atomically: written to the temporary name, synced, renamed over
//! the old one, and the directory synced.
//!
//! LSNs start at 1; LSN 0 means "none" (nothing trimmed, nothing durable).
//!
//! # Durability and group commit
//!
//! [`Wal::append`] returns only after its records were written and the
//! segment was synced with `sync_data` (and the directory synced if a new
//! segment was created). Concurrent appenders are batched: the first caller
//! to find no write in progress becomes the leader, takes every record
//! queued so far, writes them in one `write` and syncs once; callers that
//! arrive meanwhile queue their records for the next batch. LSNs are
//! assigned in queue order, so file order is LSN order.
//!
//! # Recovery policy
//!
//! [`Wal::open`] reads every segment in LSN order and returns each intact
//! record above the checkpoint. Then:
//!
//! - In the **last** segment, the first frame that is not intact (fewer than
//!   8 header bytes, a length past the end of the file, a bad CRC) and
//!   everything after it is a torn tail: the file is truncated there and the
//!   loss is reported in [`Recovery::torn_tail`]. A crash can leave bytes of
//!   an unsynced batch in any order, so a bad frame followed by intact-looking
//!   ones is still a torn tail; by the same token, corruption inside the last
//!   segment is indistinguishable from a torn tail and is treated as one. A
//!   last segment whose header is incomplete or all zeros (created, then a
//!   crash) is re-initialised: no record in it was ever acknowledged, because
//!   the header is synced before the first batch in it is acknowledged.
//! - In **any other** segment, a bad header, a bad frame or trailing bytes are
//!   corruption: [`WalError::Corrupt`], and nothing after it is dropped or
//!   returned. A segment is synced before the next one is created, so a
//!   crash cannot tear it.
//! - Segments must be contiguous (each starts where the previous ended) and
//!   the first must start at or before the checkpoint + 1; otherwise
//!   records are missing: [`WalError::Corrupt`].
//! - Segments whose records are all trimmed are deleted.
//!
//! The last segment is synced after recovery, so records written by a
//! process that died before its sync are durable before they are replayed.
//!
//! # Failure policy (fail-stop)
//!
//! If a write or sync fails, the WAL is failed for good: the callers of the
//! batch and every later [`Wal::append`] or [`Wal::trim`] get
//! [`WalError::Failed`]. Records of a failed batch were never acknowledged;
//! they may or may not be present after reopening (the write may have
//! reached the disk), which is why callers must treat "failed" as "unknown",
//! as with any timeout. Acknowledged records are never lost. The only way
//! on is to drop the WAL and open it again, which re-reads the disk.

pub mod fault;
mod format;
mod storage;
mod wal;

pub use fault::FaultyStorage;
pub use format::{
    CHECKPOINT_LEN, CHECKPOINT_MAGIC, DecodeEnd, DecodedRecord, FORMAT_VERSION, FRAME_HEADER_LEN,
    HeaderError, MAX_FIRST_LSN, RecordDecoder, SEGMENT_HEADER_LEN, SEGMENT_MAGIC, SegmentHeader,
    TornReason, decode_checkpoint, decode_records, decode_segment, decode_segment_header,
    encode_checkpoint, encode_record, encode_segment_header, frame_crc,
};
pub use storage::{FsStorage, FsStorageOpenError, LOCK_FILE_NAME, SegmentFile, Storage};
pub use wal::{
    CHECKPOINT_FILE_NAME, CHECKPOINT_TEMP_FILE_NAME, Recovered, Recovery, TornTail, TrimOutcome,
    Wal, WalStats, parse_segment_name, segment_name,
};

use std::path::PathBuf;

/// A log sequence number: the position of a record in the log, from 1.
pub type Lsn = u64;

/// How a [`Wal`] writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalOptions {
    /// A segment is rolled before a record would take it past this size.
    pub segment_target_bytes: u64,
    /// [`Wal::append`] rejects larger payloads with
    /// [`WalError::RecordTooLarge`].
    pub max_record_bytes: u32,
}

impl Default for WalOptions {
    fn default() -> WalOptions {
        WalOptions {
            segment_target_bytes: 64 << 20,
            max_record_bytes: 16 << 20,
        }
    }
}

/// The errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum WalError {
    #[error("WAL I/O error while {action}: {source}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the WAL directory {} is locked by another open WAL", dir.display())]
    Locked { dir: PathBuf },
    #[error("the WAL has failed and accepts nothing more until it is reopened: {reason}")]
    Failed { reason: String },
    #[error("corrupt WAL file {file}: {detail}")]
    Corrupt { file: String, detail: String },
    #[error("a record of {len_bytes} bytes exceeds the maximum of {max_bytes} bytes")]
    RecordTooLarge { len_bytes: usize, max_bytes: u32 },
    #[error("cannot trim up to LSN {requested_lsn}: the last durable LSN is {last_durable_lsn}")]
    TrimBeyondDurable {
        requested_lsn: Lsn,
        last_durable_lsn: Lsn,
    },
    #[error("invalid WAL options: {0}")]
    InvalidOptions(String),
}
