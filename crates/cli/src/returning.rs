//! `touchpoint retention` and `touchpoint value`: the return journey —
//! retention cohorts and lifecycle, and the customer-base models (BG/NBD,
//! Pareto/NBD, Gamma-Gamma), CLV, RFM and who is slipping away.

use crate::analyses::FilterArgs;
use crate::output::{self, Format};
use clap::Args;
use engine::Engine;
use engine::returning::{
    LifecycleQuery, PeriodsText, RepeatQuery, RetentionQuery, StickinessQuery, ValueQuery,
};

#[derive(Debug, Clone, Args)]
pub struct RetentionArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Touchpoint that starts a cohort (repeatable; none = any).
    #[arg(long)]
    pub start: Vec<String>,
    /// Touchpoint that counts as a return (repeatable; none = any).
    #[arg(long = "return")]
    pub returning: Vec<String>,
    /// first_time or recurring.
    #[arg(long = "type", default_value = "first_time")]
    pub retention_type: String,
    /// day, week or month.
    #[arg(long, default_value = "week")]
    pub period: String,
    /// Number of periods.
    #[arg(long, default_value_t = 12)]
    pub periods: usize,
    /// Start of period 0 (default: the first stored event).
    #[arg(long = "since")]
    pub since: Option<String>,
    /// A return in period k counts in every period up to k.
    #[arg(long)]
    pub cumulative: bool,
    /// total or previous.
    #[arg(long, default_value = "total")]
    pub reference: String,
    /// Print lifecycle (new, returning, resurrecting, dormant) instead.
    #[arg(long, conflicts_with = "stickiness")]
    pub lifecycle: bool,
    /// Print stickiness (customers by active days per period) instead;
    /// --return names the touchpoints that make a day active.
    #[arg(long)]
    pub stickiness: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RepeatArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Purchase touchpoint (repeatable; default outcomes.purchase of journey.toml).
    #[arg(long = "purchase-touchpoint")]
    pub purchase: Vec<String>,
    /// Referral touchpoint (repeatable; default outcomes.recommendation).
    #[arg(long = "referral-touchpoint")]
    pub referral: Vec<String>,
    /// The loyalty stage (default: the stage called loyalty, if any).
    #[arg(long)]
    pub loyalty_stage: Option<String>,
    /// The advocacy stage (default: the stage called advocacy, if any).
    #[arg(long)]
    pub advocacy_stage: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ValueArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Purchase touchpoint (repeatable; default outcomes.purchase of journey.toml).
    #[arg(long = "purchase-touchpoint")]
    pub purchase: Vec<String>,
    /// End of calibration (default: the last stored event).
    #[arg(long)]
    pub calibration_end: Option<String>,
    /// day or week.
    #[arg(long, default_value = "week")]
    pub period: String,
    /// List every customer's P(alive), expected purchases and CLV.
    #[arg(long)]
    pub per_customer: bool,
    /// Customers listed otherwise (highest CLV first).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

pub async fn retention(
    engine: &Engine,
    args: &RetentionArgs,
    format: Format,
) -> anyhow::Result<()> {
    let periods = PeriodsText {
        period: args.period.clone(),
        periods: args.periods,
        from: args.since.clone(),
    };
    if args.stickiness {
        return stickiness(engine, args, periods, format).await;
    }
    if args.lifecycle {
        let report = engine
            .lifecycle(&LifecycleQuery {
                filters: args.filter.to_filters(),
                touchpoints: args.returning.clone(),
                periods,
            })
            .await?;
        if format != Format::Table {
            return output::print_json(&report);
        }
        let group = report.groups.first().expect("the report has the group all");
        let rows: Vec<Vec<String>> = group
            .periods
            .iter()
            .map(|p| {
                vec![
                    p.period_start.clone(),
                    p.new.to_string(),
                    p.returning.to_string(),
                    p.resurrecting.to_string(),
                    format!("-{}", p.dormant),
                ]
            })
            .collect();
        output::write_table(
            &mut std::io::stdout(),
            &["period", "new", "returning", "resurrecting", "dormant"],
            &rows,
        )?;
        return Ok(());
    }
    let report = engine
        .retention(&RetentionQuery {
            filters: args.filter.to_filters(),
            start: args.start.clone(),
            returning: args.returning.clone(),
            retention_type: args.retention_type.clone(),
            periods,
            cumulative: args.cumulative,
            reference: args.reference.clone(),
        })
        .await?;
    if format != Format::Table {
        return output::print_json(&report);
    }
    let group = report.groups.first().expect("the report has the group all");
    let mut header = vec!["cohort".to_string(), "size".to_string()];
    header.extend((0..args.periods).map(|k| format!("{k}")));
    let rows: Vec<Vec<String>> = group
        .cohorts
        .iter()
        .map(|cohort| {
            let mut row = vec![cohort.cohort_start.clone(), cohort.size.to_string()];
            row.extend(
                cohort
                    .shares
                    .iter()
                    .map(|s| s.map_or("-".into(), |s| format!("{:.1}%", s * 100.0))),
            );
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    output::write_table(&mut std::io::stdout(), &header, &rows)?;
    Ok(())
}

async fn stickiness(
    engine: &Engine,
    args: &RetentionArgs,
    periods: PeriodsText,
    format: Format,
) -> anyhow::Result<()> {
    let report = engine
        .stickiness(&StickinessQuery {
            filters: args.filter.to_filters(),
            touchpoints: args.returning.clone(),
            periods,
        })
        .await?;
    if format != Format::Table {
        return output::print_json(&report);
    }
    let group = report.groups.first().expect("the report has the group all");
    let widest = group.periods.iter().map(|p| p.days).max().unwrap_or(1);
    let mut header = vec!["period".to_string(), "active".to_string()];
    header.extend((1..=widest).map(|d| format!("{d}d")));
    let rows: Vec<Vec<String>> = group
        .periods
        .iter()
        .map(|p| {
            let mut row = vec![p.period_start.clone(), p.customers.to_string()];
            row.extend((0..widest).map(|d| {
                p.customers_by_active_days
                    .get(d)
                    .map_or(String::new(), u64::to_string)
            }));
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    output::write_table(&mut std::io::stdout(), &header, &rows)?;
    Ok(())
}

/// `touchpoint repeat`: repurchase rate and time, loyalty and advocacy
/// reach, referrals — for everyone and per persona.
pub async fn repeat(engine: &Engine, args: &RepeatArgs, format: Format) -> anyhow::Result<()> {
    let report = engine
        .repeat(&RepeatQuery {
            filters: args.filter.to_filters(),
            purchase: args.purchase.clone(),
            referral: args.referral.clone(),
            loyalty_stage: args.loyalty_stage.clone(),
            advocacy_stage: args.advocacy_stage.clone(),
        })
        .await?;
    if format != Format::Table {
        return output::print_json(&report);
    }
    let share = |s: Option<f64>| s.map_or("-".into(), |s| format!("{:.1}%", s * 100.0));
    let rows: Vec<Vec<String>> = report
        .groups
        .iter()
        .map(|g| {
            vec![
                g.group.clone(),
                g.customers.to_string(),
                g.purchasers.to_string(),
                share(g.repurchase_rate),
                g.time_to_repurchase
                    .map_or("-".into(), |t| format!("{:.1}", t.days.median)),
                share(g.loyalty_share),
                share(g.advocacy_share),
                g.referrals.to_string(),
                share(g.referring_share),
            ]
        })
        .collect();
    output::write_table(
        &mut std::io::stdout(),
        &[
            "group",
            "customers",
            "purchasers",
            "repurchase",
            "median days to repurchase",
            "loyalty",
            "advocacy",
            "referrals",
            "referring",
        ],
        &rows,
    )?;
    Ok(())
}

pub async fn value(engine: &Engine, args: &ValueArgs, format: Format) -> anyhow::Result<()> {
    let report = engine
        .value(&ValueQuery {
            filters: args.filter.to_filters(),
            purchase: args.purchase.clone(),
            calibration_end: args.calibration_end.clone(),
            period: args.period.clone(),
            limit: if args.per_customer {
                usize::MAX
            } else {
                args.top
            },
        })
        .await?;
    if format != Format::Table {
        return output::print_json(&report);
    }
    println!(
        "{} customers with purchases; calibration ends {}; period {}",
        report.customers, report.calibration_end, report.period
    );
    let b = &report.bgnbd;
    println!(
        "BG/NBD      r {:.4}  alpha {:.4}  a {:.4}  b {:.4}  LL {:.2}",
        b.r, b.alpha, b.a, b.b, b.log_likelihood
    );
    let p = &report.pareto_nbd;
    println!(
        "Pareto/NBD  r {:.4}  alpha {:.4}  s {:.4}  beta {:.4}  LL {:.2}",
        p.r, p.alpha, p.s, p.beta, p.log_likelihood
    );
    match &report.gamma_gamma {
        Some(g) => println!(
            "Gamma-Gamma p {:.4}  q {:.4}  gamma {:.4}",
            g.p, g.q, g.gamma
        ),
        None => println!("Gamma-Gamma: not fitted (too few repeat purchases with value)"),
    }
    println!();
    let rows: Vec<Vec<String>> = report
        .outlooks
        .iter()
        .map(|o| {
            vec![
                o.customer.clone(),
                format!("{:.3}", o.p_alive),
                format!("{:.2}", o.expected_purchases),
                format!("{:.2}", o.clv),
            ]
        })
        .collect();
    output::write_table(
        &mut std::io::stdout(),
        &["customer", "P(alive)", "expected purchases", "CLV"],
        &rows,
    )?;
    println!();
    let rows: Vec<Vec<String>> = report
        .rfm
        .iter()
        .map(|s| vec![s.segment.clone(), s.customers.to_string()])
        .collect();
    output::write_table(&mut std::io::stdout(), &["RFM segment", "customers"], &rows)?;
    Ok(())
}
