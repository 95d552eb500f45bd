//! The `rate_limit` section as written: serde types with their defaults
//! and the ranges its fields accept ([`Bounds`] constants, read by the
//! checks in `compile.rs` and by the JSON Schema generator).

use serde::{Deserialize, Serialize};

use crate::engine::section::Bounds;

/// What happens to a request over its limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RateAction {
    /// Answer `429 Too Many Requests` with `Retry-After` (in `block` mode;
    /// in `monitor` mode the request passes and is counted as `monitor`).
    #[default]
    Throttle,
    /// Let it pass; count it (`action="log"`).
    Log,
}

/// Where the client key comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// The peer address of the connection (Envoy's `source.address`
    /// property), port removed.
    #[default]
    ClientAddress,
    /// The `trusted_hops`-th address from the right of `x-forwarded-for`.
    XForwardedFor,
    /// The value of the request header named by `header` (an API key).
    Header,
    /// Client address and `user-agent` together (the reference
    /// middleware's client id).
    ClientAddressUserAgent,
}

/// What a request without a usable key is limited by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// The connection's client address (when that is missing too, the
    /// request is not limited and is counted as unkeyed).
    #[default]
    ClientAddress,
    /// One bucket per rule shared by every request without a key (e.g. the
    /// anonymous tier when keying by API key).
    Shared,
    /// Not limited; counted in `rasp_ratelimit_unkeyed_total`.
    None,
}

/// What to decide when the compare-and-swap retries are exhausted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentionPolicy {
    /// Admit without recording (when the last state read still had a token;
    /// a bucket already seen empty is denied anyway). Counted.
    #[default]
    Allow,
    /// Treat the request as over the limit.
    Deny,
}

/// How a client is identified (`rate_limit.key`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeyConfig {
    /// `"client_address"` (default), `"x_forwarded_for"`, `"header"` or
    /// `"client_address_user_agent"`. See [`KeySource`].
    pub source: KeySource,
    /// With `x_forwarded_for`: how many proxies in front of this filter
    /// append to `x-forwarded-for` and are trusted; the client is the
    /// `trusted_hops`-th entry from the right. Count this Envoy itself when
    /// its connection manager sets `use_remote_address: true`. Entries left
    /// of it are client-controlled and ignored. This is only sound when
    /// clients cannot reach this Envoy except through those proxies (in
    /// Istio: an `AuthorizationPolicy` admitting only the gateway), since a
    /// direct client writes the whole header. When the header has fewer
    /// entries (the request did not come through the trusted proxies) or the
    /// entry is not an IP address, the `fallback` applies. Default 1, 1–32.
    pub trusted_hops: u32,
    /// With `header`: the header name (case-insensitive), e.g.
    /// `"x-api-key"`. The value is only ever hashed. Required with
    /// `header`, not allowed otherwise.
    pub header: Option<String>,
    /// Also key by the first N segments of the path (percent-decoded, dot
    /// segments removed, lowercased), so each client gets a bucket per API
    /// area: with 1, `/api/users/7` and `/api/orders` share `/api`.
    /// Default 0 (not combined), at most 16.
    pub path_segments: u32,
    /// IPv6 client addresses are keyed by this many leading bits. Default
    /// 128 (the exact address). 64 groups a subscriber's /64, which privacy
    /// addresses rotate within; IPv4 (and IPv4-mapped IPv6) is always exact.
    pub ipv6_prefix_length: u8,
    /// What limits a request without a usable key (missing header, too few
    /// `x-forwarded-for` entries): `"client_address"` (default), `"shared"`
    /// or `"none"`. See [`Fallback`].
    pub fallback: Fallback,
}

impl Default for KeyConfig {
    fn default() -> Self {
        KeyConfig {
            source: KeySource::ClientAddress,
            trusted_hops: 1,
            header: None,
            path_segments: 0,
            ipv6_prefix_length: 128,
            fallback: Fallback::ClientAddress,
        }
    }
}

/// A per-path limit (`rate_limit.rules[i]`). The first rule whose
/// `path_prefix` (and `methods`) match decides; requests matching no rule
/// get the section's default limit.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateRuleConfig {
    /// Path prefix, compared case-insensitively with the percent-decoded
    /// path without dot segments (so `/%4Cogin` and `/x/../login` match
    /// `/login`). Required; must start with `/`. Plain string prefix:
    /// `/login` also matches `/login/sso` and `/logins`.
    pub path_prefix: String,
    /// Methods the rule applies to (e.g. `["POST"]`). Default empty: all.
    pub methods: Vec<String>,
    /// Requests per second refilled into this rule's buckets. Exactly one
    /// of `requests_per_second` / `requests_per_minute` unless `exempt`.
    pub requests_per_second: Option<u32>,
    /// Requests per minute (for slow limits such as `10` on `/login`).
    pub requests_per_minute: Option<u32>,
    /// Bucket size: requests a client may send at once. Default twice the
    /// request count of the rate (`5/s` → 10).
    pub burst: Option<u32>,
    /// Matching requests are not rate limited at all (`/healthz`). Default
    /// false. A last rule `{"path_prefix": "/", "exempt": true}` limits only
    /// the paths of the rules before it.
    pub exempt: bool,
}

/// The `rate_limit` section.
///
/// ```json
/// {"rate_limit": {"enabled": true, "requests_per_second": 100, "burst": 200,
///   "key": {"source": "x_forwarded_for", "trusted_hops": 1},
///   "rules": [{"path_prefix": "/login", "methods": ["POST"],
///              "requests_per_minute": 10, "burst": 5}]}}
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Turns rate limiting on. Default **false**, unlike the reference
    /// design's `true`: in a mesh the client address of every external
    /// request is often the ingress gateway's, so a default per-address
    /// limit would throttle all users together. Enable it with a `key`
    /// that identifies real clients (`x_forwarded_for` with the right
    /// `trusted_hops`, or an API-key header).
    pub enabled: bool,
    /// Default limit: requests per second per client. Default 100 (when
    /// `requests_per_minute` is not set), 1–1 000 000.
    pub requests_per_second: Option<u32>,
    /// Default limit per minute instead (mutually exclusive with
    /// `requests_per_second`), 1–1 000 000.
    pub requests_per_minute: Option<u32>,
    /// Default bucket size (requests a client may send at once). Default
    /// twice the request count of the rate (100/s → 200, the reference
    /// values), 1–10 000 000; a bucket must refill within a day.
    pub burst: Option<u32>,
    /// `"throttle"` (default: `429`) or `"log"` (pass and count). The
    /// global `mode: monitor` never throttles.
    pub action: RateAction,
    /// How clients are identified.
    pub key: KeyConfig,
    /// Per-path limits; first match wins. Default none. At most 256.
    pub rules: Vec<RateRuleConfig>,
    /// Most (rule, client) buckets tracked at once; bounds the shared memory
    /// (about 28 bytes each, see the module docs). A bucket is tracked only
    /// until it has refilled, so this counts clients active within the last
    /// `burst / rate` seconds, not all clients ever seen. Buckets live in pages of
    /// 16 chosen by hash: a new client whose page is full evicts the bucket
    /// closest to full (which loses at most that bucket's small deficit)
    /// rather than going untracked, so a flood of new keys cannot switch
    /// limiting off for anyone. With uniform hashing, under 1% of pages are
    /// full while half of `max_keys` is in use (16% at three quarters), so
    /// size it at about twice the clients active within one refill time
    /// (`burst / rate`, 2 s by default). Counted in
    /// `rasp_ratelimit_evictions_total`. Default 100 000, 16–10 000 000.
    pub max_keys: u32,
    /// Also add `x-ratelimit-limit`, `-remaining` and `-reset` to responses
    /// of allowed requests (429 replies always carry them and
    /// `retry-after`). Default false, like Envoy's `local_ratelimit`: the
    /// headers tell every client the configured limits.
    pub response_headers: bool,
    /// Compare-and-swap retries when another worker updated the same page
    /// first. Default 8, at most 64.
    pub cas_retries: u32,
    /// `"allow"` (default) or `"deny"` when the retries are exhausted.
    /// Exhaustion needs nine other writes to the same page inside one
    /// request's few microseconds; admitting then costs at most one request
    /// over the limit per occurrence (and only while the bucket still had a
    /// token), whereas denying would throttle clients within their limit.
    /// Counted in `rasp_ratelimit_contention_total` either way.
    pub on_contention: ContentionPolicy,
    /// Tokens taken from a client's bucket when one of its requests carries
    /// an attack (any finding, also in `log` / `monitor`), so scanners slow
    /// down; a bucket is never taken below empty. Default 0 (off), at most
    /// 1 000 000.
    pub attack_cost: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: false,
            requests_per_second: None,
            requests_per_minute: None,
            burst: None,
            action: RateAction::Throttle,
            key: KeyConfig::default(),
            rules: Vec::new(),
            max_keys: 100_000,
            response_headers: false,
            cas_retries: 8,
            on_contention: ContentionPolicy::Allow,
            attack_cost: 0,
        }
    }
}

/// `requests_per_second` / `requests_per_minute` (section and rules).
pub const REQUESTS_RANGE: Bounds = Bounds::new(1, 1_000_000);
/// `burst` (section and rules); a bucket must also refill within a day
/// ([`MAX_REFILL_SECONDS`]), which the JSON Schema cannot state.
pub const BURST_RANGE: Bounds = Bounds::new(1, 10_000_000);
/// `key.trusted_hops`.
pub const TRUSTED_HOPS_RANGE: Bounds = Bounds::new(1, 32);
/// `key.path_segments`.
pub const PATH_SEGMENTS_RANGE: Bounds = Bounds::new(0, 16);
/// `key.ipv6_prefix_length`.
pub const IPV6_PREFIX_LENGTH_RANGE: Bounds = Bounds::new(1, 128);
/// `max_keys`.
pub const MAX_KEYS_RANGE: Bounds = Bounds::new(16, 10_000_000);
/// `cas_retries`.
pub const CAS_RETRIES_RANGE: Bounds = Bounds::new(0, 64);
/// `attack_cost`.
pub const ATTACK_COST_RANGE: Bounds = Bounds::new(0, 1_000_000);
/// Most entries in `rules`.
pub const MAX_RULES: usize = 256;
/// Longest refill time of an empty bucket accepted (seconds).
pub const MAX_REFILL_SECONDS: u64 = 86_400;
