//! Journey analyses as pure, deterministic kernels over one customer's
//! time-ordered events. Each analysis is an [`Accumulator`]: it observes
//! whole journeys, merges with partial results from other partitions and
//! finishes into a result. No I/O, no clock, no async: the engine feeds the
//! journeys, and the same code runs embedded or on a cluster.

pub mod funnel;
mod hash;
pub mod map;
pub mod owned;
pub mod paths;
pub mod staffing;
pub mod stats;
pub mod transitions;
pub mod value;
pub mod variants;

#[cfg(test)]
mod test_support;

use model::TouchpointId;

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
