//! The Arrow schema of stored events (DESIGN §4) and the on-disk format
//! version. The customer key is stored as a signed 64-bit integer (the bits
//! of the `u64` key) because Delta Lake has no unsigned types.

use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

/// Version of the on-disk layout (Parquet columns, Delta table properties,
/// WAL records). Bump it with a migration and a new committed fixture.
pub const FORMAT_VERSION: u32 = 1;

/// Column names, one constant each so that no crate spells them twice.
pub mod columns {
    pub const EVENT_ID: &str = "event_id";
    pub const TS: &str = "ts";
    pub const RECEIVED_AT: &str = "received_at";
    pub const CUSTOMER: &str = "customer";
    pub const DISTINCT_ID: &str = "distinct_id";
    pub const TOUCHPOINT: &str = "touchpoint";
    pub const CHANNEL: &str = "channel";
    pub const STAGE: &str = "stage";
    pub const CHANNEL_KIND: &str = "channel_kind";
    pub const AGENT: &str = "agent";
    pub const TEXT: &str = "text";
    pub const SENTIMENT: &str = "sentiment";
    pub const RATING: &str = "rating";
    pub const RATING_SCALE: &str = "rating_scale";
    pub const EMOTION: &str = "emotion";
    pub const VALUE: &str = "value";
    pub const WAIT_S: &str = "wait_s";
    pub const HANDLE_S: &str = "handle_s";
    pub const RESOLVED: &str = "resolved";
    pub const ABANDONED: &str = "abandoned";
    pub const PROPERTIES: &str = "properties";
    /// Delta partition column: `hash(customer) % buckets`.
    pub const BUCKET: &str = "bucket";
}

/// The schema of the event columns as stored in each data file (the
/// partition column `bucket` lives in the file path, not in the file).
pub fn event_schema() -> Arc<Schema> {
    use columns::*;
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let float = |name: &str| Field::new(name, DataType::Float32, true);
    Arc::new(Schema::new(vec![
        Field::new(EVENT_ID, DataType::Utf8, false),
        Field::new(TS, timestamp.clone(), false),
        Field::new(RECEIVED_AT, timestamp, false),
        Field::new(CUSTOMER, DataType::Int64, false),
        Field::new(DISTINCT_ID, DataType::Utf8, false),
        Field::new(TOUCHPOINT, DataType::Utf8, false),
        Field::new(CHANNEL, DataType::Utf8, false),
        text(STAGE),
        text(CHANNEL_KIND),
        text(AGENT),
        text(TEXT),
        float(SENTIMENT),
        float(RATING),
        text(RATING_SCALE),
        float(EMOTION),
        Field::new(VALUE, DataType::Float64, true),
        float(WAIT_S),
        float(HANDLE_S),
        Field::new(RESOLVED, DataType::Boolean, true),
        Field::new(ABANDONED, DataType::Boolean, true),
        text(PROPERTIES),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_has_every_event_column_once() {
        let schema = event_schema();
        assert_eq!(schema.fields().len(), 21);
        let mut names: Vec<_> = schema.fields().iter().map(|f| f.name().clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 21);
        assert!(schema.field_with_name(columns::BUCKET).is_err());
    }
}
