//! The value as a lenient path reader sees it: percent, `%u`, overlong and
//! look-alike UTF-8, hex literals and control bytes peeled, with a map back
//! to the original offsets.

use std::borrow::Cow;

use super::bytes::{find_ci, lenient_hex, strict_hex};
use super::path::{is_boundary, is_sep};
use crate::engine::detect::Hit;

/// A finding before it is turned into a [`Hit`] (offsets in the stream).
#[derive(Clone, Copy, Debug)]
pub(super) struct Found {
    pub(super) rule: &'static str,
    pub(super) reason: &'static str,
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Found {
    pub(super) fn new(rule: &'static str, reason: &'static str, start: usize, end: usize) -> Found {
        Found {
            rule,
            reason,
            start,
            end,
        }
    }
}

/// The value as a path reader sees it: encodings peeled, with a map back
/// to the original offsets.
pub(super) struct Stream<'a> {
    pub(super) bytes: Cow<'a, [u8]>,
    /// For each byte: source offset, with [`DECODED`] set when it came from
    /// an escape. `None` when nothing was decoded.
    map: Option<Vec<u32>>,
    len: usize,
}

pub(super) const DECODED: u32 = 1 << 31;

impl<'a> Stream<'a> {
    /// A value with nothing to decode.
    pub(super) fn plain(v: &'a [u8]) -> Stream<'a> {
        Stream {
            bytes: Cow::Borrowed(v),
            map: None,
            len: v.len(),
        }
    }

    /// Decodes `v` as lenient path readers do: up to four passes (`%252e`
    /// takes two), then NUL bytes and wildcard placeholders are settled.
    pub(super) fn new(v: &'a [u8]) -> Stream<'a> {
        let needs =
            v.iter().any(|&b| b == b'%' || b == 0 || b >= 0x80) || find_ci(v, b"0x").is_some();
        if !needs || v.len() > (1 << 30) {
            return Stream::plain(v);
        }
        let mut cur: Vec<u8> = v.to_vec();
        let mut map: Vec<u32> = (0..v.len() as u32).collect();
        for _ in 0..4 {
            let (next, next_map, changed) = decode_pass(&cur, &map);
            cur = next;
            map = next_map;
            if !changed {
                break;
            }
        }
        let (cur, map) = settle(cur, map);
        Stream {
            bytes: Cow::Owned(cur),
            map: Some(map),
            len: v.len(),
        }
    }

    /// Whether any byte in `a..b` came from an escape.
    pub(super) fn decoded(&self, a: usize, b: usize) -> bool {
        match &self.map {
            None => false,
            Some(m) => m
                .get(a..b.min(m.len()))
                .is_some_and(|r| r.iter().any(|&x| x & DECODED != 0)),
        }
    }

    pub(super) fn src(&self, i: usize) -> usize {
        match &self.map {
            None => i.min(self.len),
            Some(m) => m
                .get(i)
                .map_or(self.len, |&x| (x & !DECODED) as usize)
                .min(self.len),
        }
    }

    pub(super) fn hit(&self, f: Found) -> Hit {
        let start = self.src(f.start);
        let end = if f.end >= self.bytes.len() {
            self.len
        } else {
            self.src(f.end)
        };
        Hit::new(f.rule, f.reason, start, end.max(start))
    }
}

/// Placeholder for an overlong / look-alike character whose meaning
/// differs between decoders: a dot inside a run of dots, a separator
/// otherwise.
const WILD: u8 = 0x7f;

fn dotlike(b: u8) -> bool {
    matches!(b, b'.' | b'?' | WILD)
}

/// Resolves NUL bytes and [`WILD`] placeholders after decoding: NUL between
/// dots is dropped (`.%00.`), elsewhere it stays and ends the path (C
/// string truncation); a wildcard in a run of dots is a dot, unless it ends
/// a run followed by a name (`..%c1%afetc` → `../etc`), and a separator
/// between names.
fn settle(s: Vec<u8>, map: Vec<u32>) -> (Vec<u8>, Vec<u32>) {
    if !s.iter().any(|&b| b == 0 || b == WILD) {
        return (s, map);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut out_map = Vec::with_capacity(map.len());
    for (i, &b) in s.iter().enumerate() {
        if b == 0 {
            let prev = out.last().copied().is_some_and(dotlike);
            let next = s.get(i + 1).copied().is_some_and(dotlike);
            if prev && next {
                continue;
            }
        }
        out.push(b);
        out_map.push(map.get(i).copied().unwrap_or(0));
    }
    let mut i = 0;
    while i < out.len() {
        if !out.get(i).copied().is_some_and(dotlike) {
            i += 1;
            continue;
        }
        let end = out
            .get(i..)
            .and_then(|r| r.iter().position(|&b| !dotlike(b)))
            .map_or(out.len(), |p| i + p);
        let next = out.get(end).copied();
        let named = next.is_some_and(|b| !is_sep(b) && !is_boundary(b));
        for k in i..end {
            if let Some(b) = out.get_mut(k) {
                if *b == WILD {
                    *b = if named && k + 1 == end { b'/' } else { b'.' };
                }
            }
        }
        i = end;
    }
    (out, out_map)
}

/// Maps a decoded code point to the path byte it stands for.
fn map_code_point(cp: u32) -> u8 {
    match cp {
        0..=0x7f => cp as u8,
        // Fullwidth / small / one-dot-leader full stops.
        0xff0e | 0xfe52 | 0x2024 | 0x2026 => b'.',
        // Division slash, fraction slash, fullwidth solidus, and the private
        // use code points IIS best-fit mapped to `/`.
        0x2215 | 0x2044 | 0xff0f | 0xefc8 | 0xf025 => b'/',
        // Set minus, fullwidth / small reverse solidus.
        0x2216 | 0xff3c | 0xfe68 => b'\\',
        _ => WILD,
    }
}

/// One lenient decoding pass. Returns the new bytes, their source map and
/// whether anything changed.
fn decode_pass(s: &[u8], map: &[u32]) -> (Vec<u8>, Vec<u32>, bool) {
    let mut out = Vec::with_capacity(s.len());
    let mut out_map = Vec::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    let src = |i: usize| map.get(i).copied().unwrap_or(0);
    while let Some(&b) = s.get(i) {
        let m = src(i);
        // %uXXXX
        if b == b'%' && matches!(s.get(i + 1), Some(b'u' | b'U')) {
            let hex: Option<u32> = (0..4).try_fold(0u32, |acc, k| {
                s.get(i + 2 + k)
                    .and_then(|&c| strict_hex(c))
                    .map(|d| acc * 16 + d)
            });
            if let Some(cp) = hex {
                out.push(map_code_point(cp));
                out_map.push(m | DECODED);
                i += 6;
                changed = true;
                continue;
            }
        }
        // %XX (lenient digits)
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                s.get(i + 1).and_then(|&c| lenient_hex(c)),
                s.get(i + 2).and_then(|&c| lenient_hex(c)),
            ) {
                out.push(((h * 16 + l) & 0xff) as u8);
                out_map.push(m | DECODED);
                i += 3;
                changed = true;
                continue;
            }
        }
        // 0x2e / 0x2f / 0x5c written as hex literals.
        if (b == b'0') && matches!(s.get(i + 1), Some(b'x' | b'X')) {
            if let (Some(h), Some(l)) = (
                s.get(i + 2).and_then(|&c| strict_hex(c)),
                s.get(i + 3).and_then(|&c| strict_hex(c)),
            ) {
                let v = (h * 16 + l) as u8;
                if matches!(v, b'.' | b'/' | b'\\') {
                    out.push(v);
                    out_map.push(m | DECODED);
                    i += 4;
                    changed = true;
                    continue;
                }
            }
        }
        // `%2%f`: decoders that skip a `%` inside an escape (`%%32%%66`).
        if b == b'%' {
            if let (Some(h), Some(b'%'), Some(l)) = (
                s.get(i + 1).and_then(|&c| strict_hex(c)),
                s.get(i + 2),
                s.get(i + 3).and_then(|&c| strict_hex(c)),
            ) {
                out.push((h * 16 + l) as u8);
                out_map.push(m | DECODED);
                i += 4;
                changed = true;
                continue;
            }
        }
        // Control characters other than blanks are dropped by path APIs.
        if matches!(b, 1..=8 | 0x0b | 0x0c | 0x0e..=0x1f) {
            i += 1;
            changed = true;
            continue;
        }
        if b >= 0x80 {
            if let Some((v, n)) = decode_utf8_lenient(s.get(i..).unwrap_or_default()) {
                out.push(v);
                out_map.push(m | DECODED);
                i += n;
                changed = true;
                continue;
            }
        }
        out.push(b);
        out_map.push(m);
        i += 1;
    }
    (out, out_map, changed)
}

/// Decodes an overlong or look-alike UTF-8 sequence at the start of `s`
/// into the ASCII path byte it stands for. `None` leaves the bytes alone.
fn decode_utf8_lenient(s: &[u8]) -> Option<(u8, usize)> {
    let b0 = *s.first()?;
    let cont = |k: usize| s.get(k).copied();
    match b0 {
        0xc0 | 0xc1 => {
            let b1 = cont(1)?;
            let masked = (((u32::from(b0) & 0x1f) << 6) | (u32::from(b1) & 0x3f)) as u8;
            if matches!(masked, b'.' | b'/' | b'\\') {
                Some((masked, 2))
            } else if matches!(b1, b'.' | b'/' | b'\\') {
                // Invalid continuation: decoders that drop the bad lead
                // byte keep the ASCII one.
                Some((b1, 2))
            } else {
                // Overlong form of something else: a dot or a slash to
                // some decoder.
                Some((WILD, 2))
            }
        }
        0xe0 => {
            let (b1, b2) = (cont(1)?, cont(2)?);
            if (0x80..=0x9f).contains(&b1) {
                let cp = ((u32::from(b1) & 0x3f) << 6) | (u32::from(b2) & 0x3f);
                return Some((if cp < 0x80 { cp as u8 } else { WILD }, 3));
            }
            valid_utf8_mapped(s)
        }
        0xf0 if cont(1) == Some(0x80) && cont(2) == Some(0x80) => Some((cont(3)? & 0x3f, 4)),
        0xf8 if (1..4).all(|k| cont(k) == Some(0x80)) => Some((cont(4)? & 0x3f, 5)),
        0xfc if (1..5).all(|k| cont(k) == Some(0x80)) => Some((cont(5)? & 0x3f, 6)),
        0xe1..=0xef => valid_utf8_mapped(s),
        _ => None,
    }
}

/// A valid 3-byte UTF-8 character that stands for a dot or a slash.
fn valid_utf8_mapped(s: &[u8]) -> Option<(u8, usize)> {
    let (b0, b1, b2) = (*s.first()?, *s.get(1)?, *s.get(2)?);
    if !(0x80..=0xbf).contains(&b1) || !(0x80..=0xbf).contains(&b2) {
        return None;
    }
    let cp =
        ((u32::from(b0) & 0x0f) << 12) | ((u32::from(b1) & 0x3f) << 6) | (u32::from(b2) & 0x3f);
    let v = map_code_point(cp);
    matches!(v, b'.' | b'/' | b'\\').then_some((v, 3))
}

/// Whether [`Stream::new`] would hand `v` back unchanged with nothing
/// marked decoded. Conservative: any byte a decoding pass or [`settle`]
/// could touch answers `false` — a `%` followed by an alphanumeric byte
/// (`%XX`, `%uXXXX`, `%2%f` all start so), `0x`/`0X`, NUL, control bytes,
/// DEL (the wildcard placeholder) and non-ASCII bytes.
pub(super) fn decode_is_noop(v: &[u8]) -> bool {
    let mut prev = 0u8;
    for (i, &b) in v.iter().enumerate() {
        match b {
            b'%' if v.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) => return false,
            b'x' | b'X' if prev == b'0' => return false,
            b'\t' | b'\n' | b'\r' => {}
            0..=0x1f | 0x7f..=0xff => return false,
            _ => {}
        }
        prev = b;
    }
    true
}
