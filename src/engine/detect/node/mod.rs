//! Node.js injection detector: code that a server-side `eval`,
//! `vm.runInContext` or `node-serialize` would run.
//!
//! Rules (`Hit::rule`):
//!
//! * `node.serialized_function`: the `node-serialize` function marker
//!   `_$$ND_FUNC$$_`, which makes `unserialize` compile the text after it
//!   (it exists in requests only to be abused, like Java's `$$BCEL$$`),
//!   also in a value that is base64 as a whole (a cookie).
//! * `node.function_constructor`: the `Function` constructor, which turns
//!   a string into code: `new Function(`, or reached through the
//!   prototype chain as sandbox escapes do, `this.constructor.constructor`,
//!   `constructor['constructor']`, a React Flight path
//!   `"$1:constructor:constructor"`.
//! * `node.process`: the process internals that reach `require` or native
//!   bindings from injected code: `process.mainModule`,
//!   `process['mainModule']`, `process.binding(`.
//! * `node.flight_reference`: a React Server Components reference (`"$7:…"`)
//!   whose path walks into `__proto__`, `prototype` or `constructor`
//!   (CVE-2025-55182): a model reference names fields of the model, never
//!   an object's prototype.
//! * `node.dos_loop`: an infinite loop with nothing in it, `while(true);`,
//!   `while(!0)`, `while(new Date)`, `for(;;);` — a condition that is a
//!   constant truthy expression and an empty body: code that blocks the
//!   event loop of whatever evaluates it. A loop with a body
//!   (`while (true) { … }` in a code snippet), a condition naming a
//!   variable (`while(x);`) and prose ("a while (true) loop") pass.
//!
//! Prose and code talk pass: "process.env.PORT", `require('./routes')`,
//! "the constructor of the class", `console.log(x)`, `function() {}`. So
//! do bare probes that do nothing themselves (`process.env`,
//! `console.info(1)`, `__js_function`): they are listed as deliberate
//! misses where CRS counts them.
//!
//! Cost: a value under [`MIN_LEN`] bytes costs a length test; otherwise
//! each reading is one substring search for its anchor word, then bounded
//! reads around each occurrence; the base64 reading decodes one value of
//! at most [`MAX_BASE64`] bytes once.
//!
//! ```
//! use envoy_rasp::engine::detect::node::{Node, NodeConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Node::compile(&NodeConfig::default(), "node_injection").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Query);
//! assert_eq!(d.detect(b"while(!0);", &ctx).unwrap().rule, "node.dos_loop");
//! assert_eq!(d.detect(b"this.constructor.constructor('return process')()", &ctx).unwrap().rule, "node.function_constructor");
//! assert!(d.detect(b"while (true) { read(); }", &ctx).is_none());
//! assert!(d.detect(b"set process.env.PORT to 8080", &ctx).is_none());
//! ```

mod code;
#[cfg(test)]
mod tests;

use crate::engine::bytes::base64::{Alphabet, Strict};
use crate::engine::detect::detector::Detector;
use crate::engine::error::{ConfigError, ConfigErrors, FieldPath};
use crate::engine::mode::Action;
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{Hit, ValueCtx};

/// Configuration section `node_injection`.
///
/// ```json
/// {"node_injection": {"action": "block"}}
/// ```
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NodeConfig {
    /// What a finding does: `block` (default), `log` (log and count, let
    /// the request through) or `off` (the detector does not run).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Node {
    action: Action,
}

/// Shortest value that can hold a payload (`for(;;)`).
pub const MIN_LEN: usize = 8;

/// Longest value decoded as base64 (a cookie or a parameter, not a body).
pub const MAX_BASE64: usize = 8192;

impl Node {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &NodeConfig, _field: &str) -> Result<Option<Node>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Node { action: cfg.action }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value (names too: a JSON key can carry the marker).
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        if value.len() < MIN_LEN {
            return None;
        }
        code::read(value).or_else(|| base64_value(value))
    }
}

/// A value that is base64 as a whole, read again decoded: a cookie holding
/// a serialized object. The hit spans the whole value (the evidence is in
/// its decoding).
fn base64_value(v: &[u8]) -> Option<Hit> {
    let t = v.trim_ascii();
    if t.len() < 12 || t.len() > MAX_BASE64 {
        return None;
    }
    let decoded = Strict(Alphabet::Either).decode(t)?;
    let h = code::read(&decoded)?;
    let rule = match h.rule.as_ref() {
        "node.serialized_function" => "node.serialized_function",
        "node.dos_loop" => "node.dos_loop",
        _ => return None,
    };
    Some(Hit::new(
        rule,
        "Node.js payload in a base64-encoded value",
        0,
        v.len(),
    ))
}

impl Detector for Node {
    type Config = NodeConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Node.js injection detector: node-serialize function markers, the Function constructor (`new Function(`, `constructor.constructor`), process internals, React Flight prototype references, empty infinite loops."),
        FieldNote::new("action", ACTION_NOTE),
    ];

    fn compile(cfg: &NodeConfig, at: &FieldPath) -> Result<Option<Node>, ConfigErrors> {
        Ok(Node::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Node::action(self)
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Node::detect(self, value, ctx)
    }
}
