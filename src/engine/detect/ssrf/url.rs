//! URLs inside a value: locating `scheme:` and `//`, the authority region
//! every URL parser could read, and its host candidates (after the last
//! `@`, before each `@`, backslashes removed), plus parser-confusion shapes.

use std::borrow::Cow;

use super::bytes::{leading_blanks, lower_into};
use super::config::Ssrf;
use super::ip::parse_v6;
use super::judge::{Ctx, Part, Site};
use super::known::{is_host_char, is_scheme_char, MAX_HOST, NETWORK_SCHEMES, SPECIAL_SCHEMES};
use crate::engine::detect::Hit;

/// Longest URL authority examined, in bytes.
pub(super) const MAX_AUTHORITY: usize = 512;

/// Which URLs in a value are anchored (judged in full) rather than read as
/// prose, by where the value sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Anchors {
    /// At the start of the value or after a delimiter: a parameter.
    Delimiters,
    /// Only at the start of the value: a top-level document field whose
    /// value is one token.
    Start,
    /// Never: a data field, every URL read as in prose.
    Never,
}

impl Anchors {
    /// Whether a URL whose scheme starts at `s` is anchored; `lead`: where
    /// the value starts after blanks, `line_break`: its first line break.
    fn anchored(self, v: &[u8], s: usize, lead: usize, line_break: Option<usize>) -> bool {
        match self {
            // In multi-line text (documents, code, logs in a textarea)
            // a URL is a parameter's only when it is assigned: after
            // `=`, `&`, `?`, or a quote right after `=` (`src="…"`).
            // Quoted and bracketed URLs in code samples
            // (`url: 'http://localhost:3000'`) are prose.
            Anchors::Delimiters if line_break.is_some_and(|p| p < s) => {
                let before = v.get(s.wrapping_sub(1)).copied();
                matches!(before, Some(b'=' | b'&' | b'?'))
                    || (matches!(before, Some(b'"' | b'\''))
                        && v.get(s.wrapping_sub(2)) == Some(&b'='))
            }
            Anchors::Delimiters => {
                s == lead
                    || matches!(
                        v.get(s.wrapping_sub(1)),
                        Some(
                            b'=' | b'&'
                                | b'?'
                                | b';'
                                | b','
                                | b'/'
                                | b'|'
                                | b'('
                                | b'['
                                | b'"'
                                | b'\''
                        )
                    )
            }
            Anchors::Start => s == lead,
            Anchors::Never => false,
        }
    }
}

impl Ssrf {
    /// Finds URLs (`scheme:` + authority) and judges them.
    pub(super) fn scan_urls(&self, v: &[u8], relative: bool, anchors: Anchors) -> Option<Hit> {
        let mut i = 0;
        // Protocol-relative URL at the start of the value.
        let lead = leading_blanks(v);
        if let (true, Some(b'/'), Some(b'/'), Some(c)) =
            (relative, v.get(lead), v.get(lead + 1), v.get(lead + 2))
        {
            if *c != b'/' && *c != b'\\' {
                let (f, end) = self.authority(v, lead + 2, "", Ctx::Anchored, false);
                if f.is_some() {
                    return f;
                }
                i = end;
            }
        }
        // The first line break after the leading blanks: a URL after it sits
        // in multi-line text.
        let line_break = v
            .get(lead..)
            .and_then(|r| r.iter().position(|&b| b == b'\n'))
            .map(|p| lead + p);
        while let Some(off) = v.get(i..).and_then(|r| r.iter().position(|&b| b == b':')) {
            let colon = i + off;
            i = colon + 1;
            // The scheme: scheme characters before the colon.
            let mut s = colon;
            while s > 0 && colon - s < 32 {
                match v.get(s - 1) {
                    Some(&b) if is_scheme_char(b) => s -= 1,
                    _ => break,
                }
            }
            if s == colon {
                continue;
            }
            let scheme_bytes = v.get(s..colon).unwrap_or_default();
            let mut sbuf = [0u8; 32];
            let scheme = lower_into(scheme_bytes, &mut sbuf);
            let anchored = anchors.anchored(v, s, lead, line_break);
            let ctx = if anchored {
                Ctx::Anchored
            } else {
                Ctx::Embedded
            };
            let rest = v.get(colon + 1..).unwrap_or_default();
            let slashes = rest
                .iter()
                .take_while(|&&b| b == b'/' || b == b'\\')
                .count();
            if anchored && self.is_dangerous(scheme) && dangerous_tail(rest) {
                return Some(Hit {
                    rule: Cow::Borrowed("ssrf.scheme"),
                    reason: Cow::Owned(format!("URL with the dangerous scheme `{scheme}:`")),
                    start: s,
                    end: colon + 1,
                });
            }
            let special = SPECIAL_SCHEMES.contains(&scheme);
            let auth_start = if slashes >= 2 {
                if scheme == "file" && slashes >= 3 {
                    continue; // file:///path has no host
                }
                colon + 1 + if special { slashes } else { 2 }
            } else if special
                && rest
                    .get(slashes)
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'[' || b >= 0x80)
            {
                colon + 1 + slashes
            } else {
                continue;
            };
            let (f, end) = self.authority(v, auth_start, scheme, ctx, anchored);
            if f.is_some() {
                return f;
            }
            i = i.max(end);
        }
        None
    }

    fn is_dangerous(&self, scheme: &str) -> bool {
        self.schemes.iter().any(|s| s == scheme)
    }

    /// Judges the authority starting at `a`. Returns the finding and where
    /// the authority ends.
    fn authority(
        &self,
        v: &[u8],
        a: usize,
        scheme: &str,
        ctx: Ctx,
        anchored: bool,
    ) -> (Option<Hit>, usize) {
        // The region every parser could read as authority: up to `/` or `?`
        // (and whitespace in prose), bounded.
        let mut end = a;
        while end < v.len() && end - a < MAX_AUTHORITY {
            match v.get(end) {
                Some(b'/' | b'?') | None => break,
                Some(b) if b.is_ascii_whitespace() && !anchored => break,
                Some(b'\r' | b'\n') => break,
                _ => end += 1,
            }
        }
        let region = v.get(a..end).unwrap_or_default();
        // Protocol-relative URLs (no scheme) are judged by address only.
        let network = NETWORK_SCHEMES.contains(&scheme);
        // Host candidates: before each `@` and after the last one.
        let ats = region.iter().filter(|&&b| b == b'@').count();
        let mut piece_start = 0;
        let mut seen = 0;
        for (idx, &b) in region
            .iter()
            .enumerate()
            .chain(std::iter::once((region.len(), &b'@')))
        {
            if b != b'@' {
                continue;
            }
            let part = if seen == ats {
                Part::Host
            } else {
                Part::Userinfo
            };
            seen += 1;
            let piece = region.get(piece_start..idx).unwrap_or_default();
            if let Some(f) = self.piece(piece, a + piece_start, ctx, part, network) {
                return (Some(f), end);
            }
            piece_start = idx + 1;
        }
        // Backslashes as escape characters: `\l\o\c\a\l\h\o\s\t`.
        if region.contains(&b'\\') && region.len() <= MAX_HOST {
            if let Some(f) = self.squeezed(region, a, end, ctx, network) {
                return (Some(f), end);
            }
        }
        if anchored && ats > 0 {
            if let Some(f) = parser_confusion(region, ats, a, end) {
                return (Some(f), end);
            }
        }
        (None, end)
    }

    /// Judges the host of the authority `region` (starting at `a`, ending
    /// at `end`) read with its backslashes removed, as escape characters.
    fn squeezed(
        &self,
        region: &[u8],
        a: usize,
        end: usize,
        ctx: Ctx,
        network: bool,
    ) -> Option<Hit> {
        let mut buf = [0u8; MAX_HOST];
        let mut n = 0;
        for &b in region.iter().filter(|&&b| b != b'\\') {
            if let Some(slot) = buf.get_mut(n) {
                *slot = b;
                n += 1;
            }
        }
        let squeezed = buf.get(..n).unwrap_or_default();
        let last = squeezed
            .iter()
            .rposition(|&b| b == b'@')
            .map_or(0, |p| p + 1);
        let host = squeezed.get(last..).unwrap_or_default();
        let mut f = self.piece(host, a, ctx, Part::Host, network)?;
        f.end = end;
        f.reason = Cow::Owned(format!("{} (backslashes removed)", f.reason));
        Some(f)
    }

    /// Judges one authority piece (`host[:port]`, possibly with junk after
    /// the host) that starts at `at` in the value.
    fn piece(&self, piece: &[u8], at: usize, ctx: Ctx, part: Part, network: bool) -> Option<Hit> {
        let skip = piece
            .iter()
            .take_while(|&&b| b == b'/' || b == b'\\')
            .count();
        let p = piece.get(skip..).unwrap_or_default();
        let start = at + skip;
        if p.first() == Some(&b'[') {
            let close = p.iter().position(|&b| b == b']')?;
            let inner = p.get(1..close).unwrap_or_default();
            return self.judge_v6_literal(
                inner,
                Site {
                    start,
                    end: start + close + 1,
                    ctx,
                    part,
                },
            );
        }
        // An unbracketed IPv6 address (`http://2001:db8::1/`).
        let v6len = p
            .iter()
            .take_while(|&&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            .count();
        let v6 = p.get(..v6len).unwrap_or_default();
        if v6.iter().filter(|&&b| b == b':').count() >= 2 && parse_v6(v6).is_some() {
            return self.judge_v6_literal(
                v6,
                Site {
                    start,
                    end: start + v6len,
                    ctx,
                    part,
                },
            );
        }
        let len = p.iter().take_while(|&&b| is_host_char(b)).count();
        let token = p.get(..len).unwrap_or_default();
        if token.is_empty() {
            return None;
        }
        // Whether the host ends where an authority can end: a name followed
        // by `%`, `<` or `'` is a fragment of something else.
        let after = p.get(len..).unwrap_or_default();
        let clean = match after.first() {
            None | Some(b'#' | b'\\') => true,
            Some(b':') => after.get(1).is_some_and(u8::is_ascii_digit),
            _ => false,
        };
        let network = network && clean;
        let site = Site {
            start,
            end: start + len,
            ctx,
            part,
        };
        self.judge_token(token, site, network)
    }
}

/// What may follow `scheme:` for the scheme to be used as a URL: a slash,
/// a backslash, or a nested URL (`jar:http://…`).
fn dangerous_tail(rest: &[u8]) -> bool {
    match rest.first() {
        Some(b'/' | b'\\') => true,
        Some(b) if b.is_ascii_alphabetic() => {
            let n = rest.iter().take_while(|&&b| is_scheme_char(b)).count();
            n < 32 && rest.get(n) == Some(&b':')
        }
        _ => false,
    }
}

/// Parser confusion in the authority `region` (`a..end` in the value,
/// holding `ats` `@`): several `@`, or characters no userinfo may contain
/// unencoded before the last `@`.
fn parser_confusion(region: &[u8], ats: usize, a: usize, end: usize) -> Option<Hit> {
    let last_at = region.iter().rposition(|&b| b == b'@').unwrap_or(0);
    let before = region.get(..last_at).unwrap_or_default();
    let confusing = ats > 1
        || before
            .iter()
            .any(|&b| b.is_ascii_whitespace() || b == b'#' || b == b'\\' || b == b'&');
    confusing.then(|| {
        Hit::new(
            "ssrf.parser_confusion",
            "URL authority with several `@` or with whitespace, `#`, `\\` or `&` \
             before its `@`: URL parsers disagree on its host",
            a,
            end,
        )
    })
}
