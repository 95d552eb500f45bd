//! Cross-site scripting detector.
//!
//! (Skeleton: the detection logic lands with its own issue.)

use serde::{Deserialize, Serialize};

use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};

/// Configuration section `xss`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct XssConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
}

impl Default for XssConfig {
    fn default() -> Self {
        XssConfig {
            action: Action::Block,
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Xss {
    action: Action,
}

impl Xss {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &XssConfig, _field: &str) -> Result<Option<Xss>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Xss { action: cfg.action }))
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
