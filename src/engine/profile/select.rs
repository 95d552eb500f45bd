//! The `profiles` section as written ([`ProfileConfig`]) and what of it
//! is checked without the rest of the configuration: names and match
//! conditions ([`compile_match`]). Each profile's configuration is the
//! global one deep-merged with its `config` object and compiled in full by
//! `config::profiles`, once at configure time, so a request pays only for
//! choosing one: the first profile whose conditions hold, O(conditions).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::when::{HeaderMatch, When, WhenConfig};
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::Bounds;

/// Most profiles: each is a compiled configuration held by every VM, and
/// its name is a metric label value.
pub const MAX_PROFILES: usize = 64;
/// `profiles` list size, for the schema.
pub const PROFILES_RANGE: Bounds = Bounds::new(0, MAX_PROFILES as u64);
/// Longest profile name (it is a metric label value).
pub const MAX_NAME_BYTES: usize = 64;

/// Top-level sections a profile may not override: they are per VM (the
/// SIEM queue, the rate limiter's shared table) or would nest.
pub const NOT_IN_PROFILE: &[&str] = &["siem", "rate_limit", "profiles", "shadow"];

/// When a profile applies: every condition set must hold; `{}` matches
/// every request (a catch-all last profile).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileMatchConfig {
    /// `:authority` without its port: exact or `*.example.com`. Default
    /// `null`: any.
    pub authority: Option<String>,
    /// Path prefix of the decoded, dot-segment-free path. Default `null`:
    /// any.
    pub path_prefix: Option<String>,
    /// HTTP method. Default `null`: any.
    pub method: Option<String>,
    /// A request header with this exact value. The client controls its
    /// headers: use one a trusted proxy in front sets (or strips). Default
    /// `null`: any.
    pub header: Option<HeaderMatch>,
    /// Envoy's route name (the `xds.route_name` property; read only when
    /// some profile sets this). Default `null`: any.
    pub route: Option<String>,
}

/// One profile, as written.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// The profile's name: 1–64 lowercase letters, digits or `_`, unique.
    /// It is the `profile` field of events and the `profile` metric label.
    pub name: String,
    /// When the profile applies.
    #[serde(rename = "match", default)]
    pub when: ProfileMatchConfig,
    /// The profile's configuration: any top-level fields but `siem`,
    /// `rate_limit`, `profiles` and `shadow`, merged over the global
    /// configuration (objects merge field by field, everything else,
    /// lists included, replaces). Default `{}`: the global configuration.
    #[serde(default)]
    pub config: Map<String, Value>,
}

/// `shadow.sample_percent`.
pub const SAMPLE_PERCENT_RANGE: Bounds = Bounds::new(0, 100);

/// A shadow configuration: evaluated next to the live one, never acting.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShadowConfig {
    /// Percentage of requests also run through the shadow configuration
    /// (0–100). Default 100.
    #[serde(default = "default_sample")]
    pub sample_percent: u64,
    /// The shadow configuration: a complete plugin configuration (not
    /// merged with the live one), without `siem`, `rate_limit` or
    /// `shadow`. Required.
    pub config: Map<String, Value>,
}

fn default_sample() -> u64 {
    100
}

/// True for a valid profile name.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_BYTES
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// Checks a profile's name (unique among `seen`) and compiles its match
/// conditions; the configuration is compiled elsewhere.
pub fn compile_match(
    p: &ProfileConfig,
    seen: &[&str],
    at: &FieldPath,
    errors: &mut ConfigErrors,
) -> When {
    if !valid_name(&p.name) {
        errors.push(at.key("name").error(format!(
            "expected 1-{MAX_NAME_BYTES} lowercase letters, digits or `_`, got {:?}",
            p.name
        )));
    } else if seen.contains(&p.name.as_str()) {
        errors.push(
            at.key("name")
                .error(format!("profile {:?} is defined twice", p.name)),
        );
    }
    let m = &p.when;
    let mat = at.key("match");
    let mut w = When::compile(
        &WhenConfig {
            authority: m.authority.clone(),
            path_prefix: m.path_prefix.clone(),
            method: m.method.clone(),
        },
        &mat,
        errors,
    );
    w.header = m
        .header
        .as_ref()
        .map(|h| When::compile_header(h, &mat.key("header"), errors));
    if let Some(r) = &m.route {
        if r.is_empty() || r.len() > 256 {
            errors.push(mat.key("route").error("must be 1-256 characters"));
        }
        w.route = Some(r.clone());
    }
    for key in NOT_IN_PROFILE {
        if p.config.contains_key(*key) {
            errors.push(at.key("config").key(key).error(format!(
                "`{key}` is set for the whole filter, not per profile"
            )));
        }
    }
    w
}

/// `over` merged into `base`: objects field by field (recursively),
/// anything else replaced. The depth is the configuration's own (a few
/// levels), bounded by the JSON parser's recursion limit.
pub fn deep_merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) => deep_merge(slot, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_merge_and_everything_else_replaces() {
        let mut base = json!({"mode": "block", "xss": {"action": "block", "whitelist": ["a"]},
                              "custom_rules": [1, 2]});
        deep_merge(
            &mut base,
            &json!({"mode": "monitor", "xss": {"whitelist": []}, "custom_rules": [3]}),
        );
        assert_eq!(
            base,
            json!({"mode": "monitor", "xss": {"action": "block", "whitelist": []},
                   "custom_rules": [3]})
        );
    }

    #[test]
    fn names_are_label_values() {
        assert!(valid_name("admin_api") && valid_name("a1"));
        assert!(!valid_name("") && !valid_name("Admin") && !valid_name("a-b"));
        assert!(!valid_name(&"a".repeat(65)));
    }
}
