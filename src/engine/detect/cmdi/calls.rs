//! Exec-style calls with a literal command (`system('id')`,
//! `os.popen("…")`), whose string is lexed as a command line, and the
//! iterator over `name(` calls shared with the PHP check.

use super::state::{Frame, Pos, Scanner};
use super::types::{Cmdi, Found};

impl Cmdi {
    /// Exec-style calls with a literal command: `system('id')`,
    /// `exec("cat /etc/passwd")`, `os.popen('…')`. The string is lexed as
    /// a command line.
    pub(super) fn exec_calls(&self, v: &[u8]) -> Option<Found> {
        const FUNCS: &[&str] = &[
            "system",
            "exec",
            "shell_exec",
            "passthru",
            "popen",
            "proc_open",
            "pcntl_exec",
            "eval",
            "execsync",
            "spawn",
            "spawnsync",
            "execfile",
            "execfilesync",
            "check_output",
            "check_call",
            "getoutput",
            "getstatusoutput",
        ];
        let mut calls = 0;
        for (_, paren) in named_calls(v, FUNCS) {
            let rest = v.get(paren + 1..).unwrap_or_default();
            let ws = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let Some(&q) = rest.get(ws).filter(|&&q| matches!(q, b'\'' | b'"' | b'`')) else {
                continue;
            };
            calls += 1;
            if calls > 8 {
                break;
            }
            let cs = paren + 1 + ws + 1;
            let mut ce = cs;
            while let Some(&c) = v.get(ce) {
                if c == b'\\' {
                    ce += 2;
                    continue;
                }
                if c == q {
                    break;
                }
                ce += 1;
            }
            let ce = ce.min(v.len());
            let mut sc = Scanner::new(&self.names, v.len());
            // Depth 1: the call's string counts as one level of nesting.
            sc.seq(Frame {
                text: v,
                start: cs,
                end: ce,
                pos: Pos::Exec,
                depth: 1,
            });
            if let Some(f) = sc.found {
                return Some(f);
            }
        }
        None
    }
}

/// Calls of a function in `funcs` (case-insensitive): `(name_start, paren)`
/// for each `name(` in `v` whose name (letters, digits, `_`) is listed.
pub(super) fn named_calls<'a>(
    v: &'a [u8],
    funcs: &'a [&'a str],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    v.iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'(')
        .filter_map(move |(paren, _)| {
            let name_start = v
                .get(..paren)?
                .iter()
                .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(0, |x| x + 1);
            let name = v.get(name_start..paren)?;
            funcs
                .iter()
                .any(|f| f.as_bytes().eq_ignore_ascii_case(name))
                .then_some((name_start, paren))
        })
}
