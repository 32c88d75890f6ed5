//! One customer's contacts pulled out of the journey's event columns, the
//! common input of the contact metrics and the handover network.
//!
//! An event is a contact when it carries contact-centre data: contact
//! details ([`Contact::is_contact`]), a wait, a handle time or an
//! abandonment flag. A contact is answered unless it is marked abandoned.

use serde::Serialize;

use crate::{Contact, Journey, NO_NAME};

/// One contact as the metrics see it. Times are seconds; unknown or
/// negative times are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ContactRecord {
    /// The event's position in its journey.
    pub event_idx: usize,
    /// Arrival time, microseconds since the Unix epoch.
    pub ts_us: i64,
    pub channel: u32,
    pub queue: u32,
    pub team: u32,
    pub agent: u32,
    pub issue: u32,
    pub abandoned: bool,
    pub wait_s: Option<f64>,
    /// Talk + hold + wrap when the talk time is known (a missing hold or
    /// wrap counts as 0), else the event's `handle_s`.
    pub handle_s: Option<f64>,
    /// Talk, hold and wrap, when the talk time is known.
    pub components_s: Option<[f64; 3]>,
    pub transfers: u16,
    pub resolved: Option<bool>,
    /// The event's emotion score, when it has one.
    pub emotion: Option<f64>,
}

impl ContactRecord {
    pub fn answered(&self) -> bool {
        !self.abandoned
    }
}

/// Appends the contacts of `journey` to `out`, in the journey's order.
pub fn contact_records(journey: &Journey<'_>, out: &mut Vec<ContactRecord>) {
    let facts = &journey.facts;
    for event_idx in 0..journey.len() {
        let contact = facts
            .contact
            .get(event_idx)
            .copied()
            .unwrap_or(Contact::NONE);
        let wait_s = known_secs(facts.wait_s.get(event_idx).copied());
        let event_handle_s = known_secs(facts.handle_s.get(event_idx).copied());
        let abandoned = facts.abandoned.get(event_idx).copied().flatten();
        let is_contact = contact.is_contact()
            || wait_s.is_some()
            || event_handle_s.is_some()
            || abandoned.is_some();
        if !is_contact {
            continue;
        }
        let components_s = known_secs(Some(contact.talk_s)).map(|talk_s| {
            let hold_s = known_secs(Some(contact.hold_s)).unwrap_or(0.0);
            let wrap_s = known_secs(Some(contact.wrap_s)).unwrap_or(0.0);
            [talk_s, hold_s, wrap_s]
        });
        let handle_s = components_s
            .map(|[talk_s, hold_s, wrap_s]| talk_s + hold_s + wrap_s)
            .or(event_handle_s);
        let emotion = journey.emotion.get(event_idx).copied();
        out.push(ContactRecord {
            event_idx,
            ts_us: journey.ts_us[event_idx],
            channel: name_at(facts.channel, event_idx),
            queue: contact.queue,
            team: contact.team,
            agent: name_at(facts.agent, event_idx),
            issue: contact.issue,
            abandoned: abandoned == Some(true),
            wait_s,
            handle_s,
            components_s,
            transfers: contact.transfers,
            resolved: facts.resolved.get(event_idx).copied().flatten(),
            emotion: emotion.filter(|e| e.is_finite()).map(f64::from),
        });
    }
}

fn name_at(names: &[u32], event_idx: usize) -> u32 {
    names.get(event_idx).copied().unwrap_or(NO_NAME)
}

fn known_secs(secs: Option<f32>) -> Option<f64> {
    secs.filter(|s| s.is_finite() && *s >= 0.0).map(f64::from)
}
