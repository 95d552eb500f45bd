//! Every detector fixture file, through its detector's public API.
//!
//! `tests/fixtures/<name>.jsonl` holds one JSON object per line: `value`,
//! `expect` (`detect` or `pass`), an optional `rule` (the rule that must
//! fire), a `note`, and fields that only some detectors read (`surface` for
//! ssrf, `disposition` and `content` for upload). The test walks the folder
//! and dispatches each file by name to a runner in [`RUNNERS`], so a
//! fixture file without a runner, a runner without its file, an empty or
//! truncated file (below the runner's minimum counts) and a misspelt field
//! all fail instead of being skipped.

use std::collections::BTreeSet;
use std::path::PathBuf;

use envoy_rasp::engine::decode::normalize;
use envoy_rasp::engine::detect::{
    cmdi, crlf, java, jndi, ldap, node, nosqli, php, prototype_pollution, scanner, sensitive_path,
    sqli, ssrf, ssti, traversal, upload, xss, xxe, Detector, Hit, ValueCtx,
};
use envoy_rasp::engine::error::FieldPath;
use envoy_rasp::engine::surface::{FilePart, Surface};
use serde_json::Value;

/// A detector as the fixtures call it: the row's value and the whole row.
type Detect = Box<dyn Fn(&str, &Value) -> Option<Hit>>;

/// How one fixture file is run and what it must at least contain.
struct Runner {
    /// The file stem: `tests/fixtures/<name>.jsonl`.
    name: &'static str,
    /// Row fields besides `value`, `expect`, `rule`, `note` and `source`
    /// (where a row was taken from).
    extra_fields: &'static [&'static str],
    /// Every span must also end inside the value (the detector reports
    /// spans in the value it was given, not in a decoded form).
    exact_spans: bool,
    /// At least this many `detect` rows, `pass` rows and rows in all.
    min_detect: usize,
    min_pass: usize,
    min_rows: usize,
    /// Compiles the detector with its default configuration.
    build: fn() -> Detect,
}

/// Compiles detector `D` with its default configuration, as section
/// `section`.
fn compiled<D: Detector>(section: &str) -> D {
    D::compile(&D::Config::default(), &FieldPath::root().key(section))
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("{section} compiles"))
}

/// Where a row's value travels: `surface` (default `query`) and `key` (a
/// parameter name).
fn row_ctx(row: &Value) -> ValueCtx {
    let name = row["surface"].as_str().unwrap_or("query");
    let s = surface(name).unwrap_or_else(|| panic!("unknown surface {name}"));
    // `name`: the location name (a JSONPath, an XML path), which gives
    // the field.
    let field = row["name"].as_str().unwrap_or("");
    ValueCtx::at(s, field.as_bytes(), row["key"].as_bool().unwrap_or(false))
}

/// A JSON value at `name` (a JSONPath, which gives the field) when the row
/// names one, otherwise a query value.
fn json_or_query_ctx(row: &Value) -> ValueCtx {
    match row["name"].as_str() {
        Some(n) => ValueCtx::at(Surface::Json, n.as_bytes(), false),
        None => ValueCtx::value(Surface::Query),
    }
}

/// A query value.
fn query_ctx(_: &Value) -> ValueCtx {
    ValueCtx::value(Surface::Query)
}

/// A value detector over the value as received only.
fn as_received<D: Detector + 'static>(d: D, ctx_of: fn(&Value) -> ValueCtx) -> Detect {
    Box::new(move |v, row| d.detect(v.as_bytes(), &ctx_of(row)))
}

/// A value detector as the engine reads a value: as received, then
/// normalised.
fn engine_reading<D: Detector + 'static>(d: D, ctx_of: fn(&Value) -> ValueCtx) -> Detect {
    Box::new(move |v, row| {
        let ctx = ctx_of(row);
        d.detect(v.as_bytes(), &ctx)
            .or_else(|| d.detect(&normalize(v.as_bytes()).bytes, &ctx))
    })
}

const RUNNERS: &[Runner] = &[
    Runner {
        name: "sqli",
        extra_fields: &["name"],
        exact_spans: false,
        min_detect: 1,
        min_pass: 1,
        min_rows: 160,
        build: || as_received(compiled::<sqli::Sqli>("sql_injection"), json_or_query_ctx),
    },
    Runner {
        name: "xss",
        extra_fields: &[],
        exact_spans: false,
        min_detect: 80,
        min_pass: 80,
        min_rows: 1,
        // As the engine runs it: the value as received, then normalised.
        build: || {
            let d = xss::Xss::compile(&xss::XssConfig::default(), "xss")
                .ok()
                .flatten()
                .expect("xss compiles");
            Box::new(move |v, _| {
                let ctx = ValueCtx::value(Surface::Query);
                d.detect(v.as_bytes(), &ctx)
                    .or_else(|| d.detect(&normalize(v.as_bytes()).bytes, &ctx))
            })
        },
    },
    Runner {
        name: "cmdi",
        extra_fields: &[],
        exact_spans: true,
        min_detect: 50,
        min_pass: 50,
        min_rows: 1,
        build: || as_received(compiled::<cmdi::Cmdi>("command_injection"), query_ctx),
    },
    Runner {
        name: "path_traversal",
        extra_fields: &["name"],
        exact_spans: true,
        min_detect: 50,
        min_pass: 50,
        min_rows: 1,
        build: || {
            as_received(
                compiled::<traversal::Traversal>("path_traversal"),
                json_or_query_ctx,
            )
        },
    },
    Runner {
        name: "ssrf",
        extra_fields: &["surface", "name"],
        exact_spans: false,
        min_detect: 1,
        min_pass: 1,
        min_rows: 60,
        // `surface` (default `query`): where the value travels.
        build: || as_received(compiled::<ssrf::Ssrf>("ssrf"), row_ctx),
    },
    Runner {
        name: "xxe",
        extra_fields: &[],
        exact_spans: false,
        min_detect: 1,
        min_pass: 1,
        min_rows: 60,
        // The value is a whole XML document.
        build: || {
            let d = xxe::Xxe::compile(&xxe::XxeConfig::default(), "xxe")
                .ok()
                .flatten()
                .expect("xxe compiles");
            Box::new(move |v, _| d.detect_document(v.as_bytes()))
        },
    },
    Runner {
        name: "upload",
        extra_fields: &["disposition", "content"],
        exact_spans: false,
        min_detect: 1,
        min_pass: 1,
        min_rows: 60,
        // The value is the file name; `disposition` (default: a form-data
        // header naming it) and `content` (default `hello`) complete the part.
        build: || {
            let d = upload::Upload::compile(&upload::UploadConfig::default(), "file_upload")
                .ok()
                .flatten()
                .expect("upload compiles");
            Box::new(move |v, row| {
                let disposition = row["disposition"].as_str().map_or_else(
                    || {
                        format!(
                            "form-data; name=\"file\"; filename=\"{}\"",
                            v.replace('\\', "\\\\").replace('"', "\\\"")
                        )
                    },
                    str::to_string,
                );
                let content = row["content"].as_str().unwrap_or("hello");
                d.detect_file(&FilePart {
                    field: b"file",
                    filename: v.as_bytes(),
                    disposition: disposition.as_bytes(),
                    content_type: b"application/octet-stream",
                    content: content.as_bytes(),
                })
            })
        },
    },
    Runner {
        name: "jndi",
        extra_fields: &[],
        exact_spans: true,
        min_detect: 30,
        min_pass: 40,
        min_rows: 1,
        // As the engine reads a header: as received, then normalised (a
        // hit on the normalised form has no span in the value).
        build: || {
            let d = jndi::Jndi::compile(&jndi::JndiConfig::default(), "jndi_injection")
                .ok()
                .flatten()
                .expect("jndi compiles");
            Box::new(move |v, _| {
                let ctx = ValueCtx::value(Surface::Header);
                d.detect(v.as_bytes(), &ctx).or_else(|| {
                    let n = normalize(v.as_bytes());
                    d.detect(&n.bytes, &ctx).map(|h| Hit {
                        start: 0,
                        end: 0,
                        ..h
                    })
                })
            })
        },
    },
    Runner {
        name: "crlf",
        extra_fields: &["surface", "key"],
        exact_spans: false,
        min_detect: 30,
        min_pass: 30,
        min_rows: 1,
        // `surface` (default `query`) and `key` (a parameter name): where
        // the value travels; as received, then normalised.
        build: || engine_reading(compiled::<crlf::Crlf>("header_injection"), row_ctx),
    },
    Runner {
        name: "scanner",
        extra_fields: &["header"],
        exact_spans: true,
        min_detect: 20,
        min_pass: 30,
        min_rows: 1,
        // `header` (default `user-agent`): the header the value is sent in.
        build: || {
            let d = scanner::Scanner::compile(&scanner::ScannerConfig::default(), "scanner")
                .ok()
                .flatten()
                .expect("scanner compiles");
            Box::new(move |v, row| {
                let name = row["header"].as_str().unwrap_or("user-agent");
                d.detect_header(name.as_bytes(), v.as_bytes())
            })
        },
    },
    Runner {
        name: "sensitive_path",
        extra_fields: &[],
        exact_spans: true,
        min_detect: 60,
        min_pass: 60,
        min_rows: 1,
        // The value is the request path.
        build: || {
            let d = sensitive_path::SensitivePath::compile(
                &sensitive_path::SensitivePathConfig::default(),
                "sensitive_path",
            )
            .ok()
            .flatten()
            .expect("sensitive_path compiles");
            Box::new(move |v, _| d.detect_path(v.as_bytes()))
        },
    },
    Runner {
        name: "java",
        extra_fields: &[],
        exact_spans: false,
        min_detect: 70,
        min_pass: 60,
        min_rows: 1,
        // As the engine reads a value: as received, then normalised.
        build: || engine_reading(compiled::<java::Java>("java_injection"), query_ctx),
    },
    Runner {
        name: "php",
        extra_fields: &[],
        exact_spans: false,
        min_detect: 100,
        min_pass: 60,
        min_rows: 1,
        // As the engine reads a value: as received, then normalised.
        build: || engine_reading(compiled::<php::Php>("php_injection"), query_ctx),
    },
    Runner {
        name: "ldap",
        extra_fields: &[],
        exact_spans: false,
        min_detect: 20,
        min_pass: 40,
        min_rows: 1,
        // As the engine reads a value: as received, then normalised.
        build: || engine_reading(compiled::<ldap::Ldap>("ldap_injection"), query_ctx),
    },
    Runner {
        name: "nosqli",
        extra_fields: &["surface", "key"],
        exact_spans: false,
        min_detect: 30,
        min_pass: 40,
        min_rows: 1,
        // As the engine reads a value: as received, then normalised.
        build: || engine_reading(compiled::<nosqli::Nosqli>("nosql_injection"), row_ctx),
    },
    Runner {
        name: "node",
        extra_fields: &[],
        exact_spans: false,
        min_detect: 15,
        min_pass: 15,
        min_rows: 1,
        build: || engine_reading(compiled::<node::Node>("node_injection"), query_ctx),
    },
    Runner {
        name: "prototype_pollution",
        extra_fields: &["surface", "key"],
        exact_spans: true,
        min_detect: 20,
        min_pass: 30,
        min_rows: 1,
        // As the engine reads a value: as received, then normalised.
        build: || {
            engine_reading(
                compiled::<prototype_pollution::PrototypePollution>("prototype_pollution"),
                row_ctx,
            )
        },
    },
    Runner {
        name: "ssti",
        extra_fields: &["probes"],
        exact_spans: false,
        min_detect: 60,
        min_pass: 60,
        min_rows: 1,
        // `probes: true` rows run with `ssti.probes` on; as received, then
        // normalised.
        build: || {
            let compile = |probes| {
                let cfg = ssti::SstiConfig {
                    probes,
                    ..ssti::SstiConfig::default()
                };
                ssti::Ssti::compile(&cfg, "ssti")
                    .ok()
                    .flatten()
                    .expect("ssti compiles")
            };
            let (d, p) = (compile(false), compile(true));
            Box::new(move |v, row| {
                let d = if row["probes"].as_bool() == Some(true) {
                    &p
                } else {
                    &d
                };
                let ctx = ValueCtx::value(Surface::Query);
                d.detect(v.as_bytes(), &ctx)
                    .or_else(|| d.detect(&normalize(v.as_bytes()).bytes, &ctx))
            })
        },
    },
];

/// The surface named `name` in a fixture row.
fn surface(name: &str) -> Option<Surface> {
    [
        Surface::Path,
        Surface::Query,
        Surface::Cookie,
        Surface::Header,
        Surface::Form,
        Surface::Json,
        Surface::Multipart,
        Surface::Xml,
        Surface::Body,
    ]
    .into_iter()
    .find(|s| s.as_str() == name)
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// What [`check`] counted.
#[derive(Debug, Default)]
struct Counts {
    detect: usize,
    pass: usize,
}

/// Runs the detector on every row of `jsonl` and returns the counts, or
/// every row whose outcome differs (a miss, a false positive, another rule
/// than `rule`, a span out of order or, with `exact_spans`, past the end of
/// the value) and every malformed row.
fn check(runner: &Runner, jsonl: &str) -> Result<Counts, Vec<String>> {
    let detect = (runner.build)();
    let mut failures = Vec::new();
    let mut counts = Counts::default();
    for (i, line) in jsonl.lines().enumerate() {
        let at = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let row: Value = match serde_json::from_str(line) {
            Ok(row) => row,
            Err(e) => {
                failures.push(format!("line {at}: not JSON: {e}"));
                continue;
            }
        };
        let Some(fields) = row.as_object() else {
            failures.push(format!("line {at}: not an object"));
            continue;
        };
        let known = ["value", "expect", "rule", "note", "source"];
        for field in fields.keys() {
            if !known.contains(&field.as_str()) && !runner.extra_fields.contains(&field.as_str()) {
                failures.push(format!("line {at}: unknown field {field:?}"));
            }
        }
        let Some(value) = row["value"].as_str() else {
            failures.push(format!("line {at}: no string `value`"));
            continue;
        };
        let hit = detect(value, &row);
        let ok = match row["expect"].as_str() {
            Some("detect") => {
                counts.detect += 1;
                match (&hit, row["rule"].as_str()) {
                    (Some(h), Some(rule)) => h.rule == rule,
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            }
            Some("pass") => {
                counts.pass += 1;
                hit.is_none()
            }
            other => {
                failures.push(format!("line {at}: bad expect {other:?}"));
                continue;
            }
        };
        if !ok {
            let rule = row["rule"]
                .as_str()
                .map_or_else(String::new, |r| format!(" {r}"));
            failures.push(format!(
                "line {at}: {value:?} ({}) expected {}{rule}, got {hit:?}",
                row["note"].as_str().unwrap_or(""),
                row["expect"].as_str().unwrap_or("")
            ));
        }
        if let Some(h) = &hit {
            if h.start > h.end || (runner.exact_spans && h.end > value.len()) {
                failures.push(format!("line {at}: bad span {h:?} in {value:?}"));
            }
        }
    }
    if counts.detect < runner.min_detect
        || counts.pass < runner.min_pass
        || counts.detect + counts.pass < runner.min_rows
    {
        failures.push(format!(
            "only {} detect / {} pass rows (at least {} / {} and {} in all): empty or truncated?",
            counts.detect, counts.pass, runner.min_detect, runner.min_pass, runner.min_rows
        ));
    }
    if failures.is_empty() {
        Ok(counts)
    } else {
        Err(failures)
    }
}

/// The stems of the `*.jsonl` files in the fixture folder.
fn fixture_files() -> BTreeSet<String> {
    let dir = dir();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("jsonl"))
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect()
}

#[test]
fn every_fixture_file_passes_its_detector() {
    let files = fixture_files();
    let mut problems = Vec::new();
    for name in &files {
        if !RUNNERS.iter().any(|r| r.name == name) {
            problems.push(format!(
                "tests/fixtures/{name}.jsonl: no runner (add one to RUNNERS in tests/fixtures.rs)"
            ));
        }
    }
    for runner in RUNNERS {
        let path = dir().join(format!("{}.jsonl", runner.name));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("tests/fixtures/{}.jsonl: {e}", runner.name));
                continue;
            }
        };
        match check(runner, &text) {
            Ok(n) => println!("{}: {} detect, {} pass", runner.name, n.detect, n.pass),
            Err(rows) => {
                for row in rows {
                    problems.push(format!("tests/fixtures/{}.jsonl {row}", runner.name));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The runner table itself: one runner per name.
#[test]
fn runner_names_are_unique() {
    let names: BTreeSet<&str> = RUNNERS.iter().map(|r| r.name).collect();
    assert_eq!(names.len(), RUNNERS.len());
}
