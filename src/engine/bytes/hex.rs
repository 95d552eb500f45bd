//! Hexadecimal digits: their values (strict, and as lenient IIS-era
//! decoders read them), fixed- and variable-length numbers, and encoding.
//!
//! ```
//! use envoy_rasp::engine::bytes::hex;
//!
//! assert_eq!(hex::val(b'f'), Some(15));
//! assert_eq!(hex::val(b'g'), None);
//! assert_eq!(hex::val_lenient(b'q'), Some(26)); // `%c0%qf` read as `%c0%af` … and worse
//! assert_eq!(hex::fixed(b"\\u0027", 2, 4), Some(0x27));
//! assert_eq!(hex::prefix(b"3cZ", 0, 6), (0x3c, 2));
//! assert_eq!(hex::encode_byte(0xab), *b"ab");
//! assert_eq!(hex::decode(b"3C2f").as_deref(), Some(&b"</"[..]));
//! ```

use super::{byte_map, ByteMap};

/// Not a digit, in the tables below.
const NONE: u8 = 0xff;

static STRICT: ByteMap<u8> = byte_map!(|b| match b {
    b'0'..=b'9' => b - b'0',
    b'a'..=b'f' => b - b'a' + 10,
    b'A'..=b'F' => b - b'A' + 10,
    _ => NONE,
});

static LENIENT: ByteMap<u8> = byte_map!(|b| match b {
    b'0'..=b'9' => b - b'0',
    b'a'..=b'z' => b - b'a' + 10,
    b'A'..=b'Z' => b - b'A' + 10,
    _ => NONE,
});

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The value of a hex digit (`0-9a-fA-F`).
#[inline]
pub fn val(c: u8) -> Option<u8> {
    let v = STRICT.get(c);
    (v != NONE).then_some(v)
}

/// The value of a digit as lenient decoders (old IIS) compute it: any
/// letter counts, `g` = 16 … `z` = 35, so `%c0%qf` reaches the same code
/// paths as `%c0%af`.
#[inline]
pub fn val_lenient(c: u8) -> Option<u8> {
    let v = LENIENT.get(c);
    (v != NONE).then_some(v)
}

/// Exactly `count` (at most 8) hex digits at `at` as a number; `None` when
/// fewer are there.
#[inline]
pub fn fixed(input: &[u8], at: usize, count: usize) -> Option<u32> {
    let digits = input.get(at..at.checked_add(count)?)?;
    let mut v = 0u32;
    for &d in digits {
        v = v << 4 | u32::from(val(d)?);
    }
    Some(v)
}

/// Up to `max` (at most 8) hex digits at `at`: (value, how many).
#[inline]
pub fn prefix(input: &[u8], at: usize, max: usize) -> (u32, usize) {
    let mut v = 0u32;
    let mut n = 0;
    while n < max {
        match input.get(at + n).and_then(|&c| val(c)) {
            Some(d) => v = v << 4 | u32::from(d),
            None => break,
        }
        n += 1;
    }
    (v, n)
}

/// The two lowercase digits of `b`.
#[inline]
pub fn encode_byte(b: u8) -> [u8; 2] {
    let d = |n: u8| DIGITS.get(usize::from(n & 15)).copied().unwrap_or(b'0');
    [d(b >> 4), d(b)]
}

/// Appends the lowercase hex of `bytes` to `out`.
pub fn encode(bytes: &[u8], out: &mut Vec<u8>) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.extend_from_slice(&encode_byte(b));
    }
}

/// Decodes pairs of hex digits (either case); `None` on an odd length or
/// another byte.
pub fn decode(s: &[u8]) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    s.chunks_exact(2)
        .map(|p| match p {
            [h, l] => Some(val(*h)? << 4 | val(*l)?),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_values() {
        for c in 0..=255u8 {
            let expect = (c as char).to_digit(16).map(|d| d as u8);
            assert_eq!(val(c), expect, "{c}");
            let lenient = (c as char).to_digit(36).map(|d| d as u8);
            assert_eq!(val_lenient(c), lenient, "{c}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(fixed(b"%41", 1, 2), Some(0x41));
        assert_eq!(fixed(b"%4", 1, 2), None, "too short");
        assert_eq!(fixed(b"%4g", 1, 2), None);
        assert_eq!(fixed(b"ffffffff", 0, 8), Some(u32::MAX));
        assert_eq!(fixed(b"", 0, 0), Some(0));
        assert_eq!(fixed(b"12", usize::MAX, 2), None, "no overflow");
        assert_eq!(prefix(b"", 0, 4), (0, 0));
        assert_eq!(prefix(b"12345", 0, 4), (0x1234, 4));
        assert_eq!(prefix(b"x1", 1, 4), (1, 1));
        assert_eq!(prefix(b"x1", 5, 4), (0, 0));
    }

    #[test]
    fn round_trip() {
        let all: Vec<u8> = (0..=255u8).collect();
        let mut enc = Vec::new();
        encode(&all, &mut enc);
        assert_eq!(enc.len(), 512);
        assert_eq!(&enc[..6], b"000102");
        assert_eq!(&enc[506..], b"fdfeff");
        assert_eq!(decode(&enc).as_deref(), Some(&all[..]));
        assert_eq!(decode(&enc.to_ascii_uppercase()).as_deref(), Some(&all[..]));
        for b in all {
            assert_eq!(String::from_utf8_lossy(&encode_byte(b)), format!("{b:02x}"));
        }
        assert_eq!(decode(b"").as_deref(), Some(&b""[..]));
        assert_eq!(decode(b"abc"), None);
        assert_eq!(decode(b"zz"), None);
        assert_eq!(decode("é".as_bytes()), None);
    }
}
