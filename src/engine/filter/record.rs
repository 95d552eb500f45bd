//! How a finished request is counted in the metric catalogue.

use crate::engine::detect::AttackType;
use crate::engine::metrics::{Metric, MetricsSink};
use crate::engine::mode::Taken;
use crate::engine::reply::Cause;
use crate::engine::Transaction;

/// Counts a finished transaction: the request, allowlisting, each attack
/// type once per action, the block reply, every limit outcome with the
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
