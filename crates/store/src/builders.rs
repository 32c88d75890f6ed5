//! Arrow builders for batches of events in the stored schema, so that
//! every producer (import, ingest, the demo generator, tests) builds the
//! same columns the same way.

use arrow::array::{
    ArrayRef, BooleanBuilder, Float32Builder, Float64Builder, Int64Builder, RecordBatch,
    StringBuilder, TimestampMicrosecondBuilder,
};
use model::Event;
use std::sync::Arc;

/// Arrow builders for one batch of events in [`model::event_schema`].
pub struct EventBuilders {
    event_id: StringBuilder,
    ts: TimestampMicrosecondBuilder,
    received_at: TimestampMicrosecondBuilder,
    customer: Int64Builder,
    distinct_id: StringBuilder,
    touchpoint: StringBuilder,
    channel: StringBuilder,
    stage: StringBuilder,
    channel_kind: StringBuilder,
    agent: StringBuilder,
    text: StringBuilder,
    sentiment: Float32Builder,
    rating: Float32Builder,
    rating_scale: StringBuilder,
    emotion: Float32Builder,
    value: Float64Builder,
    wait_s: Float32Builder,
    handle_s: Float32Builder,
    resolved: BooleanBuilder,
    abandoned: BooleanBuilder,
    properties: StringBuilder,
    rows: usize,
}

impl Default for EventBuilders {
    fn default() -> Self {
        EventBuilders::new()
    }
}

impl EventBuilders {
    pub fn new() -> EventBuilders {
        let timestamp = || TimestampMicrosecondBuilder::new().with_timezone("UTC");
        EventBuilders {
            event_id: StringBuilder::new(),
            ts: timestamp(),
            received_at: timestamp(),
            customer: Int64Builder::new(),
            distinct_id: StringBuilder::new(),
            touchpoint: StringBuilder::new(),
            channel: StringBuilder::new(),
            stage: StringBuilder::new(),
            channel_kind: StringBuilder::new(),
            agent: StringBuilder::new(),
            text: StringBuilder::new(),
            sentiment: Float32Builder::new(),
            rating: Float32Builder::new(),
            rating_scale: StringBuilder::new(),
            emotion: Float32Builder::new(),
            value: Float64Builder::new(),
            wait_s: Float32Builder::new(),
            handle_s: Float32Builder::new(),
            resolved: BooleanBuilder::new(),
            abandoned: BooleanBuilder::new(),
            properties: StringBuilder::new(),
            rows: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one complete event.
    pub fn push(&mut self, event: &Event) {
        self.event_id.append_value(&event.event_id);
        self.ts.append_value(event.ts_us);
        self.received_at.append_value(event.received_at_us);
        self.customer.append_value(event.customer as i64);
        self.distinct_id.append_value(&event.distinct_id);
        self.touchpoint.append_value(&event.touchpoint);
        self.channel.append_value(&event.channel);
        self.stage.append_option(event.stage.as_deref());
        self.channel_kind
            .append_option(event.channel_kind.map(|k| k.as_str()));
        self.agent.append_option(event.agent.as_deref());
        self.text.append_option(event.text.as_deref());
        self.sentiment.append_option(event.sentiment);
        self.rating.append_option(event.rating);
        self.rating_scale
            .append_option(event.rating_scale.map(|s| s.as_str()));
        self.emotion.append_option(event.emotion);
        self.value.append_option(event.value);
        self.wait_s.append_option(event.wait_s);
        self.handle_s.append_option(event.handle_s);
        self.resolved.append_option(event.resolved);
        self.abandoned.append_option(event.abandoned);
        self.properties.append_option(event.properties.as_deref());
        self.rows += 1;
    }

    pub fn finish(&mut self) -> RecordBatch {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.event_id.finish()),
            Arc::new(self.ts.finish()),
            Arc::new(self.received_at.finish()),
            Arc::new(self.customer.finish()),
            Arc::new(self.distinct_id.finish()),
            Arc::new(self.touchpoint.finish()),
            Arc::new(self.channel.finish()),
            Arc::new(self.stage.finish()),
            Arc::new(self.channel_kind.finish()),
            Arc::new(self.agent.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.sentiment.finish()),
            Arc::new(self.rating.finish()),
            Arc::new(self.rating_scale.finish()),
            Arc::new(self.emotion.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.wait_s.finish()),
            Arc::new(self.handle_s.finish()),
            Arc::new(self.resolved.finish()),
            Arc::new(self.abandoned.finish()),
            Arc::new(self.properties.finish()),
        ];
        self.rows = 0;
        RecordBatch::try_new(model::event_schema(), columns)
            .expect("builders follow the event schema")
    }
}
