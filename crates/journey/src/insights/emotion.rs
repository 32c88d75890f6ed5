//! The emotion score of each event (DESIGN §7) and the emotion curve.
//!
//! An event's score starts from what the customer said — the survey
//! rating mapped onto [-1, 1] by its scale ([`RatingScale::to_emotion`]:
//! CSAT (x−3)/2, NPS (x−5)/5, CES (x−4)/3) and the sentiment of the
//! event's text, averaged with weights [`RATING_WEIGHT`] and
//! [`SENTIMENT_WEIGHT`]; without either, the stored `emotion` column;
//! without that, 0 when a behaviour signal fires and no score at all (NaN)
//! otherwise. Behaviour signals ([`Signal`]) then subtract their weight
//! from [`SIGNAL_WEIGHTS`], and the result is clamped to [-1, 1].
//!
//! The curve reports, per stage and per touchpoint, for everyone and for
//! each persona, the mean score with its 95 % interval
//! ([`MeanAccumulator`]), and how often each signal fired.

use super::context::{InsightContext, Role, is_contact};
use crate::stats::{MeanAccumulator, MeanInterval};
use crate::{Accumulator, Journey};
use model::RatingScale;
use serde::Serialize;
use std::sync::Arc;

/// The weight of the survey rating in the said part of the score.
pub const RATING_WEIGHT: f32 = 1.0;
/// The weight of text sentiment: half a rating's, because a comment's tone
/// is read by a model and is noisier than the customer's own answer.
pub const SENTIMENT_WEIGHT: f32 = 0.5;

/// A behaviour that lowers an event's emotion score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// A contact within the repeat window (`repeat_contact_days`) of the
    /// customer's previous contact.
    RepeatContact,
    /// A wait beyond the target (`targets.wait_s`).
    WaitBeyondTarget,
    /// The customer hung up in the queue or left the chat.
    Abandoned,
    /// An answered contact marked unresolved.
    Unresolved,
    /// A complaint touchpoint, or a contact transferred at least once.
    Escalation,
    /// A contact right after a self-service touchpoint (within the switch
    /// window): failure demand.
    SelfServiceToHuman,
}

impl Signal {
    pub const ALL: [Signal; 6] = [
        Signal::RepeatContact,
        Signal::WaitBeyondTarget,
        Signal::Abandoned,
        Signal::Unresolved,
        Signal::Escalation,
        Signal::SelfServiceToHuman,
    ];

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// What each signal subtracts from the score, in the order of
/// [`Signal::ALL`].
pub const SIGNAL_WEIGHTS: [f32; 6] = [
    // RepeatContact: coming back is effort, but the repeat may still go well.
    0.25,
    // WaitBeyondTarget: a poor experience on its own (as the generator's and
    // most contact centres' definitions have it), hence half the scale.
    0.5, // Abandoned: the customer gave up; a poor experience on its own.
    0.5, // Unresolved: the contact failed its purpose; a poor experience.
    0.5, // Escalation: a complaint or a transfer means the first line failed.
    0.5,
    // SelfServiceToHuman: self-service failed, the customer needs a person;
    // mild, since the contact itself may solve the problem.
    0.25,
];

/// The set of signals that fired at one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignalSet(u8);

impl SignalSet {
    pub fn contains(self, signal: Signal) -> bool {
        self.0 & signal.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn insert(&mut self, signal: Signal) {
        self.0 |= signal.bit();
    }
}

/// Everything the score needs besides the journey: touchpoint roles, the
/// wait target, the repeat and switch windows and the weights.
#[derive(Debug, Clone)]
pub struct EmotionConfig {
    /// By touchpoint id.
    pub roles: Vec<Role>,
    pub wait_target_s: f32,
    pub repeat_contact_us: i64,
    pub switch_window_us: i64,
    /// In the order of [`Signal::ALL`]; [`SIGNAL_WEIGHTS`] by default.
    pub weights: [f32; 6],
}

impl EmotionConfig {
    pub(crate) fn role(&self, journey: &Journey<'_>, index: usize) -> Role {
        let id = journey.touchpoint[index].index();
        *self
            .roles
            .get(id)
            .expect("the context's catalog knows every touchpoint of the journeys")
    }
}

/// The behaviour signals at event `index` of the journey.
pub fn signals_of(journey: &Journey<'_>, index: usize, config: &EmotionConfig) -> SignalSet {
    let facts = &journey.facts;
    let mut signals = SignalSet::default();
    let contact = is_contact(config, journey, index);
    let ts_us = journey.ts_us[index];
    let abandoned = facts.abandoned.get(index).copied().flatten() == Some(true);
    if contact
        && (0..index)
            .rev()
            .take_while(|&j| ts_us - journey.ts_us[j] <= config.repeat_contact_us)
            .any(|j| is_contact(config, journey, j))
    {
        signals.insert(Signal::RepeatContact);
    }
    if facts
        .wait_s
        .get(index)
        .is_some_and(|&wait_s| wait_s > config.wait_target_s)
    {
        signals.insert(Signal::WaitBeyondTarget);
    }
    if abandoned {
        signals.insert(Signal::Abandoned);
    }
    if contact && !abandoned && facts.resolved.get(index).copied().flatten() == Some(false) {
        signals.insert(Signal::Unresolved);
    }
    let transferred = facts.contact.get(index).is_some_and(|c| c.transfers > 0);
    if config.role(journey, index).complaint || transferred {
        signals.insert(Signal::Escalation);
    }
    if contact
        && index > 0
        && config.role(journey, index - 1).self_service
        && ts_us - journey.ts_us[index - 1] <= config.switch_window_us
    {
        signals.insert(Signal::SelfServiceToHuman);
    }
    signals
}

/// The rating's emotion at event `index`, if it has a rating on a known
/// scale within the scale's range.
pub fn rating_emotion(journey: &Journey<'_>, index: usize) -> Option<f32> {
    let facts = &journey.facts;
    let rating = *facts.rating.get(index)?;
    let scale: RatingScale = facts.rating_scale.get(index).copied().flatten()?;
    scale.to_emotion(rating)
}

/// The emotion score of event `index` in [-1, 1], or NaN when the event
/// carries no rating, sentiment, stored emotion nor behaviour signal.
pub fn emotion_of(journey: &Journey<'_>, index: usize, config: &EmotionConfig) -> f32 {
    let signals = signals_of(journey, index, config);
    score(journey, index, signals, config)
}

fn score(journey: &Journey<'_>, index: usize, signals: SignalSet, config: &EmotionConfig) -> f32 {
    let sentiment = (journey.facts.sentiment.get(index).copied())
        .filter(|s| s.is_finite())
        .map(|s| s.clamp(-1.0, 1.0));
    let said = match (rating_emotion(journey, index), sentiment) {
        (Some(rating), Some(sentiment)) => Some(
            (RATING_WEIGHT * rating + SENTIMENT_WEIGHT * sentiment)
                / (RATING_WEIGHT + SENTIMENT_WEIGHT),
        ),
        (rating, sentiment) => rating.or(sentiment),
    };
    let stored = journey
        .emotion
        .get(index)
        .copied()
        .filter(|e| e.is_finite());
    let base = match said.or(stored) {
        Some(base) => base,
        None if signals.is_empty() => return f32::NAN,
        None => 0.0,
    };
    let penalty: f32 = (Signal::ALL.iter().zip(config.weights))
        .filter(|(signal, _)| signals.contains(**signal))
        .map(|(_, weight)| weight)
        .sum();
    (base - penalty).clamp(-1.0, 1.0)
}

/// The scores and signals of every event of the journey, into `scores` and
/// `signals` (cleared first).
pub fn emotions_of(
    journey: &Journey<'_>,
    config: &EmotionConfig,
    scores: &mut Vec<f32>,
    signals: &mut Vec<SignalSet>,
) {
    scores.clear();
    signals.clear();
    for index in 0..journey.len() {
        let fired = signals_of(journey, index, config);
        scores.push(score(journey, index, fired, config));
        signals.push(fired);
    }
}

/// The emotion curve of everyone and of each persona.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmotionCurve {
    /// Everyone first, then one group per persona.
    pub groups: Vec<EmotionGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmotionGroup {
    /// `None` for everyone, else the persona's bit.
    pub persona: Option<u32>,
    pub customers: u64,
    /// Every stage of the catalog in order (the unknown stage last); the
    /// emotion is `None` where no event has a score.
    pub stages: Vec<StageEmotion>,
    /// Touchpoints with at least one scored event, by id.
    pub touchpoints: Vec<TouchpointEmotion>,
    /// Events at which each signal fired, in the order of [`Signal::ALL`].
    pub signals: Vec<SignalCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageEmotion {
    pub stage: u32,
    pub emotion: Option<MeanInterval>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchpointEmotion {
    pub touchpoint: u32,
    pub stage: u32,
    pub emotion: MeanInterval,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalCount {
    pub signal: Signal,
    pub events: u64,
}

#[derive(Debug, Clone)]
struct CurveGroup {
    customers: u64,
    stages: Vec<MeanAccumulator>,
    touchpoints: Vec<MeanAccumulator>,
    signals: [u64; 6],
}

/// Builds the [`EmotionCurve`].
#[derive(Debug, Clone)]
pub struct EmotionCurveAccumulator {
    context: Arc<InsightContext>,
    groups: Vec<CurveGroup>,
    scores: Vec<f32>,
    signals: Vec<SignalSet>,
}

impl EmotionCurveAccumulator {
    pub fn new(context: Arc<InsightContext>) -> EmotionCurveAccumulator {
        let group = CurveGroup {
            customers: 0,
            stages: vec![MeanAccumulator::default(); context.n_stages],
            touchpoints: vec![MeanAccumulator::default(); context.roles().len()],
            signals: [0; 6],
        };
        EmotionCurveAccumulator {
            groups: vec![group; 1 + context.n_personas],
            context,
            scores: Vec::new(),
            signals: Vec::new(),
        }
    }
}

impl Accumulator for EmotionCurveAccumulator {
    type Output = EmotionCurve;

    fn observe(&mut self, journey: &Journey<'_>) {
        if journey.is_empty() {
            return;
        }
        let config = &self.context.emotion;
        emotions_of(journey, config, &mut self.scores, &mut self.signals);
        for group in self.context.groups(journey.personas) {
            let group = &mut self.groups[group];
            group.customers += 1;
            for (index, (&score, &fired)) in self.scores.iter().zip(&self.signals).enumerate() {
                for (count, signal) in group.signals.iter_mut().zip(Signal::ALL) {
                    *count += u64::from(fired.contains(signal));
                }
                if score.is_nan() {
                    continue;
                }
                let role = config.role(journey, index);
                group.stages[role.stage as usize].add(f64::from(score));
                group.touchpoints[journey.touchpoint[index].index()].add(f64::from(score));
            }
        }
    }

    fn merge(&mut self, other: Self) {
        for (mine, theirs) in self.groups.iter_mut().zip(other.groups) {
            mine.customers += theirs.customers;
            for (a, b) in mine.stages.iter_mut().zip(&theirs.stages) {
                a.merge(b);
            }
            for (a, b) in mine.touchpoints.iter_mut().zip(&theirs.touchpoints) {
                a.merge(b);
            }
            for (a, b) in mine.signals.iter_mut().zip(theirs.signals) {
                *a += b;
            }
        }
    }

    fn finish(self) -> EmotionCurve {
        let roles = self.context.roles();
        let groups = (self.groups.iter().enumerate())
            .map(|(position, group)| EmotionGroup {
                persona: position.checked_sub(1).map(|bit| bit as u32),
                customers: group.customers,
                stages: (group.stages.iter().enumerate())
                    .map(|(stage, mean)| StageEmotion {
                        stage: stage as u32,
                        emotion: mean.finish(),
                    })
                    .collect(),
                touchpoints: (group.touchpoints.iter().enumerate())
                    .filter_map(|(id, mean)| {
                        Some(TouchpointEmotion {
                            touchpoint: id as u32,
                            stage: roles[id].stage,
                            emotion: mean.finish()?,
                        })
                    })
                    .collect(),
                signals: (Signal::ALL.iter().zip(group.signals))
                    .map(|(&signal, events)| SignalCount { signal, events })
                    .collect(),
            })
            .collect();
        EmotionCurve { groups }
    }
}
