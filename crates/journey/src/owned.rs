//! An owned journey, for callers that assemble one customer's events
//! themselves (side passes, tests, benchmarks) and then lend them to the
//! kernels as a [`Journey`].

use crate::{Contact, Facts, Journey};
use model::RatingScale;
use model::TouchpointId;

/// One customer's events in owned columns; see [`Journey`] for their meaning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnedJourney {
    pub customer: u64,
    pub personas: u64,
    pub ts_us: Vec<i64>,
    pub touchpoint: Vec<TouchpointId>,
    pub emotion: Vec<f32>,
    pub breakdown: Vec<u32>,
    pub facts: OwnedFacts,
}

/// Owned [`Facts`]: each vector empty or one entry per event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnedFacts {
    pub channel: Vec<u32>,
    pub value: Vec<f64>,
    pub rating: Vec<f32>,
    pub rating_scale: Vec<Option<RatingScale>>,
    pub sentiment: Vec<f32>,
    pub text: Vec<Option<String>>,
    pub theme: Vec<u32>,
    pub agent: Vec<u32>,
    pub wait_s: Vec<f32>,
    pub handle_s: Vec<f32>,
    pub resolved: Vec<Option<bool>>,
    pub abandoned: Vec<Option<bool>>,
    pub contact: Vec<Contact>,
}

impl OwnedFacts {
    /// The facts of events `range` (slices of absent facts stay empty).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Facts<'_> {
        fn part<'a, T>(values: &'a [T], range: &std::ops::Range<usize>) -> &'a [T] {
            values.get(range.clone()).unwrap_or(&[])
        }
        Facts {
            channel: part(&self.channel, &range),
            value: part(&self.value, &range),
            rating: part(&self.rating, &range),
            rating_scale: part(&self.rating_scale, &range),
            sentiment: part(&self.sentiment, &range),
            text: part(&self.text, &range),
            theme: part(&self.theme, &range),
            agent: part(&self.agent, &range),
            wait_s: part(&self.wait_s, &range),
            handle_s: part(&self.handle_s, &range),
            resolved: part(&self.resolved, &range),
            abandoned: part(&self.abandoned, &range),
            contact: part(&self.contact, &range),
        }
    }

    /// Appends events `range` of `other` (facts absent there stay absent).
    pub fn extend_from(&mut self, other: &OwnedFacts, range: std::ops::Range<usize>) {
        fn add<T: Clone>(into: &mut Vec<T>, from: &[T], range: &std::ops::Range<usize>) {
            if let Some(values) = from.get(range.clone()) {
                into.extend_from_slice(values);
            }
        }
        add(&mut self.channel, &other.channel, &range);
        add(&mut self.value, &other.value, &range);
        add(&mut self.rating, &other.rating, &range);
        add(&mut self.rating_scale, &other.rating_scale, &range);
        add(&mut self.sentiment, &other.sentiment, &range);
        add(&mut self.text, &other.text, &range);
        add(&mut self.theme, &other.theme, &range);
        add(&mut self.agent, &other.agent, &range);
        add(&mut self.wait_s, &other.wait_s, &range);
        add(&mut self.handle_s, &other.handle_s, &range);
        add(&mut self.resolved, &other.resolved, &range);
        add(&mut self.abandoned, &other.abandoned, &range);
        add(&mut self.contact, &other.contact, &range);
    }

    /// Empties every fact, keeping the allocations.
    pub fn clear(&mut self) {
        self.channel.clear();
        self.value.clear();
        self.rating.clear();
        self.rating_scale.clear();
        self.sentiment.clear();
        self.text.clear();
        self.theme.clear();
        self.agent.clear();
        self.wait_s.clear();
        self.handle_s.clear();
        self.resolved.clear();
        self.abandoned.clear();
        self.contact.clear();
    }

    pub fn as_facts(&self) -> Facts<'_> {
        Facts {
            channel: &self.channel,
            value: &self.value,
            rating: &self.rating,
            rating_scale: &self.rating_scale,
            sentiment: &self.sentiment,
            text: &self.text,
            theme: &self.theme,
            agent: &self.agent,
            wait_s: &self.wait_s,
            handle_s: &self.handle_s,
            resolved: &self.resolved,
            abandoned: &self.abandoned,
            contact: &self.contact,
        }
    }
}

impl OwnedJourney {
    pub fn new(customer: u64, personas: u64) -> OwnedJourney {
        OwnedJourney {
            customer,
            personas,
            ..OwnedJourney::default()
        }
    }

    /// Appends one event; events must come in (ts, event_id) order, which the
    /// caller knows and this type cannot check for ties.
    pub fn push(&mut self, ts_us: i64, touchpoint: TouchpointId, emotion: f32) {
        debug_assert!(
            self.ts_us.last().is_none_or(|&last| last <= ts_us),
            "events out of time order"
        );
        self.ts_us.push(ts_us);
        self.touchpoint.push(touchpoint);
        self.emotion.push(emotion);
    }

    pub fn as_journey(&self) -> Journey<'_> {
        Journey {
            customer: self.customer,
            personas: self.personas,
            ts_us: &self.ts_us,
            touchpoint: &self.touchpoint,
            emotion: &self.emotion,
            breakdown: &self.breakdown,
            facts: self.facts.as_facts(),
        }
    }
}
