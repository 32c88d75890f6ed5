//! The internet provider's planted situations, each measured naively on
//! 20 000 generated households and compared with its documented effect.

use crate::measure::{DAY_US, Mean, Share, check, dataset, property, trait_of};
use generate::{CustomerRecord, DEFAULT_START_TS_US, PlantedSituation, Scenario};
use model::Event;
use std::collections::HashSet;
use std::sync::OnceLock;

const WINDOW_END_US: i64 = DEFAULT_START_TS_US + 365 * DAY_US;
const OUTAGE_START_US: i64 = DEFAULT_START_TS_US + 140 * DAY_US;
const OUTAGE_END_US: i64 = OUTAGE_START_US + 7 * DAY_US;

/// Monthly prices of the plans, to put bills in proportion.
fn monthly_price(plan: &str) -> f64 {
    match plan {
        "copper_35" => 24.0,
        "fibre_100" => 29.0,
        "fibre_500" => 39.0,
        "fibre_900" => 55.0,
        other => panic!("unknown plan {other}"),
    }
}

/// Every measurement, taken in one pass; index 0 is the affected group.
#[derive(Debug, Default)]
struct Tally {
    complaint_after_visit: [Share; 2],
    call_after_visit: [Share; 2],
    query_after_bill: [Share; 2],
    bill_ratio: [Mean; 2],
    login_error: [Share; 2],
    contact_after_login: [Share; 2],
    chat_wait: [Mean; 2],
    coverage_last: [Share; 2],
    cancel_after_notice: [Share; 2],
}

fn group(affected: bool) -> usize {
    if affected { 0 } else { 1 }
}

fn tally() -> &'static Tally {
    static TALLY: OnceLock<Tally> = OnceLock::new();
    TALLY.get_or_init(|| {
        let mut tally = Tally::default();
        for customer in dataset(Scenario::Broadband) {
            tally.observe(&customer);
        }
        tally
    })
}

fn in_outage(ts_us: i64) -> bool {
    (OUTAGE_START_US..OUTAGE_END_US).contains(&ts_us)
}

/// Whether an event after `position` within `within_us` satisfies `found`.
fn followed(
    events: &[Event],
    position: usize,
    within_us: i64,
    found: impl Fn(&Event) -> bool,
) -> bool {
    let start = events[position].ts_us;
    events[position + 1..]
        .iter()
        .take_while(|e| e.ts_us - start <= within_us)
        .any(found)
}

fn is_contact(event: &Event) -> bool {
    event.touchpoint == "call_centre" || event.touchpoint == "web_chat"
}

impl Tally {
    fn observe(&mut self, customer: &CustomerRecord) {
        let events = &customer.events;
        let rural = trait_of(customer, "region") == "rural";
        for (position, event) in events.iter().enumerate() {
            let room_us = WINDOW_END_US - event.ts_us;
            match event.touchpoint.as_str() {
                "technician_visit" if room_us > 14 * DAY_US => self.visit(events, position),
                "bill" if room_us > 7 * DAY_US => self.bill(customer, events, position),
                "app_login" if room_us > DAY_US => {
                    let outage = in_outage(event.ts_us);
                    let error = property(event, "status").as_deref() == Some("error");
                    self.login_error[group(outage)].add(error);
                    self.contact_after_login[group(outage)]
                        .add(followed(events, position, DAY_US, is_contact));
                }
                "web_chat" => {
                    let wait_s = event.wait_s.expect("chats wait");
                    self.chat_wait[group(in_outage(event.ts_us))].add(f64::from(wait_s));
                }
                "coverage_check" if room_us > DAY_US => {
                    self.coverage_last[group(rural)].add(position + 1 == events.len());
                }
                "contract_end_notice" if room_us > 45 * DAY_US => {
                    let called = followed(events, position, 35 * DAY_US, |e| {
                        e.touchpoint == "retention_call"
                    });
                    let cancelled = followed(events, position, 45 * DAY_US, |e| {
                        e.touchpoint == "cancellation"
                    });
                    self.cancel_after_notice[group(!called)].add(cancelled);
                }
                _ => {}
            }
        }
    }

    fn visit(&mut self, events: &[Event], position: usize) {
        let no_show = property(&events[position], "status").as_deref() == Some("no_show");
        let complaint = followed(events, position, 14 * DAY_US, |e| {
            e.touchpoint == "formal_complaint"
        });
        let call = followed(events, position, DAY_US, |e| e.touchpoint == "call_centre");
        self.complaint_after_visit[group(no_show)].add(complaint);
        self.call_after_visit[group(no_show)].add(call);
    }

    fn bill(&mut self, customer: &CustomerRecord, events: &[Event], position: usize) {
        let bill = &events[position];
        let first = property(bill, "bill_no").as_deref() == Some("1");
        let query = followed(events, position, 7 * DAY_US, |e| {
            is_contact(e) && property(e, "reason").as_deref() == Some("bill_query")
        });
        self.query_after_bill[group(first)].add(query);
        let price = monthly_price(trait_of(customer, "plan"));
        self.bill_ratio[group(first)].add(bill.value.expect("bills have a value") / price);
    }
}

fn situation(key: &str) -> PlantedSituation {
    Scenario::Broadband
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
fn technician_no_show() {
    let situation = situation("technician_no_show");
    check_pair(&situation, 0, tally().complaint_after_visit, |s| s.value());
    check_pair(&situation, 1, tally().call_after_visit, |s| s.value());
}

#[test]
fn first_bill_shock() {
    let situation = situation("first_bill_shock");
    check_pair(&situation, 0, tally().query_after_bill, |s| s.value());
    check_pair(&situation, 1, tally().bill_ratio, |m| m.value());
}

#[test]
fn app_outage() {
    let situation = situation("app_outage");
    check_pair(&situation, 0, tally().login_error, |s| s.value());
    check_pair(&situation, 1, tally().contact_after_login, |s| s.value());
    check_pair(&situation, 2, tally().chat_wait, |m| m.value());
}

#[test]
fn rural_coverage_drop() {
    check_pair(
        &situation("rural_coverage_drop"),
        0,
        tally().coverage_last,
        |s| s.value(),
    );
}

#[test]
fn retention_saves() {
    let tally = tally();
    assert!(tally.cancel_after_notice[0].total >= 300, "{tally:?}");
    check_pair(
        &situation("retention_saves"),
        0,
        tally.cancel_after_notice,
        |s| s.value(),
    );
}

#[test]
fn situations_have_distinct_keys_and_known_touchpoints() {
    let definition = Scenario::Broadband.definition();
    let planted = Scenario::Broadband.planted();
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
