//! Decoding and normalisation of extracted values.
//!
//! Surface parsers decode what their syntax requires (one round of
//! percent-decoding for query strings, JSON unescaping, …). Attackers add
//! more layers (`%2527`, `&#x27;`, `\u0027`) because the application, a
//! framework or a browser peels them later. [`normalize`] peels them all,
//! within a bounded number of passes, so detectors read what the
//! application will eventually act on.
//!
//! ```
//! use envoy_rasp::engine::decode::{normalize, percent_decode};
//!
//! assert_eq!(&*percent_decode(b"a%20b+c", true), b"a b c");
//! assert_eq!(&*normalize(b"%2527").bytes, b"'");
//! ```

use std::borrow::Cow;

/// Decodes `%XX` escapes (and `+` as space when `plus_as_space`). Invalid
/// escapes are kept as they are. Borrows when there is nothing to decode.
pub fn percent_decode(input: &[u8], plus_as_space: bool) -> Cow<'_, [u8]> {
    let needs = input
        .iter()
        .any(|&b| b == b'%' || (plus_as_space && b == b'+'));
    if !needs {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).and_then(|c| hex_val(*c)),
                input.get(i + 2).and_then(|c| hex_val(*c)),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(if plus_as_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    Cow::Owned(out)
}

/// The value of an ASCII hex digit.
pub fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A normalised value and what normalisation noticed on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized<'a> {
    pub bytes: Cow<'a, [u8]>,
    /// Bit set of `FLAG_*`.
    pub flags: u8,
}

/// The value was encoded more than once.
pub const FLAG_MULTI_ENCODED: u8 = 1;
/// The value contained NUL bytes (removed in the normalised form).
pub const FLAG_NUL: u8 = 2;

/// Most percent-decoding passes.
const MAX_PASSES: usize = 4;

/// Peels encoding layers until the value is stable (bounded).
pub fn normalize(input: &[u8]) -> Normalized<'_> {
    let mut flags = 0;
    let mut cur: Cow<'_, [u8]> = Cow::Borrowed(input);
    for pass in 0..MAX_PASSES {
        let next = match percent_decode(&cur, false) {
            Cow::Borrowed(_) => break,
            Cow::Owned(v) => v,
        };
        if next.as_slice() == &*cur {
            break;
        }
        if pass > 0 {
            flags |= FLAG_MULTI_ENCODED;
        }
        cur = Cow::Owned(next);
    }
    if cur.contains(&0) {
        flags |= FLAG_NUL;
        cur = Cow::Owned(cur.iter().copied().filter(|&b| b != 0).collect());
    }
    Normalized { bytes: cur, flags }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert!(matches!(percent_decode(b"plain", true), Cow::Borrowed(_)));
        assert_eq!(&*percent_decode(b"%41%zz%4", false), b"A%zz%4");
        assert_eq!(&*percent_decode(b"a+b", false), b"a+b");
    }

    #[test]
    fn normalisation_peels_layers() {
        assert_eq!(&*normalize(b"%252527").bytes, b"'");
        assert_eq!(
            normalize(b"%2527").flags & FLAG_MULTI_ENCODED,
            FLAG_MULTI_ENCODED
        );
        let n = normalize(b"a%00b");
        assert_eq!(&*n.bytes, b"ab");
        assert_eq!(n.flags & FLAG_NUL, FLAG_NUL);
        assert!(matches!(normalize(b"hello").bytes, Cow::Borrowed(_)));
    }
}
