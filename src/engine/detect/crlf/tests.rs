//! Unit tests and fixtures of the `crlf` detector.

use super::*;

fn det() -> Crlf {
    Crlf::compile(&CrlfConfig::default(), "header_injection")
        .unwrap()
        .unwrap()
}

#[test]
fn spans_cover_break_and_line() {
    let d = det();
    let v = b"en\r\nSet-Cookie: a=b\r\nX: y";
    let h = d.detect(v, &ValueCtx::value(Surface::Query)).unwrap();
    assert_eq!(&v[h.start..h.end], b"\r\nSet-Cookie: a=b");
    let v = b"/a\nb";
    let h = d.detect(v, &ValueCtx::value(Surface::Path)).unwrap();
    assert_eq!((h.start, h.end), (2, 3));
}

#[test]
fn line_syntax() {
    assert!(status_line(b"HTTP/1.1 200 OK"));
    assert!(status_line(b"http/2 404"));
    assert!(!status_line(b"HTTP/1.1 20"));
    assert!(!status_line(b"HTTP/1.1 2000"));
    assert!(!status_line(b"HTTP/x 200"));
    assert!(request_line(b"GET / HTTP/1.1"));
    assert!(request_line(b"HEAD http://example.com/ HTTP/1.0"));
    assert!(!request_line(b"GET / HTTP/1.1 extra"));
    assert!(!request_line(b"Get foo bar"));
    assert!(!request_line(b"GETS / HTTP/1.1"));
    assert!(!request_line(b"GET /foo"));
    assert!(value_fits(b"0; url=http://x", Syntax::Refresh));
    assert!(value_fits(b"www.example.com", Syntax::Refresh));
    assert!(!value_fits(b"5 minutes", Syntax::Refresh));
    assert!(!value_fits(b"daily", Syntax::Refresh));
    assert!(value_fits(b"text/html; charset=utf-8", Syntax::MediaType));
    assert!(!value_fits(b"pdf please", Syntax::MediaType));
    assert!(value_fits(b"chunked", Syntax::Coding));
    assert!(!value_fits(b"chunkedx", Syntax::Coding));
    assert!(value_fits(b"Bearer abc", Syntax::Auth));
    assert!(!value_fits(b"pending", Syntax::Auth));
    assert!(!value_fits(b"", Syntax::Any));
}

#[test]
fn configuration() {
    let cfg: CrlfConfig =
        serde_json::from_str(r#"{"headers": ["X-Debug"], "path": false, "names": false}"#).unwrap();
    let d = Crlf::compile(&cfg, "header_injection").unwrap().unwrap();
    let q = ValueCtx::value(Surface::Query);
    assert!(d.detect(b"a\nx-debug: 1", &q).is_some());
    assert!(d.detect(b"a\nSet-Cookie: a=b", &q).is_none());
    assert!(d
        .detect(b"/a\nb", &ValueCtx::value(Surface::Path))
        .is_none());
    let key = ValueCtx::key(Surface::Query);
    assert!(d.detect(b"a\nb", &key).is_none());
    let cfg: CrlfConfig = serde_json::from_str(r#"{"headers": ["ok", "bad name"]}"#).unwrap();
    assert_eq!(
        Crlf::compile(&cfg, "header_injection").unwrap_err().field(),
        "header_injection.headers[1]"
    );
    let off: CrlfConfig = serde_json::from_str(r#"{"action": "off"}"#).unwrap();
    assert!(Crlf::compile(&off, "header_injection").unwrap().is_none());
}

#[test]
fn adversarial_inputs_are_linear() {
    let d = det();
    for unit in [
        &b"\r\n"[..],
        b"a\n",
        b"\nSet-Cookie",
        b"\nGET / ",
        b"\r\r\n\n:",
    ] {
        let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
        let t = std::time::Instant::now();
        for s in [Surface::Header, Surface::Json] {
            let _ = d.detect(&v, &ValueCtx::value(s));
        }
        assert!(
            t.elapsed().as_millis() < 2000,
            "{:?}",
            String::from_utf8_lossy(unit)
        );
    }
}
