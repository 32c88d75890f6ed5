//! The internet provider's journey definition: eight stages of its own
//! (sign-up, installation, usage and billing instead of a retailer's
//! purchase and delivery) in a cycle closed by the contract renewal, 38
//! touchpoints on 13 channels, personas, outcomes, targets and the
//! designed journey.

use model::{
    ChannelKind, Condition, DesignedStep, IdentityRules, JourneyDefinition, Outcomes, Persona,
    Targets,
};

/// Touchpoint names.
pub(crate) mod tp {
    pub(crate) const COMPARISON_SITE: &str = "comparison_site";
    pub(crate) const LEAFLET: &str = "leaflet";
    pub(crate) const DISPLAY_AD: &str = "display_ad";
    pub(crate) const REFERRAL_LINK: &str = "referral_link";
    pub(crate) const COVERAGE_CHECK: &str = "coverage_check";
    pub(crate) const PLANS_PAGE: &str = "plans_page";
    pub(crate) const TELESALES_CALL: &str = "telesales_call";
    pub(crate) const SHOP_VISIT: &str = "shop_visit";
    pub(crate) const ONLINE_SIGNUP: &str = "online_signup";
    pub(crate) const CREDIT_CHECK: &str = "credit_check";
    pub(crate) const CONTRACT_EMAIL: &str = "contract_email";
    pub(crate) const WELCOME_PACK: &str = "welcome_pack";
    pub(crate) const APPOINTMENT_BOOKING: &str = "appointment_booking";
    pub(crate) const APPOINTMENT_REMINDER: &str = "appointment_reminder";
    pub(crate) const ROUTER_DELIVERY: &str = "router_delivery";
    pub(crate) const QUICK_START_GUIDE: &str = "quick_start_guide";
    pub(crate) const TECHNICIAN_VISIT: &str = "technician_visit";
    pub(crate) const LINE_ACTIVATION: &str = "line_activation";
    pub(crate) const APP_LOGIN: &str = "app_login";
    pub(crate) const SPEED_TEST: &str = "speed_test";
    pub(crate) const WIFI_HELP_ARTICLE: &str = "wifi_help_article";
    pub(crate) const OUTAGE_NOTICE: &str = "outage_notice";
    pub(crate) const USAGE_REPORT: &str = "usage_report";
    pub(crate) const BILL: &str = "bill";
    pub(crate) const BILLING_PORTAL: &str = "billing_portal";
    pub(crate) const PAYMENT_REMINDER: &str = "payment_reminder";
    pub(crate) const CALL_CENTRE: &str = "call_centre";
    pub(crate) const WEB_CHAT: &str = "web_chat";
    pub(crate) const FAULT_REPORT: &str = "fault_report";
    pub(crate) const REPAIR_VISIT: &str = "repair_visit";
    pub(crate) const FORMAL_COMPLAINT: &str = "formal_complaint";
    pub(crate) const CONTRACT_END_NOTICE: &str = "contract_end_notice";
    pub(crate) const RETENTION_CALL: &str = "retention_call";
    pub(crate) const RECONTRACT: &str = "recontract";
    pub(crate) const UPGRADE_ORDER: &str = "upgrade_order";
    pub(crate) const CANCELLATION: &str = "cancellation";
    pub(crate) const ANNUAL_SURVEY: &str = "annual_survey";
    pub(crate) const REFER_A_FRIEND: &str = "refer_a_friend";
}

/// Channel names.
pub(crate) mod ch {
    pub(crate) const WEB: &str = "web";
    pub(crate) const SOCIAL: &str = "social";
    pub(crate) const MOBILE_APP: &str = "mobile_app";
    pub(crate) const EMAIL: &str = "email";
    pub(crate) const SMS: &str = "sms";
    pub(crate) const NETWORK: &str = "network";
    pub(crate) const MAIL: &str = "mail";
    pub(crate) const PRINT: &str = "print";
    pub(crate) const COURIER: &str = "courier";
    pub(crate) const PHONE: &str = "phone";
    pub(crate) const CHAT: &str = "chat";
    pub(crate) const STORE: &str = "store";
    pub(crate) const FIELD: &str = "field";
}

pub(crate) const STAGES: [&str; 8] = [
    "awareness",
    "consideration",
    "sign_up",
    "installation",
    "usage",
    "billing",
    "support",
    "renewal",
];

const CHANNELS: [(&str, ChannelKind); 13] = [
    (ch::WEB, ChannelKind::Digital),
    (ch::SOCIAL, ChannelKind::Digital),
    (ch::MOBILE_APP, ChannelKind::Digital),
    (ch::EMAIL, ChannelKind::Digital),
    (ch::SMS, ChannelKind::Digital),
    (ch::NETWORK, ChannelKind::Digital),
    (ch::MAIL, ChannelKind::Physical),
    (ch::PRINT, ChannelKind::Physical),
    (ch::COURIER, ChannelKind::Physical),
    (ch::PHONE, ChannelKind::Human),
    (ch::CHAT, ChannelKind::Human),
    (ch::STORE, ChannelKind::Human),
    (ch::FIELD, ChannelKind::Human),
];

/// Touchpoint, stage index, usual channel, the kind where it differs from
/// the channel's, label.
type Row = crate::scenario::TouchpointRow;

const HUMAN: Option<ChannelKind> = Some(ChannelKind::Human);

pub(crate) const TOUCHPOINTS: [Row; 38] = [
    (
        tp::COMPARISON_SITE,
        0,
        ch::WEB,
        None,
        "Price comparison site",
    ),
    (tp::LEAFLET, 0, ch::MAIL, None, "Door-drop leaflet"),
    (tp::DISPLAY_AD, 0, ch::SOCIAL, None, "Display ad"),
    (
        tp::REFERRAL_LINK,
        0,
        ch::WEB,
        None,
        "Friend's referral link",
    ),
    (tp::COVERAGE_CHECK, 1, ch::WEB, None, "Coverage check"),
    (tp::PLANS_PAGE, 1, ch::WEB, None, "Plans and prices"),
    (tp::TELESALES_CALL, 1, ch::PHONE, None, "Telesales call"),
    (tp::SHOP_VISIT, 1, ch::STORE, None, "Shop visit"),
    (tp::ONLINE_SIGNUP, 2, ch::WEB, None, "Online sign-up"),
    (tp::CREDIT_CHECK, 2, ch::WEB, None, "Credit check"),
    (tp::CONTRACT_EMAIL, 2, ch::EMAIL, None, "Contract e-mail"),
    (tp::WELCOME_PACK, 2, ch::MAIL, None, "Welcome pack"),
    (
        tp::APPOINTMENT_BOOKING,
        3,
        ch::WEB,
        None,
        "Installation appointment booking",
    ),
    (
        tp::APPOINTMENT_REMINDER,
        3,
        ch::SMS,
        None,
        "Appointment reminder",
    ),
    (tp::ROUTER_DELIVERY, 3, ch::COURIER, None, "Router delivery"),
    (
        tp::QUICK_START_GUIDE,
        3,
        ch::PRINT,
        None,
        "Quick start guide",
    ),
    (tp::TECHNICIAN_VISIT, 3, ch::FIELD, None, "Technician visit"),
    (tp::LINE_ACTIVATION, 3, ch::NETWORK, None, "Line activation"),
    (tp::APP_LOGIN, 4, ch::MOBILE_APP, None, "App login"),
    (tp::SPEED_TEST, 4, ch::MOBILE_APP, None, "Speed test"),
    (
        tp::WIFI_HELP_ARTICLE,
        4,
        ch::WEB,
        None,
        "Wi-fi help article",
    ),
    (tp::OUTAGE_NOTICE, 4, ch::SMS, None, "Outage notice"),
    (tp::USAGE_REPORT, 4, ch::EMAIL, None, "Usage report"),
    (tp::BILL, 5, ch::EMAIL, None, "Bill"),
    (tp::BILLING_PORTAL, 5, ch::WEB, None, "Billing portal"),
    (tp::PAYMENT_REMINDER, 5, ch::SMS, None, "Payment reminder"),
    (tp::CALL_CENTRE, 6, ch::PHONE, None, "Call centre"),
    (tp::WEB_CHAT, 6, ch::CHAT, None, "Web chat"),
    (tp::FAULT_REPORT, 6, ch::MOBILE_APP, None, "Fault report"),
    (tp::REPAIR_VISIT, 6, ch::FIELD, None, "Repair visit"),
    (
        tp::FORMAL_COMPLAINT,
        6,
        ch::EMAIL,
        HUMAN,
        "Formal complaint",
    ),
    (
        tp::CONTRACT_END_NOTICE,
        7,
        ch::EMAIL,
        None,
        "Contract end notice",
    ),
    (tp::RETENTION_CALL, 7, ch::PHONE, None, "Retention call"),
    (tp::RECONTRACT, 7, ch::WEB, None, "Recontract"),
    (tp::UPGRADE_ORDER, 7, ch::WEB, None, "Upgrade order"),
    (tp::CANCELLATION, 7, ch::PHONE, None, "Cancellation"),
    (tp::ANNUAL_SURVEY, 7, ch::EMAIL, None, "Annual NPS survey"),
    (tp::REFER_A_FRIEND, 7, ch::WEB, None, "Refer a friend"),
];

/// Persona names used by the planted situations.
pub(crate) const RURAL: &str = "rural";

pub(crate) fn definition() -> JourneyDefinition {
    let touchpoints = crate::scenario::touchpoint_defs(&TOUCHPOINTS, &STAGES, &CHANNELS);
    JourneyDefinition {
        stages: STAGES.map(String::from).to_vec(),
        cycle: true,
        channels: CHANNELS
            .iter()
            .map(|(name, kind)| (name.to_string(), *kind))
            .collect(),
        touchpoints,
        personas: personas(),
        outcomes: Outcomes {
            purchase: vec![
                tp::ONLINE_SIGNUP.into(),
                tp::RECONTRACT.into(),
                tp::UPGRADE_ORDER.into(),
            ],
            conversion: Some(tp::ONLINE_SIGNUP.into()),
            repurchase_days: 400,
            churn_days: 60,
            promoter_min: 9.0,
            recommendation: vec![tp::REFER_A_FRIEND.into()],
        },
        targets: Targets {
            wait_s: 180.0,
            service_level: 0.8,
            answer_within_s: 30.0,
            follow_up_days: 7,
            repeat_contact_days: 7,
        },
        designed: designed(),
        identity: IdentityRules {
            merge_on_traits: vec!["email".into()],
            ..IdentityRules::default()
        },
    }
}

fn personas() -> Vec<Persona> {
    let persona = |name: &str, description: &str, trait_name: &str, values: &[&str]| Persona {
        name: name.into(),
        description: description.into(),
        when: vec![Condition {
            trait_name: trait_name.into(),
            in_values: Some(values.iter().map(|v| v.to_string()).collect()),
            ..Condition::default()
        }],
    };
    vec![
        persona(RURAL, "Households in the countryside", "region", &["rural"]),
        persona(
            "urban",
            "Households in towns and cities",
            "region",
            &["urban", "suburban"],
        ),
        persona(
            "app_first",
            "Customers who manage their account on a phone",
            "device",
            &["mobile"],
        ),
        persona(
            "older_55_plus",
            "Account holders aged 55 and over",
            "age_band",
            &["55-64", "65+"],
        ),
        persona(
            "gigabit",
            "Customers on the fastest plan",
            "plan",
            &["fibre_900"],
        ),
    ]
}

fn designed() -> Vec<DesignedStep> {
    let step = |touchpoint: &str, max_s: Option<f64>, optional: bool| DesignedStep {
        touchpoint: touchpoint.into(),
        max_s,
        optional,
    };
    let day = 86_400.0;
    vec![
        step(tp::COMPARISON_SITE, None, true),
        step(tp::COVERAGE_CHECK, None, false),
        step(tp::PLANS_PAGE, None, false),
        step(tp::ONLINE_SIGNUP, Some(7.0 * day), false),
        step(tp::CONTRACT_EMAIL, Some(600.0), false),
        step(tp::APPOINTMENT_BOOKING, Some(day), true),
        step(tp::ROUTER_DELIVERY, Some(7.0 * day), false),
        step(tp::TECHNICIAN_VISIT, Some(14.0 * day), true),
        step(tp::LINE_ACTIVATION, Some(day), false),
        step(tp::BILL, Some(35.0 * day), false),
        step(tp::APP_LOGIN, None, true),
    ]
}
