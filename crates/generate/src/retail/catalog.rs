//! The retailer's products, contact-centre teams and queues, and the
//! sentences customers write about them.

use super::definition::{ch, tp};
use crate::contact::{Queue, Service, Spike, Team};
use crate::text::Topic;
use crate::time::{HourProfile, OpeningHours, Schedule};

#[derive(Debug)]
pub(crate) struct Product {
    pub(crate) key: &'static str,
    pub(crate) name: &'static str,
    pub(crate) category: &'static str,
    pub(crate) price: f64,
}

/// The category whose set-up instructions frustrate (planted situation).
pub(crate) const SMART_HOME: &str = "smart_home";

const fn product(
    key: &'static str,
    name: &'static str,
    category: &'static str,
    price: f64,
) -> Product {
    Product {
        key,
        name,
        category,
        price,
    }
}

pub(crate) const PRODUCTS: [Product; 18] = [
    product("tv_55_4k", "55-inch 4K TV", "tv_audio", 649.0),
    product("soundbar", "soundbar", "tv_audio", 229.0),
    product(
        "wireless_headphones",
        "wireless headphones",
        "tv_audio",
        149.0,
    ),
    product("laptop_14", "14-inch laptop", "computing", 899.0),
    product("monitor_27", "27-inch monitor", "computing", 279.0),
    product("inkjet_printer", "printer", "computing", 129.0),
    product("smart_thermostat", "smart thermostat", SMART_HOME, 199.0),
    product("video_doorbell", "video doorbell", SMART_HOME, 159.0),
    product("smart_hub", "smart home hub", SMART_HOME, 119.0),
    product("camera_kit", "security camera kit", SMART_HOME, 249.0),
    product("coffee_machine", "coffee machine", "kitchen", 349.0),
    product("air_fryer", "air fryer", "kitchen", 119.0),
    product("blender", "blender", "kitchen", 89.0),
    product("smartphone", "smartphone", "phones", 599.0),
    product("tablet_11", "11-inch tablet", "phones", 429.0),
    product("smartwatch", "smartwatch", "phones", 249.0),
    product("games_console", "games console", "gaming", 479.0),
    product("gaming_headset", "gaming headset", "gaming", 99.0),
];

/// Relative demand per product, in the order of [`PRODUCTS`]: smart-home
/// items make up about a fifth of orders.
pub(crate) const PRODUCT_WEIGHTS: [u32; 18] =
    [8, 7, 7, 7, 6, 5, 6, 5, 5, 4, 5, 5, 4, 7, 5, 6, 6, 4];

const CARE_AGENTS: &[&str] = &[
    "Alex Morgan",
    "Bea Hughes",
    "Carlos Diaz",
    "Dana Okafor",
    "Eli Brennan",
    "Fay Lindqvist",
    "Gus Patel",
    "Hana Sato",
    "Ivan Petrov",
    "Jade Collins",
    "Kofi Mensah",
    "Lena Fischer",
    "Marco Rossi",
    "Nina Kowalski",
    "Owen Price",
    "Pia Jensen",
    "Quinn Foster",
    "Rosa Alvarez",
];

/// The three care agents who close unsolved contacts as resolved.
pub(crate) const OPTIMISTS: &[&str] = &["Eli Brennan", "Kofi Mensah", "Quinn Foster"];

pub(crate) static CARE: Team = Team {
    name: "customer_care",
    agents: CARE_AGENTS,
    optimists: OPTIMISTS,
};
static EMAIL_CARE: Team = Team {
    name: "email_care",
    agents: &[
        "Sam Whitaker",
        "Tara Nolan",
        "Umar Siddiqui",
        "Vera Horvath",
        "Will Osei",
    ],
    optimists: &[],
};
static COMPLAINTS: Team = Team {
    name: "complaints",
    agents: &["Xenia Marsh", "Yusuf Karim", "Zoe Blackwood"],
    optimists: &[],
};
static SALES: Team = Team {
    name: "sales",
    agents: &[
        "Abby Chen",
        "Ben Adeyemi",
        "Cleo Martin",
        "Dev Sharma",
        "Emma Novak",
        "Finn Walsh",
    ],
    optimists: &[],
};
static STORE_STAFF: Team = Team {
    name: "store_staff",
    agents: &[
        "Gina Russo",
        "Hugo Lambert",
        "Iris Moreau",
        "Jon Eriksen",
        "Kim Tran",
        "Luca Bianchi",
        "Maya Levi",
        "Nico Santos",
    ],
    optimists: &[],
};

static PHONE_HOURS: OpeningHours = OpeningHours {
    days: [(8, 20), (8, 20), (8, 20), (8, 20), (8, 20), (9, 17), (0, 0)],
};
static CHAT_HOURS: OpeningHours = OpeningHours { days: [(8, 22); 7] };
static STORE_HOURS: OpeningHours = OpeningHours {
    days: [
        (9, 18),
        (9, 18),
        (9, 18),
        (9, 18),
        (9, 20),
        (9, 18),
        (10, 16),
    ],
};

static PHONE_PROFILE: HourProfile = [
    0, 0, 0, 0, 0, 0, 0, 0, 6, 12, 12, 9, 8, 8, 7, 7, 7, 10, 9, 5, 0, 0, 0, 0,
];
static CHAT_PROFILE: HourProfile = [
    0, 0, 0, 0, 0, 0, 0, 0, 4, 7, 8, 8, 9, 8, 7, 7, 7, 8, 8, 9, 9, 6, 0, 0,
];
static STORE_PROFILE: HourProfile = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 7, 9, 8, 8, 9, 9, 7, 5, 3, 0, 0, 0, 0,
];
/// When people browse and read e-mail: lunch and evening peaks.
pub(crate) static WEB_PROFILE: HourProfile = [
    2, 1, 1, 1, 1, 1, 2, 4, 6, 6, 6, 7, 9, 8, 6, 6, 6, 7, 9, 11, 12, 11, 8, 4,
];

const MONDAY: u8 = 0b000_0001;
const WEEKDAYS: u8 = 0b001_1111;

/// Mean phone waits outside the spikes and inside them (planted).
pub(crate) const PHONE_BASE_WAIT_S: f64 = 30.0;
pub(crate) const PHONE_SPIKE_WAIT_S: f64 = 540.0;
pub(crate) const PHONE_PATIENCE_S: f64 = 480.0;

static PHONE_SPIKES: [Spike; 2] = [
    Spike {
        weekdays: MONDAY,
        from_hour: 9,
        to_hour: 11,
        mean_wait_s: PHONE_SPIKE_WAIT_S,
    },
    Spike {
        weekdays: WEEKDAYS,
        from_hour: 17,
        to_hour: 19,
        mean_wait_s: PHONE_SPIKE_WAIT_S,
    },
];

pub(crate) static PHONE: Queue = Queue {
    name: "care_phone",
    touchpoint: tp::PHONE_SUPPORT,
    channel: ch::PHONE,
    team: &CARE,
    schedule: Schedule {
        hours: &PHONE_HOURS,
        profile: &PHONE_PROFILE,
        immediate: 0.3,
    },
    service: Service::Realtime {
        base_wait_s: PHONE_BASE_WAIT_S,
        patience_s: PHONE_PATIENCE_S,
    },
    spikes: &PHONE_SPIKES,
    talk_median_s: 330.0,
    written: false,
};

pub(crate) static CHAT: Queue = Queue {
    name: "care_chat",
    touchpoint: tp::LIVE_CHAT,
    channel: ch::CHAT,
    team: &CARE,
    schedule: Schedule {
        hours: &CHAT_HOURS,
        profile: &CHAT_PROFILE,
        immediate: 0.5,
    },
    service: Service::Realtime {
        base_wait_s: 25.0,
        patience_s: 600.0,
    },
    spikes: &[],
    talk_median_s: 540.0,
    written: true,
};

pub(crate) static EMAIL: Queue = Queue {
    name: "care_email",
    touchpoint: tp::EMAIL_SUPPORT,
    channel: ch::EMAIL,
    team: &EMAIL_CARE,
    schedule: Schedule {
        hours: &OpeningHours::ALWAYS,
        profile: &WEB_PROFILE,
        immediate: 0.6,
    },
    service: Service::Deferred {
        median_response_s: 5.0 * 3_600.0,
    },
    spikes: &[],
    talk_median_s: 420.0,
    written: true,
};

pub(crate) static COMPLAINT: Queue = Queue {
    name: "complaints",
    touchpoint: tp::COMPLAINT,
    channel: ch::EMAIL,
    team: &COMPLAINTS,
    schedule: Schedule {
        hours: &OpeningHours::ALWAYS,
        profile: &WEB_PROFILE,
        immediate: 0.6,
    },
    service: Service::Deferred {
        median_response_s: 30.0 * 3_600.0,
    },
    spikes: &[],
    talk_median_s: 900.0,
    written: true,
};

pub(crate) static SALES_CHAT: Queue = Queue {
    name: "sales_chat",
    touchpoint: tp::SALES_CHAT,
    channel: ch::CHAT,
    team: &SALES,
    schedule: Schedule {
        hours: &CHAT_HOURS,
        profile: &CHAT_PROFILE,
        immediate: 0.9,
    },
    service: Service::Realtime {
        base_wait_s: 15.0,
        patience_s: 400.0,
    },
    spikes: &[],
    talk_median_s: 300.0,
    written: true,
};

pub(crate) static STORE: Queue = Queue {
    name: "store_floor",
    touchpoint: tp::STORE_VISIT,
    channel: ch::STORE,
    team: &STORE_STAFF,
    schedule: Schedule {
        hours: &STORE_HOURS,
        profile: &STORE_PROFILE,
        immediate: 0.0,
    },
    service: Service::Realtime {
        base_wait_s: 45.0,
        patience_s: 1_200.0,
    },
    spikes: &[],
    talk_median_s: 600.0,
    written: false,
};

pub(crate) const DELIVERY: Topic = Topic {
    positive: &[
        "The {item} arrived a day early and the driver was lovely.",
        "Fast delivery, tracked all the way, arrived on time.",
        "Delivery was quick and the courier called ahead.",
    ],
    neutral: &[
        "The {item} arrived on the expected day.",
        "Delivery was okay, nothing to report.",
    ],
    negative: &[
        "The box was crushed and the {item} was damaged.",
        "Parcel left in the rain outside the door, the {item} box was soaked.",
        "Delivery was late and nobody told me.",
    ],
};

pub(crate) const PACKAGING_TOPIC: Topic = Topic {
    positive: &[
        "Nicely packed, easy to recycle.",
        "The packaging kept the {item} perfectly safe.",
    ],
    neutral: &[
        "Standard packaging.",
        "Lots of plastic but the {item} was fine.",
    ],
    negative: &[
        "Far too much plastic and polystyrene.",
        "Flimsy packaging, the {item} was rattling around.",
    ],
};

pub(crate) const SETUP: Topic = Topic {
    positive: &[
        "Set-up was easy, the instructions were clear and it worked in minutes.",
        "The quick start guide was simple to follow.",
        "Plugged in the {item}, followed three steps, done.",
    ],
    neutral: &[
        "Set-up took a while but I got there.",
        "The instructions were okay once I found the app.",
    ],
    negative: &[
        "The instructions for the {item} are confusing and skip half the steps.",
        "Spent three hours trying to set up the {item}, the manual makes no sense.",
        "Pairing the {item} with the app failed again and again, the instructions are useless.",
        "The set-up guide is unclear and the diagrams do not match the {item}.",
    ],
};

pub(crate) const SETUP_HELP: Topic = Topic {
    positive: &["Quick question about setting up the {item}."],
    neutral: &[
        "I cannot get the {item} set up, the instructions are unclear.",
        "How do I connect the {item} to the app? The guide does not say.",
        "The set-up instructions for the {item} stop at step 4, what next?",
    ],
    negative: &["The {item} instructions are confusing and I am stuck."],
};

pub(crate) const DAMAGED: Topic = Topic {
    positive: &["Item arrived damaged, hoping for a quick replacement."],
    neutral: &[
        "My {item} arrived damaged, please arrange a replacement.",
        "The {item} screen is cracked out of the box.",
    ],
    negative: &["The {item} arrived broken and I want my money back."],
};

pub(crate) const LATE: Topic = Topic {
    positive: &["Just checking on my order of the {item}."],
    neutral: &[
        "Where is my order? The {item} was due yesterday.",
        "Tracking has not updated for the {item} in days.",
    ],
    negative: &["My {item} is late again and nobody answers."],
};

pub(crate) const FAULT: Topic = Topic {
    positive: &["Small issue with my {item}, probably easy to fix."],
    neutral: &[
        "My {item} keeps switching itself off.",
        "The {item} stopped charging after two weeks.",
        "The {item} has a fault, what are my options?",
    ],
    negative: &["The {item} broke after a month, really poor quality."],
};

pub(crate) const RETURN: Topic = Topic {
    positive: &["I would like to return the {item}, it is just not for me."],
    neutral: &[
        "How do I return the {item}?",
        "Please send a returns label for the {item}.",
    ],
    negative: &["The {item} is not what was described, I want to return it."],
};

pub(crate) const REFUND_TOPIC: Topic = Topic {
    positive: &["Just checking when the refund for the {item} will arrive."],
    neutral: &[
        "I sent the {item} back two weeks ago and still have no refund.",
        "Where is my refund for the returned {item}?",
    ],
    negative: &["Still no refund for the {item}. This is unacceptable."],
};

pub(crate) const ADVICE: Topic = Topic {
    positive: &["Which {item} would you recommend for a small flat?"],
    neutral: &[
        "Is the {item} compatible with my current setup?",
        "Do you have the {item} in stock for collection?",
        "What is the warranty on the {item}?",
    ],
    negative: &["Your website does not say whether the {item} works with my system."],
};

pub(crate) const REVIEW: Topic = Topic {
    positive: &[
        "The {item} is brilliant, exactly what I wanted.",
        "Great value, the {item} works perfectly.",
        "Superb {item}, great quality and easy to use.",
    ],
    neutral: &["The {item} does the job.", "Decent {item} for the price."],
    negative: &[
        "The {item} is poor quality and the set-up was a nightmare.",
        "Would not buy this {item} again.",
        "The {item} stopped working and support was useless.",
    ],
};

pub(crate) const NPS: Topic = Topic {
    positive: &[
        "Great prices and fast delivery.",
        "Always a smooth experience, I tell all my friends.",
        "Helpful staff and easy returns.",
    ],
    neutral: &[
        "Prices are fine, service is average.",
        "It is a shop, it sells things.",
    ],
    negative: &[
        "Too many problems with my last order.",
        "Support never solves anything.",
        "Long waits on the phone and unclear instructions.",
    ],
};

/// Every queue of the contact centre and the store, for the teams' hours.
pub(crate) static QUEUES: [&Queue; 6] = [&PHONE, &CHAT, &EMAIL, &COMPLAINT, &SALES_CHAT, &STORE];
