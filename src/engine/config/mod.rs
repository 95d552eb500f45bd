//! Plugin configuration: JSON → documented serde structs → [`Config`].
//!
//! Configuration happens in three steps:
//!
//! 1. [`RawConfig`] and its sections are plain serde structs, the
//!    documented source of truth: every field has a default, so `{}` is a
//!    complete configuration, and unknown fields are errors (a typo must
//!    never silently turn a protection off). The reader (`read.rs`) walks
//!    the document with those structs field by field, so every problem is
//!    found, with its full path and the expected type in words.
//! 2. Every section implements one contract, [`Section`]: it checks its
//!    fields (ranges are [`Bounds`] constants next to the section, shared
//!    with the JSON Schema) and compiles into the form the engine reads.
//!    [`RawConfig::validate`] composes the sections into a [`Config`].
//! 3. The host's `on_configure` logs the [`ConfigErrors`] (all of them, one
//!    line, each naming its field) and returns `false`, so Envoy refuses
//!    the plugin.
//!
//! ```
//! use envoy_rasp::engine::config::Config;
//!
//! let err = Config::from_json(br#"{"limits": {"max_body_bytes": 0}}"#).unwrap_err();
//! assert_eq!(err.field(), "limits.max_body_bytes");
//! let err = Config::from_json(br#"{"limits": {"max_body_bytes": "10MB"}, "xss": {"acton": "log"}}"#)
//!     .unwrap_err();
//! assert_eq!(err.len(), 2);
//! assert_eq!(err.errors()[0].field(), "limits.max_body_bytes");
//! assert!(err.to_string().contains("expected a whole number of bytes, got the string \"10MB\""));
//! assert_eq!(err.errors()[1].field(), "xss.acton");
//! assert!(err.to_string().contains("did you mean `action`?"));
//! ```
//!
//! The default configuration is the validated `{}` ([`Config::default`]).

pub mod block;
mod detectors;
pub mod events;
pub mod limits;
mod read;
pub mod scope;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::detect::{self, custom, Detectors};
use super::ratelimit::{RateLimitConfig, RateLimiter};
use super::siem::SiemConfig;

pub use block::BlockConfig;
pub use events::EventsConfig;
pub use limits::{Limits, OverflowPolicy};
pub use scope::{Allowlist, InspectSettings};

use super::error::{ConfigErrors, ErrorKind, FieldPath};
use super::mode::Mode;
use super::section::{Context, Section};

// Only for `detect/cmdi.rs`, which still imports these two from here;
// everything else imports them from the leaf modules `error` and `mode`.
// Both lines go once cmdi does the same.
pub use super::error::ConfigError;
pub use super::mode::Action;

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
    pub limits: Limits,
    /// Paths that are never inspected.
    pub allowlist: Allowlist,
    /// Which parts of the request are inspected.
    pub inspect: InspectSettings,
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

/// The validated, compiled configuration the engine reads.
#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    pub block: BlockConfig,
    pub detectors: Detectors,
    pub custom_rules: Vec<custom::CustomRule>,
    pub limits: Limits,
    pub allowlist: Allowlist,
    /// As written, header names lowercased.
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
    /// The validated `{}`: exactly what an empty plugin configuration
    /// loads (a test proves it).
    #[allow(clippy::panic)] // the defaults are constants; the tests prove they validate
    fn default() -> Config {
        match RawConfig::default().validate() {
            Ok(c) => c,
            Err(e) => panic!("the built-in defaults do not validate: {e}"),
        }
    }
}

impl Config {
    /// Parses and validates a JSON document (steps 1 and 2), reporting
    /// every problem found.
    pub fn from_json(bytes: &[u8]) -> Result<Config, ConfigErrors> {
        let mut read = read_document(bytes)?;
        let mut errors = ConfigErrors::default();
        errors.extend(read.errors.iter().cloned());
        match std::mem::take(&mut read.value).validate() {
            Ok(config) => errors.into_result(config),
            Err(checks) if errors.is_empty() => Err(checks),
            Err(checks) => {
                // What could not be read was left out: checks of it would
                // judge a default the user did not choose.
                errors.extend(
                    checks
                        .errors()
                        .iter()
                        .filter(|e| !read.hides(e.field()))
                        .cloned(),
                );
                Err(errors)
            }
        }
    }
}

/// Reads a document into the raw structs; fails only on a document that
/// is not a JSON object. Empty or all-whitespace input means `{}`.
fn read_document(bytes: &[u8]) -> Result<read::Read<RawConfig>, ConfigErrors> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(read::Read::clean(RawConfig::default()));
    }
    let doc: Value = serde_json::from_slice(bytes)
        .map_err(|e| ConfigError::of_kind(ErrorKind::Syntax, "", format!("not valid JSON: {e}")))?;
    if !doc.is_object() {
        return Err(ConfigError::of_kind(
            ErrorKind::Syntax,
            "",
            "the configuration must be a JSON object ({…})",
        )
        .into());
    }
    Ok(read::read(&doc))
}

/// Compiles one section at the top-level field `name`, adding its errors
/// to `errors`; a section with errors yields its default, so the other
/// sections are still checked (the result is then discarded).
fn compile_section<S: Section>(
    section: &S,
    name: &str,
    cx: &Context,
    errors: &mut ConfigErrors,
) -> S::Compiled
where
    S::Compiled: Default,
{
    errors
        .take(section.compile(&FieldPath::root().key(name), cx))
        .unwrap_or_default()
}

impl RawConfig {
    /// Parses a JSON document into the raw structs (step 1 only), with
    /// every error naming its field. Empty or all-whitespace input means
    /// `{}`.
    pub fn from_json(bytes: &[u8]) -> Result<RawConfig, ConfigErrors> {
        let read = read_document(bytes)?;
        let mut errors = ConfigErrors::default();
        errors.extend(read.errors);
        errors.into_result(read.value)
    }

    /// Checks every section and compiles the configuration (step 2).
    pub fn validate(self) -> Result<Config, ConfigErrors> {
        let cx = Context { mode: self.mode };
        let mut errors = ConfigErrors::default();
        let e = &mut errors;
        let block = compile_section(&self.block, "block", &cx, e);
        let limits = compile_section(&self.limits, "limits", &cx, e);
        let allowlist = compile_section(&self.allowlist, "allowlist", &cx, e);
        let inspect = compile_section(&self.inspect, "inspect", &cx, e);
        let events = compile_section(&self.events, "events", &cx, e);
        let siem = compile_section(&self.siem, "siem", &cx, e);
        let rate_limit = compile_section(&self.rate_limit, "rate_limit", &cx, e);
        let detectors = detectors::compile_detectors(&self, &cx, e);
        let custom_rules = compile_section(&self.custom_rules, "custom_rules", &cx, e);
        errors.into_result(())?;
        Ok(Config {
            mode: self.mode,
            block,
            detectors,
            custom_rules,
            limits,
            allowlist,
            inspect,
            events,
            siem,
            rate_limit,
            raw: self,
        })
    }
}
