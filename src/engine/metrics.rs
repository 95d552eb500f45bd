//! The metric catalogue and the sink metric updates go to (how a finished
//! request is counted is the request filter's, `filter::record`).
//!
//! Names carry their labels as `.label.value` suffixes
//! (`rasp_attacks_total.type.xss.action.block`); the `stats_tags` in
//! `envoy/envoy.yaml` turn them into Prometheus labels, so
//! `/stats/prometheus` shows `rasp_attacks_total{type="xss",action="block"}`.
//! Every metric is defined when the plugin starts, so all series exist (at
//! zero) before the first request.

use super::detect::AttackType;
use super::mode::Taken;
use super::reply::Cause;

/// Counter, gauge or histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
}

/// One metric series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Every request the filter saw.
    Requests,
    /// Requests whose path is allowlisted (not inspected).
    Allowlisted,
    /// Requests with at least one finding of a type, by what was done.
    Attack(AttackType, Taken),
    /// Requests answered with the block reply because of an attack.
    Blocked,
    /// Limit violations by cause and what was done (`block`, `monitor`, or
    /// `log` for a partial inspection), as stored with the violation.
    Rejected(Cause, Taken),
    /// Bytes of values run through the detectors.
    InspectedBytes,
    /// Time spent inspecting one request, in microseconds.
    InspectionMicros,
    /// Configurations rejected by `on_configure`.
    ConfigErrors,
    /// Linear memory of the largest wasm VM of the plugin, in bytes
    /// (refreshed every tick by each VM; wasm memory never shrinks).
    WasmMemoryBytes,
    /// Events the SIEM sink delivered (the collector answered 2xx).
    SiemSent,
    /// Events the SIEM sink dropped: queue overflow or a failed batch.
    SiemDropped(SiemDrop),
    /// Requests over their rate limit, by what was done: `throttle` (429),
    /// `log` (`action: log`) or `monitor` (`mode: monitor`).
    RateLimited(Taken),
    /// Gauge: live rate-limit buckets (client × rule) in the shared table.
    RateLimitKeys,
    /// Rate-limit checks whose compare-and-swap retries were exhausted
    /// (decided by `on_contention`).
    RateLimitContention,
    /// Rate-limit checks admitted unrecorded because the shared store
    /// failed.
    RateLimitStoreErrors,
    /// Buckets evicted because their page of the table was full.
    RateLimitEvictions,
    /// Requests keyed by the `fallback` (no usable primary key).
    RateLimitFallback,
    /// Requests not rate limited because they had no usable key at all.
    RateLimitUnkeyed,
}

/// Why events were dropped (the `reason` label of
/// `rasp_siem_events_dropped_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SiemDrop {
    /// The queue was full; the oldest event made room.
    Overflow,
    /// The batch request failed, timed out or got a non-2xx answer.
    Failed,
}

impl SiemDrop {
    /// Every reason, in a stable order.
    pub const ALL: [SiemDrop; 2] = [SiemDrop::Overflow, SiemDrop::Failed];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            SiemDrop::Overflow => "overflow",
            SiemDrop::Failed => "failed",
        }
    }
}

const N_ATTACK: usize = AttackType::ALL.len() * Taken::ALL.len();
const N_REJECT: usize = Cause::LIMITS.len() * Taken::ALL.len();
/// First index after the per-type and per-cause series.
const BASE_TAIL: usize = 3 + N_ATTACK + N_REJECT;
/// First rate-limit series.
const BASE_RL: usize = BASE_TAIL + 5 + SiemDrop::ALL.len();

impl Metric {
    /// Every series, in index order.
    pub fn all() -> Vec<Metric> {
        let mut v = vec![Metric::Requests, Metric::Allowlisted, Metric::Blocked];
        for t in AttackType::ALL {
            for a in Taken::ALL {
                v.push(Metric::Attack(t, a));
            }
        }
        for c in Cause::LIMITS {
            for a in Taken::ALL {
                v.push(Metric::Rejected(c, a));
            }
        }
        v.extend([
            Metric::InspectedBytes,
            Metric::InspectionMicros,
            Metric::ConfigErrors,
            Metric::WasmMemoryBytes,
            Metric::SiemSent,
        ]);
        v.extend(SiemDrop::ALL.map(Metric::SiemDropped));
        for a in Taken::ALL {
            v.push(Metric::RateLimited(a));
        }
        v.extend([
            Metric::RateLimitKeys,
            Metric::RateLimitContention,
            Metric::RateLimitStoreErrors,
            Metric::RateLimitEvictions,
            Metric::RateLimitFallback,
            Metric::RateLimitUnkeyed,
        ]);
        v
    }

    /// Number of series.
    pub const COUNT: usize = BASE_TAIL + 5 + SiemDrop::ALL.len() + Taken::ALL.len() + 6;

    /// Dense index in `0..COUNT`, equal to the position in [`Metric::all`].
    pub fn index(self) -> usize {
        let pos = |t: Taken| Taken::ALL.iter().position(|x| *x == t).unwrap_or(0);
        match self {
            Metric::Requests => 0,
            Metric::Allowlisted => 1,
            Metric::Blocked => 2,
            Metric::Attack(t, a) => {
                let ti = AttackType::ALL.iter().position(|x| *x == t).unwrap_or(0);
                3 + ti * Taken::ALL.len() + pos(a)
            }
            Metric::Rejected(c, a) => {
                let ci = Cause::LIMITS.iter().position(|x| *x == c).unwrap_or(0);
                3 + N_ATTACK + ci * Taken::ALL.len() + pos(a)
            }
            Metric::InspectedBytes => BASE_TAIL,
            Metric::InspectionMicros => BASE_TAIL + 1,
            Metric::ConfigErrors => BASE_TAIL + 2,
            Metric::WasmMemoryBytes => BASE_TAIL + 3,
            Metric::SiemSent => BASE_TAIL + 4,
            Metric::SiemDropped(d) => {
                let di = SiemDrop::ALL.iter().position(|x| *x == d).unwrap_or(0);
                BASE_TAIL + 5 + di
            }
            Metric::RateLimited(a) => BASE_RL + pos(a),
            Metric::RateLimitKeys => BASE_RL + Taken::ALL.len(),
            Metric::RateLimitContention => BASE_RL + Taken::ALL.len() + 1,
            Metric::RateLimitStoreErrors => BASE_RL + Taken::ALL.len() + 2,
            Metric::RateLimitEvictions => BASE_RL + Taken::ALL.len() + 3,
            Metric::RateLimitFallback => BASE_RL + Taken::ALL.len() + 4,
            Metric::RateLimitUnkeyed => BASE_RL + Taken::ALL.len() + 5,
        }
    }

    /// The Envoy stat name (labels as `.name.value` suffixes).
    pub fn name(self) -> String {
        match self {
            Metric::Requests => "rasp_requests_total".into(),
            Metric::Allowlisted => "rasp_allowlisted_total".into(),
            Metric::Blocked => "rasp_blocked_total".into(),
            Metric::Attack(t, a) => format!(
                "rasp_attacks_total.type.{}.action.{}",
                t.as_str(),
                a.as_str()
            ),
            Metric::Rejected(c, a) => format!(
                "rasp_rejected_total.reason.{}.action.{}",
                c.as_str(),
                a.as_str()
            ),
            Metric::InspectedBytes => "rasp_inspected_bytes_total".into(),
            Metric::InspectionMicros => "rasp_inspection_duration_us".into(),
            Metric::ConfigErrors => "rasp_config_errors_total".into(),
            Metric::WasmMemoryBytes => "rasp_wasm_memory_bytes".into(),
            Metric::SiemSent => "rasp_siem_events_sent_total".into(),
            Metric::SiemDropped(d) => {
                format!("rasp_siem_events_dropped_total.reason.{}", d.as_str())
            }
            Metric::RateLimited(a) => format!(
                "rasp_ratelimited_total.action.{}",
                match a {
                    Taken::Block => "throttle",
                    other => other.as_str(),
                }
            ),
            Metric::RateLimitKeys => "rasp_ratelimit_keys".into(),
            Metric::RateLimitContention => "rasp_ratelimit_contention_total".into(),
            Metric::RateLimitStoreErrors => "rasp_ratelimit_store_errors_total".into(),
            Metric::RateLimitEvictions => "rasp_ratelimit_evictions_total".into(),
            Metric::RateLimitFallback => "rasp_ratelimit_fallback_total".into(),
            Metric::RateLimitUnkeyed => "rasp_ratelimit_unkeyed_total".into(),
        }
    }

    /// Counter, gauge or histogram.
    pub fn kind(self) -> MetricKind {
        match self {
            Metric::InspectionMicros => MetricKind::Histogram,
            Metric::WasmMemoryBytes | Metric::RateLimitKeys => MetricKind::Gauge,
            _ => MetricKind::Counter,
        }
    }
}

/// Where metric updates go: Envoy stats in the filter, a map in tests.
pub trait MetricsSink {
    /// Adds `n` to a counter.
    fn add(&mut self, metric: Metric, n: u64);
    /// Records one histogram sample, or sets a gauge.
    fn record(&mut self, metric: Metric, value: u64);
    /// Raises a gauge to `value` if it is below: a maximum across the VMs
    /// that share the gauge. A sink that sees one VM only records `value`.
    fn raise(&mut self, metric: Metric, value: u64) {
        self.record(metric, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_dense_and_match_all() {
        let all = Metric::all();
        assert_eq!(all.len(), Metric::COUNT);
        for (i, m) in all.iter().enumerate() {
            assert_eq!(m.index(), i, "{m:?}");
        }
        let mut names: Vec<String> = all.iter().map(|m| m.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Metric::COUNT);
    }
}
