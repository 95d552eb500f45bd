//! The attack classes ([`AttackType`]) and one detection in one request
//! ([`Finding`]), as events, metrics and replies name them.
//!
//! A leaf: it imports only the outcome vocabulary ([`Taken`]), so events,
//! metrics and replies name attacks without importing the detectors.

use crate::engine::mode::Taken;

/// The attack classes. Their names are the configuration section names and
/// the `type` label of `rasp_attacks_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttackType {
    SqlInjection,
    Xss,
    CommandInjection,
    PathTraversal,
    Ssrf,
    Xxe,
    FileUpload,
    Custom,
}

impl AttackType {
    /// Every attack type, in a stable order.
    pub const ALL: [AttackType; 8] = [
        AttackType::SqlInjection,
        AttackType::Xss,
        AttackType::CommandInjection,
        AttackType::PathTraversal,
        AttackType::Ssrf,
        AttackType::Xxe,
        AttackType::FileUpload,
        AttackType::Custom,
    ];

    /// The snake_case name (`sql_injection`, `xss`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AttackType::SqlInjection => "sql_injection",
            AttackType::Xss => "xss",
            AttackType::CommandInjection => "command_injection",
            AttackType::PathTraversal => "path_traversal",
            AttackType::Ssrf => "ssrf",
            AttackType::Xxe => "xxe",
            AttackType::FileUpload => "file_upload",
            AttackType::Custom => "custom",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<AttackType> {
        AttackType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One detection in one request, ready for logging and metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub attack: AttackType,
    /// Detector rule id (`sqli.union_select`) or custom rule id.
    pub rule: String,
    /// Which structure matched.
    pub reason: String,
    /// Where: `query:q`, `json:$.user.name`, `header:user-agent`, ….
    pub location: String,
    /// Excerpt of the matching part, truncated and escaped.
    pub evidence: String,
    /// What was done.
    pub taken: Taken,
    /// Whether an event line is written (custom rules can turn it off).
    pub log: bool,
}
