//! Synthetic people: names and e-mail addresses on reserved example
//! domains (RFC 2606), so that no generated address can reach anyone.

use crate::rng::Rng;

const FIRST_NAMES: &[&str] = &[
    "Olivia", "Liam", "Amelia", "Noah", "Isla", "Oliver", "Ava", "George", "Mia", "Harry", "Sofia",
    "Leo", "Grace", "Arthur", "Freya", "Oscar", "Lily", "Jack", "Ella", "Charlie", "Aisha",
    "Mohammed", "Priya", "Arjun", "Mei", "Wei", "Lucia", "Mateo", "Zofia", "Jakub", "Fatima",
    "Omar", "Chloe", "Ethan", "Ruth", "Peter", "Margaret", "David", "Susan", "Brian",
];

const LAST_NAMES: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Khan", "Clarke", "Lewis", "Singh", "Chen", "Nowak", "Garcia", "Murphy", "Kelly", "Ahmed",
    "Hughes", "Edwards",
];

const DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];

/// A person's display name and a unique address: the customer's index
/// makes the address unique within a dataset.
pub(crate) fn person(rng: &mut Rng, index: u64) -> (String, String) {
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    let domain = rng.pick(DOMAINS);
    let email = format!(
        "{}.{}.{index}@{domain}",
        first.to_ascii_lowercase(),
        last.to_ascii_lowercase()
    );
    (format!("{first} {last}"), email)
}
