//! DataFusion integration.
