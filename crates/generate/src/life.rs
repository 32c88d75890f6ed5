//! What every simulated customer has, whatever the business: a random
//! stream of their own, their timeline of events, their id, and the
//! helpers the scenarios use to place events in time and raise issues.

use crate::contact::{self, Issue, IssueOutcome, Route, Rules};
use crate::generator::{Context, CustomerRecord, Identities};
use crate::poor::is_poor_experience;
use crate::rng::Rng;
use crate::text::{self, Survey};
use crate::time::{OpeningHours, Schedule, day_start, days};
use crate::timeline::Timeline;
use model::{Event, Traits};

pub(crate) struct Life<'c> {
    pub(crate) context: &'c Context,
    pub(crate) rng: Rng,
    pub(crate) timeline: Timeline,
    pub(crate) distinct_id: String,
    issues: u32,
}

impl<'c> Life<'c> {
    /// Customer `index` of a scenario whose streams are separated by `salt`.
    pub(crate) fn begin(context: &'c Context, salt: u64, index: u64) -> Life<'c> {
        let (seed, tag) = context.customer_seeds(salt, index);
        let distinct_id = format!("c{tag:016x}");
        let mut timeline = Timeline::new(distinct_id.clone(), tag, context.window);
        if context.identities == Identities::AnonymousFirst {
            timeline.browse_anonymously();
        }
        Life {
            context,
            rng: Rng::new(seed),
            timeline,
            distinct_id,
            issues: 0,
        }
    }

    pub(crate) fn finish(self, index: u64, traits: Traits) -> CustomerRecord {
        CustomerRecord {
            index,
            distinct_id: self.distinct_id,
            traits,
            events: self.timeline.finish(),
        }
    }

    /// Whether the scenario's planted situation `index` is switched on.
    pub(crate) fn planted(&self, index: usize) -> bool {
        self.context.switches.on(index)
    }

    pub(crate) fn push(
        &mut self,
        ts_us: i64,
        touchpoint: &'static str,
        channel: &'static str,
    ) -> &mut Event {
        self.timeline
            .push(&mut self.rng, ts_us, touchpoint, channel)
    }

    /// Puts a survey answer on the event pushed last.
    pub(crate) fn rate_last(&mut self, survey: &Survey<'_>) {
        text::rate(&mut self.rng, self.timeline.last_mut(), survey);
    }

    /// `base` plus a uniform number of days in `[low, high)`.
    pub(crate) fn days_after(&mut self, base_us: i64, low: f64, high: f64) -> i64 {
        base_us + days(self.rng.uniform(low, high))
    }

    /// A time on `schedule`, a uniform number of days after `base`.
    pub(crate) fn at(
        &mut self,
        schedule: &Schedule<'_>,
        base_us: i64,
        (low, high): (f64, f64),
    ) -> i64 {
        let planned = self.days_after(base_us, low, high);
        schedule.pick(&mut self.rng, planned)
    }

    /// A moment on the day of `day_ts_us` in the hours `profile` favours.
    pub(crate) fn session_time(
        &mut self,
        day_ts_us: i64,
        profile: &crate::time::HourProfile,
    ) -> i64 {
        let schedule = Schedule {
            hours: &OpeningHours::ALWAYS,
            profile,
            immediate: 0.0,
        };
        schedule.pick(&mut self.rng, day_start(day_ts_us))
    }

    /// A key no other issue of any customer has.
    pub(crate) fn new_issue_key(&mut self) -> String {
        self.issues += 1;
        format!("{}-i{}", self.distinct_id, self.issues)
    }

    pub(crate) fn handle(
        &mut self,
        rules: &Rules,
        issue: &Issue<'_>,
        route: &Route<'_>,
        need_ts_us: i64,
    ) -> IssueOutcome {
        contact::handle_issue(
            &mut self.rng,
            &mut self.timeline,
            rules,
            issue,
            route,
            need_ts_us,
        )
    }

    /// Poor experiences among the events pushed so far that `counted` selects.
    pub(crate) fn count_poor(&self, counted: impl Fn(&Event) -> bool) -> usize {
        let wait_target_s = self.context.wait_target_s as f32;
        self.timeline
            .count(|event| is_poor_experience(event, wait_target_s) && counted(event))
    }
}
