//! The `events` section: what a security event (log line) carries.

use serde::{Deserialize, Serialize};

use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Bounds, Context, Section};

/// The lengths `events.max_evidence_bytes` accepts.
pub const MAX_EVIDENCE_BYTES_RANGE: Bounds = Bounds::new(1, 1024);

/// The counts `events.max_findings` accepts.
pub const MAX_FINDINGS_RANGE: Bounds = Bounds::new(1, 64);

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

/// Checked only: the engine reads the section as written.
impl Section for EventsConfig {
    type Compiled = EventsConfig;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<EventsConfig, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        MAX_EVIDENCE_BYTES_RANGE.check(
            &at.key("max_evidence_bytes"),
            self.max_evidence_bytes as u64,
            &mut errors,
        );
        MAX_FINDINGS_RANGE.check(
            &at.key("max_findings"),
            self.max_findings as u64,
            &mut errors,
        );
        errors.into_result(self.clone())
    }
}
