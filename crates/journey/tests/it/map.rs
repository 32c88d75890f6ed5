//! The journey map against a reference that recomputes every figure of
//! every group from the group's journeys, touchpoint by touchpoint and
//! stage by stage.

use crate::common::{assert_same_json, catalog, journeys, plan, run_split};
use journey::map::{
    JourneyMap, MapAccumulator, MapSpec, PersonaMap, StageSummary, TouchpointSummary,
};
use journey::owned::OwnedJourney;
use journey::stats::{MeanAccumulator, Summary};
use model::{Catalog, TouchpointId};
use proptest::prelude::*;

fn reference(catalog: &Catalog, journeys: &[OwnedJourney], personas: &[String]) -> JourneyMap {
    let everyone: Vec<&OwnedJourney> = journeys.iter().filter(|j| !j.ts_us.is_empty()).collect();
    let personas = (personas.iter().enumerate())
        .map(|(bit, persona)| {
            let members: Vec<&OwnedJourney> = everyone
                .iter()
                .copied()
                .filter(|j| j.personas & (1 << bit) != 0)
                .collect();
            PersonaMap {
                persona: persona.clone(),
                customers: members.len() as u64,
                touchpoints: touchpoints(catalog, &members),
                stages: stages(catalog, &members),
            }
        })
        .collect();
    JourneyMap {
        customers: everyone.len() as u64,
        touchpoints: touchpoints(catalog, &everyone),
        stages: stages(catalog, &everyone),
        personas,
    }
}

fn touchpoints(catalog: &Catalog, journeys: &[&OwnedJourney]) -> Vec<TouchpointSummary> {
    let mut summaries = Vec::new();
    for (id, info) in catalog.touchpoints() {
        let mut summary = touchpoint(journeys, |touchpoint| touchpoint == id);
        if summary.events == 0 {
            continue;
        }
        summary.touchpoint = info.name.clone();
        summary.stage = catalog.stages()[info.stage_idx].clone();
        summary.kind = info.kind;
        summaries.push((info.stage_idx, summary));
    }
    summaries.sort_by(|a, b| (a.0, &a.1.touchpoint).cmp(&(b.0, &b.1.touchpoint)));
    summaries.into_iter().map(|(_, summary)| summary).collect()
}

/// Events, customers, drop-off and emotion over the events that `here`
/// accepts; names are left for the caller.
fn touchpoint(
    journeys: &[&OwnedJourney],
    here: impl Fn(TouchpointId) -> bool,
) -> TouchpointSummary {
    let (mut events, mut customers, mut ends) = (0, 0, 0);
    let mut emotion = MeanAccumulator::default();
    for journey in journeys {
        let mut reached = false;
        for (&touchpoint, &value) in journey.touchpoint.iter().zip(&journey.emotion) {
            if here(touchpoint) {
                events += 1;
                reached = true;
                if !value.is_nan() {
                    emotion.add(f64::from(value));
                }
            }
        }
        customers += u64::from(reached);
        ends += u64::from(here(*journey.touchpoint.last().expect("not empty")));
    }
    TouchpointSummary {
        touchpoint: String::new(),
        stage: String::new(),
        kind: model::ChannelKind::Digital,
        events,
        customers,
        drop_off: if customers == 0 {
            f64::NAN
        } else {
            ends as f64 / customers as f64
        },
        emotion: emotion.finish(),
    }
}

fn stages(catalog: &Catalog, journeys: &[&OwnedJourney]) -> Vec<StageSummary> {
    (catalog.stages().iter().enumerate())
        .map(|(stage_idx, stage)| {
            let counts = touchpoint(journeys, |touchpoint| {
                catalog.stage_of(touchpoint) == stage_idx
            });
            let mut seconds = time_to_next_stage(catalog, journeys, stage_idx);
            StageSummary {
                stage: stage.clone(),
                events: counts.events,
                customers: counts.customers,
                drop_off: (counts.customers > 0).then_some(counts.drop_off),
                time_to_next_stage_s: Summary::of(&mut seconds),
                emotion: counts.emotion,
            }
        })
        .collect()
}

/// Splits each journey into visits (maximal runs of one stage) and measures
/// from each visit of `stage_idx` to the start of the visit after it.
fn time_to_next_stage(catalog: &Catalog, journeys: &[&OwnedJourney], stage_idx: usize) -> Vec<f64> {
    let mut seconds = Vec::new();
    for journey in journeys {
        let mut visits: Vec<(usize, i64)> = Vec::new();
        for (&ts_us, &touchpoint) in journey.ts_us.iter().zip(&journey.touchpoint) {
            let stage = catalog.stage_of(touchpoint);
            if visits.last().is_none_or(|&(last, _)| last != stage) {
                visits.push((stage, ts_us));
            }
        }
        for pair in visits.windows(2) {
            if pair[0].0 == stage_idx {
                seconds.push((pair[1].1 - pair[0].1) as f64 / 1e6);
            }
        }
    }
    seconds
}

proptest! {
    #[test]
    fn split_and_merged_map_equals_reference(journeys in journeys(), plan in plan()) {
        let catalog = catalog();
        let spec = MapSpec::new(catalog.clone());
        prop_assert_eq!(spec.personas.len(), 2);
        let actual = run_split(&journeys, &plan, || MapAccumulator::new(&spec));
        assert_same_json(&actual, &reference(&catalog, &journeys, &spec.personas));
    }
}
