//! Journey analyses as pure, deterministic kernels over one customer's
//! time-ordered events. Each analysis is an [`Accumulator`]: it observes
//! whole journeys, merges with partial results from other partitions and
//! finishes into a result. No I/O, no clock, no async: the engine feeds the
//! journeys, and the same code runs embedded or on a cluster.

pub mod contact;
pub mod funnel;
mod hash;
pub mod insights;
pub mod map;
pub mod outcomes;
pub mod owned;
pub mod paths;
pub mod retention;
pub mod staffing;
pub mod stats;
pub mod transitions;
pub mod value;
pub mod variants;

#[cfg(test)]
mod test_support;

use model::{RatingScale, TouchpointId};

/// One customer's events in (ts, event_id) order, column by column. Every
/// slice has one entry per event except `breakdown`, which is empty when the
/// analysis asked for none.
#[derive(Debug, Clone, Copy)]
pub struct Journey<'a> {
    pub customer: u64,
    /// Bit `i` set when the customer belongs to persona `i` of the definition.
    pub personas: u64,
    /// Event times, microseconds since the Unix epoch, non-decreasing.
    pub ts_us: &'a [i64],
    pub touchpoint: &'a [TouchpointId],
    /// Emotion score in [-1, 1] per event; NaN where the event has none.
    pub emotion: &'a [f32],
    /// Per-event breakdown value (an index into names the analysis was given),
    /// or empty.
    pub breakdown: &'a [u32],
    /// Further per-event facts, for the analyses that need them.
    pub facts: Facts<'a>,
}

/// The id of "no name" in the interned name columns of [`Facts`].
pub const NO_NAME: u32 = u32::MAX;

/// Per-event facts beyond touchpoint, time and emotion. Every slice is either
/// empty (the analysis did not ask for it) or has one entry per event, in the
/// journey's order. Names (channels, agents, themes, queues, …) are interned
/// by the caller into `u32` ids, with [`NO_NAME`] where the event has none;
/// the caller keeps the id → name tables and resolves them in the results.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// The event's channel.
    pub channel: &'a [u32],
    /// Revenue; NaN where the event has none.
    pub value: &'a [f64],
    /// Survey answer on its own scale; NaN where the event has none.
    pub rating: &'a [f32],
    /// The scale of `rating`.
    pub rating_scale: &'a [Option<RatingScale>],
    /// Sentiment of the event's text in [-1, 1]; NaN where there is no text.
    pub sentiment: &'a [f32],
    /// The event's text (feedback, chat, ticket), if any.
    pub text: &'a [Option<String>],
    /// The theme of the event's text (see `text::themes`), or [`NO_NAME`].
    pub theme: &'a [u32],
    /// The agent who served the event, or [`NO_NAME`].
    pub agent: &'a [u32],
    /// Seconds the customer waited before being served; NaN where unknown.
    pub wait_s: &'a [f32],
    /// Seconds of handling (talk + hold + wrap); NaN where unknown.
    pub handle_s: &'a [f32],
    /// Whether the contact was marked resolved.
    pub resolved: &'a [Option<bool>],
    /// Whether the customer abandoned (hung up in the queue, left the chat).
    pub abandoned: &'a [Option<bool>],
    /// Contact-centre details of contacts on human channels.
    pub contact: &'a [Contact],
}

/// Contact-centre details of one contact; [`Contact::NONE`] for events that
/// are not contacts. Names are interned ids as in [`Facts`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contact {
    pub queue: u32,
    pub team: u32,
    pub skill: u32,
    /// The customer's issue (reason for contact) as the agent coded it.
    pub issue: u32,
    pub talk_s: f32,
    pub hold_s: f32,
    pub wrap_s: f32,
    pub transfers: u16,
}

impl Contact {
    pub const NONE: Contact = Contact {
        queue: NO_NAME,
        team: NO_NAME,
        skill: NO_NAME,
        issue: NO_NAME,
        talk_s: f32::NAN,
        hold_s: f32::NAN,
        wrap_s: f32::NAN,
        transfers: 0,
    };

    pub fn is_contact(&self) -> bool {
        self.queue != NO_NAME || self.talk_s.is_finite()
    }
}

impl Default for Contact {
    fn default() -> Self {
        Contact::NONE
    }
}

impl Journey<'_> {
    pub fn len(&self) -> usize {
        self.ts_us.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts_us.is_empty()
    }
}

/// A mergeable analysis: `observe` each journey once (in any order, in any
/// number of partial accumulators), `merge` the partials in any grouping,
/// then `finish`. The result must not depend on how journeys were split
/// among partials or in which order partials were merged.
pub trait Accumulator: Send + Sized {
    type Output;
    fn observe(&mut self, journey: &Journey<'_>);
    fn merge(&mut self, other: Self);
    fn finish(self) -> Self::Output;
}

/// Two analyses in one pass over the journeys.
impl<A: Accumulator, B: Accumulator> Accumulator for (A, B) {
    type Output = (A::Output, B::Output);

    fn observe(&mut self, journey: &Journey<'_>) {
        self.0.observe(journey);
        self.1.observe(journey);
    }

    fn merge(&mut self, other: Self) {
        self.0.merge(other.0);
        self.1.merge(other.1);
    }

    fn finish(self) -> Self::Output {
        (self.0.finish(), self.1.finish())
    }
}
