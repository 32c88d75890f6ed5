//! The internet provider's plans, teams, queues and opening hours, and
//! the sentences its customers write.

use super::definition::{ch, tp};
use crate::contact::{Queue, Service, Team};
use crate::text::Topic;
use crate::time::{HourProfile, OpeningHours, Schedule};

#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) key: &'static str,
    pub(crate) name: &'static str,
    pub(crate) monthly_price: f64,
}

pub(crate) const COPPER: Plan = Plan {
    key: "copper_35",
    name: "Copper 35 broadband",
    monthly_price: 24.0,
};
pub(crate) const FIBRE_PLANS: [Plan; 3] = [
    Plan {
        key: "fibre_100",
        name: "Fibre 100 broadband",
        monthly_price: 29.0,
    },
    Plan {
        key: "fibre_500",
        name: "Fibre 500 broadband",
        monthly_price: 39.0,
    },
    Plan {
        key: "fibre_900",
        name: "Fibre 900 broadband",
        monthly_price: 55.0,
    },
];
pub(crate) const FIBRE_WEIGHTS: [u32; 3] = [45, 38, 17];

static TELESALES: Team = Team {
    name: "telesales",
    agents: &[
        "Aaron Bell",
        "Bianca Cruz",
        "Callum Reid",
        "Divya Nair",
        "Ewan Frost",
        "Farah Aziz",
    ],
    optimists: &[],
};
static BILLING: Team = Team {
    name: "billing",
    agents: &[
        "Gemma Lowe",
        "Harvey Quinn",
        "Imogen Shaw",
        "Jamal Bakr",
        "Keira Doyle",
        "Lewis Grant",
        "Megan Rhodes",
        "Nadia Haddad",
    ],
    optimists: &[],
};
static TECHNICAL: Team = Team {
    name: "technical",
    agents: &[
        "Oskar Lind",
        "Paige Turner",
        "Rahul Mehta",
        "Sian Pryce",
        "Tomasz Wojcik",
        "Una Byrne",
        "Victor Hale",
        "Wendy Cho",
        "Xavier Dunn",
        "Yara Saleh",
        "Zach Cooper",
        "Amira Hassan",
    ],
    optimists: &[],
};
pub(crate) static RETENTION: Team = Team {
    name: "retention",
    agents: &[
        "Bruno Silva",
        "Carla Mendes",
        "Declan Roche",
        "Esme Hart",
        "Felix Wong",
    ],
    optimists: &[],
};
pub(crate) static ENGINEERS: Team = Team {
    name: "field_engineers",
    agents: &[
        "Gareth Owen",
        "Hamza Iqbal",
        "Ian Fletcher",
        "Joel Barker",
        "Kyle Mason",
        "Liam Doherty",
        "Mark Ellis",
        "Neil Parry",
        "Owain Jones",
        "Ryan Cole",
    ],
    optimists: &[],
};
static COMPLAINTS_TEAM: Team = Team {
    name: "complaints",
    agents: &["Sabrina Voss", "Theo Marsh", "Ursula King"],
    optimists: &[],
};
static SHOP_STAFF: Team = Team {
    name: "shop_staff",
    agents: &["Vikram Rao", "Willa Berg", "Ximena Ruiz", "Yosef Adler"],
    optimists: &[],
};

pub(crate) static PHONE_HOURS: OpeningHours = OpeningHours {
    days: [
        (8, 20),
        (8, 20),
        (8, 20),
        (8, 20),
        (8, 20),
        (8, 20),
        (10, 16),
    ],
};
static CHAT_HOURS: OpeningHours = OpeningHours { days: [(8, 23); 7] };
static SHOP_HOURS: OpeningHours = OpeningHours {
    days: [(9, 18), (9, 18), (9, 18), (9, 18), (9, 18), (9, 18), (0, 0)],
};
pub(crate) static PHONE_PROFILE: HourProfile = [
    0, 0, 0, 0, 0, 0, 0, 0, 8, 12, 11, 9, 9, 8, 7, 7, 8, 10, 9, 6, 0, 0, 0, 0,
];
static CHAT_PROFILE: HourProfile = [
    0, 0, 0, 0, 0, 0, 0, 0, 4, 6, 7, 7, 8, 7, 6, 6, 7, 8, 9, 10, 10, 8, 5, 0,
];
static SHOP_PROFILE: HourProfile = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 7, 8, 8, 7, 8, 8, 6, 0, 0, 0, 0, 0, 0,
];
/// When people are online at home: evenings above all.
pub(crate) static HOME_PROFILE: HourProfile = [
    2, 1, 1, 1, 1, 1, 2, 4, 5, 5, 5, 6, 7, 6, 5, 5, 6, 8, 10, 12, 12, 10, 7, 4,
];

const fn realtime(
    name: &'static str,
    touchpoint: &'static str,
    channel: &'static str,
    team: &'static Team,
    schedule: Schedule<'static>,
    base_wait_s: f64,
    talk_median_s: f64,
) -> Queue {
    Queue {
        name,
        touchpoint,
        channel,
        team,
        schedule,
        service: Service::Realtime {
            base_wait_s,
            patience_s: 600.0,
        },
        spikes: &[],
        talk_median_s,
        written: matches!(channel.as_bytes(), b"chat"),
    }
}

const PHONE: Schedule<'static> = Schedule {
    hours: &PHONE_HOURS,
    profile: &PHONE_PROFILE,
    immediate: 0.4,
};
const CHAT: Schedule<'static> = Schedule {
    hours: &CHAT_HOURS,
    profile: &CHAT_PROFILE,
    immediate: 0.6,
};

pub(crate) static SALES_PHONE: Queue = realtime(
    "sales",
    tp::TELESALES_CALL,
    ch::PHONE,
    &TELESALES,
    PHONE,
    40.0,
    420.0,
);
pub(crate) static SHOP: Queue = realtime(
    "shop_floor",
    tp::SHOP_VISIT,
    ch::STORE,
    &SHOP_STAFF,
    Schedule {
        hours: &SHOP_HOURS,
        profile: &SHOP_PROFILE,
        immediate: 0.0,
    },
    90.0,
    600.0,
);
pub(crate) static BILLING_PHONE: Queue = realtime(
    "billing",
    tp::CALL_CENTRE,
    ch::PHONE,
    &BILLING,
    PHONE,
    60.0,
    360.0,
);
pub(crate) static BILLING_CHAT: Queue = realtime(
    "billing_chat",
    tp::WEB_CHAT,
    ch::CHAT,
    &BILLING,
    CHAT,
    40.0,
    480.0,
);
pub(crate) static TECH_PHONE: Queue = realtime(
    "technical",
    tp::CALL_CENTRE,
    ch::PHONE,
    &TECHNICAL,
    PHONE,
    75.0,
    540.0,
);
pub(crate) static TECH_CHAT: Queue = realtime(
    "tech_chat",
    tp::WEB_CHAT,
    ch::CHAT,
    &TECHNICAL,
    CHAT,
    45.0,
    600.0,
);
pub(crate) static CANCEL_PHONE: Queue = realtime(
    "cancellations",
    tp::CANCELLATION,
    ch::PHONE,
    &RETENTION,
    PHONE,
    90.0,
    480.0,
);
pub(crate) static COMPLAINTS: Queue = Queue {
    name: "complaints",
    touchpoint: tp::FORMAL_COMPLAINT,
    channel: ch::EMAIL,
    team: &COMPLAINTS_TEAM,
    schedule: Schedule {
        hours: &OpeningHours::ALWAYS,
        profile: &HOME_PROFILE,
        immediate: 0.7,
    },
    service: Service::Deferred {
        median_response_s: 48.0 * 3_600.0,
    },
    spikes: &[],
    talk_median_s: 1_200.0,
    written: true,
};

pub(crate) const SALES_QUESTION: Topic = Topic {
    positive: &["Can I keep my current number and email with {item}?"],
    neutral: &[
        "Is {item} available at my address?",
        "What is the minimum contract for {item}?",
        "Do I need an engineer visit for {item}?",
    ],
    negative: &["Your website will not tell me whether {item} is available here."],
};

pub(crate) const GUIDE: Topic = Topic {
    positive: &[
        "The quick start guide was clear, online in ten minutes.",
        "Easy set-up, great little guide.",
    ],
    neutral: &["Set-up was okay.", "The guide covers the basics."],
    negative: &[
        "The guide does not match the router I got.",
        "Confusing guide, the lights never turned green.",
    ],
};

pub(crate) const NO_SHOW: Topic = Topic {
    positive: &["Just checking the engineer is still coming for my {item} installation."],
    neutral: &[
        "I took the day off and the engineer never came to install {item}.",
        "Nobody turned up for my {item} installation appointment.",
    ],
    negative: &[
        "The engineer did not show up, nobody called, I wasted a day off work. Disgraceful.",
        "Second missed appointment for {item}. This is a shambles.",
    ],
};

pub(crate) const BILL_SHOCK: Topic = Topic {
    positive: &["Could you explain the charges on my first bill?"],
    neutral: &[
        "My first bill for {item} is far higher than the price I signed up for.",
        "Why does my first bill have a set-up fee and extra days on it?",
        "The first bill is double what I expected, please explain.",
    ],
    negative: &["I was quoted one price and billed almost double. Feels like a scam."],
};

pub(crate) const BILL_QUERY: Topic = Topic {
    positive: &["Quick question about my {item} bill."],
    neutral: &[
        "I think I was charged twice this month.",
        "Can I change the date my direct debit is taken?",
    ],
    negative: &["Wrong amount on my bill again."],
};

pub(crate) const APP_BROKEN: Topic = Topic {
    positive: &["The app will not let me log in, is there a known issue?"],
    neutral: &[
        "The app keeps showing an error when I try to log in.",
        "I cannot see my account in the app, it just spins.",
        "App login fails every time since the update.",
    ],
    negative: &["Your app has been broken for days and nobody says anything."],
};

pub(crate) const NO_INTERNET: Topic = Topic {
    positive: &["Internet dropped for a bit, can you check the line?"],
    neutral: &[
        "My {item} connection keeps dropping in the evening.",
        "No internet since this morning, the router light is red.",
        "Speeds are far below what {item} promises.",
    ],
    negative: &["No internet again. I work from home, this is costing me money."],
};

pub(crate) const CANCEL: Topic = Topic {
    positive: &["I am moving abroad and need to end my {item} contract."],
    neutral: &[
        "I would like to cancel {item} at the end of my contract.",
        "I found a cheaper deal elsewhere.",
    ],
    negative: &["I want to leave. Too many problems with {item}."],
};

pub(crate) const NPS: Topic = Topic {
    positive: &[
        "Fast, reliable internet and friendly support.",
        "Never had a problem, great value.",
    ],
    neutral: &[
        "It works most of the time.",
        "Average provider, average price.",
    ],
    negative: &[
        "Missed installation, surprise charges, slow support.",
        "The connection drops all the time and nobody fixes it.",
        "Billing is a mess and the app never works.",
    ],
};

/// Every queue of the contact centre and the shops, for the teams' hours.
pub(crate) static QUEUES: [&Queue; 8] = [
    &SALES_PHONE,
    &SHOP,
    &BILLING_PHONE,
    &BILLING_CHAT,
    &TECH_PHONE,
    &TECH_CHAT,
    &CANCEL_PHONE,
    &COMPLAINTS,
];
