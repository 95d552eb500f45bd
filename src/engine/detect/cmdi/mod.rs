//! OS command injection detector.
//!
//! The value is lexed as POSIX shell (with the cmd.exe / PowerShell
//! spellings an attacker uses on Windows) in the three places it can land:
//! as an unquoted argument, after the `'` that closes the host's single
//! quotes, and after the `"` that closes its double quotes (only when at
//! most two words of data precede that quote). The lexer dequotes words the
//! way the shell does (`c''at` → `cat`, `c\at` → `cat`, `$@`, `${x}` and
//! `$()` expand to nothing, `${IFS}` / `$IFS$9` separate words,
//! `{cat,/etc/passwd}` expands, `a=/etc; cat $a/passwd` substitutes) and
//! judges each *simple command* at a *command position*:
//!
//! * after a separator the value introduced (`;`, `|`, `||`, `&&`, `&`,
//!   newline, `(`) **near the start of the value**: at most three words (or
//!   eight words of which at most one is a plain word) since the previous
//!   breakout, or right after another command. `I came; I saw`, `Tom &
//!   Jerry` and `lspci | grep net` in the middle of a sentence are prose,
//!   and the lexer stops at the first such position;
//! * inside a command substitution (`$(…)`, `<(…)`, or `` `…` `` with
//!   nothing but glued text before it and at most one word after: markdown
//!   code spans such as ``run `ls -la` to see`` are prose), an exec-style
//!   call (`system('…')`) or a server-side include;
//! * at the very start of the value, only with evidence (a bare `ls`,
//!   `echo in the mirror` or `curl and divergence` is a word, not a command
//!   line; `ls -la shows nothing?` reads as a question).
//!
//! A command word is *strong* when it is not an English word (`whoami`,
//! `wget`, `/bin/sh`, `powershell`, `Invoke-Expression`, the configured
//! `blacklist`) and *weak* otherwise (`cat`, `echo`, `sleep`, `find`,
//! `time`). Weak commands need argument evidence: an option (`-la`,
//! `/all`), a path, a sensitive file (`/etc/passwd`, `C:\Windows\…`), a URL
//! or IP for network tools, a redirection, numeric arguments for `sleep`, or
//! obfuscation of the command itself. A bare command in a list (`name;id;`)
//! counts only when what follows is a command too, or nothing
//! (`name;id;email` is a field list). Shellshock (`() { :;};`), fork bombs,
//! cmd.exe `for … in (…) do` / `if exist …` statements, CRLF-injected mail
//! protocol commands and PHP code evaluation (`{${phpinfo()}}`) are
//! recognised structurally.
//!
//! Cost: a byte-class pass rejects values without shell bytes unless their
//! first word is a command (Bloom-filtered lookup); short values are lexed
//! only when some dequoted word can name a command.
//!
//! ```
//! use envoy_rasp::engine::detect::cmdi::{Cmdi, CmdiConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Cmdi::compile(&CmdiConfig::default(), "command_injection").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Query);
//! assert!(d.detect(b"127.0.0.1; cat /etc/passwd", &ctx).is_some());
//! assert!(d.detect(b"x|c''at${IFS}/etc/passwd", &ctx).is_some());
//! assert!(d.detect(b"$5 | 10% off", &ctx).is_none());
//! assert!(d.detect(b"rock & roll", &ctx).is_none());
//! ```
//!
//! # Layout
//!
//! The pipeline of [`Cmdi::detect`] reads top to bottom through the
//! modules: `classes` (one pass of byte presence bits) and `prefilter`
//! reject most values; `structure`, `batch`, `mail`, `calls` and
//! `php` recognise shapes that need no shell lexer; `contexts` runs the
//! `lexer` (with `expand` for substitutions and `words` for the
//! command being built) over each reading of the value, and the `judge`
//! decides each simple command with the `args` heuristics, the `names`
//! index over the `table` and `glob` resolution. `config` compiles
//! the section; `util` holds byte-string primitives.

mod args;
mod batch;
mod calls;
mod classes;
mod config;
mod contexts;
mod expand;
mod frame;
mod glob;
mod judge;
mod lexer;
mod mail;
mod names;
mod php;
mod prefilter;
mod state;
mod structure;
mod table;
mod types;
mod util;
mod words;

impl Detector for Cmdi {
    type Config = CmdiConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "OS command injection detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new(
            "blacklist",
            "Commands always recognised as commands, in addition to the built-in list.",
        ),
        FieldNote::new("blacklist[]", "A command name or path."),
    ];

    fn compile(cfg: &CmdiConfig, at: &FieldPath) -> Result<Option<Cmdi>, ConfigErrors> {
        Ok(Cmdi::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Cmdi::action(self)
    }

    /// `detect` returns at once on a value without any byte of its
    /// presence table (`classes.rs`).
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"(){}#!\n\r$;|&`<>\\'\"+^%*?[ \t\x0b\x0c/");
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Cmdi::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests;

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::mode::Action;
use crate::engine::section::{FieldNote, ACTION_NOTE};

use super::graphql::string_literals;
use super::markdown::fenced_blocks;
use super::{Hit, ValueCtx};
use crate::engine::bytes::find;
use batch::batch_start;
use classes::{presence, P_BRACE, P_BREAK, P_DOLLAR, P_NEWLINE, P_PAREN};
use php::php_code;
use structure::structural;

pub use config::CmdiConfig;
pub use types::Cmdi;

impl Cmdi {
    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Inspects one value.
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        if value.is_empty() {
            return None;
        }
        let has = presence(value);
        // Fast path: one word of plain bytes (no blank, `/` or shell
        // byte), the common shape of keys and simple values (`id`, `zip`,
        // `user@example.com`). The lexer would see a single literal word at
        // the start with no arguments, redirections or path: even a strong
        // command name alone (`id`) is not flagged, and no structural check
        // can match without a blank, `(` or newline.
        if has == 0 {
            return None;
        }
        // A GraphQL document: only its string literals are data.
        if has & P_BRACE != 0 {
            if let Some(strings) = string_literals(value) {
                return strings.into_iter().find_map(|(a, b)| {
                    let s = value.get(a..b)?;
                    let h = self.read(s, presence(s))?;
                    Some(Hit {
                        start: h.start + a,
                        end: h.end + a,
                        ..h
                    })
                });
            }
        }
        // Markdown code blocks are developer content: blanked, offsets
        // kept, the prose around them still read.
        if has & P_NEWLINE != 0
            && (find(value, 0, b"```").is_some() || find(value, 0, b"~~~").is_some())
        {
            let blocks = fenced_blocks(value);
            if !blocks.is_empty() {
                let mut masked = value.to_vec();
                for (a, b) in blocks {
                    for c in masked.get_mut(a..b).unwrap_or_default() {
                        if *c != b'\n' {
                            *c = b' ';
                        }
                    }
                }
                return self.read(&masked, presence(&masked));
            }
        }
        self.read(value, has)
    }

    /// Reads a value (or a part of one) in the shell's languages.
    fn read(&self, value: &[u8], has: u32) -> Option<Hit> {
        if has == 0 {
            return None;
        }
        // Without breakout bytes (separators, substitutions, groups) only
        // the first word can start a command line.
        if has & P_BREAK == 0 && !self.first_word_known(value) && !batch_start(value, has) {
            return None;
        }
        let f = structural(value, has)
            .or_else(|| {
                if has & P_PAREN != 0 {
                    self.exec_calls(value)
                } else {
                    None
                }
            })
            .or_else(|| {
                (has & (P_DOLLAR | P_PAREN) != 0)
                    .then(|| php_code(value, has))
                    .flatten()
            })
            .or_else(|| {
                // Short values: a word-level check decides cheaply whether
                // the lexer can find anything. Long ones (prose) go to the
                // lexer, which stops as soon as the text reads as prose.
                if value.len() > 96 || self.may_have_command(value, has) {
                    self.lex_all(value, has)
                } else {
                    None
                }
            })?;
        let end = f.end.min(value.len());
        Some(Hit::new(f.rule, f.reason, f.start.min(end), end))
    }
}
