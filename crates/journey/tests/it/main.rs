//! The journey crate's integration tests, one binary for all features.

mod staffing;
mod value;
