//! What went wrong while reading a value, and how it is said: the full
//! path, the expected type in words, a close known name for a misspelling.

use std::fmt;

use serde::de;
use serde_json::Value;

use crate::engine::error::{ConfigError, ErrorKind, FieldPath};

/// The type a value was read as, to say in words what was expected.
#[derive(Clone, Copy, Debug)]
pub(super) enum Expect {
    Bool,
    /// An unsigned integer no larger than `max`.
    Whole {
        max: u64,
    },
    Signed,
    Number,
    Text,
    List,
    Object,
    Null,
    Name(&'static [&'static str]),
}

impl Expect {
    /// `a whole number of bytes`, `true or false`, `one of "a", "b"`.
    /// `field` is the field's name (its unit), `found` what was there;
    /// `bad_value`: the JSON type was right but the value does not fit.
    fn words(self, field: &str, found: &str, bad_value: bool) -> String {
        match self {
            Expect::Bool => "true or false".into(),
            Expect::Whole { max } => {
                let unit = if field.ends_with("_bytes") {
                    " of bytes"
                } else if field.ends_with("_ms") {
                    " of milliseconds"
                } else {
                    ""
                };
                if !bad_value {
                    format!("a whole number{unit}")
                } else if found.starts_with('-') {
                    format!("a whole number{unit}, 0 or more")
                } else if max < u64::MAX {
                    format!("a whole number{unit}, at most {max}")
                } else {
                    format!("a whole number{unit}")
                }
            }
            Expect::Signed => "a whole number".into(),
            Expect::Number => "a number".into(),
            Expect::Text => "a string".into(),
            Expect::List => "a list (JSON array)".into(),
            Expect::Object => "an object".into(),
            Expect::Null => "null".into(),
            Expect::Name(names) => one_of(names),
        }
    }
}

/// `one of "block", "log", "off"`.
fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// What was found, for messages: `the string "10MB"`, `-1`, `a list`.
pub(super) fn found_in(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            if short.len() < s.len() {
                format!("the string {short:?}…")
            } else {
                format!("the string {s:?}")
            }
        }
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Edit distance between two short names (for "did you mean").
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = i;
        let mut left = i + 1;
        let mut next = Vec::with_capacity(row.len());
        next.push(left);
        for (j, cb) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let d = (diag + usize::from(ca != *cb)).min(up + 1).min(left + 1);
            next.push(d);
            diag = up;
            left = d;
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

/// The known name `got` was probably meant to be: at most two edits away,
/// or a prefix of it (`max_body` for `max_body_bytes`).
fn closest<'n>(got: &str, names: &[&'n str]) -> Option<&'n str> {
    let near = names
        .iter()
        .map(|n| (distance(got, n), *n))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n);
    near.or_else(|| {
        names
            .iter()
            .find(|n| got.len() >= 4 && (n.starts_with(got) || got.starts_with(**n)))
            .copied()
    })
}

/// A problem found while reading, before (or after) it knows its path.
#[derive(Debug)]
pub(super) struct Problem {
    /// Boxed: errors travel up through every `Result` of the reader.
    pub(super) what: Box<What>,
    /// Where it is reported; set by the innermost object or list holding
    /// the value (or by the object that misses a field).
    pub(super) at: Option<FieldPath>,
    /// What the next pass leaves out, and whether that is lossy.
    pub(super) skip: Option<(FieldPath, bool)>,
}

#[derive(Debug)]
pub(super) enum What {
    /// A wrong JSON type (`WrongType`) or a value the type cannot hold
    /// (`BadValue`).
    Type {
        kind: ErrorKind,
        expect: Option<Expect>,
        /// serde's own name of the expected type, until `expect` is known.
        serde: String,
        found: String,
    },
    UnknownName {
        got: String,
        names: &'static [&'static str],
    },
    UnknownField {
        got: String,
        names: &'static [&'static str],
    },
    /// A required field (named) is absent.
    MissingField(&'static str),
    Other(String),
}

impl Problem {
    pub(super) fn new(what: What) -> Problem {
        Problem {
            what: Box::new(what),
            at: None,
            skip: None,
        }
    }

    /// The value at `at` failed (unless a value inside it already said
    /// where).
    pub(super) fn located(mut self, at: &FieldPath, lossy: bool) -> Problem {
        if self.at.is_none() {
            self.at = Some(at.clone());
            self.skip = Some((at.clone(), lossy));
        }
        self
    }

    /// A problem with this very value `v`, which was read as `expect`.
    pub(super) fn expecting(mut self, expect: Expect, v: &Value) -> Problem {
        if self.at.is_none() {
            if let What::Type {
                expect: e,
                serde,
                found,
                ..
            } = &mut *self.what
            {
                let expect = match expect {
                    // serde reads a usize through u64 and checks the
                    // platform's range itself.
                    Expect::Whole { .. } if serde == "usize" => Expect::Whole {
                        max: usize::MAX as u64,
                    },
                    other => other,
                };
                e.get_or_insert(expect);
                *found = found_in(v);
            }
        }
        self
    }

    pub(super) fn into_error(self, at: &FieldPath) -> ConfigError {
        let field = at.as_str().rsplit('.').next().unwrap_or("");
        let (kind, message) = match *self.what {
            What::Type {
                kind,
                expect,
                serde,
                found,
            } => {
                let words = match expect {
                    Some(e) => e.words(field, &found, kind == ErrorKind::BadValue),
                    None => serde,
                };
                (kind, format!("expected {words}, got {found}"))
            }
            What::UnknownName { got, names } => (
                ErrorKind::UnknownName(names),
                format!("expected {}, got {got:?}", one_of(names)),
            ),
            What::UnknownField { got, names } => {
                let mut m = String::from("unknown field");
                if let Some(n) = closest(&got, names) {
                    m.push_str(&format!(", did you mean `{n}`?"));
                }
                m.push_str(&format!(" (known fields: {})", names.join(", ")));
                (ErrorKind::UnknownField, m)
            }
            What::MissingField(_) => (ErrorKind::MissingField, "this field is required".into()),
            What::Other(m) => (ErrorKind::Invalid, m),
        };
        ConfigError::of_kind(kind, at.as_str(), message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.what)
    }
}

impl std::error::Error for Problem {}

impl de::Error for Problem {
    fn custom<T: fmt::Display>(msg: T) -> Problem {
        Problem::new(What::Other(msg.to_string()))
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Problem {
        Problem::new(What::Type {
            kind: ErrorKind::WrongType,
            expect: None,
            serde: exp.to_string(),
            found: unexp.to_string(),
        })
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Problem {
        Problem::new(What::Type {
            kind: ErrorKind::BadValue,
            expect: None,
            serde: exp.to_string(),
            found: unexp.to_string(),
        })
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Problem {
        Problem::new(What::Other(format!("expected {exp}, got {len} items")))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Problem {
        Problem::new(What::UnknownName {
            got: variant.to_string(),
            names: expected,
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Problem {
        Problem::new(What::UnknownField {
            got: field.to_string(),
            names: expected,
        })
    }

    fn missing_field(field: &'static str) -> Problem {
        // The object that misses it adds the path (see `Walk::whole`).
        Problem::new(What::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Problem {
        Problem::new(What::Other(format!("`{field}` is given twice")))
    }
}
