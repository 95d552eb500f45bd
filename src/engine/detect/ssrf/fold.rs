//! Unicode host folding: the look-alike digits, letters and dots that IDNA
//! mapping turns into ASCII.

use std::borrow::Cow;

/// Lowercases a host and folds the Unicode characters that IDNA mapping
/// (UTS #46) turns into ASCII digits, letters and dots: fullwidth forms,
/// ideographic full stops, circled and parenthesised digits and letters,
/// super/subscript digits. Returns the folded host and whether anything
/// non-ASCII was folded. Borrows lowercase ASCII hosts. `None` when the host
/// is not UTF-8.
pub(super) fn fold_host(token: &[u8]) -> Option<(Cow<'_, [u8]>, bool)> {
    if token.is_ascii() {
        if !token.iter().any(u8::is_ascii_uppercase) {
            return Some((Cow::Borrowed(token), false));
        }
        return Some((Cow::Owned(token.to_ascii_lowercase()), false));
    }
    let s = std::str::from_utf8(token).ok()?;
    let mut out: Vec<u8> = Vec::with_capacity(token.len());
    let mut folded = false;
    for c in s.chars() {
        if c.is_ascii() {
            out.push((c as u8).to_ascii_lowercase());
            continue;
        }
        let Some(units) = fold_char(c as u32) else {
            // Anything else stays as it is (an IDN label).
            let mut tmp = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            continue;
        };
        folded = true;
        for o in units {
            if o == NONE {
                continue;
            }
            // Digit values 0-9 become ASCII digits.
            let b = if o < 10 { b'0' + o as u8 } else { o as u8 };
            out.push(b.to_ascii_lowercase());
        }
    }
    Some((Cow::Owned(out), folded))
}

/// An empty unit in [`fold_char`]'s answer.
const NONE: u32 = u32::MAX;

/// What the non-ASCII code point `cp` folds to: up to three units, each a
/// digit value (0-9), an ASCII byte or [`NONE`]; `None` when it stays as it
/// is.
fn fold_char(cp: u32) -> Option<[u32; 3]> {
    // A number 1-20 as one or two digit values.
    let number = |k: u32| -> [u32; 3] {
        if k >= 10 {
            [k / 10, k % 10, NONE]
        } else {
            [NONE, k, NONE]
        }
    };
    let one = |u: u32| [u, NONE, NONE];
    Some(match cp {
        0xFF01..=0xFF5E => one(cp - 0xFEE0),
        0x3002 | 0xFF61 => one(u32::from(b'.')),
        0x2460..=0x2473 => number(cp - 0x2460 + 1),
        0x2474..=0x2487 => number(cp - 0x2474 + 1),
        0x2488..=0x249B => {
            let [a, b, _] = number(cp - 0x2488 + 1);
            [a, b, u32::from(b'.')]
        }
        0x24EA | 0x24FF | 0x2070 | 0x2080 | 0x1F100 => one(u32::from(b'0')),
        0x2776..=0x277F => number(cp - 0x2776 + 1),
        0x2780..=0x2789 => number(cp - 0x2780 + 1),
        0x278A..=0x2793 => number(cp - 0x278A + 1),
        0x24F5..=0x24FE => number(cp - 0x24F5 + 1),
        0x24EB..=0x24F4 => number(cp - 0x24EB + 11),
        0x00B9 => one(u32::from(b'1')),
        0x00B2 => one(u32::from(b'2')),
        0x00B3 => one(u32::from(b'3')),
        0x2074..=0x2079 => one(u32::from(b'0') + cp - 0x2070),
        0x2081..=0x2089 => one(u32::from(b'0') + cp - 0x2080),
        0x1D7CE..=0x1D7FF => one(u32::from(b'0') + (cp - 0x1D7CE) % 10),
        0x24B6..=0x24CF => one(u32::from(b'a') + cp - 0x24B6),
        0x24D0..=0x24E9 => one(u32::from(b'a') + cp - 0x24D0),
        0x1F110..=0x1F129 => one(u32::from(b'a') + cp - 0x1F110),
        0x1F130..=0x1F149 => one(u32::from(b'a') + cp - 0x1F130),
        0x1F150..=0x1F169 => one(u32::from(b'a') + cp - 0x1F150),
        0x1F170..=0x1F189 => one(u32::from(b'a') + cp - 0x1F170),
        _ => return None,
    })
}
