//! The `limits` section: size and shape limits, each with its own reply.

use serde::{Deserialize, Serialize};

use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Bounds, Context, Section};

/// `limits.max_body_bytes`: the body is buffered in the wasm VM's linear
/// memory (4 GiB at most on wasm32), so at most 1 GiB keeps well clear.
pub const MAX_BODY_BYTES_RANGE: Bounds = Bounds::new(1, 1 << 30);
/// `limits.max_header_bytes`.
pub const MAX_HEADER_BYTES_RANGE: Bounds = Bounds::at_least(1);
/// `limits.max_inspect_bytes` (also at most `max_body_bytes`).
pub const MAX_INSPECT_BYTES_RANGE: Bounds = Bounds::at_least(1);
/// `limits.max_url_bytes`.
pub const MAX_URL_BYTES_RANGE: Bounds = Bounds::at_least(1);
/// `limits.max_params`.
pub const MAX_PARAMS_RANGE: Bounds = Bounds::new(1, u32::MAX as u64);
/// `limits.max_body_values`.
pub const MAX_BODY_VALUES_RANGE: Bounds = Bounds::new(1, u32::MAX as u64);
/// `limits.max_depth`.
pub const MAX_DEPTH_RANGE: Bounds = Bounds::new(1, 10_000);

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
/// them apart. The engine reads this struct as written, once checked.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body accepted, in bytes. Larger → `413`, decided from
    /// `content-length` before anything is buffered, or as soon as the
    /// buffered body passes the limit. Default 10 MiB (10485760), the
    /// reference `max_body_size`; at most 1 GiB. Keep Envoy's
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
    /// Default 96 KiB (98304), Envoy's request-header limit in the shipped
    /// `envoy.yaml` (`max_request_headers_kb: 96`; Envoy's own default is
    /// 60): real analytics and RUM beacons send 17 KB URLs, and a URL
    /// Envoy accepts should not be refused here. Longer URLs get Envoy's
    /// own `431` unless Envoy's limit is raised above this one.
    pub max_url_bytes: u64,
    /// Most parameters (query + form + multipart fields + cookies, and the
    /// leaves of JSON documents inside them) in one request, the
    /// reference's notion of "arguments". More → `400`. Default 10000:
    /// beacons carry hundreds (a RUM beacon's JSON-valued parameters count
    /// leaf by leaf), and inspection cost is bounded by the URL and body
    /// sizes, not by this count.
    pub max_params: u32,
    /// Most values (strings and keys) in a JSON or XML body: an API payload
    /// has many more leaves than a form has fields, so they have their own
    /// budget. More → `400`. Default 100000.
    pub max_body_values: u32,
    /// Deepest JSON / XML nesting accepted. Deeper → `400`. Default 64, at
    /// most 10000.
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 10 * 1024 * 1024,
            max_header_bytes: 8 * 1024,
            max_inspect_bytes: 4 * 1024 * 1024,
            inspect_overflow: OverflowPolicy::Reject,
            max_url_bytes: 96 * 1024,
            max_params: 10_000,
            max_body_values: 100_000,
            max_depth: 64,
        }
    }
}

impl Section for Limits {
    type Compiled = Limits;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<Limits, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        let body = at.key("max_body_bytes");
        let body_ok = if self.max_body_bytes > MAX_BODY_BYTES_RANGE.max {
            errors.push(body.error(format!(
                "must be at most {} (1 GiB: bodies are buffered in the wasm VM), got {}",
                MAX_BODY_BYTES_RANGE.max, self.max_body_bytes
            )));
            false
        } else {
            MAX_BODY_BYTES_RANGE.check(&body, self.max_body_bytes, &mut errors)
        };
        let rest = [
            (
                "max_header_bytes",
                self.max_header_bytes,
                MAX_HEADER_BYTES_RANGE,
            ),
            (
                "max_inspect_bytes",
                self.max_inspect_bytes,
                MAX_INSPECT_BYTES_RANGE,
            ),
            ("max_url_bytes", self.max_url_bytes, MAX_URL_BYTES_RANGE),
            ("max_params", u64::from(self.max_params), MAX_PARAMS_RANGE),
            (
                "max_body_values",
                u64::from(self.max_body_values),
                MAX_BODY_VALUES_RANGE,
            ),
            ("max_depth", u64::from(self.max_depth), MAX_DEPTH_RANGE),
        ];
        let mut inspect_ok = true;
        for (name, v, range) in rest {
            let ok = range.check(&at.key(name), v, &mut errors);
            if name == "max_inspect_bytes" {
                inspect_ok = ok;
            }
        }
        // Compared only when both are valid on their own, so one mistake
        // is reported once.
        if body_ok && inspect_ok && self.max_inspect_bytes > self.max_body_bytes {
            errors.push(at.key("max_inspect_bytes").error(format!(
                "must not exceed {at}.max_body_bytes ({} > {})",
                self.max_inspect_bytes, self.max_body_bytes
            )));
        }
        errors.into_result(self.clone())
    }
}
