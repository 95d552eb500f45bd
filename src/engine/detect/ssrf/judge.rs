//! Judging one host candidate: whitelist, metadata, blocked ranges, loose
//! IPv4 notations, IPv6 literals, internal and attack names, by where the
//! host sits (anchored URL, prose, bare value) and which part of the
//! authority it came from.

use std::borrow::Cow;

use super::bytes::lower_bytes;
use super::config::Ssrf;
use super::fold::fold_host;
use super::ip::{
    describe_v4, describe_v6, embedded_v4, is_host_local_v4, parse_v4, parse_v6, v6_embedded_v4,
    Dotted, Ip, V6Embed, V4,
};
use super::known::{under, LOCALHOST_NAMES, MAX_HOST, METADATA_NAMES, METADATA_V4, METADATA_V6};
use crate::engine::detect::Hit;

/// How a URL sits in the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ctx {
    /// Starts the value or follows a delimiter.
    Anchored,
    /// Inside prose.
    Embedded,
    /// The value is a bare host with a port or path.
    BareAddr,
    /// The value is only a host.
    BareNaked,
}

/// Which part of an authority a host candidate comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// After the last `@`: the host for RFC 3986 and WHATWG.
    Host,
    /// Before an `@`: the host for some other parser.
    Userinfo,
}

/// Where a host candidate sits: its span in the value, how its URL sits
/// there and which part of the authority it came from.
#[derive(Clone, Copy, Debug)]
pub(super) struct Site {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) ctx: Ctx,
    pub(super) part: Part,
}

impl Site {
    /// The host part (after the last `@`, or a bare value) at `start..end`.
    pub(super) fn host(start: usize, end: usize, ctx: Ctx) -> Site {
        Site {
            start,
            end,
            ctx,
            part: Part::Host,
        }
    }

    /// A finding over this site's span.
    fn hit(self, rule: &'static str, reason: Cow<'static, str>) -> Option<Hit> {
        Some(Hit {
            rule: Cow::Borrowed(rule),
            reason,
            start: self.start,
            end: self.end,
        })
    }

    /// Inside a URL (anchored or embedded) rather than a bare value.
    fn url(self) -> bool {
        matches!(self.ctx, Ctx::Anchored | Ctx::Embedded)
    }
}

impl Ssrf {
    /// Judges a host token (ASCII or UTF-8). `network`: the URL's scheme
    /// connects to a host and the token ends where an authority can end.
    pub(super) fn judge_token(&self, token: &[u8], site: Site, network: bool) -> Option<Hit> {
        if token.len() > MAX_HOST {
            return None;
        }
        let (host, folded) = fold_host(token)?;
        // One trailing dot is the FQDN form of the same name.
        let host = host.strip_suffix(b".").unwrap_or(&host);
        if host.is_empty() {
            return None;
        }
        let mut f = self.judge_host(host, site, network)?;
        if folded {
            f.reason = Cow::Owned(format!("{} (Unicode look-alike characters)", f.reason));
        }
        Some(f)
    }

    fn whitelisted(&self, host: &[u8]) -> bool {
        self.whitelist.iter().any(|(wild, name)| {
            let n = name.as_bytes();
            if *wild {
                host.len() > n.len()
                    && host.ends_with(n)
                    && host.get(host.len() - n.len() - 1) == Some(&b'.')
            } else {
                host == n
            }
        })
    }

    fn blacklisted(&self, ip: Ip) -> bool {
        self.blacklist.iter().any(|c| c.contains(ip))
    }

    /// Judges a lowercase ASCII host name or IPv4 in any notation.
    fn judge_host(&self, host: &[u8], site: Site, network: bool) -> Option<Hit> {
        if self.whitelisted(host) {
            return None;
        }
        match parse_v4(host) {
            Some(p) => self.judge_v4(p, site, network),
            None => self.judge_name(host, site, network),
        }
    }

    /// Judges an IPv4 address in any notation: metadata, then loose
    /// notations (only in URLs), then the blocked ranges.
    fn judge_v4(&self, p: V4, site: Site, network: bool) -> Option<Hit> {
        let url = site.url();
        let ip = Ip::V4(p.addr);
        if METADATA_V4.contains(&p.addr) && (url || p.canonical) {
            let reason = if p.canonical {
                Cow::Borrowed("cloud metadata service address")
            } else {
                Cow::Owned(format!(
                    "cloud metadata service address in {} notation",
                    p.notation()
                ))
            };
            return site.hit("ssrf.metadata", reason);
        }
        if !p.canonical {
            if !url {
                return None; // a number or a version, not a host
            }
            // `0.x.x.x` other than `0.0.0.0` is no destination any stack
            // routes (0.0.0.0/8 is a source-only range): a lone number
            // below 2^24 written as a host is a port or an id
            // (`reverse:https://example.com@80`), not a way to reach one.
            if p.addr >> 24 == 0 && p.addr != 0 {
                return None;
            }
            let internal = self.blacklisted(ip);
            if internal || network {
                let what = describe_v4(p.addr);
                return site.hit(
                    "ssrf.obfuscated_ip",
                    Cow::Owned(format!(
                        "IPv4 address in {} notation ({}, {what})",
                        p.notation(),
                        Dotted(p.addr)
                    )),
                );
            }
            return None;
        }
        if site.ctx == Ctx::Embedded || !self.blacklisted(ip) {
            return None;
        }
        if site.ctx == Ctx::BareNaked && !is_host_local_v4(p.addr) {
            return None;
        }
        site.hit(
            "ssrf.internal_address",
            Cow::Owned(format!("{} in the blocked ranges", describe_v4(p.addr))),
        )
    }

    /// Judges a lowercase ASCII host name that is not an IPv4 address.
    fn judge_name(&self, name: &[u8], site: Site, network: bool) -> Option<Hit> {
        let ctx = site.ctx;
        // Single-label metadata names (`metadata`) are ordinary words when
        // they stand alone.
        if METADATA_NAMES.iter().any(|m| m.as_bytes() == name)
            && (ctx != Ctx::BareNaked || name.contains(&b'.'))
        {
            return site.hit(
                "ssrf.metadata",
                Cow::Borrowed("cloud metadata service name"),
            );
        }
        if ctx == Ctx::Embedded {
            return None;
        }
        if let Some(addr) = embedded_v4(name) {
            if self.blacklisted(Ip::V4(addr)) || METADATA_V4.contains(&addr) {
                return site.hit(
                    "ssrf.ip_in_hostname",
                    Cow::Owned(format!(
                        "host name embeds the {} {} (wildcard DNS resolves it there)",
                        describe_v4(addr),
                        Dotted(addr)
                    )),
                );
            }
        }
        if self
            .attack_domains
            .iter()
            .any(|d| under(name, d.as_bytes()))
        {
            return site.hit(
                "ssrf.attack_domain",
                Cow::Borrowed("wildcard-DNS, rebinding or out-of-band interaction domain"),
            );
        }
        let localhost = LOCALHOST_NAMES.iter().any(|l| l.as_bytes() == name)
            || under(name, b"localhost")
            || name == b"ipv6-localhost";
        // A lone `localhost` is a word (a search term, a "server" setting);
        // with a port or path it is an address.
        if localhost && ctx != Ctx::BareNaked {
            return site.hit("ssrf.internal_name", Cow::Borrowed("local host name"));
        }
        if ctx == Ctx::BareNaked || site.part == Part::Userinfo {
            return None;
        }
        if self
            .internal_domains
            .iter()
            .any(|d| under(name, d.as_bytes()))
        {
            return site.hit(
                "ssrf.internal_name",
                Cow::Borrowed("host name in a private-network domain"),
            );
        }
        if ctx == Ctx::Anchored
            && network
            && !name.contains(&b'.')
            && name.iter().any(|b| b.is_ascii_alphabetic())
        {
            return site.hit(
                "ssrf.internal_name",
                Cow::Borrowed(
                    "single-label host name (resolves only through local search domains)",
                ),
            );
        }
        None
    }

    /// Judges the inside of `[...]`.
    pub(super) fn judge_v6_literal(&self, inner: &[u8], site: Site) -> Option<Hit> {
        // Zone identifiers (`fe80::1%eth0`, `%25eth0`) do not change the
        // address.
        let addr_part = inner
            .iter()
            .position(|&b| b == b'%')
            .map_or(inner, |p| inner.get(..p).unwrap_or_default());
        let mut buf = [0u8; 64];
        let lower = lower_bytes(addr_part, &mut buf)?;
        if self.whitelisted(lower) {
            return None;
        }
        let a = parse_v6(lower)?;
        let (ctx, url) = (site.ctx, site.url());
        if METADATA_V6.contains(&a) {
            return site.hit(
                "ssrf.metadata",
                Cow::Borrowed("cloud metadata service address"),
            );
        }
        if let Some((v4, kind)) = v6_embedded_v4(a) {
            if METADATA_V4.contains(&v4) {
                return site.hit(
                    "ssrf.metadata",
                    Cow::Borrowed("cloud metadata service address inside an IPv6 address"),
                );
            }
            if kind == V6Embed::Mapped && url {
                return site.hit(
                    "ssrf.obfuscated_ip",
                    Cow::Owned(format!(
                        "IPv4 address written as IPv4-mapped IPv6 ({})",
                        describe_v4(v4)
                    )),
                );
            }
            if ctx != Ctx::Embedded
                && self.blacklisted(Ip::V4(v4))
                && (ctx != Ctx::BareNaked || is_host_local_v4(v4))
            {
                return site.hit(
                    "ssrf.internal_address",
                    Cow::Owned(format!("IPv6 address carrying the {}", describe_v4(v4))),
                );
            }
            return None;
        }
        if ctx == Ctx::Embedded || site.part == Part::Userinfo && !url {
            return None;
        }
        if !self.blacklisted(Ip::V6(a)) {
            return None;
        }
        let what = describe_v6(a);
        if ctx == Ctx::BareNaked
            && !matches!(what, "loopback IPv6 address" | "link-local IPv6 address")
        {
            return None;
        }
        site.hit(
            "ssrf.internal_address",
            Cow::Owned(format!("{what} in the blocked ranges")),
        )
    }
}
