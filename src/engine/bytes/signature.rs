//! [`Signature`]: which byte classes a value holds, in one table-driven
//! pass, so the engine can prove a value clean for a detector (or for the
//! normaliser) without running it.
//!
//! Every byte maps to a fixed set of bits: one bit per syntax-relevant
//! punctuation byte or small group (`'`, `"`, `` ` ``, `<`, `$`, `{}`,
//! `()`, `;|`, `&`, `%`, `\`, `/`, `.`, `:`, `@`, `#`, `=`, CR/LF,
//! other controls and NUL, bytes ≥ 0x80, …), one bit per ASCII letter
//! (case-folded) plus one for "some uppercase letter", one for digits. A
//! signature is the union over the value's bytes, plus [`Signature::LONG`]
//! for values of eight bytes or more (base64 and hex blobs, which are made
//! of letters and digits only, cannot be shorter for any reader that
//! decodes them).
//!
//! Letters get a bit each because several readings are only possible with
//! a particular word (`proto`, `db.`, the base64 of a serialization
//! header): a conjunction of letter bits rejects almost every value
//! without that word, at no cost beyond the one pass. The pass is a table
//! load and an OR per byte with four independent accumulators, which the
//! CPU runs at about a byte per cycle or better; it is computed once per
//! reading of a value and shared by every detector.
//!
//! ```
//! use envoy_rasp::engine::bytes::Signature;
//!
//! let s = Signature::of(b"O'Brien");
//! assert!(s.has(Signature::SQUOTE) && s.has(Signature::UPPER));
//! assert!(!s.has(Signature::LT) && !s.has(Signature::LONG));
//! assert!(s.has(Signature::letter(b'b')));
//! ```

/// The byte classes present in a value. See the [module docs](self).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signature(pub u64);

/// Values of at least this many bytes carry [`Signature::LONG`].
pub const LONG_LEN: usize = 8;

impl Signature {
    // Bits 0..26: the letters `a`..`z`, either case.
    /// Some uppercase ASCII letter.
    pub const UPPER: u64 = 1 << 26;
    /// `0-9`.
    pub const DIGIT: u64 = 1 << 27;
    /// `'`.
    pub const SQUOTE: u64 = 1 << 28;
    /// `"`.
    pub const DQUOTE: u64 = 1 << 29;
    /// `` ` ``.
    pub const BACKTICK: u64 = 1 << 30;
    /// `<`.
    pub const LT: u64 = 1 << 31;
    /// `>`.
    pub const GT: u64 = 1 << 32;
    /// `$`.
    pub const DOLLAR: u64 = 1 << 33;
    /// `{` or `}`.
    pub const BRACE: u64 = 1 << 34;
    /// `(` or `)`.
    pub const PAREN: u64 = 1 << 35;
    /// `;` or `|`.
    pub const SEMI_PIPE: u64 = 1 << 36;
    /// `&`.
    pub const AMP: u64 = 1 << 37;
    /// `%`.
    pub const PERCENT: u64 = 1 << 38;
    /// `\`.
    pub const BACKSLASH: u64 = 1 << 39;
    /// `/`.
    pub const SLASH: u64 = 1 << 40;
    /// `.`.
    pub const DOT: u64 = 1 << 41;
    /// `:`.
    pub const COLON: u64 = 1 << 42;
    /// `@`.
    pub const AT: u64 = 1 << 43;
    /// `#`.
    pub const HASH: u64 = 1 << 44;
    /// `=`.
    pub const EQ: u64 = 1 << 45;
    /// CR or LF.
    pub const LINE: u64 = 1 << 46;
    /// NUL, the other C0 controls except tab, CR and LF, and DEL.
    pub const CTRL: u64 = 1 << 47;
    /// Bytes ≥ 0x80.
    pub const HIGH: u64 = 1 << 48;
    /// Space or tab.
    pub const BLANK: u64 = 1 << 49;
    /// `+`.
    pub const PLUS: u64 = 1 << 50;
    /// `-`.
    pub const DASH: u64 = 1 << 51;
    /// `*`.
    pub const STAR: u64 = 1 << 52;
    /// `[` or `]`.
    pub const BRACKET: u64 = 1 << 53;
    /// `,`.
    pub const COMMA: u64 = 1 << 54;
    /// `?`.
    pub const QUESTION: u64 = 1 << 55;
    /// `!`.
    pub const BANG: u64 = 1 << 56;
    /// `^`.
    pub const CARET: u64 = 1 << 57;
    /// `~`.
    pub const TILDE: u64 = 1 << 58;
    /// `_`.
    pub const UNDERSCORE: u64 = 1 << 59;
    /// The value is at least [`LONG_LEN`] bytes long.
    pub const LONG: u64 = 1 << 60;

    /// The bytes that make the normaliser decode something (`%`, `&`,
    /// `\`, NUL and bytes ≥ 0x80; `+` too for form values): without any of
    /// them it returns its input unchanged.
    pub const ESCAPES: u64 = Signature::PERCENT
        | Signature::AMP
        | Signature::BACKSLASH
        | Signature::CTRL
        | Signature::HIGH;

    /// The bytes of both base64 alphabets and the padding (and `LONG`,
    /// which is no byte): a value with any other bit cannot be base64.
    pub const BASE64: u64 =
        Signature::bytes(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=")
            | Signature::LONG;

    /// The bit of an ASCII letter (either case); 0 for any other byte.
    pub const fn letter(b: u8) -> u64 {
        match b {
            b'a'..=b'z' => 1 << (b - b'a'),
            b'A'..=b'Z' => 1 << (b - b'A'),
            _ => 0,
        }
    }

    /// The bits of the letters of `word` (either case).
    // Compile-time use; `i` stays below the length.
    #[allow(clippy::indexing_slicing)]
    pub const fn letters(word: &[u8]) -> u64 {
        let mut m = 0;
        let mut i = 0;
        while i < word.len() {
            m |= Signature::letter(word[i]);
            i += 1;
        }
        m
    }

    /// The bits one byte contributes.
    pub const fn byte(b: u8) -> u64 {
        match b {
            b'a'..=b'z' => Signature::letter(b),
            b'A'..=b'Z' => Signature::letter(b) | Signature::UPPER,
            b'0'..=b'9' => Signature::DIGIT,
            b'\'' => Signature::SQUOTE,
            b'"' => Signature::DQUOTE,
            b'`' => Signature::BACKTICK,
            b'<' => Signature::LT,
            b'>' => Signature::GT,
            b'$' => Signature::DOLLAR,
            b'{' | b'}' => Signature::BRACE,
            b'(' | b')' => Signature::PAREN,
            b';' | b'|' => Signature::SEMI_PIPE,
            b'&' => Signature::AMP,
            b'%' => Signature::PERCENT,
            b'\\' => Signature::BACKSLASH,
            b'/' => Signature::SLASH,
            b'.' => Signature::DOT,
            b':' => Signature::COLON,
            b'@' => Signature::AT,
            b'#' => Signature::HASH,
            b'=' => Signature::EQ,
            b'\r' | b'\n' => Signature::LINE,
            b' ' | b'\t' => Signature::BLANK,
            0..=0x1f | 0x7f => Signature::CTRL,
            0x80..=0xff => Signature::HIGH,
            b'+' => Signature::PLUS,
            b'-' => Signature::DASH,
            b'*' => Signature::STAR,
            b'[' | b']' => Signature::BRACKET,
            b',' => Signature::COMMA,
            b'?' => Signature::QUESTION,
            b'!' => Signature::BANG,
            b'^' => Signature::CARET,
            b'~' => Signature::TILDE,
            b'_' => Signature::UNDERSCORE,
        }
    }

    /// The union of the bits of `bytes` (for declaring which bytes a
    /// reading needs).
    #[allow(clippy::indexing_slicing)]
    pub const fn bytes(bytes: &[u8]) -> u64 {
        let mut m = 0;
        let mut i = 0;
        while i < bytes.len() {
            m |= Signature::byte(bytes[i]);
            i += 1;
        }
        m
    }

    /// The signature of `v`, in one pass.
    pub fn of(v: &[u8]) -> Signature {
        // Four accumulators, so the ORs do not wait on each other.
        let (mut a, mut b, mut c, mut d) = (0u64, 0u64, 0u64, 0u64);
        let mut chunks = v.chunks_exact(4);
        for q in chunks.by_ref() {
            if let [w, x, y, z] = *q {
                a |= SIG.get(w);
                b |= SIG.get(x);
                c |= SIG.get(y);
                d |= SIG.get(z);
            }
        }
        for &r in chunks.remainder() {
            a |= SIG.get(r);
        }
        let long = if v.len() >= LONG_LEN {
            Signature::LONG
        } else {
            0
        };
        Signature(a | b | c | d | long)
    }

    /// Whether any of `bits` is present.
    pub const fn has(self, bits: u64) -> bool {
        self.0 & bits != 0
    }

    /// Whether no bit outside `bits` is present.
    pub const fn only(self, bits: u64) -> bool {
        self.0 & !bits == 0
    }

    /// Whether every one of `bits` is present.
    pub const fn has_all(self, bits: u64) -> bool {
        self.0 & bits == bits
    }
}

/// [`Signature::byte`] as a table.
static SIG: ByteMap<u64> = byte_map!(|b| Signature::byte(b));

use super::set::{byte_map, ByteMap};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_values_are_only_base64_bytes() {
        for v in [&b"JyBvciAxPTEtLSA="[..], b"PHNjcmlwdD5h-_+/", b"Li4vLi4v"] {
            assert!(Signature::of(v).only(Signature::BASE64), "{v:?}");
        }
        for v in [&b"a b"[..], b"ab.c", b"x%3D", b"caf\xc3\xa9"] {
            assert!(!Signature::of(v).only(Signature::BASE64), "{v:?}");
        }
    }

    #[test]
    fn every_byte_is_classified_and_the_table_matches() {
        for b in 0..=255u8 {
            assert_ne!(Signature::byte(b), 0, "byte {b:#04x}");
            assert_eq!(Signature::of(&[b]).0, Signature::byte(b));
        }
    }

    #[test]
    fn union_over_every_position_and_the_length_bit() {
        let v = b"abcdefg<";
        assert!(Signature::of(v).has(Signature::LT | Signature::LONG));
        assert!(!Signature::of(&v[..7]).has(Signature::LONG | Signature::LT));
        for n in 0..20 {
            let mut v = vec![b'a'; n];
            v.push(b'$');
            let s = Signature::of(&v);
            assert!(s.has(Signature::DOLLAR), "{n}");
            assert_eq!(s.has(Signature::LONG), v.len() >= LONG_LEN);
        }
        assert_eq!(Signature::of(b""), Signature(0));
    }

    #[test]
    fn letters_fold_case_and_uppercase_is_noted() {
        assert_eq!(
            Signature::of(b"P").0,
            Signature::letter(b'p') | Signature::UPPER
        );
        assert_eq!(Signature::letters(b"proto"), Signature::of(b"proto").0);
        assert_eq!(Signature::bytes(b"{}"), Signature::BRACE);
    }
}
