//! The entry of one value: a byte-class prefilter that rejects what cannot
//! hold an injection, then each reading of the value (inside a `'` or `"`
//! literal, with MySQL backslash escapes, inside a MySQL `` ` ``-quoted
//! identifier, as it is, and with typographic quotes folded), where strong
//! evidence from any reading wins over weak.

use super::analyze::{analyze, Ctx, Stack};
use super::rule::Ev;

/// Byte classes for the prefilter.
const TRIGGER: u8 = 1;
const BACKSLASH: u8 = 2;
const SINGLE: u8 = 4;
const DOUBLE: u8 = 8;
/// `-` and `:`: triggers only as `--` (comment) and `::` (cast).
const PAIR: u8 = 16;
/// Lead byte of a no-break space or typographic quote.
const UNICODE: u8 = 32;
/// `` ` ``: MySQL quotes identifiers with it, and applications paste
/// column and table names (sort keys, field lists) between backticks.
const BACKTICK: u8 = 64;

/// Bytes without which a value cannot be an injection: whitespace and
/// control bytes (an injection has at least two tokens, and without
/// whitespace it needs punctuation to separate them), quotes, `;`,
/// parentheses, comment and operator characters, and the lead bytes of
/// no-break spaces and typographic quotes.
static CLASS: [u8; 256] = classes();

#[allow(clippy::indexing_slicing)] // compile-time only
const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i as u8 {
            0..=0x20
            | b';'
            | b'('
            | b')'
            | b'#'
            | b'*'
            | b'|'
            | b'&'
            | b'='
            | b'<'
            | b'>'
            | b'!'
            | 0x7f
            | 0xa0 => TRIGGER,
            0xc2 | 0xca | 0xe2 => TRIGGER | UNICODE,
            b'\'' => TRIGGER | SINGLE,
            b'"' => TRIGGER | DOUBLE,
            b'`' => TRIGGER | BACKTICK,
            b'\\' => BACKSLASH,
            b'-' | b':' => PAIR,
            _ => 0,
        };
        i += 1;
    }
    t
}

fn class(b: u8) -> u8 {
    CLASS.get(usize::from(b)).copied().unwrap_or(TRIGGER)
}

/// The prefilter: which of `\\`, `'` and `"` the value holds, or `None`
/// when it cannot hold an injection (a single token such as a word,
/// number, date, identifier or base64 blob).
fn prefilter(value: &[u8]) -> Option<u8> {
    // One table-driven pass (no early exit: the quote bits are needed
    // too); about a byte per cycle.
    let mut seen = 0u8;
    for chunk in value.chunks(16) {
        for &b in chunk {
            seen |= class(b);
        }
    }
    let pairs = || {
        value
            .windows(2)
            .any(|w| matches!(w, [a, b] if a == b && (*a == b'-' || *a == b':')))
    };
    let hit = seen & TRIGGER != 0 || (seen & PAIR != 0 && pairs());
    hit.then_some(seen)
}

/// Runs every reading of `value`; strong evidence from any reading wins
/// over weak evidence.
pub(super) fn scan(value: &[u8]) -> Option<Ev> {
    let seen = prefilter(value)?;
    let mut stack: Option<Stack> = None;
    let backslash = seen & BACKSLASH != 0;
    let mut weak = None;
    let mut consider = |ev: Option<Ev>| -> Option<Ev> {
        let ev = ev?;
        if ev.rule.is_strong() {
            return Some(ev);
        }
        weak = weak.or(Some(ev));
        None
    };
    let single = seen & SINGLE != 0;
    let double = seen & DOUBLE != 0;
    let backtick = seen & BACKTICK != 0;
    // A backtick-quoted identifier is broken out of like a literal
    // (`` x` AS `y` FROM ``); its only escape is the doubled backtick,
    // never a backslash, so it has no escaped reading.
    for (quote, present) in [(b'\'', single), (b'"', double), (b'`', backtick)] {
        if !present {
            continue;
        }
        let ctx = Ctx::Quote {
            quote,
            backslash: false,
        };
        if let Some(ev) = consider(analyze(value, ctx, &mut stack)) {
            return Some(ev);
        }
        let escaped = backslash
            && quote != b'`'
            && value
                .iter()
                .position(|&b| b == quote)
                .and_then(|first| value.get(..first))
                .is_some_and(|p| p.contains(&b'\\'));
        if escaped {
            let ctx = Ctx::Quote {
                quote,
                backslash: true,
            };
            if let Some(ev) = consider(analyze(value, ctx, &mut stack)) {
                return Some(ev);
            }
        }
    }
    if let Some(ev) = consider(analyze(value, Ctx::Bare, &mut stack)) {
        return Some(ev);
    }
    if weak.is_none() && seen & UNICODE != 0 {
        if let Some(ascii) = ascii_quotes(value) {
            let ctx = Ctx::Quote {
                quote: b'\'',
                backslash: false,
            };
            if let Some(ev) =
                analyze(&ascii, ctx, &mut stack).or_else(|| analyze(&ascii, Ctx::Bare, &mut stack))
            {
                return Some(ev);
            }
        }
    }
    weak
}

/// Typographic quotes (`’ ‘ ´ ʼ`) that "best fit" character conversions
/// (MSSQL varchar, some drivers) turn into `'`: a copy of `value` with each
/// replaced by `'` padded with spaces, so offsets stay valid. `None` when
/// there are none.
fn ascii_quotes(value: &[u8]) -> Option<Vec<u8>> {
    let lead = |b: &u8| matches!(*b, 0xe2 | 0xc2 | 0xca);
    if !value.iter().any(lead) {
        return None;
    }
    let mut out = value.to_vec();
    let mut found = false;
    let mut i = 0;
    while i < out.len() {
        let len = match (out.get(i), out.get(i + 1), out.get(i + 2)) {
            (Some(0xe2), Some(0x80), Some(0x98 | 0x99 | 0xb2)) => 3,
            (Some(0xc2), Some(0xb4), _) | (Some(0xca), Some(0xbc), _) => 2,
            _ => 0,
        };
        if len == 0 {
            i += 1;
            continue;
        }
        found = true;
        for (k, b) in out.iter_mut().skip(i).take(len).enumerate() {
            *b = if k == 0 { b'\'' } else { b' ' };
        }
        i += len;
    }
    found.then_some(out)
}
