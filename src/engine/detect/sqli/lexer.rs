//! A SQL lexer covering the dialects injections target (MySQL/MariaDB,
//! PostgreSQL, MSSQL, Oracle, SQLite).
//!
//! * strings: `'…'` and `"…"` with doubled-quote escapes and, when asked,
//!   backslash escapes (MySQL); prefixed forms `N'…'`, `E'…'`, `X'…'`,
//!   `B'…'`, `_utf8'…'`, `U&'…'`, Oracle `q'[…]'`, PostgreSQL `$$…$$` and
//!   `$tag$…$tag$`;
//! * numbers: decimal, `.5`, `1.`, scientific, `0x…`, `0b…`; digits glued
//!   to an operator keyword (`1and`, `1union`) split as MSSQL reads them,
//!   other digit-led words (`1st`, `70s`) are identifiers;
//! * identifiers: bare words, `` `backticks` ``, `[brackets]`; variables
//!   `@x`, `@@version`, `$1`, `?`;
//! * comments: `--`, `#` and `/* */` are whitespace, and one that runs to
//!   the end of the input is a [`T::Comment`] token (it truncates whatever
//!   the application appends); MySQL `/*! … */` and `/*!50000 … */` bodies
//!   are code.
//!
//! The lexer never allocates, never indexes out of bounds and is linear in
//! the input: every step consumes at least one byte.

use super::words::{classify, Func, Kw};

/// Operator kinds the analysis distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    /// `=` `==`
    Eq,
    /// `<>` `!=` `<` `>` `<=` `>=` `<=>` `!<` `!>`
    Cmp,
    /// `||`
    Concat,
    /// `&&`
    AndAnd,
    Plus,
    Minus,
    Star,
    /// `/` `%`
    Slash,
    Amp,
    Pipe,
    Caret,
    /// `<<` `>>`
    Shift,
    Tilde,
    Bang,
    /// `::` (PostgreSQL cast)
    Cast,
    /// `:=`
    Assign,
    /// `->` `->>`
    Arrow,
    /// `~*` `!~` `!~*` (PostgreSQL regular expressions)
    Regex,
}

/// Token kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum T {
    /// A string literal; `closed` is false when the input ends inside it.
    Str {
        closed: bool,
    },
    Num,
    /// A bare word: keyword (`Tok::kw`) or identifier.
    Word,
    /// `` `quoted` `` or `[bracketed]` identifier.
    QIdent,
    /// `@x`, `$1`, `?`.
    Var,
    /// `@@version`.
    SysVar,
    Op(Op),
    LParen,
    RParen,
    Comma,
    Semi,
    Dot,
    /// A comment running to the end of the input.
    Comment,
    /// A byte with no SQL meaning here (`{`, `\`, `:`…).
    Other,
    End,
}

/// One token: kind and byte span in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Tok {
    pub t: T,
    pub start: usize,
    pub end: usize,
    /// For [`T::Word`]: the keyword role.
    pub kw: Option<Kw>,
    /// For [`T::Word`]: the function-name class.
    pub func: Func,
}

impl Tok {
    fn new(t: T, start: usize, end: usize) -> Tok {
        Tok {
            t,
            start,
            end,
            kw: None,
            func: Func::Plain,
        }
    }

    /// True for the keyword `k`.
    pub fn is(&self, k: Kw) -> bool {
        self.t == T::Word && self.kw == Some(k)
    }
}

/// Byte classes.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0)
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// Bytes that continue a word: letters, digits, `_`, `$` and non-ASCII.
static WORD_BYTE: [bool; 256] = word_bytes();

#[allow(clippy::indexing_slicing)] // compile-time only
const fn word_bytes() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
        i += 1;
    }
    t
}

fn is_word(b: u8) -> bool {
    WORD_BYTE.get(usize::from(b)).copied().unwrap_or(false)
}

/// Finds the end of a quoted string body starting at `i` (just after the
/// opening quote `q`). Returns the position after the closing quote and
/// whether it was found.
pub(super) fn scan_string(s: &[u8], mut i: usize, q: u8, backslash: bool) -> (usize, bool) {
    while let Some(&b) = s.get(i) {
        if backslash && b == b'\\' {
            i += 2;
            continue;
        }
        if b == q {
            if s.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return (i + 1, true);
        }
        i += 1;
    }
    (s.len(), false)
}

/// Position of the first `needle` at or after `from`.
fn find(s: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while let Some(rest) = s.get(i..) {
        let off = rest.iter().position(|&b| b == first)?;
        let at = i + off;
        if s.get(at..at + needle.len()) == Some(needle) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// The lexer: a cursor over the input. Cheap to copy (for lookahead).
#[derive(Clone, Copy, Debug)]
pub(super) struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    backslash: bool,
    in_exec: bool,
    /// A MySQL `/*! … */` executable comment was seen.
    pub saw_exec_comment: bool,
    /// A closed `/* … */` comment separated tokens.
    pub saw_inline_comment: bool,
    /// ODBC escapes (`{fn …`, `{oj …`, `{if …`) open and not yet closed.
    braces: u8,
}

impl<'a> Lexer<'a> {
    /// A lexer over `s` from `pos`; `backslash` makes `\` escape quotes
    /// inside strings (MySQL's default).
    pub fn new(s: &'a [u8], pos: usize, backslash: bool) -> Lexer<'a> {
        Lexer {
            s,
            pos,
            backslash,
            in_exec: false,
            saw_exec_comment: false,
            saw_inline_comment: false,
            braces: 0,
        }
    }

    /// A no-break space (0xA0) that is not part of a UTF-8 sequence:
    /// MySQL (latin1) reads it as whitespace.
    fn nbsp(&self, i: usize) -> bool {
        self.at(i) == 0xa0 && (i == 0 || self.at(i - 1) < 0x80)
    }

    /// The current position.
    pub fn pos(&self) -> usize {
        self.pos
    }

    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    fn has(&self, i: usize) -> bool {
        i < self.s.len()
    }

    /// Skips whitespace and comments; returns a comment token when one runs
    /// to the end of the input.
    fn skip(&mut self) -> Option<Tok> {
        loop {
            while self.has(self.pos) && (is_space(self.at(self.pos)) || self.nbsp(self.pos)) {
                self.pos += 1;
            }
            let i = self.pos;
            let (a, b) = (self.at(i), self.at(i + 1));
            if !self.has(i) {
                return None;
            }
            // `#>` / `#>>` are PostgreSQL JSON path operators, not comments.
            if (a == b'-' && b == b'-') || (a == b'#' && b != b'>') {
                let from = if a == b'#' { i + 1 } else { i + 2 };
                match self
                    .s
                    .get(from..)
                    .and_then(|r| r.iter().position(|&c| c == b'\n' || c == b'\r'))
                {
                    Some(off) => {
                        self.pos = from + off + 1;
                        continue;
                    }
                    None => {
                        self.pos = self.s.len();
                        return Some(Tok::new(T::Comment, i, self.s.len()));
                    }
                }
            }
            if a == b'/' && b == b'*' {
                if self.at(i + 2) == b'!' {
                    let mut j = i + 3;
                    while j < i + 9 && self.at(j).is_ascii_digit() {
                        j += 1;
                    }
                    self.pos = j;
                    self.in_exec = true;
                    self.saw_exec_comment = true;
                    continue;
                }
                match find(self.s, i + 2, b"*/") {
                    Some(e) => {
                        self.pos = e + 2;
                        self.saw_inline_comment = true;
                        continue;
                    }
                    None => {
                        self.pos = self.s.len();
                        return Some(Tok::new(T::Comment, i, self.s.len()));
                    }
                }
            }
            if self.in_exec && a == b'*' && b == b'/' {
                self.in_exec = false;
                self.pos = i + 2;
                continue;
            }
            if let Some(end) = self.exponent_gap(i) {
                self.pos = end;
                continue;
            }
            return None;
        }
    }

    /// `1.e(`, `1.e,`, `1.e)`: digits, `.` and an exponent marker with no
    /// exponent, glued to punctuation. MySQL reads such a number as
    /// nothing more than a separator, so `1.e(ascii 1.e(substring(…` is
    /// `(ascii (substring(…`, a spelling that hides keywords from filters;
    /// the lexer skips it like whitespace. The end of the gap, if any.
    fn exponent_gap(&self, i: usize) -> Option<usize> {
        if i > 0 && is_word(self.at(i - 1)) {
            return None;
        }
        let mut j = i;
        while self.at(j).is_ascii_digit() && j < i + 16 {
            j += 1;
        }
        if j == i || self.at(j) != b'.' || !matches!(self.at(j + 1), b'e' | b'E') {
            return None;
        }
        matches!(self.at(j + 2), b'(' | b')' | b',' | b'.').then_some(j + 2)
    }

    /// The next token ([`T::End`] at the end of the input, repeatedly).
    pub fn next_tok(&mut self) -> Tok {
        if let Some(c) = self.skip() {
            return c;
        }
        let i = self.pos;
        if !self.has(i) {
            return Tok::new(T::End, i, i);
        }
        let a = self.at(i);
        let b = self.at(i + 1);
        let tok = match a {
            b'\'' | b'"' => self.string(i, i + 1, a),
            b'`' => self.quoted_ident(i, b'`'),
            b'[' if self.after_array(i) => {
                self.braces = self.braces.saturating_add(1);
                self.simple(T::LParen, i, 1)
            }
            b']' if self.braces > 0 => {
                self.braces -= 1;
                self.simple(T::RParen, i, 1)
            }
            b'[' => self.quoted_ident(i, b']'),
            b'0'..=b'9' => self.number(i),
            b'.' if b.is_ascii_digit() => self.number(i),
            b'@' => self.var(i),
            b'$' => self.dollar(i),
            // PostgreSQL JSON operators `?|`, `?&`; `?` alone is a
            // placeholder (or the `?` key-exists operator, see the analysis).
            b'?' if b == b'|' || b == b'&' => Tok::new(T::Op(Op::Cmp), i, i + 2),
            b'?' => self.simple(T::Var, i, 1),
            b'#' if b == b'>' => {
                let len = if self.at(i + 2) == b'>' { 3 } else { 2 };
                Tok::new(T::Op(Op::Arrow), i, i + len)
            }
            // MySQL `\N` is NULL.
            b'\\' if b == b'N' => Tok {
                t: T::Word,
                start: i,
                end: i + 2,
                kw: Some(Kw::Null),
                func: Func::Plain,
            },
            b'{' => self.odbc_open(i),
            b'}' if self.braces > 0 => {
                self.braces -= 1;
                self.simple(T::RParen, i, 1)
            }
            b'(' => self.simple(T::LParen, i, 1),
            b')' => self.simple(T::RParen, i, 1),
            b',' => self.simple(T::Comma, i, 1),
            b';' => self.simple(T::Semi, i, 1),
            b'.' => self.simple(T::Dot, i, 1),
            _ if is_word_start(a) => self.word(i),
            _ => self.operator(i),
        };
        self.pos = tok.end.max(i + 1);
        tok
    }

    /// `{fn concat(…)}`, `{oj t1 left join …}`, `{if length(…)>0}`: an
    /// ODBC escape, which MySQL (and ODBC drivers everywhere) evaluate as
    /// the expression after the identifier. The brace and its identifier
    /// are one opening parenthesis and the matching `}` closes it, so the
    /// expression inside is analysed like any parenthesised one. A `{` not
    /// followed by a word (JSON, `{}`) stays a stray byte.
    fn odbc_open(&mut self, i: usize) -> Tok {
        let mut j = i + 1;
        while self.has(j) && is_space(self.at(j)) && j < i + 8 {
            j += 1;
        }
        if !self.has(j) || !is_word_start(self.at(j)) || self.braces == u8::MAX {
            return Tok::new(T::Other, i, i + 1);
        }
        self.braces += 1;
        Tok::new(T::LParen, i, self.word_end(j))
    }

    /// `array[` (PostgreSQL's array constructor, `ARRAY['a','b']`): the
    /// bracket opens an argument list, not an MSSQL `[identifier]`.
    fn after_array(&self, i: usize) -> bool {
        i >= 5
            && self
                .s
                .get(i - 5..i)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"array"))
            && (i == 5 || !is_word(self.at(i - 6)))
    }

    fn simple(&self, t: T, i: usize, len: usize) -> Tok {
        Tok::new(t, i, i + len)
    }

    /// A string whose opening quote `q` is at `body - 1`; `start` is where
    /// the token starts (before any prefix).
    fn string(&self, start: usize, body: usize, q: u8) -> Tok {
        let (end, closed) = scan_string(self.s, body, q, self.backslash);
        Tok::new(T::Str { closed }, start, end)
    }

    fn quoted_ident(&self, i: usize, close: u8) -> Tok {
        match self
            .s
            .get(i + 1..)
            .and_then(|r| r.iter().position(|&c| c == close))
        {
            Some(off) => Tok::new(T::QIdent, i, i + 1 + off + 1),
            None if close == b'`' => Tok::new(T::QIdent, i, self.s.len()),
            None => Tok::new(T::Other, i, i + 1),
        }
    }

    fn number(&self, i: usize) -> Tok {
        let s = self.s;
        let a = self.at(i);
        let b = self.at(i + 1);
        let mut j = i;
        if a == b'0' && (b == b'x' || b == b'X') && self.at(i + 2).is_ascii_hexdigit() {
            j = i + 2;
            while self.at(j).is_ascii_hexdigit() {
                j += 1;
            }
        } else if a == b'0' && (b == b'b' || b == b'B') && matches!(self.at(i + 2), b'0' | b'1') {
            j = i + 2;
            while matches!(self.at(j), b'0' | b'1') {
                j += 1;
            }
        } else {
            let mut plain = true;
            while self.at(j).is_ascii_digit() {
                j += 1;
            }
            if self.at(j) == b'.' {
                plain = false;
                j += 1;
                while self.at(j).is_ascii_digit() {
                    j += 1;
                }
            }
            let e = self.at(j);
            if e == b'e' || e == b'E' {
                let mut k = j + 1;
                if matches!(self.at(k), b'+' | b'-') {
                    k += 1;
                }
                if self.at(k).is_ascii_digit() {
                    plain = false;
                    while self.at(k).is_ascii_digit() {
                        k += 1;
                    }
                    j = k;
                }
            }
            if plain && self.has(j) && is_word_start(self.at(j)) {
                // `1st`, `70s`, `3d` are identifiers; `1and`, `1union` are a
                // number glued to a keyword (MSSQL reads them so).
                if self.nbsp(j) {
                    return Tok::new(T::Num, i, j);
                }
                let k = self.word_end(j);
                let glued = s
                    .get(j..k)
                    .map(|w| classify(w).0)
                    .is_some_and(|kw| kw.is_some_and(splits_from_number));
                if !glued {
                    return self.word_from(i, k);
                }
            }
        }
        Tok::new(T::Num, i, j)
    }

    /// End of the word characters starting at `i` (a no-break space ends a
    /// word).
    fn word_end(&self, i: usize) -> usize {
        let mut j = i;
        while let Some(rest) = self.s.get(j..) {
            match rest.iter().position(|&b| !is_word(b) || b == 0xa0) {
                None => return self.s.len(),
                Some(off) => {
                    j += off;
                    if self.at(j) == 0xa0 && !self.nbsp(j) {
                        j += 1;
                        continue;
                    }
                    return j;
                }
            }
        }
        j
    }

    fn word(&self, i: usize) -> Tok {
        let j = self.word_end(i);
        // Prefixed strings: N'…', E'…', X'…', B'…', _utf8'…', q'[…]'.
        let next = self.at(j);
        if next == b'\'' {
            let w = self.s.get(i..j).unwrap_or_default();
            let lower: Option<u8> = if w.len() == 1 {
                w.first().map(|c| c.to_ascii_lowercase())
            } else {
                None
            };
            match lower {
                Some(b'n' | b'e' | b'x' | b'b') => return self.string(i, j + 1, b'\''),
                Some(b'q') => return self.q_string(i, j + 1),
                _ if w.first() == Some(&b'_') && w.len() > 1 => {
                    return self.string(i, j + 1, b'\'')
                }
                _ => {}
            }
        }
        if next == b'&'
            && self.at(j + 1) == b'\''
            && j == i + 1
            && self.at(i).eq_ignore_ascii_case(&b'u')
        {
            return self.string(i, j + 2, b'\'');
        }
        self.word_from(i, j)
    }

    fn word_from(&self, i: usize, j: usize) -> Tok {
        let w = self.s.get(i..j).unwrap_or_default();
        let (kw, func) = classify(w);
        Tok {
            t: T::Word,
            start: i,
            end: j,
            kw,
            func,
        }
    }

    /// Oracle `q'<delim>…<delim>'` with `body` just after the quote.
    fn q_string(&self, start: usize, body: usize) -> Tok {
        let open = self.at(body);
        if !self.has(body) {
            return Tok::new(T::Str { closed: false }, start, self.s.len());
        }
        let close = match open {
            b'[' => b']',
            b'{' => b'}',
            b'(' => b')',
            b'<' => b'>',
            c => c,
        };
        let mut k = body + 1;
        while let Some(rest) = self.s.get(k..) {
            match rest.iter().position(|&c| c == close) {
                Some(off) => {
                    let at = k + off;
                    if self.at(at + 1) == b'\'' {
                        return Tok::new(T::Str { closed: true }, start, at + 2);
                    }
                    k = at + 1;
                }
                None => break,
            }
        }
        Tok::new(T::Str { closed: false }, start, self.s.len())
    }

    fn var(&self, i: usize) -> Tok {
        // PostgreSQL `@>` (contains), `@?` (JSON path), `@@ ` (match).
        match (self.at(i + 1), self.at(i + 2)) {
            (b'>' | b'?', _) => return Tok::new(T::Op(Op::Cmp), i, i + 2),
            (b'@', c) if is_space(c) => return Tok::new(T::Op(Op::Cmp), i, i + 2),
            _ => {}
        }
        let mut j = i + 1;
        let mut t = T::Var;
        if self.at(j) == b'@' {
            t = T::SysVar;
            j += 1;
        }
        match self.at(j) {
            q @ (b'\'' | b'"') if self.has(j) => {
                let (end, _) = scan_string(self.s, j + 1, q, self.backslash);
                return Tok::new(t, i, end);
            }
            b'`' if self.has(j) => {
                let end = self
                    .s
                    .get(j + 1..)
                    .and_then(|r| r.iter().position(|&c| c == b'`'))
                    .map_or(self.s.len(), |off| j + 1 + off + 1);
                return Tok::new(t, i, end);
            }
            _ => {}
        }
        while self.has(j) && (is_word(self.at(j)) || self.at(j) == b'.') {
            j += 1;
        }
        Tok::new(t, i, j)
    }

    fn dollar(&self, i: usize) -> Tok {
        // $1 (placeholder), $$…$$, $tag$…$tag$.
        let mut j = i + 1;
        if self.at(j).is_ascii_digit() {
            while self.at(j).is_ascii_digit() {
                j += 1;
            }
            return Tok::new(T::Var, i, j);
        }
        while self.has(j) && (self.at(j).is_ascii_alphanumeric() || self.at(j) == b'_') {
            j += 1;
        }
        if self.at(j) == b'$' && j - i <= 32 {
            let tag = self.s.get(i..=j).unwrap_or_default();
            return match find(self.s, j + 1, tag) {
                Some(e) => Tok::new(T::Str { closed: true }, i, e + tag.len()),
                None => Tok::new(T::Str { closed: false }, i, self.s.len()),
            };
        }
        Tok::new(T::Other, i, i + 1)
    }

    fn operator(&self, i: usize) -> Tok {
        let a = self.at(i);
        let b = self.at(i + 1);
        let c = self.at(i + 2);
        let (op, len) = match (a, b) {
            (b'<', b'=') if c == b'>' => (Op::Cmp, 3),
            (b'<', b'>') | (b'<', b'=') | (b'>', b'=') | (b'!', b'=') => (Op::Cmp, 2),
            (b'!', b'<') | (b'!', b'>') => (Op::Cmp, 2),
            (b'=', b'=') => (Op::Eq, 2),
            (b'|', b'|') => (Op::Concat, 2),
            (b'&', b'&') => (Op::AndAnd, 2),
            (b'<', b'<') | (b'>', b'>') => (Op::Shift, 2),
            // PostgreSQL `<@` (contained by)
            (b'<', b'@') => (Op::Cmp, 2),
            (b':', b':') => (Op::Cast, 2),
            (b':', b'=') => (Op::Assign, 2),
            (b'-', b'>') if c == b'>' => (Op::Arrow, 3),
            (b'-', b'>') => (Op::Arrow, 2),
            (b'!', b'~') if c == b'*' => (Op::Regex, 3),
            (b'!', b'~') | (b'~', b'*') => (Op::Regex, 2),
            (b'=', _) => (Op::Eq, 1),
            (b'<', _) | (b'>', _) => (Op::Cmp, 1),
            (b'+', _) => (Op::Plus, 1),
            (b'-', _) => (Op::Minus, 1),
            (b'*', _) => (Op::Star, 1),
            (b'/', _) | (b'%', _) => (Op::Slash, 1),
            (b'&', _) => (Op::Amp, 1),
            (b'|', _) => (Op::Pipe, 1),
            (b'^', _) => (Op::Caret, 1),
            (b'~', _) => (Op::Tilde, 1),
            (b'!', _) => (Op::Bang, 1),
            _ => return Tok::new(T::Other, i, i + 1),
        };
        Tok::new(T::Op(op), i, i + len)
    }
}

/// Keywords that MSSQL (and libinjection) split from leading digits:
/// `1and 1=1`, `1union select`, `1order by 1`.
fn splits_from_number(k: Kw) -> bool {
    matches!(
        k,
        Kw::And
            | Kw::Or
            | Kw::Xor
            | Kw::Div
            | Kw::Mod
            | Kw::Like
            | Kw::Rlike
            | Kw::Regexp
            | Kw::Is
            | Kw::In
            | Kw::Between
            | Kw::Union
            | Kw::Order
            | Kw::Group
            | Kw::Having
            | Kw::Limit
            | Kw::From
            | Kw::Into
            | Kw::Not
            | Kw::Waitfor
            | Kw::Procedure
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<T> {
        let mut l = Lexer::new(s.as_bytes(), 0, false);
        let mut v = Vec::new();
        loop {
            let t = l.next_tok();
            if t.t == T::End {
                break;
            }
            v.push(t.t);
        }
        v
    }

    #[test]
    fn lexes_the_basics() {
        use T::*;
        assert_eq!(
            kinds("1 or 'a'='a'--x"),
            vec![
                Num,
                Word,
                Str { closed: true },
                Op(super::Op::Eq),
                Str { closed: true },
                Comment
            ]
        );
        assert_eq!(kinds("1st 70s 1and"), vec![Word, Word, Num, Word]);
        assert_eq!(kinds("0x7e 0b101 1.5e3 .5"), vec![Num, Num, Num, Num]);
        assert_eq!(kinds("union/**/select"), vec![Word, Word]);
        assert_eq!(kinds("/*!50000union*/ select"), vec![Word, Word]);
        assert_eq!(
            kinds("`a b` [c d] @x @@version"),
            vec![QIdent, QIdent, Var, SysVar]
        );
        assert_eq!(
            kinds("N'x' q'[it's]' $$a$$ $t$b$t$"),
            vec![Str { closed: true }; 4]
        );
        assert_eq!(
            kinds("'it''s' 'a\\'b"),
            vec![Str { closed: true }, Str { closed: true }, Word]
        );
        assert_eq!(
            kinds("a -- b\nc # d\ne /* f"),
            vec![Word, Word, Word, Comment]
        );
    }

    #[test]
    fn latin1_no_break_space_is_whitespace() {
        use T::*;
        assert_eq!(kinds("1\u{a0}x"), vec![Word]);
        let raw = b"1\xa0UNION\xa0SELECT\xa02";
        let mut l = Lexer::new(raw, 0, false);
        let mut v = Vec::new();
        loop {
            let t = l.next_tok();
            if t.t == End {
                break;
            }
            v.push(t.t);
        }
        assert_eq!(v, vec![Num, Word, Word, Num]);
    }

    #[test]
    fn backslash_escapes_when_asked() {
        let mut l = Lexer::new(b"'a\\'b' c", 0, true);
        assert_eq!(l.next_tok().t, T::Str { closed: true });
        assert_eq!(l.next_tok().t, T::Word);
        assert_eq!(l.next_tok().t, T::End);
    }
}
