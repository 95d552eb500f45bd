//! Text escaping for the JSON the engine writes by hand (event lines, SIEM
//! envelopes, reply bodies).
//!
//! A leaf: events, the SIEM sink and the replies share it without
//! importing one another.

/// Escapes a string for inclusion in a JSON string literal.
pub fn json_escape(out: &mut String, s: &str) {
    use std::fmt::Write;
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}
