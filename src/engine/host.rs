//! What the engine needs from the proxy: the [`Host`] a request filter
//! runs against, and the small traits it is made of.
//!
//! The proxy-wasm layer (`src/host/`) implements them with host calls;
//! [`FakeHost`](super::filter::FakeHost) implements them in memory for
//! tests, `rasp-explain` and fuzzing. Replies and calls are passed as plain
//! parts (status, headers, body) so that this module depends on nothing but
//! the request head and the metric catalogue.

use super::http::RequestHead;
pub use super::metrics::MetricsSink;

/// Wall-clock time.
pub trait Clock {
    /// Nanoseconds since the Unix epoch (0 when the host has no clock).
    fn now_nanos(&self) -> u64;
}

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

/// How important a log line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
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
pub trait Host: Clock {
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
    /// Sends `call` without waiting for the answer; `Err` says why it could
    /// not be sent.
    fn dispatch_http_call(&mut self, call: &HttpCall<'_>) -> Result<(), String>;
    /// Linear memory of this VM in bytes, when the host can tell.
    fn memory_bytes(&self) -> Option<u64>;
}
