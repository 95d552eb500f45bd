//! Comments, truncation and the end of input: what a value that parses to
//! its end (or to a comment that drops the rest of the query) proves.

use super::super::lexer::{Op, Tok, T};
use super::super::rule::Rule;
use super::super::words::Kw;
use super::class::postfix;
use super::state::{seg, Atom, Exp, Lead, Parser, Step};

impl Parser<'_, '_> {
    /// The first token after the break, in operator position: notes whether
    /// it is an operator joining the closed literal to another one (the
    /// operator tail [`finish`](Self::finish) judges).
    pub(super) fn note_first_operator(&mut self, t: &Tok) {
        // `"&"`, `"LIKE"`: a quoted word, not an operator.
        let tight = t.start == self.brk
            && matches!(self.s.get(t.end), Some(b'\'' | b'"'))
            && (self.brk <= 1 || self.brk_spaced || t.t == T::Word);
        self.op_tail = !tight && matches!(t.t, T::Op(_)) && t.t != T::Op(Op::Bang);
        self.op_tail_postfix = postfix(self.text(t));
        self.op_tail_strict = !tight
            && (matches!(
                t.t,
                T::Op(
                    Op::Eq
                        | Op::Cmp
                        | Op::Concat
                        | Op::AndAnd
                        | Op::Amp
                        | Op::Pipe
                        | Op::Caret
                        | Op::Regex
                )
            ) || t.kw.is_some_and(|k| {
                matches!(
                    k,
                    Kw::Like
                        | Kw::Rlike
                        | Kw::Regexp
                        | Kw::Sounds
                        | Kw::Div
                        | Kw::Is
                        | Kw::Not
                        | Kw::Glob
                        | Kw::Ilike
                        | Kw::Xor
                        | Kw::Collate
                        | Kw::Similar
                        | Kw::Mod
                        | Kw::In
                )
            }));
    }

    /// `admin'--`: a comment right after the break (and any `)` / `;`)
    /// drops the rest of the query. The closed literal must be one token
    /// (a credential, a number), and a `#` comment must not be glued to
    /// text (`"#2 MOM"` is prose).
    pub(super) fn comment_truncation(&mut self, t: Tok) {
        if !self.quote {
            // `( 'a' ) --`, `1 * 1--`: an expression (not a lone literal)
            // in an unquoted context, then the rest of the query dropped.
            let text = self.text(&t);
            // A lone number is only evidence when its comment is the SQL
            // `--` marker (`1--`, `1 --`); a number padded with a run of
            // dashes (`1---`, the IAB US-Privacy string, form codes) is a
            // code in a dash-padded format, and MySQL would not even read
            // `---` as a comment (it needs a space after `--`). A `)` before
            // the dashes is a break-out and keeps them a comment (`1)---`).
            let padded = dash_run(text) && self.last.t == T::Num;
            let lone_number = self.after_brk == 1 && self.atom == Atom::Num && !padded;
            if self.lead == Lead::Value
                && (self.structure || lone_number)
                && self.words == 0
                && self.exp != Exp::Operand
                && bare_comment(text)
            {
                self.set_weak(Rule::CommentTruncation, 0, t.end);
            }
            return;
        }
        if self.after_brk != 0 || self.brk_spaced {
            return;
        }
        let text = self.text(&t);
        if hash_ok(text) && !quoted_option(text) {
            self.set_weak(Rule::CommentTruncation, self.ev_start(), t.end);
        }
    }

    /// End of input (or a comment running to it) in operator position.
    pub(super) fn finish(&mut self, end: usize) -> Step {
        let seg_tail = self.seg;
        self.end_segment(end);
        // SELECTs still open (`1 and (select count(x`) are judged too.
        self.salvage(end);
        self.truncated_delay(end);
        if self.quote {
            // The first token after the break is an operator: a strict one
            // (comparison, bitwise, concatenation), a postfix null test, or
            // arithmetic followed by a comparison or a truncating comment.
            let op = self.op_tail || self.op_tail_strict || self.op_tail_postfix;
            let strong_op = self.op_tail_strict
                || self.op_tail_postfix
                || self.truncated
                || seg_tail & seg::CMP != 0;
            // `x'=email--`: column names are fine when the rest of the
            // query is commented out.
            let words_ok = self.words == 0 || (self.truncated && !self.brk_spaced);
            let complete = self.after_brk >= 2 || self.op_tail_postfix;
            if op && strong_op && words_ok && complete {
                self.set_weak(Rule::OperatorTail, self.ev_start(), end);
            }
            // `asd' or column^'-1`: the value closes the literal, adds an
            // expression, and ends inside a new literal that the
            // application's own closing quote completes.
            let tail = self.text(&self.last);
            let plain_tail =
                tail.len() <= 32 && tail.iter().skip(1).all(|&b| b != b'\'' && b != b'"');
            if self.any_op
                && self.last.t == (T::Str { closed: false })
                && plain_tail
                && self.after_brk >= 2
                && self.words <= 2
                && self.brk > 1
                && !self.brk_spaced
            {
                self.set_weak(Rule::OperatorTail, self.ev_start(), end);
            }
            if self.clause_tail.is_some() {
                self.set_weak(Rule::ClauseTail, self.ev_start(), end);
            }
            // `admin@example.com';`: a one-token literal closed and the
            // statement ended right after it, so whatever the application
            // appends is a new (failing) statement while the first one runs
            // with the attacker's condition dropped. Text with a quote in
            // it has words around the quote, which the break does not take.
            if self.after_brk == 0
                && self.stmt_at.is_some()
                && self.brk > 1
                && !self.brk_spaced
                && self.depth == 0
            {
                self.set_weak(Rule::TerminatedLiteral, self.ev_start(), end);
            }
        } else if let Some(c) = self.clause_tail {
            if matches!(self.lead, Lead::Value | Lead::Fragment)
                && (self.last.t == T::Num || seg_tail & seg::SQL_CALL != 0)
            {
                // `1 ORDER BY 5--`: column-count probing.
                self.set_weak(Rule::ClauseTail, c, end);
            }
        }
        if let Some((at, call)) = self.cast_at {
            // The cast's own `::` is not counted: `ops` counts the
            // operators around it.
            if call || self.ops >= 1 {
                self.set_weak(Rule::CastExpression, at, end);
            }
        }
        Step::Done
    }
}

/// `--name'` / `--name"`: a command-line option written in quotes
/// (`'--force' flag`, `"--work-tree" option`), whose closing quote ends
/// the word right after the dashes. A comment that truncates a query has
/// no reason to close a quote on its first word.
pub(super) fn quoted_option(comment: &[u8]) -> bool {
    let Some(rest) = comment.strip_prefix(b"--") else {
        return false;
    };
    if !rest.first().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    let n = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
        .count();
    matches!(rest.get(n), Some(b'\'' | b'"' | b'`'))
}

/// In an unquoted value, only a comment with nothing after it truncates
/// (`1 --`, `1/*`); `1 -- Introduction` is prose.
pub(super) fn bare_comment(text: &[u8]) -> bool {
    let body = if text.starts_with(b"#") {
        text.get(1..)
    } else {
        text.get(2..)
    };
    body.unwrap_or_default()
        .iter()
        .all(|&b| b.is_ascii_whitespace() || b == b'-' || b == b'#' || b == b'+')
}

/// `---…`: three or more dashes, a separator or padding rather than the
/// two-dash comment marker someone truncating a query writes.
pub(super) fn dash_run(text: &[u8]) -> bool {
    text.starts_with(b"---")
}

/// A `#` comment glued to text (`#2`) is prose, not a truncation.
pub(super) fn hash_ok(text: &[u8]) -> bool {
    if text.first() != Some(&b'#') {
        return true;
    }
    match text.get(1) {
        None => true,
        Some(b) => b.is_ascii_whitespace() || *b == b'-' || *b == b'#',
    }
}
