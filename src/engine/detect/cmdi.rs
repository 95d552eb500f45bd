//! OS command injection detector.
//!
//! (Skeleton: the detection logic lands with its own issue.)

use serde::{Deserialize, Serialize};

use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};

/// Configuration section `command_injection`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CmdiConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Commands always treated as commands, in addition to the built-in
    /// list. Default: the reference's `["/bin/sh", "/bin/bash", "wget", "curl"]`.
    pub blacklist: Vec<String>,
}

impl Default for CmdiConfig {
    fn default() -> Self {
        CmdiConfig {
            action: Action::Block,
            blacklist: ["/bin/sh", "/bin/bash", "wget", "curl"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Cmdi {
    action: Action,
}

impl Cmdi {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &CmdiConfig, _field: &str) -> Result<Option<Cmdi>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Cmdi { action: cfg.action }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value.
    pub fn detect(&self, _value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        None
    }
}
