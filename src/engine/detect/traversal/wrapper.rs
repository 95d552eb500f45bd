//! PHP and Java stream wrappers and PHP filter-chain elements.

use super::bytes::{find_ci, in_list, starts_ci};
use super::decode::Found;
use super::path::drive_at;

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
            matches!(after.first(), Some(b'/' | b'\\' | b'.')) || drive_at(after, 0)
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
