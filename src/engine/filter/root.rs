//! [`FilterRoot`]: the per-VM part of the filter (configuration, SIEM
//! batches, rate-limit sweeps, the memory gauge).

use std::cell::RefCell;
use std::rc::Rc;

use crate::engine::host::{Host, HttpCall, Level};
use crate::engine::metrics::Metric;
use crate::engine::profile::exclusion::day_of_nanos;
use crate::engine::ratelimit::KeyGauge;
use crate::engine::siem::{self, SiemQueue};
use crate::engine::Engine;

use super::hold::HoldHandle;
use super::request::RequestFilter;

/// The VM's SIEM queue, shared by the root (which sends the batches) and
/// the requests (which queue their events). A wasm VM is single-threaded,
/// so `Rc<RefCell<_>>`; a borrow that fails is skipped, never a panic.
pub type SiemHandle = Rc<RefCell<SiemQueue>>;

/// Tick period without a SIEM sink: the memory gauge and the rate-limit
/// sweep need no more than one tick a second.
const DEFAULT_TICK_MS: u64 = 1000;

/// Ticks per hold timeout while headers are held: a request that gets no
/// body is resumed at most a quarter of the timeout late.
const HOLD_TICKS_PER_TIMEOUT: u64 = 4;

/// The plugin's per-VM state: one per plugin per wasm VM.
#[derive(Default)]
pub struct FilterRoot {
    /// The last configuration that loaded.
    engine: Option<Engine>,
    siem: Option<SiemHandle>,
    /// Requests whose headers are held; kept across configurations so a
    /// request held under the previous one is still resumed.
    holds: HoldHandle,
    tick_ms: u64,
    /// Ticks so far (picks the rate-limit shard to sweep).
    ticks: u32,
    /// Live rate-limit keys per sweep shard, for the gauge.
    keys: KeyGauge,
    /// Expired exclusions last logged (logged again when this changes).
    expired: Option<usize>,
}

impl FilterRoot {
    /// Parses, validates and compiles a plugin configuration. An invalid
    /// one is logged with the field it names, counted, and refused
    /// (`false`: Envoy then rejects the filter); the previous engine, if
    /// any, stays.
    pub fn configure(&mut self, host: &mut dyn Host, config: &[u8]) -> bool {
        let engine = match Engine::from_json(config) {
            Ok(engine) => engine,
            Err(e) => {
                host.log(Level::Error, &format!("envoy-rasp: {e}"));
                host.metrics().add(Metric::ConfigErrors, 1);
                return false;
            }
        };
        self.tick_ms = DEFAULT_TICK_MS;
        self.siem = engine.config().siem.as_ref().map(|cfg| {
            let q = SiemQueue::new(cfg);
            self.tick_ms = self.tick_ms.min(q.tick_period_ms());
            Rc::new(RefCell::new(q))
        });
        let inspect = &engine.config().inspect;
        if inspect.hold_headers {
            let tick = inspect.hold_headers_timeout_ms / HOLD_TICKS_PER_TIMEOUT;
            self.tick_ms = self.tick_ms.min(tick.max(1));
        }
        if let Ok(mut holds) = self.holds.try_borrow_mut() {
            holds.set_timeout_ms(inspect.hold_headers_timeout_ms);
        }
        self.report_memory(host);
        let c = engine.config();
        host.log(
            Level::Info,
            &format!(
                "envoy-rasp: configuration loaded (mode={}, custom_rules={}, max_body_bytes={})",
                c.mode.as_str(),
                c.custom_rules.len(),
                c.limits.max_body_bytes
            ),
        );
        self.engine = Some(engine);
        self.expired = None;
        self.check_expiry(host);
        true
    }

    /// Publishes how many exclusions are past their `expires` date and,
    /// when that changed, logs which. An expired exclusion still applies:
    /// a date passing must not change what production blocks, so it is
    /// the operator's (and `rasp-explain --check`'s) to act on.
    fn check_expiry(&mut self, host: &mut dyn Host) {
        let Some(engine) = &self.engine else {
            return;
        };
        let today = day_of_nanos(host.now_nanos());
        let c = engine.config();
        let scopes = std::iter::once((String::new(), c)).chain(
            c.profiles
                .list
                .iter()
                .map(|p| (format!("profile {:?}: ", p.name), p.config.as_ref())),
        );
        let mut expired: Vec<String> = Vec::new();
        for (scope, cfg) in scopes {
            for (i, e) in cfg.exclusions.expired(today) {
                let date = e.expires.as_ref().map_or("", |(d, _)| d.as_str());
                expired.push(format!(
                    "{scope}exclusions[{i}] (location {:?}, expired {date}: {})",
                    e.location_text, e.reason
                ));
            }
        }
        host.metrics()
            .record(Metric::ExclusionsExpired, expired.len() as u64);
        if self.expired != Some(expired.len()) {
            self.expired = Some(expired.len());
            if !expired.is_empty() {
                host.log(
                    Level::Warn,
                    &format!(
                        "envoy-rasp: {} exclusion(s) past their expires date, still applied: {}",
                        expired.len(),
                        expired.join("; ")
                    ),
                );
            }
        }
    }

    /// The engine of the configuration in force.
    pub fn engine(&self) -> Option<&Engine> {
        self.engine.as_ref()
    }

    /// How often the host should call [`on_tick`](Self::on_tick), in
    /// milliseconds (often enough for the SIEM flush interval).
    pub fn tick_period_ms(&self) -> u64 {
        self.tick_ms
    }

    /// A filter for a new request; `None` before a configuration loaded.
    pub fn request(&self, context_id: u32) -> Option<RequestFilter> {
        let filter = RequestFilter::new(self.engine.clone()?, context_id);
        let filter = filter.with_holds(Rc::clone(&self.holds));
        Some(match &self.siem {
            Some(q) => filter.with_siem(Rc::clone(q)),
            None => filter,
        })
    }

    /// The periodic tick: memory gauge, SIEM batch, one rate-limit shard,
    /// and held requests whose body did not come. Resuming comes last: the
    /// proxy host switches to each request's context to resume it.
    pub fn on_tick(&mut self, host: &mut dyn Host) {
        self.report_memory(host);
        self.check_expiry(host);
        self.flush_siem(host);
        self.sweep_rate_limits(host);
        self.resume_held(host);
    }

    /// The VM's table of held requests.
    pub fn holds(&self) -> &HoldHandle {
        &self.holds
    }

    /// Resumes the held requests whose body did not come within
    /// `inspect.hold_headers_timeout_ms`; counts them, logs the first.
    fn resume_held(&mut self, host: &mut dyn Host) {
        let Ok(mut holds) = self.holds.try_borrow_mut() else {
            return;
        };
        if holds.is_empty() {
            return;
        }
        let (due, first) = holds.expire(host.now_nanos());
        drop(holds);
        for &id in &due {
            host.resume_request(id);
        }
        if !due.is_empty() {
            host.metrics().add(Metric::HoldResumed, due.len() as u64);
        }
        if first {
            host.log(
                Level::Warn,
                "envoy-rasp: inspect.hold_headers: a request with held headers got no body in \
                 time and was resumed (rasp_hold_headers_resumed_total). Either the client is \
                 slow to send it, or Envoy withholds bodies from a filter that holds headers \
                 (the Wasm filter needs allow_on_headers_stop_iteration: true, Envoy >= 1.35).",
            );
        }
    }

    /// The collector answered a batch (`status`: its `:status`, `None` when
    /// there was no answer); the next batch may go.
    pub fn on_http_call_response(&mut self, host: &mut dyn Host, status: Option<&[u8]>) {
        if let Some(queue) = &self.siem {
            if let Ok(mut q) = queue.try_borrow_mut() {
                q.on_result(siem::delivered(status));
            }
        }
        self.flush_siem(host);
    }

    /// Publishes this VM's linear memory size (the gauge keeps the largest
    /// VM's).
    fn report_memory(&self, host: &mut dyn Host) {
        if let Some(bytes) = host.memory_bytes() {
            host.metrics().raise(Metric::WasmMemoryBytes, bytes);
        }
    }

    /// Sends the next SIEM batch when one is due, and publishes the SIEM
    /// counters.
    fn flush_siem(&mut self, host: &mut dyn Host) {
        let Some(queue) = &self.siem else {
            return;
        };
        let Ok(mut q) = queue.try_borrow_mut() else {
            return;
        };
        if let Some(batch) = q.take_batch(host.now_nanos() / 1_000_000) {
            let call = HttpCall {
                cluster: &batch.cluster,
                headers: &batch.headers,
                body: &batch.body,
                timeout_ms: batch.timeout_ms,
            };
            if let Err(why) = host.dispatch_http_call(&call) {
                host.log(
                    Level::Warn,
                    &format!(
                        "envoy-rasp: siem: could not send {} events to cluster {:?}: {}",
                        batch.events, batch.cluster, why
                    ),
                );
                q.on_result(false);
            }
        }
        for (metric, n) in q.take_metric_deltas() {
            if n > 0 {
                host.metrics().add(metric, n);
            }
        }
    }

    /// Expires idle rate-limit buckets (one shard per tick) and publishes
    /// the number of tracked keys.
    fn sweep_rate_limits(&mut self, host: &mut dyn Host) {
        let Some(rl) = self
            .engine
            .as_ref()
            .and_then(|e| e.config().rate_limit.as_ref())
        else {
            return;
        };
        let stats = rl.sweep(host.store(), host.now_nanos(), self.ticks);
        self.ticks = self.ticks.wrapping_add(1);
        host.metrics()
            .record(Metric::RateLimitKeys, self.keys.update(&stats));
    }
}
