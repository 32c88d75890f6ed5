//! Turning source rows of any shape into stored events: the column mapping,
//! value parsing (timestamps, numbers, booleans) and the Arrow builders of
//! the event schema. A row either converts completely or is rejected with a
//! reason; nothing partial is kept.

use anyhow::Context;
use model::time::{epoch_to_us, parse_timestamp};
use model::{Event, RatingScale};
use serde::Deserialize;

/// One source value, borrowed from the row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Already a timestamp, µs since the epoch.
    TimestampUs(i64),
}

impl<'a> Value<'a> {
    fn as_text(self) -> Option<std::borrow::Cow<'a, str>> {
        match self {
            Value::Null => None,
            Value::Str("") => None,
            Value::Str(s) => Some(std::borrow::Cow::Borrowed(s)),
            Value::Int(i) => Some(i.to_string().into()),
            Value::Float(f) => Some(f.to_string().into()),
            Value::Bool(b) => Some(b.to_string().into()),
            Value::TimestampUs(t) => Some(t.to_string().into()),
        }
    }
}

/// Which source column feeds which event field. Unset fields are
/// auto-detected from common names.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mapping {
    pub customer: Option<String>,
    pub time: Option<String>,
    pub touchpoint: Option<String>,
    pub channel: Option<String>,
    pub event_id: Option<String>,
}

/// The fields of an event, in the order `Resolved::indices` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Customer,
    Time,
    Touchpoint,
    Channel,
    EventId,
    ReceivedAt,
    Stage,
    ChannelKind,
    Agent,
    Text,
    Sentiment,
    Rating,
    RatingScale,
    Emotion,
    Value,
    WaitS,
    HandleS,
    Resolved,
    Abandoned,
    Properties,
}

const FIELDS: [(Field, &[&str]); 20] = [
    (
        Field::Customer,
        &[
            "customer_id",
            "customer",
            "user_id",
            "userid",
            "distinct_id",
            "person_id",
            "case_id",
            "case:concept:name",
            "client_id",
            "contact_id",
            "anonymous_id",
            "anonymousid",
        ],
    ),
    (
        Field::Time,
        &[
            "timestamp",
            "ts",
            "time",
            "event_time",
            "occurred_at",
            "created_at",
            "datetime",
            "time:timestamp",
            "date",
        ],
    ),
    (
        Field::Touchpoint,
        &[
            "touchpoint",
            "event",
            "event_name",
            "activity",
            "concept:name",
            "action",
            "step",
            "name",
        ],
    ),
    (
        Field::Channel,
        &["channel", "medium", "channel_name", "source"],
    ),
    (
        Field::EventId,
        &["event_id", "message_id", "messageid", "uuid", "id"],
    ),
    (Field::ReceivedAt, &["received_at", "receivedat"]),
    (Field::Stage, &["stage"]),
    (Field::ChannelKind, &["channel_kind", "kind"]),
    (Field::Agent, &["agent", "agent_id"]),
    (Field::Text, &["text", "comment", "feedback", "message"]),
    (Field::Sentiment, &["sentiment"]),
    (Field::Rating, &["rating", "score"]),
    (Field::RatingScale, &["rating_scale", "scale"]),
    (Field::Emotion, &["emotion"]),
    (Field::Value, &["value", "revenue", "amount"]),
    (Field::WaitS, &["wait_s", "wait"]),
    (Field::HandleS, &["handle_s", "handle"]),
    (Field::Resolved, &["resolved"]),
    (Field::Abandoned, &["abandoned"]),
    (Field::Properties, &["properties"]),
];

/// A mapping resolved against one file's header: the column index of each
/// field, and the columns left over (they go into `properties`).
#[derive(Debug, Clone)]
pub struct Resolved {
    pub indices: [Option<usize>; 20],
    pub leftover: Vec<(usize, String)>,
}

impl Resolved {
    pub fn new(header: &[String], mapping: &Mapping) -> anyhow::Result<Resolved> {
        let find = |name: &str| header.iter().position(|h| h == name);
        let find_ci = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let mut indices = [None; 20];
        let explicit = [
            (Field::Customer, &mapping.customer, "--customer"),
            (Field::Time, &mapping.time, "--time"),
            (Field::Touchpoint, &mapping.touchpoint, "--touchpoint"),
            (Field::Channel, &mapping.channel, "--channel"),
            (Field::EventId, &mapping.event_id, "--event-id"),
        ];
        for (field, column, flag) in explicit {
            if let Some(column) = column {
                let index = find(column).with_context(|| {
                    format!(
                        "{flag} {column:?}: no such column (columns: {})",
                        header.join(", ")
                    )
                })?;
                indices[field as usize] = Some(index);
            }
        }
        let mut used: Vec<usize> = indices.iter().flatten().copied().collect();
        for (field, candidates) in FIELDS {
            if indices[field as usize].is_some() {
                continue;
            }
            let found = candidates
                .iter()
                .filter_map(|c| find_ci(c))
                .find(|i| !used.contains(i));
            if let Some(index) = found {
                indices[field as usize] = Some(index);
                used.push(index);
            }
        }
        for (field, flag) in [
            (Field::Customer, "--customer"),
            (Field::Time, "--time"),
            (Field::Touchpoint, "--touchpoint"),
        ] {
            if indices[field as usize].is_none() {
                anyhow::bail!(
                    "cannot find the {field:?} column among [{}]; name it with {flag} COLUMN",
                    header.join(", ")
                );
            }
        }
        let leftover = header
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.contains(i))
            .map(|(i, name)| (i, name.clone()))
            .collect();
        Ok(Resolved { indices, leftover })
    }

    pub fn get(&self, field: Field) -> Option<usize> {
        self.indices[field as usize]
    }
}

fn parse_f64(value: Value<'_>, what: &str) -> Result<Option<f64>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Str(s) if s.trim().is_empty() => Ok(None),
        Value::Str(s) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("{what} {s:?} is not a number")),
        Value::Int(i) => Ok(Some(i as f64)),
        Value::Float(f) => Ok(Some(f)),
        Value::Bool(_) | Value::TimestampUs(_) => Err(format!("{what} is not a number")),
    }
}

fn parse_bool(value: Value<'_>, what: &str) -> Result<Option<bool>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::Int(i) => Ok(Some(i != 0)),
        Value::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "t" | "yes" | "y" | "1" => Ok(Some(true)),
            "false" | "f" | "no" | "n" | "0" => Ok(Some(false)),
            other => Err(format!("{what} {other:?} is not true/false")),
        },
        _ => Err(format!("{what} is not true/false")),
    }
}

fn parse_time(value: Value<'_>) -> Result<i64, String> {
    match value {
        Value::TimestampUs(us) => Ok(us),
        Value::Int(i) => epoch_to_us(i as f64).ok_or_else(|| format!("timestamp {i} out of range")),
        Value::Float(f) => epoch_to_us(f).ok_or_else(|| format!("timestamp {f} out of range")),
        Value::Str(s) => parse_timestamp(s),
        Value::Null | Value::Bool(_) => Err("missing timestamp".into()),
    }
}

/// A 128-bit content hash in hex, for rows without an event id: the same
/// row always gets the same id, so re-importing a file adds nothing.
pub fn content_id(parts: &[&str]) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(&[0x1f]);
    }
    format!("h{:032x}", hasher.digest128())
}

/// Builds an event from one source row; `get` returns the value of a
/// column index. `raw_key` identifies the row's content for a generated id.
pub fn event_from_row<'a>(
    resolved: &Resolved,
    get: &dyn Fn(usize) -> Value<'a>,
    raw_key: &dyn Fn() -> String,
) -> Result<Event, String> {
    let field = |f: Field| resolved.get(f).map_or(Value::Null, get);
    let text = |f: Field| {
        field(f)
            .as_text()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let distinct_id = text(Field::Customer).ok_or("missing customer id")?;
    let touchpoint = text(Field::Touchpoint).ok_or("missing touchpoint")?;
    let ts_us = parse_time(field(Field::Time))?;
    let received_at_us = match field(Field::ReceivedAt) {
        Value::Null => ts_us,
        value => parse_time(value)?,
    };
    let channel = text(Field::Channel).unwrap_or_else(|| "unknown".to_string());
    let event_id = text(Field::EventId).unwrap_or_else(raw_key);
    let rating_scale = match text(Field::RatingScale) {
        None => None,
        Some(name) => Some(
            RatingScale::parse(&name)
                .ok_or_else(|| format!("unknown rating_scale {name:?} (csat_5, nps_10, ces_7)"))?,
        ),
    };
    let rating = parse_f64(field(Field::Rating), "rating")?.map(|r| r as f32);
    let emotion = parse_f64(field(Field::Emotion), "emotion")?.map(|e| e as f32);
    if emotion.is_some_and(|e| !(-1.0..=1.0).contains(&e)) {
        return Err("emotion outside [-1, 1]".into());
    }
    let text_value = text(Field::Text);
    // Text is scored at ingest (customer-service mode) unless the source
    // already carries a sentiment.
    let sentiment = match parse_f64(field(Field::Sentiment), "sentiment")? {
        Some(given) => Some(given as f32),
        None => text_value
            .as_deref()
            .map(|t| text::sentiment(t, text::Mode::Service).compound as f32),
    };
    let rating_emotion = match (rating, rating_scale) {
        (Some(rating), Some(scale)) => Some(
            scale
                .to_emotion(rating)
                .ok_or_else(|| format!("rating {rating} outside the {} scale", scale.as_str()))?,
        ),
        _ => None,
    };
    let properties = match text(Field::Properties) {
        Some(json) => Some(json),
        None => leftover_properties(resolved, get),
    };
    Ok(Event {
        customer: Event::customer_key(&distinct_id),
        event_id,
        ts_us,
        received_at_us,
        distinct_id,
        touchpoint,
        channel,
        stage: text(Field::Stage),
        channel_kind: match text(Field::ChannelKind) {
            None => None,
            Some(kind) => Some(
                model::ChannelKind::parse(&kind)
                    .ok_or_else(|| format!("unknown channel_kind {kind:?}"))?,
            ),
        },
        agent: text(Field::Agent),
        text: text_value,
        sentiment,
        rating,
        rating_scale,
        emotion: emotion.or(rating_emotion).or(sentiment),
        value: parse_f64(field(Field::Value), "value")?,
        wait_s: parse_f64(field(Field::WaitS), "wait_s")?.map(|v| v as f32),
        handle_s: parse_f64(field(Field::HandleS), "handle_s")?.map(|v| v as f32),
        resolved: parse_bool(field(Field::Resolved), "resolved")?,
        abandoned: parse_bool(field(Field::Abandoned), "abandoned")?,
        properties,
    })
}

/// Columns the mapping does not use, as a JSON object (none → `None`).
fn leftover_properties<'a>(
    resolved: &Resolved,
    get: &dyn Fn(usize) -> Value<'a>,
) -> Option<String> {
    let mut object = serde_json::Map::new();
    for (index, name) in &resolved.leftover {
        let value = match get(*index) {
            Value::Null => continue,
            Value::Str("") => continue,
            Value::Str(s) => serde_json::Value::from(s),
            Value::Int(i) => serde_json::Value::from(i),
            Value::Float(f) => serde_json::Value::from(f),
            Value::Bool(b) => serde_json::Value::from(b),
            Value::TimestampUs(t) => serde_json::Value::from(t),
        };
        object.insert(name.clone(), value);
    }
    (!object.is_empty()).then(|| serde_json::Value::Object(object).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let check = |text: &str, expected: Result<i64, ()>| {
            assert_eq!(parse_timestamp(text).map_err(|_| ()), expected, "{text}");
        };
        check("1970-01-01T00:00:00Z", Ok(0));
        check("1970-01-02", Ok(86_400_000_000));
        check("2024-02-29T12:30:15.5Z", Ok(1_709_209_815_500_000));
        check("2024-02-29 12:30:15.500", Ok(1_709_209_815_500_000));
        check("2024-02-29T14:30:15.5+02:00", Ok(1_709_209_815_500_000));
        check("2024-02-29T07:30:15.5-0500", Ok(1_709_209_815_500_000));
        check("1709209815.5", Ok(1_709_209_815_500_000));
        check("1709209815500", Ok(1_709_209_815_500_000));
        check("1709209815500000", Ok(1_709_209_815_500_000));
        check("2024-13-01", Err(()));
        check("yesterday", Err(()));
        check("", Err(()));
        check("2024-01-01T10:00:00Zjunk", Err(()));
    }

    #[test]
    fn civil_days_match_known_dates() {
        use model::time::days_from_civil;
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn mapping_detects_common_names() {
        let resolved = Resolved::new(
            &header(&["user_id", "timestamp", "event", "channel", "plan"]),
            &Mapping::default(),
        )
        .expect("detectable");
        assert_eq!(resolved.get(Field::Customer), Some(0));
        assert_eq!(resolved.get(Field::Time), Some(1));
        assert_eq!(resolved.get(Field::Touchpoint), Some(2));
        assert_eq!(resolved.get(Field::Channel), Some(3));
        assert_eq!(resolved.leftover, vec![(4, "plan".to_string())]);
        let error =
            Resolved::new(&header(&["who", "when"]), &Mapping::default()).expect_err("no customer");
        assert!(error.to_string().contains("--customer"), "{error}");
        let explicit = Mapping {
            customer: Some("who".into()),
            time: Some("when".into()),
            touchpoint: Some("what".into()),
            ..Mapping::default()
        };
        let resolved =
            Resolved::new(&header(&["who", "when", "what"]), &explicit).expect("explicit");
        assert_eq!(resolved.get(Field::Touchpoint), Some(2));
        let missing = Mapping {
            customer: Some("nope".into()),
            ..Mapping::default()
        };
        assert!(Resolved::new(&header(&["who"]), &missing).is_err());
    }

    #[test]
    fn rows_convert_or_reject_with_reason() {
        let resolved = Resolved::new(
            &header(&[
                "customer_id",
                "ts",
                "touchpoint",
                "rating",
                "rating_scale",
                "resolved",
            ]),
            &Mapping::default(),
        )
        .expect("detectable");
        let convert = |row: [&'static str; 6]| {
            event_from_row(&resolved, &|i| Value::Str(row[i]), &|| content_id(&row))
        };
        let event =
            convert(["c1", "2024-01-01", "survey", "5", "csat_5", "yes"]).expect("valid row");
        assert_eq!(event.emotion, Some(1.0));
        assert_eq!(event.resolved, Some(true));
        assert_eq!(event.channel, "unknown");
        assert!(event.event_id.starts_with('h'));
        let check_reject = |row: [&'static str; 6], needle: &str| {
            let reason = convert(row).expect_err("invalid row");
            assert!(reason.contains(needle), "{reason:?} lacks {needle:?}");
        };
        check_reject(["", "2024-01-01", "survey", "", "", ""], "customer");
        check_reject(["c1", "soon", "survey", "", "", ""], "timestamp");
        check_reject(["c1", "2024-01-01", "survey", "9", "csat_5", ""], "outside");
        check_reject(
            ["c1", "2024-01-01", "survey", "x", "csat_5", ""],
            "not a number",
        );
        check_reject(
            ["c1", "2024-01-01", "survey", "", "", "maybe"],
            "true/false",
        );
        check_reject(["c1", "2024-01-01", "", "", "", ""], "touchpoint");
    }
}
