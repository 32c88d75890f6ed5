//! The `touchpoint` binary: parses the command line, runs one command and
//! reports failure as one line on stderr with a non-zero exit code. Only
//! this crate prints and exits.

mod analyses;
mod contacts;
mod convert;
mod generate;
mod import;
mod ingest;
mod insights;
mod output;
mod returning;
mod serve;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use output::Format;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "touchpoint",
    version,
    about = "Customer-journey analytics: capture touchpoints, stitch identities, compute the journey map."
)]
struct Cli {
    /// The data directory.
    #[arg(
        long,
        global = true,
        env = "TOUCHPOINT_DATA",
        default_value = "./touchpoint-data"
    )]
    data: PathBuf,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value = "table")]
    format: Format,
    /// Hide progress bars.
    #[arg(long, global = true)]
    no_progress: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import events (CSV, JSONL, Parquet) or customer traits.
    Import(ImportArgs),
    /// Merge each bucket's files into one sorted file.
    Compact,
    /// Run SQL over the `events` table.
    Sql {
        /// The query, e.g. "SELECT touchpoint, count(*) FROM events GROUP BY 1".
        query: String,
    },
    /// Show the physical plan of a journey analysis.
    Explain,
    /// Score text: sentiment (compound, pos, neu, neg) and emotions.
    Text {
        #[command(subcommand)]
        command: TextCommand,
    },
    /// Themes (recurring key phrases) of the stored feedback, chat and ticket text.
    Themes(ThemesArgs),
    /// Write a synthetic business (events, traits, journey.toml) as files.
    Generate(generate::GenerateArgs),
    /// Generate a retail dataset, import it and show its journey map.
    Demo(DemoArgs),
    /// The journey map: stages, touchpoints, emotions, drop-off and transitions.
    Map(analyses::MapArgs),
    /// The most common journeys (touchpoint sequences) and their coverage.
    Variants(analyses::VariantArgs),
    /// A conversion funnel over touchpoints.
    Funnel(analyses::FunnelArgs),
    /// Paths through touchpoints (sessions), for a Sankey diagram.
    Paths(analyses::PathsArgs),
    /// Insights with evidence: pain points, moments of truth, at-risk customers, root causes, …
    Insights(insights::InsightsArgs),
    /// Retention cohorts (or --lifecycle, or --stickiness): who comes back.
    Retention(returning::RetentionArgs),
    /// Customer value: BG/NBD, Pareto/NBD, Gamma-Gamma, CLV, RFM, slipping away.
    Value(returning::ValueArgs),
    /// Repeat purchase: repurchase rate and time, loyalty and advocacy reach, referrals.
    Repeat(returning::RepeatArgs),
    /// Contact-centre metrics per channel, queue, team, agent and interval (or --handovers).
    Contacts(contacts::ContactsArgs),
    /// Staffing: Erlang C/A for given traffic, or a plan per queue from the stored contacts.
    Staff {
        #[command(subcommand)]
        command: contacts::StaffCommand,
    },
    /// Durable streaming ingest: NDJSON events on stdin, one acknowledgement line per batch.
    Ingest(ingest::IngestArgs),
    /// Serve the dashboard, the query API and ingestion over HTTP.
    Serve(serve::ServeArgs),
    /// Create, list and revoke API keys.
    Keys {
        #[command(subcommand)]
        command: serve::KeysCommand,
    },
    /// Tracked short links: a click on /l/CODE is a touchpoint.
    Links {
        #[command(subcommand)]
        command: serve::LinksCommand,
    },
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// Event files to import.
    files: Vec<PathBuf>,
    /// A customer traits file (an id column plus one column per trait).
    #[arg(long)]
    traits: Option<PathBuf>,
    /// Agent event files (log in/out, ready, breaks, contacts, after-contact
    /// work, manual tasks, tools; see docs/contact-centre.md), stored apart
    /// from the customers' events in DATA/agents (repeatable).
    #[arg(long)]
    agents: Vec<PathBuf>,
    /// Column holding the customer id (auto-detected when omitted).
    #[arg(long)]
    customer: Option<String>,
    /// Column holding the event time.
    #[arg(long)]
    time: Option<String>,
    /// Column holding the touchpoint name.
    #[arg(long)]
    touchpoint: Option<String>,
    /// Column holding the channel.
    #[arg(long)]
    channel: Option<String>,
    /// Column holding the event id.
    #[arg(long = "event-id")]
    event_id: Option<String>,
    /// A TOML file with the column mapping (customer, time, touchpoint, channel, event_id).
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// A journey.toml to store with the data.
    #[arg(long)]
    definition: Option<PathBuf>,
    /// Where rejected rows go (default DATA/rejects/FILE.rejects.csv).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Buckets of a new data directory.
    #[arg(long, default_value_t = store::DEFAULT_BUCKETS)]
    buckets: u32,
    /// Rows per store append.
    #[arg(long, default_value_t = 4_000_000)]
    chunk_rows: usize,
}

#[derive(Debug, Subcommand)]
enum TextCommand {
    /// Score one text, or one text per line of stdin when no text is given.
    Score {
        text: Option<String>,
        /// vader (the reference algorithm) or service (customer-service aware).
        #[arg(long, default_value = "service")]
        mode: String,
    },
}

#[derive(Debug, Args)]
struct ThemesArgs {
    /// Themes reported.
    #[arg(long, default_value_t = 15)]
    top: usize,
    /// Only texts at this touchpoint.
    #[arg(long)]
    touchpoint: Option<String>,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Customers in the demo dataset (about 11 events each).
    #[arg(long, default_value_t = 20_000)]
    customers: u64,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Print the map and exit instead of serving the dashboard.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: serve::ServeArgs,
}

/// Generates the retail demo, imports it (again: re-importing adds
/// nothing) and prints the journey map.
async fn run_demo(data: &std::path::Path, args: &DemoArgs, progress: bool) -> anyhow::Result<()> {
    let input = data.join("demo-input");
    let generate_args = generate::GenerateArgs {
        customers: args.customers,
        seed: args.seed,
        scenario: "retail".into(),
        days: 365,
        out: input.clone(),
        file_format: generate::FileFormat::Parquet,
    };
    let generated = generate::generate(&generate_args, progress)?;
    println!(
        "generated {} events of {} customers in {:.1}s",
        generated.events, generated.customers, generated.seconds
    );
    let import_args = ImportArgs {
        files: vec![generated.events_file.clone()],
        traits: Some(generated.traits_file.clone()),
        agents: vec![generated.agents_file.clone()],
        customer: None,
        time: None,
        touchpoint: None,
        channel: None,
        event_id: None,
        mapping: None,
        definition: Some(generated.definition_file.clone()),
        rejects: None,
        buckets: store::DEFAULT_BUCKETS,
        chunk_rows: 4_000_000,
    };
    run_import(data, import_args, Format::Table, progress).await?;
    let mut store = store::Store::open(data).await?;
    store.compact().await?;
    let engine = engine::Engine::open(data).await?;
    let map_args = analyses::MapArgs {
        filter: analyses::FilterArgs {
            from: None,
            to: None,
            channels: Vec::new(),
            persona: None,
        },
        collapse_repeats: false,
        top_transitions: 15,
    };
    let report = analyses::map(&engine, &map_args).await?;
    println!();
    analyses::print_map(&report, map_args.top_transitions, Format::Table)?;
    println!(
        "\ndata in {}; try: touchpoint --data {} variants",
        data.display(),
        data.display()
    );
    if args.no_serve {
        return Ok(());
    }
    println!();
    serve::serve(data, &args.serve, true).await
}

/// Scores text. JSON lines (`--format json`) are the documented contract:
/// one object per input line with compound, pos, neu, neg and emotions.
fn text_score(text: Option<String>, mode: &str, format: Format) -> anyhow::Result<()> {
    let mode: text::Mode = mode
        .parse()
        .map_err(|e: text::UnknownMode| anyhow::anyhow!("--mode: {e}"))?;
    let lines: Vec<String> = match text {
        Some(text) => vec![text],
        None => std::io::stdin()
            .lines()
            .collect::<Result<_, _>>()
            .context("cannot read stdin")?,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    use std::io::Write;
    for line in &lines {
        let score = text::score(line, mode);
        match format {
            Format::Json | Format::Jsonl => writeln!(out, "{}", serde_json::to_string(&score)?)?,
            _ => {
                let (emotion, strength) = score
                    .emotions
                    .dominant()
                    .map_or(("none", 0.0), |(e, s)| (e.as_str(), s));
                writeln!(
                    out,
                    "{:+.4}\tpos {:.3} neu {:.3} neg {:.3}\t{emotion} {strength:.2}\t{line}",
                    score.compound, score.pos, score.neu, score.neg
                )?;
            }
        }
    }
    Ok(())
}

async fn themes(data: &std::path::Path, args: &ThemesArgs, format: Format) -> anyhow::Result<()> {
    let engine = engine::Engine::open(data).await?;
    let mut query = "SELECT text FROM events WHERE text IS NOT NULL".to_string();
    if let Some(touchpoint) = &args.touchpoint {
        query.push_str(&format!(
            " AND touchpoint = '{}'",
            touchpoint.replace('\'', "''")
        ));
    }
    let batches = engine.sql(&query).await?;
    let mut texts: Vec<String> = Vec::new();
    for batch in &batches {
        let column = arrow::compute::cast(batch.column(0), &arrow::datatypes::DataType::Utf8)?;
        texts.extend(
            arrow::array::AsArray::as_string::<i32>(&column)
                .iter()
                .flatten()
                .map(str::to_string),
        );
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let options = text::ThemeOptions {
        max_themes: args.top.max(1),
        ..text::ThemeOptions::default()
    };
    let found = text::themes(&refs, &options);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&found)?),
        _ => {
            println!("{} texts\n", texts.len());
            let rows: Vec<Vec<String>> = found
                .iter()
                .map(|t| {
                    vec![
                        t.label.clone(),
                        t.volume.to_string(),
                        format!("{:+.2}", t.mean_compound),
                        format!("{:.0}%", t.share_negative * 100.0),
                        t.examples
                            .first()
                            .map(|i| texts[*i].clone())
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            output::write_table(
                &mut std::io::stdout(),
                &["theme", "texts", "sentiment", "negative", "example"],
                &rows,
            )?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", chain.join(": ").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

async fn run(mut cli: Cli) -> anyhow::Result<()> {
    let progress = !cli.no_progress;
    // JSON lines only make sense for line-oriented output (text score, SQL).
    if cli.format == Format::Jsonl
        && !matches!(cli.command, Command::Text { .. } | Command::Sql { .. })
    {
        cli.format = Format::Json;
    }
    match cli.command {
        Command::Import(args) => run_import(&cli.data, args, cli.format, progress).await,
        Command::Compact => {
            let mut store = store::Store::open(&cli.data).await?;
            let summary = store.compact().await?;
            println!(
                "compacted: {} files merged into {}",
                summary.files_removed, summary.files_added
            );
            Ok(())
        }
        Command::Sql { query } => {
            let engine = engine::Engine::open(&cli.data).await?;
            let batches = engine.sql(&query).await?;
            output::print_batches(&batches, cli.format)
        }
        Command::Map(args) => {
            let engine = engine::Engine::open(&cli.data).await?;
            let report = analyses::map(&engine, &args).await?;
            analyses::print_map(&report, args.top_transitions, cli.format)
        }
        Command::Variants(args) => {
            let engine = engine::Engine::open(&cli.data).await?;
            let variants = analyses::variants(&engine, &args).await?;
            analyses::print_variants(&variants, cli.format)
        }
        Command::Generate(args) => {
            let summary = generate::generate(&args, progress)?;
            match cli.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
                _ => println!(
                    "{} customers, {} events of {} in {:.1}s: {}, {}, {}",
                    summary.customers,
                    summary.events,
                    summary.scenario,
                    summary.seconds,
                    summary.events_file.display(),
                    summary.traits_file.display(),
                    summary.definition_file.display()
                ),
            }
            Ok(())
        }
        Command::Demo(args) => run_demo(&cli.data, &args, progress).await,
        Command::Text {
            command: TextCommand::Score { text, mode },
        } => text_score(text, &mode, cli.format),
        Command::Themes(args) => themes(&cli.data, &args, cli.format).await,
        Command::Funnel(args) => {
            let engine = engine::Engine::open(&cli.data).await?;
            let result = analyses::funnel(&engine, &args).await?;
            analyses::print_funnel(&result, cli.format)
        }
        Command::Paths(args) => {
            let engine = engine::Engine::open(&cli.data).await?;
            let result = analyses::paths(&engine, &args).await?;
            analyses::print_paths(&result, cli.format)
        }
        Command::Insights(args) => {
            let mut engine = engine::Engine::open(&cli.data).await?;
            if let Some(name) = &args.persona_trait {
                let left_out = engine.use_trait_personas(name)?;
                if left_out > 0 {
                    eprintln!(
                        "{name}: {left_out} rarer values are left out (at most {} personas)",
                        engine::MAX_TRAIT_PERSONAS
                    );
                }
            }
            insights::run(&engine, &args, cli.format).await
        }
        Command::Retention(args) => {
            let engine = engine::Engine::open(&cli.data).await?;
            returning::retention(&engine, &args, cli.format).await
        }
        Command::Value(args) => {
            let engine = engine::Engine::open(&cli.data).await?;
            returning::value(&engine, &args, cli.format).await
        }
        Command::Contacts(args) => {
            let engine = engine::Engine::open(&cli.data).await?;
            contacts::contacts(&engine, &args, cli.format).await
        }
        Command::Staff { command } => match command {
            contacts::StaffCommand::Erlang(args) => contacts::erlang(&args, cli.format),
            contacts::StaffCommand::Plan(args) => {
                let engine = engine::Engine::open(&cli.data).await?;
                contacts::plan(&engine, &args, cli.format).await
            }
        },
        Command::Repeat(args) => {
            let engine = engine::Engine::open(&cli.data).await?;
            returning::repeat(&engine, &args, cli.format).await
        }
        Command::Ingest(args) => ingest::run(&cli.data, args).await,
        Command::Serve(args) => serve::serve(&cli.data, &args, false).await,
        Command::Keys { command } => serve::keys(&cli.data, command),
        Command::Links { command } => serve::links(&cli.data, command).await,
        Command::Explain => {
            let engine = engine::Engine::open(&cli.data).await?;
            print!(
                "{}",
                engine
                    .explain_journey(&engine::EventFilter::default())
                    .await?
            );
            Ok(())
        }
    }
}

async fn run_import(
    data: &std::path::Path,
    args: ImportArgs,
    format: Format,
    progress: bool,
) -> anyhow::Result<()> {
    if args.files.is_empty() && args.traits.is_none() && args.agents.is_empty() {
        anyhow::bail!("nothing to import: give event files, --traits FILE and/or --agents FILE");
    }
    let mut mapping = match &args.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("{}: invalid mapping", path.display()))?
        }
        None => convert::Mapping::default(),
    };
    for (slot, flag) in [
        (&mut mapping.customer, &args.customer),
        (&mut mapping.time, &args.time),
        (&mut mapping.touchpoint, &args.touchpoint),
        (&mut mapping.channel, &args.channel),
        (&mut mapping.event_id, &args.event_id),
    ] {
        if flag.is_some() {
            slot.clone_from(flag);
        }
    }
    let definition = match &args.definition {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(model::JourneyDefinition::from_toml(&text)?)
        }
        None => None,
    };
    for file in args.files.iter().chain(&args.agents) {
        import::Format::of(file)?;
        anyhow::ensure!(file.is_file(), "{}: no such file", file.display());
    }
    let mut store = store::Store::open_or_create(
        data,
        &store::CreateOptions {
            buckets: args.buckets,
        },
    )
    .await?;
    if let Some(definition) = &definition {
        store.set_definition(definition)?;
    }
    let options = import::ImportOptions {
        mapping,
        rejects: args.rejects.clone(),
        chunk_rows: args.chunk_rows.max(1),
        progress,
        check: None,
    };
    let mut summaries = Vec::new();
    for file in &args.files {
        summaries.push(import::import_events(&mut store, file, &options).await?);
    }
    if !args.agents.is_empty() {
        let mut agents = store::Store::open_or_create(
            &engine::agents::agents_dir(data),
            &store::CreateOptions {
                buckets: args.buckets,
            },
        )
        .await?;
        let agent_options = import::ImportOptions {
            mapping: convert::Mapping::default(),
            check: Some(|event| {
                model::agent::AgentEventRecord::from_event(event)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }),
            ..options.clone()
        };
        for file in &args.agents {
            summaries.push(import::import_events(&mut agents, file, &agent_options).await?);
        }
    }
    let traits = match &args.traits {
        Some(path) => Some(import::import_traits(&store, path, args.customer.clone())?),
        None => None,
    };
    match format {
        Format::Json => println!(
            "{}",
            serde_json::json!({ "files": summaries, "traits": traits })
        ),
        _ => {
            for s in &summaries {
                println!(
                    "{}: {} rows, {} added, {} duplicates, {} rejected in {:.2}s ({:.0} rows/s){}",
                    s.file,
                    s.rows,
                    s.added,
                    s.duplicates,
                    s.rejected,
                    s.seconds,
                    s.rows_per_second,
                    s.rejects_file
                        .as_ref()
                        .map(|f| format!("; rejects in {f}"))
                        .unwrap_or_default()
                );
            }
            if let Some(t) = &traits {
                println!(
                    "{}: {} trait values, {} rejected, {} stored",
                    t.file, t.trait_values, t.rejected, t.stored_pairs
                );
            }
        }
    }
    Ok(())
}
