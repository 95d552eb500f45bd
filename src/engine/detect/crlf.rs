//! Header injection and HTTP response / request splitting: a line break
//! (CR, LF or both, raw or encoded) followed by something that a server or
//! proxy would read as a new header, a new response or a new request.
//!
//! An application that copies a value into a response header (a redirect's
//! `Location`, a `Set-Cookie`, a `Content-Disposition` file name) lets a
//! line break in the value end that header: whatever follows becomes a
//! header of its own (`Set-Cookie` for session fixation, `Location` for an
//! open redirect), and after an empty line, the body of a response the
//! attacker wrote. The same break in front of a request line smuggles a
//! second request to a back end.
//!
//! | rule | structure |
//! |---|---|
//! | `crlf.header_injection` | a line break, then `Name: value` for a name in `headers` whose value has that header's syntax (a URL for `Location`, `name=` for `Set-Cookie`, digits for `Content-Length`, `type/subtype` for `Content-Type`, …) |
//! | `crlf.response_splitting` | a line break, then a status line (`HTTP/1.1 200 OK`), or an empty line and then a document (`<html`, `<script`, `<meta`, …) |
//! | `crlf.request_splitting` | a line break, then a request line (`GET /admin HTTP/1.1`; the version is required, so `get it` passes) |
//! | `crlf.path` | any CR or LF in the request path (`path`: nothing legitimate has one; CVE-2019-11043, redirects built from the path) |
//! | `crlf.parameter_name` | a CR or LF followed by more text in a query, form, cookie or multipart parameter name (`names`) |
//!
//! ## Free text is not a header block
//!
//! Text fields hold line breaks all the time, and lines such as
//! `Location: Berlin`, `Note: …` or `Date: Monday` are ordinary prose. Three
//! things keep them apart:
//!
//! * only the headers an attacker gains something from are listed, and
//!   each needs its own syntax (`Location: Berlin` is no URL; `Refresh: 5
//!   minutes` is no refresh);
//! * in parameters and bodies, the text before the first line break must be
//!   a single token (no whitespace): a value that a server copies into a
//!   header is one (a URL, a language code, a cookie value, an id), while
//!   a message, a comment or a pasted HTTP exchange starts with words, a
//!   Markdown code fence (```` ```http ````) or a label (`Request:`).
//!   Known trade-off: an attacker who writes words before the break (a file
//!   name with spaces) is not seen;
//! * a header line must start at the line start (indented lines are YAML,
//!   code, or obsolete header folding).
//!
//! In request headers and cookies, where a decoded line break has no
//! business at all, the prefix may be anything and any header name counts
//! (`Headerdata%0dInjectedHeader: x`).
//!
//! Encodings (`%0d%0a`, `%250a`, `%u000a`, `&#10;`, `\r\n` in JSON) are not
//! decoded here: the surface parsers and the engine's second, normalised
//! reading do that.
//!
//! Cost: a value without CR or LF is rejected after one byte scan; after
//! that, at most [`MAX_LINES`] line starts are examined.
//!
//! ```
//! use envoy_rasp::engine::detect::crlf::{Crlf, CrlfConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Crlf::compile(&CrlfConfig::default(), "header_injection").unwrap().unwrap();
//! let q = ValueCtx::value(Surface::Query);
//! let hit = d.detect(b"en\r\nSet-Cookie: session=attacker", &q).unwrap();
//! assert_eq!(hit.rule, "crlf.header_injection");
//! let hit = d.detect(b"x\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK", &q).unwrap();
//! assert_eq!(hit.rule, "crlf.header_injection");
//! assert_eq!(d.detect(b"/\nGET /admin HTTP/1.1", &q).unwrap().rule, "crlf.request_splitting");
//! assert!(d.detect(b"Team lunch\r\nLocation: https://maps.example/x\r\nTime: 12:00", &q).is_none());
//! assert!(d.detect(b"Hi,\r\nLocation: Berlin\r\nDate: Monday", &q).is_none());
//! ```

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{Hit, ValueCtx};
use crate::engine::bytes::find_byte2 as find2;
use crate::engine::bytes::starts_ci as starts_with_fold;
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;
use crate::engine::surface::Surface;

/// Most line breaks examined in one value.
pub const MAX_LINES: usize = 256;

/// Longest header name considered.
const MAX_NAME: usize = 64;

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Configuration section `header_injection`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrlfConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Header names (case-insensitive) whose injection after a line break
    /// is flagged. A name the detector knows must also carry a value of
    /// its syntax (`Location`, `Content-Location`: a URL or path;
    /// `Refresh`: seconds or a URL; `Set-Cookie`, `Cookie`: `name=`;
    /// `Content-Length`: digits; `Content-Type`: `type/subtype`;
    /// `Transfer-Encoding`, `Content-Encoding`: a coding; `Link`: `<`;
    /// `Authorization`: a scheme and credentials); other names need any
    /// value. This list replaces the default: `set-cookie`, `set-cookie2`,
    /// `cookie`, `location`, `content-location`, `refresh`, `link`,
    /// `content-type`, `content-length`, `transfer-encoding`,
    /// `content-encoding`, `content-disposition`, `content-security-policy`,
    /// `content-security-policy-report-only`, `x-xss-protection`,
    /// `x-frame-options`, `x-content-type-options`, `strict-transport-security`,
    /// `cache-control`, `access-control-allow-origin`,
    /// `access-control-allow-credentials`, `access-control-allow-headers`,
    /// `access-control-allow-methods`, `access-control-expose-headers`,
    /// `authorization`, `x-forwarded-for`, `x-forwarded-host`,
    /// `x-forwarded-proto`, `x-real-ip`, `x-client-ip`, `remote-addr`,
    /// `x-original-url`, `x-rewrite-url`, `x-http-method-override`,
    /// `x-accel-redirect`, `x-sendfile`.
    pub headers: Vec<String>,
    /// Flag any CR or LF in the request path. Default true.
    pub path: bool,
    /// Flag a CR or LF followed by more text in a query, form, cookie or
    /// multipart parameter name (a trailing one, as `curl --data @file`
    /// leaves it, is not flagged). Default true.
    pub names: bool,
}

impl Default for CrlfConfig {
    fn default() -> Self {
        CrlfConfig {
            action: Action::Block,
            sensitivity: None,
            headers: strings(&[
                "set-cookie",
                "set-cookie2",
                "cookie",
                "location",
                "content-location",
                "refresh",
                "link",
                "content-type",
                "content-length",
                "transfer-encoding",
                "content-encoding",
                "content-disposition",
                "content-security-policy",
                "content-security-policy-report-only",
                "x-xss-protection",
                "x-frame-options",
                "x-content-type-options",
                "strict-transport-security",
                "cache-control",
                "access-control-allow-origin",
                "access-control-allow-credentials",
                "access-control-allow-headers",
                "access-control-allow-methods",
                "access-control-expose-headers",
                "authorization",
                "x-forwarded-for",
                "x-forwarded-host",
                "x-forwarded-proto",
                "x-real-ip",
                "x-client-ip",
                "remote-addr",
                "x-original-url",
                "x-rewrite-url",
                "x-http-method-override",
                "x-accel-redirect",
                "x-sendfile",
            ]),
            path: true,
            names: true,
        }
    }
}

/// What an injected header's value must look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    /// Anything non-empty.
    Any,
    /// `name=…`.
    Cookie,
    /// An absolute or relative URL: `scheme:`, `//`, `/`.
    Url,
    /// Seconds (`0; url=…`) or a URL-looking token.
    Refresh,
    /// Starts with a digit.
    Digits,
    /// `type/subtype`.
    MediaType,
    /// A transfer or content coding.
    Coding,
    /// `<…`.
    Angle,
    /// `Scheme credentials` with a known scheme.
    Auth,
}

/// The syntax of a known header name (lowercase).
fn syntax_of(name: &str) -> Syntax {
    match name {
        "set-cookie" | "set-cookie2" | "cookie" => Syntax::Cookie,
        "location" | "content-location" | "x-accel-redirect" | "x-sendfile" => Syntax::Url,
        "refresh" => Syntax::Refresh,
        "content-length" => Syntax::Digits,
        "content-type" => Syntax::MediaType,
        "transfer-encoding" | "content-encoding" => Syntax::Coding,
        "link" => Syntax::Angle,
        "authorization" => Syntax::Auth,
        _ => Syntax::Any,
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Crlf {
    action: Action,
    /// Lowercase names with their value syntax.
    headers: Vec<(Vec<u8>, Syntax)>,
    path: bool,
    names: bool,
}

/// What follows a line break.
struct After {
    rule: &'static str,
    reason: &'static str,
    /// Bytes of the line that follows the break that belong to the finding.
    len: usize,
}

fn is_break(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

impl Crlf {
    /// Compiles the section; `None` when the action is `off`. Header names
    /// must be header tokens.
    pub fn compile(cfg: &CrlfConfig, field: &str) -> Result<Option<Crlf>, ConfigError> {
        let mut headers = Vec::with_capacity(cfg.headers.len());
        for (i, h) in cfg.headers.iter().enumerate() {
            let ok = !h.is_empty()
                && h.len() <= MAX_NAME
                && h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c));
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.headers[{i}]"),
                    format!("not a valid header name: {h:?}"),
                ));
            }
            let lower = h.to_ascii_lowercase();
            let syntax = syntax_of(&lower);
            headers.push((lower.into_bytes(), syntax));
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Crlf {
            action: cfg.action,
            headers,
            path: cfg.path,
            names: cfg.names,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value. The span runs from the line break to the end of
    /// what follows it that matched (the header line, the request line).
    pub fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        let first = find2(value, 0, b'\r', b'\n')?;
        if ctx.surface == Surface::Path {
            // Whole path, segments and matrix parameters alike.
            return self.path.then(|| {
                Hit::new(
                    "crlf.path",
                    "line break in the request path",
                    first,
                    first + 1,
                )
            });
        }
        let named = matches!(
            ctx.surface,
            Surface::Query | Surface::Form | Surface::Cookie | Surface::Multipart
        );
        if ctx.is_key && named {
            // A trailing line break is what `curl --data @file` leaves on
            // the last field of a form body; nothing follows it to inject.
            let more = value
                .get(first..)
                .is_some_and(|r| r.iter().any(|b| !b.is_ascii_whitespace()));
            return (self.names && more).then(|| {
                Hit::new(
                    "crlf.parameter_name",
                    "line break in a parameter name",
                    first,
                    first + 1,
                )
            });
        }
        // A line break inside a request header or a cookie is anomalous in
        // itself; elsewhere the value must start like a header value.
        let anomalous = matches!(ctx.surface, Surface::Header | Surface::Cookie);
        if !anomalous && !header_value_like(value.get(..first).unwrap_or_default()) {
            return None;
        }
        let mut i = first;
        for _ in 0..MAX_LINES {
            let start = i;
            let mut breaks = 0;
            while let Some(&b) = value.get(i) {
                if b == b'\r' && value.get(i + 1) == Some(&b'\n') {
                    i += 2;
                } else if is_break(b) {
                    i += 1;
                } else {
                    break;
                }
                breaks += 1;
            }
            let after = value.get(i..).unwrap_or_default();
            if let Some(a) = self.after_break(after, breaks >= 2, anomalous) {
                return Some(Hit::new(a.rule, a.reason, start, i + a.len));
            }
            i += after.iter().position(|&b| is_break(b))?;
        }
        None
    }

    /// Judges the text after a run of line breaks (`blank`: the run holds
    /// an empty line).
    fn after_break(&self, after: &[u8], blank: bool, anomalous: bool) -> Option<After> {
        let line_len = after
            .iter()
            .position(|&b| is_break(b))
            .unwrap_or(after.len());
        let line = after.get(..line_len).unwrap_or_default();
        if status_line(line) {
            return Some(After {
                rule: "crlf.response_splitting",
                reason: "line break followed by an HTTP status line (response splitting)",
                len: line_len,
            });
        }
        if request_line(line) {
            return Some(After {
                rule: "crlf.request_splitting",
                reason: "line break followed by an HTTP request line (request splitting)",
                len: line_len,
            });
        }
        if blank && document_start(line) {
            return Some(After {
                rule: "crlf.response_splitting",
                reason: "empty line followed by a document: a response body after injected headers",
                len: line_len,
            });
        }
        self.header_line(after, anomalous).map(|len| After {
            rule: "crlf.header_injection",
            reason: "line break followed by a response or request header",
            len,
        })
    }

    /// The length of an injected `Name: value` line at the start of
    /// `after`, if it is one.
    fn header_line(&self, after: &[u8], anomalous: bool) -> Option<usize> {
        let n = after
            .iter()
            .take(MAX_NAME + 1)
            .take_while(|&&b| is_token(b))
            .count();
        if n == 0 || n > MAX_NAME {
            return None;
        }
        let name = after.get(..n)?;
        let listed = self
            .headers
            .iter()
            .find(|(h, _)| name.eq_ignore_ascii_case(h))
            .map(|&(_, s)| s);
        let syntax = match listed {
            Some(s) => s,
            None if anomalous && n >= 2 && name.iter().any(u8::is_ascii_alphabetic) => Syntax::Any,
            None => return None,
        };
        // Spaces (and, as some parsers accept, stray CRs) before the colon.
        let mut i = n;
        while after
            .get(i)
            .is_some_and(|&b| matches!(b, b' ' | b'\t' | b'\r'))
        {
            i += 1;
        }
        if after.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        while after.get(i).is_some_and(|&b| b == b' ' || b == b'\t') {
            i += 1;
        }
        let rest = after.get(i..).unwrap_or_default();
        let vlen = rest.iter().position(|&b| is_break(b)).unwrap_or(rest.len());
        let v = rest.get(..vlen).unwrap_or_default();
        value_fits(v, syntax).then_some(i + vlen)
    }
}

/// Whether the text before the first line break could be a value that a
/// server copies into a header: one token, not a Markdown code fence
/// (```` ```http ````) and not a label (`Request:`) introducing what
/// follows.
fn header_value_like(prefix: &[u8]) -> bool {
    let free_text = prefix.iter().any(u8::is_ascii_whitespace)
        || prefix.starts_with(b"```")
        || prefix.starts_with(b"~~~")
        || (prefix.len() > 1 && prefix.ends_with(b":"));
    !free_text
}

/// Whether `v` (one line, leading blanks removed) has the syntax.
fn value_fits(v: &[u8], syntax: Syntax) -> bool {
    let first = match v.first() {
        Some(&b) => b,
        None => return false,
    };
    let token_len = v.iter().take_while(|b| !b.is_ascii_whitespace()).count();
    match syntax {
        Syntax::Any => true,
        Syntax::Cookie => {
            let n = v.iter().take_while(|&&b| is_cookie_name(b)).count();
            n > 0 && v.get(n) == Some(&b'=')
        }
        Syntax::Url => url_like(v),
        Syntax::Refresh => {
            let d = v.iter().take_while(|b| b.is_ascii_digit()).count();
            if d > 0 {
                return v
                    .get(d..)
                    .and_then(|r| r.iter().find(|b| !b.is_ascii_whitespace()))
                    .is_none_or(|&b| b == b';' || b == b',');
            }
            url_like(v)
                || (token_len == v.len() && v.iter().any(|&b| b == b'.' || b == b'/' || b == b'='))
        }
        Syntax::Digits => first.is_ascii_digit(),
        Syntax::MediaType => {
            let t = v
                .iter()
                .take_while(|&&b| is_token(b) || b == b'.' || b == b'+')
                .count();
            t > 0
                && v.get(t) == Some(&b'/')
                && v.get(t + 1).is_some_and(|&b| is_token(b) || b == b'*')
        }
        Syntax::Coding => [
            "chunked", "gzip", "deflate", "compress", "identity", "br", "zstd",
        ]
        .iter()
        .any(|c| {
            starts_with_fold(v, c.as_bytes())
                && !v.get(c.len()).is_some_and(|b| b.is_ascii_alphanumeric())
        }),
        Syntax::Angle => first == b'<',
        Syntax::Auth => [
            "basic ",
            "bearer ",
            "digest ",
            "negotiate ",
            "ntlm ",
            "aws4-hmac-sha256 ",
        ]
        .iter()
        .any(|s| starts_with_fold(v, s.as_bytes()) && v.len() > s.len()),
    }
}

fn is_cookie_name(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)
}

/// `scheme:…`, `//host`, `/path` with no whitespace in the first token.
fn url_like(v: &[u8]) -> bool {
    if v.starts_with(b"/") {
        return v.len() == 1 || v.get(1).is_some_and(|b| !b.is_ascii_whitespace());
    }
    let n = v
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b))
        .count();
    n >= 2
        && v.first().is_some_and(u8::is_ascii_alphabetic)
        && v.get(n) == Some(&b':')
        && v.get(n + 1).is_some_and(|b| !b.is_ascii_whitespace())
}

/// `HTTP/1.1 200 …`, `HTTP/2 404`.
fn status_line(l: &[u8]) -> bool {
    let Some(rest) = http_version(l) else {
        return false;
    };
    let sp = rest.iter().take_while(|&&b| b == b' ').count();
    let code = rest.get(sp..).unwrap_or_default();
    sp > 0
        && code.len() >= 3
        && code.iter().take(3).all(u8::is_ascii_digit)
        && !code.get(3).is_some_and(u8::is_ascii_digit)
}

/// `HTTP/d` or `HTTP/d.d` at the start; returns what follows.
fn http_version(l: &[u8]) -> Option<&[u8]> {
    if !starts_with_fold(l, b"http/") {
        return None;
    }
    let rest = l.get(5..)?;
    if !rest.first()?.is_ascii_digit() {
        return None;
    }
    if rest.get(1) == Some(&b'.') && rest.get(2).is_some_and(u8::is_ascii_digit) {
        return rest.get(3..);
    }
    rest.get(1..)
}

/// `METHOD target HTTP/d.d`, with a method HTTP defines.
fn request_line(l: &[u8]) -> bool {
    const METHODS: &[&[u8]] = &[
        b"GET", b"POST", b"PUT", b"DELETE", b"HEAD", b"OPTIONS", b"PATCH", b"TRACE", b"CONNECT",
    ];
    let m = l.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let Some(method) = l.get(..m) else {
        return false;
    };
    if !METHODS.iter().any(|x| method.eq_ignore_ascii_case(x)) {
        return false;
    }
    let mut parts = l
        .get(m..)
        .unwrap_or_default()
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|p| !p.is_empty());
    let (Some(_target), Some(version)) = (parts.next(), parts.next()) else {
        return false;
    };
    l.get(m).is_some_and(|&b| b == b' ' || b == b'\t')
        && http_version(version).is_some_and(|r| r.is_empty())
        && parts.next().is_none()
}

/// The start of an HTML document or a script: what a response body
/// injected after an empty line begins with.
fn document_start(l: &[u8]) -> bool {
    const TAGS: &[&[u8]] = &[
        b"<html",
        b"<head",
        b"<body",
        b"<meta",
        b"<script",
        b"<title",
        b"<iframe",
        b"<!doctype",
        b"<?xml",
        b"<svg",
    ];
    TAGS.iter().any(|t| {
        starts_with_fold(l, t) && !l.get(t.len()).is_some_and(|b| b.is_ascii_alphanumeric())
    })
}

impl Detector for Crlf {
    type Config = CrlfConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Header injection and response / request splitting: a line break followed by a listed header with its syntax, a status line or a request line; any line break in the path or inside a parameter name."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("headers", "Header names whose injection after a line break is flagged (Set-Cookie, Location, Refresh, Content-Type, Content-Length, Transfer-Encoding, CORS, CSP, X-Forwarded-*, …); a known name must also carry a value of its syntax."),
        FieldNote::new("headers[]", "A header name."),
        FieldNote::new("path", "Flag any CR or LF in the request path."),
        FieldNote::new("names", "Flag a CR or LF followed by more text in a query, form, cookie or multipart parameter name."),
    ];

    fn compile(cfg: &CrlfConfig, at: &FieldPath) -> Result<Option<Crlf>, ConfigErrors> {
        Ok(Crlf::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Crlf::action(self)
    }

    /// Every reading starts at a CR or LF.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"\r\n");
        NEEDS
    }

    const EVERY_HEADER: bool = true;

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Crlf::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests;
