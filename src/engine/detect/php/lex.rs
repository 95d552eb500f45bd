//! PHP lexical primitives: identifier bytes, the gaps PHP allows between
//! tokens (blanks and comments, forward and backward), string literals,
//! bracket matching and the argument list of a call.
//!
//! Every walk is bounded ([`WINDOW`]) so that no position is revisited more
//! than a constant number of times.

/// Longest stretch a backward or forward walk covers.
pub(super) const WINDOW: usize = 1024;

/// A byte of a PHP identifier (bytes ≥ 0x80 are identifier bytes in PHP).
pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// A byte that can start a PHP identifier.
pub(super) fn ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// The byte at `i`, or 0 past the end.
pub(super) fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

/// The byte before `i`, or 0 at the start.
pub(super) fn before(v: &[u8], i: usize) -> u8 {
    i.checked_sub(1).map_or(0, |j| at(v, j))
}

/// `v[i..]` starts with `s`, ASCII case-insensitively.
pub(super) fn starts_ci_at(v: &[u8], i: usize, s: &[u8]) -> bool {
    v.get(i..i + s.len())
        .is_some_and(|r| r.eq_ignore_ascii_case(s))
}

/// The first position at or after `from` where `needle` starts, ASCII
/// case-insensitively (none for an empty needle).
pub(super) fn find_ci_from(v: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    needle.first()?;
    crate::engine::bytes::find_ci_from(v, from, needle)
}

/// The end of the identifier at `i` (`i` when there is none).
pub(super) fn ident_end(v: &[u8], i: usize) -> usize {
    if !ident_start(at(v, i)) {
        return i;
    }
    let mut j = i + 1;
    while is_ident(at(v, j)) {
        j += 1;
    }
    j
}

/// The start of the identifier ending at `e` (exclusive).
pub(super) fn ident_back(v: &[u8], e: usize) -> usize {
    let mut s = e;
    while s > 0 && is_ident(before(v, s)) && e - s < WINDOW {
        s -= 1;
    }
    // Digits cannot start it: `9system` is not the name `system`.
    while s < e && !ident_start(at(v, s)) {
        s += 1;
    }
    s
}

/// What a gap between two tokens held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Gap {
    /// Any blank or comment at all.
    pub any: bool,
    /// A comment, tab, CR, LF, vertical tab or form feed: layout no prose
    /// puts between a word and `(`, the way payloads dodge patterns.
    pub odd: bool,
}

/// Skips blanks and comments (`/* */`, `// …\n`, `# …\n`) forward from `i`.
/// A line comment that never ends swallows the rest of the value.
pub(super) fn gap_fwd(v: &[u8], mut i: usize) -> (usize, Gap) {
    let mut g = Gap::default();
    let limit = i + WINDOW;
    while i < v.len() && i < limit {
        let c = at(v, i);
        if c == b' ' {
            g.any = true;
            i += 1;
        } else if c.is_ascii_whitespace() || c == 0x0b {
            g = Gap {
                any: true,
                odd: true,
            };
            i += 1;
        } else if c == b'/' && at(v, i + 1) == b'*' {
            g = Gap {
                any: true,
                odd: true,
            };
            i = find_from(v, i + 2, b"*/").map_or(v.len(), |p| p + 2);
        } else if (c == b'/' && at(v, i + 1) == b'/') || (c == b'#' && at(v, i + 1) != b'[') {
            g = Gap {
                any: true,
                odd: true,
            };
            i = v
                .get(i..)
                .and_then(|r| r.iter().position(|&b| b == b'\n'))
                .map_or(v.len(), |p| i + p + 1);
        } else {
            break;
        }
    }
    (i, g)
}

/// Skips blanks and block comments backward from `i` (exclusive end):
/// the new exclusive end.
pub(super) fn gap_back(v: &[u8], mut i: usize) -> (usize, Gap) {
    let mut g = Gap::default();
    let limit = i.saturating_sub(WINDOW);
    while i > limit {
        let c = before(v, i);
        if c == b' ' {
            g.any = true;
            i -= 1;
        } else if c.is_ascii_whitespace() || c == 0x0b {
            g = Gap {
                any: true,
                odd: true,
            };
            i -= 1;
            // A line comment before the line break (`f //x\n(`).
            if c == b'\n' {
                i = line_comment_start(v, i).unwrap_or(i);
            }
        } else if c == b'/' && before(v, i - 1) == b'*' {
            let Some(open) = rfind(v, i - 2, b"/*", COMMENT_WINDOW) else {
                break;
            };
            g = Gap {
                any: true,
                odd: true,
            };
            i = open;
        } else {
            break;
        }
    }
    (i, g)
}

/// The start of a `//` or `#` comment on the line ending at `e`.
fn line_comment_start(v: &[u8], e: usize) -> Option<usize> {
    let lo = e.saturating_sub(WINDOW);
    let line_start = v
        .get(lo..e)?
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(lo, |p| lo + p + 1);
    let line = v.get(line_start..e)?;
    let p = line
        .windows(2)
        .position(|w| w == b"//")
        .or_else(|| line.iter().position(|&b| b == b'#'))?;
    Some(line_start + p)
}

/// The first position at or after `from` where `needle` starts (none for
/// an empty needle).
pub(super) fn find_from(v: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    needle.first()?;
    crate::engine::bytes::find(v, from, needle)
}

/// Longest block comment read backward: the comments payloads put
/// between a name and `(` are short (`/**/`, `/*comment*/`), and a bounded
/// search keeps `*/(*/(*/(` linear.
const COMMENT_WINDOW: usize = 128;

/// The last position before `end` where `needle` starts, at most `window`
/// bytes back.
fn rfind(v: &[u8], end: usize, needle: &[u8], window: usize) -> Option<usize> {
    let lo = end.saturating_sub(window);
    let hay = v.get(lo..end.min(v.len()))?;
    hay.windows(needle.len())
        .rposition(|w| w == needle)
        .map(|p| lo + p)
}

/// The end (exclusive, after the closing quote) of the string literal
/// whose opening quote is at `i`; `None` when it does not close.
pub(super) fn string_end(v: &[u8], i: usize) -> Option<usize> {
    let q = at(v, i);
    let mut j = i + 1;
    let limit = i + WINDOW;
    while j < v.len() && j < limit {
        let c = at(v, j);
        if c == b'\\' {
            j += 2;
            continue;
        }
        if c == q {
            return Some(j + 1);
        }
        j += 1;
    }
    None
}

/// The opening quote of the string literal whose closing quote is at `i`.
pub(super) fn string_start(v: &[u8], i: usize) -> Option<usize> {
    let q = at(v, i);
    let mut j = i;
    let limit = i.saturating_sub(WINDOW);
    while j > limit {
        j -= 1;
        if at(v, j) == q && before(v, j) != b'\\' {
            return Some(j);
        }
    }
    None
}

/// Deepest bracket nesting paired; deeper brackets are read as text.
const MAX_DEPTH: usize = 4096;

/// The bracket pairs of a value (`()`, `[]`, `{}`), found in one pass so
/// that any number of call sites can ask for a partner in `O(log n)`.
/// Quotes are not followed: an apostrophe of prose would otherwise hide
/// every bracket after it.
pub(super) struct Pairs {
    by_open: Vec<(usize, usize)>,
    by_close: Vec<(usize, usize)>,
}

impl Pairs {
    pub fn new(v: &[u8]) -> Pairs {
        let mut stack: Vec<(u8, usize)> = Vec::new();
        let mut by_open = Vec::new();
        for (i, &c) in v.iter().enumerate() {
            match c {
                b'(' | b'[' | b'{' if stack.len() < MAX_DEPTH => stack.push((c, i)),
                b')' | b']' | b'}' => {
                    let want = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    // A stray closer (`:-)`) pairs with nothing.
                    if stack.last().is_some_and(|&(o, _)| o == want) {
                        if let Some((_, o)) = stack.pop() {
                            by_open.push((o, i));
                        }
                    }
                }
                _ => {}
            }
        }
        by_open.sort_unstable();
        let mut by_close: Vec<(usize, usize)> = by_open.iter().map(|&(o, c)| (c, o)).collect();
        by_close.sort_unstable();
        Pairs { by_open, by_close }
    }

    /// The closing partner of the opening bracket at `i`.
    pub fn close_of(&self, i: usize) -> Option<usize> {
        let k = self.by_open.binary_search_by_key(&i, |&(o, _)| o).ok()?;
        self.by_open.get(k).map(|&(_, c)| c)
    }

    /// The opening partner of the closing bracket at `i`.
    pub fn open_of(&self, i: usize) -> Option<usize> {
        let k = self.by_close.binary_search_by_key(&i, |&(c, _)| c).ok()?;
        self.by_close.get(k).map(|&(_, o)| o)
    }
}
