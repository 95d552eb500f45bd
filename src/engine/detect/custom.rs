//! Custom regex rules: the reference sidecar's `rules:` section.
//!
//! A rule is an id, a list of patterns (compiled with `regex-lite` when the
//! configuration loads; an invalid pattern is a load error naming the rule
//! and the pattern index), the request parts it applies to, and an action.
//! Patterns are matched against each extracted value of those parts (path,
//! each query parameter name and value, each body value, each inspected
//! header, each cookie), both as received and normalised.
//!
//! ```
//! use envoy_rasp::engine::detect::custom::{CustomRule, CustomRuleConfig, Target};
//!
//! let cfg: CustomRuleConfig = serde_json::from_str(
//!     r#"{"id": "no-wp", "patterns": ["(?i)^/wp-(admin|login)"], "targets": ["path"]}"#,
//! ).unwrap();
//! let rule = CustomRule::compile(&cfg, "custom_rules[0]").unwrap().unwrap();
//! assert!(rule.applies_to(Target::Path));
//! assert!(rule.find("/WP-login.php").is_some());
//! assert!(rule.find("/blog/wp").is_none());
//! ```

use regex_lite::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

// Custom rules name request parts as the surfaces group them; re-exported
// under the name the rules' documentation uses.
pub use crate::engine::surface::Target;

fn all_targets() -> Vec<Target> {
    Target::ALL.to_vec()
}

fn yes() -> bool {
    true
}

/// One entry of `custom_rules`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRuleConfig {
    /// Rule identifier, unique, reported in events as `rule`. Required.
    pub id: String,
    /// Regular expressions (`regex-lite` syntax: no look-around, no
    /// back-references; use `(?i)` for case-insensitive). A value matches
    /// the rule if any pattern matches. Required, non-empty.
    pub patterns: Vec<String>,
    /// Request parts the rule applies to. Default: all of `path`, `query`,
    /// `body`, `headers`, `cookies`.
    #[serde(default = "all_targets")]
    pub targets: Vec<Target>,
    /// `block` (default), `log` or `off`.
    #[serde(default)]
    pub action: Action,
    /// `false` disables the rule (same as `action: off`). Default true.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `false` suppresses the event log line (metrics still count).
    /// Default true.
    #[serde(default = "yes")]
    pub log: bool,
    /// Free text for humans. Default empty.
    #[serde(default)]
    pub description: String,
}

/// A compiled custom rule.
#[derive(Clone, Debug)]
pub struct CustomRule {
    pub id: String,
    patterns: Vec<Regex>,
    targets: u8,
    pub action: Action,
    pub log: bool,
}

/// Longest accepted pattern, in bytes.
const MAX_PATTERN_LEN: usize = 4096;

/// Largest compiled pattern, in bytes.
const MAX_COMPILED_BYTES: usize = 256 * 1024;

impl CustomRule {
    /// Compiles one rule; `None` when it is disabled. `field` is the rule's
    /// path in the document (`custom_rules[3]`) for error messages.
    pub fn compile(cfg: &CustomRuleConfig, field: &str) -> Result<Option<CustomRule>, ConfigError> {
        let id_ok = !cfg.id.is_empty()
            && cfg.id.len() <= 128
            && cfg
                .id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(&c));
        if !id_ok {
            return Err(ConfigError::new(
                format!("{field}.id"),
                format!(
                    "rule id {:?} must be 1-128 characters of letters, digits, '-', '_', '.', ':'",
                    cfg.id
                ),
            ));
        }
        if cfg.patterns.is_empty() {
            return Err(ConfigError::new(
                format!("{field}.patterns"),
                format!("rule {:?} needs at least one pattern", cfg.id),
            ));
        }
        if cfg.targets.is_empty() {
            return Err(ConfigError::new(
                format!("{field}.targets"),
                format!("rule {:?} needs at least one target", cfg.id),
            ));
        }
        let mut patterns = Vec::with_capacity(cfg.patterns.len());
        for (i, p) in cfg.patterns.iter().enumerate() {
            let pfield = format!("{field}.patterns[{i}]");
            if p.len() > MAX_PATTERN_LEN {
                return Err(ConfigError::new(
                    pfield,
                    format!(
                        "rule {:?}: pattern longer than {MAX_PATTERN_LEN} bytes",
                        cfg.id
                    ),
                ));
            }
            // The matcher's time is O(pattern size × value size): refuse
            // patterns that compile huge (`c{282000}`) instead of paying
            // milliseconds on every request.
            let re = RegexBuilder::new(p)
                .size_limit(MAX_COMPILED_BYTES)
                .build()
                .map_err(|e| {
                    ConfigError::new(
                        pfield,
                        format!("rule {:?}: invalid regular expression {p:?}: {e}", cfg.id),
                    )
                })?;
            patterns.push(re);
        }
        if !cfg.enabled || cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(CustomRule {
            id: cfg.id.clone(),
            patterns,
            targets: cfg.targets.iter().fold(0, |acc, t| acc | t.bit()),
            action: cfg.action,
            log: cfg.log,
        }))
    }

    /// True if the rule applies to values of `target`.
    pub fn applies_to(&self, target: Target) -> bool {
        self.targets & target.bit() != 0
    }

    /// The byte range of the first match of any pattern in `value`.
    pub fn find(&self, value: &str) -> Option<(usize, usize)> {
        self.patterns
            .iter()
            .find_map(|re| re.find(value).map(|m| (m.start(), m.end())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> Result<Option<CustomRule>, ConfigError> {
        let cfg: CustomRuleConfig = serde_json::from_str(json).unwrap();
        CustomRule::compile(&cfg, "custom_rules[0]")
    }

    #[test]
    fn defaults_apply_everywhere_and_block() {
        let r = rule(r#"{"id": "r1", "patterns": ["evil"]}"#)
            .unwrap()
            .unwrap();
        for t in all_targets() {
            assert!(r.applies_to(t));
        }
        assert_eq!(r.action, Action::Block);
        assert!(r.log);
        assert_eq!(r.find("an evil thing"), Some((3, 7)));
    }

    #[test]
    fn disabled_rules_compile_to_none_but_are_still_validated() {
        assert!(rule(r#"{"id": "r", "patterns": ["x"], "enabled": false}"#)
            .unwrap()
            .is_none());
        assert!(rule(r#"{"id": "r", "patterns": ["x"], "action": "off"}"#)
            .unwrap()
            .is_none());
        let e = rule(r#"{"id": "r", "patterns": ["("], "enabled": false}"#).unwrap_err();
        assert_eq!(e.field(), "custom_rules[0].patterns[0]");
    }

    #[test]
    fn bad_rules_are_rejected() {
        assert_eq!(
            rule(r#"{"id": "", "patterns": ["x"]}"#)
                .unwrap_err()
                .field(),
            "custom_rules[0].id"
        );
        assert_eq!(
            rule(r#"{"id": "a b", "patterns": ["x"]}"#)
                .unwrap_err()
                .field(),
            "custom_rules[0].id"
        );
        assert_eq!(
            rule(r#"{"id": "a", "patterns": []}"#).unwrap_err().field(),
            "custom_rules[0].patterns"
        );
        assert_eq!(
            rule(r#"{"id": "a", "patterns": ["x"], "targets": []}"#)
                .unwrap_err()
                .field(),
            "custom_rules[0].targets"
        );
        let e = rule(r#"{"id": "a", "patterns": ["ok", "[z-a]"]}"#).unwrap_err();
        assert_eq!(e.field(), "custom_rules[0].patterns[1]");
        assert!(e.message().contains("invalid regular expression"), "{e}");
    }

    #[test]
    fn patterns_that_compile_huge_are_refused() {
        let e = rule(r#"{"id": "a", "patterns": ["(?i)(a|b)*c{282000}"]}"#).unwrap_err();
        assert_eq!(e.field(), "custom_rules[0].patterns[0]");
        assert!(rule(r#"{"id": "a", "patterns": ["(?i)(union|select|insert|update|delete|drop)\\s+\\w{1,64}"]}"#)
            .unwrap()
            .is_some());
    }

    #[test]
    fn targets_restrict() {
        let r = rule(r#"{"id": "a", "patterns": ["x"], "targets": ["query", "cookies"]}"#)
            .unwrap()
            .unwrap();
        assert!(r.applies_to(Target::Query));
        assert!(r.applies_to(Target::Cookies));
        assert!(!r.applies_to(Target::Path));
        assert!(!r.applies_to(Target::Body));
        assert!(!r.applies_to(Target::Headers));
    }
}
