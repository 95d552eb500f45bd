//! Fixed facts about hosts and URLs: cloud metadata addresses and names,
//! local host names, scheme classes, URL character classes, length bounds.

/// `host` equals `domain` or is a subdomain of it (both lowercase).
pub(super) fn under(host: &[u8], domain: &[u8]) -> bool {
    if host == domain {
        return true;
    }
    host.len() > domain.len()
        && host.ends_with(domain)
        && host.get(host.len() - domain.len() - 1) == Some(&b'.')
}

/// Cloud metadata service addresses: AWS/GCP/Azure/DigitalOcean/OpenStack/
/// Hetzner/Oracle (`169.254.169.254`), AWS ECS task metadata
/// (`169.254.170.2`), AWS DNS (`169.254.169.253`), Alibaba
/// (`100.100.100.200`), Oracle legacy (`192.0.0.192`), Azure wire server
/// (`168.63.129.16`).
pub(super) const METADATA_V4: [u32; 6] = [
    0xA9FE_A9FE,
    0xA9FE_AA02,
    0xA9FE_A9FD,
    0x6464_64C8,
    0xC000_00C0,
    0xA83F_8110,
];
/// AWS IMDS over IPv6 (`fd00:ec2::254`) and its DNS (`fd00:ec2::253`).
pub(super) const METADATA_V6: [u128; 2] = [
    0xfd00_0ec2_0000_0000_0000_0000_0000_0254,
    0xfd00_0ec2_0000_0000_0000_0000_0000_0253,
];
/// Cloud metadata service names.
pub(super) const METADATA_NAMES: [&str; 9] = [
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "metadata.packet.net",
    "metadata.platformequinix.com",
    "metadata.tencentyun.com",
    "instance-data",
    "instance-data.ec2.internal",
    "rancher-metadata",
];
/// Names of the local host in common `/etc/hosts` files.
pub(super) const LOCALHOST_NAMES: [&str; 8] = [
    "localhost",
    "localhost4",
    "localhost6",
    "localhost.localdomain",
    "localhost4.localdomain4",
    "localhost6.localdomain6",
    "ip6-localhost",
    "ip6-loopback",
];

/// Schemes whose URLs name a host that the server connects to: an
/// obfuscated IP or a single-label name in them is a target.
pub(super) const NETWORK_SCHEMES: [&str; 22] = [
    "http", "https", "ws", "wss", "ftp", "ftps", "sftp", "tftp", "gopher", "dict", "ldap", "ldaps",
    "ssh", "telnet", "smb", "rsync", "redis", "imap", "pop3", "smtp", "file", "netdoc",
];
/// WHATWG special schemes: `http:host` without slashes still has a host.
pub(super) const SPECIAL_SCHEMES: [&str; 6] = ["http", "https", "ws", "wss", "ftp", "file"];

/// Longest host examined (DNS names are at most 253 bytes).
pub(super) const MAX_HOST: usize = 255;

pub(super) fn is_scheme_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.' || b == b'_'
}

pub(super) fn is_host_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' || b >= 0x80
}
