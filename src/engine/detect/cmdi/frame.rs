//! Stack-trace frames: the lines error reports carry (`at fn (app.js:1:2)`,
//! `at https://cdn.example/app.js:1:4232`, `at java.lang.Thread.run(Thread.java:750)`,
//! `at Array.map (<anonymous>)`). They start with the word `at`, which is
//! also a shell command (the job scheduler), so a trace in a JSON error
//! report otherwise reads as a command chained after a newline.
//!
//! A frame names a *source location* where a command line names arguments:
//! its last token is a file position (`:line` or `:line:column`), or a
//! parenthesised position or one of the engines' placeholders for code
//! without a file (`native`, `<anonymous>`, `Unknown Source`). A line with
//! a shell separator or substitution in it is never a frame, so
//! `at now; id` and `at $(id)` are still read as commands.

/// True when `line` (from the command word to the end of the line) is a
/// stack frame.
pub(super) fn stack_frame(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"at") else {
        return false;
    };
    if !rest.first().is_some_and(|&b| b == b' ' || b == b'\t') {
        return false;
    }
    if rest
        .iter()
        .any(|&b| matches!(b, b';' | b'|' | b'&' | b'`' | b'\n'))
        || rest.windows(2).any(|w| w == b"$(")
    {
        return false;
    }
    let rest = trim_end(rest);
    if let Some(inner) = rest.strip_suffix(b")") {
        // `(file.js:1:2)`, `(native)`: the text after the last `(`.
        let open = inner.iter().rposition(|&b| b == b'(');
        let inside = open.map_or(inner, |p| inner.get(p + 1..).unwrap_or_default());
        return position_suffix(inside) || placeholder(inside);
    }
    let last = rest
        .iter()
        .rposition(|&b| b == b' ' || b == b'\t')
        .map_or(rest, |p| rest.get(p + 1..).unwrap_or_default());
    position_suffix(last)
}

/// `file.js:13`, `app.js:1:4232`, `Thread.java:750`: a name that is not
/// a number, then one or two `:digits` groups.
fn position_suffix(t: &[u8]) -> bool {
    let mut rest = t;
    let mut groups = 0;
    while groups < 2 {
        let digits = rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            break;
        }
        let head = rest.get(..rest.len() - digits).unwrap_or_default();
        match head.strip_suffix(b":") {
            Some(h) => {
                rest = h;
                groups += 1;
            }
            None => break,
        }
    }
    // A file name or URL before the position (`at 10:30` is a time).
    groups > 0 && !rest.ends_with(b":") && !rest.iter().all(u8::is_ascii_digit)
}

/// The engines' names for frames without a source file.
fn placeholder(t: &[u8]) -> bool {
    const NAMES: &[&[u8]] = &[
        b"native",
        b"native code",
        b"<anonymous>",
        b"Unknown Source",
        b"Native Method",
    ];
    NAMES.contains(&t)
}

fn trim_end(t: &[u8]) -> &[u8] {
    let n = t
        .iter()
        .rev()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\r'))
        .count();
    t.get(..t.len() - n).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::stack_frame;

    #[test]
    fn frames() {
        for f in [
            "at bar (http://path/to/file.js:13:17)",
            "at http://path/to/file.js:24:4",
            "at Array.map (<anonymous>)",
            "at Array.prototype.map (native code)",
            "at Error (native)",
            "at file:///path/to/file.js:878",
            "at /var/app/scratch/my project/index.js:2:9",
            "at java.lang.Thread.run(Thread.java:750)",
            "at sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
            "at _GenericDiscoverQuery.eval [as fetchData] (genericDiscoverQuery.tsx?33f8:256:1)",
            "at examplescheme://examplehost/cd351f7250857e22ceaa.worker.js:70179:15  ",
        ] {
            assert!(stack_frame(f.as_bytes()), "{f}");
        }
    }

    #[test]
    fn commands() {
        for c in [
            "at now + 1 minute",
            "at now; id",
            "at 10:30",
            "at -f /tmp/x.sh now",
            "at $(id) (x.js:1:2)",
            "at x.js:1 | sh",
            "atq",
            "at",
            "at (x:)",
            "at :12",
        ] {
            assert!(!stack_frame(c.as_bytes()), "{c}");
        }
    }
}
