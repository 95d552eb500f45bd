//! What a response says about the request's findings: a leak that a
//! finding's attack would cause *confirms* it (a SQL error after a SQL
//! injection), a finding's evidence sent back is *reflected*, any other
//! leak is *leaked* (the application leaks without being attacked).

use super::LeakKind;
use crate::engine::detect::AttackType;

/// The `outcome` of a response finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A leak no request finding explains.
    Leaked,
    /// A request finding's evidence came back in the response.
    Reflected,
    /// The response shows that a request finding's attack worked.
    Confirmed,
}

impl Outcome {
    /// The outcomes an attack can have (`rasp_attack_outcome_total`).
    pub const OF_ATTACKS: [Outcome; 2] = [Outcome::Reflected, Outcome::Confirmed];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Leaked => "leaked",
            Outcome::Reflected => "reflected",
            Outcome::Confirmed => "confirmed",
        }
    }
}

/// The attacks whose success `kind` shows: what the database said after
/// an injection, the file or key a traversal read, the output of an
/// injected command.
pub fn confirmed_by(kind: LeakKind) -> &'static [AttackType] {
    match kind {
        LeakKind::SqlError => &[AttackType::SqlInjection],
        LeakKind::PasswdFile | LeakKind::PrivateKey => &[
            AttackType::PathTraversal,
            AttackType::PhpInjection,
            AttackType::Xxe,
        ],
        LeakKind::CommandOutput => &[
            AttackType::CommandInjection,
            AttackType::JavaInjection,
            AttackType::NodeInjection,
            AttackType::Ssti,
            AttackType::PhpInjection,
        ],
        LeakKind::StackTrace | LeakKind::CardNumber | LeakKind::Reflection => &[],
    }
}

/// The first of the request's attack types that `kind` confirms.
pub fn confirm(kind: LeakKind, attacks: &[AttackType]) -> Option<AttackType> {
    let by = confirmed_by(kind);
    attacks.iter().copied().find(|a| by.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmations() {
        let a = [AttackType::Xss, AttackType::SqlInjection];
        assert_eq!(
            confirm(LeakKind::SqlError, &a),
            Some(AttackType::SqlInjection)
        );
        assert_eq!(confirm(LeakKind::PasswdFile, &a), None);
        assert_eq!(
            confirm(LeakKind::PasswdFile, &[AttackType::PathTraversal]),
            Some(AttackType::PathTraversal)
        );
        assert_eq!(confirm(LeakKind::CardNumber, &a), None);
    }
}
