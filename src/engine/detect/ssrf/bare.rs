//! Values that are a bare `host[:port][/path]` with no scheme.

use super::bytes::{leading_blanks, trailing_blanks};
use super::config::Ssrf;
use super::judge::{Ctx, Site};
use super::known::is_host_char;
use crate::engine::detect::Hit;

/// Longest value judged as a bare host.
pub(super) const MAX_BARE: usize = 300;

impl Ssrf {
    /// Judges a value that is a bare `host[:port][/path]`.
    pub(super) fn scan_bare(&self, v: &[u8]) -> Option<Hit> {
        let lead = leading_blanks(v);
        let trail = trailing_blanks(v);
        let t = v.get(lead..v.len().saturating_sub(trail))?;
        if t.is_empty() || t.len() > MAX_BARE {
            return None;
        }
        let first = *t.first()?;
        // Fast path: every reading below needs `first` to be `[` (a
        // bracketed address), a character of an unbracketed IPv6 address
        // (hex digit, `:`, `.`, `%`) or a host character that can start a
        // name (alphanumeric, non-ASCII); anything else (`$.a[0]`, `-x`)
        // ends in `None` whatever follows.
        if !(first.is_ascii_alphanumeric()
            || first >= 0x80
            || matches!(first, b'[' | b':' | b'.' | b'%'))
        {
            return None;
        }
        // One pass for the tests that read the whole value: blanks, `@` and
        // control bytes reject it; the rest decides whether it can be an
        // unbracketed IPv6 address.
        let mut colons = 0usize;
        let mut v6_chars = true;
        let mut hex = false;
        for &b in t {
            if b.is_ascii_whitespace() || b == b'@' || b < 0x20 {
                return None;
            }
            colons += usize::from(b == b':');
            v6_chars &= b.is_ascii_hexdigit() || b == b':' || b == b'.' || b == b'%';
            hex |= b.is_ascii_hexdigit();
        }
        if first == b'[' {
            let close = t.iter().position(|&b| b == b']')?;
            let after = t.get(close + 1..).unwrap_or_default();
            let ctx = bare_ctx(after)?;
            let inner = t.get(1..close).unwrap_or_default();
            return self.judge_v6_literal(inner, Site::host(lead, lead + close + 1, ctx));
        }
        // An unbracketed IPv6 address: the whole value.
        if colons >= 2 && v6_chars && hex {
            return self.judge_v6_literal(t, Site::host(lead, lead + t.len(), Ctx::BareNaked));
        }
        if !(first.is_ascii_alphanumeric() || first >= 0x80) {
            return None;
        }
        let len = t.iter().take_while(|&&b| is_host_char(b)).count();
        let token = t.get(..len)?;
        let ctx = bare_ctx(t.get(len..).unwrap_or_default())?;
        // Without a scheme only a dotted quad counts as an address.
        if token.iter().all(|&b| b.is_ascii_digit() || b == b'.')
            && token.iter().filter(|&&b| b == b'.').count() != 3
        {
            return None;
        }
        // Cheap reject: a lone name must be dotted, a single label with a
        // port or path must be a local or metadata name.
        if token.is_ascii() && !token.contains(&b'.') {
            const LABELS: [&[u8]; 6] = [
                b"localhost",
                b"ip6-",
                b"ipv6-",
                b"metadata",
                b"instance-data",
                b"rancher-metadata",
            ];
            let named = LABELS.iter().any(|l| {
                token
                    .get(..l.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(l))
            });
            if ctx == Ctx::BareNaked || !named {
                return None;
            }
        }
        self.judge_token(token, Site::host(lead, lead + len, ctx), true)
    }
}

/// What follows a bare host decides how it is read: nothing (a lone
/// name), a port or path (an address), or something else (not a host).
fn bare_ctx(after: &[u8]) -> Option<Ctx> {
    // `10.0.0.0/8` is CIDR notation, not a path.
    if let Some(bits) = after.strip_prefix(b"/") {
        if !bits.is_empty() && bits.len() <= 3 && bits.iter().all(u8::is_ascii_digit) {
            return Some(Ctx::BareNaked);
        }
    }
    match after.first() {
        None => Some(Ctx::BareNaked),
        Some(b':') if after.len() > 1 => Some(Ctx::BareAddr),
        Some(b'/' | b'?' | b'#') => Some(Ctx::BareAddr),
        _ => None,
    }
}
