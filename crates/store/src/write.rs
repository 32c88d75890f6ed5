//! Turning incoming event batches into bucket files: route rows to buckets,
//! drop duplicate event ids, sort each bucket by (customer, ts, event_id)
//! and write one Parquet file per bucket, buckets in parallel.

use crate::catalog::NameCatalog;
use crate::delta::WrittenFile;
use crate::error::StoreError;
use crate::layout::bucket_of;
use arrow::array::{AsArray, RecordBatch, UInt32Array};
use arrow::compute::{SortColumn, concat_batches, lexsort_to_indices, take_record_batch};
use arrow::datatypes::Int64Type;
use model::columns;
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// What an append stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppendSummary {
    pub added: u64,
    /// Events skipped because their id was stored already or repeated.
    pub duplicates: u64,
    pub files: usize,
}

pub struct Prepared {
    pub buckets: BTreeMap<u32, RecordBatch>,
    pub added: u64,
    pub duplicates: u64,
    pub names: NameCatalog,
}

fn check_schema(batch: &RecordBatch) -> Result<(), StoreError> {
    let expected = model::event_schema();
    let actual = batch.schema();
    if actual.fields().len() != expected.fields().len()
        || actual.fields().iter().zip(expected.fields()).any(|(a, e)| {
            a.name() != e.name()
                || a.data_type() != e.data_type()
                || (a.is_nullable() && !e.is_nullable())
        })
    {
        return Err(StoreError::Invalid(format!(
            "event batch does not have the event schema: got {actual:?}"
        )));
    }
    Ok(())
}

fn customers(batch: &RecordBatch) -> &arrow::array::PrimitiveArray<Int64Type> {
    batch
        .column_by_name(columns::CUSTOMER)
        .expect("schema checked: customer column")
        .as_primitive::<Int64Type>()
}

/// Routes, dedups and sorts the rows of `batches` into one batch per bucket.
pub fn prepare(
    batches: &[RecordBatch],
    buckets: u32,
    is_stored: &dyn Fn(&str) -> bool,
) -> Result<Prepared, StoreError> {
    let mut per_bucket: BTreeMap<u32, Vec<RecordBatch>> = BTreeMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut prepared = Prepared {
        buckets: BTreeMap::new(),
        added: 0,
        duplicates: 0,
        names: NameCatalog::default(),
    };
    for batch in batches {
        check_schema(batch)?;
        let ids = batch
            .column_by_name(columns::EVENT_ID)
            .expect("schema checked")
            .as_string::<i32>();
        let mut rows: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (row, customer) in customers(batch).values().iter().enumerate() {
            let bucket = bucket_of(*customer as u64, buckets);
            let id = ids.value(row);
            let stored = is_stored(id);
            if stored || !seen.insert(id) {
                prepared.duplicates += 1;
                continue;
            }
            rows.entry(bucket).or_default().push(row as u32);
        }
        for (bucket, indices) in rows {
            prepared.added += indices.len() as u64;
            let taken = take_record_batch(batch, &UInt32Array::from(indices))?;
            per_bucket.entry(bucket).or_default().push(taken);
        }
        record_names(batch, &mut prepared.names);
    }
    for (bucket, parts) in per_bucket {
        let combined = concat_batches(&model::event_schema(), &parts)?;
        prepared.buckets.insert(bucket, sort_by_journey(&combined)?);
    }
    Ok(prepared)
}

fn record_names(batch: &RecordBatch, names: &mut NameCatalog) {
    let touchpoints = batch
        .column_by_name(columns::TOUCHPOINT)
        .expect("schema checked")
        .as_string::<i32>();
    let channels = batch
        .column_by_name(columns::CHANNEL)
        .expect("schema checked")
        .as_string::<i32>();
    for row in 0..batch.num_rows() {
        let channel = channels.value(row);
        if !names.touchpoints.contains_key(touchpoints.value(row)) {
            names
                .touchpoints
                .insert(touchpoints.value(row).to_string(), channel.to_string());
        }
        match names.channels.get_mut(channel) {
            Some(count) => *count += 1,
            None => {
                names.channels.insert(channel.to_string(), 1);
            }
        }
    }
}

/// Sorts a batch by (customer, ts, event_id): the order of journeys.
pub fn sort_by_journey(batch: &RecordBatch) -> Result<RecordBatch, StoreError> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .expect("journey sort columns present")
            .clone()
    };
    let sort_columns = [columns::CUSTOMER, columns::TS, columns::EVENT_ID].map(|name| SortColumn {
        values: column(name),
        options: None,
    });
    let indices = lexsort_to_indices(&sort_columns, None)?;
    Ok(take_record_batch(batch, &indices)?)
}

static FILE_COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_file_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let counter = FILE_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "part-{nanos:032x}-{:08x}-{counter:06}.parquet",
        std::process::id()
    )
}

fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1 << 20))
        .set_sorting_columns(Some(vec![
            parquet::file::metadata::SortingColumn {
                column_idx: 3,
                descending: false,
                nulls_first: false,
            },
            parquet::file::metadata::SortingColumn {
                column_idx: 1,
                descending: false,
                nulls_first: false,
            },
            parquet::file::metadata::SortingColumn {
                column_idx: 0,
                descending: false,
                nulls_first: false,
            },
        ]))
        .build()
}

fn write_one(
    events_dir: &Path,
    bucket: u32,
    batch: &RecordBatch,
) -> Result<WrittenFile, StoreError> {
    let relative_path = format!("{}={bucket}/{}", columns::BUCKET, unique_file_name());
    let path = events_dir.join(&relative_path);
    let directory = path.parent().expect("file has a bucket directory");
    std::fs::create_dir_all(directory).map_err(|e| StoreError::io(directory, e))?;
    let file = std::fs::File::create(&path).map_err(|e| StoreError::io(&path, e))?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(writer_properties()))?;
    writer.write(batch)?;
    let file = writer.into_inner()?;
    file.sync_all().map_err(|e| StoreError::io(&path, e))?;
    let size_bytes = file.metadata().map_err(|e| StoreError::io(&path, e))?.len();
    Ok(WrittenFile {
        relative_path,
        bucket,
        size_bytes,
        rows: batch.num_rows() as u64,
    })
}

/// Writes one file per bucket, spreading buckets over the machine's cores.
pub fn write_files(
    events_dir: &Path,
    buckets: BTreeMap<u32, RecordBatch>,
) -> Result<Vec<WrittenFile>, StoreError> {
    let work: Vec<(u32, RecordBatch)> = buckets
        .into_iter()
        .filter(|(_, b)| b.num_rows() > 0)
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(work.len().max(1));
    let next = AtomicU64::new(0);
    let results: Vec<Result<Vec<WrittenFile>, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut written = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed) as usize;
                        let Some((bucket, batch)) = work.get(index) else {
                            break;
                        };
                        written.push(write_one(events_dir, *bucket, batch)?);
                    }
                    Ok(written)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("writer thread does not panic"))
            .collect()
    });
    let mut written = Vec::new();
    for result in results {
        written.extend(result?);
    }
    written.sort_by_key(|file| file.bucket);
    Ok(written)
}

fn read_file(path: &Path, columns_wanted: Option<&[&str]>) -> Result<Vec<RecordBatch>, StoreError> {
    let file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(file)?.with_batch_size(64 * 1024);
    if let Some(wanted) = columns_wanted {
        let schema = builder.parquet_schema();
        let indices: Vec<usize> = wanted
            .iter()
            .filter_map(|name| schema.columns().iter().position(|c| c.name() == *name))
            .collect();
        let mask = ProjectionMask::roots(schema, indices);
        builder = builder.with_projection(mask);
    }
    let reader = builder.build()?;
    Ok(reader.collect::<Result<Vec<_>, _>>()?)
}

/// Every event id stored in the given files.
/// Calls `each` with every stored event id of the files.
pub fn for_each_event_id(
    files: &[crate::DataFile],
    each: &mut dyn FnMut(&str),
) -> Result<(), StoreError> {
    for file in files {
        for batch in read_file(&file.path, Some(&[columns::EVENT_ID]))? {
            let column = batch.column(0).as_string::<i32>();
            column.iter().flatten().for_each(&mut *each);
        }
    }
    Ok(())
}

/// All rows of a bucket's files, in journey order.
pub fn merge_files(files: &[crate::DataFile]) -> Result<RecordBatch, StoreError> {
    let mut batches = Vec::new();
    for file in files {
        batches.extend(read_file(&file.path, None)?);
    }
    let combined = concat_batches(&model::event_schema(), &batches)?;
    sort_by_journey(&combined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_differ() {
        assert_ne!(unique_file_name(), unique_file_name());
    }
}
