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
use super::response::{LeakKind, Outcome, Treated};

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
    /// Requests with at least one finding of a type that `exclusions`
    /// dropped (`rasp_attacks_total{action="excluded"}`).
    Excluded(AttackType),
    /// Gauge: `exclusions` entries past their `expires` date (they still
    /// apply; see the configuration reference).
    ExclusionsExpired,
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
    /// Requests whose held headers (`inspect.hold_headers`) got no body in
    /// time and were resumed by the VM's tick.
    HoldResumed,
    /// Response findings by kind and what was done (`log`, `mask`, or
    /// `monitor` for a mask that `mode: monitor` did not apply).
    ResponseFinding(LeakKind, Treated),
    /// Request attacks the response reflected or confirmed (once per
    /// request, attack type and outcome).
    AttackOutcome(AttackType, Outcome),
    /// Response bodies not scanned because of their `Content-Encoding`
    /// (no decompression).
    ResponseEncodedSkipped,
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

/// Position of `x` in `all` (0 if absent, which the lists rule out).
fn position<T: PartialEq>(all: &[T], x: T) -> usize {
    all.iter().position(|y| *y == x).unwrap_or(0)
}

/// The first index of each family, from the families' sizes, and the total.
#[allow(clippy::indexing_slicing)] // const evaluation: an index out of range fails the build
const fn layout<const N: usize>(sizes: [usize; N]) -> ([usize; N], usize) {
    let mut starts = [0; N];
    let mut total = 0;
    let mut i = 0;
    while i < N {
        starts[i] = total;
        total += sizes[i];
        i += 1;
    }
    (starts, total)
}

/// Writes [`Metric::COUNT`], [`Metric::all`] and [`Metric::index`] from one
/// list of the series families in index order. A family with fields stands
/// for every combination of its fields' values, the last field varying
/// fastest: `Attack(t, a)` is at the family's first index plus
/// `position(t) × |Taken| + position(a)`. `index` matches every variant, so
/// a variant missing from the list does not compile.
macro_rules! series {
    ($($variant:ident $(($($field:ident in $values:expr),+))?),* $(,)?) => {
        /// The families, numbered in index order.
        #[derive(Clone, Copy)]
        enum Family {
            $($variant),*
        }

        const FAMILIES: usize = 0 $(+ series!(@one $variant))*;

        /// Each family's first index, and the number of series.
        const LAYOUT: ([usize; FAMILIES], usize) =
            layout([$(series!(@size $($($values),+)?)),*]);

        impl Metric {
            /// Number of series.
            pub const COUNT: usize = LAYOUT.1;

            /// Every series, in index order.
            pub fn all() -> Vec<Metric> {
                let mut v = Vec::with_capacity(Metric::COUNT);
                $(series!(@push v, $variant $(, $($field in $values),+)?);)*
                v
            }

            /// Dense index in `0..COUNT`, equal to the position in
            /// [`Metric::all`].
            pub fn index(self) -> usize {
                let (family, offset) = match self {
                    $(Metric::$variant $(($($field),+))? => {
                        #[allow(unused_mut)]
                        let mut offset = 0;
                        $($(offset = offset * $values.len() + position(&$values, $field);)+)?
                        (Family::$variant, offset)
                    })*
                };
                LAYOUT.0.get(family as usize).map_or(Metric::COUNT, |start| start + offset)
            }
        }
    };
    (@one $variant:ident) => { 1 };
    (@size) => { 1 };
    (@size $($values:expr),+) => { 1 $(* $values.len())+ };
    (@push $v:ident, $variant:ident) => { $v.push(Metric::$variant) };
    (@push $v:ident, $variant:ident, $a:ident in $av:expr) => {
        $v.extend($av.iter().copied().map(Metric::$variant))
    };
    (@push $v:ident, $variant:ident, $a:ident in $av:expr, $b:ident in $bv:expr) => {
        for $a in $av.iter().copied() {
            $v.extend($bv.map(|$b| Metric::$variant($a, $b)));
        }
    };
}

series! {
    Requests,
    Allowlisted,
    Blocked,
    Attack(t in AttackType::ALL, a in Taken::ALL),
    Excluded(t in AttackType::ALL),
    ExclusionsExpired,
    Rejected(c in Cause::LIMITS, a in Taken::ALL),
    InspectedBytes,
    InspectionMicros,
    ConfigErrors,
    WasmMemoryBytes,
    SiemSent,
    SiemDropped(d in SiemDrop::ALL),
    RateLimited(a in Taken::ALL),
    RateLimitKeys,
    RateLimitContention,
    RateLimitStoreErrors,
    RateLimitEvictions,
    RateLimitFallback,
    RateLimitUnkeyed,
    HoldResumed,
    ResponseFinding(k in LeakKind::ALL, a in Treated::ALL),
    AttackOutcome(t in AttackType::ALL, o in Outcome::OF_ATTACKS),
    ResponseEncodedSkipped,
}

impl Metric {
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
            Metric::Excluded(t) => {
                format!("rasp_attacks_total.type.{}.action.excluded", t.as_str())
            }
            Metric::ExclusionsExpired => "rasp_exclusions_expired".into(),
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
            Metric::HoldResumed => "rasp_hold_headers_resumed_total".into(),
            Metric::ResponseFinding(k, a) => format!(
                "rasp_response_findings_total.type.{}.action.{}",
                k.as_str(),
                a.as_str()
            ),
            Metric::AttackOutcome(t, o) => format!(
                "rasp_attack_outcome_total.type.{}.outcome.{}",
                t.as_str(),
                o.as_str()
            ),
            Metric::ResponseEncodedSkipped => {
                "rasp_response_skipped_total.reason.content_encoding".into()
            }
        }
    }

    /// Counter, gauge or histogram.
    pub fn kind(self) -> MetricKind {
        match self {
            Metric::InspectionMicros => MetricKind::Histogram,
            Metric::WasmMemoryBytes | Metric::RateLimitKeys | Metric::ExclusionsExpired => {
                MetricKind::Gauge
            }
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
    /// Adds `n` to a counter outside the catalogue, defined on first use:
    /// series whose label values come from the configuration (profile
    /// names) or are many but rare (shadow differences). Callers bound the
    /// names they make; a sink may refuse new names past its own bound.
    fn add_named(&mut self, _name: &str, _n: u64) {}
}

/// Most names a sink defines through [`MetricsSink::add_named`].
pub const MAX_NAMED_METRICS: usize = 4096;

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
