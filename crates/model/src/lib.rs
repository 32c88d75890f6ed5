//! touchpoint's vocabulary: the event, the journey definition, the catalog of
//! interned names and the Arrow schema of stored events. No I/O, no clock.

pub mod agent;
mod catalog;
mod definition;
mod event;
mod schema;
pub mod time;

pub use catalog::{Catalog, TouchpointId, TouchpointInfo};
pub use definition::{
    Condition, DefinitionError, DesignedStep, IdentityRules, JourneyDefinition, Outcomes, Persona,
    Targets, TouchpointDef, TraitStrategy, UNKNOWN_STAGE,
};
pub use event::{ChannelKind, Event, RatingScale, Traits};
pub use schema::{FORMAT_VERSION, columns, event_schema};
pub use time::{format_timestamp, parse_timestamp};
