//! One household's way to a broadband line: finding the provider,
//! checking coverage, signing up and getting installed.

use super::catalog::{self, COPPER, FIBRE_PLANS, FIBRE_WEIGHTS, HOME_PROFILE, Plan};
use super::definition::{ch, tp};
use super::plant;
use crate::contact::{Issue, Route, Rules};
use crate::generator::{Context, CustomerRecord};
use crate::life::Life;
use crate::rng::Rng;
use crate::text::Survey;
use crate::time::{
    DAY_US, HOUR_US, OpeningHours, Schedule, day_start, days, minutes, seconds, weekday,
};
use crate::timeline::Props;
use model::{RatingScale, Traits};

/// Separates the provider's random streams from other scenarios'.
const SALT: u64 = 0x00b2_0adb;

/// How far before the window households may have signed up: those
/// customers appear mid-contract, as existing customers do in any export.
const HISTORY_DAYS: i64 = 240;

const AGE_BANDS: [&str; 6] = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"];
const AGE_WEIGHTS: [u32; 6] = [9, 21, 22, 20, 16, 12];
const REGIONS: [&str; 3] = ["urban", "suburban", "rural"];
const REGION_WEIGHTS: [u32; 3] = [50, 32, 18];

static COURIER_HOURS: OpeningHours = OpeningHours {
    days: [(8, 19), (8, 19), (8, 19), (8, 19), (8, 19), (8, 14), (0, 0)],
};
static DAYTIME: crate::time::HourProfile = [
    0, 0, 0, 0, 0, 0, 0, 0, 5, 7, 8, 8, 8, 8, 8, 7, 6, 5, 4, 0, 0, 0, 0, 0,
];
pub(super) static COURIER: Schedule<'static> = Schedule {
    hours: &COURIER_HOURS,
    profile: &DAYTIME,
    immediate: 0.0,
};

#[derive(Debug)]
pub(super) struct Profile {
    age_band: &'static str,
    pub(super) older: bool,
    pub(super) mobile: bool,
    region: &'static str,
    pub(super) rural: bool,
    name: String,
    email: String,
}

impl Profile {
    fn draw(rng: &mut Rng, index: u64) -> Profile {
        let age = rng.weighted(&AGE_WEIGHTS);
        let older = age >= 4;
        let region = REGIONS[rng.weighted(&REGION_WEIGHTS)];
        let (name, email) = crate::people::person(rng, index);
        Profile {
            age_band: AGE_BANDS[age],
            older,
            mobile: rng.chance(if older { 0.4 } else { 0.7 }),
            region,
            rural: region == "rural",
            name,
            email,
        }
    }
}

/// The contract a household signed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Contract {
    pub(super) plan: &'static Plan,
    pub(super) term_months: u32,
    pub(super) fibre: bool,
    pub(super) signed_ts_us: i64,
}

pub(super) struct Subscriber<'c> {
    pub(super) life: Life<'c>,
    pub(super) profile: Profile,
    pub(super) contract: Option<Contract>,
    pub(super) engineer_installed: bool,
}

pub(crate) fn customer(context: &Context, index: u64) -> CustomerRecord {
    let mut life = Life::begin(context, SALT, index);
    let profile = Profile::draw(&mut life.rng, index);
    let mut subscriber = Subscriber {
        life,
        profile,
        contract: None,
        engineer_installed: false,
    };
    subscriber.live();
    let traits = subscriber.traits();
    subscriber.life.finish(index, traits)
}

impl Subscriber<'_> {
    fn traits(&self) -> Traits {
        let device = if self.profile.mobile {
            "mobile"
        } else {
            "desktop"
        };
        let mut pairs = vec![
            ("age_band", self.profile.age_band.to_string()),
            ("device", device.to_string()),
            ("region", self.profile.region.to_string()),
            ("name", self.profile.name.clone()),
            ("email", self.profile.email.clone()),
        ];
        if let Some(contract) = &self.contract {
            pairs.push(("plan", contract.plan.key.to_string()));
            pairs.push(("contract_months", contract.term_months.to_string()));
        }
        pairs
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect()
    }

    pub(super) fn rules(&self) -> Rules {
        Rules {
            spikes: false,
            optimists: false,
            wait_target_s: self.life.context.wait_target_s,
        }
    }

    fn live(&mut self) {
        let window = self.life.context.window;
        let history = HISTORY_DAYS * DAY_US;
        let span = (window.end_us - window.start_us + history) as u64;
        let arrival = window.start_us - history + self.life.rng.below(span) as i64;
        let Some(contract) = self.prospect(arrival) else {
            return;
        };
        self.contract = Some(contract);
        let active = self.install(&contract);
        self.serve(&contract, active);
    }

    /// Finding the provider and deciding; `None` when the household leaves.
    fn prospect(&mut self, arrival: i64) -> Option<Contract> {
        let mut ts = self.arrive(arrival);
        ts = self.page(ts, tp::PLANS_PAGE, (30.0, 240.0));
        let fibre = self
            .life
            .rng
            .chance(if self.profile.rural { 0.15 } else { 0.97 });
        let event = self.life.push(ts, tp::COVERAGE_CHECK, ch::WEB);
        event.properties = Props::new()
            .str("technology", if fibre { "fibre" } else { "copper" })
            .finish();
        let copper_blow = !fibre && self.life.planted(plant::RURAL_COVERAGE_DROP);
        let drop = if copper_blow {
            plant::COVERAGE_DROP_COPPER
        } else {
            plant::COVERAGE_DROP_FIBRE
        };
        if self.life.rng.chance(drop) {
            return None;
        }
        ts += seconds(self.life.rng.uniform(20.0, 90.0));
        ts = self.page(ts, tp::PLANS_PAGE, (30.0, 200.0));
        let plan = if fibre {
            &FIBRE_PLANS[self.life.rng.weighted(&FIBRE_WEIGHTS)]
        } else {
            &COPPER
        };
        ts = self.ask_before_buying(ts, plan);
        if self.life.rng.chance(0.3) {
            return None;
        }
        if self.life.rng.chance(0.4) {
            let later = self.life.days_after(ts, 1.0, 7.0);
            let session = self.life.session_time(later, &HOME_PROFILE);
            ts = self.page(session, tp::PLANS_PAGE, (30.0, 200.0));
        }
        Some(self.sign_up(ts, plan, fibre))
    }

    /// How the household hears of the provider; returns when they land.
    fn arrive(&mut self, arrival: i64) -> i64 {
        let ts = self.life.session_time(arrival, &HOME_PROFILE);
        let weights: [u32; 5] = if self.profile.older {
            [30, 35, 10, 10, 15]
        } else {
            [38, 12, 28, 12, 10]
        };
        let (touchpoint, channel) = match self.life.rng.weighted(&weights) {
            0 => (tp::COMPARISON_SITE, ch::WEB),
            1 => {
                let days_before = self.life.rng.between(1, 10);
                let dropped = day_start(ts) - days_before * DAY_US
                    + minutes(self.life.rng.uniform(540.0, 780.0));
                self.life.push(dropped, tp::LEAFLET, ch::MAIL);
                return ts;
            }
            2 => (tp::DISPLAY_AD, ch::SOCIAL),
            3 => (tp::REFERRAL_LINK, ch::WEB),
            _ => return ts,
        };
        self.life.push(ts, touchpoint, channel);
        ts + seconds(self.life.rng.uniform(5.0, 40.0))
    }

    pub(super) fn web(&self) -> &'static str {
        if self.profile.mobile {
            ch::MOBILE_APP
        } else {
            ch::WEB
        }
    }

    fn page(&mut self, ts: i64, touchpoint: &'static str, dwell: (f64, f64)) -> i64 {
        self.life.push(ts, touchpoint, ch::WEB);
        ts + seconds(self.life.rng.uniform(dwell.0, dwell.1))
    }

    /// Some ask sales on the phone or in a shop before they buy.
    fn ask_before_buying(&mut self, ts: i64, plan: &Plan) -> i64 {
        let roll = self.life.rng.unit();
        let phone_share = if self.profile.older { 0.25 } else { 0.1 };
        let queue = if roll < phone_share {
            &catalog::SALES_PHONE
        } else if roll < phone_share + 0.05 {
            &catalog::SHOP
        } else {
            return ts;
        };
        let issue = Issue {
            key: self.life.new_issue_key(),
            reason: "sales_question",
            topic: &catalog::SALES_QUESTION,
            item: plan.name,
            solve: 0.9,
        };
        let route = Route {
            first: queue,
            alternatives: &[],
            complaint: None,
            wait_factor: 1.0,
        };
        let rules = self.rules();
        let need = if queue.touchpoint == tp::SHOP_VISIT {
            self.life.days_after(ts, 0.5, 4.0)
        } else {
            ts
        };
        self.life.handle(&rules, &issue, &route, need).end_ts_us
            + minutes(self.life.rng.uniform(5.0, 60.0))
    }

    fn sign_up(&mut self, ts: i64, plan: &'static Plan, fibre: bool) -> Contract {
        self.life.timeline.identify();
        let term_months = if self.life.rng.chance(0.4) { 6 } else { 12 };
        let event = self.life.push(ts, tp::ONLINE_SIGNUP, ch::WEB);
        event.value = Some(plan.monthly_price * f64::from(term_months));
        event.properties = Props::new()
            .str("plan", plan.key)
            .int("term_months", i64::from(term_months))
            .str("technology", if fibre { "fibre" } else { "copper" })
            .finish();
        let checked = ts + seconds(self.life.rng.uniform(5.0, 30.0));
        self.life.push(checked, tp::CREDIT_CHECK, ch::WEB);
        let mailed = checked + seconds(self.life.rng.uniform(30.0, 180.0));
        self.life.push(mailed, tp::CONTRACT_EMAIL, ch::EMAIL);
        let pack = self.life.at(&COURIER, ts, (3.0, 6.0));
        self.life.push(pack, tp::WELCOME_PACK, ch::MAIL);
        Contract {
            plan,
            term_months,
            fibre,
            signed_ts_us: ts,
        }
    }

    /// Router, guide, perhaps an engineer, and the line goes live; returns
    /// the activation time.
    fn install(&mut self, contract: &Contract) -> i64 {
        let engineer = self.life.rng.chance(if contract.fibre { 0.6 } else { 0.3 });
        let delivered = self.life.at(&COURIER, contract.signed_ts_us, (2.0, 5.0));
        self.life.push(delivered, tp::ROUTER_DELIVERY, ch::COURIER);
        let read = delivered + minutes(self.life.rng.uniform(10.0, 90.0));
        self.life.push(read, tp::QUICK_START_GUIDE, ch::PRINT);
        if self.life.rng.chance(0.25) {
            let mean = if engineer { 5.4 } else { 4.8 };
            let survey = Survey {
                scale: RatingScale::Ces7,
                mean,
                topic: &catalog::GUIDE,
                item: contract.plan.name,
                comment: 0.4,
            };
            self.life.rate_last(&survey);
        }
        let active = if engineer {
            self.engineer_installed = true;
            self.engineer_visits(contract) + minutes(self.life.rng.uniform(10.0, 60.0))
        } else {
            read + minutes(self.life.rng.uniform(30.0, 1_440.0))
        };
        let event = self.life.push(active, tp::LINE_ACTIVATION, ch::NETWORK);
        let technology = if contract.fibre { "fibre" } else { "copper" };
        event.properties = Props::new()
            .str("technology", technology)
            .str("plan", contract.plan.key)
            .finish();
        active
    }

    /// Booking, reminder and visits until an engineer turns up; a no-show
    /// brings a call and often a formal complaint (planted). Returns when
    /// the engineer finished.
    fn engineer_visits(&mut self, contract: &Contract) -> i64 {
        let booked = contract.signed_ts_us + minutes(self.life.rng.uniform(2.0, 10.0));
        self.life.push(booked, tp::APPOINTMENT_BOOKING, ch::WEB);
        let issue_key = self.life.new_issue_key();
        let mut day = self.appointment_day(booked + days(6.0));
        let no_show_share = if self.life.planted(plant::TECHNICIAN_NO_SHOW) {
            plant::NO_SHOW_SHARE
        } else {
            plant::NO_SHOW_RARE
        };
        for _attempt in 0..3 {
            let reminded = day - DAY_US + 18 * HOUR_US + minutes(self.life.rng.uniform(0.0, 30.0));
            self.life.push(reminded, tp::APPOINTMENT_REMINDER, ch::SMS);
            let morning = self.life.rng.chance(0.5);
            let arrival = day
                + if morning { 8 } else { 13 } * HOUR_US
                + minutes(self.life.rng.uniform(0.0, 210.0));
            if !self.life.rng.chance(no_show_share) {
                return self.technician_visit(arrival, &issue_key, morning);
            }
            self.no_show(arrival, &issue_key, contract, morning);
            day = self.appointment_day(arrival + days(2.0));
        }
        self.technician_visit(day + 10 * HOUR_US, &issue_key, true)
    }

    /// The first day from `not_before` on which engineers work (not Sundays).
    fn appointment_day(&mut self, not_before: i64) -> i64 {
        let mut day = day_start(not_before) + days(self.life.rng.below(8) as f64);
        while weekday(day) == 6 {
            day += DAY_US;
        }
        day
    }

    fn technician_visit(&mut self, ts: i64, issue_key: &str, morning: bool) -> i64 {
        let agent = *self.life.rng.pick(catalog::ENGINEERS.agents);
        let handle_s = self.life.rng.uniform(45.0, 150.0).round() * 60.0;
        let event = self.life.push(ts, tp::TECHNICIAN_VISIT, ch::FIELD);
        event.agent = Some(agent.to_string());
        event.handle_s = Some(handle_s as f32);
        event.resolved = Some(true);
        event.properties = Props::new()
            .str("team", catalog::ENGINEERS.name)
            .str("status", "completed")
            .str("slot", if morning { "am" } else { "pm" })
            .str("issue", issue_key)
            .finish();
        ts + seconds(handle_s)
    }

    fn no_show(&mut self, slot_ts: i64, issue_key: &str, contract: &Contract, morning: bool) {
        let event = self.life.push(slot_ts, tp::TECHNICIAN_VISIT, ch::FIELD);
        event.resolved = Some(false);
        event.properties = Props::new()
            .str("team", catalog::ENGINEERS.name)
            .str("status", "no_show")
            .str("slot", if morning { "am" } else { "pm" })
            .str("issue", issue_key)
            .finish();
        let issue = Issue {
            key: issue_key.to_string(),
            reason: "missed_appointment",
            topic: &catalog::NO_SHOW,
            item: contract.plan.name,
            solve: 0.9,
        };
        let rules = self.rules();
        let waited_until = slot_ts + minutes(self.life.rng.uniform(240.0, 300.0));
        if self.life.rng.chance(0.85) {
            let route = Route {
                first: &catalog::TECH_PHONE,
                alternatives: &[],
                complaint: None,
                wait_factor: 1.0,
            };
            self.life.handle(&rules, &issue, &route, waited_until);
        }
        let planted = self.life.planted(plant::TECHNICIAN_NO_SHOW);
        if self.life.rng.chance(if planted {
            plant::NO_SHOW_COMPLAINT
        } else {
            0.05
        }) {
            let route = Route {
                first: &catalog::COMPLAINTS,
                alternatives: &[],
                complaint: None,
                wait_factor: 1.0,
            };
            let filed = self.life.days_after(waited_until, 0.3, 10.0);
            self.life.handle(&rules, &issue, &route, filed);
        }
    }
}
