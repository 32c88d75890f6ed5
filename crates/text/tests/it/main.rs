//! The integration tests of `text`, one binary (see STYLE.md).

mod vader_diff;
