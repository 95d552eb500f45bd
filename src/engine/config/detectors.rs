//! The detectors' and custom rules' sections behind the [`Section`]
//! contract.
//!
//! Their checks live in their own modules, each a `compile(cfg, path)`
//! that returns its first error; these adapters put them behind the same
//! contract as every other section, so the configuration composes them all
//! alike and reports one error per section at least. When a detector
//! implements [`Section`] itself, its adapter here goes.

use std::collections::HashSet;

use super::raw::RawConfig;
use crate::engine::detect::custom::{CustomRule, CustomRuleConfig};
use crate::engine::detect::{cmdi, sqli, ssrf, traversal, upload, xss, xxe, Detectors};
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Context, Section};

macro_rules! detector_sections {
    ($($cfg:ty => $det:ty),* $(,)?) => {$(
        impl Section for $cfg {
            type Compiled = Option<$det>;

            fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<Option<$det>, ConfigErrors> {
                Ok(<$det>::compile(self, at.as_str())?)
            }
        }
    )*};
}

detector_sections! {
    sqli::SqliConfig => sqli::Sqli,
    xss::XssConfig => xss::Xss,
    cmdi::CmdiConfig => cmdi::Cmdi,
    traversal::TraversalConfig => traversal::Traversal,
    ssrf::SsrfConfig => ssrf::Ssrf,
    xxe::XxeConfig => xxe::Xxe,
    upload::UploadConfig => upload::Upload,
}

/// Every detector section of `raw`, each compiled under its own name
/// (`None`: the detector is off, or its section has errors).
pub(super) fn compile_detectors(
    raw: &RawConfig,
    cx: &Context,
    errors: &mut ConfigErrors,
) -> Detectors {
    Detectors {
        sqli: raw.sql_injection.compile_field("sql_injection", cx, errors),
        xss: raw.xss.compile_field("xss", cx, errors),
        cmdi: raw
            .command_injection
            .compile_field("command_injection", cx, errors),
        traversal: raw
            .path_traversal
            .compile_field("path_traversal", cx, errors),
        ssrf: raw.ssrf.compile_field("ssrf", cx, errors),
        xxe: raw.xxe.compile_field("xxe", cx, errors),
        upload: raw.file_upload.compile_field("file_upload", cx, errors),
    }
}

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
