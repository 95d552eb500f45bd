//! The `command_injection` configuration section and its compilation
//! into a [`Cmdi`] (built-in command table plus the blacklist, indexed).

use serde::{Deserialize, Serialize};

use crate::engine::config::{Action, ConfigError};

use super::names::{bloom_bits, sketch_bit, MAX_NAME};
use super::table::{COMMANDS, S};
use super::util::fnv;
use super::Cmdi;

/// Configuration section `command_injection`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CmdiConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
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
        table.sort_by(|a, b| a.0.cmp(&b.0));
        table.dedup_by(|a, b| {
            if a.0 == b.0 {
                b.1 |= a.1;
                true
            } else {
                false
            }
        });
        let mut bloom = vec![0u64; 64];
        let mut sketch = vec![0u64; 64];
        for (n, _) in &table {
            for bit in bloom_bits(fnv(n)) {
                if let Some(slot) = bloom.get_mut(bit / 64) {
                    *slot |= 1u64 << (bit % 64);
                }
            }
            let bit = sketch_bit(n);
            if let Some(slot) = sketch.get_mut(bit / 64) {
                *slot |= 1u64 << (bit % 64);
            }
        }
        let size = (table.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![0u32; size];
        for (i, (n, _)) in table.iter().enumerate() {
            let mut at = (fnv(n) as usize) & (size - 1);
            while slots.get(at).is_some_and(|&x| x != 0) {
                at = (at + 1) & (size - 1);
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = u32::try_from(i + 1).unwrap_or(0);
            }
        }
        Ok(Some(Cmdi {
            action: cfg.action,
            table,
            bloom,
            sketch,
            slots,
        }))
    }
}
