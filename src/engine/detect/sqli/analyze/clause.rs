//! Clause keywords after the break (ORDER BY, WHERE, LIMIT, INTO …).

use super::super::lexer::Tok;
use super::super::words::Kw;
use super::state::Parser;

impl Parser<'_, '_> {
    /// A clause keyword after the break is (weak) evidence.
    pub(super) fn clause(&mut self, t: Tok) {
        self.end_segment(t.start);
        self.conn = None;
        self.check_select(t.start);
        if self.depth == 0 && self.clause_tail.is_none() && !t.is(Kw::Where) && !t.is(Kw::Having) {
            self.clause_tail = Some(t.start);
        }
    }
}
