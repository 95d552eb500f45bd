//! [`ShadowRun`]: one request through the `shadow` configuration, next to
//! the live one, in the same VM. It sees what the live request sees (the
//! head, and the body when the live filter buffered it), never sends a
//! reply, never writes its own events or metrics; when its verdict differs
//! from the live one it is counted in
//! `rasp_shadow_diff_total{from,to,type}` and logged as a `rasp.shadow`
//! event. A configuration without `shadow` never builds one.

use crate::engine::event::{self, Side};
use crate::engine::host::Host;
use crate::engine::http::RequestHead;
use crate::engine::inspect::BodyStep;
use crate::engine::policy::HeadVerdict;
use crate::engine::reply::Cause;
use crate::engine::{Engine, Transaction};

/// The shadow's transaction of one request.
pub(super) struct ShadowRun {
    tx: Transaction,
    /// The shadow wants the body (and has not had it yet).
    wants_body: bool,
}

/// True for `percent` of the seeds (a multiplicative hash spreads
/// consecutive context ids and clock values).
fn sampled(seed: u64, percent: u8) -> bool {
    if percent >= 100 {
        return true;
    }
    let h = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    h % 100 < u64::from(percent)
}

impl ShadowRun {
    /// Starts the shadow's inspection of `head` when `root` has a shadow
    /// and this request is in its sample.
    pub(super) fn start(
        root: &Engine,
        head: &RequestHead,
        route: Option<&[u8]>,
        end_of_stream: bool,
        seed: u64,
    ) -> Option<ShadowRun> {
        let percent = root.config().shadow.as_ref()?.sample_percent;
        let engine = root.shadow()?;
        if !sampled(seed, percent) {
            return None;
        }
        let mut tx = engine.select(head, route).begin(head.clone());
        let wants_body = matches!(tx.on_headers(end_of_stream), HeadVerdict::NeedBody);
        Some(ShadowRun { tx, wants_body })
    }

    /// Body data arrived (`total` so far): the shadow's size limits.
    pub(super) fn on_body_size(&mut self, total: u64) {
        if self.wants_body && self.tx.on_body_size(total) != BodyStep::Buffer {
            self.wants_body = false;
        }
    }

    /// The whole body, as the live filter read it.
    pub(super) fn on_body(&mut self, body: &[u8]) {
        if std::mem::take(&mut self.wants_body) {
            self.tx.on_body(body);
        }
    }

    /// Compares the shadow's verdict with the live `tx`'s; counts and logs
    /// a difference.
    pub(super) fn finish(&self, live: &Transaction, host: &mut dyn Host) {
        host.metrics().add_named("rasp_shadow_requests_total", 1);
        let (a, b) = (side(live), side(&self.tx));
        if a.verdict == b.verdict && a.cause == b.cause {
            return;
        }
        let cause = if b.verdict == "allow" {
            a.cause
        } else {
            b.cause
        };
        let name = format!(
            "rasp_shadow_diff_total.from.{}.to.{}.type.{cause}",
            a.verdict, b.verdict
        );
        host.metrics().add_named(&name, 1);
        let client = host.client_address();
        let now_ms = host.now_nanos() / 1_000_000;
        let line = event::shadow(&live.meta(client.as_deref(), now_ms), &a, &b);
        host.event(&line);
    }
}

/// One transaction's verdict, for the comparison.
fn side(tx: &Transaction) -> Side<'_> {
    let first = tx.findings().first();
    let (rule, location) = (
        first.map(|f| f.rule.as_str()),
        first.map(|f| f.location.as_str()),
    );
    if let Some(r) = tx.reply() {
        let cause = match r.cause {
            Cause::Attack(t) => t.as_str(),
            c => c.as_str(),
        };
        return Side {
            verdict: "block",
            cause,
            rule,
            location,
        };
    }
    let flagged = first
        .map(|f| f.attack.as_str())
        .or_else(|| tx.violations().first().map(|v| v.cause.as_str()));
    Side {
        verdict: if flagged.is_some() { "flag" } else { "allow" },
        cause: flagged.unwrap_or("none"),
        rule,
        location,
    }
}

#[cfg(test)]
mod tests {
    use super::sampled;

    #[test]
    fn sampling_takes_about_the_share_asked_for() {
        let n = (0..10_000u64).filter(|&s| sampled(s, 25)).count();
        assert!((2_000..3_000).contains(&n), "{n}");
        assert!((0..100u64).all(|s| sampled(s, 100)));
        assert!(!(0..100u64).any(|s| sampled(s, 0)));
    }
}
