//! Plugin configuration: JSON → documented serde structs → [`Config`].
//!
//! Configuration happens in three steps:
//!
//! 1. [`RawConfig`] and its sections are plain serde structs. Every field has
//!    a default, so `{}` is a complete configuration, and unknown fields are
//!    errors (a typo must never silently turn a protection off).
//! 2. [`RawConfig::validate`] checks ranges and compiles patterns into a
//!    [`Config`]: the only form the engine reads.
//! 3. The host's `on_configure` logs the [`ConfigError`] (which names the
//!    offending field) and returns `false`, so Envoy refuses the plugin.
//!
//! ```
//! use envoy_rasp::engine::config::Config;
//!
//! let err = Config::from_json(br#"{"limits": {"max_body_bytes": 0}}"#).unwrap_err();
//! assert_eq!(err.field(), "limits.max_body_bytes");
//! let err = Config::from_json(br#"{"xss": {"acton": "log"}}"#).unwrap_err();
//! assert!(err.to_string().contains("xss"));
//! assert!(err.to_string().contains("acton"));
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::detect::{self, custom, Detectors};
use super::ratelimit::{self, RateLimitConfig, RateLimiter};
use super::siem::SiemConfig;

// The shared vocabulary lives in leaf modules (they import nothing from
// the engine); re-exported here, where the detectors import it from today.
pub use super::error::ConfigError;
pub use super::mode::{Action, Mode};

/// The top-level plugin configuration, as written in JSON.
///
/// Every field is optional; `{}` means "all defaults": block mode, every
/// detector blocking, the reference size limits.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    /// `"block"` (default) or `"monitor"`. See [`Mode`].
    pub mode: Mode,
    /// The local reply sent when a request is blocked.
    pub block: BlockConfig,
    /// SQL injection detector (`action`, `min_length`, `whitelist`).
    pub sql_injection: detect::sqli::SqliConfig,
    /// Cross-site scripting detector.
    pub xss: detect::xss::XssConfig,
    /// OS command injection detector (`action`, `blacklist` of commands).
    pub command_injection: detect::cmdi::CmdiConfig,
    /// Path traversal / local file inclusion detector (`action`,
    /// `whitelist` of directories).
    pub path_traversal: detect::traversal::TraversalConfig,
    /// Server-side request forgery detector (`action`, `blacklist` of CIDRs,
    /// `whitelist` of hosts, `schemes`).
    pub ssrf: detect::ssrf::SsrfConfig,
    /// XML external entity detector (`action`, `reject_doctype`).
    pub xxe: detect::xxe::XxeConfig,
    /// Malicious upload detector (`action`, `blacklist` of extensions).
    pub file_upload: detect::upload::UploadConfig,
    /// User regex rules (the reference sidecar's `rules:` section).
    pub custom_rules: Vec<custom::CustomRuleConfig>,
    /// Size and shape limits.
    pub limits: LimitsConfig,
    /// Paths that are never inspected.
    pub allowlist: AllowlistConfig,
    /// Which parts of the request are inspected.
    pub inspect: InspectConfig,
    /// Security event (log line) settings.
    pub events: EventsConfig,
    /// Ship events to a SIEM collector too (Splunk HEC or JSON lines over
    /// HTTP through an Envoy cluster). Default `null`: off. See
    /// [`crate::engine::siem`].
    pub siem: Option<SiemConfig>,
    /// Per-client rate limiting shared across Envoy workers (off by
    /// default). See [`RateLimitConfig`].
    pub rate_limit: RateLimitConfig,
}

/// The local reply for a blocked request.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlockConfig {
    /// HTTP status of the reply. Default `403`. Must be 200–599.
    pub status_code: u16,
    /// `Content-Type` of the reply. Default `application/json`.
    pub content_type: String,
    /// Reply body. Default (`null`): a small JSON object
    /// `{"blocked":true,"event_id":"…","type":"…"}`. A string is sent as
    /// is, after replacing `{event_id}` and `{type}`. The payload is never
    /// echoed.
    pub body: Option<String>,
    /// When set, blocked requests get `302 Found` with this `Location`
    /// instead (the reference's `block.redirect_url`). `{event_id}` is
    /// replaced. Default `null`.
    pub redirect_url: Option<String>,
}

impl Default for BlockConfig {
    fn default() -> Self {
        BlockConfig {
            status_code: 403,
            content_type: "application/json".to_string(),
            body: None,
            redirect_url: None,
        }
    }
}

/// What happens when a body is larger than `max_inspect_bytes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OverflowPolicy {
    /// Answer `413` (ModSecurity's `SecRequestBodyLimitAction Reject`).
    #[default]
    Reject,
    /// Inspect the first `max_inspect_bytes`, pass the request, log an
    /// `inspection_truncated` event and count it.
    Partial,
}

/// Size and shape limits. Each one has its own reply so clients can tell
/// them apart.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Largest request body accepted, in bytes. Larger → `413`, decided from
    /// `content-length` before anything is buffered, or as soon as the
    /// buffered body passes the limit. Default 10 MiB (10485760), the
    /// reference `max_body_size`. Keep Envoy's
    /// `per_connection_buffer_limit_bytes` at least this large.
    pub max_body_bytes: u64,
    /// Largest total size of the request headers (names + values, pseudo
    /// headers excluded), in bytes. Larger → `431`. Default 8 KiB (8192),
    /// the reference `max_header_size`.
    pub max_header_bytes: u64,
    /// Largest body (of an inspected content type) that is run through the
    /// detectors. File contents of multipart uploads do not count. Default
    /// 4 MiB. Must be ≤ `max_body_bytes`.
    pub max_inspect_bytes: u64,
    /// What to do when an inspected body is larger than
    /// `max_inspect_bytes`: `"reject"` (`413`, default) or `"partial"`.
    pub inspect_overflow: OverflowPolicy,
    /// Longest `:path` (path and query), in bytes. Longer → `414`.
    /// Default 8192.
    pub max_url_bytes: u64,
    /// Most parameters (query + form + multipart fields + cookies) in one
    /// request, the reference's notion of "arguments". More → `400`.
    /// Default 1000.
    pub max_params: u32,
    /// Most values (strings and keys) in a JSON or XML body: an API payload
    /// has many more leaves than a form has fields, so they have their own
    /// budget. More → `400`. Default 100000.
    pub max_body_values: u32,
    /// Deepest JSON / XML nesting accepted. Deeper → `400`. Default 64.
    pub max_depth: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_body_bytes: 10 * 1024 * 1024,
            max_header_bytes: 8 * 1024,
            max_inspect_bytes: 4 * 1024 * 1024,
            inspect_overflow: OverflowPolicy::Reject,
            max_url_bytes: 8192,
            max_params: 1000,
            max_body_values: 100_000,
            max_depth: 64,
        }
    }
}

/// Paths exempt from inspection (detectors and custom rules). Size limits
/// still apply. Paths are compared after percent-decoding and removing dot
/// segments, so `/static/../admin` is not under `/static/`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AllowlistConfig {
    /// Paths matched exactly (query string ignored), e.g. `"/healthz"`.
    /// Default empty.
    pub exact_paths: Vec<String>,
    /// Path prefixes, e.g. `"/static/"`. Default empty.
    pub path_prefixes: Vec<String>,
}

/// Which request surfaces are inspected.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct InspectConfig {
    /// Inspect the URL path (segments and matrix parameters). Default true.
    pub path: bool,
    /// Inspect query parameter names and values. Default true.
    pub query: bool,
    /// Inspect each cookie value (`cookie` header, RFC 6265). Default true.
    pub cookies: bool,
    /// Request headers whose values are inspected, case-insensitive.
    /// Default `["user-agent", "referer"]` (the reference middleware's
    /// choice; `cookie` is covered by `cookies`). Headers that carry
    /// addresses (`x-forwarded-for`) are better left out: private addresses
    /// there are normal in a mesh.
    pub headers: Vec<String>,
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
    /// setting Envoy stops every later callback and requests with a body
    /// would stall, so the default is `false`: headers go upstream at once,
    /// the body is held until the verdict, and a blocked request reaches the
    /// upstream as headers followed by a reset. Keep `false` where the Envoy
    /// setting cannot be made (Istio `WasmPlugin`).
    pub hold_headers: bool,
}

impl Default for InspectConfig {
    fn default() -> Self {
        InspectConfig {
            path: true,
            query: true,
            cookies: true,
            headers: vec!["user-agent".to_string(), "referer".to_string()],
            body: true,
            file_contents: false,
            hold_headers: false,
        }
    }
}

/// Security event settings.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventsConfig {
    /// Longest evidence excerpt in an event, in bytes (control characters
    /// escaped). Default 200, at most 1024.
    pub max_evidence_bytes: usize,
    /// Most findings kept (and logged) per request. Default 8, 1–64.
    pub max_findings: usize,
}

impl Default for EventsConfig {
    fn default() -> Self {
        EventsConfig {
            max_evidence_bytes: 200,
            max_findings: 8,
        }
    }
}

/// Compiled size limits (see [`LimitsConfig`]).
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_body_bytes: u64,
    pub max_header_bytes: u64,
    pub max_inspect_bytes: u64,
    pub inspect_overflow: OverflowPolicy,
    pub max_url_bytes: u64,
    pub max_params: u32,
    pub max_body_values: u32,
    pub max_depth: u32,
}

/// Compiled allowlist.
#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    exact: Vec<String>,
    prefixes: Vec<String>,
}

impl Allowlist {
    /// True if the (decoded, dot-segment-free) `path` is exempt.
    pub fn matches(&self, path: &str) -> bool {
        self.exact.iter().any(|p| p == path) || self.prefixes.iter().any(|p| path.starts_with(p))
    }

    /// True when nothing is allowlisted (the check can be skipped).
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.prefixes.is_empty()
    }
}

/// Compiled inspection settings.
#[derive(Clone, Debug)]
pub struct InspectSettings {
    pub path: bool,
    pub query: bool,
    pub cookies: bool,
    /// Lowercased header names.
    pub headers: Vec<String>,
    pub body: bool,
    pub file_contents: bool,
    pub hold_headers: bool,
}

/// The validated, compiled configuration the engine reads.
#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    pub block: BlockConfig,
    pub detectors: Detectors,
    pub custom_rules: Vec<custom::CustomRule>,
    pub limits: Limits,
    pub allowlist: Allowlist,
    pub inspect: InspectSettings,
    pub events: EventsConfig,
    /// The validated SIEM sink settings, when the sink is on.
    pub siem: Option<SiemConfig>,
    /// The compiled rate limiter; `None` when `rate_limit.enabled` is false.
    pub rate_limit: Option<RateLimiter>,
    /// The configuration as written (after defaults), for `rasp-explain`.
    pub raw: RawConfig,
}

impl Default for Config {
    fn default() -> Self {
        match RawConfig::default().validate() {
            Ok(c) => c,
            // The defaults are covered by tests; this arm cannot be reached
            // unless they are broken, and then an empty engine is the least
            // harmful answer.
            Err(_) => Config {
                mode: Mode::Monitor,
                block: BlockConfig::default(),
                detectors: Detectors::default(),
                custom_rules: Vec::new(),
                limits: Limits {
                    max_body_bytes: u64::MAX,
                    max_header_bytes: u64::MAX,
                    max_inspect_bytes: 0,
                    inspect_overflow: OverflowPolicy::Partial,
                    max_url_bytes: u64::MAX,
                    max_params: u32::MAX,
                    max_body_values: u32::MAX,
                    max_depth: u32::MAX,
                },
                allowlist: Allowlist::default(),
                inspect: InspectSettings {
                    path: false,
                    query: false,
                    cookies: false,
                    headers: Vec::new(),
                    body: false,
                    file_contents: false,
                    hold_headers: false,
                },
                events: EventsConfig::default(),
                siem: None,
                rate_limit: None,
                raw: RawConfig::default(),
            },
        }
    }
}

/// Deserializes one section, prefixing serde's message with its path.
fn section<T: DeserializeOwned>(path: &str, value: &serde_json::Value) -> Result<T, ConfigError> {
    T::deserialize(value).map_err(|e| ConfigError::new(path, e.to_string()))
}

/// Like [`section`] for sections that are objects: serde would also accept
/// a struct written as an array of its field values, which no reader of
/// the configuration would expect.
fn object_section<T: DeserializeOwned>(
    path: &str,
    value: &serde_json::Value,
) -> Result<T, ConfigError> {
    if value.is_array() {
        return Err(ConfigError::new(path, "must be an object, not an array"));
    }
    section(path, value)
}

impl Config {
    /// Parses and validates a JSON document (steps 1 and 2).
    pub fn from_json(bytes: &[u8]) -> Result<Config, ConfigError> {
        RawConfig::from_json(bytes)?.validate()
    }
}

impl RawConfig {
    /// Parses a JSON document into the raw structs, with errors that name
    /// the section and field. Empty or all-whitespace input means `{}`.
    pub fn from_json(bytes: &[u8]) -> Result<RawConfig, ConfigError> {
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(RawConfig::default());
        }
        let doc: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| ConfigError::new("", format!("not valid JSON: {e}")))?;
        let obj = doc
            .as_object()
            .ok_or_else(|| ConfigError::new("", "the configuration must be a JSON object"))?;
        let mut raw = RawConfig::default();
        for (key, value) in obj {
            let k = key.as_str();
            match k {
                "mode" => raw.mode = section(k, value)?,
                "block" => raw.block = object_section(k, value)?,
                "sql_injection" => raw.sql_injection = object_section(k, value)?,
                "xss" => raw.xss = object_section(k, value)?,
                "command_injection" => raw.command_injection = object_section(k, value)?,
                "path_traversal" => raw.path_traversal = object_section(k, value)?,
                "ssrf" => raw.ssrf = object_section(k, value)?,
                "xxe" => raw.xxe = object_section(k, value)?,
                "file_upload" => raw.file_upload = object_section(k, value)?,
                "custom_rules" => {
                    let items = value
                        .as_array()
                        .ok_or_else(|| ConfigError::new(k, "must be an array of rule objects"))?;
                    raw.custom_rules = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        raw.custom_rules
                            .push(section(&format!("custom_rules[{i}]"), item)?);
                    }
                }
                "limits" => raw.limits = object_section(k, value)?,
                "allowlist" => raw.allowlist = object_section(k, value)?,
                "inspect" => raw.inspect = object_section(k, value)?,
                "events" => raw.events = object_section(k, value)?,
                "siem" => raw.siem = object_section(k, value)?,
                "rate_limit" => raw.rate_limit = ratelimit::parse_section(value)?,
                other => {
                    return Err(ConfigError::new(
                        other,
                        format!(
                            "unknown field, expected one of {}",
                            TOP_LEVEL_FIELDS.join(", ")
                        ),
                    ))
                }
            }
        }
        Ok(raw)
    }

    /// Checks every field and compiles the configuration (step 2).
    pub fn validate(self) -> Result<Config, ConfigError> {
        let b = &self.block;
        if !(200..=599).contains(&b.status_code) {
            return Err(ConfigError::new(
                "block.status_code",
                format!("must be between 200 and 599, got {}", b.status_code),
            ));
        }
        if b.content_type.is_empty() || b.content_type.bytes().any(|c| c < 0x20 || c == 0x7f) {
            return Err(ConfigError::new(
                "block.content_type",
                "must be a non-empty header value without control characters",
            ));
        }
        if let Some(url) = &b.redirect_url {
            if url.is_empty() || url.bytes().any(|c| c < 0x21 || c == 0x7f) {
                return Err(ConfigError::new(
                    "block.redirect_url",
                    "must be a non-empty URL without spaces or control characters",
                ));
            }
        }
        if let Some(body) = &b.body {
            if body.len() > 64 * 1024 {
                return Err(ConfigError::new("block.body", "must be at most 64 KiB"));
            }
        }

        let l = &self.limits;
        let positive = [
            ("limits.max_body_bytes", l.max_body_bytes),
            ("limits.max_header_bytes", l.max_header_bytes),
            ("limits.max_inspect_bytes", l.max_inspect_bytes),
            ("limits.max_url_bytes", l.max_url_bytes),
            ("limits.max_params", u64::from(l.max_params)),
            ("limits.max_body_values", u64::from(l.max_body_values)),
            ("limits.max_depth", u64::from(l.max_depth)),
        ];
        for (field, v) in positive {
            if v == 0 {
                return Err(ConfigError::new(field, "must be greater than 0"));
            }
        }
        if l.max_inspect_bytes > l.max_body_bytes {
            return Err(ConfigError::new(
                "limits.max_inspect_bytes",
                format!(
                    "must not exceed limits.max_body_bytes ({} > {})",
                    l.max_inspect_bytes, l.max_body_bytes
                ),
            ));
        }
        // The body is buffered in the wasm VM's linear memory (4 GiB at most
        // on wasm32); keep well clear of it.
        if l.max_body_bytes > 1024 * 1024 * 1024 {
            return Err(ConfigError::new(
                "limits.max_body_bytes",
                "must be at most 1 GiB (bodies are buffered in the wasm VM)",
            ));
        }
        if l.max_depth > 10_000 {
            return Err(ConfigError::new(
                "limits.max_depth",
                "must be at most 10000",
            ));
        }

        for (field, list) in [
            ("allowlist.exact_paths", &self.allowlist.exact_paths),
            ("allowlist.path_prefixes", &self.allowlist.path_prefixes),
        ] {
            for (i, p) in list.iter().enumerate() {
                if !p.starts_with('/') {
                    return Err(ConfigError::new(
                        format!("{field}[{i}]"),
                        format!("must start with '/', got {p:?}"),
                    ));
                }
            }
        }

        let mut headers = Vec::with_capacity(self.inspect.headers.len());
        for (i, h) in self.inspect.headers.iter().enumerate() {
            let valid = !h.is_empty()
                && h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c));
            if !valid {
                return Err(ConfigError::new(
                    format!("inspect.headers[{i}]"),
                    format!("not a valid header name: {h:?}"),
                ));
            }
            headers.push(h.to_ascii_lowercase());
        }

        let e = &self.events;
        if e.max_evidence_bytes == 0 || e.max_evidence_bytes > 1024 {
            return Err(ConfigError::new(
                "events.max_evidence_bytes",
                "must be between 1 and 1024",
            ));
        }
        if e.max_findings == 0 || e.max_findings > 64 {
            return Err(ConfigError::new(
                "events.max_findings",
                "must be between 1 and 64",
            ));
        }

        if let Some(siem) = &self.siem {
            siem.validate("siem")?;
        }

        let rate_limit = RateLimiter::compile(&self.rate_limit, self.mode)?;
        let detectors = Detectors::compile(&self)?;
        let mut custom_rules = Vec::with_capacity(self.custom_rules.len());
        let mut ids = std::collections::HashSet::new();
        for (i, rule) in self.custom_rules.iter().enumerate() {
            let compiled = custom::CustomRule::compile(rule, &format!("custom_rules[{i}]"))?;
            if !ids.insert(rule.id.clone()) {
                return Err(ConfigError::new(
                    format!("custom_rules[{i}].id"),
                    format!("duplicate rule id {:?}", rule.id),
                ));
            }
            if let Some(c) = compiled {
                custom_rules.push(c);
            }
        }

        Ok(Config {
            mode: self.mode,
            block: self.block.clone(),
            detectors,
            custom_rules,
            limits: Limits {
                max_body_bytes: l.max_body_bytes,
                max_header_bytes: l.max_header_bytes,
                max_inspect_bytes: l.max_inspect_bytes,
                inspect_overflow: l.inspect_overflow,
                max_url_bytes: l.max_url_bytes,
                max_params: l.max_params,
                max_body_values: l.max_body_values,
                max_depth: l.max_depth,
            },
            allowlist: Allowlist {
                exact: self.allowlist.exact_paths.clone(),
                prefixes: self.allowlist.path_prefixes.clone(),
            },
            inspect: InspectSettings {
                path: self.inspect.path,
                query: self.inspect.query,
                cookies: self.inspect.cookies,
                headers,
                body: self.inspect.body,
                file_contents: self.inspect.file_contents,
                hold_headers: self.inspect.hold_headers,
            },
            events: self.events.clone(),
            siem: self.siem.clone(),
            rate_limit,
            raw: self,
        })
    }
}

/// Top-level keys accepted in the configuration document.
pub const TOP_LEVEL_FIELDS: &[&str] = &[
    "mode",
    "block",
    "sql_injection",
    "xss",
    "command_injection",
    "path_traversal",
    "ssrf",
    "xxe",
    "file_upload",
    "custom_rules",
    "limits",
    "allowlist",
    "inspect",
    "events",
    "siem",
    "rate_limit",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_braces_are_defaults() {
        for doc in [&b""[..], b"  ", b"{}"] {
            let c = Config::from_json(doc).unwrap();
            assert_eq!(c.mode, Mode::Block);
            assert_eq!(c.block.status_code, 403);
            assert_eq!(c.limits.max_body_bytes, 10 * 1024 * 1024);
            assert_eq!(c.limits.max_header_bytes, 8192);
            assert_eq!(c.inspect.headers, vec!["user-agent", "referer"]);
        }
    }

    #[test]
    fn unknown_top_level_field_is_named() {
        let e = Config::from_json(br#"{"mdoe": "block"}"#).unwrap_err();
        assert_eq!(e.field(), "mdoe");
        assert!(e.to_string().contains("unknown field"), "{e}");
    }

    #[test]
    fn unknown_nested_field_is_named_with_its_section() {
        let e = Config::from_json(br#"{"limits": {"max_body": 5}}"#).unwrap_err();
        assert_eq!(e.field(), "limits");
        assert!(e.message().contains("max_body"), "{e}");
    }

    #[test]
    fn bad_enum_value_is_named() {
        let e = Config::from_json(br#"{"mode": "blocking"}"#).unwrap_err();
        assert_eq!(e.field(), "mode");
        let e = Config::from_json(br#"{"sql_injection": {"action": "drop"}}"#).unwrap_err();
        assert_eq!(e.field(), "sql_injection");
        assert!(e.message().contains("drop"), "{e}");
    }

    #[test]
    fn sections_written_as_arrays_are_rejected() {
        let e = Config::from_json(br#"{"allowlist": []}"#).unwrap_err();
        assert_eq!(e.field(), "allowlist");
        let e = Config::from_json(br#"{"block": [403, "text/plain", null, null]}"#).unwrap_err();
        assert_eq!(e.field(), "block");
    }

    #[test]
    fn invalid_json_and_non_object() {
        assert!(Config::from_json(b"{")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
        assert!(Config::from_json(b"[]")
            .unwrap_err()
            .to_string()
            .contains("JSON object"));
    }

    #[test]
    fn ranges_are_checked() {
        let cases: &[(&str, &str)] = &[
            (r#"{"block": {"status_code": 99}}"#, "block.status_code"),
            (
                r#"{"block": {"redirect_url": "a b"}}"#,
                "block.redirect_url",
            ),
            (
                r#"{"limits": {"max_body_bytes": 0}}"#,
                "limits.max_body_bytes",
            ),
            (
                r#"{"limits": {"max_body_bytes": 10, "max_inspect_bytes": 11}}"#,
                "limits.max_inspect_bytes",
            ),
            (
                r#"{"allowlist": {"path_prefixes": ["static"]}}"#,
                "allowlist.path_prefixes[0]",
            ),
            (
                r#"{"inspect": {"headers": ["user agent"]}}"#,
                "inspect.headers[0]",
            ),
            (r#"{"events": {"max_findings": 0}}"#, "events.max_findings"),
        ];
        for (doc, field) in cases {
            let e = Config::from_json(doc.as_bytes()).unwrap_err();
            assert_eq!(e.field(), *field, "{doc}: {e}");
        }
    }

    #[test]
    fn custom_rule_errors_name_rule_and_pattern() {
        let doc = br#"{"custom_rules": [
            {"id": "ok", "patterns": ["abc"]},
            {"id": "broken", "patterns": ["fine", "(unclosed"]}
        ]}"#;
        let e = Config::from_json(doc).unwrap_err();
        assert_eq!(e.field(), "custom_rules[1].patterns[1]");
        assert!(e.to_string().contains("broken"), "{e}");
        let dup = br#"{"custom_rules": [{"id": "a", "patterns": ["x"]}, {"id": "a", "patterns": ["y"]}]}"#;
        assert_eq!(
            Config::from_json(dup).unwrap_err().field(),
            "custom_rules[1].id"
        );
    }

    #[test]
    fn headers_are_lowercased() {
        let c =
            Config::from_json(br#"{"inspect": {"headers": ["User-Agent", "X-Api-Key"]}}"#).unwrap();
        assert_eq!(c.inspect.headers, vec!["user-agent", "x-api-key"]);
    }

    #[test]
    fn default_config_validates() {
        let c = Config::default();
        assert_eq!(c.mode, Mode::Block);
        assert!(c.inspect.body);
    }
}
