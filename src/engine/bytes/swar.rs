//! Word-at-a-time ("SIMD within a register") primitives: eight bytes in a
//! `u64`, tested for a byte value with a few integer operations.
//!
//! [`eq_mask`] is the classic zero-byte test applied to `w ^ splat(b)`:
//! `(x - 0x01…01) & !x & 0x80…80` has bit 7 set in every byte of `x` that
//! is zero, and possibly in bytes *above* a zero byte (the borrow
//! propagates), never below one. Words are loaded little-endian, so the
//! lowest set bit always marks the first matching byte:
//! `trailing_zeros() / 8` is its index, and masks of several bytes can be
//! OR-ed together before that question is asked.
//!
//! The searches ([`find_byte`](super::find_byte) and its kin) are built
//! from these; code with a set of needles of its own (the normalisation
//! prefilter, a detector's byte-class prefilter) uses them directly.

/// `0x01` in every byte.
pub const LO: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
pub const HI: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte of a word.
#[inline(always)]
pub const fn splat(b: u8) -> u64 {
    LO * b as u64
}

/// The eight bytes of `chunk` (which must hold eight) as a little-endian
/// word; 0 for a shorter slice.
#[inline(always)]
pub fn load(chunk: &[u8]) -> u64 {
    <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes)
}

/// Bit 7 set in the bytes of `x` that are zero (exact for the lowest one;
/// see the module docs).
#[inline(always)]
pub const fn zero_mask(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

/// Bit 7 set in the bytes of `w` equal to `b` (exact for the lowest one).
#[inline(always)]
pub const fn eq_mask(w: u64, b: u8) -> u64 {
    zero_mask(w ^ splat(b))
}

/// Whether some byte of `w` equals `b`.
#[inline(always)]
pub const fn has_byte(w: u64, b: u8) -> bool {
    eq_mask(w, b) != 0
}

/// Bit 7 of every byte of `w` (set for the bytes ≥ 0x80).
#[inline(always)]
pub const fn high_mask(w: u64) -> u64 {
    w & HI
}

/// The index (0..8) of the byte marked by the lowest bit of a non-zero mask.
#[inline(always)]
pub const fn first_index(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_agree_with_bytes() {
        // Every byte value in every lane, next to every other value below it
        // (where the borrow of a false positive would show).
        for b in 0..=255u8 {
            for other in [
                0u8,
                1,
                0x7f,
                0x80,
                0xfe,
                0xff,
                b.wrapping_add(1),
                b.wrapping_sub(1),
            ] {
                for lane in 0..8 {
                    let mut bytes = [other; 8];
                    bytes[lane] = b;
                    let w = load(&bytes);
                    let m = eq_mask(w, b);
                    let first = bytes.iter().position(|&x| x == b).unwrap();
                    assert!(has_byte(w, b));
                    assert_eq!(first_index(m), first, "{bytes:?} {b}");
                    let expect_high = bytes.iter().any(|&x| x >= 0x80);
                    assert_eq!(high_mask(w) != 0, expect_high);
                }
                let w = load(&[other; 8]);
                assert_eq!(has_byte(w, b), other == b);
            }
        }
    }

    #[test]
    fn short_chunks_load_as_zero() {
        assert_eq!(load(b"1234567"), 0);
        assert_eq!(load(b""), 0);
        assert_eq!(load(b"\x01\0\0\0\0\0\0\0"), 1);
        assert_eq!(splat(0xab), 0xabab_abab_abab_abab);
    }
}
