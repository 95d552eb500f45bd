//! Release-mode throughput measurements of the parsers (ignored by default):
//! `cargo test --release --lib bench_ -- --ignored --nocapture`.

use std::time::Instant;

use super::{json, multipart, xml, FilePart, Flow, Kind, Limit, Sink, Surface};
use crate::engine::decode::normalize;
use crate::engine::{Engine, RequestHead};

/// Counts what it is given and looks at every byte, as a cheap detector
/// prefilter would.
#[derive(Default)]
struct Count {
    values: usize,
    bytes: usize,
    acc: u8,
}

impl Sink for Count {
    fn value(&mut self, _: Surface, name: &[u8], value: &[u8], _: Kind) -> Flow {
        self.values += 1;
        self.bytes += value.len() + name.len();
        self.acc ^= value.first().copied().unwrap_or(0);
        Flow::Continue
    }
    fn xml_document(&mut self, _: Surface, _: &[u8], doc: &[u8]) -> Flow {
        self.bytes += doc.len();
        Flow::Continue
    }
    fn file(&mut self, p: &FilePart<'_>) -> Flow {
        self.bytes += p.filename.len();
        Flow::Continue
    }
    fn limit(&mut self, _: Limit) -> Flow {
        Flow::Stop
    }
}

/// CPU time of this thread (the machine is shared: wall time lies).
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn mbps(label: &str, size: usize, mut f: impl FnMut()) {
    f();
    let start = Instant::now();
    let cpu0 = cpu_secs();
    let mut rounds = 0u32;
    while start.elapsed().as_secs_f64() < 0.7 || rounds < 3 {
        f();
        rounds += 1;
    }
    let wall = start.elapsed().as_secs_f64();
    let secs = match (cpu0, cpu_secs()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => wall,
    };
    println!(
        "{label:<44} {:>8.1} MB/s (cpu time)",
        size as f64 * f64::from(rounds) / secs / 1e6
    );
}

pub fn json_doc(target: usize) -> Vec<u8> {
    let mut s = String::from("{\"items\": [");
    let mut i = 0;
    while s.len() < target {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"id\": {i}, \"name\": \"Customer number {i}\", \"email\": \"user{i}@example.com\", \
\"active\": true, \"score\": 12.5, \"tags\": [\"alpha\", \"beta\"], \
\"address\": {{\"street\": \"{i} Main St\", \"city\": \"Springfield\", \"zip\": \"1234{}\"}}, \
\"note\": \"He said \\\"hi\\\" \\u00e9\\n and left\"}}",
            i % 10
        ));
        i += 1;
    }
    s.push_str("]}");
    s.into_bytes()
}

pub fn xml_doc(target: usize) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"urn:s\"><soap:Body><Orders>",
    );
    let mut i = 0;
    while s.len() < target {
        s.push_str(&format!(
            "<Order id=\"{i}\" status=\"open\"><Customer>Customer &amp; Sons {i}</Customer>\
<Item sku=\"A-{i}\">Widget with a fairly long description number {i}</Item><Qty>3</Qty></Order>"
        ));
        i += 1;
    }
    s.push_str("</Orders></soap:Body></soap:Envelope>");
    s.into_bytes()
}

pub fn multipart_doc(file: usize, fields: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for i in 0..fields {
        b.extend_from_slice(
            format!(
                "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; \
name=\"field{i}\"\r\n\r\nvalue number {i} with some text\r\n"
            )
            .as_bytes(),
        );
    }
    b.extend_from_slice(b"------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"f\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n");
    let mut x = 0x1234_5678u32;
    for _ in 0..file {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b.push(x as u8);
    }
    b.extend_from_slice(b"\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n");
    b
}

#[test]
#[ignore]
fn bench_parsers() {
    let j = json_doc(1 << 20);
    mbps("json walk 1 MiB (count sink)", j.len(), || {
        let mut c = Count::default();
        json::walk(Surface::Json, &j, 64, &mut c);
        std::hint::black_box(c.acc);
    });
    mbps("baseline: serde_json IgnoredAny 1 MiB", j.len(), || {
        let r: Result<serde::de::IgnoredAny, _> = serde_json::from_slice(&j);
        std::hint::black_box(r.is_ok());
    });
    mbps("baseline: serde_json Value 1 MiB", j.len(), || {
        let r: Result<serde_json::Value, _> = serde_json::from_slice(&j);
        std::hint::black_box(r.is_ok());
    });
    let x = xml_doc(1 << 20);
    mbps("xml walk 1 MiB (count sink)", x.len(), || {
        let mut c = Count::default();
        xml::walk(Surface::Xml, b"", &x, 64, &mut c);
        std::hint::black_box(c.acc);
    });
    let m = multipart_doc(1 << 20, 10);
    mbps("multipart 1 MiB file + 10 fields", m.len(), || {
        let mut c = Count::default();
        multipart::walk(b"----WebKitFormBoundary7MA4YWxkTrZu0gW", &m, 64, &mut c);
        std::hint::black_box(c.acc);
    });
    let m = multipart_doc(0, 20_000);
    mbps("multipart 20,000 small fields", m.len(), || {
        let mut c = Count::default();
        multipart::walk(b"----WebKitFormBoundary7MA4YWxkTrZu0gW", &m, 64, &mut c);
        std::hint::black_box(c.acc);
    });
    let plain: Vec<u8> = b"The quick brown fox jumps over the lazy dog 0123456789 "
        .iter()
        .cycle()
        .take(1 << 20)
        .copied()
        .collect();
    mbps(
        "normalize 1 MiB plain ASCII (borrowed)",
        plain.len(),
        || {
            std::hint::black_box(normalize(&plain).flags);
        },
    );
    let utf: Vec<u8> = "Größe café 你好 naïve – “quoted” "
        .bytes()
        .cycle()
        .take(1 << 20)
        .collect();
    mbps("normalize 1 MiB UTF-8 text (borrowed)", utf.len(), || {
        std::hint::black_box(normalize(&utf).flags);
    });
    let enc: Vec<u8> = b"name%3D%27x%27%20and%20&lt;b&gt; "
        .iter()
        .cycle()
        .take(1 << 20)
        .copied()
        .collect();
    mbps("normalize 1 MiB dense escapes", enc.len(), || {
        std::hint::black_box(normalize(&enc).flags);
    });
    let short: Vec<&[u8]> = vec![
        b"john.doe@example.com",
        b"12345",
        b"Springfield",
        b"2024-01-31",
        b"Mozilla/5.0 (X11; Linux x86_64)",
        b"rock & roll",
    ];
    let total: usize = short.iter().map(|v| v.len()).sum();
    mbps("normalize short benign values", total * 1000, || {
        for _ in 0..1000 {
            for v in &short {
                std::hint::black_box(normalize(v).flags);
            }
        }
    });
}

#[test]
#[ignore]
fn bench_engine_bodies() {
    let engine = Engine::from_json(br#"{"limits": {"max_params": 100000000}}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    for (label, ct, body) in [
        ("engine json 1 MiB", "application/json", json_doc(1 << 20)),
        ("engine xml 1 MiB", "application/xml", xml_doc(1 << 20)),
        (
            "engine multipart 1 MiB file",
            "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            multipart_doc(1 << 20, 10),
        ),
    ] {
        mbps(label, body.len(), || {
            let head = RequestHead::new(
                "POST",
                "/api",
                vec![("content-type".into(), ct.as_bytes().to_vec())],
            );
            let mut tx = engine.begin(head);
            tx.on_headers(false);
            let v = tx.on_body(&body);
            assert!(!v.is_block(), "{label}: {v:?}");
            std::hint::black_box(v);
        });
    }
}

#[test]
#[ignore]
fn bench_json_only() {
    let j = json_doc(1 << 20);
    mbps("json walk 1 MiB (count sink)", j.len(), || {
        let mut c = Count::default();
        json::walk(Surface::Json, &j, 64, &mut c);
        std::hint::black_box(c.acc);
    });
}

/// The requests of `make bench` through the whole engine, per request:
/// `RASP_BENCH_JSON=/tmp/j16k.json cargo test --release --lib bench_requests -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_requests() {
    let cfg = std::env::var("RASP_BENCH_CONFIG")
        .ok()
        .and_then(|p| std::fs::read(p).ok())
        .unwrap_or_else(|| b"{}".to_vec());
    let engine = Engine::from_json(&cfg).unwrap_or_else(|e| panic!("{e}"));
    let headers: Vec<(String, Vec<u8>)> = [
        (":authority", "127.0.0.1:10000"),
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"),
        ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
        ("accept-language", "en-GB,en;q=0.9,es;q=0.8"),
        ("accept-encoding", "gzip, deflate, br"),
        ("referer", "https://shop.example.com/catalog/shoes?page=2"),
        ("cookie", "session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; cart_id=71234; consent=analytics%2Cads"),
        ("x-forwarded-proto", "http"),
        ("x-request-id", "0b9c1c1e-5d0f-4b7e-9d8e-3c1f2a7b6d5e"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), v.as_bytes().to_vec()))
    .collect();
    let path = "/catalog/search?q=running+shoes&size=42&color=blue&sort=price_asc&page=2";
    let n = 200_000u32;
    let start = Instant::now();
    let cpu0 = cpu_secs();
    for _ in 0..n {
        let head = RequestHead::new("GET", path, headers.clone());
        let mut tx = engine.begin(head);
        let v = tx.on_headers(true);
        assert!(!v.is_block());
        std::hint::black_box(v);
    }
    let secs = match (cpu0, cpu_secs()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => start.elapsed().as_secs_f64(),
    };
    println!(
        "engine GET (bench request): {:.2} us/request (cpu time)",
        secs * 1e6 / f64::from(n)
    );
    if let Ok(p) = std::env::var("RASP_BENCH_JSON") {
        let body = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        mbps(&format!("engine {p}"), body.len(), || {
            let mut h = headers.clone();
            h.push(("content-type".into(), b"application/json".to_vec()));
            let mut tx = engine.begin(RequestHead::new("POST", "/api/orders", h));
            tx.on_headers(false);
            let v = tx.on_body(&body);
            assert!(!v.is_block(), "{v:?}");
            std::hint::black_box(v);
        });
    }
}

/// Per-detector time over the values of a JSON body (`RASP_BENCH_JSON`):
/// `cargo test --release --lib bench_detectors -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_detectors() {
    use crate::engine::detect::ValueCtx;
    struct Collect(Vec<Vec<u8>>);
    impl Sink for Collect {
        fn value(&mut self, _: Surface, name: &[u8], value: &[u8], _: Kind) -> Flow {
            self.0.push(name.to_vec());
            self.0.push(value.to_vec());
            Flow::Continue
        }
        fn xml_document(&mut self, _: Surface, _: &[u8], _: &[u8]) -> Flow {
            Flow::Continue
        }
        fn file(&mut self, _: &FilePart<'_>) -> Flow {
            Flow::Continue
        }
        fn limit(&mut self, _: Limit) -> Flow {
            Flow::Continue
        }
    }
    let p = std::env::var("RASP_BENCH_JSON").unwrap_or_else(|_| "/tmp/j1m.json".into());
    let body = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let mut c = Collect(Vec::new());
    json::walk(Surface::Json, &body, 64, &mut c);
    let vals: Vec<Vec<u8>> = c.0.into_iter().filter(|v| !v.is_empty()).collect();
    let total: usize = vals.iter().map(Vec::len).sum();
    println!("{} values, {} bytes", vals.len(), total);
    let engine = Engine::from_json(b"{}").unwrap_or_else(|e| panic!("{e}"));
    let d = &engine.config().detectors;
    let ctx = ValueCtx::value(Surface::Json);
    macro_rules! one {
        ($name:literal, $det:expr) => {
            if let Some(det) = &$det {
                mbps($name, total, || {
                    for v in &vals {
                        std::hint::black_box(det.detect(v, &ctx));
                    }
                });
            }
        };
    }
    one!("sqli", d.sqli);
    one!("xss", d.xss);
    one!("cmdi", d.cmdi);
    one!("traversal", d.traversal);
    one!("ssrf", d.ssrf);
    mbps("normalize", total, || {
        for v in &vals {
            std::hint::black_box(normalize(v).flags);
        }
    });
    mbps("all (scan_value)", total, || {
        for v in &vals {
            d.scan_value(v, &ctx, &String::new, &mut |_, _, _, _| true);
        }
    });
}

#[test]
#[ignore]
fn bench_cmdi_values() {
    use crate::engine::detect::ValueCtx;
    let p = std::env::var("RASP_BENCH_VALUES").unwrap_or_else(|_| "/tmp/vals.txt".into());
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let engine = Engine::from_json(b"{}").unwrap_or_else(|e| panic!("{e}"));
    let d = &engine.config().detectors;
    let ctx = ValueCtx::value(Surface::Json);
    let mut rows = Vec::new();
    for v in text.lines() {
        let t = Instant::now();
        for _ in 0..2000 {
            if let Some(c) = &d.cmdi {
                std::hint::black_box(c.detect(v.as_bytes(), &ctx));
            }
        }
        rows.push((t.elapsed().as_nanos() / 2000, v));
    }
    rows.sort();
    rows.reverse();
    for (ns, v) in rows.iter().take(
        std::env::var("RASP_TOP")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(25),
    ) {
        println!("{ns:>6} ns  {v}");
    }
}
