//! Normalisation of traits that link customers (e-mail, phone) and their
//! SHA-256 hashes: two spellings of one address must give one hash.

use model::IdentityRules;
use sha2::{Digest, Sha256};

/// How trait values are normalised before hashing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormaliseOptions {
    /// Country calling code (digits, e.g. `"44"`) for phone numbers written
    /// in national form.
    pub phone_default_country_code: Option<String>,
}

impl NormaliseOptions {
    pub fn from_rules(rules: &IdentityRules) -> NormaliseOptions {
        NormaliseOptions {
            phone_default_country_code: rules.phone_default_country_code.clone(),
        }
    }
}

/// Lowercase hexadecimal SHA-256 of the UTF-8 bytes of `text`.
pub fn sha256_hex(text: &str) -> String {
    const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// An e-mail address trimmed and lowercased; `None` unless it has exactly
/// one `@` with something on both sides and no whitespace inside.
///
/// The whole address is lowercased: local parts are case-sensitive in
/// theory, never in practice, and matching must not miss `Alice@` vs `alice@`.
pub fn normalise_email(raw: &str) -> Option<String> {
    let address = raw.trim().to_lowercase();
    let (local, domain) = address.split_once('@')?;
    let well_formed = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !address.chars().any(char::is_whitespace);
    well_formed.then_some(address)
}

/// A phone number in E.164 form (`+` and 7–15 digits, the first not 0).
///
/// Spaces, dashes, parentheses and dots are removed (and a `(0)` trunk hint
/// after an international prefix); a leading `00` is the international
/// prefix and becomes `+`. A number without either is in
/// national form: it gets `default_country_code` after one leading trunk
/// `0` is dropped (`07700 900123` with `44` → `+447700900123`); without a
/// default country code such a number gives `None`, because guessing the
/// country could link strangers.
pub fn normalise_phone(raw: &str, default_country_code: Option<&str>) -> Option<String> {
    let trimmed = raw.trim();
    // "+44 (0)20 …" writes the national trunk 0 beside the country code; it
    // is not dialled from abroad and is not part of the E.164 number.
    let without_trunk_hint = if trimmed.starts_with('+') || trimmed.starts_with("00") {
        trimmed.replacen("(0)", "", 1)
    } else {
        trimmed.to_string()
    };
    let compact: String = without_trunk_hint
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '(' | ')' | '.')))
        .collect();
    let digits = if let Some(international) = compact.strip_prefix('+') {
        international.to_string()
    } else if let Some(international) = compact.strip_prefix("00") {
        international.to_string()
    } else {
        let country_code = default_country_code?;
        let national = compact.strip_prefix('0').unwrap_or(&compact);
        format!("{country_code}{national}")
    };
    let valid = (7..=15).contains(&digits.len())
        && digits.bytes().all(|byte| byte.is_ascii_digit())
        && !digits.starts_with('0');
    valid.then(|| format!("+{digits}"))
}

/// The normalised form of a trait value used for linking: e-mail and phone
/// by their rules (a trait named `email`, `phone`, or ending in `_email`,
/// `_phone`, `mobile`); any other trait trimmed and lowercased. `None` when
/// nothing usable remains.
pub fn normalise_trait(trait_name: &str, raw: &str, options: &NormaliseOptions) -> Option<String> {
    let name = trait_name.to_ascii_lowercase();
    if name == "email" || name.ends_with("_email") {
        normalise_email(raw)
    } else if name == "phone" || name.ends_with("_phone") || name.ends_with("mobile") {
        normalise_phone(raw, options.phone_default_country_code.as_deref())
    } else {
        let value = raw.trim().to_lowercase();
        (!value.is_empty()).then_some(value)
    }
}

/// SHA-256 hex of the normalised trait value: what `link_by_trait` takes.
pub fn trait_hash(trait_name: &str, raw: &str, options: &NormaliseOptions) -> Option<String> {
    normalise_trait(trait_name, raw, options).map(|normalised| sha256_hex(&normalised))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_answers() {
        let check = |text: &str, expected: &str| assert_eq!(sha256_hex(text), expected, "{text:?}");
        check(
            "",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        check(
            "abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        );
        check(
            "alice@example.com",
            "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976",
        );
    }

    #[test]
    fn emails_normalise() {
        let check = |raw: &str, expected: Option<&str>| {
            assert_eq!(normalise_email(raw).as_deref(), expected, "{raw:?}");
        };
        check("  Alice@Example.COM ", Some("alice@example.com"));
        check("bob@example.org", Some("bob@example.org"));
        check("", None);
        check("no-at-sign", None);
        check("@example.com", None);
        check("alice@", None);
        check("a@b@c", None);
        check("al ice@example.com", None);
    }

    #[test]
    fn phones_normalise_to_e164() {
        let check = |raw: &str, country: Option<&str>, expected: Option<&str>| {
            assert_eq!(
                normalise_phone(raw, country).as_deref(),
                expected,
                "{raw:?} {country:?}"
            );
        };
        check("+44 7700 900123", None, Some("+447700900123"));
        check("0044 (0)7700-900.123", None, Some("+447700900123"));
        check("+44 (0)20 7946 0018", None, Some("+442079460018"));
        check("0044 7700-900.123", None, Some("+447700900123"));
        check("07700 900123", Some("44"), Some("+447700900123"));
        check("07700 900123", None, None);
        check("(415) 555-2671", Some("1"), Some("+14155552671"));
        check("+1 (415) 555.2671", Some("44"), Some("+14155552671"));
        check("+12", None, None);
        check("+1234567890123456", None, None);
        check("+44 7700 9001x3", None, None);
        check("", Some("44"), None);
    }

    #[test]
    fn trait_hashes_agree_across_spellings() {
        let options = NormaliseOptions {
            phone_default_country_code: Some("44".into()),
        };
        let hash = |name: &str, raw: &str| trait_hash(name, raw, &options);
        assert_eq!(
            hash("email", " ALICE@example.com").as_deref(),
            Some("ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976")
        );
        assert_eq!(
            hash("phone", "07700 900123").as_deref(),
            Some("a8acc3a90a7b4e4dc65e93db9240ed26523050ef754d63b75b5161de76781436")
        );
        assert_eq!(
            hash("phone", "07700 900123"),
            hash("mobile", "+447700900123")
        );
        assert_eq!(hash("work_email", "x"), None);
        assert_eq!(
            hash("loyalty_card", "  AB12 "),
            hash("loyalty_card", "ab12")
        );
        assert_eq!(hash("loyalty_card", "   "), None);
    }
}
