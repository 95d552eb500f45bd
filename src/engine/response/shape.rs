//! Small shape readers the response detectors share: digit runs, name
//! runs, and where a line starts (raw newlines, or the `\n` escapes of a
//! trace inside a JSON string). Every reader stops within a bound.

use crate::engine::bytes::{byte_set, ByteSet};

/// Letters, digits and `_`.
pub static WORD: ByteSet = byte_set!(|b| b.is_ascii_alphanumeric() || b == b'_');

/// The end of the run of ASCII digits starting at `i` (at most `max`).
pub fn digits(hay: &[u8], i: usize, max: usize) -> usize {
    run(hay, i, max, |b| b.is_ascii_digit())
}

/// The end of the run of bytes in `set` starting at `i` (at most `max`).
pub fn run_of(hay: &[u8], i: usize, max: usize, set: &ByteSet) -> usize {
    run(hay, i, max, |b| set.contains(b))
}

fn run(hay: &[u8], i: usize, max: usize, ok: impl Fn(u8) -> bool) -> usize {
    let mut j = i;
    while j - i < max && hay.get(j).is_some_and(|&b| ok(b)) {
        j += 1;
    }
    j
}

/// The start of the run of bytes in `set` that ends at `end` (looking back
/// at most `max` bytes).
pub fn run_back(hay: &[u8], end: usize, max: usize, set: &ByteSet) -> usize {
    let mut j = end;
    while end - j < max && j > 0 && hay.get(j - 1).is_some_and(|&b| set.contains(b)) {
        j -= 1;
    }
    j
}

/// Whether `i` begins a line, after optional spaces and tabs (at most 16):
/// the window start, a newline, an HTML `>` (a `<pre>` or `<br>`), or the
/// two-byte escapes `\n` / `\t` of a trace quoted in JSON. The returned
/// value is where the indentation starts.
pub fn line_start(hay: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    loop {
        if j == 0 {
            return Some(0);
        }
        match hay.get(j - 1) {
            Some(b' ' | b'\t') if i - j < 16 => j -= 1,
            Some(b'\n' | b'\r' | b'>') => return Some(j),
            Some(b'n' | b't') if j >= 2 && hay.get(j - 2) == Some(&b'\\') && i - j < 16 => {
                return Some(j)
            }
            _ => return None,
        }
    }
}

/// The end of the line containing `i` (a newline, a `\n` escape, or `max`
/// bytes on).
pub fn line_end(hay: &[u8], i: usize, max: usize) -> usize {
    let mut j = i;
    while j - i < max {
        match hay.get(j) {
            None | Some(b'\n' | b'\r') => return j,
            Some(b'\\') if hay.get(j + 1) == Some(&b'n') => return j,
            Some(_) => j += 1,
        }
    }
    j
}

/// The start of the line containing `i` (looking back at most `max`).
pub fn line_begin(hay: &[u8], i: usize, max: usize) -> usize {
    let mut j = i;
    while i - j < max && j > 0 {
        match hay.get(j - 1) {
            Some(b'\n' | b'\r') => return j,
            Some(b'n') if j >= 2 && hay.get(j - 2) == Some(&b'\\') => return j,
            _ => j -= 1,
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_runs() {
        assert_eq!(digits(b"x123y", 1, 10), 4);
        assert_eq!(digits(b"12345", 0, 3), 3);
        assert_eq!(line_start(b"a\n\t  at", 5), Some(2));
        assert_eq!(line_start(b"x\\n    at", 7), Some(3));
        assert_eq!(line_start(b"word at", 5), None);
        assert_eq!(line_end(b"ab\\ncd", 0, 100), 2);
        assert_eq!(line_begin(b"ab\ncd", 4, 100), 3);
        assert_eq!(run_back(b"a.b.c(", 5, 100, &WORD), 4);
    }
}
