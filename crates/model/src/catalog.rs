//! The catalog interns touchpoint and channel names into small integers so
//! that kernels compare numbers, not strings, and resolves them back for
//! output. It also fixes each touchpoint's stage and channel kind.

use crate::definition::{JourneyDefinition, UNKNOWN_STAGE};
use crate::event::ChannelKind;
use std::collections::HashMap;

/// An interned touchpoint name; an index into the [`Catalog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TouchpointId(pub u32);

impl TouchpointId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TouchpointInfo {
    pub name: String,
    /// Index into [`Catalog::stages`]; the last entry is the unknown stage.
    pub stage_idx: usize,
    pub kind: ChannelKind,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    stages: Vec<String>,
    touchpoints: Vec<TouchpointInfo>,
    by_name: HashMap<String, TouchpointId>,
    definition: JourneyDefinition,
}

impl Catalog {
    /// A catalog that already knows the definition's touchpoints, in the
    /// definition's order.
    pub fn new(definition: &JourneyDefinition) -> Catalog {
        let mut stages = definition.stages.clone();
        stages.push(UNKNOWN_STAGE.to_string());
        let mut catalog = Catalog {
            stages,
            touchpoints: Vec::new(),
            by_name: HashMap::new(),
            definition: definition.clone(),
        };
        for touchpoint in &definition.touchpoints {
            let channel = touchpoint.channel.as_deref().unwrap_or("");
            catalog.intern(&touchpoint.name, channel);
        }
        catalog
    }

    pub fn definition(&self) -> &JourneyDefinition {
        &self.definition
    }

    /// The id of a touchpoint, adding it when new. `channel` decides the
    /// kind of a touchpoint the definition does not describe.
    pub fn intern(&mut self, name: &str, channel: &str) -> TouchpointId {
        if let Some(id) = self.by_name.get(name) {
            return *id;
        }
        let id = TouchpointId(
            u32::try_from(self.touchpoints.len()).expect("fewer than 2^32 touchpoints"),
        );
        let defined = self.definition.touchpoint(name);
        let stage_idx = defined
            .and_then(|t| self.definition.stage_index(&t.stage))
            .unwrap_or(self.stages.len() - 1);
        let kind = defined.and_then(|t| t.kind).unwrap_or_else(|| {
            let channel = defined
                .and_then(|t| t.channel.as_deref())
                .unwrap_or(channel);
            self.definition.channel_kind(channel)
        });
        self.touchpoints.push(TouchpointInfo {
            name: name.to_string(),
            stage_idx,
            kind,
        });
        self.by_name.insert(name.to_string(), id);
        id
    }

    pub fn lookup(&self, name: &str) -> Option<TouchpointId> {
        self.by_name.get(name).copied()
    }

    pub fn info(&self, id: TouchpointId) -> &TouchpointInfo {
        &self.touchpoints[id.index()]
    }

    pub fn name(&self, id: TouchpointId) -> &str {
        &self.touchpoints[id.index()].name
    }

    pub fn len(&self) -> usize {
        self.touchpoints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.touchpoints.is_empty()
    }

    /// The defined stages followed by the unknown stage.
    pub fn stages(&self) -> &[String] {
        &self.stages
    }

    pub fn stage_of(&self, id: TouchpointId) -> usize {
        self.touchpoints[id.index()].stage_idx
    }

    pub fn touchpoints(&self) -> impl Iterator<Item = (TouchpointId, &TouchpointInfo)> {
        self.touchpoints
            .iter()
            .enumerate()
            .map(|(i, info)| (TouchpointId(i as u32), info))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_places_touchpoints() {
        let definition = JourneyDefinition::from_toml(
            "stages = [\"a\", \"b\"]\n[[touchpoint]]\nname = \"x\"\nstage = \"b\"\nchannel = \"phone\"",
        )
        .expect("valid");
        let mut catalog = Catalog::new(&definition);
        assert_eq!(catalog.lookup("x"), Some(TouchpointId(0)));
        let y = catalog.intern("y", "parcel");
        assert_eq!(y, TouchpointId(1));
        assert_eq!(catalog.intern("y", "web"), y);
        assert_eq!(catalog.stages(), ["a", "b", UNKNOWN_STAGE]);
        assert_eq!(catalog.stage_of(TouchpointId(0)), 1);
        assert_eq!(catalog.stage_of(y), 2);
        assert_eq!(catalog.info(TouchpointId(0)).kind, ChannelKind::Human);
        assert_eq!(catalog.info(y).kind, ChannelKind::Physical);
        assert_eq!(catalog.name(y), "y");
    }
}
