//! One table-driven pass over a value: which bytes and pairs it holds,
//! deciding which checks can apply.

use super::path::is_sep;

// Byte classes of a value (one pass, see [`classify`]).
pub(super) const C_DOT: u16 = 1;
pub(super) const C_DOTDOT: u16 = 1 << 1;
pub(super) const C_SEP: u16 = 1 << 2;
pub(super) const C_COLON: u16 = 1 << 3;
/// `%`, `0x`, NUL, control or non-ASCII bytes: needs lenient decoding.
pub(super) const C_ENCODED: u16 = 1 << 4;
/// A dot next to a separator (`./`, `/.`): dot-segment padding.
pub(super) const C_DOTSEG: u16 = 1 << 5;
/// `convert.` (a PHP filter-chain element).
pub(super) const C_CONVERT: u16 = 1 << 6;
/// `.git`, `.ssh`, `.aws`, `.svn`, `-inf` (WEB-INF, META-INF).
pub(super) const C_SDIR: u16 = 1 << 8;

/// What a value contains, in one pass: the cheap rejection (a path attack
/// needs a dot, a separator, a colon or an encoding) and the dispatch of
/// the checks.
pub(super) fn classify(v: &[u8]) -> u16 {
    // Single bytes through a table, pairs only when the bytes they need are
    // present.
    let mut singles = 0u16;
    // `T_LINK2` when two adjacent bytes are both links (`..`, `.?`, `./`,
    // `/.`, `//`), and `T_X` after `T_ZERO` (`0x`), found in the same pass
    // with one shift: each checked bit sits one above a bit that only its
    // left partner carries (`T_LINK` below `T_LINK2`, `T_ZERO` below `T_X`).
    let mut pairs = 0u16;
    let mut prev_class = 0u16;
    for &b in v {
        let k = PATH_CLASS.get(usize::from(b)).copied().unwrap_or(0);
        singles |= k;
        pairs |= (prev_class << 1) & k;
        prev_class = k;
    }
    let mut c = singles & (C_DOT | C_SEP | C_COLON | C_ENCODED);
    if pairs & T_X != 0 {
        c |= C_ENCODED;
    }
    if singles & T_HIGH != 0 && v.windows(2).any(suspicious_utf8) {
        c |= C_ENCODED;
    }
    if (c & (C_DOT | C_SEP) != 0 || singles & T_QUESTION != 0) && pairs & T_LINK2 == 0 {
        // Fast path: no two adjacent bytes among `.`, `?`, `/`, `\`, so no
        // run of two dots or wildcards (`C_DOTDOT`) and no dot next to a
        // separator (`C_DOTSEG`); only the named directories and the
        // filter chain, which look at the bytes around each `.` and `-`,
        // remain (the same tests as the full loop below).
        if singles & T_WORD != 0 {
            for (i, &b) in v.iter().enumerate() {
                if b == b'.' || b == b'-' {
                    c |= dot_words(v, i, b);
                }
            }
        }
    } else if c & (C_DOT | C_SEP) != 0 || singles & T_QUESTION != 0 {
        let mut prev = 0u8;
        // Length of the current run of dots / `?`, and the byte before it.
        let mut run = 0usize;
        let mut before = 0u8;
        for (i, &b) in v.iter().enumerate() {
            if b == b'.' || b == b'?' {
                if run == 0 {
                    before = prev;
                }
                run += 1;
            } else if run > 0 {
                // A run of two or more that touches a separator or starts a
                // token can be a climb (`../`, `/..`, `..;`), an ellipsis in
                // a sentence (`wait... what`) cannot.
                if run >= 2 && (is_sep(b) || b == b';' || !before.is_ascii_alphanumeric()) {
                    c |= C_DOTDOT;
                }
                run = 0;
            }
            match b {
                b'.' => {
                    if prev == b'/' || prev == b'\\' {
                        c |= C_DOTSEG;
                    }
                    c |= dot_words(v, i, b);
                }
                b'-' => c |= dot_words(v, i, b),
                b'/' | b'\\' if prev == b'.' => c |= C_DOTSEG,
                _ => {}
            }
            prev = b;
        }
        if run >= 2 {
            c |= C_DOTDOT;
        }
    }
    c
}

/// The words [`classify`] recognises around the `.` or `-` at `v[i] == b`:
/// `.git`, `.ssh`, `.aws`, `.svn`, `-inf` (`C_SDIR`) and `convert.`
/// (`C_CONVERT`).
fn dot_words(v: &[u8], i: usize, b: u8) -> u16 {
    let mut c = 0;
    if b == b'.' {
        let next3 = v.get(i + 1..i + 4).unwrap_or_default();
        if [&b"git"[..], b"ssh", b"aws", b"svn"]
            .iter()
            .any(|d| next3.eq_ignore_ascii_case(d))
        {
            c |= C_SDIR;
        }
        let prev = i.checked_sub(1).and_then(|p| v.get(p)).copied();
        if prev == Some(b't') || prev == Some(b'T') {
            let start = i.saturating_sub(7);
            if i >= 7
                && v.get(start..i)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"convert"))
            {
                c |= C_CONVERT;
            }
        }
    } else if b == b'-'
        && v.get(i + 1..i + 4)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"inf"))
    {
        c |= C_SDIR;
    }
    c
}

// Table-only classes (cleared from the result).
/// `.`, `?`, `/` and `\`: two adjacent ones may form a climb or a
/// dot-segment (see the fast path in [`classify`]).
const T_LINK: u16 = 1 << 10;
/// Carried by the same bytes as `T_LINK`, one bit above it.
const T_LINK2: u16 = T_LINK << 1;
const T_ZERO: u16 = 1 << 7;
/// `x` / `X`: after a `0` (`T_ZERO << 1`) a hex literal (`0x2e`).
const T_X: u16 = 1 << 8;
/// `.` and `-`, around which [`dot_words`] looks.
const T_WORD: u16 = 1 << 9;
const T_QUESTION: u16 = 1 << 5;
const T_HIGH: u16 = 1 << 6;

/// Single-byte classes for [`classify`], built at compile time.
static PATH_CLASS: [u16; 256] = build_path_class();

// Indexing is evaluated by the compiler over 0..256 only.
#[allow(clippy::indexing_slicing)]
const fn build_path_class() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = match b {
            b'.' => C_DOT | T_LINK | T_LINK2 | T_WORD,
            b'/' | b'\\' => C_SEP | T_LINK | T_LINK2,
            b':' => C_COLON,
            b'%' | 0..=8 | 0x0b | 0x0c | 0x0e..=0x1f | 0x7f => C_ENCODED,
            b'x' | b'X' => T_X,
            b'-' => T_WORD,
            0x80..=0xff => T_HIGH,
            b'0' => T_ZERO,
            b'?' => T_QUESTION | T_LINK | T_LINK2,
            _ => 0,
        };
        i += 1;
    }
    t
}

/// Two bytes that start an overlong or look-alike encoding of a dot or a
/// slash (`C0 AE`, `E0 80`, `F0 80`, fullwidth `EF BC`, `E2 88` division
/// slash / set minus, `E2 81` fraction slash, `E2 80 A4` one-dot leader):
/// plain accented text (`C3 A9`) does not need the lenient decoder.
fn suspicious_utf8(w: &[u8]) -> bool {
    matches!(
        w,
        [0xc0 | 0xc1 | 0xf8..=0xff, _]
            | [0xe0, 0x80..=0x9f]
            | [0xf0, 0x80..=0x8f]
            | [0xef, 0xbc | 0xb9 | 0xbf | 0x80..=0x83]
            | [0xee, 0xbf]
            | [0xe2, 0x88 | 0x81 | 0x80]
    )
}
