//! What a value detector is given ([`ValueCtx`]: where the value sits) and
//! what it answers ([`Hit`]: which structure matched, and where).
//!
//! A leaf under `detect`: every detector imports it, and so does the
//! module that lists the detectors, without importing one another.

use std::borrow::Cow;

use super::field::Field;
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
    /// Where it sits in a document and what its name says
    /// ([`field`](super::field)): a parameter unless it comes from JSON,
    /// XML or a document embedded in a parameter. The inspection memo keys
    /// on it too, so a detector may read it.
    pub field: Field,
}

impl ValueCtx {
    /// A parameter value on `surface`.
    pub fn value(surface: Surface) -> ValueCtx {
        ValueCtx {
            surface,
            is_key: false,
            field: Field::PARAM,
        }
    }

    /// A parameter name (a key) on `surface`.
    pub fn key(surface: Surface) -> ValueCtx {
        ValueCtx {
            is_key: true,
            ..ValueCtx::value(surface)
        }
    }

    /// The value (or key, `is_key`) named `name` on `surface`, with its
    /// field read from the name (see [`Field::of`]).
    pub fn at(surface: Surface, name: &[u8], is_key: bool) -> ValueCtx {
        ValueCtx {
            surface,
            is_key,
            field: Field::of(surface, name),
        }
    }
}
