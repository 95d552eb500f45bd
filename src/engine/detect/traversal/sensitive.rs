//! Sensitive files and directories: system roots, credential and
//! configuration files, and the tests that name them (also used by the
//! command-injection detector through [`is_sensitive_path`]).

use super::bytes::{in_list, starts_ci};
use super::decode::Found;
use super::path::{canonicalize, is_boundary, is_sep, starts_path};

/// First segments of absolute paths that are file-system roots, never URL
/// routes.
pub(super) const HARD_ROOTS: &[&str] = &[
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
pub(super) const WINDOWS_ROOTS: &[&str] = &["windows", "winnt", "inetpub", "boot.ini"];

/// First segments of drive paths that hold server software (`C:\xampp`,
/// `C:\php5\sessions`, `D:\AppServ\MySQL`), matched as prefixes.
pub(super) const SERVER_DIR_PREFIXES: &[&str] = &[
    "xampp", "wamp", "apache", "php", "mysql", "appserv", "nginx", "tomcat", "jboss", "minint",
    "inetpub", "iis", "unattend",
];

pub(super) fn server_dir(seg: &[u8]) -> bool {
    SERVER_DIR_PREFIXES
        .iter()
        .any(|p| starts_ci(seg, p.as_bytes()))
}

/// Directory names whose presence makes a path sensitive.
pub(super) const SENSITIVE_DIRS: &[&str] = &[
    ".ssh", ".aws", ".gnupg", ".kube", ".docker", ".git", ".svn", ".hg", "web-inf", "meta-inf",
    "system32", "syswow64", "repair",
];

/// File names that are sensitive wherever they are.
pub(super) const SENSITIVE_FILES: &[&str] = &[
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

/// Sensitive file names that are also ordinary words of URL routes
/// (`/cls/hosts`, `/api/group`, `/things/lamp/shadow`, `/users/sam`):
/// evidence in an absolute path only under a system directory
/// (`/etc/hosts`, `/private/etc/group`).
pub(super) const ROUTE_WORDS: &[&str] = &[
    "hosts",
    "group",
    "issue",
    "motd",
    "mounts",
    "environ",
    "cmdline",
    "credentials",
    "sam",
    "shadow",
];

pub(super) fn route_word(leaf: &[u8]) -> bool {
    in_list(leaf, ROUTE_WORDS)
}

/// File extensions of page templates.
const VIEW_EXT: &[&str] = &[
    "jsp", "jspx", "jspf", "tag", "tagx", "ftl", "vm", "html", "htm", "xhtml",
];

/// A page template under `WEB-INF` / `META-INF` and no other sensitive
/// directory (`/WEB-INF/master.jsp`, `WEB-INF/views/home.jsp`): Java
/// applications keep the views they forward to there, and the path travels
/// in view names and analytics beacons. What an inclusion is after there is
/// the deployment descriptor, configuration and classes (`web.xml`,
/// `*.properties`, `classes/`, `lib/`), which stay sensitive.
pub(super) fn web_inf_view(path: &[u8]) -> bool {
    let mut segs = path
        .split(|&b| is_sep(b))
        .filter(|x| !x.is_empty())
        .peekable();
    let mut inside = false;
    while let Some(seg) = segs.next() {
        let last = segs.peek().is_none();
        if last {
            let ext = seg
                .iter()
                .rposition(|&b| b == b'.')
                .map(|p| seg.get(p + 1..).unwrap_or_default());
            return inside && ext.is_some_and(|e| in_list(e, VIEW_EXT));
        }
        if in_list(seg, &["web-inf", "meta-inf"]) {
            inside = true;
        } else if in_list(seg, SENSITIVE_DIRS) || in_list(seg, &["classes", "lib"]) {
            return false;
        }
    }
    false
}

/// Credential files flagged even inside longer text.
pub(super) const CROWN_JEWELS: &[&str] = &[
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
pub(super) const SENSITIVE_EXT: &[&str] = &[
    "ini", "conf", "cnf", "log", "htaccess", "htpasswd", "pem", "key", "sav",
];

pub(super) fn leaf_sensitive(leaf: &[u8]) -> bool {
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
pub(super) fn dot_forms(x: &[u8]) -> (&[u8], &[u8]) {
    let dots = x.iter().take_while(|&&b| b == b'.').count();
    let bare = x.get(dots..).unwrap_or_default();
    let one = x.get(dots.saturating_sub(1)..).unwrap_or_default();
    (bare, one)
}

/// Whether the relative path reached after a climb is sensitive
/// (`etc/passwd`, `windows/win.ini`, `WEB-INF/web.xml`, `boot.ini`).
pub(super) fn relative_target_sensitive(target: &[u8]) -> bool {
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
pub(super) struct Shape<'p> {
    pub(super) first: &'p [u8],
    pub(super) leaf: &'p [u8],
    pub(super) count: usize,
    pub(super) any_dir: bool,
    /// An `etc` directory below the first segment (`/private/etc/…`).
    pub(super) etc_inside: bool,
}

pub(super) fn shape(c: &[u8]) -> Shape<'_> {
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

/// Relative references to sensitive files: into a sensitive directory
/// anywhere (`WEB-INF/web.xml`, `.git/config`, `.ssh/id_rsa`), or a value
/// that is a system file named from the root (`etc/passwd`,
/// `windows/win.ini`) or a sensitive dot-file (`.htaccess`).
pub(super) fn sensitive_relative(s: &[u8], dirs: bool) -> Option<Found> {
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
            let token_end = s
                .get(seg_start..)
                .and_then(|r| {
                    r.iter()
                        .position(|&b| is_boundary(b) || b == b'?' || b == b'#')
                })
                .map_or(s.len(), |p| seg_start + p);
            let view = || web_inf_view(s.get(seg_start..token_end).unwrap_or_default());
            if after && (in_list(seg, DIRS) || in_list(bare, DIRS) || in_list(one, DIRS)) && !view()
            {
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
