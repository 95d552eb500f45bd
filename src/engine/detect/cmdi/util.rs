//! Small byte-string primitives used across the detector (case-insensitive
//! search and suffixes, FNV-1a, decimal parsing, hex digits).
//!
//! They duplicate generic helpers that a shared byte toolkit will provide;
//! they are collected here so that replacing them touches one file.

/// FNV-1a of the ASCII-lowercased name.
pub(super) fn fnv(name: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in name {
        h ^= u32::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

pub(super) fn strip_suffix_ci<'a>(s: &'a [u8], suffix: &[u8]) -> Option<&'a [u8]> {
    let cut = s.len().checked_sub(suffix.len())?;
    let (head, tail) = (s.get(..cut)?, s.get(cut..)?);
    (tail.eq_ignore_ascii_case(suffix) && !head.is_empty()).then_some(head)
}

pub(super) fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle.first()?.to_ascii_lowercase();
    hay.windows(needle.len()).position(|w| {
        w.first().map(|b| b.to_ascii_lowercase()) == Some(first) && w.eq_ignore_ascii_case(needle)
    })
}

pub(super) fn ends_with_ci(w: &[u8], suffix: &[u8]) -> bool {
    w.len() >= suffix.len()
        && w.get(w.len() - suffix.len()..)
            .is_some_and(|x| x.eq_ignore_ascii_case(suffix))
}

pub(super) fn parse_num(s: &[u8]) -> Option<usize> {
    let s = s.iter().take_while(|b| b.is_ascii_digit()).take(6);
    let mut n = 0usize;
    let mut any = false;
    for d in s {
        n = n * 10 + usize::from(d - b'0');
        any = true;
    }
    any.then_some(n)
}

/// The value of one hexadecimal digit.
pub(super) fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}
