//! Body dispatch: choose a parser from the content type, and check the
//! content agrees with it.
//!
//! | content type | parser | names |
//! |---|---|---|
//! | `application/x-www-form-urlencoded` | [`query`] | `form:user`, `form-key:user` |
//! | `application/json`, `*/json`, `*+json` | [`json`] | `json:$.user.name` |
//! | `multipart/*` | [`multipart`] | `multipart:bio`, `multipart:avatar:filename` |
//! | `application/xml`, `text/xml`, `*+xml` | [`xml`] | `xml:/root/user/@id` |
//! | `image/*`, `audio/*`, `video/*`, `font/*`, `application/grpc*` | skipped (not even buffered) | |
//! | anything else, or none | [`sniff`] | by what the body is; plain text as `body` |
//!
//! A declared type the content contradicts is not trusted (frameworks that
//! parse by content, or ignore the type, would read what the body is): a
//! "JSON" body that does not start like JSON, an "XML" one that does not
//! start with `<`, a "form" that starts with `{`, `[` or `<`, and a
//! multipart body without a usable boundary are all sniffed instead.
//!
//! **Invalid JSON** in a JSON body: everything before the syntax error has
//! been inspected structurally; the rest, from the error on, is inspected as
//! text (`body`). Lenient parsers (JSON5, comments, single quotes) may
//! accept what a strict one rejects, and an error must never be a way to
//! hide a payload; inspecting only the rest avoids running detectors twice
//! over the valid part and over JSON punctuation.
//!
//! ```
//! use envoy_rasp::engine::config::Limits;
//! use envoy_rasp::engine::surface::{body, testing::Collect};
//!
//! let limits = Limits::default();
//! let mut sink = Collect::default();
//! body::extract(Some(b"text/plain"), br#"{"q": "x"}"#, &limits, &mut sink);
//! assert_eq!(sink.located(), vec![("json:$.q".to_string(), "x")]);
//! ```

use super::media::{classify, BodyKind};
use super::sniff::{self, Sniffed};
use super::{json, multipart, query, xml, Flow, Kind, Sink, Surface};
use crate::engine::config::Limits;

/// Extracts the values of `body` into `sink`.
pub fn extract(
    content_type: Option<&[u8]>,
    body: &[u8],
    limits: &Limits,
    sink: &mut dyn Sink,
) -> Flow {
    let depth = limits.max_depth;
    let start = sniff::skip_bom_ws(body);
    match classify(content_type) {
        BodyKind::Skip => Flow::Continue,
        BodyKind::Form => {
            if matches!(start.first(), Some(b'{' | b'[' | b'<')) {
                return sniffed(body, depth, sink);
            }
            query::extract(Surface::Form, body, depth, sink)
        }
        BodyKind::Json => {
            let json_start = matches!(
                start.first(),
                Some(b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
            );
            if json_start {
                json_body(body, depth, sink)
            } else {
                sniffed(body, depth, sink)
            }
        }
        BodyKind::Xml => {
            if start.first() == Some(&b'<') {
                return xml_body(body, depth, sink);
            }
            // Declared XML that does not start with markup (`&xxe;`, text
            // before the root): the application's XML parser still reads
            // it, so the document detector does too, then the body is
            // parsed by what it is.
            let what = sniff::sniff(body);
            let markup = matches!(
                what,
                Sniffed::Xml | Sniffed::Markup | Sniffed::Empty | Sniffed::Binary
            );
            if !markup && sink.xml_document(Surface::Xml, b"", body) == Flow::Stop {
                return Flow::Stop;
            }
            parse_as(what, body, depth, sink)
        }
        BodyKind::Multipart => match content_type.and_then(multipart::boundary) {
            Some(b) => multipart::walk(&b, body, depth, sink),
            None => sniffed(body, depth, sink),
        },
        BodyKind::Sniff => sniffed(body, depth, sink),
    }
}

/// A body parsed by what it is.
fn sniffed(body: &[u8], depth: u32, sink: &mut dyn Sink) -> Flow {
    parse_as(sniff::sniff(body), body, depth, sink)
}

/// A body parsed as `what` (the result of sniffing it).
fn parse_as(what: Sniffed<'_>, body: &[u8], depth: u32, sink: &mut dyn Sink) -> Flow {
    match what {
        Sniffed::Empty | Sniffed::Binary => Flow::Continue,
        Sniffed::Json => json_body(body, depth, sink),
        Sniffed::Xml => xml_body(body, depth, sink),
        Sniffed::Markup => {
            if sink.xml_document(Surface::Xml, b"", body) == Flow::Stop {
                return Flow::Stop;
            }
            sink.value(Surface::Body, b"", body, Kind::Value)
        }
        Sniffed::Form => query::extract(Surface::Form, body, depth, sink),
        Sniffed::Multipart(b) => multipart::walk(b, body, depth, sink),
        Sniffed::Text => sink.value(Surface::Body, b"", body, Kind::Value),
    }
}

fn json_body(body: &[u8], depth: u32, sink: &mut dyn Sink) -> Flow {
    let w = json::walk(Surface::Json, body, depth, sink);
    if w.flow == Flow::Stop {
        return Flow::Stop;
    }
    match w.error.and_then(|at| body.get(at..)) {
        Some(rest) => sink.value(Surface::Body, b"", rest, Kind::Value),
        None => Flow::Continue,
    }
}

fn xml_body(body: &[u8], depth: u32, sink: &mut dyn Sink) -> Flow {
    if sink.xml_document(Surface::Xml, b"", body) == Flow::Stop {
        return Flow::Stop;
    }
    xml::walk(Surface::Xml, b"", body, depth, sink)
}

#[cfg(test)]
mod tests {
    use super::super::testing::Collect;
    use super::super::Limit;
    use super::*;

    fn run(ct: Option<&str>, body: &[u8]) -> Collect {
        let limits = Limits::default();
        let mut c = Collect::default();
        extract(ct.map(str::as_bytes), body, &limits, &mut c);
        c
    }

    fn located(c: &Collect) -> Vec<(String, String)> {
        c.located()
            .into_iter()
            .map(|(l, v)| (l, v.to_string()))
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn declared_types() {
        let c = run(Some("application/x-www-form-urlencoded"), b"a=1&b=%3Cx%3E");
        assert_eq!(located(&c), pairs(&[("form:a", "1"), ("form:b", "<x>")]));
        let c = run(Some("application/json"), br#"{"a": ["x"]}"#);
        assert_eq!(located(&c), pairs(&[("json:$.a[0]", "x")]));
        let c = run(Some("application/xml"), b"<a><b c='1'>t</b></a>");
        assert_eq!(
            located(&c),
            pairs(&[("xml:/a/b/@c", "1"), ("xml:/a/b", "t")])
        );
        assert_eq!(c.docs.len(), 1);
        let c = run(
            Some("multipart/form-data; boundary=\"b\""),
            b"--b\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--b--",
        );
        assert_eq!(located(&c), pairs(&[("multipart:n", "v")]));
        assert!(run(Some("image/png"), b"<script>").items.is_empty());
    }

    #[test]
    fn invalid_json_rest_is_text() {
        let c = run(Some("application/json"), br#"{"a": "ok", "b": 'x' OR 1=1}"#);
        assert_eq!(
            located(&c),
            pairs(&[("json:$.a", "ok"), ("body", "'x' OR 1=1}")])
        );
        // Truncated (partial inspection): no text fallback.
        let c = run(Some("application/json"), br#"{"a": "ok", "b": "cut"#);
        assert_eq!(
            located(&c),
            pairs(&[("json:$.a", "ok"), ("json:$.b", "cut")])
        );
    }

    #[test]
    fn disagreeing_and_missing_types_are_sniffed() {
        let c = run(Some("text/plain"), br#"{"q": "x"}"#);
        assert_eq!(located(&c), pairs(&[("json:$.q", "x")]));
        let c = run(None, b"a=1&b=2");
        assert_eq!(located(&c), pairs(&[("form:a", "1"), ("form:b", "2")]));
        let c = run(Some("application/json"), b"a=1&b=2");
        assert_eq!(located(&c), pairs(&[("form:a", "1"), ("form:b", "2")]));
        let c = run(Some("application/x-www-form-urlencoded"), br#"{"q": "x"}"#);
        assert_eq!(located(&c), pairs(&[("json:$.q", "x")]));
        let c = run(Some("application/xml"), br#"{"q": "x"}"#);
        assert_eq!(located(&c), pairs(&[("json:$.q", "x")]));
        let c = run(None, b"<?xml version='1.0'?><a>t</a>");
        assert_eq!(located(&c), pairs(&[("xml:/a", "t")]));
        let c = run(Some("text/html"), b"<img src=x onerror=alert(1)>");
        assert_eq!(
            located(&c),
            pairs(&[("body", "<img src=x onerror=alert(1)>")])
        );
        assert_eq!(c.docs.len(), 1);
        let c = run(
            Some("multipart/form-data"),
            b"--zz\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--zz--",
        );
        assert_eq!(located(&c), pairs(&[("multipart:n", "v")]));
        let c = run(
            None,
            b"--zz\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--zz--",
        );
        assert_eq!(located(&c), pairs(&[("multipart:n", "v")]));
        let c = run(Some("text/plain"), b"hello ' world");
        assert_eq!(located(&c), pairs(&[("body", "hello ' world")]));
        assert!(run(None, b"\x1f\x8b\x08\x00binary\x00").items.is_empty());
        assert!(run(None, b"   ").items.is_empty());
    }

    #[test]
    fn graphql_over_json() {
        let c = run(
            Some("application/json"),
            br#"{"query":"query($id: ID!){ user(id: $id){ name } }","variables":{"id":"1 UNION SELECT"}}"#,
        );
        assert_eq!(
            located(&c),
            pairs(&[
                ("json:$.query", "query($id: ID!){ user(id: $id){ name } }"),
                ("json:$.variables.id", "1 UNION SELECT"),
            ])
        );
    }

    #[test]
    fn depth_limits_reach_the_sink() {
        let deep = "[".repeat(100);
        assert_eq!(
            run(Some("application/json"), deep.as_bytes()).limits,
            vec![Limit::Depth]
        );
        let deep = "<a>".repeat(100);
        assert_eq!(
            run(Some("text/xml"), deep.as_bytes()).limits,
            vec![Limit::Depth]
        );
    }

    /// The whole pipeline (inspector included) renders the locations.
    #[test]
    fn locations_through_the_engine() {
        use crate::engine::{Engine, RequestHead};
        let engine = Engine::from_json(
            br#"{"mode": "monitor", "custom_rules": [{"id": "evil", "patterns": ["(?i)evil"]}],
                 "inspect": {"headers": ["x-test"]}}"#,
        )
        .unwrap();
        let run = |path: &str, headers: Vec<(&str, &[u8])>, body: Option<&[u8]>| {
            let head = RequestHead::new(
                "POST",
                path,
                headers
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_vec()))
                    .collect(),
            );
            let mut tx = engine.begin(head);
            tx.on_headers(body.is_none());
            if let Some(b) = body {
                tx.on_body(b);
            }
            let mut locs: Vec<String> = tx.findings().iter().map(|f| f.location.clone()).collect();
            locs.sort();
            locs
        };
        assert_eq!(
            run(
                "/a/EVIL%20x;m=evil?q=evil&evil=1&q=x",
                vec![("cookie", b"s=evil; evil=1"), ("x-test", b"evil")],
                None
            ),
            vec![
                "cookie-key:evil",
                "cookie:s",
                "header:x-test",
                "path",
                "path:2",
                "path:m",
                "query-key:evil",
                "query:q",
            ]
        );
        assert_eq!(
            run(
                "/j",
                vec![("content-type", b"application/json")],
                Some(br#"{"user": {"name": "evil", "evil": 1}, "list": [1, "\u0065vil"]}"#)
            ),
            vec!["json-key:$.user.evil", "json:$.list[1]", "json:$.user.name"]
        );
        assert_eq!(
            run(
                "/m",
                vec![("content-type", b"multipart/form-data; boundary=b")],
                Some(
                    b"--b\r\nContent-Disposition: form-data; name=\"bio\"\r\n\r\nevil\r\n\
--b\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"a\": \"evil\"}\r\n\
--b\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"evil.png\"\r\n\r\nPNG\r\n--b--"
                )
            ),
            vec!["multipart:avatar:filename", "multipart:bio", "multipart:meta:$.a"]
        );
        assert_eq!(
            run(
                "/x",
                vec![("content-type", b"text/xml")],
                Some(b"<r id='evil'><n>&#101;vil</n></r>")
            ),
            vec!["xml:/r/@id", "xml:/r/n"]
        );
        assert_eq!(
            run("/t", vec![], Some(b"just some evil text")),
            vec!["body"]
        );
        // `+` is a space in a second URL-encoding layer of a query value.
        let e2 = Engine::from_json(br#"{"custom_rules": [{"id": "s", "patterns": ["or 1=1"]}]}"#)
            .unwrap();
        let mut tx = e2.begin(RequestHead::new("GET", "/?q=1%27%2Bor%2B1%253D1", vec![]));
        assert!(tx.on_headers(true).is_block());
    }

    /// Mutated samples of every format under every content type: no panic
    /// (debug build: arithmetic overflow would panic too), bounded time.
    #[test]
    fn fuzz_all_parsers_never_panic() {
        crate::testing::hang_guard("body: fuzz inputs", || {
            let samples: [&[u8]; 6] = [
            br#"{"a": [1, "x\u00e9\"", {"b": null}], "c": "{\"d\": [\"e\"]}"}"#,
            b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e 'x'>]><r a='1'><![CDATA[c]]><!-- k --><s>&lt;&#x41;</s></r>",
            b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''a%20b\r\nContent-Type: application/json\r\n\r\n{\"k\": \"v\"}\r\n--b--",
            b"a=1&a=%27&b[]=x&c=%7B%22k%22%3A%22v%22%7D",
            b"plain text with ' and < and %2527",
            b"\x00\x01\xff\xfe",
        ];
            let cts: [Option<&[u8]>; 7] = [
                None,
                Some(b"application/json"),
                Some(b"text/xml"),
                Some(b"multipart/form-data; boundary=b"),
                Some(b"multipart/form-data"),
                Some(b"application/x-www-form-urlencoded"),
                Some(b"text/plain"),
            ];
            let limits = crate::engine::config::Limits {
                max_depth: 8,
                ..Default::default()
            };
            let mut seed = 0x1234_5678_9abc_def0u64;
            let mut next = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            for round in 0..6000 {
                let mut body = samples[round % samples.len()].to_vec();
                for _ in 0..(next() % 6) {
                    let r = next();
                    let at = (r >> 8) as usize % (body.len() + 1);
                    match r % 4 {
                        0 if at < body.len() => body[at] = (r >> 40) as u8,
                        1 => {
                            let pool = b"{[<\"'&%\\-\r\n";
                            body.insert(at, pool[(r >> 32) as usize % pool.len()]);
                        }
                        2 if at < body.len() => {
                            body.remove(at);
                        }
                        _ => body.truncate(at),
                    }
                }
                for ct in cts {
                    let mut c = Collect::default();
                    let _ = extract(ct, &body, &limits, &mut c);
                    for n in c.items.iter().map(|i| i.value.as_bytes()) {
                        let r = crate::engine::decode::normalize(n);
                        assert!(r.bytes.len() <= n.len());
                    }
                }
            }
        });
    }
}
