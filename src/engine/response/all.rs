//! Every leak detector over one window, overlapping matches of a kind
//! kept once.

use super::leak::{Leak, LeakKind, MAX_HITS};
use super::{card, command_output, passwd, private_key, sql_error, stack_trace};

/// Runs every leak detector over `hay` (reflection is the caller's: it
/// needs the request's findings), appending at most [`MAX_HITS`] matches.
pub fn scan(hay: &[u8], out: &mut Vec<Leak>) {
    sql_error::scan(hay, out);
    stack_trace::scan(hay, out);
    passwd::scan(hay, out);
    private_key::scan(hay, out);
    command_output::scan(hay, out);
    card::scan(hay, out);
    dedupe(out);
    out.truncate(MAX_HITS);
}

/// Keeps one match of a kind where several overlap (a MySQL message has
/// two phrases and a code), in the order of the body.
fn dedupe(out: &mut Vec<Leak>) {
    out.sort_by_key(|l| (l.start, std::cmp::Reverse(l.end)));
    let mut kept: Vec<Leak> = Vec::with_capacity(out.len());
    for l in out.drain(..) {
        let overlaps = kept
            .iter()
            .rev()
            .take(LeakKind::ALL.len())
            .any(|k| k.kind == l.kind && l.start < k.end);
        if !overlaps {
            kept.push(l);
        }
    }
    *out = kept;
}
