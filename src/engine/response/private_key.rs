//! Private keys in a response: a PEM block `-----BEGIN … PRIVATE KEY-----`
//! (PKCS#1 `RSA`, `EC`, `DSA`, PKCS#8 plain or `ENCRYPTED`, `OPENSSH`, and
//! PGP's `PRIVATE KEY BLOCK`).
//!
//! The match is the header line, the key material and the `-----END
//! …-----` line when they are in the window; without the end line it runs
//! to the end of the window and is *open*: a stream goes on masking the
//! next chunk up to the end line ([`body_end`]), since key material is
//! what must not leave, and it is longer than any carried tail.

use super::{Leak, LeakKind, MAX_HITS};
use crate::engine::bytes::{byte_set, find, ByteSet};

/// The words between `BEGIN ` and `PRIVATE KEY` (`RSA `, `ENCRYPTED `).
static LABEL: ByteSet = byte_set!(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ');

/// Longest key body looked through for the end line in one window.
pub const MAX_BODY: usize = 16 * 1024;

/// Appends the private key blocks in `hay`; the last one may be open
/// (its `end` is `hay.len()` and no end line was found).
pub fn scan(hay: &[u8], out: &mut Vec<Leak>) {
    let mut from = 0;
    while out.len() < MAX_HITS {
        let Some(at) = find(hay, from, b"-----BEGIN ") else {
            return;
        };
        let label = at + 11;
        let Some(header_end) = header(hay, label) else {
            from = label;
            continue;
        };
        let end = body_end(hay, header_end).unwrap_or(hay.len());
        out.push(Leak::new(
            LeakKind::PrivateKey,
            "response.private_key",
            at,
            end,
        ));
        from = end.max(header_end);
    }
}

/// The end of `LABEL PRIVATE KEY[ BLOCK]-----` starting at `i`.
fn header(hay: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while j - i < 40 && hay.get(j).is_some_and(|&b| LABEL.contains(b)) {
        j += 1;
    }
    let words = hay.get(i..j)?;
    for tail in [&b"PRIVATE KEY"[..], b"PRIVATE KEY BLOCK"] {
        if words.ends_with(tail) && hay.get(j..j + 5) == Some(b"-----") {
            return Some(j + 5);
        }
    }
    None
}

/// Where the key that continues at `from` ends: after its `-----END
/// …-----` line, looked for within [`MAX_BODY`] bytes.
pub fn body_end(hay: &[u8], from: usize) -> Option<usize> {
    let window = hay.get(from..)?.get(..MAX_BODY.min(hay.len() - from))?;
    let at = find(window, 0, b"-----END ")?;
    let close = find(window, at + 9, b"-----")?;
    (close - at < 64).then_some(from + close + 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks() {
        let key = b"x\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\ny";
        let mut out = Vec::new();
        scan(key, &mut out);
        assert_eq!(&key[out[0].start..out[0].end], &key[2..key.len() - 2]);
        for hay in [
            &b"-----BEGIN PRIVATE KEY-----"[..],
            b"-----BEGIN OPENSSH PRIVATE KEY-----",
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----",
            b"-----BEGIN PGP PRIVATE KEY BLOCK-----",
        ] {
            let mut out = Vec::new();
            scan(hay, &mut out);
            assert_eq!(out.len(), 1, "{}", String::from_utf8_lossy(hay));
            assert_eq!(out[0].end, hay.len(), "open");
        }
    }

    #[test]
    fn public_material_is_not_a_private_key() {
        for hay in [
            &b"-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----"[..],
            b"-----BEGIN PUBLIC KEY-----",
            b"-----BEGIN RSA PUBLIC KEY-----",
            b"how to store a PRIVATE KEY safely",
        ] {
            let mut out = Vec::new();
            scan(hay, &mut out);
            assert!(out.is_empty(), "{}", String::from_utf8_lossy(hay));
        }
    }
}
