//! The retailer's journey definition: seven stages in a cycle, 35
//! touchpoints on 14 channels of all three kinds, personas, outcomes,
//! targets and the designed journey.

use model::{
    ChannelKind, Condition, DesignedStep, IdentityRules, JourneyDefinition, Outcomes, Persona,
    Targets,
};

/// Touchpoint names, one constant each so that the simulation and the
/// definition cannot drift apart.
pub(crate) mod tp {
    pub(crate) const SEARCH_AD: &str = "search_ad";
    pub(crate) const SOCIAL_AD: &str = "social_ad";
    pub(crate) const BLOG_POST: &str = "blog_post";
    pub(crate) const PRINTED_CATALOG: &str = "printed_catalog";
    pub(crate) const PRODUCT_PAGE: &str = "product_page";
    pub(crate) const REVIEWS: &str = "reviews";
    pub(crate) const FAQ_PAGE: &str = "faq_page";
    pub(crate) const SALES_CHAT: &str = "sales_chat";
    pub(crate) const CART: &str = "cart";
    pub(crate) const CHECKOUT: &str = "checkout";
    pub(crate) const CART_REMINDER_EMAIL: &str = "cart_reminder_email";
    pub(crate) const STORE_VISIT: &str = "store_visit";
    pub(crate) const ORDER_PLACED: &str = "order_placed";
    pub(crate) const STORE_PURCHASE: &str = "store_purchase";
    pub(crate) const ORDER_CONFIRMATION_EMAIL: &str = "order_confirmation_email";
    pub(crate) const RECEIPT: &str = "receipt";
    pub(crate) const DISPATCH_SMS: &str = "dispatch_sms";
    pub(crate) const PARCEL_DELIVERY: &str = "parcel_delivery";
    pub(crate) const PACKAGING: &str = "packaging";
    pub(crate) const SETUP_INSTRUCTIONS: &str = "setup_instructions";
    pub(crate) const FOLLOW_UP_EMAIL: &str = "follow_up_email";
    pub(crate) const HELP_CENTER: &str = "help_center";
    pub(crate) const LIVE_CHAT: &str = "live_chat";
    pub(crate) const PHONE_SUPPORT: &str = "phone_support";
    pub(crate) const EMAIL_SUPPORT: &str = "email_support";
    pub(crate) const COMPLAINT: &str = "complaint";
    pub(crate) const PRODUCT_RETURN: &str = "product_return";
    pub(crate) const REFUND: &str = "refund";
    pub(crate) const NPS_SURVEY: &str = "nps_survey";
    pub(crate) const REVIEW_WRITTEN: &str = "review_written";
    pub(crate) const LOYALTY_REWARD: &str = "loyalty_reward";
    pub(crate) const NEWSLETTER: &str = "newsletter";
    pub(crate) const REFERRAL: &str = "referral";
    pub(crate) const BUY_AGAIN: &str = "buy_again";
    pub(crate) const APP_HOME: &str = "app_home";
}

/// Channel names.
pub(crate) mod ch {
    pub(crate) const SEARCH: &str = "search";
    pub(crate) const SOCIAL: &str = "social";
    pub(crate) const WEB: &str = "web";
    pub(crate) const MOBILE_APP: &str = "mobile_app";
    pub(crate) const EMAIL: &str = "email";
    pub(crate) const SMS: &str = "sms";
    pub(crate) const MAIL: &str = "mail";
    pub(crate) const CHAT: &str = "chat";
    pub(crate) const PHONE: &str = "phone";
    pub(crate) const STORE: &str = "store";
    pub(crate) const PRINT: &str = "print";
    pub(crate) const COURIER: &str = "courier";
    pub(crate) const PACKAGING: &str = "packaging";
    pub(crate) const PRODUCT: &str = "product";
}

pub(crate) const STAGES: [&str; 7] = [
    "awareness",
    "consideration",
    "decision",
    "purchase",
    "post_purchase",
    "support",
    "loyalty",
];

const CHANNELS: [(&str, ChannelKind); 14] = [
    (ch::SEARCH, ChannelKind::Digital),
    (ch::SOCIAL, ChannelKind::Digital),
    (ch::WEB, ChannelKind::Digital),
    (ch::MOBILE_APP, ChannelKind::Digital),
    (ch::EMAIL, ChannelKind::Digital),
    (ch::SMS, ChannelKind::Digital),
    (ch::MAIL, ChannelKind::Physical),
    (ch::CHAT, ChannelKind::Human),
    (ch::PHONE, ChannelKind::Human),
    (ch::STORE, ChannelKind::Human),
    (ch::PRINT, ChannelKind::Physical),
    (ch::COURIER, ChannelKind::Physical),
    (ch::PACKAGING, ChannelKind::Physical),
    (ch::PRODUCT, ChannelKind::Physical),
];

/// Touchpoint, stage index, usual channel, the kind where the touchpoint
/// differs from its channel (e-mail tickets are answered by people), label.
type Row = crate::scenario::TouchpointRow;

const HUMAN: Option<ChannelKind> = Some(ChannelKind::Human);

pub(crate) const TOUCHPOINTS: [Row; 35] = [
    (tp::SEARCH_AD, 0, ch::SEARCH, None, "Search ad"),
    (tp::SOCIAL_AD, 0, ch::SOCIAL, None, "Social media ad"),
    (tp::BLOG_POST, 0, ch::WEB, None, "Blog post"),
    (tp::PRINTED_CATALOG, 0, ch::MAIL, None, "Printed catalogue"),
    (tp::PRODUCT_PAGE, 1, ch::WEB, None, "Product page"),
    (tp::REVIEWS, 1, ch::WEB, None, "Customer reviews"),
    (tp::FAQ_PAGE, 1, ch::WEB, None, "FAQ page"),
    (tp::SALES_CHAT, 1, ch::CHAT, None, "Sales chat"),
    (tp::CART, 2, ch::WEB, None, "Shopping cart"),
    (tp::CHECKOUT, 2, ch::WEB, None, "Checkout"),
    (
        tp::CART_REMINDER_EMAIL,
        2,
        ch::EMAIL,
        None,
        "Cart reminder e-mail",
    ),
    (tp::STORE_VISIT, 2, ch::STORE, None, "Store visit"),
    (tp::ORDER_PLACED, 3, ch::WEB, None, "Order placed"),
    (tp::STORE_PURCHASE, 3, ch::STORE, None, "Purchase in store"),
    (
        tp::ORDER_CONFIRMATION_EMAIL,
        3,
        ch::EMAIL,
        None,
        "Order confirmation e-mail",
    ),
    (tp::RECEIPT, 3, ch::PRINT, None, "Printed receipt"),
    (tp::DISPATCH_SMS, 4, ch::SMS, None, "Dispatch text message"),
    (tp::PARCEL_DELIVERY, 4, ch::COURIER, None, "Parcel delivery"),
    (tp::PACKAGING, 4, ch::PACKAGING, None, "Packaging"),
    (
        tp::SETUP_INSTRUCTIONS,
        4,
        ch::PRODUCT,
        None,
        "Set-up instructions",
    ),
    (tp::FOLLOW_UP_EMAIL, 4, ch::EMAIL, None, "Follow-up e-mail"),
    (tp::HELP_CENTER, 5, ch::WEB, None, "Help centre"),
    (tp::LIVE_CHAT, 5, ch::CHAT, None, "Live chat"),
    (tp::PHONE_SUPPORT, 5, ch::PHONE, None, "Phone support"),
    (tp::EMAIL_SUPPORT, 5, ch::EMAIL, HUMAN, "E-mail support"),
    (tp::COMPLAINT, 5, ch::EMAIL, HUMAN, "Complaint"),
    (tp::PRODUCT_RETURN, 5, ch::COURIER, None, "Product return"),
    (tp::REFUND, 5, ch::EMAIL, None, "Refund"),
    (tp::NPS_SURVEY, 6, ch::EMAIL, None, "NPS survey"),
    (tp::REVIEW_WRITTEN, 6, ch::WEB, None, "Review written"),
    (tp::LOYALTY_REWARD, 6, ch::EMAIL, None, "Loyalty reward"),
    (tp::NEWSLETTER, 6, ch::EMAIL, None, "Newsletter"),
    (tp::REFERRAL, 6, ch::WEB, None, "Referral"),
    (tp::BUY_AGAIN, 6, ch::MOBILE_APP, None, "Buy again"),
    (tp::APP_HOME, 6, ch::MOBILE_APP, None, "App home screen"),
];

/// Persona names used by the planted situations.
pub(crate) const OLDER: &str = "older_55_plus";
pub(crate) const MOBILE: &str = "mobile_shoppers";

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
            purchase: vec![tp::ORDER_PLACED.into(), tp::STORE_PURCHASE.into()],
            conversion: Some(tp::ORDER_PLACED.into()),
            repurchase_days: 180,
            churn_days: 180,
            promoter_min: 9.0,
            recommendation: vec![tp::REFERRAL.into()],
        },
        targets: Targets {
            wait_s: 120.0,
            service_level: 0.8,
            answer_within_s: 60.0,
            follow_up_days: 14,
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
        persona(
            OLDER,
            "Customers aged 55 and over",
            "age_band",
            &["55-64", "65+"],
        ),
        persona(
            "under_35",
            "Customers aged 18 to 34",
            "age_band",
            &["18-24", "25-34"],
        ),
        persona(
            MOBILE,
            "Customers who shop on a phone",
            "device",
            &["mobile"],
        ),
        persona(
            "desktop_shoppers",
            "Customers who shop on a computer",
            "device",
            &["desktop"],
        ),
        persona("gold_members", "Top loyalty tier", "tier", &["gold"]),
        persona("basic_members", "Entry loyalty tier", "tier", &["basic"]),
    ]
}

fn designed() -> Vec<DesignedStep> {
    let step = |touchpoint: &str, max_s: Option<f64>, optional: bool| DesignedStep {
        touchpoint: touchpoint.into(),
        max_s,
        optional,
    };
    let hour = 3_600.0;
    let day = 24.0 * hour;
    vec![
        step(tp::SEARCH_AD, None, true),
        step(tp::PRODUCT_PAGE, None, false),
        step(tp::CART, Some(day), false),
        step(tp::CHECKOUT, Some(hour), false),
        step(tp::ORDER_PLACED, Some(hour), false),
        step(tp::ORDER_CONFIRMATION_EMAIL, Some(600.0), false),
        step(tp::PARCEL_DELIVERY, Some(5.0 * day), false),
        step(tp::SETUP_INSTRUCTIONS, Some(2.0 * day), false),
        step(tp::FOLLOW_UP_EMAIL, Some(14.0 * day), false),
        step(tp::NPS_SURVEY, None, true),
        step(tp::BUY_AGAIN, None, true),
    ]
}
