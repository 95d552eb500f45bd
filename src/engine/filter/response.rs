//! [`ResponseWatch`]: one response on its way back, when `response.enabled`
//! — its headers inspected, its body scanned chunk by chunk as it streams
//! (never held), matches masked in place when configured, and its findings
//! logged and counted once when the stream ends.
//!
//! The request's findings are what the response is compared with: their
//! evidence is looked for (reflection), and a leak their attack would
//! cause confirms them. A response to this filter's own local reply is
//! not inspected, nor is anything when the section is off: no host call
//! is made then.

use std::cell::RefCell;

use crate::engine::config::response::{ResponseAction, ResponseSettings};
use crate::engine::detect::AttackType;
use crate::engine::event::{self, Meta, ResponseFinding};
use crate::engine::host::Host;
use crate::engine::metrics::Metric;
use crate::engine::mode::Mode;
use crate::engine::response::{
    correlate, reflect, LeakKind, Outcome, StreamScanner, Treated, WindowHit, MAX_HITS,
};
use crate::engine::siem::SiemQueue;
use crate::engine::{Config, Transaction};

/// One finding, ready for its event.
#[derive(Clone, Debug)]
struct Found {
    kind: LeakKind,
    rule: &'static str,
    outcome: Outcome,
    attack: Option<AttackType>,
    location: String,
    evidence: String,
    treated: Treated,
}

/// The response side of one request.
#[derive(Debug, Default)]
pub struct ResponseWatch {
    /// Headers seen and inspection on.
    active: bool,
    status: u16,
    body: Option<StreamScanner>,
    /// The attack type of each reflection needle.
    needle_attacks: Vec<AttackType>,
    /// Every attack type the request's findings name.
    attacks: Vec<AttackType>,
    found: Vec<Found>,
    recorded: bool,
}

impl ResponseWatch {
    /// The response headers came: inspects them and decides whether the
    /// body is scanned.
    fn on_headers(&mut self, host: &mut dyn Host, cfg: &ResponseSettings, tx: &Transaction) {
        let Some(headers) = host.response_headers() else {
            return;
        };
        self.active = true;
        let mut needles = Vec::new();
        for f in tx.findings() {
            if !self.attacks.contains(&f.attack) {
                self.attacks.push(f.attack);
            }
            if needles.len() < reflect::MAX_NEEDLES {
                if let Some(n) = needle_of(tx, f).filter(|n| !needles.contains(n)) {
                    needles.push(n);
                    self.needle_attacks.push(f.attack);
                }
            }
        }
        let (mut ctype, mut encoded) = (None, false);
        for (name, value) in &headers {
            match name.as_slice() {
                b":status" => self.status = parse_status(value),
                b"content-type" => ctype = Some(value.as_slice()),
                b"content-encoding" => {
                    encoded = !crate::engine::bytes::eq_ci(
                        crate::engine::bytes::trim_ows(value),
                        b"identity",
                    )
                }
                _ => {}
            }
            if name.first() == Some(&b':') {
                continue;
            }
            let mut hits = Vec::new();
            let mut s = StreamScanner::new(value.len(), needles.clone());
            s.feed(value, &mut hits);
            let location = format!("header:{}", String::from_utf8_lossy(name));
            for h in hits {
                // Headers are only logged: masking rewrites body bytes.
                self.note(cfg, &h, &location, Treated::Log);
            }
        }
        if cfg.max_body_bytes == 0 || !ctype.is_some_and(|t| cfg.scans(t)) {
            return;
        }
        if encoded {
            host.metrics().add(Metric::ResponseEncodedSkipped, 1);
            return;
        }
        self.body = Some(StreamScanner::new(cfg.max_body_bytes, needles));
    }

    /// One body chunk of `size` bytes: scanned, and masked where asked.
    fn on_body(&mut self, host: &mut dyn Host, cfg: &ResponseSettings, size: usize, mode: Mode) {
        let Some(scanner) = self.body.as_mut().filter(|s| !s.exhausted()) else {
            return;
        };
        let mut chunk = host.response_body(size);
        let mut hits = Vec::new();
        scanner.feed(&chunk, &mut hits);
        let mut masked = false;
        for h in &hits {
            let action = cfg.action(h.kind);
            let treated = match (action, mode) {
                (ResponseAction::Off, _) => continue,
                (ResponseAction::Log, _) => Treated::Log,
                (ResponseAction::Mask, Mode::Monitor) => Treated::Monitor,
                (ResponseAction::Mask, Mode::Block) => Treated::Mask,
            };
            if treated == Treated::Mask {
                let (a, b) = h.in_chunk;
                if let Some(bytes) = chunk.get_mut(a..b.min(size)) {
                    bytes.fill(b'*');
                    masked |= a < b;
                }
            }
            if h.new {
                self.note(cfg, h, "body", treated);
            }
        }
        if masked {
            host.set_response_body(&chunk);
        }
    }

    /// Keeps one finding (at most [`MAX_HITS`]), with its outcome.
    fn note(&mut self, cfg: &ResponseSettings, h: &WindowHit, location: &str, treated: Treated) {
        if cfg.action(h.kind) == ResponseAction::Off || self.found.len() >= MAX_HITS {
            return;
        }
        let (outcome, attack) = match h.needle {
            Some(k) => (Outcome::Reflected, self.needle_attacks.get(k).copied()),
            None => match correlate::confirm(h.kind, &self.attacks) {
                Some(a) => (Outcome::Confirmed, Some(a)),
                None => (Outcome::Leaked, None),
            },
        };
        self.found.push(Found {
            kind: h.kind,
            rule: h.rule,
            outcome,
            attack,
            location: location.to_string(),
            evidence: redact(h.kind, &h.excerpt),
            treated,
        });
    }
}

/// What a finding's reflection looks like: the whole query parameter it
/// was found in (its evidence is often only the start of the payload, as
/// `<script`, which every page has), else its evidence.
fn needle_of(tx: &Transaction, f: &crate::engine::Finding) -> Option<Vec<u8>> {
    let mut value = None;
    if let (Some(name), Some(query)) = (f.location.strip_prefix("query:"), tx.head().query()) {
        crate::engine::surface::query::for_each_pair(query, |k, v| {
            let hit =
                k.as_ref() == name.as_bytes() && (reflect::MIN_NEEDLE..=1024).contains(&v.len());
            if hit {
                value = Some(v.into_owned());
            }
            !hit
        });
    }
    value.or_else(|| reflect::needle(&f.evidence))
}

/// A `:status` value, 0 when it is not a number.
fn parse_status(v: &[u8]) -> u16 {
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// The evidence an event may carry: never a whole card number, key or
/// password hash.
fn redact(kind: LeakKind, excerpt: &[u8]) -> String {
    match kind {
        LeakKind::CardNumber => {
            let digits: Vec<u8> = excerpt.iter().copied().filter(u8::is_ascii_digit).collect();
            let keep = digits.len().saturating_sub(4);
            let tail = String::from_utf8_lossy(digits.get(keep..).unwrap_or_default()).into_owned();
            format!("{}{tail}", "*".repeat(keep))
        }
        LeakKind::PrivateKey => {
            let line = excerpt.split(|&b| b == b'\n').next().unwrap_or_default();
            event::evidence(line, 64)
        }
        LeakKind::PasswdFile => {
            let mut fields = excerpt.split(|&b| b == b':');
            let name = fields.next().unwrap_or_default();
            let rest: Vec<&[u8]> = fields.skip(1).take(2).collect();
            let ids = rest.join(&b':');
            format!(
                "{}:*:{}",
                event::evidence(name, 32),
                event::evidence(&ids, 24)
            )
        }
        _ => event::evidence(excerpt, 200),
    }
}

impl ResponseWatch {
    /// The response headers came: inspects them when `response.enabled`
    /// and the response is not this filter's own local reply.
    pub(super) fn headers(
        &mut self,
        host: &mut dyn Host,
        c: &Config,
        tx: Option<&Transaction>,
        replied: bool,
    ) {
        if let Some(tx) = tx.filter(|_| c.response.enabled && !replied) {
            self.on_headers(host, &c.response, tx);
        }
    }

    /// Response body data arrived (`size`: this chunk, since the filter
    /// never holds the response).
    pub(super) fn body(&mut self, host: &mut dyn Host, c: &Config, size: usize) {
        if self.active {
            self.on_body(host, &c.response, size, c.mode);
        }
    }

    /// Logs and counts the response's findings, once (from `on_log`).
    pub(super) fn record(
        &mut self,
        host: &mut dyn Host,
        c: &Config,
        tx: Option<&Transaction>,
        siem: Option<&RefCell<SiemQueue>>,
    ) {
        if !self.active || std::mem::replace(&mut self.recorded, true) {
            return;
        }
        let mut outcomes: Vec<(AttackType, Outcome)> = Vec::new();
        for f in &self.found {
            host.metrics()
                .add(Metric::ResponseFinding(f.kind, f.treated), 1);
            if let Some(a) = f.attack.filter(|_| f.outcome != Outcome::Leaked) {
                if !outcomes.contains(&(a, f.outcome)) {
                    outcomes.push((a, f.outcome));
                    host.metrics().add(Metric::AttackOutcome(a, f.outcome), 1);
                }
            }
        }
        let Some(tx) = tx.filter(|_| !self.found.is_empty()) else {
            return;
        };
        let client = host.client_address();
        let now_ms = host.now_nanos() / 1_000_000;
        let meta = Meta {
            request_id: tx.event_id(),
            method: &tx.head().method,
            path: tx.head().path_only(),
            client: client.as_deref(),
            mode: c.mode,
            now_ms,
            profile: tx.config().profile.as_deref(),
        };
        let mut queue = siem.and_then(|q| q.try_borrow_mut().ok());
        for f in &self.found {
            let line = event::response(
                &meta,
                &ResponseFinding {
                    kind: f.kind.as_str(),
                    rule: f.rule,
                    outcome: f.outcome.as_str(),
                    attack: f.attack.map(AttackType::as_str),
                    location: &f.location,
                    evidence: &f.evidence,
                    action: f.treated.as_str(),
                    status: self.status,
                },
            );
            host.event(&line);
            if let Some(q) = queue.as_mut() {
                q.push(&line, now_ms);
            }
        }
    }
}
