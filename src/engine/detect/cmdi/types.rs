//! The compiled detector ([`Cmdi`]) and a finding inside one scanned
//! text ([`Found`]): the two types every part of the detector shares, in a
//! leaf so that the parts import them without importing `mod.rs`.

use super::names::Names;
use crate::engine::mode::Action;

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Cmdi {
    pub(super) action: Action,
    /// The command names known, indexed.
    pub(super) names: Names,
}

/// A finding (offsets in the scanned text).
#[derive(Clone, Copy, Debug)]
pub(super) struct Found {
    pub(super) rule: &'static str,
    pub(super) reason: &'static str,
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Found {
    pub(super) fn new(rule: &'static str, reason: &'static str, start: usize, end: usize) -> Found {
        Found {
            rule,
            reason,
            start,
            end,
        }
    }
}
