//! The contact centre both businesses share: queues on human channels with
//! opening hours and arrival profiles, waits and abandonment (each caller
//! has an exponential patience, as in Erlang A), agents in teams, talk,
//! hold and wrap times, transfers, and an issue that is followed across
//! contacts until it is solved or the customer gives up or complains.

use crate::rng::Rng;
use crate::text::{self, Survey, Tone, Topic};
use crate::time::{Schedule, days, hour_of_day, minutes, seconds, weekday};
use crate::timeline::{Props, Timeline};
use model::RatingScale;

#[derive(Debug)]
pub(crate) struct Team {
    pub(crate) name: &'static str,
    pub(crate) agents: &'static [&'static str],
    /// Agents who mark contacts resolved although the problem remains; they
    /// do so only while that planted situation is switched on.
    pub(crate) optimists: &'static [&'static str],
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Service {
    /// Phone and chat: the customer waits in line and may give up.
    Realtime { base_wait_s: f64, patience_s: f64 },
    /// E-mail and web forms: answered later; nobody waits on a line, so the
    /// contact has no `wait_s`, only a `first_response_s` property.
    Deferred { median_response_s: f64 },
}

/// Hours in which a queue is understaffed: the mean wait rises to
/// `mean_wait_s` on the given weekdays (Monday = bit 0) in `[from, to)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spike {
    pub(crate) weekdays: u8,
    pub(crate) from_hour: usize,
    pub(crate) to_hour: usize,
    pub(crate) mean_wait_s: f64,
}

impl Spike {
    pub(crate) fn covers(&self, ts_us: i64) -> bool {
        self.weekdays & (1 << weekday(ts_us)) != 0
            && (self.from_hour..self.to_hour).contains(&hour_of_day(ts_us))
    }
}

#[derive(Debug)]
pub(crate) struct Queue {
    pub(crate) name: &'static str,
    pub(crate) touchpoint: &'static str,
    pub(crate) channel: &'static str,
    pub(crate) team: &'static Team,
    pub(crate) schedule: Schedule<'static>,
    pub(crate) service: Service,
    pub(crate) spikes: &'static [Spike],
    pub(crate) talk_median_s: f64,
    /// Whether the customer writes (chat, e-mail, forms), so that the
    /// contact carries the customer's message.
    pub(crate) written: bool,
}

/// Scenario-wide switches of the contact centre's planted situations.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    pub(crate) spikes: bool,
    pub(crate) optimists: bool,
    pub(crate) wait_target_s: f64,
}

/// A customer's problem, recognisable across contacts by its key.
#[derive(Debug)]
pub(crate) struct Issue<'a> {
    pub(crate) key: String,
    pub(crate) reason: &'static str,
    pub(crate) topic: &'a Topic,
    /// The product or plan the problem is about, for the texts.
    pub(crate) item: &'a str,
    /// Probability that one answered contact really solves the problem.
    pub(crate) solve: f64,
}

/// Where a customer takes an issue: the first queue, the queues they switch
/// to on a repeat, and the complaint route once patience runs out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Route<'a> {
    pub(crate) first: &'a Queue,
    pub(crate) alternatives: &'a [&'a Queue],
    pub(crate) complaint: Option<&'a Queue>,
    /// Multiplies every mean wait, for surges the scenario plants.
    pub(crate) wait_factor: f64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct IssueOutcome {
    pub(crate) solved: bool,
    pub(crate) end_ts_us: i64,
}

/// One contact as it went.
#[derive(Debug, Clone, Copy)]
struct Served {
    end_ts_us: i64,
    abandoned: bool,
    solved: bool,
}

const STILL_BROKEN: Topic = Topic {
    positive: &["Thanks for getting back to me about the {item}."],
    neutral: &["Following up on my earlier contact about the {item}."],
    negative: &[
        "This is the second time I am contacting you about the {item} and nothing has changed.",
        "I was told this was fixed but the {item} still does not work.",
        "Your agent closed my case but the problem with the {item} is still there.",
        "Still waiting for a real answer about the {item}. Nobody seems to care.",
    ],
};

const CONTACT_SURVEY: Topic = Topic {
    positive: &[
        "The agent was friendly and solved my problem quickly.",
        "Helpful, patient and knew exactly what to do.",
        "Problem solved on the first call, brilliant service.",
    ],
    neutral: &[
        "The agent was polite but it took a while.",
        "Got an answer in the end.",
    ],
    negative: &[
        "Waited forever and the agent could not help.",
        "The agent said it was resolved but it is not.",
        "Passed from one person to another and still no solution.",
        "Nobody listened and my problem is not solved.",
    ],
};

/// Follows an issue from the first contact until it is solved, the
/// customer gives up, or a complaint is filed. Unsolved contacts are
/// followed by a repeat contact on the same issue within a week; abandoned
/// ones by a retry within the hour or two.
pub(crate) fn handle_issue(
    rng: &mut Rng,
    timeline: &mut Timeline,
    rules: &Rules,
    issue: &Issue<'_>,
    route: &Route<'_>,
    need_ts_us: i64,
) -> IssueOutcome {
    let mut queue = route.first;
    let mut need = need_ts_us;
    let mut unsolved_answers = 0;
    for contact in 1..=5 {
        let served = serve(rng, timeline, rules, issue, route, queue, contact > 1, need);
        if served.solved {
            follow_up_question(rng, timeline, rules, issue, route, queue, served.end_ts_us);
            return IssueOutcome {
                solved: true,
                end_ts_us: served.end_ts_us,
            };
        }
        let gave_up = if served.abandoned {
            need = served.end_ts_us + minutes(rng.uniform(5.0, 120.0));
            !rng.chance(0.75)
        } else {
            unsolved_answers += 1;
            if unsolved_answers >= 2
                && let Some(complaint) = route.complaint
                && rng.chance(0.35)
            {
                let filed = served.end_ts_us + days(rng.uniform(0.1, 3.0));
                let complained = serve(rng, timeline, rules, issue, route, complaint, true, filed);
                return IssueOutcome {
                    solved: complained.solved,
                    end_ts_us: complained.end_ts_us,
                };
            }
            need = served.end_ts_us + days(rng.uniform(0.3, 6.0));
            !rng.chance(0.8)
        };
        if gave_up {
            return IssueOutcome {
                solved: false,
                end_ts_us: served.end_ts_us,
            };
        }
        if rng.chance(0.3) && !route.alternatives.is_empty() {
            queue = *rng.pick(route.alternatives);
        }
    }
    IssueOutcome {
        solved: false,
        end_ts_us: timeline.last_ts_us(),
    }
}

/// Even a solved issue now and then brings a question back within days.
fn follow_up_question(
    rng: &mut Rng,
    timeline: &mut Timeline,
    rules: &Rules,
    issue: &Issue<'_>,
    route: &Route<'_>,
    queue: &Queue,
    after_ts_us: i64,
) {
    if rng.chance(0.04) {
        let need = after_ts_us + days(rng.uniform(0.5, 6.0));
        let question = Issue {
            key: issue.key.clone(),
            solve: 0.95,
            ..*issue
        };
        serve(rng, timeline, rules, &question, route, queue, true, need);
    }
}

/// One contact: when it happens, the wait, whether the customer hangs up,
/// which agent answers, how long it takes and whether it is solved.
fn serve(
    rng: &mut Rng,
    timeline: &mut Timeline,
    rules: &Rules,
    issue: &Issue<'_>,
    route: &Route<'_>,
    queue: &Queue,
    repeat: bool,
    need_ts_us: i64,
) -> Served {
    let ts = queue.schedule.pick(rng, need_ts_us);
    let (wait_s, abandoned) = wait(rng, rules, queue, route.wait_factor, ts);
    let text = queue.written.then(|| {
        let topic = if repeat { &STILL_BROKEN } else { issue.topic };
        text::compose(
            rng,
            topic,
            if repeat {
                Tone::Negative
            } else {
                Tone::Neutral
            },
            issue.item,
        )
    });
    let event = timeline.push(rng, ts, queue.touchpoint, queue.channel);
    event.text = text;
    event.wait_s = wait_s.map(|w| w as f32);
    event.abandoned = Some(abandoned);
    if abandoned {
        event.properties = Props::new()
            .str("queue", queue.name)
            .str("team", queue.team.name)
            .str("issue", &issue.key)
            .str("reason", issue.reason)
            .finish();
        return Served {
            end_ts_us: ts + seconds(wait_s.unwrap_or(0.0)),
            abandoned: true,
            solved: false,
        };
    }
    let answered = answer(rng, rules, issue, queue);
    event.agent = Some(answered.agent.to_string());
    event.handle_s = Some(answered.handle_s() as f32);
    event.resolved = Some(answered.marked_resolved);
    event.properties = answered.properties(queue, issue, rng);
    let late = wait_s.is_some_and(|w| w > rules.wait_target_s);
    if rng.chance(0.4) {
        let mean = if answered.solved { 4.4 } else { 1.7 } - if late { 0.8 } else { 0.0 };
        let survey = Survey {
            scale: RatingScale::Csat5,
            mean,
            topic: &CONTACT_SURVEY,
            item: issue.item,
            comment: 0.5,
        };
        text::rate(rng, event, &survey);
    }
    let handled_s = wait_s.unwrap_or(0.0) + answered.handle_s();
    Served {
        end_ts_us: ts + seconds(handled_s),
        abandoned: false,
        solved: answered.solved,
    }
}

/// The wait a customer sees and whether they give up. Deferred queues have
/// no wait on the line and nobody abandons them.
fn wait(
    rng: &mut Rng,
    rules: &Rules,
    queue: &Queue,
    factor: f64,
    ts_us: i64,
) -> (Option<f64>, bool) {
    let Service::Realtime {
        base_wait_s,
        patience_s,
    } = queue.service
    else {
        return (None, false);
    };
    let spike = queue
        .spikes
        .iter()
        .find(|spike| rules.spikes && spike.covers(ts_us));
    let mean = spike.map_or(base_wait_s, |spike| spike.mean_wait_s) * factor;
    let wait_s = rng.exponential(mean).round();
    let patience = rng.exponential(patience_s).round();
    if patience < wait_s {
        (Some(patience), true)
    } else {
        (Some(wait_s), false)
    }
}

/// An answered contact's work.
struct Answered {
    agent: &'static str,
    solved: bool,
    marked_resolved: bool,
    talk_s: f64,
    hold_s: f64,
    wrap_s: f64,
    transfers: i64,
}

impl Answered {
    fn handle_s(&self) -> f64 {
        self.talk_s + self.hold_s + self.wrap_s
    }

    fn properties(&self, queue: &Queue, issue: &Issue<'_>, rng: &mut Rng) -> Option<String> {
        let props = Props::new()
            .str("queue", queue.name)
            .str("team", queue.team.name)
            .int("talk_s", self.talk_s as i64)
            .int("hold_s", self.hold_s as i64)
            .int("wrap_s", self.wrap_s as i64)
            .int("transfers", self.transfers)
            .str("issue", &issue.key)
            .str("reason", issue.reason);
        match queue.service {
            Service::Deferred { median_response_s } => props
                .int(
                    "first_response_s",
                    rng.skewed(median_response_s).round() as i64,
                )
                .finish(),
            Service::Realtime { .. } => props.finish(),
        }
    }
}

fn answer(rng: &mut Rng, rules: &Rules, issue: &Issue<'_>, queue: &Queue) -> Answered {
    let team = queue.team;
    let agent = *rng.pick(team.agents);
    let transfers = match rng.below(100) {
        0..=84 => 0,
        85..=96 => 1,
        _ => 2,
    };
    let solved = rng.chance(issue.solve * 0.85f64.powi(transfers as i32));
    let optimist = rules.optimists && team.optimists.contains(&agent);
    let marked_resolved = solved || (optimist && rng.chance(0.85));
    let hold_s = if rng.chance(0.35) {
        rng.exponential(70.0).round()
    } else {
        0.0
    };
    Answered {
        agent,
        solved,
        marked_resolved,
        talk_s: rng.skewed(queue.talk_median_s).round().max(20.0) + 60.0 * transfers as f64,
        hold_s,
        wrap_s: rng.uniform(15.0, 90.0).round(),
        transfers,
    }
}
