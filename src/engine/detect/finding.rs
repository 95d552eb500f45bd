//! The attack classes ([`AttackType`]) and one detection in one request
//! ([`Finding`]), as events, metrics and replies name them.
//!
//! A leaf: it imports only the outcome vocabulary ([`Taken`]), so events,
//! metrics and replies name attacks without importing the detectors.

use super::attack::AttackType;
use crate::engine::mode::Taken;

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
