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
    let mut out: Vec<u8> = Vec::with_capacity(token.len());
    let mut push = |b: u8| -> Option<()> {
        out.push(b);
        Some(())
    };
    let s = std::str::from_utf8(token).ok()?;
    let mut folded = false;
    for c in s.chars() {
        if c.is_ascii() {
            push((c as u8).to_ascii_lowercase())?;
            continue;
        }
        let cp = c as u32;
        let digits = |k: u32| -> (u32, u32) {
            // A number 0-20 as one or two digits.
            if k >= 10 {
                (k / 10, k % 10)
            } else {
                (u32::MAX, k)
            }
        };
        let mut out: [u32; 3] = [u32::MAX; 3];
        match cp {
            0xFF01..=0xFF5E => out[0] = cp - 0xFEE0,
            0x3002 | 0xFF61 => out[0] = u32::from(b'.'),
            0x2460..=0x2473 => {
                let (a, b) = digits(cp - 0x2460 + 1);
                out = [a, b, u32::MAX];
            }
            0x2474..=0x2487 => {
                let (a, b) = digits(cp - 0x2474 + 1);
                out = [a, b, u32::MAX];
            }
            0x2488..=0x249B => {
                let (a, b) = digits(cp - 0x2488 + 1);
                out = [a, b, u32::from(b'.')];
            }
            0x24EA | 0x24FF | 0x2070 | 0x2080 | 0x1F100 => out[0] = u32::from(b'0'),
            0x2776..=0x277F => {
                let (a, b) = digits(cp - 0x2776 + 1);
                out = [a, b, u32::MAX];
            }
            0x2780..=0x2789 => {
                let (a, b) = digits(cp - 0x2780 + 1);
                out = [a, b, u32::MAX];
            }
            0x278A..=0x2793 => {
                let (a, b) = digits(cp - 0x278A + 1);
                out = [a, b, u32::MAX];
            }
            0x24F5..=0x24FE => {
                let (a, b) = digits(cp - 0x24F5 + 1);
                out = [a, b, u32::MAX];
            }
            0x24EB..=0x24F4 => {
                let (a, b) = digits(cp - 0x24EB + 11);
                out = [a, b, u32::MAX];
            }
            0x00B9 => out[0] = u32::from(b'1'),
            0x00B2 => out[0] = u32::from(b'2'),
            0x00B3 => out[0] = u32::from(b'3'),
            0x2074..=0x2079 => out[0] = u32::from(b'0') + cp - 0x2070,
            0x2081..=0x2089 => out[0] = u32::from(b'0') + cp - 0x2080,
            0x1D7CE..=0x1D7FF => out[0] = u32::from(b'0') + (cp - 0x1D7CE) % 10,
            0x24B6..=0x24CF => out[0] = u32::from(b'a') + cp - 0x24B6,
            0x24D0..=0x24E9 => out[0] = u32::from(b'a') + cp - 0x24D0,
            0x1F110..=0x1F129 => out[0] = u32::from(b'a') + cp - 0x1F110,
            0x1F130..=0x1F149 => out[0] = u32::from(b'a') + cp - 0x1F130,
            0x1F150..=0x1F169 => out[0] = u32::from(b'a') + cp - 0x1F150,
            0x1F170..=0x1F189 => out[0] = u32::from(b'a') + cp - 0x1F170,
            _ => {
                // Anything else stays as it is (an IDN label).
                let mut tmp = [0u8; 4];
                for &b in c.encode_utf8(&mut tmp).as_bytes() {
                    push(b)?;
                }
                continue;
            }
        }
        folded = true;
        for o in out {
            if o == u32::MAX {
                continue;
            }
            // Digit values 0-9 from `digits` become ASCII digits.
            let b = if o < 10 { b'0' + o as u8 } else { o as u8 };
            push(b.to_ascii_lowercase())?;
        }
    }
    Some((Cow::Owned(out), folded))
}
