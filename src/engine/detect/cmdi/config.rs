//! The `command_injection` configuration section and its compilation
//! into a [`Cmdi`] (built-in command table plus the blacklist, indexed).

use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

use super::names::{Names, MAX_NAME};
use super::table::{COMMANDS, S};
use super::types::Cmdi;

/// Configuration section `command_injection`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CmdiConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Commands always treated as (strong) commands, in addition to the
    /// built-in list: a name (`wget`) or a path (`/bin/sh`, whose base name
    /// is used). Default: the reference's `["/bin/sh", "/bin/bash", "wget",
    /// "curl"]`.
    pub blacklist: Vec<String>,
}

impl Default for CmdiConfig {
    fn default() -> Self {
        CmdiConfig {
            action: Action::Block,
            sensitivity: None,
            blacklist: ["/bin/sh", "/bin/bash", "wget", "curl"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

impl Cmdi {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &CmdiConfig, field: &str) -> Result<Option<Cmdi>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        let mut table: Vec<(Vec<u8>, u32)> = COMMANDS
            .iter()
            .map(|(n, f)| (n.as_bytes().to_vec(), *f))
            .collect();
        for (i, entry) in cfg.blacklist.iter().enumerate() {
            let name = entry
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if name.is_empty()
                || name.len() > MAX_NAME
                || name.bytes().any(|b| b.is_ascii_whitespace())
            {
                return Err(ConfigError::new(
                    format!("{field}.blacklist[{i}]"),
                    format!("`{entry}` is not a command name or path"),
                ));
            }
            match table
                .iter_mut()
                .find(|(n, _)| n.as_slice() == name.as_bytes())
            {
                Some(e) => e.1 |= S,
                None => table.push((name.into_bytes(), S)),
            }
        }
        Ok(Some(Cmdi {
            action: cfg.action,
            names: Names::new(table),
        }))
    }
}
