//! Shell globs: matching (`*`, `?`, `[set]`) and the budgeted resolution of
//! glob command paths (`/???/??t`) and sensitive-file globs (`/etc/pa?swd`).

use super::names::Resolved;
use super::state::Scanner;

impl<'d> Scanner<'d> {
    /// Resolves a glob command path (`/???/??t`, `/bi[n]/ca?`) against
    /// binaries in the standard directories.
    pub(super) fn glob_command(&mut self, pat: &[u8]) -> Option<Resolved> {
        if self.globs == 0 || pat.len() > 64 || !pat.iter().any(u8::is_ascii_alphabetic) {
            return None;
        }
        self.globs -= 1;
        let cut = pat.iter().rposition(|&b| b == b'/')?;
        let (dir, base) = (pat.get(..cut)?, pat.get(cut + 1..)?);
        const DIRS: &[&[u8]] = &[
            b"/bin",
            b"/usr/bin",
            b"/sbin",
            b"/usr/sbin",
            b"/usr/local/bin",
        ];
        if !DIRS.iter().any(|d| glob_match(dir, d)) {
            return None;
        }
        self.names
            .entries()
            .iter()
            .find(|(n, _)| glob_match(base, n))
            .map(|(_, f)| Resolved {
                flags: *f,
                exe_path: true,
                caret: false,
            })
    }

    /// A glob argument matching a sensitive file (`/etc/pa[s]swd`,
    /// `/et*/*wd`).
    pub(super) fn glob_sensitive(&mut self, pat: &[u8]) -> bool {
        if self.globs == 0 || pat.len() > 64 || !pat.iter().any(u8::is_ascii_alphabetic) {
            return false;
        }
        self.globs -= 1;
        const FILES: &[&[u8]] = &[
            b"/etc/passwd",
            b"/etc/shadow",
            b"/etc/group",
            b"/etc/hosts",
            b"/etc/issue",
            b"/etc/sudoers",
            b"/bin/sh",
            b"/bin/bash",
            b"/bin/cat",
            b"/usr/bin/id",
            b"/proc/self/environ",
        ];
        FILES.iter().any(|f| glob_match(pat, f))
    }
}

/// Shell-glob match (`*`, `?`, `[set]`, `[!set]`), iterative.
pub(super) fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    let mut steps = 0usize;
    while i < s.len() {
        steps += 1;
        if steps > 4096 {
            return false;
        }
        let sc = s.get(i).copied().unwrap_or(0);
        match pat.get(p).copied() {
            Some(b'*') => {
                star = Some((p, i));
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                i += 1;
                continue;
            }
            Some(b'[') => {
                if let Some((matched, next)) = bracket(pat, p, sc) {
                    if matched {
                        p = next;
                        i += 1;
                        continue;
                    }
                } else if sc == b'[' {
                    p += 1;
                    i += 1;
                    continue;
                }
            }
            Some(c) if c == sc => {
                p += 1;
                i += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, si)) => {
                p = sp + 1;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    while pat.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pat.len()
}

/// Matches `c` against the bracket expression at `pat[p]`; returns the
/// result and the index after `]`, or `None` when unterminated.
fn bracket(pat: &[u8], p: usize, c: u8) -> Option<(bool, usize)> {
    let mut j = p + 1;
    let negate = matches!(pat.get(j), Some(b'!' | b'^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let x = *pat.get(j)?;
        if x == b']' && !first {
            break;
        }
        first = false;
        if pat.get(j + 1) == Some(&b'-') && pat.get(j + 2).is_some_and(|&e| e != b']') {
            let hi = *pat.get(j + 2)?;
            if x <= c && c <= hi {
                matched = true;
            }
            j += 3;
        } else {
            if x == c {
                matched = true;
            }
            j += 1;
        }
    }
    Some((matched != negate, j + 1))
}
