//! Identities that must never link anything: placeholders that SDKs and
//! integrations send when they have no real id.

/// Placeholder identities, compared case-insensitively after trimming.
/// An identity that is empty or only whitespace is junk as well.
///
/// Why each group is here:
/// - words for "no one": `anonymous`, `anon`, `guest`, `unknown`,
///   `not_authenticated`, `n/a`;
/// - the null values of common languages, printed as text: `null`, `nil`,
///   `none`, `undefined`, `nan`;
/// - booleans and sentinel numbers sent where an id was expected: `true`,
///   `false`, `0`, `-1`;
/// - a JavaScript object printed as text: `[object object]`;
/// - field names sent instead of their values: `distinct_id`,
///   `distinctid`, `anonymous_id`, `user_id`, `userid`, `id`, `email`;
/// - empty containers and quotes: `[]`, `{}`, `""`, `''`;
/// - the nil UUID.
///
/// One of these ids on an event still files the event under its own key;
/// it only never becomes part of an identify, alias, merge or trait link,
/// because thousands of unrelated people share it.
pub const JUNK_IDENTITIES: &[&str] = &[
    "anonymous",
    "anon",
    "guest",
    "unknown",
    "not_authenticated",
    "n/a",
    "null",
    "nil",
    "none",
    "undefined",
    "nan",
    "true",
    "false",
    "0",
    "-1",
    "[object object]",
    "distinct_id",
    "distinctid",
    "anonymous_id",
    "user_id",
    "userid",
    "id",
    "email",
    "[]",
    "{}",
    "\"\"",
    "''",
    "00000000-0000-0000-0000-000000000000",
];

/// Whether an identity is a placeholder that must not link anything.
pub fn is_junk_identity(distinct_id: &str) -> bool {
    let trimmed = distinct_id.trim();
    trimmed.is_empty()
        || JUNK_IDENTITIES
            .iter()
            .any(|junk| junk.eq_ignore_ascii_case(trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_is_case_insensitive_after_trim() {
        let check = |id: &str, expected: bool| assert_eq!(is_junk_identity(id), expected, "{id:?}");
        check("", true);
        check("   \t", true);
        check(" NULL ", true);
        check("Undefined", true);
        check("[object Object]", true);
        check("NaN", true);
        check("-1", true);
        check("user-42", false);
        check("0x0", false);
        check("anonymous-7f3a", false);
    }

    #[test]
    fn junk_list_is_lowercase_and_trimmed() {
        for junk in JUNK_IDENTITIES {
            assert_eq!(junk.trim().to_lowercase(), *junk);
        }
    }
}
