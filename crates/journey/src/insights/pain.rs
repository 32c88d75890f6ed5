//! Pain points: touchpoints and transitions where customers drop off, feel
//! bad, wait long for the next step, come back to the contact centre,
//! switch from self-service to a person, or raise tickets — for everyone
//! and per persona, ranked by impact.
//!
//! Every finding is a test of one place against an expectation, and a
//! place is flagged only when the difference is both significant and large
//! enough to matter: `z ≥ min_z` (3 by default rather than 1.96, because
//! every touchpoint of every persona is tested), an excess of at least
//! `min_excess` and a lift (rate ÷ expectation) of at least `min_lift` for
//! shares, a gap of at least `min_emotion_gap` for mean emotions. With
//! 20 000 customers a difference of one percentage point is already
//! "significant"; the minimum effect keeps such trivia out of the ranking.
//!
//! Kinds, their unit, expectation and test, for everyone:
//!
//! | kind | unit | expectation | test |
//! |---|---|---|---|
//! | `drop_off` | visits of a touchpoint before the first purchase stage, less the one of a journey that may continue | the share of the stage's other such touchpoints | binomial z |
//! | `negative_emotion` | scored events here | the mean of the other touchpoints of the same channel kind | Welch z; and the upper end of the mean's 95 % interval below `negative_emotion_max` |
//! | `repeat_contact` | contacts here (complaints excluded), a hit when another contact on the same issue follows within `repeat_contact_days` | the other contacts' share | binomial z |
//! | `channel_switch` | self-service events at a, switched to a contact at b within the switch window | the other self-service events' share | binomial z |
//! | `ticket_follows` | plain events here | the other plain events' share | binomial z |
//!
//! For a persona the expectation is the share (or mean) of *the other
//! customers at the same place* and the test the two-proportion z (Welch
//! for means): a persona's finding says "this group fares worse than the
//! rest here", which is what sets a persona apart; a problem everyone has
//! is reported once, for everyone. `long_dwell` is for personas only: the
//! persona's median time on a transition a → b at least `dwell_ratio_min`
//! × everyone's on the same transition, and the persona's share of steps
//! slower than that threshold above the rest's (two-proportion z). The
//! same transition for everyone is the reference rather than the stage:
//! many steps are scheduled (a parcel arrives days after the dispatch
//! text, a survey weeks after the order), so a step slower than its stage
//! is usually the business's timetable, while a persona slower than
//! everyone on the same step is stuck.
//!
//! `severity` is the excess over the expectation (rate − expected for
//! shares, expected − mean for emotion, at most 1; 1 − everyone's median ÷
//! the persona's for dwell); `affected` counts the customers who had the
//! problem there (dropped off, scored below 0, repeated, were followed by
//! a ticket, switched; for dwell the persona's customers times the share
//! of their slow steps); `impact = affected × severity`.
//!
//! Choices that keep natural behaviour out of the ranking:
//!
//! - **Drop-off is where activity stopped.** Events are grouped into
//!   sessions (a gap above `session_gap_minutes` starts a new one). A
//!   journey that ended is attributed to the last event of its last
//!   session with two events or more: a trailing lone event — a cart
//!   reminder, a newsletter, a one-off message — is something that reached
//!   a customer who had already left, so the customer left where they last
//!   acted (the cart, not its reminder). Journeys whose last event is an
//!   exit touchpoint (a cancellation) left on purpose and are no drop-off.
//! - **Drop-off is counted per visit**, the share of visits that are the
//!   journey's drop-off point: a touchpoint visited several times per
//!   customer is not made to look better or worse by the number of visits
//!   of each customer.
//! - **Drop-off only before the purchase.** A journey that ends after its
//!   purchase (in the purchase stage or a later one) completed the
//!   business's journey; that the customer does not come back is churn,
//!   which the retention and at-risk analyses measure. Without purchase
//!   touchpoints every stage counts.
//! - **Complaint touchpoints are negative and repeated by nature**: a
//!   complaint is an escalation of an earlier contact. They are neither
//!   tested for emotion or repeat contacts nor part of those expectations,
//!   and they count as tickets, not as places tickets follow.
//! - **A ticket follows the last plain event before it.** A plain event is
//!   one that is neither a contact, a complaint nor self-service; a ticket
//!   (an after-sale contact or a complaint) within `ticket_window_days`
//!   counts for the last plain event before it only, so that a chain of
//!   events before one problem (dispatch text, delivery, unpacking, set-up
//!   instructions) does not report the same tickets four times, and
//!   self-service on the way to a contact is a channel switch, not a
//!   separate ticket finding.
//! - **A repeat counts against the contact that failed.** A contact is
//!   repeated when another contact on the same issue (any contact, when
//!   either carries no issue) follows within the repeat window, so the
//!   repeat is charged to the touchpoint that did not solve the problem —
//!   the measure behind first-contact resolution — and not to the queue
//!   the customer tried next (customers often switch channel on a repeat).
//! - **A ticket on an issue already open is no new ticket.** A contact
//!   whose issue appeared in a contact before the plain event continues
//!   an earlier problem (the calls about a fault before and after the
//!   repair visit) and does not count as following that event.
//! - **Emotion against the channel kind.** Contacts with people collect
//!   the unresolved, the repeated and the waiting; surveys by e-mail
//!   collect the happy. A touchpoint is compared with its own kind's other
//!   touchpoints (digital, human, physical), not with an absolute bar
//!   alone.
//! - **One finding per place.** All tests flagged at one touchpoint (or
//!   on transitions from it), for everyone and for every persona, are
//!   merged into one [`PainPoint`]: the one with the largest impact is the
//!   headline, and every test is listed in `evidence`. The impact is the
//!   headline's, not a sum, because the customers of the pieces overlap:
//!   older customers leaving at the FAQ also raise everyone's drop-off
//!   there and that of desktop shoppers (most older customers shop on a
//!   computer) — one problem, seen through three groups, whose headline
//!   names the group that suffers most.

use super::context::{InsightContext, is_contact};
use super::emotion::{Signal, SignalSet, emotions_of};
use super::proportion::{binomial_z, two_proportion_z, wilson_interval};
use super::sample::{SmallestK, event_hash, mix64};
use super::{InsightsError, check_range, days_us};
use crate::hash::BuildIdHasher;
use crate::stats::{MeanAccumulator, quantile_sorted};
use crate::{Accumulator, Journey, NO_NAME};
use model::ChannelKind;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct PainOptions {
    /// Places with fewer customers are not tested.
    pub min_customers: u64,
    pub min_z: f64,
    /// A share must exceed its expectation by at least this much …
    pub min_excess: f64,
    /// … and be at least this many times the expectation.
    pub min_lift: f64,
    /// The upper end of a mean emotion's interval must lie below this.
    pub negative_emotion_max: f64,
    /// A mean emotion must lie at least this far below its expectation.
    pub min_emotion_gap: f64,
    pub dwell_ratio_min: f64,
    pub ticket_window_days: f64,
    /// A gap between events longer than this starts a new session.
    pub session_gap_minutes: f64,
    /// Example customers and texts per finding.
    pub examples: usize,
}

impl Default for PainOptions {
    fn default() -> Self {
        PainOptions {
            min_customers: 30,
            min_z: 3.0,
            min_excess: 0.02,
            min_lift: 1.25,
            negative_emotion_max: -0.2,
            min_emotion_gap: 0.1,
            dwell_ratio_min: 2.0,
            ticket_window_days: 3.0,
            session_gap_minutes: 30.0,
            examples: 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PainKind {
    DropOff,
    NegativeEmotion,
    LongDwell,
    RepeatContact,
    ChannelSwitch,
    TicketFollows,
}

/// One test flagged at a place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub kind: PainKind,
    /// `None` for everyone, else the persona's bit.
    pub persona: Option<u32>,
    /// The transition's target for `long_dwell` and `channel_switch`.
    pub next_touchpoint: Option<u32>,
    /// Customers at the touchpoint or on the transition.
    pub customers: u64,
    /// Customers who had the problem there.
    pub affected: u64,
    /// The rate's unit count and hits (for a mean: the number of values and
    /// 0; for dwell: the steps and the slow ones).
    pub n: u64,
    pub hits: u64,
    /// The share, the mean emotion, or the median dwell in seconds.
    pub rate: f64,
    /// What the rate is compared with (see the module's table).
    pub expected: f64,
    /// 95 % interval of the rate (Wilson for shares, t for the mean);
    /// `None` for the median dwell.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The test statistic against `expected`.
    pub z: Option<f64>,
    pub severity: f64,
    pub impact: f64,
}

/// One finding: the problems at one touchpoint (and the transitions from
/// it), for everyone and the personas, with their evidence. The fields
/// from `kind` to `impact` are those of the headline evidence (the
/// largest impact).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PainPoint {
    pub kind: PainKind,
    /// `None` for everyone, else the persona's bit.
    pub persona: Option<u32>,
    pub touchpoint: u32,
    pub next_touchpoint: Option<u32>,
    pub stage: u32,
    pub customers: u64,
    pub affected: u64,
    pub n: u64,
    pub hits: u64,
    pub rate: f64,
    pub expected: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub z: Option<f64>,
    pub severity: f64,
    pub impact: f64,
    pub example_customers: Vec<u64>,
    pub example_texts: Vec<String>,
    /// Every test flagged at this touchpoint, for everyone and for each
    /// persona, by impact, the headline first.
    pub evidence: Vec<Evidence>,
}

impl PainPoint {
    /// The kinds of the evidence, headline first.
    pub fn kinds(&self) -> impl Iterator<Item = PainKind> + '_ {
        self.evidence.iter().map(|e| e.kind)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PainReport {
    /// By impact, largest first.
    pub points: Vec<PainPoint>,
}

/// Examples of one kind at one place.
#[derive(Debug, Clone)]
struct Examples {
    customers: SmallestK<u64>,
    texts: SmallestK<String>,
}

impl Examples {
    fn new(k: usize) -> Examples {
        Examples {
            customers: SmallestK::new(k),
            texts: SmallestK::new(k),
        }
    }

    fn merge(&mut self, other: &Examples) {
        self.customers.merge(&other.customers);
        self.texts.merge(&other.texts);
    }
}

/// Counts at one touchpoint; also one journey's contribution.
#[derive(Debug, Clone)]
struct TouchCell {
    customers: u64,
    visits: u64,
    /// Ended journeys whose drop-off point is a visit here.
    ends: u64,
    /// Journeys that may continue whose drop-off point would be a visit
    /// here: whether they dropped off is not known yet.
    censored: u64,
    /// Scores of events here (none at complaint touchpoints).
    emotion: MeanAccumulator,
    negative_customers: u64,
    /// Contacts here (none at complaint touchpoints) and the repeats.
    contacts: u64,
    repeats: u64,
    repeat_customers: u64,
    plain_events: u64,
    followed: u64,
    followed_customers: u64,
    self_service_events: u64,
    /// Drop-off, negative emotion, repeat contact, ticket follows.
    examples: [Examples; 4],
}

/// Counts on one transition; also one journey's contribution.
#[derive(Debug, Clone)]
struct StepCell {
    customers: u64,
    dwell_us: Vec<i64>,
    switches: u64,
    switch_customers: u64,
    /// Long dwell, channel switch.
    examples: [Examples; 2],
}

const DROP: usize = 0;
const NEGATIVE: usize = 1;
const REPEAT: usize = 2;
const TICKET: usize = 3;
const DWELL: usize = 0;
const SWITCH: usize = 1;

impl TouchCell {
    fn new(k: usize) -> TouchCell {
        TouchCell {
            customers: 0,
            visits: 0,
            ends: 0,
            censored: 0,
            emotion: MeanAccumulator::default(),
            negative_customers: 0,
            contacts: 0,
            repeats: 0,
            repeat_customers: 0,
            plain_events: 0,
            followed: 0,
            followed_customers: 0,
            self_service_events: 0,
            examples: std::array::from_fn(|_| Examples::new(k)),
        }
    }

    fn add(&mut self, other: &TouchCell) {
        self.customers += other.customers;
        self.visits += other.visits;
        self.ends += other.ends;
        self.censored += other.censored;
        self.emotion.merge(&other.emotion);
        self.negative_customers += other.negative_customers;
        self.contacts += other.contacts;
        self.repeats += other.repeats;
        self.repeat_customers += other.repeat_customers;
        self.plain_events += other.plain_events;
        self.followed += other.followed;
        self.followed_customers += other.followed_customers;
        self.self_service_events += other.self_service_events;
        for (mine, theirs) in self.examples.iter_mut().zip(&other.examples) {
            mine.merge(theirs);
        }
    }

    /// Visits whose drop-off status is known.
    fn drop_units(&self) -> u64 {
        self.visits - self.censored
    }
}

impl StepCell {
    fn new(k: usize) -> StepCell {
        StepCell {
            customers: 0,
            dwell_us: Vec::new(),
            switches: 0,
            switch_customers: 0,
            examples: std::array::from_fn(|_| Examples::new(k)),
        }
    }

    fn add(&mut self, other: &StepCell) {
        self.customers += other.customers;
        self.dwell_us.extend_from_slice(&other.dwell_us);
        self.switches += other.switches;
        self.switch_customers += other.switch_customers;
        for (mine, theirs) in self.examples.iter_mut().zip(&other.examples) {
            mine.merge(theirs);
        }
    }
}

type StepMap = HashMap<(u32, u32), StepCell, BuildIdHasher>;

#[derive(Debug, Clone)]
struct Group {
    touchpoints: Vec<TouchCell>,
    steps: StepMap,
}

/// Finds [`PainPoint`]s.
#[derive(Debug, Clone)]
pub struct PainPointsAccumulator {
    context: Arc<InsightContext>,
    options: PainOptions,
    ticket_window_us: i64,
    session_gap_us: i64,
    groups: Vec<Group>,
}

/// The index of the event where a journey's activity stopped: the last
/// event of its last session with two events or more (sessions split at
/// gaps above `session_gap_us`), else its last event.
pub(crate) fn drop_off_index(ts_us: &[i64], session_gap_us: i64) -> Option<usize> {
    let mut end = ts_us.len().checked_sub(1)?;
    loop {
        let mut start = end;
        while start > 0 && ts_us[start] - ts_us[start - 1] <= session_gap_us {
            start -= 1;
        }
        if start < end {
            return Some(end);
        }
        if start == 0 {
            return Some(ts_us.len() - 1);
        }
        end = start - 1;
    }
}

impl PainPointsAccumulator {
    pub fn new(
        context: Arc<InsightContext>,
        options: PainOptions,
    ) -> Result<PainPointsAccumulator, InsightsError> {
        check_range("min_z", options.min_z, 0.0..=100.0)?;
        check_range("min_excess", options.min_excess, 0.0..=1.0)?;
        check_range("min_lift", options.min_lift, 1.0..=1e6)?;
        check_range(
            "negative_emotion_max",
            options.negative_emotion_max,
            -1.0..=1.0,
        )?;
        check_range("min_emotion_gap", options.min_emotion_gap, 0.0..=2.0)?;
        check_range("dwell_ratio_min", options.dwell_ratio_min, 1.0..=1e6)?;
        check_range(
            "ticket_window_days",
            options.ticket_window_days,
            0.0..=3_650.0,
        )?;
        check_range(
            "session_gap_minutes",
            options.session_gap_minutes,
            0.0..=525_600.0,
        )?;
        check_range("examples", options.examples as f64, 0.0..=100.0)?;
        let group = Group {
            touchpoints: vec![TouchCell::new(options.examples); context.roles().len()],
            steps: StepMap::default(),
        };
        Ok(PainPointsAccumulator {
            groups: vec![group; 1 + context.n_personas],
            ticket_window_us: days_us(options.ticket_window_days),
            session_gap_us: (options.session_gap_minutes * 60e6).round() as i64,
            context,
            options,
        })
    }

    /// One journey's contribution, touchpoints and transitions sparse.
    fn contribution(&self, journey: &Journey<'_>) -> (Vec<(u32, TouchCell)>, StepMap) {
        let config = &self.context.emotion;
        let k = self.options.examples;
        let (mut scores, mut signals) = (Vec::new(), Vec::new());
        emotions_of(journey, config, &mut scores, &mut signals);
        let contact: Vec<bool> = (0..journey.len())
            .map(|i| is_contact(config, journey, i))
            .collect();
        let plain = |i: usize| {
            let role = config.role(journey, i);
            !contact[i] && !role.complaint && !role.self_service
        };
        let ticket = |j: usize| {
            let role = config.role(journey, j);
            (contact[j] && role.after_sale) || role.complaint
        };
        let issue = |i: usize| {
            (journey.facts.contact.get(i))
                .map(|c| c.issue)
                .filter(|&issue| issue != NO_NAME)
        };
        let repeat_us = config.repeat_contact_us;
        let customer = journey.customer;
        let customer_hash = mix64(customer);
        let text = |i: usize| journey.facts.text.get(i).cloned().flatten();
        let mut issues_seen: HashSet<u32, BuildIdHasher> = HashSet::default();
        let mut touch: Vec<(u32, TouchCell)> = Vec::new();
        let mut position: HashMap<u32, usize, BuildIdHasher> = HashMap::default();
        let mut flags: Vec<[bool; 4]> = Vec::new();
        for i in 0..journey.len() {
            let id = journey.touchpoint[i].0;
            let slot = *position.entry(id).or_insert_with(|| {
                touch.push((id, TouchCell::new(k)));
                flags.push([false; 4]);
                touch.len() - 1
            });
            let cell = &mut touch[slot].1;
            let flag = &mut flags[slot];
            let role = config.role(journey, i);
            let hash = event_hash(customer, journey.ts_us[i]);
            cell.visits += 1;
            if !scores[i].is_nan() && !role.complaint {
                cell.emotion.add(f64::from(scores[i]));
                if scores[i] < 0.0 {
                    flag[NEGATIVE] = true;
                    if let Some(text) = text(i) {
                        cell.examples[NEGATIVE].texts.offer(hash, text);
                    }
                }
            }
            if role.self_service {
                cell.self_service_events += 1;
            }
            if contact[i] {
                if !role.complaint {
                    cell.contacts += 1;
                    let repeat = ((i + 1)..journey.len())
                        .take_while(|&j| journey.ts_us[j] - journey.ts_us[i] <= repeat_us)
                        .find(|&j| {
                            contact[j]
                                && match (issue(i), issue(j)) {
                                    (Some(first), Some(again)) => first == again,
                                    _ => true,
                                }
                        });
                    if let Some(j) = repeat {
                        cell.repeats += 1;
                        flag[REPEAT] = true;
                        if let Some(text) = text(j) {
                            cell.examples[REPEAT].texts.offer(hash, text);
                        }
                    }
                }
                issues_seen.extend(issue(i));
            } else if plain(i) {
                cell.plain_events += 1;
                let followed = ((i + 1)..journey.len())
                    .take_while(|&j| journey.ts_us[j] - journey.ts_us[i] <= self.ticket_window_us)
                    .find(|&j| ticket(j) || plain(j))
                    .filter(|&j| ticket(j))
                    .filter(|&j| issue(j).is_none_or(|open| !issues_seen.contains(&open)));
                if let Some(j) = followed {
                    cell.followed += 1;
                    flag[TICKET] = true;
                    if let Some(text) = text(j) {
                        cell.examples[TICKET].texts.offer(hash, text);
                    }
                }
            }
        }
        let last = journey.len() - 1;
        if !config.role(journey, last).exit {
            let at = drop_off_index(journey.ts_us, self.session_gap_us)
                .expect("the journey is not empty");
            let slot = position[&journey.touchpoint[at].0];
            if !self.context.ended(journey) {
                touch[slot].1.censored = 1;
            } else {
                touch[slot].1.ends = 1;
                flags[slot][DROP] = true;
                if let Some(text) = text(at) {
                    let hash = event_hash(customer, journey.ts_us[at]);
                    touch[slot].1.examples[DROP].texts.offer(hash, text);
                }
            }
        }
        for ((_, cell), flag) in touch.iter_mut().zip(&flags) {
            cell.customers = 1;
            cell.negative_customers = u64::from(flag[NEGATIVE]);
            cell.repeat_customers = u64::from(flag[REPEAT]);
            cell.followed_customers = u64::from(flag[TICKET]);
            for (kind, &set) in flag.iter().enumerate() {
                if set {
                    cell.examples[kind].customers.offer(customer_hash, customer);
                }
            }
        }
        let steps = self.steps(journey, &contact, &signals);
        (touch, steps)
    }

    fn steps(&self, journey: &Journey<'_>, contact: &[bool], signals: &[SignalSet]) -> StepMap {
        let k = self.options.examples;
        let customer = journey.customer;
        let mut steps = StepMap::default();
        for i in 1..journey.len() {
            let key = (journey.touchpoint[i - 1].0, journey.touchpoint[i].0);
            let step = steps.entry(key).or_insert_with(|| StepCell::new(k));
            step.dwell_us.push(journey.ts_us[i] - journey.ts_us[i - 1]);
            if contact[i] && signals[i].contains(Signal::SelfServiceToHuman) {
                step.switches += 1;
                step.switch_customers = 1;
                step.examples[SWITCH]
                    .customers
                    .offer(mix64(customer), customer);
                if let Some(text) = journey.facts.text.get(i).cloned().flatten() {
                    let hash = event_hash(customer, journey.ts_us[i]);
                    step.examples[SWITCH].texts.offer(hash, text);
                }
            }
        }
        for step in steps.values_mut() {
            step.customers = 1;
            step.examples[DWELL]
                .customers
                .offer(mix64(customer), customer);
        }
        steps
    }
}

impl Accumulator for PainPointsAccumulator {
    type Output = PainReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        if journey.is_empty() {
            return;
        }
        let (touch, steps) = self.contribution(journey);
        let groups: Vec<usize> = self.context.groups(journey.personas).collect();
        for group in groups {
            let group = &mut self.groups[group];
            for (id, cell) in &touch {
                group.touchpoints[*id as usize].add(cell);
            }
            for (key, step) in &steps {
                let k = self.options.examples;
                group
                    .steps
                    .entry(*key)
                    .or_insert_with(|| StepCell::new(k))
                    .add(step);
            }
        }
    }

    fn merge(&mut self, other: Self) {
        let k = self.options.examples;
        for (mine, theirs) in self.groups.iter_mut().zip(other.groups) {
            for (a, b) in mine.touchpoints.iter_mut().zip(&theirs.touchpoints) {
                a.add(b);
            }
            for (key, step) in theirs.steps {
                mine.steps
                    .entry(key)
                    .or_insert_with(|| StepCell::new(k))
                    .add(&step);
            }
        }
    }

    fn finish(self) -> PainReport {
        let mut points = Vec::new();
        for (position, group) in self.groups.iter().enumerate() {
            let persona = position.checked_sub(1).map(|bit| bit as u32);
            let finder = Finder {
                context: &self.context,
                options: &self.options,
                persona,
                group,
                everyone: &self.groups[0],
            };
            finder.touchpoint_findings(&mut points);
            finder.step_findings(&mut points);
        }
        let mut points = merge_by_touchpoint(points);
        points.sort_by(|a, b| {
            (b.impact.total_cmp(&a.impact))
                .then(a.kind.cmp(&b.kind))
                .then(a.persona.cmp(&b.persona))
                .then(a.touchpoint.cmp(&b.touchpoint))
                .then(a.next_touchpoint.cmp(&b.next_touchpoint))
        });
        PainReport { points }
    }
}

/// Merges the findings at the same touchpoint into one, the largest
/// impact as the headline and every finding as evidence.
fn merge_by_touchpoint(mut found: Vec<PainPoint>) -> Vec<PainPoint> {
    found.sort_by(|a, b| {
        (a.touchpoint.cmp(&b.touchpoint))
            .then(b.impact.total_cmp(&a.impact))
            .then(a.kind.cmp(&b.kind))
            .then(a.persona.cmp(&b.persona))
            .then(a.next_touchpoint.cmp(&b.next_touchpoint))
    });
    let mut merged: Vec<PainPoint> = Vec::new();
    for point in found {
        match merged.last_mut() {
            Some(headline) if headline.touchpoint == point.touchpoint => {
                headline.evidence.extend(point.evidence);
            }
            _ => merged.push(point),
        }
    }
    merged
}

/// Tests one group's cells.
struct Finder<'a> {
    context: &'a InsightContext,
    options: &'a PainOptions,
    persona: Option<u32>,
    group: &'a Group,
    everyone: &'a Group,
}

/// A share tested against an expectation.
struct ShareTest<'e> {
    kind: PainKind,
    touchpoint: u32,
    next_touchpoint: Option<u32>,
    customers: u64,
    affected: u64,
    hits: u64,
    n: u64,
    /// Everyone's expectation: the share of the rest of the pool.
    pool: Option<f64>,
    /// Everyone's hits and units at the same place, for personas.
    everyone: (u64, u64),
    examples: &'e Examples,
}

/// A headline-only finding from one piece of evidence.
fn point_of(evidence: Evidence, touchpoint: u32, stage: u32, examples: &Examples) -> PainPoint {
    PainPoint {
        kind: evidence.kind,
        persona: evidence.persona,
        touchpoint,
        next_touchpoint: evidence.next_touchpoint,
        stage,
        customers: evidence.customers,
        affected: evidence.affected,
        n: evidence.n,
        hits: evidence.hits,
        rate: evidence.rate,
        expected: evidence.expected,
        low: evidence.low,
        high: evidence.high,
        z: evidence.z,
        severity: evidence.severity,
        impact: evidence.impact,
        example_customers: examples.customers.items(),
        example_texts: examples.texts.items(),
        evidence: vec![evidence],
    }
}

/// The rest of a pool once `part` is taken out.
fn rest_of(pool: &MeanAccumulator, part: &MeanAccumulator) -> MeanAccumulator {
    MeanAccumulator {
        n: pool.n - part.n,
        sum: pool.sum - part.sum,
        sum_squares: pool.sum_squares - part.sum_squares,
    }
}

fn kind_index(kind: ChannelKind) -> usize {
    match kind {
        ChannelKind::Digital => 0,
        ChannelKind::Human => 1,
        ChannelKind::Physical => 2,
    }
}

impl Finder<'_> {
    fn stage_of(&self, touchpoint: u32) -> u32 {
        self.context.roles()[touchpoint as usize].stage
    }

    /// Whether a journey may be said to drop off at the touchpoint: not an
    /// exit, and before the first purchase stage when there are purchases.
    fn drop_off_place(&self, touchpoint: usize) -> bool {
        let roles = self.context.roles();
        let role = roles[touchpoint];
        let purchases = roles.iter().any(|r| r.purchase);
        !role.exit && (!purchases || !role.after_sale)
    }

    /// Whether a share is flagged: significant and large enough.
    fn flagged(&self, rate: f64, expected: f64, z: f64) -> bool {
        z >= self.options.min_z
            && rate - expected >= self.options.min_excess
            && rate >= self.options.min_lift * expected
    }

    fn touchpoint_findings(&self, points: &mut Vec<PainPoint>) {
        let cells = &self.group.touchpoints;
        let n_stages = self.context.n_stages;
        let mut stage_units = vec![0_u64; n_stages];
        let mut stage_ends = vec![0_u64; n_stages];
        let mut kind_emotion = [MeanAccumulator::default(); 3];
        for (id, cell) in cells.iter().enumerate() {
            let role = self.context.roles()[id];
            kind_emotion[kind_index(role.channel_kind())].merge(&cell.emotion);
            if self.drop_off_place(id) {
                stage_units[role.stage as usize] += cell.drop_units();
                stage_ends[role.stage as usize] += cell.ends;
            }
        }
        let total = |get: fn(&TouchCell) -> u64| cells.iter().map(get).sum::<u64>();
        let (contacts, repeats) = (total(|c| c.contacts), total(|c| c.repeats));
        let (plain, followed) = (total(|c| c.plain_events), total(|c| c.followed));
        let rest = |all_hits: u64, all_n: u64, hits: u64, n: u64| {
            let rest_n = all_n - n;
            (rest_n > 0).then(|| (all_hits - hits) as f64 / rest_n as f64)
        };
        for (id, cell) in cells.iter().enumerate() {
            if cell.customers < self.options.min_customers {
                continue;
            }
            let touchpoint = id as u32;
            let role = self.context.roles()[id];
            let stage = role.stage as usize;
            let all = &self.everyone.touchpoints[id];
            let share =
                |kind, affected, hits, n, pool: Option<f64>, everyone, examples| ShareTest {
                    kind,
                    touchpoint,
                    next_touchpoint: None,
                    customers: cell.customers,
                    affected,
                    hits,
                    n,
                    pool,
                    everyone,
                    examples,
                };
            let mut tests = vec![
                share(
                    PainKind::RepeatContact,
                    cell.repeat_customers,
                    cell.repeats,
                    cell.contacts,
                    rest(repeats, contacts, cell.repeats, cell.contacts),
                    (all.repeats, all.contacts),
                    &cell.examples[REPEAT],
                ),
                share(
                    PainKind::TicketFollows,
                    cell.followed_customers,
                    cell.followed,
                    cell.plain_events,
                    rest(followed, plain, cell.followed, cell.plain_events),
                    (all.followed, all.plain_events),
                    &cell.examples[TICKET],
                ),
            ];
            if self.drop_off_place(id) {
                tests.push(share(
                    PainKind::DropOff,
                    cell.ends,
                    cell.ends,
                    cell.drop_units(),
                    rest(
                        stage_ends[stage],
                        stage_units[stage],
                        cell.ends,
                        cell.drop_units(),
                    ),
                    (all.ends, all.drop_units()),
                    &cell.examples[DROP],
                ));
            }
            for test in tests {
                points.extend(self.share_finding(test));
            }
            let reference = match self.persona {
                None => &kind_emotion[kind_index(role.channel_kind())],
                Some(_) => &all.emotion,
            };
            points.extend(self.emotion_finding(touchpoint, cell, reference));
        }
    }

    fn share_finding(&self, test: ShareTest<'_>) -> Option<PainPoint> {
        if test.n == 0 {
            return None;
        }
        let rate = test.hits as f64 / test.n as f64;
        let (expected, z) = match self.persona {
            None => {
                let expected = test.pool?;
                (expected, binomial_z(test.hits, test.n, expected))
            }
            Some(_) => {
                let (all_hits, all_n) = test.everyone;
                let (rest_hits, rest_n) = (all_hits - test.hits, all_n - test.n);
                if rest_n == 0 {
                    return None;
                }
                let z = two_proportion_z(test.hits, test.n, rest_hits, rest_n);
                (rest_hits as f64 / rest_n as f64, z)
            }
        };
        if !self.flagged(rate, expected, z) {
            return None;
        }
        let severity = rate - expected;
        let (low, high) = wilson_interval(test.hits, test.n);
        let evidence = Evidence {
            persona: self.persona,
            kind: test.kind,
            next_touchpoint: test.next_touchpoint,
            customers: test.customers,
            affected: test.affected,
            n: test.n,
            hits: test.hits,
            rate,
            expected,
            low: Some(low),
            high: Some(high),
            z: Some(z),
            severity,
            impact: test.affected as f64 * severity,
        };
        let stage = self.stage_of(test.touchpoint);
        Some(point_of(evidence, test.touchpoint, stage, test.examples))
    }

    /// Negative emotion at a touchpoint against `reference`, the pool the
    /// cell belongs to (its channel kind's touchpoints for everyone, the
    /// same touchpoint's customers for a persona), the cell taken out.
    fn emotion_finding(
        &self,
        touchpoint: u32,
        cell: &TouchCell,
        reference: &MeanAccumulator,
    ) -> Option<PainPoint> {
        let emotion = cell.emotion.finish()?;
        if emotion.n < 2 || emotion.high >= self.options.negative_emotion_max {
            return None;
        }
        let (z, expected) = below_rest(&cell.emotion, &rest_of(reference, &cell.emotion))?;
        let gap = expected - emotion.mean;
        if z < self.options.min_z || gap < self.options.min_emotion_gap {
            return None;
        }
        let severity = gap.min(1.0);
        let evidence = Evidence {
            persona: self.persona,
            kind: PainKind::NegativeEmotion,
            next_touchpoint: None,
            customers: cell.customers,
            affected: cell.negative_customers,
            n: emotion.n,
            hits: 0,
            rate: emotion.mean,
            expected,
            low: Some(emotion.low),
            high: Some(emotion.high),
            z: Some(z),
            severity,
            impact: cell.negative_customers as f64 * severity,
        };
        let stage = self.stage_of(touchpoint);
        Some(point_of(
            evidence,
            touchpoint,
            stage,
            &cell.examples[NEGATIVE],
        ))
    }

    fn step_findings(&self, points: &mut Vec<PainPoint>) {
        let mut steps: Vec<(&(u32, u32), &StepCell)> = self.group.steps.iter().collect();
        steps.sort_by_key(|(key, _)| **key);
        let cells = &self.group.touchpoints;
        let self_service: u64 = cells.iter().map(|c| c.self_service_events).sum();
        let switches: u64 = steps.iter().map(|(_, s)| s.switches).sum();
        let mut switches_from: HashMap<u32, u64, BuildIdHasher> = HashMap::default();
        for ((from, _), step) in &steps {
            *switches_from.entry(*from).or_default() += step.switches;
        }
        for (&(from, to), step) in steps {
            if step.customers < self.options.min_customers {
                continue;
            }
            let everyone = &self.everyone.steps[&(from, to)];
            if self.persona.is_some() {
                points.extend(self.dwell_finding(from, to, step, everyone));
            }
            let at_from = cells[from as usize].self_service_events;
            let from_switches = switches_from[&from];
            if step.switches > 0 {
                let pool = (self_service > at_from)
                    .then(|| (switches - from_switches) as f64 / (self_service - at_from) as f64);
                points.extend(self.share_finding(ShareTest {
                    kind: PainKind::ChannelSwitch,
                    touchpoint: from,
                    next_touchpoint: Some(to),
                    customers: step.customers,
                    affected: step.switch_customers,
                    hits: step.switches,
                    n: at_from,
                    pool,
                    everyone: (
                        everyone.switches,
                        self.everyone.touchpoints[from as usize].self_service_events,
                    ),
                    examples: &step.examples[SWITCH],
                }));
            }
        }
    }

    /// A persona slower than everyone on the same transition: the median at
    /// least `dwell_ratio_min` × everyone's, and the share of steps slower
    /// than that threshold above the other customers' share.
    fn dwell_finding(
        &self,
        from: u32,
        to: u32,
        step: &StepCell,
        everyone: &StepCell,
    ) -> Option<PainPoint> {
        let reference_s = median_s(&everyone.dwell_us).filter(|&m| m > 0.0)?;
        let mut values: Vec<f64> = step.dwell_us.iter().map(|&d| d as f64 / 1e6).collect();
        values.sort_unstable_by(f64::total_cmp);
        let median_s = quantile_sorted(&values, 0.5)?;
        let threshold_s = self.options.dwell_ratio_min * reference_s;
        if median_s < threshold_s {
            return None;
        }
        let slow = |us: &i64| *us as f64 / 1e6 > threshold_s;
        let slow_here = step.dwell_us.iter().filter(|us| slow(us)).count() as u64;
        let slow_all = everyone.dwell_us.iter().filter(|us| slow(us)).count() as u64;
        let (n_here, n_all) = (step.dwell_us.len() as u64, everyone.dwell_us.len() as u64);
        let z = two_proportion_z(slow_here, n_here, slow_all - slow_here, n_all - n_here);
        if z < self.options.min_z {
            return None;
        }
        let severity = 1.0 - reference_s / median_s;
        let slow_share = slow_here as f64 / n_here as f64;
        let affected = (step.customers as f64 * slow_share).round() as u64;
        let evidence = Evidence {
            persona: self.persona,
            kind: PainKind::LongDwell,
            next_touchpoint: Some(to),
            customers: step.customers,
            affected,
            n: n_here,
            hits: slow_here,
            rate: median_s,
            expected: reference_s,
            low: None,
            high: None,
            z: Some(z),
            severity,
            impact: affected as f64 * severity,
        };
        let stage = self.stage_of(from);
        Some(point_of(evidence, from, stage, &step.examples[DWELL]))
    }
}

/// The median of durations in microseconds, in seconds.
fn median_s(values_us: &[i64]) -> Option<f64> {
    let mut values: Vec<f64> = values_us.iter().map(|&d| d as f64 / 1e6).collect();
    values.sort_unstable_by(f64::total_cmp);
    quantile_sorted(&values, 0.5)
}

/// How far a group's mean lies below that of `rest`, in standard errors of
/// the difference (Welch: `(m_rest − m) / √(s²/n + s_rest²/n_rest)`), and
/// the rest's mean; `None` when either side has fewer than two values or
/// the standard error is 0.
pub(crate) fn below_rest(group: &MeanAccumulator, rest: &MeanAccumulator) -> Option<(f64, f64)> {
    let moments = |m: &MeanAccumulator| {
        let n = m.n as f64;
        let mean = m.sum / n;
        let variance = ((m.sum_squares - n * mean * mean) / (n - 1.0)).max(0.0);
        (mean, variance / n)
    };
    if group.n < 2 || rest.n < 2 {
        return None;
    }
    let (group_mean, group_se2) = moments(group);
    let (rest_mean, rest_se2) = moments(rest);
    let se = (group_se2 + rest_se2).sqrt();
    (se > 0.0).then(|| ((rest_mean - group_mean) / se, rest_mean))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_off_index_skips_trailing_lone_events() {
        let minute = 60_000_000;
        let day = 1_440 * minute;
        let gap = 30 * minute;
        let check = |ts_us: &[i64], expected: Option<usize>| {
            assert_eq!(drop_off_index(ts_us, gap), expected, "{ts_us:?}");
        };
        check(&[], None);
        check(&[0], Some(0));
        // A session of two, then a lone reminder two days later.
        check(&[0, minute, 2 * day], Some(1));
        // Two trailing lone events.
        check(&[0, minute, 2 * day, 4 * day], Some(1));
        // The last session has two events.
        check(&[0, minute, 2 * day, 2 * day + 5 * minute], Some(3));
        // Only lone events: the last one.
        check(&[0, day, 2 * day], Some(2));
        // Exactly the gap still continues the session.
        check(&[0, gap, 3 * day], Some(1));
    }

    fn evidence(kind: PainKind, persona: Option<u32>, impact: f64) -> Evidence {
        Evidence {
            kind,
            persona,
            next_touchpoint: None,
            customers: 10,
            affected: 5,
            n: 10,
            hits: 5,
            rate: 0.5,
            expected: 0.1,
            low: None,
            high: None,
            z: Some(4.0),
            severity: impact / 5.0,
            impact,
        }
    }

    #[test]
    fn merge_keeps_one_finding_per_touchpoint() {
        let empty = Examples::new(1);
        let point = |touchpoint, kind, persona, impact| {
            point_of(evidence(kind, persona, impact), touchpoint, 0, &empty)
        };
        let merged = merge_by_touchpoint(vec![
            point(1, PainKind::DropOff, None, 2.0),
            point(2, PainKind::TicketFollows, None, 1.0),
            point(1, PainKind::DropOff, Some(3), 5.0),
            point(1, PainKind::NegativeEmotion, None, 3.0),
        ]);
        assert_eq!(merged.len(), 2);
        let first = &merged[0];
        assert_eq!((first.touchpoint, first.kind), (1, PainKind::DropOff));
        assert_eq!((first.persona, first.impact), (Some(3), 5.0));
        let order: Vec<(PainKind, Option<u32>)> =
            first.evidence.iter().map(|e| (e.kind, e.persona)).collect();
        assert_eq!(
            order,
            [
                (PainKind::DropOff, Some(3)),
                (PainKind::NegativeEmotion, None),
                (PainKind::DropOff, None)
            ]
        );
        assert_eq!(merged[1].evidence.len(), 1);
    }

    #[test]
    fn below_rest_by_hand() {
        // Group −1, −0.5 (mean −0.75, s² 0.125); rest 0, 1 (mean 0.5,
        // s² 0.5): z = 1.25 / √(0.125/2 + 0.5/2) = 2.236068.
        let mut group = MeanAccumulator::default();
        [-1.0, -0.5].into_iter().for_each(|v| group.add(v));
        let mut rest = MeanAccumulator::default();
        [0.0, 1.0].into_iter().for_each(|v| rest.add(v));
        let (z, mean) = below_rest(&group, &rest).expect("two values each");
        assert!((z - 2.236_067_977_499_79).abs() < 1e-12 && mean == 0.5);
        let mut one = MeanAccumulator::default();
        one.add(1.0);
        assert_eq!(below_rest(&group, &one), None);
    }
}
