//! Reflection: the evidence of a request finding, sent back byte for byte
//! in the response (`<script>alert(1)</script>` echoed into a page).
//!
//! The needles are the findings' evidence excerpts, unescaped back to the
//! bytes they stand for ([`needle`]). An excerpt shorter than
//! [`MIN_NEEDLE`] bytes is not looked for (`'--` appears in many pages by
//! chance), nor a truncated one's lost tail. A reflection that the
//! application encoded (`&lt;script&gt;`) is harmless and not reported.

use super::{Leak, LeakKind, MAX_HITS};
use crate::engine::bytes::{hex, Finder};

/// Shortest evidence looked for in the response.
pub const MIN_NEEDLE: usize = 8;

/// Most needles per request (one per finding, the first ones).
pub const MAX_NEEDLES: usize = 8;

/// The bytes an evidence excerpt (`event::evidence`) stands for: `\\` is
/// `\`, `\xNN` the byte, a trailing `…` (truncation) dropped. `None` when
/// what is left is shorter than [`MIN_NEEDLE`].
pub fn needle(evidence: &str) -> Option<Vec<u8>> {
    let text = evidence.strip_suffix('…').unwrap_or(evidence).as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        if b == b'\\' && text.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if b == b'\\' && text.get(i + 1) == Some(&b'x') {
            match hex::fixed(text, i + 2, 2) {
                Some(v) => out.push(v as u8),
                None => out.push(b),
            }
            i += if hex::fixed(text, i + 2, 2).is_some() {
                4
            } else {
                1
            };
        } else {
            out.push(b);
            i += 1;
        }
    }
    (out.len() >= MIN_NEEDLE).then_some(out)
}

/// The reflections of `needles` in `hay`; each hit's index says which
/// needle (finding) came back.
pub fn scan(hay: &[u8], needles: &[Vec<u8>], out: &mut Vec<(usize, Leak)>) {
    for (k, n) in needles.iter().enumerate() {
        let mut finder = Finder::new(n);
        let mut from = 0;
        while out.len() < MAX_HITS {
            let Some(at) = finder.find(hay, from) else {
                break;
            };
            out.push((
                k,
                Leak::new(
                    LeakKind::Reflection,
                    "response.reflection",
                    at,
                    at + n.len(),
                ),
            ));
            from = at + n.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_back_to_bytes() {
        assert_eq!(
            needle("<script>alert(1)</script>").unwrap(),
            b"<script>alert(1)</script>"
        );
        assert_eq!(needle("a\\\\b\\x0acdefgh…").unwrap(), b"a\\b\ncdefgh");
        assert_eq!(needle("' or 1=1"), Some(b"' or 1=1".to_vec()));
        assert_eq!(needle("'--"), None);
    }

    #[test]
    fn reflected_not_encoded() {
        let needles = vec![b"<script>alert(1)</script>".to_vec()];
        let mut out = Vec::new();
        scan(
            b"<p>You searched <script>alert(1)</script></p>",
            &needles,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        let mut out = Vec::new();
        scan(
            b"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
            &needles,
            &mut out,
        );
        assert!(out.is_empty());
    }
}
