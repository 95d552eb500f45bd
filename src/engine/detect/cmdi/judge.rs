//! The judge: a finished simple command (assignments recorded, keywords and
//! wrappers skipped, braces expanded) is flagged, deferred as a bare list
//! item, or let go, from its command word, position and argument evidence.

use std::borrow::Cow;

use crate::engine::detect::traversal::is_sensitive_path;

use super::args::{prose, prose_like, EV_MEDIUM, EV_NONE, EV_STRONG};
use super::lexer::{Op, Pos, Scanner};
use super::names::Resolved;
use super::table::{S, WRAP};
use super::words::{
    obfuscated_word, Arg, Cmd, Word, W_ASSIGN, W_BRACE, W_GLOB, W_LITERAL, W_QUOTED, W_REDIR,
};
use super::Found;

impl<'d> Scanner<'d> {
    /// Ends a simple command: records assignments, judges it. Returns
    /// whether its command word is a known command.
    pub(super) fn finish(
        &mut self,
        t: &[u8],
        cmd: &mut Cmd,
        pos: Pos,
        op: Op,
        prev_known: bool,
        depth: u8,
    ) -> bool {
        let words: Vec<Word> = std::mem::take(&mut cmd.words);
        let arena = std::mem::take(&mut cmd.arena);
        let mut k = 0;
        // Assignments.
        while let Some(w) = words.get(k) {
            if w.flags & W_ASSIGN == 0 {
                break;
            }
            let text = arena.get(w.start..w.end).unwrap_or_default();
            if let Some(eq) = text.iter().position(|&b| b == b'=') {
                // Variables only matter when the value expands some.
                if self.record_vars && self.vars.len() < 16 {
                    let name = text.get(..eq).unwrap_or_default().to_vec();
                    let value: Vec<u8> = text
                        .get(eq + 1..)
                        .unwrap_or_default()
                        .iter()
                        .take(64)
                        .copied()
                        .collect();
                    self.vars.push((name, value));
                }
            }
            k += 1;
        }
        let prev = self.pending.take();
        let known = self.judge(t, &arena, &words, k, cmd.redirs, pos, op, prev_known, depth);
        let first_word = words
            .iter()
            .skip(k)
            .find(|w| w.flags & W_REDIR == 0 && w.end > w.start)
            .and_then(|w| arena.get(w.start..w.end));
        let has_word = first_word.is_some();
        // A list item (`name`, `email`) rather than command syntax.
        let listy =
            first_word.is_some_and(|w| w.len() >= 2 && w.iter().all(u8::is_ascii_alphabetic));
        cmd.arena = arena;
        cmd.words = words;
        if let Some(p) = prev {
            if !has_word {
                // Nothing yet: keep waiting (`;id;` then the end).
                self.pending = self.pending.or(Some(p));
            } else if (known || !listy) && self.found.is_none() {
                self.found = Some(p);
            }
        }
        known
    }

    /// Judges the simple command `words[k..]`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn judge(
        &mut self,
        t: &[u8],
        arena: &[u8],
        words: &[Word],
        k: usize,
        redirs: u32,
        pos: Pos,
        op: Op,
        prev_known: bool,
        depth: u8,
    ) -> bool {
        let text = |w: &Word| arena.get(w.start..w.end).unwrap_or_default();
        // Fast path: an unknown plain command word (most prose).
        let Some(first) = words.iter().skip(k).find(|w| w.flags & W_REDIR == 0) else {
            return false;
        };
        // The command word's resolution, kept for the lookups below of the
        // same text (resolution depends on the text only).
        let det = self.det;
        let mut memo: Option<(&[u8], Option<Resolved>)> = None;
        if first.flags & (W_BRACE | W_GLOB) == 0 {
            let ft = text(first);
            let r = if is_keyword(ft) {
                None
            } else {
                let r = det.resolve(ft);
                memo = Some((ft, r));
                r
            };
            let plain = !is_keyword(ft) && !ft.eq_ignore_ascii_case(b"%comspec%") && r.is_none();
            let trusted_sep = matches!(
                pos,
                Pos::Sep { trusted: true, .. } | Pos::Subst { trusted: true, .. }
            );
            let maybe_target = trusted_sep
                && words
                    .iter()
                    .skip(k)
                    .any(|w| matches!(arena.get(w.start), Some(b'/' | b'\\' | b'\'' | b'"')));
            if plain && !maybe_target {
                return false;
            }
        }
        // Expand braces of the command word: {cat,/etc/passwd}.
        let mut argv: Vec<Arg<'_>> = Vec::with_capacity(words.len());
        for (idx, w) in words.iter().enumerate().skip(k) {
            if w.flags & W_REDIR != 0 {
                continue;
            }
            if idx == k && w.flags & W_BRACE != 0 {
                if let Some((o, c)) = w.brace {
                    let s = text(w);
                    let (o, c) = (o.saturating_sub(w.start), c.saturating_sub(w.start));
                    let prefix = s.get(..o).unwrap_or_default();
                    let suffix = s.get(c + 1..).unwrap_or_default();
                    for alt in s
                        .get(o + 1..c)
                        .unwrap_or_default()
                        .split(|&b| b == b',')
                        .take(8)
                    {
                        let mut x = prefix.to_vec();
                        x.extend_from_slice(alt);
                        x.extend_from_slice(suffix);
                        if !x.is_empty() {
                            argv.push((Cow::Owned(x), w.flags));
                        }
                    }
                    continue;
                }
            }
            argv.push((Cow::Borrowed(text(w)), w.flags));
        }
        let resolve = |w: &[u8]| match memo {
            Some((t, r)) if t == w => r,
            _ => det.resolve(w),
        };
        // Skip keywords and wrappers.
        let mut c = 0;
        let mut wrapped = false;
        let mut wrapper_obfuscated = false;
        while let Some((w, wf)) = argv.get(c) {
            let wf = *wf;
            let lw: &[u8] = w;
            if is_keyword(lw) {
                // `{` opens a group only when a separator ends its list
                // before the `}` (`{ id; }`): a `}` word in the same simple
                // command (`{ id }`, GraphQL selections) is no group.
                if lw == b"{" && argv.iter().skip(c + 1).any(|(a, _)| a.as_ref() == b"}") {
                    return false;
                }
                c += 1;
                continue;
            }
            let Some(r) = resolve(lw) else {
                break;
            };
            if r.flags & WRAP == 0 || argv.get(c + 1).is_none() {
                break;
            }
            // The wrapped command follows its options.
            let mut n = c + 1;
            while let Some((a, _)) = argv.get(n) {
                let opt = a.first() == Some(&b'-') || a.iter().all(u8::is_ascii_digit);
                if !opt {
                    break;
                }
                n += 1;
            }
            let inner = argv.get(n).and_then(|(a, _)| resolve(a));
            if inner.is_none() {
                break;
            }
            // `time`, `nice`, `exec`, `command` are words too; the others
            // only ever wrap commands.
            wrapped |= r.flags & S != 0 || inner.is_some_and(|x| x.flags & S != 0);
            wrapper_obfuscated |= obfuscated_word(wf);
            c = n;
        }
        let Some((name, name_flags)) = argv.get(c) else {
            return false;
        };
        let name_flags = *name_flags;
        let args = argv.get(c + 1..).unwrap_or_default();
        let start_raw = words.get(k).map_or(0, |w| w.raw_start);
        let end_raw = self.cmd_end(t, start_raw);
        let mut resolved = resolve(name);
        let mut glob_cmd = false;
        if resolved.is_none() && name_flags & W_GLOB != 0 && name.contains(&b'/') {
            resolved = self.glob_command(name);
            glob_cmd = resolved.is_some();
        }
        // Windows `%COMSPEC%`.
        if resolved.is_none() && name.eq_ignore_ascii_case(b"%comspec%") {
            resolved = self.det.resolve(b"cmd");
        }
        let Some(r) = resolved else {
            // Unknown command word: only a sensitive target right after a
            // trusted separator counts (`;uconv … /etc/?asswd`). A bare `/`
            // names the root only for a known command (`ls /`); after an
            // unknown word it is a slash in prose (`(24-bit color / x)`).
            if matches!(
                pos,
                Pos::Sep { trusted: true, .. } | Pos::Subst { trusted: true, .. }
            ) && args
                .iter()
                .any(|(a, f)| a.as_ref() != b"/" && self.sensitive_arg(a, *f))
                && name
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            {
                self.found = Some(Found::new(
                    "cmdi.sensitive_target",
                    "command after a separator reading a sensitive system path",
                    start_raw,
                    end_raw,
                ));
            }
            return false;
        };
        if !pos.trusted() || pos == Pos::Arg {
            return true;
        }
        let obfuscated = obfuscated_word(name_flags)
            || name_flags & W_BRACE != 0
            || r.caret
            || glob_cmd
            || wrapper_obfuscated;
        let split_quote = name_flags & W_QUOTED != 0 && name_flags & W_LITERAL != 0;
        // Prose arguments end the judgement. The evidence is computed
        // first only when it has an effect: glob arguments spend the glob
        // budget, which later commands of the value see.
        let prose_args = !obfuscated && prose(args);
        if prose_args && args.iter().all(|(_, f)| f & W_GLOB == 0) {
            return false;
        }
        let ev = self.evidence(&r, args, redirs, words, k, arena);
        if prose_args {
            return false;
        }
        let strong = r.flags & S != 0;
        let (rule, reason): (&'static str, &'static str) = if obfuscated || split_quote {
            (
                "cmdi.obfuscated_command",
                "command name obfuscated with quotes, escapes, expansions or globs",
            )
        } else {
            match pos {
                Pos::Subst { .. } => (
                    "cmdi.substitution",
                    "command substitution running a command",
                ),
                Pos::Exec => ("cmdi.exec_call", "exec-style call running a command"),
                Pos::Start => (
                    "cmdi.command_line",
                    "value is a command line with arguments that attack the host",
                ),
                _ => ("cmdi.chained_command", "command chained after a separator"),
            }
        };
        // Resolving every argument is costly on prose: only done when the
        // verdict depends on it (pure, so evaluated lazily).
        let known_arg = || {
            args.iter()
                .any(|(a, _)| det.resolve(a).is_some_and(|x| x.flags & S != 0))
        };
        let flag = if obfuscated || split_quote {
            true
        } else {
            match pos {
                Pos::Subst { backtick: true, .. } => strong || ev >= EV_MEDIUM,
                Pos::Subst { .. } | Pos::Exec => true,
                Pos::Sep { op: sep, .. } => {
                    strong
                        || ev >= EV_MEDIUM
                        || prev_known && matches!(sep, Op::Pipe | Op::AndAnd | Op::OrOr)
                        || wrapped
                }
                Pos::Start => {
                    let terminated = matches!(
                        op,
                        Op::Semi | Op::Pipe | Op::AndAnd | Op::OrOr | Op::Amp | Op::Newline
                    );
                    if strong {
                        let questioning = ev < EV_STRONG && prose_like(args);
                        !questioning
                            && (ev >= EV_MEDIUM
                                || terminated
                                || wrapped
                                || r.exe_path
                                || known_arg())
                    } else {
                        ev >= EV_STRONG || wrapped || args.len() == 1 && known_arg()
                    }
                }
                Pos::Arg => false,
            }
        };
        if flag {
            let f = Found::new(rule, reason, start_raw, end_raw);
            // A bare command in a list (`name;id;email`) is only a command
            // if what follows is a command too, or nothing.
            let bare = matches!(pos, Pos::Sep { .. } | Pos::Start)
                && args.is_empty()
                && ev == EV_NONE
                && !obfuscated
                && !split_quote
                && !wrapped;
            if bare {
                self.pending = Some(f);
            } else {
                self.found = Some(f);
            }
        }
        let _ = depth;
        true
    }

    /// Raw end of the simple command starting at `start` (next separator).
    pub(super) fn cmd_end(&self, t: &[u8], start: usize) -> usize {
        t.get(start..)
            .and_then(|r| {
                r.iter()
                    .position(|&b| matches!(b, b';' | b'|' | b'&' | b'\n'))
            })
            .map_or(t.len(), |p| start + p)
    }

    pub(super) fn sensitive_arg(&mut self, a: &[u8], flags: u32) -> bool {
        let value = a
            .iter()
            .position(|&b| b == b'=')
            .filter(|_| a.first() == Some(&b'-'))
            .map_or(a, |p| a.get(p + 1..).unwrap_or_default());
        if is_sensitive_path(value) {
            return true;
        }
        flags & W_GLOB != 0 && value.first() == Some(&b'/') && self.glob_sensitive(value)
    }
}

/// Shell keywords that precede a command.
/// Shell keywords skipped before the command word (case-sensitive; a
/// `match` on the bytes rather than a table scan, for speed).
pub(super) fn is_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"then" | b"do" | b"else" | b"elif" | b"!" | b"{" | b"}" | b"if" | b"while" | b"until"
    )
}
