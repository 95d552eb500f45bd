//! Requests for secrets and source by path: VCS metadata, credentials,
//! backups and dumps, server configuration, editor and coding-agent
//! folders.
//!
//! This is not path traversal: nothing climbs. The request's own path names
//! a file that a web server should never hand out but often does, because
//! a deployment copied the working tree (`/.git/config`, `/.env`,
//! `/.vscode/sftp.json`, `/.claude/settings.json`) or left a backup next to
//! the code (`/index.php.bak`, `/backup.sql.gz`, `/www.zip`). Scanners ask
//! for these on every site, so a request for one is reconnaissance or a
//! leak about to happen.
//!
//! The path is canonicalised the way servers resolve it before the names
//! are compared: percent-decoding (and the engine's other encodings), `\`
//! as `/`, `.` and `..` segments resolved, empty segments dropped, path
//! parameters (`/.git;x/config`, read by servlet containers as `.git`),
//! trailing dots and spaces and NTFS `::$DATA` (Windows servers ignore
//! them) removed. Names compare case-insensitively (case-insensitive file
//! systems serve `/.GIT/config`).
//!
//! | rule | what the path names | examples |
//! |---|---|---|
//! | `sensitive_path.vcs` | version-control metadata and file listings | `.git`, `.svn`, `.hg`, `.bzr`, `_darcs`, `CVS/Entries`, `.DS_Store` |
//! | `sensitive_path.secrets` | credentials and environment files | `.env`, `.env.local`, `.aws`, `.ssh`, `id_rsa`, `.htpasswd`, `.npmrc`, `.netrc`, `.git-credentials`, `.docker`, `.kube`, `*.tfstate`, shell histories, `etc/passwd` anywhere in the path (dev servers that serve the file system: `/@fs/etc/passwd`) |
//! | `sensitive_path.backup` | backups, editor leftovers and database dumps | `*.bak`, `*.old`, `*.orig`, `*.swp`, `*~`, `*.sql`, `*.sql.gz`, `*.sqlite`, archives named like a backup (`backup.zip`, `www.tar.gz`, `db-2024-01-01.tgz`) |
//! | `sensitive_path.server_config` | server and application configuration, logs | `WEB-INF`, `META-INF`, `.htaccess`, `web.config`, `.user.ini`, `php.ini`, `httpd.conf`, `nginx.conf`, `docker-compose.yml`, `*.log` (`/wp-content/debug.log`) |
//! | `sensitive_path.editor_config` | IDE and coding-agent folders | `.idea`, `.vscode`, `.vs`, `.history`, `nbproject`, `.claude`, `.cursor`, `.cursorrules`, `.continue`, `.aider*`, `.windsurf`, `.codex`, `.gemini`, `.mcp.json`, … |
//! | `sensitive_path.custom` | a pattern from `extra` | |
//!
//! A name matches a segment equal to it or starting with it followed by
//! `.` or `~` (`.env.production`, `web.config.bak`), for names that start
//! with a dot also `-` or `_` (`.env-prod`), so `/environment`, `/api/v1/git/commits`,
//! `/static/app.env.js`, `/.github/` and `/.well-known/` pass.
//!
//! Known trade-off: applications that serve repository files by path (code
//! browsers, documentation generators) have such names as data
//! (`/org/repo/blob/main/.vscode/settings.json`): list their routes in
//! `exempt_prefixes` or turn the category off.
//!
//! ```
//! use envoy_rasp::engine::detect::sensitive_path::{SensitivePath, SensitivePathConfig};
//!
//! let d = SensitivePath::compile(&SensitivePathConfig::default(), "sensitive_path")
//!     .unwrap()
//!     .unwrap();
//! assert_eq!(d.detect_path(b"/.git/config").unwrap().rule, "sensitive_path.vcs");
//! assert_eq!(d.detect_path(b"/app/%2Eenv").unwrap().rule, "sensitive_path.secrets");
//! assert_eq!(d.detect_path(b"/backup.sql.gz").unwrap().rule, "sensitive_path.backup");
//! assert_eq!(d.detect_path(b"/.claude/settings.json").unwrap().rule, "sensitive_path.editor_config");
//! assert!(d.detect_path(b"/environment").is_none());
//! assert!(d.detect_path(b"/api/v1/git/commits").is_none());
//! assert!(d.detect_path(b"/static/app.env.js").is_none());
//! ```

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::Hit;
use crate::engine::decode::normalize;
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

/// Configuration section `sensitive_path`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SensitivePathConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Flag version-control metadata and file listings (`.git`, `.svn`,
    /// `.hg`, `.bzr`, `_darcs`, `CVS/Entries`, `.DS_Store`). Default true.
    pub vcs: bool,
    /// Flag credential and environment files (`.env*`, `.aws`, `.ssh`,
    /// private keys, `.htpasswd`, `.npmrc`, `.netrc`, `.docker`, `.kube`,
    /// Terraform state, shell histories, `etc/passwd`). Default true.
    pub secrets: bool,
    /// Flag backups, editor leftovers and dumps (`*.bak`, `*.old`,
    /// `*.orig`, `*.swp`, `*~`, `*.sql`, `*.sql.gz`, `*.sqlite`, archives
    /// named `backup`, `www`, `htdocs`, `db`, `site`, …). Default true.
    /// Turn off if the site publishes SQL files or archives with such names.
    pub backups: bool,
    /// Flag server and application configuration and logs (`WEB-INF`,
    /// `META-INF`, `.htaccess`, `web.config`, `.user.ini`, `php.ini`,
    /// `httpd.conf`, `nginx.conf`, `docker-compose.yml`, `*.log`).
    /// Default true.
    pub server_config: bool,
    /// Flag IDE and coding-agent folders and files (`.idea`, `.vscode`,
    /// `.vs`, `.history`, `nbproject`, `.claude`, `.cursor`, `.cursorrules`,
    /// `.continue`, `.aider*`, `.windsurf`, `.codex`, `.gemini`, `.junie`,
    /// `.kiro`, `.cline`, `.roo`, `.mcp.json`, …). Default true.
    pub editor_config: bool,
    /// More patterns, reported as `sensitive_path.custom`: `name` (a path
    /// segment, also with a `.`/`~` suffix, and `-`/`_` for dot names), `dir/name` (consecutive
    /// segments) or `*.ext` (the last segment ends with `.ext`).
    /// Case-insensitive. Default empty.
    pub extra: Vec<String>,
    /// Canonical path prefixes (starting with `/`, case-sensitive) under
    /// which nothing is flagged, e.g. the routes of a code browser that
    /// serves repository files. Default empty.
    pub exempt_prefixes: Vec<String>,
}

impl Default for SensitivePathConfig {
    fn default() -> Self {
        SensitivePathConfig {
            action: Action::Block,
            sensitivity: None,
            vcs: true,
            secrets: true,
            backups: true,
            server_config: true,
            editor_config: true,
            extra: Vec::new(),
            exempt_prefixes: Vec::new(),
        }
    }
}

/// What a pattern names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Category {
    Vcs,
    Secrets,
    Backup,
    ServerConfig,
    EditorConfig,
    Custom,
}

impl Category {
    fn rule(self) -> &'static str {
        match self {
            Category::Vcs => "sensitive_path.vcs",
            Category::Secrets => "sensitive_path.secrets",
            Category::Backup => "sensitive_path.backup",
            Category::ServerConfig => "sensitive_path.server_config",
            Category::EditorConfig => "sensitive_path.editor_config",
            Category::Custom => "sensitive_path.custom",
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Category::Vcs => "request for version-control metadata (source code and history)",
            Category::Secrets => "request for a credential or environment file",
            Category::Backup => "request for a backup, editor leftover or database dump",
            Category::ServerConfig => "request for server or application configuration or a log",
            Category::EditorConfig => "request for an IDE or coding-agent configuration folder",
            Category::Custom => "request for a path listed in sensitive_path.extra",
        }
    }
}

/// A compiled pattern: lowercase.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pattern {
    /// A segment equal to the name or starting with it and a variant mark.
    Name(Vec<u8>),
    /// Consecutive segments, each equal to its part.
    Seq(Vec<Vec<u8>>),
    /// The last segment ends with this (and is longer).
    Suffix(Vec<u8>),
}

/// The built-in patterns, in the pattern syntax of `extra`.
const BUILTIN: &[(&str, Category)] = &[
    (".git", Category::Vcs),
    (".svn", Category::Vcs),
    (".hg", Category::Vcs),
    (".bzr", Category::Vcs),
    ("_darcs", Category::Vcs),
    ("cvs/entries", Category::Vcs),
    ("cvs/root", Category::Vcs),
    ("cvs/repository", Category::Vcs),
    (".ds_store", Category::Vcs),
    (".env", Category::Secrets),
    (".envrc", Category::Secrets),
    (".aws", Category::Secrets),
    (".azure", Category::Secrets),
    (".config/gcloud", Category::Secrets),
    (".ssh", Category::Secrets),
    (".gnupg", Category::Secrets),
    ("id_rsa", Category::Secrets),
    ("id_dsa", Category::Secrets),
    ("id_ecdsa", Category::Secrets),
    ("id_ed25519", Category::Secrets),
    (".htpasswd", Category::Secrets),
    (".htdigest", Category::Secrets),
    (".npmrc", Category::Secrets),
    (".pypirc", Category::Secrets),
    (".netrc", Category::Secrets),
    ("_netrc", Category::Secrets),
    (".pgpass", Category::Secrets),
    (".my.cnf", Category::Secrets),
    (".git-credentials", Category::Secrets),
    (".gitconfig", Category::Secrets),
    (".docker", Category::Secrets),
    (".dockercfg", Category::Secrets),
    (".kube", Category::Secrets),
    (".vault-token", Category::Secrets),
    (".boto", Category::Secrets),
    (".s3cfg", Category::Secrets),
    (".terraform", Category::Secrets),
    ("*.tfstate", Category::Secrets),
    ("*.tfstate.backup", Category::Secrets),
    (".bash_history", Category::Secrets),
    (".zsh_history", Category::Secrets),
    (".sh_history", Category::Secrets),
    (".mysql_history", Category::Secrets),
    (".psql_history", Category::Secrets),
    (".python_history", Category::Secrets),
    (".node_repl_history", Category::Secrets),
    (".rediscli_history", Category::Secrets),
    (".n8n", Category::Secrets),
    ("etc/passwd", Category::Secrets),
    ("etc/shadow", Category::Secrets),
    ("proc/self/environ", Category::Secrets),
    ("config/master.key", Category::Secrets),
    ("config/secrets.yml", Category::Secrets),
    ("config/database.yml", Category::Secrets),
    ("privkey.pem", Category::Secrets),
    ("server.key", Category::Secrets),
    ("*.sql", Category::Backup),
    ("*.sql.gz", Category::Backup),
    ("*.sql.zip", Category::Backup),
    ("*.sql.bz2", Category::Backup),
    ("*.sql.xz", Category::Backup),
    ("*.sql.zst", Category::Backup),
    ("*.sql.7z", Category::Backup),
    ("*.sql.tar", Category::Backup),
    ("*.sql.tar.gz", Category::Backup),
    ("*.sql.tgz", Category::Backup),
    ("*.sqlite", Category::Backup),
    ("*.sqlite3", Category::Backup),
    ("*.bak", Category::Backup),
    ("*.backup", Category::Backup),
    ("*.bkp", Category::Backup),
    ("*.old", Category::Backup),
    ("*.orig", Category::Backup),
    ("*.save", Category::Backup),
    ("*.swp", Category::Backup),
    ("*.swo", Category::Backup),
    ("*~", Category::Backup),
    ("web-inf", Category::ServerConfig),
    ("meta-inf", Category::ServerConfig),
    (".htaccess", Category::ServerConfig),
    ("web.config", Category::ServerConfig),
    (".user.ini", Category::ServerConfig),
    ("php.ini", Category::ServerConfig),
    ("httpd.conf", Category::ServerConfig),
    ("apache2.conf", Category::ServerConfig),
    ("nginx.conf", Category::ServerConfig),
    ("docker-compose.yml", Category::ServerConfig),
    ("docker-compose.yaml", Category::ServerConfig),
    ("*.log", Category::ServerConfig),
    (".idea", Category::EditorConfig),
    (".vscode", Category::EditorConfig),
    (".vs", Category::EditorConfig),
    (".fleet", Category::EditorConfig),
    (".history", Category::EditorConfig),
    (".settings", Category::EditorConfig),
    ("nbproject", Category::EditorConfig),
    ("*.sublime-project", Category::EditorConfig),
    ("*.sublime-workspace", Category::EditorConfig),
    (".claude", Category::EditorConfig),
    (".cursor", Category::EditorConfig),
    (".cursorrules", Category::EditorConfig),
    (".cursorignore", Category::EditorConfig),
    (".continue", Category::EditorConfig),
    (".aider", Category::EditorConfig),
    (".windsurf", Category::EditorConfig),
    (".windsurfrules", Category::EditorConfig),
    (".codex", Category::EditorConfig),
    (".gemini", Category::EditorConfig),
    (".junie", Category::EditorConfig),
    (".kiro", Category::EditorConfig),
    (".cline", Category::EditorConfig),
    (".clinerules", Category::EditorConfig),
    (".roo", Category::EditorConfig),
    (".zed", Category::EditorConfig),
    (".amazonq", Category::EditorConfig),
    (".opencode", Category::EditorConfig),
    (".rovodev", Category::EditorConfig),
    (".plandex", Category::EditorConfig),
    (".aiignore", Category::EditorConfig),
    (".mcp.json", Category::EditorConfig),
];

/// Archive extensions: an archive is a backup when its stem says so.
const ARCHIVES: &[&str] = &[
    ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tar", ".zip", ".rar", ".7z", ".gz",
    ".bz2", ".xz", ".zst",
];

/// Words in an archive's stem that name a backup (`site-backup.zip`).
const BACKUP_WORDS: &[&str] = &[
    "backup", "backups", "bak", "bkp", "dump", "wwwroot", "htdocs",
];

/// Whole stems that name a site or database copy (`www.zip`, `db.tgz`),
/// also with a date or number after them (`db-2024-01-01.tar.gz`).
const BACKUP_STEMS: &[&str] = &[
    "www",
    "web",
    "website",
    "site",
    "public_html",
    "html",
    "db",
    "database",
    "sql",
    "mysql",
    "old",
    "home",
    "root",
];

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct SensitivePath {
    action: Action,
    /// Name and sequence patterns, sorted by their first byte.
    names: Vec<(Pattern, Category)>,
    /// Bit set of those first bytes: a segment that starts with anything
    /// else (`api`, `v1`, `users`) is not compared at all.
    leads: [u64; 4],
    /// Suffix patterns.
    suffixes: Vec<(Pattern, Category)>,
    /// Judge archives by their stem.
    archives: bool,
    exempt: Vec<String>,
}

fn parse_pattern(p: &str) -> Option<Pattern> {
    let p = p.trim().trim_matches('/').to_ascii_lowercase();
    if p.is_empty() || p.len() > 128 || p.bytes().any(|b| b < 0x21 || b == 0x7f || b == b'\\') {
        return None;
    }
    if let Some(s) = p.strip_prefix('*') {
        // `*.ext` (and the built-in `*~`): the suffix check only runs on
        // last segments with a `.` or a final `~`.
        let shaped = (s.starts_with('.') && s.len() > 1) || s == "~";
        if !shaped || s.contains('/') || s.contains('*') {
            return None;
        }
        return Some(Pattern::Suffix(s.as_bytes().to_vec()));
    }
    if p.contains('*') {
        return None;
    }
    let parts: Vec<Vec<u8>> = p.split('/').map(|s| s.as_bytes().to_vec()).collect();
    if parts
        .iter()
        .any(|s| s.is_empty() || s == b"." || s == b"..")
    {
        return None;
    }
    if parts.len() == 1 {
        return parts.into_iter().next().map(Pattern::Name);
    }
    Some(Pattern::Seq(parts))
}

fn pattern_len(p: &Pattern) -> usize {
    match p {
        Pattern::Name(n) | Pattern::Suffix(n) => n.len(),
        Pattern::Seq(s) => s.iter().map(|n| n.len() + 1).sum(),
    }
}

fn first_byte(p: &Pattern) -> u8 {
    match p {
        Pattern::Name(n) => n.first().copied().unwrap_or(0),
        Pattern::Seq(s) => s.first().and_then(|n| n.first()).copied().unwrap_or(0),
        Pattern::Suffix(_) => 0,
    }
}

impl SensitivePath {
    /// Compiles the section; `None` when the action is `off`. Invalid
    /// `extra` patterns and exempt prefixes that do not start with `/` are
    /// errors naming the entry.
    pub fn compile(
        cfg: &SensitivePathConfig,
        field: &str,
    ) -> Result<Option<SensitivePath>, ConfigError> {
        let on = |c: Category| match c {
            Category::Vcs => cfg.vcs,
            Category::Secrets => cfg.secrets,
            Category::Backup => cfg.backups,
            Category::ServerConfig => cfg.server_config,
            Category::EditorConfig => cfg.editor_config,
            Category::Custom => true,
        };
        let mut all = Vec::new();
        for &(p, c) in BUILTIN {
            if let (true, Some(pat)) = (on(c), parse_pattern(p)) {
                all.push((pat, c));
            }
        }
        for (i, p) in cfg.extra.iter().enumerate() {
            let pat = parse_pattern(p).ok_or_else(|| {
                ConfigError::new(
                    format!("{field}.extra[{i}]"),
                    format!(
                        "{p:?} is not a pattern: `name`, `dir/name` or `*.ext` (no spaces, `\\`, `.` or `..` segments)"
                    ),
                )
            })?;
            all.push((pat, Category::Custom));
        }
        let mut exempt = Vec::with_capacity(cfg.exempt_prefixes.len());
        for (i, p) in cfg.exempt_prefixes.iter().enumerate() {
            if !p.starts_with('/') {
                return Err(ConfigError::new(
                    format!("{field}.exempt_prefixes[{i}]"),
                    format!("must start with '/', got {p:?}"),
                ));
            }
            exempt.push(p.clone());
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        let (mut names, suffixes): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|(p, _)| !matches!(p, Pattern::Suffix(_)));
        // Grouped by first byte; within a group the longest name first, so
        // `.git-credentials` is a secret before it is a `.git` variant.
        names.sort_by_key(|(p, _)| (first_byte(p), std::cmp::Reverse(pattern_len(p))));
        let mut leads = [0u64; 4];
        for (p, _) in &names {
            let b = first_byte(p);
            if let Some(w) = leads.get_mut(usize::from(b / 64)) {
                *w |= 1 << (b % 64);
            }
        }
        Ok(Some(SensitivePath {
            action: cfg.action,
            names,
            leads,
            suffixes,
            archives: cfg.backups,
            exempt,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects the request's path (without the query string), as received
    /// or decoded. The span is the whole path: what matched is a name in
    /// the canonical form, not a range of the bytes given.
    pub fn detect_path(&self, path: &[u8]) -> Option<Hit> {
        let norm = normalize(path);
        let canon = canonicalize(&norm.bytes);
        if canon.segments.is_empty() {
            return None;
        }
        if !self.exempt.is_empty() {
            let text = String::from_utf8_lossy(&canon.text);
            if self.exempt.iter().any(|p| text.starts_with(p.as_str())) {
                return None;
            }
        }
        let cat = self.judge(&canon)?;
        Some(Hit::new(cat.rule(), cat.reason(), 0, path.len()))
    }

    fn judge(&self, c: &Canon) -> Option<Category> {
        let seg_at = |i: usize| -> Option<&[u8]> {
            let &(s, e) = c.segments.get(i)?;
            c.text.get(s..e)
        };
        for i in 0..c.segments.len() {
            let seg = seg_at(i)?;
            let lead = seg.first()?.to_ascii_lowercase();
            let known = self
                .leads
                .get(usize::from(lead / 64))
                .is_some_and(|w| w & (1 << (lead % 64)) != 0);
            if !known {
                continue;
            }
            let from = self.names.partition_point(|(p, _)| first_byte(p) < lead);
            let candidates = self.names.get(from..).unwrap_or_default();
            for (pat, cat) in candidates.iter().take_while(|(p, _)| first_byte(p) == lead) {
                let hit = match pat {
                    Pattern::Name(n) => name_matches(seg, n),
                    Pattern::Seq(parts) => parts.iter().enumerate().all(|(k, part)| {
                        seg_at(i + k).is_some_and(|s| s.eq_ignore_ascii_case(part))
                    }),
                    Pattern::Suffix(_) => false,
                };
                if hit {
                    return Some(*cat);
                }
            }
        }
        let last = seg_at(c.segments.len().checked_sub(1)?)?;
        if !last.contains(&b'.') && last.last() != Some(&b'~') {
            return None;
        }
        for (pat, cat) in &self.suffixes {
            if let Pattern::Suffix(s) = pat {
                if last.len() > s.len() && ends_with_fold(last, s) {
                    return Some(*cat);
                }
            }
        }
        if self.archives && backup_archive(last) {
            return Some(Category::Backup);
        }
        None
    }
}

/// `seg` is `name`, or `name` followed by a variant mark: `.` or `~`
/// (`web.config.bak`, `.env.local`, `.aider.conf.yml`), and for dot names
/// also `-` or `_` (`.env-prod`); `web-inf-explained` is another word.
fn name_matches(seg: &[u8], name: &[u8]) -> bool {
    let dot_name = name.first() == Some(&b'.');
    seg.len() >= name.len()
        && seg
            .get(..name.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(name))
        && seg
            .get(name.len())
            .is_none_or(|b| matches!(b, b'.' | b'~') || (dot_name && matches!(b, b'-' | b'_')))
}

fn ends_with_fold(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len()
        && s.get(s.len() - suffix.len()..)
            .is_some_and(|t| t.eq_ignore_ascii_case(suffix))
}

/// An archive whose stem names a backup or a copy of the site or database.
fn backup_archive(last: &[u8]) -> bool {
    let Some(ext) = ARCHIVES
        .iter()
        .find(|e| last.len() > e.len() && ends_with_fold(last, e.as_bytes()))
    else {
        return false;
    };
    let stem = last.get(..last.len() - ext.len()).unwrap_or_default();
    if stem.split(|b| !b.is_ascii_alphanumeric()).any(|w| {
        BACKUP_WORDS
            .iter()
            .any(|b| w.eq_ignore_ascii_case(b.as_bytes()))
    }) {
        return true;
    }
    // A whole stem (`www`, `public_html`), optionally followed by digits
    // only (`db-2024-01-01`, `site_2`).
    BACKUP_STEMS.iter().any(|s| {
        let s = s.as_bytes();
        stem.len() >= s.len()
            && stem
                .get(..s.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(s))
            && stem
                .get(s.len()..)
                .unwrap_or_default()
                .iter()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
    })
}

/// A canonical path: segments of `text`.
struct Canon {
    /// `/seg/seg…` with dot segments resolved.
    text: Vec<u8>,
    /// (start, end) of each segment in `text`.
    segments: Vec<(usize, usize)>,
}

/// Resolves a decoded path the way servers do before they open a file.
fn canonicalize(path: &[u8]) -> Canon {
    let mut c = Canon {
        text: Vec::with_capacity(path.len() + 1),
        segments: Vec::new(),
    };
    for raw in path.split(|&b| b == b'/' || b == b'\\') {
        // Path parameters end the name for servlet containers.
        let seg = raw.split(|&b| b == b';').next().unwrap_or_default();
        let seg = strip_suffix_fold(seg, b"::$data");
        // Windows ignores trailing dots and spaces (`web.config.`), but a
        // segment of dots is a dot segment.
        let trimmed = {
            let n = seg.len() - seg.iter().rev().take_while(|&&b| b == b' ').count();
            seg.get(..n).unwrap_or_default()
        };
        let seg = if trimmed.iter().all(|&b| b == b'.') {
            trimmed
        } else {
            let n = trimmed.len()
                - trimmed
                    .iter()
                    .rev()
                    .take_while(|&&b| b == b'.' || b == b' ')
                    .count();
            trimmed.get(..n).unwrap_or_default()
        };
        match seg {
            b"" | b"." => {}
            b".." => {
                if let Some((s, _)) = c.segments.pop() {
                    c.text.truncate(s.saturating_sub(1));
                }
            }
            s => {
                c.text.push(b'/');
                let start = c.text.len();
                c.text.extend_from_slice(s);
                c.segments.push((start, c.text.len()));
            }
        }
    }
    c
}

fn strip_suffix_fold<'a>(s: &'a [u8], suffix: &[u8]) -> &'a [u8] {
    if ends_with_fold(s, suffix) {
        s.get(..s.len() - suffix.len()).unwrap_or_default()
    } else {
        s
    }
}

impl Detector for SensitivePath {
    type Config = SensitivePathConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "Requests for VCS metadata, secrets, backups, server configuration and IDE / coding-agent folders by path (`/.git/config`, `/.env`, `/backup.sql.gz`, `/WEB-INF/web.xml`, `/.claude/settings.json`)."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("vcs", "Flag version-control metadata and file listings (.git, .svn, .hg, .bzr, CVS/Entries, .DS_Store)."),
        FieldNote::new("secrets", "Flag credential and environment files (.env*, .aws, .ssh, private keys, .htpasswd, .npmrc, .netrc, .docker, .kube, Terraform state, shell histories)."),
        FieldNote::new("backups", "Flag backups, editor leftovers and dumps (*.bak, *.old, *.swp, *~, *.sql, *.sql.gz, archives named backup, www, db, …)."),
        FieldNote::new("server_config", "Flag server and application configuration and logs (WEB-INF, META-INF, .htaccess, web.config, php.ini, nginx.conf, docker-compose.yml, *.log)."),
        FieldNote::new("editor_config", "Flag IDE and coding-agent folders and files (.idea, .vscode, .vs, .claude, .cursor, .continue, .aider*, .windsurf, .codex, .gemini, .mcp.json, …)."),
        FieldNote::new("extra", "More patterns, reported as sensitive_path.custom: `name` (a path segment), `dir/name` (consecutive segments) or `*.ext` (the last segment's ending). Case-insensitive."),
        FieldNote::new("extra[]", "A pattern."),
        FieldNote::new("exempt_prefixes", "Canonical path prefixes under which nothing is flagged (a code browser that serves repository files)."),
        FieldNote::new("exempt_prefixes[]", "A path prefix starting with `/`."),
    ];

    fn compile(
        cfg: &SensitivePathConfig,
        at: &FieldPath,
    ) -> Result<Option<SensitivePath>, ConfigErrors> {
        Ok(SensitivePath::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        SensitivePath::action(self)
    }

    /// Reads the whole path only (`detect_path`).
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::NEVER;
        NEEDS
    }

    fn detect_path(&self, path: &[u8]) -> Option<Hit> {
        SensitivePath::detect_path(self, path)
    }
}

#[cfg(test)]
mod tests;
