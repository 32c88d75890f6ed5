//! The handover network: which agents and teams pass customers to which,
//! and how much extra waiting that costs the customer.
//!
//! Two kinds of edges:
//! - `consecutive`: two answered contacts of one customer, the second
//!   arriving within the handover window (default 15 min) after the first
//!   ended (arrival + wait + handle time), served by different agents. The
//!   edge goes from the first contact's team (agent) to the second's; its
//!   extra wait is the second contact's wait plus the waits of abandoned
//!   contacts in between. Contacts served by the same agent are a
//!   call-back, not a handover, at both levels; a team edge to itself is a
//!   handover between two agents of one team.
//! - `recorded`: the transfers a contact records (`Contact::transfers`),
//!   whose target is not known: an edge from the contact's team (agent) to
//!   [`NO_NAME`] counting transfers, without a wait.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::record::{ContactRecord, contact_records};
use super::{ContactError, MICROS_PER_SECOND, mean, non_negative, secs_to_us};
use crate::{Accumulator, Journey, NO_NAME};

/// What the handover network counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HandoverSpec {
    /// Longest gap between the end of one contact and the arrival of the
    /// next for them to form a handover, seconds.
    pub window_secs: f64,
}

impl Default for HandoverSpec {
    fn default() -> Self {
        HandoverSpec { window_secs: 900.0 }
    }
}

impl HandoverSpec {
    pub fn validate(&self) -> Result<(), ContactError> {
        non_negative("window_secs", self.window_secs)
    }
}

/// How an edge was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverKind {
    Consecutive,
    Recorded,
}

/// One edge of the network; `from` and `to` are team or agent ids.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HandoverEdge {
    pub kind: HandoverKind,
    pub from: u32,
    pub to: u32,
    pub count: u64,
    /// Customers who took the edge at least once.
    pub customers: u64,
    /// Mean extra wait over the handovers where it is known.
    pub mean_extra_wait_s: Option<f64>,
}

/// The network at team and at agent level; edges by count descending,
/// then by kind, `from` and `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoverNetwork {
    pub teams: Vec<HandoverEdge>,
    pub agents: Vec<HandoverEdge>,
}

#[derive(Debug, Clone, Default)]
struct EdgeTally {
    count: u64,
    customers: u64,
    wait_sum_s: f64,
    wait_n: u64,
    /// The journey that last took the edge (a `journeys_seen` stamp).
    last_journey: u64,
}

type EdgeKey = (HandoverKind, u32, u32);

/// Builds a [`HandoverNetwork`] over customer journeys.
#[derive(Debug)]
pub struct HandoverAccumulator {
    window_us: i64,
    teams: HashMap<EdgeKey, EdgeTally>,
    agents: HashMap<EdgeKey, EdgeTally>,
    journeys_seen: u64,
    records: Vec<ContactRecord>,
}

impl HandoverAccumulator {
    pub fn new(spec: &HandoverSpec) -> Result<Self, ContactError> {
        spec.validate()?;
        Ok(HandoverAccumulator {
            window_us: secs_to_us(spec.window_secs),
            teams: HashMap::new(),
            agents: HashMap::new(),
            journeys_seen: 0,
            records: Vec::new(),
        })
    }

    fn count(&mut self, key_teams: EdgeKey, key_agents: EdgeKey, n: u64, wait_s: Option<f64>) {
        let journey = self.journeys_seen;
        for (edges, key) in [(&mut self.teams, key_teams), (&mut self.agents, key_agents)] {
            let tally = edges.entry(key).or_default();
            tally.count += n;
            if tally.last_journey != journey {
                tally.last_journey = journey;
                tally.customers += 1;
            }
            if let Some(wait_s) = wait_s {
                tally.wait_sum_s += wait_s;
                tally.wait_n += 1;
            }
        }
    }
}

impl Accumulator for HandoverAccumulator {
    type Output = HandoverNetwork;

    fn observe(&mut self, journey: &Journey<'_>) {
        self.journeys_seen += 1;
        let mut records = std::mem::take(&mut self.records);
        records.clear();
        contact_records(journey, &mut records);
        // The last answered contact and when it ended; the waits since.
        let mut previous: Option<(ContactRecord, i64)> = None;
        let mut waits_between_s: Option<f64> = Some(0.0);
        for record in &records {
            if let Some((_, end_us)) = previous
                && record.ts_us - end_us > self.window_us
            {
                previous = None;
            }
            if record.abandoned {
                waits_between_s = waits_between_s.zip(record.wait_s).map(|(a, b)| a + b);
                continue;
            }
            if record.transfers > 0 {
                self.count(
                    (HandoverKind::Recorded, record.team, NO_NAME),
                    (HandoverKind::Recorded, record.agent, NO_NAME),
                    u64::from(record.transfers),
                    None,
                );
            }
            if let Some((earlier, _)) = previous
                && (earlier.agent != record.agent || earlier.agent == NO_NAME)
            {
                let extra_wait_s = waits_between_s.zip(record.wait_s).map(|(a, b)| a + b);
                self.count(
                    (HandoverKind::Consecutive, earlier.team, record.team),
                    (HandoverKind::Consecutive, earlier.agent, record.agent),
                    1,
                    extra_wait_s,
                );
            }
            let busy_s = record.wait_s.unwrap_or(0.0) + record.handle_s.unwrap_or(0.0);
            let end_us = record.ts_us + (busy_s * MICROS_PER_SECOND).round() as i64;
            previous = Some((*record, end_us));
            waits_between_s = Some(0.0);
        }
        self.records = records;
    }

    fn merge(&mut self, other: Self) {
        for (mine, theirs) in [
            (&mut self.teams, other.teams),
            (&mut self.agents, other.agents),
        ] {
            for (key, tally) in theirs {
                let slot = mine.entry(key).or_default();
                slot.count += tally.count;
                slot.customers += tally.customers;
                slot.wait_sum_s += tally.wait_sum_s;
                slot.wait_n += tally.wait_n;
            }
        }
    }

    fn finish(self) -> HandoverNetwork {
        HandoverNetwork {
            teams: finish_edges(self.teams),
            agents: finish_edges(self.agents),
        }
    }
}

fn finish_edges(edges: HashMap<EdgeKey, EdgeTally>) -> Vec<HandoverEdge> {
    let mut edges: Vec<HandoverEdge> = (edges.into_iter())
        .map(|((kind, from, to), tally)| HandoverEdge {
            kind,
            from,
            to,
            count: tally.count,
            customers: tally.customers,
            mean_extra_wait_s: mean(tally.wait_sum_s, tally.wait_n),
        })
        .collect();
    edges.sort_by(|a, b| {
        (b.count.cmp(&a.count)).then_with(|| (a.kind, a.from, a.to).cmp(&(b.kind, b.from, b.to)))
    });
    edges
}
