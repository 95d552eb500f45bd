//! SIEM sink: security events batched and shipped to an HTTP collector.
//!
//! Events always go to Envoy's log. With a `siem` section the filter also
//! POSTs them, in batches, to a collector reachable through an Envoy
//! cluster: Splunk's HTTP Event Collector (`format: "splunk_hec"`), or
//! anything that accepts newline-delimited JSON (`format: "jsonl"`: Vector's
//! and Fluent Bit's `http` inputs, Logstash's `http` input, an OpenTelemetry
//! collector with a JSON-lines receiver, …).
//!
//! This module is the pure half: a bounded queue per wasm VM with batching,
//! drop accounting and request building. The host owns the timer and the
//! `dispatch_http_call`:
//!
//! 1. after a request's events are logged, [`SiemQueue::push`] each line;
//! 2. on every tick (period [`SiemQueue::tick_period_ms`]) and after pushing,
//!    [`SiemQueue::take_batch`]; when it returns a [`Batch`], dispatch it to
//!    [`Batch::cluster`] with its headers, body and [`Batch::timeout_ms`];
//! 3. when the call completes, [`SiemQueue::on_result`] with
//!    [`delivered`]`(:status)`; a failed batch is dropped and counted, never
//!    retried (a collector outage must not turn into memory growth or a
//!    retry storm);
//! 4. [`SiemQueue::take_metric_deltas`] says what to add to
//!    `rasp_siem_events_sent_total` and
//!    `rasp_siem_events_dropped_total{reason="overflow"|"failed"}`.
//!
//! At most one batch per VM is in flight. The queue holds at most
//! `queue_capacity` events; when full, the **oldest** event is dropped (the
//! newest events describe the attack that is happening now).
//!
//! ```
//! use envoy_rasp::engine::error::FieldPath;
//! use envoy_rasp::engine::section::{Context, Section};
//! use envoy_rasp::engine::siem::{SiemConfig, SiemQueue};
//!
//! let cfg: SiemConfig = serde_json::from_str(
//!     r#"{"cluster": "splunk", "format": "splunk_hec", "batch_size": 2,
//!         "headers": [{"name": "authorization", "value": "Splunk 0000-token"}]}"#,
//! ).unwrap();
//! cfg.compile(&FieldPath::from("siem"), &Context::default()).unwrap();
//! let mut q = SiemQueue::new(&cfg);
//! q.push(r#"{"event":"rasp.attack","type":"xss"}"#, 1_000);
//! assert!(q.take_batch(1_001).is_none()); // neither full nor old enough
//! q.push(r#"{"event":"rasp.attack","type":"sql_injection"}"#, 1_002);
//! let batch = q.take_batch(1_003).unwrap();
//! assert_eq!(batch.events, 2);
//! assert!(batch.headers.contains(&(":path".into(), "/services/collector/event".into())));
//! let body = String::from_utf8(batch.body).unwrap();
//! assert!(body.starts_with(r#"{"time":1.000,"sourcetype":"envoy-rasp","event":{"event":"rasp.attack""#));
//! q.on_result(true);
//! assert_eq!(q.counters().sent, 2);
//! ```

use std::collections::VecDeque;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::error::{ConfigErrors, FieldPath};
use super::escape::json_escape;
use super::metrics::{Metric, SiemDrop};
use super::section::{Bounds, Context, Section};

/// How events are written in a batch body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SiemFormat {
    /// One event object per line (`application/x-ndjson`).
    #[default]
    Jsonl,
    /// Splunk HTTP Event Collector: one
    /// `{"time":…,"sourcetype":…,"event":{…}}` envelope per line
    /// (`application/json`), for `/services/collector/event`.
    SplunkHec,
}

impl SiemFormat {
    /// The request path used when `path` is not set.
    pub fn default_path(self) -> &'static str {
        match self {
            SiemFormat::Jsonl => "/",
            SiemFormat::SplunkHec => "/services/collector/event",
        }
    }

    /// The `content-type` of a batch.
    pub fn content_type(self) -> &'static str {
        match self {
            SiemFormat::Jsonl => "application/x-ndjson",
            SiemFormat::SplunkHec => "application/json",
        }
    }
}

/// One extra request header sent with every batch.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiemHeader {
    /// Header name, e.g. `authorization`.
    pub name: String,
    /// Header value, e.g. `Splunk 0000-…` (a HEC token).
    pub value: String,
}

fn default_sourcetype() -> String {
    "envoy-rasp".to_string()
}
fn default_batch_size() -> usize {
    100
}
fn default_flush_interval_ms() -> u64 {
    1000
}
fn default_queue_capacity() -> usize {
    10_000
}
fn default_timeout_ms() -> u64 {
    5000
}

/// Configuration section `siem` (optional; absent or `null`: off).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiemConfig {
    /// Name of the Envoy cluster that reaches the collector (defined in the
    /// Envoy configuration, or a `ServiceEntry`/service in Istio:
    /// `outbound|8088||splunk-hec.logging.svc.cluster.local`). Required.
    pub cluster: String,
    /// Request path. Default (`null`): `/services/collector/event` for
    /// `splunk_hec`, `/` for `jsonl`.
    #[serde(default)]
    pub path: Option<String>,
    /// `:authority` (Host) of the requests. Default (`null`): the cluster
    /// name.
    #[serde(default)]
    pub authority: Option<String>,
    /// Extra request headers, e.g.
    /// `[{"name": "authorization", "value": "Splunk <token>"}]`. Default
    /// empty. `content-type` may be overridden; hop-by-hop and framing
    /// headers may not.
    #[serde(default)]
    pub headers: Vec<SiemHeader>,
    /// `"jsonl"` (default) or `"splunk_hec"`. See [`SiemFormat`].
    #[serde(default)]
    pub format: SiemFormat,
    /// Splunk `sourcetype` of the events (`splunk_hec` only). Default
    /// `"envoy-rasp"`.
    #[serde(default = "default_sourcetype")]
    pub sourcetype: String,
    /// Splunk `index` (`splunk_hec` only). Default (`null`): the token's
    /// default index.
    #[serde(default)]
    pub index: Option<String>,
    /// Events per request: a batch is sent as soon as this many are queued.
    /// Default 100, 1–10000, at most `queue_capacity`.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Longest time an event waits in the queue before a (smaller) batch is
    /// sent, in milliseconds. Default 1000, 100–3600000.
    #[serde(default = "default_flush_interval_ms")]
    pub flush_interval_ms: u64,
    /// Most events queued per wasm VM (one VM per Envoy worker thread).
    /// When full, the oldest event is dropped and counted. Default 10000,
    /// 1–1000000, at least `batch_size`.
    #[serde(default = "default_queue_capacity")]
    pub queue_capacity: usize,
    /// Timeout of one batch request, in milliseconds; a batch that times
    /// out is dropped and counted as failed. Default 5000, 100–60000.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

/// Headers the sink sets itself or that would break the request framing.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "upgrade",
    "trailer",
];

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

/// Printable, no spaces (cluster names, paths, authorities).
fn is_visible(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c > 0x20 && c != 0x7f)
}

/// The sizes `siem.batch_size` accepts (also at most `queue_capacity`).
pub const BATCH_SIZE_RANGE: Bounds = Bounds::new(1, 10_000);
/// The periods `siem.flush_interval_ms` accepts.
pub const FLUSH_INTERVAL_MS_RANGE: Bounds = Bounds::new(100, 3_600_000);
/// The sizes `siem.queue_capacity` accepts.
pub const QUEUE_CAPACITY_RANGE: Bounds = Bounds::new(1, 1_000_000);
/// The timeouts `siem.timeout_ms` accepts.
pub const TIMEOUT_MS_RANGE: Bounds = Bounds::new(100, 60_000);
/// Longest `siem.cluster` name.
pub const MAX_CLUSTER_LEN: usize = 512;
/// Longest `siem.sourcetype`.
pub const MAX_SOURCETYPE_LEN: usize = 256;

/// Checked only: the queue reads the section as written.
impl Section for SiemConfig {
    type Compiled = SiemConfig;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<SiemConfig, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        if !is_visible(&self.cluster) || self.cluster.len() > MAX_CLUSTER_LEN {
            errors.push(at.key("cluster").error(format!(
                "must be the name of an Envoy cluster (1-{MAX_CLUSTER_LEN} characters, no spaces)"
            )));
        }
        if let Some(p) = &self.path {
            if !p.starts_with('/') || !is_visible(p) {
                errors.push(at.key("path").error(format!(
                    "must start with '/' and contain no spaces, got {p:?}"
                )));
            }
        }
        if let Some(a) = &self.authority {
            if !is_visible(a) {
                errors.push(
                    at.key("authority")
                        .error("must be a host[:port] without spaces"),
                );
            }
        }
        for (i, h) in self.headers.iter().enumerate() {
            let here = at.key("headers").index(i);
            let lower = h.name.to_ascii_lowercase();
            if !is_token(&h.name) || RESERVED_HEADERS.contains(&lower.as_str()) {
                errors.push(
                    here.key("name")
                        .error(format!("not a header name the sink may set: {:?}", h.name)),
                );
            }
            if h.value
                .bytes()
                .any(|c| (c < 0x20 && c != b'\t') || c == 0x7f)
            {
                errors.push(
                    here.key("value")
                        .error("must not contain control characters"),
                );
            }
        }
        if self.sourcetype.is_empty() || self.sourcetype.len() > MAX_SOURCETYPE_LEN {
            errors.push(
                at.key("sourcetype")
                    .error(format!("must be 1-{MAX_SOURCETYPE_LEN} characters")),
            );
        }
        if self.index.as_ref().is_some_and(|i| i.is_empty()) {
            errors.push(
                at.key("index")
                    .error("must be null or a non-empty index name"),
            );
        }
        let batch = at.key("batch_size");
        let batch_ok = BATCH_SIZE_RANGE.check(&batch, self.batch_size as u64, &mut errors);
        FLUSH_INTERVAL_MS_RANGE.check(
            &at.key("flush_interval_ms"),
            self.flush_interval_ms,
            &mut errors,
        );
        let queue_ok = QUEUE_CAPACITY_RANGE.check(
            &at.key("queue_capacity"),
            self.queue_capacity as u64,
            &mut errors,
        );
        // Compared only when both are valid on their own.
        if batch_ok && queue_ok && self.batch_size > self.queue_capacity {
            errors.push(batch.error(format!(
                "must not exceed {at}.queue_capacity ({} > {})",
                self.batch_size, self.queue_capacity
            )));
        }
        TIMEOUT_MS_RANGE.check(&at.key("timeout_ms"), self.timeout_ms, &mut errors);
        errors.into_result(self.clone())
    }
}

impl SiemConfig {
    /// The request path actually used.
    pub fn effective_path(&self) -> &str {
        self.path
            .as_deref()
            .unwrap_or_else(|| self.format.default_path())
    }

    /// The `:authority` actually used.
    pub fn effective_authority(&self) -> &str {
        self.authority.as_deref().unwrap_or(&self.cluster)
    }
}

/// Event counts since the queue was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SiemCounters {
    /// Events in batches the collector accepted.
    pub sent: u64,
    /// Events dropped because the queue was full.
    pub dropped_overflow: u64,
    /// Events in batches that failed.
    pub dropped_failed: u64,
}

/// One request to send: dispatch it to `cluster` with these headers and
/// body, and report the outcome with [`SiemQueue::on_result`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub cluster: String,
    /// `:method`, `:path`, `:authority`, `content-type`, then the
    /// configured headers.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Number of events in the body.
    pub events: usize,
    pub timeout_ms: u64,
}

struct Queued {
    line: String,
    at_ms: u64,
}

struct InFlight {
    events: usize,
    since_ms: u64,
}

/// The per-VM event queue. See the [module docs](self).
pub struct SiemQueue {
    cfg: SiemConfig,
    queue: VecDeque<Queued>,
    in_flight: Option<InFlight>,
    counters: SiemCounters,
    reported: SiemCounters,
}

impl SiemQueue {
    /// An empty queue for a validated configuration.
    pub fn new(cfg: &SiemConfig) -> SiemQueue {
        SiemQueue {
            cfg: cfg.clone(),
            // Grow on demand: most VMs never see an event.
            queue: VecDeque::new(),
            in_flight: None,
            counters: SiemCounters::default(),
            reported: SiemCounters::default(),
        }
    }

    /// The configuration the queue was built with.
    pub fn config(&self) -> &SiemConfig {
        &self.cfg
    }

    /// Events waiting (not counting a batch in flight).
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// True when no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// True while a batch awaits [`SiemQueue::on_result`].
    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Queues one event line (a JSON object, as [`super::event`] writes
    /// them) observed at `now_ms` (milliseconds since the epoch). When the
    /// queue is full the oldest event is dropped.
    pub fn push(&mut self, line: &str, now_ms: u64) {
        let cap = self.cfg.queue_capacity.max(1);
        while self.queue.len() >= cap {
            self.queue.pop_front();
            self.counters.dropped_overflow = self.counters.dropped_overflow.saturating_add(1);
        }
        self.queue.push_back(Queued {
            line: line.to_string(),
            at_ms: now_ms,
        });
    }

    /// The next batch to send, if one is due: `batch_size` events are
    /// queued, or the oldest has waited `flush_interval_ms`. `None` while a
    /// batch is in flight, unless it has been in flight for more than twice
    /// `timeout_ms` (the host never reported it): then it counts as failed.
    pub fn take_batch(&mut self, now_ms: u64) -> Option<Batch> {
        if let Some(f) = &self.in_flight {
            let deadline = f
                .since_ms
                .saturating_add(self.cfg.timeout_ms.saturating_mul(2));
            if now_ms <= deadline {
                return None;
            }
            self.on_result(false);
        }
        let oldest = self.queue.front()?.at_ms;
        let full = self.queue.len() >= self.cfg.batch_size;
        let due = now_ms.saturating_sub(oldest) >= self.cfg.flush_interval_ms;
        if !full && !due {
            return None;
        }
        let n = self.queue.len().min(self.cfg.batch_size.max(1));
        let mut body = String::with_capacity(n.saturating_mul(400));
        for q in self.queue.drain(..n) {
            write_event(&self.cfg, &mut body, &q);
        }
        self.in_flight = Some(InFlight {
            events: n,
            since_ms: now_ms,
        });
        Some(Batch {
            cluster: self.cfg.cluster.clone(),
            headers: self.headers(),
            body: body.into_bytes(),
            events: n,
            timeout_ms: self.cfg.timeout_ms,
        })
    }

    /// Reports the outcome of the batch in flight: `ok` when the collector
    /// answered 2xx. A failed batch is dropped and counted.
    pub fn on_result(&mut self, ok: bool) {
        let Some(f) = self.in_flight.take() else {
            return;
        };
        let n = f.events as u64;
        if ok {
            self.counters.sent = self.counters.sent.saturating_add(n);
        } else {
            self.counters.dropped_failed = self.counters.dropped_failed.saturating_add(n);
        }
    }

    /// How often the host should call [`SiemQueue::take_batch`] (its tick
    /// period, in milliseconds): a tenth of `flush_interval_ms`, between 50
    /// ms and 1 s, so batches leave within about 10% of the interval.
    pub fn tick_period_ms(&self) -> u64 {
        (self.cfg.flush_interval_ms / 10).clamp(50, 1000)
    }

    /// Totals since the queue was created.
    pub fn counters(&self) -> SiemCounters {
        self.counters
    }

    /// What to add to each SIEM metric since the previous call (zeros
    /// included, so the caller can skip them).
    pub fn take_metric_deltas(&mut self) -> [(Metric, u64); 3] {
        let c = self.counters;
        let r = self.reported;
        self.reported = c;
        [
            (Metric::SiemSent, c.sent.saturating_sub(r.sent)),
            (
                Metric::SiemDropped(SiemDrop::Overflow),
                c.dropped_overflow.saturating_sub(r.dropped_overflow),
            ),
            (
                Metric::SiemDropped(SiemDrop::Failed),
                c.dropped_failed.saturating_sub(r.dropped_failed),
            ),
        ]
    }

    fn headers(&self) -> Vec<(String, String)> {
        let mut h = vec![
            (":method".to_string(), "POST".to_string()),
            (":path".to_string(), self.cfg.effective_path().to_string()),
            (
                ":authority".to_string(),
                self.cfg.effective_authority().to_string(),
            ),
        ];
        let custom_ct = self
            .cfg
            .headers
            .iter()
            .any(|x| x.name.eq_ignore_ascii_case("content-type"));
        if !custom_ct {
            h.push((
                "content-type".to_string(),
                self.cfg.format.content_type().to_string(),
            ));
        }
        for x in &self.cfg.headers {
            h.push((x.name.to_ascii_lowercase(), x.value.clone()));
        }
        h
    }
}

/// Whether a collector's answer counts as delivered: the `:status` of the
/// response is 2xx. `None` (no response: reset, timeout) is a failure.
pub fn delivered(status: Option<&[u8]>) -> bool {
    status
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.trim().parse::<u16>().ok())
        .is_some_and(|s| (200..300).contains(&s))
}

/// Appends one event of a batch body, with its line end.
fn write_event(cfg: &SiemConfig, out: &mut String, q: &Queued) {
    match cfg.format {
        SiemFormat::Jsonl => write_json_value(out, &q.line),
        SiemFormat::SplunkHec => {
            let _ = write!(out, "{{\"time\":{}.{:03}", q.at_ms / 1000, q.at_ms % 1000);
            out.push_str(",\"sourcetype\":\"");
            json_escape(out, &cfg.sourcetype);
            out.push('"');
            if let Some(index) = &cfg.index {
                out.push_str(",\"index\":\"");
                json_escape(out, index);
                out.push('"');
            }
            out.push_str(",\"event\":");
            write_json_value(out, &q.line);
            out.push('}');
        }
    }
    out.push('\n');
}

/// Writes an event line as a JSON value: as is when it looks like a
/// single-line JSON object (what the engine writes), otherwise as a JSON
/// string, so one malformed line can never break a whole batch.
fn write_json_value(out: &mut String, line: &str) {
    let t = line.trim();
    if t.starts_with('{') && t.ends_with('}') && !t.contains(['\n', '\r']) {
        out.push_str(t);
    } else {
        out.push('"');
        json_escape(out, line);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(json: &str) -> SiemConfig {
        let c: SiemConfig = serde_json::from_str(json).unwrap();
        c.compile(&FieldPath::from("siem"), &Context::default())
            .unwrap();
        c
    }

    /// A fake clock: tests pass explicit milliseconds.
    const T0: u64 = 1_795_899_024_603;

    fn ev(i: usize) -> String {
        format!(r#"{{"event":"rasp.attack","n":{i}}}"#)
    }

    #[test]
    fn defaults() {
        let c = cfg(r#"{"cluster": "siem"}"#);
        assert_eq!(c.format, SiemFormat::Jsonl);
        assert_eq!(c.effective_path(), "/");
        assert_eq!(c.effective_authority(), "siem");
        assert_eq!(c.batch_size, 100);
        assert_eq!(c.flush_interval_ms, 1000);
        assert_eq!(c.queue_capacity, 10_000);
        assert_eq!(c.timeout_ms, 5000);
        let hec = cfg(r#"{"cluster": "siem", "format": "splunk_hec"}"#);
        assert_eq!(hec.effective_path(), "/services/collector/event");
    }

    #[test]
    fn batch_when_full() {
        let mut q = SiemQueue::new(&cfg(r#"{"cluster": "c", "batch_size": 3}"#));
        q.push(&ev(1), T0);
        q.push(&ev(2), T0);
        assert!(q.take_batch(T0).is_none());
        q.push(&ev(3), T0);
        q.push(&ev(4), T0);
        let b = q.take_batch(T0).unwrap();
        assert_eq!(b.events, 3);
        assert_eq!(b.cluster, "c");
        assert_eq!(b.timeout_ms, 5000);
        let body = String::from_utf8(b.body).unwrap();
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines, vec![ev(1), ev(2), ev(3)]);
        assert!(body.ends_with('\n'));
        assert_eq!(q.len(), 1);
        assert_eq!(
            b.headers,
            vec![
                (":method".into(), "POST".into()),
                (":path".into(), "/".into()),
                (":authority".into(), "c".into()),
                ("content-type".into(), "application/x-ndjson".into()),
            ]
        );
    }

    #[test]
    fn batch_when_oldest_event_is_old_enough() {
        let mut q = SiemQueue::new(&cfg(r#"{"cluster": "c", "flush_interval_ms": 500}"#));
        assert!(q.take_batch(T0).is_none(), "nothing queued");
        q.push(&ev(1), T0);
        q.push(&ev(2), T0 + 400);
        assert!(q.take_batch(T0 + 499).is_none());
        let b = q.take_batch(T0 + 500).unwrap();
        assert_eq!(b.events, 2);
    }

    #[test]
    fn one_batch_in_flight_then_the_next() {
        let mut q = SiemQueue::new(&cfg(r#"{"cluster": "c", "batch_size": 1}"#));
        q.push(&ev(1), T0);
        q.push(&ev(2), T0);
        assert!(q.take_batch(T0).is_some());
        assert!(q.in_flight());
        assert!(q.take_batch(T0 + 1).is_none(), "previous batch in flight");
        q.on_result(true);
        let b = q.take_batch(T0 + 2).unwrap();
        assert_eq!(String::from_utf8(b.body).unwrap(), format!("{}\n", ev(2)));
        q.on_result(false);
        let c = q.counters();
        assert_eq!((c.sent, c.dropped_failed, c.dropped_overflow), (1, 1, 0));
        // A result without a batch in flight changes nothing.
        q.on_result(true);
        assert_eq!(q.counters(), c);
    }

    #[test]
    fn overflow_drops_the_oldest_and_counts() {
        let mut q = SiemQueue::new(&cfg(
            r#"{"cluster": "c", "batch_size": 2, "queue_capacity": 3}"#,
        ));
        for i in 1..=5 {
            q.push(&ev(i), T0);
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.counters().dropped_overflow, 2);
        let b = q.take_batch(T0).unwrap();
        let body = String::from_utf8(b.body).unwrap();
        assert_eq!(body, format!("{}\n{}\n", ev(3), ev(4)), "oldest went first");
    }

    #[test]
    fn a_lost_result_does_not_block_the_queue_forever() {
        let mut q = SiemQueue::new(&cfg(
            r#"{"cluster": "c", "batch_size": 1, "timeout_ms": 1000}"#,
        ));
        q.push(&ev(1), T0);
        q.push(&ev(2), T0);
        assert!(q.take_batch(T0).is_some());
        assert!(q.take_batch(T0 + 2000).is_none());
        let b = q.take_batch(T0 + 2001).unwrap();
        assert_eq!(b.events, 1);
        assert_eq!(q.counters().dropped_failed, 1);
    }

    #[test]
    fn splunk_hec_envelope() {
        let mut q = SiemQueue::new(&cfg(r#"{
            "cluster": "outbound|8088||hec.logging.svc.cluster.local",
            "authority": "hec.logging.svc:8088",
            "format": "splunk_hec", "index": "security", "batch_size": 2,
            "headers": [{"name": "Authorization", "value": "Splunk 1234-abcd"}]
        }"#));
        q.push(r#"{"event":"rasp.attack","type":"xss"}"#, 1_700_000_000_007);
        q.push("not json \"quoted\"", 1_700_000_000_123);
        let b = q.take_batch(1_700_000_000_200).unwrap();
        assert!(b
            .headers
            .contains(&(":path".into(), "/services/collector/event".into())));
        assert!(b
            .headers
            .contains(&(":authority".into(), "hec.logging.svc:8088".into())));
        assert!(b
            .headers
            .contains(&("content-type".into(), "application/json".into())));
        assert!(b
            .headers
            .contains(&("authorization".into(), "Splunk 1234-abcd".into())));
        let body = String::from_utf8(b.body).unwrap();
        let lines: Vec<serde_json::Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["time"].as_f64(), Some(1_700_000_000.007));
        assert_eq!(lines[0]["sourcetype"], "envoy-rasp");
        assert_eq!(lines[0]["index"], "security");
        assert_eq!(lines[0]["event"]["type"], "xss");
        assert_eq!(lines[1]["event"], "not json \"quoted\"");
    }

    #[test]
    fn content_type_can_be_overridden() {
        let q = SiemQueue::new(&cfg(
            r#"{"cluster": "c", "headers": [{"name": "content-type", "value": "application/json"}]}"#,
        ));
        let h = q.headers();
        assert_eq!(
            h.iter().filter(|(k, _)| k == "content-type").count(),
            1,
            "{h:?}"
        );
    }

    #[test]
    fn metric_deltas() {
        let mut q = SiemQueue::new(&cfg(
            r#"{"cluster": "c", "batch_size": 1, "queue_capacity": 1}"#,
        ));
        q.push(&ev(1), T0);
        q.push(&ev(2), T0);
        q.take_batch(T0).unwrap();
        q.on_result(true);
        let d = q.take_metric_deltas();
        assert_eq!(d[0], (Metric::SiemSent, 1));
        assert_eq!(d[1], (Metric::SiemDropped(SiemDrop::Overflow), 1));
        assert_eq!(d[2], (Metric::SiemDropped(SiemDrop::Failed), 0));
        assert!(q.take_metric_deltas().iter().all(|(_, n)| *n == 0));
        assert_eq!(
            Metric::SiemDropped(SiemDrop::Failed).name(),
            "rasp_siem_events_dropped_total.reason.failed"
        );
    }

    #[test]
    fn invalid_configs_name_the_field() {
        let cases = [
            (r#"{"cluster": ""}"#, "siem.cluster"),
            (r#"{"cluster": "a b"}"#, "siem.cluster"),
            (r#"{"cluster": "c", "path": "collector"}"#, "siem.path"),
            (r#"{"cluster": "c", "authority": ""}"#, "siem.authority"),
            (
                r#"{"cluster": "c", "headers": [{"name": "content-length", "value": "1"}]}"#,
                "siem.headers[0].name",
            ),
            (
                r#"{"cluster": "c", "headers": [{"name": "x", "value": "a\r\nb: c"}]}"#,
                "siem.headers[0].value",
            ),
            (r#"{"cluster": "c", "batch_size": 0}"#, "siem.batch_size"),
            (
                r#"{"cluster": "c", "flush_interval_ms": 10}"#,
                "siem.flush_interval_ms",
            ),
            (
                r#"{"cluster": "c", "batch_size": 50, "queue_capacity": 10}"#,
                "siem.batch_size",
            ),
            (r#"{"cluster": "c", "timeout_ms": 0}"#, "siem.timeout_ms"),
            (r#"{"cluster": "c", "index": ""}"#, "siem.index"),
        ];
        for (json, field) in cases {
            let c: SiemConfig = serde_json::from_str(json).unwrap();
            let e = c
                .compile(&FieldPath::from("siem"), &Context::default())
                .unwrap_err();
            assert_eq!(e.field(), field, "{json}: {e}");
        }
        assert!(serde_json::from_str::<SiemConfig>(r#"{}"#).is_err());
        assert!(
            serde_json::from_str::<SiemConfig>(r#"{"cluster": "c", "fromat": "jsonl"}"#).is_err()
        );
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let c: SiemConfig = serde_json::from_str(
            r#"{"cluster": "a b", "headers": [{"name": "te", "value": "x"}],
                "batch_size": 0, "queue_capacity": 0, "timeout_ms": 0}"#,
        )
        .unwrap();
        let e = c
            .compile(&FieldPath::from("siem"), &Context::default())
            .unwrap_err();
        let fields: Vec<&str> = e.errors().iter().map(|e| e.field()).collect();
        assert_eq!(
            fields,
            [
                "siem.cluster",
                "siem.headers[0].name",
                "siem.batch_size",
                "siem.queue_capacity",
                "siem.timeout_ms"
            ]
        );
        assert_eq!(e.errors()[4].message(), "must be at least 100, got 0");
    }

    #[test]
    fn tick_period_and_delivery_status() {
        let q = SiemQueue::new(&cfg(r#"{"cluster": "c"}"#));
        assert_eq!(q.tick_period_ms(), 100);
        let q = SiemQueue::new(&cfg(r#"{"cluster": "c", "flush_interval_ms": 100}"#));
        assert_eq!(q.tick_period_ms(), 50);
        let q = SiemQueue::new(&cfg(r#"{"cluster": "c", "flush_interval_ms": 60000}"#));
        assert_eq!(q.tick_period_ms(), 1000);
        assert!(delivered(Some(b"200")));
        assert!(delivered(Some(b"204")));
        assert!(!delivered(Some(b"403")));
        assert!(!delivered(Some(b"503")));
        assert!(!delivered(Some(b"abc")));
        assert!(!delivered(None));
    }

    #[test]
    fn section_of_the_plugin_configuration() {
        use crate::engine::Config;
        let c = Config::from_json(br#"{"siem": {"cluster": "c"}}"#).unwrap();
        assert_eq!(c.siem.unwrap().cluster, "c");
        assert!(Config::from_json(br#"{"siem": null}"#)
            .unwrap()
            .siem
            .is_none());
        assert!(Config::from_json(b"{}").unwrap().siem.is_none());
        let e = Config::from_json(br#"{"siem": {"cluster": "c", "batch_size": 0}}"#).unwrap_err();
        assert_eq!(e.field(), "siem.batch_size");
        let e = Config::from_json(br#"{"siem": {}}"#).unwrap_err();
        assert_eq!(e.field(), "siem.cluster");
        assert!(e.message().contains("required"), "{e}");
    }

    #[test]
    fn bounded_memory_under_a_flood() {
        let mut q = SiemQueue::new(&cfg(
            r#"{"cluster": "c", "batch_size": 10, "queue_capacity": 100}"#,
        ));
        for i in 0..10_000 {
            q.push(&ev(i), T0 + i as u64);
            if let Some(b) = q.take_batch(T0 + i as u64) {
                assert!(b.events <= 10);
            }
        }
        assert!(q.len() <= 100);
        let c = q.counters();
        assert_eq!(
            c.dropped_overflow + q.len() as u64 + 10,
            10_000,
            "one batch is in flight, the rest overflowed: {c:?}"
        );
    }
}
