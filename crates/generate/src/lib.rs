//! Deterministic synthetic businesses: for each [`Scenario`] a journey
//! definition and a streaming generator of customers whose events carry
//! problems planted on purpose, with documented effect sizes, so that the
//! analyses can be demonstrated and tested against a known truth.
//!
//! ```
//! use generate::{GenerateOptions, Generator, Scenario};
//!
//! let scenario = Scenario::Retail;
//! let definition = scenario.definition();
//! let options = GenerateOptions { customers: 50, seed: 7, ..GenerateOptions::default() };
//! let mut events = 0;
//! for customer in Generator::new(scenario, options).expect("valid options") {
//!     assert!(customer.events.iter().all(|e| definition.touchpoint(&e.touchpoint).is_some()));
//!     events += customer.events.len();
//! }
//! assert!(events > 0);
//! ```
//!
//! # Guarantees
//!
//! - **Deterministic.** The same scenario, seed and options give the same
//!   customers, event for event and byte for byte. The random stream is our
//!   own (xoshiro256++), fixed by this crate rather than by a dependency;
//!   only the platform's `ln`/`exp`, which round the last bit of a few
//!   durations, could in principle differ between platforms.
//! - **Independent customers.** Customer `i` depends on the seed and `i`
//!   only, not on how many customers are generated nor on chunking, so
//!   data can be generated in parallel: [`Generator::chunk`],
//!   [`Generator::customer`].
//! - **Streaming.** The generator yields one [`CustomerRecord`] at a time;
//!   memory does not grow with the dataset (100 million events are fine).
//! - **Well-formed events.** Per customer, ordered by (`ts_us`, `event_id`),
//!   all inside the window, `received_at_us` a little after `ts_us`, event
//!   ids unique across the dataset, `customer = Event::customer_key(distinct_id)`,
//!   `properties` a JSON object, every touchpoint and channel in the
//!   scenario's definition.
//! - **Raw signals only.** Events carry what real sources send: ratings with
//!   their scale, text, waits, handle times, resolution, abandonment,
//!   values. `sentiment` and `emotion` stay empty, as in real data, for
//!   ingest to compute (DESIGN §7); `stage` and `channel_kind` come from
//!   the definition.
//!
//! # What the businesses do
//!
//! Web and app events come in sessions, seconds to minutes apart, at the
//! hours people browse; stages are days apart; physical touchpoints
//! (parcels, letters, engineers) follow courier and working hours. Human
//! contacts happen in opening hours with a daily profile (peaks in the
//! morning and after work); needs that arise while a channel is closed pile
//! up for the next opening, which gives Mondays their peak. Each contact
//! waits in a queue (exponential wait; the caller's exponential patience
//! decides abandonment, as in Erlang A), is answered by a named agent of a
//! team, has talk, hold and wrap times and transfers, and belongs to an
//! issue whose key recognises repeat contacts. An unsolved issue brings a
//! repeat contact within a week four times in five; two failed contacts
//! and a third of customers complain. Survey answers (CSAT 1–5, NPS 0–10,
//! CES 1–7) sit on the events they rate, with comments whose tone follows
//! the rating. The NPS and reviews fall with every poor experience the
//! customer has had ([`is_poor_experience`]).
//!
//! **Retail** (the demo): an omni-channel seller of home electronics. 35
//! touchpoints on 14 channels over seven stages in a cycle: ads, blog and
//! printed catalogue; product pages, reviews, FAQ and sales chat; cart,
//! checkout, cart reminders and the store; order, confirmation and receipt;
//! dispatch text, parcel, packaging, set-up instructions and follow-up;
//! help centre, chat, phone, e-mail, complaints, returns and refunds; NPS,
//! reviews, rewards, newsletters, referrals, the app and "buy again", which
//! starts the next round. Customers come back months later, loyal tiers
//! more often, so repeat-purchase models have something to fit.
//!
//! **Broadband**: an internet provider with stages of its own (sign-up,
//! installation, usage, billing, support, renewal). 38 touchpoints on 13
//! channels: comparison sites and leaflets, the coverage check, sign-up,
//! router delivery, engineer visits and line activation, monthly bills,
//! app logins and speed tests, faults and repairs, call centre and web
//! chat, and at every term end a notice, perhaps a retention call, and
//! then recontract, roll on or cancellation. Households may have signed up
//! up to 240 days before the window; they appear mid-contract, as existing
//! customers do in any export.
//!
//! # The agents' data
//!
//! [`AgentDays`] builds the employees' side from the customers' data: it
//! observes customers (in any order, in chunks that it merges), keeps each
//! answered contact (an event with an agent on a touchpoint of human kind,
//! not abandoned: queue contacts, retention calls, engineer visits) and
//! finishes into agent events by the conventions of [`model::agent`],
//! ordered by (agent, ts, event id), to be stored apart from customers'
//! events. Every contact becomes a `contact` when the agent picks up (the
//! customer's time plus the wait, or the first response of e-mail and
//! forms) lasting talk plus hold, then `after_contact_work` for the wrap
//! (none recorded, as for field visits: 0 s); 40 % of contacts of a minute
//! or more have a `tool_used` look-up during the call and 12 % a
//! `manual_task` afterwards. Agents work the days they served contacts: a
//! shift within their team's hours (the queues' opening hours, Monday to
//! Saturday 08–18 for teams whose queues never close), eight hours placed
//! to cover most of the day's contacts, stretched to any contact less than
//! two hours outside it; a contact further away (mostly e-mail answered at
//! night) gets a short session of its own. Each session has `log_in`,
//! `ready`, a lunch `break` (sessions of six hours or more) and short
//! breaks (three hours or more), `not_ready` spells, each followed by
//! `ready` and placed where the agent has no work, and `log_out`: no work
//! happens while logged out. Because customers pick agents independently,
//! one agent's contacts sometimes overlap (the agent kernel counts
//! overlapping work once) and busy days stretch sessions over the team's
//! whole day. Deterministic: every draw comes from the seed and the
//! contact's event id, the agent and day, or the agent and session start.
//!
//! # Planted situations
//!
//! Each is on by default and can be switched off ([`Planted`]), which gives
//! the affected group the baseline's behaviour. [`Scenario::planted`] lists
//! them with the metric, the expected values and a tolerance; the
//! integration tests measure every one naively on 20 000 customers.
//!
//! Retail:
//!
//! 1. `setup_frustration`: parcels please, set-up instructions frustrate,
//!    above all for smart-home devices: mean CES 2.2 versus 5.4 for other
//!    categories; emotion −0.6 at set-up versus +0.45 at delivery for the
//!    same orders; 45 % of smart-home set-ups versus 6 % bring a
//!    `setup_unclear` contact within 3 days.
//! 2. `older_faq_drop`: half of the FAQ visits of customers aged 55+ end
//!    their journey, versus 8.5 % for everyone else.
//! 3. `mobile_checkout`: 34 % of carts on a phone become an order within 2
//!    hours, versus 77 % on a computer.
//! 4. `no_follow_up`: 36 % of customers who get a follow-up e-mail within
//!    14 days of their first purchase buy again, versus 12 % without one.
//! 5. `three_strikes`: after 3 or more poor experiences 3.5 % buy again,
//!    versus 24 % of everyone else.
//! 6. `false_resolved`: three agents close unsolved contacts as resolved:
//!    27 % of their "resolved" contacts come back within 7 days, versus
//!    4.5 % for other agents; 77 % of contacts marked unresolved come back.
//! 7. `wait_spikes`: Monday 09–11 and weekdays 17–19 the phone queue's mean
//!    wait is about 250 s versus 28 s (target 120 s) and 53 % hang up
//!    versus 6 %.
//! 8. `legacy_order_lookup` (agents' data): customer_care agents look the
//!    order up in `legacy_order_system` after 80 % of their contacts, 60–180
//!    s each: 1.35 manual steps per contact versus 0.52 for other teams,
//!    189 s versus 90 s of non-customer work per contact.
//!
//! Broadband:
//!
//! 1. `technician_no_show`: one engineer appointment in seven is missed;
//!    46 % of no-shows versus 4 % of completed visits are followed by a
//!    formal complaint within 14 days, 80 % by a call within a day.
//! 2. `first_bill_shock`: the first bill is 2.9 times the monthly price;
//!    40 % of first bills versus 4 % of later ones bring a billing query.
//! 3. `app_outage`: days 140–146 of the window the app fails: 90 % of
//!    logins error (1 % otherwise), 31 % are followed by a contact within a
//!    day, chat waits triple.
//! 4. `rural_coverage_drop`: 52 % of rural households leave at the
//!    coverage check (mostly copper only), versus 11.5 % elsewhere.
//! 5. `retention_saves`: 46 % of term ends without a retention call end in
//!    a cancellation, versus 11.5 % with one.
//! 6. `manual_bill_checks` (agents' data): billing agents recalculate the
//!    bill by hand (`manual_task` `bill_recalculation`) after 70 % of their
//!    contacts, 120–360 s each: 1.24 manual steps per contact versus 0.52,
//!    260 s versus 80 s of non-customer work per contact.
//!
//! # Speed
//!
//! About 1.5 million events per second of CPU time on one core of an AMD
//! EPYC server (release build: 2.77 million events of both scenarios in
//! 1.86 s of user time), so 100 million events take about a minute per
//! core; `cargo bench -p generate` measures it. The agents' events of 20 000
//! customers take 0.3 s (retail) to 0.6 s (broadband), about 370 000
//! agent events per second.

mod agents;
mod broadband;
mod contact;
mod generator;
mod life;
mod people;
mod planted;
mod poor;
mod retail;
mod rng;
mod scenario;
mod text;
mod time;
mod timeline;

pub use agents::AgentDays;
pub use generator::{
    CustomerRecord, DEFAULT_START_TS_US, GenerateError, GenerateOptions, Generator, Identities,
};
pub use planted::{ExpectedEffect, Planted, PlantedSituation};
pub use poor::{POOR_EMOTION_MAX, is_poor_experience};
pub use scenario::Scenario;
