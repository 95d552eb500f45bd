//! Security events: one JSON object per line, written to Envoy's log.
//!
//! ```text
//! {"event":"rasp.attack","ts":"2026-11-28T20:46:37.123Z","type":"sql_injection",
//!  "rule":"sqli.tautology","reason":"…","location":"query:id","evidence":"' or 1=1--",
//!  "action":"block","mode":"block","request_id":"…","method":"GET","path":"/items",
//!  "client":"10.1.2.3:51234"}
//! ```
//!
//! Events never carry whole bodies, cookie values or query strings: only the
//! evidence window (at most `events.max_evidence_bytes`, control characters
//! and invalid UTF-8 escaped) and the path without its query.

use super::bytes::hex;

use super::detect::Finding;
use super::escape::json_escape;
use super::mode::Mode;
use super::mode::Taken;
use super::reply::Cause;

/// Per-request fields shared by every event of the request.
pub struct Meta<'a> {
    /// `None` (written as `null`) until an id is assigned.
    pub request_id: Option<&'a str>,
    pub method: &'a str,
    /// Path without query (raw bytes; escaped and truncated when written).
    pub path: &'a [u8],
    pub client: Option<&'a str>,
    pub mode: Mode,
    /// The profile the request matched (`None`: no profiles configured,
    /// or a shadow run; the field is then left out).
    pub profile: Option<&'a str>,
    pub now_ms: u64,
}

/// Escapes `bytes` for humans and logs: printable ASCII and valid
/// non-control UTF-8 stay, `\` becomes `\\`, everything else `\xNN`.
/// The result is at most about `max` bytes (never cut inside an escape).
pub fn evidence(bytes: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max) + 8);
    let mut i = 0;
    while i < bytes.len() && out.len() < max {
        let b = bytes.get(i).copied().unwrap_or(0);
        if b == b'\\' {
            out.push_str("\\\\");
            i += 1;
        } else if (0x20..0x7f).contains(&b) {
            out.push(b as char);
            i += 1;
        } else if b >= 0x80 {
            // Take one UTF-8 character if it is valid.
            let len = match b {
                0xc2..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf4 => 4,
                _ => 0,
            };
            let ch = bytes
                .get(i..i + len.max(1))
                .and_then(|s| std::str::from_utf8(s).ok())
                .filter(|_| len > 0)
                .and_then(|s| s.chars().next())
                .filter(|c| !c.is_control());
            match ch {
                Some(c) => {
                    out.push(c);
                    i += len;
                }
                None => {
                    push_hex_escape(&mut out, b);
                    i += 1;
                }
            }
        } else {
            push_hex_escape(&mut out, b);
            i += 1;
        }
    }
    if i < bytes.len() {
        out.push('…');
    }
    out
}

/// Appends `\xNN` (lowercase hex) for `b`.
fn push_hex_escape(out: &mut String, b: u8) {
    let [h, l] = hex::encode_byte(b);
    out.push_str("\\x");
    out.push(char::from(h));
    out.push(char::from(l));
}

/// Formats milliseconds since the Unix epoch as RFC 3339 UTC.
pub fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

fn field(out: &mut String, key: &str, value: &str) {
    out.push_str(",\"");
    out.push_str(key);
    out.push_str("\":\"");
    json_escape(out, value);
    out.push('"');
}

fn common(out: &mut String, meta: &Meta<'_>) {
    field(out, "mode", meta.mode.as_str());
    if let Some(p) = meta.profile {
        field(out, "profile", p);
    }
    optional(out, "request_id", meta.request_id);
    field(out, "method", &evidence(meta.method.as_bytes(), 16));
    field(out, "path", &evidence(meta.path, 200));
    optional(out, "client", meta.client);
    out.push('}');
}

/// A string field, or `null` when absent.
fn optional(out: &mut String, key: &str, value: Option<&str>) {
    match value {
        Some(v) => field(out, key, v),
        None => {
            out.push_str(",\"");
            out.push_str(key);
            out.push_str("\":null");
        }
    }
}

/// The event line for one finding.
pub fn attack(meta: &Meta<'_>, f: &Finding) -> String {
    let mut out = String::with_capacity(384);
    out.push_str("{\"event\":\"rasp.attack\"");
    field(&mut out, "ts", &rfc3339(meta.now_ms));
    field(&mut out, "type", f.attack.as_str());
    field(&mut out, "rule", &f.rule);
    field(&mut out, "reason", &f.reason);
    field(&mut out, "location", &f.location);
    field(&mut out, "evidence", &f.evidence);
    field(&mut out, "action", f.taken.as_str());
    common(&mut out, meta);
    out
}

/// The debug line for a finding an exclusion dropped: what it was, and
/// which entry (its index in `exclusions` and its `reason`) dropped it.
pub fn excluded(
    meta: &Meta<'_>,
    attack: &str,
    rule: &str,
    location: &str,
    entry: usize,
    reason: &str,
) -> String {
    let mut out = String::with_capacity(320);
    out.push_str("{\"event\":\"rasp.excluded\"");
    field(&mut out, "ts", &rfc3339(meta.now_ms));
    field(&mut out, "type", attack);
    field(&mut out, "rule", rule);
    field(&mut out, "location", location);
    out.push_str(&format!(",\"exclusion\":{entry}"));
    field(&mut out, "reason", reason);
    common(&mut out, meta);
    out
}

/// One side of a shadow comparison: its verdict (`allow`, `flag`: found
/// something but let the request pass, `block`: a local reply), what
/// decided it (an attack type or a limit; `none`), and its first finding's
/// rule and location.
pub struct Side<'a> {
    pub verdict: &'a str,
    pub cause: &'a str,
    pub rule: Option<&'a str>,
    pub location: Option<&'a str>,
}

/// The event line for a request the shadow configuration judged
/// differently from the live one (`meta` is the live request's).
pub fn shadow(meta: &Meta<'_>, live: &Side<'_>, shadow: &Side<'_>) -> String {
    let mut out = String::with_capacity(384);
    out.push_str("{\"event\":\"rasp.shadow\"");
    field(&mut out, "ts", &rfc3339(meta.now_ms));
    field(&mut out, "from", live.verdict);
    field(&mut out, "to", shadow.verdict);
    field(&mut out, "live_type", live.cause);
    field(&mut out, "shadow_type", shadow.cause);
    optional(&mut out, "live_rule", live.rule);
    optional(&mut out, "shadow_rule", shadow.rule);
    optional(&mut out, "shadow_location", shadow.location);
    common(&mut out, meta);
    out
}

/// The event line for a limit (or rate limit) decision.
pub fn limit(meta: &Meta<'_>, cause: Cause, taken: Taken) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"event\":\"rasp.limit\"");
    field(&mut out, "ts", &rfc3339(meta.now_ms));
    field(&mut out, "reason", cause.as_str());
    out.push_str(&format!(",\"status\":{}", cause.limit_status()));
    field(&mut out, "action", taken.as_str());
    common(&mut out, meta);
    out
}

/// What a response event says (the request's fields come from [`Meta`]).
pub struct ResponseFinding<'a> {
    /// `sql_error`, `card_number`, `reflection`, …
    pub kind: &'a str,
    pub rule: &'a str,
    /// `leaked`, `reflected` or `confirmed`.
    pub outcome: &'a str,
    /// The request attack reflected or confirmed, if any.
    pub attack: Option<&'a str>,
    /// `body` or `header:<name>`.
    pub location: &'a str,
    /// Already redacted (cards show their last four digits, keys their
    /// header line only).
    pub evidence: &'a str,
    /// `log`, `mask` or `monitor`.
    pub action: &'a str,
    /// The response `:status`.
    pub status: u16,
}

/// The event line for one response finding.
pub fn response(meta: &Meta<'_>, r: &ResponseFinding<'_>) -> String {
    let mut out = String::with_capacity(384);
    out.push_str("{\"event\":\"rasp.response\"");
    field(&mut out, "ts", &rfc3339(meta.now_ms));
    field(&mut out, "type", r.kind);
    field(&mut out, "rule", r.rule);
    field(&mut out, "outcome", r.outcome);
    optional(&mut out, "attack", r.attack);
    field(&mut out, "location", r.location);
    field(&mut out, "evidence", r.evidence);
    field(&mut out, "action", r.action);
    out.push_str(&format!(",\"status\":{}", r.status));
    common(&mut out, meta);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_escapes_and_truncates() {
        assert_eq!(evidence(b"a\nb\x00\\", 100), "a\\x0ab\\x00\\\\");
        assert_eq!(evidence("é\u{7}".as_bytes(), 100), "é\\x07");
        assert_eq!(evidence(b"\xff\xc3", 100), "\\xff\\xc3");
        let long = vec![b'x'; 500];
        let e = evidence(&long, 200);
        assert!(e.len() <= 204 && e.ends_with('…'), "{}", e.len());
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_899_024_603), "2026-11-28T20:50:24.603Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
