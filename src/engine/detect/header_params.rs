//! Which request headers the injection detectors (SQL injection, XSS) read
//! beyond `inspect.headers`, and the query string of `Referer` / `Origin`
//! read as parameters.
//!
//! Applications log headers and render them back (log viewers, admin
//! consoles, analytics dashboards, error pages that echo `X-Forwarded-Host`
//! or a client-ip header), and some paste them into SQL (audit tables,
//! `INSERT … VALUES ('<user-agent>')`). So SQL injection and XSS read every
//! request header, except [`SYNTAX_HEADERS`]: headers whose standard
//! grammar is punctuation these detectors would take for syntax (media
//! ranges `*/*;q=0.8`, quoted entity tags `W/"…"`, structured client hints
//! `"Chromium";v="118"`, credentials and signatures in base64 with `=`
//! padding), which a browser or client library writes and an application
//! parses rather than renders. `cookie` is read cookie by cookie as its own
//! surface. `user-agent` is read (it is free text a client sets, and
//! `inspect.headers` sends it through every detector by default).
//!
//! `Referer` and `Origin` carry the URL of the page the request came from.
//! The whole value is read like any header, and its query string is read
//! parameter by parameter, decoded as a query would be: an attacker who
//! crafts a link controls those parameters, and an application that logs
//! or displays the referring search renders them. They are judged for
//! injection only (these detectors), not as URLs a server fetches: the
//! referring page's own `?url=` parameter is no SSRF.

use std::borrow::Cow;

use crate::engine::decode::{normalize_with, Options};

/// Headers the injection detectors do not read beyond `inspect.headers`:
/// their grammar is syntax (see the [module docs](self)). Lowercase; a
/// name ending in `*` is a prefix.
pub const SYNTAX_HEADERS: &[&str] = &[
    "cookie",
    "authorization",
    "proxy-authorization",
    "accept*",
    "content-type",
    "content-disposition",
    "if-match",
    "if-none-match",
    "etag",
    "sec-ch-*",
    "sec-websocket-*",
    "signature*",
    "*-signature",
    "x-hub-signature*",
    "range",
    "if-range",
    "cache-control",
    "content-security-policy*",
    "access-control-request-headers",
    "x-amz-*",
    "x-goog-*",
];

/// Headers whose query string is read parameter by parameter.
const URL_HEADERS: &[&str] = &["referer", "origin"];

/// Query parameters read from one header.
const MAX_PARAMS: usize = 64;

/// True when the injection detectors read header `name` (lowercase).
pub fn reads_header(name: &[u8]) -> bool {
    !SYNTAX_HEADERS.iter().any(|p| {
        let p = p.as_bytes();
        if let Some(prefix) = p.strip_suffix(b"*") {
            name.starts_with(prefix)
        } else if let Some(suffix) = p.strip_prefix(b"*") {
            name.ends_with(suffix)
        } else {
            name == p
        }
    })
}

/// Calls `judge` with each query parameter value of a `Referer` / `Origin`
/// header (as sent, then decoded as a query value, `+` as a space) and
/// the span of the raw value in `value`; returns the first answer. `None`
/// for other headers and URLs without a query.
pub fn url_params<T>(
    name: &[u8],
    value: &[u8],
    mut judge: impl FnMut(&[u8], usize, usize) -> Option<T>,
) -> Option<T> {
    if !URL_HEADERS.iter().any(|h| h.as_bytes() == name) {
        return None;
    }
    let q = value.iter().position(|&b| b == b'?')?;
    let query_end = value
        .iter()
        .position(|&b| b == b'#')
        .filter(|&h| h > q)
        .unwrap_or(value.len());
    let mut at = q + 1;
    for _ in 0..MAX_PARAMS {
        if at >= query_end {
            break;
        }
        let rest = value.get(at..query_end)?;
        let len = rest.iter().position(|&b| b == b'&').unwrap_or(rest.len());
        let pair = rest.get(..len)?;
        let start = at + pair.iter().position(|&b| b == b'=').map_or(0, |e| e + 1);
        let end = at + len;
        if let Some(raw) = value.get(start..end).filter(|r| !r.is_empty()) {
            let decoded = normalize_with(
                raw,
                Options {
                    plus_as_space: true,
                },
            );
            let readings = std::iter::once(raw).chain(match &decoded.bytes {
                Cow::Owned(d) if d.as_slice() != raw => Some(d.as_slice()),
                _ => None,
            });
            for r in readings {
                if let Some(t) = judge(r, start, end) {
                    return Some(t);
                }
            }
        }
        at = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_headers_are_not_read() {
        for h in [
            &b"accept"[..],
            b"accept-language",
            b"sec-ch-ua",
            b"if-none-match",
            b"stripe-signature",
            b"authorization",
            b"cookie",
        ] {
            assert!(!reads_header(h), "{:?}", h);
        }
        for h in [
            &b"remote-ip"[..],
            b"x-forwarded-host",
            b"user-agent",
            b"referer",
        ] {
            assert!(reads_header(h), "{:?}", h);
        }
    }

    #[test]
    fn referer_parameters_are_decoded_with_their_raw_span() {
        let v = b"https://a.example/s?hl=en&q=a%27+or+1%3D1#frag";
        let mut seen = Vec::new();
        let none: Option<()> = url_params(b"referer", v, |r, s, e| {
            seen.push((r.to_vec(), v[s..e].to_vec()));
            None
        });
        assert!(none.is_none());
        assert!(seen.contains(&(b"a' or 1=1".to_vec(), b"a%27+or+1%3D1".to_vec())));
        assert!(seen.iter().any(|(r, _)| r == b"en"));
        assert!(url_params(b"x-other", v, |_, _, _| Some(())).is_none());
        assert!(url_params(b"referer", b"https://a.example/", |_, _, _| Some(())).is_none());
    }

    #[test]
    fn many_parameters_are_bounded() {
        let mut v = b"https://a.example/?".to_vec();
        for _ in 0..100_000 {
            v.extend_from_slice(b"a=1&");
        }
        let mut n = 0;
        let _: Option<()> = url_params(b"referer", &v, |_, _, _| {
            n += 1;
            None
        });
        assert!(n <= MAX_PARAMS * 2);
    }
}
