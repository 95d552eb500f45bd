//! The request parts ([`Target`]) that custom rules and the SSRF detector
//! choose to read, each a group of [`Surface`](super::Surface)s.

use serde::{Deserialize, Serialize};

/// The request parts a custom rule can apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The decoded URL path and its segments.
    Path,
    /// Query parameter names and values.
    Query,
    /// Body values (form fields, JSON strings, multipart fields, XML text).
    Body,
    /// The values of the headers listed in `inspect.headers`.
    Headers,
    /// Cookie values.
    Cookies,
}

impl Target {
    /// Every target, in [`Target::index`] order.
    pub const ALL: [Target; 5] = [
        Target::Path,
        Target::Query,
        Target::Body,
        Target::Headers,
        Target::Cookies,
    ];

    /// The position in [`Target::ALL`], for per-target tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The target as one bit of a set (`1 << index`).
    pub fn bit(self) -> u8 {
        1 << self.index()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_position_in_all() {
        for (i, t) in Target::ALL.into_iter().enumerate() {
            assert_eq!(t.index(), i);
        }
    }
}
