//! The demo business: an online and in-store retailer of home electronics,
//! with seven planted problems (see [`planted`]).

mod aftercare;
mod catalog;
mod definition;
mod shopper;

pub(crate) use definition::definition;
pub(crate) use shopper::customer;

use crate::agents::{Desk, PlantedStep};
use crate::planted::{ExpectedEffect, PlantedSituation};
use model::agent::AgentEventKind;

/// The planted situations' positions in [`planted`] and the parameters
/// that produce them; the expected effects follow from these.
pub(crate) mod plant {
    pub(crate) const SETUP_FRUSTRATION: usize = 0;
    pub(crate) const OLDER_FAQ_DROP: usize = 1;
    pub(crate) const MOBILE_CHECKOUT: usize = 2;
    pub(crate) const NO_FOLLOW_UP: usize = 3;
    pub(crate) const THREE_STRIKES: usize = 4;
    pub(crate) const FALSE_RESOLVED: usize = 5;
    pub(crate) const WAIT_SPIKES: usize = 6;
    pub(crate) const LEGACY_ORDER_LOOKUP: usize = 7;

    /// Mean CES answer at the set-up instructions: smart-home devices
    /// (while planted) and everything else.
    pub(crate) const SETUP_CES_HARD: f64 = 2.2;
    pub(crate) const SETUP_CES_EASY: f64 = 5.4;
    /// Share of set-ups followed by a ticket about unclear instructions.
    pub(crate) const SETUP_TICKETS_HARD: f64 = 0.45;
    pub(crate) const SETUP_TICKETS_EASY: f64 = 0.06;

    /// Probability that a visit to the FAQ page ends the journey.
    pub(crate) const FAQ_DROP_OLDER: f64 = 0.5;
    pub(crate) const FAQ_DROP_OTHERS: f64 = 0.08;

    /// (cart → checkout, checkout → order) per cart session.
    pub(crate) const MOBILE_FUNNEL: (f64, f64) = (0.55, 0.62);
    pub(crate) const DESKTOP_FUNNEL: (f64, f64) = (0.86, 0.9);

    /// Share of orders that get a follow-up within 14 days (another 5 %
    /// get a late one), and the return probability's factor without it.
    pub(crate) const FOLLOW_UP_SHARE: f64 = 0.45;
    pub(crate) const NO_FOLLOW_UP_FACTOR: f64 = 0.35;
    /// The factor for everyone when the situation is switched off.
    pub(crate) const FOLLOW_UP_NEUTRAL: f64 = 0.65;

    /// The return probability's factor after three poor experiences.
    pub(crate) const THREE_STRIKES_FACTOR: f64 = 0.1;
}

/// Measured effects of `legacy_order_lookup` (see its tolerance).
const MANUAL_STEPS_CARE: f64 = 1.35;
const MANUAL_STEPS_OTHERS: f64 = 0.52;
const NON_CUSTOMER_CARE_S: f64 = 189.0;
const NON_CUSTOMER_OTHERS_S: f64 = 89.5;

/// The planted situations, in the order of [`plant`]'s indices.
pub(crate) fn planted() -> Vec<PlantedSituation> {
    vec![
        setup_frustration(),
        older_faq_drop(),
        mobile_checkout(),
        no_follow_up(),
        three_strikes(),
        false_resolved(),
        wait_spikes(),
        legacy_order_lookup(),
    ]
}

fn setup_frustration() -> PlantedSituation {
    PlantedSituation {
        key: "setup_frustration",
        description: "Customers are happy when the parcel arrives, then the set-up instructions frustrate \
            them, above all for smart-home devices (category smart_home), and tickets about unclear \
            instructions (reason setup_unclear) follow.",
        touchpoints: vec![
            "parcel_delivery",
            "setup_instructions",
            "phone_support",
            "live_chat",
            "email_support",
        ],
        persona: None,
        expected: vec![
            effect(
                "mean CES (1-7) answered at setup_instructions: category smart_home vs other categories",
                2.2,
                5.4,
                0.2,
            ),
            effect(
                "share of setup_instructions events followed within 3 days by a contact with reason \
                 setup_unclear: category smart_home vs other categories",
                0.45,
                0.06,
                0.04,
            ),
            effect(
                "mean emotion (DESIGN 7 rating mapping) of smart_home orders: answers at setup_instructions vs \
                 answers at parcel_delivery",
                -0.6,
                0.45,
                0.1,
            ),
        ],
    }
}

fn older_faq_drop() -> PlantedSituation {
    PlantedSituation {
        key: "older_faq_drop",
        description: "Customers aged 55 and over drop off at the FAQ page while researching: the FAQ speaks \
            to 20-somethings.",
        touchpoints: vec!["faq_page"],
        persona: Some(definition::OLDER),
        expected: vec![effect(
            "share of faq_page events that are the customer's last event: persona older_55_plus vs the rest",
            0.5,
            0.085,
            0.04,
        )],
    }
}

fn mobile_checkout() -> PlantedSituation {
    PlantedSituation {
        key: "mobile_checkout",
        description: "Shoppers on a phone abandon the cart and the checkout far more often than shoppers on \
            a computer.",
        touchpoints: vec!["cart", "checkout", "order_placed"],
        persona: Some(definition::MOBILE),
        expected: vec![effect(
            "share of cart events followed by order_placed within 2 hours: persona mobile_shoppers vs \
             desktop_shoppers",
            0.34,
            0.77,
            0.04,
        )],
    }
}

fn no_follow_up() -> PlantedSituation {
    PlantedSituation {
        key: "no_follow_up",
        description: "Most orders get no follow-up after the sale; customers who get a follow_up_email within \
            14 days come back far more often.",
        touchpoints: vec!["follow_up_email", "order_placed", "store_purchase"],
        persona: None,
        expected: vec![effect(
            "share of customers whose first purchase lies in the first half of the window who purchase \
             again in the window: no follow_up_email within 14 days of it vs one",
            0.12,
            0.36,
            0.04,
        )],
    }
}

fn three_strikes() -> PlantedSituation {
    PlantedSituation {
        key: "three_strikes",
        description: "After three poor experiences (generate::is_poor_experience, after the first purchase, \
            at post_purchase, support and loyalty touchpoints) most customers do not come back.",
        touchpoints: vec![
            "phone_support",
            "live_chat",
            "setup_instructions",
            "parcel_delivery",
            "nps_survey",
        ],
        persona: None,
        expected: vec![effect(
            "share of customers whose first purchase lies in the first half of the window who purchase \
             again in the window: 3 or more poor experiences between the first and second purchase vs fewer",
            0.035,
            0.24,
            0.04,
        )],
    }
}

fn false_resolved() -> PlantedSituation {
    PlantedSituation {
        key: "false_resolved",
        description: "Three care agents (Eli Brennan, Kofi Mensah, Quinn Foster) mark contacts resolved \
            although the problem remains; unsolved problems come back as repeat contacts on the same issue \
            within a week.",
        touchpoints: vec!["phone_support", "live_chat"],
        persona: None,
        expected: vec![
            effect(
                "share of contacts marked resolved that are followed by a contact on the same issue within 7 \
                 days: the three agents vs other customer_care agents",
                0.27,
                0.045,
                0.06,
            ),
            effect(
                "share of answered contacts followed by a contact on the same issue within 7 days: marked \
                 resolved=false vs resolved=true",
                0.77,
                0.06,
                0.04,
            ),
        ],
    }
}

fn wait_spikes() -> PlantedSituation {
    PlantedSituation {
        key: "wait_spikes",
        description: "The phone queue is understaffed on Monday 09:00-11:00 and on weekdays 17:00-19:00: \
            waits far above the 120 s target and many callers hang up.",
        touchpoints: vec!["phone_support"],
        persona: None,
        expected: vec![
            effect(
                "mean wait_s of phone_support contacts offered in the spike hours vs other opening hours",
                252.0,
                28.5,
                25.0,
            ),
            effect(
                "share of phone_support contacts abandoned in the spike hours vs other opening hours",
                0.53,
                0.058,
                0.05,
            ),
        ],
    }
}

/// The agents' desk: the customer_care team looks orders up by hand in a
/// legacy system after most contacts (planted: `legacy_order_lookup`).
pub(crate) static DESK: Desk = Desk {
    queues: &catalog::QUEUES,
    lookup_tools: &["order_history", "knowledge_base", "stock_checker"],
    follow_up_tasks: &["follow_up_email", "replacement_order", "case_note"],
    planted: PlantedStep {
        index: plant::LEGACY_ORDER_LOOKUP,
        team: "customer_care",
        kind: AgentEventKind::ToolUsed,
        name: "legacy_order_system",
        share: 0.8,
        min_s: 60.0,
        max_s: 180.0,
    },
};

fn legacy_order_lookup() -> PlantedSituation {
    PlantedSituation {
        key: "legacy_order_lookup",
        description: "In the agents' data: customer_care agents (phone and chat) look the order up by \
            hand in the legacy order system after 80 % of their contacts, 60-180 s each (tool_used \
            legacy_order_system after the after-contact work), which no other team does: about 100 s of \
            extra non-customer work per contact.",
        touchpoints: vec!["phone_support", "live_chat"],
        persona: None,
        expected: vec![
            effect(
                "agents' data: tool_used events named legacy_order_system per contact event: \
                 customer_care agents vs agents of other teams",
                0.8,
                0.0,
                0.03,
            ),
            effect(
                "agents' data: manual steps (manual_task and tool_used events) per contact event: \
                 customer_care agents vs agents of other teams",
                MANUAL_STEPS_CARE,
                MANUAL_STEPS_OTHERS,
                0.06,
            ),
            effect(
                "agents' data: seconds of after_contact_work, manual_task and tool_used events per \
                 contact event: customer_care agents vs agents of other teams",
                NON_CUSTOMER_CARE_S,
                NON_CUSTOMER_OTHERS_S,
                12.0,
            ),
        ],
    }
}

fn effect(metric: &'static str, affected: f64, baseline: f64, tolerance: f64) -> ExpectedEffect {
    ExpectedEffect {
        metric,
        affected,
        baseline,
        tolerance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plant_indices_match_the_list() {
        let keys: Vec<&str> = planted().iter().map(|p| p.key).collect();
        assert_eq!(keys[plant::SETUP_FRUSTRATION], "setup_frustration");
        assert_eq!(keys[plant::OLDER_FAQ_DROP], "older_faq_drop");
        assert_eq!(keys[plant::MOBILE_CHECKOUT], "mobile_checkout");
        assert_eq!(keys[plant::NO_FOLLOW_UP], "no_follow_up");
        assert_eq!(keys[plant::THREE_STRIKES], "three_strikes");
        assert_eq!(keys[plant::FALSE_RESOLVED], "false_resolved");
        assert_eq!(keys[plant::WAIT_SPIKES], "wait_spikes");
        assert_eq!(keys[plant::LEGACY_ORDER_LOOKUP], "legacy_order_lookup");
    }
}
