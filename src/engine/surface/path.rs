//! The URL path: the whole decoded path, its segments and matrix
//! parameters; and [`canonical_path`], the form allowlists and rate-limit
//! rules match against.
//!
//! * The whole path, percent-decoded once, with the name `""` (location
//!   `path`): traversal and anything spanning segments is read here.
//! * Each segment that holds more than plain characters (letters, digits,
//!   `-._~`), named by its 1-based position among the non-empty segments
//!   (`path:3`), so detectors read a REST parameter (`/users/1' or '1'='1`)
//!   as the value it is, without the path around it. Segments are split on
//!   the raw `/` before decoding (an encoded `%2F` stays inside its
//!   segment, as routers see it). Plain segments are not sent again: they
//!   cannot hold anything the whole path did not show.
//! * Matrix parameters (`/app;jsessionid=abc/items;color=red`): each name
//!   (as [`Kind::Key`]) and value, named by the parameter name.
//!
//! ```
//! use envoy_rasp::engine::surface::{path, testing::Collect};
//!
//! let mut sink = Collect::default();
//! path::extract(b"/users/O%27Brien;v=1/orders", &mut sink);
//! assert_eq!(
//!     sink.values(),
//!     vec![("", "/users/O'Brien;v=1/orders"), ("2", "O'Brien"), ("v", "1")]
//! );
//! ```

use super::{Flow, Kind, Sink, Surface};
use crate::engine::bytes::decimal;
use crate::engine::decode::percent_decode;

fn plain(seg: &[u8]) -> bool {
    seg.iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Sends the path (without query string) to `sink`.
pub fn extract(path: &[u8], sink: &mut dyn Sink) -> Flow {
    let whole = percent_decode(path, false);
    if sink.value(Surface::Path, b"", &whole, Kind::Value) == Flow::Stop {
        return Flow::Stop;
    }
    let segments = path.split(|&b| b == b'/').filter(|s| !s.is_empty());
    let single = path
        .split(|&b| b == b'/')
        .filter(|s| !s.is_empty())
        .nth(1)
        .is_none();
    let mut num = [0u8; decimal::MAX_LEN];
    for (idx, seg) in segments.enumerate() {
        let mut parts = seg.split(|&b| b == b';');
        let head = parts.next().unwrap_or_default();
        let has_matrix = head.len() < seg.len();
        if !plain(head) && (!single || has_matrix) {
            let name = decimal::format(idx as u64 + 1, &mut num);
            let v = percent_decode(head, false);
            if sink.value(Surface::Path, name, &v, Kind::Value) == Flow::Stop {
                return Flow::Stop;
            }
        }
        for param in parts {
            if param.is_empty() {
                continue;
            }
            let (k, v) = match param.iter().position(|&b| b == b'=') {
                Some(i) => (
                    param.get(..i).unwrap_or_default(),
                    param.get(i + 1..).unwrap_or_default(),
                ),
                None => (param, &b""[..]),
            };
            let k = percent_decode(k, false);
            if !k.is_empty() && sink.value(Surface::Path, &k, &k, Kind::Key) == Flow::Stop {
                return Flow::Stop;
            }
            let v = percent_decode(v, false);
            if sink.value(Surface::Path, &k, &v, Kind::Value) == Flow::Stop {
                return Flow::Stop;
            }
        }
    }
    Flow::Continue
}

/// Percent-decodes a path and removes dot segments (RFC 3986 §5.2.4), for
/// allowlist and rate-limit rule matching. Backslashes count as slashes.
///
/// ```
/// use envoy_rasp::engine::surface::path::canonical_path;
///
/// assert_eq!(canonical_path(b"/a/./b/../c"), "/a/c");
/// assert_eq!(canonical_path(b"/x/..%5cLogin"), "/Login");
/// ```
pub fn canonical_path(path: &[u8]) -> String {
    // Fast path: nothing to decode and no dot segments or backslashes.
    let plain = path.first() == Some(&b'/')
        && !path.iter().any(|&b| b == b'%' || b == b'\\' || b >= 0x80)
        && !path.windows(2).any(|w| w == b"/." || w == b"//");
    if plain {
        return String::from_utf8_lossy(path).into_owned();
    }
    let decoded = percent_decode(path, false);
    let text = String::from_utf8_lossy(&decoded).replace('\\', "/");
    let mut out: Vec<&str> = Vec::new();
    for seg in text.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut s = String::with_capacity(text.len() + 1);
    for seg in &out {
        s.push('/');
        s.push_str(seg);
    }
    if s.is_empty() || text.ends_with('/') {
        s.push('/');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::testing::Collect;
    use super::*;

    fn run(p: &[u8]) -> Collect {
        let mut c = Collect::default();
        extract(p, &mut c);
        c
    }

    #[test]
    fn whole_segments_and_matrix() {
        let c = run(b"/api/v1/users/1%27%20or%20%271%27%3D%271/x%2Fy;jsessionid=ABC;flag/");
        assert_eq!(
            c.values(),
            vec![
                ("", "/api/v1/users/1' or '1'='1/x/y;jsessionid=ABC;flag/"),
                ("4", "1' or '1'='1"),
                ("5", "x/y"),
                ("jsessionid", "ABC"),
                ("flag", ""),
            ]
        );
        assert_eq!(c.keys(), vec!["jsessionid", "flag"]);
    }

    #[test]
    fn plain_and_single_segments_are_not_repeated() {
        assert_eq!(run(b"/").values(), vec![("", "/")]);
        assert_eq!(run(b"/index.html").values(), vec![("", "/index.html")]);
        assert_eq!(run(b"/a%20b").values(), vec![("", "/a b")]);
        assert_eq!(run(b"").values(), vec![("", "")]);
        assert_eq!(
            run(b"/../../etc/passwd").values(),
            vec![("", "/../../etc/passwd")]
        );
    }

    #[test]
    fn many_segments() {
        let p = b"/%27".repeat(100_000);
        let c = run(&p);
        assert_eq!(c.values().len(), 100_001);
        assert_eq!(c.values()[100_000].0, "100000");
    }
}
