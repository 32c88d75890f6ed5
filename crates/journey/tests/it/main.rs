//! The journey crate's integration tests: each kernel against a naive
//! reference implementation on random journeys, with the journeys split over
//! random partial accumulators merged in random order.

mod common;
mod map;
mod transitions;
mod variants;
