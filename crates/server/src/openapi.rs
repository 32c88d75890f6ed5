//! The OpenAPI 3.1 document of the HTTP service, served at
//! `/api/openapi.json`. A test walks every documented operation against the
//! router, so the document cannot drift from the handlers unnoticed.

use axum::Json;
use serde_json::{Value, json};

/// A documented operation: method, path, summary, query parameters.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub parameters: &'static [(&'static str, &'static str)],
    pub security: &'static str,
}

const FILTERS: [(&str, &str); 4] = [
    (
        "from",
        "Only events at or after this time (ISO 8601 or epoch seconds).",
    ),
    ("to", "Only events before this time."),
    ("channel", "Only events on this channel (repeatable)."),
    ("persona", "Only customers of this persona (journey.toml)."),
];

macro_rules! with_filters {
    ($($extra:expr),* $(,)?) => {
        &[FILTERS[0], FILTERS[1], FILTERS[2], FILTERS[3], $($extra),*]
    };
}

pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "get",
        path: "/api/meta",
        summary: "Stages, personas, touchpoints, channels and data range.",
        parameters: &[],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/map",
        summary: "The journey map and transition graph.",
        parameters: with_filters![(
            "collapse_repeats",
            "Count consecutive repeats once (true/false)."
        )],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/touchpoints/{name}",
        summary: "One touchpoint: summary, transitions in and out, feedback, customers.",
        parameters: with_filters![],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/funnel",
        summary: "A conversion funnel.",
        parameters: with_filters![
            (
                "steps",
                "Steps, comma-separated or repeated; `a|b` either, trailing `?` optional."
            ),
            ("window", "Conversion window from step 1, e.g. 7d."),
            ("mode", "ordered, strict or unordered."),
            (
                "exclude",
                "Exclusion `touchpoint:from_step:to_step` (repeatable)."
            ),
            ("breakdown", "`channel` or `trait:NAME`."),
            ("attribution", "first, last or a step number."),
            ("customers", "Customers listed per step."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/paths",
        summary: "Paths for a Sankey diagram.",
        parameters: with_filters![
            ("start", "Start point touchpoint."),
            ("end", "End point touchpoint."),
            ("max_steps", "Steps per path."),
            ("max_edges", "Edges kept; the rest fold into other."),
            ("session_gap", "Inactivity that splits sessions, e.g. 30m."),
            ("clean", "Cleaning rule REGEX=NAME (repeatable)."),
            ("group", "Wildcard group (repeatable)."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/variants",
        summary: "The most common journeys.",
        parameters: with_filters![
            ("max_len", "Longest sequence kept."),
            ("top", "Variants reported.")
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/retention",
        summary: "Retention cohorts (a triangle per persona group).",
        parameters: &[
            ("persona", "Only customers of this persona."),
            ("start", "Cohort start touchpoint (repeatable)."),
            ("return", "Return touchpoint (repeatable)."),
            ("retention_type", "first_time or recurring."),
            ("period", "day, week or month."),
            ("periods", "Number of periods."),
            ("from", "Start of period 0 (ISO date)."),
            ("cumulative", "true/false."),
            ("reference", "total or previous."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/lifecycle",
        summary: "New, returning, resurrecting and dormant customers per period.",
        parameters: &[
            ("touchpoint", "Active at these touchpoints (repeatable)."),
            ("period", "day, week or month."),
            ("periods", "Number of periods."),
            ("from", "Start of period 0."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/stickiness",
        summary: "Customers by the number of days they were active in each period.",
        parameters: &[
            ("persona", "Only customers of this persona."),
            (
                "touchpoint",
                "Active at these touchpoints (repeatable; none = any).",
            ),
            ("period", "day, week or month."),
            ("periods", "Number of periods."),
            ("from", "Start of period 0."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/repeat",
        summary: "Repeat purchase: repurchase rate and time, loyalty and advocacy reach, referrals.",
        parameters: &[
            ("persona", "Only customers of this persona."),
            (
                "purchase",
                "Purchase touchpoint (repeatable; default outcomes.purchase).",
            ),
            (
                "referral",
                "Referral touchpoint (repeatable; default outcomes.recommendation).",
            ),
            (
                "loyalty_stage",
                "Loyalty stage (default: the stage called loyalty).",
            ),
            (
                "advocacy_stage",
                "Advocacy stage (default: the stage called advocacy).",
            ),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/contacts",
        summary: "Contact-centre metrics (offered, answered, abandoned, service level, ASA, AHT, transfers, reported and true FCR) per grouping.",
        parameters: with_filters![
            (
                "by",
                "Grouping: channel, queue, team, agent, interval or a + join (repeatable)."
            ),
            ("interval", "Length of the interval dimension (30m)."),
            (
                "answer_within",
                "Service-level threshold (default: journey.toml target)."
            ),
            (
                "short_abandon",
                "Abandons after a shorter wait are short (5s)."
            ),
            (
                "repeat_window",
                "Repeat window of true FCR (default: journey.toml target)."
            )
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/handovers",
        summary: "Handover network between teams and between agents.",
        parameters: with_filters![(
            "window",
            "Longest gap between two contacts of a handover (15m)."
        )],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/staff/erlang",
        summary: "Agents needed for given traffic by Erlang C or Erlang A.",
        parameters: &[
            ("model", "c or a."),
            ("arrivals", "Contacts per interval (required)."),
            ("interval", "Interval length (30m)."),
            ("aht", "Average handle time (180s)."),
            ("service_level", "Target share (0.8)."),
            ("answer_within", "Service-level threshold (20s)."),
            ("patience", "Mean patience (Erlang A)."),
            ("max_asa", "Upper bound on ASA."),
            ("shrinkage", "Share of paid time unavailable (0)."),
            ("max_occupancy", "Upper bound on occupancy (1)."),
            ("agents", "Also report the metrics at this many agents."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/staff/plan",
        summary: "Per queue: offered contacts per interval, weekly-seasonal forecast and the agents each interval needs.",
        parameters: with_filters![
            ("queue", "Only this queue (repeatable)."),
            ("interval", "Interval length (30m)."),
            ("weeks", "Weeks of history averaged (4)."),
            ("horizon", "How far ahead (7d)."),
            ("model", "a or c."),
            ("service_level", "Target share (default: journey.toml)."),
            ("answer_within", "Threshold (default: journey.toml)."),
            ("shrinkage", "Share of paid time unavailable (0.3)."),
            ("max_occupancy", "Upper bound on occupancy (0.85).")
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/agents",
        summary: "The employee journey: time per activity, non-customer work, manual steps per contact and occupancy per agent and team (404 without agent events).",
        parameters: &[
            ("from", "Only agent events at or after this time."),
            ("to", "Only agent events before this time."),
            ("team", "Only this team."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/agents/{agent}/timeline",
        summary: "One agent's activity spells and events between two times (at most 7 days), for the swim lane beside a customer's contact.",
        parameters: &[
            ("agent", "The agent's name (path)."),
            ("from", "Start (required)."),
            ("to", "End (required)."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/alerts",
        summary: "Live queue breaches: active alerts with the Erlang A recommendation, recent signals, every queue's window.",
        parameters: &[],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/value",
        summary: "BG/NBD, Pareto/NBD and Gamma-Gamma fits, CLV, RFM and who is slipping away.",
        parameters: &[
            ("purchase", "Purchase touchpoint (repeatable)."),
            ("calibration_end", "End of calibration (ISO date)."),
            ("period", "day or week."),
            ("limit", "Customers listed."),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/insights/{kind}",
        summary: "An insight with evidence: pain-points, at-risk, follow-up, resolution, root-causes, recovery, emotion, moments, drivers, attribution, personas, conformance.",
        parameters: with_filters![
            (
                "outcome",
                "repurchase, churn, promoter, conversion or recommendation (moments, drivers)."
            ),
            (
                "outcome_touchpoint",
                "The outcome is reaching this touchpoint later."
            ),
            ("days", "Repurchase or churn window, days."),
            (
                "persona_trait",
                "Compare the values of this customer trait (each a persona NAME=value) instead of journey.toml's personas."
            ),
        ],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/links",
        summary: "Tracked short links with their stored clicks and clicking customers.",
        parameters: &[],
        security: "read",
    },
    Operation {
        method: "post",
        path: "/api/links",
        summary: "Create a tracked short link (admin key): body {url, code?, touchpoint?, channel?, campaign?}; a click on /l/{code} records the touchpoint and redirects.",
        parameters: &[],
        security: "admin",
    },
    Operation {
        method: "get",
        path: "/api/customers",
        summary: "Search customers by key, identity or trait value.",
        parameters: &[("q", "Search text."), ("limit", "Most customers returned.")],
        security: "read",
    },
    Operation {
        method: "get",
        path: "/api/customers/{customer}",
        summary: "One customer's journey timeline, identities, traits and personas.",
        parameters: &[],
        security: "read",
    },
    Operation {
        method: "post",
        path: "/api/sql",
        summary: "Read-only SQL over the events table; body {sql}.",
        parameters: &[],
        security: "read",
    },
    Operation {
        method: "post",
        path: "/v1/batch",
        summary: "Segment-compatible batch of track/page/screen/identify/alias/group calls (write key).",
        parameters: &[],
        security: "write",
    },
    Operation {
        method: "post",
        path: "/v1/{call}",
        summary: "One Segment call: track, page, screen, identify, alias, group, or a short form t, p, s, i, a, g, b (write key).",
        parameters: &[],
        security: "write",
    },
    Operation {
        method: "post",
        path: "/v1/events",
        summary: "Native events as a JSON array or NDJSON (write key).",
        parameters: &[],
        security: "write",
    },
    Operation {
        method: "get",
        path: "/api/openapi.json",
        summary: "This document.",
        parameters: &[],
        security: "none",
    },
    Operation {
        method: "get",
        path: "/healthz",
        summary: "Liveness.",
        parameters: &[],
        security: "none",
    },
    Operation {
        method: "get",
        path: "/readyz",
        summary: "Readiness: the store is open.",
        parameters: &[],
        security: "none",
    },
    Operation {
        method: "get",
        path: "/metrics",
        summary: "Prometheus metrics.",
        parameters: &[],
        security: "none",
    },
];

fn operation(op: &Operation) -> Value {
    let mut parameters: Vec<Value> = op
        .path
        .split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    parameters.extend(op.parameters.iter().map(|(name, description)| {
        json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
    }));
    let mut value = json!({
        "summary": op.summary,
        "parameters": parameters,
        "responses": {
            (if op.method == "post" && op.path == "/api/links" { "201" } else { "200" }): {"description": "OK", "content": {"application/json": {}}},
            "default": {"description": "Error", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        }
    });
    match op.security {
        "read" | "admin" => value["security"] = json!([{ "bearer": [] }]),
        "write" => value["security"] = json!([{ "basic": [] }, { "bearer": [] }]),
        _ => {}
    }
    if op.method == "post" {
        value["requestBody"] = json!({"required": true, "content": {"application/json": {}}});
    }
    value
}

pub fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for op in OPERATIONS {
        let entry = paths.entry(op.path).or_insert_with(|| json!({}));
        entry[op.method] = operation(op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "touchpoint", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "basic": {"type": "http", "scheme": "basic"}},
            "schemas": {"Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "code": {"type": "string"}
            }}}
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
