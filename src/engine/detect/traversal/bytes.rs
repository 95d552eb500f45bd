//! Generic byte primitives the detector needs: case-insensitive list
//! membership, search and prefix test, strict and lenient hex digits,
//! base64 decoding.

/// `x` equals an entry of `list`, ASCII case-insensitively.
pub(super) fn in_list(x: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(x))
}

/// The first position of `needle` in `hay`, ASCII case-insensitively.
pub(super) fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// `s` starts with `prefix`, ASCII case-insensitively.
pub(super) fn starts_ci(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|x| x.eq_ignore_ascii_case(prefix))
}

/// The value of a hex digit as lenient decoders compute it (IIS accepted
/// any letter: `%c0%qf` is `%c0%af`).
pub(super) fn lenient_hex(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 10),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

pub(super) fn strict_hex(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'f' => Some(u32::from(c - b'a') + 10),
        b'A'..=b'F' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}
