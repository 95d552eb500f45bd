//! Byte sets and byte maps: 256-entry tables built at compile time.
//!
//! A table lookup is the fastest way to ask "is this byte one of those"
//! (one load, no branch), so the parsers and detectors classify bytes
//! through them. They are built by `const` evaluation: [`byte_set!`] and
//! [`byte_map!`] take the predicate or the value of each byte as an
//! expression, so a table reads like the `match` it replaces and costs
//! nothing at run time. The indexing that builds them happens here, once,
//! during compilation (an out-of-range index there is a build error).
//!
//! ```
//! use envoy_rasp::engine::bytes::ByteSet;
//!
//! static QUOTES: ByteSet = ByteSet::of(b"\"'`");
//! assert!(QUOTES.contains(b'`'));
//! assert!(!QUOTES.contains(b'a'));
//! assert!(ByteSet::OWS.contains(b'\t') && !ByteSet::OWS.contains(b'\n'));
//! ```

use std::fmt;

/// A set of bytes: one `bool` per byte value. 256 bytes rather than a
/// 32-byte bitmap: [`contains`](ByteSet::contains) is then one load with
/// no shift or mask, which is what the per-byte loops want.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ByteSet([bool; 256]);

// The builders index a `[_; 256]` with a `u8`: always in range, and only
// evaluated by the compiler (every table is a `static` or a `const`).
#[allow(clippy::indexing_slicing)]
impl ByteSet {
    /// No byte.
    pub const EMPTY: ByteSet = ByteSet([false; 256]);
    /// Every byte.
    pub const ALL: ByteSet = ByteSet([true; 256]);
    /// HTTP optional whitespace (RFC 9110 `OWS`): space and tab.
    pub const OWS: ByteSet = ByteSet::of(b" \t");
    /// `u8::is_ascii_whitespace`: space, tab, LF, form feed, CR.
    pub const ASCII_WHITESPACE: ByteSet = ByteSet::of(b" \t\n\x0c\r");
    /// JSON whitespace (RFC 8259): space, tab, LF, CR (no form feed).
    pub const JSON_WHITESPACE: ByteSet = ByteSet::of(b" \t\n\r");
    /// `0-9`.
    pub const DIGIT: ByteSet = ByteSet::range(b'0', b'9');
    /// `0-9`, `a-f`, `A-F`.
    pub const HEX_DIGIT: ByteSet = ByteSet::range(b'0', b'9')
        .union(&ByteSet::range(b'a', b'f'))
        .union(&ByteSet::range(b'A', b'F'));
    /// Bytes ≥ 0x80 (UTF-8 lead and continuation bytes).
    pub const NON_ASCII: ByteSet = ByteSet::range(0x80, 0xff);

    /// The bytes of `bytes`.
    pub const fn of(bytes: &[u8]) -> ByteSet {
        let mut set = ByteSet::EMPTY;
        let mut i = 0;
        while i < bytes.len() {
            set.0[bytes[i] as usize] = true;
            i += 1;
        }
        set
    }

    /// The bytes `lo..=hi` (empty when `lo > hi`).
    pub const fn range(lo: u8, hi: u8) -> ByteSet {
        let mut set = ByteSet::EMPTY;
        let mut b = lo as usize;
        while b <= hi as usize {
            set.0[b] = true;
            b += 1;
        }
        set
    }

    /// This set and `b`.
    pub const fn with(mut self, b: u8) -> ByteSet {
        self.0[b as usize] = true;
        self
    }

    /// This set without `b`.
    pub const fn without(mut self, b: u8) -> ByteSet {
        self.0[b as usize] = false;
        self
    }

    /// The bytes in this set or in `other`.
    pub const fn union(mut self, other: &ByteSet) -> ByteSet {
        let mut i = 0;
        while i < 256 {
            self.0[i] |= other.0[i];
            i += 1;
        }
        self
    }

    /// The bytes not in this set.
    pub const fn complement(mut self) -> ByteSet {
        let mut i = 0;
        while i < 256 {
            self.0[i] = !self.0[i];
            i += 1;
        }
        self
    }
}

impl ByteSet {
    /// Whether `b` is in the set: one load (the index cannot be out of
    /// range, so the bounds check folds away).
    #[inline]
    pub fn contains(&self, b: u8) -> bool {
        self.0.get(usize::from(b)).copied().unwrap_or(false)
    }

    /// How many bytes the set holds.
    pub fn len(&self) -> usize {
        self.0.iter().filter(|&&x| x).count()
    }

    /// Whether the set holds no byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every byte of `s` is in the set (true for an empty `s`).
    #[inline]
    pub fn all(&self, s: &[u8]) -> bool {
        s.iter().all(|&b| self.contains(b))
    }
}

impl fmt::Debug for ByteSet {
    /// The members as escaped bytes: `ByteSet(b"\t ")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let members: Vec<u8> = (0..=255u8).filter(|&b| self.contains(b)).collect();
        write!(f, "ByteSet(b\"{}\")", members.escape_ascii())
    }
}

/// A value per byte (a class bit set, a digit value, …).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ByteMap<T: Copy>([T; 256]);

// As for `ByteSet`: a `u8` index into `[_; 256]`, at compile time.
#[allow(clippy::indexing_slicing)]
impl<T: Copy> ByteMap<T> {
    /// Every byte maps to `v`.
    pub const fn filled(v: T) -> ByteMap<T> {
        ByteMap([v; 256])
    }

    /// This map with `b` mapped to `v`.
    pub const fn with(mut self, b: u8, v: T) -> ByteMap<T> {
        self.0[b as usize] = v;
        self
    }

    /// This map with every byte of `set` mapped to `v`.
    pub const fn with_set(mut self, set: &ByteSet, v: T) -> ByteMap<T> {
        let mut i = 0;
        while i < 256 {
            if set.0[i] {
                self.0[i] = v;
            }
            i += 1;
        }
        self
    }
}

impl<T: Copy + Default> ByteMap<T> {
    /// The value of `b`: one load (the default is never reached).
    #[inline]
    pub fn get(&self, b: u8) -> T {
        self.0.get(usize::from(b)).copied().unwrap_or_default()
    }
}

impl<T: Copy + fmt::Debug + PartialEq> fmt::Debug for ByteMap<T> {
    /// Runs of bytes with the same value: `ByteMap { 0x00..=0x2f: 0, … }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        let mut start = 0usize;
        for i in 1..=256usize {
            let same = i < 256 && self.0.get(i) == self.0.get(start);
            if !same {
                if let Some(v) = self.0.get(start) {
                    m.entry(&format_args!("{start:#04x}..={:#04x}", i - 1), v);
                }
                start = i;
            }
        }
        m.finish()
    }
}

/// A [`ByteSet`] of the bytes for which a predicate holds, evaluated at
/// compile time: `static WORD: ByteSet = byte_set!(|b| b.is_ascii_alphanumeric() || b == b'_');`.
/// The predicate is any `const`-evaluable expression over `b: u8`
/// (`matches!`, `u8::is_ascii_*`, comparisons).
macro_rules! byte_set {
    (|$b:ident| $pred:expr) => {{
        let mut set = $crate::engine::bytes::ByteSet::EMPTY;
        let mut i: usize = 0;
        while i < 256 {
            let $b = i as u8;
            if $pred {
                set = set.with($b);
            }
            i += 1;
        }
        set
    }};
}
pub(crate) use byte_set;

/// A [`ByteMap`] of the value of an expression for each byte, evaluated at
/// compile time: `static CLASS: ByteMap<u8> = byte_map!(|b| match b { b'<' => 1, _ => 0 });`.
macro_rules! byte_map {
    (|$b:ident| $value:expr) => {{
        let mut map = $crate::engine::bytes::ByteMap::filled({
            let $b = 0u8;
            $value
        });
        let mut i: usize = 1;
        while i < 256 {
            let $b = i as u8;
            map = map.with($b, $value);
            i += 1;
        }
        map
    }};
}
pub(crate) use byte_map;

#[cfg(test)]
mod tests {
    use super::*;

    static WORD: ByteSet = byte_set!(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80);
    static CLASS: ByteMap<u8> = byte_map!(|b| match b {
        b'<' => 1,
        b'=' => 2,
        0x80..=0xff => 4,
        _ => 0,
    });

    #[test]
    fn sets_match_their_predicates() {
        for b in 0..=255u8 {
            assert_eq!(
                WORD.contains(b),
                b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
            );
            assert_eq!(
                ByteSet::ASCII_WHITESPACE.contains(b),
                b.is_ascii_whitespace()
            );
            assert_eq!(ByteSet::HEX_DIGIT.contains(b), b.is_ascii_hexdigit());
            assert_eq!(ByteSet::DIGIT.contains(b), b.is_ascii_digit());
            assert_eq!(ByteSet::NON_ASCII.contains(b), !b.is_ascii());
            assert_eq!(
                ByteSet::JSON_WHITESPACE.contains(b),
                matches!(b, b' ' | b'\t' | b'\n' | b'\r')
            );
            assert_eq!(ByteSet::OWS.contains(b), matches!(b, b' ' | b'\t'));
            assert!(ByteSet::ALL.contains(b) && !ByteSet::EMPTY.contains(b));
        }
    }

    #[test]
    fn set_algebra() {
        let s = ByteSet::of(b"abc");
        assert_eq!(s.len(), 3);
        assert!(ByteSet::EMPTY.is_empty());
        assert_eq!(s.complement().len(), 253);
        assert_eq!(s.complement().complement(), s);
        assert_eq!(s.with(b'd').without(b'a'), ByteSet::of(b"bcd"));
        assert_eq!(s.union(&ByteSet::of(b"cde")), ByteSet::range(b'a', b'e'));
        assert!(ByteSet::range(b'z', b'a').is_empty());
        assert_eq!(ByteSet::range(0, 255), ByteSet::ALL);
        assert_eq!(ByteSet::of(b""), ByteSet::EMPTY);
        assert!(s.all(b"cab") && s.all(b"") && !s.all(b"abd"));
        assert_eq!(format!("{:?}", ByteSet::OWS), "ByteSet(b\"\\t \")");
    }

    #[test]
    fn maps_match_their_expressions() {
        assert_eq!(CLASS.get(0), 0);
        assert_eq!(CLASS.get(b'<'), 1);
        assert_eq!(CLASS.get(b'='), 2);
        assert_eq!(CLASS.get(0xff), 4);
        assert_eq!(CLASS.get(b'a'), 0);
        let m = ByteMap::filled(0u16)
            .with_set(&ByteSet::DIGIT, 7)
            .with(b'5', 9);
        assert_eq!((m.get(b'4'), m.get(b'5'), m.get(b'x')), (7, 9, 0));
        let dbg = format!("{CLASS:?}");
        assert!(dbg.starts_with("{0x00..=0x3b: 0, 0x3c..=0x3c: 1,"), "{dbg}");
        assert!(dbg.ends_with(" 0x80..=0xff: 4}"), "{dbg}");
    }
}
