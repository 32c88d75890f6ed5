//! Arrival forecast per interval with weekly seasonality, and the staffing
//! plan that follows from it.
//!
//! The forecast is the seasonal mean: the contacts expected in a future
//! interval are the mean of the same interval of the week (same weekday,
//! same time of day) over the last `weeks` weeks of history. It needs no
//! fitting, cannot go negative, follows the intraday and weekday pattern
//! that dominates contact-centre arrivals, and averaging k weeks cuts the
//! noise of one week by √k. It does not extrapolate trends; planners who
//! need that should feed a trend-adjusted history.

use serde::Serialize;

use super::StaffingError;
use super::erlang::Traffic;
use super::required::{Staffing, StaffingTarget, required_agents};

/// Seasonal-mean forecast settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeasonalForecast {
    /// Intervals per season: 7 × intervals per day for a weekly season
    /// (336 for half-hours).
    pub season_len: usize,
    /// How many past seasons to average (fewer when the history is shorter).
    pub weeks: usize,
}

impl SeasonalForecast {
    /// Weekly season of `intervals_per_day` intervals, averaged over `weeks`.
    pub fn weekly(intervals_per_day: usize, weeks: usize) -> Self {
        SeasonalForecast {
            season_len: 7 * intervals_per_day,
            weeks,
        }
    }

    /// Contacts for the `horizon` intervals right after `history` (contacts
    /// per interval, oldest first; `history[0]` is season position 0).
    pub fn forecast(&self, history: &[f64], horizon: usize) -> Result<Vec<f64>, StaffingError> {
        if self.season_len == 0 || self.weeks == 0 {
            return Err(StaffingError::InvalidInput {
                name: if self.season_len == 0 {
                    "season_len"
                } else {
                    "weeks"
                },
                value: 0.0,
            });
        }
        if history.len() < self.season_len {
            return Err(StaffingError::HistoryTooShort {
                len: history.len(),
                season_len: self.season_len,
            });
        }
        if let Some(&bad) = history.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(StaffingError::InvalidInput {
                name: "history",
                value: bad,
            });
        }
        let forecast = (0..horizon)
            .map(|step| {
                // The latest history interval in the same season position;
                // earlier weeks are whole seasons before it.
                let position = (history.len() + step) % self.season_len;
                let offset = (history.len() - 1 - position) % self.season_len;
                let latest = history.len() - 1 - offset;
                let samples: Vec<f64> = (0..self.weeks)
                    .map_while(|week| latest.checked_sub(week * self.season_len))
                    .map(|index| history[index])
                    .collect();
                samples.iter().sum::<f64>() / samples.len() as f64
            })
            .collect();
        Ok(forecast)
    }
}

/// Required staffing for each interval of `contacts` (e.g. a forecast),
/// with the same handle time, patience and target in every interval.
pub fn staffing_plan(
    contacts: &[f64],
    interval_secs: f64,
    aht_secs: f64,
    patience_secs: Option<f64>,
    target: &StaffingTarget,
) -> Result<Vec<Staffing>, StaffingError> {
    target.validate()?;
    contacts
        .iter()
        .map(|&count| {
            let traffic = Traffic::new(count, interval_secs, aht_secs, patience_secs)?;
            required_agents(&traffic, target)
        })
        .collect()
}
