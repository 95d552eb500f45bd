//! Unit tests of the command-injection detector (and an ignored speed
//! measurement over the benign corpora).

use super::glob::glob_match;
use super::names::MAX_NAME;
use super::table::COMMANDS;
use super::*;
use crate::engine::config::Action;
use crate::engine::surface::Surface;

fn det() -> Cmdi {
    Cmdi::compile(&CmdiConfig::default(), "command_injection")
        .unwrap()
        .unwrap()
}

#[test]
fn fixtures() {
    let d = det();
    let ctx = ValueCtx::value(Surface::Query);
    crate::engine::detect::fixtures::check(
        include_str!("../../../../tests/fixtures/cmdi.jsonl"),
        true,
        |v, _| d.detect(v.as_bytes(), &ctx),
    );
}

#[test]
fn table_is_lowercase_and_unique() {
    let d = det();
    for w in d.names.entries().windows(2) {
        assert!(
            w[0].0 < w[1].0,
            "duplicate or unsorted {:?}",
            String::from_utf8_lossy(&w[0].0)
        );
    }
    for (n, _) in COMMANDS {
        assert_eq!(n.to_ascii_lowercase(), *n);
        assert!(n.len() <= MAX_NAME);
    }
}

#[test]
fn blacklist_config() {
    let cfg = CmdiConfig {
        blacklist: vec!["/opt/tools/frobnicate".into()],
        ..CmdiConfig::default()
    };
    let d = Cmdi::compile(&cfg, "command_injection").unwrap().unwrap();
    let ctx = ValueCtx::value(Surface::Query);
    assert!(d.detect(b"x; frobnicate", &ctx).is_some());
    assert!(det().detect(b"x; frobnicate", &ctx).is_none());
    let bad = CmdiConfig {
        blacklist: vec!["two words".into()],
        ..CmdiConfig::default()
    };
    let err = Cmdi::compile(&bad, "command_injection").unwrap_err();
    assert_eq!(err.field(), "command_injection.blacklist[0]");
    let off = CmdiConfig {
        action: Action::Off,
        ..CmdiConfig::default()
    };
    assert!(Cmdi::compile(&off, "command_injection").unwrap().is_none());
}

/// Deterministic random strings over shell and path bytes: no panic
/// (debug builds check arithmetic), spans inside the value.
#[test]
fn random_inputs_are_safe() {
    use crate::engine::detect::traversal::{Traversal, TraversalConfig};
    const ALPHABET: &[u8] =
        b"ab /\\.;|&$(){}[]<>`'\"\\%0x2ec:?*^!#=@+-\n\r\t~,\x00\xc0\xaf\xef\xbc\x8e";
    let d = det();
    let t = Traversal::compile(&TraversalConfig::default(), "path_traversal")
        .unwrap()
        .unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let len = (next() % 48) as usize;
        let v: Vec<u8> = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        for surface in [Surface::Query, Surface::Path] {
            let ctx = ValueCtx::value(surface);
            for h in [d.detect(&v, &ctx), t.detect(&v, &ctx)]
                .into_iter()
                .flatten()
            {
                assert!(h.start <= h.end && h.end <= v.len(), "{v:?} {h:?}");
            }
        }
    }
}

#[test]
fn glob_matching() {
    assert!(glob_match(b"/???/??t", b"/bin/cat"));
    assert!(glob_match(b"/etc/pa[s]swd", b"/etc/passwd"));
    assert!(glob_match(b"/et*/*wd", b"/etc/passwd"));
    assert!(glob_match(b"/etc/[!q]asswd", b"/etc/passwd"));
    assert!(!glob_match(b"/etc/[!p]asswd", b"/etc/passwd"));
    assert!(glob_match(b"/usr/[a-z]in", b"/usr/bin"));
}

#[test]
fn adversarial_inputs_are_linear() {
    let d = det();
    let ctx = ValueCtx::value(Surface::Query);
    for unit in [
        &b"$("[..],
        b"`",
        b"((((",
        b"''''",
        b"\"",
        b"${",
        b"; ls",
        b"{a,",
        b"a=b;",
        b"\\",
        b"$IFS",
        b"<(",
        b"/???/",
        b"() {",
    ] {
        let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
        let start = std::time::Instant::now();
        let _ = d.detect(&v, &ctx);
        assert!(start.elapsed().as_secs_f64() < 3.0, "{unit:?} too slow");
    }
}

/// Throughput measurement (run by hand, see below).
mod bench {
    use super::*;
    use crate::engine::detect::traversal::{Traversal, TraversalConfig};
    use crate::engine::surface::Surface;

    /// `cargo test --release -- --ignored --nocapture detector_speed`
    #[test]
    #[ignore]
    fn detector_speed() {
        // The development corpora: `RASP_CORPUS`, or `../shared/corpus`
        // next to the repository.
        let corpus = std::env::var_os("RASP_CORPUS").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
            std::path::PathBuf::from,
        );
        let mut values: Vec<Vec<u8>> = Vec::new();
        for f in [
            "httpparams.jsonl",
            "libinjection.jsonl",
            "gotestwaf_benign.jsonl",
        ] {
            let Ok(text) = std::fs::read_to_string(corpus.join(f)) else {
                return;
            };
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                if v["class"] == "benign" {
                    values.push(v["value"].as_str().unwrap().as_bytes().to_vec());
                }
            }
        }
        for (label, unit) in [
            ("letters", &b"abcdefghij klmnopqrs tuvwxyz "[..]),
            (
                "prose",
                b"It's five o'clock; the (big) dog & cat said \"hi\" to Tom. ",
            ),
            ("urls", b"https://example.com/a/b.html?x=1&y=2 "),
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let c = Cmdi::compile(&CmdiConfig::default(), "c").unwrap().unwrap();
            let t = Traversal::compile(&TraversalConfig::default(), "t")
                .unwrap()
                .unwrap();
            let ctx = ValueCtx::value(Surface::Query);
            for (name, which) in [("cmdi", 0), ("traversal", 1)] {
                let start = std::time::Instant::now();
                let mut rounds = 0;
                while start.elapsed().as_secs_f64() < 0.5 {
                    if which == 0 {
                        std::hint::black_box(c.detect(&v, &ctx));
                    } else {
                        std::hint::black_box(t.detect(&v, &ctx));
                    }
                    rounds += 1;
                }
                let secs = start.elapsed().as_secs_f64();
                println!(
                    "{name}: 1 MiB {label} {:.1} MB/s",
                    (v.len() * rounds) as f64 / secs / 1e6
                );
            }
        }
        let mut big = Vec::new();
        big.extend_from_slice(b"{\"items\": [");
        while big.len() < (1 << 20) {
            big.extend_from_slice(b"{\"id\": 12345, \"name\": \"O'Brien & Sons; Ltd.\", \"url\": \"https://example.com/a/b?x=1&y=2\", \"note\": \"it's 5 o'clock | $5 off (today)\"},");
        }
        big.extend_from_slice(b"{}]}");
        let c = Cmdi::compile(&CmdiConfig::default(), "c").unwrap().unwrap();
        let t = Traversal::compile(&TraversalConfig::default(), "t")
            .unwrap()
            .unwrap();
        let ctx = ValueCtx::value(Surface::Query);
        let bytes: usize = values.iter().map(Vec::len).sum();
        for (name, f) in [
            (
                "cmdi",
                &(|v: &[u8]| c.detect(v, &ctx).is_some()) as &dyn Fn(&[u8]) -> bool,
            ),
            ("traversal", &|v: &[u8]| t.detect(v, &ctx).is_some()),
        ] {
            let start = std::time::Instant::now();
            let mut rounds = 0;
            let mut hits = 0;
            while start.elapsed().as_secs_f64() < 1.0 {
                for v in &values {
                    hits += usize::from(f(v));
                }
                rounds += 1;
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name}: benign corpus {:.1} MB/s (hits {hits})",
                (bytes * rounds) as f64 / secs / 1e6
            );
            let start = std::time::Instant::now();
            let mut rounds = 0;
            while start.elapsed().as_secs_f64() < 1.0 {
                std::hint::black_box(f(&big));
                rounds += 1;
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name}: 1 MiB JSON-ish text {:.1} MB/s",
                (big.len() * rounds) as f64 / secs / 1e6
            );
        }
    }
}
