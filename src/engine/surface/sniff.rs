//! What a body is, when its content type does not say (or says wrong).
//!
//! After an optional UTF-8 byte-order mark and whitespace:
//!
//! * `{` or `[` → JSON;
//! * `<?xml` → an XML document; any other `<` → markup of unknown kind
//!   (HTML, an XML fragment): inspected as text and also offered to the
//!   XXE detector;
//! * `--` + a plausible boundary line → multipart (boundary recovered);
//! * `k=v&k2=v2` shape (printable, no spaces, a key before the first `=`)
//!   → form-encoded;
//! * binary → not inspected: a NUL byte, or more than 30 % of the first 512
//!   bytes being control characters or invalid UTF-8 (compressed data,
//!   images, protobuf);
//! * otherwise plain text, inspected as one value (`body`).
//!
//! ```
//! use envoy_rasp::engine::surface::sniff::{sniff, Sniffed};
//!
//! assert_eq!(sniff(b"  {\"a\": 1}"), Sniffed::Json);
//! assert_eq!(sniff(b"a=1&b=2"), Sniffed::Form);
//! assert_eq!(sniff(b"--xyz\r\n"), Sniffed::Multipart(b"xyz"));
//! assert_eq!(sniff(b"hello world"), Sniffed::Text);
//! assert_eq!(sniff(b"\x1f\x8b\x08\x00\x00"), Sniffed::Binary);
//! ```

use crate::engine::bytes::starts_ci;
use crate::engine::bytes::{find_byte, trim_end_with, ByteSet};

/// The kind of a body, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed<'a> {
    Empty,
    Json,
    Xml,
    /// Starts with `<` but not with `<?xml`.
    Markup,
    Form,
    /// Multipart, with the boundary of its first line.
    Multipart(&'a [u8]),
    Text,
    Binary,
}

/// Skips a UTF-8 BOM and ASCII whitespace.
pub fn skip_bom_ws(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(body)
        .trim_ascii_start()
}

/// Classifies `body` (see the [module docs](self)).
pub fn sniff(body: &[u8]) -> Sniffed<'_> {
    let t = skip_bom_ws(body);
    match t.first() {
        None => Sniffed::Empty,
        Some(b'{' | b'[') => Sniffed::Json,
        Some(b'<') => {
            if starts_ci(t, b"<?xml") {
                Sniffed::Xml
            } else {
                Sniffed::Markup
            }
        }
        _ => {
            if t.starts_with(b"--") {
                if let Some(b) = boundary_from_body(body) {
                    return Sniffed::Multipart(b);
                }
            }
            if is_binary(body) {
                Sniffed::Binary
            } else if looks_like_form(t) {
                Sniffed::Form
            } else {
                Sniffed::Text
            }
        }
    }
}

/// `k=v&k2=v2`: printable without spaces (first 1 KiB), a non-empty key
/// made of name characters before the first `=`, and that `=` before the
/// first `&`.
pub fn looks_like_form(t: &[u8]) -> bool {
    let head = t.get(..1024).unwrap_or(t);
    let head = head.trim_ascii_end();
    if head.is_empty() {
        return false;
    }
    if !head.iter().all(|&b| (0x21..=0x7e).contains(&b)) {
        return false;
    }
    let Some(eq) = head.iter().position(|&b| b == b'=') else {
        return false;
    };
    let key = head.get(..eq).unwrap_or_default();
    !key.is_empty()
        && key.iter().all(|&b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'[' | b']' | b'%' | b'+' | b'*' | b'$'
                )
        })
}

/// True when the first 512 bytes hold a NUL, or more than 30 % control
/// characters (other than tab, line ends, form feed) and invalid UTF-8.
pub fn is_binary(body: &[u8]) -> bool {
    let head = body.get(..512).unwrap_or(body);
    if head.is_empty() {
        return false;
    }
    if head.contains(&0) {
        return true;
    }
    let mut bad = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    let mut rest = head;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(_) => break,
            Err(e) => {
                let Some(n) = e.error_len() else { break }; // cut at the end
                bad += n;
                rest = rest.get(e.valid_up_to() + n..).unwrap_or_default();
            }
        }
    }
    bad * 10 > head.len() * 3
}

/// The boundary announced by a body's first line (`--X`), when it is a
/// plausible one (RFC 2046 `bchars`, 1 to 200 of them).
pub fn boundary_from_body(body: &[u8]) -> Option<&[u8]> {
    let start = body.iter().position(|b| !matches!(b, b'\r' | b'\n'))?;
    let rest = body.get(start..)?;
    let line_end = find_byte(rest, 0, b'\n').unwrap_or(rest.len());
    let line = rest.get(..line_end)?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let b = line.strip_prefix(b"--")?;
    let b = trim_end_with(b, &ByteSet::OWS);
    let ok = !b.is_empty()
        && b.len() <= 200
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&c));
    ok.then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert_eq!(sniff(b" \r\n"), Sniffed::Empty);
        assert_eq!(sniff(b"\xef\xbb\xbf[1]"), Sniffed::Json);
        assert_eq!(sniff(b"<?XML version='1.0'?><a/>"), Sniffed::Xml);
        assert_eq!(sniff(b"<html><script>x</script>"), Sniffed::Markup);
        assert_eq!(sniff(b"user=bob&pass=x%27"), Sniffed::Form);
        assert_eq!(sniff(b"a[b]=1"), Sniffed::Form);
        assert_eq!(sniff(b"q=1' or '1'='1"), Sniffed::Text);
        assert_eq!(sniff(b"=x&y"), Sniffed::Text);
        assert_eq!(sniff(b"just some words"), Sniffed::Text);
        assert_eq!(sniff(b"-- not a boundary line <x>"), Sniffed::Text);
        assert_eq!(
            sniff("caf\u{e9} \u{4f60}\u{597d}".as_bytes()),
            Sniffed::Text
        );
    }

    #[test]
    fn binary_rule() {
        assert!(is_binary(b"PK\x03\x04\x14\x00"));
        assert!(is_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"));
        assert!(is_binary(b"\x89\x1a\x01\x02text"));
        assert!(!is_binary(b"line\r\n\tindented\x0c"));
        // Latin-1 text: a few invalid bytes are tolerated.
        assert!(!is_binary(
            b"caf\xe9 cr\xe8me br\xfbl\xe9e and more ascii text here"
        ));
        assert!(is_binary(&[0xffu8; 100]));
        // A UTF-8 character cut at 512 bytes is not counted.
        let mut v = vec![b'a'; 511];
        v.extend_from_slice("\u{4f60}".as_bytes());
        assert!(!is_binary(&v));
    }
}
