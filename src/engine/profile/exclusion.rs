//! The `exclusions` section: findings that are not acted on for one
//! detector or rule at one location, optionally only on some hosts, paths
//! or methods ([`ExclusionConfig`] as written, [`Exclusions`] compiled).
//!
//! An excluded finding is dropped where the SQL / XSS location whitelists
//! drop theirs (the scan loop of `inspect.rs`), so it never blocks and
//! never stops the other detectors, and it is counted and logged (at debug
//! level) so an exclusion that hides real attacks can be found.
//!
//! The request conditions are tested once per request
//! ([`Exclusions::applicable`]); what remains per finding is the detector,
//! the rule and a `*` glob over the location, matched in linear time.

use serde::{Deserialize, Serialize};

use super::when::{RequestFacts, When, WhenConfig, MAX_CONDITION_BYTES};
use crate::engine::bytes::find;
use crate::engine::detect::AttackType;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Bounds, Context, Section};

/// Most exclusion entries (the per-request list of applicable entries is
/// a `u16` index list).
pub const MAX_EXCLUSIONS: usize = 256;
/// `exclusions` list size, for the schema.
pub const EXCLUSIONS_RANGE: Bounds = Bounds::new(0, MAX_EXCLUSIONS as u64);

/// One exclusion, as written.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionConfig {
    /// The attack type whose findings are excluded (`sql_injection`, `xss`,
    /// `custom` …). Default `null`: any type (then `rule` is required).
    #[serde(default)]
    pub detector: Option<String>,
    /// The rule id whose findings are excluded (`sqli.boolean_tail`, a
    /// custom rule's id). Default `null`: any rule of `detector`.
    #[serde(default)]
    pub rule: Option<String>,
    /// The finding's location, as events name it, with `*` matching any
    /// run of characters: `json:$.comment`, `query:q`, `header:referer`,
    /// `path`, `json:$.items[*].note`. Required.
    pub location: String,
    /// Only on this `:authority` (exact or `*.example.com`). Default
    /// `null`: any.
    #[serde(default)]
    pub authority: Option<String>,
    /// Only under this path prefix (decoded, dot segments removed).
    /// Default `null`: any.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// Only for this method. Default `null`: any.
    #[serde(default)]
    pub method: Option<String>,
    /// Why the exclusion exists (a ticket, a false positive). Required,
    /// not empty.
    pub reason: String,
    /// Last day the exclusion is meant to be needed (`YYYY-MM-DD`, UTC).
    /// After it the exclusion still applies (a date must never change what
    /// production blocks), but `rasp-explain --check` fails, the filter
    /// logs a warning and `rasp_exclusions_expired` counts it. Default
    /// `null`: no end.
    #[serde(default)]
    pub expires: Option<String>,
}

/// A `*` glob, split at its stars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    /// The literal parts; `parts.len() - 1` stars sit between them.
    parts: Vec<String>,
}

impl Glob {
    /// Compiles `pattern` (every byte literal but `*`).
    pub fn new(pattern: &str) -> Glob {
        Glob {
            parts: pattern.split('*').map(str::to_string).collect(),
        }
    }

    /// True if all of `s` matches. Linear: the first part must be a
    /// prefix, the last a suffix, and each middle part is taken at its
    /// leftmost place after the previous one (leftmost is always right
    /// for `*`-only globs: it leaves the most room for what follows).
    pub fn matches(&self, s: &[u8]) -> bool {
        let Some((first, rest)) = self.parts.split_first() else {
            return s.is_empty();
        };
        let Some((last, middle)) = rest.split_last() else {
            return s == first.as_bytes();
        };
        let (first, last) = (first.as_bytes(), last.as_bytes());
        if s.len() < first.len() + last.len() || !s.starts_with(first) || !s.ends_with(last) {
            return false;
        }
        let end = s.len() - last.len();
        let hay = s.get(..end).unwrap_or_default();
        let mut at = first.len();
        for part in middle {
            match find(hay, at, part.as_bytes()) {
                Some(p) => at = p + part.len(),
                None => return false,
            }
        }
        true
    }
}

/// One exclusion, compiled.
#[derive(Clone, Debug)]
pub struct Exclusion {
    pub detector: Option<AttackType>,
    pub rule: Option<String>,
    pub location: Glob,
    /// The location as written (events and logs name it).
    pub location_text: String,
    pub when: When,
    pub reason: String,
    /// `expires` as written, and as days since 1970-01-01.
    pub expires: Option<(String, i64)>,
}

impl Exclusion {
    /// True if a finding of `attack` by `rule` at `location` is excluded
    /// (the request conditions are tested apart).
    pub fn covers(&self, attack: AttackType, rule: &str, location: &[u8]) -> bool {
        self.detector.is_none_or(|d| d == attack)
            && self.rule.as_deref().is_none_or(|r| r == rule)
            && self.location.matches(location)
    }
}

/// A finding an exclusion dropped: what it was and which entry dropped it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excluded {
    pub attack: AttackType,
    pub rule: String,
    pub location: String,
    /// Index into [`Exclusions::entries`].
    pub entry: usize,
}

/// The compiled `exclusions` section.
#[derive(Clone, Debug, Default)]
pub struct Exclusions {
    entries: Vec<Exclusion>,
    /// Some entry reads the path (the canonical path is computed).
    needs_path: bool,
}

/// The entries whose request conditions one request meets (indexes).
#[derive(Clone, Debug, Default)]
pub struct Applicable(Vec<u16>);

impl Applicable {
    /// True when no exclusion applies to the request.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Exclusions {
    /// The compiled entries, in order.
    pub fn entries(&self) -> &[Exclusion] {
        &self.entries
    }

    /// True when there are none (nothing to test per request).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether some entry has a `path_prefix` condition.
    pub fn needs_path(&self) -> bool {
        self.needs_path
    }

    /// The entries whose conditions `req` meets.
    pub fn applicable(&self, req: &RequestFacts<'_>) -> Applicable {
        Applicable(
            self.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.when.matches(req))
                .filter_map(|(i, _)| u16::try_from(i).ok())
                .collect(),
        )
    }

    /// The first applicable entry that excludes a finding of `attack` by
    /// `rule` at `location`; `location` is rendered only when some entry
    /// applies.
    pub fn find(
        &self,
        applicable: &Applicable,
        attack: AttackType,
        rule: &str,
        location: &dyn Fn() -> String,
    ) -> Option<usize> {
        if applicable.is_empty() {
            return None;
        }
        let loc = location();
        applicable.0.iter().map(|&i| usize::from(i)).find(|&i| {
            self.entries
                .get(i)
                .is_some_and(|e| e.covers(attack, rule, loc.as_bytes()))
        })
    }

    /// The entries whose `expires` day is before `today` (days since
    /// 1970-01-01, UTC).
    pub fn expired(&self, today: i64) -> impl Iterator<Item = (usize, &Exclusion)> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.expires.as_ref().is_some_and(|(_, d)| *d < today))
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date; `None` when it is not
/// one (month 1–12, day within the month).
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let max = *month_days.get(usize::try_from(m).ok()?.checked_sub(1)?)?;
    if d < 1 || d > max {
        return None;
    }
    // Days-from-civil (Howard Hinnant), the inverse of `event::rfc3339`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Day number (since 1970-01-01, UTC) of a time in nanoseconds.
pub fn day_of_nanos(nanos: u64) -> i64 {
    (nanos / 1_000_000_000 / 86_400) as i64
}

impl ExclusionConfig {
    fn compile_one(&self, at: &FieldPath, errors: &mut ConfigErrors) -> Exclusion {
        let detector = self.detector.as_deref().and_then(|d| {
            let t = AttackType::parse(d);
            if t.is_none() {
                let names: Vec<&str> = AttackType::ALL.iter().map(|t| t.as_str()).collect();
                errors.push(at.key("detector").error(format!(
                    "unknown attack type {d:?}; expected one of {}",
                    names.join(", ")
                )));
            }
            t
        });
        if self.detector.is_none() && self.rule.is_none() {
            errors.push(at.error("set `detector`, `rule` or both"));
        }
        if let Some(r) = &self.rule {
            if r.is_empty() || r.len() > 128 {
                errors.push(at.key("rule").error("must be 1-128 characters"));
            }
        }
        if self.location.is_empty() || self.location.len() > MAX_CONDITION_BYTES {
            errors.push(
                at.key("location")
                    .error(format!("must be 1-{MAX_CONDITION_BYTES} characters")),
            );
        }
        if self.reason.trim().is_empty() {
            errors.push(at.key("reason").error("must not be empty: say why"));
        }
        let expires = self.expires.as_ref().and_then(|e| match parse_date(e) {
            Some(day) => Some((e.clone(), day)),
            None => {
                errors.push(
                    at.key("expires")
                        .error(format!("expected a date YYYY-MM-DD, got {e:?}")),
                );
                None
            }
        });
        let when = When::compile(
            &WhenConfig {
                authority: self.authority.clone(),
                path_prefix: self.path_prefix.clone(),
                method: self.method.clone(),
            },
            at,
            errors,
        );
        Exclusion {
            detector,
            rule: self.rule.clone(),
            location: Glob::new(&self.location),
            location_text: self.location.clone(),
            when,
            reason: self.reason.clone(),
            expires,
        }
    }
}

impl Section for Vec<ExclusionConfig> {
    type Compiled = Exclusions;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<Exclusions, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        if self.len() > MAX_EXCLUSIONS {
            errors.push(at.error(format!(
                "at most {MAX_EXCLUSIONS} exclusions, got {}",
                self.len()
            )));
        }
        let entries: Vec<Exclusion> = self
            .iter()
            .enumerate()
            .map(|(i, e)| e.compile_one(&at.index(i), &mut errors))
            .collect();
        let needs_path = entries.iter().any(|e| e.when.path_prefix.is_some());
        errors.into_result(Exclusions {
            entries,
            needs_path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_in_linear_time() {
        let g = Glob::new("json:$.items[*].note");
        assert!(g.matches(b"json:$.items[0].note"));
        assert!(g.matches(b"json:$.items[12].note"));
        assert!(!g.matches(b"json:$.items[0].notes"));
        assert!(Glob::new("query:q").matches(b"query:q"));
        assert!(!Glob::new("query:q").matches(b"query:qq"));
        assert!(Glob::new("*").matches(b""));
        assert!(Glob::new("a*b*c").matches(b"abc"));
        assert!(!Glob::new("a*b*c").matches(b"acb"));
        assert!(!Glob::new("ab*ba").matches(b"aba"));
        // Pathological: many stars over a long location stays linear.
        let long = vec![b'a'; 256 * 1024];
        let g = Glob::new("*a*a*a*a*a*a*a*a*b");
        let t = std::time::Instant::now();
        assert!(!g.matches(&long));
        assert!(t.elapsed().as_millis() < 500);
    }

    #[test]
    fn dates_count_days_since_the_epoch() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("2024-1-01"), None);
        assert_eq!(parse_date("+024-01-01"), None);
        assert_eq!(day_of_nanos(86_400 * 1_000_000_000 * 3 + 5), 3);
    }

    fn compile(json: &str) -> Result<Exclusions, ConfigErrors> {
        let v: Vec<ExclusionConfig> = serde_json::from_str(json).unwrap();
        v.compile(&FieldPath::root().key("exclusions"), &Context::default())
    }

    #[test]
    fn every_problem_names_its_field() {
        let e = compile(
            r#"[{"location": "", "reason": " "},
                {"detector": "sqli", "location": "q", "reason": "x", "expires": "2026-02-30"}]"#,
        )
        .unwrap_err();
        let fields: Vec<&str> = e.errors().iter().map(|e| e.field()).collect();
        assert_eq!(
            fields,
            [
                "exclusions[0]",
                "exclusions[0].location",
                "exclusions[0].reason",
                "exclusions[1].detector",
                "exclusions[1].expires"
            ]
        );
    }

    #[test]
    fn expired_entries_are_listed_but_still_apply() {
        let x = compile(
            r#"[{"rule": "sqli.tautology", "location": "query:*", "reason": "t", "expires": "2020-01-01"}]"#,
        )
        .unwrap();
        let today = parse_date("2026-12-04").unwrap();
        assert_eq!(x.expired(today).count(), 1);
        assert_eq!(x.expired(parse_date("2019-12-31").unwrap()).count(), 0);
        let head = crate::engine::RequestHead::new("GET", "/", vec![]);
        let app = x.applicable(&RequestFacts::new(&head, false, None));
        let loc = || "query:id".to_string();
        assert_eq!(
            x.find(&app, AttackType::SqlInjection, "sqli.tautology", &loc),
            Some(0)
        );
        assert_eq!(
            x.find(&app, AttackType::SqlInjection, "sqli.other", &loc),
            None
        );
    }
}
