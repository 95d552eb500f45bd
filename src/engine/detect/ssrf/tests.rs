//! Unit tests of the SSRF detector: fixtures, notations, configuration,
//! spans, robustness and the ignored corpus and throughput runs.

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

fn surface(s: &str) -> Surface {
    match s {
        "path" => Surface::Path,
        "query" => Surface::Query,
        "cookie" => Surface::Cookie,
        "header" => Surface::Header,
        "form" => Surface::Form,
        "json" => Surface::Json,
        "multipart" => Surface::Multipart,
        "xml" => Surface::Xml,
        "body" => Surface::Body,
        other => panic!("unknown surface {other}"),
    }
}

#[test]
fn fixtures() {
    let d = det();
    let n = crate::engine::detect::fixtures::check(
        include_str!("../../../../tests/fixtures/ssrf.jsonl"),
        false,
        |v, row| {
            let ctx = ValueCtx::value(surface(row["surface"].as_str().unwrap_or("query")));
            d.detect(v.as_bytes(), &ctx)
        },
    );
    assert!(n.detect + n.pass >= 60, "too few fixtures");
}

/// The folder of the labelled corpora: `RASP_CORPUS`, or `../shared/corpus`
/// next to the repository.
fn corpus_dir() -> std::path::PathBuf {
    std::env::var_os("RASP_CORPUS").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        std::path::PathBuf::from,
    )
}

/// Runs every row of the shared corpora through the detector and prints
/// per-class counts and the flagged rows of classes other than `ssrf`.
/// `cargo test --release --lib ssrf::tests::corpus -- --ignored --nocapture`
#[test]
#[ignore]
fn corpus() {
    let d = det();
    let dir = corpus_dir();
    let mut counts: std::collections::BTreeMap<String, (u32, u32)> = Default::default();
    let mut shown = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let (Some(class), Some(value)) = (v["class"].as_str(), v["value"].as_str()) else {
                continue;
            };
            let sub = v["subclass"].as_str().unwrap_or("");
            let key = format!("{class}/{sub}");
            let hit = d.detect(value.as_bytes(), &q());
            let e = counts.entry(key).or_default();
            e.0 += 1;
            e.1 += u32::from(hit.is_some());
            if let Some(h) = hit {
                if class != "ssrf" && shown < 300 {
                    shown += 1;
                    println!("{class}: {:?} -> {} {}", value, h.rule, h.reason);
                }
            } else if class == "ssrf" {
                println!("MISS {sub}: {value:?}");
            }
        }
    }
    for (k, (n, f)) in counts {
        println!("{k:60} {n:6} {f:6}");
    }
}

/// Throughput over the benign corpus values.
/// `cargo test --release --lib ssrf::tests::bench -- --ignored --nocapture`
#[test]
#[ignore]
fn bench() {
    let d = det();
    let text = ["httpparams", "libinjection", "gotestwaf_benign"]
        .map(|f| std::fs::read_to_string(corpus_dir().join(format!("{f}.jsonl"))).unwrap())
        .join("\n");
    let vals: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["class"] == "benign")
        .filter_map(|v| v["value"].as_str().map(str::to_string))
        .collect();
    let bytes: usize = vals.iter().map(String::len).sum();
    let rounds = 50;
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        for v in &vals {
            n += usize::from(d.detect(v.as_bytes(), &q()).is_some());
        }
    }
    let el = t.elapsed().as_secs_f64();
    println!(
        "ssrf: {} values, {:.0} ns/value, {:.0} MB/s, flagged {n}",
        vals.len(),
        el * 1e9 / (rounds * vals.len()) as f64,
        (rounds * bytes) as f64 / el / 1e6
    );
    let mut slow: Vec<(u128, &String)> = vals
        .iter()
        .map(|v| {
            let t = std::time::Instant::now();
            for _ in 0..200 {
                std::hint::black_box(d.detect(std::hint::black_box(v.as_bytes()), &q()));
            }
            (t.elapsed().as_nanos() / 200, v)
        })
        .collect();
    slow.sort();
    for (ns, v) in slow.iter().rev().take(8) {
        println!("slow {ns} ns {v:?}");
    }
    println!("median {} ns", slow[slow.len() / 2].0);
    let kept: Vec<u128> = slow.iter().map(|x| x.0).filter(|&ns| ns < 5000).collect();
    println!(
        "trimmed mean {} ns over {} values",
        kept.iter().sum::<u128>() / kept.len() as u128,
        kept.len()
    );
    // Inside the engine, with and without this detector, interleaved.
    let on = crate::engine::Engine::from_json(b"{}").unwrap();
    let off = crate::engine::Engine::from_json(br#"{"ssrf": {"action": "off"}}"#).unwrap();
    for round in 0..3 {
        for (label, e) in [("on", &on), ("off", &off)] {
            let t = std::time::Instant::now();
            for v in &vals {
                std::hint::black_box(e.inspect_value(Surface::Query, v.as_bytes()));
            }
            println!(
                "engine {label} round {round}: {:.0} ns/value",
                t.elapsed().as_secs_f64() * 1e9 / vals.len() as f64
            );
        }
    }
    for probe in [
        "40184",
        "c/ caridad s/n",
        "tufts3@joll.rs",
        "campello, el",
        "1.5",
    ] {
        let t = std::time::Instant::now();
        for _ in 0..1_000_000 {
            assert!(d
                .detect(std::hint::black_box(probe.as_bytes()), &q())
                .is_none());
        }
        println!("{probe:?}: {:.0} ns", t.elapsed().as_secs_f64() * 1e3);
    }
    let big: Vec<u8> = b"lorem ipsum dolor sit amet, consectetur 12.5 adipiscing "
        .iter()
        .copied()
        .cycle()
        .take(1 << 20)
        .collect();
    let t = std::time::Instant::now();
    for _ in 0..20 {
        assert!(d.detect(&big, &q()).is_none());
    }
    println!(
        "ssrf 1 MiB prose: {:.0} MB/s",
        20.0 / t.elapsed().as_secs_f64()
    );
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

#[test]
fn adversarial_inputs_are_linear() {
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
        let t = std::time::Instant::now();
        let _ = d.detect(&v, &q());
        assert!(
            t.elapsed().as_millis() < 2000,
            "{:?}",
            String::from_utf8_lossy(unit)
        );
    }
}
