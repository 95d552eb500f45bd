//! The contract every configuration section follows: a documented serde
//! struct (what the user writes) implements [`Section`], which checks every
//! field and compiles it into the form the engine reads, reporting every
//! problem with its full path.
//!
//! A leaf module (it imports only the other leaves, [`super::error`] and
//! [`super::mode`]), so detectors and the rate limiter can implement the
//! contract for their own sections without importing the configuration
//! that composes them. Value ranges are [`Bounds`] constants next to their
//! section, read both by the checks and by the JSON Schema generator, so
//! each range is written once.

use super::error::{ConfigErrors, FieldPath};
use super::mode::Mode;

/// What a section may read from the rest of the configuration while it
/// compiles.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context {
    /// The top-level `mode` (the rate limiter records it).
    pub mode: Mode,
}

/// A configuration section: read by serde, then checked and compiled.
pub trait Section {
    /// The validated form the engine reads (`Self` for sections that need
    /// only checking).
    type Compiled;

    /// Checks every field of the section found at `at` and compiles it.
    /// Reports every problem found, each naming its full path
    /// (`limits.max_body_bytes`, `custom_rules[2].patterns[0]`).
    fn compile(&self, at: &FieldPath, cx: &Context) -> Result<Self::Compiled, ConfigErrors>;

    /// Compiles the section found at the top-level field `name`, adding its
    /// errors to `errors`; a section with errors yields its default, so the
    /// other sections are still checked (the result is then discarded).
    fn compile_field(&self, name: &str, cx: &Context, errors: &mut ConfigErrors) -> Self::Compiled
    where
        Self::Compiled: Default,
    {
        errors
            .take(self.compile(&FieldPath::root().key(name), cx))
            .unwrap_or_default()
    }
}

/// An absent (`null`) section compiles to nothing; a present one as itself.
impl<S: Section> Section for Option<S> {
    type Compiled = Option<S::Compiled>;

    fn compile(&self, at: &FieldPath, cx: &Context) -> Result<Self::Compiled, ConfigErrors> {
        match self {
            None => Ok(None),
            Some(s) => s.compile(at, cx).map(Some),
        }
    }
}

/// The range an integer field accepts, inclusive. `max == u64::MAX` means
/// "no upper bound" (the JSON Schema then states none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub min: u64,
    pub max: u64,
}

impl Bounds {
    /// `min..=max`.
    pub const fn new(min: u64, max: u64) -> Bounds {
        Bounds { min, max }
    }

    /// `min..` without an upper bound.
    pub const fn at_least(min: u64) -> Bounds {
        Bounds { min, max: u64::MAX }
    }

    /// The upper bound, unless there is none.
    pub const fn upper(self) -> Option<u64> {
        if self.max == u64::MAX {
            None
        } else {
            Some(self.max)
        }
    }

    /// True if `v` is in the range.
    pub fn contains(self, v: u64) -> bool {
        self.min <= v && v <= self.max
    }

    /// Adds an error at `at` unless `v` is in the range; true if it is.
    pub fn check(self, at: &FieldPath, v: u64, errors: &mut ConfigErrors) -> bool {
        if v < self.min {
            errors.push(at.error(format!("must be at least {}, got {v}", self.min)));
            false
        } else if v > self.max {
            errors.push(at.error(format!("must be at most {}, got {v}", self.max)));
            false
        } else {
            true
        }
    }
}

/// What the JSON Schema says of one field beyond what probing the parser
/// finds: its description and, where the checks have them, its range and
/// minimum list size. Paths are dotted keys, `[]` for array items;
/// detectors give them relative to their section (`""` is the section).
#[derive(Clone, Copy, Debug)]
pub struct FieldNote {
    pub path: &'static str,
    pub description: &'static str,
    pub minimum: Option<u64>,
    pub maximum: Option<u64>,
    pub min_items: Option<u64>,
    /// A valid value (JSON), emitted as `examples`; for fields whose type
    /// alone does not tell what a valid value looks like.
    pub example: Option<&'static str>,
}

impl FieldNote {
    /// A description.
    pub const fn new(path: &'static str, description: &'static str) -> FieldNote {
        FieldNote {
            path,
            description,
            minimum: None,
            maximum: None,
            min_items: None,
            example: None,
        }
    }

    /// A description and an inclusive range.
    pub const fn range(
        path: &'static str,
        description: &'static str,
        min: u64,
        max: u64,
    ) -> FieldNote {
        let mut n = FieldNote::new(path, description);
        n.minimum = Some(min);
        n.maximum = Some(max);
        n
    }

    /// A description and the range of a [`Bounds`] constant (no maximum
    /// when it has no upper bound).
    pub const fn bounded(path: &'static str, description: &'static str, b: Bounds) -> FieldNote {
        let mut n = FieldNote::new(path, description);
        n.minimum = Some(b.min);
        n.maximum = b.upper();
        n
    }

    /// A description and a lower bound.
    pub const fn at_least(path: &'static str, description: &'static str, min: u64) -> FieldNote {
        let mut n = FieldNote::new(path, description);
        n.minimum = Some(min);
        n
    }

    /// A description of a list that must not be empty.
    pub const fn nonempty(path: &'static str, description: &'static str) -> FieldNote {
        let mut n = FieldNote::new(path, description);
        n.min_items = Some(1);
        n
    }

    /// The same note with an example value (JSON text).
    pub const fn example(mut self, value: &'static str) -> FieldNote {
        self.example = Some(value);
        self
    }
}

/// The description of a detector's `action` field.
pub const ACTION_NOTE: &str = "`block` (answer with the block reply in block mode), `log` (count and log, the request passes) or `off` (the detector does not run).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_name_the_side_that_is_violated() {
        let b = Bounds::new(1, 64);
        let at = FieldPath::from("events.max_findings");
        let mut e = ConfigErrors::default();
        assert!(b.check(&at, 1, &mut e) && b.check(&at, 64, &mut e));
        assert!(e.is_empty());
        assert!(!b.check(&at, 0, &mut e));
        assert!(!b.check(&at, 65, &mut e));
        assert_eq!(e.errors()[0].message(), "must be at least 1, got 0");
        assert_eq!(e.errors()[1].message(), "must be at most 64, got 65");
        assert_eq!(e.field(), "events.max_findings");
        assert_eq!(Bounds::at_least(1).upper(), None);
        assert_eq!(b.upper(), Some(64));
    }
}
