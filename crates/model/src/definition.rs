//! The journey definition (`journey.toml`): stages and their cycle, which
//! touchpoint belongs to which stage and channel kind, personas, outcomes,
//! targets, the designed journey and identity rules. Every field has a
//! default so that data with no definition still produces a map.

use crate::event::{ChannelKind, Traits};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The stage of touchpoints that no definition places.
pub const UNKNOWN_STAGE: &str = "unknown";

#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    #[error("journey.toml: {0}")]
    Parse(String),
    #[error("journey.toml: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JourneyDefinition {
    /// Stages in order. The last leads back to the first when `cycle` is set.
    pub stages: Vec<String>,
    pub cycle: bool,
    /// Channel name → kind, for channels whose name does not tell.
    pub channels: BTreeMap<String, ChannelKind>,
    #[serde(rename = "touchpoint")]
    pub touchpoints: Vec<TouchpointDef>,
    #[serde(rename = "persona")]
    pub personas: Vec<Persona>,
    pub outcomes: Outcomes,
    pub targets: Targets,
    /// The designed ("to-be") journey, in order, for conformance checking.
    pub designed: Vec<DesignedStep>,
    pub identity: IdentityRules,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TouchpointDef {
    pub name: String,
    pub stage: String,
    /// The usual channel, used when an event names none.
    pub channel: Option<String>,
    pub kind: Option<ChannelKind>,
    /// A human-readable label for the map.
    pub label: Option<String>,
}

/// A named predicate over customer traits: all conditions must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub when: Vec<Condition>,
}

/// One test of one trait. Every operator given must hold; numeric operators
/// fail on values that are not numbers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Condition {
    #[serde(rename = "trait")]
    pub trait_name: String,
    pub eq: Option<String>,
    pub ne: Option<String>,
    #[serde(rename = "in")]
    pub in_values: Option<Vec<String>>,
    pub not_in: Option<Vec<String>>,
    pub gte: Option<f64>,
    pub lte: Option<f64>,
    pub exists: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Outcomes {
    /// Touchpoints that are a purchase.
    pub purchase: Vec<String>,
    /// The touchpoint whose reach counts as conversion.
    pub conversion: Option<String>,
    /// A purchase within this many days after an earlier one is a repurchase.
    pub repurchase_days: u32,
    /// No activity for this many days counts as churn.
    pub churn_days: u32,
    /// NPS answers at or above this are promoters.
    pub promoter_min: f32,
    /// Touchpoints that are a recommendation or referral.
    pub recommendation: Vec<String>,
}

impl Default for Outcomes {
    fn default() -> Self {
        Outcomes {
            purchase: Vec::new(),
            conversion: None,
            repurchase_days: 90,
            churn_days: 120,
            promoter_min: 9.0,
            recommendation: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Targets {
    /// Waits beyond this are a poor experience.
    pub wait_s: f32,
    /// Share of offered contacts to be answered within `answer_within_s`.
    pub service_level: f32,
    pub answer_within_s: f32,
    /// A purchase should be followed up within this many days.
    pub follow_up_days: u32,
    /// A contact within this many days of the last counts as a repeat.
    pub repeat_contact_days: u32,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            wait_s: 120.0,
            service_level: 0.8,
            answer_within_s: 20.0,
            follow_up_days: 14,
            repeat_contact_days: 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignedStep {
    pub touchpoint: String,
    /// The longest the step should take after the previous one.
    pub max_s: Option<f64>,
    #[serde(default)]
    pub optional: bool,
}

/// How a trait's values combine when customers merge (the `identity` crate
/// implements them; a trait with no strategy uses `Newest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraitStrategy {
    /// The value set last.
    Newest,
    /// The value set first.
    Oldest,
    /// The first value set that is not empty; an empty value never replaces one.
    NonEmpty,
    /// The sum of the numeric values (counters, lifetime value).
    Add,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityRules {
    /// Traits (e.g. `email`, `phone`) whose normalised hash links customers.
    pub merge_on_traits: Vec<String>,
    /// How conflicting trait values are resolved when customers merge.
    pub trait_strategy: BTreeMap<String, TraitStrategy>,
    /// Country calling code (digits, e.g. `"44"`) given to phone numbers
    /// written in national form; without it such numbers link nothing.
    pub phone_default_country_code: Option<String>,
}

impl Default for JourneyDefinition {
    fn default() -> Self {
        JourneyDefinition {
            stages: [
                "awareness",
                "consideration",
                "decision",
                "purchase",
                "post_purchase",
                "support",
                "loyalty",
            ]
            .map(String::from)
            .to_vec(),
            cycle: true,
            channels: BTreeMap::new(),
            touchpoints: Vec::new(),
            personas: Vec::new(),
            outcomes: Outcomes::default(),
            targets: Targets::default(),
            designed: Vec::new(),
            identity: IdentityRules::default(),
        }
    }
}

impl JourneyDefinition {
    /// Parses and validates a `journey.toml`.
    pub fn from_toml(text: &str) -> Result<JourneyDefinition, DefinitionError> {
        let definition: JourneyDefinition =
            toml::from_str(text).map_err(|error| DefinitionError::Parse(error.to_string()))?;
        definition.validate()?;
        Ok(definition)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a definition always serialises")
    }

    pub fn validate(&self) -> Result<(), DefinitionError> {
        let invalid = |message: String| Err(DefinitionError::Invalid(message));
        if self.stages.is_empty() {
            return invalid("at least one stage is needed".into());
        }
        let mut seen = HashSet::new();
        for stage in &self.stages {
            if stage == UNKNOWN_STAGE {
                return invalid(format!("stage name {UNKNOWN_STAGE:?} is reserved"));
            }
            if !seen.insert(stage.as_str()) {
                return invalid(format!("stage {stage:?} appears twice"));
            }
        }
        let mut names = HashSet::new();
        for touchpoint in &self.touchpoints {
            if !names.insert(touchpoint.name.as_str()) {
                return invalid(format!("touchpoint {:?} appears twice", touchpoint.name));
            }
            if self.stage_index(&touchpoint.stage).is_none() {
                return invalid(format!(
                    "touchpoint {:?} names stage {:?}, which is not in stages",
                    touchpoint.name, touchpoint.stage
                ));
            }
        }
        let mut personas = HashSet::new();
        for persona in &self.personas {
            if persona.name.is_empty() || !personas.insert(persona.name.as_str()) {
                return invalid(format!(
                    "persona name {:?} is empty or repeated",
                    persona.name
                ));
            }
            if let Some(condition) = persona.when.iter().find(|c| c.trait_name.is_empty()) {
                return invalid(format!(
                    "persona {:?}: a condition names no trait: {condition:?}",
                    persona.name
                ));
            }
        }
        if self.personas.len() > 64 {
            return invalid("at most 64 personas are supported".into());
        }
        if let Some(code) = &self.identity.phone_default_country_code {
            let digits_only = code.bytes().all(|byte| byte.is_ascii_digit());
            if !digits_only || code.is_empty() || code.len() > 3 || code.starts_with('0') {
                return invalid(format!(
                    "identity.phone_default_country_code {code:?} is not a country calling code (1 to 3 digits, no leading 0)"
                ));
            }
        }
        Ok(())
    }

    /// Position of a stage in the order; `None` for stages not defined.
    pub fn stage_index(&self, stage: &str) -> Option<usize> {
        self.stages.iter().position(|s| s == stage)
    }

    pub fn touchpoint(&self, name: &str) -> Option<&TouchpointDef> {
        self.touchpoints.iter().find(|t| t.name == name)
    }

    /// The stage of a touchpoint: the definition's, or [`UNKNOWN_STAGE`].
    pub fn stage_of(&self, touchpoint: &str) -> &str {
        self.touchpoint(touchpoint)
            .map_or(UNKNOWN_STAGE, |t| t.stage.as_str())
    }

    /// The kind of a channel: the definition's, or a guess from its name.
    pub fn channel_kind(&self, channel: &str) -> ChannelKind {
        self.channels
            .get(channel)
            .copied()
            .unwrap_or_else(|| ChannelKind::guess(channel))
    }

    /// Bit `i` is set when the customer's traits satisfy persona `i`.
    pub fn persona_mask(&self, traits: &Traits) -> u64 {
        let mut mask = 0;
        for (index, persona) in self.personas.iter().enumerate() {
            if persona.matches(traits) {
                mask |= 1 << index;
            }
        }
        mask
    }

    pub fn persona_index(&self, name: &str) -> Option<usize> {
        self.personas.iter().position(|p| p.name == name)
    }
}

impl Persona {
    pub fn matches(&self, traits: &Traits) -> bool {
        self.when
            .iter()
            .all(|condition| condition.holds(traits.get(&condition.trait_name).map(String::as_str)))
    }
}

impl Condition {
    pub fn holds(&self, value: Option<&str>) -> bool {
        if let Some(exists) = self.exists
            && exists != value.is_some_and(|v| !v.is_empty())
        {
            return false;
        }
        let text = value.unwrap_or("");
        let number = text.trim().parse::<f64>().ok();
        self.eq.as_ref().is_none_or(|eq| eq == text)
            && self.ne.as_ref().is_none_or(|ne| ne != text)
            && self
                .in_values
                .as_ref()
                .is_none_or(|values| values.iter().any(|v| v == text))
            && self
                .not_in
                .as_ref()
                .is_none_or(|values| values.iter().all(|v| v != text))
            && self
                .gte
                .is_none_or(|bound| number.is_some_and(|n| n >= bound))
            && self
                .lte
                .is_none_or(|bound| number.is_some_and(|n| n <= bound))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
stages = ["awareness", "purchase", "support"]
cycle = true

[channels]
courier = "physical"

[[touchpoint]]
name = "ad_click"
stage = "awareness"
channel = "social"

[[touchpoint]]
name = "checkout"
stage = "purchase"
kind = "digital"

[[persona]]
name = "older"
when = [{ trait = "age_band", in = ["55-64", "65+"] }]

[[persona]]
name = "mobile_big_spender"
when = [{ trait = "device", eq = "mobile" }, { trait = "spend", gte = 100 }]

[outcomes]
purchase = ["checkout"]
repurchase_days = 60

[[designed]]
touchpoint = "ad_click"

[[designed]]
touchpoint = "checkout"
max_s = 86400
"#;

    fn traits(pairs: &[(&str, &str)]) -> Traits {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_example() {
        let definition = JourneyDefinition::from_toml(EXAMPLE).expect("example is valid");
        assert_eq!(definition.stages.len(), 3);
        assert_eq!(definition.stage_of("checkout"), "purchase");
        assert_eq!(definition.stage_of("nowhere"), UNKNOWN_STAGE);
        assert_eq!(definition.channel_kind("courier"), ChannelKind::Physical);
        assert_eq!(definition.channel_kind("phone"), ChannelKind::Human);
        assert_eq!(definition.outcomes.repurchase_days, 60);
        assert_eq!(definition.outcomes.churn_days, 120);
        assert_eq!(definition.designed[1].max_s, Some(86400.0));
        let round_trip = JourneyDefinition::from_toml(&definition.to_toml()).expect("round trip");
        assert_eq!(round_trip, definition);
    }

    #[test]
    fn personas_match_traits() {
        let definition = JourneyDefinition::from_toml(EXAMPLE).expect("example is valid");
        let check = |pairs: &[(&str, &str)], expected: u64| {
            assert_eq!(
                definition.persona_mask(&traits(pairs)),
                expected,
                "{pairs:?}"
            );
        };
        check(&[("age_band", "65+")], 0b01);
        check(&[("age_band", "25-34")], 0b00);
        check(&[("device", "mobile"), ("spend", "150")], 0b10);
        check(&[("device", "mobile"), ("spend", "lots")], 0b00);
        check(
            &[("device", "mobile"), ("spend", "99"), ("age_band", "55-64")],
            0b01,
        );
    }

    #[test]
    fn rejects_bad_definitions() {
        let check = |text: &str, needle: &str| {
            let error = JourneyDefinition::from_toml(text)
                .expect_err(text)
                .to_string();
            assert!(error.contains(needle), "{error:?} lacks {needle:?}");
        };
        check("stages = []", "at least one stage");
        check("stages = [\"a\", \"a\"]", "appears twice");
        check(
            "stages = [\"a\"]\n[[touchpoint]]\nname = \"x\"\nstage = \"b\"",
            "not in stages",
        );
        check("stagez = [\"a\"]", "unknown field");
        check("stages = [\"unknown\"]", "reserved");
        check(
            "[identity]\nphone_default_country_code = \"+44\"",
            "not a country calling code",
        );
        check(
            "[identity]\nphone_default_country_code = \"0044\"",
            "not a country calling code",
        );
    }

    #[test]
    fn identity_rules_parse() {
        let text = "[identity]\nmerge_on_traits = [\"email\", \"phone\"]\nphone_default_country_code = \"44\"\n[identity.trait_strategy]\nplan = \"newest\"\nlifetime_value = \"add\"\nemail = \"non_empty\"\n";
        let definition = JourneyDefinition::from_toml(text).expect("identity rules are valid");
        let identity = &definition.identity;
        assert_eq!(identity.merge_on_traits, ["email", "phone"]);
        assert_eq!(identity.phone_default_country_code.as_deref(), Some("44"));
        assert_eq!(
            identity.trait_strategy["lifetime_value"],
            TraitStrategy::Add
        );
        assert_eq!(identity.trait_strategy["email"], TraitStrategy::NonEmpty);
    }

    #[test]
    fn empty_file_gives_defaults() {
        let definition = JourneyDefinition::from_toml("").expect("empty is valid");
        assert_eq!(definition, JourneyDefinition::default());
        assert!(definition.cycle);
        assert_eq!(definition.stages[0], "awareness");
    }
}
