//! Server-side request forgery detector.
//!
//! (Skeleton: the detection logic lands with its own issue.)

use serde::{Deserialize, Serialize};

use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};

/// Configuration section `ssrf`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SsrfConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Blocked address ranges (CIDR). Default: the reference ranges.
    pub blacklist: Vec<String>,
    /// Hosts that are always allowed. Default: the reference hosts.
    pub whitelist: Vec<String>,
}

impl Default for SsrfConfig {
    fn default() -> Self {
        SsrfConfig {
            action: Action::Block,
            blacklist: [
                "127.0.0.0/8",
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            whitelist: vec![
                "api.example.com".to_string(),
                "payment.provider.com".to_string(),
            ],
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Ssrf {
    action: Action,
}

impl Ssrf {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &SsrfConfig, _field: &str) -> Result<Option<Ssrf>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Ssrf { action: cfg.action }))
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
