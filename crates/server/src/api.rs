//! The query API under `/api/`: the journey map, one touchpoint, funnels,
//! paths, variants, customers and their timelines, read-only SQL, and the
//! OpenAPI document. Every handler reads through the engine of the current
//! store version.

use crate::error::ApiError;
use crate::params::Params;
use crate::state::AppState;
use arrow::array::{Array, RecordBatch};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use engine::query::{FunnelMode, FunnelQuery, MapQuery, PathsQuery, VariantsQuery};
use serde_json::{Value, json};
use std::sync::Arc;

type ApiResult = Result<Json<Value>, ApiError>;

fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::internal(e.to_string()))
}

/// Rewrites every array of customer keys under these field names into
/// strings, so that JavaScript clients do not round 64-bit keys.
fn keys_as_strings(value: &mut Value, fields: &[&str]) {
    match value {
        Value::Object(map) => {
            for (name, inner) in map.iter_mut() {
                if fields.contains(&name.as_str())
                    && let Value::Array(items) = inner
                {
                    for item in items.iter_mut() {
                        if let Value::Number(n) = item {
                            *item = Value::String(n.to_string());
                        }
                    }
                } else {
                    keys_as_strings(inner, fields);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| keys_as_strings(v, fields)),
        _ => {}
    }
}

pub async fn meta(State(state): State<Arc<AppState>>) -> ApiResult {
    let engine = state.engine().await?;
    let definition = engine.definition();
    let catalog = engine.catalog();
    let touchpoints: Vec<Value> = catalog
        .touchpoints()
        .map(|(id, info)| {
            json!({
                "touchpoint": catalog.name(id),
                "stage": catalog.stages()[catalog.stage_of(id)],
                "channel": engine.store().names().touchpoints.get(catalog.name(id)),
                "kind": info.kind,
            })
        })
        .collect();
    let channels: Vec<Value> = engine
        .store()
        .names()
        .channels
        .keys()
        .map(|name| json!({"channel": name, "kind": definition.channel_kind(name)}))
        .collect();
    let personas: Vec<Value> = definition
        .personas
        .iter()
        .map(|p| json!({"name": p.name, "description": p.description}))
        .collect();
    let mut traits: Vec<&String> = engine.traits().values().flat_map(|t| t.keys()).collect();
    traits.sort();
    traits.dedup();
    let counts = engine
        .sql(
            "SELECT count(*) AS events, count(DISTINCT customer) AS customers, \
              min(ts) AS first, max(ts) AS last FROM events",
        )
        .await?;
    let number = |column: usize| -> Value {
        counts
            .first()
            .filter(|b| b.num_rows() > 0)
            .map_or(Value::Null, |batch| cell(batch.column(column).as_ref(), 0))
    };
    Ok(Json(json!({
        "stages": catalog.stages(),
        "cycle": definition.cycle,
        "personas": personas,
        "touchpoints": touchpoints,
        "channels": channels,
        "events": number(0),
        "customers": number(1),
        "from": number(2),
        "to": number(3),
        "traits": traits,
        "outcomes": {
            "purchase": definition.outcomes.purchase,
            "conversion": definition.outcomes.conversion,
            "repurchase_days": definition.outcomes.repurchase_days,
            "churn_days": definition.outcomes.churn_days,
            "recommendation": definition.outcomes.recommendation,
        },
    })))
}

pub async fn map(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let report = engine
        .map(&MapQuery {
            filters: params.filters(),
            collapse_repeats: params.bool("collapse_repeats")?,
        })
        .await?;
    Ok(Json(to_value(&report)?))
}

pub async fn variants(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let defaults = VariantsQuery::default();
    let engine = state.engine().await?;
    let variants = engine
        .variants(&VariantsQuery {
            filters: params.filters(),
            max_len: params.usize("max_len", defaults.max_len)?,
            top: params.usize("top", defaults.top)?,
            collapse_repeats: params.bool("collapse_repeats")?,
        })
        .await?;
    Ok(Json(to_value(&variants.variants)?))
}

pub async fn funnel(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let defaults = FunnelQuery::default();
    let steps = params.all("steps");
    if steps.is_empty() {
        return Err(ApiError::bad_parameter("steps: give at least two steps"));
    }
    let mode = match params.get("mode").unwrap_or("ordered") {
        "ordered" => FunnelMode::Ordered,
        "strict" => FunnelMode::Strict,
        "unordered" => FunnelMode::Unordered,
        other => {
            return Err(ApiError::bad_parameter(format!(
                "mode: {other:?} is not ordered, strict or unordered"
            )));
        }
    };
    let engine = state.engine().await?;
    let result = engine
        .funnel(&FunnelQuery {
            filters: params.filters(),
            steps,
            window: params.string("window").unwrap_or(defaults.window),
            mode,
            exclude: params.all("exclude"),
            breakdown: params.string("breakdown"),
            attribution: params.string("attribution").unwrap_or(defaults.attribution),
            customers: params.usize("customers", 50)?,
        })
        .await?;
    let mut value = to_value(&result)?;
    keys_as_strings(&mut value, &["customer_keys", "drop_off_keys"]);
    Ok(Json(value))
}

pub async fn paths(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let defaults = PathsQuery::default();
    let engine = state.engine().await?;
    let result = engine
        .paths(&PathsQuery {
            filters: params.filters(),
            start: params.string("start"),
            end: params.string("end"),
            steps: params.usize("max_steps", params.usize("steps", defaults.steps)?)?,
            edges: params.usize("max_edges", params.usize("edges", defaults.edges)?)?,
            session_gap: params.string("session_gap").unwrap_or(defaults.session_gap),
            clean: params.all("clean"),
            group: params.all("group"),
        })
        .await?;
    Ok(Json(to_value(&result)?))
}

/// SQL string literal with quotes doubled.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub async fn touchpoint(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    if engine.catalog().lookup(&name).is_none() {
        return Err(ApiError::not_found(
            "unknown_touchpoint",
            format!("no touchpoint named {name:?}"),
        ));
    }
    let report = engine
        .map(&MapQuery {
            filters: params.filters(),
            collapse_repeats: false,
        })
        .await?;
    let summary = report
        .map
        .touchpoints
        .iter()
        .find(|t| t.touchpoint == name)
        .map(to_value)
        .transpose()?
        .unwrap_or(json!({"touchpoint": name, "events": 0, "customers": 0}));
    let incoming: Vec<&journey::transitions::Transition> = report
        .graph
        .transitions
        .iter()
        .filter(|t| t.to == name)
        .collect();
    let outgoing: Vec<&journey::transitions::Transition> = report
        .graph
        .transitions
        .iter()
        .filter(|t| t.from == name)
        .collect();
    let feedback = rows(
        &engine
            .sql(&format!(
                "SELECT customer, ts, text, \
                 sentiment, rating, rating_scale FROM events \
                 WHERE touchpoint = {} AND text IS NOT NULL ORDER BY ts DESC LIMIT 50",
                quoted(&name)
            ))
            .await?,
    );
    let customers: Vec<Value> = engine
        .sql(&format!(
            "SELECT customer FROM events \
             WHERE touchpoint = {} GROUP BY customer ORDER BY count(*) DESC, customer LIMIT 50",
            quoted(&name)
        ))
        .await
        .map(|batches| rows(&batches))?
        .into_iter()
        .map(|row| row["customer"].clone())
        .collect();
    let mut value = summary;
    value["incoming"] = to_value(&incoming)?;
    value["outgoing"] = to_value(&outgoing)?;
    value["feedback"] = Value::Array(feedback);
    value["customer_keys"] = Value::Array(customers);
    Ok(Json(value))
}

pub async fn customers(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let limit = params.usize("limit", 20)?.clamp(1, 500);
    let engine = state.engine().await?;
    let condition = match params.get("q").map(str::trim).filter(|q| !q.is_empty()) {
        None => "TRUE".to_string(),
        Some(q) => {
            let like = quoted(&format!("{}%", q.replace(['%', '_'], "")));
            let mut keys: Vec<String> = engine
                .traits()
                .iter()
                .filter(|(_, traits)| traits.values().any(|v| v == q))
                .take(limit)
                .map(|(customer, _)| (*customer as i64).to_string())
                .collect();
            if let Ok(key) = q.parse::<u64>() {
                keys.push((key as i64).to_string());
            }
            let mut condition = format!("distinct_id LIKE {like}");
            if !keys.is_empty() {
                condition.push_str(&format!(" OR customer IN ({})", keys.join(",")));
            }
            condition
        }
    };
    let batches = engine
        .sql(&format!(
            "SELECT customer, \
             array_agg(DISTINCT distinct_id) AS distinct_ids, count(*) AS events, \
             min(ts) AS first_ts, max(ts) AS last_ts \
             FROM events WHERE {condition} GROUP BY customer \
             ORDER BY events DESC, customer LIMIT {limit}"
        ))
        .await?;
    Ok(Json(Value::Array(rows(&batches))))
}

pub async fn customer(
    State(state): State<Arc<AppState>>,
    Path(customer): Path<String>,
) -> ApiResult {
    let key: u64 = customer
        .parse()
        .map_err(|_| ApiError::bad_parameter(format!("{customer:?} is not a customer key")))?;
    let engine = state.engine().await?;
    let batches = engine
        .sql(&format!(
            "SELECT event_id, ts, distinct_id, touchpoint, channel, stage, agent, text, \
             sentiment, rating, rating_scale, emotion, value, wait_s, handle_s, resolved, \
             abandoned, properties FROM events WHERE customer = {} ORDER BY ts, event_id",
            key as i64
        ))
        .await?;
    let mut events = rows(&batches);
    if events.is_empty() {
        return Err(ApiError::not_found(
            "unknown_customer",
            format!("no events of customer {key}"),
        ));
    }
    let definition = engine.definition();
    let catalog = engine.catalog();
    let mut distinct_ids: Vec<String> = Vec::new();
    for event in &mut events {
        let touchpoint = event["touchpoint"].as_str().unwrap_or_default().to_string();
        let channel = event["channel"].as_str().unwrap_or_default().to_string();
        if event["stage"].is_null() {
            event["stage"] = json!(definition.stage_of(&touchpoint));
        }
        let kind = catalog
            .lookup(&touchpoint)
            .map(|id| catalog.info(id).kind)
            .unwrap_or_else(|| definition.channel_kind(&channel));
        event["kind"] = to_value(&kind)?;
        if let Some(id) = event["distinct_id"].as_str()
            && !distinct_ids.iter().any(|d| d == id)
        {
            distinct_ids.push(id.to_string());
        }
    }
    let traits = engine.traits().get(&key).cloned().unwrap_or_default();
    let mask = definition.persona_mask(&traits);
    let personas: Vec<&str> = definition
        .personas
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, p)| p.name.as_str())
        .collect();
    let identities = state.identities_of(key, &distinct_ids);
    Ok(Json(json!({
        "customer": key.to_string(),
        "distinct_ids": distinct_ids,
        "identities": identities,
        "traits": traits,
        "personas": personas,
        "events": events,
    })))
}

#[derive(serde::Deserialize)]
pub struct SqlBody {
    sql: String,
}

pub async fn sql(State(state): State<Arc<AppState>>, Json(body): Json<SqlBody>) -> ApiResult {
    let engine = state.engine().await?;
    let batches = engine.sql_read_only(&body.sql).await?;
    let columns: Vec<String> = batches
        .first()
        .map(|b| {
            b.schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<Value> = rows(&batches)
        .into_iter()
        .map(|row| match row {
            Value::Object(map) => Value::Array(map.into_iter().map(|(_, v)| v).collect()),
            other => other,
        })
        .collect();
    Ok(Json(json!({"columns": columns, "rows": rows})))
}

/// Every row of the batches as a JSON object, columns in schema order.
pub fn rows(batches: &[RecordBatch]) -> Vec<Value> {
    use arrow::array::AsArray;
    use arrow::datatypes::Int64Type;
    let mut out = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let mut object = serde_json::Map::new();
            for (index, field) in schema.fields().iter().enumerate() {
                let column = batch.column(index);
                let value = match (
                    field.name().as_str(),
                    column.as_primitive_opt::<Int64Type>(),
                ) {
                    // Customer keys are u64 stored as their i64 bit pattern.
                    ("customer", Some(keys)) if !keys.is_null(row) => {
                        Value::String((keys.value(row) as u64).to_string())
                    }
                    _ => cell(column.as_ref(), row),
                };
                object.insert(field.name().clone(), value);
            }
            out.push(Value::Object(object));
        }
    }
    out
}

/// One cell as JSON: numbers, booleans, strings, timestamps as ISO 8601,
/// lists as arrays, nulls as null.
pub fn cell(array: &dyn Array, row: usize) -> Value {
    use arrow::array::AsArray;
    use arrow::datatypes::{DataType, TimeUnit, *};
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Boolean => json!(array.as_boolean().value(row)),
        DataType::Int8 => json!(array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => json!(array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => json!(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => json!(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => json!(array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => json!(array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => json!(array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => json!(array.as_primitive::<UInt64Type>().value(row).to_string()),
        DataType::Float32 => finite(f64::from(array.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => finite(array.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => json!(array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => json!(array.as_string::<i64>().value(row)),
        DataType::Utf8View => json!(array.as_string_view().value(row)),
        DataType::Timestamp(unit, _) => {
            let us = match unit {
                TimeUnit::Second => array
                    .as_primitive::<TimestampSecondType>()
                    .value(row)
                    .saturating_mul(1_000_000),
                TimeUnit::Millisecond => array
                    .as_primitive::<TimestampMillisecondType>()
                    .value(row)
                    .saturating_mul(1_000),
                TimeUnit::Microsecond => {
                    array.as_primitive::<TimestampMicrosecondType>().value(row)
                }
                TimeUnit::Nanosecond => {
                    array.as_primitive::<TimestampNanosecondType>().value(row) / 1_000
                }
            };
            json!(model::format_timestamp(us))
        }
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_any_dictionary();
            let key = dictionary.normalized_keys()[row];
            cell(dictionary.values().as_ref(), key)
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>().value(row);
            Value::Array((0..list.len()).map(|i| cell(list.as_ref(), i)).collect())
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>().value(row);
            Value::Array((0..list.len()).map(|i| cell(list.as_ref(), i)).collect())
        }
        _ => match arrow::util::display::array_value_to_string(array, row) {
            Ok(text) => json!(text),
            Err(_) => Value::Null,
        },
    }
}

fn finite(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn periods_of(params: &Params) -> Result<engine::returning::PeriodsText, ApiError> {
    let defaults = engine::returning::PeriodsText::default();
    Ok(engine::returning::PeriodsText {
        period: params.string("period").unwrap_or(defaults.period),
        periods: params.usize("periods", defaults.periods)?,
        from: params.string("from"),
    })
}

/// Filters without the time range: the return journey reads whole
/// histories and takes `from` as the start of period 0.
fn history_filters(params: &Params) -> engine::query::Filters {
    engine::query::Filters {
        from: None,
        to: None,
        ..params.filters()
    }
}

pub async fn retention(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let report = engine
        .retention(&engine::returning::RetentionQuery {
            filters: history_filters(&params),
            start: params.all("start"),
            returning: params.all("return"),
            retention_type: params.string("retention_type").unwrap_or_default(),
            periods: periods_of(&params)?,
            cumulative: params.bool("cumulative")?,
            reference: params.string("reference").unwrap_or_default(),
        })
        .await?;
    Ok(Json(to_value(&report)?))
}

pub async fn lifecycle(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let report = engine
        .lifecycle(&engine::returning::LifecycleQuery {
            filters: history_filters(&params),
            touchpoints: params.all("touchpoint"),
            periods: periods_of(&params)?,
        })
        .await?;
    Ok(Json(to_value(&report)?))
}

pub async fn stickiness(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let report = engine
        .stickiness(&engine::returning::StickinessQuery {
            filters: history_filters(&params),
            touchpoints: params.all("touchpoint"),
            periods: periods_of(&params)?,
        })
        .await?;
    Ok(Json(to_value(&report)?))
}

pub async fn repeat(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let report = engine
        .repeat(&engine::returning::RepeatQuery {
            filters: history_filters(&params),
            purchase: params.all("purchase"),
            referral: params.all("referral"),
            loyalty_stage: params.string("loyalty_stage"),
            advocacy_stage: params.string("advocacy_stage"),
        })
        .await?;
    Ok(Json(to_value(&report)?))
}

pub async fn contacts(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let defaults = engine::contacts::ContactsQuery::default();
    let by = params.all("by");
    let report = engine
        .contacts(&engine::contacts::ContactsQuery {
            filters: params.filters(),
            by: if by.is_empty() { defaults.by } else { by },
            interval: params.string("interval").unwrap_or(defaults.interval),
            answer_within: params.string("answer_within"),
            short_abandon: params
                .string("short_abandon")
                .unwrap_or(defaults.short_abandon),
            repeat_window: params.string("repeat_window"),
        })
        .await?;
    Ok(Json(to_value(&report)?))
}

pub async fn handovers(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let window = params.string("window").unwrap_or_else(|| "15m".into());
    let report = engine.handovers(&params.filters(), &window).await?;
    Ok(Json(to_value(&report)?))
}

pub async fn staff_erlang(RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let defaults = engine::contacts::ErlangQuery::default();
    let arrivals = params
        .f64("arrivals")?
        .ok_or_else(|| ApiError::bad_parameter("arrivals: required".to_string()))?;
    let agents = match params.get("agents") {
        None => None,
        Some(_) => Some(
            u32::try_from(params.usize("agents", 0)?)
                .map_err(|_| ApiError::bad_parameter("agents: too many".to_string()))?,
        ),
    };
    let report = engine::contacts::erlang(&engine::contacts::ErlangQuery {
        model: params.string("model").unwrap_or(defaults.model),
        arrivals,
        interval: params.string("interval").unwrap_or(defaults.interval),
        aht: params.string("aht").unwrap_or(defaults.aht),
        service_level: params
            .f64("service_level")?
            .unwrap_or(defaults.service_level),
        answer_within: params
            .string("answer_within")
            .unwrap_or(defaults.answer_within),
        patience: params.string("patience"),
        max_asa: params.string("max_asa"),
        shrinkage: params.f64("shrinkage")?.unwrap_or(defaults.shrinkage),
        max_occupancy: params
            .f64("max_occupancy")?
            .unwrap_or(defaults.max_occupancy),
        agents,
    })?;
    Ok(Json(to_value(&report)?))
}

pub async fn staff_plan(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let defaults = engine::contacts::StaffPlanQuery::default();
    let report = engine
        .staff_plan(&engine::contacts::StaffPlanQuery {
            filters: params.filters(),
            queues: params.all("queue"),
            interval: params.string("interval").unwrap_or(defaults.interval),
            weeks: params.usize("weeks", defaults.weeks)?,
            horizon: params.string("horizon").unwrap_or(defaults.horizon),
            model: params.string("model").unwrap_or(defaults.model),
            service_level: params.f64("service_level")?,
            answer_within: params.string("answer_within"),
            shrinkage: params.f64("shrinkage")?.unwrap_or(defaults.shrinkage),
            max_occupancy: params
                .f64("max_occupancy")?
                .unwrap_or(defaults.max_occupancy),
        })
        .await?;
    Ok(Json(to_value(&report)?))
}

pub async fn agents(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let report = engine
        .agents(&engine::agents::AgentsQuery {
            from: params.string("from"),
            to: params.string("to"),
            team: params.string("team"),
        })
        .await?;
    Ok(Json(to_value(&report)?))
}

pub async fn agent_timeline(
    State(state): State<Arc<AppState>>,
    Path(agent): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let (Some(from), Some(to)) = (params.string("from"), params.string("to")) else {
        return Err(ApiError::bad_parameter("from and to are required"));
    };
    let timeline = engine.agent_timeline(&agent, &from, &to).await?;
    Ok(Json(to_value(&timeline)?))
}

pub async fn alerts(State(state): State<Arc<AppState>>) -> ApiResult {
    Ok(Json(state.live.snapshot()))
}

pub async fn value(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref());
    let engine = state.engine().await?;
    let report = engine
        .value(&engine::returning::ValueQuery {
            filters: history_filters(&params),
            purchase: params.all("purchase"),
            calibration_end: params.string("calibration_end"),
            period: params.string("period").unwrap_or_default(),
            limit: params.usize("limit", 200)?,
        })
        .await?;
    let mut value = to_value(&report)?;
    if let Some(ranked) = value["slipping_away"]["ranked"].as_array_mut() {
        for row in ranked {
            if let Some(n) = row["customer"].as_u64() {
                row["customer"] = json!(n.to_string());
            }
        }
    }
    Ok(Json(value))
}

pub async fn insight(
    State(state): State<Arc<AppState>>,
    Path(kind): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let params = Params::parse(query.as_deref());
    if !engine::insights::INSIGHTS.contains(&kind.as_str()) {
        return Err(ApiError::not_found(
            "unknown_insight",
            format!(
                "no insight {kind:?}; use one of {}",
                engine::insights::INSIGHTS.join(", ")
            ),
        ));
    }
    // A trait's values as personas need an engine of their own.
    let engine = match params.string("persona_trait") {
        None => state.engine().await?,
        Some(name) => {
            let mut engine = engine::Engine::open(&state.options.data_dir)
                .await
                .map_err(|e| ApiError::unavailable(format!("cannot open the store: {e}")))?;
            engine.use_trait_personas(&name)?;
            Arc::new(engine)
        }
    };
    let days = match params.get("days") {
        Some(_) => Some(params.usize("days", 0)? as u32),
        None => None,
    };
    let mut value = engine
        .insight(&engine::insights::InsightsQuery {
            filters: params.filters(),
            insight: kind.clone(),
            outcome: params.string("outcome"),
            outcome_touchpoint: params.string("outcome_touchpoint"),
            days,
        })
        .await?;
    // The uniform ranked findings beside the kernel's report.
    let findings = engine::findings::findings(&kind, &value);
    if let Value::Object(map) = &mut value {
        map.insert("findings".into(), Value::Array(findings));
    }
    Ok(Json(value))
}
