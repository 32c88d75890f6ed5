//! WIP
use crate::generator::{Context, CustomerRecord};
use crate::planted::PlantedSituation;
pub(crate) fn definition() -> model::JourneyDefinition { crate::retail::definition() }
pub(crate) fn planted() -> Vec<PlantedSituation> { Vec::new() }
pub(crate) fn customer(context: &Context, index: u64) -> CustomerRecord { crate::retail::customer(context, index) }
