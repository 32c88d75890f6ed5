//! The journey crate's integration tests, one binary: each kernel against a
//! naive reference implementation on random journeys, with the journeys
//! split over random partial accumulators merged in random order.

mod common;
mod contact;
mod funnel;
mod funnel_paths_support;
mod funnel_reference;
mod insights;
mod map;
mod outcomes;
mod paths;
mod paths_reference;
mod retention;
mod staffing;
mod transitions;
mod value;
mod variants;
