//! Helpers for the kernels' unit tests: a small catalog and journeys written
//! as one line of text each, so that a test case reads like its data.

use crate::owned::OwnedJourney;
use model::{Catalog, JourneyDefinition};

/// Stages `explore`, `buy`, `help` (plus `unknown`); touchpoints `a`, `b`
/// (explore), `c` (buy), `d` (help, human) and `x` (no stage, physical);
/// personas `older` (bit 0) and `mobile` (bit 1).
pub fn test_catalog() -> Catalog {
    let definition = JourneyDefinition::from_toml(
        r#"
stages = ["explore", "buy", "help"]
[[touchpoint]]
name = "a"
stage = "explore"
channel = "web"
[[touchpoint]]
name = "b"
stage = "explore"
channel = "email"
[[touchpoint]]
name = "c"
stage = "buy"
channel = "web"
[[touchpoint]]
name = "d"
stage = "help"
channel = "phone"
[[persona]]
name = "older"
[[persona]]
name = "mobile"
"#,
    )
    .expect("test definition is valid");
    let mut catalog = Catalog::new(&definition);
    catalog.intern("x", "parcel");
    catalog
}

/// Parses journeys like `"p=2 a@0 b@1.5:-0.5"`: an optional persona mask,
/// then events `touchpoint@seconds[:emotion]` in order. Customer `i + 1` for
/// line `i`.
pub fn journeys(catalog: &Catalog, lines: &[&str]) -> Vec<OwnedJourney> {
    (lines.iter().enumerate())
        .map(|(i, line)| journey(catalog, i as u64 + 1, line))
        .collect()
}

fn journey(catalog: &Catalog, customer: u64, line: &str) -> OwnedJourney {
    let mut journey = OwnedJourney::new(customer, 0);
    for token in line.split_whitespace() {
        if let Some(mask) = token.strip_prefix("p=") {
            journey.personas = mask.parse().expect("persona mask is a number");
            continue;
        }
        let (name, rest) = token.split_once('@').expect("event is touchpoint@seconds");
        let (seconds, emotion) = rest.split_once(':').unwrap_or((rest, "NaN"));
        let seconds: f64 = seconds.parse().expect("seconds are a number");
        let id = catalog
            .lookup(name)
            .expect("touchpoint is in the test catalog");
        let emotion = emotion.parse().expect("emotion is a number");
        journey.push((seconds * 1e6).round() as i64, id, emotion);
    }
    journey
}

/// Rounds to nine decimals so that expectations need not spell float noise.
pub fn round9(value: f64) -> f64 {
    (value * 1e9).round() / 1e9
}
