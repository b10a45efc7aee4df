//! `IpAddress` / `NotIpAddress` with IPv4 and IPv6 CIDR blocks (std::net parses the addresses;
//! the prefix arithmetic is ours). A bare address in a policy means a /32 or /128.

use std::net::IpAddr;

/// A parsed CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

/// Parse `10.0.0.0/8`, `2001:db8::/32` or a bare address.
pub fn parse_cidr(s: &str) -> Option<Cidr> {
    let s = s.trim();
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
            p.parse::<u8>().ok().filter(|p| *p <= max)?
        }
        Some(_) => return None,
        None => max,
    };
    Some(Cidr { addr, prefix })
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = mask32(self.prefix);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = mask128(self.prefix);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            // An IPv4-mapped IPv6 request address against a v4 block.
            (IpAddr::V4(_), IpAddr::V6(ip)) => ip
                .to_ipv4_mapped()
                .is_some_and(|v4| self.contains(IpAddr::V4(v4))),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }

    /// The first address of the block (used to build probe contexts).
    pub fn network(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => IpAddr::V4((u32::from(a) & mask32(self.prefix)).into()),
            IpAddr::V6(a) => IpAddr::V6((u128::from(a) & mask128(self.prefix)).into()),
        }
    }
}

fn mask32(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

fn mask128(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix.min(128)))
    }
}

pub(super) fn contains(policy: &str, value: &str) -> bool {
    let Some(cidr) = parse_cidr(policy) else {
        return false;
    };
    // Request values are single addresses; tolerate a /32 suffix.
    match parse_cidr(value) {
        Some(v) => cidr.contains(v.addr),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        assert!(contains("203.0.113.0/24", "203.0.113.9"));
        assert!(!contains("203.0.113.0/24", "203.0.114.9"));
        assert!(contains("0.0.0.0/0", "8.8.8.8"));
        assert!(contains("10.1.2.3", "10.1.2.3"));
        assert!(contains("2001:db8::/32", "2001:db8:1::5"));
        assert!(!contains("2001:db8::/32", "2001:db9::5"));
        assert!(contains("::/0", "::1"));
        assert!(contains("192.0.2.0/24", "::ffff:192.0.2.7"));
        assert!(!contains("10.0.0.0/33", "10.0.0.1"));
        assert!(!contains("garbage", "10.0.0.1"));
    }
}
