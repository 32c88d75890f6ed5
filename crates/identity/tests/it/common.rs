//! A small script language for identity calls, so that a test case is one
//! line: `identify a u1 @10; alias b a @11; trait a email h1 @12`.

use identity::{
    IdentityGraph, IdentityOptions, Link, NoOpReason, Outcome, Reason, Refusal, SplitOutcome,
};
use model::Event;
use std::collections::BTreeMap;

pub fn options() -> IdentityOptions {
    IdentityOptions {
        merge_on_traits: vec!["email".into()],
    }
}

/// One call of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Link(Link, Reason),
    Mark(String, Reason),
    Detach(String, Reason),
}

/// A script word as an identity: `<empty>` is the empty string and `\s`
/// stands for a space.
pub fn unescape(word: &str) -> String {
    if word == "<empty>" {
        String::new()
    } else {
        word.replace("\\s", " ")
    }
}

/// Parses `verb args… @ts`; the reason's event id is `e<line index>`.
pub fn parse(script: &str) -> Vec<Call> {
    script
        .split(';')
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .enumerate()
        .map(|(index, line)| {
            let (words, ts) = line.rsplit_once('@').expect("a call ends with @ts");
            let ts_us: i64 = ts.trim().parse().expect("ts is a number");
            let reason = Reason::event(format!("e{index}"), ts_us);
            let words: Vec<String> = words.split_whitespace().map(unescape).collect();
            call_of(&words, reason, line)
        })
        .collect()
}

fn call_of(words: &[String], reason: Reason, line: &str) -> Call {
    let owned = |index: usize| words[index].clone();
    match words[0].as_str() {
        "identify" => Call::Link(
            Link::Identify {
                anonymous_id: owned(1),
                user_id: owned(2),
            },
            reason,
        ),
        "alias" => Call::Link(
            Link::Alias {
                previous_id: owned(1),
                new_id: owned(2),
            },
            reason,
        ),
        "merge" => Call::Link(
            Link::Merge {
                a: owned(1),
                b: owned(2),
            },
            reason,
        ),
        "trait" => Call::Link(
            Link::SharedTrait {
                distinct_id: owned(1),
                trait_name: owned(2),
                normalised_hash: owned(3),
            },
            reason,
        ),
        "mark" => Call::Mark(owned(1), reason),
        "detach" => Call::Detach(owned(1), reason),
        verb => panic!("unknown verb {verb:?} in {line:?}"),
    }
}

/// Applies a call; a short word for its outcome.
pub fn apply(graph: &mut IdentityGraph, call: &Call) -> String {
    match call {
        Call::Link(link, reason) => outcome_word(&graph.link(link.clone(), reason.clone())),
        Call::Mark(id, reason) => outcome_word(&graph.mark_identified(id, reason.clone())),
        Call::Detach(id, reason) => match graph.detach(id, reason.clone()) {
            Ok(SplitOutcome::Detached { n_identities, .. }) => format!("detached:{n_identities}"),
            Ok(other) => panic!("detach answered {other:?}"),
            Err(error) => format!("error:{error}"),
        },
    }
}

pub fn outcome_word(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Applied { .. } => "applied".into(),
        Outcome::NoOp { reason, .. } => match reason {
            NoOpReason::SameIdentity => "noop:same".into(),
            NoOpReason::AlreadyJoined => "noop:joined".into(),
            NoOpReason::AlreadyIdentified => "noop:identified".into(),
        },
        Outcome::Refused { reason, .. } => match reason {
            Refusal::JunkIdentity { .. } => "refused:junk".into(),
            Refusal::TraitNotEnabled { .. } => "refused:trait".into(),
            Refusal::InvalidTraitHash => "refused:hash".into(),
            Refusal::BothIdentified { .. } => "refused:identified".into(),
            Refusal::Undone { .. } => "refused:undone".into(),
        },
    }
}

/// Every identity a script names (placeholders too).
pub fn identities(calls: &[Call]) -> Vec<String> {
    let mut names: Vec<String> = calls
        .iter()
        .flat_map(|call| match call {
            Call::Link(link, _) => link.identities().into_iter().map(String::from).collect(),
            Call::Mark(id, _) | Call::Detach(id, _) => vec![id.clone()],
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The customers as text: `canonical{member member} …`, each customer
/// named by its canonical identity, customers and members sorted by name.
pub fn customers(graph: &IdentityGraph, names: &[String]) -> String {
    let by_key: BTreeMap<u64, &String> = names
        .iter()
        .map(|name| (Event::customer_key(name), name))
        .collect();
    let mut groups: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for name in names {
        let canonical = graph.canonical_of(name);
        let canonical_name = by_key
            .get(&canonical)
            .map_or_else(|| format!("#{canonical}"), |name| name.to_string());
        groups.entry(canonical_name).or_default().push(name);
    }
    groups
        .iter()
        .map(|(canonical, members)| {
            let members: Vec<&str> = members.iter().map(|name| name.as_str()).collect();
            format!("{canonical}{{{}}}", members.join(" "))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a script on a fresh graph: the outcome words and the customers.
pub fn run(script: &str) -> (IdentityGraph, String, String) {
    let calls = parse(script);
    let mut graph = IdentityGraph::new(options());
    let words: Vec<String> = calls.iter().map(|call| apply(&mut graph, call)).collect();
    let names = identities(&calls);
    let customers = customers(&graph, &names);
    (graph, words.join(" "), customers)
}
