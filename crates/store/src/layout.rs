//! Where things live in a data directory, the bucket function and the
//! directory's metadata file.

use crate::error::StoreError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const DEFAULT_BUCKETS: u32 = 16;
const META_FILE: &str = "touchpoint.json";

/// The bucket of a customer key. The key is already a hash of an identity,
/// but keys may also be small integers from an import, so it is mixed again
/// (the SplitMix64 finaliser) before the modulo.
pub fn bucket_of(customer: u64, buckets: u32) -> u32 {
    let mut x = customer;
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x % u64::from(buckets)) as u32
}

pub fn meta_path(dir: &Path) -> PathBuf {
    dir.join(META_FILE)
}

pub fn events_dir(dir: &Path) -> PathBuf {
    dir.join("events")
}

/// The data directory's own metadata, written once at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreMeta {
    pub format_version: u32,
    pub buckets: u32,
}

impl StoreMeta {
    pub fn new(buckets: u32) -> StoreMeta {
        StoreMeta {
            format_version: model::FORMAT_VERSION,
            buckets,
        }
    }

    pub fn load(dir: &Path) -> Result<StoreMeta, StoreError> {
        let path = meta_path(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotADataDir(dir.to_path_buf()));
            }
            Err(error) => return Err(StoreError::io(&path, error)),
        };
        let meta: StoreMeta = serde_json::from_str(&text)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display())))?;
        if meta.format_version != model::FORMAT_VERSION {
            return Err(StoreError::UnsupportedFormat {
                found: meta.format_version,
                supported: model::FORMAT_VERSION,
            });
        }
        if meta.buckets == 0 {
            return Err(StoreError::Invalid(format!(
                "{}: buckets must be positive",
                path.display()
            )));
        }
        Ok(meta)
    }

    pub fn save(&self, dir: &Path) -> Result<(), StoreError> {
        let text = serde_json::to_string_pretty(self).expect("metadata serialises");
        write_atomically(&meta_path(dir), text.as_bytes())
    }
}

/// Writes a small file so that readers see the old or the new content,
/// never a torn one: write a temporary sibling, fsync, rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    let temporary = path.with_extension("tmp");
    let mut file = std::fs::File::create(&temporary).map_err(|e| StoreError::io(&temporary, e))?;
    file.write_all(bytes)
        .map_err(|e| StoreError::io(&temporary, e))?;
    file.sync_all().map_err(|e| StoreError::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| StoreError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_spread_small_keys() {
        let mut counts = [0u32; 8];
        for customer in 0..8000u64 {
            counts[bucket_of(customer, 8) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(bucket_of(42, 1), 0);
    }
}
