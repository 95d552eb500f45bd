//! [`RawConfig`]: the plugin configuration as written, and how a JSON
//! document is read into it (every problem found, with its path).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::read;
use super::{Allowlist, BlockConfig, EventsConfig, InspectSettings, Limits, ResponseConfig};
use crate::engine::detect::{custom, registry, Detector, Sensitivity};
use crate::engine::error::{ConfigError, ConfigErrors, ErrorKind};
use crate::engine::mode::Mode;
use crate::engine::profile::select::{ProfileConfig, ShadowConfig};
use crate::engine::profile::ExclusionConfig;
use crate::engine::ratelimit::RateLimitConfig;
use crate::engine::siem::SiemConfig;

// The detector sections sit between `block` and `custom_rules`, one per
// row of the detector table (`detect/registry.rs`), in its order.
macro_rules! raw_config {
    ($($field:ident $section:ident $variant:ident $doc:literal $ty:path;)*) => {
        /// The top-level plugin configuration, as written in JSON.
        ///
        /// Every field is optional; `{}` means "all defaults": block mode, every
        /// detector blocking, the reference size limits.
        #[derive(Clone, Debug, Default, Deserialize, Serialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct RawConfig {
            /// `"block"` (default) or `"monitor"`. See [`Mode`].
            pub mode: Mode,
            /// Which weak-evidence rules fire: `low` (only rules whose
            /// evidence is unambiguous), `medium` (default: every rule the
            /// detectors report by default) or `high` (also the readings
            /// behind `ssti.probes` and `xxe.reject_doctype`). A detector
            /// section's own `sensitivity` overrides it. See
            /// [`crate::engine::detect::sensitivity`].
            pub sensitivity: Sensitivity,
            /// The local reply sent when a request is blocked.
            pub block: BlockConfig,
            $(#[doc = $doc] pub $section: <$ty as Detector>::Config,)*
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
            /// Findings not acted on: one detector or rule at one location,
            /// optionally only for some hosts, paths or methods. At most 256.
            /// Default empty. See [`crate::engine::profile::exclusion`].
            pub exclusions: Vec<ExclusionConfig>,
            /// Named partial configurations chosen per request by host, path,
            /// method, header or route; the first that matches applies, merged
            /// over this configuration. At most 64. Default empty.
            pub profiles: Vec<ProfileConfig>,
            /// A second configuration evaluated next to this one on (a sample
            /// of) every request; it never acts, its differences in verdict are
            /// counted and logged. Default `null`: none.
            pub shadow: Option<ShadowConfig>,
            /// Response inspection (off by default). See [`ResponseConfig`].
            pub response: ResponseConfig,
        }
    };
}

registry::with_detectors!(raw_config);

/// Reads a document into the raw structs; fails only on a document that
/// is not a JSON object. Empty or all-whitespace input means `{}`.
pub(super) fn read_document(bytes: &[u8]) -> Result<read::Read<RawConfig>, ConfigErrors> {
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
}
