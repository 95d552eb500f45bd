//! The response side of the lifecycle through the fake host: headers and
//! body chunks, a match across a chunk boundary, masking byte for byte,
//! skipped encodings, correlation with the request, and the cost of off.

use super::test_support::configured;
use super::*;
use crate::engine::detect::AttackType;
use crate::engine::metrics::Metric;
use crate::engine::response::{LeakKind, Outcome, Treated};
use crate::engine::RequestHead;

const ON: &str = r#"{"response": {"enabled": true}}"#;

fn head(status: &str, ctype: &str, extra: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut h = vec![
        (b":status".to_vec(), status.as_bytes().to_vec()),
        (b"content-type".to_vec(), ctype.as_bytes().to_vec()),
    ];
    h.extend(
        extra
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())),
    );
    h
}

/// One GET of `path` whose response is `body` in chunks of `chunk` bytes.
fn respond(
    json: &str,
    path: &str,
    resp: Vec<(Vec<u8>, Vec<u8>)>,
    body: &[u8],
    chunk: usize,
) -> FakeHost {
    let (root, mut host) = configured(json);
    let mut filter = root.request(7).unwrap();
    host.head = Some(RequestHead::new("GET", path, vec![]));
    host.response_head = Some(resp);
    host.response_chunks = body.chunks(chunk).map(<[u8]>::to_vec).collect();
    host.run_request(&mut filter, b"", 1024);
    host
}

fn response_events(host: &FakeHost) -> Vec<serde_json::Value> {
    host.events
        .iter()
        .filter(|l| l.contains("\"rasp.response\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const SQL_ERROR: &[u8] = b"<html><body><h1>Error</h1><p>You have an error in your SQL syntax; \
check the manual that corresponds to your MySQL server version for the right syntax to use \
near ''' at line 1</p></body></html>";

#[test]
fn a_body_in_chunks_is_scanned_and_logged_with_its_status() {
    let host = respond(
        ON,
        "/item?id=1",
        head("500", "text/html; charset=utf-8", &[]),
        SQL_ERROR,
        16,
    );
    let ev = response_events(&host);
    assert_eq!(ev.len(), 1, "{:?}", host.events);
    assert_eq!(ev[0]["type"], "sql_error");
    assert_eq!(ev[0]["rule"], "response.sql_error.mysql");
    assert_eq!(ev[0]["outcome"], "leaked");
    assert_eq!(ev[0]["status"], 500);
    assert_eq!(ev[0]["location"], "body");
    assert_eq!(ev[0]["action"], "log");
    assert_eq!(ev[0]["path"], "/item");
    assert_eq!(
        host.counter(Metric::ResponseFinding(LeakKind::SqlError, Treated::Log)),
        1
    );
    assert_eq!(host.response_sent, SQL_ERROR, "logging changes nothing");
}

#[test]
fn a_card_across_a_chunk_boundary_is_found_and_masked_byte_for_byte() {
    let body = b"{\"name\":\"Ann\",\"card\":\"4111 1111 1111 1111\",\"exp\":\"12/29\"}";
    let at = body.windows(4).position(|w| w == b"4111").unwrap();
    let cfg = r#"{"response": {"enabled": true, "actions": {"card_number": "mask"}}}"#;
    for chunk in [1, 3, at + 2, at + 10, body.len()] {
        let host = respond(
            cfg,
            "/me",
            head("200", "application/json", &[]),
            body,
            chunk,
        );
        let ev = response_events(&host);
        assert_eq!(ev.len(), 1, "chunks of {chunk}: {:?}", host.events);
        assert_eq!(ev[0]["type"], "card_number");
        assert_eq!(ev[0]["action"], "mask");
        assert_eq!(
            ev[0]["evidence"], "************1111",
            "never the whole number"
        );
        assert_eq!(host.response_sent.len(), body.len(), "the length is kept");
        if chunk == body.len() {
            let mut want = body.to_vec();
            want[at..at + 19].fill(b'*');
            assert_eq!(host.response_sent, want);
        } else {
            // Found in the chunk where it completes: that chunk's part is
            // masked; the bytes before it were already forwarded.
            let end = at + 19;
            let start = ((end - 1) / chunk) * chunk;
            let sent = &host.response_sent;
            assert!(
                sent[start.max(at)..end].iter().all(|&b| b == b'*'),
                "chunks of {chunk}: {}",
                String::from_utf8_lossy(sent)
            );
            assert_eq!(sent[..at.min(start)], body[..at.min(start)]);
            assert_eq!(sent[end..], body[end..]);
        }
        assert_eq!(
            host.counter(Metric::ResponseFinding(LeakKind::CardNumber, Treated::Mask)),
            1
        );
    }
}

#[test]
fn monitor_mode_reports_a_mask_it_does_not_apply() {
    let cfg = r#"{"mode": "monitor", "response": {"enabled": true, "action": "mask"}}"#;
    let body = b"card 4111111111111111 end";
    let host = respond(cfg, "/", head("200", "text/plain", &[]), body, 64);
    assert_eq!(host.response_sent, body);
    assert_eq!(response_events(&host)[0]["action"], "monitor");
}

#[test]
fn encoded_bodies_are_skipped_and_counted_headers_still_read() {
    let resp = head(
        "500",
        "text/html",
        &[
            ("content-encoding", "gzip"),
            ("x-debug", "ORA-00933: SQL command not properly ended"),
        ],
    );
    let host = respond(ON, "/", resp, SQL_ERROR, 64);
    assert_eq!(host.counter(Metric::ResponseEncodedSkipped), 1);
    let ev = response_events(&host);
    assert_eq!(ev.len(), 1, "the header only: {:?}", host.events);
    assert_eq!(ev[0]["location"], "header:x-debug");
    assert_eq!(ev[0]["rule"], "response.sql_error.oracle");
}

#[test]
fn other_media_types_and_a_zero_budget_scan_no_body() {
    let host = respond(ON, "/", head("200", "image/png", &[]), SQL_ERROR, 64);
    assert!(response_events(&host).is_empty());
    let cfg = r#"{"response": {"enabled": true, "max_body_bytes": 0}}"#;
    let host = respond(cfg, "/", head("200", "text/html", &[]), SQL_ERROR, 64);
    assert!(response_events(&host).is_empty());
}

#[test]
fn disabled_costs_nothing() {
    let host = respond("{}", "/", head("500", "text/html", &[]), SQL_ERROR, 16);
    assert_eq!(host.response_reads, 0, "no host call");
    assert!(response_events(&host).is_empty());
    assert_eq!(host.response_sent, SQL_ERROR);
}

#[test]
fn a_reflected_request_finding_is_reported_with_its_attack() {
    let cfg = r#"{"mode": "monitor", "response": {"enabled": true}}"#;
    let body = b"<p>You searched for <script>alert(document.cookie)</script></p>";
    let host = respond(
        cfg,
        "/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E",
        head("200", "text/html", &[]),
        body,
        10,
    );
    let ev = response_events(&host);
    let r = ev
        .iter()
        .find(|e| e["type"] == "reflection")
        .unwrap_or_else(|| panic!("{:?}", host.events));
    assert_eq!(r["outcome"], "reflected");
    assert_eq!(r["attack"], "xss");
    assert_eq!(
        host.counter(Metric::AttackOutcome(AttackType::Xss, Outcome::Reflected)),
        1
    );
}

#[test]
fn a_sql_error_after_an_injection_confirms_it() {
    let cfg = r#"{"mode": "monitor", "response": {"enabled": true}}"#;
    let host = respond(
        cfg,
        "/item?id=1%27%20OR%20%271%27%3D%271",
        head("500", "text/html", &[]),
        SQL_ERROR,
        32,
    );
    let ev = response_events(&host);
    let e = ev.iter().find(|e| e["type"] == "sql_error").unwrap();
    assert_eq!(e["outcome"], "confirmed");
    assert_eq!(e["attack"], "sql_injection");
    assert_eq!(
        host.counter(Metric::AttackOutcome(
            AttackType::SqlInjection,
            Outcome::Confirmed
        )),
        1
    );
}

#[test]
fn passwd_content_after_a_traversal_confirms_it() {
    let cfg = r#"{"mode": "monitor", "response": {"enabled": true}}"#;
    let body =
        b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
    let host = respond(
        cfg,
        "/file?name=../../../../etc/passwd",
        head("200", "text/plain", &[]),
        body,
        7,
    );
    let ev = response_events(&host);
    assert!(
        ev.iter()
            .all(|e| e["type"] == "passwd_file" && e["outcome"] == "confirmed"),
        "{ev:?}"
    );
    assert_eq!(ev[0]["evidence"], "root:*:0:0", "no password field");
    assert_eq!(
        host.counter(Metric::AttackOutcome(
            AttackType::PathTraversal,
            Outcome::Confirmed
        )),
        1
    );
}

#[test]
fn a_blocked_request_s_own_reply_is_not_inspected() {
    let host = respond(
        ON,
        "/item?id=1%27%20OR%20%271%27%3D%271",
        head("403", "application/json", &[]),
        SQL_ERROR,
        32,
    );
    assert_eq!(host.replies.len(), 1);
    assert!(response_events(&host).is_empty());
}
