//! Malicious upload detector.
//!
//! Judges the file name of each multipart file part the way the servers
//! that will store and serve it read names: Apache's `mod_mime` runs
//! `shell.php.jpg` as PHP, IIS 6 runs `shell.asp;.jpg` as ASP, Windows drops
//! trailing dots and spaces and everything after `:` (NTFS streams), C
//! libraries stop at a NUL byte, and some frameworks percent-decode or
//! Unicode-normalise names. The detector applies each of those readings in
//! turn and flags the name when one of them ends in a blocked extension.
//! Every `filename` and `filename*` parameter of the raw
//! `Content-Disposition` header is judged, not only the one the multipart
//! parser picked, because frameworks disagree on which one wins.
//!
//! | rule | structure |
//! |---|---|
//! | `upload.blocked_extension` | the last extension is in `blacklist` (`shell.PHP`, `.htaccess`) |
//! | `upload.double_extension` | a blocked extension before the last one (`shell.php.jpg`, `x.py.zip`); by default only for extensions `mod_mime` executes in any position (PHP family, `.cgi`, `.py`, SSI), for all with `all_extensions` |
//! | `upload.null_byte` | a NUL byte, raw anywhere, or written as `%00`, `\x00`, `\0`, `\u0000` before a blocked extension (`a.php%00.jpg`) |
//! | `upload.semicolon` | `name.asp;.jpg` (IIS path parameter) |
//! | `upload.ntfs_stream` | `name.php::$DATA`, `name.asp:.jpg` (NTFS alternate data stream) |
//! | `upload.trailing_dot` | `a.php.`, `a.php ` (Windows strips trailing dots and spaces) |
//! | `upload.unicode_lookalike` | fullwidth letters or dots that NFKC / Windows best-fit mapping turn into a blocked extension (`a．ｐｈｐ`) |
//! | `upload.bidi_override` | Unicode bidirectional override characters, which make a name display differently from what it is (`photo\u{202e}gpj.exe`) |
//! | `upload.path_traversal` | a `..` path segment (`../../x.php`, `..\x.asp`, `%2e%2e%2f`) |
//! | `upload.absolute_path` | an absolute path into a system directory (`/etc/cron.d/x`, `/var/www/…`) or a network share (`\\host\share`); other absolute paths (`/storage/emulated/0/…` from mobile clients, `C:\…` from old browsers) pass |
//! | `upload.server_config` | a web-server or runtime configuration file name from `blocked_names` (`.htaccess`, `web.config`, `.user.ini`, …) |
//! | `upload.code_in_content` | with `check_content`: server-side code (`<?php`, `<%@ page`) inside a file named as an image, video, audio or PDF (a polyglot waiting for a file-inclusion bug) |
//!
//! Names the checks do not flag: `report.final.pdf`, `archive.tar.gz`,
//! `my.resume.docx`, `php_notes.txt`, `Learning.PHP.and.MySQL.pdf` (a blocked
//! word deep inside a name is a title, not an extension `mod_mime` sees
//! first), `C:\Users\me\photo.jpg`.
//!
//! ```
//! use envoy_rasp::engine::detect::upload::{Upload, UploadConfig};
//! use envoy_rasp::engine::surface::FilePart;
//!
//! let d = Upload::compile(&UploadConfig::default(), "file_upload").unwrap().unwrap();
//! let part = |name: &'static [u8]| FilePart {
//!     field: b"file", filename: name, disposition: b"", content_type: b"", content: b"",
//! };
//! assert_eq!(d.detect_file(&part(b"shell.pHp")).unwrap().rule, "upload.blocked_extension");
//! assert_eq!(d.detect_file(&part(b"shell.php.jpg")).unwrap().rule, "upload.double_extension");
//! assert_eq!(d.detect_file(&part(b"shell.php%00.jpg")).unwrap().rule, "upload.null_byte");
//! assert!(d.detect_file(&part(b"archive.tar.gz")).is_none());
//! ```

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::Hit;
use crate::engine::bytes::{eq_ci, find_byte, find_ci, starts_ci, trim_end_with, ByteSet};
use crate::engine::decode::percent_decode;
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;
use crate::engine::surface::FilePart;

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Configuration section `file_upload`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Blocked file extensions, case-insensitive, with or without the
    /// leading dot (an entry with an inner dot such as `tar.gz` matches the
    /// end of the name). Default: the reference `.php .jsp .exe .sh` plus
    /// what servers execute or interpret:
    /// PHP `.php2`-`.php8`, `.phtml`, `.pht`, `.phtm`, `.phar`, `.phpt`,
    /// `.pgif`, `.inc`; Java `.jspx`, `.jspf`, `.jsw`, `.jsv`, `.war`, `.ear`;
    /// ASP / .NET `.asp`, `.aspx`, `.asa`, `.asax`, `.ascx`, `.ashx`,
    /// `.asmx`, `.axd`, `.cshtml`, `.vbhtml`, `.config`, `.soap`, `.svc`,
    /// `.xamlx`, `.rem`; CGI `.cgi`, `.pl`, `.py`; SSI `.shtml`, `.shtm`,
    /// `.stm`; Apache `.htaccess`, `.htpasswd`; ImageMagick scripts `.mvg`,
    /// `.msl`; Windows executables `.dll`, `.bat`, `.cmd`, `.scr`, `.msi`,
    /// `.vbs`, `.ps1`, `.hta`. Not included (decide per application):
    /// `.html`, `.svg`, `.xml` (stored XSS when served from your origin),
    /// `.cer` (IIS 6 mapped it to ASP, but it is a certificate file).
    pub blacklist: Vec<String>,
    /// File names (case-insensitive) that configure the server that stores
    /// them. A name starting with `.` also matches longer names
    /// (`.htaccess_shell`). Default: `.htaccess`, `.htpasswd`, `.htgroup`,
    /// `.htdigest`, `web.config`, `.user.ini`, `php.ini`, `uwsgi.ini`.
    pub blocked_names: Vec<String>,
    /// Flag a blocked extension in any position after the first dot, not
    /// only last or (for the extensions `mod_mime` maps anywhere)
    /// second-to-last. Default false: `Learning.PHP.and.MySQL.pdf` passes.
    pub all_extensions: bool,
    /// Look at the first 64 KiB of files named as images, video, audio or
    /// PDF for server-side code tags. Default true.
    pub check_content: bool,
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig {
            action: Action::Block,
            sensitivity: None,
            blacklist: strings(&[
                ".php",
                ".jsp",
                ".exe",
                ".sh", //
                ".php2",
                ".php3",
                ".php4",
                ".php5",
                ".php6",
                ".php7",
                ".php8",
                ".phtml",
                ".pht",
                ".phtm",
                ".phar",
                ".phpt",
                ".pgif",
                ".inc", //
                ".jspx",
                ".jspf",
                ".jsw",
                ".jsv",
                ".war",
                ".ear", //
                ".asp",
                ".aspx",
                ".asa",
                ".asax",
                ".ascx",
                ".ashx",
                ".asmx",
                ".axd",
                ".cshtml",
                ".vbhtml",
                ".config",
                ".soap",
                ".svc",
                ".xamlx",
                ".rem", //
                ".cgi",
                ".pl",
                ".py", //
                ".shtml",
                ".shtm",
                ".stm", //
                ".htaccess",
                ".htpasswd", //
                ".mvg",
                ".msl", //
                ".dll",
                ".bat",
                ".cmd",
                ".scr",
                ".msi",
                ".vbs",
                ".ps1",
                ".hta",
            ]),
            blocked_names: strings(&[
                ".htaccess",
                ".htpasswd",
                ".htgroup",
                ".htdigest",
                "web.config",
                ".user.ini",
                "php.ini",
                "uwsgi.ini",
            ]),
            all_extensions: false,
            check_content: true,
        }
    }
}

/// Extensions that Apache `mod_mime` (`AddHandler`, `AddType`) maps in any
/// position of a name, so that `x.php.jpg` runs as PHP.
const ANY_POSITION: [&str; 17] = [
    "php", "php2", "php3", "php4", "php5", "php6", "php7", "php8", "phtml", "pht", "phtm", "phar",
    "cgi", "py", "shtml", "shtm", "stm",
];

/// Final extensions of files whose content should never hold server code.
const MEDIA: [&str; 28] = [
    "jpg", "jpeg", "jpe", "jfif", "png", "gif", "bmp", "webp", "ico", "tif", "tiff", "heic",
    "avif", "mp4", "m4v", "mov", "avi", "mkv", "webm", "mp3", "wav", "ogg", "flac", "m4a", "pdf",
    "psd", "wmv", "3gp",
];

/// How much of a file the content check reads.
const CONTENT_WINDOW: usize = 64 * 1024;
/// Longest base name whose extensions are examined (longer names are
/// judged by their end).
const MAX_NAME: usize = 1024;

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Upload {
    action: Action,
    /// Lowercase extensions without the leading dot.
    blacklist: Vec<String>,
    blocked_names: Vec<String>,
    all_extensions: bool,
    check_content: bool,
}

/// A finding: rule and reason.
type Verdict = (&'static str, Cow<'static, str>);

impl Upload {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &UploadConfig, field: &str) -> Result<Option<Upload>, ConfigError> {
        let mut blacklist = Vec::with_capacity(cfg.blacklist.len());
        for (i, e) in cfg.blacklist.iter().enumerate() {
            let ext = e.trim().trim_start_matches('.').to_ascii_lowercase();
            let ok = !ext.is_empty()
                && ext.len() <= 32
                && ext
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-+~".contains(&b))
                && !ext.ends_with('.');
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.blacklist[{i}]"),
                    format!("{e:?} is not a file extension such as \".php\""),
                ));
            }
            blacklist.push(ext);
        }
        let mut blocked_names = Vec::with_capacity(cfg.blocked_names.len());
        for (i, n) in cfg.blocked_names.iter().enumerate() {
            let name = n.trim().to_ascii_lowercase();
            if name.is_empty() || name.bytes().any(|b| b == b'/' || b == b'\\' || b < 0x20) {
                return Err(ConfigError::new(
                    format!("{field}.blocked_names[{i}]"),
                    format!("{n:?} is not a file name"),
                ));
            }
            blocked_names.push(name);
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Upload {
            action: cfg.action,
            blacklist,
            blocked_names,
            all_extensions: cfg.all_extensions,
            check_content: cfg.check_content,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one uploaded file part. The hit's span is in the file name.
    pub fn detect_file(&self, part: &FilePart<'_>) -> Option<Hit> {
        let name = part.filename;
        let whole = |(rule, reason): Verdict| Hit {
            rule: Cow::Borrowed(rule),
            reason,
            start: 0,
            end: name.len(),
        };
        if let Some(v) = self.judge(name) {
            return Some(whole(v));
        }
        // Every file name the raw header carries.
        let mut found = None;
        for_each_filename(part.disposition, |candidate, star| {
            if candidate == name {
                return true;
            }
            if let Some((rule, reason)) = self.judge(candidate) {
                let which = if star { "filename*" } else { "filename" };
                found = Some((
                    rule,
                    Cow::Owned(format!("{reason} (in the `{which}` parameter)")),
                ));
                return false;
            }
            true
        });
        if let Some(v) = found {
            return Some(whole(v));
        }
        if self.check_content {
            if let Some(v) = self.content(name, part.content) {
                return Some(whole(v));
            }
        }
        None
    }

    /// Judges one file name under every reading.
    fn judge(&self, raw: &[u8]) -> Option<Verdict> {
        if raw.is_empty() {
            return None;
        }
        if raw.contains(&0) {
            return Some((
                "upload.null_byte",
                Cow::Borrowed("NUL byte in the file name"),
            ));
        }
        if has_bidi_override(raw) {
            return Some((
                "upload.bidi_override",
                Cow::Borrowed("bidirectional override characters disguise the file name"),
            ));
        }
        if let Some(v) = self.judge_view(raw) {
            return Some(v);
        }
        // Percent-decoded (twice at most): some frameworks decode names.
        if raw.contains(&b'%') {
            let once = percent_decode(raw, false);
            let twice = percent_decode(&once, false);
            for view in [&*once, &*twice] {
                if view != raw {
                    if let Some((rule, reason)) = self.judge_view(view) {
                        return Some((rule, Cow::Owned(format!("{reason} (percent-encoded)"))));
                    }
                }
            }
        }
        None
    }

    /// Judges one view of a name: path, then each server's reading.
    fn judge_view(&self, v: &[u8]) -> Option<Verdict> {
        // Path components.
        let seps = |b: &u8| *b == b'/' || *b == b'\\';
        if v.split(seps).any(|seg| {
            let t = trim_end_with(seg, &DOTS_AND_BLANKS);
            seg.len() >= 2 && t.is_empty() && seg.starts_with(b"..")
        }) {
            return Some((
                "upload.path_traversal",
                Cow::Borrowed("`..` path segment in the file name"),
            ));
        }
        if v.starts_with(b"\\\\") || system_path(v) {
            return Some((
                "upload.absolute_path",
                Cow::Borrowed("absolute path into a system directory or a network share"),
            ));
        }
        let basename = |v: &'_ [u8]| -> usize { v.iter().rposition(seps).map_or(0, |p| p + 1) };
        let base = v.get(basename(v)..).unwrap_or_default();
        if session_file(base) {
            return Some((
                "upload.session_file",
                Cow::Borrowed(
                    "file named like a PHP session file (`sess_<id>`): planting a session",
                ),
            ));
        }
        if let Some(v) = self.judge_name(base) {
            return Some(v);
        }
        let mut cur: &[u8] = base;
        // NUL written as text (`\x00` contains a backslash, so cut before
        // taking the base name): everything after it is dropped.
        if let Some(p) = text_nul(v) {
            let head = v.get(..p).unwrap_or_default();
            cur = head.get(basename(head)..).unwrap_or_default();
            if let Some((_, reason)) = self.judge_name(cur) {
                return Some((
                    "upload.null_byte",
                    Cow::Owned(format!("{reason} before an encoded NUL byte")),
                ));
            }
        }
        // IIS: `;` starts a path parameter.
        if let Some(p) = cur.iter().position(|&b| b == b';') {
            cur = cur.get(..p).unwrap_or_default();
            if let Some((_, reason)) = self.judge_name(cur) {
                return Some((
                    "upload.semicolon",
                    Cow::Owned(format!("{reason} before `;` (IIS reads up to it)")),
                ));
            }
        }
        // NTFS: `:` starts an alternate data stream.
        if let Some(p) = cur.iter().position(|&b| b == b':') {
            // `C:` of a Windows path is not a stream.
            cur = cur.get(..p).unwrap_or_default();
            if let Some((_, reason)) = self.judge_name(cur) {
                return Some((
                    "upload.ntfs_stream",
                    Cow::Owned(format!("{reason} before `:` (NTFS data stream)")),
                ));
            }
        }
        // Windows drops trailing dots and spaces.
        let trimmed = trim_end_with(cur, &DOTS_AND_BLANKS);
        if trimmed.len() != cur.len() {
            cur = trimmed;
            if let Some((_, reason)) = self.judge_name(cur) {
                return Some((
                    "upload.trailing_dot",
                    Cow::Owned(format!("{reason} hidden by trailing dots or spaces")),
                ));
            }
        }
        // Fullwidth forms fold to ASCII (NFKC, Windows best-fit mapping).
        if !cur.is_ascii() {
            let mut buf = Vec::new();
            if fold_name(cur, &mut buf) {
                let folded = trim_end_with(&buf, &DOTS_AND_BLANKS);
                if let Some((_, reason)) = self.judge_name(folded) {
                    return Some((
                        "upload.unicode_lookalike",
                        Cow::Owned(format!(
                            "{reason} written with look-alike Unicode characters"
                        )),
                    ));
                }
            }
        }
        None
    }

    /// Judges a base name as it is: configuration names and extensions.
    fn judge_name(&self, name: &[u8]) -> Option<Verdict> {
        // Names ending in a dot or space are judged once trimmed.
        if name.is_empty() || !name.contains(&b'.') || matches!(name.last(), Some(b'.' | b' ')) {
            return None;
        }
        let mut buf = [0u8; MAX_NAME];
        // The end of an over-long name is what carries its extension.
        let name = name.get(name.len().saturating_sub(MAX_NAME)..)?;
        let n = name.len();
        for (d, &s) in buf.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        let lower = buf.get(..n)?;
        for b in &self.blocked_names {
            let bn = b.as_bytes();
            if lower == bn || (bn.first() == Some(&b'.') && lower.starts_with(bn)) {
                return Some((
                    "upload.server_config",
                    Cow::Owned(format!("web server configuration file `{b}`")),
                ));
            }
        }
        let parts: Vec<&[u8]> = lower.split(|&b| b == b'.').collect();
        let count = parts.len();
        if count < 2 {
            return None;
        }
        let last = parts.last().copied().unwrap_or_default();
        for e in &self.blacklist {
            let eb = e.as_bytes();
            let hit = if eb.contains(&b'.') {
                lower.len() > eb.len()
                    && lower.ends_with(eb)
                    && lower.get(lower.len() - eb.len() - 1) == Some(&b'.')
            } else {
                last == eb
            };
            if hit {
                return Some((
                    "upload.blocked_extension",
                    Cow::Owned(format!("blocked extension `.{e}`")),
                ));
            }
        }
        // Inner extensions: parts between the base name and the last one.
        let inner = parts.get(1..count - 1).unwrap_or_default();
        let inner: &[&[u8]] = if self.all_extensions {
            inner
        } else {
            inner
                .get(inner.len().saturating_sub(1)..)
                .unwrap_or_default()
        };
        for ext in inner {
            let blocked = self.blacklist.iter().any(|e| e.as_bytes() == *ext);
            let any_position = ANY_POSITION.iter().any(|a| a.as_bytes() == *ext);
            if blocked && (self.all_extensions || any_position) {
                return Some((
                    "upload.double_extension",
                    Cow::Owned(format!(
                        "blocked extension `.{}` before the last one (Apache mod_mime runs it)",
                        String::from_utf8_lossy(ext)
                    )),
                ));
            }
        }
        None
    }

    /// Server-side code inside a file named as media.
    fn content(&self, name: &[u8], content: &[u8]) -> Option<Verdict> {
        let ext_start = name.iter().rposition(|&b| b == b'.')? + 1;
        let ext = name.get(ext_start..)?;
        if !MEDIA.iter().any(|m| eq_ci(m.as_bytes(), ext)) {
            return None;
        }
        let window = content.get(..content.len().min(CONTENT_WINDOW))?;
        const TAGS: [&[u8]; 4] = [b"<?php", b"<%@ page", b"<%@page", b"<jsp:scriptlet"];
        let mut i = 0;
        while let Some(p) = find_byte(window, i, b'<') {
            let rest = window.get(p..).unwrap_or_default();
            if TAGS.iter().any(|t| starts_ci(rest, t)) {
                return Some((
                    "upload.code_in_content",
                    Cow::Borrowed("server-side code tag inside a file named as media"),
                ));
            }
            i = p + 1;
        }
        None
    }
}

/// An absolute POSIX path into a system directory (`/etc/cron.d/x`):
/// `os.path.join(dir, name)` and `Path.resolve` drop `dir` for it. Other
/// absolute paths pass: mobile clients send `/storage/emulated/0/…` or
/// `/var/mobile/…` names and frameworks keep only the base name.
fn system_path(v: &[u8]) -> bool {
    const DIRS: [&[u8]; 14] = [
        b"/etc/",
        b"/root/",
        b"/proc/",
        b"/sys/",
        b"/dev/",
        b"/bin/",
        b"/sbin/",
        b"/boot/",
        b"/usr/",
        b"/lib/",
        b"/lib64/",
        b"/var/www/",
        b"/var/spool/",
        b"/var/lib/",
    ];
    DIRS.iter().any(|d| starts_ci(v, d))
}

/// What Windows strips from the end of a file name.
static DOTS_AND_BLANKS: ByteSet = ByteSet::of(b". \t");

/// Where a NUL written as text starts: `%00`, `\x00`, `\0`, `\u0000`,
/// `%u0000`.
fn text_nul(s: &[u8]) -> Option<usize> {
    const MARKS: [&[u8]; 5] = [b"%00", b"\\x00", b"\\u0000", b"%u0000", b"\\0"];
    MARKS.iter().filter_map(|m| find_ci(s, m)).min()
}

/// U+202A-U+202E (embeddings, overrides) and U+2066-U+2069 (isolates).
fn has_bidi_override(s: &[u8]) -> bool {
    s.windows(3)
        .any(|w| matches!(w, [0xE2, 0x80, 0xAA..=0xAE] | [0xE2, 0x81, 0xA6..=0xA9]))
}

/// Folds fullwidth ASCII and Unicode dots to ASCII into `out`. Returns
/// whether anything changed.
fn fold_name(s: &[u8], out: &mut Vec<u8>) -> bool {
    let Ok(text) = std::str::from_utf8(s) else {
        return false;
    };
    let mut changed = false;
    out.reserve(s.len());
    for c in text.chars() {
        let cp = c as u32;
        let mapped = match cp {
            0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0),
            0x3002 | 0xFF61 | 0x2024 | 0xFE52 => Some('.'),
            _ => None,
        };
        match mapped {
            Some(m) => {
                changed = true;
                let mut tmp = [0u8; 4];
                out.extend_from_slice(m.encode_utf8(&mut tmp).as_bytes());
            }
            None => {
                let mut tmp = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
    changed
}

/// Calls `f(value, is_star)` for every `filename` / `filename*` parameter
/// of a `Content-Disposition` value (quoted strings unescaped, RFC 5987
/// values percent-decoded), until `f` returns false.
fn for_each_filename(disposition: &[u8], mut f: impl FnMut(&[u8], bool) -> bool) {
    let d = disposition;
    let mut i = 0;
    let mut buf: Vec<u8> = Vec::new();
    while i < d.len() {
        // Parameter name.
        while d
            .get(i)
            .is_some_and(|&b| b == b';' || b.is_ascii_whitespace())
        {
            i += 1;
        }
        let name_start = i;
        while d
            .get(i)
            .is_some_and(|&b| b != b'=' && b != b';' && !b.is_ascii_whitespace())
        {
            i += 1;
        }
        let pname = d.get(name_start..i).unwrap_or_default();
        while d.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if d.get(i) != Some(&b'=') {
            // A bare token (`form-data`) or junk: skip to the next `;`.
            while d.get(i).is_some_and(|&b| b != b';') {
                i += 1;
            }
            continue;
        }
        i += 1;
        while d.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        buf.clear();
        if d.get(i) == Some(&b'"') {
            i += 1;
            while let Some(&b) = d.get(i) {
                match b {
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b'\\' => {
                        if let Some(&n) = d.get(i + 1) {
                            buf.push(n);
                        }
                        i += 2;
                    }
                    _ => {
                        buf.push(b);
                        i += 1;
                    }
                }
            }
            while d.get(i).is_some_and(|&b| b != b';') {
                i += 1;
            }
        } else {
            let s = i;
            while d.get(i).is_some_and(|&b| b != b';') {
                i += 1;
            }
            buf.extend_from_slice(d.get(s..i).unwrap_or_default());
            while buf.last().is_some_and(u8::is_ascii_whitespace) {
                buf.pop();
            }
        }
        let star = pname.eq_ignore_ascii_case(b"filename*");
        if !(star || pname.eq_ignore_ascii_case(b"filename")) {
            continue;
        }
        let keep_going = if star {
            // charset'language'percent-encoded
            let value = match buf.iter().rposition(|&b| b == b'\'') {
                Some(p) => buf.get(p + 1..).unwrap_or_default(),
                None => &buf[..],
            };
            let decoded = percent_decode(value, false);
            f(&decoded, true)
        } else {
            f(&buf, false)
        };
        if !keep_going {
            return;
        }
    }
}

impl Detector for Upload {
    type Config = UploadConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Malicious upload detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("blacklist", "Blocked upload file extensions."),
        FieldNote::new("blacklist[]", "An extension with its dot, e.g. `.php`."),
        FieldNote::new("blocked_names", "File names (case-insensitive) that configure the server storing them: .htaccess, .htpasswd, web.config, .user.ini, php.ini, …; a name starting with `.` also matches longer names."),
        FieldNote::new("blocked_names[]", "A file name."),
        FieldNote::new("all_extensions", "Flag a blocked extension in any position after the first dot, not only last or second-to-last (mod_mime)."),
        FieldNote::new("check_content", "Look at the first 64 KiB of files named as images, video, audio or PDF for server-side code tags (`<?php`, `<%`)."),
    ];

    fn compile(cfg: &UploadConfig, at: &FieldPath) -> Result<Option<Upload>, ConfigErrors> {
        Ok(Upload::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Upload::action(self)
    }

    /// Uploads that are not multipart name their file in a header: the
    /// `X-Filename` family that upload widgets and APIs send with a raw
    /// body, and a request `Content-Disposition` (`PUT` of a file).
    const EVERY_HEADER: bool = true;

    /// Reads multipart file parts (`detect_file`) and file-name headers
    /// (`detect_header`), never values.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::NEVER;
        NEEDS
    }

    fn detect_header(&self, name: &[u8], value: &[u8]) -> Option<Hit> {
        let hit = |(rule, reason): Verdict| Hit {
            rule: Cow::Borrowed(rule),
            reason,
            start: 0,
            end: value.len(),
        };
        if is_filename_header(name) {
            return self.judge(value).map(hit);
        }
        if name.eq_ignore_ascii_case(b"content-disposition") {
            let mut found = None;
            for_each_filename(value, |candidate, _| {
                found = self.judge(candidate);
                found.is_none()
            });
            return found.map(hit);
        }
        None
    }
}

/// `sess_d8ew88tqmabdcokhumchy8htqm`: the name PHP's file session handler
/// stores a session under (`sess_` and an id of 20 to 256 characters of
/// `[A-Za-z0-9,-]`, `session.sid_length`). An upload under that name into
/// the session directory forges a session (or plants serialized objects it
/// unserializes).
fn session_file(base: &[u8]) -> bool {
    base.get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"sess_"))
        && (25..=261).contains(&base.len())
        && base
            .get(5..)
            .unwrap_or_default()
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b',' || b == b'-')
}

/// `X-Filename`, `X_Filename`, `X.Filename`, `X-File-Name` (any case): the
/// header names upload clients put a file name in.
fn is_filename_header(name: &[u8]) -> bool {
    let mut buf = [0u8; 16];
    let mut n = 0;
    for &b in name {
        if matches!(b, b'-' | b'_' | b'.') {
            continue;
        }
        let Some(slot) = buf.get_mut(n) else {
            return false;
        };
        *slot = b.to_ascii_lowercase();
        n += 1;
    }
    buf.get(..n) == Some(b"xfilename")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::bytes::testing::fuzz_inputs;

    fn det() -> Upload {
        Upload::compile(&UploadConfig::default(), "file_upload")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn file_names_in_headers() {
        let d = det();
        for (name, value) in [
            ("x-filename", "a.php.."),
            ("X_Filename", "fda.php5..."),
            ("X.Filename", "a.php"),
            ("x-file-name", "B.jsp"),
            (
                "content-disposition",
                "attachment; filename=\"shell.phtml\"",
            ),
            ("x-filename", "/tmp/sess_abc123def456ghi789jkl"),
        ] {
            let h = d.detect_header(name.as_bytes(), value.as_bytes());
            assert!(h.is_some(), "{name}: {value}");
        }
        for (name, value) in [
            ("x-filename", "report.pdf"),
            ("x-filename", "sess_notes.txt"),
            ("content-disposition", "attachment; filename=\"photo.jpg\""),
            ("x-request-id", "a.php"),
            ("x-filenames-are-long-header", "a.php"),
        ] {
            assert!(
                d.detect_header(name.as_bytes(), value.as_bytes()).is_none(),
                "{name}: {value}"
            );
        }
        let r = d
            .detect_header(b"x-filename", b"sess_d8ew88tqmabdcokhumchy8htqm")
            .unwrap();
        assert_eq!(r.rule, "upload.session_file");
    }

    fn part<'a>(name: &'a [u8], disposition: &'a [u8], content: &'a [u8]) -> FilePart<'a> {
        FilePart {
            field: b"file",
            filename: name,
            disposition,
            content_type: b"application/octet-stream",
            content,
        }
    }

    #[test]
    fn disposition_parameters() {
        let mut got = vec![];
        for_each_filename(
            br#"form-data; name="f"; filename="a \"b\".jpg"; FILENAME*=UTF-8''x%2Ephp; filename = c.txt "#,
            |v, star| {
                got.push((String::from_utf8_lossy(v).into_owned(), star));
                true
            },
        );
        assert_eq!(
            got,
            vec![
                ("a \"b\".jpg".to_string(), false),
                ("x.php".to_string(), true),
                ("c.txt".to_string(), false)
            ]
        );
        // Unterminated quotes and junk do not loop forever.
        for_each_filename(b"filename=\"abc", |_, _| true);
        for_each_filename(b";;;==;=\"", |_, _| true);
    }

    #[test]
    fn fuzz_no_panic() {
        crate::testing::hang_guard("file_upload: fuzz inputs", || {
            let d = det();
            let alphabet: &[&[u8]] = &[
                b".",
                b"php",
                b"jpg",
                b"/",
                b"\\",
                b"..",
                b";",
                b":",
                b"%00",
                b"%2e",
                b"%",
                b" ",
                b"\x00",
                b"\xef\xbc\x8e",
                b"\xe2\x80\xae",
                b"\xff",
                b"a",
                b"\"",
                b"=",
                b"filename",
                b"*",
                b"''",
                b"<?php",
                b"$DATA",
            ];
            let inputs = fuzz_inputs(alphabet, 20_000);
            for w in inputs.windows(2) {
                let _ = d.detect_file(&part(&w[0], &w[1], &w[1]));
            }
        });
    }

    #[test]
    fn options_and_errors() {
        let cfg = UploadConfig {
            all_extensions: true,
            ..Default::default()
        };
        let d = Upload::compile(&cfg, "file_upload").unwrap().unwrap();
        assert!(d
            .detect_file(&part(b"Learning.PHP.and.MySQL.pdf", b"", b""))
            .is_some());
        assert!(det()
            .detect_file(&part(b"Learning.PHP.and.MySQL.pdf", b"", b""))
            .is_none());
        let cfg = UploadConfig {
            blacklist: vec!["tar.gz".into(), "JS".into()],
            ..Default::default()
        };
        let d = Upload::compile(&cfg, "file_upload").unwrap().unwrap();
        assert!(d.detect_file(&part(b"a.TAR.gz", b"", b"")).is_some());
        assert!(d.detect_file(&part(b"app.js", b"", b"")).is_some());
        assert!(d.detect_file(&part(b"shell.php", b"", b"")).is_none());
        let cfg = UploadConfig {
            blacklist: vec![".php".into(), "bad ext".into()],
            ..Default::default()
        };
        assert_eq!(
            Upload::compile(&cfg, "file_upload").unwrap_err().field(),
            "file_upload.blacklist[1]"
        );
        let cfg = UploadConfig {
            blocked_names: vec!["a/b".into()],
            ..Default::default()
        };
        assert_eq!(
            Upload::compile(&cfg, "file_upload").unwrap_err().field(),
            "file_upload.blocked_names[0]"
        );
        let cfg = UploadConfig {
            check_content: false,
            ..Default::default()
        };
        let d = Upload::compile(&cfg, "file_upload").unwrap().unwrap();
        assert!(d
            .detect_file(&part(b"a.gif", b"", b"GIF89a<?php system($_GET[1]); ?>"))
            .is_none());
    }

    /// A hang guard, not a measurement (see `testing::HANG_GUARD`): linear time
    /// on these inputs is measured by `cargo bench --bench engine -- adversarial`.
    #[test]
    fn long_and_adversarial_names() {
        crate::testing::hang_guard("file_upload: long and adversarial names", || {
            let d = det();
            let long: Vec<u8> = b"a.".iter().copied().cycle().take(1 << 20).collect();
            let _ = d.detect_file(&part(&long, &long, &long));
            let mut tail = long.clone();
            tail.extend_from_slice(b"php");
            assert!(d.detect_file(&part(&tail, b"", b"")).is_some());
            let quotes: Vec<u8> = b"filename=\"\\"
                .iter()
                .copied()
                .cycle()
                .take(1 << 20)
                .collect();
            let _ = d.detect_file(&part(b"x.jpg", &quotes, b""));
            let content: Vec<u8> = b"<".iter().copied().cycle().take(1 << 20).collect();
            let _ = d.detect_file(&part(b"x.jpg", b"", &content));
        });
    }
}
