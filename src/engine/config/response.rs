//! The `response` section: whether and how responses are inspected on
//! their way back (leaks, reflected and confirmed attacks).

use serde::{Deserialize, Serialize};

use crate::engine::error::{ConfigErrors, FieldPath};
use crate::engine::response::LeakKind;
use crate::engine::section::{Bounds, Context, FieldNote, Section};

/// The sizes `response.max_body_bytes` accepts (0: headers only).
pub const MAX_BODY_BYTES_RANGE: Bounds = Bounds::new(0, 1024 * 1024);

/// Most entries of `response.content_types`.
pub const MAX_CONTENT_TYPES: usize = 32;

/// What is done with a response finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseAction {
    /// Log and count it; the response passes unchanged.
    #[default]
    Log,
    /// Also replace the matched body bytes with `*` of the same length (in
    /// `mode: monitor`, logged as `monitor` and not masked).
    Mask,
    /// The detector does not run.
    Off,
}

impl ResponseAction {
    /// The lowercase name (events, metrics).
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseAction::Log => "log",
            ResponseAction::Mask => "mask",
            ResponseAction::Off => "off",
        }
    }
}

/// Per-detector actions; `null` (the default) takes `response.action`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResponseActions {
    /// SQL error messages (MySQL, PostgreSQL, MSSQL, Oracle, SQLite, JDBC/ODBC/PDO).
    pub sql_error: Option<ResponseAction>,
    /// Java, Python, PHP, .NET and Node.js stack traces.
    pub stack_trace: Option<ResponseAction>,
    /// `/etc/passwd` lines (`root:x:0:0:root:/root:/bin/bash`).
    pub passwd_file: Option<ResponseAction>,
    /// PEM private keys (`-----BEGIN … PRIVATE KEY-----`).
    pub private_key: Option<ResponseAction>,
    /// Output of `id` (`uid=0(root) gid=0(root)`).
    pub command_output: Option<ResponseAction>,
    /// Card numbers (13–19 digits, Luhn-checked).
    pub card_number: Option<ResponseAction>,
    /// A request finding's evidence sent back.
    pub reflection: Option<ResponseAction>,
}

/// Response inspection settings. Off by default.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResponseConfig {
    /// Inspect responses: headers always, bodies of `content_types` up to
    /// `max_body_bytes`. Default false.
    pub enabled: bool,
    /// Longest body prefix scanned, in bytes. Default 65536, at most 1 MiB;
    /// 0 inspects the headers only.
    pub max_body_bytes: usize,
    /// Media types whose bodies are scanned (compared case-insensitively,
    /// parameters ignored). Default text/html, application/json,
    /// text/plain, application/xml, text/xml, application/javascript.
    pub content_types: Vec<String>,
    /// Action of every detector without one in `actions`: `log` (default),
    /// `mask` or `off`.
    pub action: ResponseAction,
    /// Per-detector actions.
    pub actions: ResponseActions,
}

impl Default for ResponseConfig {
    fn default() -> Self {
        ResponseConfig {
            enabled: false,
            max_body_bytes: 65536,
            content_types: [
                "text/html",
                "application/json",
                "text/plain",
                "application/xml",
                "text/xml",
                "application/javascript",
            ]
            .map(String::from)
            .to_vec(),
            action: ResponseAction::Log,
            actions: ResponseActions::default(),
        }
    }
}

/// The compiled section.
#[derive(Clone, Debug, Default)]
pub struct ResponseSettings {
    pub enabled: bool,
    pub max_body_bytes: usize,
    /// Lowercased.
    pub content_types: Vec<String>,
    /// By [`LeakKind::index`].
    pub actions: [ResponseAction; LeakKind::ALL.len()],
}

impl ResponseSettings {
    /// What is done with a finding of `kind`.
    pub fn action(&self, kind: LeakKind) -> ResponseAction {
        self.actions.get(kind.index()).copied().unwrap_or_default()
    }

    /// Whether a body of this `content-type` value is scanned.
    pub fn scans(&self, content_type: &[u8]) -> bool {
        let media = content_type
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default();
        let media = crate::engine::bytes::trim_ows(media);
        self.content_types
            .iter()
            .any(|t| crate::engine::bytes::eq_ci(t.as_bytes(), media))
    }
}

impl ResponseActions {
    fn get(&self, kind: LeakKind) -> Option<ResponseAction> {
        match kind {
            LeakKind::SqlError => self.sql_error,
            LeakKind::StackTrace => self.stack_trace,
            LeakKind::PasswdFile => self.passwd_file,
            LeakKind::PrivateKey => self.private_key,
            LeakKind::CommandOutput => self.command_output,
            LeakKind::CardNumber => self.card_number,
            LeakKind::Reflection => self.reflection,
        }
    }
}

impl Section for ResponseConfig {
    type Compiled = ResponseSettings;

    fn compile(&self, at: &FieldPath, _cx: &Context) -> Result<ResponseSettings, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        MAX_BODY_BYTES_RANGE.check(
            &at.key("max_body_bytes"),
            self.max_body_bytes as u64,
            &mut errors,
        );
        let types = at.key("content_types");
        if self.content_types.len() > MAX_CONTENT_TYPES {
            errors.push(types.error(format!("at most {MAX_CONTENT_TYPES} media types")));
        }
        for (i, t) in self.content_types.iter().enumerate() {
            let ok = !t.is_empty()
                && t.len() <= 128
                && t.bytes().filter(|&b| b == b'/').count() == 1
                && t.bytes().all(|b| b.is_ascii_graphic() && b != b';');
            if !ok {
                errors.push(types.index(i).error(
                    "must be a media type `type/subtype` without parameters (e.g. text/html)",
                ));
            }
        }
        let mut actions = [self.action; LeakKind::ALL.len()];
        for (slot, kind) in actions.iter_mut().zip(LeakKind::ALL) {
            *slot = self.actions.get(kind).unwrap_or(self.action);
        }
        errors.into_result(ResponseSettings {
            enabled: self.enabled,
            max_body_bytes: self.max_body_bytes,
            content_types: self
                .content_types
                .iter()
                .map(|t| t.to_ascii_lowercase())
                .collect(),
            actions,
        })
    }
}

/// The JSON Schema notes of the section, paths relative to `response`.
pub const NOTES: &[FieldNote] = &[
    FieldNote::new("", "Response inspection: SQL errors, stack traces, /etc/passwd lines, private keys, command output and card numbers leaking, and request findings reflected or confirmed by the response. Off by default."),
    FieldNote::new("enabled", "Inspect responses: headers always, bodies of content_types up to max_body_bytes (scanned per chunk as they stream; Content-Encoding other than identity is skipped and counted, never decompressed)."),
    FieldNote::bounded("max_body_bytes", "Longest body prefix scanned, in bytes (0: headers only).", MAX_BODY_BYTES_RANGE),
    FieldNote::new("content_types", "Media types whose bodies are scanned (case-insensitive, parameters ignored). At most 32."),
    FieldNote::new("content_types[]", "A media type `type/subtype`."),
    FieldNote::new("action", "`log` (count and log), `mask` (also replace the matched body bytes with `*` of the same length, so Content-Length stays valid; not in monitor mode) or `off`."),
    FieldNote::new("actions", "Per-detector actions; `null` takes `action`."),
    FieldNote::new("actions.sql_error", "SQL error messages (MySQL, PostgreSQL, MSSQL, Oracle, SQLite, JDBC/ODBC/PDO). `null`: `action`."),
    FieldNote::new("actions.stack_trace", "Java, Python, PHP, .NET and Node.js stack traces. `null`: `action`."),
    FieldNote::new("actions.passwd_file", "/etc/passwd lines. `null`: `action`."),
    FieldNote::new("actions.private_key", "PEM private keys (the key material to its END line is masked). `null`: `action`."),
    FieldNote::new("actions.command_output", "Output of `id` (uid=N(name) gid=N(name)). `null`: `action`."),
    FieldNote::new("actions.card_number", "Card numbers: 13-19 digits, optional space/dash groups, Luhn-checked. `null`: `action`."),
    FieldNote::new("actions.reflection", "A request finding's evidence sent back in the response. `null`: `action`."),
];

#[cfg(test)]
mod tests {
    use crate::engine::config::Config;
    use crate::engine::response::LeakKind;

    use super::ResponseAction;

    #[test]
    fn defaults_off_and_per_detector_actions_fall_back() {
        let c = Config::default();
        assert!(!c.response.enabled);
        assert_eq!(c.response.max_body_bytes, 65536);
        let c = Config::from_json(
            br#"{"response": {"enabled": true, "action": "mask", "actions": {"stack_trace": "log"}}}"#,
        )
        .unwrap();
        assert_eq!(
            c.response.action(LeakKind::CardNumber),
            ResponseAction::Mask
        );
        assert_eq!(c.response.action(LeakKind::StackTrace), ResponseAction::Log);
        assert!(c.response.scans(b"Text/HTML; charset=utf-8"));
        assert!(!c.response.scans(b"image/png"));
    }

    #[test]
    fn bad_values_name_their_field() {
        let e = Config::from_json(
            br#"{"response": {"max_body_bytes": 2000000, "content_types": ["text/html; q=1", "x"], "actions": {"card": "mask"}}}"#,
        )
        .unwrap_err();
        let fields: Vec<&str> = e.errors().iter().map(|e| e.field()).collect();
        assert!(fields.contains(&"response.actions.card"), "{fields:?}");
        let e = Config::from_json(
            br#"{"response": {"max_body_bytes": 2000000, "content_types": ["text/html; q=1", "x"]}}"#,
        )
        .unwrap_err();
        let fields: Vec<&str> = e.errors().iter().map(|e| e.field()).collect();
        assert_eq!(
            fields,
            [
                "response.max_body_bytes",
                "response.content_types[0]",
                "response.content_types[1]"
            ]
        );
    }
}
