//! Trimming: HTTP optional whitespace, or the bytes of any [`ByteSet`].
//!
//! Each syntax has its own idea of whitespace, and the difference matters
//! (a form feed is whitespace to `u8::is_ascii_whitespace` and MIME, not to
//! JSON or HTTP), so the set is always named at the call site:
//! [`trim_ows`] for header values and cookies, `<[u8]>::trim_ascii` (std)
//! for `is_ascii_whitespace`, [`trim_with`] and [`ByteSet::JSON_WHITESPACE`]
//! for JSON.
//!
//! ```
//! use envoy_rasp::engine::bytes::{trim_ows, trim_with, ByteSet};
//!
//! assert_eq!(trim_ows(b" \tgzip, br \t"), b"gzip, br");
//! assert_eq!(trim_ows(b"\n a \n"), b"\n a \n");
//! assert_eq!(trim_with(b"\r\n 42\n", &ByteSet::JSON_WHITESPACE), b"42");
//! ```

use super::set::ByteSet;

/// `v` without leading and trailing spaces and tabs (RFC 9110 `OWS`).
#[inline]
pub fn trim_ows(v: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = v.iter().position(|b| !is_ows(b)).unwrap_or(v.len());
    let end = v.iter().rposition(|b| !is_ows(b)).map_or(start, |i| i + 1);
    v.get(start..end).unwrap_or_default()
}

/// `v` without leading and trailing bytes of `set`.
#[inline]
pub fn trim_with<'a>(v: &'a [u8], set: &ByteSet) -> &'a [u8] {
    trim_end_with(trim_start_with(v, set), set)
}

/// `v` without leading bytes of `set`.
#[inline]
pub fn trim_start_with<'a>(v: &'a [u8], set: &ByteSet) -> &'a [u8] {
    let start = v.iter().position(|&b| !set.contains(b)).unwrap_or(v.len());
    v.get(start..).unwrap_or_default()
}

/// `v` without trailing bytes of `set`.
#[inline]
pub fn trim_end_with<'a>(v: &'a [u8], set: &ByteSet) -> &'a [u8] {
    let end = v
        .iter()
        .rposition(|&b| !set.contains(b))
        .map_or(0, |i| i + 1);
    v.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims() {
        for ws in [&b""[..], b" ", b"\t", b" \t \t"] {
            assert_eq!(trim_ows(ws), b"");
            let padded = [ws, b"a b", ws].concat();
            assert_eq!(trim_ows(&padded), b"a b");
        }
        assert_eq!(trim_ows(b"\xa0a\xa0"), b"\xa0a\xa0", "no-break space stays");
        let set = ByteSet::of(b". ");
        assert_eq!(trim_with(b". a.b .", &set), b"a.b");
        assert_eq!(trim_start_with(b". a. ", &set), b"a. ");
        assert_eq!(trim_end_with(b". a. ", &set), b". a");
        assert_eq!(trim_with(b"...", &set), b"");
        assert_eq!(trim_end_with(b"", &set), b"");
        assert_eq!(
            trim_with(b"\x0c1\x0c", &ByteSet::JSON_WHITESPACE),
            b"\x0c1\x0c"
        );
    }

    #[test]
    fn agrees_with_std_trim_ascii() {
        let alphabet = [b' ', b'\t', b'\n', b'\r', 0x0c, b'a', 0x80, 0];
        for n in 0..4096u32 {
            let v: Vec<u8> = (0..(n % 9))
                .map(|k| alphabet[((n >> (k * 3 % 12)) as usize + k as usize) % 8])
                .collect();
            assert_eq!(trim_with(&v, &ByteSet::ASCII_WHITESPACE), v.trim_ascii());
            assert_eq!(trim_ows(&v), trim_with(&v, &ByteSet::OWS), "{v:?}");
        }
    }
}
