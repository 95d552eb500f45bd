//! GCRA in exact integer units: one limit's emission interval and
//! tolerance, and the arithmetic on theoretical arrival times (pure: no
//! store, no page format; see the design notes in the module above).
//!
//! Times are in units of `1/n` ns (`n` requests per period), so the
//! emission interval `t` is exactly `period × 10⁹` and the tolerance
//! `tau = (burst − 1) × t`; a TAT at or before now is a full bucket.

use super::hash::{siphash24, SIP_K0, SIP_K1};

pub(super) const NS_PER_S: u128 = 1_000_000_000;

/// One limit in exact units (see the module docs).
#[derive(Clone, Debug)]
pub(super) struct Limit {
    /// Requests per period.
    pub(super) n: u64,
    pub(super) burst: u64,
    /// Emission interval in `1/n` ns units: `period × 10⁹`.
    pub(super) t: u128,
    /// Tolerance: `(burst − 1) × t`.
    pub(super) tau: u128,
    /// Hash of everything that defines the bucket, mixed into fingerprints.
    pub(super) domain: u64,
    /// Index in `rate_limit.rules`, `None` for the section's default.
    pub(super) rule: Option<usize>,
}

impl Limit {
    pub(super) fn new(
        n: u64,
        period: u64,
        burst: u64,
        rule: Option<usize>,
        identity: &str,
    ) -> Limit {
        let t = u128::from(period) * NS_PER_S;
        let domain = siphash24(
            SIP_K0,
            SIP_K1,
            format!("{identity}|{n}/{period}|{burst}").as_bytes(),
        );
        Limit {
            n,
            burst,
            t,
            tau: u128::from(burst.saturating_sub(1)) * t,
            domain,
            rule,
        }
    }

    /// `ns` nanoseconds in this limit's units.
    pub(super) fn units(&self, ns: u64) -> u128 {
        u128::from(ns) * u128::from(self.n)
    }

    /// Units → whole nanoseconds, rounded up.
    pub(super) fn ns_ceil(&self, units: u128) -> u128 {
        units.div_ceil(u128::from(self.n.max(1)))
    }

    /// Admits `cost` requests at `now_u` (units) against a bucket whose
    /// stored TAT is `stored` (`None`: never seen, or expired): the new TAT,
    /// or how far over the limit the request is.
    pub(super) fn admit(&self, stored: Option<u128>, now_u: u128, cost: u64) -> Result<u128, Over> {
        // A bucket never seen, or with its TAT in the past, is full.
        let tat = stored.unwrap_or(now_u).max(now_u);
        let horizon = self.tau + self.t;
        let new_tat = tat.saturating_add(u128::from(cost) * self.t);
        if new_tat - now_u > horizon {
            return Err(Over {
                tat_minus_now: tat - now_u,
                retry_units: new_tat - now_u - horizon,
            });
        }
        Ok(new_tat)
    }

    /// Takes `cost` tokens whatever the bucket holds, but never below empty
    /// (a charge delays a client by at most `burst / rate`): the new TAT, or
    /// `None` when that changes nothing (the bucket is already empty).
    pub(super) fn take(&self, stored: Option<u128>, now_u: u128, cost: u64) -> Option<u128> {
        let tat = stored.unwrap_or(now_u).max(now_u);
        let horizon = self.tau + self.t;
        let new_tat = tat
            .saturating_add(u128::from(cost) * self.t)
            .min(now_u + horizon)
            .max(tat);
        if stored == Some(new_tat) || (stored.is_none() && new_tat == now_u) {
            None
        } else {
            Some(new_tat)
        }
    }
}

/// A request over its limit, in the limit's units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Over {
    /// How far the bucket's TAT is ahead of now.
    pub(super) tat_minus_now: u128,
    /// How long until a request would be admitted.
    pub(super) retry_units: u128,
}

/// `ceil(ns / 10⁹)` as u64 (saturating).
pub(super) fn secs_ceil(ns: u128) -> u64 {
    u64::try_from(ns.div_ceil(NS_PER_S)).unwrap_or(u64::MAX)
}

/// Whole tokens left when the TAT is `tat_minus_now` units ahead of now.
pub(super) fn remaining(limit: &Limit, tat_minus_now: u128) -> u64 {
    let room = (limit.tau + limit.t).saturating_sub(tat_minus_now);
    u64::try_from(room / limit.t.max(1)).unwrap_or(0)
}
