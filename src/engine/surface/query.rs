//! `application/x-www-form-urlencoded` pairs: query strings and form bodies.
//!
//! [`extract`] sends every parameter name (as [`Kind::Key`]) and value to
//! the sink, percent-decoded with `+` as space, named by the decoded key as
//! written (`a[]`, `a[b][c]`: the bracket forms are kept in the name).
//! Pairs are separated by `&` only (`;` is not a separator for today's
//! frameworks; a value containing it is inspected whole, so nothing hides).
//!
//! **Parameter pollution.** Every occurrence of a repeated key is inspected
//! on its own, and — like ASP.NET, which hands the application the values
//! joined with commas (`a=1'&a=or 1=1` → `1',or 1=1`) — the comma-joined
//! concatenation is inspected too, under the same name. The joined value is
//! only built when one of the values holds a byte other than letters,
//! digits, space and `-_.` (comma-joined plain words carry no syntax an
//! attack could use, and `id=1&id=2&…` lists are common), so the usual case
//! costs one pass and no allocation. Keys are grouped ASCII
//! case-insensitively, as ASP.NET does.
//!
//! A value that is itself a JSON document (`filter={"name":"x"}`) is walked
//! as JSON, named `filter:$.name` (see [`super::json::value_or_document`]).
//!
//! ```
//! use envoy_rasp::engine::surface::{query, Surface, testing::Collect};
//!
//! let mut sink = Collect::default();
//! query::extract(Surface::Query, b"id=1/*&id=*/union/*&id=*/select+1&a[]=x", 64, &mut sink);
//! assert_eq!(
//!     sink.values(),
//!     vec![("id", "1/*"), ("id", "*/union/*"), ("id", "*/select 1"), ("a[]", "x"),
//!          ("id", "1/*,*/union/*,*/select 1")]
//! );
//! ```

use std::borrow::Cow;

use super::{json, Flow, Kind, Sink, Surface};
use crate::engine::decode::percent_decode;
use crate::engine::hash::fnv1a64_ci;

/// Calls `f(name, value)` for each `&`-separated pair, both percent-decoded
/// with `+` as space. A pair without `=` has an empty value. Empty pairs
/// are skipped. Stops when `f` returns `false`.
pub fn for_each_pair<'a>(input: &'a [u8], mut f: impl FnMut(Cow<'a, [u8]>, Cow<'a, [u8]>) -> bool) {
    for pair in input.split(|&b| b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = split_pair(pair);
        if !f(percent_decode(k, true), percent_decode(v, true)) {
            return;
        }
    }
}

fn split_pair(pair: &[u8]) -> (&[u8], &[u8]) {
    match pair.iter().position(|&b| b == b'=') {
        Some(i) => (
            pair.get(..i).unwrap_or_default(),
            pair.get(i + 1..).unwrap_or_default(),
        ),
        None => (pair, &b""[..]),
    }
}

/// A value that cannot contribute syntax to a joined concatenation.
fn inert(v: &[u8]) -> bool {
    v.iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_' | b'.'))
}

/// Sends the pairs of `input` to `sink` (see the [module docs](self)).
/// `prefix` is prepended to every name (for forms nested in a multipart
/// part); `max_depth` bounds embedded JSON documents.
pub fn extract(surface: Surface, input: &[u8], max_depth: u32, sink: &mut dyn Sink) -> Flow {
    extract_prefixed(surface, b"", input, max_depth, sink)
}

/// [`extract`] with a name prefix.
pub fn extract_prefixed(
    surface: Surface,
    prefix: &[u8],
    input: &[u8],
    max_depth: u32,
    sink: &mut dyn Sink,
) -> Flow {
    let mut flow = Flow::Continue;
    // A 1024-bit filter of the keys seen: a set bit seen again means the
    // key may repeat (exact grouping happens only then).
    let mut seen = [0u64; 16];
    let mut maybe_repeat = false;
    let mut name: Vec<u8> = Vec::new();
    for_each_pair(input, |k, v| {
        let h = fnv1a64_ci(&k);
        let (word, bit) = ((h >> 6) as usize % 16, 1u64 << (h & 63));
        if let Some(w) = seen.get_mut(word) {
            maybe_repeat |= *w & bit != 0;
            *w |= bit;
        }
        let n: &[u8] = if prefix.is_empty() {
            &k
        } else {
            name.clear();
            name.extend_from_slice(prefix);
            name.extend_from_slice(&k);
            &name
        };
        if !k.is_empty() {
            flow = sink.value(surface, n, &k, Kind::Key);
        }
        if flow == Flow::Continue {
            flow = if json::looks_like_document(&v) {
                json::value_or_document(surface, n, &v, max_depth, sink)
            } else {
                sink.value(surface, n, &v, Kind::Value)
            };
        }
        flow == Flow::Continue
    });
    if flow == Flow::Stop || !maybe_repeat {
        return flow;
    }
    joined(surface, prefix, input, sink)
}

type Pair<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// Inspects the comma-joined values of each repeated key.
fn joined(surface: Surface, prefix: &[u8], input: &[u8], sink: &mut dyn Sink) -> Flow {
    let mut pairs: Vec<Pair<'_>> = Vec::new();
    for_each_pair(input, |k, v| {
        pairs.push((k, v));
        true
    });
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    let key = |i: &usize| pairs.get(*i).map(|p| p.0.as_ref()).unwrap_or_default();
    order.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.iter()
            .map(u8::to_ascii_lowercase)
            .cmp(kb.iter().map(u8::to_ascii_lowercase))
            .then(a.cmp(b))
    });
    let mut out: Vec<u8> = Vec::new();
    let mut name: Vec<u8> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let first_key = order.get(start).map(key).unwrap_or_default();
        let mut end = start + 1;
        while order
            .get(end)
            .is_some_and(|i| key(i).eq_ignore_ascii_case(first_key))
        {
            end += 1;
        }
        let group = order.get(start..end).unwrap_or_default();
        let worth = group.len() > 1
            && group
                .iter()
                .any(|i| !inert(pairs.get(*i).map(|p| p.1.as_ref()).unwrap_or_default()));
        if worth {
            // Joined in request order (the group is sorted by position).
            out.clear();
            for (n, i) in group.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(pairs.get(*i).map(|p| p.1.as_ref()).unwrap_or_default());
            }
            name.clear();
            name.extend_from_slice(prefix);
            name.extend_from_slice(first_key);
            if sink.value(surface, &name, &out, Kind::Value) == Flow::Stop {
                return Flow::Stop;
            }
        }
        start = end;
    }
    Flow::Continue
}

#[cfg(test)]
mod tests {
    use super::super::testing::Collect;
    use super::*;

    fn pairs(s: &str) -> Vec<(String, String)> {
        let mut out = vec![];
        for_each_pair(s.as_bytes(), |k, v| {
            out.push((
                String::from_utf8_lossy(&k).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            ));
            true
        });
        out
    }

    fn run(s: &[u8]) -> Collect {
        let mut c = Collect::default();
        extract(Surface::Query, s, 64, &mut c);
        c
    }

    #[test]
    fn splits_and_decodes() {
        assert_eq!(
            pairs("a=1&b=x+y%21&&c&d="),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y!".into()),
                ("c".into(), "".into()),
                ("d".into(), "".into())
            ]
        );
        assert_eq!(
            pairs("=v&a==b"),
            vec![("".into(), "v".into()), ("a".into(), "=b".into())]
        );
    }

    #[test]
    fn keys_values_and_bracket_names() {
        let c = run(b"a[]=1&a[]=2&user[name]=bob&%3Cscript%3E=x");
        assert_eq!(
            c.values(),
            vec![
                ("a[]", "1"),
                ("a[]", "2"),
                ("user[name]", "bob"),
                ("<script>", "x")
            ]
        );
        assert_eq!(c.keys(), vec!["a[]", "a[]", "user[name]", "<script>"]);
    }

    #[test]
    fn pollution_joins_like_aspnet() {
        let c = run(b"a=1'&b=2&A=or 1=1");
        assert_eq!(c.values().last().copied(), Some(("a", "1',or 1=1")));
        // Plain repeated values are not joined.
        let c = run(b"id=1&id=2&id=3&tag=red&tag=dark+blue");
        assert_eq!(c.values().len(), 5);
        // Not repeated: no join.
        let c = run(b"x=1'&y=or 1=1");
        assert_eq!(c.values().len(), 2);
    }

    #[test]
    fn embedded_json_values() {
        let c = run(b"filter=%7B%22name%22%3A%22x%27%20or%201%3D1%22%7D&q=%7Bnope%7D");
        assert_eq!(
            c.values(),
            vec![("filter:$.name", "x' or 1=1"), ("q", "{nope}")]
        );
    }

    #[test]
    fn stop_and_many_params() {
        let mut c = Collect {
            stop_after: Some(3),
            ..Collect::default()
        };
        assert_eq!(
            extract(Surface::Query, b"a=1&b=2&c=3&d=4", 64, &mut c),
            Flow::Stop
        );
        assert_eq!(c.items.len(), 3);
        let big: Vec<u8> = (0..100_000)
            .flat_map(|i| format!("p{i}=v{i}&").into_bytes())
            .collect();
        let c = run(&big);
        assert_eq!(c.values().len(), 100_000);
        let same = b"a=%27&".repeat(100_000);
        let c = run(&same);
        assert_eq!(c.values().len(), 100_001);
        assert_eq!(c.values().last().map(|v| v.1.len()), Some(199_999));
    }

    #[test]
    fn prefixed_names() {
        let mut c = Collect::default();
        extract_prefixed(Surface::Multipart, b"meta:", b"a=1&a=%27", 64, &mut c);
        assert_eq!(
            c.values(),
            vec![("meta:a", "1"), ("meta:a", "'"), ("meta:a", "1,'")]
        );
    }
}
