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
//! a [`KeyGauge`] and set
//! [`Metric::RateLimitKeys`](crate::engine::metrics::Metric::RateLimitKeys)
//! to its total.
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
//!
//! # Modules
//!
//! Each concept has its own file; everything public is re-exported here,
//! and this file declares nothing else, so no file here imports it.
//! [`RateLimiter`] is one type whose methods live next to what they use.
//!
//! | file          | owns |
//! |---------------|------|
//! | `config.rs`   | the `rate_limit` section as written: serde types, defaults, the ranges its fields accept |
//! | `compile.rs`  | its `Section` checks, every error at its path, and the compilation into a [`RateLimiter`] |
//! | `limiter.rs`  | [`RateLimiter`], the compiled section the other files add methods to |
//! | `gcra.rs`     | a limit in exact units and the GCRA arithmetic (admit, take, remaining), pure |
//! | `page.rs`     | the page format and the pure step from one page read to the page to write (eviction) |
//! | `store.rs`    | page naming, the CAS loops of `check` / `charge`, [`MemoryStore`] |
//! | `decision.rs` | [`Decision`] and how `action` and `mode` shape it |
//! | `reply.rs`    | the 429 reply, `retry-after` / `x-ratelimit-*` headers, counters |
//! | `keys.rs`     | request to bucket: rule choice, client identity, fingerprint, label |
//! | `addr.rs`     | `x-forwarded-for` entries and strict IP address parsing |
//! | `hash.rs`     | SipHash-2-4, streaming |
//! | `sweep.rs`    | the expiry sweep and the live-key gauge ([`KeyGauge`]) |
//!
//! The dependencies point one way: `hash` uses nothing, `gcra` only
//! `hash`, `page` only `gcra`; and nothing here imports the inspection
//! pipeline (rules match [`crate::engine::surface::path::canonical_path`]).

mod addr;
mod compile;
mod config;
mod decision;
mod gcra;
mod hash;
mod keys;
mod limiter;
mod page;
mod reply;
mod store;
mod sweep;
#[cfg(test)]
mod tests;

pub use addr::parse_ip;
pub use config::{
    ContentionPolicy, Fallback, KeyConfig, KeySource, RateAction, RateLimitConfig, RateRuleConfig,
    ATTACK_COST_RANGE, BURST_RANGE, CAS_RETRIES_RANGE, IPV6_PREFIX_LENGTH_RANGE, MAX_KEYS_RANGE,
    MAX_REFILL_SECONDS, MAX_RULES, PATH_SEGMENTS_RANGE, REQUESTS_RANGE, TRUSTED_HOPS_RANGE,
};
pub use decision::Decision;
pub use hash::siphash24;
pub use keys::{Keying, RateKey};
pub use limiter::RateLimiter;
pub use page::{ENTRY_BYTES, SLOTS_PER_PAGE};
pub use store::MemoryStore;
pub use sweep::{KeyGauge, SweepStats, PAGES_PER_SWEEP};
