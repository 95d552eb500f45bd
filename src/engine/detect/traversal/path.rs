//! Path syntax: separators, token boundaries, climbing segments, drive
//! letters, where an absolute path starts, canonical form.

pub(super) fn is_sep(b: u8) -> bool {
    b == b'/' || b == b'\\'
}

/// Bytes that end a path token (other than separators).
pub(super) fn is_boundary(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'"'
            | b'\''
            | b'='
            | b'('
            | b')'
            | b','
            | b'<'
            | b'>'
            | b'|'
            | b'&'
            | b';'
            | b'`'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | 0
    )
}

/// A segment that climbs: two or more dots (Windows ignores extra dots),
/// with `?` wildcards counted as dots.
pub(super) fn is_climb(seg: &[u8]) -> bool {
    let dots = seg.iter().filter(|&&b| b == b'.').count();
    let wild = seg.iter().filter(|&&b| b == b'?').count();
    seg.iter().all(|&b| matches!(b, b'.' | b'?' | b'%'))
        && dots + wild >= 2
        && (dots >= 1 || seg == b"??")
}

pub(super) fn drive_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(|b| b.is_ascii_alphabetic())
        && s.get(i + 1) == Some(&b':')
        && !s
            .get(i + 2)
            .is_some_and(|b| b.is_ascii_alphanumeric() && i > 0)
        && s.get(i.wrapping_sub(1))
            .is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// Whether an absolute path starts at `p`: `/x`, `\x`, `C:\`, `C:/`, or a
/// drive-relative `c:boot.ini` at the start of the value.
pub(super) fn starts_path(s: &[u8], p: usize) -> bool {
    match s.get(p) {
        Some(b'/' | b'\\') => s
            .get(p + 1)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || is_sep(b)),
        Some(b) if b.is_ascii_alphabetic() => {
            if s.get(p + 1) != Some(&b':') {
                return false;
            }
            if p > 0 && s.get(p - 1).is_some_and(|b| b.is_ascii_alphanumeric()) {
                return false;
            }
            match s.get(p + 2) {
                Some(b'/' | b'\\') => !matches!(s.get(p + 3), Some(b'/')),
                // `c:windows\win.ini`, `c:boot.ini` (drive-relative).
                Some(c) if c.is_ascii_alphabetic() && p == 0 => {
                    let rest = s.get(p + 2..).unwrap_or_default();
                    let word_end = rest
                        .iter()
                        .position(|b| {
                            !(b.is_ascii_alphanumeric()
                                || matches!(b, b'.' | b'_' | b'-' | b'/' | b'\\'))
                        })
                        .unwrap_or(rest.len());
                    let word = rest.get(..word_end).unwrap_or_default();
                    word.len() == rest.len()
                        && word.iter().any(|&b| matches!(b, b'.' | b'/' | b'\\'))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Lowercases, unifies separators to `/` and resolves `.` / `..`
/// segments into `out` (`/etc/../tmp/x` → `/tmp/x`).
pub(super) fn canonicalize(path: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let lead = matches!(path.first(), Some(b'/' | b'\\'));
    if lead {
        out.push(b'/');
    }
    let base = out.len();
    for seg in path.split(|&b| is_sep(b)) {
        if seg.is_empty() || seg == b"." {
            continue;
        }
        if is_climb(seg) {
            // Pop the last segment (never above the root).
            let cut = out
                .get(base..)
                .and_then(|r| r.iter().rposition(|&b| b == b'/'))
                .map_or(base, |p| base + p);
            out.truncate(cut);
            continue;
        }
        if out.len() > base {
            out.push(b'/');
        }
        out.extend(seg.iter().map(|b| b.to_ascii_lowercase()));
    }
    // Trailing blanks, NUL remnants and `~` backups do not change the file.
    while matches!(out.last(), Some(b' ' | b'~' | b'.')) && out.len() > 1 {
        out.pop();
    }
}

/// `path` is `dir` or below it.
pub(super) fn under(path: &[u8], dir: &[u8]) -> bool {
    path.starts_with(dir) && matches!(path.get(dir.len()), None | Some(b'/')) && !dir.is_empty()
}
