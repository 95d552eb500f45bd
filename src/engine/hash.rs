//! The crate's hash functions, each for a stated purpose.
//!
//! * FNV-1a (32- and 64-bit): tiny and fast on the short inputs it gets
//!   (command names, parameter names, memo keys), good enough to spread
//!   them over a table. Not keyed: an attacker can build collisions, so it
//!   only ever picks a slot or a Bloom-filter bit, never decides alone.
//!   The `_ci` forms hash the ASCII-lowercased bytes without copying them.
//! * SipHash-2-4 (keyed): where the hash of request data is a key that an
//!   attacker must not be able to collide on purpose (rate-limit keys in
//!   the shared store).
//!
//! ```
//! use envoy_rasp::engine::hash::{fnv1a32, fnv1a32_ci, fnv1a64, siphash24};
//!
//! assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
//! assert_eq!(fnv1a32_ci(b"LS"), fnv1a32(b"ls"));
//! assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
//! assert_ne!(siphash24(1, 2, b"10.0.0.1"), siphash24(1, 3, b"10.0.0.1"));
//! ```

/// FNV-1a 32-bit offset basis.
pub const FNV32_BASIS: u32 = 0x811c_9dc5;
const FNV32_PRIME: u32 = 0x0100_0193;
/// FNV-1a 64-bit offset basis.
pub const FNV64_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV64_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a (32-bit) of `bytes`, continuing from the state `h` (start from
/// [`FNV32_BASIS`], or a basis mixed with a tag to keep domains apart).
#[inline]
pub fn fnv1a32_from(mut h: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(FNV32_PRIME);
    }
    h
}

/// FNV-1a (32-bit) of `bytes`.
#[inline]
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    fnv1a32_from(FNV32_BASIS, bytes)
}

/// FNV-1a (32-bit) of `bytes` with ASCII letters lowercased.
#[inline]
pub fn fnv1a32_ci(bytes: &[u8]) -> u32 {
    let mut h = FNV32_BASIS;
    for &b in bytes {
        h ^= u32::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(FNV32_PRIME);
    }
    h
}

/// FNV-1a (64-bit) of `bytes`.
#[inline]
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = FNV64_BASIS;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV64_PRIME);
    }
    h
}

/// FNV-1a (64-bit) of `bytes` with ASCII letters lowercased.
#[inline]
pub fn fnv1a64_ci(bytes: &[u8]) -> u64 {
    let mut h = FNV64_BASIS;
    for &b in bytes {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(FNV64_PRIME);
    }
    h
}

/// SipHash-2-4 (Aumasson & Bernstein) with a 128-bit key.
pub fn siphash24(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut h = SipHasher24::new(k0, k1);
    h.write(data);
    h.finish()
}

/// Streaming SipHash-2-4: `write` any number of pieces, then `finish`;
/// the result equals [`siphash24`] of their concatenation.
#[derive(Clone, Debug)]
pub struct SipHasher24 {
    v0: u64,
    v1: u64,
    v2: u64,
    v3: u64,
    /// Pending bytes (little-endian) and how many.
    tail: u64,
    ntail: u32,
    len: u64,
}

impl SipHasher24 {
    /// A hasher with the 128-bit key `k0`, `k1`.
    pub fn new(k0: u64, k1: u64) -> SipHasher24 {
        SipHasher24 {
            v0: k0 ^ 0x736f_6d65_7073_6575,
            v1: k1 ^ 0x646f_7261_6e64_6f6d,
            v2: k0 ^ 0x6c79_6765_6e65_7261,
            v3: k1 ^ 0x7465_6462_7974_6573,
            tail: 0,
            ntail: 0,
            len: 0,
        }
    }

    fn round(&mut self) {
        self.v0 = self.v0.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(13) ^ self.v0;
        self.v0 = self.v0.rotate_left(32);
        self.v2 = self.v2.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(16) ^ self.v2;
        self.v0 = self.v0.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(21) ^ self.v0;
        self.v2 = self.v2.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(17) ^ self.v2;
        self.v2 = self.v2.rotate_left(32);
    }

    fn compress(&mut self, m: u64) {
        self.v3 ^= m;
        self.round();
        self.round();
        self.v0 ^= m;
    }

    /// Feeds `data`.
    pub fn write(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        let mut rest = data;
        // Top up the pending word first.
        while self.ntail > 0 {
            let Some((&b, r)) = rest.split_first() else {
                return;
            };
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
            rest = r;
            if self.ntail == 8 {
                self.compress(self.tail);
                self.tail = 0;
                self.ntail = 0;
            }
        }
        let chunks = rest.chunks_exact(8);
        let tail = chunks.remainder();
        for c in chunks {
            let m = <[u8; 8]>::try_from(c).map(u64::from_le_bytes).unwrap_or(0);
            self.compress(m);
        }
        for &b in tail {
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
        }
    }

    /// The hash of everything written.
    pub fn finish(mut self) -> u64 {
        let b = self.tail | (self.len << 56);
        self.compress(b);
        self.v2 ^= 0xff;
        for _ in 0..4 {
            self.round();
        }
        self.v0 ^ self.v1 ^ self.v2 ^ self.v3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        // From the FNV reference test suite (draft-eastlake-fnv).
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fnv1a32_from(fnv1a32(b"foo"), b"bar"), fnv1a32(b"foobar"));
        assert_eq!(fnv1a32_ci(b"FooBar"), fnv1a32(b"foobar"));
        assert_eq!(fnv1a64_ci(b"FOOBAR"), fnv1a64(b"foobar"));
        // Only ASCII letters fold.
        assert_ne!(fnv1a32_ci("É".as_bytes()), fnv1a32("é".as_bytes()));
        assert_ne!(fnv1a32_ci(b"["), fnv1a32(b"{"));
    }

    #[test]
    fn siphash_matches_reference_vectors() {
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(siphash24(k0, k1, b""), 0x726f_db47_dd0e_0e31);
        let msg: Vec<u8> = (0u8..15).collect();
        assert_eq!(siphash24(k0, k1, &msg), 0xa129_ca61_49be_45e5);
        let msg: Vec<u8> = (0u8..8).collect();
        assert_eq!(siphash24(k0, k1, &msg), 0x93f5_f579_9a93_2462);
        // Streaming in any split equals one shot.
        let long: Vec<u8> = (0u8..=200).collect();
        let whole = siphash24(k0, k1, &long);
        for a in 0..20 {
            for b in a..40 {
                let mut h = SipHasher24::new(k0, k1);
                h.write(&long[..a]);
                h.write(&long[a..b]);
                h.write(&long[b..]);
                assert_eq!(h.finish(), whole, "{a} {b}");
            }
        }
    }
}
