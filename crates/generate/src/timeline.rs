//! One customer's events while they are being generated: events are pushed
//! in the order the simulation decides them, then sorted by time, cut to
//! the dataset's window and given event ids in journey order.

use crate::rng::{Rng, mix64};
use crate::time::{MINUTE_US, SECOND_US};
use model::Event;

/// The half-open interval `[start_us, end_us)` of generated time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub(crate) start_us: i64,
    pub(crate) end_us: i64,
}

/// The identity a customer's events carry before they sign in, when the
/// dataset asks for anonymous browsing.
#[derive(Debug, Clone)]
struct Anonymous {
    distinct_id: String,
    customer: u64,
    /// Set once the customer has signed in; later events carry the main id.
    identified: bool,
}

pub(crate) struct Timeline {
    distinct_id: String,
    customer: u64,
    id_tag: u64,
    anonymous: Option<Anonymous>,
    events: Vec<Event>,
    window: Window,
    /// The latest event time pushed so far.
    last_ts_us: i64,
}

impl Timeline {
    pub(crate) fn new(distinct_id: String, id_tag: u64, window: Window) -> Timeline {
        Timeline {
            customer: Event::customer_key(&distinct_id),
            distinct_id,
            id_tag,
            anonymous: None,
            events: Vec::with_capacity(32),
            window,
            last_ts_us: i64::MIN,
        }
    }

    /// Events from now on carry an anonymous id until [`Timeline::identify`].
    pub(crate) fn browse_anonymously(&mut self) {
        let distinct_id = format!("anon-{:016x}", mix64(self.id_tag ^ 0x5eed));
        let customer = Event::customer_key(&distinct_id);
        self.anonymous = Some(Anonymous {
            distinct_id,
            customer,
            identified: false,
        });
    }

    /// The customer signs in: later events carry the main id, and the first
    /// of them names the anonymous id so that stitching can link the two.
    pub(crate) fn identify(&mut self) {
        if let Some(anonymous) = &mut self.anonymous {
            anonymous.identified = true;
        }
    }

    pub(crate) fn last_ts_us(&self) -> i64 {
        self.last_ts_us
    }

    /// How many of the events pushed so far satisfy `predicate`.
    pub(crate) fn count(&self, predicate: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|event| predicate(event)).count()
    }

    /// Adds an event and returns it for the caller to fill in.
    pub(crate) fn push(
        &mut self,
        rng: &mut Rng,
        ts_us: i64,
        touchpoint: &'static str,
        channel: &'static str,
    ) -> &mut Event {
        self.last_ts_us = self.last_ts_us.max(ts_us);
        let (distinct_id, customer) = match &self.anonymous {
            Some(anonymous) if !anonymous.identified => {
                (anonymous.distinct_id.clone(), anonymous.customer)
            }
            _ => (self.distinct_id.clone(), self.customer),
        };
        self.events.push(Event {
            ts_us,
            received_at_us: ts_us + received_delay_us(rng, channel),
            customer,
            distinct_id,
            touchpoint: touchpoint.to_string(),
            channel: channel.to_string(),
            ..Event::default()
        });
        self.events.last_mut().expect("an event was just pushed")
    }

    /// The event pushed last, for callers that add to it afterwards.
    pub(crate) fn last_mut(&mut self) -> &mut Event {
        self.events.last_mut().expect("an event was pushed before")
    }

    /// The customer's events in journey order, inside the window, with ids.
    pub(crate) fn finish(mut self) -> Vec<Event> {
        if !self.events.is_sorted_by_key(|event| event.ts_us) {
            self.events.sort_by_key(|event| event.ts_us);
        }
        let window = self.window;
        self.events
            .retain(|event| (window.start_us..window.end_us).contains(&event.ts_us));
        let prefix = format!("{:016x}-", self.id_tag);
        for (position, event) in self.events.iter_mut().enumerate() {
            event.event_id = event_id(&prefix, position);
        }
        if let Some(anonymous) = &self.anonymous {
            link_anonymous_id(&mut self.events, &self.distinct_id, &anonymous.distinct_id);
        }
        self.events
    }
}

/// `prefix` followed by the position as five (or more) decimal digits, so
/// that ids sort in journey order. Written by hand: this runs once per
/// event and `format!` is measurably slower.
fn event_id(prefix: &str, position: usize) -> String {
    let mut id = String::with_capacity(prefix.len() + 6);
    id.push_str(prefix);
    push_decimal(&mut id, position as u64, 5);
    id
}

/// Appends `value` in decimal, zero-padded to `min_digits`.
fn push_decimal(text: &mut String, mut value: u64, min_digits: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while value > 0 || digits.len() - start < min_digits.max(1) {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    text.push_str(std::str::from_utf8(&digits[start..]).expect("ASCII digits"));
}

/// Names the anonymous id in the properties of the first signed-in event.
fn link_anonymous_id(events: &mut [Event], distinct_id: &str, anonymous_id: &str) {
    let Some(first) = events
        .iter_mut()
        .find(|event| event.distinct_id == distinct_id)
    else {
        return;
    };
    let link = format!("\"anonymous_id\":\"{anonymous_id}\"");
    first.properties = Some(match first.properties.take() {
        Some(json) if json.len() > 2 => format!("{{{link},{}", &json[1..]),
        _ => format!("{{{link}}}"),
    });
}

/// How long an event takes to reach the collector: web and email beacons
/// arrive within a second or two, the app sometimes batches while offline,
/// couriers' scans and till uploads trickle in over minutes.
fn received_delay_us(rng: &mut Rng, channel: &str) -> i64 {
    match channel {
        "mobile_app" if rng.chance(0.03) => rng.between(10 * MINUTE_US, 360 * MINUTE_US),
        "store" => rng.between(MINUTE_US, 60 * MINUTE_US),
        "courier" | "packaging" | "product" | "print" | "mail" | "field" => {
            rng.between(MINUTE_US, 30 * MINUTE_US)
        }
        _ => rng.between(SECOND_US / 20, 2 * SECOND_US),
    }
}

/// Builds the `properties` JSON object. Keys and string values come from the
/// scenarios' own tables and ids, so they never need escaping; a debug
/// assertion guards that.
pub(crate) struct Props {
    json: String,
}

impl Props {
    pub(crate) fn new() -> Props {
        let mut json = String::with_capacity(128);
        json.push('{');
        Props { json }
    }

    fn key(&mut self, key: &str) {
        debug_assert!(is_plain(key), "key {key:?} needs escaping");
        if self.json.len() > 1 {
            self.json.push(',');
        }
        self.json.push('"');
        self.json.push_str(key);
        self.json.push_str("\":");
    }

    pub(crate) fn str(mut self, key: &str, value: &str) -> Props {
        debug_assert!(is_plain(value), "value {value:?} needs escaping");
        self.key(key);
        self.json.push('"');
        self.json.push_str(value);
        self.json.push('"');
        self
    }

    pub(crate) fn int(mut self, key: &str, value: i64) -> Props {
        self.key(key);
        if value < 0 {
            self.json.push('-');
        }
        push_decimal(&mut self.json, value.unsigned_abs(), 1);
        self
    }

    pub(crate) fn finish(mut self) -> Option<String> {
        self.json.push('}');
        Some(self.json)
    }
}

fn is_plain(text: &str) -> bool {
    text.chars()
        .all(|c| c != '"' && c != '\\' && !c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn props_build_json() {
        let json = Props::new()
            .str("queue", "billing")
            .int("talk_s", 120)
            .int("n", -7)
            .int("z", 0)
            .finish();
        assert_eq!(
            json.as_deref(),
            Some(r#"{"queue":"billing","talk_s":120,"n":-7,"z":0}"#)
        );
        assert_eq!(Props::new().finish().as_deref(), Some("{}"));
    }

    #[test]
    fn timeline_sorts_cuts_and_names_events() {
        let mut rng = Rng::new(1);
        let window = Window {
            start_us: 100,
            end_us: 1_000,
        };
        let mut timeline = Timeline::new("c1".to_string(), 9, window);
        timeline.browse_anonymously();
        timeline.push(&mut rng, 500, "b", "web");
        timeline.push(&mut rng, 200, "a", "web");
        timeline.identify();
        timeline.push(&mut rng, 700, "c", "web").properties = Props::new().int("x", 1).finish();
        timeline.push(&mut rng, 5_000, "late", "web");
        timeline.push(&mut rng, 50, "early", "web");
        let events = timeline.finish();
        let names: Vec<&str> = events.iter().map(|e| e.touchpoint.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(events.windows(2).all(|w| w[0].event_id < w[1].event_id));
        assert_eq!(events[0].event_id, "0000000000000009-00000");
        assert_eq!(event_id("p-", 123_456), "p-123456");
        assert!(events[0].distinct_id.starts_with("anon-"));
        assert_eq!(events[2].distinct_id, "c1");
        assert_eq!(events[2].customer, Event::customer_key("c1"));
        let expected = format!("{{\"anonymous_id\":\"{}\",\"x\":1}}", events[0].distinct_id);
        assert_eq!(events[2].properties.as_deref(), Some(expected.as_str()));
    }
}
