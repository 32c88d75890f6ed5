//! The `Wal`: recovery on open, group-committed appends, trimming with a checkpoint, fail-stop on I/O errors.

use std::io;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::format::{
    DecodeEnd, FRAME_HEADER_LEN, HeaderError, SEGMENT_HEADER_LEN, decode_checkpoint,
    decode_segment, encode_checkpoint, encode_record_with_payload_crc, encode_segment_header,
};
use crate::storage::{FsStorage, FsStorageOpenError, SegmentFile, Storage};
use crate::{Lsn, WalError, WalOptions};

/// Name of the file holding the trimmed LSN.
pub const CHECKPOINT_FILE_NAME: &str = "wal.checkpoint";

/// Name under which a new checkpoint is written before it is renamed.
pub const CHECKPOINT_TEMP_FILE_NAME: &str = "wal.checkpoint.tmp";

/// Pending-record buffers larger than this are not kept for reuse.
const MAX_SPARE_BUFFER_BYTES: usize = 64 << 20;

/// The file name of the segment whose first record has `first_lsn`.
pub fn segment_name(first_lsn: Lsn) -> String {
    format!("wal-{first_lsn:020}.log")
}

/// The first LSN named by a segment file name, or `None` for other files.
pub fn parse_segment_name(name: &str) -> Option<Lsn> {
    let digits = name.strip_prefix("wal-")?.strip_suffix(".log")?;
    if digits.len() != 20 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// One record found on open: not yet trimmed, in LSN order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    pub lsn: Lsn,
    pub payload: Vec<u8>,
}

/// The bytes cut from the end of the last segment on open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornTail {
    pub segment: String,
    /// The file was truncated to this length.
    pub offset_bytes: u64,
    pub discarded_bytes: u64,
    pub reason: String,
}

/// What [`Wal::open`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Every intact record above the checkpoint, in LSN order.
    pub records: Vec<Recovered>,
    /// The LSN of the checkpoint (0 if the log was never trimmed).
    pub trimmed_lsn: Lsn,
    /// Set if the last segment ended in a torn record that was cut off.
    pub torn_tail: Option<TornTail>,
    /// Fully trimmed segments deleted on open (left by a crash during trim).
    pub segments_deleted: usize,
}

/// What [`Wal::trim`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrimOutcome {
    pub segments_deleted: usize,
}

/// Counters since open, for benchmarks and monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WalStats {
    /// Records written by batches that succeeded.
    pub records_written: u64,
    /// Group-commit batches that succeeded.
    pub batches_written: u64,
    /// `sync_data` calls on segment files.
    pub data_syncs: u64,
    /// Directory syncs (new segments and checkpoints).
    pub dir_syncs: u64,
    /// Segments created by rolling.
    pub segments_rolled: u64,
}

#[derive(Default)]
struct StatCounters {
    records_written: AtomicU64,
    batches_written: AtomicU64,
    data_syncs: AtomicU64,
    dir_syncs: AtomicU64,
    segments_rolled: AtomicU64,
}

impl StatCounters {
    fn add(counter: &AtomicU64, amount: u64) {
        counter.fetch_add(amount, Ordering::Relaxed);
    }
}

/// The write-ahead log. `Sync`: share it with `Arc` and append from many
/// threads at once.
pub struct Wal {
    storage: Arc<dyn Storage>,
    options: WalOptions,
    state: Mutex<AppendState>,
    batch_done: Condvar,
    writer: Mutex<Writer>,
    /// The trimmed LSN; its lock also serialises checkpoint writes.
    trimmed_lsn: Mutex<Lsn>,
    stats: StatCounters,
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wal")
            .field("options", &self.options)
            .field("next_lsn", &self.next_lsn())
            .field("last_durable_lsn", &self.last_durable_lsn())
            .field("failure", &self.failure())
            .finish_non_exhaustive()
    }
}

/// The queue of records waiting for a batch, and the group-commit state.
struct AppendState {
    /// The LSN the next appended record gets.
    next_lsn: Lsn,
    /// Every record below this LSN is durable.
    durable_end_lsn: Lsn,
    /// Encoded frames of the records from `pending_first_lsn` to `next_lsn`.
    pending_frames: Vec<u8>,
    pending_first_lsn: Lsn,
    /// An emptied buffer kept to avoid reallocating each batch.
    spare_frames: Vec<u8>,
    /// Whether a leader is writing a batch right now.
    leader_active: bool,
    /// Set forever once a write or sync failed.
    failure: Option<String>,
}

struct SegmentEntry {
    first_lsn: Lsn,
    name: String,
}

/// The segment files; only the batch leader writes through it.
struct Writer {
    /// In LSN order; the last one is the current segment.
    segments: Vec<SegmentEntry>,
    current_file: Box<dyn SegmentFile>,
    current_len_bytes: u64,
}

fn io_error(action: impl Into<String>) -> impl FnOnce(io::Error) -> WalError {
    let action = action.into();
    move |source| WalError::Io { action, source }
}

fn corrupt(file: &str, detail: impl Into<String>) -> WalError {
    WalError::Corrupt {
        file: file.to_string(),
        detail: detail.into(),
    }
}

impl Wal {
    /// Opens (or creates) the WAL in `dir`, recovering its records.
    pub fn open(dir: impl AsRef<Path>, options: WalOptions) -> Result<(Wal, Recovery), WalError> {
        let dir = dir.as_ref();
        let storage = FsStorage::open(dir).map_err(|error| match error {
            FsStorageOpenError::Locked => WalError::Locked {
                dir: dir.to_path_buf(),
            },
            FsStorageOpenError::Io(source) => WalError::Io {
                action: format!("opening the WAL directory {}", dir.display()),
                source,
            },
        })?;
        Wal::open_with_storage(Arc::new(storage), options)
    }

    /// Opens the WAL over any storage (tests use a fault-injecting one).
    pub fn open_with_storage(
        storage: Arc<dyn Storage>,
        options: WalOptions,
    ) -> Result<(Wal, Recovery), WalError> {
        if options.segment_target_bytes <= SEGMENT_HEADER_LEN as u64 {
            return Err(WalError::InvalidOptions(format!(
                "segment_target_bytes must exceed the {SEGMENT_HEADER_LEN}-byte segment header"
            )));
        }
        let (writer, recovery, next_lsn) = recover(storage.as_ref())?;
        let state = AppendState {
            next_lsn,
            durable_end_lsn: next_lsn,
            pending_frames: Vec::new(),
            pending_first_lsn: next_lsn,
            spare_frames: Vec::new(),
            leader_active: false,
            failure: None,
        };
        let wal = Wal {
            storage,
            options,
            state: Mutex::new(state),
            batch_done: Condvar::new(),
            writer: Mutex::new(writer),
            trimmed_lsn: Mutex::new(recovery.trimmed_lsn),
            stats: StatCounters::default(),
        };
        Ok((wal, recovery))
    }

    /// Appends `payloads` as consecutive records and returns their LSNs once
    /// they are durable. An empty slice returns an empty range at once.
    pub fn append(&self, payloads: &[&[u8]]) -> Result<Range<Lsn>, WalError> {
        let max_bytes = self.options.max_record_bytes;
        if let Some(payload) = payloads
            .iter()
            .find(|payload| payload.len() > max_bytes as usize)
        {
            return Err(WalError::RecordTooLarge {
                len_bytes: payload.len(),
                max_bytes,
            });
        }
        // Checksums are the costly part of encoding; compute them before
        // taking the lock so that appenders overlap.
        let payload_crcs: Vec<u32> = payloads
            .iter()
            .map(|payload| crc32c::crc32c(payload))
            .collect();
        let mut state = self.lock_state();
        if let Some(reason) = &state.failure {
            return Err(WalError::Failed {
                reason: reason.clone(),
            });
        }
        let first_lsn = state.next_lsn;
        for (payload, payload_crc) in payloads.iter().zip(payload_crcs) {
            let lsn = state.next_lsn;
            encode_record_with_payload_crc(lsn, payload, payload_crc, &mut state.pending_frames);
            state.next_lsn = lsn + 1;
        }
        let end_lsn = state.next_lsn;
        loop {
            if state.durable_end_lsn >= end_lsn {
                return Ok(first_lsn..end_lsn);
            }
            if let Some(reason) = &state.failure {
                return Err(WalError::Failed {
                    reason: reason.clone(),
                });
            }
            state = if state.leader_active {
                self.batch_done
                    .wait(state)
                    .expect("no thread panics while holding the WAL state lock")
            } else {
                self.lead_batch(state)
            };
        }
    }

    /// Writes and syncs every queued record as one batch, then wakes the
    /// waiting appenders.
    fn lead_batch<'a>(
        &'a self,
        mut state: MutexGuard<'a, AppendState>,
    ) -> MutexGuard<'a, AppendState> {
        let mut frames = std::mem::take(&mut state.spare_frames);
        std::mem::swap(&mut frames, &mut state.pending_frames);
        let batch_first_lsn = state.pending_first_lsn;
        let batch_end_lsn = state.next_lsn;
        state.pending_first_lsn = batch_end_lsn;
        state.leader_active = true;
        drop(state);

        let result = {
            let mut writer = self
                .writer
                .lock()
                .expect("no thread panics while holding the WAL writer lock");
            writer.write_batch(
                self.storage.as_ref(),
                &self.options,
                &self.stats,
                &frames,
                batch_first_lsn,
            )
        };

        let mut state = self.lock_state();
        state.leader_active = false;
        match result {
            Ok(()) => {
                state.durable_end_lsn = batch_end_lsn;
                StatCounters::add(&self.stats.records_written, batch_end_lsn - batch_first_lsn);
                StatCounters::add(&self.stats.batches_written, 1);
            }
            Err(error) => state.failure = Some(error.to_string()),
        }
        frames.clear();
        if frames.capacity() <= MAX_SPARE_BUFFER_BYTES {
            state.spare_frames = frames;
        }
        self.batch_done.notify_all();
        state
    }

    /// Records that every record up to and including `up_to_lsn` has left
    /// the log: persists the checkpoint, then deletes the segments whose
    /// records are all trimmed (never the current one). Trimming to an LSN at
    /// or below the current checkpoint does nothing.
    pub fn trim(&self, up_to_lsn: Lsn) -> Result<TrimOutcome, WalError> {
        {
            let state = self.lock_state();
            if let Some(reason) = &state.failure {
                return Err(WalError::Failed {
                    reason: reason.clone(),
                });
            }
            let last_durable_lsn = state.durable_end_lsn - 1;
            if up_to_lsn > last_durable_lsn {
                return Err(WalError::TrimBeyondDurable {
                    requested_lsn: up_to_lsn,
                    last_durable_lsn,
                });
            }
        }
        let mut trimmed_lsn = self
            .trimmed_lsn
            .lock()
            .expect("no thread panics while holding the trim lock");
        if up_to_lsn <= *trimmed_lsn {
            return Ok(TrimOutcome::default());
        }
        write_checkpoint(self.storage.as_ref(), up_to_lsn)?;
        StatCounters::add(&self.stats.dir_syncs, 1);
        *trimmed_lsn = up_to_lsn;
        let doomed = {
            let mut writer = self
                .writer
                .lock()
                .expect("no thread panics while holding the WAL writer lock");
            take_trimmed_segments(&mut writer.segments, up_to_lsn)
        };
        // Deletions need no directory sync: a segment that reappears after a
        // crash is below the checkpoint and is deleted again on open.
        for segment in &doomed {
            self.storage
                .remove(&segment.name)
                .map_err(io_error(format!(
                    "deleting trimmed segment {}",
                    segment.name
                )))?;
        }
        Ok(TrimOutcome {
            segments_deleted: doomed.len(),
        })
    }

    /// The LSN the next appended record will get.
    pub fn next_lsn(&self) -> Lsn {
        self.lock_state().next_lsn
    }

    /// The highest LSN known durable (0 if the log holds none).
    pub fn last_durable_lsn(&self) -> Lsn {
        self.lock_state().durable_end_lsn - 1
    }

    /// The LSN of the current checkpoint (0 if never trimmed).
    pub fn trimmed_lsn(&self) -> Lsn {
        *self
            .trimmed_lsn
            .lock()
            .expect("no thread panics while holding the trim lock")
    }

    /// Why the WAL failed, if it did.
    pub fn failure(&self) -> Option<String> {
        self.lock_state().failure.clone()
    }

    /// The names of the segment files, in LSN order.
    pub fn segment_names(&self) -> Vec<String> {
        let writer = self
            .writer
            .lock()
            .expect("no thread panics while holding the WAL writer lock");
        writer
            .segments
            .iter()
            .map(|segment| segment.name.clone())
            .collect()
    }

    pub fn stats(&self) -> WalStats {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        WalStats {
            records_written: load(&self.stats.records_written),
            batches_written: load(&self.stats.batches_written),
            data_syncs: load(&self.stats.data_syncs),
            dir_syncs: load(&self.stats.dir_syncs),
            segments_rolled: load(&self.stats.segments_rolled),
        }
    }

    fn lock_state(&self) -> MutexGuard<'_, AppendState> {
        self.state
            .lock()
            .expect("no thread panics while holding the WAL state lock")
    }
}

impl Writer {
    /// Writes `frames` (records from `first_lsn` on), rolling segments as
    /// needed, and syncs. On return with `Ok` every record is durable.
    fn write_batch(
        &mut self,
        storage: &dyn Storage,
        options: &WalOptions,
        stats: &StatCounters,
        frames: &[u8],
        first_lsn: Lsn,
    ) -> Result<(), WalError> {
        let mut chunk_start = 0;
        let mut position = 0;
        let mut lsn = first_lsn;
        let mut rolled = false;
        while position < frames.len() {
            let length_bytes: [u8; 4] = frames[position..position + 4]
                .try_into()
                .expect("a frame starts with a 4-byte length");
            let frame_len = FRAME_HEADER_LEN + u32::from_le_bytes(length_bytes) as usize;
            let len_before_frame = self.current_len_bytes + (position - chunk_start) as u64;
            let segment_has_records = len_before_frame > SEGMENT_HEADER_LEN as u64;
            if segment_has_records
                && len_before_frame + frame_len as u64 > options.segment_target_bytes
            {
                // The segment was synced after the previous batch; it needs
                // another sync only if this batch wrote to it.
                if position > chunk_start {
                    self.write_chunk(&frames[chunk_start..position])?;
                    self.sync_current(stats)?;
                }
                self.roll(storage, lsn)?;
                StatCounters::add(&stats.segments_rolled, 1);
                rolled = true;
                chunk_start = position;
            }
            position += frame_len;
            lsn += 1;
        }
        self.write_chunk(&frames[chunk_start..])?;
        self.sync_current(stats)?;
        if rolled {
            storage.sync_dir().map_err(io_error(
                "syncing the WAL directory after creating a segment",
            ))?;
            StatCounters::add(&stats.dir_syncs, 1);
        }
        Ok(())
    }

    fn write_chunk(&mut self, chunk: &[u8]) -> Result<(), WalError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let name = &self
            .segments
            .last()
            .expect("the writer always has a current segment")
            .name;
        self.current_file
            .write_all(chunk)
            .map_err(|source| WalError::Io {
                action: format!("writing records to {name}"),
                source,
            })?;
        self.current_len_bytes += chunk.len() as u64;
        Ok(())
    }

    fn sync_current(&mut self, stats: &StatCounters) -> Result<(), WalError> {
        let name = &self
            .segments
            .last()
            .expect("the writer always has a current segment")
            .name;
        self.current_file
            .sync_data()
            .map_err(|source| WalError::Io {
                action: format!("syncing {name}"),
                source,
            })?;
        StatCounters::add(&stats.data_syncs, 1);
        Ok(())
    }

    /// Starts a new current segment whose first record has `first_lsn`.
    fn roll(&mut self, storage: &dyn Storage, first_lsn: Lsn) -> Result<(), WalError> {
        let name = segment_name(first_lsn);
        let mut file = storage
            .create(&name)
            .map_err(io_error(format!("creating segment {name}")))?;
        file.write_all(&encode_segment_header(first_lsn))
            .map_err(io_error(format!("writing the header of segment {name}")))?;
        self.segments.push(SegmentEntry { first_lsn, name });
        self.current_file = file;
        self.current_len_bytes = SEGMENT_HEADER_LEN as u64;
        Ok(())
    }
}

/// Removes from `segments` those whose records are all at or below
/// `trimmed_lsn`, keeping the last (current) one, and returns them.
fn take_trimmed_segments(segments: &mut Vec<SegmentEntry>, trimmed_lsn: Lsn) -> Vec<SegmentEntry> {
    let mut doomed_count = 0;
    while doomed_count + 1 < segments.len()
        && segments[doomed_count + 1].first_lsn <= trimmed_lsn + 1
    {
        doomed_count += 1;
    }
    segments.drain(..doomed_count).collect()
}

/// Writes the checkpoint atomically: temporary file, sync, rename, directory
/// sync.
fn write_checkpoint(storage: &dyn Storage, trimmed_lsn: Lsn) -> Result<(), WalError> {
    let action = "writing the WAL checkpoint";
    let mut file = storage
        .create(CHECKPOINT_TEMP_FILE_NAME)
        .map_err(io_error(action))?;
    file.write_all(&encode_checkpoint(trimmed_lsn))
        .map_err(io_error(action))?;
    file.sync_data().map_err(io_error(action))?;
    drop(file);
    storage
        .rename(CHECKPOINT_TEMP_FILE_NAME, CHECKPOINT_FILE_NAME)
        .map_err(io_error(action))?;
    storage.sync_dir().map_err(io_error(action))
}

fn read_checkpoint(storage: &dyn Storage) -> Result<Lsn, WalError> {
    match storage.read(CHECKPOINT_FILE_NAME) {
        Ok(bytes) => {
            decode_checkpoint(&bytes).map_err(|detail| corrupt(CHECKPOINT_FILE_NAME, detail))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(source) => Err(WalError::Io {
            action: "reading the WAL checkpoint".to_string(),
            source,
        }),
    }
}

/// Lists the segments in LSN order and removes a leftover temporary
/// checkpoint.
fn list_segments(storage: &dyn Storage) -> Result<Vec<SegmentEntry>, WalError> {
    let names = storage
        .list()
        .map_err(io_error("listing the WAL directory"))?;
    let mut segments = Vec::new();
    for name in names {
        if name == CHECKPOINT_TEMP_FILE_NAME {
            storage
                .remove(&name)
                .map_err(io_error("removing a temporary checkpoint"))?;
        } else if let Some(first_lsn) = parse_segment_name(&name) {
            segments.push(SegmentEntry { first_lsn, name });
        }
    }
    segments.sort_by_key(|segment| segment.first_lsn);
    Ok(segments)
}

/// Reads the log: returns the writer positioned at the end of the last
/// segment, what was recovered, and the next LSN.
fn recover(storage: &dyn Storage) -> Result<(Writer, Recovery, Lsn), WalError> {
    let mut segments = list_segments(storage)?;
    let trimmed_lsn = read_checkpoint(storage)?;
    let mut recovery = Recovery {
        trimmed_lsn,
        ..Recovery::default()
    };
    // Wholly trimmed segments are neither read nor deleted yet: they go only
    // once the rest of the log proved consistent with the checkpoint.
    let doomed = take_trimmed_segments(&mut segments, trimmed_lsn);
    let Some(first_segment) = segments.first() else {
        if trimmed_lsn != 0 {
            return Err(corrupt(
                CHECKPOINT_FILE_NAME,
                "a checkpoint exists but no segment does",
            ));
        }
        let mut writer = create_first_segment(storage, 1)?;
        writer
            .current_file
            .sync_data()
            .map_err(io_error("syncing the first segment"))?;
        storage
            .sync_dir()
            .map_err(io_error("syncing the WAL directory"))?;
        return Ok((writer, recovery, 1));
    };
    if first_segment.first_lsn > trimmed_lsn + 1 {
        let detail = format!(
            "starts at LSN {} but records from LSN {} on were never trimmed",
            first_segment.first_lsn,
            trimmed_lsn + 1
        );
        return Err(corrupt(&first_segment.name, detail));
    }
    let mut expected_first_lsn = first_segment.first_lsn;
    let last_index = segments.len() - 1;
    for segment in &segments[..last_index] {
        expected_first_lsn =
            read_sealed_segment(storage, segment, expected_first_lsn, &mut recovery)?;
    }
    let last = &segments[last_index];
    let (current_file, current_len_bytes, next_lsn) =
        read_last_segment(storage, last, expected_first_lsn, &mut recovery)?;
    if next_lsn <= trimmed_lsn {
        let detail =
            format!("trims up to LSN {trimmed_lsn} but the log ends before LSN {next_lsn}");
        return Err(corrupt(CHECKPOINT_FILE_NAME, detail));
    }
    for segment in doomed {
        storage.remove(&segment.name).map_err(io_error(format!(
            "deleting trimmed segment {}",
            segment.name
        )))?;
        recovery.segments_deleted += 1;
    }
    Ok((
        Writer {
            segments,
            current_file,
            current_len_bytes,
        },
        recovery,
        next_lsn,
    ))
}

fn create_first_segment(storage: &dyn Storage, first_lsn: Lsn) -> Result<Writer, WalError> {
    let name = segment_name(first_lsn);
    let mut file = storage
        .create(&name)
        .map_err(io_error(format!("creating segment {name}")))?;
    file.write_all(&encode_segment_header(first_lsn))
        .map_err(io_error(format!("writing the header of {name}")))?;
    Ok(Writer {
        segments: vec![SegmentEntry { first_lsn, name }],
        current_file: file,
        current_len_bytes: SEGMENT_HEADER_LEN as u64,
    })
}

fn check_contiguous(segment: &SegmentEntry, expected_first_lsn: Lsn) -> Result<(), WalError> {
    if segment.first_lsn != expected_first_lsn {
        let detail = format!(
            "starts at LSN {} but the previous segment ends before LSN {expected_first_lsn}",
            segment.first_lsn
        );
        return Err(corrupt(&segment.name, detail));
    }
    Ok(())
}

/// Pushes the untrimmed records of one segment onto `recovery`; returns the
/// LSN after its last record and the decoder's verdict with the valid length.
fn read_records(
    segment: &SegmentEntry,
    bytes: &[u8],
    recovery: &mut Recovery,
) -> Result<(Lsn, DecodeEnd, usize), WalError> {
    let (header, mut decoder) =
        decode_segment(bytes).map_err(|error| corrupt(&segment.name, error.to_string()))?;
    if header.first_lsn != segment.first_lsn {
        let detail = format!(
            "its header says it starts at LSN {}, its name says {}",
            header.first_lsn, segment.first_lsn
        );
        return Err(corrupt(&segment.name, detail));
    }
    for record in decoder.by_ref() {
        if record.lsn > recovery.trimmed_lsn {
            recovery.records.push(Recovered {
                lsn: record.lsn,
                payload: record.payload.to_vec(),
            });
        }
    }
    let end = decoder.end().expect("the decoder has finished");
    Ok((decoder.next_lsn(), end, decoder.valid_len()))
}

/// Reads a segment that is not the last one: it must be intact.
fn read_sealed_segment(
    storage: &dyn Storage,
    segment: &SegmentEntry,
    expected_first_lsn: Lsn,
    recovery: &mut Recovery,
) -> Result<Lsn, WalError> {
    check_contiguous(segment, expected_first_lsn)?;
    let bytes = storage
        .read(&segment.name)
        .map_err(io_error(format!("reading segment {}", segment.name)))?;
    let (next_lsn, end, _) = read_records(segment, &bytes, recovery)?;
    if let DecodeEnd::Torn { offset, reason } = end {
        let detail = format!("{reason} at byte {offset} of a segment that is not the last one");
        return Err(corrupt(&segment.name, detail));
    }
    Ok(next_lsn)
}

/// Reads the last segment, truncating a torn tail, and opens it for
/// appending. Returns the file, its length and the next LSN.
fn read_last_segment(
    storage: &dyn Storage,
    segment: &SegmentEntry,
    expected_first_lsn: Lsn,
    recovery: &mut Recovery,
) -> Result<(Box<dyn SegmentFile>, u64, Lsn), WalError> {
    check_contiguous(segment, expected_first_lsn)?;
    let name = &segment.name;
    let bytes = storage
        .read(name)
        .map_err(io_error(format!("reading segment {name}")))?;
    let mut file = storage
        .open_append(name)
        .map_err(io_error(format!("opening segment {name}")))?;
    let header_is_torn = matches!(
        crate::format::decode_segment_header(&bytes),
        Err(HeaderError::Incomplete | HeaderError::Zeroed)
    );
    let (next_lsn, valid_len, torn_reason) = if header_is_torn {
        file.set_len(0)
            .map_err(io_error(format!("truncating segment {name}")))?;
        file.write_all(&encode_segment_header(segment.first_lsn))
            .map_err(io_error(format!("rewriting the header of {name}")))?;
        (
            segment.first_lsn,
            0,
            Some("segment header incomplete".to_string()),
        )
    } else {
        let (next_lsn, end, valid_len) = read_records(segment, &bytes, recovery)?;
        let torn_reason = match end {
            DecodeEnd::Clean => None,
            DecodeEnd::Torn { reason, .. } => {
                file.set_len(valid_len as u64)
                    .map_err(io_error(format!("truncating the torn tail of {name}")))?;
                Some(reason.to_string())
            }
        };
        (next_lsn, valid_len, torn_reason)
    };
    if let Some(reason) = torn_reason {
        recovery.torn_tail = Some(TornTail {
            segment: name.clone(),
            offset_bytes: valid_len as u64,
            discarded_bytes: (bytes.len() - valid_len) as u64,
            reason,
        });
    }
    file.sync_data()
        .map_err(io_error(format!("syncing segment {name} after recovery")))?;
    let current_len_bytes = if header_is_torn {
        SEGMENT_HEADER_LEN as u64
    } else {
        valid_len as u64
    };
    Ok((file, current_len_bytes, next_lsn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_round_trip_and_sort_like_lsns() {
        assert_eq!(segment_name(1), "wal-00000000000000000001.log");
        assert_eq!(parse_segment_name(&segment_name(u64::MAX)), Some(u64::MAX));
        assert!(segment_name(9) < segment_name(10));
        for not_a_segment in [
            "wal-1.log",
            "wal-0000000000000000000x.log",
            "wal.checkpoint",
            "wal-00000000000000000001.tmp",
        ] {
            assert_eq!(parse_segment_name(not_a_segment), None, "{not_a_segment}");
        }
    }

    #[test]
    fn wal_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Wal>();
    }

    #[test]
    fn trimmed_segments_are_those_wholly_at_or_below_the_checkpoint() {
        let entries = |firsts: &[Lsn]| -> Vec<SegmentEntry> {
            firsts
                .iter()
                .map(|&first_lsn| SegmentEntry {
                    first_lsn,
                    name: segment_name(first_lsn),
                })
                .collect()
        };
        let check = |firsts: &[Lsn], trimmed_lsn: Lsn, expected_doomed: &[Lsn]| {
            let mut segments = entries(firsts);
            let doomed: Vec<Lsn> = take_trimmed_segments(&mut segments, trimmed_lsn)
                .iter()
                .map(|s| s.first_lsn)
                .collect();
            assert_eq!(
                doomed, expected_doomed,
                "segments {firsts:?} trimmed to {trimmed_lsn}"
            );
        };
        check(&[1, 5, 9], 0, &[]);
        check(&[1, 5, 9], 3, &[]);
        check(&[1, 5, 9], 4, &[1]);
        check(&[1, 5, 9], 8, &[1, 5]);
        check(&[1, 5, 9], 100, &[1, 5]);
        check(&[1], 100, &[]);
    }
}
