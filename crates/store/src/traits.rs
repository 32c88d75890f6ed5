//! Customer traits in one Parquet file (`traits.parquet`, long format:
//! customer, trait, value, updated_at), rewritten atomically on each merge.
//! Traits are small next to events (one row per customer and trait), so a
//! whole-file rewrite is simpler than a table and costs little.

use crate::error::StoreError;
use arrow::array::{Array, AsArray, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Int64Type, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

const TRAITS_FILE: &str = "traits.parquet";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraitRow {
    pub customer: u64,
    pub name: String,
    pub value: String,
    pub updated_at_us: i64,
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("customer", DataType::Int64, false),
        Field::new("trait", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
        Field::new("updated_at_us", DataType::Int64, false),
    ]))
}

fn read_rows(dir: &Path) -> Result<Vec<TraitRow>, StoreError> {
    let path = dir.join(TRAITS_FILE);
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(StoreError::io(&path, error)),
    };
    let mut rows = Vec::new();
    for batch in ParquetRecordBatchReaderBuilder::try_new(file)?.build()? {
        let batch = batch?;
        let customers = batch.column(0).as_primitive::<Int64Type>();
        let names = batch.column(1).as_string::<i32>();
        let values = batch.column(2).as_string::<i32>();
        let times = batch.column(3).as_primitive::<Int64Type>();
        for row in 0..batch.num_rows() {
            rows.push(TraitRow {
                customer: customers.value(row) as u64,
                name: names.value(row).to_string(),
                value: values.value(row).to_string(),
                updated_at_us: times.value(row),
            });
        }
    }
    Ok(rows)
}

pub fn load(dir: &Path) -> Result<HashMap<u64, model::Traits>, StoreError> {
    let mut traits: HashMap<u64, model::Traits> = HashMap::new();
    for row in read_rows(dir)? {
        traits
            .entry(row.customer)
            .or_default()
            .insert(row.name, row.value);
    }
    Ok(traits)
}

/// Merges rows into the stored traits; returns the number of (customer,
/// trait) pairs stored afterwards.
pub fn merge(dir: &Path, incoming: Vec<TraitRow>) -> Result<usize, StoreError> {
    let mut latest: BTreeMap<(u64, String), (String, i64)> = BTreeMap::new();
    let stored = read_rows(dir)?;
    for (is_incoming, row) in stored
        .into_iter()
        .map(|r| (false, r))
        .chain(incoming.into_iter().map(|r| (true, r)))
    {
        let key = (row.customer, row.name);
        let replace = match latest.get(&key) {
            None => true,
            Some((_, time)) => {
                row.updated_at_us > *time || (is_incoming && row.updated_at_us == *time)
            }
        };
        if replace {
            latest.insert(key, (row.value, row.updated_at_us));
        }
    }
    let count = latest.len();
    let customers = Int64Array::from_iter_values(latest.keys().map(|(c, _)| *c as i64));
    let names = StringArray::from_iter_values(latest.keys().map(|(_, n)| n.as_str()));
    let values = StringArray::from_iter_values(latest.values().map(|(v, _)| v.as_str()));
    let times = Int64Array::from_iter_values(latest.values().map(|(_, t)| *t));
    let columns: Vec<Arc<dyn Array>> = vec![
        Arc::new(customers),
        Arc::new(names),
        Arc::new(values),
        Arc::new(times),
    ];
    let batch = RecordBatch::try_new(schema(), columns)?;
    let temporary = dir.join("traits.parquet.tmp");
    let file = std::fs::File::create(&temporary).map_err(|e| StoreError::io(&temporary, e))?;
    let mut writer = ArrowWriter::try_new(file, schema(), None)?;
    writer.write(&batch)?;
    writer
        .into_inner()?
        .sync_all()
        .map_err(|e| StoreError::io(&temporary, e))?;
    let path = dir.join(TRAITS_FILE);
    std::fs::rename(&temporary, &path).map_err(|e| StoreError::io(&path, e))?;
    Ok(count)
}
