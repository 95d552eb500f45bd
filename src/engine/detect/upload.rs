//! Malicious upload detector.
//!
//! (Skeleton: the detection logic lands with its own issue.)

use serde::{Deserialize, Serialize};

use super::Hit;
use crate::engine::config::{Action, ConfigError};
use crate::engine::surface::FilePart;

/// Configuration section `file_upload`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Blocked file extensions. Default: the reference list.
    pub blacklist: Vec<String>,
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig {
            action: Action::Block,
            blacklist: [".php", ".jsp", ".exe", ".sh"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Upload {
    action: Action,
}

impl Upload {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &UploadConfig, _field: &str) -> Result<Option<Upload>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Upload { action: cfg.action }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one uploaded file part. The hit's span is in the file name.
    pub fn detect_file(&self, _part: &FilePart<'_>) -> Option<Hit> {
        None
    }
}
