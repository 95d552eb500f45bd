//! Exclusions, profiles and the shadow configuration, through the fake
//! host: what each request is answered, counted and logged.

use super::test_support::configured_at;
use super::*;
use crate::engine::detect::AttackType;
use crate::engine::host::Level;
use crate::engine::metrics::Metric;
use crate::engine::mode::Taken;
use crate::engine::RequestHead;

/// 2026-12-04T00:00:00Z.
const NOW: u64 = 1_796_342_400_000_000_000;

fn configured(json: &str) -> (FilterRoot, FakeHost) {
    configured_at(json, NOW)
}
const SQLI: &str = "' or 1=1--";

fn on(authority: &str, method: &str, path: &str) -> RequestHead {
    let mut h = RequestHead::new(
        method,
        path,
        vec![("content-type".to_string(), b"application/json".to_vec())],
    );
    h.authority = authority.as_bytes().to_vec();
    h
}

/// Runs one request; its status (200 when it went upstream).
fn status(root: &FilterRoot, host: &mut FakeHost, head: RequestHead, body: &[u8]) -> u16 {
    let n = host.replies.len();
    let mut filter = root.request(7).unwrap();
    host.head = Some(head);
    host.run_request(&mut filter, body, 1024);
    host.replies.get(n).map_or(200, |r| r.status)
}

fn comment() -> Vec<u8> {
    format!(r#"{{"comment": "{SQLI}"}}"#).into_bytes()
}

fn events(host: &FakeHost) -> Vec<serde_json::Value> {
    host.events
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const EXCLUSION: &str = r#"{"exclusions": [{
    "detector": "sql_injection", "location": "json:$.comment",
    "path_prefix": "/api/comments", "reason": "comments quote SQL (TICKET-1)"}]}"#;

#[test]
fn an_exclusion_lets_a_finding_pass_on_its_path_only() {
    let (root, mut host) = configured(EXCLUSION);
    let body = comment();
    assert_eq!(
        status(&root, &mut host, on("a", "POST", "/api/comments"), &body),
        200
    );
    assert_eq!(host.counter(Metric::Excluded(AttackType::SqlInjection)), 1);
    assert_eq!(
        host.counter(Metric::Attack(AttackType::SqlInjection, Taken::Block)),
        0
    );
    assert!(host.events.is_empty(), "{:?}", host.events);
    let debug: Vec<&String> = host
        .logs
        .iter()
        .filter(|(l, _)| *l == Level::Debug)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(debug.len(), 1);
    let line: serde_json::Value = serde_json::from_str(debug[0]).unwrap();
    assert_eq!(line["event"], "rasp.excluded");
    assert_eq!(line["location"], "json:$.comment");
    assert_eq!(line["exclusion"], 0);
    assert_eq!(line["reason"], "comments quote SQL (TICKET-1)");
    // Elsewhere, and under a path that only looks like it, it blocks.
    assert_eq!(
        status(&root, &mut host, on("a", "POST", "/api/orders"), &body),
        403
    );
    let dotted = on("a", "POST", "/api/comments/../orders");
    assert_eq!(status(&root, &mut host, dotted, &body), 403);
    // Another field of the same request is not excluded.
    let other = format!(r#"{{"title": "{SQLI}"}}"#).into_bytes();
    assert_eq!(
        status(&root, &mut host, on("a", "POST", "/api/comments"), &other),
        403
    );
}

#[test]
fn an_excluded_finding_does_not_stop_the_other_detectors() {
    let (root, mut host) = configured(
        r#"{"exclusions": [{"detector": "sql_injection", "location": "query:*", "reason": "r"}]}"#,
    );
    let sqli = "/s?q=1%27%20OR%20%271%27%3D%271";
    assert_eq!(status(&root, &mut host, on("a", "GET", sqli), b""), 200);
    let both = "/s?q=%27%20or%201%3D1--%20%3Cscript%3Ealert(1)%3C/script%3E";
    assert_eq!(status(&root, &mut host, on("a", "GET", both), b""), 403);
    assert_eq!(
        host.counter(Metric::Attack(AttackType::Xss, Taken::Block)),
        1
    );
}

#[test]
fn an_exclusion_by_rule_and_host() {
    let (root, mut host) = configured(
        r#"{"exclusions": [{"rule": "evil", "location": "query:q", "authority": "*.example.com",
            "method": "GET", "reason": "r"}],
            "custom_rules": [{"id": "evil", "patterns": ["evil"], "targets": ["query"]}]}"#,
    );
    let head = |host: &str, m: &str| on(host, m, "/?q=evil");
    assert_eq!(
        status(&root, &mut host, head("a.example.com:8443", "GET"), b""),
        200
    );
    assert_eq!(
        status(&root, &mut host, head("example.com", "GET"), b""),
        403
    );
    assert_eq!(
        status(&root, &mut host, head("a.example.com", "DELETE"), b""),
        403
    );
    assert_eq!(host.counter(Metric::Excluded(AttackType::Custom)), 1);
}

#[test]
fn an_expired_exclusion_still_applies_and_is_reported() {
    let (root, mut host) = configured(
        r#"{"exclusions": [{"detector": "sql_injection", "location": "json:$.comment",
            "reason": "until the fix ships", "expires": "2026-01-31"}]}"#,
    );
    let warn: Vec<&String> = host
        .logs
        .iter()
        .filter(|(l, m)| *l == Level::Warn && m.contains("expires"))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(warn.len(), 1, "{:?}", host.logs);
    assert!(warn[0].contains("exclusions[0]") && warn[0].contains("2026-01-31"));
    assert_eq!(host.last(Metric::ExclusionsExpired), Some(1));
    assert_eq!(
        status(&root, &mut host, on("a", "POST", "/x"), &comment()),
        200
    );
    // Ticks keep the gauge and do not repeat the warning.
    let mut root = root;
    root.on_tick(&mut host);
    let warnings = host
        .logs
        .iter()
        .filter(|(_, m)| m.contains("expires"))
        .count();
    assert_eq!(warnings, 1);
    assert_eq!(host.last(Metric::ExclusionsExpired), Some(1));
}

const PROFILES: &str = r#"{
  "mode": "block",
  "profiles": [
    {"name": "shop", "match": {"authority": "shop.example.com"}, "config": {"mode": "monitor"}},
    {"name": "admin", "match": {"authority": "*.admin.example.com", "method": "POST"},
     "config": {"block": {"status_code": 418}}},
    {"name": "partner", "match": {"header": {"name": "X-Tenant", "value": "p1"}},
     "config": {"sql_injection": {"action": "off"}}},
    {"name": "legacy", "match": {"route": "legacy_route"},
     "config": {"limits": {"max_depth": 2}}}
  ]
}"#;

#[test]
fn profiles_choose_the_configuration_per_request() {
    let (root, mut host) = configured(PROFILES);
    let q = "/s?q=1%27%20OR%20%271%27%3D%271";
    assert_eq!(
        status(&root, &mut host, on("shop.example.com", "GET", q), b""),
        200
    );
    assert_eq!(
        status(&root, &mut host, on("www.example.com", "GET", q), b""),
        403
    );
    let admin = on("x.admin.example.com", "POST", q);
    assert_eq!(status(&root, &mut host, admin, b""), 418);
    // The admin profile wants POST: a GET gets the global reply.
    assert_eq!(
        status(&root, &mut host, on("x.admin.example.com", "GET", q), b""),
        403
    );
    let mut partner = on("www.example.com", "GET", q);
    partner.headers.push(("x-tenant".into(), b"p1".to_vec()));
    assert_eq!(status(&root, &mut host, partner, b""), 200);
    host.route = Some("legacy_route".into());
    let deep = br#"{"a": {"b": {"c": 1}}}"#;
    assert_eq!(
        status(&root, &mut host, on("www.example.com", "POST", "/"), deep),
        400
    );
    host.route = None;
    assert_eq!(
        status(&root, &mut host, on("www.example.com", "POST", "/"), deep),
        200
    );
    let ev = events(&host);
    assert_eq!(ev[0]["profile"], "shop");
    assert_eq!(ev[0]["mode"], "monitor");
    assert_eq!(ev[0]["action"], "monitor");
    assert!(ev[1].get("profile").is_none(), "{}", ev[1]);
    assert_eq!(ev[2]["profile"], "admin");
    let m = &host.metrics;
    assert_eq!(m.named("rasp_profile_requests_total.profile.shop"), 1);
    assert_eq!(m.named("rasp_profile_requests_total.profile.global"), 3);
    assert_eq!(
        m.named("rasp_profile_attacks_total.profile.shop.type.sql_injection.action.monitor"),
        1
    );
    // The global series are as without profiles.
    assert_eq!(host.counter(Metric::Requests), 7);
}

#[test]
fn without_profiles_nothing_is_labelled() {
    let (root, mut host) = configured("{}");
    let q = "/s?q=1%27%20OR%20%271%27%3D%271";
    assert_eq!(status(&root, &mut host, on("a", "GET", q), b""), 403);
    assert!(host.metrics.all_named().is_empty());
    assert!(events(&host)[0].get("profile").is_none());
}

#[test]
fn profile_errors_name_their_field() {
    let e = crate::engine::Config::from_json(
        br#"{"profiles": [
            {"name": "a", "config": {"limits": {"max_body_bytes": 0}}},
            {"name": "a", "config": {"siem": null}},
            {"name": "Bad-Name", "match": {"authority": "*"}},
            {"name": "global"},
            {"name": "b", "config": {"xss": {"acton": "log"}}}
        ]}"#,
    )
    .unwrap_err();
    let fields: Vec<&str> = e.errors().iter().map(|e| e.field()).collect();
    assert_eq!(
        fields,
        [
            "profiles[0].config.limits.max_body_bytes",
            "profiles[1].name",
            "profiles[1].config.siem",
            "profiles[2].name",
            "profiles[2].match.authority",
            "profiles[3].name",
            "profiles[4].config.xss.acton",
        ],
        "{e}"
    );
    let many: Vec<String> = (0..65).map(|i| format!(r#"{{"name": "p{i}"}}"#)).collect();
    let doc = format!(r#"{{"profiles": [{}]}}"#, many.join(","));
    let e = crate::engine::Config::from_json(doc.as_bytes()).unwrap_err();
    assert_eq!(e.field(), "profiles");
}

const SHADOW: &str = r#"{
  "shadow": {"config": {"sql_injection": {"action": "off"}, "custom_rules": [
      {"id": "canary", "patterns": ["canary"], "targets": ["query"]}]}}
}"#;

#[test]
fn the_shadow_never_acts_and_its_differences_are_counted() {
    let (root, mut host) = configured(SHADOW);
    let q = "/s?q=1%27%20OR%20%271%27%3D%271";
    assert_eq!(status(&root, &mut host, on("a", "GET", q), b""), 403);
    assert_eq!(
        status(&root, &mut host, on("a", "GET", "/?q=canary"), b""),
        200
    );
    assert_eq!(
        status(&root, &mut host, on("a", "GET", "/?q=fine"), b""),
        200
    );
    // A body the live filter buffers is judged by the shadow too.
    let body = comment();
    assert_eq!(status(&root, &mut host, on("a", "POST", "/c"), &body), 403);
    let m = &host.metrics;
    assert_eq!(m.named("rasp_shadow_requests_total"), 4);
    assert_eq!(
        m.named("rasp_shadow_diff_total.from.block.to.allow.type.sql_injection"),
        2
    );
    assert_eq!(
        m.named("rasp_shadow_diff_total.from.allow.to.block.type.custom"),
        1
    );
    let shadow: Vec<serde_json::Value> = events(&host)
        .into_iter()
        .filter(|e| e["event"] == "rasp.shadow")
        .collect();
    assert_eq!(shadow.len(), 3);
    assert_eq!(shadow[1]["from"], "allow");
    assert_eq!(shadow[1]["to"], "block");
    assert_eq!(shadow[1]["shadow_rule"], "canary");
    // The shadow wrote no rasp.attack event of its own.
    assert_eq!(
        events(&host)
            .iter()
            .filter(|e| e["event"] == "rasp.attack")
            .count(),
        2
    );
    assert_eq!(
        host.counter(Metric::Attack(AttackType::Custom, Taken::Block)),
        0
    );
}

#[test]
fn a_shadow_sampled_at_zero_costs_a_check() {
    let (root, mut host) =
        configured(r#"{"shadow": {"sample_percent": 0, "config": {"mode": "monitor"}}}"#);
    let q = "/s?q=1%27%20OR%20%271%27%3D%271";
    assert_eq!(status(&root, &mut host, on("a", "GET", q), b""), 403);
    assert!(host.metrics.all_named().is_empty());
    let e = crate::engine::Config::from_json(
        br#"{"shadow": {"sample_percent": 101, "config": {"rate_limit": {}, "limits": {"max_depth": 0}}}}"#,
    )
    .unwrap_err();
    let fields: Vec<&str> = e.errors().iter().map(|e| e.field()).collect();
    assert_eq!(
        fields,
        ["shadow.sample_percent", "shadow.config.rate_limit"]
    );
}
