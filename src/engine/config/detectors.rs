//! The detectors' and custom rules' sections behind the [`Section`]
//! contract.
//!
//! The detectors are compiled through their own contract ([`Detector`]),
//! one per row of the detector table; custom rules and the rate limiter
//! sit behind [`Section`] here until they implement it themselves.

use std::collections::HashSet;

use super::raw::RawConfig;
use crate::engine::detect::custom::{CustomRule, CustomRuleConfig};
use crate::engine::detect::{registry, Detector, Detectors};
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Context, Section};

macro_rules! compile_detectors {
    ($($field:ident $section:ident $variant:ident $doc:literal $ty:path;)*) => {
        /// Every detector section of `raw`, each compiled under its own name
        /// (`None`: the detector is off, or its section has errors).
        pub(super) fn compile_detectors(raw: &RawConfig, errors: &mut ConfigErrors) -> Detectors {
            Detectors {
                $($field: {
                    let at = FieldPath::root().key(stringify!($section));
                    errors.take(<$ty as Detector>::compile(&raw.$section, &at)).flatten()
                },)*
            }
        }
    };
}

registry::with_detectors!(compile_detectors);

/// Every rule compiled (disabled rules are checked, then dropped); ids are
/// unique.
impl Section for Vec<CustomRuleConfig> {
    type Compiled = Vec<CustomRule>;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<Vec<CustomRule>, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        let mut rules = Vec::with_capacity(self.len());
        let mut ids = HashSet::new();
        for (i, rule) in self.iter().enumerate() {
            let here = at.index(i);
            if let Some(Some(compiled)) = errors.take(CustomRule::compile(rule, here.as_str())) {
                rules.push(compiled);
            }
            if !ids.insert(rule.id.as_str()) {
                errors.push(
                    here.key("id")
                        .error(format!("duplicate rule id {:?}", rule.id)),
                );
            }
        }
        errors.into_result(rules)
    }
}
