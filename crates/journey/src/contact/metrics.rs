//! Contact metrics per channel, queue, team, agent and interval, as one
//! mergeable accumulator over customer journeys.
//!
//! Definitions (DESIGN §7 and issue 9; contacts as in [`ContactRecord`]):
//! - offered: every contact; answered: not marked abandoned.
//! - service level: answered within the threshold (wait ≤ threshold)
//!   over all offered contacts of realtime queues *including abandons*;
//!   realtime means the contact has a known wait or was abandoned, so
//!   e-mail-like contacts answered without a wait are left out. The
//!   common industry variant that drops short abandons (wait < the short
//!   abandon threshold, default 5 s) from the denominator is reported
//!   beside it as `service_level_excluding_short_abandons`.
//! - abandon rate: abandoned over offered.
//! - ASA: mean wait of answered contacts with a known wait.
//! - AHT: mean of talk + hold + wrap over answered contacts, falling back
//!   to the event's handle time when the components are missing.
//! - transfers: the sum of recorded transfers, and the share of answered
//!   contacts with at least one.
//! - reported FCR: the share of answered contacts marked resolved, among
//!   those with a resolved flag.
//! - true FCR: the share of answered contacts after which the same
//!   customer makes no further contact on a human channel within the
//!   repeat window (7 days), measured from arrival to arrival. When both
//!   contacts have a known issue they must share it; a contact with an
//!   unknown issue matches any. Abandoned repeats count: the customer
//!   came back. With `observed_until_us`, answered contacts whose window
//!   reaches past the end of the data and that have no repeat yet are
//!   left out (their outcome is unknown).
//! - emotion: mean and 95 % interval of the emotion scores of answered
//!   contacts.
//!
//! Groups are keyed by the dimensions a grouping names; intervals are
//! aligned to the Unix epoch (UTC) and keyed by their start.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::record::{ContactRecord, contact_records};
use super::{ContactError, mean, non_negative, positive, secs_to_us, share};
use crate::hash::BuildIdHasher;
use crate::stats::{MeanAccumulator, MeanInterval};
use crate::{Accumulator, Journey, NO_NAME};

/// A dimension to group contacts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactDimension {
    Channel,
    Queue,
    Team,
    Agent,
    Interval,
}

/// What the contact metrics count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactSpec {
    /// Each grouping is a list of dimensions; the report has one table per
    /// grouping (e.g. `[[Queue], [Agent], [Queue, Interval]]`) besides the
    /// total.
    pub groupings: Vec<Vec<ContactDimension>>,
    /// Length of the `Interval` dimension, seconds (1800 = half hours).
    pub interval_secs: f64,
    /// The service-level threshold: answered within this wait counts.
    pub answer_within_secs: f64,
    /// Abandons after a shorter wait are short abandons.
    pub short_abandon_secs: f64,
    /// A later contact within this time makes a contact not first-contact
    /// resolved.
    pub repeat_window_secs: f64,
    /// Channel ids that count as human for repeat contacts; empty means
    /// every channel with contacts.
    pub human_channels: Vec<u32>,
    /// The end of the observed data, microseconds; when set, contacts whose
    /// repeat window is not yet over are left out of the true FCR.
    pub observed_until_us: Option<i64>,
}

impl Default for ContactSpec {
    fn default() -> Self {
        ContactSpec {
            groupings: Vec::new(),
            interval_secs: 1800.0,
            answer_within_secs: 20.0,
            short_abandon_secs: 5.0,
            repeat_window_secs: 7.0 * 86_400.0,
            human_channels: Vec::new(),
            observed_until_us: None,
        }
    }
}

impl ContactSpec {
    pub fn validate(&self) -> Result<(), ContactError> {
        positive("interval_secs", self.interval_secs)?;
        non_negative("answer_within_secs", self.answer_within_secs)?;
        non_negative("short_abandon_secs", self.short_abandon_secs)?;
        non_negative("repeat_window_secs", self.repeat_window_secs)?;
        if secs_to_us(self.interval_secs) < 1 {
            return Err(ContactError::InvalidSetting {
                name: "interval_secs",
                value: self.interval_secs,
            });
        }
        for grouping in &self.groupings {
            for (i, dimension) in grouping.iter().enumerate() {
                if grouping[..i].contains(dimension) {
                    return Err(ContactError::RepeatedDimension {
                        dimension: *dimension,
                    });
                }
            }
        }
        Ok(())
    }
}

/// A group's key: the value of each grouped dimension, `None` for the
/// dimensions the grouping does not name. Names are the caller's interned
/// ids ([`NO_NAME`] for contacts without one).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct ContactKey {
    pub channel: Option<u32>,
    pub queue: Option<u32>,
    pub team: Option<u32>,
    pub agent: Option<u32>,
    /// Start of the interval, microseconds since the Unix epoch.
    pub interval_start_us: Option<i64>,
}

/// The finished metrics of one group; see the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactMetrics {
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub short_abandoned: u64,
    /// Offered contacts in the service-level denominator: answered with a
    /// known wait, or abandoned.
    pub service_level_offered: u64,
    pub answered_within_threshold: u64,
    pub service_level: Option<f64>,
    pub service_level_excluding_short_abandons: Option<f64>,
    pub abandon_rate: Option<f64>,
    pub asa_s: Option<f64>,
    pub aht_s: Option<f64>,
    /// Means over answered contacts with known talk time.
    pub talk_s: Option<f64>,
    pub hold_s: Option<f64>,
    pub wrap_s: Option<f64>,
    /// Total handle time of answered contacts, seconds: the workload (in
    /// Erlangs when divided by the interval length).
    pub workload_s: f64,
    /// Mean patience of the callers, seconds, assuming exponential patience
    /// (Erlang A): an abandon's wait is an observed patience, an answered
    /// contact's wait a lower bound of one, so the maximum-likelihood mean
    /// is (all known waits) ÷ (abandons with a known wait). `None` without
    /// such abandons.
    pub patience_s: Option<f64>,
    pub transfers: u64,
    /// Share of answered contacts transferred at least once.
    pub transfer_rate: Option<f64>,
    pub reported_fcr: Option<f64>,
    /// Answered contacts with a resolved flag.
    pub reported_fcr_n: u64,
    pub true_fcr: Option<f64>,
    /// Answered contacts whose repeat window could be checked.
    pub true_fcr_n: u64,
    pub emotion: Option<MeanInterval>,
}

/// One group of a grouping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactGroup {
    pub key: ContactKey,
    pub metrics: ContactMetrics,
}

/// The groups of one grouping, by key ascending.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactGrouping {
    pub dimensions: Vec<ContactDimension>,
    pub groups: Vec<ContactGroup>,
}

/// The finished contact metrics: the total and one table per grouping, in
/// the spec's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactReport {
    pub total: ContactMetrics,
    pub groupings: Vec<ContactGrouping>,
}

/// Running sums of one group; merging adds them.
#[derive(Debug, Clone, Default)]
struct Tally {
    offered: u64,
    answered: u64,
    abandoned: u64,
    short_abandoned: u64,
    service_level_offered: u64,
    answered_within_threshold: u64,
    wait_sum_s: f64,
    wait_n: u64,
    abandoned_wait_sum_s: f64,
    abandoned_wait_n: u64,
    handle_sum_s: f64,
    handle_n: u64,
    components_sum_s: [f64; 3],
    components_n: u64,
    transfers: u64,
    transferred: u64,
    resolved: u64,
    resolved_known: u64,
    first_contact_resolved: u64,
    first_contact_known: u64,
    emotion: MeanAccumulator,
}

/// Thresholds in the units the tally compares with.
#[derive(Debug, Clone, Copy)]
struct Thresholds {
    answer_within_s: f64,
    short_abandon_s: f64,
}

impl Tally {
    fn add(&mut self, record: &ContactRecord, repeat: Option<bool>, limits: Thresholds) {
        self.offered += 1;
        if record.abandoned {
            self.abandoned += 1;
            self.service_level_offered += 1;
            if record.wait_s.is_some_and(|w| w < limits.short_abandon_s) {
                self.short_abandoned += 1;
            }
            if let Some(wait_s) = record.wait_s {
                self.abandoned_wait_sum_s += wait_s;
                self.abandoned_wait_n += 1;
            }
            return;
        }
        self.answered += 1;
        if let Some(wait_s) = record.wait_s {
            self.service_level_offered += 1;
            self.answered_within_threshold += u64::from(wait_s <= limits.answer_within_s);
            self.wait_sum_s += wait_s;
            self.wait_n += 1;
        }
        if let Some(handle_s) = record.handle_s {
            self.handle_sum_s += handle_s;
            self.handle_n += 1;
        }
        if let Some(components) = record.components_s {
            for (sum, part) in self.components_sum_s.iter_mut().zip(components) {
                *sum += part;
            }
            self.components_n += 1;
        }
        self.transfers += u64::from(record.transfers);
        self.transferred += u64::from(record.transfers > 0);
        if let Some(resolved) = record.resolved {
            self.resolved_known += 1;
            self.resolved += u64::from(resolved);
        }
        if let Some(repeat) = repeat {
            self.first_contact_known += 1;
            self.first_contact_resolved += u64::from(!repeat);
        }
        if let Some(emotion) = record.emotion {
            self.emotion.add(emotion);
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.offered += other.offered;
        self.answered += other.answered;
        self.abandoned += other.abandoned;
        self.short_abandoned += other.short_abandoned;
        self.service_level_offered += other.service_level_offered;
        self.answered_within_threshold += other.answered_within_threshold;
        self.wait_sum_s += other.wait_sum_s;
        self.wait_n += other.wait_n;
        self.abandoned_wait_sum_s += other.abandoned_wait_sum_s;
        self.abandoned_wait_n += other.abandoned_wait_n;
        self.handle_sum_s += other.handle_sum_s;
        self.handle_n += other.handle_n;
        for (sum, part) in self.components_sum_s.iter_mut().zip(other.components_sum_s) {
            *sum += part;
        }
        self.components_n += other.components_n;
        self.transfers += other.transfers;
        self.transferred += other.transferred;
        self.resolved += other.resolved;
        self.resolved_known += other.resolved_known;
        self.first_contact_resolved += other.first_contact_resolved;
        self.first_contact_known += other.first_contact_known;
        self.emotion.merge(&other.emotion);
    }

    fn finish(&self) -> ContactMetrics {
        let [talk, hold, wrap] = self.components_sum_s;
        ContactMetrics {
            offered: self.offered,
            answered: self.answered,
            abandoned: self.abandoned,
            short_abandoned: self.short_abandoned,
            service_level_offered: self.service_level_offered,
            answered_within_threshold: self.answered_within_threshold,
            service_level: share(self.answered_within_threshold, self.service_level_offered),
            service_level_excluding_short_abandons: share(
                self.answered_within_threshold,
                self.service_level_offered - self.short_abandoned,
            ),
            abandon_rate: share(self.abandoned, self.offered),
            asa_s: mean(self.wait_sum_s, self.wait_n),
            aht_s: mean(self.handle_sum_s, self.handle_n),
            talk_s: mean(talk, self.components_n),
            hold_s: mean(hold, self.components_n),
            wrap_s: mean(wrap, self.components_n),
            workload_s: self.handle_sum_s,
            patience_s: mean(
                self.wait_sum_s + self.abandoned_wait_sum_s,
                self.abandoned_wait_n,
            ),
            transfers: self.transfers,
            transfer_rate: share(self.transferred, self.answered),
            reported_fcr: share(self.resolved, self.resolved_known),
            reported_fcr_n: self.resolved_known,
            true_fcr: share(self.first_contact_resolved, self.first_contact_known),
            true_fcr_n: self.first_contact_known,
            emotion: self.emotion.finish(),
        }
    }
}

/// Builds a [`ContactReport`]; see the module documentation. Create it
/// from a validated spec.
#[derive(Debug)]
pub struct ContactMetricsAccumulator {
    spec: ContactSpec,
    limits: Thresholds,
    interval_us: i64,
    repeat_window_us: i64,
    /// `spec.human_channels`, sorted for binary search.
    human_channels: Vec<u32>,
    total: Tally,
    groups: Vec<HashMap<ContactKey, Tally, BuildIdHasher>>,
    /// Reused per journey.
    records: Vec<ContactRecord>,
    repeats: Vec<Option<bool>>,
}

impl ContactMetricsAccumulator {
    /// An empty accumulator; fails when the spec is invalid.
    pub fn new(spec: &ContactSpec) -> Result<Self, ContactError> {
        spec.validate()?;
        let mut human_channels = spec.human_channels.clone();
        human_channels.sort_unstable();
        Ok(ContactMetricsAccumulator {
            spec: spec.clone(),
            limits: Thresholds {
                answer_within_s: spec.answer_within_secs,
                short_abandon_s: spec.short_abandon_secs,
            },
            interval_us: secs_to_us(spec.interval_secs),
            repeat_window_us: secs_to_us(spec.repeat_window_secs),
            human_channels,
            total: Tally::default(),
            groups: spec.groupings.iter().map(|_| HashMap::default()).collect(),
            records: Vec::new(),
            repeats: Vec::new(),
        })
    }

    fn key(&self, dimensions: &[ContactDimension], record: &ContactRecord) -> ContactKey {
        let mut key = ContactKey::default();
        for dimension in dimensions {
            match dimension {
                ContactDimension::Channel => key.channel = Some(record.channel),
                ContactDimension::Queue => key.queue = Some(record.queue),
                ContactDimension::Team => key.team = Some(record.team),
                ContactDimension::Agent => key.agent = Some(record.agent),
                ContactDimension::Interval => {
                    let start_us = record.ts_us.div_euclid(self.interval_us) * self.interval_us;
                    key.interval_start_us = Some(start_us);
                }
            }
        }
        key
    }
}

impl Accumulator for ContactMetricsAccumulator {
    type Output = ContactReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        self.records.clear();
        contact_records(journey, &mut self.records);
        if self.records.is_empty() {
            return;
        }
        let rule = RepeatRule {
            window_us: self.repeat_window_us,
            human_channels: &self.human_channels,
            observed_until_us: self.spec.observed_until_us,
        };
        rule.mark(&self.records, &mut self.repeats);
        for (record, &repeat) in self.records.iter().zip(&self.repeats) {
            self.total.add(record, repeat, self.limits);
            for (grouping_idx, dimensions) in self.spec.groupings.iter().enumerate() {
                let key = self.key(dimensions, record);
                let tally = self.groups[grouping_idx].entry(key).or_default();
                tally.add(record, repeat, self.limits);
            }
        }
    }

    fn merge(&mut self, other: Self) {
        self.total.merge(&other.total);
        for (mine, theirs) in self.groups.iter_mut().zip(other.groups) {
            for (key, tally) in theirs {
                mine.entry(key).or_default().merge(&tally);
            }
        }
    }

    fn finish(self) -> ContactReport {
        let groupings = (self.spec.groupings.into_iter().zip(self.groups))
            .map(|(dimensions, groups)| {
                let mut groups: Vec<ContactGroup> = groups
                    .into_iter()
                    .map(|(key, tally)| ContactGroup {
                        key,
                        metrics: tally.finish(),
                    })
                    .collect();
                groups.sort_unstable_by_key(|group| group.key);
                ContactGrouping { dimensions, groups }
            })
            .collect();
        ContactReport {
            total: self.total.finish(),
            groupings,
        }
    }
}

/// When a later contact makes an answered one a repeat.
struct RepeatRule<'a> {
    window_us: i64,
    human_channels: &'a [u32],
    observed_until_us: Option<i64>,
}

impl RepeatRule<'_> {
    fn is_human(&self, channel: u32) -> bool {
        self.human_channels.is_empty() || self.human_channels.binary_search(&channel).is_ok()
    }

    /// Fills `repeats` with one entry per record: for answered contacts
    /// whether a repeat follows within the window (`None` when censored),
    /// `None` for abandoned ones. One backward pass keeps the next human
    /// contact overall, the next with an unknown issue, and the next per
    /// issue, so a journey costs O(contacts × its distinct issues).
    fn mark(&self, records: &[ContactRecord], repeats: &mut Vec<Option<bool>>) {
        repeats.clear();
        repeats.resize(records.len(), None);
        let mut next_any_us: Option<i64> = None;
        let mut next_unknown_issue_us: Option<i64> = None;
        let mut next_by_issue: Vec<(u32, i64)> = Vec::new();
        for (record_idx, record) in records.iter().enumerate().rev() {
            if record.answered() {
                let next_us = if record.issue == NO_NAME {
                    next_any_us
                } else {
                    let same_issue = next_by_issue
                        .iter()
                        .find(|(issue, _)| *issue == record.issue)
                        .map(|&(_, ts_us)| ts_us);
                    match (same_issue, next_unknown_issue_us) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    }
                };
                let repeat = next_us.is_some_and(|ts_us| ts_us - record.ts_us <= self.window_us);
                let censored = self
                    .observed_until_us
                    .is_some_and(|end_us| record.ts_us.saturating_add(self.window_us) > end_us);
                repeats[record_idx] = (repeat || !censored).then_some(repeat);
            }
            if self.is_human(record.channel) {
                next_any_us = Some(record.ts_us);
                if record.issue == NO_NAME {
                    next_unknown_issue_us = Some(record.ts_us);
                } else if let Some(slot) = next_by_issue
                    .iter_mut()
                    .find(|(issue, _)| *issue == record.issue)
                {
                    slot.1 = record.ts_us;
                } else {
                    next_by_issue.push((record.issue, record.ts_us));
                }
            }
        }
    }
}
