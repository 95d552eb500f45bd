//! `multipart/form-data` bodies (RFC 7578, delimiters per RFC 2046 §5.1.1).
//!
//! * The boundary comes from the content type (`boundary=X` or
//!   `boundary="X"`); when it is missing, or does not occur in the body, it
//!   is recovered from the body's first line (`--X`).
//! * Delimiters (`--X` at the start of a line, followed by `--`, or by
//!   optional spaces and a line end) are found with a substring search that
//!   skips ahead by up to the delimiter's length, so a large file part costs
//!   a fraction of a read of its bytes. Preamble and epilogue are ignored; a
//!   missing final delimiter ends the last part at the end of the body. CRLF
//!   and bare LF line ends are both accepted.
//! * Part headers end at the first empty line; a part without one has no
//!   headers and its whole text is inspected as a value.
//!   `Content-Disposition` gives the field `name` and `filename`
//!   (`filename*`, RFC 5987 `UTF-8''%e2%82%ac.txt`, wins when present;
//!   otherwise the last `filename`). In quoted parameters only `\"` is an
//!   escape: browsers send backslashes in file names as they are
//!   (`..\..\x.php`), and they must reach the detectors intact.
//!   `Content-Transfer-Encoding: base64` / `quoted-printable` (deprecated,
//!   but some servers still decode them) are decoded first.
//!
//! What the sink receives (names, rendered as `multipart:<name>`):
//!
//! * a part with a `filename` → [`Sink::file`] (the inspector runs the
//!   upload detector, inspects the file name as `field:filename` and the
//!   contents only when `inspect.file_contents` is on); an XML or SVG file
//!   also goes to [`Sink::xml_document`] (XXE in uploads);
//! * a field → its name as [`Kind::Key`], and its value; a field whose
//!   content type is JSON, XML or form-encoded is parsed as such, with names
//!   prefixed by the field (`meta:$.user.name`, `doc:/a/b/@id`, `f:key`); a
//!   field whose content is binary (or of a media type that is never
//!   inspected) is handed over as a file without a file name.
//!
//! ```
//! use envoy_rasp::engine::surface::{multipart, testing::Collect};
//!
//! let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nO'Brien\r\n\
//! --XyZ\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\n\
//! Content-Type: image/png\r\n\r\n\x89PNG...\r\n--XyZ--\r\n";
//! let mut sink = Collect::default();
//! multipart::walk(b"XyZ", body, 64, &mut sink);
//! assert_eq!(sink.values(), vec![("q", "O'Brien")]);
//! assert_eq!(sink.files[0].filename, "me.png");
//! assert_eq!(sink.files[0].content_type, "image/png");
//! ```

use std::borrow::Cow;

use super::media::{classify, BodyKind};
use super::sniff::{self, boundary_from_body};
use super::{json, query, xml, FilePart, Flow, Kind, Sink, Surface};
use crate::engine::bytes::base64::{Alphabet, Lenient};
use crate::engine::bytes::{find_byte, find_ci, hex, starts_ci, ByteSet, Finder};
use crate::engine::decode::percent_decode;

/// Calls `f(name, value)` for each `;`-separated `name=value` parameter of
/// a header value (`form-data; name="a"; filename=b`); the leading token
/// (without `=`) is skipped. Quoted values are unquoted (`\"` unescaped).
pub fn for_each_param<'a>(value: &'a [u8], mut f: impl FnMut(&'a [u8], Cow<'a, [u8]>)) {
    let mut i = 0;
    loop {
        // Skip separators and whitespace.
        while value
            .get(i)
            .is_some_and(|&b| matches!(b, b';' | b' ' | b'\t' | b'\r' | b'\n'))
        {
            i += 1;
        }
        if i >= value.len() {
            return;
        }
        let start = i;
        while value.get(i).is_some_and(|&b| b != b'=' && b != b';') {
            i += 1;
        }
        let name = value.get(start..i).unwrap_or_default().trim_ascii();
        if value.get(i) != Some(&b'=') {
            continue; // a bare token (`form-data`)
        }
        i += 1;
        while value.get(i).is_some_and(|&b| b == b' ' || b == b'\t') {
            i += 1;
        }
        if value.get(i) == Some(&b'"') {
            let vs = i + 1;
            let mut k = vs;
            let mut escaped = false;
            while let Some(&b) = value.get(k) {
                if b == b'\\' && value.get(k + 1) == Some(&b'"') {
                    escaped = true;
                    k += 2;
                    continue;
                }
                if b == b'"' {
                    break;
                }
                k += 1;
            }
            let raw = value.get(vs..k).unwrap_or_default();
            let v = if escaped {
                let mut out = Vec::with_capacity(raw.len());
                let mut j = 0;
                while let Some(&b) = raw.get(j) {
                    if b == b'\\' && raw.get(j + 1) == Some(&b'"') {
                        j += 1;
                        continue;
                    }
                    out.push(b);
                    j += 1;
                }
                Cow::Owned(out)
            } else {
                Cow::Borrowed(raw)
            };
            f(name, v);
            i = k + 1;
        } else {
            let vs = i;
            while value.get(i).is_some_and(|&b| b != b';') {
                i += 1;
            }
            f(
                name,
                Cow::Borrowed(value.get(vs..i).unwrap_or_default().trim_ascii()),
            );
        }
    }
}

/// The `boundary` parameter of a content type.
pub fn boundary(content_type: &[u8]) -> Option<Vec<u8>> {
    let mut found = None;
    for_each_param(content_type, |k, v| {
        if found.is_none() && k.eq_ignore_ascii_case(b"boundary") && !v.is_empty() {
            found = Some(v.into_owned());
        }
    });
    found
}

/// Where a delimiter line leads.
enum Next {
    /// A part starts at this offset.
    Part(usize),
    /// The close delimiter, or the end of the body.
    End,
}

struct Delims<'b> {
    body: &'b [u8],
    finder: Finder,
    len: usize,
}

impl<'b> Delims<'b> {
    /// The next delimiter at or after `from`: its offset and what follows.
    fn next(&mut self, from: usize) -> Option<(usize, Next)> {
        let mut at = from;
        loop {
            let d = self.finder.find(self.body, at)?;
            at = d + 1;
            if d > 0 && self.body.get(d - 1) != Some(&b'\n') {
                continue;
            }
            let mut k = d + self.len;
            if self.body.get(k..k + 2) == Some(b"--") {
                return Some((d, Next::End));
            }
            while self.body.get(k).is_some_and(|&b| b == b' ' || b == b'\t') {
                k += 1;
            }
            match self.body.get(k) {
                None => return Some((d, Next::End)),
                Some(b'\n') => return Some((d, Next::Part(k + 1))),
                Some(b'\r') if self.body.get(k + 1) == Some(&b'\n') => {
                    return Some((d, Next::Part(k + 2)))
                }
                Some(b'\r') if k + 1 == self.body.len() => return Some((d, Next::End)),
                _ => continue,
            }
        }
    }
}

/// Walks a multipart body with the given boundary (see the
/// [module docs](self)). A body in which the boundary never occurs is
/// retried with the boundary of its first line, and otherwise inspected as
/// text (unless binary).
pub fn walk(boundary: &[u8], body: &[u8], max_depth: u32, sink: &mut dyn Sink) -> Flow {
    if let Some(flow) = walk_parts(boundary, body, max_depth, sink) {
        return flow;
    }
    if let Some(b) = boundary_from_body(body) {
        if b != boundary {
            if let Some(flow) = walk_parts(b, body, max_depth, sink) {
                return flow;
            }
        }
    }
    if sniff::is_binary(body) {
        return Flow::Continue;
    }
    sink.value(Surface::Multipart, b"", body, Kind::Value)
}

/// `None` when no delimiter was found.
fn walk_parts(boundary: &[u8], body: &[u8], max_depth: u32, sink: &mut dyn Sink) -> Option<Flow> {
    let mut delim = Vec::with_capacity(boundary.len() + 2);
    delim.extend_from_slice(b"--");
    delim.extend_from_slice(boundary);
    let mut d = Delims {
        body,
        finder: Finder::new(&delim),
        len: delim.len(),
    };
    let (_, mut next) = d.next(0)?;
    let mut scratch = Scratch::default();
    loop {
        let Next::Part(ps) = next else {
            return Some(Flow::Continue);
        };
        let (pe, following) = match d.next(ps) {
            Some((nd, n)) => {
                // Strip the line end that belongs to the delimiter.
                let mut pe = nd.saturating_sub(1);
                if pe > ps && body.get(pe - 1) == Some(&b'\r') {
                    pe -= 1;
                }
                (pe.max(ps), n)
            }
            None => (body.len(), Next::End),
        };
        let part = body.get(ps..pe).unwrap_or_default();
        if part_(part, max_depth, sink, &mut scratch) == Flow::Stop {
            return Some(Flow::Stop);
        }
        next = following;
    }
}

#[derive(Default)]
struct Scratch {
    name: Vec<u8>,
}

/// The parsed headers of one part.
#[derive(Default)]
struct Headers<'a> {
    disposition: &'a [u8],
    content_type: &'a [u8],
    encoding: &'a [u8],
}

fn split_headers(part: &[u8]) -> Option<(Headers<'_>, &[u8])> {
    let mut h = Headers::default();
    let mut i = 0;
    loop {
        let end = find_byte(part, i, b'\n')?;
        let line = part.get(i..end).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return Some((h, part.get(end + 1..).unwrap_or_default()));
        }
        if let Some(c) = line.iter().position(|&b| b == b':') {
            let name = line.get(..c).unwrap_or_default().trim_ascii();
            let value = line.get(c + 1..).unwrap_or_default().trim_ascii();
            if name.eq_ignore_ascii_case(b"content-disposition") {
                h.disposition = value;
            } else if name.eq_ignore_ascii_case(b"content-type") {
                h.content_type = value;
            } else if name.eq_ignore_ascii_case(b"content-transfer-encoding") {
                h.encoding = value;
            }
        }
        i = end + 1;
    }
}

/// `filename*` (RFC 5987: `charset'lang'pct-encoded`) decoded.
fn ext_value(v: &[u8]) -> Cow<'_, [u8]> {
    let mut quotes = v.iter().enumerate().filter(|(_, &b)| b == b'\'');
    match (quotes.next(), quotes.next()) {
        (Some(_), Some((second, _))) => {
            Cow::Owned(percent_decode(v.get(second + 1..).unwrap_or_default(), false).into_owned())
        }
        _ => percent_decode(v, false),
    }
}

/// True for XML (or SVG) content: by type, or by its first bytes.
fn xmlish(content_type: &[u8], content: &[u8]) -> bool {
    if classify(Some(content_type)) == BodyKind::Xml || find_ci(content_type, b"xml").is_some() {
        return true;
    }
    let t = sniff::skip_bom_ws(content);
    [&b"<?xml"[..], b"<!doctype", b"<!entity", b"<svg"]
        .iter()
        .any(|p| starts_ci(t, p))
}

fn decode_transfer(encoding: &[u8], content: &[u8]) -> Option<Vec<u8>> {
    if encoding.eq_ignore_ascii_case(b"base64") {
        Some(TRANSFER_BASE64.decode(content, usize::MAX))
    } else if encoding.eq_ignore_ascii_case(b"quoted-printable") {
        Some(quoted_printable(content))
    } else {
        None
    }
}

/// `Content-Transfer-Encoding: base64` as MIME readers decode it: line
/// breaks and blanks skipped, stops at `=` or another byte outside the
/// alphabet (standard and URL-safe). The blanks are these four, not
/// `is_ascii_whitespace` (no form feed).
const TRANSFER_BASE64: Lenient = Lenient {
    alphabet: Alphabet::Either,
    skip: &MIME_BLANK,
};
static MIME_BLANK: ByteSet = ByteSet::of(b" \t\r\n");

/// Quoted-printable: `=XX` and soft line breaks (`=` at a line end).
pub fn quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'=' {
            match (input.get(i + 1), input.get(i + 2)) {
                (Some(b'\r'), Some(b'\n')) => {
                    i += 3;
                    continue;
                }
                (Some(b'\n'), _) => {
                    i += 2;
                    continue;
                }
                (Some(&h), Some(&l)) => {
                    if let (Some(h), Some(l)) = (hex::val(h), hex::val(l)) {
                        out.push(h << 4 | l);
                        i += 3;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn part_(part: &[u8], max_depth: u32, sink: &mut dyn Sink, scratch: &mut Scratch) -> Flow {
    let Some((h, content)) = split_headers(part) else {
        // No header block: inspect the whole part as text.
        if part.iter().all(|b| b.is_ascii_whitespace()) {
            return Flow::Continue;
        }
        return text_or_file(b"", b"", b"", part, sink);
    };
    let mut name: Cow<'_, [u8]> = Cow::Borrowed(b"");
    let mut filename: Option<Cow<'_, [u8]>> = None;
    let mut filename_ext: Option<Cow<'_, [u8]>> = None;
    for_each_param(h.disposition, |k, v| {
        if k.eq_ignore_ascii_case(b"name") {
            name = v;
        } else if k.eq_ignore_ascii_case(b"filename") {
            filename = Some(v);
        } else if k.eq_ignore_ascii_case(b"filename*") {
            filename_ext = Some(Cow::Owned(ext_value(&v).into_owned()));
        }
    });
    let filename = filename_ext.or(filename);
    let decoded = decode_transfer(h.encoding, content);
    let content = decoded.as_deref().unwrap_or(content);
    if !name.is_empty() && sink.value(Surface::Multipart, &name, &name, Kind::Key) == Flow::Stop {
        return Flow::Stop;
    }
    if let Some(filename) = filename {
        let flow = sink.file(&FilePart {
            field: &name,
            filename: &filename,
            disposition: h.disposition,
            content_type: h.content_type,
            content,
        });
        if flow == Flow::Stop {
            return Flow::Stop;
        }
        if xmlish(h.content_type, content) {
            return sink.xml_document(Surface::Multipart, &name, content);
        }
        return Flow::Continue;
    }
    scratch.name.clear();
    scratch.name.extend_from_slice(&name);
    scratch.name.push(b':');
    let prefixed = scratch.name.as_slice();
    let kind = if h.content_type.is_empty() {
        BodyKind::Sniff
    } else {
        classify(Some(h.content_type))
    };
    match kind {
        BodyKind::Json => {
            let w = json::walk_prefixed(Surface::Multipart, prefixed, content, max_depth, sink);
            if w.flow == Flow::Stop {
                return Flow::Stop;
            }
            match w.error.and_then(|at| content.get(at..)) {
                Some(rest) => sink.value(Surface::Multipart, &name, rest, Kind::Value),
                None => Flow::Continue,
            }
        }
        BodyKind::Xml => {
            if sink.xml_document(Surface::Multipart, &name, content) == Flow::Stop {
                return Flow::Stop;
            }
            xml::walk(Surface::Multipart, prefixed, content, max_depth, sink)
        }
        BodyKind::Form => {
            query::extract_prefixed(Surface::Multipart, prefixed, content, max_depth, sink)
        }
        BodyKind::Skip | BodyKind::Multipart => {
            text_or_file(&name, h.disposition, h.content_type, content, sink)
        }
        BodyKind::Sniff => {
            if xmlish(b"", content)
                && sink.xml_document(Surface::Multipart, &name, content) == Flow::Stop
            {
                return Flow::Stop;
            }
            if json::looks_like_document(content) {
                return json::value_or_document(
                    Surface::Multipart,
                    &name,
                    content,
                    max_depth,
                    sink,
                );
            }
            text_or_file(&name, h.disposition, h.content_type, content, sink)
        }
    }
}

/// A field value: inspected as text, or handed over as a nameless file
/// when it is binary.
fn text_or_file(
    name: &[u8],
    disposition: &[u8],
    content_type: &[u8],
    content: &[u8],
    sink: &mut dyn Sink,
) -> Flow {
    let media = !content_type.is_empty()
        && matches!(
            classify(Some(content_type)),
            BodyKind::Skip | BodyKind::Multipart
        );
    if media || sniff::is_binary(content) {
        return sink.file(&FilePart {
            field: name,
            filename: b"",
            disposition,
            content_type,
            content,
        });
    }
    sink.value(Surface::Multipart, name, content, Kind::Value)
}

#[cfg(test)]
mod tests {
    use super::super::testing::Collect;
    use super::*;

    fn run(boundary: &[u8], body: &[u8]) -> Collect {
        let mut c = Collect::default();
        walk(boundary, body, 64, &mut c);
        c
    }

    #[test]
    fn boundary_parameter() {
        assert_eq!(
            boundary(b"multipart/form-data; boundary=abc").as_deref(),
            Some(&b"abc"[..])
        );
        assert_eq!(
            boundary(b"multipart/form-data;BOUNDARY=\"a b;c\"; charset=utf-8").as_deref(),
            Some(&b"a b;c"[..])
        );
        assert_eq!(boundary(b"multipart/form-data"), None);
        assert_eq!(boundary(b"multipart/form-data; boundary="), None);
        assert_eq!(boundary_from_body(b"\r\n--xyz \r\nabc"), Some(&b"xyz"[..]));
        assert_eq!(boundary_from_body(b"-- hello <script>"), None);
        assert_eq!(boundary_from_body(b"plain"), None);
    }

    #[test]
    fn disposition_parameters() {
        let mut got = vec![];
        for_each_param(
            br#"form-data; name="a\"b"; filename="..\..\x.php";x=y; filename*=UTF-8''%e2%82%ac.txt"#,
            |k, v| got.push((String::from_utf8_lossy(k).into_owned(), String::from_utf8_lossy(&v).into_owned())),
        );
        assert_eq!(
            got,
            vec![
                ("name".into(), "a\"b".into()),
                ("filename".into(), "..\\..\\x.php".into()),
                ("x".into(), "y".into()),
                ("filename*".into(), "UTF-8''%e2%82%ac.txt".into()),
            ]
        );
    }

    const BODY: &[u8] = b"preamble ignored\r\n\
--B\r\n\
Content-Disposition: form-data; name=\"title\"\r\n\
\r\n\
Hello; O'Brien\r\n\
--B \r\n\
Content-Disposition: form-data; name=\"meta\"\r\n\
Content-Type: application/json\r\n\
\r\n\
{\"user\": {\"name\": \"<b>x</b>\"}}\r\n\
--B\r\n\
Content-Disposition: form-data; name=\"doc\"\r\n\
Content-Type: text/xml\r\n\
\r\n\
<a id=\"7\"><b>t</b></a>\r\n\
--B\r\n\
Content-Disposition: form-data; name=\"up\"; filename=\"a.jpg\"; filename*=UTF-8''shell.php\r\n\
Content-Type: image/jpeg\r\n\
\r\n\
\xff\xd8\xff\xe0\r\n--Bnot-a-delimiter\r\n\
--B--\r\n\
epilogue --B\r\nignored\r\n";

    #[test]
    fn fields_nested_surfaces_and_files() {
        let c = run(b"B", BODY);
        assert_eq!(
            c.values(),
            vec![
                ("title", "Hello; O'Brien"),
                ("meta:$.user.name", "<b>x</b>"),
                ("doc:/a/@id", "7"),
                ("doc:/a/b", "t"),
            ]
        );
        assert_eq!(
            c.keys(),
            vec![
                "title",
                "meta",
                "meta:$.user",
                "meta:$.user.name",
                "doc",
                "up"
            ]
        );
        assert_eq!(c.docs, vec![(Surface::Multipart, "doc".to_string(), 22)]);
        assert_eq!(c.files.len(), 1);
        assert_eq!(c.files[0].field, "up");
        assert_eq!(c.files[0].filename, "shell.php");
        assert_eq!(c.files[0].content_type, "image/jpeg");
        assert_eq!(
            c.files[0].content.as_bytes(),
            "\u{fffd}\u{fffd}\u{fffd}\u{fffd}\r\n--Bnot-a-delimiter".as_bytes()
        );
    }

    #[test]
    fn lf_only_missing_close_and_missing_headers() {
        let c = run(
            b"b",
            b"--b\nContent-Disposition: form-data; name=a\n\n1\n--b\n\nno headers\n--b\nno blank line at all",
        );
        assert_eq!(
            c.values(),
            vec![("a", "1"), ("", "no headers"), ("", "no blank line at all")]
        );
    }

    #[test]
    fn boundary_recovery_and_fallbacks() {
        // Wrong declared boundary: recovered from the first line.
        let c = run(
            b"nope",
            b"--real\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--real--",
        );
        assert_eq!(c.values(), vec![("x", "v")]);
        // No delimiter at all: inspected as text.
        let c = run(b"b", b"q=1' or '1'='1");
        assert_eq!(c.values(), vec![("", "q=1' or '1'='1")]);
        // …unless binary.
        let c = run(b"b", b"\x00\x01\x02binary");
        assert!(c.items.is_empty());
    }

    #[test]
    fn transfer_encodings_and_binary_fields() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJyBvciAxPTEgLS0=\r\n\
--b\r\nContent-Disposition: form-data; name=\"y\"\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n=3Cscript=\r\n=3E\r\n\
--b\r\nContent-Disposition: form-data; name=\"blob\"\r\n\r\n\x00\x01\x02\x03\r\n\
--b\r\nContent-Disposition: form-data; name=\"pic\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--";
        let c = run(b"b", body);
        assert_eq!(c.values(), vec![("x", "' or 1=1 --"), ("y", "<script>")]);
        assert_eq!(c.files.len(), 2);
        assert_eq!(c.files[0].filename, "");
        assert_eq!(c.files[1].field, "pic");
    }

    #[test]
    fn svg_upload_goes_to_xxe() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.svg\"\r\n\
Content-Type: image/svg+xml\r\n\r\n<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg>&x;</svg>\r\n--b--";
        let c = run(b"b", body);
        assert_eq!(c.files.len(), 1);
        assert_eq!(c.docs.len(), 1);
        assert_eq!(c.docs[0].1, "f");
    }

    /// A hang guard, not a measurement (see `testing::HANG_GUARD`): linear time
    /// on these inputs is measured by `cargo bench --bench engine -- adversarial`.
    #[test]
    fn adversarial() {
        crate::testing::hang_guard("multipart: adversarial bodies", || {
            // Many tiny parts.
            let body = b"--b\r\n\r\nx\r\n".repeat(100_000);
            let c = run(b"b", &body);
            assert_eq!(c.values().len(), 100_000);
            // A huge part with near-boundaries inside.
            let mut body =
                b"--b\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\n".to_vec();
            body.push(b'x');
            body.extend(b"--b".iter().cycle().take(3 << 20));
            body.extend_from_slice(b"\r\n--b--");
            let c = run(b"b", &body);
            assert_eq!(c.files.len(), 1);
            // Degenerate boundary against its own repetitions.
            let b = vec![b'-'; 70];
            let body = vec![b'-'; 1 << 20];
            let _ = run(&b, &body);
            for cut in 0..BODY.len() {
                let _ = run(b"B", &BODY[..cut]);
            }
            let _ = run(b"", b"----\r\n\r\n");
        });
    }

    #[test]
    fn codecs() {
        let b64 = |v: &[u8]| TRANSFER_BASE64.decode(v, usize::MAX);
        assert_eq!(b64(b"aGVs\r\nbG8=junk"), b"hello");
        assert_eq!(b64(b"a\x0cGVs"), b"");
        assert_eq!(b64(b"_-8"), vec![0xff, 0xef]);
        assert_eq!(quoted_printable(b"a=3D=\nb=zz="), b"a=b=zz=");
    }
}
