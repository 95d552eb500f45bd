//! The attack classes ([`AttackType`]): one per detector of the table in
//! `registry.rs`, plus `custom` for the user's regex rules. Their names are
//! the configuration section names, the `type` of events and the `type`
//! label of `rasp_attacks_total`.

macro_rules! attack_type {
    ($($field:ident $section:ident $variant:ident $doc:literal $ty:path;)*) => {
        /// The attack classes, in the table's order, then `Custom`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AttackType {
            $(#[doc = $doc] $variant,)*
            /// A custom rule (`custom_rules`).
            Custom,
        }

        impl AttackType {
            /// Every attack type, in a stable order.
            pub const ALL: &'static [AttackType] = &[$(AttackType::$variant,)* AttackType::Custom];

            /// The snake_case name (`sql_injection`, `xss`, …): the
            /// detector's configuration section.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AttackType::$variant => stringify!($section),)*
                    AttackType::Custom => "custom",
                }
            }
        }
    };
}

super::registry::with_detectors!(attack_type);

impl AttackType {
    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<AttackType> {
        AttackType::ALL.iter().copied().find(|t| t.as_str() == s)
    }

    /// This type's position in [`AttackType::ALL`] (metric ids, bit sets).
    pub fn index(self) -> usize {
        AttackType::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::AttackType;

    #[test]
    fn names_round_trip_and_indices_follow_the_table() {
        for (i, t) in AttackType::ALL.iter().enumerate() {
            assert_eq!(AttackType::parse(t.as_str()), Some(*t));
            assert_eq!(t.index(), i);
        }
        assert_eq!(AttackType::SqlInjection.as_str(), "sql_injection");
        assert_eq!(AttackType::Custom.as_str(), "custom");
        assert_eq!(AttackType::parse("nope"), None);
    }
}
