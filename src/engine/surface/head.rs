//! The request head: path, query, cookies and the configured headers.

use super::{query, Flow, Kind, Sink, Surface};
use crate::engine::config::InspectSettings;
use crate::engine::decode::percent_decode;
use crate::engine::http::RequestHead;

/// Extracts every inspected value of the request head into `sink`.
pub fn extract(head: &RequestHead, cfg: &InspectSettings, sink: &mut dyn Sink) -> Flow {
    if cfg.path {
        let path = percent_decode(head.path_only(), false);
        if sink.value(Surface::Path, b"", &path, Kind::Value) == Flow::Stop {
            return Flow::Stop;
        }
    }
    if cfg.query {
        if let Some(q) = head.query() {
            let mut flow = Flow::Continue;
            query::for_each_pair(q, |k, v| {
                flow = sink.value(Surface::Query, &k, &k, Kind::Key);
                if flow == Flow::Continue {
                    flow = sink.value(Surface::Query, &k, &v, Kind::Value);
                }
                flow == Flow::Continue
            });
            if flow == Flow::Stop {
                return Flow::Stop;
            }
        }
    }
    if cfg.cookies {
        for cookie in head.header_all("cookie") {
            for pair in cookie.split(|&b| b == b';') {
                let pair = trim(pair);
                if pair.is_empty() {
                    continue;
                }
                let (k, v) = match pair.iter().position(|&b| b == b'=') {
                    Some(i) => (
                        pair.get(..i).unwrap_or_default(),
                        pair.get(i + 1..).unwrap_or_default(),
                    ),
                    None => (&b""[..], pair),
                };
                let v = percent_decode(trim(v), false);
                if sink.value(Surface::Cookie, trim(k), &v, Kind::Value) == Flow::Stop {
                    return Flow::Stop;
                }
            }
        }
    }
    for name in &cfg.headers {
        for v in head.header_all(name) {
            if sink.value(Surface::Header, name.as_bytes(), v, Kind::Value) == Flow::Stop {
                return Flow::Stop;
            }
        }
    }
    Flow::Continue
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map(|i| i + 1)
        .unwrap_or(start);
    v.get(start..end).unwrap_or_default()
}
