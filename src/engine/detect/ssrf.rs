//! Server-side request forgery detector.
//!
//! The detector sees every parameter value, so it first decides cheaply
//! whether a value can hold a URL or a host at all: a value with no `:` is
//! only examined when it is short and shaped like `host[:port][/path]`.
//! Everything else costs one byte scan.
//!
//! ## What is a URL context
//!
//! * **URL** — `scheme://authority…`, protocol-relative `//authority` at the
//!   start of the value, and the slash-less forms WHATWG parsers accept for
//!   special schemes (`http:127.0.0.1`, `http:/2852039166`). A URL is
//!   *anchored* when it starts the value or follows `= & ? ; , / | ( [ " '`
//!   (a parameter, a list, a nested redirect URL such as
//!   `…/?url=http://localhost`), and *embedded* when it sits inside prose
//!   (`see http://localhost:3000 for details`).
//! * **Bare host** — the whole value is `host[:port][/path]` with no scheme
//!   (`127.0.0.1`, `localhost:11211`, `metadata.google.internal/`).
//!
//! ## What is flagged
//!
//! In an anchored URL, every host a URL parser could pick is judged: the
//! host after the last `@`, the text before each `@` (`http://127.0.0.1\@allowed`
//! is `127.0.0.1` for WHATWG), and the authority with backslashes removed.
//!
//! | rule | structure |
//! |---|---|
//! | `ssrf.scheme` | a scheme from `schemes` (`file:`, `gopher:`, `dict:`, …) |
//! | `ssrf.metadata` | a cloud metadata address or name (`169.254.169.254`, `metadata.google.internal`, `100.100.100.200`, `fd00:ec2::254`, …) |
//! | `ssrf.internal_address` | an IP literal inside a `blacklist` range |
//! | `ssrf.obfuscated_ip` | an IP written any other way than dotted decimal or plain IPv6: `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`, overflowing parts (`425.510.425.510`), IPv4-mapped IPv6, Unicode digits (`①②⑦.⓪.⓪.①`) |
//! | `ssrf.internal_name` | `localhost` and `*.localhost`, names under `internal_domains` (`*.internal`, `*.local`, …), single-label hosts (`http://metadata/`, `http://redis:6379/`) |
//! | `ssrf.ip_in_hostname` | a name embedding an internal IPv4 (`127.0.0.1.nip.io`, `10-0-0-1.sslip.io`, `example.com.127.0.0.1`): wildcard DNS resolves it to that address |
//! | `ssrf.attack_domain` | a name under `attack_domains`: wildcard-DNS / rebinding services and out-of-band interaction domains |
//! | `ssrf.parser_confusion` | an authority with more than one `@`, or whitespace, `#`, `\` or `&` before its `@`: built so that two URL parsers disagree on the host |
//!
//! In an embedded URL only the unambiguous signals count (`metadata`,
//! `obfuscated_ip`): prose that says "run it on http://localhost:8080" is
//! normal in tickets and forums. Single-label names need an explicit network
//! scheme (`//comments` and `myapp://callback` are not hosts).
//!
//! A bare host counts when it is a loopback, unspecified or link-local
//! address in dotted-decimal or IPv6 form (`127.0.0.1`, `[::1]`), a dotted
//! metadata name, an `attack_domains` name, or embeds an internal IPv4.
//! Private ranges, `localhost` and `internal_domains` names need a port or
//! path (`10.0.0.5:6379`, `localhost/`, `corp.local/`): alone, `10.0.0.5` is
//! as often a version, `localhost` a search term or a server setting and
//! `corp.local` a Windows domain. Obfuscated numbers never count without a
//! scheme: `2130706433` is a price or an id, `1.2.3` a version.
//!
//! Known trade-off: native OAuth clients use loopback redirect URIs
//! (RFC 8252, `redirect_uri=http://127.0.0.1:51004/cb`), which are flagged;
//! whitelist `127.0.0.1`/`localhost` or allowlist the authorization path.
//!
//! No DNS resolution happens in the filter: names not listed above are
//! judged by name only (an attacker's own name that resolves to 127.0.0.1
//! passes; the application's resolver must enforce the final check).
//!
//! ## Where it applies
//!
//! `targets` (default `path`, `query`, `body`): headers and cookies are
//! skipped by default because `Referer`/`Origin` carry `http://localhost:3000`
//! in development and load-balancer cookies carry backend addresses.
//!
//! ```
//! use envoy_rasp::engine::detect::ssrf::{Ssrf, SsrfConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Ssrf::compile(&SsrfConfig::default(), "ssrf").unwrap().unwrap();
//! let q = ValueCtx::value(Surface::Query);
//! let hit = d.detect(b"http://0x7f000001/admin", &q).unwrap();
//! assert_eq!(hit.rule, "ssrf.obfuscated_ip");
//! assert_eq!(d.detect(b"http://169.254.169.254/latest/", &q).unwrap().rule, "ssrf.metadata");
//! assert!(d.detect(b"https://api.example.com/v1/pay", &q).is_none());
//! assert!(d.detect(b"2130706433", &q).is_none()); // a number, not a host
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::custom::Target;
use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};
use crate::engine::surface::Surface;

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Configuration section `ssrf`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SsrfConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Blocked address ranges (CIDR, IPv4 or IPv6; a bare address is a
    /// single host). An IP literal in one of them is flagged. Default: the
    /// reference ranges `127.0.0.0/8`, `10.0.0.0/8`, `172.16.0.0/12`,
    /// `192.168.0.0/16`, plus `0.0.0.0/8` (this network), `100.64.0.0/10`
    /// (CGNAT), `169.254.0.0/16` (link-local), `192.0.0.0/24` (IETF
    /// protocol assignments), `198.18.0.0/15` (benchmarking), `224.0.0.0/4`
    /// (multicast), `240.0.0.0/4` (reserved, broadcast), and for IPv6
    /// everything outside global unicast `2000::/3` — `::/3`, `4000::/2`,
    /// `8000::/1` — which covers `::1`, `::`, `fc00::/7`, `fe80::/10`,
    /// `ff00::/8` and unallocated space. IPv4-mapped and compatible IPv6
    /// (`::ffff:127.0.0.1`), NAT64 and 6to4 addresses are judged by the
    /// IPv4 address they carry. Invalid entries are configuration errors.
    pub blacklist: Vec<String>,
    /// Hosts that are always allowed (exact names or IP literals,
    /// case-insensitive; `*.example.com` allows every subdomain). A
    /// whitelisted host is not judged by address or name; schemes and
    /// parser-confusion tricks are still flagged. Default: the reference
    /// hosts `api.example.com`, `payment.provider.com`.
    pub whitelist: Vec<String>,
    /// Dangerous URL schemes (case-insensitive), flagged in anchored URLs
    /// whatever the host. Default: `file`, `gopher`, `dict`, `ldap`,
    /// `ldaps`, `ldapi`, `ftp`, `sftp`, `tftp`, `jar`, `netdoc`, `php`,
    /// `phar`, `expect`, `local_file`, `glob`, `zip`, `compress.zlib`.
    /// Remove `ftp` if your application legitimately takes FTP links.
    pub schemes: Vec<String>,
    /// Domains that only exist inside private networks: a name equal to or
    /// under one of them is flagged in URLs and in bare hosts with a port or
    /// path. Default: `localhost`, `localdomain`, `internal` (reserved by
    /// ICANN for private use; covers `metadata.google.internal`,
    /// `host.docker.internal`), `local` (mDNS, `*.svc.cluster.local`),
    /// `home.arpa`, `lan`, `intranet`, `corp`, `svc`.
    pub internal_domains: Vec<String>,
    /// Domains that exist to resolve to an address the requester chooses
    /// (wildcard DNS such as `nip.io`, rebinding services) or to record
    /// out-of-band interactions (Burp Collaborator, interactsh): flagged
    /// everywhere, even as a bare name. Default: `nip.io`, `xip.io`,
    /// `sslip.io`, `nip.direct`, `traefik.me`, `localtest.me`, `lvh.me`,
    /// `vcap.me`, `lacolhost.com`, `localho.st`, `fuf.me`, `1u.ms`,
    /// `rbndr.us`, `burpcollaborator.net`, `oastify.com`, `interact.sh`,
    /// `oast.pro`, `oast.live`, `oast.site`, `oast.online`, `oast.fun`,
    /// `oast.me`, `dnslog.cn`, `ceye.io`.
    pub attack_domains: Vec<String>,
    /// Request parts the detector applies to (`path`, `query`, `body`,
    /// `headers`, `cookies`). Default `path`, `query`, `body`.
    pub targets: Vec<Target>,
    /// Judge values that are a bare `host[:port][/path]` without a scheme.
    /// Default true. Turn off if users legitimately type `localhost` or
    /// `127.0.0.1` into, say, a search box.
    pub bare_hosts: bool,
}

impl Default for SsrfConfig {
    fn default() -> Self {
        SsrfConfig {
            action: Action::Block,
            blacklist: strings(&[
                "127.0.0.0/8",
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "0.0.0.0/8",
                "100.64.0.0/10",
                "169.254.0.0/16",
                "192.0.0.0/24",
                "198.18.0.0/15",
                "224.0.0.0/4",
                "240.0.0.0/4",
                "::/3",
                "4000::/2",
                "8000::/1",
            ]),
            whitelist: strings(&["api.example.com", "payment.provider.com"]),
            schemes: strings(&[
                "file",
                "gopher",
                "dict",
                "ldap",
                "ldaps",
                "ldapi",
                "ftp",
                "sftp",
                "tftp",
                "jar",
                "netdoc",
                "php",
                "phar",
                "expect",
                "local_file",
                "glob",
                "zip",
                "compress.zlib",
            ]),
            internal_domains: strings(&[
                "localhost",
                "localdomain",
                "internal",
                "local",
                "home.arpa",
                "lan",
                "intranet",
                "corp",
                "svc",
            ]),
            attack_domains: strings(&[
                "nip.io",
                "xip.io",
                "sslip.io",
                "nip.direct",
                "traefik.me",
                "localtest.me",
                "lvh.me",
                "vcap.me",
                "lacolhost.com",
                "localho.st",
                "fuf.me",
                "1u.ms",
                "rbndr.us",
                "burpcollaborator.net",
                "oastify.com",
                "interact.sh",
                "oast.pro",
                "oast.live",
                "oast.site",
                "oast.online",
                "oast.fun",
                "oast.me",
                "dnslog.cn",
                "ceye.io",
            ]),
            targets: vec![Target::Path, Target::Query, Target::Body],
            bare_hosts: true,
        }
    }
}

/// An IP network; IPv4 addresses live in the low 32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cidr {
    v6: bool,
    addr: u128,
    prefix: u8,
}

impl Cidr {
    fn parse(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let (v6, addr, max) = if let Some(v4) = parse_dotted_strict(a.as_bytes()) {
            (false, u128::from(v4), 32u8)
        } else if let Some(v6) = parse_v6(a.as_bytes()) {
            (true, v6, 128u8)
        } else {
            return Err(format!("`{s}` is not an IPv4 or IPv6 address or CIDR"));
        };
        let prefix = match p {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max && !p.starts_with('+') => n,
                _ => return Err(format!("`{s}`: prefix length must be 0-{max}")),
            },
        };
        Ok(Cidr {
            v6,
            addr: addr & mask(prefix, max),
            prefix,
        })
    }

    fn contains(&self, ip: Ip) -> bool {
        match (self.v6, ip) {
            (false, Ip::V4(a)) => u128::from(a) & mask(self.prefix, 32) == self.addr,
            (true, Ip::V6(a)) => a & mask(self.prefix, 128) == self.addr,
            _ => false,
        }
    }
}

/// The network mask of `prefix` bits in a `max`-bit address.
fn mask(prefix: u8, max: u8) -> u128 {
    let all: u128 = if max >= 128 {
        u128::MAX
    } else {
        (1u128 << max) - 1
    };
    let host_bits = u32::from(max.saturating_sub(prefix));
    if host_bits >= 128 {
        0
    } else {
        all & !((1u128 << host_bits) - 1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ip {
    V4(u32),
    V6(u128),
}

/// A host-name list entry: the name and every subdomain (`*.` allowed).
fn domain_list(field: &str, list: &[String]) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::with_capacity(list.len());
    for (i, d) in list.iter().enumerate() {
        let d = d.trim().trim_start_matches("*.").trim_start_matches('.');
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        if d.is_empty()
            || d.len() > 253
            || !d
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        {
            return Err(ConfigError::new(
                format!("{field}[{i}]"),
                format!("{:?} is not a domain name", list.get(i).map(String::as_str)),
            ));
        }
        out.push(d);
    }
    Ok(out)
}

/// `host` equals `domain` or is a subdomain of it (both lowercase).
fn under(host: &[u8], domain: &[u8]) -> bool {
    if host == domain {
        return true;
    }
    host.len() > domain.len()
        && host.ends_with(domain)
        && host.get(host.len() - domain.len() - 1) == Some(&b'.')
}

/// Cloud metadata service addresses: AWS/GCP/Azure/DigitalOcean/OpenStack/
/// Hetzner/Oracle (`169.254.169.254`), AWS ECS task metadata
/// (`169.254.170.2`), AWS DNS (`169.254.169.253`), Alibaba
/// (`100.100.100.200`), Oracle legacy (`192.0.0.192`), Azure wire server
/// (`168.63.129.16`).
const METADATA_V4: [u32; 6] = [
    0xA9FE_A9FE,
    0xA9FE_AA02,
    0xA9FE_A9FD,
    0x6464_64C8,
    0xC000_00C0,
    0xA83F_8110,
];
/// AWS IMDS over IPv6 (`fd00:ec2::254`) and its DNS (`fd00:ec2::253`).
const METADATA_V6: [u128; 2] = [
    0xfd00_0ec2_0000_0000_0000_0000_0000_0254,
    0xfd00_0ec2_0000_0000_0000_0000_0000_0253,
];
/// Cloud metadata service names.
const METADATA_NAMES: [&str; 9] = [
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "metadata.packet.net",
    "metadata.platformequinix.com",
    "metadata.tencentyun.com",
    "instance-data",
    "instance-data.ec2.internal",
    "rancher-metadata",
];
/// Names of the local host in common `/etc/hosts` files.
const LOCALHOST_NAMES: [&str; 8] = [
    "localhost",
    "localhost4",
    "localhost6",
    "localhost.localdomain",
    "localhost4.localdomain4",
    "localhost6.localdomain6",
    "ip6-localhost",
    "ip6-loopback",
];

/// Schemes whose URLs name a host that the server connects to: an
/// obfuscated IP or a single-label name in them is a target.
const NETWORK_SCHEMES: [&str; 22] = [
    "http", "https", "ws", "wss", "ftp", "ftps", "sftp", "tftp", "gopher", "dict", "ldap", "ldaps",
    "ssh", "telnet", "smb", "rsync", "redis", "imap", "pop3", "smtp", "file", "netdoc",
];
/// WHATWG special schemes: `http:host` without slashes still has a host.
const SPECIAL_SCHEMES: [&str; 6] = ["http", "https", "ws", "wss", "ftp", "file"];

/// Longest URL authority examined, in bytes.
const MAX_AUTHORITY: usize = 512;
/// Longest host examined (DNS names are at most 253 bytes).
const MAX_HOST: usize = 255;
/// Longest value judged as a bare host.
const MAX_BARE: usize = 300;

const C_COLON: u8 = 1;
const C_DOT: u8 = 2;
const C_BRACKET: u8 = 4;
const C_HIGH: u8 = 8;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Nonzero when a byte of `w` equals `b` (bit 7 of the lowest such byte is
/// exact; higher bits only appear when a lower byte matched).
fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI
}

/// Which of `:`, `.`, `[` and non-ASCII bytes occur in `v`, eight bytes at
/// a time: the prefilter that keeps most values away from the scanners.
fn classify(v: &[u8]) -> u8 {
    let (mut colon, mut dot, mut bracket, mut high) = (0u64, 0u64, 0u64, 0u64);
    let mut chunks = v.chunks_exact(8);
    for chunk in &mut chunks {
        let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        colon |= eq_mask(w, b':');
        dot |= eq_mask(w, b'.');
        bracket |= eq_mask(w, b'[');
        high |= w & HI;
    }
    let mut m = 0u8;
    for &b in chunks.remainder() {
        m |= match b {
            b':' => C_COLON,
            b'.' => C_DOT,
            b'[' => C_BRACKET,
            0x80..=0xff => C_HIGH,
            _ => 0,
        };
    }
    for (bits, flag) in [
        (colon, C_COLON),
        (dot, C_DOT),
        (bracket, C_BRACKET),
        (high, C_HIGH),
    ] {
        if bits != 0 {
            m |= flag;
        }
    }
    m
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Ssrf {
    action: Action,
    blacklist: Vec<Cidr>,
    whitelist: Vec<(bool, String)>,
    schemes: Vec<String>,
    internal_domains: Vec<String>,
    attack_domains: Vec<String>,
    targets: [bool; 5],
    bare_hosts: bool,
}

/// How a URL sits in the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
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
enum Part {
    /// After the last `@`: the host for RFC 3986 and WHATWG.
    Host,
    /// Before an `@`: the host for some other parser.
    Userinfo,
}

/// A finding before it becomes a [`Hit`].
struct Found {
    rule: &'static str,
    reason: Cow<'static, str>,
    start: usize,
    end: usize,
}

fn target_index(t: Target) -> usize {
    match t {
        Target::Path => 0,
        Target::Query => 1,
        Target::Body => 2,
        Target::Headers => 3,
        Target::Cookies => 4,
    }
}

impl Ssrf {
    /// Compiles the section; `None` when the action is `off`. Invalid
    /// CIDRs, schemes and names are errors naming the entry
    /// (`ssrf.blacklist[3]`).
    pub fn compile(cfg: &SsrfConfig, field: &str) -> Result<Option<Ssrf>, ConfigError> {
        let mut blacklist = Vec::with_capacity(cfg.blacklist.len());
        for (i, c) in cfg.blacklist.iter().enumerate() {
            blacklist.push(Cidr::parse(c).map_err(|e| {
                ConfigError::new(
                    format!("{field}.blacklist[{i}]"),
                    format!("invalid cidr: {e}"),
                )
            })?);
        }
        let mut whitelist = Vec::with_capacity(cfg.whitelist.len());
        for (i, w) in cfg.whitelist.iter().enumerate() {
            let t = w.trim();
            let (wild, name) = match t.strip_prefix("*.") {
                Some(rest) => (true, rest),
                None => (false, t),
            };
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let name = name
                .strip_prefix('[')
                .and_then(|n| n.strip_suffix(']'))
                .map(str::to_string)
                .unwrap_or(name);
            if name.is_empty()
                || name.len() > MAX_HOST
                || name
                    .bytes()
                    .any(|b| b.is_ascii_whitespace() || b"/\\@?#".contains(&b))
            {
                return Err(ConfigError::new(
                    format!("{field}.whitelist[{i}]"),
                    format!("{w:?} is not a host name or address"),
                ));
            }
            whitelist.push((wild, name));
        }
        let mut schemes = Vec::with_capacity(cfg.schemes.len());
        for (i, s) in cfg.schemes.iter().enumerate() {
            let s = s.trim().trim_end_matches("//").trim_end_matches(':');
            let ok = s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && s.bytes().all(is_scheme_char);
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.schemes[{i}]"),
                    format!("{s:?} is not a URL scheme"),
                ));
            }
            schemes.push(s.to_ascii_lowercase());
        }
        let internal_domains =
            domain_list(&format!("{field}.internal_domains"), &cfg.internal_domains)?;
        let attack_domains = domain_list(&format!("{field}.attack_domains"), &cfg.attack_domains)?;
        let mut targets = [false; 5];
        for t in &cfg.targets {
            if let Some(slot) = targets.get_mut(target_index(*t)) {
                *slot = true;
            }
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Ssrf {
            action: cfg.action,
            blacklist,
            whitelist,
            schemes,
            internal_domains,
            attack_domains,
            targets,
            bare_hosts: cfg.bare_hosts,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value. The hit's span covers the offending host or
    /// scheme.
    pub fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        let on = self
            .targets
            .get(target_index(ctx.surface.target()))
            .copied()
            .unwrap_or(false);
        if !on || value.is_empty() {
            return None;
        }
        // One table-driven pass decides which scans can match at all.
        let mask = classify(value);
        let lead = value.iter().take_while(|b| b.is_ascii_whitespace()).count();
        // A path starting with `//` is a client joining URLs sloppily.
        let path = ctx.surface == Surface::Path;
        let slashes = !path && value.get(lead..lead + 2) == Some(b"//");
        let urls = || {
            if mask & C_COLON != 0 || slashes {
                self.scan_urls(value, slashes)
            } else {
                None
            }
        };
        let bare = || {
            let hosty = mask & (C_DOT | C_COLON | C_BRACKET | C_HIGH) != 0
                || value
                    .get(lead)
                    .is_some_and(|b| matches!(b | 0x20, b'l' | b'i' | b'm' | b'r'));
            if self.bare_hosts
                && !ctx.is_key
                && ctx.surface != Surface::Path
                && value.len() <= MAX_BARE + 64
                && hosty
            {
                self.scan_bare(value)
            } else {
                None
            }
        };
        let found = urls().or_else(bare)?;
        Some(Hit {
            rule: Cow::Borrowed(found.rule),
            reason: found.reason,
            start: found.start,
            end: found.end,
        })
    }

    /// Finds URLs (`scheme:` + authority) and judges them.
    fn scan_urls(&self, v: &[u8], relative: bool) -> Option<Found> {
        let mut i = 0;
        // Protocol-relative URL at the start of the value.
        let lead = v.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if let (true, Some(b'/'), Some(b'/'), Some(c)) =
            (relative, v.get(lead), v.get(lead + 1), v.get(lead + 2))
        {
            if *c != b'/' && *c != b'\\' {
                let (f, end) = self.authority(v, lead + 2, "", Ctx::Anchored, false);
                if f.is_some() {
                    return f;
                }
                i = end;
            }
        }
        while let Some(off) = v.get(i..).and_then(|r| r.iter().position(|&b| b == b':')) {
            let colon = i + off;
            i = colon + 1;
            // The scheme: scheme characters before the colon.
            let mut s = colon;
            while s > 0 && colon - s < 32 {
                match v.get(s - 1) {
                    Some(&b) if is_scheme_char(b) => s -= 1,
                    _ => break,
                }
            }
            if s == colon {
                continue;
            }
            let scheme_bytes = v.get(s..colon).unwrap_or_default();
            let mut sbuf = [0u8; 32];
            let scheme = lower_into(scheme_bytes, &mut sbuf);
            let anchored = s == lead
                || matches!(
                    v.get(s.wrapping_sub(1)),
                    Some(
                        b'=' | b'&' | b'?' | b';' | b',' | b'/' | b'|' | b'(' | b'[' | b'"' | b'\''
                    )
                );
            let ctx = if anchored {
                Ctx::Anchored
            } else {
                Ctx::Embedded
            };
            let rest = v.get(colon + 1..).unwrap_or_default();
            let slashes = rest
                .iter()
                .take_while(|&&b| b == b'/' || b == b'\\')
                .count();
            if anchored && self.is_dangerous(scheme) && dangerous_tail(rest) {
                return Some(Found {
                    rule: "ssrf.scheme",
                    reason: Cow::Owned(format!("URL with the dangerous scheme `{scheme}:`")),
                    start: s,
                    end: colon + 1,
                });
            }
            let special = SPECIAL_SCHEMES.contains(&scheme);
            let auth_start = if slashes >= 2 {
                if scheme == "file" && slashes >= 3 {
                    continue; // file:///path has no host
                }
                colon + 1 + if special { slashes } else { 2 }
            } else if special
                && rest
                    .get(slashes)
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'[' || b >= 0x80)
            {
                colon + 1 + slashes
            } else {
                continue;
            };
            let (f, end) = self.authority(v, auth_start, scheme, ctx, anchored);
            if f.is_some() {
                return f;
            }
            i = i.max(end);
        }
        None
    }

    fn is_dangerous(&self, scheme: &str) -> bool {
        self.schemes.iter().any(|s| s == scheme)
    }

    /// Judges the authority starting at `a`. Returns the finding and where
    /// the authority ends.
    fn authority(
        &self,
        v: &[u8],
        a: usize,
        scheme: &str,
        ctx: Ctx,
        anchored: bool,
    ) -> (Option<Found>, usize) {
        // The region every parser could read as authority: up to `/` or `?`
        // (and whitespace in prose), bounded.
        let mut end = a;
        while end < v.len() && end - a < MAX_AUTHORITY {
            match v.get(end) {
                Some(b'/' | b'?') | None => break,
                Some(b) if b.is_ascii_whitespace() && !anchored => break,
                Some(b'\r' | b'\n') => break,
                _ => end += 1,
            }
        }
        let region = v.get(a..end).unwrap_or_default();
        // Protocol-relative URLs (no scheme) are judged by address only.
        let network = NETWORK_SCHEMES.contains(&scheme);
        // Host candidates: before each `@` and after the last one.
        let ats = region.iter().filter(|&&b| b == b'@').count();
        let mut piece_start = 0;
        let mut seen = 0;
        for (idx, &b) in region
            .iter()
            .enumerate()
            .chain(std::iter::once((region.len(), &b'@')))
        {
            if b != b'@' {
                continue;
            }
            let part = if seen == ats {
                Part::Host
            } else {
                Part::Userinfo
            };
            seen += 1;
            let piece = region.get(piece_start..idx).unwrap_or_default();
            if let Some(f) = self.piece(piece, a + piece_start, ctx, part, network) {
                return (Some(f), end);
            }
            piece_start = idx + 1;
        }
        // Backslashes as escape characters: `\l\o\c\a\l\h\o\s\t`.
        if region.contains(&b'\\') && region.len() <= MAX_HOST {
            let mut buf = [0u8; MAX_HOST];
            let mut n = 0;
            for &b in region.iter().filter(|&&b| b != b'\\') {
                if let Some(slot) = buf.get_mut(n) {
                    *slot = b;
                    n += 1;
                }
            }
            let squeezed = buf.get(..n).unwrap_or_default();
            let last = squeezed
                .iter()
                .rposition(|&b| b == b'@')
                .map_or(0, |p| p + 1);
            let host = squeezed.get(last..).unwrap_or_default();
            if let Some(mut f) = self.piece(host, a, ctx, Part::Host, network) {
                f.end = end;
                f.reason = Cow::Owned(format!("{} (backslashes removed)", f.reason));
                return (Some(f), end);
            }
        }
        // Parser confusion: several `@`, or characters no userinfo may
        // contain unencoded before the `@`.
        if anchored && ats > 0 {
            let last_at = region.iter().rposition(|&b| b == b'@').unwrap_or(0);
            let before = region.get(..last_at).unwrap_or_default();
            let confusing = ats > 1
                || before
                    .iter()
                    .any(|&b| b.is_ascii_whitespace() || b == b'#' || b == b'\\' || b == b'&');
            if confusing {
                return (
                    Some(Found {
                        rule: "ssrf.parser_confusion",
                        reason: Cow::Borrowed(
                            "URL authority with several `@` or with whitespace, `#`, `\\` or `&` \
                             before its `@`: URL parsers disagree on its host",
                        ),
                        start: a,
                        end,
                    }),
                    end,
                );
            }
        }
        (None, end)
    }

    /// Judges one authority piece (`host[:port]`, possibly with junk after
    /// the host) that starts at `at` in the value.
    fn piece(&self, piece: &[u8], at: usize, ctx: Ctx, part: Part, network: bool) -> Option<Found> {
        let skip = piece
            .iter()
            .take_while(|&&b| b == b'/' || b == b'\\')
            .count();
        let p = piece.get(skip..).unwrap_or_default();
        let start = at + skip;
        if p.first() == Some(&b'[') {
            let close = p.iter().position(|&b| b == b']')?;
            let inner = p.get(1..close).unwrap_or_default();
            return self.judge_v6_literal(inner, start, start + close + 1, ctx, part);
        }
        // An unbracketed IPv6 address (`http://2001:db8::1/`).
        let v6len = p
            .iter()
            .take_while(|&&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            .count();
        let v6 = p.get(..v6len).unwrap_or_default();
        if v6.iter().filter(|&&b| b == b':').count() >= 2 && parse_v6(v6).is_some() {
            return self.judge_v6_literal(v6, start, start + v6len, ctx, part);
        }
        let len = p.iter().take_while(|&&b| is_host_char(b)).count();
        let token = p.get(..len).unwrap_or_default();
        if token.is_empty() {
            return None;
        }
        // Whether the host ends where an authority can end: a name followed
        // by `%`, `<` or `'` is a fragment of something else.
        let after = p.get(len..).unwrap_or_default();
        let clean = match after.first() {
            None | Some(b'#' | b'\\') => true,
            Some(b':') => after.get(1).is_some_and(u8::is_ascii_digit),
            _ => false,
        };
        let network = network && clean;
        self.judge_token(token, start, start + len, ctx, part, network)
    }

    /// Judges a host token (ASCII or UTF-8).
    fn judge_token(
        &self,
        token: &[u8],
        start: usize,
        end: usize,
        ctx: Ctx,
        part: Part,
        network: bool,
    ) -> Option<Found> {
        if token.len() > MAX_HOST {
            return None;
        }
        let (host, folded) = fold_host(token)?;
        // One trailing dot is the FQDN form of the same name.
        let host = host.strip_suffix(b".").unwrap_or(&host);
        if host.is_empty() {
            return None;
        }
        let mut f = self.judge_host(host, start, end, ctx, part, network)?;
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
    fn judge_host(
        &self,
        host: &[u8],
        start: usize,
        end: usize,
        ctx: Ctx,
        part: Part,
        network: bool,
    ) -> Option<Found> {
        if self.whitelisted(host) {
            return None;
        }
        let found = |rule, reason: Cow<'static, str>| {
            Some(Found {
                rule,
                reason,
                start,
                end,
            })
        };
        let url = matches!(ctx, Ctx::Anchored | Ctx::Embedded);
        // IPv4 in any notation.
        if let Some(p) = parse_v4(host) {
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
                return found("ssrf.metadata", reason);
            }
            if !p.canonical {
                if !url {
                    return None; // a number or a version, not a host
                }
                let internal = self.blacklisted(ip);
                if internal || network {
                    let what = describe_v4(p.addr);
                    return found(
                        "ssrf.obfuscated_ip",
                        Cow::Owned(format!(
                            "IPv4 address in {} notation ({}.{}.{}.{}, {what})",
                            p.notation(),
                            p.addr >> 24,
                            (p.addr >> 16) & 0xff,
                            (p.addr >> 8) & 0xff,
                            p.addr & 0xff
                        )),
                    );
                }
                return None;
            }
            if ctx == Ctx::Embedded || !self.blacklisted(ip) {
                return None;
            }
            if ctx == Ctx::BareNaked && !is_host_local_v4(p.addr) {
                return None;
            }
            return found(
                "ssrf.internal_address",
                Cow::Owned(format!("{} in the blocked ranges", describe_v4(p.addr))),
            );
        }
        let name = host;
        // Single-label metadata names (`metadata`) are ordinary words when
        // they stand alone.
        if METADATA_NAMES.iter().any(|m| m.as_bytes() == name)
            && (ctx != Ctx::BareNaked || name.contains(&b'.'))
        {
            return found(
                "ssrf.metadata",
                Cow::Borrowed("cloud metadata service name"),
            );
        }
        if ctx == Ctx::Embedded {
            return None;
        }
        if let Some(addr) = embedded_v4(name) {
            if self.blacklisted(Ip::V4(addr)) || METADATA_V4.contains(&addr) {
                return found(
                    "ssrf.ip_in_hostname",
                    Cow::Owned(format!(
                        "host name embeds the {} {}.{}.{}.{} (wildcard DNS resolves it there)",
                        describe_v4(addr),
                        addr >> 24,
                        (addr >> 16) & 0xff,
                        (addr >> 8) & 0xff,
                        addr & 0xff
                    )),
                );
            }
        }
        if self
            .attack_domains
            .iter()
            .any(|d| under(name, d.as_bytes()))
        {
            return found(
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
            return found("ssrf.internal_name", Cow::Borrowed("local host name"));
        }
        if ctx == Ctx::BareNaked || part == Part::Userinfo {
            return None;
        }
        if self
            .internal_domains
            .iter()
            .any(|d| under(name, d.as_bytes()))
        {
            return found(
                "ssrf.internal_name",
                Cow::Borrowed("host name in a private-network domain"),
            );
        }
        if ctx == Ctx::Anchored
            && network
            && !name.contains(&b'.')
            && name.iter().any(|b| b.is_ascii_alphabetic())
        {
            return found(
                "ssrf.internal_name",
                Cow::Borrowed(
                    "single-label host name (resolves only through local search domains)",
                ),
            );
        }
        None
    }

    /// Judges the inside of `[...]`.
    fn judge_v6_literal(
        &self,
        inner: &[u8],
        start: usize,
        end: usize,
        ctx: Ctx,
        part: Part,
    ) -> Option<Found> {
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
        let found = |rule, reason: Cow<'static, str>| {
            Some(Found {
                rule,
                reason,
                start,
                end,
            })
        };
        let url = matches!(ctx, Ctx::Anchored | Ctx::Embedded);
        if METADATA_V6.contains(&a) {
            return found(
                "ssrf.metadata",
                Cow::Borrowed("cloud metadata service address"),
            );
        }
        if let Some((v4, kind)) = v6_embedded_v4(a) {
            if METADATA_V4.contains(&v4) {
                return found(
                    "ssrf.metadata",
                    Cow::Borrowed("cloud metadata service address inside an IPv6 address"),
                );
            }
            if kind == V6Embed::Mapped && url {
                return found(
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
                return found(
                    "ssrf.internal_address",
                    Cow::Owned(format!("IPv6 address carrying the {}", describe_v4(v4))),
                );
            }
            return None;
        }
        if ctx == Ctx::Embedded || part == Part::Userinfo && !url {
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
        found(
            "ssrf.internal_address",
            Cow::Owned(format!("{what} in the blocked ranges")),
        )
    }

    /// Judges a value that is a bare `host[:port][/path]`.
    fn scan_bare(&self, v: &[u8]) -> Option<Found> {
        let lead = v.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let trail = v
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let t = v.get(lead..v.len().saturating_sub(trail))?;
        if t.is_empty() || t.len() > MAX_BARE {
            return None;
        }
        let first = *t.first()?;
        // Fast path: every reading below needs `first` to be `[` (a
        // bracketed address), a character of an unbracketed IPv6 address
        // (hex digit, `:`, `.`, `%`) or a host character that can start a
        // name (alphanumeric, non-ASCII); anything else (`$.a[0]`, `-x`)
        // ends in `None` whatever follows.
        if !(first.is_ascii_alphanumeric()
            || first >= 0x80
            || matches!(first, b'[' | b':' | b'.' | b'%'))
        {
            return None;
        }
        // One pass for the tests that read the whole value: blanks, `@` and
        // control bytes reject it; the rest decides whether it can be an
        // unbracketed IPv6 address.
        let mut colons = 0usize;
        let mut v6_chars = true;
        let mut hex = false;
        for &b in t {
            if b.is_ascii_whitespace() || b == b'@' || b < 0x20 {
                return None;
            }
            colons += usize::from(b == b':');
            v6_chars &= b.is_ascii_hexdigit() || b == b':' || b == b'.' || b == b'%';
            hex |= b.is_ascii_hexdigit();
        }
        if first == b'[' {
            let close = t.iter().position(|&b| b == b']')?;
            let after = t.get(close + 1..).unwrap_or_default();
            let ctx = bare_ctx(after)?;
            let inner = t.get(1..close).unwrap_or_default();
            return self.judge_v6_literal(inner, lead, lead + close + 1, ctx, Part::Host);
        }
        // An unbracketed IPv6 address: the whole value.
        if colons >= 2 && v6_chars && hex {
            return self.judge_v6_literal(t, lead, lead + t.len(), Ctx::BareNaked, Part::Host);
        }
        if !(first.is_ascii_alphanumeric() || first >= 0x80) {
            return None;
        }
        let len = t.iter().take_while(|&&b| is_host_char(b)).count();
        let token = t.get(..len)?;
        let ctx = bare_ctx(t.get(len..).unwrap_or_default())?;
        // Without a scheme only a dotted quad counts as an address.
        if token.iter().all(|&b| b.is_ascii_digit() || b == b'.')
            && token.iter().filter(|&&b| b == b'.').count() != 3
        {
            return None;
        }
        // Cheap reject: a lone name must be dotted, a single label with a
        // port or path must be a local or metadata name.
        if token.is_ascii() && !token.contains(&b'.') {
            const LABELS: [&[u8]; 6] = [
                b"localhost",
                b"ip6-",
                b"ipv6-",
                b"metadata",
                b"instance-data",
                b"rancher-metadata",
            ];
            let named = LABELS.iter().any(|l| {
                token
                    .get(..l.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(l))
            });
            if ctx == Ctx::BareNaked || !named {
                return None;
            }
        }
        self.judge_token(token, lead, lead + len, ctx, Part::Host, true)
    }
}

/// What follows a bare host decides how it is read: nothing (a lone
/// name), a port or path (an address), or something else (not a host).
fn bare_ctx(after: &[u8]) -> Option<Ctx> {
    // `10.0.0.0/8` is CIDR notation, not a path.
    if let Some(bits) = after.strip_prefix(b"/") {
        if !bits.is_empty() && bits.len() <= 3 && bits.iter().all(u8::is_ascii_digit) {
            return Some(Ctx::BareNaked);
        }
    }
    match after.first() {
        None => Some(Ctx::BareNaked),
        Some(b':') if after.len() > 1 => Some(Ctx::BareAddr),
        Some(b'/' | b'?' | b'#') => Some(Ctx::BareAddr),
        _ => None,
    }
}

/// What may follow `scheme:` for the scheme to be used as a URL: a slash,
/// a backslash, or a nested URL (`jar:http://…`).
fn dangerous_tail(rest: &[u8]) -> bool {
    match rest.first() {
        Some(b'/' | b'\\') => true,
        Some(b) if b.is_ascii_alphabetic() => {
            let n = rest.iter().take_while(|&&b| is_scheme_char(b)).count();
            n < 32 && rest.get(n) == Some(&b':')
        }
        _ => false,
    }
}

fn is_scheme_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.' || b == b'_'
}

fn is_host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' || b >= 0x80
}

/// Lowercases ASCII `s` into `buf`; `""` when it does not fit or is not a
/// scheme.
fn lower_into<'b>(s: &[u8], buf: &'b mut [u8; 32]) -> &'b str {
    if s.len() > buf.len() {
        return "";
    }
    for (d, &c) in buf.iter_mut().zip(s) {
        *d = c.to_ascii_lowercase();
    }
    std::str::from_utf8(buf.get(..s.len()).unwrap_or_default()).unwrap_or("")
}

/// Lowercases ASCII `s` into `buf`.
fn lower_bytes<'b>(s: &[u8], buf: &'b mut [u8; 64]) -> Option<&'b [u8]> {
    if s.len() > buf.len() || !s.is_ascii() {
        return None;
    }
    for (d, &c) in buf.iter_mut().zip(s) {
        *d = c.to_ascii_lowercase();
    }
    buf.get(..s.len())
}

/// Lowercases a host and folds the Unicode characters that IDNA mapping
/// (UTS #46) turns into ASCII digits, letters and dots: fullwidth forms,
/// ideographic full stops, circled and parenthesised digits and letters,
/// super/subscript digits. Returns the folded host and whether anything
/// non-ASCII was folded. Borrows lowercase ASCII hosts. `None` when the host
/// is not UTF-8.
fn fold_host(token: &[u8]) -> Option<(Cow<'_, [u8]>, bool)> {
    if token.is_ascii() {
        if !token.iter().any(u8::is_ascii_uppercase) {
            return Some((Cow::Borrowed(token), false));
        }
        return Some((Cow::Owned(token.to_ascii_lowercase()), false));
    }
    let mut out: Vec<u8> = Vec::with_capacity(token.len());
    let mut push = |b: u8| -> Option<()> {
        out.push(b);
        Some(())
    };
    let s = std::str::from_utf8(token).ok()?;
    let mut folded = false;
    for c in s.chars() {
        if c.is_ascii() {
            push((c as u8).to_ascii_lowercase())?;
            continue;
        }
        let cp = c as u32;
        let digits = |k: u32| -> (u32, u32) {
            // A number 0-20 as one or two digits.
            if k >= 10 {
                (k / 10, k % 10)
            } else {
                (u32::MAX, k)
            }
        };
        let mut out: [u32; 3] = [u32::MAX; 3];
        match cp {
            0xFF01..=0xFF5E => out[0] = cp - 0xFEE0,
            0x3002 | 0xFF61 => out[0] = u32::from(b'.'),
            0x2460..=0x2473 => {
                let (a, b) = digits(cp - 0x2460 + 1);
                out = [a, b, u32::MAX];
            }
            0x2474..=0x2487 => {
                let (a, b) = digits(cp - 0x2474 + 1);
                out = [a, b, u32::MAX];
            }
            0x2488..=0x249B => {
                let (a, b) = digits(cp - 0x2488 + 1);
                out = [a, b, u32::from(b'.')];
            }
            0x24EA | 0x24FF | 0x2070 | 0x2080 | 0x1F100 => out[0] = u32::from(b'0'),
            0x2776..=0x277F => {
                let (a, b) = digits(cp - 0x2776 + 1);
                out = [a, b, u32::MAX];
            }
            0x2780..=0x2789 => {
                let (a, b) = digits(cp - 0x2780 + 1);
                out = [a, b, u32::MAX];
            }
            0x278A..=0x2793 => {
                let (a, b) = digits(cp - 0x278A + 1);
                out = [a, b, u32::MAX];
            }
            0x24F5..=0x24FE => {
                let (a, b) = digits(cp - 0x24F5 + 1);
                out = [a, b, u32::MAX];
            }
            0x24EB..=0x24F4 => {
                let (a, b) = digits(cp - 0x24EB + 11);
                out = [a, b, u32::MAX];
            }
            0x00B9 => out[0] = u32::from(b'1'),
            0x00B2 => out[0] = u32::from(b'2'),
            0x00B3 => out[0] = u32::from(b'3'),
            0x2074..=0x2079 => out[0] = u32::from(b'0') + cp - 0x2070,
            0x2081..=0x2089 => out[0] = u32::from(b'0') + cp - 0x2080,
            0x1D7CE..=0x1D7FF => out[0] = u32::from(b'0') + (cp - 0x1D7CE) % 10,
            0x24B6..=0x24CF => out[0] = u32::from(b'a') + cp - 0x24B6,
            0x24D0..=0x24E9 => out[0] = u32::from(b'a') + cp - 0x24D0,
            0x1F110..=0x1F129 => out[0] = u32::from(b'a') + cp - 0x1F110,
            0x1F130..=0x1F149 => out[0] = u32::from(b'a') + cp - 0x1F130,
            0x1F150..=0x1F169 => out[0] = u32::from(b'a') + cp - 0x1F150,
            0x1F170..=0x1F189 => out[0] = u32::from(b'a') + cp - 0x1F170,
            _ => {
                // Anything else stays as it is (an IDN label).
                let mut tmp = [0u8; 4];
                for &b in c.encode_utf8(&mut tmp).as_bytes() {
                    push(b)?;
                }
                continue;
            }
        }
        folded = true;
        for o in out {
            if o == u32::MAX {
                continue;
            }
            // Digit values 0-9 from `digits` become ASCII digits.
            let b = if o < 10 { b'0' + o as u8 } else { o as u8 };
            push(b.to_ascii_lowercase())?;
        }
    }
    Some((Cow::Owned(out), folded))
}

/// An IPv4 address parsed the way URL parsers and `inet_aton` do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct V4 {
    addr: u32,
    /// Four decimal parts without leading zeros, each at most 255.
    canonical: bool,
    parts: u8,
    hex: bool,
    octal: bool,
    /// A part was too large and was wrapped as lenient parsers do.
    overflow: bool,
}

impl V4 {
    fn notation(&self) -> &'static str {
        if self.overflow {
            "overflowing"
        } else if self.parts == 1 {
            if self.hex {
                "hexadecimal integer"
            } else if self.octal {
                "octal integer"
            } else {
                "decimal integer"
            }
        } else if self.hex {
            "hexadecimal"
        } else if self.octal {
            "octal"
        } else if self.parts < 4 {
            "shortened"
        } else {
            "non-canonical"
        }
    }
}

/// Parses an IPv4 address in any notation URL parsers accept: 1-4 parts,
/// each decimal, `0x` hex or `0`-prefixed octal (also `0o`), the last part
/// filling the remaining bytes. Too-large parts are wrapped (some parsers
/// do) and reported as overflow. `None` when a part is not a number.
fn parse_v4(host: &[u8]) -> Option<V4> {
    let host = host.strip_suffix(b".").unwrap_or(host);
    if host.is_empty() || host.len() > 128 {
        return None;
    }
    let mut vals = [0u64; 4];
    let mut n = 0usize;
    let mut canonical = true;
    let mut hex = false;
    let mut octal = false;
    let mut overflow = false;
    for part in host.split(|&b| b == b'.') {
        let slot = vals.get_mut(n)?;
        n += 1;
        let (digits, radix) = if let Some(h) = part
            .strip_prefix(b"0x")
            .or_else(|| part.strip_prefix(b"0X"))
        {
            hex = true;
            (h, 16u64)
        } else if let Some(o) = part
            .strip_prefix(b"0o")
            .or_else(|| part.strip_prefix(b"0O"))
        {
            octal = true;
            (o, 8)
        } else if part.len() > 1 && part.first() == Some(&b'0') {
            octal = true;
            (part.get(1..).unwrap_or_default(), 8)
        } else if part.is_empty() {
            return None;
        } else {
            (part, 10)
        };
        if radix != 10 {
            canonical = false;
        }
        let mut val: u64 = 0;
        let mut big = false;
        for &d in digits {
            let dv = match d {
                b'0'..=b'9' => u64::from(d - b'0'),
                b'a'..=b'f' => u64::from(d - b'a' + 10),
                b'A'..=b'F' => u64::from(d - b'A' + 10),
                _ => return None,
            };
            if dv >= radix {
                return None;
            }
            let next = val.checked_mul(radix).and_then(|x| x.checked_add(dv));
            val = match next {
                Some(x) => x,
                None => {
                    big = true;
                    val.wrapping_mul(radix).wrapping_add(dv)
                }
            };
        }
        if big || val > u64::from(u32::MAX) {
            overflow = true;
        }
        *slot = val;
    }
    if n == 0 {
        return None;
    }
    let mut addr: u32 = 0;
    for (k, &val) in vals.iter().take(n).enumerate() {
        if k + 1 < n {
            if val > 255 {
                overflow = true;
            }
            addr |= ((val & 0xff) as u32) << (8 * (3 - k));
        } else {
            let bits = 8 * (4 - k as u32);
            let limit: u64 = 1u64 << bits;
            if val >= limit {
                overflow = true;
            }
            addr |= (val & (limit - 1)) as u32;
        }
    }
    if n != 4 || overflow {
        canonical = false;
    }
    Some(V4 {
        addr,
        canonical,
        parts: n as u8,
        hex,
        octal,
        overflow,
    })
}

/// Strict dotted-decimal IPv4 (for configuration).
fn parse_dotted_strict(s: &[u8]) -> Option<u32> {
    let v = parse_v4(s)?;
    if v.canonical && !s.ends_with(b".") {
        Some(v.addr)
    } else {
        None
    }
}

/// Parses an IPv6 address (no brackets, no zone), with an optional
/// trailing dotted IPv4.
fn parse_v6(s: &[u8]) -> Option<u128> {
    if s.len() < 2 || s.len() > 64 {
        return None;
    }
    let mut head: [u16; 8] = [0; 8];
    let mut tail: [u16; 8] = [0; 8];
    let (mut nh, mut nt) = (0usize, 0usize);
    let (left, right) = match find2(s, b"::") {
        Some(p) => (s.get(..p)?, Some(s.get(p + 2..)?)),
        None => (s, None),
    };
    fn groups(part: &[u8], out: &mut [u16; 8], n: &mut usize, last_may_v4: bool) -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        let count = part.split(|&b| b == b':').count();
        for (k, g) in part.split(|&b| b == b':').enumerate() {
            if g.contains(&b'.') {
                if !(last_may_v4 && k + 1 == count) {
                    return None;
                }
                let v4 = parse_dotted_strict(g)?;
                *out.get_mut(*n)? = (v4 >> 16) as u16;
                *out.get_mut(*n + 1)? = (v4 & 0xffff) as u16;
                *n += 2;
                continue;
            }
            if g.is_empty() || g.len() > 4 {
                return None;
            }
            let mut val: u16 = 0;
            for &d in g {
                let dv = match d {
                    b'0'..=b'9' => d - b'0',
                    b'a'..=b'f' => d - b'a' + 10,
                    b'A'..=b'F' => d - b'A' + 10,
                    _ => return None,
                };
                val = (val << 4) | u16::from(dv);
            }
            *out.get_mut(*n)? = val;
            *n += 1;
        }
        Some(())
    }
    match right {
        None => {
            groups(left, &mut head, &mut nh, true)?;
            if nh != 8 {
                return None;
            }
        }
        Some(r) => {
            if find2(r, b"::").is_some() {
                return None;
            }
            groups(left, &mut head, &mut nh, false)?;
            groups(r, &mut tail, &mut nt, true)?;
            if nh + nt > 7 {
                return None;
            }
        }
    }
    let mut all: [u16; 8] = [0; 8];
    for (d, s) in all.iter_mut().zip(head.iter().take(nh)) {
        *d = *s;
    }
    for (k, s) in tail.iter().take(nt).enumerate() {
        if let Some(d) = all.get_mut(8 - nt + k) {
            *d = *s;
        }
    }
    Some(
        all.iter()
            .fold(0u128, |acc, &g| (acc << 16) | u128::from(g)),
    )
}

fn find2(s: &[u8], pat: &[u8; 2]) -> Option<usize> {
    s.windows(2).position(|w| w == pat)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum V6Embed {
    /// `::ffff:a.b.c.d` and `::a.b.c.d`: an IPv4 address in disguise.
    Mapped,
    /// NAT64 `64:ff9b::/96` and 6to4 `2002::/16`: real networking.
    Translated,
}

/// The IPv4 address carried by an IPv6 address, if any.
fn v6_embedded_v4(a: u128) -> Option<(u32, V6Embed)> {
    let low = (a & 0xffff_ffff) as u32;
    if a >> 32 == 0xffff {
        return Some((low, V6Embed::Mapped));
    }
    if a >> 32 == 0 && low > 1 {
        return Some((low, V6Embed::Mapped));
    }
    if a >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
        return Some((low, V6Embed::Translated));
    }
    if a >> 112 == 0x2002 {
        return Some((((a >> 80) & 0xffff_ffff) as u32, V6Embed::Translated));
    }
    None
}

/// 127/8, 0/8 and 169.254/16: addresses that can only mean "this machine"
/// or its link, flagged even as a lone value.
fn is_host_local_v4(a: u32) -> bool {
    a >> 24 == 127 || a >> 24 == 0 || a >> 16 == 0xA9FE
}

fn describe_v4(a: u32) -> &'static str {
    let o = a >> 24;
    match o {
        127 => "loopback address",
        0 => "unspecified (this-network) address",
        10 => "private address",
        172 if (a >> 20) & 0xf == 1 => "private address",
        192 if (a >> 16) & 0xff == 168 => "private address",
        169 if (a >> 16) & 0xff == 254 => "link-local address",
        100 if (a >> 22) & 0x3 == 1 => "carrier-grade NAT address",
        224..=239 => "multicast address",
        240..=255 => "reserved address",
        _ => "public address",
    }
}

fn describe_v6(a: u128) -> &'static str {
    if a == 1 {
        "loopback IPv6 address"
    } else if a == 0 {
        "unspecified IPv6 address"
    } else if a >> 118 == 0x3fa {
        "link-local IPv6 address"
    } else if a >> 121 == 0x7e {
        "unique-local IPv6 address"
    } else if a >> 120 == 0xff {
        "multicast IPv6 address"
    } else if a >> 125 != 1 {
        "IPv6 address outside global unicast"
    } else {
        "IPv6 address"
    }
}

/// The IPv4 carried by a host name that is not itself an IP: four consecutive
/// decimal labels (`127.0.0.1.nip.io`, `example.com.127.0.0.1`) or four
/// dash-separated numbers in one label (`127-0-0-1.sslip.io`,
/// `ip-10-0-0-1`). Returns the first such address.
fn embedded_v4(name: &[u8]) -> Option<u32> {
    let dec = |s: &[u8]| -> Option<u32> {
        if s.is_empty() || s.len() > 3 || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        if s.len() > 1 && s.first() == Some(&b'0') {
            return None;
        }
        let v = s
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
        (v <= 255).then_some(v)
    };
    // Dotted: a run of four decimal labels.
    let mut run: [u32; 4] = [0; 4];
    let mut len = 0usize;
    for label in name.split(|&b| b == b'.') {
        match dec(label) {
            Some(v) => {
                if len == 4 {
                    run.rotate_left(1);
                    len = 3;
                }
                if let Some(slot) = run.get_mut(len) {
                    *slot = v;
                }
                len += 1;
                if len == 4 {
                    return Some(run.iter().fold(0u32, |acc, &o| (acc << 8) | o));
                }
            }
            None => len = 0,
        }
    }
    // Dashed, inside one label.
    for label in name.split(|&b| b == b'.') {
        if label.iter().filter(|&&b| b == b'-').count() < 3 {
            continue;
        }
        let mut run: [u32; 4] = [0; 4];
        let mut len = 0usize;
        for part in label.split(|&b| b == b'-') {
            match dec(part) {
                Some(v) => {
                    if len == 4 {
                        run.rotate_left(1);
                        len = 3;
                    }
                    if let Some(slot) = run.get_mut(len) {
                        *slot = v;
                    }
                    len += 1;
                    if len == 4 {
                        return Some(run.iter().fold(0u32, |acc, &o| (acc << 8) | o));
                    }
                }
                None => len = 0,
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det() -> Ssrf {
        Ssrf::compile(&SsrfConfig::default(), "ssrf")
            .unwrap()
            .unwrap()
    }

    fn q() -> ValueCtx {
        ValueCtx::value(Surface::Query)
    }

    fn surface(s: &str) -> Surface {
        match s {
            "path" => Surface::Path,
            "query" => Surface::Query,
            "cookie" => Surface::Cookie,
            "header" => Surface::Header,
            "form" => Surface::Form,
            "json" => Surface::Json,
            "multipart" => Surface::Multipart,
            "xml" => Surface::Xml,
            "body" => Surface::Body,
            other => panic!("unknown surface {other}"),
        }
    }

    #[test]
    fn fixtures() {
        let d = det();
        let n = crate::engine::detect::fixtures::check(
            include_str!("../../../tests/fixtures/ssrf.jsonl"),
            false,
            |v, row| {
                let ctx = ValueCtx::value(surface(row["surface"].as_str().unwrap_or("query")));
                d.detect(v.as_bytes(), &ctx)
            },
        );
        assert!(n.detect + n.pass >= 60, "too few fixtures");
    }

    /// Runs every row of the shared corpora through the detector and prints
    /// per-class counts and the flagged rows of classes other than `ssrf`.
    /// `cargo test --release --lib ssrf::tests::corpus -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn corpus() {
        let d = det();
        let dir = std::path::Path::new("/work/shared/corpus");
        let mut counts: std::collections::BTreeMap<String, (u32, u32)> = Default::default();
        let mut shown = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let (Some(class), Some(value)) = (v["class"].as_str(), v["value"].as_str()) else {
                    continue;
                };
                let sub = v["subclass"].as_str().unwrap_or("");
                let key = format!("{class}/{sub}");
                let hit = d.detect(value.as_bytes(), &q());
                let e = counts.entry(key).or_default();
                e.0 += 1;
                e.1 += u32::from(hit.is_some());
                if let Some(h) = hit {
                    if class != "ssrf" && shown < 300 {
                        shown += 1;
                        println!("{class}: {:?} -> {} {}", value, h.rule, h.reason);
                    }
                } else if class == "ssrf" {
                    println!("MISS {sub}: {value:?}");
                }
            }
        }
        for (k, (n, f)) in counts {
            println!("{k:60} {n:6} {f:6}");
        }
    }

    /// Throughput over the benign corpus values.
    /// `cargo test --release --lib ssrf::tests::bench -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench() {
        let d = det();
        let text = ["httpparams", "libinjection", "gotestwaf_benign"]
            .map(|f| std::fs::read_to_string(format!("/work/shared/corpus/{f}.jsonl")).unwrap())
            .join("\n");
        let vals: Vec<String> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["class"] == "benign")
            .filter_map(|v| v["value"].as_str().map(str::to_string))
            .collect();
        let bytes: usize = vals.iter().map(String::len).sum();
        let rounds = 50;
        let t = std::time::Instant::now();
        let mut n = 0;
        for _ in 0..rounds {
            for v in &vals {
                n += usize::from(d.detect(v.as_bytes(), &q()).is_some());
            }
        }
        let el = t.elapsed().as_secs_f64();
        println!(
            "ssrf: {} values, {:.0} ns/value, {:.0} MB/s, flagged {n}",
            vals.len(),
            el * 1e9 / (rounds * vals.len()) as f64,
            (rounds * bytes) as f64 / el / 1e6
        );
        let mut slow: Vec<(u128, &String)> = vals
            .iter()
            .map(|v| {
                let t = std::time::Instant::now();
                for _ in 0..200 {
                    std::hint::black_box(d.detect(std::hint::black_box(v.as_bytes()), &q()));
                }
                (t.elapsed().as_nanos() / 200, v)
            })
            .collect();
        slow.sort();
        for (ns, v) in slow.iter().rev().take(8) {
            println!("slow {ns} ns {v:?}");
        }
        println!("median {} ns", slow[slow.len() / 2].0);
        let kept: Vec<u128> = slow.iter().map(|x| x.0).filter(|&ns| ns < 5000).collect();
        println!(
            "trimmed mean {} ns over {} values",
            kept.iter().sum::<u128>() / kept.len() as u128,
            kept.len()
        );
        // Inside the engine, with and without this detector, interleaved.
        let on = crate::engine::Engine::from_json(b"{}").unwrap();
        let off = crate::engine::Engine::from_json(br#"{"ssrf": {"action": "off"}}"#).unwrap();
        for round in 0..3 {
            for (label, e) in [("on", &on), ("off", &off)] {
                let t = std::time::Instant::now();
                for v in &vals {
                    std::hint::black_box(e.inspect_value(Surface::Query, v.as_bytes()));
                }
                println!(
                    "engine {label} round {round}: {:.0} ns/value",
                    t.elapsed().as_secs_f64() * 1e9 / vals.len() as f64
                );
            }
        }
        for probe in [
            "40184",
            "c/ caridad s/n",
            "tufts3@joll.rs",
            "campello, el",
            "1.5",
        ] {
            let t = std::time::Instant::now();
            for _ in 0..1_000_000 {
                assert!(d
                    .detect(std::hint::black_box(probe.as_bytes()), &q())
                    .is_none());
            }
            println!("{probe:?}: {:.0} ns", t.elapsed().as_secs_f64() * 1e3);
        }
        let big: Vec<u8> = b"lorem ipsum dolor sit amet, consectetur 12.5 adipiscing "
            .iter()
            .copied()
            .cycle()
            .take(1 << 20)
            .collect();
        let t = std::time::Instant::now();
        for _ in 0..20 {
            assert!(d.detect(&big, &q()).is_none());
        }
        println!(
            "ssrf 1 MiB prose: {:.0} MB/s",
            20.0 / t.elapsed().as_secs_f64()
        );
    }

    /// Deterministic pseudo-random inputs built from the bytes that matter
    /// to the lexer: no input may panic (debug builds check overflow too).
    fn fuzz_inputs(alphabet: &[&[u8]], count: usize) -> Vec<Vec<u8>> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let len = (next() % 24) as usize;
                let mut v = Vec::new();
                for _ in 0..len {
                    let piece = alphabet[(next() % alphabet.len() as u64) as usize];
                    v.extend_from_slice(piece);
                }
                v
            })
            .collect()
    }

    #[test]
    fn fuzz_no_panic() {
        let d = det();
        let alphabet: &[&[u8]] = &[
            b"http",
            b"://",
            b":",
            b"/",
            b"\\",
            b"@",
            b"[",
            b"]",
            b".",
            b"0x",
            b"0",
            b"1",
            b"255",
            b"4294967296",
            b"ffff",
            b"::",
            b"%",
            b"#",
            b"?",
            b"=",
            b" ",
            b"localhost",
            b"nip.io",
            b"\xe2\x91\xa0",
            b"\xef\xbd\x8e",
            b"\xff",
            b"a",
            b"-",
            b"file",
            b"jar:",
        ];
        for v in fuzz_inputs(alphabet, 30_000) {
            for s in [Surface::Query, Surface::Path, Surface::Json] {
                let _ = d.detect(&v, &ValueCtx::value(s));
            }
        }
    }

    #[test]
    fn through_the_engine() {
        use crate::engine::{Engine, RequestHead};
        let e = Engine::from_json(b"{}").unwrap();
        let mut tx = e.begin(RequestHead::new(
            "GET",
            "/fetch?url=http%3A%2F%2F169.254.169.254%2Flatest%2F",
            vec![],
        ));
        assert!(tx.on_headers(true).is_block());
        let f = &tx.findings()[0];
        assert_eq!(
            (f.rule.as_str(), f.location.as_str()),
            ("ssrf.metadata", "query:url")
        );
        assert_eq!(f.evidence, "169.254.169.254");
        let mut tx = e.begin(RequestHead::new(
            "GET",
            "/page?q=hello",
            vec![("referer".into(), b"http://localhost:3000/page".to_vec())],
        ));
        assert!(!tx.on_headers(true).is_block());
        assert!(tx.findings().is_empty());
    }

    #[test]
    fn ipv4_notations() {
        let p = |s: &str| parse_v4(s.as_bytes()).map(|v| (v.addr, v.canonical, v.overflow));
        assert_eq!(p("127.0.0.1"), Some((0x7f000001, true, false)));
        assert_eq!(p("2130706433"), Some((0x7f000001, false, false)));
        assert_eq!(p("0x7f000001"), Some((0x7f000001, false, false)));
        assert_eq!(p("0177.0.0.1"), Some((0x7f000001, false, false)));
        assert_eq!(p("127.1"), Some((0x7f000001, false, false)));
        assert_eq!(p("0x7f.1"), Some((0x7f000001, false, false)));
        assert_eq!(p("017700000001"), Some((0x7f000001, false, false)));
        assert_eq!(p("169.254.43518"), Some((0xA9FEA9FE, false, false)));
        assert_eq!(p("7147006462"), Some((0xA9FEA9FE, false, true)));
        assert_eq!(p("0x41414141A9FEA9FE"), Some((0xA9FEA9FE, false, true)));
        assert_eq!(p("425.510.425.510"), Some((0xA9FEA9FE, false, true)));
        assert_eq!(p("0"), Some((0, false, false)));
        assert_eq!(p("08.1.1.1"), None);
        assert_eq!(p("1.2.3.4.5"), None);
        assert_eq!(p("example.com"), None);
        assert_eq!(p("1..2"), None);
    }

    #[test]
    fn ipv6_parsing() {
        assert_eq!(parse_v6(b"::1"), Some(1));
        assert_eq!(parse_v6(b"::"), Some(0));
        assert_eq!(parse_v6(b"::ffff:127.0.0.1"), Some(0xffff_7f00_0001));
        assert_eq!(parse_v6(b"::ffff:a9fe:a9fe"), Some(0xffff_a9fe_a9fe));
        assert_eq!(parse_v6(b"0:0:0:0:0:0:0:1"), Some(1));
        assert_eq!(
            parse_v6(b"fd00:ec2::254"),
            Some(0xfd00_0ec2_0000_0000_0000_0000_0000_0254)
        );
        assert_eq!(parse_v6(b"1::2::3"), None);
        assert_eq!(parse_v6(b"1:2:3:4:5:6:7"), None);
        assert_eq!(parse_v6(b"12345::"), None);
        assert_eq!(parse_v6(b"::1.2.3"), None);
    }

    #[test]
    fn config_loader_reports_the_entry() {
        use crate::engine::config::Config;
        let e = Config::from_json(
            br#"{"ssrf": {"blacklist": ["10.0.0.0/8", "::1", "fe80::/10", "300.0.0.0/8"]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field(), "ssrf.blacklist[3]");
        let e = Config::from_json(br#"{"file_upload": {"blacklist": ["", ".php"]}}"#).unwrap_err();
        assert_eq!(e.field(), "file_upload.blacklist[0]");
        let e = Config::from_json(br#"{"xxe": {"allowed_dtds": ["w3.org"]}}"#).unwrap_err();
        assert_eq!(e.field(), "xxe.allowed_dtds[0]");
        assert!(
            Config::from_json(br#"{"ssrf": {"targets": ["headers"], "bare_hosts": false}}"#)
                .is_ok()
        );
    }

    #[test]
    fn config_errors_name_the_entry() {
        let mut cfg = SsrfConfig::default();
        cfg.blacklist.push("10.0.0.0/33".into());
        let e = Ssrf::compile(&cfg, "ssrf").unwrap_err();
        assert_eq!(e.field(), "ssrf.blacklist[14]");
        assert!(e.message().contains("cidr"), "{e}");
        let cfg = SsrfConfig {
            blacklist: vec!["10.0.0.0/8".into(), "banana".into()],
            ..Default::default()
        };
        assert_eq!(
            Ssrf::compile(&cfg, "ssrf").unwrap_err().field(),
            "ssrf.blacklist[1]"
        );
        let cfg = SsrfConfig {
            whitelist: vec!["ok.com".into(), "a b".into()],
            ..Default::default()
        };
        assert_eq!(
            Ssrf::compile(&cfg, "ssrf").unwrap_err().field(),
            "ssrf.whitelist[1]"
        );
        let cfg = SsrfConfig {
            schemes: vec!["1http".into()],
            ..Default::default()
        };
        assert_eq!(
            Ssrf::compile(&cfg, "ssrf").unwrap_err().field(),
            "ssrf.schemes[0]"
        );
        let cfg = SsrfConfig {
            action: Action::Off,
            ..Default::default()
        };
        assert!(Ssrf::compile(&cfg, "ssrf").unwrap().is_none());
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("172.16.0.0/12").unwrap();
        assert!(c.contains(Ip::V4(0xAC1F_0001)));
        assert!(!c.contains(Ip::V4(0xAC20_0001)));
        let c = Cidr::parse("fe80::/10").unwrap();
        assert!(c.contains(Ip::V6(0xfe80 << 112 | 5)));
        assert!(!c.contains(Ip::V4(1)));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains(Ip::V4(0x08080808)));
        assert!(Cidr::parse("::/0").unwrap().contains(Ip::V6(u128::MAX)));
        assert_eq!(Cidr::parse("10.0.0.1").unwrap().prefix, 32);
        assert!(Cidr::parse("10.0.0.0/-1").is_err());
        assert!(Cidr::parse("0x7f.1/8").is_err());
    }

    #[test]
    fn custom_config() {
        let cfg: SsrfConfig = serde_json::from_str(
            r#"{"blacklist": ["10.0.0.0/8"], "whitelist": ["*.corp.example", "localhost"],
                "targets": ["query", "headers"], "bare_hosts": false}"#,
        )
        .unwrap();
        let d = Ssrf::compile(&cfg, "ssrf").unwrap().unwrap();
        assert!(d.detect(b"http://127.0.0.1/", &q()).is_none());
        assert!(d.detect(b"http://10.1.2.3/", &q()).is_some());
        assert!(d.detect(b"http://localhost:8080/cb", &q()).is_none());
        assert!(d.detect(b"http://a.corp.example/", &q()).is_none());
        assert!(d.detect(b"10.1.2.3:80", &q()).is_none());
        let h = ValueCtx::value(Surface::Header);
        assert!(d.detect(b"http://10.1.2.3/", &h).is_some());
        let b = ValueCtx::value(Surface::Json);
        assert!(d.detect(b"http://10.1.2.3/", &b).is_none());
    }

    #[test]
    fn spans_point_at_the_host() {
        let d = det();
        let v = b"url=http://0x7f000001:80/x";
        let h = d.detect(v, &q()).unwrap();
        assert_eq!(&v[h.start..h.end], b"0x7f000001");
        let v = b"gopher://x/";
        let h = d.detect(v, &q()).unwrap();
        assert_eq!(&v[h.start..h.end], b"gopher:");
    }

    #[test]
    fn adversarial_inputs_are_linear() {
        let d = det();
        for unit in [
            &b"http:"[..],
            b"a://",
            b"::::",
            b"http:a@",
            b"@@@@",
            b"1.",
            b"[::",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let t = std::time::Instant::now();
            let _ = d.detect(&v, &q());
            assert!(
                t.elapsed().as_millis() < 2000,
                "{:?}",
                String::from_utf8_lossy(unit)
            );
        }
    }
}
