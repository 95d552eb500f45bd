//! Base64 decoding (RFC 4648), with the mode always explicit: [`Strict`]
//! says whether a value *is* base64, [`Lenient`] reads it the way tolerant
//! decoders (MIME readers, browsers, frameworks) do, which is what an
//! attacker aims at.
//!
//! Both take an [`Alphabet`]: standard (`+/`), URL-safe (`-_`), or
//! [`Alphabet::Either`], which accepts both spellings of digits 62 and 63
//! (as most lenient decoders do, and as every detector here wants).
//!
//! ```
//! use envoy_rasp::engine::bytes::base64::{Alphabet, Lenient, Strict};
//! use envoy_rasp::engine::bytes::ByteSet;
//!
//! let strict = Strict(Alphabet::Standard);
//! assert_eq!(strict.decode(b"PHN2Zz4=").as_deref(), Some(&b"<svg>"[..]));
//! assert_eq!(strict.decode(b"PHN2Zz4"), Some(b"<svg>".to_vec()), "padding is optional");
//! assert_eq!(strict.decode(b"PHN2 Zz4="), None);
//!
//! let mime = Lenient { alphabet: Alphabet::Either, skip: &ByteSet::OWS };
//! assert_eq!(mime.decode(b"PHN2 Zz4=junk", usize::MAX), b"<svg>");
//! assert_eq!(mime.decode(b"PHN2Zz4=", 2), b"<s");
//! ```

use super::{byte_map, ByteMap, ByteSet};

/// Which bytes spell digits 62 and 63.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alphabet {
    /// `+` and `/` (RFC 4648 §4).
    Standard,
    /// `-` and `_` (RFC 4648 §5, "base64url").
    UrlSafe,
    /// Both spellings.
    Either,
}

/// Not a digit / the padding byte, in the tables below.
const NONE: u8 = 0xff;
const PAD: u8 = 0xfe;

/// The value of the letters and digits that every alphabet shares.
const fn common(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'=' => PAD,
        _ => NONE,
    }
}

static STANDARD: ByteMap<u8> = byte_map!(|b| match b {
    b'+' => 62,
    b'/' => 63,
    _ => common(b),
});

static URL_SAFE: ByteMap<u8> = byte_map!(|b| match b {
    b'-' => 62,
    b'_' => 63,
    _ => common(b),
});

static EITHER: ByteMap<u8> = byte_map!(|b| match b {
    b'+' | b'-' => 62,
    b'/' | b'_' => 63,
    _ => common(b),
});

impl Alphabet {
    fn table(self) -> &'static ByteMap<u8> {
        match self {
            Alphabet::Standard => &STANDARD,
            Alphabet::UrlSafe => &URL_SAFE,
            Alphabet::Either => &EITHER,
        }
    }

    /// The value (0..64) of a digit of this alphabet; `None` for any other
    /// byte, `=` included. For decoders with a framing of their own (UTF-7
    /// shifted runs are modified base64 of the standard alphabet).
    #[inline]
    pub fn digit(self, c: u8) -> Option<u8> {
        let v = self.table().get(c);
        (v < 64).then_some(v)
    }
}

/// Strict decoding: every byte a digit of the alphabet, then at most two
/// `=` that complete the last group of four (padding may be left out, but
/// if present it must be right), and no stray bits in the last digit
/// (`QQ==` is `A`; `QR==` is not canonical and is refused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strict(pub Alphabet);

impl Strict {
    /// The decoded bytes, or `None` when `input` is not canonical base64.
    pub fn decode(&self, input: &[u8]) -> Option<Vec<u8>> {
        let pad = input
            .iter()
            .rev()
            .take(2)
            .take_while(|&&b| b == b'=')
            .count();
        let body = input.get(..input.len() - pad)?;
        if (pad > 0 && input.len() % 4 != 0) || body.len() % 4 == 1 {
            return None;
        }
        let table = self.0.table();
        let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
        let (mut acc, mut bits) = (0u32, 0u32);
        for &c in body {
            let v = table.get(c);
            if v >= 64 {
                return None;
            }
            acc = (acc << 6 | u32::from(v)) & 0xFF_FFFF;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        // The 2 or 4 bits left over from a final partial group must be 0.
        ((acc & ((1 << bits) - 1)) == 0).then_some(out)
    }
}

/// Decoding up to the padding: digits of the alphabet until the first `=`
/// (what follows it is not read), `None` on any other byte before it; the
/// stray bits of a final partial group are dropped. For values that must
/// be base64 as a whole but may carry junk after the padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpToPad(pub Alphabet);

impl UpToPad {
    /// The decoded bytes, or `None` when a byte before any `=` is not a
    /// digit.
    pub fn decode(&self, input: &[u8]) -> Option<Vec<u8>> {
        let table = self.0.table();
        let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
        let (mut acc, mut bits) = (0u32, 0u32);
        for &c in input {
            let v = table.get(c);
            if v == PAD {
                break;
            }
            if v >= 64 {
                return None;
            }
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        Some(out)
    }
}

/// Lenient decoding: bytes of `skip` are ignored (line breaks, spaces),
/// and decoding stops at `=` or at the first other byte outside the
/// alphabet, keeping what was decoded so far; never an error. A partial
/// last group yields the whole bytes it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lenient {
    pub alphabet: Alphabet,
    /// Bytes passed over (digits of the alphabet are never skipped).
    pub skip: &'static ByteSet,
}

impl Lenient {
    /// The decoded bytes, at most `max` of them.
    pub fn decode(&self, input: &[u8], max: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity((input.len() / 4 * 3 + 3).min(max));
        if max == 0 {
            return out;
        }
        let table = self.alphabet.table();
        let (mut acc, mut bits) = (0u32, 0u32);
        for &c in input {
            let v = table.get(c);
            if v >= 64 {
                if v != PAD && self.skip.contains(c) {
                    continue;
                }
                break;
            }
            acc = (acc << 6 | u32::from(v)) & 0xFF_FFFF;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                if out.len() >= max {
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference encoder for the round trips.
    fn encode(data: &[u8], digits: &[u8; 64], pad: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for group in data.chunks(3) {
            let n = group
                .iter()
                .enumerate()
                .fold(0u32, |n, (k, &b)| n | u32::from(b) << (16 - 8 * k));
            let len = group.len() + 1;
            for k in 0..4 {
                if k < len {
                    out.push(digits[(n >> (18 - 6 * k) & 63) as usize]);
                } else if pad {
                    out.push(b'=');
                }
            }
        }
        out
    }

    const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    #[test]
    fn up_to_pad_reads_digits_until_the_padding() {
        let d = UpToPad(Alphabet::Either);
        assert_eq!(d.decode(b"Li4vLi4v").as_deref(), Some(&b"../../"[..]));
        assert_eq!(
            d.decode(b"L2V0Yy9wYXNzd2Q=junk!").as_deref(),
            Some(&b"/etc/passwd"[..])
        );
        assert_eq!(d.decode(b"PHN2Zz4").as_deref(), Some(&b"<svg>"[..]));
        assert_eq!(d.decode(b"a-_b").as_deref(), d.decode(b"a+/b").as_deref());
        assert_eq!(d.decode(b"ab c"), None);
        assert_eq!(d.decode(b"").as_deref(), Some(&b""[..]));
    }

    #[test]
    fn digits() {
        for (i, (&s, &u)) in STD.iter().zip(URL).enumerate() {
            assert_eq!(Alphabet::Standard.digit(s), Some(i as u8));
            assert_eq!(Alphabet::UrlSafe.digit(u), Some(i as u8));
            assert_eq!(Alphabet::Either.digit(s), Some(i as u8));
            assert_eq!(Alphabet::Either.digit(u), Some(i as u8));
        }
        assert_eq!(Alphabet::Standard.digit(b'-'), None);
        assert_eq!(Alphabet::UrlSafe.digit(b'/'), None);
        for c in [b'=', b' ', 0, 0x80, 0xff] {
            assert_eq!(Alphabet::Either.digit(c), None);
        }
    }

    #[test]
    fn rfc4648_vectors() {
        let s = Strict(Alphabet::Standard);
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(s.decode(enc.as_bytes()).as_deref(), Some(plain.as_bytes()));
            let lenient = Lenient {
                alphabet: Alphabet::Standard,
                skip: &ByteSet::EMPTY,
            };
            assert_eq!(lenient.decode(enc.as_bytes(), usize::MAX), plain.as_bytes());
        }
    }

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).rev().collect();
        for len in 0..40 {
            let d = &data[len * 3 % 200..][..len];
            for pad in [true, false] {
                let std = encode(d, STD, pad);
                let url = encode(d, URL, pad);
                assert_eq!(Strict(Alphabet::Standard).decode(&std).as_deref(), Some(d));
                assert_eq!(Strict(Alphabet::UrlSafe).decode(&url).as_deref(), Some(d));
                assert_eq!(Strict(Alphabet::Either).decode(&url).as_deref(), Some(d));
                assert_eq!(Strict(Alphabet::Either).decode(&std).as_deref(), Some(d));
                let either = Lenient {
                    alphabet: Alphabet::Either,
                    skip: &ByteSet::EMPTY,
                };
                assert_eq!(either.decode(&url, usize::MAX), d);
                assert_eq!(either.decode(&std, len / 2), &d[..len / 2]);
            }
        }
    }

    #[test]
    fn strict_refuses_what_is_not_base64() {
        let s = Strict(Alphabet::Standard);
        for bad in [
            &b"Z"[..],       // a lone digit holds no byte
            b"Zg=",          // padding that does not complete the group
            b"Zg===",        // too much padding
            b"Z===",         // padding after one digit
            b"Zh==",         // stray bits
            b"Zm9v\n",       // whitespace
            b"Zm=v",         // padding inside
            b"Zm9-",         // the other alphabet
            b"Zm9v\xc3\xa9", // non-ASCII
        ] {
            assert_eq!(s.decode(bad), None, "{bad:?}");
        }
        assert_eq!(Strict(Alphabet::UrlSafe).decode(b"Zm9+"), None);
    }

    #[test]
    fn lenient_skips_and_stops() {
        let mime = Lenient {
            alphabet: Alphabet::Either,
            skip: &ByteSet::ASCII_WHITESPACE,
        };
        assert_eq!(mime.decode(b"aGVs\r\nbG8=junk", usize::MAX), b"hello");
        assert_eq!(mime.decode(b"_-8", usize::MAX), vec![0xff, 0xef]);
        assert_eq!(mime.decode(b"aGVs*bG8", usize::MAX), b"hel");
        assert_eq!(mime.decode(b"", usize::MAX), b"");
        assert_eq!(mime.decode(b"aGVsbG8", 0), b"");
        assert_eq!(mime.decode(b"\xffaGVs", usize::MAX), b"");
        let strict_std = Lenient {
            alphabet: Alphabet::Standard,
            skip: &ByteSet::EMPTY,
        };
        assert_eq!(strict_std.decode(b"aGVs bG8", usize::MAX), b"hel");
        assert_eq!(strict_std.decode(b"aG-s", usize::MAX), b"h");
        // Padding is never skipped, even when the caller's set has it.
        static PAD: ByteSet = ByteSet::of(b"=");
        let odd = Lenient {
            alphabet: Alphabet::Either,
            skip: &PAD,
        };
        assert_eq!(odd.decode(b"aGVs=bG8", usize::MAX), b"hel");
    }
}
