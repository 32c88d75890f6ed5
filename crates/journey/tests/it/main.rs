//! The journey crate's integration tests, one binary.

mod funnel;
mod funnel_paths_support;
mod funnel_reference;
mod paths;
mod paths_reference;
