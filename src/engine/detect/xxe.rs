//! XML external entity detector.
//!
//! Reads a whole XML document (a request body, or XML found in a multipart
//! part) and looks for the markup that makes an XML parser reach outside the
//! document or blow up while expanding it. It is a single linear pass that
//! stops only at `<` and `&`, so a large document costs about as much as a
//! byte search; only declarations (`<!DOCTYPE`, `<!ENTITY`, …) are parsed.
//! Declarations are looked for everywhere, not only in the prolog: XML
//! nested inside CDATA sections or escaped as text (`&lt;!DOCTYPE …`) is how
//! XXE travels inside SOAP bodies and other envelopes. In escaped text only
//! external entities, parameter entities and external DTDs count (an escaped
//! `&lt;!ENTITY x "y"&gt;` is as often documentation as a probe). Comments
//! are skipped, but never past the end of a CDATA section.
//!
//! | rule | structure |
//! |---|---|
//! | `xxe.external_entity` | `<!ENTITY name SYSTEM "…">` / `PUBLIC "…" "…"` |
//! | `xxe.parameter_entity` | `<!ENTITY % name …>`: parameter entities exist to build DTDs at parse time (out-of-band exfiltration, error-based XXE) |
//! | `xxe.external_dtd` | `<!DOCTYPE x SYSTEM "url">` whose URL is not a well-known public DTD (`allowed_dtds`) |
//! | `xxe.entity_expansion` | entities whose expansion exceeds `max_entity_expansion` bytes (billion laughs, quadratic blowup) |
//! | `xxe.internal_entity` | an internal entity declaration (`<!ENTITY x "text">`), unless `allow_internal_dtd` |
//! | `xxe.internal_subset` | any other internal DTD subset (`<!DOCTYPE x [ … ]>`), unless `allow_internal_dtd` |
//! | `xxe.doctype` | any `<!DOCTYPE`, only with `reject_doctype` |
//! | `xxe.xinclude` | the XInclude namespace (`http://www.w3.org/2001/XInclude`): `<xi:include href="file:///…"/>` |
//! | `xxe.xslt` | an XSLT stylesheet that loads documents or declares extension functions (`php:function`, Xalan/Saxon Java calls, `msxsl:script`) |
//! | `xxe.encoding` | a document declared as UTF-7, a filter-evasion encoding |
//! | `xxe.undeclared_entity` | a reference to a general entity (`&file;`) in a document with no DOCTYPE and no CDATA section, unless `allow_undeclared_entities`: no XML parser accepts it (only `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` exist without a DTD), it is the body half of an XXE payload whose declaration travels elsewhere |
//!
//! Internal entities are flagged by default because request documents
//! (API payloads, SOAP — whose specification forbids a DTD —, SAML) never
//! need them and `<!ENTITY x "probe">` is the first step of every XXE probe.
//! Applications that accept authored XML (SVG exported by Illustrator, which
//! declares namespace entities; DocBook) set `allow_internal_dtd: true`:
//! then only external entities, parameter entities, external DTDs and
//! expansion bombs are flagged.
//!
//! Documents in UTF-16 or UTF-32 (with or without a byte-order mark) and in
//! EBCDIC are transcoded to ASCII before the scan, so encoding the payload
//! does not hide it.
//!
//! ```
//! use envoy_rasp::engine::detect::xxe::{Xxe, XxeConfig};
//!
//! let d = Xxe::compile(&XxeConfig::default(), "xxe").unwrap().unwrap();
//! let doc = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
//! assert_eq!(d.detect_document(doc).unwrap().rule, "xxe.external_entity");
//! assert!(d.detect_document(br#"<?xml version="1.0"?><order id="1"><item>Tom &amp; Jerry</item></order>"#).is_none());
//! ```

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::Hit;
use crate::engine::bytes::{find, find_byte, find_byte2, find_byte3, find_ci, starts_ci};
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;
use crate::engine::section::Bounds;

/// `xxe.max_entity_expansion`, in bytes.
pub const MAX_ENTITY_EXPANSION_RANGE: Bounds = Bounds::at_least(1);

/// Configuration section `xxe`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct XxeConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Reject any document with a DOCTYPE, even `<!DOCTYPE html>` or a
    /// well-known public DTD. Default false.
    pub reject_doctype: bool,
    /// Allow internal DTD subsets and internal entities
    /// (`<!ENTITY company "ACME">`), for applications that accept authored
    /// XML. External and parameter entities, external DTDs and expansion
    /// bombs are still flagged. Default false.
    pub allow_internal_dtd: bool,
    /// Prefixes of DTD URLs that may appear in `<!DOCTYPE … SYSTEM|PUBLIC …>`
    /// (compared case-insensitively): public DTDs that XML catalogs resolve
    /// locally. Default: `http://www.w3.org/`, `https://www.w3.org/` (XHTML,
    /// SVG, MathML), `http://www.apple.com/DTDs/` (property lists),
    /// `http://java.sun.com/dtd/`, `http://java.sun.com/j2ee/dtds/`,
    /// `http://www.oasis-open.org/`, `http://docbook.org/`,
    /// `http://www.springframework.org/dtd/`, `http://mybatis.org/dtd/`,
    /// `http://www.hibernate.org/dtd/`, `http://hibernate.org/dtd/`,
    /// `http://struts.apache.org/dtds/`, `http://tiles.apache.org/dtds/`.
    pub allowed_dtds: Vec<String>,
    /// Largest total size, in bytes, that internal entity references may
    /// expand to before the document counts as an expansion bomb. Default
    /// 65536.
    pub max_entity_expansion: u64,
    /// Let documents without a DOCTYPE reference entities that nothing
    /// declares (`<a>&file;</a>`). Such a document is not well-formed XML
    /// (only the five predefined entities exist without a DTD), so a
    /// conforming parser rejects it anyway; set this for applications that
    /// parse XML leniently and receive HTML entities such as `&nbsp;`.
    /// Default false.
    pub allow_undeclared_entities: bool,
}

impl Default for XxeConfig {
    fn default() -> Self {
        XxeConfig {
            action: Action::Block,
            sensitivity: None,
            reject_doctype: false,
            allow_internal_dtd: false,
            allowed_dtds: [
                "http://www.w3.org/",
                "https://www.w3.org/",
                "http://www.apple.com/DTDs/",
                "http://java.sun.com/dtd/",
                "http://java.sun.com/j2ee/dtds/",
                "http://www.oasis-open.org/",
                "http://docbook.org/",
                "http://www.springframework.org/dtd/",
                "http://mybatis.org/dtd/",
                "http://www.hibernate.org/dtd/",
                "http://hibernate.org/dtd/",
                "http://struts.apache.org/dtds/",
                "http://tiles.apache.org/dtds/",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            max_entity_expansion: 65536,
            allow_undeclared_entities: false,
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Xxe {
    action: Action,
    reject_doctype: bool,
    allow_internal_dtd: bool,
    allowed_dtds: Vec<Vec<u8>>,
    max_expansion: u64,
    allow_undeclared: bool,
}

/// Most entity declarations whose sizes are tracked.
const MAX_ENTITIES: usize = 4096;
/// How far an escaped declaration (`&lt;!ENTITY … &gt;`) is read.
const MAX_ESCAPED_DECL: usize = 4096;

impl Xxe {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &XxeConfig, field: &str) -> Result<Option<Xxe>, ConfigError> {
        let mut allowed = Vec::with_capacity(cfg.allowed_dtds.len());
        for (i, p) in cfg.allowed_dtds.iter().enumerate() {
            let p = p.trim();
            let ok = p.contains("://") && !p.bytes().any(|b| b.is_ascii_whitespace());
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.allowed_dtds[{i}]"),
                    format!("{p:?} is not a URL prefix such as \"http://www.w3.org/\""),
                ));
            }
            allowed.push(p.to_ascii_lowercase().into_bytes());
        }
        if !MAX_ENTITY_EXPANSION_RANGE.contains(cfg.max_entity_expansion) {
            return Err(ConfigError::new(
                format!("{field}.max_entity_expansion"),
                format!("must be at least {}", MAX_ENTITY_EXPANSION_RANGE.min),
            ));
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Xxe {
            action: cfg.action,
            reject_doctype: cfg.reject_doctype,
            allow_internal_dtd: cfg.allow_internal_dtd,
            allowed_dtds: allowed,
            max_expansion: cfg.max_entity_expansion,
            allow_undeclared: cfg.allow_undeclared_entities,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one XML document. The hit's span is in `doc`.
    pub fn detect_document(&self, doc: &[u8]) -> Option<Hit> {
        let (view, scale, base) = transcode(doc);
        let text: &[u8] = match &view {
            Some(v) => v,
            None => doc,
        };
        let mut hit = Scan::new(self, text).run()?;
        let map = |p: usize| (p.saturating_mul(scale).saturating_add(base)).min(doc.len());
        hit.start = map(hit.start);
        hit.end = map(hit.end);
        Some(hit)
    }

    fn dtd_allowed(&self, system_id: &[u8]) -> bool {
        self.allowed_dtds.iter().any(|p| starts_ci(system_id, p))
    }
}

/// The state of one document scan.
struct Scan<'a> {
    d: &'a Xxe,
    t: &'a [u8],
    /// The most severe finding so far, with its severity.
    best: Option<(u8, Hit)>,
    /// Expanded size of each declared entity, by name.
    sizes: HashMap<&'a [u8], u64>,
    /// Total expansion of references in content.
    content_expansion: u64,
    in_subset: bool,
    /// A DOCTYPE or a CDATA section was seen: undeclared references are
    /// not judged (a DTD may declare them; CDATA text is not parsed).
    declared_or_cdata: bool,
    /// The first reference to an entity that nothing declared.
    undeclared: Option<(usize, usize)>,
    comment_end: NextFind,
    cdata_end: NextFind,
    pi_end: NextFind,
}

/// Remembers where a terminator was last found, so that many unterminated
/// openers cost one search in total.
#[derive(Default)]
struct NextFind {
    /// Searched from `from`; the first match at or after it (or none).
    from: usize,
    found: Option<usize>,
    searched: bool,
}

impl NextFind {
    fn next(&mut self, t: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
        if self.searched && from >= self.from {
            match self.found {
                None => return None,
                Some(f) if f >= from => return Some(f),
                Some(_) => {}
            }
        }
        self.searched = true;
        self.from = from;
        self.found = find(t, from, needle);
        self.found
    }
}

impl<'a> Scan<'a> {
    fn new(d: &'a Xxe, t: &'a [u8]) -> Scan<'a> {
        Scan {
            d,
            t,
            best: None,
            sizes: HashMap::new(),
            content_expansion: 0,
            in_subset: false,
            declared_or_cdata: false,
            undeclared: None,
            comment_end: NextFind::default(),
            cdata_end: NextFind::default(),
            pi_end: NextFind::default(),
        }
    }

    fn report(&mut self, rule: &'static str, reason: &'static str, start: usize, end: usize) {
        let severity = match rule {
            "xxe.external_entity"
            | "xxe.parameter_entity"
            | "xxe.external_dtd"
            | "xxe.xinclude"
            | "xxe.xslt"
            | "xxe.encoding" => 4,
            "xxe.entity_expansion" => 3,
            "xxe.internal_entity" => 2,
            "xxe.internal_subset" => 1,
            "xxe.undeclared_entity" => 1,
            _ => 0,
        };
        if self.best.as_ref().is_none_or(|(s, _)| severity > *s) {
            self.best = Some((severity, Hit::new(rule, reason, start, end)));
        }
    }

    fn done(&self) -> bool {
        self.best.as_ref().is_some_and(|(s, _)| *s >= 4)
    }

    fn run(mut self) -> Option<Hit> {
        let t = self.t;
        self.encoding_declaration();
        // Namespaces, found through their rare capital `X`:
        // `www.w3.org/2001/XInclude` and `www.w3.org/1999/XSL/Transform`.
        let mut xslt = false;
        let mut i = 0;
        while let Some(x) = find_byte(t, i, b'X') {
            i = x + 1;
            let before = t.get(x.saturating_sub(16)..x).unwrap_or_default();
            let after = t.get(x..).unwrap_or_default();
            let xinclude = after.starts_with(b"XInclude")
                && (before == b"www.w3.org/2001/" || before == b"www.w3.org/2003/");
            if xinclude {
                self.report(
                    "xxe.xinclude",
                    "XInclude namespace: xi:include pulls files or URLs into the document",
                    x.saturating_sub(16),
                    x + 8,
                );
                return self.best.map(|(_, h)| h);
            }
            xslt |= before == b"www.w3.org/1999/" && after.starts_with(b"XSL/Transform");
        }
        if xslt {
            if let Some((s, e)) = xslt_dangerous(t) {
                self.report(
                    "xxe.xslt",
                    "XSLT stylesheet that loads documents or calls extension functions",
                    s,
                    e,
                );
                return self.best.map(|(_, h)| h);
            }
        }
        let mut i = 0;
        loop {
            let next = if self.in_subset {
                find_byte3(t, i, b'<', b'&', b']')
            } else {
                find_byte2(t, i, b'<', b'&')
            };
            let Some(p) = next else { break };
            i = p + 1;
            match t.get(p) {
                Some(b'<') => i = self.markup(p),
                Some(b'&') => i = self.reference(p),
                Some(b']') => {
                    // `]` then optional whitespace then `>` closes the subset.
                    let rest = t.get(p + 1..).unwrap_or_default();
                    let ws = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    if rest.get(ws) == Some(&b'>') {
                        self.in_subset = false;
                        i = p + 1 + ws + 1;
                    }
                }
                _ => {}
            }
            if self.done() {
                break;
            }
        }
        if self.content_expansion > self.d.max_expansion {
            self.report(
                "xxe.entity_expansion",
                "entity references expand beyond max_entity_expansion bytes",
                0,
                t.len().min(64),
            );
        }
        if let (Some((s, e)), false) = (self.undeclared, self.declared_or_cdata) {
            if !self.d.allow_undeclared && self.sizes.is_empty() {
                self.report(
                    "xxe.undeclared_entity",
                    "reference to an entity that no DTD declares (the body of an XXE payload)",
                    s,
                    e,
                );
            }
        }
        self.best.map(|(_, h)| h)
    }

    /// `<?xml … encoding="UTF-7"?>` at the start.
    fn encoding_declaration(&mut self) {
        let t = self.t;
        let lead = t
            .iter()
            .take(64)
            .take_while(|&&b| b.is_ascii_whitespace() || b >= 0x80)
            .count();
        let Some(rest) = t.get(lead..) else { return };
        if !rest.starts_with(b"<?xml") {
            return;
        }
        let end = rest.iter().take(256).position(|&b| b == b'>').unwrap_or(0);
        let decl = rest.get(..end).unwrap_or_default();
        if let Some(p) = find_ci(decl, b"encoding") {
            let v = decl.get(p + 8..).unwrap_or_default();
            let v: Vec<u8> = v
                .iter()
                .copied()
                .skip_while(|&b| b.is_ascii_whitespace() || b == b'=' || b == b'"' || b == b'\'')
                .take_while(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                .map(|b| b.to_ascii_lowercase())
                .filter(|&b| b != b'-' && b != b'_')
                .collect();
            if v == b"utf7" || v == b"csunicode11utf7" || v == b"unicode11utf7" {
                self.report(
                    "xxe.encoding",
                    "XML declared as UTF-7, an encoding used to hide markup from filters",
                    lead + p,
                    lead + end,
                );
            }
        }
    }

    /// Handles markup at `<`; returns where to continue.
    fn markup(&mut self, p: usize) -> usize {
        let t = self.t;
        let rest = t.get(p + 1..).unwrap_or_default();
        match rest.first() {
            Some(b'!') => {
                let r = rest.get(1..).unwrap_or_default();
                if r.starts_with(b"--") {
                    // Comments are not parsed by anything: skip them, but
                    // never past the end of a CDATA section (a comment
                    // opener inside CDATA is text) and not at all when
                    // unterminated.
                    let end = self.comment_end.next(t, p + 4, b"-->").map(|e| e + 3);
                    let cdata = self.cdata_end.next(t, p + 4, b"]]>");
                    return match (end, cdata) {
                        (Some(e), Some(c)) if c < e => c,
                        (Some(e), _) => e,
                        (None, _) => p + 4,
                    };
                }
                if r.starts_with(b"[CDATA[") {
                    // Scan inside: CDATA carries nested documents.
                    self.declared_or_cdata = true;
                    return p + 9;
                }
                if starts_ci(r, b"DOCTYPE") {
                    self.declared_or_cdata = true;
                    return self.doctype(p, p + 9);
                }
                if starts_ci(r, b"ENTITY") {
                    return self.entity(p, p + 8);
                }
                if starts_ci(r, b"ELEMENT") || starts_ci(r, b"ATTLIST") || starts_ci(r, b"NOTATION")
                {
                    return skip_decl(t, p + 2);
                }
                p + 2
            }
            Some(b'?') => match self.pi_end.next(t, p + 2, b"?>") {
                Some(e) => e + 2,
                None => p + 2,
            },
            _ => p + 1,
        }
    }

    /// `<!DOCTYPE` at `start`, its name at `at`.
    fn doctype(&mut self, start: usize, at: usize) -> usize {
        let t = self.t;
        if self.d.reject_doctype {
            self.report("xxe.doctype", "document type declaration", start, at);
        }
        let mut i = skip_ws(t, at);
        i = skip_name(t, i);
        i = skip_ws(t, i);
        let kw = t.get(i..).unwrap_or_default();
        let mut system: Option<(usize, usize)> = None;
        if starts_ci(kw, b"SYSTEM") {
            i = skip_ws(t, i + 6);
            system = literal(t, i);
            i = system.map_or(i, |(_, e)| e + 1);
        } else if starts_ci(kw, b"PUBLIC") {
            i = skip_ws(t, i + 6);
            let public = literal(t, i);
            i = public.map_or(i, |(_, e)| e + 1);
            i = skip_ws(t, i);
            system = literal(t, i);
            i = system.map_or(i, |(_, e)| e + 1);
        }
        if let Some((s, e)) = system {
            let id = t.get(s..e).unwrap_or_default();
            if !self.d.dtd_allowed(id) {
                self.report(
                    "xxe.external_dtd",
                    "DOCTYPE loads an external DTD",
                    start,
                    (e + 1).min(t.len()),
                );
            }
        }
        i = skip_ws(t, i);
        if t.get(i) == Some(&b'[') {
            self.in_subset = true;
            if !self.d.allow_internal_dtd {
                self.report(
                    "xxe.internal_subset",
                    "DOCTYPE with an internal DTD subset",
                    start,
                    i + 1,
                );
            }
            return i + 1;
        }
        i
    }

    /// `<!ENTITY` at `start`, what follows the keyword at `at`.
    fn entity(&mut self, start: usize, at: usize) -> usize {
        let t = self.t;
        let mut i = skip_ws(t, at);
        let param = t.get(i) == Some(&b'%');
        if param {
            i = skip_ws(t, i + 1);
        }
        let name_start = i;
        i = skip_name(t, i);
        let name = t.get(name_start..i).unwrap_or_default();
        i = skip_ws(t, i);
        let kw = t.get(i..).unwrap_or_default();
        let external = starts_ci(kw, b"SYSTEM") || starts_ci(kw, b"PUBLIC");
        let end = skip_decl(t, i);
        if external {
            if param {
                self.report(
                    "xxe.parameter_entity",
                    "external parameter entity declaration",
                    start,
                    end,
                );
            } else {
                self.report(
                    "xxe.external_entity",
                    "external entity declaration (SYSTEM/PUBLIC)",
                    start,
                    end,
                );
            }
            return end;
        }
        if param {
            self.report(
                "xxe.parameter_entity",
                "parameter entity declaration",
                start,
                end,
            );
            return end;
        }
        // An internal general entity: measure its expansion.
        let value = literal(t, i)
            .and_then(|(s, e)| t.get(s..e))
            .unwrap_or_default();
        let size = self.expansion(value);
        if self.sizes.len() < MAX_ENTITIES && !name.is_empty() {
            self.sizes.insert(name, size);
        }
        if size > self.d.max_expansion {
            self.report(
                "xxe.entity_expansion",
                "nested entity definitions expand beyond max_entity_expansion bytes",
                start,
                end,
            );
        } else if !self.d.allow_internal_dtd {
            self.report(
                "xxe.internal_entity",
                "internal entity declaration in a request document",
                start,
                end,
            );
        }
        end
    }

    /// The expanded size of an entity value: its text plus the expansion
    /// of every entity it references.
    fn expansion(&self, value: &[u8]) -> u64 {
        let mut size: u64 = 0;
        let mut i = 0;
        while let Some(off) = value
            .get(i..)
            .and_then(|r| r.iter().position(|&b| b == b'&'))
        {
            size = size.saturating_add(off as u64);
            let p = i + off;
            match ref_name(value, p) {
                Some((name, end)) => {
                    size = size.saturating_add(self.sizes.get(name).copied().unwrap_or(1));
                    i = end;
                }
                None => {
                    size = size.saturating_add(1);
                    i = p + 1;
                }
            }
        }
        size.saturating_add(value.len().saturating_sub(i) as u64)
    }

    /// Handles `&` at `p`: escaped declarations and entity references.
    fn reference(&mut self, p: usize) -> usize {
        let t = self.t;
        let rest = t.get(p..).unwrap_or_default();
        if !matches!(rest.get(1), Some(b'l' | b'#')) && self.sizes.is_empty() {
            // Nothing declared: references cannot expand, but one that
            // names an entity is remembered (`xxe.undeclared_entity`).
            if self.undeclared.is_none() && !self.in_subset {
                if let Some((name, end)) = ref_name(t, p) {
                    // One-letter names are prose written without escaping
                    // (`R&D;`), not entities.
                    if name.len() >= 2 && name.first().is_some_and(|b| !b.is_ascii_digit()) {
                        self.undeclared = Some((p, end));
                    }
                }
            }
            return p + 1;
        }
        let lt = [&b"&lt;!"[..], b"&#60;!", b"&#x3c;!", b"&#x3C;!", b"&#060;!"]
            .iter()
            .find(|pfx| rest.starts_with(pfx))
            .map(|pfx| pfx.len());
        if let Some(n) = lt {
            return self.escaped_decl(p, p + n);
        }
        if let Some((name, end)) = ref_name(t, p) {
            if let Some(&size) = self.sizes.get(name) {
                self.content_expansion = self.content_expansion.saturating_add(size);
            } else if self.undeclared.is_none() && !self.in_subset && name.len() >= 2 {
                self.undeclared = Some((p, end));
            }
            return end;
        }
        p + 1
    }

    /// A declaration written as escaped text (`&lt;!ENTITY x SYSTEM …&gt;`):
    /// an XML document nested in another document's text.
    fn escaped_decl(&mut self, start: usize, at: usize) -> usize {
        let t = self.t;
        let r = t.get(at..).unwrap_or_default();
        let is_doctype = starts_ci(r, b"DOCTYPE");
        let is_entity = starts_ci(r, b"ENTITY");
        if !is_doctype && !is_entity {
            return at;
        }
        let window = r.get(..r.len().min(MAX_ESCAPED_DECL)).unwrap_or_default();
        let end_rel = find(window, 0, b"&gt;").unwrap_or(window.len());
        let decl = window.get(..end_rel).unwrap_or_default();
        let end = at + end_rel;
        if is_entity {
            let after = decl.get(6..).unwrap_or_default();
            let param = after
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b'%');
            if find_ci(decl, b"SYSTEM").is_some() || find_ci(decl, b"PUBLIC").is_some() {
                self.report(
                    if param {
                        "xxe.parameter_entity"
                    } else {
                        "xxe.external_entity"
                    },
                    "external entity declaration in an escaped nested document",
                    start,
                    end,
                );
            } else if param {
                self.report(
                    "xxe.parameter_entity",
                    "parameter entity declaration in an escaped nested document",
                    start,
                    end,
                );
            }
            // An escaped internal entity is as often documentation as a
            // probe: only external and parameter entities count here.
        } else {
            // Only the DOCTYPE itself, up to its subset or its end; the
            // declarations inside are scanned on their own.
            let head_len = decl.iter().position(|&b| b == b'[').unwrap_or(decl.len());
            let head = decl.get(..head_len).unwrap_or_default();
            let head_end = at + head_len;
            if self.d.reject_doctype {
                self.report(
                    "xxe.doctype",
                    "escaped document type declaration",
                    start,
                    head_end,
                );
            }
            if let Some(p) = find_ci(head, b"SYSTEM").or_else(|| find_ci(head, b"PUBLIC")) {
                let tail = head.get(p + 6..).unwrap_or_default();
                // The system id is the last quoted part.
                let last = tail
                    .split(|&b| b == b'"' || b == b'\'')
                    .flat_map(|s| s.split(|&b| b == b';'))
                    .filter(|s| s.len() > 1 && !s.iter().all(|b| b.is_ascii_whitespace()))
                    .rfind(|s| *s != b"&quot" && *s != b"&apos")
                    .unwrap_or_default();
                let sys = last.strip_suffix(b"&quot").unwrap_or(last);
                if !self.d.dtd_allowed(sys) {
                    self.report(
                        "xxe.external_dtd",
                        "escaped DOCTYPE loads an external DTD",
                        start,
                        head_end,
                    );
                }
            }
            return at + 7;
        }
        end
    }
}

/// `&name;` at `p`: the name and the index after `;`. Character
/// references and the predefined entities are not entity references.
fn ref_name(t: &[u8], p: usize) -> Option<(&[u8], usize)> {
    let start = p + 1;
    let n = t
        .get(start..)?
        .iter()
        .take(128)
        .take_while(|&&b| is_name_char(b))
        .count();
    if n == 0 || t.get(start + n) != Some(&b';') {
        return None;
    }
    let name = t.get(start..start + n)?;
    if matches!(name, b"amp" | b"lt" | b"gt" | b"quot" | b"apos") {
        return None;
    }
    Some((name, start + n + 1))
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.' || b == b':' || b >= 0x80
}

fn skip_ws(t: &[u8], i: usize) -> usize {
    i + t
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count()
}

fn skip_name(t: &[u8], i: usize) -> usize {
    i + t
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| is_name_char(b))
        .count()
}

/// A quoted literal at `i`: the span of its content.
fn literal(t: &[u8], i: usize) -> Option<(usize, usize)> {
    let q = *t.get(i)?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let len = t.get(i + 1..)?.iter().position(|&b| b == q)?;
    Some((i + 1, i + 1 + len))
}

/// The index after the `>` that closes a declaration, skipping quoted
/// literals; the end of the text when it is not closed.
fn skip_decl(t: &[u8], mut i: usize) -> usize {
    while let Some(&b) = t.get(i) {
        match b {
            b'>' => return i + 1,
            b'"' | b'\'' => match literal(t, i) {
                Some((_, e)) => i = e + 1,
                None => return t.len(),
            },
            // A new declaration: this one was not closed.
            b'<' if i > 0 => return i,
            _ => i += 1,
        }
    }
    t.len()
}

/// In an XSLT stylesheet: document loading or extension functions.
fn xslt_dangerous(t: &[u8]) -> Option<(usize, usize)> {
    const EXT: [&[u8]; 9] = [
        b"php.net/xsl",
        b"xml.apache.org/xalan",
        b"xml.apache.org/xslt",
        b"saxon.sf.net",
        b"icl.com/saxon",
        b"urn:schemas-microsoft-com:xslt",
        b"unparsed-text(",
        b"\"java:",
        b"'java:",
    ];
    for pat in EXT {
        if let Some(p) = find(t, 0, pat) {
            return Some((p, p + pat.len()));
        }
    }
    // document('') refers to the stylesheet itself; anything else loads.
    let mut i = 0;
    while let Some(p) = find(t, i, b"document(") {
        let arg = t.get(p + 9..).unwrap_or_default();
        let arg_ws = arg.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let a = arg.get(arg_ws..).unwrap_or_default();
        if !(a.starts_with(b"''") || a.starts_with(b"\"\"")) {
            return Some((p, p + 9));
        }
        i = p + 9;
    }
    None
}

/// EBCDIC (code page 037, with the code page 500 `!`) to ASCII for the
/// characters XML markup uses; everything else becomes `?`.
fn ebcdic(b: u8) -> u8 {
    match b {
        0x40 => b' ',
        0x05 => b'\t',
        0x0D => b'\r',
        0x15 | 0x25 => b'\n',
        0x4B => b'.',
        0x4C => b'<',
        0x4D => b'(',
        0x4E => b'+',
        0x4F | 0x5A => b'!',
        0x50 => b'&',
        0x5B => b'$',
        0x5C => b'*',
        0x5D => b')',
        0x5E => b';',
        0x60 => b'-',
        0x61 => b'/',
        0x6B => b',',
        0x6C => b'%',
        0x6D => b'_',
        0x6E => b'>',
        0x6F => b'?',
        0x7A => b':',
        0x7B => b'#',
        0x7C => b'@',
        0x7D => b'\'',
        0x7E => b'=',
        0x7F => b'"',
        0x81..=0x89 => b'a' + (b - 0x81),
        0x91..=0x99 => b'j' + (b - 0x91),
        0xA2..=0xA9 => b's' + (b - 0xA2),
        0xC1..=0xC9 => b'A' + (b - 0xC1),
        0xD1..=0xD9 => b'J' + (b - 0xD1),
        0xE2..=0xE9 => b'S' + (b - 0xE2),
        0xF0..=0xF9 => b'0' + (b - 0xF0),
        0xBA | 0x4A => b'[',
        0xBB => b']',
        _ => b'?',
    }
}

/// Transcodes documents in ASCII-incompatible encodings (UTF-16, UTF-32,
/// EBCDIC) to an ASCII view: `(view, bytes per unit, offset of the first
/// unit)`. `None` view: the document is scanned as it is.
fn transcode(doc: &[u8]) -> (Option<Vec<u8>>, usize, usize) {
    let b = |i: usize| doc.get(i).copied();
    let (unit, big, skip) = match (b(0), b(1), b(2), b(3)) {
        (Some(0x00), Some(0x00), Some(0xFE), Some(0xFF)) => (4, true, 4),
        (Some(0xFF), Some(0xFE), Some(0x00), Some(0x00)) => (4, false, 4),
        (Some(0x00), Some(0x00), Some(0x00), Some(x)) if x != 0 => (4, true, 0),
        (Some(x), Some(0x00), Some(0x00), Some(0x00)) if x != 0 => (4, false, 0),
        (Some(0xFE), Some(0xFF), _, _) => (2, true, 2),
        (Some(0xFF), Some(0xFE), _, _) => (2, false, 2),
        (Some(0x00), Some(x), _, _) if x != 0 => (2, true, 0),
        (Some(x), Some(0x00), _, _) if x != 0 => (2, false, 0),
        (Some(0x4C), Some(0x6F), Some(0xA7), Some(0x94)) => {
            return (Some(doc.iter().map(|&c| ebcdic(c)).collect()), 1, 0);
        }
        _ => return (None, 1, 0),
    };
    let body = doc.get(skip..).unwrap_or_default();
    let out = body
        .chunks(unit)
        .map(|c| {
            let v = if big {
                c.iter().fold(0u32, |acc, &x| (acc << 8) | u32::from(x))
            } else {
                c.iter()
                    .rev()
                    .fold(0u32, |acc, &x| (acc << 8) | u32::from(x))
            };
            if v < 0x80 {
                v as u8
            } else {
                b'?'
            }
        })
        .collect();
    (Some(out), unit, skip)
}

impl Detector for Xxe {
    type Config = XxeConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "XML external entity detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("reject_doctype", "Reject every XML document with a DOCTYPE."),
        FieldNote::new("allow_internal_dtd", "Allow internal DTD subsets and internal entities (authored XML such as DocBook or Illustrator SVG); external and parameter entities, external DTDs and expansion bombs are still flagged."),
        FieldNote::new("allowed_dtds", "Prefixes of public DTD URLs that may appear in a DOCTYPE (W3C, Apple plist, Java EE, Spring, MyBatis, Hibernate, Struts, …)."),
        FieldNote::new("allowed_dtds[]", "A URL prefix."),
        FieldNote::bounded("max_entity_expansion", "Largest total size in bytes internal entity references may expand to before the document counts as an expansion bomb.", MAX_ENTITY_EXPANSION_RANGE),
        FieldNote::new("allow_undeclared_entities", "Let documents without a DOCTYPE reference entities nothing declares (`&file;`). Such XML is not well-formed and a conforming parser rejects it; set for lenient parsers that receive HTML entities such as `&nbsp;`."),
    ];

    fn compile(cfg: &XxeConfig, at: &FieldPath) -> Result<Option<Xxe>, ConfigErrors> {
        Ok(Xxe::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Xxe::action(self)
    }

    /// Reads whole XML documents only (`detect_document`).
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::NEVER;
        NEEDS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::bytes::testing::fuzz_inputs;

    fn det() -> Xxe {
        Xxe::compile(&XxeConfig::default(), "xxe").unwrap().unwrap()
    }

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn wide_and_ebcdic_encodings_are_transcoded() {
        let d = det();
        let doc = r#"<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        for bom in [true, false] {
            let v = utf16le(doc, bom);
            let h = d.detect_document(&v).unwrap();
            assert_eq!(h.rule, "xxe.external_entity");
            assert!(h.end <= v.len() && h.start < h.end);
            assert_eq!(v[h.start], b'<');
        }
        let mut be = vec![0xFE, 0xFF];
        for u in doc.encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(d.detect_document(&be).unwrap().rule, "xxe.external_entity");
        let mut le32 = vec![];
        for c in doc.chars() {
            le32.extend_from_slice(&(c as u32).to_le_bytes());
        }
        assert_eq!(
            d.detect_document(&le32).unwrap().rule,
            "xxe.external_entity"
        );
        assert!(d
            .detect_document(&utf16le("<?xml version=\"1.0\"?><a>hello</a>", true))
            .is_none());
        // "<?xml version="1.0" encoding="IBM037"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///x">]>" in cp037.
        let ascii = br#"<?xml version="1.0" encoding="IBM037"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///x">]><r>&x;</r>"#;
        let to_e: HashMap<u8, u8> = (0u8..=255)
            .filter(|&e| ebcdic(e) != b'?' || e == 0x6F)
            .map(|e| (ebcdic(e), e))
            .collect();
        let e: Vec<u8> = ascii.iter().map(|c| to_e[c]).collect();
        assert_eq!(d.detect_document(&e).unwrap().rule, "xxe.external_entity");
    }

    #[test]
    fn fuzz_no_panic() {
        crate::testing::hang_guard("xxe: fuzz inputs", || {
            let d = det();
            let alphabet: &[&[u8]] = &[
                b"<",
                b">",
                b"!",
                b"<!DOCTYPE",
                b"<!ENTITY",
                b" % ",
                b"SYSTEM",
                b"PUBLIC",
                b"\"",
                b"'",
                b"[",
                b"]",
                b"]]>",
                b"<![CDATA[",
                b"<!--",
                b"-->",
                b"&",
                b";",
                b"&lt;!",
                b"&gt;",
                b"a",
                b"?>",
                b"<?xml",
                b"encoding='utf-7'",
                b"\x00",
                b"\xfe\xff",
                b"&#60;!",
                b"XInclude",
                b"www.w3.org/2001/",
                b"document(",
            ];
            let cfgs = [
                XxeConfig::default(),
                XxeConfig {
                    allow_internal_dtd: true,
                    reject_doctype: true,
                    max_entity_expansion: 10,
                    ..Default::default()
                },
            ];
            for cfg in cfgs {
                let d2 = Xxe::compile(&cfg, "xxe").unwrap().unwrap();
                for v in fuzz_inputs(alphabet, 20_000) {
                    for det in [&d, &d2] {
                        if let Some(h) = det.detect_document(&v) {
                            assert!(h.start <= h.end && h.end <= v.len(), "{h:?} {v:?}");
                        }
                    }
                }
            }
        });
    }

    #[test]
    fn options() {
        let cfg = XxeConfig {
            reject_doctype: true,
            ..Default::default()
        };
        let d = Xxe::compile(&cfg, "xxe").unwrap().unwrap();
        assert_eq!(
            d.detect_document(b"<!DOCTYPE html><html/>").unwrap().rule,
            "xxe.doctype"
        );
        let cfg = XxeConfig {
            allow_internal_dtd: true,
            ..Default::default()
        };
        let d = Xxe::compile(&cfg, "xxe").unwrap().unwrap();
        let svg = br#"<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
            <!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">
            <!ENTITY ns_svg "http://www.w3.org/2000/svg">
        ]><svg xmlns="&ns_svg;" xmlns:i="&ns_ai;"><rect/></svg>"#;
        assert!(d.detect_document(svg).is_none());
        assert_eq!(
            det().detect_document(svg).unwrap().rule,
            "xxe.internal_entity"
        );
        let mut lol = String::from("<!DOCTYPE l [<!ENTITY l0 \"lol\">");
        for k in 1..6 {
            lol.push_str(&format!(
                "<!ENTITY l{k} \"{}\">",
                format!("&l{};", k - 1).repeat(10)
            ));
        }
        lol.push_str("]><l>&l5;</l>");
        assert_eq!(
            d.detect_document(lol.as_bytes()).unwrap().rule,
            "xxe.entity_expansion"
        );
        // Quadratic blowup: one big entity referenced many times.
        let big = format!(
            "<!DOCTYPE q [<!ENTITY a \"{}\">]><q>{}</q>",
            "x".repeat(1000),
            "&a;".repeat(100)
        );
        assert_eq!(
            d.detect_document(big.as_bytes()).unwrap().rule,
            "xxe.entity_expansion"
        );
        assert_eq!(
            d.detect_document(br#"<!DOCTYPE r [<!ENTITY % p SYSTEM "http://x/e.dtd">%p;]>"#)
                .unwrap()
                .rule,
            "xxe.parameter_entity"
        );
        let cfg = XxeConfig {
            allowed_dtds: vec!["nope".into()],
            ..Default::default()
        };
        assert_eq!(
            Xxe::compile(&cfg, "xxe").unwrap_err().field(),
            "xxe.allowed_dtds[0]"
        );
        let cfg = XxeConfig {
            max_entity_expansion: 0,
            ..Default::default()
        };
        assert_eq!(
            Xxe::compile(&cfg, "xxe").unwrap_err().field(),
            "xxe.max_entity_expansion"
        );
    }

    /// A hang guard, not a measurement (see `testing::HANG_GUARD`): linear time
    /// on these inputs is measured by `cargo bench --bench engine -- adversarial`.
    #[test]
    fn large_and_adversarial_documents_do_not_hang() {
        crate::testing::hang_guard("xxe: large and adversarial documents", || {
            let d = det();
            let mut doc = b"<?xml version=\"1.0\"?><root>".to_vec();
            while doc.len() < 4 << 20 {
                doc.extend_from_slice(
                    b"<item id=\"1\"><name>Tom &amp; Jerry</name><v>3 &lt; 4</v></item>\n",
                );
            }
            doc.extend_from_slice(b"</root>");
            assert!(d.detect_document(&doc).is_none());
            for unit in [
                &b"<!ENTITY "[..],
                b"<![CDATA[",
                b"&lt;!ENTITY ",
                b"<!--",
                b"&x;",
                b"<<<<",
                b"\"'",
            ] {
                let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
                let _ = d.detect_document(&v);
            }
        });
    }
}
