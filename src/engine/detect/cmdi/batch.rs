//! The cmd.exe batch grammar: `for %x in (…) do …` and `if [/i] [not]
//! exist|defined|errorlevel …` / comparison statements, batch variables.

use super::classes::{P_NEWLINE, P_PAREN, P_SEP};
use super::types::Found;
use super::util::ends_with_ci;

/// A line (value start or after `&`, `|`, newline) beginning with a
/// cmd.exe `if` / `for`.
pub(super) fn batch_start(v: &[u8], has: u32) -> bool {
    if has & (P_SEP | P_NEWLINE) == 0 {
        // One line: only the value start.
        let start = v
            .iter()
            .position(|&b| {
                !(b.is_ascii_whitespace() || matches!(b, b';' | b',' | b'=' | b'(' | b'@'))
            })
            .unwrap_or(v.len());
        let rest = v.get(start..).unwrap_or_default();
        return [&b"if"[..], b"for"].iter().any(|w| {
            rest.get(..w.len())
                .is_some_and(|x| x.eq_ignore_ascii_case(w))
                && rest
                    .get(w.len())
                    .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
        });
    }
    line_starts(v, true)
}

/// Whether a line (value start or after `&`, `|`, CR, LF) begins with
/// `if` (or `for`, when `with_for`), in any value.
fn line_starts(v: &[u8], with_for: bool) -> bool {
    let mut at_start = true;
    for (i, &b) in v.iter().enumerate() {
        if matches!(b, b'&' | b'|' | b'\n' | b'\r') {
            at_start = true;
            continue;
        }
        if at_start {
            if b.is_ascii_whitespace() || matches!(b, b';' | b',' | b'=' | b'(' | b'@') {
                continue;
            }
            at_start = false;
            let rest = v.get(i..).unwrap_or_default();
            let word = |w: &[u8]| {
                rest.len() >= w.len()
                    && rest
                        .get(..w.len())
                        .is_some_and(|x| x.eq_ignore_ascii_case(w))
                    && rest
                        .get(w.len())
                        .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
            };
            if word(b"if") || with_for && word(b"for") {
                return true;
            }
        }
    }
    false
}

/// Whitespace tokens of one cmd.exe command line, split at `&`, `|` and
/// newlines.
fn batch_lines(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    v.split(|&b| matches!(b, b'&' | b'|' | b'\n' | b'\r'))
}

/// cmd.exe `for %x in (…) do …` and `if [/i] [not] exist|defined|errorlevel
/// …` / `if a==b …` statements at a command position.
pub(super) fn batch(v: &[u8], has: u32) -> Option<Found> {
    if !batch_start(v, has) {
        return None;
    }
    // A `for` statement needs `(` (its set): without one, only a line
    // starting with `if` can match, and prose starting with `for` is not
    // tokenized.
    if has & P_PAREN == 0 && !line_starts(v, false) {
        return None;
    }
    let mut offset = 0;
    for line in batch_lines(v) {
        let here = offset;
        offset += line.len() + 1;
        let toks = batch_tokens(line);
        let mut toks = toks.iter().copied();
        let Some(first) = toks.next() else {
            continue;
        };
        let skip = first
            .iter()
            .take_while(|&&b| matches!(b, b';' | b',' | b'=' | b'(' | b'@'))
            .count();
        let first = first.get(skip..).unwrap_or_default();
        let rest: Vec<&[u8]> = toks.collect();
        let hit = if first.eq_ignore_ascii_case(b"for") {
            batch_for(&rest)
        } else if first.eq_ignore_ascii_case(b"if") {
            batch_if(&rest, false)
        } else if first.len() > 3
            && first
                .get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"if/"))
        {
            batch_if(&rest, true)
        } else {
            false
        };
        if hit {
            return Some(Found::new(
                "cmdi.batch_statement",
                "cmd.exe for/if statement",
                here,
                (here + line.len()).min(v.len()),
            ));
        }
    }
    None
}

/// cmd.exe tokens of a line: blank-separated, double quotes keep blanks.
fn batch_tokens(line: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quoted = false;
    for (i, &b) in line.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        }
        if b.is_ascii_whitespace() && !quoted {
            if let Some(s) = start.take() {
                out.push(line.get(s..i).unwrap_or_default());
            }
        } else if start.is_none() {
            start = Some(i);
        }
        if out.len() >= 64 {
            return out;
        }
    }
    if let Some(s) = start {
        out.push(line.get(s..).unwrap_or_default());
    }
    out
}

/// `for [/d|/r [dir]|/l|/f ["opts"]] %x in (set) do cmd`.
fn batch_for(t: &[&[u8]]) -> bool {
    let var = t
        .iter()
        .position(|w| w.first() == Some(&b'%') && w.len() >= 2);
    let Some(var) = var else {
        return false;
    };
    // Everything before the variable must be options or their arguments.
    if var > 4 {
        return false;
    }
    let Some(inw) = t.get(var + 1) else {
        return false;
    };
    if !inw.eq_ignore_ascii_case(b"in") {
        return false;
    }
    let opens = t.get(var + 2).is_some_and(|w| w.first() == Some(&b'('));
    opens
        && t.iter()
            .skip(var + 2)
            .any(|w| w.eq_ignore_ascii_case(b"do") || ends_with_ci(w, b")do"))
}

/// Batch variable references: `%1`, `%~1`, `%VAR%`, `!VAR!`, `%%a`.
pub(super) fn batch_var(w: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = w.get(i) {
        if b == b'%' {
            match w.get(i + 1) {
                Some(c) if c.is_ascii_digit() || *c == b'~' || *c == b'%' || *c == b'*' => {
                    return true
                }
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                    let close = w
                        .get(i + 2..)
                        .and_then(|r| r.iter().position(|&x| x == b'%'));
                    if close.is_some() {
                        return true;
                    }
                }
                _ => {}
            }
        }
        if b == b'!' {
            let close = w
                .get(i + 2..)
                .and_then(|r| r.iter().position(|&x| x == b'!'));
            if close.is_some() && w.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// cmd.exe built-ins and common commands that follow an `if` condition.
const BATCH_CONSEQUENTS: &[&str] = &[
    "echo",
    "set",
    "goto",
    "call",
    "cmd",
    "exit",
    "del",
    "copy",
    "md",
    "mkdir",
    "cd",
    "type",
    "dir",
    "start",
    "if",
    "for",
    "rd",
    "ren",
    "move",
    "pause",
    "cls",
    "shift",
    "setlocal",
    "endlocal",
    "powershell",
    "net",
    "reg",
    "xcopy",
    "rem",
];

/// `if [/i] [not] exist f cmd`, `… defined v cmd`, `… errorlevel n cmd`,
/// `… cmdextversion n cmd`, `… a==b cmd`, `… a equ b cmd`.
fn batch_if(t: &[&[u8]], slash_i: bool) -> bool {
    let mut i = 0;
    let mut strong = slash_i;
    if t.first().is_some_and(|w| w.eq_ignore_ascii_case(b"/i")) {
        strong = true;
        i += 1;
    }
    if t.get(i).is_some_and(|w| w.eq_ignore_ascii_case(b"not")) {
        i += 1;
    }
    let Some(kw) = t.get(i) else {
        return false;
    };
    let consequent = |k: usize| -> bool {
        t.get(k).is_some_and(|w| {
            w.first() == Some(&b'(')
                || BATCH_CONSEQUENTS.iter().any(|c| {
                    c.as_bytes()
                        .eq_ignore_ascii_case(w.strip_prefix(b"@").unwrap_or(w))
                })
        })
    };
    if kw.eq_ignore_ascii_case(b"errorlevel") || kw.eq_ignore_ascii_case(b"cmdextversion") {
        return t
            .get(i + 1)
            .is_some_and(|n| n.iter().all(u8::is_ascii_digit))
            && t.get(i + 2).is_some();
    }
    if kw.eq_ignore_ascii_case(b"exist") || kw.eq_ignore_ascii_case(b"defined") {
        return t.get(i + 1).is_some() && (consequent(i + 2) || strong && t.get(i + 2).is_some());
    }
    // Comparisons.
    let vars = t.iter().take(i + 4).any(|w| batch_var(w));
    let (next, cmp) = if kw.windows(2).any(|w| w == b"==") {
        (i + 1, true)
    } else if t.get(i + 1).is_some_and(|op| {
        op.starts_with(b"==")
            || [&b"equ"[..], b"neq", b"lss", b"leq", b"gtr", b"geq"]
                .iter()
                .any(|o| o.eq_ignore_ascii_case(op))
    }) {
        (i + 3, true)
    } else {
        (i + 1, false)
    };
    if !cmp {
        return false;
    }
    if vars {
        return true;
    }
    consequent(next) || strong && t.get(next).is_some()
}
