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
