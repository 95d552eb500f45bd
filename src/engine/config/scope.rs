//! What is inspected: the `inspect` section (which parts of a request) and
//! the `allowlist` section (which paths are not inspected at all).

use serde::{Deserialize, Serialize};

use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Bounds, Context, Section};

/// `inspect.hold_headers_timeout_ms`: long enough for a client that sends
/// its headers and body in separate packets, short enough that a request
/// Envoy withholds is not mistaken for a hang.
pub const HOLD_HEADERS_TIMEOUT_MS_RANGE: Bounds = Bounds::new(100, 60_000);
/// Default of `inspect.hold_headers_timeout_ms`.
pub const DEFAULT_HOLD_HEADERS_TIMEOUT_MS: u64 = 1000;

/// Paths exempt from inspection (detectors and custom rules). Size limits
/// still apply. Paths are compared after percent-decoding and removing dot
/// segments, so `/static/../admin` is not under `/static/`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Allowlist {
    /// Paths matched exactly (query string ignored), e.g. `"/healthz"`.
    /// Default empty.
    pub exact_paths: Vec<String>,
    /// Path prefixes, e.g. `"/static/"`. Default empty.
    pub path_prefixes: Vec<String>,
}

impl Allowlist {
    /// True if the (decoded, dot-segment-free) `path` is exempt.
    pub fn matches(&self, path: &str) -> bool {
        self.exact_paths.iter().any(|p| p == path)
            || self
                .path_prefixes
                .iter()
                .any(|p| path.starts_with(p.as_str()))
    }

    /// True when nothing is allowlisted (the check can be skipped).
    pub fn is_empty(&self) -> bool {
        self.exact_paths.is_empty() && self.path_prefixes.is_empty()
    }
}

/// Checked only: every entry must be a path.
impl Section for Allowlist {
    type Compiled = Allowlist;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<Allowlist, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        for (name, list) in [
            ("exact_paths", &self.exact_paths),
            ("path_prefixes", &self.path_prefixes),
        ] {
            for (i, p) in list.iter().enumerate() {
                if !p.starts_with('/') {
                    errors.push(
                        at.key(name)
                            .index(i)
                            .error(format!("must start with '/', got {p:?}")),
                    );
                }
            }
        }
        errors.into_result(self.clone())
    }
}

/// Which request surfaces are inspected.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct InspectSettings {
    /// Inspect the URL path (segments and matrix parameters). Default true.
    pub path: bool,
    /// Inspect query parameter names and values. Default true.
    pub query: bool,
    /// Inspect each cookie value (`cookie` header, RFC 6265). Default true.
    pub cookies: bool,
    /// Request headers whose values are inspected, case-insensitive
    /// (compiled to lowercase). Default `["user-agent", "referer"]` (the
    /// reference middleware's choice; `cookie` is covered by `cookies`).
    /// Headers that carry addresses (`x-forwarded-for`) are better left
    /// out: private addresses there are normal in a mesh.
    pub headers: Vec<String>,
    /// Headers (case-insensitive) that the header-borne detectors
    /// (`jndi_injection`, `header_injection`, `scanner`, and
    /// `sql_injection` / `xss` beyond `headers`) do not read. They read
    /// every other request header, `:authority` included, because
    /// applications log any header (SQL injection and XSS also leave out a
    /// built-in list of headers whose grammar is syntax to them: `accept*`,
    /// `authorization`, `content-type`, `if-none-match`, `sec-ch-*`,
    /// signatures…, see the README). Default `["cookie"]`: cookies are read
    /// one by one as their own surface.
    pub exclude_headers: Vec<String>,
    /// Inspect request bodies (form, JSON, multipart, XML, sniffed text).
    /// Default true.
    pub body: bool,
    /// Also run the injection detectors over the contents of uploaded files
    /// in multipart bodies. Default false (file names and part headers are
    /// always inspected).
    pub file_contents: bool,
    /// Hold the request headers until the body has been inspected, so the
    /// upstream sees nothing of a request that gets blocked.
    ///
    /// Needs Envoy 1.35 or later with `allow_on_headers_stop_iteration: true`
    /// in the Wasm `PluginConfig` (set in `envoy/envoy.yaml`). Without that
    /// setting Envoy withholds the body from a filter that holds the headers,
    /// so the default is `false`: headers go upstream at once,
    /// the body is held until the verdict, and a blocked request reaches the
    /// upstream as headers followed by a reset. Keep `false` where the Envoy
    /// setting cannot be made (Istio `WasmPlugin`).
    ///
    /// A misconfiguration never hangs traffic: a held request that gets no
    /// body within `hold_headers_timeout_ms` is resumed (counted in
    /// `rasp_hold_headers_resumed_total`, logged once per VM), its body is
    /// still inspected, and once a VM sees that Envoy withheld the body it
    /// stops holding headers.
    pub hold_headers: bool,
    /// How long held headers wait for the first body data before the
    /// request is resumed, in milliseconds. Default 1000 (100–60000).
    pub hold_headers_timeout_ms: u64,
}

impl Default for InspectSettings {
    fn default() -> Self {
        InspectSettings {
            path: true,
            query: true,
            cookies: true,
            headers: vec!["user-agent".to_string(), "referer".to_string()],
            exclude_headers: vec!["cookie".to_string()],
            body: true,
            file_contents: false,
            hold_headers: false,
            hold_headers_timeout_ms: DEFAULT_HOLD_HEADERS_TIMEOUT_MS,
        }
    }
}

/// True for an RFC 9110 token (a header name).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

/// Compiles to the same settings with the header names lowercased.
impl Section for InspectSettings {
    type Compiled = InspectSettings;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<InspectSettings, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        let mut headers = Vec::with_capacity(self.headers.len());
        for (i, h) in self.headers.iter().enumerate() {
            if !is_token(h) {
                errors.push(
                    at.key("headers")
                        .index(i)
                        .error(format!("not a valid header name: {h:?}")),
                );
            }
            headers.push(h.to_ascii_lowercase());
        }
        let mut exclude_headers = Vec::with_capacity(self.exclude_headers.len());
        for (i, h) in self.exclude_headers.iter().enumerate() {
            // A leading `:` names a pseudo header (`:authority`).
            if !is_token(h.strip_prefix(':').unwrap_or(h)) {
                errors.push(
                    at.key("exclude_headers")
                        .index(i)
                        .error(format!("not a valid header name: {h:?}")),
                );
            }
            exclude_headers.push(h.to_ascii_lowercase());
        }
        HOLD_HEADERS_TIMEOUT_MS_RANGE.check(
            &at.key("hold_headers_timeout_ms"),
            self.hold_headers_timeout_ms,
            &mut errors,
        );
        errors.into_result(InspectSettings {
            headers,
            exclude_headers,
            ..self.clone()
        })
    }
}
