//! Determinism, structure and well-formedness of every scenario's output.

use generate::{
    CustomerRecord, GenerateError, GenerateOptions, Generator, Identities, Planted, Scenario,
};
use model::{Catalog, ChannelKind, Event};
use std::collections::{BTreeSet, HashSet};

fn options(customers: u64) -> GenerateOptions {
    GenerateOptions {
        customers,
        seed: 11,
        ..GenerateOptions::default()
    }
}

fn generate(scenario: Scenario, options: GenerateOptions) -> Vec<CustomerRecord> {
    Generator::new(scenario, options)
        .expect("valid options")
        .collect()
}

#[test]
fn same_seed_same_output() {
    for scenario in Scenario::ALL {
        assert_eq!(
            generate(scenario, options(300)),
            generate(scenario, options(300)),
            "{scenario:?}"
        );
        let other = GenerateOptions {
            seed: 12,
            ..options(300)
        };
        assert_ne!(
            generate(scenario, options(300)),
            generate(scenario, other),
            "{scenario:?}"
        );
    }
}

#[test]
fn customer_does_not_depend_on_dataset_size_or_chunking() {
    for scenario in Scenario::ALL {
        let small = generate(scenario, options(10));
        let large = Generator::new(scenario, options(1_000)).expect("valid options");
        assert_eq!(
            small[..],
            large.clone().take(10).collect::<Vec<_>>()[..],
            "{scenario:?}"
        );
        let chunk: Vec<CustomerRecord> = large.clone().chunk(500..510).collect();
        assert_eq!(chunk.len(), 10);
        assert_eq!(chunk[3], large.customer(503));
        assert_eq!(chunk[3].index, 503);
        assert_eq!(
            large.chunk(995..2_000).count(),
            5,
            "chunks are clamped to the dataset"
        );
    }
}

#[test]
fn definitions_are_valid_and_rich() {
    for scenario in Scenario::ALL {
        let definition = scenario.definition();
        definition.validate().expect("the definition is valid");
        let round_trip =
            model::JourneyDefinition::from_toml(&definition.to_toml()).expect("round trip");
        assert_eq!(round_trip, definition);
        assert!(definition.touchpoints.len() >= 30, "{scenario:?}");
        let channels: BTreeSet<&str> = definition
            .touchpoints
            .iter()
            .filter_map(|t| t.channel.as_deref())
            .collect();
        assert!(channels.len() >= 8, "{scenario:?}: {channels:?}");
        let kinds: BTreeSet<ChannelKind> = definition
            .touchpoints
            .iter()
            .filter_map(|t| t.kind)
            .collect();
        assert_eq!(kinds.len(), 3, "{scenario:?}");
        for stage in &definition.stages {
            assert!(
                definition.touchpoints.iter().any(|t| &t.stage == stage),
                "{scenario:?} {stage}"
            );
        }
        assert!(definition.cycle);
        assert!(!definition.outcomes.purchase.is_empty());
        assert!(definition.designed.len() >= 5);
        assert!(definition.personas.len() >= 4);
    }
}

#[test]
fn scenarios_differ() {
    let names = |scenario: Scenario| -> HashSet<String> {
        scenario
            .definition()
            .touchpoints
            .into_iter()
            .map(|t| t.name)
            .collect()
    };
    let retail = names(Scenario::Retail);
    let broadband = names(Scenario::Broadband);
    assert!(
        retail.intersection(&broadband).count() <= 3,
        "{:?}",
        retail.intersection(&broadband)
    );
    let keys = |scenario: Scenario| -> HashSet<&str> {
        scenario.planted().iter().map(|p| p.key).collect()
    };
    assert!(keys(Scenario::Retail).is_disjoint(&keys(Scenario::Broadband)));
    assert!(Scenario::Broadband.planted().len() >= 4);
}

/// Every event is well formed: defined touchpoint, ordered, inside the
/// window, received after it happened, with JSON properties and values on
/// their scales.
fn check_events(
    scenario: Scenario,
    customer: &CustomerRecord,
    catalog: &Catalog,
    window: (i64, i64),
) {
    let definition = catalog.definition();
    let mut ids = HashSet::new();
    for pair in customer.events.windows(2) {
        assert!(
            (pair[0].ts_us, &pair[0].event_id) < (pair[1].ts_us, &pair[1].event_id),
            "{scenario:?} order"
        );
    }
    for event in &customer.events {
        assert!(
            catalog.lookup(&event.touchpoint).is_some(),
            "{scenario:?}: {}",
            event.touchpoint
        );
        assert!(
            definition.channels.contains_key(&event.channel),
            "{scenario:?}: {}",
            event.channel
        );
        assert!((window.0..window.1).contains(&event.ts_us));
        assert!(event.received_at_us > event.ts_us);
        assert!(event.received_at_us - event.ts_us < 7 * 3_600_000_000);
        assert_eq!(event.customer, Event::customer_key(&event.distinct_id));
        assert!(ids.insert(event.event_id.clone()), "duplicate event id");
        if let Some(json) = &event.properties {
            let value: serde_json::Value = serde_json::from_str(json).expect("properties are JSON");
            assert!(value.is_object());
        }
        if let (Some(rating), Some(scale)) = (event.rating, event.rating_scale) {
            assert!(scale.to_emotion(rating).is_some(), "{rating} off {scale:?}");
        }
        assert_eq!(event.rating.is_some(), event.rating_scale.is_some());
        check_contact(scenario, catalog, event);
    }
}

/// Human-channel contacts carry the queue data; abandoned ones no agent.
fn check_contact(scenario: Scenario, catalog: &Catalog, event: &Event) {
    let id = catalog.lookup(&event.touchpoint).expect("defined");
    if catalog.info(id).kind != ChannelKind::Human || event.abandoned.is_none() {
        return;
    }
    let properties = event
        .properties
        .as_deref()
        .expect("contacts have properties");
    for key in ["queue", "team", "issue"] {
        assert!(
            properties.contains(&format!("\"{key}\"")),
            "{scenario:?} {properties}"
        );
    }
    if event.abandoned == Some(true) {
        assert!(event.agent.is_none() && event.handle_s.is_none() && event.resolved.is_none());
        return;
    }
    for key in ["talk_s", "hold_s", "wrap_s", "transfers"] {
        assert!(
            properties.contains(&format!("\"{key}\"")),
            "{scenario:?} {properties}"
        );
    }
    assert!(event.agent.is_some() && event.resolved.is_some());
    assert!(
        event
            .handle_s
            .expect("answered contacts have a handle time")
            > 0.0
    );
}

#[test]
fn events_are_well_formed() {
    for scenario in Scenario::ALL {
        let options = options(2_000);
        let window = (
            options.start_ts_us,
            options.start_ts_us + i64::from(options.days) * 86_400_000_000,
        );
        let catalog = Catalog::new(&scenario.definition());
        let mut touchpoints = HashSet::new();
        let mut events = 0;
        for customer in Generator::new(scenario, options).expect("valid options") {
            check_events(scenario, &customer, &catalog, window);
            touchpoints.extend(customer.events.iter().map(|e| e.touchpoint.clone()));
            events += customer.events.len();
            for name in ["age_band", "device", "region", "email"] {
                assert!(
                    customer.traits.contains_key(name),
                    "{scenario:?} lacks trait {name}"
                );
            }
        }
        let per_customer = events as f64 / 2_000.0;
        assert!(
            (10.0..=20.0).contains(&per_customer),
            "{scenario:?}: {per_customer} events per customer"
        );
        let defined = scenario.definition().touchpoints.len();
        assert_eq!(
            touchpoints.len(),
            defined,
            "{scenario:?}: every touchpoint occurs"
        );
    }
}

#[test]
fn anonymous_browsing_links_to_the_customer() {
    for scenario in Scenario::ALL {
        let options = GenerateOptions {
            identities: Identities::AnonymousFirst,
            ..options(300)
        };
        let mut linked = 0;
        for customer in Generator::new(scenario, options).expect("valid options") {
            let anonymous: HashSet<&str> = customer
                .events
                .iter()
                .map(|e| e.distinct_id.as_str())
                .filter(|id| *id != customer.distinct_id)
                .collect();
            assert!(anonymous.len() <= 1);
            let Some(anonymous_id) = anonymous.into_iter().next() else {
                continue;
            };
            let link = customer
                .events
                .iter()
                .find(|e| e.distinct_id == customer.distinct_id);
            if let Some(link) = link {
                let expected = format!("\"anonymous_id\":\"{anonymous_id}\"");
                assert!(
                    link.properties
                        .as_deref()
                        .expect("linked")
                        .contains(&expected)
                );
                linked += 1;
            }
        }
        assert!(linked > 50, "{scenario:?}: {linked}");
    }
}

#[test]
fn planted_situations_can_be_switched_off() {
    let unknown = GenerateOptions {
        planted: Planted::Only(vec!["nope".into()]),
        ..options(1)
    };
    let error = Generator::new(Scenario::Retail, unknown).expect_err("unknown key");
    assert!(
        matches!(error, GenerateError::UnknownPlanted { .. }),
        "{error}"
    );
    let no_days = GenerateOptions {
        days: 0,
        ..options(1)
    };
    assert_eq!(
        Generator::new(Scenario::Retail, no_days).expect_err("no days"),
        GenerateError::NoDays
    );
    for scenario in Scenario::ALL {
        let off = GenerateOptions {
            planted: Planted::None,
            ..options(200)
        };
        assert_ne!(
            generate(scenario, off),
            generate(scenario, options(200)),
            "{scenario:?}"
        );
    }
}

#[test]
fn short_windows_at_odd_times_work() {
    for scenario in Scenario::ALL {
        // A Wednesday, 13:37:11.5 UTC, for three days.
        let start_ts_us = generate::DEFAULT_START_TS_US + 2 * 86_400_000_000 + 49_031_500_000;
        let options = GenerateOptions {
            start_ts_us,
            days: 3,
            ..options(500)
        };
        let end_ts_us = start_ts_us + 3 * 86_400_000_000;
        let events: Vec<Event> = generate(scenario, options)
            .into_iter()
            .flat_map(|c| c.events)
            .collect();
        assert!(!events.is_empty(), "{scenario:?}");
        assert!(
            events
                .iter()
                .all(|e| (start_ts_us..end_ts_us).contains(&e.ts_us))
        );
    }
    let empty = GenerateOptions {
        customers: 0,
        ..options(0)
    };
    assert_eq!(
        Generator::new(Scenario::Retail, empty)
            .expect("valid")
            .count(),
        0
    );
}

#[test]
fn scenario_names_parse() {
    for scenario in Scenario::ALL {
        assert_eq!(Scenario::parse(scenario.name()), Some(scenario));
    }
    assert_eq!(Scenario::parse(" Retail "), Some(Scenario::Retail));
    assert_eq!(Scenario::parse("bakery"), None);
}
