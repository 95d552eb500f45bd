//! Serialized object streams: Java serialization (`AC ED 00 05`) raw, hex
//! or base64, and .NET BinaryFormatter (`00 01 00 00 00 FF FF FF FF`) in
//! base64 or hex.
//!
//! A stream is recognised by its header *and* the first content byte, so
//! a random token that happens to contain `rO0AB` or `aced0005` does not
//! count: the header must start a token, and a Java stream's next byte is a
//! type code (`TC_OBJECT` 0x73, `TC_STRING` 0x74, … all in 0x70–0x7E).

use super::bytes::{at, before, starts_at, starts_ci_at};
use crate::engine::bytes::find_byte3;
use crate::engine::detect::Hit;

/// A Java serialization type code (`TC_NULL` 0x70 … `TC_ENUM` 0x7E).
fn tc(b: u8) -> bool {
    (0x70..=0x7e).contains(&b)
}

fn b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Where an encoded stream can start: the start of the value or after a
/// byte that cannot belong to the encoding (`=`, quote, space, `,`, `:`).
fn token_start(v: &[u8], i: usize) -> bool {
    i == 0 || !b64(before(v, i))
}

/// A hex token may carry a `0x` prefix.
fn hex_start(v: &[u8], i: usize) -> bool {
    token_start(v, i)
        || (i >= 2 && starts_ci_at(v, i - 2, b"0x") && (i == 2 || !b64(before(v, i - 2))))
}

/// A Java or .NET serialized object anywhere in `v`: the first position
/// where a header starts.
///
/// Every header holds a byte at a fixed offset from its start that the
/// search can jump to: `AC` (raw at 0, the Latin-1 re-encoding `C2 AC …`
/// at 1), `0` (base64 `rO0ABX` at 2, hex `aced0005` at 4, .NET hex
/// `0001…` at 0) or `D` (.NET base64 `AAEAAAD` at 6). So only those bytes
/// are visited, eight at a time between them, and each is checked as every
/// header it can belong to. The headers all differ in their first two
/// bytes, so at most one starts at any position; a header found at `s`
/// can only be preceded by one whose anchor byte lies at most six bytes
/// after `s`, so the search stops there with the first header.
pub(super) fn streams(v: &[u8], dotnet: bool) -> Option<Hit> {
    let mut first: Option<(usize, Stream)> = None;
    let mut p = 0;
    while let Some(a) = find_byte3(v, p, 0xAC, b'0', b'D') {
        if first.as_ref().is_some_and(|(s, _)| a > s + MAX_ANCHOR) {
            break;
        }
        for (s, kind) in [0, 1, 2, 4, 6].into_iter().filter_map(|off| {
            let s = a.checked_sub(off)?;
            header_at(v, s, dotnet).map(|k| (s, k))
        }) {
            if first.as_ref().is_none_or(|(f, _)| s < *f) {
                first = Some((s, kind));
            }
        }
        p = a + 1;
    }
    match first? {
        (s, Stream::Java) => Some(java_hit(s, v.len())),
        (s, Stream::DotNet) => Some(dotnet_hit(s, v.len())),
    }
}

/// The largest offset of an anchor byte from its header's start.
const MAX_ANCHOR: usize = 6;

/// The header that starts at `i`, if any.
fn header_at(v: &[u8], i: usize, dotnet: bool) -> Option<Stream> {
    match at(v, i) {
        // Raw bytes (`%ac%ed%00%05` after the query decoder); the
        // normaliser removes NUL bytes, so `AC ED 05` too.
        0xAC if at(v, i + 1) == 0xED && after_magic(v, i + 2) => Some(Stream::Java),
        // The same bytes read as Latin-1 and re-encoded as UTF-8
        // (`\u00ac\u00ed` in JSON): C2 AC C3 AD.
        0xC2 if starts_at(v, i + 1, &[0xAC, 0xC3, 0xAD]) && after_magic(v, i + 4) => {
            Some(Stream::Java)
        }
        // base64 of AC ED 00 05 7x: the sixth character encodes the low
        // bits of 0x05 and the high nibble 7 of the type code, always `X`.
        b'r' if token_start(v, i) && starts_at(v, i, b"rO0ABX") && b64(at(v, i + 6)) => {
            Some(Stream::Java)
        }
        b'a' | b'A' if hex_start(v, i) && java_hex(v, i) => Some(Stream::Java),
        b'A' if dotnet && token_start(v, i) && dotnet_b64(v, i) => Some(Stream::DotNet),
        b'0' if dotnet && hex_start(v, i) && starts_ci_at(v, i, b"0001000000ffffffff") => {
            Some(Stream::DotNet)
        }
        _ => None,
    }
}

/// Which serialization a header belongs to.
enum Stream {
    Java,
    DotNet,
}

/// After the magic `AC ED` at `i`: the version `00 05` (or `05` once the
/// NUL is removed) and a type code.
fn after_magic(v: &[u8], i: usize) -> bool {
    (starts_at(v, i, &[0, 5]) && tc(at(v, i + 2))) || (at(v, i) == 5 && tc(at(v, i + 1)))
}

/// Hex `aced0005` and a type code `7x`.
fn java_hex(v: &[u8], i: usize) -> bool {
    starts_ci_at(v, i, b"aced0005")
        && at(v, i + 8) == b'7'
        && matches!(at(v, i + 9), b'0'..=b'9' | b'a'..=b'e' | b'A'..=b'E')
}

/// base64 of the BinaryFormatter header `00 01 00 00 00 FF FF FF FF 01`
/// (standard or URL-safe alphabet).
fn dotnet_b64(v: &[u8], i: usize) -> bool {
    starts_at(v, i, b"AAEAAAD/////") || starts_at(v, i, b"AAEAAAD_____")
}

fn java_hit(s: usize, len: usize) -> Hit {
    Hit::new(
        "java.serialized_object",
        "Java serialization stream (AC ED 00 05: raw, hex or base64 rO0AB)",
        s,
        len,
    )
}

fn dotnet_hit(s: usize, len: usize) -> Hit {
    Hit::new(
        "dotnet.serialized_object",
        ".NET BinaryFormatter stream (base64 AAEAAAD/////)",
        s,
        len,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::bytes::testing::fuzz_inputs;

    /// The scan as it was, one position at a time.
    fn reference(v: &[u8], dotnet: bool) -> Option<Hit> {
        for (i, &b) in v.iter().enumerate() {
            let found = match b {
                // Raw bytes (`%ac%ed%00%05` after the query decoder); the
                // normaliser removes NUL bytes, so `AC ED 05` too.
                0xAC if at(v, i + 1) == 0xED && after_magic(v, i + 2) => Some(Stream::Java),
                // The same bytes read as Latin-1 and re-encoded as UTF-8
                // (`\u00ac\u00ed` in JSON): C2 AC C3 AD.
                0xC2 if starts_at(v, i + 1, &[0xAC, 0xC3, 0xAD]) && after_magic(v, i + 4) => {
                    Some(Stream::Java)
                }
                // base64 of AC ED 00 05 7x: the sixth character encodes the
                // low bits of 0x05 and the high nibble 7 of the type code,
                // always `X`.
                b'r' if token_start(v, i) && starts_at(v, i, b"rO0ABX") && b64(at(v, i + 6)) => {
                    Some(Stream::Java)
                }
                b'a' | b'A' if hex_start(v, i) && java_hex(v, i) => Some(Stream::Java),
                b'A' if dotnet && token_start(v, i) && dotnet_b64(v, i) => Some(Stream::DotNet),
                b'0' if dotnet && hex_start(v, i) && starts_ci_at(v, i, b"0001000000ffffffff") => {
                    Some(Stream::DotNet)
                }
                _ => None,
            };
            match found {
                Some(Stream::Java) => return Some(java_hit(i, v.len())),
                Some(Stream::DotNet) => return Some(dotnet_hit(i, v.len())),
                None => {}
            }
        }
        None
    }

    #[test]
    fn anchored_search_finds_the_first_header() {
        let pieces: &[&[u8]] = &[
            b"rO0ABX",
            b"rO0AB",
            b"aced0005",
            b"ACED0005",
            b"0005",
            b"7",
            b"73",
            b"7f",
            b"e",
            b"0x",
            b"0X",
            b"AAEAAAD/////",
            b"AAEAAAD_____",
            b"AAEAAAD",
            b"0001000000ffffffff",
            b"0001000000",
            b"\xac\xed\x00\x05\x73",
            b"\xac\xed\x05\x74",
            b"\xac\xed",
            b"\xc2\xac\xc3\xad\x00\x05\x73",
            b"\xc2\xac\xc3\xad\x05",
            b"=",
            b" ",
            b"a",
            b"A",
            b"D",
            b"0",
            b"r",
            b"/",
            b"_",
            b"x",
            b"\xc2",
        ];
        let inputs = fuzz_inputs(pieces, 40_000);
        let mut hits = 0;
        for v in &inputs {
            for dotnet in [false, true] {
                let want = reference(v, dotnet);
                hits += usize::from(want.is_some());
                assert_eq!(
                    streams(v, dotnet),
                    want,
                    "{:?} dotnet={dotnet}",
                    String::from_utf8_lossy(v)
                );
            }
        }
        assert!(hits > 10_000, "{hits}");
    }
}
