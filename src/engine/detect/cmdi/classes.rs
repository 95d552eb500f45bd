//! Byte classes: the one-pass presence bits of shell-relevant bytes and the
//! 256-entry tables the lexer and the prefilter use, built at compile time.

// Presence bits of shell-relevant bytes (see [`presence`]).
pub(super) const P_PAREN: u32 = 1;
pub(super) const P_BRACE: u32 = 1 << 1;
pub(super) const P_HASH: u32 = 1 << 2;
pub(super) const P_BANG: u32 = 1 << 3;
pub(super) const P_NEWLINE: u32 = 1 << 4;
pub(super) const P_DOLLAR: u32 = 1 << 5;
pub(super) const P_SEP: u32 = 1 << 6;
const P_OTHER: u32 = 1 << 7;
pub(super) const P_BACKSLASH: u32 = 1 << 8;
pub(super) const P_SQUOTE: u32 = 1 << 9;
pub(super) const P_DQUOTE: u32 = 1 << 10;
pub(super) const P_PLUS: u32 = 1 << 11;
/// Blanks that separate words (` `, tab, CR, VT, FF).
const P_BLANK: u32 = 1 << 12;
/// `/`: a path (`/bin/sh` alone is a command line).
pub(super) const P_SLASH: u32 = 1 << 13;
/// Bytes that can open a command position after the first word.
pub(super) const P_BREAK: u32 = P_PAREN | P_BRACE | P_NEWLINE | P_DOLLAR | P_SEP;

/// Which shell-relevant bytes a value contains, in one pass; 0 when none
/// (the value is then one plain word, see [`Cmdi::detect`](super::Cmdi::detect)).
pub(super) fn presence(v: &[u8]) -> u32 {
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
pub(super) fn plain_byte(b: u8) -> bool {
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

/// Whether [`Cmdi::may_have_command`](super::Cmdi::may_have_command) only appends `b` to the word.
pub(super) fn name_byte(b: u8) -> bool {
    NAME_BYTE.get(usize::from(b)).copied().unwrap_or(false)
}

/// Bytes that [`Cmdi::may_have_command`](super::Cmdi::may_have_command) only appends to the word.
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
