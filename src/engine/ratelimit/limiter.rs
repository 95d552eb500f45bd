//! [`RateLimiter`]: the compiled `rate_limit` section. Its methods live
//! next to what they use (keying in `keys.rs`, decisions in `decision.rs`,
//! the store loops in `store.rs`, replies in `reply.rs`, the sweep in
//! `sweep.rs`); this file holds the fields they share.

use super::config::{ContentionPolicy, RateAction};
use super::gcra::Limit;
use super::keys::{KeySpec, Rule};
use crate::engine::mode::Mode;

/// The compiled `rate_limit` section: keys requests, decides against the
/// shared store, builds replies and headers, sweeps.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    pub(super) mode: Mode,
    pub(super) action: RateAction,
    pub(super) key: KeySpec,
    /// `limits[0]` is the default; rules' limits follow.
    pub(super) limits: Vec<Limit>,
    pub(super) rules: Vec<Rule>,
    pub(super) pages: u32,
    pub(super) attempts: u32,
    pub(super) on_contention: ContentionPolicy,
    pub(super) response_headers: bool,
    pub(super) attack_cost: u32,
}

impl RateLimiter {
    /// Number of pages in the shared table.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// Tokens to [`charge`](Self::charge) for a request carrying an attack
    /// (`attack_cost`; 0 = off).
    pub fn attack_cost(&self) -> u32 {
        self.attack_cost
    }

    /// True when allowed responses get the `x-ratelimit-*` headers.
    pub fn adds_response_headers(&self) -> bool {
        self.response_headers
    }
}
