//! What a decision looks like to the client and to the metrics: the `429`
//! reply, the `retry-after` / `x-ratelimit-*` headers, and the counters.

use super::decision::Decision;
use super::limiter::RateLimiter;
use crate::engine::metrics::{Metric, MetricsSink};
use crate::engine::policy::limit_reply;
use crate::engine::reply::{Cause, LocalReply};

impl RateLimiter {
    /// `x-ratelimit-limit`, `-remaining`, `-reset` (seconds until the bucket
    /// is full), and `retry-after` when limited.
    pub fn headers(d: &Decision) -> Vec<(String, String)> {
        let mut h = Vec::with_capacity(4);
        if d.limited {
            h.push(("retry-after".to_string(), d.retry_after_seconds.to_string()));
        }
        h.push(("x-ratelimit-limit".to_string(), d.limit.to_string()));
        h.push(("x-ratelimit-remaining".to_string(), d.remaining.to_string()));
        h.push(("x-ratelimit-reset".to_string(), d.reset_seconds.to_string()));
        h
    }

    /// Headers to add to the upstream's response of a request that passed:
    /// the `x-ratelimit-*` set when `response_headers` is on, else none.
    pub fn response_headers(&self, d: &Decision) -> Vec<(String, String)> {
        if !self.response_headers || d.throttled() || d.limit == 0 {
            return Vec::new();
        }
        let mut h = Self::headers(d);
        h.retain(|(k, _)| k != "retry-after");
        h
    }

    /// The `429` local reply for a throttled request (`None` otherwise):
    /// the limit reply JSON body plus `retry-after` and `x-ratelimit-*`.
    pub fn reply(&self, d: &Decision, event_id: &str) -> Option<LocalReply> {
        if !d.throttled() {
            return None;
        }
        let mut r = limit_reply(Cause::RateLimited, event_id);
        r.headers.extend(Self::headers(d));
        Some(r)
    }

    /// Counts a decision: `rasp_ratelimited_total` by action, contention,
    /// store errors, evictions and fallback keys.
    pub fn record(d: &Decision, sink: &mut dyn MetricsSink) {
        if let Some(t) = d.taken {
            sink.add(Metric::RateLimited(t), 1);
        }
        if d.contention {
            sink.add(Metric::RateLimitContention, 1);
        }
        if d.store_error {
            sink.add(Metric::RateLimitStoreErrors, 1);
        }
        if d.evicted {
            sink.add(Metric::RateLimitEvictions, 1);
        }
        if d.fallback {
            sink.add(Metric::RateLimitFallback, 1);
        }
    }
}
