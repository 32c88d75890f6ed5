//! The query API: auth, each endpoint against the engine, errors.

use crate::{call, fixture};
use axum::http::StatusCode;
use engine::query::{FunnelQuery, MapQuery};
use serde_json::json;

#[tokio::test]
async fn keys_guard_the_query_api() {
    let f = fixture(50).await;
    let (status, content_type, body) = call(&f.state, "GET", "/api/map", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["code"], "unauthorized");
    let (status, _, body) = call(&f.state, "GET", "/api/map", Some(&f.write_key), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden");
    let (status, _, _) = call(&f.state, "GET", "/api/map", Some("tp_read_guess"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = call(&f.state, "GET", "/api/map", Some(&f.read_key), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn map_and_funnel_agree_with_the_engine() {
    let f = fixture(300).await;
    let engine = engine::Engine::open(f.dir.path()).await.expect("engine");
    let expected =
        serde_json::to_value(engine.map(&MapQuery::default()).await.expect("map")).expect("json");
    let (status, _, body) = call(&f.state, "GET", "/api/map", Some(&f.read_key), None).await;
    assert_eq!(status, StatusCode::OK);
    // Means merge partial sums in any order, so floats agree to rounding.
    assert_eq!(rounded(&body), rounded(&expected));
    assert_eq!(body["customers"], 300);

    let persona = "older_55_plus";
    let filtered = engine
        .map(&MapQuery {
            filters: engine::query::Filters {
                persona: Some(persona.into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await
        .expect("persona map");
    let (_, _, body) = call(
        &f.state,
        "GET",
        &format!("/api/map?persona={persona}"),
        Some(&f.read_key),
        None,
    )
    .await;
    assert_eq!(body["customers"], filtered.map.customers);
    assert!(filtered.map.customers < 300);

    let steps = "product_page,cart,checkout";
    let funnel = engine
        .funnel(&FunnelQuery {
            steps: vec![steps.into()],
            window: "7d".into(),
            ..Default::default()
        })
        .await
        .expect("funnel");
    let (status, _, body) = call(
        &f.state,
        "GET",
        &format!("/api/funnel?steps={steps}&window=7d"),
        Some(&f.read_key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for (i, step) in funnel.steps.iter().enumerate() {
        assert_eq!(body["steps"][i]["customers"], step.customers);
        assert_eq!(body["steps"][i]["touchpoint"], step.touchpoint.as_str());
    }
    let first_key = &body["steps"][0]["customer_keys"][0];
    assert!(first_key.is_string(), "customer keys travel as strings");
}

#[tokio::test]
async fn bad_parameters_are_problems() {
    let f = fixture(30).await;
    let cases = [
        ("/api/funnel", "bad_parameter"),
        ("/api/funnel?steps=product_page,nowhere", "bad_parameter"),
        (
            "/api/funnel?steps=product_page,cart&mode=sideways",
            "bad_parameter",
        ),
        (
            "/api/funnel?steps=product_page,cart&window=soon",
            "bad_parameter",
        ),
        ("/api/map?persona=martians", "bad_parameter"),
        ("/api/map?from=yesterday", "bad_parameter"),
        ("/api/variants?top=many", "bad_parameter"),
        ("/api/paths?clean=noequals", "bad_parameter"),
        ("/api/touchpoints/nowhere", "unknown_touchpoint"),
        ("/api/customers/notanumber", "bad_parameter"),
        ("/api/customers/12345", "unknown_customer"),
    ];
    for (uri, code) in cases {
        let (status, content_type, body) =
            call(&f.state, "GET", uri, Some(&f.read_key), None).await;
        assert!(status.is_client_error(), "{uri}: {status}");
        assert_eq!(content_type, "application/problem+json", "{uri}");
        assert_eq!(body["code"], code, "{uri}: {body}");
        assert!(!body["detail"].as_str().unwrap_or("").is_empty(), "{uri}");
    }
}

#[tokio::test]
async fn customers_touchpoints_variants_paths() {
    let f = fixture(120).await;
    let key = &f.read_key;
    let (status, _, list) = call(&f.state, "GET", "/api/customers?limit=5", Some(key), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().expect("array").len(), 5);
    let customer = list[0]["customer"]
        .as_str()
        .expect("key as string")
        .to_string();
    let (status, _, timeline) = call(
        &f.state,
        "GET",
        &format!("/api/customers/{customer}"),
        Some(key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let events = timeline["events"].as_array().expect("events");
    assert_eq!(
        events.len() as u64,
        list[0]["events"].as_u64().expect("count")
    );
    let times: Vec<&str> = events
        .iter()
        .map(|e| e["ts"].as_str().expect("ts"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "timeline in order");
    assert!(
        events
            .iter()
            .all(|e| e["stage"].is_string() && e["kind"].is_string())
    );
    let distinct = timeline["distinct_ids"][0]
        .as_str()
        .expect("identity")
        .to_string();
    let (_, _, found) = call(
        &f.state,
        "GET",
        &format!("/api/customers?q={distinct}"),
        Some(key),
        None,
    )
    .await;
    assert_eq!(found[0]["customer"], customer.as_str());

    let (status, _, touchpoint) = call(
        &f.state,
        "GET",
        "/api/touchpoints/product_page",
        Some(key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(touchpoint["events"].as_u64().expect("events") > 0);
    assert!(
        !touchpoint["outgoing"]
            .as_array()
            .expect("outgoing")
            .is_empty()
    );
    let tp_key = touchpoint["customer_keys"][0]
        .as_str()
        .expect("customer keys travel as strings")
        .to_string();
    let (status, _, _) = call(
        &f.state,
        "GET",
        &format!("/api/customers/{tp_key}"),
        Some(key),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a listed customer opens");

    let (status, _, variants) = call(&f.state, "GET", "/api/variants?top=3", Some(key), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(variants.as_array().expect("variants").len(), 3);
    let (status, _, paths) = call(&f.state, "GET", "/api/paths?max_steps=3", Some(key), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!paths["edges"].as_array().expect("edges").is_empty());
}

#[tokio::test]
async fn sql_is_read_only() {
    let f = fixture(20).await;
    let key = Some(f.read_key.as_str());
    let (status, _, body) = call(
        &f.state,
        "POST",
        "/api/sql",
        key,
        Some(json!({"sql": "SELECT count(*) AS n FROM events"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["columns"], json!(["n"]));
    assert!(body["rows"][0][0].as_u64().expect("count") > 0);
    for statement in [
        "CREATE TABLE t AS SELECT 1",
        "INSERT INTO events SELECT * FROM events",
        "SET datafusion.execution.batch_size = 1",
        "DROP TABLE events",
    ] {
        let (status, _, body) = call(
            &f.state,
            "POST",
            "/api/sql",
            key,
            Some(json!({ "sql": statement })),
        )
        .await;
        assert!(status.is_client_error(), "{statement}: {status} {body}");
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let f = fixture(20).await;
    let document = server::openapi_document();
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.len() >= 10);
    for (path, operations) in paths {
        for method in operations.as_object().expect("operations").keys() {
            let uri = path
                .replace("{name}", "product_page")
                .replace("{customer}", "1")
                .replace("{call}", "track")
                .replace("{kind}", "emotion")
                .replace("{agent}", "agent_1");
            let body = (method == "post").then(|| json!({"sql": "SELECT 1"}));
            let (status, _, answer) = call(
                &f.state,
                &method.to_uppercase(),
                &uri,
                Some(&f.read_key),
                body,
            )
            .await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            // A routed handler may answer 404 with a problem document (no
            // such customer, no agent events); a missing route has none.
            assert!(
                status != StatusCode::NOT_FOUND || answer["code"].is_string(),
                "{method} {path}: {status}"
            );
        }
    }
}

#[tokio::test]
async fn return_journey_endpoints_answer_with_the_kernels_numbers() {
    let f = fixture(400).await;
    let key = Some(f.read_key.as_str());
    let (status, _, retention) = call(
        &f.state,
        "GET",
        "/api/retention?start=order_placed&return=order_placed&period=month&periods=6",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{retention}");
    let all = &retention["groups"][0];
    assert_eq!(all["group"], "all");
    let cohorts = all["cohorts"].as_array().expect("cohorts");
    assert!(!cohorts.is_empty());
    for (i, cohort) in cohorts.iter().enumerate() {
        let values = cohort["values"].as_array().expect("values");
        assert_eq!(values.len(), 6 - i, "a triangle");
        assert_eq!(values[0], cohort["size"]);
    }
    let (status, _, lifecycle) = call(
        &f.state,
        "GET",
        "/api/lifecycle?period=month&periods=4",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{lifecycle}");
    assert_eq!(
        lifecycle["groups"][0]["periods"]
            .as_array()
            .expect("periods")
            .len(),
        4
    );

    let (status, _, sticky) = call(
        &f.state,
        "GET",
        "/api/stickiness?period=week&periods=3",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sticky}");
    for period in sticky["groups"][0]["periods"].as_array().expect("periods") {
        let by_days = period["customers_by_active_days"].as_array().expect("days");
        assert_eq!(by_days.len(), 7, "a week has seven bars");
        let sum: u64 = by_days.iter().map(|n| n.as_u64().expect("count")).sum();
        assert_eq!(sum, period["customers"].as_u64().expect("customers"));
    }
    let (status, _, repeat) = call(&f.state, "GET", "/api/repeat", key, None).await;
    assert_eq!(status, StatusCode::OK, "{repeat}");
    let all = &repeat["groups"][0];
    assert_eq!(all["group"], "all");
    let purchasers = all["purchasers"].as_u64().expect("purchasers");
    let repeaters = all["repeat_purchasers"].as_u64().expect("repeaters");
    assert!(purchasers > 0 && repeaters <= purchasers, "{all}");
    let rate = all["repurchase_rate"].as_f64().expect("rate");
    assert!((rate - repeaters as f64 / purchasers as f64).abs() < 1e-12);
    assert!(
        all["loyalty_share"].is_number(),
        "retail has a loyalty stage"
    );
    assert!(all["advocacy_share"].is_null(), "and no advocacy stage");
    let (status, _, body) = call(
        &f.state,
        "GET",
        "/api/repeat?loyalty_stage=nirvana",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, _, value) = call(&f.state, "GET", "/api/value?limit=5", key, None).await;
    assert_eq!(status, StatusCode::OK, "{value}");
    assert!(value["customers"].as_u64().expect("customers") > 50);
    for name in ["r", "alpha", "a", "b"] {
        assert!(
            value["bgnbd"][name].as_f64().expect("parameter") > 0.0,
            "{name}"
        );
    }
    assert!(value["outlooks"].as_array().expect("outlooks").len() <= 5);
    let (status, _, body) = call(
        &f.state,
        "GET",
        "/api/retention?period=fortnight",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "bad_parameter");
}

#[tokio::test]
async fn insights_answer_with_names() {
    let f = fixture(600).await;
    let key = Some(f.read_key.as_str());
    let (status, _, pain) = call(&f.state, "GET", "/api/insights/pain-points", key, None).await;
    assert_eq!(status, StatusCode::OK, "{pain}");
    let points = pain["points"].as_array().expect("points");
    assert!(!points.is_empty());
    assert!(
        points[0]["touchpoint"].is_string(),
        "names, not ids: {}",
        points[0]
    );
    let (status, _, moments) = call(
        &f.state,
        "GET",
        "/api/insights/moments?outcome=repurchase",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moments}");
    let (status, _, body) = call(&f.state, "GET", "/api/insights/horoscope", key, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "unknown_insight");

    // Every insight carries the uniform ranked findings, and no id leaks
    // where a name belongs.
    fn names_only(value: &serde_json::Value, path: &str) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    let named = [
                        "touchpoint",
                        "next_touchpoint",
                        "persona",
                        "theme",
                        "agent",
                        "team",
                        "channel",
                        "stage",
                    ];
                    if named.contains(&key.as_str()) && !inner.is_object() {
                        assert!(
                            inner.is_string() || inner.is_null(),
                            "{path}.{key} is not a name: {inner}"
                        );
                    }
                    if key == "customer" {
                        assert!(inner.is_string(), "{path}.customer: {inner}");
                    }
                    names_only(inner, &format!("{path}.{key}"));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    names_only(item, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
    }
    for kind in engine::insights::INSIGHTS {
        let (status, _, report) =
            call(&f.state, "GET", &format!("/api/insights/{kind}"), key, None).await;
        assert_eq!(status, StatusCode::OK, "{kind}: {report}");
        names_only(&report, kind);
        let findings = report["findings"].as_array().expect("findings");
        for (i, finding) in findings.iter().enumerate() {
            assert_eq!(finding["rank"], i + 1, "{kind}");
            assert!(finding["kind"].is_string(), "{kind}: {finding}");
            assert!(
                finding["effect"]["measure"].is_string(),
                "{kind}: {finding}"
            );
            assert!(finding.get("evidence").is_some(), "{kind}: {finding}");
        }
        if ["pain-points", "moments", "attribution", "emotion"].contains(&kind) {
            assert!(
                !findings.is_empty(),
                "{kind} finds something in 600 customers: {report}"
            );
            assert!(
                findings[0]["touchpoint"].is_string(),
                "{kind}: {}",
                findings[0]
            );
        }
    }
}

/// Every number rounded to 9 significant digits.
fn rounded(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => json!(format!("{f:.9e}")),
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(rounded).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), rounded(v))).collect())
        }
        other => other.clone(),
    }
}

#[tokio::test]
async fn contact_centre_endpoints_agree_with_the_stored_contacts() {
    let f = fixture(600).await;
    let key = Some(f.read_key.as_str());
    let (status, _, report) = call(
        &f.state,
        "GET",
        "/api/contacts?by=queue&by=team%2Binterval&interval=1h",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let engine = f.state.engine().await.expect("engine");
    let count = async |sql: &str| -> u64 {
        let batches = engine.sql(sql).await.expect("sql");
        arrow::array::AsArray::as_primitive::<arrow::datatypes::Int64Type>(batches[0].column(0))
            .value(0) as u64
    };
    let offered = count(
        "SELECT count(*) FROM events WHERE agent IS NOT NULL OR wait_s IS NOT NULL \
         OR handle_s IS NOT NULL OR abandoned IS NOT NULL",
    )
    .await;
    let abandoned = count("SELECT count(*) FROM events WHERE abandoned").await;
    assert_eq!(report["total"]["offered"], offered, "{}", report["total"]);
    assert_eq!(report["total"]["abandoned"], abandoned);
    let by_queue = report["groupings"][0]["groups"].as_array().expect("groups");
    let queued: u64 = by_queue
        .iter()
        .map(|g| g["offered"].as_u64().expect("offered"))
        .sum();
    assert_eq!(queued, offered, "every contact is in one queue group");
    assert!(
        by_queue.iter().any(|g| g["queue"] == "care_phone"),
        "queue names from properties"
    );
    let by_team_hour = &report["groupings"][1];
    assert_eq!(by_team_hour["by"], "team+interval");
    assert!(by_team_hour["groups"][0]["interval_start"].is_string());

    let (status, _, erlang) = call(
        &f.state,
        "GET",
        "/api/staff/erlang?arrivals=100&interval=30m&aht=180s&service_level=0.8&answer_within=20s&shrinkage=0.3",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{erlang}");
    assert_eq!(erlang["agents"], 14);
    assert_eq!(erlang["agents_with_shrinkage"], 20);
    let (status, _, body) = call(
        &f.state,
        "GET",
        "/api/staff/erlang?arrivals=100&model=a",
        key,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "Erlang A needs a patience: {body}"
    );

    let (status, _, plan) = call(
        &f.state,
        "GET",
        "/api/staff/plan?queue=care_phone&horizon=1d&interval=1h",
        key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let queue = &plan["queues"][0];
    assert_eq!(queue["queue"], "care_phone");
    assert_eq!(queue["plan"].as_array().map(Vec::len), Some(24));
    assert!(
        queue["patience_s"].as_f64().is_some_and(|p| p > 0.0),
        "{queue}"
    );
    let history = queue["history"].as_array().expect("history");
    assert_eq!(history.len() % (7 * 24), 0, "whole weeks of history");

    let (status, _, body) = call(&f.state, "GET", "/api/agents", key, None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no agent events stored: {body}"
    );
    assert_eq!(body["code"], "not_found");
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("--agents")
    );

    let (status, _, handovers) = call(&f.state, "GET", "/api/handovers", key, None).await;
    assert_eq!(status, StatusCode::OK, "{handovers}");
    assert!(handovers["teams"].is_array());
}
