//! UTC calendar periods without a date library: days, ISO weeks (Monday
//! first) and months as consecutive period numbers, their start instants,
//! and the lookup of an instant's period within a range of periods.

use serde::{Deserialize, Serialize};

/// Microseconds in one UTC day.
pub const DAY_US: i64 = 86_400_000_000;

/// The earliest instant a period range may start at: 0001-01-01T00:00:00Z.
pub const MIN_RANGE_US: i64 = -62_135_596_800_000_000;
/// The latest instant a period range may start at: 9999-12-31T00:00:00Z.
pub const MAX_RANGE_US: i64 = 253_402_214_400_000_000;

/// The length of one period. Weeks start on Monday 00:00 UTC (ISO 8601),
/// months on the first day of the calendar month, days at midnight UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Week,
    Month,
}

/// The UTC day number of an instant: days since 1970-01-01.
pub fn day_of(ts_us: i64) -> i64 {
    ts_us.div_euclid(DAY_US)
}

impl Period {
    /// The number of the period holding the UTC day `day`: the day itself,
    /// the week since the week of 1970-01-01 (a Thursday, so the Monday of
    /// week 0 is day −3), or months since January 1970.
    pub fn number_of_day(self, day: i64) -> i64 {
        match self {
            Period::Day => day,
            Period::Week => (day + 3).div_euclid(7),
            Period::Month => {
                let (year, month, _) = civil_from_days(day);
                year * 12 + i64::from(month) - 1 - 1970 * 12
            }
        }
    }

    /// The number of the period holding the instant.
    pub fn number_of(self, ts_us: i64) -> i64 {
        self.number_of_day(day_of(ts_us))
    }

    /// The first UTC day of period `number`.
    pub fn first_day(self, number: i64) -> i64 {
        match self {
            Period::Day => number,
            Period::Week => 7 * number - 3,
            Period::Month => {
                let months = number + 1970 * 12;
                let month = u32::try_from(months.rem_euclid(12)).expect("0..12 fits") + 1;
                days_from_civil(months.div_euclid(12), month, 1)
            }
        }
    }

    /// The instant period `number` starts at.
    pub fn start_us(self, number: i64) -> i64 {
        self.first_day(number) * DAY_US
    }
}

/// (year, month 1–12, day 1–31) of a day number, proleptic Gregorian
/// (the civil calendar of `model::time`, typed for this module).
pub fn civil_from_days(day: i64) -> (i64, u32, u32) {
    let (year, month, day_of_month) = model::time::civil_from_days(day);
    let month = u32::try_from(month).expect("month is 1..=12");
    let day_of_month = u32::try_from(day_of_month).expect("day is 1..=31");
    (year, month, day_of_month)
}

/// The day number of (year, month 1–12, day 1–31), proleptic Gregorian.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    model::time::days_from_civil(year, i64::from(month), i64::from(day))
}

/// `YYYY-MM-DD` of the UTC day holding the instant.
pub fn date_string(ts_us: i64) -> String {
    let (year, month, day) = civil_from_days(day_of(ts_us));
    format!("{year:04}-{month:02}-{day:02}")
}

/// A run of `n_periods` consecutive periods, numbered 0.. from the period
/// holding the range's start, plus the period before it (−1), which
/// lifecycle needs to classify period 0.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRange {
    pub period: Period,
    /// The calendar number of period 0.
    pub first_number: i64,
    /// Start instants of periods −1, 0, …, n: period `k` spans
    /// `starts_us[k + 1]..starts_us[k + 2]`.
    starts_us: Vec<i64>,
}

/// Where an instant falls relative to a [`PeriodRange`]: −2 before period
/// −1, `k` in period `k` (−1 ≤ k < n), `n` at or after the range's end.
pub type PeriodIdx = i64;

impl PeriodRange {
    /// The range of `n_periods` periods starting with the one holding
    /// `from_us`. The caller has checked that `from_us` lies between
    /// [`MIN_RANGE_US`] and [`MAX_RANGE_US`] and `n_periods` is small.
    pub fn new(period: Period, from_us: i64, n_periods: usize) -> PeriodRange {
        let first_number = period.number_of(from_us);
        let n = i64::try_from(n_periods).expect("period count fits i64");
        let starts_us = (-1..=n)
            .map(|k| period.start_us(first_number + k))
            .collect();
        PeriodRange {
            period,
            first_number,
            starts_us,
        }
    }

    pub fn n_periods(&self) -> usize {
        self.starts_us.len() - 2
    }

    /// The start instant of period `k` (−1 ≤ k ≤ n).
    pub fn start_us(&self, k: PeriodIdx) -> i64 {
        self.starts_us[usize::try_from(k + 1).expect("period index at least −1")]
    }

    /// Whole UTC days in period `k` (0 ≤ k < n).
    pub fn days(&self, k: PeriodIdx) -> usize {
        let days = (self.start_us(k + 1) - self.start_us(k)) / DAY_US;
        usize::try_from(days).expect("a period has a positive number of days")
    }

    /// The period holding `ts_us`; see [`PeriodIdx`].
    pub fn locate(&self, ts_us: i64) -> PeriodIdx {
        let starts_at_or_before = self.starts_us.partition_point(|&start| start <= ts_us);
        starts_at_or_before as i64 - 2
    }

    /// A cursor for one journey's non-decreasing times.
    pub fn cursor(&self) -> PeriodCursor<'_> {
        PeriodCursor {
            range: self,
            idx: PeriodIdx::MIN,
            end_us: i64::MIN,
        }
    }
}

/// Locates non-decreasing instants, searching only when an instant leaves
/// the period of the previous one: journeys spend many events per period.
#[derive(Debug)]
pub struct PeriodCursor<'a> {
    range: &'a PeriodRange,
    idx: PeriodIdx,
    /// First instant after the current period (exclusive end).
    end_us: i64,
}

impl PeriodCursor<'_> {
    pub fn locate(&mut self, ts_us: i64) -> PeriodIdx {
        if self.idx == PeriodIdx::MIN || ts_us >= self.end_us {
            self.idx = self.range.locate(ts_us);
            let n = self.range.n_periods() as i64;
            self.end_us = if self.idx >= n {
                i64::MAX
            } else {
                self.range.start_us(self.idx + 1)
            };
        }
        self.idx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(date: &str) -> i64 {
        let parts: Vec<i64> = date
            .split('-')
            .map(|p| p.parse().expect("number"))
            .collect();
        let month = u32::try_from(parts[1]).expect("month");
        let day = u32::try_from(parts[2]).expect("day");
        days_from_civil(parts[0], month, day) * DAY_US
    }

    #[test]
    fn civil_round_trips() {
        for day in (-800_000..800_000).step_by(997) {
            let (year, month, day_of_month) = civil_from_days(day);
            assert_eq!(days_from_civil(year, month, day_of_month), day);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(date_string(us("2024-02-29") + DAY_US - 1), "2024-02-29");
        assert_eq!(date_string(us("2000-03-01")), "2000-03-01");
        assert_eq!(date_string(MIN_RANGE_US), "0001-01-01");
        assert_eq!(date_string(MAX_RANGE_US), "9999-12-31");
    }

    #[test]
    fn periods_start_where_documented() {
        let check = |period: Period, instant: &str, start: &str| {
            let number = period.number_of(us(instant) + 3_600_000_000);
            assert_eq!(
                date_string(period.start_us(number)),
                start,
                "{period:?} {instant}"
            );
        };
        // 2024-01-01 was a Monday; 2024-01-07 a Sunday.
        check(Period::Week, "2024-01-01", "2024-01-01");
        check(Period::Week, "2024-01-07", "2024-01-01");
        check(Period::Week, "2024-01-08", "2024-01-08");
        check(Period::Week, "1970-01-01", "1969-12-29");
        check(Period::Month, "2024-02-29", "2024-02-01");
        check(Period::Month, "1969-12-31", "1969-12-01");
        check(Period::Day, "1969-12-31", "1969-12-31");
        assert_eq!(Period::Month.number_of(us("1970-01-31")), 0);
        assert_eq!(Period::Week.number_of(us("1970-01-04")), 0);
        assert_eq!(Period::Week.number_of(us("1970-01-05")), 1);
    }

    #[test]
    fn range_locates_instants() {
        let range = PeriodRange::new(Period::Month, us("2024-01-15"), 3);
        assert_eq!(range.n_periods(), 3);
        assert_eq!(range.days(0), 31);
        assert_eq!(range.days(1), 29);
        assert_eq!(range.locate(us("2023-11-30")), -2);
        assert_eq!(range.locate(us("2023-12-01")), -1);
        assert_eq!(range.locate(us("2024-01-01") - 1), -1);
        assert_eq!(range.locate(us("2024-01-01")), 0);
        assert_eq!(range.locate(us("2024-03-31")), 2);
        assert_eq!(range.locate(us("2024-04-01")), 3);
        let mut cursor = range.cursor();
        for (date, expected) in [
            ("2023-01-01", -2),
            ("2023-12-05", -1),
            ("2024-01-02", 0),
            ("2024-01-31", 0),
            ("2024-02-01", 1),
            ("2025-01-01", 3),
        ] {
            assert_eq!(cursor.locate(us(date)), expected, "{date}");
        }
    }
}
