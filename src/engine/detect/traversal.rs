//! Path traversal detector.
//!
//! (Skeleton: the detection logic lands with its own issue.)

use serde::{Deserialize, Serialize};

use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};

/// Configuration section `path_traversal`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TraversalConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Directories under which absolute paths are allowed. Default: the
    /// reference's `["/app/data", "/tmp"]`.
    pub whitelist: Vec<String>,
}

impl Default for TraversalConfig {
    fn default() -> Self {
        TraversalConfig {
            action: Action::Block,
            whitelist: vec!["/app/data".to_string(), "/tmp".to_string()],
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Traversal {
    action: Action,
}

impl Traversal {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &TraversalConfig, _field: &str) -> Result<Option<Traversal>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Traversal { action: cfg.action }))
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
