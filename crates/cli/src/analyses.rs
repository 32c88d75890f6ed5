//! The analysis commands: map, variants, funnel, paths. Each validates its
//! arguments into a kernel spec, runs the kernel through the engine and
//! prints the result in the chosen format.

use crate::convert::parse_timestamp;
use crate::output::{self, Format, Tabular, human_seconds};
use clap::Args;
use engine::{BreakdownBy, Engine, EventFilter};
use journey::Accumulator;
use journey::funnel::{
    Attribution, BreakdownSpec, ExclusionSpec, FunnelAccumulator, FunnelOrder, FunnelResult,
    FunnelSpec, StepSpec,
};
use journey::map::{JourneyMap, MapAccumulator, MapSpec};
use journey::paths::{CleaningRule, PathsAccumulator, PathsResult, PathsSpec};
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

/// Parses a duration such as `90s`, `30m`, `2h`, `7d`, `1w` (a bare number
/// is seconds) into microseconds.
pub fn parse_duration_us(text: &str) -> anyhow::Result<i64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| anyhow::anyhow!("{text:?} is not a duration (e.g. 30m, 2h, 7d)"))?;
    let unit_s = match unit.trim() {
        "" | "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        other => anyhow::bail!("unknown duration unit {other:?} in {text:?} (s, m, h, d, w)"),
    };
    let us = value * unit_s * 1e6;
    anyhow::ensure!(us > 0.0 && us < 1e17, "duration {text:?} out of range");
    Ok(us.round() as i64)
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

fn step_spec(text: &str) -> StepSpec {
    let (names, optional) = match text.strip_suffix('?') {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let touchpoints: Vec<&str> = names.split('|').map(str::trim).collect();
    StepSpec {
        optional,
        ..StepSpec::new(&touchpoints)
    }
}

fn exclusion_spec(text: &str) -> anyhow::Result<ExclusionSpec> {
    let parts: Vec<&str> = text.split(':').collect();
    let [touchpoint, from, to] = parts[..] else {
        anyhow::bail!("--exclude {text:?}: expected touchpoint:from_step:to_step");
    };
    let step = |s: &str| {
        s.parse::<usize>()
            .map_err(|_| anyhow::anyhow!("--exclude {text:?}: {s:?} is not a step number"))
    };
    Ok(ExclusionSpec {
        touchpoints: vec![touchpoint.to_string()],
        from_step: step(from)?,
        to_step: step(to)?,
    })
}

pub fn breakdown_by(text: &str) -> anyhow::Result<BreakdownBy> {
    match text.split_once(':') {
        None if text == "channel" => Ok(BreakdownBy::Channel),
        Some(("trait", name)) if !name.is_empty() => Ok(BreakdownBy::Trait(name.to_string())),
        _ => anyhow::bail!("--breakdown {text:?}: use channel or trait:NAME"),
    }
}

fn attribution(text: &str) -> anyhow::Result<Attribution> {
    Ok(match text {
        "first" | "first_touch" => Attribution::FirstTouch,
        "last" | "last_touch" => Attribution::LastTouch,
        step => Attribution::Step(step.parse().map_err(|_| {
            anyhow::anyhow!("--attribution {text:?}: first, last or a step number")
        })?),
    })
}

pub async fn funnel(engine: &Engine, args: &FunnelArgs) -> anyhow::Result<FunnelResult> {
    let filter = args.filter.to_filter()?;
    let mut spec = FunnelSpec::new(args.steps.iter().map(|s| step_spec(s)).collect());
    spec.window_us =
        parse_duration_us(&args.window).map_err(|e| anyhow::anyhow!("--window: {e}"))?;
    spec.order = match args.mode {
        Mode::Ordered => FunnelOrder::Ordered,
        Mode::Strict => FunnelOrder::Strict,
        Mode::Unordered => FunnelOrder::Unordered,
    };
    spec.exclusions = args
        .exclusions
        .iter()
        .map(|e| exclusion_spec(e))
        .collect::<anyhow::Result<_>>()?;
    spec.customer_limit = args.customers;
    let breakdown = match &args.breakdown {
        Some(text) => Some(engine.breakdown(&breakdown_by(text)?)?),
        None => None,
    };
    if let Some(breakdown) = &breakdown {
        spec.breakdown = Some(BreakdownSpec {
            names: breakdown.names.clone(),
            attribution: attribution(&args.attribution)?,
            limit: 25,
        });
    }
    let funnel = std::sync::Arc::new(
        spec.validate_in(engine.catalog())
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let accumulator = engine
        .run_with_breakdown("funnel", &filter, breakdown, move || {
            FunnelAccumulator::new(funnel.clone())
        })
        .await?;
    Ok(accumulator.finish())
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
    let filter = args.filter.to_filter()?;
    let cleaning_rules = args
        .cleaning
        .iter()
        .map(|rule| {
            let (pattern, replacement) = rule
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--clean {rule:?}: expected REGEX=REPLACEMENT"))?;
            Ok(CleaningRule {
                pattern: pattern.to_string(),
                replacement: replacement.to_string(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let spec = PathsSpec {
        session_gap_us: parse_duration_us(&args.session_gap)
            .map_err(|e| anyhow::anyhow!("--session-gap: {e}"))?,
        start_point: args.start.clone(),
        end_point: args.end.clone(),
        cleaning_rules,
        wildcard_groups: args.groups.clone(),
        max_steps: args.steps,
        edge_limit: args.edges,
        ..PathsSpec::default()
    };
    let paths = std::sync::Arc::new(
        spec.validate_in(engine.catalog())
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let accumulator = engine
        .run("paths", &filter, move || {
            PathsAccumulator::new(paths.clone())
        })
        .await?;
    Ok(accumulator.finish())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration_us("90").expect("seconds"), 90_000_000);
        assert_eq!(parse_duration_us("30m").expect("minutes"), 1_800_000_000);
        assert_eq!(parse_duration_us("7d").expect("days"), 604_800_000_000);
        assert_eq!(parse_duration_us("1.5h").expect("hours"), 5_400_000_000);
        assert!(parse_duration_us("7x").is_err());
        assert!(parse_duration_us("soon").is_err());
        assert!(parse_duration_us("0s").is_err());
    }

    #[test]
    fn step_syntax() {
        let step = step_spec("cart|wishlist?");
        assert_eq!(
            step.touchpoints,
            vec!["cart".to_string(), "wishlist".to_string()]
        );
        assert!(step.optional);
        assert!(exclusion_spec("faq:1:2").is_ok());
        assert!(exclusion_spec("faq:1").is_err());
        assert_eq!(
            breakdown_by("trait:age_band").expect("trait"),
            BreakdownBy::Trait("age_band".into())
        );
        assert!(breakdown_by("plan").is_err());
        assert_eq!(attribution("2").expect("step"), Attribution::Step(2));
    }
}
