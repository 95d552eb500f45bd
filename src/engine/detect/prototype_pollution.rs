//! JavaScript prototype pollution detector.
//!
//! Server code that merges or assigns request data by property path
//! (`qs` bracket parsing, `lodash.merge`/`set`, `Object.assign` of parsed
//! JSON) writes to `Object.prototype` when a path segment is `__proto__`,
//! or `constructor` followed by `prototype`; every object of the process
//! then inherits the attacker's properties. The detector reads *names*,
//! where those segments do harm:
//!
//! * **Keys** (`prototype_pollution.proto_key`): a JSON key, a query, form
//!   or cookie parameter name, split into path segments at `[`, `]`, `.`
//!   and quotes (`a[__proto__][x]`, `__proto__.isAdmin`,
//!   `constructor[prototype][admin]`, `["constructor"]["prototype"]`). A
//!   segment that contains `__proto__` (also `__pro__proto__to__`, which a
//!   filter that strips the word once turns back into it) counts, and so
//!   does a `constructor` segment followed by a `prototype` one.
//! * **Values that are paths or assignments** (`prototype_pollution.proto_path`,
//!   with `values`): a value, or one `&`/`;`-separated part of it, that is
//!   a property path starting with `__proto__` or `constructor.prototype`
//!   and naming a property below it (`__proto__.polluted=1`,
//!   `constructor[prototype][x]`): a path handed to a `set(obj, path, v)`
//!   helper, or a nested query string in a cookie.
//! * **Values that are object literals** (`prototype_pollution.proto_object`,
//!   with `values`): a value that is itself an object literal (starts with
//!   `{`) and has a `__proto__` key whose value is an object
//!   (`{__proto__: {isAdmin: true}}`), relaxed JSON that the JSON walker
//!   does not read as a document.
//!
//! The words in prose and in code talk pass: "`obj.__proto__` is
//! deprecated", "use `Object.create(null)`", `Foo.prototype.bar = …` (no
//! `__proto__`, and `prototype` without `constructor`), a search for
//! `__proto__` alone, a JSON key `constructor` or `prototype` alone.
//!
//! Limit: a nested JSON body `{"constructor": {"prototype": {…}}}` reaches
//! the detector as two separate keys without their parent; the pair is
//! only seen when written in one key (`constructor.prototype`, a form or
//! query name).
//!
//! Cost: one substring search for `proto` per value.
//!
//! ```
//! use envoy_rasp::engine::detect::prototype_pollution::{PrototypePollution, PrototypePollutionConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = PrototypePollution::compile(&PrototypePollutionConfig::default(), "prototype_pollution")
//!     .unwrap()
//!     .unwrap();
//! let key = ValueCtx::key(Surface::Query);
//! assert_eq!(d.detect(b"a[__proto__][admin]", &key).unwrap().rule, "prototype_pollution.proto_key");
//! assert!(d.detect(b"constructor[prototype][admin]", &key).is_some());
//! let value = ValueCtx::value(Surface::Json);
//! assert!(d.detect(b"obj.__proto__ is deprecated, use getPrototypeOf", &value).is_none());
//! ```

use crate::engine::detect::detector::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{Hit, ValueCtx};
use crate::engine::bytes::find_byte as find1;
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

/// Configuration section `prototype_pollution`.
///
/// ```json
/// {"prototype_pollution": {"action": "block", "values": true}}
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrototypePollutionConfig {
    /// What a finding does: `block` (default), `log` (log and count, let
    /// the request through) or `off` (the detector does not run).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Also judge values, not only names: a value that is a property path
    /// or assignment rooted at `__proto__` / `constructor.prototype`
    /// (`__proto__.x=1`), or an object literal with a `__proto__` object.
    /// Default `true`. Prose and code that mention the words pass either
    /// way.
    pub values: bool,
}

impl Default for PrototypePollutionConfig {
    fn default() -> Self {
        PrototypePollutionConfig {
            action: Action::Block,
            sensitivity: None,
            values: true,
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct PrototypePollution {
    action: Action,
    values: bool,
}

/// Longest name or path read (longer ones are read up to this).
const MAX_PATH: usize = 4096;

/// Bytes that separate the segments of a property path.
fn is_sep(b: u8) -> bool {
    matches!(b, b'[' | b']' | b'.' | b'"' | b'\'')
}

/// The path segments of `name` (empty ones skipped), with surrounding
/// spaces trimmed (`constructor.prototype. x`).
fn segments(name: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    let name = name.get(..MAX_PATH).unwrap_or(name);
    std::iter::from_fn(move || {
        while start <= name.len() {
            let rest = name.get(start..)?;
            let len = rest.iter().position(|&b| is_sep(b)).unwrap_or(rest.len());
            let seg_start = start;
            start += len + 1;
            let seg = rest.get(..len).unwrap_or_default();
            let lead = seg.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let seg = seg.get(lead..).unwrap_or_default();
            let trail = seg
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            let seg = seg.get(..seg.len() - trail).unwrap_or_default();
            if !seg.is_empty() {
                return Some((seg_start + lead, seg));
            }
        }
        None
    })
}

/// The first `needle` in `hay`: candidates by their first byte (a
/// word-at-a-time search), then one comparison each.
fn contains(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(p) = find1(hay, from, first) {
        if hay.get(p + 1..p + 1 + rest.len()) == Some(rest) {
            return Some(p);
        }
        from = p + 1;
    }
    None
}

/// What a property path reaches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// No prototype segment.
    None,
    /// `__proto__` or `constructor` → `prototype`, as the last segment.
    Prototype,
    /// A property below the prototype (`__proto__.x`).
    Below,
}

/// Reads `name` as a property path: where the first prototype segment
/// starts, whether it is the path's root, and what the path reaches.
fn reach(name: &[u8]) -> (Reach, usize, bool) {
    let mut found: Option<(usize, bool)> = None;
    let mut prev_constructor: Option<usize> = None;
    for (k, (at, seg)) in segments(name).enumerate() {
        if found.is_some() {
            return (
                Reach::Below,
                found.map_or(0, |f| f.0),
                found.is_some_and(|f| f.1),
            );
        }
        if contains(seg, b"__proto__").is_some() {
            found = Some((at, k == 0));
        } else if seg == b"prototype" {
            if let Some(c) = prev_constructor {
                found = Some((c, k == 1));
            }
        }
        prev_constructor = (seg == b"constructor").then_some(at);
    }
    match found {
        Some((at, root)) => (Reach::Prototype, at, root),
        None => (Reach::None, 0, false),
    }
}

impl PrototypePollution {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(
        cfg: &PrototypePollutionConfig,
        _field: &str,
    ) -> Result<Option<PrototypePollution>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(PrototypePollution {
            action: cfg.action,
            values: cfg.values,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value (a name when `ctx.is_key`).
    pub fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        // `__proto__` and `prototype` share the word; nothing else counts.
        // Most values have no `p` at all (a word-at-a-time byte search).
        if !value.contains(&b'p') {
            return None;
        }
        contains(value, b"proto")?;
        if ctx.is_key {
            let (r, at, _) = reach(value);
            return (r != Reach::None).then(|| {
                Hit::new(
                    "prototype_pollution.proto_key",
                    "parameter name or key writes to the object prototype",
                    at,
                    value.len(),
                )
            });
        }
        if !self.values {
            return None;
        }
        path_value(value).or_else(|| object_literal(value))
    }
}

/// A value whose `&`/`;` parts include a path rooted at the prototype that
/// names a property below it, optionally assigned (`__proto__.x=1`).
fn path_value(v: &[u8]) -> Option<Hit> {
    let mut start = 0;
    for part in v.split(|&b| b == b'&' || b == b';') {
        let base = start;
        start += part.len() + 1;
        let lead = part.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let part = part.get(lead..).unwrap_or_default();
        let name_len = part.iter().position(|&b| b == b'=').unwrap_or(part.len());
        let name = part.get(..name_len).unwrap_or_default();
        // A path is one token: prose has spaces between words.
        if name.is_empty() || name.iter().any(|b| b.is_ascii_whitespace()) {
            continue;
        }
        if let (Reach::Below, at, true) = reach(name) {
            let s = base + lead + at;
            return Some(Hit::new(
                "prototype_pollution.proto_path",
                "property path or assignment below __proto__ / constructor.prototype",
                s,
                base + lead + name_len,
            ));
        }
    }
    None
}

/// A value that is an object literal with a `__proto__` key whose value is
/// an object: `{"__proto__": {…}}`, `{__proto__: {…}}`.
fn object_literal(v: &[u8]) -> Option<Hit> {
    let lead = v.iter().take_while(|b| b.is_ascii_whitespace()).count();
    if v.get(lead) != Some(&b'{') {
        return None;
    }
    let mut from = 0;
    while let Some(off) = v.get(from..).and_then(|r| contains(r, b"__proto__")) {
        let p = from + off;
        let mut i = p + b"__proto__".len();
        if matches!(v.get(i), Some(b'"' | b'\'')) {
            i += 1;
        }
        let skip = |i: &mut usize| {
            while v.get(*i).is_some_and(u8::is_ascii_whitespace) {
                *i += 1;
            }
        };
        skip(&mut i);
        if v.get(i) == Some(&b':') {
            i += 1;
            skip(&mut i);
            if v.get(i) == Some(&b'{') {
                return Some(Hit::new(
                    "prototype_pollution.proto_object",
                    "object literal with a __proto__ object",
                    p,
                    i + 1,
                ));
            }
        }
        from = p + 1;
    }
    None
}

impl Detector for PrototypePollution {
    type Config = PrototypePollutionConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "JavaScript prototype pollution detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("values", "Also judge values, not only names: a property path or assignment rooted at `__proto__` / `constructor.prototype` (`__proto__.x=1`) or an object literal with a `__proto__` object. Prose and code that mention the words pass either way."),
    ];

    fn compile(
        cfg: &PrototypePollutionConfig,
        at: &FieldPath,
    ) -> Result<Option<PrototypePollution>, ConfigErrors> {
        Ok(PrototypePollution::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        PrototypePollution::action(self)
    }

    /// Every reading needs the word `proto`.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::NEVER.or_all(S::letters(b"proto"));
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        PrototypePollution::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::surface::Surface;

    fn det() -> PrototypePollution {
        PrototypePollution::compile(&PrototypePollutionConfig::default(), "prototype_pollution")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn values_knob() {
        let off = PrototypePollution::compile(
            &PrototypePollutionConfig {
                values: false,
                ..PrototypePollutionConfig::default()
            },
            "prototype_pollution",
        )
        .unwrap()
        .unwrap();
        let v = ValueCtx::value(Surface::Cookie);
        let k = ValueCtx::key(Surface::Cookie);
        assert!(det().detect(b"__proto__.foo=bar", &v).is_some());
        assert!(off.detect(b"__proto__.foo=bar", &v).is_none());
        assert!(off.detect(b"__proto__[foo]", &k).is_some());
    }

    #[test]
    fn off_compiles_to_none() {
        let cfg = PrototypePollutionConfig {
            action: Action::Off,
            ..PrototypePollutionConfig::default()
        };
        assert!(PrototypePollution::compile(&cfg, "prototype_pollution")
            .unwrap()
            .is_none());
    }

    #[test]
    fn segments_split_and_trim() {
        let s: Vec<_> = segments(b"a[ b ].c..\"d\"")
            .map(|(at, s)| (at, String::from_utf8_lossy(s).into_owned()))
            .collect();
        assert_eq!(
            s,
            vec![
                (0, "a".to_string()),
                (3, "b".into()),
                (7, "c".into()),
                (11, "d".into())
            ]
        );
    }

    #[test]
    fn adversarial_inputs_are_linear() {
        let d = det();
        for (unit, key) in [
            (&b"proto"[..], false),
            (b"{__proto__:", false),
            (b"__proto__.", false),
            (b"a&__proto__", false),
            (b"[proto", true),
            (b"constructor.", true),
        ] {
            let ctx = ValueCtx::at(Surface::Query, b"", key);
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 18).collect();
            let t = std::time::Instant::now();
            let _ = d.detect(&v, &ctx);
            assert!(
                t.elapsed().as_secs_f64() < 1.0,
                "{:?} took {:?}",
                String::from_utf8_lossy(unit),
                t.elapsed()
            );
        }
    }
}
