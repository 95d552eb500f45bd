//! Envoy stats behind the engine's [`MetricsSink`].

use proxy_wasm::hostcalls;
use proxy_wasm::types::MetricType;

use crate::engine::metrics::{Metric, MetricKind, MetricsSink};

/// Metric ids of one VM, defined once: every series exists (at zero) from
/// the first scrape.
pub struct EnvoyMetrics {
    ids: Vec<Option<u32>>,
}

impl EnvoyMetrics {
    /// Defines every metric of the catalogue.
    pub fn define() -> EnvoyMetrics {
        let mut ids = vec![None; Metric::COUNT];
        for m in Metric::all() {
            let kind = match m.kind() {
                MetricKind::Counter => MetricType::Counter,
                MetricKind::Gauge => MetricType::Gauge,
                MetricKind::Histogram => MetricType::Histogram,
            };
            let id = hostcalls::define_metric(kind, &m.name()).ok();
            if let Some(slot) = ids.get_mut(m.index()) {
                *slot = id;
            }
        }
        EnvoyMetrics { ids }
    }

    fn id(&self, m: Metric) -> Option<u32> {
        self.ids.get(m.index()).copied().flatten()
    }

    /// Adds to a counter without needing `&mut` (host calls have no Rust
    /// state to protect).
    pub fn incr(&self, m: Metric, n: u64) {
        if let Some(id) = self.id(m) {
            let _ = hostcalls::increment_metric(id, i64::try_from(n).unwrap_or(i64::MAX));
        }
    }

    /// Raises a gauge to `v` if it is below (a maximum across VMs).
    pub fn raise(&self, m: Metric, v: u64) {
        if let Some(id) = self.id(m) {
            if hostcalls::get_metric(id).map_or(true, |cur| cur < v) {
                let _ = hostcalls::record_metric(id, v);
            }
        }
    }

    /// Records a histogram sample or sets a gauge.
    pub fn set(&self, m: Metric, v: u64) {
        if let Some(id) = self.id(m) {
            let _ = hostcalls::record_metric(id, v);
        }
    }
}

impl MetricsSink for &EnvoyMetrics {
    fn add(&mut self, metric: Metric, n: u64) {
        self.incr(metric, n);
    }

    fn record(&mut self, metric: Metric, value: u64) {
        self.set(metric, value);
    }
}
