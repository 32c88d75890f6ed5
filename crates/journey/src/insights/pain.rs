//! Pain points: touchpoints and transitions where customers drop off, feel
//! bad, wait long for the next step, come back to the contact centre,
//! switch from self-service to a person, or raise tickets — for everyone
//! and per persona, ranked by impact.
//!
//! Kinds, their tests and their severity (a number in [0, 1]):
//!
//! | kind | unit | flagged when | severity |
//! |---|---|---|---|
//! | `drop_off` | customers reaching the touchpoint, less those whose journey may continue | share whose ended journey's last event is here exceeds the rest of the stage's (z ≥ `min_z`); not at exit touchpoints (cancellation) | excess share |
//! | `negative_emotion` | scored events here | upper end of the mean's 95 % interval below `negative_emotion_max` | −mean |
//! | `long_dwell` | a persona's transitions a → b | the persona's median time from a to b ≥ `dwell_ratio_min` × everyone's | 1 − everyone's median / the persona's |
//! | `repeat_contact` | contacts here | share that repeat a contact of the repeat window exceeds the other contacts' (z ≥ `min_z`) | excess share |
//! | `channel_switch` | self-service events at a | share followed by a contact at b within the switch window exceeds the other self-service events' (z ≥ `min_z`) | excess share |
//! | `ticket_follows` | non-contact events here | share followed by a ticket (an after-sale contact or a complaint) within `ticket_window_days` exceeds the other non-contact events' (z ≥ `min_z`) | excess share |
//!
//! A journey has *ended* when its last event lies `churn_days` before the
//! end of the data; journeys that may continue never count as drop-offs.
//! `affected` counts the customers who had the problem there (dropped
//! off, scored below 0, repeated, switched, were followed by a ticket;
//! for dwell the persona's customers times the share of their steps slower
//! than `dwell_ratio_min` × everyone's median); `impact = affected ×
//! severity`. Dwell is judged against the same step for everyone rather
//! than against the stage: many steps are scheduled (a parcel arrives days
//! after the dispatch text, an engineer after the reminder), so a step
//! slower than its stage is usually the business's timetable, while a
//! persona slower than everyone on the same step is stuck.
//! The expectation of a share excludes the place itself, so that one
//! dominant touchpoint cannot hide in its own baseline. Each z-score is the
//! normal approximation of the binomial test against that expectation;
//! `min_z` defaults to 3 rather than 1.96 because every touchpoint of
//! every persona is tested. A persona's finding must also set the persona
//! apart: its share must exceed that of the other customers at the same
//! place (two-proportion z ≥ `min_z`), its mean emotion lie below theirs
//! (z ≥ `min_z`); otherwise it is everyone's pain point, reported once for
//! everyone rather than again for every persona.

use super::context::{InsightContext, is_contact};
use super::emotion::{Signal, SignalSet, emotions_of};
use super::proportion::{binomial_z, two_proportion_z, wilson_interval};
use super::sample::{SmallestK, event_hash, mix64};
use super::{InsightsError, check_range, days_us};
use crate::hash::BuildIdHasher;
use crate::stats::{MeanAccumulator, quantile_sorted};
use crate::{Accumulator, Journey};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct PainOptions {
    /// Places with fewer customers are not tested.
    pub min_customers: u64,
    pub min_z: f64,
    pub negative_emotion_max: f64,
    pub dwell_ratio_min: f64,
    pub ticket_window_days: f64,
    /// Example customers and texts per finding.
    pub examples: usize,
}

impl Default for PainOptions {
    fn default() -> Self {
        PainOptions {
            min_customers: 30,
            min_z: 3.0,
            negative_emotion_max: -0.2,
            dwell_ratio_min: 2.0,
            ticket_window_days: 3.0,
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

/// One finding with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PainPoint {
    pub kind: PainKind,
    /// `None` for everyone, else the persona's bit.
    pub persona: Option<u32>,
    pub touchpoint: u32,
    /// The transition's target for `long_dwell` and `channel_switch`.
    pub next_touchpoint: Option<u32>,
    pub stage: u32,
    /// Customers at the touchpoint or on the transition.
    pub customers: u64,
    /// Customers who had the problem there.
    pub affected: u64,
    /// The rate's unit count and hits (for the mean and the median: the
    /// number of values, and 0).
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
    /// z-score against `expected`, for shares.
    pub z: Option<f64>,
    pub severity: f64,
    pub impact: f64,
    pub example_customers: Vec<u64>,
    pub example_texts: Vec<String>,
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
    ends: u64,
    /// Customers whose journey may continue and whose last event is here:
    /// whether they dropped off is not known yet.
    censored: u64,
    emotion: MeanAccumulator,
    negative_customers: u64,
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
    groups: Vec<Group>,
}

impl PainPointsAccumulator {
    pub fn new(
        context: Arc<InsightContext>,
        options: PainOptions,
    ) -> Result<PainPointsAccumulator, InsightsError> {
        check_range("min_z", options.min_z, 0.0..=100.0)?;
        check_range(
            "negative_emotion_max",
            options.negative_emotion_max,
            -1.0..=1.0,
        )?;
        check_range("dwell_ratio_min", options.dwell_ratio_min, 1.0..=1e6)?;
        check_range(
            "ticket_window_days",
            options.ticket_window_days,
            0.0..=3_650.0,
        )?;
        check_range("examples", options.examples as f64, 0.0..=100.0)?;
        let group = Group {
            touchpoints: vec![TouchCell::new(options.examples); context.roles().len()],
            steps: StepMap::default(),
        };
        Ok(PainPointsAccumulator {
            groups: vec![group; 1 + context.n_personas],
            ticket_window_us: days_us(options.ticket_window_days),
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
        let customer = journey.customer;
        let customer_hash = mix64(customer);
        let text = |i: usize| journey.facts.text.get(i).cloned().flatten();
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
            if !scores[i].is_nan() {
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
                cell.contacts += 1;
                if signals[i].contains(Signal::RepeatContact) {
                    cell.repeats += 1;
                    flag[REPEAT] = true;
                    if let Some(text) = text(i) {
                        cell.examples[REPEAT].texts.offer(hash, text);
                    }
                }
            } else if !role.complaint {
                cell.plain_events += 1;
                let ticket = ((i + 1)..journey.len())
                    .take_while(|&j| journey.ts_us[j] - journey.ts_us[i] <= self.ticket_window_us)
                    .find(|&j| {
                        let role = config.role(journey, j);
                        (contact[j] && role.after_sale) || role.complaint
                    });
                if let Some(j) = ticket {
                    cell.followed += 1;
                    flag[TICKET] = true;
                    if let Some(text) = text(j) {
                        cell.examples[TICKET].texts.offer(hash, text);
                    }
                }
            }
        }
        let last = journey.len() - 1;
        let last_id = journey.touchpoint[last].0;
        let slot = position[&last_id];
        if !self.context.ended(journey) {
            touch[slot].1.censored = 1;
        } else if !config.role(journey, last).exit {
            touch[slot].1.ends = 1;
            flags[slot][DROP] = true;
            if let Some(text) = text(last) {
                let hash = event_hash(customer, journey.ts_us[last]);
                touch[slot].1.examples[DROP].texts.offer(hash, text);
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
    expected: f64,
    /// Everyone's hits and units at the same place, for personas.
    everyone: (u64, u64),
    examples: &'e Examples,
}

impl Finder<'_> {
    fn stage_of(&self, touchpoint: u32) -> u32 {
        self.context.roles()[touchpoint as usize].stage
    }

    fn touchpoint_findings(&self, points: &mut Vec<PainPoint>) {
        let cells = &self.group.touchpoints;
        let n_stages = self.context.n_stages;
        let mut stage_reach = vec![0_u64; n_stages];
        let mut stage_ends = vec![0_u64; n_stages];
        for (id, cell) in cells.iter().enumerate() {
            let stage = self.stage_of(id as u32) as usize;
            if self.context.roles()[id].exit {
                continue;
            }
            stage_reach[stage] += cell.customers - cell.censored;
            stage_ends[stage] += cell.ends;
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
            let stage = self.stage_of(touchpoint) as usize;
            let all = &self.everyone.touchpoints[id];
            let share = |kind, affected, hits, n, expected: Option<f64>, everyone, examples| {
                expected.map(|expected| ShareTest {
                    kind,
                    touchpoint,
                    next_touchpoint: None,
                    customers: cell.customers,
                    affected,
                    hits,
                    n,
                    expected,
                    everyone,
                    examples,
                })
            };
            let tests = [
                share(
                    PainKind::DropOff,
                    cell.ends,
                    cell.ends,
                    cell.customers - cell.censored,
                    rest(
                        stage_ends[stage],
                        stage_reach[stage],
                        cell.ends,
                        cell.customers - cell.censored,
                    ),
                    (all.ends, all.customers - all.censored),
                    &cell.examples[DROP],
                ),
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
            for test in tests.into_iter().flatten() {
                points.extend(self.share_finding(test));
            }
            points.extend(self.emotion_finding(touchpoint, cell, all));
        }
    }

    fn share_finding(&self, test: ShareTest<'_>) -> Option<PainPoint> {
        if test.n == 0 {
            return None;
        }
        let rate = test.hits as f64 / test.n as f64;
        let z = binomial_z(test.hits, test.n, test.expected);
        if rate <= test.expected || z < self.options.min_z {
            return None;
        }
        let (all_hits, all_n) = test.everyone;
        let apart = two_proportion_z(test.hits, test.n, all_hits - test.hits, all_n - test.n);
        if self.persona.is_some() && apart < self.options.min_z {
            return None;
        }
        let severity = rate - test.expected;
        let (low, high) = wilson_interval(test.hits, test.n);
        Some(PainPoint {
            kind: test.kind,
            persona: self.persona,
            touchpoint: test.touchpoint,
            next_touchpoint: test.next_touchpoint,
            stage: self.stage_of(test.touchpoint),
            customers: test.customers,
            affected: test.affected,
            n: test.n,
            hits: test.hits,
            rate,
            expected: test.expected,
            low: Some(low),
            high: Some(high),
            z: Some(z),
            severity,
            impact: test.affected as f64 * severity,
            example_customers: test.examples.customers.items(),
            example_texts: test.examples.texts.items(),
        })
    }

    fn emotion_finding(
        &self,
        touchpoint: u32,
        cell: &TouchCell,
        everyone: &TouchCell,
    ) -> Option<PainPoint> {
        let emotion = cell.emotion.finish()?;
        if emotion.n < 2 || emotion.high >= self.options.negative_emotion_max {
            return None;
        }
        if self.persona.is_some()
            && below_rest_z(&cell.emotion, &everyone.emotion) < self.options.min_z
        {
            return None;
        }
        let severity = (-emotion.mean).clamp(0.0, 1.0);
        let examples = &cell.examples[NEGATIVE];
        Some(PainPoint {
            kind: PainKind::NegativeEmotion,
            persona: self.persona,
            touchpoint,
            next_touchpoint: None,
            stage: self.stage_of(touchpoint),
            customers: cell.customers,
            affected: cell.negative_customers,
            n: emotion.n,
            hits: 0,
            rate: emotion.mean,
            expected: self.options.negative_emotion_max,
            low: Some(emotion.low),
            high: Some(emotion.high),
            z: None,
            severity,
            impact: cell.negative_customers as f64 * severity,
            example_customers: examples.customers.items(),
            example_texts: examples.texts.items(),
        })
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
            if self.persona.is_some() {
                let everyone = &self.everyone.steps[&(from, to)];
                points.extend(self.dwell_finding(from, to, step, median_s(&everyone.dwell_us)));
            }
            let at_from = cells[from as usize].self_service_events;
            let from_switches = switches_from[&from];
            if step.switches > 0 && self_service > at_from {
                let expected = (switches - from_switches) as f64 / (self_service - at_from) as f64;
                points.extend(self.share_finding(ShareTest {
                    kind: PainKind::ChannelSwitch,
                    touchpoint: from,
                    next_touchpoint: Some(to),
                    customers: step.customers,
                    affected: step.switch_customers,
                    hits: step.switches,
                    n: at_from,
                    expected,
                    everyone: (
                        self.everyone.steps[&(from, to)].switches,
                        self.everyone.touchpoints[from as usize].self_service_events,
                    ),
                    examples: &step.examples[SWITCH],
                }));
            }
        }
    }

    fn dwell_finding(
        &self,
        from: u32,
        to: u32,
        step: &StepCell,
        everyone_median_s: Option<f64>,
    ) -> Option<PainPoint> {
        let reference_s = everyone_median_s.filter(|&m| m > 0.0)?;
        let mut values: Vec<f64> = step.dwell_us.iter().map(|&d| d as f64 / 1e6).collect();
        values.sort_unstable_by(f64::total_cmp);
        let median_s = quantile_sorted(&values, 0.5)?;
        if median_s < self.options.dwell_ratio_min * reference_s {
            return None;
        }
        let severity = 1.0 - reference_s / median_s;
        let slow_from =
            values.partition_point(|&v| v <= self.options.dwell_ratio_min * reference_s);
        let slow_share = (values.len() - slow_from) as f64 / values.len() as f64;
        let affected = (step.customers as f64 * slow_share).round() as u64;
        let examples = &step.examples[DWELL];
        Some(PainPoint {
            kind: PainKind::LongDwell,
            persona: self.persona,
            touchpoint: from,
            next_touchpoint: Some(to),
            stage: self.stage_of(from),
            customers: step.customers,
            affected,
            n: values.len() as u64,
            hits: (values.len() - slow_from) as u64,
            rate: median_s,
            expected: reference_s,
            low: None,
            high: None,
            z: None,
            severity,
            impact: affected as f64 * severity,
            example_customers: examples.customers.items(),
            example_texts: examples.texts.items(),
        })
    }
}

/// The median of durations in microseconds, in seconds.
fn median_s(values_us: &[i64]) -> Option<f64> {
    let mut values: Vec<f64> = values_us.iter().map(|&d| d as f64 / 1e6).collect();
    values.sort_unstable_by(f64::total_cmp);
    quantile_sorted(&values, 0.5)
}

/// How far a group's mean lies below that of the rest of everyone, in
/// standard errors of the difference (Welch); 0 when either side has fewer
/// than two values.
fn below_rest_z(group: &MeanAccumulator, everyone: &MeanAccumulator) -> f64 {
    let rest = MeanAccumulator {
        n: everyone.n - group.n,
        sum: everyone.sum - group.sum,
        sum_squares: everyone.sum_squares - group.sum_squares,
    };
    let moments = |m: &MeanAccumulator| {
        let n = m.n as f64;
        let mean = m.sum / n;
        let variance = ((m.sum_squares - n * mean * mean) / (n - 1.0)).max(0.0);
        (mean, variance / n)
    };
    if group.n < 2 || rest.n < 2 {
        return 0.0;
    }
    let (group_mean, group_se2) = moments(group);
    let (rest_mean, rest_se2) = moments(&rest);
    let se = (group_se2 + rest_se2).sqrt();
    if se == 0.0 {
        return 0.0;
    }
    (rest_mean - group_mean) / se
}
