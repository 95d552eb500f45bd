//! The parsers and the engine on large bodies, in MB/s: `parsers` (each
//! push parser into a counting sink, serde_json as the baseline, the
//! normaliser), `json_only` and `engine_bodies` (whole POST requests).

use std::hint::black_box;

use envoy_rasp::engine::decode::normalize;
use envoy_rasp::engine::surface::{
    json, multipart, xml, FilePart, Flow, Kind, Limit, Sink, Surface,
};
use envoy_rasp::engine::{Engine, RequestHead};

use crate::docs::{json_doc, multipart_doc, xml_doc, BOUNDARY};
use crate::measure::{cycle, mbps};

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

fn json_walk(j: &[u8]) {
    mbps("json walk 1 MiB (count sink)", j.len(), || {
        let mut c = Count::default();
        json::walk(Surface::Json, j, 64, &mut c);
        black_box((c.acc, c.values, c.bytes));
    });
}

pub fn parsers() -> Result<(), String> {
    let j = json_doc(1 << 20);
    json_walk(&j);
    mbps("baseline: serde_json IgnoredAny 1 MiB", j.len(), || {
        let r: Result<serde::de::IgnoredAny, _> = serde_json::from_slice(&j);
        black_box(r.is_ok());
    });
    mbps("baseline: serde_json Value 1 MiB", j.len(), || {
        let r: Result<serde_json::Value, _> = serde_json::from_slice(&j);
        black_box(r.is_ok());
    });
    let x = xml_doc(1 << 20);
    mbps("xml walk 1 MiB (count sink)", x.len(), || {
        let mut c = Count::default();
        xml::walk(Surface::Xml, b"", &x, 64, &mut c);
        black_box(c.acc);
    });
    let m = multipart_doc(1 << 20, 10);
    mbps("multipart 1 MiB file + 10 fields", m.len(), || {
        let mut c = Count::default();
        multipart::walk(BOUNDARY, &m, 64, &mut c);
        black_box(c.acc);
    });
    let m = multipart_doc(0, 20_000);
    mbps("multipart 20,000 small fields", m.len(), || {
        let mut c = Count::default();
        multipart::walk(BOUNDARY, &m, 64, &mut c);
        black_box(c.acc);
    });
    let plain = cycle(
        b"The quick brown fox jumps over the lazy dog 0123456789 ",
        1 << 20,
    );
    mbps(
        "normalize 1 MiB plain ASCII (borrowed)",
        plain.len(),
        || {
            black_box(normalize(&plain).flags);
        },
    );
    let utf = cycle("Größe café 你好 naïve – “quoted” ".as_bytes(), 1 << 20);
    mbps("normalize 1 MiB UTF-8 text (borrowed)", utf.len(), || {
        black_box(normalize(&utf).flags);
    });
    let enc = cycle(b"name%3D%27x%27%20and%20&lt;b&gt; ", 1 << 20);
    mbps("normalize 1 MiB dense escapes", enc.len(), || {
        black_box(normalize(&enc).flags);
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
                black_box(normalize(v).flags);
            }
        }
    });
    Ok(())
}

pub fn json_only() -> Result<(), String> {
    json_walk(&json_doc(1 << 20));
    Ok(())
}

pub fn engine_bodies() -> Result<(), String> {
    let engine = Engine::from_json(br#"{"limits": {"max_params": 100000000}}"#)
        .map_err(|e| e.to_string())?;
    let multipart_type = format!(
        "multipart/form-data; boundary={}",
        String::from_utf8_lossy(BOUNDARY)
    );
    for (label, ct, body) in [
        ("engine json 1 MiB", "application/json", json_doc(1 << 20)),
        ("engine xml 1 MiB", "application/xml", xml_doc(1 << 20)),
        (
            "engine multipart 1 MiB file",
            multipart_type.as_str(),
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
            black_box(v);
        });
    }
    Ok(())
}
