//! Client addresses: `x-forwarded-for` entries and strict IP parsing
//! (ports, brackets, zone ids, IPv4-mapped IPv6).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::engine::http::RequestHead;

/// Trims HTTP optional whitespace.
pub(super) fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    v.get(start..end).unwrap_or_default()
}

/// The `n`-th non-empty entry from the right of all `x-forwarded-for`
/// headers taken as one list (later headers are further right).
pub(super) fn xff_entry(head: &RequestHead, n: u32) -> Option<&[u8]> {
    let mut seen = 0u32;
    for (_, value) in head
        .headers
        .iter()
        .rev()
        .filter(|(k, _)| k == "x-forwarded-for")
    {
        for part in value.rsplit(|&b| b == b',') {
            let e = trim_ows(part);
            if e.is_empty() {
                continue;
            }
            seen += 1;
            if seen == n {
                return Some(e);
            }
        }
    }
    None
}

/// Parses `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]`, `[::1]:80`, a zone id
/// (`fe80::1%eth0`) or a quoted form of these. None for anything else.
/// The shape (brackets, number of colons) picks the one parse to try;
/// IPv4 is parsed by hand (the common case, on every request).
pub fn parse_ip(raw: &[u8]) -> Option<IpAddr> {
    if raw.len() > 64 {
        return None;
    }
    let mut s = trim_ows(raw);
    if let [b'"', inner @ .., b'"'] = s {
        s = inner;
    }
    if let Some(rest) = s.strip_prefix(b"[") {
        let close = rest.iter().position(|&b| b == b']')?;
        let inside = rest.get(..close)?;
        let after = rest.get(close + 1..)?;
        if !(after.is_empty() || after.strip_prefix(b":").is_some_and(is_port)) {
            return None;
        }
        return parse_v6(inside).map(IpAddr::V6);
    }
    match s.iter().filter(|&&b| b == b':').count() {
        0 => parse_v4(s).map(IpAddr::V4),
        1 => {
            let colon = s.iter().position(|&b| b == b':')?;
            if !is_port(s.get(colon + 1..)?) {
                return None;
            }
            parse_v4(s.get(..colon)?).map(IpAddr::V4)
        }
        _ => parse_v6(s).map(IpAddr::V6),
    }
}

/// Dotted-quad IPv4; like std, rejects leading zeros (`010.0.0.1` is
/// octal to some parsers).
fn parse_v4(s: &[u8]) -> Option<Ipv4Addr> {
    let mut oct = [0u8; 4];
    let mut i = 0usize;
    let mut val = 0u32;
    let mut digits = 0u32;
    for &c in s {
        match c {
            b'0'..=b'9' => {
                if digits > 0 && val == 0 {
                    return None;
                }
                val = val * 10 + u32::from(c - b'0');
                digits += 1;
                if val > 255 {
                    return None;
                }
            }
            b'.' if digits > 0 => {
                *oct.get_mut(i)? = val as u8;
                i += 1;
                val = 0;
                digits = 0;
            }
            _ => return None,
        }
    }
    if digits == 0 || i != 3 {
        return None;
    }
    *oct.get_mut(3)? = val as u8;
    Some(Ipv4Addr::from(oct))
}

/// IPv6 text (zone id ignored).
fn parse_v6(s: &[u8]) -> Option<Ipv6Addr> {
    let s = std::str::from_utf8(s).ok()?;
    let addr = s.split('%').next().unwrap_or(s);
    addr.parse::<Ipv6Addr>().ok()
}

fn is_port(p: &[u8]) -> bool {
    !p.is_empty() && p.len() <= 5 && p.iter().all(u8::is_ascii_digit)
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4.
pub(super) fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}
