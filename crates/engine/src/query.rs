//! The analyses as queries: plain, deserialisable descriptions (what the CLI
//! flags and the HTTP query parameters say) validated here into kernel specs
//! and run through the engine. The CLI and the server share them, so both
//! accept the same syntax and give the same answers.

use crate::{BreakdownBy, Engine, EngineError, EventFilter};
use journey::Accumulator;
use journey::funnel::{
    Attribution, BreakdownSpec, ExclusionSpec, FunnelAccumulator, FunnelOrder, FunnelResult,
    FunnelSpec, StepSpec,
};
use journey::map::{JourneyMap, MapAccumulator, MapSpec};
use journey::paths::{CleaningRule, PathsAccumulator, PathsResult, PathsSpec};
use journey::transitions::{TransitionAccumulator, TransitionGraph, TransitionSpec};
use journey::variants::{VariantAccumulator, VariantSpec, Variants};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

fn invalid(message: String) -> EngineError {
    EngineError::Invalid(message)
}

/// Which events and customers an analysis sees, as text: times in ISO 8601
/// or epoch seconds.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Filters {
    pub from: Option<String>,
    pub to: Option<String>,
    pub channel: Vec<String>,
    pub persona: Option<String>,
}

impl Filters {
    pub fn to_filter(&self) -> Result<EventFilter, EngineError> {
        let time = |text: &Option<String>, name: &str| -> Result<Option<i64>, EngineError> {
            text.as_deref()
                .map(|t| {
                    model::parse_timestamp(t).map_err(|_| {
                        invalid(format!(
                            "{name}: {t:?} is not a time (ISO 8601 or epoch seconds)"
                        ))
                    })
                })
                .transpose()
        };
        let filter = EventFilter {
            from_us: time(&self.from, "from")?,
            to_us: time(&self.to, "to")?,
            channels: self.channel.clone(),
            persona: self.persona.clone().filter(|p| !p.is_empty()),
        };
        if let (Some(from), Some(to)) = (filter.from_us, filter.to_us)
            && from >= to
        {
            return Err(invalid("from must be before to".into()));
        }
        Ok(filter)
    }
}

/// The journey map and its transition graph.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct MapQuery {
    #[serde(flatten)]
    pub filters: Filters,
    /// Count consecutive repeats of a touchpoint once in the transitions.
    pub collapse_repeats: bool,
}

/// The journey map and its transition graph, computed in one pass.
#[derive(Debug, Clone, Serialize)]
pub struct MapReport {
    #[serde(flatten)]
    pub map: JourneyMap,
    #[serde(flatten)]
    pub graph: TransitionGraph,
}

/// The most common journeys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct VariantsQuery {
    #[serde(flatten)]
    pub filters: Filters,
    pub max_len: usize,
    pub top: usize,
    pub collapse_repeats: bool,
}

impl Default for VariantsQuery {
    fn default() -> Self {
        VariantsQuery {
            filters: Filters::default(),
            max_len: 10,
            top: 20,
            collapse_repeats: false,
        }
    }
}

/// How a funnel orders its steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelMode {
    #[default]
    Ordered,
    Strict,
    Unordered,
}

/// A conversion funnel. Steps as text: `a|b` accepts either touchpoint, a
/// trailing `?` makes a step optional; exclusions `touchpoint:from:to`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct FunnelQuery {
    #[serde(flatten)]
    pub filters: Filters,
    pub steps: Vec<String>,
    /// Conversion window from the step-1 event, e.g. `7d`.
    pub window: String,
    pub mode: FunnelMode,
    pub exclude: Vec<String>,
    /// `channel` or `trait:NAME`.
    pub breakdown: Option<String>,
    /// `first`, `last` or a step number.
    pub attribution: String,
    /// Customers listed per step and drop-off.
    pub customers: usize,
}

impl Default for FunnelQuery {
    fn default() -> Self {
        FunnelQuery {
            filters: Filters::default(),
            steps: Vec::new(),
            window: "14d".into(),
            mode: FunnelMode::Ordered,
            exclude: Vec::new(),
            breakdown: None,
            attribution: "first".into(),
            customers: 20,
        }
    }
}

/// Paths through touchpoints, for a Sankey diagram.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct PathsQuery {
    #[serde(flatten)]
    pub filters: Filters,
    pub start: Option<String>,
    pub end: Option<String>,
    pub steps: usize,
    pub edges: usize,
    pub session_gap: String,
    /// Cleaning rules `REGEX=>REPLACEMENT` (or `REGEX=REPLACEMENT`).
    pub clean: Vec<String>,
    /// Wildcard groups such as `help_*`.
    pub group: Vec<String>,
}

impl Default for PathsQuery {
    fn default() -> Self {
        PathsQuery {
            filters: Filters::default(),
            start: None,
            end: None,
            steps: 5,
            edges: 50,
            session_gap: "30m".into(),
            clean: Vec::new(),
            group: Vec::new(),
        }
    }
}

/// Parses a duration such as `90s`, `30m`, `2h`, `7d`, `1w` (a bare number
/// is seconds) into microseconds.
pub fn parse_duration_us(text: &str) -> Result<i64, EngineError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| invalid(format!("{text:?} is not a duration (e.g. 30m, 2h, 7d)")))?;
    let unit_s = match unit.trim() {
        "" | "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        other => {
            return Err(invalid(format!(
                "unknown duration unit {other:?} in {text:?} (s, m, h, d, w)"
            )));
        }
    };
    let us = value * unit_s * 1e6;
    if !(us > 0.0 && us < 1e17) {
        return Err(invalid(format!("duration {text:?} out of range")));
    }
    Ok(us.round() as i64)
}

/// A funnel step from its text form.
pub fn step_spec(text: &str) -> StepSpec {
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

/// A funnel exclusion from `touchpoint:from_step:to_step`.
pub fn exclusion_spec(text: &str) -> Result<ExclusionSpec, EngineError> {
    let parts: Vec<&str> = text.split(':').collect();
    let [touchpoint, from, to] = parts[..] else {
        return Err(invalid(format!(
            "exclusion {text:?}: expected touchpoint:from_step:to_step"
        )));
    };
    let step = |s: &str| {
        s.parse::<usize>()
            .map_err(|_| invalid(format!("exclusion {text:?}: {s:?} is not a step number")))
    };
    Ok(ExclusionSpec {
        touchpoints: vec![touchpoint.to_string()],
        from_step: step(from)?,
        to_step: step(to)?,
    })
}

/// A breakdown from `channel` or `trait:NAME`.
pub fn breakdown_by(text: &str) -> Result<BreakdownBy, EngineError> {
    match text.split_once(':') {
        None if text == "channel" => Ok(BreakdownBy::Channel),
        Some(("trait", name)) if !name.is_empty() => Ok(BreakdownBy::Trait(name.to_string())),
        _ => Err(invalid(format!(
            "breakdown {text:?}: use channel or trait:NAME"
        ))),
    }
}

/// Breakdown attribution from `first`, `last` or a step number.
pub fn attribution(text: &str) -> Result<Attribution, EngineError> {
    Ok(match text {
        "first" | "first_touch" => Attribution::FirstTouch,
        "last" | "last_touch" => Attribution::LastTouch,
        step => Attribution::Step(step.parse().map_err(|_| {
            invalid(format!(
                "attribution {text:?}: first, last or a step number"
            ))
        })?),
    })
}

impl Engine {
    /// The journey map and transition graph.
    pub async fn map(&self, query: &MapQuery) -> Result<MapReport, EngineError> {
        let filter = query.filters.to_filter()?;
        let map_spec = MapSpec::new(self.catalog().clone());
        let graph_spec = TransitionSpec {
            catalog: self.catalog().clone(),
            collapse_repeats: query.collapse_repeats,
        };
        let accumulator = self
            .run("map+transitions", &filter, move || {
                (
                    MapAccumulator::new(&map_spec),
                    TransitionAccumulator::new(&graph_spec),
                )
            })
            .await?;
        let (map, graph) = accumulator.finish();
        Ok(MapReport { map, graph })
    }

    /// The top variants.
    pub async fn variants(&self, query: &VariantsQuery) -> Result<Variants, EngineError> {
        if query.max_len == 0 {
            return Err(invalid("max_len must be at least 1".into()));
        }
        if query.top == 0 {
            return Err(invalid("top must be at least 1".into()));
        }
        let filter = query.filters.to_filter()?;
        let spec = VariantSpec {
            catalog: self.catalog().clone(),
            max_len: query.max_len,
            collapse_repeats: query.collapse_repeats,
            top_n: query.top,
        };
        let accumulator = self
            .run("variants", &filter, move || VariantAccumulator::new(&spec))
            .await?;
        Ok(accumulator.finish())
    }

    /// A conversion funnel.
    pub async fn funnel(&self, query: &FunnelQuery) -> Result<FunnelResult, EngineError> {
        let filter = query.filters.to_filter()?;
        let steps: Vec<StepSpec> = query
            .steps
            .iter()
            .flat_map(|s| s.split(','))
            .filter(|s| !s.trim().is_empty())
            .map(|s| step_spec(s.trim()))
            .collect();
        let mut spec = FunnelSpec::new(steps);
        spec.window_us =
            parse_duration_us(&query.window).map_err(|e| invalid(format!("window: {e}")))?;
        spec.order = match query.mode {
            FunnelMode::Ordered => FunnelOrder::Ordered,
            FunnelMode::Strict => FunnelOrder::Strict,
            FunnelMode::Unordered => FunnelOrder::Unordered,
        };
        spec.exclusions = query
            .exclude
            .iter()
            .map(|e| exclusion_spec(e))
            .collect::<Result<_, _>>()?;
        spec.customer_limit = query.customers;
        let breakdown = match query.breakdown.as_deref().filter(|b| !b.is_empty()) {
            Some(text) => Some(self.breakdown(&breakdown_by(text)?)?),
            None => None,
        };
        if let Some(breakdown) = &breakdown {
            spec.breakdown = Some(BreakdownSpec {
                names: breakdown.names.clone(),
                attribution: attribution(&query.attribution)?,
                limit: 25,
            });
        }
        let funnel = Arc::new(
            spec.validate_in(self.catalog())
                .map_err(|e| invalid(e.to_string()))?,
        );
        let accumulator = self
            .run_with_breakdown("funnel", &filter, breakdown, move || {
                FunnelAccumulator::new(funnel.clone())
            })
            .await?;
        Ok(accumulator.finish())
    }

    /// Paths through touchpoints.
    pub async fn paths(&self, query: &PathsQuery) -> Result<PathsResult, EngineError> {
        let filter = query.filters.to_filter()?;
        let cleaning_rules = query
            .clean
            .iter()
            .map(|rule| {
                let (pattern, replacement) = rule
                    .split_once("=>")
                    .or_else(|| rule.split_once('='))
                    .ok_or_else(|| {
                        invalid(format!(
                            "cleaning rule {rule:?}: expected REGEX=REPLACEMENT"
                        ))
                    })?;
                Ok(CleaningRule {
                    pattern: pattern.to_string(),
                    replacement: replacement.to_string(),
                })
            })
            .collect::<Result<_, EngineError>>()?;
        let spec = PathsSpec {
            session_gap_us: parse_duration_us(&query.session_gap)
                .map_err(|e| invalid(format!("session gap: {e}")))?,
            start_point: query.start.clone().filter(|s| !s.is_empty()),
            end_point: query.end.clone().filter(|s| !s.is_empty()),
            cleaning_rules,
            wildcard_groups: query.group.clone(),
            max_steps: query.steps,
            edge_limit: query.edges,
            ..PathsSpec::default()
        };
        let paths = Arc::new(
            spec.validate_in(self.catalog())
                .map_err(|e| invalid(e.to_string()))?,
        );
        let accumulator = self
            .run("paths", &filter, move || {
                PathsAccumulator::new(paths.clone())
            })
            .await?;
        Ok(accumulator.finish())
    }
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

    #[test]
    fn filters_validate() {
        let filters = Filters {
            from: Some("2025-01-02".into()),
            to: Some("2025-01-01".into()),
            ..Filters::default()
        };
        assert!(filters.to_filter().is_err());
        let filters = Filters {
            from: Some("yesterday".into()),
            ..Filters::default()
        };
        assert!(filters.to_filter().is_err());
    }
}
