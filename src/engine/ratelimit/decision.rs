//! The outcome of a check ([`Decision`]) and how it is built from the
//! limit, the section's `action` and the global mode.

use super::config::RateAction;
use super::gcra::{remaining, secs_ceil, Limit, Over};
use super::keys::RateKey;
use super::limiter::RateLimiter;
use super::page::Write;
use crate::engine::mode::Mode;
use crate::engine::mode::Taken;

/// The outcome of [`RateLimiter::check`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// Index of the matching `rate_limit.rules` entry; `None` for the
    /// default limit.
    pub rule: Option<usize>,
    /// The request may pass (always true unless throttled).
    pub allowed: bool,
    /// The request is over its limit (whatever was done about it).
    pub limited: bool,
    /// When `limited`: `Block` (throttled, 429), `Log` (`action: log`) or
    /// `Monitor` (`mode: monitor`).
    pub taken: Option<Taken>,
    /// The bucket size (`x-ratelimit-limit`).
    pub limit: u64,
    /// Requests the client may still send at once (`x-ratelimit-remaining`).
    pub remaining: u64,
    /// Seconds until the bucket is full again (`x-ratelimit-reset`).
    pub reset_seconds: u64,
    /// When `limited`: seconds until a request would be admitted
    /// (`retry-after`), at least 1. 0 otherwise.
    pub retry_after_seconds: u64,
    /// The key had no bucket yet (a new entry was written).
    pub new_key: bool,
    /// Writing the bucket evicted another one (its page was full).
    pub evicted: bool,
    /// The CAS retries were exhausted; `on_contention` decided.
    pub contention: bool,
    /// The store failed (or no clock): admitted without recording.
    pub store_error: bool,
    /// The key came from the `fallback`.
    pub fallback: bool,
}

impl Decision {
    /// True when the request gets the 429 reply.
    pub fn throttled(&self) -> bool {
        self.taken == Some(Taken::Block)
    }
}

impl RateLimiter {
    pub(super) fn base(&self, key: &RateKey, limit: &Limit) -> Decision {
        Decision {
            rule: limit.rule,
            limit: limit.burst,
            fallback: key.fallback,
            ..Decision::default()
        }
    }

    /// Admitted without a write (store trouble, no clock).
    pub(super) fn unrecorded(
        &self,
        key: &RateKey,
        limit: Option<&Limit>,
        store_error: bool,
    ) -> Decision {
        let mut d = match limit {
            Some(l) => self.base(key, l),
            None => Decision {
                fallback: key.fallback,
                ..Decision::default()
            },
        };
        d.allowed = true;
        d.store_error = store_error;
        if let Some(l) = limit {
            d.remaining = l.burst.saturating_sub(1);
        }
        d
    }

    /// Over the limit: what to do under `action` and `mode`.
    pub(super) fn limited(&self, key: &RateKey, limit: &Limit, over: Over) -> Decision {
        let mut d = self.base(key, limit);
        d.limited = true;
        let taken = match (self.action, self.mode) {
            (RateAction::Log, _) => Taken::Log,
            (RateAction::Throttle, Mode::Monitor) => Taken::Monitor,
            (RateAction::Throttle, Mode::Block) => Taken::Block,
        };
        d.taken = Some(taken);
        d.allowed = taken != Taken::Block;
        d.remaining = 0;
        d.reset_seconds = secs_ceil(limit.ns_ceil(over.tat_minus_now));
        d.retry_after_seconds = secs_ceil(limit.ns_ceil(over.retry_units)).max(1);
        d
    }

    /// Admitted and recorded (the page `w` was written).
    pub(super) fn admitted(&self, key: &RateKey, limit: &Limit, w: &Write) -> Decision {
        let mut d = self.base(key, limit);
        d.allowed = true;
        d.remaining = remaining(limit, w.new_tat_minus_now);
        d.reset_seconds = secs_ceil(limit.ns_ceil(w.new_tat_minus_now));
        d.new_key = w.new_key;
        d.evicted = w.evicted;
        d
    }
}
