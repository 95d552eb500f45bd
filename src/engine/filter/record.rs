//! How a finished request is counted in the metric catalogue.

use crate::engine::config::profiles::GLOBAL_PROFILE;
use crate::engine::detect::AttackType;
use crate::engine::metrics::{Metric, MetricsSink};
use crate::engine::mode::Taken;
use crate::engine::reply::Cause;
use crate::engine::Transaction;

/// Counts a finished transaction: the request, allowlisting, each attack
/// type once per action (and once as `excluded`), the block reply, every limit outcome with the
/// action stored with it, and the inspected bytes.
pub fn record_transaction(tx: &Transaction, sink: &mut dyn MetricsSink) {
    sink.add(Metric::Requests, 1);
    if tx.allowlisted() {
        sink.add(Metric::Allowlisted, 1);
    }
    let mut seen: Vec<(AttackType, Taken)> = Vec::new();
    for f in tx.findings() {
        if !seen.contains(&(f.attack, f.taken)) {
            seen.push((f.attack, f.taken));
            sink.add(Metric::Attack(f.attack, f.taken), 1);
        }
    }
    let mut excluded: Vec<AttackType> = Vec::new();
    for x in tx.excluded() {
        if !excluded.contains(&x.attack) {
            excluded.push(x.attack);
            sink.add(Metric::Excluded(x.attack), 1);
        }
    }
    if tx
        .reply()
        .is_some_and(|r| matches!(r.cause, Cause::Attack(_)))
    {
        sink.add(Metric::Blocked, 1);
    }
    for v in tx.limit_outcomes() {
        sink.add(Metric::Rejected(v.cause, v.taken), 1);
    }
    let bytes = tx.inspected_bytes();
    if bytes > 0 {
        sink.add(Metric::InspectedBytes, bytes);
    }
}

/// Counts a finished transaction under its profile, when profiles are
/// configured: `rasp_profile_requests_total{profile}` and, per attack type
/// and action, `rasp_profile_attacks_total{profile,type,action}`. Requests
/// no profile matched count as `global`. Bounded: at most 64 profiles
/// (names checked as label values) × the attack types × the actions.
pub fn record_profile(tx: &Transaction, sink: &mut dyn MetricsSink) {
    let profile = tx.config().profile.as_deref().unwrap_or(GLOBAL_PROFILE);
    sink.add_named(&format!("rasp_profile_requests_total.profile.{profile}"), 1);
    let mut seen: Vec<(AttackType, Taken)> = Vec::new();
    for f in tx.findings() {
        if !seen.contains(&(f.attack, f.taken)) {
            seen.push((f.attack, f.taken));
            sink.add_named(
                &format!(
                    "rasp_profile_attacks_total.profile.{profile}.type.{}.action.{}",
                    f.attack.as_str(),
                    f.taken.as_str()
                ),
                1,
            );
        }
    }
}
