//! Per-client rate limiting that holds across Envoy worker threads.
//!
//! Envoy runs one wasm VM per worker thread. A counter kept inside the VM
//! lets a client through N times the limit on N workers, so every bucket
//! here lives in proxy-wasm *shared data* (one store per process, shared by
//! all VMs of the plugin) and is updated with compare-and-swap.
//!
//! # Algorithm: GCRA in exact integer units
//!
//! Each bucket is one number, its *theoretical arrival time* (TAT, the
//! generic cell rate algorithm, equivalent to a token bucket of `burst`
//! tokens refilled at `requests_per_second`). With `n` requests per period
//! of `d` seconds, time is counted in units of `1/n` nanosecond, so the
//! emission interval is exactly `T = d × 10⁹` units and the tolerance
//! `τ = (burst − 1) × T`: no division, no float, nothing to drift. A
//! request at `now` is admitted when `max(TAT, now) + T − now ≤ τ + T`,
//! which then becomes the new TAT. Hence, over any interval of length `e`,
//! at most `burst + n × e / d` requests are admitted (whatever the order in
//! which workers' clocks were read), and a clock that goes backwards can only
//! make the limit stricter: `max(TAT, now)` never moves the TAT back.
//! A bucket whose TAT is in the past is full, i.e. exactly the state of a
//! client never seen: idle state is dropped at that moment, without loss.
//!
//! # Shared-data layout
//!
//! Envoy cannot delete shared-data keys (writing an empty value leaks the
//! key), so a key per client would grow without bound under churning client
//! addresses. Instead the store holds a fixed table of
//! `ceil(max_keys / 16)` *pages* named `rasp.rl.<page>`, created on first
//! use and never removed. A client key is hashed (SipHash-2-4 with a fixed
//! key; raw header values never reach the store) together with the rule's
//! identity into a 64-bit fingerprint; the fingerprint picks the page. A
//! page value is a version byte (`1`) followed by up to 16 entries of 20
//! bytes: fingerprint (u64), TAT nanoseconds (u64) and TAT remainder in
//! `1/n` ns (u32), all little-endian.
//!
//! A request costs one `get` of its page and, when admitted, one CAS `set`
//! (denied requests write nothing). Writers drop expired entries of the page
//! as they go; when a page is full, the entry whose bucket is closest to
//! full (the least information) is evicted. The root context's tick runs
//! [`RateLimiter::sweep`] over one shard of pages to compact pages nobody
//! writes to and to count live keys for the gauge.
//!
//! **Memory per tracked key**: 20 bytes of page value plus the page's
//! share of Envoy's hash-map node (~96 bytes; the page name fits the
//! small-string buffer) and of the value allocation's rounding: about
//! 440 bytes for a full page of 16, i.e. ~28 bytes per key, ~2.8 MB for
//! the default `max_keys` of 100 000, in Envoy's heap (shared, not per
//! worker). That is a hard bound, whatever the number of distinct clients:
//! pages and slots are fixed, and idle buckets cost nothing once their page
//! is compacted. The VMs keep no per-key state (a page is copied in and out
//! per request, at most 321 bytes).
//!
//! # Host integration
//!
//! Per request, after the head arrived: [`RateLimiter::key`] (pure, with
//! the `source.address` property), then [`RateLimiter::check`] with the
//! shared store and the host clock; [`RateLimiter::record`] the decision;
//! send [`RateLimiter::reply`] when it is `Some` (429); otherwise add
//! [`RateLimiter::response_headers`] to the response. When the request
//! turns out to carry an attack and `attack_cost > 0`,
//! [`RateLimiter::charge`] the same key. On each root tick:
//! [`RateLimiter::sweep`] shard `tick % sweep_shards()`, feed the stats to
//! a [`KeyGauge`] and set [`Metric::RateLimitKeys`] to its total.
//!
//! What the store must do (Envoy's `SharedData`, verified against
//! proxy-wasm-cpp-host): `get` returns the value and its CAS token; `set`
//! with a token fails with `CasMismatch` when the key holds another token,
//! and *succeeds whatever the token when the key is absent*. So the very
//! first writes to a page can race: two workers that both saw it absent
//! both write, and one admission is lost, at most once per other worker per
//! page per process lifetime (pages are never removed). Pages are never
//! written empty (the Rust SDK reports an empty value as "no data"); a host
//! that sees a value of length 0 should still return `Some((vec![], cas))`.
//! No `remove` is needed. Pages are named `rasp.rl.<n>` within the plugin's
//! `vm_id`; plugins sharing a `vm_id` share the table (their buckets stay
//! apart, since the configuration is part of each fingerprint).
//!
//! The clock is the host's wall clock in nanoseconds; `0` (no clock) admits
//! unrecorded, flagged as a store error.
//!
//! ```
//! use envoy_rasp::engine::ratelimit::MemoryStore;
//! use envoy_rasp::engine::{Config, RequestHead};
//!
//! let cfg = Config::from_json(
//!     br#"{"rate_limit": {"enabled": true, "requests_per_second": 1, "burst": 2}}"#,
//! ).unwrap();
//! let rl = cfg.rate_limit.as_ref().unwrap();
//! let store = MemoryStore::default();
//! let head = RequestHead::new("GET", "/", vec![]);
//! let key = rl.key(&head, Some("192.0.2.7:51234")).into_key().unwrap();
//! let t = 1_700_000_000_000_000_000; // ns since the epoch
//! assert!(rl.check(&store, t, &key).allowed);
//! assert!(rl.check(&store, t, &key).allowed);
//! let third = rl.check(&store, t, &key);
//! assert!(!third.allowed);
//! assert_eq!(third.retry_after_seconds, 1);
//! assert_eq!(rl.reply(&third, "id-1").unwrap().status, 429);
//! assert!(rl.check(&store, t + 1_000_000_000, &key).allowed);
//! ```

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::config::{ConfigError, Mode};
use super::detect::Taken;
use super::event::evidence;
use super::host::{SharedStore, StoreError};
use super::http::RequestHead;
use super::inspect::canonical_path;
use super::metrics::{Metric, MetricsSink};
use super::policy::{limit_reply, Cause, LocalReply};

// ---------------------------------------------------------------------------
// Configuration (the `rate_limit` section)
// ---------------------------------------------------------------------------

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

/// Deserializes the `rate_limit` section; errors name `rate_limit`,
/// `rate_limit.key` or `rate_limit.rules[i]`.
pub fn parse_section(value: &serde_json::Value) -> Result<RateLimitConfig, ConfigError> {
    let obj = value
        .as_object()
        .ok_or_else(|| ConfigError::new("rate_limit", "must be an object"))?;
    let mut rest = obj.clone();
    let key = rest.remove("key");
    let rules = rest.remove("rules");
    let mut cfg = RateLimitConfig::deserialize(serde_json::Value::Object(rest))
        .map_err(|e| ConfigError::new("rate_limit", e.to_string()))?;
    if let Some(k) = key {
        cfg.key = KeyConfig::deserialize(&k)
            .map_err(|e| ConfigError::new("rate_limit.key", e.to_string()))?;
    }
    if let Some(r) = rules {
        let items = r.as_array().ok_or_else(|| {
            ConfigError::new("rate_limit.rules", "must be an array of rule objects")
        })?;
        cfg.rules = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            cfg.rules.push(
                RateRuleConfig::deserialize(item).map_err(|e| {
                    ConfigError::new(format!("rate_limit.rules[{i}]"), e.to_string())
                })?,
            );
        }
    }
    Ok(cfg)
}

// ---------------------------------------------------------------------------
// Compiled limiter
// ---------------------------------------------------------------------------

/// Entries per page.
pub const SLOTS_PER_PAGE: usize = 16;
/// Bytes per page entry.
pub const ENTRY_BYTES: usize = 20;
/// Pages visited by one [`RateLimiter::sweep`] call.
pub const PAGES_PER_SWEEP: u32 = 256;
const PAGE_VERSION: u8 = 1;
const NS_PER_S: u128 = 1_000_000_000;
/// Longest refill time accepted (seconds).
const MAX_REFILL_SECONDS: u128 = 86_400;
/// The fixed SipHash key (public: fingerprints need only resist chosen
/// collisions, which SipHash's 64-bit output makes a 2⁶⁴ search).
const SIP_K0: u64 = 0x7261_7370_2d72_6c31; // "rasp-rl1"
const SIP_K1: u64 = 0x656e_766f_792d_7761; // "envoy-wa"

/// One limit in exact units (see the module docs).
#[derive(Clone, Debug)]
struct Limit {
    /// Requests per period.
    n: u64,
    burst: u64,
    /// Emission interval in `1/n` ns units: `period × 10⁹`.
    t: u128,
    /// Tolerance: `(burst − 1) × t`.
    tau: u128,
    /// Hash of everything that defines the bucket, mixed into fingerprints.
    domain: u64,
    /// Index in `rate_limit.rules`, `None` for the section's default.
    rule: Option<usize>,
}

impl Limit {
    fn new(n: u64, period: u64, burst: u64, rule: Option<usize>, identity: &str) -> Limit {
        let t = u128::from(period) * NS_PER_S;
        let domain = siphash24(
            SIP_K0,
            SIP_K1,
            format!("{identity}|{n}/{period}|{burst}").as_bytes(),
        );
        Limit {
            n,
            burst,
            t,
            tau: u128::from(burst.saturating_sub(1)) * t,
            domain,
            rule,
        }
    }

    /// `ns` nanoseconds in this limit's units.
    fn units(&self, ns: u64) -> u128 {
        u128::from(ns) * u128::from(self.n)
    }

    /// Units → whole nanoseconds, rounded up.
    fn ns_ceil(&self, units: u128) -> u128 {
        units.div_ceil(u128::from(self.n.max(1)))
    }
}

/// A compiled per-path rule.
#[derive(Clone, Debug)]
struct Rule {
    /// Lowercase.
    prefix: String,
    /// Uppercase; empty = all.
    methods: Vec<String>,
    /// Index into `RateLimiter::limits`; `None` = exempt.
    limit: Option<usize>,
}

/// The compiled key settings.
#[derive(Clone, Debug)]
struct KeySpec {
    source: KeySource,
    trusted_hops: u32,
    /// Lowercase header name (source `header`).
    header: String,
    path_segments: u32,
    v6_prefix: u8,
    fallback: Fallback,
}

/// The compiled `rate_limit` section: keys requests, decides against the
/// shared store, builds replies and headers, sweeps.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    mode: Mode,
    action: RateAction,
    key: KeySpec,
    /// `limits[0]` is the default; rules' limits follow.
    limits: Vec<Limit>,
    rules: Vec<Rule>,
    pages: u32,
    attempts: u32,
    on_contention: ContentionPolicy,
    response_headers: bool,
    attack_cost: u32,
}

/// Result of keying a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keying {
    /// Check this key.
    Key(RateKey),
    /// A rule with `exempt: true` matched: not limited.
    Exempt,
    /// No usable key and no fallback: not limited; count it
    /// ([`Metric::RateLimitUnkeyed`]).
    Unkeyed,
}

impl Keying {
    /// The key, if any.
    pub fn into_key(self) -> Option<RateKey> {
        match self {
            Keying::Key(k) => Some(k),
            _ => None,
        }
    }
}

/// Which bucket a request is counted in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateKey {
    limit: usize,
    fp: u64,
    fallback: bool,
    who: Who,
    /// First bytes of the `user-agent` (source `client_address_user_agent`).
    ua: Option<Vec<u8>>,
    /// The path prefix (with `path_segments`).
    path: Option<String>,
}

/// Who a key stands for, kept only to print the label on demand.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Who {
    /// Canonical (masked) address and prefix length (128 = exact IPv6).
    Ip(IpAddr, u8),
    /// A non-IP peer (pipe path), capped.
    Other(String),
    /// A header value, by hash.
    Header(u64),
    Shared,
}

impl RateKey {
    /// A printable client id for logs, built on demand: the address
    /// (`192.0.2.7`, `2001:db8::/64`), `header#<hash>` (never the value),
    /// `shared`, followed by ` ua:<user-agent>` / ` path:/api` when those
    /// are part of the key.
    pub fn label(&self) -> String {
        let mut s = String::new();
        match &self.who {
            Who::Ip(IpAddr::V6(a), bits) if *bits < 128 => {
                let _ = write!(s, "{a}/{bits}");
            }
            Who::Ip(a, _) => {
                let _ = write!(s, "{a}");
            }
            Who::Other(o) => s.push_str(&evidence(o.as_bytes(), 128)),
            Who::Header(h) => {
                let _ = write!(s, "header#{h:016x}");
            }
            Who::Shared => s.push_str("shared"),
        }
        if let Some(ua) = &self.ua {
            s.push_str(" ua:");
            s.push_str(&evidence(ua, 64));
        }
        if let Some(p) = &self.path {
            s.push_str(" path:");
            s.push_str(&evidence(p.as_bytes(), 128));
        }
        s
    }

    /// True when the key came from the `fallback`.
    pub fn is_fallback(&self) -> bool {
        self.fallback
    }

    /// The 64-bit bucket fingerprint.
    pub fn fingerprint(&self) -> u64 {
        self.fp
    }
}

/// The outcome of [`RateLimiter::check`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Index of the matching `rate_limit.rules` entry; `None` for the
    /// default limit.
    pub rule: Option<usize>,
    /// The request may pass (always true unless throttled).
    pub allowed: bool,
    /// The request is over its limit (whatever was done about it).
    pub limited: bool,
    /// When `limited`: `Block` (throttled, 429), `Log` (`action: log`) or
    /// `Monitor` (`mode: monitor`).
    pub taken: Option<Taken>,
    /// The bucket size (`x-ratelimit-limit`).
    pub limit: u64,
    /// Requests the client may still send at once (`x-ratelimit-remaining`).
    pub remaining: u64,
    /// Seconds until the bucket is full again (`x-ratelimit-reset`).
    pub reset_seconds: u64,
    /// When `limited`: seconds until a request would be admitted
    /// (`retry-after`), at least 1. 0 otherwise.
    pub retry_after_seconds: u64,
    /// The key had no bucket yet (a new entry was written).
    pub new_key: bool,
    /// Writing the bucket evicted another one (its page was full).
    pub evicted: bool,
    /// The CAS retries were exhausted; `on_contention` decided.
    pub contention: bool,
    /// The store failed (or no clock): admitted without recording.
    pub store_error: bool,
    /// The key came from the `fallback`.
    pub fallback: bool,
}

impl Decision {
    /// True when the request gets the 429 reply.
    pub fn throttled(&self) -> bool {
        self.taken == Some(Taken::Block)
    }
}

/// What one [`RateLimiter::sweep`] saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepStats {
    /// The shard swept.
    pub shard: u32,
    /// Pages that exist in the store.
    pub pages: u32,
    /// Live buckets in the shard after the sweep.
    pub live: u64,
    /// Expired buckets dropped.
    pub expired: u64,
    /// Writes lost to a concurrent writer (it compacts the page itself).
    pub conflicts: u64,
}

/// Per-VM running total of live keys for the gauge: the latest count of
/// each shard, summed.
#[derive(Clone, Debug, Default)]
pub struct KeyGauge {
    per_shard: Vec<u64>,
}

impl KeyGauge {
    /// Records one sweep and returns the total over all shards.
    pub fn update(&mut self, stats: &SweepStats) -> u64 {
        let i = stats.shard as usize;
        if self.per_shard.len() <= i {
            self.per_shard.resize(i + 1, 0);
        }
        if let Some(slot) = self.per_shard.get_mut(i) {
            *slot = stats.live;
        }
        self.per_shard.iter().sum()
    }
}

/// Checks a rate (exactly one of per-second / per-minute) and burst;
/// returns `(n, period, burst)`.
fn compile_rate(
    path: &str,
    rps: Option<u32>,
    rpm: Option<u32>,
    burst: Option<u32>,
    default_rps: Option<u32>,
) -> Result<(u64, u64, u64), ConfigError> {
    let (n, period, field) =
        match (rps, rpm) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    format!("{path}.requests_per_minute"),
                    "set either requests_per_second or requests_per_minute, not both",
                ))
            }
            (Some(n), None) => (n, 1u64, "requests_per_second"),
            (None, Some(n)) => (n, 60u64, "requests_per_minute"),
            (None, None) => match default_rps {
                Some(n) => (n, 1u64, "requests_per_second"),
                None => return Err(ConfigError::new(
                    format!("{path}.requests_per_second"),
                    "required: set requests_per_second or requests_per_minute (or exempt: true)",
                )),
            },
        };
    if n == 0 || n > 1_000_000 {
        return Err(ConfigError::new(
            format!("{path}.{field}"),
            format!("must be between 1 and 1000000, got {n}"),
        ));
    }
    let n = u64::from(n);
    let burst = match burst {
        Some(b) => u64::from(b),
        None => n * 2,
    };
    if burst == 0 || burst > 10_000_000 {
        return Err(ConfigError::new(
            format!("{path}.burst"),
            format!("must be between 1 and 10000000, got {burst}"),
        ));
    }
    // Refill time of an empty bucket: burst × period / n seconds.
    if u128::from(burst) * u128::from(period) > MAX_REFILL_SECONDS * u128::from(n) {
        return Err(ConfigError::new(
            format!("{path}.burst"),
            format!("a bucket of {burst} would take more than a day to refill at this rate"),
        ));
    }
    Ok((n, period, burst))
}

/// True for an RFC 9110 token (header names, methods).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

impl RateLimiter {
    /// Validates the section and compiles it; `Ok(None)` when disabled (the
    /// section is validated either way, so a typo surfaces before it is
    /// switched on).
    pub fn compile(cfg: &RateLimitConfig, mode: Mode) -> Result<Option<RateLimiter>, ConfigError> {
        let k = &cfg.key;
        let header = match (k.source, &k.header) {
            (KeySource::Header, Some(h)) if is_token(h) => h.to_ascii_lowercase(),
            (KeySource::Header, Some(h)) => {
                return Err(ConfigError::new(
                    "rate_limit.key.header",
                    format!("not a valid header name: {h:?}"),
                ))
            }
            (KeySource::Header, None) => {
                return Err(ConfigError::new(
                    "rate_limit.key.header",
                    "required when source is \"header\"",
                ))
            }
            (_, Some(_)) => {
                return Err(ConfigError::new(
                    "rate_limit.key.header",
                    "only used when source is \"header\"",
                ))
            }
            (_, None) => String::new(),
        };
        if k.trusted_hops == 0 || k.trusted_hops > 32 {
            return Err(ConfigError::new(
                "rate_limit.key.trusted_hops",
                format!("must be between 1 and 32, got {}", k.trusted_hops),
            ));
        }
        if k.path_segments > 16 {
            return Err(ConfigError::new(
                "rate_limit.key.path_segments",
                format!("must be at most 16, got {}", k.path_segments),
            ));
        }
        if k.ipv6_prefix_length == 0 || k.ipv6_prefix_length > 128 {
            return Err(ConfigError::new(
                "rate_limit.key.ipv6_prefix_length",
                format!("must be between 1 and 128, got {}", k.ipv6_prefix_length),
            ));
        }
        let key = KeySpec {
            source: k.source,
            trusted_hops: k.trusted_hops,
            header,
            path_segments: k.path_segments,
            v6_prefix: k.ipv6_prefix_length,
            fallback: k.fallback,
        };
        // Everything that changes what a bucket means goes into its identity,
        // so a configuration change starts fresh buckets instead of
        // misreading old ones.
        let key_identity = format!(
            "v1|{:?}|{}|{}|{}|{}",
            key.source, key.trusted_hops, key.header, key.path_segments, key.v6_prefix
        );

        let (n, period, burst) = compile_rate(
            "rate_limit",
            cfg.requests_per_second,
            cfg.requests_per_minute,
            cfg.burst,
            Some(100),
        )?;
        let mut limits = vec![Limit::new(
            n,
            period,
            burst,
            None,
            &format!("{key_identity}|*"),
        )];

        if cfg.rules.len() > 256 {
            return Err(ConfigError::new("rate_limit.rules", "at most 256 rules"));
        }
        let mut rules = Vec::with_capacity(cfg.rules.len());
        for (i, r) in cfg.rules.iter().enumerate() {
            let path = format!("rate_limit.rules[{i}]");
            if !r.path_prefix.starts_with('/') {
                return Err(ConfigError::new(
                    format!("{path}.path_prefix"),
                    format!("must start with '/', got {:?}", r.path_prefix),
                ));
            }
            let mut methods = Vec::with_capacity(r.methods.len());
            for (j, m) in r.methods.iter().enumerate() {
                if !is_token(m) {
                    return Err(ConfigError::new(
                        format!("{path}.methods[{j}]"),
                        format!("not a valid method: {m:?}"),
                    ));
                }
                methods.push(m.to_ascii_uppercase());
            }
            let limit = if r.exempt {
                if r.requests_per_second.is_some()
                    || r.requests_per_minute.is_some()
                    || r.burst.is_some()
                {
                    return Err(ConfigError::new(
                        format!("{path}.exempt"),
                        "an exempt rule takes no requests_per_second, requests_per_minute or burst",
                    ));
                }
                None
            } else {
                let (n, period, burst) = compile_rate(
                    &path,
                    r.requests_per_second,
                    r.requests_per_minute,
                    r.burst,
                    None,
                )?;
                let identity = format!(
                    "{key_identity}|{}|{}",
                    r.path_prefix.to_ascii_lowercase(),
                    methods.join(",")
                );
                limits.push(Limit::new(n, period, burst, Some(i), &identity));
                Some(limits.len() - 1)
            };
            rules.push(Rule {
                prefix: r.path_prefix.to_ascii_lowercase(),
                methods,
                limit,
            });
        }

        if cfg.max_keys < 16 || cfg.max_keys > 10_000_000 {
            return Err(ConfigError::new(
                "rate_limit.max_keys",
                format!("must be between 16 and 10000000, got {}", cfg.max_keys),
            ));
        }
        if cfg.cas_retries > 64 {
            return Err(ConfigError::new(
                "rate_limit.cas_retries",
                format!("must be at most 64, got {}", cfg.cas_retries),
            ));
        }
        if cfg.attack_cost > 1_000_000 {
            return Err(ConfigError::new(
                "rate_limit.attack_cost",
                format!("must be at most 1000000, got {}", cfg.attack_cost),
            ));
        }
        if !cfg.enabled {
            return Ok(None);
        }
        Ok(Some(RateLimiter {
            mode,
            action: cfg.action,
            key,
            limits,
            rules,
            pages: cfg.max_keys.div_ceil(SLOTS_PER_PAGE as u32),
            attempts: cfg.cas_retries + 1,
            on_contention: cfg.on_contention,
            response_headers: cfg.response_headers,
            attack_cost: cfg.attack_cost,
        }))
    }

    /// Number of pages in the shared table.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Tokens to [`charge`](Self::charge) for a request carrying an attack
    /// (`attack_cost`; 0 = off).
    pub fn attack_cost(&self) -> u32 {
        self.attack_cost
    }

    /// True when allowed responses get the `x-ratelimit-*` headers.
    pub fn adds_response_headers(&self) -> bool {
        self.response_headers
    }

    // ----- keys -----------------------------------------------------------

    /// Picks the limit for a request and computes its client key.
    ///
    /// `client_address` is Envoy's `source.address` property (`ip:port`,
    /// `[v6]:port`, or anything else for pipes). Cheap: no store access,
    /// one streaming hash, no allocation for address keys on ordinary paths
    /// (the path is canonicalised only when it holds `%`, `\`, `//` or dot
    /// segments).
    pub fn key(&self, head: &RequestHead, client_address: Option<&str>) -> Keying {
        let need_path = !self.rules.is_empty() || self.key.path_segments > 0;
        let path: Cow<'_, [u8]> = if need_path {
            match_path(head.path_only())
        } else {
            Cow::Borrowed(&[])
        };
        let mut limit = 0usize;
        for r in &self.rules {
            if starts_with_ignore_case(&path, r.prefix.as_bytes())
                && (r.methods.is_empty()
                    || r.methods
                        .iter()
                        .any(|m| m.eq_ignore_ascii_case(&head.method)))
            {
                match r.limit {
                    Some(l) => {
                        limit = l;
                        break;
                    }
                    None => return Keying::Exempt,
                }
            }
        }
        let Some(domain) = self.limits.get(limit).map(|l| l.domain) else {
            return Keying::Unkeyed;
        };

        let mut h = Sip::new(SIP_K0, SIP_K1);
        h.write(&domain.to_le_bytes());
        let mut fallback = false;
        let mut ua = None;
        let primary = match self.key.source {
            KeySource::ClientAddress => self.address(client_address, &mut h),
            KeySource::XForwardedFor => xff_entry(head, self.key.trusted_hops)
                .and_then(parse_ip)
                .map(|ip| self.ip(ip, &mut h)),
            KeySource::Header => match head.header(&self.key.header).map(trim_ows) {
                Some(v) if !v.is_empty() => {
                    h.write(b"h");
                    h.write(v);
                    Some(Who::Header(siphash24(SIP_K0, SIP_K1, v)))
                }
                _ => None,
            },
            KeySource::ClientAddressUserAgent => {
                self.address(client_address, &mut h).inspect(|_| {
                    let agent = head.header("user-agent").unwrap_or_default();
                    h.write(&[0xff]);
                    h.write(agent);
                    ua = Some(agent.get(..64).unwrap_or(agent).to_vec());
                })
            }
        };
        let who = match primary {
            Some(w) => w,
            None => {
                fallback = true;
                ua = None;
                h = Sip::new(SIP_K0, SIP_K1);
                h.write(&domain.to_le_bytes());
                let w = match self.key.fallback {
                    Fallback::ClientAddress => self.address(client_address, &mut h),
                    Fallback::Shared => {
                        h.write(b"s");
                        Some(Who::Shared)
                    }
                    Fallback::None => None,
                };
                match w {
                    Some(w) => w,
                    None => return Keying::Unkeyed,
                }
            }
        };
        let mut path_label = None;
        if self.key.path_segments > 0 {
            let prefix = path_prefix_segments(&path, self.key.path_segments);
            h.write(&[0xfe]);
            let mut buf = [0u8; 64];
            for chunk in prefix.chunks(64) {
                let lower = buf.get_mut(..chunk.len()).unwrap_or_default();
                lower.copy_from_slice(chunk);
                lower.make_ascii_lowercase();
                h.write(lower);
            }
            path_label = Some(String::from_utf8_lossy(prefix).to_ascii_lowercase());
        }
        Keying::Key(RateKey {
            limit,
            fp: h.finish(),
            fallback,
            who,
            ua,
            path: path_label,
        })
    }

    /// Hashes the client address (or, for non-IP peers such as pipes, the
    /// raw string, capped). None when there is none.
    fn address(&self, addr: Option<&str>, h: &mut Sip) -> Option<Who> {
        let a = addr.map(str::trim).filter(|a| !a.is_empty())?;
        Some(match parse_ip(a.as_bytes()) {
            Some(ip) => self.ip(ip, h),
            None => {
                let raw = a.get(..128).unwrap_or(a);
                h.write(b"o");
                h.write(raw.as_bytes());
                Who::Other(raw.to_string())
            }
        })
    }

    /// Hashes a canonical address (IPv4-mapped IPv6 as IPv4, IPv6 masked
    /// to `ipv6_prefix_length`).
    fn ip(&self, ip: IpAddr, h: &mut Sip) -> Who {
        match canonical_ip(ip) {
            IpAddr::V4(v4) => {
                h.write(&[4]);
                h.write(&v4.octets());
                Who::Ip(IpAddr::V4(v4), 32)
            }
            IpAddr::V6(v6) => {
                let bits = self.key.v6_prefix.min(128);
                let mask = if bits >= 128 {
                    u128::MAX
                } else {
                    !(u128::MAX >> bits)
                };
                let masked = Ipv6Addr::from(u128::from(v6) & mask);
                h.write(&[6]);
                h.write(&masked.octets());
                Who::Ip(IpAddr::V6(masked), bits)
            }
        }
    }

    // ----- decisions ------------------------------------------------------

    /// The shared-data key of page `page`.
    pub fn page_key(page: u32) -> String {
        format!("rasp.rl.{page}")
    }

    fn page_of(&self, fp: u64) -> u32 {
        // Multiply-shift range reduction on the high half of the
        // fingerprint (independent of the bits compared in the page).
        (((fp >> 32) * u64::from(self.pages)) >> 32) as u32
    }

    /// Counts one request for `key` at `now_nanos` (host wall clock) and
    /// decides. One `get` and, when admitted, one CAS `set` in the common
    /// case; at most `cas_retries + 1` of each. Never panics; store
    /// failures admit the request (`store_error`).
    pub fn check(&self, store: &dyn SharedStore, now_nanos: u64, key: &RateKey) -> Decision {
        let Some(limit) = self.limits.get(key.limit) else {
            return self.unrecorded(key, None, true);
        };
        if now_nanos == 0 {
            return self.unrecorded(key, Some(limit), true);
        }
        let name = Self::page_key(self.page_of(key.fp));
        for _ in 0..self.attempts {
            let (bytes, cas) = match store.get(&name) {
                Some((b, c)) => (b, Some(c)),
                None => (Vec::new(), None),
            };
            match attempt(limit, &bytes, now_nanos, key.fp, 1, false) {
                Attempt::Deny {
                    tat_minus_now,
                    retry_units,
                } => {
                    return self.limited(key, limit, tat_minus_now, retry_units);
                }
                Attempt::Write {
                    page,
                    new_tat_minus_now,
                    new_key,
                    evicted,
                } => match store.set(&name, &page, cas) {
                    Ok(()) => {
                        let mut d = self.base(key, limit);
                        d.allowed = true;
                        d.remaining = remaining(limit, new_tat_minus_now);
                        d.reset_seconds = secs_ceil(limit.ns_ceil(new_tat_minus_now));
                        d.new_key = new_key;
                        d.evicted = evicted;
                        return d;
                    }
                    Err(StoreError::CasMismatch) => continue,
                    Err(StoreError::Failed) => return self.unrecorded(key, Some(limit), true),
                },
                Attempt::Unchanged => return self.unrecorded(key, Some(limit), false),
            }
        }
        // Retries exhausted. Every attempt saw a token (a bucket seen empty
        // returns a denial at once), so the policy decides.
        let mut d = match self.on_contention {
            ContentionPolicy::Allow => self.unrecorded(key, Some(limit), false),
            ContentionPolicy::Deny => self.limited(key, limit, limit.tau + limit.t, limit.t),
        };
        d.contention = true;
        d
    }

    /// Takes `tokens` from `key`'s bucket without admitting anything (the
    /// `attack_cost` of a request found to carry an attack). The bucket is
    /// never taken below empty, so this delays the client by at most
    /// `burst / rate`. Returns false when the store failed or the retries
    /// were exhausted (nothing charged).
    pub fn charge(
        &self,
        store: &dyn SharedStore,
        now_nanos: u64,
        key: &RateKey,
        tokens: u32,
    ) -> bool {
        let Some(limit) = self.limits.get(key.limit) else {
            return false;
        };
        if tokens == 0 || now_nanos == 0 {
            return true;
        }
        let name = Self::page_key(self.page_of(key.fp));
        for _ in 0..self.attempts {
            let (bytes, cas) = match store.get(&name) {
                Some((b, c)) => (b, Some(c)),
                None => (Vec::new(), None),
            };
            match attempt(limit, &bytes, now_nanos, key.fp, u64::from(tokens), true) {
                Attempt::Write { page, .. } => match store.set(&name, &page, cas) {
                    Ok(()) => return true,
                    Err(StoreError::CasMismatch) => continue,
                    Err(StoreError::Failed) => return false,
                },
                Attempt::Unchanged | Attempt::Deny { .. } => return true,
            }
        }
        false
    }

    fn base(&self, key: &RateKey, limit: &Limit) -> Decision {
        Decision {
            rule: limit.rule,
            limit: limit.burst,
            fallback: key.fallback,
            ..Decision::default()
        }
    }

    /// Admitted without a write (store trouble, no clock).
    fn unrecorded(&self, key: &RateKey, limit: Option<&Limit>, store_error: bool) -> Decision {
        let mut d = match limit {
            Some(l) => self.base(key, l),
            None => Decision {
                fallback: key.fallback,
                ..Decision::default()
            },
        };
        d.allowed = true;
        d.store_error = store_error;
        if let Some(l) = limit {
            d.remaining = l.burst.saturating_sub(1);
        }
        d
    }

    /// Over the limit: what to do under `action` and `mode`.
    fn limited(
        &self,
        key: &RateKey,
        limit: &Limit,
        tat_minus_now: u128,
        retry_units: u128,
    ) -> Decision {
        let mut d = self.base(key, limit);
        d.limited = true;
        let taken = match (self.action, self.mode) {
            (RateAction::Log, _) => Taken::Log,
            (RateAction::Throttle, Mode::Monitor) => Taken::Monitor,
            (RateAction::Throttle, Mode::Block) => Taken::Block,
        };
        d.taken = Some(taken);
        d.allowed = taken != Taken::Block;
        d.remaining = 0;
        d.reset_seconds = secs_ceil(limit.ns_ceil(tat_minus_now));
        d.retry_after_seconds = secs_ceil(limit.ns_ceil(retry_units)).max(1);
        d
    }

    // ----- responses and metrics -------------------------------------------

    /// `x-ratelimit-limit`, `-remaining`, `-reset` (seconds until the bucket
    /// is full), and `retry-after` when limited.
    pub fn headers(d: &Decision) -> Vec<(String, String)> {
        let mut h = Vec::with_capacity(4);
        if d.limited {
            h.push(("retry-after".to_string(), d.retry_after_seconds.to_string()));
        }
        h.push(("x-ratelimit-limit".to_string(), d.limit.to_string()));
        h.push(("x-ratelimit-remaining".to_string(), d.remaining.to_string()));
        h.push(("x-ratelimit-reset".to_string(), d.reset_seconds.to_string()));
        h
    }

    /// Headers to add to the upstream's response of a request that passed:
    /// the `x-ratelimit-*` set when `response_headers` is on, else none.
    pub fn response_headers(&self, d: &Decision) -> Vec<(String, String)> {
        if !self.response_headers || d.throttled() || d.limit == 0 {
            return Vec::new();
        }
        let mut h = Self::headers(d);
        h.retain(|(k, _)| k != "retry-after");
        h
    }

    /// The `429` local reply for a throttled request (`None` otherwise):
    /// the limit reply JSON body plus `retry-after` and `x-ratelimit-*`.
    pub fn reply(&self, d: &Decision, event_id: &str) -> Option<LocalReply> {
        if !d.throttled() {
            return None;
        }
        let mut r = limit_reply(Cause::RateLimited, event_id);
        r.headers.extend(Self::headers(d));
        Some(r)
    }

    /// Counts a decision: `rasp_ratelimited_total` by action, contention,
    /// store errors, evictions and fallback keys.
    pub fn record(d: &Decision, sink: &mut dyn MetricsSink) {
        if let Some(t) = d.taken {
            sink.add(Metric::RateLimited(t), 1);
        }
        if d.contention {
            sink.add(Metric::RateLimitContention, 1);
        }
        if d.store_error {
            sink.add(Metric::RateLimitStoreErrors, 1);
        }
        if d.evicted {
            sink.add(Metric::RateLimitEvictions, 1);
        }
        if d.fallback {
            sink.add(Metric::RateLimitFallback, 1);
        }
    }

    // ----- expiry ---------------------------------------------------------

    /// Number of sweep shards (`ceil(pages / 256)`); sweep shard
    /// `tick % sweep_shards()` per tick.
    pub fn sweep_shards(&self) -> u32 {
        self.pages.div_ceil(PAGES_PER_SWEEP).max(1)
    }

    /// Compacts the pages of `shard` (taken modulo [`sweep_shards`](Self::sweep_shards), so a
    /// tick counter can be passed as is; dropping buckets that are full again
    /// and any malformed page content) and counts the live buckets. At most
    /// 256 `get`s and one CAS `set` per page that changed; a page written
    /// concurrently is left to its writer (who compacts it too).
    pub fn sweep(&self, store: &dyn SharedStore, now_nanos: u64, shard: u32) -> SweepStats {
        let shard = shard % self.sweep_shards();
        let mut st = SweepStats {
            shard,
            ..SweepStats::default()
        };
        let start = shard.saturating_mul(PAGES_PER_SWEEP);
        let end = start.saturating_add(PAGES_PER_SWEEP).min(self.pages);
        for p in start..end {
            let name = Self::page_key(p);
            let Some((bytes, cas)) = store.get(&name) else {
                continue;
            };
            st.pages += 1;
            let valid = page_valid(&bytes);
            let mut live = Vec::new();
            let mut dead = 0u64;
            for e in entries(&bytes) {
                if e.expired(now_nanos) {
                    dead += 1;
                } else if live.len() < SLOTS_PER_PAGE {
                    live.push(e);
                } else {
                    dead += 1;
                }
            }
            if dead > 0 || !valid {
                match store.set(&name, &encode(&live), Some(cas)) {
                    Ok(()) => {
                        st.expired += dead;
                        st.live += live.len() as u64;
                    }
                    Err(_) => {
                        st.conflicts += 1;
                        st.live += live.len() as u64;
                    }
                }
            } else {
                st.live += live.len() as u64;
            }
        }
        st
    }
}

/// `ceil(ns / 10⁹)` as u64 (saturating).
fn secs_ceil(ns: u128) -> u64 {
    u64::try_from(ns.div_ceil(NS_PER_S)).unwrap_or(u64::MAX)
}

/// Whole tokens left when the TAT is `tat_minus_now` units ahead of now.
fn remaining(limit: &Limit, tat_minus_now: u128) -> u64 {
    let room = (limit.tau + limit.t).saturating_sub(tat_minus_now);
    u64::try_from(room / limit.t.max(1)).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

/// One bucket in a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    fp: u64,
    /// TAT = `tat_ns × n + rem` units of the bucket's limit.
    tat_ns: u64,
    rem: u32,
}

impl Entry {
    /// The bucket is full at `now` (TAT ≤ now): same as no entry.
    fn expired(&self, now_ns: u64) -> bool {
        self.tat_ns < now_ns || (self.tat_ns == now_ns && self.rem == 0)
    }

    fn tat_units(&self, n: u64) -> u128 {
        u128::from(self.tat_ns) * u128::from(n) + u128::from(self.rem)
    }

    fn from_units(fp: u64, units: u128, n: u64) -> Entry {
        let n = u128::from(n.max(1));
        Entry {
            fp,
            tat_ns: u64::try_from(units / n).unwrap_or(u64::MAX),
            rem: u32::try_from(units % n).unwrap_or(0),
        }
    }
}

/// A page as written by this version: version byte + whole entries.
fn page_valid(bytes: &[u8]) -> bool {
    bytes.first() == Some(&PAGE_VERSION) && (bytes.len() - 1) % ENTRY_BYTES == 0
}

/// The entries of a page; an invalid page (foreign version, truncated,
/// empty) reads as empty and is rewritten by the next writer.
fn entries(bytes: &[u8]) -> impl Iterator<Item = Entry> + '_ {
    let body = if page_valid(bytes) {
        bytes.get(1..).unwrap_or_default()
    } else {
        &[]
    };
    body.chunks_exact(ENTRY_BYTES).map(|c| {
        let u64_at = |i: usize| {
            c.get(i..i + 8)
                .and_then(|s| <[u8; 8]>::try_from(s).ok())
                .map(u64::from_le_bytes)
                .unwrap_or(0)
        };
        let rem = c
            .get(16..20)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map(u32::from_le_bytes)
            .unwrap_or(0);
        Entry {
            fp: u64_at(0),
            tat_ns: u64_at(8),
            rem,
        }
    })
}

/// Serialises a page. Never empty (an empty shared-data value is reported
/// by the SDK as "no value", which would lose the CAS token).
fn encode(list: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + list.len() * ENTRY_BYTES);
    out.push(PAGE_VERSION);
    for e in list {
        out.extend_from_slice(&e.fp.to_le_bytes());
        out.extend_from_slice(&e.tat_ns.to_le_bytes());
        out.extend_from_slice(&e.rem.to_le_bytes());
    }
    out
}

/// One decision against one read of a page.
#[derive(Debug)]
enum Attempt {
    /// Over the limit; nothing to write.
    Deny {
        tat_minus_now: u128,
        /// Units until a request would be admitted.
        retry_units: u128,
    },
    /// Admitted (or charged): write `page` with the CAS token of the read.
    Write {
        page: Vec<u8>,
        new_tat_minus_now: u128,
        new_key: bool,
        evicted: bool,
    },
    /// Nothing to change (a charge on a bucket already empty).
    Unchanged,
}

/// The pure core of [`RateLimiter::check`] / [`RateLimiter::charge`]:
/// given the page bytes read, decide and build the page to write.
/// `force` charges `cost` tokens whatever the bucket holds, capped at an
/// empty bucket.
fn attempt(limit: &Limit, bytes: &[u8], now_ns: u64, fp: u64, cost: u64, force: bool) -> Attempt {
    let now_u = limit.units(now_ns);
    // An expired entry is the same as none.
    let found = entries(bytes).find(|e| e.fp == fp && !e.expired(now_ns));
    let stored = found.map(|e| e.tat_units(limit.n));
    // A bucket never seen, or with its TAT in the past, is full.
    let tat = stored.unwrap_or(now_u).max(now_u);
    let horizon = limit.tau + limit.t;
    let mut new_tat = tat.saturating_add(u128::from(cost) * limit.t);
    if force {
        new_tat = new_tat.min(now_u + horizon).max(tat);
        if stored == Some(new_tat) || (stored.is_none() && new_tat == now_u) {
            return Attempt::Unchanged;
        }
    } else if new_tat - now_u > horizon {
        return Attempt::Deny {
            tat_minus_now: tat - now_u,
            retry_units: new_tat - now_u - horizon,
        };
    }
    let mut list: Vec<Entry> = Vec::with_capacity(SLOTS_PER_PAGE + 1);
    for e in entries(bytes) {
        if e.fp != fp && !e.expired(now_ns) {
            list.push(e);
        }
    }
    let mut evicted = false;
    // Evict the buckets closest to full (earliest TAT) to make room.
    while list.len() >= SLOTS_PER_PAGE {
        let victim = list
            .iter()
            .enumerate()
            .min_by_key(|(_, e)| (e.tat_ns, e.rem))
            .map(|(i, _)| i);
        match victim {
            Some(i) => {
                list.swap_remove(i);
                evicted = true;
            }
            None => break,
        }
    }
    list.push(Entry::from_units(fp, new_tat, limit.n));
    Attempt::Write {
        page: encode(&list),
        new_tat_minus_now: new_tat - now_u,
        new_key: found.is_none(),
        evicted,
    }
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

/// Trims HTTP optional whitespace.
fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    v.get(start..end).unwrap_or_default()
}

/// The `n`-th non-empty entry from the right of all `x-forwarded-for`
/// headers taken as one list (later headers are further right).
fn xff_entry(head: &RequestHead, n: u32) -> Option<&[u8]> {
    let mut seen = 0u32;
    for (_, value) in head
        .headers
        .iter()
        .rev()
        .filter(|(k, _)| k == "x-forwarded-for")
    {
        for part in value.rsplit(|&b| b == b',') {
            let e = trim_ows(part);
            if e.is_empty() {
                continue;
            }
            seen += 1;
            if seen == n {
                return Some(e);
            }
        }
    }
    None
}

/// Parses `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]`, `[::1]:80`, a zone id
/// (`fe80::1%eth0`) or a quoted form of these. None for anything else.
/// The shape (brackets, number of colons) picks the one parse to try;
/// IPv4 is parsed by hand (the common case, on every request).
fn parse_ip(raw: &[u8]) -> Option<IpAddr> {
    if raw.len() > 64 {
        return None;
    }
    let mut s = trim_ows(raw);
    if let [b'"', inner @ .., b'"'] = s {
        s = inner;
    }
    if let Some(rest) = s.strip_prefix(b"[") {
        let close = rest.iter().position(|&b| b == b']')?;
        let inside = rest.get(..close)?;
        let after = rest.get(close + 1..)?;
        if !(after.is_empty() || after.strip_prefix(b":").is_some_and(is_port)) {
            return None;
        }
        return parse_v6(inside).map(IpAddr::V6);
    }
    match s.iter().filter(|&&b| b == b':').count() {
        0 => parse_v4(s).map(IpAddr::V4),
        1 => {
            let colon = s.iter().position(|&b| b == b':')?;
            if !is_port(s.get(colon + 1..)?) {
                return None;
            }
            parse_v4(s.get(..colon)?).map(IpAddr::V4)
        }
        _ => parse_v6(s).map(IpAddr::V6),
    }
}

/// Dotted-quad IPv4; like std, rejects leading zeros (`010.0.0.1` is
/// octal to some parsers).
fn parse_v4(s: &[u8]) -> Option<Ipv4Addr> {
    let mut oct = [0u8; 4];
    let mut i = 0usize;
    let mut val = 0u32;
    let mut digits = 0u32;
    for &c in s {
        match c {
            b'0'..=b'9' => {
                if digits > 0 && val == 0 {
                    return None;
                }
                val = val * 10 + u32::from(c - b'0');
                digits += 1;
                if val > 255 {
                    return None;
                }
            }
            b'.' if digits > 0 => {
                *oct.get_mut(i)? = val as u8;
                i += 1;
                val = 0;
                digits = 0;
            }
            _ => return None,
        }
    }
    if digits == 0 || i != 3 {
        return None;
    }
    *oct.get_mut(3)? = val as u8;
    Some(Ipv4Addr::from(oct))
}

/// IPv6 text (zone id ignored).
fn parse_v6(s: &[u8]) -> Option<Ipv6Addr> {
    let s = std::str::from_utf8(s).ok()?;
    let addr = s.split('%').next().unwrap_or(s);
    addr.parse::<Ipv6Addr>().ok()
}

fn is_port(p: &[u8]) -> bool {
    !p.is_empty() && p.len() <= 5 && p.iter().all(u8::is_ascii_digit)
}

/// The path rules are matched against: the raw path when it is already
/// canonical (no `%`, `\`, empty or dot segments), else
/// [`canonical_path`]. Case is ignored by the comparison.
fn match_path(raw: &[u8]) -> Cow<'_, [u8]> {
    let clean = raw.first() == Some(&b'/')
        && !raw.iter().any(|&b| b == b'%' || b == b'\\')
        && !raw.windows(2).any(|w| w == b"//" || w == b"/.");
    if clean {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(canonical_path(raw).into_bytes())
    }
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// The first `n` segments of a canonical path (`/a/b/c`, 2 → `/a/b`).
fn path_prefix_segments(path: &[u8], n: u32) -> &[u8] {
    let mut count = 0u32;
    for (i, &b) in path.iter().enumerate() {
        if b == b'/' && i > 0 {
            count += 1;
            if count == n {
                return path.get(..i).unwrap_or(path);
            }
        }
    }
    match path.strip_suffix(b"/") {
        Some(p) if !p.is_empty() => p,
        _ => path,
    }
}

// ---------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------

/// SipHash-2-4 (Aumasson & Bernstein) with a 128-bit key.
pub fn siphash24(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut h = Sip::new(k0, k1);
    h.write(data);
    h.finish()
}

/// Streaming SipHash-2-4.
#[derive(Clone, Debug)]
struct Sip {
    v0: u64,
    v1: u64,
    v2: u64,
    v3: u64,
    /// Pending bytes (little-endian) and how many.
    tail: u64,
    ntail: u32,
    len: u64,
}

impl Sip {
    fn new(k0: u64, k1: u64) -> Sip {
        Sip {
            v0: k0 ^ 0x736f_6d65_7073_6575,
            v1: k1 ^ 0x646f_7261_6e64_6f6d,
            v2: k0 ^ 0x6c79_6765_6e65_7261,
            v3: k1 ^ 0x7465_6462_7974_6573,
            tail: 0,
            ntail: 0,
            len: 0,
        }
    }

    fn round(&mut self) {
        self.v0 = self.v0.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(13) ^ self.v0;
        self.v0 = self.v0.rotate_left(32);
        self.v2 = self.v2.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(16) ^ self.v2;
        self.v0 = self.v0.wrapping_add(self.v3);
        self.v3 = self.v3.rotate_left(21) ^ self.v0;
        self.v2 = self.v2.wrapping_add(self.v1);
        self.v1 = self.v1.rotate_left(17) ^ self.v2;
        self.v2 = self.v2.rotate_left(32);
    }

    fn compress(&mut self, m: u64) {
        self.v3 ^= m;
        self.round();
        self.round();
        self.v0 ^= m;
    }

    fn write(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        let mut rest = data;
        // Top up the pending word first.
        while self.ntail > 0 {
            let Some((&b, r)) = rest.split_first() else {
                return;
            };
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
            rest = r;
            if self.ntail == 8 {
                self.compress(self.tail);
                self.tail = 0;
                self.ntail = 0;
            }
        }
        let chunks = rest.chunks_exact(8);
        let tail = chunks.remainder();
        for c in chunks {
            let m = <[u8; 8]>::try_from(c).map(u64::from_le_bytes).unwrap_or(0);
            self.compress(m);
        }
        for &b in tail {
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
        }
    }

    fn finish(mut self) -> u64 {
        let b = self.tail | (self.len << 56);
        self.compress(b);
        self.v2 ^= 0xff;
        for _ in 0..4 {
            self.round();
        }
        self.v0 ^ self.v1 ^ self.v2 ^ self.v3
    }
}

// ---------------------------------------------------------------------------
// In-memory store
// ---------------------------------------------------------------------------

/// An in-memory [`SharedStore`] with Envoy's semantics, for tests and
/// native tools: every successful `set` gets a new non-zero CAS token; a
/// `set` with a stale token fails with `CasMismatch`; a `set` on an absent
/// key always succeeds, whatever the token (Envoy ignores it then).
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RefCell<HashMap<String, (Vec<u8>, u32)>>,
    next_cas: RefCell<u32>,
}

impl MemoryStore {
    /// Number of keys stored.
    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.map.borrow().is_empty()
    }

    /// Total bytes of stored values.
    pub fn value_bytes(&self) -> usize {
        self.map.borrow().values().map(|(v, _)| v.len()).sum()
    }
}

impl SharedStore for MemoryStore {
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
        self.map.borrow().get(key).cloned()
    }

    fn set(&self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError> {
        let mut map = self.map.borrow_mut();
        let mut next = self.next_cas.borrow_mut();
        *next = next.wrapping_add(1).max(1);
        match map.get_mut(key) {
            Some(slot) => {
                if let Some(c) = cas.filter(|&c| c != 0) {
                    if c != slot.1 {
                        return Err(StoreError::CasMismatch);
                    }
                }
                *slot = (value.to_vec(), *next);
            }
            None => {
                map.insert(key.to_string(), (value.to_vec(), *next));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Config;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;

    const T0: u64 = 1_700_000_000_000_000_000;
    const SEC: u64 = 1_000_000_000;

    fn limiter(json: &str) -> RateLimiter {
        let cfg = Config::from_json(json.as_bytes()).unwrap();
        cfg.rate_limit.clone().expect("enabled")
    }

    fn rl(extra: &str) -> RateLimiter {
        let sep = if extra.is_empty() { "" } else { ", " };
        limiter(&format!(
            r#"{{"rate_limit": {{"enabled": true{sep}{extra}}}}}"#
        ))
    }

    fn head(path: &str, headers: &[(&str, &str)]) -> RequestHead {
        RequestHead::new(
            "GET",
            path,
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
        )
    }

    fn key(l: &RateLimiter, h: &RequestHead, addr: Option<&str>) -> RateKey {
        l.key(h, addr).into_key().expect("keyed")
    }

    fn addr_key(l: &RateLimiter, addr: &str) -> RateKey {
        key(l, &head("/", &[]), Some(addr))
    }

    /// Tiny deterministic PRNG (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
    }

    // ----- hashing ------------------------------------------------------

    #[test]
    fn siphash_matches_reference_vectors() {
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(siphash24(k0, k1, b""), 0x726f_db47_dd0e_0e31);
        let msg: Vec<u8> = (0u8..15).collect();
        assert_eq!(siphash24(k0, k1, &msg), 0xa129_ca61_49be_45e5);
        let msg: Vec<u8> = (0u8..8).collect();
        assert_eq!(siphash24(k0, k1, &msg), 0x93f5_f579_9a93_2462);
        // Streaming in any split equals one shot.
        let long: Vec<u8> = (0u8..=200).collect();
        let whole = siphash24(k0, k1, &long);
        for a in 0..20 {
            for b in a..40 {
                let mut h = Sip::new(k0, k1);
                h.write(&long[..a]);
                h.write(&long[a..b]);
                h.write(&long[b..]);
                assert_eq!(h.finish(), whole, "{a} {b}");
            }
        }
    }

    // ----- configuration --------------------------------------------------

    #[test]
    fn disabled_by_default_but_validated() {
        assert!(Config::from_json(b"{}").unwrap().rate_limit.is_none());
        let c = Config::from_json(br#"{"rate_limit": {"burst": 5}}"#).unwrap();
        assert!(c.rate_limit.is_none());
        let e = Config::from_json(br#"{"rate_limit": {"burst": 0}}"#).unwrap_err();
        assert_eq!(e.field(), "rate_limit.burst");
    }

    #[test]
    fn defaults_are_the_reference_values() {
        let l = rl("");
        let lim = &l.limits[0];
        assert_eq!((lim.n, lim.burst), (100, 200));
        assert_eq!(l.pages(), 100_000 / 16);
        assert_eq!(l.attempts, 9);
        assert_eq!(l.key.source, KeySource::ClientAddress);
        // Burst defaults to twice the rate's count.
        let l = rl(r#""requests_per_minute": 30"#);
        assert_eq!((l.limits[0].n, l.limits[0].burst), (30, 60));
    }

    #[test]
    fn errors_name_the_field() {
        let cases: &[(&str, &str)] = &[
            (r#"{"burst": 0}"#, "rate_limit.burst"),
            (
                r#"{"requests_per_second": 0}"#,
                "rate_limit.requests_per_second",
            ),
            (
                r#"{"requests_per_second": 5, "requests_per_minute": 5}"#,
                "rate_limit.requests_per_minute",
            ),
            (
                r#"{"requests_per_minute": 1, "burst": 2000}"#,
                "rate_limit.burst",
            ),
            (r#"{"max_keys": 3}"#, "rate_limit.max_keys"),
            (r#"{"cas_retries": 1000}"#, "rate_limit.cas_retries"),
            (r#"{"attack_cost": 2000000}"#, "rate_limit.attack_cost"),
            (r#"{"action": "block"}"#, "rate_limit.action"),
            (r#"{"acton": "log"}"#, "rate_limit.acton"),
            (r#"{"key": {"source": "header"}}"#, "rate_limit.key.header"),
            (
                r#"{"key": {"source": "header", "header": "x api key"}}"#,
                "rate_limit.key.header",
            ),
            (
                r#"{"key": {"header": "x-api-key"}}"#,
                "rate_limit.key.header",
            ),
            (
                r#"{"key": {"trusted_hops": 0}}"#,
                "rate_limit.key.trusted_hops",
            ),
            (
                r#"{"key": {"ipv6_prefix_length": 0}}"#,
                "rate_limit.key.ipv6_prefix_length",
            ),
            (
                r#"{"key": {"path_segments": 17}}"#,
                "rate_limit.key.path_segments",
            ),
            (r#"{"key": {"source": "ip"}}"#, "rate_limit.key.source"),
            (r#"{"rules": {}}"#, "rate_limit.rules"),
            (
                r#"{"rules": [{"path_prefix": "/a", "requests_per_second": 1},
                              {"path_prefix": "/login", "requests_per_second": 5, "burst": 0}]}"#,
                "rate_limit.rules[1].burst",
            ),
            (
                r#"{"rules": [{"path_prefix": "login", "requests_per_second": 1}]}"#,
                "rate_limit.rules[0].path_prefix",
            ),
            (
                r#"{"rules": [{"path_prefix": "/a"}]}"#,
                "rate_limit.rules[0].requests_per_second",
            ),
            (
                r#"{"rules": [{"path_prefix": "/a", "exempt": true, "burst": 3}]}"#,
                "rate_limit.rules[0].exempt",
            ),
            (
                r#"{"rules": [{"path_prefix": "/a", "requests_per_second": 1, "methods": ["P O"]}]}"#,
                "rate_limit.rules[0].methods[0]",
            ),
            (
                r#"{"rules": [{"path_prefix": "/a"}, {"path": "/b"}]}"#,
                "rate_limit.rules[1].path",
            ),
            (r#"[]"#, "rate_limit"),
        ];
        for (section, field) in cases {
            let doc = format!(r#"{{"rate_limit": {section}}}"#);
            let e = Config::from_json(doc.as_bytes()).unwrap_err();
            assert_eq!(e.field(), *field, "{doc}: {e}");
        }
    }

    // ----- the bucket -------------------------------------------------------

    #[test]
    fn burst_then_steady_rate_with_headers() {
        let l = rl(r#""requests_per_second": 10, "burst": 3"#);
        let s = MemoryStore::default();
        let k = addr_key(&l, "192.0.2.1:1000");
        let d = l.check(&s, T0, &k);
        assert!(d.allowed && !d.limited && d.new_key);
        assert_eq!((d.limit, d.remaining), (3, 2));
        assert_eq!(d.reset_seconds, 1); // 100 ms, rounded up
        assert_eq!(l.check(&s, T0, &k).remaining, 1);
        assert_eq!(l.check(&s, T0, &k).remaining, 0);
        let d = l.check(&s, T0, &k);
        assert!(!d.allowed && d.limited && d.throttled());
        assert_eq!(d.retry_after_seconds, 1);
        let r = l.reply(&d, "e1").unwrap();
        assert_eq!(r.status, 429);
        let h: HashMap<_, _> = r.headers.iter().cloned().collect();
        assert_eq!(h["retry-after"], "1");
        assert_eq!(h["x-ratelimit-limit"], "3");
        assert_eq!(h["x-ratelimit-remaining"], "0");
        assert_eq!(h["x-ratelimit-reset"], "1");
        assert_eq!(h["content-type"], "application/json");
        // 99.999999 ms later: still nothing; at 100 ms exactly: one.
        assert!(!l.check(&s, T0 + SEC / 10 - 1, &k).allowed);
        let d = l.check(&s, T0 + SEC / 10, &k);
        assert!(d.allowed && !d.new_key);
        assert_eq!(d.remaining, 0);
        assert!(!l.check(&s, T0 + SEC / 10, &k).allowed);
        // After a long pause the bucket is full again (and only full).
        let d = l.check(&s, T0 + 3600 * SEC, &k);
        assert_eq!(d.remaining, 2);
        assert!(d.new_key, "the refilled bucket was dropped as expired");
        assert!(l.reply(&d, "x").is_none());
    }

    #[test]
    fn per_minute_rates_and_retry_after() {
        let l = rl(r#""requests_per_minute": 10, "burst": 2"#);
        let s = MemoryStore::default();
        let k = addr_key(&l, "192.0.2.1:1");
        assert!(l.check(&s, T0, &k).allowed);
        assert!(l.check(&s, T0, &k).allowed);
        let d = l.check(&s, T0, &k);
        assert!(!d.allowed);
        assert_eq!(d.retry_after_seconds, 6);
        assert_eq!(d.reset_seconds, 12);
        assert!(!l.check(&s, T0 + 6 * SEC - 1, &k).allowed);
        assert!(l.check(&s, T0 + 6 * SEC, &k).allowed);
    }

    #[test]
    fn exact_over_long_runs_with_a_non_dividing_rate() {
        // 3/s: the emission interval is 333 333 333.3 ns. Hammer for 10⁵ s
        // of fake time in irregular steps (shorter than the interval, so no
        // token is ever lost to a full bucket) and count exactly.
        let l = rl(r#""requests_per_second": 3, "burst": 3"#);
        let s = MemoryStore::default();
        let k = addr_key(&l, "192.0.2.1:1");
        let mut rng = Rng(7);
        let mut now = T0;
        let mut admitted = 0u64;
        while now < T0 + 100_000 * SEC {
            if l.check(&s, now, &k).allowed {
                admitted += 1;
            }
            now += 1 + rng.below(40_000_000);
        }
        let elapsed = now - T0;
        let bound = 3 + 3 * u128::from(elapsed) / u128::from(SEC);
        assert!(u128::from(admitted) <= bound, "{admitted} > {bound}");
        // Every token minted was used: no drift over ~300 000 tokens.
        assert!(u128::from(admitted) + 1 >= bound, "{admitted} vs {bound}");
    }

    #[test]
    fn a_clock_going_backwards_mints_nothing() {
        let l = rl(r#""requests_per_second": 1, "burst": 2"#);
        let s = MemoryStore::default();
        let k = addr_key(&l, "192.0.2.1:1");
        assert!(l.check(&s, T0 + 100 * SEC, &k).allowed);
        assert!(l.check(&s, T0 + 100 * SEC, &k).allowed);
        // The clock jumps back an hour: nothing is admitted until it has
        // caught up with the bucket again.
        for back in [1, 60, 3600] {
            assert!(!l.check(&s, T0 + 100 * SEC - back * SEC, &k).allowed);
        }
        let d = l.check(&s, T0 + 100 * SEC - 3600 * SEC, &k);
        assert!(d.retry_after_seconds >= 3600);
        assert!(l.check(&s, T0 + 101 * SEC, &k).allowed);
    }

    #[test]
    fn limits_hold_across_vms_sharing_the_store() {
        // Two workers = two VMs, each compiling the same configuration.
        let json = r#"{"rate_limit": {"enabled": true, "requests_per_second": 5, "burst": 5}}"#;
        let (a, b) = (limiter(json), limiter(json));
        let s = MemoryStore::default();
        let h = head("/", &[]);
        let (ka, kb) = (
            key(&a, &h, Some("198.51.100.9:1")),
            key(&b, &h, Some("198.51.100.9:2")),
        );
        assert_eq!(ka.fingerprint(), kb.fingerprint());
        let mut admitted = 0;
        for i in 0..20 {
            let d = if i % 2 == 0 {
                a.check(&s, T0, &ka)
            } else {
                b.check(&s, T0, &kb)
            };
            admitted += u32::from(d.allowed);
        }
        assert_eq!(admitted, 5);
    }

    #[test]
    fn action_log_and_monitor_mode_pass_and_count() {
        let s = MemoryStore::default();
        let l = rl(r#""requests_per_second": 1, "burst": 1, "action": "log""#);
        let k = addr_key(&l, "192.0.2.1:1");
        l.check(&s, T0, &k);
        let d = l.check(&s, T0, &k);
        assert!(d.allowed && d.limited && !d.throttled());
        assert_eq!(d.taken, Some(Taken::Log));
        assert!(l.reply(&d, "x").is_none());

        let l = limiter(
            r#"{"mode": "monitor", "rate_limit": {"enabled": true, "requests_per_second": 1, "burst": 1}}"#,
        );
        let s = MemoryStore::default();
        let k = addr_key(&l, "192.0.2.1:1");
        l.check(&s, T0, &k);
        let d = l.check(&s, T0, &k);
        assert!(d.allowed && d.limited);
        assert_eq!(d.taken, Some(Taken::Monitor));
        assert!(l.reply(&d, "x").is_none());
        // Log/monitor do not charge the bucket: the next token comes on time.
        assert!(l.check(&s, T0 + SEC - 1, &k).limited);
        assert!(!l.check(&s, T0 + SEC, &k).limited);
    }

    #[test]
    fn response_headers_only_when_configured() {
        let s = MemoryStore::default();
        let l = rl("");
        let d = l.check(&s, T0, &addr_key(&l, "192.0.2.1:1"));
        assert!(l.response_headers(&d).is_empty());
        let l = rl(r#""response_headers": true"#);
        let d = l.check(&MemoryStore::default(), T0, &addr_key(&l, "192.0.2.1:1"));
        let h = l.response_headers(&d);
        assert_eq!(
            h,
            vec![
                ("x-ratelimit-limit".to_string(), "200".to_string()),
                ("x-ratelimit-remaining".to_string(), "199".to_string()),
                ("x-ratelimit-reset".to_string(), "1".to_string()),
            ]
        );
    }

    #[test]
    fn attack_cost_charges_but_never_below_empty() {
        let l = rl(r#""requests_per_second": 1, "burst": 10, "attack_cost": 4"#);
        assert_eq!(l.attack_cost(), 4);
        let s = MemoryStore::default();
        let k = addr_key(&l, "192.0.2.1:1");
        assert_eq!(l.check(&s, T0, &k).remaining, 9);
        assert!(l.charge(&s, T0, &k, 4));
        assert_eq!(l.check(&s, T0, &k).remaining, 4);
        assert!(l.charge(&s, T0, &k, 1000));
        assert!(!l.check(&s, T0, &k).allowed);
        // Empty, not in debt: one token after one second.
        assert!(l.check(&s, T0 + SEC, &k).allowed);
        // Charging a fresh key creates its bucket.
        let k2 = addr_key(&l, "192.0.2.2:1");
        assert!(l.charge(&s, T0, &k2, 3));
        assert_eq!(l.check(&s, T0, &k2).remaining, 6);
    }

    #[test]
    fn metrics_are_recorded() {
        #[derive(Default)]
        struct Sink(HashMap<String, u64>);
        impl MetricsSink for Sink {
            fn add(&mut self, m: Metric, n: u64) {
                *self.0.entry(m.name()).or_default() += n;
            }
            fn record(&mut self, m: Metric, v: u64) {
                self.0.insert(m.name(), v);
            }
        }
        let l = rl(r#""requests_per_second": 1, "burst": 1"#);
        let s = MemoryStore::default();
        let k = addr_key(&l, "192.0.2.1:1");
        let mut sink = Sink::default();
        for _ in 0..3 {
            RateLimiter::record(&l.check(&s, T0, &k), &mut sink);
        }
        assert_eq!(sink.0["rasp_ratelimited_total.action.throttle"], 2);
        assert_eq!(sink.0.len(), 1);
        assert_eq!(
            Metric::RateLimitKeys.kind(),
            crate::engine::metrics::MetricKind::Gauge
        );
    }

    // ----- store trouble ----------------------------------------------------

    /// A store whose writes always lose the race (or fail).
    struct Hostile(StoreError);
    impl SharedStore for Hostile {
        fn get(&self, _: &str) -> Option<(Vec<u8>, u32)> {
            Some((vec![PAGE_VERSION], 7))
        }
        fn set(&self, _: &str, _: &[u8], _: Option<u32>) -> Result<(), StoreError> {
            Err(self.0)
        }
    }

    /// Counts calls.
    struct Counting<'a>(&'a MemoryStore, std::cell::Cell<u32>, std::cell::Cell<u32>);
    impl SharedStore for Counting<'_> {
        fn get(&self, k: &str) -> Option<(Vec<u8>, u32)> {
            self.1.set(self.1.get() + 1);
            self.0.get(k)
        }
        fn set(&self, k: &str, v: &[u8], c: Option<u32>) -> Result<(), StoreError> {
            self.2.set(self.2.get() + 1);
            self.0.set(k, v, c)
        }
    }

    #[test]
    fn contention_is_bounded_and_decided_by_policy() {
        let l = rl(r#""cas_retries": 3"#);
        let k = addr_key(&l, "192.0.2.1:1");
        let d = l.check(&Hostile(StoreError::CasMismatch), T0, &k);
        assert!(d.allowed && d.contention && !d.limited);
        let l = rl(r#""cas_retries": 3, "on_contention": "deny""#);
        let d = l.check(&Hostile(StoreError::CasMismatch), T0, &k);
        assert!(!d.allowed && d.contention && d.throttled());
        assert!(d.retry_after_seconds >= 1);
        let d = l.check(&Hostile(StoreError::Failed), T0, &k);
        assert!(d.allowed && d.store_error);
        // No clock: admitted, flagged.
        let d = l.check(&MemoryStore::default(), 0, &k);
        assert!(d.allowed && d.store_error);
    }

    #[test]
    fn common_case_is_one_get_and_one_set_and_denials_write_nothing() {
        let l = rl(r#""requests_per_second": 1, "burst": 2"#);
        let m = MemoryStore::default();
        let c = Counting(&m, Default::default(), Default::default());
        let k = addr_key(&l, "192.0.2.1:1");
        l.check(&c, T0, &k);
        l.check(&c, T0, &k);
        assert_eq!((c.1.get(), c.2.get()), (2, 2));
        assert!(!l.check(&c, T0, &k).allowed);
        assert_eq!((c.1.get(), c.2.get()), (3, 2));
        assert_eq!(m.len(), 1);
        assert_eq!(m.value_bytes(), 1 + ENTRY_BYTES);
    }

    #[test]
    fn foreign_or_corrupt_pages_read_as_empty() {
        let l = rl(r#""requests_per_second": 1, "burst": 1"#);
        let s = MemoryStore::default();
        let k = addr_key(&l, "192.0.2.1:1");
        let name = RateLimiter::page_key(l.page_of(k.fingerprint()));
        for junk in [&b""[..], b"\x02abc", b"\x01short", b"\xff"] {
            s.set(&name, junk, None).unwrap();
            let d = l.check(&s, T0, &k);
            assert!(d.allowed && d.new_key, "{junk:?}");
            assert!(page_valid(&s.get(&name).unwrap().0));
            s.set(&name, junk, None).unwrap();
            let st = l.sweep(&s, T0, l.page_of(k.fingerprint()) / PAGES_PER_SWEEP);
            assert_eq!(st.live, 0);
            assert!(page_valid(&s.get(&name).unwrap().0), "sweep rewrites junk");
        }
    }

    #[test]
    fn configuration_changes_start_fresh_buckets() {
        let a = rl(r#""requests_per_second": 1, "burst": 1"#);
        let b = rl(r#""requests_per_second": 2, "burst": 1"#);
        let c = rl(
            r#""requests_per_second": 1, "burst": 1, "key": {"source": "client_address_user_agent"}"#,
        );
        let fa = addr_key(&a, "192.0.2.1:1").fingerprint();
        assert_ne!(fa, addr_key(&b, "192.0.2.1:1").fingerprint());
        assert_ne!(fa, addr_key(&c, "192.0.2.1:1").fingerprint());
        assert_eq!(fa, addr_key(&a, "192.0.2.1:9999").fingerprint());
    }

    // ----- keys -------------------------------------------------------------

    #[test]
    fn client_address_forms() {
        let l = rl("");
        let h = head("/", &[]);
        let lab = |a: &str| key(&l, &h, Some(a)).label().to_string();
        assert_eq!(lab("10.1.2.3:51234"), "10.1.2.3");
        assert_eq!(lab("10.1.2.3"), "10.1.2.3");
        assert_eq!(lab("[2001:DB8::1]:443"), "2001:db8::1");
        assert_eq!(lab("[::ffff:10.1.2.3]:80"), "10.1.2.3");
        assert_eq!(lab("2001:db8:0:0::1"), "2001:db8::1");
        assert_eq!(lab("fe80::1%eth0"), "fe80::1");
        assert_eq!(lab("/run/envoy.sock"), "/run/envoy.sock");
        let f = |a: &str| key(&l, &h, Some(a)).fingerprint();
        assert_eq!(f("10.1.2.3:1"), f("10.1.2.3:2"));
        assert_eq!(f("[::ffff:10.1.2.3]:1"), f("10.1.2.3:2"));
        assert_ne!(f("10.1.2.3:1"), f("10.1.2.4:1"));
        assert_eq!(l.key(&h, None), Keying::Unkeyed);
        assert_eq!(l.key(&h, Some("  ")), Keying::Unkeyed);
    }

    #[test]
    fn ipv6_prefix_grouping() {
        let l = rl(r#""key": {"ipv6_prefix_length": 64}"#);
        let h = head("/", &[]);
        let a = key(&l, &h, Some("[2001:db8:1:2:aaaa::1]:5"));
        let b = key(&l, &h, Some("[2001:db8:1:2:bbbb::9]:6"));
        let c = key(&l, &h, Some("[2001:db8:1:3::1]:6"));
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(a.label(), "2001:db8:1:2::/64");
        // IPv4 is never grouped.
        assert_ne!(
            key(&l, &h, Some("10.0.0.1:1")).fingerprint(),
            key(&l, &h, Some("10.0.0.2:1")).fingerprint()
        );
    }

    #[test]
    fn x_forwarded_for_with_trusted_hops() {
        let l1 = rl(r#""key": {"source": "x_forwarded_for"}"#);
        let l2 = rl(r#""key": {"source": "x_forwarded_for", "trusted_hops": 2}"#);
        let gw = Some("10.0.0.5:40000");
        // The client spoofs the leftmost entries; the gateway appended the
        // real peer on the right.
        let h = head("/", &[("x-forwarded-for", "1.1.1.1, 6.6.6.6, 203.0.113.7")]);
        assert_eq!(key(&l1, &h, gw).label(), "203.0.113.7");
        assert_eq!(key(&l2, &h, gw).label(), "6.6.6.6");
        assert!(!key(&l1, &h, gw).is_fallback());
        let spoof_a = head("/", &[("x-forwarded-for", "9.9.9.9, 203.0.113.7")]);
        let spoof_b = head("/", &[("x-forwarded-for", "8.8.8.8,203.0.113.7")]);
        assert_eq!(
            key(&l1, &spoof_a, gw).fingerprint(),
            key(&l1, &spoof_b, gw).fingerprint()
        );
        // Several header lines form one list; later lines are further right.
        let multi = head(
            "/",
            &[
                ("x-forwarded-for", "1.1.1.1"),
                ("x-forwarded-for", "6.6.6.6, 203.0.113.7"),
            ],
        );
        assert_eq!(key(&l1, &multi, gw).label(), "203.0.113.7");
        assert_eq!(key(&l2, &multi, gw).label(), "6.6.6.6");
        let l3 = rl(r#""key": {"source": "x_forwarded_for", "trusted_hops": 3}"#);
        assert_eq!(key(&l3, &multi, gw).label(), "1.1.1.1");
        // IPv6 and ports in entries, empty list elements skipped.
        let v6 = head(
            "/",
            &[("x-forwarded-for", "1.1.1.1, [2001:db8::7]:1234, ,")],
        );
        assert_eq!(key(&l1, &v6, gw).label(), "2001:db8::7");
        let v4p = head("/", &[("x-forwarded-for", "203.0.113.7:8080")]);
        assert_eq!(key(&l1, &v4p, gw).label(), "203.0.113.7");
        // Too few entries, garbage, missing header → the client address.
        for h in [
            head("/", &[("x-forwarded-for", "203.0.113.7")]),
            head("/", &[("x-forwarded-for", "unknown, <script>")]),
            head("/", &[("x-forwarded-for", "")]),
            head("/", &[]),
        ] {
            let k = key(&l2, &h, gw);
            assert!(k.is_fallback());
            assert_eq!(k.label(), "10.0.0.5");
        }
        let k = key(&l1, &head("/", &[("x-forwarded-for", "unknown")]), gw);
        assert!(k.is_fallback());
    }

    #[test]
    fn header_keys_and_fallbacks() {
        let l = rl(r#""key": {"source": "header", "header": "X-Api-Key"}"#);
        let gw = Some("10.0.0.5:1");
        let a = key(&l, &head("/", &[("x-api-key", " k-123 ")]), gw);
        let b = key(
            &l,
            &head("/", &[("x-api-key", "k-123")]),
            Some("10.9.9.9:1"),
        );
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert!(a.label().starts_with("header#"), "{}", a.label());
        assert!(!a.label().contains("k-123"), "the value is never logged");
        let c = key(&l, &head("/", &[("x-api-key", "k-124")]), gw);
        assert_ne!(a.fingerprint(), c.fingerprint());
        let none = key(&l, &head("/", &[]), gw);
        assert!(none.is_fallback());
        assert_eq!(none.label(), "10.0.0.5");
        assert!(key(&l, &head("/", &[("x-api-key", "")]), gw).is_fallback());

        let shared =
            rl(r#""key": {"source": "header", "header": "x-api-key", "fallback": "shared"}"#);
        let s1 = key(&shared, &head("/", &[]), Some("10.0.0.1:1"));
        let s2 = key(&shared, &head("/", &[]), Some("10.0.0.2:1"));
        assert_eq!(s1.fingerprint(), s2.fingerprint());
        assert_eq!(s1.label(), "shared");

        let off = rl(r#""key": {"source": "header", "header": "x-api-key", "fallback": "none"}"#);
        assert_eq!(off.key(&head("/", &[]), gw), Keying::Unkeyed);
    }

    #[test]
    fn address_and_user_agent() {
        let l = rl(r#""key": {"source": "client_address_user_agent"}"#);
        let a = Some("10.0.0.1:1");
        let ua = |u: &str| key(&l, &head("/", &[("user-agent", u)]), a).fingerprint();
        assert_ne!(ua("curl/8.0"), ua("Mozilla/5.0"));
        assert_eq!(ua("curl/8.0"), ua("curl/8.0"));
        let k = key(&l, &head("/", &[("user-agent", "curl/8.0")]), a);
        assert_eq!(k.label(), "10.0.0.1 ua:curl/8.0");
        // No user-agent is still a key (the address).
        assert!(!key(&l, &head("/", &[]), a).is_fallback());
        assert_eq!(l.key(&head("/", &[]), None), Keying::Unkeyed);
    }

    #[test]
    fn path_segments_combine_with_the_client() {
        let l = rl(r#""key": {"path_segments": 1}"#);
        let a = Some("10.0.0.1:1");
        let f = |p: &str| key(&l, &head(p, &[]), a);
        assert_eq!(
            f("/api/users/7").fingerprint(),
            f("/API/orders?x=1").fingerprint()
        );
        assert_eq!(f("/api").fingerprint(), f("/api/").fingerprint());
        assert_ne!(f("/api/x").fingerprint(), f("/admin/x").fingerprint());
        assert_eq!(f("/api/x").label(), "10.0.0.1 path:/api");
        assert_eq!(path_prefix_segments(b"/a/b/c", 2), b"/a/b");
        assert_eq!(path_prefix_segments(b"/a/b/c", 5), b"/a/b/c");
        assert_eq!(path_prefix_segments(b"/a/b/", 5), b"/a/b");
        assert_eq!(path_prefix_segments(b"/", 1), b"/");
    }

    #[test]
    fn rules_first_match_methods_normalisation_and_exempt() {
        let l = rl(r#""requests_per_second": 100, "rules": [
            {"path_prefix": "/healthz", "exempt": true},
            {"path_prefix": "/login", "methods": ["post"], "requests_per_minute": 10, "burst": 2},
            {"path_prefix": "/log", "requests_per_second": 7}
        ]"#);
        let a = Some("10.0.0.1:1");
        let rule_of = |m: &str, p: &str| {
            let mut h = head(p, &[]);
            h.method = m.to_string();
            match l.key(&h, a) {
                Keying::Key(k) => l.limits[k.limit].rule,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(l.key(&head("/healthz", &[]), a), Keying::Exempt);
        assert_eq!(l.key(&head("/healthz/ready", &[]), a), Keying::Exempt);
        assert_eq!(rule_of("POST", "/login"), Some(1));
        for evasion in [
            "/LOGIN",
            "/%6Cogin",
            "/x/../login",
            "//login",
            "/login;jsessionid=1",
            "/login?next=/",
        ] {
            assert_eq!(rule_of("POST", evasion), Some(1), "{evasion}");
        }
        assert_eq!(rule_of("post", "/login"), Some(1));
        assert_eq!(
            rule_of("GET", "/login"),
            Some(2),
            "GET falls through to /log"
        );
        assert_eq!(rule_of("GET", "/other"), None);
        // Each rule has its own buckets.
        let s = MemoryStore::default();
        let mut post = head("/login", &[]);
        post.method = "POST".into();
        let k = key(&l, &post, a);
        assert!(l.check(&s, T0, &k).allowed);
        assert!(l.check(&s, T0, &k).allowed);
        let d = l.check(&s, T0, &k);
        assert!(!d.allowed);
        assert_eq!(d.rule, Some(1));
        assert!(l.check(&s, T0, &key(&l, &head("/", &[]), a)).allowed);
        // Only-these-paths setups: a catch-all exempt rule last.
        let only = rl(
            r#""rules": [{"path_prefix": "/login", "requests_per_second": 1},
                                    {"path_prefix": "/", "exempt": true}]"#,
        );
        assert_eq!(only.key(&head("/anything", &[]), a), Keying::Exempt);
        assert!(only.key(&head("/login", &[]), a).into_key().is_some());
    }

    #[test]
    fn addresses_parse_strictly() {
        for ok in [
            "1.2.3.4",
            "1.2.3.4:80",
            "::1",
            "[::1]",
            "[::1]:80",
            "\"1.2.3.4\"",
            "fe80::1%lo",
        ] {
            assert!(parse_ip(ok.as_bytes()).is_some(), "{ok}");
        }
        assert_eq!(
            parse_ip(b"192.168.0.255:8080"),
            Some(IpAddr::V4(Ipv4Addr::new(192, 168, 0, 255)))
        );
        assert_eq!(
            parse_ip(b"0.0.0.0"),
            Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        );
        for bad in [
            "256.1.1.1",
            "01.2.3.4",
            "1..2.3",
            "1.2.3.4.5",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4:123456",
        ] {
            assert!(parse_ip(bad.as_bytes()).is_none(), "{bad}");
        }
        for bad in [
            "",
            "unknown",
            "1.2.3",
            "1.2.3.4:",
            "1.2.3.4:abc",
            "[::1",
            "[::1]x",
            "::1:80:zz",
            "a,b",
        ] {
            assert!(parse_ip(bad.as_bytes()).is_none(), "{bad}");
        }
        assert!(parse_ip(&[b'1'; 100]).is_none());
    }

    // ----- expiry and the cap ------------------------------------------------

    #[test]
    fn idle_buckets_expire_and_live_ones_stay() {
        let l = rl(r#""requests_per_second": 10, "burst": 20, "max_keys": 4096"#);
        let s = MemoryStore::default();
        let mut gauge = KeyGauge::default();
        // 100 clients send one request each; client 0 keeps going.
        for i in 0..100 {
            l.check(
                &s,
                T0,
                &addr_key(&l, &format!("10.0.{}.{}:1", i / 256, i % 256)),
            );
        }
        let sweep_all = |now: u64, gauge: &mut KeyGauge| {
            let mut total = 0;
            for shard in 0..l.sweep_shards() {
                total = gauge.update(&l.sweep(&s, now, shard));
            }
            total
        };
        assert_eq!(sweep_all(T0, &mut gauge), 100);
        // A raw tick counter works as a shard number.
        let big = l.sweep(&s, T0, 1_000_000 * l.sweep_shards());
        assert_eq!(big.shard, 0);
        assert_eq!(gauge.update(&big), 100);
        let hot = addr_key(&l, "10.0.0.0:1");
        for _ in 0..15 {
            l.check(&s, T0 + SEC / 20, &hot);
        }
        // One request's debt is 100 ms: gone after that, except the hot key.
        assert_eq!(sweep_all(T0 + SEC / 5, &mut gauge), 1);
        assert!(s.value_bytes() <= s.len() + ENTRY_BYTES);
        // The hot key's bucket (16 requests = 1.6 s of debt) refills by 1.6 s.
        assert_eq!(sweep_all(T0 + 16 * SEC / 10 + 1, &mut gauge), 0);
        assert_eq!(s.value_bytes(), s.len(), "only version bytes left");
    }

    #[test]
    fn the_cap_holds_and_evicts_the_fullest_bucket() {
        // 16 keys = one page.
        let l = rl(r#""requests_per_second": 1, "burst": 10, "max_keys": 16"#);
        assert_eq!(l.pages(), 1);
        let s = MemoryStore::default();
        // A heavy client empties its bucket.
        let heavy = addr_key(&l, "192.0.2.1:1");
        for _ in 0..10 {
            assert!(l.check(&s, T0, &heavy).allowed);
        }
        // A flood of 500 new keys, one request each.
        let mut evictions = 0;
        for i in 0..500u32 {
            let d = l.check(
                &s,
                T0 + u64::from(i),
                &addr_key(&l, &format!("10.1.{}.{}:1", i / 256, i % 256)),
            );
            assert!(d.allowed);
            evictions += u32::from(d.evicted);
            let page = s.get(&RateLimiter::page_key(0)).unwrap().0;
            assert!(page.len() <= 1 + SLOTS_PER_PAGE * ENTRY_BYTES);
        }
        assert_eq!(evictions, 500 - 15);
        assert_eq!(s.len(), 1);
        // The heavy client's state survived the flood.
        assert!(!l.check(&s, T0 + 1000, &heavy).allowed);
        let st = l.sweep(&s, T0 + 1000, 0);
        assert_eq!(st.live, 16);
    }

    #[test]
    fn memory_is_bounded_by_pages_whatever_the_key_churn() {
        let l = rl(r#""max_keys": 1000"#);
        let s = MemoryStore::default();
        let mut rng = Rng(3);
        for i in 0..20_000u64 {
            let a = format!(
                "{}.{}.{}.{}:1",
                rng.below(256),
                rng.below(256),
                rng.below(256),
                rng.below(256)
            );
            l.check(&s, T0 + i * 1000, &addr_key(&l, &a));
        }
        assert!(s.len() <= l.pages() as usize);
        assert!(s.value_bytes() <= l.pages() as usize * (1 + SLOTS_PER_PAGE * ENTRY_BYTES));
    }

    // ----- concurrency: several workers on one store -----------------------

    /// One simulated worker running `check`'s loop step by step.
    #[derive(Clone, Debug)]
    enum Step {
        Idle,
        /// A request taken at `now`; `tries` attempts made.
        Want {
            now: u64,
            tries: u32,
        },
        /// Read done; `set` pending.
        Read {
            now: u64,
            tries: u32,
            page: Vec<u8>,
            cas: Option<u32>,
        },
    }

    #[derive(Default)]
    struct SimResult {
        admitted: Vec<u64>,
        contention: u64,
        mismatches: u64,
        requests: u64,
    }

    /// Runs `workers` interleaving get / CAS-set on one store over a random
    /// timeline (each scheduler step advances one random worker by one
    /// store operation, so reads and writes of different workers overlap
    /// far more than in Envoy); every request is for one of `keys` keys.
    fn simulate(
        l: &RateLimiter,
        seed: u64,
        workers: usize,
        ops: usize,
        max_gap: u64,
        keys: usize,
        precreate: bool,
    ) -> Vec<SimResult> {
        let s = MemoryStore::default();
        let ks: Vec<RateKey> = (0..keys)
            .map(|i| addr_key(l, &format!("10.2.0.{i}:1")))
            .collect();
        if precreate {
            for p in 0..l.pages() {
                s.set(&RateLimiter::page_key(p), &[PAGE_VERSION], None)
                    .unwrap();
            }
        }
        let mut rng = Rng(seed);
        let mut steps = vec![Step::Idle; workers];
        let mut which = vec![0usize; workers];
        let mut res: Vec<SimResult> = (0..keys).map(|_| SimResult::default()).collect();
        let mut clock = T0;
        for _ in 0..ops {
            clock += rng.below(max_gap + 1);
            let w = rng.below(workers as u64) as usize;
            let k = &ks[which[w]];
            let limit = &l.limits[k.limit];
            let name = RateLimiter::page_key(l.page_of(k.fp));
            steps[w] = match std::mem::replace(&mut steps[w], Step::Idle) {
                Step::Idle => {
                    which[w] = rng.below(keys as u64) as usize;
                    res[which[w]].requests += 1;
                    // Workers read their clocks at slightly different times.
                    Step::Want {
                        now: clock.saturating_sub(rng.below(max_gap)),
                        tries: 0,
                    }
                }
                Step::Want { now, tries } => {
                    let (page, cas) = match s.get(&name) {
                        Some((b, c)) => (b, Some(c)),
                        None => (Vec::new(), None),
                    };
                    Step::Read {
                        now,
                        tries,
                        page,
                        cas,
                    }
                }
                Step::Read {
                    now,
                    tries,
                    page,
                    cas,
                } => match attempt(limit, &page, now, k.fp, 1, false) {
                    Attempt::Deny { .. } | Attempt::Unchanged => Step::Idle,
                    Attempt::Write { page, .. } => match s.set(&name, &page, cas) {
                        Ok(()) => {
                            res[which[w]].admitted.push(now);
                            Step::Idle
                        }
                        Err(_) if tries + 1 < l.attempts => {
                            res[which[w]].mismatches += 1;
                            Step::Want {
                                now,
                                tries: tries + 1,
                            }
                        }
                        Err(_) => {
                            // on_contention: allow (unrecorded).
                            res[which[w]].mismatches += 1;
                            res[which[w]].contention += 1;
                            res[which[w]].admitted.push(now);
                            Step::Idle
                        }
                    },
                },
            };
        }
        res
    }

    /// `burst + n × elapsed / period`, exactly (rounded down).
    fn bound(l: &RateLimiter, admitted: &[u64]) -> u128 {
        let lim = &l.limits[0];
        let (Some(lo), Some(hi)) = (admitted.iter().min(), admitted.iter().max()) else {
            return 0;
        };
        u128::from(lim.burst)
            + u128::from(hi - lo) * u128::from(lim.n) / (lim.t / NS_PER_S) / NS_PER_S
    }

    #[test]
    fn property_workers_never_exceed_burst_plus_rate_times_elapsed() {
        let mut worst_default = 0;
        let mut mismatches = 0;
        for seed in 1..=60u64 {
            let rate = 1 + seed % 50;
            let burst = 1 + (seed * 7) % 40;
            let retries = [0, 1, 8, 8][(seed % 4) as usize];
            let l = rl(&format!(
                r#""requests_per_second": {rate}, "burst": {burst}, "max_keys": 32, "cas_retries": {retries}"#
            ));
            let workers = 2 + (seed % 7) as usize;
            // Gaps far below the emission interval: demand exceeds supply.
            let gap = 1_000_000_000 / rate / 20;
            let precreate = seed % 2 == 0;
            // Three keys on a table of two pages: unrelated keys share pages.
            for (i, r) in simulate(&l, seed, workers, 20_000, gap, 3, precreate)
                .iter()
                .enumerate()
            {
                let b = bound(&l, &r.admitted);
                let n = r.admitted.len() as u128;
                // Page creation can race once (Envoy's set ignores the CAS
                // token of an absent key): at most one lost write per other
                // worker. Exhausted retries admit unrecorded (counted).
                let creation = if precreate { 0 } else { workers as u128 - 1 };
                let slack = u128::from(r.contention) + creation;
                assert!(n <= b + slack, "seed {seed} key {i}: {n} > {b} + {slack}");
                // Supply is used: within a handful of the bound.
                assert!(
                    n + workers as u128 + 2 >= b,
                    "seed {seed} key {i}: {n} << {b}"
                );
                assert!(r.requests > n as u64, "demand exceeds supply");
                mismatches += r.mismatches;
                if retries == 8 {
                    worst_default = worst_default.max(r.contention);
                }
            }
        }
        assert!(
            mismatches > 1000,
            "the simulation interleaves: {mismatches}"
        );
        eprintln!("CAS mismatches: {mismatches}; worst exhaustions per key with 8 retries: {worst_default}");
    }

    #[test]
    fn property_strict_when_contention_denies() {
        for seed in 100..130u64 {
            let l = rl(
                r#""requests_per_second": 20, "burst": 5, "max_keys": 16, "cas_retries": 0, "on_contention": "deny""#,
            );
            // With deny, an exhausted attempt admits nothing: the bound is
            // strict (pages pre-created).
            let s = MemoryStore::default();
            s.set(&RateLimiter::page_key(0), &[PAGE_VERSION], None)
                .unwrap();
            let k = addr_key(&l, "10.3.0.1:1");
            let mut rng = Rng(seed);
            let mut admitted = Vec::new();
            let mut now = T0;
            for _ in 0..5000 {
                now += rng.below(2_000_000);
                let d = l.check(&s, now, &k);
                if d.allowed {
                    admitted.push(now);
                }
            }
            assert!(admitted.len() as u128 <= bound(&l, &admitted));
        }
    }

    /// A thread-safe store with Envoy's semantics, for real threads.
    #[derive(Default)]
    struct MutexStore(Mutex<HashMap<String, (Vec<u8>, u32)>>, AtomicU64);
    impl SharedStore for MutexStore {
        fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
            let v = self.0.lock().unwrap().get(key).cloned();
            std::thread::yield_now();
            v
        }
        fn set(&self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError> {
            let mut m = self.0.lock().unwrap();
            let next = (self.1.fetch_add(1, Ordering::SeqCst) as u32)
                .wrapping_add(1)
                .max(1);
            match m.get_mut(key) {
                Some(slot) if cas.is_some_and(|c| c != 0 && c != slot.1) => {
                    Err(StoreError::CasMismatch)
                }
                Some(slot) => {
                    *slot = (value.to_vec(), next);
                    Ok(())
                }
                None => {
                    m.insert(key.to_string(), (value.to_vec(), next));
                    Ok(())
                }
            }
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))] // wasm32-wasip1 has no threads
    fn real_threads_share_one_limit() {
        let l = rl(
            r#""requests_per_second": 50, "burst": 10, "max_keys": 16, "on_contention": "deny""#,
        );
        let s = MutexStore::default();
        s.set(&RateLimiter::page_key(0), &[PAGE_VERSION], None)
            .unwrap();
        let k = addr_key(&l, "10.4.0.1:1");
        let clock = AtomicU64::new(T0);
        let contention = AtomicU64::new(0);
        let admitted: Vec<u64> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..4)
                .map(|t| {
                    let (l, s, k, clock, contention) = (&l, &s, &k, &clock, &contention);
                    sc.spawn(move || {
                        let mut rng = Rng(t + 11);
                        let mut mine = Vec::new();
                        for _ in 0..3000 {
                            let now = clock.fetch_add(rng.below(400_000), Ordering::SeqCst);
                            let d = l.check(s, now, k);
                            if d.contention {
                                contention.fetch_add(1, Ordering::Relaxed);
                            }
                            if d.allowed {
                                mine.push(now);
                            }
                        }
                        mine
                    })
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        let b = bound(&l, &admitted);
        let n = admitted.len() as u128;
        assert!(n <= b, "{n} > {b}");
        assert!(n + 8 >= b, "{n} << {b}");
    }

    // ----- cost -----------------------------------------------------------------

    /// `cargo test --release -- --ignored bench_check --nocapture`
    #[test]
    #[ignore]
    fn bench_check() {
        let l = rl(r#""rules": [{"path_prefix": "/login", "requests_per_second": 5}]"#);
        let s = MemoryStore::default();
        let heads: Vec<RequestHead> = (0..1000)
            .map(|i| {
                head(
                    &format!("/api/items/{i}?q=1"),
                    &[("user-agent", "Mozilla/5.0")],
                )
            })
            .collect();
        let addrs: Vec<String> = (0..1000)
            .map(|i| format!("10.5.{}.{}:4321", i / 256, i % 256))
            .collect();
        let keys: Vec<RateKey> = (0..1000)
            .map(|i| key(&l, &heads[i], Some(&addrs[i])))
            .collect();
        let n = 1_000_000u64;
        let t = std::time::Instant::now();
        for i in 0..n {
            let d = l.check(&s, T0 + i * 1000, &keys[(i % 1000) as usize]);
            std::hint::black_box(d);
        }
        let check_ns = t.elapsed().as_nanos() as f64 / n as f64;
        let t = std::time::Instant::now();
        for i in 0..n {
            let j = (i % 1000) as usize;
            std::hint::black_box(l.key(&heads[j], Some(&addrs[j])));
        }
        let key_ns = t.elapsed().as_nanos() as f64 / n as f64;
        eprintln!("check: {check_ns:.0} ns/op, key (with one rule): {key_ns:.0} ns/op");
        let plain = rl("");
        let t = std::time::Instant::now();
        for i in 0..n {
            let j = (i % 1000) as usize;
            std::hint::black_box(plain.key(&heads[j], Some(&addrs[j])));
        }
        let plain_ns = t.elapsed().as_nanos() as f64 / n as f64;
        let t = std::time::Instant::now();
        for i in 0..n {
            let j = (i % 1000) as usize;
            std::hint::black_box(canonical_path(heads[j].path_only()));
        }
        let canon_ns = t.elapsed().as_nanos() as f64 / n as f64;
        let t = std::time::Instant::now();
        for i in 0..n {
            let j = (i % 1000) as usize;
            std::hint::black_box(parse_ip(addrs[j].as_bytes()));
        }
        let ip_ns = t.elapsed().as_nanos() as f64 / n as f64;
        eprintln!("key (no rule): {plain_ns:.0} ns, canonical_path {canon_ns:.0} ns, parse_ip {ip_ns:.0} ns");
    }
}
