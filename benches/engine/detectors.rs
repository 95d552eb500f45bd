//! Detector throughput: `ssrf` (benign corpus values, the slowest ones,
//! the engine with and without it), `xxe` (large benign documents against
//! byte-scan baselines) and `detector_speed` (cmdi and traversal over
//! prose, URLs, the benign corpus and JSON-ish text).

use std::hint::black_box;
use std::time::Instant;

use envoy_rasp::engine::bytes::Finder;
use envoy_rasp::engine::detect::{cmdi, ssrf, traversal, xxe, ValueCtx};
use envoy_rasp::engine::surface::Surface;
use envoy_rasp::engine::Engine;

use crate::corpus::benign_values;
use crate::measure::cycle;

fn q() -> ValueCtx {
    ValueCtx::value(Surface::Query)
}

fn ssrf_det() -> Result<ssrf::Ssrf, String> {
    ssrf::Ssrf::compile(&ssrf::SsrfConfig::default(), "ssrf")
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "ssrf is off".to_string())
}

/// Throughput over the benign corpus values, the slowest values, the
/// engine with and without the detector, a few probes and 1 MiB of prose.
pub fn ssrf() -> Result<(), String> {
    let d = ssrf_det()?;
    let vals = benign_values()?;
    let bytes: usize = vals.iter().map(String::len).sum();
    let rounds = 50;
    let t = Instant::now();
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
            let t = Instant::now();
            for _ in 0..200 {
                black_box(d.detect(black_box(v.as_bytes()), &q()));
            }
            (t.elapsed().as_nanos() / 200, v)
        })
        .collect();
    slow.sort();
    for (ns, v) in slow.iter().rev().take(8) {
        println!("slow {ns} ns {v:?}");
    }
    if let Some((median, _)) = slow.get(slow.len() / 2) {
        println!("median {median} ns");
    }
    let kept: Vec<u128> = slow.iter().map(|x| x.0).filter(|&ns| ns < 5000).collect();
    println!(
        "trimmed mean {} ns over {} values",
        kept.iter().sum::<u128>() / (kept.len() as u128).max(1),
        kept.len()
    );
    // Inside the engine, with and without this detector, interleaved.
    let on = Engine::from_json(b"{}").map_err(|e| e.to_string())?;
    let off = Engine::from_json(br#"{"ssrf": {"action": "off"}}"#).map_err(|e| e.to_string())?;
    for round in 0..3 {
        for (label, e) in [("on", &on), ("off", &off)] {
            let t = Instant::now();
            for v in &vals {
                black_box(e.inspect_value(Surface::Query, v.as_bytes()));
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
        let t = Instant::now();
        for _ in 0..1_000_000 {
            assert!(d.detect(black_box(probe.as_bytes()), &q()).is_none());
        }
        println!("{probe:?}: {:.0} ns", t.elapsed().as_secs_f64() * 1e3);
    }
    let big = cycle(
        b"lorem ipsum dolor sit amet, consectetur 12.5 adipiscing ",
        1 << 20,
    );
    let t = Instant::now();
    for _ in 0..20 {
        assert!(d.detect(&big, &q()).is_none());
    }
    println!(
        "ssrf 1 MiB prose: {:.0} MB/s",
        20.0 / t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Throughput on large benign documents, next to two byte-scan baselines
/// (counting `<`, one needle search over the document).
pub fn xxe() -> Result<(), String> {
    let d = xxe::Xxe::compile(&xxe::XxeConfig::default(), "xxe")
        .map_err(|e| e.to_string())?
        .ok_or("xxe is off")?;
    let mut docs: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut doc = b"<?xml version=\"1.0\"?><root>".to_vec();
    while doc.len() < 1 << 20 {
        doc.extend_from_slice(
            b"<item id=\"1\"><name>Tom &amp; Jerry</name><v>3 &lt; 4</v></item>\n",
        );
    }
    doc.extend_from_slice(b"</root>");
    docs.push(("markup-dense", doc));
    let mut doc = b"<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><data>".to_vec();
    while doc.len() < 1 << 20 {
        doc.extend_from_slice(
            b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ",
        );
    }
    doc.extend_from_slice(b"</data></soap:Body></soap:Envelope>");
    docs.push(("text-heavy", doc));
    for (label, doc) in &docs {
        let t = Instant::now();
        let rounds = 50;
        for _ in 0..rounds {
            assert!(d.detect_document(black_box(doc)).is_none());
        }
        let mbs = (rounds * doc.len()) as f64 / t.elapsed().as_secs_f64() / 1e6;
        let t = Instant::now();
        for _ in 0..rounds {
            black_box(black_box(doc).iter().filter(|&&b| b == b'<').count());
        }
        let base = (rounds * doc.len()) as f64 / t.elapsed().as_secs_f64() / 1e6;
        let t = Instant::now();
        for _ in 0..rounds {
            black_box(Finder::new(b"www.w3.org/2001/XInclude").find(black_box(doc), 0));
        }
        let f = (rounds * doc.len()) as f64 / t.elapsed().as_secs_f64() / 1e6;
        println!(
            "xxe {label}: {mbs:.0} MB/s (count('<') baseline {base:.0} MB/s, one find {f:.0} MB/s)"
        );
    }
    Ok(())
}

/// Whether a detector flags a value.
type Flags<'a> = &'a dyn Fn(&[u8]) -> bool;

/// cmdi and traversal over 1 MiB of letters, prose and URLs, over the
/// benign corpus values and over 1 MiB of JSON-ish text.
pub fn detector_speed() -> Result<(), String> {
    let c = cmdi::Cmdi::compile(&cmdi::CmdiConfig::default(), "c")
        .map_err(|e| e.to_string())?
        .ok_or("cmdi is off")?;
    let t = traversal::Traversal::compile(&traversal::TraversalConfig::default(), "t")
        .map_err(|e| e.to_string())?
        .ok_or("traversal is off")?;
    let ctx = q();
    let detectors: [(&str, Flags); 2] = [
        ("cmdi", &|v: &[u8]| c.detect(v, &ctx).is_some()),
        ("traversal", &|v: &[u8]| t.detect(v, &ctx).is_some()),
    ];
    for (label, unit) in [
        ("letters", &b"abcdefghij klmnopqrs tuvwxyz "[..]),
        (
            "prose",
            b"It's five o'clock; the (big) dog & cat said \"hi\" to Tom. ",
        ),
        ("urls", b"https://example.com/a/b.html?x=1&y=2 "),
    ] {
        let v = cycle(unit, 1 << 20);
        for (name, f) in detectors {
            let start = Instant::now();
            let mut rounds = 0;
            while start.elapsed().as_secs_f64() < 0.5 {
                black_box(f(&v));
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
    let values: Vec<Vec<u8>> = match benign_values() {
        Ok(v) => v.into_iter().map(String::into_bytes).collect(),
        Err(e) => {
            println!("benign corpus skipped: {e}");
            Vec::new()
        }
    };
    let bytes: usize = values.iter().map(Vec::len).sum();
    for (name, f) in detectors {
        if !values.is_empty() {
            let start = Instant::now();
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
        }
        let start = Instant::now();
        let mut rounds = 0;
        while start.elapsed().as_secs_f64() < 1.0 {
            black_box(f(&big));
            rounds += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name}: 1 MiB JSON-ish text {:.1} MB/s",
            (big.len() * rounds) as f64 / secs / 1e6
        );
    }
    Ok(())
}
