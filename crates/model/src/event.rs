//! The event: one interaction of one customer with one touchpoint at one time.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The medium's kind: who or what the customer meets there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Digital,
    Human,
    Physical,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 3] = [
        ChannelKind::Digital,
        ChannelKind::Human,
        ChannelKind::Physical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Digital => "digital",
            ChannelKind::Human => "human",
            ChannelKind::Physical => "physical",
        }
    }

    pub fn parse(name: &str) -> Option<ChannelKind> {
        match name {
            "digital" => Some(ChannelKind::Digital),
            "human" => Some(ChannelKind::Human),
            "physical" => Some(ChannelKind::Physical),
            _ => None,
        }
    }

    /// The kind of a channel that no journey definition mentions, guessed
    /// from common channel names; unknown names count as digital because
    /// most uninstrumented event streams come from web and app trackers.
    pub fn guess(channel: &str) -> ChannelKind {
        match channel {
            "phone" | "call" | "voice" | "chat" | "live_chat" | "store" | "branch" | "agent"
            | "video" | "field_service" | "sales" | "in_person" => ChannelKind::Human,
            "mail" | "post" | "packaging" | "parcel" | "delivery" | "print" | "receipt"
            | "product" | "catalog" | "flyer" | "billboard" => ChannelKind::Physical,
            _ => ChannelKind::Digital,
        }
    }
}

/// The scale a rating was given on; each maps onto the emotion range [-1, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingScale {
    /// Customer satisfaction, 1 (very unsatisfied) to 5 (very satisfied).
    Csat5,
    /// Net promoter score question, 0 to 10.
    Nps10,
    /// Customer effort score, 1 (very hard) to 7 (very easy).
    Ces7,
}

impl RatingScale {
    pub fn as_str(self) -> &'static str {
        match self {
            RatingScale::Csat5 => "csat_5",
            RatingScale::Nps10 => "nps_10",
            RatingScale::Ces7 => "ces_7",
        }
    }

    pub fn parse(name: &str) -> Option<RatingScale> {
        match name.trim().to_ascii_lowercase().as_str() {
            "csat_5" | "csat" | "csat5" => Some(RatingScale::Csat5),
            "nps_10" | "nps" | "nps10" => Some(RatingScale::Nps10),
            "ces_7" | "ces" | "ces7" => Some(RatingScale::Ces7),
            _ => None,
        }
    }

    /// The valid range of answers, inclusive.
    pub fn range(self) -> (f32, f32) {
        match self {
            RatingScale::Csat5 => (1.0, 5.0),
            RatingScale::Nps10 => (0.0, 10.0),
            RatingScale::Ces7 => (1.0, 7.0),
        }
    }

    /// The answer as an emotion score (DESIGN §7): CSAT (x−3)/2, NPS (x−5)/5,
    /// CES (x−4)/3. `None` when the answer lies outside the scale.
    pub fn to_emotion(self, rating: f32) -> Option<f32> {
        let (low, high) = self.range();
        if !(low..=high).contains(&rating) {
            return None;
        }
        Some(match self {
            RatingScale::Csat5 => (rating - 3.0) / 2.0,
            RatingScale::Nps10 => (rating - 5.0) / 5.0,
            RatingScale::Ces7 => (rating - 4.0) / 3.0,
        })
    }
}

/// Customer traits: trait name → value, as imported or sent with `identify`.
pub type Traits = BTreeMap<String, String>;

/// One event as it arrives and as it is stored (DESIGN §4). Durations are
/// seconds, timestamps microseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Event {
    pub event_id: String,
    pub ts_us: i64,
    pub received_at_us: i64,
    /// Canonical customer key after identity stitching.
    pub customer: u64,
    /// The identity that came with the event.
    pub distinct_id: String,
    pub touchpoint: String,
    pub channel: String,
    /// Set by the event; otherwise the journey definition decides.
    pub stage: Option<String>,
    pub channel_kind: Option<ChannelKind>,
    pub agent: Option<String>,
    pub text: Option<String>,
    pub sentiment: Option<f32>,
    pub rating: Option<f32>,
    pub rating_scale: Option<RatingScale>,
    pub emotion: Option<f32>,
    pub value: Option<f64>,
    pub wait_s: Option<f32>,
    pub handle_s: Option<f32>,
    pub resolved: Option<bool>,
    pub abandoned: Option<bool>,
    /// Everything else, as a JSON object in text form.
    pub properties: Option<String>,
}

impl Event {
    /// The customer key of an identity before any stitching: a stable 64-bit
    /// hash (FNV-1a) so that every process maps the same id to the same key.
    pub fn customer_key(distinct_id: &str) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in distinct_id.as_bytes() {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_scales_map_to_emotion_range() {
        let check = |scale: RatingScale, rating: f32, expected: Option<f32>| {
            assert_eq!(scale.to_emotion(rating), expected, "{scale:?} {rating}");
        };
        check(RatingScale::Csat5, 1.0, Some(-1.0));
        check(RatingScale::Csat5, 3.0, Some(0.0));
        check(RatingScale::Csat5, 5.0, Some(1.0));
        check(RatingScale::Nps10, 0.0, Some(-1.0));
        check(RatingScale::Nps10, 10.0, Some(1.0));
        check(RatingScale::Ces7, 7.0, Some(1.0));
        check(RatingScale::Ces7, 1.0, Some(-1.0));
        check(RatingScale::Csat5, 6.0, None);
        check(RatingScale::Nps10, -1.0, None);
    }

    #[test]
    fn customer_key_is_stable() {
        assert_eq!(Event::customer_key(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(Event::customer_key("a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(Event::customer_key("alice"), Event::customer_key("bob"));
    }

    #[test]
    fn channel_kind_guesses() {
        assert_eq!(ChannelKind::guess("phone"), ChannelKind::Human);
        assert_eq!(ChannelKind::guess("packaging"), ChannelKind::Physical);
        assert_eq!(ChannelKind::guess("web"), ChannelKind::Digital);
        assert_eq!(ChannelKind::guess("something_new"), ChannelKind::Digital);
    }
}
