//! The analysis commands: map, variants, funnel, paths. Each validates its
//! arguments into a kernel spec, runs the kernel through the engine and
//! prints the result in the chosen format.

use crate::output::{self, Format, Tabular, human_seconds};
use clap::Args;
use engine::Engine;
use engine::query::{
    Filters, FunnelMode, FunnelQuery, MapQuery, MapReport, PathsQuery, VariantsQuery,
};
use journey::funnel::FunnelResult;
use journey::map::JourneyMap;
use journey::paths::PathsResult;
use journey::variants::Variants;
use serde::Serialize;

/// Which events and customers an analysis sees.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only events at or after this time (ISO 8601 or epoch).
    #[arg(long)]
    pub from: Option<String>,
    /// Only events before this time.
    #[arg(long)]
    pub to: Option<String>,
    /// Only events on this channel (repeatable).
    #[arg(long = "channel")]
    pub channels: Vec<String>,
    /// Only customers of this persona (from journey.toml).
    #[arg(long)]
    pub persona: Option<String>,
}

impl FilterArgs {
    pub fn to_filters(&self) -> Filters {
        Filters {
            from: self.from.clone(),
            to: self.to.clone(),
            channel: self.channels.clone(),
            persona: self.persona.clone(),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct MapArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Count consecutive repeats of a touchpoint once in the transitions.
    #[arg(long)]
    pub collapse_repeats: bool,
    /// Transitions shown in the table format.
    #[arg(long, default_value_t = 20)]
    pub top_transitions: usize,
}

pub async fn map(engine: &Engine, args: &MapArgs) -> anyhow::Result<MapReport> {
    Ok(engine
        .map(&MapQuery {
            filters: args.filter.to_filters(),
            collapse_repeats: args.collapse_repeats,
        })
        .await?)
}

fn emotion_cell(emotion: &Option<journey::stats::MeanInterval>) -> String {
    emotion.map_or("-".into(), |e| {
        format!("{:+.2} [{:+.2}, {:+.2}]", e.mean, e.low, e.high)
    })
}

pub fn print_map(report: &MapReport, top_transitions: usize, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json | Format::Jsonl => output::print(&Json(report), Format::Json),
        Format::Csv => output::print(&TouchpointRows(&report.map), Format::Csv),
        Format::Table => {
            println!("Journey map: {} customers\n", report.map.customers);
            let stages: Vec<Vec<String>> = report
                .map
                .stages
                .iter()
                .filter(|s| s.events > 0)
                .map(|s| {
                    vec![
                        s.stage.clone(),
                        s.events.to_string(),
                        s.customers.to_string(),
                        s.drop_off
                            .map_or("-".into(), |d| format!("{:.1}%", d * 100.0)),
                        s.time_to_next_stage_s
                            .map_or("-".into(), |t| human_seconds(t.median)),
                        emotion_cell(&s.emotion),
                    ]
                })
                .collect();
            let mut out = std::io::stdout();
            output::write_table(
                &mut out,
                &[
                    "stage",
                    "events",
                    "customers",
                    "drop-off",
                    "median to next",
                    "emotion (95% CI)",
                ],
                &stages,
            )?;
            println!();
            output::write_table(
                &mut out,
                &TouchpointRows(&report.map).header(),
                &TouchpointRows(&report.map).rows(),
            )?;
            println!("\nTop transitions:");
            let rows: Vec<Vec<String>> = report
                .graph
                .transitions
                .iter()
                .take(top_transitions)
                .map(|t| {
                    vec![
                        format!("{} → {}", t.from, t.to),
                        t.count.to_string(),
                        t.customers.to_string(),
                        human_seconds(t.median_s),
                        human_seconds(t.p90_s),
                    ]
                })
                .collect();
            output::write_table(
                &mut out,
                &["transition", "count", "customers", "median", "p90"],
                &rows,
            )?;
            Ok(())
        }
    }
}

/// Any serialisable value printed as JSON (it has no table form).
struct Json<'a, T: Serialize>(&'a T);

impl<T: Serialize> Serialize for Json<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: Serialize> Tabular for Json<'_, T> {
    fn header(&self) -> Vec<&'static str> {
        Vec::new()
    }
    fn rows(&self) -> Vec<Vec<String>> {
        Vec::new()
    }
}

struct TouchpointRows<'a>(&'a JourneyMap);

impl Serialize for TouchpointRows<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.touchpoints.serialize(serializer)
    }
}

impl Tabular for TouchpointRows<'_> {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "stage",
            "touchpoint",
            "kind",
            "events",
            "customers",
            "drop_off",
            "emotion",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .touchpoints
            .iter()
            .map(|t| {
                vec![
                    t.stage.clone(),
                    t.touchpoint.clone(),
                    t.kind.as_str().to_string(),
                    t.events.to_string(),
                    t.customers.to_string(),
                    format!("{:.4}", t.drop_off),
                    emotion_cell(&t.emotion),
                ]
            })
            .collect()
    }
}

#[derive(Debug, Clone, Args)]
pub struct VariantArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Longest sequence kept per journey.
    #[arg(long, default_value_t = 10)]
    pub max_len: usize,
    /// Variants reported.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Count consecutive repeats of a touchpoint once.
    #[arg(long)]
    pub collapse_repeats: bool,
}

pub async fn variants(engine: &Engine, args: &VariantArgs) -> anyhow::Result<Variants> {
    Ok(engine
        .variants(&VariantsQuery {
            filters: args.filter.to_filters(),
            max_len: args.max_len,
            top: args.top,
            collapse_repeats: args.collapse_repeats,
        })
        .await?)
}

struct VariantRows<'a>(&'a Variants);

impl Serialize for VariantRows<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.variants.serialize(serializer)
    }
}

impl Tabular for VariantRows<'_> {
    fn header(&self) -> Vec<&'static str> {
        vec!["customers", "coverage", "cumulative", "variant"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.0
            .variants
            .iter()
            .map(|v| {
                vec![
                    v.customers.to_string(),
                    format!("{:.4}", v.coverage),
                    format!("{:.4}", v.cumulative_coverage),
                    v.variant.join(" → "),
                ]
            })
            .collect()
    }
}

pub fn print_variants(variants: &Variants, format: Format) -> anyhow::Result<()> {
    if format == Format::Table {
        println!(
            "{} customers, {} distinct variants\n",
            variants.total_customers, variants.distinct_variants
        );
    }
    output::print(&VariantRows(variants), format)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Ordered,
    Strict,
    Unordered,
}

#[derive(Debug, Clone, Args)]
pub struct FunnelArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Steps, comma-separated; `a|b` accepts either touchpoint; a trailing
    /// `?` makes a step optional (e.g. `product_page,cart?,checkout`).
    #[arg(long, value_delimiter = ',', required = true)]
    pub steps: Vec<String>,
    /// Conversion window measured from the step-1 event (e.g. 7d, 2h).
    #[arg(long, default_value = "14d")]
    pub window: String,
    #[arg(long, value_enum, default_value = "ordered")]
    pub mode: Mode,
    /// Exclusion: `touchpoint:from_step:to_step` (steps numbered from 1), repeatable.
    #[arg(long = "exclude")]
    pub exclusions: Vec<String>,
    /// Break down by `channel` or `trait:NAME`.
    #[arg(long)]
    pub breakdown: Option<String>,
    /// Which event gives the breakdown value: first, last or a step number.
    #[arg(long, default_value = "first")]
    pub attribution: String,
    /// Customers listed per step and drop-off.
    #[arg(long, default_value_t = 20)]
    pub customers: usize,
}

pub async fn funnel(engine: &Engine, args: &FunnelArgs) -> anyhow::Result<FunnelResult> {
    Ok(engine
        .funnel(&FunnelQuery {
            filters: args.filter.to_filters(),
            steps: args.steps.clone(),
            window: args.window.clone(),
            mode: match args.mode {
                Mode::Ordered => FunnelMode::Ordered,
                Mode::Strict => FunnelMode::Strict,
                Mode::Unordered => FunnelMode::Unordered,
            },
            exclude: args.exclusions.clone(),
            breakdown: args.breakdown.clone(),
            attribution: args.attribution.clone(),
            customers: args.customers,
        })
        .await?)
}

fn opt_seconds(value: Option<f64>) -> String {
    value.map_or("-".into(), human_seconds)
}

pub fn print_funnel(result: &FunnelResult, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return output::print(&Json(result), Format::Json);
    }
    let header = [
        "step",
        "touchpoint",
        "customers",
        "conversion",
        "from previous",
        "drop-off",
        "median time",
        "p90 time",
    ];
    let rows = |steps: &[journey::funnel::FunnelStepResult]| -> Vec<Vec<String>> {
        steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    format!("{}{}", i + 1, if s.optional { "?" } else { "" }),
                    s.touchpoint.clone(),
                    s.customers.to_string(),
                    format!("{:.1}%", s.conversion * 100.0),
                    format!("{:.1}%", s.conversion_from_previous * 100.0),
                    s.drop_off.to_string(),
                    opt_seconds(s.from_previous.median_s),
                    opt_seconds(s.from_previous.p90_s),
                ]
            })
            .collect()
    };
    let mut out = std::io::stdout();
    if format == Format::Csv {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["breakdown"].iter().chain(header.iter()))?;
        for row in rows(&result.steps) {
            writer.write_record(std::iter::once("(all)".to_string()).chain(row))?;
        }
        for breakdown in &result.breakdowns {
            for row in rows(&breakdown.steps) {
                writer.write_record(std::iter::once(breakdown.value.clone()).chain(row))?;
            }
        }
        writer.flush()?;
        return Ok(());
    }
    output::write_table(&mut out, &header, &rows(&result.steps))?;
    if result.excluded_customers > 0 {
        println!("{} customers excluded", result.excluded_customers);
    }
    for breakdown in &result.breakdowns {
        println!("\n{}:", breakdown.value);
        output::write_table(&mut out, &header, &rows(&breakdown.steps))?;
    }
    Ok(())
}

#[derive(Debug, Clone, Args)]
pub struct PathsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Paths start at the first occurrence of this touchpoint.
    #[arg(long)]
    pub start: Option<String>,
    /// Paths end at this touchpoint.
    #[arg(long)]
    pub end: Option<String>,
    /// Steps per path.
    #[arg(long, default_value_t = 5)]
    pub steps: usize,
    /// Edges kept; the rest fold into "other" nodes.
    #[arg(long, default_value_t = 50)]
    pub edges: usize,
    /// Inactivity that splits sessions.
    #[arg(long, default_value = "30m")]
    pub session_gap: String,
    /// Cleaning rule `REGEX=REPLACEMENT`, repeatable.
    #[arg(long = "clean")]
    pub cleaning: Vec<String>,
    /// Wildcard group such as `help_*`, repeatable.
    #[arg(long = "group")]
    pub groups: Vec<String>,
}

pub async fn paths(engine: &Engine, args: &PathsArgs) -> anyhow::Result<PathsResult> {
    Ok(engine
        .paths(&PathsQuery {
            filters: args.filter.to_filters(),
            start: args.start.clone(),
            end: args.end.clone(),
            steps: args.steps,
            edges: args.edges,
            session_gap: args.session_gap.clone(),
            clean: args.cleaning.clone(),
            group: args.groups.clone(),
        })
        .await?)
}

pub fn print_paths(result: &PathsResult, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return output::print(&Json(result), Format::Json);
    }
    let rows: Vec<Vec<String>> = result
        .edges
        .iter()
        .map(|e| {
            vec![
                e.source.clone(),
                e.target.clone(),
                e.count.to_string(),
                e.customers.to_string(),
                opt_seconds(e.duration.as_ref().and_then(|d| d.median_s)),
            ]
        })
        .collect();
    let header = ["source", "target", "paths", "customers", "median time"];
    if format == Format::Csv {
        let mut writer = csv::Writer::from_writer(std::io::stdout());
        writer.write_record(header)?;
        for row in rows {
            writer.write_record(row)?;
        }
        writer.flush()?;
        return Ok(());
    }
    println!("{} paths of {} customers\n", result.paths, result.customers);
    output::write_table(&mut std::io::stdout(), &header, &rows)?;
    Ok(())
}
