//! One retail customer's life: who they are, how they find the shop,
//! research, buy, and whether they come back for another round.

use super::catalog::{self, PRODUCT_WEIGHTS, PRODUCTS, Product, WEB_PROFILE};
use super::definition::{STAGES, TOUCHPOINTS, ch, tp};
use super::plant;
use crate::contact::{Issue, Route, Rules};
use crate::generator::{Context, CustomerRecord};
use crate::life::Life;
use crate::rng::Rng;
use crate::time::{DAY_US, days, minutes, seconds};
use crate::timeline::Props;
use model::{Event, Traits};

/// Separates the retailer's random streams from other scenarios'.
const SALT: u64 = 0x007e_7a11;

const AGE_BANDS: [&str; 6] = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"];
const AGE_WEIGHTS: [u32; 6] = [13, 22, 20, 18, 15, 12];
const REGIONS: [&str; 5] = ["north", "south", "east", "west", "central"];
const REGION_WEIGHTS: [u32; 5] = [22, 25, 18, 20, 15];
const TIERS: [&str; 3] = ["basic", "silver", "gold"];
const TIER_WEIGHTS: [u32; 3] = [60, 28, 12];

#[derive(Debug)]
pub(super) struct Profile {
    age_band: &'static str,
    pub(super) older: bool,
    young: bool,
    pub(super) mobile: bool,
    region: &'static str,
    pub(super) tier: &'static str,
    name: String,
    email: String,
}

impl Profile {
    fn draw(rng: &mut Rng, index: u64) -> Profile {
        let age = rng.weighted(&AGE_WEIGHTS);
        let older = age >= 4;
        let young = age <= 1;
        let mobile_share = if older {
            0.35
        } else if young {
            0.75
        } else {
            0.6
        };
        let (name, email) = crate::people::person(rng, index);
        Profile {
            age_band: AGE_BANDS[age],
            older,
            young,
            mobile: rng.chance(mobile_share),
            region: REGIONS[rng.weighted(&REGION_WEIGHTS)],
            tier: TIERS[rng.weighted(&TIER_WEIGHTS)],
            name,
            email,
        }
    }

    fn traits(&self) -> Traits {
        let device = if self.mobile { "mobile" } else { "desktop" };
        [
            ("age_band", self.age_band),
            ("device", device),
            ("region", self.region),
            ("tier", self.tier),
            ("name", &self.name),
            ("email", &self.email),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
    }
}

/// An order, in the shop or online.
#[derive(Debug)]
pub(super) struct Order {
    pub(super) ts_us: i64,
    pub(super) id: String,
    pub(super) product: &'static Product,
    pub(super) value: f64,
    pub(super) in_store: bool,
}

pub(super) struct Shopper<'c> {
    pub(super) life: Life<'c>,
    pub(super) profile: Profile,
    orders: u32,
    first_purchase_ts_us: Option<i64>,
}

pub(crate) fn customer(context: &Context, index: u64) -> CustomerRecord {
    let mut life = Life::begin(context, SALT, index);
    let profile = Profile::draw(&mut life.rng, index);
    let traits = profile.traits();
    let mut shopper = Shopper {
        life,
        profile,
        orders: 0,
        first_purchase_ts_us: None,
    };
    shopper.live();
    shopper.life.finish(index, traits)
}

impl Shopper<'_> {
    pub(super) fn rules(&self) -> Rules {
        Rules {
            spikes: self.life.planted(plant::WAIT_SPIKES),
            optimists: self.life.planted(plant::FALSE_RESOLVED),
            wait_target_s: self.life.context.wait_target_s,
        }
    }

    /// Round after round of the cycle until the customer leaves or the
    /// window ends.
    fn live(&mut self) {
        let window = self.life.context.window;
        let span = (window.end_us - window.start_us) as u64;
        let mut start = window.start_us + self.life.rng.below(span) as i64;
        loop {
            let Some(order) = self.shop(start) else {
                return;
            };
            let followed_up = self.after_purchase(&order);
            if !self.comes_back(followed_up) {
                return;
            }
            let gap = days(25.0 + self.life.rng.exponential(75.0));
            start = (order.ts_us + gap).max(self.life.timeline.last_ts_us() + DAY_US);
            if start >= window.end_us {
                return;
            }
        }
    }

    fn shop(&mut self, start_us: i64) -> Option<Order> {
        let session = self.session_time(start_us);
        let landed = self.awareness(session);
        let decided = self.consider(landed)?;
        if self
            .life
            .rng
            .chance(if self.profile.older { 0.3 } else { 0.1 })
        {
            self.visit_store(decided)
        } else {
            self.buy_online(decided)
        }
    }

    /// A moment to browse on the day of `day_ts_us`, in browsing hours.
    pub(super) fn session_time(&mut self, day_ts_us: i64) -> i64 {
        self.life.session_time(day_ts_us, &WEB_PROFILE)
    }

    /// The channel the customer browses on.
    pub(super) fn web(&self) -> &'static str {
        if self.profile.mobile {
            ch::MOBILE_APP
        } else {
            ch::WEB
        }
    }

    /// How the customer arrives; returns when they land on the shop.
    fn awareness(&mut self, ts: i64) -> i64 {
        let returning = self.orders > 0;
        let weights: [u32; 5] = match (returning, self.profile.older, self.profile.young) {
            (true, ..) => [15, 0, 0, 0, 25],
            (false, true, _) => [35, 10, 10, 30, 15],
            (false, false, true) => [35, 40, 12, 3, 10],
            (false, false, false) => [40, 25, 15, 8, 12],
        };
        let source = self.life.rng.weighted(&weights);
        let (touchpoint, channel) = match source {
            0 => (tp::SEARCH_AD, ch::SEARCH),
            1 => (tp::SOCIAL_AD, ch::SOCIAL),
            2 => (tp::BLOG_POST, ch::WEB),
            3 => {
                let delivered = self.mail_time(ts);
                self.life.push(delivered, tp::PRINTED_CATALOG, ch::MAIL);
                return ts;
            }
            _ if returning => return self.return_trigger(ts),
            _ => return ts,
        };
        self.life.push(ts, touchpoint, channel);
        ts + seconds(self.life.rng.uniform(5.0, 40.0))
    }

    /// A morning post delivery one to six days before `ts`.
    fn mail_time(&mut self, ts: i64) -> i64 {
        let days_before = self.life.rng.between(1, 6);
        crate::time::day_start(ts) - days_before * DAY_US
            + minutes(self.life.rng.uniform(540.0, 720.0))
    }

    /// What brings a past customer back: the app's "buy again", a newsletter
    /// or simply coming back.
    fn return_trigger(&mut self, ts: i64) -> i64 {
        match self.life.rng.below(10) {
            0..=4 => {
                let channel = self.web();
                self.life.push(ts, tp::BUY_AGAIN, channel);
            }
            5..=7 => {
                self.life.push(ts, tp::NEWSLETTER, ch::EMAIL);
            }
            _ => return ts,
        }
        ts + seconds(self.life.rng.uniform(5.0, 60.0))
    }

    fn page(&mut self, ts: i64, touchpoint: &'static str, dwell: (f64, f64)) -> i64 {
        let channel = self.web();
        self.life.push(ts, touchpoint, channel);
        ts + seconds(self.life.rng.uniform(dwell.0, dwell.1))
    }

    /// Research: product pages, reviews, perhaps a question to sales and the
    /// FAQ. `None` when the customer drops off.
    fn consider(&mut self, landed: i64) -> Option<i64> {
        let returning = self.orders > 0;
        let mut ts = landed;
        for _ in 0..1 + self.life.rng.below(if returning { 2 } else { 3 }) {
            ts = self.page(ts, tp::PRODUCT_PAGE, (30.0, 240.0));
        }
        if self.life.rng.chance(if returning { 0.25 } else { 0.45 }) {
            ts = self.page(ts, tp::REVIEWS, (40.0, 300.0));
        }
        if self.life.rng.chance(if returning { 0.05 } else { 0.25 }) {
            return None;
        }
        if self.life.rng.chance(0.06) {
            ts = self.ask_sales(ts) + minutes(self.life.rng.uniform(1.0, 5.0));
        }
        let faq_share =
            if self.profile.older { 0.55 } else { 0.35 } * if returning { 0.5 } else { 1.0 };
        if self.life.rng.chance(faq_share) {
            ts = self.page(ts, tp::FAQ_PAGE, (30.0, 200.0));
            let older_drop = self.profile.older && self.life.planted(plant::OLDER_FAQ_DROP);
            if self.life.rng.chance(if older_drop {
                plant::FAQ_DROP_OLDER
            } else {
                plant::FAQ_DROP_OTHERS
            }) {
                return None;
            }
            ts = self.page(ts, tp::PRODUCT_PAGE, (30.0, 180.0));
        }
        if self.life.rng.chance(0.35) {
            let later = ts + days(self.life.rng.uniform(1.0, 5.0));
            let session = self.session_time(later);
            ts = self.page(session, tp::PRODUCT_PAGE, (30.0, 200.0));
        }
        Some(ts)
    }

    fn ask_sales(&mut self, ts: i64) -> i64 {
        let product = self.choose_product();
        let issue = Issue {
            key: self.life.new_issue_key(),
            reason: "product_advice",
            topic: &catalog::ADVICE,
            item: product.name,
            solve: 0.9,
        };
        let route = Route {
            first: &catalog::SALES_CHAT,
            alternatives: &[],
            complaint: None,
            wait_factor: 1.0,
        };
        let rules = self.rules();
        self.life.handle(&rules, &issue, &route, ts).end_ts_us
    }

    fn choose_product(&mut self) -> &'static Product {
        &PRODUCTS[self.life.rng.weighted(&PRODUCT_WEIGHTS)]
    }

    /// Advice in a store, then perhaps a purchase at the till.
    fn visit_store(&mut self, decided: i64) -> Option<Order> {
        let product = self.choose_product();
        let issue = Issue {
            key: self.life.new_issue_key(),
            reason: "product_advice",
            topic: &catalog::ADVICE,
            item: product.name,
            solve: 0.9,
        };
        let route = Route {
            first: &catalog::STORE,
            alternatives: &[],
            complaint: None,
            wait_factor: 1.0,
        };
        let rules = self.rules();
        let need = decided + days(self.life.rng.uniform(0.5, 5.0));
        let visit = self.life.handle(&rules, &issue, &route, need);
        if !self.life.rng.chance(0.75) {
            return None;
        }
        let ts = visit.end_ts_us + minutes(self.life.rng.uniform(2.0, 10.0));
        let order = self.place_order(ts, product, tp::STORE_PURCHASE, ch::STORE);
        let printed = ts + seconds(self.life.rng.uniform(20.0, 90.0));
        self.life.push(printed, tp::RECEIPT, ch::PRINT);
        Some(order)
    }

    /// Cart, checkout, order; abandoned carts get a reminder and sometimes
    /// a second try.
    fn buy_online(&mut self, decided: i64) -> Option<Order> {
        let product = self.choose_product();
        let mobile_trouble = self.profile.mobile && self.life.planted(plant::MOBILE_CHECKOUT);
        let (to_checkout, to_order) = if mobile_trouble {
            plant::MOBILE_FUNNEL
        } else {
            plant::DESKTOP_FUNNEL
        };
        let mut ts = decided;
        for _attempt in 0..3 {
            self.life.timeline.identify();
            ts = self.page(ts, tp::CART, (20.0, 180.0));
            if self.life.rng.chance(to_checkout) {
                ts = self.page(ts, tp::CHECKOUT, (60.0, 400.0));
                if self.life.rng.chance(to_order) {
                    let channel = self.web();
                    let order = self.place_order(ts, product, tp::ORDER_PLACED, channel);
                    let confirmed = ts + seconds(self.life.rng.uniform(5.0, 90.0));
                    self.life
                        .push(confirmed, tp::ORDER_CONFIRMATION_EMAIL, ch::EMAIL);
                    return Some(order);
                }
            }
            ts = self.remind(ts)?;
        }
        None
    }

    /// The cart reminder the next morning, and whether it brings them back.
    fn remind(&mut self, abandoned: i64) -> Option<i64> {
        if !self.life.rng.chance(0.6) {
            return None;
        }
        let reminded = crate::time::day_start(abandoned)
            + DAY_US
            + minutes(self.life.rng.uniform(540.0, 660.0));
        self.life.push(reminded, tp::CART_REMINDER_EMAIL, ch::EMAIL);
        if !self.life.rng.chance(0.35) {
            return None;
        }
        let back = reminded + days(self.life.rng.uniform(0.01, 2.0));
        Some(self.page(back, tp::PRODUCT_PAGE, (20.0, 120.0)))
    }

    fn place_order(
        &mut self,
        ts: i64,
        product: &'static Product,
        touchpoint: &'static str,
        channel: &'static str,
    ) -> Order {
        self.orders += 1;
        self.first_purchase_ts_us.get_or_insert(ts);
        let items: i32 = if self.life.rng.chance(0.15) { 2 } else { 1 };
        let value = (product.price * self.life.rng.uniform(0.9, 1.1) * f64::from(items) * 100.0)
            .round()
            / 100.0;
        let id = format!("{}-o{}", self.life.distinct_id, self.orders);
        let event = self.life.push(ts, touchpoint, channel);
        event.value = Some(value);
        event.properties = Props::new()
            .str("order_id", &id)
            .str("product", product.key)
            .str("category", product.category)
            .int("items", i64::from(items))
            .finish();
        Order {
            ts_us: ts,
            id,
            product,
            value,
            in_store: touchpoint == tp::STORE_PURCHASE,
        }
    }

    /// Whether the customer starts another round: loyal tiers more often,
    /// much more often after a timely follow-up, rarely after three poor
    /// experiences.
    fn comes_back(&mut self, followed_up: bool) -> bool {
        let base = match self.profile.tier {
            "gold" => 0.85,
            "silver" => 0.75,
            _ => 0.65,
        };
        let follow = if !self.life.planted(plant::NO_FOLLOW_UP) {
            plant::FOLLOW_UP_NEUTRAL
        } else if followed_up {
            1.0
        } else {
            plant::NO_FOLLOW_UP_FACTOR
        };
        let strikes =
            self.life.planted(plant::THREE_STRIKES) && self.poor_since_first_purchase() >= 3;
        let churn = if strikes {
            plant::THREE_STRIKES_FACTOR
        } else {
            1.0
        };
        self.life.rng.chance(base * follow * churn)
    }

    /// Poor experiences after the first purchase, at touchpoints of the
    /// after-sale stages: the count the "three strikes" situation uses.
    pub(super) fn poor_since_first_purchase(&self) -> usize {
        let Some(since) = self.first_purchase_ts_us else {
            return 0;
        };
        self.count_poor(since)
    }

    pub(super) fn count_poor(&self, since_ts_us: i64) -> usize {
        self.life
            .count_poor(|event| event.ts_us >= since_ts_us && after_sale(event))
    }
}

/// Whether the event's touchpoint lies in the post-purchase, support or
/// loyalty stage.
pub(crate) fn after_sale(event: &Event) -> bool {
    let after_sale_from = STAGES
        .iter()
        .position(|s| *s == "post_purchase")
        .expect("stage exists");
    TOUCHPOINTS
        .iter()
        .any(|(name, stage, ..)| *name == event.touchpoint && *stage >= after_sale_from)
}
