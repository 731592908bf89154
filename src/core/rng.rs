//! A tiny deterministic RNG (SplitMix64) for backoff jitter and multipart boundaries:
//! seeded by the caller, so the core never reads a clock or the OS for randomness. Public
//! as part of the sans-IO API: a driver of its own (or a load generator wanting
//! reproducible runs, as `soniox-load` does) draws from the same generator.

/// SplitMix64: fast, 64-bit state, good enough for jitter (not for cryptography).
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed; equal seeds give equal sequences.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A uniform value in `0..=max` (`max` included).
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        // Multiply-shift reduction: unbiased enough for jitter, no division.
        ((u128::from(self.next_u64()) * (u128::from(max) + 1)) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_bounds_hold() {
        let (mut a, mut b) = (SplitMix64::new(7), SplitMix64::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut r = SplitMix64::new(1);
        let mut seen_max = false;
        for _ in 0..10_000 {
            let v = r.up_to(3);
            assert!(v <= 3);
            seen_max |= v == 3;
        }
        assert!(seen_max);
        assert_eq!(r.up_to(0), 0);
    }
}
