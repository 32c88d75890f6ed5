//! The names of touchpoints and channels ever stored, kept beside the table
//! so that an analysis can intern every name before it reads a row.

use crate::error::StoreError;
use crate::layout::write_atomically;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const CATALOG_FILE: &str = "names.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameCatalog {
    /// Touchpoint → the channel it was first seen on.
    pub touchpoints: BTreeMap<String, String>,
    /// Channel → events seen (a hint for ordering, not an exact count).
    pub channels: BTreeMap<String, u64>,
}

impl NameCatalog {
    pub fn load(dir: &Path) -> Result<NameCatalog, StoreError> {
        let path = dir.join(CATALOG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display()))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Ok(NameCatalog::default())
            }
            Err(error) => Err(StoreError::io(&path, error)),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), StoreError> {
        let text = serde_json::to_string_pretty(self).expect("catalog serialises");
        write_atomically(&dir.join(CATALOG_FILE), text.as_bytes())
    }

    pub fn extend(&mut self, other: &NameCatalog) {
        for (touchpoint, channel) in &other.touchpoints {
            self.touchpoints
                .entry(touchpoint.clone())
                .or_insert_with(|| channel.clone());
        }
        for (channel, count) in &other.channels {
            *self.channels.entry(channel.clone()).or_default() += count;
        }
    }
}
