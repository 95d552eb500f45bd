//! Detectors: one module per attack class.
//!
//! Value detectors (`sqli`, `xss`, `cmdi`, `traversal`, `ssrf`) read one
//! extracted, normalised value at a time and answer with an optional
//! [`Hit`]: which structure matched (`rule`, `reason`) and where (`start..end`
//! in the value they were given). Document detectors read a whole structure:
//! `xxe` an XML document, `upload` a multipart file part.
//!
//! Each detector module owns its configuration section (`…Config`, serde,
//! documented) and its compiled form, built by `compile` and `None` when the
//! action is `off`, so disabled detectors cost nothing.

pub mod cmdi;
pub mod custom;
pub mod sqli;
pub mod ssrf;
pub mod traversal;
pub mod upload;
pub mod xss;
pub mod xxe;

use std::borrow::Cow;

use super::mode::{Action, Taken};
use super::surface::Surface;

/// The attack classes. Their names are the configuration section names and
/// the `type` label of `rasp_attacks_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttackType {
    SqlInjection,
    Xss,
    CommandInjection,
    PathTraversal,
    Ssrf,
    Xxe,
    FileUpload,
    Custom,
}

impl AttackType {
    /// Every attack type, in a stable order.
    pub const ALL: [AttackType; 8] = [
        AttackType::SqlInjection,
        AttackType::Xss,
        AttackType::CommandInjection,
        AttackType::PathTraversal,
        AttackType::Ssrf,
        AttackType::Xxe,
        AttackType::FileUpload,
        AttackType::Custom,
    ];

    /// The snake_case name (`sql_injection`, `xss`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AttackType::SqlInjection => "sql_injection",
            AttackType::Xss => "xss",
            AttackType::CommandInjection => "command_injection",
            AttackType::PathTraversal => "path_traversal",
            AttackType::Ssrf => "ssrf",
            AttackType::Xxe => "xxe",
            AttackType::FileUpload => "file_upload",
            AttackType::Custom => "custom",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<AttackType> {
        AttackType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What a detector reports: the structure that matched and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Stable rule identifier, e.g. `sqli.tautology`, `xss.event_handler`.
    pub rule: Cow<'static, str>,
    /// Human-readable reason: which structure was recognised.
    pub reason: Cow<'static, str>,
    /// Byte offsets of the evidence in the inspected value.
    pub start: usize,
    pub end: usize,
}

impl Hit {
    /// A hit with static rule and reason strings.
    pub fn new(rule: &'static str, reason: &'static str, start: usize, end: usize) -> Hit {
        Hit {
            rule: Cow::Borrowed(rule),
            reason: Cow::Borrowed(reason),
            start,
            end,
        }
    }
}

/// How a value is placed in the request, for detectors whose reading
/// depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueCtx {
    pub surface: Surface,
    /// The value is a parameter name / JSON key rather than a value.
    pub is_key: bool,
}

impl ValueCtx {
    /// A parameter value on `surface`.
    pub fn value(surface: Surface) -> ValueCtx {
        ValueCtx {
            surface,
            is_key: false,
        }
    }
}

/// One detection in one request, ready for logging and metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub attack: AttackType,
    /// Detector rule id (`sqli.union_select`) or custom rule id.
    pub rule: String,
    /// Which structure matched.
    pub reason: String,
    /// Where: `query:q`, `json:$.user.name`, `header:user-agent`, ….
    pub location: String,
    /// Excerpt of the matching part, truncated and escaped.
    pub evidence: String,
    /// What was done.
    pub taken: Taken,
    /// Whether an event line is written (custom rules can turn it off).
    pub log: bool,
}

/// The compiled detectors. `None` means the detector's action is `off`.
#[derive(Clone, Debug, Default)]
pub struct Detectors {
    pub sqli: Option<sqli::Sqli>,
    pub xss: Option<xss::Xss>,
    pub cmdi: Option<cmdi::Cmdi>,
    pub traversal: Option<traversal::Traversal>,
    pub ssrf: Option<ssrf::Ssrf>,
    pub xxe: Option<xxe::Xxe>,
    pub upload: Option<upload::Upload>,
}

impl Detectors {
    /// Runs every enabled value detector over `value` and calls `found` for
    /// each hit (at most one per detector), stopping early when `found`
    /// returns `false`.
    pub fn scan_value(
        &self,
        value: &[u8],
        ctx: &ValueCtx,
        found: &mut dyn FnMut(AttackType, Action, Hit) -> bool,
    ) {
        macro_rules! run {
            ($det:expr, $ty:expr) => {
                if let Some(d) = &$det {
                    if let Some(hit) = d.detect(value, ctx) {
                        if !found($ty, d.action(), hit) {
                            return;
                        }
                    }
                }
            };
        }
        run!(self.sqli, AttackType::SqlInjection);
        run!(self.xss, AttackType::Xss);
        run!(self.cmdi, AttackType::CommandInjection);
        run!(self.traversal, AttackType::PathTraversal);
        run!(self.ssrf, AttackType::Ssrf);
    }
}

/// Test support shared by the detectors' data-driven fixtures
/// (`tests/fixtures/<detector>.jsonl`: one JSON object per line with
/// `value`, `expect` (`detect` or `pass`), an optional `rule`, a `note` and
/// detector-specific fields such as `surface` or `disposition`).
#[cfg(test)]
pub(crate) mod fixtures {
    use super::Hit;

    /// What [`check`] counted.
    pub struct Counts {
        pub detect: usize,
        pub pass: usize,
    }

    /// Runs `detect(value, row)` on every row of `jsonl` and fails with the
    /// list of rows whose outcome differs (a miss, a false positive, another
    /// rule than `rule`). Every span must be ordered; with `exact_spans` it
    /// must also lie inside the value.
    pub fn check(
        jsonl: &str,
        exact_spans: bool,
        mut detect: impl FnMut(&str, &serde_json::Value) -> Option<Hit>,
    ) -> Counts {
        let mut failures = Vec::new();
        let mut counts = Counts { detect: 0, pass: 0 };
        for (i, line) in jsonl.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let row: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("fixture line {}: {e}", i + 1));
            let value = row["value"]
                .as_str()
                .unwrap_or_else(|| panic!("fixture line {}: no value", i + 1));
            let hit = detect(value, &row);
            let ok = match row["expect"].as_str() {
                Some("detect") => {
                    counts.detect += 1;
                    match (&hit, row["rule"].as_str()) {
                        (Some(h), Some(rule)) => h.rule == rule,
                        (Some(_), None) => true,
                        (None, _) => false,
                    }
                }
                Some("pass") => {
                    counts.pass += 1;
                    hit.is_none()
                }
                other => panic!("fixture line {}: bad expect {other:?}", i + 1),
            };
            if !ok {
                failures.push(format!(
                    "line {}: {value:?} ({}) expected {}, got {hit:?}",
                    i + 1,
                    row["note"].as_str().unwrap_or(""),
                    row["expect"]
                ));
            }
            if let Some(h) = &hit {
                assert!(h.start <= h.end, "line {}: bad span {h:?}", i + 1);
                if exact_spans {
                    assert!(h.end <= value.len(), "line {}: bad span {h:?}", i + 1);
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        counts
    }
}
