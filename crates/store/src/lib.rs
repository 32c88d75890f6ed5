//! Durability for touchpoint: events live in a Delta Lake table of Parquet
//! files, partitioned by `bucket = mix(customer) % buckets` and sorted by
//! (customer, ts, event_id) inside every file, so that a reader of one bucket
//! sees whole customers in time order. The store also keeps customer traits,
//! the journey definition and the catalog of names seen. It knows nothing of
//! analyses.

mod builders;
mod catalog;
mod dedup;
mod delta;
mod error;
pub mod ingest;
mod layout;
mod traits;
mod write;

pub use builders::EventBuilders;
pub use catalog::NameCatalog;
pub use error::StoreError;
pub use layout::{DEFAULT_BUCKETS, StoreMeta, bucket_of};
pub use traits::TraitRow;
pub use write::{AppendSummary, sort_by_journey};

use model::JourneyDefinition;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One Parquet file of the events table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    pub path: PathBuf,
    pub bucket: u32,
    pub size_bytes: u64,
}

/// Options for creating a new data directory.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    pub buckets: u32,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            buckets: DEFAULT_BUCKETS,
        }
    }
}

/// An open data directory.
pub struct Store {
    dir: PathBuf,
    meta: StoreMeta,
    table: delta::EventsTable,
    names: NameCatalog,
    /// The dedup index, loaded at the first append.
    dedup: Option<dedup::DedupIndex>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("meta", &self.meta)
            .finish()
    }
}

const DEFINITION_FILE: &str = "journey.toml";

impl Store {
    /// Opens the data directory, creating it (and an empty events table)
    /// when it does not exist yet.
    pub async fn open_or_create(dir: &Path, options: &CreateOptions) -> Result<Store, StoreError> {
        if !layout::meta_path(dir).exists() {
            if options.buckets == 0 || options.buckets > 4096 {
                return Err(StoreError::Invalid(format!(
                    "buckets must be between 1 and 4096, not {}",
                    options.buckets
                )));
            }
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
            let meta = StoreMeta::new(options.buckets);
            delta::EventsTable::create(&layout::events_dir(dir)).await?;
            meta.save(dir)?;
        }
        Store::open(dir).await
    }

    /// Opens an existing data directory.
    pub async fn open(dir: &Path) -> Result<Store, StoreError> {
        let meta = StoreMeta::load(dir)?;
        let table = delta::EventsTable::open(&layout::events_dir(dir)).await?;
        let names = NameCatalog::load(dir)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            meta,
            table,
            names,
            dedup: None,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn meta(&self) -> &StoreMeta {
        &self.meta
    }

    pub fn buckets(&self) -> u32 {
        self.meta.buckets
    }

    /// Names of touchpoints and channels ever stored.
    pub fn names(&self) -> &NameCatalog {
        &self.names
    }

    /// The Delta table version, which changes with every commit.
    pub fn version(&self) -> i64 {
        self.table.version()
    }

    /// The live data files, ordered by bucket and path.
    pub fn files(&self) -> Result<Vec<DataFile>, StoreError> {
        self.table.files()
    }

    /// Files grouped by bucket (buckets without files are absent).
    pub fn files_by_bucket(&self) -> Result<BTreeMap<u32, Vec<DataFile>>, StoreError> {
        let mut grouped: BTreeMap<u32, Vec<DataFile>> = BTreeMap::new();
        for file in self.files()? {
            grouped.entry(file.bucket).or_default().push(file);
        }
        Ok(grouped)
    }

    /// The journey definition stored with the data, or the default.
    pub fn definition(&self) -> Result<JourneyDefinition, StoreError> {
        let path = self.dir.join(DEFINITION_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                JourneyDefinition::from_toml(&text).map_err(|e| StoreError::Invalid(e.to_string()))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Ok(JourneyDefinition::default())
            }
            Err(error) => Err(StoreError::io(&path, error)),
        }
    }

    /// Replaces the journey definition after validating it.
    pub fn set_definition(&self, definition: &JourneyDefinition) -> Result<(), StoreError> {
        definition
            .validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        layout::write_atomically(
            &self.dir.join(DEFINITION_FILE),
            definition.to_toml().as_bytes(),
        )
    }

    /// Appends events given as Arrow batches in [`model::event_schema`].
    /// Events whose id is already stored (or repeated in the input) are
    /// skipped, checked against the persisted dedup index. Files are written
    /// first and committed in one Delta commit, so a failure leaves the table
    /// as it was.
    pub async fn append(
        &mut self,
        batches: &[arrow::record_batch::RecordBatch],
    ) -> Result<AppendSummary, StoreError> {
        let index = match self.dedup.take() {
            Some(index) => index,
            None => dedup::DedupIndex::open(self, dedup::PROJECT)?.0,
        };
        let is_stored = |id: &str| index.hashes.contains(&dedup::id_hash(dedup::PROJECT, id));
        let prepared = write::prepare(batches, self.meta.buckets, &is_stored)?;
        let mut added_hashes = Vec::with_capacity(prepared.added as usize);
        for batch in prepared.buckets.values() {
            let ids = batch
                .column_by_name(model::columns::EVENT_ID)
                .expect("prepared batches have the event schema");
            let ids = arrow::array::AsArray::as_string::<i32>(ids);
            added_hashes.extend(
                ids.iter()
                    .flatten()
                    .map(|id| dedup::id_hash(dedup::PROJECT, id)),
            );
        }
        let written = write::write_files(&layout::events_dir(&self.dir), prepared.buckets)?;
        if !written.is_empty() {
            self.table.commit_adds(&written).await?;
        }
        let mut index = index;
        index.append(&added_hashes, self.version())?;
        index.hashes.extend(added_hashes);
        self.dedup = Some(index);
        self.names.extend(&prepared.names);
        self.names.save(&self.dir)?;
        Ok(AppendSummary {
            added: prepared.added,
            duplicates: prepared.duplicates,
            files: written.len(),
        })
    }

    /// Appends events that are known to be new (the ingest path dedups them
    /// against its index first; repeats inside `batches` are still dropped)
    /// in one commit that records `version` under the application id
    /// `app_id`, so that a replay after a crash can tell what is stored.
    pub async fn append_logged(
        &mut self,
        batches: &[arrow::record_batch::RecordBatch],
        app_id: &str,
        version: i64,
    ) -> Result<AppendSummary, StoreError> {
        let prepared = write::prepare(batches, self.meta.buckets, &|_| false)?;
        let written = write::write_files(&layout::events_dir(&self.dir), prepared.buckets)?;
        self.table.commit_logged(&written, app_id, version).await?;
        self.names.extend(&prepared.names);
        self.names.save(&self.dir)?;
        Ok(AppendSummary {
            added: prepared.added,
            duplicates: prepared.duplicates,
            files: written.len(),
        })
    }

    /// The last version an application recorded with its commits.
    pub async fn transaction_version(&self, app_id: &str) -> Result<Option<i64>, StoreError> {
        self.table.transaction_version(app_id).await
    }

    /// Rewrites every bucket that has more than one file into one sorted
    /// file, in one Delta commit (old files are removed, not deleted, until
    /// a vacuum).
    pub async fn compact(&mut self) -> Result<CompactSummary, StoreError> {
        let mut removed = Vec::new();
        let mut added = Vec::new();
        for (bucket, files) in self.files_by_bucket()? {
            if files.len() < 2 {
                continue;
            }
            let merged = write::merge_files(&files)?;
            let mut buckets = BTreeMap::new();
            buckets.insert(bucket, merged);
            added.extend(write::write_files(&layout::events_dir(&self.dir), buckets)?);
            removed.extend(files);
        }
        if !added.is_empty() {
            self.table.commit_rewrite(&added, &removed).await?;
        }
        Ok(CompactSummary {
            files_removed: removed.len(),
            files_added: added.len(),
        })
    }

    /// Customer traits, newest value per (customer, trait).
    pub fn traits(&self) -> Result<HashMap<u64, model::Traits>, StoreError> {
        traits::load(&self.dir)
    }

    /// Merges trait rows into the stored traits (a newer `updated_at_us`
    /// wins; equal times keep the incoming value).
    pub fn merge_traits(&self, rows: Vec<TraitRow>) -> Result<usize, StoreError> {
        traits::merge(&self.dir, rows)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactSummary {
    pub files_removed: usize,
    pub files_added: usize,
}
