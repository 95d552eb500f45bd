//! PHP and Java stream wrappers and PHP filter-chain elements.

use super::bytes::{find_ci, in_list, starts_ci};
use super::decode::Found;
use super::path::{drive_at, is_boundary};
use super::sensitive::is_sensitive_path;

/// PHP and Java stream wrappers, and PHP filter-chain elements
/// (`convert.iconv.UTF8.CP930`, `convert.base64-decode`).
pub(super) fn wrapper(s: &[u8]) -> Option<Found> {
    for pat in [&b"convert.iconv."[..], b"convert.base64-"] {
        if let Some(p) = find_ci(s, pat) {
            return Some(Found::new(
                "path.wrapper",
                "PHP filter-chain element (convert.iconv., convert.base64-)",
                p,
                s.len(),
            ));
        }
    }
    const WRAPPERS: &[&str] = &[
        "php",
        "file",
        "zip",
        "phar",
        "expect",
        "glob",
        "data",
        "compress.zlib",
        "compress.bzip2",
        "zlib",
        "ogg",
        "rar",
        "ssh2.shell",
        "ssh2.exec",
        "ssh2.sftp",
        "jar",
        "netdoc",
    ];
    // Where the value starts, after blanks and quotes.
    let lead = s
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'<'))
        .unwrap_or(s.len());
    let mut from = 0;
    while let Some(p) = s
        .get(from..)
        .and_then(|r| r.iter().position(|&b| b == b':'))
    {
        let colon = from + p;
        from = colon + 1;
        let start = s
            .get(..colon)
            .and_then(|r| {
                r.iter()
                    .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-')))
            })
            .map_or(0, |x| x + 1);
        let scheme = s.get(start..colon).unwrap_or_default();
        if !in_list(scheme, WRAPPERS) {
            continue;
        }
        let after = s.get(colon + 1..).unwrap_or_default();
        let slashes = after.starts_with(b"//");
        let hit = if scheme.eq_ignore_ascii_case(b"file") {
            let shaped = matches!(after.first(), Some(b'/' | b'\\' | b'.')) || drive_at(after, 0);
            // A `file:` URL that is the value (or chained to another scheme:
            // `url:file://…`, `jar:file:`) is one the application may open.
            // Inside text or a stack frame (`at f (file:///app/x.js:8:5)`,
            // `bar@file:///G:/js/a.js:44`) it counts when it names a system
            // or sensitive file.
            let in_text = s
                .get(lead..start)
                .is_some_and(|t| t.iter().any(u8::is_ascii_whitespace))
                || matches!(
                    start.checked_sub(1).and_then(|p| s.get(p)),
                    Some(b'@' | b'(')
                );
            shaped && (!in_text || is_sensitive_path(file_url_path(after)))
        } else if scheme.eq_ignore_ascii_case(b"jar") {
            starts_ci(after, b"file:") || slashes
        } else {
            slashes
        };
        if hit {
            let end = s
                .get(colon..)
                .and_then(|r| r.iter().position(|&b| matches!(b, b' ' | b'"' | b'\'')))
                .map_or(s.len(), |x| colon + x);
            return Some(Found::new(
                "path.wrapper",
                "file-access stream wrapper (php://, file://, zip://, ...)",
                start,
                end,
            ));
        }
    }
    None
}

/// The path of a `file:` URL (after `file:`): without `//` and a host
/// (`//localhost/etc/passwd`), up to the end of the token.
fn file_url_path(after: &[u8]) -> &[u8] {
    let rest = match after.strip_prefix(b"//") {
        Some(r) => {
            let host = r.iter().take_while(|&&b| b != b'/' && b != b'\\').count();
            r.get(host..).unwrap_or_default()
        }
        None => after,
    };
    let end = rest
        .iter()
        .position(|&b| is_boundary(b))
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or_default()
}
