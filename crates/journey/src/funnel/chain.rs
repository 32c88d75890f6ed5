//! The per-journey chain search: one pass over the events that finds the
//! counted chain (see the module docs of `funnel`) without enumerating
//! chains. Buffers live in [`ChainSearch`] and are reused across journeys,
//! so the search allocates nothing once warmed up.
//!
//! Ordered and strict funnels are a dynamic programme over (event, step)
//! *nodes*: the best chain ending at a node is the one with the latest
//! step-1 event (it leaves the most window for later steps), ties broken by
//! the higher predecessor step (skip no optional step needlessly, as PostHog
//! looks at the directly previous step first), then by the earliest
//! predecessor event. Candidates that a later step may follow are kept in
//! a [`Candidates`] store: one slot per step when no step has its own window
//! (then a candidate only expires with its start, and the latest start
//! wins), otherwise a monotonic queue per link (source step → consumer
//! step), latest start first. A candidate that falls out of a window never
//! comes back because time only moves forward, and a newer candidate with a
//! later start makes older ones useless. Each event costs O(steps it
//! serves × links into them), so the whole search is linear in the events.

use super::{Funnel, FunnelOrder};
use crate::Journey;
use std::cmp::Reverse;
use std::collections::VecDeque;

const NO_NODE: u32 = u32::MAX;

/// One event of the counted chain: its position in the journey and the
/// (0-based) step it serves. For unordered funnels the step is the rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainEvent {
    pub pos: u32,
    pub step: u8,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    pos: u32,
    step: u8,
    /// Position of the chain's step-1 event.
    start: u32,
    /// Index of the predecessor node, `NO_NODE` for a step-1 node.
    pred: u32,
}

/// Reusable buffers of the chain search.
#[derive(Debug, Default)]
pub(crate) struct ChainSearch {
    nodes: Vec<Node>,
    stores: Stores,
    /// Latest event of each step (unordered funnels).
    last_pos: Vec<u32>,
    /// The counted chain, in journey order.
    pub chain: Vec<ChainEvent>,
    /// (position, exclusion mask) of every excluded event seen.
    pub exclusion_events: Vec<(u32, u32)>,
}

impl ChainSearch {
    /// Finds the counted chain of `journey` into `self.chain` (empty when
    /// the journey has no step-1 event) and records its excluded events.
    pub fn run(&mut self, funnel: &Funnel, journey: &Journey<'_>) {
        self.chain.clear();
        self.exclusion_events.clear();
        debug_assert!(
            journey.len() < NO_NODE as usize,
            "journey longer than 2^32 events"
        );
        let best = match (funnel.order, funnel.has_step_windows) {
            (FunnelOrder::Unordered, _) => return self.run_unordered(funnel, journey),
            (_, true) => self.run_ordered::<Queues>(funnel, journey),
            (_, false) => self.run_ordered::<Slots>(funnel, journey),
        };
        self.trace_back(best);
    }

    /// The dynamic programme over nodes; returns the first node of the
    /// furthest step.
    fn run_ordered<C: Candidates>(&mut self, funnel: &Funnel, journey: &Journey<'_>) -> u32 {
        self.nodes.clear();
        let candidates = C::pick(&mut self.stores);
        candidates.reset(funnel);
        let strict = funnel.order == FunnelOrder::Strict;
        let last_step = funnel.n_steps() - 1;
        let mut best = NO_NODE;
        for (pos, (&touchpoint, &now_us)) in
            journey.touchpoint.iter().zip(journey.ts_us).enumerate()
        {
            let masks = funnel.masks(touchpoint);
            if masks.exclusions != 0 {
                self.exclusion_events.push((pos as u32, masks.exclusions));
            }
            if masks.steps == 0 && !strict {
                continue;
            }
            let first_new = self.nodes.len();
            add_nodes(
                funnel,
                journey.ts_us,
                &mut self.nodes,
                candidates,
                pos,
                now_us,
                masks.steps,
            );
            if strict {
                // Strict funnels: this event sits between every live
                // candidate and any later event, so candidates of the steps
                // it does not repeat die here, before it adds its own nodes.
                candidates.kill(funnel, !masks.steps);
            }
            for idx in first_new..self.nodes.len() {
                candidates.push(funnel, &self.nodes, idx as u32);
                if best == NO_NODE || self.nodes[idx].step > self.nodes[best as usize].step {
                    best = idx as u32;
                }
            }
            if best != NO_NODE && self.nodes[best as usize].step as usize == last_step {
                break;
            }
        }
        best
    }

    fn trace_back(&mut self, best: u32) {
        let mut current = best;
        while current != NO_NODE {
            let node = self.nodes[current as usize];
            self.chain.push(ChainEvent {
                pos: node.pos,
                step: node.step,
            });
            current = node.pred;
        }
        self.chain.reverse();
    }

    /// Unordered funnels: the number of distinct steps whose latest event
    /// lies within the window before each step event; the first event that
    /// reaches the maximum completes the counted chain.
    fn run_unordered(&mut self, funnel: &Funnel, journey: &Journey<'_>) {
        let n_steps = funnel.n_steps();
        self.last_pos.clear();
        self.last_pos.resize(n_steps, NO_NODE);
        let mut best_count = 0;
        for (pos, &touchpoint) in journey.touchpoint.iter().enumerate() {
            let masks = funnel.masks(touchpoint);
            if masks.exclusions != 0 {
                self.exclusion_events.push((pos as u32, masks.exclusions));
            }
            let step_mask = masks.steps;
            if step_mask == 0 {
                continue;
            }
            debug_assert_eq!(
                step_mask.count_ones(),
                1,
                "validation keeps unordered steps disjoint"
            );
            self.last_pos[step_mask.trailing_zeros() as usize] = pos as u32;
            let now_us = journey.ts_us[pos];
            let in_window = |&last: &u32| {
                last != NO_NODE
                    && now_us.saturating_sub(journey.ts_us[last as usize]) <= funnel.window_us
            };
            let count = self.last_pos.iter().filter(|last| in_window(last)).count();
            if count > best_count {
                best_count = count;
                self.chain.clear();
                self.chain.extend(
                    self.last_pos
                        .iter()
                        .filter(|last| in_window(last))
                        .map(|&pos| ChainEvent { pos, step: 0 }),
                );
                self.chain.sort_unstable_by_key(|event| event.pos);
                for (rank, event) in self.chain.iter_mut().enumerate() {
                    event.step = rank as u8;
                }
                if best_count == n_steps {
                    break;
                }
            }
        }
    }
}

/// Creates the nodes of event `pos` for every step it serves, each from its
/// best predecessor (all predecessors are earlier events).
#[inline]
fn add_nodes<C: Candidates>(
    funnel: &Funnel,
    ts_us: &[i64],
    nodes: &mut Vec<Node>,
    candidates: &mut C,
    pos: usize,
    now_us: i64,
    step_mask: u32,
) {
    let mut steps = step_mask;
    while steps != 0 {
        let step = steps.trailing_zeros() as usize;
        steps &= steps - 1;
        let pos = pos as u32;
        if step == 0 {
            nodes.push(Node {
                pos,
                step: 0,
                start: pos,
                pred: NO_NODE,
            });
        } else if let Some(pred) = candidates.best(funnel, nodes, ts_us, now_us, step) {
            let start = nodes[pred as usize].start;
            nodes.push(Node {
                pos,
                step: step as u8,
                start,
                pred,
            });
        }
    }
}

/// Whether predecessor `a` beats `b`: latest start, then the higher step
/// (skip no optional step needlessly, as PostHog looks at the directly
/// previous step first), then the earliest event.
#[inline]
fn better_predecessor(a: Node, b: Node) -> bool {
    (a.start, a.step, Reverse(a.pos)) > (b.start, b.step, Reverse(b.pos))
}

#[inline]
fn start_expired(funnel: &Funnel, ts_us: &[i64], node: Node, now_us: i64) -> bool {
    now_us.saturating_sub(ts_us[node.start as usize]) > funnel.window_us
}

/// Both candidate stores, so that a search keeps its buffers whichever it
/// uses.
#[derive(Debug, Default)]
struct Stores {
    slots: Slots,
    queues: Queues,
}

/// Where the programme keeps the nodes later steps may follow.
trait Candidates {
    /// This store among the search's buffers.
    fn pick(stores: &mut Stores) -> &mut Self;
    fn reset(&mut self, funnel: &Funnel);
    /// The best live candidate that `step` at `now_us` can follow.
    fn best(
        &mut self,
        funnel: &Funnel,
        nodes: &[Node],
        ts_us: &[i64],
        now_us: i64,
        step: usize,
    ) -> Option<u32>;
    fn push(&mut self, funnel: &Funnel, nodes: &[Node], idx: u32);
    /// Drops the candidates of the steps in `steps` (strict funnels).
    fn kill(&mut self, funnel: &Funnel, steps: u32);
}

/// Without per-step windows a candidate only expires with its start, so the
/// node with the latest start (earliest among equals) of each step is the
/// only one that can ever win: one slot per step.
#[derive(Debug, Default)]
struct Slots {
    slots: Vec<u32>,
}

impl Candidates for Slots {
    fn pick(stores: &mut Stores) -> &mut Self {
        &mut stores.slots
    }

    fn reset(&mut self, funnel: &Funnel) {
        self.slots.clear();
        self.slots.resize(funnel.n_steps(), NO_NODE);
    }

    #[inline]
    fn best(
        &mut self,
        funnel: &Funnel,
        nodes: &[Node],
        ts_us: &[i64],
        now_us: i64,
        step: usize,
    ) -> Option<u32> {
        let mut best: Option<u32> = None;
        for source in funnel.steps[step].previous_mandatory..step {
            let slot = self.slots[source];
            if slot == NO_NODE {
                continue;
            }
            let candidate = nodes[slot as usize];
            if start_expired(funnel, ts_us, candidate, now_us) {
                self.slots[source] = NO_NODE;
                continue;
            }
            if best.is_none_or(|current| better_predecessor(candidate, nodes[current as usize])) {
                best = Some(slot);
            }
        }
        best
    }

    #[inline]
    fn push(&mut self, _funnel: &Funnel, nodes: &[Node], idx: u32) {
        let node = nodes[idx as usize];
        let slot = &mut self.slots[node.step as usize];
        if *slot == NO_NODE || nodes[*slot as usize].start < node.start {
            *slot = idx;
        }
    }

    fn kill(&mut self, _funnel: &Funnel, steps: u32) {
        for (step, slot) in self.slots.iter_mut().enumerate() {
            if steps & (1 << step) != 0 {
                *slot = NO_NODE;
            }
        }
    }
}

/// With per-step windows a candidate with an earlier start may outlive a
/// newer one, so each link (source step → consumer step) keeps a monotonic
/// queue: latest start first, positions increasing.
#[derive(Debug, Default)]
struct Queues {
    queues: Vec<VecDeque<u32>>,
    /// Bit `s` set when some queue fed by step `s` may be non-empty.
    live_sources: u32,
}

impl Candidates for Queues {
    fn pick(stores: &mut Stores) -> &mut Self {
        &mut stores.queues
    }

    fn reset(&mut self, funnel: &Funnel) {
        self.queues.resize_with(funnel.links.len(), VecDeque::new);
        for queue in &mut self.queues {
            queue.clear();
        }
        self.live_sources = 0;
    }

    fn best(
        &mut self,
        funnel: &Funnel,
        nodes: &[Node],
        ts_us: &[i64],
        now_us: i64,
        step: usize,
    ) -> Option<u32> {
        let step_window_us = funnel.steps[step].window_us;
        let mut best: Option<u32> = None;
        for link in funnel.links.feeding(step) {
            let queue = &mut self.queues[link];
            while let Some(&front) = queue.front() {
                let node = nodes[front as usize];
                let step_expired = now_us.saturating_sub(ts_us[node.pos as usize]) > step_window_us;
                if !start_expired(funnel, ts_us, node, now_us) && !step_expired {
                    break;
                }
                queue.pop_front();
            }
            let Some(&candidate) = queue.front() else {
                continue;
            };
            if best.is_none_or(|current| {
                better_predecessor(nodes[candidate as usize], nodes[current as usize])
            }) {
                best = Some(candidate);
            }
        }
        best
    }

    fn push(&mut self, funnel: &Funnel, nodes: &[Node], idx: u32) {
        let node = nodes[idx as usize];
        for &link in &funnel.links.from[node.step as usize] {
            let queue = &mut self.queues[link];
            while queue
                .back()
                .is_some_and(|&back| nodes[back as usize].start < node.start)
            {
                queue.pop_back();
            }
            queue.push_back(idx);
            self.live_sources |= 1 << node.step;
        }
    }

    fn kill(&mut self, funnel: &Funnel, steps: u32) {
        let mut dying = self.live_sources & steps;
        self.live_sources &= !steps;
        while dying != 0 {
            let source = dying.trailing_zeros() as usize;
            dying &= dying - 1;
            for &link in &funnel.links.from[source] {
                self.queues[link].clear();
            }
        }
    }
}
