//! Tracked short links over HTTP: an admin creates them, a click records
//! the touchpoint of the right customer and redirects, the list counts the
//! clicks, and bad requests are refused without touching the stored links.

use crate::call;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use server::AppState;
use server::keys::KeyKind;
use std::sync::Arc;
use tower::ServiceExt;

/// A GET of `/l/…` with optional cookie: status, Location, Set-Cookie.
async fn click(
    state: &Arc<AppState>,
    uri: &str,
    cookie: Option<&str>,
) -> (StatusCode, Option<String>, Option<String>) {
    let mut request = Request::builder().method("GET").uri(uri);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = server::router(state.clone())
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("the router answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("ascii").to_string())
    };
    (response.status(), header("location"), header("set-cookie"))
}

#[tokio::test]
async fn clicks_on_tracked_links_are_touchpoints_of_their_customer() {
    let dir = tempfile::tempdir().expect("dir");
    let (ingestor, _) = store::ingest::Ingestor::open(dir.path(), Default::default())
        .await
        .expect("ingestor opens");
    let state = Arc::new(AppState::with_ingestor(
        server::ServerOptions::new(dir.path().to_path_buf()),
        Arc::new(ingestor),
    ));
    let key = |kind| {
        state
            .keys
            .create(kind, "test", "2026-11-24".into())
            .expect("key")
            .0
    };
    let (admin, read) = (key(KeyKind::Admin), key(KeyKind::Read));

    // Only an admin key creates links; bad links are refused.
    let body = json!({"url": "https://shop.example/setup", "code": "setup-mail",
                      "touchpoint": "setup_email_click", "channel": "email", "campaign": "onboarding"});
    let (status, _, answer) = call(
        &state,
        "POST",
        "/api/links",
        Some(&read),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, _, link) = call(
        &state,
        "POST",
        "/api/links",
        Some(&admin),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    assert_eq!(link["short_path"], "/l/setup-mail");
    assert_eq!(link["touchpoint"], "setup_email_click");
    let (status, _, answer) = call(&state, "POST", "/api/links", Some(&admin), Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["code"], "link_exists");
    for bad in [
        json!({"url": "javascript:alert(1)"}),
        json!({"url": "https://shop.example/", "code": "a b"}),
        json!({"url": "https://shop.example/", "colour": "red"}),
    ] {
        let (status, _, answer) = call(
            &state,
            "POST",
            "/api/links",
            Some(&admin),
            Some(bad.clone()),
        )
        .await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{bad}: {status} {answer}"
        );
    }
    let (status, _, qr) = call(
        &state,
        "POST",
        "/api/links",
        Some(&admin),
        Some(json!({"url": "https://shop.example/care", "touchpoint": "packaging_qr", "channel": "print"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{qr}");
    let qr_code = qr["code"].as_str().expect("code").to_string();

    // A named customer's click, an anonymous visitor's two clicks (the
    // second with the cookie of the first), and an unknown code.
    let (status, location, cookie) = click(&state, "/l/setup-mail?cid=alice", None).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location.as_deref(), Some("https://shop.example/setup"));
    assert!(cookie.is_none(), "a named customer needs no cookie");
    let (status, location, cookie) = click(&state, &format!("/l/{qr_code}"), None).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location.as_deref(), Some("https://shop.example/care"));
    let cookie = cookie.expect("an anonymous visitor gets a cookie");
    let visitor = cookie.split(';').next().expect("name=value").to_string();
    assert!(visitor.starts_with("tp_visitor=visitor-"), "{cookie}");
    let (status, _, again) = click(&state, &format!("/l/{qr_code}"), Some(&visitor)).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(again.is_none(), "a known visitor keeps the cookie");
    let (status, _, _) = click(&state, "/l/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The clicks are events of their customers, counted per link.
    assert_eq!(state.flush().await.expect("flushed"), 3);
    let (status, _, alice) = call(&state, "GET", "/api/customers?q=alice", Some(&read), None).await;
    assert_eq!(status, StatusCode::OK, "{alice}");
    let customer = alice[0]["customer"].as_str().expect("customer").to_string();
    let (_, _, journey) = call(
        &state,
        "GET",
        &format!("/api/customers/{customer}"),
        Some(&read),
        None,
    )
    .await;
    let events = journey["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{journey}");
    assert_eq!(events[0]["touchpoint"], "setup_email_click");
    assert_eq!(events[0]["channel"], "email");
    let properties: serde_json::Value = match &events[0]["properties"] {
        serde_json::Value::String(text) => serde_json::from_str(text).expect("json"),
        other => other.clone(),
    };
    assert_eq!(properties["campaign"], "onboarding", "{properties}");
    let (status, _, list) = call(&state, "GET", "/api/links", Some(&read), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let by_code = |code: &str| {
        list.as_array()
            .expect("links")
            .iter()
            .find(|l| l["code"] == code)
            .cloned()
            .expect("listed")
    };
    assert_eq!(by_code("setup-mail")["clicks"], 1);
    assert_eq!(by_code("setup-mail")["customers"], 1);
    assert_eq!(by_code(&qr_code)["clicks"], 2);
    assert_eq!(by_code(&qr_code)["customers"], 1, "one visitor, two clicks");
    // The links file survives a restart of the service.
    let reopened = server::links::LinkStore::open(dir.path());
    assert_eq!(reopened.list().expect("links").len(), 2);
}
