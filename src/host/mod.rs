//! The proxy-wasm host layer, the only code that calls the SDK: [`RaspRoot`] (per plugin
//! per VM) and [`RaspHttp`] (per request) forward each callback to the engine's request
//! lifecycle ([`crate::engine::filter`]); [`ProxyHost`] is its [`Host`] over host calls.

mod raw;

use std::time::{Duration, UNIX_EPOCH};

use proxy_wasm::hostcalls::{self, resume_http_request};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, BufferType, ContextType, LogLevel, MapType, MetricType as M};

use crate::engine::filter::{FilterRoot, Flow, RequestFilter};
use crate::engine::host::{Host, HttpCall, Level, SharedStore, Stats, StatsSink};
use crate::engine::metrics::{MetricKind, MetricsSink};
use crate::engine::RequestHead;

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(RaspRoot::default()) });
}}

/// Envoy stats.
#[derive(Clone, Copy, Default)]
struct EnvoyStats;
impl Stats for EnvoyStats {
    fn define(&self, kind: MetricKind, name: &str) -> Option<u32> {
        let kinds = [M::Counter, M::Gauge, M::Histogram];
        hostcalls::define_metric(kinds[kind as usize], name).ok()
    }
    fn increment(&self, id: u32, n: u64) {
        let _ = hostcalls::increment_metric(id, i64::try_from(n).unwrap_or(i64::MAX));
    }
    fn set(&self, id: u32, value: u64) {
        let _ = hostcalls::record_metric(id, value);
    }
    fn get(&self, id: u32) -> Option<u64> {
        hostcalls::get_metric(id).ok()
    }
}

/// The engine's [`Host`] over host calls, which act on the context called back: the stat ids
/// are its only state. A failed call answers nothing or is ignored, never a panic.
type ProxyHost = StatsSink<EnvoyStats>;

impl Host for ProxyHost {
    fn now_nanos(&self) -> u64 {
        let now = hostcalls::get_current_time().ok();
        let since_epoch = now.and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        since_epoch.map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
    fn store(&self) -> &dyn SharedStore {
        &raw::HostStore
    }
    fn metrics(&mut self) -> &mut dyn MetricsSink {
        self
    }
    fn log(&mut self, level: Level, message: &str) {
        use LogLevel::{Debug, Error, Info, Warn};
        let _ = hostcalls::log([Debug, Info, Warn, Error][level as usize], message);
    }
    fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        hostcalls::get_property(path.to_vec()).ok().flatten()
    }
    fn request_head(&mut self) -> Option<RequestHead> {
        raw::header_pairs(MapType::HttpRequestHeaders).map(RequestHead::from_pairs)
    }
    fn request_body(&mut self, len: usize) -> Vec<u8> {
        let body = hostcalls::get_buffer(BufferType::HttpRequestBody, 0, len);
        body.ok().flatten().unwrap_or_default()
    }
    fn send_reply(&mut self, status: u16, headers: &[(String, String)], body: &[u8]) {
        let headers = headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let _ = hostcalls::send_http_response(status.into(), headers.collect(), Some(body));
    }
    fn add_response_header(&mut self, name: &str, value: &str) {
        let _ = hostcalls::add_map_value(MapType::HttpResponseHeaders, name, value);
    }
    fn response_headers(&mut self) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        raw::header_pairs(MapType::HttpResponseHeaders)
    }
    fn response_body(&mut self, len: usize) -> Vec<u8> {
        let body = hostcalls::get_buffer(BufferType::HttpResponseBody, 0, len);
        body.ok().flatten().unwrap_or_default()
    }
    fn set_response_body(&mut self, b: &[u8]) {
        let _ = hostcalls::set_buffer(BufferType::HttpResponseBody, 0, b.len(), b);
    }
    fn dispatch_http_call(&mut self, call: &HttpCall<'_>) -> Result<(), String> {
        let headers = call.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let timeout = Duration::from_millis(call.timeout_ms);
        let (cluster, body) = (call.cluster, Some(call.body));
        let sent = hostcalls::dispatch_http_call(cluster, headers.collect(), body, vec![], timeout);
        sent.map(drop).map_err(|status| format!("{status:?}"))
    }
    fn resume_request(&mut self, id: u32) -> bool {
        let resumed = hostcalls::set_effective_context(id).and_then(|()| resume_http_request());
        resumed.is_ok()
    }
    fn memory_bytes(&self) -> Option<u64> {
        Some(core::arch::wasm32::memory_size(0) as u64 * 65536)
    }
}

/// The plugin's root context.
#[derive(Default)]
struct RaspRoot {
    root: FilterRoot,
    host: ProxyHost,
}

impl Context for RaspRoot {
    fn on_http_call_response(&mut self, _: u32, _: usize, _: usize, _: usize) {
        let status = self.get_http_call_response_header_bytes(":status");
        (self.root).on_http_call_response(&mut self.host, status.as_deref());
    }
}

impl RootContext for RaspRoot {
    fn on_configure(&mut self, _size: usize) -> bool {
        let config = self.get_plugin_configuration().unwrap_or_default();
        self.host.define();
        let loaded = self.root.configure(&mut self.host, &config);
        if loaded {
            self.set_tick_period(Duration::from_millis(self.root.tick_period_ms()));
        }
        loaded
    }
    fn on_tick(&mut self) {
        self.root.on_tick(&mut self.host);
    }
    fn create_http_context(&self, context_id: u32) -> Option<Box<dyn HttpContext>> {
        let (filter, host) = (self.root.request(context_id)?, self.host.clone());
        Some(Box::new(RaspHttp { filter, host }))
    }
    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// One request.
struct RaspHttp {
    filter: RequestFilter,
    host: ProxyHost,
}

/// proxy-wasm's `Action` for a [`Flow`] (no match: the host layer is kept small).
fn action(flow: Flow) -> Action {
    [Action::Continue, Action::Pause][usize::from(flow == Flow::Pause)]
}

impl Context for RaspHttp {}
impl HttpContext for RaspHttp {
    fn on_http_request_headers(&mut self, _: usize, end: bool) -> Action {
        action(self.filter.on_request_headers(&mut self.host, end))
    }
    fn on_http_request_body(&mut self, size: usize, end: bool) -> Action {
        action(self.filter.on_request_body(&mut self.host, size, end))
    }
    fn on_http_request_trailers(&mut self, _: usize) -> Action {
        action(self.filter.on_request_trailers(&mut self.host))
    }
    fn on_http_response_headers(&mut self, _: usize, _: bool) -> Action {
        action(self.filter.on_response_headers(&mut self.host))
    }
    fn on_http_response_body(&mut self, size: usize, end: bool) -> Action {
        action(self.filter.on_response_body(&mut self.host, size, end))
    }
    fn on_log(&mut self) {
        self.filter.on_log(&mut self.host);
    }
}
