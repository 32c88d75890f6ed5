//! The events table as a Delta Lake table: creation with the `bucket`
//! partition column, atomic commits of written files, and the list of live
//! files. Data files are written by `write.rs`; this module only speaks the
//! Delta log.

use crate::DataFile;
use crate::error::StoreError;
use deltalake::DeltaTable;
use deltalake::kernel::transaction::CommitBuilder;
use deltalake::kernel::{Action, Add, DataType, Remove, StructField, Transaction};
use deltalake::protocol::{DeltaOperation, SaveMode};
use model::columns;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub struct EventsTable {
    table: DeltaTable,
    root: PathBuf,
}

/// A file that `write.rs` has written and the log should add.
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// Path relative to the table root, `/`-separated.
    pub relative_path: String,
    pub bucket: u32,
    pub size_bytes: u64,
    pub rows: u64,
}

fn table_url(root: &Path) -> Result<url::Url, StoreError> {
    let absolute = std::path::absolute(root).map_err(|e| StoreError::io(root, e))?;
    url::Url::from_directory_path(&absolute).map_err(|()| {
        StoreError::Invalid(format!("{} cannot be a table location", absolute.display()))
    })
}

fn delta_columns() -> Vec<StructField> {
    use columns::*;
    let column = |name: &str, data_type: DataType, nullable: bool| {
        StructField::new(name, data_type, nullable)
    };
    let mut fields = vec![
        column(EVENT_ID, DataType::STRING, false),
        column(TS, DataType::TIMESTAMP, false),
        column(RECEIVED_AT, DataType::TIMESTAMP, false),
        column(CUSTOMER, DataType::LONG, false),
        column(DISTINCT_ID, DataType::STRING, false),
        column(TOUCHPOINT, DataType::STRING, false),
        column(CHANNEL, DataType::STRING, false),
    ];
    for name in [STAGE, CHANNEL_KIND, AGENT, TEXT] {
        fields.push(column(name, DataType::STRING, true));
    }
    fields.push(column(SENTIMENT, DataType::FLOAT, true));
    fields.push(column(RATING, DataType::FLOAT, true));
    fields.push(column(RATING_SCALE, DataType::STRING, true));
    fields.push(column(EMOTION, DataType::FLOAT, true));
    fields.push(column(VALUE, DataType::DOUBLE, true));
    fields.push(column(WAIT_S, DataType::FLOAT, true));
    fields.push(column(HANDLE_S, DataType::FLOAT, true));
    fields.push(column(RESOLVED, DataType::BOOLEAN, true));
    fields.push(column(ABANDONED, DataType::BOOLEAN, true));
    fields.push(column(PROPERTIES, DataType::STRING, true));
    fields.push(column(BUCKET, DataType::INTEGER, false));
    fields
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl EventsTable {
    pub async fn create(root: &Path) -> Result<(), StoreError> {
        std::fs::create_dir_all(root).map_err(|e| StoreError::io(root, e))?;
        let table = DeltaTable::try_from_url(table_url(root)?).await?;
        table
            .create()
            .with_table_name("events")
            .with_comment("touchpoint events, one bucket of customers per partition, files sorted by (customer, ts, event_id)")
            .with_columns(delta_columns())
            .with_partition_columns([columns::BUCKET])
            .with_save_mode(SaveMode::ErrorIfExists)
            .await?;
        Ok(())
    }

    pub async fn open(root: &Path) -> Result<EventsTable, StoreError> {
        let mut table = DeltaTable::try_from_url(table_url(root)?).await?;
        table.load().await?;
        Ok(EventsTable {
            table,
            root: root.to_path_buf(),
        })
    }

    pub fn version(&self) -> i64 {
        self.table.version().map_or(-1, |v| v as i64)
    }

    pub fn files(&self) -> Result<Vec<DataFile>, StoreError> {
        let snapshot = self.table.snapshot()?;
        let mut files = Vec::new();
        for file in snapshot.log_data().iter() {
            let relative = file.path().to_string();
            let bucket = bucket_from_path(&relative).ok_or_else(|| {
                StoreError::Invalid(format!("data file {relative} has no bucket=N directory"))
            })?;
            files.push(DataFile {
                path: self.root.join(&relative),
                bucket,
                size_bytes: file.size().max(0) as u64,
            });
        }
        files.sort_by(|a, b| (a.bucket, &a.path).cmp(&(b.bucket, &b.path)));
        Ok(files)
    }

    pub async fn commit_adds(&mut self, written: &[WrittenFile]) -> Result<(), StoreError> {
        let actions = written
            .iter()
            .map(|file| Action::Add(add_action(file, true)))
            .collect();
        let operation = DeltaOperation::Write {
            mode: SaveMode::Append,
            partition_by: Some(vec![columns::BUCKET.to_string()]),
            predicate: None,
        };
        self.commit(actions, operation).await
    }

    /// Adds files together with an application transaction (`txn`) action,
    /// atomically: the version says how far the application's log is stored.
    pub async fn commit_logged(
        &mut self,
        written: &[WrittenFile],
        app_id: &str,
        version: i64,
    ) -> Result<(), StoreError> {
        let mut actions: Vec<Action> = written
            .iter()
            .map(|file| Action::Add(add_action(file, true)))
            .collect();
        actions.push(Action::Txn(Transaction::new_with_last_update(
            app_id,
            version,
            Some(now_ms()),
        )));
        let operation = DeltaOperation::Write {
            mode: SaveMode::Append,
            partition_by: Some(vec![columns::BUCKET.to_string()]),
            predicate: None,
        };
        self.commit(actions, operation).await
    }

    pub async fn transaction_version(&self, app_id: &str) -> Result<Option<i64>, StoreError> {
        let snapshot = self.table.snapshot()?;
        Ok(snapshot
            .transaction_version(self.table.log_store().as_ref(), app_id)
            .await?)
    }

    /// Replaces files by files with the same rows (compaction): data_change
    /// is false so that streaming readers of the log skip the rewrite.
    pub async fn commit_rewrite(
        &mut self,
        added: &[WrittenFile],
        removed: &[DataFile],
    ) -> Result<(), StoreError> {
        let mut actions: Vec<Action> = added
            .iter()
            .map(|file| Action::Add(add_action(file, false)))
            .collect();
        let deletion_timestamp = now_ms();
        for file in removed {
            let relative = file.path.strip_prefix(&self.root).map_err(|_| {
                StoreError::Invalid(format!("{} is outside the table", file.path.display()))
            })?;
            let relative = relative.to_string_lossy().replace('\\', "/");
            actions.push(Action::Remove(Remove {
                path: relative,
                data_change: false,
                deletion_timestamp: Some(deletion_timestamp),
                extended_file_metadata: Some(true),
                partition_values: Some(partition_values(file.bucket)),
                size: Some(file.size_bytes as i64),
                tags: None,
                deletion_vector: None,
                base_row_id: None,
                default_row_commit_version: None,
            }));
        }
        self.commit(
            actions,
            DeltaOperation::Optimize {
                predicate: None,
                target_size: 0,
            },
        )
        .await
    }

    async fn commit(
        &mut self,
        actions: Vec<Action>,
        operation: DeltaOperation,
    ) -> Result<(), StoreError> {
        let snapshot = self.table.snapshot()?;
        CommitBuilder::default()
            .with_actions(actions)
            .build(Some(snapshot), self.table.log_store(), operation)
            .await?;
        self.table.update_state().await?;
        Ok(())
    }
}

fn partition_values(bucket: u32) -> HashMap<String, Option<String>> {
    HashMap::from([(columns::BUCKET.to_string(), Some(bucket.to_string()))])
}

fn add_action(file: &WrittenFile, data_change: bool) -> Add {
    Add {
        path: file.relative_path.clone(),
        partition_values: partition_values(file.bucket),
        size: file.size_bytes as i64,
        modification_time: now_ms(),
        data_change,
        stats: Some(format!("{{\"numRecords\":{}}}", file.rows)),
        tags: None,
        deletion_vector: None,
        base_row_id: None,
        default_row_commit_version: None,
        clustering_provider: None,
    }
}

/// The bucket of a data file from its `bucket=N/` directory.
pub fn bucket_from_path(relative: &str) -> Option<u32> {
    relative
        .split('/')
        .find_map(|part| part.strip_prefix("bucket=")?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_from_partition_directory() {
        assert_eq!(bucket_from_path("bucket=7/part-1.parquet"), Some(7));
        assert_eq!(bucket_from_path("bucket=12/x/part.parquet"), Some(12));
        assert_eq!(bucket_from_path("part.parquet"), None);
        assert_eq!(bucket_from_path("bucket=x/part.parquet"), None);
    }
}
