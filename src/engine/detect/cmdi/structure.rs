//! Structural checks that need no lexer: shellshock function imports, fork
//! bombs, server-side include exec directives, then the cmd.exe and mail
//! grammars.

use super::batch::batch;
use super::classes::{P_BANG, P_BRACE, P_HASH, P_NEWLINE, P_PAREN};
use super::mail::mail_command;
use super::types::Found;
use super::util::find_ci;

pub(super) fn structural(v: &[u8], has: u32) -> Option<Found> {
    let on = |bits: u32| has & bits == bits;
    shellshock(v)
        .or_else(|| on(P_PAREN | P_BRACE).then(|| fork_bomb(v)).flatten())
        .or_else(|| on(P_HASH | P_BANG).then(|| ssi_exec(v)).flatten())
        .or_else(|| batch(v, has))
        .or_else(|| on(P_NEWLINE).then(|| mail_command(v)).flatten())
}

/// `() {` at the start of a value: a bash function definition imported from
/// the environment (CVE-2014-6271).
fn shellshock(v: &[u8]) -> Option<Found> {
    let p = v
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'"' | b'\''))
        .unwrap_or(v.len());
    let rest = v.get(p..)?;
    let after = rest.strip_prefix(b"()")?;
    let q = after.iter().position(|&b| b != b' ' && b != b'\t')?;
    (after.get(q) == Some(&b'{')).then(|| {
        Found::new(
            "cmdi.shellshock",
            "bash function definition at the start of the value (shellshock)",
            p,
            v.len(),
        )
    })
}

/// `f(){ f|f& };f`: a function whose body pipes or backgrounds itself.
fn fork_bomb(v: &[u8]) -> Option<Found> {
    let mut from = 0;
    while let Some(p) = v
        .get(from..)
        .and_then(|r| r.iter().position(|&b| b == b'('))
    {
        let paren = from + p;
        from = paren + 1;
        if v.get(paren + 1) != Some(&b')') {
            continue;
        }
        let after = v.get(paren + 2..).unwrap_or_default();
        let ws = after.iter().take_while(|&&b| b == b' ').count();
        if after.get(ws) != Some(&b'{') {
            continue;
        }
        let name_start = v
            .get(..paren)
            .and_then(|r| {
                r.iter()
                    .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.')))
            })
            .map_or(0, |x| x + 1);
        let name = v.get(name_start..paren).unwrap_or_default();
        if name.is_empty() || name.len() > 32 {
            continue;
        }
        let body_start = paren + 2 + ws + 1;
        let body_end = v
            .get(body_start..)
            .and_then(|r| r.iter().position(|&b| b == b'}'))
            .map_or(v.len(), |x| body_start + x);
        let body = v.get(body_start..body_end).unwrap_or_default();
        // Two calls of the function joined by `|` or `&`.
        let mut calls = 0;
        let mut joined = false;
        let mut i = 0;
        while i + name.len() <= body.len() {
            if body.get(i..i + name.len()) == Some(name) {
                calls += 1;
                i += name.len();
                continue;
            }
            if calls > 0 && matches!(body.get(i), Some(b'|' | b'&')) {
                joined = true;
            }
            i += 1;
        }
        if calls >= 2 && joined {
            return Some(Found::new(
                "cmdi.fork_bomb",
                "shell function that pipes or backgrounds itself (fork bomb)",
                name_start,
                body_end,
            ));
        }
    }
    None
}

/// Server-side include `<!--#exec cmd="…"-->`.
fn ssi_exec(v: &[u8]) -> Option<Found> {
    let p = find_ci(v, b"!--#exec")?;
    let rest = v.get(p + 8..)?;
    rest.first()
        .is_some_and(|b| b.is_ascii_whitespace())
        .then(|| {
            Found::new(
                "cmdi.ssi_exec",
                "server-side include exec directive",
                p,
                v.len(),
            )
        })
}
