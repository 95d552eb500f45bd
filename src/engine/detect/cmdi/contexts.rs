//! The places a value can land in a host's command line (unquoted, after
//! the `'` or the `"` that closes the host's quotes), and the `+`-as-space /
//! literal-`\n` variant of a value: each reading is lexed as a command list.

use super::classes::{P_BACKSLASH, P_BREAK, P_DOLLAR, P_DQUOTE, P_PLUS, P_SQUOTE};
use super::state::{Frame, Pos, Quote, Scanner};
use super::types::{Cmdi, Found};

impl Cmdi {
    /// Runs the shell lexer over the value (and its `+`-as-space /
    /// literal-`\n` variant) in the unquoted, single- and double-quoted
    /// contexts.
    pub(super) fn lex_all(&self, value: &[u8], has: u32) -> Option<Found> {
        let variant = variant(value, has);
        let texts: [Option<&[u8]>; 2] = [Some(value), variant.as_deref()];
        let mut sc = Scanner::new(&self.names, value.len());
        sc.record_vars = has & P_DOLLAR != 0;
        for text in texts.into_iter().flatten() {
            // The quoted contexts start after the quote that breaks out:
            // what precedes it is data inside the host's quotes. Without
            // breakout bytes (separators, substitutions, groups) the words
            // after the quote are arguments of the host's command, which
            // are never flagged: those contexts are skipped (prose with an
            // apostrophe, `O'Brien`).
            let quoted = has & P_BREAK != 0;
            let sq = if quoted && has & P_SQUOTE != 0 {
                breakout_quote(text, b'\'')
            } else {
                None
            };
            let dq = if quoted && has & P_DQUOTE != 0 {
                breakout_quote(text, b'"')
            } else {
                None
            };
            for (q, from) in [
                (Quote::None, Some(0)),
                (Quote::Single, sq),
                (Quote::Double, dq),
            ] {
                let Some(from) = from else {
                    continue;
                };
                sc.restart(text.len());
                let pos = if q == Quote::None {
                    Pos::Start
                } else {
                    sc.seed = true;
                    Pos::Arg
                };
                let from = if q == Quote::None { 0 } else { from + 1 };
                sc.seq(Frame {
                    text,
                    start: from,
                    end: text.len(),
                    pos,
                    depth: 0,
                });
                if let Some(f) = sc.found {
                    if text.as_ptr() == value.as_ptr() {
                        return Some(f);
                    }
                    // Offsets of the variant differ: report the whole value.
                    return Some(Found {
                        start: 0,
                        end: value.len(),
                        ..f
                    });
                }
            }
        }
        None
    }
}

/// The `+`-as-space / literal `\n` variant of a value: query strings
/// encode spaces as `+`, and payloads write newlines as `\n` for layers
/// that unescape them. `None` when it would equal the value.
pub(super) fn variant(v: &[u8], has: u32) -> Option<Vec<u8>> {
    let plus = has & P_PLUS != 0 && {
        let pluses = v.iter().filter(|&&b| b == b'+').count();
        let spaces = v.iter().filter(|&&b| b == b' ').count();
        pluses >= spaces
    };
    let lit_nl = has & P_BACKSLASH != 0
        && v.windows(2)
            .any(|w| matches!(w, [b'\\', b'n' | b'r' | b't']));
    if !plus && !lit_nl {
        return None;
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        if lit_nl && b == b'\\' {
            match v.get(i + 1) {
                Some(b'n') => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                Some(b'r' | b't') => {
                    out.push(b' ');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(if plus && b == b'+' { b' ' } else { b });
        i += 1;
    }
    Some(out)
}

/// The quote that can close the host's quoting: the first one, when at
/// most two words of data precede it (`x'; id`, `a@b.c"|cmd`); a quote after
/// prose (`it's`, `say "hi"`) is punctuation.
fn breakout_quote(t: &[u8], q: u8) -> Option<usize> {
    let p = t.iter().position(|&b| b == q)?;
    let words = t
        .get(..p)
        .unwrap_or_default()
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .count();
    (words <= 2).then_some(p)
}
