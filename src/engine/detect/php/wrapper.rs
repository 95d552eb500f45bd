//! PHP stream wrappers (`php://filter`, `phar://`, `expect://`, `zip://`,
//! `data://`, `glob://`, `compress.zlib://`, `ssh2.exec://`, …) and
//! filter-chain elements (`convert.iconv.UTF8.CP930`,
//! `convert.base64-decode`).
//!
//! A wrapper counts as `scheme://` with something after it, the scheme at
//! a token start (`myphp://` is another scheme). `data:` without the
//! slashes is the browser's data URL (`data:image/png;base64,…`) and counts
//! only as `text/plain` carrying PHP (`<?` as is, or `PD9` in base64).

use super::lex::{at, before, find_ci_from, find_from};
use crate::engine::detect::Hit;

/// The default wrapper list (configuration `php_injection.wrappers`).
pub(super) const WRAPPERS: &[&str] = &[
    "php",
    "phar",
    "zip",
    "expect",
    "glob",
    "data",
    "compress.zlib",
    "compress.bzip2",
    "zlib",
    "bzip2",
    "rar",
    "ogg",
    "ssh2.shell",
    "ssh2.exec",
    "ssh2.tunnel",
    "ssh2.sftp",
    "ssh2.scp",
];

fn scheme_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-')
}

fn wrapper_hit(s: usize, e: usize, reason: &'static str) -> Hit {
    Hit::new("php.wrapper", reason, s, e)
}

/// The first wrapper of `schemes` (lower-case) or filter-chain element.
pub(super) fn wrapper(v: &[u8], schemes: &[Vec<u8>]) -> Option<Hit> {
    let mut from = 0;
    while let Some(c) = find_from(v, from, b"://") {
        from = c + 3;
        let mut s = c;
        while s > 0 && scheme_byte(before(v, s)) && c - s <= 32 {
            s -= 1;
        }
        let scheme = v.get(s..c).unwrap_or_default();
        let listed = schemes.iter().any(|w| w.eq_ignore_ascii_case(scheme));
        let after = at(v, c + 3);
        if listed && after != 0 && !after.is_ascii_whitespace() {
            let end = v
                .get(c..)
                .and_then(|r| {
                    r.iter()
                        .position(|&b| matches!(b, b' ' | b'"' | b'\'' | b'&'))
                })
                .map_or(v.len(), |x| c + x);
            return Some(wrapper_hit(
                s,
                end,
                "PHP stream wrapper (php://, phar://, expect://, zip://, data://, …)",
            ));
        }
    }
    if schemes.iter().any(|w| w.as_slice() == b"data") {
        let mut from = 0;
        while let Some(p) = find_ci_from(v, from, b"data:text/plain") {
            from = p + 15;
            if p > 0 && scheme_byte(before(v, p)) {
                continue;
            }
            let rest = v
                .get(p + 15..(p + 15 + 64).min(v.len()))
                .unwrap_or_default();
            let php = find_from(rest, 0, b"<?").is_some()
                || find_ci_from(rest, 0, b";base64,PD9").is_some();
            if php {
                return Some(wrapper_hit(
                    p,
                    v.len(),
                    "data: URL carrying PHP code (data:text/plain;base64,PD9…)",
                ));
            }
        }
    }
    for element in [
        &b"convert.iconv."[..],
        b"convert.base64-",
        b"convert.quoted-printable-",
    ] {
        if let Some(p) = find_ci_from(v, 0, element) {
            if p == 0 || !scheme_byte(before(v, p)) {
                return Some(wrapper_hit(
                    p,
                    v.len(),
                    "PHP filter-chain element (convert.iconv., convert.base64-)",
                ));
            }
        }
    }
    None
}
