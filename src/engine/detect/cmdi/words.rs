//! Words of a simple command: the flags the lexer records while dequoting
//! (quoted, escaped, expanded, globbed, …), the [`Word`] ranges of the
//! arena and the [`Cmd`] being built.

use std::borrow::Cow;

/// A command argument: dequoted text (borrowed from the word arena, or
/// built by brace expansion) and its word flags.
pub(super) type Arg<'a> = (Cow<'a, [u8]>, u32);

// Word flags.
pub(super) const W_QUOTED: u32 = 1;
pub(super) const W_LITERAL: u32 = 1 << 1;
pub(super) const W_ESCAPE: u32 = 1 << 2;
pub(super) const W_EMPTY_EXP: u32 = 1 << 3;
pub(super) const W_EXPANSION: u32 = 1 << 4;
pub(super) const W_VAR_TEXT: u32 = 1 << 5;
pub(super) const W_IFS: u32 = 1 << 6;
pub(super) const W_GLOB: u32 = 1 << 7;
pub(super) const W_BRACE: u32 = 1 << 8;
pub(super) const W_SUBST: u32 = 1 << 9;
pub(super) const W_ASSIGN: u32 = 1 << 10;
pub(super) const W_REDIR: u32 = 1 << 11;
pub(super) const W_HERE: u32 = 1 << 12;
const W_QUOTE_SPLIT: u32 = 1 << 13;

/// Flags that show deliberate obfuscation of a word.
pub(super) const W_OBFUSCATED: u32 = W_ESCAPE | W_EMPTY_EXP | W_VAR_TEXT | W_IFS | W_QUOTE_SPLIT;

/// One word of a simple command: a range of the scanner's arena.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Word {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) flags: u32,
    pub(super) raw_start: usize,
    /// Positions (arena offsets) of unquoted `{`, first `,`, matching `}`.
    pub(super) brace: Option<(usize, usize)>,
}

/// Longest dequoted word kept (longer words are truncated).
pub(super) const MAX_WORD: usize = 256;
/// Most words kept per simple command.
const MAX_WORDS: usize = 24;

/// The simple command being built.
#[derive(Default)]
pub(super) struct Cmd {
    pub(super) arena: Vec<u8>,
    pub(super) words: Vec<Word>,
    /// The word in progress.
    pub(super) cur: Option<Word>,
    /// The next word is a redirection target (`>`, `<`), here-string.
    pub(super) redir_next: u32,
    pub(super) raw_start: usize,
    /// Words counted (including ones beyond `MAX_WORDS`).
    pub(super) count: usize,
    /// Words made only of letters (prose-like), counted like `count`.
    pub(super) prose: usize,
    /// Whether the command word is (or may be) a command, once known.
    pub(super) first_known: Option<bool>,
}

impl Cmd {
    pub(super) fn reset(&mut self, raw_start: usize) {
        if self.arena.capacity() == 0 {
            self.arena.reserve(128);
            self.words.reserve(MAX_WORDS);
        }
        self.arena.clear();
        self.words.clear();
        self.cur = None;
        self.redir_next = 0;
        self.raw_start = raw_start;
        self.count = 0;
        self.prose = 0;
        self.first_known = None;
    }

    pub(super) fn push(&mut self, raw: usize, b: u8, flag: u32) {
        let len = self.arena.len();
        let w = self.cur.get_or_insert(Word {
            start: len,
            end: len,
            flags: 0,
            raw_start: raw,
            brace: None,
        });
        w.flags |= flag;
        if len - w.start < MAX_WORD {
            self.arena.push(b);
            w.end = len + 1;
        }
    }

    pub(super) fn push_run(&mut self, raw: usize, bytes: &[u8], flag: u32) {
        let len = self.arena.len();
        let w = self.cur.get_or_insert(Word {
            start: len,
            end: len,
            flags: 0,
            raw_start: raw,
            brace: None,
        });
        w.flags |= flag;
        let room = MAX_WORD.saturating_sub(len - w.start);
        let take = bytes.get(..bytes.len().min(room)).unwrap_or_default();
        self.arena.extend_from_slice(take);
        w.end = self.arena.len();
    }

    pub(super) fn flag(&mut self, raw: usize, flag: u32) {
        let len = self.arena.len();
        let w = self.cur.get_or_insert(Word {
            start: len,
            end: len,
            flags: 0,
            raw_start: raw,
            brace: None,
        });
        w.flags |= flag;
    }

    /// An unquoted `{`, `,` or `}`: literal text that records the first
    /// brace pair of the word, and marks brace expansion when the pair
    /// holds a `,` (`{cat,/etc/passwd}`).
    pub(super) fn push_brace(&mut self, raw: usize, c: u8) {
        let at = self.arena.len();
        self.push(raw, c, W_LITERAL);
        if let Some(w) = self.cur.as_mut() {
            match (c, w.brace) {
                (b'{', None) => w.brace = Some((at, usize::MAX)),
                (b'}', Some((o, _))) if o != usize::MAX => {
                    w.brace = Some((o, at));
                    let inner = self.arena.get(o..at).unwrap_or_default();
                    if inner.contains(&b',') {
                        w.flags |= W_BRACE;
                    }
                }
                _ => {}
            }
        }
    }

    /// Ends the current word. Words made only of empty expansions vanish.
    pub(super) fn end_word(&mut self) {
        let Some(mut w) = self.cur.take() else {
            return;
        };
        w.end = self.arena.len();
        if w.start == w.end && w.flags & (W_QUOTED | W_SUBST) == 0 {
            return;
        }
        if self.redir_next != 0 {
            w.flags |= self.redir_next;
            self.redir_next = 0;
        }
        // `name=value` before the command: an assignment.
        if self
            .words
            .iter()
            .all(|x| x.flags & (W_ASSIGN | W_REDIR) != 0)
            && w.flags & W_REDIR == 0
        {
            if let Some(text) = self.arena.get(w.start..w.end) {
                if let Some(eq) = text.iter().position(|&b| b == b'=') {
                    let name = text.get(..eq).unwrap_or_default();
                    if !name.is_empty()
                        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
                        && !name.first().is_some_and(u8::is_ascii_digit)
                    {
                        w.flags |= W_ASSIGN;
                    }
                }
            }
        }
        self.count += 1;
        let text = self.arena.get(w.start..w.end).unwrap_or_default();
        let body = text
            .strip_suffix(b",")
            .or_else(|| text.strip_suffix(b"."))
            .or_else(|| text.strip_suffix(b":"))
            .unwrap_or(text);
        if body.len() >= 2 && body.iter().all(u8::is_ascii_alphabetic) {
            self.prose += 1;
        }
        if self.words.len() < MAX_WORDS {
            self.words.push(w);
        }
    }
}

/// Words before the current point of a command: completed words plus
/// blank-separated runs inside a quoted word in progress (`"see the \`x\``).
pub(super) fn words_before(cmd: &Cmd) -> usize {
    let inner = cmd.cur.map_or(0, |w| {
        let text = cmd.arena.get(w.start..).unwrap_or_default();
        text.split(|b| b.is_ascii_whitespace())
            .filter(|x| !x.is_empty())
            .count()
            .saturating_sub(1)
    });
    cmd.count + inner
}

/// A word whose text was obfuscated: escapes, empty or variable
/// expansions, IFS splitting, or quotes glued to unquoted letters.
pub(super) fn obfuscated_word(f: u32) -> bool {
    f & W_OBFUSCATED != 0 && (f & W_LITERAL != 0 || f & W_VAR_TEXT != 0)
        || f & W_QUOTED != 0 && f & W_LITERAL != 0
}
