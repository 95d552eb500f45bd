//! Attack-tool signatures: scanners and exploit tools that announce
//! themselves in `User-Agent` or send headers of their own.
//!
//! Most tools keep their default identity (sqlmap, nikto, nuclei, wpscan,
//! the nmap scripting engine, masscan, zgrab, dirbuster, gobuster, …): a
//! request that carries it is reconnaissance, whatever its parameters hold.
//! Tools configured to look like a browser pass this detector; the injection
//! detectors still read what they send.
//!
//! | rule | structure |
//! |---|---|
//! | `scanner.user_agent` | a `user_agents` signature as a word of the `User-Agent` value |
//! | `scanner.header` | a request header named in `headers` (`Acunetix-Aspect`, WebInspect's `X-Scan-Memo`, …) |
//!
//! A signature matches case-insensitively where a word starts (the byte
//! before it is not a letter or digit) and where a word ends (the byte after
//! it is not a letter): `sqlmap/1.8`, `(Nikto/2.5.0)`, `Mozilla/5.0 zgrab/0.x`
//! match; `nucleic-acids-browser` does not. Generic clients (`curl`,
//! `python-requests`, `Go-http-client`, `Wget`) and crawlers (`Googlebot`,
//! "bot" in general) are not signatures: APIs and monitoring use them every
//! day.
//!
//! Cost: one pass over the `User-Agent` value; a word start is compared
//! with signatures only when some signature begins with its first two
//! bytes (one bit test), and then only with those that share its first
//! letter. Other headers cost a name comparison per listed header.
//!
//! ```
//! use envoy_rasp::engine::detect::scanner::{Scanner, ScannerConfig};
//!
//! let d = Scanner::compile(&ScannerConfig::default(), "scanner").unwrap().unwrap();
//! let ua = b"sqlmap/1.8.2#stable (https://sqlmap.org)";
//! assert_eq!(d.detect_header(b"user-agent", ua).unwrap().rule, "scanner.user_agent");
//! assert_eq!(d.detect_header(b"acunetix-aspect", b"enabled").unwrap().rule, "scanner.header");
//! assert!(d.detect_header(b"user-agent", b"python-requests/2.31.0").is_none());
//! assert!(d.detect_header(b"referer", ua).is_none()); // only User-Agent is read for signatures
//! ```

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::Hit;
use crate::engine::bytes::starts_ci as starts_with_fold;
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Configuration section `scanner`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Signatures (case-insensitive, matched as words) of attack tools in
    /// the `User-Agent` value. This list replaces the default; `[]` turns
    /// user-agent matching off. Default: sqlmap, nikto, nuclei and the other
    /// ProjectDiscovery tools (`projectdiscovery`), acunetix, netsparker,
    /// wpscan, `nmap scripting engine`, masscan, zgrab, dirbuster, gobuster,
    /// feroxbuster, `fuzz faster u fool` (ffuf), wfuzz, dirsearch, nessus,
    /// openvas, arachni, w3af, havij, sqlninja, `sql power injector`,
    /// commix, webinspect, paros, wapiti, skipfish, whatweb, jorgee, zmeu,
    /// `morfeus fucking scanner`, dotdotpwn, fimap, `grendel-scan`,
    /// `l9explore`, `bsqlbf`, `brutus`, `nsauditor`,
    /// `n-stealth`, `webshag`, `absinthe`.
    pub user_agents: Vec<String>,
    /// Request header names (case-insensitive) that only attack tools send;
    /// their presence is flagged. Default: Acunetix's `acunetix-aspect`,
    /// `acunetix-aspect-password`, `acunetix-aspect-queries`, Netsparker's
    /// `x-scanner`, WebInspect's `x-scan-memo`, `x-request-memo`,
    /// `x-requestmanager-memo`, `x-wipp`.
    pub headers: Vec<String>,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            action: Action::Block,
            sensitivity: None,
            user_agents: strings(&[
                "sqlmap",
                "nikto",
                "nuclei",
                "projectdiscovery",
                "acunetix",
                "netsparker",
                "wpscan",
                "nmap scripting engine",
                "masscan",
                "zgrab",
                "dirbuster",
                "gobuster",
                "feroxbuster",
                "fuzz faster u fool",
                "wfuzz",
                "dirsearch",
                "nessus",
                "openvas",
                "arachni",
                "w3af",
                "havij",
                "sqlninja",
                "sql power injector",
                "commix",
                "webinspect",
                "paros",
                "wapiti",
                "skipfish",
                "whatweb",
                "jorgee",
                "zmeu",
                "morfeus fucking scanner",
                "dotdotpwn",
                "fimap",
                "grendel-scan",
                "l9explore",
                "bsqlbf",
                "brutus",
                "nsauditor",
                "n-stealth",
                "webshag",
                "absinthe",
            ]),
            headers: strings(&[
                "acunetix-aspect",
                "acunetix-aspect-password",
                "acunetix-aspect-queries",
                "x-scanner",
                "x-scan-memo",
                "x-request-memo",
                "x-requestmanager-memo",
                "x-wipp",
            ]),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Scanner {
    action: Action,
    /// Lowercase signatures, sorted by first byte.
    user_agents: Vec<Vec<u8>>,
    /// Bit set of the signatures' first two bytes (see [`pair_index`]), so
    /// almost every word start of a browser's `User-Agent` is rejected by
    /// one test.
    pairs: [u64; PAIR_WORDS],
    /// Lowercase header names.
    headers: Vec<Vec<u8>>,
}

/// Longest accepted signature or header name.
const MAX_ENTRY: usize = 64;

/// Letters, digits and one class for every other byte.
const CLASSES: usize = 37;
const PAIR_WORDS: usize = (CLASSES * CLASSES).div_ceil(64);

fn class(b: u8) -> usize {
    match b.to_ascii_lowercase() {
        c @ b'a'..=b'z' => usize::from(c - b'a'),
        c @ b'0'..=b'9' => 26 + usize::from(c - b'0'),
        _ => 36,
    }
}

/// The bit of a two-byte prefix in [`Scanner::pairs`] (`b` is 0 at the end
/// of the value).
fn pair_index(a: u8, b: u8) -> usize {
    class(a) * CLASSES + class(b)
}

fn pair_set(set: &[u64; PAIR_WORDS], i: usize) -> bool {
    set.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

impl Scanner {
    /// Compiles the section; `None` when the action is `off`. Signatures
    /// must start with a letter or digit and be printable ASCII; header
    /// names must be header tokens.
    pub fn compile(cfg: &ScannerConfig, field: &str) -> Result<Option<Scanner>, ConfigError> {
        let mut user_agents = Vec::with_capacity(cfg.user_agents.len());
        for (i, s) in cfg.user_agents.iter().enumerate() {
            let s = s.trim().to_ascii_lowercase();
            let ok = (2..=MAX_ENTRY).contains(&s.len())
                && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                && s.bytes().all(|b| (0x20..0x7f).contains(&b));
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.user_agents[{i}]"),
                    format!(
                        "{s:?} must be 2-{MAX_ENTRY} printable ASCII characters starting with a letter or digit"
                    ),
                ));
            }
            user_agents.push(s.into_bytes());
        }
        user_agents.sort();
        let mut pairs = [0u64; PAIR_WORDS];
        for s in &user_agents {
            let i = pair_index(
                s.first().copied().unwrap_or(0),
                s.get(1).copied().unwrap_or(0),
            );
            if let Some(w) = pairs.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
        let mut headers = Vec::with_capacity(cfg.headers.len());
        for (i, h) in cfg.headers.iter().enumerate() {
            let ok = !h.is_empty()
                && h.len() <= MAX_ENTRY
                && h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c));
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.headers[{i}]"),
                    format!("not a valid header name: {h:?}"),
                ));
            }
            headers.push(h.to_ascii_lowercase().into_bytes());
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Scanner {
            action: cfg.action,
            user_agents,
            pairs,
            headers,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one request header (`name` in any case, `value` as
    /// received). The span covers the signature in the value, or the whole
    /// value for a tool header.
    pub fn detect_header(&self, name: &[u8], value: &[u8]) -> Option<Hit> {
        if name.eq_ignore_ascii_case(b"user-agent") {
            return self.user_agent(value).map(|(s, e)| {
                Hit::new(
                    "scanner.user_agent",
                    "User-Agent of an attack tool or vulnerability scanner",
                    s,
                    e,
                )
            });
        }
        if self.headers.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            return Some(Hit::new(
                "scanner.header",
                "request header sent by an attack tool or vulnerability scanner",
                0,
                value.len(),
            ));
        }
        None
    }

    /// The span of the first signature in a `User-Agent` value.
    fn user_agent(&self, v: &[u8]) -> Option<(usize, usize)> {
        let mut prev_alnum = false;
        for (i, &b) in v.iter().enumerate() {
            let alnum = b.is_ascii_alphanumeric();
            let next = v.get(i + 1).copied().unwrap_or(0);
            if alnum && !prev_alnum && pair_set(&self.pairs, pair_index(b, next)) {
                if let Some(end) = self.signature_at(v, i) {
                    return Some((i, end));
                }
            }
            prev_alnum = alnum;
        }
        None
    }

    /// The end of a signature that starts at `i` and ends a word.
    fn signature_at(&self, v: &[u8], i: usize) -> Option<usize> {
        let rest = v.get(i..)?;
        let lead = rest.first()?.to_ascii_lowercase();
        let from = self
            .user_agents
            .partition_point(|s| s.first() < Some(&lead));
        self.user_agents
            .get(from..)?
            .iter()
            .take_while(|s| s.first() == Some(&lead))
            .find(|s| {
                starts_with_fold(rest, s)
                    && !rest.get(s.len()).is_some_and(|b| b.is_ascii_alphabetic())
            })
            .map(|s| i + s.len())
    }
}

impl Detector for Scanner {
    type Config = ScannerConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Attack-tool signatures: scanners and exploit tools in `User-Agent` and tool-only headers."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("user_agents", "Signatures (case-insensitive, matched as words) of attack tools in the User-Agent: sqlmap, nikto, nuclei, acunetix, wpscan, `nmap scripting engine`, masscan, zgrab, dirbuster, gobuster, …. Replaces the default; `[]` turns user-agent matching off."),
        FieldNote::new("user_agents[]", "A signature, 2-64 printable ASCII characters starting with a letter or digit."),
        FieldNote::new("headers", "Request header names that only attack tools send (Acunetix-Aspect, WebInspect's X-Scan-Memo, …): their presence is flagged."),
        FieldNote::new("headers[]", "A header name."),
    ];

    fn compile(cfg: &ScannerConfig, at: &FieldPath) -> Result<Option<Scanner>, ConfigErrors> {
        Ok(Scanner::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Scanner::action(self)
    }

    /// Reads headers only (`detect_header`).
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::NEVER;
        NEEDS
    }

    const EVERY_HEADER: bool = true;

    fn detect_header(&self, name: &[u8], value: &[u8]) -> Option<Hit> {
        Scanner::detect_header(self, name, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det() -> Scanner {
        Scanner::compile(&ScannerConfig::default(), "scanner")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn spans_and_boundaries() {
        let d = det();
        let v = b"Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)";
        let (s, e) = d.user_agent(v).unwrap();
        assert_eq!(&v[s..e], b"Nikto");
        assert!(d.user_agent(b"xsqlmap").is_none());
        assert!(d.user_agent(b"sqlmapper").is_none());
        assert!(d.user_agent(b"sqlmap2").is_some(), "a digit may follow");
        assert!(d.user_agent(b"").is_none());
        assert!(d.detect_header(b"X-Scan-Memo", b"").is_some());
        assert!(d.detect_header(b"x-scanner-id", b"1").is_none());
    }

    #[test]
    fn configuration() {
        let cfg: ScannerConfig =
            serde_json::from_str(r#"{"user_agents": ["MyScanner", "evil tool"], "headers": []}"#)
                .unwrap();
        let d = Scanner::compile(&cfg, "scanner").unwrap().unwrap();
        assert!(d.detect_header(b"user-agent", b"myscanner/1.0").is_some());
        assert!(d
            .detect_header(b"user-agent", b"an Evil Tool run")
            .is_some());
        assert!(d.detect_header(b"user-agent", b"sqlmap/1.0").is_none());
        assert!(d.detect_header(b"acunetix-aspect", b"on").is_none());
        for (json, field) in [
            (r#"{"user_agents": [""]}"#, "scanner.user_agents[0]"),
            (r#"{"user_agents": ["x"]}"#, "scanner.user_agents[0]"),
            (r#"{"user_agents": ["ok", "-x"]}"#, "scanner.user_agents[1]"),
            (r#"{"headers": ["bad name"]}"#, "scanner.headers[0]"),
        ] {
            let cfg: ScannerConfig = serde_json::from_str(json).unwrap();
            assert_eq!(
                Scanner::compile(&cfg, "scanner").unwrap_err().field(),
                field
            );
        }
        let off: ScannerConfig = serde_json::from_str(r#"{"action": "off"}"#).unwrap();
        assert!(Scanner::compile(&off, "scanner").unwrap().is_none());
    }
}
