//! The employee journey (issue 9): the agents' own events, stored apart
//! from the customers' in `DATA/agents` (the same table format, rows
//! following `model::agent`), read in time order per agent and handed to
//! `journey::contact::agent` — time per activity, non-customer work,
//! manual steps per contact, occupancy and the activity transitions, per
//! agent, team and overall; and one agent's time line for the swim lane
//! beside a customer's contact.

use crate::{Engine, EngineError};
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float32Type, TimestampMicrosecondType};
use journey::NO_NAME;
use journey::contact::{
    AgentAccumulator, AgentActivity, AgentEvent, AgentEventKind as Kind, AgentSpell, AgentStats,
    agent_spells,
};
use model::agent::{AgentEventKind, AgentEventRecord};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a data directory keeps its agents' events.
pub fn agents_dir(data: &Path) -> PathBuf {
    data.join("agents")
}

fn invalid(message: String) -> EngineError {
    EngineError::Invalid(message)
}

fn kind_of(kind: AgentEventKind) -> Kind {
    match kind {
        AgentEventKind::LogIn => Kind::LogIn,
        AgentEventKind::LogOut => Kind::LogOut,
        AgentEventKind::Ready => Kind::Ready,
        AgentEventKind::NotReady => Kind::NotReady,
        AgentEventKind::Break => Kind::Break,
        AgentEventKind::Contact => Kind::Contact,
        AgentEventKind::AfterContactWork => Kind::AfterContactWork,
        AgentEventKind::ManualTask => Kind::ManualTask,
        AgentEventKind::ToolUsed => Kind::ToolUsed,
    }
}

/// Which agent events to read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentsQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only this team's agents.
    pub team: Option<String>,
}

/// One team's agents on duty per interval (see [`Engine::team_duty`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TeamDuty {
    pub staffed: Vec<f64>,
    pub available: Vec<f64>,
}

/// One agent's, team's or everyone's totals, with names.
#[derive(Debug, Clone)]
pub struct NamedAgentStats {
    pub agent: Option<String>,
    pub team: Option<String>,
    pub stats: AgentStats,
}

impl Serialize for NamedAgentStats {
    /// The statistics' fields, with the names in place of the kernel's ids.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.stats).map_err(serde::ser::Error::custom)?;
        value["agent"] = serde_json::json!(self.agent);
        value["team"] = serde_json::json!(self.team);
        value.serialize(serializer)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AgentsReport {
    /// Agent events read (rows that break `model::agent` are skipped and
    /// counted in `invalid_events`).
    pub events: u64,
    pub invalid_events: u64,
    pub total: NamedAgentStats,
    pub teams: Vec<NamedAgentStats>,
    pub agents: Vec<NamedAgentStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpellView {
    pub activity: journey::contact::AgentActivity,
    pub start: String,
    pub end: String,
    pub start_us: i64,
    pub end_us: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    pub ts: String,
    pub kind: AgentEventKind,
    pub duration_s: Option<f32>,
    pub name: Option<String>,
    pub queue: Option<String>,
    pub contact_event_id: Option<String>,
}

/// One agent's activities between two times.
#[derive(Debug, Clone, Serialize)]
pub struct AgentTimeline {
    pub agent: String,
    pub team: Option<String>,
    pub spells: Vec<SpellView>,
    pub events: Vec<TimelineEvent>,
}

/// The rows of the agents' table as validated records, in (agent, time,
/// event id) order, and the number of invalid rows.
fn records(batches: &[RecordBatch]) -> Result<(Vec<AgentEventRecord>, u64), EngineError> {
    let mut out = Vec::new();
    let mut invalid_rows = 0;
    for batch in batches {
        let text = |i: usize| arrow::compute::cast(batch.column(i), &DataType::Utf8);
        let (ids, distinct, touchpoint, channel, agent, properties) =
            (text(0)?, text(2)?, text(3)?, text(4)?, text(5)?, text(7)?);
        let (ids, distinct, touchpoint, channel, agent, properties) = (
            ids.as_string::<i32>(),
            distinct.as_string::<i32>(),
            touchpoint.as_string::<i32>(),
            channel.as_string::<i32>(),
            agent.as_string::<i32>(),
            properties.as_string::<i32>(),
        );
        let ts = batch.column(1).as_primitive::<TimestampMicrosecondType>();
        let handle = batch.column(6).as_primitive::<Float32Type>();
        let optional = |array: &arrow::array::StringArray, row: usize| {
            array.is_valid(row).then(|| array.value(row).to_string())
        };
        for row in 0..batch.num_rows() {
            let event = model::Event {
                event_id: ids.value(row).to_string(),
                ts_us: ts.value(row),
                distinct_id: distinct.value(row).to_string(),
                touchpoint: touchpoint.value(row).to_string(),
                channel: channel.value(row).to_string(),
                agent: optional(agent, row),
                handle_s: handle.is_valid(row).then(|| handle.value(row)),
                properties: optional(properties, row),
                ..model::Event::default()
            };
            match AgentEventRecord::from_event(&event) {
                Ok(record) => out.push(record),
                Err(_) => invalid_rows += 1,
            }
        }
    }
    Ok((out, invalid_rows))
}

impl Engine {
    /// The engine over this data directory's agent events; an error that
    /// says how to load them when there are none.
    async fn agent_engine(&self) -> Result<Engine, EngineError> {
        let dir = agents_dir(self.store().dir());
        if !dir.join("touchpoint.json").exists() {
            return Err(EngineError::NotFound(
                "no agent events in this data directory: import them with `touchpoint import --agents FILE`"
                    .into(),
            ));
        }
        Engine::open(&dir).await
    }

    async fn agent_records(
        &self,
        from_us: Option<i64>,
        to_us: Option<i64>,
        agent: Option<&str>,
    ) -> Result<(Vec<AgentEventRecord>, u64), EngineError> {
        let agents = self.agent_engine().await?;
        let mut conditions = Vec::new();
        if let Some(from_us) = from_us {
            conditions.push(format!("ts >= to_timestamp_micros({from_us})"));
        }
        if let Some(to_us) = to_us {
            conditions.push(format!("ts < to_timestamp_micros({to_us})"));
        }
        if let Some(agent) = agent {
            conditions.push(format!("agent = '{}'", agent.replace('\'', "''")));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let batches = agents
            .sql(&format!(
                "SELECT event_id, ts, distinct_id, touchpoint, channel, agent, handle_s, \
                 properties FROM events {filter} ORDER BY agent, ts, event_id"
            ))
            .await?;
        records(&batches)
    }

    /// Each agent's journey over the period, and the totals per team.
    pub async fn agents(&self, query: &AgentsQuery) -> Result<AgentsReport, EngineError> {
        let time = |text: &Option<String>, name: &str| {
            text.as_deref()
                .map(|t| model::parse_timestamp(t).map_err(|e| invalid(format!("{name}: {e}"))))
                .transpose()
        };
        let (records, invalid_events) = self
            .agent_records(time(&query.from, "from")?, time(&query.to, "to")?, None)
            .await?;
        let mut agents: BTreeMap<&str, u32> = BTreeMap::new();
        let mut teams: BTreeMap<&str, u32> = BTreeMap::new();
        for record in &records {
            agents.entry(&record.agent).or_default();
            teams.entry(&record.team).or_default();
        }
        for (i, id) in agents.values_mut().enumerate() {
            *id = i as u32;
        }
        for (i, id) in teams.values_mut().enumerate() {
            *id = i as u32;
        }
        let mut names: BTreeMap<u32, u32> = BTreeMap::new();
        let mut task_names: BTreeMap<&str, u32> = BTreeMap::new();
        let mut accumulator = AgentAccumulator::new();
        let mut slice: Vec<AgentEvent> = Vec::new();
        let mut events = 0;
        for (i, record) in records.iter().enumerate() {
            if query.team.as_deref().is_some_and(|t| t != record.team) {
                continue;
            }
            events += 1;
            let next_name = task_names.len() as u32;
            let name = record
                .name
                .as_deref()
                .map_or(NO_NAME, |n| *task_names.entry(n).or_insert(next_name));
            let agent = agents[record.agent.as_str()];
            names.insert(agent, teams[record.team.as_str()]);
            slice.push(AgentEvent {
                agent,
                team: teams[record.team.as_str()],
                ts_us: record.ts_us,
                kind: kind_of(record.kind),
                duration_us: record.duration_us(),
                name,
            });
            let last_of_agent = records
                .get(i + 1)
                .is_none_or(|next| next.agent != record.agent);
            if last_of_agent {
                accumulator.observe(&slice);
                slice.clear();
            }
        }
        let report = accumulator.finish();
        let agent_names: Vec<&str> = agents.keys().copied().collect();
        let team_names: Vec<&str> = teams.keys().copied().collect();
        let name_of = |names: &[&str], id: Option<u32>| {
            id.filter(|id| *id != NO_NAME)
                .and_then(|id| names.get(id as usize))
                .map(|n| n.to_string())
        };
        let named = |stats: AgentStats| NamedAgentStats {
            agent: name_of(&agent_names, stats.agent),
            team: name_of(&team_names, stats.team),
            stats,
        };
        Ok(AgentsReport {
            events,
            invalid_events,
            total: named(report.total),
            teams: report.teams.into_iter().map(named).collect(),
            agents: report.agents.into_iter().map(named).collect(),
        })
    }

    /// Per team and interval of `[start_us, start_us + n × interval_us)`:
    /// the time-weighted mean number of agents logged in (`staffed`) and of
    /// agents handling, wrapping up or ready (`available`). `None` when no
    /// agent events are stored. An agent counts for the team of their
    /// latest event in the range.
    pub(crate) async fn team_duty(
        &self,
        start_us: i64,
        interval_us: i64,
        n: usize,
    ) -> Result<Option<BTreeMap<String, TeamDuty>>, EngineError> {
        let end_us = start_us + n as i64 * interval_us;
        let lookback_us = 86_400 * 1_000_000;
        let records = match self
            .agent_records(Some(start_us - lookback_us), Some(end_us), None)
            .await
        {
            Ok((records, _)) => records,
            Err(EngineError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut duty: BTreeMap<String, TeamDuty> = BTreeMap::new();
        for one in records.chunk_by(|a, b| a.agent == b.agent) {
            let team = one.last().expect("a chunk is never empty").team.clone();
            let events: Vec<AgentEvent> = one
                .iter()
                .map(|r| AgentEvent {
                    agent: 0,
                    team: 0,
                    ts_us: r.ts_us,
                    kind: kind_of(r.kind),
                    duration_us: r.duration_us(),
                    name: NO_NAME,
                })
                .collect();
            let entry = duty.entry(team).or_insert_with(|| TeamDuty {
                staffed: vec![0.0; n],
                available: vec![0.0; n],
            });
            for spell in agent_spells(&events) {
                let available = match spell.activity {
                    AgentActivity::LoggedOut => continue,
                    AgentActivity::Handling
                    | AgentActivity::AfterContactWork
                    | AgentActivity::ReadyIdle => true,
                    _ => false,
                };
                let (from, to) = (spell.start_us.max(start_us), spell.end_us.min(end_us));
                if to <= from {
                    continue;
                }
                let mut i = ((from - start_us) / interval_us) as usize;
                while i < n {
                    let lo = start_us + i as i64 * interval_us;
                    let hi = lo + interval_us;
                    if lo >= to {
                        break;
                    }
                    let share = (to.min(hi) - from.max(lo)) as f64 / interval_us as f64;
                    entry.staffed[i] += share;
                    if available {
                        entry.available[i] += share;
                    }
                    i += 1;
                }
            }
        }
        Ok(Some(duty))
    }

    /// One agent's spells and events in `[from, to)` (both empty when the
    /// agent has no events then). The spells start
    /// from the agent's state at `from` (events up to a day before are
    /// read to know it) and are clipped to the range.
    pub async fn agent_timeline(
        &self,
        agent: &str,
        from: &str,
        to: &str,
    ) -> Result<AgentTimeline, EngineError> {
        let from_us = model::parse_timestamp(from).map_err(|e| invalid(format!("from: {e}")))?;
        let to_us = model::parse_timestamp(to).map_err(|e| invalid(format!("to: {e}")))?;
        if to_us <= from_us {
            return Err(invalid("to must come after from".into()));
        }
        if to_us - from_us > 7 * 86_400 * 1_000_000 {
            return Err(invalid("a time line covers at most 7 days".into()));
        }
        let lookback_us = 86_400 * 1_000_000;
        let (records, _) = self
            .agent_records(Some(from_us - lookback_us), Some(to_us), Some(agent))
            .await?;
        // Agent events are stored but none of this agent's fall in the
        // range: an empty time line (the agent was not logged in), not an
        // error; only a data directory without agent events answers 404.
        let events: Vec<AgentEvent> = records
            .iter()
            .map(|r| AgentEvent {
                agent: 0,
                team: 0,
                ts_us: r.ts_us,
                kind: kind_of(r.kind),
                duration_us: r.duration_us(),
                name: NO_NAME,
            })
            .collect();
        let spells: Vec<SpellView> = agent_spells(&events)
            .into_iter()
            .filter(|s| s.end_us > from_us && s.start_us < to_us)
            .map(|s: AgentSpell| {
                let (start_us, end_us) = (s.start_us.max(from_us), s.end_us.min(to_us));
                SpellView {
                    activity: s.activity,
                    start: model::format_timestamp(start_us),
                    end: model::format_timestamp(end_us),
                    start_us,
                    end_us,
                }
            })
            .collect();
        Ok(AgentTimeline {
            agent: agent.to_string(),
            team: records.last().map(|r| r.team.clone()),
            spells,
            events: records
                .iter()
                .filter(|r| r.ts_us >= from_us)
                .map(|r| TimelineEvent {
                    ts: model::format_timestamp(r.ts_us),
                    kind: r.kind,
                    duration_s: r.duration_s,
                    name: r.name.clone(),
                    queue: r.queue.clone(),
                    contact_event_id: r.contact_event_id.clone(),
                })
                .collect(),
        })
    }
}
