//! The detectors' and custom rules' sections behind the [`Section`]
//! contract.
//!
//! The detectors are compiled through their own contract ([`Detector`]),
//! one per row of the detector table; custom rules and the rate limiter
//! sit behind [`Section`] here until they implement it themselves.

use std::borrow::Cow;
use std::collections::HashSet;

use super::raw::RawConfig;
use crate::engine::detect::custom::{CustomRule, CustomRuleConfig};
use crate::engine::detect::{cmdi, crlf, java, jndi, ldap, node, nosqli, php, prototype_pollution};
use crate::engine::detect::{registry, AttackType, Detector, Detectors, Sensitivity};
use crate::engine::detect::{
    scanner, sensitive_path, sqli, ssrf, ssti, traversal, upload, xss, xxe,
};
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Context, Section};

macro_rules! compile_detectors {
    ($($field:ident $section:ident $variant:ident $doc:literal $ty:path;)*) => {
        /// Every detector section of `raw`, each compiled under its own name
        /// (`None`: the detector is off, or its section has errors) at its
        /// sensitivity (the section's, else the top-level one).
        pub(super) fn compile_detectors(raw: &RawConfig, errors: &mut ConfigErrors) -> Detectors {
            let mut low = 0u64;
            // Fields are evaluated in order, so `low` is complete when the
            // last one takes it.
            Detectors {
                $($field: {
                    let at = FieldPath::root().key(stringify!($section));
                    let level = raw.$section.sensitivity.unwrap_or(raw.sensitivity);
                    if level == Sensitivity::Low {
                        low |= 1u64.checked_shl(AttackType::$variant.index() as u32).unwrap_or(0);
                    }
                    let cfg = HighReadings::at(&raw.$section, level);
                    errors.take(<$ty as Detector>::compile(&cfg, &at)).flatten()
                },)*
                low,
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

/// The readings that `sensitivity: high` turns on: a detector switch that
/// is off by default because what it flags is weak evidence by itself (the
/// rules the sensitivity table marks `high`). Every detector's section
/// implements it, so a new detector has to say whether it has one; the
/// default turns nothing on. An explicit switch works at every level.
trait HighReadings: Clone {
    /// Turns this section's weak-evidence readings on.
    fn raise(&mut self) {}

    /// The section as compiled at `level`: itself, or a copy with its
    /// `high` readings on.
    fn at(&self, level: Sensitivity) -> Cow<'_, Self> {
        if level == Sensitivity::High {
            let mut raised = self.clone();
            raised.raise();
            Cow::Owned(raised)
        } else {
            Cow::Borrowed(self)
        }
    }
}

/// `ssti.probe`: constant arithmetic, constant conditions, bare engine
/// objects.
impl HighReadings for ssti::SstiConfig {
    fn raise(&mut self) {
        self.probes = true;
    }
}

/// `xxe.doctype`: any DOCTYPE.
impl HighReadings for xxe::XxeConfig {
    fn raise(&mut self) {
        self.reject_doctype = true;
    }
}

// No weak reading behind a switch (yet).
impl HighReadings for jndi::JndiConfig {}
impl HighReadings for java::JavaConfig {}
impl HighReadings for node::NodeConfig {}
impl HighReadings for sqli::SqliConfig {}
impl HighReadings for xss::XssConfig {}
impl HighReadings for cmdi::CmdiConfig {}
impl HighReadings for php::PhpConfig {}
impl HighReadings for traversal::TraversalConfig {}
impl HighReadings for ssrf::SsrfConfig {}
impl HighReadings for upload::UploadConfig {}
impl HighReadings for nosqli::NosqliConfig {}
impl HighReadings for ldap::LdapConfig {}
impl HighReadings for prototype_pollution::PrototypePollutionConfig {}
impl HighReadings for crlf::CrlfConfig {}
impl HighReadings for scanner::ScannerConfig {}
impl HighReadings for sensitive_path::SensitivePathConfig {}
