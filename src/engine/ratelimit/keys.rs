//! Request to bucket: which limit applies (rules by path and method) and
//! the client key (address, `x-forwarded-for`, header, user agent, path
//! prefix), hashed into a fingerprint.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr};

use super::addr::{canonical_ip, parse_ip, trim_ows, xff_entry};
use super::config::{Fallback, KeySource};
use super::hash::{siphash24, Sip, SIP_K0, SIP_K1};
use super::limiter::RateLimiter;
use crate::engine::event::evidence;
use crate::engine::http::RequestHead;
use crate::engine::surface::path::canonical_path;

/// A compiled per-path rule.
#[derive(Clone, Debug)]
pub(super) struct Rule {
    /// Lowercase.
    pub(super) prefix: String,
    /// Uppercase; empty = all.
    pub(super) methods: Vec<String>,
    /// Index into `RateLimiter::limits`; `None` = exempt.
    pub(super) limit: Option<usize>,
}

/// The compiled key settings.
#[derive(Clone, Debug)]
pub(super) struct KeySpec {
    pub(super) source: KeySource,
    pub(super) trusted_hops: u32,
    /// Lowercase header name (source `header`).
    pub(super) header: String,
    pub(super) path_segments: u32,
    pub(super) v6_prefix: u8,
    pub(super) fallback: Fallback,
}

/// Result of keying a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keying {
    /// Check this key.
    Key(RateKey),
    /// A rule with `exempt: true` matched: not limited.
    Exempt,
    /// No usable key and no fallback: not limited; count it
    /// ([`Metric::RateLimitUnkeyed`](crate::engine::metrics::Metric::RateLimitUnkeyed)).
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
    pub(super) limit: usize,
    pub(super) fp: u64,
    pub(super) fallback: bool,
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

/// The client part of a key while it is being built: the fingerprint so
/// far and what the label needs.
struct Client {
    h: Sip,
    who: Who,
    ua: Option<Vec<u8>>,
    fallback: bool,
}

/// A fingerprint hasher seeded with a limit's domain.
fn seeded(domain: u64) -> Sip {
    let mut h = Sip::new(SIP_K0, SIP_K1);
    h.write(&domain.to_le_bytes());
    h
}

impl RateLimiter {
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
        let Some(limit) = self.rule_limit(&head.method, &path) else {
            return Keying::Exempt;
        };
        let Some(domain) = self.limits.get(limit).map(|l| l.domain) else {
            return Keying::Unkeyed;
        };
        let Some(mut client) = self.client(head, client_address, domain) else {
            return Keying::Unkeyed;
        };
        let path_label = if self.key.path_segments > 0 {
            Some(hash_path_prefix(
                &path,
                self.key.path_segments,
                &mut client.h,
            ))
        } else {
            None
        };
        Keying::Key(RateKey {
            limit,
            fp: client.h.finish(),
            fallback: client.fallback,
            who: client.who,
            ua: client.ua,
            path: path_label,
        })
    }

    /// The limit of the first rule matching `method` and the canonical
    /// `path` (`limits[0]`, the section's default, when none matches);
    /// `None` when that rule is exempt.
    fn rule_limit(&self, method: &str, path: &[u8]) -> Option<usize> {
        for r in &self.rules {
            if starts_with_ignore_case(path, r.prefix.as_bytes())
                && (r.methods.is_empty()
                    || r.methods.iter().any(|m| m.eq_ignore_ascii_case(method)))
            {
                return r.limit;
            }
        }
        Some(0)
    }

    /// Hashes the configured client identity into a hasher seeded with the
    /// limit's `domain`, or, when the request has none, the `fallback`'s
    /// (from a fresh hasher, so a fallback key never depends on what the
    /// primary source half-wrote). `None` when neither applies.
    fn client(
        &self,
        head: &RequestHead,
        client_address: Option<&str>,
        domain: u64,
    ) -> Option<Client> {
        let mut h = seeded(domain);
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
        if let Some(who) = primary {
            return Some(Client {
                h,
                who,
                ua,
                fallback: false,
            });
        }
        let mut h = seeded(domain);
        let who = match self.key.fallback {
            Fallback::ClientAddress => self.address(client_address, &mut h),
            Fallback::Shared => {
                h.write(b"s");
                Some(Who::Shared)
            }
            Fallback::None => None,
        }?;
        Some(Client {
            h,
            who,
            ua: None,
            fallback: true,
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

/// The first `n` segments of a canonical path (`/a/b/c`, 2 → `/a/b`).
pub(super) fn path_prefix_segments(path: &[u8], n: u32) -> &[u8] {
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

/// Mixes the first `n` segments of `path`, lowercased, into `h` and
/// returns them (lowercased) for the label.
fn hash_path_prefix(path: &[u8], n: u32, h: &mut Sip) -> String {
    let prefix = path_prefix_segments(path, n);
    h.write(&[0xfe]);
    let mut buf = [0u8; 64];
    for chunk in prefix.chunks(64) {
        let lower = buf.get_mut(..chunk.len()).unwrap_or_default();
        lower.copy_from_slice(chunk);
        lower.make_ascii_lowercase();
        h.write(lower);
    }
    String::from_utf8_lossy(prefix).to_ascii_lowercase()
}
