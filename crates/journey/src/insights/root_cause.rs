//! Root causes of complaint and ticket themes: which touchpoints, which
//! two-step paths a → b and, when the journeys carry a breakdown (say the
//! product category), which touchpoint–breakdown pairs come before a theme
//! more often than chance.
//!
//! The units are *anchors*: events that are neither contacts nor
//! complaints (contacts are where themes are reported, so a contact before
//! a themed contact is the same problem's earlier contact, not its cause).
//! An anchor is followed by theme `h` when a contact or complaint whose
//! text has theme `h` comes after it within `lookback_days`. For each
//! exposure `x` (the anchor's touchpoint, its path from the previous
//! event, its touchpoint with its breakdown value) and theme `h` the 2×2
//! table of anchors (exposed or not × followed or not) gives an odds ratio
//! with a +1 prior on every cell and Woolf's 95 % interval
//! ([`OddsRatio::with_prior`]). Exposures need `min_support` followed
//! anchors and an interval above 1; they are ranked by odds ratio.

use super::context::{InsightContext, is_contact};
use super::proportion::OddsRatio;
use super::{InsightsError, check_range, days_us};
use crate::{Accumulator, Journey, NO_NAME};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct RootCauseOptions {
    pub lookback_days: f64,
    pub min_support: u64,
    /// Causes listed per theme.
    pub max_causes: usize,
}

impl Default for RootCauseOptions {
    fn default() -> Self {
        RootCauseOptions {
            lookback_days: 3.0,
            min_support: 20,
            max_causes: 10,
        }
    }
}

/// What an anchor was: a touchpoint, optionally with the touchpoint before
/// it (a path) or with its breakdown value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Exposure {
    pub touchpoint: u32,
    pub previous: Option<u32>,
    pub breakdown: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCause {
    pub exposure: Exposure,
    /// Anchors with the exposure, and those followed by the theme.
    pub anchors: u64,
    pub followed: u64,
    /// `followed / anchors`, and the same share among the other anchors.
    pub rate: f64,
    pub rate_elsewhere: f64,
    pub odds_ratio: OddsRatio,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeRootCauses {
    pub theme: u32,
    /// Contacts and complaints with the theme.
    pub outcome_events: u64,
    /// Anchors followed by the theme.
    pub anchors_followed: u64,
    /// By odds ratio, largest first.
    pub causes: Vec<RootCause>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCauseReport {
    pub anchors: u64,
    /// By theme id.
    pub themes: Vec<ThemeRootCauses>,
}

/// Builds the [`RootCauseReport`].
#[derive(Debug, Clone)]
pub struct RootCauseAccumulator {
    context: Arc<InsightContext>,
    options: RootCauseOptions,
    lookback_us: i64,
    anchors: u64,
    exposed: BTreeMap<Exposure, u64>,
    followed: BTreeMap<(Exposure, u32), u64>,
    /// Per theme: outcome events, anchors followed.
    themes: BTreeMap<u32, (u64, u64)>,
}

impl RootCauseAccumulator {
    pub fn new(
        context: Arc<InsightContext>,
        options: RootCauseOptions,
    ) -> Result<RootCauseAccumulator, InsightsError> {
        check_range("lookback_days", options.lookback_days, 0.0..=3_650.0)?;
        Ok(RootCauseAccumulator {
            lookback_us: days_us(options.lookback_days),
            context,
            options,
            anchors: 0,
            exposed: BTreeMap::new(),
            followed: BTreeMap::new(),
            themes: BTreeMap::new(),
        })
    }

    fn exposures(journey: &Journey<'_>, i: usize) -> impl Iterator<Item = Exposure> {
        let touchpoint = journey.touchpoint[i].0;
        let plain = Exposure {
            touchpoint,
            previous: None,
            breakdown: None,
        };
        let path = (i > 0).then(|| Exposure {
            previous: Some(journey.touchpoint[i - 1].0),
            ..plain
        });
        let breakdown = (journey.breakdown.get(i).copied())
            .filter(|&b| b != NO_NAME)
            .map(|b| Exposure {
                breakdown: Some(b),
                ..plain
            });
        std::iter::once(plain).chain(path).chain(breakdown)
    }
}

impl Accumulator for RootCauseAccumulator {
    type Output = RootCauseReport;

    fn observe(&mut self, journey: &Journey<'_>) {
        let config = &self.context.emotion;
        let n = journey.len();
        let contact: Vec<bool> = (0..n)
            .map(|i| is_contact(config, journey, i) || config.role(journey, i).complaint)
            .collect();
        let theme_of = |j: usize| {
            (journey.facts.theme.get(j).copied()).filter(|&t| t != NO_NAME && contact[j])
        };
        for j in 0..n {
            if let Some(theme) = theme_of(j) {
                self.themes.entry(theme).or_default().0 += 1;
            }
        }
        let mut after: Vec<u32> = Vec::new();
        for i in (0..n).filter(|&i| !contact[i]) {
            after.clear();
            ((i + 1)..n)
                .take_while(|&j| journey.ts_us[j] - journey.ts_us[i] <= self.lookback_us)
                .filter_map(theme_of)
                .for_each(|theme| after.push(theme));
            after.sort_unstable();
            after.dedup();
            self.anchors += 1;
            for &theme in &after {
                self.themes.entry(theme).or_default().1 += 1;
            }
            for exposure in Self::exposures(journey, i) {
                *self.exposed.entry(exposure).or_default() += 1;
                for &theme in &after {
                    *self.followed.entry((exposure, theme)).or_default() += 1;
                }
            }
        }
    }

    fn merge(&mut self, other: Self) {
        self.anchors += other.anchors;
        for (key, count) in other.exposed {
            *self.exposed.entry(key).or_default() += count;
        }
        for (key, count) in other.followed {
            *self.followed.entry(key).or_default() += count;
        }
        for (theme, (events, followed)) in other.themes {
            let mine = self.themes.entry(theme).or_default();
            mine.0 += events;
            mine.1 += followed;
        }
    }

    fn finish(self) -> RootCauseReport {
        let mut by_theme: BTreeMap<u32, Vec<RootCause>> = BTreeMap::new();
        for (&(exposure, theme), &a) in &self.followed {
            if a < self.options.min_support {
                continue;
            }
            let n = self.exposed[&exposure];
            let total_followed = self.themes[&theme].1;
            let (b, c) = (n - a, total_followed - a);
            let d = self.anchors - n - c;
            let odds_ratio = OddsRatio::with_prior(a, b, c, d);
            if odds_ratio.low <= 1.0 {
                continue;
            }
            let elsewhere = self.anchors - n;
            by_theme.entry(theme).or_default().push(RootCause {
                exposure,
                anchors: n,
                followed: a,
                rate: a as f64 / n as f64,
                rate_elsewhere: if elsewhere == 0 {
                    0.0
                } else {
                    c as f64 / elsewhere as f64
                },
                odds_ratio,
            });
        }
        let themes = (self.themes.iter())
            .map(|(&theme, &(outcome_events, anchors_followed))| {
                let mut causes = by_theme.remove(&theme).unwrap_or_default();
                causes.sort_by(|x, y| {
                    (y.odds_ratio.odds_ratio.total_cmp(&x.odds_ratio.odds_ratio))
                        .then(x.exposure.cmp(&y.exposure))
                });
                causes.truncate(self.options.max_causes);
                ThemeRootCauses {
                    theme,
                    outcome_events,
                    anchors_followed,
                    causes,
                }
            })
            .collect();
        RootCauseReport {
            anchors: self.anchors,
            themes,
        }
    }
}
