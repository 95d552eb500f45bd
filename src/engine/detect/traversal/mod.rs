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
//!   root (`/static/../x`), or sits in the request path itself. Climbs
//!   that name nothing after a line break (`yarn --cwd ../../..` in a
//!   document) are text, not a path. A single
//!   plain `../images/a.png` is a relative link and passes (benign data: 2 of
//!   7368 benign values hold one `../`, none two; see `allow_single_parent`).
//!   Dot-segment padding before a sensitive file (`./\/./boot.ini`) counts
//!   too.
//! * **absolute paths outside the allowed directories** (`path.absolute`):
//!   a value that *is* an absolute path under a system root (`/etc/…`,
//!   `/proc/…`, `/var/log/…`, `C:\Windows\…`, `C:\xampp\…`) or to a
//!   sensitive file (`/home/u/.ssh/id_rsa`, `/logs/access_log`), unless it is
//!   under a `whitelist` directory. URL routes (`/account`, `/lib/app.js`,
//!   `/cls/hosts`, `/api/group`: a file name that is also a route word
//!   counts only under a system directory), page templates under `WEB-INF`
//!   (`/WEB-INF/views/home.jsp`, unlike `web.xml` or `classes/`) and user
//!   documents (`C:\Users\me\cv.docx`, `C:\fakepath\a.jpg`) pass.
//!   Inside longer text only credential files count (`cat /etc/passwd`);
//!   forum posts quote `/etc/fstab` all the time. In a *nested* document
//!   field ([`Depth::Nested`](crate::engine::detect::field::Depth)) a path
//!   is one the client describes (a stack frame's `abs_path`, `JAVA_HOME`,
//!   a crash report's module list): only sensitive files and directories
//!   count there, not installed software under `/usr` or `C:\Windows`.
//! * **sensitive files named relatively** (`path.sensitive_file`):
//!   `WEB-INF/web.xml`, `.git/config`, a value that is `etc/passwd`.
//! * **stream wrappers** (`path.wrapper`): `php://filter`, `file:///`,
//!   `zip://`, `phar://`, `expect://`, `glob://`, `jar:file:`, and PHP
//!   filter-chain elements (`convert.iconv.…`). A `file:` URL inside text
//!   or a stack frame (`at f (file:///app/x.js:8:5)`) counts only when it
//!   names a system or sensitive file.
//! * **remote file inclusion** (`path.remote_include`): a value that is one
//!   URL to a script or text file on a host named by its IP address
//!   (`http://66.240.183.75/crash.php`, `https://[2001:db8::1]/x.txt`); a
//!   named host (`https://example.com/index.php`) or an address URL to a
//!   page or image passes.
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
//!
//! ## Layout
//!
//! One file per concept; dependencies point one way, from the entry point
//! down to path syntax, so no two files import each other:
//!
//! * `scan`: [`Traversal::detect`], the order of the checks and the base64
//!   re-read; `classify`: the one-pass byte classes that gate them;
//! * `decode`: the lenient decoder and its `Stream` with offsets back into
//!   the value (findings carry stream offsets until `Stream::hit` maps them);
//! * `climb`: parent-directory climbs and their judgement; `absolute`:
//!   absolute paths and the whitelist; `wrapper`: stream wrappers;
//!   `remote`: URLs of scripts on address hosts (remote inclusion);
//! * `sensitive`: the lists of system roots and sensitive files and the
//!   tests on them, including `is_sensitive_path` for `cmdi`; `path`:
//!   separators, boundaries, drive letters, canonical form;
//! * `config`: the section and its compiled form; `bytes`: generic byte
//!   helpers (case-insensitive list, search and prefix; hex; base64).

mod absolute;
mod bytes;
mod classify;
mod climb;
mod config;
mod decode;
mod path;
mod remote;
mod scan;
mod sensitive;
mod wrapper;

#[cfg(test)]
mod tests;

pub use config::{Traversal, TraversalConfig};
pub(crate) use sensitive::is_sensitive_path;
