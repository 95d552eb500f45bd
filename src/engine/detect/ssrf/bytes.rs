//! Generic byte primitives the detector needs: a SWAR byte test, blank
//! trimming, ASCII lowercasing into fixed buffers, a two-byte search and
//! hex digits.

pub(super) const LO: u64 = 0x0101_0101_0101_0101;
pub(super) const HI: u64 = 0x8080_8080_8080_8080;

/// Nonzero when a byte of `w` equals `b` (bit 7 of the lowest such byte is
/// exact; higher bits only appear when a lower byte matched).
pub(super) fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI
}

/// Lowercases ASCII `s` into `buf`; `""` when it does not fit or is not a
/// scheme.
pub(super) fn lower_into<'b>(s: &[u8], buf: &'b mut [u8; 32]) -> &'b str {
    if s.len() > buf.len() {
        return "";
    }
    for (d, &c) in buf.iter_mut().zip(s) {
        *d = c.to_ascii_lowercase();
    }
    std::str::from_utf8(buf.get(..s.len()).unwrap_or_default()).unwrap_or("")
}

/// Lowercases ASCII `s` into `buf`.
pub(super) fn lower_bytes<'b>(s: &[u8], buf: &'b mut [u8; 64]) -> Option<&'b [u8]> {
    if s.len() > buf.len() || !s.is_ascii() {
        return None;
    }
    for (d, &c) in buf.iter_mut().zip(s) {
        *d = c.to_ascii_lowercase();
    }
    buf.get(..s.len())
}

pub(super) fn find2(s: &[u8], pat: &[u8; 2]) -> Option<usize> {
    s.windows(2).position(|w| w == pat)
}

/// The number of ASCII blanks (`u8::is_ascii_whitespace`) that start `v`.
pub(super) fn leading_blanks(v: &[u8]) -> usize {
    v.iter().take_while(|b| b.is_ascii_whitespace()).count()
}

/// The number of ASCII blanks that end `v`.
pub(super) fn trailing_blanks(v: &[u8]) -> usize {
    v.iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count()
}

/// The value of an ASCII hex digit (either case).
pub(super) fn hex_digit(d: u8) -> Option<u8> {
    match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    }
}
