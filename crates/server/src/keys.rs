//! API keys: write keys (ingest only, safe to ship in a browser) and secret
//! read and admin keys (queries; admin also links, identity and erasure).
//! Only SHA-256 hashes are stored, in `keys.json` of the data directory; the
//! file is re-read when it changes so that `touchpoint keys` works while the
//! server runs.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// Ingestion endpoints only.
    Write,
    /// Query endpoints.
    Read,
    /// Query endpoints plus administration (links, identity, erasure).
    Admin,
}

impl KeyKind {
    pub fn parse(text: &str) -> Option<KeyKind> {
        match text {
            "write" => Some(KeyKind::Write),
            "read" => Some(KeyKind::Read),
            "admin" => Some(KeyKind::Admin),
            _ => None,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            KeyKind::Write => "tp_write_",
            KeyKind::Read => "tp_read_",
            KeyKind::Admin => "tp_admin_",
        }
    }
}

/// One stored key: its hash, never the key itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub id: String,
    pub kind: KeyKind,
    pub name: String,
    pub sha256: String,
    pub created_at: String,
    pub revoked: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a key file: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("no key with id {0:?}")]
    Unknown(String),
}

fn hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Default)]
struct Loaded {
    modified: Option<SystemTime>,
    records: Vec<KeyRecord>,
}

/// The key file of one data directory.
#[derive(Debug)]
pub struct KeyStore {
    path: PathBuf,
    loaded: Mutex<Loaded>,
}

impl KeyStore {
    pub fn open(data_dir: &Path) -> KeyStore {
        KeyStore {
            path: data_dir.join("keys.json"),
            loaded: Mutex::new(Loaded::default()),
        }
    }

    fn read(&self) -> Result<Vec<KeyRecord>, KeyError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| KeyError::Corrupt {
                path: self.path.clone(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(KeyError::Io {
                path: self.path.clone(),
                source,
            }),
        }
    }

    fn write(&self, records: &[KeyRecord]) -> Result<(), KeyError> {
        let io = |source| KeyError::Io {
            path: self.path.clone(),
            source,
        };
        let temporary = self.path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(records).expect("key records serialise");
        std::fs::write(&temporary, bytes).map_err(io)?;
        std::fs::File::open(&temporary)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        std::fs::rename(&temporary, &self.path).map_err(io)?;
        Ok(())
    }

    /// Creates a key and returns it with its record; the key is shown once.
    pub fn create(
        &self,
        kind: KeyKind,
        name: &str,
        created_at: String,
    ) -> Result<(String, KeyRecord), KeyError> {
        let mut secret = [0u8; 24];
        rand::rng().fill_bytes(&mut secret);
        let body: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!("{}{body}", kind.prefix());
        let record = KeyRecord {
            id: body[..8].to_string(),
            kind,
            name: name.to_string(),
            sha256: hash(&key),
            created_at,
            revoked: false,
        };
        let mut records = self.read()?;
        records.push(record.clone());
        self.write(&records)?;
        Ok((key, record))
    }

    pub fn list(&self) -> Result<Vec<KeyRecord>, KeyError> {
        self.read()
    }

    pub fn revoke(&self, id: &str) -> Result<KeyRecord, KeyError> {
        let mut records = self.read()?;
        let record = records
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| KeyError::Unknown(id.to_string()))?;
        record.revoked = true;
        let revoked = record.clone();
        self.write(&records)?;
        Ok(revoked)
    }

    /// The kind of a presented key, if it is known and not revoked.
    pub fn check(&self, key: &str) -> Result<Option<KeyKind>, KeyError> {
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        let mut loaded = self.loaded.lock().expect("key cache lock is not poisoned");
        if loaded.modified != modified || modified.is_none() {
            loaded.records = self.read()?;
            loaded.modified = modified;
        }
        let digest = hash(key);
        Ok(loaded
            .records
            .iter()
            .find(|r| !r.revoked && r.sha256 == digest)
            .map(|r| r.kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_check_revoke() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let keys = KeyStore::open(dir.path());
        let (write, _) = keys
            .create(KeyKind::Write, "web", "2026-01-01".into())
            .expect("created");
        let (read, record) = keys
            .create(KeyKind::Read, "dash", "2026-01-01".into())
            .expect("created");
        assert!(write.starts_with("tp_write_"));
        assert_eq!(keys.check(&write).expect("checked"), Some(KeyKind::Write));
        assert_eq!(keys.check(&read).expect("checked"), Some(KeyKind::Read));
        assert_eq!(keys.check("tp_read_nope").expect("checked"), None);
        let stored = std::fs::read_to_string(dir.path().join("keys.json")).expect("file");
        assert!(!stored.contains(&read), "the key itself is never stored");
        keys.revoke(&record.id).expect("revoked");
        assert_eq!(keys.check(&read).expect("checked"), None);
        assert!(keys.revoke("missing").is_err());
    }
}
