//! The compiled detectors of a configuration ([`Detectors`]) and the scan
//! loop over one value, both generated from the table in `registry.rs`.
//!
//! The loop computes the value's [`Signature`] once and gives the value
//! only to the detectors whose [`Needs`](super::Needs) it meets: a benign
//! value holds few of the bytes that syntax needs, so most detectors are
//! skipped after one shared pass. The contract test below proves every
//! declaration against the fixtures and the corpora's attacks.

use super::attack::AttackType;
use super::detector::Detector;
use super::hit::{Hit, ValueCtx};
use crate::engine::bytes::Signature;
use crate::engine::mode::Action;
use crate::engine::section::FieldNote;

macro_rules! detector_set {
    ($($field:ident $section:ident $variant:ident $doc:literal $ty:path;)*) => {
        /// The compiled detectors. `None` means the detector's action is
        /// `off` (it costs nothing).
        #[derive(Clone, Debug, Default)]
        pub struct Detectors {
            $(#[doc = $doc] pub $field: Option<$ty>,)*
            /// The detectors whose `sensitivity` is `low`, one bit per
            /// [`AttackType::index`]: their `medium` rules are dropped
            /// (see [`sensitivity`](super::sensitivity)). Zero, so never
            /// looked at past one test, in the default configuration.
            pub low: u64,
        }

        /// Each detector's configuration section and the schema notes its
        /// module gives (paths relative to the section), in table order.
        pub const SECTIONS: &[(&str, &[FieldNote])] =
            &[$((stringify!($section), <$ty as Detector>::NOTES),)*];

        impl Detectors {
            /// Runs every enabled detector over `value`, in the table's
            /// order, and calls `found` for each hit (at most one per
            /// detector) with whether the hit's location is one where the
            /// detector drops hits (`location` is rendered only then);
            /// stops early when `found` returns `false`.
            pub fn scan_value(
                &self,
                value: &[u8],
                ctx: &ValueCtx,
                location: &dyn Fn() -> String,
                found: &mut dyn FnMut(AttackType, Action, Hit, bool) -> bool,
            ) {
                self.scan_value_as(value, Signature::of(value), ctx, location, found);
            }

            /// [`scan_value`](Self::scan_value) with the value's signature
            /// already computed (`sig` must be `Signature::of(value)`).
            pub fn scan_value_as(
                &self,
                value: &[u8],
                sig: Signature,
                ctx: &ValueCtx,
                location: &dyn Fn() -> String,
                found: &mut dyn FnMut(AttackType, Action, Hit, bool) -> bool,
            ) {
                $(
                    if let Some(d) = self.$field.as_ref().filter(|d| Detector::needs(*d).admits(sig)) {
                        if let Some(hit) = Detector::detect(d, value, ctx)
                            .filter(|h| !self.drops(AttackType::$variant, &h.rule))
                        {
                            let dropped = d.has_suppressions() && d.suppressed(&location());
                            if !found(AttackType::$variant, Detector::action(d), hit, dropped) {
                                return;
                            }
                        }
                    }
                )*
            }

            /// Whether a hit of `rule` from the detector of `attack` is
            /// dropped by its sensitivity (`low` drops the `medium` rules).
            /// Asked for hits only; one test when no detector is `low`.
            #[inline]
            pub fn drops(&self, attack: AttackType, rule: &str) -> bool {
                self.low != 0
                    && self.low & 1u64.checked_shl(attack.index() as u32).unwrap_or(0) != 0
                    && super::sensitivity::dropped_at_low(rule)
            }

            /// Whether an enabled detector reads every request header.
            pub fn reads_every_header(&self) -> bool {
                false $(|| (<$ty as Detector>::EVERY_HEADER && self.$field.is_some()))*
            }

            /// One request header through the detectors that read every
            /// header: `detect_header` (name and value), then, unless the
            /// header is one of `inspect.headers` (which every detector
            /// reads already) or one the detector leaves out
            /// (`reads_header`), `detect` over the value.
            pub fn scan_every_header(
                &self,
                name: &[u8],
                value: &[u8],
                ctx: &ValueCtx,
                already_inspected: bool,
                found: &mut dyn FnMut(AttackType, Action, Hit) -> bool,
            ) {
                let sig = Signature::of(value);
                $(
                    if <$ty as Detector>::EVERY_HEADER {
                        if let Some(d) = &self.$field {
                            let hit = Detector::detect_header(d, name, value).or_else(|| {
                                if already_inspected
                                    || !Detector::reads_header(d, name)
                                    || !Detector::needs(d).admits(sig)
                                {
                                    None
                                } else {
                                    Detector::detect(d, value, ctx)
                                }
                            });
                            // A location where the detector expects its
                            // syntax (`sql_injection.whitelist`): dropped.
                            let hit = hit.filter(|_| {
                                !(d.has_suppressions()
                                    && d.suppressed(&format!(
                                        "header:{}",
                                        String::from_utf8_lossy(name)
                                    )))
                            });
                            if let Some(hit) = hit.filter(|h| !self.drops(AttackType::$variant, &h.rule)) {
                                if !found(AttackType::$variant, Detector::action(d), hit) {
                                    return;
                                }
                            }
                        }
                    }
                )*
            }

            /// The whole request path through the detectors that judge it.
            pub fn scan_path(
                &self,
                path: &[u8],
                found: &mut dyn FnMut(AttackType, Action, Hit) -> bool,
            ) {
                $(
                    if let Some(d) = &self.$field {
                        if let Some(hit) = Detector::detect_path(d, path)
                            .filter(|h| !self.drops(AttackType::$variant, &h.rule))
                        {
                            if !found(AttackType::$variant, Detector::action(d), hit) {
                                return;
                            }
                        }
                    }
                )*
            }

            /// The detectors that fire on `value` (as `ctx`) although its
            /// signature does not meet their declared needs: always empty
            /// when every declaration is right.
            #[cfg(test)]
            pub(crate) fn unadmitted(&self, value: &[u8], ctx: &ValueCtx) -> Vec<&'static str> {
                let sig = Signature::of(value);
                let mut out = Vec::new();
                $(
                    if let Some(d) = &self.$field {
                        if !Detector::needs(d).admits(sig) && Detector::detect(d, value, ctx).is_some() {
                            out.push(stringify!($field));
                        }
                    }
                )*
                out
            }

            /// The detectors that a value with signature `sig` skips.
            #[cfg(test)]
            pub(crate) fn skipped(&self, sig: Signature) -> Vec<&'static str> {
                let mut out = Vec::new();
                $(
                    if self.$field.as_ref().is_some_and(|d| !Detector::needs(d).admits(sig)) {
                        out.push(stringify!($field));
                    }
                )*
                out
            }
        }
    };
}

super::registry::with_detectors!(detector_set);

/// The contract of [`Detector::needs`]: no detector fires on a value
/// whose signature its declaration does not admit. Proven against every
/// `detect` row of the fixtures and every attack row of the corpora, each
/// read as the engine reads it (as received and normalised, with and
/// without `+` as a space) and in the places a detector tells apart (a
/// parameter, a name, a top-level and a nested document field, a header,
/// the path). A new rule that needs a byte outside its detector's
/// declaration fails here instead of silently missing in the engine.
#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::engine::bytes::Signature;
    use crate::engine::decode::{normalize_with, Options};
    use crate::engine::detect::ValueCtx;
    use crate::engine::surface::Surface;
    use crate::engine::Engine;

    /// Every detector on, with its optional readings too.
    fn engine() -> Engine {
        let sections: Vec<String> = super::SECTIONS
            .iter()
            .map(|(name, _)| format!("\"{name}\": {{\"action\": \"block\"}}"))
            .collect();
        let mut cfg = format!("{{{}}}", sections.join(", "));
        let extra = r#""prototype_pollution": {"action": "block", "values": true}"#;
        cfg = cfg.replace(r#""prototype_pollution": {"action": "block"}"#, extra);
        Engine::from_json(cfg.as_bytes()).unwrap_or_else(|e| panic!("{cfg}: {e}"))
    }

    fn contexts() -> Vec<ValueCtx> {
        vec![
            ValueCtx::value(Surface::Query),
            ValueCtx::at(Surface::Query, b"url", false),
            ValueCtx::at(Surface::Query, b"v", true),
            ValueCtx::at(Surface::Json, b"$.v", false),
            ValueCtx::at(Surface::Json, b"$.a.b.note", false),
            ValueCtx::at(Surface::Json, b"$.v", true),
            ValueCtx::value(Surface::Header),
            ValueCtx::value(Surface::Cookie),
            ValueCtx::at(Surface::Path, b"", false),
            ValueCtx::value(Surface::Xml),
        ]
    }

    /// The `value` of every row of the JSON-lines files in `dir` that
    /// `keep` accepts.
    fn values(dir: &Path, keep: fn(&serde_json::Value) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return out;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().and_then(|e| e.to_str()) != Some("jsonl") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            for line in text.lines() {
                let Ok(row) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                if let Some(v) = row["value"].as_str().filter(|_| keep(&row)) {
                    out.push(v.to_string());
                }
            }
        }
        out
    }

    /// The detectors that fire on some reading of `value` in some place
    /// although their declaration skips that reading.
    fn violations(e: &Engine, ctxs: &[ValueCtx], value: &[u8]) -> Vec<String> {
        let d = &e.config().detectors;
        let mut readings = vec![value.to_vec()];
        for plus_as_space in [false, true] {
            let n = normalize_with(value, Options { plus_as_space });
            readings.push(n.bytes.into_owned());
        }
        readings.dedup();
        let mut out = Vec::new();
        for r in &readings {
            if d.skipped(Signature::of(r)).is_empty() {
                continue;
            }
            for ctx in ctxs {
                for name in d.unadmitted(r, ctx) {
                    out.push(format!(
                        "{name} fires on {:?} ({ctx:?})",
                        r.escape_ascii().to_string()
                    ));
                }
            }
        }
        out
    }

    #[test]
    // The wasm test runner has no file system: the contract is about the
    // detectors' code, which the native run checks.
    #[cfg_attr(target_arch = "wasm32", ignore = "reads fixtures from disk")]
    fn every_detection_is_admitted_by_its_needs() {
        let e = engine();
        let ctxs = contexts();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut rows = values(&fixtures, |r| r["expect"] == "detect");
        assert!(rows.len() > 500, "{} fixture rows", rows.len());
        let corpus = values(&crate::testing::corpus_dir(), |r| {
            r["class"].as_str().is_some_and(|c| c != "benign")
        });
        rows.extend(corpus);
        let mut bad: Vec<String> = Vec::new();
        for v in &rows {
            bad.extend(violations(&e, &ctxs, v.as_bytes()));
        }
        assert!(
            bad.is_empty(),
            "{} violations:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    /// Values that the fast paths must still give to their detectors:
    /// the shortest form of each detector's declared trigger.
    #[test]
    fn minimal_triggers_still_reach_their_detectors() {
        let e = engine();
        for (value, attack) in [
            ("${jndi:ldap://x/a}", "jndi_injection"),
            ("' or 1=1--", "sql_injection"),
            ("1 or true", "sql_injection"),
            ("<svg onload=alert(1)>", "xss"),
            ("; cat /etc/passwd", "command_injection"),
            ("../../../etc/passwd", "path_traversal"),
            ("Li4vLi4vLi4vZXRjL3Bhc3N3ZA==", "path_traversal"),
            ("http://169.254.169.254/latest/meta-data/", "ssrf"),
            ("{{''.__class__.__mro__}}", "ssti"),
            ("*)(uid=*))(|(uid=*", "ldap_injection"),
            ("rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA", "java_injection"),
            (
                "aced0005737200116a6176612e7574696c2e486173684d6170",
                "java_injection",
            ),
            ("O:8:\"stdClass\":0:{}", "php_injection"),
            ("Tzo4OiJzdGRDbGFzcyI6MDp7fQ==", "php_injection"),
            ("x%0d%0aSet-Cookie:%20a=b", "header_injection"),
        ] {
            let f = e.inspect_value(Surface::Query, value.as_bytes());
            assert!(
                f.iter().any(|f| f.attack.as_str() == attack),
                "{value}: {attack} not found in {f:?}"
            );
        }
    }

    #[test]
    fn plain_words_skip_every_detector_that_needs_syntax() {
        let e = engine();
        let d = &e.config().detectors;
        for w in ["springfield", "48112", "john"] {
            let skipped = d.skipped(Signature::of(w.as_bytes()));
            for name in ["sqli", "xss", "cmdi", "jndi", "ssti", "ldap", "crlf", "php"] {
                assert!(skipped.contains(&name), "{w}: {name} runs ({skipped:?})");
            }
        }
    }
}
