//! The request lifecycle driven through the fake host.

use super::test_support::{configured, CLIENT, T0};
use super::*;
use crate::engine::detect::AttackType;
use crate::engine::host::Level;
use crate::engine::metrics::{Metric, SiemDrop};
use crate::engine::mode::Taken;
use crate::engine::reply::Cause;
use crate::engine::RequestHead;

/// 2023-11-14T22:13:20Z.
const SQLI_QUERY: &str = "/search?q=1%27%20OR%20%271%27%3D%271";
const SQLI_JSON: &[u8] = br#"{"user": {"name": "' or 1=1--"}}"#;

fn get(path: &str) -> RequestHead {
    RequestHead::new("GET", path, vec![])
}

fn post(path: &str, content_type: &str, len: Option<usize>) -> RequestHead {
    let mut headers = vec![("content-type".to_string(), content_type.as_bytes().to_vec())];
    if let Some(n) = len {
        headers.push(("content-length".into(), n.to_string().into_bytes()));
    }
    RequestHead::new("POST", path, headers)
}

fn json_body(body: &[u8]) -> RequestHead {
    post("/api", "application/json", Some(body.len()))
}

fn events(host: &FakeHost) -> Vec<serde_json::Value> {
    host.events
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Runs one request with `head` and `body` through a new filter of `root`.
fn run(root: &FilterRoot, host: &mut FakeHost, head: RequestHead, body: &[u8]) -> RequestFilter {
    let mut filter = root.request(7).unwrap();
    host.head = Some(head);
    host.run_request(&mut filter, body, 1024);
    filter
}

#[test]
fn headers_only_get_is_allowed_and_recorded_once() {
    let (root, mut host) = configured("{}");
    let mut f = root.request(1).unwrap();
    host.head = Some(get("/users?name=O%27Brien"));
    assert_eq!(f.on_request_headers(&mut host, true), Flow::Continue);
    assert_eq!(f.phase(), Phase::Done);
    assert_eq!(host.counter(Metric::Requests), 1);
    f.on_response_headers(&mut host);
    f.on_log(&mut host);
    assert!(host.replies.is_empty());
    assert!(host.events.is_empty());
    assert!(host.response_headers.is_empty());
    assert_eq!(
        host.counter(Metric::Requests),
        1,
        "on_log after the decision"
    );
    assert_eq!(host.samples(Metric::InspectionMicros), 1);
}

#[test]
fn headers_only_attack_gets_the_block_reply() {
    let (root, mut host) = configured("{}");
    let mut f = root.request(1).unwrap();
    host.head = Some(get(SQLI_QUERY));
    assert_eq!(f.on_request_headers(&mut host, true), Flow::Pause);
    assert_eq!(host.replies.len(), 1);
    assert_eq!(host.replies[0].status, 403);
    assert_eq!(
        f.sent_reply().map(|r| r.cause),
        Some(Cause::Attack(AttackType::SqlInjection))
    );
    assert_eq!(host.counter(Metric::Blocked), 1);
    assert_eq!(
        host.counter(Metric::Attack(AttackType::SqlInjection, Taken::Block)),
        1
    );
    let ev = events(&host);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["location"], "query:q");
    assert_eq!(ev[0]["client"], CLIENT);
}

#[test]
fn event_ids_come_from_x_request_id_or_are_generated() {
    let (root, mut host) = configured("{}");
    let mut f = root.request(42).unwrap();
    host.head = Some(get(SQLI_QUERY));
    host.run_request(&mut f, b"", 1024);
    let generated = format!("rasp-{T0:x}-42");
    assert_eq!(
        f.transaction().unwrap().event_id(),
        Some(generated.as_str())
    );
    assert_eq!(events(&host)[0]["request_id"], generated.as_str());
    let reply: serde_json::Value = serde_json::from_slice(&host.replies[0].body).unwrap();
    assert_eq!(reply["event_id"], generated.as_str());

    let mut head = get(SQLI_QUERY);
    head.headers
        .push(("x-request-id".into(), b"req-1".to_vec()));
    let f = run(&root, &mut host, head, b"");
    assert_eq!(f.transaction().unwrap().event_id(), Some("req-1"));
    assert_eq!(events(&host)[1]["request_id"], "req-1");
}

#[test]
fn buffered_json_body_is_inspected_once_at_the_end() {
    let (root, mut host) = configured("{}");
    let mut f = root.request(1).unwrap();
    host.head = Some(json_body(SQLI_JSON));
    // Headers go on (hold_headers is off); the body is held.
    assert_eq!(f.on_request_headers(&mut host, false), Flow::Continue);
    assert_eq!(f.phase(), Phase::Buffering);
    let (a, b) = SQLI_JSON.split_at(10);
    host.buffer.extend_from_slice(a);
    assert_eq!(f.on_request_body(&mut host, a.len(), false), Flow::Pause);
    assert!(!f.body_inspected());
    host.buffer.extend_from_slice(b);
    assert_eq!(
        f.on_request_body(&mut host, SQLI_JSON.len(), true),
        Flow::Pause
    );
    assert!(f.body_inspected());
    assert_eq!(host.replies.len(), 1);
    assert_eq!(host.replies[0].status, 403);
    assert_eq!(events(&host)[0]["location"], "json:$.user.name");
    assert_eq!(f.phase(), Phase::Done);
}

#[test]
fn clean_body_passes_and_hold_headers_pauses_the_headers() {
    let (root, mut host) = configured(r#"{"inspect": {"hold_headers": true}}"#);
    let body = br#"{"user": {"name": "O'Brien"}}"#;
    let mut f = root.request(1).unwrap();
    host.head = Some(json_body(body));
    assert_eq!(f.on_request_headers(&mut host, false), Flow::Pause);
    host.buffer.extend_from_slice(body);
    assert_eq!(
        f.on_request_body(&mut host, body.len(), true),
        Flow::Continue
    );
    assert!(f.body_inspected());
    assert!(host.replies.is_empty());
    assert!(host.counter(Metric::InspectedBytes) >= 7);
    assert_eq!(host.counter(Metric::Requests), 1);
}

#[test]
fn trailers_end_a_buffered_body_and_a_streamed_one() {
    let (root, mut host) = configured("{}");
    let mut f = root.request(1).unwrap();
    host.head = Some(post("/api", "application/json", None));
    f.on_request_headers(&mut host, false);
    host.buffer.extend_from_slice(SQLI_JSON);
    assert_eq!(
        f.on_request_body(&mut host, SQLI_JSON.len(), false),
        Flow::Pause
    );
    assert!(host.replies.is_empty(), "not decided before the end");
    assert_eq!(f.on_request_trailers(&mut host), Flow::Pause);
    assert_eq!(host.replies.len(), 1);
    assert!(f.body_inspected());

    // A body that is not inspected (an image) streams; trailers end it.
    let mut f = root.request(2).unwrap();
    host.head = Some(post("/upload", "image/png", None));
    assert_eq!(f.on_request_headers(&mut host, false), Flow::Continue);
    assert_eq!(f.phase(), Phase::Streaming);
    assert_eq!(f.on_request_body(&mut host, 100, false), Flow::Continue);
    assert_eq!(host.counter(Metric::Requests), 1, "not yet recorded");
    assert_eq!(f.on_request_trailers(&mut host), Flow::Continue);
    assert_eq!(f.phase(), Phase::Done);
    assert_eq!(host.counter(Metric::Requests), 2);
    assert!(!f.body_inspected());
}

#[test]
fn oversize_bodies_get_413_declared_buffered_or_streamed() {
    let cfg = r#"{"limits": {"max_body_bytes": 100, "max_inspect_bytes": 100}}"#;
    let (root, mut host) = configured(cfg);
    // Declared: rejected from content-length, before any body.
    let f = run(
        &root,
        &mut host,
        post("/api", "application/json", Some(101)),
        &[b'a'; 101],
    );
    assert_eq!(host.replies.len(), 1);
    assert_eq!(host.replies[0].status, 413);
    assert_eq!(f.sent_reply().map(|r| r.cause), Some(Cause::BodyTooLarge));
    // Buffered without a length: rejected when the buffer grows over it.
    let body = [b'a'; 150];
    let f = run(
        &root,
        &mut host,
        post("/api", "application/json", None),
        &body,
    );
    assert_eq!(host.replies.len(), 2);
    assert_eq!(f.sent_reply().map(|r| r.status), Some(413));
    assert!(!f.body_inspected());
    // Streamed (not inspected): the running total is still checked.
    let mut f = root.request(3).unwrap();
    host.head = Some(post("/upload", "image/png", None));
    f.on_request_headers(&mut host, false);
    assert_eq!(f.on_request_body(&mut host, 60, false), Flow::Continue);
    assert_eq!(f.on_request_body(&mut host, 60, false), Flow::Pause);
    assert_eq!(host.replies.len(), 3);
    assert_eq!(host.replies[2].status, 413);
    let reason = Metric::Rejected(Cause::BodyTooLarge, Taken::Block);
    assert_eq!(host.counter(reason), 3);
    assert_eq!(
        host.counter(Metric::Rejected(Cause::InspectOverflow, Taken::Log)),
        0,
        "a rejected body is not also a partial inspection"
    );
    assert!(events(&host)
        .iter()
        .all(|e| e["reason"] == "body_too_large" && e["action"] == "block"));
}

#[test]
fn a_request_is_answered_and_recorded_exactly_once() {
    let (root, mut host) = configured("{}");
    let mut f = root.request(1).unwrap();
    host.head = Some(post("/api", "application/json", None));
    f.on_request_headers(&mut host, false);
    host.buffer.extend_from_slice(SQLI_JSON);
    assert_eq!(
        f.on_request_body(&mut host, SQLI_JSON.len(), true),
        Flow::Pause
    );
    // Whatever the proxy calls afterwards, nothing is sent or counted again.
    assert_eq!(
        f.on_request_body(&mut host, SQLI_JSON.len(), true),
        Flow::Continue
    );
    assert_eq!(f.on_request_trailers(&mut host), Flow::Continue);
    assert_eq!(f.on_request_headers(&mut host, true), Flow::Continue);
    f.on_response_headers(&mut host);
    f.on_log(&mut host);
    f.on_log(&mut host);
    assert_eq!(host.replies.len(), 1);
    assert_eq!(host.events.len(), 1);
    assert_eq!(host.counter(Metric::Requests), 1);
    assert_eq!(host.counter(Metric::Blocked), 1);
    assert_eq!(host.samples(Metric::InspectionMicros), 1);
}

#[test]
fn a_request_that_ends_early_is_recorded_by_on_log() {
    let (root, mut host) = configured("{}");
    let mut f = root.request(1).unwrap();
    host.head = Some(post("/api", "application/json", None));
    f.on_request_headers(&mut host, false);
    host.buffer.extend_from_slice(b"{\"a\":");
    assert_eq!(f.on_request_body(&mut host, 5, false), Flow::Pause);
    assert_eq!(host.counter(Metric::Requests), 0);
    // The client resets the stream: only the log callback comes.
    f.on_log(&mut host);
    assert_eq!(host.counter(Metric::Requests), 1);
    assert!(host.replies.is_empty());
    assert!(!f.body_inspected());
}

#[test]
fn unreadable_headers_are_logged_and_let_through() {
    let (root, mut host) = configured("{}");
    let mut f = root.request(1).unwrap();
    host.head = None;
    assert_eq!(f.on_request_headers(&mut host, true), Flow::Continue);
    assert_eq!(f.phase(), Phase::Done);
    f.on_log(&mut host);
    assert_eq!(host.counter(Metric::Requests), 0);
    assert!(host
        .logs
        .iter()
        .any(|(l, m)| *l == Level::Error && m.contains("could not read the request headers")));
}

#[test]
fn monitor_mode_never_replies_and_logs_what_block_mode_would_do() {
    let cfg = r#"{"mode": "monitor", "limits": {"max_body_bytes": 100, "max_inspect_bytes": 100}}"#;
    let (root, mut host) = configured(cfg);
    run(&root, &mut host, get(SQLI_QUERY), b"");
    run(&root, &mut host, json_body(SQLI_JSON), SQLI_JSON);
    let f = run(
        &root,
        &mut host,
        post("/api", "application/json", Some(150)),
        &[b'a'; 150],
    );
    assert!(host.replies.is_empty());
    assert!(!f.body_inspected());
    let ev = events(&host);
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert!(ev
        .iter()
        .all(|e| e["action"] == "monitor" && e["mode"] == "monitor"));
    assert_eq!(ev[2]["reason"], "body_too_large");
    // The oversize body passed uninspected: its own event, and counted
    // with the same action.
    assert_eq!(ev[3]["reason"], "inspect_overflow");
    let monitor = |c| host.counter(Metric::Rejected(c, Taken::Monitor));
    assert_eq!(monitor(Cause::BodyTooLarge), 1);
    assert_eq!(monitor(Cause::InspectOverflow), 1);
    assert_eq!(
        host.counter(Metric::Rejected(Cause::InspectOverflow, Taken::Log)),
        0
    );
    assert_eq!(
        host.counter(Metric::Attack(AttackType::SqlInjection, Taken::Monitor)),
        2
    );
    assert_eq!(host.counter(Metric::Blocked), 0);
    assert_eq!(host.counter(Metric::Requests), 3);
}

#[test]
fn partial_inspection_is_logged_and_counted_as_log() {
    let cfg = r#"{"limits": {"max_inspect_bytes": 20, "inspect_overflow": "partial"}}"#;
    let (root, mut host) = configured(cfg);
    let body = br#"{"a": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    let f = run(&root, &mut host, json_body(body), body);
    assert!(f.body_inspected());
    assert!(host.replies.is_empty());
    let ev = events(&host);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (&ev[0]["reason"], &ev[0]["action"]),
        (&"inspect_overflow".into(), &"log".into())
    );
    assert_eq!(
        host.counter(Metric::Rejected(Cause::InspectOverflow, Taken::Log)),
        1
    );
}

const RATE: &str = r#"{"rate_limit": {"enabled": true, "requests_per_second": 1, "burst": 1,
    "response_headers": true}}"#;

#[test]
fn rate_limit_throttles_with_429_and_adds_headers_to_allowed_responses() {
    let (root, mut host) = configured(RATE);
    let f = run(&root, &mut host, get("/a"), b"");
    assert!(f.sent_reply().is_none());
    let names: Vec<&str> = host
        .response_headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset"
        ]
    );
    host.response_headers.clear();
    // Same client, same instant: over the limit, answered before any
    // inspection (the attack is not even looked at).
    let f = run(&root, &mut host, get(SQLI_QUERY), b"");
    assert_eq!(host.replies.len(), 1);
    assert_eq!(host.replies[0].status, 429);
    assert!(host.replies[0]
        .headers
        .iter()
        .any(|(k, _)| k == "retry-after"));
    assert!(host.response_headers.is_empty(), "the 429 carries its own");
    assert!(f.transaction().unwrap().findings().is_empty());
    assert_eq!(host.counter(Metric::RateLimited(Taken::Block)), 1);
    let ev = events(&host);
    assert_eq!(
        (&ev[0]["reason"], &ev[0]["action"]),
        (&"rate_limited".into(), &"block".into())
    );
    // Another client has its own bucket.
    host.client = Some("10.0.0.2:1".into());
    let f = run(&root, &mut host, get("/a"), b"");
    assert!(f.sent_reply().is_none());
    // No address at all: not limited, counted.
    host.client = None;
    run(&root, &mut host, get("/a"), b"");
    assert_eq!(host.replies.len(), 1);
    assert_eq!(host.counter(Metric::RateLimitUnkeyed), 1);
}

#[test]
fn attacks_cost_tokens_and_ticks_sweep_the_table() {
    let cfg = r#"{"mode": "monitor", "rate_limit": {"enabled": true, "requests_per_second": 1,
        "burst": 3, "attack_cost": 3, "max_keys": 16}}"#;
    let (mut root, mut host) = configured(cfg);
    run(&root, &mut host, get(SQLI_QUERY), b"");
    // The attack emptied the bucket: the next request is over the limit
    // (monitor mode: counted, not throttled).
    run(&root, &mut host, get("/a"), b"");
    assert_eq!(host.counter(Metric::RateLimited(Taken::Monitor)), 1);
    root.on_tick(&mut host);
    assert_eq!(host.last(Metric::RateLimitKeys), Some(1));
    // A minute later the bucket is full again and the sweep (one shard:
    // the table has one page) drops it.
    host.now_nanos += 60_000_000_000;
    root.on_tick(&mut host);
    assert_eq!(host.last(Metric::RateLimitKeys), Some(0));
}

const SIEM: &str = r#"{"siem": {"cluster": "siem", "batch_size": 2, "queue_capacity": 4,
    "flush_interval_ms": 1000}}"#;

#[test]
fn siem_events_are_batched_and_sent_on_tick() {
    let (mut root, mut host) = configured(SIEM);
    assert_eq!(root.tick_period_ms(), 100);
    run(&root, &mut host, get(SQLI_QUERY), b"");
    root.on_tick(&mut host);
    assert!(
        host.calls.is_empty(),
        "one event waits for the batch or the interval"
    );
    run(&root, &mut host, get(SQLI_QUERY), b"");
    root.on_tick(&mut host);
    assert_eq!(host.calls.len(), 1);
    let call = &host.calls[0];
    assert_eq!(call.cluster, "siem");
    assert!(call.headers.contains(&(":method".into(), "POST".into())));
    let lines: Vec<&[u8]> = call
        .body
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 2);
    for l in lines {
        let v: serde_json::Value = serde_json::from_slice(l).unwrap();
        assert_eq!(v["event"], "rasp.attack");
    }
    // Nothing more goes out until the collector answers.
    run(&root, &mut host, get(SQLI_QUERY), b"");
    run(&root, &mut host, get(SQLI_QUERY), b"");
    root.on_tick(&mut host);
    assert_eq!(host.calls.len(), 1);
    root.on_http_call_response(&mut host, Some(b"200"));
    assert_eq!(host.counter(Metric::SiemSent), 2);
    assert_eq!(host.calls.len(), 2, "the next batch follows the answer");
    // A non-2xx answer drops the batch and counts it.
    root.on_http_call_response(&mut host, Some(b"503"));
    assert_eq!(host.counter(Metric::SiemDropped(SiemDrop::Failed)), 2);
}

#[test]
fn siem_batches_that_cannot_be_sent_are_counted_as_failed() {
    let (mut root, mut host) = configured(SIEM);
    host.fail_calls = Some("BadArgument".into());
    run(&root, &mut host, get(SQLI_QUERY), b"");
    run(&root, &mut host, get(SQLI_QUERY), b"");
    root.on_tick(&mut host);
    assert!(host.calls.is_empty());
    assert_eq!(host.counter(Metric::SiemDropped(SiemDrop::Failed)), 2);
    assert!(host.logs.iter().any(|(l, m)| *l == Level::Warn
        && m == "envoy-rasp: siem: could not send 2 events to cluster \"siem\": BadArgument"));
    // The interval also sends a lone event.
    host.fail_calls = None;
    run(&root, &mut host, get(SQLI_QUERY), b"");
    host.now_nanos += 1_000_000_000;
    root.on_tick(&mut host);
    assert_eq!(host.calls.len(), 1);
}

#[test]
fn the_header_memo_is_shared_by_the_requests_of_one_root() {
    let (root, mut host) = configured(r#"{"inspect": {"headers": ["user-agent"]}}"#);
    let ua = b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)";
    let head = RequestHead::new("GET", "/", vec![("user-agent".into(), ua.to_vec())]);
    let memo = root.engine().unwrap().header_memo();
    assert!(!memo.lock().unwrap().remembers_header(ua));
    run(&root, &mut host, head.clone(), b"");
    assert!(memo.lock().unwrap().remembers_header(ua), "clean once");
    let f = run(&root, &mut host, head, b"");
    assert!(f.transaction().unwrap().findings().is_empty());
    assert!(memo.lock().unwrap().remembers_header(ua));
    // A new configuration starts with an empty memo.
    let (root2, _) = configured(r#"{"inspect": {"headers": ["user-agent"]}}"#);
    let memo2 = root2.engine().unwrap().header_memo();
    assert!(!memo2.lock().unwrap().remembers_header(ua));
}

#[test]
fn configuration_errors_are_logged_counted_and_refused() {
    let mut host = FakeHost {
        memory: Some(1 << 20),
        ..FakeHost::default()
    };
    let mut root = FilterRoot::default();
    assert!(!root.configure(&mut host, br#"{"limits": {"max_body": 5}}"#));
    assert!(root.request(1).is_none());
    assert_eq!(host.counter(Metric::ConfigErrors), 1);
    assert!(host
        .logs
        .iter()
        .any(|(l, m)| *l == Level::Error && m.contains("max_body")));
    assert!(root.configure(&mut host, b""));
    assert!(host
        .logs
        .iter()
        .any(|(l, m)| *l == Level::Info
            && m.starts_with("envoy-rasp: configuration loaded (mode=block")));
    assert_eq!(host.last(Metric::WasmMemoryBytes), Some(1 << 20));
    // The gauge keeps the largest value.
    host.memory = Some(1 << 10);
    root.on_tick(&mut host);
    assert_eq!(host.last(Metric::WasmMemoryBytes), Some(1 << 20));
    // A later invalid configuration keeps the engine in force.
    assert!(!root.configure(&mut host, b"[]"));
    assert!(root.request(2).is_some());
}

#[test]
fn record_counts_each_attack_type_once_per_action() {
    let cfg = r#"{"custom_rules": [{"id": "a", "patterns": ["x"], "action": "log"},
                                   {"id": "b", "patterns": ["y"]}]}"#;
    let (root, mut host) = configured(cfg);
    run(&root, &mut host, get("/?p=x&q=x&r=y"), b"");
    assert_eq!(host.counter(Metric::Requests), 1);
    assert_eq!(host.counter(Metric::Blocked), 1);
    assert_eq!(
        host.counter(Metric::Attack(AttackType::Custom, Taken::Log)),
        1
    );
    assert_eq!(
        host.counter(Metric::Attack(AttackType::Custom, Taken::Block)),
        1
    );
    // Limits are counted by reason, and are not blocks.
    let (root, mut host) = configured(r#"{"limits": {"max_url_bytes": 3}}"#);
    run(&root, &mut host, get("/abcdef"), b"");
    assert_eq!(
        host.counter(Metric::Rejected(Cause::UrlTooLong, Taken::Block)),
        1
    );
    assert_eq!(host.counter(Metric::Blocked), 0);
}

/// One request end to end: configuration, a chunked JSON body that the
/// proxy buffers, the verdict, the reply, the response headers, the log
/// callback, and what the operator sees (metrics, the event, the SIEM
/// batch).
#[test]
fn one_full_request_end_to_end() {
    let cfg = r#"{"inspect": {"headers": ["user-agent"]},
        "rate_limit": {"enabled": true, "requests_per_second": 100, "response_headers": true},
        "siem": {"cluster": "siem", "batch_size": 1}}"#;
    let (mut root, mut host) = configured(cfg);
    let body = br#"{"items": [{"id": 1, "note": "fine"}, {"id": 2, "note": "<script>alert(1)</script>"}]}"#;
    let mut head = json_body(body);
    head.headers
        .push(("user-agent".into(), b"curl/8.5".to_vec()));
    head.headers
        .push(("x-request-id".into(), b"e2e-1".to_vec()));
    let mut f = root.request(9).unwrap();
    host.head = Some(head);
    host.run_request(&mut f, body, 16);

    assert_eq!(f.phase(), Phase::Done);
    assert!(f.body_inspected());
    assert_eq!(host.replies.len(), 1);
    let reply = &host.replies[0];
    assert_eq!(reply.status, 403);
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"blocked": true, "event_id": "e2e-1", "type": "xss"})
    );
    // The reply passes the response path: the rate-limit headers join it.
    assert!(host
        .response_headers
        .iter()
        .any(|(k, v)| k == "x-ratelimit-limit" && v == "200"));

    let ev = events(&host);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["type"], "xss");
    assert_eq!(ev[0]["location"], "json:$.items[1].note");
    assert_eq!(ev[0]["request_id"], "e2e-1");
    assert_eq!(ev[0]["client"], CLIENT);
    assert_eq!(ev[0]["ts"], "2023-11-14T22:13:20.000Z");

    assert_eq!(host.counter(Metric::Requests), 1);
    assert_eq!(host.counter(Metric::Blocked), 1);
    assert_eq!(
        host.counter(Metric::Attack(AttackType::Xss, Taken::Block)),
        1
    );
    assert_eq!(host.counter(Metric::RateLimited(Taken::Block)), 0);
    assert!(host.counter(Metric::InspectedBytes) > 0);
    assert_eq!(
        host.last(Metric::InspectionMicros),
        Some(0),
        "the fake clock stood still"
    );

    root.on_tick(&mut host);
    assert_eq!(host.calls.len(), 1);
    assert_eq!(
        host.calls[0].body,
        [host.events[0].as_bytes(), b"\n"].concat()
    );
    root.on_http_call_response(&mut host, Some(b"204"));
    assert_eq!(host.counter(Metric::SiemSent), 1);
}
