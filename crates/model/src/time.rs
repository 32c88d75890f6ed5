//! Time as touchpoint stores it: microseconds since the Unix epoch, UTC.
//! Parsing of the timestamp forms found in event files and API calls (ISO
//! 8601 with or without offset, epoch seconds, milliseconds or
//! microseconds) and ISO 8601 formatting, without a date-time dependency.

/// Parses a timestamp: RFC 3339 / ISO 8601 (`2024-05-01T10:00:00.123Z`,
/// `+02:00` offsets, a space instead of `T`, no zone = UTC, date only) or a
/// Unix epoch number in seconds, milliseconds or microseconds (told apart by
/// magnitude). Returns µs since the epoch.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty timestamp".into());
    }
    if let Ok(number) = text.parse::<f64>() {
        return epoch_to_us(number).ok_or_else(|| format!("timestamp {text:?} out of range"));
    }
    parse_iso(text)
        .ok_or_else(|| format!("cannot parse timestamp {text:?} (use ISO 8601 or epoch seconds)"))
}

/// An epoch number in seconds, milliseconds or microseconds (told apart by
/// magnitude) as µs.
pub fn epoch_to_us(number: f64) -> Option<i64> {
    if !number.is_finite() || number < 0.0 {
        return None;
    }
    let us = if number < 1e11 {
        number * 1e6
    } else if number < 1e14 {
        number * 1e3
    } else if number < 1e17 {
        number
    } else {
        return None;
    };
    Some(us.round() as i64)
}

fn digits(bytes: &[u8], start: usize, count: usize) -> Option<i64> {
    let slice = bytes.get(start..start + count)?;
    let mut value = 0i64;
    for &b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(value)
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn parse_iso(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let year = digits(bytes, 0, 4)?;
    let (month, day) = (digits(bytes, 5, 2)?, digits(bytes, 8, 2)?);
    if bytes.get(4) != Some(&b'-')
        || bytes.get(7) != Some(&b'-')
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    let mut us = days_from_civil(year, month, day) * 86_400_000_000;
    if bytes.len() == 10 {
        return Some(us);
    }
    if !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let (hour, minute) = (digits(bytes, 11, 2)?, digits(bytes, 14, 2)?);
    if bytes.get(13) != Some(&b':') || hour > 23 || minute > 59 {
        return None;
    }
    let mut position = 16;
    let mut second = 0;
    if bytes.get(16) == Some(&b':') {
        second = digits(bytes, 17, 2)?;
        if second > 60 {
            return None;
        }
        position = 19;
    }
    us += ((hour * 60 + minute) * 60 + second) * 1_000_000;
    if matches!(bytes.get(position), Some(b'.') | Some(b',')) {
        position += 1;
        let mut scale = 100_000;
        while let Some(b) = bytes.get(position).filter(|b| b.is_ascii_digit()) {
            us += i64::from(b - b'0') * scale;
            scale /= 10;
            position += 1;
        }
    }
    match &bytes[position..] {
        [] | [b'Z'] | [b'z'] => Some(us),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let offset_hours = digits(rest, 0, 2)?;
            let offset_minutes = match rest.len() {
                2 => 0,
                4 => digits(rest, 2, 2)?,
                5 if rest[2] == b':' => digits(rest, 3, 2)?,
                _ => return None,
            };
            let offset = (offset_hours * 60 + offset_minutes) * 60_000_000;
            Some(if *sign == b'+' {
                us - offset
            } else {
                us + offset
            })
        }
        _ => None,
    }
}

/// Civil date (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// ISO 8601 in UTC with microseconds, e.g. `2025-03-01T12:00:05.000250Z`.
pub fn format_timestamp(us: i64) -> String {
    let days = us.div_euclid(86_400_000_000);
    let rest = us.rem_euclid(86_400_000_000);
    let (year, month, day) = civil_from_days(days);
    let seconds = rest / 1_000_000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        rest % 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 60, 11_017, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
    }

    #[test]
    fn format_and_parse_agree() {
        for us in [
            0,
            1,
            1_700_000_000_123_456,
            951_782_400_000_000,
            86_399_999_999,
        ] {
            let text = format_timestamp(us);
            assert_eq!(parse_timestamp(&text), Ok(us), "{text}");
        }
        assert_eq!(format_timestamp(1_000_000), "1970-01-01T00:00:01.000000Z");
    }
}
