//! One shape for every insight: the kernels' reports (with names) turned
//! into a ranked array of findings, the `touchpoint insights KIND --format
//! json` contract of issue 7. Each finding names what it is about
//! (`touchpoint`, and `persona`, `theme`, `agent`, `team`, `channel` or
//! `customer` where relevant), its `kind`, its effect size with interval
//! (`effect: {measure, value, low, high}`), the customers it concerns and
//! its `evidence` (the kernel's numbers, example customers and texts).
//! Findings are ranked best first in the kernel's own order of importance.

use serde_json::{Map, Value, json};

/// The effect of a finding: what is measured, its value and 95 % interval
/// (`null` bounds where the kernel gives none).
fn effect(measure: &str, value: &Value, low: &Value, high: &Value) -> Value {
    json!({"measure": measure, "value": value, "low": low, "high": high})
}

/// The fields of `item` named in `keys`, for the evidence.
fn pick(item: &Value, keys: &[&str]) -> Value {
    let mut out = Map::new();
    for key in keys {
        if let Some(value) = item.get(*key) {
            out.insert((*key).to_string(), value.clone());
        }
    }
    Value::Object(out)
}

fn list<'a>(report: &'a Value, key: &str) -> &'a [Value] {
    report
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A finding with the subject fields that are present and not null.
fn finding(
    kind: &Value,
    subject: &[(&str, &Value)],
    effect: Value,
    customers: &Value,
    evidence: Value,
) -> Value {
    let mut out = Map::new();
    out.insert("kind".into(), kind.clone());
    for (key, value) in subject {
        if !value.is_null() {
            out.insert((*key).to_string(), (*value).clone());
        }
    }
    out.insert("effect".into(), effect);
    out.insert("customers".into(), customers.clone());
    out.insert("evidence".into(), evidence);
    Value::Object(out)
}

/// The keys that may name what a finding is about, in display order.
pub const SUBJECT_KEYS: [&str; 8] = [
    "touchpoint",
    "next_touchpoint",
    "persona",
    "theme",
    "agent",
    "team",
    "channel",
    "customer",
];

/// The ranked findings of one insight's report (see the module docs).
pub fn findings(kind: &str, report: &Value) -> Vec<Value> {
    let null = Value::Null;
    let mut out: Vec<Value> = match kind {
        "pain-points" => list(report, "points")
            .iter()
            .map(|p| {
                finding(
                    &p["kind"],
                    &[
                        ("touchpoint", &p["touchpoint"]),
                        ("next_touchpoint", &p["next_touchpoint"]),
                        ("persona", &p["persona"]),
                        ("stage", &p["stage"]),
                    ],
                    effect("rate", &p["rate"], &p["low"], &p["high"]),
                    &p["affected"],
                    pick(
                        p,
                        &[
                            "expected",
                            "z",
                            "severity",
                            "impact",
                            "customers",
                            "hits",
                            "n",
                            "evidence",
                            "example_customers",
                            "example_texts",
                        ],
                    ),
                )
            })
            .collect(),
        "at-risk" => list(report, "customers")
            .iter()
            .map(|c| {
                let last_poor = list(c, "events").last().map_or(&null, |e| &e["touchpoint"]);
                finding(
                    &json!("at_risk"),
                    &[("customer", &c["customer"]), ("touchpoint", last_poor)],
                    effect(
                        "poor_experiences_in_window",
                        &c["poor_in_window"],
                        &null,
                        &null,
                    ),
                    &json!(1),
                    pick(
                        c,
                        &[
                            "reasons",
                            "value",
                            "complaints",
                            "open_complaint",
                            "last_nps",
                            "emotion_slope",
                            "events",
                        ],
                    ),
                )
            })
            .collect(),
        "follow-up" => list(report, "gaps")
            .iter()
            .map(|g| {
                let w = &g["without_follow_up"];
                finding(
                    &json!("follow_up_gap"),
                    &[("touchpoint", &g["touchpoint"])],
                    effect("share_without_follow_up", &w["rate"], &w["low"], &w["high"]),
                    &w["hits"],
                    json!({
                        "purchases": g["purchases"],
                        "repurchase_with_vs_without_follow_up": report["repurchase"],
                        "example_customers_without": report["example_customers_without"],
                    }),
                )
            })
            .collect(),
        "resolution" => {
            let mut rows = Vec::new();
            for (group, subject) in [
                ("agents", "agent"),
                ("teams", "team"),
                ("channels", "channel"),
            ] {
                for r in list(report, group) {
                    let gap = match (r["reported_fcr"].as_f64(), r["true_fcr"].as_f64()) {
                        (Some(reported), Some(truth)) => json!(reported - truth),
                        _ => Value::Null,
                    };
                    let reopened = &r["reopened"];
                    rows.push(finding(
                        &json!("resolution_gap"),
                        &[(subject, &r["id"])],
                        effect(
                            "reopened_share_of_resolved",
                            &reopened["rate"],
                            &reopened["low"],
                            &reopened["high"],
                        ),
                        &r["answered"],
                        json!({
                            "reported_fcr": r["reported_fcr"],
                            "true_fcr": r["true_fcr"],
                            "reported_minus_true_fcr": gap,
                            "z": r["z"],
                            "marked_resolved": r["marked_resolved"],
                            "reopened_by_contact": r["reopened_by_contact"],
                            "reopened_by_survey": r["reopened_by_survey"],
                            "unresolved_repeated": r["unresolved_repeated"],
                        }),
                    ));
                }
            }
            rows.sort_by(|a, b| {
                let z = |v: &Value| v["evidence"]["z"].as_f64().unwrap_or(f64::NEG_INFINITY);
                z(b).total_cmp(&z(a))
            });
            rows
        }
        "root-causes" => {
            let mut rows = Vec::new();
            for theme in list(report, "themes") {
                for cause in list(theme, "causes") {
                    let ratio = &cause["odds_ratio"];
                    rows.push(finding(
                        &json!("root_cause"),
                        &[
                            ("theme", &theme["theme"]),
                            ("touchpoint", &cause["exposure"]["touchpoint"]),
                            ("previous_touchpoint", &cause["exposure"]["previous"]),
                        ],
                        effect(
                            "odds_ratio",
                            &ratio["odds_ratio"],
                            &ratio["low"],
                            &ratio["high"],
                        ),
                        &cause["followed"],
                        pick(cause, &["anchors", "rate", "rate_elsewhere", "exposure"]),
                    ));
                }
            }
            // Strongest evidence first: the lower bound of the odds ratio.
            rows.sort_by(|a, b| {
                let low = |v: &Value| v["effect"]["low"].as_f64().unwrap_or(0.0);
                low(b).total_cmp(&low(a))
            });
            rows
        }
        "recovery" => ["repurchase", "recommendation"]
            .iter()
            .map(|outcome| {
                let d = &report[*outcome];
                finding(
                    &json!(format!("recovery_{outcome}")),
                    &[],
                    effect(
                        "difference_resolved_well_minus_not",
                        &d["difference"],
                        &d["low"],
                        &d["high"],
                    ),
                    &report["complainants"],
                    d.clone(),
                )
            })
            .collect(),
        "emotion" => {
            let mut rows = Vec::new();
            for group in list(report, "groups") {
                for t in list(group, "touchpoints") {
                    let e = &t["emotion"];
                    if e.is_null() {
                        continue;
                    }
                    rows.push(finding(
                        &json!("emotion"),
                        &[
                            ("touchpoint", &t["touchpoint"]),
                            ("stage", &t["stage"]),
                            ("persona", &group["persona"]),
                        ],
                        effect("mean_emotion", &e["mean"], &e["low"], &e["high"]),
                        &e["n"],
                        json!({}),
                    ));
                }
            }
            // Worst experiences first, judged by the upper bound.
            rows.sort_by(|a, b| {
                let high = |v: &Value| v["effect"]["high"].as_f64().unwrap_or(f64::INFINITY);
                high(a).total_cmp(&high(b))
            });
            rows
        }
        "moments" => list(report, "moments")
            .iter()
            .map(|m| {
                finding(
                    &m["kind"],
                    &[("touchpoint", &m["touchpoint"])],
                    effect(
                        "odds_ratio",
                        &m["odds_ratio"],
                        &m["odds_ratio_low"],
                        &m["odds_ratio_high"],
                    ),
                    &json!(
                        m["good"]["customers"].as_u64().unwrap_or(0)
                            + m["bad"]["customers"].as_u64().unwrap_or(0)
                    ),
                    pick(
                        m,
                        &[
                            "good",
                            "bad",
                            "p_value",
                            "supported",
                            "impact",
                            "log_odds_ratio",
                            "standard_error",
                        ],
                    ),
                )
            })
            .collect(),
        "drivers" => list(report, "drivers")
            .iter()
            .map(|d| {
                finding(
                    &d["kind"],
                    &[("touchpoint", &d["touchpoint"])],
                    effect(
                        "correlation",
                        &d["correlation"],
                        &d["correlation_low"],
                        &d["correlation_high"],
                    ),
                    &d["observed_customers"],
                    pick(
                        d,
                        &[
                            "shapley_r_squared",
                            "share_of_r_squared",
                            "mean_score",
                            "impact",
                            "example_customers",
                        ],
                    ),
                )
            })
            .collect(),
        "attribution" => list(report, "touchpoints")
            .iter()
            .map(|t| {
                finding(
                    &t["kind"],
                    &[("touchpoint", &t["touchpoint"])],
                    effect("removal_effect", &t["removal_effect"], &null, &null),
                    &t["converting_journeys"],
                    pick(
                        t,
                        &[
                            "markov_conversions",
                            "first_touch_conversions",
                            "last_touch_conversions",
                            "linear_conversions",
                            "conversion_probability_without",
                            "journeys",
                            "example_customers",
                        ],
                    ),
                )
            })
            .collect(),
        "personas" => list(report, "differences")
            .iter()
            .filter(|d| d["significant"] == json!(true))
            .map(|d| {
                finding(
                    &d["kind"],
                    &[("touchpoint", &d["touchpoint"]), ("persona", &d["persona"])],
                    effect(
                        "difference",
                        &d["difference"],
                        &d["difference_low"],
                        &d["difference_high"],
                    ),
                    &d["persona_customers"],
                    pick(
                        d,
                        &[
                            "persona_value",
                            "others_value",
                            "others_customers",
                            "statistic",
                            "p_value",
                            "q_value",
                            "cohens_d",
                            "standardized_effect",
                            "example_customers",
                        ],
                    ),
                )
            })
            .collect(),
        "conformance" => list(report, "deviations")
            .iter()
            .map(|d| {
                let c = &d["customers"];
                finding(
                    &d["kind"],
                    &[("touchpoint", &d["touchpoint"])],
                    effect("share_of_customers", &c["value"], &c["low"], &c["high"]),
                    &c["count"],
                    pick(
                        d,
                        &[
                            "occurrences",
                            "step_idx",
                            "mean_duration_s",
                            "target_s",
                            "example_customers",
                        ],
                    ),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    for (rank, item) in out.iter_mut().enumerate() {
        item["rank"] = json!(rank + 1);
    }
    out
}
