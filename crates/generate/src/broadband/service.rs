//! Life on the line, month by month: bills, the app, speed tests, faults,
//! the app outage week, the annual survey, and the renewal decision at the
//! end of every contract term.

use super::catalog::{self, HOME_PROFILE, PHONE_HOURS, PHONE_PROFILE};
use super::definition::{ch, tp};
use super::plant;
use super::subscriber::{COURIER, Contract, Subscriber};
use crate::contact::{Issue, Queue, Route};
use crate::text::{Survey, Topic};
use crate::time::{DAY_US, HOUR_US, Schedule, day_start, minutes};
use crate::timeline::Props;
use model::RatingScale;

/// Billing months are 30 days, which keeps bill dates simple to follow.
const MONTH_US: i64 = 30 * DAY_US;

static PHONE: Schedule<'static> = Schedule {
    hours: &PHONE_HOURS,
    profile: &PHONE_PROFILE,
    immediate: 0.0,
};

static BILLING_QUEUES: [&Queue; 2] = [&catalog::BILLING_PHONE, &catalog::BILLING_CHAT];
static TECH_QUEUES: [&Queue; 2] = [&catalog::TECH_PHONE, &catalog::TECH_CHAT];

/// How a contract term ended.
enum TermEnd {
    /// The household stays; the next decision falls at this time.
    Continues(i64),
    Cancelled,
}

impl Subscriber<'_> {
    /// Month after month from activation until the household cancels or
    /// the window ends.
    pub(super) fn serve(&mut self, contract: &Contract, active: i64) {
        let window_end = self.life.context.window.end_us;
        let mut decision = active + i64::from(contract.term_months) * MONTH_US;
        for month in 1.. {
            let month_start = active + (month - 1) * MONTH_US;
            if month_start >= window_end {
                return;
            }
            self.use_service(contract, month_start);
            self.bill(contract, month_start + MONTH_US, month);
            if month == 3 {
                self.annual_survey(contract, month_start);
            }
            if month_start + MONTH_US >= decision - MONTH_US {
                match self.renew(contract, decision) {
                    TermEnd::Continues(next) => decision = next,
                    TermEnd::Cancelled => return,
                }
            }
        }
    }

    /// The monthly bill; the first one carries a set-up fee and part of a
    /// month on top (planted), which sends many to the phone.
    fn bill(&mut self, contract: &Contract, due: i64, number: i64) {
        let ts = day_start(due) + 5 * HOUR_US + minutes(self.life.rng.uniform(0.0, 120.0));
        let monthly = contract.plan.monthly_price;
        let shock = number == 1 && self.life.planted(plant::FIRST_BILL_SHOCK);
        let value = if shock {
            let setup_fee = if self.engineer_installed { 60.0 } else { 25.0 };
            monthly
                + setup_fee
                + (monthly * self.life.rng.uniform(0.3, 1.0) * 100.0).round() / 100.0
        } else {
            monthly
        };
        let event = self.life.push(ts, tp::BILL, ch::EMAIL);
        event.value = Some(value);
        event.properties = Props::new()
            .int("bill_no", number)
            .str("plan", contract.plan.key)
            .finish();
        let query_share = if shock {
            plant::FIRST_BILL_QUERIES
        } else {
            plant::BILL_QUERIES
        };
        if self.life.rng.chance(query_share) {
            self.bill_query(contract, ts, shock);
        } else if self.life.rng.chance(0.15) {
            let looked = self.life.days_after(ts, 0.1, 10.0);
            self.life.push(looked, tp::BILLING_PORTAL, ch::WEB);
        }
        if self.life.rng.chance(0.03) {
            let reminded = self.life.days_after(ts, 12.0, 16.0);
            self.life.push(reminded, tp::PAYMENT_REMINDER, ch::SMS);
        }
    }

    fn bill_query(&mut self, contract: &Contract, bill_ts: i64, shock: bool) {
        let mut need = self.life.days_after(bill_ts, 0.05, 5.0);
        if self.life.rng.chance(0.5) {
            self.life.push(need, tp::BILLING_PORTAL, ch::WEB);
            need += minutes(self.life.rng.uniform(2.0, 30.0));
        }
        let topic = if shock {
            &catalog::BILL_SHOCK
        } else {
            &catalog::BILL_QUERY
        };
        let first = BILLING_QUEUES[self.life.rng.weighted(&[65, 35])];
        self.raise(
            contract,
            "bill_query",
            topic,
            (first, &BILLING_QUEUES),
            0.85,
            need,
        );
    }

    /// An issue taken to the call centre or the chat.
    fn raise(
        &mut self,
        contract: &Contract,
        reason: &'static str,
        topic: &Topic,
        (first, alternatives): (&'static Queue, &'static [&'static Queue]),
        solve: f64,
        need_ts_us: i64,
    ) {
        let outage = self.in_app_outage(need_ts_us);
        let wait_factor = if outage {
            plant::OUTAGE_WAIT_FACTOR
        } else {
            1.0
        };
        let route = Route {
            first,
            alternatives,
            complaint: Some(&catalog::COMPLAINTS),
            wait_factor,
        };
        let issue = Issue {
            key: self.life.new_issue_key(),
            reason,
            topic,
            item: contract.plan.name,
            solve,
        };
        let rules = self.rules();
        self.life.handle(&rules, &issue, &route, need_ts_us);
    }

    /// Whether the app outage week (planted) covers `ts_us`.
    fn in_app_outage(&self, ts_us: i64) -> bool {
        let start = self.life.context.window.start_us + plant::OUTAGE_FIRST_DAY * DAY_US;
        self.life.planted(plant::APP_OUTAGE) && (start..start + 7 * DAY_US).contains(&ts_us)
    }

    /// A month of use: app logins, speed tests, help articles, reports and
    /// now and then a fault.
    fn use_service(&mut self, contract: &Contract, month_start: i64) {
        let logins = if self.profile.mobile {
            self.life.rng.below(3)
        } else {
            u64::from(self.life.rng.chance(0.3))
        };
        for _ in 0..logins {
            self.app_login(contract, month_start);
        }
        if self.life.rng.chance(0.08) {
            let read = self.moment(month_start);
            self.life.push(read, tp::WIFI_HELP_ARTICLE, ch::WEB);
        }
        if self.life.rng.chance(0.25) {
            let sent = month_start + self.life.rng.below(MONTH_US as u64) as i64;
            self.life.push(sent, tp::USAGE_REPORT, ch::EMAIL);
        }
        if self.life.rng.chance(0.05) {
            self.fault(contract, month_start);
        }
        if self.life.rng.chance(0.01) {
            let ordered = self.moment(month_start);
            let event = self.life.push(ordered, tp::UPGRADE_ORDER, ch::WEB);
            event.value = Some(120.0);
            event.properties = Props::new().str("plan", contract.plan.key).finish();
        }
        if self.life.rng.chance(0.012) {
            let referred = self.moment(month_start);
            self.life.push(referred, tp::REFER_A_FRIEND, ch::WEB);
        }
    }

    /// A time in the month starting at `month_start`, in home hours.
    fn moment(&mut self, month_start: i64) -> i64 {
        let day = month_start + self.life.rng.below(MONTH_US as u64) as i64;
        self.life.session_time(day, &HOME_PROFILE)
    }

    /// An app login; during the outage week it fails and many then contact
    /// the provider.
    fn app_login(&mut self, contract: &Contract, month_start: i64) {
        let ts = self.moment(month_start);
        let failed = self.life.rng.chance(if self.in_app_outage(ts) {
            plant::OUTAGE_LOGIN_FAILURES
        } else {
            plant::LOGIN_FAILURES
        });
        let event = self.life.push(ts, tp::APP_LOGIN, ch::MOBILE_APP);
        event.properties = Props::new()
            .str("status", if failed { "error" } else { "ok" })
            .finish();
        if failed {
            event.abandoned = Some(true);
            if self.life.rng.chance(plant::FAILED_LOGIN_CONTACTS) {
                let need = ts + minutes(self.life.rng.uniform(5.0, 180.0));
                let first = TECH_QUEUES[self.life.rng.weighted(&[40, 60])];
                self.raise(
                    contract,
                    "app_not_working",
                    &catalog::APP_BROKEN,
                    (first, &TECH_QUEUES),
                    0.8,
                    need,
                );
            }
        } else if self.life.rng.chance(0.3) {
            let tested = ts + minutes(self.life.rng.uniform(0.5, 5.0));
            self.life.push(tested, tp::SPEED_TEST, ch::MOBILE_APP);
        }
    }

    /// A line fault: a notice if the network saw it, a report or a call,
    /// sometimes a repair visit.
    fn fault(&mut self, contract: &Contract, month_start: i64) {
        let ts = self.moment(month_start);
        if self.life.rng.chance(0.6) {
            let notified = ts + minutes(self.life.rng.uniform(5.0, 40.0));
            self.life.push(notified, tp::OUTAGE_NOTICE, ch::SMS);
        }
        let noticed = ts + minutes(self.life.rng.uniform(20.0, 240.0));
        if self.life.rng.chance(0.4) {
            self.life.push(noticed, tp::FAULT_REPORT, ch::MOBILE_APP);
        } else {
            let first = TECH_QUEUES[self.life.rng.weighted(&[70, 30])];
            self.raise(
                contract,
                "no_internet",
                &catalog::NO_INTERNET,
                (first, &TECH_QUEUES),
                0.75,
                noticed,
            );
        }
        if self.life.rng.chance(0.25) {
            let visited = self.life.at(&COURIER, noticed, (1.0, 4.0));
            let agent = *self.life.rng.pick(catalog::ENGINEERS.agents);
            let handle_s = self.life.rng.uniform(30.0, 120.0).round() * 60.0;
            let fixed = self.life.rng.chance(0.85);
            let event = self.life.push(visited, tp::REPAIR_VISIT, ch::FIELD);
            event.agent = Some(agent.to_string());
            event.handle_s = Some(handle_s as f32);
            event.resolved = Some(fixed);
            event.properties = Props::new()
                .str("team", catalog::ENGINEERS.name)
                .str("status", "completed")
                .finish();
        }
    }

    /// The NPS survey three months in; poor experiences pull it down.
    fn annual_survey(&mut self, contract: &Contract, month_start: i64) {
        if !self.life.rng.chance(0.35) {
            return;
        }
        let poor = self.life.count_poor(|_| true) as f64;
        let sent = self.moment(month_start);
        self.life.push(sent, tp::ANNUAL_SURVEY, ch::EMAIL);
        let survey = Survey {
            scale: RatingScale::Nps10,
            mean: 8.3 - 1.8 * poor,
            topic: &catalog::NPS,
            item: contract.plan.name,
            comment: 0.5,
        };
        self.life.rate_last(&survey);
    }

    /// The end of a term: a notice, perhaps a retention call (planted: it
    /// keeps many who would leave), then cancel, recontract or roll on.
    fn renew(&mut self, contract: &Contract, decision: i64) -> TermEnd {
        let noticed = self.life.days_after(decision, -30.0, -28.0);
        self.life.push(noticed, tp::CONTRACT_END_NOTICE, ch::EMAIL);
        let called = self.life.rng.chance(plant::RETENTION_CALL_SHARE);
        if called {
            self.retention_call(decision);
        }
        let cancel_share = match (self.life.planted(plant::RETENTION_SAVES), called) {
            (false, _) => plant::CANCEL_NEUTRAL,
            (true, true) => plant::CANCEL_AFTER_CALL,
            (true, false) => plant::CANCEL_WITHOUT_CALL,
        };
        if self.life.rng.chance(cancel_share) {
            self.cancel(contract, decision);
            return TermEnd::Cancelled;
        }
        if !self.life.rng.chance(0.55) {
            return TermEnd::Continues(decision + 3 * MONTH_US);
        }
        let renewed = self.life.days_after(decision, -12.0, 3.0);
        let session = self.life.session_time(renewed, &HOME_PROFILE);
        let channel = self.web();
        let event = self.life.push(session, tp::RECONTRACT, channel);
        event.value = Some(contract.plan.monthly_price * f64::from(contract.term_months));
        event.properties = Props::new()
            .str("plan", contract.plan.key)
            .int("term_months", i64::from(contract.term_months))
            .finish();
        TermEnd::Continues(decision + i64::from(contract.term_months) * MONTH_US)
    }

    fn retention_call(&mut self, decision: i64) {
        let ts = self.life.at(&PHONE, decision, (-25.0, -8.0));
        let agent = *self.life.rng.pick(catalog::RETENTION.agents);
        let talk_s = self.life.rng.skewed(420.0).round();
        let wrap_s = self.life.rng.uniform(30.0, 120.0).round();
        let offer = *self
            .life
            .rng
            .pick(&["loyalty_discount", "speed_upgrade", "free_month"]);
        let event = self.life.push(ts, tp::RETENTION_CALL, ch::PHONE);
        event.agent = Some(agent.to_string());
        event.handle_s = Some((talk_s + wrap_s) as f32);
        event.resolved = Some(true);
        event.properties = Props::new()
            .str("team", catalog::RETENTION.name)
            .str("direction", "outbound")
            .str("offer", offer)
            .int("talk_s", talk_s as i64)
            .int("wrap_s", wrap_s as i64)
            .finish();
    }

    fn cancel(&mut self, contract: &Contract, decision: i64) {
        let need = self.life.days_after(decision, -10.0, 2.0);
        let route = Route {
            first: &catalog::CANCEL_PHONE,
            alternatives: &[],
            complaint: None,
            wait_factor: 1.0,
        };
        let issue = Issue {
            key: self.life.new_issue_key(),
            reason: "cancel",
            topic: &catalog::CANCEL,
            item: contract.plan.name,
            solve: 0.97,
        };
        let rules = self.rules();
        self.life.handle(&rules, &issue, &route, need);
    }
}
