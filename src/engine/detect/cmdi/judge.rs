//! The judge: a finished simple command (assignments recorded, keywords and
//! wrappers skipped, braces expanded) is flagged, deferred as a bare list
//! item, or let go, from its command word, position and argument evidence.

use std::borrow::Cow;

use crate::engine::detect::traversal::is_sensitive_path;

use super::args::{prose, prose_like, EV_MEDIUM, EV_NONE, EV_STRONG};
use super::frame::stack_frame;
use super::names::{Names, Resolved};
use super::state::{Frame, Op, Pos, Scanner, SimpleCmd};
use super::table::{S, WRAP};
use super::types::Found;
use super::words::{
    obfuscated_word, Arg, Cmd, Word, W_ASSIGN, W_BRACE, W_GLOB, W_LITERAL, W_QUOTED, W_REDIR,
};

/// Command-word resolution with the command word's result remembered:
/// the judge looks the same text up again (resolution depends on the text
/// only).
struct Resolver<'d, 'a> {
    names: &'d Names,
    memo: Option<(&'a [u8], Option<Resolved>)>,
}

impl Resolver<'_, '_> {
    fn get(&self, w: &[u8]) -> Option<Resolved> {
        match self.memo {
            Some((t, r)) if t == w => r,
            _ => self.names.resolve(w),
        }
    }
}

/// The command word found after keywords and wrappers.
struct Head {
    /// Its index in the argument vector.
    at: usize,
    /// A wrapper runs it (`sudo id`, `nohup wget …`).
    wrapped: bool,
    /// A wrapper's own name is obfuscated.
    wrapper_obfuscated: bool,
}

/// What the judge knows about a resolved command, for the verdict.
struct Evidence {
    resolved: Resolved,
    /// Argument evidence (`EV_NONE`, `EV_MEDIUM`, `EV_STRONG`).
    level: u8,
    wrapped: bool,
    /// The command name is obfuscated or split by quotes: always flagged.
    disguised: bool,
}

impl<'d> Scanner<'d> {
    /// Ends a simple command: records assignments, judges it. Returns
    /// whether its command word is a known command.
    pub(super) fn finish(
        &mut self,
        f: &Frame<'_>,
        cmd: &mut Cmd,
        op: Op,
        prev_known: bool,
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
        let simple = SimpleCmd {
            text: f.text,
            arena: &arena,
            words: words.get(k..).unwrap_or_default(),
            pos: f.pos,
            op,
            prev_known,
        };
        let known = self.judge(&simple);
        let first_word = simple
            .words
            .iter()
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

    /// Judges a simple command: records a finding (or a pending bare
    /// command) and returns whether its command word is a known command.
    fn judge(&mut self, s: &SimpleCmd<'_>) -> bool {
        let Some(first) = s.words.iter().find(|w| w.flags & W_REDIR == 0) else {
            return false;
        };
        let Some(resolver) = self.screen(s, first) else {
            return false;
        };
        let argv = argv(s);
        let Some(head) = head(&argv, &resolver) else {
            return false;
        };
        let Some((name, name_flags)) = argv.get(head.at) else {
            return false;
        };
        let name_flags = *name_flags;
        let args = argv.get(head.at + 1..).unwrap_or_default();
        let start_raw = s.words.first().map_or(0, |w| w.raw_start);
        let span = (start_raw, cmd_end(s.text, start_raw));
        let mut resolved = resolver.get(name);
        let mut glob_cmd = false;
        if resolved.is_none() && name_flags & W_GLOB != 0 && name.contains(&b'/') {
            resolved = self.glob_command(name);
            glob_cmd = resolved.is_some();
        }
        // Windows `%COMSPEC%`.
        if resolved.is_none() && name.eq_ignore_ascii_case(b"%comspec%") {
            resolved = self.names.resolve(b"cmd");
        }
        let Some(r) = resolved else {
            self.sensitive_target(s, name, args, span);
            return false;
        };
        // `at fn (app.js:1:2)`: a stack-trace line, not the scheduler.
        if name.as_ref() == b"at" && stack_frame(s.text.get(span.0..span.1).unwrap_or_default()) {
            return false;
        }
        if !s.pos.trusted() || s.pos == Pos::Arg {
            return true;
        }
        let obfuscated = obfuscated_word(name_flags)
            || name_flags & W_BRACE != 0
            || r.caret
            || glob_cmd
            || head.wrapper_obfuscated;
        let split_quote = name_flags & W_QUOTED != 0 && name_flags & W_LITERAL != 0;
        // Prose arguments end the judgement. The evidence is computed
        // first only when it has an effect: glob arguments spend the glob
        // budget, which later commands of the value see.
        let prose_args = !obfuscated && prose(args);
        if prose_args && args.iter().all(|(_, f)| f & W_GLOB == 0) {
            return false;
        }
        let level = self.evidence(&r, args, s);
        if prose_args {
            return false;
        }
        let ev = Evidence {
            resolved: r,
            level,
            wrapped: head.wrapped,
            disguised: obfuscated || split_quote,
        };
        if flagged(s, &ev, args, self.names) {
            let (rule, reason) = rule(s.pos, ev.disguised);
            let f = Found::new(rule, reason, span.0, span.1);
            // A bare command in a list (`name;id;email`) is only a command
            // if what follows is a command too, or nothing.
            let bare = matches!(s.pos, Pos::Sep { .. } | Pos::Start)
                && args.is_empty()
                && ev.level == EV_NONE
                && !ev.disguised
                && !ev.wrapped;
            if bare {
                self.pending = Some(f);
            } else {
                self.found = Some(f);
            }
        }
        true
    }

    /// Fast path: an unknown plain command word (most prose) lets the
    /// command go (`None`) unless an argument can be a sensitive target
    /// after a trusted separator. Otherwise returns the resolver, with the
    /// command word's resolution remembered.
    fn screen<'a>(&self, s: &SimpleCmd<'a>, first: &Word) -> Option<Resolver<'d, 'a>> {
        let mut resolver = Resolver {
            names: self.names,
            memo: None,
        };
        if first.flags & (W_BRACE | W_GLOB) != 0 {
            return Some(resolver);
        }
        let ft = s.word(first);
        let r = if is_keyword(ft) {
            None
        } else {
            let r = self.names.resolve(ft);
            resolver.memo = Some((ft, r));
            r
        };
        let plain = !is_keyword(ft) && !ft.eq_ignore_ascii_case(b"%comspec%") && r.is_none();
        let trusted_sep = matches!(
            s.pos,
            Pos::Sep { trusted: true, .. } | Pos::Subst { trusted: true, .. }
        );
        let maybe_target = trusted_sep
            && s.words
                .iter()
                .any(|w| matches!(s.arena.get(w.start), Some(b'/' | b'\\' | b'\'' | b'"')));
        (!plain || maybe_target).then_some(resolver)
    }

    /// Unknown command word: only a sensitive target right after a trusted
    /// separator counts (`;uconv … /etc/?asswd`). A bare `/` names the root
    /// only for a known command (`ls /`); after an unknown word it is a
    /// slash in prose (`(24-bit color / x)`).
    fn sensitive_target(
        &mut self,
        s: &SimpleCmd<'_>,
        name: &[u8],
        args: &[Arg<'_>],
        span: (usize, usize),
    ) {
        if matches!(
            s.pos,
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
                span.0,
                span.1,
            ));
        }
    }

    /// A sensitive path argument (or `--opt=value`), literal or a glob.
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

/// The argument vector of a simple command (redirection targets left
/// out), with braces of the command word expanded: `{cat,/etc/passwd}`.
fn argv<'a>(s: &SimpleCmd<'a>) -> Vec<Arg<'a>> {
    let mut argv: Vec<Arg<'a>> = Vec::with_capacity(s.words.len());
    for (idx, w) in s.words.iter().enumerate() {
        if w.flags & W_REDIR != 0 {
            continue;
        }
        if idx == 0 && w.flags & W_BRACE != 0 {
            if let Some((o, c)) = w.brace {
                let text = s.word(w);
                let (o, c) = (o.saturating_sub(w.start), c.saturating_sub(w.start));
                let prefix = text.get(..o).unwrap_or_default();
                let suffix = text.get(c + 1..).unwrap_or_default();
                for alt in text
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
        argv.push((Cow::Borrowed(s.word(w)), w.flags));
    }
    argv
}

/// Skips keywords and wrappers (`sudo`, `nohup -p`, `time`) to the command
/// word. `None` for a `{ … }` word group, which runs no command.
fn head(argv: &[Arg<'_>], resolver: &Resolver<'_, '_>) -> Option<Head> {
    let mut head = Head {
        at: 0,
        wrapped: false,
        wrapper_obfuscated: false,
    };
    while let Some((w, wf)) = argv.get(head.at) {
        let wf = *wf;
        let lw: &[u8] = w;
        if is_keyword(lw) {
            // `{` opens a group only when a separator ends its list
            // before the `}` (`{ id; }`): a `}` word in the same simple
            // command (`{ id }`, GraphQL selections) is no group.
            if lw == b"{"
                && argv
                    .iter()
                    .skip(head.at + 1)
                    .any(|(a, _)| a.as_ref() == b"}")
            {
                return None;
            }
            head.at += 1;
            continue;
        }
        let Some(r) = resolver.get(lw) else {
            break;
        };
        if r.flags & WRAP == 0 || argv.get(head.at + 1).is_none() {
            break;
        }
        // The wrapped command follows its options.
        let mut n = head.at + 1;
        while let Some((a, _)) = argv.get(n) {
            let opt = a.first() == Some(&b'-') || a.iter().all(u8::is_ascii_digit);
            if !opt {
                break;
            }
            n += 1;
        }
        let inner = argv.get(n).and_then(|(a, _)| resolver.get(a));
        if inner.is_none() {
            break;
        }
        // `time`, `nice`, `exec`, `command` are words too; the others
        // only ever wrap commands.
        head.wrapped |= r.flags & S != 0 || inner.is_some_and(|x| x.flags & S != 0);
        head.wrapper_obfuscated |= obfuscated_word(wf);
        head.at = n;
    }
    Some(head)
}

/// Whether a resolved command at a trusted position is flagged: always
/// when disguised; in a substitution or exec call by its strength or
/// evidence; after a separator also when chained to a known command; at
/// the start of the value only with evidence (a bare `ls` is a word).
fn flagged(s: &SimpleCmd<'_>, ev: &Evidence, args: &[Arg<'_>], names: &Names) -> bool {
    if ev.disguised {
        return true;
    }
    let strong = ev.resolved.flags & S != 0;
    // Resolving every argument is costly on prose: only done when the
    // verdict depends on it (pure, so evaluated lazily).
    let known_arg = || {
        args.iter()
            .any(|(a, _)| names.resolve(a).is_some_and(|x| x.flags & S != 0))
    };
    match s.pos {
        Pos::Subst { backtick: true, .. } => strong || ev.level >= EV_MEDIUM,
        Pos::Subst { .. } | Pos::Exec => true,
        Pos::Sep { op: sep, .. } => {
            strong
                || ev.level >= EV_MEDIUM
                || s.prev_known && matches!(sep, Op::Pipe | Op::AndAnd | Op::OrOr)
                || ev.wrapped
        }
        Pos::Start => {
            let terminated = matches!(
                s.op,
                Op::Semi | Op::Pipe | Op::AndAnd | Op::OrOr | Op::Amp | Op::Newline
            );
            if strong {
                let questioning = ev.level < EV_STRONG && prose_like(args);
                !questioning
                    && (ev.level >= EV_MEDIUM
                        || terminated
                        || ev.wrapped
                        || ev.resolved.exe_path
                        || known_arg())
            } else {
                ev.level >= EV_STRONG || ev.wrapped || args.len() == 1 && known_arg()
            }
        }
        Pos::Arg => false,
    }
}

/// The rule and reason of a flagged command.
fn rule(pos: Pos, disguised: bool) -> (&'static str, &'static str) {
    if disguised {
        return (
            "cmdi.obfuscated_command",
            "command name obfuscated with quotes, escapes, expansions or globs",
        );
    }
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
}

/// Raw end of the simple command starting at `start` (next separator).
fn cmd_end(t: &[u8], start: usize) -> usize {
    t.get(start..)
        .and_then(|r| {
            r.iter()
                .position(|&b| matches!(b, b';' | b'|' | b'&' | b'\n'))
        })
        .map_or(t.len(), |p| start + p)
}

/// Shell keywords skipped before the command word (case-sensitive; a
/// `match` on the bytes rather than a table scan, for speed).
pub(super) fn is_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"then" | b"do" | b"else" | b"elif" | b"!" | b"{" | b"}" | b"if" | b"while" | b"until"
    )
}
