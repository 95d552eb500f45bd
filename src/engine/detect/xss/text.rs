//! Byte helpers shared by the XSS lexers: bounds-safe access, HTML
//! whitespace, HTML character-reference decoding and the "exotic
//! encodings" fold (full-width and look-alike brackets, `%uXXXX`,
//! JavaScript `\xHH` / `\uHHHH` escapes, UTF-7). Searching, case-insensitive
//! comparison, hex and base64 come from the byte toolkit.

use std::borrow::Cow;

use crate::engine::bytes::base64::Alphabet;
use crate::engine::bytes::{byte_set, eq_ci, find_byte, find_in, hex, ByteSet};

/// The byte at `i`, or 0 past the end.
#[inline]
pub(super) fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// `s[a..b]`, or empty when out of range.
#[inline]
pub(super) fn sub(s: &[u8], a: usize, b: usize) -> &[u8] {
    s.get(a..b).unwrap_or_default()
}

/// `s[a..]`, or empty when out of range.
#[inline]
pub(super) fn tail(s: &[u8], a: usize) -> &[u8] {
    s.get(a..).unwrap_or_default()
}

/// Whitespace as the HTML tokenizer (and old browsers) treat it: every
/// control byte and space. (A comparison: cheaper than a table lookup.)
#[inline]
pub(super) fn is_space(b: u8) -> bool {
    b <= 0x20
}

/// The bytes of [`is_space`], for the toolkit's trims and decoders.
pub(super) static SPACE: ByteSet = ByteSet::range(0, 0x20);

/// Named character references that decode to ASCII (the ones that matter
/// for markup and script syntax), plus no-break space as a space.
/// Matched case-insensitively, with or without the trailing `;`.
const ENTITIES: &[(&[u8], u8)] = &[
    (b"tab", b'\t'),
    (b"newline", b'\n'),
    (b"nbsp", b' '),
    (b"nonbreakingspace", b' '),
    (b"excl", b'!'),
    (b"quot", b'"'),
    (b"num", b'#'),
    (b"dollar", b'$'),
    (b"percnt", b'%'),
    (b"amp", b'&'),
    (b"apos", b'\''),
    (b"lpar", b'('),
    (b"rpar", b')'),
    (b"ast", b'*'),
    (b"midast", b'*'),
    (b"plus", b'+'),
    (b"comma", b','),
    (b"period", b'.'),
    (b"sol", b'/'),
    (b"colon", b':'),
    (b"semi", b';'),
    (b"lt", b'<'),
    (b"equals", b'='),
    (b"gt", b'>'),
    (b"quest", b'?'),
    (b"commat", b'@'),
    (b"lsqb", b'['),
    (b"lbrack", b'['),
    (b"bsol", b'\\'),
    (b"rsqb", b']'),
    (b"rbrack", b']'),
    (b"hat", b'^'),
    (b"lowbar", b'_'),
    (b"grave", b'`'),
    (b"lcub", b'{'),
    (b"lbrace", b'{'),
    (b"verbar", b'|'),
    (b"vert", b'|'),
    (b"rcub", b'}'),
    (b"rbrace", b'}'),
];

/// Appends the UTF-8 encoding of `cp` (nothing for NUL, surrogates and
/// out-of-range values: browsers turn those into U+FFFD, which cannot form
/// syntax, and dropping NUL mirrors old parsers that ignored it).
pub(super) fn push_cp(out: &mut Vec<u8>, cp: u32) {
    if cp == 0 {
        return;
    }
    if let Some(c) = char::from_u32(cp) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// Decodes one character reference at `s[i] == b'&'`: returns the decoded
/// code point (0 for "decodes to nothing") and the length consumed.
fn entity_at(s: &[u8], i: usize) -> Option<(u32, usize)> {
    let mut j = i + 1;
    if at(s, j) == b'#' {
        j += 1;
        let hex = matches!(at(s, j), b'x' | b'X');
        if hex {
            j += 1;
        }
        let start = j;
        let mut cp: u32 = 0;
        while let Some(d) = s.get(j).and_then(|&c| {
            if hex {
                hex::val(c).map(u32::from)
            } else if c.is_ascii_digit() {
                Some(u32::from(c - b'0'))
            } else {
                None
            }
        }) {
            cp = cp
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(d);
            j += 1;
        }
        if j == start {
            return None;
        }
        if at(s, j) == b';' {
            j += 1;
        }
        let cp = if cp > 0x10FFFF { 0 } else { cp };
        return Some((cp, j - i));
    }
    let start = j;
    while at(s, j).is_ascii_alphabetic() && j - start < 20 {
        j += 1;
    }
    let name = sub(s, start, j);
    let (_, b) = ENTITIES.iter().find(|(n, _)| eq_ci(name, n))?;
    if at(s, j) == b';' {
        j += 1;
    }
    Some((u32::from(*b), j - i))
}

/// True when `s` contains a character reference [`decode_entities`] would
/// decode.
pub(super) fn has_entity(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = find_byte(s, i, b'&') {
        if entity_at(s, p).is_some() {
            return true;
        }
        i = p + 1;
    }
    false
}

/// Decodes HTML character references (`&#106;`, `&#x6A`, `&colon;`,
/// `&Tab;`, with or without `;`, any number of leading zeros), as a browser
/// does inside attribute values. Borrows when there is nothing to decode.
pub(super) fn decode_entities(s: &[u8]) -> Cow<'_, [u8]> {
    if !has_entity(s) {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = at(s, i);
        if c == b'&' {
            if let Some((cp, len)) = entity_at(s, i) {
                push_cp(&mut out, cp);
                i += len;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    Cow::Owned(out)
}

/// Maps look-alike and full-width brackets/quotes to their ASCII form:
/// `＜` `﹤` `«` `‹` `¼` → `<` (and the closing ones → `>`), U+FF01..FF5E →
/// ASCII. Best-fit code-page conversions (IIS/ASP.NET) and high-bit-stripping
/// charsets turn these into markup.
fn fold_cp(cp: u32) -> Option<u8> {
    match cp {
        0xFF01..=0xFF5E => u8::try_from(cp - 0xFEE0).ok(),
        0xAB | 0xBC | 0x2039 | 0xFE64 | 0x2329 | 0x3008 => Some(b'<'),
        0xBB | 0xBE | 0x203A | 0xFE65 | 0x232A | 0x3009 => Some(b'>'),
        0xA2 => Some(b'"'),
        _ => None,
    }
}

/// True when `s` holds something [`fold_exotic`] would rewrite. Cheap: looks
/// for the escape introducers and the exact UTF-8 sequences of the
/// characters it maps, so ordinary accented or typographic text does not
/// pay for a fold.
pub(super) fn has_exotic(s: &[u8]) -> bool {
    // Only the bytes matched below can start a hit: jump from one to the
    // next through a table instead of matching every byte.
    let mut from = 0;
    while let Some(i) = find_in(s, from, &EXOTIC_LEAD) {
        from = i + 1;
        let c = at(s, i);
        let prev = if i > 0 { at(s, i - 1) } else { 0 };
        let n1 = at(s, i + 1);
        let hit = match c {
            b'%' => matches!(n1, b'u' | b'U'),
            b'\\' => matches!(n1, b'x' | b'u' | b'"' | b'\'' | b'/' | b'0'),
            b'+' => n1 == b'A',
            0xC2 => matches!(n1, 0xA2 | 0xAB | 0xBB | 0xBC | 0xBE),
            0xE2 => matches!(
                (n1, at(s, i + 2)),
                (0x80, 0xB9 | 0xBA) | (0x8C, 0xA9 | 0xAA)
            ),
            0xE3 => n1 == 0x80 && matches!(at(s, i + 2), 0x88 | 0x89),
            0xEF => matches!(
                (n1, at(s, i + 2)),
                (0xB9, 0xA4 | 0xA5) | (0xBC, 0x81..=0xBF) | (0xBD, 0x80..=0x9E)
            ),
            // A stray Latin-1 ¼ / ¾ (not a UTF-8 continuation byte).
            0xBC | 0xBE => prev < 0x80,
            _ => false,
        };
        if hit {
            return true;
        }
    }
    false
}

/// The bytes [`has_exotic`] looks at: every other byte is `false` there.
static EXOTIC_LEAD: ByteSet = byte_set!(|b| matches!(
    b,
    b'%' | b'\\' | b'+' | 0xC2 | 0xE2 | 0xE3 | 0xEF | 0xBC | 0xBE
));

/// Decodes a UTF-8 sequence at `i`: (code point, length).
fn utf8_at(s: &[u8], i: usize) -> Option<(u32, usize)> {
    let b0 = u32::from(at(s, i));
    let cont = |k: usize| {
        let b = at(s, i + k);
        (b & 0xC0 == 0x80).then_some(u32::from(b & 0x3F))
    };
    match b0 {
        0xC2..=0xDF => Some(((b0 & 0x1F) << 6 | cont(1)?, 2)),
        0xE0..=0xEF => Some(((b0 & 0x0F) << 12 | cont(1)? << 6 | cont(2)?, 3)),
        _ => None,
    }
}

/// Decodes a UTF-7 shifted run at `s[i] == b'+'` when every code unit is
/// ASCII: appends it and returns `Ok(length consumed)`. Otherwise
/// `Err(position reached)`: a `+` before it lies inside the same run and is
/// not a shift of its own (which keeps `+ADw+ADw…+ABC` linear).
fn utf7_at(s: &[u8], i: usize, out: &mut Vec<u8>) -> Result<usize, usize> {
    let mut j = i + 1;
    let mut bits: u32 = 0;
    let mut nbits = 0u32;
    let mark = out.len();
    while let Some(v) = Alphabet::Standard.digit(at(s, j)).map(u32::from) {
        bits = (bits << 6 | v) & 0xFF_FFFF;
        nbits += 6;
        if nbits >= 16 {
            nbits -= 16;
            let unit = (bits >> nbits) & 0xFFFF;
            if unit == 0 || unit >= 0x80 {
                out.truncate(mark);
                return Err(j);
            }
            out.push(unit as u8);
        }
        j += 1;
    }
    if out.len() == mark {
        return Err(j);
    }
    if at(s, j) == b'-' {
        j += 1;
    }
    Ok(j - i)
}

/// Rewrites encodings that some layer between the request and the browser
/// may undo: IIS `%uXXXX`, JavaScript `\xHH` / `\uHHHH` / `\u{…}` escapes,
/// UTF-7 (`+ADw-`), and full-width / look-alike brackets. Returns `None`
/// when nothing changed.
pub(super) fn fold_exotic(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    let mut utf7_from = 0;
    while i < s.len() {
        let c = at(s, i);
        let mut cp_len: Option<(u32, usize)> = None;
        match c {
            b'%' if matches!(at(s, i + 1), b'u' | b'U') => {
                let (v, n) = hex::prefix(s, i + 2, 4);
                if n == 4 {
                    cp_len = Some((v, 6));
                }
            }
            b'\\' if at(s, i + 1) == b'x' => {
                let (v, n) = hex::prefix(s, i + 2, 2);
                if n == 2 {
                    // Bytes, not code points: `\xE3\x80\x80` spells UTF-8.
                    // `\x00` is a NUL old parsers skipped: dropped.
                    if v != 0 {
                        out.push(u8::try_from(v).unwrap_or(b'?'));
                    }
                    changed = true;
                    i += 4;
                    continue;
                }
            }
            b'\\' if matches!(at(s, i + 1), b'"' | b'\'' | b'/') => {
                // `\"` as a JSON / JS string escape the application removes.
                out.push(at(s, i + 1));
                changed = true;
                i += 2;
                continue;
            }
            b'\\' if at(s, i + 1) == b'0' && !at(s, i + 2).is_ascii_digit() => {
                // `\0`: a NUL some layer drops (`<scr\0ipt>`).
                changed = true;
                i += 2;
                continue;
            }
            b'\\' if at(s, i + 1) == b'u' => {
                if at(s, i + 2) == b'{' {
                    let (v, n) = hex::prefix(s, i + 3, 6);
                    if n > 0 && at(s, i + 3 + n) == b'}' {
                        cp_len = Some((v, n + 4));
                    }
                } else {
                    let (v, n) = hex::prefix(s, i + 2, 4);
                    if n == 4 {
                        cp_len = Some((v, 6));
                    }
                }
            }
            b'+' if i >= utf7_from => match utf7_at(s, i, &mut out) {
                Ok(len) => {
                    changed = true;
                    i += len;
                    continue;
                }
                Err(reached) => utf7_from = reached,
            },
            0x80..=0xFF => {
                if let Some((cp, len)) = utf8_at(s, i) {
                    if let Some(b) = fold_cp(cp) {
                        out.push(b);
                        changed = true;
                        i += len;
                        continue;
                    }
                    out.extend_from_slice(sub(s, i, i + len));
                    i += len;
                    continue;
                }
                // A stray Latin-1 byte: ¼ / ¾ read by a 7-bit charset.
                if let Some(b) = fold_cp(u32::from(c)) {
                    out.push(b);
                    changed = true;
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        if let Some((cp, len)) = cp_len {
            match fold_cp(cp) {
                Some(b) => out.push(b),
                None => push_cp(&mut out, cp),
            }
            changed = true;
            i += len;
            continue;
        }
        out.push(c);
        i += 1;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(&*decode_entities(b"&#106;&#x61&#0000118;a"), b"java");
        assert_eq!(
            &*decode_entities(b"java&Tab;script&colon;"),
            b"java\tscript:"
        );
        assert_eq!(&*decode_entities(b"a&#0;b"), b"ab");
        assert_eq!(
            &*decode_entities(b"rock & roll &unknown;"),
            b"rock & roll &unknown;"
        );
        assert!(matches!(decode_entities(b"plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn exotic_fold() {
        assert_eq!(
            fold_exotic("＜script＞".as_bytes()).as_deref(),
            Some(&b"<script>"[..])
        );
        assert_eq!(fold_exotic(b"%uff1cb%uff1e").as_deref(), Some(&b"<b>"[..]));
        assert_eq!(fold_exotic(b"\\x3cb\\u003e").as_deref(), Some(&b"<b>"[..]));
        assert_eq!(
            fold_exotic(b"+ADw-script+AD4-").as_deref(),
            Some(&b"<script>"[..])
        );
        assert_eq!(fold_exotic(b"c++ and +1"), None);
        assert_eq!(
            fold_exotic(b"<scr\\0ipt>").as_deref(),
            Some(&b"<script>"[..])
        );
        assert_eq!(fold_exotic("café".as_bytes()), None);
    }
}
