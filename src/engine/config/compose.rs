//! [`Config`]: every section of a [`RawConfig`] checked and compiled
//! ([`RawConfig::validate`]), with every error reported at once.

use super::detectors::compile_detectors;
use super::profiles::{compile_profiles, compile_shadow, Profiles, Shadow};
use super::raw::{read_document, RawConfig};
use super::{Allowlist, BlockConfig, EventsConfig, InspectSettings, Limits, ResponseSettings};
use crate::engine::detect::{custom, Detectors};
use crate::engine::error::ConfigErrors;
use crate::engine::mode::Mode;
use crate::engine::profile::Exclusions;
use crate::engine::ratelimit::RateLimiter;
use crate::engine::section::{Context, Section};
use crate::engine::siem::SiemConfig;

/// The validated, compiled configuration the engine reads.
#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    pub block: BlockConfig,
    pub detectors: Detectors,
    pub custom_rules: Vec<custom::CustomRule>,
    pub limits: Limits,
    pub allowlist: Allowlist,
    /// As written, header names lowercased.
    pub inspect: InspectSettings,
    pub events: EventsConfig,
    /// The validated SIEM sink settings, when the sink is on.
    pub siem: Option<SiemConfig>,
    /// The compiled rate limiter; `None` when `rate_limit.enabled` is false.
    pub rate_limit: Option<RateLimiter>,
    /// Findings not acted on.
    pub exclusions: Exclusions,
    /// The profiles, each a complete configuration (empty when none).
    pub profiles: Profiles,
    /// The shadow configuration, when one is set.
    pub shadow: Option<Shadow>,
    /// The name of the profile this configuration is (`None`: the global
    /// configuration or a shadow).
    pub profile: Option<String>,
    /// Response inspection; `enabled: false` by default.
    pub response: ResponseSettings,
    /// The configuration as written (after defaults), for `rasp-explain`.
    pub raw: RawConfig,
}

impl Default for Config {
    /// The validated `{}`: exactly what an empty plugin configuration
    /// loads (a test proves it).
    #[allow(clippy::panic)] // the defaults are constants; the tests prove they validate
    fn default() -> Config {
        match RawConfig::default().validate() {
            Ok(c) => c,
            Err(e) => panic!("the built-in defaults do not validate: {e}"),
        }
    }
}

impl Config {
    /// Parses and validates a JSON document (steps 1 and 2), reporting
    /// every problem found.
    pub fn from_json(bytes: &[u8]) -> Result<Config, ConfigErrors> {
        let mut read = read_document(bytes)?;
        let mut errors = ConfigErrors::default();
        errors.extend(read.errors.iter().cloned());
        match std::mem::take(&mut read.value).validate() {
            Ok(config) => errors.into_result(config),
            Err(checks) if errors.is_empty() => Err(checks),
            Err(checks) => {
                // What could not be read was left out: checks of it would
                // judge a default the user did not choose.
                errors.extend(
                    checks
                        .errors()
                        .iter()
                        .filter(|e| !read.hides(e.field()))
                        .cloned(),
                );
                Err(errors)
            }
        }
    }
}

impl RawConfig {
    /// Checks every section and compiles the configuration (step 2).
    pub fn validate(self) -> Result<Config, ConfigErrors> {
        let cx = Context { mode: self.mode };
        let mut errors = ConfigErrors::default();
        let e = &mut errors;
        let block = self.block.compile_field("block", &cx, e);
        let limits = self.limits.compile_field("limits", &cx, e);
        let allowlist = self.allowlist.compile_field("allowlist", &cx, e);
        let inspect = self.inspect.compile_field("inspect", &cx, e);
        let events = self.events.compile_field("events", &cx, e);
        let siem = self.siem.compile_field("siem", &cx, e);
        let rate_limit = self.rate_limit.compile_field("rate_limit", &cx, e);
        let detectors = compile_detectors(&self, e);
        let custom_rules = self.custom_rules.compile_field("custom_rules", &cx, e);
        let exclusions = self.exclusions.compile_field("exclusions", &cx, e);
        // The profiles inherit the global sections: compiled once those
        // are known to be valid, so their errors are not repeated.
        let (profiles, shadow) = if e.is_empty() {
            (compile_profiles(&self, e), compile_shadow(&self, e))
        } else {
            (Profiles::default(), None)
        };
        let response = self.response.compile_field("response", &cx, e);
        errors.into_result(())?;
        Ok(Config {
            mode: self.mode,
            block,
            detectors,
            custom_rules,
            limits,
            allowlist,
            inspect,
            events,
            siem,
            rate_limit,
            exclusions,
            profiles,
            shadow,
            profile: None,
            response,
            raw: self,
        })
    }
}
