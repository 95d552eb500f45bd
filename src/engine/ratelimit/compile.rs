//! The `rate_limit` section's checks: every problem reported at its full
//! path, and the compilation into a [`RateLimiter`] (the [`Section`]
//! contract).

use super::config::{
    KeyConfig, KeySource, RateLimitConfig, RateRuleConfig, ATTACK_COST_RANGE, BURST_RANGE,
    CAS_RETRIES_RANGE, IPV6_PREFIX_LENGTH_RANGE, MAX_KEYS_RANGE, MAX_REFILL_SECONDS, MAX_RULES,
    PATH_SEGMENTS_RANGE, REQUESTS_RANGE, TRUSTED_HOPS_RANGE,
};
use super::gcra::Limit;
use super::keys::{KeySpec, Rule};
use super::limiter::RateLimiter;
use super::page::SLOTS_PER_PAGE;
use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::section::{Context, Section};

/// A checked rate: `n` requests per `period` seconds, buckets of `burst`.
struct Rate {
    n: u64,
    period: u64,
    burst: u64,
}

/// The rate fields of the section or of one rule, as written.
struct RateFields {
    per_second: Option<u32>,
    per_minute: Option<u32>,
    burst: Option<u32>,
}

/// Checks a rate (exactly one of per-second / per-minute, else `default`
/// per second) and its burst at `at`; `None` when anything is wrong.
fn compile_rate(
    at: &FieldPath,
    f: &RateFields,
    default: Option<u32>,
    errors: &mut ConfigErrors,
) -> Option<Rate> {
    let rate = match (f.per_second, f.per_minute, default) {
        (Some(_), Some(_), _) => {
            errors.push(
                at.key("requests_per_minute")
                    .error("set either requests_per_second or requests_per_minute, not both"),
            );
            None
        }
        (Some(n), None, _) => Some((n, 1u64, "requests_per_second")),
        (None, Some(n), _) => Some((n, 60u64, "requests_per_minute")),
        (None, None, Some(n)) => Some((n, 1u64, "requests_per_second")),
        (None, None, None) => {
            errors.push(at.key("requests_per_second").error(
                "required: set requests_per_second or requests_per_minute (or exempt: true)",
            ));
            None
        }
    };
    let rate =
        rate.filter(|&(n, _, field)| REQUESTS_RANGE.check(&at.key(field), u64::from(n), errors));
    // An explicit burst is checked even when the rate is wrong; the
    // default (twice the rate's count) only with a valid rate.
    let burst = match (f.burst, rate) {
        (Some(b), _) => {
            Some(u64::from(b)).filter(|&b| BURST_RANGE.check(&at.key("burst"), b, errors))
        }
        (None, Some((n, _, _))) => Some(u64::from(n) * 2),
        (None, None) => None,
    };
    let ((n, period, _), burst) = (rate?, burst?);
    let n = u64::from(n);
    // Refill time of an empty bucket: burst × period / n seconds.
    if u128::from(burst) * u128::from(period) > u128::from(MAX_REFILL_SECONDS) * u128::from(n) {
        errors.push(at.key("burst").error(format!(
            "a bucket of {burst} would take more than a day to refill at this rate"
        )));
        return None;
    }
    Some(Rate { n, period, burst })
}

/// True for an RFC 9110 token (header names, methods).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

/// Checks the `key` section at `at` and compiles it (the result is only
/// used when no error was found).
fn compile_key(k: &KeyConfig, at: &FieldPath, errors: &mut ConfigErrors) -> KeySpec {
    let header_at = at.key("header");
    let header = match (k.source, &k.header) {
        (KeySource::Header, Some(h)) if is_token(h) => h.to_ascii_lowercase(),
        (KeySource::Header, Some(h)) => {
            errors.push(header_at.error(format!("not a valid header name: {h:?}")));
            String::new()
        }
        (KeySource::Header, None) => {
            errors.push(header_at.error("required when source is \"header\""));
            String::new()
        }
        (_, Some(_)) => {
            errors.push(header_at.error("only used when source is \"header\""));
            String::new()
        }
        (_, None) => String::new(),
    };
    TRUSTED_HOPS_RANGE.check(&at.key("trusted_hops"), u64::from(k.trusted_hops), errors);
    PATH_SEGMENTS_RANGE.check(&at.key("path_segments"), u64::from(k.path_segments), errors);
    IPV6_PREFIX_LENGTH_RANGE.check(
        &at.key("ipv6_prefix_length"),
        u64::from(k.ipv6_prefix_length),
        errors,
    );
    KeySpec {
        source: k.source,
        trusted_hops: k.trusted_hops,
        header,
        path_segments: k.path_segments,
        v6_prefix: k.ipv6_prefix_length,
        fallback: k.fallback,
    }
}

/// Everything that changes what a bucket means goes into its identity, so
/// a configuration change starts fresh buckets instead of misreading old
/// ones.
fn key_identity(key: &KeySpec) -> String {
    format!(
        "v1|{:?}|{}|{}|{}|{}",
        key.source, key.trusted_hops, key.header, key.path_segments, key.v6_prefix
    )
}

/// The limits and rules being compiled: `limits[0]` is the section's
/// default, each rule that is not exempt appends its own.
struct Compiled {
    key_identity: String,
    limits: Vec<Limit>,
    rules: Vec<Rule>,
}

impl Compiled {
    /// Checks rule `i` (found at `at`) and compiles it.
    fn rule(&mut self, i: usize, r: &RateRuleConfig, at: &FieldPath, errors: &mut ConfigErrors) {
        if !r.path_prefix.starts_with('/') {
            errors.push(
                at.key("path_prefix")
                    .error(format!("must start with '/', got {:?}", r.path_prefix)),
            );
        }
        let mut methods = Vec::with_capacity(r.methods.len());
        for (j, m) in r.methods.iter().enumerate() {
            if !is_token(m) {
                errors.push(
                    at.key("methods")
                        .index(j)
                        .error(format!("not a valid method: {m:?}")),
                );
            }
            methods.push(m.to_ascii_uppercase());
        }
        let fields = RateFields {
            per_second: r.requests_per_second,
            per_minute: r.requests_per_minute,
            burst: r.burst,
        };
        let limit = if r.exempt {
            if fields.per_second.is_some() || fields.per_minute.is_some() || fields.burst.is_some()
            {
                errors.push(at.key("exempt").error(
                    "an exempt rule takes no requests_per_second, requests_per_minute or burst",
                ));
            }
            None
        } else {
            compile_rate(at, &fields, None, errors).map(|rate| {
                let identity = format!(
                    "{}|{}|{}",
                    self.key_identity,
                    r.path_prefix.to_ascii_lowercase(),
                    methods.join(",")
                );
                self.limits.push(Limit::new(
                    rate.n,
                    rate.period,
                    rate.burst,
                    Some(i),
                    &identity,
                ));
                self.limits.len() - 1
            })
        };
        self.rules.push(Rule {
            prefix: r.path_prefix.to_ascii_lowercase(),
            methods,
            limit,
        });
    }
}

/// `None` when rate limiting is off. The section is checked either way,
/// so a typo surfaces before it is switched on; every problem is reported,
/// each at its full path.
impl Section for RateLimitConfig {
    type Compiled = Option<RateLimiter>;

    fn compile(&self, at: &FieldPath, cx: &Context) -> Result<Option<RateLimiter>, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        let e = &mut errors;
        let key = compile_key(&self.key, &at.key("key"), e);
        let key_identity = key_identity(&key);
        let fields = RateFields {
            per_second: self.requests_per_second,
            per_minute: self.requests_per_minute,
            burst: self.burst,
        };
        let default = compile_rate(at, &fields, Some(100), e).map(|rate| {
            Limit::new(
                rate.n,
                rate.period,
                rate.burst,
                None,
                &format!("{key_identity}|*"),
            )
        });
        let mut compiled = Compiled {
            key_identity,
            limits: default.into_iter().collect(),
            rules: Vec::with_capacity(self.rules.len()),
        };
        let rules_at = at.key("rules");
        if self.rules.len() > MAX_RULES {
            e.push(rules_at.error(format!("at most {MAX_RULES} rules")));
        }
        for (i, r) in self.rules.iter().enumerate() {
            compiled.rule(i, r, &rules_at.index(i), e);
        }
        MAX_KEYS_RANGE.check(&at.key("max_keys"), u64::from(self.max_keys), e);
        CAS_RETRIES_RANGE.check(&at.key("cas_retries"), u64::from(self.cas_retries), e);
        ATTACK_COST_RANGE.check(&at.key("attack_cost"), u64::from(self.attack_cost), e);
        let limiter = RateLimiter {
            mode: cx.mode,
            action: self.action,
            key,
            limits: compiled.limits,
            rules: compiled.rules,
            pages: self.max_keys.div_ceil(SLOTS_PER_PAGE as u32),
            attempts: self.cas_retries.saturating_add(1),
            on_contention: self.on_contention,
            response_headers: self.response_headers,
            attack_cost: self.attack_cost,
        };
        errors.into_result(self.enabled.then_some(limiter))
    }
}
