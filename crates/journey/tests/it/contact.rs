//! The contact-centre kernels: contact metrics against a naive reference
//! (random journeys, random partials) and hand-computed cases for service
//! level, ASA, AHT, reported and true FCR; the agent journey against a
//! per-segment reference and by hand (occupancy); the handover network;
//! and the breach detector on replayed streams (one spike raises exactly
//! one alert and clears; noise near the threshold does not flap).

use crate::common::{Plan, assert_same_json, plan, run_split};
use journey::contact::{
    AgentAccumulator, AgentActivity, AgentEvent, AgentEventKind, AgentSpell, BreachConfig,
    BreachDetector, BreachSignal, ContactDimension, ContactError, ContactGroup, ContactGrouping,
    ContactKey, ContactMetrics, ContactMetricsAccumulator, ContactReport, ContactSpec,
    HandoverAccumulator, HandoverKind, HandoverSpec, QueueEvent, QueueEventKind, Recommendation,
    agent_spells, contact_records,
};
use journey::owned::OwnedJourney;
use journey::stats::MeanAccumulator;
use journey::{Accumulator, Contact, NO_NAME};
use model::TouchpointId;
use proptest::prelude::*;
use std::collections::BTreeMap;

const SECOND_US: i64 = 1_000_000;
const DAY_US: i64 = 86_400 * SECOND_US;

/// One event of a test journey; `None` / NaN for facts it does not have.
#[derive(Debug, Clone, Copy)]
struct Ev {
    ts_us: i64,
    channel: u32,
    queue: u32,
    team: u32,
    agent: u32,
    issue: u32,
    wait_s: f32,
    handle_s: f32,
    talk_s: f32,
    hold_s: f32,
    wrap_s: f32,
    transfers: u16,
    abandoned: Option<bool>,
    resolved: Option<bool>,
    emotion: f32,
}

impl Ev {
    /// A page view: no contact data.
    fn page(ts_us: i64) -> Ev {
        Ev {
            ts_us,
            channel: 9,
            queue: NO_NAME,
            team: NO_NAME,
            agent: NO_NAME,
            issue: NO_NAME,
            wait_s: f32::NAN,
            handle_s: f32::NAN,
            talk_s: f32::NAN,
            hold_s: f32::NAN,
            wrap_s: f32::NAN,
            transfers: 0,
            abandoned: None,
            resolved: None,
            emotion: f32::NAN,
        }
    }

    /// An answered phone contact (channel 0, queue 0, team 0).
    fn answered(ts_us: i64, agent: u32, wait_s: f32, talk_hold_wrap_s: [f32; 3]) -> Ev {
        let [talk_s, hold_s, wrap_s] = talk_hold_wrap_s;
        Ev {
            channel: 0,
            queue: 0,
            team: 0,
            agent,
            wait_s,
            talk_s,
            hold_s,
            wrap_s,
            abandoned: Some(false),
            ..Ev::page(ts_us)
        }
    }

    fn abandoned(ts_us: i64, wait_s: f32) -> Ev {
        Ev {
            channel: 0,
            queue: 0,
            team: 0,
            wait_s,
            abandoned: Some(true),
            ..Ev::page(ts_us)
        }
    }
}

fn journey_of(customer: u64, events: &[Ev]) -> OwnedJourney {
    let mut journey = OwnedJourney::new(customer, 0);
    let facts = &mut journey.facts;
    for ev in events {
        facts.channel.push(ev.channel);
        facts.agent.push(ev.agent);
        facts.wait_s.push(ev.wait_s);
        facts.handle_s.push(ev.handle_s);
        facts.abandoned.push(ev.abandoned);
        facts.resolved.push(ev.resolved);
        facts.contact.push(Contact {
            queue: ev.queue,
            team: ev.team,
            skill: NO_NAME,
            issue: ev.issue,
            talk_s: ev.talk_s,
            hold_s: ev.hold_s,
            wrap_s: ev.wrap_s,
            transfers: ev.transfers,
        });
    }
    for ev in events {
        journey.push(ev.ts_us, TouchpointId(0), ev.emotion);
    }
    journey
}

fn report(journeys: &[OwnedJourney], spec: &ContactSpec) -> ContactReport {
    let mut accumulator = ContactMetricsAccumulator::new(spec).expect("valid spec");
    for journey in journeys {
        accumulator.observe(&journey.as_journey());
    }
    accumulator.finish()
}

// ---------------------------------------------------------------------------
// Naive reference for the contact metrics.

/// A contact as the reference reads it straight from the columns.
#[derive(Debug, Clone, Copy)]
struct RefContact {
    ts_us: i64,
    channel: u32,
    queue: u32,
    team: u32,
    agent: u32,
    abandoned: bool,
    wait_s: Option<f64>,
    handle_s: Option<f64>,
    parts_s: Option<[f64; 3]>,
    transfers: u16,
    resolved: Option<bool>,
    emotion: Option<f64>,
    /// For answered contacts: Some(true) repeat, Some(false) resolved,
    /// None unknown.
    repeat: Option<bool>,
}

fn known(x: f32) -> Option<f64> {
    (x.is_finite() && x >= 0.0).then_some(f64::from(x))
}

fn reference_contacts(journey: &OwnedJourney, spec: &ContactSpec) -> Vec<RefContact> {
    let f = &journey.facts;
    let is_contact = |i: usize| {
        f.contact[i].queue != NO_NAME
            || f.contact[i].talk_s.is_finite()
            || known(f.wait_s[i]).is_some()
            || known(f.handle_s[i]).is_some()
            || f.abandoned[i].is_some()
    };
    let human =
        |channel: u32| spec.human_channels.is_empty() || spec.human_channels.contains(&channel);
    let window_us = (spec.repeat_window_secs * 1e6).round() as i64;
    let indices: Vec<usize> = (0..journey.ts_us.len())
        .filter(|&i| is_contact(i))
        .collect();
    indices
        .iter()
        .map(|&i| {
            let c = f.contact[i];
            let abandoned = f.abandoned[i] == Some(true);
            let parts_s = known(c.talk_s).map(|talk| {
                [
                    talk,
                    known(c.hold_s).unwrap_or(0.0),
                    known(c.wrap_s).unwrap_or(0.0),
                ]
            });
            let repeat = (!abandoned).then(|| {
                indices.iter().filter(|&&j| j > i).any(|&j| {
                    let later = f.contact[j];
                    human(f.channel[j])
                        && journey.ts_us[j] - journey.ts_us[i] <= window_us
                        && (c.issue == NO_NAME || later.issue == NO_NAME || later.issue == c.issue)
                })
            });
            let censored = spec
                .observed_until_us
                .is_some_and(|end| journey.ts_us[i] + window_us > end);
            RefContact {
                ts_us: journey.ts_us[i],
                channel: f.channel[i],
                queue: c.queue,
                team: c.team,
                agent: f.agent[i],
                abandoned,
                wait_s: known(f.wait_s[i]),
                handle_s: parts_s.map(|p| p.iter().sum()).or(known(f.handle_s[i])),
                parts_s,
                transfers: c.transfers,
                resolved: f.resolved[i],
                emotion: journey.emotion[i]
                    .is_finite()
                    .then(|| f64::from(journey.emotion[i])),
                repeat: repeat.filter(|&r| r || !censored),
            }
        })
        .collect()
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn average(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn reference_metrics(contacts: &[RefContact], spec: &ContactSpec) -> ContactMetrics {
    let answered: Vec<&RefContact> = contacts.iter().filter(|c| !c.abandoned).collect();
    let abandoned: Vec<&RefContact> = contacts.iter().filter(|c| c.abandoned).collect();
    let short = (abandoned.iter())
        .filter(|c| c.wait_s.is_some_and(|w| w < spec.short_abandon_secs))
        .count();
    let sl_offered = abandoned.len() + answered.iter().filter(|c| c.wait_s.is_some()).count();
    let within = (answered.iter())
        .filter(|c| c.wait_s.is_some_and(|w| w <= spec.answer_within_secs))
        .count();
    let waits: Vec<f64> = answered.iter().filter_map(|c| c.wait_s).collect();
    let handles: Vec<f64> = answered.iter().filter_map(|c| c.handle_s).collect();
    let parts: Vec<[f64; 3]> = answered.iter().filter_map(|c| c.parts_s).collect();
    let part = |k: usize| average(&parts.iter().map(|p| p[k]).collect::<Vec<_>>());
    let resolved_known: Vec<bool> = answered.iter().filter_map(|c| c.resolved).collect();
    let repeats: Vec<bool> = answered.iter().filter_map(|c| c.repeat).collect();
    let mut emotion = MeanAccumulator::default();
    for value in answered.iter().filter_map(|c| c.emotion) {
        emotion.add(value);
    }
    ContactMetrics {
        offered: contacts.len() as u64,
        answered: answered.len() as u64,
        abandoned: abandoned.len() as u64,
        short_abandoned: short as u64,
        service_level_offered: sl_offered as u64,
        answered_within_threshold: within as u64,
        service_level: ratio(within, sl_offered),
        service_level_excluding_short_abandons: ratio(within, sl_offered - short),
        abandon_rate: ratio(abandoned.len(), contacts.len()),
        asa_s: average(&waits),
        aht_s: average(&handles),
        talk_s: part(0),
        hold_s: part(1),
        wrap_s: part(2),
        workload_s: handles.iter().sum(),
        patience_s: {
            let abandoned_waits: Vec<f64> = abandoned.iter().filter_map(|c| c.wait_s).collect();
            (!abandoned_waits.is_empty()).then(|| {
                (waits.iter().sum::<f64>() + abandoned_waits.iter().sum::<f64>())
                    / abandoned_waits.len() as f64
            })
        },
        transfers: answered.iter().map(|c| u64::from(c.transfers)).sum(),
        transfer_rate: ratio(
            answered.iter().filter(|c| c.transfers > 0).count(),
            answered.len(),
        ),
        reported_fcr: ratio(
            resolved_known.iter().filter(|&&r| r).count(),
            resolved_known.len(),
        ),
        reported_fcr_n: resolved_known.len() as u64,
        true_fcr: ratio(repeats.iter().filter(|&&r| !r).count(), repeats.len()),
        true_fcr_n: repeats.len() as u64,
        emotion: emotion.finish(),
    }
}

fn reference_key(dimensions: &[ContactDimension], c: &RefContact, interval_us: i64) -> ContactKey {
    let mut key = ContactKey::default();
    for dimension in dimensions {
        match dimension {
            ContactDimension::Channel => key.channel = Some(c.channel),
            ContactDimension::Queue => key.queue = Some(c.queue),
            ContactDimension::Team => key.team = Some(c.team),
            ContactDimension::Agent => key.agent = Some(c.agent),
            ContactDimension::Interval => {
                key.interval_start_us = Some(c.ts_us - c.ts_us.rem_euclid(interval_us));
            }
        }
    }
    key
}

fn reference(journeys: &[OwnedJourney], spec: &ContactSpec) -> ContactReport {
    let contacts: Vec<RefContact> = (journeys.iter())
        .flat_map(|journey| reference_contacts(journey, spec))
        .collect();
    let interval_us = (spec.interval_secs * 1e6).round() as i64;
    let groupings = (spec.groupings.iter())
        .map(|dimensions| {
            let mut groups: BTreeMap<ContactKey, Vec<RefContact>> = BTreeMap::new();
            for c in &contacts {
                let key = reference_key(dimensions, c, interval_us);
                groups.entry(key).or_default().push(*c);
            }
            ContactGrouping {
                dimensions: dimensions.clone(),
                groups: (groups.into_iter())
                    .map(|(key, members)| ContactGroup {
                        key,
                        metrics: reference_metrics(&members, spec),
                    })
                    .collect(),
            }
        })
        .collect();
    ContactReport {
        total: reference_metrics(&contacts, spec),
        groupings,
    }
}

/// Seconds on a grid of whole numbers (exact sums in any order) or unknown.
fn secs() -> impl Strategy<Value = f32> {
    prop_oneof![1 => Just(f32::NAN), 4 => (0_u8..60).prop_map(f32::from)]
}

fn name(n: u32) -> impl Strategy<Value = u32> {
    prop_oneof![1 => Just(NO_NAME), 4 => 0..n]
}

fn random_event() -> impl Strategy<Value = (i64, Ev)> {
    let gap_us = prop_oneof![Just(0_i64), 0_i64..3_600 * SECOND_US, 0_i64..10 * DAY_US,];
    let names = (0_u32..4, name(3), name(2), name(4), name(3));
    let times = (secs(), secs(), secs(), secs(), secs());
    let flags = (
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        0_u16..3,
        prop_oneof![Just(f32::NAN), (-8_i8..=8).prop_map(|k| f32::from(k) / 8.0)],
        any::<bool>(),
    );
    (gap_us, names, times, flags).prop_map(
        |(gap_us, (channel, queue, team, agent, issue), times, flags)| {
            let (wait_s, handle_s, talk_s, hold_s, wrap_s) = times;
            let (abandoned, resolved, transfers, emotion, page) = flags;
            let ev = if page {
                Ev {
                    emotion,
                    channel,
                    ..Ev::page(0)
                }
            } else {
                Ev {
                    ts_us: 0,
                    channel,
                    queue,
                    team,
                    agent,
                    issue,
                    wait_s,
                    handle_s,
                    talk_s,
                    hold_s,
                    wrap_s,
                    transfers,
                    abandoned,
                    resolved,
                    emotion,
                }
            };
            (gap_us, ev)
        },
    )
}

fn contact_journeys() -> impl Strategy<Value = Vec<OwnedJourney>> {
    let journey = (
        -3 * DAY_US..30 * DAY_US,
        prop::collection::vec(random_event(), 0..10),
    );
    prop::collection::vec(journey, 0..30).prop_map(|journeys| {
        (journeys.into_iter().enumerate())
            .map(|(customer, (start_us, events))| {
                let mut ts_us = start_us;
                let events: Vec<Ev> = (events.into_iter())
                    .map(|(gap_us, ev)| {
                        ts_us += gap_us;
                        Ev { ts_us, ..ev }
                    })
                    .collect();
                journey_of(customer as u64, &events)
            })
            .collect()
    })
}

fn random_spec() -> impl Strategy<Value = ContactSpec> {
    let dimension = prop_oneof![
        Just(ContactDimension::Channel),
        Just(ContactDimension::Queue),
        Just(ContactDimension::Team),
        Just(ContactDimension::Agent),
        Just(ContactDimension::Interval),
    ];
    let grouping = prop::collection::btree_set(dimension, 0..4)
        .prop_map(|set| set.into_iter().rev().collect::<Vec<_>>());
    (
        prop::collection::vec(grouping, 0..4),
        prop_oneof![Just(60.0), Just(1800.0), Just(86_400.0)],
        0_u8..40,
        0_u8..10,
        prop_oneof![Just(7.0 * 86_400.0), Just(3_600.0), Just(0.0)],
        prop_oneof![Just(vec![]), Just(vec![0_u32, 1]), Just(vec![2_u32])],
        prop::option::of(0_i64..40 * DAY_US),
    )
        .prop_map(
            |(groupings, interval_secs, within, short, repeat_window_secs, human, until)| {
                ContactSpec {
                    groupings,
                    interval_secs,
                    answer_within_secs: f64::from(within),
                    short_abandon_secs: f64::from(short),
                    repeat_window_secs,
                    human_channels: human,
                    observed_until_us: until,
                }
            },
        )
}

proptest! {
    #[test]
    fn split_and_merged_contact_metrics_equal_reference(
        journeys in contact_journeys(),
        spec in random_spec(),
        plan in plan(),
    ) {
        let actual = run_split(&journeys, &plan, || {
            ContactMetricsAccumulator::new(&spec).expect("valid spec")
        });
        assert_same_json(&actual, &reference(&journeys, &spec));
    }
}

// ---------------------------------------------------------------------------
// Hand-computed contact metrics.

#[test]
fn service_level_counts_abandons_and_the_variant_drops_short_ones() {
    let t = 1_000 * SECOND_US;
    let journeys = [
        // Answered after 10 s and 30 s; the threshold is 20 s.
        journey_of(1, &[Ev::answered(t, 1, 10.0, [100.0, 20.0, 30.0])]),
        journey_of(2, &[Ev::answered(t, 2, 30.0, [200.0, 0.0, 40.0])]),
        // Abandoned after 3 s (short) and after 60 s.
        journey_of(3, &[Ev::abandoned(t, 3.0)]),
        journey_of(4, &[Ev::abandoned(t, 60.0), Ev::page(t + 1)]),
        // An e-mail answered without a wait: out of the service level.
        journey_of(
            5,
            &[Ev {
                wait_s: f32::NAN,
                talk_s: f32::NAN,
                handle_s: 90.0,
                ..Ev::answered(t, 1, 0.0, [0.0; 3])
            }],
        ),
    ];
    let total = report(&journeys, &ContactSpec::default()).total;
    assert_eq!(
        (
            total.offered,
            total.answered,
            total.abandoned,
            total.short_abandoned
        ),
        (5, 3, 2, 1)
    );
    assert_eq!(total.service_level_offered, 4);
    assert_eq!(total.answered_within_threshold, 1);
    assert_eq!(total.service_level, Some(0.25));
    // 1 / (4 − 1 short abandon).
    assert_eq!(
        total.service_level_excluding_short_abandons,
        Some(1.0 / 3.0)
    );
    assert_eq!(total.abandon_rate, Some(0.4));
    // ASA over the two answered contacts with a wait.
    assert_eq!(total.asa_s, Some(20.0));
    // AHT: 150, 240 and the e-mail's handle time 90.
    assert_eq!(total.aht_s, Some(160.0));
    assert_eq!(total.talk_s, Some(150.0));
    assert_eq!(total.hold_s, Some(10.0));
    assert_eq!(total.wrap_s, Some(35.0));
    assert_eq!(total.workload_s, 480.0);
    // Patience: waits 10 + 30 (answered, censored) + 3 + 60 (abandoned)
    // over the two abandons.
    assert_eq!(total.patience_s, Some(51.5));
}

#[test]
fn groups_by_agent_and_half_hour_interval() {
    let half_hour_us = 1_800 * SECOND_US;
    let journeys = [journey_of(
        1,
        &[
            Ev::answered(half_hour_us - 1, 7, 5.0, [60.0, 0.0, 0.0]),
            Ev::answered(half_hour_us, 7, 5.0, [120.0, 0.0, 0.0]),
            Ev::answered(half_hour_us + 10, 8, 5.0, [30.0, 0.0, 0.0]),
        ],
    )];
    let spec = ContactSpec {
        groupings: vec![vec![ContactDimension::Agent, ContactDimension::Interval]],
        ..ContactSpec::default()
    };
    let groups = &report(&journeys, &spec).groupings[0].groups;
    let check = |agent: u32, start_us: i64, offered: u64, aht_s: f64| {
        let group = (groups.iter())
            .find(|g| g.key.agent == Some(agent) && g.key.interval_start_us == Some(start_us))
            .unwrap_or_else(|| panic!("group {agent} at {start_us}"));
        assert_eq!(group.metrics.offered, offered);
        assert_eq!(group.metrics.aht_s, Some(aht_s));
        assert_eq!(group.key.queue, None);
    };
    assert_eq!(groups.len(), 3);
    check(7, 0, 1, 60.0);
    check(7, half_hour_us, 1, 120.0);
    check(8, half_hour_us, 1, 30.0);
}

#[test]
fn true_fcr_against_reported_fcr() {
    let day = DAY_US;
    let with = |ev: Ev, issue: u32, resolved: bool| Ev {
        issue,
        resolved: Some(resolved),
        ..ev
    };
    let call = |ts_us: i64| Ev::answered(ts_us, 1, 5.0, [60.0, 0.0, 0.0]);
    let journeys = [
        // Marked resolved, but the customer calls again on issue 4 after 3
        // days: not first-contact resolved. The repeat itself is resolved.
        journey_of(1, &[with(call(0), 4, true), with(call(3 * day), 4, true)]),
        // A different issue 2 days later is not a repeat of issue 4.
        journey_of(2, &[with(call(0), 4, true), with(call(2 * day), 5, true)]),
        // The same issue after 8 days is outside the 7-day window.
        journey_of(3, &[with(call(0), 4, false), with(call(8 * day), 4, false)]),
        // Unknown issue: any contact within the window is a repeat, even an
        // abandoned one.
        journey_of(4, &[with(call(0), NO_NAME, true), Ev::abandoned(day, 30.0)]),
        // A later chat (channel 2, not human here) is no repeat.
        journey_of(
            5,
            &[
                with(call(0), 4, true),
                Ev {
                    channel: 2,
                    ..with(call(day), 4, true)
                },
            ],
        ),
    ];
    let spec = ContactSpec {
        human_channels: vec![0, 1],
        ..ContactSpec::default()
    };
    let total = report(&journeys, &spec).total;
    // Answered: 1a 1b 2a 2b 3a 3b 4a 5a 5b = 9; repeats: 1a and 4a.
    assert_eq!(total.answered, 9);
    assert_eq!(total.true_fcr_n, 9);
    assert_eq!(total.true_fcr, Some(7.0 / 9.0));
    // Marked resolved: all but 3a and 3b.
    assert_eq!(total.reported_fcr_n, 9);
    assert_eq!(total.reported_fcr, Some(7.0 / 9.0));
    // Data ending 5 days after the first contacts: contacts without a
    // repeat whose window is still open are left out.
    let censored = ContactSpec {
        observed_until_us: Some(5 * day),
        ..spec
    };
    let total = report(&journeys, &censored).total;
    // Known: 1a (repeat seen) and 4a (repeat seen); the rest are censored.
    assert_eq!(total.true_fcr_n, 2);
    assert_eq!(total.true_fcr, Some(0.0));
}

#[test]
fn emotion_of_served_contacts_has_an_interval() {
    let t = 0;
    let felt = |customer: u64, emotion: f32| {
        journey_of(
            customer,
            &[Ev {
                emotion,
                ..Ev::answered(t, 1, 5.0, [60.0, 0.0, 0.0])
            }],
        )
    };
    let journeys = [
        felt(1, 0.5),
        felt(2, -0.5),
        felt(3, 0.0),
        journey_of(
            4,
            &[Ev {
                emotion: -1.0,
                ..Ev::abandoned(t, 40.0)
            }],
        ),
    ];
    let emotion = report(&journeys, &ContactSpec::default())
        .total
        .emotion
        .expect("served contacts have emotions");
    assert_eq!(emotion.n, 3);
    assert_eq!(emotion.mean, 0.0);
    // Sample sd 0.5, t(2) = 4.303: half width 4.303 × 0.5 / √3.
    let half_width = 4.303 * 0.5 / 3_f64.sqrt();
    assert!((emotion.high - half_width).abs() < 1e-9, "{emotion:?}");
    assert!((emotion.low + half_width).abs() < 1e-9, "{emotion:?}");
}

#[test]
fn contact_records_fall_back_to_handle_time() {
    let ev = Ev {
        talk_s: f32::NAN,
        handle_s: 77.0,
        ..Ev::answered(5, 1, 2.0, [0.0; 3])
    };
    let journey = journey_of(1, &[Ev::page(0), ev]);
    let mut records = Vec::new();
    contact_records(&journey.as_journey(), &mut records);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].event_idx, 1);
    assert_eq!(records[0].handle_s, Some(77.0));
    assert_eq!(records[0].components_s, None);
    // Missing hold and wrap count as 0 next to a known talk time.
    let ev = Ev::answered(5, 1, 2.0, [50.0, f32::NAN, 10.0]);
    let mut records = Vec::new();
    contact_records(&journey_of(1, &[ev]).as_journey(), &mut records);
    assert_eq!(records[0].handle_s, Some(60.0));
}

#[test]
fn invalid_specs_are_refused() {
    let check = |spec: ContactSpec, expected: ContactError| {
        assert_eq!(ContactMetricsAccumulator::new(&spec).err(), Some(expected));
    };
    check(
        ContactSpec {
            interval_secs: 0.0,
            ..ContactSpec::default()
        },
        ContactError::InvalidSetting {
            name: "interval_secs",
            value: 0.0,
        },
    );
    check(
        ContactSpec {
            groupings: vec![vec![ContactDimension::Queue, ContactDimension::Queue]],
            ..ContactSpec::default()
        },
        ContactError::RepeatedDimension {
            dimension: ContactDimension::Queue,
        },
    );
}

// ---------------------------------------------------------------------------
// Agent journey.

fn agent_event(ts_s: i64, kind: AgentEventKind, duration_s: i64) -> AgentEvent {
    AgentEvent {
        agent: 1,
        team: 10,
        ts_us: ts_s * SECOND_US,
        kind,
        duration_us: duration_s * SECOND_US,
        name: NO_NAME,
    }
}

/// A short shift: log in at 0, ready at 60, a contact 100–400 with a tool
/// look-up inside it (200–230), wrap-up 400–460, a manual task 460–520
/// with an overlapping tool 500–540, break 600–900, ready again, log out
/// at 1000.
fn shift() -> Vec<AgentEvent> {
    use AgentEventKind::*;
    vec![
        agent_event(0, LogIn, 0),
        agent_event(60, Ready, 0),
        agent_event(100, Contact, 300),
        agent_event(200, ToolUsed, 30),
        agent_event(400, AfterContactWork, 60),
        agent_event(460, ManualTask, 60),
        agent_event(500, ToolUsed, 40),
        agent_event(600, Break, 0),
        agent_event(900, Ready, 0),
        agent_event(1000, LogOut, 0),
    ]
}

#[test]
fn agent_spells_by_hand() {
    use AgentActivity::*;
    let spell = |activity, start_s: i64, end_s: i64| AgentSpell {
        activity,
        start_us: start_s * SECOND_US,
        end_us: end_s * SECOND_US,
    };
    assert_eq!(
        agent_spells(&shift()),
        vec![
            spell(NotReady, 0, 60),
            spell(ReadyIdle, 60, 100),
            spell(Handling, 100, 400),
            spell(AfterContactWork, 400, 460),
            spell(ManualTask, 460, 520),
            spell(ToolLookup, 520, 540),
            spell(ReadyIdle, 540, 600),
            spell(Break, 600, 900),
            spell(ReadyIdle, 900, 1000),
        ]
    );
}

#[test]
fn agent_totals_and_occupancy_by_hand() {
    let mut accumulator = AgentAccumulator::new();
    accumulator.observe(&shift());
    let report = accumulator.finish();
    let agent = &report.agents[0];
    assert_eq!((agent.agent, agent.team), (Some(1), Some(10)));
    assert_eq!(agent.time.handling_s, 300.0);
    assert_eq!(agent.time.after_contact_work_s, 60.0);
    assert_eq!(agent.time.manual_task_s, 60.0);
    assert_eq!(agent.time.tool_lookup_s, 20.0);
    assert_eq!(agent.time.ready_idle_s, 200.0);
    assert_eq!(agent.time.not_ready_s, 60.0);
    assert_eq!(agent.time.break_s, 300.0);
    assert_eq!(agent.logged_in_s, 1000.0);
    assert_eq!(agent.non_customer_work_s, 140.0);
    assert_eq!(agent.contacts, 1);
    assert_eq!(agent.manual_steps, 3);
    assert_eq!(agent.manual_steps_per_contact, Some(3.0));
    // (300 + 60) / (300 + 60 + 200).
    assert_eq!(agent.occupancy, Some(360.0 / 560.0));
    // ReadyIdle → Handling once, after a 40 s idle spell.
    let edge = (agent.transitions.iter())
        .find(|t| t.from == AgentActivity::ReadyIdle && t.to == AgentActivity::Handling)
        .expect("ready → handling");
    assert_eq!((edge.count, edge.mean_from_s), (1, 40.0));
    assert_eq!(agent.transitions.iter().map(|t| t.count).sum::<u64>(), 8);
    assert_eq!(report.teams.len(), 1);
    assert_eq!(report.total.agents, 1);
}

/// The activity at time `at_us` by scanning every event.
fn reference_activity(events: &[AgentEvent], at_us: i64) -> AgentActivity {
    use AgentActivity::*;
    let mut state = LoggedOut;
    for event in events.iter().filter(|e| e.ts_us <= at_us) {
        state = match event.kind {
            AgentEventKind::LogIn | AgentEventKind::NotReady => NotReady,
            AgentEventKind::LogOut => LoggedOut,
            AgentEventKind::Ready => ReadyIdle,
            AgentEventKind::Break => Break,
            _ => state,
        };
    }
    if state == LoggedOut {
        return state;
    }
    let covering = |kind| {
        (events.iter())
            .any(|e| e.kind == kind && e.ts_us <= at_us && at_us < e.ts_us + e.duration_us)
    };
    [
        (AgentEventKind::Contact, Handling),
        (AgentEventKind::AfterContactWork, AfterContactWork),
        (AgentEventKind::ManualTask, ManualTask),
        (AgentEventKind::ToolUsed, ToolLookup),
    ]
    .into_iter()
    .find(|&(kind, _)| covering(kind))
    .map_or(state, |(_, activity)| activity)
}

fn agent_events() -> impl Strategy<Value = Vec<AgentEvent>> {
    let kind = prop_oneof![
        Just(AgentEventKind::LogIn),
        Just(AgentEventKind::LogOut),
        Just(AgentEventKind::Ready),
        Just(AgentEventKind::NotReady),
        Just(AgentEventKind::Break),
        Just(AgentEventKind::Contact),
        Just(AgentEventKind::AfterContactWork),
        Just(AgentEventKind::ManualTask),
        Just(AgentEventKind::ToolUsed),
    ];
    prop::collection::vec((0_i64..50, kind, 0_i64..80), 0..25).prop_map(|steps| {
        let mut ts_s = 0;
        (steps.into_iter())
            .map(|(gap_s, kind, duration_s)| {
                ts_s += gap_s;
                agent_event(ts_s, kind, duration_s)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn agent_spells_equal_a_scan_at_every_second(events in agent_events()) {
        let spells = agent_spells(&events);
        // Spells tile the time line without gaps and change activity.
        for pair in spells.windows(2) {
            prop_assert_eq!(pair[0].end_us, pair[1].start_us);
            prop_assert_ne!(pair[0].activity, pair[1].activity);
        }
        for spell in &spells {
            prop_assert!(spell.start_us < spell.end_us);
            // Event times are whole seconds, so every second inside a spell
            // has the spell's activity.
            let mut at_us = spell.start_us;
            while at_us < spell.end_us {
                prop_assert_eq!(reference_activity(&events, at_us), spell.activity, "at {}", at_us);
                at_us += SECOND_US;
            }
        }
        // The time line ends with the last event's end; state events have
        // no length.
        let is_work = |e: &AgentEvent| matches!(
            e.kind,
            AgentEventKind::Contact
                | AgentEventKind::AfterContactWork
                | AgentEventKind::ManualTask
                | AgentEventKind::ToolUsed
        );
        let end_us = (events.iter())
            .map(|e| e.ts_us + if is_work(e) { e.duration_us } else { 0 })
            .max();
        prop_assert_eq!(spells.last().map(|s| s.end_us), end_us.filter(|_| spells.last().is_some()));
    }

    #[test]
    fn agent_report_does_not_depend_on_partials(
        slices in prop::collection::vec((0_u32..4, 0_u32..3, agent_events()), 0..12),
        plan in plan(),
    ) {
        let slices: Vec<Vec<AgentEvent>> = (slices.into_iter())
            .map(|(agent, team, events)| {
                events.into_iter().map(|e| AgentEvent { agent, team, ..e }).collect()
            })
            .collect();
        let mut whole = AgentAccumulator::new();
        for slice in &slices {
            whole.observe(slice);
        }
        let split = split_agent_slices(&slices, &plan);
        assert_same_json(&split, &whole.finish());
    }
}

fn split_agent_slices(slices: &[Vec<AgentEvent>], plan: &Plan) -> journey::contact::AgentReport {
    let mut partials: Vec<AgentAccumulator> = (0..plan.n_partials)
        .map(|_| AgentAccumulator::new())
        .collect();
    let mut state = plan.seed;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    // Reverse order too, so that the team rule must not depend on order.
    for slice in slices.iter().rev() {
        let partial = next() % partials.len();
        partials[partial].observe(slice);
    }
    while partials.len() > 1 {
        let other = partials.swap_remove(next() % partials.len());
        let into = next() % partials.len();
        partials[into].merge(other);
    }
    partials.pop().expect("one partial").finish()
}

// ---------------------------------------------------------------------------
// Handover network.

#[test]
fn handovers_between_agents_and_teams() {
    let t = 0;
    let at = |ts_s: i64, agent: u32, team: u32, wait_s: f32| Ev {
        team,
        ..Ev::answered(ts_s * SECOND_US, agent, wait_s, [100.0, 0.0, 20.0])
    };
    let journeys = [
        // Agent 1 (team 0) → abandoned after 15 s → agent 2 (team 1) after
        // 25 s more: one handover with 40 s extra wait; the first contact
        // ended at 5 + 120 = 125 s, the next arrives at 300 s.
        journey_of(
            1,
            &[
                at(t, 1, 0, 5.0),
                Ev::abandoned(200 * SECOND_US, 15.0),
                at(300, 2, 1, 25.0),
            ],
        ),
        // The same agent again is a call-back, not a handover; then agent 3
        // of the same team (team self-loop) 10 s after, with 2 transfers
        // recorded on the last contact.
        journey_of(
            2,
            &[
                at(0, 1, 0, 0.0),
                at(200, 1, 0, 0.0),
                Ev {
                    transfers: 2,
                    ..at(400, 3, 0, 10.0)
                },
            ],
        ),
        // Too late: the next contact comes 2 hours after the first ended.
        journey_of(3, &[at(0, 1, 0, 0.0), at(7_200, 2, 1, 0.0)]),
    ];
    let spec = HandoverSpec::default();
    let mut accumulator = HandoverAccumulator::new(&spec).expect("valid spec");
    for journey in &journeys {
        accumulator.observe(&journey.as_journey());
    }
    let network = accumulator.finish();
    let find = |edges: &[journey::contact::HandoverEdge], kind, from, to| {
        edges
            .iter()
            .find(|e| e.kind == kind && e.from == from && e.to == to)
            .copied()
    };
    let agents = &network.agents;
    let one_two = find(agents, HandoverKind::Consecutive, 1, 2).expect("1 → 2");
    assert_eq!(
        (one_two.count, one_two.customers, one_two.mean_extra_wait_s),
        (1, 1, Some(40.0))
    );
    assert_eq!(find(agents, HandoverKind::Consecutive, 1, 1), None);
    let one_three = find(agents, HandoverKind::Consecutive, 1, 3).expect("1 → 3");
    assert_eq!(one_three.mean_extra_wait_s, Some(10.0));
    let recorded = find(agents, HandoverKind::Recorded, 3, NO_NAME).expect("recorded");
    assert_eq!((recorded.count, recorded.mean_extra_wait_s), (2, None));
    assert_eq!(agents.len(), 3);
    let teams = &network.teams;
    assert_eq!(
        find(teams, HandoverKind::Consecutive, 0, 1).map(|e| e.count),
        Some(1)
    );
    assert_eq!(
        find(teams, HandoverKind::Consecutive, 0, 0).map(|e| e.count),
        Some(1)
    );
    assert_eq!(teams.len(), 3);
}

// ---------------------------------------------------------------------------
// Breach detector.

/// SplitMix64 for reproducible streams.
fn random(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1_u64 << 53) as f64
}

/// A contact of queue 3 for replay: arrival second, wait, abandoned.
fn queue_contact(arrival_s: f64, wait_s: f64, abandoned: bool) -> journey::contact::ContactRecord {
    journey::contact::ContactRecord {
        event_idx: 0,
        ts_us: (arrival_s * 1e6) as i64,
        channel: 0,
        queue: 3,
        team: 0,
        agent: NO_NAME,
        issue: NO_NAME,
        abandoned,
        wait_s: Some(wait_s),
        handle_s: (!abandoned).then_some(240.0),
        components_s: None,
        transfers: 0,
        resolved: None,
        emotion: None,
    }
}

fn detector_in_breach_after(events: &[QueueEvent]) -> bool {
    let mut detector = BreachDetector::new(&BreachConfig::default()).expect("valid config");
    for event in events {
        detector.observe(event).expect("events in order");
    }
    detector.in_breach(events[0].queue)
}

fn run_detector(config: &BreachConfig, events: &[QueueEvent]) -> Vec<BreachSignal> {
    let mut detector = BreachDetector::new(config).expect("valid config");
    let mut signals = Vec::new();
    for event in events {
        if let Some(signal) = detector.observe(event).expect("events in order") {
            signals.push(signal);
        }
    }
    signals
}

#[test]
fn one_spike_raises_exactly_one_alert_and_clears_after() {
    // Six hours of one call a minute answered in 5 s, with 6 agents; from
    // 2:00 to 2:30 four calls a minute that wait 90 s, a third abandoning.
    let spike = (7_200.0, 9_000.0);
    let mut contacts = Vec::new();
    let mut arrival_s = 0.0;
    let mut k = 0;
    while arrival_s < 21_600.0 {
        let in_spike = arrival_s >= spike.0 && arrival_s < spike.1;
        if in_spike {
            contacts.push(queue_contact(arrival_s, 90.0, k % 3 == 0));
            arrival_s += 15.0;
        } else {
            contacts.push(queue_contact(arrival_s, 5.0, false));
            arrival_s += 60.0;
        }
        k += 1;
    }
    let mut events = vec![QueueEvent {
        queue: 3,
        ts_us: 0,
        kind: QueueEventKind::Staffed { agents: 6 },
    }];
    events.extend(QueueEvent::replay(&contacts));
    let signals = run_detector(&BreachConfig::default(), &events);
    assert_eq!(signals.len(), 2, "{signals:#?}");
    let BreachSignal::Alert(alert) = signals[0] else {
        panic!("first an alert: {signals:#?}")
    };
    let BreachSignal::Cleared(cleared) = signals[1] else {
        panic!("then cleared: {signals:#?}")
    };
    let at_s = alert.at_us as f64 / 1e6;
    assert!(
        at_s > spike.0 && at_s < spike.0 + 600.0,
        "alert at {at_s} s"
    );
    assert_eq!(alert.queue, 3);
    assert!(alert.value < alert.target, "{alert:?}");
    assert_eq!(alert.current_agents, Some(6));
    let required = alert.required_agents.expect("Erlang A finds a staffing");
    assert!(required > 6, "{alert:?}");
    assert_eq!(
        alert.recommendation,
        Recommendation::AddAgents {
            add: required - 6,
            to: required
        }
    );
    let cleared_s = cleared.at_us as f64 / 1e6;
    assert!(!detector_in_breach_after(&events));
    assert!(
        cleared_s > spike.1 && cleared_s < spike.1 + 1_800.0,
        "cleared at {cleared_s} s"
    );
    assert_eq!(cleared.since_us, alert.at_us);
}

/// Six hours of arrivals every 6 s, each answered within the threshold with
/// probability `p_within`.
fn noisy_stream(p_within: f64, seed: u64) -> Vec<QueueEvent> {
    let mut state = seed;
    let contacts: Vec<_> = (0..3_600)
        .map(|k| {
            let wait_s = if random(&mut state) < p_within {
                8.0
            } else {
                45.0
            };
            queue_contact(f64::from(k) * 6.0, wait_s, false)
        })
        .collect();
    QueueEvent::replay(&contacts)
}

/// Seconds between consecutive signals, which must alternate between
/// alerts and clearances.
fn signal_gaps_s(signals: &[BreachSignal]) -> Vec<f64> {
    let at_us = |signal: &BreachSignal| match signal {
        BreachSignal::Alert(alert) => alert.at_us,
        BreachSignal::Cleared(cleared) => cleared.at_us,
    };
    for (i, signal) in signals.iter().enumerate() {
        let is_alert = matches!(signal, BreachSignal::Alert(_));
        assert_eq!(is_alert, i % 2 == 0, "signals alternate: {signals:#?}");
    }
    (signals.windows(2))
        .map(|pair| (at_us(&pair[1]) - at_us(&pair[0])) as f64 / 1e6)
        .collect()
}

#[test]
fn noise_near_the_threshold_does_not_flap() {
    let events = noisy_stream(0.81, 7);
    let alerts = |config: &BreachConfig| {
        (run_detector(config, &events).iter())
            .filter(|s| matches!(s, BreachSignal::Alert(_)))
            .count()
    };
    let config = BreachConfig::default();
    // A breach or a quiet spell between two signals lasts at least the
    // hold time: breaches come from sustained dips, not single contacts.
    let signals = run_detector(&config, &events);
    let gaps_s = signal_gaps_s(&signals);
    assert!(
        gaps_s.iter().all(|&gap| gap >= config.clear_hold_secs),
        "{gaps_s:?}"
    );
    assert!(alerts(&config) <= 3, "{} alerts", alerts(&config));
    // Without hysteresis the same stream flaps, so the test can fail.
    let naive = BreachConfig {
        clear_margin: 0.0,
        clear_hold_secs: 0.0,
        min_alert_interval_secs: 0.0,
        ..config
    };
    assert!(alerts(&naive) > 10, "{} alerts", alerts(&naive));
    let naive_gaps_s = signal_gaps_s(&run_detector(&naive, &events));
    assert!(
        naive_gaps_s.iter().any(|&gap| gap < 60.0),
        "{naive_gaps_s:?}"
    );
}

/// The window recomputed from every event seen so far.
fn reference_window(config: &BreachConfig, events: &[QueueEvent]) -> journey::contact::WindowStats {
    let now_us = events.last().expect("an event").ts_us;
    let first_us = events[0].ts_us;
    let window_us = (config.window_secs * 1e6).round() as i64;
    let inside: Vec<&QueueEvent> = (events.iter())
        .filter(|e| e.ts_us > now_us - window_us)
        .collect();
    let mut arrivals = 0_u64;
    let (mut answered, mut abandoned, mut within) = (0_u64, 0_u64, 0_u64);
    let (mut answered_wait_s, mut all_wait_s) = (0.0, 0.0);
    let mut handles_s: Vec<f64> = Vec::new();
    for event in inside {
        match event.kind {
            QueueEventKind::Arrival => arrivals += 1,
            QueueEventKind::Answered { wait_s } => {
                answered += 1;
                answered_wait_s += wait_s;
                all_wait_s += wait_s;
                within += u64::from(wait_s <= config.answer_within_secs);
            }
            QueueEventKind::Abandoned { wait_s } => {
                abandoned += 1;
                all_wait_s += wait_s;
            }
            QueueEventKind::Handled { handle_s } => handles_s.push(handle_s),
            QueueEventKind::Staffed { .. } => {}
        }
    }
    let outcomes = answered + abandoned;
    let arrivals = arrivals.max(outcomes);
    let span_s = (((now_us - first_us).min(window_us)) as f64 / 1e6).max(1.0);
    journey::contact::WindowStats {
        arrivals,
        answered,
        abandoned,
        service_level: within as f64 / outcomes.max(1) as f64,
        asa_s: (answered > 0).then(|| answered_wait_s / answered as f64),
        aht_s: if handles_s.is_empty() {
            config.default_aht_secs
        } else {
            handles_s.iter().sum::<f64>() / handles_s.len() as f64
        },
        arrivals_per_hour: arrivals as f64 / span_s * 3600.0,
        patience_s: if abandoned > 0 {
            Some((all_wait_s / abandoned as f64).max(1.0))
        } else {
            config.default_patience_secs
        },
    }
}

proptest! {
    #[test]
    fn detector_window_equals_a_recount(
        steps in prop::collection::vec((0_i64..120, 0_u8..5, 0_u8..60), 1..200),
        window_secs in prop_oneof![Just(60.0), Just(300.0), Just(900.0)],
    ) {
        let config = BreachConfig { window_secs, ..BreachConfig::default() };
        let mut detector = BreachDetector::new(&config).expect("valid");
        let mut events: Vec<QueueEvent> = Vec::new();
        let mut ts_s = 0;
        for (gap_s, kind, secs) in steps {
            ts_s += gap_s;
            let secs = f64::from(secs);
            let kind = match kind {
                0 => QueueEventKind::Arrival,
                1 => QueueEventKind::Answered { wait_s: secs },
                2 => QueueEventKind::Abandoned { wait_s: secs },
                3 => QueueEventKind::Handled { handle_s: secs * 10.0 },
                _ => QueueEventKind::Staffed { agents: u32::from(kind) },
            };
            let event = QueueEvent { queue: 1, ts_us: ts_s * SECOND_US, kind };
            detector.observe(&event).expect("in order");
            events.push(event);
            let actual = detector.window_stats(1).expect("queue seen");
            assert_same_json(&actual, &reference_window(&config, &events));
        }
    }
}

#[test]
fn detector_refuses_events_out_of_order_and_bad_configs() {
    let mut detector = BreachDetector::new(&BreachConfig::default()).expect("valid");
    let event = |ts_us| QueueEvent {
        queue: 1,
        ts_us,
        kind: QueueEventKind::Arrival,
    };
    assert_eq!(detector.observe(&event(10)), Ok(None));
    assert_eq!(
        detector.observe(&event(5)),
        Err(ContactError::OutOfOrder {
            queue: 1,
            ts_us: 5,
            last_ts_us: 10
        })
    );
    // Another queue has its own clock.
    let other = QueueEvent {
        queue: 2,
        ..event(5)
    };
    assert_eq!(detector.observe(&other), Ok(None));
    let bad = BreachConfig {
        service_level_target: 1.5,
        ..BreachConfig::default()
    };
    assert!(BreachDetector::new(&bad).is_err());
}
