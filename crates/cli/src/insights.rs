//! `touchpoint insights KIND`: pain points, at-risk customers, follow-up and
//! resolution gaps, root causes, service recovery, the emotion curve,
//! moments of truth, drivers, attribution, persona differences and
//! conformance — each as JSON with names (see `engine::insights`).

use crate::analyses::FilterArgs;
use crate::output;
use clap::Args;
use engine::Engine;
use engine::insights::{INSIGHTS, InsightsQuery};

#[derive(Debug, Clone, Args)]
pub struct InsightsArgs {
    /// Which insight: pain-points, at-risk, follow-up, resolution,
    /// root-causes, recovery, emotion, moments, drivers, attribution,
    /// personas, conformance.
    pub insight: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Outcome of moments and drivers: repurchase, churn, promoter,
    /// conversion or recommendation (as journey.toml defines them).
    #[arg(long)]
    pub outcome: Option<String>,
    /// The outcome is reaching this touchpoint later.
    #[arg(long)]
    pub outcome_touchpoint: Option<String>,
    /// Window of the repurchase or churn outcome, days.
    #[arg(long)]
    pub days: Option<u32>,
}

pub async fn run(engine: &Engine, args: &InsightsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        INSIGHTS.contains(&args.insight.as_str()),
        "no insight {:?}; use one of {}",
        args.insight,
        INSIGHTS.join(", ")
    );
    let value = engine
        .insight(&InsightsQuery {
            filters: args.filter.to_filters(),
            insight: args.insight.clone(),
            outcome: args.outcome.clone(),
            outcome_touchpoint: args.outcome_touchpoint.clone(),
            days: args.days,
        })
        .await?;
    output::print_json(&value)
}
