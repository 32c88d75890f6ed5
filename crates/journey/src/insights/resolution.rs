//! The resolution gap: contacts marked resolved that were not. A contact
//! marked resolved is *reopened* when the customer contacts again within
//! `window_days` — on the same issue when both contacts carry one
//! (`Contact::issue`), else any contact — or when a survey says it was not
//! solved: the contact's own rating, or a later rating within the window
//! on the same issue, with an emotion at or below `poor_emotion_max`.
//!
//! Reported FCR = marked resolved ÷ answered contacts; true FCR = marked
//! resolved and not reopened ÷ answered contacts (DESIGN §7: no repeat
//! contact on the same issue within 7 days). Rows per agent, team, channel
//! and theme, ranked by the z-score of their reopened share against the
//! rest of the dimension, so that both size and certainty count. Agents
//! are compared with the rest of their own team: teams take different
//! issues, and an agent should not stand out for the team's work.

use super::context::{InsightContext, is_contact};
use super::emotion::rating_emotion;
use super::proportion::{Proportion, two_proportion_z};
use super::{InsightsError, check_range, days_us};
use crate::{Accumulator, Journey, NO_NAME};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct ResolutionOptions {
    pub window_days: f64,
    /// Rows with fewer contacts marked resolved are left out of the lists.
    pub min_resolved: u64,
}

impl Default for ResolutionOptions {
    fn default() -> Self {
        ResolutionOptions {
            window_days: 7.0,
            min_resolved: 20,
        }
    }
}

/// Counts of one agent, team, channel or theme.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Counts {
    answered: u64,
    resolved: u64,
    reopened_by_contact: u64,
    reopened_by_survey: u64,
    reopened: u64,
    unresolved: u64,
    unresolved_repeated: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.answered += other.answered;
        self.resolved += other.resolved;
        self.reopened_by_contact += other.reopened_by_contact;
        self.reopened_by_survey += other.reopened_by_survey;
        self.reopened += other.reopened;
        self.unresolved += other.unresolved;
        self.unresolved_repeated += other.unresolved_repeated;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionRow {
    /// The agent, team, channel or theme id; [`NO_NAME`] for "none" and for
    /// the overall row.
    pub id: u32,
    /// The agent's team; [`NO_NAME`] in other rows.
    pub team: u32,
    pub answered: u64,
    pub marked_resolved: u64,
    pub reported_fcr: f64,
    pub true_fcr: f64,
    /// Of the contacts marked resolved: reopened by a contact, by a
    /// survey, by either.
    pub reopened_by_contact: Proportion,
    pub reopened_by_survey: Proportion,
    pub reopened: Proportion,
    /// Of the contacts marked unresolved: followed by a contact.
    pub unresolved_repeated: Proportion,
    /// Two-proportion z of `reopened` against the rest of the dimension.
    pub z: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionReport {
    pub overall: ResolutionRow,
    pub agents: Vec<ResolutionRow>,
    pub teams: Vec<ResolutionRow>,
    pub channels: Vec<ResolutionRow>,
    pub themes: Vec<ResolutionRow>,
}

/// Builds the [`ResolutionReport`].
#[derive(Debug, Clone)]
pub struct ResolutionAccumulator {
    context: Arc<InsightContext>,
    options: ResolutionOptions,
    window_us: i64,
    overall: Counts,
    /// By (team, agent).
    agents: BTreeMap<(u32, u32), Counts>,
    /// Teams, channels, themes.
    dimensions: [BTreeMap<u32, Counts>; 3],
}

impl ResolutionAccumulator {
    pub fn new(
        context: Arc<InsightContext>,
        options: ResolutionOptions,
    ) -> Result<ResolutionAccumulator, InsightsError> {
        check_range("window_days", options.window_days, 0.0..=3_650.0)?;
        Ok(ResolutionAccumulator {
            window_us: days_us(options.window_days),
            context,
            options,
            overall: Counts::default(),
            agents: BTreeMap::new(),
            dimensions: Default::default(),
        })
    }

    /// One answered contact's counts.
    fn contact_counts(&self, journey: &Journey<'_>, i: usize, resolved: bool) -> Counts {
        let config = &self.context.emotion;
        let issue_of = |j: usize| {
            (journey.facts.contact.get(j))
                .map(|c| c.issue)
                .filter(|&issue| issue != NO_NAME)
        };
        let same_issue = |j: usize| match (issue_of(i), issue_of(j)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let poor = self.context.poor_emotion_max;
        let later = ((i + 1)..journey.len())
            .take_while(|&j| journey.ts_us[j] - journey.ts_us[i] <= self.window_us);
        let by_contact = later
            .clone()
            .any(|j| is_contact(config, journey, j) && same_issue(j));
        let said_unsolved = |j: usize| rating_emotion(journey, j).is_some_and(|e| e <= poor);
        let by_survey = said_unsolved(i)
            || later
                .clone()
                .any(|j| issue_of(i).is_some() && issue_of(j) == issue_of(i) && said_unsolved(j));
        Counts {
            answered: 1,
            resolved: u64::from(resolved),
            reopened_by_contact: u64::from(resolved && by_contact),
            reopened_by_survey: u64::from(resolved && by_survey),
            reopened: u64::from(resolved && (by_contact || by_survey)),
            unresolved: u64::from(!resolved),
            unresolved_repeated: u64::from(!resolved && by_contact),
        }
    }

    fn row(id: u32, team: u32, counts: &Counts, rest: Option<&Counts>) -> ResolutionRow {
        let per_answered = |n: u64| {
            if counts.answered == 0 {
                0.0
            } else {
                n as f64 / counts.answered as f64
            }
        };
        let z = rest.map_or(0.0, |rest| {
            two_proportion_z(
                counts.reopened,
                counts.resolved,
                rest.reopened,
                rest.resolved,
            )
        });
        ResolutionRow {
            id,
            team,
            answered: counts.answered,
            marked_resolved: counts.resolved,
            reported_fcr: per_answered(counts.resolved),
            true_fcr: per_answered(counts.resolved - counts.reopened),
            reopened_by_contact: Proportion::of(counts.reopened_by_contact, counts.resolved),
            reopened_by_survey: Proportion::of(counts.reopened_by_survey, counts.resolved),
            reopened: Proportion::of(counts.reopened, counts.resolved),
            unresolved_repeated: Proportion::of(counts.unresolved_repeated, counts.unresolved),
            z,
        }
    }

    /// Rows with enough resolved contacts, each against the rest of its
    /// reference group (`reference` names it), by z-score.
    fn rows<K: Ord + Copy>(
        &self,
        counts: &BTreeMap<K, Counts>,
        reference: impl Fn(K) -> u32,
        ids: impl Fn(K) -> (u32, u32),
    ) -> Vec<ResolutionRow> {
        let mut totals: BTreeMap<u32, Counts> = BTreeMap::new();
        for (&key, row) in counts {
            totals.entry(reference(key)).or_default().add(row);
        }
        let mut rows: Vec<ResolutionRow> = (counts.iter())
            .filter(|(_, row)| row.resolved >= self.options.min_resolved)
            .map(|(&key, row)| {
                let total = &totals[&reference(key)];
                let rest = Counts {
                    resolved: total.resolved - row.resolved,
                    reopened: total.reopened - row.reopened,
                    ..Counts::default()
                };
                let (id, team) = ids(key);
                Self::row(id, team, row, Some(&rest))
            })
            .collect();
        rows.sort_by(|a, b| {
            b.z.total_cmp(&a.z)
                .then((a.team, a.id).cmp(&(b.team, b.id)))
        });
        rows
    }
}

impl Accumulator for ResolutionAccumulator {
    type Output = ResolutionReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        let config = &self.context.emotion;
        let facts = &journey.facts;
        for i in 0..journey.len() {
            let Some(resolved) = facts.resolved.get(i).copied().flatten() else {
                continue;
            };
            let abandoned = facts.abandoned.get(i).copied().flatten() == Some(true);
            if abandoned || !is_contact(config, journey, i) {
                continue;
            }
            let counts = self.contact_counts(journey, i, resolved);
            self.overall.add(&counts);
            let team = facts.contact.get(i).map_or(NO_NAME, |c| c.team);
            let agent = facts.agent.get(i).copied().unwrap_or(NO_NAME);
            self.agents.entry((team, agent)).or_default().add(&counts);
            let keys = [
                team,
                facts.channel.get(i).copied().unwrap_or(NO_NAME),
                facts.theme.get(i).copied().unwrap_or(NO_NAME),
            ];
            for (dimension, key) in self.dimensions.iter_mut().zip(keys) {
                dimension.entry(key).or_default().add(&counts);
            }
        }
    }

    fn merge(&mut self, other: Self) {
        self.overall.add(&other.overall);
        for (key, counts) in other.agents {
            self.agents.entry(key).or_default().add(&counts);
        }
        for (mine, theirs) in self.dimensions.iter_mut().zip(other.dimensions) {
            for (key, counts) in theirs {
                mine.entry(key).or_default().add(&counts);
            }
        }
    }

    fn finish(self) -> ResolutionReport {
        let [teams, channels, themes] = &self.dimensions;
        let whole = |_: u32| NO_NAME;
        let alone = |id: u32| (id, NO_NAME);
        ResolutionReport {
            overall: Self::row(NO_NAME, NO_NAME, &self.overall, None),
            agents: self.rows(
                &self.agents,
                |(team, _)| team,
                |(team, agent)| (agent, team),
            ),
            teams: self.rows(teams, whole, alone),
            channels: self.rows(channels, whole, alone),
            themes: self.rows(themes, whole, alone),
        }
    }
}
