//! The proxy-wasm host layer: the only code that calls the SDK.
//!
//! * [`RaspRoot`] (one per plugin per VM) parses the plugin configuration in
//!   `on_configure` — an invalid configuration is logged with the field it
//!   names and refused (`false`), so Envoy rejects the filter — and hands
//!   the compiled engine to every HTTP context.
//! * [`RaspHttp`] (one per request) feeds the request head and, when the
//!   engine asks for it, the buffered body to a [`Transaction`]. Headers are
//!   held (`StopIteration`) while the body is buffered, so nothing reaches
//!   the upstream before the verdict. Blocked requests get a local reply;
//!   events go to Envoy's log and counts to Envoy stats.

mod raw;
mod stats;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel, MapType};

use crate::engine::filter::record_transaction;
use crate::engine::inspect::BodyStep;
use crate::engine::metrics::Metric;
use crate::engine::ratelimit::{KeyGauge, Keying, RateKey, RateLimiter};
use crate::engine::siem::{self, SiemQueue};
use crate::engine::{BodyVerdict, Engine, LocalReply, RequestHead, Transaction, Verdict};
use stats::EnvoyMetrics;

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(RaspRoot::default()) });
}}

/// Nanoseconds since the epoch from the host clock (0 if unavailable).
fn now_nanos() -> u64 {
    proxy_wasm::hostcalls::get_current_time()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Publishes this VM's linear memory size (max across VMs).
fn report_memory(metrics: &EnvoyMetrics) {
    #[cfg(target_arch = "wasm32")]
    {
        let pages = core::arch::wasm32::memory_size(0) as u64;
        metrics.raise(Metric::WasmMemoryBytes, pages * 65536);
    }
}

/// The plugin's root context.
#[derive(Default)]
struct RaspRoot {
    engine: Option<Engine>,
    metrics: Option<Rc<EnvoyMetrics>>,
    /// Events waiting for the SIEM collector (per VM, shared with the HTTP
    /// contexts of this VM; wasm VMs are single-threaded).
    siem: Option<Rc<RefCell<SiemQueue>>>,
    /// Ticks so far (picks the rate-limit shard to sweep).
    ticks: u32,
    /// Live rate-limit keys per sweep shard, for the gauge.
    keys: KeyGauge,
}

impl RaspRoot {
    /// Expires idle rate-limit buckets (one shard per tick) and publishes
    /// the number of tracked keys.
    fn sweep_rate_limits(&mut self) {
        let (Some(engine), Some(m)) = (&self.engine, &self.metrics) else {
            return;
        };
        let Some(rl) = &engine.config().rate_limit else {
            return;
        };
        let stats = rl.sweep(&raw::HostStore, now_nanos(), self.ticks);
        self.ticks = self.ticks.wrapping_add(1);
        m.set(Metric::RateLimitKeys, self.keys.update(&stats));
    }

    /// Sends the next SIEM batch when one is due, and publishes the SIEM
    /// counters.
    fn flush_siem(&mut self) {
        let Some(queue) = self.siem.clone() else {
            return;
        };
        let Ok(mut q) = queue.try_borrow_mut() else {
            return;
        };
        if let Some(batch) = q.take_batch(now_nanos() / 1_000_000) {
            let headers: Vec<(&str, &str)> = batch
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let sent = self.dispatch_http_call(
                &batch.cluster,
                headers,
                Some(&batch.body),
                vec![],
                Duration::from_millis(batch.timeout_ms),
            );
            if let Err(status) = sent {
                log::warn!(
                    "envoy-rasp: siem: could not send {} events to cluster {:?}: {:?}",
                    batch.events,
                    batch.cluster,
                    status
                );
                q.on_result(false);
            }
        }
        if let Some(m) = &self.metrics {
            for (metric, n) in q.take_metric_deltas() {
                if n > 0 {
                    m.incr(metric, n);
                }
            }
        }
    }
}

impl Context for RaspRoot {
    fn on_http_call_response(
        &mut self,
        _token: u32,
        _headers: usize,
        _body: usize,
        _trailers: usize,
    ) {
        let status = self.get_http_call_response_header_bytes(":status");
        if let Some(queue) = &self.siem {
            if let Ok(mut q) = queue.try_borrow_mut() {
                q.on_result(siem::delivered(status.as_deref()));
            }
        }
        self.flush_siem();
    }
}

impl RootContext for RaspRoot {
    fn on_configure(&mut self, _size: usize) -> bool {
        let metrics = self
            .metrics
            .get_or_insert_with(|| Rc::new(EnvoyMetrics::define()))
            .clone();
        let bytes = self.get_plugin_configuration().unwrap_or_default();
        match Engine::from_json(&bytes) {
            Ok(engine) => {
                let mut tick_ms = 1000;
                self.siem = engine.config().siem.as_ref().map(|cfg| {
                    let q = SiemQueue::new(cfg);
                    tick_ms = tick_ms.min(q.tick_period_ms());
                    Rc::new(RefCell::new(q))
                });
                self.set_tick_period(Duration::from_millis(tick_ms));
                report_memory(&metrics);
                let c = engine.config();
                log::info!(
                    "envoy-rasp: configuration loaded (mode={}, custom_rules={}, max_body_bytes={})",
                    if c.mode == crate::engine::Mode::Block { "block" } else { "monitor" },
                    c.custom_rules.len(),
                    c.limits.max_body_bytes
                );
                self.engine = Some(engine);
                true
            }
            Err(e) => {
                log::error!("envoy-rasp: {e}");
                metrics.incr(Metric::ConfigErrors, 1);
                false
            }
        }
    }

    fn on_tick(&mut self) {
        if let Some(m) = &self.metrics {
            report_memory(m);
        }
        self.flush_siem();
        self.sweep_rate_limits();
    }

    fn create_http_context(&self, context_id: u32) -> Option<Box<dyn HttpContext>> {
        let engine = self.engine.clone()?;
        let metrics = self.metrics.clone()?;
        Some(Box::new(RaspHttp {
            context_id,
            engine,
            metrics,
            siem: self.siem.clone(),
            tx: None,
            rate_key: None,
            rate_headers: Vec::new(),
            phase: Phase::Headers,
            buffered: 0,
            streamed: 0,
            nanos: 0,
            recorded: false,
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// Where a request is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the request headers.
    Headers,
    /// Holding headers and buffering the body for inspection.
    Buffering,
    /// Forwarding; only the body size is still checked.
    Streaming,
    /// Decided; nothing more to do.
    Done,
}

/// One request.
struct RaspHttp {
    context_id: u32,
    engine: Engine,
    metrics: Rc<EnvoyMetrics>,
    siem: Option<Rc<RefCell<SiemQueue>>>,
    tx: Option<Transaction>,
    /// The rate-limit bucket of this request (charged when it carries an
    /// attack and `attack_cost` is set).
    rate_key: Option<RateKey>,
    /// `x-ratelimit-*` headers for the response (`response_headers`).
    rate_headers: Vec<(String, String)>,
    phase: Phase,
    /// Body bytes buffered by Envoy (while `Buffering`).
    buffered: usize,
    /// Body bytes seen while `Streaming`.
    streamed: u64,
    /// Time spent in the engine.
    nanos: u64,
    recorded: bool,
}

impl Context for RaspHttp {}

impl RaspHttp {
    /// Sends `reply` as the local reply.
    fn respond(&mut self, reply: &LocalReply) {
        let headers: Vec<(&str, &str)> = reply
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.send_http_response(u32::from(reply.status), headers, Some(&reply.body));
        self.phase = Phase::Done;
    }

    /// Logs the events and counts the request, once.
    fn record(&mut self) {
        if self.recorded {
            return;
        }
        let Some(tx) = &self.tx else {
            return;
        };
        self.recorded = true;
        let mut sink = &*self.metrics;
        record_transaction(tx, &mut sink);
        self.metrics
            .set(Metric::InspectionMicros, self.nanos / 1000);
        if !tx.findings().is_empty() {
            if let (Some(rl), Some(key)) = (&self.engine.config().rate_limit, &self.rate_key) {
                if rl.attack_cost() > 0 {
                    rl.charge(&raw::HostStore, now_nanos(), key, rl.attack_cost());
                }
            }
        }
        if tx.has_events() {
            let client = self
                .get_property(vec!["source", "address"])
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            let now_ms = now_nanos() / 1_000_000;
            let mut queue = self.siem.as_ref().and_then(|q| q.try_borrow_mut().ok());
            for line in tx.events(client.as_deref(), now_ms) {
                log::warn!("{line}");
                if let Some(q) = queue.as_mut() {
                    q.push(&line, now_ms);
                }
            }
        }
    }

    /// Checks the rate limit; true when the request was throttled (the 429
    /// is sent).
    fn rate_limit(&mut self, rl: &RateLimiter, tx: &mut Transaction, now: u64) -> bool {
        let client = self
            .get_property(vec!["source", "address"])
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let key = match rl.key(tx.head(), client.as_deref()) {
            Keying::Key(k) => k,
            Keying::Exempt => return false,
            Keying::Unkeyed => {
                self.metrics.incr(Metric::RateLimitUnkeyed, 1);
                return false;
            }
        };
        let d = rl.check(&raw::HostStore, now, &key);
        let mut sink = &*self.metrics;
        RateLimiter::record(&d, &mut sink);
        self.rate_key = Some(key);
        let reply = rl.reply(&d, tx.event_id().unwrap_or_default());
        if let Some(taken) = d.taken {
            tx.rate_limited(taken, reply.clone());
        }
        if let Some(r) = reply {
            self.respond(&r);
            return true;
        }
        self.rate_headers = rl.response_headers(&d);
        false
    }

    /// Applies a verdict reached after the whole request was seen.
    fn conclude(&mut self, reply: Option<LocalReply>) -> Action {
        match reply {
            Some(r) => {
                self.respond(&r);
                self.record();
                Action::Pause
            }
            None => {
                self.phase = Phase::Done;
                self.record();
                Action::Continue
            }
        }
    }

    /// Reads the buffered body once and runs the body inspection.
    fn inspect_buffered_body(&mut self) -> Action {
        let body = if self.buffered > 0 {
            self.get_http_request_body(0, self.buffered)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let t0 = now_nanos();
        let verdict = match &mut self.tx {
            Some(tx) => tx.on_body(&body),
            None => BodyVerdict::Allow,
        };
        self.nanos += now_nanos().saturating_sub(t0);
        self.conclude(verdict.into_reply())
    }
}

impl HttpContext for RaspHttp {
    fn on_http_request_headers(&mut self, _num_headers: usize, end_of_stream: bool) -> Action {
        if self.phase != Phase::Headers {
            return Action::Continue;
        }
        let t0 = now_nanos();
        let Some(pairs) = raw::header_pairs(MapType::HttpRequestHeaders) else {
            log::error!("envoy-rasp: could not read the request headers; request not inspected");
            self.phase = Phase::Done;
            return Action::Continue;
        };
        let mut tx = self.engine.begin(RequestHead::from_pairs(pairs));
        if tx.event_id().is_none() {
            tx.set_event_id(format!("rasp-{:x}-{}", t0, self.context_id));
        }
        if self.engine.config().rate_limit.is_some() {
            let engine = self.engine.clone();
            if let Some(rl) = &engine.config().rate_limit {
                if self.rate_limit(rl, &mut tx, t0) {
                    // Throttled: the 429 is sent.
                    self.nanos += now_nanos().saturating_sub(t0);
                    self.tx = Some(tx);
                    self.record();
                    return Action::Pause;
                }
            }
        }
        let verdict = tx.on_headers(end_of_stream);
        self.nanos += now_nanos().saturating_sub(t0);
        self.tx = Some(tx);
        match verdict {
            Verdict::NeedBody => {
                self.phase = Phase::Buffering;
                // Pausing here only works with Envoy's
                // allow_on_headers_stop_iteration; see `inspect.hold_headers`.
                if self.engine.config().inspect.hold_headers {
                    Action::Pause
                } else {
                    Action::Continue
                }
            }
            Verdict::Allow if !end_of_stream => {
                // Not inspected, but the body size limit still applies.
                self.phase = Phase::Streaming;
                Action::Continue
            }
            Verdict::Allow => self.conclude(None),
            Verdict::Reply(r) => self.conclude(Some(r)),
        }
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        match self.phase {
            Phase::Buffering => {
                self.buffered = body_size;
                let step = match &mut self.tx {
                    Some(tx) => tx.on_body_size(body_size as u64),
                    None => BodyStep::PassThrough,
                };
                match step {
                    BodyStep::Reply(r) => {
                        self.respond(&r);
                        self.record();
                        Action::Pause
                    }
                    BodyStep::PassThrough => {
                        self.phase = Phase::Streaming;
                        self.streamed = body_size as u64;
                        if end_of_stream {
                            self.phase = Phase::Done;
                            self.record();
                        }
                        Action::Continue
                    }
                    BodyStep::Buffer if end_of_stream => self.inspect_buffered_body(),
                    BodyStep::Buffer => Action::Pause,
                }
            }
            Phase::Streaming => {
                self.streamed = self.streamed.saturating_add(body_size as u64);
                let step = match &mut self.tx {
                    Some(tx) => tx.on_body_size(self.streamed),
                    None => BodyStep::PassThrough,
                };
                if let BodyStep::Reply(r) = step {
                    self.respond(&r);
                    self.record();
                    return Action::Pause;
                }
                if end_of_stream {
                    self.phase = Phase::Done;
                    self.record();
                }
                Action::Continue
            }
            Phase::Headers | Phase::Done => Action::Continue,
        }
    }

    fn on_http_request_trailers(&mut self, _num_trailers: usize) -> Action {
        // HTTP/2 and chunked requests with trailers end with the trailers,
        // not with an end-of-stream body callback: decide here.
        match self.phase {
            Phase::Buffering => self.inspect_buffered_body(),
            Phase::Streaming => {
                self.phase = Phase::Done;
                self.record();
                Action::Continue
            }
            Phase::Headers | Phase::Done => Action::Continue,
        }
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        for (k, v) in std::mem::take(&mut self.rate_headers) {
            self.add_http_response_header(&k, &v);
        }
        Action::Continue
    }

    fn on_log(&mut self) {
        // Requests that ended early (client reset mid-body) are still
        // counted.
        self.record();
    }
}
