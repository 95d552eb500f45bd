//! Request conditions shared by `profiles[].match` and `exclusions[]`:
//! the serde struct a user writes ([`WhenConfig`]), its compiled form
//! ([`When`]) and the facts of one request they are tested against
//! ([`RequestFacts`], computed once per request).
//!
//! Every condition is an equality or a prefix test on a value computed once
//! per request, so testing a rule costs O(conditions) and never more than
//! one pass over the (bounded) condition strings.

use serde::{Deserialize, Serialize};

use crate::engine::bytes::{ends_ci, eq_ci};
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::http::RequestHead;
use crate::engine::surface::path::canonical_path;

/// Longest condition string (authority, path prefix, header value…).
pub const MAX_CONDITION_BYTES: usize = 1024;

/// A header a request must carry, with its exact value.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HeaderMatch {
    /// Header name (case-insensitive).
    pub name: String,
    /// The header's value, compared exactly (any of the header's values
    /// may match).
    pub value: String,
}

/// The request conditions, all of which must hold (an absent one always
/// holds).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct WhenConfig {
    /// `:authority` without its port, case-insensitive: exact
    /// (`api.example.com`) or, with a leading `*.`, any subdomain
    /// (`*.example.com` matches `a.example.com`, not `example.com`).
    /// Default `null`: any.
    pub authority: Option<String>,
    /// Path prefix (starts with `/`), compared with the percent-decoded
    /// path without dot segments, so `/public/../admin` is not under
    /// `/public/`. Default `null`: any.
    pub path_prefix: Option<String>,
    /// HTTP method, case-insensitive (`POST`). Default `null`: any.
    pub method: Option<String>,
}

/// An authority condition: exact, or a `*.` suffix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostPattern {
    /// The whole host (lowercase).
    Exact(String),
    /// `.example.com` (lowercase, dot included): any subdomain.
    Suffix(String),
}

impl HostPattern {
    /// Compiles `s` (`api.example.com`, `*.example.com`); an error message
    /// when it is neither.
    pub fn parse(s: &str) -> Result<HostPattern, String> {
        let lower = s.to_ascii_lowercase();
        let (body, suffix) = match lower.strip_prefix("*.") {
            Some(rest) => (rest, true),
            None => (lower.as_str(), false),
        };
        let ok = !body.is_empty()
            && body.len() <= 253
            && body
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_');
        if !ok {
            return Err(format!(
                "expected a host name (`api.example.com`) or `*.example.com`, got {s:?}"
            ));
        }
        Ok(if suffix {
            HostPattern::Suffix(format!(".{body}"))
        } else {
            HostPattern::Exact(body.to_string())
        })
    }

    /// True if `host` (lowercase, no port) matches.
    pub fn matches(&self, host: &[u8]) -> bool {
        match self {
            HostPattern::Exact(h) => eq_ci(host, h.as_bytes()),
            HostPattern::Suffix(s) => host.len() > s.len() && ends_ci(host, s.as_bytes()),
        }
    }
}

/// [`WhenConfig`] compiled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct When {
    pub authority: Option<HostPattern>,
    pub path_prefix: Option<String>,
    /// Uppercase.
    pub method: Option<String>,
    /// Name lowercase.
    pub header: Option<HeaderMatch>,
    /// Envoy's route name (`xds.route_name`).
    pub route: Option<String>,
}

/// True for an RFC 9110 token (a method or a header name).
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

/// Adds an error at `at` when `s` is longer than [`MAX_CONDITION_BYTES`].
fn bounded(at: &FieldPath, s: &str, errors: &mut ConfigErrors) {
    if s.len() > MAX_CONDITION_BYTES {
        errors.push(at.error(format!(
            "at most {MAX_CONDITION_BYTES} bytes, got {}",
            s.len()
        )));
    }
}

impl When {
    /// Compiles the three conditions of [`WhenConfig`] found at `at`,
    /// adding every problem to `errors`.
    pub fn compile(c: &WhenConfig, at: &FieldPath, errors: &mut ConfigErrors) -> When {
        let mut w = When::default();
        if let Some(a) = &c.authority {
            match HostPattern::parse(a) {
                Ok(p) => w.authority = Some(p),
                Err(e) => errors.push(at.key("authority").error(e)),
            }
        }
        if let Some(p) = &c.path_prefix {
            if !p.starts_with('/') {
                errors.push(
                    at.key("path_prefix")
                        .error(format!("must start with '/', got {p:?}")),
                );
            }
            bounded(&at.key("path_prefix"), p, errors);
            w.path_prefix = Some(p.clone());
        }
        if let Some(m) = &c.method {
            if !is_token(m) {
                errors.push(at.key("method").error(format!("not an HTTP method: {m:?}")));
            }
            w.method = Some(m.to_ascii_uppercase());
        }
        w
    }

    /// Compiles a header condition found at `at`.
    pub fn compile_header(
        h: &HeaderMatch,
        at: &FieldPath,
        errors: &mut ConfigErrors,
    ) -> HeaderMatch {
        if !is_token(&h.name) {
            errors.push(
                at.key("name")
                    .error(format!("not a valid header name: {:?}", h.name)),
            );
        }
        bounded(&at.key("value"), &h.value, errors);
        HeaderMatch {
            name: h.name.to_ascii_lowercase(),
            value: h.value.clone(),
        }
    }

    /// True when no condition is set (every request matches).
    pub fn is_empty(&self) -> bool {
        *self == When::default()
    }

    /// True if every condition holds for `req`.
    pub fn matches(&self, req: &RequestFacts<'_>) -> bool {
        if let Some(a) = &self.authority {
            if !a.matches(req.host) {
                return false;
            }
        }
        if let Some(p) = &self.path_prefix {
            if !req.path.starts_with(p.as_str()) {
                return false;
            }
        }
        if let Some(m) = &self.method {
            if req.head.method != *m && !eq_ci(req.head.method.as_bytes(), m.as_bytes()) {
                return false;
            }
        }
        if let Some(h) = &self.header {
            if !req
                .head
                .header_all(&h.name)
                .any(|v| v == h.value.as_bytes())
            {
                return false;
            }
        }
        if let Some(r) = &self.route {
            if req.route != Some(r.as_bytes()) {
                return false;
            }
        }
        true
    }
}

/// What the conditions read of one request, computed once.
pub struct RequestFacts<'a> {
    pub head: &'a RequestHead,
    /// `:authority` without its port (`[v6]` keeps its brackets).
    pub host: &'a [u8],
    /// The canonical path (decoded, dot segments removed), or `""` when
    /// no condition reads it.
    pub path: String,
    /// Envoy's route name, when some condition reads it and the proxy
    /// knows it.
    pub route: Option<&'a [u8]>,
}

impl<'a> RequestFacts<'a> {
    /// The facts of `head`; the canonical path only when `need_path`
    /// (it allocates).
    pub fn new(head: &'a RequestHead, need_path: bool, route: Option<&'a [u8]>) -> Self {
        RequestFacts {
            head,
            host: host_of(&head.authority),
            path: if need_path {
                canonical_path(head.path_only())
            } else {
                String::new()
            },
            route,
        }
    }
}

/// The host part of an authority: without `:port`, IPv6 brackets kept.
pub fn host_of(authority: &[u8]) -> &[u8] {
    if authority.first() == Some(&b'[') {
        return match authority.iter().position(|&b| b == b']') {
            Some(end) => authority.get(..=end).unwrap_or(authority),
            None => authority,
        };
    }
    match authority.iter().rposition(|&b| b == b':') {
        Some(colon) => authority.get(..colon).unwrap_or(authority),
        None => authority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_exactly_or_by_subdomain() {
        let exact = HostPattern::parse("API.example.com").unwrap();
        assert!(exact.matches(b"api.EXAMPLE.com"));
        assert!(!exact.matches(b"xapi.example.com"));
        let sub = HostPattern::parse("*.example.com").unwrap();
        assert!(sub.matches(b"a.example.com") && sub.matches(b"a.b.example.com"));
        assert!(!sub.matches(b"example.com") && !sub.matches(b"badexample.com"));
        assert!(HostPattern::parse("*.").is_err());
        assert!(HostPattern::parse("a b").is_err());
        assert_eq!(host_of(b"a.example.com:8080"), b"a.example.com");
        assert_eq!(host_of(b"[::1]:80"), b"[::1]");
        assert_eq!(host_of(b"plain"), b"plain");
    }

    #[test]
    fn every_condition_must_hold() {
        let mut errors = ConfigErrors::default();
        let c = WhenConfig {
            authority: Some("*.example.com".into()),
            path_prefix: Some("/api/".into()),
            method: Some("post".into()),
        };
        let w = When::compile(&c, &FieldPath::root(), &mut errors);
        assert!(errors.is_empty());
        let mut head = RequestHead::new("POST", "/api/../api/x", vec![]);
        head.authority = b"a.example.com:443".to_vec();
        assert!(w.matches(&RequestFacts::new(&head, true, None)));
        let mut other = head.clone();
        other.path = b"/public/../admin".to_vec();
        assert!(!w.matches(&RequestFacts::new(&other, true, None)));
        other = head.clone();
        other.method = "GET".into();
        assert!(!w.matches(&RequestFacts::new(&other, true, None)));
    }

    #[test]
    fn bad_conditions_name_their_field() {
        let mut errors = ConfigErrors::default();
        let c = WhenConfig {
            authority: Some("*".into()),
            path_prefix: Some("api".into()),
            method: Some("GE T".into()),
        };
        When::compile(&c, &FieldPath::from("profiles[0].match"), &mut errors);
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field()).collect();
        assert_eq!(
            fields,
            [
                "profiles[0].match.authority",
                "profiles[0].match.path_prefix",
                "profiles[0].match.method"
            ]
        );
    }
}
