//! The rate limiter's per-request cost (`ratelimit`): a check against the
//! in-memory store, deriving a key with and without a rule, and the path
//! and address parsing a key needs.

use std::hint::black_box;
use std::time::Instant;

use envoy_rasp::engine::http::RequestHead;
use envoy_rasp::engine::ratelimit::{parse_ip, MemoryStore, RateKey, RateLimiter};
use envoy_rasp::engine::surface::path::canonical_path;
use envoy_rasp::engine::Config;

fn rl(extra: &str) -> Result<RateLimiter, String> {
    let sep = if extra.is_empty() { "" } else { ", " };
    let json = format!(r#"{{"rate_limit": {{"enabled": true{sep}{extra}}}}}"#);
    Config::from_json(json.as_bytes())
        .map_err(|e| e.to_string())?
        .rate_limit
        .ok_or_else(|| "rate limit off".to_string())
}

/// Nanoseconds per call of `f(i)` over `n` calls.
fn ns_per(n: u64, mut f: impl FnMut(u64)) -> f64 {
    let t = Instant::now();
    for i in 0..n {
        f(i);
    }
    t.elapsed().as_nanos() as f64 / n as f64
}

pub fn ratelimit() -> Result<(), String> {
    const T0: u64 = 1_700_000_000_000_000_000;
    let l = rl(r#""rules": [{"path_prefix": "/login", "requests_per_second": 5}]"#)?;
    let s = MemoryStore::default();
    let heads: Vec<RequestHead> = (0..1000)
        .map(|i| {
            RequestHead::new(
                "GET",
                &format!("/api/items/{i}?q=1"),
                vec![("user-agent".into(), b"Mozilla/5.0".to_vec())],
            )
        })
        .collect();
    let addrs: Vec<String> = (0..1000)
        .map(|i| format!("10.5.{}.{}:4321", i / 256, i % 256))
        .collect();
    let keys: Vec<RateKey> = heads
        .iter()
        .zip(&addrs)
        .map(|(h, a)| l.key(h, Some(a)).into_key().ok_or("no key"))
        .collect::<Result<_, _>>()?;
    let n = 1_000_000u64;
    let at = |i: u64| (i % 1000) as usize;
    let check_ns = ns_per(n, |i| {
        black_box(l.check(&s, T0 + i * 1000, &keys[at(i)]));
    });
    let key_ns = ns_per(n, |i| {
        black_box(l.key(&heads[at(i)], Some(&addrs[at(i)])));
    });
    eprintln!("check: {check_ns:.0} ns/op, key (with one rule): {key_ns:.0} ns/op");
    let plain = rl("")?;
    let plain_ns = ns_per(n, |i| {
        black_box(plain.key(&heads[at(i)], Some(&addrs[at(i)])));
    });
    let canon_ns = ns_per(n, |i| {
        black_box(canonical_path(heads[at(i)].path_only()));
    });
    let ip_ns = ns_per(n, |i| {
        black_box(parse_ip(addrs[at(i)].as_bytes()));
    });
    eprintln!(
        "key (no rule): {plain_ns:.0} ns, canonical_path {canon_ns:.0} ns, parse_ip {ip_ns:.0} ns"
    );
    Ok(())
}
