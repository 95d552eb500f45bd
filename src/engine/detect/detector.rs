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
//!
//! Each detector also declares, through [`Detector::needs`], which bytes a
//! value must hold for `detect` to ever fire ([`Needs`]). The scan loop
//! computes the value's [`Signature`] once and skips every detector whose
//! needs it does not meet, so most values cost one pass instead of one per
//! detector. A declaration must follow the detector's own entry checks (the
//! byte tests `detect` starts with); the contract test in `set.rs` runs
//! every fixture and corpus attack through every detector and fails when a
//! detector fires on a value its declaration would have skipped.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Hit, ValueCtx};
use crate::engine::bytes::Signature;
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

    /// What a value (as [`detect`](Self::detect) receives it) must hold
    /// for `detect` to fire: a value whose [`Signature`] this does not
    /// admit is not given to the detector. The default admits everything.
    fn needs(&self) -> Needs {
        Needs::ALWAYS
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

/// Which [`Signature`]s a detector can fire on: some byte class of `any`,
/// or every bit of one of the `all` conjunctions (a word's letters, a
/// pair of bytes a reading needs together). Built with `const` methods:
///
/// ```
/// use envoy_rasp::engine::bytes::Signature;
/// use envoy_rasp::engine::detect::Needs;
///
/// // `<` or `(` anywhere, or the letters of `proto` together.
/// const N: Needs = Needs::any(b"<(").or_all(Signature::letters(b"proto"));
/// assert!(N.admits(Signature::of(b"a<b")));
/// assert!(N.admits(Signature::of(b"__proto__")));
/// assert!(!N.admits(Signature::of(b"pro")));
/// // Letters are a set: `report` holds those of `proto` too.
/// assert!(N.admits(Signature::of(b"report")));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    any: u64,
    all: [u64; Needs::MAX_ALL],
}

impl Needs {
    /// How many conjunctions one declaration holds.
    pub const MAX_ALL: usize = 4;

    /// Every value (the default: a detector that declares nothing).
    pub const ALWAYS: Needs = Needs {
        any: u64::MAX,
        all: [0; Needs::MAX_ALL],
    };

    /// No value: detectors that only read whole documents, files, headers
    /// or the path through their own entry points.
    pub const NEVER: Needs = Needs {
        any: 0,
        all: [u64::MAX; Needs::MAX_ALL],
    };

    /// Some byte of `bytes` (through its class: see [`Signature::byte`]).
    pub const fn any(bytes: &[u8]) -> Needs {
        Needs::NEVER.or_any(Signature::bytes(bytes))
    }

    /// Also any of the signature bits `bits`.
    pub const fn or_any(mut self, bits: u64) -> Needs {
        self.any |= bits;
        self
    }

    /// Also every one of the signature bits `bits` together. Past
    /// [`MAX_ALL`](Self::MAX_ALL) conjunctions the declaration admits
    /// everything (a build of a too-long declaration stays correct).
    // `i` < MAX_ALL, the array's length (and this runs at compile time).
    #[allow(clippy::indexing_slicing)]
    pub const fn or_all(mut self, bits: u64) -> Needs {
        let mut i = 0;
        while i < Needs::MAX_ALL {
            if self.all[i] == u64::MAX {
                self.all[i] = bits;
                return self;
            }
            i += 1;
        }
        Needs::ALWAYS
    }

    /// Whether a value with signature `sig` can make the detector fire.
    #[inline]
    pub fn admits(&self, sig: Signature) -> bool {
        sig.has(self.any) || self.all.iter().any(|&a| sig.has_all(a))
    }
}
