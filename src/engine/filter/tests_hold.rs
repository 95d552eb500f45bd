//! `inspect.hold_headers` through the fake host: a held request whose body
//! does not come is resumed by the tick, and a VM that sees Envoy withhold
//! bodies stops holding headers.

use super::test_support::configured;
use super::*;
use crate::engine::host::Level;
use crate::engine::metrics::Metric;
use crate::engine::RequestHead;

const MS: u64 = 1_000_000;
const SQLI_JSON: &[u8] = br#"{"user": {"name": "' or 1=1--"}}"#;
const CLEAN_JSON: &[u8] = br#"{"user": {"name": "O'Brien"}}"#;

fn json_post(body: &[u8]) -> RequestHead {
    let headers = vec![
        ("content-type".to_string(), b"application/json".to_vec()),
        (
            "content-length".to_string(),
            body.len().to_string().into_bytes(),
        ),
    ];
    RequestHead::new("POST", "/api", headers)
}

/// Headers of request `id` with `body` to follow; the flow they got.
fn headers(root: &FilterRoot, host: &mut FakeHost, id: u32, body: &[u8]) -> (RequestFilter, Flow) {
    let mut f = root.request(id).unwrap();
    host.head = Some(json_post(body));
    host.buffer.clear();
    let flow = f.on_request_headers(host, false);
    (f, flow)
}

fn warnings(host: &FakeHost) -> Vec<&str> {
    let warn = host.logs.iter().filter(|(l, _)| *l == Level::Warn);
    warn.map(|(_, m)| m.as_str()).collect()
}

const HOLD: &str = r#"{"inspect": {"hold_headers": true}}"#;

#[test]
fn the_tick_runs_often_enough_for_the_timeout() {
    let (root, _) = configured("{}");
    assert_eq!(root.tick_period_ms(), 1000);
    let (root, _) = configured(HOLD);
    assert_eq!(root.tick_period_ms(), 250);
    let (root, _) =
        configured(r#"{"inspect": {"hold_headers": true, "hold_headers_timeout_ms": 200}}"#);
    assert_eq!(root.tick_period_ms(), 50);
}

#[test]
fn with_envoy_passing_bodies_nothing_is_resumed() {
    let (mut root, mut host) = configured(HOLD);
    let (mut f, flow) = headers(&root, &mut host, 1, CLEAN_JSON);
    assert_eq!(flow, Flow::Pause);
    assert!(f.is_held());
    host.now_nanos += 5 * MS;
    host.buffer.extend_from_slice(CLEAN_JSON);
    assert_eq!(
        f.on_request_body(&mut host, CLEAN_JSON.len(), true),
        Flow::Continue
    );
    assert!(!f.is_held() && f.body_inspected());
    host.now_nanos += 5000 * MS;
    root.on_tick(&mut host);
    assert!(host.resumed.is_empty());
    assert_eq!(host.counter(Metric::HoldResumed), 0);
    assert!(root.holds().borrow().is_empty());
    assert!(warnings(&host).is_empty());
}

#[test]
fn a_withheld_body_is_resumed_once_inspected_and_holding_stops() {
    let (mut root, mut host) = configured(HOLD);
    let (mut f, flow) = headers(&root, &mut host, 1, SQLI_JSON);
    assert_eq!(flow, Flow::Pause);
    // Envoy withholds the body: no callback until the tick resumes it.
    host.now_nanos += 999 * MS;
    root.on_tick(&mut host);
    assert!(host.resumed.is_empty(), "not before the timeout");
    host.now_nanos += MS;
    root.on_tick(&mut host);
    assert_eq!(host.resumed, vec![1]);
    assert_eq!(host.counter(Metric::HoldResumed), 1);
    assert_eq!(warnings(&host).len(), 1, "{:?}", host.logs);
    assert!(warnings(&host)[0].contains("allow_on_headers_stop_iteration"));
    // Resuming releases the body at once; it is still inspected and blocked.
    host.buffer.extend_from_slice(SQLI_JSON);
    assert_eq!(
        f.on_request_body(&mut host, SQLI_JSON.len(), true),
        Flow::Pause
    );
    assert_eq!(host.replies.len(), 1);
    assert_eq!(host.replies[0].status, 403);
    let w = warnings(&host);
    assert_eq!(w.len(), 2);
    assert!(w[1].contains("no longer holds headers"), "{w:?}");
    f.on_log(&mut host);
    // The VM no longer holds: later requests pay no timeout.
    let (mut g, flow) = headers(&root, &mut host, 2, CLEAN_JSON);
    assert_eq!(flow, Flow::Continue);
    assert!(!g.is_held());
    host.buffer.extend_from_slice(CLEAN_JSON);
    assert_eq!(
        g.on_request_body(&mut host, CLEAN_JSON.len(), true),
        Flow::Continue
    );
    assert!(g.body_inspected());
    host.now_nanos += 5000 * MS;
    root.on_tick(&mut host);
    assert_eq!(host.resumed, vec![1]);
    assert_eq!(warnings(&host).len(), 2, "logged once per VM");
}

#[test]
fn a_slow_client_is_resumed_but_holding_goes_on() {
    let (mut root, mut host) = configured(HOLD);
    let (mut f, _) = headers(&root, &mut host, 1, CLEAN_JSON);
    host.now_nanos += 1000 * MS;
    root.on_tick(&mut host);
    assert_eq!(host.resumed, vec![1]);
    // The body comes much later than Envoy would release a withheld one.
    host.now_nanos += 300 * MS;
    root.on_tick(&mut host);
    host.buffer.extend_from_slice(CLEAN_JSON);
    assert_eq!(
        f.on_request_body(&mut host, CLEAN_JSON.len(), true),
        Flow::Continue
    );
    assert!(f.body_inspected());
    assert_eq!(warnings(&host).len(), 1);
    let (_, flow) = headers(&root, &mut host, 2, CLEAN_JSON);
    assert_eq!(flow, Flow::Pause, "still held");
}

#[test]
fn a_request_that_ends_while_held_leaves_the_table() {
    let (mut root, mut host) = configured(HOLD);
    let (mut f, _) = headers(&root, &mut host, 1, CLEAN_JSON);
    assert_eq!(root.holds().borrow().len(), 1);
    f.on_log(&mut host);
    assert!(root.holds().borrow().is_empty());
    host.now_nanos += 5000 * MS;
    root.on_tick(&mut host);
    assert!(host.resumed.is_empty());
    assert_eq!(host.counter(Metric::Requests), 1, "recorded at on_log");
}

#[test]
fn trailers_release_a_held_request() {
    let (mut root, mut host) = configured(HOLD);
    let (mut f, _) = headers(&root, &mut host, 1, CLEAN_JSON);
    assert_eq!(f.on_request_trailers(&mut host), Flow::Continue);
    assert!(!f.is_held());
    host.now_nanos += 5000 * MS;
    root.on_tick(&mut host);
    assert!(host.resumed.is_empty());
}

#[test]
fn a_request_held_under_the_previous_configuration_is_still_resumed() {
    let (mut root, mut host) = configured(HOLD);
    let (_f, _) = headers(&root, &mut host, 1, CLEAN_JSON);
    assert!(root.configure(&mut host, b"{}"));
    host.now_nanos += 1000 * MS;
    root.on_tick(&mut host);
    assert_eq!(host.resumed, vec![1]);
    let (_, flow) = headers(&root, &mut host, 2, CLEAN_JSON);
    assert_eq!(flow, Flow::Continue, "hold_headers is off now");
}

#[test]
fn the_timeout_is_checked() {
    for bad in [0, 99, 60_001] {
        let json = format!(r#"{{"inspect": {{"hold_headers_timeout_ms": {bad}}}}}"#);
        let err = crate::engine::config::Config::from_json(json.as_bytes()).unwrap_err();
        assert_eq!(err.field(), "inspect.hold_headers_timeout_ms");
    }
}
