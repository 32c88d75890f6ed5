//! The journey map summary: per touchpoint and per stage, for everyone and
//! for each persona — volumes, reach, drop-off, time to the next stage and
//! the emotion with its 95 % interval. The stage list, in stage order, is
//! the emotion curve.
//!
//! Semantics:
//! - `customers` counts journeys with at least one event at the touchpoint
//!   (or in the stage); each journey is one customer's, observed once.
//!   Journeys without events are ignored.
//! - `drop_off` is the share of those customers whose journey ENDS there:
//!   last event at the touchpoint (or in the stage) ÷ customers who reached
//!   it. A customer who passes through and ends elsewhere did not drop off.
//! - A stage visit is a maximal run of consecutive events in one stage; its
//!   time to the next stage runs from the run's first event to the first
//!   event of the next run. A journey's last visit has none.
//! - Emotion means count events with an emotion (not NaN) only.
//! - Touchpoints appear when they have events, ordered by stage and name;
//!   every stage of the catalog appears, the unknown stage last.

use crate::stats::{MeanAccumulator, MeanInterval, Summary};
use crate::{Accumulator, Journey};
use model::{Catalog, ChannelKind, TouchpointId, TouchpointInfo};
use serde::Serialize;
use std::sync::Arc;

/// What the journey map summarises.
#[derive(Debug, Clone)]
pub struct MapSpec {
    /// Names, stages and channel kinds; it must know every touchpoint that
    /// the observed journeys hold.
    pub catalog: Arc<Catalog>,
    /// Persona names; bit `i` of [`Journey::personas`] is persona `i`. Bits
    /// beyond this list are ignored.
    pub personas: Vec<String>,
}

impl MapSpec {
    /// A map for the personas of the catalog's journey definition.
    pub fn new(catalog: Arc<Catalog>) -> MapSpec {
        let personas = (catalog.definition().personas.iter())
            .map(|persona| persona.name.clone())
            .collect();
        MapSpec { catalog, personas }
    }
}

/// The finished map, in the contract's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyMap {
    /// Customers with at least one event.
    pub customers: u64,
    pub touchpoints: Vec<TouchpointSummary>,
    pub stages: Vec<StageSummary>,
    /// One entry per persona of the spec, in the spec's order.
    pub personas: Vec<PersonaMap>,
}

/// The map restricted to one persona's customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaMap {
    pub persona: String,
    pub customers: u64,
    pub touchpoints: Vec<TouchpointSummary>,
    pub stages: Vec<StageSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchpointSummary {
    pub touchpoint: String,
    pub stage: String,
    pub kind: ChannelKind,
    pub events: u64,
    pub customers: u64,
    /// Customers whose journey ends here ÷ customers who reached it.
    pub drop_off: f64,
    /// `None` when no event here carries an emotion.
    pub emotion: Option<MeanInterval>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageSummary {
    pub stage: String,
    pub events: u64,
    pub customers: u64,
    /// Customers whose journey ends in this stage ÷ customers who reached
    /// it; `None` when nobody reached it.
    pub drop_off: Option<f64>,
    /// Seconds from the start of a visit to the start of the next stage's
    /// visit; `None` when no visit was followed by another stage.
    pub time_to_next_stage_s: Option<Summary>,
    /// `None` when no event in the stage carries an emotion.
    pub emotion: Option<MeanInterval>,
}

/// Builds a [`JourneyMap`]; see the module documentation.
#[derive(Debug)]
pub struct MapAccumulator {
    spec: MapSpec,
    /// Stage index per touchpoint id, copied out of the catalog for speed.
    stage_of: Vec<usize>,
    /// Group 0 is everyone, group `1 + i` is persona `i`.
    groups: Vec<Group>,
    /// The current journey's contribution, built once and added to each of
    /// its customer's groups.
    journey: JourneyContribution,
}

/// Counts of one group of customers, indexed by touchpoint id and stage.
#[derive(Debug, Clone)]
struct Group {
    customers: u64,
    touchpoints: Vec<Cell>,
    stages: Vec<Cell>,
}

/// Counts at one touchpoint or stage; also one journey's contribution.
#[derive(Debug, Clone, Default)]
struct Cell {
    events: u64,
    customers: u64,
    ends: u64,
    emotion: MeanAccumulator,
    /// Stages only: durations of visits followed by another stage.
    time_to_next_us: Vec<i64>,
}

/// One journey's cells: touchpoints sparse (journeys touch few of them),
/// stages dense (there are few).
#[derive(Debug)]
struct JourneyContribution {
    touchpoints: Vec<(TouchpointId, Cell)>,
    /// Position in `touchpoints` per touchpoint id, `NOT_TOUCHED` if absent.
    position: Vec<u32>,
    stages: Vec<Cell>,
}

const NOT_TOUCHED: u32 = u32::MAX;

impl Cell {
    fn add_event(&mut self, emotion: f32) {
        self.events += 1;
        if !emotion.is_nan() {
            self.emotion.add(f64::from(emotion));
        }
    }

    fn add(&mut self, other: &Cell) {
        self.events += other.events;
        self.customers += other.customers;
        self.ends += other.ends;
        self.emotion.merge(&other.emotion);
        self.time_to_next_us
            .extend_from_slice(&other.time_to_next_us);
    }

    fn drop_off(&self) -> Option<f64> {
        (self.customers > 0).then(|| self.ends as f64 / self.customers as f64)
    }
}

impl Group {
    fn new(n_touchpoints: usize, n_stages: usize) -> Group {
        Group {
            customers: 0,
            touchpoints: vec![Cell::default(); n_touchpoints],
            stages: vec![Cell::default(); n_stages],
        }
    }

    fn add_journey(&mut self, journey: &JourneyContribution) {
        self.customers += 1;
        for (id, cell) in &journey.touchpoints {
            self.touchpoints[id.index()].add(cell);
        }
        // A journey reaches few stages; the others would add zeros.
        for (mine, cell) in self.stages.iter_mut().zip(&journey.stages) {
            if cell.customers > 0 {
                mine.add(cell);
            }
        }
    }

    fn add_group(&mut self, other: &Group) {
        self.customers += other.customers;
        for (mine, cell) in self.touchpoints.iter_mut().zip(&other.touchpoints) {
            mine.add(cell);
        }
        for (mine, cell) in self.stages.iter_mut().zip(&other.stages) {
            mine.add(cell);
        }
    }
}

impl JourneyContribution {
    fn new(n_touchpoints: usize, n_stages: usize) -> JourneyContribution {
        JourneyContribution {
            touchpoints: Vec::new(),
            position: vec![NOT_TOUCHED; n_touchpoints],
            stages: vec![Cell::default(); n_stages],
        }
    }

    fn clear(&mut self) {
        for (id, _) in self.touchpoints.drain(..) {
            self.position[id.index()] = NOT_TOUCHED;
        }
        for cell in &mut self.stages {
            cell.events = 0;
            cell.customers = 0;
            cell.ends = 0;
            cell.emotion = MeanAccumulator::default();
            cell.time_to_next_us.clear();
        }
    }

    fn touchpoint(&mut self, id: TouchpointId) -> &mut Cell {
        let position = &mut self.position[id.index()];
        if *position == NOT_TOUCHED {
            *position = u32::try_from(self.touchpoints.len()).expect("fewer than 2^32 touchpoints");
            let first_visit = Cell {
                customers: 1,
                ..Cell::default()
            };
            self.touchpoints.push((id, first_visit));
        }
        &mut self.touchpoints[*position as usize].1
    }

    /// Fills the cells from a non-empty journey.
    fn build(&mut self, journey: &Journey<'_>, stage_of: &[usize]) {
        self.clear();
        let touchpoints = journey.touchpoint;
        for (&id, &emotion) in touchpoints.iter().zip(journey.emotion) {
            self.touchpoint(id).add_event(emotion);
            self.stages[stage_of[id.index()]].add_event(emotion);
        }
        let mut visit_start = 0;
        for next in 1..touchpoints.len() {
            let visit_stage = stage_of[touchpoints[visit_start].index()];
            if stage_of[touchpoints[next].index()] != visit_stage {
                let duration_us = journey.ts_us[next] - journey.ts_us[visit_start];
                self.stages[visit_stage].time_to_next_us.push(duration_us);
                visit_start = next;
            }
        }
        for cell in &mut self.stages {
            cell.customers = u64::from(cell.events > 0);
        }
        let last = *touchpoints.last().expect("journey is not empty");
        self.touchpoint(last).ends = 1;
        self.stages[stage_of[last.index()]].ends = 1;
    }
}

impl MapAccumulator {
    pub fn new(spec: &MapSpec) -> MapAccumulator {
        let catalog = &spec.catalog;
        let stage_of: Vec<usize> = catalog
            .touchpoints()
            .map(|(_, info)| info.stage_idx)
            .collect();
        let n_stages = catalog.stages().len();
        let group = Group::new(stage_of.len(), n_stages);
        MapAccumulator {
            spec: spec.clone(),
            groups: vec![group; 1 + spec.personas.len()],
            journey: JourneyContribution::new(stage_of.len(), n_stages),
            stage_of,
        }
    }

    fn summarise(&self, group: &Group) -> (Vec<TouchpointSummary>, Vec<StageSummary>) {
        let catalog = &self.spec.catalog;
        let stages = catalog.stages();
        let mut touchpoints: Vec<(&TouchpointInfo, &Cell)> = (catalog.touchpoints())
            .map(|(_, info)| info)
            .zip(&group.touchpoints)
            .filter(|(_, cell)| cell.events > 0)
            .collect();
        touchpoints.sort_by(|(a, _), (b, _)| (a.stage_idx, &a.name).cmp(&(b.stage_idx, &b.name)));
        let touchpoints = (touchpoints.into_iter())
            .map(|(info, cell)| TouchpointSummary {
                touchpoint: info.name.clone(),
                stage: stages[info.stage_idx].clone(),
                kind: info.kind,
                events: cell.events,
                customers: cell.customers,
                drop_off: cell
                    .drop_off()
                    .expect("a touchpoint with events has customers"),
                emotion: cell.emotion.finish(),
            })
            .collect();
        let stages = (stages.iter())
            .zip(&group.stages)
            .map(|(stage, cell)| StageSummary {
                stage: stage.clone(),
                events: cell.events,
                customers: cell.customers,
                drop_off: cell.drop_off(),
                time_to_next_stage_s: Summary::of_durations_us(&mut cell.time_to_next_us.clone()),
                emotion: cell.emotion.finish(),
            })
            .collect();
        (touchpoints, stages)
    }
}

impl Accumulator for MapAccumulator {
    type Output = JourneyMap;

    fn observe(&mut self, journey: &Journey<'_>) {
        if journey.is_empty() {
            return;
        }
        let n_touchpoints = self.stage_of.len();
        assert!(
            journey.touchpoint.iter().all(|t| t.index() < n_touchpoints),
            "the spec's catalog knows every touchpoint of the journeys"
        );
        self.journey.build(journey, &self.stage_of);
        self.groups[0].add_journey(&self.journey);
        for (persona, group) in self.groups[1..].iter_mut().enumerate() {
            // Personas beyond the mask's 64 bits never match.
            let member = u32::try_from(persona)
                .ok()
                .and_then(|bit| journey.personas.checked_shr(bit));
            if member.is_some_and(|bits| bits & 1 == 1) {
                group.add_journey(&self.journey);
            }
        }
    }

    fn merge(&mut self, other: Self) {
        assert_eq!(
            self.groups.len(),
            other.groups.len(),
            "partials share one spec"
        );
        for (mine, group) in self.groups.iter_mut().zip(&other.groups) {
            mine.add_group(group);
        }
    }

    fn finish(self) -> JourneyMap {
        let (touchpoints, stages) = self.summarise(&self.groups[0]);
        let personas = (self.spec.personas.iter())
            .zip(&self.groups[1..])
            .map(|(persona, group)| {
                let (touchpoints, stages) = self.summarise(group);
                PersonaMap {
                    persona: persona.clone(),
                    customers: group.customers,
                    touchpoints,
                    stages,
                }
            })
            .collect();
        JourneyMap {
            customers: self.groups[0].customers,
            touchpoints,
            stages,
            personas,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{journeys, round9, test_catalog};

    /// One line per touchpoint and per reached stage, group by group.
    fn render(map: &JourneyMap) -> String {
        let mut lines = vec![format!("# everyone {}", map.customers)];
        render_group(&mut lines, &map.touchpoints, &map.stages);
        for persona in &map.personas {
            lines.push(format!("# {} {}", persona.persona, persona.customers));
            render_group(&mut lines, &persona.touchpoints, &persona.stages);
        }
        lines.join("\n")
    }

    fn render_group(
        lines: &mut Vec<String>,
        touchpoints: &[TouchpointSummary],
        stages: &[StageSummary],
    ) {
        for t in touchpoints {
            lines.push(format!(
                "{} {} {} ev={} cu={} drop={} emo={}",
                t.touchpoint,
                t.stage,
                t.kind.as_str(),
                t.events,
                t.customers,
                round9(t.drop_off),
                render_emotion(t.emotion),
            ));
        }
        for s in stages.iter().filter(|s| s.customers > 0) {
            let next = s.time_to_next_stage_s.map_or("-".to_string(), |n| {
                let values = [n.mean, n.median, n.p90, n.min, n.max].map(round9);
                format!("{}/{values:?}", n.count)
            });
            lines.push(format!(
                "stage {} ev={} cu={} drop={} next={next} emo={}",
                s.stage,
                s.events,
                s.customers,
                round9(s.drop_off.expect("reached")),
                render_emotion(s.emotion),
            ));
        }
    }

    fn render_emotion(emotion: Option<MeanInterval>) -> String {
        emotion.map_or("-".to_string(), |e| format!("{}/{}", round9(e.mean), e.n))
    }

    fn check(input: &[&str], expected: &str) {
        let catalog = Arc::new(test_catalog());
        let spec = MapSpec::new(catalog.clone());
        let mut accumulator = MapAccumulator::new(&spec);
        for journey in journeys(&catalog, input) {
            accumulator.observe(&journey.as_journey());
        }
        assert_eq!(
            render(&accumulator.finish()),
            expected.trim(),
            "input {input:?}"
        );
    }

    #[test]
    fn touchpoints_stages_and_personas() {
        check(
            &["a@0:0.5 b@10 c@20:1 a@30", "p=1 a@0:-0.5 d@100:-1"],
            "# everyone 2
a explore digital ev=3 cu=2 drop=0.5 emo=0/2
b explore digital ev=1 cu=1 drop=0 emo=-
c buy digital ev=1 cu=1 drop=0 emo=1/1
d help human ev=1 cu=1 drop=1 emo=-1/1
stage explore ev=4 cu=2 drop=0.5 next=2/[60.0, 60.0, 92.0, 20.0, 100.0] emo=0/2
stage buy ev=1 cu=1 drop=0 next=1/[10.0, 10.0, 10.0, 10.0, 10.0] emo=1/1
stage help ev=1 cu=1 drop=1 next=- emo=-1/1
# older 1
a explore digital ev=1 cu=1 drop=0 emo=-0.5/1
d help human ev=1 cu=1 drop=1 emo=-1/1
stage explore ev=1 cu=1 drop=0 next=1/[100.0, 100.0, 100.0, 100.0, 100.0] emo=-0.5/1
stage help ev=1 cu=1 drop=1 next=- emo=-1/1
# mobile 0",
        );
    }

    #[test]
    fn single_event_and_empty_journeys() {
        check(&[], "# everyone 0\n# older 0\n# mobile 0");
        check(
            &["p=3 c@7:0.25", ""],
            "# everyone 1
c buy digital ev=1 cu=1 drop=1 emo=0.25/1
stage buy ev=1 cu=1 drop=1 next=- emo=0.25/1
# older 1
c buy digital ev=1 cu=1 drop=1 emo=0.25/1
stage buy ev=1 cu=1 drop=1 next=- emo=0.25/1
# mobile 1
c buy digital ev=1 cu=1 drop=1 emo=0.25/1
stage buy ev=1 cu=1 drop=1 next=- emo=0.25/1",
        );
    }

    #[test]
    fn equal_timestamps_and_unknown_stage() {
        check(
            &["x@5 a@5 x@5 x@9"],
            "# everyone 1
a explore digital ev=1 cu=1 drop=0 emo=-
x unknown physical ev=3 cu=1 drop=1 emo=-
stage explore ev=1 cu=1 drop=0 next=1/[0.0, 0.0, 0.0, 0.0, 0.0] emo=-
stage unknown ev=3 cu=1 drop=1 next=1/[0.0, 0.0, 0.0, 0.0, 0.0] emo=-
# older 0
# mobile 0",
        );
    }

    #[test]
    fn a_stage_visit_spans_touchpoints_of_one_stage() {
        // Explore runs a@0..b@3, then c@8 (8 s), then explore again at a@9,
        // then help at d@19 (10 s); help ends the journey.
        check(
            &["a@0 b@3 c@8 a@9 a@12 d@19"],
            "# everyone 1
a explore digital ev=3 cu=1 drop=0 emo=-
b explore digital ev=1 cu=1 drop=0 emo=-
c buy digital ev=1 cu=1 drop=0 emo=-
d help human ev=1 cu=1 drop=1 emo=-
stage explore ev=4 cu=1 drop=0 next=2/[9.0, 9.0, 9.8, 8.0, 10.0] emo=-
stage buy ev=1 cu=1 drop=0 next=1/[1.0, 1.0, 1.0, 1.0, 1.0] emo=-
stage help ev=1 cu=1 drop=1 next=- emo=-
# older 0
# mobile 0",
        );
    }

    #[test]
    fn serializes_to_contract_shape() {
        let catalog = Arc::new(test_catalog());
        let spec = MapSpec {
            catalog: catalog.clone(),
            personas: vec!["older".to_string()],
        };
        let mut accumulator = MapAccumulator::new(&spec);
        for journey in journeys(&catalog, &["p=1 d@0:0.5 d@1:-0.5"]) {
            accumulator.observe(&journey.as_journey());
        }
        let json = serde_json::to_value(accumulator.finish()).expect("serializable");
        let d = serde_json::json!({"touchpoint": "d", "stage": "help", "kind": "human", "events": 2,
            "customers": 1, "drop_off": 1.0,
            "emotion": {"n": 2, "mean": 0.0, "low": -6.353, "high": 6.353}});
        assert_eq!(json["touchpoints"], serde_json::json!([d]));
        assert_eq!(json["personas"][0]["persona"], "older");
        assert_eq!(json["personas"][0]["touchpoints"], serde_json::json!([d]));
        let stage_names: Vec<&str> = (json["stages"].as_array().expect("a list").iter())
            .map(|s| s["stage"].as_str().expect("a name"))
            .collect();
        assert_eq!(stage_names, ["explore", "buy", "help", "unknown"]);
        let help = &json["stages"][2];
        assert_eq!(help["time_to_next_stage_s"], serde_json::Value::Null);
        assert_eq!(help["drop_off"], 1.0);
        assert_eq!(json["stages"][0]["drop_off"], serde_json::Value::Null);
    }
}
