//! touchpoint's identity graph (DESIGN §6 "Identity graph"): which
//! identities (`distinct_id`s) are one customer, and why.
//!
//! - `IdentityGraph` keeps an append-only log of `Record`s — links
//!   (`identify`, `alias`, `merge`, `shared_trait`), marks that an identity
//!   is identified, and splits — each with its `Reason` (event or call, and
//!   time). Customers are the union-find components of the links, replayed
//!   in an order that depends only on the records, so that every analysis
//!   is independent of the order in which calls arrived (see `graph` for
//!   the exact rules, refusals included).
//! - `canonical` maps a customer key to its customer's canonical key;
//!   `overrides` lists every key that changes, for the engine to apply at
//!   query time; `explain` shows why; `split_edge` and `detach` undo links
//!   by appending, never by deleting.
//! - `log` encodes and decodes the records as versioned, checksummed lines
//!   for the store to append and replay.
//! - `normalise` turns e-mail addresses and phone numbers into the SHA-256
//!   hashes that trait links compare; `traits` combines the traits of
//!   merged customers by each trait's strategy.
//!
//! No I/O and no clock: times come with the calls.

mod error;
mod explain;
mod graph;
mod junk;
mod log;
mod normalise;
mod record;
mod region;
mod traits;
mod union_find;

pub use error::IdentityError;
pub use explain::{ExplainedRecord, Explanation, Member};
pub use graph::{
    IdentityGraph, IdentityOptions, NoOpReason, Outcome, Overrides, RecordStatus, Refusal,
    SplitOutcome, apply_overrides,
};
pub use junk::{JUNK_IDENTITIES, is_junk_identity};
pub use log::{LOG_FORMAT_VERSION, decode_line, decode_log, encode_record, encode_records};
pub use normalise::{
    NormaliseOptions, normalise_email, normalise_phone, normalise_trait, sha256_hex, trait_hash,
};
pub use record::{Link, Reason, Record, RecordId, Source, SplitTarget, replay_order};
pub use traits::{
    DEFAULT_TRAIT_STRATEGY, TimedTraits, TimedValue, combine_traits, combine_values, untimed,
};
