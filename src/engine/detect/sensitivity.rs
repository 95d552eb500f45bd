//! Sensitivity levels ([`Sensitivity`]) and the one table that gives every
//! detector rule the lowest level at which it fires ([`RULES`]).
//!
//! The idea is the CRS paranoia level, applied to the engine's own rule
//! ids instead of to regular expressions:
//!
//! * `low` keeps the rules whose evidence is unambiguous on its own: a
//!   break-out followed by a second query or command, a substitution that
//!   runs a command, markup that loads or runs script, a lookup, a gadget
//!   chain. Every rule of the table marked [`Sensitivity::Medium`] is
//!   dropped.
//! * `medium` (the default) is the engine as it always was: nothing is
//!   dropped and nothing is added.
//! * `high` also turns on the readings that exist only behind a detector
//!   switch because their evidence is weak by itself (the rules marked
//!   [`Sensitivity::High`]: `ssti.probe` behind `ssti.probes`, `xxe.doctype`
//!   behind `xxe.reject_doctype`). An explicit switch still works at every
//!   level: sensitivity drops only `medium` rules, and only at `low`.
//!
//! Each detector returns at most one hit per value, so a rule can only be
//! marked `medium` when the detector reports it *after* its stronger
//! rules: the SQL detector prefers strong evidence over weak, so dropping
//! `sqli.boolean_tail` never hides a `sqli.union_select`. The cheap pass of
//! the XSS detector reports `xss.active_tag` before it reads any script,
//! so that rule stays `low` (dropping it would let `<script>alert(1)</script>`
//! through), as does `php.code` (an open tag with code is reported by the
//! same rule as a variable function call).
//!
//! A leaf: it imports nothing from the engine, so the configuration, the
//! scan loop and the tests read it without importing one another.

use serde::{Deserialize, Serialize};

/// Which weak-evidence rules fire (`sensitivity`, globally and per
/// detector section).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    /// Only rules whose evidence is unambiguous.
    Low,
    /// Every rule the detectors report by default (the default).
    #[default]
    Medium,
    /// Also the weak-evidence readings that are otherwise behind a switch.
    High,
}

impl Sensitivity {
    /// Every level, lowest first.
    pub const ALL: [Sensitivity; 3] = [Sensitivity::Low, Sensitivity::Medium, Sensitivity::High];

    /// The lowercase name used in configuration and documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            Sensitivity::Low => "low",
            Sensitivity::Medium => "medium",
            Sensitivity::High => "high",
        }
    }
}

/// One row of [`RULES`]: a rule id, the lowest level at which it fires,
/// and (for `medium` and `high` rules) why its evidence is weak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleLevel {
    pub rule: &'static str,
    pub level: Sensitivity,
    pub reason: &'static str,
}

const fn low(rule: &'static str) -> RuleLevel {
    RuleLevel {
        rule,
        level: Sensitivity::Low,
        reason: "",
    }
}

const fn medium(rule: &'static str, reason: &'static str) -> RuleLevel {
    RuleLevel {
        rule,
        level: Sensitivity::Medium,
        reason,
    }
}

const fn high(rule: &'static str, reason: &'static str) -> RuleLevel {
    RuleLevel {
        rule,
        level: Sensitivity::High,
        reason,
    }
}

/// Every rule a detector can report, by detector section (in the order of
/// the detector table), with the lowest sensitivity at which it fires.
pub const RULES: &[(&str, &[RuleLevel])] = &[
    ("jndi_injection", &[low("jndi.lookup"), low("jndi.obfuscated")]),
    (
        "java_injection",
        &[
            low("java.ognl"),
            low("java.spel"),
            low("java.el"),
            low("java.exec"),
            low("java.class_loader"),
            low("java.serialized_object"),
            low("java.gadget"),
            low("dotnet.type_gadget"),
            low("dotnet.serialized_object"),
        ],
    ),
    (
        "node_injection",
        &[
            low("node.serialized_function"),
            low("node.function_constructor"),
            low("node.process"),
            low("node.flight_reference"),
            medium("node.dos_loop", "an empty infinite loop only hurts where the value is evaluated as code, and code samples write `while(true);` too"),
        ],
    ),
    (
        "ssti",
        &[
            low("ssti.jinja_object_walk"),
            low("ssti.framework_internals"),
            low("ssti.callback_filter"),
            low("ssti.code_execution"),
            low("ssti.java_reflection"),
            low("ssti.freemarker_new"),
            low("ssti.constructor_access"),
            low("ssti.erb_shell"),
            low("ssti.thymeleaf_preprocess"),
            low("ssti.velocity_class_tool"),
            low("ssti.smarty_php"),
            high("ssti.probe", "constant arithmetic (`{{7*7}}`) or a bare engine object only proves that a template evaluates the value; it does nothing and documentation writes it (the `ssti.probes` reading)"),
        ],
    ),
    (
        "sql_injection",
        &[
            medium("sqli.boolean_tail", "weak evidence in the detector's own sense: an AND/OR condition after a closed literal counts only when the whole value parses, and prose with a quote and `or` comes close"),
            medium("sqli.operator_tail", "weak evidence: a closed string joined to another literal (`' = '`) changes a query only where the value lands in that string"),
            medium("sqli.comment_truncation", "weak evidence: a quote then `--` (`admin'--`) is also how names and signatures end"),
            medium("sqli.clause_tail", "weak evidence: a clause after a closed literal (`1' order by 3`) needs the whole value to parse"),
            medium("sqli.conditional", "weak evidence: `CASE WHEN … END` or a function over a constant comparison reads the same in spreadsheet formulas and SQL typed on purpose"),
            medium("sqli.info_function", "weak evidence: nested calls over `version()` / `user()` without a break-out"),
            medium("sqli.cast_error", "weak evidence: a PostgreSQL cast (`password::int`) is also ordinary SQL and code"),
            medium("sqli.select_statement", "no break-out: a standalone `SELECT … FROM` only runs where the application executes the field, and people paste queries into tickets and search boxes"),
            medium("sqli.cast_expression", "weak evidence: a PostgreSQL cast of a string or call inside an expression (`'[1]'::jsonb || '3'`) is also ordinary SQL and code"),
            medium("sqli.terminated_literal", "weak evidence: a literal closed and the statement ended (`admin@x.org';`) is also how a typo ends"),
            low("sqli.union_select"),
            low("sqli.stacked_query"),
            low("sqli.subquery"),
            low("sqli.time_function"),
            low("sqli.error_function"),
            low("sqli.file_access"),
        ],
    ),
    (
        "xss",
        &[
            low("xss.active_tag"),
            low("xss.event_handler"),
            low("xss.script_url"),
            low("xss.srcdoc"),
            low("xss.css"),
            medium("xss.dangerous_attr", "`<base href>`, `<link href>`, `<meta http-equiv=refresh>` and IE data binding load from elsewhere but hold no script themselves"),
            low("xss.attr_breakout"),
            medium("xss.js_code", "a run of code that calls a sink with no break-out before it (`eval('x')`) is dangerous only where the value is placed inside a script; code samples write it"),
            low("xss.js_breakout"),
            medium("xss.html_injection", "a login form posting elsewhere holds no script: it phishes only where the page renders the value as markup"),
            low("xss.jsfuck"),
        ],
    ),
    (
        "command_injection",
        &[
            medium("cmdi.chained_command", "a command after `;`, `|` or `&&` near the start of a value is how GraphQL, Markdown and shell snippets in prose read too"),
            medium("cmdi.command_line", "no separator at all: the value is read as a command line only from its first word and its arguments"),
            low("cmdi.sensitive_target"),
            low("cmdi.substitution"),
            low("cmdi.exec_call"),
            low("cmdi.obfuscated_command"),
            low("cmdi.batch_statement"),
            low("cmdi.fork_bomb"),
            low("cmdi.mail_command"),
            low("cmdi.php_code"),
            low("cmdi.shellshock"),
            low("cmdi.ssi_exec"),
        ],
    ),
    (
        "php_injection",
        &[low("php.object_injection"), low("php.code"), low("php.wrapper")],
    ),
    (
        "path_traversal",
        &[
            low("path.dotdot"),
            medium("path.absolute", "no climb: an absolute system path matters only where the application opens the value as a file, and file managers and logs carry such paths"),
            medium("path.sensitive_file", "a sensitive file named relatively (`WEB-INF/web.xml`) needs the application to resolve it from the right directory"),
            low("path.wrapper"),
            medium("path.remote_include", "a URL to a text file that holds code is an inclusion only where the application includes URLs"),
        ],
    ),
    (
        "ssrf",
        &[
            low("ssrf.scheme"),
            low("ssrf.metadata"),
            low("ssrf.internal_address"),
            low("ssrf.obfuscated_ip"),
            medium("ssrf.internal_name", "`localhost`, `*.internal` and single-label names are how error reports and configuration describe the client's own machine"),
            low("ssrf.ip_in_hostname"),
            medium("ssrf.attack_domain", "a name from a list of wildcard-DNS and interaction domains: nothing in the value's structure, and developers paste such links"),
            low("ssrf.parser_confusion"),
        ],
    ),
    (
        "xxe",
        &[
            low("xxe.external_entity"),
            low("xxe.parameter_entity"),
            low("xxe.external_dtd"),
            low("xxe.entity_expansion"),
            medium("xxe.internal_entity", "an internal entity (`<!ENTITY company \"ACME\">`) reads no file and reaches no host; authored XML declares them"),
            medium("xxe.internal_subset", "an internal DTD subset without external or parameter entities declares structure only"),
            high("xxe.doctype", "any DOCTYPE, even `<!DOCTYPE html>`: the declaration alone loads nothing (the `xxe.reject_doctype` reading)"),
            low("xxe.xinclude"),
            low("xxe.xslt"),
            low("xxe.encoding"),
            medium("xxe.undeclared_entity", "a reference nothing declares (`&nbsp;`) is malformed XML that a conforming parser rejects anyway"),
        ],
    ),
    (
        "file_upload",
        &[
            low("upload.blocked_extension"),
            low("upload.double_extension"),
            low("upload.null_byte"),
            low("upload.semicolon"),
            low("upload.ntfs_stream"),
            low("upload.trailing_dot"),
            low("upload.unicode_lookalike"),
            low("upload.bidi_override"),
            low("upload.path_traversal"),
            low("upload.absolute_path"),
            low("upload.server_config"),
            medium("upload.session_file", "a name shaped like `sess_<id>` plants a session only where uploads land in the session directory"),
            low("upload.code_in_content"),
        ],
    ),
    (
        "nosql_injection",
        &[
            low("nosqli.operator_key"),
            low("nosqli.operator_object"),
            low("nosqli.operator_breakout"),
            low("nosqli.js_injection"),
        ],
    ),
    (
        "ldap_injection",
        &[
            low("ldap.filter_breakout"),
            medium("ldap.filter_injection", "a nested `(|(` after assertion text closes nothing the application opened"),
            low("ldap.null_truncation"),
        ],
    ),
    (
        "prototype_pollution",
        &[
            low("prototype_pollution.proto_key"),
            low("prototype_pollution.proto_path"),
            low("prototype_pollution.proto_object"),
        ],
    ),
    (
        "header_injection",
        &[
            low("crlf.header_injection"),
            low("crlf.response_splitting"),
            low("crlf.request_splitting"),
            low("crlf.path"),
            medium("crlf.parameter_name", "a line break inside a parameter name is malformed input (a file posted with `curl --data @file`), not a header of its own"),
        ],
    ),
    ("scanner", &[low("scanner.user_agent"), low("scanner.header")]),
    (
        "sensitive_path",
        &[
            low("sensitive_path.vcs"),
            low("sensitive_path.secrets"),
            medium("sensitive_path.backup", "`*.bak`, `*.old`, `*.sql` and archives are also names of files that sites publish on purpose"),
            low("sensitive_path.server_config"),
            medium("sensitive_path.editor_config", "IDE folders (`.idea`, `.vscode`) leak little and development sites serve them"),
            low("sensitive_path.custom"),
        ],
    ),
];

/// The level of `rule`: `None` for a rule the table does not list (custom
/// rules; a test proves that every detector rule is listed).
pub fn level_of(rule: &str) -> Option<Sensitivity> {
    RULES
        .iter()
        .flat_map(|(_, rules)| rules.iter())
        .find(|r| r.rule == rule)
        .map(|r| r.level)
}

/// Whether a hit of `rule` is dropped by a detector configured at `low`:
/// only `medium` rules are (see the module docs for why `high` rules are
/// not).
pub fn dropped_at_low(rule: &str) -> bool {
    level_of(rule) == Some(Sensitivity::Medium)
}

/// The README table: per detector, what `low` removes and `high` adds.
pub fn markdown() -> String {
    let mut out = String::from("| detector | `low` removes | `high` adds |\n|---|---|---|\n");
    for (section, rules) in RULES {
        let list = |level: Sensitivity| -> String {
            let ids: Vec<String> = rules
                .iter()
                .filter(|r| r.level == level)
                .map(|r| format!("`{}`", r.rule))
                .collect();
            if ids.is_empty() {
                "–".to_string()
            } else {
                ids.join(", ")
            }
        };
        let (removed, added) = (list(Sensitivity::Medium), list(Sensitivity::High));
        if removed == "–" && added == "–" {
            continue;
        }
        out.push_str(&format!("| `{section}` | {removed} | {added} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_weak_rule_says_why_and_ids_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (_, rules) in RULES {
            for r in *rules {
                assert!(seen.insert(r.rule), "{} listed twice", r.rule);
                assert_eq!(
                    r.level == Sensitivity::Low,
                    r.reason.is_empty(),
                    "{}: a medium or high rule needs a reason, a low one none",
                    r.rule
                );
            }
        }
    }

    #[test]
    fn names_are_the_serde_names_and_ordered() {
        for s in Sensitivity::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert!(Sensitivity::Low < Sensitivity::Medium && Sensitivity::Medium < Sensitivity::High);
        assert_eq!(Sensitivity::default(), Sensitivity::Medium);
    }

    #[test]
    fn lookups() {
        assert_eq!(level_of("sqli.union_select"), Some(Sensitivity::Low));
        assert_eq!(level_of("ssti.probe"), Some(Sensitivity::High));
        assert_eq!(level_of("my-custom-rule"), None);
        assert!(dropped_at_low("cmdi.chained_command"));
        assert!(!dropped_at_low("ssti.probe"));
        assert!(!dropped_at_low("my-custom-rule"));
    }

    /// Every rule id a detector's source can report is in the table, and
    /// every id in the table is still reported by some source: the table
    /// cannot drift from the detectors.
    #[test]
    // The wasm test runner has no file system; the native run checks it.
    #[cfg_attr(target_arch = "wasm32", ignore = "reads sources from disk")]
    fn table_lists_exactly_the_rules_in_the_detector_sources() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/detect");
        let mut files = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("sensitivity.rs")
                {
                    files.push(p);
                }
            }
        }
        let prefixes: std::collections::BTreeSet<&str> = RULES
            .iter()
            .flat_map(|(_, rules)| rules.iter())
            .filter_map(|r| r.rule.split('.').next())
            .collect();
        // String literals with a rule prefix that are not rule ids.
        const NOT_RULES: &[&str] = &["php.ini", "xxe.max_entity_expansion"];
        let mut found = std::collections::BTreeSet::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            // Every run between two quotes (not only every other one: a
            // `b'"'` in the source shifts the parity).
            for lit in text.split('"') {
                let Some((prefix, name)) = lit.split_once('.') else {
                    continue;
                };
                let word = |s: &str| {
                    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                };
                if prefixes.contains(prefix) && word(name) && !NOT_RULES.contains(&lit) {
                    found.insert(lit.to_string());
                }
            }
        }
        let missing: Vec<&String> = found.iter().filter(|r| level_of(r).is_none()).collect();
        assert!(missing.is_empty(), "rules without a level: {missing:?}");
        for (_, rules) in RULES {
            for r in *rules {
                assert!(found.contains(r.rule), "{} is not in any detector", r.rule);
            }
        }
        assert!(found.len() > 100, "{} rule ids found", found.len());
    }

    /// The README's table is this table's rendering.
    #[test]
    // The wasm test runner has no file system; the native run checks it.
    #[cfg_attr(target_arch = "wasm32", ignore = "reads sources from disk")]
    fn readme_table_matches() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let (begin, end) = (
            "<!-- sensitivity-table:begin -->\n",
            "<!-- sensitivity-table:end -->",
        );
        let inner = readme
            .split_once(begin)
            .and_then(|(_, rest)| rest.split_once(end))
            .map(|(inner, _)| inner);
        assert_eq!(
            inner,
            Some(markdown().as_str()),
            "README.md sensitivity table is out of date; it should read:\n{}",
            markdown()
        );
    }
}
