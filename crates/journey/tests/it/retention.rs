//! The return-journey kernels against references that apply each
//! definition literally, customer by customer and period by period, with
//! period numbers from the calendar functions rather than the kernels'
//! period ranges; the journeys are split over random partials merged in
//! random order.

use crate::common::{assert_same_json, catalog, plan, run_split};
use journey::owned::OwnedJourney;
use journey::retention::calendar::{DAY_US, date_string, day_of};
use journey::retention::{
    ALL_CUSTOMERS, Cohort, CustomerPoorExperiences, CustomerPurchases, LifecycleAccumulator,
    LifecycleGroup, LifecyclePeriod, LifecycleReport, LifecycleSpec, NewCustomer, Period,
    PeriodSpec, PersonaSpec, PoorExperience, PoorExperienceAccumulator, PoorExperienceSpec,
    PoorExperiences, PurchaseHistories, PurchaseHistoryAccumulator, PurchaseHistorySpec,
    RepeatAccumulator, RepeatGroup, RepeatReport, RepeatSpec, RepurchaseTimes,
    RetentionAccumulator, RetentionGroup, RetentionReference, RetentionReport, RetentionSpec,
    RetentionType, StickinessAccumulator, StickinessGroup, StickinessPeriod, StickinessReport,
    StickinessSpec,
};
use journey::stats::{Summary, quantile_sorted};
use journey::value::Purchase;
use model::TouchpointId;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// 2024-01-01T00:00:00Z, a Monday.
const DAY0_US: i64 = 19_723 * DAY_US;
const HOUR_US: i64 = 3_600_000_000;

fn names() -> Vec<String> {
    journey::funnel::catalog_names(&catalog())
}

/// Gaps from none to several days, so that journeys span days, weeks and
/// months, with same-day repeats.
fn gap_us() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0_i64),
        0_i64..6 * HOUR_US,
        0_i64..3 * DAY_US,
        0_i64..20 * DAY_US
    ]
}

/// Up to 30 journeys of up to 10 events at six touchpoints, starting up to
/// 40 days before or after 2024-01-01, with emotions on a grid and values.
fn journeys() -> impl Strategy<Value = Vec<OwnedJourney>> {
    let emotion = prop_oneof![Just(f32::NAN), (-4_i8..=4).prop_map(|k| f32::from(k) / 4.0)];
    let value = prop_oneof![Just(f64::NAN), (0_u8..50).prop_map(f64::from)];
    let event = (gap_us(), 0_u32..6, emotion, value);
    let journey = (
        0_u64..8,
        -40 * DAY_US..40 * DAY_US,
        prop::collection::vec(event, 0..10),
    );
    prop::collection::vec(journey, 0..30).prop_map(|journeys| {
        (journeys.into_iter().enumerate())
            .map(|(i, (personas, start_us, events))| {
                // Customer keys out of order, so that sorting matters.
                let mut journey = OwnedJourney::new((i as u64 * 7919) % 101, personas);
                let mut ts_us = DAY0_US + start_us;
                for (gap_us, touchpoint, emotion, value) in events {
                    ts_us += gap_us;
                    journey.push(ts_us, TouchpointId(touchpoint), emotion);
                    journey.facts.value.push(value);
                }
                journey
            })
            .collect()
    })
}

fn touchpoint_set() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set(0_usize..6, 0..3)
        .prop_map(|ids| ids.into_iter().map(|id| names()[id].clone()).collect())
}

fn periods() -> impl Strategy<Value = PeriodSpec> {
    let period = prop_oneof![Just(Period::Day), Just(Period::Week), Just(Period::Month)];
    (period, -20 * DAY_US..20 * DAY_US, 1_usize..7).prop_map(|(period, from_us, n_periods)| {
        PeriodSpec {
            period,
            from_us: DAY0_US + from_us,
            n_periods,
        }
    })
}

/// Persona 1 and persona 0, in that order, so the group order follows the
/// spec and not the bits.
fn personas() -> Vec<PersonaSpec> {
    vec![
        PersonaSpec {
            name: "p1".into(),
            bit: 1,
        },
        PersonaSpec {
            name: "p0".into(),
            bit: 0,
        },
    ]
}

/// The groups as (name, members).
fn groups(journeys: &[OwnedJourney]) -> Vec<(String, Vec<&OwnedJourney>)> {
    let mut groups = vec![(ALL_CUSTOMERS.to_string(), journeys.iter().collect())];
    for persona in personas() {
        let members = (journeys.iter())
            .filter(|j| j.personas & (1 << persona.bit) != 0)
            .collect();
        groups.push((persona.name, members));
    }
    groups
}

/// A journey's events as (period index relative to the spec's first
/// period, touchpoint name, ts).
fn events<'a>(
    journey: &'a OwnedJourney,
    periods: &PeriodSpec,
) -> impl Iterator<Item = (i64, String, i64)> + 'a {
    let first = periods.period.number_of(periods.from_us);
    let period = periods.period;
    let names = names();
    (journey.ts_us.iter().zip(&journey.touchpoint)).map(move |(&ts_us, &t)| {
        (
            period.number_of(ts_us) - first,
            names[t.index()].clone(),
            ts_us,
        )
    })
}

/// Whether `name` is in `set` (empty: any).
fn selected(set: &[String], name: &str) -> bool {
    set.is_empty() || set.iter().any(|s| s == name)
}

fn period_start_us(periods: &PeriodSpec, k: usize) -> i64 {
    let first = periods.period.number_of(periods.from_us);
    periods.period.start_us(first + k as i64)
}

fn retention_reference(journeys: &[OwnedJourney], spec: &RetentionSpec) -> RetentionReport {
    let n = spec.periods.n_periods as i64;
    let in_cohort = |journey: &OwnedJourney, c: i64| {
        let mut starts = events(journey, &spec.periods).filter(|e| selected(&spec.start, &e.1));
        match spec.retention_type {
            RetentionType::FirstTime => starts.next().is_some_and(|e| e.0 == c),
            RetentionType::Recurring => starts.any(|e| e.0 == c),
        }
    };
    let returned = |journey: &OwnedJourney, period: i64| {
        let mut returns =
            events(journey, &spec.periods).filter(|e| selected(&spec.returning, &e.1));
        if spec.cumulative {
            returns.any(|e| e.0 >= period && e.0 < n)
        } else {
            returns.any(|e| e.0 == period)
        }
    };
    let groups = (groups(journeys).into_iter())
        .map(|(group, members)| {
            let cohorts = (0..n)
                .map(|c| {
                    let cohort: Vec<&&OwnedJourney> =
                        members.iter().filter(|j| in_cohort(j, c)).collect();
                    let values: Vec<u64> = (0..n - c)
                        .map(|k| {
                            let back = cohort.iter().filter(|j| k == 0 || returned(j, c + k));
                            back.count() as u64
                        })
                        .collect();
                    let shares = (0..values.len())
                        .map(|k| {
                            let divisor = match (spec.reference, k) {
                                (RetentionReference::Previous, 1..) => values[k - 1],
                                _ => values[0],
                            };
                            (divisor > 0).then(|| values[k] as f64 / divisor as f64)
                        })
                        .collect();
                    let start_us = period_start_us(&spec.periods, c as usize);
                    Cohort {
                        cohort_start_us: start_us,
                        cohort_start: date_string(start_us),
                        size: values[0],
                        values,
                        shares,
                    }
                })
                .collect();
            RetentionGroup { group, cohorts }
        })
        .collect();
    RetentionReport {
        period: spec.periods.period,
        retention_type: spec.retention_type,
        cumulative: spec.cumulative,
        reference: spec.reference,
        groups,
    }
}

fn lifecycle_reference(journeys: &[OwnedJourney], spec: &LifecycleSpec) -> LifecycleReport {
    let n = spec.periods.n_periods;
    let groups = (groups(journeys).into_iter())
        .map(|(group, members)| {
            let mut periods: Vec<LifecyclePeriod> = (0..n)
                .map(|k| {
                    let start_us = period_start_us(&spec.periods, k);
                    LifecyclePeriod {
                        period_start_us: start_us,
                        period_start: date_string(start_us),
                        new: 0,
                        returning: 0,
                        resurrecting: 0,
                        dormant: 0,
                    }
                })
                .collect();
            for journey in members {
                let all: Vec<(i64, String, i64)> = events(journey, &spec.periods).collect();
                let matching: Vec<&(i64, String, i64)> = all
                    .iter()
                    .filter(|e| selected(&spec.touchpoints, &e.1))
                    .collect();
                let Some(first_active) = matching.first() else {
                    continue;
                };
                let first = match spec.new_customer {
                    NewCustomer::FirstSeen => all[0].0,
                    NewCustomer::FirstActive => first_active.0,
                };
                let active = |k: i64| matching.iter().any(|e| e.0 == k);
                for (k, period) in periods.iter_mut().enumerate() {
                    let k = k as i64;
                    match (active(k), active(k - 1)) {
                        (true, _) if k == first => period.new += 1,
                        (true, true) => period.returning += 1,
                        (true, false) => period.resurrecting += 1,
                        (false, true) => period.dormant += 1,
                        (false, false) => {}
                    }
                }
            }
            LifecycleGroup { group, periods }
        })
        .collect();
    LifecycleReport {
        period: spec.periods.period,
        new_customer: spec.new_customer,
        groups,
    }
}

fn stickiness_reference(journeys: &[OwnedJourney], spec: &StickinessSpec) -> StickinessReport {
    let n = spec.periods.n_periods;
    let groups = (groups(journeys).into_iter())
        .map(|(group, members)| {
            let periods = (0..n)
                .map(|k| {
                    let start_us = period_start_us(&spec.periods, k);
                    let days =
                        ((period_start_us(&spec.periods, k + 1) - start_us) / DAY_US) as usize;
                    let mut histogram = vec![0; days];
                    for journey in &members {
                        let active_days: BTreeSet<i64> = events(journey, &spec.periods)
                            .filter(|e| e.0 == k as i64 && selected(&spec.touchpoints, &e.1))
                            .map(|e| day_of(e.2))
                            .collect();
                        if !active_days.is_empty() {
                            histogram[active_days.len() - 1] += 1;
                        }
                    }
                    StickinessPeriod {
                        period_start_us: start_us,
                        period_start: date_string(start_us),
                        days,
                        customers: histogram.iter().sum(),
                        customers_by_active_days: histogram,
                    }
                })
                .collect();
            StickinessGroup { group, periods }
        })
        .collect();
    StickinessReport {
        period: spec.periods.period,
        groups,
    }
}

/// Purchase touchpoint t2, referral t5, loyalty stage s1 (t2, t4),
/// advocacy stage s2 (t3).
fn repeat_spec() -> RepeatSpec {
    RepeatSpec {
        purchase: vec!["t2".into()],
        referral: vec!["t5".into()],
        stage_of: RepeatSpec::stages_of(&catalog()),
        loyalty_stage: Some(1),
        advocacy_stage: Some(2),
        personas: personas(),
    }
}

fn repeat_reference(journeys: &[OwnedJourney]) -> RepeatReport {
    let spec = repeat_spec();
    let groups = (groups(journeys).into_iter())
        .map(|(group, members)| {
            let members: Vec<&OwnedJourney> = members
                .into_iter()
                .filter(|j| !j.ts_us.is_empty())
                .collect();
            let customers = members.len() as u64;
            let (mut purchasers, mut repeat, mut purchase_days) = (0, 0, 0);
            let (mut loyal, mut advocates, mut referrals, mut referring) = (0, 0, 0, 0);
            let mut times_days = Vec::new();
            for journey in &members {
                let named: Vec<(i64, String, i64)> = events(
                    journey,
                    &PeriodSpec {
                        period: Period::Day,
                        from_us: 0,
                        n_periods: 1,
                    },
                )
                .collect();
                let purchases: Vec<i64> =
                    named.iter().filter(|e| e.1 == "t2").map(|e| e.2).collect();
                let days: BTreeSet<i64> = purchases.iter().map(|&ts| day_of(ts)).collect();
                purchasers += u64::from(!days.is_empty());
                repeat += u64::from(days.len() >= 2);
                purchase_days += days.len() as u64;
                if let Some(&first) = purchases.first()
                    && let Some(&again) = purchases.iter().find(|&&ts| day_of(ts) > day_of(first))
                {
                    times_days.push((again - first) as f64 / DAY_US as f64);
                }
                let stage = |name: &str| {
                    spec.stage_of[names().iter().position(|n| n == name).expect("known")]
                };
                loyal += u64::from(named.iter().any(|e| stage(&e.1) == 1));
                advocates += u64::from(named.iter().any(|e| stage(&e.1) == 2));
                let refs = named.iter().filter(|e| e.1 == "t5").count() as u64;
                referrals += refs;
                referring += u64::from(refs > 0);
            }
            let share = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
            let time_to_repurchase = Summary::of(&mut times_days).map(|days| RepurchaseTimes {
                days,
                p25_days: quantile_sorted(&times_days, 0.25).expect("values"),
                p75_days: quantile_sorted(&times_days, 0.75).expect("values"),
            });
            RepeatGroup {
                group,
                customers,
                purchasers,
                repeat_purchasers: repeat,
                repurchase_rate: share(repeat, purchasers),
                purchase_days,
                time_to_repurchase,
                loyalty_customers: loyal,
                loyalty_share: share(loyal, customers),
                advocacy_customers: advocates,
                advocacy_share: share(advocates, customers),
                referrals,
                referring_customers: referring,
                referring_share: share(referring, customers),
            }
        })
        .collect();
    RepeatReport { groups }
}

fn purchases_reference(journeys: &[OwnedJourney]) -> PurchaseHistories {
    let mut customers: Vec<CustomerPurchases> = Vec::new();
    for journey in journeys {
        let mut purchases: Vec<Purchase> = Vec::new();
        for ((&ts_us, &t), &value) in
            (journey.ts_us.iter().zip(&journey.touchpoint)).zip(&journey.facts.value)
        {
            if !matches!(t.index(), 2 | 3) {
                continue;
            }
            let value = if value.is_nan() { 0.0 } else { value };
            match purchases
                .iter_mut()
                .find(|p| day_of(p.ts_us) == day_of(ts_us))
            {
                Some(day) => day.value += value,
                None => purchases.push(Purchase { ts_us, value }),
            }
        }
        if !purchases.is_empty() {
            customers.push(CustomerPurchases {
                customer: journey.customer,
                purchases,
            });
        }
    }
    customers.sort_by_key(|c| c.customer);
    PurchaseHistories { customers }
}

fn poor_reference(journeys: &[OwnedJourney], keep_last: usize) -> PoorExperiences {
    let names = names();
    let mut customers: Vec<CustomerPoorExperiences> = (journeys.iter())
        .filter_map(|journey| {
            let poor: Vec<PoorExperience> = (0..journey.ts_us.len())
                .filter(|&i| journey.emotion[i] < -0.3)
                .map(|i| PoorExperience {
                    touchpoint: names[journey.touchpoint[i].index()].clone(),
                    ts_us: journey.ts_us[i],
                    emotion: journey.emotion[i],
                })
                .collect();
            let count = poor.len();
            (count > 0).then(|| CustomerPoorExperiences {
                customer: journey.customer,
                poor_experiences: count as u64,
                last: poor[count.saturating_sub(keep_last)..].to_vec(),
            })
        })
        .collect();
    customers.sort_by_key(|c| c.customer);
    PoorExperiences { customers }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn split_and_merged_retention_equals_reference(
        journeys in journeys(),
        plan in plan(),
        start in touchpoint_set(),
        returning in touchpoint_set(),
        first_time in any::<bool>(),
        cumulative in any::<bool>(),
        previous in any::<bool>(),
        periods in periods(),
    ) {
        let spec = RetentionSpec {
            start,
            returning,
            retention_type: if first_time { RetentionType::FirstTime } else { RetentionType::Recurring },
            periods,
            cumulative,
            reference: if previous { RetentionReference::Previous } else { RetentionReference::Total },
            personas: personas(),
        };
        let query = spec.validate(&names()).expect("valid spec");
        let actual = run_split(&journeys, &plan, || RetentionAccumulator::new(&query));
        assert_same_json(&actual, &retention_reference(&journeys, &spec));
    }

    #[test]
    fn split_and_merged_lifecycle_equals_reference(
        journeys in journeys(),
        plan in plan(),
        touchpoints in touchpoint_set(),
        first_seen in any::<bool>(),
        periods in periods(),
    ) {
        let spec = LifecycleSpec {
            touchpoints,
            periods,
            new_customer: if first_seen { NewCustomer::FirstSeen } else { NewCustomer::FirstActive },
            personas: personas(),
        };
        let query = spec.validate(&names()).expect("valid spec");
        let actual = run_split(&journeys, &plan, || LifecycleAccumulator::new(&query));
        assert_same_json(&actual, &lifecycle_reference(&journeys, &spec));
    }

    #[test]
    fn split_and_merged_stickiness_equals_reference(
        journeys in journeys(),
        plan in plan(),
        touchpoints in touchpoint_set(),
        periods in periods(),
    ) {
        let spec = StickinessSpec { touchpoints, periods, personas: personas() };
        let query = spec.validate(&names()).expect("valid spec");
        let actual = run_split(&journeys, &plan, || StickinessAccumulator::new(&query));
        assert_same_json(&actual, &stickiness_reference(&journeys, &spec));
    }

    #[test]
    fn split_and_merged_repeat_equals_reference(journeys in journeys(), plan in plan()) {
        let query = repeat_spec().validate(&names()).expect("valid spec");
        let actual = run_split(&journeys, &plan, || RepeatAccumulator::new(&query));
        assert_same_json(&actual, &repeat_reference(&journeys));
    }

    #[test]
    fn split_and_merged_histories_equal_reference(
        journeys in journeys(),
        plan in plan(),
        keep_last in 1_usize..4,
    ) {
        let spec = PurchaseHistorySpec { purchase: vec!["t2".into(), "t3".into()] };
        let query = spec.validate(&names()).expect("valid spec");
        let actual = run_split(&journeys, &plan, || PurchaseHistoryAccumulator::new(&query));
        // Exact equality: values are whole numbers, sums are exact.
        prop_assert_eq!(&actual, &purchases_reference(&journeys));
        let spec = PoorExperienceSpec { threshold: -0.3, keep_last };
        let query = spec.validate(&names()).expect("valid spec");
        let actual = run_split(&journeys, &plan, || PoorExperienceAccumulator::new(&query));
        assert_same_json(&actual, &poor_reference(&journeys, keep_last));
    }
}
