//! The configurations behind `profiles` and `shadow`, each compiled into a
//! complete [`Config`] once at configure time.
//!
//! A profile's configuration is the global one as read (every default
//! filled in), serialised back to JSON, with the profile's `config` object
//! deep-merged over it, then read and checked like any document. Working
//! on the JSON keeps one description of the fields (the serde structs) and
//! makes "inherit everything not written" hold for every section, present
//! and future. Errors name their field under the profile
//! (`profiles[1].config.limits.max_depth`). The shadow's `config` is a
//! whole configuration of its own, read the same way.

use std::sync::Arc;

use serde_json::Value;

use super::compose::Config;
use super::raw::RawConfig;
use crate::engine::error::{ConfigError, ConfigErrors, FieldPath};
use crate::engine::profile::select::MAX_PROFILES;
use crate::engine::profile::select::SAMPLE_PERCENT_RANGE;
use crate::engine::profile::select::{compile_match, deep_merge, NOT_IN_PROFILE};
use crate::engine::profile::When;

/// The profile name that stands for "no profile matched" in metrics.
pub const GLOBAL_PROFILE: &str = "global";

/// One profile, compiled.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub when: When,
    /// The global configuration with the profile's merged over it.
    pub config: Arc<Config>,
}

/// The compiled `profiles` section.
#[derive(Clone, Debug, Default)]
pub struct Profiles {
    pub list: Vec<Profile>,
    /// Some profile matches on the path (the canonical path is computed).
    pub needs_path: bool,
    /// Some profile matches on Envoy's route name (the property is read).
    pub needs_route: bool,
}

/// The compiled `shadow` section.
#[derive(Clone, Debug)]
pub struct Shadow {
    pub sample_percent: u8,
    pub config: Arc<Config>,
}

/// Reads and checks `doc` as a whole configuration; its errors are put
/// under `at`.
fn compile_doc(doc: &Value, at: &FieldPath, errors: &mut ConfigErrors) -> Option<Config> {
    match Config::from_json(doc.to_string().as_bytes()) {
        Ok(c) => Some(c),
        Err(es) => {
            for e in es.errors() {
                let field = if e.field().is_empty() {
                    at.as_str().to_string()
                } else {
                    format!("{}.{}", at.as_str(), e.field())
                };
                errors.push(ConfigError::of_kind(e.kind(), field, e.message()));
            }
            None
        }
    }
}

/// The global configuration as JSON, without the sections a profile
/// cannot have (the base every profile is merged over).
fn profile_base(raw: &RawConfig, errors: &mut ConfigErrors) -> Option<Value> {
    let mut base = raw.clone();
    base.profiles = Vec::new();
    base.shadow = None;
    base.siem = None;
    base.rate_limit = Default::default();
    match serde_json::to_value(&base) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(ConfigError::new(
                "profiles",
                format!("the global configuration cannot be merged: {e}"),
            ));
            None
        }
    }
}

/// Compiles every profile of `raw`. Called only once the global
/// configuration checked clean (a profile would repeat its errors).
pub(super) fn compile_profiles(raw: &RawConfig, errors: &mut ConfigErrors) -> Profiles {
    let mut out = Profiles::default();
    if raw.profiles.is_empty() {
        return out;
    }
    let at = FieldPath::root().key("profiles");
    if raw.profiles.len() > MAX_PROFILES {
        errors.push(at.error(format!(
            "at most {MAX_PROFILES} profiles, got {}",
            raw.profiles.len()
        )));
        return out;
    }
    let Some(base) = profile_base(raw, errors) else {
        return out;
    };
    let mut names: Vec<&str> = Vec::new();
    for (i, p) in raw.profiles.iter().enumerate() {
        let here = at.index(i);
        let when = compile_match(p, &names, &here, errors);
        if p.name == GLOBAL_PROFILE {
            errors.push(here.key("name").error(format!(
                "`{GLOBAL_PROFILE}` names the requests no profile matched"
            )));
        }
        names.push(&p.name);
        if NOT_IN_PROFILE.iter().any(|k| p.config.contains_key(*k)) {
            continue;
        }
        let mut doc = base.clone();
        deep_merge(&mut doc, &Value::Object(p.config.clone()));
        if let Some(mut config) = compile_doc(&doc, &here.key("config"), errors) {
            config.profile = Some(p.name.clone());
            out.needs_path |= when.path_prefix.is_some();
            out.needs_route |= when.route.is_some();
            out.list.push(Profile {
                name: p.name.clone(),
                when,
                config: Arc::new(config),
            });
        }
    }
    out
}

/// Compiles the `shadow` section of `raw`, if any.
pub(super) fn compile_shadow(raw: &RawConfig, errors: &mut ConfigErrors) -> Option<Shadow> {
    let s = raw.shadow.as_ref()?;
    let at = FieldPath::root().key("shadow");
    SAMPLE_PERCENT_RANGE.check(&at.key("sample_percent"), s.sample_percent, errors);
    let mut bad = false;
    for key in ["siem", "rate_limit", "shadow"] {
        if s.config.contains_key(key) {
            errors.push(
                at.key("config")
                    .key(key)
                    .error(format!("`{key}` is set for the live configuration only")),
            );
            bad = true;
        }
    }
    if bad {
        return None;
    }
    let config = compile_doc(&Value::Object(s.config.clone()), &at.key("config"), errors)?;
    Some(Shadow {
        sample_percent: u8::try_from(s.sample_percent.min(100)).unwrap_or(100),
        config: Arc::new(config),
    })
}
