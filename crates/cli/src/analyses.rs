//! The analysis commands: map, variants, funnel, paths. Each validates its
//! arguments into a kernel spec, runs the kernel through the engine and
//! prints the result in the chosen format.

use crate::convert::parse_timestamp;
use crate::output::{self, Format, Tabular, human_seconds};
use clap::Args;
use engine::{Engine, EventFilter};
use journey::Accumulator;
use journey::map::{JourneyMap, MapAccumulator, MapSpec};
use journey::transitions::{TransitionAccumulator, TransitionGraph, TransitionSpec};
use journey::variants::{VariantAccumulator, VariantSpec, Variants};
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
    pub fn to_filter(&self) -> anyhow::Result<EventFilter> {
        let time = |text: &Option<String>, flag: &str| -> anyhow::Result<Option<i64>> {
            text.as_deref()
                .map(|t| parse_timestamp(t).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
                .transpose()
        };
        let filter = EventFilter {
            from_us: time(&self.from, "--from")?,
            to_us: time(&self.to, "--to")?,
            channels: self.channels.clone(),
            persona: self.persona.clone(),
        };
        if let (Some(from), Some(to)) = (filter.from_us, filter.to_us) {
            anyhow::ensure!(from < to, "--from must be before --to");
        }
        Ok(filter)
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

/// The journey map and its transition graph, computed in one pass.
#[derive(Debug, Serialize)]
pub struct MapReport {
    #[serde(flatten)]
    pub map: JourneyMap,
    #[serde(flatten)]
    pub graph: TransitionGraph,
    #[serde(skip)]
    top_transitions: usize,
}

pub async fn map(engine: &Engine, args: &MapArgs) -> anyhow::Result<MapReport> {
    let filter = args.filter.to_filter()?;
    let map_spec = MapSpec::new(engine.catalog().clone());
    let graph_spec = TransitionSpec {
        catalog: engine.catalog().clone(),
        collapse_repeats: args.collapse_repeats,
    };
    let accumulator = engine
        .run("map+transitions", &filter, move || {
            (
                MapAccumulator::new(&map_spec),
                TransitionAccumulator::new(&graph_spec),
            )
        })
        .await?;
    let (map, graph) = accumulator.finish();
    Ok(MapReport {
        map,
        graph,
        top_transitions: args.top_transitions,
    })
}

fn emotion_cell(emotion: &Option<journey::stats::MeanInterval>) -> String {
    emotion.map_or("-".into(), |e| {
        format!("{:+.2} [{:+.2}, {:+.2}]", e.mean, e.low, e.high)
    })
}

pub fn print_map(report: &MapReport, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => output::print(&Json(report), Format::Json),
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
                .take(report.top_transitions)
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
    anyhow::ensure!(args.max_len > 0, "--max-len must be at least 1");
    anyhow::ensure!(args.top > 0, "--top must be at least 1");
    let filter = args.filter.to_filter()?;
    let spec = VariantSpec {
        catalog: engine.catalog().clone(),
        max_len: args.max_len,
        collapse_repeats: args.collapse_repeats,
        top_n: args.top,
    };
    let accumulator = engine
        .run("variants", &filter, move || VariantAccumulator::new(&spec))
        .await?;
    Ok(accumulator.finish())
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
