//! Whole requests and the detectors over real values: `requests` (the GET
//! of `make bench`, per request, and `RASP_BENCH_JSON` as a POST body),
//! `values` (the benign corpus and real-traffic values one at a time),
//! `detectors` (each detector over the values of a JSON body) and
//! `cmdi_values` (the slowest values for the command-injection detector).

use std::hint::black_box;
use std::time::Instant;

use envoy_rasp::engine::decode::normalize;
use envoy_rasp::engine::detect::ValueCtx;
use envoy_rasp::engine::surface::{json, FilePart, Flow, Kind, Limit, Sink, Surface};
use envoy_rasp::engine::{Engine, RequestHead};

use crate::corpus::benign_values;
use crate::docs::json_doc;
use crate::measure::{cpu_secs, mbps, secs_since};

/// The file named by the environment variable `var`, if set.
fn file_from(var: &str) -> Result<Option<(String, Vec<u8>)>, String> {
    match std::env::var(var) {
        Ok(p) => {
            let body = std::fs::read(&p).map_err(|e| format!("{var}={p}: {e}"))?;
            Ok(Some((p, body)))
        }
        Err(_) => Ok(None),
    }
}

/// The headers of the benchmark's browser-like GET.
fn browser_headers() -> Vec<(String, Vec<u8>)> {
    [
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
    .collect()
}

/// The requests of `make bench` through the whole engine, per request
/// (`RASP_BENCH_CONFIG` for another configuration, `RASP_BENCH_JSON` for a
/// JSON body of your own as a POST).
pub fn requests() -> Result<(), String> {
    let cfg = file_from("RASP_BENCH_CONFIG")?.map_or_else(|| b"{}".to_vec(), |(_, c)| c);
    let engine = Engine::from_json(&cfg).map_err(|e| e.to_string())?;
    let headers = browser_headers();
    let path = "/catalog/search?q=running+shoes&size=42&color=blue&sort=price_asc&page=2";
    let n = 200_000u32;
    let start = Instant::now();
    let cpu0 = cpu_secs();
    for _ in 0..n {
        let head = RequestHead::new("GET", path, headers.clone());
        let mut tx = engine.begin(head);
        let v = tx.on_headers(true);
        assert!(!v.is_block());
        black_box(v);
    }
    let secs = secs_since(start, cpu0);
    println!(
        "engine GET (bench request): {:.2} us/request (cpu time)",
        secs * 1e6 / f64::from(n)
    );
    if let Some((p, body)) = file_from("RASP_BENCH_JSON")? {
        mbps(&format!("engine {p}"), body.len(), || {
            let mut h = headers.clone();
            h.push(("content-type".into(), b"application/json".to_vec()));
            let mut tx = engine.begin(RequestHead::new("POST", "/api/orders", h));
            tx.on_headers(false);
            let v = tx.on_body(&body);
            assert!(!v.is_block(), "{v:?}");
            black_box(v);
        });
    }
    Ok(())
}

/// The benign corpus values one at a time through the whole engine (a
/// query value each, as `rasp-eval --bench` runs them), in MB/s of CPU
/// time; then the real-traffic samples (`tests/data/real`) as JSON
/// values.
pub fn values() -> Result<(), String> {
    let engine = Engine::from_json(b"{}").map_err(|e| e.to_string())?;
    let vals = benign_values()?;
    let total: usize = vals.iter().map(String::len).sum();
    println!("{} benign values, {total} bytes", vals.len());
    mbps("engine benign values (one at a time)", total, || {
        for v in &vals {
            black_box(engine.inspect_value(Surface::Query, v.as_bytes()));
        }
    });
    let real = real_values();
    let real_total: usize = real.iter().map(Vec::len).sum();
    if !real.is_empty() {
        println!("{} real-traffic values, {real_total} bytes", real.len());
        mbps("engine real-traffic values (json)", real_total, || {
            for v in &real {
                black_box(engine.inspect_value(Surface::Json, v));
            }
        });
    }
    Ok(())
}

/// The values of the real-traffic samples (`tests/data/real`), when
/// present.
fn real_values() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for line in text.lines() {
            if let Ok(row) = serde_json::from_str::<serde_json::Value>(line) {
                if let Some(v) = row["value"].as_str() {
                    out.push(v.as_bytes().to_vec());
                }
            }
        }
    }
    out
}

/// Collects every key and value a parser emits.
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

/// Per-detector time over the keys and values of a JSON body
/// (`RASP_BENCH_JSON`, or a generated 1 MiB API payload).
pub fn detectors() -> Result<(), String> {
    let body = file_from("RASP_BENCH_JSON")?.map_or_else(|| json_doc(1 << 20), |(_, b)| b);
    let mut c = Collect(Vec::new());
    json::walk(Surface::Json, &body, 64, &mut c);
    let vals: Vec<Vec<u8>> = c.0.into_iter().filter(|v| !v.is_empty()).collect();
    let total: usize = vals.iter().map(Vec::len).sum();
    println!("{} values, {} bytes", vals.len(), total);
    let engine = Engine::from_json(b"{}").map_err(|e| e.to_string())?;
    let d = &engine.config().detectors;
    let ctx = ValueCtx::value(Surface::Json);
    macro_rules! one {
        ($name:literal, $det:expr) => {
            if let Some(det) = &$det {
                mbps($name, total, || {
                    for v in &vals {
                        black_box(det.detect(v, &ctx));
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
            black_box(normalize(v).flags);
        }
    });
    mbps("all (scan_value)", total, || {
        for v in &vals {
            d.scan_value(v, &ctx, &String::new, &mut |_, _, _, _| true);
        }
    });
    Ok(())
}

/// The slowest values for the command-injection detector, in ns per value
/// (`RASP_BENCH_VALUES`: one value per line, or the benign corpus values;
/// `RASP_TOP` of them, default 25).
pub fn cmdi_values() -> Result<(), String> {
    let values: Vec<String> = match file_from("RASP_BENCH_VALUES")? {
        Some((_, text)) => String::from_utf8_lossy(&text)
            .lines()
            .map(str::to_string)
            .collect(),
        None => benign_values()?,
    };
    let engine = Engine::from_json(b"{}").map_err(|e| e.to_string())?;
    let d = &engine.config().detectors;
    let ctx = ValueCtx::value(Surface::Json);
    let mut rows = Vec::new();
    for v in &values {
        let t = Instant::now();
        for _ in 0..2000 {
            if let Some(c) = &d.cmdi {
                black_box(c.detect(v.as_bytes(), &ctx));
            }
        }
        rows.push((t.elapsed().as_nanos() / 2000, v));
    }
    rows.sort();
    rows.reverse();
    let top = std::env::var("RASP_TOP")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    for (ns, v) in rows.iter().take(top) {
        println!("{ns:>6} ns  {v}");
    }
    Ok(())
}
