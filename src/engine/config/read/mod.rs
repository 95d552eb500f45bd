//! Reading a configuration document into the serde structs so that every
//! problem is reported, each with its full path and the expected type in
//! words.
//!
//! serde stops at the first error, and its message says neither where the
//! value was nor what it should be in terms a user reads ("expected u64").
//! The reader is a serde `Deserializer` over a parsed [`Value`] that knows
//! the path of every value it hands out and which type was asked for. When
//! a value fails, the innermost object or list holding it names it, and the
//! document is read again with that value left out, until it reads: a wrong
//! type no longer hides a misspelt field elsewhere.
//!
//! Leaving a field out lets it take its default. A required field left out
//! makes its object fail in turn (not reported again: the user did write
//! the field), and the object is left out of its parent. Leaving a list
//! item (or an object) out is *lossy*: later checks of that section would
//! name shifted items or complain about a default the user never chose, so
//! the caller does not check lossy sections (see [`Read::hides`]).
//!
//! The serde derives stay the only description of the fields (which exist,
//! which are required, their types, defaults and accepted names); nothing
//! here lists them. Every value is read the way `serde_json` reads it, so
//! the same documents load, with one rule `serde_json` does not have and
//! the configuration always had: a top-level section that is a struct must
//! be a JSON object (serde also reads a struct from an array of its field
//! values, which nobody writes on purpose; deeper down that is still read
//! as before).

mod problem;
mod walk;

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::engine::error::{ConfigError, FieldPath};
use problem::What;
use walk::Walk;

/// Errors after which reading stops: a document this wrong is not a
/// configuration being edited, and every pass re-reads the document.
const MAX_ERRORS: usize = 32;

/// A document read into `T`, with what went wrong.
pub(super) struct Read<T> {
    /// The document, with the values that failed left out (their defaults
    /// instead). Meaningful only when `errors` is empty.
    pub value: T,
    /// Every problem found, in document order per pass.
    pub errors: Vec<ConfigError>,
    /// Paths left out, and whether leaving them out was lossy.
    left_out: Vec<(FieldPath, bool)>,
}

impl<T> Read<T> {
    /// A document that read without any problem.
    pub fn clean(value: T) -> Read<T> {
        Read {
            value,
            errors: Vec::new(),
            left_out: Vec::new(),
        }
    }

    /// True when a check's error at `field` should not be reported: it
    /// lies in a value left out, or in a top-level section that lost more
    /// than a field (a list item, a whole object).
    pub fn hides(&self, field: &str) -> bool {
        self.left_out.iter().any(|(path, lossy)| {
            path.contains(field) || (*lossy && section_of(path).contains(field))
        })
    }
}

/// The top-level section a path lies in (`custom_rules[1].id` →
/// `custom_rules`).
fn section_of(path: &FieldPath) -> FieldPath {
    let s = path.as_str();
    let end = s.find(['.', '[']).unwrap_or(s.len());
    FieldPath::from(s.get(..end).unwrap_or(s))
}

/// Reads `doc` into `T`, collecting every problem.
pub(super) fn read<T: DeserializeOwned + Default>(doc: &Value) -> Read<T> {
    let mut skips: BTreeSet<FieldPath> = BTreeSet::new();
    let mut out = Read::clean(T::default());
    // Each pass leaves out one more value, so this ends; the bound is for
    // documents with thousands of bad values.
    for _ in 0..MAX_ERRORS * 4 {
        let p = match T::deserialize(Walk::root(doc, &skips)) {
            Ok(v) => {
                out.value = v;
                return out;
            }
            Err(p) => p,
        };
        let at = p.at.clone().unwrap_or_default();
        let (skip, lossy) = p.skip.clone().unwrap_or_else(|| (at.clone(), true));
        // A required field the user wrote, left out for its own error.
        let consequence = matches!(*p.what, What::MissingField(_)) && skips.contains(&at);
        if !consequence {
            out.errors.push(p.into_error(&at));
        }
        if out.errors.len() >= MAX_ERRORS {
            out.errors.push(ConfigError::new(
                "",
                "more errors not listed; fix these first",
            ));
            return out;
        }
        if skip.as_str().is_empty() || !skips.insert(skip.clone()) {
            return out;
        }
        out.left_out.push((skip, lossy));
    }
    out.errors.push(ConfigError::new(
        "",
        "more errors not listed; fix these first",
    ));
    out
}
