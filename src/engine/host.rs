//! What the engine needs from the proxy: the [`Host`] a request filter
//! runs against, and the small traits it is made of.
//!
//! The proxy-wasm layer (`src/host/`) implements them with host calls;
//! [`FakeHost`](super::filter::FakeHost) implements them in memory for
//! tests, `rasp-explain` and fuzzing. Replies and calls are passed as plain
//! parts (status, headers, body) so that this module depends on nothing but
//! the request head and the metric catalogue.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::http::RequestHead;
pub use super::metrics::MetricsSink;
use super::metrics::{Metric, MetricKind, MAX_NAMED_METRICS};

/// Why a shared-store write failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The compare-and-swap token was stale: someone else wrote first.
    CasMismatch,
    /// Any other failure.
    Failed,
}

/// A key-value store shared by every wasm VM (worker) of the plugin, with
/// compare-and-swap (proxy-wasm shared data).
pub trait SharedStore {
    /// The value and its CAS token, or `None` when the key is absent.
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)>;
    /// Writes `value` if the key's CAS token still equals `cas` (`None`
    /// writes unconditionally; token 0 means "absent" in proxy-wasm).
    fn set(&self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), StoreError>;
}

/// Numbered stats as proxy-wasm hosts keep them: defined once by name,
/// then updated by id.
pub trait Stats {
    /// Defines a stat; its id, `None` when the host refused.
    fn define(&self, kind: MetricKind, name: &str) -> Option<u32>;
    /// Adds `n` to a counter.
    fn increment(&self, id: u32, n: u64);
    /// Sets a gauge or records a histogram sample.
    fn set(&self, id: u32, value: u64);
    /// The current value, `None` when unknown.
    fn get(&self, id: u32) -> Option<u64>;
}

/// The metric catalogue over a host's [`Stats`]. [`define`](Self::define)
/// defines every series at once (so all exist, at zero, from the first
/// scrape); updates before that are dropped. Clones share the ids, so one
/// definition serves a VM's root and all its requests.
#[derive(Clone, Debug, Default)]
pub struct StatsSink<S> {
    stats: S,
    /// Ids by [`Metric::index`], once defined.
    ids: Rc<OnceCell<Box<[Option<u32>]>>>,
    /// Ids of the counters outside the catalogue, by name, defined on first
    /// use (at most [`MAX_NAMED_METRICS`]).
    named: Rc<RefCell<HashMap<String, Option<u32>>>>,
}

impl<S: Stats> StatsSink<S> {
    /// A sink over `stats`, nothing defined yet.
    pub fn new(stats: S) -> StatsSink<S> {
        StatsSink {
            stats,
            ids: Rc::default(),
            named: Rc::default(),
        }
    }

    /// Defines every metric of the catalogue, the first time only.
    pub fn define(&self) {
        self.ids.get_or_init(|| {
            Metric::all()
                .into_iter()
                .map(|m| self.stats.define(m.kind(), &m.name()))
                .collect()
        });
    }

    fn id(&self, m: Metric) -> Option<u32> {
        self.ids.get()?.get(m.index()).copied().flatten()
    }
}

impl<S: Stats> MetricsSink for StatsSink<S> {
    fn add(&mut self, metric: Metric, n: u64) {
        if let Some(id) = self.id(metric) {
            self.stats.increment(id, n);
        }
    }

    fn record(&mut self, metric: Metric, value: u64) {
        if let Some(id) = self.id(metric) {
            self.stats.set(id, value);
        }
    }

    fn raise(&mut self, metric: Metric, value: u64) {
        if let Some(id) = self.id(metric) {
            if self.stats.get(id).is_none_or(|cur| cur < value) {
                self.stats.set(id, value);
            }
        }
    }

    fn add_named(&mut self, name: &str, n: u64) {
        let Ok(mut named) = self.named.try_borrow_mut() else {
            return;
        };
        let id = match named.get(name) {
            Some(id) => *id,
            None if named.len() < MAX_NAMED_METRICS => {
                let id = self.stats.define(MetricKind::Counter, name);
                named.insert(name.to_string(), id);
                id
            }
            None => None,
        };
        if let Some(id) = id {
            self.stats.increment(id, n);
        }
    }
}

/// How important a log line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    // The proxy-wasm host maps these by position (Debug, Info, Warn,
    // Error): keep the order.
    /// Dropped by Envoy unless its `wasm` log component is at debug.
    Debug,
    Info,
    Warn,
    Error,
}

/// An HTTP request to another cluster, answered later through the root's
/// `on_http_call_response` (the SIEM sink's batches).
#[derive(Clone, Copy, Debug)]
pub struct HttpCall<'a> {
    pub cluster: &'a str,
    /// Pseudo-headers (`:method`, `:path`, `:authority`) first.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub timeout_ms: u64,
}

/// Everything the request filter and its per-VM root need from the proxy.
///
/// One value serves a VM's root context and its requests: proxy-wasm host
/// calls act on whichever context is being called back, so the request
/// methods (`request_head`, `request_body`, `send_reply`,
/// `add_response_header`) are only called from request callbacks.
pub trait Host {
    /// Wall-clock time: nanoseconds since the Unix epoch (0 when the host
    /// has no clock).
    fn now_nanos(&self) -> u64;
    /// The store shared by every VM (rate-limit buckets).
    fn store(&self) -> &dyn SharedStore;
    /// Where counters, gauges and histogram samples go.
    fn metrics(&mut self) -> &mut dyn MetricsSink;
    /// Writes a diagnostic line to the proxy's log.
    fn log(&mut self, level: Level, message: &str);
    /// Writes one security event line (JSON). The proxy's log at `warn` is
    /// where operators collect them.
    fn event(&mut self, line: &str) {
        self.log(Level::Warn, line);
    }
    /// A proxy property (`["source", "address"]`, …), `None` when absent.
    fn property(&self, path: &[&str]) -> Option<Vec<u8>>;
    /// The client's address (`10.1.2.3:51234`): the `source.address`
    /// property.
    fn client_address(&self) -> Option<String> {
        self.property(&["source", "address"])
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
    /// The request head, `None` when the proxy could not hand it over.
    fn request_head(&mut self) -> Option<RequestHead>;
    /// The first `len` bytes of the request body the proxy has buffered.
    fn request_body(&mut self, len: usize) -> Vec<u8>;
    /// Answers the request with a local reply instead of forwarding it.
    fn send_reply(&mut self, status: u16, headers: &[(String, String)], body: &[u8]);
    /// Adds a header to the response on its way to the client.
    fn add_response_header(&mut self, name: &str, value: &str);
    /// The response headers (`:status` among them), from the response
    /// headers callback; `None` when the proxy could not hand them over.
    fn response_headers(&mut self) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        None
    }
    /// The first `len` bytes of the response body chunk being passed on.
    fn response_body(&mut self, len: usize) -> Vec<u8> {
        let _ = len;
        Vec::new()
    }
    /// Overwrites the first `body.len()` bytes of that chunk (masking keeps
    /// the length, so `Content-Length` stays valid).
    fn set_response_body(&mut self, body: &[u8]) {
        let _ = body;
    }
    /// Sends `call` without waiting for the answer; `Err` says why it could
    /// not be sent.
    fn dispatch_http_call(&mut self, call: &HttpCall<'_>) -> Result<(), String>;
    /// Resumes request `context_id`, which paused in its headers callback
    /// (called from the root's tick); false when the proxy refused (the
    /// request is gone). The proxy-wasm host makes the request's context
    /// the effective one first; that lasts until the tick returns (every VM
    /// call starts without one), so the root resumes after its other work.
    fn resume_request(&mut self, context_id: u32) -> bool;
    /// Linear memory of this VM in bytes, when the host can tell.
    fn memory_bytes(&self) -> Option<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Stats in memory; ids are handed out from 100 (not positions).
    #[derive(Default)]
    struct Table(RefCell<Vec<(String, u64)>>);

    impl Stats for &Table {
        fn define(&self, _kind: MetricKind, name: &str) -> Option<u32> {
            let mut t = self.0.borrow_mut();
            t.push((name.to_string(), 0));
            u32::try_from(t.len() + 99).ok()
        }
        fn increment(&self, id: u32, n: u64) {
            self.0.borrow_mut()[id as usize - 100].1 += n;
        }
        fn set(&self, id: u32, value: u64) {
            self.0.borrow_mut()[id as usize - 100].1 = value;
        }
        fn get(&self, id: u32) -> Option<u64> {
            self.0.borrow().get(id as usize - 100).map(|e| e.1)
        }
    }

    #[test]
    fn every_metric_is_defined_once_and_updated_by_its_id() {
        let table = Table::default();
        let mut sink = StatsSink::new(&table);
        sink.add(Metric::Requests, 5);
        assert!(table.0.borrow().is_empty(), "dropped before the definition");
        sink.define();
        sink.clone().define();
        assert_eq!(table.0.borrow().len(), Metric::COUNT, "defined once");
        sink.add(Metric::Requests, 2);
        sink.add(Metric::Requests, 1);
        sink.record(Metric::RateLimitKeys, 7);
        sink.raise(Metric::WasmMemoryBytes, 10);
        sink.raise(Metric::WasmMemoryBytes, 5);
        let value = |m: Metric| {
            let t = table.0.borrow();
            t.iter().find(|(n, _)| *n == m.name()).map(|e| e.1)
        };
        assert_eq!(value(Metric::Requests), Some(3));
        assert_eq!(value(Metric::RateLimitKeys), Some(7));
        assert_eq!(
            value(Metric::WasmMemoryBytes),
            Some(10),
            "raise keeps the maximum"
        );
    }
}
