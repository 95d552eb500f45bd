//! The `block` section: the local reply sent for a blocked request.

use serde::{Deserialize, Serialize};

use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Bounds, Context, Section};

/// The statuses `block.status_code` accepts.
pub const STATUS_CODE_RANGE: Bounds = Bounds::new(200, 599);

/// Longest `block.body`, in bytes (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

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
    /// echoed. At most 64 KiB.
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

/// Checked only: the engine reads the section as written.
impl Section for BlockConfig {
    type Compiled = BlockConfig;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<BlockConfig, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        STATUS_CODE_RANGE.check(
            &at.key("status_code"),
            u64::from(self.status_code),
            &mut errors,
        );
        let ct = &self.content_type;
        if ct.is_empty() || ct.bytes().any(|c| c < 0x20 || c == 0x7f) {
            errors.push(
                at.key("content_type")
                    .error("must be a non-empty header value without control characters"),
            );
        }
        if let Some(url) = &self.redirect_url {
            if url.is_empty() || url.bytes().any(|c| c < 0x21 || c == 0x7f) {
                errors.push(
                    at.key("redirect_url")
                        .error("must be a non-empty URL without spaces or control characters"),
                );
            }
        }
        if let Some(body) = &self.body {
            if body.len() > MAX_BODY_BYTES {
                errors.push(at.key("body").error(format!(
                    "must be at most 64 KiB ({MAX_BODY_BYTES} bytes), got {} bytes",
                    body.len()
                )));
            }
        }
        errors.into_result(self.clone())
    }
}
