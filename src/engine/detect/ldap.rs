//! LDAP filter injection detector.
//!
//! An application builds a search filter (RFC 4515) by pasting the value
//! between parentheses: `(&(uid=VALUE)(userPassword=…))`. The value is an
//! injection when it *leaves* its assertion and starts a filter component
//! of its own, so the value is read as a filter fragment, not matched
//! against a list of payloads. Parentheses are counted: only a `)` that
//! closes a parenthesis the value did not open can close the application's
//! assertion.
//!
//! * **Break-out** (`ldap.filter_breakout`): such a `)` followed by a new
//!   component (`(`, or an operator and `(`; spaces and tabs between them
//!   are tolerated, as some servers do): a boolean operator `&`, `|`, `!`
//!   (`*)(&`, `admin)(&)`, `)(|(uid=*`, `x)!(sn=*`), or an assertion
//!   `attr=value` whose attribute is a known directory attribute
//!   (`)(uid=x`), whose value is a wildcard or empty (`)(cn=*)`, `)(cn=)`),
//!   whose match is extensible (`:1.2.840.113556.1.4.803:=`), or that
//!   follows a wildcard (`*)(sn=x`).
//! * **Injected component** (`ldap.filter_injection`): after assertion text
//!   (not at the start of the value), `(&(`, `(|(` or `(!(` followed by an
//!   assertion (`*(|(mail=*))`): an operator whose operand is a filter.
//! * **Truncation** (`ldap.null_truncation`): such a `)` followed by a NUL
//!   byte (`*))%00`): C-string APIs stop reading there and drop the rest
//!   of the application's filter.
//!
//! A whole, balanced filter (`(&(objectCategory=computer)(cn=a*))`) is
//! what directory consoles let administrators type; pasted into an
//! assertion it breaks nothing out, and it passes. So does prose with
//! parentheses: `(555) 123-4567`, `smile :)`, `f(x)=y`, `see (a)(b)`,
//! `1) first (a=b)` (an unknown attribute, a plain value, no operator, no
//! wildcard). Bare wildcards and metacharacters (`*`, `admin*`, `|`) are
//! not flagged: a search box takes them.
//!
//! Cost: a value without `(` costs one byte search; every step after that
//! is a bounded look-ahead from a parenthesis, linear in the value.
//!
//! ```
//! use envoy_rasp::engine::detect::ldap::{Ldap, LdapConfig};
//! use envoy_rasp::engine::detect::ValueCtx;
//! use envoy_rasp::engine::surface::Surface;
//!
//! let d = Ldap::compile(&LdapConfig::default(), "ldap_injection").unwrap().unwrap();
//! let ctx = ValueCtx::value(Surface::Form);
//! assert_eq!(d.detect(b"*)(uid=*))(|(uid=*", &ctx).unwrap().rule, "ldap.filter_breakout");
//! assert!(d.detect(b"admin)(&)", &ctx).is_some());
//! assert!(d.detect(b"call (555) 123-4567 :)", &ctx).is_none());
//! ```

use crate::engine::detect::detector::Detector;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{FieldNote, ACTION_NOTE};
use serde::{Deserialize, Serialize};

use crate::engine::detect::sensitivity::Sensitivity;

use super::{Hit, ValueCtx};
use crate::engine::bytes::find_byte2 as find2;
use crate::engine::error::ConfigError;
use crate::engine::mode::Action;

/// Configuration section `ldap_injection`.
///
/// ```json
/// {"ldap_injection": {"action": "block", "attributes": ["employeeNumber"]}}
/// ```
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LdapConfig {
    /// What a finding does: `block` (default), `log` (log and count, let
    /// the request through) or `off` (the detector does not run).
    pub action: Action,
    /// Which weak-evidence rules fire for this detector: `low`, `medium`
    /// or `high` (see the top-level `sensitivity`). Default `null`: the
    /// top-level `sensitivity`.
    pub sensitivity: Option<Sensitivity>,
    /// Directory attribute names recognised after a break-out, in addition
    /// to the built-in list (`uid`, `cn`, `mail`, `objectClass`,
    /// `userPassword`, `sAMAccountName`, `memberOf`, …). Case-insensitive.
    /// Add the custom attributes of your schema. Default empty.
    pub attributes: Vec<String>,
}

/// The compiled detector.
#[derive(Clone, Debug)]
pub struct Ldap {
    action: Action,
    /// Extra attribute names, ASCII-lowercased.
    extra: Vec<Vec<u8>>,
}

/// Well-known attribute names (RFC 4519, inetOrgPerson, Active Directory,
/// posixAccount), lowercase. An assertion on one of these after a `)` is a
/// filter component even without a wildcard. The one-letter names (`c`,
/// `l`, `o`) are left out: `(a|b)(c=d)` is not a filter.
const ATTRIBUTES: &[&[u8]] = &[
    b"cn",
    b"co",
    b"commonname",
    b"dc",
    b"description",
    b"displayname",
    b"distinguishedname",
    b"dn",
    b"employeeid",
    b"gecos",
    b"gidnumber",
    b"givenname",
    b"gn",
    b"homedirectory",
    b"mail",
    b"member",
    b"memberof",
    b"memberuid",
    b"name",
    b"objectcategory",
    b"objectclass",
    b"ou",
    b"owner",
    b"password",
    b"samaccountname",
    b"sn",
    b"st",
    b"surname",
    b"telephonenumber",
    b"uid",
    b"uidnumber",
    b"unicodepwd",
    b"user",
    b"username",
    b"userpassword",
    b"userprincipalname",
];

/// Longest attribute description read (`1.2.840.113556.1.4.803` fits).
const MAX_ATTR: usize = 64;

/// Longest assertion value looked at for a wildcard.
const MAX_VALUE: usize = 256;

/// The byte at `i`, or 0 past the end.
fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

/// What follows the opening parenthesis (or parentheses and operators) of
/// a component.
struct Component {
    /// A boolean operator `&`, `|`, `!` was among the openers.
    op: bool,
    /// At least one `(` was read.
    paren: bool,
    /// Where the component's content starts.
    at: usize,
}

/// Reads a run of `(`, `&`, `|`, `!`, spaces and tabs from `i`.
fn openers(v: &[u8], mut i: usize) -> Component {
    let mut c = Component {
        op: false,
        paren: false,
        at: i,
    };
    while let Some(&b) = v.get(i) {
        match b {
            b'(' => c.paren = true,
            b'&' | b'|' | b'!' => c.op = true,
            b' ' | b'\t' => {}
            _ => break,
        }
        i += 1;
        // A long run is as telling as a short one; stop reading it.
        if i - c.at > 16 {
            break;
        }
    }
    c.at = i;
    c
}

/// An assertion at `i`: `attr[;option…]` then a filter type (`=`, `~=`,
/// `>=`, `<=`, or an extensible match `:dn:=`, `:1.2.3:=`). Returns the
/// attribute (without options), where the assertion value starts and
/// whether the match is extensible (a syntax only LDAP has).
fn assertion(v: &[u8], i: usize) -> Option<(&[u8], usize, bool)> {
    let first = at(v, i);
    let mut j = i;
    if first.is_ascii_alphabetic() {
        while j - i < MAX_ATTR && (at(v, j).is_ascii_alphanumeric() || at(v, j) == b'-') {
            j += 1;
        }
    } else if first.is_ascii_digit() {
        while j - i < MAX_ATTR && (at(v, j).is_ascii_digit() || at(v, j) == b'.') {
            j += 1;
        }
    } else {
        return None;
    }
    let attr = v.get(i..j)?;
    // Attribute options: `cn;lang-en=`.
    while at(v, j) == b';' {
        j += 1;
        let s = j;
        while j - s < MAX_ATTR && (at(v, j).is_ascii_alphanumeric() || at(v, j) == b'-') {
            j += 1;
        }
        if j == s {
            return None;
        }
    }
    match (at(v, j), at(v, j + 1)) {
        (b'=', _) => Some((attr, j + 1, false)),
        (b'~' | b'>' | b'<', b'=') => Some((attr, j + 2, false)),
        (b':', _) => {
            // `:dn`, `:caseExactMatch`, `:1.2.3` … then `:=`.
            let mut k = j;
            let end = (j + 2 * MAX_ATTR).min(v.len());
            while k < end && at(v, k) != b'=' {
                let c = at(v, k);
                if !(c.is_ascii_alphanumeric() || c == b':' || c == b'.' || c == b'-') {
                    return None;
                }
                k += 1;
            }
            (at(v, k) == b'=' && at(v, k.wrapping_sub(1)) == b':').then_some((attr, k + 1, true))
        }
        _ => None,
    }
}

/// The assertion value from `i` is empty or holds a wildcard (before the
/// next `)` or the end).
fn wildcard_or_empty(v: &[u8], i: usize) -> bool {
    let rest = v.get(i..).unwrap_or_default();
    let rest = rest.get(..MAX_VALUE).unwrap_or(rest);
    let end = rest.iter().position(|&b| b == b')').unwrap_or(rest.len());
    let val = rest.get(..end).unwrap_or_default();
    val.is_empty() || val.contains(&b'*')
}

impl Ldap {
    /// Compiles the section; `None` when the action is `off`.
    pub fn compile(cfg: &LdapConfig, field: &str) -> Result<Option<Ldap>, ConfigError> {
        let mut extra = Vec::with_capacity(cfg.attributes.len());
        for (i, a) in cfg.attributes.iter().enumerate() {
            let ok = !a.is_empty()
                && a.len() <= MAX_ATTR
                && a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && a.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
            if !ok {
                return Err(ConfigError::new(
                    format!("{field}.attributes[{i}]"),
                    format!(
                        "{a:?} is not an attribute name (a letter, then letters, digits or '-', at most {MAX_ATTR})"
                    ),
                ));
            }
            extra.push(a.to_ascii_lowercase().into_bytes());
        }
        if cfg.action == Action::Off {
            return Ok(None);
        }
        Ok(Some(Ldap {
            action: cfg.action,
            extra,
        }))
    }

    /// The configured action.
    pub fn action(&self) -> Action {
        self.action
    }

    fn known(&self, attr: &[u8]) -> bool {
        let lower = |a: &[u8], b: &[u8]| a.eq_ignore_ascii_case(b);
        ATTRIBUTES.iter().any(|k| lower(k, attr)) || self.extra.iter().any(|k| lower(k, attr))
    }

    /// Inspects one value.
    pub fn detect(&self, value: &[u8], _ctx: &ValueCtx) -> Option<Hit> {
        // Every reading needs a `(`, but the truncation a NUL byte; most
        // values have neither (`contains` is the standard library's
        // word-at-a-time byte search).
        if !value.contains(&b'(') && !value.contains(&0) {
            return None;
        }
        let first = find2(value, 0, b'(', b')')?;
        // A value that starts with `(` is a filter of its own; an
        // operator component only counts after assertion text.
        let lead = value.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let whole = at(value, lead) == b'(';
        // Parentheses the value opened and has not closed yet.
        let mut depth = 0usize;
        let mut i = first;
        while let Some(p) = find2(value, i, b'(', b')') {
            if at(value, p) == b')' {
                // A run of `)`: the first ones close the value's own
                // parentheses, the rest the application's. Read once.
                let mut q = p;
                while at(value, q) == b')' {
                    q += 1;
                }
                let own = depth.min(q - p);
                depth -= own;
                if q - p > own {
                    if let Some(h) = self.after_close(value, p + own, q) {
                        return Some(h);
                    }
                }
                i = q;
            } else {
                if depth == 0 && !whole {
                    if let Some(h) = self.operator_component(value, p) {
                        return Some(h);
                    }
                }
                depth += 1;
                i = p + 1;
            }
        }
        None
    }

    /// A run of `)` at `p..q`: a break-out when a new component follows.
    fn after_close(&self, v: &[u8], p: usize, q: usize) -> Option<Hit> {
        if at(v, q) == 0 && q < v.len() {
            return Some(Hit::new(
                "ldap.null_truncation",
                "filter closed and cut with a NUL byte",
                p,
                q + 1,
            ));
        }
        let c = openers(v, q);
        if !c.paren {
            return None;
        }
        let hit = |end: usize| {
            Some(Hit::new(
                "ldap.filter_breakout",
                "value closes the filter component and opens a new one",
                p,
                end.min(v.len()),
            ))
        };
        // `(&)`, `(|)`: the absolute true / false filter (RFC 4526; `(!)`
        // is not one), or an operator left open at the end for the
        // application's own `)`.
        let last_op = c.at.checked_sub(1).map(|k| at(v, k));
        if c.op && c.at >= v.len() {
            return hit(c.at);
        }
        if matches!(last_op, Some(b'&' | b'|')) && at(v, c.at) == b')' {
            return hit(c.at + 1);
        }
        let (attr, val, extensible) = assertion(v, c.at)?;
        let after_wildcard = p > 0 && at(v, p - 1) == b'*';
        if c.op || extensible || after_wildcard || self.known(attr) || wildcard_or_empty(v, val) {
            return hit(val);
        }
        None
    }

    /// A `(` at `p`: `(|(attr=…`, `(&(…`, `(!(…` open an operator whose
    /// operand is a filter.
    fn operator_component(&self, v: &[u8], p: usize) -> Option<Hit> {
        if !matches!(at(v, p + 1), b'&' | b'|' | b'!') {
            return None;
        }
        let c = openers(v, p + 1);
        if !c.paren {
            return None;
        }
        let (_, val, _) = assertion(v, c.at)?;
        Some(Hit::new(
            "ldap.filter_injection",
            "filter operator (&, |, !) applied to an injected assertion",
            p,
            val,
        ))
    }
}

impl Detector for Ldap {
    type Config = LdapConfig;

    const NOTES: &'static [FieldNote] = &[
        FieldNote::new("", "LDAP filter injection detector."),
        FieldNote::new("action", ACTION_NOTE),
        FieldNote::new("attributes", "Directory attribute names (case-insensitive) recognised after a filter break-out, in addition to the built-in list (uid, cn, mail, objectClass, userPassword, sAMAccountName, memberOf, …)."),
        FieldNote::new("attributes[]", "An attribute name."),
    ];

    fn compile(cfg: &LdapConfig, at: &FieldPath) -> Result<Option<Ldap>, ConfigErrors> {
        Ok(Ldap::compile(cfg, at.as_str())?)
    }

    fn action(&self) -> Action {
        Ldap::action(self)
    }

    /// Every reading needs a `(`, or the NUL of a truncation.
    fn needs(&self) -> crate::engine::detect::detector::Needs {
        use crate::engine::detect::detector::Needs as N;
        const NEEDS: N = N::any(b"(\0");
        NEEDS
    }

    fn detect(&self, value: &[u8], ctx: &ValueCtx) -> Option<Hit> {
        Ldap::detect(self, value, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::surface::Surface;

    fn det() -> Ldap {
        Ldap::compile(&LdapConfig::default(), "ldap_injection")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn spans_point_into_the_value() {
        let d = det();
        let ctx = ValueCtx::value(Surface::Form);
        let v = b"jdoe*)(uid=*))(|(uid=*";
        let h = d.detect(v, &ctx).unwrap();
        assert_eq!(&v[h.start..h.end], b")(uid=");
        let v = b"x*(|(mail=*))";
        let h = d.detect(v, &ctx).unwrap();
        assert_eq!(h.rule, "ldap.filter_injection");
        assert_eq!(&v[h.start..h.end], b"(|(mail=");
    }

    #[test]
    fn extra_attributes() {
        let ctx = ValueCtx::value(Surface::Form);
        let cfg = LdapConfig {
            attributes: vec!["employeeNumber".into()],
            ..LdapConfig::default()
        };
        let d = Ldap::compile(&cfg, "ldap_injection").unwrap().unwrap();
        assert!(d.detect(b"x)(employeenumber=42", &ctx).is_some());
        assert!(det().detect(b"x)(employeenumber=42", &ctx).is_none());
        let bad = LdapConfig {
            attributes: vec!["two words".into()],
            ..LdapConfig::default()
        };
        let e = Ldap::compile(&bad, "ldap_injection").unwrap_err();
        assert_eq!(e.field(), "ldap_injection.attributes[0]");
    }

    #[test]
    fn off_compiles_to_none() {
        let cfg = LdapConfig {
            action: Action::Off,
            ..LdapConfig::default()
        };
        assert!(Ldap::compile(&cfg, "ldap_injection").unwrap().is_none());
    }

    #[test]
    fn adversarial_inputs_are_linear() {
        let d = det();
        let ctx = ValueCtx::value(Surface::Query);
        for unit in [
            &b")"[..],
            b"(",
            b")(",
            b"(|",
            b")(a",
            b")(a:",
            b"(|(a",
            b")(&&",
            b")(cn;",
        ] {
            let v: Vec<u8> = unit.iter().copied().cycle().take(1 << 18).collect();
            let t = std::time::Instant::now();
            let _ = d.detect(&v, &ctx);
            assert!(
                t.elapsed().as_secs_f64() < 1.0,
                "{:?} took {:?}",
                String::from_utf8_lossy(unit),
                t.elapsed()
            );
        }
    }
}
