//! CSS that runs script: IE `expression(…)`, `url(javascript:…)`, IE
//! `behavior:` (HTC components) and Mozilla `-moz-binding:` (XBL), read
//! after removing comments and decoding CSS escapes (`\0065`, `\65 `).

use std::borrow::Cow;

use super::html::{url_scheme, Scheme};
use super::text::{at, is_space, push_cp, sub, tail, SPACE};
use crate::engine::bytes::{ends_ci, find, find_byte2, find_byte3, hex, starts_ci, trim_end_with};

/// CSS with comments removed (outside strings) and escapes decoded.
/// Borrows when there is nothing to remove; callers compare
/// case-insensitively.
fn normalize(s: &[u8]) -> Cow<'_, [u8]> {
    // Any `*` (not only `/*`): a cheaper test, and normalising is exact.
    let needs = find_byte3(s, 0, b'\\', 0, b'*').is_some();
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    let mut quote = 0u8;
    while i < s.len() {
        let c = at(s, i);
        if quote != 0 {
            if c == quote || c == b'\n' {
                quote = 0;
            }
        } else if c == b'"' || c == b'\'' {
            quote = c;
        } else if c == b'/' && at(s, i + 1) == b'*' {
            // Comment: to the next `*/` (or the end).
            i = find(s, i + 2, b"*/").unwrap_or(s.len()) + 2;
            continue;
        }
        if c == b'\\' {
            let (cp, digits) = hex::prefix(s, i + 1, 6);
            let mut j = i + 1 + digits;
            if digits > 0 {
                if is_space(at(s, j)) && j < s.len() {
                    j += 1;
                }
                push_cp(&mut out, cp);
                i = j;
                continue;
            }
            match at(s, i + 1) {
                b'\n' | b'\r' | 0x0c => i += 2,
                _ if i + 1 < s.len() => {
                    out.push(at(s, i + 1));
                    i += 2;
                }
                _ => i += 1,
            }
            continue;
        }
        if c != 0 {
            out.push(c);
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// Length of a Unicode space or zero-width character (UTF-8) ending just
/// before `i`: no-break space, U+2000..U+200B, U+202F, U+205F, U+3000, BOM.
fn unicode_space_before(s: &[u8], i: usize) -> usize {
    let b = |k: usize| i.checked_sub(k).map(|j| at(s, j));
    match (b(3), b(2), b(1)) {
        (Some(0xE2), Some(0x80), Some(0x80..=0x8B | 0xAF))
        | (Some(0xE2), Some(0x81), Some(0x9F))
        | (Some(0xE3), Some(0x80), Some(0x80))
        | (Some(0xEF), Some(0xBB), Some(0xBF)) => 3,
        (_, Some(0xC2), Some(0xA0)) => 2,
        _ => 0,
    }
}

/// The previous byte before `i` that is not (ASCII or Unicode) space.
fn prev_non_space(s: &[u8], mut i: usize) -> u8 {
    while i > 0 {
        let u = unicode_space_before(s, i);
        if u > 0 {
            i -= u;
        } else if is_space(at(s, i - 1)) {
            i -= 1;
        } else {
            return at(s, i - 1);
        }
    }
    0
}

/// The next non-space position at or after `i`.
fn skip_space(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(at(s, i)) {
        i += 1;
    }
    i
}

/// Why the CSS in `s` runs script, if it does. One pass over the
/// normalised text that stops only at `(` and `:`, where every vector
/// turns: `expression(`, `url(`, `behavior:`, `-moz-binding:`, and a
/// property whose value is a script URL (`-o-link:'javascript:…'`).
pub(super) fn danger(s: &[u8]) -> Option<&'static str> {
    let n = normalize(s);
    let n: &[u8] = &n;
    let mut k = 0;
    while let Some(i) = find_byte2(n, k, b'(', b':') {
        k = i + 1;
        let c = at(n, i);
        let before = sub(n, 0, i);
        if c == b'(' {
            if ends_ci(before, b"expression") && prev_non_space(n, i.saturating_sub(10)) == b':' {
                return Some("CSS expression() in a property value");
            }
            if ends_ci(before, b"url") {
                let mut j = skip_space(n, i + 1);
                while matches!(at(n, j), b'"' | b'\'') {
                    j += 1;
                }
                if let Some(Scheme::Script(..)) = url_scheme(tail(n, j)) {
                    return Some("CSS url() with a script URL");
                }
                // `x:url(javascript`: a property value cut right after the
                // scheme name (a length limit, or the page's text supplies
                // the rest); a URL that is only a script scheme's name is no
                // stylesheet resource.
                let rest = trim_end_with(tail(n, j), &SPACE);
                let bare_scheme = rest.eq_ignore_ascii_case(b"javascript")
                    || rest.eq_ignore_ascii_case(b"vbscript");
                if bare_scheme && prev_non_space(n, i.saturating_sub(3)) == b':' {
                    return Some("CSS url() with a script URL");
                }
            }
        } else if c == b':' {
            let name = trim_end_with(before, &SPACE);
            // Both load their component with `url(…)` (IE's built-in
            // behaviours too: `url(#default#time2)`); without it the word is
            // prose (`can't change client behaviour:`).
            let loads = || starts_ci(tail(n, skip_space(n, i + 1)), b"url(");
            if (ends_ci(name, b"behavior") || ends_ci(name, b"behaviour")) && loads() {
                return Some("CSS behavior: (IE HTML component)");
            }
            if ends_ci(name, b"binding") && loads() {
                return Some("CSS -moz-binding: (XBL binding)");
            }
            if i > 0 && at(n, i - 1).is_ascii_alphabetic() {
                if let Some(Scheme::Script(..)) = url_scheme(tail(n, i + 1)) {
                    return Some("CSS property with a script URL value");
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_vectors() {
        assert!(danger(b"x:expression(alert(1))").is_some());
        assert!(danger(b"xss:expr/*XSS*/ession(alert('XSS'))").is_some());
        assert!(danger(b"background:url(javascript:alert(1))").is_some());
        assert!(danger(br"background-image:\0075\0072\006C\0028'\006a\0061\0076\0061\0073\0063\0072\0069\0070\0074\003a\0061\006c\0065\0072\0074\0028.1027\0058.1053\0053\0027\0029'\0029").is_some());
        assert!(danger(b"behavior: url(xss.htc);").is_some());
        assert!(danger(b"-moz-binding:url(http://x/xss.xml#xss)").is_some());
        assert!(danger(b"-o-link:'javascript:alert(1)';-o-link-source:current").is_some());
        assert!(danger("x:\u{3000}expression(alert(1))".as_bytes()).is_some());
        assert!(danger(b"color: red; background: url(/img/a.png)").is_none());
        assert!(danger(b"a regular expression (regex)").is_none());
        assert!(danger(b"behavior : url(x.htc)").is_some());
        assert!(danger(b"behavior:/**/url(x.htc)").is_some());
        assert!(danger(b"where you can't change client behaviour:\n\n```shell\nx()").is_none());
    }
}
