//! Remote file inclusion: a value that is one URL to a script or text file
//! on a server named by its IP address (`http://66.240.183.75/crash.php`,
//! `https://[2001:db8::1]/shell.txt`).
//!
//! An include of a request parameter (`include($_GET['src'])`,
//! timthumb's `src=`) fetches and runs what the URL serves; the payloads
//! sit on throw-away hosts reached by address, and name a script or a
//! `.txt` holding code. Both signs are needed: a link to a page by name
//! (`https://example.com/index.php`) is ordinary, and so is an address URL
//! to a page or an image (`http://127.0.0.1:8000/redirect.html`, private
//! and loopback addresses are the SSRF detector's business anyway).
//!
//! A URL with an empty query (`https://foo.bar?`, the other CRS RFI sign)
//! is not read as an include: browsers and trackers send such URLs
//! (`…/pixel.gif?`, `…/site.css?`) all the time.

use super::bytes::{in_list, starts_ci};
use super::decode::Found;

/// Extensions of files an include runs or reads as code.
const SCRIPT_EXTENSIONS: &[&str] = &[
    "php", "php3", "php4", "php5", "php7", "php8", "phtml", "phar", "inc", "txt", "asp", "aspx",
    "jsp", "jspx", "pl", "cgi", "sh", "py",
];

/// Longest value read as one URL.
const MAX_URL: usize = 2048;

/// The value is one network URL to an IP-literal host whose path ends in a
/// script or text file.
pub(super) fn remote_include(s: &[u8]) -> Option<Found> {
    let t = s.trim_ascii();
    if t.len() > MAX_URL || t.iter().any(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let lead = s.len() - s.trim_ascii_start().len();
    let rest = ["http://", "https://", "ftp://", "ftps://"]
        .iter()
        .find(|p| starts_ci(t, p.as_bytes()))
        .and_then(|p| t.get(p.len()..))?;
    let auth_end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let auth = rest.get(..auth_end)?;
    // Credentials are another detector's question (parser confusion).
    let host = auth.rsplit(|&b| b == b'@').next().unwrap_or(auth);
    if !ip_literal(host) {
        return None;
    }
    let after = rest.get(auth_end..)?;
    let path_end = after
        .iter()
        .position(|&b| matches!(b, b'?' | b'#'))
        .unwrap_or(after.len());
    let path = after.get(..path_end)?;
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    let ext = name.rsplit(|&b| b == b'.').next()?;
    if ext.len() == name.len() || !in_list(ext, SCRIPT_EXTENSIONS) {
        return None;
    }
    Some(Found::new(
        "path.remote_include",
        "URL of a script or text file on a host named by its IP address (remote file inclusion)",
        lead,
        lead + t.len(),
    ))
}

/// A dotted-decimal IPv4 address or an IPv6 one (bracketed, or bare with
/// at least two colons), with an optional port after IPv4 or `]`.
fn ip_literal(h: &[u8]) -> bool {
    if let Some(inner) = h.strip_prefix(b"[") {
        let close = inner.iter().position(|&b| b == b']');
        return close.is_some_and(|c| v6(inner.get(..c).unwrap_or_default()));
    }
    if h.iter().filter(|&&b| b == b':').count() >= 2 {
        return v6(h);
    }
    let host = h.split(|&b| b == b':').next().unwrap_or_default();
    let parts: Vec<&[u8]> = host.split(|&b| b == b'.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.iter().all(u8::is_ascii_digit)
                && p.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= 255
        })
}

/// Hex groups and colons only, with at least one hex digit.
fn v6(h: &[u8]) -> bool {
    h.len() >= 2
        && h.len() <= 45
        && h.iter().any(u8::is_ascii_hexdigit)
        && h.iter()
            .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
}
