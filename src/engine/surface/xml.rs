//! A streaming XML walker: text nodes, CDATA sections and attribute values
//! go to the [`Sink`] with an element path, in one pass, without a tree.
//!
//! * Names: `/root/user` for the text of `<user>` inside `<root>`,
//!   `/root/user/@id` for its `id` attribute (element and attribute names
//!   as written, namespace prefix included; a name longer than 64 bytes is
//!   cut in the path). Text split by child elements is sent piece by piece.
//! * Text and attribute values are unescaped as an XML parser would: the
//!   five predefined entities and character references (`&#60;`,
//!   `&#x3C;`); other entity references (`&xxe;`) stay as written — the
//!   whole document goes to the XXE detector, which judges those.
//!   Whitespace-only text is skipped, and so are namespace declarations
//!   (`xmlns`, `xmlns:*`: URIs that are not data).
//! * Comments, processing instructions and the DOCTYPE (internal subset
//!   included, with its quoted literals and comments) are skipped.
//! * Nesting deeper than `max_depth` → [`Sink::limit`]`(`[`Limit::Depth`]`)`.
//!   An end tag closes one level whatever its name (no search down the
//!   stack), so mismatched tags cost nothing. Unterminated comments,
//!   CDATA sections, tags and quotes end the walk after emitting what was
//!   read. A `<` that starts no markup (`a < b`) is text.
//!
//! ```
//! use envoy_rasp::engine::surface::{xml, Surface, testing::Collect};
//!
//! let doc = br#"<?xml version="1.0"?><root xmlns="urn:x"><user id="7">O&apos;Brien<![CDATA[<b>]]></user></root>"#;
//! let mut sink = Collect::default();
//! xml::walk(Surface::Xml, b"", doc, 64, &mut sink);
//! assert_eq!(
//!     sink.values(),
//!     vec![("/root/user/@id", "7"), ("/root/user", "O'Brien"), ("/root/user", "<b>")]
//! );
//! ```

use super::{Flow, Kind, Limit, Sink, Surface};
use crate::engine::bytes::{find, find_byte, hex};

/// Longest element or attribute name copied into a path.
const MAX_PATH_NAME: usize = 64;

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

fn is_name_end(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'>' | b'/' | b'=' | b'<')
}

/// The next `<` at or after `from` that starts markup.
fn next_markup(input: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let k = find_byte(input, i, b'<')?;
        match input.get(k + 1) {
            Some(&b) if b == b'!' || b == b'?' || b == b'/' || is_name_start(b) => return Some(k),
            None => return Some(k),
            _ => i = k + 1,
        }
    }
}

/// Unescapes XML character and predefined entity references; borrows when
/// there is nothing to unescape.
pub fn unescape<'a>(raw: &'a [u8], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    let Some(first) = find_byte(raw, 0, b'&') else {
        return raw;
    };
    scratch.clear();
    scratch.extend_from_slice(raw.get(..first).unwrap_or_default());
    let mut i = first;
    while let Some(&b) = raw.get(i) {
        if b != b'&' {
            let next = find_byte(raw, i, b'&').unwrap_or(raw.len());
            scratch.extend_from_slice(raw.get(i..next).unwrap_or_default());
            i = next;
            continue;
        }
        let Some(semi) = raw
            .get(i + 1..)
            .and_then(|r| r.iter().take(12).position(|&c| c == b';'))
            .map(|k| i + 1 + k)
        else {
            scratch.push(b'&');
            i += 1;
            continue;
        };
        let name = raw.get(i + 1..semi).unwrap_or_default();
        let cp = match name {
            b"lt" => Some(u32::from(b'<')),
            b"gt" => Some(u32::from(b'>')),
            b"amp" => Some(u32::from(b'&')),
            b"quot" => Some(u32::from(b'"')),
            b"apos" => Some(u32::from(b'\'')),
            [b'#', b'x' | b'X', digits @ ..] if !digits.is_empty() => {
                digits.iter().try_fold(0u32, |a, &c| {
                    Some(a.saturating_mul(16).saturating_add(u32::from(hex::val(c)?)))
                })
            }
            [b'#', dec @ ..] if !dec.is_empty() => dec.iter().try_fold(0u32, |a, &c| {
                c.is_ascii_digit()
                    .then(|| a.saturating_mul(10).saturating_add(u32::from(c - b'0')))
            }),
            _ => None,
        };
        match cp {
            Some(cp) => {
                let c = char::from_u32(cp)
                    .filter(|&c| c != '\0')
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                let mut buf = [0u8; 4];
                scratch.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i = semi + 1;
            }
            None => {
                scratch.push(b'&');
                i += 1;
            }
        }
    }
    scratch.as_slice()
}

/// Skips a `<!…>` declaration starting at `lt` (DOCTYPE with its internal
/// subset, quoted literals and comments); returns the offset after it.
fn skip_decl(input: &[u8], lt: usize) -> usize {
    let mut k = lt + 2;
    let mut depth = 0u32;
    let mut quote: Option<u8> = None;
    while let Some(&b) = input.get(k) {
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            k += 1;
            continue;
        }
        match b {
            b'"' | b'\'' => quote = Some(b),
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return k + 1,
            b'<' if input.get(k + 1..k + 4) == Some(b"!--") => match find(input, k + 4, b"-->") {
                Some(e) => {
                    k = e + 3;
                    continue;
                }
                None => return input.len(),
            },
            _ => {}
        }
        k += 1;
    }
    input.len()
}

fn push_name(path: &mut Vec<u8>, sep: &[u8], name: &[u8]) {
    path.extend_from_slice(sep);
    path.extend_from_slice(name.get(..MAX_PATH_NAME).unwrap_or(name));
}

fn emit_text(
    surface: Surface,
    path: &[u8],
    raw: &[u8],
    scratch: &mut Vec<u8>,
    sink: &mut dyn Sink,
) -> Flow {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Flow::Continue;
    }
    let v = unescape(raw, scratch);
    sink.value(surface, path, v, Kind::Value)
}

/// The end of the walk, as a step's `Err`: `Flow::Stop` when the sink
/// asked to stop or the depth limit was hit, `Flow::Continue` when the
/// input ended inside markup.
type Step = Result<usize, Flow>;

/// The first byte at or after `k` that is not ASCII whitespace.
#[inline]
fn skip_space(input: &[u8], mut k: usize) -> usize {
    while input.get(k).is_some_and(|b| b.is_ascii_whitespace()) {
        k += 1;
    }
    k
}

/// Where the name starting at `k` ends.
#[inline]
fn name_end(input: &[u8], mut k: usize) -> usize {
    while input.get(k).is_some_and(|&b| !is_name_end(b)) {
        k += 1;
    }
    k
}

/// The walker's state, shared by one method per construct (text, CDATA,
/// end tag, start tag, attribute). Each returns where the walk resumes.
struct Walker<'a, 's> {
    surface: Surface,
    input: &'a [u8],
    max_depth: usize,
    sink: &'s mut dyn Sink,
    path: Vec<u8>,
    /// Path lengths of the open elements.
    stack: Vec<usize>,
    /// Unescaped text.
    scratch: Vec<u8>,
}

impl Walker<'_, '_> {
    /// Text between markup.
    #[inline]
    fn text(&mut self, from: usize, to: usize) -> Result<(), Flow> {
        let raw = self.input.get(from..to).unwrap_or_default();
        match emit_text(self.surface, &self.path, raw, &mut self.scratch, self.sink) {
            Flow::Stop => Err(Flow::Stop),
            Flow::Continue => Ok(()),
        }
    }

    /// Skips to after `end`, searched from `from`; an unterminated
    /// construct ends the walk.
    #[inline]
    fn skip_past(&self, from: usize, end: &[u8]) -> Step {
        find(self.input, from, end)
            .map(|e| e + end.len())
            .ok_or(Flow::Continue)
    }

    /// `<![CDATA[…]]>` at `lt`: its content as it is.
    fn cdata(&mut self, lt: usize) -> Step {
        let input = self.input;
        let start = lt + 9;
        let end = find(input, start, b"]]>");
        let content = input
            .get(start..end.unwrap_or(input.len()))
            .unwrap_or_default();
        if !content.iter().all(|b| b.is_ascii_whitespace())
            && self
                .sink
                .value(self.surface, &self.path, content, Kind::Value)
                == Flow::Stop
        {
            return Err(Flow::Stop);
        }
        end.map(|e| e + 3).ok_or(Flow::Continue)
    }

    /// `</…>` at `lt`: closes one level whatever its name.
    fn end_tag(&mut self, lt: usize) -> Step {
        if let Some(base) = self.stack.pop() {
            self.path.truncate(base);
        }
        find_byte(self.input, lt + 2, b'>')
            .map(|gt| gt + 1)
            .ok_or(Flow::Continue)
    }

    /// A start tag at `lt`: one level deeper, then its attributes.
    fn start_tag(&mut self, lt: usize) -> Step {
        let ns = lt + 1;
        let k = name_end(self.input, ns);
        if self.stack.len() >= self.max_depth {
            self.sink.limit(Limit::Depth);
            return Err(Flow::Stop);
        }
        self.stack.push(self.path.len());
        push_name(
            &mut self.path,
            b"/",
            self.input.get(ns..k).unwrap_or_default(),
        );
        self.attributes(k)
    }

    /// The attribute list from `k` to the end of the tag.
    fn attributes(&mut self, mut k: usize) -> Step {
        loop {
            k = skip_space(self.input, k);
            let Some(&b) = self.input.get(k) else {
                return Err(Flow::Continue);
            };
            match b {
                b'>' => return Ok(k + 1),
                b'/' if self.input.get(k + 1) == Some(&b'>') => {
                    if let Some(base) = self.stack.pop() {
                        self.path.truncate(base);
                    }
                    return Ok(k + 2);
                }
                // A `<` inside a tag: the tag was not closed; go on
                // from there as markup.
                b'<' => return Ok(k),
                b'/' | b'=' => k += 1,
                _ => k = self.attribute(k)?,
            }
        }
    }

    /// One attribute at `k`: its value (quoted or not) goes to the sink,
    /// except namespace declarations.
    fn attribute(&mut self, an: usize) -> Step {
        let input = self.input;
        let mut k = name_end(input, an);
        let name = input.get(an..k).unwrap_or_default();
        k = skip_space(input, k);
        if input.get(k) != Some(&b'=') {
            return Ok(k); // an attribute without a value
        }
        k = skip_space(input, k + 1);
        let (raw, next, closed) = match input.get(k) {
            Some(&q) if q == b'"' || q == b'\'' => match find_byte(input, k + 1, q) {
                Some(e) => (input.get(k + 1..e).unwrap_or_default(), e + 1, true),
                None => (input.get(k + 1..).unwrap_or_default(), input.len(), false),
            },
            _ => {
                let vs = k;
                while input
                    .get(k)
                    .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>')
                {
                    k += 1;
                }
                (input.get(vs..k).unwrap_or_default(), k, true)
            }
        };
        let xmlns = name == b"xmlns" || name.starts_with(b"xmlns:");
        if !xmlns && !raw.is_empty() {
            let base = self.path.len();
            push_name(&mut self.path, b"/@", name);
            let v = unescape(raw, &mut self.scratch);
            let flow = self.sink.value(self.surface, &self.path, v, Kind::Value);
            self.path.truncate(base);
            if flow == Flow::Stop {
                return Err(Flow::Stop);
            }
        }
        if !closed {
            return Err(Flow::Continue);
        }
        Ok(next)
    }

    /// The markup at `lt`, by its opening: where the walk resumes.
    fn markup(&mut self, lt: usize) -> Step {
        let rest = self.input.get(lt..).unwrap_or_default();
        if rest.starts_with(b"<!--") {
            self.skip_past(lt + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            self.cdata(lt)
        } else if rest.starts_with(b"<!") {
            Ok(skip_decl(self.input, lt))
        } else if rest.starts_with(b"<?") {
            self.skip_past(lt + 2, b"?>")
        } else if rest.starts_with(b"</") {
            self.end_tag(lt)
        } else {
            self.start_tag(lt)
        }
    }

    fn walk(&mut self) -> Flow {
        let mut i = 0usize;
        loop {
            let lt = next_markup(self.input, i);
            let text_end = lt.unwrap_or(self.input.len());
            if text_end > i {
                if let Err(flow) = self.text(i, text_end) {
                    return flow;
                }
            }
            let Some(lt) = lt else {
                return Flow::Continue;
            };
            match self.markup(lt) {
                Ok(next) => i = next,
                Err(flow) => return flow,
            }
        }
    }
}

/// Walks `input` as XML; names are `prefix` + the element path.
pub fn walk(
    surface: Surface,
    prefix: &[u8],
    input: &[u8],
    max_depth: u32,
    sink: &mut dyn Sink,
) -> Flow {
    let mut path: Vec<u8> = Vec::with_capacity(prefix.len() + 64);
    path.extend_from_slice(prefix);
    Walker {
        surface,
        input,
        max_depth: max_depth as usize,
        sink,
        path,
        stack: Vec::new(),
        scratch: Vec::new(),
    }
    .walk()
}

#[cfg(test)]
mod tests {
    use super::super::testing::Collect;
    use super::*;

    fn run(doc: &[u8]) -> Collect {
        let mut c = Collect::default();
        walk(Surface::Xml, b"", doc, 64, &mut c);
        c
    }

    #[test]
    fn soap_envelope() {
        let c = run(br#"<?xml version="1.0" encoding="utf-8"?>
<!-- a comment with <tags> -->
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <GetUser xmlns="http://example.com/"><Name a='1' b=2 c>x &lt;y&gt; &#39;&#x41;&amp;amp; &ext;</Name><Id/></GetUser>
  </soap:Body>
</soap:Envelope>"#);
        assert_eq!(
            c.values(),
            vec![
                ("/soap:Envelope/soap:Body/GetUser/Name/@a", "1"),
                ("/soap:Envelope/soap:Body/GetUser/Name/@b", "2"),
                (
                    "/soap:Envelope/soap:Body/GetUser/Name",
                    "x <y> 'A&amp; &ext;"
                ),
            ]
        );
    }

    #[test]
    fn doctype_and_cdata() {
        let c = run(br#"<!DOCTYPE r [ <!ENTITY e "a > b ]"> <!-- it's ] > --> <!ELEMENT r ANY> ]><r><![CDATA[<script>alert(1)</script>]]>tail</r>"#);
        assert_eq!(
            c.values(),
            vec![("/r", "<script>alert(1)</script>"), ("/r", "tail")]
        );
    }

    #[test]
    fn mixed_content_and_stray_lt() {
        let c = run(b"<a>1 < 2 <b>in</b> after &#0; &#xZZ;</a>");
        assert_eq!(
            c.values(),
            vec![
                ("/a", "1 < 2 "),
                ("/a/b", "in"),
                ("/a", " after \u{fffd} &#xZZ;")
            ]
        );
    }

    #[test]
    fn mismatched_and_unterminated() {
        let c = run(b"<a><b></x><c>t</c></a></a></a><d>u");
        assert_eq!(c.values(), vec![("/a/c", "t"), ("/d", "u")]);
        for doc in [
            &b"<a>x<!-- never closed"[..],
            b"<a><![CDATA[cut",
            b"<a b=\"cut",
            b"<a b='",
            b"<a b=",
            b"<a b",
            b"<?pi",
            b"<!DOCTYPE x [ '",
            b"<",
            b"</",
            b"<a/",
        ] {
            let _ = run(doc);
        }
        assert_eq!(run(b"<a><![CDATA[cut").values(), vec![("/a", "cut")]);
        assert_eq!(run(b"<a b=\"cut").values(), vec![("/a/@b", "cut")]);
        assert_eq!(
            run(b"<a b=\"1\"<c>t</c>").values(),
            vec![("/a/@b", "1"), ("/a/c", "t")]
        );
    }

    #[test]
    fn depth_limit() {
        let deep = b"<a>".repeat(10_000);
        let c = run(&deep);
        assert_eq!(c.limits, vec![Limit::Depth]);
        let ok = [b"<a>".repeat(64), b"t".to_vec()].concat();
        let c = run(&ok);
        assert!(c.limits.is_empty());
        assert_eq!(c.values().len(), 1);
        let mut c = Collect::default();
        walk(
            Surface::Xml,
            b"p:",
            &b"<a>".repeat(10_000),
            u32::MAX,
            &mut c,
        );
        assert!(c.limits.is_empty());
    }

    #[test]
    fn adversarial() {
        crate::testing::hang_guard("xml: adversarial documents", || {
            for doc in [
                vec![b'<'; 1_000_000],
                b"<!--".repeat(200_000),
                b"<![CDATA[".repeat(100_000),
                b"<a b='1' ".repeat(100_000),
                b"</a>".repeat(200_000),
                b"&#x".repeat(200_000),
                b"<a>&".repeat(200_000),
                vec![0u8; 100_000],
                (0..=255u8).cycle().take(200_000).collect(),
            ] {
                let _ = run(&doc);
            }
            let many = b"<i v='x'/>".repeat(100_000);
            assert_eq!(run(&many).values().len(), 100_000);
        });
    }

    #[test]
    fn prefix_and_stop() {
        let mut c = Collect {
            stop_after: Some(1),
            ..Collect::default()
        };
        assert_eq!(
            walk(Surface::Multipart, b"doc:", b"<a>1</a><b>2</b>", 64, &mut c),
            Flow::Stop
        );
        assert_eq!(c.values(), vec![("doc:/a", "1")]);
    }
}
