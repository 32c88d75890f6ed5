//! The synthetic businesses one can generate.

use crate::agents::Desk;
use crate::broadband;
use crate::generator::{Context, CustomerRecord};
use crate::planted::PlantedSituation;
use crate::retail;
use model::JourneyDefinition;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// An omni-channel retailer of home electronics: the demo business.
    Retail,
    /// An internet provider: sign-up, installation, bills, outages, renewal.
    Broadband,
}

impl Scenario {
    pub const ALL: [Scenario; 2] = [Scenario::Retail, Scenario::Broadband];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Retail => "retail",
            Scenario::Broadband => "broadband",
        }
    }

    pub fn parse(name: &str) -> Option<Scenario> {
        Scenario::ALL
            .into_iter()
            .find(|scenario| scenario.name() == name.trim().to_ascii_lowercase())
    }

    pub fn description(self) -> &'static str {
        match self {
            Scenario::Retail => "an online and in-store retailer of home electronics",
            Scenario::Broadband => {
                "a broadband internet provider with installations, monthly bills and renewals"
            }
        }
    }

    /// The business's journey definition: stages, touchpoints, personas,
    /// outcomes, targets and the designed journey. Always valid.
    pub fn definition(self) -> JourneyDefinition {
        match self {
            Scenario::Retail => retail::definition(),
            Scenario::Broadband => broadband::definition(),
        }
    }

    /// The problems planted in the business, with their expected effects.
    pub fn planted(self) -> Vec<PlantedSituation> {
        match self {
            Scenario::Retail => retail::planted(),
            Scenario::Broadband => broadband::planted(),
        }
    }

    /// The agents' habits at their desks, for the agents' events.
    pub(crate) fn desk(self) -> &'static Desk {
        match self {
            Scenario::Retail => &retail::DESK,
            Scenario::Broadband => &broadband::DESK,
        }
    }

    pub(crate) fn customer(self, context: &Context, index: u64) -> CustomerRecord {
        match self {
            Scenario::Retail => retail::customer(context, index),
            Scenario::Broadband => broadband::customer(context, index),
        }
    }
}

/// One touchpoint of a scenario's table: name, stage index, usual channel,
/// the kind where the touchpoint differs from its channel's (e-mail tickets
/// are answered by people), label.
pub(crate) type TouchpointRow = (
    &'static str,
    usize,
    &'static str,
    Option<model::ChannelKind>,
    &'static str,
);

/// A scenario's touchpoint table as the definition's touchpoints; a row
/// without its own kind takes its channel's.
pub(crate) fn touchpoint_defs(
    rows: &[TouchpointRow],
    stages: &[&str],
    channels: &[(&str, model::ChannelKind)],
) -> Vec<model::TouchpointDef> {
    rows.iter()
        .map(|(name, stage, channel, kind, label)| model::TouchpointDef {
            name: name.to_string(),
            stage: stages[*stage].to_string(),
            channel: Some(channel.to_string()),
            kind: kind.or_else(|| {
                channels
                    .iter()
                    .find(|(c, _)| c == channel)
                    .map(|(_, kind)| *kind)
            }),
            label: Some(label.to_string()),
        })
        .collect()
}
