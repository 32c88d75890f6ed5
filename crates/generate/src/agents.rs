//! The agents' own events: each agent's sessions (log in, ready, breaks,
//! not-ready spells, log out) built around the contacts the customers'
//! data says the agent served, with the after-contact work, tool look-ups
//! and manual tasks that go with them.
//!
//! Customers are generated independently, so an agent's day can only be
//! known once every customer has been seen: [`AgentDays`] collects the
//! answered contacts (a few dozen bytes each, never whole customers) and
//! builds the agents' events in [`AgentDays::finish`]. Every random choice
//! is drawn from a stream of its own, derived from the seed and the
//! contact's event id, the agent and day, or the agent and session start,
//! so the result does not depend on the order customers were observed in.

use crate::generator::{CustomerRecord, GenerateError, GenerateOptions, resolve_switches};
use crate::planted::Switches;
use crate::rng::{Rng, customer_seed};
use crate::scenario::Scenario;
use crate::time::{DAY_US, HOUR_US, MINUTE_US, OpeningHours, SECOND_US, day_start, weekday};
use model::agent::{AgentEventKind, AgentEventRecord};
use model::{Catalog, ChannelKind, Event};
use std::collections::HashMap;

/// A scenario's agent-side habits: which tools agents look things up in,
/// which manual tasks follow a contact, and the planted extra step.
#[derive(Debug)]
pub(crate) struct Desk {
    /// Every queue, for the opening hours of the teams that serve them.
    pub(crate) queues: &'static [&'static crate::contact::Queue],
    /// Tools looked up while the customer is on the line.
    pub(crate) lookup_tools: &'static [&'static str],
    /// Manual tasks that follow some contacts.
    pub(crate) follow_up_tasks: &'static [&'static str],
    pub(crate) planted: PlantedStep,
}

/// A manual step one team takes after most of its contacts while the
/// planted situation `index` is switched on; other teams never take it.
#[derive(Debug)]
pub(crate) struct PlantedStep {
    pub(crate) index: usize,
    pub(crate) team: &'static str,
    pub(crate) kind: AgentEventKind,
    pub(crate) name: &'static str,
    /// Share of the team's contacts followed by the step.
    pub(crate) share: f64,
    /// Duration, uniform in `[min_s, max_s]`, whole seconds.
    pub(crate) min_s: f64,
    pub(crate) max_s: f64,
}

/// Share of contacts (of at least a minute) with a tool look-up during the
/// call, and of contacts followed by a manual task.
const LOOKUP_SHARE: f64 = 0.4;
const FOLLOW_UP_SHARE: f64 = 0.12;

/// Days of teams whose queues are always open (e-mail, complaints) or who
/// serve no queue (field engineers): Monday to Saturday, 08–18.
static OFFICE_HOURS: OpeningHours = OpeningHours {
    days: [(8, 18), (8, 18), (8, 18), (8, 18), (8, 18), (8, 18), (0, 0)],
};
/// A rostered shift where the team's day is longer, lunch included.
const SHIFT_US: i64 = 8 * HOUR_US;
/// Work less than this before or after a session joins it (the shift is
/// extended); work further away gets a short session of its own.
const SESSION_GAP_US: i64 = 2 * HOUR_US;
/// Breaks and not-ready spells keep this far from work on both sides.
const CLEARANCE_US: i64 = MINUTE_US;

/// Salts of the random streams, one per kind of decision.
const CONTACT_SALT: u64 = 0xa6e7_c0a7;
const SHIFT_SALT: u64 = 0x5_41f7;
const SESSION_SALT: u64 = 0x5e55_1017;

/// One answered contact as the agents' data needs it. Names are indices
/// into [`AgentDays::names`].
#[derive(Debug, Clone)]
struct ServedContact {
    agent: u32,
    team: u32,
    queue: u32,
    /// When the agent picks up: the customer's event time plus the wait.
    start_us: i64,
    /// Talk and hold.
    contact_s: f64,
    wrap_s: f64,
    event_id: Box<str>,
}

/// Collects the answered contacts of customers, then builds the agents'
/// events. See the crate documentation for what they contain.
#[derive(Debug)]
pub struct AgentDays {
    seed: u64,
    desk: &'static Desk,
    planted_on: bool,
    catalog: Catalog,
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32>,
    contacts: Vec<ServedContact>,
}

impl AgentDays {
    /// An empty collector for a dataset of `scenario` with `options` (the
    /// seed and the planted switches matter; the customer count does not).
    pub fn new(scenario: Scenario, options: &GenerateOptions) -> Result<AgentDays, GenerateError> {
        let desk = scenario.desk();
        let switches: Switches = resolve_switches(scenario, &options.planted)?;
        Ok(AgentDays {
            seed: options.seed,
            desk,
            planted_on: switches.on(desk.planted.index),
            catalog: Catalog::new(&scenario.definition()),
            names: Vec::new(),
            name_ids: HashMap::new(),
            contacts: Vec::new(),
        })
    }

    /// Takes the customer's answered contacts: events with an agent on a
    /// touchpoint of human kind that were not abandoned. Observing the
    /// same customer twice adds nothing.
    pub fn observe(&mut self, customer: &CustomerRecord) {
        for event in &customer.events {
            if self.is_answered_contact(event) {
                let contact = self.served(event);
                self.contacts.push(contact);
            }
        }
    }

    /// Adds the contacts another collector (of the same dataset) took,
    /// e.g. one per worker thread.
    pub fn merge(&mut self, other: AgentDays) {
        for contact in other.contacts {
            let name = |id: u32| &*other.names[id as usize];
            let (agent, team, queue) = (
                self.intern(name(contact.agent)),
                self.intern(name(contact.team)),
                self.intern(name(contact.queue)),
            );
            self.contacts.push(ServedContact {
                agent,
                team,
                queue,
                ..contact
            });
        }
    }

    /// Answered contacts collected so far.
    pub fn contacts(&self) -> usize {
        self.contacts.len()
    }

    /// The agents' events, ordered by (agent, `ts_us`, `event_id`); each
    /// is a valid agent event ([`model::agent::AgentEventRecord::from_event`]).
    pub fn finish(mut self) -> Vec<Event> {
        let rank = self.name_ranks();
        self.contacts.sort_by(|a, b| {
            (rank[a.agent as usize], a.start_us, &a.event_id).cmp(&(
                rank[b.agent as usize],
                b.start_us,
                &b.event_id,
            ))
        });
        self.contacts.dedup_by(|a, b| a.event_id == b.event_id);
        let mut events = Vec::with_capacity(self.contacts.len() * 6);
        for agent_contacts in self.contacts.chunk_by(|a, b| a.agent == b.agent) {
            self.agent_events(agent_contacts, &mut events);
        }
        events
    }

    fn is_answered_contact(&self, event: &Event) -> bool {
        event.agent.is_some()
            && event.abandoned != Some(true)
            && event.handle_s.is_some()
            && (self.catalog.lookup(&event.touchpoint))
                .is_some_and(|id| self.catalog.info(id).kind == ChannelKind::Human)
    }

    /// The contact's timing from its event: the agent picks up after the
    /// wait (after the first response for e-mail and forms), talks and
    /// holds for `talk_s + hold_s` (the handle time less the wrap when the
    /// source does not break it down, as for field visits), then wraps up.
    fn served(&mut self, event: &Event) -> ServedContact {
        let properties: serde_json::Map<String, serde_json::Value> = (event.properties.as_deref())
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default();
        let number = |key: &str| properties.get(key).and_then(serde_json::Value::as_f64);
        let text = |key: &str| properties.get(key).and_then(serde_json::Value::as_str);
        let handle_s = f64::from(
            event
                .handle_s
                .expect("answered contacts have a handle time"),
        );
        let wrap_s = number("wrap_s").unwrap_or(0.0);
        let contact_s = match number("talk_s") {
            Some(talk_s) => talk_s + number("hold_s").unwrap_or(0.0),
            None => (handle_s - wrap_s).max(0.0),
        };
        let wait_s = (event.wait_s.map(f64::from))
            .or_else(|| number("first_response_s"))
            .unwrap_or(0.0);
        let agent = event
            .agent
            .as_deref()
            .expect("answered contacts name an agent");
        let team = text("team").unwrap_or("unassigned").to_string();
        let queue = text("queue").unwrap_or(&event.touchpoint).to_string();
        ServedContact {
            agent: self.intern(agent),
            team: self.intern(&team),
            queue: self.intern(&queue),
            start_us: event.ts_us + (wait_s * SECOND_US as f64).round() as i64,
            contact_s,
            wrap_s,
            event_id: event.event_id.as_str().into(),
        }
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 4 billion names");
        self.names.push(name.into());
        self.name_ids.insert(name.into(), id);
        id
    }

    /// Each interned name's position in alphabetical order, so that sorting
    /// does not depend on the order names were first seen in.
    fn name_ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        let mut rank = vec![0; order.len()];
        for (position, id) in order.into_iter().enumerate() {
            rank[id as usize] = position as u32;
        }
        rank
    }

    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// One agent's events: the work of every contact, then the sessions
    /// around it, then everything in (ts, event id) order.
    fn agent_events(&self, contacts: &[ServedContact], out: &mut Vec<Event>) {
        let first = &contacts[0];
        let agent = self.name(first.agent);
        // The agent's team is that of their earliest contact; the
        // generated data never moves an agent between teams.
        let team = self.name(first.team);
        let works: Vec<ContactWork> = contacts.iter().map(|c| self.contact_work(c)).collect();
        let shifts = self.shifts(agent, team, contacts);
        let sessions = sessions(&shifts, &works);
        let mut records: Vec<AgentEventRecord> = Vec::new();
        let mut next_work = 0;
        for session in sessions {
            let mut in_session = Vec::new();
            while next_work < works.len() && works[next_work].busy.0 < session.1 {
                in_session.push(works[next_work].busy);
                records.extend(works[next_work].steps.iter().cloned());
                next_work += 1;
            }
            self.session_events(agent, team, session, &in_session, &mut records);
        }
        debug_assert_eq!(next_work, works.len(), "every contact lies in a session");
        records.sort_by(|a, b| (a.ts_us, &a.event_id).cmp(&(b.ts_us, &b.event_id)));
        out.extend(records.iter().map(AgentEventRecord::to_event));
    }
}

/// The events of one contact and the stretch of time they keep the agent
/// busy, padded by the moments before and after that the session must
/// cover.
#[derive(Debug)]
struct ContactWork {
    steps: Vec<AgentEventRecord>,
    busy: (i64, i64),
    padded: (i64, i64),
}

impl AgentDays {
    /// Contact, perhaps a tool look-up during it, after-contact work, the
    /// planted step, perhaps a follow-up task: in that order, end to end.
    fn contact_work(&self, contact: &ServedContact) -> ContactWork {
        let mut rng = Rng::new(customer_seed(
            self.seed,
            CONTACT_SALT,
            Event::customer_key(&contact.event_id),
        ));
        let team = self.name(contact.team);
        let step = |n: usize, ts_us: i64, kind: AgentEventKind, seconds: f64| AgentEventRecord {
            event_id: format!("{}-agent-{n}", contact.event_id),
            ts_us,
            kind,
            agent: self.name(contact.agent).to_string(),
            team: team.to_string(),
            duration_s: Some(seconds as f32),
            name: None,
            queue: None,
            contact_event_id: None,
        };
        let served = |mut record: AgentEventRecord| {
            record.queue = Some(self.name(contact.queue).to_string());
            record.contact_event_id = Some(contact.event_id.to_string());
            record
        };
        let start = contact.start_us;
        let mut steps = vec![served(step(
            0,
            start,
            AgentEventKind::Contact,
            contact.contact_s,
        ))];
        if contact.contact_s >= 60.0 && rng.chance(LOOKUP_SHARE) {
            let offset_s = (contact.contact_s * rng.uniform(0.1, 0.5)).round();
            let length_s = rng
                .uniform(15.0, 60.0)
                .round()
                .min(contact.contact_s - offset_s);
            let mut lookup = step(
                1,
                start + seconds_us(offset_s),
                AgentEventKind::ToolUsed,
                length_s,
            );
            lookup.name = Some(rng.pick(self.desk.lookup_tools).to_string());
            steps.push(lookup);
        }
        let mut cursor = start + seconds_us(contact.contact_s);
        let wrap = served(step(
            2,
            cursor,
            AgentEventKind::AfterContactWork,
            contact.wrap_s,
        ));
        steps.push(wrap);
        cursor += seconds_us(contact.wrap_s);
        let planted = &self.desk.planted;
        if self.planted_on && team == planted.team && rng.chance(planted.share) {
            let length_s = rng.uniform(planted.min_s, planted.max_s).round();
            let mut extra = step(3, cursor, planted.kind, length_s);
            extra.name = Some(planted.name.to_string());
            steps.push(extra);
            cursor += seconds_us(length_s);
        }
        if rng.chance(FOLLOW_UP_SHARE) {
            let length_s = rng.uniform(60.0, 300.0).round();
            let mut task = step(4, cursor, AgentEventKind::ManualTask, length_s);
            task.name = Some(rng.pick(self.desk.follow_up_tasks).to_string());
            steps.push(task);
            cursor += seconds_us(length_s);
        }
        let before_us = rng.between(2 * MINUTE_US, 6 * MINUTE_US);
        let after_us = rng.between(MINUTE_US, 4 * MINUTE_US);
        ContactWork {
            steps,
            busy: (start, cursor),
            padded: (start - before_us, cursor + after_us),
        }
    }

    /// The rostered shift of every day the agent served a contact on: the
    /// team's whole day when it is eight hours or less, otherwise the eight
    /// hours, starting on a half hour, that cover most of the day's
    /// contacts (ties drawn for the agent and day), as a roster placed
    /// where the agent was needed would. Days the team is closed have no
    /// shift.
    fn shifts(&self, agent: &str, team: &str, contacts: &[ServedContact]) -> Vec<(i64, i64)> {
        let hours = self.team_hours(team);
        let agent_key = Event::customer_key(agent);
        let mut shifts = Vec::new();
        // Contacts are in time order, so each day's are contiguous.
        for day_contacts in contacts.chunk_by(|a, b| day_start(a.start_us) == day_start(b.start_us))
        {
            let day = day_start(day_contacts[0].start_us);
            let (open, close) = hours[weekday(day)];
            if open >= close {
                continue;
            }
            let (open_us, close_us) = (day + open * HOUR_US, day + close * HOUR_US);
            if close_us - open_us <= SHIFT_US {
                shifts.push((open_us, close_us));
                continue;
            }
            let covered = |start_us: i64| {
                (day_contacts.iter())
                    .filter(|c| (start_us..start_us + SHIFT_US).contains(&c.start_us))
                    .count()
            };
            let candidates: Vec<i64> = (0..=(close_us - open_us - SHIFT_US) / (HOUR_US / 2))
                .map(|half_hours| open_us + half_hours * (HOUR_US / 2))
                .collect();
            let most = candidates
                .iter()
                .map(|&s| covered(s))
                .max()
                .expect("one candidate");
            let best: Vec<i64> = (candidates.into_iter())
                .filter(|&s| covered(s) == most)
                .collect();
            let day_index = day.div_euclid(DAY_US) as u64;
            let mut rng = Rng::new(customer_seed(self.seed, SHIFT_SALT ^ agent_key, day_index));
            let start_us = *rng.pick(&best);
            shifts.push((start_us, start_us + SHIFT_US));
        }
        shifts
    }

    /// The team's day per weekday, Monday first: from the earliest opening
    /// to the latest closing of the queues it serves that close at all.
    fn team_hours(&self, team: &str) -> [(i64, i64); 7] {
        let mut days = [(24_i64, 0_i64); 7];
        let queues = (self.desk.queues.iter())
            .filter(|queue| queue.team.name == team)
            .filter(|queue| queue.schedule.hours.days != OpeningHours::ALWAYS.days);
        for queue in queues {
            for (day, &(open, close)) in days.iter_mut().zip(&queue.schedule.hours.days) {
                if open < close {
                    *day = (day.0.min(i64::from(open)), day.1.max(i64::from(close)));
                }
            }
        }
        if days.iter().all(|(open, close)| open >= close) {
            return OFFICE_HOURS
                .days
                .map(|(open, close)| (i64::from(open), i64::from(close)));
        }
        days
    }
}

fn seconds_us(seconds: f64) -> i64 {
    (seconds * SECOND_US as f64).round() as i64
}

/// The agent's sessions: the shifts and every contact's padded work,
/// joined where less than [`SESSION_GAP_US`] apart. Disjoint and in order;
/// every contact's work lies inside one.
fn sessions(shifts: &[(i64, i64)], works: &[ContactWork]) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> = shifts.to_vec();
    spans.extend(works.iter().map(|work| work.padded));
    spans.sort_unstable();
    let mut sessions: Vec<(i64, i64)> = Vec::new();
    for (start, end) in spans {
        match sessions.last_mut() {
            Some(last) if start <= last.1 + SESSION_GAP_US => last.1 = last.1.max(end),
            _ => sessions.push((start, end)),
        }
    }
    sessions
}

/// The time inside a session not yet taken by work or a placed spell.
struct FreeTime {
    /// Taken stretches, sorted by start, possibly overlapping.
    taken: Vec<(i64, i64)>,
    from_us: i64,
    to_us: i64,
}

impl FreeTime {
    /// Takes `length_us` as close to `preferred_us` as the free gaps allow,
    /// [`CLEARANCE_US`] away from anything taken; `None` when no gap fits.
    fn take(&mut self, preferred_us: i64, length_us: i64) -> Option<i64> {
        let mut best: Option<i64> = None;
        let mut gap_start = self.from_us;
        let mut consider = |gap_start: i64, gap_end: i64| {
            let (low, high) = (gap_start + CLEARANCE_US, gap_end - CLEARANCE_US - length_us);
            if low <= high {
                let candidate = preferred_us.clamp(low, high);
                if best.is_none_or(|b| (candidate - preferred_us).abs() < (b - preferred_us).abs())
                {
                    best = Some(candidate);
                }
            }
        };
        for &(start, end) in &self.taken {
            consider(gap_start, start.min(self.to_us));
            gap_start = gap_start.max(end);
        }
        consider(gap_start, self.to_us);
        let start = best?;
        let position = self.taken.partition_point(|&(s, _)| s <= start);
        self.taken.insert(position, (start, start + length_us));
        Some(start)
    }
}

impl AgentDays {
    /// Log in, ready, breaks (lunch in sessions of six hours or more, one
    /// or two short ones in sessions of three or more), not-ready spells,
    /// log out. Breaks and spells go where the agent has no work.
    fn session_events(
        &self,
        agent: &str,
        team: &str,
        (start_us, end_us): (i64, i64),
        busy: &[(i64, i64)],
        records: &mut Vec<AgentEventRecord>,
    ) {
        let agent_key = Event::customer_key(agent);
        let mut rng = Rng::new(customer_seed(
            self.seed,
            SESSION_SALT ^ agent_key,
            start_us as u64,
        ));
        let mut sequence = 0;
        let mut push = |ts_us: i64, kind: AgentEventKind| {
            records.push(AgentEventRecord {
                event_id: format!("agent-{agent_key:016x}-{start_us}-{sequence:03}"),
                ts_us,
                kind,
                agent: agent.to_string(),
                team: team.to_string(),
                duration_s: None,
                name: None,
                queue: None,
                contact_event_id: None,
            });
            sequence += 1;
        };
        push(start_us, AgentEventKind::LogIn);
        push(
            start_us + rng.between(30, 90) * SECOND_US,
            AgentEventKind::Ready,
        );
        let mut taken = busy.to_vec();
        taken.sort_unstable();
        let mut free = FreeTime {
            taken,
            from_us: start_us + 3 * MINUTE_US,
            to_us: end_us - 2 * MINUTE_US,
        };
        for (preferred_us, length_us, kind) in spells(&mut rng, start_us, end_us) {
            if let Some(at_us) = free.take(preferred_us, length_us) {
                push(at_us, kind);
                push(at_us + length_us, AgentEventKind::Ready);
            }
        }
        push(end_us, AgentEventKind::LogOut);
    }
}

/// The breaks and not-ready spells a session asks for: (preferred start,
/// length, kind), lunch first so that it gets the best place.
fn spells(rng: &mut Rng, start_us: i64, end_us: i64) -> Vec<(i64, i64, AgentEventKind)> {
    let length_us = end_us - start_us;
    let at = |share: f64| start_us + (length_us as f64 * share) as i64;
    let mut spells = Vec::new();
    if length_us >= 6 * HOUR_US {
        let jitter_us = rng.between(-30, 30) * MINUTE_US;
        spells.push((
            at(0.5) + jitter_us,
            rng.between(30, 45) * MINUTE_US,
            AgentEventKind::Break,
        ));
        for share in [0.25, 0.8] {
            spells.push((
                at(share),
                rng.between(10, 15) * MINUTE_US,
                AgentEventKind::Break,
            ));
        }
    } else if length_us >= 3 * HOUR_US {
        spells.push((
            at(0.5),
            rng.between(10, 15) * MINUTE_US,
            AgentEventKind::Break,
        ));
    }
    let not_ready = rng.between(0, 1) + length_us / (3 * HOUR_US);
    for _ in 0..not_ready {
        spells.push((
            at(rng.unit()),
            rng.between(3, 12) * MINUTE_US,
            AgentEventKind::NotReady,
        ));
    }
    spells
}
