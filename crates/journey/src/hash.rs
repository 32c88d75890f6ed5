//! A fast hasher for the kernels' private maps keyed by touchpoint ids.
//! std's SipHash resists flooding, which costs a third of the variant
//! kernel; these maps live for one query and hold ids, not raw user text.

use std::hash::{BuildHasherDefault, Hasher};

/// Multiply-rotate hashing of whole words, in the manner of rustc's FxHash.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher {
    hash: u64,
}

/// Builds [`IdHasher`]s for `HashMap::with_hasher`.
pub(crate) type BuildIdHasher = BuildHasherDefault<IdHasher>;

impl IdHasher {
    const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::MULTIPLIER);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    #[test]
    fn sequences_that_differ_hash_differently() {
        let hash = |ids: &[u32]| BuildIdHasher::default().hash_one(ids);
        assert_eq!(hash(&[1, 2, 3]), hash(&[1, 2, 3]));
        assert_ne!(hash(&[1, 2, 3]), hash(&[3, 2, 1]));
        assert_ne!(hash(&[1, 2]), hash(&[1, 2, 0]));
        assert_ne!(hash(&[]), hash(&[0]));
        let mut bytes = IdHasher::default();
        [7_u8; 9].hash(&mut bytes);
        assert_ne!(bytes.finish(), 0);
    }
}
