//! Property tests of the engine's invariants, with a tiny deterministic
//! PRNG (no dependency): thousands of generated inputs per property, the
//! same ones on every run. They use only the engine's stable entry points
//! (`decode::{normalize, percent_decode}`, `http::{decode_header_map,
//! parse_http1}`, `surface::{head, body}::extract` with a recording
//! [`Sink`], `Engine::begin`), so they hold whatever the parsers and
//! detectors look like inside.
//!
//! * decoding never grows a value, and normalising again and again reaches
//!   a fixed point (idempotent once stable); `k ≤ 4` layers of
//!   percent-encoding over a plain value are all peeled;
//! * surface parsers never emit a value longer than their input, nor more
//!   output or more calls than linear in it, and stop when told to;
//! * no input depth can overflow the stack (100 000-deep JSON and XML, in a
//!   thread with a small stack);
//! * the parameter limit is exact: `max_params` values pass, one more is a
//!   400;
//! * the header-map decoder never panics, round-trips what it encodes and
//!   refuses every truncation it cannot read.

use std::borrow::Cow;

use envoy_rasp::engine::config::Config;
use envoy_rasp::engine::decode::{normalize, percent_decode};
use envoy_rasp::engine::http::{decode_header_map, parse_http1, RequestHead};
use envoy_rasp::engine::surface::{self, FilePart, Flow, Kind, Limit, Sink, Surface};
use envoy_rasp::engine::{Engine, Verdict};
use envoy_rasp::testing::hang_guard;

/// SplitMix64: small, fast, good enough to generate test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Pieces that exercise every decoder: escapes valid and broken, entities,
/// backslash escapes, overlong and fullwidth UTF-8, NUL, stray bytes.
const PIECES: &[&[u8]] = &[
    b"%",
    b"%2",
    b"%25",
    b"%27",
    b"%2527",
    b"%252527",
    b"%zz",
    b"%u0027",
    b"%uD83D%uDE00",
    b"%c0%af",
    b"%e0%80%ae",
    b"&#39;",
    b"&#x27",
    b"&#x0000000027;",
    b"&lt;",
    b"&lt",
    b"&amp;lt;",
    b"&colon;",
    b"\\u0027",
    b"\\u{27}",
    b"\\x27",
    b"\\\\",
    b"\\",
    b"\0",
    b"\xff",
    b"\xc0\xaf",
    b"\xef\xbc\x9c",
    b"\xe2\x80",
    b"a",
    b"Z",
    b"'",
    b" ",
    b"+",
    b"/",
    b"..",
    b"<",
    b";",
    b"2",
    b"5",
    b"&",
    b"#",
    b"=",
];

fn encoded_value(rng: &mut Rng, max_pieces: usize) -> Vec<u8> {
    let n = rng.below(max_pieces + 1);
    let mut v = Vec::new();
    for _ in 0..n {
        v.extend_from_slice(rng.pick(PIECES));
    }
    v
}

fn percent_encode_all(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 3);
    for &b in v {
        out.extend_from_slice(format!("%{b:02X}").as_bytes());
    }
    out
}

// ------------------------------------------------------------ decoding

#[test]
fn percent_decode_never_grows_and_round_trips() {
    let mut rng = Rng(1);
    for _ in 0..20_000 {
        let v = if rng.below(2) == 0 {
            encoded_value(&mut rng, 24)
        } else {
            rng.bytes(64)
        };
        for plus in [false, true] {
            assert!(percent_decode(&v, plus).len() <= v.len(), "{v:?}");
        }
        // Encoding every byte and decoding gives the bytes back.
        assert_eq!(&*percent_decode(&percent_encode_all(&v), false), &v[..]);
    }
}

#[test]
fn normalize_stabilises_and_is_then_idempotent() {
    let mut rng = Rng(2);
    let mut longest_chain = 0;
    for _ in 0..20_000 {
        let v = if rng.below(4) == 0 {
            rng.bytes(48)
        } else {
            encoded_value(&mut rng, 24)
        };
        let mut cur = v.clone();
        let mut rounds = 0;
        loop {
            let next = normalize(&cur).bytes.into_owned();
            assert!(
                next.len() <= cur.len(),
                "normalize grew {cur:?} into {next:?}"
            );
            if next == cur {
                break;
            }
            cur = next;
            rounds += 1;
            // Every round that changes the value shrinks it.
            assert!(rounds <= v.len(), "normalize does not stabilise on {v:?}");
        }
        longest_chain = longest_chain.max(rounds);
        // Stable means stable: once more changes nothing.
        assert_eq!(normalize(&cur).bytes.as_ref(), &cur[..]);
    }
    assert!(longest_chain >= 1);
}

#[test]
fn normalize_peels_up_to_four_layers_of_percent_encoding() {
    let mut rng = Rng(3);
    // Plain values: nothing any decoder reads as an escape.
    let alphabet: &[u8] = b"abcXYZ019 '\"<>()/.;:=+-_*|$!?,";
    for _ in 0..5_000 {
        let n = 1 + rng.below(12);
        let v: Vec<u8> = (0..n).map(|_| rng.pick(alphabet)).collect();
        let plain = normalize(&v);
        assert!(
            matches!(plain.bytes, Cow::Borrowed(_)),
            "a value with nothing to decode must not be copied: {v:?}"
        );
        assert_eq!(&*plain.bytes, &v[..]);
        let mut enc = v.clone();
        for layers in 1..=4 {
            enc = percent_encode_all(&enc);
            assert_eq!(
                &*normalize(&enc).bytes,
                &v[..],
                "{layers} layers over {:?}",
                String::from_utf8_lossy(&v)
            );
        }
    }
}

// ------------------------------------------------------------ surfaces

/// A sink that checks what the parsers hand it.
struct Rec {
    bound: usize,
    calls: usize,
    emitted: usize,
    stop_after: usize,
    stopped: bool,
    limits: Vec<Limit>,
}

impl Rec {
    fn new(bound: usize, stop_after: usize) -> Rec {
        Rec {
            bound,
            calls: 0,
            emitted: 0,
            stop_after,
            stopped: false,
            limits: Vec::new(),
        }
    }

    fn got(&mut self, what: &str, len: usize) -> Flow {
        assert!(!self.stopped, "{what} after the sink said Stop");
        assert!(
            len <= self.bound,
            "{what} of {len} bytes from {} bytes of input",
            self.bound
        );
        self.calls += 1;
        self.emitted += len;
        assert!(
            self.calls <= 4 * self.bound + 16,
            "{} calls for {} bytes",
            self.calls,
            self.bound
        );
        assert!(
            self.emitted <= 16 * self.bound + 1024,
            "{} bytes emitted for {} bytes",
            self.emitted,
            self.bound
        );
        if self.calls >= self.stop_after {
            self.stopped = true;
            return Flow::Stop;
        }
        Flow::Continue
    }
}

impl Sink for Rec {
    fn value(&mut self, _s: Surface, _name: &[u8], value: &[u8], _k: Kind) -> Flow {
        self.got("value", value.len())
    }

    fn xml_document(&mut self, _s: Surface, _name: &[u8], doc: &[u8]) -> Flow {
        self.got("xml document", doc.len())
    }

    fn file(&mut self, part: &FilePart<'_>) -> Flow {
        assert!(part.filename.len() <= self.bound);
        self.got("file", part.content.len())
    }

    fn limit(&mut self, limit: Limit) -> Flow {
        assert!(!self.stopped, "limit after the sink said Stop");
        self.limits.push(limit);
        self.stopped = true;
        Flow::Stop
    }
}

fn inspect_config() -> Config {
    Config::from_json(
        br#"{"inspect": {"headers": ["user-agent", "referer", "x-forwarded-for"], "file_contents": true}}"#,
    )
    .expect("test configuration")
}

fn random_head(rng: &mut Rng) -> (RequestHead, usize) {
    let mut path = b"/".to_vec();
    for _ in 0..rng.below(4) {
        path.extend(encoded_value(rng, 4));
        path.push(if rng.below(5) == 0 { b';' } else { b'/' });
    }
    if rng.below(4) != 0 {
        path.push(b'?');
        for i in 0..rng.below(12) {
            if i > 0 {
                path.push(rng.pick(b"&&;"));
            }
            path.extend(encoded_value(rng, 3));
            if rng.below(4) != 0 {
                path.push(b'=');
                path.extend(encoded_value(rng, 6));
            }
        }
    }
    let mut headers = Vec::new();
    for _ in 0..rng.below(4) {
        let name = rng.pick(&[
            "cookie",
            "user-agent",
            "referer",
            "x-forwarded-for",
            "x-other",
        ]);
        let value = if rng.below(3) == 0 {
            rng.bytes(40)
        } else {
            let mut v = Vec::new();
            for _ in 0..rng.below(5) {
                v.extend(encoded_value(rng, 2));
                v.push(b'=');
                v.extend(encoded_value(rng, 4));
                v.extend_from_slice(rng.pick(&[&b"; "[..], b";", b" ;  "]));
            }
            v
        };
        headers.push((name.to_string(), value));
    }
    let total = path.len() + headers.iter().map(|(_, v)| v.len()).sum::<usize>();
    (
        RequestHead {
            method: "GET".into(),
            path,
            authority: b"example.com".to_vec(),
            headers,
        },
        total,
    )
}

#[test]
fn head_parsers_emit_values_bounded_by_the_request() {
    let cfg = inspect_config();
    let mut rng = Rng(4);
    for i in 0..10_000 {
        let (head, total) = random_head(&mut rng);
        let stop_after = if i % 3 == 0 {
            1 + rng.below(6)
        } else {
            usize::MAX
        };
        let mut rec = Rec::new(total, stop_after);
        surface::head::extract(&head, &cfg.inspect, &mut rec);
    }
}

/// Structured bodies with random values, then sometimes truncated or with a
/// few bytes flipped.
fn random_body(rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    let kind = rng.below(5);
    let (ct, mut body): (Vec<u8>, Vec<u8>) = match kind {
        0 => {
            let mut b = Vec::new();
            for i in 0..rng.below(10) {
                if i > 0 {
                    b.push(b'&');
                }
                b.extend(encoded_value(rng, 3));
                b.push(b'=');
                b.extend(encoded_value(rng, 6));
            }
            (b"application/x-www-form-urlencoded".to_vec(), b)
        }
        1 => {
            let mut b = Vec::new();
            json_value(rng, &mut b, 0);
            (b"application/json".to_vec(), b)
        }
        2 => {
            let boundary = format!("b{}", rng.below(1000));
            let mut b = Vec::new();
            for _ in 0..rng.below(4) {
                b.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                b.extend_from_slice(b"Content-Disposition: form-data; name=\"");
                b.extend(encoded_value(rng, 2));
                b.push(b'"');
                if rng.below(2) == 0 {
                    b.extend_from_slice(b"; filename=\"");
                    b.extend(encoded_value(rng, 3));
                    b.extend_from_slice(b".php\"\r\nContent-Type: ");
                    b.extend_from_slice(rng.pick(&[
                        &b"text/xml"[..],
                        b"application/json",
                        b"image/png",
                    ]));
                }
                b.extend_from_slice(b"\r\n\r\n");
                b.extend(encoded_value(rng, 8));
                b.extend_from_slice(b"\r\n");
            }
            if rng.below(3) != 0 {
                b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            }
            (
                format!("multipart/form-data; boundary={boundary}").into_bytes(),
                b,
            )
        }
        3 => {
            let mut b = b"<?xml version=\"1.0\"?>".to_vec();
            xml_element(rng, &mut b, 0);
            (b"application/xml".to_vec(), b)
        }
        _ => (Vec::new(), rng.bytes(200)),
    };
    match rng.below(4) {
        0 if !body.is_empty() => body.truncate(rng.below(body.len())),
        1 => {
            for _ in 0..3 {
                if !body.is_empty() {
                    let i = rng.below(body.len());
                    body[i] = rng.next() as u8;
                }
            }
        }
        _ => {}
    }
    (ct, body)
}

fn json_value(rng: &mut Rng, out: &mut Vec<u8>, depth: usize) {
    match if depth > 5 { 3 } else { rng.below(5) } {
        0 => {
            out.push(b'{');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(b',');
                }
                json_string(rng, out);
                out.push(b':');
                json_value(rng, out, depth + 1);
            }
            out.push(b'}');
        }
        1 => {
            out.push(b'[');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(b',');
                }
                json_value(rng, out, depth + 1);
            }
            out.push(b']');
        }
        2 => out.extend_from_slice(rng.pick(&[&b"true"[..], b"null", b"-1.5e3", b"0"])),
        _ => json_string(rng, out),
    }
}

fn json_string(rng: &mut Rng, out: &mut Vec<u8>) {
    out.push(b'"');
    for _ in 0..rng.below(6) {
        let piece: &[u8] = rng.pick(&[
            &b"a"[..],
            b"\\\"",
            b"\\u0027",
            b"\\ud83d\\ude00",
            b"\\ud800",
            b"\\n",
            b"\\\\",
            b"'",
            b"%27",
            b"\xff",
        ]);
        out.extend_from_slice(piece);
    }
    out.push(b'"');
}

fn xml_element(rng: &mut Rng, out: &mut Vec<u8>, depth: usize) {
    out.extend_from_slice(b"<e a=\"");
    out.extend(encoded_value(rng, 3));
    out.extend_from_slice(b"\">");
    for _ in 0..if depth > 4 { 0 } else { rng.below(3) } {
        match rng.below(3) {
            0 => xml_element(rng, out, depth + 1),
            1 => {
                out.extend_from_slice(b"<![CDATA[");
                out.extend(encoded_value(rng, 4));
                out.extend_from_slice(b"]]>");
            }
            _ => out.extend(encoded_value(rng, 4)),
        }
    }
    out.extend_from_slice(b"</e>");
}

#[test]
fn body_parsers_emit_values_bounded_by_the_body() {
    let cfg = inspect_config();
    let mut rng = Rng(5);
    for i in 0..10_000 {
        let (ct, body) = random_body(&mut rng);
        let stop_after = if i % 3 == 0 {
            1 + rng.below(6)
        } else {
            usize::MAX
        };
        let mut rec = Rec::new(body.len(), stop_after);
        let ct = if ct.is_empty() { None } else { Some(&ct[..]) };
        surface::body::extract(ct, &body, &cfg.limits, &mut rec);
    }
}

/// Runs `f` in a thread with a 256 KiB stack: recursion driven by input
/// depth overflows it (and aborts the test binary) long before 100 000
/// levels.
fn small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic");
}

#[test]
fn deep_nesting_cannot_overflow_the_stack() {
    small_stack(|| {
        let cfg = inspect_config();
        let n = 100_000;
        let docs: Vec<(&[u8], Vec<u8>)> = vec![
            (b"application/json", [vec![b'['; n], vec![b']'; n]].concat()),
            (b"application/json", b"{\"a\":".repeat(n)),
            (b"application/xml", b"<a>".repeat(n)),
            (
                b"application/xml",
                [b"<a>".repeat(n), b"</a>".repeat(n)].concat(),
            ),
            (
                b"multipart/form-data; boundary=x",
                b"--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n".repeat(n / 10),
            ),
        ];
        for (ct, body) in &docs {
            let mut rec = Rec::new(body.len(), usize::MAX);
            surface::body::extract(Some(ct), body, &cfg.limits, &mut rec);
        }
        // And through the whole pipeline.
        let engine = Engine::new(inspect_config());
        for (ct, body) in docs {
            let mut tx = engine.begin(RequestHead::new(
                "POST",
                "/",
                vec![("content-type".into(), ct.to_vec())],
            ));
            if tx.on_headers(false) == Verdict::NeedBody {
                let _ = tx.on_body(&body);
            }
        }
    });
}

#[test]
fn depth_within_the_limit_is_never_reported() {
    let cfg = Config::from_json(br#"{"limits": {"max_depth": 8}}"#).expect("config");
    for depth in 1..=8 {
        let json = [vec![b'['; depth], b"1".to_vec(), vec![b']'; depth]].concat();
        let mut rec = Rec::new(json.len(), usize::MAX);
        surface::body::extract(Some(b"application/json"), &json, &cfg.limits, &mut rec);
        assert!(rec.limits.is_empty(), "depth {depth} reported as too deep");
        let mut xml = b"<r>".repeat(depth);
        xml.extend(b"</r>".repeat(depth));
        let mut rec = Rec::new(xml.len(), usize::MAX);
        surface::body::extract(Some(b"application/xml"), &xml, &cfg.limits, &mut rec);
        assert!(
            rec.limits.is_empty(),
            "xml depth {depth} reported as too deep"
        );
    }
}

#[test]
fn parameter_limit_is_exact() {
    let mut rng = Rng(6);
    for _ in 0..200 {
        let max = 1 + rng.below(50);
        let engine =
            Engine::from_json(format!(r#"{{"limits": {{"max_params": {max}}}}}"#).as_bytes())
                .expect("config");
        for (n, allowed) in [
            (max, true),
            (max + 1, false),
            (max + 1 + rng.below(100), false),
        ] {
            let q: Vec<String> = (0..n).map(|i| format!("p{i}=v{i}")).collect();
            let mut tx = engine.begin(RequestHead::new(
                "GET",
                &format!("/?{}", q.join("&")),
                vec![],
            ));
            let v = tx.on_headers(true);
            if allowed {
                assert_eq!(v, Verdict::Allow, "{n} params with max_params {max}");
            } else {
                assert_eq!(
                    v.reply().map(|r| r.status),
                    Some(400),
                    "{n} params with max_params {max}"
                );
            }
            // The same as a form body.
            let mut tx = engine.begin(RequestHead::new(
                "POST",
                "/",
                vec![(
                    "content-type".into(),
                    b"application/x-www-form-urlencoded".to_vec(),
                )],
            ));
            assert_eq!(tx.on_headers(false), Verdict::NeedBody);
            let v = tx.on_body(q.join("&").as_bytes());
            assert_eq!(v.reply().map(|r| r.status), (!allowed).then_some(400));
        }
    }
}

// ------------------------------------------------------------ http

fn encode_map(pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = (pairs.len() as u32).to_le_bytes().to_vec();
    for (k, v) in pairs {
        out.extend_from_slice(&(k.len() as u32).to_le_bytes());
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
    }
    for (k, v) in pairs {
        out.extend_from_slice(k);
        out.push(0);
        out.extend_from_slice(v);
        out.push(0);
    }
    out
}

#[test]
fn header_map_decode_never_panics_and_round_trips() {
    hang_guard("header map decoding", || {
        let mut rng = Rng(7);
        for _ in 0..20_000 {
            // Random bytes, including huge counts and lengths.
            let junk = rng.bytes(64);
            if let Some(pairs) = decode_header_map(&junk) {
                let total: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
                assert!(total <= junk.len());
            }
            // A valid encoding round-trips; every truncation and a corrupted
            // copy decode to something bounded or to None, never a panic.
            let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..rng.below(6))
                .map(|_| (rng.bytes(12), rng.bytes(24)))
                .collect();
            let enc = encode_map(&pairs);
            assert_eq!(decode_header_map(&enc), Some(pairs.clone()));
            let cut = rng.below(enc.len());
            if let Some(p) = decode_header_map(&enc[..cut]) {
                assert!(p.len() <= pairs.len());
            }
            let mut bad = enc.clone();
            let i = rng.below(bad.len());
            bad[i] = rng.next() as u8;
            if let Some(p) = decode_header_map(&bad) {
                let total: usize = p.iter().map(|(k, v)| k.len() + v.len()).sum();
                assert!(total <= bad.len());
                let _ = RequestHead::from_pairs(p);
            }
        }
    });
}

#[test]
fn raw_http1_parser_never_panics() {
    hang_guard("raw HTTP/1 parsing", || {
        let mut rng = Rng(8);
        let pieces: &[&[u8]] = &[
            b"GET ",
            b"POST ",
            b"/a?b=c",
            b" HTTP/1.1",
            b"\r\n",
            b"\n",
            b"Host: x",
            b"Transfer-Encoding: chunked",
            b"Content-Length: 5",
            b"Content-Length: 99999999999999999999",
            b"5\r\nabcde\r\n",
            b"ffffffffffffffff\r\n",
            b"0\r\n\r\n",
            b":",
            b"\0",
            b"\xff",
        ];
        for _ in 0..20_000 {
            let mut raw = Vec::new();
            for _ in 0..rng.below(16) {
                raw.extend_from_slice(rng.pick(pieces));
            }
            if let Ok((head, body)) = parse_http1(&raw) {
                assert!(body.len() <= raw.len());
                assert!(head.path.len() <= raw.len());
            }
        }
    });
}
