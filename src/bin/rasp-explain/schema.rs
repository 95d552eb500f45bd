//! JSON Schema (draft 2020-12) of the plugin configuration, derived from the
//! parser itself.
//!
//! Nothing here lists today's fields. The generator asks the code:
//!
//! * the shape and the defaults come from `RawConfig::default()` serialised;
//! * types come from probing the parser (`RawConfig::from_json`) with one
//!   value of each JSON type at each position: a value the parser rejects
//!   as [`ErrorKind::WrongType`] is not of that type, so `null` being
//!   accepted makes a field nullable (`oneOf`);
//! * enums come from the names an [`ErrorKind::UnknownName`] answer to a
//!   bogus string lists, unknown-field rejection (which becomes
//!   `additionalProperties: false`) from a bogus key, required fields from
//!   [`ErrorKind::MissingField`] answers, and unsigned integers from the
//!   [`ErrorKind::BadValue`] answer to `-1`;
//! * objects without defaults (array items such as custom rules, or a
//!   nullable section such as `siem`) are filled in from their required
//!   fields and read back through a serialisation round trip, which yields
//!   the defaults of their optional fields.
//!
//! What the parser cannot tell by probing (descriptions, value ranges that
//! `validate()` enforces, minimum list sizes) comes from [`NOTES`], keyed by
//! the field's path (`limits.max_depth`, `custom_rules[].id`). Ranges are
//! the [`Bounds`] constants the sections' checks use (a bare minimum where
//! the maximum also depends on other fields, as a rate limit's `burst`
//! does). The tests in `tests/config_schema.rs` check that every field has a
//! note and that every range in the notes is exactly what `validate()`
//! accepts.

use envoy_rasp::engine::config::{block, events, limits, scope, Config, RawConfig};
use envoy_rasp::engine::error::{ConfigErrors, ErrorKind};
use envoy_rasp::engine::section::Bounds;
use envoy_rasp::engine::{ratelimit, siem};
use serde_json::{json, Map, Value};

/// What the probes cannot find out about a field (detectors give theirs
/// in their own modules, relative to their section).
pub use envoy_rasp::engine::section::FieldNote as Note;

/// `note` with an example value (JSON text).
const fn example(mut note: Note, value: &'static str) -> Note {
    note.example = Some(value);
    note
}

const fn n(path: &'static str, description: &'static str) -> Note {
    Note {
        path,
        description,
        minimum: None,
        maximum: None,
        min_items: None,
        example: None,
    }
}

/// A range the checks define as a [`Bounds`] constant (no maximum when
/// it has no upper bound).
const fn bounded(path: &'static str, description: &'static str, b: Bounds) -> Note {
    Note {
        path,
        description,
        minimum: Some(b.min),
        maximum: b.upper(),
        min_items: None,
        example: None,
    }
}

const fn min(path: &'static str, description: &'static str, min: u64) -> Note {
    Note {
        path,
        description,
        minimum: Some(min),
        maximum: None,
        min_items: None,
        example: None,
    }
}

const fn nonempty(path: &'static str, description: &'static str) -> Note {
    Note {
        path,
        description,
        minimum: None,
        maximum: None,
        min_items: Some(1),
        example: None,
    }
}

/// Descriptions and ranges, by path. Keep in step with the doc comments of
/// the configuration structs (the tests say when a field has no note).
pub const NOTES: &[Note] = &[
    n("", "envoy-rasp plugin configuration (JSON: the Envoy `configuration` StringValue or the Istio WasmPlugin `pluginConfig`). Every field is optional; `{}` is the default configuration. Unknown fields are errors."),
    n("mode", "`block`: blocking rules answer with the block reply. `monitor`: nothing is ever blocked or rejected; findings and limit violations are logged and counted with action=\"monitor\"."),
    n("sensitivity", "Which weak-evidence rules fire: `low` only rules whose evidence is unambiguous (drops the rules the README's sensitivity table lists), `medium` every rule the detectors report by default, `high` also the readings behind ssti.probes and xxe.reject_doctype. A detector section's `sensitivity` overrides it; profiles can set either."),
    n("block", "The local reply sent when a request is blocked."),
    bounded("block.status_code", "HTTP status of the block reply.", block::STATUS_CODE_RANGE),
    n("block.content_type", "`Content-Type` of the block reply."),
    n("block.body", "Reply body. `null`: {\"blocked\":true,\"event_id\":\"…\",\"type\":\"…\"}. A string is sent as is after replacing {event_id} and {type}. At most 64 KiB."),
    n("block.redirect_url", "When set, blocked requests get 302 with this Location ({event_id} replaced) instead."),
    n("custom_rules", "User rules: regular expressions matched against each extracted value of the chosen request parts, as received and normalised."),
    n("custom_rules[]", "One custom rule."),
    n("custom_rules[].id", "Unique rule id (1-128 letters, digits, `-_.:`), reported as `rule`."),
    nonempty("custom_rules[].patterns", "Regular expressions (regex-lite syntax: no look-around or back-references; `(?i)` for case-insensitive). A value matches if any pattern matches. An invalid pattern fails the load."),
    n("custom_rules[].patterns[]", "A regular expression (at most 4096 bytes)."),
    nonempty("custom_rules[].targets", "Request parts the rule applies to (`headers`: the headers listed in inspect.headers)."),
    n("custom_rules[].targets[]", "A request part."),
    n("custom_rules[].action", "`block`, `log` or `off`."),
    n("custom_rules[].enabled", "`false` turns the rule off (it is still validated)."),
    n("custom_rules[].log", "`false` keeps the metrics but suppresses the event line."),
    n("custom_rules[].description", "Free text for humans."),
    n("limits", "Size and shape limits; each has its own reply status."),
    bounded("limits.max_body_bytes", "Largest request body in bytes; larger -> 413. Keep Envoy's per_connection_buffer_limit_bytes above it.", limits::MAX_BODY_BYTES_RANGE),
    bounded("limits.max_header_bytes", "Largest total size of the request headers (`name: value\\r\\n`, pseudo headers excluded); larger -> 431.", limits::MAX_HEADER_BYTES_RANGE),
    bounded("limits.max_inspect_bytes", "Largest body run through the detectors (multipart file contents do not count). At most limits.max_body_bytes.", limits::MAX_INSPECT_BYTES_RANGE),
    n("limits.inspect_overflow", "Body over max_inspect_bytes: `reject` -> 413; `partial` -> inspect the first max_inspect_bytes, pass, log inspect_overflow."),
    bounded("limits.max_url_bytes", "Longest `:path` (path and query) in bytes; longer -> 414. Default: Envoy's request-header limit in envoy/envoy.yaml (96 KiB), so beacon URLs Envoy accepts are not refused.", limits::MAX_URL_BYTES_RANGE),
    bounded("limits.max_params", "Most parameters (query + form + multipart fields + cookies, and the leaves of JSON documents inside them); more -> 400. Sized for analytics beacons.", limits::MAX_PARAMS_RANGE),
    bounded("limits.max_body_values", "Most values (strings and keys) in a JSON or XML body; more -> 400. API payloads have many more leaves than forms have fields.", limits::MAX_BODY_VALUES_RANGE),
    bounded("limits.max_depth", "Deepest JSON/XML nesting; deeper -> 400.", limits::MAX_DEPTH_RANGE),
    n("allowlist", "Paths that are never inspected (size limits still apply). Compared after percent-decoding and removing dot segments."),
    n("allowlist.exact_paths", "Paths matched exactly (query ignored), e.g. `/healthz`."),
    n("allowlist.exact_paths[]", "A path starting with `/`."),
    n("allowlist.path_prefixes", "Path prefixes, e.g. `/static/`."),
    n("allowlist.path_prefixes[]", "A path prefix starting with `/`."),
    n("inspect", "Which parts of the request are inspected."),
    n("inspect.path", "Inspect the URL path."),
    n("inspect.query", "Inspect query parameter names and values."),
    n("inspect.cookies", "Inspect cookie values."),
    n("inspect.headers", "Headers whose values are inspected (case-insensitive)."),
    n("inspect.exclude_headers", "Headers the header-borne detectors (jndi_injection, header_injection, scanner, and sql_injection / xss beyond `headers`) do not read; they read every other request header, `:authority` included (sql_injection and xss also skip headers whose grammar is syntax to them: accept*, authorization, content-type, if-none-match, sec-ch-*, signatures). Default `cookie` (cookies are their own surface)."),
    n("inspect.exclude_headers[]", "A header name (`:authority` for the pseudo header)."),
    n("inspect.headers[]", "A header name."),
    n("inspect.body", "Inspect request bodies (form, JSON, multipart, XML, sniffed text)."),
    n("inspect.file_contents", "Also run the injection detectors over uploaded file contents."),
    n("inspect.hold_headers", "Hold the request headers while the body is inspected. Needs Envoy >= 1.35 with allow_on_headers_stop_iteration: true; keep false in Istio. Without it a held request is resumed after hold_headers_timeout_ms (counted in rasp_hold_headers_resumed_total) and the VM stops holding."),
    bounded("inspect.hold_headers_timeout_ms", "How long held headers wait for the first body data before the request is resumed (its body is still inspected).", scope::HOLD_HEADERS_TIMEOUT_MS_RANGE),
    n("events", "Security event (log line) settings."),
    bounded("events.max_evidence_bytes", "Longest evidence excerpt in an event.", events::MAX_EVIDENCE_BYTES_RANGE),
    bounded("events.max_findings", "Findings kept and logged per request.", events::MAX_FINDINGS_RANGE),
    n("siem", "Also ship events to a SIEM collector (Splunk HEC or JSON lines over HTTP) through an Envoy cluster. `null`: off."),
    n("siem.cluster", "Envoy cluster that reaches the collector (in Istio: `outbound|8088||splunk-hec.logging.svc.cluster.local`)."),
    n("siem.path", "Request path. `null`: /services/collector/event for splunk_hec, / for jsonl."),
    n("siem.authority", "`:authority` of the requests. `null`: the cluster name."),
    n("siem.headers", "Extra request headers, e.g. authorization."),
    n("siem.headers[]", "One header."),
    n("siem.headers[].name", "Header name (not a framing or hop-by-hop header)."),
    n("siem.headers[].value", "Header value, e.g. `Splunk <HEC token>`."),
    n("siem.format", "`jsonl`: one event object per line. `splunk_hec`: one HEC envelope {\"time\",\"sourcetype\",\"event\"} per line."),
    n("siem.sourcetype", "Splunk sourcetype (splunk_hec only)."),
    n("siem.index", "Splunk index (splunk_hec only). `null`: the token's default index."),
    bounded("siem.batch_size", "Events per request; a batch is sent as soon as this many are queued.", siem::BATCH_SIZE_RANGE),
    bounded("siem.flush_interval_ms", "Longest time an event waits before a smaller batch is sent.", siem::FLUSH_INTERVAL_MS_RANGE),
    bounded("siem.queue_capacity", "Most events queued per wasm VM (Envoy worker); when full the oldest is dropped and counted. At least batch_size.", siem::QUEUE_CAPACITY_RANGE),
    bounded("siem.timeout_ms", "Timeout of one batch request; a failed batch is dropped and counted, never retried.", siem::TIMEOUT_MS_RANGE),
    n("rate_limit", "Per-client rate limiting shared across Envoy workers (proxy-wasm shared data). Off by default."),
    n("rate_limit.enabled", "Turns rate limiting on. Default false (unlike the reference's true): in a mesh every external request's client address is often the ingress gateway's, so a default per-address limit would throttle all users together."),
    bounded("rate_limit.requests_per_second", "Default limit: requests per second per client (100 when neither rate is set).", ratelimit::REQUESTS_RANGE),
    bounded("rate_limit.requests_per_minute", "Default limit per minute instead (exclusive with requests_per_second).", ratelimit::REQUESTS_RANGE),
    min("rate_limit.burst", "Bucket size: requests a client may send at once. Default twice the rate's request count (100/s -> 200). At most 10000000, and the bucket must refill within a day (burst / rate <= 86400 s).", ratelimit::BURST_RANGE.min),
    n("rate_limit.action", "`throttle` (429 with Retry-After and X-RateLimit-*) or `log` (pass and count). `mode: monitor` never throttles."),
    n("rate_limit.key", "How clients are identified."),
    n("rate_limit.key.source", "`client_address` (source.address), `x_forwarded_for` (the trusted_hops-th entry from the right), `header` (e.g. an API key) or `client_address_user_agent`."),
    bounded("rate_limit.key.trusted_hops", "With x_forwarded_for: proxies in front of this filter that append to x-forwarded-for and are trusted.", ratelimit::TRUSTED_HOPS_RANGE),
    n("rate_limit.key.header", "With `header`: the header name (only its value's hash is kept)."),
    bounded("rate_limit.key.path_segments", "Also key by the first N path segments (0: not combined).", ratelimit::PATH_SEGMENTS_RANGE),
    bounded("rate_limit.key.ipv6_prefix_length", "IPv6 clients are keyed by this many leading bits.", ratelimit::IPV6_PREFIX_LENGTH_RANGE),
    n("rate_limit.key.fallback", "Key for requests without a usable key: `client_address`, `shared` (one bucket) or `none` (not limited)."),
    n("rate_limit.rules", "Per-path limits; the first matching rule decides. At most 256."),
    n("rate_limit.rules[]", "A per-path limit."),
    example(n("rate_limit.rules[].path_prefix", "Path prefix (starts with /), compared case-insensitively with the canonical path."), "\"/login\""),
    n("rate_limit.rules[].methods", "Methods the rule applies to; empty: all."),
    n("rate_limit.rules[].methods[]", "An HTTP method, e.g. POST."),
    bounded("rate_limit.rules[].requests_per_second", "Requests per second for this rule's buckets.", ratelimit::REQUESTS_RANGE),
    bounded("rate_limit.rules[].requests_per_minute", "Requests per minute for this rule's buckets.", ratelimit::REQUESTS_RANGE),
    min("rate_limit.rules[].burst", "Bucket size for this rule. Default twice the rate's request count. At most 10000000; must refill within a day.", ratelimit::BURST_RANGE.min),
    n("rate_limit.rules[].exempt", "Matching requests are not rate limited."),
    bounded("rate_limit.max_keys", "Most (rule, client) buckets tracked at once (about 28 bytes each in Envoy's shared data); a full page evicts the bucket closest to full.", ratelimit::MAX_KEYS_RANGE),
    n("rate_limit.response_headers", "Also add X-RateLimit-Limit/-Remaining/-Reset to allowed responses."),
    bounded("rate_limit.cas_retries", "Compare-and-swap retries when another worker wrote the same page first.", ratelimit::CAS_RETRIES_RANGE),
    n("rate_limit.on_contention", "`allow` or `deny` when the retries are exhausted (counted either way)."),
    bounded("rate_limit.attack_cost", "Tokens taken from a client's bucket when its request carries an attack (0: off).", ratelimit::ATTACK_COST_RANGE),
    n("exclusions", "Findings not acted on: one detector or rule at one location, optionally only for some hosts, paths or methods. An excluded finding never blocks; it is counted in rasp_attacks_total{action=\"excluded\"} and logged at debug level (rasp.excluded). At most 256."),
    n("exclusions[]", "One exclusion: `detector`, `rule` or both, a `location`, and a `reason`."),
    n("exclusions[].detector", "Attack type whose findings are excluded (sql_injection, xss, custom, ...). `null`: any type (then `rule` is required)."),
    example(n("exclusions[].rule", "Rule id whose findings are excluded (as events report it: sqli.boolean_tail, a custom rule's id). `null`: any rule of `detector`."), "\"sqli.boolean_tail\""),
    example(n("exclusions[].location", "The finding's location as events name it, `*` matching any run of characters: json:$.comment, query:q, header:referer, path, json:$.items[*].note."), "\"json:$.comment\""),
    example(n("exclusions[].authority", "Only on this :authority (port ignored): exact or `*.example.com` (subdomains). `null`: any."), "\"*.example.com\""),
    example(n("exclusions[].path_prefix", "Only under this path prefix (decoded, dot segments removed). `null`: any."), "\"/api/comments\""),
    n("exclusions[].method", "Only for this HTTP method. `null`: any."),
    n("exclusions[].reason", "Why the exclusion exists (a ticket, the false positive). Required, not empty."),
    example(n("exclusions[].expires", "Last day it is meant to be needed (YYYY-MM-DD, UTC). Past it the exclusion still applies (a date never changes what is blocked), rasp-explain --check fails naming it, and the filter logs a warning and counts it in rasp_exclusions_expired. `null`: no end."), "\"2027-01-31\""),
    n("profiles", "Named partial configurations chosen per request: the first profile whose `match` holds applies, its `config` merged over the global configuration (compiled once at load). The name is the `profile` field of events and the label of rasp_profile_requests_total / rasp_profile_attacks_total (requests no profile matched: `global`). At most 64."),
    n("profiles[]", "One profile."),
    example(n("profiles[].name", "Unique name: 1-64 lowercase letters, digits or `_` (not `global`)."), "\"admin_api\""),
    n("profiles[].match", "Conditions, all of which must hold; `{}` matches every request."),
    example(n("profiles[].match.authority", ":authority without port: exact or `*.example.com` (subdomains). `null`: any."), "\"admin.example.com\""),
    example(n("profiles[].match.path_prefix", "Prefix of the decoded, dot-segment-free path. `null`: any."), "\"/api/\""),
    n("profiles[].match.method", "HTTP method. `null`: any."),
    n("profiles[].match.header", "A request header with an exact value. Clients control their headers: use one a trusted proxy sets or strips. `null`: any."),
    n("profiles[].match.header.name", "Header name (case-insensitive)."),
    n("profiles[].match.header.value", "The exact value."),
    n("profiles[].match.route", "Envoy's route name (xds.route_name; read only when some profile sets it). `null`: any."),
    example(n("profiles[].config", "Top-level fields (mode, block, detector sections, custom_rules, limits, allowlist, inspect, events, exclusions) merged over the global configuration: objects field by field, anything else (lists included) replaced. Not siem, rate_limit, profiles or shadow."), "{\"mode\": \"monitor\"}"),
    n("shadow", "A second configuration evaluated next to the live one in the same VM; it never acts. Differences in verdict (allow / flag / block and what decided it) are counted in rasp_shadow_diff_total{from,to,type} and logged as rasp.shadow events. `null`: none (costs nothing)."),
    bounded("shadow.sample_percent", "Percentage of requests also run through the shadow (bounds its cost).", envoy_rasp::engine::profile::select::SAMPLE_PERCENT_RANGE),
    example(n("shadow.config", "The shadow configuration: a complete plugin configuration of its own (not merged with the live one), without siem, rate_limit or shadow."), "{\"mode\": \"monitor\"}"),
];

/// The note for `path`, if any: from [`NOTES`], or from the detector
/// whose section `path` is in.
pub fn note(path: &str) -> Option<&'static Note> {
    if let Some(n) = NOTES.iter().find(|n| n.path == path) {
        return Some(n);
    }
    let response: (&str, &[Note]) = ("response", envoy_rasp::engine::config::response::NOTES);
    envoy_rasp::engine::detect::SECTIONS
        .iter()
        .chain(std::iter::once(&response))
        .find_map(|(section, notes)| {
            let rel = match path.strip_prefix(section) {
                Some("") => "",
                Some(rest) => rest.strip_prefix('.')?,
                None => return None,
            };
            notes
                .iter()
                .find(|n| n.path == rel)
                .or((rel == "sensitivity").then_some(&DETECTOR_SENSITIVITY))
        })
}

/// Every detector section's `sensitivity` (one note for all of them: the
/// field is the same in each).
const DETECTOR_SENSITIVITY: Note = n(
    "sensitivity",
    "`low`, `medium` or `high` for this detector only. `null`: the top-level sensitivity.",
);

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Item,
}

/// Renders a probe path as a note path (`custom_rules[].id`).
fn path_name(path: &[Step]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Step::Item => s.push_str("[]"),
        }
    }
    s
}

/// `doc` with the value at `path` replaced by `value` (arrays on the way
/// become one-element arrays).
fn with(doc: &Value, path: &[Step], value: Value) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return value;
    };
    match first {
        Step::Key(k) => {
            let mut obj = doc.as_object().cloned().unwrap_or_default();
            let inner = obj.get(k).cloned().unwrap_or(Value::Null);
            obj.insert(k.clone(), with(&inner, rest, value));
            Value::Object(obj)
        }
        Step::Item => {
            let inner = doc
                .as_array()
                .and_then(|a| a.first())
                .cloned()
                .unwrap_or(Value::Null);
            Value::Array(vec![with(&inner, rest, value)])
        }
    }
}

fn get<'a>(doc: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(doc);
    };
    let inner = match first {
        Step::Key(k) => doc.get(k)?,
        Step::Item => doc.as_array()?.first()?,
    };
    get(inner, rest)
}

/// Deserialises (only; no validation).
fn parse(doc: &Value) -> Result<RawConfig, ConfigErrors> {
    RawConfig::from_json(doc.to_string().as_bytes())
}

/// The parser accepted the value's type (it may still reject its content).
/// (A wrong number of items is not acceptance: serde also reads a nested
/// struct from an array of its field values, a form nobody writes by hand.)
fn type_accepted(r: &Result<RawConfig, ConfigErrors>) -> bool {
    match r {
        Ok(_) => true,
        Err(e) => matches!(
            e.kind(),
            ErrorKind::MissingField
                | ErrorKind::UnknownName(_)
                | ErrorKind::UnknownField
                | ErrorKind::BadValue
        ),
    }
}

/// The name of the field a [`ErrorKind::MissingField`] answer misses (the
/// last part of its path).
fn missing_field(e: &ConfigErrors) -> Option<String> {
    (e.kind() == ErrorKind::MissingField)
        .then(|| e.field().rsplit('.').next().unwrap_or_default().to_string())
}

const PROBE: &str = "\u{1}probe";

struct Gen {
    missing_notes: Vec<String>,
}

impl Gen {
    /// The schema of the value at `path`, where `base` is a valid document.
    /// `default` is the value's default when it has one.
    fn node(
        &mut self,
        base: &Value,
        path: &[Step],
        default: Option<&Value>,
    ) -> Result<Value, String> {
        let name = path_name(path);
        let try_with = |v: Value| parse(&with(base, path, v));
        let candidates = [
            ("null", Value::Null),
            ("boolean", json!(true)),
            ("integer", json!(1)),
            ("number", json!(1.5)),
            ("string", json!("x")),
            ("array", json!([])),
            ("object", json!({})),
        ];
        let mut types: Vec<&str> = Vec::new();
        for (t, v) in candidates {
            let r = try_with(v);
            // serde reads an enum from a one-key map, so `{}` is an
            // "invalid value" for enums: only structs take `{}` as a start.
            let accepted = if t == "object" {
                r.is_ok()
                    || matches!(&r, Err(e) if matches!(e.kind(), ErrorKind::MissingField | ErrorKind::UnknownField))
            } else {
                type_accepted(&r)
            };
            if accepted {
                types.push(t);
            }
        }
        if types.contains(&"number") {
            types.retain(|t| *t != "integer");
        }
        let nullable = types.contains(&"null");
        types.retain(|t| *t != "null");
        // serde also reads a struct from an array of its field values (and,
        // with container defaults, from `[]`): the struct is an object.
        if types.contains(&"object") && types.contains(&"array") {
            let default_is_array = default.is_some_and(Value::is_array);
            types.retain(|t| *t != if default_is_array { "object" } else { "array" });
        }
        let [ty] = types.as_slice() else {
            return Err(format!(
                "field `{name}`: the parser accepts {types:?}; the generator only handles one JSON type (plus null)"
            ));
        };
        let ty = *ty;
        let mut s = Map::new();
        s.insert("type".into(), json!(ty));
        let note = note(&name);
        if note.is_none() {
            self.missing_notes.push(name.clone());
        }
        match ty {
            "string" => {
                if let Err(e) = try_with(json!(PROBE)) {
                    if let ErrorKind::UnknownName(names) = e.kind() {
                        s.insert("enum".into(), json!(names));
                    }
                }
            }
            "integer" => {
                let unsigned =
                    matches!(try_with(json!(-1)), Err(e) if e.kind() == ErrorKind::BadValue);
                let min = note.and_then(|n| n.minimum).or(unsigned.then_some(0));
                if let Some(m) = min {
                    s.insert("minimum".into(), json!(m));
                }
                if let Some(m) = note.and_then(|n| n.maximum) {
                    s.insert("maximum".into(), json!(m));
                }
            }
            "array" => {
                let mut item_path = path.to_vec();
                item_path.push(Step::Item);
                let item_base = with(base, path, json!([]));
                let items = self.node(&item_base, &item_path, None)?;
                if let Some(m) = note.and_then(|n| n.min_items) {
                    s.insert("minItems".into(), json!(m));
                }
                s.insert("items".into(), items);
            }
            "object" => self.object(base, path, &mut s)?,
            _ => {}
        }
        if let Some(ex) = note.and_then(|n| n.example) {
            if let Ok(v) = serde_json::from_str::<Value>(ex) {
                s.insert("examples".into(), json!([v]));
            }
        }
        let mut out = if nullable {
            let mut o = Map::new();
            o.insert("oneOf".into(), json!([{"type": "null"}, Value::Object(s)]));
            o
        } else {
            s
        };
        if let Some(n) = note {
            let mut o = Map::new();
            o.insert("description".into(), json!(n.description));
            o.append(&mut out);
            out = o;
        }
        if let Some(d) = default {
            out.insert("default".into(), d.clone());
        }
        Ok(Value::Object(out))
    }

    /// Fills in `s` for the object at `path`: properties (with defaults),
    /// required fields and additionalProperties.
    fn object(
        &mut self,
        base: &Value,
        path: &[Step],
        s: &mut Map<String, Value>,
    ) -> Result<(), String> {
        let name = path_name(path);
        // Find the required fields by asking for them.
        let mut obj = Map::new();
        let mut required: Vec<String> = Vec::new();
        let filled = loop {
            match parse(&with(base, path, Value::Object(obj.clone()))) {
                Ok(raw) => break raw,
                Err(e) if e.kind() == ErrorKind::MissingField && required.len() < 32 => {
                    let field = missing_field(&e).ok_or_else(|| format!("`{name}`: {e}"))?;
                    let fill = [json!("x"), json!(1), json!(true), json!(["x"]), json!({})]
                        .into_iter()
                        .find(|v| {
                            let mut o = obj.clone();
                            o.insert(field.clone(), v.clone());
                            let r = parse(&with(base, path, Value::Object(o)));
                            // Accepted, or now complaining about another field.
                            match &r {
                                Ok(_) => true,
                                Err(e2) => missing_field(e2).is_some_and(|f| f != field),
                            }
                        })
                        .ok_or_else(|| {
                            format!("`{name}.{field}`: no probe value satisfies the parser")
                        })?;
                    obj.insert(field.clone(), fill);
                    required.push(field);
                }
                Err(e) => {
                    return Err(format!(
                        "`{name}`: the parser rejects the probe object: {e}"
                    ))
                }
            }
        };
        // The object as the parser fills it in: its fields with their defaults.
        let round = serde_json::to_value(&filled).map_err(|e| e.to_string())?;
        let here = get(&round, path)
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| format!("`{name}`: not an object after a round trip"))?;
        let obj_base = with(base, path, Value::Object(here.clone()));
        // Unknown fields must be rejected.
        let mut probe = here.clone();
        probe.insert(PROBE.into(), json!(1));
        let strict = matches!(parse(&with(base, path, Value::Object(probe))), Err(e) if e.kind() == ErrorKind::UnknownField);
        let mut props = Map::new();
        for (key, value) in &here {
            let mut p = path.to_vec();
            p.push(Step::Key(key.clone()));
            let default = if required.contains(key) {
                None
            } else {
                Some(value)
            };
            props.insert(key.clone(), self.node(&obj_base, &p, default)?);
        }
        s.insert("properties".into(), Value::Object(props));
        if !required.is_empty() {
            s.insert("required".into(), json!(required));
        }
        if strict {
            s.insert("additionalProperties".into(), json!(false));
        }
        Ok(())
    }
}

/// The schema document, or a message saying which field the generator
/// could not describe. Fields without a [`NOTES`] entry are listed in the
/// second value (the schema is still complete, only without their
/// descriptions).
pub fn generate() -> Result<(Value, Vec<String>), String> {
    let mut g = Gen {
        missing_notes: Vec::new(),
    };
    let root = g.node(&json!({}), &[], None)?;
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    out.insert("$id".into(), json!("urn:envoy-rasp:plugin-config"));
    out.insert("title".into(), json!("envoy-rasp plugin configuration"));
    if let Value::Object(mut r) = root {
        out.append(&mut r);
    }
    // A profile's or the shadow's `config` is a configuration document
    // read as JSON and checked whole after merging (every field's own
    // checks then name it, `profiles[0].config.limits.max_depth`): the
    // probes see only "an object", so the schema says no more than that
    // rather than claim that any field is accepted.
    if let Some(p) = out.get_mut("properties") {
        for at in [
            "/profiles/items/properties/config",
            "/shadow/oneOf/1/properties/config",
        ] {
            if let Some(Value::Object(o)) = p.pointer_mut(at) {
                o.remove("type");
                o.remove("properties");
            }
        }
    }
    // Sanity: the defaults the schema states are what the filter uses.
    if Config::from_json(b"{}").is_err() {
        return Err("the default configuration does not validate".into());
    }
    Ok((Value::Object(out), g.missing_notes))
}
