//! `touchpoint retention` and `touchpoint value`: the return journey —
//! retention cohorts and lifecycle, and the customer-base models (BG/NBD,
//! Pareto/NBD, Gamma-Gamma), CLV, RFM and who is slipping away.

use crate::analyses::FilterArgs;
use crate::output::{self, Format};
use clap::Args;
use engine::Engine;
use engine::returning::{LifecycleQuery, PeriodsText, RetentionQuery, ValueQuery};

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
    #[arg(long)]
    pub lifecycle: bool,
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
