//! Word-level prefilters that let most values skip the lexer: whether the
//! first word is a command, and whether any shell word can name one.

use super::classes::{name_byte, P_SEP, P_SLASH};
use super::names::MAX_NAME;
use super::types::Cmdi;
use super::util::strip_suffix_ci;

impl Cmdi {
    /// Whether the first word of the value is a known command (the only
    /// way a value without shell syntax can be a command line).
    pub(super) fn first_word_known(&self, v: &[u8]) -> bool {
        let start = v
            .iter()
            .position(|&b| !b.is_ascii_whitespace() && b != b'+')
            .unwrap_or(v.len());
        let rest = v.get(start..).unwrap_or_default();
        let end = rest
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b == b'+')
            .unwrap_or(rest.len());
        let raw = rest.get(..end).unwrap_or_default();
        // Quotes, escapes and carets inside the word (`'wh'oami`, `c\at`,
        // `w^hoami`) are removed before the lookup; glob paths
        // (`/???/??t`) go to the lexer.
        if raw.first() == Some(&b'/') && raw.iter().any(|&b| matches!(b, b'?' | b'*' | b'[')) {
            return true;
        }
        let mut buf = [0u8; MAX_NAME + 8];
        let mut n = 0;
        for &b in raw {
            if matches!(b, b'\'' | b'"' | b'\\' | b'^') {
                continue;
            }
            match buf.get_mut(n) {
                Some(slot) => *slot = b,
                None => return false,
            }
            n += 1;
        }
        let word = buf.get(..n).unwrap_or_default();
        // Cheap rejection of numbers and plain words before the full
        // resolution.
        if word.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let plain = word.iter().all(u8::is_ascii_alphanumeric)
            && !word.last().is_some_and(u8::is_ascii_digit);
        if plain && word.len() > 3 && !self.names.maybe_name(word) {
            return false;
        }
        if word.eq_ignore_ascii_case(b"if")
            || word.eq_ignore_ascii_case(b"for")
            || word.len() > 3
                && word
                    .get(..3)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"if/"))
        {
            return true;
        }
        self.names.resolve(word).is_some()
    }

    /// Whether some shell word of the value can name a command: a known
    /// name after removing quotes, escapes and carets, or syntax that builds
    /// names (variables, substitutions, brace expansion, glob paths), or a
    /// path argument (for the sensitive-target rule). Every lexer finding
    /// needs one of these, so values without them skip the lexer.
    ///
    /// `has` is the value's [`presence`](super::classes::presence): it stands in for scans of the
    /// value (`/`, the bytes of glued empty substitutions).
    pub(super) fn may_have_command(&self, v: &[u8], has: u32) -> bool {
        let mut buf = [0u8; MAX_NAME];
        let mut n = 0usize;
        // Start of the name after the last `/` or `\` (paths to binaries).
        let mut base_at = 0usize;
        let mut overflow = false;
        let mut brace = false;
        let mut i = 0;
        let known = |word: &[u8]| -> bool {
            let word = word.strip_prefix(b"@").unwrap_or(word);
            let stems = [
                Some(word),
                strip_suffix_ci(word, b".exe"),
                // The version stem, when it differs from the word.
                word.iter()
                    .rposition(|b| !(b.is_ascii_digit() || *b == b'.'))
                    .filter(|&p| p + 1 < word.len())
                    .and_then(|p| word.get(..p + 1)),
            ];
            stems
                .into_iter()
                .flatten()
                .any(|x| self.names.lookup(x).is_some())
        };
        let flush = |buf: &[u8; MAX_NAME], n: usize, base_at: usize, overflow: bool| -> bool {
            if overflow || n == 0 {
                return false;
            }
            let word = buf.get(..n).unwrap_or_default();
            known(word) || base_at > 0 && known(buf.get(base_at..n).unwrap_or_default())
        };
        // Empty substitutions glued inside a word build names (`pi``ng`,
        // `pi<()ng`).
        if has & P_SEP != 0
            && v.windows(3)
                .any(|w| matches!(w, [b'<' | b'>', b'(', b')'] | [b'`', b'`', _]))
        {
            return true;
        }
        let slash = has & P_SLASH != 0;
        while let Some(&b) = v.get(i) {
            // Fast path: a run of bytes that only extend the word (the
            // `_` arm below without its `/` case) goes in at once. Past
            // `MAX_NAME` bytes the word is marked overflowing, and its
            // buffer is never read.
            if name_byte(b) {
                let rest = v.get(i..).unwrap_or_default();
                let run = rest
                    .iter()
                    .position(|&x| !name_byte(x))
                    .unwrap_or(rest.len());
                match (buf.get_mut(n..n + run), rest.get(..run)) {
                    (Some(dst), Some(src)) => dst.copy_from_slice(src),
                    _ => overflow = true,
                }
                n += run;
                i += run;
                continue;
            }
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'&' | b'(' | b')' | b'<' | b'>'
                | b'`' | b'+' => {
                    if flush(&buf, n, base_at, overflow) {
                        return true;
                    }
                    n = 0;
                    base_at = 0;
                    overflow = false;
                    brace = false;
                }
                // A literal `\n` / `\t` that a later layer unescapes ends
                // the word.
                b'\\' if matches!(v.get(i + 1), Some(b'n' | b'r' | b't')) => {
                    if flush(&buf, n, base_at, overflow) {
                        return true;
                    }
                    n = 0;
                    base_at = 0;
                    overflow = false;
                    brace = false;
                    i += 1;
                }
                b'\\' => base_at = n,
                b'\'' | b'"' | b'^' => {}
                b'$' => match v.get(i + 1) {
                    Some(c)
                        if c.is_ascii_alphabetic() || matches!(c, b'_' | b'{' | b'(' | b'\'') =>
                    {
                        return true
                    }
                    Some(b'@' | b'*' | b'!' | b'$' | b'?' | b'-' | b'#' | b'0'..=b'9') => i += 1,
                    _ => {}
                },
                b'{' => brace = true,
                b',' if brace => return true,
                b'*' | b'?' | b'[' if slash => return true,
                b'/' if n == 0 => {
                    // A path argument: the sensitive-target rule.
                    return true;
                }
                _ => {
                    if b == b'/' {
                        base_at = n + 1;
                    }
                    match buf.get_mut(n) {
                        Some(slot) => *slot = b,
                        None => overflow = true,
                    }
                    n += 1;
                }
            }
            i += 1;
        }
        flush(&buf, n, base_at, overflow)
            || v.contains(&b'%') && v.windows(9).any(|w| w.eq_ignore_ascii_case(b"%comspec%"))
    }
}
