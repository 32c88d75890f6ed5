//! End-to-end tests of the `touchpoint` binary: generate → import → the
//! analyses' JSON contracts, idempotent re-import, reject files and one-line
//! errors.

mod ingest;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn touchpoint(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .arg("--data")
        .arg(data)
        .arg("--no-progress")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn ok_json(data: &Path, args: &[&str]) -> Value {
    let output = touchpoint(data, &[&["--format", "json"], args].concat());
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&output.stdout)))
}

fn generated(dir: &Path, customers: &str) -> std::path::PathBuf {
    let out = dir.join("input");
    let output = touchpoint(
        dir,
        &[
            "generate",
            "--customers",
            customers,
            "--seed",
            "3",
            "--out",
            out.to_str().expect("utf8"),
            "--file-format",
            "csv",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

#[test]
fn import_map_funnel_variants_paths_follow_the_contract() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let input = generated(dir.path(), "300");
    let events = input.join("events.csv");
    let import = ok_json(
        &data,
        &[
            "import",
            events.to_str().expect("utf8"),
            "--traits",
            input.join("customers.jsonl").to_str().expect("utf8"),
            "--definition",
            input.join("journey.toml").to_str().expect("utf8"),
        ],
    );
    let added = import["files"][0]["added"].as_u64().expect("added");
    assert!(added > 2000, "{import}");
    assert_eq!(import["files"][0]["rejected"], 0, "{import}");

    // Re-importing the same file adds nothing.
    let again = ok_json(&data, &["import", events.to_str().expect("utf8")]);
    assert_eq!(again["files"][0]["added"], 0, "{again}");
    assert_eq!(
        again["files"][0]["duplicates"].as_u64(),
        Some(added),
        "{again}"
    );

    let map = ok_json(&data, &["map"]);
    for key in ["touchpoints", "transitions", "starts", "ends", "stages"] {
        assert!(map.get(key).is_some(), "map lacks {key}: {map}");
    }
    let touchpoints = map["touchpoints"].as_array().expect("array");
    let events_total: u64 = touchpoints
        .iter()
        .map(|t| t["events"].as_u64().expect("events"))
        .sum();
    assert_eq!(
        events_total, added,
        "every event lands on one touchpoint card"
    );
    let first = &touchpoints[0];
    for key in ["touchpoint", "stage", "events", "customers", "drop_off"] {
        assert!(first.get(key).is_some(), "touchpoint lacks {key}: {first}");
    }
    let transition = &map["transitions"][0];
    for key in [
        "from",
        "to",
        "count",
        "customers",
        "mean_s",
        "median_s",
        "p90_s",
        "min_s",
        "max_s",
    ] {
        assert!(
            transition.get(key).is_some(),
            "transition lacks {key}: {transition}"
        );
    }
    let starts: u64 = map["starts"]
        .as_object()
        .expect("object")
        .values()
        .map(|v| v.as_u64().expect("count"))
        .sum();
    assert_eq!(starts, 300, "one journey per customer");

    // The same number through SQL.
    let sql = ok_json(&data, &["sql", "SELECT count(*) AS n FROM events"]);
    assert_eq!(sql[0]["n"].as_u64(), Some(added), "{sql}");

    let funnel = ok_json(
        &data,
        &[
            "funnel",
            "--steps",
            "product_page,cart,checkout,order_placed",
            "--window",
            "7d",
        ],
    );
    let steps = funnel["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 4);
    let counts: Vec<u64> = steps
        .iter()
        .map(|s| s["customers"].as_u64().expect("customers"))
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]) && counts[3] > 0,
        "{counts:?}"
    );
    assert!(steps[1].get("median_s").is_some(), "{}", steps[1]);

    let broken_down = ok_json(
        &data,
        &[
            "funnel",
            "--steps",
            "cart,order_placed",
            "--breakdown",
            "trait:device",
        ],
    );
    assert!(
        broken_down["breakdowns"]
            .as_array()
            .expect("breakdowns")
            .len()
            >= 2,
        "{broken_down}"
    );

    let variants = ok_json(&data, &["variants", "--max-len", "10", "--top", "20"]);
    let variants = variants.as_array().expect("an array of variants");
    assert!(!variants.is_empty() && variants.len() <= 20);
    assert!(
        variants[0]["variant"].is_array() && variants[0]["customers"].is_u64(),
        "{}",
        variants[0]
    );

    let paths = ok_json(&data, &["paths", "--start", "product_page", "--steps", "4"]);
    assert!(
        !paths["edges"].as_array().expect("edges").is_empty(),
        "{paths}"
    );

    let persona = ok_json(&data, &["map", "--persona", "mobile_shoppers"]);
    let persona_customers: u64 = persona["starts"]
        .as_object()
        .expect("object")
        .values()
        .map(|v| v.as_u64().expect("n"))
        .sum();
    assert!(
        persona_customers > 0 && persona_customers < 300,
        "{persona_customers}"
    );
}

#[test]
fn bad_rows_go_to_the_reject_file_and_good_rows_are_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let file = dir.path().join("events.csv");
    std::fs::write(
        &file,
        "customer_id,timestamp,event,channel,rating,rating_scale\n\
         c1,2025-01-01T10:00:00Z,faq_page,web,,\n\
         c1,not-a-time,cart,web,,\n\
         ,2025-01-01T10:05:00Z,cart,web,,\n\
         c2,2025-01-02,survey,email,9,csat_5\n\
         c2,2025-01-02T11:00:00+01:00,survey,email,4,csat_5\n",
    )
    .expect("write csv");
    let rejects = dir.path().join("rejects.csv");
    let import = ok_json(
        &data,
        &[
            "import",
            file.to_str().expect("utf8"),
            "--rejects",
            rejects.to_str().expect("utf8"),
        ],
    );
    assert_eq!(import["files"][0]["rows"], 5, "{import}");
    assert_eq!(import["files"][0]["added"], 2, "{import}");
    assert_eq!(import["files"][0]["rejected"], 3, "{import}");
    let mut reader = csv::Reader::from_path(&rejects).expect("reject file");
    assert_eq!(
        reader.headers().expect("header"),
        vec!["line", "reason", "row"]
    );
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|r| r.expect("record"))
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    let check = |line: &str, needle: &str| {
        assert!(
            rows.iter()
                .any(|(l, reason)| l == line && reason.contains(needle)),
            "line {line} {needle:?}: {rows:?}"
        );
    };
    check("3", "cannot parse timestamp");
    check("4", "missing customer id");
    check("5", "rating 9 outside the csat_5 scale");
    let map = ok_json(&data, &["map"]);
    let survey = map["touchpoints"]
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["touchpoint"] == "survey")
        .expect("survey card")
        .clone();
    assert_eq!(survey["emotion"]["mean"], 0.5, "CSAT 4 → (4−3)/2: {survey}");
}

#[test]
fn errors_are_one_line_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let check = |args: &[&str], needle: &str| {
        let output = touchpoint(dir.path(), args);
        assert!(!output.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: {stderr:?} lacks {needle:?}"
        );
    };
    check(&["map"], "not a touchpoint data directory");
    check(&["import", "missing.csv"], "no such file");
    check(&["import", "events.xlsx"], "unknown file type");
    check(
        &["generate", "--scenario", "bakery", "--out", "x"],
        "unknown scenario",
    );
    let input = generated(dir.path(), "20");
    let events = input.join("events.csv");
    let output = touchpoint(dir.path(), &["import", events.to_str().expect("utf8")]);
    assert!(output.status.success());
    check(&["funnel", "--steps", "nowhere,cart"], "nowhere");
    check(
        &["funnel", "--steps", "cart,checkout", "--window", "7x"],
        "window: unknown duration unit",
    );
    check(&["map", "--persona", "nobody"], "nobody");
    check(&["sql", "SELEC 1"], "query");
}

#[test]
fn text_score_writes_json_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["text", "score", "--mode", "service", "--format", "jsonl"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"I was on hold for 40 minutes\nThe agent went above and beyond, thank you!\n")
        .expect("write stdin");
    let output = child.wait_with_output().expect("finishes");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        for key in ["compound", "pos", "neu", "neg", "emotions"] {
            assert!(line.get(key).is_some(), "{key} missing: {line}");
        }
    }
    assert!(
        lines[0]["compound"].as_f64().expect("number") < -0.05,
        "{}",
        lines[0]
    );
    assert!(
        lines[1]["compound"].as_f64().expect("number") > 0.05,
        "{}",
        lines[1]
    );
}

#[test]
fn retention_value_and_insights_follow_their_contracts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let input = generated(dir.path(), "500");
    ok_json(
        &data,
        &[
            "import",
            input.join("events.csv").to_str().expect("utf8"),
            "--traits",
            input.join("customers.jsonl").to_str().expect("utf8"),
            "--definition",
            input.join("journey.toml").to_str().expect("utf8"),
        ],
    );
    let value = ok_json(
        &data,
        &[
            "value",
            "--purchase-touchpoint",
            "order_placed",
            "--period",
            "week",
        ],
    );
    assert!(
        value["customers"].as_u64().expect("customers") > 50,
        "{value}"
    );
    for (model, parameters) in [
        ("bgnbd", &["r", "alpha", "a", "b", "log_likelihood"][..]),
        (
            "pareto_nbd",
            &["r", "alpha", "s", "beta", "log_likelihood"][..],
        ),
        ("gamma_gamma", &["p", "q", "gamma"][..]),
    ] {
        for name in parameters {
            assert!(value[model][name].is_number(), "{model}.{name}: {value}");
        }
    }
    let retention = ok_json(
        &data,
        &[
            "retention",
            "--start",
            "order_placed",
            "--return",
            "order_placed",
            "--period",
            "month",
            "--periods",
            "6",
        ],
    );
    assert_eq!(retention["groups"][0]["group"], "all");
    let sticky = ok_json(&data, &["retention", "--stickiness", "--period", "week"]);
    let first = &sticky["groups"][0]["periods"][0];
    assert_eq!(
        first["customers_by_active_days"].as_array().map(Vec::len),
        Some(7),
        "{first}"
    );
    let repeat = ok_json(&data, &["repeat"]);
    let all = &repeat["groups"][0];
    assert!(
        all["purchasers"].as_u64().expect("purchasers") > 50,
        "{all}"
    );
    assert!(
        all["repurchase_rate"]
            .as_f64()
            .is_some_and(|r| (0.0..=1.0).contains(&r)),
        "{all}"
    );
    let pain = ok_json(&data, &["insights", "pain-points"]);
    let findings = pain.as_array().expect("a JSON array of findings");
    assert!(!findings.is_empty(), "{pain}");
    assert_eq!(findings[0]["rank"], 1);
    assert!(findings[0]["touchpoint"].is_string(), "{}", findings[0]);
    assert!(
        findings[0]["effect"]["value"].is_number(),
        "{}",
        findings[0]
    );
    let report = ok_json(&data, &["insights", "pain-points", "--report"]);
    assert_eq!(
        report["points"].as_array().map(Vec::len),
        Some(findings.len()),
        "one finding per pain point"
    );
    // A trait's values stand in for the personas of journey.toml.
    let by_device = ok_json(
        &data,
        &[
            "insights",
            "emotion",
            "--persona-trait",
            "device",
            "--report",
        ],
    );
    let personas: Vec<&str> = by_device["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["persona"].as_str())
        .collect();
    assert!(personas.len() >= 2, "{personas:?}");
    assert!(
        personas.iter().all(|p| p.starts_with("device=")),
        "{personas:?}"
    );
    assert!(personas.contains(&"device=mobile"), "{personas:?}");
    let output = touchpoint(
        &data,
        &["insights", "personas", "--persona-trait", "shoe_size"],
    );
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no customer has the trait"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = touchpoint(&data, &["insights", "horoscope"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no insight"));
}

#[test]
fn contact_centre_commands_follow_their_contracts() {
    // The published worked example (and pyworkforce): 100 calls per 30
    // minutes, 180 s handle time, 80 % within 20 s.
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let erlang = ok_json(
        &data,
        &[
            "staff",
            "erlang",
            "--model",
            "c",
            "--arrivals",
            "100",
            "--interval",
            "30m",
            "--aht",
            "180s",
            "--service-level",
            "0.8",
            "--answer-within",
            "20s",
            "--shrinkage",
            "0.3",
        ],
    );
    assert_eq!(erlang["agents"], 14, "{erlang}");
    assert_eq!(erlang["agents_with_shrinkage"], 20, "{erlang}");
    let close = |name: &str, expected: f64, tolerance: f64| {
        let actual = erlang[name].as_f64().expect(name);
        assert!(
            (actual - expected).abs() <= tolerance,
            "{name}: {actual} vs {expected}"
        );
    };
    close("service_level", 0.888, 0.0005);
    close("p_wait", 0.174, 0.0005);
    close("asa_s", 7.8, 0.05);
    close("occupancy", 0.714, 0.0005);
    assert_eq!(erlang["abandon_rate"], 0.0);
    let with_patience = ok_json(
        &data,
        &[
            "staff",
            "erlang",
            "--model",
            "a",
            "--arrivals",
            "100",
            "--aht",
            "180s",
            "--patience",
            "120s",
        ],
    );
    assert!(
        with_patience["agents"].as_u64().expect("agents") <= 14,
        "abandons lighten the load: {with_patience}"
    );
    assert!(with_patience["abandon_rate"].as_f64().expect("rate") > 0.0);
    let refused = touchpoint(
        &data,
        &["staff", "erlang", "--arrivals", "-5", "--aht", "180s"],
    );
    assert!(!refused.status.success());

    let input = generated(dir.path(), "600");
    let agents_file = input.join("agents.csv");
    assert!(agents_file.is_file(), "generate writes the agents' events");
    let mut agents_csv = std::fs::read_to_string(&agents_file).expect("agents file");
    let bad_row = "bad-1,Nobody,2025-02-03T10:00:00Z,2025-02-03T10:00:00Z,juggling,agent_desktop,Nobody,,,,,,,,,{\"team\":\"x\"}\n";
    agents_csv.push_str(bad_row);
    std::fs::write(&agents_file, agents_csv).expect("agents file");
    let imported = ok_json(
        &data,
        &[
            "import",
            input.join("events.csv").to_str().expect("utf8"),
            "--agents",
            agents_file.to_str().expect("utf8"),
            "--definition",
            input.join("journey.toml").to_str().expect("utf8"),
        ],
    );
    let agents_summary = &imported["files"][1];
    assert_eq!(agents_summary["rejected"], 1, "{imported}");
    assert!(agents_summary["added"].as_u64().expect("added") > 100);

    let contacts = ok_json(&data, &["contacts", "--by", "queue", "--by", "agent"]);
    let total = &contacts["total"];
    let offered = total["offered"].as_u64().expect("offered");
    assert_eq!(
        offered,
        total["answered"].as_u64().expect("answered")
            + total["abandoned"].as_u64().expect("abandoned")
    );
    let agents = ok_json(&data, &["contacts", "--agents"]);
    let answered_by_agents: u64 = agents["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .map(|a| a["contacts"].as_u64().expect("contacts"))
        .sum();
    assert!(answered_by_agents > 0, "{}", agents["total"]);
    assert_eq!(agents["invalid_events"], 0);
    for agent in agents["agents"].as_array().expect("agents") {
        assert!(agent["agent"].is_string(), "agents are named: {agent}");
        assert!(agent["team"].is_string(), "teams are named: {agent}");
    }
    for team in agents["teams"].as_array().expect("teams") {
        assert!(
            team["agent"].is_null() && team["team"].is_string(),
            "{team}"
        );
    }
    assert!(agents["total"]["team"].is_null(), "{}", agents["total"]);
    // The planted legacy_order_lookup: customer_care agents take the most
    // manual steps per contact (about 1.35 against about 0.5 elsewhere).
    let steps = |team: &serde_json::Value| team["manual_steps_per_contact"].as_f64();
    let busiest = agents["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .filter(|t| t["contacts"].as_u64().is_some_and(|c| c >= 20))
        .max_by(|a, b| steps(a).partial_cmp(&steps(b)).expect("numbers"))
        .expect("teams with contacts");
    assert_eq!(busiest["team"], "customer_care", "{}", agents["teams"]);
    assert!(steps(busiest).expect("steps") > 1.0, "{busiest}");
    let plan = ok_json(
        &data,
        &["staff", "plan", "--horizon", "1d", "--interval", "1h"],
    );
    let mut staffed_total = 0.0;
    for queue in plan["queues"].as_array().expect("queues") {
        assert_eq!(
            queue["plan"].as_array().map(Vec::len),
            Some(24),
            "{}",
            queue["queue"]
        );
        // With agent events imported, history shows the agents on duty.
        for interval in queue["history"].as_array().expect("history") {
            let staffed = interval["staffed_agents"].as_f64().expect("staffed");
            let available = interval["available_agents"].as_f64().expect("available");
            assert!((0.0..=staffed + 1e-9).contains(&available), "{interval}");
            staffed_total += staffed;
        }
    }
    assert!(staffed_total > 0.0, "some agents were on duty");
}

#[test]
fn staffed_agents_are_counted_from_agent_states() {
    // One queue `q` of team `t` on Monday 2025-02-03, and one agent of `t`
    // who logs in at 10:00, is ready, takes a break 10:20–10:30, takes a
    // contact 10:40–10:45 (wrap-up until 10:47) and logs out at 11:00.
    // Per half hour: 10:00–10:30 staffed 1, available 20/30 (the break is
    // not available); 10:30–11:00 staffed 1, available 1; every other
    // interval 0.
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let header = "event_id,customer_id,timestamp,touchpoint,channel,agent,wait_s,handle_s,resolved,abandoned,properties\n";
    let mut events = String::from(header);
    for (i, minute) in [5, 12, 40].iter().enumerate() {
        events.push_str(&format!(
            "c{i},cust{i},2025-02-03T10:{minute:02}:00Z,phone_support,phone,Ann,10,300,true,false,\"{{\"\"queue\"\":\"\"q\"\",\"\"team\"\":\"\"t\"\"}}\"\n"
        ));
    }
    let mut agents = String::from(header);
    let steps = [
        ("10:00:00", "log_in", ""),
        ("10:00:30", "ready", ""),
        ("10:20:00", "break", ""),
        ("10:30:00", "ready", ""),
        ("10:40:00", "contact", "300"),
        ("10:45:00", "after_contact_work", "120"),
        ("11:00:00", "log_out", ""),
    ];
    for (i, (time, kind, handle)) in steps.iter().enumerate() {
        agents.push_str(&format!(
            "a{i},Ann,2025-02-03T{time}Z,{kind},agent_desktop,Ann,,{handle},,,\"{{\"\"team\"\":\"\"t\"\"}}\"\n"
        ));
    }
    let events_file = dir.path().join("events.csv");
    let agents_file = dir.path().join("agents.csv");
    std::fs::write(&events_file, events).expect("events");
    std::fs::write(&agents_file, agents).expect("agents");
    let imported = ok_json(
        &data,
        &[
            "import",
            events_file.to_str().expect("utf8"),
            "--agents",
            agents_file.to_str().expect("utf8"),
        ],
    );
    assert_eq!(imported["files"][1]["added"], 7, "{imported}");
    let plan = ok_json(
        &data,
        &[
            "staff",
            "plan",
            "--weeks",
            "1",
            "--horizon",
            "1h",
            "--model",
            "c",
        ],
    );
    let queue = &plan["queues"][0];
    assert_eq!(queue["queue"], "q", "{plan}");
    assert_eq!(queue["team"], "t", "{plan}");
    let history = queue["history"].as_array().expect("history");
    assert_eq!(history.len(), 7 * 48, "one week of half hours");
    let at = |time: &str| {
        history
            .iter()
            .find(|i| {
                i["interval_start"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(time))
            })
            .unwrap_or_else(|| panic!("interval {time}"))
    };
    let close = |value: &serde_json::Value, expected: f64| {
        let actual = value.as_f64().expect("number");
        assert!((actual - expected).abs() < 1e-9, "{actual} vs {expected}");
    };
    let first = at("2025-02-03T10:00");
    close(&first["staffed_agents"], 1.0);
    // Logged in but not yet ready for 30 s: 1170 s of 1800 available.
    close(&first["available_agents"], 1170.0 / 1800.0);
    assert_eq!(first["offered"], 2.0);
    let second = at("2025-02-03T10:30");
    close(&second["staffed_agents"], 1.0);
    close(&second["available_agents"], 1.0);
    let total: f64 = history
        .iter()
        .map(|i| i["staffed_agents"].as_f64().expect("staffed"))
        .sum();
    close(&serde_json::json!(total), 2.0);
}

#[test]
fn links_are_created_refused_and_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let input = generated(dir.path(), "20");
    ok_json(
        &data,
        &["import", input.join("events.csv").to_str().expect("utf8")],
    );
    let link = ok_json(
        &data,
        &[
            "links",
            "create",
            "https://shop.example/setup",
            "--code",
            "setup-mail",
            "--touchpoint",
            "setup_email_click",
            "--channel",
            "email",
        ],
    );
    assert_eq!(link["short_path"], "/l/setup-mail", "{link}");
    for bad in [
        &[
            "links",
            "create",
            "https://shop.example/",
            "--code",
            "setup-mail",
        ][..],
        &["links", "create", "mailto:someone@example.com"][..],
    ] {
        let output = touchpoint(&data, bad);
        assert!(!output.status.success(), "{bad:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr).lines().count(),
            1,
            "one line: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let listed = ok_json(&data, &["links", "list"]);
    let links = listed.as_array().expect("links");
    assert_eq!(links.len(), 1, "{listed}");
    assert_eq!(links[0]["clicks"], 0);
    assert_eq!(links[0]["touchpoint"], "setup_email_click");
}
