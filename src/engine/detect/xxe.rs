//! XML external entity detector.
//!
//! (Skeleton: the detection logic lands with its own issue.)

use serde::{Deserialize, Serialize};

use super::Hit;
use crate::engine::config::{Action, ConfigError};

/// Configuration section `xxe`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct XxeConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Reject any document with a DOCTYPE. Default false.
    pub reject_doctype: bool,
}

impl Default for XxeConfig {
    fn default() -> Self {
        XxeConfig {
            action: Action::Block,
            reject_doctype: false,
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Xxe {
    action: Action,
}

impl Xxe {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &XxeConfig, _field: &str) -> Result<Option<Xxe>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Xxe { action: cfg.action }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one XML document.
    pub fn detect_document(&self, _doc: &[u8]) -> Option<Hit> {
        None
    }
}
