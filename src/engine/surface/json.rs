//! A streaming JSON walker: every key and string value goes to the
//! [`Sink`] with its path (`$.user.name`, `$.items[2].id`), in one pass,
//! without building a tree.
//!
//! * Strings without escapes are passed as slices of the input; escaped
//!   ones (`\n`, `\"`, `\uXXXX` with surrogate pairs) are unescaped into one
//!   reused buffer. Numbers, booleans and `null` are skipped (they cannot
//!   carry an injection).
//! * Nesting is tracked on an explicit stack (no recursion); deeper than
//!   `max_depth` → [`Sink::limit`]`(`[`Limit::Depth`]`)` and the walk stops.
//! * Truncated input (partial inspection of the first N bytes) ends the
//!   walk quietly after emitting what was read, including a cut string.
//! * A syntax error ends the walk and reports its offset in [`Walk::error`];
//!   the body dispatcher then inspects the rest of the input as text, so
//!   appending garbage that a lenient parser accepts cannot hide a payload.
//!   Trailing commas and several top-level values (JSON Lines) are accepted.
//! * A string that is itself a JSON document (`"{\"id\": \"1\"}"`, as
//!   GraphQL `variables` or a `filter=` parameter often are) is walked as
//!   JSON, one level deep, with the location `outer:$.inner`; a string that
//!   only looks like one is inspected as it is.
//!
//! ```
//! use envoy_rasp::engine::surface::{json, Surface, testing::Collect};
//!
//! let mut sink = Collect::default();
//! json::walk(Surface::Json, br#"{"user": {"name": "O'Brien", "age": 3}, "tags": ["a\u0027"]}"#, 64, &mut sink);
//! assert_eq!(sink.values(), vec![("$.user.name", "O'Brien"), ("$.tags[0]", "a'")]);
//! assert_eq!(sink.keys(), vec!["$.user", "$.user.name", "$.user.age", "$.tags"]);
//! ```

use super::{Flow, Kind, Limit, Sink, Surface};
use crate::engine::bytes::{byte_set, decimal, find_byte2, hex, trim_with, ByteSet};

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walk {
    /// `Stop` when the sink asked to stop or a limit was reported (not on
    /// a syntax error).
    pub flow: Flow,
    /// The offset of the first syntax error, if any (the walk stopped there).
    pub error: Option<usize>,
    /// The input ended after a complete top-level value (not cut off
    /// inside a string or container, not empty).
    pub complete: bool,
}

/// Longest key copied into a path (longer keys are cut; the key itself is
/// still inspected whole).
const MAX_PATH_KEY: usize = 64;

#[derive(Clone, Copy)]
struct Frame {
    array: bool,
    index: u32,
    /// Path length of the container itself.
    base: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum St {
    Value,
    /// After `[` or `,` in an array: a value or `]`.
    ValueOrEnd,
    /// After `{` or `,` in an object: a key or `}`.
    KeyOrEnd,
    After,
}

/// Walks `input` as JSON, names rooted at `$`.
pub fn walk(surface: Surface, input: &[u8], max_depth: u32, sink: &mut dyn Sink) -> Walk {
    run(surface, b"", input, max_depth, true, sink)
}

/// Walks `input` with names rooted at `prefix` + `$`.
pub fn walk_prefixed(
    surface: Surface,
    prefix: &[u8],
    input: &[u8],
    max_depth: u32,
    sink: &mut dyn Sink,
) -> Walk {
    run(surface, prefix, input, max_depth, true, sink)
}

/// True when `v` is worth trying as an embedded JSON document: after
/// whitespace it starts with `{` and ends with `}`, or `[` … `]`.
pub fn looks_like_document(v: &[u8]) -> bool {
    if !matches!(v.first(), Some(b'{' | b'[' | b' ' | b'\t' | b'\n' | b'\r')) {
        return false;
    }
    let t = trim_with(v, &ByteSet::JSON_WHITESPACE);
    matches!(
        (t.first(), t.last()),
        (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']'))
    ) && t.len() >= 2
}

/// Inspects one value that may be an embedded JSON document: a valid
/// document is walked (names `name:$…`); anything else goes to the sink as
/// it is.
pub fn value_or_document(
    surface: Surface,
    name: &[u8],
    value: &[u8],
    max_depth: u32,
    sink: &mut dyn Sink,
) -> Flow {
    if looks_like_document(value) && is_valid(value, max_depth) {
        let mut prefix = Vec::with_capacity(name.len() + 1);
        prefix.extend_from_slice(name);
        prefix.push(b':');
        return run(surface, &prefix, value, max_depth, false, sink).flow;
    }
    sink.value(surface, name, value, Kind::Value)
}

/// True when `input` is one complete JSON document (or is cut off by the
/// depth limit, which the walk itself then reports).
pub fn is_valid(input: &[u8], max_depth: u32) -> bool {
    let mut v = Validate { depth: false };
    let w = run(Surface::Json, b"", input, max_depth, false, &mut v);
    if v.depth {
        return true;
    }
    w.error.is_none() && w.complete
}

struct Validate {
    depth: bool,
}

impl Sink for Validate {
    fn value(&mut self, _: Surface, _: &[u8], _: &[u8], _: Kind) -> Flow {
        Flow::Continue
    }
    fn xml_document(&mut self, _: Surface, _: &[u8], _: &[u8]) -> Flow {
        Flow::Continue
    }
    fn file(&mut self, _: &super::FilePart<'_>) -> Flow {
        Flow::Continue
    }
    fn limit(&mut self, _: Limit) -> Flow {
        self.depth = true;
        Flow::Stop
    }
}

/// JSON whitespace ([`ByteSet::JSON_WHITESPACE`]) as a `match`: the
/// parser loop inlines it as a bit test, cheaper than a table load there.
#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[inline]
fn skip_ws(input: &[u8], mut i: usize) -> usize {
    while input.get(i).is_some_and(|&b| is_ws(b)) {
        i += 1;
    }
    i
}

/// A scanned string: its content (in the input or the scratch buffer),
/// the offset after it, and whether its closing quote was there.
struct Str {
    end: usize,
    escaped: bool,
    start: usize,
    stop: usize,
    closed: bool,
}

/// Scans the string whose opening quote is at `q`; unescapes into
/// `scratch` when it has escapes.
fn scan_string(input: &[u8], q: usize, scratch: &mut Vec<u8>) -> Str {
    let start = q + 1;
    let Some(first) = find_byte2(input, start, b'"', b'\\') else {
        return Str {
            end: input.len(),
            escaped: false,
            start,
            stop: input.len(),
            closed: false,
        };
    };
    if input.get(first) == Some(&b'"') {
        return Str {
            end: first + 1,
            escaped: false,
            start,
            stop: first,
            closed: true,
        };
    }
    scratch.clear();
    scratch.extend_from_slice(input.get(start..first).unwrap_or_default());
    let mut i = first;
    loop {
        // input[i] is a backslash.
        let Some(&e) = input.get(i + 1) else {
            return Str {
                end: input.len(),
                escaped: true,
                start: 0,
                stop: 0,
                closed: false,
            };
        };
        let mut next = i + 2;
        match e {
            b'"' | b'\\' | b'/' => scratch.push(e),
            b'b' => scratch.push(8),
            b'f' => scratch.push(12),
            b'n' => scratch.push(b'\n'),
            b'r' => scratch.push(b'\r'),
            b't' => scratch.push(b'\t'),
            b'u' => {
                let (cp, used) = unicode_escape(input, i);
                if used == 0 {
                    // Invalid `\u`: keep it as written.
                    scratch.extend_from_slice(b"\\u");
                } else {
                    let c = char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
                    let mut buf = [0u8; 4];
                    scratch.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    next = i + used;
                }
            }
            other => {
                scratch.push(b'\\');
                scratch.push(other);
            }
        }
        match find_byte2(input, next, b'"', b'\\') {
            Some(k) => {
                scratch.extend_from_slice(input.get(next..k).unwrap_or_default());
                if input.get(k) == Some(&b'"') {
                    return Str {
                        end: k + 1,
                        escaped: true,
                        start: 0,
                        stop: 0,
                        closed: true,
                    };
                }
                i = k;
            }
            None => {
                scratch.extend_from_slice(input.get(next..).unwrap_or_default());
                return Str {
                    end: input.len(),
                    escaped: true,
                    start: 0,
                    stop: 0,
                    closed: false,
                };
            }
        }
    }
}

/// `\uXXXX` at `i` (the backslash): the code point (surrogate pairs
/// joined, lone surrogates → U+FFFD) and the bytes used (0 if invalid).
fn unicode_escape(input: &[u8], i: usize) -> (u32, usize) {
    let Some(cp) = hex::fixed(input, i + 2, 4) else {
        return (0, 0);
    };
    if (0xD800..=0xDBFF).contains(&cp) {
        if input.get(i + 6) == Some(&b'\\') && input.get(i + 7) == Some(&b'u') {
            if let Some(lo) = hex::fixed(input, i + 8, 4) {
                if (0xDC00..=0xDFFF).contains(&lo) {
                    return (0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), 12);
                }
            }
        }
        return (0xFFFD, 6);
    }
    if (0xDC00..=0xDFFF).contains(&cp) {
        return (0xFFFD, 6);
    }
    (cp, 6)
}

fn push_index(path: &mut Vec<u8>, idx: u32) {
    path.push(b'[');
    decimal::push(path, u64::from(idx));
    path.push(b']');
}

/// Bytes of keys written in dot notation: ASCII letters, digits, `_-$`,
/// and non-ASCII.
static SIMPLE_KEY: ByteSet =
    byte_set!(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'$' || c >= 0x80);

fn push_key(path: &mut Vec<u8>, key: &[u8]) {
    let key = key.get(..MAX_PATH_KEY).unwrap_or(key);
    let simple = !key.is_empty() && SIMPLE_KEY.all(key);
    if simple {
        path.push(b'.');
        path.extend_from_slice(key);
    } else {
        path.extend_from_slice(b"[\"");
        for &b in key {
            if b == b'"' || b == b'\\' {
                path.push(b'\\');
            }
            path.push(b);
        }
        path.extend_from_slice(b"\"]");
    }
}

/// One step of the walk: `Err` carries how the walk ended.
type Step = Result<(), Walk>;

/// A syntax error (`Some(offset)`) or a stop asked for by the sink or a
/// limit (`None`) ends the walk; the caller decides what to do with the
/// rest.
fn stopped(error: Option<usize>) -> Walk {
    Walk {
        flow: if error.is_some() {
            Flow::Continue
        } else {
            Flow::Stop
        },
        error,
        complete: false,
    }
}

/// The input ended inside a token (partial inspection): quietly.
const CUT: Walk = Walk {
    flow: Flow::Continue,
    error: None,
    complete: false,
};

/// The walker's state: one method per state of the grammar, one per kind
/// of value. Kept in a struct so the steps share it without a long list
/// of arguments.
struct Walker<'a, 's> {
    surface: Surface,
    input: &'a [u8],
    max_depth: usize,
    /// Try JSON-looking strings as documents.
    embed: bool,
    sink: &'s mut dyn Sink,
    /// The current location; `root` is its length at `$`.
    path: Vec<u8>,
    root: usize,
    stack: Vec<Frame>,
    /// Unescaped strings.
    scratch: Vec<u8>,
    st: St,
    i: usize,
}

impl Walker<'_, '_> {
    /// Pops the innermost container after its closing bracket.
    #[inline]
    fn close(&mut self) {
        if let Some(f) = self.stack.pop() {
            self.path.truncate(f.base);
        }
        self.i += 1;
        self.st = St::After;
    }

    /// `St::Value` / `St::ValueOrEnd`: a value (or `]` right after `[`/`,`).
    #[inline]
    fn value(&mut self, b: u8) -> Step {
        if b == b']' && self.st == St::ValueOrEnd {
            self.close();
            return Ok(());
        }
        match b {
            b'{' | b'[' => self.open(b == b'['),
            b'"' => self.string_value(),
            b'-' | b'0'..=b'9' => {
                self.i += 1;
                while self.input.get(self.i).is_some_and(|c| {
                    c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')
                }) {
                    self.i += 1;
                }
                self.st = St::After;
                Ok(())
            }
            b't' | b'f' | b'n' => self.literal(b),
            _ => Err(stopped(Some(self.i))),
        }
    }

    /// `{` or `[`: a new container, within the depth limit.
    #[inline]
    fn open(&mut self, array: bool) -> Step {
        if self.stack.len() >= self.max_depth {
            self.sink.limit(Limit::Depth);
            return Err(stopped(None));
        }
        self.stack.push(Frame {
            array,
            index: 0,
            base: self.path.len(),
        });
        if array {
            push_index(&mut self.path, 0);
            self.st = St::ValueOrEnd;
        } else {
            self.st = St::KeyOrEnd;
        }
        self.i += 1;
        Ok(())
    }

    /// A string value: to the sink, or walked as an embedded document.
    #[inline]
    fn string_value(&mut self) -> Step {
        let (surface, embed, max_depth) = (self.surface, self.embed, self.max_depth);
        let s = scan_string(self.input, self.i, &mut self.scratch);
        let v = if s.escaped {
            self.scratch.as_slice()
        } else {
            self.input.get(s.start..s.stop).unwrap_or_default()
        };
        let flow = if embed && looks_like_document(v) {
            value_or_document(surface, &self.path, v, max_depth as u32, self.sink)
        } else {
            self.sink.value(surface, &self.path, v, Kind::Value)
        };
        if flow == Flow::Stop {
            return Err(stopped(None));
        }
        if !s.closed {
            return Err(CUT);
        }
        self.i = s.end;
        self.st = St::After;
        Ok(())
    }

    /// `true`, `false` or `null` (a prefix of one when the input is cut).
    #[inline]
    fn literal(&mut self, b: u8) -> Step {
        let lit: &[u8] = match b {
            b't' => b"true",
            b'f' => b"false",
            _ => b"null",
        };
        let got = self.input.get(self.i..).unwrap_or_default();
        let n = lit.len().min(got.len());
        if got.get(..n) != lit.get(..n) {
            return Err(stopped(Some(self.i)));
        }
        if n < lit.len() {
            return Err(CUT);
        }
        self.i += n;
        self.st = St::After;
        Ok(())
    }

    /// `St::KeyOrEnd`: a key and its `:`, or `}`.
    #[inline]
    fn key_or_end(&mut self, b: u8) -> Step {
        if b == b'}' {
            self.close();
            return Ok(());
        }
        if b != b'"' {
            return Err(stopped(Some(self.i)));
        }
        let s = scan_string(self.input, self.i, &mut self.scratch);
        let k = if s.escaped {
            self.scratch.as_slice()
        } else {
            self.input.get(s.start..s.stop).unwrap_or_default()
        };
        let base = self.stack.last().map_or(self.root, |f| f.base);
        self.path.truncate(base);
        push_key(&mut self.path, k);
        if self.sink.value(self.surface, &self.path, k, Kind::Key) == Flow::Stop {
            return Err(stopped(None));
        }
        self.i = skip_ws(self.input, s.end);
        match self.input.get(self.i) {
            None => return Err(CUT),
            Some(b':') => self.i += 1,
            Some(_) => return Err(stopped(Some(self.i))),
        }
        self.st = St::Value;
        Ok(())
    }

    /// `St::After`: `,` or the container's closing bracket, or another
    /// top-level value.
    #[inline]
    fn after(&mut self, b: u8) -> Step {
        let Some(f) = self.stack.last_mut() else {
            // Another top-level value (JSON Lines).
            self.path.truncate(self.root);
            self.st = St::Value;
            return Ok(());
        };
        match b {
            b',' => {
                if f.array {
                    f.index = f.index.saturating_add(1);
                    let (base, idx) = (f.base, f.index);
                    self.path.truncate(base);
                    push_index(&mut self.path, idx);
                    self.st = St::ValueOrEnd;
                } else {
                    self.st = St::KeyOrEnd;
                }
                self.i += 1;
            }
            b']' | b'}' if (b == b']') == f.array => {
                let base = f.base;
                self.stack.pop();
                self.path.truncate(base);
                self.i += 1;
            }
            _ => return Err(stopped(Some(self.i))),
        }
        Ok(())
    }

    /// Runs the state machine to the end of the input or of the walk.
    fn walk(&mut self) -> Walk {
        loop {
            self.i = skip_ws(self.input, self.i);
            let Some(&b) = self.input.get(self.i) else {
                return Walk {
                    flow: Flow::Continue,
                    error: None,
                    complete: self.st == St::After && self.stack.is_empty(),
                };
            };
            let step = match self.st {
                St::Value | St::ValueOrEnd => self.value(b),
                St::KeyOrEnd => self.key_or_end(b),
                St::After => self.after(b),
            };
            if let Err(end) = step {
                return end;
            }
        }
    }
}

/// The walker proper. `embed`: try JSON-looking strings as documents.
fn run(
    surface: Surface,
    prefix: &[u8],
    input: &[u8],
    max_depth: u32,
    embed: bool,
    sink: &mut dyn Sink,
) -> Walk {
    let mut path: Vec<u8> = Vec::with_capacity(prefix.len() + 64);
    path.extend_from_slice(prefix);
    path.push(b'$');
    let root = path.len();
    Walker {
        surface,
        input,
        max_depth: max_depth as usize,
        embed,
        sink,
        path,
        root,
        stack: Vec::new(),
        scratch: Vec::new(),
        st: St::Value,
        i: 0,
    }
    .walk()
}

#[cfg(test)]
mod tests {
    use super::super::testing::Collect;
    use super::*;

    fn walk_all(input: &[u8]) -> (Collect, Walk) {
        let mut c = Collect::default();
        let w = walk(Surface::Json, input, 64, &mut c);
        (c, w)
    }

    #[test]
    fn paths_and_values() {
        let (c, w) = walk_all(
            br#" {"a": {"b": [1, "x", {"c": "y"}, [true, null, "z"]]}, "we.ird": "w", "": "e", "n": -1.5e+3}"#,
        );
        assert_eq!(w.error, None);
        assert_eq!(
            c.values(),
            vec![
                ("$.a.b[1]", "x"),
                ("$.a.b[2].c", "y"),
                ("$.a.b[3][2]", "z"),
                ("$[\"we.ird\"]", "w"),
                ("$[\"\"]", "e"),
            ]
        );
        assert_eq!(
            c.keys(),
            vec![
                "$.a",
                "$.a.b",
                "$.a.b[2].c",
                "$[\"we.ird\"]",
                "$[\"\"]",
                "$.n"
            ]
        );
    }

    #[test]
    fn escapes_and_unicode() {
        let (c, _) =
            walk_all(br#"["a\"b\\c\/d\n", "\u0027 OR \u00e9 \ud83d\ude00 \ud800 x", "\q\u12"]"#);
        assert_eq!(
            c.values(),
            vec![
                ("$[0]", "a\"b\\c/d\n"),
                ("$[1]", "' OR é 😀 \u{fffd} x"),
                ("$[2]", "\\q\\u12"),
            ]
        );
    }

    #[test]
    fn top_level_scalars_and_lines() {
        let (c, w) = walk_all(b"\"top\"\n{\"a\":\"1\"}\n{\"a\":\"2\"}\n");
        assert_eq!(w.error, None);
        assert_eq!(c.values(), vec![("$", "top"), ("$.a", "1"), ("$.a", "2")]);
    }

    #[test]
    fn trailing_commas_are_tolerated() {
        let (c, w) = walk_all(br#"{"a": ["x",], "b": "y",}"#);
        assert_eq!(w.error, None);
        assert_eq!(c.values(), vec![("$.a[0]", "x"), ("$.b", "y")]);
    }

    #[test]
    fn syntax_errors_report_offset() {
        for (doc, at) in [
            (&br#"{"a": 'x'}"#[..], 6),
            (br#"{"a" "x"}"#, 5),
            (br#"{a: 1}"#, 1),
            (br#"["a" "b"]"#, 5),
            (br#"[1, tru]"#, 4),
            (br#"{"a": 1]"#, 7),
            (b"<xml/>", 0),
            (b"NaN", 0),
        ] {
            let (_, w) = walk_all(doc);
            assert_eq!(w.error, Some(at), "{}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn truncated_input_emits_what_was_read() {
        let (c, w) = walk_all(br#"{"a": "complete", "b": "cut of"#);
        assert_eq!(w.error, None);
        assert_eq!(c.values(), vec![("$.a", "complete"), ("$.b", "cut of")]);
        let (c, _) = walk_all(br#"{"a": "esc\"aped cut"#);
        assert_eq!(c.values(), vec![("$.a", "esc\"aped cut")]);
        let (c, _) = walk_all(br#"{"a": "esc\"#);
        assert_eq!(c.values(), vec![("$.a", "esc")]);
        for cut in [
            &b"{"[..],
            b"{\"",
            b"{\"k",
            b"{\"k\"",
            b"{\"k\":",
            b"[tr",
            b"[1,",
            b"\"\\u00",
        ] {
            let (_, w) = walk_all(cut);
            assert_eq!(w.error, None, "{cut:?}");
        }
    }

    #[test]
    fn depth_limit() {
        let deep = format!("{}\"x\"{}", "[".repeat(10_000), "]".repeat(10_000));
        let (c, w) = walk_all(deep.as_bytes());
        assert_eq!(w.flow, Flow::Stop);
        assert_eq!(c.limits, vec![Limit::Depth]);
        assert!(c.items.is_empty());
        let ok = format!("{}\"x\"{}", "[".repeat(64), "]".repeat(64));
        let (c, w) = walk_all(ok.as_bytes());
        assert_eq!(w.flow, Flow::Continue);
        assert_eq!(c.items.len(), 1);
        // Without a limit, 10,000 levels are walked without recursion.
        let mut c = Collect::default();
        let objs = format!("{}\"x\"{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
        let w = walk(Surface::Json, objs.as_bytes(), u32::MAX, &mut c);
        assert_eq!(w.flow, Flow::Continue);
        assert_eq!(w.error, None);
        assert_eq!(c.values().len(), 1);
    }

    #[test]
    fn sink_stop_is_honoured() {
        let mut c = Collect {
            stop_after: Some(2),
            ..Collect::default()
        };
        let w = walk(Surface::Json, br#"["a","b","c","d"]"#, 64, &mut c);
        assert_eq!(w.flow, Flow::Stop);
        assert_eq!(c.items.len(), 2);
    }

    #[test]
    fn embedded_documents() {
        let (c, _) = walk_all(
            br#"{"query": "query Q($id: ID!) { user(id: $id) { name } }", "variables": "{\"id\": \"1' or 1=1\"}", "x": "{not json}"}"#,
        );
        assert_eq!(
            c.values(),
            vec![
                ("$.query", "query Q($id: ID!) { user(id: $id) { name } }"),
                ("$.variables:$.id", "1' or 1=1"),
                ("$.x", "{not json}"),
            ]
        );
        assert!(c.keys().contains(&"$.variables:$.id"));
        // Only one level: a document in a document in a string is a value.
        let (c, _) = walk_all(br#"["{\"a\": \"[\\\"x\\\"]\"}"]"#);
        assert_eq!(c.values(), vec![("$[0]:$.a", "[\"x\"]")]);
    }

    #[test]
    fn graphql_variables_object() {
        let (c, _) = walk_all(
            br#"{"operationName":"Q","query":"{ a }","variables":{"name":"<svg onload=x>"}}"#,
        );
        assert_eq!(
            c.values(),
            vec![
                ("$.operationName", "Q"),
                ("$.query", "{ a }"),
                ("$.variables.name", "<svg onload=x>")
            ]
        );
    }

    #[test]
    fn adversarial_inputs() {
        for doc in [
            vec![b'['; 1_000_000],
            vec![b'"'; 1_000_000],
            b"\"\\".repeat(500_000),
            b"{\"a\":".repeat(100_000),
            b"[\"\\ud800".repeat(100_000),
            vec![0u8; 100_000],
            (0..=255u8).cycle().take(100_000).collect(),
        ] {
            let mut c = Collect::default();
            let _ = walk(Surface::Json, &doc, 64, &mut c);
        }
        // 100,000 values are walked (the sink's limit is the inspector's).
        let many = format!("[{}\"z\"]", "\"v\",".repeat(100_000));
        let (c, w) = walk_all(many.as_bytes());
        assert_eq!(w.error, None);
        assert_eq!(c.items.len(), 100_001);
        assert_eq!(c.values().last().copied(), Some(("$[100000]", "z")));
    }

    #[test]
    fn fuzz_prefixes_never_panic() {
        crate::testing::hang_guard("json: fuzz prefixes", || {
            let doc =
                br#"{"a":[1,"x\u00e9\"",{"b":null,"c":[true,false,"{\"d\":\"e\"}"]}],"f":-0.5e3}"#;
            for cut in 0..=doc.len() {
                let (_, w) = walk_all(&doc[..cut]);
                assert_eq!(w.error, None, "cut at {cut}");
            }
            let mut seed = 1u64;
            for _ in 0..2000 {
                let mut d = doc.to_vec();
                for _ in 0..3 {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    let at = (seed >> 33) as usize % d.len();
                    d[at] = (seed >> 13) as u8;
                }
                let _ = walk_all(&d);
            }
        });
    }
}
