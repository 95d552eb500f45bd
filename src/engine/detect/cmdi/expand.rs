//! Expansions and substitutions: `$…` parameters, `${…}`, `$(…)`,
//! `` `…` ``, ANSI-C `$'…'` quoting, and whether a substitution is a
//! breakout or code quoted in prose.

use super::state::{Frame, Pos, Scanner, MAX_DEPTH};
use super::util::{hex_digit, parse_num};
use super::words::{
    words_before, Cmd, MAX_WORD, W_EMPTY_EXP, W_ESCAPE, W_EXPANSION, W_IFS, W_LITERAL, W_QUOTED,
    W_SUBST, W_VAR_TEXT,
};

impl<'d> Scanner<'d> {
    /// `` `…` `` command substitution at `i`.
    pub(super) fn backtick(&mut self, f: &Frame<'_>, i: usize, cmd: &mut Cmd) -> usize {
        let (t, b) = (f.text, f.end);
        let mut j = i + 1;
        while j < b {
            match t.get(j) {
                Some(b'\\') => j += 2,
                Some(b'`') => break,
                Some(_) => j += 1,
                None => break,
            }
        }
        let end = j.min(b);
        let had_text = cmd.cur.is_some_and(|w| cmd.arena.len() > w.start);
        cmd.flag(i, W_SUBST | W_EXPANSION);
        if had_text || t.get(end + 1).is_some_and(|c| c.is_ascii_alphanumeric()) {
            cmd.flag(i, W_EMPTY_EXP);
        }
        if f.depth < MAX_DEPTH {
            // Markdown code spans follow a word (`try \`ls\``): a backtick
            // breakout has nothing but glued text before it.
            let trusted = words_before(cmd) == 0 && subst_trusted(f, 0, end);
            if !trusted {
                return (end + 1).min(b.max(i + 1));
            }
            self.seq(f.nested(
                i + 1,
                end,
                Pos::Subst {
                    trusted,
                    backtick: true,
                },
            ));
        }
        (end + 1).min(b.max(i + 1))
    }

    /// `$…` at `i`: variables, `${…}`, `$(…)`, `$((…))`, `$'…'`.
    pub(super) fn dollar(&mut self, f: &Frame<'_>, i: usize, cmd: &mut Cmd, quoted: bool) -> usize {
        let (t, b) = (f.text, f.end);
        let qflag = if quoted { W_QUOTED } else { 0 };
        match t.get(i + 1).copied() {
            Some(b'(') => self.dollar_paren(f, i, cmd, quoted),
            Some(b'{') => self.dollar_brace(f, i, cmd, quoted),
            Some(b'[') => {
                // $[…] arithmetic: a number.
                let end = self.find_close(f, i + 2, b'[', b']');
                cmd.flag(i, W_EXPANSION | qflag);
                end.map_or(b, |e| e + 1)
            }
            Some(b'\'') if !quoted => ansi_c_quoted(f, i, cmd),
            Some(b'"') if !quoted => {
                // $"…" is a double-quoted string.
                cmd.flag(i, W_QUOTED);
                i + 1
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let rest = t.get(i + 1..b).unwrap_or_default();
                let n = rest
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .unwrap_or(rest.len());
                let name = rest.get(..n).unwrap_or_default();
                let value = self.param(name, &[]);
                expand(cmd, i, &value, quoted);
                i + 1 + n
            }
            Some(c)
                if c.is_ascii_digit()
                    || matches!(c, b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') =>
            {
                let value: &[u8] = if c == b'0' { b"sh" } else { b"" };
                expand(cmd, i, value, quoted);
                i + 2
            }
            _ => {
                cmd.push(i, b'$', W_LITERAL | qflag);
                i + 1
            }
        }
    }

    /// `$(…)` command substitution (or `$((…))` arithmetic) at `i`.
    fn dollar_paren(&mut self, f: &Frame<'_>, i: usize, cmd: &mut Cmd, quoted: bool) -> usize {
        let (t, b) = (f.text, f.end);
        let qflag = if quoted { W_QUOTED } else { 0 };
        let had_text = cmd.cur.is_some_and(|w| cmd.arena.len() > w.start);
        let end = self.find_close(f, i + 2, b'(', b')');
        cmd.flag(i, W_SUBST | W_EXPANSION | qflag);
        let next_alnum = end
            .and_then(|e| t.get(e + 1))
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if had_text || next_alnum {
            cmd.flag(i, W_EMPTY_EXP);
        }
        if f.depth < MAX_DEPTH {
            let arith = t.get(i + 2) == Some(&b'(');
            let inner = if arith { i + 3 } else { i + 2 };
            let trusted = subst_trusted(f, words_before(cmd), end.unwrap_or(b));
            self.seq(f.nested(
                inner.min(b),
                end.unwrap_or(b).max(inner.min(b)),
                Pos::Subst {
                    trusted,
                    backtick: false,
                },
            ));
        }
        end.map_or(b, |e| e + 1)
    }

    /// `${…}` at `i`: a parameter (with `:offset:length`), or a
    /// substitution nested inside it.
    fn dollar_brace(&mut self, f: &Frame<'_>, i: usize, cmd: &mut Cmd, quoted: bool) -> usize {
        let (t, b) = (f.text, f.end);
        let end = self.find_close(f, i + 2, b'{', b'}');
        let inner_end = end.unwrap_or(b);
        let inner = t.get(i + 2..inner_end).unwrap_or_default();
        if inner.contains(&b'`') || inner.windows(2).any(|w| w == b"$(") {
            if f.depth < MAX_DEPTH {
                let trusted = subst_trusted(f, words_before(cmd), inner_end);
                self.seq(f.nested(
                    i + 2,
                    inner_end,
                    Pos::Subst {
                        trusted,
                        backtick: false,
                    },
                ));
            }
            cmd.flag(i, W_SUBST | W_EXPANSION);
        } else {
            let name_len = inner
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .unwrap_or(inner.len());
            let name = inner.get(..name_len).unwrap_or_default();
            let value = self.param(name, inner.get(name_len..).unwrap_or_default());
            expand(cmd, i, &value, quoted);
        }
        end.map_or(b, |e| e + 1)
    }

    /// The value of `$name` / `${name<op>}`.
    fn param(&self, name: &[u8], op: &[u8]) -> Vec<u8> {
        let base: Vec<u8> =
            if let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n.as_slice() == name) {
                v.clone()
            } else {
                match name {
                    b"IFS" => b" ".to_vec(),
                    b"SHELL" => b"/bin/sh".to_vec(),
                    b"BASH" => b"/bin/bash".to_vec(),
                    b"PATH" => b"/usr/local/bin:/usr/bin:/bin".to_vec(),
                    b"HOME" => b"/root".to_vec(),
                    b"PWD" => b"/".to_vec(),
                    _ => Vec::new(),
                }
            };
        // ${NAME:offset:length}
        if let Some(spec) = op.strip_prefix(b":") {
            let mut parts = spec.splitn(2, |&b| b == b':');
            let off = parts.next().and_then(parse_num);
            let len = parts.next().and_then(parse_num);
            if let Some(off) = off {
                let from = off.min(base.len());
                let to = len.map_or(base.len(), |l| (from + l).min(base.len()));
                return base.get(from..to).unwrap_or_default().to_vec();
            }
        }
        base
    }
}

/// Whether a substitution ending at `end` is a breakout rather than code
/// quoted in prose (`run \`ls -l\` to see`): at most two words before it
/// in its command and at most one after it before the next separator.
/// `f.pos` is the position of the command the substitution is in.
pub(super) fn subst_trusted(f: &Frame<'_>, words_before: usize, end: usize) -> bool {
    let (t, b) = (f.text, f.end);
    if !f.pos.trusted() || words_before > 1 {
        return false;
    }
    let tail = t
        .get(end.saturating_add(1)..b.min(t.len()))
        .unwrap_or_default();
    let mut words = 0;
    let mut in_word = true; // text glued to the substitution is its word
    for &c in tail.iter().take(256) {
        if matches!(c, b';' | b'|' | b'&' | b'\n' | b')' | b'`') {
            break;
        }
        if c.is_ascii_whitespace() {
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
            if words > 1 {
                return false;
            }
        }
    }
    true
}

/// Decodes one ANSI-C escape after the backslash: returns the byte and
/// the number of bytes used.
fn ansi_escape(s: &[u8]) -> (Option<u8>, usize) {
    match s.first() {
        Some(b'x') => {
            let h = s.get(1).copied().and_then(hex_digit);
            let l = s.get(2).copied().and_then(hex_digit);
            match (h, l) {
                (Some(h), Some(l)) => (Some(h * 16 + l), 3),
                (Some(h), None) => (Some(h), 2),
                _ => (None, 1),
            }
        }
        Some(c @ b'0'..=b'7') => {
            let mut v = u32::from(c - b'0');
            let mut used = 1;
            while used < 3 {
                match s.get(used) {
                    Some(d @ b'0'..=b'7') => {
                        v = v * 8 + u32::from(d - b'0');
                        used += 1;
                    }
                    _ => break,
                }
            }
            (Some((v & 0xff) as u8), used)
        }
        Some(b'n') => (Some(b'\n'), 1),
        Some(b't') => (Some(b'\t'), 1),
        Some(&c) => (Some(c), 1),
        None => (None, 0),
    }
}

/// `$'…'` (ANSI-C quoting) at `i`: escapes decoded into the word.
fn ansi_c_quoted(f: &Frame<'_>, i: usize, cmd: &mut Cmd) -> usize {
    let (t, b) = (f.text, f.end);
    let mut j = i + 2;
    while j < b {
        match t.get(j) {
            Some(b'\'') => break,
            Some(b'\\') => {
                let (byte, used) = ansi_escape(t.get(j + 1..b).unwrap_or_default());
                if let Some(byte) = byte {
                    cmd.push(j, byte, W_QUOTED | W_ESCAPE);
                }
                j += 1 + used;
            }
            Some(&c) => {
                cmd.push(j, c, W_QUOTED);
                j += 1;
            }
            None => break,
        }
    }
    cmd.flag(i, W_QUOTED);
    (j + 1).min(b.max(i + 2))
}

/// Appends an expansion's value to the current word (unquoted values
/// split on blanks, like the shell's field splitting).
fn expand(cmd: &mut Cmd, i: usize, value: &[u8], quoted: bool) {
    let qflag = if quoted { W_QUOTED } else { 0 };
    if value.is_empty() {
        // The word may gain text later (`c$@at`): an empty expansion
        // inside a word is obfuscation; alone, the word vanishes.
        cmd.flag(i, W_EXPANSION | W_EMPTY_EXP | qflag);
        return;
    }
    for &c in value.iter().take(MAX_WORD) {
        if !quoted && (c == b' ' || c == b'\t' || c == b'\n') {
            if cmd.cur.is_some() {
                cmd.flag(i, W_IFS);
                cmd.end_word();
            }
            // The next word carries the split mark too.
            cmd.flag(i, W_IFS);
            continue;
        }
        cmd.push(i, c, W_EXPANSION | W_VAR_TEXT | qflag);
    }
}
