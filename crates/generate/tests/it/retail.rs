//! The retailer's planted situations, each measured naively on 20 000
//! generated customers and compared with its documented effect.

use crate::measure::{DAY_US, HOUR_US, Mean, Share, check, dataset, property, trait_of};
use generate::{
    CustomerRecord, DEFAULT_START_TS_US, PlantedSituation, Scenario, is_poor_experience,
};
use model::{Event, JourneyDefinition, RatingScale};
use std::collections::HashSet;
use std::sync::OnceLock;

const WINDOW_END_US: i64 = DEFAULT_START_TS_US + 365 * DAY_US;
const HALF_US: i64 = DEFAULT_START_TS_US + 182 * DAY_US;
const SPIKE_AGENTS: [&str; 3] = ["Eli Brennan", "Kofi Mensah", "Quinn Foster"];

/// Every measurement, taken in one pass over the generated customers.
#[derive(Debug, Default)]
struct Tally {
    setup_ces: [Mean; 2],
    setup_ticket: [Share; 2],
    smart_home_emotion: [Mean; 2],
    faq_last: [Share; 2],
    cart_converts: [Share; 2],
    returns_by_follow_up: [Share; 2],
    returns_by_strikes: [Share; 2],
    repeat_after_resolved_by_agent: [Share; 2],
    repeat_by_resolved: [Share; 2],
    phone_wait: [Mean; 2],
    phone_abandoned: [Share; 2],
}

/// Index 0 is the affected group, 1 the baseline.
fn group(affected: bool) -> usize {
    if affected { 0 } else { 1 }
}

fn tally() -> &'static Tally {
    static TALLY: OnceLock<Tally> = OnceLock::new();
    TALLY.get_or_init(|| {
        let definition = Scenario::Retail.definition();
        let mut tally = Tally::default();
        for customer in dataset(Scenario::Retail) {
            tally.observe(&definition, &customer);
        }
        tally
    })
}

fn emotion(event: &Event) -> Option<f32> {
    event.rating_scale?.to_emotion(event.rating?)
}

impl Tally {
    fn observe(&mut self, definition: &JourneyDefinition, customer: &CustomerRecord) {
        let events = &customer.events;
        self.setup(events);
        let older = matches!(trait_of(customer, "age_band"), "55-64" | "65+");
        let mobile = trait_of(customer, "device") == "mobile";
        for (position, event) in events.iter().enumerate() {
            if event.touchpoint == "faq_page" && event.ts_us < WINDOW_END_US - DAY_US {
                self.faq_last[group(older)].add(position + 1 == events.len());
            }
            if event.touchpoint == "cart" && event.ts_us < WINDOW_END_US - DAY_US {
                let converts = events[position..].iter().any(|later| {
                    later.touchpoint == "order_placed" && later.ts_us - event.ts_us <= 2 * HOUR_US
                });
                self.cart_converts[group(mobile)].add(converts);
            }
        }
        self.repurchase(definition, events);
        self.contacts(events);
    }

    fn setup(&mut self, events: &[Event]) {
        for (position, event) in events.iter().enumerate() {
            let touchpoint = event.touchpoint.as_str();
            if touchpoint != "setup_instructions" && touchpoint != "parcel_delivery" {
                continue;
            }
            let smart_home = property(event, "category").as_deref() == Some("smart_home");
            if smart_home && let Some(emotion) = emotion(event) {
                self.smart_home_emotion[group(touchpoint == "setup_instructions")]
                    .add(f64::from(emotion));
            }
            if touchpoint != "setup_instructions" {
                continue;
            }
            if event.rating_scale == Some(RatingScale::Ces7) {
                self.setup_ces[group(smart_home)].add(f64::from(event.rating.expect("rated")));
            }
            if event.ts_us < WINDOW_END_US - 3 * DAY_US {
                let ticket = events[position..].iter().any(|later| {
                    later.ts_us - event.ts_us <= 3 * DAY_US
                        && property(later, "reason").as_deref() == Some("setup_unclear")
                });
                self.setup_ticket[group(smart_home)].add(ticket);
            }
        }
    }

    fn repurchase(&mut self, definition: &JourneyDefinition, events: &[Event]) {
        let purchases: Vec<&Event> = events
            .iter()
            .filter(|e| definition.outcomes.purchase.contains(&e.touchpoint))
            .collect();
        let Some(first) = purchases.first().filter(|first| first.ts_us < HALF_US) else {
            return;
        };
        let again = purchases.len() > 1;
        let second_ts = purchases.get(1).map_or(i64::MAX, |second| second.ts_us);
        let followed_up = events.iter().any(|e| {
            e.touchpoint == "follow_up_email"
                && e.ts_us >= first.ts_us
                && e.ts_us - first.ts_us <= 14 * DAY_US
        });
        let after_sale = ["post_purchase", "support", "loyalty"];
        let poor = events
            .iter()
            .filter(|e| e.ts_us >= first.ts_us && e.ts_us < second_ts)
            .filter(|e| after_sale.contains(&definition.stage_of(&e.touchpoint)))
            .filter(|e| is_poor_experience(e, definition.targets.wait_s))
            .count();
        self.returns_by_follow_up[group(!followed_up)].add(again);
        self.returns_by_strikes[group(poor >= 3)].add(again);
    }

    fn contacts(&mut self, events: &[Event]) {
        let contacts: Vec<(&Event, String)> = events
            .iter()
            .filter_map(|e| property(e, "issue").map(|issue| (e, issue)))
            .collect();
        for (position, (contact, issue)) in contacts.iter().enumerate() {
            if contact.touchpoint == "phone_support" {
                let spike = in_spike(contact.ts_us);
                self.phone_wait[group(spike)]
                    .add(f64::from(contact.wait_s.expect("phone contacts wait")));
                self.phone_abandoned[group(spike)].add(contact.abandoned == Some(true));
            }
            let Some(resolved) = contact.resolved else {
                continue;
            };
            if contact.ts_us >= WINDOW_END_US - 8 * DAY_US {
                continue;
            }
            let repeat = contacts[position + 1..]
                .iter()
                .any(|(later, key)| key == issue && later.ts_us - contact.ts_us <= 7 * DAY_US);
            self.repeat_by_resolved[group(!resolved)].add(repeat);
            let care = property(contact, "team").as_deref() == Some("customer_care");
            if resolved && care {
                let agent = contact
                    .agent
                    .as_deref()
                    .expect("answered contacts have agents");
                self.repeat_after_resolved_by_agent[group(SPIKE_AGENTS.contains(&agent))]
                    .add(repeat);
            }
        }
    }
}

/// Monday 09–11 or a weekday 17–19 (the default window starts on a Monday).
fn in_spike(ts_us: i64) -> bool {
    let since = ts_us - DEFAULT_START_TS_US;
    let weekday = since.div_euclid(DAY_US) % 7;
    let hour = since.rem_euclid(DAY_US) / HOUR_US;
    (weekday == 0 && (9..11).contains(&hour)) || (weekday < 5 && (17..19).contains(&hour))
}

fn situation(key: &str) -> PlantedSituation {
    Scenario::Retail
        .planted()
        .into_iter()
        .find(|situation| situation.key == key)
        .expect("the situation is documented")
}

fn check_pair<T: Copy>(
    situation: &PlantedSituation,
    effect: usize,
    pair: [T; 2],
    value: impl Fn(T) -> f64,
) {
    check(&situation.expected[effect], value(pair[0]), value(pair[1]));
}

#[test]
fn setup_frustration() {
    let situation = situation("setup_frustration");
    let tally = tally();
    check_pair(&situation, 0, tally.setup_ces, |m| m.value());
    check_pair(&situation, 1, tally.setup_ticket, |s| s.value());
    check_pair(&situation, 2, tally.smart_home_emotion, |m| m.value());
}

#[test]
fn older_faq_drop() {
    check_pair(&situation("older_faq_drop"), 0, tally().faq_last, |s| {
        s.value()
    });
}

#[test]
fn mobile_checkout() {
    check_pair(
        &situation("mobile_checkout"),
        0,
        tally().cart_converts,
        |s| s.value(),
    );
}

#[test]
fn no_follow_up() {
    check_pair(
        &situation("no_follow_up"),
        0,
        tally().returns_by_follow_up,
        |s| s.value(),
    );
}

#[test]
fn three_strikes() {
    let tally = tally();
    assert!(
        tally.returns_by_strikes[0].total >= 150,
        "too few customers with three strikes: {tally:?}"
    );
    check_pair(
        &situation("three_strikes"),
        0,
        tally.returns_by_strikes,
        |s| s.value(),
    );
}

#[test]
fn false_resolved() {
    let situation = situation("false_resolved");
    check_pair(&situation, 0, tally().repeat_after_resolved_by_agent, |s| {
        s.value()
    });
    check_pair(&situation, 1, tally().repeat_by_resolved, |s| s.value());
}

#[test]
fn wait_spikes() {
    let situation = situation("wait_spikes");
    check_pair(&situation, 0, tally().phone_wait, |m| m.value());
    check_pair(&situation, 1, tally().phone_abandoned, |s| s.value());
}

#[test]
fn situations_have_distinct_keys_and_known_touchpoints() {
    let definition = Scenario::Retail.definition();
    let planted = Scenario::Retail.planted();
    assert_eq!(planted.len(), 8);
    let keys: HashSet<&str> = planted.iter().map(|s| s.key).collect();
    assert_eq!(keys.len(), planted.len());
    for situation in &planted {
        for touchpoint in &situation.touchpoints {
            assert!(definition.touchpoint(touchpoint).is_some(), "{touchpoint}");
        }
        if let Some(persona) = situation.persona {
            assert!(definition.persona_index(persona).is_some(), "{persona}");
        }
    }
}
