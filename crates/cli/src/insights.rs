//! `touchpoint insights KIND`: pain points, at-risk customers, follow-up and
//! resolution gaps, root causes, service recovery, the emotion curve,
//! moments of truth, drivers, attribution, persona differences and
//! conformance — each as JSON with names (see `engine::insights`).

use crate::analyses::FilterArgs;
use crate::output::{self, Format};
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
    /// Compare the values of this customer trait instead of the personas of
    /// journey.toml: each value (the 32 most common) is a persona
    /// `NAME=value`.
    #[arg(long)]
    pub persona_trait: Option<String>,
    /// Print the kernel's whole report (JSON) instead of the ranked findings.
    #[arg(long)]
    pub report: bool,
    /// Findings shown in the table format.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => format!("{x:.3}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

pub async fn run(engine: &Engine, args: &InsightsArgs, format: Format) -> anyhow::Result<()> {
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
    if args.report {
        return output::print_json(&value);
    }
    let findings = engine::findings::findings(&args.insight, &value);
    if format != Format::Table {
        return output::print_json(&findings);
    }
    let rows: Vec<Vec<String>> = findings
        .iter()
        .take(args.top)
        .map(|f| {
            let subject = engine::findings::SUBJECT_KEYS
                .iter()
                .filter_map(|key| f.get(*key).map(|v| format!("{key} {}", cell(v))))
                .collect::<Vec<_>>()
                .join(", ");
            let e = &f["effect"];
            vec![
                cell(&f["rank"]),
                cell(&f["kind"]),
                subject,
                if e["low"].is_null() && e["high"].is_null() {
                    format!("{} {}", cell(&e["measure"]), cell(&e["value"]))
                } else {
                    format!(
                        "{} {} [{}, {}]",
                        cell(&e["measure"]),
                        cell(&e["value"]),
                        cell(&e["low"]),
                        cell(&e["high"])
                    )
                },
                cell(&f["customers"]),
            ]
        })
        .collect();
    println!(
        "{}: {} findings (--format json for all with their evidence, --report for the kernel's report)",
        args.insight,
        findings.len()
    );
    output::write_table(
        &mut std::io::stdout(),
        &["#", "kind", "about", "effect [95% interval]", "customers"],
        &rows,
    )?;
    Ok(())
}
