//! The contract every detector implements: [`Detector`].
//!
//! A detector owns its configuration section (a documented serde struct,
//! `Config`), compiles it (`None` when its action is `off`, so a disabled
//! detector costs nothing), and reads one extracted, normalised value at a
//! time ([`Detector::detect`]). Document detectors (`xxe`, `upload`) read a
//! whole structure through their own entry points and keep the default
//! `detect`, which finds nothing. The table in `registry.rs` lists every
//! detector once; everything else (attack types, configuration fields,
//! schema notes, the scan loop) follows from it.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Hit, ValueCtx};
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::mode::Action;
use crate::engine::section::FieldNote;

/// One detector. See the [module docs](self).
pub trait Detector: Sized {
    /// The configuration section, as written in JSON (every field
    /// defaulted and documented).
    type Config: Clone + Default + std::fmt::Debug + Serialize + DeserializeOwned;

    /// Descriptions (and ranges) of the section's fields for the JSON
    /// Schema, by path relative to the section (`""` is the section).
    const NOTES: &'static [FieldNote];

    /// Checks and compiles the section found at `at`; `None` when the
    /// detector is off.
    fn compile(cfg: &Self::Config, at: &FieldPath) -> Result<Option<Self>, ConfigErrors>;

    /// What a hit does: block, or log only.
    fn action(&self) -> Action;

    /// The structure in `value` that this detector recognises, if any.
    fn detect(&self, _value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        None
    }

    /// Reads every request header, not only `inspect.headers`: families
    /// that applications log from any header (Log4Shell, CRLF, tool
    /// signatures). Their `detect` runs on the values of the headers that
    /// `inspect.headers` does not already send through every detector.
    const EVERY_HEADER: bool = false;

    /// A request header as a whole (name and value), for detectors with
    /// [`EVERY_HEADER`](Self::EVERY_HEADER).
    fn detect_header(&self, _name: &[u8], _value: &[u8]) -> Option<Hit> {
        None
    }

    /// For detectors with [`EVERY_HEADER`](Self::EVERY_HEADER): whether
    /// `detect` reads the value of header `name` (lowercase) in the
    /// every-header pass. SQL injection and XSS leave out headers whose
    /// grammar is syntax to them (`header_params::SYNTAX_HEADERS`).
    fn reads_header(&self, _name: &[u8]) -> bool {
        true
    }

    /// The request path as a whole (as received, query included).
    fn detect_path(&self, _path: &[u8]) -> Option<Hit> {
        None
    }

    /// True when some locations are configured where hits are dropped
    /// (the SQL whitelist); `suppressed` is asked only then.
    fn has_suppressions(&self) -> bool {
        false
    }

    /// True when a hit at `location` (`query:sql`) is dropped.
    fn suppressed(&self, _location: &str) -> bool {
        false
    }
}
