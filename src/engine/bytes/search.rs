//! Byte search: the first of one, two or three needle bytes (a `memchr`
//! of our own, eight bytes at a time), the first byte of a [`ByteSet`],
//! and a substring anchored on its first byte.
//!
//! Every function takes the position to search from, so that a parser
//! walking a buffer can call it again after each hit; a `from` past the
//! end finds nothing. Positions are indices into the whole haystack.

use super::set::ByteSet;
use super::swar::{eq_mask, first_index, load};

/// The first bytes of every search are compared one by one: most hits in
/// request values are a few bytes away (the next `"` of a short JSON
/// string, the `=` of a query pair), where the word loop's set-up costs
/// more than it saves.
const SHORT: usize = 16;

/// The first position ≥ `from` of any of the `N` needles.
#[inline(always)]
fn find_n<const N: usize>(hay: &[u8], from: usize, needles: [u8; N]) -> Option<usize> {
    let rest = hay.get(from..)?;
    // Compares with every needle, branch-free (N is 1 to 3 and unrolled);
    // not `contains`, whose `u8` specialisation calls out to `memchr`.
    let hit = |x: u8| needles.iter().fold(false, |any, &n| any | (n == x));
    let head = rest.get(..SHORT).unwrap_or(rest);
    if let Some(k) = head.iter().position(|&x| hit(x)) {
        return Some(from + k);
    }
    // A short value ends here, before any word set-up.
    let mut chunks = rest.get(SHORT..)?.chunks_exact(8);
    let mut base = from + SHORT;
    for c in chunks.by_ref() {
        let w = load(c);
        let mut m = 0;
        for &n in &needles {
            m |= eq_mask(w, n);
        }
        if m != 0 {
            return Some(base + first_index(m));
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&x| hit(x))
        .map(|k| base + k)
}

/// The first position ≥ `from` of `a`.
#[inline]
pub fn find_byte(hay: &[u8], from: usize, a: u8) -> Option<usize> {
    find_n(hay, from, [a])
}

/// The first position ≥ `from` of `a` or `b`.
#[inline]
pub fn find_byte2(hay: &[u8], from: usize, a: u8, b: u8) -> Option<usize> {
    find_n(hay, from, [a, b])
}

/// The first position ≥ `from` of `a`, `b` or `c`.
#[inline]
pub fn find_byte3(hay: &[u8], from: usize, a: u8, b: u8, c: u8) -> Option<usize> {
    find_n(hay, from, [a, b, c])
}

/// The first position ≥ `from` of a byte in `set` (one table load per
/// byte: for sets too large for the word loop).
#[inline]
pub fn find_in(hay: &[u8], from: usize, set: &ByteSet) -> Option<usize> {
    hay.get(from..)?
        .iter()
        .position(|&b| set.contains(b))
        .map(|k| from + k)
}

/// The first position ≥ `from` of `needle` (case-sensitive), found
/// through its first byte; an empty needle is found at `from` (when that is
/// within `hay`). Linear for the short, fixed needles it is meant for
/// (keywords, URLs, terminators); a long needle searched many times wants
/// a [`Finder`](super::Finder).
pub fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return (from <= hay.len()).then_some(from);
    };
    let mut i = from;
    while let Some(p) = find_byte(hay, i, first) {
        if hay.get(p + 1..p + 1 + rest.len()) == Some(rest) {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(hay: &[u8], from: usize, set: &[u8]) -> Option<usize> {
        (from..hay.len()).find(|&i| set.contains(&hay[i]))
    }

    #[test]
    fn finds_bytes() {
        let h = b"0123456789abcdef\"ghij\\";
        assert_eq!(find_byte2(h, 0, b'"', b'\\'), Some(16));
        assert_eq!(find_byte2(h, 17, b'"', b'\\'), Some(21));
        assert_eq!(find_byte(h, 0, b'z'), None);
        assert_eq!(find_byte(h, 100, b'0'), None);
        assert_eq!(find_byte(h, h.len(), b'0'), None);
        assert_eq!(find_byte(b"", 0, b'0'), None);
        assert_eq!(find_byte(b"\xff\x80a", 0, b'a'), Some(2));
        assert_eq!(find_byte3(h, 0, b'x', b'y', b'\\'), Some(21));
        assert_eq!(find_in(h, 3, &ByteSet::of(b"ab")), Some(10));
        assert_eq!(find_in(h, 30, &ByteSet::ALL), None);
    }

    /// Every length 0..70 (short head, whole words, remainders), every
    /// needle position, every start, high bytes around the needle.
    #[test]
    fn agrees_with_naive_search() {
        for len in 0..70usize {
            for at in 0..=len {
                let mut h: Vec<u8> = (0..len)
                    .map(|i| 0x80 | (i as u8).wrapping_mul(37))
                    .collect();
                h.iter_mut().for_each(|b| {
                    if *b == 0xfe || *b == 0xff {
                        *b = 0xfd;
                    }
                });
                if at < len {
                    h[at] = 0xfe;
                    if at + 3 < len {
                        h[at + 3] = 0xff;
                    }
                }
                for from in [0, 1, at.saturating_sub(1), at, at + 1, len] {
                    assert_eq!(find_byte(&h, from, 0xfe), naive(&h, from, &[0xfe]));
                    assert_eq!(
                        find_byte2(&h, from, 0xff, 0xfe),
                        naive(&h, from, &[0xfe, 0xff])
                    );
                    assert_eq!(
                        find_byte3(&h, from, 0, 1, 0xff),
                        naive(&h, from, &[0, 1, 0xff])
                    );
                    assert_eq!(
                        find_in(&h, from, &ByteSet::of(&[0xff])),
                        naive(&h, from, &[0xff])
                    );
                }
            }
        }
    }

    #[test]
    fn finds_substrings() {
        assert_eq!(find(b"abcabd", 0, b"abd"), Some(3));
        assert_eq!(find(b"abcabd", 0, b"abe"), None);
        assert_eq!(find(b"abcab", 1, b"ab"), Some(3));
        assert_eq!(find(b"abcab", 4, b"ab"), None);
        assert_eq!(find(b"abc", 0, b""), Some(0));
        assert_eq!(find(b"abc", 3, b""), Some(3));
        assert_eq!(find(b"abc", 4, b""), None);
        assert_eq!(find(b"", 0, b"a"), None);
        assert_eq!(find(b"ab", 0, b"abc"), None);
        let mut long = vec![b'a'; 100];
        long.extend_from_slice(b"www.w3.org/2001/XInclude");
        assert_eq!(find(&long, 0, b"www.w3.org/2001/XInclude"), Some(100));
        assert_eq!(find(&long, 50, b"XInclude"), Some(116));
        assert_eq!(find(&long, 117, b"XInclude"), None);
    }
}
