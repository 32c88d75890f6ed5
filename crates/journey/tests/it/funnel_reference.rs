//! A naive funnel, written as plainly as possible to check the kernel:
//! enumerate every chain by brute force, pick the counted chain by its
//! defining order, and tally with plain collections and plain statistics.

use crate::funnel_paths_support::OwnedJourney;
use journey::funnel::{
    Attribution, BreakdownFunnel, DurationStats, FunnelOrder, FunnelResult, FunnelSpec,
    FunnelStepResult, HistogramBin,
};

const NONE: u32 = u32::MAX;

/// (position, step) pairs in journey order.
type Chain = Vec<(usize, usize)>;

fn matches(
    spec: &FunnelSpec,
    names: &[String],
    step: usize,
    journey: &OwnedJourney,
    pos: usize,
) -> bool {
    // Ids beyond the names are touchpoints the spec cannot name: no step.
    names
        .get(journey.touchpoint[pos].0 as usize)
        .is_some_and(|name| spec.steps[step].touchpoints.contains(name))
}

fn link_ok(
    spec: &FunnelSpec,
    names: &[String],
    journey: &OwnedJourney,
    chain: &Chain,
    pos: usize,
    step: usize,
) -> bool {
    let ts = &journey.ts_us;
    let (last_pos, last_step) = *chain.last().unwrap();
    let in_window = ts[pos] - ts[chain[0].0] <= spec.window_us;
    let in_step_window = match spec.steps[step].window_us {
        Some(window) => ts[pos] - ts[last_pos] <= window,
        None => true,
    };
    let strict_ok = spec.order != FunnelOrder::Strict
        || (last_pos + 1..pos).all(|between| matches(spec, names, last_step, journey, between));
    in_window && in_step_window && strict_ok
}

fn extend(
    spec: &FunnelSpec,
    names: &[String],
    journey: &OwnedJourney,
    chain: Chain,
    out: &mut Vec<Chain>,
) {
    out.push(chain.clone());
    let (last_pos, last_step) = *chain.last().unwrap();
    for next in last_step + 1..spec.steps.len() {
        for pos in last_pos + 1..journey.ts_us.len() {
            if matches(spec, names, next, journey, pos)
                && link_ok(spec, names, journey, &chain, pos, next)
            {
                let mut longer = chain.clone();
                longer.push((pos, next));
                extend(spec, names, journey, longer, out);
            }
        }
        if !spec.steps[next].optional {
            break;
        }
    }
}

/// The counted chain of an ordered or strict funnel: furthest step, then
/// the earliest completion, the latest start, and backwards the higher
/// step and earlier event of each predecessor.
fn ordered_chain(spec: &FunnelSpec, names: &[String], journey: &OwnedJourney) -> Chain {
    let mut all = Vec::new();
    for pos in 0..journey.ts_us.len() {
        if matches(spec, names, 0, journey, pos) {
            extend(spec, names, journey, vec![(pos, 0)], &mut all);
        }
    }
    let Some(furthest) = all.iter().map(|chain| chain.last().unwrap().1).max() else {
        return Vec::new();
    };
    let key = |chain: &Chain| {
        let mut key = vec![chain.last().unwrap().0 as i64, -(chain[0].0 as i64)];
        for &(pos, step) in chain[..chain.len() - 1].iter().rev() {
            key.push(-(step as i64));
            key.push(pos as i64);
        }
        key
    };
    all.into_iter()
        .filter(|chain| chain.last().unwrap().1 == furthest)
        .min_by_key(key)
        .unwrap()
}

fn step_of(
    spec: &FunnelSpec,
    names: &[String],
    journey: &OwnedJourney,
    pos: usize,
) -> Option<usize> {
    (0..spec.steps.len()).find(|&step| matches(spec, names, step, journey, pos))
}

/// Unordered: the most distinct steps in any window, then the first event
/// reaching that many with the latest event of each step.
fn unordered_chain(spec: &FunnelSpec, names: &[String], journey: &OwnedJourney) -> Chain {
    let ts = &journey.ts_us;
    let n = ts.len();
    let mut level = 0;
    for first in 0..n {
        for last in first..n {
            if ts[last] - ts[first] <= spec.window_us {
                let mut steps: Vec<usize> = (first..=last)
                    .filter_map(|pos| step_of(spec, names, journey, pos))
                    .collect();
                steps.sort();
                steps.dedup();
                level = level.max(steps.len());
            }
        }
    }
    for last in 0..n {
        if step_of(spec, names, journey, last).is_none() {
            continue;
        }
        let mut chosen: Vec<usize> = Vec::new();
        for step in 0..spec.steps.len() {
            let latest = (0..=last)
                .rev()
                .find(|&pos| step_of(spec, names, journey, pos) == Some(step));
            if let Some(pos) = latest.filter(|&pos| ts[last] - ts[pos] <= spec.window_us) {
                chosen.push(pos);
            }
        }
        if chosen.len() == level {
            chosen.sort();
            return chosen
                .into_iter()
                .enumerate()
                .map(|(rank, pos)| (pos, rank))
                .collect();
        }
    }
    Vec::new()
}

fn is_excluded(spec: &FunnelSpec, names: &[String], journey: &OwnedJourney, chain: &Chain) -> bool {
    let ts = &journey.ts_us;
    let last_step = chain.last().unwrap().1;
    spec.exclusions.iter().any(|exclusion| {
        let (from, to) = (exclusion.from_step - 1, exclusion.to_step - 1);
        let excluded_event = |pos: usize| {
            names
                .get(journey.touchpoint[pos].0 as usize)
                .is_some_and(|n| exclusion.touchpoints.contains(n))
        };
        let Some(&(from_pos, _)) = chain.iter().find(|(_, step)| *step == from) else {
            return false;
        };
        match chain.iter().find(|(_, step)| *step == to) {
            Some(&(to_pos, _)) => (from_pos + 1..to_pos).any(excluded_event),
            None if last_step < to => (from_pos + 1..ts.len())
                .any(|pos| excluded_event(pos) && ts[pos] - ts[chain[0].0] <= spec.window_us),
            None => false,
        }
    })
}

fn breakdown_value(spec: &FunnelSpec, journey: &OwnedJourney, chain: &Chain) -> u32 {
    let Some(breakdown) = &spec.breakdown else {
        return 0;
    };
    let pos = match breakdown.attribution {
        Attribution::FirstTouch => Some(chain[0].0),
        Attribution::LastTouch => Some(chain.last().unwrap().0),
        Attribution::Step(step) => chain
            .iter()
            .find(|(_, s)| *s == step - 1)
            .map(|(pos, _)| *pos),
    };
    match pos {
        Some(pos) if (journey.breakdown[pos] as usize) < breakdown.names.len() => {
            journey.breakdown[pos]
        }
        _ => NONE,
    }
}

#[derive(Debug, Clone, Default)]
struct Tally {
    reached: Vec<Vec<u64>>,
    dropped: Vec<Vec<u64>>,
    from_previous: Vec<Vec<i64>>,
    from_start: Vec<Vec<i64>>,
}

impl Tally {
    fn new(n_steps: usize) -> Tally {
        Tally {
            reached: vec![Vec::new(); n_steps],
            dropped: vec![Vec::new(); n_steps],
            from_previous: vec![Vec::new(); n_steps],
            from_start: vec![Vec::new(); n_steps],
        }
    }

    fn add(&mut self, other: &Tally) {
        for step in 0..self.reached.len() {
            self.reached[step].extend(&other.reached[step]);
            self.dropped[step].extend(&other.dropped[step]);
            self.from_previous[step].extend(&other.from_previous[step]);
            self.from_start[step].extend(&other.from_start[step]);
        }
    }
}

fn previous_mandatory(spec: &FunnelSpec, step: usize) -> usize {
    (0..step)
        .rev()
        .find(|&earlier| !spec.steps[earlier].optional)
        .unwrap_or(0)
}

fn tally_customer(spec: &FunnelSpec, journey: &OwnedJourney, chain: &Chain, tally: &mut Tally) {
    let last_step = chain.last().unwrap().1;
    let reached: Vec<bool> = (0..spec.steps.len())
        .map(|step| {
            let mandatory_passed =
                spec.order == FunnelOrder::Unordered || !spec.steps[step].optional;
            (mandatory_passed && step <= last_step) || chain.iter().any(|(_, s)| *s == step)
        })
        .collect();
    for step in 0..spec.steps.len() {
        if reached[step] {
            tally.reached[step].push(journey.customer);
        } else if step > 0 && reached[previous_mandatory(spec, step)] {
            tally.dropped[step].push(journey.customer);
        }
    }
    let ts = &journey.ts_us;
    for idx in 1..chain.len() {
        let (pos, step) = chain[idx];
        tally.from_previous[step].push(ts[pos] - ts[chain[idx - 1].0]);
        tally.from_start[step].push(ts[pos] - ts[chain[0].0]);
    }
}

fn quantile(sorted: &[i64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let low = sorted[below] as f64;
    (low + (sorted[above] as f64 - low) * (position - below as f64)) / 1e6
}

pub fn stats(mut values: Vec<i64>, bins: usize) -> DurationStats {
    values.sort();
    if values.is_empty() {
        return DurationStats {
            count: 0,
            mean_s: None,
            median_s: None,
            p90_s: None,
            histogram: vec![],
        };
    }
    let sum: i128 = values.iter().map(|&v| v as i128).sum();
    let min = values[0] as i128;
    let span = values[values.len() - 1] as i128 - min;
    let width = ((span + 1) + bins as i128 - 1) / bins as i128;
    let histogram = (0..bins)
        .map(|bin| {
            let from = min + bin as i128 * width;
            let count = values
                .iter()
                .filter(|&&v| (v as i128) >= from && (v as i128) < from + width)
                .count();
            HistogramBin {
                from_s: from as f64 / 1e6,
                to_s: (from + width) as f64 / 1e6,
                count: count as u64,
            }
        })
        .collect();
    DurationStats {
        count: values.len() as u64,
        mean_s: Some(sum as f64 / values.len() as f64 / 1e6),
        median_s: Some(quantile(&values, 0.5)),
        p90_s: Some(quantile(&values, 0.9)),
        histogram,
    }
}

fn smallest(keys: &[u64], limit: usize) -> Vec<u64> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys.truncate(limit);
    keys
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn steps_of(spec: &FunnelSpec, tally: &Tally) -> Vec<FunnelStepResult> {
    let count = |step: usize| tally.reached[step].len();
    (0..spec.steps.len())
        .map(|step| {
            let mut names: Vec<&str> = Vec::new();
            for name in &spec.steps[step].touchpoints {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
            let previous = if step == 0 {
                count(0)
            } else {
                count(previous_mandatory(spec, step))
            };
            FunnelStepResult {
                touchpoint: names.join("|"),
                optional: spec.steps[step].optional,
                customers: count(step) as u64,
                conversion: ratio(count(step), count(0)),
                conversion_from_previous: ratio(count(step), previous),
                drop_off: tally.dropped[step].len() as u64,
                from_previous: stats(tally.from_previous[step].clone(), spec.histogram_bins),
                from_start: stats(tally.from_start[step].clone(), spec.histogram_bins),
                customer_keys: smallest(&tally.reached[step], spec.customer_limit),
                drop_off_keys: smallest(&tally.dropped[step], spec.customer_limit),
            }
        })
        .collect()
}

fn funnel_of(spec: &FunnelSpec, value: String, tally: &Tally) -> BreakdownFunnel {
    let steps = steps_of(spec, tally);
    let histogram = steps.last().unwrap().from_start.histogram.clone();
    BreakdownFunnel {
        value,
        steps,
        histogram,
    }
}

pub fn reference(spec: &FunnelSpec, names: &[String], journeys: &[OwnedJourney]) -> FunnelResult {
    let n_steps = spec.steps.len();
    let mut by_value: Vec<(u32, Tally)> = Vec::new();
    let mut excluded_customers = 0;
    for journey in journeys {
        let chain = match spec.order {
            FunnelOrder::Unordered => unordered_chain(spec, names, journey),
            FunnelOrder::Ordered | FunnelOrder::Strict => ordered_chain(spec, names, journey),
        };
        if chain.is_empty() {
            continue;
        }
        if is_excluded(spec, names, journey, &chain) {
            excluded_customers += 1;
            continue;
        }
        let value = breakdown_value(spec, journey, &chain);
        if !by_value.iter().any(|(v, _)| *v == value) {
            by_value.push((value, Tally::new(n_steps)));
        }
        let tally = &mut by_value.iter_mut().find(|(v, _)| *v == value).unwrap().1;
        tally_customer(spec, journey, &chain, tally);
    }
    let mut total = Tally::new(n_steps);
    for (_, tally) in &by_value {
        total.add(tally);
    }
    let whole = funnel_of(spec, String::new(), &total);
    let mut breakdowns = Vec::new();
    if let Some(breakdown) = &spec.breakdown {
        by_value.sort_by_key(|(value, tally)| (std::cmp::Reverse(tally.reached[0].len()), *value));
        let mut other = Tally::new(n_steps);
        for (rank, (value, tally)) in by_value.iter().enumerate() {
            if rank < breakdown.limit {
                let name = breakdown
                    .names
                    .get(*value as usize)
                    .cloned()
                    .unwrap_or_else(|| "(none)".into());
                breakdowns.push(funnel_of(spec, name, tally));
            } else {
                other.add(tally);
            }
        }
        if by_value.len() > breakdown.limit {
            breakdowns.push(funnel_of(spec, "(other)".into(), &other));
        }
    }
    FunnelResult {
        steps: whole.steps,
        histogram: whole.histogram,
        excluded_customers,
        breakdowns,
    }
}
