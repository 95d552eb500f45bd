//! SQL injection detector.
//!
//! (Skeleton: the detection logic lands with its own issue.)

use serde::{Deserialize, Serialize};

use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};

/// Configuration section `sql_injection`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SqliConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Values shorter than this many bytes are not inspected. Default 0.
    pub min_length: usize,
    /// Locations (e.g. `query:sql`, `json:$.query`) where SQL is expected and
    /// this detector does not run. Default empty.
    pub whitelist: Vec<String>,
}

impl Default for SqliConfig {
    fn default() -> Self {
        SqliConfig {
            action: Action::Block,
            min_length: 0,
            whitelist: Vec::new(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Sqli {
    action: Action,
}

impl Sqli {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &SqliConfig, _field: &str) -> Result<Option<Sqli>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Sqli { action: cfg.action }))
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
