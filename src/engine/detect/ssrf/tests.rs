//! Unit tests of the SSRF detector: notations, configuration, spans,
//! robustness (corpus runs and throughput: `cargo bench --bench engine`).

use super::cidr::Cidr;
use super::config::{Ssrf, SsrfConfig};
use super::ip::{parse_v4, parse_v6, Ip};
use crate::engine::detect::ValueCtx;
use crate::engine::mode::Action;
use crate::engine::surface::Surface;

fn det() -> Ssrf {
    Ssrf::compile(&SsrfConfig::default(), "ssrf")
        .unwrap()
        .unwrap()
}

fn q() -> ValueCtx {
    ValueCtx::value(Surface::Query)
}

/// Deterministic pseudo-random inputs built from the bytes that matter
/// to the lexer: no input may panic (debug builds check overflow too).
fn fuzz_inputs(alphabet: &[&[u8]], count: usize) -> Vec<Vec<u8>> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 24) as usize;
            let mut v = Vec::new();
            for _ in 0..len {
                let piece = alphabet[(next() % alphabet.len() as u64) as usize];
                v.extend_from_slice(piece);
            }
            v
        })
        .collect()
}

#[test]
fn fuzz_no_panic() {
    crate::testing::hang_guard("ssrf: fuzz inputs", || {
        let d = det();
        let alphabet: &[&[u8]] = &[
            b"http",
            b"://",
            b":",
            b"/",
            b"\\",
            b"@",
            b"[",
            b"]",
            b".",
            b"0x",
            b"0",
            b"1",
            b"255",
            b"4294967296",
            b"ffff",
            b"::",
            b"%",
            b"#",
            b"?",
            b"=",
            b" ",
            b"localhost",
            b"nip.io",
            b"\xe2\x91\xa0",
            b"\xef\xbd\x8e",
            b"\xff",
            b"a",
            b"-",
            b"file",
            b"jar:",
        ];
        for v in fuzz_inputs(alphabet, 30_000) {
            for s in [Surface::Query, Surface::Path, Surface::Json] {
                let _ = d.detect(&v, &ValueCtx::value(s));
            }
        }
    });
}

#[test]
fn through_the_engine() {
    use crate::engine::{Engine, RequestHead};
    let e = Engine::from_json(b"{}").unwrap();
    let mut tx = e.begin(RequestHead::new(
        "GET",
        "/fetch?url=http%3A%2F%2F169.254.169.254%2Flatest%2F",
        vec![],
    ));
    assert!(tx.on_headers(true).is_block());
    let f = &tx.findings()[0];
    assert_eq!(
        (f.rule.as_str(), f.location.as_str()),
        ("ssrf.metadata", "query:url")
    );
    assert_eq!(f.evidence, "169.254.169.254");
    let mut tx = e.begin(RequestHead::new(
        "GET",
        "/page?q=hello",
        vec![("referer".into(), b"http://localhost:3000/page".to_vec())],
    ));
    assert!(!tx.on_headers(true).is_block());
    assert!(tx.findings().is_empty());
}

#[test]
fn ipv4_notations() {
    let p = |s: &str| parse_v4(s.as_bytes()).map(|v| (v.addr, v.canonical, v.overflow));
    assert_eq!(p("127.0.0.1"), Some((0x7f000001, true, false)));
    assert_eq!(p("2130706433"), Some((0x7f000001, false, false)));
    assert_eq!(p("0x7f000001"), Some((0x7f000001, false, false)));
    assert_eq!(p("0177.0.0.1"), Some((0x7f000001, false, false)));
    assert_eq!(p("127.1"), Some((0x7f000001, false, false)));
    assert_eq!(p("0x7f.1"), Some((0x7f000001, false, false)));
    assert_eq!(p("017700000001"), Some((0x7f000001, false, false)));
    assert_eq!(p("169.254.43518"), Some((0xA9FEA9FE, false, false)));
    assert_eq!(p("7147006462"), Some((0xA9FEA9FE, false, true)));
    assert_eq!(p("0x41414141A9FEA9FE"), Some((0xA9FEA9FE, false, true)));
    assert_eq!(p("425.510.425.510"), Some((0xA9FEA9FE, false, true)));
    assert_eq!(p("0"), Some((0, false, false)));
    assert_eq!(p("08.1.1.1"), None);
    assert_eq!(p("1.2.3.4.5"), None);
    assert_eq!(p("example.com"), None);
    assert_eq!(p("1..2"), None);
}

#[test]
fn ipv6_parsing() {
    assert_eq!(parse_v6(b"::1"), Some(1));
    assert_eq!(parse_v6(b"::"), Some(0));
    assert_eq!(parse_v6(b"::ffff:127.0.0.1"), Some(0xffff_7f00_0001));
    assert_eq!(parse_v6(b"::ffff:a9fe:a9fe"), Some(0xffff_a9fe_a9fe));
    assert_eq!(parse_v6(b"0:0:0:0:0:0:0:1"), Some(1));
    assert_eq!(
        parse_v6(b"fd00:ec2::254"),
        Some(0xfd00_0ec2_0000_0000_0000_0000_0000_0254)
    );
    assert_eq!(parse_v6(b"1::2::3"), None);
    assert_eq!(parse_v6(b"1:2:3:4:5:6:7"), None);
    assert_eq!(parse_v6(b"12345::"), None);
    assert_eq!(parse_v6(b"::1.2.3"), None);
}

#[test]
fn config_loader_reports_the_entry() {
    use crate::engine::config::Config;
    let e = Config::from_json(
        br#"{"ssrf": {"blacklist": ["10.0.0.0/8", "::1", "fe80::/10", "300.0.0.0/8"]}}"#,
    )
    .unwrap_err();
    assert_eq!(e.field(), "ssrf.blacklist[3]");
    let e = Config::from_json(br#"{"file_upload": {"blacklist": ["", ".php"]}}"#).unwrap_err();
    assert_eq!(e.field(), "file_upload.blacklist[0]");
    let e = Config::from_json(br#"{"xxe": {"allowed_dtds": ["w3.org"]}}"#).unwrap_err();
    assert_eq!(e.field(), "xxe.allowed_dtds[0]");
    assert!(
        Config::from_json(br#"{"ssrf": {"targets": ["headers"], "bare_hosts": false}}"#).is_ok()
    );
}

#[test]
fn config_errors_name_the_entry() {
    let mut cfg = SsrfConfig::default();
    cfg.blacklist.push("10.0.0.0/33".into());
    let e = Ssrf::compile(&cfg, "ssrf").unwrap_err();
    assert_eq!(e.field(), "ssrf.blacklist[14]");
    assert!(e.message().contains("cidr"), "{e}");
    let cfg = SsrfConfig {
        blacklist: vec!["10.0.0.0/8".into(), "banana".into()],
        ..Default::default()
    };
    assert_eq!(
        Ssrf::compile(&cfg, "ssrf").unwrap_err().field(),
        "ssrf.blacklist[1]"
    );
    let cfg = SsrfConfig {
        whitelist: vec!["ok.com".into(), "a b".into()],
        ..Default::default()
    };
    assert_eq!(
        Ssrf::compile(&cfg, "ssrf").unwrap_err().field(),
        "ssrf.whitelist[1]"
    );
    let cfg = SsrfConfig {
        schemes: vec!["1http".into()],
        ..Default::default()
    };
    assert_eq!(
        Ssrf::compile(&cfg, "ssrf").unwrap_err().field(),
        "ssrf.schemes[0]"
    );
    let cfg = SsrfConfig {
        action: Action::Off,
        ..Default::default()
    };
    assert!(Ssrf::compile(&cfg, "ssrf").unwrap().is_none());
}

#[test]
fn cidrs() {
    let c = Cidr::parse("172.16.0.0/12").unwrap();
    assert!(c.contains(Ip::V4(0xAC1F_0001)));
    assert!(!c.contains(Ip::V4(0xAC20_0001)));
    let c = Cidr::parse("fe80::/10").unwrap();
    assert!(c.contains(Ip::V6(0xfe80 << 112 | 5)));
    assert!(!c.contains(Ip::V4(1)));
    assert!(Cidr::parse("0.0.0.0/0")
        .unwrap()
        .contains(Ip::V4(0x08080808)));
    assert!(Cidr::parse("::/0").unwrap().contains(Ip::V6(u128::MAX)));
    assert_eq!(Cidr::parse("10.0.0.1").unwrap().prefix, 32);
    assert!(Cidr::parse("10.0.0.0/-1").is_err());
    assert!(Cidr::parse("0x7f.1/8").is_err());
}

#[test]
fn custom_config() {
    let cfg: SsrfConfig = serde_json::from_str(
        r#"{"blacklist": ["10.0.0.0/8"], "whitelist": ["*.corp.example", "localhost"],
            "targets": ["query", "headers"], "bare_hosts": false}"#,
    )
    .unwrap();
    let d = Ssrf::compile(&cfg, "ssrf").unwrap().unwrap();
    assert!(d.detect(b"http://127.0.0.1/", &q()).is_none());
    assert!(d.detect(b"http://10.1.2.3/", &q()).is_some());
    assert!(d.detect(b"http://localhost:8080/cb", &q()).is_none());
    assert!(d.detect(b"http://a.corp.example/", &q()).is_none());
    assert!(d.detect(b"10.1.2.3:80", &q()).is_none());
    let h = ValueCtx::value(Surface::Header);
    assert!(d.detect(b"http://10.1.2.3/", &h).is_some());
    let b = ValueCtx::value(Surface::Json);
    assert!(d.detect(b"http://10.1.2.3/", &b).is_none());
}

#[test]
fn spans_point_at_the_host() {
    let d = det();
    let v = b"url=http://0x7f000001:80/x";
    let h = d.detect(v, &q()).unwrap();
    assert_eq!(&v[h.start..h.end], b"0x7f000001");
    let v = b"gopher://x/";
    let h = d.detect(v, &q()).unwrap();
    assert_eq!(&v[h.start..h.end], b"gopher:");
}

/// A hang guard, not a measurement (see `testing::HANG_GUARD`): linear time
/// on these inputs is measured by `cargo bench --bench engine -- adversarial`.
#[test]
fn adversarial_inputs_do_not_hang() {
    crate::testing::hang_guard("ssrf: adversarial inputs", || {
        let d = det();
        for unit in [
            &b"http:"[..],
            b"a://",
            b"::::",
            b"http:a@",
            b"@@@@",
            b"1.",
            b"[::",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let _ = d.detect(&v, &q());
        }
    });
}
