//! Calendar arithmetic on microsecond timestamps (UTC, which the synthetic
//! businesses treat as their local time), opening hours, and drawing the
//! time of an interaction from an hour-of-day arrival profile.

use crate::rng::Rng;

pub(crate) const SECOND_US: i64 = 1_000_000;
pub(crate) const MINUTE_US: i64 = 60 * SECOND_US;
pub(crate) const HOUR_US: i64 = 60 * MINUTE_US;
pub(crate) const DAY_US: i64 = 24 * HOUR_US;

/// Start of the UTC day that contains `ts_us`.
pub(crate) fn day_start(ts_us: i64) -> i64 {
    ts_us - ts_us.rem_euclid(DAY_US)
}

/// Day of the week, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub(crate) fn weekday(ts_us: i64) -> usize {
    (ts_us.div_euclid(DAY_US) + 3).rem_euclid(7) as usize
}

pub(crate) fn hour_of_day(ts_us: i64) -> usize {
    (ts_us.rem_euclid(DAY_US) / HOUR_US) as usize
}

pub(crate) fn days(n: f64) -> i64 {
    (n * DAY_US as f64) as i64
}

pub(crate) fn minutes(n: f64) -> i64 {
    (n * MINUTE_US as f64) as i64
}

pub(crate) fn seconds(n: f64) -> i64 {
    (n * SECOND_US as f64) as i64
}

/// Opening hours per weekday, Monday first: `[open, close)` in whole hours;
/// a closed day has `open == close`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpeningHours {
    pub(crate) days: [(u8, u8); 7],
}

impl OpeningHours {
    pub(crate) const ALWAYS: OpeningHours = OpeningHours { days: [(0, 24); 7] };

    pub(crate) fn is_open(&self, ts_us: i64) -> bool {
        let (open, close) = self.days[weekday(ts_us)];
        (usize::from(open)..usize::from(close)).contains(&hour_of_day(ts_us))
    }
}

/// Relative arrival weights per hour of the day.
pub(crate) type HourProfile = [u32; 24];

/// How a customer picks the moment to act on a need that arose at
/// `not_before`: right away when the channel is open (with probability
/// `immediate`), otherwise at a time drawn from the arrival profile on the
/// first day with opening hours left. Needs that arise while a channel is
/// closed pile up for the next opening, which gives Mondays their peak.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule<'a> {
    pub(crate) hours: &'a OpeningHours,
    pub(crate) profile: &'a HourProfile,
    pub(crate) immediate: f64,
}

impl Schedule<'_> {
    pub(crate) fn pick(&self, rng: &mut Rng, not_before: i64) -> i64 {
        if self.hours.is_open(not_before) && rng.chance(self.immediate) {
            return not_before;
        }
        let mut day = day_start(not_before);
        let mut first_hour = hour_of_day(not_before) + 1;
        for _ in 0..8 {
            if let Some(hour) = self.draw_hour(rng, day, first_hour) {
                return day + hour as i64 * HOUR_US + rng.between(0, HOUR_US - 1);
            }
            day += DAY_US;
            first_hour = 0;
        }
        panic!("opening hours and profile leave no hour in a whole week")
    }

    fn draw_hour(&self, rng: &mut Rng, day: i64, first_hour: usize) -> Option<usize> {
        let (open, close) = self.hours.days[weekday(day)];
        let from = first_hour.max(usize::from(open));
        let to = usize::from(close);
        if from >= to {
            return None;
        }
        let weights = &self.profile[from..to];
        if weights.iter().all(|w| *w == 0) {
            return None;
        }
        Some(from + rng.weighted(weights))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-01-06 00:00 UTC, a Monday.
    const MONDAY: i64 = 1_736_121_600 * SECOND_US;

    #[test]
    fn calendar() {
        assert_eq!(weekday(MONDAY), 0);
        assert_eq!(weekday(MONDAY + 6 * DAY_US), 6);
        assert_eq!(weekday(0), 3);
        assert_eq!(hour_of_day(MONDAY + 17 * HOUR_US + 5), 17);
        assert_eq!(day_start(MONDAY + 5 * HOUR_US), MONDAY);
    }

    #[test]
    fn schedule_respects_opening_hours() {
        let mut hours = OpeningHours { days: [(8, 20); 7] };
        hours.days[6] = (0, 0);
        let profile = [1; 24];
        let schedule = Schedule {
            hours: &hours,
            profile: &profile,
            immediate: 0.5,
        };
        let mut rng = Rng::new(3);
        let sunday_noon = MONDAY + 6 * DAY_US + 12 * HOUR_US;
        for _ in 0..1000 {
            let ts = schedule.pick(&mut rng, sunday_noon);
            assert!(ts >= sunday_noon);
            assert!(hours.is_open(ts), "{ts}");
            assert_eq!(weekday(ts), 0, "Sunday needs wait for Monday");
        }
    }
}
