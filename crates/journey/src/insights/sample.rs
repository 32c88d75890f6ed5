//! Deterministic samples for evidence: the `k` items with the smallest hash,
//! which is the same set however the journeys were split and merged.

/// SplitMix64's finaliser: a well-mixed 64-bit hash of a 64-bit key.
pub(crate) fn mix64(key: u64) -> u64 {
    let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The hash of one event: its customer and time.
pub(crate) fn event_hash(customer: u64, ts_us: i64) -> u64 {
    mix64(mix64(customer) ^ ts_us as u64)
}

/// Keeps the `k` offered items with the smallest (hash, item); mergeable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SmallestK<T> {
    k: usize,
    items: Vec<(u64, T)>,
}

impl<T: Ord + Clone> SmallestK<T> {
    pub(crate) fn new(k: usize) -> SmallestK<T> {
        SmallestK {
            k,
            items: Vec::new(),
        }
    }

    pub(crate) fn offer(&mut self, hash: u64, item: T) {
        if self.items.len() == self.k
            && self
                .items
                .last()
                .is_none_or(|(h, i)| (hash, &item) >= (*h, i))
        {
            return;
        }
        let entry = (hash, item);
        let position = self.items.partition_point(|existing| *existing < entry);
        if self.items.get(position) == Some(&entry) {
            return;
        }
        self.items.insert(position, entry);
        self.items.truncate(self.k);
    }

    pub(crate) fn merge(&mut self, other: &SmallestK<T>) {
        for (hash, item) in &other.items {
            self.offer(*hash, item.clone());
        }
    }

    pub(crate) fn items(&self) -> Vec<T> {
        self.items.iter().map(|(_, item)| item.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_smallest_in_any_order() {
        let offers = [(5, 'a'), (1, 'b'), (9, 'c'), (1, 'b'), (3, 'd'), (0, 'e')];
        let mut all = SmallestK::new(3);
        for (hash, item) in offers {
            all.offer(hash, item);
        }
        assert_eq!(all.items(), ['e', 'b', 'd']);
        let mut left = SmallestK::new(3);
        let mut right = SmallestK::new(3);
        for (position, (hash, item)) in offers.into_iter().enumerate() {
            if position % 2 == 0 {
                left.offer(hash, item);
            } else {
                right.offer(hash, item);
            }
        }
        right.merge(&left);
        assert_eq!(right, all);
        let mut none = SmallestK::new(0);
        none.offer(1, 'x');
        assert!(none.items().is_empty());
    }
}
