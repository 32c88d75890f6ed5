//! The persisted dedup index: 128-bit hashes (xxh3) of (project, event id)
//! of every stored event, with the table version they cover, so that an
//! append or an ingest call can tell a stored event id without reading the
//! table. A file whose version does not match the table (a crash between a
//! commit and the index update, or an older data directory) is rebuilt from
//! the table's event ids.

use crate::Store;
use crate::error::StoreError;
use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const INDEX_FILE: &str = "dedup.idx";
const INDEX_MAGIC: &[u8; 8] = b"TPDEDUP1";

/// The project of a data directory: one directory holds one project.
pub const PROJECT: &str = "default";

pub fn id_hash(project: &str, event_id: &str) -> u128 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(project.as_bytes());
    hasher.update(&[0]);
    hasher.update(event_id.as_bytes());
    hasher.digest128()
}

/// The persisted set of stored event-id hashes.
pub struct DedupIndex {
    path: PathBuf,
    pub hashes: HashSet<u128>,
}

impl DedupIndex {
    /// Loads the index if it covers `table_version`; otherwise rebuilds it
    /// from the table's event ids.
    pub fn open(store: &Store, project: &str) -> Result<(DedupIndex, bool), StoreError> {
        let path = store.dir().join(INDEX_FILE);
        let table_version = store.version();
        if let Some(hashes) = Self::read(&path, table_version)? {
            return Ok((DedupIndex { path, hashes }, false));
        }
        let files = store.files()?;
        let mut hashes = HashSet::new();
        crate::write::for_each_event_id(&files, &mut |id| {
            hashes.insert(id_hash(project, id));
        })?;
        let index = DedupIndex { path, hashes };
        index.rewrite(table_version)?;
        Ok((index, true))
    }

    fn read(path: &Path, table_version: i64) -> Result<Option<HashSet<u128>>, StoreError> {
        let mut bytes = Vec::new();
        match std::fs::File::open(path) {
            Ok(mut file) => file
                .read_to_end(&mut bytes)
                .map_err(|e| StoreError::io(path, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(path, e)),
        };
        if bytes.len() < 16 || &bytes[..8] != INDEX_MAGIC {
            return Ok(None);
        }
        let covered = i64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
        if covered != table_version {
            return Ok(None);
        }
        let body = &bytes[16..];
        // A torn append leaves a partial hash at the end: ignore it; the
        // version check above already proved the full entries are current.
        Ok(Some(
            body.chunks_exact(16)
                .map(|c| u128::from_le_bytes(c.try_into().expect("16 bytes")))
                .collect(),
        ))
    }

    fn rewrite(&self, table_version: i64) -> Result<(), StoreError> {
        let mut bytes = Vec::with_capacity(16 + self.hashes.len() * 16);
        bytes.extend_from_slice(INDEX_MAGIC);
        bytes.extend_from_slice(&table_version.to_le_bytes());
        for hash in &self.hashes {
            bytes.extend_from_slice(&hash.to_le_bytes());
        }
        crate::layout::write_atomically(&self.path, &bytes)
    }

    /// Appends hashes and then records the table version they bring the
    /// index to, both synced. A crash in between leaves a version that does
    /// not match the table, which forces a rebuild on open.
    pub fn append(&self, added: &[u128], table_version: i64) -> Result<(), StoreError> {
        let io = |e| StoreError::io(&self.path, e);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)
            .map_err(io)?;
        let length = file.seek(SeekFrom::End(0)).map_err(io)?;
        let whole = 16 + (length.saturating_sub(16) / 16) * 16;
        file.set_len(whole).map_err(io)?;
        file.seek(SeekFrom::Start(whole)).map_err(io)?;
        let mut bytes = Vec::with_capacity(added.len() * 16);
        for hash in added {
            bytes.extend_from_slice(&hash.to_le_bytes());
        }
        file.write_all(&bytes).map_err(io)?;
        file.sync_data().map_err(io)?;
        file.seek(SeekFrom::Start(8)).map_err(io)?;
        file.write_all(&table_version.to_le_bytes()).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(())
    }
}
