//! [`RequestFilter`]: one request from its headers to its log callback.

use crate::engine::host::{Host, Level};
use crate::engine::inspect::BodyStep;
use crate::engine::metrics::Metric;
use crate::engine::policy::{BodyVerdict, HeadVerdict};
use crate::engine::ratelimit::{Keying, RateKey, RateLimiter};
use crate::engine::reply::LocalReply;
use crate::engine::{Engine, Transaction};

use super::hold::{HoldHandle, Release};
use super::phase::{Flow, Phase};
use super::record::{record_profile, record_transaction};
use super::response::ResponseWatch;
use super::root::SiemHandle;
use super::shadow::ShadowRun;

/// One request. See the [module docs](super) for the design.
///
/// Each `on_*` method is one proxy callback; the host passes itself in, so
/// the filter holds no proxy state and the same code runs under Envoy and
/// with [`FakeHost`](super::FakeHost).
pub struct RequestFilter {
    engine: Engine,
    /// The proxy's id of this request (part of generated event ids).
    context_id: u32,
    /// The VM's SIEM queue, when a sink is configured.
    siem: Option<SiemHandle>,
    /// The VM's table of held requests (`inspect.hold_headers`).
    holds: Option<HoldHandle>,
    /// This request paused in its headers callback and is in `holds`.
    held: bool,
    /// Created from the request head; `None` until then (or when the head
    /// could not be read).
    tx: Option<Transaction>,
    phase: Phase,
    /// Body bytes the proxy holds for us (while `Buffering`).
    buffered: usize,
    /// Body bytes seen while `Streaming`.
    streamed: u64,
    /// The rate-limit bucket of this request (charged `attack_cost` when it
    /// carries an attack).
    rate_key: Option<RateKey>,
    /// `x-ratelimit-*` headers owed to the response.
    rate_headers: Vec<(String, String)>,
    /// Time spent in the engine.
    nanos: u64,
    /// The whole body went through the detectors.
    body_inspected: bool,
    /// The local reply, once sent (at most one per request).
    sent: Option<LocalReply>,
    recorded: bool,
    /// The request through the `shadow` configuration, when it is sampled.
    shadow: Option<ShadowRun>,
    /// The response on its way back (`response.enabled`).
    response: ResponseWatch,
}

impl RequestFilter {
    /// A filter for request `context_id`, enforcing `engine`.
    pub fn new(engine: Engine, context_id: u32) -> RequestFilter {
        RequestFilter {
            engine,
            context_id,
            siem: None,
            holds: None,
            held: false,
            tx: None,
            phase: Phase::Headers,
            buffered: 0,
            streamed: 0,
            rate_key: None,
            rate_headers: Vec::new(),
            nanos: 0,
            body_inspected: false,
            sent: None,
            recorded: false,
            shadow: None,
            response: ResponseWatch::default(),
        }
    }

    /// Queues this request's events for the SIEM sink too.
    pub fn with_siem(mut self, queue: SiemHandle) -> RequestFilter {
        self.siem = Some(queue);
        self
    }

    /// Enters held requests in the VM's table, whose tick resumes them
    /// when their body does not come (see `inspect.hold_headers`).
    pub fn with_holds(mut self, holds: HoldHandle) -> RequestFilter {
        self.holds = Some(holds);
        self
    }

    /// True while the request's headers are held.
    pub fn is_held(&self) -> bool {
        self.held
    }

    /// Where the request is in its life.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The inspection of this request, once its head was read.
    pub fn transaction(&self) -> Option<&Transaction> {
        self.tx.as_ref()
    }

    /// True when the body went through the detectors.
    pub fn body_inspected(&self) -> bool {
        self.body_inspected
    }

    /// The local reply sent, if any.
    pub fn sent_reply(&self) -> Option<&LocalReply> {
        self.sent.as_ref()
    }

    /// The request headers arrived; `end_of_stream` when no body follows.
    pub fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> Flow {
        if self.phase != Phase::Headers {
            return Flow::Continue;
        }
        let t0 = host.now_nanos();
        let Some(head) = host.request_head() else {
            host.log(
                Level::Error,
                "envoy-rasp: could not read the request headers; request not inspected",
            );
            self.phase = Phase::Done;
            return Flow::Continue;
        };
        let route = if self.engine.needs_route() {
            host.property(&["xds", "route_name"])
        } else {
            None
        };
        let mut tx = self.engine.select(&head, route.as_deref()).begin(head);
        if tx.event_id().is_none() {
            tx.set_event_id(format!("rasp-{:x}-{}", t0, self.context_id));
        }
        // A throttled request is answered before it is inspected.
        let verdict = match self.rate_limit(host, &mut tx, t0) {
            Some(reply) => HeadVerdict::Reply(reply),
            None => {
                // A throttled request is not compared: the shadow has no
                // rate limit, every one would differ.
                let seed = t0 ^ u64::from(self.context_id);
                self.shadow = ShadowRun::start(
                    &self.engine,
                    tx.head(),
                    route.as_deref(),
                    end_of_stream,
                    seed,
                );
                tx.on_headers(end_of_stream)
            }
        };
        self.nanos += host.now_nanos().saturating_sub(t0);
        self.tx = Some(tx);
        match verdict {
            HeadVerdict::NeedBody => {
                self.phase = Phase::Buffering;
                // Pausing here only works with Envoy's
                // allow_on_headers_stop_iteration; the table bounds the
                // wait when Envoy lacks it (see `hold`).
                self.held = self.engine.config().inspect.hold_headers && self.hold(t0);
                if self.held {
                    Flow::Pause
                } else {
                    Flow::Continue
                }
            }
            HeadVerdict::Allow if !end_of_stream => {
                // Not inspected, but the body size limit still applies.
                self.phase = Phase::Streaming;
                Flow::Continue
            }
            HeadVerdict::Allow => self.finish(host, None),
            HeadVerdict::Reply(r) => self.finish(host, Some(r)),
        }
    }

    /// Body data arrived: `body_size` is what the proxy holds for us while
    /// buffering (everything so far), else the size of this chunk.
    pub fn on_request_body(
        &mut self,
        host: &mut dyn Host,
        body_size: usize,
        end_of_stream: bool,
    ) -> Flow {
        self.release(host);
        let total = match self.phase {
            Phase::Buffering => {
                self.buffered = body_size;
                body_size as u64
            }
            Phase::Streaming => {
                self.streamed = self.streamed.saturating_add(body_size as u64);
                self.streamed
            }
            Phase::Headers | Phase::Done => return Flow::Continue,
        };
        if let Some(s) = self.shadow.as_mut() {
            s.on_body_size(total);
        }
        let step = match &mut self.tx {
            Some(tx) => tx.on_body_size(total),
            None => BodyStep::PassThrough,
        };
        match step {
            BodyStep::Reply(r) => self.finish(host, Some(r)),
            BodyStep::Buffer if self.phase == Phase::Buffering => {
                if end_of_stream {
                    self.inspect_body(host)
                } else {
                    Flow::Pause
                }
            }
            // Over the limit in monitor mode (or already streaming): let
            // the rest through, counting only its size.
            BodyStep::Buffer | BodyStep::PassThrough => {
                if self.phase == Phase::Buffering {
                    self.phase = Phase::Streaming;
                    self.streamed = total;
                }
                if end_of_stream {
                    self.finish(host, None)
                } else {
                    Flow::Continue
                }
            }
        }
    }

    /// The request trailers arrived. HTTP/2 and chunked requests with
    /// trailers end with them, not with an end-of-stream body callback:
    /// decide here.
    pub fn on_request_trailers(&mut self, host: &mut dyn Host) -> Flow {
        self.release(host);
        match self.phase {
            Phase::Buffering => self.inspect_body(host),
            Phase::Streaming => self.finish(host, None),
            Phase::Headers | Phase::Done => Flow::Continue,
        }
    }

    /// The response headers are on their way: adds the rate-limit headers
    /// this request owes, and inspects them (`response.enabled`).
    pub fn on_response_headers(&mut self, host: &mut dyn Host) -> Flow {
        for (k, v) in std::mem::take(&mut self.rate_headers) {
            host.add_response_header(&k, &v);
        }
        let (c, replied) = (self.engine.config(), self.sent.is_some());
        (self.response).headers(host, c, self.tx.as_ref(), replied);
        Flow::Continue
    }

    /// Response body data arrived (`body_size`: this chunk; the response
    /// is never held). Scanned when `response.enabled`.
    pub fn on_response_body(&mut self, host: &mut dyn Host, body_size: usize, _end: bool) -> Flow {
        (self.response).body(host, self.engine.config(), body_size);
        Flow::Continue
    }

    /// The stream is over. Requests that ended early (a client reset
    /// mid-body) are still recorded.
    pub fn on_log(&mut self, host: &mut dyn Host) {
        self.forget();
        self.record(host);
        let (c, tx, siem) = (self.engine.config(), self.tx.as_ref(), self.siem.as_deref());
        self.response.record(host, c, tx, siem);
    }

    /// Enters this request in the VM's table of held requests; false when
    /// it must not be held.
    fn hold(&mut self, now: u64) -> bool {
        let holds = self.holds.as_ref().and_then(|h| h.try_borrow_mut().ok());
        holds.is_some_and(|mut h| h.hold(self.context_id, now))
    }

    /// Body data or trailers came: the request leaves the table. Logs once
    /// per VM when this shows that Envoy withheld the body.
    fn release(&mut self, host: &mut dyn Host) {
        if !std::mem::take(&mut self.held) {
            return;
        }
        let now = host.now_nanos();
        let Some(mut holds) = self.holds.as_ref().and_then(|h| h.try_borrow_mut().ok()) else {
            return;
        };
        if holds.release(self.context_id, now) == Release::Withheld {
            host.log(
                Level::Warn,
                "envoy-rasp: inspect.hold_headers: Envoy held back the request body until the \
                 headers were resumed, so this Envoy lacks allow_on_headers_stop_iteration: true \
                 on the Wasm filter; this VM no longer holds headers (bodies are still \
                 inspected). Set that option (Envoy >= 1.35) or inspect.hold_headers: false.",
            );
        }
    }

    /// The request ended: it leaves the table.
    fn forget(&mut self) {
        if std::mem::take(&mut self.held) {
            if let Some(mut holds) = self.holds.as_ref().and_then(|h| h.try_borrow_mut().ok()) {
                holds.forget(self.context_id);
            }
        }
    }

    /// Reads the buffered body once and inspects it.
    fn inspect_body(&mut self, host: &mut dyn Host) -> Flow {
        let body = if self.buffered > 0 {
            host.request_body(self.buffered)
        } else {
            Vec::new()
        };
        if let Some(s) = self.shadow.as_mut() {
            s.on_body(&body);
        }
        let t0 = host.now_nanos();
        let verdict = match &mut self.tx {
            Some(tx) => {
                self.body_inspected = true;
                tx.on_body(&body)
            }
            None => BodyVerdict::Allow,
        };
        self.nanos += host.now_nanos().saturating_sub(t0);
        self.finish(host, verdict.into_reply())
    }

    /// Carries out a decision: sends the local reply, if any, and records
    /// the request. The only place either happens; `Done` makes every later
    /// callback a no-op, so a request is answered at most once.
    fn finish(&mut self, host: &mut dyn Host, reply: Option<LocalReply>) -> Flow {
        if self.phase == Phase::Done {
            return Flow::Continue;
        }
        self.phase = Phase::Done;
        self.forget();
        let flow = match reply {
            Some(r) => {
                host.send_reply(r.status, &r.headers, &r.body);
                self.sent = Some(r);
                Flow::Pause
            }
            None => Flow::Continue,
        };
        self.record(host);
        flow
    }

    /// Counts the request, charges its attack cost and writes (and queues)
    /// its events, once.
    fn record(&mut self, host: &mut dyn Host) {
        if self.recorded {
            return;
        }
        let Some(tx) = &self.tx else {
            return;
        };
        self.recorded = true;
        record_transaction(tx, host.metrics());
        if !self.engine.config().profiles.list.is_empty() {
            record_profile(tx, host.metrics());
        }
        if let Some(s) = &self.shadow {
            s.finish(tx, host);
        }
        host.metrics()
            .record(Metric::InspectionMicros, self.nanos / 1000);
        if !tx.findings().is_empty() {
            if let (Some(rl), Some(key)) = (&self.engine.config().rate_limit, &self.rate_key) {
                if rl.attack_cost() > 0 {
                    let now = host.now_nanos();
                    rl.charge(host.store(), now, key, rl.attack_cost());
                }
            }
        }
        if !tx.excluded().is_empty() {
            let client = host.client_address();
            let now_ms = host.now_nanos() / 1_000_000;
            for line in tx.excluded_events(client.as_deref(), now_ms) {
                host.log(Level::Debug, &line);
            }
        }
        if tx.has_events() {
            let client = host.client_address();
            let now_ms = host.now_nanos() / 1_000_000;
            let mut queue = self.siem.as_ref().and_then(|q| q.try_borrow_mut().ok());
            for line in tx.events(client.as_deref(), now_ms) {
                host.event(&line);
                if let Some(q) = queue.as_mut() {
                    q.push(&line, now_ms);
                }
            }
        }
    }

    /// Checks the rate limit before anything is inspected: the 429 reply
    /// when the request is throttled. Otherwise remembers the key (for the
    /// attack cost) and the headers owed to the response.
    fn rate_limit(
        &mut self,
        host: &mut dyn Host,
        tx: &mut Transaction,
        now: u64,
    ) -> Option<LocalReply> {
        let rl = self.engine.config().rate_limit.as_ref()?;
        let client = host.client_address();
        let key = match rl.key(tx.head(), client.as_deref()) {
            Keying::Key(k) => k,
            Keying::Exempt => return None,
            Keying::Unkeyed => {
                host.metrics().add(Metric::RateLimitUnkeyed, 1);
                return None;
            }
        };
        let d = rl.check(host.store(), now, &key);
        RateLimiter::record(&d, host.metrics());
        self.rate_key = Some(key);
        let reply = rl.reply(&d, tx.event_id().unwrap_or_default());
        if let Some(taken) = d.taken {
            tx.rate_limited(taken, reply.clone());
        }
        if reply.is_none() {
            self.rate_headers = rl.response_headers(&d);
        }
        reply
    }
}
