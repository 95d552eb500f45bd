//! Boolean conditions: AND / OR / XOR connectives and the segments between
//! them, which make a boolean tail (`' or 1=1`, `1 and true`) when SQL-shaped.

use super::super::lexer::{Tok, T};
use super::super::rule::Rule;
use super::super::words::Kw;
use super::state::{seg, Lead, Parser, Step};

impl Parser<'_, '_> {
    /// AND / OR / XOR / `&&` / `||`.
    pub(super) fn connective(&mut self, t: Tok) -> Step {
        let f = self.frame();
        if t.is(Kw::And) && f.between {
            f.between = false;
            return self.binary();
        }
        if self.depth == 0 {
            if self.conn.is_none() && self.seg & seg::CONST_CMP != 0 && self.lead == Lead::Value {
                // `1=1 AND …`
                self.set_weak(Rule::BooleanTail, 0, t.end);
            }
            self.end_segment(t.start);
            self.conn = Some(t.start);
            self.conn_clause = false;
            let first = self.pre_conn.is_none();
            self.pre_conn = Some(self.after_brk);
            if first {
                let q = |b: Option<&u8>| matches!(b, Some(b'\'' | b'"'));
                self.glued = self.quote
                    && !self.brk_spaced
                    && t.t == T::Word
                    && q(self.s.get(t.start.wrapping_sub(1)))
                    && q(self.s.get(t.end));
            }
        } else {
            self.seg |= seg::NESTED_BOOL;
        }
        self.binary()
    }

    /// Closes the boolean segment: records a boolean tail when the
    /// condition after the connective is SQL-shaped.
    pub(super) fn end_segment(&mut self, end: usize) {
        if self.conn.is_some() && self.segment_ok() {
            self.set_weak(Rule::BooleanTail, self.ev_start(), end);
        }
        self.seg = 0;
    }

    /// The current segment is SQL-shaped enough for a boolean tail, given
    /// how the value started.
    pub(super) fn segment_ok(&self) -> bool {
        use seg::*;
        let s = self.seg;
        if self.quote {
            if s & (CMP | BOOL_LIT | CALL | SQL_CALL | SUB | VAR | NUM | NESTED_BOOL) != 0 {
                return true;
            }
            // `1' -1 or '1`: a lone string after the connective counts when
            // SQL came between the break and the connective.
            let lone_str = s & STR != 0 && s & WORD == 0;
            return lone_str
                && (self.pre_conn.is_some_and(|n| n > 0) || self.glued || s & ARITH != 0);
        }
        match self.lead {
            Lead::Value => {
                s & (CMP | BOOL_LIT | SQL_CALL | SUB | VAR | NESTED_BOOL) != 0
                    // `1 or col--`: a numeric context, a bare column as
                    // the condition, and the rest of the query dropped. A
                    // bare word alone is prose (`1 or more`); the comment
                    // that truncates the query is what no prose writes.
                    || (self.bare_tail && s & WORD != 0 && s & (ARITH | STR) == 0 && self.words == 1)
            }
            // `or 1--`: a value that starts with a connective.
            Lead::Fragment => {
                s & (CMP | BOOL_LIT | SQL_CALL | SUB | VAR | NESTED_BOOL) != 0
                    || (s & NUM != 0 && s & (WORD | ARITH) == 0)
            }
            // `id having (1 or 1)`: a clause keyword makes the bare word a
            // column.
            Lead::Word if self.conn_clause => {
                s & (CMP | BOOL_LIT | SQL_CALL | SUB | VAR | NESTED_BOOL) != 0
            }
            Lead::Word => s & (CONST_CMP | SQL_CALL | SUB) != 0,
            _ => false,
        }
    }
}
