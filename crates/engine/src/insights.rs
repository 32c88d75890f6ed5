//! The insight queries: pain points, unhappy customers at risk, follow-up
//! gaps, resolution gaps, root causes, service recovery, the emotion curve
//! (kernels of `journey::insights`), and moments of truth, drivers, Markov
//! attribution, persona differences and conformance (`journey::outcomes`).
//! Kernels speak ids; the answer here carries names, and customer keys as
//! strings.

use crate::query::Filters;
use crate::{Engine, EngineError, FactNames};
use journey::Accumulator;
use journey::insights::{
    AtRiskAccumulator, EmotionCurveAccumulator, FollowUpAccumulator, InsightContext, InsightSpec,
    PainPointsAccumulator, RecoveryAccumulator, ResolutionAccumulator, RootCauseAccumulator,
};
use journey::outcomes::{
    AttributionAccumulator, AttributionSpec, ConformanceAccumulator, ConformanceSpec,
    DriverAccumulator, DriverSpec, MomentsAccumulator, MomentsSpec, OutcomeName, OutcomeRule,
    PersonaDifferenceAccumulator, PersonaDifferenceSpec,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// Every insight the engine answers, by its CLI/API name.
pub const INSIGHTS: [&str; 12] = [
    "pain-points",
    "at-risk",
    "follow-up",
    "resolution",
    "root-causes",
    "recovery",
    "emotion",
    "moments",
    "drivers",
    "attribution",
    "personas",
    "conformance",
];

/// One insight query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InsightsQuery {
    pub filters: Filters,
    /// One of [`INSIGHTS`].
    pub insight: String,
    /// For moments and drivers: repurchase, churn, promoter, conversion or
    /// recommendation (as defined in journey.toml).
    pub outcome: Option<String>,
    /// The outcome is reaching this touchpoint later.
    pub outcome_touchpoint: Option<String>,
    /// Overrides the definition's repurchase or churn window.
    pub days: Option<u32>,
}

fn invalid(message: String) -> EngineError {
    EngineError::Invalid(message)
}

/// Names of the ids that kernels put into their findings.
struct Names<'a> {
    touchpoints: Vec<String>,
    stages: &'a [String],
    personas: Vec<String>,
    facts: &'a FactNames,
    contacts: crate::ContactNames,
}

impl Names<'_> {
    fn lookup(list: &[String], value: &Value) -> Option<Value> {
        let id = value.as_u64()?;
        Some(match list.get(id as usize) {
            Some(name) => json!(name),
            None => Value::Null,
        })
    }

    /// Rewrites ids into names by field name; `context` is the name of the
    /// enclosing list (resolution rows say what their `id` is that way).
    fn resolve(&self, value: &mut Value, context: &str) {
        let contacts = &self.contacts;
        match value {
            Value::Object(map) => {
                for (key, inner) in map.iter_mut() {
                    let list: Option<&[String]> = match key.as_str() {
                        "touchpoint" | "next_touchpoint" | "from_touchpoint" | "to_touchpoint" => {
                            Some(&self.touchpoints)
                        }
                        "stage" => Some(self.stages),
                        "persona" => Some(&self.personas),
                        "theme" => Some(&self.facts.themes),
                        "agent" => Some(&self.facts.agents),
                        "channel" => Some(&self.facts.channels),
                        "team" => Some(&contacts.teams),
                        "queue" => Some(&contacts.queues),
                        "issue" => Some(&contacts.issues),
                        "id" => match context {
                            "agents" => Some(&self.facts.agents),
                            "channels" => Some(&self.facts.channels),
                            "themes" => Some(&self.facts.themes),
                            "teams" => Some(&contacts.teams),
                            "queues" => Some(&contacts.queues),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(list) = list
                        && let Some(name) = Self::lookup(list, inner)
                    {
                        *inner = name;
                        continue;
                    }
                    if (key == "touchpoints" || key == "path")
                        && let Value::Array(items) = inner
                        && items.iter().all(Value::is_number)
                    {
                        for item in items.iter_mut() {
                            if let Some(name) = Self::lookup(&self.touchpoints, item) {
                                *item = name;
                            }
                        }
                        continue;
                    }
                    if key.contains("customer")
                        && let Value::Array(items) = inner
                        && items.iter().all(Value::is_number)
                    {
                        for item in items.iter_mut() {
                            if let Value::Number(n) = item {
                                *item = Value::String(n.to_string());
                            }
                        }
                        continue;
                    }
                    if key == "customer"
                        && let Value::Number(n) = inner
                    {
                        *inner = Value::String(n.to_string());
                        continue;
                    }
                    let context = key.clone();
                    self.resolve(inner, &context);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.resolve(v, context)),
            _ => {}
        }
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, EngineError> {
    serde_json::to_value(value).map_err(|e| invalid(e.to_string()))
}

impl Engine {
    /// The context every insight kernel shares, with the data's end as "now".
    async fn insight_context(&self) -> Result<Arc<InsightContext>, EngineError> {
        let mut spec = InsightSpec::new(self.catalog().clone());
        spec.data_end_us = Some(self.last_event_us().await?);
        Ok(Arc::new(
            spec.validate().map_err(|e| invalid(e.to_string()))?,
        ))
    }

    /// The time of the last stored event, µs; an error for an empty store.
    pub(crate) async fn last_event_us(&self) -> Result<i64, EngineError> {
        let batches = self
            .sql("SELECT CAST(max(ts) AS BIGINT) FROM events")
            .await?;
        let array = batches.first().map(|b| {
            arrow::array::AsArray::as_primitive::<arrow::datatypes::Int64Type>(b.column(0)).clone()
        });
        match array {
            Some(a) if a.len() == 1 && !arrow::array::Array::is_null(&a, 0) => Ok(a.value(0)),
            _ => Err(invalid("the store holds no events".into())),
        }
    }

    fn outcome_rule(&self, query: &InsightsQuery, now_us: i64) -> Result<OutcomeRule, EngineError> {
        let mut outcomes = self.definition().outcomes.clone();
        if let Some(days) = query.days {
            outcomes.repurchase_days = days;
            outcomes.churn_days = days;
        }
        let name = match (&query.outcome_touchpoint, query.outcome.as_deref()) {
            (Some(touchpoint), _) => OutcomeName::Reaches(touchpoint.clone()),
            (None, None | Some("repurchase")) => OutcomeName::Repurchase,
            (None, Some("churn")) => OutcomeName::Churn,
            (None, Some("promoter")) => OutcomeName::Promoter,
            (None, Some("conversion")) => OutcomeName::Conversion,
            (None, Some("recommendation")) => OutcomeName::Recommendation,
            (None, Some(other)) => {
                return Err(invalid(format!(
                    "outcome {other:?}: use repurchase, churn, promoter, conversion or recommendation"
                )));
            }
        };
        OutcomeRule::from_definition(&outcomes, self.catalog(), &name, now_us)
            .map_err(|e| invalid(e.to_string()))
    }

    /// Runs one insight and answers its findings as JSON with names.
    pub async fn insight(&self, query: &InsightsQuery) -> Result<Value, EngineError> {
        let filter = query.filters.to_filter()?;
        let context = self.insight_context().await?;
        let now_us = self.last_event_us().await?;
        let kernel_error = |e: &dyn std::fmt::Display| invalid(e.to_string());
        let fact_names = if query.insight == "root-causes" || query.insight == "resolution" {
            self.fact_names_with_themes().await?
        } else {
            self.fact_names().await?
        };
        macro_rules! run {
            ($name:expr, $make:expr) => {{
                let accumulator = self
                    .run_with_names($name, &filter, fact_names.clone(), $make)
                    .await?;
                to_json(&accumulator.finish())?
            }};
        }
        macro_rules! checked {
            ($build:expr) => {{
                let probe = $build;
                if let Err(e) = &probe {
                    return Err(kernel_error(e));
                }
                move || $build.expect("validated before the query ran")
            }};
        }
        let n_personas = self.definition().personas.len();
        let value = match query.insight.as_str() {
            "pain-points" => {
                let c = context.clone();
                run!(
                    "pain points",
                    checked!(PainPointsAccumulator::new(c.clone(), Default::default()))
                )
            }
            "at-risk" => {
                let c = context.clone();
                run!(
                    "at risk",
                    checked!(AtRiskAccumulator::new(c.clone(), Default::default()))
                )
            }
            "follow-up" => {
                let c = context.clone();
                run!(
                    "follow-up",
                    checked!(FollowUpAccumulator::new(c.clone(), Default::default()))
                )
            }
            "resolution" => {
                let c = context.clone();
                run!(
                    "resolution",
                    checked!(ResolutionAccumulator::new(c.clone(), Default::default()))
                )
            }
            "root-causes" => {
                let c = context.clone();
                run!(
                    "root causes",
                    checked!(RootCauseAccumulator::new(c.clone(), Default::default()))
                )
            }
            "recovery" => {
                let c = context.clone();
                run!(
                    "recovery",
                    checked!(RecoveryAccumulator::new(c.clone(), Default::default()))
                )
            }
            "emotion" => {
                let c = context.clone();
                run!("emotion curve", move || EmotionCurveAccumulator::new(
                    c.clone()
                ))
            }
            "moments" => {
                let spec = MomentsSpec::new(self.outcome_rule(query, now_us)?);
                run!("moments of truth", checked!(MomentsAccumulator::new(&spec)))
            }
            "drivers" => {
                let spec = DriverSpec::new(self.outcome_rule(query, now_us)?);
                run!("drivers", checked!(DriverAccumulator::new(&spec)))
            }
            "attribution" => {
                let conversion = match &query.outcome_touchpoint {
                    Some(_) => self.outcome_rule(query, now_us)?,
                    None => self.outcome_rule(
                        &InsightsQuery {
                            outcome: Some("conversion".into()),
                            ..query.clone()
                        },
                        now_us,
                    )?,
                };
                let spec = AttributionSpec { conversion };
                run!("attribution", checked!(AttributionAccumulator::new(&spec)))
            }
            "personas" => {
                let spec = PersonaDifferenceSpec::new(n_personas);
                run!(
                    "persona differences",
                    checked!(PersonaDifferenceAccumulator::new(&spec))
                )
            }
            "conformance" => {
                let mut spec = ConformanceSpec::from_definition(self.catalog())
                    .map_err(|e| kernel_error(&e))?;
                spec.n_personas = n_personas;
                run!("conformance", checked!(ConformanceAccumulator::new(&spec)))
            }
            other => {
                return Err(invalid(format!(
                    "no insight {other:?}; use one of {}",
                    INSIGHTS.join(", ")
                )));
            }
        };
        let catalog = self.catalog();
        let names = Names {
            touchpoints: journey::funnel::catalog_names(catalog),
            stages: catalog.stages(),
            personas: self
                .definition()
                .personas
                .iter()
                .map(|p| p.name.clone())
                .collect(),
            facts: &fact_names,
            contacts: fact_names.contacts.clone().unwrap_or_default(),
        };
        let mut value = value;
        names.resolve(&mut value, "");
        Ok(value)
    }
}
