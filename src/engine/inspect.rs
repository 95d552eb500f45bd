//! The per-request inspection pipeline ([`Transaction`]).
//!
//! Every extracted value goes through the same steps: count it against
//! `limits.max_params`, run the enabled detectors and custom rules over it as
//! received, normalise it ([`crate::engine::decode::normalize`]) and, when
//! normalising changed it, run them again over the normalised form (each
//! attack type is reported at most once per value). In `block` mode the
//! pipeline stops at the first blocking finding.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use super::bytes::Signature;
use super::config::{Config, OverflowPolicy};
use super::decode::{base64_text, normalize_with, Options};
use super::detect::field::Fields;
use super::detect::{AttackType, Field, Finding, Hit, ValueCtx};
use super::event;
use super::http::RequestHead;
use super::mode::{Action, Mode, Taken};
use super::policy::{block_reply, limit_reply, BodyVerdict, HeadVerdict, Violation};
use super::profile::{Applicable, Excluded, RequestFacts};
use super::reply::{Cause, LocalReply};
use super::surface::body;
use super::surface::media::{self, BodyKind};
use super::surface::{head, FilePart, Flow, Kind, Limit, Sink, Surface};
use super::Engine;

/// What the host should do with body data that keeps arriving.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyStep {
    /// Keep buffering (pause); the decision comes with the whole body.
    Buffer,
    /// Stop buffering and let the body through uninspected (monitor mode
    /// over a limit).
    PassThrough,
    /// Answer with this reply now.
    Reply(LocalReply),
}

/// Inspection of one request. See the [module docs](self).
pub struct Transaction {
    cfg: Arc<Config>,
    /// Header values that scanned clean, shared by the engine's requests.
    header_memo: Arc<Mutex<CleanMemo>>,
    head: RequestHead,
    ins: Inspector,
    body_kind: BodyKind,
    allowlisted: bool,
    /// Limits exceeded, each with what was done about it.
    violations: Vec<Violation>,
    reply: Option<LocalReply>,
    /// The body was inspected only up to `max_inspect_bytes`.
    truncated: bool,
    /// The body was not inspected (over `max_body_bytes`).
    body_skipped: bool,
    /// `x-request-id`, or the id the host assigned; `None` until then.
    event_id: Option<String>,
    /// What was done about a rate limit this request went over.
    rate_limited: Option<Taken>,
}

impl Transaction {
    pub(crate) fn new(engine: &Engine, head: RequestHead) -> Transaction {
        let cfg = engine.shared_config();
        let event_id = head.request_id().map(str::to_string);
        let mut ins = Inspector::new();
        if !cfg.exclusions.is_empty() {
            let facts = RequestFacts::new(&head, cfg.exclusions.needs_path(), None);
            ins.excl = cfg.exclusions.applicable(&facts);
        }
        Transaction {
            ins,
            cfg,
            header_memo: engine.header_memo(),
            head,
            body_kind: BodyKind::Skip,
            allowlisted: false,
            violations: Vec::new(),
            reply: None,
            truncated: false,
            body_skipped: false,
            event_id,
            rate_limited: None,
        }
    }

    /// The request head being inspected.
    pub fn head(&self) -> &RequestHead {
        &self.head
    }

    /// The id reported in replies and events: `x-request-id` when present,
    /// else the one assigned with [`set_event_id`](Self::set_event_id).
    pub fn event_id(&self) -> Option<&str> {
        self.event_id.as_deref()
    }

    /// Sets the event id (the request filter does when `x-request-id` is
    /// missing). Replies built before it carry an empty id and events a
    /// `null` one, so assign it before [`on_headers`](Self::on_headers).
    pub fn set_event_id(&mut self, id: String) {
        self.event_id = Some(id);
    }

    /// The event id for reply bodies (empty when none was assigned).
    fn reply_id(&self) -> &str {
        self.event_id.as_deref().unwrap_or_default()
    }

    /// True when the path matched the allowlist (nothing was inspected).
    pub fn allowlisted(&self) -> bool {
        self.allowlisted
    }

    /// Everything found so far.
    pub fn findings(&self) -> &[Finding] {
        &self.ins.findings
    }

    /// Findings that `exclusions` dropped (bounded by
    /// `events.max_findings`).
    pub fn excluded(&self) -> &[Excluded] {
        &self.ins.excluded
    }

    /// The configuration this request is inspected under (its profile's,
    /// when one matched).
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Limits exceeded so far, each with what was done (blocked in block
    /// mode, only logged in monitor mode).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    fn violated(&self, cause: Cause) -> bool {
        self.violations.iter().any(|v| v.cause == cause)
    }

    /// Every limit decision of this request with what was done: the
    /// violations, then a partial inspection (`Log`) unless inspecting too
    /// much is already one of them. Events and metrics both come from this
    /// list, so they cannot disagree.
    pub fn limit_outcomes(&self) -> impl Iterator<Item = Violation> + '_ {
        let partial =
            (self.truncated && !self.violated(Cause::InspectOverflow)).then_some(Violation {
                cause: Cause::InspectOverflow,
                taken: Taken::Log,
            });
        self.violations.iter().copied().chain(partial)
    }

    /// The local reply decided, if any.
    pub fn reply(&self) -> Option<&LocalReply> {
        self.reply.as_ref()
    }

    /// Bytes of values run through the detectors.
    pub fn inspected_bytes(&self) -> u64 {
        self.ins.bytes
    }

    /// True when the body was larger than `max_inspect_bytes` and only its
    /// beginning was inspected, or it was not inspected at all.
    pub fn truncated(&self) -> bool {
        self.truncated || self.body_skipped
    }

    /// True when there is something to log for this request.
    pub fn has_events(&self) -> bool {
        !self.ins.findings.is_empty()
            || self.limit_outcomes().next().is_some()
            || self.rate_limited.is_some()
    }

    /// Records that the request went over a limit and decides, once, what
    /// is done: a limit acts like a rule with action `block`, so block mode
    /// answers with the limit reply (returned) and monitor mode lets the
    /// request through.
    fn violation(&mut self, cause: Cause) -> Option<LocalReply> {
        let taken = match self.cfg.mode {
            Mode::Block => Taken::Block,
            Mode::Monitor => Taken::Monitor,
        };
        self.violations.push(Violation { cause, taken });
        if taken != Taken::Block {
            return None;
        }
        let reply = limit_reply(cause, self.reply_id());
        self.reply = Some(reply.clone());
        Some(reply)
    }

    /// The body is over `max_body_bytes` and will not be inspected. In
    /// block mode the limit reply (returned) ends the request; in monitor
    /// mode the body passes uninspected, which is inspecting too much with
    /// nothing done about it: its own violation, with its own event.
    fn skip_body(&mut self) -> Option<LocalReply> {
        self.body_skipped = true;
        if self.violated(Cause::BodyTooLarge) {
            return None;
        }
        let reply = self.violation(Cause::BodyTooLarge);
        if reply.is_none() && !self.violated(Cause::InspectOverflow) {
            self.violation(Cause::InspectOverflow);
        }
        reply
    }

    /// Turns the inspector's state into a reply, if it has one.
    fn check(&mut self) -> Option<LocalReply> {
        if let Some(limit) = self.ins.limit.take() {
            let cause = match limit {
                Limit::Params => Cause::TooManyParams,
                Limit::Depth => Cause::TooDeep,
            };
            if let Some(v) = self.violation(cause) {
                return Some(v);
            }
        }
        if self.ins.inspect_overflow {
            self.ins.inspect_overflow = false;
            match self.cfg.limits.inspect_overflow {
                OverflowPolicy::Reject => {
                    if let Some(v) = self.violation(Cause::InspectOverflow) {
                        return Some(v);
                    }
                }
                OverflowPolicy::Partial => self.truncated = true,
            }
        }
        if let Some(attack) = self.ins.blocking {
            let reply = block_reply(&self.cfg.block, attack, self.reply_id());
            self.reply = Some(reply.clone());
            return Some(reply);
        }
        None
    }

    /// Records that the request went over its rate limit and what was done
    /// (`Block`: throttled with `reply`, the 429). Counted by the rate
    /// limiter itself; this adds the event.
    pub fn rate_limited(&mut self, taken: Taken, reply: Option<LocalReply>) {
        self.rate_limited = Some(taken);
        if let Some(r) = reply {
            self.reply = Some(r);
        }
    }

    /// Inspects the request head. `end_of_stream` is true when no body
    /// follows.
    pub fn on_headers(&mut self, end_of_stream: bool) -> HeadVerdict {
        let cfg = Arc::clone(&self.cfg);
        let limits = &cfg.limits;
        if self.head.path.len() as u64 > limits.max_url_bytes {
            if let Some(r) = self.violation(Cause::UrlTooLong) {
                return HeadVerdict::Reply(r);
            }
        }
        if self.head.header_bytes() > limits.max_header_bytes {
            if let Some(r) = self.violation(Cause::HeadersTooLarge) {
                return HeadVerdict::Reply(r);
            }
        }
        if let Some(len) = self.head.content_length() {
            if len > limits.max_body_bytes {
                if let Some(r) = self.skip_body() {
                    return HeadVerdict::Reply(r);
                }
            }
        }
        if !self.cfg.allowlist.is_empty() {
            let path = canonical_path(self.head.path_only());
            if self.cfg.allowlist.matches(&path) {
                self.allowlisted = true;
                return HeadVerdict::Allow;
            }
        }
        let mut scan = Scan {
            cfg: &self.cfg,
            st: &mut self.ins,
            headers: Some(&self.header_memo),
        };
        if head::extract(&self.head, &self.cfg.inspect, &mut scan) == Flow::Continue
            && self.cfg.detectors.reads_every_header()
        {
            scan.every_header(&self.head);
        }
        if let Some(r) = self.check() {
            return HeadVerdict::Reply(r);
        }
        if end_of_stream || !self.cfg.inspect.body || self.body_skipped {
            return HeadVerdict::Allow;
        }
        self.body_kind = media::classify(self.head.content_type());
        if self.body_kind == BodyKind::Skip {
            return HeadVerdict::Allow;
        }
        HeadVerdict::NeedBody
    }

    /// Called as body data arrives with the total buffered so far.
    pub fn on_body_size(&mut self, total: u64) -> BodyStep {
        if total > self.cfg.limits.max_body_bytes {
            return match self.skip_body() {
                Some(r) => BodyStep::Reply(r),
                None => BodyStep::PassThrough,
            };
        }
        BodyStep::Buffer
    }

    /// Inspects the whole body (once) and returns the final verdict.
    pub fn on_body(&mut self, body: &[u8]) -> BodyVerdict {
        if let Some(r) = &self.reply {
            return BodyVerdict::Reply(r.clone());
        }
        let max = self.cfg.limits.max_inspect_bytes;
        // The budget covers body values only (head values already counted).
        self.ins.max_inspect = self.ins.bytes.saturating_add(max);
        let mut slice = body;
        if self.body_kind != BodyKind::Multipart && body.len() as u64 > max {
            match self.cfg.limits.inspect_overflow {
                OverflowPolicy::Reject => {
                    if let Some(r) = self.violation(Cause::InspectOverflow) {
                        return BodyVerdict::Reply(r);
                    }
                    // Monitor mode: inspect what the limit allows.
                    self.truncated = true;
                }
                OverflowPolicy::Partial => self.truncated = true,
            }
            slice = body.get(..max as usize).unwrap_or(body);
        }
        body::extract(
            self.head.content_type(),
            slice,
            &self.cfg.limits,
            &mut Scan {
                cfg: &self.cfg,
                st: &mut self.ins,
                headers: Some(&self.header_memo),
            },
        );
        match self.check() {
            Some(r) => BodyVerdict::Reply(r),
            None => BodyVerdict::Allow,
        }
    }

    /// The fields every event of this request carries.
    pub fn meta<'a>(&'a self, client: Option<&'a str>, now_ms: u64) -> event::Meta<'a> {
        event::Meta {
            request_id: self.event_id.as_deref(),
            method: &self.head.method,
            path: self.head.path_only(),
            client,
            mode: self.cfg.mode,
            profile: self.cfg.profile.as_deref(),
            now_ms,
        }
    }

    /// The debug lines for the findings `exclusions` dropped.
    pub fn excluded_events(&self, client: Option<&str>, now_ms: u64) -> Vec<String> {
        let meta = self.meta(client, now_ms);
        let entries = self.cfg.exclusions.entries();
        let reason = |i: usize| entries.get(i).map_or("", |e| e.reason.as_str());
        let line = |x: &Excluded| {
            let t = x.attack.as_str();
            event::excluded(&meta, t, &x.rule, &x.location, x.entry, reason(x.entry))
        };
        self.ins.excluded.iter().map(line).collect()
    }

    /// The security events of this request, one JSON line each.
    pub fn events(&self, client: Option<&str>, now_ms: u64) -> Vec<String> {
        let meta = self.meta(client, now_ms);
        let mut out = Vec::new();
        for f in &self.ins.findings {
            if f.log {
                out.push(event::attack(&meta, f));
            }
        }
        for v in self.limit_outcomes() {
            out.push(event::limit(&meta, v.cause, v.taken));
        }
        if let Some(taken) = self.rate_limited {
            out.push(event::limit(&meta, Cause::RateLimited, taken));
        }
        out
    }
}

/// Runs one value through the detectors and custom rules as if it had
/// been extracted from `surface` (for the evaluation and benchmark tools,
/// and fuzzing). Limits do not apply.
pub fn inspect_value(cfg: &Config, surface: Surface, name: &[u8], value: &[u8]) -> Vec<Finding> {
    let mut st = Inspector::new();
    Scan {
        cfg,
        st: &mut st,
        headers: None,
    }
    .value(surface, name, value, Kind::Value);
    st.findings
}

pub use super::surface::path::canonical_path;

/// Inspection state of one request.
struct Inspector {
    findings: Vec<Finding>,
    /// The first attack whose taken action is `block`.
    blocking: Option<AttackType>,
    params: u32,
    /// JSON / XML values and keys (`limits.max_body_values`).
    body_values: u32,
    limit: Option<Limit>,
    bytes: u64,
    max_inspect: u64,
    inspect_overflow: bool,
    /// JSON / XML values of this request already scanned without a hit.
    clean: CleanMemo,
    /// The exclusions whose request conditions this request meets.
    excl: Applicable,
    /// Findings those exclusions dropped.
    excluded: Vec<Excluded>,
    /// The document field of the last value's parent path.
    fields: Fields,
}

/// Values already scanned without any hit, so repeats are not scanned
/// again.
///
/// Two instances: one per request for short JSON / XML values (API bodies
/// are arrays of records: the same keys, `id` or `email`, and many of the
/// same values, `true` or a city, come back on every record), and one per
/// [`Engine`](crate::engine::Engine) (so per wasm VM, across requests) for
/// header values (every request of a browser carries the same
/// `User-Agent`). Detectors and custom rules are pure functions of the value
/// and its place (surface, key or value) under one configuration, so a value
/// that produced no hit at all (not even one the SQL whitelist dropped,
/// which depends on the location) produces none again. Entries are compared
/// byte for byte (a hash collision can only cost a rescan, never skip one),
/// and the memo is bounded: direct-mapped slots over an arena that is
/// emptied when full. Nothing is allocated before the first insert.
#[derive(Debug)]
pub(crate) struct CleanMemo {
    /// (arena offset, length, tag); tag 0 is an empty slot.
    slots: Vec<(u32, u16, u8)>,
    arena: Vec<u8>,
    n_slots: usize,
    arena_cap: usize,
    max_value: usize,
}

/// The per-request body memo: 1024 slots, 32 KiB, values up to 64 bytes.
const MEMO_SLOTS: usize = 1024;
const MEMO_MAX_VALUE: usize = 64;
const MEMO_ARENA: usize = 32 * 1024;

/// The per-VM header memo: 128 slots, 64 KiB, values up to 1 KiB.
const HEADER_MEMO_SLOTS: usize = 128;
const HEADER_MEMO_MAX_VALUE: usize = 1024;
const HEADER_MEMO_ARENA: usize = 64 * 1024;

impl CleanMemo {
    fn new(n_slots: usize, arena_cap: usize, max_value: usize) -> CleanMemo {
        CleanMemo {
            slots: Vec::new(),
            arena: Vec::new(),
            n_slots: n_slots.max(1),
            arena_cap,
            max_value: max_value.min(usize::from(u16::MAX)),
        }
    }

    /// The memo for one request's body values.
    fn body() -> CleanMemo {
        CleanMemo::new(MEMO_SLOTS, MEMO_ARENA, MEMO_MAX_VALUE)
    }

    /// The memo shared by the requests of one engine, for header values.
    pub(crate) fn headers() -> CleanMemo {
        CleanMemo::new(HEADER_MEMO_SLOTS, HEADER_MEMO_ARENA, HEADER_MEMO_MAX_VALUE)
    }

    /// Whether a header value is remembered as clean (for tests of code
    /// that only sees the engine).
    #[cfg(test)]
    pub(crate) fn remembers_header(&self, value: &[u8]) -> bool {
        memo_tag(Surface::Header, Kind::Value, Field::PARAM)
            .is_some_and(|t| self.contains(t, value))
    }

    /// Whether `value` is short enough to be remembered.
    fn fits(&self, value: &[u8]) -> bool {
        value.len() <= self.max_value
    }

    /// The slot index for `value` with `tag`.
    ///
    /// Eight bytes per multiply (the values are short and looked up once
    /// each, so the hash is most of the lookup); a weak hash only costs a
    /// rescan, since entries are compared byte for byte.
    fn slot(&self, tag: u8, value: &[u8]) -> usize {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut h = ((u64::from(tag) << 32) ^ value.len() as u64).wrapping_mul(K);
        let mut words = value.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            h = (h ^ u64::from_le_bytes(b)).wrapping_mul(K);
            h ^= h >> 29;
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b.iter_mut().zip(rest).for_each(|(d, s)| *d = *s);
            h = (h ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        ((h ^ (h >> 32)) as usize) % self.n_slots
    }

    fn contains(&self, tag: u8, value: &[u8]) -> bool {
        if !self.fits(value) {
            return false;
        }
        let Some(&(off, len, t)) = self.slots.get(self.slot(tag, value)) else {
            return false;
        };
        let off = off as usize;
        t == tag
            && usize::from(len) == value.len()
            && self.arena.get(off..off + value.len()) == Some(value)
    }

    fn insert(&mut self, tag: u8, value: &[u8]) {
        if !self.fits(value) || value.len() > self.arena_cap {
            return;
        }
        let Ok(len) = u16::try_from(value.len()) else {
            return;
        };
        if self.slots.is_empty() {
            self.slots = vec![(0, 0, 0); self.n_slots];
            self.arena.reserve(self.arena_cap.min(4096));
        }
        if self.arena.len() + value.len() > self.arena_cap {
            self.arena.clear();
            self.slots.iter_mut().for_each(|s| *s = (0, 0, 0));
        }
        let Ok(off) = u32::try_from(self.arena.len()) else {
            return;
        };
        self.arena.extend_from_slice(value);
        let at = self.slot(tag, value);
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = (off, len, tag);
        }
    }
}

/// The memo tag of a JSON / XML / header value (never 0), `None` for
/// values that are not remembered. The field is part of it: detectors may
/// judge a value by where it sits (a URL in `$.a.b.note` is data, in
/// `$.callback` it is fetched), so a value clean in one field is not clean
/// in every field.
fn memo_tag(surface: Surface, kind: Kind, field: Field) -> Option<u8> {
    let s = match surface {
        Surface::Json => 1,
        Surface::Xml => 2,
        Surface::Header => 3,
        _ => return None,
    };
    let k = match kind {
        Kind::Value => 0,
        Kind::Key => 1,
        Kind::FileContent => return None,
    };
    Some((s * 2 + k) * 8 + field.bits())
}

/// Bit for `t` in a per-value "already reported" mask (the table holds
/// far fewer than 64 types).
fn bit(t: AttackType) -> u64 {
    1u64.checked_shl(t.index() as u32).unwrap_or(0)
}

impl Inspector {
    fn new() -> Inspector {
        Inspector {
            findings: Vec::new(),
            blocking: None,
            params: 0,
            body_values: 0,
            limit: None,
            bytes: 0,
            max_inspect: u64::MAX,
            inspect_overflow: false,
            clean: CleanMemo::body(),
            excl: Applicable::default(),
            excluded: Vec::new(),
            fields: Fields::default(),
        }
    }
}

/// The [`Sink`] that runs detectors over extracted values: the
/// configuration bound to one request's state.
struct Scan<'a> {
    cfg: &'a Config,
    st: &'a mut Inspector,
    /// The engine's header memo (`None` in tools).
    headers: Option<&'a Mutex<CleanMemo>>,
}

impl Scan<'_> {
    /// Runs `f` on the memo of clean values for `surface`: the engine's
    /// (shared across requests) for headers, this request's otherwise.
    /// `None` when there is none (tools) or its lock is poisoned.
    fn memo<R>(&mut self, surface: Surface, f: impl FnOnce(&mut CleanMemo) -> R) -> Option<R> {
        match surface {
            Surface::Header => self
                .headers
                .and_then(|m| m.lock().ok())
                .map(|mut g| f(&mut g)),
            _ => Some(f(&mut self.st.clean)),
        }
    }

    fn done(&self) -> bool {
        self.st.blocking.is_some()
            || self.st.limit.is_some()
            || self.st.inspect_overflow
            || self.st.findings.len() >= self.cfg.events.max_findings
    }

    fn flow(&self) -> Flow {
        if self.done() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        attack: AttackType,
        action: Action,
        hit: &Hit,
        scanned: &[u8],
        location: String,
        log: bool,
    ) {
        let Some(taken) = Taken::from_action(action, self.cfg.mode) else {
            return;
        };
        // The document detectors' hits (xxe, upload) come here directly; the
        // scan loops drop the value detectors' before they stop a scan.
        if self.cfg.detectors.drops(attack, &hit.rule) {
            return;
        }
        let loc = || location.clone();
        if let Some(entry) = self
            .cfg
            .exclusions
            .find(&self.st.excl, attack, &hit.rule, &loc)
        {
            if self.st.excluded.len() < self.cfg.events.max_findings {
                let rule = hit.rule.to_string();
                self.st.excluded.push(Excluded {
                    attack,
                    rule,
                    location,
                    entry,
                });
            }
            return;
        }
        if taken == Taken::Block && self.st.blocking.is_none() {
            self.st.blocking = Some(attack);
        }
        if self.st.findings.len() >= self.cfg.events.max_findings {
            return;
        }
        let end = hit.end.min(scanned.len());
        let start = hit.start.min(end);
        let span = scanned.get(start..end).unwrap_or_default();
        let span = if span.is_empty() { scanned } else { span };
        self.st.findings.push(Finding {
            attack,
            rule: hit.rule.to_string(),
            reason: hit.reason.to_string(),
            location,
            evidence: event::evidence(span, self.cfg.events.max_evidence_bytes),
            taken,
            log,
        });
    }

    /// Runs the value detectors and custom rules over `scanned`, skipping
    /// attack types already in `seen`.
    /// Returns whether anything matched (also hits that were whitelisted
    /// or already reported).
    fn scan(
        &mut self,
        scanned: &[u8],
        sig: Signature,
        ctx: &ValueCtx,
        name: &[u8],
        kind: Kind,
        seen: &mut u64,
    ) -> bool {
        let cfg = self.cfg;
        let mut hits: Vec<(AttackType, Action, Hit)> = Vec::new();
        let mut any = false;
        let loc = || location(ctx.surface, name, kind);
        let excl = &self.st.excl;
        cfg.detectors
            .scan_value_as(scanned, sig, ctx, &loc, &mut |t, a, h, dropped| {
                any = true;
                // A location where the detector expects its syntax
                // (`sql_injection.whitelist`, `xss.whitelist`): the hit is
                // dropped.
                if dropped {
                    return true;
                }
                if *seen & bit(t) == 0 {
                    *seen |= bit(t);
                    let blocking = a == Action::Block && cfg.mode == Mode::Block;
                    // An excluded hit (recorded as such) must not stop the
                    // other detectors.
                    let excluded = cfg.exclusions.find(excl, t, &h.rule, &loc).is_some();
                    hits.push((t, a, h));
                    return !blocking || excluded;
                }
                true
            });
        for (t, a, h) in hits {
            let loc = location(ctx.surface, name, kind);
            self.record(t, a, &h, scanned, loc, true);
        }
        if cfg.custom_rules.is_empty() || self.done() {
            return any;
        }
        let target = ctx.surface.target();
        // Converted once, and only when some rule reads this surface.
        let mut text: Option<Cow<'_, str>> = None;
        for rule in &cfg.custom_rules {
            if !rule.applies_to(target) {
                continue;
            }
            let text = text.get_or_insert_with(|| String::from_utf8_lossy(scanned));
            if let Some((s, e)) = rule.find(text) {
                any = true;
                let hit = Hit {
                    rule: Cow::Owned(rule.id.clone()),
                    reason: Cow::Borrowed("custom rule pattern matched"),
                    start: s,
                    end: e,
                };
                let loc = location(ctx.surface, name, kind);
                self.record(
                    AttackType::Custom,
                    rule.action,
                    &hit,
                    text.as_bytes(),
                    loc,
                    rule.log,
                );
                if self.done() {
                    return any;
                }
            }
        }
        any
    }
}

impl Scan<'_> {
    /// Every request header (and `:authority`) that
    /// `inspect.exclude_headers` does not exclude, through the detectors
    /// that read every header (`Detector::EVERY_HEADER`), as received and
    /// normalised. Applications log any header, so Log4Shell and CRLF
    /// payloads can sit in any of them; the other detectors keep to
    /// `inspect.headers`, where a header's content is text a user controls.
    fn every_header(&mut self, head: &RequestHead) -> Flow {
        let cfg = self.cfg;
        let authority =
            (!head.authority.is_empty()).then_some((":authority", head.authority.as_slice()));
        let headers = head.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice()));
        for (name, value) in authority.into_iter().chain(headers) {
            if self.done() {
                return Flow::Stop;
            }
            if cfg.inspect.exclude_headers.iter().any(|x| x == name) {
                continue;
            }
            let inspected = cfg.inspect.headers.iter().any(|h| h == name);
            if !inspected {
                self.st.bytes += value.len() as u64;
            }
            let ctx = ValueCtx::value(Surface::Header);
            let norm = normalize_with(value, Options::default());
            let normalized = match &norm.bytes {
                Cow::Owned(n) if n.as_slice() != value => Some(n.as_slice()),
                _ => None,
            };
            let mut seen = 0u64;
            for reading in std::iter::once(value).chain(normalized) {
                let mut hits: Vec<(AttackType, Action, Hit)> = Vec::new();
                cfg.detectors.scan_every_header(
                    name.as_bytes(),
                    reading,
                    &ctx,
                    inspected,
                    &mut |t, a, h| {
                        if seen & bit(t) != 0 {
                            return true;
                        }
                        seen |= bit(t);
                        hits.push((t, a, h));
                        !(a == Action::Block && cfg.mode == Mode::Block)
                    },
                );
                for (t, a, h) in hits {
                    let loc = location(Surface::Header, name.as_bytes(), Kind::Value);
                    self.record(t, a, &h, reading, loc, true);
                }
                if self.done() {
                    return Flow::Stop;
                }
            }
        }
        self.flow()
    }

    /// The whole request path (name `""`) through the detectors that judge
    /// a request for a file; they canonicalise and decode it themselves.
    fn whole_path(&mut self, value: &[u8]) -> Flow {
        let cfg = self.cfg;
        let mut hits: Vec<(AttackType, Action, Hit)> = Vec::new();
        cfg.detectors.scan_path(value, &mut |t, a, h| {
            hits.push((t, a, h));
            !(a == Action::Block && cfg.mode == Mode::Block)
        });
        for (t, a, h) in hits {
            let loc = location(Surface::Path, b"", Kind::Value);
            self.record(t, a, &h, value, loc, true);
        }
        self.flow()
    }
}

impl Sink for Scan<'_> {
    fn value(&mut self, surface: Surface, name: &[u8], value: &[u8], kind: Kind) -> Flow {
        match surface {
            Surface::Json | Surface::Xml => {
                self.st.body_values += 1;
                if self.st.body_values > self.cfg.limits.max_body_values {
                    self.st.limit = Some(Limit::Params);
                    return Flow::Stop;
                }
            }
            Surface::Path | Surface::Header => {}
            _ if kind == Kind::Key => {}
            _ => {
                self.st.params += 1;
                if self.st.params > self.cfg.limits.max_params {
                    self.st.limit = Some(Limit::Params);
                    return Flow::Stop;
                }
            }
        }
        if value.is_empty() {
            return Flow::Continue;
        }
        self.st.bytes += value.len() as u64;
        if self.st.bytes > self.st.max_inspect {
            self.st.inspect_overflow = true;
            return Flow::Stop;
        }
        // The same field as `ValueCtx::at` gives, resumed from the last
        // value's parent path (see `Fields`).
        let ctx = ValueCtx {
            surface,
            is_key: kind == Kind::Key,
            field: self.st.fields.of(surface, name),
        };
        let tag = memo_tag(surface, kind, ctx.field);
        if let Some(t) = tag {
            if self.memo(surface, |m| m.contains(t, value)) == Some(true) {
                return self.flow();
            }
        }
        let mut seen = 0u64;
        let sig = Signature::of(value);
        let mut any = self.scan(value, sig, &ctx, name, kind, &mut seen);
        if self.done() {
            return Flow::Stop;
        }
        let form = matches!(surface, Surface::Query | Surface::Form);
        // Without an escape byte the normaliser returns the value as it
        // is: the signature already proves it, so it is not run.
        let escapes = Signature::ESCAPES | if form { Signature::PLUS } else { 0 };
        if sig.has(escapes) {
            let norm = normalize_with(
                value,
                Options {
                    plus_as_space: form,
                },
            );
            if let Cow::Owned(n) = norm.bytes {
                if n.as_slice() != value {
                    any |= self.scan(&n, Signature::of(&n), &ctx, name, kind, &mut seen);
                }
            }
        }
        // A whole value that is base64 of text is read once more, decoded.
        // The signature already rules out most values (a byte outside the
        // alphabet, no capital letter), so they pay no second pass.
        let base64_shaped = sig.only(Signature::BASE64) && sig.has(Signature::UPPER);
        if kind == Kind::Value && base64_shaped && !self.done() {
            if let Some(text) = base64_text(value) {
                any |= self.scan(&text, Signature::of(&text), &ctx, name, kind, &mut seen);
            }
        }
        // The whole path (name `""`) is also judged as a request for a
        // file, after the value detectors: a climb to `/etc/passwd` is
        // reported as path traversal, not as a request for a secret.
        if surface == Surface::Path
            && name.is_empty()
            && kind == Kind::Value
            && !self.done()
            && self.whole_path(value) == Flow::Stop
        {
            return Flow::Stop;
        }
        if let Some(t) = tag.filter(|_| !any) {
            self.memo(surface, |m| m.insert(t, value));
        }
        self.flow()
    }

    fn xml_document(&mut self, surface: Surface, name: &[u8], doc: &[u8]) -> Flow {
        if let Some(x) = &self.cfg.detectors.xxe {
            if let Some(hit) = x.detect_document(doc) {
                let loc = location(surface, name, Kind::Value);
                self.record(AttackType::Xxe, x.action(), &hit, doc, loc, true);
            }
        }
        self.flow()
    }

    fn file(&mut self, part: &FilePart<'_>) -> Flow {
        let mut name = part.field.to_vec();
        name.extend_from_slice(b":filename");
        if let Some(u) = &self.cfg.detectors.upload {
            if let Some(hit) = u.detect_file(part) {
                let loc = location(Surface::Multipart, &name, Kind::Value);
                self.record(
                    AttackType::FileUpload,
                    u.action(),
                    &hit,
                    part.filename,
                    loc,
                    true,
                );
                if self.done() {
                    return Flow::Stop;
                }
            }
        }
        if self.value(Surface::Multipart, &name, part.filename, Kind::Value) == Flow::Stop {
            return Flow::Stop;
        }
        if self.cfg.inspect.file_contents {
            return self.value(
                Surface::Multipart,
                part.field,
                part.content,
                Kind::FileContent,
            );
        }
        self.flow()
    }

    fn limit(&mut self, limit: Limit) -> Flow {
        self.st.limit = Some(limit);
        Flow::Stop
    }
}

/// Renders `surface[-key]:name`, with the name escaped and truncated.
fn location(surface: Surface, name: &[u8], kind: Kind) -> String {
    let mut s = String::from(surface.as_str());
    if kind == Kind::Key {
        s.push_str("-key");
    }
    if !name.is_empty() {
        s.push(':');
        s.push_str(&event::evidence(name, 128));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(json: &str) -> Engine {
        Engine::from_json(json.as_bytes()).unwrap()
    }

    fn get(e: &Engine, path: &str) -> (HeadVerdict, Vec<Finding>) {
        let mut tx = e.begin(RequestHead::new("GET", path, vec![]));
        let v = tx.on_headers(true);
        (v, tx.findings().to_vec())
    }

    const RULE: &str = r#"{"custom_rules": [{"id": "evil", "patterns": ["(?i)evil"], "targets": ["query", "path"]}]}"#;

    #[test]
    fn custom_rule_blocks_with_location_and_evidence() {
        let e = engine(RULE);
        let (v, f) = get(&e, "/x?a=1&q=very%20EVIL%20thing");
        assert!(v.is_block(), "{v:?}");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "evil");
        assert_eq!(f[0].location, "query:q");
        assert_eq!(f[0].evidence, "EVIL");
        assert_eq!(f[0].taken, Taken::Block);
        let (v, _) = get(&e, "/x?q=fine");
        assert_eq!(v, HeadVerdict::Allow);
    }

    #[test]
    fn base64_of_text_is_read_decoded() {
        let e = engine("{}");
        // `' or 1=1-- ` and `<script>alert(1)</script>`, base64 (the second
        // percent-encoded as a browser sends `=`).
        let (v, f) = get(&e, "/x?state=JyBvciAxPTEtLSA=");
        assert!(v.is_block(), "{v:?}");
        assert_eq!(f[0].location, "query:state");
        assert_eq!(f[0].evidence, "' or 1=1");
        let (v, f) = get(&e, "/x?t=PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg%3D%3D");
        assert!(v.is_block(), "{v:?}");
        assert_eq!(f[0].attack, AttackType::Xss);
        // Base64 of harmless text, tokens and hex ids pass.
        for q in [
            "/x?msg=SGVsbG8sIHdvcmxkIQ==",
            "/x?token=AAECAwQFBgcICQoLDA0ODw==",
            "/x?id=d41d8cd98f00b204e9800998ecf8427e",
        ] {
            assert_eq!(get(&e, q).0, HeadVerdict::Allow, "{q}");
        }
    }

    #[test]
    fn custom_rule_sees_double_encoding() {
        let e = engine(RULE);
        let (v, f) = get(&e, "/x?q=%2565vil");
        assert!(v.is_block());
        assert_eq!(f[0].evidence, "evil");
    }

    #[test]
    fn monitor_mode_passes_and_records() {
        let e = engine(
            r#"{"mode": "monitor", "custom_rules": [{"id": "evil", "patterns": ["evil"]}]}"#,
        );
        let (v, f) = get(&e, "/evil?q=evil");
        assert_eq!(v, HeadVerdict::Allow);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.taken == Taken::Monitor));
    }

    #[test]
    fn log_action_passes() {
        let e = engine(r#"{"custom_rules": [{"id": "r", "patterns": ["x"], "action": "log"}]}"#);
        let (v, f) = get(&e, "/?q=x");
        assert_eq!(v, HeadVerdict::Allow);
        assert_eq!(f[0].taken, Taken::Log);
    }

    #[test]
    fn limits_answer_with_their_status() {
        let e = engine(r#"{"limits": {"max_url_bytes": 10, "max_params": 2}}"#);
        let (v, _) = get(&e, "/0123456789abc");
        assert_eq!(v.reply().unwrap().status, 414);
        let e = engine(r#"{"limits": {"max_params": 2}}"#);
        let (v, _) = get(&e, "/?a=1&b=2&c=3");
        assert_eq!(v.reply().unwrap().status, 400);
        let (v, _) = get(&e, "/?a=1&b=2");
        assert_eq!(v, HeadVerdict::Allow);
    }

    #[test]
    fn header_and_body_limits() {
        let e = engine(
            r#"{"limits": {"max_header_bytes": 100, "max_body_bytes": 100, "max_inspect_bytes": 50}}"#,
        );
        let mut tx = e.begin(RequestHead::new(
            "GET",
            "/",
            vec![("x-long".into(), vec![b'a'; 200])],
        ));
        assert_eq!(tx.on_headers(true).reply().unwrap().status, 431);
        let mut tx = e.begin(RequestHead::new(
            "POST",
            "/",
            vec![("content-length".into(), b"101".to_vec())],
        ));
        assert_eq!(tx.on_headers(false).reply().unwrap().status, 413);
        let mut tx = e.begin(RequestHead::new(
            "POST",
            "/",
            vec![(
                "content-type".into(),
                b"application/x-www-form-urlencoded".to_vec(),
            )],
        ));
        assert_eq!(tx.on_headers(false), HeadVerdict::NeedBody);
        assert_eq!(tx.on_body_size(100), BodyStep::Buffer);
        assert!(matches!(tx.on_body_size(101), BodyStep::Reply(r) if r.status == 413));
        let mut tx = e.begin(RequestHead::new(
            "POST",
            "/",
            vec![(
                "content-type".into(),
                b"application/x-www-form-urlencoded".to_vec(),
            )],
        ));
        assert_eq!(tx.on_headers(false), HeadVerdict::NeedBody);
        assert_eq!(tx.on_body(&[b'a'; 60]).reply().unwrap().status, 413);
    }

    #[test]
    fn partial_overflow_inspects_the_beginning() {
        let e = engine(
            r#"{"limits": {"max_inspect_bytes": 20, "inspect_overflow": "partial"},
                "custom_rules": [{"id": "r", "patterns": ["evil"]}]}"#,
        );
        let ct = vec![(
            "content-type".into(),
            b"application/x-www-form-urlencoded".to_vec(),
        )];
        let mut tx = e.begin(RequestHead::new("POST", "/", ct.clone()));
        tx.on_headers(false);
        assert!(tx
            .on_body(b"a=evil&b=xxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
            .is_block());
        let mut tx = e.begin(RequestHead::new("POST", "/", ct));
        tx.on_headers(false);
        assert_eq!(
            tx.on_body(b"b=xxxxxxxxxxxxxxxxxxxxxxxxxxxxx&a=evil"),
            BodyVerdict::Allow
        );
        assert!(tx.truncated());
        assert!(tx
            .events(None, 0)
            .iter()
            .any(|e| e.contains("inspect_overflow")));
    }

    #[test]
    fn each_limit_decision_is_stored_once_and_gets_its_event() {
        let big = vec![("content-length".into(), b"101".to_vec())];
        let limits = r#""limits": {"max_body_bytes": 100, "max_inspect_bytes": 50}"#;
        // Monitor mode: the oversize body passes uninspected; that is two
        // decisions (too large, and not inspected), both `monitor`, each
        // with its event.
        let e = engine(&format!(r#"{{"mode": "monitor", {limits}}}"#));
        let mut tx = e.begin(RequestHead::new("POST", "/", big.clone()));
        assert_eq!(tx.on_headers(false), HeadVerdict::Allow);
        assert_eq!(tx.on_body_size(500), BodyStep::PassThrough);
        let outcomes: Vec<Violation> = tx.limit_outcomes().collect();
        let monitor = |cause| Violation {
            cause,
            taken: Taken::Monitor,
        };
        assert_eq!(
            outcomes,
            [
                monitor(Cause::BodyTooLarge),
                monitor(Cause::InspectOverflow)
            ]
        );
        let events: Vec<serde_json::Value> = tx
            .events(None, 0)
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0]["reason"], "body_too_large");
        assert_eq!(events[1]["reason"], "inspect_overflow");
        assert!(events.iter().all(|v| v["action"] == "monitor"));
        assert!(events.iter().all(|v| v["request_id"].is_null()));
        // Block mode: the 413 ends the request; nothing else to report.
        let e = engine(&format!("{{{limits}}}"));
        let mut tx = e.begin(RequestHead::new("POST", "/", big));
        assert_eq!(tx.on_headers(false).reply().unwrap().status, 413);
        let outcomes: Vec<Violation> = tx.limit_outcomes().collect();
        assert_eq!(
            outcomes,
            [Violation {
                cause: Cause::BodyTooLarge,
                taken: Taken::Block
            }]
        );
        assert_eq!(tx.events(None, 0).len(), 1);
    }

    #[test]
    fn monitor_mode_never_rejects_on_limits() {
        let e = engine(r#"{"mode": "monitor", "limits": {"max_url_bytes": 5}}"#);
        let (v, _) = get(&e, "/0123456789");
        assert_eq!(v, HeadVerdict::Allow);
    }

    #[test]
    fn allowlist_uses_canonical_path() {
        let e = engine(
            r#"{"allowlist": {"path_prefixes": ["/static/"]},
                "custom_rules": [{"id": "r", "patterns": ["evil"]}]}"#,
        );
        assert_eq!(get(&e, "/static/app.js?q=evil").0, HeadVerdict::Allow);
        assert!(get(&e, "/static/..%2fadmin?q=evil").0.is_block());
        assert!(get(&e, "/static/../admin?q=evil").0.is_block());
    }

    #[test]
    fn sqli_whitelist_skips_the_location() {
        let e = engine(r#"{"sql_injection": {"whitelist": ["query:sql"]}}"#);
        let (v, _) = get(&e, "/x?sql=1%20union%20select%20password%20from%20users");
        assert_eq!(v, HeadVerdict::Allow);
        let (v, f) = get(&e, "/x?q=1%20union%20select%20password%20from%20users");
        assert!(v.is_block());
        assert_eq!(f[0].rule, "sqli.union_select");
    }

    fn post_json(e: &Engine, body: &str) -> (BodyVerdict, Vec<Finding>) {
        let mut tx = e.begin(RequestHead::new(
            "POST",
            "/api",
            vec![("content-type".into(), b"application/json".to_vec())],
        ));
        tx.on_headers(false);
        let v = tx.on_body(body.as_bytes());
        (v, tx.findings().to_vec())
    }

    #[test]
    fn clean_value_memo_skips_only_values_that_had_no_hit() {
        // Repeated benign keys and values, then an attack in a later
        // record: still found, at its own location.
        let e = engine("{}");
        let mut records: Vec<String> = (0..50)
            .map(|i| format!(r#"{{"id":{i},"city":"Springfield","tag":"new"}}"#))
            .collect();
        records.push(r#"{"id":50,"city":"' or 1=1--","tag":"new"}"#.into());
        let (v, f) = post_json(&e, &format!("[{}]", records.join(",")));
        assert!(v.is_block(), "{v:?}");
        assert_eq!(f[0].location, "json:$[50].city");
        // A value whitelisted at one location (a hit, dropped) is not
        // remembered as clean: the same value elsewhere is still blocked.
        let e = engine(r#"{"sql_injection": {"whitelist": ["json:$.sql"]}}"#);
        let sql = "1 union select password from users";
        let (v, _) = post_json(&e, &format!(r#"{{"sql":"{sql}"}}"#));
        assert_eq!(v, BodyVerdict::Allow);
        let (v, f) = post_json(&e, &format!(r#"{{"sql":"{sql}","q":"{sql}"}}"#));
        assert!(v.is_block(), "{v:?}");
        assert_eq!(f[0].location, "json:$.q");
        // Custom rules see repeats too, in log mode, once per location.
        let e = engine(
            r#"{"custom_rules": [{"id": "evil", "patterns": ["evil"], "targets": ["body"], "action": "log"}]}"#,
        );
        let (v, f) = post_json(&e, r#"{"a":"evil","b":"evil"}"#);
        assert_eq!(v, BodyVerdict::Allow);
        assert_eq!(f.len(), 2, "{f:?}");
        // The same for HTML where it is expected (`xss.whitelist`).
        let e = engine(r#"{"xss": {"whitelist": ["json:$.body"]}}"#);
        let (v, _) = post_json(&e, r#"{"body":"<script>x</script>"}"#);
        assert_eq!(v, BodyVerdict::Allow);
        let (v, f) = post_json(
            &e,
            r#"{"body":"<script>x</script>","q":"<script>x</script>"}"#,
        );
        assert!(v.is_block(), "{v:?}");
        assert_eq!(f[0].location, "json:$.q");
        // A value clean in a data field (a report's request.url) is not
        // clean in a field the server fetches.
        let e = engine("{}");
        let url = "http://localhost:8080/";
        let body = format!(r#"{{"request":{{"url":"{url}"}},"hook":{{"callback_url":"{url}"}}}}"#);
        let (v, f) = post_json(&e, &body);
        assert!(v.is_block(), "{v:?}");
        assert_eq!(f[0].location, "json:$.hook.callback_url");
    }

    #[test]
    fn declared_xml_that_starts_with_a_reference_is_read_as_xml() {
        let e = engine("{}");
        let post = |ct: &str, body: &str| {
            let mut tx = e.begin(RequestHead::new(
                "POST",
                "/x",
                vec![("content-type".into(), ct.as_bytes().to_vec())],
            ));
            tx.on_headers(false);
            let v = tx.on_body(body.as_bytes());
            (v, tx.findings().to_vec())
        };
        let (v, f) = post("application/xml", "&xxe;");
        assert!(v.is_block(), "{v:?}");
        assert_eq!(f[0].rule, "xxe.undeclared_entity");
        // The same text declared as plain text is not XML.
        let (v, _) = post("text/plain", "&xxe;");
        assert_eq!(v, BodyVerdict::Allow);
        // Predefined entities need no DTD.
        let (v, _) = post("application/xml", "&amp; text");
        assert_eq!(v, BodyVerdict::Allow);
    }

    #[test]
    fn clean_memo_is_bounded_and_exact() {
        let mut m = CleanMemo::body();
        assert!(!m.contains(3, b"x"));
        for i in 0..20_000u32 {
            m.insert(3, format!("value number {i}").as_bytes());
            assert!(m.arena.len() <= MEMO_ARENA);
        }
        assert_eq!(m.slots.len(), MEMO_SLOTS);
        m.insert(3, b"springfield");
        assert!(m.contains(3, b"springfield"));
        assert!(!m.contains(2, b"springfield"), "the tag is part of the key");
        assert!(!m.contains(3, b"springfielD"));
        let long = [b'a'; MEMO_MAX_VALUE + 1];
        m.insert(3, &long);
        assert!(
            !m.contains(3, &long),
            "values over the bound are never stored"
        );
        let mut h = CleanMemo::headers();
        for i in 0..2_000u32 {
            h.insert(
                7,
                format!("Mozilla/5.0 (X11; Linux x86_64) build {i}")
                    .repeat(20)
                    .as_bytes(),
            );
            assert!(h.arena.len() <= HEADER_MEMO_ARENA);
        }
    }

    #[test]
    fn injection_detectors_read_every_header_but_syntax_ones() {
        let e = engine("{}");
        let req = |name: &str, value: &str| {
            let mut tx = e.begin(RequestHead::new(
                "GET",
                "/",
                vec![(name.into(), value.as_bytes().to_vec())],
            ));
            let v = tx.on_headers(true);
            (v, tx.findings().to_vec())
        };
        let (v, f) = req("remote-ip", "<script>alert(1);</script>");
        assert!(v.is_block());
        assert_eq!(f[0].location, "header:remote-ip");
        assert!(req("x-forwarded-host", "1' or '1'='1").0.is_block());
        // The query string of the referring page, parameter by parameter.
        let (v, f) = req(
            "referer",
            "https://a.example/search?hl=en&q=testing-1 waitfor delay '0:0:15' --",
        );
        assert!(v.is_block());
        assert_eq!(f[0].rule, "sqli.time_function");
        assert_eq!(f[0].location, "header:referer");
        // Headers whose grammar is syntax are not read by these detectors.
        assert_eq!(
            req("accept", "text/html;q=0.9,*/*;q=0.8").0,
            HeadVerdict::Allow
        );
        assert_eq!(
            req("sec-ch-ua", r#""Chromium";v="118", "Not=A?Brand";v="99""#).0,
            HeadVerdict::Allow
        );
        assert_eq!(req("if-none-match", r#"W/"5e-1a2b""#).0, HeadVerdict::Allow);
        // A whitelisted header location drops the finding.
        let e = engine(r#"{"sql_injection": {"whitelist": ["header:x-filter"]}}"#);
        let mut tx = e.begin(RequestHead::new(
            "GET",
            "/",
            vec![("x-filter".into(), b"1' or '1'='1".to_vec())],
        ));
        assert_eq!(tx.on_headers(true), HeadVerdict::Allow);
    }

    #[test]
    fn header_memo_is_shared_by_requests_and_only_holds_clean_values() {
        let e = engine(r#"{"inspect": {"headers": ["user-agent"]}}"#);
        let req = |ua: &str| {
            let mut tx = e.begin(RequestHead::new(
                "GET",
                "/",
                vec![("user-agent".into(), ua.as_bytes().to_vec())],
            ));
            tx.on_headers(true)
        };
        let tag = memo_tag(Surface::Header, Kind::Value, Field::PARAM).unwrap();
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)";
        assert_eq!(req(ua), HeadVerdict::Allow);
        assert!(e.header_memo().lock().unwrap().contains(tag, ua.as_bytes()));
        assert_eq!(req(ua), HeadVerdict::Allow);
        let attack = "() { :; }; /bin/bash -c 'cat /etc/passwd'";
        assert!(req(attack).is_block());
        assert!(!e
            .header_memo()
            .lock()
            .unwrap()
            .contains(tag, attack.as_bytes()));
        assert!(req(attack).is_block(), "an attack is never remembered");
        // Another engine (a new configuration) starts empty.
        let e2 = engine("{}");
        assert!(!e2
            .header_memo()
            .lock()
            .unwrap()
            .contains(tag, ua.as_bytes()));
    }

    #[test]
    fn canonical_paths() {
        assert_eq!(canonical_path(b"/a/./b/../c"), "/a/c");
        assert_eq!(canonical_path(b"/../../etc"), "/etc");
        assert_eq!(canonical_path(b"/a/"), "/a/");
        assert_eq!(canonical_path(b""), "/");
        assert_eq!(canonical_path(b"/a%2f..%5cb"), "/b");
        assert_eq!(canonical_path(b"/static/app.v2.js"), "/static/app.v2.js");
        assert_eq!(canonical_path(b"/a//b"), "/a/b");
        assert_eq!(canonical_path(b"/a/.hidden"), "/a/.hidden");
        assert_eq!(canonical_path(b"/a/..."), "/a/...");
    }

    #[test]
    fn events_carry_request_fields_but_not_payload_beyond_evidence() {
        let e = engine(RULE);
        let mut tx = e.begin(RequestHead::new(
            "GET",
            "/p?q=xxxxevilyyyy&secret=s3cr3t",
            vec![("x-request-id".into(), b"rid-1".to_vec())],
        ));
        assert!(tx.on_headers(true).is_block());
        let ev = tx.events(Some("10.0.0.1:5555"), 0);
        assert_eq!(ev.len(), 1);
        let v: serde_json::Value = serde_json::from_str(&ev[0]).unwrap();
        assert_eq!(v["request_id"], "rid-1");
        assert_eq!(v["location"], "query:q");
        assert_eq!(v["evidence"], "evil");
        assert_eq!(v["path"], "/p");
        assert_eq!(v["client"], "10.0.0.1:5555");
        assert!(!ev[0].contains("s3cr3t"));
    }
}
