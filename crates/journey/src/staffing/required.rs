//! The smallest number of agents that meets a service-level target (and
//! optionally an ASA target) within a maximum occupancy, then grossed up
//! for shrinkage: agents_with_shrinkage = ⌈agents / (1 − shrinkage)⌉.
//!
//! Erlang C search: from ⌊A⌋ + 1 upwards, extending the Erlang B recursion
//! one agent per step, so a requirement of n agents costs O(n). Erlang A:
//! the service level, ASA and occupancy improve with every agent (more
//! servers serve every caller sooner), so the search starts at the Erlang C
//! answer and gallops down (or up) and bisects; the Erlang B values of
//! every agent count are kept for it.
//!
//! Ceilings (occupancy, shrinkage) forgive a relative excess of 1e-9 over
//! an integer, so 7 / (1 − 0.3) is 10 agents and not 11 by rounding error.

use serde::Serialize;

use super::StaffingError;
use super::erlang::{
    ErlangA, QueueMetrics, Traffic, erlang_c_metrics, idle_metrics, next_erlang_b,
};

/// Agents beyond which the search gives up (a million Erlangs of traffic).
const AGENT_LIMIT: u32 = 1_000_000;

/// What an interval's staffing must achieve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StaffingTarget {
    /// Share of offered contacts to answer within `answer_within_secs`.
    pub service_level: f64,
    pub answer_within_secs: f64,
    /// Optional upper bound on the average speed of answer, seconds.
    pub max_asa_secs: Option<f64>,
    /// Upper bound on occupancy in (0, 1]; 1 for none.
    pub max_occupancy: f64,
    /// Share of paid time agents are unavailable (breaks, training), [0, 1).
    pub shrinkage: f64,
}

impl StaffingTarget {
    pub fn validate(&self) -> Result<(), StaffingError> {
        in_range(
            "service_level",
            self.service_level,
            0.0,
            1.0,
            "[0, 1]",
            true,
        )?;
        if !(self.answer_within_secs.is_finite() && self.answer_within_secs >= 0.0) {
            return Err(StaffingError::InvalidInput {
                name: "answer_within_secs",
                value: self.answer_within_secs,
            });
        }
        if let Some(asa) = self.max_asa_secs {
            super::erlang::positive("max_asa_secs", asa)?;
        }
        if !(self.max_occupancy > 0.0 && self.max_occupancy <= 1.0) {
            return Err(StaffingError::OutOfRange {
                name: "max_occupancy",
                value: self.max_occupancy,
                range: "(0, 1]",
            });
        }
        in_range("shrinkage", self.shrinkage, 0.0, 1.0, "[0, 1)", false)
    }
}

fn in_range(
    name: &'static str,
    value: f64,
    low: f64,
    high: f64,
    range: &'static str,
    closed: bool,
) -> Result<(), StaffingError> {
    let inside = value >= low && (value < high || closed && value <= high);
    if inside {
        Ok(())
    } else {
        Err(StaffingError::OutOfRange { name, value, range })
    }
}

/// An interval's staffing: the CLI's `{agents, agents_with_shrinkage,
/// service_level, p_wait, asa_s, occupancy, abandon_rate}`, metrics at
/// `agents`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Staffing {
    /// Agents needed on the phones.
    pub agents: u32,
    /// Agents to schedule so that `agents` remain after shrinkage.
    pub agents_with_shrinkage: u32,
    pub service_level: f64,
    pub p_wait: f64,
    pub asa_s: f64,
    pub occupancy: f64,
    pub abandon_rate: f64,
}

impl Staffing {
    fn new(metrics: QueueMetrics, shrinkage: f64) -> Self {
        Staffing {
            agents: metrics.agents,
            agents_with_shrinkage: tolerant_ceil(f64::from(metrics.agents) / (1.0 - shrinkage)),
            service_level: metrics.service_level,
            p_wait: metrics.p_wait,
            asa_s: metrics.asa_s,
            occupancy: metrics.occupancy,
            abandon_rate: metrics.abandon_rate,
        }
    }
}

/// The staffing `traffic` needs to meet `target`.
pub fn required_agents(
    traffic: &Traffic,
    target: &StaffingTarget,
) -> Result<Staffing, StaffingError> {
    traffic.validate()?;
    target.validate()?;
    let load = traffic.offered_load();
    if load == 0.0 {
        return Ok(Staffing::new(idle_metrics(0), target.shrinkage));
    }
    let mut erlang_b = ErlangBTable::new(load);
    let within = target.answer_within_secs;
    // Erlang C: the first stable agent count that meets the target.
    let mut agents = stable_agents(load);
    while !meets(
        &erlang_c_metrics(traffic, agents, erlang_b.get(agents), within),
        target,
    ) {
        agents = next_agents(agents)?;
    }
    if traffic.patience_secs.is_none() {
        if f64::from(agents) * target.max_occupancy < load {
            agents = agents.max(tolerant_ceil(load / target.max_occupancy));
        }
        let metrics = erlang_c_metrics(traffic, agents, erlang_b.get(agents), within);
        return Ok(Staffing::new(metrics, target.shrinkage));
    }
    // Erlang A, starting from the Erlang C answer; the searches revisit
    // agent counts, so evaluations are remembered.
    let mut evaluated: Vec<ErlangA> = Vec::new();
    let mut erlang_a = |agents: u32| -> ErlangA {
        if let Some(known) = evaluated.iter().find(|queue| queue.agents == agents) {
            return *known;
        }
        let queue = ErlangA::new(traffic, agents, erlang_b.get(agents), within);
        evaluated.push(queue);
        queue
    };
    let service_agents = fewest_agents(
        |agents| {
            let queue = erlang_a(agents);
            queue.service_level >= target.service_level
                && target.max_asa_secs.is_none_or(|asa| queue.asa_s() <= asa)
        },
        agents,
        1,
    )?;
    // Occupancy falls with every agent too; usually the service target
    // already keeps it below the cap.
    let agents = fewest_agents(
        |agents| erlang_a(agents).occupancy <= target.max_occupancy,
        service_agents,
        service_agents,
    )?;
    Ok(Staffing::new(erlang_a(agents).metrics(), target.shrinkage))
}

fn meets(metrics: &QueueMetrics, target: &StaffingTarget) -> bool {
    metrics.service_level >= target.service_level
        && target.max_asa_secs.is_none_or(|asa| metrics.asa_s <= asa)
}

/// The fewest agents, not below `floor`, for which the monotone predicate
/// `meets` holds, searched from `start`: galloping steps of 1, 2, 4, … down
/// (or up) until the answer changes, then bisection. O(log d) evaluations
/// for an answer d agents away from the start.
fn fewest_agents(
    mut meets: impl FnMut(u32) -> bool,
    start: u32,
    floor: u32,
) -> Result<u32, StaffingError> {
    let start = start.max(floor);
    let (mut failing, mut passing) = if meets(start) {
        let mut passing = start;
        let mut step = 1;
        loop {
            if passing == floor {
                return Ok(floor);
            }
            let candidate = passing.saturating_sub(step).max(floor);
            if meets(candidate) {
                passing = candidate;
                step *= 2;
            } else {
                break (candidate, passing);
            }
        }
    } else {
        let mut failing = start;
        let mut step = 1;
        loop {
            if failing >= AGENT_LIMIT {
                return Err(StaffingError::TargetUnreachable { limit: AGENT_LIMIT });
            }
            let candidate = failing.saturating_add(step).min(AGENT_LIMIT);
            if meets(candidate) {
                break (failing, candidate);
            }
            failing = candidate;
            step *= 2;
        }
    };
    while passing - failing > 1 {
        let middle = failing + (passing - failing) / 2;
        if meets(middle) {
            passing = middle;
        } else {
            failing = middle;
        }
    }
    Ok(passing)
}

/// The smallest agent count with n > A, where Erlang C is stable.
fn stable_agents(load: f64) -> u32 {
    (load.floor() + 1.0).min(f64::from(AGENT_LIMIT)) as u32
}

fn next_agents(agents: u32) -> Result<u32, StaffingError> {
    if agents >= AGENT_LIMIT {
        Err(StaffingError::TargetUnreachable { limit: AGENT_LIMIT })
    } else {
        Ok(agents + 1)
    }
}

/// ⌈x⌉, except that x within a relative 1e-9 above an integer rounds down
/// to it: shares like 0.3 are not exact in binary.
pub fn tolerant_ceil(x: f64) -> u32 {
    let nearest = x.round();
    let value = if (x - nearest).abs() <= 1e-9 * nearest.max(1.0) {
        nearest
    } else {
        x.ceil()
    };
    value.max(0.0) as u32
}

/// Erlang B values for 0, 1, 2, … agents, extended on demand.
struct ErlangBTable {
    load: f64,
    values: Vec<f64>,
}

impl ErlangBTable {
    fn new(load: f64) -> Self {
        ErlangBTable {
            load,
            values: vec![1.0],
        }
    }

    fn get(&mut self, agents: u32) -> f64 {
        while self.values.len() <= agents as usize {
            let k = u32::try_from(self.values.len()).expect("agent counts fit in u32");
            let previous = *self.values.last().expect("the table starts with B(0)");
            self.values.push(next_erlang_b(previous, k, self.load));
        }
        self.values[agents as usize]
    }
}
