//! Deterministic synthetic businesses for touchpoint: WIP docs.

mod broadband;
mod contact;
mod generator;
mod life;
mod people;
mod planted;
mod poor;
mod retail;
mod rng;
mod scenario;
mod text;
mod time;
mod timeline;

pub use generator::{
    CustomerRecord, DEFAULT_START_TS_US, GenerateError, GenerateOptions, Generator, Identities,
};
pub use planted::{ExpectedEffect, Planted, PlantedSituation};
pub use poor::{POOR_EMOTION_MAX, is_poor_experience};
pub use scenario::Scenario;
