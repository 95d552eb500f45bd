//! IP networks (CIDR blocks) from the configuration and the membership test.

use super::ip::{parse_dotted_strict, parse_v6, Ip};

/// An IP network; IPv4 addresses live in the low 32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Cidr {
    pub(super) v6: bool,
    pub(super) addr: u128,
    pub(super) prefix: u8,
}

impl Cidr {
    pub(super) fn parse(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let (v6, addr, max) = if let Some(v4) = parse_dotted_strict(a.as_bytes()) {
            (false, u128::from(v4), 32u8)
        } else if let Some(v6) = parse_v6(a.as_bytes()) {
            (true, v6, 128u8)
        } else {
            return Err(format!("`{s}` is not an IPv4 or IPv6 address or CIDR"));
        };
        let prefix = match p {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max && !p.starts_with('+') => n,
                _ => return Err(format!("`{s}`: prefix length must be 0-{max}")),
            },
        };
        Ok(Cidr {
            v6,
            addr: addr & mask(prefix, max),
            prefix,
        })
    }

    pub(super) fn contains(&self, ip: Ip) -> bool {
        match (self.v6, ip) {
            (false, Ip::V4(a)) => u128::from(a) & mask(self.prefix, 32) == self.addr,
            (true, Ip::V6(a)) => a & mask(self.prefix, 128) == self.addr,
            _ => false,
        }
    }
}

/// The network mask of `prefix` bits in a `max`-bit address.
pub(super) fn mask(prefix: u8, max: u8) -> u128 {
    let all: u128 = if max >= 128 {
        u128::MAX
    } else {
        (1u128 << max) - 1
    };
    let host_bits = u32::from(max.saturating_sub(prefix));
    if host_bits >= 128 {
        0
    } else {
        all & !((1u128 << host_bits) - 1)
    }
}
