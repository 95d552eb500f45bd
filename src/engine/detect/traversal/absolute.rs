//! Absolute paths: the value that is one, and system paths inside text,
//! judged against the whitelist and the system roots.

use super::bytes::{in_list, starts_ci};
use super::config::Traversal;
use super::decode::Found;
use super::path::{canonicalize, drive_at, is_boundary, starts_path, under};
use super::sensitive::{
    leaf_sensitive, route_word, server_dir, shape, web_inf_view, CROWN_JEWELS, HARD_ROOTS,
    WINDOWS_ROOTS,
};

/// How an absolute path is read, by where it sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reading {
    /// The whole value of a parameter or top-level field: a path the
    /// application may open.
    Whole,
    /// The whole value of a nested document field (a stack frame's
    /// `abs_path`, an environment record's `JAVA_HOME`, a breadcrumb's
    /// `cwd`): a path the client describes, evidence only when it names a
    /// sensitive file or directory.
    Data,
    /// A path inside longer text: only credential files count.
    Text,
}

/// Most suffix candidates judged inside one path read from text.
const MAX_SUFFIXES: usize = 16;

impl Traversal {
    /// Absolute paths: the whole value, or system paths inside text.
    /// `data`: the value is a nested document field.
    pub(super) fn absolute(&self, s: &[u8], data: bool) -> Option<Found> {
        let mut canon = Vec::new();
        // The value itself (after blanks, quotes and a `file:` prefix).
        let mut p = s
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'<'))
            .unwrap_or(s.len());
        if starts_ci(s.get(p..).unwrap_or_default(), b"file:") {
            p += 5;
        }
        if starts_path(s, p) {
            let end = s
                .get(p..)
                .and_then(|r| {
                    r.iter().position(|&b| {
                        matches!(b, b'"' | b'\'' | b'?' | b'#' | b'\n' | b'<' | b'>' | 0)
                    })
                })
                .map_or(s.len(), |q| p + q);
            let path = s.get(p..end).unwrap_or_default();
            let reading = if data { Reading::Data } else { Reading::Whole };
            if let Some(reason) = self.judge_absolute(path, &mut canon, reading) {
                return Some(Found::new("path.absolute", reason, p, end));
            }
        }
        // Paths inside text: only after a token boundary. Candidates are
        // separators and drive colons (`C:` starts one byte earlier).
        let candidates = s.iter().enumerate().filter_map(|(i, &b)| match b {
            b'/' | b'\\' => Some(i),
            b':' => i.checked_sub(1),
            _ => None,
        });
        // A candidate inside the path judged last (after a `:` in it, as in
        // `http://a/http://a/…`) is a suffix of that path, ending where it
        // ends: judging every such suffix is quadratic in a value of
        // repeated URLs, so at most `MAX_SUFFIXES` are judged per path.
        let (mut span_end, mut suffixes) = (0usize, 0usize);
        for q in candidates {
            if q == 0 {
                continue;
            }
            let before = s.get(q - 1).copied().unwrap_or(b' ');
            if !is_boundary(before) && before != b':' {
                continue;
            }
            if !starts_path(s, q) {
                continue;
            }
            if q < span_end {
                suffixes += 1;
                if suffixes > MAX_SUFFIXES {
                    continue;
                }
            }
            let end = s
                .get(q..)
                .and_then(|r| {
                    r.iter()
                        .position(|&b| is_boundary(b) || b == b'?' || b == b'#')
                })
                .map_or(s.len(), |x| q + x);
            if q >= span_end {
                span_end = end;
                suffixes = 0;
            }
            let path = s.get(q..end).unwrap_or_default();
            if let Some(reason) = self.judge_absolute(path, &mut canon, Reading::Text) {
                return Some(Found::new("path.absolute", reason, q, end));
            }
        }
        None
    }

    /// Judges one absolute path, read as `reading` says.
    pub(super) fn judge_absolute(
        &self,
        path: &[u8],
        canon: &mut Vec<u8>,
        reading: Reading,
    ) -> Option<&'static str> {
        canonicalize(path, canon);
        let c: &[u8] = canon;
        if self.whitelist.iter().any(|w| under(c, w)) {
            return None;
        }
        let drive = drive_at(c, 0) || (c.first() == Some(&b'/') && drive_at(c, 1));
        let sh = shape(c);
        if sh.count == 0 {
            return None;
        }
        if reading == Reading::Text {
            // Inside text (`cat /etc/passwd`, `include("/etc/shadow")`) only
            // credential files count: prose quotes system paths too.
            let rooted = drive || in_list(sh.first, HARD_ROOTS) || in_list(sh.first, WINDOWS_ROOTS);
            let jewel = in_list(sh.leaf, CROWN_JEWELS)
                || c.starts_with(b"/proc/self/")
                || c.starts_with(b"/dev/tcp/")
                || c.starts_with(b"/dev/udp/");
            return (rooted && jewel).then_some("absolute path to a system credential file");
        }
        if drive && reading == Reading::Data {
            // Module and frame paths of native crash reports
            // (`C:\Windows\System32\ntdll.dll`) are data; configuration
            // and credential files are not.
            return (leaf_sensitive(sh.leaf) || sh.leaf.ends_with(b".ini"))
                .then_some("absolute Windows path to a system file");
        }
        if drive {
            // User documents (`C:\Users\me\report.docx`, the browser's
            // `C:\fakepath\`) are common in forms; system directories and
            // configuration files are not.
            if in_list(sh.first, HARD_ROOTS)
                || in_list(sh.first, WINDOWS_ROOTS)
                || server_dir(sh.first)
                || sh.any_dir
                || leaf_sensitive(sh.leaf)
                || sh.leaf.ends_with(b".ini")
            {
                return Some("absolute Windows path to a system directory or file");
            }
            return None;
        }
        let config_root = in_list(sh.first, &["etc", "proc"]);
        if in_list(sh.first, HARD_ROOTS) && (sh.count >= 2 || config_root) {
            // Installed software (`/usr/local/lib/python3.8/…/views.py`,
            // `/usr/lib/jvm/java-8`) and configuration directories
            // (`XDG_CONFIG_DIRS=/etc/xdg`) are what error reports and
            // environment records are made of; in them only sensitive files
            // count.
            let data_ok = sh.any_dir || leaf_sensitive(sh.leaf) || c.starts_with(b"/proc/self/");
            if reading == Reading::Data && !data_ok {
                return None;
            }
            return Some("absolute path under a system directory");
        }
        // Outside a system root a leaf that is also a route word
        // (`/cls/hosts`, `/api/v1/group`) names a resource, and a page
        // template under WEB-INF (`/WEB-INF/views/home.jsp`, where Java
        // applications keep the views they forward to) is not the
        // configuration or classes an inclusion is after.
        let leaf = leaf_sensitive(sh.leaf) && !route_word(sh.leaf);
        let dir = sh.any_dir && !web_inf_view(c);
        if dir || sh.etc_inside || leaf {
            return Some("absolute path to a sensitive file");
        }
        None
    }
}
