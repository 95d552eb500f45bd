//! GCRA in exact integer units: one limit's emission interval and
//! tolerance, and the arithmetic on theoretical arrival times (pure).

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
