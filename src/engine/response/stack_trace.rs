//! Stack traces an application printed into a response: Java frames
//! (`at com.x.Y.m(Y.java:42)`), Python tracebacks, PHP fatal errors with
//! their `on line N`, .NET frames (`in C:\src\X.cs:line 42`) and Node.js
//! frames (`at f (/app/x.js:10:5)`).
//!
//! Frames are recognised by their whole shape, anchored on the file
//! extension and line number: an indented `at` at a line start, a
//! qualified name, and `(File.java:N)`. A sentence that mentions Java or a
//! line number is not a frame. A match is one frame or header line (at
//! most [`LINE`] bytes).

use super::shape::{digits, line_begin, line_end, line_start, run_back};
use super::{Leak, LeakKind, MAX_HITS};
use crate::engine::bytes::{byte_set, find, find_ci, ByteSet};

/// Longest frame or header line a match covers.
const LINE: usize = 256;

/// What a Java method reference is made of (`com.x.Y$Inner.<init>`).
static JAVA_NAME: ByteSet =
    byte_set!(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.' | b'<' | b'>'));

/// What a Java source file name is made of.
static FILE_NAME: ByteSet =
    byte_set!(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-'));

/// What a script path is made of (`/app/node_modules/x/index.js`,
/// `file:///C:/app/x.mjs`).
static PATH: ByteSet = byte_set!(|b| b.is_ascii_alphanumeric()
    || matches!(
        b,
        b'_' | b'$' | b'-' | b'.' | b'/' | b'\\' | b':' | b'@' | b'~' | b'+'
    ));

/// Appends the stack trace lines in `hay`.
pub fn scan(hay: &[u8], out: &mut Vec<Leak>) {
    anchored(hay, out, b".java:", java, "response.stack_trace.java");
    for ext in [&b".js:"[..], b".mjs:", b".cjs:", b".ts:"] {
        anchored(hay, out, ext, node, "response.stack_trace.node");
    }
    anchored(
        hay,
        out,
        b".cs:line ",
        dotnet,
        "response.stack_trace.dotnet",
    );
    phrase(
        hay,
        out,
        b"Traceback (most recent call last):",
        "response.stack_trace.python",
    );
    php(hay, out);
}

/// A frame shape: given the anchor's position and its end, where the
/// frame starts and where the bytes that decide it end.
type Shape = fn(&[u8], usize, usize) -> Option<(usize, usize)>;

/// Each `anchor` that `shape` accepts: the frame's line is the match.
/// `shape` answers where the frame starts.
fn anchored(hay: &[u8], out: &mut Vec<Leak>, anchor: &[u8], shape: Shape, rule: &'static str) {
    let mut from = 0;
    while out.len() < MAX_HITS {
        let Some(at) = find(hay, from, anchor) else {
            return;
        };
        let after = at + anchor.len();
        if let Some((start, decided)) = shape(hay, at, after) {
            let end = line_end(hay, after, LINE).max(decided);
            out.push(Leak::new(LeakKind::StackTrace, rule, start, end).decided_at(decided));
        }
        from = after;
    }
}

fn phrase(hay: &[u8], out: &mut Vec<Leak>, text: &[u8], rule: &'static str) {
    let mut from = 0;
    while out.len() < MAX_HITS {
        let Some(at) = find(hay, from, text) else {
            return;
        };
        let end = line_end(hay, at, LINE).max(at + text.len());
        out.push(Leak::new(LeakKind::StackTrace, rule, at, end).decided_at(at + text.len()));
        from = at + text.len();
    }
}

/// `at` (after a line start and indentation) then a method reference;
/// the start of `at`, when `name_end` is preceded by it.
fn frame_start(hay: &[u8], name_start: usize) -> Option<usize> {
    let at = name_start.checked_sub(3)?;
    if hay.get(at..name_start) != Some(b"at ") {
        return None;
    }
    line_start(hay, at).map(|_| at)
}

/// `(File.java:N)` after `at a.b.C.m`: the anchor is `.java:` and `after`
/// is where the line number starts.
fn java(hay: &[u8], at: usize, after: usize) -> Option<(usize, usize)> {
    let n = digits(hay, after, 7);
    if n == after || hay.get(n) != Some(&b')') {
        return None;
    }
    let file = run_back(hay, at, 128, &FILE_NAME);
    if file == at || file == 0 || hay.get(file - 1) != Some(&b'(') {
        return None;
    }
    let open = file - 1;
    let name = run_back(hay, open, 200, &JAVA_NAME);
    let qualified = hay.get(name..open).is_some_and(|s| s.contains(&b'.'));
    if !qualified {
        return None;
    }
    frame_start(hay, name).map(|s| (s, n + 1))
}

/// `path.js:N:N` at the end of an `at` frame: `at f (/app/x.js:3:7)` or
/// `at /app/x.js:3:7`.
fn node(hay: &[u8], at: usize, after: usize) -> Option<(usize, usize)> {
    let line = digits(hay, after, 7);
    if line == after || hay.get(line) != Some(&b':') {
        return None;
    }
    let col = digits(hay, line + 1, 7);
    if col == line + 1 {
        return None;
    }
    let path = run_back(hay, at, 200, &PATH);
    if path == at {
        return None;
    }
    let start = match path.checked_sub(1).and_then(|p| hay.get(p)) {
        Some(b'(') if hay.get(col) == Some(&b')') => {
            // `at name (path…)`: the name runs back to `at `.
            let name = run_back(hay, path - 1, 1, &byte_set!(|b| b == b' '));
            let name = run_back(hay, name, 200, &JAVA_NAME);
            let name = run_back(
                hay,
                name,
                64,
                &byte_set!(|b| b == b' ' || b.is_ascii_alphanumeric()),
            );
            frame_start(hay, name).or_else(|| at_in_line(hay, path))
        }
        Some(b' ') => frame_start(hay, path),
        _ => None,
    }?;
    Some((start, col + 1))
}

/// Node's async and constructor frames (`at async Promise.all (index 0)`,
/// `at new Foo (/x.js:1:2)`): an indented `at ` earlier on the same line.
fn at_in_line(hay: &[u8], i: usize) -> Option<usize> {
    let begin = line_begin(hay, i, 200);
    let line = hay.get(begin..i)?;
    let k = find(line, 0, b"at ")?;
    line_start(hay, begin + k).map(|_| begin + k)
}

/// ` in C:\src\X.cs:line N` after `at A.B.M(...)`: the anchor is
/// `.cs:line `.
fn dotnet(hay: &[u8], at: usize, after: usize) -> Option<(usize, usize)> {
    let n = digits(hay, after, 7);
    if n == after {
        return None;
    }
    let begin = line_begin(hay, at, 400);
    let line = hay.get(begin..at)?;
    let k = find(line, 0, b"at ")?;
    let rest = line.get(k..)?;
    (rest.contains(&b'(') && find(rest, 0, b") in ").is_some())
        .then_some((begin + k, n))
        .filter(|&(s, _)| line_start(hay, s).is_some())
}

/// The heads of PHP's error lines, and whether the line must also name a
/// `.php` file (a `Warning:` alone is common prose).
const PHP_HEADS: [(&[u8], bool); 5] = [
    (b"fatal error", false),
    (b"parse error", false),
    (b"warning", true),
    (b"notice", true),
    (b"deprecated", true),
];

/// PHP's `Fatal error: … in /x.php on line N` (`<b>` tags allowed, as
/// PHP's HTML errors write them), anchored on ` on line `. The head is
/// looked for once per line, in the bytes between one anchor and the next,
/// so a line of many anchors costs what its length does.
fn php(hay: &[u8], out: &mut Vec<Leak>) {
    // (line start, head start if found, where the search stopped)
    let mut line: Option<(usize, Option<usize>, usize)> = None;
    let mut from = 0;
    while out.len() < MAX_HITS {
        let Some(at) = find(hay, from, b" on line ") else {
            return;
        };
        from = at + 9;
        let n = if hay.get(from..from + 3) == Some(b"<b>") {
            from + 3
        } else {
            from
        };
        let decided = digits(hay, n, 7);
        if decided == n {
            continue;
        }
        // The line start, looked for back to the previous anchor only.
        let begin = match line {
            Some((b, _, prev)) if line_begin(hay, at, at - prev) == prev => b,
            _ => line_begin(hay, at, 400),
        };
        let (head, searched) = match line {
            Some((b, head, searched)) if b == begin => (head, searched),
            _ => (None, begin),
        };
        let head = head.or_else(|| php_head(hay, searched.saturating_sub(16).max(begin), at));
        line = Some((begin, head, at));
        if let Some(start) = head {
            let end = line_end(hay, decided, LINE).max(decided);
            let leak = Leak::new(LeakKind::StackTrace, "response.stack_trace.php", start, end);
            out.push(leak.decided_at(decided));
            line = None;
            from = end.max(from);
        }
    }
}

/// The start of a PHP error head (`Fatal error:`, `<b>Warning</b>:`) in
/// `hay[from..to]`, when the line names a `.php` file where needed.
fn php_head(hay: &[u8], from: usize, to: usize) -> Option<usize> {
    let part = hay.get(from..to)?;
    let php_file = find_ci(part, b".php").is_some();
    for (head, needs_file) in PHP_HEADS {
        let Some(k) = find_ci(part, head) else {
            continue;
        };
        let after = k + head.len();
        let after = if part.get(after..after + 4) == Some(b"</b>") {
            after + 4
        } else {
            after
        };
        if part.get(after) == Some(&b':') && (php_file || !needs_file) {
            let start = run_back(
                part,
                k,
                3,
                &byte_set!(|b| b == b'<' || b == b'b' || b == b'>'),
            );
            return Some(from + start);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(hay: &[u8]) -> Vec<&'static str> {
        let mut out = Vec::new();
        scan(hay, &mut out);
        out.iter().map(|l| l.rule).collect()
    }

    #[test]
    fn traces() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"java.lang.NullPointerException\n\tat com.acme.shop.Cart.total(Cart.java:42)\n",
                "response.stack_trace.java",
            ),
            (
                b"Caused by: x\n    at org.h2.Driver.<init>(Driver.java:7)",
                "response.stack_trace.java",
            ),
            (
                b"{\"trace\":\"Error\\n    at com.a.B.c(B.java:1)\"}",
                "response.stack_trace.java",
            ),
            (
                b"Traceback (most recent call last):\n  File \"app.py\", line 3",
                "response.stack_trace.python",
            ),
            (
                b"<b>Fatal error</b>:  Uncaught Error: x in /var/www/a.php:3 on line <b>3</b>",
                "response.stack_trace.php",
            ),
            (
                b"PHP Warning:  include(x): failed in /srv/index.php on line 12",
                "response.stack_trace.php",
            ),
            (
                b"   at Shop.Cart.Total(Int32 id) in C:\\src\\Cart.cs:line 42",
                "response.stack_trace.dotnet",
            ),
            (
                b"TypeError: x\n    at Object.handler (/app/src/routes.js:10:15)\n",
                "response.stack_trace.node",
            ),
            (
                b"Error\n    at /app/index.mjs:3:7",
                "response.stack_trace.node",
            ),
            (
                b"Error\n    at new Foo (/app/foo.js:3:7)",
                "response.stack_trace.node",
            ),
        ];
        for (hay, rule) in cases {
            assert!(
                rules(hay).contains(rule),
                "{}",
                String::from_utf8_lossy(hay)
            );
        }
    }

    #[test]
    fn prose_is_not_a_trace() {
        for hay in [
            &b"We met at Main.java:3 pm, in the park."[..],
            b"see index.js:10:5 for details",
            b"Look at the file (Foo.java:12) closely",
            b"The error was fixed on line 3 of the manual.",
            b"A warning: do not run on line 4",
            b"python Traceback (most recent call) docs",
        ] {
            assert!(rules(hay).is_empty(), "{}", String::from_utf8_lossy(hay));
        }
    }
}
