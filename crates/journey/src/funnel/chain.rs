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
//! predecessor event. For
//! each link (source step → consumer step) a monotonic queue holds the
//! candidate predecessor nodes, latest start first; a candidate that falls
//! out of a window never comes back because time only moves forward, and a
//! newer candidate with a later start makes older ones useless.

use super::{Funnel, FunnelOrder};
use crate::Journey;
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
    /// Candidate predecessor nodes per link.
    queues: Vec<VecDeque<u32>>,
    /// Bit `s` set when some queue fed by step `s` may be non-empty.
    live_sources: u32,
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
        match funnel.order {
            FunnelOrder::Unordered => self.run_unordered(funnel, journey),
            FunnelOrder::Ordered | FunnelOrder::Strict => self.run_ordered(funnel, journey),
        }
    }

    fn reset_ordered(&mut self, funnel: &Funnel) {
        self.nodes.clear();
        self.queues.resize_with(funnel.links.len(), VecDeque::new);
        for queue in &mut self.queues {
            queue.clear();
        }
        self.live_sources = 0;
    }

    fn run_ordered(&mut self, funnel: &Funnel, journey: &Journey<'_>) {
        self.reset_ordered(funnel);
        let strict = funnel.order == FunnelOrder::Strict;
        let last_step = funnel.n_steps() - 1;
        let mut best = NO_NODE;
        for (pos, &touchpoint) in journey.touchpoint.iter().enumerate() {
            let exclusion_mask = funnel.exclusion_mask(touchpoint);
            if exclusion_mask != 0 {
                self.exclusion_events.push((pos as u32, exclusion_mask));
            }
            let step_mask = funnel.step_mask(touchpoint);
            if strict {
                // Strict funnels: this event sits between every live
                // candidate and any later event, so candidates of the steps
                // it does not repeat die here, before it adds its own nodes.
                let first_new = self.nodes.len();
                self.add_nodes(funnel, journey, pos, step_mask);
                self.kill_sources(funnel, !step_mask);
                self.push_nodes(funnel, first_new, &mut best);
            } else if step_mask != 0 {
                let first_new = self.nodes.len();
                self.add_nodes(funnel, journey, pos, step_mask);
                self.push_nodes(funnel, first_new, &mut best);
            }
            if best != NO_NODE && self.nodes[best as usize].step as usize == last_step {
                break;
            }
        }
        self.trace_back(best);
    }

    /// Creates the nodes of event `pos` for every step it serves, each from
    /// its best predecessor (all predecessors are earlier events).
    fn add_nodes(&mut self, funnel: &Funnel, journey: &Journey<'_>, pos: usize, step_mask: u32) {
        let mut steps = step_mask;
        while steps != 0 {
            let step = steps.trailing_zeros() as usize;
            steps &= steps - 1;
            let node = if step == 0 {
                Some(Node {
                    pos: pos as u32,
                    step: 0,
                    start: pos as u32,
                    pred: NO_NODE,
                })
            } else {
                self.best_predecessor(funnel, journey.ts_us, pos, step)
                    .map(|pred| Node {
                        pos: pos as u32,
                        step: step as u8,
                        start: self.nodes[pred as usize].start,
                        pred,
                    })
            };
            if let Some(node) = node {
                self.nodes.push(node);
            }
        }
    }

    /// The best node that step `step` at position `pos` can follow, over
    /// all links into `step`: latest start, then the higher step, then the
    /// earliest event.
    fn best_predecessor(
        &mut self,
        funnel: &Funnel,
        ts_us: &[i64],
        pos: usize,
        step: usize,
    ) -> Option<u32> {
        let now_us = ts_us[pos];
        let step_window_us = funnel.steps[step].window_us;
        let mut best: Option<u32> = None;
        for link in funnel.links.feeding(step) {
            let queue = &mut self.queues[link];
            while let Some(&front) = queue.front() {
                let node = self.nodes[front as usize];
                let start_expired =
                    now_us.saturating_sub(ts_us[node.start as usize]) > funnel.window_us;
                let step_expired = now_us.saturating_sub(ts_us[node.pos as usize]) > step_window_us;
                if !start_expired && !step_expired {
                    break;
                }
                queue.pop_front();
            }
            let Some(&candidate) = queue.front() else {
                continue;
            };
            best = Some(match best {
                Some(current) if !self.better_predecessor(candidate, current) => current,
                _ => candidate,
            });
        }
        best
    }

    fn better_predecessor(&self, candidate: u32, current: u32) -> bool {
        let (a, b) = (self.nodes[candidate as usize], self.nodes[current as usize]);
        (a.start, a.step, std::cmp::Reverse(a.pos)) > (b.start, b.step, std::cmp::Reverse(b.pos))
    }

    /// Empties the queues fed by the steps in `steps`.
    fn kill_sources(&mut self, funnel: &Funnel, steps: u32) {
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

    /// Offers the nodes from `first_new` on to the links they feed and keeps
    /// the first node of the furthest step as the best.
    fn push_nodes(&mut self, funnel: &Funnel, first_new: usize, best: &mut u32) {
        for idx in first_new..self.nodes.len() {
            let node = self.nodes[idx];
            for &link in &funnel.links.from[node.step as usize] {
                let queue = &mut self.queues[link];
                while queue
                    .back()
                    .is_some_and(|&back| self.nodes[back as usize].start < node.start)
                {
                    queue.pop_back();
                }
                queue.push_back(idx as u32);
                self.live_sources |= 1 << node.step;
            }
            if *best == NO_NODE || node.step > self.nodes[*best as usize].step {
                *best = idx as u32;
            }
        }
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
            let exclusion_mask = funnel.exclusion_mask(touchpoint);
            if exclusion_mask != 0 {
                self.exclusion_events.push((pos as u32, exclusion_mask));
            }
            let step_mask = funnel.step_mask(touchpoint);
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
