//! What a value detector is given ([`ValueCtx`]: where the value sits) and
//! what it answers ([`Hit`]: which structure matched, and where).
//!
//! A leaf under `detect`: every detector imports it, and so does the
//! module that lists the detectors, without importing one another.

use std::borrow::Cow;

use crate::engine::surface::Surface;

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
