//! The contact centre over the stored data (issue 9): contact metrics per
//! channel, queue, team, agent and interval; the handover network; the
//! arrival history, forecast and staffing plan per queue; and Erlang
//! staffing for given traffic. Text in, validated specs, kernels from
//! `journey::contact` and `journey::staffing`, names out.

use crate::query::{Filters, parse_duration_us};
use crate::{Engine, EngineError, FactNames};
use journey::contact::{
    ContactDimension, ContactGroup, ContactMetrics, ContactMetricsAccumulator, ContactReport,
    ContactSpec, HandoverAccumulator, HandoverEdge, HandoverKind, HandoverSpec,
};
use journey::staffing::{
    SeasonalForecast, Staffing, StaffingTarget, Traffic, queue_metrics, required_agents,
};
use journey::{Accumulator, NO_NAME};
use model::ChannelKind;
use serde::Serialize;

fn invalid(message: String) -> EngineError {
    EngineError::Invalid(message)
}

const MICROS_PER_SECOND: f64 = 1_000_000.0;

/// Seconds of a duration text (`20s`, `30m`, `7d`).
pub fn parse_duration_secs(text: &str, name: &str) -> Result<f64, EngineError> {
    let us = parse_duration_us(text).map_err(|e| invalid(format!("{name}: {e}")))?;
    Ok(us as f64 / MICROS_PER_SECOND)
}

/// Contact metrics as a user asks for them.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactsQuery {
    pub filters: Filters,
    /// Groupings, each a `+`-joined list of `channel`, `queue`, `team`,
    /// `agent`, `interval` (e.g. `queue`, `queue+interval`).
    pub by: Vec<String>,
    /// Length of an interval (`30m`).
    pub interval: String,
    /// Service-level threshold; default the definition's target.
    pub answer_within: Option<String>,
    /// Abandons after a shorter wait are short abandons.
    pub short_abandon: String,
    /// A repeat within this window makes a contact not first-contact
    /// resolved; default the definition's `repeat_contact_days`.
    pub repeat_window: Option<String>,
}

impl Default for ContactsQuery {
    fn default() -> Self {
        ContactsQuery {
            filters: Filters::default(),
            by: vec![
                "channel".into(),
                "queue".into(),
                "team".into(),
                "agent".into(),
            ],
            interval: "30m".into(),
            answer_within: None,
            short_abandon: "5s".into(),
            repeat_window: None,
        }
    }
}

/// One group of a grouping, keyed by names.
#[derive(Debug, Clone, Serialize)]
pub struct NamedContactGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// Start of the interval, ISO 8601 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_start: Option<String>,
    #[serde(flatten)]
    pub metrics: ContactMetrics,
}

#[derive(Debug, Clone, Serialize)]
pub struct NamedContactGrouping {
    /// The grouping as asked, e.g. `queue+interval`.
    pub by: String,
    pub groups: Vec<NamedContactGroup>,
}

/// The `touchpoint contacts` report.
#[derive(Debug, Clone, Serialize)]
pub struct ContactsReport {
    pub interval_s: f64,
    pub answer_within_s: f64,
    pub short_abandon_s: f64,
    pub repeat_window_s: f64,
    pub total: ContactMetrics,
    pub groupings: Vec<NamedContactGrouping>,
}

/// One handover edge with names.
#[derive(Debug, Clone, Serialize)]
pub struct NamedHandover {
    /// `consecutive` (the next contact of the customer went to another
    /// team or agent) or `recorded` (a transfer).
    pub kind: HandoverKind,
    pub from: String,
    pub to: String,
    pub count: u64,
    pub customers: u64,
    pub mean_extra_wait_s: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoverReport {
    pub window_s: f64,
    pub teams: Vec<NamedHandover>,
    pub agents: Vec<NamedHandover>,
}

/// Erlang staffing for given traffic (`touchpoint staff erlang`).
#[derive(Debug, Clone, PartialEq)]
pub struct ErlangQuery {
    /// `c` (callers wait) or `a` (callers abandon after `patience`).
    pub model: String,
    /// Contacts offered per interval.
    pub arrivals: f64,
    pub interval: String,
    pub aht: String,
    pub service_level: f64,
    pub answer_within: String,
    pub patience: Option<String>,
    pub max_asa: Option<String>,
    pub shrinkage: f64,
    pub max_occupancy: f64,
    /// Also report the metrics for this many agents.
    pub agents: Option<u32>,
}

impl Default for ErlangQuery {
    fn default() -> Self {
        ErlangQuery {
            model: "c".into(),
            arrivals: 0.0,
            interval: "30m".into(),
            aht: "180s".into(),
            service_level: 0.8,
            answer_within: "20s".into(),
            patience: None,
            max_asa: None,
            shrinkage: 0.0,
            max_occupancy: 1.0,
            agents: None,
        }
    }
}

/// The `touchpoint staff erlang` contract: `{agents, agents_with_shrinkage,
/// service_level, p_wait, asa_s, occupancy, abandon_rate}` plus the inputs.
#[derive(Debug, Clone, Serialize)]
pub struct ErlangReport {
    pub model: String,
    pub load_erlangs: f64,
    #[serde(flatten)]
    pub staffing: Staffing,
    /// Metrics at the agents asked for with `agents`, if any.
    pub at_agents: Option<journey::staffing::QueueMetrics>,
}

/// A staffing plan per queue from the stored contacts.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffPlanQuery {
    pub filters: Filters,
    /// Only these queues; empty for every queue with waits.
    pub queues: Vec<String>,
    pub interval: String,
    /// Weeks of history averaged per interval of the week.
    pub weeks: usize,
    /// How far ahead to plan (`7d`).
    pub horizon: String,
    /// `a` (default; patience estimated from the queue's abandons) or `c`.
    pub model: String,
    pub service_level: Option<f64>,
    pub answer_within: Option<String>,
    pub shrinkage: f64,
    pub max_occupancy: f64,
}

impl Default for StaffPlanQuery {
    fn default() -> Self {
        StaffPlanQuery {
            filters: Filters::default(),
            queues: Vec::new(),
            interval: "30m".into(),
            weeks: 4,
            horizon: "7d".into(),
            model: "a".into(),
            service_level: None,
            answer_within: None,
            shrinkage: 0.3,
            max_occupancy: 0.85,
        }
    }
}

/// One interval of a queue's history or plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanInterval {
    pub interval_start: String,
    pub interval_start_us: i64,
    /// Contacts offered (history) or forecast (plan).
    pub offered: f64,
    /// Required staffing (plan, and history for comparison).
    #[serde(flatten)]
    pub staffing: Option<Staffing>,
    /// History only: the service level the queue achieved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achieved_service_level: Option<f64>,
    /// History only, when agent events are stored: the mean number of the
    /// queue's team's agents logged in during the interval (breaks and not
    /// ready included: compare with `agents_with_shrinkage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staffed_agents: Option<f64>,
    /// … and of those handling, wrapping up or ready (compare with
    /// `agents`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_agents: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueuePlan {
    pub queue: String,
    pub channel: Option<String>,
    pub team: Option<String>,
    pub offered: u64,
    pub aht_s: f64,
    /// Mean patience estimated from the waits (`None` under Erlang C or
    /// without abandons).
    pub patience_s: Option<f64>,
    /// The last `weeks` weeks, interval by interval.
    pub history: Vec<PlanInterval>,
    /// The horizon after the history, interval by interval.
    pub plan: Vec<PlanInterval>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffPlanReport {
    pub model: String,
    pub interval_s: f64,
    pub weeks: usize,
    pub target: StaffingTarget,
    pub queues: Vec<QueuePlan>,
}

fn dimension(name: &str) -> Result<ContactDimension, EngineError> {
    Ok(match name.trim() {
        "channel" => ContactDimension::Channel,
        "queue" => ContactDimension::Queue,
        "team" => ContactDimension::Team,
        "agent" => ContactDimension::Agent,
        "interval" => ContactDimension::Interval,
        other => {
            return Err(invalid(format!(
                "group by {other:?}: use channel, queue, team, agent or interval (joined by +)"
            )));
        }
    })
}

fn unit_share(value: f64, name: &str, upper_open: bool) -> Result<f64, EngineError> {
    let ok = value.is_finite() && value >= 0.0 && (value < 1.0 || !upper_open && value <= 1.0);
    if ok {
        Ok(value)
    } else {
        Err(invalid(format!(
            "{name} {value}: a share in [0, 1{}",
            if upper_open { ")" } else { "]" }
        )))
    }
}

fn name_of(names: &[String], id: u32) -> Option<String> {
    if id == NO_NAME {
        None
    } else {
        names.get(id as usize).cloned()
    }
}

/// The week starts on Monday 00:00 UTC (1970-01-05 was a Monday).
const MONDAY_US: i64 = 4 * 86_400 * 1_000_000;
const WEEK_US: i64 = 7 * 86_400 * 1_000_000;

fn week_start(ts_us: i64) -> i64 {
    MONDAY_US + (ts_us - MONDAY_US).div_euclid(WEEK_US) * WEEK_US
}

impl Engine {
    /// Channel ids (in the fact names) of the definition's human channels.
    fn human_channels(&self, names: &FactNames) -> Vec<u32> {
        names
            .channels
            .iter()
            .enumerate()
            .filter(|(_, name)| self.definition().channel_kind(name) == ChannelKind::Human)
            .map(|(i, _)| i as u32)
            .collect()
    }

    async fn contact_spec(
        &self,
        query: &ContactsQuery,
        names: &FactNames,
        groupings: Vec<Vec<ContactDimension>>,
    ) -> Result<ContactSpec, EngineError> {
        let targets = &self.definition().targets;
        let observed_until_us = Some(self.last_event_us().await?);
        let spec = ContactSpec {
            groupings,
            interval_secs: parse_duration_secs(&query.interval, "interval")?,
            answer_within_secs: match &query.answer_within {
                Some(text) => parse_duration_secs(text, "answer within")?,
                None => f64::from(targets.answer_within_s),
            },
            short_abandon_secs: parse_duration_secs(&query.short_abandon, "short abandon")?,
            repeat_window_secs: match &query.repeat_window {
                Some(text) => parse_duration_secs(text, "repeat window")?,
                None => f64::from(targets.repeat_contact_days) * 86_400.0,
            },
            human_channels: self.human_channels(names),
            observed_until_us,
        };
        spec.validate().map_err(|e| invalid(e.to_string()))?;
        Ok(spec)
    }

    async fn contact_report(
        &self,
        query: &ContactsQuery,
        groupings: Vec<Vec<ContactDimension>>,
    ) -> Result<(ContactReport, ContactSpec, FactNames), EngineError> {
        let filter = query.filters.to_filter()?;
        let names = self.fact_names().await?;
        let spec = self.contact_spec(query, &names, groupings).await?;
        let for_kernel = spec.clone();
        ContactMetricsAccumulator::new(&for_kernel).map_err(|e| invalid(e.to_string()))?;
        let accumulator = self
            .run_with_names("contacts", &filter, names.clone(), move || {
                ContactMetricsAccumulator::new(&for_kernel).expect("validated above")
            })
            .await?;
        Ok((accumulator.finish(), spec, names))
    }

    /// Contact-centre metrics per the asked groupings.
    pub async fn contacts(&self, query: &ContactsQuery) -> Result<ContactsReport, EngineError> {
        let groupings = query
            .by
            .iter()
            .map(|text| text.split('+').map(dimension).collect())
            .collect::<Result<Vec<Vec<_>>, _>>()?;
        let (report, spec, names) = self.contact_report(query, groupings).await?;
        let contact_names = names.contacts.clone().unwrap_or_default();
        let named = |group: &ContactGroup| NamedContactGroup {
            channel: group
                .key
                .channel
                .and_then(|id| name_of(&names.channels, id)),
            queue: group
                .key
                .queue
                .and_then(|id| name_of(&contact_names.queues, id)),
            team: group
                .key
                .team
                .and_then(|id| name_of(&contact_names.teams, id)),
            agent: group.key.agent.and_then(|id| name_of(&names.agents, id)),
            interval_start: group.key.interval_start_us.map(model::format_timestamp),
            metrics: group.metrics.clone(),
        };
        Ok(ContactsReport {
            interval_s: spec.interval_secs,
            answer_within_s: spec.answer_within_secs,
            short_abandon_s: spec.short_abandon_secs,
            repeat_window_s: spec.repeat_window_secs,
            total: report.total,
            groupings: query
                .by
                .iter()
                .zip(&report.groupings)
                .map(|(by, grouping)| NamedContactGrouping {
                    by: by.clone(),
                    groups: grouping.groups.iter().map(named).collect(),
                })
                .collect(),
        })
    }

    /// The handover network between teams and agents.
    pub async fn handovers(
        &self,
        filters: &Filters,
        window: &str,
    ) -> Result<HandoverReport, EngineError> {
        let filter = filters.to_filter()?;
        let spec = HandoverSpec {
            window_secs: parse_duration_secs(window, "handover window")?,
        };
        HandoverAccumulator::new(&spec).map_err(|e| invalid(e.to_string()))?;
        let names = self.fact_names().await?;
        let accumulator = self
            .run_with_names("handovers", &filter, names.clone(), move || {
                HandoverAccumulator::new(&spec).expect("validated above")
            })
            .await?;
        let network = accumulator.finish();
        let contact_names = names.contacts.unwrap_or_default();
        let named = |edges: &[HandoverEdge], table: &[String]| {
            edges
                .iter()
                .map(|edge| NamedHandover {
                    kind: edge.kind,
                    from: name_of(table, edge.from).unwrap_or_else(|| "(none)".into()),
                    to: name_of(table, edge.to).unwrap_or_else(|| "(none)".into()),
                    count: edge.count,
                    customers: edge.customers,
                    mean_extra_wait_s: edge.mean_extra_wait_s,
                })
                .collect()
        };
        Ok(HandoverReport {
            window_s: spec.window_secs,
            teams: named(&network.teams, &contact_names.teams),
            agents: named(&network.agents, &names.agents),
        })
    }

    /// Per queue: the offered contacts of the last `weeks` weeks per
    /// interval, their seasonal-mean forecast over the horizon and the
    /// staffing each interval needs (Erlang A with the patience estimated
    /// from the queue's waits, or Erlang C).
    pub async fn staff_plan(&self, query: &StaffPlanQuery) -> Result<StaffPlanReport, EngineError> {
        let targets = &self.definition().targets;
        let target = StaffingTarget {
            service_level: unit_share(
                query
                    .service_level
                    .unwrap_or(f64::from(targets.service_level)),
                "service level",
                false,
            )?,
            answer_within_secs: match &query.answer_within {
                Some(text) => parse_duration_secs(text, "answer within")?,
                None => f64::from(targets.answer_within_s),
            },
            max_asa_secs: None,
            max_occupancy: query.max_occupancy,
            shrinkage: unit_share(query.shrinkage, "shrinkage", true)?,
        };
        target.validate().map_err(|e| invalid(e.to_string()))?;
        let erlang_a = match query.model.as_str() {
            "a" | "A" => true,
            "c" | "C" => false,
            other => return Err(invalid(format!("model {other:?}: use a or c"))),
        };
        if query.weeks == 0 {
            return Err(invalid("weeks: at least 1".into()));
        }
        let contacts_query = ContactsQuery {
            filters: query.filters.clone(),
            interval: query.interval.clone(),
            answer_within: Some(format!("{}s", target.answer_within_secs)),
            ..ContactsQuery::default()
        };
        let (report, spec, names) = self
            .contact_report(
                &contacts_query,
                vec![
                    vec![ContactDimension::Queue],
                    vec![ContactDimension::Queue, ContactDimension::Interval],
                    vec![ContactDimension::Queue, ContactDimension::Channel],
                    vec![ContactDimension::Queue, ContactDimension::Team],
                ],
            )
            .await?;
        let interval_us = (spec.interval_secs * MICROS_PER_SECOND).round() as i64;
        if WEEK_US % interval_us != 0 {
            return Err(invalid(format!(
                "interval {}: must divide a week evenly (e.g. 15m, 30m, 1h)",
                query.interval
            )));
        }
        let horizon_us =
            parse_duration_us(&query.horizon).map_err(|e| invalid(format!("horizon: {e}")))?;
        let horizon = usize::try_from(horizon_us.div_euclid(interval_us)).unwrap_or(0);
        if horizon == 0 || horizon > 10_000 {
            return Err(invalid(format!(
                "horizon {}: between one interval and 10,000 intervals",
                query.horizon
            )));
        }
        let contact_names = names.contacts.clone().unwrap_or_default();
        let season_len = usize::try_from(WEEK_US / interval_us).expect("positive");
        let forecast = SeasonalForecast {
            season_len,
            weeks: query.weeks,
        };
        let most_common = |grouping: usize, queue: u32, pick: fn(&ContactGroup) -> Option<u32>| {
            report.groupings[grouping]
                .groups
                .iter()
                .filter(|g| g.key.queue == Some(queue))
                .max_by_key(|g| g.metrics.offered)
                .and_then(pick)
        };
        let mut queues = Vec::new();
        let mut duty_by_range = std::collections::HashMap::new();
        for group in &report.groupings[0].groups {
            let queue_id = group.key.queue.expect("grouped by queue");
            let Some(queue) = name_of(&contact_names.queues, queue_id) else {
                continue;
            };
            if !query.queues.is_empty() && !query.queues.contains(&queue) {
                continue;
            }
            let metrics = &group.metrics;
            // Queues without waits (e-mail, letters) are not sized by Erlang.
            if metrics.service_level_offered == 0 {
                continue;
            }
            let Some(aht_s) = metrics.aht_s.filter(|a| *a > 0.0) else {
                continue;
            };
            let patience_s = if erlang_a {
                patience_estimate(metrics)
            } else {
                None
            };
            let mut by_interval: Vec<(i64, &ContactMetrics)> = report.groupings[1]
                .groups
                .iter()
                .filter(|g| g.key.queue == Some(queue_id))
                .map(|g| (g.key.interval_start_us.expect("interval"), &g.metrics))
                .collect();
            by_interval.sort_by_key(|(start, _)| *start);
            let (Some(first), Some(last)) = (by_interval.first(), by_interval.last()) else {
                continue;
            };
            let end_us = week_start(last.0) + WEEK_US;
            let start_us = week_start(first.0).max(end_us - query.weeks as i64 * WEEK_US);
            let n = usize::try_from((end_us - start_us) / interval_us).expect("positive");
            let mut offered = vec![0.0; n];
            let mut achieved = vec![None; n];
            for (interval_start_us, m) in &by_interval {
                if *interval_start_us < start_us {
                    continue;
                }
                let i = usize::try_from((interval_start_us - start_us) / interval_us)
                    .expect("inside the history");
                offered[i] = m.offered as f64;
                achieved[i] = m.service_level;
            }
            let size = |contacts: f64| -> Result<Staffing, EngineError> {
                let traffic = Traffic::new(contacts, spec.interval_secs, aht_s, patience_s)
                    .map_err(|e| invalid(e.to_string()))?;
                required_agents(&traffic, &target).map_err(|e| invalid(e.to_string()))
            };
            let interval = |i: usize, base_us: i64, contacts: f64, staffing: Staffing| {
                let interval_start_us = base_us + i as i64 * interval_us;
                PlanInterval {
                    interval_start: model::format_timestamp(interval_start_us),
                    interval_start_us,
                    offered: contacts,
                    staffing: Some(staffing),
                    achieved_service_level: None,
                    staffed_agents: None,
                    available_agents: None,
                }
            };
            let team = most_common(3, queue_id, |g| g.key.team)
                .and_then(|id| name_of(&contact_names.teams, id));
            // Queues share their history's range as a rule: read the agents'
            // events once per range.
            if let std::collections::hash_map::Entry::Vacant(slot) =
                duty_by_range.entry((start_us, n))
            {
                slot.insert(self.team_duty(start_us, interval_us, n).await?);
            }
            let duty = team.as_ref().and_then(|team| {
                duty_by_range[&(start_us, n)]
                    .as_ref()
                    .and_then(|teams| teams.get(team))
            });
            let mut history = Vec::with_capacity(n);
            for (i, &contacts) in offered.iter().enumerate() {
                let mut row = interval(i, start_us, contacts, size(contacts)?);
                row.achieved_service_level = achieved[i];
                if let Some(duty) = duty {
                    row.staffed_agents = Some(duty.staffed[i]);
                    row.available_agents = Some(duty.available[i]);
                }
                history.push(row);
            }
            let predicted = forecast
                .forecast(&offered, horizon)
                .map_err(|e| invalid(e.to_string()))?;
            let mut plan = Vec::with_capacity(horizon);
            for (i, &contacts) in predicted.iter().enumerate() {
                plan.push(interval(i, end_us, contacts, size(contacts)?));
            }
            queues.push(QueuePlan {
                queue,
                channel: most_common(2, queue_id, |g| g.key.channel)
                    .and_then(|id| name_of(&names.channels, id)),
                team,
                offered: metrics.offered,
                aht_s,
                patience_s,
                history,
                plan,
            });
        }
        Ok(StaffPlanReport {
            model: if erlang_a { "a" } else { "c" }.into(),
            interval_s: spec.interval_secs,
            weeks: query.weeks,
            target,
            queues,
        })
    }
}

/// The queue's estimated mean patience (see `ContactMetrics::patience_s`),
/// when it is usable.
fn patience_estimate(metrics: &ContactMetrics) -> Option<f64> {
    metrics.patience_s.filter(|p| p.is_finite() && *p > 0.0)
}

/// Erlang staffing for the given traffic: the fewest agents that meet the
/// target, and optionally the metrics at a given number of agents.
pub fn erlang(query: &ErlangQuery) -> Result<ErlangReport, EngineError> {
    let patience_secs = match (query.model.as_str(), &query.patience) {
        ("c" | "C", None) => None,
        ("c" | "C", Some(_)) => {
            return Err(invalid(
                "patience is an Erlang A setting: use --model a".into(),
            ));
        }
        ("a" | "A", Some(text)) => Some(parse_duration_secs(text, "patience")?),
        ("a" | "A", None) => {
            return Err(invalid("Erlang A needs the callers' mean patience".into()));
        }
        (other, _) => return Err(invalid(format!("model {other:?}: use c or a"))),
    };
    let traffic = Traffic::new(
        query.arrivals,
        parse_duration_secs(&query.interval, "interval")?,
        parse_duration_secs(&query.aht, "aht")?,
        patience_secs,
    )
    .map_err(|e| invalid(e.to_string()))?;
    let target = StaffingTarget {
        service_level: query.service_level,
        answer_within_secs: parse_duration_secs(&query.answer_within, "answer within")?,
        max_asa_secs: query
            .max_asa
            .as_deref()
            .map(|t| parse_duration_secs(t, "max asa"))
            .transpose()?,
        max_occupancy: query.max_occupancy,
        shrinkage: query.shrinkage,
    };
    let staffing = required_agents(&traffic, &target).map_err(|e| invalid(e.to_string()))?;
    let at_agents = query
        .agents
        .map(|agents| queue_metrics(&traffic, agents, target.answer_within_secs))
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    Ok(ErlangReport {
        model: if patience_secs.is_some() { "a" } else { "c" }.into(),
        load_erlangs: traffic.offered_load(),
        staffing,
        at_agents,
    })
}
