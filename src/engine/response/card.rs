//! Payment card numbers in a response: 13–19 digits, written as one run or
//! in groups separated by one kind of separator (`4111 1111 1111 1111`,
//! `3782-822463-10005`), starting with a card network's first digit (2–6)
//! and passing the Luhn check.
//!
//! A number inside a longer digit run is never a card: the candidate must
//! not touch a digit, a letter, `_` or a decimal point on either side, and
//! a run of groups longer than 19 digits is skipped whole. Every byte is
//! read once or twice.

use super::{Leak, LeakKind, MAX_HITS};
use crate::engine::bytes::{byte_set, ByteSet};

/// Bytes that make a digit run part of a longer token.
static JOINS: ByteSet = byte_set!(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');

/// Most digits a card has.
const MAX_DIGITS: usize = 19;

/// Appends the card numbers in `hay`.
pub fn scan(hay: &[u8], out: &mut Vec<Leak>) {
    let mut i = 0;
    while i < hay.len() && out.len() < MAX_HITS {
        let Some(start) = hay
            .get(i..)
            .and_then(|h| h.iter().position(u8::is_ascii_digit))
        else {
            return;
        };
        let start = i + start;
        let (end, ok) = candidate(hay, start);
        if ok {
            out.push(Leak::new(
                LeakKind::CardNumber,
                "response.card_number",
                start,
                end,
            ));
        }
        i = end.max(start + 1);
    }
}

/// Reads the run of digit groups at `start`: where it ends, and whether it
/// is a card number.
fn candidate(hay: &[u8], start: usize) -> (usize, bool) {
    let before = start.checked_sub(1).and_then(|p| hay.get(p)).copied();
    // `12 4111 …`: a group of a longer run that began earlier.
    let sep_after_digit = matches!(before, Some(b' ' | b'-'))
        && start >= 2
        && hay.get(start - 2).is_some_and(u8::is_ascii_digit);
    let mut digits: [u8; MAX_DIGITS] = [0; MAX_DIGITS];
    let (mut n, mut groups, mut first_group, mut sep) = (0usize, 0usize, 0usize, None);
    let mut j = start;
    let mut too_long = false;
    loop {
        let g = j;
        while let Some(&d) = hay.get(j).filter(|b| b.is_ascii_digit()) {
            if let Some(slot) = digits.get_mut(n) {
                *slot = d - b'0';
            } else {
                too_long = true;
            }
            n += 1;
            j += 1;
            if n > MAX_DIGITS + 1 {
                too_long = true;
            }
        }
        groups += 1;
        if groups == 1 {
            first_group = j - g;
        } else if !(3..=6).contains(&(j - g)) {
            return (j, false);
        }
        match (hay.get(j), hay.get(j + 1)) {
            (Some(&s @ (b' ' | b'-')), Some(d))
                if d.is_ascii_digit() && sep.is_none_or(|x| x == s) =>
            {
                sep = Some(s);
                j += 1;
            }
            _ => break,
        }
        if n > 4 * MAX_DIGITS {
            // A long run of groups: skip it whole.
            too_long = true;
        }
    }
    let joined = before.is_some_and(|b| JOINS.contains(b)) || sep_after_digit;
    let after = hay.get(j).copied();
    let joined_after = after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        || (after == Some(b'.') && hay.get(j + 1).is_some_and(u8::is_ascii_digit));
    let shape = if groups == 1 { true } else { first_group == 4 };
    let ok = !too_long
        && !joined
        && !joined_after
        && shape
        && (13..=MAX_DIGITS).contains(&n)
        && digits.first().is_some_and(|d| (2..=6).contains(d))
        && luhn(digits.get(..n).unwrap_or_default());
    (j, ok)
}

/// The Luhn checksum is valid.
pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (k, &d) in digits.iter().rev().enumerate() {
        let d = u32::from(d);
        sum += if k % 2 == 1 {
            let x = d * 2;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            d
        };
    }
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(hay: &[u8]) -> Vec<&[u8]> {
        let mut out = Vec::new();
        scan(hay, &mut out);
        out.iter().map(|l| &hay[l.start..l.end]).collect()
    }

    #[test]
    fn cards() {
        assert_eq!(
            found(b"card 4111111111111111."),
            vec![&b"4111111111111111"[..]]
        );
        assert_eq!(
            found(b"{\"pan\":\"4111 1111 1111 1111\"}"),
            vec![&b"4111 1111 1111 1111"[..]]
        );
        assert_eq!(
            found(b"amex 3782-822463-10005 ok"),
            vec![&b"3782-822463-10005"[..]]
        );
        assert_eq!(found(b"5555555555554444,"), vec![&b"5555555555554444"[..]]);
    }

    #[test]
    fn other_numbers_are_not_cards() {
        for hay in [
            &b"4111111111111112"[..], // Luhn fails
            b"14111111111111111",     // inside a longer run
            b"41111111111111110000",  // too long
            b"id_4111111111111111",   // part of a name
            b"3.4111111111111111",    // a decimal
            b"4111111111111111.5",
            b"1111111111111117",       // no network starts with 1
            b"12 4111 1111 1111 1111", // group of a longer run
            b"4111 1111-1111 1111",    // mixed separators
            b"2026-12-04 10:00",
            b"0000000000000000",
        ] {
            assert!(found(hay).is_empty(), "{}", String::from_utf8_lossy(hay));
        }
    }
}
