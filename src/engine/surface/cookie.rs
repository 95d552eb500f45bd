//! `Cookie` request headers (RFC 6265 §4.2 / §5.4).
//!
//! `cookie-string = cookie-pair *( ";" SP cookie-pair )`; each pair is
//! `name=value`, where the value may be wrapped in double quotes (which are
//! not part of it). Parsing is lenient as browsers and servers are: any
//! amount of whitespace around pairs, names and values, `;` without the
//! space, and a pair without `=` is a value with an empty name (RFC 6265bis).
//! Values are percent-decoded (without `+`), as PHP, Express and most
//! frameworks decode them; the inspector then normalises further.
//!
//! Cookie names are inspected too (as [`Kind::Key`]): they are as
//! attacker-controlled as values, and some frameworks (PHP) parse
//! `a[b]`-style names. A value that is a JSON document is walked as JSON
//! (`cookie:prefs:$.theme`).
//!
//! ```
//! use envoy_rasp::engine::surface::{cookie, testing::Collect};
//!
//! let mut sink = Collect::default();
//! cookie::extract(br#"session=abc; theme="dark%20blue";lang=en"#, 64, &mut sink);
//! assert_eq!(sink.values(), vec![("session", "abc"), ("theme", "dark blue"), ("lang", "en")]);
//! ```

use std::borrow::Cow;

use super::{json, Flow, Kind, Sink, Surface};
use crate::engine::bytes::trim_ows;
use crate::engine::decode::percent_decode;

/// Calls `f(name, value)` for each cookie of one `Cookie` header value
/// (value unquoted and percent-decoded). Stops when `f` returns `false`.
pub fn for_each<'a>(header: &'a [u8], mut f: impl FnMut(&'a [u8], Cow<'a, [u8]>) -> bool) {
    for pair in header.split(|&b| b == b';') {
        let pair = trim_ows(pair);
        if pair.is_empty() {
            continue;
        }
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (
                trim_ows(pair.get(..i).unwrap_or_default()),
                trim_ows(pair.get(i + 1..).unwrap_or_default()),
            ),
            None => (&b""[..], pair),
        };
        let value = match value {
            [b'"', inner @ .., b'"'] => inner,
            v => v,
        };
        if !f(name, percent_decode(value, false)) {
            return;
        }
    }
}

/// Sends the cookies of one `Cookie` header value to `sink`.
pub fn extract(header: &[u8], max_depth: u32, sink: &mut dyn Sink) -> Flow {
    let mut flow = Flow::Continue;
    for_each(header, |name, value| {
        if !name.is_empty() {
            flow = sink.value(Surface::Cookie, name, name, Kind::Key);
        }
        if flow == Flow::Continue {
            flow = if json::looks_like_document(&value) {
                json::value_or_document(Surface::Cookie, name, &value, max_depth, sink)
            } else {
                sink.value(Surface::Cookie, name, &value, Kind::Value)
            };
        }
        flow == Flow::Continue
    });
    flow
}

#[cfg(test)]
mod tests {
    use super::super::testing::Collect;
    use super::*;

    fn run(h: &[u8]) -> Collect {
        let mut c = Collect::default();
        extract(h, 64, &mut c);
        c
    }

    #[test]
    fn rfc6265_pairs() {
        let c = run(b"  a=1 ;b = \"x y\";; c=; flag ; d=\"unterminated; e=%27%2B+");
        assert_eq!(
            c.values(),
            vec![
                ("a", "1"),
                ("b", "x y"),
                ("c", ""),
                ("", "flag"),
                ("d", "\"unterminated"),
                ("e", "'++")
            ]
        );
        assert_eq!(c.keys(), vec!["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn quoted_edge_cases() {
        let c = run(b"q=\"\"; r=\"; s==x=");
        assert_eq!(c.values(), vec![("q", ""), ("r", "\""), ("s", "=x=")]);
    }

    #[test]
    fn json_cookie_and_binary() {
        let c = run(b"prefs=%7B%22theme%22%3A%22%3Cscript%3E%22%7D; bin=\xff\x00\xfe");
        assert_eq!(
            c.values(),
            vec![("prefs:$.theme", "<script>"), ("bin", "\u{fffd}\0\u{fffd}")]
        );
    }

    #[test]
    fn stop_and_many() {
        let mut c = Collect {
            stop_after: Some(1),
            ..Collect::default()
        };
        assert_eq!(extract(b"a=1; b=2", 64, &mut c), Flow::Stop);
        let big = b"k=v; ".repeat(100_000);
        assert_eq!(run(&big).values().len(), 100_000);
    }
}
