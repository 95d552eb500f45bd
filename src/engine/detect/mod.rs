//! Detectors: one module per attack class.
//!
//! Value detectors (`sqli`, `xss`, `cmdi`, `traversal`, `ssrf`) read one
//! extracted, normalised value at a time and answer with an optional
//! [`Hit`]: which structure matched (`rule`, `reason`) and where (`start..end`
//! in the value they were given). Document detectors read a whole structure:
//! `xxe` an XML document, `upload` a multipart file part.
//!
//! Every detector implements one contract, [`Detector`]: it owns its
//! configuration section (`…Config`, serde, documented, with its schema
//! notes) and its compiled form, built by `compile` and `None` when the
//! action is `off`, so disabled detectors cost nothing. The table in
//! `registry.rs` lists the detectors once; the attack types (`attack.rs`),
//! the compiled set and its scan loop (`set.rs`), the configuration fields
//! and the schema follow from it. A new detector is one module plus one
//! table line.

mod attack;
pub mod cmdi;
pub mod crlf;
pub mod custom;
mod detector;
pub mod jndi;
pub(crate) mod registry;
pub mod scanner;
pub mod sensitive_path;
mod set;
pub mod sqli;
pub mod ssrf;
pub mod traversal;
pub mod upload;
pub mod xss;
pub mod xxe;

use std::borrow::Cow;

use super::surface::Surface;

// The shared vocabulary lives in a leaf module; re-exported where it was.
pub use super::mode::{Action, Taken};

pub use attack::AttackType;
pub use detector::Detector;
pub use set::{Detectors, SECTIONS};

/// What a detector reports: the structure that matched and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Stable rule identifier, e.g. `sqli.tautology`, `xss.event_handler`.
    pub rule: Cow<'static, str>,
    /// Human-readable reason: which structure was recognised.
    pub reason: Cow<'static, str>,
    /// Byte offsets of the evidence in the inspected value.
    pub start: usize,
    pub end: usize,
}

impl Hit {
    /// A hit with static rule and reason strings.
    pub fn new(rule: &'static str, reason: &'static str, start: usize, end: usize) -> Hit {
        Hit {
            rule: Cow::Borrowed(rule),
            reason: Cow::Borrowed(reason),
            start,
            end,
        }
    }
}

/// How a value is placed in the request, for detectors whose reading
/// depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueCtx {
    pub surface: Surface,
    /// The value is a parameter name / JSON key rather than a value.
    pub is_key: bool,
}

impl ValueCtx {
    /// A parameter value on `surface`.
    pub fn value(surface: Surface) -> ValueCtx {
        ValueCtx {
            surface,
            is_key: false,
        }
    }
}

/// One detection in one request, ready for logging and metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub attack: AttackType,
    /// Detector rule id (`sqli.union_select`) or custom rule id.
    pub rule: String,
    /// Which structure matched.
    pub reason: String,
    /// Where: `query:q`, `json:$.user.name`, `header:user-agent`, ….
    pub location: String,
    /// Excerpt of the matching part, truncated and escaped.
    pub evidence: String,
    /// What was done.
    pub taken: Taken,
    /// Whether an event line is written (custom rules can turn it off).
    pub log: bool,
}
