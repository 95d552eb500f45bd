//! PHP object injection: the `unserialize` grammar of an object,
//! `O:<len>:"<class>":<count>:{` (or `C:` for custom serialization), read
//! exactly. The class name must be as long as its length prefix says and be
//! a valid class name, and the property count must open a `{`: the
//! structure `unserialize` accepts, which `Ratio O:2`, `C:\Users` or a
//! hand-typed `O:8:"x"` never have. Serialized arrays and scalars without
//! an object (`a:2:{i:0;s:1:"a";…}`) instantiate nothing and pass. The
//! same object base64-encoded as a whole value (`Tzo4OiJzdGRDbGFzcyI6…`,
//! a cookie) is decoded (bounded) and read again.

use super::lex::at;
use crate::engine::bytes::base64::{Alphabet, UpToPad};
use crate::engine::detect::Hit;

/// Longest class name accepted in a length prefix.
const MAX_CLASS: usize = 512;

/// Largest base64 value decoded.
const MAX_B64: usize = 16 * 1024;

/// Reads up to `max` decimal digits at `i`: the value and the end.
fn number(v: &[u8], i: usize, max: usize) -> Option<(usize, usize)> {
    let mut n = 0usize;
    let mut j = i;
    while at(v, j).is_ascii_digit() && j - i < max {
        n = n * 10 + usize::from(at(v, j) - b'0');
        j += 1;
    }
    (j > i).then_some((n, j))
}

/// A valid PHP class name (namespaces with `\`, bytes ≥ 0x80 allowed).
fn class_name(n: &[u8]) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'\\' || b >= 0x80;
    n.first()
        .is_some_and(|&f| f.is_ascii_alphabetic() || f == b'_' || f == b'\\' || f >= 0x80)
        && n.iter().all(|&b| ok(b))
}

/// The end of a serialized object header starting at `i` (`O:` / `C:`).
fn object_at(v: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    // `O:+8:` passes `unserialize` too (and once dodged `O:\d+:` filters).
    if at(v, j) == b'+' {
        j += 1;
    }
    let (len, j) = number(v, j, 4)?;
    if len == 0 || len > MAX_CLASS || at(v, j) != b':' || at(v, j + 1) != b'"' {
        return None;
    }
    let s = j + 2;
    let name = v.get(s..s + len)?;
    if !class_name(name) || at(v, s + len) != b'"' || at(v, s + len + 1) != b':' {
        return None;
    }
    let mut k = s + len + 2;
    if at(v, k) == b'+' {
        k += 1;
    }
    let (_, k) = number(v, k, 8)?;
    (at(v, k) == b':' && at(v, k + 1) == b'{').then_some(k + 2)
}

/// The first serialized object in `v`.
fn find_object(v: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(off) = v
        .get(from..)?
        .iter()
        .position(|&b| matches!(b, b'O' | b'C' | b'o'))
    {
        let i = from + off;
        from = i + 1;
        if at(v, i + 1) != b':' || (i > 0 && at(v, i - 1).is_ascii_alphanumeric()) {
            continue;
        }
        if let Some(e) = object_at(v, i) {
            return Some((i, e));
        }
    }
    None
}

/// A serialized object in `v`.
pub(super) fn object(v: &[u8]) -> Option<Hit> {
    let (s, e) = find_object(v)?;
    Some(Hit::new(
        "php.object_injection",
        "PHP serialized object (O:<len>:\"Class\":<n>:{…}) for unserialize",
        s,
        e,
    ))
}

/// `v` as a whole is base64 of a serialized object (or of an array
/// holding one).
pub(super) fn encoded(v: &[u8]) -> Option<Hit> {
    let t = v.trim_ascii();
    // base64 of `O:`, `C:` or `a:` (an array holding objects).
    let b64 = t.len() >= 16
        && t.len() <= MAX_B64
        && [&b"Tzo"[..], b"Qzo", b"YTo"]
            .iter()
            .any(|p| t.starts_with(p));
    if b64 {
        if let Some(d) = UpToPad(Alphabet::Either).decode(t) {
            if find_object(&d).is_some() {
                return Some(Hit::new(
                    "php.object_injection",
                    "base64 of a PHP serialized object",
                    0,
                    v.len(),
                ));
            }
        }
    }
    None
}
