//! IP addresses as URL parsers read them: IPv4 in every loose notation
//! (`inet_aton` parts, hex, octal, integers, overflow), IPv6 with embedded
//! IPv4, and the addresses an IPv6 address or a host name carries.

use std::fmt;

use super::bytes::{find2, hex_digit};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ip {
    V4(u32),
    V6(u128),
}

/// An IPv4 address parsed the way URL parsers and `inet_aton` do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct V4 {
    pub(super) addr: u32,
    /// Four decimal parts without leading zeros, each at most 255.
    pub(super) canonical: bool,
    pub(super) parts: u8,
    pub(super) hex: bool,
    pub(super) octal: bool,
    /// A part was too large and was wrapped as lenient parsers do.
    pub(super) overflow: bool,
}

impl V4 {
    pub(super) fn notation(&self) -> &'static str {
        if self.overflow {
            "overflowing"
        } else if self.parts == 1 {
            if self.hex {
                "hexadecimal integer"
            } else if self.octal {
                "octal integer"
            } else {
                "decimal integer"
            }
        } else if self.hex {
            "hexadecimal"
        } else if self.octal {
            "octal"
        } else if self.parts < 4 {
            "shortened"
        } else {
            "non-canonical"
        }
    }
}

/// Parses an IPv4 address in any notation URL parsers accept: 1-4 parts,
/// each decimal, `0x` hex or `0`-prefixed octal (also `0o`), the last part
/// filling the remaining bytes. Too-large parts are wrapped (some parsers
/// do) and reported as overflow. `None` when a part is not a number.
pub(super) fn parse_v4(host: &[u8]) -> Option<V4> {
    let host = host.strip_suffix(b".").unwrap_or(host);
    if host.is_empty() || host.len() > 128 {
        return None;
    }
    let mut vals = [0u64; 4];
    let mut n = 0usize;
    let mut canonical = true;
    let mut hex = false;
    let mut octal = false;
    let mut overflow = false;
    for part in host.split(|&b| b == b'.') {
        let slot = vals.get_mut(n)?;
        n += 1;
        let (digits, radix) = if let Some(h) = part
            .strip_prefix(b"0x")
            .or_else(|| part.strip_prefix(b"0X"))
        {
            hex = true;
            (h, 16u64)
        } else if let Some(o) = part
            .strip_prefix(b"0o")
            .or_else(|| part.strip_prefix(b"0O"))
        {
            octal = true;
            (o, 8)
        } else if part.len() > 1 && part.first() == Some(&b'0') {
            octal = true;
            (part.get(1..).unwrap_or_default(), 8)
        } else if part.is_empty() {
            return None;
        } else {
            (part, 10)
        };
        if radix != 10 {
            canonical = false;
        }
        let mut val: u64 = 0;
        let mut big = false;
        for &d in digits {
            let dv = u64::from(hex_digit(d)?);
            if dv >= radix {
                return None;
            }
            let next = val.checked_mul(radix).and_then(|x| x.checked_add(dv));
            val = match next {
                Some(x) => x,
                None => {
                    big = true;
                    val.wrapping_mul(radix).wrapping_add(dv)
                }
            };
        }
        if big || val > u64::from(u32::MAX) {
            overflow = true;
        }
        *slot = val;
    }
    if n == 0 {
        return None;
    }
    let mut addr: u32 = 0;
    for (k, &val) in vals.iter().take(n).enumerate() {
        if k + 1 < n {
            if val > 255 {
                overflow = true;
            }
            addr |= ((val & 0xff) as u32) << (8 * (3 - k));
        } else {
            let bits = 8 * (4 - k as u32);
            let limit: u64 = 1u64 << bits;
            if val >= limit {
                overflow = true;
            }
            addr |= (val & (limit - 1)) as u32;
        }
    }
    if n != 4 || overflow {
        canonical = false;
    }
    Some(V4 {
        addr,
        canonical,
        parts: n as u8,
        hex,
        octal,
        overflow,
    })
}

/// Strict dotted-decimal IPv4 (for configuration).
pub(super) fn parse_dotted_strict(s: &[u8]) -> Option<u32> {
    let v = parse_v4(s)?;
    if v.canonical && !s.ends_with(b".") {
        Some(v.addr)
    } else {
        None
    }
}

/// Parses an IPv6 address (no brackets, no zone), with an optional
/// trailing dotted IPv4.
pub(super) fn parse_v6(s: &[u8]) -> Option<u128> {
    if s.len() < 2 || s.len() > 64 {
        return None;
    }
    let mut head: [u16; 8] = [0; 8];
    let mut tail: [u16; 8] = [0; 8];
    let (mut nh, mut nt) = (0usize, 0usize);
    let (left, right) = match find2(s, b"::") {
        Some(p) => (s.get(..p)?, Some(s.get(p + 2..)?)),
        None => (s, None),
    };
    fn groups(part: &[u8], out: &mut [u16; 8], n: &mut usize, last_may_v4: bool) -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        let count = part.split(|&b| b == b':').count();
        for (k, g) in part.split(|&b| b == b':').enumerate() {
            if g.contains(&b'.') {
                if !(last_may_v4 && k + 1 == count) {
                    return None;
                }
                let v4 = parse_dotted_strict(g)?;
                *out.get_mut(*n)? = (v4 >> 16) as u16;
                *out.get_mut(*n + 1)? = (v4 & 0xffff) as u16;
                *n += 2;
                continue;
            }
            if g.is_empty() || g.len() > 4 {
                return None;
            }
            let mut val: u16 = 0;
            for &d in g {
                let dv = hex_digit(d)?;
                val = (val << 4) | u16::from(dv);
            }
            *out.get_mut(*n)? = val;
            *n += 1;
        }
        Some(())
    }
    match right {
        None => {
            groups(left, &mut head, &mut nh, true)?;
            if nh != 8 {
                return None;
            }
        }
        Some(r) => {
            if find2(r, b"::").is_some() {
                return None;
            }
            groups(left, &mut head, &mut nh, false)?;
            groups(r, &mut tail, &mut nt, true)?;
            if nh + nt > 7 {
                return None;
            }
        }
    }
    let mut all: [u16; 8] = [0; 8];
    for (d, s) in all.iter_mut().zip(head.iter().take(nh)) {
        *d = *s;
    }
    for (k, s) in tail.iter().take(nt).enumerate() {
        if let Some(d) = all.get_mut(8 - nt + k) {
            *d = *s;
        }
    }
    Some(
        all.iter()
            .fold(0u128, |acc, &g| (acc << 16) | u128::from(g)),
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum V6Embed {
    /// `::ffff:a.b.c.d` and `::a.b.c.d`: an IPv4 address in disguise.
    Mapped,
    /// NAT64 `64:ff9b::/96` and 6to4 `2002::/16`: real networking.
    Translated,
}

/// The IPv4 address carried by an IPv6 address, if any.
pub(super) fn v6_embedded_v4(a: u128) -> Option<(u32, V6Embed)> {
    let low = (a & 0xffff_ffff) as u32;
    if a >> 32 == 0xffff {
        return Some((low, V6Embed::Mapped));
    }
    if a >> 32 == 0 && low > 1 {
        return Some((low, V6Embed::Mapped));
    }
    if a >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
        return Some((low, V6Embed::Translated));
    }
    if a >> 112 == 0x2002 {
        return Some((((a >> 80) & 0xffff_ffff) as u32, V6Embed::Translated));
    }
    None
}

/// 127/8, 0/8 and 169.254/16: addresses that can only mean "this machine"
/// or its link, flagged even as a lone value.
pub(super) fn is_host_local_v4(a: u32) -> bool {
    a >> 24 == 127 || a >> 24 == 0 || a >> 16 == 0xA9FE
}

/// An IPv4 address in dotted-decimal form, for messages.
pub(super) struct Dotted(pub(super) u32);

impl fmt::Display for Dotted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0;
        write!(
            f,
            "{}.{}.{}.{}",
            a >> 24,
            (a >> 16) & 0xff,
            (a >> 8) & 0xff,
            a & 0xff
        )
    }
}

pub(super) fn describe_v4(a: u32) -> &'static str {
    let o = a >> 24;
    match o {
        127 => "loopback address",
        0 => "unspecified (this-network) address",
        10 => "private address",
        172 if (a >> 20) & 0xf == 1 => "private address",
        192 if (a >> 16) & 0xff == 168 => "private address",
        169 if (a >> 16) & 0xff == 254 => "link-local address",
        100 if (a >> 22) & 0x3 == 1 => "carrier-grade NAT address",
        224..=239 => "multicast address",
        240..=255 => "reserved address",
        _ => "public address",
    }
}

pub(super) fn describe_v6(a: u128) -> &'static str {
    if a == 1 {
        "loopback IPv6 address"
    } else if a == 0 {
        "unspecified IPv6 address"
    } else if a >> 118 == 0x3fa {
        "link-local IPv6 address"
    } else if a >> 121 == 0x7e {
        "unique-local IPv6 address"
    } else if a >> 120 == 0xff {
        "multicast IPv6 address"
    } else if a >> 125 != 1 {
        "IPv6 address outside global unicast"
    } else {
        "IPv6 address"
    }
}

/// The IPv4 carried by a host name that is not itself an IP: four consecutive
/// decimal labels (`127.0.0.1.nip.io`, `example.com.127.0.0.1`) or four
/// dash-separated numbers in one label (`127-0-0-1.sslip.io`,
/// `ip-10-0-0-1`). Returns the first such address.
pub(super) fn embedded_v4(name: &[u8]) -> Option<u32> {
    // Dotted: a run of four decimal labels.
    if let Some(addr) = four_octets(name.split(|&b| b == b'.')) {
        return Some(addr);
    }
    // Dashed, inside one label.
    name.split(|&b| b == b'.')
        .filter(|label| label.iter().filter(|&&b| b == b'-').count() >= 3)
        .find_map(|label| four_octets(label.split(|&b| b == b'-')))
}

/// The first four consecutive `parts` that are decimal octets, as an
/// address.
fn four_octets<'a>(parts: impl Iterator<Item = &'a [u8]>) -> Option<u32> {
    let mut addr = 0u32;
    let mut len = 0usize;
    for part in parts {
        match decimal_octet(part) {
            Some(v) => {
                addr = (addr << 8) | v;
                len += 1;
                if len == 4 {
                    return Some(addr);
                }
            }
            None => {
                addr = 0;
                len = 0;
            }
        }
    }
    None
}

/// `0`-`255` in plain decimal, without leading zeros.
fn decimal_octet(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 3 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if s.len() > 1 && s.first() == Some(&b'0') {
        return None;
    }
    let v = s
        .iter()
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
    (v <= 255).then_some(v)
}
