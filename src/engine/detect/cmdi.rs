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

use crate::engine::detect::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::traversal::is_sensitive_path;
use super::{Hit, ValueCtx};
use crate::engine::config::{Action, ConfigError};

/// Configuration section `command_injection`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CmdiConfig {
    /// `block` (default), `log` or `off`.
    pub action: Action,
    /// Commands always treated as (strong) commands, in addition to the
    /// built-in list: a name (`wget`) or a path (`/bin/sh`, whose base name
    /// is used). Default: the reference's `["/bin/sh", "/bin/bash", "wget",
    /// "curl"]`.
    pub blacklist: Vec<String>,
}

impl Default for CmdiConfig {
    fn default() -> Self {
        CmdiConfig {
            action: Action::Block,
            blacklist: ["/bin/sh", "/bin/bash", "wget", "curl"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Cmdi {
    action: Action,
    /// Built-in commands plus the blacklist: lowercase name → flags,
    /// sorted by name.
    table: Vec<(Vec<u8>, u32)>,
    /// Bloom filter over the lowercase names (two bits of 4096): a cheap
    /// rejection before the hash lookup.
    bloom: Vec<u64>,
    /// Sketch filter over the lowercase names (one bit of 4096 per
    /// length, first, second and last byte): rejects most words in O(1),
    /// before any hashing (see [`sketch_bit`]).
    sketch: Vec<u64>,
    /// Open-addressing index over `table` (FNV-1a of the lowercase name,
    /// linear probing): `index + 1` of the entry, 0 for an empty slot.
    /// A power of two at least twice the table, so probes stay short.
    slots: Vec<u32>,
}

impl Cmdi {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &CmdiConfig, field: &str) -> Result<Option<Cmdi>, ConfigError> {
        if cfg.action == Action::Off {
            return Ok(None);
        }
        let mut table: Vec<(Vec<u8>, u32)> = COMMANDS
            .iter()
            .map(|(n, f)| (n.as_bytes().to_vec(), *f))
            .collect();
        for (i, entry) in cfg.blacklist.iter().enumerate() {
            let name = entry
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if name.is_empty()
                || name.len() > MAX_NAME
                || name.bytes().any(|b| b.is_ascii_whitespace())
            {
                return Err(ConfigError::new(
                    format!("{field}.blacklist[{i}]"),
                    format!("`{entry}` is not a command name or path"),
                ));
            }
            match table
                .iter_mut()
                .find(|(n, _)| n.as_slice() == name.as_bytes())
            {
                Some(e) => e.1 |= S,
                None => table.push((name.into_bytes(), S)),
            }
        }
        table.sort_by(|a, b| a.0.cmp(&b.0));
        table.dedup_by(|a, b| {
            if a.0 == b.0 {
                b.1 |= a.1;
                true
            } else {
                false
            }
        });
        let mut bloom = vec![0u64; 64];
        let mut sketch = vec![0u64; 64];
        for (n, _) in &table {
            for bit in bloom_bits(fnv(n)) {
                if let Some(slot) = bloom.get_mut(bit / 64) {
                    *slot |= 1u64 << (bit % 64);
                }
            }
            let bit = sketch_bit(n);
            if let Some(slot) = sketch.get_mut(bit / 64) {
                *slot |= 1u64 << (bit % 64);
            }
        }
        let size = (table.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![0u32; size];
        for (i, (n, _)) in table.iter().enumerate() {
            let mut at = (fnv(n) as usize) & (size - 1);
            while slots.get(at).is_some_and(|&x| x != 0) {
                at = (at + 1) & (size - 1);
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = u32::try_from(i + 1).unwrap_or(0);
            }
        }
        Ok(Some(Cmdi {
            action: cfg.action,
            table,
            bloom,
            sketch,
            slots,
        }))
    }

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

    /// Whether the first word of the value is a known command (the only
    /// way a value without shell syntax can be a command line).
    fn first_word_known(&self, v: &[u8]) -> bool {
        let start = v
            .iter()
            .position(|&b| !b.is_ascii_whitespace() && b != b'+')
            .unwrap_or(v.len());
        let rest = v.get(start..).unwrap_or_default();
        let end = rest
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b == b'+')
            .unwrap_or(rest.len());
        let raw = rest.get(..end).unwrap_or_default();
        // Quotes, escapes and carets inside the word (`'wh'oami`, `c\at`,
        // `w^hoami`) are removed before the lookup; glob paths
        // (`/???/??t`) go to the lexer.
        if raw.first() == Some(&b'/') && raw.iter().any(|&b| matches!(b, b'?' | b'*' | b'[')) {
            return true;
        }
        let mut buf = [0u8; MAX_NAME + 8];
        let mut n = 0;
        for &b in raw {
            if matches!(b, b'\'' | b'"' | b'\\' | b'^') {
                continue;
            }
            match buf.get_mut(n) {
                Some(slot) => *slot = b,
                None => return false,
            }
            n += 1;
        }
        let word = buf.get(..n).unwrap_or_default();
        // Cheap rejection of numbers and plain words before the full
        // resolution.
        if word.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let plain = word.iter().all(u8::is_ascii_alphanumeric)
            && !word.last().is_some_and(u8::is_ascii_digit);
        if plain && word.len() > 3 && !self.maybe_name(word) {
            return false;
        }
        if word.eq_ignore_ascii_case(b"if")
            || word.eq_ignore_ascii_case(b"for")
            || word.len() > 3
                && word
                    .get(..3)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"if/"))
        {
            return true;
        }
        self.resolve(word).is_some()
    }

    /// Whether some shell word of the value can name a command: a known
    /// name after removing quotes, escapes and carets, or syntax that builds
    /// names (variables, substitutions, brace expansion, glob paths), or a
    /// path argument (for the sensitive-target rule). Every lexer finding
    /// needs one of these, so values without them skip the lexer.
    ///
    /// `has` is the value's [`presence`]: it stands in for scans of the
    /// value (`/`, the bytes of glued empty substitutions).
    fn may_have_command(&self, v: &[u8], has: u32) -> bool {
        let mut buf = [0u8; MAX_NAME];
        let mut n = 0usize;
        // Start of the name after the last `/` or `\` (paths to binaries).
        let mut base_at = 0usize;
        let mut overflow = false;
        let mut brace = false;
        let mut i = 0;
        let known = |word: &[u8]| -> bool {
            let word = word.strip_prefix(b"@").unwrap_or(word);
            let stems = [
                Some(word),
                strip_suffix_ci(word, b".exe"),
                // The version stem, when it differs from the word.
                word.iter()
                    .rposition(|b| !(b.is_ascii_digit() || *b == b'.'))
                    .filter(|&p| p + 1 < word.len())
                    .and_then(|p| word.get(..p + 1)),
            ];
            stems
                .into_iter()
                .flatten()
                .any(|x| self.lookup(x).is_some())
        };
        let flush = |buf: &[u8; MAX_NAME], n: usize, base_at: usize, overflow: bool| -> bool {
            if overflow || n == 0 {
                return false;
            }
            let word = buf.get(..n).unwrap_or_default();
            known(word) || base_at > 0 && known(buf.get(base_at..n).unwrap_or_default())
        };
        // Empty substitutions glued inside a word build names (`pi``ng`,
        // `pi<()ng`).
        if has & P_SEP != 0
            && v.windows(3)
                .any(|w| matches!(w, [b'<' | b'>', b'(', b')'] | [b'`', b'`', _]))
        {
            return true;
        }
        let slash = has & P_SLASH != 0;
        while let Some(&b) = v.get(i) {
            // Fast path: a run of bytes that only extend the word (the
            // `_` arm below without its `/` case) goes in at once. Past
            // `MAX_NAME` bytes the word is marked overflowing, and its
            // buffer is never read.
            if name_byte(b) {
                let rest = v.get(i..).unwrap_or_default();
                let run = rest
                    .iter()
                    .position(|&x| !name_byte(x))
                    .unwrap_or(rest.len());
                match (buf.get_mut(n..n + run), rest.get(..run)) {
                    (Some(dst), Some(src)) => dst.copy_from_slice(src),
                    _ => overflow = true,
                }
                n += run;
                i += run;
                continue;
            }
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'&' | b'(' | b')' | b'<' | b'>'
                | b'`' | b'+' => {
                    if flush(&buf, n, base_at, overflow) {
                        return true;
                    }
                    n = 0;
                    base_at = 0;
                    overflow = false;
                    brace = false;
                }
                // A literal `\n` / `\t` that a later layer unescapes ends
                // the word.
                b'\\' if matches!(v.get(i + 1), Some(b'n' | b'r' | b't')) => {
                    if flush(&buf, n, base_at, overflow) {
                        return true;
                    }
                    n = 0;
                    base_at = 0;
                    overflow = false;
                    brace = false;
                    i += 1;
                }
                b'\\' => base_at = n,
                b'\'' | b'"' | b'^' => {}
                b'$' => match v.get(i + 1) {
                    Some(c)
                        if c.is_ascii_alphabetic() || matches!(c, b'_' | b'{' | b'(' | b'\'') =>
                    {
                        return true
                    }
                    Some(b'@' | b'*' | b'!' | b'$' | b'?' | b'-' | b'#' | b'0'..=b'9') => i += 1,
                    _ => {}
                },
                b'{' => brace = true,
                b',' if brace => return true,
                b'*' | b'?' | b'[' if slash => return true,
                b'/' if n == 0 => {
                    // A path argument: the sensitive-target rule.
                    return true;
                }
                _ => {
                    if b == b'/' {
                        base_at = n + 1;
                    }
                    match buf.get_mut(n) {
                        Some(slot) => *slot = b,
                        None => overflow = true,
                    }
                    n += 1;
                }
            }
            i += 1;
        }
        flush(&buf, n, base_at, overflow)
            || v.contains(&b'%') && v.windows(9).any(|w| w.eq_ignore_ascii_case(b"%comspec%"))
    }

    /// Runs the shell lexer over the value (and its `+`-as-space /
    /// literal-`\n` variant) in the unquoted, single- and double-quoted
    /// contexts.
    fn lex_all(&self, value: &[u8], has: u32) -> Option<Found> {
        let variant = variant(value, has);
        let texts: [Option<&[u8]>; 2] = [Some(value), variant.as_deref()];
        let mut sc = Scanner::new(self, value.len());
        sc.record_vars = has & P_DOLLAR != 0;
        for text in texts.into_iter().flatten() {
            // The quoted contexts start after the quote that breaks out:
            // what precedes it is data inside the host's quotes. Without
            // breakout bytes (separators, substitutions, groups) the words
            // after the quote are arguments of the host's command, which
            // are never flagged: those contexts are skipped (prose with an
            // apostrophe, `O'Brien`).
            let quoted = has & P_BREAK != 0;
            let sq = if quoted && has & P_SQUOTE != 0 {
                breakout_quote(text, b'\'')
            } else {
                None
            };
            let dq = if quoted && has & P_DQUOTE != 0 {
                breakout_quote(text, b'"')
            } else {
                None
            };
            for (q, from) in [
                (Quote::None, Some(0)),
                (Quote::Single, sq),
                (Quote::Double, dq),
            ] {
                let Some(from) = from else {
                    continue;
                };
                sc.restart(text.len());
                let pos = if q == Quote::None {
                    Pos::Start
                } else {
                    sc.seed = true;
                    Pos::Arg
                };
                let from = if q == Quote::None { 0 } else { from + 1 };
                sc.seq(text, from, text.len(), pos, Quote::None, 0);
                if let Some(f) = sc.found {
                    if text.as_ptr() == value.as_ptr() {
                        return Some(f);
                    }
                    // Offsets of the variant differ: report the whole value.
                    return Some(Found {
                        start: 0,
                        end: value.len(),
                        ..f
                    });
                }
            }
        }
        None
    }

    /// Exec-style calls with a literal command: `system('id')`,
    /// `exec("cat /etc/passwd")`, `os.popen('…')`. The string is lexed as
    /// a command line.
    fn exec_calls(&self, v: &[u8]) -> Option<Found> {
        const FUNCS: &[&str] = &[
            "system",
            "exec",
            "shell_exec",
            "passthru",
            "popen",
            "proc_open",
            "pcntl_exec",
            "eval",
            "execsync",
            "spawn",
            "spawnsync",
            "execfile",
            "execfilesync",
            "check_output",
            "check_call",
            "getoutput",
            "getstatusoutput",
        ];
        let mut calls = 0;
        for (_, paren) in named_calls(v, FUNCS) {
            let rest = v.get(paren + 1..).unwrap_or_default();
            let ws = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let Some(&q) = rest.get(ws).filter(|&&q| matches!(q, b'\'' | b'"' | b'`')) else {
                continue;
            };
            calls += 1;
            if calls > 8 {
                break;
            }
            let cs = paren + 1 + ws + 1;
            let mut ce = cs;
            while let Some(&c) = v.get(ce) {
                if c == b'\\' {
                    ce += 2;
                    continue;
                }
                if c == q {
                    break;
                }
                ce += 1;
            }
            let ce = ce.min(v.len());
            let mut sc = Scanner::new(self, v.len());
            sc.seq(v, cs, ce, Pos::Exec, Quote::None, 1);
            if let Some(f) = sc.found {
                return Some(f);
            }
        }
        None
    }

    /// Filter test: `false` means `name` is certainly not a command.
    fn maybe_name(&self, name: &[u8]) -> bool {
        self.sketched(name) && self.bloomed(fnv(name))
    }

    /// Sketch test (no hashing): `false` means `name` is certainly not a
    /// command.
    fn sketched(&self, name: &[u8]) -> bool {
        let bit = sketch_bit(name);
        self.sketch
            .get(bit / 64)
            .is_some_and(|w| w & (1u64 << (bit % 64)) != 0)
    }

    /// Bloom test of a name's FNV hash.
    fn bloomed(&self, h: u32) -> bool {
        bloom_bits(h).iter().all(|&bit| {
            self.bloom
                .get(bit / 64)
                .is_some_and(|w| w & (1u64 << (bit % 64)) != 0)
        })
    }

    /// Looks a command name up (lowercase ASCII compare).
    fn lookup(&self, name: &[u8]) -> Option<u32> {
        if name.is_empty() || name.len() > MAX_NAME {
            return None;
        }
        // The sketch rejects most words without hashing; the FNV hash
        // (case-insensitive) then serves both the Bloom test and the probe.
        if !self.sketched(name) {
            return None;
        }
        let h = fnv(name);
        if !self.bloomed(h) {
            return None;
        }
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = (h as usize) & mask;
        // The index is at most half full: an empty slot ends every probe.
        for _ in 0..self.slots.len() {
            let idx = usize::try_from(*self.slots.get(at)?).ok()?.checked_sub(1)?;
            let (n, f) = self.table.get(idx)?;
            // Table names are lowercase (built-ins are checked by a test,
            // the blacklist is lowercased): a case-insensitive compare
            // equals comparing with the lowercased name, without a copy.
            if n.eq_ignore_ascii_case(name) {
                return Some(*f);
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// Resolves a dequoted command word to its table flags: strips a batch
    /// `@`, carets, a directory, `.exe`, a version suffix (`python3.10`).
    fn resolve(&self, word: &[u8]) -> Option<Resolved> {
        let at = word.first() == Some(&b'@');
        let w = word.strip_prefix(b"@").unwrap_or(word);
        let mut buf = [0u8; MAX_NAME];
        let mut n = 0;
        let mut caret = false;
        let mut path_dir: Option<&[u8]> = None;
        let base_start = w
            .iter()
            .rposition(|&b| b == b'/' || b == b'\\')
            .map_or(0, |p| p + 1);
        if base_start > 0 {
            path_dir = w.get(..base_start.saturating_sub(1));
        }
        for &b in w.get(base_start..).unwrap_or_default() {
            if b == b'^' {
                caret = true;
                continue;
            }
            let slot = buf.get_mut(n)?;
            *slot = b;
            n += 1;
        }
        let name = buf.get(..n)?;
        let upper = name.iter().any(|b| b.is_ascii_uppercase());
        let flags = self
            .lookup(name)
            .or_else(|| {
                let stem =
                    strip_suffix_ci(name, b".exe").or_else(|| strip_suffix_ci(name, b".com"))?;
                self.lookup(stem)
            })
            .or_else(|| {
                // Version suffix: python3.10, gcc7.4, php7.
                if !name.last().is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                let cut = name
                    .iter()
                    .rposition(|b| !(b.is_ascii_digit() || *b == b'.'))
                    .map(|p| p + 1)?;
                if cut == name.len() {
                    return None;
                }
                self.lookup(name.get(..cut)?)
            })?;
        if at && flags & WIN == 0 {
            return None;
        }
        let exe_path = path_dir.is_some_and(is_bin_dir);
        if path_dir.is_some() && !exe_path {
            // A path to something that is not a binary directory:
            // `/index.html`, `docs/cat` are not commands.
            return None;
        }
        let mut flags = flags;
        if upper && flags & WIN == 0 && flags & S != 0 && !exe_path {
            // Unix commands are lowercase: `ID`, `PS` are words.
            flags &= !S;
        }
        Some(Resolved {
            flags,
            exe_path,
            caret,
        })
    }
}

/// FNV-1a of the ASCII-lowercased name.
fn fnv(name: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in name {
        h ^= u32::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Two bit positions (of 4096) for a name's FNV hash.
fn bloom_bits(h: u32) -> [usize; 2] {
    [(h & 4095) as usize, ((h >> 16) & 4095) as usize]
}

/// One bit position (of 4096) for a name from its length and its first,
/// second and last bytes, case-insensitive: computed in constant time.
fn sketch_bit(name: &[u8]) -> usize {
    let at = |b: Option<&u8>| u32::from(b.copied().unwrap_or(0).to_ascii_lowercase());
    let len = u32::try_from(name.len()).unwrap_or(u32::MAX);
    let h = len.wrapping_mul(0x9e37_79b1)
        ^ at(name.first()).wrapping_mul(0x85eb_ca77)
        ^ at(name.get(1)).wrapping_mul(0xc2b2_ae3d)
        ^ at(name.last()).wrapping_mul(0x27d4_eb2f);
    let h = h ^ (h >> 15);
    let h = h.wrapping_mul(0x2c1b_3c6d);
    (h >> 20) as usize
}

/// A command argument: dequoted text (borrowed from the word arena, or
/// built by brace expansion) and its word flags.
type Arg<'a> = (Cow<'a, [u8]>, u32);

/// Longest command name looked up.
const MAX_NAME: usize = 40;

fn strip_suffix_ci<'a>(s: &'a [u8], suffix: &[u8]) -> Option<&'a [u8]> {
    let cut = s.len().checked_sub(suffix.len())?;
    let (head, tail) = (s.get(..cut)?, s.get(cut..)?);
    (tail.eq_ignore_ascii_case(suffix) && !head.is_empty()).then_some(head)
}

/// Directories holding executables (`/bin`, `/usr/local/sbin`,
/// `C:\Windows\System32`, relative `bin`).
fn is_bin_dir(dir: &[u8]) -> bool {
    let last = dir
        .iter()
        .rposition(|&b| b == b'/' || b == b'\\')
        .map_or(dir, |p| dir.get(p + 1..).unwrap_or_default());
    last.eq_ignore_ascii_case(b"bin")
        || last.eq_ignore_ascii_case(b"sbin")
        || last.eq_ignore_ascii_case(b"system32")
        || last.eq_ignore_ascii_case(b"syswow64")
        || last.eq_ignore_ascii_case(b"v1.0")
}

/// A resolved command word.
#[derive(Clone, Copy, Debug)]
struct Resolved {
    flags: u32,
    exe_path: bool,
    caret: bool,
}

/// The `+`-as-space / literal `\n` variant of a value: query strings
/// encode spaces as `+`, and payloads write newlines as `\n` for layers
/// that unescape them. `None` when it would equal the value.
fn variant(v: &[u8], has: u32) -> Option<Vec<u8>> {
    let plus = has & P_PLUS != 0 && {
        let pluses = v.iter().filter(|&&b| b == b'+').count();
        let spaces = v.iter().filter(|&&b| b == b' ').count();
        pluses >= spaces
    };
    let lit_nl = has & P_BACKSLASH != 0
        && v.windows(2)
            .any(|w| matches!(w, [b'\\', b'n' | b'r' | b't']));
    if !plus && !lit_nl {
        return None;
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        if lit_nl && b == b'\\' {
            match v.get(i + 1) {
                Some(b'n') => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                Some(b'r' | b't') => {
                    out.push(b' ');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(if plus && b == b'+' { b' ' } else { b });
        i += 1;
    }
    Some(out)
}

/// A finding (offsets in the scanned text).
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

// ---------------------------------------------------------------------------
// Structural checks that do not need the lexer.

fn structural(v: &[u8], has: u32) -> Option<Found> {
    let on = |bits: u32| has & bits == bits;
    shellshock(v)
        .or_else(|| on(P_PAREN | P_BRACE).then(|| fork_bomb(v)).flatten())
        .or_else(|| on(P_HASH | P_BANG).then(|| ssi_exec(v)).flatten())
        .or_else(|| batch(v, has))
        .or_else(|| on(P_NEWLINE).then(|| mail_command(v)).flatten())
}

// Presence bits of shell-relevant bytes (see [`presence`]).
const P_PAREN: u32 = 1;
const P_BRACE: u32 = 1 << 1;
const P_HASH: u32 = 1 << 2;
const P_BANG: u32 = 1 << 3;
const P_NEWLINE: u32 = 1 << 4;
const P_DOLLAR: u32 = 1 << 5;
const P_SEP: u32 = 1 << 6;
const P_OTHER: u32 = 1 << 7;
const P_BACKSLASH: u32 = 1 << 8;
const P_SQUOTE: u32 = 1 << 9;
const P_DQUOTE: u32 = 1 << 10;
const P_PLUS: u32 = 1 << 11;
/// Blanks that separate words (` `, tab, CR, VT, FF).
const P_BLANK: u32 = 1 << 12;
/// `/`: a path (`/bin/sh` alone is a command line).
const P_SLASH: u32 = 1 << 13;
/// Bytes that can open a command position after the first word.
const P_BREAK: u32 = P_PAREN | P_BRACE | P_NEWLINE | P_DOLLAR | P_SEP;

/// Which shell-relevant bytes a value contains, in one pass; 0 when none
/// (the value is then one plain word, see [`Cmdi::detect`]).
fn presence(v: &[u8]) -> u32 {
    let mut has = 0;
    for &b in v {
        has |= BYTE_CLASS.get(usize::from(b)).copied().unwrap_or(0);
    }
    // A literal `\n` that a later layer unescapes.
    if has & P_BACKSLASH != 0 && v.windows(2).any(|w| matches!(w, [b'\\', b'n'])) {
        has |= P_NEWLINE;
    }
    has
}

/// Bytes with no meaning to the unquoted lexer (word characters).
fn plain_byte(b: u8) -> bool {
    PLAIN.get(usize::from(b)).copied().unwrap_or(false)
}

static PLAIN: [bool; 256] = build_plain();

// Indexing is evaluated by the compiler over 0..256 only.
#[allow(clippy::indexing_slicing)]
const fn build_plain() -> [bool; 256] {
    let mut t = [true; 256];
    let special = b" \t\r\n;&|()<>'\"\\$`#{},*?[";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = false;
        i += 1;
    }
    t
}

/// Whether [`Cmdi::may_have_command`] only appends `b` to the word.
fn name_byte(b: u8) -> bool {
    NAME_BYTE.get(usize::from(b)).copied().unwrap_or(false)
}

/// Bytes that [`Cmdi::may_have_command`] only appends to the word.
static NAME_BYTE: [bool; 256] = build_name_byte();

// Indexing is evaluated by the compiler over 0..256 only.
#[allow(clippy::indexing_slicing)]
const fn build_name_byte() -> [bool; 256] {
    let mut t = [true; 256];
    let special = b" \t\r\n;|&()<>`+\\'\"^${,*?[/";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = false;
        i += 1;
    }
    t
}

/// [`byte_class`] as a table, built at compile time.
static BYTE_CLASS: [u32; 256] = build_byte_class();

// Indexing is evaluated by the compiler over 0..256 only.
#[allow(clippy::indexing_slicing)]
const fn build_byte_class() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = byte_class(i as u8);
        i += 1;
    }
    t
}

const fn byte_class(b: u8) -> u32 {
    match b {
        b'(' | b')' => P_PAREN,
        b'{' | b'}' => P_BRACE,
        b'#' => P_HASH,
        b'!' => P_BANG,
        b'\n' => P_NEWLINE,
        b'$' => P_DOLLAR,
        b';' | b'|' | b'&' | b'`' | b'<' | b'>' => P_SEP,
        b'\\' => P_BACKSLASH | P_OTHER,
        b'\'' => P_SQUOTE | P_OTHER,
        b'"' => P_DQUOTE | P_OTHER,
        b'+' => P_PLUS,
        b'^' | b'%' | b'*' | b'?' | b'[' => P_OTHER,
        b' ' | b'\t' | b'\r' | 0x0b | 0x0c => P_BLANK,
        b'/' => P_SLASH,
        _ => 0,
    }
}

/// A line (value start or after `&`, `|`, newline) beginning with a
/// cmd.exe `if` / `for`.
fn batch_start(v: &[u8], has: u32) -> bool {
    if has & (P_SEP | P_NEWLINE) == 0 {
        // One line: only the value start.
        let start = v
            .iter()
            .position(|&b| {
                !(b.is_ascii_whitespace() || matches!(b, b';' | b',' | b'=' | b'(' | b'@'))
            })
            .unwrap_or(v.len());
        let rest = v.get(start..).unwrap_or_default();
        return [&b"if"[..], b"for"].iter().any(|w| {
            rest.get(..w.len())
                .is_some_and(|x| x.eq_ignore_ascii_case(w))
                && rest
                    .get(w.len())
                    .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
        });
    }
    line_starts(v, true)
}

/// Whether a line (value start or after `&`, `|`, CR, LF) begins with
/// `if` (or `for`, when `with_for`), in any value.
fn line_starts(v: &[u8], with_for: bool) -> bool {
    let mut at_start = true;
    for (i, &b) in v.iter().enumerate() {
        if matches!(b, b'&' | b'|' | b'\n' | b'\r') {
            at_start = true;
            continue;
        }
        if at_start {
            if b.is_ascii_whitespace() || matches!(b, b';' | b',' | b'=' | b'(' | b'@') {
                continue;
            }
            at_start = false;
            let rest = v.get(i..).unwrap_or_default();
            let word = |w: &[u8]| {
                rest.len() >= w.len()
                    && rest
                        .get(..w.len())
                        .is_some_and(|x| x.eq_ignore_ascii_case(w))
                    && rest
                        .get(w.len())
                        .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
            };
            if word(b"if") || with_for && word(b"for") {
                return true;
            }
        }
    }
    false
}

/// PHP code execution through the value: complex-syntax evaluation
/// (`{${phpinfo()}}`, `${@print(…)}`, `{$_GET['cmd']}`) or a call of a PHP
/// execution / information function at a statement start (`;phpinfo();`,
/// `| system(…)`).
fn php_code(v: &[u8], has: u32) -> Option<Found> {
    const SUPER: &[&[u8]] = &[b"_GET", b"_POST", b"_REQUEST", b"_SERVER", b"_COOKIE"];
    // Complex syntax needs a `$` and a `{`; a call needs a `(`.
    let dollars = if has & (P_DOLLAR | P_BRACE) == P_DOLLAR | P_BRACE {
        v
    } else {
        &[][..]
    };
    for (p, _) in dollars.iter().enumerate().filter(|(_, &b)| b == b'$') {
        let before = p.checked_sub(1).and_then(|q| v.get(q)).copied();
        let after = v.get(p + 1..).unwrap_or_default();
        let complex = before == Some(b'{')
            && (after.first() == Some(&b'{') || SUPER.iter().any(|s| after.starts_with(s)))
            || after.starts_with(b"{@");
        if complex {
            let start = if before == Some(b'{') { p - 1 } else { p };
            return Some(Found::new(
                "cmdi.php_code",
                "PHP complex-syntax expression evaluating code",
                start,
                v.len(),
            ));
        }
    }
    const FUNCS: &[&str] = &[
        "phpinfo",
        "phpversion",
        "system",
        "passthru",
        "shell_exec",
        "exec",
        "popen",
        "proc_open",
        "pcntl_exec",
        "eval",
        "assert",
    ];
    if has & P_PAREN == 0 {
        return None;
    }
    for (name_start, paren) in named_calls(v, FUNCS) {
        // Statement start: the value start or a separator before the name.
        let before = v
            .get(..name_start)
            .and_then(|r| r.iter().rposition(|b| !b.is_ascii_whitespace()))
            .and_then(|x| v.get(x).copied());
        let stmt = matches!(
            before,
            None | Some(b';' | b'|' | b'&' | b':' | b'\'' | b'"')
        );
        // A call: `name()` or `name(` followed by an argument and `)`.
        let closes = v.get(paren + 1..).is_some_and(|r| r.contains(&b')'));
        if stmt && closes {
            return Some(Found::new(
                "cmdi.php_code",
                "PHP execution or information function called at a statement start",
                name_start,
                v.len(),
            ));
        }
    }
    None
}

/// Calls of a function in `funcs` (case-insensitive): `(name_start, paren)`
/// for each `name(` in `v` whose name (letters, digits, `_`) is listed.
fn named_calls<'a>(v: &'a [u8], funcs: &'a [&'a str]) -> impl Iterator<Item = (usize, usize)> + 'a {
    v.iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'(')
        .filter_map(move |(paren, _)| {
            let name_start = v
                .get(..paren)?
                .iter()
                .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(0, |x| x + 1);
            let name = v.get(name_start..paren)?;
            funcs
                .iter()
                .any(|f| f.as_bytes().eq_ignore_ascii_case(name))
                .then_some((name_start, paren))
        })
}

/// `() {` at the start of a value: a bash function definition imported from
/// the environment (CVE-2014-6271).
fn shellshock(v: &[u8]) -> Option<Found> {
    let p = v
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'"' | b'\''))
        .unwrap_or(v.len());
    let rest = v.get(p..)?;
    let after = rest.strip_prefix(b"()")?;
    let q = after.iter().position(|&b| b != b' ' && b != b'\t')?;
    (after.get(q) == Some(&b'{')).then(|| {
        Found::new(
            "cmdi.shellshock",
            "bash function definition at the start of the value (shellshock)",
            p,
            v.len(),
        )
    })
}

/// `f(){ f|f& };f`: a function whose body pipes or backgrounds itself.
fn fork_bomb(v: &[u8]) -> Option<Found> {
    let mut from = 0;
    while let Some(p) = v
        .get(from..)
        .and_then(|r| r.iter().position(|&b| b == b'('))
    {
        let paren = from + p;
        from = paren + 1;
        if v.get(paren + 1) != Some(&b')') {
            continue;
        }
        let after = v.get(paren + 2..).unwrap_or_default();
        let ws = after.iter().take_while(|&&b| b == b' ').count();
        if after.get(ws) != Some(&b'{') {
            continue;
        }
        let name_start = v
            .get(..paren)
            .and_then(|r| {
                r.iter()
                    .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.')))
            })
            .map_or(0, |x| x + 1);
        let name = v.get(name_start..paren).unwrap_or_default();
        if name.is_empty() || name.len() > 32 {
            continue;
        }
        let body_start = paren + 2 + ws + 1;
        let body_end = v
            .get(body_start..)
            .and_then(|r| r.iter().position(|&b| b == b'}'))
            .map_or(v.len(), |x| body_start + x);
        let body = v.get(body_start..body_end).unwrap_or_default();
        // Two calls of the function joined by `|` or `&`.
        let mut calls = 0;
        let mut joined = false;
        let mut i = 0;
        while i + name.len() <= body.len() {
            if body.get(i..i + name.len()) == Some(name) {
                calls += 1;
                i += name.len();
                continue;
            }
            if calls > 0 && matches!(body.get(i), Some(b'|' | b'&')) {
                joined = true;
            }
            i += 1;
        }
        if calls >= 2 && joined {
            return Some(Found::new(
                "cmdi.fork_bomb",
                "shell function that pipes or backgrounds itself (fork bomb)",
                name_start,
                body_end,
            ));
        }
    }
    None
}

/// Server-side include `<!--#exec cmd="…"-->`.
fn ssi_exec(v: &[u8]) -> Option<Found> {
    let p = find_ci(v, b"!--#exec")?;
    let rest = v.get(p + 8..)?;
    rest.first()
        .is_some_and(|b| b.is_ascii_whitespace())
        .then(|| {
            Found::new(
                "cmdi.ssi_exec",
                "server-side include exec directive",
                p,
                v.len(),
            )
        })
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle.first()?.to_ascii_lowercase();
    hay.windows(needle.len()).position(|w| {
        w.first().map(|b| b.to_ascii_lowercase()) == Some(first) && w.eq_ignore_ascii_case(needle)
    })
}

/// Whitespace tokens of one cmd.exe command line, split at `&`, `|` and
/// newlines.
fn batch_lines(v: &[u8]) -> impl Iterator<Item = &[u8]> {
    v.split(|&b| matches!(b, b'&' | b'|' | b'\n' | b'\r'))
}

/// cmd.exe `for %x in (…) do …` and `if [/i] [not] exist|defined|errorlevel
/// …` / `if a==b …` statements at a command position.
fn batch(v: &[u8], has: u32) -> Option<Found> {
    if !batch_start(v, has) {
        return None;
    }
    // A `for` statement needs `(` (its set): without one, only a line
    // starting with `if` can match, and prose starting with `for` is not
    // tokenized.
    if has & P_PAREN == 0 && !line_starts(v, false) {
        return None;
    }
    let mut offset = 0;
    for line in batch_lines(v) {
        let here = offset;
        offset += line.len() + 1;
        let toks = batch_tokens(line);
        let mut toks = toks.iter().copied();
        let Some(first) = toks.next() else {
            continue;
        };
        let skip = first
            .iter()
            .take_while(|&&b| matches!(b, b';' | b',' | b'=' | b'(' | b'@'))
            .count();
        let first = first.get(skip..).unwrap_or_default();
        let rest: Vec<&[u8]> = toks.collect();
        let hit = if first.eq_ignore_ascii_case(b"for") {
            batch_for(&rest)
        } else if first.eq_ignore_ascii_case(b"if") {
            batch_if(&rest, false)
        } else if first.len() > 3
            && first
                .get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"if/"))
        {
            batch_if(&rest, true)
        } else {
            false
        };
        if hit {
            return Some(Found::new(
                "cmdi.batch_statement",
                "cmd.exe for/if statement",
                here,
                (here + line.len()).min(v.len()),
            ));
        }
    }
    None
}

/// cmd.exe tokens of a line: blank-separated, double quotes keep blanks.
fn batch_tokens(line: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quoted = false;
    for (i, &b) in line.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        }
        if b.is_ascii_whitespace() && !quoted {
            if let Some(s) = start.take() {
                out.push(line.get(s..i).unwrap_or_default());
            }
        } else if start.is_none() {
            start = Some(i);
        }
        if out.len() >= 64 {
            return out;
        }
    }
    if let Some(s) = start {
        out.push(line.get(s..).unwrap_or_default());
    }
    out
}

/// `for [/d|/r [dir]|/l|/f ["opts"]] %x in (set) do cmd`.
fn batch_for(t: &[&[u8]]) -> bool {
    let var = t
        .iter()
        .position(|w| w.first() == Some(&b'%') && w.len() >= 2);
    let Some(var) = var else {
        return false;
    };
    // Everything before the variable must be options or their arguments.
    if var > 4 {
        return false;
    }
    let Some(inw) = t.get(var + 1) else {
        return false;
    };
    if !inw.eq_ignore_ascii_case(b"in") {
        return false;
    }
    let opens = t.get(var + 2).is_some_and(|w| w.first() == Some(&b'('));
    opens
        && t.iter()
            .skip(var + 2)
            .any(|w| w.eq_ignore_ascii_case(b"do") || ends_with_ci(w, b")do"))
}

fn ends_with_ci(w: &[u8], suffix: &[u8]) -> bool {
    w.len() >= suffix.len()
        && w.get(w.len() - suffix.len()..)
            .is_some_and(|x| x.eq_ignore_ascii_case(suffix))
}

/// Batch variable references: `%1`, `%~1`, `%VAR%`, `!VAR!`, `%%a`.
fn batch_var(w: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = w.get(i) {
        if b == b'%' {
            match w.get(i + 1) {
                Some(c) if c.is_ascii_digit() || *c == b'~' || *c == b'%' || *c == b'*' => {
                    return true
                }
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                    let close = w
                        .get(i + 2..)
                        .and_then(|r| r.iter().position(|&x| x == b'%'));
                    if close.is_some() {
                        return true;
                    }
                }
                _ => {}
            }
        }
        if b == b'!' {
            let close = w
                .get(i + 2..)
                .and_then(|r| r.iter().position(|&x| x == b'!'));
            if close.is_some() && w.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// cmd.exe built-ins and common commands that follow an `if` condition.
const BATCH_CONSEQUENTS: &[&str] = &[
    "echo",
    "set",
    "goto",
    "call",
    "cmd",
    "exit",
    "del",
    "copy",
    "md",
    "mkdir",
    "cd",
    "type",
    "dir",
    "start",
    "if",
    "for",
    "rd",
    "ren",
    "move",
    "pause",
    "cls",
    "shift",
    "setlocal",
    "endlocal",
    "powershell",
    "net",
    "reg",
    "xcopy",
    "rem",
];

/// `if [/i] [not] exist f cmd`, `… defined v cmd`, `… errorlevel n cmd`,
/// `… cmdextversion n cmd`, `… a==b cmd`, `… a equ b cmd`.
fn batch_if(t: &[&[u8]], slash_i: bool) -> bool {
    let mut i = 0;
    let mut strong = slash_i;
    if t.first().is_some_and(|w| w.eq_ignore_ascii_case(b"/i")) {
        strong = true;
        i += 1;
    }
    if t.get(i).is_some_and(|w| w.eq_ignore_ascii_case(b"not")) {
        i += 1;
    }
    let Some(kw) = t.get(i) else {
        return false;
    };
    let consequent = |k: usize| -> bool {
        t.get(k).is_some_and(|w| {
            w.first() == Some(&b'(')
                || BATCH_CONSEQUENTS.iter().any(|c| {
                    c.as_bytes()
                        .eq_ignore_ascii_case(w.strip_prefix(b"@").unwrap_or(w))
                })
        })
    };
    if kw.eq_ignore_ascii_case(b"errorlevel") || kw.eq_ignore_ascii_case(b"cmdextversion") {
        return t
            .get(i + 1)
            .is_some_and(|n| n.iter().all(u8::is_ascii_digit))
            && t.get(i + 2).is_some();
    }
    if kw.eq_ignore_ascii_case(b"exist") || kw.eq_ignore_ascii_case(b"defined") {
        return t.get(i + 1).is_some() && (consequent(i + 2) || strong && t.get(i + 2).is_some());
    }
    // Comparisons.
    let vars = t.iter().take(i + 4).any(|w| batch_var(w));
    let (next, cmp) = if kw.windows(2).any(|w| w == b"==") {
        (i + 1, true)
    } else if t.get(i + 1).is_some_and(|op| {
        op.starts_with(b"==")
            || [&b"equ"[..], b"neq", b"lss", b"leq", b"gtr", b"geq"]
                .iter()
                .any(|o| o.eq_ignore_ascii_case(op))
    }) {
        (i + 3, true)
    } else {
        (i + 1, false)
    };
    if !cmp {
        return false;
    }
    if vars {
        return true;
    }
    consequent(next) || strong && t.get(next).is_some()
}

/// SMTP / POP3 / IMAP commands on a line of their own after a line break:
/// mail-protocol command injection through CRLF.
fn mail_command(v: &[u8]) -> Option<Found> {
    if !v.contains(&b'\n') {
        return None;
    }
    let mut offset = 0;
    let mut first = true;
    for line in v.split(|&b| b == b'\n') {
        let here = offset;
        offset += line.len() + 1;
        if first {
            first = false;
            continue;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.strip_prefix(b" ").unwrap_or(line);
        if mail_line(line) {
            return Some(Found::new(
                "cmdi.mail_command",
                "mail protocol (SMTP/POP3/IMAP) command after a line break",
                here,
                (here + line.len()).min(v.len()),
            ));
        }
    }
    None
}

fn mail_line(l: &[u8]) -> bool {
    let mut words = l.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let Some(w0) = words.next() else {
        return false;
    };
    let rest: Vec<&[u8]> = words.take(8).collect();
    let num =
        |w: Option<&&[u8]>| w.is_some_and(|x| !x.is_empty() && x.iter().all(u8::is_ascii_digit));
    // SMTP (verbs are uppercase on the wire in injections).
    if l.starts_with(b"MAIL FROM:") || l.starts_with(b"RCPT TO:") {
        return true;
    }
    if (w0 == b"EHLO" || w0 == b"HELO") && rest.len() == 1 {
        return true;
    }
    if matches!(w0, b"DATA" | b"QUIT" | b"RSET" | b"NOOP" | b"STARTTLS") && rest.is_empty() {
        return true;
    }
    if matches!(w0, b"AUTH" | b"APOP" | b"VRFY" | b"EXPN" | b"HELP")
        && !rest.is_empty()
        && rest.len() <= 2
    {
        return w0 != b"HELP" || rest.len() == 1;
    }
    // POP3: verb and numbers only.
    let pop = [&b"retr"[..], b"dele", b"top", b"list", b"uidl", b"stat"];
    if pop.iter().any(|p| p.eq_ignore_ascii_case(w0))
        && !rest.is_empty()
        && rest.iter().all(|w| num(Some(w)))
    {
        return true;
    }
    // IMAP: `tag COMMAND …` with a tag that carries a digit, or IMAP
    // syntax in the arguments.
    const IMAP: &[&str] = &[
        "login",
        "authenticate",
        "select",
        "examine",
        "create",
        "delete",
        "rename",
        "subscribe",
        "list",
        "lsub",
        "status",
        "append",
        "check",
        "close",
        "expunge",
        "search",
        "fetch",
        "store",
        "copy",
        "uid",
        "capability",
        "logout",
        "idle",
    ];
    let tagged = w0.len() <= 10 && w0.iter().all(u8::is_ascii_alphanumeric);
    if tagged {
        if let Some(cmd) = rest.first() {
            if IMAP.iter().any(|c| c.as_bytes().eq_ignore_ascii_case(cmd)) {
                let digit = w0.iter().any(u8::is_ascii_digit);
                let syntax = rest.iter().any(|w| {
                    w.starts_with(b"(\\") || w.starts_with(b"+FLAGS") || w.starts_with(b"\"INBOX")
                });
                return digit || syntax;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------
// The shell lexer.

/// Quote state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Operators that end a simple command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    End,
    Semi,
    Newline,
    Amp,
    AndAnd,
    Pipe,
    OrOr,
    Open,
    Close,
}

/// Where a simple command starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pos {
    /// The start of the value, unquoted.
    Start,
    /// After a separator; `trusted` when it is close to the start of the
    /// value or follows another command.
    Sep { trusted: bool, op: Op },
    /// Inside `$(…)`, `<(…)` (`backtick` false) or `` `…` ``.
    Subst { trusted: bool, backtick: bool },
    /// Inside an exec-style call's string argument.
    Exec,
    /// Words after a quote breakout: arguments of the host command.
    Arg,
}

impl Pos {
    fn trusted(self) -> bool {
        match self {
            Pos::Start | Pos::Exec | Pos::Arg => true,
            Pos::Sep { trusted, .. } | Pos::Subst { trusted, .. } => trusted,
        }
    }
}

// Word flags.
const W_QUOTED: u32 = 1;
const W_LITERAL: u32 = 1 << 1;
const W_ESCAPE: u32 = 1 << 2;
const W_EMPTY_EXP: u32 = 1 << 3;
const W_EXPANSION: u32 = 1 << 4;
const W_VAR_TEXT: u32 = 1 << 5;
const W_IFS: u32 = 1 << 6;
const W_GLOB: u32 = 1 << 7;
const W_BRACE: u32 = 1 << 8;
const W_SUBST: u32 = 1 << 9;
const W_ASSIGN: u32 = 1 << 10;
const W_REDIR: u32 = 1 << 11;
const W_HERE: u32 = 1 << 12;
const W_QUOTE_SPLIT: u32 = 1 << 13;

/// Flags that show deliberate obfuscation of a word.
const W_OBFUSCATED: u32 = W_ESCAPE | W_EMPTY_EXP | W_VAR_TEXT | W_IFS | W_QUOTE_SPLIT;

/// One word of a simple command: a range of the scanner's arena.
#[derive(Clone, Copy, Debug, Default)]
struct Word {
    start: usize,
    end: usize,
    flags: u32,
    raw_start: usize,
    /// Positions (arena offsets) of unquoted `{`, first `,`, matching `}`.
    brace: Option<(usize, usize)>,
}

/// Longest dequoted word kept (longer words are truncated).
const MAX_WORD: usize = 256;
/// Most words kept per simple command.
const MAX_WORDS: usize = 24;
/// Deepest nesting of substitutions followed.
const MAX_DEPTH: u8 = 4;
/// Words before a separator for it to count as a breakout.
const NEAR_START_WORDS: usize = 3;

struct Scanner<'d> {
    det: &'d Cmdi,
    found: Option<Found>,
    /// Shell variables assigned in the value (`a=/etc`), bounded.
    vars: Vec<(Vec<u8>, Vec<u8>)>,
    /// Remaining work units (bytes scanned), a guard against
    /// super-linear nesting.
    budget: usize,
    /// Remaining glob resolutions.
    globs: u8,
    /// A bare command after a separator, confirmed by what follows it.
    pending: Option<Found>,
    /// Start the first command inside a word (the quoted data before a
    /// quote breakout).
    seed: bool,
    /// Whether assignments are recorded (the value contains `$`).
    record_vars: bool,
    /// Reusable command buffers, one per nesting depth.
    pool: [Cmd; MAX_DEPTH as usize + 2],
}

/// The simple command being built.
#[derive(Default)]
struct Cmd {
    arena: Vec<u8>,
    words: Vec<Word>,
    /// The word in progress.
    cur: Option<Word>,
    /// The next word is a redirection target (`>`, `<`), here-string.
    redir_next: u32,
    redirs: u32,
    raw_start: usize,
    /// Words counted (including ones beyond `MAX_WORDS`).
    count: usize,
    /// Words made only of letters (prose-like), counted like `count`.
    prose: usize,
    /// Whether the command word is (or may be) a command, once known.
    first_known: Option<bool>,
}

impl Cmd {
    fn reset(&mut self, raw_start: usize) {
        if self.arena.capacity() == 0 {
            self.arena.reserve(128);
            self.words.reserve(MAX_WORDS);
        }
        self.arena.clear();
        self.words.clear();
        self.cur = None;
        self.redir_next = 0;
        self.redirs = 0;
        self.raw_start = raw_start;
        self.count = 0;
        self.prose = 0;
        self.first_known = None;
    }

    fn push(&mut self, raw: usize, b: u8, flag: u32) {
        let len = self.arena.len();
        let w = self.cur.get_or_insert(Word {
            start: len,
            end: len,
            flags: 0,
            raw_start: raw,
            brace: None,
        });
        w.flags |= flag;
        if len - w.start < MAX_WORD {
            self.arena.push(b);
            w.end = len + 1;
        }
    }

    fn push_run(&mut self, raw: usize, bytes: &[u8], flag: u32) {
        let len = self.arena.len();
        let w = self.cur.get_or_insert(Word {
            start: len,
            end: len,
            flags: 0,
            raw_start: raw,
            brace: None,
        });
        w.flags |= flag;
        let room = MAX_WORD.saturating_sub(len - w.start);
        let take = bytes.get(..bytes.len().min(room)).unwrap_or_default();
        self.arena.extend_from_slice(take);
        w.end = self.arena.len();
    }

    fn flag(&mut self, raw: usize, flag: u32) {
        let len = self.arena.len();
        let w = self.cur.get_or_insert(Word {
            start: len,
            end: len,
            flags: 0,
            raw_start: raw,
            brace: None,
        });
        w.flags |= flag;
    }

    /// Ends the current word. Words made only of empty expansions vanish.
    fn end_word(&mut self) {
        let Some(mut w) = self.cur.take() else {
            return;
        };
        w.end = self.arena.len();
        if w.start == w.end && w.flags & (W_QUOTED | W_SUBST) == 0 {
            return;
        }
        if self.redir_next != 0 {
            w.flags |= self.redir_next;
            self.redir_next = 0;
        }
        // `name=value` before the command: an assignment.
        if self
            .words
            .iter()
            .all(|x| x.flags & (W_ASSIGN | W_REDIR) != 0)
            && w.flags & W_REDIR == 0
        {
            if let Some(text) = self.arena.get(w.start..w.end) {
                if let Some(eq) = text.iter().position(|&b| b == b'=') {
                    let name = text.get(..eq).unwrap_or_default();
                    if !name.is_empty()
                        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
                        && !name.first().is_some_and(u8::is_ascii_digit)
                    {
                        w.flags |= W_ASSIGN;
                    }
                }
            }
        }
        self.count += 1;
        let text = self.arena.get(w.start..w.end).unwrap_or_default();
        let body = text
            .strip_suffix(b",")
            .or_else(|| text.strip_suffix(b"."))
            .or_else(|| text.strip_suffix(b":"))
            .unwrap_or(text);
        if body.len() >= 2 && body.iter().all(u8::is_ascii_alphabetic) {
            self.prose += 1;
        }
        if self.words.len() < MAX_WORDS {
            self.words.push(w);
        }
    }
}

impl<'d> Scanner<'d> {
    fn new(det: &'d Cmdi, len: usize) -> Scanner<'d> {
        Scanner {
            det,
            found: None,
            vars: Vec::new(),
            budget: len.saturating_mul(6).saturating_add(4096),
            globs: 4,
            pending: None,
            seed: false,
            record_vars: true,
            pool: Default::default(),
        }
    }

    /// Prepares the scanner for another context of the same value.
    fn restart(&mut self, len: usize) {
        self.found = None;
        self.vars.clear();
        self.budget = len.saturating_mul(6).saturating_add(4096);
        self.globs = 4;
        self.pending = None;
        self.seed = false;
    }

    fn spend(&mut self, n: usize) -> bool {
        self.budget = self.budget.saturating_sub(n);
        self.budget > 0
    }

    /// Lexes `t[a..b]` as a command list starting at `pos` in quote state
    /// `q`.
    fn seq(&mut self, t: &[u8], a: usize, b: usize, pos: Pos, q: Quote, depth: u8) {
        // Nothing inside an untrusted position can be a breakout.
        if !pos.trusted() || !self.spend(b.saturating_sub(a)) {
            return;
        }
        let outer = self.pending.take();
        // Command buffers are reused across calls (no allocation per
        // simple command).
        let slot = usize::from(depth);
        let mut cmd = self
            .pool
            .get_mut(slot)
            .map(std::mem::take)
            .unwrap_or_default();
        self.seq_inner(t, a, b, pos, q, depth, &mut cmd);
        if let Some(s) = self.pool.get_mut(slot) {
            *s = cmd;
        }
        if let Some(p) = self.pending.take() {
            self.found = self.found.or(Some(p));
        }
        self.pending = outer;
    }

    #[allow(clippy::too_many_arguments)]
    fn seq_inner(
        &mut self,
        t: &[u8],
        a: usize,
        b: usize,
        pos: Pos,
        q: Quote,
        depth: u8,
        cmd: &mut Cmd,
    ) {
        cmd.reset(a);
        if std::mem::take(&mut self.seed) {
            cmd.flag(a, W_QUOTED);
        }
        let mut pos = pos;
        let mut quote = q;
        let mut prev_known = false;
        let mut i = a;
        while i < b && self.found.is_none() {
            let Some(&c) = t.get(i) else {
                break;
            };
            match quote {
                Quote::Single => {
                    if c == b'\'' {
                        quote = Quote::None;
                        cmd.flag(i, W_QUOTED);
                    } else {
                        cmd.push(i, c, W_QUOTED);
                    }
                    i += 1;
                    continue;
                }
                Quote::Double => {
                    match c {
                        b'"' => {
                            quote = Quote::None;
                            cmd.flag(i, W_QUOTED);
                            i += 1;
                        }
                        b'\\' => {
                            match t.get(i + 1) {
                                Some(&n @ (b'$' | b'`' | b'"' | b'\\')) => cmd.push(i, n, W_QUOTED),
                                Some(b'\n') => {}
                                Some(&n) => {
                                    cmd.push(i, b'\\', W_QUOTED);
                                    cmd.push(i, n, W_QUOTED);
                                }
                                None => cmd.push(i, b'\\', W_QUOTED),
                            }
                            i += 2;
                        }
                        b'$' => i = self.dollar(t, i, b, cmd, pos, true, depth),
                        b'`' => i = self.backtick(t, i, b, cmd, pos, depth),
                        _ => {
                            cmd.push(i, c, W_QUOTED);
                            i += 1;
                        }
                    }
                    continue;
                }
                Quote::None => {}
            }
            // Unquoted.
            match c {
                b' ' | b'\t' | b'\r' => {
                    cmd.end_word();
                    i += 1;
                    if cmd.count > NEAR_START_WORDS && self.pending.is_none() && self.doomed(cmd) {
                        // Prose that no command starts: neither this command
                        // nor anything after it can be a breakout.
                        return;
                    }
                }
                b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                    // `&>` and `>&` are redirections, not separators.
                    if c == b'&' && t.get(i + 1) == Some(&b'>') {
                        cmd.end_word();
                        i = self.redirect(t, i + 1, b, cmd, pos, depth);
                        continue;
                    }
                    // `(` right after a word without blank: `$(` handled in
                    // `dollar`; `f()` / `IEX(` end the command.
                    let (op, len) = match (c, t.get(i + 1)) {
                        (b'\n', _) => (Op::Newline, 1),
                        (b';', _) => (Op::Semi, 1),
                        (b'&', Some(b'&')) => (Op::AndAnd, 2),
                        (b'&', _) => (Op::Amp, 1),
                        (b'|', Some(b'|')) => (Op::OrOr, 2),
                        (b'|', Some(b'&')) => (Op::Pipe, 2),
                        (b'|', _) => (Op::Pipe, 1),
                        (b'(', _) => (Op::Open, 1),
                        _ => (Op::Close, 1),
                    };
                    cmd.end_word();
                    let known = self.finish(t, cmd, pos, op, prev_known, depth);
                    pos = self.next_pos(pos, cmd, known, op);
                    if !pos.trusted() {
                        // Prose before this separator: nothing after it is a
                        // breakout, and every later position inherits that.
                        return;
                    }
                    prev_known = known && matches!(op, Op::Pipe | Op::AndAnd | Op::OrOr);
                    i += len;
                    cmd.reset(i);
                }
                b'<' | b'>' => {
                    if t.get(i + 1) == Some(&b'(') {
                        // Process substitution <(…) / >(…).
                        let end = self.find_close(t, i + 2, b, b'(', b')');
                        cmd.flag(i, W_SUBST | W_EXPANSION);
                        let trusted = subst_trusted(t, pos, words_before(cmd), end.unwrap_or(b), b);
                        self.seq(
                            t,
                            i + 2,
                            end.unwrap_or(b),
                            Pos::Subst {
                                trusted,
                                backtick: false,
                            },
                            Quote::None,
                            depth + 1,
                        );
                        i = end.map_or(b, |e| e + 1);
                        continue;
                    }
                    // A word of digits before it is a file descriptor.
                    if let Some(w) = cmd.cur {
                        let text = cmd.arena.get(w.start..).unwrap_or_default();
                        if w.flags & W_QUOTED == 0
                            && !text.is_empty()
                            && text.iter().all(u8::is_ascii_digit)
                        {
                            cmd.arena.truncate(w.start);
                            cmd.cur = None;
                        }
                    }
                    cmd.end_word();
                    i = self.redirect(t, i, b, cmd, pos, depth);
                }
                b'\'' => {
                    quote = Quote::Single;
                    cmd.flag(i, W_QUOTED);
                    i += 1;
                }
                b'"' => {
                    quote = Quote::Double;
                    cmd.flag(i, W_QUOTED);
                    i += 1;
                }
                b'\\' => {
                    match t.get(i + 1) {
                        Some(b'\n') => {}
                        Some(&n) => {
                            let flag = if n.is_ascii_alphanumeric() {
                                W_ESCAPE
                            } else {
                                W_LITERAL
                            };
                            cmd.push(i, n, flag);
                        }
                        None => cmd.push(i, b'\\', W_LITERAL),
                    }
                    i += 2;
                }
                b'$' => i = self.dollar(t, i, b, cmd, pos, false, depth),
                b'`' => i = self.backtick(t, i, b, cmd, pos, depth),
                b'#' if cmd.cur.is_none() => {
                    // Comment to the end of the line.
                    i = t
                        .get(i..b)
                        .and_then(|r| r.iter().position(|&x| x == b'\n'))
                        .map_or(b, |p| i + p);
                }
                b'{' | b'}' | b',' => {
                    let at = cmd.arena.len();
                    cmd.push(i, c, W_LITERAL);
                    if let Some(w) = cmd.cur.as_mut() {
                        match (c, w.brace) {
                            (b'{', None) => w.brace = Some((at, usize::MAX)),
                            (b'}', Some((o, _))) if o != usize::MAX => {
                                w.brace = Some((o, at));
                                let inner = cmd.arena.get(o..at).unwrap_or_default();
                                if inner.contains(&b',') {
                                    w.flags |= W_BRACE;
                                }
                            }
                            _ => {}
                        }
                    }
                    i += 1;
                }
                b'*' | b'?' | b'[' => {
                    cmd.push(i, c, W_GLOB | W_LITERAL);
                    i += 1;
                }
                _ => {
                    // A run of plain bytes goes in at once.
                    let rest = t.get(i..b).unwrap_or_default();
                    let run = rest
                        .iter()
                        .position(|&x| !plain_byte(x))
                        .unwrap_or(rest.len())
                        .max(1);
                    cmd.push_run(i, rest.get(..run).unwrap_or_default(), W_LITERAL);
                    i += run;
                }
            }
        }
        if self.found.is_none() {
            cmd.end_word();
            self.finish(t, cmd, pos, Op::End, prev_known, depth);
        }
    }

    /// Whether the command being built can neither flag nor leave a
    /// trusted position behind: its first word is not a command (nor built
    /// by expansions, braces or globs) and it already has too many words
    /// (see [`Scanner::next_pos`]).
    fn doomed(&mut self, cmd: &mut Cmd) -> bool {
        if !(cmd.count > 8 || cmd.prose > 1) {
            return false;
        }
        if cmd.first_known.is_none() {
            let arena = &cmd.arena;
            let first = cmd.words.iter().find(|w| {
                let text = arena.get(w.start..w.end).unwrap_or_default();
                w.flags & (W_ASSIGN | W_REDIR) == 0 && !is_keyword(text)
            });
            let known = first.is_none_or(|w| {
                let text = arena.get(w.start..w.end).unwrap_or_default();
                w.flags & (W_BRACE | W_GLOB | W_EXPANSION | W_SUBST) != 0
                    || text.eq_ignore_ascii_case(b"%comspec%")
                    || self.det.resolve(text).is_some()
            });
            cmd.first_known = Some(known);
        }
        cmd.first_known == Some(false)
    }

    /// The position after a separator.
    fn next_pos(&self, pos: Pos, cmd: &Cmd, known: bool, op: Op) -> Pos {
        // Close to the start: few words, and few of them prose
        // (`127.0.0.1 -n 21 ||` is an argument list, `I came;` is not).
        let near = cmd.count <= NEAR_START_WORDS
            || cmd.prose <= 1 && cmd.count <= 8
            || known && cmd.count <= 8;
        let trusted = pos.trusted() && near;
        match (pos, op) {
            // `(` right at a command position keeps it (`;(sh)`).
            (p, Op::Open) if cmd.count == 0 && p != Pos::Arg => p,
            _ => Pos::Sep { trusted, op },
        }
    }

    /// Parses a redirection operator at `i` (`<`, `>`, `>>`, `<<<`, `>&`,
    /// `>|`) and marks the next word as its target.
    fn redirect(
        &mut self,
        t: &[u8],
        i: usize,
        b: usize,
        cmd: &mut Cmd,
        _pos: Pos,
        _depth: u8,
    ) -> usize {
        let mut j = i;
        let mut here = 0;
        while j < b && matches!(t.get(j), Some(b'<' | b'>' | b'|')) && j - i < 3 {
            if t.get(j) == Some(&b'<') {
                here += 1;
            }
            j += 1;
        }
        if t.get(j) == Some(&b'&') {
            j += 1;
        }
        cmd.redirs += 1;
        cmd.redir_next = if here >= 3 { W_REDIR | W_HERE } else { W_REDIR };
        j.max(i + 1)
    }

    /// Finds the byte closing a `(`…`)` / `{`…`}` group that starts before
    /// `from`, skipping quotes and escapes.
    fn find_close(
        &mut self,
        t: &[u8],
        from: usize,
        b: usize,
        open: u8,
        close: u8,
    ) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = from;
        let mut q = Quote::None;
        let limit = b.min(t.len());
        while i < limit {
            let c = *t.get(i)?;
            match q {
                Quote::Single => {
                    if c == b'\'' {
                        q = Quote::None;
                    }
                }
                Quote::Double => {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' {
                        q = Quote::None;
                    }
                }
                Quote::None => {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'\'' && open == b'(' {
                        q = Quote::Single;
                    } else if c == b'"' {
                        q = Quote::Double;
                    } else if c == open {
                        depth += 1;
                    } else if c == close {
                        if depth == 0 {
                            self.spend(i - from);
                            return Some(i);
                        }
                        depth -= 1;
                    }
                }
            }
            i += 1;
        }
        self.spend(limit.saturating_sub(from));
        None
    }

    /// `` `…` `` command substitution at `i`.
    fn backtick(
        &mut self,
        t: &[u8],
        i: usize,
        b: usize,
        cmd: &mut Cmd,
        pos: Pos,
        depth: u8,
    ) -> usize {
        let mut j = i + 1;
        while j < b {
            match t.get(j) {
                Some(b'\\') => j += 2,
                Some(b'`') => break,
                Some(_) => j += 1,
                None => break,
            }
        }
        let end = j.min(b);
        let had_text = cmd.cur.is_some_and(|w| cmd.arena.len() > w.start);
        cmd.flag(i, W_SUBST | W_EXPANSION);
        if had_text || t.get(end + 1).is_some_and(|c| c.is_ascii_alphanumeric()) {
            cmd.flag(i, W_EMPTY_EXP);
        }
        if depth < MAX_DEPTH {
            // Markdown code spans follow a word (`try \`ls\``): a backtick
            // breakout has nothing but glued text before it.
            let trusted = words_before(cmd) == 0 && subst_trusted(t, pos, 0, end, b);
            if !trusted {
                return (end + 1).min(b.max(i + 1));
            }
            self.seq(
                t,
                i + 1,
                end,
                Pos::Subst {
                    trusted,
                    backtick: true,
                },
                Quote::None,
                depth + 1,
            );
        }
        (end + 1).min(b.max(i + 1))
    }

    /// `$…` at `i`: variables, `${…}`, `$(…)`, `$((…))`, `$'…'`.
    #[allow(clippy::too_many_arguments)]
    fn dollar(
        &mut self,
        t: &[u8],
        i: usize,
        b: usize,
        cmd: &mut Cmd,
        pos: Pos,
        quoted: bool,
        depth: u8,
    ) -> usize {
        let qflag = if quoted { W_QUOTED } else { 0 };
        let had_text = cmd.cur.is_some_and(|w| cmd.arena.len() > w.start);
        match t.get(i + 1).copied() {
            Some(b'(') => {
                let end = self.find_close(t, i + 2, b, b'(', b')');
                cmd.flag(i, W_SUBST | W_EXPANSION | qflag);
                let next_alnum = end
                    .and_then(|e| t.get(e + 1))
                    .is_some_and(|c| c.is_ascii_alphanumeric());
                if had_text || next_alnum {
                    cmd.flag(i, W_EMPTY_EXP);
                }
                if depth < MAX_DEPTH {
                    let arith = t.get(i + 2) == Some(&b'(');
                    let inner = if arith { i + 3 } else { i + 2 };
                    let trusted = subst_trusted(t, pos, words_before(cmd), end.unwrap_or(b), b);
                    self.seq(
                        t,
                        inner.min(b),
                        end.unwrap_or(b).max(inner.min(b)),
                        Pos::Subst {
                            trusted,
                            backtick: false,
                        },
                        Quote::None,
                        depth + 1,
                    );
                }
                end.map_or(b, |e| e + 1)
            }
            Some(b'{') => {
                let end = self.find_close(t, i + 2, b, b'{', b'}');
                let inner_end = end.unwrap_or(b);
                let inner = t.get(i + 2..inner_end).unwrap_or_default();
                if inner.contains(&b'`') || inner.windows(2).any(|w| w == b"$(") {
                    if depth < MAX_DEPTH {
                        let trusted = subst_trusted(t, pos, words_before(cmd), inner_end, b);
                        self.seq(
                            t,
                            i + 2,
                            inner_end,
                            Pos::Subst {
                                trusted,
                                backtick: false,
                            },
                            Quote::None,
                            depth + 1,
                        );
                    }
                    cmd.flag(i, W_SUBST | W_EXPANSION);
                } else {
                    let name_len = inner
                        .iter()
                        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                        .unwrap_or(inner.len());
                    let name = inner.get(..name_len).unwrap_or_default();
                    let value = self.param(name, inner.get(name_len..).unwrap_or_default());
                    self.expand(cmd, i, &value, quoted, had_text);
                }
                end.map_or(b, |e| e + 1)
            }
            Some(b'[') => {
                // $[…] arithmetic: a number.
                let end = self.find_close(t, i + 2, b, b'[', b']');
                cmd.flag(i, W_EXPANSION | qflag);
                end.map_or(b, |e| e + 1)
            }
            Some(b'\'') if !quoted => {
                // ANSI-C quoting.
                let mut j = i + 2;
                while j < b {
                    match t.get(j) {
                        Some(b'\'') => break,
                        Some(b'\\') => {
                            let (byte, used) = ansi_escape(t.get(j + 1..b).unwrap_or_default());
                            if let Some(byte) = byte {
                                cmd.push(j, byte, W_QUOTED | W_ESCAPE);
                            }
                            j += 1 + used;
                        }
                        Some(&c) => {
                            cmd.push(j, c, W_QUOTED);
                            j += 1;
                        }
                        None => break,
                    }
                }
                cmd.flag(i, W_QUOTED);
                (j + 1).min(b.max(i + 2))
            }
            Some(b'"') if !quoted => {
                // $"…" is a double-quoted string.
                cmd.flag(i, W_QUOTED);
                i + 1
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let rest = t.get(i + 1..b).unwrap_or_default();
                let n = rest
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .unwrap_or(rest.len());
                let name = rest.get(..n).unwrap_or_default();
                let value = self.param(name, &[]);
                self.expand(cmd, i, &value, quoted, had_text);
                i + 1 + n
            }
            Some(c)
                if c.is_ascii_digit()
                    || matches!(c, b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') =>
            {
                let value: &[u8] = if c == b'0' { b"sh" } else { b"" };
                self.expand(cmd, i, value, quoted, had_text);
                i + 2
            }
            _ => {
                cmd.push(i, b'$', W_LITERAL | qflag);
                i + 1
            }
        }
    }

    /// The value of `$name` / `${name<op>}`.
    fn param(&self, name: &[u8], op: &[u8]) -> Vec<u8> {
        let base: Vec<u8> =
            if let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n.as_slice() == name) {
                v.clone()
            } else {
                match name {
                    b"IFS" => b" ".to_vec(),
                    b"SHELL" => b"/bin/sh".to_vec(),
                    b"BASH" => b"/bin/bash".to_vec(),
                    b"PATH" => b"/usr/local/bin:/usr/bin:/bin".to_vec(),
                    b"HOME" => b"/root".to_vec(),
                    b"PWD" => b"/".to_vec(),
                    _ => Vec::new(),
                }
            };
        // ${NAME:offset:length}
        if let Some(spec) = op.strip_prefix(b":") {
            let mut parts = spec.splitn(2, |&b| b == b':');
            let off = parts.next().and_then(parse_num);
            let len = parts.next().and_then(parse_num);
            if let Some(off) = off {
                let from = off.min(base.len());
                let to = len.map_or(base.len(), |l| (from + l).min(base.len()));
                return base.get(from..to).unwrap_or_default().to_vec();
            }
        }
        base
    }

    /// Appends an expansion's value to the current word (unquoted values
    /// split on blanks, like the shell's field splitting).
    fn expand(&mut self, cmd: &mut Cmd, i: usize, value: &[u8], quoted: bool, had_text: bool) {
        let qflag = if quoted { W_QUOTED } else { 0 };
        let _ = had_text;
        if value.is_empty() {
            // The word may gain text later (`c$@at`): an empty expansion
            // inside a word is obfuscation; alone, the word vanishes.
            cmd.flag(i, W_EXPANSION | W_EMPTY_EXP | qflag);
            return;
        }
        for &c in value.iter().take(MAX_WORD) {
            if !quoted && (c == b' ' || c == b'\t' || c == b'\n') {
                if cmd.cur.is_some() {
                    cmd.flag(i, W_IFS);
                    cmd.end_word();
                }
                // The next word carries the split mark too.
                cmd.flag(i, W_IFS);
                continue;
            }
            cmd.push(i, c, W_EXPANSION | W_VAR_TEXT | qflag);
        }
    }

    /// Ends a simple command: records assignments, judges it. Returns
    /// whether its command word is a known command.
    fn finish(
        &mut self,
        t: &[u8],
        cmd: &mut Cmd,
        pos: Pos,
        op: Op,
        prev_known: bool,
        depth: u8,
    ) -> bool {
        let words: Vec<Word> = std::mem::take(&mut cmd.words);
        let arena = std::mem::take(&mut cmd.arena);
        let mut k = 0;
        // Assignments.
        while let Some(w) = words.get(k) {
            if w.flags & W_ASSIGN == 0 {
                break;
            }
            let text = arena.get(w.start..w.end).unwrap_or_default();
            if let Some(eq) = text.iter().position(|&b| b == b'=') {
                // Variables only matter when the value expands some.
                if self.record_vars && self.vars.len() < 16 {
                    let name = text.get(..eq).unwrap_or_default().to_vec();
                    let value: Vec<u8> = text
                        .get(eq + 1..)
                        .unwrap_or_default()
                        .iter()
                        .take(64)
                        .copied()
                        .collect();
                    self.vars.push((name, value));
                }
            }
            k += 1;
        }
        let prev = self.pending.take();
        let known = self.judge(t, &arena, &words, k, cmd.redirs, pos, op, prev_known, depth);
        let first_word = words
            .iter()
            .skip(k)
            .find(|w| w.flags & W_REDIR == 0 && w.end > w.start)
            .and_then(|w| arena.get(w.start..w.end));
        let has_word = first_word.is_some();
        // A list item (`name`, `email`) rather than command syntax.
        let listy =
            first_word.is_some_and(|w| w.len() >= 2 && w.iter().all(u8::is_ascii_alphabetic));
        cmd.arena = arena;
        cmd.words = words;
        if let Some(p) = prev {
            if !has_word {
                // Nothing yet: keep waiting (`;id;` then the end).
                self.pending = self.pending.or(Some(p));
            } else if (known || !listy) && self.found.is_none() {
                self.found = Some(p);
            }
        }
        known
    }

    /// Judges the simple command `words[k..]`.
    #[allow(clippy::too_many_arguments)]
    fn judge(
        &mut self,
        t: &[u8],
        arena: &[u8],
        words: &[Word],
        k: usize,
        redirs: u32,
        pos: Pos,
        op: Op,
        prev_known: bool,
        depth: u8,
    ) -> bool {
        let text = |w: &Word| arena.get(w.start..w.end).unwrap_or_default();
        // Fast path: an unknown plain command word (most prose).
        let Some(first) = words.iter().skip(k).find(|w| w.flags & W_REDIR == 0) else {
            return false;
        };
        // The command word's resolution, kept for the lookups below of the
        // same text (resolution depends on the text only).
        let det = self.det;
        let mut memo: Option<(&[u8], Option<Resolved>)> = None;
        if first.flags & (W_BRACE | W_GLOB) == 0 {
            let ft = text(first);
            let r = if is_keyword(ft) {
                None
            } else {
                let r = det.resolve(ft);
                memo = Some((ft, r));
                r
            };
            let plain = !is_keyword(ft) && !ft.eq_ignore_ascii_case(b"%comspec%") && r.is_none();
            let trusted_sep = matches!(
                pos,
                Pos::Sep { trusted: true, .. } | Pos::Subst { trusted: true, .. }
            );
            let maybe_target = trusted_sep
                && words
                    .iter()
                    .skip(k)
                    .any(|w| matches!(arena.get(w.start), Some(b'/' | b'\\' | b'\'' | b'"')));
            if plain && !maybe_target {
                return false;
            }
        }
        // Expand braces of the command word: {cat,/etc/passwd}.
        let mut argv: Vec<Arg<'_>> = Vec::with_capacity(words.len());
        for (idx, w) in words.iter().enumerate().skip(k) {
            if w.flags & W_REDIR != 0 {
                continue;
            }
            if idx == k && w.flags & W_BRACE != 0 {
                if let Some((o, c)) = w.brace {
                    let s = text(w);
                    let (o, c) = (o.saturating_sub(w.start), c.saturating_sub(w.start));
                    let prefix = s.get(..o).unwrap_or_default();
                    let suffix = s.get(c + 1..).unwrap_or_default();
                    for alt in s
                        .get(o + 1..c)
                        .unwrap_or_default()
                        .split(|&b| b == b',')
                        .take(8)
                    {
                        let mut x = prefix.to_vec();
                        x.extend_from_slice(alt);
                        x.extend_from_slice(suffix);
                        if !x.is_empty() {
                            argv.push((Cow::Owned(x), w.flags));
                        }
                    }
                    continue;
                }
            }
            argv.push((Cow::Borrowed(text(w)), w.flags));
        }
        let resolve = |w: &[u8]| match memo {
            Some((t, r)) if t == w => r,
            _ => det.resolve(w),
        };
        // Skip keywords and wrappers.
        let mut c = 0;
        let mut wrapped = false;
        let mut wrapper_obfuscated = false;
        while let Some((w, wf)) = argv.get(c) {
            let wf = *wf;
            let lw: &[u8] = w;
            if is_keyword(lw) {
                // `{` opens a group only when a separator ends its list
                // before the `}` (`{ id; }`): a `}` word in the same simple
                // command (`{ id }`, GraphQL selections) is no group.
                if lw == b"{" && argv.iter().skip(c + 1).any(|(a, _)| a.as_ref() == b"}") {
                    return false;
                }
                c += 1;
                continue;
            }
            let Some(r) = resolve(lw) else {
                break;
            };
            if r.flags & WRAP == 0 || argv.get(c + 1).is_none() {
                break;
            }
            // The wrapped command follows its options.
            let mut n = c + 1;
            while let Some((a, _)) = argv.get(n) {
                let opt = a.first() == Some(&b'-') || a.iter().all(u8::is_ascii_digit);
                if !opt {
                    break;
                }
                n += 1;
            }
            let inner = argv.get(n).and_then(|(a, _)| resolve(a));
            if inner.is_none() {
                break;
            }
            // `time`, `nice`, `exec`, `command` are words too; the others
            // only ever wrap commands.
            wrapped |= r.flags & S != 0 || inner.is_some_and(|x| x.flags & S != 0);
            wrapper_obfuscated |= obfuscated_word(wf);
            c = n;
        }
        let Some((name, name_flags)) = argv.get(c) else {
            return false;
        };
        let name_flags = *name_flags;
        let args = argv.get(c + 1..).unwrap_or_default();
        let start_raw = words.get(k).map_or(0, |w| w.raw_start);
        let end_raw = self.cmd_end(t, start_raw);
        let mut resolved = resolve(name);
        let mut glob_cmd = false;
        if resolved.is_none() && name_flags & W_GLOB != 0 && name.contains(&b'/') {
            resolved = self.glob_command(name);
            glob_cmd = resolved.is_some();
        }
        // Windows `%COMSPEC%`.
        if resolved.is_none() && name.eq_ignore_ascii_case(b"%comspec%") {
            resolved = self.det.resolve(b"cmd");
        }
        let Some(r) = resolved else {
            // Unknown command word: only a sensitive target right after a
            // trusted separator counts (`;uconv … /etc/?asswd`). A bare `/`
            // names the root only for a known command (`ls /`); after an
            // unknown word it is a slash in prose (`(24-bit color / x)`).
            if matches!(
                pos,
                Pos::Sep { trusted: true, .. } | Pos::Subst { trusted: true, .. }
            ) && args
                .iter()
                .any(|(a, f)| a.as_ref() != b"/" && self.sensitive_arg(a, *f))
                && name
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            {
                self.found = Some(Found::new(
                    "cmdi.sensitive_target",
                    "command after a separator reading a sensitive system path",
                    start_raw,
                    end_raw,
                ));
            }
            return false;
        };
        if !pos.trusted() || pos == Pos::Arg {
            return true;
        }
        let obfuscated = obfuscated_word(name_flags)
            || name_flags & W_BRACE != 0
            || r.caret
            || glob_cmd
            || wrapper_obfuscated;
        let split_quote = name_flags & W_QUOTED != 0 && name_flags & W_LITERAL != 0;
        // Prose arguments end the judgement. The evidence is computed
        // first only when it has an effect: glob arguments spend the glob
        // budget, which later commands of the value see.
        let prose_args = !obfuscated && prose(args);
        if prose_args && args.iter().all(|(_, f)| f & W_GLOB == 0) {
            return false;
        }
        let ev = self.evidence(&r, args, redirs, words, k, arena);
        if prose_args {
            return false;
        }
        let strong = r.flags & S != 0;
        let (rule, reason): (&'static str, &'static str) = if obfuscated || split_quote {
            (
                "cmdi.obfuscated_command",
                "command name obfuscated with quotes, escapes, expansions or globs",
            )
        } else {
            match pos {
                Pos::Subst { .. } => (
                    "cmdi.substitution",
                    "command substitution running a command",
                ),
                Pos::Exec => ("cmdi.exec_call", "exec-style call running a command"),
                Pos::Start => (
                    "cmdi.command_line",
                    "value is a command line with arguments that attack the host",
                ),
                _ => ("cmdi.chained_command", "command chained after a separator"),
            }
        };
        // Resolving every argument is costly on prose: only done when the
        // verdict depends on it (pure, so evaluated lazily).
        let known_arg = || {
            args.iter()
                .any(|(a, _)| det.resolve(a).is_some_and(|x| x.flags & S != 0))
        };
        let flag = if obfuscated || split_quote {
            true
        } else {
            match pos {
                Pos::Subst { backtick: true, .. } => strong || ev >= EV_MEDIUM,
                Pos::Subst { .. } | Pos::Exec => true,
                Pos::Sep { op: sep, .. } => {
                    strong
                        || ev >= EV_MEDIUM
                        || prev_known && matches!(sep, Op::Pipe | Op::AndAnd | Op::OrOr)
                        || wrapped
                }
                Pos::Start => {
                    let terminated = matches!(
                        op,
                        Op::Semi | Op::Pipe | Op::AndAnd | Op::OrOr | Op::Amp | Op::Newline
                    );
                    if strong {
                        let questioning = ev < EV_STRONG && prose_like(args);
                        !questioning
                            && (ev >= EV_MEDIUM
                                || terminated
                                || wrapped
                                || r.exe_path
                                || known_arg())
                    } else {
                        ev >= EV_STRONG || wrapped || args.len() == 1 && known_arg()
                    }
                }
                Pos::Arg => false,
            }
        };
        if flag {
            let f = Found::new(rule, reason, start_raw, end_raw);
            // A bare command in a list (`name;id;email`) is only a command
            // if what follows is a command too, or nothing.
            let bare = matches!(pos, Pos::Sep { .. } | Pos::Start)
                && args.is_empty()
                && ev == EV_NONE
                && !obfuscated
                && !split_quote
                && !wrapped;
            if bare {
                self.pending = Some(f);
            } else {
                self.found = Some(f);
            }
        }
        let _ = depth;
        true
    }

    /// Raw end of the simple command starting at `start` (next separator).
    fn cmd_end(&self, t: &[u8], start: usize) -> usize {
        t.get(start..)
            .and_then(|r| {
                r.iter()
                    .position(|&b| matches!(b, b';' | b'|' | b'&' | b'\n'))
            })
            .map_or(t.len(), |p| start + p)
    }

    fn sensitive_arg(&mut self, a: &[u8], flags: u32) -> bool {
        let value = a
            .iter()
            .position(|&b| b == b'=')
            .filter(|_| a.first() == Some(&b'-'))
            .map_or(a, |p| a.get(p + 1..).unwrap_or_default());
        if is_sensitive_path(value) {
            return true;
        }
        flags & W_GLOB != 0 && value.first() == Some(&b'/') && self.glob_sensitive(value)
    }

    /// Argument evidence for a command.
    fn evidence(
        &mut self,
        r: &Resolved,
        args: &[Arg<'_>],
        redirs: u32,
        words: &[Word],
        k: usize,
        arena: &[u8],
    ) -> u8 {
        let mut ev = EV_NONE;
        if r.exe_path {
            ev = ev.max(EV_MEDIUM);
        }
        // Redirections: to a file, a device or a here-string.
        for w in words.iter().skip(k).filter(|w| w.flags & W_REDIR != 0) {
            let target = arena.get(w.start..w.end).unwrap_or_default();
            if w.flags & W_HERE != 0
                || target.starts_with(b"/dev/")
                || target.starts_with(b"&")
                || is_sensitive_path(target)
                || script_file(target)
            {
                ev = ev.max(EV_STRONG);
            } else if target.contains(&b'/') || has_file_ext(target) {
                ev = ev.max(EV_MEDIUM);
            }
        }
        let _ = redirs;
        let mut numeric = 0;
        let mut other = 0;
        let mut sub = false;
        let mut switch = false;
        for (idx, (a, f)) in args.iter().enumerate() {
            let a: &[u8] = a;
            if f & (W_OBFUSCATED | W_SUBST) != 0 && f & W_LITERAL != 0 {
                ev = ev.max(EV_STRONG);
            }
            // A plain word (most prose) is no path, URL, IP, option or
            // file: only the sub-command and command-string checks apply.
            let plain = f & W_GLOB == 0 && !a.is_empty() && a.iter().all(u8::is_ascii_alphabetic);
            if plain {
                if idx == 0 && r.flags & SUBCMD != 0 && subcommand(a) {
                    ev = ev.max(if r.flags & S != 0 {
                        EV_STRONG
                    } else {
                        EV_MEDIUM
                    });
                    sub = true;
                    continue;
                }
                if r.flags & CMDSTR != 0 && f & W_QUOTED != 0 && self.det.resolve(a).is_some() {
                    ev = ev.max(EV_STRONG);
                    continue;
                }
                other += 1;
                continue;
            }
            if self.sensitive_arg(a, *f) {
                ev = ev.max(EV_STRONG);
                continue;
            }
            let is_url = a.windows(3).any(|w| w == b"://");
            let ip = is_ipv4(a);
            if (is_url || ip) && r.flags & NET != 0 {
                ev = ev.max(EV_STRONG);
                continue;
            }
            if is_option(a) {
                ev = ev.max(EV_MEDIUM);
                // Inline code for shells and interpreters: sh -c, perl -e.
                if r.flags & (SHELL | INTERP) != 0
                    && matches!(
                        a,
                        b"-c" | b"-e" | b"-r" | b"-i" | b"-E" | b"-enc" | b"-EncodedCommand"
                    )
                {
                    ev = ev.max(EV_STRONG);
                }
                if a == b"-e" && r.flags & NET != 0 {
                    ev = ev.max(EV_STRONG);
                }
                continue;
            }
            if r.flags & WIN != 0 && win_option(a) {
                ev = ev.max(EV_MEDIUM);
                switch = true;
                continue;
            }
            if is_url || ip || path_like(a) || batch_var(a) {
                ev = ev.max(EV_MEDIUM);
                continue;
            }
            if idx == 0 && r.flags & SUBCMD != 0 && subcommand(a) {
                // `netsh firewall …`: a strong command's sub-command is
                // decisive; `net user` needs a switch or brevity (below).
                ev = ev.max(if r.flags & S != 0 {
                    EV_STRONG
                } else {
                    EV_MEDIUM
                });
                sub = true;
                continue;
            }
            if has_file_ext(a) && !a.contains(&b'@') {
                ev = ev.max(EV_MEDIUM);
                continue;
            }
            if r.flags & CMDSTR != 0 && f & W_QUOTED != 0 {
                let first = a.split(|b| b.is_ascii_whitespace()).find(|x| !x.is_empty());
                if first.is_some_and(|x| self.det.resolve(x).is_some()) {
                    ev = ev.max(EV_STRONG);
                    continue;
                }
            }
            if a.iter().all(u8::is_ascii_digit) && !a.is_empty() || duration(a) {
                numeric += 1;
            } else {
                other += 1;
            }
        }
        // `net user x /add`, `net view`, `reg add …`; not `net user growth
        // was 10%`.
        if sub && (switch || args.len() <= 2) {
            ev = ev.max(EV_STRONG);
        }
        if r.flags & SLEEP != 0 && numeric > 0 && other == 0 {
            ev = ev.max(EV_STRONG);
        }
        if r.flags & ALIAS != 0
            && args
                .iter()
                .any(|(a, _)| a.len() > 1 && a.get(1..).is_some_and(|x| x.contains(&b'=')))
        {
            ev = ev.max(EV_STRONG);
        }
        ev
    }

    /// Resolves a glob command path (`/???/??t`, `/bi[n]/ca?`) against
    /// binaries in the standard directories.
    fn glob_command(&mut self, pat: &[u8]) -> Option<Resolved> {
        if self.globs == 0 || pat.len() > 64 || !pat.iter().any(u8::is_ascii_alphabetic) {
            return None;
        }
        self.globs -= 1;
        let cut = pat.iter().rposition(|&b| b == b'/')?;
        let (dir, base) = (pat.get(..cut)?, pat.get(cut + 1..)?);
        const DIRS: &[&[u8]] = &[
            b"/bin",
            b"/usr/bin",
            b"/sbin",
            b"/usr/sbin",
            b"/usr/local/bin",
        ];
        if !DIRS.iter().any(|d| glob_match(dir, d)) {
            return None;
        }
        self.det
            .table
            .iter()
            .find(|(n, _)| glob_match(base, n))
            .map(|(_, f)| Resolved {
                flags: *f,
                exe_path: true,
                caret: false,
            })
    }

    /// A glob argument matching a sensitive file (`/etc/pa[s]swd`,
    /// `/et*/*wd`).
    fn glob_sensitive(&mut self, pat: &[u8]) -> bool {
        if self.globs == 0 || pat.len() > 64 || !pat.iter().any(u8::is_ascii_alphabetic) {
            return false;
        }
        self.globs -= 1;
        const FILES: &[&[u8]] = &[
            b"/etc/passwd",
            b"/etc/shadow",
            b"/etc/group",
            b"/etc/hosts",
            b"/etc/issue",
            b"/etc/sudoers",
            b"/bin/sh",
            b"/bin/bash",
            b"/bin/cat",
            b"/usr/bin/id",
            b"/proc/self/environ",
        ];
        FILES.iter().any(|f| glob_match(pat, f))
    }
}

/// Whether a substitution ending at `end` is a breakout rather than code
/// quoted in prose (`run \`ls -l\` to see`): at most two words before it
/// in its command and at most one after it before the next separator.
fn subst_trusted(t: &[u8], pos: Pos, words_before: usize, end: usize, b: usize) -> bool {
    if !pos.trusted() || words_before > 1 {
        return false;
    }
    let tail = t
        .get(end.saturating_add(1)..b.min(t.len()))
        .unwrap_or_default();
    let mut words = 0;
    let mut in_word = true; // text glued to the substitution is its word
    for &c in tail.iter().take(256) {
        if matches!(c, b';' | b'|' | b'&' | b'\n' | b')' | b'`') {
            break;
        }
        if c.is_ascii_whitespace() {
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
            if words > 1 {
                return false;
            }
        }
    }
    true
}

/// The quote that can close the host's quoting: the first one, when at
/// most two words of data precede it (`x'; id`, `a@b.c"|cmd`); a quote after
/// prose (`it's`, `say "hi"`) is punctuation.
fn breakout_quote(t: &[u8], q: u8) -> Option<usize> {
    let p = t.iter().position(|&b| b == q)?;
    let words = t
        .get(..p)
        .unwrap_or_default()
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .count();
    (words <= 2).then_some(p)
}

/// Arguments that read as a sentence rather than a command line: three
/// or more plain words, or a plain word ending in `?` / `!`
/// (`ls -la shows nothing?`).
fn prose_like(args: &[Arg<'_>]) -> bool {
    let mut words = 0;
    let mut asked = false;
    for (a, _) in args {
        let body = a
            .strip_suffix(b"?")
            .or_else(|| a.strip_suffix(b"!"))
            .or_else(|| a.strip_suffix(b"."))
            .or_else(|| a.strip_suffix(b","))
            .unwrap_or(a);
        if body.len() >= 2 && body.iter().all(u8::is_ascii_alphabetic) {
            words += 1;
            asked |= body.len() < a.len() && matches!(a.last(), Some(b'?' | b'!'));
        }
    }
    words >= 3 || asked
}

/// Words before the current point of a command: completed words plus
/// blank-separated runs inside a quoted word in progress (`"see the \`x\``).
fn words_before(cmd: &Cmd) -> usize {
    let inner = cmd.cur.map_or(0, |w| {
        let text = cmd.arena.get(w.start..).unwrap_or_default();
        text.split(|b| b.is_ascii_whitespace())
            .filter(|x| !x.is_empty())
            .count()
            .saturating_sub(1)
    });
    cmd.count + inner
}

/// English function words: two of them among a command's arguments mean
/// prose (`apt-get … did the job for me`), not a command line.
fn prose(args: &[Arg<'_>]) -> bool {
    // A `match` on the bytes compiles to length and integer compares
    // rather than a scan of a table of strings.
    fn stop(w: &[u8]) -> bool {
        matches!(
            w,
            b"the"
                | b"a"
                | b"an"
                | b"to"
                | b"for"
                | b"of"
                | b"in"
                | b"on"
                | b"is"
                | b"it"
                | b"me"
                | b"my"
                | b"you"
                | b"your"
                | b"and"
                | b"or"
                | b"but"
                | b"with"
                | b"did"
                | b"does"
                | b"do"
                | b"this"
                | b"that"
                | b"was"
                | b"are"
                | b"be"
                | b"if"
                | b"not"
                | b"no"
                | b"so"
                | b"at"
                | b"as"
                | b"by"
                | b"from"
                | b"we"
                | b"i"
                | b"he"
                | b"she"
                | b"they"
                | b"what"
                | b"how"
                | b"when"
                | b"there"
                | b"then"
                | b"than"
                | b"have"
                | b"has"
                | b"can"
                | b"will"
                | b"would"
                | b"should"
                | b"please"
        )
    }
    let mut n = 0;
    for (a, _) in args.iter().take(16) {
        let w: &[u8] = a
            .strip_suffix(b".")
            .or_else(|| a.strip_suffix(b","))
            .unwrap_or(a);
        // Stop words are 1–6 letters.
        if w.is_empty() || w.len() > 6 || !w.iter().all(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut buf = [0u8; 6];
        let lower = buf.get_mut(..w.len()).unwrap_or_default();
        for (d, c) in lower.iter_mut().zip(w) {
            *d = c.to_ascii_lowercase();
        }
        let lower: &[u8] = lower;
        if stop(lower) {
            n += 1;
            if n >= 2 {
                return true;
            }
        }
    }
    false
}

/// A word whose text was obfuscated: escapes, empty or variable
/// expansions, IFS splitting, or quotes glued to unquoted letters.
fn obfuscated_word(f: u32) -> bool {
    f & W_OBFUSCATED != 0 && (f & W_LITERAL != 0 || f & W_VAR_TEXT != 0)
        || f & W_QUOTED != 0 && f & W_LITERAL != 0
}

/// Server-side script files a redirection may create (`> cmd.php`).
fn script_file(t: &[u8]) -> bool {
    const EXT: &[&str] = &[
        "php", "phtml", "jsp", "jspx", "asp", "aspx", "sh", "py", "pl", "cgi", "rb", "war",
    ];
    t.iter().rposition(|&b| b == b'.').is_some_and(|p| {
        let e = t.get(p + 1..).unwrap_or_default();
        EXT.iter().any(|x| x.as_bytes().eq_ignore_ascii_case(e))
    })
}

// Evidence levels.
const EV_NONE: u8 = 0;
const EV_MEDIUM: u8 = 1;
const EV_STRONG: u8 = 2;

fn parse_num(s: &[u8]) -> Option<usize> {
    let s = s.iter().take_while(|b| b.is_ascii_digit()).take(6);
    let mut n = 0usize;
    let mut any = false;
    for d in s {
        n = n * 10 + usize::from(d - b'0');
        any = true;
    }
    any.then_some(n)
}

/// Decodes one ANSI-C escape after the backslash: returns the byte and
/// the number of bytes used.
fn ansi_escape(s: &[u8]) -> (Option<u8>, usize) {
    let hex = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    match s.first() {
        Some(b'x') => {
            let h = s.get(1).copied().and_then(hex);
            let l = s.get(2).copied().and_then(hex);
            match (h, l) {
                (Some(h), Some(l)) => (Some(h * 16 + l), 3),
                (Some(h), None) => (Some(h), 2),
                _ => (None, 1),
            }
        }
        Some(c @ b'0'..=b'7') => {
            let mut v = u32::from(c - b'0');
            let mut used = 1;
            while used < 3 {
                match s.get(used) {
                    Some(d @ b'0'..=b'7') => {
                        v = v * 8 + u32::from(d - b'0');
                        used += 1;
                    }
                    _ => break,
                }
            }
            (Some((v & 0xff) as u8), used)
        }
        Some(b'n') => (Some(b'\n'), 1),
        Some(b't') => (Some(b'\t'), 1),
        Some(&c) => (Some(c), 1),
        None => (None, 0),
    }
}

/// `-l`, `-la`, `--version`, `-c:\!pwd` (not `-1`, not `-`).
fn is_option(a: &[u8]) -> bool {
    match a {
        [b'-', b'-', c, ..] => c.is_ascii_alphabetic(),
        [b'-', c, ..] => c.is_ascii_alphabetic(),
        _ => false,
    }
}

/// Windows switches: `/all`, `/c`, `/ADD`, `/?`.
fn win_option(a: &[u8]) -> bool {
    match a.split_first() {
        Some((b'/', rest)) => {
            !rest.is_empty()
                && rest.len() <= 16
                && (rest == b"?" || rest.iter().all(|b| b.is_ascii_alphabetic() || *b == b':'))
        }
        _ => false,
    }
}

/// A file path argument: absolute, home- or dot-relative, a drive path,
/// or a relative path ending in a file name with an extension.
fn path_like(a: &[u8]) -> bool {
    match a {
        [b'/', ..]
        | [b'~', ..]
        | [b'.', b'/', ..]
        | [b'.', b'.', b'/', ..]
        | [b'\\', b'\\', ..] => true,
        [d, b':', b'\\' | b'/', ..] if d.is_ascii_alphabetic() => true,
        _ => a.contains(&b'/') && has_file_ext(a),
    }
}

fn has_file_ext(a: &[u8]) -> bool {
    let leaf = a
        .iter()
        .rposition(|&b| b == b'/' || b == b'\\')
        .map_or(a, |p| a.get(p + 1..).unwrap_or_default());
    match leaf.iter().rposition(|&b| b == b'.') {
        Some(p) if p > 0 => {
            let ext = leaf.get(p + 1..).unwrap_or_default();
            (1..=5).contains(&ext.len())
                && ext.iter().all(u8::is_ascii_alphanumeric)
                && ext.iter().any(u8::is_ascii_alphabetic)
        }
        _ => false,
    }
}

/// Dotted-quad IPv4, optionally with a port.
fn is_ipv4(a: &[u8]) -> bool {
    let host = a.split(|&b| b == b':').next().unwrap_or_default();
    let mut parts = 0;
    for p in host.split(|&b| b == b'.') {
        if p.is_empty() || p.len() > 3 || !p.iter().all(u8::is_ascii_digit) {
            return false;
        }
        parts += 1;
    }
    parts == 4
}

/// `5`, `5s`, `0.5`, `1m` (sleep / timeout durations).
fn duration(a: &[u8]) -> bool {
    let body = a
        .strip_suffix(b"s")
        .or_else(|| a.strip_suffix(b"m"))
        .unwrap_or(a);
    !body.is_empty()
        && body.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && body.iter().any(u8::is_ascii_digit)
}

/// Sub-commands of `net`, `reg`, `sc` that make them commands.
fn subcommand(a: &[u8]) -> bool {
    const SUBS: &[&str] = &[
        "user",
        "users",
        "view",
        "localgroup",
        "group",
        "share",
        "use",
        "start",
        "stop",
        "accounts",
        "session",
        "config",
        "add",
        "query",
        "delete",
        "save",
        "export",
        "import",
        "create",
        "qc",
        "firewall",
        "advfirewall",
        "interface",
        "wlan",
    ];
    SUBS.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(a))
}

/// Shell-glob match (`*`, `?`, `[set]`, `[!set]`), iterative.
fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    let mut steps = 0usize;
    while i < s.len() {
        steps += 1;
        if steps > 4096 {
            return false;
        }
        let sc = s.get(i).copied().unwrap_or(0);
        match pat.get(p).copied() {
            Some(b'*') => {
                star = Some((p, i));
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                i += 1;
                continue;
            }
            Some(b'[') => {
                if let Some((matched, next)) = bracket(pat, p, sc) {
                    if matched {
                        p = next;
                        i += 1;
                        continue;
                    }
                } else if sc == b'[' {
                    p += 1;
                    i += 1;
                    continue;
                }
            }
            Some(c) if c == sc => {
                p += 1;
                i += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, si)) => {
                p = sp + 1;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    while pat.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pat.len()
}

/// Matches `c` against the bracket expression at `pat[p]`; returns the
/// result and the index after `]`, or `None` when unterminated.
fn bracket(pat: &[u8], p: usize, c: u8) -> Option<(bool, usize)> {
    let mut j = p + 1;
    let negate = matches!(pat.get(j), Some(b'!' | b'^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let x = *pat.get(j)?;
        if x == b']' && !first {
            break;
        }
        first = false;
        if pat.get(j + 1) == Some(&b'-') && pat.get(j + 2).is_some_and(|&e| e != b']') {
            let hi = *pat.get(j + 2)?;
            if x <= c && c <= hi {
                matched = true;
            }
            j += 3;
        } else {
            if x == c {
                matched = true;
            }
            j += 1;
        }
    }
    Some((matched != negate, j + 1))
}

/// Shell keywords that precede a command.
/// Shell keywords skipped before the command word (case-sensitive; a
/// `match` on the bytes rather than a table scan, for speed).
fn is_keyword(w: &[u8]) -> bool {
    matches!(
        w,
        b"then" | b"do" | b"else" | b"elif" | b"!" | b"{" | b"}" | b"if" | b"while" | b"until"
    )
}

// Command flags.
/// Strong: not an English word, a command on its own.
const S: u32 = 1;
/// Windows / PowerShell (case-insensitive).
const WIN: u32 = 1 << 1;
/// Network client: a URL or IP argument is strong evidence.
const NET: u32 = 1 << 2;
/// Shell: `-c` is strong evidence.
const SHELL: u32 = 1 << 3;
/// Interpreter: `-c` / `-e` / `-r` is strong evidence.
const INTERP: u32 = 1 << 4;
/// Takes durations: numeric arguments are evidence.
const SLEEP: u32 = 1 << 5;
/// Runs the command given as its argument (`time`, `nohup`, `sudo`).
const WRAP: u32 = 1 << 6;
/// Has sub-commands (`net user`, `reg add`).
const SUBCMD: u32 = 1 << 7;
/// `alias name=value`.
const ALIAS: u32 = 1 << 8;
/// Takes a command string argument (`eval '…'`, `trap '…' EXIT`).
const CMDSTR: u32 = 1 << 9;

/// Built-in command table: name (lowercase) → flags. Weak (no `S`) names
/// are English words or ambiguous abbreviations.
const COMMANDS: &[(&str, u32)] = &[
    // Identity, system information.
    ("whoami", S | WIN),
    ("id", S),
    ("uname", S),
    ("hostname", WIN),
    ("uptime", S),
    ("pwd", S),
    ("ps", S),
    ("ls", S),
    ("ll", 0),
    ("dir", S | WIN),
    ("env", S | WRAP),
    ("printenv", S),
    ("lsof", S),
    ("lastlog", S),
    ("lastlogin", S),
    ("last", 0),
    ("w", 0),
    ("who", 0),
    ("finger", 0),
    ("htop", S),
    ("top", 0),
    ("df", 0),
    ("du", 0),
    ("free", 0),
    ("lsblk", S),
    ("lspci", S),
    ("lsusb", S),
    ("lsmod", S),
    ("dmesg", S),
    ("getent", S),
    ("groups", 0),
    ("sysinfo", S | WIN),
    ("systeminfo", S | WIN),
    ("tasklist", S | WIN),
    ("taskkill", S | WIN),
    ("ver", WIN),
    ("vol", WIN),
    // Network.
    ("ifconfig", S),
    ("ipconfig", S | WIN),
    ("ip", 0),
    ("netstat", S | WIN),
    ("ss", 0),
    ("arp", S | WIN),
    ("route", WIN),
    ("nslookup", S | NET | WIN),
    ("dig", NET),
    ("host", NET),
    ("whois", S | NET),
    ("traceroute", S | NET),
    ("tracert", S | NET | WIN),
    ("tracepath", S | NET),
    ("ping", NET | WIN),
    ("ping6", S | NET),
    ("wget", S | NET),
    ("curl", S | NET | WIN),
    ("lynx", S | NET),
    ("fetch", NET),
    ("nc", S | NET),
    ("ncat", S | NET),
    ("netcat", S | NET),
    ("socat", S | NET),
    ("telnet", S | NET | WIN),
    ("ssh", S | NET),
    ("ssh-copy-id", S | NET),
    ("scp", S | NET),
    ("sftp", S | NET),
    ("ftp", S | NET | WIN),
    ("tftp", S | NET | WIN),
    ("rsync", S | NET),
    ("nmap", S | NET),
    ("iptables", S),
    ("ufw", S),
    ("mshta", S | NET | WIN),
    ("certutil", S | NET | WIN),
    ("bitsadmin", S | NET | WIN),
    ("iwr", S | NET | WIN),
    ("irm", S | NET | WIN),
    ("invoke-webrequest", S | NET | WIN),
    ("invoke-restmethod", S | NET | WIN),
    ("start-bitstransfer", S | NET | WIN),
    // Shells and interpreters.
    ("sh", S | SHELL),
    ("bash", S | SHELL),
    ("zsh", S | SHELL),
    ("ksh", S | SHELL),
    ("csh", S | SHELL),
    ("tcsh", S | SHELL),
    ("dash", S | SHELL),
    ("ash", S | SHELL),
    ("rc", SHELL),
    ("busybox", S | SHELL | WRAP),
    ("cmd", S | SHELL | WIN),
    ("command", WRAP),
    ("powershell", S | SHELL | WIN),
    ("pwsh", S | SHELL | WIN),
    ("python", S | INTERP),
    ("python2", S | INTERP),
    ("python3", S | INTERP),
    ("py", INTERP | WIN),
    ("perl", S | INTERP),
    ("ruby", INTERP),
    ("irb", S | INTERP),
    ("php", S | INTERP),
    ("node", INTERP),
    ("nodejs", S | INTERP),
    ("lua", INTERP),
    ("tclsh", S | INTERP),
    ("awk", S | INTERP),
    ("gawk", S | INTERP),
    ("nawk", S | INTERP),
    ("mawk", S | INTERP),
    ("sed", INTERP),
    ("java", 0),
    ("jshell", S),
    ("gcc", S),
    ("cc", 0),
    ("c89", S),
    ("c99", S),
    ("g++", S),
    ("clang", S),
    ("tcc", S),
    ("gdb", S),
    ("cscript", S | WIN),
    ("wscript", S | WIN),
    ("rundll32", S | WIN),
    ("regsvr32", S | WIN),
    ("msiexec", S | WIN),
    (".shell", S),
    (".system", S),
    // Files.
    ("cat", 0),
    ("tac", S),
    ("more", WIN),
    ("less", 0),
    ("head", 0),
    ("tail", 0),
    ("nl", 0),
    ("od", 0),
    ("xxd", S),
    ("hexdump", S),
    ("strings", 0),
    ("base64", S),
    ("base32", S),
    ("uuencode", S),
    ("uudecode", S),
    ("openssl", S),
    ("grep", S),
    ("egrep", S),
    ("fgrep", S),
    ("findstr", S | WIN),
    ("find", WIN),
    ("locate", 0),
    ("which", 0),
    ("whereis", S),
    ("sort", 0),
    ("uniq", 0),
    ("wc", 0),
    ("cut", 0),
    ("tr", 0),
    ("rev", 0),
    ("column", 0),
    ("fold", 0),
    ("bridge", 0),
    ("diff", 0),
    ("tee", 0),
    ("touch", 0),
    ("rm", S),
    ("mv", S),
    ("cp", S),
    ("ln", S),
    ("dd", 0),
    ("chmod", S),
    ("chown", S),
    ("chgrp", S),
    ("chattr", S),
    ("mkdir", S | WIN),
    ("rmdir", S | WIN),
    ("mkfifo", S),
    ("mknod", S),
    ("shred", S),
    ("readlink", S),
    ("realpath", S),
    ("stat", 0),
    ("file", 0),
    ("tar", S),
    ("bsdtar", S),
    ("gzip", S),
    ("gunzip", S),
    ("bzip2", S),
    ("bunzip2", S),
    ("xz", S),
    ("unxz", S),
    ("zcat", S),
    ("bzcat", S),
    ("xzcat", S),
    ("zstd", S),
    ("zstdcat", S),
    ("unzip", S),
    ("zip", 0),
    ("7z", S),
    ("vim", S),
    ("vi", 0),
    ("ex", 0),
    ("ed", 0),
    ("nano", 0),
    ("emacs", S),
    ("uconv", S),
    ("flock", S),
    ("cpulimit", S),
    ("perf", 0),
    ("rmt", S),
    ("rmt-tar", S),
    ("rmt-dump", S),
    ("type", WIN),
    ("copy", WIN),
    ("xcopy", S | WIN),
    ("robocopy", S | WIN),
    ("del", WIN),
    ("erase", WIN),
    ("rd", WIN),
    ("md", WIN),
    ("ren", WIN),
    ("move", WIN),
    ("attrib", S | WIN),
    ("icacls", S | WIN),
    ("cacls", S | WIN),
    ("takeown", S | WIN),
    ("mklink", S | WIN),
    ("get-content", S | WIN),
    ("set-content", S | WIN),
    ("add-content", S | WIN),
    ("remove-item", S | WIN),
    ("get-childitem", S | WIN),
    ("copy-item", S | WIN),
    ("move-item", S | WIN),
    ("new-item", S | WIN),
    ("out-file", S | WIN),
    ("gci", WIN),
    ("gc", WIN),
    // Processes, users, system administration.
    ("echo", WIN),
    ("printf", 0),
    ("sleep", SLEEP),
    ("usleep", S | SLEEP),
    ("timeout", SLEEP | WIN | WRAP),
    ("time", WRAP),
    ("nohup", S | WRAP),
    ("strace", S | WRAP),
    ("ltrace", S | WRAP),
    ("sudo", S | WRAP),
    ("doas", S | WRAP),
    ("su", 0),
    ("nice", WRAP),
    ("setsid", S | WRAP),
    ("stdbuf", S | WRAP),
    ("xargs", S | WRAP),
    ("exec", WRAP),
    ("eval", CMDSTR),
    ("source", 0),
    (".", 0),
    ("alias", ALIAS),
    ("export", 0),
    ("set", WIN),
    ("setx", S | WIN),
    ("unset", 0),
    ("trap", CMDSTR),
    ("kill", 0),
    ("pkill", S),
    ("killall", S),
    ("watch", CMDSTR),
    ("date", 0),
    ("at", 0),
    ("crontab", S),
    ("schtasks", S | WIN),
    ("useradd", S),
    ("userdel", S),
    ("usermod", S),
    ("adduser", S),
    ("deluser", S),
    ("passwd", S),
    ("chpasswd", S),
    ("visudo", S),
    ("shutdown", S | WIN),
    ("reboot", S),
    ("halt", 0),
    ("poweroff", S),
    ("systemctl", S),
    ("service", 0),
    ("mount", 0),
    ("umount", S),
    ("fdisk", S),
    ("insmod", S),
    ("modprobe", S),
    ("chroot", S),
    ("runas", S | WIN),
    ("net", WIN | SUBCMD),
    ("net1", S | WIN | SUBCMD),
    ("netsh", S | WIN | SUBCMD),
    ("reg", WIN | SUBCMD),
    ("regedit", S | WIN),
    ("sc", WIN | SUBCMD),
    ("wmic", S | WIN),
    ("bcdedit", S | WIN),
    ("bcdboot", S | WIN),
    ("vssadmin", S | WIN),
    ("wevtutil", S | WIN),
    ("fsutil", S | WIN),
    ("diskpart", S | WIN),
    ("start", WIN),
    ("call", WIN),
    ("cd", WIN),
    ("chdir", WIN),
    ("exit", WIN),
    ("goto", WIN),
    ("pushd", WIN),
    ("popd", WIN),
    ("iex", S | WIN),
    ("icm", S | WIN),
    ("iwmi", S | WIN),
    ("gwmi", S | WIN),
    ("saps", S | WIN),
    ("invoke-expression", S | WIN),
    ("invoke-command", S | WIN),
    ("invoke-wmimethod", S | WIN),
    ("invoke-item", S | WIN),
    ("start-process", S | WIN),
    ("new-object", S | WIN),
    ("get-process", S | WIN),
    ("stop-process", S | WIN),
    ("get-wmiobject", S | WIN),
    ("get-ciminstance", S | WIN),
    ("set-executionpolicy", S | WIN),
    ("add-mppreference", S | WIN),
    ("set-mppreference", S | WIN),
    ("get-service", S | WIN),
    ("stop-service", S | WIN),
    ("new-localuser", S | WIN),
    ("add-localgroupmember", S | WIN),
    // Package managers and orchestration.
    ("apt", 0),
    ("apt-get", S),
    ("aptitude", S),
    ("yum", 0),
    ("dnf", S),
    ("rpm", 0),
    ("dpkg", S),
    ("apk", 0),
    ("pip", 0),
    ("pip3", S),
    ("pipx", S),
    ("gem", 0),
    ("cpan", S),
    ("docker", S),
    ("kubectl", S),
    ("ansible", S),
    ("ansible-playbook", S),
    ("ansible-galaxy", S),
    ("ansible-vault", S),
    ("ansible-config", S),
    ("ansible-console", S),
    ("ansible-doc", S),
    ("ansible-inventory", S),
    ("ansible-pull", S),
    ("chef", S),
    ("chef-client", S),
    ("chef-shell", S),
    ("chef-run", S),
    ("chef-vault", S),
    ("knife", 0),
    ("cscli", S),
    ("mail", 0),
    ("mailx", S),
    ("sendmail", S),
    ("wall", 0),
];

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

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Cmdi::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::surface::Surface;

    fn det() -> Cmdi {
        Cmdi::compile(&CmdiConfig::default(), "command_injection")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn fixtures() {
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        crate::engine::detect::fixtures::check(
            include_str!("../../../tests/fixtures/cmdi.jsonl"),
            true,
            |v, _| d.detect(v.as_bytes(), &ctx),
        );
    }

    #[test]
    fn table_is_lowercase_and_unique() {
        let d = det();
        for w in d.table.windows(2) {
            assert!(
                w[0].0 < w[1].0,
                "duplicate or unsorted {:?}",
                String::from_utf8_lossy(&w[0].0)
            );
        }
        for (n, _) in COMMANDS {
            assert_eq!(n.to_ascii_lowercase(), *n);
            assert!(n.len() <= MAX_NAME);
        }
    }

    #[test]
    fn blacklist_config() {
        let cfg = CmdiConfig {
            blacklist: vec!["/opt/tools/frobnicate".into()],
            ..CmdiConfig::default()
        };
        let d = Cmdi::compile(&cfg, "command_injection").unwrap().unwrap();
        let ctx = ValueCtx::value(Surface::Query);
        assert!(d.detect(b"x; frobnicate", &ctx).is_some());
        assert!(det().detect(b"x; frobnicate", &ctx).is_none());
        let bad = CmdiConfig {
            blacklist: vec!["two words".into()],
            ..CmdiConfig::default()
        };
        let err = Cmdi::compile(&bad, "command_injection").unwrap_err();
        assert_eq!(err.field(), "command_injection.blacklist[0]");
        let off = CmdiConfig {
            action: Action::Off,
            ..CmdiConfig::default()
        };
        assert!(Cmdi::compile(&off, "command_injection").unwrap().is_none());
    }

    /// Deterministic random strings over shell and path bytes: no panic
    /// (debug builds check arithmetic), spans inside the value.
    #[test]
    fn random_inputs_are_safe() {
        use crate::engine::detect::traversal::{Traversal, TraversalConfig};
        const ALPHABET: &[u8] =
            b"ab /\\.;|&$(){}[]<>`'\"\\%0x2ec:?*^!#=@+-\n\r\t~,\x00\xc0\xaf\xef\xbc\x8e";
        let d = det();
        let t = Traversal::compile(&TraversalConfig::default(), "path_traversal")
            .unwrap()
            .unwrap();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 48) as usize;
            let v: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            for surface in [Surface::Query, Surface::Path] {
                let ctx = ValueCtx::value(surface);
                for h in [d.detect(&v, &ctx), t.detect(&v, &ctx)]
                    .into_iter()
                    .flatten()
                {
                    assert!(h.start <= h.end && h.end <= v.len(), "{v:?} {h:?}");
                }
            }
        }
    }

    #[test]
    fn glob_matching() {
        assert!(glob_match(b"/???/??t", b"/bin/cat"));
        assert!(glob_match(b"/etc/pa[s]swd", b"/etc/passwd"));
        assert!(glob_match(b"/et*/*wd", b"/etc/passwd"));
        assert!(glob_match(b"/etc/[!q]asswd", b"/etc/passwd"));
        assert!(!glob_match(b"/etc/[!p]asswd", b"/etc/passwd"));
        assert!(glob_match(b"/usr/[a-z]in", b"/usr/bin"));
    }

    #[test]
    fn adversarial_inputs_are_linear() {
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        for unit in [
            &b"$("[..],
            b"`",
            b"((((",
            b"''''",
            b"\"",
            b"${",
            b"; ls",
            b"{a,",
            b"a=b;",
            b"\\",
            b"$IFS",
            b"<(",
            b"/???/",
            b"() {",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let start = std::time::Instant::now();
            let _ = d.detect(&v, &ctx);
            assert!(start.elapsed().as_secs_f64() < 3.0, "{unit:?} too slow");
        }
    }
}

#[cfg(test)]
mod bench {
    use super::*;
    use crate::engine::detect::traversal::{Traversal, TraversalConfig};
    use crate::engine::surface::Surface;

    /// `cargo test --release -- --ignored --nocapture detector_speed`
    #[test]
    #[ignore]
    fn detector_speed() {
        let mut values: Vec<Vec<u8>> = Vec::new();
        for f in [
            "httpparams.jsonl",
            "libinjection.jsonl",
            "gotestwaf_benign.jsonl",
        ] {
            let Ok(text) = std::fs::read_to_string(format!("/work/shared/corpus/{f}")) else {
                return;
            };
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                if v["class"] == "benign" {
                    values.push(v["value"].as_str().unwrap().as_bytes().to_vec());
                }
            }
        }
        for (label, unit) in [
            ("letters", &b"abcdefghij klmnopqrs tuvwxyz "[..]),
            (
                "prose",
                b"It's five o'clock; the (big) dog & cat said \"hi\" to Tom. ",
            ),
            ("urls", b"https://example.com/a/b.html?x=1&y=2 "),
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
            let c = Cmdi::compile(&CmdiConfig::default(), "c").unwrap().unwrap();
            let t = Traversal::compile(&TraversalConfig::default(), "t")
                .unwrap()
                .unwrap();
            let ctx = ValueCtx::value(Surface::Query);
            for (name, which) in [("cmdi", 0), ("traversal", 1)] {
                let start = std::time::Instant::now();
                let mut rounds = 0;
                while start.elapsed().as_secs_f64() < 0.5 {
                    if which == 0 {
                        std::hint::black_box(c.detect(&v, &ctx));
                    } else {
                        std::hint::black_box(t.detect(&v, &ctx));
                    }
                    rounds += 1;
                }
                let secs = start.elapsed().as_secs_f64();
                println!(
                    "{name}: 1 MiB {label} {:.1} MB/s",
                    (v.len() * rounds) as f64 / secs / 1e6
                );
            }
        }
        let mut big = Vec::new();
        big.extend_from_slice(b"{\"items\": [");
        while big.len() < (1 << 20) {
            big.extend_from_slice(b"{\"id\": 12345, \"name\": \"O'Brien & Sons; Ltd.\", \"url\": \"https://example.com/a/b?x=1&y=2\", \"note\": \"it's 5 o'clock | $5 off (today)\"},");
        }
        big.extend_from_slice(b"{}]}");
        let c = Cmdi::compile(&CmdiConfig::default(), "c").unwrap().unwrap();
        let t = Traversal::compile(&TraversalConfig::default(), "t")
            .unwrap()
            .unwrap();
        let ctx = ValueCtx::value(Surface::Query);
        let bytes: usize = values.iter().map(Vec::len).sum();
        for (name, f) in [
            (
                "cmdi",
                &(|v: &[u8]| c.detect(v, &ctx).is_some()) as &dyn Fn(&[u8]) -> bool,
            ),
            ("traversal", &|v: &[u8]| t.detect(v, &ctx).is_some()),
        ] {
            let start = std::time::Instant::now();
            let mut rounds = 0;
            let mut hits = 0;
            while start.elapsed().as_secs_f64() < 1.0 {
                for v in &values {
                    hits += usize::from(f(v));
                }
                rounds += 1;
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name}: benign corpus {:.1} MB/s (hits {hits})",
                (bytes * rounds) as f64 / secs / 1e6
            );
            let start = std::time::Instant::now();
            let mut rounds = 0;
            while start.elapsed().as_secs_f64() < 1.0 {
                std::hint::black_box(f(&big));
                rounds += 1;
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name}: 1 MiB JSON-ish text {:.1} MB/s",
                (big.len() * rounds) as f64 / secs / 1e6
            );
        }
    }
}
