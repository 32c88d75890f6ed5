//! The integration tests of `text`, one binary (see STYLE.md).

mod emotions;
mod service;
mod themes;
mod vader_diff;
