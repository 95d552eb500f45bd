//! The `path_traversal` configuration section and its compiled form.

use crate::engine::detect::detector::Detector;
use crate::engine::detect::hit::{Hit, ValueCtx};
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::path::{canonicalize, drive_at};
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

/// Configuration section `path_traversal`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TraversalConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Directories under which absolute paths are allowed (after `.` and
    /// `..` segments are resolved, compared case-insensitively). Default
    /// empty: the reference design's `["/app/data", "/tmp"]` are its
    /// example's directories (`examples/openrasp-reference.json`), not
    /// every application's. Entries must be absolute (`/dir` or `C:\dir`).
    pub whitelist: Vec<String>,
    /// Whether one plain parent step (`../img/a.png`) whose target is not a
    /// sensitive file is allowed, as relative links are. `true` (default);
    /// `false` flags every `..` segment in values.
    pub allow_single_parent: bool,
}

impl Default for TraversalConfig {
    fn default() -> Self {
        TraversalConfig {
            action: Action::Block,
            sensitivity: None,
            whitelist: Vec::new(),
            allow_single_parent: true,
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Traversal {
    pub(super) action: Action,
    /// Canonical whitelist entries: lowercase, `/`-separated, no trailing
    /// slash (`/tmp`, `c:/data`).
    pub(super) whitelist: Vec<Vec<u8>>,
    pub(super) allow_single_parent: bool,
}

impl Traversal {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &TraversalConfig, field: &str) -> Result<Option<Traversal>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        let mut whitelist = Vec::with_capacity(cfg.whitelist.len());
        for (i, entry) in cfg.whitelist.iter().enumerate() {
            let e = entry.as_bytes();
            let absolute = matches!(e.first(), Some(b'/' | b'\\')) || drive_at(e, 0);
            if !absolute {
                return Err(ConfigError::new(
                    format!("{field}.whitelist[{i}]"),
                    format!("directory `{entry}` must be an absolute path"),
                ));
            }
            if e.windows(2).any(|w| w == b"..") {
                return Err(ConfigError::new(
                    format!("{field}.whitelist[{i}]"),
                    format!("directory `{entry}` must not contain `..`"),
                ));
            }
            let mut canon = Vec::new();
            canonicalize(e, &mut canon);
            whitelist.push(canon);
        }
        Ok(Some(Traversal {
            action: cfg.action,
            whitelist,
            allow_single_parent: cfg.allow_single_parent,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }
}
impl Detector for Traversal {
    type Config = TraversalConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Path traversal / local file inclusion detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("whitelist", "Directories under which absolute paths are allowed."),
        FieldNote::new("whitelist[]", "An absolute directory."),
        FieldNote::new("allow_single_parent", "Let a single plain `../` pass (relative links such as `../images/a.png`); two or more climbs, encoded climbs, climbs after a root or to a sensitive file are still flagged."),
    ];

    fn compile(cfg: &TraversalConfig, at: &FieldPath) -> Result<Option<Traversal>, ConfigErrors> {
        Ok(Traversal::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Traversal::action(self)
    }

    /// The classes of `classify` (`.`, separators, `:`, `?`, `%`,
    /// controls, bytes ≥ 0x80, `0x`), or a base64 path (eight bytes or
    /// more).
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::bytes::Signature as S;
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"./\\:?%")
            .or_any(S::CTRL | S::HIGH | S::LONG)
            .or_all(S::DIGIT | S::letter(b'x'));
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Traversal::detect(self, value, ctx)
    }
}
