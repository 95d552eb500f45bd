//! Byte primitives of the Java detector: identifier bytes, dotted names,
//! bounded searches and case-insensitive comparisons.

/// A byte of a Java identifier (ASCII part: letters, digits, `_`, `$`).
pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// The byte at `i`, or 0 past the end (0 is never meaningful to a check).
pub(super) fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

/// The byte before `i`, or 0 at the start.
pub(super) fn before(v: &[u8], i: usize) -> u8 {
    i.checked_sub(1).map_or(0, |j| at(v, j))
}

/// `v[i..]` starts with `s` (case-sensitive).
pub(super) fn starts_at(v: &[u8], i: usize, s: &[u8]) -> bool {
    v.get(i..).is_some_and(|r| r.starts_with(s))
}

/// `v[i..]` starts with `s`, ASCII case-insensitively.
pub(super) fn starts_ci_at(v: &[u8], i: usize, s: &[u8]) -> bool {
    v.get(i..i + s.len())
        .is_some_and(|r| r.eq_ignore_ascii_case(s))
}

/// The first position at or after `from` where `needle` starts (none for
/// an empty needle).
pub(super) fn find_from(v: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    needle.first()?;
    crate::engine::bytes::find(v, from, needle)
}

/// The first position at or after `from` where `needle` starts, ASCII
/// case-insensitively (none for an empty needle).
pub(super) fn find_ci_from(v: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    needle.first()?;
    crate::engine::bytes::find_ci_from(v, from, needle)
}

/// Skips ASCII whitespace from `i`.
pub(super) fn skip_ws(v: &[u8], mut i: usize) -> usize {
    while at(v, i).is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of the identifier starting at `i` (`i` itself when there is
/// none). Identifiers start with a letter, `_` or `$`.
pub(super) fn ident_end(v: &[u8], i: usize) -> usize {
    let c = at(v, i);
    if !(c.is_ascii_alphabetic() || c == b'_' || c == b'$') {
        return i;
    }
    let mut j = i + 1;
    while is_ident(at(v, j)) {
        j += 1;
    }
    j
}

/// A dotted name (`java.lang.Runtime`) starting at `i`: its end and the
/// number of dots. A trailing dot is not part of it.
pub(super) fn dotted(v: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut end = ident_end(v, i);
    if end == i {
        return None;
    }
    let mut dots = 0;
    while at(v, end) == b'.' {
        let next = ident_end(v, end + 1);
        if next == end + 1 {
            break;
        }
        dots += 1;
        end = next;
    }
    Some((end, dots))
}

/// The start of the last segment of the dotted name `v[s..e]`.
pub(super) fn last_segment(v: &[u8], s: usize, e: usize) -> usize {
    v.get(s..e)
        .and_then(|n| n.iter().rposition(|&b| b == b'.'))
        .map_or(s, |p| s + p + 1)
}

/// The segment `v[s..e]` starts with an upper-case letter (a Java class
/// name by convention, a package segment otherwise).
pub(super) fn upper_at(v: &[u8], s: usize) -> bool {
    at(v, s).is_ascii_uppercase()
}

/// `v[s..e]` equals one of `list`.
pub(super) fn one_of(v: &[u8], s: usize, e: usize, list: &[&str]) -> bool {
    v.get(s..e)
        .is_some_and(|w| list.iter().any(|x| x.as_bytes() == w))
}
