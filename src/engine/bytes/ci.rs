//! ASCII case-insensitive comparison and search (keywords, header names,
//! tag names). Only `A-Z` / `a-z` fold; every other byte, including
//! non-ASCII, compares exactly.
//!
//! Values are never case-folded as a whole (that would copy almost every
//! value): keywords are matched where they stand.
//!
//! ```
//! use envoy_rasp::engine::bytes::{ends_ci, eq_ci, find_ci, starts_ci};
//!
//! assert!(eq_ci(b"Content-Type", b"content-type"));
//! assert!(starts_ci(b"<!DOCTYPE html>", b"<!doctype"));
//! assert!(ends_ci(b"shell.PHP", b".php"));
//! assert_eq!(find_ci(b"text/html; Charset=UTF-7", b"utf-7"), Some(19));
//! ```

use super::search::find_byte2;

/// Whether `a` equals `b` ignoring ASCII case.
#[inline]
pub fn eq_ci(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether `hay` starts with `prefix`, ignoring ASCII case.
#[inline]
pub fn starts_ci(hay: &[u8], prefix: &[u8]) -> bool {
    hay.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

/// Whether `hay` ends with `suffix`, ignoring ASCII case.
#[inline]
pub fn ends_ci(hay: &[u8], suffix: &[u8]) -> bool {
    hay.len()
        .checked_sub(suffix.len())
        .and_then(|start| hay.get(start..))
        .is_some_and(|h| h.eq_ignore_ascii_case(suffix))
}

/// The first position of `needle` in `hay`, ignoring ASCII case; an empty
/// needle is found at 0. Candidates are found eight bytes at a time by the
/// two cases of the needle's first byte, then compared; linear in practice
/// for the keywords it is used with.
pub fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let last = hay.len().checked_sub(needle.len())?;
    let mut i = 0;
    while let Some(at) = find_byte2(hay, i, lo, up) {
        if at > last {
            return None;
        }
        if hay
            .get(at + 1..at + needle.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(rest))
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// The first position ≥ `from` where `needle` starts, ASCII
/// case-insensitively: [`find_ci`] that resumes, as
/// [`find`](super::find) does for exact needles. An empty needle is found
/// at `from` (when that is within `hay`).
pub fn find_ci_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let Some(&first) = needle.first() else {
        return (from <= hay.len()).then_some(from);
    };
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let mut i = from;
    while let Some(at) = find_byte2(hay, i, lo, up) {
        if hay
            .get(at..at + needle.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(needle))
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(hay: &[u8], needle: &[u8]) -> Option<usize> {
        if needle.is_empty() {
            return Some(0);
        }
        hay.windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
    }

    #[test]
    fn comparisons() {
        assert!(eq_ci(b"", b""));
        assert!(!eq_ci(b"a", b"ab"));
        assert!(eq_ci(b"\xc3\xa9A", b"\xc3\xa9a"));
        assert!(!eq_ci(b"\xc3\xa9", b"\xc3\x89"), "non-ASCII does not fold");
        assert!(!eq_ci(b"[", b"{"), "only letters fold");
        assert!(starts_ci(b"abc", b""));
        assert!(!starts_ci(b"ab", b"abc"));
        assert!(ends_ci(b"abc", b""));
        assert!(ends_ci(b"ABC", b"abc"));
        assert!(!ends_ci(b"bc", b"abc"));
    }

    #[test]
    fn search_agrees_with_naive() {
        assert_eq!(find_ci(b"", b""), Some(0));
        assert_eq!(find_ci(b"", b"a"), None);
        assert_eq!(find_ci(b"SYSTEM", b"system"), Some(0));
        assert_eq!(find_ci(b"xxsysteM", b"SYSTEM"), Some(2));
        assert_eq!(find_ci(b"xxsyste", b"system"), None);
        // Needles of each length at each place of haystacks of lengths that
        // are and are not multiples of eight, among near misses and
        // non-ASCII bytes.
        let filler: &[u8] = b"sYs\xffs\xc3\xa9sySTe";
        for len in 0..60 {
            for at in 0..=len {
                for needle in [&b"s"[..], b"sy", b"system", b"\xc3\xa9", b"E"] {
                    let mut h: Vec<u8> = filler.iter().cycle().take(len).copied().collect();
                    if at + needle.len() <= len {
                        h[at..at + needle.len()].copy_from_slice(needle);
                    }
                    assert_eq!(find_ci(&h, needle), naive(&h, needle), "{h:?} {needle:?}");
                    let upper = needle.to_ascii_uppercase();
                    assert_eq!(find_ci(&h, &upper), naive(&h, &upper));
                    for from in 0..=len + 1 {
                        let want = h
                            .get(from..)
                            .and_then(|r| naive(r, needle))
                            .map(|p| p + from);
                        assert_eq!(find_ci_from(&h, from, needle), want, "{h:?} {from}");
                    }
                }
            }
        }
    }
}
