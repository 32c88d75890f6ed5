//! `touchpoint contacts` and `touchpoint staff`: contact-centre metrics,
//! the handover network, Erlang staffing and the staffing plan per queue.

use crate::analyses::FilterArgs;
use crate::output::{self, Format};
use clap::{Args, Subcommand};
use engine::Engine;
use engine::contacts::{ContactsQuery, ErlangQuery, StaffPlanQuery};

#[derive(Debug, Clone, Args)]
pub struct ContactsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Group by channel, queue, team, agent or interval, or a `+` join of
    /// them (repeatable; default channel, queue, team and agent).
    #[arg(long)]
    pub by: Vec<String>,
    /// Length of the interval dimension.
    #[arg(long, default_value = "30m")]
    pub interval: String,
    /// Service-level threshold (default: targets.answer_within_s of journey.toml).
    #[arg(long)]
    pub answer_within: Option<String>,
    /// Abandons after a shorter wait are short abandons.
    #[arg(long, default_value = "5s")]
    pub short_abandon: String,
    /// A repeat contact within this window is not first-contact resolved
    /// (default: targets.repeat_contact_days).
    #[arg(long)]
    pub repeat_window: Option<String>,
    /// Print the handover network between teams and agents instead.
    #[arg(long)]
    pub handovers: bool,
    /// Print the agents' own journey (time per activity, occupancy, manual
    /// steps) from the agent events instead; --team narrows it.
    #[arg(long, conflicts_with = "handovers")]
    pub agents: bool,
    /// With --agents: only this team.
    #[arg(long)]
    pub team: Option<String>,
    /// Longest gap between two contacts that still makes a handover.
    #[arg(long, default_value = "15m")]
    pub handover_window: String,
}

#[derive(Debug, Clone, Subcommand)]
pub enum StaffCommand {
    /// Agents needed for given traffic (Erlang C, or Erlang A with patience).
    Erlang(ErlangArgs),
    /// Per queue: history, weekly-seasonal forecast and required agents per interval.
    Plan(PlanArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ErlangArgs {
    /// c (callers wait) or a (callers abandon after --patience).
    #[arg(long, default_value = "c")]
    pub model: String,
    /// Contacts offered per interval.
    #[arg(long)]
    pub arrivals: f64,
    #[arg(long, default_value = "30m")]
    pub interval: String,
    /// Average handle time (talk + hold + wrap).
    #[arg(long)]
    pub aht: String,
    /// Share to answer within --answer-within.
    #[arg(long, default_value_t = 0.8)]
    pub service_level: f64,
    #[arg(long, default_value = "20s")]
    pub answer_within: String,
    /// Mean patience before callers hang up (Erlang A).
    #[arg(long)]
    pub patience: Option<String>,
    /// Upper bound on the average speed of answer.
    #[arg(long)]
    pub max_asa: Option<String>,
    /// Share of paid time agents are unavailable.
    #[arg(long, default_value_t = 0.0)]
    pub shrinkage: f64,
    #[arg(long, default_value_t = 1.0)]
    pub max_occupancy: f64,
    /// Also show the metrics at this many agents.
    #[arg(long)]
    pub agents: Option<u32>,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only this queue (repeatable).
    #[arg(long)]
    pub queue: Vec<String>,
    #[arg(long, default_value = "30m")]
    pub interval: String,
    /// Weeks of history averaged for each interval of the week.
    #[arg(long, default_value_t = 4)]
    pub weeks: usize,
    /// How far ahead to plan.
    #[arg(long, default_value = "7d")]
    pub horizon: String,
    /// a (Erlang A, patience estimated from the abandons) or c.
    #[arg(long, default_value = "a")]
    pub model: String,
    /// Default: targets.service_level of journey.toml.
    #[arg(long)]
    pub service_level: Option<f64>,
    /// Default: targets.answer_within_s of journey.toml.
    #[arg(long)]
    pub answer_within: Option<String>,
    #[arg(long, default_value_t = 0.3)]
    pub shrinkage: f64,
    #[arg(long, default_value_t = 0.85)]
    pub max_occupancy: f64,
}

fn percent(share: Option<f64>) -> String {
    share.map_or("-".into(), |s| format!("{:.1}%", s * 100.0))
}

fn seconds(value: Option<f64>) -> String {
    value.map_or("-".into(), |s| format!("{s:.0}"))
}

fn hours(seconds: f64) -> String {
    format!("{:.1}", seconds / 3600.0)
}

async fn agents(engine: &Engine, args: &ContactsArgs, format: Format) -> anyhow::Result<()> {
    let report = engine
        .agents(&engine::agents::AgentsQuery {
            from: args.filter.from.clone(),
            to: args.filter.to.clone(),
            team: args.team.clone(),
        })
        .await?;
    if format != Format::Table {
        return output::print_json(&report);
    }
    println!(
        "{} agent events ({} invalid skipped); hours per activity",
        report.events, report.invalid_events
    );
    let rows: Vec<Vec<String>> = std::iter::once(&report.total)
        .chain(&report.teams)
        .chain(&report.agents)
        .map(|s| {
            let t = &s.stats.time;
            vec![
                s.agent
                    .clone()
                    .or_else(|| s.team.as_ref().map(|t| format!("team {t}")))
                    .unwrap_or_else(|| "all agents".into()),
                hours(s.stats.logged_in_s),
                hours(t.handling_s),
                hours(t.after_contact_work_s),
                hours(t.manual_task_s + t.tool_lookup_s),
                hours(t.ready_idle_s),
                hours(t.not_ready_s + t.break_s),
                percent(s.stats.occupancy),
                s.stats
                    .manual_steps_per_contact
                    .map_or("-".into(), |m| format!("{m:.2}")),
            ]
        })
        .collect();
    output::write_table(
        &mut std::io::stdout(),
        &[
            "",
            "logged in",
            "handling",
            "wrap",
            "manual+tools",
            "idle",
            "not ready+break",
            "occupancy",
            "manual steps/contact",
        ],
        &rows,
    )?;
    Ok(())
}

pub async fn contacts(engine: &Engine, args: &ContactsArgs, format: Format) -> anyhow::Result<()> {
    if args.agents {
        return agents(engine, args, format).await;
    }
    if args.handovers {
        let report = engine
            .handovers(&args.filter.to_filters(), &args.handover_window)
            .await?;
        if format != Format::Table {
            return output::print_json(&report);
        }
        for (title, edges) in [("teams", &report.teams), ("agents", &report.agents)] {
            println!("Handovers between {title}");
            let rows: Vec<Vec<String>> = edges
                .iter()
                .take(30)
                .map(|e| {
                    vec![
                        format!("{:?}", e.kind).to_lowercase(),
                        e.from.clone(),
                        e.to.clone(),
                        e.count.to_string(),
                        e.customers.to_string(),
                        seconds(e.mean_extra_wait_s),
                    ]
                })
                .collect();
            output::write_table(
                &mut std::io::stdout(),
                &[
                    "kind",
                    "from",
                    "to",
                    "handovers",
                    "customers",
                    "extra wait s",
                ],
                &rows,
            )?;
            println!();
        }
        return Ok(());
    }
    let defaults = ContactsQuery::default();
    let report = engine
        .contacts(&ContactsQuery {
            filters: args.filter.to_filters(),
            by: if args.by.is_empty() {
                defaults.by
            } else {
                args.by.clone()
            },
            interval: args.interval.clone(),
            answer_within: args.answer_within.clone(),
            short_abandon: args.short_abandon.clone(),
            repeat_window: args.repeat_window.clone(),
        })
        .await?;
    if format != Format::Table {
        return output::print_json(&report);
    }
    let header = [
        "group",
        "offered",
        "answered",
        "abandoned",
        "SL",
        "ASA s",
        "AHT s",
        "transfers",
        "FCR reported",
        "FCR true",
    ];
    let row = |label: String, m: &journey::contact::ContactMetrics| {
        vec![
            label,
            m.offered.to_string(),
            m.answered.to_string(),
            m.abandoned.to_string(),
            percent(m.service_level),
            seconds(m.asa_s),
            seconds(m.aht_s),
            percent(m.transfer_rate),
            percent(m.reported_fcr),
            percent(m.true_fcr),
        ]
    };
    println!(
        "Service level: answered within {} s over all offered contacts (abandons included)",
        report.answer_within_s
    );
    output::write_table(
        &mut std::io::stdout(),
        &header,
        &[row("all contacts".into(), &report.total)],
    )?;
    for grouping in &report.groupings {
        println!("\nBy {}", grouping.by);
        let rows: Vec<Vec<String>> = grouping
            .groups
            .iter()
            .map(|g| {
                let label = [
                    g.channel.as_deref(),
                    g.queue.as_deref(),
                    g.team.as_deref(),
                    g.agent.as_deref(),
                    g.interval_start.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
                row(
                    if label.is_empty() {
                        "(none)".into()
                    } else {
                        label
                    },
                    &g.metrics,
                )
            })
            .collect();
        output::write_table(&mut std::io::stdout(), &header, &rows)?;
    }
    Ok(())
}

pub fn erlang(args: &ErlangArgs, format: Format) -> anyhow::Result<()> {
    let report = engine::contacts::erlang(&ErlangQuery {
        model: args.model.clone(),
        arrivals: args.arrivals,
        interval: args.interval.clone(),
        aht: args.aht.clone(),
        service_level: args.service_level,
        answer_within: args.answer_within.clone(),
        patience: args.patience.clone(),
        max_asa: args.max_asa.clone(),
        shrinkage: args.shrinkage,
        max_occupancy: args.max_occupancy,
        agents: args.agents,
    })?;
    if format != Format::Table {
        return output::print_json(&report);
    }
    let s = &report.staffing;
    println!(
        "Erlang {}: {:.2} Erlangs of load",
        report.model.to_uppercase(),
        report.load_erlangs
    );
    let rows = vec![
        vec!["agents".into(), s.agents.to_string()],
        vec![
            "agents with shrinkage".into(),
            s.agents_with_shrinkage.to_string(),
        ],
        vec!["service level".into(), format!("{:.3}", s.service_level)],
        vec!["P(wait)".into(), format!("{:.3}", s.p_wait)],
        vec!["ASA s".into(), format!("{:.1}", s.asa_s)],
        vec!["occupancy".into(), format!("{:.3}", s.occupancy)],
        vec!["abandon rate".into(), format!("{:.3}", s.abandon_rate)],
    ];
    output::write_table(&mut std::io::stdout(), &["", "required"], &rows)?;
    if let Some(m) = &report.at_agents {
        println!(
            "\nWith {} agents: service level {:.3}, P(wait) {:.3}, ASA {:.1} s, occupancy {:.3}, abandon rate {:.3}",
            m.agents, m.service_level, m.p_wait, m.asa_s, m.occupancy, m.abandon_rate
        );
    }
    Ok(())
}

pub async fn plan(engine: &Engine, args: &PlanArgs, format: Format) -> anyhow::Result<()> {
    let report = engine
        .staff_plan(&StaffPlanQuery {
            filters: args.filter.to_filters(),
            queues: args.queue.clone(),
            interval: args.interval.clone(),
            weeks: args.weeks,
            horizon: args.horizon.clone(),
            model: args.model.clone(),
            service_level: args.service_level,
            answer_within: args.answer_within.clone(),
            shrinkage: args.shrinkage,
            max_occupancy: args.max_occupancy,
        })
        .await?;
    if format != Format::Table {
        return output::print_json(&report);
    }
    println!(
        "Erlang {} for {:.0}% within {} s, shrinkage {:.0}%, occupancy at most {:.0}%; forecast = mean of the last {} weeks",
        report.model.to_uppercase(),
        report.target.service_level * 100.0,
        report.target.answer_within_secs,
        report.target.shrinkage * 100.0,
        report.target.max_occupancy * 100.0,
        report.weeks
    );
    for queue in &report.queues {
        println!(
            "\n{} ({}, team {}): {} contacts, AHT {:.0} s, patience {}",
            queue.queue,
            queue.channel.as_deref().unwrap_or("?"),
            queue.team.as_deref().unwrap_or("?"),
            queue.offered,
            queue.aht_s,
            queue.patience_s.map_or("-".into(), |p| format!("{p:.0} s"))
        );
        let rows: Vec<Vec<String>> = queue
            .plan
            .iter()
            .filter(|i| i.offered > 0.0)
            .map(|i| {
                let s = i.staffing.as_ref().expect("plans are sized");
                vec![
                    i.interval_start.clone(),
                    format!("{:.1}", i.offered),
                    s.agents.to_string(),
                    s.agents_with_shrinkage.to_string(),
                    format!("{:.2}", s.service_level),
                    format!("{:.1}", s.asa_s),
                ]
            })
            .collect();
        output::write_table(
            &mut std::io::stdout(),
            &["interval", "forecast", "agents", "scheduled", "SL", "ASA s"],
            &rows,
        )?;
    }
    Ok(())
}
