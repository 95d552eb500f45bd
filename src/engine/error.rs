//! Configuration errors: [`ConfigError`] (one problem, named by its full
//! field path), [`ConfigErrors`] (every problem found in one document) and
//! [`FieldPath`], which builds those paths.
//!
//! A leaf module (it imports nothing from the engine): every section, the
//! detectors' and the rate limiter's included, reports through these types
//! without importing the configuration that composes them.

use std::fmt;

/// The dotted path of a field in the configuration document:
/// `limits.max_body_bytes`, `custom_rules[2].patterns[0]`; empty for the
/// document itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(String);

impl FieldPath {
    /// The document itself.
    pub fn root() -> FieldPath {
        FieldPath(String::new())
    }

    /// The field `name` of the object at this path.
    pub fn key(&self, name: &str) -> FieldPath {
        if self.0.is_empty() {
            FieldPath(name.to_string())
        } else {
            FieldPath(format!("{}.{name}", self.0))
        }
    }

    /// Item `i` of the list at this path.
    pub fn index(&self, i: usize) -> FieldPath {
        FieldPath(format!("{}[{i}]", self.0))
    }

    /// The path as written in error messages.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True if `path` is this path or lies inside it (`limits` contains
    /// `limits.max_depth`; `a[1]` contains `a[1].b` but not `a[10]`).
    pub fn contains(&self, path: &str) -> bool {
        match path.strip_prefix(self.0.as_str()) {
            Some(rest) => {
                self.0.is_empty()
                    || rest.is_empty()
                    || rest.starts_with('.')
                    || rest.starts_with('[')
            }
            None => false,
        }
    }

    /// An error about the field at this path.
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::new(self.0.clone(), message)
    }
}

impl From<&str> for FieldPath {
    fn from(s: &str) -> FieldPath {
        FieldPath(s.to_string())
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of problem a [`ConfigError`] reports. The configuration reader
/// sets the specific kinds; every check a section makes after reading
/// (ranges, patterns, cross-field rules) is [`ErrorKind::Invalid`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The document is not JSON, or not a JSON object.
    Syntax,
    /// A field the object does not have (usually a misspelling).
    UnknownField,
    /// A required field is absent.
    MissingField,
    /// A value of the wrong JSON type (`"10MB"` where a number goes).
    WrongType,
    /// A value of the right JSON type that the field cannot hold: a
    /// negative count, a number too large for the field.
    BadValue,
    /// A string that is not one of the names the field accepts; the
    /// accepted names.
    UnknownName(&'static [&'static str]),
    /// A value that reads but fails a check.
    Invalid,
}

/// One problem in a configuration.
///
/// It always names the field that is wrong (`limits.max_body_bytes`,
/// `custom_rules[2].patterns[0]`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    field: String,
    message: String,
    kind: ErrorKind,
}

impl ConfigError {
    /// An error about `field` (a dotted path such as `limits.max_body_bytes`).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError::of_kind(ErrorKind::Invalid, field, message)
    }

    /// An error of a given kind (the configuration reader's).
    pub fn of_kind(
        kind: ErrorKind,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            field: field.into(),
            message: message.into(),
            kind,
        }
    }

    /// The dotted path of the offending field (`""` for the document itself).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// `field `…`: message`, or the message alone for the document.
    fn fmt_bare(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "field `{}`: {}", self.field, self.message)
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration: ")?;
        self.fmt_bare(f)
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found in one configuration, in the order found.
///
/// Loading a configuration returns all of them at once, so that a new user
/// fixes them in one round; [`ConfigErrors::field`] and
/// [`ConfigErrors::message`] describe the first. Checks build one up with
/// [`ConfigErrors::push`] and finish with [`ConfigErrors::into_result`],
/// which fails only when something was pushed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigErrors {
    errors: Vec<ConfigError>,
}

impl ConfigErrors {
    /// Adds one error.
    pub fn push(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    /// Adds the errors of a check and returns its value, if it succeeded.
    pub fn take<T>(&mut self, r: Result<T, impl Into<ConfigErrors>>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.extend(e.into().errors);
                None
            }
        }
    }

    /// `Ok(value)` when no error was pushed, else the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, ConfigErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Every error, in the order found.
    pub fn errors(&self) -> &[ConfigError] {
        &self.errors
    }

    /// Number of errors.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// True when nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The first error.
    pub fn first(&self) -> Option<&ConfigError> {
        self.errors.first()
    }

    /// The dotted path of the first error's field.
    pub fn field(&self) -> &str {
        self.first().map_or("", ConfigError::field)
    }

    /// What is wrong with the first error's field.
    pub fn message(&self) -> &str {
        self.first().map_or("", ConfigError::message)
    }

    /// The kind of the first error ([`ErrorKind::Invalid`] when empty).
    pub fn kind(&self) -> ErrorKind {
        self.first().map_or(ErrorKind::Invalid, ConfigError::kind)
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(e: ConfigError) -> ConfigErrors {
        ConfigErrors { errors: vec![e] }
    }
}

impl Extend<ConfigError> for ConfigErrors {
    fn extend<I: IntoIterator<Item = ConfigError>>(&mut self, iter: I) {
        self.errors.extend(iter);
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

/// One line, so that a log line carries every error:
/// `invalid configuration: field `a`: …` for one error,
/// `invalid configuration (2 errors): field `a`: …; field `b`: …` for more.
impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [] => f.write_str("invalid configuration"),
            [one] => one.fmt(f),
            all => {
                write!(f, "invalid configuration ({} errors): ", all.len())?;
                for (i, e) in all.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    e.fmt_bare(f)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_built_as_written() {
        let root = FieldPath::root();
        assert_eq!(
            root.key("limits").key("max_depth").as_str(),
            "limits.max_depth"
        );
        assert_eq!(
            root.key("custom_rules")
                .index(2)
                .key("patterns")
                .index(0)
                .as_str(),
            "custom_rules[2].patterns[0]"
        );
        let rule = root.key("a").index(1);
        assert!(rule.contains("a[1]"));
        assert!(rule.contains("a[1].b"));
        assert!(!rule.contains("a[10]"));
        assert!(root.key("limits").contains("limits.max_depth"));
        assert!(!root.key("limits").contains("limitsx"));
        assert!(root.contains("anything"));
    }

    #[test]
    fn one_error_reads_as_before_and_several_share_one_line() {
        let mut all = ConfigErrors::default();
        assert!(all.clone().into_result(()).is_ok());
        all.push(FieldPath::from("a.b").error("must be at least 1, got 0"));
        assert_eq!(
            all.to_string(),
            "invalid configuration: field `a.b`: must be at least 1, got 0"
        );
        all.push(ConfigError::new("", "second"));
        assert_eq!(
            all.to_string(),
            "invalid configuration (2 errors): field `a.b`: must be at least 1, got 0; second"
        );
        assert_eq!(all.field(), "a.b");
        assert_eq!(all.len(), 2);
        assert!(all.into_result(()).is_err());
    }
}
