//! PHP code that is not a call: open tags followed by code (`<?php …`,
//! `<?= …`, `<? …`, the `<?xml :label` polyglot), superglobals read as
//! code (`$_SERVER['x'];`, `{$_GET['c']}`), variable variables
//! (`${'a'}`, `$ {$a}`), backtick execution (`` $x = `id`; ``) and
//! `include` / `require` statements without parentheses.

use super::calls::{include_target, prefix_ok, suffix_ok};
use super::lex::{
    at, before, find_ci_from, find_from, gap_fwd, ident_end, ident_start, is_ident, starts_ci_at,
    string_end, WINDOW,
};
use super::names::{listed, KEYWORDS, SUPERGLOBALS};
use crate::engine::detect::Hit;

/// Longest superglobal index read (`$_SERVER['HTTP_X_FORWARDED_FOR']`).
const INDEX_WINDOW: usize = 128;

fn code_hit(s: usize, e: usize, reason: &'static str) -> Hit {
    Hit::new("php.code", reason, s, e)
}

/// An expression starts at `j`: a variable, a literal, a call, a
/// constant statement or a backtick, after any prefix operators
/// (`!`, `@`, `-`, `~`, `(`): `<?=!@#$%^&` is none.
fn expr_at(v: &[u8], j: usize) -> bool {
    let mut j = j;
    while matches!(at(v, j), b'!' | b'@' | b'-' | b'~' | b'(') {
        j = gap_fwd(v, j + 1).0;
    }
    let c = at(v, j);
    match c {
        b'$' => ident_start(at(v, j + 1)) || matches!(at(v, j + 1), b'$' | b'{'),
        b'\'' | b'"' | b'`' | b'[' => j + 1 < v.len(),
        c if c.is_ascii_digit() => true,
        c if ident_start(c) => {
            let e = ident_end(v, j);
            let (k, _) = gap_fwd(v, e);
            matches!(at(v, k), b'(' | b';')
                || (at(v, k) == b':' && at(v, k + 1) == b':')
                || (at(v, k) == b'-' && at(v, k + 1) == b'>')
                || (at(v, k) == b'?' && at(v, k + 1) == b'>')
        }
        _ => false,
    }
}

/// A statement starts at `j`: an expression, or a keyword followed by an
/// expression (`echo "x"`, `include $f`); `<?php tags are …` is prose.
fn code_at(v: &[u8], j: usize) -> bool {
    if expr_at(v, j) {
        return true;
    }
    let e = ident_end(v, j);
    if e == j || !v.get(j..e).is_some_and(|w| listed(w, KEYWORDS)) {
        return false;
    }
    let (k, _) = gap_fwd(v, e);
    if expr_at(v, k) || at(v, k) == b';' {
        return true;
    }
    // `echo test` (PHP reads the undefined constant as its name) ending
    // the value or the statement.
    let c = ident_end(v, k);
    let (n, _) = gap_fwd(v, c);
    c > k && (at(v, n) == b';' || n >= v.len() || (at(v, n) == b'?' && at(v, n + 1) == b'>'))
}

/// Open tags followed by code.
pub(super) fn open_tags(v: &[u8]) -> Option<Hit> {
    let mut from = 0;
    while let Some(p) = find_from(v, from, b"<?") {
        from = p + 2;
        let i = p + 2;
        let c = at(v, i);
        let code = if starts_ci_at(v, i, b"php") && !is_ident(at(v, i + 3)) {
            // `<?php` needs a blank after it (`<?php=x` is no tag).
            let (j, g) = gap_fwd(v, i + 3);
            g.any && code_at(v, j)
        } else if c == b'=' {
            let (j, _) = gap_fwd(v, i + 1);
            expr_at(v, j)
        } else if c.is_ascii_whitespace() {
            // `<? php echo …` still opens PHP (short tag, then the word).
            let (mut j, _) = gap_fwd(v, i);
            if starts_ci_at(v, j, b"php") && !is_ident(at(v, j + 3)) {
                j = gap_fwd(v, j + 3).0;
            }
            code_at(v, j)
        } else if ident_start(c) {
            // Short tag glued to a word: `<?xml :echo 1;` (a goto label),
            // `<?xml ();…`, `<?echo "x";`. `<?xml version=` and
            // `<?xpacket begin=` are processing instructions.
            let e = ident_end(v, i);
            let (j, _) = gap_fwd(v, e);
            let label = at(v, j) == b':' && at(v, j + 1) != b':' && {
                let (k, _) = gap_fwd(v, j + 1);
                code_at(v, k)
            };
            label
                || matches!(at(v, j), b'(' | b';')
                || (v.get(i..e).is_some_and(|w| listed(w, KEYWORDS)) && expr_at(v, j))
        } else {
            false
        };
        if code {
            return Some(code_hit(
                p,
                v.len(),
                "PHP open tag followed by code (<?php, <?=, <?)",
            ));
        }
    }
    // The long-gone `<script language="php">`.
    let mut from = 0;
    while let Some(p) = find_ci_from(v, from, b"<script") {
        from = p + 7;
        let end = v
            .get(p..)
            .and_then(|r| r.iter().position(|&b| b == b'>'))
            .map_or(v.len(), |x| p + x);
        let tag = v.get(p..end).unwrap_or_default();
        if tag.windows(3).any(|w| w.eq_ignore_ascii_case(b"php"))
            && find_ci_from(tag, 0, b"language").is_some()
        {
            return Some(code_hit(p, end, "PHP script tag <script language=\"php\">"));
        }
    }
    None
}

/// `$` readings: superglobals read as code, variable variables,
/// complex-syntax calls.
pub(super) fn dollars(v: &[u8]) -> Option<Hit> {
    let mut from = 0;
    while let Some(off) = v.get(from..)?.iter().position(|&b| b == b'$') {
        let p = from + off;
        from = p + 1;
        // `${'a'}`, `$ {$a}`, `${@f()}`, and `{${f()}}` in a string.
        let (j, g) = gap_fwd(v, p + 1);
        if at(v, j) == b'{' && !g.odd && variable_variable(v, p, j) {
            return Some(code_hit(
                p,
                v.len(),
                "PHP variable variable or complex syntax (${'a'}, ${@f()}, {${…}})",
            ));
        }
        let s = p + 1;
        let e = ident_end(v, s);
        let name = v.get(s..e).unwrap_or_default();
        if e == s || !SUPERGLOBALS.iter().any(|g| g.as_bytes() == name) {
            continue;
        }
        // Complex syntax inside a string: `{$_GET['cmd']}`.
        if before(v, p) == b'{' {
            return Some(code_hit(
                p - 1,
                e,
                "PHP superglobal in complex syntax ({$_GET[…]})",
            ));
        }
        // `$_SERVER['x'];`, `echo $_GET['c']`, `$x = $_POST[1];`
        let mut end = e;
        while at(v, end) == b'[' {
            let Some(c) = v
                .get(end..(end + INDEX_WINDOW).min(v.len()))
                .and_then(|r| r.iter().position(|&b| b == b']'))
            else {
                break;
            };
            end += c + 1;
        }
        if end > e && prefix_ok(v, p) && suffix_ok(v, end) {
            return Some(code_hit(
                p,
                end,
                "PHP superglobal read as a statement ($_GET[…];)",
            ));
        }
    }
    None
}

/// The `{` at `j` after the `$` at `p` opens a PHP variable-variable body:
/// string literals (joined by `.`) or a `$variable`, then `}`; `@` and a
/// call; or, inside `{…}`, a call (`{${phpinfo()}}`). Shell and template
/// placeholders (`${HOME}`, `${ name }`), Log4j lookups (`${${::-j}…}`) and
/// Freemarker (`${"x"?new()}`) are none of these.
fn variable_variable(v: &[u8], p: usize, j: usize) -> bool {
    let (mut k, _) = gap_fwd(v, j + 1);
    let c = at(v, k);
    let closes = |k: usize| {
        let (n, _) = gap_fwd(v, k);
        at(v, n) == b'}'
    };
    match c {
        b'\'' | b'"' => loop {
            let Some(e) = string_end(v, k) else {
                return false;
            };
            let (n, _) = gap_fwd(v, e);
            if at(v, n) != b'.' {
                return closes(e);
            }
            let (m, _) = gap_fwd(v, n + 1);
            if !matches!(at(v, m), b'\'' | b'"') {
                return false;
            }
            k = m;
        },
        b'$' => {
            let e = ident_end(v, k + 1);
            e > k + 1 && (closes(e) || (at(v, e) == b'-' && at(v, e + 1) == b'>'))
        }
        b'@' => {
            let (m, _) = gap_fwd(v, k + 1);
            let e = ident_end(v, m);
            let (n, _) = gap_fwd(v, e);
            at(v, m) == b'$' || (e > m && matches!(at(v, n), b'(' | b'}'))
        }
        c if ident_start(c) => {
            let e = ident_end(v, k);
            let (n, _) = gap_fwd(v, e);
            before(v, p) == b'{' && at(v, n) == b'('
        }
        _ => false,
    }
}

/// Backtick execution assigned or echoed: `` $x = `id`; ``, `` echo `id`; ``.
pub(super) fn backticks(v: &[u8]) -> Option<Hit> {
    let mut from = 0;
    while let Some(off) = v.get(from..)?.iter().position(|&b| b == b'`') {
        let p = from + off;
        let len = v
            .get(p + 1..(p + 1 + WINDOW).min(v.len()))
            .and_then(|r| r.iter().position(|&b| b == b'`'))?;
        let close = p + 1 + len;
        from = close + 1;
        if len == 0 {
            continue;
        }
        let (k, _) = gap_fwd(v, close + 1);
        if !matches!(at(v, k), b';' | 0) {
            continue;
        }
        // What stands before: `$var =`, `echo`, `print`.
        let mut i = p;
        while before(v, i).is_ascii_whitespace() {
            i -= 1;
        }
        let assigned = before(v, i) == b'=' && {
            let mut j = i - 1;
            while before(v, j).is_ascii_whitespace() {
                j -= 1;
            }
            let mut s = j;
            while is_ident(before(v, s)) {
                s -= 1;
            }
            s < j && before(v, s) == b'$'
        };
        let echoed = [&b"echo"[..], b"print"].iter().any(|w| {
            i >= w.len()
                && v.get(i - w.len()..i)
                    .is_some_and(|x| x.eq_ignore_ascii_case(w))
                && !is_ident(before(v, i - w.len()))
                && i < p
        });
        if assigned || echoed {
            return Some(code_hit(p, close + 1, "PHP backtick shell execution (`…`)"));
        }
    }
    None
}

/// `include 'http://…';`, `require $_GET['f'];`: the statements without
/// parentheses.
pub(super) fn includes(v: &[u8]) -> Option<Hit> {
    for word in [&b"include"[..], b"require"] {
        let mut from = 0;
        while let Some(p) = find_ci_from(v, from, word) {
            from = p + word.len();
            let mut e = p + word.len();
            if starts_ci_at(v, e, b"_once") {
                e += 5;
            }
            if (p > 0 && is_ident(before(v, p))) || is_ident(at(v, e)) {
                continue;
            }
            let (j, g) = gap_fwd(v, e);
            if !g.any || !prefix_ok(v, p) {
                continue;
            }
            let target_end = match at(v, j) {
                b'\'' | b'"' => {
                    string_end(v, j).filter(|&se| v.get(j + 1..se - 1).is_some_and(include_target))
                }
                b'$' if ident_end(v, j + 1) > j + 1 => Some(ident_end(v, j + 1)),
                _ => None,
            };
            let Some(mut te) = target_end else {
                continue;
            };
            // `$_GET['f']`
            while at(v, te) == b'[' {
                match v.get(te..).and_then(|r| r.iter().position(|&b| b == b']')) {
                    Some(c) if c < WINDOW => te += c + 1,
                    _ => break,
                }
            }
            let (k, _) = gap_fwd(v, te);
            if matches!(at(v, k), b';' | 0) || (at(v, k) == b'?' && at(v, k + 1) == b'>') {
                return Some(code_hit(
                    p,
                    te,
                    "PHP include / require statement of a remote or local file",
                ));
            }
        }
    }
    None
}
