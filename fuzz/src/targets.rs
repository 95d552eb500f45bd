//! The body of every fuzz target, as plain functions of the input bytes.
//!
//! Shared by the libFuzzer binaries (`fuzz_targets/*.rs`), the replay and
//! timing tool (`examples/replay.rs`) and the main crate's regression test
//! (`tests/fuzz_regressions.rs` includes this file with `#[path]`), so only
//! the engine's stable public entry points and `std`/`serde_json` are used.
//!
//! Besides "does not panic", each target checks the invariants the engine
//! promises, and panics (a crash for libFuzzer) when one breaks:
//!
//! * decoders never grow their input, and repeated normalisation reaches a
//!   fixed point (no oscillation);
//! * surface parsers only emit values bounded by their input (no value
//!   longer than the input, no quadratic amount of output, calls bounded by
//!   the input length) and never call the sink again after it said `Stop`;
//! * detector hits point inside the value they were given;
//! * security events are valid JSON whatever bytes the request held;
//! * the request filter, driven as Envoy drives it, decides every complete
//!   request, answers it at most once and counts it exactly once.

use std::sync::OnceLock;

use envoy_rasp::engine::config::Config;
use envoy_rasp::engine::decode::{normalize, percent_decode};
use envoy_rasp::engine::detect::{Hit, ValueCtx};
use envoy_rasp::engine::filter::{FakeHost, Phase, RequestFilter};
use envoy_rasp::engine::http::{decode_header_map, parse_http1, RequestHead};
use envoy_rasp::engine::metrics::Metric;
use envoy_rasp::engine::surface::{self, FilePart, Flow, Kind, Limit, Sink, Surface};
use envoy_rasp::engine::Engine;

/// The body of a fuzz target.
pub type Target = fn(&[u8]);

/// Every target: name and body. `fuzz_targets/<name>.rs` wraps each one.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode", decode),
    ("header_map", header_map),
    ("http1", http1),
    ("config", config),
    ("head", head),
    ("body_form", body_form),
    ("body_json", body_json),
    ("body_multipart", body_multipart),
    ("body_xml", body_xml),
    ("body_sniff", body_sniff),
    ("detect_sqli", detect_sqli),
    ("detect_xss", detect_xss),
    ("detect_cmdi", detect_cmdi),
    ("detect_traversal", detect_traversal),
    ("detect_ssrf", detect_ssrf),
    ("detect_xxe", detect_xxe),
    ("detect_upload", detect_upload),
    ("transaction", transaction),
];

/// The body of target `name`.
pub fn by_name(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

// ------------------------------------------------------------ decoders

/// `percent_decode` (both `+` readings) and `normalize`.
pub fn decode(data: &[u8]) {
    for plus in [false, true] {
        let d = percent_decode(data, plus);
        assert!(d.len() <= data.len(), "percent_decode grew its input");
        let trigger = data.iter().any(|&b| b == b'%' || (plus && b == b'+'));
        if !trigger {
            assert_eq!(
                &*d, data,
                "percent_decode changed a value with nothing to decode"
            );
        }
    }
    // Normalisation never grows a value, and applying it again and again
    // reaches a fixed point: once stable, it stays stable (idempotent).
    let mut cur = data.to_vec();
    for _ in 0..64 {
        let next = normalize(&cur).bytes.into_owned();
        assert!(
            next.len() <= cur.len(),
            "normalize grew a value: {} -> {} bytes",
            cur.len(),
            next.len()
        );
        if next == cur {
            return;
        }
        cur = next;
    }
    // 64 rounds of at least four passes each without stabilising: only
    // acceptable if every round kept shrinking the value.
    assert!(cur.len() + 64 <= data.len(), "normalize does not stabilise");
}

// ------------------------------------------------------------ http

/// The proxy-wasm header-map decoder, then the head built from it.
pub fn header_map(data: &[u8]) {
    let Some(pairs) = decode_header_map(data) else {
        return;
    };
    let total: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
    assert!(total <= data.len(), "decoded more header bytes than given");
    let head = RequestHead::from_pairs(pairs);
    let _ = (head.path_only(), head.query(), head.content_length());
    let _ = (head.content_type(), head.header_bytes(), head.request_id());
}

/// The raw HTTP/1.1 parser (`rasp-explain`).
pub fn http1(data: &[u8]) {
    let Ok((head, body)) = parse_http1(data) else {
        return;
    };
    assert!(body.len() <= data.len(), "body longer than the request");
    assert!(head.path.len() <= data.len());
    assert!(head.header_bytes() <= 4 * data.len() as u64 + 4);
    let _ = (head.path_only(), head.query(), head.content_length());
}

// ------------------------------------------------------------ config

/// `Config::from_json`; a configuration that loads must also run a request
/// through the filter.
pub fn config(data: &[u8]) {
    let Ok(cfg) = Config::from_json(data) else {
        return;
    };
    let head = RequestHead::new(
        "POST",
        "/static/../api/v1/items?q=1%27%20or%201=1&x=<script>",
        vec![
            ("user-agent".into(), b"Mozilla/5.0 (X11)".to_vec()),
            ("cookie".into(), b"a=b; sid=../../etc/passwd".to_vec()),
            (
                "content-type".into(),
                b"application/x-www-form-urlencoded".to_vec(),
            ),
            ("content-length".into(), b"9".to_vec()),
        ],
    );
    run_filter(&Engine::new(cfg), head, b"a=1&b=;id");
}

// ------------------------------------------------------------ surfaces

/// A sink that checks what parsers hand it.
struct Rec {
    /// Upper bound for one value (the input length, or decoded size).
    bound: usize,
    /// Budget for all values together (linear in the input).
    budget: usize,
    emitted: usize,
    calls: usize,
    max_calls: usize,
    /// Answer `Stop` after this many calls (`usize::MAX`: never).
    stop_after: usize,
    stopped: bool,
}

impl Rec {
    fn new(input_len: usize, seed: usize) -> Rec {
        Rec {
            bound: input_len,
            budget: 16 * input_len + 1024,
            emitted: 0,
            calls: 0,
            max_calls: 4 * input_len + 16,
            stop_after: if seed % 3 == 0 {
                seed % 7 + 1
            } else {
                usize::MAX
            },
            stopped: false,
        }
    }

    fn call(&mut self, what: &str, len: usize) -> Flow {
        assert!(!self.stopped, "parser called the sink ({what}) after Stop");
        assert!(
            len <= self.bound,
            "{what} of {len} bytes from an input of {} bytes",
            self.bound
        );
        self.calls += 1;
        self.emitted += len;
        assert!(
            self.calls <= self.max_calls,
            "more than {} sink calls for an input of {} bytes",
            self.max_calls,
            self.bound
        );
        assert!(
            self.emitted <= self.budget,
            "parsers emitted {} bytes for an input of {} bytes",
            self.emitted,
            self.bound
        );
        if self.calls >= self.stop_after {
            self.stopped = true;
            return Flow::Stop;
        }
        Flow::Continue
    }
}

impl Sink for Rec {
    fn value(&mut self, _surface: Surface, name: &[u8], value: &[u8], kind: Kind) -> Flow {
        assert!(
            name.len() <= 8 * self.bound + 256,
            "name of {} bytes",
            name.len()
        );
        let what = match kind {
            Kind::Key => "key",
            _ => "value",
        };
        self.call(what, value.len())
    }

    fn xml_document(&mut self, _surface: Surface, _name: &[u8], doc: &[u8]) -> Flow {
        self.call("xml document", doc.len())
    }

    fn file(&mut self, part: &FilePart<'_>) -> Flow {
        for (what, v) in [
            ("file field", part.field),
            ("file name", part.filename),
            ("file disposition", part.disposition),
            ("file content type", part.content_type),
        ] {
            assert!(v.len() <= self.bound, "{what} longer than the input");
        }
        self.call("file content", part.content.len())
    }

    fn limit(&mut self, _limit: Limit) -> Flow {
        assert!(!self.stopped, "parser reported a limit after Stop");
        self.stopped = true;
        Flow::Stop
    }
}

fn config_from(json: &str) -> Config {
    Config::from_json(json.as_bytes()).unwrap_or_default()
}

/// The configuration the surface targets read: default limits, the common
/// headers inspected, file contents on.
fn surface_config() -> &'static Config {
    static C: OnceLock<Config> = OnceLock::new();
    C.get_or_init(|| {
        config_from(
            r#"{"inspect": {"headers": ["user-agent", "referer", "x-forwarded-for", "authorization"],
                "file_contents": true}}"#,
        )
    })
}

/// The same with small structural limits, to reach the limit paths.
fn tight_config() -> &'static Config {
    static C: OnceLock<Config> = OnceLock::new();
    C.get_or_init(|| {
        config_from(
            r#"{"limits": {"max_params": 8, "max_depth": 4, "max_inspect_bytes": 512,
                "max_body_bytes": 4096, "max_header_bytes": 512, "max_url_bytes": 256,
                "inspect_overflow": "partial"},
                "inspect": {"headers": ["user-agent", "referer"], "file_contents": true},
                "allowlist": {"path_prefixes": ["/static/"]},
                "custom_rules": [{"id": "fz", "patterns": ["(?i)evil"], "action": "log"}]}"#,
        )
    })
}

/// Cheap input-derived choice (FNV-1a of up to 16 bytes and the length).
fn seed(data: &[u8]) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for &b in data.iter().take(16) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    (h as usize) ^ data.len()
}

/// Splits `data` at the first `\n` (`(data, "")` without one).
fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (
            data.get(..i).unwrap_or_default(),
            data.get(i + 1..).unwrap_or_default(),
        ),
        None => (data, &[]),
    }
}

/// Head extraction: line 1 is the request target, each following line a
/// header (`name: value`, the cookie and user-agent headers included).
pub fn head(data: &[u8]) {
    let (target, rest) = split_line(data);
    let mut head = RequestHead {
        method: "GET".into(),
        path: target.to_vec(),
        authority: b"example.com".to_vec(),
        headers: Vec::new(),
    };
    for line in rest.split(|&b| b == b'\n') {
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => (
                line.get(..i).unwrap_or_default(),
                line.get(i + 1..).unwrap_or_default(),
            ),
            None => (&b"cookie"[..], line),
        };
        let name = String::from_utf8_lossy(name).trim().to_ascii_lowercase();
        head.headers.push((name, value.to_vec()));
    }
    let s = seed(data);
    let cfg = if s % 2 == 0 {
        surface_config()
    } else {
        tight_config()
    };
    let mut rec = Rec::new(data.len(), s >> 1);
    let _ = surface::head::extract(&head, &cfg.inspect, &mut rec);
}

fn body(content_type: Option<&[u8]>, body: &[u8], s: usize) {
    let cfg = if s % 2 == 0 {
        surface_config()
    } else {
        tight_config()
    };
    let mut rec = Rec::new(body.len(), s >> 1);
    let _ = surface::body::extract(content_type, body, &cfg.limits, &mut rec);
}

/// Form bodies.
pub fn body_form(data: &[u8]) {
    body(Some(b"application/x-www-form-urlencoded"), data, seed(data));
}

/// JSON bodies.
pub fn body_json(data: &[u8]) {
    body(Some(b"application/json; charset=utf-8"), data, seed(data));
}

/// Multipart bodies. The first byte (mod 71) is the boundary length, the
/// boundary follows; the rest is the body (a seed that does not know the
/// boundary still exercises the preamble scan).
pub fn body_multipart(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 71).min(rest.len());
    let (boundary, payload) = rest.split_at(n);
    let mut ct = b"multipart/form-data; boundary=".to_vec();
    let quoted = n > 0 && boundary.first() == Some(&b'"');
    ct.extend_from_slice(boundary);
    if quoted {
        ct.push(b'"');
    }
    body(Some(&ct), payload, seed(data));
}

/// XML bodies.
pub fn body_xml(data: &[u8]) {
    body(Some(b"application/xml"), data, seed(data));
}

/// Bodies without a known type: the first line is the content type (an
/// empty first line means no header at all), the rest is sniffed.
pub fn body_sniff(data: &[u8]) {
    let (ct, rest) = split_line(data);
    let ct = if ct.is_empty() { None } else { Some(ct) };
    body(ct, rest, seed(data));
}

// ------------------------------------------------------------ detectors

const SURFACES: [Surface; 9] = [
    Surface::Query,
    Surface::Path,
    Surface::Cookie,
    Surface::Header,
    Surface::Form,
    Surface::Json,
    Surface::Multipart,
    Surface::Xml,
    Surface::Body,
];

fn detectors_config() -> &'static Config {
    static C: OnceLock<Config> = OnceLock::new();
    C.get_or_init(Config::default)
}

fn check_hit(hit: Option<Hit>, len: usize, what: &str) {
    if let Some(h) = hit {
        assert!(
            h.start <= h.end && h.end <= len,
            "{what}: hit {}..{} outside a value of {len} bytes ({})",
            h.start,
            h.end,
            h.rule
        );
        assert!(!h.rule.is_empty(), "{what}: hit without a rule id");
    }
}

/// Runs a value detector as a query value and as a value of one other
/// surface (chosen from the input), as a key for some inputs.
macro_rules! value_target {
    ($name:ident, $field:ident) => {
        pub fn $name(data: &[u8]) {
            let Some(d) = detectors_config().detectors.$field.as_ref() else {
                return;
            };
            let s = seed(data);
            let q = ValueCtx::value(Surface::Query);
            check_hit(d.detect(data, &q), data.len(), stringify!($field));
            let mut ctx = ValueCtx::value(SURFACES[s % SURFACES.len()]);
            ctx.is_key = s % 5 == 0;
            if ctx != q {
                check_hit(d.detect(data, &ctx), data.len(), stringify!($field));
            }
        }
    };
}

value_target!(detect_sqli, sqli);
value_target!(detect_xss, xss);
value_target!(detect_cmdi, cmdi);
value_target!(detect_traversal, traversal);
value_target!(detect_ssrf, ssrf);

/// The XXE detector over a whole document.
pub fn detect_xxe(data: &[u8]) {
    if let Some(x) = detectors_config().detectors.xxe.as_ref() {
        check_hit(x.detect_document(data), data.len(), "xxe");
    }
}

/// The upload detector: lines are file name, `Content-Disposition`,
/// content type; the rest is the content.
pub fn detect_upload(data: &[u8]) {
    let Some(u) = detectors_config().detectors.upload.as_ref() else {
        return;
    };
    let (filename, rest) = split_line(data);
    let (disposition, rest) = split_line(rest);
    let (content_type, content) = split_line(rest);
    let part = FilePart {
        field: b"file",
        filename,
        disposition,
        content_type,
        content,
    };
    // The hit's span is in the file name.
    if let Some(h) = u.detect_file(&part) {
        assert!(h.start <= h.end, "upload: inverted hit span");
        assert!(!h.rule.is_empty(), "upload: hit without a rule id");
    }
}

// ------------------------------------------------------------ pipeline

fn engines() -> &'static (Engine, Engine) {
    static E: OnceLock<(Engine, Engine)> = OnceLock::new();
    E.get_or_init(|| {
        (
            Engine::new(surface_config().clone()),
            Engine::new(tight_config().clone()),
        )
    })
}

fn check_events(events: &[String]) {
    for e in events {
        if let Err(err) = serde_json::from_str::<serde_json::Value>(e) {
            panic!("event is not valid JSON ({err}): {e}");
        }
    }
}

/// Runs one request through a new request filter with the fake host (body
/// in 1 KiB chunks, as Envoy delivers it) and checks what the filter did.
fn run_filter(engine: &Engine, head: RequestHead, body: &[u8]) {
    let mut host = FakeHost::with_request(head, "192.0.2.1:1234");
    host.now_nanos = 1_700_000_000_000_000_000;
    let mut filter = RequestFilter::new(engine.clone(), 1);
    host.run_request(&mut filter, body, 1024);
    assert_eq!(filter.phase(), Phase::Done, "a complete request is decided");
    assert!(
        host.replies.len() <= 1,
        "{} local replies",
        host.replies.len()
    );
    if let Some(r) = host.replies.first() {
        assert!((200..600).contains(&r.status), "reply status {}", r.status);
    }
    let counted = host.counter(Metric::Requests);
    assert_eq!(counted, 1, "the request was counted {counted} times");
    check_events(&host.events);
}

/// The whole request lifecycle: the input is a raw HTTP/1.1 request, run
/// through the request filter (headers, body, response headers, log).
pub fn transaction(data: &[u8]) {
    let Ok((head, body)) = parse_http1(data) else {
        return;
    };
    let (default, tight) = engines();
    let engine = if seed(data) % 2 == 0 { default } else { tight };
    run_filter(engine, head, &body);
}
