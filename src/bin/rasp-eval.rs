//! `rasp-eval`: detection rate and false-positive rate over labelled
//! corpora (JSON lines `{"class": …, "value": …}`).
//!
//! Each value is placed where it naturally travels and run through the whole
//! engine (parsers, normalisation, detectors) with the given configuration:
//! `upload_filename` rows as the file name of a multipart upload, `xxe` and
//! `xml_other` rows as an XML body, everything else by its `zone`:
//!
//! | zone | the request |
//! |---|---|
//! | none, `query` | `GET /eval?q=VALUE` |
//! | `query:NAME` | `GET /eval?NAME=VALUE` |
//! | `body_form` | a form body `foo=VALUE` |
//! | `body_json` | VALUE is the whole JSON body |
//! | `json:NAME` | a JSON body `{"NAME": VALUE}` |
//! | `body:CONTENT-TYPE` | VALUE is the whole body, of that type |
//! | `header:NAME` | `GET /eval` with header NAME: VALUE |
//! | `url` | VALUE is the request target (`/path?query`, as sent) |
//!
//! A row counts as flagged when the engine reports any finding. A benign
//! row whose request goes over a limit (URL length, `max_params`, …) is
//! reported apart, since a limit reply is not a detection.
//!
//! ```text
//! rasp-eval [--config cfg.json] [--json summary.json] [--fp N]
//!           [--misses CLASS] [--limit N] [--bench] [--verdicts out.tsv]
//!           FILE_OR_DIR...
//! ```
//!
//! `--verdicts` writes one line per row (file, class, the rules that fired,
//! the value): diff two runs to prove that a change (an optimisation) left
//! every verdict as it was.
#![warn(clippy::too_many_lines)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use envoy_rasp::engine::reply::Cause;
use envoy_rasp::engine::surface::Surface;
use envoy_rasp::engine::{AttackType, Engine, Finding, RequestHead, Verdict};

/// Main classes, with the detector that should catch them.
const MAIN: &[(&str, Option<AttackType>)] = &[
    ("sqli", Some(AttackType::SqlInjection)),
    ("xss", Some(AttackType::Xss)),
    ("cmdi", Some(AttackType::CommandInjection)),
    ("path_traversal", Some(AttackType::PathTraversal)),
    ("ssrf", Some(AttackType::Ssrf)),
    ("xxe", Some(AttackType::Xxe)),
    ("upload_filename", Some(AttackType::FileUpload)),
    ("ssti", Some(AttackType::Ssti)),
    ("nosqli", Some(AttackType::NosqlInjection)),
    ("ldap", Some(AttackType::LdapInjection)),
    ("crlf", Some(AttackType::HeaderInjection)),
    ("php_injection", Some(AttackType::PhpInjection)),
    ("java_injection", Some(AttackType::JavaInjection)),
    ("prototype_pollution", Some(AttackType::PrototypePollution)),
    ("benign", None),
];

fn is_main(class: &str) -> bool {
    MAIN.iter().any(|(c, _)| *c == class)
}

struct Row {
    file: String,
    class: String,
    subclass: Option<String>,
    value: String,
    zone: Option<String>,
    single_token: bool,
    placeholder: bool,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    n: u64,
    flagged: u64,
    typed: u64,
}

impl Tally {
    fn add(&mut self, flagged: bool, typed: bool) {
        self.n += 1;
        self.flagged += u64::from(flagged);
        self.typed += u64::from(typed);
    }
    fn rate(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            100.0 * self.flagged as f64 / self.n as f64
        }
    }
    fn json(&self) -> serde_json::Value {
        serde_json::json!({"n": self.n, "flagged": self.flagged, "typed": self.typed,
                           "rate": (self.rate() * 1000.0).round() / 1000.0})
    }
}

/// A bare word: a number, a file name (`single_token` when the row does not
/// say).
fn derived_single_token(v: &str) -> bool {
    !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

fn pct_encode(v: &[u8]) -> String {
    let mut s = String::with_capacity(v.len() * 3);
    for &b in v {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// A request with `value` as the body, sent with `content_type`.
fn post(path: &str, content_type: &str, body: Vec<u8>) -> (RequestHead, Option<Vec<u8>>) {
    (
        RequestHead::new(
            "POST",
            path,
            vec![("content-type".into(), content_type.as_bytes().to_vec())],
        ),
        Some(body),
    )
}

/// Where a row travels: its class or `zone` picks the request (see the
/// module docs for the zones).
fn place(row: &Row) -> (RequestHead, Option<Vec<u8>>) {
    let value = row.value.as_bytes();
    let zone = row.zone.as_deref().unwrap_or("query");
    // `zone` is `kind` or `kind:name` (a field, parameter or header name,
    // or a content type).
    let (kind, name) = match zone.split_once(':') {
        Some((k, n)) => (k, Some(n)),
        None => (zone, None),
    };
    match (row.class.as_str(), kind, name) {
        ("upload_filename", _, _) => {
            let boundary = "----raspEvalBoundary7MA4YWxkTrZu0gW";
            let mut b = Vec::new();
            b.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                )
                .as_bytes(),
            );
            b.extend_from_slice(value);
            b.extend_from_slice(b"\"\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\n");
            b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            let ct = format!("multipart/form-data; boundary={boundary}");
            post("/upload", &ct, b)
        }
        ("xxe" | "xml_other", _, _) => post("/xml", "application/xml", value.to_vec()),
        (_, "body_form", _) => post(
            "/form",
            "application/x-www-form-urlencoded",
            format!("foo={}", pct_encode(value)).into_bytes(),
        ),
        (_, "body_json", None) => post("/json", "application/json", value.to_vec()),
        (_, "json", Some(field)) => {
            let doc = serde_json::json!({ field: row.value });
            post("/json", "application/json", doc.to_string().into_bytes())
        }
        (_, "body", Some(ct)) => post("/body", ct, value.to_vec()),
        (_, "header", Some(h)) => (
            RequestHead::new("GET", "/eval", vec![(h.into(), value.to_vec())]),
            None,
        ),
        (_, "url", None) => (RequestHead::new("GET", &row.value, vec![]), None),
        (_, kind, name) => {
            let name = match (kind, name) {
                ("query", Some(n)) => pct_encode(n.as_bytes()),
                _ => "q".to_string(),
            };
            let path = format!("/eval?{name}={}", pct_encode(value));
            (RequestHead::new("GET", &path, vec![]), None)
        }
    }
}

/// Runs one row through the engine as a whole request: the findings, and
/// the limits the request went over (reported apart: a limit is not a
/// detection).
fn run_row(engine: &Engine, row: &Row) -> (Vec<Finding>, Vec<Cause>) {
    let (head, body) = place(row);
    let mut tx = engine.begin(head);
    let v = tx.on_headers(body.is_none());
    if v == Verdict::NeedBody {
        if let Some(b) = &body {
            tx.on_body(b);
        }
    }
    let limits = tx.violations().iter().map(|v| v.cause).collect();
    (tx.findings().to_vec(), limits)
}

fn load(paths: &[String]) -> Result<Vec<Row>, String> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("{p}: {e}"))?;
        if meta.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(p)
                .map_err(|e| format!("{p}: {e}"))?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect();
            entries.sort();
            files.extend(entries.into_iter().map(|p| p.display().to_string()));
        } else {
            files.push(p.clone());
        }
    }
    let mut rows = Vec::new();
    for f in files {
        let name = std::path::Path::new(&f)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| f.clone());
        let file = std::fs::File::open(&f).map_err(|e| format!("{f}: {e}"))?;
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("{f}:{}: {e}", i + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(&line).map_err(|e| format!("{f}:{}: {e}", i + 1))?;
            let (Some(class), Some(value)) = (v["class"].as_str(), v["value"].as_str()) else {
                continue; // whole-request rows (crs_requests) have no value
            };
            // A file name is the whole payload of an upload row, so only an
            // explicit flag makes one "single token" there.
            let single_token = match v.get("single_token").and_then(|s| s.as_bool()) {
                Some(b) => b,
                None => class != "upload_filename" && derived_single_token(value),
            };
            rows.push(Row {
                file: name.clone(),
                class: class.to_string(),
                subclass: v["subclass"].as_str().map(str::to_string),
                value: value.to_string(),
                zone: v["zone"].as_str().map(str::to_string),
                single_token,
                placeholder: value.contains("{file}"),
            });
        }
    }
    Ok(rows)
}

fn typed(class: &str, findings: &[Finding]) -> bool {
    match MAIN.iter().find(|(c, _)| *c == class) {
        Some((_, Some(t))) => findings.iter().any(|f| f.attack == *t),
        _ => !findings.is_empty(),
    }
}

fn bench(engine: &Engine, rows: &[Row]) {
    for (label, want_benign) in [("benign", true), ("attack", false)] {
        let values: Vec<&[u8]> = rows
            .iter()
            .filter(|r| (r.class == "benign") == want_benign && is_main(&r.class))
            .map(|r| r.value.as_bytes())
            .collect();
        let bytes: usize = values.iter().map(|v| v.len()).sum();
        if values.is_empty() {
            continue;
        }
        // Warm up, then run for at least a second.
        let mut flagged = 0usize;
        for v in &values {
            flagged += usize::from(!engine.inspect_value(Surface::Query, v).is_empty());
        }
        let start = Instant::now();
        let mut rounds = 0u32;
        while start.elapsed().as_secs_f64() < 1.0 || rounds < 3 {
            for v in &values {
                std::hint::black_box(engine.inspect_value(Surface::Query, v));
            }
            rounds += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let n = values.len() as f64 * f64::from(rounds);
        let mb = bytes as f64 * f64::from(rounds) / 1e6;
        println!(
            "engine {label:>6}: {:>9} values ({:.2} MB), {:>10.0} values/s, {:>8.1} MB/s, flagged {}",
            values.len(),
            bytes as f64 / 1e6,
            n / secs,
            mb / secs,
            flagged
        );
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: rasp-eval [--config cfg.json] [--json out.json] [--fp N] [--misses CLASS] [--limit N] [--bench] [--verdicts out.tsv] FILE_OR_DIR..."
    );
    ExitCode::from(2)
}

/// The command line.
struct Args {
    config: Option<String>,
    json_out: Option<String>,
    fp_show: usize,
    misses: Option<String>,
    limit: usize,
    bench: bool,
    verdicts_out: Option<String>,
    paths: Vec<String>,
}

/// Reads the command line; `Err` is the exit code after printing usage.
fn parse_args() -> Result<Args, ExitCode> {
    let mut args = std::env::args().skip(1);
    let mut out = Args {
        config: None,
        json_out: None,
        fp_show: 20,
        misses: None,
        limit: 50,
        bench: false,
        verdicts_out: None,
        paths: Vec::new(),
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" => out.config = args.next(),
            "--json" => out.json_out = args.next(),
            "--fp" => out.fp_show = args.next().and_then(|s| s.parse().ok()).unwrap_or(20),
            "--misses" => out.misses = args.next(),
            "--limit" => out.limit = args.next().and_then(|s| s.parse().ok()).unwrap_or(50),
            "--bench" => out.bench = true,
            "--verdicts" => out.verdicts_out = args.next(),
            "-h" | "--help" => return Err(usage()),
            _ if a.starts_with("--") => return Err(usage()),
            _ => out.paths.push(a),
        }
    }
    if out.paths.is_empty() {
        return Err(usage());
    }
    Ok(out)
}

/// Prints an error and gives the exit code for a bad input or output.
fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("rasp-eval: {msg}");
    ExitCode::from(2)
}

/// The engine, from the `--config` file or the default configuration.
fn load_engine(config: Option<&str>) -> Result<Engine, ExitCode> {
    let cfg_bytes = match config {
        Some(p) => std::fs::read(p).map_err(|e| fail(format_args!("{p}: {e}")))?,
        None => Vec::new(),
    };
    Engine::from_json(&cfg_bytes).map_err(fail)
}

/// What the engine did with one row's request.
type Outcome = (Vec<Finding>, Vec<Cause>);

/// Everything counted over the rows, for the text and JSON reports.
#[derive(Default)]
struct Report {
    /// Per file and class.
    per_file: BTreeMap<(String, String), Tally>,
    /// Per class and subclass.
    per_sub: BTreeMap<(String, String), Tally>,
    /// Union over files, deduplicated on value.
    union: BTreeMap<String, Tally>,
    union_single: BTreeMap<String, Tally>,
    /// (class, value) pairs already counted in a union.
    seen: HashSet<(String, String)>,
    /// Benign rows flagged: file, value, why.
    fps: Vec<(String, String, String)>,
    fp_by_rule: BTreeMap<String, u64>,
    /// Rows of the `--misses` class that were not flagged.
    miss_list: Vec<(String, String)>,
    /// Benign rows whose request went over a limit (a 413/414/431/400
    /// reply), per file (rows, over), and the rows themselves.
    limited: BTreeMap<String, (u64, u64)>,
    limit_rows: Vec<(String, String, String)>,
    /// The `--verdicts` lines.
    verdicts: String,
}

impl Report {
    /// Counts one row and what the engine did with it.
    fn record(&mut self, args: &Args, row: &Row, (findings, causes): &Outcome) {
        if row.class == "benign" {
            let e = self.limited.entry(row.file.clone()).or_default();
            e.0 += 1;
            if !causes.is_empty() {
                e.1 += 1;
                let names: Vec<&str> = causes.iter().map(|c| c.as_str()).collect();
                self.limit_rows
                    .push((row.file.clone(), row.value.clone(), names.join(",")));
            }
        }
        if args.verdicts_out.is_some() {
            let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
            self.verdicts.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                row.file,
                row.class,
                rules.join(","),
                row.value.escape_debug()
            ));
        }
        let flagged = !findings.is_empty();
        let is_typed = typed(&row.class, findings);
        self.per_file
            .entry((row.file.clone(), row.class.clone()))
            .or_default()
            .add(flagged, is_typed);
        if let Some(sub) = &row.subclass {
            self.per_sub
                .entry((row.class.clone(), sub.clone()))
                .or_default()
                .add(flagged, is_typed);
        }
        if row.class == "benign" {
            if let Some(f) = findings.first() {
                self.false_positive(row, f);
            }
        }
        if args.misses.as_deref() == Some(row.class.as_str()) && !flagged {
            self.miss_list.push((row.file.clone(), row.value.clone()));
        }
        if !self.seen.insert((row.class.clone(), row.value.clone())) || row.placeholder {
            return;
        }
        let union = if row.single_token {
            &mut self.union_single
        } else {
            &mut self.union
        };
        union
            .entry(row.class.clone())
            .or_default()
            .add(flagged, is_typed);
    }

    /// A benign row flagged, by its first finding.
    fn false_positive(&mut self, row: &Row, f: &Finding) {
        *self
            .fp_by_rule
            .entry(format!("{}/{}", f.attack.as_str(), f.rule))
            .or_default() += 1;
        self.fps.push((
            row.file.clone(),
            row.value.clone(),
            format!(
                "{} {} ({}) at {} [{}]",
                f.attack.as_str(),
                f.rule,
                f.reason,
                f.location,
                f.evidence
            ),
        ));
    }
}

/// Runs every row through the engine (identical rows once) and counts.
fn evaluate(engine: &Engine, rows: &[Row], args: &Args) -> Report {
    let mut report = Report::default();
    let mut cache: HashMap<(String, String, Option<String>), Outcome> = HashMap::new();
    for row in rows {
        let key = (row.class.clone(), row.value.clone(), row.zone.clone());
        let outcome = cache.entry(key).or_insert_with(|| run_row(engine, row));
        report.record(args, row, outcome);
    }
    report
}

/// The rate tables: per file, the union per main class, other classes,
/// single-token rows, subclasses.
fn print_tables(out: &mut impl Write, r: &Report) {
    let _ = writeln!(
        out,
        "\n## Per file and class (flagged = any finding; typed = by the class's own detector)"
    );
    let _ = writeln!(
        out,
        "{:<28} {:<18} {:>7} {:>8} {:>8} {:>7}",
        "file", "class", "n", "flagged", "rate", "typed"
    );
    for ((file, class), t) in &r.per_file {
        let _ = writeln!(
            out,
            "{:<28} {:<18} {:>7} {:>8} {:>7.2}% {:>7}",
            file,
            class,
            t.n,
            t.flagged,
            t.rate(),
            t.typed
        );
    }
    let _ = writeln!(out, "\n## Union of all files, deduplicated on value; single_token rows and {{file}} placeholders excluded");
    let _ = writeln!(
        out,
        "{:<18} {:>7} {:>8} {:>8} {:>7}",
        "class", "n", "flagged", "rate", "typed"
    );
    for (class, _) in MAIN {
        if let Some(t) = r.union.get(*class) {
            let _ = writeln!(
                out,
                "{:<18} {:>7} {:>8} {:>7.2}% {:>7}",
                class,
                t.n,
                t.flagged,
                t.rate(),
                t.typed
            );
        }
    }
    let _ = writeln!(out, "\n## Other classes (out of scope, reported apart)");
    let others = r.union.iter().filter(|(class, _)| !is_main(class));
    print_rates(out, others);
    let _ = writeln!(
        out,
        "\n## single_token rows (ambiguous bare words, reported apart)"
    );
    print_rates(out, r.union_single.iter());
    if !r.per_sub.is_empty() {
        let _ = writeln!(out, "\n## Per subclass");
        for ((class, sub), t) in &r.per_sub {
            let _ = writeln!(
                out,
                "{:<16} {:<48} {:>6} {:>6} {:>7.2}%",
                class,
                sub,
                t.n,
                t.flagged,
                t.rate()
            );
        }
    }
}

/// One `class n flagged rate` line per class.
fn print_rates<'a>(out: &mut impl Write, rows: impl Iterator<Item = (&'a String, &'a Tally)>) {
    for (class, t) in rows {
        let _ = writeln!(
            out,
            "{:<18} {:>7} {:>8} {:>7.2}%",
            class,
            t.n,
            t.flagged,
            t.rate()
        );
    }
}

/// The row lists: false positives, rows over a limit, misses.
fn print_lists(out: &mut impl Write, r: &Report, args: &Args) {
    let _ = writeln!(
        out,
        "\n## Benign false positives: {} (by rule: {:?})",
        r.fps.len(),
        r.fp_by_rule
    );
    for (file, value, why) in r.fps.iter().take(args.fp_show) {
        let v: String = value.chars().take(120).collect();
        let _ = writeln!(out, "  {file}: {v:?} -> {why}");
    }
    if !r.limit_rows.is_empty() {
        let _ = writeln!(
            out,
            "\n## Benign rows over a limit (a limit reply, not a detection): {}",
            r.limit_rows.len()
        );
        for (file, (n, over)) in &r.limited {
            if *over > 0 {
                let rate = 100.0 * *over as f64 / *n as f64;
                let _ = writeln!(out, "{file:<28} {n:>7} {over:>8} {rate:>7.2}%");
            }
        }
        for (file, value, why) in r.limit_rows.iter().take(args.fp_show) {
            let v: String = value.chars().take(120).collect();
            let _ = writeln!(out, "  {file}: {v:?} -> {why}");
        }
    }
    if let Some(c) = &args.misses {
        let limit = args.limit;
        let _ = writeln!(
            out,
            "\n## Missed {c}: {} (first {limit})",
            r.miss_list.len()
        );
        for (file, value) in r.miss_list.iter().take(limit) {
            let v: String = value.chars().take(160).collect();
            let _ = writeln!(out, "  {file}: {v:?}");
        }
    }
}

/// The `--json` summary.
fn json_summary(rows: usize, r: &Report) -> serde_json::Value {
    let mut files = serde_json::Map::new();
    for ((file, class), t) in &r.per_file {
        let entry = files
            .entry(file.clone())
            .or_insert_with(|| serde_json::json!({}));
        entry[class] = t.json();
    }
    serde_json::json!({
        "rows": rows,
        "files": files,
        "union": r.union.iter().map(|(k, t)| (k.clone(), t.json())).collect::<serde_json::Map<_, _>>(),
        "single_token": r.union_single.iter().map(|(k, t)| (k.clone(), t.json())).collect::<serde_json::Map<_, _>>(),
        "subclasses": r.per_sub.iter().map(|((c, s), t)| (format!("{c}/{s}"), t.json())).collect::<serde_json::Map<_, _>>(),
        "over_limits": r.limited.iter().map(|(f, (n, over))| (f.clone(), serde_json::json!({"n": n, "over": over}))).collect::<serde_json::Map<_, _>>(),
        "false_positives": r.fps.iter().map(|(f, v, w)| serde_json::json!({"file": f, "value": v, "why": w})).collect::<Vec<_>>(),
    })
}

/// Writes the `--verdicts` and `--json` files that were asked for.
fn write_outputs(args: &Args, rows: usize, r: &Report) -> Result<(), ExitCode> {
    if let Some(path) = &args.verdicts_out {
        std::fs::write(path, &r.verdicts).map_err(|e| fail(format_args!("{path}: {e}")))?;
    }
    if let Some(path) = &args.json_out {
        let summary = json_summary(rows, r);
        std::fs::write(
            path,
            serde_json::to_vec_pretty(&summary).unwrap_or_default(),
        )
        .map_err(|e| fail(format_args!("{path}: {e}")))?;
    }
    Ok(())
}

/// Parses the arguments, loads the engine and the rows, then benchmarks
/// or evaluates and reports.
fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(code) => return code,
    };
    let engine = match load_engine(args.config.as_deref()) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let rows = match load(&args.paths) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if args.bench {
        bench(&engine, &rows);
        return ExitCode::SUCCESS;
    }
    let start = Instant::now();
    let report = evaluate(&engine, &rows, &args);
    let elapsed = start.elapsed();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "# rasp-eval: {} rows in {:.2}s",
            rows.len(),
            elapsed.as_secs_f64()
        );
        print_tables(&mut out, &report);
        print_lists(&mut out, &report, &args);
    }
    match write_outputs(&args, rows.len(), &report) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(zone: &str, value: &str) -> Row {
        Row {
            file: "t.jsonl".into(),
            class: "benign".into(),
            subclass: None,
            value: value.into(),
            zone: (!zone.is_empty()).then(|| zone.to_string()),
            single_token: false,
            placeholder: false,
        }
    }

    fn placed(zone: &str, value: &str) -> (String, String, Vec<(String, String)>, String) {
        let (head, body) = place(&row(zone, value));
        let headers = head
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect();
        (
            head.method,
            String::from_utf8_lossy(&head.path).into_owned(),
            headers,
            String::from_utf8_lossy(&body.unwrap_or_default()).into_owned(),
        )
    }

    #[test]
    fn each_zone_places_the_value_where_it_travels() {
        assert_eq!(placed("", "a b").1, "/eval?q=a%20b");
        assert_eq!(placed("query", "a").1, "/eval?q=a");
        assert_eq!(placed("query:utm source", "x").1, "/eval?utm%20source=x");
        assert_eq!(placed("unknown:zone", "x").1, "/eval?q=x");
        assert_eq!(placed("body_form", "a&b").3, "foo=a%26b");
        let (m, _, h, b) = placed("body_json", r#"{"a":1}"#);
        assert_eq!((m.as_str(), b.as_str()), ("POST", r#"{"a":1}"#));
        assert_eq!(h, vec![("content-type".into(), "application/json".into())]);
        assert_eq!(
            placed("json:comment", "say \"hi\"").3,
            r#"{"comment":"say \"hi\""}"#
        );
        let (_, _, h, b) = placed("body:text/plain;charset=UTF-8", "x=1");
        assert_eq!(b, "x=1");
        assert_eq!(h[0].1, "text/plain;charset=UTF-8");
        let (m, p, h, b) = placed("header:referer", "https://a.example/?x=1");
        assert_eq!((m.as_str(), p.as_str(), b.as_str()), ("GET", "/eval", ""));
        assert_eq!(h, vec![("referer".into(), "https://a.example/?x=1".into())]);
        assert_eq!(placed("url", "/a/b?c=d&e=f").1, "/a/b?c=d&e=f");
    }

    #[test]
    fn findings_carry_the_zone_location_and_limits_come_apart() {
        let engine = Engine::from_json(b"").expect("default config");
        let (f, _) = run_row(&engine, &row("header:referer", "<script>alert(1)</script>"));
        assert!(f.iter().any(|f| f.location == "header:referer"), "{f:?}");
        let long = format!("/a?x={}", "b".repeat(100_000));
        let (_, causes) = run_row(&engine, &row("url", &long));
        assert_eq!(causes, vec![Cause::UrlTooLong]);
    }
}
