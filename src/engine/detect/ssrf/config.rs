//! The `ssrf` configuration section and its compiled, validated form.

use crate::engine::detect::detector::Detector;
use crate::engine::detect::hit::{Hit, ValueCtx};
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::cidr::Cidr;
use super::known::{is_scheme_char, MAX_HOST};
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;
use crate::engine::surface::Target;

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Configuration section `ssrf`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SsrfConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
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
    /// parser-confusion tricks are still flagged. Default empty: the
    /// reference design's `api.example.com` and `payment.provider.com` are
    /// its example's hosts (`examples/openrasp-reference.json`).
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
    /// Judge JSON and XML fields by where they sit and what they are
    /// called. Default true: a top-level field is judged like a parameter
    /// when its value is a URL, and a nested field only when its name says
    /// the server fetches it (`url` at the top level, `callback_url`,
    /// `imageUrl`, `webhook.endpoint`, `feeds[2].src`; see
    /// [`field`](crate::engine::detect::field)); other fields are data
    /// (error reports, traces and beacons describe the client's own
    /// `localhost`), where only what prose gets counts: metadata addresses
    /// and obfuscated IPs. A bare host needs such a name too. `false`:
    /// every field is judged like a query parameter.
    pub fields_by_name: bool,
}

impl Default for SsrfConfig {
    fn default() -> Self {
        SsrfConfig {
            action: Action::Block,
            sensitivity: None,
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
            whitelist: Vec::new(),
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
            fields_by_name: true,
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Ssrf {
    pub(super) action: Action,
    pub(super) blacklist: Vec<Cidr>,
    pub(super) whitelist: Vec<(bool, String)>,
    pub(super) schemes: Vec<String>,
    pub(super) internal_domains: Vec<String>,
    pub(super) attack_domains: Vec<String>,
    pub(super) targets: [bool; Target::ALL.len()],
    pub(super) bare_hosts: bool,
    pub(super) fields_by_name: bool,
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
        let mut targets = [false; Target::ALL.len()];
        for t in &cfg.targets {
            if let Some(slot) = targets.get_mut(t.index()) {
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
            fields_by_name: cfg.fields_by_name,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }
}
impl Detector for Ssrf {
    type Config = SsrfConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Server-side request forgery detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("blacklist", "Blocked address ranges (CIDR)."),
        FieldNote::new("blacklist[]", "An address range, e.g. `10.0.0.0/8`."),
        FieldNote::new("whitelist", "Hosts always allowed."),
        FieldNote::new("whitelist[]", "A host name."),
        FieldNote::new("schemes", "Dangerous URL schemes (case-insensitive), flagged in anchored URLs whatever the host (file, gopher, dict, ldap, ftp, jar, netdoc, php, phar, expect, …). Remove `ftp` if the application takes FTP links."),
        FieldNote::new("schemes[]", "A scheme name without `:`."),
        FieldNote::new("internal_domains", "Domains that only exist inside private networks (localhost, internal, local, home.arpa, lan, corp, svc, …): a name under one is flagged in URLs and bare hosts with a port or path."),
        FieldNote::new("internal_domains[]", "A domain."),
        FieldNote::new("attack_domains", "Domains that resolve to an address the requester chooses (nip.io, localtest.me, rebinding services) or record out-of-band interactions (Burp Collaborator, interactsh): flagged everywhere."),
        FieldNote::new("attack_domains[]", "A domain."),
        FieldNote::new("targets", "Request parts the SSRF detector reads. Default path, query, body (headers such as Referer and cookies carry internal URLs legitimately)."),
        FieldNote::new("targets[]", "`path`, `query`, `body`, `headers` or `cookies`."),
        FieldNote::new("bare_hosts", "Judge values that are a bare host[:port][/path] without a scheme. Turn off if users legitimately type `localhost` into forms."),
        FieldNote::new("fields_by_name", "Judge JSON/XML fields by depth and name: a top-level field whose value is a URL, and any field named for fetching (`url` at the top level, `callback_url`, `imageUrl`, `webhook.endpoint`, `feeds[].src`), are judged like parameters; other nested fields are data (error reports and traces name the client's own localhost), where only metadata addresses and obfuscated IPs count. `false`: every field like a parameter."),
    ];

    fn compile(cfg: &SsrfConfig, at: &FieldPath) -> Result<Option<Ssrf>, ConfigErrors> {
        Ok(Ssrf::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Ssrf::action(self)
    }

    /// URLs need `:` or a leading `//`; bare hosts a `.`, `:`, `[`, a
    /// byte ≥ 0x80 or a first letter `l`, `i`, `m` or `r`.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b".:[/").or_any(S::HIGH | S::letters(b"limr"));
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Ssrf::detect(self, value, ctx)
    }
}
