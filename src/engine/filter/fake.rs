//! [`FakeHost`]: the proxy in memory, for tests, `rasp-explain` and fuzzing.

use crate::engine::host::{Host, HttpCall, Level, MetricsSink, SharedStore};
use crate::engine::http::RequestHead;
use crate::engine::metrics::Metric;
use crate::engine::ratelimit::MemoryStore;

use super::phase::Flow;
use super::request::RequestFilter;

/// A local reply as the proxy received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An HTTP call as the proxy received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub cluster: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub timeout_ms: u64,
}

/// An in-memory [`Host`]. Set the inputs (clock, request head, body buffer,
/// client address, memory size, whether calls fail), run the filter, read
/// what it did. One fake can serve a root and several requests in turn,
/// like one VM.
#[derive(Debug, Default)]
pub struct FakeHost {
    /// The clock, in nanoseconds since the epoch (it only moves when set).
    pub now_nanos: u64,
    /// The head `request_head` hands over (cloned); `None` fails the read.
    pub head: Option<RequestHead>,
    /// The body bytes the proxy holds for the filter (see
    /// [`run_request`](Self::run_request)).
    pub buffer: Vec<u8>,
    /// The `source.address` property.
    pub client: Option<String>,
    /// The `xds.route_name` property (Envoy's route name).
    pub route: Option<String>,
    /// What `memory_bytes` reports.
    pub memory: Option<u64>,
    /// When set, `dispatch_http_call` fails with this reason.
    pub fail_calls: Option<String>,
    /// Shared data, with Envoy's compare-and-swap semantics.
    pub store: MemoryStore,
    /// Local replies sent, in order.
    pub replies: Vec<SentReply>,
    /// Headers added to the response.
    pub response_headers: Vec<(String, String)>,
    /// Diagnostic log lines.
    pub logs: Vec<(Level, String)>,
    /// Security event lines.
    pub events: Vec<String>,
    /// HTTP calls dispatched.
    pub calls: Vec<Call>,
    /// Requests resumed (context ids), in order.
    pub resumed: Vec<u32>,
    /// Metric updates.
    pub metrics: FakeMetrics,
    /// The response headers `response_headers` hands over (`None`: none).
    pub response_head: Option<Vec<(Vec<u8>, Vec<u8>)>>,
    /// The response body, as the chunks [`run_request`](Self::run_request)
    /// passes on after the response headers.
    pub response_chunks: Vec<Vec<u8>>,
    /// The response body chunk being passed on (what the filter reads and
    /// may overwrite).
    pub response_buffer: Vec<u8>,
    /// The response body as forwarded to the client (after masking).
    pub response_sent: Vec<u8>,
    /// Calls that read the response (headers or body): 0 when response
    /// inspection is off.
    pub response_reads: u32,
}

/// Metric updates in memory, by series.
#[derive(Clone, Debug)]
pub struct FakeMetrics {
    /// Counter totals by [`Metric::index`].
    counters: Vec<u64>,
    /// Last recorded value of each gauge or histogram, and how many.
    recorded: Vec<(Option<u64>, u64)>,
    /// Counters outside the catalogue, by name.
    named: std::collections::BTreeMap<String, u64>,
}

impl Default for FakeMetrics {
    fn default() -> FakeMetrics {
        FakeMetrics {
            counters: vec![0; Metric::COUNT],
            recorded: vec![(None, 0); Metric::COUNT],
            named: std::collections::BTreeMap::new(),
        }
    }
}

impl FakeMetrics {
    /// The total of a counter.
    pub fn counter(&self, metric: Metric) -> u64 {
        self.counters.get(metric.index()).copied().unwrap_or(0)
    }

    /// The last value recorded for a gauge or histogram.
    pub fn last(&self, metric: Metric) -> Option<u64> {
        self.recorded.get(metric.index()).and_then(|r| r.0)
    }

    /// The total of a counter outside the catalogue
    /// ([`MetricsSink::add_named`]).
    pub fn named(&self, name: &str) -> u64 {
        self.named.get(name).copied().unwrap_or(0)
    }

    /// Every counter outside the catalogue, by name.
    pub fn all_named(&self) -> &std::collections::BTreeMap<String, u64> {
        &self.named
    }

    /// How many values were recorded for a gauge or histogram.
    pub fn samples(&self, metric: Metric) -> u64 {
        self.recorded.get(metric.index()).map_or(0, |r| r.1)
    }
}

impl MetricsSink for FakeMetrics {
    fn add(&mut self, metric: Metric, n: u64) {
        if let Some(c) = self.counters.get_mut(metric.index()) {
            *c = c.saturating_add(n);
        }
    }

    fn record(&mut self, metric: Metric, value: u64) {
        if let Some(r) = self.recorded.get_mut(metric.index()) {
            *r = (Some(value), r.1 + 1);
        }
    }

    fn raise(&mut self, metric: Metric, value: u64) {
        if self.last(metric).is_none_or(|cur| cur < value) {
            self.record(metric, value);
        }
    }

    fn add_named(&mut self, name: &str, n: u64) {
        let c = self.named.entry(name.to_string()).or_insert(0);
        *c = c.saturating_add(n);
    }
}

impl FakeHost {
    /// A fake whose next request has `head`, from `client`.
    pub fn with_request(head: RequestHead, client: &str) -> FakeHost {
        FakeHost {
            head: Some(head),
            client: Some(client.to_string()),
            ..FakeHost::default()
        }
    }

    /// The total of a counter.
    pub fn counter(&self, metric: Metric) -> u64 {
        self.metrics.counter(metric)
    }

    /// The last value recorded for a gauge or histogram.
    pub fn last(&self, metric: Metric) -> Option<u64> {
        self.metrics.last(metric)
    }

    /// How many values were recorded for a gauge or histogram.
    pub fn samples(&self, metric: Metric) -> u64 {
        self.metrics.samples(metric)
    }

    /// Plays the proxy's side of one request whose head is in
    /// [`head`](Self::head): the headers (end of stream when `body` is
    /// empty), the body in chunks of `chunk` bytes, then the response
    /// headers, the response body in [`response_chunks`](Self::response_chunks)
    /// and the log callback.
    ///
    /// Like Envoy, body data accumulates in [`buffer`](Self::buffer) while
    /// the filter pauses, so each body callback sees everything buffered so
    /// far; when it continues, the buffer is forwarded (emptied) and the
    /// next callback sees only the new chunk. A local reply ends the
    /// request: no more body is delivered.
    pub fn run_request(&mut self, filter: &mut RequestFilter, body: &[u8], chunk: usize) {
        let replies = self.replies.len();
        self.buffer.clear();
        filter.on_request_headers(self, body.is_empty());
        let mut chunks = body.chunks(chunk.max(1)).peekable();
        while let Some(c) = chunks.next() {
            if self.replies.len() > replies {
                break;
            }
            self.buffer.extend_from_slice(c);
            let (held, last) = (self.buffer.len(), chunks.peek().is_none());
            let flow = filter.on_request_body(self, held, last);
            if flow == Flow::Continue {
                self.buffer.clear();
            }
        }
        filter.on_response_headers(self);
        for c in std::mem::take(&mut self.response_chunks) {
            self.response_buffer = c;
            let (size, last) = (self.response_buffer.len(), false);
            filter.on_response_body(self, size, last);
            let sent = std::mem::take(&mut self.response_buffer);
            self.response_sent.extend_from_slice(&sent);
        }
        filter.on_log(self);
    }
}

impl Host for FakeHost {
    fn now_nanos(&self) -> u64 {
        self.now_nanos
    }

    fn store(&self) -> &dyn SharedStore {
        &self.store
    }

    fn metrics(&mut self) -> &mut dyn MetricsSink {
        &mut self.metrics
    }

    fn log(&mut self, level: Level, message: &str) {
        self.logs.push((level, message.to_string()));
    }

    fn event(&mut self, line: &str) {
        self.events.push(line.to_string());
    }

    fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        match path {
            ["source", "address"] => self.client.as_ref().map(|c| c.as_bytes().to_vec()),
            ["xds", "route_name"] => self.route.as_ref().map(|r| r.as_bytes().to_vec()),
            _ => None,
        }
    }

    fn request_head(&mut self) -> Option<RequestHead> {
        self.head.clone()
    }

    fn request_body(&mut self, len: usize) -> Vec<u8> {
        self.buffer.get(..len).unwrap_or(&self.buffer).to_vec()
    }

    fn send_reply(&mut self, status: u16, headers: &[(String, String)], body: &[u8]) {
        self.replies.push(SentReply {
            status,
            headers: headers.to_vec(),
            body: body.to_vec(),
        });
    }

    fn add_response_header(&mut self, name: &str, value: &str) {
        self.response_headers
            .push((name.to_string(), value.to_string()));
    }

    fn response_headers(&mut self) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
        self.response_reads += 1;
        self.response_head.clone()
    }

    fn response_body(&mut self, len: usize) -> Vec<u8> {
        self.response_reads += 1;
        let b = &self.response_buffer;
        b.get(..len).unwrap_or(b).to_vec()
    }

    fn set_response_body(&mut self, body: &[u8]) {
        if let Some(dst) = self.response_buffer.get_mut(..body.len()) {
            dst.copy_from_slice(body);
        }
    }

    fn dispatch_http_call(&mut self, call: &HttpCall<'_>) -> Result<(), String> {
        if let Some(why) = &self.fail_calls {
            return Err(why.clone());
        }
        self.calls.push(Call {
            cluster: call.cluster.to_string(),
            headers: call.headers.to_vec(),
            body: call.body.to_vec(),
            timeout_ms: call.timeout_ms,
        });
        Ok(())
    }

    fn resume_request(&mut self, context_id: u32) -> bool {
        self.resumed.push(context_id);
        true
    }

    fn memory_bytes(&self) -> Option<u64> {
        self.memory
    }
}
