//! Path traversal / local file inclusion detector.
//!
//! The value is read as a file path the application may open, after peeling
//! the encodings that lenient path decoders accept (`%2e`, `%252e`,
//! `%%32%65`, `%u002e`, `%uff0e`, `%u2215`, overlong UTF-8 `%c0%ae` and
//! `%c1%9c`, IIS's out-of-range hex `%c0%qf`, `0x2e`, control bytes, NUL
//! between dots). On that unit stream it looks for:
//!
//! * **parent-directory climbs** (`path.dotdot`): segments made only of
//!   dots (`..`, `...`, `....//`, Windows ignores extra dots), Tomcat's
//!   `..;/`. Two or more consecutive climbs are an attack, except two or
//!   three plain ones to a static asset (`<img src="../../img/a.png">`). One
//!   climb is an attack when it reaches a sensitive file
//!   (`../WEB-INF/web.xml`), is encoded (`..%252f`), carries `;`, follows a
//!   root (`/static/../x`), or sits in the request path itself. A single
//!   plain `../images/a.png` is a relative link and passes (benign data: 2 of
//!   7368 benign values hold one `../`, none two; see `allow_single_parent`).
//!   Dot-segment padding before a sensitive file (`./\/./boot.ini`) counts
//!   too.
//! * **absolute paths outside the allowed directories** (`path.absolute`):
//!   a value that *is* an absolute path under a system root (`/etc/…`,
//!   `/proc/…`, `/var/log/…`, `C:\Windows\…`, `C:\xampp\…`) or to a
//!   sensitive file (`/home/u/.ssh/id_rsa`, `/logs/access_log`), unless it is
//!   under a `whitelist` directory. URL routes (`/account`, `/lib/app.js`)
//!   and user documents (`C:\Users\me\cv.docx`, `C:\fakepath\a.jpg`) pass.
//!   Inside longer text only credential files count (`cat /etc/passwd`);
//!   forum posts quote `/etc/fstab` all the time.
//! * **sensitive files named relatively** (`path.sensitive_file`):
//!   `WEB-INF/web.xml`, `.git/config`, a value that is `etc/passwd`.
//! * **stream wrappers** (`path.wrapper`): `php://filter`, `file:///`,
//!   `zip://`, `phar://`, `expect://`, `glob://`, `jar:file:`, and PHP
//!   filter-chain elements (`convert.iconv.…`).
//! * base64 values that decode to any of the above (`Li4vLi4v…`).
//!
//! Cost: one table-driven byte pass decides which checks can apply; values
//! without dots, separators, colons or encodings stop there, and the
//! lenient decoder runs only on values with `%`, `0x`, control bytes or
//! overlong / look-alike UTF-8.
//!
//! ```
//! use envoy_rasp::engine::detect::traversal::{Traversal, TraversalConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let t = Traversal::compile(&TraversalConfig::default(), "path_traversal").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Query);
//! assert_eq!(t.detect(b"..%c0%af..%c0%afetc/passwd", &ctx).unwrap().rule, "path.dotdot");
//! assert_eq!(t.detect(b"/etc/shadow", &ctx).unwrap().rule, "path.absolute");
//! assert!(t.detect(b"/tmp/upload-1.png", &ctx).is_none());
//! assert!(t.detect(b"../images/logo.png", &ctx).is_none());
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};
use crate::engine::surface::Surface;

/// Configuration section `path_traversal`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TraversalConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Directories under which absolute paths are allowed (after `.` and
    /// `..` segments are resolved, compared case-insensitively). Default:
    /// the reference's `["/app/data", "/tmp"]`. Entries must be absolute
    /// (`/dir` or `C:\dir`).
    pub whitelist: Vec<String>,
    /// Whether one plain parent step (`../img/a.png`) whose target is not a
    /// sensitive file is allowed, as relative links are. `true` (default);
    /// `false` flags every `..` segment in values.
    pub allow_single_parent: bool,
}

impl Default for TraversalConfig {
    fn default() -> Self {
        TraversalConfig {
            action: Action::Block,
            whitelist: vec!["/app/data".to_string(), "/tmp".to_string()],
            allow_single_parent: true,
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Traversal {
    action: Action,
    /// Canonical whitelist entries: lowercase, `/`-separated, no trailing
    /// slash (`/tmp`, `c:/data`).
    whitelist: Vec<Vec<u8>>,
    allow_single_parent: bool,
}

impl Traversal {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &TraversalConfig, field: &str) -> Result<Option<Traversal>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        let mut whitelist = Vec::with_capacity(cfg.whitelist.len());
        for (i, entry) in cfg.whitelist.iter().enumerate() {
            let e = entry.as_bytes();
            let absolute = matches!(e.first(), Some(b'/' | b'\\')) || drive_at(e, 0);
            if !absolute {
                return Err(ConfigError::new(
                    format!("{field}.whitelist[{i}]"),
                    format!("directory `{entry}` must be an absolute path"),
                ));
            }
            if e.windows(2).any(|w| w == b"..") {
                return Err(ConfigError::new(
                    format!("{field}.whitelist[{i}]"),
                    format!("directory `{entry}` must not contain `..`"),
                ));
            }
            let mut canon = Vec::new();
            canonicalize(e, &mut canon);
            whitelist.push(canon);
        }
        Ok(Some(Traversal {
            action: cfg.action,
            whitelist,
            allow_single_parent: cfg.allow_single_parent,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value.
    pub fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        let class = classify(value);
        if class == 0 {
            return base64_path(self, value).map(|f| Hit::new(f.rule, f.reason, 0, value.len()));
        }
        // Fast path: a value flagged as encoded whose decoding cannot change
        // a byte (`50% off`) is its own stream, and its class is the one
        // just computed: decoding the copy and classifying it again would
        // give the same bytes, an all-plain map and the same class.
        let noop = class & C_ENCODED != 0 && decode_is_noop(value);
        let stream = if class & C_ENCODED != 0 && !noop {
            Stream::new(value)
        } else {
            Stream::plain(value)
        };
        let s: &[u8] = &stream.bytes;
        // After decoding, classify what the path reader sees.
        let class = if class & C_ENCODED != 0 && !noop {
            classify(s) | C_ENCODED
        } else {
            class
        };
        let path_surface = ctx.surface == Surface::Path;
        // `climbs` only reports a climbing segment (two or more `.`/`?`) or
        // `.` padding, so a plain stream without `.` and `?` cannot match:
        // the encoded flag alone need not run it when nothing was decoded.
        let climb_bytes = !noop || class & C_DOT != 0 || s.contains(&b'?');
        if class & (C_DOTDOT | C_DOTSEG) != 0 || class & C_ENCODED != 0 && climb_bytes {
            if let Some(f) = self.climbs(&stream, path_surface) {
                return Some(stream.hit(f));
            }
        }
        if path_surface {
            return None;
        }
        if class & (C_COLON | C_CONVERT) != 0 {
            if let Some(f) = wrapper(s) {
                return Some(stream.hit(f));
            }
        }
        if class & (C_SEP | C_COLON) != 0 {
            if let Some(f) = self.absolute(s) {
                return Some(stream.hit(f));
            }
        }
        if class & (C_SEP | C_SDIR) != 0 || s.first() == Some(&b'.') || s.first() == Some(&b' ') {
            if let Some(f) = sensitive_relative(s, class & C_SDIR != 0) {
                return Some(stream.hit(f));
            }
        }
        base64_path(self, value).map(|f| Hit::new(f.rule, f.reason, 0, value.len()))
    }

    /// Parent-directory climbs, scanned segment by segment. A *token* is a
    /// stretch between boundaries (blanks, quotes, `=`, …); a *run* is a
    /// sequence of climbing segments joined only by separators and `.`.
    fn climbs(&self, st: &Stream<'_>, path_surface: bool) -> Option<Found> {
        let s: &[u8] = &st.bytes;
        let mut run = Run::default();
        // Current token: whether it is rooted (`/..`, `C:\..`) and how many
        // `.` / empty segments pad it before its first name.
        let mut token_start = true;
        let mut rooted = false;
        let mut pad = 0usize;
        let mut pad_dots = 0usize;
        let mut budget = 64usize;
        let mut i = 0;
        while i <= s.len() {
            let seg_end = s
                .get(i..)
                .and_then(|r| r.iter().position(|&b| is_sep(b) || is_boundary(b)))
                .map_or(s.len(), |p| i + p);
            let seg = s.get(i..seg_end).unwrap_or_default();
            let term = s.get(seg_end).copied();
            let sep_term = term.is_some_and(is_sep);
            if token_start {
                rooted = sep_term && (seg.is_empty() || drive_at(seg, 0) && seg.len() == 2);
                pad = 0;
                pad_dots = 0;
            }
            let climb = is_climb(seg) && matches!(term, None | Some(b'/' | b'\\' | b';'));
            let neutral = seg.is_empty() || seg == b".";
            if climb {
                if run.count == 0 {
                    run = Run {
                        start: i,
                        rooted,
                        ..Run::default()
                    };
                }
                run.count += 1;
                if run.count >= 2 {
                    run.asset = asset_link(s, seg_end, &run, path_surface);
                    if !run.asset {
                        let end = (seg_end + 1).min(s.len());
                        return self.judge_run(&run, &[], path_surface, end);
                    }
                }
                // `/..` only proves an absolute climb when a path follows.
                run.rooted &= sep_term;
                run.encoded |= st.decoded(i, seg_end + usize::from(term.is_some()));
                run.tomcat |= term == Some(b';');
            } else if neutral {
                pad += 1;
                pad_dots += usize::from(seg == b".");
            }
            let ends_token = term.is_some_and(|t| !is_sep(t)) && !(climb && term == Some(b';'));
            let padded = pad >= 2 && pad_dots >= 1 && !neutral;
            if (!climb && !neutral || ends_token) && run.count > 0 && budget == 0 {
                if let Some(f) = self.judge_run(&run, &[], path_surface, i) {
                    return Some(f);
                }
            }
            if (!climb && !neutral || ends_token) && (run.count > 0 || padded) && budget > 0 {
                budget -= 1;
                // Targets are judged on their first bytes only, a bounded
                // number of times: linear on `../a/../a/…`.
                let limit = s.len().min(i + 256);
                let target_end = s
                    .get(i..limit)
                    .and_then(|r| r.iter().position(|&b| is_boundary(b)))
                    .map_or(limit, |p| i + p);
                let target = if neutral {
                    &[][..]
                } else {
                    s.get(i..target_end).unwrap_or_default()
                };
                if run.count > 0 {
                    if let Some(f) = self.judge_run(&run, target, path_surface, i) {
                        return Some(Found {
                            end: target_end.max(i),
                            ..f
                        });
                    }
                    run = Run::default();
                } else if padded && relative_target_sensitive(target) {
                    return Some(Found::new(
                        "path.dotdot",
                        "dot-segment padding before a sensitive file (././etc/passwd)",
                        i,
                        target_end,
                    ));
                }
            }
            if !climb && !neutral || ends_token {
                run = Run::default();
                pad = 0;
                pad_dots = 0;
            }
            token_start = ends_token;
            if seg_end >= s.len() {
                break;
            }
            i = seg_end + 1;
        }
        if run.count > 0 {
            return self.judge_run(&run, &[], path_surface, s.len());
        }
        None
    }

    fn judge_run(&self, run: &Run, target: &[u8], path_surface: bool, end: usize) -> Option<Found> {
        let found = |reason| Some(Found::new("path.dotdot", reason, run.start, end));
        if run.count >= 2 && !run.asset {
            return found("two or more consecutive parent-directory segments (../../)");
        }
        if path_surface {
            return found("parent-directory segment in the request path");
        }
        if run.tomcat {
            return found("parent-directory segment with a path parameter (..;/)");
        }
        if run.encoded {
            return found("encoded parent-directory segment");
        }
        if run.rooted {
            return found("parent-directory segment in an absolute path");
        }
        if relative_target_sensitive(target) {
            return found("parent-directory segment reaching a sensitive file");
        }
        if !self.allow_single_parent && !run.asset {
            return found("parent-directory segment");
        }
        None
    }

    /// Absolute paths: the whole value, or system paths inside text.
    fn absolute(&self, s: &[u8]) -> Option<Found> {
        let mut canon = Vec::new();
        // The value itself (after blanks, quotes and a `file:` prefix).
        let mut p = s
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'<'))
            .unwrap_or(s.len());
        if s.get(p..p + 5)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"file:"))
        {
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
            if let Some(reason) = self.judge_absolute(path, &mut canon, true) {
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
            let end = s
                .get(q..)
                .and_then(|r| {
                    r.iter()
                        .position(|&b| is_boundary(b) || b == b'?' || b == b'#')
                })
                .map_or(s.len(), |x| q + x);
            let path = s.get(q..end).unwrap_or_default();
            if let Some(reason) = self.judge_absolute(path, &mut canon, false) {
                return Some(Found::new("path.absolute", reason, q, end));
            }
        }
        None
    }

    /// Judges one absolute path; `whole` when it is the entire value.
    fn judge_absolute(
        &self,
        path: &[u8],
        canon: &mut Vec<u8>,
        whole: bool,
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
        if !whole {
            // Inside text (`cat /etc/passwd`, `include("/etc/shadow")`) only
            // credential files count: prose quotes system paths too.
            let rooted = drive || in_list(sh.first, HARD_ROOTS) || in_list(sh.first, WINDOWS_ROOTS);
            let jewel = in_list(sh.leaf, CROWN_JEWELS)
                || c.starts_with(b"/proc/self/")
                || c.starts_with(b"/dev/tcp/")
                || c.starts_with(b"/dev/udp/");
            return (rooted && jewel).then_some("absolute path to a system credential file");
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
        if in_list(sh.first, HARD_ROOTS) && (sh.count >= 2 || in_list(sh.first, &["etc", "proc"])) {
            return Some("absolute path under a system directory");
        }
        if sh.any_dir || sh.etc_inside || leaf_sensitive(sh.leaf) {
            return Some("absolute path to a sensitive file");
        }
        None
    }
}

/// A relative link to a static web asset (`../../img/logo.png` in HTML):
/// two or three plain climbs followed by a path to an image, stylesheet,
/// script or page. The exception never covers encodings, Tomcat `;`,
/// rooted paths, sensitive targets or the request path.
fn asset_link(s: &[u8], seg_end: usize, run: &Run, path_surface: bool) -> bool {
    const ASSETS: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "mjs", "map", "html",
        "htm", "pdf", "woff", "woff2", "ttf", "eot", "mp4", "mp3", "webm",
    ];
    if path_surface || run.encoded || run.tomcat || run.rooted || run.count > 3 {
        return false;
    }
    // Look at the rest of the token: more climbs or a target.
    let rest = s.get(seg_end..).unwrap_or_default();
    let end = rest
        .iter()
        .position(|&b| is_boundary(b))
        .unwrap_or(rest.len());
    let target = rest.get(..end).unwrap_or_default();
    let climbs = target
        .split(|&b| is_sep(b))
        .filter(|x| !x.is_empty())
        .take_while(|x| is_climb(x))
        .count();
    if run.count + climbs > 3 || relative_target_sensitive(target) {
        return false;
    }
    let leaf = target.rsplit(|&b| is_sep(b)).next().unwrap_or_default();
    leaf.iter()
        .rposition(|&b| b == b'.')
        .is_some_and(|p| p > 0 && in_list(leaf.get(p + 1..).unwrap_or_default(), ASSETS))
}

/// A run of climbing segments.
#[derive(Clone, Copy, Debug, Default)]
struct Run {
    count: usize,
    start: usize,
    encoded: bool,
    tomcat: bool,
    rooted: bool,
    /// A relative link to a static asset (see [`asset_link`]).
    asset: bool,
}

/// A finding before it is turned into a [`Hit`] (offsets in the stream).
#[derive(Clone, Copy, Debug)]
struct Found {
    rule: &'static str,
    reason: &'static str,
    start: usize,
    end: usize,
}

impl Found {
    fn new(rule: &'static str, reason: &'static str, start: usize, end: usize) -> Found {
        Found {
            rule,
            reason,
            start,
            end,
        }
    }
}

// Byte classes of a value (one pass, see [`classify`]).
const C_DOT: u16 = 1;
const C_DOTDOT: u16 = 1 << 1;
const C_SEP: u16 = 1 << 2;
const C_COLON: u16 = 1 << 3;
/// `%`, `0x`, NUL, control or non-ASCII bytes: needs lenient decoding.
const C_ENCODED: u16 = 1 << 4;
/// A dot next to a separator (`./`, `/.`): dot-segment padding.
const C_DOTSEG: u16 = 1 << 5;
/// `convert.` (a PHP filter-chain element).
const C_CONVERT: u16 = 1 << 6;
/// `.git`, `.ssh`, `.aws`, `.svn`, `-inf` (WEB-INF, META-INF).
const C_SDIR: u16 = 1 << 8;

/// What a value contains, in one pass: the cheap rejection (a path attack
/// needs a dot, a separator, a colon or an encoding) and the dispatch of
/// the checks.
fn classify(v: &[u8]) -> u16 {
    // Single bytes through a table, pairs only when the bytes they need are
    // present.
    let mut singles = 0u16;
    // `T_LINK2` when two adjacent bytes are both links (`..`, `.?`, `./`,
    // `/.`, `//`), and `T_X` after `T_ZERO` (`0x`), found in the same pass
    // with one shift: each checked bit sits one above a bit that only its
    // left partner carries (`T_LINK` below `T_LINK2`, `T_ZERO` below `T_X`).
    let mut pairs = 0u16;
    let mut prev_class = 0u16;
    for &b in v {
        let k = PATH_CLASS.get(usize::from(b)).copied().unwrap_or(0);
        singles |= k;
        pairs |= (prev_class << 1) & k;
        prev_class = k;
    }
    let mut c = singles & (C_DOT | C_SEP | C_COLON | C_ENCODED);
    if pairs & T_X != 0 {
        c |= C_ENCODED;
    }
    if singles & T_HIGH != 0 && v.windows(2).any(suspicious_utf8) {
        c |= C_ENCODED;
    }
    if (c & (C_DOT | C_SEP) != 0 || singles & T_QUESTION != 0) && pairs & T_LINK2 == 0 {
        // Fast path: no two adjacent bytes among `.`, `?`, `/`, `\`, so no
        // run of two dots or wildcards (`C_DOTDOT`) and no dot next to a
        // separator (`C_DOTSEG`); only the named directories and the
        // filter chain, which look at the bytes around each `.` and `-`,
        // remain (the same tests as the full loop below).
        if singles & T_WORD != 0 {
            for (i, &b) in v.iter().enumerate() {
                if b == b'.' || b == b'-' {
                    c |= dot_words(v, i, b);
                }
            }
        }
    } else if c & (C_DOT | C_SEP) != 0 || singles & T_QUESTION != 0 {
        let mut prev = 0u8;
        // Length of the current run of dots / `?`, and the byte before it.
        let mut run = 0usize;
        let mut before = 0u8;
        for (i, &b) in v.iter().enumerate() {
            if b == b'.' || b == b'?' {
                if run == 0 {
                    before = prev;
                }
                run += 1;
            } else if run > 0 {
                // A run of two or more that touches a separator or starts a
                // token can be a climb (`../`, `/..`, `..;`), an ellipsis in
                // a sentence (`wait... what`) cannot.
                if run >= 2 && (is_sep(b) || b == b';' || !before.is_ascii_alphanumeric()) {
                    c |= C_DOTDOT;
                }
                run = 0;
            }
            match b {
                b'.' => {
                    if prev == b'/' || prev == b'\\' {
                        c |= C_DOTSEG;
                    }
                    c |= dot_words(v, i, b);
                }
                b'-' => c |= dot_words(v, i, b),
                b'/' | b'\\' if prev == b'.' => c |= C_DOTSEG,
                _ => {}
            }
            prev = b;
        }
        if run >= 2 {
            c |= C_DOTDOT;
        }
    }
    c
}

/// The words [`classify`] recognises around the `.` or `-` at `v[i] == b`:
/// `.git`, `.ssh`, `.aws`, `.svn`, `-inf` (`C_SDIR`) and `convert.`
/// (`C_CONVERT`).
fn dot_words(v: &[u8], i: usize, b: u8) -> u16 {
    let mut c = 0;
    if b == b'.' {
        let next3 = v.get(i + 1..i + 4).unwrap_or_default();
        if [&b"git"[..], b"ssh", b"aws", b"svn"]
            .iter()
            .any(|d| next3.eq_ignore_ascii_case(d))
        {
            c |= C_SDIR;
        }
        let prev = i.checked_sub(1).and_then(|p| v.get(p)).copied();
        if prev == Some(b't') || prev == Some(b'T') {
            let start = i.saturating_sub(7);
            if i >= 7
                && v.get(start..i)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"convert"))
            {
                c |= C_CONVERT;
            }
        }
    } else if b == b'-'
        && v.get(i + 1..i + 4)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"inf"))
    {
        c |= C_SDIR;
    }
    c
}

/// Whether [`Stream::new`] would hand `v` back unchanged with nothing
/// marked decoded. Conservative: any byte a decoding pass or [`settle`]
/// could touch answers `false` — a `%` followed by an alphanumeric byte
/// (`%XX`, `%uXXXX`, `%2%f` all start so), `0x`/`0X`, NUL, control bytes,
/// DEL (the wildcard placeholder) and non-ASCII bytes.
fn decode_is_noop(v: &[u8]) -> bool {
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

// Table-only classes (cleared from the result).
/// `.`, `?`, `/` and `\`: two adjacent ones may form a climb or a
/// dot-segment (see the fast path in [`classify`]).
const T_LINK: u16 = 1 << 10;
/// Carried by the same bytes as `T_LINK`, one bit above it.
const T_LINK2: u16 = T_LINK << 1;
const T_ZERO: u16 = 1 << 7;
/// `x` / `X`: after a `0` (`T_ZERO << 1`) a hex literal (`0x2e`).
const T_X: u16 = 1 << 8;
/// `.` and `-`, around which [`dot_words`] looks.
const T_WORD: u16 = 1 << 9;
const T_QUESTION: u16 = 1 << 5;
const T_HIGH: u16 = 1 << 6;

/// Single-byte classes for [`classify`], built at compile time.
static PATH_CLASS: [u16; 256] = build_path_class();

// Indexing is evaluated by the compiler over 0..256 only.
#[allow(clippy::indexing_slicing)]
const fn build_path_class() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = match b {
            b'.' => C_DOT | T_LINK | T_LINK2 | T_WORD,
            b'/' | b'\\' => C_SEP | T_LINK | T_LINK2,
            b':' => C_COLON,
            b'%' | 0..=8 | 0x0b | 0x0c | 0x0e..=0x1f | 0x7f => C_ENCODED,
            b'x' | b'X' => T_X,
            b'-' => T_WORD,
            0x80..=0xff => T_HIGH,
            b'0' => T_ZERO,
            b'?' => T_QUESTION | T_LINK | T_LINK2,
            _ => 0,
        };
        i += 1;
    }
    t
}

/// Two bytes that start an overlong or look-alike encoding of a dot or a
/// slash (`C0 AE`, `E0 80`, `F0 80`, fullwidth `EF BC`, `E2 88` division
/// slash / set minus, `E2 81` fraction slash, `E2 80 A4` one-dot leader):
/// plain accented text (`C3 A9`) does not need the lenient decoder.
fn suspicious_utf8(w: &[u8]) -> bool {
    matches!(
        w,
        [0xc0 | 0xc1 | 0xf8..=0xff, _]
            | [0xe0, 0x80..=0x9f]
            | [0xf0, 0x80..=0x8f]
            | [0xef, 0xbc | 0xb9 | 0xbf | 0x80..=0x83]
            | [0xee, 0xbf]
            | [0xe2, 0x88 | 0x81 | 0x80]
    )
}

fn is_sep(b: u8) -> bool {
    b == b'/' || b == b'\\'
}

/// Bytes that end a path token (other than separators).
fn is_boundary(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'"'
            | b'\''
            | b'='
            | b'('
            | b')'
            | b','
            | b'<'
            | b'>'
            | b'|'
            | b'&'
            | b';'
            | b'`'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | 0
    )
}

/// A segment that climbs: two or more dots (Windows ignores extra dots),
/// with `?` wildcards counted as dots.
fn is_climb(seg: &[u8]) -> bool {
    let dots = seg.iter().filter(|&&b| b == b'.').count();
    let wild = seg.iter().filter(|&&b| b == b'?').count();
    seg.iter().all(|&b| matches!(b, b'.' | b'?' | b'%'))
        && dots + wild >= 2
        && (dots >= 1 || seg == b"??")
}

fn drive_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(|b| b.is_ascii_alphabetic())
        && s.get(i + 1) == Some(&b':')
        && !s
            .get(i + 2)
            .is_some_and(|b| b.is_ascii_alphanumeric() && i > 0)
        && s.get(i.wrapping_sub(1))
            .is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// Whether an absolute path starts at `p`: `/x`, `\x`, `C:\`, `C:/`, or a
/// drive-relative `c:boot.ini` at the start of the value.
fn starts_path(s: &[u8], p: usize) -> bool {
    match s.get(p) {
        Some(b'/' | b'\\') => s
            .get(p + 1)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || is_sep(b)),
        Some(b) if b.is_ascii_alphabetic() => {
            if s.get(p + 1) != Some(&b':') {
                return false;
            }
            if p > 0 && s.get(p - 1).is_some_and(|b| b.is_ascii_alphanumeric()) {
                return false;
            }
            match s.get(p + 2) {
                Some(b'/' | b'\\') => !matches!(s.get(p + 3), Some(b'/')),
                // `c:windows\win.ini`, `c:boot.ini` (drive-relative).
                Some(c) if c.is_ascii_alphabetic() && p == 0 => {
                    let rest = s.get(p + 2..).unwrap_or_default();
                    let word_end = rest
                        .iter()
                        .position(|b| {
                            !(b.is_ascii_alphanumeric()
                                || matches!(b, b'.' | b'_' | b'-' | b'/' | b'\\'))
                        })
                        .unwrap_or(rest.len());
                    let word = rest.get(..word_end).unwrap_or_default();
                    word.len() == rest.len()
                        && word.iter().any(|&b| matches!(b, b'.' | b'/' | b'\\'))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Lowercases, unifies separators to `/` and resolves `.` / `..`
/// segments into `out` (`/etc/../tmp/x` → `/tmp/x`).
fn canonicalize(path: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let lead = matches!(path.first(), Some(b'/' | b'\\'));
    if lead {
        out.push(b'/');
    }
    let base = out.len();
    for seg in path.split(|&b| is_sep(b)) {
        if seg.is_empty() || seg == b"." {
            continue;
        }
        if is_climb(seg) {
            // Pop the last segment (never above the root).
            let cut = out
                .get(base..)
                .and_then(|r| r.iter().rposition(|&b| b == b'/'))
                .map_or(base, |p| base + p);
            out.truncate(cut);
            continue;
        }
        if out.len() > base {
            out.push(b'/');
        }
        out.extend(seg.iter().map(|b| b.to_ascii_lowercase()));
    }
    // Trailing blanks, NUL remnants and `~` backups do not change the file.
    while matches!(out.last(), Some(b' ' | b'~' | b'.')) && out.len() > 1 {
        out.pop();
    }
}

/// `path` is `dir` or below it.
fn under(path: &[u8], dir: &[u8]) -> bool {
    path.starts_with(dir) && matches!(path.get(dir.len()), None | Some(b'/')) && !dir.is_empty()
}

fn in_list(x: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(x))
}

/// First segments of absolute paths that are file-system roots, never URL
/// routes.
const HARD_ROOTS: &[&str] = &[
    "etc",
    "proc",
    "sys",
    "dev",
    "usr",
    "var",
    "bin",
    "sbin",
    "boot",
    "root",
    "opt",
    "winnt",
    "inetpub",
    "xampp",
    "wamp",
    "program files",
    "program files (x86)",
    "programfiles",
    "documents and settings",
    "system volume information",
    "$recycle.bin",
];

/// First segments that are Windows system directories.
const WINDOWS_ROOTS: &[&str] = &["windows", "winnt", "inetpub", "boot.ini"];

/// First segments of drive paths that hold server software (`C:\xampp`,
/// `C:\php5\sessions`, `D:\AppServ\MySQL`), matched as prefixes.
const SERVER_DIR_PREFIXES: &[&str] = &[
    "xampp", "wamp", "apache", "php", "mysql", "appserv", "nginx", "tomcat", "jboss", "minint",
    "inetpub", "iis", "unattend",
];

fn server_dir(seg: &[u8]) -> bool {
    SERVER_DIR_PREFIXES.iter().any(|p| {
        seg.len() >= p.len()
            && seg
                .get(..p.len())
                .is_some_and(|x| x.eq_ignore_ascii_case(p.as_bytes()))
    })
}

/// Directory names whose presence makes a path sensitive.
const SENSITIVE_DIRS: &[&str] = &[
    ".ssh", ".aws", ".gnupg", ".kube", ".docker", ".git", ".svn", ".hg", "web-inf", "meta-inf",
    "system32", "syswow64", "repair",
];

/// File names that are sensitive wherever they are.
const SENSITIVE_FILES: &[&str] = &[
    "passwd",
    "shadow",
    "group",
    "gshadow",
    "hosts",
    "issue",
    "motd",
    "fstab",
    "crontab",
    "sudoers",
    "environ",
    "cmdline",
    "mounts",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "authorized_keys",
    "known_hosts",
    ".bash_history",
    ".zsh_history",
    ".cshrc",
    ".forward",
    ".rhosts",
    ".shosts",
    ".xauthority",
    ".passwd",
    "master.passwd",
    ".sh_history",
    ".history",
    ".mysql_history",
    ".psql_history",
    ".bashrc",
    ".profile",
    ".bash_profile",
    ".htaccess",
    ".htpasswd",
    ".env",
    ".netrc",
    ".pgpass",
    ".npmrc",
    ".git-credentials",
    "credentials",
    "web.config",
    "web.xml",
    "boot.ini",
    "win.ini",
    "system.ini",
    "php.ini",
    "my.ini",
    "my.cnf",
    "httpd.conf",
    "apache2.conf",
    "nginx.conf",
    "access_log",
    "error_log",
    "access.log",
    "error.log",
    "accesslog",
    "errorlog",
    "sam",
    "ntuser.dat",
    "unattend.xml",
    "unattended.xml",
    "sysprep.xml",
    "sysprep.inf",
    "applicationhost.config",
    "global.asa",
    "wp-config.php",
    "config.inc.php",
    "config.inc",
    "settings.php",
    "database.yml",
    "secrets.yml",
    "lastlog",
    "wtmp",
    "utmp",
    "btmp",
];

/// Credential files flagged even inside longer text.
const CROWN_JEWELS: &[&str] = &[
    "passwd",
    "shadow",
    "gshadow",
    "master.passwd",
    "sudoers",
    "environ",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "authorized_keys",
    ".bash_history",
    ".htpasswd",
    "win.ini",
    "boot.ini",
    "sam",
];

/// File extensions of configuration and log files.
const SENSITIVE_EXT: &[&str] = &[
    "ini", "conf", "cnf", "log", "htaccess", "htpasswd", "pem", "key", "sav",
];

fn leaf_sensitive(leaf: &[u8]) -> bool {
    if leaf.is_empty() {
        return false;
    }
    if in_list(leaf, SENSITIVE_FILES) {
        return true;
    }
    match leaf.iter().rposition(|&b| b == b'.') {
        Some(p) if p > 0 => in_list(leaf.get(p + 1..).unwrap_or_default(), SENSITIVE_EXT),
        _ => false,
    }
}

/// The segment without leading dots (`....web-inf` → `web-inf`) and with
/// one leading dot kept (`...htaccess` → `.htaccess`).
fn dot_forms(x: &[u8]) -> (&[u8], &[u8]) {
    let dots = x.iter().take_while(|&&b| b == b'.').count();
    let bare = x.get(dots..).unwrap_or_default();
    let one = x.get(dots.saturating_sub(1)..).unwrap_or_default();
    (bare, one)
}

/// Whether the relative path reached after a climb is sensitive
/// (`etc/passwd`, `windows/win.ini`, `WEB-INF/web.xml`, `boot.ini`).
fn relative_target_sensitive(target: &[u8]) -> bool {
    let mut first = true;
    let mut leaf: &[u8] = &[];
    for seg in target.split(|&b| is_sep(b)) {
        if seg.is_empty() || seg == b"." {
            continue;
        }
        let (bare, one) = dot_forms(seg);
        if first
            && (in_list(bare, HARD_ROOTS)
                || in_list(bare, WINDOWS_ROOTS)
                || in_list(bare, SENSITIVE_DIRS))
        {
            return true;
        }
        first = false;
        if in_list(bare, SENSITIVE_DIRS) || in_list(one, SENSITIVE_DIRS) {
            return true;
        }
        leaf = seg;
    }
    let (bare, one) = dot_forms(leaf);
    leaf_sensitive(leaf) || leaf_sensitive(bare) || leaf_sensitive(one)
}

/// Shape of a canonical path: first and last segment, segment count and
/// whether a sensitive directory occurs (drive letters skipped).
struct Shape<'p> {
    first: &'p [u8],
    leaf: &'p [u8],
    count: usize,
    any_dir: bool,
    /// An `etc` directory below the first segment (`/private/etc/…`).
    etc_inside: bool,
}

fn shape(c: &[u8]) -> Shape<'_> {
    let mut sh = Shape {
        first: &[],
        leaf: &[],
        count: 0,
        any_dir: false,
        etc_inside: false,
    };
    for x in c.split(|&b| b == b'/') {
        if x.is_empty() || (x.len() == 2 && x.get(1) == Some(&b':')) {
            continue;
        }
        if sh.count == 0 {
            sh.first = x;
        } else if sh.leaf == b"etc" && sh.count >= 2 {
            sh.etc_inside = true;
        }
        sh.leaf = x;
        sh.count += 1;
        sh.any_dir |= in_list(x, SENSITIVE_DIRS);
    }
    sh
}

/// PHP and Java stream wrappers, and PHP filter-chain elements
/// (`convert.iconv.UTF8.CP930`, `convert.base64-decode`).
fn wrapper(s: &[u8]) -> Option<Found> {
    for pat in [&b"convert.iconv."[..], b"convert.base64-"] {
        if let Some(p) = s
            .windows(pat.len())
            .position(|w| w.eq_ignore_ascii_case(pat))
        {
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
            after.len() >= 5
                && after
                    .get(..5)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"file:"))
                || slashes
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

/// Relative references to sensitive files: into a sensitive directory
/// anywhere (`WEB-INF/web.xml`, `.git/config`, `.ssh/id_rsa`), or a value
/// that is a system file named from the root (`etc/passwd`,
/// `windows/win.ini`) or a sensitive dot-file (`.htaccess`).
fn sensitive_relative(s: &[u8], dirs: bool) -> Option<Found> {
    const DIRS: &[&str] = &["web-inf", "meta-inf", ".git", ".ssh", ".aws", ".svn"];
    let mut seg_start = 0;
    let scan = if dirs { s } else { &[][..] };
    for (i, &b) in scan.iter().enumerate() {
        if is_sep(b) {
            let seg = s.get(seg_start..i).unwrap_or_default();
            let (bare, one) = dot_forms(seg);
            let after = s
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.');
            if after && (in_list(seg, DIRS) || in_list(bare, DIRS) || in_list(one, DIRS)) {
                return Some(Found::new(
                    "path.sensitive_file",
                    "reference into a sensitive directory (WEB-INF, .git, .ssh)",
                    seg_start,
                    s.len(),
                ));
            }
            seg_start = i + 1;
        } else if is_boundary(b) {
            seg_start = i + 1;
        }
    }
    // The whole value as a relative path.
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .position(|&b| b == 0 || b == b'?' || b == b'#')
        .unwrap_or(s.len());
    let v = s.get(start..end.max(start)).unwrap_or_default();
    if v.iter().any(|&b| is_boundary(b)) {
        return None;
    }
    // Only a system root first (`etc/…`) or a dot-file can match.
    let lead = v.iter().take_while(|&&b| b == b'.' || is_sep(b)).count();
    let rest = v.get(lead..).unwrap_or_default();
    let first_end = rest.iter().position(|&b| is_sep(b)).unwrap_or(rest.len());
    let first = rest.get(..first_end).unwrap_or_default();
    let dot_leaf = v
        .rsplit(|&b| is_sep(b))
        .next()
        .is_some_and(|l| l.first() == Some(&b'.'));
    if !(v.first() == Some(&b'.')
        || dot_leaf
        || in_list(first, HARD_ROOTS)
        || in_list(first, WINDOWS_ROOTS))
    {
        return None;
    }
    let mut canon = Vec::new();
    canonicalize(v, &mut canon);
    let sh = shape(&canon);
    let hit = (sh.count >= 2
        && (in_list(sh.first, HARD_ROOTS) || in_list(sh.first, WINDOWS_ROOTS))
        && leaf_sensitive(sh.leaf))
        || (sh.leaf.first() == Some(&b'.') && in_list(sh.leaf, SENSITIVE_FILES));
    hit.then(|| {
        Found::new(
            "path.sensitive_file",
            "relative path naming a system file",
            start,
            end.max(start),
        )
    })
}

/// Whether the value could be base64 of a path: only base64 characters,
/// padded length, decoding to `.`/`/`/a letter first (`Li4v` = `../`,
/// `L2V0` = `/et`).
fn looks_base64(v: &[u8]) -> bool {
    v.len() >= 8
        && v.len() <= 4096
        && v.len() % 4 == 0
        && matches!(
            v.first(),
            Some(b'L' | b'Z' | b'X' | b'Y' | b'Q' | b'R' | b'U' | b'V')
        )
        && v.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        && v.iter()
            .any(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// Decodes standard or URL-safe base64; `None` on other characters.
fn base64_decode(v: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(v.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &b in v {
        let d = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(d);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A base64 value that decodes to a path attack (`Li4vLi4v…` = `../../`,
/// `L2V0Yy9wYXNzd2Q=` = `/etc/passwd`).
fn base64_path(t: &Traversal, v: &[u8]) -> Option<Found> {
    if !looks_base64(v) {
        return None;
    }
    let decoded = base64_decode(v)?;
    if !decoded
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) || b == 0 || b == b'\t')
    {
        return None;
    }
    let inner = Stream::new(&decoded);
    let found = t
        .climbs(&inner, false)
        .or_else(|| t.absolute(&inner.bytes))
        .or_else(|| sensitive_relative(&inner.bytes, true))?;
    Some(Found::new(
        found.rule,
        "base64-encoded path to a sensitive file or parent directory",
        0,
        v.len(),
    ))
}

/// The value as a path reader sees it: encodings peeled, with a map back
/// to the original offsets.
struct Stream<'a> {
    bytes: Cow<'a, [u8]>,
    /// For each byte: source offset, with [`DECODED`] set when it came from
    /// an escape. `None` when nothing was decoded.
    map: Option<Vec<u32>>,
    len: usize,
}

const DECODED: u32 = 1 << 31;

impl<'a> Stream<'a> {
    /// A value with nothing to decode.
    fn plain(v: &'a [u8]) -> Stream<'a> {
        Stream {
            bytes: Cow::Borrowed(v),
            map: None,
            len: v.len(),
        }
    }

    fn new(v: &'a [u8]) -> Stream<'a> {
        let needs = v.iter().any(|&b| b == b'%' || b == 0 || b >= 0x80)
            || v.windows(2).any(|w| w.eq_ignore_ascii_case(b"0x"));
        if !needs || v.len() > (1 << 30) {
            return Stream {
                bytes: Cow::Borrowed(v),
                map: None,
                len: v.len(),
            };
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
    fn decoded(&self, a: usize, b: usize) -> bool {
        match &self.map {
            None => false,
            Some(m) => m
                .get(a..b.min(m.len()))
                .is_some_and(|r| r.iter().any(|&x| x & DECODED != 0)),
        }
    }

    fn src(&self, i: usize) -> usize {
        match &self.map {
            None => i.min(self.len),
            Some(m) => m
                .get(i)
                .map_or(self.len, |&x| (x & !DECODED) as usize)
                .min(self.len),
        }
    }

    fn hit(&self, f: Found) -> Hit {
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

/// The value of a hex digit as lenient decoders compute it (IIS accepted
/// any letter: `%c0%qf` is `%c0%af`).
fn lenient_hex(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 10),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

fn strict_hex(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'f' => Some(u32::from(c - b'a') + 10),
        b'A'..=b'F' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
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

/// Sensitive-path test shared with the command-injection detector: is
/// `word` an absolute path under a system root or to a sensitive file?
pub(crate) fn is_sensitive_path(word: &[u8]) -> bool {
    let p = word
        .iter()
        .position(|&b| !matches!(b, b'"' | b'\''))
        .unwrap_or(word.len());
    let w = word.get(p..).unwrap_or_default();
    if w == b"/" {
        return true;
    }
    if !starts_path(w, 0) {
        return false;
    }
    let mut canon = Vec::new();
    canonicalize(w, &mut canon);
    if canon.starts_with(b"/dev/tcp") || canon.starts_with(b"/dev/udp") {
        return true;
    }
    let sh = shape(&canon);
    in_list(sh.first, HARD_ROOTS)
        || in_list(sh.first, WINDOWS_ROOTS)
        || sh.any_dir
        || leaf_sensitive(sh.leaf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det() -> Traversal {
        Traversal::compile(&TraversalConfig::default(), "path_traversal")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn fixtures() {
        let t = det();
        let ctx = ValueCtx::value(Surface::Query);
        crate::engine::detect::fixtures::check(
            include_str!("../../../tests/fixtures/path_traversal.jsonl"),
            true,
            |v, _| t.detect(v.as_bytes(), &ctx),
        );
    }

    #[test]
    fn request_path_any_climb() {
        let t = det();
        let ctx = ValueCtx::value(Surface::Path);
        assert!(t.detect(b"/static/../secret.txt", &ctx).is_some());
        assert!(t.detect(b"/static/app.js", &ctx).is_none());
        assert!(t.detect(b"/etc/passwd", &ctx).is_none());
    }

    #[test]
    fn whitelist_and_config() {
        let cfg = TraversalConfig {
            whitelist: vec!["/srv/files/".into()],
            ..TraversalConfig::default()
        };
        let t = Traversal::compile(&cfg, "path_traversal").unwrap().unwrap();
        let ctx = ValueCtx::value(Surface::Query);
        assert!(t.detect(b"/srv/files/a.log", &ctx).is_none());
        assert!(t.detect(b"/tmp/x.log", &ctx).is_some());
        assert!(t.detect(b"/srv/files/../../etc/hosts", &ctx).is_some());
        let bad = TraversalConfig {
            whitelist: vec!["data".into()],
            ..TraversalConfig::default()
        };
        let err = Traversal::compile(&bad, "path_traversal").unwrap_err();
        assert_eq!(err.field(), "path_traversal.whitelist[0]");
        let strict = TraversalConfig {
            allow_single_parent: false,
            ..TraversalConfig::default()
        };
        let t = Traversal::compile(&strict, "path_traversal")
            .unwrap()
            .unwrap();
        assert!(t.detect(b"../img/a.png", &ctx).is_some());
        let off = TraversalConfig {
            action: Action::Off,
            ..TraversalConfig::default()
        };
        assert!(Traversal::compile(&off, "path_traversal")
            .unwrap()
            .is_none());
    }

    #[test]
    fn adversarial_inputs_are_linear() {
        let t = det();
        let ctx = ValueCtx::value(Surface::Query);
        for unit in [
            &b"%"[..],
            b"%c0",
            b"/",
            b"./",
            b"a/",
            b"%25",
            b"0x",
            b" /e",
            b"\xc0",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let start = std::time::Instant::now();
            let _ = t.detect(&v, &ctx);
            assert!(start.elapsed().as_secs_f64() < 2.0, "{unit:?} too slow");
        }
    }
}
