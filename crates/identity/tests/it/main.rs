//! The identity crate's integration tests, one binary: the linking rules as
//! data-driven scripts, explanations, splits, the log format, and proptests
//! that the customers depend only on the set of calls (against a naive
//! reference of the documented rules).

mod common;
mod explain;
mod log;
mod order;
mod rules;
mod split;
mod traits;
