//! The agent's journey: what one agent did with their time, from agent
//! events, and the totals per agent, per team and overall.
//!
//! Agent events are not customer journeys; the caller groups them by agent
//! (and usually by day) and hands each group, in time order, to
//! [`agent_spells`] or [`AgentAccumulator::observe`].
//!
//! The model has two layers:
//! - the agent's *state*, set by state events and held until the next:
//!   `LogIn` (enters not ready: the agent makes themselves ready), `Ready`,
//!   `NotReady`, `Break`, `LogOut` (leaves the session);
//! - *work*, events with a duration: `Contact` (talk and hold with a
//!   customer), `AfterContactWork` (wrap-up), `ManualTask` and `ToolUsed`.
//!
//! At every moment of a session the agent's activity is the work in
//! progress, if any, else the state; overlapping work counts once, as the
//! first of contact, after-contact work, manual task, tool look-up (a tool
//! used while a customer is on the line is part of handling). Time outside
//! a session is `LoggedOut`; a slice that ends without `LogOut` ends at its
//! last event's end. Work outside a session is counted as events but not
//! as time.
//!
//! Occupancy = (handling + after-contact work) / (handling + after-contact
//! work + ready idle time), the industry definition. Non-customer work =
//! after-contact work + manual tasks + tool look-ups. Manual steps per
//! contact = (manual tasks + tool uses) / contacts.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::MICROS_PER_SECOND;

/// What an agent event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentEventKind {
    LogIn,
    LogOut,
    Ready,
    NotReady,
    Break,
    /// Serving a customer (talk and hold), for `duration_us`.
    Contact,
    /// Wrap-up after a contact, for `duration_us`.
    AfterContactWork,
    /// A manual task (`name` the task), for `duration_us`.
    ManualTask,
    /// A tool or system look-up (`name` the tool), for `duration_us`.
    ToolUsed,
}

/// One agent event; names are the caller's interned ids.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AgentEvent {
    pub agent: u32,
    /// The agent's team, or [`crate::NO_NAME`].
    pub team: u32,
    pub ts_us: i64,
    pub kind: AgentEventKind,
    /// Length of work events; ignored for state events.
    pub duration_us: i64,
    /// The task or tool, or [`crate::NO_NAME`].
    pub name: u32,
}

/// What the agent is doing at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentActivity {
    Handling,
    AfterContactWork,
    ManualTask,
    ToolLookup,
    ReadyIdle,
    NotReady,
    Break,
    LoggedOut,
}

impl AgentActivity {
    const ALL: [AgentActivity; 8] = [
        AgentActivity::Handling,
        AgentActivity::AfterContactWork,
        AgentActivity::ManualTask,
        AgentActivity::ToolLookup,
        AgentActivity::ReadyIdle,
        AgentActivity::NotReady,
        AgentActivity::Break,
        AgentActivity::LoggedOut,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// A stretch of time in one activity, `[start_us, end_us)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgentSpell {
    pub activity: AgentActivity,
    pub start_us: i64,
    pub end_us: i64,
}

/// A change in the sweep over one agent's time line.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Work of the given priority (an `AgentActivity` index below 4) starts
    /// or ends.
    WorkStart(usize),
    WorkEnd(usize),
    /// The state becomes this (`LoggedOut` ends the session).
    State(AgentActivity),
}

/// The spells of one agent's time-ordered events (see the module
/// documentation), consecutive spells of the same activity merged, from
/// the first event to the end of the last.
pub fn agent_spells(events: &[AgentEvent]) -> Vec<AgentSpell> {
    debug_assert!(
        events.windows(2).all(|w| w[0].ts_us <= w[1].ts_us),
        "agent events out of time order"
    );
    let mut changes: Vec<(i64, Change)> = Vec::with_capacity(events.len() * 2);
    for event in events {
        let work = |activity: AgentActivity| {
            let end_us = event.ts_us.saturating_add(event.duration_us.max(0));
            [
                (event.ts_us, Change::WorkStart(activity.index())),
                (end_us, Change::WorkEnd(activity.index())),
            ]
        };
        match event.kind {
            AgentEventKind::LogIn | AgentEventKind::NotReady => {
                changes.push((event.ts_us, Change::State(AgentActivity::NotReady)));
            }
            AgentEventKind::LogOut => {
                changes.push((event.ts_us, Change::State(AgentActivity::LoggedOut)));
            }
            AgentEventKind::Ready => {
                changes.push((event.ts_us, Change::State(AgentActivity::ReadyIdle)));
            }
            AgentEventKind::Break => {
                changes.push((event.ts_us, Change::State(AgentActivity::Break)))
            }
            AgentEventKind::Contact => changes.extend(work(AgentActivity::Handling)),
            AgentEventKind::AfterContactWork => {
                changes.extend(work(AgentActivity::AfterContactWork));
            }
            AgentEventKind::ManualTask => changes.extend(work(AgentActivity::ManualTask)),
            AgentEventKind::ToolUsed => changes.extend(work(AgentActivity::ToolLookup)),
        }
    }
    // Stable: state events at one time keep their order, the last wins.
    changes.sort_by_key(|&(ts_us, _)| ts_us);
    let mut spells: Vec<AgentSpell> = Vec::new();
    let mut state = AgentActivity::LoggedOut;
    let mut work_in_progress = [0_u32; 4];
    let mut now_us = changes.first().map_or(0, |&(ts_us, _)| ts_us);
    for (ts_us, change) in changes {
        if ts_us > now_us {
            let activity = if state == AgentActivity::LoggedOut {
                state
            } else {
                (work_in_progress.iter().position(|&n| n > 0))
                    .map_or(state, |priority| AgentActivity::ALL[priority])
            };
            push_spell(&mut spells, activity, now_us, ts_us);
            now_us = ts_us;
        }
        match change {
            Change::WorkStart(priority) => work_in_progress[priority] += 1,
            Change::WorkEnd(priority) => work_in_progress[priority] -= 1,
            Change::State(next) => state = next,
        }
    }
    spells
}

fn push_spell(spells: &mut Vec<AgentSpell>, activity: AgentActivity, start_us: i64, end_us: i64) {
    if let Some(last) = spells.last_mut()
        && last.activity == activity
        && last.end_us == start_us
    {
        last.end_us = end_us;
        return;
    }
    spells.push(AgentSpell {
        activity,
        start_us,
        end_us,
    });
}

/// Seconds per activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ActivityTimes {
    pub handling_s: f64,
    pub after_contact_work_s: f64,
    pub manual_task_s: f64,
    pub tool_lookup_s: f64,
    pub ready_idle_s: f64,
    pub not_ready_s: f64,
    pub break_s: f64,
    pub logged_out_s: f64,
}

/// An edge of the activity-transition graph.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AgentTransition {
    pub from: AgentActivity,
    pub to: AgentActivity,
    pub count: u64,
    /// Mean length of the `from` spell that ended in this transition.
    pub mean_from_s: f64,
}

/// Totals of one agent, one team (`agent` is `None`) or all agents (both
/// `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentStats {
    pub agent: Option<u32>,
    pub team: Option<u32>,
    /// Distinct agents counted.
    pub agents: u64,
    /// Event slices (agent-days) observed.
    pub slices: u64,
    pub time: ActivityTimes,
    /// Time in every activity but `LoggedOut`.
    pub logged_in_s: f64,
    pub non_customer_work_s: f64,
    pub contacts: u64,
    /// Manual tasks and tool uses.
    pub manual_steps: u64,
    pub manual_steps_per_contact: Option<f64>,
    pub occupancy: Option<f64>,
    /// Edges by count descending, then by activities.
    pub transitions: Vec<AgentTransition>,
}

/// Per agent, per team and overall.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentReport {
    /// By agent id ascending.
    pub agents: Vec<AgentStats>,
    /// By team id ascending ([`crate::NO_NAME`] last).
    pub teams: Vec<AgentStats>,
    pub total: AgentStats,
}

/// Running sums of one agent, team or the total.
#[derive(Debug, Clone, Default)]
struct AgentTally {
    agents: u64,
    slices: u64,
    time_us: [i64; 8],
    contacts: u64,
    manual_steps: u64,
    /// (from, to) → (count, total from-spell time).
    transitions: BTreeMap<(AgentActivity, AgentActivity), (u64, i64)>,
}

impl AgentTally {
    fn merge(&mut self, other: &AgentTally) {
        self.agents += other.agents;
        self.slices += other.slices;
        for (mine, theirs) in self.time_us.iter_mut().zip(other.time_us) {
            *mine += theirs;
        }
        self.contacts += other.contacts;
        self.manual_steps += other.manual_steps;
        for (edge, (count, total_us)) in &other.transitions {
            let slot = self.transitions.entry(*edge).or_default();
            slot.0 += count;
            slot.1 += total_us;
        }
    }

    fn finish(&self, agent: Option<u32>, team: Option<u32>) -> AgentStats {
        let secs =
            |activity: AgentActivity| self.time_us[activity.index()] as f64 / MICROS_PER_SECOND;
        let time = ActivityTimes {
            handling_s: secs(AgentActivity::Handling),
            after_contact_work_s: secs(AgentActivity::AfterContactWork),
            manual_task_s: secs(AgentActivity::ManualTask),
            tool_lookup_s: secs(AgentActivity::ToolLookup),
            ready_idle_s: secs(AgentActivity::ReadyIdle),
            not_ready_s: secs(AgentActivity::NotReady),
            break_s: secs(AgentActivity::Break),
            logged_out_s: secs(AgentActivity::LoggedOut),
        };
        let logged_in_us: i64 = self.time_us[..AgentActivity::LoggedOut.index()]
            .iter()
            .sum();
        let busy_us = self.time_us[AgentActivity::Handling.index()]
            + self.time_us[AgentActivity::AfterContactWork.index()];
        let available_us = busy_us + self.time_us[AgentActivity::ReadyIdle.index()];
        let mut transitions: Vec<AgentTransition> = (self.transitions.iter())
            .map(|(&(from, to), &(count, total_us))| AgentTransition {
                from,
                to,
                count,
                mean_from_s: total_us as f64 / count as f64 / MICROS_PER_SECOND,
            })
            .collect();
        transitions.sort_by(|a, b| {
            (b.count.cmp(&a.count)).then_with(|| (a.from, a.to).cmp(&(b.from, b.to)))
        });
        AgentStats {
            agent,
            team,
            agents: self.agents,
            slices: self.slices,
            time,
            logged_in_s: logged_in_us as f64 / MICROS_PER_SECOND,
            non_customer_work_s: time.after_contact_work_s
                + time.manual_task_s
                + time.tool_lookup_s,
            contacts: self.contacts,
            manual_steps: self.manual_steps,
            manual_steps_per_contact: (self.contacts > 0)
                .then(|| self.manual_steps as f64 / self.contacts as f64),
            occupancy: (available_us > 0).then(|| busy_us as f64 / available_us as f64),
            transitions,
        }
    }
}

/// Builds an [`AgentReport`] from per-agent slices of agent events; merge
/// partials in any grouping.
#[derive(Debug, Default)]
pub struct AgentAccumulator {
    agents: HashMap<u32, AgentEntry>,
}

#[derive(Debug, Default)]
struct AgentEntry {
    /// The agent's team: that of its earliest slice (the smaller team id
    /// when two slices start together), whatever the observation order.
    team: u32,
    first_ts_us: i64,
    tally: AgentTally,
}

impl AgentEntry {
    fn adopt_team(&mut self, team: u32, first_ts_us: i64) {
        if (first_ts_us, team) < (self.first_ts_us, self.team) {
            self.team = team;
            self.first_ts_us = first_ts_us;
        }
    }
}

impl AgentAccumulator {
    pub fn new() -> Self {
        AgentAccumulator::default()
    }

    /// One agent's events in time order (e.g. one agent-day). An agent
    /// counts in the team of its earliest slice.
    pub fn observe(&mut self, events: &[AgentEvent]) {
        let Some(first) = events.first() else {
            return;
        };
        debug_assert!(
            events.iter().all(|e| e.agent == first.agent),
            "one agent's events per slice"
        );
        let entry = self
            .agents
            .entry(first.agent)
            .or_insert_with(|| AgentEntry {
                team: first.team,
                first_ts_us: first.ts_us,
                tally: AgentTally::default(),
            });
        entry.adopt_team(first.team, first.ts_us);
        let tally = &mut entry.tally;
        tally.agents = 1;
        tally.slices += 1;
        for event in events {
            match event.kind {
                AgentEventKind::Contact => tally.contacts += 1,
                AgentEventKind::ManualTask | AgentEventKind::ToolUsed => tally.manual_steps += 1,
                _ => {}
            }
        }
        let spells = agent_spells(events);
        for spell in &spells {
            tally.time_us[spell.activity.index()] += spell.end_us - spell.start_us;
        }
        for pair in spells.windows(2) {
            let slot = tally
                .transitions
                .entry((pair[0].activity, pair[1].activity))
                .or_default();
            slot.0 += 1;
            slot.1 += pair[0].end_us - pair[0].start_us;
        }
    }

    /// Adds another partial.
    pub fn merge(&mut self, other: AgentAccumulator) {
        for (agent, theirs) in other.agents {
            match self.agents.get_mut(&agent) {
                Some(mine) => {
                    mine.adopt_team(theirs.team, theirs.first_ts_us);
                    mine.tally.merge(&theirs.tally);
                    // One agent, however many partials saw it.
                    mine.tally.agents = 1;
                }
                None => {
                    self.agents.insert(agent, theirs);
                }
            }
        }
    }

    pub fn finish(self) -> AgentReport {
        let mut by_agent: Vec<(u32, u32, AgentTally)> = (self.agents.into_iter())
            .map(|(agent, entry)| (agent, entry.team, entry.tally))
            .collect();
        by_agent.sort_unstable_by_key(|&(agent, _, _)| agent);
        let mut teams: BTreeMap<u32, AgentTally> = BTreeMap::new();
        let mut total = AgentTally::default();
        for (_, team, tally) in &by_agent {
            teams.entry(*team).or_default().merge(tally);
            total.merge(tally);
        }
        AgentReport {
            agents: (by_agent.iter())
                .map(|(agent, team, tally)| tally.finish(Some(*agent), Some(*team)))
                .collect(),
            teams: (teams.iter())
                .map(|(team, tally)| tally.finish(None, Some(*team)))
                .collect(),
            total: total.finish(None, None),
        }
    }
}
