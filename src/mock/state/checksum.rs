//! FNV-1a 64-bit checksums of uploaded content.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// Streaming FNV-1a (64-bit): `update` with the pieces in order, then `finish`.
///
/// ```
/// use soniox::mock::{checksum, Checksum};
/// let mut c = Checksum::new();
/// c.update(b"hello ");
/// c.update(b"world");
/// assert_eq!(c.finish(), checksum(b"hello world"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checksum(u64);

impl Checksum {
    /// A checksum of no bytes.
    pub fn new() -> Checksum {
        Checksum(OFFSET)
    }

    /// Feeds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
        self.0 = h;
    }

    /// The checksum of everything fed so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Checksum {
    fn default() -> Self {
        Checksum::new()
    }
}

/// FNV-1a (64-bit) of `bytes`: what [`MockFile::checksum`](crate::mock::MockFile::checksum) holds
/// for an upload of exactly these bytes.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut c = Checksum::new();
    c.update(bytes);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(checksum(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(checksum(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(checksum(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
