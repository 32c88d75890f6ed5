//! `touchpoint generate` and `touchpoint demo`: write a deterministic
//! synthetic business (events, customer traits, journey.toml) as files, and
//! the demo's generate → import → map. Generation streams: customers are
//! made in chunks on every core and written in order, never all held.

use crate::import::progress_bar;
use anyhow::Context;
use arrow::array::RecordBatch;
use arrow::datatypes::{Field, Schema};
use clap::{Args, ValueEnum};
use generate::{AgentDays, GenerateOptions, Generator, Scenario};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use store::EventBuilders;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Parquet,
    Csv,
    Jsonl,
}

impl FileFormat {
    fn extension(self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::Csv => "csv",
            FileFormat::Jsonl => "jsonl",
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Customers to generate (about 11 events each for retail).
    #[arg(long, default_value_t = 10_000)]
    pub customers: u64,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The business: retail or broadband.
    #[arg(long, default_value = "retail")]
    pub scenario: String,
    /// Days of history.
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Output directory for events.*, customers.jsonl and journey.toml.
    #[arg(long, default_value = "./touchpoint-generated")]
    pub out: PathBuf,
    /// File format of the events.
    #[arg(long = "file-format", value_enum, default_value = "parquet")]
    pub file_format: FileFormat,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GenerateSummary {
    pub scenario: String,
    pub customers: u64,
    pub events: u64,
    pub events_file: PathBuf,
    pub traits_file: PathBuf,
    pub definition_file: PathBuf,
    /// The agents' own events (shifts, states, contacts, tools).
    pub agents_file: PathBuf,
    pub agent_events: u64,
    pub seconds: f64,
}

/// Columns of the generated files: the event model as a source system
/// would export it (no stitched customer key, no computed emotion).
const EXPORT: [(usize, &str); 16] = [
    (0, "event_id"),
    (4, "customer_id"),
    (1, "timestamp"),
    (2, "received_at"),
    (5, "touchpoint"),
    (6, "channel"),
    (9, "agent"),
    (10, "text"),
    (12, "rating"),
    (13, "rating_scale"),
    (15, "value"),
    (16, "wait_s"),
    (17, "handle_s"),
    (18, "resolved"),
    (19, "abandoned"),
    (20, "properties"),
];

fn export_batch(batch: &RecordBatch) -> RecordBatch {
    let source = batch.schema();
    let fields: Vec<Field> = EXPORT
        .iter()
        .map(|(index, name)| source.field(*index).clone().with_name(*name))
        .collect();
    let columns = EXPORT
        .iter()
        .map(|(index, _)| batch.column(*index).clone())
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .expect("export columns follow the event schema")
}

enum EventWriter {
    Parquet(parquet::arrow::ArrowWriter<std::fs::File>),
    Csv(arrow::csv::Writer<std::io::BufWriter<std::fs::File>>),
    Jsonl(arrow::json::LineDelimitedWriter<std::io::BufWriter<std::fs::File>>),
}

impl EventWriter {
    fn create(path: &Path, format: FileFormat, schema: Arc<Schema>) -> anyhow::Result<EventWriter> {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(match format {
            FileFormat::Parquet => {
                let properties = parquet::file::properties::WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::SNAPPY)
                    .build();
                EventWriter::Parquet(parquet::arrow::ArrowWriter::try_new(
                    file,
                    schema,
                    Some(properties),
                )?)
            }
            FileFormat::Csv => {
                EventWriter::Csv(arrow::csv::Writer::new(std::io::BufWriter::new(file)))
            }
            FileFormat::Jsonl => EventWriter::Jsonl(arrow::json::LineDelimitedWriter::new(
                std::io::BufWriter::new(file),
            )),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> anyhow::Result<()> {
        match self {
            EventWriter::Parquet(w) => w.write(batch)?,
            EventWriter::Csv(w) => w.write(batch)?,
            EventWriter::Jsonl(w) => w.write(batch)?,
        }
        Ok(())
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            EventWriter::Parquet(w) => {
                w.close()?;
            }
            EventWriter::Csv(w) => w.into_inner().flush()?,
            EventWriter::Jsonl(mut w) => w.finish()?,
        }
        Ok(())
    }
}

/// One chunk of customers, generated by a worker.
struct Chunk {
    batch: RecordBatch,
    traits: String,
    customers: u64,
    agents: AgentDays,
}

const CHUNK_CUSTOMERS: u64 = 4_000;

fn make_chunk(
    generator: &Generator,
    options: &GenerateOptions,
    range: std::ops::Range<u64>,
) -> Chunk {
    let mut builders = EventBuilders::new();
    let mut traits = String::new();
    let mut agents =
        AgentDays::new(generator.scenario(), options).expect("the generator accepted the options");
    for index in range.clone() {
        let record = generator.customer(index);
        agents.observe(&record);
        for event in &record.events {
            builders.push(event);
        }
        let mut object = serde_json::Map::new();
        object.insert("customer_id".into(), record.distinct_id.clone().into());
        for (name, value) in &record.traits {
            object.insert(name.clone(), value.clone().into());
        }
        traits.push_str(&serde_json::Value::Object(object).to_string());
        traits.push('\n');
    }
    Chunk {
        batch: export_batch(&builders.finish()),
        traits,
        customers: range.end - range.start,
        agents,
    }
}

pub fn generate(args: &GenerateArgs, progress: bool) -> anyhow::Result<GenerateSummary> {
    let started = std::time::Instant::now();
    let scenario = Scenario::parse(&args.scenario).with_context(|| {
        let known: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
        format!(
            "unknown scenario {:?} (known: {})",
            args.scenario,
            known.join(", ")
        )
    })?;
    anyhow::ensure!(args.customers > 0, "--customers must be at least 1");
    let options = GenerateOptions {
        customers: args.customers,
        seed: args.seed,
        days: args.days,
        ..GenerateOptions::default()
    };
    let generator = Generator::new(scenario, options.clone())?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let events_file = args
        .out
        .join(format!("events.{}", args.file_format.extension()));
    let traits_file = args.out.join("customers.jsonl");
    let definition_file = args.out.join("journey.toml");
    let agents_file = args
        .out
        .join(format!("agents.{}", args.file_format.extension()));
    std::fs::write(&definition_file, scenario.definition().to_toml())
        .with_context(|| format!("cannot write {}", definition_file.display()))?;
    let bar = progress_bar(progress, &format!("generating {}", scenario.name()));
    let (events, agents) =
        write_chunks(&generator, &options, args, &events_file, &traits_file, &bar)?;
    bar.finish_and_clear();
    let agent_events = write_agents(agents, args.file_format, &agents_file)?;
    Ok(GenerateSummary {
        scenario: scenario.name().to_string(),
        customers: args.customers,
        events,
        events_file,
        traits_file,
        definition_file,
        agents_file,
        agent_events,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Writes the agents' events in the events' format; returns their count.
fn write_agents(agents: AgentDays, format: FileFormat, path: &Path) -> anyhow::Result<u64> {
    let events = agents.finish();
    let mut builders = EventBuilders::new();
    for event in &events {
        builders.push(event);
    }
    let batch = export_batch(&builders.finish());
    let mut writer = EventWriter::create(path, format, batch.schema())?;
    writer.write(&batch)?;
    writer.finish()?;
    Ok(events.len() as u64)
}

/// Workers generate chunks `w, w + n, w + 2n, …`; this thread writes them
/// in index order so the file is the same whatever the thread count.
fn write_chunks(
    generator: &Generator,
    options: &GenerateOptions,
    args: &GenerateArgs,
    events_file: &Path,
    traits_file: &Path,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<(u64, AgentDays)> {
    let chunks = args.customers.div_ceil(CHUNK_CUSTOMERS);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let mut traits_out = std::io::BufWriter::new(
        std::fs::File::create(traits_file)
            .with_context(|| format!("cannot create {}", traits_file.display()))?,
    );
    std::thread::scope(|scope| -> anyhow::Result<(u64, AgentDays)> {
        let (sender, receiver) =
            std::sync::mpsc::sync_channel::<(u64, Chunk)>(workers as usize * 2);
        for worker in 0..workers {
            let sender = sender.clone();
            scope.spawn(move || {
                let mut chunk = worker;
                while chunk < chunks {
                    let start = chunk * CHUNK_CUSTOMERS;
                    let range = start..(start + CHUNK_CUSTOMERS).min(args.customers);
                    if sender
                        .send((chunk, make_chunk(generator, options, range)))
                        .is_err()
                    {
                        return;
                    }
                    chunk += workers;
                }
            });
        }
        drop(sender);
        let mut writer: Option<EventWriter> = None;
        let mut agents = AgentDays::new(generator.scenario(), options)?;
        let mut pending: BTreeMap<u64, Chunk> = BTreeMap::new();
        let (mut next, mut events, mut customers) = (0u64, 0u64, 0u64);
        for (index, chunk) in receiver {
            pending.insert(index, chunk);
            while let Some(chunk) = pending.remove(&next) {
                let out = match writer.as_mut() {
                    Some(out) => out,
                    None => writer.insert(EventWriter::create(
                        events_file,
                        args.file_format,
                        chunk.batch.schema(),
                    )?),
                };
                out.write(&chunk.batch)?;
                traits_out.write_all(chunk.traits.as_bytes())?;
                agents.merge(chunk.agents);
                events += chunk.batch.num_rows() as u64;
                customers += chunk.customers;
                bar.set_position(events);
                next += 1;
            }
        }
        anyhow::ensure!(next == chunks, "a generator thread stopped early");
        debug_assert_eq!(customers, args.customers);
        if let Some(writer) = writer {
            writer.finish()?;
        }
        traits_out.flush()?;
        Ok((events, agents))
    })
}
