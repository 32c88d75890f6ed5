//! The insight kernels of `journey::insights` on the generated businesses:
//! every planted situation in reach of these kernels is found at the top
//! with its documented effect size, on the Retail demo and on Broadband;
//! plus hand-computed cases and partition independence.

use crate::common::{Plan, assert_same_json, plan, run_split};
use generate::{CustomerRecord, GenerateOptions, Generator, Scenario};
use journey::insights::follow_up::FollowUpReport;
use journey::insights::pain::PainReport;
use journey::insights::resolution::ResolutionReport;
use journey::insights::risk::{AtRiskReport, RiskReason};
use journey::insights::root_cause::{RootCauseReport, ThemeRootCauses};
use journey::insights::*;
use journey::owned::{OwnedFacts, OwnedJourney};
use journey::{Accumulator, Contact, NO_NAME};
use model::{Catalog, Event};
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Names interned into ids, in order of first sight.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }

    fn lookup(&self, name: &str) -> u32 {
        *self.ids.get(name).expect("the name was seen")
    }
}

/// A generated dataset as the engine would hand it to the kernels.
struct Dataset {
    catalog: Arc<Catalog>,
    journeys: Vec<OwnedJourney>,
    channels: Interner,
    agents: Interner,
    themes: Interner,
    teams: Interner,
    breakdowns: Interner,
    data_end_us: i64,
}

const CUSTOMERS: u64 = 20_000;
const DAYS: u32 = 365;

/// The theme of a text: the first bucket one of whose words it contains,
/// a crude stand-in for `text::themes` that keeps this crate's tests free
/// of the text crate.
fn theme_of(text: &str) -> Option<&'static str> {
    const BUCKETS: &[(&str, &[&str])] = &[
        ("still_broken", &["still", "second", "again", "closed"]),
        ("no_show", &["engineer", "turned", "appointment"]),
        ("refund", &["refund"]),
        ("return", &["return", "returns"]),
        (
            "damaged",
            &["damaged", "broken", "cracked", "crushed", "soaked"],
        ),
        ("late", &["late", "tracking", "due", "order"]),
        (
            "setup",
            &[
                "set",
                "setting",
                "instructions",
                "guide",
                "connect",
                "manual",
            ],
        ),
        ("fault", &["fault", "charging", "switching", "broke"]),
        ("bill", &["bill", "billed", "charged", "charges", "debit"]),
        ("app", &["app", "login", "log"]),
        ("internet", &["internet", "connection", "speeds", "line"]),
        ("cancel", &["cancel", "leave", "cheaper", "end"]),
    ];
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    BUCKETS
        .iter()
        .find(|(_, keys)| keys.iter().any(|k| words.contains(k)))
        .map(|(theme, _)| *theme)
}

fn properties(event: &Event) -> serde_json::Map<String, serde_json::Value> {
    (event.properties.as_deref())
        .map(|json| serde_json::from_str(json).expect("properties are JSON"))
        .unwrap_or_default()
}

impl Dataset {
    fn generate(scenario: Scenario) -> Dataset {
        let definition = scenario.definition();
        let options = GenerateOptions {
            customers: CUSTOMERS,
            seed: 7,
            days: DAYS,
            ..GenerateOptions::default()
        };
        let start_us = options.start_ts_us;
        let mut catalog = Catalog::new(&definition);
        let mut dataset = Dataset {
            catalog: Arc::new(Catalog::new(&definition)),
            journeys: Vec::new(),
            channels: Interner::default(),
            agents: Interner::default(),
            themes: Interner::default(),
            teams: Interner::default(),
            breakdowns: Interner::default(),
            data_end_us: start_us + i64::from(DAYS) * 86_400_000_000,
        };
        let mut issues = Interner::default();
        let mut queues = Interner::default();
        for customer in Generator::new(scenario, options).expect("valid options") {
            let journey = dataset.journey(
                &mut catalog,
                &mut issues,
                &mut queues,
                &customer,
                &definition,
            );
            dataset.journeys.push(journey);
        }
        dataset.catalog = Arc::new(catalog);
        dataset
    }

    fn journey(
        &mut self,
        catalog: &mut Catalog,
        issues: &mut Interner,
        queues: &mut Interner,
        customer: &CustomerRecord,
        definition: &model::JourneyDefinition,
    ) -> OwnedJourney {
        let mut journey = OwnedJourney::new(
            Event::customer_key(&customer.distinct_id),
            definition.persona_mask(&customer.traits),
        );
        let mut facts = OwnedFacts::default();
        for event in &customer.events {
            let id = catalog.intern(&event.touchpoint, &event.channel);
            journey.push(event.ts_us, id, f32::NAN);
            let props = properties(event);
            let text_prop = |key: &str| props.get(key).and_then(|v| v.as_str()).map(String::from);
            let number = |key: &str| props.get(key).and_then(|v| v.as_f64());
            facts.channel.push(self.channels.id(&event.channel));
            facts.value.push(event.value.unwrap_or(f64::NAN));
            facts.rating.push(event.rating.unwrap_or(f32::NAN));
            facts.rating_scale.push(event.rating_scale);
            facts.sentiment.push(f32::NAN);
            facts.text.push(event.text.clone());
            let theme = event.text.as_deref().and_then(theme_of);
            facts
                .theme
                .push(theme.map_or(NO_NAME, |t| self.themes.id(t)));
            let agent = event.agent.as_deref();
            facts
                .agent
                .push(agent.map_or(NO_NAME, |a| self.agents.id(a)));
            facts.wait_s.push(event.wait_s.unwrap_or(f32::NAN));
            facts.handle_s.push(event.handle_s.unwrap_or(f32::NAN));
            facts.resolved.push(event.resolved);
            facts.abandoned.push(event.abandoned);
            let contact = match text_prop("queue") {
                Some(queue) => Contact {
                    queue: queues.id(&queue),
                    team: text_prop("team").map_or(NO_NAME, |t| self.teams.id(&t)),
                    skill: NO_NAME,
                    issue: text_prop("issue").map_or(NO_NAME, |i| issues.id(&i)),
                    talk_s: number("talk_s").map_or(f32::NAN, |v| v as f32),
                    hold_s: number("hold_s").map_or(f32::NAN, |v| v as f32),
                    wrap_s: number("wrap_s").map_or(f32::NAN, |v| v as f32),
                    transfers: number("transfers").map_or(0, |v| v as u16),
                },
                None => Contact::NONE,
            };
            facts.contact.push(contact);
            let breakdown = if let Some(category) = text_prop("category") {
                Some(category)
            } else if let Some(status) = text_prop("status") {
                Some(status)
            } else {
                number("bill_no").map(|n| if n == 1.0 { "first_bill" } else { "later_bill" }.into())
            };
            journey
                .breakdown
                .push(breakdown.map_or(NO_NAME, |b| self.breakdowns.id(&b)));
        }
        journey.facts = facts;
        journey
    }

    fn spec(&self) -> InsightSpec {
        let mut spec = InsightSpec::new(self.catalog.clone());
        spec.data_end_us = Some(self.data_end_us);
        spec
    }

    fn touchpoint(&self, id: u32) -> &str {
        self.catalog.name(model::TouchpointId(id))
    }
}

fn dataset(scenario: Scenario) -> &'static Dataset {
    static RETAIL: OnceLock<Dataset> = OnceLock::new();
    static BROADBAND: OnceLock<Dataset> = OnceLock::new();
    match scenario {
        Scenario::Retail => RETAIL.get_or_init(|| Dataset::generate(Scenario::Retail)),
        Scenario::Broadband => BROADBAND.get_or_init(|| Dataset::generate(Scenario::Broadband)),
    }
}

fn run<A: Accumulator>(dataset: &Dataset, mut accumulator: A) -> A::Output {
    for journey in &dataset.journeys {
        accumulator.observe(&journey.as_journey());
    }
    accumulator.finish()
}

/// Every report of the kernels on one dataset, computed once.
struct Reports {
    pain: PainReport,
    roots: RootCauseReport,
    follow_up: FollowUpReport,
    risk: AtRiskReport,
    resolution: ResolutionReport,
}

fn reports(scenario: Scenario) -> &'static Reports {
    static RETAIL: OnceLock<Reports> = OnceLock::new();
    static BROADBAND: OnceLock<Reports> = OnceLock::new();
    let cell = match scenario {
        Scenario::Retail => &RETAIL,
        Scenario::Broadband => &BROADBAND,
    };
    cell.get_or_init(|| {
        let data = dataset(scenario);
        let context = Arc::new(
            data.spec()
                .validate()
                .expect("the scenario's spec is valid"),
        );
        let pain = PainPointsAccumulator::new(context.clone(), PainOptions::default());
        let roots = RootCauseAccumulator::new(context.clone(), RootCauseOptions::default());
        let follow_up = FollowUpAccumulator::new(context.clone(), FollowUpOptions::default());
        let risk = AtRiskAccumulator::new(context.clone(), RiskOptions::default());
        let resolution = ResolutionAccumulator::new(context, ResolutionOptions::default());
        Reports {
            pain: run(data, pain.expect("default options")),
            roots: run(data, roots.expect("default options")),
            follow_up: run(data, follow_up.expect("default options")),
            risk: run(data, risk.expect("default options")),
            resolution: run(data, resolution.expect("default options")),
        }
    })
}

fn near(what: &str, measured: f64, documented: f64, tolerance: f64) {
    println!("{what}: measured {measured:.4}, documented {documented} ± {tolerance}");
    assert!(
        (measured - documented).abs() <= tolerance,
        "{what}: measured {measured}, documented {documented} ± {tolerance}"
    );
}

fn theme<'r>(data: &Dataset, roots: &'r RootCauseReport, name: &str) -> &'r ThemeRootCauses {
    let id = data.themes.lookup(name);
    (roots.themes.iter())
        .find(|t| t.theme == id)
        .expect("the theme has root causes")
}

fn persona_bit(data: &Dataset, name: &str) -> Option<u32> {
    let definition = data.catalog.definition();
    Some(
        definition
            .persona_index(name)
            .expect("a persona of the scenario") as u32,
    )
}

fn tp(data: &Dataset, name: &str) -> u32 {
    data.catalog
        .lookup(name)
        .expect("a touchpoint of the scenario")
        .0
}

/// Pooled reopened-by-contact share of the agents in `names` and of the
/// rest of their team.
fn agents_reopened(data: &Dataset, resolution: &ResolutionReport, names: &[&str]) -> (f64, f64) {
    let ids: Vec<u32> = names.iter().map(|n| data.agents.lookup(n)).collect();
    let team = data.teams.lookup("customer_care");
    let (mut hits, mut n) = ([0_u64; 2], [0_u64; 2]);
    for row in resolution.agents.iter().filter(|r| r.team == team) {
        let group = usize::from(!ids.contains(&row.id));
        hits[group] += row.reopened_by_contact.hits;
        n[group] += row.reopened_by_contact.n;
    }
    (hits[0] as f64 / n[0] as f64, hits[1] as f64 / n[1] as f64)
}

#[test]
fn retail_false_resolved_agents_rank_first() {
    let (data, reports) = (dataset(Scenario::Retail), reports(Scenario::Retail));
    let resolution = &reports.resolution;
    let optimists = ["Eli Brennan", "Kofi Mensah", "Quinn Foster"];
    let top: Vec<&str> = (resolution.agents.iter().take(3))
        .map(|row| data.agents.names[row.id as usize].as_str())
        .collect();
    for agent in optimists {
        assert!(
            top.contains(&agent),
            "{agent} not among the top agents {top:?}"
        );
    }
    assert!(resolution.agents[2].z >= 4.0 && resolution.agents[3].z < 3.0);
    let (planted, others) = agents_reopened(data, resolution, &optimists);
    near(
        "false_resolved: reopened share, the three agents",
        planted,
        0.27,
        0.06,
    );
    near(
        "false_resolved: reopened share, other care agents",
        others,
        0.045,
        0.03,
    );
    let overall = &resolution.overall;
    near(
        "false_resolved: unresolved contacts followed by a repeat",
        overall.unresolved_repeated.rate,
        0.77,
        0.04,
    );
    assert!(overall.true_fcr < overall.reported_fcr);
}

#[test]
fn retail_follow_up_gap_and_its_value() {
    let (data, reports) = (dataset(Scenario::Retail), reports(Scenario::Retail));
    let repurchase = &reports.follow_up.repurchase;
    near(
        "no_follow_up: repurchase with follow-up",
        repurchase.first.rate,
        0.36,
        0.05,
    );
    near(
        "no_follow_up: repurchase without",
        repurchase.second.rate,
        0.12,
        0.04,
    );
    assert!(
        repurchase.low > 0.15 && repurchase.z > 10.0,
        "{repurchase:?}"
    );
    let order = (reports.follow_up.gaps.iter())
        .find(|gap| gap.touchpoint == tp(data, "order_placed"))
        .expect("orders are purchases");
    // 45 % get a follow-up within 14 days (generator), so 55 % do not.
    near(
        "no_follow_up: orders without follow-up",
        order.without_follow_up.rate,
        0.55,
        0.04,
    );
}

#[test]
fn retail_three_poor_experiences() {
    let reports = reports(Scenario::Retail);
    let comparison = &reports.risk.repurchase_after_poor;
    near(
        "three_strikes: repurchase after 3 poor",
        comparison.first.rate,
        0.035,
        0.04,
    );
    near(
        "three_strikes: repurchase of the rest",
        comparison.second.rate,
        0.24,
        0.05,
    );
    assert!(comparison.high < 0.0, "{comparison:?}");
    let customers = &reports.risk.customers;
    assert!(customers.windows(2).all(|w| w[0].value >= w[1].value));
    let flagged = customers
        .iter()
        .filter(|c| c.reasons.contains(&RiskReason::PoorExperiences))
        .count();
    assert!(
        flagged >= 200,
        "{flagged} customers with three poor experiences"
    );
    let first = customers
        .iter()
        .find(|c| c.reasons.contains(&RiskReason::PoorExperiences))
        .expect("someone has three");
    assert!(first.events.len() >= 3 && first.poor_in_window >= 3);
    assert!(!first.to_row().events.is_empty());
}

#[test]
fn retail_setup_frustration_root_cause_and_pain_point() {
    let (data, reports) = (dataset(Scenario::Retail), reports(Scenario::Retail));
    let setup = theme(data, &reports.roots, "setup");
    let setup_id = tp(data, "setup_instructions");
    let top = &setup.causes[0];
    assert!(
        top.exposure.touchpoint == setup_id || top.exposure.previous == Some(setup_id),
        "top cause of the setup theme: {top:?}"
    );
    let smart_home = data.breakdowns.lookup("smart_home");
    let by_category = (setup.causes.iter().take(3))
        .find(|c| c.exposure.touchpoint == setup_id && c.exposure.breakdown == Some(smart_home))
        .expect("setup_instructions of smart-home devices among the top three causes");
    assert!(by_category.odds_ratio.low > 10.0, "{by_category:?}");
    // Only written contacts (chat, e-mail: about half of the first contacts)
    // carry a text and so a theme; the documented 45 % counts every channel.
    near(
        "setup_frustration: smart-home set-ups followed by a setup theme",
        by_category.rate,
        0.45 / 2.0,
        0.05,
    );
    let ticket = (reports.pain.points.iter())
        .position(|p| p.kind == PainKind::TicketFollows && p.touchpoint == setup_id)
        .expect("tickets follow the set-up instructions");
    assert!(ticket < 15, "set-up tickets rank {ticket}");
}

#[test]
fn retail_older_customers_drop_at_the_faq() {
    let (data, reports) = (dataset(Scenario::Retail), reports(Scenario::Retail));
    let older = persona_bit(data, "older_55_plus");
    let first_drop = (reports.pain.points.iter())
        .find(|p| p.kind == PainKind::DropOff && p.persona == older)
        .expect("older customers drop off somewhere");
    assert_eq!(first_drop.touchpoint, tp(data, "faq_page"));
    // Customers (not events), and only journeys known to have ended.
    assert!(
        first_drop.rate > 3.0 * first_drop.expected,
        "{first_drop:?}"
    );
    near(
        "older_faq_drop: expected drop-off in the stage",
        first_drop.expected,
        0.085,
        0.04,
    );
    assert!(!first_drop.example_customers.is_empty());
}

#[test]
fn broadband_rural_households_drop_at_the_coverage_check() {
    let (data, reports) = (dataset(Scenario::Broadband), reports(Scenario::Broadband));
    let first_drop = (reports.pain.points.iter())
        .find(|p| p.kind == PainKind::DropOff)
        .expect("a drop-off");
    assert_eq!(first_drop.touchpoint, tp(data, "coverage_check"));
    assert_eq!(first_drop.persona, persona_bit(data, "rural"));
    near(
        "rural_coverage_drop: rural drop-off",
        first_drop.rate,
        0.52,
        0.06,
    );
    near(
        "rural_coverage_drop: the stage's other drop-off",
        first_drop.expected,
        0.115,
        0.04,
    );
}

#[test]
fn broadband_root_causes_of_app_no_show_and_bill_themes() {
    let (data, reports) = (dataset(Scenario::Broadband), reports(Scenario::Broadband));
    let app = theme(data, &reports.roots, "app");
    let error = data.breakdowns.lookup("error");
    assert_eq!(app.causes[0].exposure.touchpoint, tp(data, "app_login"));
    assert_eq!(app.causes[0].exposure.breakdown, Some(error));
    assert!(app.causes[0].odds_ratio.low > 100.0);
    let no_show = theme(data, &reports.roots, "no_show");
    let visit = tp(data, "technician_visit");
    let top = &no_show.causes[0];
    assert!(
        top.exposure.touchpoint == visit || top.exposure.previous == Some(visit),
        "{top:?}"
    );
    let bill = theme(data, &reports.roots, "bill");
    let first_bill = data.breakdowns.lookup("first_bill");
    let shock = (bill.causes.iter().take(3))
        .find(|c| c.exposure.breakdown == Some(first_bill))
        .expect("first bills among the top three causes of billing contacts");
    assert!(shock.odds_ratio.low > 5.0, "{shock:?}");
    let outage = (reports.pain.points.iter().take(5))
        .find(|p| p.kind == PainKind::NegativeEmotion && p.touchpoint == tp(data, "app_login"));
    assert!(
        outage.is_some(),
        "failed app logins among the top pain points"
    );
}

#[test]
fn broadband_has_no_false_resolving_agent() {
    let reports = reports(Scenario::Broadband);
    let top = &reports.resolution.agents[0];
    assert!(
        top.z < 3.0,
        "no agent is planted to close unsolved contacts: {top:?}"
    );
}

/// Which pain points count as finding a planted situation: kinds, the
/// touchpoints where it shows (either end of a transition) and the
/// persona (everyone counts too).
struct Signature {
    key: &'static str,
    kinds: &'static [PainKind],
    touchpoints: &'static [&'static str],
    persona: Option<&'static str>,
}

const RETAIL_SIGNATURES: &[Signature] = &[
    Signature {
        key: "setup_frustration",
        kinds: &[PainKind::TicketFollows, PainKind::NegativeEmotion],
        touchpoints: &["setup_instructions", "parcel_delivery"],
        persona: None,
    },
    Signature {
        key: "older_faq_drop",
        kinds: &[PainKind::DropOff, PainKind::LongDwell],
        touchpoints: &["faq_page"],
        persona: Some("older_55_plus"),
    },
    Signature {
        key: "mobile_checkout",
        kinds: &[PainKind::DropOff, PainKind::LongDwell],
        touchpoints: &["cart", "checkout", "order_placed"],
        persona: Some("mobile_shoppers"),
    },
    Signature {
        key: "false_resolved",
        kinds: &[PainKind::RepeatContact],
        touchpoints: &["phone_support", "live_chat"],
        persona: None,
    },
    Signature {
        key: "wait_spikes",
        kinds: &[PainKind::NegativeEmotion],
        touchpoints: &["phone_support"],
        persona: None,
    },
];

const BROADBAND_SIGNATURES: &[Signature] = &[
    Signature {
        key: "technician_no_show",
        kinds: &[PainKind::TicketFollows, PainKind::NegativeEmotion],
        touchpoints: &["technician_visit"],
        persona: None,
    },
    Signature {
        key: "first_bill_shock",
        kinds: &[PainKind::TicketFollows, PainKind::ChannelSwitch],
        touchpoints: &["bill", "billing_portal"],
        persona: None,
    },
    Signature {
        key: "app_outage",
        kinds: &[
            PainKind::NegativeEmotion,
            PainKind::TicketFollows,
            PainKind::ChannelSwitch,
        ],
        touchpoints: &["app_login"],
        persona: Some("app_first"),
    },
    Signature {
        key: "rural_coverage_drop",
        kinds: &[PainKind::DropOff],
        touchpoints: &["coverage_check"],
        persona: Some("rural"),
    },
    Signature {
        key: "retention_saves",
        kinds: &[PainKind::DropOff, PainKind::TicketFollows],
        touchpoints: &["contract_end_notice", "retention_call", "recontract"],
        persona: None,
    },
];

fn matches(data: &Dataset, signature: &Signature, point: &PainPoint) -> bool {
    let at = |id: u32| signature.touchpoints.contains(&data.touchpoint(id));
    signature.kinds.contains(&point.kind)
        && (at(point.touchpoint) || point.next_touchpoint.is_some_and(at))
        && (point.persona.is_none()
            || point.persona == signature.persona.and_then(|p| persona_bit(data, p)))
}

/// Situations found by the kernels other than the pain-point ranking.
/// Planted situations that live in the agents' events, not the customers'.
const AGENT_SIDE: [&str; 2] = ["legacy_order_lookup", "manual_bill_checks"];

fn found_elsewhere(scenario: Scenario, key: &str) -> bool {
    let (data, reports) = (dataset(scenario), reports(scenario));
    let top_cause_at = |theme_name: &str, touchpoint: &str, within: usize| {
        let id = tp(data, touchpoint);
        theme(data, &reports.roots, theme_name)
            .causes
            .iter()
            .take(within)
            .any(|c| c.exposure.touchpoint == id || c.exposure.previous == Some(id))
    };
    match key {
        "setup_frustration" => top_cause_at("setup", "setup_instructions", 1),
        "no_follow_up" => reports.follow_up.repurchase.low > 0.0,
        "three_strikes" => reports.risk.repurchase_after_poor.high < 0.0,
        "false_resolved" => {
            let names: Vec<&str> = (reports.resolution.agents.iter().take(3))
                .map(|row| data.agents.names[row.id as usize].as_str())
                .collect();
            ["Eli Brennan", "Kofi Mensah", "Quinn Foster"]
                .iter()
                .all(|agent| names.contains(agent))
        }
        "technician_no_show" => top_cause_at("no_show", "technician_visit", 1),
        "first_bill_shock" => top_cause_at("bill", "bill", 3),
        "app_outage" => top_cause_at("app", "app_login", 1),
        _ => false,
    }
}

/// Precision of the pain-point ranking's top `k` (share of findings that
/// match a planted situation) and recall of planted situations (found by
/// the ranking's top `k` or by another kernel), printed for the report.
fn precision_and_recall(scenario: Scenario, signatures: &[Signature], k: usize) -> (f64, f64) {
    let (data, reports) = (dataset(scenario), reports(scenario));
    let top: Vec<&PainPoint> = reports.pain.points.iter().take(k).collect();
    for (rank, point) in top.iter().enumerate() {
        let planted = (signatures.iter())
            .find(|s| matches(data, s, point))
            .map_or("-", |s| s.key);
        let persona = point.persona.map_or("everyone", |bit| {
            data.catalog.definition().personas[bit as usize]
                .name
                .as_str()
        });
        println!(
            "{} #{rank:2} {:?} {}{} [{persona}] customers {} affected {} rate {:.4} expected {:.4} z {:?} severity {:.3} impact {:.1} evidence [{}] -> {planted}",
            scenario.name(),
            point.kind,
            data.touchpoint(point.touchpoint),
            point
                .next_touchpoint
                .map_or(String::new(), |t| format!(" -> {}", data.touchpoint(t))),
            point.customers,
            point.affected,
            point.rate,
            point.expected,
            point.z.map(|z| (z * 10.0).round() / 10.0),
            point.severity,
            point.impact,
            point
                .evidence
                .iter()
                .map(|e| format!(
                    "{}{:?}{} {:.3} vs {:.3}",
                    e.persona.map_or(String::new(), |bit| format!(
                        "{}: ",
                        data.catalog.definition().personas[bit as usize].name
                    )),
                    e.kind,
                    e.next_touchpoint
                        .map_or(String::new(), |t| format!(" -> {}", data.touchpoint(t))),
                    e.rate,
                    e.expected
                ))
                .collect::<Vec<_>>()
                .join("; "),
        );
    }
    let hits = top
        .iter()
        .filter(|p| signatures.iter().any(|s| matches(data, s, p)))
        .count();
    // Situations planted in the agents' own events (manual look-ups, bill
    // checks) are out of reach of the customer-journey kernels; the agents'
    // report finds them (the CLI's contact-centre test).
    let planted: Vec<_> = scenario
        .planted()
        .into_iter()
        .filter(|s| !AGENT_SIDE.contains(&s.key))
        .collect();
    let mut found = 0;
    for situation in &planted {
        let in_ranking = (signatures.iter().filter(|s| s.key == situation.key))
            .any(|s| top.iter().any(|p| matches(data, s, p)));
        let elsewhere = found_elsewhere(scenario, situation.key);
        found += usize::from(in_ranking || elsewhere);
        println!(
            "{} {}: pain top-{k} {in_ranking}, other kernels {elsewhere}",
            scenario.name(),
            situation.key
        );
    }
    let precision = hits as f64 / top.len() as f64;
    let recall = found as f64 / planted.len() as f64;
    println!(
        "{}: pain points top-{k} precision {precision:.2} ({hits}/{}), planted recall {recall:.2} ({found}/{})",
        scenario.name(),
        top.len(),
        planted.len()
    );
    (precision, recall)
}

#[test]
fn precision_and_recall_of_planted_situations() {
    // Measured on 20 000 customers of each (seed 7), one finding per
    // touchpoint: retail 0.60 (6/10) / 1.00 (7/7) at 10 and at 20 (10
    // findings in all); broadband 0.57 (4/7) / 0.80 (4/5) at 10 and at 20
    // (7 findings). Before the drop-off, repeat, ticket and emotion
    // statistics were reworked: retail 0.30 / 0.71 and 0.25 / 0.86,
    // broadband 0.50 / 0.80 and 0.41 / 0.80, with duplicates of one
    // problem counted as separate hits. Recall is a count and the data are
    // fixed, so its bounds are the measured counts; retention_saves is an
    // effect of an intervention on churn (an exit), out of reach of every
    // pain-point kind.
    let check = |scenario, signatures, k, precision_min: f64, recall_min: f64| {
        let (precision, recall) = precision_and_recall(scenario, signatures, k);
        assert!(
            precision >= precision_min,
            "{scenario:?} top-{k} precision {precision}"
        );
        assert!(recall >= recall_min, "{scenario:?} top-{k} recall {recall}");
    };
    check(Scenario::Retail, RETAIL_SIGNATURES, 10, 0.55, 1.0);
    check(Scenario::Retail, RETAIL_SIGNATURES, 20, 0.55, 1.0);
    check(Scenario::Broadband, BROADBAND_SIGNATURES, 10, 0.5, 0.8);
    check(Scenario::Broadband, BROADBAND_SIGNATURES, 20, 0.5, 0.8);
}

// Hand-computed cases on a small business.

const SMALL: &str = r#"
stages = ["shop", "buy", "after", "help"]
[[touchpoint]]
name = "home"
stage = "shop"
channel = "web"
[[touchpoint]]
name = "browse"
stage = "shop"
channel = "web"
[[touchpoint]]
name = "order"
stage = "buy"
channel = "web"
[[touchpoint]]
name = "follow_up_mail"
stage = "after"
channel = "email"
[[touchpoint]]
name = "help_page"
stage = "after"
channel = "web"
[[touchpoint]]
name = "referral"
stage = "after"
channel = "web"
[[touchpoint]]
name = "phone"
stage = "help"
channel = "phone"
[[touchpoint]]
name = "complaint"
stage = "help"
channel = "email"
kind = "human"
[[touchpoint]]
name = "chat"
stage = "help"
channel = "chat"
[[persona]]
name = "p0"
[outcomes]
purchase = ["order"]
recommendation = ["referral"]
repurchase_days = 30
[targets]
wait_s = 60.0
follow_up_days = 5
repeat_contact_days = 7
"#;

fn small_catalog() -> Arc<Catalog> {
    let definition = model::JourneyDefinition::from_toml(SMALL).expect("valid definition");
    Arc::new(Catalog::new(&definition))
}

fn small_context() -> Arc<InsightContext> {
    Arc::new(
        InsightSpec::new(small_catalog())
            .validate()
            .expect("valid spec"),
    )
}

/// One event of a hand-written journey; contacts are events with a queue.
#[derive(Debug, Clone)]
struct Ev {
    at_s: f64,
    touchpoint: &'static str,
    rating: Option<(model::RatingScale, f32)>,
    sentiment: f32,
    stored: f32,
    wait_s: f32,
    resolved: Option<bool>,
    abandoned: Option<bool>,
    agent: u32,
    issue: u32,
    theme: u32,
    value: f64,
    queue: bool,
}

fn ev(at_s: f64, touchpoint: &'static str) -> Ev {
    Ev {
        at_s,
        touchpoint,
        rating: None,
        sentiment: f32::NAN,
        stored: f32::NAN,
        wait_s: f32::NAN,
        resolved: None,
        abandoned: None,
        agent: NO_NAME,
        issue: NO_NAME,
        theme: NO_NAME,
        value: f64::NAN,
        queue: false,
    }
}

const DAY_S: f64 = 86_400.0;

fn contact(at_s: f64, touchpoint: &'static str) -> Ev {
    Ev {
        queue: true,
        ..ev(at_s, touchpoint)
    }
}

fn rated(at_s: f64, touchpoint: &'static str, scale: model::RatingScale, rating: f32) -> Ev {
    Ev {
        rating: Some((scale, rating)),
        ..ev(at_s, touchpoint)
    }
}

fn small_journey(customer: u64, personas: u64, events: &[Ev]) -> OwnedJourney {
    let catalog = small_catalog();
    let mut journey = OwnedJourney::new(customer, personas);
    let facts = &mut journey.facts;
    for e in events {
        facts.channel.push(0);
        facts.value.push(e.value);
        facts.rating.push(e.rating.map_or(f32::NAN, |(_, r)| r));
        facts.rating_scale.push(e.rating.map(|(scale, _)| scale));
        facts.sentiment.push(e.sentiment);
        facts
            .text
            .push((e.theme != NO_NAME).then(|| format!("theme {}", e.theme)));
        facts.theme.push(e.theme);
        facts.agent.push(e.agent);
        facts.wait_s.push(e.wait_s);
        facts.handle_s.push(f32::NAN);
        facts.resolved.push(e.resolved);
        facts.abandoned.push(e.abandoned);
        facts.contact.push(if e.queue {
            Contact {
                queue: 0,
                team: 0,
                issue: e.issue,
                ..Contact::NONE
            }
        } else {
            Contact::NONE
        });
        journey.breakdown.push(NO_NAME);
    }
    for e in events {
        let id = catalog.lookup(e.touchpoint).expect("a small touchpoint");
        journey.push((e.at_s * 1e6) as i64, id, e.stored);
    }
    journey
}

#[test]
fn emotion_scores_by_hand() {
    use model::RatingScale::{Ces7, Csat5, Nps10};
    let context = small_context();
    let check = |events: &[Ev], index: usize, expected: f32| {
        let journey = small_journey(1, 0, events);
        let score = emotion_of(&journey.as_journey(), index, &context.emotion);
        let same = (score.is_nan() && expected.is_nan()) || (score - expected).abs() < 1e-6;
        assert!(same, "{events:?} at {index}: {score} vs {expected}");
    };
    check(&[rated(0.0, "home", Csat5, 1.0)], 0, -1.0);
    check(&[rated(0.0, "home", Nps10, 10.0)], 0, 1.0);
    // CES 4 → 0; with sentiment 0.5: (1·0 + 0.5·0.5) / 1.5.
    let said = Ev {
        sentiment: 0.5,
        ..rated(0.0, "home", Ces7, 4.0)
    };
    check(&[said], 0, 0.25 / 1.5);
    check(&[ev(0.0, "home")], 0, f32::NAN);
    check(
        &[Ev {
            stored: 0.3,
            ..ev(0.0, "home")
        }],
        0,
        0.3,
    );
    // A wait beyond the 60 s target: 0 − 0.5.
    check(
        &[Ev {
            wait_s: 90.0,
            ..contact(0.0, "phone")
        }],
        0,
        -0.5,
    );
    // Abandoned after a long wait: 0 − 0.5 − 0.5.
    let abandoned = Ev {
        wait_s: 100.0,
        abandoned: Some(true),
        ..contact(0.0, "phone")
    };
    check(&[abandoned], 0, -1.0);
    // Self-service, then a person a minute later: −0.25; the repeat a day
    // later: −0.25 (its previous event is no self-service).
    let switch = [
        ev(0.0, "help_page"),
        contact(60.0, "phone"),
        contact(DAY_S, "phone"),
    ];
    check(&switch, 1, -0.25);
    check(&switch, 2, -0.25);
    // A repeat eight days later is no repeat.
    check(
        &[contact(0.0, "phone"), contact(8.0 * DAY_S, "phone")],
        1,
        f32::NAN,
    );
    check(&[contact(0.0, "complaint")], 0, -0.5);
    let unresolved = Ev {
        resolved: Some(false),
        ..rated(0.0, "phone", Csat5, 4.0)
    };
    check(
        &[Ev {
            queue: true,
            ..unresolved
        }],
        0,
        0.0,
    );
    // A scheduled human event without a queue is no contact.
    check(&[ev(0.0, "phone"), ev(60.0, "phone")], 1, f32::NAN);
}

#[test]
fn emotion_curve_by_hand() {
    use model::RatingScale::Csat5;
    let context = small_context();
    let journeys = [
        small_journey(
            1,
            1,
            &[
                rated(0.0, "home", Csat5, 5.0),
                rated(9.0, "order", Csat5, 1.0),
            ],
        ),
        small_journey(2, 0, &[rated(0.0, "home", Csat5, 3.0)]),
    ];
    let mut accumulator = EmotionCurveAccumulator::new(context);
    for journey in &journeys {
        accumulator.observe(&journey.as_journey());
    }
    let curve = accumulator.finish();
    let shop = curve.groups[0].stages[0].emotion.expect("scored");
    assert_eq!((shop.n, shop.mean), (2, 0.5));
    let buy = curve.groups[0].stages[1].emotion.expect("scored");
    assert_eq!((buy.n, buy.mean), (1, -1.0));
    assert_eq!(curve.groups[1].persona, Some(0));
    assert_eq!(curve.groups[1].customers, 1);
    assert_eq!(curve.groups[1].stages[0].emotion.expect("scored").mean, 1.0);
}

fn run_small<A: Accumulator>(mut accumulator: A, journeys: &[OwnedJourney]) -> A::Output {
    for journey in journeys {
        accumulator.observe(&journey.as_journey());
    }
    accumulator.finish()
}

#[test]
fn follow_up_by_hand() {
    let journeys = [
        small_journey(
            1,
            0,
            &[
                ev(0.0, "order"),
                ev(2.0 * DAY_S, "follow_up_mail"),
                ev(20.0 * DAY_S, "order"),
            ],
        ),
        small_journey(2, 0, &[ev(0.0, "order"), ev(40.0 * DAY_S, "order")]),
        small_journey(3, 0, &[ev(0.0, "order"), ev(6.0 * DAY_S, "follow_up_mail")]),
    ];
    let accumulator = FollowUpAccumulator::new(small_context(), FollowUpOptions::default());
    let report = run_small(accumulator.expect("valid"), &journeys);
    assert_eq!(report.gaps.len(), 1);
    assert_eq!(report.gaps[0].purchases, 5);
    assert_eq!(report.gaps[0].without_follow_up.hits, 4);
    let repurchase = &report.repurchase;
    assert_eq!((repurchase.first.hits, repurchase.first.n), (1, 1));
    assert_eq!((repurchase.second.hits, repurchase.second.n), (0, 2));
    assert_eq!(repurchase.difference, 1.0);
    assert_eq!(report.example_customers_without.len(), 2);
}

#[test]
fn resolution_gap_by_hand() {
    use model::RatingScale::Csat5;
    let answered = |at_s: f64, agent: u32, issue: u32, resolved: bool| Ev {
        agent,
        issue,
        resolved: Some(resolved),
        ..contact(at_s, "phone")
    };
    let journeys = [
        small_journey(
            1,
            0,
            &[answered(0.0, 0, 1, true), answered(3.0 * DAY_S, 0, 1, true)],
        ),
        small_journey(
            2,
            0,
            &[Ev {
                rating: Some((Csat5, 1.0)),
                ..answered(0.0, 1, 2, true)
            }],
        ),
        small_journey(
            3,
            0,
            &[answered(0.0, 1, 3, false), answered(DAY_S, 1, 3, true)],
        ),
        // Another issue within the window does not reopen the first.
        small_journey(
            4,
            0,
            &[answered(0.0, 0, 4, true), answered(DAY_S, 0, 5, false)],
        ),
    ];
    let options = ResolutionOptions {
        min_resolved: 1,
        ..ResolutionOptions::default()
    };
    let accumulator = ResolutionAccumulator::new(small_context(), options);
    let report = run_small(accumulator.expect("valid"), &journeys);
    let overall = &report.overall;
    assert_eq!((overall.answered, overall.marked_resolved), (7, 5));
    assert_eq!(overall.reopened_by_contact.hits, 1);
    assert_eq!(overall.reopened_by_survey.hits, 1);
    assert_eq!(overall.reopened.hits, 2);
    assert!((overall.reported_fcr - 5.0 / 7.0).abs() < 1e-12);
    assert!((overall.true_fcr - 3.0 / 7.0).abs() < 1e-12);
    assert_eq!(
        (
            overall.unresolved_repeated.hits,
            overall.unresolved_repeated.n
        ),
        (1, 2)
    );
    let agent = |id: u32| report.agents.iter().find(|r| r.id == id).expect("a row");
    assert_eq!((agent(0).reopened.hits, agent(0).marked_resolved), (1, 3));
    assert_eq!((agent(1).reopened.hits, agent(1).marked_resolved), (1, 2));
}

#[test]
fn at_risk_customers_by_hand() {
    use model::RatingScale::{Csat5, Nps10};
    let poor = |day: f64| rated(day * DAY_S, "home", Csat5, 1.0);
    let with_value = |e: Ev, value: f64| Ev { value, ..e };
    let journeys = [
        small_journey(1, 0, &[with_value(poor(0.0), 10.0), poor(10.0), poor(20.0)]),
        small_journey(2, 0, &[with_value(poor(0.0), 50.0), poor(80.0)]),
        small_journey(
            3,
            0,
            &[with_value(poor(0.0), 30.0), poor(95.0), poor(190.0)],
        ),
        small_journey(4, 0, &[rated(0.0, "home", Nps10, 3.0)]),
        small_journey(
            5,
            0,
            &[Ev {
                resolved: Some(false),
                ..contact(0.0, "complaint")
            }],
        ),
        small_journey(
            6,
            0,
            &[4.0, 3.0, 2.0, 3.0].map(|r| rated(0.0, "home", Csat5, r)),
        ),
        small_journey(7, 0, &[rated(0.0, "home", Csat5, 5.0)]),
    ];
    let accumulator = AtRiskAccumulator::new(small_context(), RiskOptions::default());
    let report = run_small(accumulator.expect("valid"), &journeys);
    let reasons: Vec<(u64, Vec<RiskReason>)> = (report.customers.iter())
        .map(|c| (c.customer, c.reasons.clone()))
        .collect();
    use RiskReason::*;
    // Customer 3's poor experiences never share a 90-day window; customer
    // 6's answers score 0.5, 0, −0.5, 0: slope −1/5 = −0.2 per answer.
    let expected = [
        (2, vec![NearPoorExperiences]),
        (1, vec![PoorExperiences]),
        (4, vec![Detractor]),
        (5, vec![OpenComplaint]),
        (6, vec![FallingEmotion]),
    ];
    assert_eq!(reasons, expected);
    assert!((report.customers[4].emotion_slope.expect("four answers") + 0.2).abs() < 1e-6);
    assert_eq!(report.customers[1].events.len(), 3);
    assert_eq!(report.customers[1].to_row().reasons, "poor_experiences");
}

#[test]
fn root_causes_by_hand() {
    let ticket = Ev {
        theme: 0,
        ..contact(7_200.0, "phone")
    };
    let mut journeys = Vec::new();
    for i in 0..10 {
        let base = 3 * i;
        journeys.push(small_journey(
            base,
            0,
            &[ev(0.0, "home"), ev(3_600.0, "order"), ticket.clone()],
        ));
        journeys.push(small_journey(
            base + 1,
            0,
            &[ev(0.0, "home"), ev(60.0, "home")],
        ));
        journeys.push(small_journey(base + 2, 0, &[ev(0.0, "home")]));
    }
    let options = RootCauseOptions {
        min_support: 1,
        ..RootCauseOptions::default()
    };
    let accumulator = RootCauseAccumulator::new(small_context(), options);
    let report = run_small(accumulator.expect("valid"), &journeys);
    // Anchors: 20 + 20 + 10; followed: the first pattern's home and order.
    // Order: a = 10, b = 0, c = 10, d = 30 → (11·31)/(1·11) = 31.
    assert_eq!(report.anchors, 50);
    let theme = &report.themes[0];
    assert_eq!((theme.outcome_events, theme.anchors_followed), (10, 20));
    let order = small_catalog().lookup("order").expect("order").0;
    let home = small_catalog().lookup("home").expect("home").0;
    let exposures: Vec<(u32, Option<u32>)> = (theme.causes.iter())
        .map(|c| (c.exposure.touchpoint, c.exposure.previous))
        .collect();
    assert_eq!(exposures, [(order, None), (order, Some(home))]);
    let cause = &theme.causes[0];
    assert!((cause.odds_ratio.odds_ratio - 31.0).abs() < 1e-9);
    let se = (1.0_f64 / 11.0 + 1.0 + 1.0 / 11.0 + 1.0 / 31.0).sqrt();
    assert!(
        (cause.odds_ratio.low - (31.0_f64.ln() - 1.959_963_984_540_054 * se).exp()).abs() < 1e-9
    );
    assert_eq!((cause.rate, cause.rate_elsewhere), (1.0, 0.25));
}

#[test]
fn service_recovery_by_hand() {
    use model::RatingScale::Csat5;
    let journeys = [
        small_journey(
            1,
            0,
            &[
                Ev {
                    resolved: Some(true),
                    ..contact(0.0, "complaint")
                },
                rated(DAY_S, "home", Csat5, 5.0),
                ev(10.0 * DAY_S, "order"),
                ev(20.0 * DAY_S, "referral"),
            ],
        ),
        small_journey(
            2,
            0,
            &[Ev {
                resolved: Some(false),
                ..contact(0.0, "complaint")
            }],
        ),
        // Resolved, but the customer's rating afterwards is poor.
        small_journey(
            3,
            0,
            &[
                Ev {
                    resolved: Some(true),
                    ..contact(0.0, "complaint")
                },
                rated(DAY_S, "home", Csat5, 1.0),
                ev(5.0 * DAY_S, "order"),
            ],
        ),
    ];
    let accumulator = RecoveryAccumulator::new(small_context(), RecoveryOptions::default());
    let report = run_small(accumulator.expect("valid"), &journeys);
    assert_eq!(report.complainants, 3);
    let repurchase = &report.repurchase;
    assert_eq!((repurchase.first.hits, repurchase.first.n), (1, 1));
    assert_eq!((repurchase.second.hits, repurchase.second.n), (1, 2));
    let recommendation = &report.recommendation;
    assert_eq!(
        (recommendation.first.hits, recommendation.second.hits),
        (1, 0)
    );
}

#[test]
fn pain_point_drop_off_by_hand() {
    let mut journeys = Vec::new();
    for customer in 0..20 {
        let events: Vec<Ev> = if customer < 10 {
            vec![ev(0.0, "home")]
        } else {
            vec![ev(0.0, "home"), ev(60.0, "order")]
        };
        journeys.push(small_journey(customer, 0, &events));
    }
    for customer in 20..40 {
        let events: Vec<Ev> = if customer < 22 {
            vec![ev(0.0, "browse")]
        } else {
            vec![ev(0.0, "browse"), ev(60.0, "order")]
        };
        journeys.push(small_journey(customer, 0, &events));
    }
    let options = PainOptions {
        min_customers: 1,
        ..PainOptions::default()
    };
    let accumulator = PainPointsAccumulator::new(small_context(), options);
    let report = run_small(accumulator.expect("valid"), &journeys);
    let drops: Vec<&PainPoint> = (report.points.iter())
        .filter(|p| p.kind == PainKind::DropOff)
        .collect();
    // Home: 10 of 20 end there; the rest of the stage (browse): 2 of 20.
    // z = (0.5 − 0.1) / √(0.1·0.9/20) = 5.9628.
    assert_eq!(drops.len(), 1);
    let home = drops[0];
    assert_eq!(
        home.touchpoint,
        small_catalog().lookup("home").expect("home").0
    );
    assert_eq!(
        (home.hits, home.n, home.rate, home.expected),
        (10, 20, 0.5, 0.1)
    );
    assert!((home.z.expect("a share") - 5.962_847_939_999_439).abs() < 1e-9);
    assert!((home.severity - 0.4).abs() < 1e-12 && (home.impact - 4.0).abs() < 1e-9);
    assert_eq!(home.example_customers.len(), 3);
    assert!(home.example_customers.iter().all(|&c| c < 10));
}

/// The pain points of hand-written journeys, every test flagged at least
/// once (`min_customers` 1).
fn small_pain(journeys: &[OwnedJourney]) -> PainReport {
    let options = PainOptions {
        min_customers: 1,
        ..PainOptions::default()
    };
    let accumulator = PainPointsAccumulator::new(small_context(), options);
    run_small(accumulator.expect("valid"), journeys)
}

/// The evidence of one kind at one touchpoint.
fn small_evidence<'r>(
    report: &'r PainReport,
    kind: PainKind,
    touchpoint: &str,
) -> Vec<&'r journey::insights::Evidence> {
    let id = small_catalog()
        .lookup(touchpoint)
        .expect("a small touchpoint")
        .0;
    (report.points.iter())
        .filter(|p| p.touchpoint == id)
        .flat_map(|p| p.evidence.iter())
        .filter(|e| e.kind == kind)
        .collect()
}

fn close_to(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

#[test]
fn pain_drop_off_is_where_activity_stopped_by_hand() {
    let mut journeys = Vec::new();
    for customer in 0..30_u64 {
        let events = match customer / 10 {
            // A lone visit two days later: the customer had left at browse.
            0 => vec![ev(0.0, "home"), ev(60.0, "browse"), ev(2.0 * DAY_S, "home")],
            // Ends at the purchase: no drop-off.
            1 => vec![ev(0.0, "home"), ev(60.0, "browse"), ev(120.0, "order")],
            _ => vec![ev(0.0, "home"), ev(60.0, "home")],
        };
        journeys.push(small_journey(customer, 0, &events));
    }
    let report = small_pain(&journeys);
    // Home: 10 drop-offs in 50 visits = 0.2; browse: 10 in 20 = 0.5 against
    // 0.2, z = 0.3 / √(0.2·0.8/20) = 3.354102.
    assert!(small_evidence(&report, PainKind::DropOff, "home").is_empty());
    assert!(small_evidence(&report, PainKind::DropOff, "order").is_empty());
    let browse = small_evidence(&report, PainKind::DropOff, "browse");
    assert_eq!(browse.len(), 1, "{report:?}");
    let e = browse[0];
    assert_eq!((e.hits, e.n, e.affected, e.persona), (10, 20, 10, None));
    assert!(close_to(e.rate, 0.5) && close_to(e.expected, 0.2));
    assert!((e.z.expect("a share") - 3.354_101_966_249_684).abs() < 1e-9);
    assert!(close_to(e.severity, 0.3) && close_to(e.impact, 3.0));
}

#[test]
fn pain_persona_drop_off_against_the_rest_by_hand() {
    let mut journeys = Vec::new();
    let short = [ev(0.0, "home"), ev(60.0, "browse")];
    let bought = [ev(0.0, "home"), ev(60.0, "browse"), ev(120.0, "order")];
    for customer in 0..60_u64 {
        let (personas, events) = match customer {
            0..10 => (1, &short[..]),
            10..20 => (1, &bought[..]),
            20..24 => (0, &short[..]),
            _ => (0, &bought[..]),
        };
        journeys.push(small_journey(customer, personas, events));
    }
    let report = small_pain(&journeys);
    // Persona p0 at browse: 10 of 20; the rest: 4 of 40. Pooled 14/60:
    // z = 0.4 / √(0.233333·0.766667·(1/20 + 1/40)) = 3.453327. Everyone's
    // 14 of 60 has no expectation (home: no drop-off) and no finding.
    let browse = small_evidence(&report, PainKind::DropOff, "browse");
    assert_eq!(browse.len(), 1, "{report:?}");
    let e = browse[0];
    assert_eq!((e.persona, e.hits, e.n), (Some(0), 10, 20));
    assert!(close_to(e.rate, 0.5) && close_to(e.expected, 0.1));
    assert!((e.z.expect("a share") - 3.453_326_778_413_725).abs() < 1e-9);
    assert!(close_to(e.severity, 0.4) && close_to(e.impact, 4.0));
}

#[test]
fn pain_repeat_counts_against_the_failing_contact_by_hand() {
    let on = |issue: u32, at_s: f64, touchpoint: &'static str| Ev {
        issue,
        ..contact(at_s, touchpoint)
    };
    let mut journeys = Vec::new();
    for customer in 0..40_u64 {
        let events = match customer {
            // Repeated on chat: the phone contact failed.
            0..10 => vec![on(1, 0.0, "phone"), on(1, DAY_S, "chat")],
            // Another issue: no repeat.
            10..20 => vec![on(1, 0.0, "phone"), on(2, DAY_S, "chat")],
            20..30 => vec![on(3, 0.0, "chat")],
            30..35 => vec![on(4, 0.0, "chat"), on(4, 2.0 * DAY_S, "chat")],
            // A complaint repeats the phone contact and is not tested itself.
            _ => vec![on(5, 0.0, "phone"), on(5, DAY_S, "complaint")],
        };
        journeys.push(small_journey(customer, 0, &events));
    }
    let report = small_pain(&journeys);
    // Phone: 15 of 25 repeated; the other contacts (chat, complaints
    // excluded): 5 of 40. z = 0.475 / √(0.125·0.875/25) = 7.181325.
    let phone = small_evidence(&report, PainKind::RepeatContact, "phone");
    assert_eq!(phone.len(), 1, "{report:?}");
    let e = phone[0];
    assert_eq!((e.hits, e.n), (15, 25));
    assert!(close_to(e.rate, 0.6) && close_to(e.expected, 0.125));
    assert!((e.z.expect("a share") - 7.181_324_987_175_317).abs() < 1e-9);
    assert!(small_evidence(&report, PainKind::RepeatContact, "chat").is_empty());
    assert!(small_evidence(&report, PainKind::RepeatContact, "complaint").is_empty());
    assert!(small_evidence(&report, PainKind::NegativeEmotion, "complaint").is_empty());
}

#[test]
fn pain_ticket_follows_the_last_plain_event_by_hand() {
    let on = |issue: u32, at_s: f64| Ev {
        issue,
        ..contact(at_s, "phone")
    };
    let mut journeys = Vec::new();
    for customer in 0..30_u64 {
        let issue = customer as u32;
        let events = match customer {
            // The ticket follows browse, not home before it.
            0..10 => vec![ev(0.0, "home"), ev(60.0, "browse"), on(issue, 3_600.0)],
            10..20 => vec![ev(0.0, "home"), ev(60.0, "browse")],
            20..25 => vec![ev(0.0, "home"), on(issue, 3_600.0)],
            // The issue was open before the visit: no new ticket.
            _ => vec![on(99, 0.0), ev(3_600.0, "home"), on(99, 7_200.0)],
        };
        journeys.push(small_journey(customer, 0, &events));
    }
    let report = small_pain(&journeys);
    // Home: 5 of 30 followed; browse: 10 of 20 against 1/6,
    // z = (1/3) / √((1/6)(5/6)/20) = 4.
    assert!(small_evidence(&report, PainKind::TicketFollows, "home").is_empty());
    let browse = small_evidence(&report, PainKind::TicketFollows, "browse");
    assert_eq!(browse.len(), 1, "{report:?}");
    let e = browse[0];
    assert_eq!((e.hits, e.n, e.affected), (10, 20, 10));
    assert!(close_to(e.rate, 0.5) && close_to(e.expected, 1.0 / 6.0));
    assert!((e.z.expect("a share") - 4.0).abs() < 1e-9);
    // One finding per touchpoint, the headline first in its evidence.
    let mut seen: Vec<u32> = report.points.iter().map(|p| p.touchpoint).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), report.points.len());
    for point in &report.points {
        assert_eq!(point.kind, point.evidence[0].kind);
        assert!(close_to(point.impact, point.evidence[0].impact));
        assert!(
            point
                .evidence
                .windows(2)
                .all(|w| w[0].impact >= w[1].impact)
        );
    }
}

#[test]
fn pain_emotion_against_the_channel_kind_by_hand() {
    use model::RatingScale::Csat5;
    let mut journeys = Vec::new();
    for customer in 0..30_u64 {
        let events = match customer {
            0..10 => vec![
                rated(0.0, "home", Csat5, 2.0),
                rated(60.0, "browse", Csat5, 4.0),
                ev(120.0, "order"),
            ],
            10..20 => vec![
                rated(0.0, "home", Csat5, 1.0),
                rated(60.0, "browse", Csat5, 5.0),
                ev(120.0, "order"),
            ],
            // A human touchpoint: not part of the digital expectation.
            _ => vec![rated(0.0, "phone", Csat5, 1.0)],
        };
        journeys.push(small_journey(customer, 0, &events));
    }
    let report = small_pain(&journeys);
    // Home: −0.5 ×10 and −1 ×10, mean −0.75, s² = 0.065789; browse (the
    // other digital touchpoint): mean 0.75, the same s². Welch z =
    // 1.5 / √(2·0.065789/20) = 18.493242; the gap 1.5 is capped at 1.
    let home = small_evidence(&report, PainKind::NegativeEmotion, "home");
    assert_eq!(home.len(), 1, "{report:?}");
    let e = home[0];
    assert_eq!((e.n, e.affected), (20, 20));
    assert!(close_to(e.rate, -0.75) && close_to(e.expected, 0.75));
    assert!((e.z.expect("Welch") - 18.493_242_008_906_93).abs() < 1e-6);
    assert!(close_to(e.severity, 1.0) && close_to(e.impact, 20.0));
    // Phone has no other human touchpoint to be compared with.
    assert!(small_evidence(&report, PainKind::NegativeEmotion, "phone").is_empty());
}

#[test]
fn spec_validation_rejects_bad_input() {
    let mut spec = InsightSpec::new(small_catalog());
    assert_eq!(spec.follow_up, ["follow_up_mail"]);
    assert_eq!(spec.complaint, ["complaint"]);
    assert_eq!(spec.self_service, ["help_page", "referral"]);
    spec.purchase.push("nowhere".into());
    let error = spec.validate().expect_err("unknown touchpoint");
    assert!(error.to_string().contains("nowhere"), "{error}");
    let mut spec = InsightSpec::new(small_catalog());
    spec.poor_emotion_max = -2.0;
    assert!(spec.validate().is_err());
    let options = PainOptions {
        dwell_ratio_min: 0.5,
        ..PainOptions::default()
    };
    assert!(PainPointsAccumulator::new(small_context(), options).is_err());
}

// Partition independence: every kernel gives the same result however the
// journeys are split among partial accumulators and merged.

fn random_event() -> impl Strategy<Value = (i64, usize, u8, [u8; 6])> {
    (
        prop_oneof![Just(0_i64), 1_i64..120, 0_i64..(10 * 86_400)],
        0_usize..8,
        0_u8..16,
        prop::array::uniform6(0_u8..4),
    )
}

const SMALL_TOUCHPOINTS: [&str; 8] = [
    "home",
    "browse",
    "order",
    "follow_up_mail",
    "help_page",
    "referral",
    "phone",
    "complaint",
];

fn random_journeys() -> impl Strategy<Value = Vec<OwnedJourney>> {
    let journey = (0_u64..4, prop::collection::vec(random_event(), 0..10));
    prop::collection::vec(journey, 0..30).prop_map(|journeys| {
        (journeys.into_iter().enumerate())
            .map(|(customer, (personas, events))| {
                let mut at_s = 0.0;
                let events: Vec<Ev> = (events.into_iter())
                    .map(|(gap_s, touchpoint, rating, [a, b, c, d, e, f])| {
                        at_s += gap_s as f64;
                        let touchpoint = SMALL_TOUCHPOINTS[touchpoint];
                        let human = touchpoint == "phone" || touchpoint == "complaint";
                        let scale = [
                            model::RatingScale::Csat5,
                            model::RatingScale::Nps10,
                            model::RatingScale::Ces7,
                        ][usize::from(rating % 3)];
                        Ev {
                            rating: (rating < 8).then_some((scale, f32::from(rating % 6 + 1))),
                            sentiment: if a == 0 {
                                0.25 * f32::from(b) - 0.5
                            } else {
                                f32::NAN
                            },
                            wait_s: if human { 40.0 * f32::from(b) } else { f32::NAN },
                            resolved: (human && c > 0).then_some(c > 1),
                            abandoned: (human && d == 0).then_some(true),
                            agent: if human { u32::from(e) } else { NO_NAME },
                            issue: if human { u32::from(f) } else { NO_NAME },
                            theme: if human && a < 2 {
                                u32::from(a)
                            } else {
                                NO_NAME
                            },
                            value: if touchpoint == "order" {
                                10.0 * f64::from(b)
                            } else {
                                f64::NAN
                            },
                            queue: human && e > 0,
                            ..ev(at_s * 1.0, touchpoint)
                        }
                    })
                    .collect();
                let mut journey = small_journey(customer as u64, personas, &events);
                journey.breakdown = (0..events.len()).map(|i| (i % 3) as u32).collect();
                journey
            })
            .collect()
    })
}

fn same_in_any_split<A: Accumulator>(journeys: &[OwnedJourney], plan: &Plan, new: impl Fn() -> A)
where
    A::Output: serde::Serialize,
{
    let whole = run_split(
        journeys,
        &Plan {
            n_partials: 1,
            seed: 0,
        },
        &new,
    );
    let split = run_split(journeys, plan, &new);
    assert_same_json(&split, &whole);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn kernels_do_not_depend_on_partitioning(journeys in random_journeys(), plan in plan()) {
        let context = small_context();
        let data_end = {
            let mut spec = InsightSpec::new(small_catalog());
            spec.data_end_us = Some(20 * 86_400_000_000);
            Arc::new(spec.validate().expect("valid"))
        };
        let few = |k: u64| PainOptions { min_customers: k, min_z: 0.5, ..PainOptions::default() };
        same_in_any_split(&journeys, &plan, || EmotionCurveAccumulator::new(context.clone()));
        same_in_any_split(&journeys, &plan, || {
            PainPointsAccumulator::new(data_end.clone(), few(1)).expect("valid")
        });
        same_in_any_split(&journeys, &plan, || {
            AtRiskAccumulator::new(context.clone(), RiskOptions::default()).expect("valid")
        });
        same_in_any_split(&journeys, &plan, || {
            FollowUpAccumulator::new(data_end.clone(), FollowUpOptions::default()).expect("valid")
        });
        same_in_any_split(&journeys, &plan, || {
            let options = ResolutionOptions { min_resolved: 1, ..ResolutionOptions::default() };
            ResolutionAccumulator::new(context.clone(), options).expect("valid")
        });
        same_in_any_split(&journeys, &plan, || {
            let options = RootCauseOptions { min_support: 1, ..RootCauseOptions::default() };
            RootCauseAccumulator::new(context.clone(), options).expect("valid")
        });
        same_in_any_split(&journeys, &plan, || {
            RecoveryAccumulator::new(context.clone(), RecoveryOptions::default()).expect("valid")
        });
    }
}
