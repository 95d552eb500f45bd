//! Decoding and normalisation of extracted values.
//!
//! Surface parsers decode what their syntax requires (one round of
//! percent-decoding for query strings, JSON unescaping, …). Attackers add
//! more layers (`%2527`, `&#x27;`, `\u0027`, `%c0%af`) because the
//! application, a framework or a browser peels them later. [`normalize`]
//! peels them all, within a bounded number of passes, so detectors read
//! what the application will eventually act on.
//!
//! One pass decodes, left to right and in a single sweep:
//!
//! * `%XX` and IIS `%uXXXX` (surrogate pairs joined);
//! * HTML character references: named (a compact table of the ones that
//!   matter for injection: `&lt;`, `&colon;`, `&lpar;`, `&Tab;`, …; the
//!   legacy ones such as `&lt` also without `;`), decimal `&#39;` and hex
//!   `&#x27;`, with or without `;`;
//! * `\uXXXX` (surrogate pairs joined), `\u{X…}` and `\xXX`; `\\` is kept
//!   as it is, so `\\u0027` stays literal;
//! * overlong UTF-8 forms of ASCII (`C0 AF` → `/`, `E0 80 AE` → `.`) and
//!   fullwidth ASCII (`＜` U+FF1C → `<`), which lenient decoders and
//!   "best fit" mappings turn into their ASCII meaning;
//! * NUL bytes are removed (and flagged); other invalid UTF-8 is kept as
//!   bytes and flagged, never an error.
//!
//! Passes repeat until a pass changes nothing, at most [`MAX_PASSES`]
//! times; every decoding shrinks its input, so the result is never longer
//! than the input and the work is bounded by `MAX_PASSES + 1` linear
//! sweeps. When the input needs no decoding (the common case) the first
//! sweep is a word-at-a-time scan for the trigger bytes (`%`, `&`, `\`,
//! NUL, bytes ≥ 0x80) and nothing is allocated.
//!
//! Case is not folded here (that would copy almost every value); detectors
//! match keywords with the case-insensitive helpers of
//! [`bytes`](crate::engine::bytes) (`eq_ci`, `find_ci`).
//!
//! ```
//! use envoy_rasp::engine::decode::{normalize, percent_decode, FLAG_OVERLONG};
//! use std::borrow::Cow;
//!
//! assert_eq!(&*percent_decode(b"a%20b+c", true), b"a b c");
//! assert_eq!(&*normalize(b"%2527").bytes, b"'");
//! assert_eq!(&*normalize(b"javascript&colon;alert&lpar;1&rpar;").bytes, b"javascript:alert(1)");
//! let n = normalize(b"..%c0%af..%c0%afetc");
//! assert_eq!(&*n.bytes, b"../../etc");
//! assert!(n.flags & FLAG_OVERLONG != 0);
//! // Nothing to decode: borrowed, no allocation.
//! assert!(matches!(normalize(b"O'Brien & sons").bytes, Cow::Borrowed(_)));
//! ```

use std::borrow::Cow;

use super::bytes::swar::{has_byte, high_mask, load};
use super::bytes::{find_byte, find_byte2, hex};

/// Decodes `%XX` escapes (and `+` as space when `plus_as_space`). Invalid
/// escapes are kept as they are. Borrows when there is nothing to decode.
pub fn percent_decode(input: &[u8], plus_as_space: bool) -> Cow<'_, [u8]> {
    let first = if plus_as_space {
        find_byte2(input, 0, b'%', b'+')
    } else {
        find_byte(input, 0, b'%')
    };
    let Some(first) = first else {
        return Cow::Borrowed(input);
    };
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(input.get(..first).unwrap_or_default());
    let mut i = first;
    while let Some(&b) = input.get(i) {
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).and_then(|c| hex::val(*c)),
                input.get(i + 2).and_then(|c| hex::val(*c)),
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

/// A normalised value and what normalisation noticed on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized<'a> {
    pub bytes: Cow<'a, [u8]>,
    /// Bit set of `FLAG_*`.
    pub flags: u8,
}

/// The value was encoded more than once (more than one pass changed it).
pub const FLAG_MULTI_ENCODED: u8 = 1;
/// The value contained NUL bytes (removed in the normalised form).
pub const FLAG_NUL: u8 = 2;
/// Overlong UTF-8 (`C0 AF`, `E0 80 AF`, …) was seen; the forms of ASCII
/// characters were decoded to them.
pub const FLAG_OVERLONG: u8 = 4;
/// Invalid UTF-8 other than decodable overlong forms (kept as bytes).
pub const FLAG_INVALID_UTF8: u8 = 8;
/// Still encoded after [`MAX_PASSES`] passes (the result is partial).
pub const FLAG_TOO_DEEP: u8 = 16;
/// IIS `%uXXXX` escapes were decoded.
pub const FLAG_PERCENT_U: u8 = 32;
/// Fullwidth forms of ASCII (U+FF01..U+FF5E) were mapped to ASCII.
pub const FLAG_FULLWIDTH: u8 = 64;
/// HTML character references were decoded.
pub const FLAG_ENTITY: u8 = 128;

/// Most decoding passes.
pub const MAX_PASSES: usize = 4;

/// Options of [`normalize_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The value comes from a form-encoded surface (query, form body): in a
    /// pass that also decodes `%XX` escapes (the value carries another
    /// layer of URL encoding), `+` is read as a space, as that layer's
    /// decoder will.
    pub plus_as_space: bool,
}

/// Peels encoding layers until the value is stable (bounded). Borrows the
/// input when nothing changes. See the [module docs](self).
pub fn normalize(input: &[u8]) -> Normalized<'_> {
    normalize_with(input, Options::default())
}

/// [`normalize`] with options.
pub fn normalize_with(input: &[u8], opts: Options) -> Normalized<'_> {
    if is_plain(input, opts.plus_as_space) {
        return Normalized {
            bytes: Cow::Borrowed(input),
            flags: 0,
        };
    }
    let mut flags = 0;
    let mut cur: Cow<'_, [u8]> = Cow::Borrowed(input);
    for p in 0..MAX_PASSES {
        match pass(&cur, opts, &mut flags) {
            None => return Normalized { bytes: cur, flags },
            Some(next) => {
                if p > 0 {
                    flags |= FLAG_MULTI_ENCODED;
                }
                cur = Cow::Owned(next);
            }
        }
    }
    // One more sweep only to tell whether layers are left.
    let mut probe = 0;
    if pass(&cur, opts, &mut probe).is_some() {
        flags |= FLAG_TOO_DEEP;
    }
    Normalized { bytes: cur, flags }
}

/// The fast path: no escape introducer or NUL, and either pure ASCII or
/// valid UTF-8 (checked by the standard library's vectorised validator)
/// without fullwidth forms (`EF BC xx` / `EF BD xx`).
fn is_plain(input: &[u8], plus: bool) -> bool {
    let mut high = false;
    let mut chunks = input.chunks_exact(8);
    for c in chunks.by_ref() {
        let w = load(c);
        high |= high_mask(w) != 0;
        if has_byte(w, 0)
            || has_byte(w, b'%')
            || has_byte(w, b'&')
            || has_byte(w, b'\\')
            || (plus && has_byte(w, b'+'))
        {
            return false;
        }
    }
    for &b in chunks.remainder() {
        if matches!(b, b'%' | b'&' | b'\\' | 0) || (plus && b == b'+') {
            return false;
        }
        high |= b >= 0x80;
    }
    if !high {
        return true;
    }
    if std::str::from_utf8(input).is_err() {
        return false;
    }
    let mut i = 0;
    while let Some(k) = find_byte(input, i, 0xEF) {
        if matches!(input.get(k + 1), Some(0xBC | 0xBD)) {
            return false;
        }
        i = k + 1;
    }
    true
}

/// True when [`normalize`] could change `input` (it contains a trigger
/// byte). A false answer is exact: nothing would change.
pub fn may_need_normalize(input: &[u8]) -> bool {
    next_trigger(input, 0, false).is_some()
}

#[inline]
fn is_trigger(b: u8, plus: bool) -> bool {
    matches!(b, b'%' | b'&' | b'\\' | 0) || b >= 0x80 || (plus && b == b'+')
}

/// The first position ≥ `from` holding a byte a pass may decode.
///
/// Its own word loop (from the toolkit's `swar` tests) rather than the
/// toolkit's searches: five trigger bytes plus "any byte ≥ 0x80" in one
/// pass, where `find_byte3` would need two.
#[inline]
fn next_trigger(input: &[u8], from: usize, plus: bool) -> Option<usize> {
    let rest = input.get(from..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut base = from;
    for c in chunks.by_ref() {
        let w = load(c);
        if high_mask(w) != 0
            || has_byte(w, 0)
            || has_byte(w, b'%')
            || has_byte(w, b'&')
            || has_byte(w, b'\\')
            || (plus && has_byte(w, b'+'))
        {
            if let Some(k) = c.iter().position(|&b| is_trigger(b, plus)) {
                return Some(base + k);
            }
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| is_trigger(b, plus))
        .map(|k| base + k)
}

/// A replacement of at most four bytes.
#[derive(Clone, Copy)]
struct Repl {
    buf: [u8; 4],
    len: u8,
}

impl Repl {
    const EMPTY: Repl = Repl {
        buf: [0; 4],
        len: 0,
    };

    fn byte(b: u8, flags: &mut u8) -> Repl {
        if b == 0 {
            *flags |= FLAG_NUL;
            return Repl::EMPTY;
        }
        Repl {
            buf: [b, 0, 0, 0],
            len: 1,
        }
    }

    /// A code point as UTF-8; NUL is dropped, fullwidth ASCII mapped.
    fn char(cp: u32, flags: &mut u8) -> Repl {
        let cp = fold_fullwidth(cp, flags);
        if cp < 0x80 {
            return Repl::byte(cp as u8, flags);
        }
        let c = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut buf = [0u8; 4];
        let len = c.encode_utf8(&mut buf).len() as u8;
        Repl { buf, len }
    }

    fn bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }
}

fn fold_fullwidth(cp: u32, flags: &mut u8) -> u32 {
    if (0xFF01..=0xFF5E).contains(&cp) {
        *flags |= FLAG_FULLWIDTH;
        cp - 0xFEE0
    } else {
        cp
    }
}

/// Output of one pass, allocated at the first change only.
struct Out<'a> {
    src: &'a [u8],
    buf: Option<Vec<u8>>,
    /// `src[..copied]` is already in `buf` (or unchanged).
    copied: usize,
}

impl Out<'_> {
    fn replace(&mut self, at: usize, consumed: usize, with: &[u8]) {
        let buf = self
            .buf
            .get_or_insert_with(|| Vec::with_capacity(self.src.len()));
        buf.extend_from_slice(self.src.get(self.copied..at).unwrap_or_default());
        buf.extend_from_slice(with);
        self.copied = at + consumed;
    }

    fn finish(self) -> Option<Vec<u8>> {
        let mut buf = self.buf?;
        buf.extend_from_slice(self.src.get(self.copied..).unwrap_or_default());
        Some(buf)
    }
}

/// One decoding sweep; `None` when nothing changed.
fn pass(input: &[u8], opts: Options, flags: &mut u8) -> Option<Vec<u8>> {
    let plus = opts.plus_as_space && has_percent_escape(input);
    let mut out = Out {
        src: input,
        buf: None,
        copied: 0,
    };
    let mut i = 0;
    while let Some(j) = next_trigger(input, i, plus) {
        let Some(&b) = input.get(j) else { break };
        let (consumed, repl) = match b {
            b'%' => percent_at(input, j, flags),
            b'&' => entity_at(input, j, flags),
            b'\\' => backslash_at(input, j, flags),
            b'+' => (1, Some(Repl::byte(b' ', flags))),
            0 => (1, Some(Repl::byte(0, flags))),
            _ => utf8_at(input, j, flags),
        };
        if let Some(r) = repl {
            out.replace(j, consumed, r.bytes());
        }
        i = j + consumed.max(1);
    }
    out.finish()
}

fn has_percent_escape(input: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = find_byte(input, i, b'%') {
        if input.get(at + 1).and_then(|c| hex::val(*c)).is_some()
            && input.get(at + 2).and_then(|c| hex::val(*c)).is_some()
        {
            return true;
        }
        i = at + 1;
    }
    false
}

fn is_high_surrogate(cp: u32) -> bool {
    (0xD800..=0xDBFF).contains(&cp)
}

fn is_low_surrogate(cp: u32) -> bool {
    (0xDC00..=0xDFFF).contains(&cp)
}

fn join_surrogates(hi: u32, lo: u32) -> u32 {
    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
}

/// A four-hex-digit escape (`%uXXXX` / `\uXXXX`, `intro` = its two-byte
/// introducer) at `at`, joining a following low surrogate.
fn u_escape(input: &[u8], at: usize, intro: [u8; 2], flags: &mut u8) -> Option<(usize, Repl)> {
    let cp = hex::fixed(input, at + 2, 4)?;
    if is_high_surrogate(cp) {
        let next = input.get(at + 6..at + 8)?;
        let lo_intro = next.first().copied() == Some(intro[0])
            && next
                .get(1)
                .is_some_and(|c| c.eq_ignore_ascii_case(&intro[1]));
        if !lo_intro {
            return None;
        }
        let lo = hex::fixed(input, at + 8, 4)?;
        if !is_low_surrogate(lo) {
            return None;
        }
        return Some((12, Repl::char(join_surrogates(cp, lo), flags)));
    }
    if is_low_surrogate(cp) {
        return None;
    }
    Some((6, Repl::char(cp, flags)))
}

fn percent_at(input: &[u8], j: usize, flags: &mut u8) -> (usize, Option<Repl>) {
    if matches!(input.get(j + 1), Some(b'u' | b'U')) {
        if let Some((n, r)) = u_escape(input, j, [b'%', b'u'], flags) {
            *flags |= FLAG_PERCENT_U;
            return (n, Some(r));
        }
        return (1, None);
    }
    match (
        input.get(j + 1).and_then(|c| hex::val(*c)),
        input.get(j + 2).and_then(|c| hex::val(*c)),
    ) {
        (Some(h), Some(l)) => (3, Some(Repl::byte(h << 4 | l, flags))),
        _ => (1, None),
    }
}

fn backslash_at(input: &[u8], j: usize, flags: &mut u8) -> (usize, Option<Repl>) {
    match input.get(j + 1) {
        // An escaped backslash: what follows is literal.
        Some(b'\\') => (2, None),
        Some(b'u') => {
            if input.get(j + 2) == Some(&b'{') {
                // \u{X…}: one to six hex digits.
                let mut cp = 0u32;
                let mut k = j + 3;
                while let Some(d) = input.get(k).and_then(|c| hex::val(*c)) {
                    if k - (j + 3) >= 6 {
                        return (1, None);
                    }
                    cp = cp << 4 | u32::from(d);
                    k += 1;
                }
                if k == j + 3 || input.get(k) != Some(&b'}') || cp > 0x10FFFF {
                    return (1, None);
                }
                if is_high_surrogate(cp) || is_low_surrogate(cp) {
                    return (1, None);
                }
                return (k + 1 - j, Some(Repl::char(cp, flags)));
            }
            match u_escape(input, j, [b'\\', b'u'], flags) {
                Some((n, r)) => (n, Some(r)),
                None => (1, None),
            }
        }
        Some(b'x') => match hex::fixed(input, j + 2, 2) {
            Some(v) => (4, Some(Repl::byte(v as u8, flags))),
            None => (1, None),
        },
        _ => (1, None),
    }
}

/// Named character references: name, replacement, and whether HTML
/// decodes it without the `;` (the legacy ones).
const ENTITIES: &[(&[u8], &str, bool)] = &[
    (b"lt", "<", true),
    (b"gt", ">", true),
    (b"amp", "&", true),
    (b"quot", "\"", true),
    (b"LT", "<", true),
    (b"GT", ">", true),
    (b"AMP", "&", true),
    (b"QUOT", "\"", true),
    (b"apos", "'", false),
    (b"nbsp", "\u{a0}", true),
    (b"colon", ":", false),
    (b"semi", ";", false),
    (b"comma", ",", false),
    (b"period", ".", false),
    (b"lpar", "(", false),
    (b"rpar", ")", false),
    (b"lsqb", "[", false),
    (b"rsqb", "]", false),
    (b"lbrack", "[", false),
    (b"rbrack", "]", false),
    (b"lcub", "{", false),
    (b"rcub", "}", false),
    (b"lbrace", "{", false),
    (b"rbrace", "}", false),
    (b"sol", "/", false),
    (b"bsol", "\\", false),
    (b"Tab", "\t", false),
    (b"NewLine", "\n", false),
    (b"excl", "!", false),
    (b"quest", "?", false),
    (b"num", "#", false),
    (b"dollar", "$", false),
    (b"percnt", "%", false),
    (b"equals", "=", false),
    (b"plus", "+", false),
    (b"ast", "*", false),
    (b"midast", "*", false),
    (b"commat", "@", false),
    (b"grave", "`", false),
    (b"DiacriticalGrave", "`", false),
    (b"Hat", "^", false),
    (b"lowbar", "_", false),
    (b"UnderBar", "_", false),
    (b"verbar", "|", false),
    (b"vert", "|", false),
    (b"VerticalLine", "|", false),
    (b"hyphen", "\u{2010}", false),
    (b"dash", "\u{2010}", false),
    (b"copy", "\u{a9}", true),
    (b"reg", "\u{ae}", true),
    (b"shy", "\u{ad}", true),
    (b"laquo", "\u{ab}", true),
    (b"raquo", "\u{bb}", true),
    (b"lsquo", "\u{2018}", false),
    (b"rsquo", "\u{2019}", false),
    (b"ldquo", "\u{201c}", false),
    (b"rdquo", "\u{201d}", false),
    (b"ndash", "\u{2013}", false),
    (b"mdash", "\u{2014}", false),
    (b"hellip", "\u{2026}", false),
    (b"middot", "\u{b7}", true),
    (b"times", "\u{d7}", true),
    (b"divide", "\u{f7}", true),
    (b"deg", "\u{b0}", true),
    (b"euro", "\u{20ac}", false),
    (b"pound", "\u{a3}", true),
    (b"cent", "\u{a2}", true),
    (b"yen", "\u{a5}", true),
    (b"sect", "\u{a7}", true),
    (b"para", "\u{b6}", true),
    (b"bull", "\u{2022}", false),
    (b"trade", "\u{2122}", false),
    (b"zwj", "\u{200d}", false),
    (b"zwnj", "\u{200c}", false),
];

fn entity_at(input: &[u8], j: usize, flags: &mut u8) -> (usize, Option<Repl>) {
    let Some(&next) = input.get(j + 1) else {
        return (1, None);
    };
    if next == b'#' {
        return numeric_entity(input, j, flags);
    }
    if !next.is_ascii_alphabetic() {
        return (1, None);
    }
    let start = j + 1;
    let mut end = start;
    while input.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
        end += 1;
        if end - start > 32 {
            return (end - j, None);
        }
    }
    let name = input.get(start..end).unwrap_or_default();
    let semi = input.get(end) == Some(&b';');
    let Some(&(_, value, legacy)) = ENTITIES.iter().find(|(n, _, _)| *n == name) else {
        return (end - j, None);
    };
    // Without `;` only the legacy names decode, and (as in attribute
    // values) not before `=`: `?a=1&lt=2` stays a query string.
    if !semi && (!legacy || input.get(end) == Some(&b'=')) {
        return (end - j, None);
    }
    *flags |= FLAG_ENTITY;
    let mut r = Repl::EMPTY;
    let v = value.as_bytes();
    if let Some(dst) = r.buf.get_mut(..v.len()) {
        dst.copy_from_slice(v);
        r.len = v.len() as u8;
    }
    if r.len == 1 {
        r = Repl::byte(r.buf[0], flags);
    }
    (end - j + usize::from(semi), Some(r))
}

fn numeric_entity(input: &[u8], j: usize, flags: &mut u8) -> (usize, Option<Repl>) {
    let hex = matches!(input.get(j + 2), Some(b'x' | b'X'));
    let start = if hex { j + 3 } else { j + 2 };
    let mut k = start;
    let mut cp: u32 = 0;
    while let Some(&c) = input.get(k) {
        let d = if hex {
            hex::val(c)
        } else if c.is_ascii_digit() {
            Some(c - b'0')
        } else {
            None
        };
        let Some(d) = d else { break };
        let base = if hex { 16 } else { 10 };
        cp = cp.saturating_mul(base).saturating_add(u32::from(d));
        k += 1;
    }
    if k == start {
        return (1, None);
    }
    let semi = input.get(k) == Some(&b';');
    // As HTML: NUL, surrogates and out-of-range values become U+FFFD.
    let cp = if cp == 0 || cp > 0x10FFFF || is_high_surrogate(cp) || is_low_surrogate(cp) {
        0xFFFD
    } else {
        cp
    };
    *flags |= FLAG_ENTITY;
    (k - j + usize::from(semi), Some(Repl::char(cp, flags)))
}

fn is_cont(b: Option<&u8>) -> bool {
    b.is_some_and(|&c| c & 0xC0 == 0x80)
}

/// A byte ≥ 0x80 at `j`: skip valid UTF-8, decode overlong ASCII and
/// fullwidth forms, flag the rest.
fn utf8_at(input: &[u8], j: usize, flags: &mut u8) -> (usize, Option<Repl>) {
    let Some(&b0) = input.get(j) else {
        return (1, None);
    };
    let len = match b0 {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        0xF8..=0xFB => 5,
        0xFC..=0xFD => 6,
        _ => {
            *flags |= FLAG_INVALID_UTF8;
            return (1, None);
        }
    };
    if !(1..len).all(|k| is_cont(input.get(j + k))) {
        *flags |= FLAG_INVALID_UTF8;
        return (1, None);
    }
    let lead_bits = u32::from(b0) & (0x7F >> len);
    let mut cp = lead_bits;
    for k in 1..len {
        cp = cp << 6 | u32::from(input.get(j + k).copied().unwrap_or(0) & 0x3F);
    }
    let min = match len {
        2 => 0x80,
        3 => 0x800,
        4 => 0x10000,
        _ => 0x11_0000, // 5- and 6-byte forms are never valid
    };
    if cp < min {
        *flags |= FLAG_OVERLONG;
        if cp < 0x80 {
            return (len, Some(Repl::byte(cp as u8, flags)));
        }
        *flags |= FLAG_INVALID_UTF8;
        return (len, None);
    }
    if len > 4 || cp > 0x10FFFF || is_high_surrogate(cp) || is_low_surrogate(cp) {
        *flags |= FLAG_INVALID_UTF8;
        return (len, None);
    }
    if (0xFF01..=0xFF5E).contains(&cp) {
        return (len, Some(Repl::char(cp, flags)));
    }
    (len, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::bytes::testing::Rng;

    fn n(s: &[u8]) -> Vec<u8> {
        normalize(s).bytes.into_owned()
    }

    #[test]
    fn percent_decoding() {
        assert!(matches!(percent_decode(b"plain", true), Cow::Borrowed(_)));
        assert_eq!(&*percent_decode(b"%41%zz%4", false), b"A%zz%4");
        assert_eq!(&*percent_decode(b"a+b", false), b"a+b");
        assert_eq!(&*percent_decode(b"a+b%2b", true), b"a b+");
    }

    #[test]
    fn normalisation_peels_layers() {
        assert_eq!(&*normalize(b"%252527").bytes, b"'");
        assert_eq!(
            normalize(b"%2527").flags & FLAG_MULTI_ENCODED,
            FLAG_MULTI_ENCODED
        );
        let r = normalize(b"a%00b");
        assert_eq!(&*r.bytes, b"ab");
        assert_eq!(r.flags & FLAG_NUL, FLAG_NUL);
        assert!(matches!(normalize(b"hello").bytes, Cow::Borrowed(_)));
    }

    #[test]
    fn borrowed_when_unchanged() {
        for v in [
            &b""[..],
            b"plain ascii text with spaces",
            b"rock & roll",
            b"100% sure",
            b"50%",
            b"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
            b"C:\\Users\\bob",
            b"a\\\\u0027",
            b"AT&T",
            b"&unknown;",
            b"\xff\xfe binary",
        ] {
            let r = normalize(v);
            assert!(matches!(r.bytes, Cow::Borrowed(_)), "{v:?}");
        }
        assert_eq!(normalize(b"\xff").flags, FLAG_INVALID_UTF8);
    }

    #[test]
    fn iis_unicode() {
        assert_eq!(n(b"%u0027%u003c"), b"'<");
        assert_eq!(n(b"%uFF1Cscript%uff1e"), b"<script>");
        assert_eq!(n(b"%uD83D%uDE00"), "😀".as_bytes());
        assert_eq!(n(b"%uD83Dx"), b"%uD83Dx");
        assert_eq!(n(b"%u00"), b"%u00");
        assert!(normalize(b"%u0027").flags & FLAG_PERCENT_U != 0);
    }

    #[test]
    fn html_entities() {
        assert_eq!(n(b"&lt;script&gt;"), b"<script>");
        assert_eq!(n(b"&#39;&#x27;&#X27;&#0039;"), b"''''");
        assert_eq!(n(b"&#106avascript"), b"javascript");
        assert_eq!(n(b"&#x6A;ava&Tab;script&colon;"), b"java\tscript:");
        assert_eq!(
            n(b"&lpar;&rpar;&sol;&bsol;&NewLine;&quot;&apos;&amp;"),
            b"()/\\\n\"'&"
        );
        assert_eq!(n(b"&nbsp;"), "\u{a0}".as_bytes());
        assert_eq!(n(b"a &lt b"), b"a < b");
        // Non-legacy names need the `;`; legacy ones do not decode before `=`.
        assert_eq!(n(b"&colon"), b"&colon");
        assert_eq!(n(b"?a=1&lt=2"), b"?a=1&lt=2");
        assert_eq!(n(b"&#0;"), "\u{fffd}".as_bytes());
        assert_eq!(n(b"&#xD800;"), "\u{fffd}".as_bytes());
        assert_eq!(n(b"&#99999999999999999999;"), "\u{fffd}".as_bytes());
        assert_eq!(n(b"&#;&#x;&"), b"&#;&#x;&");
        // Layers: entity of a percent escape and the other way round.
        assert_eq!(n(b"&#37;27"), b"'");
        assert_eq!(n(b"%26lt%3B"), b"<");
        assert_eq!(n(b"&amp;lt;"), b"<");
    }

    #[test]
    fn entity_table_never_grows() {
        for (name, value, _) in ENTITIES {
            assert!(value.len() <= name.len() + 1, "{name:?}");
            assert!(value.len() <= 4);
        }
    }

    #[test]
    fn backslash_escapes() {
        assert_eq!(
            n(b"\\u0027 \\x27 \\u{27} \\u{1F600}"),
            "' ' ' 😀".as_bytes()
        );
        assert_eq!(n(b"\\ud83d\\ude00"), "😀".as_bytes());
        assert_eq!(n(b"\\\\u0027"), b"\\\\u0027");
        assert_eq!(n(b"\\x2"), b"\\x2");
        assert_eq!(
            n(b"\\u{}\\u{1234567}\\u{110000}"),
            b"\\u{}\\u{1234567}\\u{110000}"
        );
        assert_eq!(n(b"\\x00a"), b"a");
    }

    #[test]
    fn overlong_and_invalid_utf8() {
        assert_eq!(n(b"%c0%af"), b"/");
        assert_eq!(n(b"%c0%ae%c0%ae%c0%af"), b"../");
        assert_eq!(n(b"%e0%80%af"), b"/");
        assert_eq!(n(b"%f0%80%80%af"), b"/");
        assert_eq!(n(b"%f8%80%80%80%af"), b"/");
        assert_eq!(n(b"%fc%80%80%80%80%af"), b"/");
        assert_eq!(n(b"%c1%9c"), b"\\");
        let r = normalize(b"\xc0\x80x");
        assert_eq!(&*r.bytes, b"x");
        assert_eq!(
            r.flags & (FLAG_NUL | FLAG_OVERLONG),
            FLAG_NUL | FLAG_OVERLONG
        );
        // Overlong non-ASCII and other invalid sequences stay as bytes.
        let r = normalize(b"\xe0\x82\x80\xed\xa0\x80\xc3");
        assert!(matches!(r.bytes, Cow::Borrowed(_)));
        assert!(r.flags & FLAG_INVALID_UTF8 != 0);
        assert_eq!(n("＜script＞".as_bytes()), b"<script>");
        assert_eq!(n("（测试）".as_bytes()), "(测试)".as_bytes());
    }

    #[test]
    fn plus_as_space_only_with_another_url_layer() {
        let form = Options {
            plus_as_space: true,
        };
        assert!(matches!(
            normalize_with(b"1+1=2", form).bytes,
            Cow::Borrowed(_)
        ));
        assert_eq!(&*normalize_with(b"1'+or+1%3d1", form).bytes, b"1' or 1=1");
        assert_eq!(&*normalize(b"1'+or+1%3d1").bytes, b"1'+or+1=1");
    }

    #[test]
    fn bounded_passes() {
        let r = normalize(b"%25252525252527");
        assert!(r.flags & FLAG_TOO_DEEP != 0);
        assert_eq!(&*r.bytes, b"%252527");
    }

    const TOKENS: &[&[u8]] = &[
        b"%",
        b"25",
        b"27",
        b"2",
        b"%u",
        b"00",
        b"d83d",
        b"de00",
        b"ff1c",
        b"&",
        b"#",
        b"x",
        b"3c",
        b"39",
        b";",
        b"lt",
        b"amp",
        b"colon",
        b"\\",
        b"u",
        b"{",
        b"}",
        b"\xc0",
        b"\xaf",
        b"\xe0\x80",
        b"\x80",
        b"\xef\xbc\x9c",
        b"a",
        b"+",
        b"\0",
        b"=",
        b"'",
        b" ",
        b"\xff",
        b"\xc3\xa9",
    ];

    #[test]
    fn property_stable_idempotent_and_shrinking() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let opts = [
            Options::default(),
            Options {
                plus_as_space: true,
            },
        ];
        for round in 0..20_000 {
            let mut v = Vec::new();
            let len = rng.below(24);
            for _ in 0..len {
                if rng.below(8) == 0 {
                    v.push(rng.next() as u8);
                } else {
                    v.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
                }
            }
            let o = opts[round % 2];
            let r = normalize_with(&v, o);
            assert!(r.bytes.len() <= v.len(), "{v:?}");
            if r.flags & FLAG_TOO_DEEP == 0 {
                let again = normalize_with(&r.bytes, o);
                assert!(
                    matches!(again.bytes, Cow::Borrowed(_)),
                    "not stable: {v:?} -> {:?} -> {:?}",
                    r.bytes,
                    again.bytes
                );
            }
            if !may_need_normalize(&v) {
                assert!(matches!(r.bytes, Cow::Borrowed(_)));
            }
        }
    }

    #[test]
    fn adversarial_inputs_are_linear() {
        let big = b"%25".repeat(200_000);
        let r = normalize(&big);
        assert!(r.bytes.len() <= big.len());
        let amp = b"&#x".repeat(200_000);
        let _ = normalize(&amp);
        let names = b"&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".repeat(20_000);
        let _ = normalize(&names);
        let bs = b"\\u{1".repeat(200_000);
        let _ = normalize(&bs);
        let hi = vec![0xC0u8; 500_000];
        assert!(normalize(&hi).flags & FLAG_INVALID_UTF8 != 0);
    }
}

/// Shortest value read as base64 text (9 decoded bytes): shorter runs of
/// letters and digits are words and identifiers far more often.
const MIN_BASE64: usize = 12;
/// Longest value decoded (the decoded text is inspected like any value).
const MAX_BASE64: usize = 64 * 1024;

/// The text a whole value encodes when it is canonical base64 (either
/// alphabet, padding optional) of printable UTF-8: `JyBvciAxPTEtLSA=` is
/// `' or 1=1-- `. Applications decode such values (tokens, state
/// parameters, "encoded" form fields) and attackers use that to slip a
/// payload past a filter that reads only the surface form. Random tokens,
/// hashes and hex ids decode to binary and are refused, so only text is
/// read again; the decode is bounded by [`MAX_BASE64`].
pub fn base64_text(value: &[u8]) -> Option<Vec<u8>> {
    use super::bytes::base64::{Alphabet, Strict};
    if value.len() < MIN_BASE64 || value.len() > MAX_BASE64 {
        return None;
    }
    // Cheap refusals first: a byte outside both alphabets, or a value of
    // one letter case and digits only (hex ids, words), which is rarely
    // base64 of text (text encodes to mixed case).
    let mut lower = false;
    let mut upper = false;
    for &b in value {
        match b {
            b'a'..=b'z' => lower = true,
            b'A'..=b'Z' => upper = true,
            b'0'..=b'9' | b'+' | b'/' | b'-' | b'_' | b'=' => {}
            _ => return None,
        }
    }
    if !(lower && upper) {
        return None;
    }
    let out = Strict(Alphabet::Either).decode(value)?;
    let text = std::str::from_utf8(&out).ok()?;
    let printable = text
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'));
    printable.then_some(out)
}

#[cfg(test)]
mod base64_text_tests {
    use super::base64_text;

    #[test]
    fn text_is_decoded() {
        assert_eq!(
            base64_text(b"JyBvciAxPTEtLSA=").as_deref(),
            Some(&b"' or 1=1-- "[..])
        );
        assert_eq!(
            base64_text(b"JyBvciAxPTEtLSA").as_deref(),
            Some(&b"' or 1=1-- "[..])
        );
        assert_eq!(
            base64_text(b"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==").as_deref(),
            Some(&b"<script>alert(1)</script>"[..])
        );
    }

    #[test]
    fn not_text_or_not_base64() {
        for v in [
            &b"short"[..],
            b"d41d8cd98f00b204e9800998ecf8427e",
            b"550e8400e29b41d4a716446655440000",
            b"hello world, how are you",
            b"AAECAwQFBgcICQoLDA0ODw==",
            b"ZXZpbA=",
            b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        ] {
            assert!(base64_text(v).is_none(), "{:?}", String::from_utf8_lossy(v));
        }
        let big = vec![b'Q'; super::MAX_BASE64 + 4];
        assert!(base64_text(&big).is_none());
    }
}
