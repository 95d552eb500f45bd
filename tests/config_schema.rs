//! `schema/rasp-config.schema.json` stays in step with the parser.
//!
//! * the file is exactly what `rasp-explain --print-schema` derives from the
//!   code (regenerate with `make schema`), and every field has a
//!   description;
//! * its defaults are `RawConfig::default()` serialised, field for field,
//!   and every field the parser knows is in the schema and vice versa;
//! * every object says `additionalProperties: false` (the parser rejects
//!   unknown fields);
//! * every example configuration in the repository validates against the
//!   schema AND loads with `Config::from_json`;
//! * configurations the schema rejects (hand-written ones and mutations
//!   derived from the schema itself) are rejected by the parser too, and
//!   every stated minimum/maximum is exactly what `validate()` accepts;
//! * every field in README.md's configuration tables exists in the schema.
//!
//! The schema is looser than the parser in places it cannot express
//! (regular expressions must compile, rule ids are unique, header names are
//! tokens, `max_inspect_bytes <= max_body_bytes`): a configuration the
//! parser accepts always validates, not the other way round.
//!
//! No dependencies: a validator for the schema subset in use (type, enum,
//! minimum, maximum, properties, required, additionalProperties, items,
//! minItems, oneOf) and a reader for the YAML subset of the manifests live
//! here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use envoy_rasp::engine::config::{Config, RawConfig};
use serde_json::{json, Map, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join("schema/rasp-config.schema.json"))
        .expect("schema/rasp-config.schema.json (run `make schema`)");
    serde_json::from_str(&text).expect("schema is JSON")
}

// ---------------------------------------------------------------- validator

/// Keywords the validator implements or that carry no constraint.
const KNOWN: &[&str] = &[
    "$schema",
    "$id",
    "title",
    "description",
    "default",
    "type",
    "enum",
    "minimum",
    "maximum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "oneOf",
    "examples",
];

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        // serde reads integers only from JSON integers (not `1.0`).
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        other => panic!("unknown type {other}"),
    }
}

/// Appends one message per violation of `s` by `v` at `at`.
fn check(s: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    let s = s.as_object().expect("schema node is an object");
    for k in s.keys() {
        assert!(
            KNOWN.contains(&k.as_str()),
            "schema keyword {k} at {at} not understood by the validator"
        );
    }
    if let Some(t) = s.get("type") {
        let t = t.as_str().expect("type is a string");
        if !type_ok(t, v) {
            errs.push(format!("{at}: expected {t}, got {v}"));
            return;
        }
    }
    if let Some(e) = s.get("enum") {
        if !e.as_array().unwrap().contains(v) {
            errs.push(format!("{at}: {v} not one of {e}"));
        }
    }
    if let Some(m) = s.get("minimum") {
        if v.as_f64().unwrap() < m.as_f64().unwrap() {
            errs.push(format!("{at}: {v} < minimum {m}"));
        }
    }
    if let Some(m) = s.get("maximum") {
        if v.as_f64().unwrap() > m.as_f64().unwrap() {
            errs.push(format!("{at}: {v} > maximum {m}"));
        }
    }
    if let Some(Value::Object(props)) = s.get("properties") {
        let obj = v.as_object().unwrap();
        for (k, sub) in props {
            if let Some(x) = obj.get(k) {
                check(sub, x, &format!("{at}.{k}"), errs);
            }
        }
        if s.get("additionalProperties") == Some(&Value::Bool(false)) {
            for k in obj.keys() {
                if !props.contains_key(k) {
                    errs.push(format!("{at}: unknown field {k}"));
                }
            }
        }
    }
    if let Some(req) = s.get("required") {
        let obj = v.as_object().unwrap();
        for r in req.as_array().unwrap() {
            if !obj.contains_key(r.as_str().unwrap()) {
                errs.push(format!("{at}: missing required field {r}"));
            }
        }
    }
    if let Some(items) = s.get("items") {
        for (i, x) in v.as_array().unwrap().iter().enumerate() {
            check(items, x, &format!("{at}[{i}]"), errs);
        }
    }
    if let Some(m) = s.get("minItems") {
        if (v.as_array().unwrap().len() as u64) < m.as_u64().unwrap() {
            errs.push(format!("{at}: fewer than {m} items"));
        }
    }
    if let Some(branches) = s.get("oneOf") {
        let ok = branches
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| {
                let mut e = Vec::new();
                check(b, v, at, &mut e);
                e.is_empty()
            })
            .count();
        if ok != 1 {
            errs.push(format!("{at}: {v} matches {ok} branches of oneOf, not 1"));
        }
    }
}

fn schema_errors(doc: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    check(&schema(), doc, "$", &mut errs);
    errs
}

#[test]
fn validator_self_check() {
    let s = json!({"type": "object", "additionalProperties": false, "required": ["a"],
                   "properties": {"a": {"type": "integer", "minimum": 1, "maximum": 3},
                                  "b": {"oneOf": [{"type": "null"}, {"type": "string", "enum": ["x"]}]},
                                  "c": {"type": "array", "minItems": 1, "items": {"type": "boolean"}}}});
    let errs = |v: Value| {
        let mut e = Vec::new();
        check(&s, &v, "$", &mut e);
        e
    };
    assert!(errs(json!({"a": 2, "b": null, "c": [true]})).is_empty());
    assert!(errs(json!({"a": 2, "b": "x"})).is_empty());
    for bad in [
        json!({}),
        json!({"a": 0}),
        json!({"a": 4}),
        json!({"a": 1.5}),
        json!({"a": 1, "z": 1}),
        json!({"a": 1, "b": "y"}),
        json!({"a": 1, "b": 3}),
        json!({"a": 1, "c": []}),
        json!({"a": 1, "c": [1]}),
        json!([]),
    ] {
        assert!(!errs(bad.clone()).is_empty(), "{bad}");
    }
}

// ------------------------------------------------------------ schema walking

/// A minimal instance of the node: its default, else the smallest value
/// that satisfies it.
fn sample(s: &Value) -> Value {
    if let Some(e) = s.get("examples").and_then(|e| e.get(0)) {
        return e.clone();
    }
    if let Some(d) = s.get("default") {
        if !d.is_null() {
            return d.clone();
        }
    }
    if let Some(b) = s.get("oneOf") {
        let non_null = b
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["type"] != "null")
            .expect("a non-null branch");
        return sample(non_null);
    }
    match s["type"].as_str().unwrap() {
        "string" => s
            .get("enum")
            .and_then(|e| e.get(0))
            .cloned()
            .unwrap_or(json!("x")),
        "integer" => json!(s.get("minimum").and_then(Value::as_u64).unwrap_or(1).max(1)),
        "number" => json!(1.0),
        "boolean" => json!(true),
        "array" => {
            let n = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            Value::Array((0..n).map(|_| sample(&s["items"])).collect())
        }
        "object" => {
            let mut o = Map::new();
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let k = r.as_str().unwrap();
                o.insert(k.into(), sample(&s["properties"][k]));
            }
            // Fields whose default is not valid on its own (a rule's
            // path_prefix) carry an example: include them too.
            if let Some(Value::Object(props)) = s.get("properties") {
                for (k, p) in props {
                    if p.get("examples").is_some() && !o.contains_key(k) {
                        o.insert(k.clone(), sample(p));
                    }
                }
            }
            Value::Object(o)
        }
        t => panic!("no sample for {t}"),
    }
}

/// The non-null branch of a nullable node, or the node.
fn non_null(s: &Value) -> &Value {
    match s.get("oneOf") {
        Some(b) => b
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["type"] != "null")
            .unwrap(),
        None => s,
    }
}

type Setter = Rc<dyn Fn(Value) -> Value>;

/// One position in a configuration document.
struct Spot {
    /// `limits.max_depth`, `custom_rules[].id`.
    path: String,
    node: Value,
    /// The whole document with this position set to a value (its parents
    /// filled with minimal valid instances).
    set: Setter,
}

fn spots() -> Vec<Spot> {
    fn walk(path: String, node: &Value, set: Setter, out: &mut Vec<Spot>) {
        out.push(Spot {
            path: path.clone(),
            node: node.clone(),
            set: set.clone(),
        });
        let inner = non_null(node);
        if let Some(Value::Object(props)) = inner.get("properties") {
            let here = sample(inner);
            for (k, sub) in props {
                let here = here.clone();
                let parent = set.clone();
                let key = k.clone();
                let child: Setter = Rc::new(move |v| {
                    let mut o = here.as_object().unwrap().clone();
                    o.insert(key.clone(), v);
                    parent(Value::Object(o))
                });
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(p, sub, child, out);
            }
        }
        if let Some(items) = inner.get("items") {
            let parent = set.clone();
            let child: Setter = Rc::new(move |v| parent(json!([v])));
            walk(format!("{path}[]"), items, child, out);
        }
    }
    let mut out = Vec::new();
    walk(String::new(), &schema(), Rc::new(|v| v), &mut out);
    out
}

fn parser(doc: &Value) -> Result<Config, envoy_rasp::engine::ConfigErrors> {
    Config::from_json(doc.to_string().as_bytes())
}

// ------------------------------------------------------------------- tests

#[test]
fn schema_file_is_generated_from_the_code() {
    let out = Command::new(env!("CARGO_BIN_EXE_rasp-explain"))
        .arg("--print-schema")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        generated == schema(),
        "schema/rasp-config.schema.json is out of date with the parser: run `make schema` and review the diff"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.trim().is_empty(),
        "every field needs a description in NOTES (src/bin/rasp-explain/schema.rs):\n{stderr}"
    );
}

#[test]
fn every_field_is_described() {
    for s in spots() {
        assert!(
            s.node
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty()),
            "`{}` has no description",
            s.path
        );
    }
}

#[test]
fn defaults_are_the_parsers_defaults_field_for_field() {
    let defaults = serde_json::to_value(RawConfig::default()).unwrap();
    let s = schema();
    // Top level: the same fields, each with the parser's default.
    let props = s["properties"].as_object().unwrap();
    let fields = defaults.as_object().unwrap();
    let mut a: Vec<&String> = props.keys().collect();
    let mut b: Vec<&String> = fields.keys().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "top-level fields: schema vs RawConfig::default()");
    for (k, v) in fields {
        assert_eq!(props[k].get("default"), Some(v), "default of `{k}`");
    }
    // Every object, including those without a default (custom rules, the
    // siem section): fill it in minimally, let the parser complete it, and
    // compare fields and defaults.
    for spot in spots() {
        let inner = non_null(&spot.node);
        let Some(Value::Object(props)) = inner.get("properties") else {
            continue;
        };
        let mut instance = sample(inner).as_object().unwrap().clone();
        // Only the required fields: the parser supplies the rest.
        instance.retain(|k, _| {
            inner["required"]
                .as_array()
                .is_some_and(|r| r.contains(&json!(k)))
        });
        let doc = (spot.set)(Value::Object(instance));
        let raw = RawConfig::from_json(doc.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("`{}`: minimal instance rejected: {e}", spot.path));
        let round = serde_json::to_value(raw).unwrap();
        let here = value_at(&round, &spot.path);
        let mut a: Vec<&String> = props.keys().collect();
        let mut b: Vec<&String> = here.as_object().unwrap().keys().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "fields of `{}`: schema vs parser", spot.path);
        for (k, sub) in props {
            if let Some(d) = sub.get("default") {
                assert_eq!(&here[k], d, "default of `{}.{k}`", spot.path);
            }
        }
    }
}

/// The value at `path` (`a.b[].c`) in `doc` (arrays: their first item).
fn value_at(doc: &Value, path: &str) -> Value {
    let mut v = doc.clone();
    if path.is_empty() {
        return v;
    }
    for part in path.split('.') {
        let (key, items) = match part.find("[]") {
            Some(i) => (&part[..i], part[i..].matches("[]").count()),
            None => (part, 0),
        };
        if !key.is_empty() {
            v = v[key].clone();
        }
        for _ in 0..items {
            v = v[0].clone();
        }
    }
    v
}

#[test]
fn unknown_fields_are_rejected_everywhere() {
    for spot in spots() {
        let inner = non_null(&spot.node);
        if inner.get("type") != Some(&json!("object")) {
            continue;
        }
        assert_eq!(
            inner.get("additionalProperties"),
            Some(&json!(false)),
            "`{}` must reject unknown fields",
            spot.path
        );
        let mut o = sample(inner).as_object().unwrap().clone();
        o.insert("no_such_field".into(), json!(1));
        let doc = (spot.set)(Value::Object(o));
        assert!(!schema_errors(&doc).is_empty(), "schema accepts {doc}");
        assert!(parser(&doc).is_err(), "parser accepts {doc}");
    }
}

/// Reads the YAML subset the manifests use: block mappings and sequences,
/// JSON-style flow collections, plain and quoted scalars, comments, `---`.
mod yaml {
    use serde_json::{Map, Value};

    struct Line {
        indent: usize,
        text: String,
    }

    fn strip_comment(s: &str) -> &str {
        let (mut sq, mut dq) = (false, false);
        let b = s.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'\'' if !dq => sq = !sq,
                b'"' if !sq => dq = !dq,
                b'#' if !sq && !dq && (i == 0 || b[i - 1] == b' ') => return &s[..i],
                _ => {}
            }
        }
        s
    }

    fn scalar(s: &str) -> Value {
        let s = s.trim();
        if s.starts_with('"') || s.starts_with('[') || s.starts_with('{') {
            return serde_json::from_str(s).unwrap_or_else(|e| panic!("flow value {s}: {e}"));
        }
        if let Some(q) = s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
            return Value::String(q.replace("''", "'"));
        }
        assert!(
            !s.starts_with('|') && !s.starts_with('>'),
            "block scalars not supported"
        );
        match s {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" | "~" | "" => Value::Null,
            _ => {
                if let Ok(n) = s.parse::<u64>() {
                    return n.into();
                }
                if let Ok(n) = s.parse::<i64>() {
                    return n.into();
                }
                if let Ok(f) = s.parse::<f64>() {
                    return f.into();
                }
                Value::String(s.to_string())
            }
        }
    }

    /// `key: rest` (rest may be empty), when the line is a mapping entry.
    fn key_value(t: &str) -> Option<(String, &str)> {
        if t.starts_with('"') || t.starts_with('[') || t.starts_with('{') {
            return None;
        }
        let i = t
            .find(": ")
            .or_else(|| t.strip_suffix(':').map(|x| x.len()))?;
        let key = t[..i]
            .trim()
            .trim_matches('"')
            .trim_matches('\'')
            .to_string();
        Some((key, t.get(i + 1..).unwrap_or("").trim()))
    }

    fn block(lines: &mut Vec<Line>, i: &mut usize, indent: usize) -> Value {
        if lines[*i].text.starts_with("- ") || lines[*i].text == "-" {
            let mut seq = Vec::new();
            while *i < lines.len() && lines[*i].indent == indent && lines[*i].text.starts_with('-')
            {
                let rest = lines[*i].text[1..].trim_start().to_string();
                if rest.is_empty() {
                    *i += 1;
                    let ind = lines[*i].indent;
                    seq.push(block(lines, i, ind));
                } else if key_value(&rest).is_some() {
                    let ind = indent + (lines[*i].text.len() - rest.len());
                    lines[*i] = Line {
                        indent: ind,
                        text: rest,
                    };
                    seq.push(block(lines, i, ind));
                } else {
                    seq.push(scalar(&rest));
                    *i += 1;
                }
            }
            return Value::Array(seq);
        }
        let mut map = Map::new();
        while *i < lines.len() && lines[*i].indent == indent && !lines[*i].text.starts_with("- ") {
            let text = lines[*i].text.clone();
            let (k, rest) =
                key_value(&text).unwrap_or_else(|| panic!("not a mapping entry: {text}"));
            *i += 1;
            let v = if !rest.is_empty() {
                scalar(rest)
            } else if *i < lines.len()
                && (lines[*i].indent > indent
                    || (lines[*i].indent == indent && lines[*i].text.starts_with('-')))
            {
                let ind = lines[*i].indent;
                block(lines, i, ind)
            } else {
                Value::Null
            };
            map.insert(k, v);
        }
        Value::Object(map)
    }

    /// Every document of a YAML stream.
    pub fn parse_all(text: &str) -> Vec<Value> {
        let mut docs = Vec::new();
        for doc in text.split("\n---") {
            let mut lines: Vec<Line> = doc
                .lines()
                .filter(|l| !l.trim_start().starts_with("---"))
                .map(|l| strip_comment(l).trim_end())
                .filter(|l| !l.trim().is_empty())
                .map(|l| Line {
                    indent: l.len() - l.trim_start().len(),
                    text: l.trim_start().to_string(),
                })
                .collect();
            if lines.is_empty() {
                continue;
            }
            let mut i = 0;
            let ind = lines[0].indent;
            docs.push(block(&mut lines, &mut i, ind));
            assert_eq!(
                i,
                lines.len(),
                "unparsed YAML from line {:?}",
                lines.get(i).map(|l| &l.text)
            );
        }
        docs
    }
}

/// The JSON block after a `# @RASP_CONFIG` marker (as scripts/render-envoy.py
/// reads it).
fn marked_config(text: &str) -> Option<Value> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_end().ends_with("# @RASP_CONFIG"))?;
    let indent = lines[at].len() - lines[at].trim_start().len();
    let block: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .copied()
        .collect();
    Some(serde_json::from_str(&block.join("\n")).expect("JSON after # @RASP_CONFIG"))
}

fn files_under(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, ext, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| ext.contains(&x))
        {
            out.push(p);
        }
    }
}

/// Every plugin configuration in the repository, with where it came from.
fn example_configs() -> Vec<(String, Value)> {
    let r = root();
    let mut out = Vec::new();
    let rel = |p: &Path| p.strip_prefix(&r).unwrap_or(p).display().to_string();
    // Plain JSON files.
    let mut json_files = vec![r.join("envoy/rasp-config.json")];
    files_under(&r.join("examples"), &["json"], &mut json_files);
    files_under(&r.join("tests/requests"), &["json"], &mut json_files);
    for p in json_files {
        if p.file_name().unwrap().to_string_lossy().starts_with("bad-") {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", rel(&p)));
        out.push((rel(&p), v));
    }
    // Envoy configurations (and manifests embedding one) with the marker,
    // and Istio WasmPlugins' pluginConfig.
    let mut yamls = Vec::new();
    for d in ["envoy", "istio", "examples"] {
        files_under(&r.join(d), &["yaml", "yml"], &mut yamls);
    }
    for p in yamls {
        let text = std::fs::read_to_string(&p).unwrap();
        if let Some(v) = marked_config(&text) {
            out.push((format!("{} (@RASP_CONFIG)", rel(&p)), v));
        }
        if text.contains("kind: WasmPlugin") {
            for doc in yaml::parse_all(&text) {
                if doc["kind"] == "WasmPlugin" {
                    let v = doc["spec"]["pluginConfig"].clone();
                    assert!(
                        v.is_object(),
                        "{}: WasmPlugin without pluginConfig",
                        rel(&p)
                    );
                    out.push((format!("{} (pluginConfig)", rel(&p)), v));
                }
            }
        }
    }
    out
}

#[test]
fn every_example_config_validates_and_loads() {
    let all = example_configs();
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    for must in [
        "envoy/rasp-config.json",
        "envoy/envoy.yaml (@RASP_CONFIG)",
        "istio/wasmplugin.yaml (pluginConfig)",
    ] {
        assert!(names.contains(&must), "{must} not found among {names:?}");
    }
    for (name, doc) in &all {
        let errs = schema_errors(doc);
        assert!(
            errs.is_empty(),
            "{name} does not match the schema: {errs:?}"
        );
        if let Err(e) = parser(doc) {
            panic!("{name} does not load: {e}");
        }
    }
}

#[test]
fn yaml_reader_reads_the_wasmplugin() {
    let text = std::fs::read_to_string(root().join("istio/wasmplugin.yaml")).unwrap();
    let docs = yaml::parse_all(&text);
    let wp = docs.iter().find(|d| d["kind"] == "WasmPlugin").unwrap();
    assert_eq!(wp["apiVersion"], "extensions.istio.io/v1alpha1");
    assert_eq!(
        wp["spec"]["pluginConfig"]["limits"]["max_body_bytes"],
        10485760
    );
    assert_eq!(
        wp["spec"]["pluginConfig"]["inspect"]["headers"],
        json!(["user-agent", "referer"])
    );
    let t = yaml::parse_all("a:\n- x: 1\n  y: 'it''s'\n- 2\nb: {\"k\": [1]}  # c\n");
    assert_eq!(
        t[0],
        json!({"a": [{"x": 1, "y": "it's"}, 2], "b": {"k": [1]}})
    );
}

#[test]
fn hand_written_invalid_configs_are_rejected_by_both() {
    let cases = [
        json!([]),
        json!("block"),
        json!({"mdoe": "block"}),
        json!({"mode": "blocking"}),
        json!({"mode": null}),
        json!({"block": {"status_code": 99}}),
        json!({"block": {"status_code": 600}}),
        json!({"block": {"status_code": "403"}}),
        json!({"xss": {"action": "drop"}}),
        json!({"xss": {"acton": "log"}}),
        json!({"limits": {"max_body_bytes": 0}}),
        json!({"limits": {"max_body_bytes": -1}}),
        json!({"limits": {"max_depth": 1.5}}),
        json!({"limits": {"max_depth": 10001}}),
        json!({"limits": {"inspect_overflow": "truncate"}}),
        json!({"inspect": {"path": "yes"}}),
        json!({"inspect": {"headers": "user-agent"}}),
        json!({"events": {"max_findings": 65}}),
        json!({"custom_rules": {"id": "x"}}),
        json!({"custom_rules": [{"id": "x"}]}),
        json!({"custom_rules": [{"id": "x", "patterns": []}]}),
        json!({"custom_rules": [{"id": "x", "patterns": ["a"], "targets": ["nose"]}]}),
        json!({"custom_rules": [{"patterns": ["a"]}]}),
        json!({"siem": {}}),
        json!({"siem": "splunk"}),
        json!({"siem": {"cluster": "c", "format": "xml"}}),
        json!({"siem": {"cluster": "c", "batch_size": 0}}),
        json!({"siem": {"cluster": "c", "headers": {"authorization": "x"}}}),
        json!({"siem": {"cluster": "c", "headers": [{"name": "x"}]}}),
    ];
    for doc in cases {
        assert!(!schema_errors(&doc).is_empty(), "schema accepts {doc}");
        assert!(parser(&doc).is_err(), "parser accepts {doc}");
    }
}

/// `doc` with the value at the dotted `path` (objects only) set to `v`.
fn set_path(doc: &mut Value, path: &str, v: Value) {
    let mut at = doc;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        let obj = at.as_object_mut().expect("an object on the way");
        if parts.peek().is_none() {
            obj.insert(p.to_string(), v);
            return;
        }
        at = obj.entry(p.to_string()).or_insert(json!({}));
    }
}

#[test]
fn every_wrong_type_is_reported_at_once_with_its_path() {
    // Per top-level section: one document with a wrong type in every
    // scalar field (outside lists); then one document with a wrong field
    // in every section. Each must be reported, at its own path.
    let mut by_section: std::collections::BTreeMap<String, Vec<(String, Value)>> =
        Default::default();
    for spot in spots() {
        if spot.path.is_empty() || spot.path.contains("[]") {
            continue;
        }
        let wrong = match non_null(&spot.node)["type"].as_str() {
            Some("integer" | "boolean") => json!("x"),
            Some("string") => json!(7),
            _ => continue,
        };
        let section = spot.path.split('.').next().unwrap().to_string();
        by_section
            .entry(section)
            .or_default()
            .push((spot.path, wrong));
    }
    assert!(by_section.len() > 10, "{by_section:?}");
    let reported = |doc: &Value, paths: &[&str]| {
        let e = parser(doc).expect_err(&doc.to_string());
        let got: Vec<&str> = e.errors().iter().map(|e| e.field()).collect();
        for p in paths {
            assert!(got.contains(p), "{doc}: `{p}` not reported in: {e}");
        }
        for err in e.errors() {
            assert!(
                !err.message().contains(" u64") && !err.message().contains("u32"),
                "type names are said in words: {err}"
            );
        }
    };
    let mut all = json!({});
    let mut firsts = Vec::new();
    for fields in by_section.values() {
        let mut doc = json!({});
        for (path, v) in fields {
            set_path(&mut doc, path, v.clone());
        }
        let paths: Vec<&str> = fields.iter().map(|(p, _)| p.as_str()).collect();
        reported(&doc, &paths);
        let (p, v) = &fields[0];
        set_path(&mut all, p, v.clone());
        firsts.push(p.as_str());
    }
    reported(&all, &firsts);
}

/// Values of each JSON type, to put where another type is expected.
fn wrong_types() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(7),
        json!(1.5),
        json!("x"),
        json!({}),
    ]
}

#[test]
fn schema_derived_mutations_are_rejected_by_both() {
    let mut n = 0;
    for spot in spots() {
        if spot.path.is_empty() {
            continue;
        }
        let node = &spot.node;
        let inner = non_null(node);
        let mut bad: Vec<(String, Value)> = Vec::new();
        for w in wrong_types() {
            let mut e = Vec::new();
            check(node, &w, "$", &mut e);
            if !e.is_empty() {
                bad.push((format!("{w} for {}", spot.path), w));
            }
        }
        // (No `[]` for objects: serde also reads a struct from an array of
        // its field values, a quirk nobody relies on; see the module docs.)
        if inner.get("enum").is_some() {
            bad.push(("bogus enum".into(), json!("no-such-value")));
        }
        if let Some(m) = inner.get("minimum").and_then(Value::as_u64) {
            if m > 0 {
                bad.push((format!("below minimum of {}", spot.path), json!(m - 1)));
            } else {
                bad.push((format!("negative {}", spot.path), json!(-1)));
            }
        }
        if let Some(m) = inner.get("maximum").and_then(Value::as_u64) {
            bad.push((format!("above maximum of {}", spot.path), json!(m + 1)));
        }
        if inner.get("minItems").and_then(Value::as_u64) == Some(1) {
            bad.push((format!("empty {}", spot.path), json!([])));
        }
        if let Some(req) = inner.get("required").and_then(Value::as_array) {
            for r in req {
                let mut o = sample(inner).as_object().unwrap().clone();
                o.remove(r.as_str().unwrap());
                bad.push((format!("{} without {r}", spot.path), Value::Object(o)));
            }
        }
        for (what, v) in bad {
            let doc = (spot.set)(v);
            assert!(
                !schema_errors(&doc).is_empty(),
                "{what}: schema accepts {doc}"
            );
            assert!(
                parser(&doc).is_err(),
                "{what}: schema rejects but the parser accepts {doc}"
            );
            n += 1;
        }
    }
    assert!(n > 100, "only {n} mutations");
}

#[test]
fn ranges_are_exactly_what_validate_accepts() {
    // A boundary value loads, or fails on another (cross-field) check; one
    // past it fails on this field (or on its section, for serde's own range
    // errors).
    let names_this = |e: &envoy_rasp::engine::ConfigErrors, path: &str| {
        let f = e.field();
        let p = path.replace("[]", "[0]");
        f == p || p.starts_with(&format!("{f}.")) || p.starts_with(&format!("{f}["))
    };
    for spot in spots() {
        let inner = non_null(&spot.node);
        if inner.get("type") != Some(&json!("integer")) {
            continue;
        }
        // A rate-limit rule needs exactly one of its two rates, a
        // cross-field rule no per-field probe can satisfy for both; those
        // ranges are checked by `rate_limit_rule_ranges` below.
        if spot.path.starts_with("rate_limit.rules[].") {
            continue;
        }
        let mut bounds = Vec::new();
        if let Some(m) = inner.get("minimum").and_then(Value::as_u64) {
            bounds.push((m, m.checked_sub(1)));
        }
        if let Some(m) = inner.get("maximum").and_then(Value::as_u64) {
            bounds.push((m, Some(m + 1)));
        }
        for (edge, past) in bounds {
            let doc = (spot.set)(json!(edge));
            if let Err(e) = parser(&doc) {
                assert!(
                    !names_this(&e, &spot.path),
                    "`{}` = {edge} is within the schema's range but the parser rejects it: {e}",
                    spot.path
                );
            }
            if let Some(p) = past {
                let doc = (spot.set)(json!(p));
                match parser(&doc) {
                    Ok(_) => panic!(
                        "`{}` = {p} is outside the schema's range but loads",
                        spot.path
                    ),
                    Err(e) => assert!(names_this(&e, &spot.path), "`{}` = {p}: {e}", spot.path),
                }
            }
        }
    }
}

#[test]
fn rate_limit_rule_ranges() {
    let rule = |extra: Value| {
        let mut r = json!({"path_prefix": "/login", "requests_per_second": 5});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        json!({"rate_limit": {"rules": [r]}})
    };
    for ok in [
        json!({}),
        json!({"burst": 1}),
        json!({"requests_per_second": 1_000_000}),
    ] {
        parser(&rule(ok.clone())).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for (bad, field) in [
        (json!({"burst": 0}), "rate_limit.rules[0].burst"),
        (
            json!({"requests_per_second": 0}),
            "rate_limit.rules[0].requests_per_second",
        ),
        (
            json!({"requests_per_second": 1_000_001}),
            "rate_limit.rules[0].requests_per_second",
        ),
        (json!({"requests_per_minute": 10}), "rate_limit.rules[0]"),
    ] {
        let e = parser(&rule(bad.clone())).expect_err(&bad.to_string());
        assert!(e.field().starts_with(field), "{bad}: {e}");
    }
}

#[test]
fn readme_configuration_tables_name_real_fields() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Configuration reference")
        .nth(1)
        .expect("README has a Configuration reference section")
        .split("\n## ")
        .next()
        .unwrap();
    let paths: Vec<String> = spots().into_iter().map(|s| s.path).collect();
    let mut prefix = String::new();
    let mut seen = 0;
    for line in section.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            prefix = if h.trim().eq_ignore_ascii_case("custom rules") {
                "custom_rules[].".into()
            } else {
                String::new()
            };
            continue;
        }
        let Some(cell) = line.strip_prefix("| `") else {
            continue;
        };
        let field = cell.split('`').next().unwrap();
        let path = format!("{prefix}{field}");
        assert!(
            paths.contains(&path),
            "README documents `{path}`, which is not in the schema"
        );
        seen += 1;
    }
    assert!(seen > 20, "only {seen} README table rows found");
    // Tables elsewhere (e.g. the SIEM sink's under "Operating") that list
    // dotted configuration fields.
    let top: Vec<String> = schema()["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for line in readme.lines() {
        let Some(cell) = line.strip_prefix("| `") else {
            continue;
        };
        let field = cell.split('`').next().unwrap();
        let Some((first, _)) = field.split_once('.') else {
            continue;
        };
        if top.iter().any(|t| t == first) {
            assert!(
                paths.contains(&field.to_string()),
                "README documents `{field}`, which is not in the schema"
            );
        }
    }
}
