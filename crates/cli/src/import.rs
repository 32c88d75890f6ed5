//! `touchpoint import`: reads CSV, JSONL and Parquet files row by row,
//! converts each row into an event (or rejects it with its line number and
//! reason into a reject file), and appends the good rows to the store in
//! chunks. Re-importing a file adds nothing: ids repeat, and the store
//! skips ids it has.

use crate::convert::{Mapping, Resolved, Value, content_id, event_from_row};
use anyhow::{Context, bail};
use arrow::array::{Array, AsArray, RecordBatch, RecordBatchReader};
use arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;
use store::EventBuilders;
use store::{Store, TraitRow};

/// A further check of a converted event: `Err(reason)` rejects it.
pub type EventCheck = fn(&model::Event) -> Result<(), String>;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub mapping: Mapping,
    /// Where rejected rows go; default `DATA/rejects/<file>.rejects.csv`.
    pub rejects: Option<PathBuf>,
    /// Rows converted before they are written as one store append.
    pub chunk_rows: usize,
    pub progress: bool,
    /// A further check of every converted event (agent events must follow
    /// `model::agent`); a failing event goes to the rejects with the reason.
    pub check: Option<EventCheck>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    pub file: String,
    pub rows: u64,
    pub added: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub rejects_file: Option<String>,
    pub seconds: f64,
    pub rows_per_second: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Parquet,
}

impl Format {
    pub fn of(path: &Path) -> anyhow::Result<Format> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".csv") || name.ends_with(".tsv") {
            Ok(Format::Csv)
        } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") || name.ends_with(".json") {
            Ok(Format::Jsonl)
        } else if name.ends_with(".parquet") || name.ends_with(".pq") {
            Ok(Format::Parquet)
        } else {
            bail!(
                "{}: unknown file type (use .csv, .jsonl or .parquet)",
                path.display()
            )
        }
    }
}

/// Receives the rows of a file: first its header, then every row with its
/// line number, a value getter and the raw row for reject files and ids.
pub trait RowSink {
    fn header(&mut self, header: &[String]) -> anyhow::Result<()>;
    fn row<'a>(
        &mut self,
        line: u64,
        get: &dyn Fn(usize) -> Value<'a>,
        raw: &dyn Fn() -> String,
    ) -> anyhow::Result<()>;
    /// A row that could not even be read (bad encoding, bad JSON).
    fn unreadable(&mut self, line: u64, reason: &str, raw: &str) -> anyhow::Result<()>;
}

/// Reads any supported file into a sink.
pub fn read_rows(path: &Path, sink: &mut dyn RowSink) -> anyhow::Result<()> {
    match Format::of(path)? {
        Format::Csv => read_csv(path, sink),
        Format::Jsonl => read_jsonl(path, sink),
        Format::Parquet => read_parquet(path, sink),
    }
}

fn read_csv(path: &Path, sink: &mut dyn RowSink) -> anyhow::Result<()> {
    let delimiter = if path
        .to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".tsv")
    {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header line", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    sink.header(&header)?;
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                sink.unreadable(line, &format!("malformed CSV: {error}"), "")?;
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let fields: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
        let raw = || String::from_utf8_lossy(record.as_slice()).into_owned();
        let Ok(fields) = fields else {
            sink.unreadable(line, "not valid UTF-8", &raw())?;
            continue;
        };
        let get = |i: usize| fields.get(i).map_or(Value::Null, |s| Value::Str(s));
        let raw_joined = || fields.join("\u{1f}");
        sink.row(line, &get, &raw_joined)?;
    }
    Ok(())
}

fn json_header(path: &Path) -> anyhow::Result<Vec<String>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut header: Vec<String> = Vec::new();
    for line in std::io::BufReader::new(file).lines().take(1000) {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if let Ok(serde_json::Value::Object(object)) =
            serde_json::from_str::<serde_json::Value>(&line)
        {
            for key in object.keys() {
                if !header.contains(key) {
                    header.push(key.clone());
                }
            }
        }
    }
    Ok(header)
}

fn json_value(value: &serde_json::Value) -> Value<'_> {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
        serde_json::Value::String(s) => Value::Str(s),
        // Objects and arrays arrive as their JSON text (see read_jsonl).
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => Value::Null,
    }
}

fn read_jsonl(path: &Path, sink: &mut dyn RowSink) -> anyhow::Result<()> {
    let header = json_header(path)?;
    sink.header(&header)?;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line_number = index as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                sink.unreadable(line_number, &format!("cannot read line: {error}"), "")?;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(object)) => object,
            Ok(_) => {
                sink.unreadable(line_number, "line is not a JSON object", &line)?;
                continue;
            }
            Err(error) => {
                sink.unreadable(line_number, &format!("invalid JSON: {error}"), &line)?;
                continue;
            }
        };
        let nested: Vec<Option<String>> = header
            .iter()
            .map(|key| match object.get(key) {
                Some(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
                    Some(v.to_string())
                }
                _ => None,
            })
            .collect();
        let get = |i: usize| match (&nested[i], object.get(&header[i])) {
            (Some(text), _) => Value::Str(text),
            (None, Some(value)) => json_value(value),
            (None, None) => Value::Null,
        };
        sink.row(line_number, &get, &|| line.clone())?;
    }
    Ok(())
}

/// A Parquet column as the converter reads it.
enum Column {
    Text(arrow::array::StringArray),
    Int(arrow::array::Int64Array),
    Float(arrow::array::Float64Array),
    Bool(arrow::array::BooleanArray),
    TimestampUs(arrow::array::Int64Array),
}

fn parquet_column(array: &dyn Array) -> anyhow::Result<Column> {
    use arrow::compute::cast;
    Ok(match array.data_type() {
        DataType::Boolean => Column::Bool(array.as_boolean().clone()),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => Column::Int(
            cast(array, &DataType::Int64)?
                .as_primitive::<Int64Type>()
                .clone(),
        ),
        DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal128(_, _) => {
            Column::Float(
                cast(array, &DataType::Float64)?
                    .as_primitive::<Float64Type>()
                    .clone(),
            )
        }
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 => {
            let micros = cast(array, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            Column::TimestampUs(
                cast(&micros, &DataType::Int64)?
                    .as_primitive::<Int64Type>()
                    .clone(),
            )
        }
        _ => Column::Text(cast(array, &DataType::Utf8)?.as_string::<i32>().clone()),
    })
}

impl Column {
    fn get(&self, row: usize) -> Value<'_> {
        macro_rules! value {
            ($array:expr, $variant:expr) => {
                if $array.is_null(row) {
                    Value::Null
                } else {
                    $variant($array.value(row))
                }
            };
        }
        match self {
            Column::Text(a) => value!(a, Value::Str),
            Column::Int(a) => value!(a, Value::Int),
            Column::Float(a) => value!(a, Value::Float),
            Column::Bool(a) => value!(a, Value::Bool),
            Column::TimestampUs(a) => value!(a, Value::TimestampUs),
        }
    }
}

fn read_parquet(path: &Path, sink: &mut dyn RowSink) -> anyhow::Result<()> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .with_context(|| format!("{}: not a Parquet file", path.display()))?
        .with_batch_size(64 * 1024)
        .build()?;
    let header: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    sink.header(&header)?;
    let mut line = 0u64;
    for batch in reader {
        let batch: RecordBatch =
            batch.with_context(|| format!("{}: cannot read", path.display()))?;
        let columns: Vec<Column> = batch
            .columns()
            .iter()
            .map(|c| parquet_column(c.as_ref()))
            .collect::<anyhow::Result<_>>()?;
        for row in 0..batch.num_rows() {
            line += 1;
            let get = |i: usize| columns[i].get(row);
            let raw = || {
                (0..columns.len())
                    .map(|i| format!("{:?}", columns[i].get(row)))
                    .collect::<Vec<_>>()
                    .join("\u{1f}")
            };
            sink.row(line, &get, &raw)?;
        }
    }
    Ok(())
}

/// Collects rejected rows into a CSV file (line, reason, row), created on
/// the first reject.
struct Rejects {
    path: PathBuf,
    writer: Option<csv::Writer<std::fs::File>>,
    count: u64,
}

impl Rejects {
    fn add(&mut self, line: u64, reason: &str, raw: &str) -> anyhow::Result<()> {
        if self.writer.is_none() {
            if let Some(parent) = self.path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            let mut writer = csv::Writer::from_path(&self.path)
                .with_context(|| format!("cannot write {}", self.path.display()))?;
            writer.write_record(["line", "reason", "row"])?;
            self.writer = Some(writer);
        }
        let writer = self.writer.as_mut().expect("created above");
        writer.write_record([
            line.to_string().as_str(),
            reason,
            &raw.replace('\u{1f}', ","),
        ])?;
        self.count += 1;
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if let Some(writer) = self.writer.as_mut() {
            writer.flush()?;
        }
        Ok(())
    }
}

struct EventSink {
    mapping: Mapping,
    resolved: Option<Resolved>,
    builders: EventBuilders,
    batches: Vec<RecordBatch>,
    rejects: Rejects,
    rows: u64,
    chunk_rows: usize,
    progress: indicatif::ProgressBar,
    check: Option<EventCheck>,
}

impl RowSink for EventSink {
    fn header(&mut self, header: &[String]) -> anyhow::Result<()> {
        self.resolved = Some(Resolved::new(header, &self.mapping)?);
        Ok(())
    }

    fn row<'a>(
        &mut self,
        line: u64,
        get: &dyn Fn(usize) -> Value<'a>,
        raw: &dyn Fn() -> String,
    ) -> anyhow::Result<()> {
        self.rows += 1;
        if self.rows.is_multiple_of(65_536) {
            self.progress.set_position(self.rows);
        }
        let resolved = self.resolved.as_ref().expect("header comes first");
        let converted =
            event_from_row(resolved, get, &|| content_id(&[&raw()])).and_then(|event| {
                match self.check {
                    Some(check) => check(&event).map(|()| event),
                    None => Ok(event),
                }
            });
        match converted {
            Ok(event) => {
                self.builders.push(&event);
                if self.builders.len() >= 64 * 1024 {
                    self.batches.push(self.builders.finish());
                }
            }
            Err(reason) => self.rejects.add(line, &reason, &raw())?,
        }
        Ok(())
    }

    fn unreadable(&mut self, line: u64, reason: &str, raw: &str) -> anyhow::Result<()> {
        self.rows += 1;
        self.rejects.add(line, reason, raw)
    }
}

impl EventSink {
    fn pending_rows(&self) -> usize {
        self.batches
            .iter()
            .map(RecordBatch::num_rows)
            .sum::<usize>()
            + self.builders.len()
    }

    fn take_batches(&mut self) -> Vec<RecordBatch> {
        if !self.builders.is_empty() {
            self.batches.push(self.builders.finish());
        }
        std::mem::take(&mut self.batches)
    }
}

pub fn progress_bar(enabled: bool, message: &str) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {msg} {human_pos} rows ({per_sec}, {elapsed})",
    )
    .expect("template is valid");
    bar.set_style(style);
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Imports one events file into the store.
pub async fn import_events(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("input")
        .to_string();
    let rejects_path = options.rejects.clone().unwrap_or_else(|| {
        store
            .dir()
            .join("rejects")
            .join(format!("{file_name}.rejects.csv"))
    });
    let mut sink = EventSink {
        mapping: options.mapping.clone(),
        resolved: None,
        builders: EventBuilders::new(),
        batches: Vec::new(),
        rejects: Rejects {
            path: rejects_path,
            writer: None,
            count: 0,
        },
        rows: 0,
        chunk_rows: options.chunk_rows,
        progress: progress_bar(options.progress, &format!("importing {file_name}")),
        check: options.check,
    };
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<RecordBatch>>(1);
    let path_owned = path.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || -> anyhow::Result<EventSink> {
        struct Chunking<'a> {
            sink: &'a mut EventSink,
            sender: &'a tokio::sync::mpsc::Sender<Vec<RecordBatch>>,
        }
        impl RowSink for Chunking<'_> {
            fn header(&mut self, header: &[String]) -> anyhow::Result<()> {
                self.sink.header(header)
            }
            fn row<'a>(
                &mut self,
                line: u64,
                get: &dyn Fn(usize) -> Value<'a>,
                raw: &dyn Fn() -> String,
            ) -> anyhow::Result<()> {
                self.sink.row(line, get, raw)?;
                if self.sink.pending_rows() >= self.sink.chunk_rows {
                    let batches = self.sink.take_batches();
                    self.sender
                        .blocking_send(batches)
                        .context("the store writer stopped")?;
                }
                Ok(())
            }
            fn unreadable(&mut self, line: u64, reason: &str, raw: &str) -> anyhow::Result<()> {
                self.sink.unreadable(line, reason, raw)
            }
        }
        read_rows(
            &path_owned,
            &mut Chunking {
                sink: &mut sink,
                sender: &sender,
            },
        )?;
        let rest = sink.take_batches();
        if !rest.is_empty() {
            sender
                .blocking_send(rest)
                .context("the store writer stopped")?;
        }
        Ok(sink)
    });
    let mut summary = ImportSummary {
        file: path.display().to_string(),
        ..ImportSummary::default()
    };
    while let Some(batches) = receiver.recv().await {
        let appended = store.append(&batches).await?;
        summary.added += appended.added;
        summary.duplicates += appended.duplicates;
    }
    let mut sink = reader.await.context("import reader panicked")??;
    sink.rejects.finish()?;
    sink.progress.finish_and_clear();
    summary.rows = sink.rows;
    summary.rejected = sink.rejects.count;
    summary.rejects_file =
        (sink.rejects.count > 0).then(|| sink.rejects.path.display().to_string());
    summary.seconds = started.elapsed().as_secs_f64();
    summary.rows_per_second = summary.rows as f64 / summary.seconds.max(1e-9);
    Ok(summary)
}

struct TraitSink {
    id_column: Option<String>,
    id_index: usize,
    header: Vec<String>,
    rows: Vec<TraitRow>,
    rejected: u64,
    now_us: i64,
}

impl RowSink for TraitSink {
    fn header(&mut self, header: &[String]) -> anyhow::Result<()> {
        let candidates = [
            "customer_id",
            "customer",
            "user_id",
            "userid",
            "distinct_id",
            "id",
        ];
        let index = match &self.id_column {
            Some(name) => header
                .iter()
                .position(|h| h == name)
                .with_context(|| format!("--customer {name:?}: no such column"))?,
            None => candidates
                .iter()
                .find_map(|c| header.iter().position(|h| h.eq_ignore_ascii_case(c)))
                .with_context(|| {
                    format!(
                        "cannot find the customer id column among [{}]; name it with --customer",
                        header.join(", ")
                    )
                })?,
        };
        self.id_index = index;
        self.header = header.to_vec();
        Ok(())
    }

    fn row<'a>(
        &mut self,
        _line: u64,
        get: &dyn Fn(usize) -> Value<'a>,
        _raw: &dyn Fn() -> String,
    ) -> anyhow::Result<()> {
        let id = match get(self.id_index) {
            Value::Str(s) if !s.trim().is_empty() => s.trim().to_string(),
            Value::Int(i) => i.to_string(),
            _ => {
                self.rejected += 1;
                return Ok(());
            }
        };
        let customer = model::Event::customer_key(&id);
        for (index, name) in self.header.iter().enumerate() {
            if index == self.id_index {
                continue;
            }
            let value = match get(index) {
                Value::Null => continue,
                Value::Str("") => continue,
                Value::Str(s) => s.to_string(),
                Value::Int(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::TimestampUs(t) => t.to_string(),
            };
            self.rows.push(TraitRow {
                customer,
                name: name.clone(),
                value,
                updated_at_us: self.now_us,
            });
        }
        Ok(())
    }

    fn unreadable(&mut self, _line: u64, _reason: &str, _raw: &str) -> anyhow::Result<()> {
        self.rejected += 1;
        Ok(())
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TraitSummary {
    pub file: String,
    pub trait_values: usize,
    pub rejected: u64,
    pub stored_pairs: usize,
}

/// Imports a customer traits file: an id column plus one column per trait.
pub fn import_traits(
    store: &Store,
    path: &Path,
    id_column: Option<String>,
) -> anyhow::Result<TraitSummary> {
    let now_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let mut sink = TraitSink {
        id_column,
        id_index: 0,
        header: Vec::new(),
        rows: Vec::new(),
        rejected: 0,
        now_us,
    };
    read_rows(path, &mut sink)?;
    let trait_values = sink.rows.len();
    let stored_pairs = store.merge_traits(sink.rows)?;
    Ok(TraitSummary {
        file: path.display().to_string(),
        trait_values,
        rejected: sink.rejected,
        stored_pairs,
    })
}
