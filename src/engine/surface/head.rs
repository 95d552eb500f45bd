//! The request head: path, query, cookies and the configured headers.
//!
//! Locations: `path` (whole decoded path), `path:3` (a segment),
//! `path:jsessionid` (a matrix parameter), `query:q`, `query-key:q`,
//! `cookie:session`, `header:user-agent`. See [`super::path`],
//! [`super::query`] and [`super::cookie`] for each surface's rules.

use super::{cookie, path, query, Flow, Kind, Sink, Surface};
use crate::engine::config::InspectSettings;
use crate::engine::http::RequestHead;

/// Nesting bound for JSON documents embedded in head values (a `filter=`
/// parameter, a JSON cookie). A deeper document is inspected as a plain
/// value; no limit is reported for it.
pub const EMBEDDED_MAX_DEPTH: u32 = 64;

/// Extracts every inspected value of the request head into `sink`.
pub fn extract(head: &RequestHead, cfg: &InspectSettings, sink: &mut dyn Sink) -> Flow {
    if cfg.path && path::extract(head.path_only(), sink) == Flow::Stop {
        return Flow::Stop;
    }
    if cfg.query {
        if let Some(q) = head.query() {
            if query::extract(Surface::Query, q, EMBEDDED_MAX_DEPTH, sink) == Flow::Stop {
                return Flow::Stop;
            }
        }
    }
    if cfg.cookies {
        for c in head.header_all("cookie") {
            if cookie::extract(c, EMBEDDED_MAX_DEPTH, sink) == Flow::Stop {
                return Flow::Stop;
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

#[cfg(test)]
mod tests {
    use super::super::testing::Collect;
    use super::*;

    fn settings() -> InspectSettings {
        InspectSettings {
            path: true,
            query: true,
            cookies: true,
            headers: vec!["user-agent".into(), "referer".into()],
            ..InspectSettings::default()
        }
    }

    #[test]
    fn every_surface_with_its_location() {
        let head = RequestHead::new(
            "GET",
            "/shop/items/42?q=rock+%26+roll&sort=asc",
            vec![
                (
                    "Cookie".into(),
                    b"sid=abc; pref=%7B%22a%22%3A%22b%22%7D".to_vec(),
                ),
                ("cookie".into(), b"second=1".to_vec()),
                ("User-Agent".into(), b"curl/8.0".to_vec()),
                ("x-other".into(), b"not inspected".to_vec()),
            ],
        );
        let mut c = Collect::default();
        assert_eq!(extract(&head, &settings(), &mut c), Flow::Continue);
        let got: Vec<(String, String)> = c
            .located()
            .into_iter()
            .map(|(l, v)| (l, v.to_string()))
            .collect();
        let want: Vec<(String, String)> = [
            ("path", "/shop/items/42"),
            ("query:q", "rock & roll"),
            ("query:sort", "asc"),
            ("cookie:sid", "abc"),
            ("cookie:pref:$.a", "b"),
            ("cookie:second", "1"),
            ("header:user-agent", "curl/8.0"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn disabled_surfaces_are_skipped() {
        let head = RequestHead::new("GET", "/a?b=c", vec![("cookie".into(), b"d=e".to_vec())]);
        let mut cfg = settings();
        cfg.path = false;
        cfg.query = false;
        cfg.cookies = false;
        cfg.headers.clear();
        let mut c = Collect::default();
        extract(&head, &cfg, &mut c);
        assert!(c.items.is_empty());
    }
}
