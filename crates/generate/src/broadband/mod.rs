//! The second business: a broadband internet provider, with stages,
//! touchpoints and planted problems of its own (see [`planted`]), so that
//! insights can be shown to generalise beyond the retail demo.

mod catalog;
mod definition;
mod service;
mod subscriber;

pub(crate) use definition::definition;
pub(crate) use subscriber::customer;

use crate::agents::{Desk, PlantedStep};
use crate::planted::{ExpectedEffect, PlantedSituation};
use model::agent::AgentEventKind;

/// The planted situations' positions in [`planted`] and the parameters
/// that produce them.
pub(crate) mod plant {
    pub(crate) const TECHNICIAN_NO_SHOW: usize = 0;
    pub(crate) const FIRST_BILL_SHOCK: usize = 1;
    pub(crate) const APP_OUTAGE: usize = 2;
    pub(crate) const RURAL_COVERAGE_DROP: usize = 3;
    pub(crate) const RETENTION_SAVES: usize = 4;
    pub(crate) const MANUAL_BILL_CHECKS: usize = 5;

    /// Share of technician appointments nobody turns up to, while planted
    /// and otherwise, and the share of no-shows that end in a complaint.
    pub(crate) const NO_SHOW_SHARE: f64 = 0.15;
    pub(crate) const NO_SHOW_RARE: f64 = 0.02;
    pub(crate) const NO_SHOW_COMPLAINT: f64 = 0.45;

    /// Share of bills followed by a billing query: the shocking first bill
    /// and every other bill.
    pub(crate) const FIRST_BILL_QUERIES: f64 = 0.4;
    pub(crate) const BILL_QUERIES: f64 = 0.04;

    /// The app outage covers days 140–146 of the window (a Monday to a
    /// Sunday when the window starts on a Monday, as by default).
    pub(crate) const OUTAGE_FIRST_DAY: i64 = 140;
    pub(crate) const OUTAGE_LOGIN_FAILURES: f64 = 0.9;
    pub(crate) const LOGIN_FAILURES: f64 = 0.01;
    /// Share of failed logins followed by a contact.
    pub(crate) const FAILED_LOGIN_CONTACTS: f64 = 0.35;
    /// Mean waits multiply by this in the outage week: the queues flood.
    pub(crate) const OUTAGE_WAIT_FACTOR: f64 = 3.0;

    /// Probability that a household leaves at the coverage check: when only
    /// copper is available (planted; most rural addresses) and otherwise.
    pub(crate) const COVERAGE_DROP_COPPER: f64 = 0.6;
    pub(crate) const COVERAGE_DROP_FIBRE: f64 = 0.1;

    /// Share of term ends with an outbound retention call, and the share
    /// of households that cancel with and without one (or everyone, when
    /// the situation is switched off).
    pub(crate) const RETENTION_CALL_SHARE: f64 = 0.4;
    pub(crate) const CANCEL_AFTER_CALL: f64 = 0.12;
    pub(crate) const CANCEL_WITHOUT_CALL: f64 = 0.45;
    pub(crate) const CANCEL_NEUTRAL: f64 = 0.3;
}

/// The planted situations, in the order of [`plant`]'s indices.
pub(crate) fn planted() -> Vec<PlantedSituation> {
    vec![
        technician_no_show(),
        first_bill_shock(),
        app_outage(),
        rural_coverage_drop(),
        retention_saves(),
        manual_bill_checks(),
    ]
}

fn technician_no_show() -> PlantedSituation {
    PlantedSituation {
        key: "technician_no_show",
        description: "Engineers miss about one installation appointment in seven; most households call \
            within a day and almost half file a formal complaint.",
        touchpoints: vec!["technician_visit", "call_centre", "formal_complaint"],
        persona: None,
        expected: vec![
            effect(
                "share of technician_visit events followed within 14 days by a formal_complaint: \
                 status no_show vs completed",
                0.46,
                0.04,
                0.05,
            ),
            effect(
                "share of technician_visit events followed within 1 day by a call_centre contact: \
                 status no_show vs completed",
                0.8,
                0.005,
                0.05,
            ),
        ],
    }
}

fn first_bill_shock() -> PlantedSituation {
    PlantedSituation {
        key: "first_bill_shock",
        description: "The first bill adds a set-up fee and part of a month to the price customers signed \
            up for; billing calls and chats spike after it.",
        touchpoints: vec!["bill", "billing_portal", "call_centre", "web_chat"],
        persona: None,
        expected: vec![
            effect(
                "share of bills followed within 7 days by a contact with reason bill_query: bill_no 1 vs \
                 later bills",
                0.4,
                0.04,
                0.04,
            ),
            effect(
                "mean bill value divided by the plan's monthly price: bill_no 1 vs later bills",
                2.9,
                1.0,
                0.15,
            ),
        ],
    }
}

fn app_outage() -> PlantedSituation {
    PlantedSituation {
        key: "app_outage",
        description: "The app fails for one week (days 140 to 146 of the window): most logins error, \
            contacts about the app flood the queues and chat waits triple.",
        touchpoints: vec!["app_login", "web_chat", "call_centre"],
        persona: Some("app_first"),
        expected: vec![
            effect(
                "share of app_login events with status error: outage week vs other days",
                0.9,
                0.01,
                0.04,
            ),
            effect(
                "share of app_login events followed within 1 day by a call_centre or web_chat contact: \
                 outage week vs other days",
                0.31,
                0.008,
                0.05,
            ),
            effect(
                "mean wait_s of web_chat contacts offered in the outage week vs other days",
                110.0,
                39.0,
                20.0,
            ),
        ],
    }
}

fn rural_coverage_drop() -> PlantedSituation {
    PlantedSituation {
        key: "rural_coverage_drop",
        description: "Most rural addresses can only get copper broadband; rural households leave at the \
            coverage check far more often.",
        touchpoints: vec!["coverage_check"],
        persona: Some(definition::RURAL),
        expected: vec![effect(
            "share of coverage_check events that are the customer's last event: persona rural vs the rest",
            0.52,
            0.115,
            0.04,
        )],
    }
}

fn retention_saves() -> PlantedSituation {
    PlantedSituation {
        key: "retention_saves",
        description: "An outbound retention call before the contract ends keeps most households who would \
            otherwise leave; only two in five get one.",
        touchpoints: vec![
            "contract_end_notice",
            "retention_call",
            "cancellation",
            "recontract",
        ],
        persona: None,
        expected: vec![effect(
            "share of contract_end_notice events followed within 45 days by a cancellation: without vs \
             with a retention_call in the 35 days after the notice",
            0.46,
            0.115,
            0.05,
        )],
    }
}

/// The agents' desk: billing agents recalculate bills by hand after most
/// contacts (planted: `manual_bill_checks`).
pub(crate) static DESK: Desk = Desk {
    queues: &catalog::QUEUES,
    lookup_tools: &["account_crm", "line_test", "network_status"],
    follow_up_tasks: &["case_note", "engineer_booking", "credit_note"],
    planted: PlantedStep {
        index: plant::MANUAL_BILL_CHECKS,
        team: "billing",
        kind: AgentEventKind::ManualTask,
        name: "bill_recalculation",
        share: 0.7,
        min_s: 120.0,
        max_s: 360.0,
    },
};

/// Measured effects of `manual_bill_checks` (see its tolerance).
const MANUAL_STEPS_BILLING: f64 = 1.24;
const MANUAL_STEPS_OTHERS: f64 = 0.52;
const NON_CUSTOMER_BILLING_S: f64 = 260.0;
const NON_CUSTOMER_OTHERS_S: f64 = 79.5;

fn manual_bill_checks() -> PlantedSituation {
    PlantedSituation {
        key: "manual_bill_checks",
        description: "In the agents' data: billing agents (phone and chat) recalculate the bill by hand \
            after 70 % of their contacts, 120-360 s each (manual_task bill_recalculation after the \
            after-contact work), which no other team does: about 170 s of extra non-customer work per \
            contact.",
        touchpoints: vec!["call_centre", "web_chat"],
        persona: None,
        expected: vec![
            effect(
                "agents' data: manual_task events named bill_recalculation per contact event: billing \
                 agents vs agents of other teams",
                0.7,
                0.0,
                0.03,
            ),
            effect(
                "agents' data: manual steps (manual_task and tool_used events) per contact event: \
                 billing agents vs agents of other teams",
                MANUAL_STEPS_BILLING,
                MANUAL_STEPS_OTHERS,
                0.06,
            ),
            effect(
                "agents' data: seconds of after_contact_work, manual_task and tool_used events per \
                 contact event: billing agents vs agents of other teams",
                NON_CUSTOMER_BILLING_S,
                NON_CUSTOMER_OTHERS_S,
                15.0,
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
        assert_eq!(keys[plant::TECHNICIAN_NO_SHOW], "technician_no_show");
        assert_eq!(keys[plant::FIRST_BILL_SHOCK], "first_bill_shock");
        assert_eq!(keys[plant::APP_OUTAGE], "app_outage");
        assert_eq!(keys[plant::RURAL_COVERAGE_DROP], "rural_coverage_drop");
        assert_eq!(keys[plant::RETENTION_SAVES], "retention_saves");
        assert_eq!(keys[plant::MANUAL_BILL_CHECKS], "manual_bill_checks");
    }
}
