//! The agents' events: valid rows, one contact and one after-contact work
//! per answered contact, no work while logged out, breaks where there is
//! no work, determinism, and the planted extra steps measured naively.

use crate::measure::{check, dataset, property};
use generate::{AgentDays, CustomerRecord, GenerateOptions, Generator, Planted, Scenario};
use model::agent::{AgentEventKind, AgentEventRecord};
use model::{Catalog, ChannelKind, Event};
use std::collections::{HashMap, HashSet};

fn options(customers: u64, seed: u64) -> GenerateOptions {
    GenerateOptions {
        customers,
        seed,
        ..GenerateOptions::default()
    }
}

fn customers(scenario: Scenario, options: &GenerateOptions) -> Vec<CustomerRecord> {
    Generator::new(scenario, options.clone())
        .expect("valid options")
        .collect()
}

fn agent_events<'a>(
    scenario: Scenario,
    options: &GenerateOptions,
    customers: impl IntoIterator<Item = &'a CustomerRecord>,
) -> Vec<Event> {
    let mut days = AgentDays::new(scenario, options).expect("valid options");
    for customer in customers {
        days.observe(customer);
    }
    days.finish()
}

fn records(events: &[Event]) -> Vec<AgentEventRecord> {
    (events.iter())
        .map(|event| AgentEventRecord::from_event(event).expect("a valid agent event"))
        .collect()
}

fn number(event: &Event, key: &str) -> Option<f64> {
    property(event, key).map(|text| text.parse().expect("a number"))
}

/// What the customer's side says about one answered contact.
#[derive(Debug)]
struct Expected {
    agent: String,
    team: String,
    start_us: i64,
    contact_s: f64,
    wrap_s: f64,
}

/// The answered contacts of the customers' data, read naively: an agent,
/// a touchpoint of human kind, not abandoned.
fn answered_contacts(
    scenario: Scenario,
    customers: &[CustomerRecord],
) -> HashMap<String, Expected> {
    let catalog = Catalog::new(&scenario.definition());
    let mut expected = HashMap::new();
    for event in customers.iter().flat_map(|c| &c.events) {
        let human = (catalog.lookup(&event.touchpoint))
            .is_some_and(|id| catalog.info(id).kind == ChannelKind::Human);
        let (Some(agent), true, false) = (&event.agent, human, event.abandoned == Some(true))
        else {
            continue;
        };
        let handle_s = f64::from(
            event
                .handle_s
                .expect("answered contacts have a handle time"),
        );
        let wrap_s = number(event, "wrap_s").unwrap_or(0.0);
        let contact_s = match number(event, "talk_s") {
            Some(talk_s) => talk_s + number(event, "hold_s").unwrap_or(0.0),
            None => handle_s - wrap_s,
        };
        assert_eq!(contact_s + wrap_s, handle_s, "{event:?}");
        let wait_s = (event.wait_s.map(f64::from))
            .or_else(|| number(event, "first_response_s"))
            .unwrap_or(0.0);
        let previous = expected.insert(
            event.event_id.clone(),
            Expected {
                agent: agent.clone(),
                team: property(event, "team").expect("contacts name the team"),
                start_us: event.ts_us + (wait_s * 1e6) as i64,
                contact_s,
                wrap_s,
            },
        );
        assert!(previous.is_none(), "event ids are unique");
    }
    expected
}

#[test]
fn every_answered_contact_has_its_contact_and_wrap_up() {
    for scenario in Scenario::ALL {
        let options = options(3_000, 11);
        let customers = customers(scenario, &options);
        let events = agent_events(scenario, &options, &customers);
        let records = records(&events);
        let expected = answered_contacts(scenario, &customers);
        assert!(
            expected.len() > 500,
            "{scenario:?}: {} contacts",
            expected.len()
        );
        let mut seen: HashMap<(&str, AgentEventKind), usize> = HashMap::new();
        for record in &records {
            if !matches!(
                record.kind,
                AgentEventKind::Contact | AgentEventKind::AfterContactWork
            ) {
                assert!(record.contact_event_id.is_none(), "{record:?}");
                continue;
            }
            let id = record
                .contact_event_id
                .as_deref()
                .expect("contacts name theirs");
            let contact = &expected[id];
            assert_eq!(record.agent, contact.agent);
            assert_eq!(record.team, contact.team);
            assert!(record.queue.is_some());
            let duration_s = f64::from(record.duration_s.expect("work has a duration"));
            if record.kind == AgentEventKind::Contact {
                assert_eq!(record.ts_us, contact.start_us, "{record:?}");
                assert_eq!(duration_s, contact.contact_s, "{record:?}");
            } else {
                assert_eq!(
                    record.ts_us,
                    contact.start_us + (contact.contact_s * 1e6) as i64
                );
                assert_eq!(duration_s, contact.wrap_s, "{record:?}");
            }
            *seen.entry((id, record.kind)).or_default() += 1;
        }
        assert_eq!(seen.len(), 2 * expected.len(), "{scenario:?}");
        assert!(seen.values().all(|&n| n == 1), "{scenario:?}: one of each");
    }
}

#[test]
fn rows_follow_the_conventions_in_order() {
    for scenario in Scenario::ALL {
        let options = options(1_500, 5);
        let events = agent_events(scenario, &options, &customers(scenario, &options));
        let records = records(&events);
        for (event, record) in events.iter().zip(&records) {
            assert_eq!(event.customer, Event::customer_key(&record.agent));
            assert_eq!(event.distinct_id, record.agent);
            assert!(event.received_at_us >= event.ts_us);
            if matches!(
                record.kind,
                AgentEventKind::ManualTask | AgentEventKind::ToolUsed
            ) {
                assert!(record.name.is_some(), "{record:?}");
            }
        }
        let keys: Vec<(&str, i64, &str)> = (records.iter())
            .map(|r| (r.agent.as_str(), r.ts_us, r.event_id.as_str()))
            .collect();
        assert!(
            keys.is_sorted(),
            "{scenario:?}: ordered by (agent, ts, event id)"
        );
        let ids: HashSet<&str> = records.iter().map(|r| r.event_id.as_str()).collect();
        assert_eq!(ids.len(), records.len(), "{scenario:?}: unique ids");
        let kinds: HashSet<AgentEventKind> = records.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds.len(),
            AgentEventKind::ALL.len(),
            "{scenario:?}: {kinds:?}"
        );
    }
}

/// One agent's sessions, checked: log in and log out alternate, starting
/// with a log in and ending with a log out; every other event lies inside
/// a session, work ends before its log out.
fn sessions_of(records: &[&AgentEventRecord]) -> Vec<(i64, i64)> {
    let mut sessions = Vec::new();
    let mut open: Option<i64> = None;
    for record in records {
        match (record.kind, open) {
            (AgentEventKind::LogIn, None) => open = Some(record.ts_us),
            (AgentEventKind::LogOut, Some(start)) => {
                sessions.push((start, record.ts_us));
                open = None;
            }
            (AgentEventKind::LogIn | AgentEventKind::LogOut, _) => {
                panic!("log in and log out do not alternate at {record:?}")
            }
            (_, None) => panic!("an event while logged out: {record:?}"),
            (_, Some(_)) => {}
        }
    }
    assert!(open.is_none(), "the last session ends with a log out");
    sessions
}

#[test]
fn agents_work_only_while_logged_in_and_rest_when_free() {
    for scenario in Scenario::ALL {
        let options = options(3_000, 3);
        let events = agent_events(scenario, &options, &customers(scenario, &options));
        let records = records(&events);
        let mut agents = 0;
        for agent in records.chunk_by(|a, b| a.agent == b.agent) {
            agents += 1;
            let agent: Vec<&AgentEventRecord> = agent.iter().collect();
            let sessions = sessions_of(&agent);
            let work: Vec<(i64, i64)> = (agent.iter())
                .filter(|r| r.kind.is_work())
                .map(|r| (r.ts_us, r.end_us()))
                .collect();
            for &(start, end) in &work {
                let session = sessions[sessions.partition_point(|s| s.0 <= start) - 1];
                assert!(end <= session.1, "{scenario:?}: work past log out");
            }
            for pair in agent.windows(2) {
                if matches!(
                    pair[0].kind,
                    AgentEventKind::Break | AgentEventKind::NotReady
                ) {
                    assert_eq!(pair[1].kind, AgentEventKind::Ready, "{pair:?}");
                    let (from, to) = (pair[0].ts_us, pair[1].ts_us);
                    assert!(
                        work.iter().all(|&(start, end)| end <= from || start >= to),
                        "{scenario:?}: work during a break {pair:?}"
                    );
                }
            }
        }
        assert!(agents >= 20, "{scenario:?}: {agents} agents");
    }
}

#[test]
fn shifts_have_lunch_and_short_breaks() {
    let options = options(3_000, 3);
    let scenario = Scenario::Retail;
    let records = records(&agent_events(
        scenario,
        &options,
        &customers(scenario, &options),
    ));
    let mut long_sessions = 0;
    let mut lunches = 0;
    for agent in records.chunk_by(|a, b| a.agent == b.agent) {
        let agent: Vec<&AgentEventRecord> = agent.iter().collect();
        for (start, end) in sessions_of(&agent) {
            if end - start < 6 * 3_600_000_000 {
                continue;
            }
            long_sessions += 1;
            let breaks: Vec<i64> = (agent.windows(2))
                .filter(|p| {
                    p[0].kind == AgentEventKind::Break && (start..end).contains(&p[0].ts_us)
                })
                .map(|p| p[1].ts_us - p[0].ts_us)
                .collect();
            lunches += usize::from(breaks.iter().any(|&b| b >= 30 * 60_000_000));
            assert!(breaks.len() <= 3, "{breaks:?}");
        }
    }
    assert!(long_sessions > 100, "{long_sessions}");
    assert!(
        lunches as f64 > 0.9 * long_sessions as f64,
        "{lunches} lunches in {long_sessions} sessions of six hours or more"
    );
}

#[test]
fn same_seed_same_events_in_any_observation_order() {
    let scenario = Scenario::Retail;
    let options = options(1_000, 9);
    let customers = customers(scenario, &options);
    let forward = agent_events(scenario, &options, &customers);
    assert_eq!(forward, agent_events(scenario, &options, &customers));
    assert_eq!(
        forward,
        agent_events(scenario, &options, customers.iter().rev())
    );
    let twice = customers.iter().chain(&customers[..100]);
    assert_eq!(
        forward,
        agent_events(scenario, &options, twice),
        "idempotent"
    );
    let mut merged = AgentDays::new(scenario, &options).expect("valid options");
    for chunk in customers.chunks(300).rev() {
        let mut part = AgentDays::new(scenario, &options).expect("valid options");
        chunk.iter().for_each(|customer| part.observe(customer));
        merged.merge(part);
    }
    assert_eq!(
        merged.contacts(),
        answered_contacts(scenario, &customers).len()
    );
    assert_eq!(forward, merged.finish(), "merged chunks");
    let other_seed = GenerateOptions {
        seed: 10,
        ..options.clone()
    };
    assert_ne!(forward, agent_events(scenario, &other_seed, &customers));
}

#[test]
fn unknown_planted_keys_are_refused() {
    let options = GenerateOptions {
        planted: Planted::Only(vec!["nope".into()]),
        ..options(1, 1)
    };
    assert!(AgentDays::new(Scenario::Retail, &options).is_err());
}

/// Per group (the planted team, every other team): contacts, planted
/// steps, manual steps, seconds of non-customer work.
#[derive(Debug, Default, Clone, Copy)]
struct StepTally {
    contacts: f64,
    planted: f64,
    manual_steps: f64,
    non_customer_s: f64,
}

fn tally_steps(records: &[AgentEventRecord], team: &str, step: &str) -> [StepTally; 2] {
    let mut tally = [StepTally::default(); 2];
    for record in records {
        let group = &mut tally[usize::from(record.team != team)];
        let duration_s = record.duration_s.map_or(0.0, f64::from);
        match record.kind {
            AgentEventKind::Contact => group.contacts += 1.0,
            AgentEventKind::AfterContactWork => group.non_customer_s += duration_s,
            AgentEventKind::ManualTask | AgentEventKind::ToolUsed => {
                group.manual_steps += 1.0;
                group.non_customer_s += duration_s;
                group.planted += f64::from(u8::from(record.name.as_deref() == Some(step)));
            }
            _ => {}
        }
    }
    tally
}

#[test]
fn planted_manual_steps_show_in_aggregate() {
    let cases = [
        (
            Scenario::Retail,
            "legacy_order_lookup",
            "customer_care",
            "legacy_order_system",
        ),
        (
            Scenario::Broadband,
            "manual_bill_checks",
            "billing",
            "bill_recalculation",
        ),
    ];
    for (scenario, key, team, step) in cases {
        let situation = (scenario.planted().into_iter())
            .find(|s| s.key == key)
            .expect("documented");
        let generator = dataset(scenario);
        let mut options = GenerateOptions {
            customers: generator.len() as u64,
            seed: 7,
            ..GenerateOptions::default()
        };
        let customers: Vec<CustomerRecord> = generator.collect();
        let planted_records = records(&agent_events(scenario, &options, &customers));
        let tally = tally_steps(&planted_records, team, step);
        let per_contact = |value: fn(&StepTally) -> f64| tally.map(|t| value(&t) / t.contacts);
        let planted = per_contact(|t| t.planted);
        check(&situation.expected[0], planted[0], planted[1]);
        let manual = per_contact(|t| t.manual_steps);
        check(&situation.expected[1], manual[0], manual[1]);
        let seconds = per_contact(|t| t.non_customer_s);
        check(&situation.expected[2], seconds[0], seconds[1]);

        options.planted = Planted::AllExcept(vec![key.to_string()]);
        let off = records(&agent_events(scenario, &options, &customers));
        let tally = tally_steps(&off, team, step);
        assert_eq!(tally[0].planted, 0.0, "{key} switched off");
        let manual_off = tally.map(|t| t.manual_steps / t.contacts);
        assert!(
            (manual_off[0] - manual_off[1]).abs() < 0.06,
            "{key} off: {manual_off:?}"
        );
    }
}
