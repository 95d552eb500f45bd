//! [`StreamScanner`]: a response body scanned chunk by chunk as it passes,
//! up to a bounded prefix.
//!
//! Each chunk is scanned together with the last bytes of the previous
//! one (the *tail*, at least [`MAX_MATCH`](super::MAX_MATCH) bytes and the
//! longest reflection needle), so a match across a chunk boundary is found.
//! A match is reported once: in the window where the bytes that decide it
//! end in the new bytes (a match decided inside the tail was already
//! found in the previous window; its line may run on). Its part in the new chunk is what a caller can still
//! mask: the bytes before the boundary have already been forwarded.
//!
//! A private key without its end line in the window stays *open*: the
//! next chunk is masked up to the end line, as a continuation rather than
//! a new finding.

use super::{private_key, reflect, scan, Leak, LeakKind, MAX_HITS, MAX_MATCH};

/// One match in one window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowHit {
    pub kind: LeakKind,
    pub rule: &'static str,
    /// For a reflection, which needle came back.
    pub needle: Option<usize>,
    /// The part of the match inside the chunk just fed (`start..end`,
    /// chunk offsets; empty when the match lies before it).
    pub in_chunk: (usize, usize),
    /// The matched bytes (at most [`EXCERPT`]), for the event.
    pub excerpt: Vec<u8>,
    /// False for the continuation of an open private key.
    pub new: bool,
}

/// Most matched bytes kept for an event.
pub const EXCERPT: usize = 256;

/// A body being scanned: the carried tail, the bytes left in the budget.
#[derive(Debug)]
pub struct StreamScanner {
    tail: Vec<u8>,
    keep: usize,
    left: usize,
    needles: Vec<Vec<u8>>,
    key_open: bool,
    window: Vec<u8>,
}

impl StreamScanner {
    /// A scanner for the first `budget` bytes of a body, also looking for
    /// `needles` (reflections).
    pub fn new(budget: usize, needles: Vec<Vec<u8>>) -> StreamScanner {
        let longest = needles.iter().map(Vec::len).max().unwrap_or(0);
        StreamScanner {
            tail: Vec::new(),
            keep: MAX_MATCH.max(longest),
            left: budget,
            needles,
            key_open: false,
            window: Vec::new(),
        }
    }

    /// True when the budget is spent (later chunks pass unscanned).
    pub fn exhausted(&self) -> bool {
        self.left == 0
    }

    /// Scans `chunk` (its part within the budget) after the tail; appends
    /// the matches that end in it.
    pub fn feed(&mut self, chunk: &[u8], hits: &mut Vec<WindowHit>) {
        let take = chunk.len().min(self.left);
        let Some(fresh) = chunk.get(..take).filter(|c| !c.is_empty()) else {
            return;
        };
        self.left -= take;
        let base = self.tail.len();
        self.window.clear();
        self.window.extend_from_slice(&self.tail);
        self.window.extend_from_slice(fresh);
        let w = &self.window;
        let before = hits.len();
        let was_open = std::mem::take(&mut self.key_open);
        if was_open {
            let closed = private_key::body_end(w, base);
            self.key_open = closed.is_none();
            let leak = Leak::new(
                LeakKind::PrivateKey,
                "response.private_key",
                base,
                closed.unwrap_or(w.len()),
            );
            hits.push(hit(w, base, &leak, None, false));
        }
        let mut leaks = Vec::new();
        scan(w, &mut leaks);
        // Reported before: what was decided in the tail, and the open key the
        // continuation above already covers.
        let seen = |l: &Leak| {
            l.decided <= base || (was_open && l.kind == LeakKind::PrivateKey && l.start < base)
        };
        for l in leaks.iter().filter(|l| !seen(l)) {
            if l.kind == LeakKind::PrivateKey && private_key::body_end(w, l.start).is_none() {
                self.key_open = true;
            }
            hits.push(hit(w, base, l, None, true));
        }
        let mut found = Vec::new();
        reflect::scan(w, &self.needles, &mut found);
        for (k, l) in found.iter().filter(|(_, l)| l.end > base) {
            hits.push(hit(w, base, l, Some(*k), true));
        }
        hits.truncate(before + MAX_HITS);
        let keep_from = w.len().saturating_sub(self.keep);
        self.tail.clear();
        self.tail
            .extend_from_slice(w.get(keep_from..).unwrap_or_default());
    }
}

/// The hit for `leak` in a window whose new bytes start at `base`.
fn hit(w: &[u8], base: usize, leak: &Leak, needle: Option<usize>, new: bool) -> WindowHit {
    let start = leak.start.max(base) - base;
    let end = leak.end.max(base) - base;
    let excerpt = w
        .get(leak.start..leak.end.min(leak.start + EXCERPT))
        .unwrap_or_default();
    WindowHit {
        kind: leak.kind,
        rule: leak.rule,
        needle,
        in_chunk: (start, end.max(start)),
        excerpt: excerpt.to_vec(),
        new,
    }
}
