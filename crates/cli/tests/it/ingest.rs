//! Durability of `touchpoint ingest` under fire: the process is killed with
//! SIGKILL at random moments while events stream in, restarted, and fed
//! retries of what it may have missed; in the end every acknowledged event
//! is stored exactly once. Also: bad lines are rejected alone, and a torn or
//! corrupted log is recovered.

use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn event_line(n: u64) -> String {
    let touchpoint = ["home", "search", "product", "cart", "checkout"][(n % 5) as usize];
    json!({
        "event_id": format!("e{n:07}"),
        "customer_id": format!("c{}", n % 97),
        "ts": 1_700_000_000 + n as i64,
        "touchpoint": touchpoint,
        "channel": "web",
    })
    .to_string()
}

/// Runs `touchpoint ingest`, feeds `lines` and returns the acknowledged
/// line numbers (1-based within this run). With `kill_after`, the process
/// is killed with SIGKILL after that time, mid-stream.
fn run_ingest(
    data: &Path,
    lines: &[String],
    kill_after: Option<Duration>,
    flush_ms: &str,
) -> BTreeSet<u64> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["--no-progress", "--data"])
        .arg(data)
        .args([
            "ingest",
            "--batch",
            "50",
            "--linger-ms",
            "2",
            "--flush-ms",
            flush_ms,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("touchpoint ingest starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let owned: Vec<String> = lines.to_vec();
    let writer = std::thread::spawn(move || {
        for chunk in owned.chunks(25) {
            let text: String = chunk.iter().map(|l| format!("{l}\n")).collect();
            if stdin.write_all(text.as_bytes()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_micros(300));
        }
    });
    let reader = std::thread::spawn(move || {
        let mut acked = BTreeSet::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let ack: Value = serde_json::from_str(&line).expect("acks are JSON");
            let first = ack["first_line"].as_u64().expect("first_line");
            let last = ack["last_line"].as_u64().expect("last_line");
            acked.extend(first..=last);
        }
        acked
    });
    if let Some(after) = kill_after {
        std::thread::sleep(after);
        child.kill().expect("SIGKILL delivered");
    }
    writer.join().expect("writer thread");
    let status = child.wait().expect("child ends");
    if kill_after.is_none() {
        assert!(status.success(), "ingest exits cleanly at end of input");
    }
    reader.join().expect("reader thread")
}

fn stored_ids(data: &Path) -> HashMap<String, u64> {
    let output = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["--no-progress", "--format", "json", "--data"])
        .arg(data)
        .args([
            "sql",
            "SELECT event_id, count(*) AS n FROM events GROUP BY event_id",
        ])
        .output()
        .expect("sql runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Value = serde_json::from_slice(&output.stdout).expect("json rows");
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["event_id"].as_str().expect("id").to_string(),
                r["n"].as_u64().expect("count"),
            )
        })
        .collect()
}

/// A small deterministic generator for kill times (no clock-seeded chaos).
fn kill_times(seed: u64, rounds: usize) -> Vec<Duration> {
    let mut state = seed;
    (0..rounds)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            Duration::from_millis(150 + (state >> 33) % 500)
        })
        .collect()
}

#[test]
fn sigkill_under_load_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let total: u64 = 12_000;
    let all: Vec<String> = (0..total).map(event_line).collect();
    let mut acked_ids: BTreeSet<u64> = BTreeSet::new();
    let mut next = 0u64;
    let started = Instant::now();
    for after in kill_times(0x5eed, 5) {
        // Resend the last 300 lines (a client retrying what it did not see
        // acknowledged) and continue with new ones.
        let from = next.saturating_sub(300);
        let to = (next + 4_000).min(total);
        let lines = &all[from as usize..to as usize];
        let acked = run_ingest(&data, lines, Some(after), "30");
        acked_ids.extend(acked.iter().map(|line| from + line - 1));
        next = acked.iter().max().map_or(from, |line| from + line);
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "bounded in time"
        );
    }
    // A last clean run with everything not acknowledged yet.
    let rest: Vec<u64> = (0..total).filter(|n| !acked_ids.contains(n)).collect();
    let lines: Vec<String> = rest.iter().map(|&n| all[n as usize].clone()).collect();
    let acked = run_ingest(&data, &lines, None, "30");
    acked_ids.extend(acked.iter().map(|line| rest[*line as usize - 1]));
    assert_eq!(
        acked_ids.len() as u64,
        total,
        "the clean run acknowledges everything"
    );

    let stored = stored_ids(&data);
    let twice: Vec<_> = stored.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");
    for n in &acked_ids {
        let id = format!("e{n:07}");
        assert!(stored.contains_key(&id), "acknowledged {id} is missing");
    }
    assert_eq!(stored.len() as u64, total);
}

#[test]
fn bad_lines_are_rejected_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let lines = vec![
        event_line(1),
        "{not json".to_string(),
        json!({"event_id": "x1", "ts": 1_700_000_000, "touchpoint": "home"}).to_string(),
        json!({"event_id": "x2", "customer_id": "c1", "ts": "yesterday", "touchpoint": "home"}).to_string(),
        json!({"event_id": "x3", "customer_id": "c1", "ts": 1_700_000_000, "touchpoint": "home", "rating": "high"}).to_string(),
        json!({"event_id": "x4", "customer_id": "c1", "ts": 1_700_000_000, "touchpoint": "home", "text": "x".repeat(40_000)}).to_string(),
        event_line(2),
        event_line(1),
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["--no-progress", "--data"])
        .arg(&data)
        .args(["ingest", "--batch", "100", "--linger-ms", "50"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdin = child.stdin.take().expect("stdin");
    for line in &lines {
        writeln!(stdin, "{line}").expect("written");
    }
    drop(stdin);
    let output = child.wait_with_output().expect("ends");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let acks: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json ack"))
        .collect();
    let stored: u64 = acks.iter().map(|a| a["stored"].as_u64().expect("n")).sum();
    let duplicates: u64 = acks
        .iter()
        .map(|a| a["duplicates"].as_u64().expect("n"))
        .sum();
    let rejected: Vec<u64> = acks
        .iter()
        .flat_map(|a| a["rejected"].as_array().expect("list").clone())
        .map(|r| r["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(stored, 2);
    assert_eq!(duplicates, 1, "the repeated event 1");
    assert_eq!(rejected, vec![2, 3, 4, 5, 6]);
    let ids = stored_ids(&data);
    assert_eq!(ids.len(), 2);
    assert!(
        !ids.keys().any(|id| id.starts_with('x')),
        "nothing partial of a rejected event"
    );
}

#[test]
fn torn_and_corrupted_log_tails_are_recovered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    // Events reach the log but the process dies before a flush.
    let lines: Vec<String> = (0..500).map(event_line).collect();
    let acked = run_ingest(&data, &lines, Some(Duration::from_millis(1_500)), "600000");
    assert!(!acked.is_empty());
    let segments: Vec<_> = std::fs::read_dir(data.join("wal"))
        .expect("wal dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    // Append garbage after the last record: a torn write of a batch that
    // was never acknowledged.
    if let Some(last) = segments.iter().max() {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(last)
            .expect("segment");
        file.write_all(&[0x13, 0x00, 0x00, 0x00, 0xde, 0xad])
            .expect("garbage");
    }
    let again = run_ingest(&data, &[event_line(10_000)], None, "30");
    assert_eq!(again.len(), 1);
    let stored = stored_ids(&data);
    for line in &acked {
        let id = format!("e{:07}", line - 1);
        assert_eq!(stored.get(&id), Some(&1), "{id}");
    }
    assert!(stored.contains_key("e0010000"));
}
