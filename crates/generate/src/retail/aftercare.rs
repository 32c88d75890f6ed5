//! After the sale: dispatch, delivery, packaging, set-up, problems and the
//! contacts they cause, the follow-up, and the loyalty stage.

use super::catalog::{self, Product, SMART_HOME, WEB_PROFILE};
use super::definition::{ch, tp};
use super::plant;
use super::shopper::{Order, Shopper};
use crate::contact::{Issue, IssueOutcome, Queue, Route};
use crate::text::{Survey, Topic};
use crate::time::{DAY_US, HourProfile, OpeningHours, Schedule, days, minutes};
use crate::timeline::Props;
use model::RatingScale;

static COURIER_HOURS: OpeningHours = OpeningHours {
    days: [(8, 20), (8, 20), (8, 20), (8, 20), (8, 20), (8, 18), (0, 0)],
};
static COURIER_PROFILE: HourProfile = [
    0, 0, 0, 0, 0, 0, 0, 0, 5, 7, 8, 8, 8, 8, 8, 8, 7, 6, 5, 4, 0, 0, 0, 0,
];
static COURIER: Schedule<'static> = Schedule {
    hours: &COURIER_HOURS,
    profile: &COURIER_PROFILE,
    immediate: 0.0,
};
static INBOX: Schedule<'static> = Schedule {
    hours: &OpeningHours::ALWAYS,
    profile: &WEB_PROFILE,
    immediate: 0.0,
};

static CARE_QUEUES: [&Queue; 3] = [&catalog::PHONE, &catalog::CHAT, &catalog::EMAIL];

/// How a delivery went.
#[derive(Debug, Clone, Copy)]
struct Delivery {
    arrived_ts_us: i64,
    damaged: bool,
}

impl Shopper<'_> {
    /// A survey answer, with a comment half of the time, on the event
    /// pushed last.
    fn rate_last(&mut self, scale: RatingScale, mean: f64, topic: &Topic, product: &Product) {
        let survey = Survey {
            scale,
            mean,
            topic,
            item: product.name,
            comment: 0.5,
        };
        self.life.rate_last(&survey);
    }

    /// Everything after an order; returns whether a follow-up reached the
    /// customer within 14 days of the purchase.
    pub(super) fn after_purchase(&mut self, order: &Order) -> bool {
        let delivery = if order.in_store {
            Delivery {
                arrived_ts_us: order.ts_us + minutes(self.life.rng.uniform(30.0, 180.0)),
                damaged: false,
            }
        } else {
            self.deliver(order)
        };
        self.set_up(order, delivery.arrived_ts_us);
        self.after_sale_problems(order, delivery);
        let followed_up = self.follow_up(order, delivery.arrived_ts_us);
        self.loyalty(order, delivery.arrived_ts_us);
        followed_up
    }

    fn deliver(&mut self, order: &Order) -> Delivery {
        let dispatched = order.ts_us + days(self.life.rng.uniform(0.3, 1.5));
        self.life.push(dispatched, tp::DISPATCH_SMS, ch::SMS);
        let late = self.life.rng.chance(0.12);
        let expected = dispatched + days(self.life.rng.uniform(0.5, 2.5));
        if late {
            let need = expected + days(self.life.rng.uniform(0.3, 1.5));
            self.care_issue(order.product, "delivery_late", &catalog::LATE, 0.7, need);
        }
        let delay = if late {
            days(self.life.rng.uniform(2.0, 5.0))
        } else {
            0
        };
        let arrived = COURIER.pick(&mut self.life.rng, expected + delay);
        let damaged = self.life.rng.chance(0.04);
        let event = self.life.push(arrived, tp::PARCEL_DELIVERY, ch::COURIER);
        event.properties = Props::new()
            .str("order_id", &order.id)
            .str("category", order.product.category)
            .finish();
        if self
            .life
            .rng
            .chance(if damaged || late { 0.6 } else { 0.35 })
        {
            let mean = if damaged {
                1.5
            } else if late {
                2.6
            } else {
                4.6
            };
            self.rate_last(RatingScale::Csat5, mean, &catalog::DELIVERY, order.product);
        }
        let unpacked = arrived + minutes(self.life.rng.uniform(2.0, 30.0));
        self.life.push(unpacked, tp::PACKAGING, ch::PACKAGING);
        if self.life.rng.chance(0.15) {
            let mean = if damaged { 1.8 } else { 4.0 };
            self.rate_last(
                RatingScale::Csat5,
                mean,
                &catalog::PACKAGING_TOPIC,
                order.product,
            );
        }
        Delivery {
            arrived_ts_us: arrived,
            damaged,
        }
    }

    /// The set-up instructions: fine for most products, a struggle for
    /// smart-home devices (planted), which then brings tickets.
    fn set_up(&mut self, order: &Order, arrived: i64) {
        let hard =
            order.product.category == SMART_HOME && self.life.planted(plant::SETUP_FRUSTRATION);
        let ts = arrived + minutes(self.life.rng.uniform(10.0, 240.0));
        let event = self.life.push(ts, tp::SETUP_INSTRUCTIONS, ch::PRODUCT);
        event.properties = Props::new()
            .str("order_id", &order.id)
            .str("category", order.product.category)
            .finish();
        if self.life.rng.chance(0.5) {
            let mean = if hard {
                plant::SETUP_CES_HARD
            } else {
                plant::SETUP_CES_EASY
            };
            self.rate_last(RatingScale::Ces7, mean, &catalog::SETUP, order.product);
        }
        let ticket_share = if hard {
            plant::SETUP_TICKETS_HARD
        } else {
            plant::SETUP_TICKETS_EASY
        };
        if self.life.rng.chance(ticket_share) {
            let mut need = ts + minutes(self.life.rng.uniform(20.0, 600.0));
            if self.life.rng.chance(0.5) {
                let channel = self.web();
                self.life.push(need, tp::HELP_CENTER, channel);
                need += minutes(self.life.rng.uniform(5.0, 60.0));
            }
            let solve = if hard { 0.5 } else { 0.7 };
            self.care_issue(
                order.product,
                "setup_unclear",
                &catalog::SETUP_HELP,
                solve,
                need,
            );
        }
    }

    /// Damaged parcels, faults weeks later, and returns.
    fn after_sale_problems(&mut self, order: &Order, delivery: Delivery) {
        let arrived = delivery.arrived_ts_us;
        if delivery.damaged {
            let need = arrived + minutes(self.life.rng.uniform(20.0, 1_440.0));
            let handled =
                self.care_issue(order.product, "damaged_item", &catalog::DAMAGED, 0.75, need);
            self.send_back(order, handled.end_ts_us);
        } else if self.life.rng.chance(0.08) {
            let need = arrived + days(self.life.rng.uniform(5.0, 60.0));
            let handled =
                self.care_issue(order.product, "product_fault", &catalog::FAULT, 0.6, need);
            if !handled.solved || self.life.rng.chance(0.2) {
                self.send_back(order, handled.end_ts_us);
            }
        } else if self.life.rng.chance(0.05) {
            let mut looked = arrived + days(self.life.rng.uniform(1.0, 10.0));
            let channel = self.web();
            self.life.push(looked, tp::HELP_CENTER, channel);
            if self.life.rng.chance(0.4) {
                looked = self
                    .care_issue(
                        order.product,
                        "return_request",
                        &catalog::RETURN,
                        0.9,
                        looked,
                    )
                    .end_ts_us;
            }
            self.send_back(order, looked);
        }
    }

    /// The parcel goes back and the money follows.
    fn send_back(&mut self, order: &Order, after_ts_us: i64) {
        let sent = self.life.at(&COURIER, after_ts_us, (0.5, 3.0));
        let event = self.life.push(sent, tp::PRODUCT_RETURN, ch::COURIER);
        event.properties = Props::new().str("order_id", &order.id).finish();
        let mut refunded = sent + days(self.life.rng.uniform(2.0, 7.0));
        if self.life.rng.chance(0.3) {
            let chased = self.life.days_after(sent, 7.0, 10.0);
            let handled = self.care_issue(
                order.product,
                "refund_missing",
                &catalog::REFUND_TOPIC,
                0.7,
                chased,
            );
            refunded = handled.end_ts_us + days(self.life.rng.uniform(1.0, 4.0));
        }
        let event = self.life.push(refunded, tp::REFUND, ch::EMAIL);
        event.value = Some(-order.value);
        event.properties = Props::new().str("order_id", &order.id).finish();
    }

    /// A problem taken to customer care; older customers prefer the phone.
    fn care_issue(
        &mut self,
        product: &Product,
        reason: &'static str,
        topic: &Topic,
        solve: f64,
        need_ts_us: i64,
    ) -> IssueOutcome {
        let weights: [u32; 3] = if self.profile.older {
            [60, 15, 25]
        } else {
            [40, 40, 20]
        };
        let first = CARE_QUEUES[self.life.rng.weighted(&weights)];
        let route = Route {
            first,
            alternatives: &CARE_QUEUES,
            complaint: Some(&catalog::COMPLAINT),
            wait_factor: 1.0,
        };
        let issue = Issue {
            key: self.life.new_issue_key(),
            reason,
            topic,
            item: product.name,
            solve,
        };
        let rules = self.rules();
        self.life.handle(&rules, &issue, &route, need_ts_us)
    }

    /// The follow-up e-mail some orders get; true when it came within 14
    /// days of the purchase.
    fn follow_up(&mut self, order: &Order, arrived: i64) -> bool {
        let roll = self.life.rng.unit();
        if roll >= plant::FOLLOW_UP_SHARE + 0.05 {
            return false;
        }
        let planned = if roll < plant::FOLLOW_UP_SHARE {
            order.ts_us + days(self.life.rng.uniform(3.0, 12.0))
        } else {
            order.ts_us + days(self.life.rng.uniform(20.0, 40.0))
        };
        let sent = INBOX.pick(&mut self.life.rng, planned.max(arrived + DAY_US));
        let event = self.life.push(sent, tp::FOLLOW_UP_EMAIL, ch::EMAIL);
        event.properties = Props::new().str("order_id", &order.id).finish();
        sent - order.ts_us <= 14 * DAY_US
    }

    /// Survey, review, rewards, newsletters, referrals and app visits in
    /// the weeks after a purchase; worse experiences, worse scores.
    fn loyalty(&mut self, order: &Order, arrived: i64) {
        let poor = self.count_poor(order.ts_us) as f64;
        if self.life.rng.chance((0.3 + 0.15 * poor).min(0.8)) {
            let sent = self.life.at(&INBOX, order.ts_us, (28.0, 35.0));
            self.life.push(sent, tp::NPS_SURVEY, ch::EMAIL);
            self.rate_last(
                RatingScale::Nps10,
                8.8 - 2.6 * poor,
                &catalog::NPS,
                order.product,
            );
        }
        if self.life.rng.chance(0.1 + 0.1 * poor) {
            let planned = self.life.days_after(arrived, 3.0, 20.0);
            let written = self.session_time(planned);
            let channel = self.web();
            self.life.push(written, tp::REVIEW_WRITTEN, channel);
            let survey = Survey {
                scale: RatingScale::Csat5,
                mean: 4.4 - 1.1 * poor,
                topic: &catalog::REVIEW,
                item: order.product.name,
                comment: 0.95,
            };
            self.life.rate_last(&survey);
        }
        if self.profile.tier != "basic" && self.life.rng.chance(0.6) {
            let sent = self.life.at(&INBOX, order.ts_us, (10.0, 40.0));
            self.life.push(sent, tp::LOYALTY_REWARD, ch::EMAIL);
        }
        self.keep_in_touch(order, poor);
    }

    fn keep_in_touch(&mut self, order: &Order, poor: f64) {
        for _ in 0..self.life.rng.below(3) {
            let sent = self.life.at(&INBOX, order.ts_us, (5.0, 50.0));
            self.life.push(sent, tp::NEWSLETTER, ch::EMAIL);
        }
        if self.life.rng.chance(if poor == 0.0 { 0.1 } else { 0.02 }) {
            let planned = self.life.days_after(order.ts_us, 7.0, 45.0);
            let referred = self.session_time(planned);
            let channel = self.web();
            self.life.push(referred, tp::REFERRAL, channel);
        }
        if self.profile.mobile {
            for _ in 0..self.life.rng.below(4) {
                let planned = self.life.days_after(order.ts_us, 1.0, 40.0);
                let opened = self.session_time(planned);
                self.life.push(opened, tp::APP_HOME, ch::MOBILE_APP);
            }
        }
    }
}
