//! `rasp-eval`: detection rate and false-positive rate over labelled
//! corpora (JSON lines `{"class": …, "value": …}`).
//!
//! Each value is placed where it naturally travels and run through the whole
//! engine (parsers, normalisation, detectors) with the given configuration:
//! `upload_filename` rows as the file name of a multipart upload, `xxe` and
//! `xml_other` rows as an XML body, rows with `zone: body_form` as a form
//! field, everything else as a GET query parameter. A row counts as flagged
//! when the engine reports any finding.
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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

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

/// Runs one row through the engine as a whole request.
fn run_row(engine: &Engine, row: &Row) -> Vec<Finding> {
    let value = row.value.as_bytes();
    let (head, body): (RequestHead, Option<Vec<u8>>) =
        match (row.class.as_str(), row.zone.as_deref()) {
            ("upload_filename", _) => {
                let boundary = "----raspEvalBoundary7MA4YWxkTrZu0gW";
                let mut b = Vec::new();
                b.extend_from_slice(
                    format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                )
                    .as_bytes(),
                );
                b.extend_from_slice(value);
                b.extend_from_slice(
                    b"\"\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\n",
                );
                b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
                let ct = format!("multipart/form-data; boundary={boundary}");
                (
                    RequestHead::new(
                        "POST",
                        "/upload",
                        vec![("content-type".into(), ct.into_bytes())],
                    ),
                    Some(b),
                )
            }
            ("xxe" | "xml_other", _) => (
                RequestHead::new(
                    "POST",
                    "/xml",
                    vec![("content-type".into(), b"application/xml".to_vec())],
                ),
                Some(value.to_vec()),
            ),
            (_, Some("body_form")) => {
                let body = format!("foo={}", pct_encode(value)).into_bytes();
                (
                    RequestHead::new(
                        "POST",
                        "/form",
                        vec![(
                            "content-type".into(),
                            b"application/x-www-form-urlencoded".to_vec(),
                        )],
                    ),
                    Some(body),
                )
            }
            _ => (
                RequestHead::new("GET", &format!("/eval?q={}", pct_encode(value)), vec![]),
                None,
            ),
        };
    let mut tx = engine.begin(head);
    let v = tx.on_headers(body.is_none());
    if v == Verdict::NeedBody {
        if let Some(b) = &body {
            tx.on_body(b);
        }
    }
    tx.findings().to_vec()
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

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut config: Option<String> = None;
    let mut json_out: Option<String> = None;
    let mut fp_show = 20usize;
    let mut misses: Option<String> = None;
    let mut limit = 50usize;
    let mut do_bench = false;
    let mut verdicts_out: Option<String> = None;
    let mut paths = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" => config = args.next(),
            "--json" => json_out = args.next(),
            "--fp" => fp_show = args.next().and_then(|s| s.parse().ok()).unwrap_or(20),
            "--misses" => misses = args.next(),
            "--limit" => limit = args.next().and_then(|s| s.parse().ok()).unwrap_or(50),
            "--bench" => do_bench = true,
            "--verdicts" => verdicts_out = args.next(),
            "-h" | "--help" => return usage(),
            _ if a.starts_with("--") => return usage(),
            _ => paths.push(a),
        }
    }
    if paths.is_empty() {
        return usage();
    }
    let cfg_bytes = match &config {
        Some(p) => match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("rasp-eval: {p}: {e}");
                return ExitCode::from(2);
            }
        },
        None => Vec::new(),
    };
    let engine = match Engine::from_json(&cfg_bytes) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("rasp-eval: {e}");
            return ExitCode::from(2);
        }
    };
    let rows = match load(&paths) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rasp-eval: {e}");
            return ExitCode::from(2);
        }
    };
    if do_bench {
        bench(&engine, &rows);
        return ExitCode::SUCCESS;
    }

    let start = Instant::now();
    // Per file and class; per subclass; union over files (dedup on value).
    let mut per_file: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut per_sub: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut union: BTreeMap<String, Tally> = BTreeMap::new();
    let mut union_single: BTreeMap<String, Tally> = BTreeMap::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut fps: Vec<(String, String, String)> = Vec::new();
    let mut miss_list: Vec<(String, String)> = Vec::new();
    let mut cache: HashMap<(String, String, Option<String>), Vec<Finding>> = HashMap::new();
    let mut fp_by_rule: BTreeMap<String, u64> = BTreeMap::new();
    let mut verdicts = String::new();

    for row in &rows {
        let key = (row.class.clone(), row.value.clone(), row.zone.clone());
        let findings = cache
            .entry(key)
            .or_insert_with(|| run_row(&engine, row))
            .clone();
        if verdicts_out.is_some() {
            let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
            verdicts.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                row.file,
                row.class,
                rules.join(","),
                row.value.escape_debug()
            ));
        }
        let flagged = !findings.is_empty();
        let is_typed = typed(&row.class, &findings);
        per_file
            .entry((row.file.clone(), row.class.clone()))
            .or_default()
            .add(flagged, is_typed);
        if let Some(sub) = &row.subclass {
            per_sub
                .entry((row.class.clone(), sub.clone()))
                .or_default()
                .add(flagged, is_typed);
        }
        if row.class == "benign" && flagged {
            let f = &findings[0];
            *fp_by_rule
                .entry(format!("{}/{}", f.attack.as_str(), f.rule))
                .or_default() += 1;
            fps.push((
                row.file.clone(),
                row.value.clone(),
                format!(
                    "{} {} ({}) at {}",
                    f.attack.as_str(),
                    f.rule,
                    f.reason,
                    f.location
                ),
            ));
        }
        if misses.as_deref() == Some(row.class.as_str()) && !flagged {
            miss_list.push((row.file.clone(), row.value.clone()));
        }
        if !seen.insert((row.class.clone(), row.value.clone())) {
            continue;
        }
        if row.placeholder {
            continue;
        }
        if row.single_token {
            union_single
                .entry(row.class.clone())
                .or_default()
                .add(flagged, is_typed);
        } else {
            union
                .entry(row.class.clone())
                .or_default()
                .add(flagged, is_typed);
        }
    }
    let elapsed = start.elapsed();

    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "# rasp-eval: {} rows in {:.2}s",
        rows.len(),
        elapsed.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "\n## Per file and class (flagged = any finding; typed = by the class's own detector)"
    );
    let _ = writeln!(
        out,
        "{:<28} {:<18} {:>7} {:>8} {:>8} {:>7}",
        "file", "class", "n", "flagged", "rate", "typed"
    );
    for ((file, class), t) in &per_file {
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
        if let Some(t) = union.get(*class) {
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
    for (class, t) in &union {
        if !is_main(class) {
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
    let _ = writeln!(
        out,
        "\n## single_token rows (ambiguous bare words, reported apart)"
    );
    for (class, t) in &union_single {
        let _ = writeln!(
            out,
            "{:<18} {:>7} {:>8} {:>7.2}%",
            class,
            t.n,
            t.flagged,
            t.rate()
        );
    }
    if !per_sub.is_empty() {
        let _ = writeln!(out, "\n## Per subclass");
        for ((class, sub), t) in &per_sub {
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
    let _ = writeln!(
        out,
        "\n## Benign false positives: {} (by rule: {:?})",
        fps.len(),
        fp_by_rule
    );
    for (file, value, why) in fps.iter().take(fp_show) {
        let v: String = value.chars().take(120).collect();
        let _ = writeln!(out, "  {file}: {v:?} -> {why}");
    }
    if let Some(c) = &misses {
        let _ = writeln!(out, "\n## Missed {c}: {} (first {limit})", miss_list.len());
        for (file, value) in miss_list.iter().take(limit) {
            let v: String = value.chars().take(160).collect();
            let _ = writeln!(out, "  {file}: {v:?}");
        }
    }

    if let Some(path) = verdicts_out {
        if let Err(e) = std::fs::write(&path, &verdicts) {
            eprintln!("rasp-eval: {path}: {e}");
            return ExitCode::from(2);
        }
    }

    if let Some(path) = json_out {
        let mut files = serde_json::Map::new();
        for ((file, class), t) in &per_file {
            let entry = files
                .entry(file.clone())
                .or_insert_with(|| serde_json::json!({}));
            entry[class] = t.json();
        }
        let summary = serde_json::json!({
            "rows": rows.len(),
            "files": files,
            "union": union.iter().map(|(k, t)| (k.clone(), t.json())).collect::<serde_json::Map<_, _>>(),
            "single_token": union_single.iter().map(|(k, t)| (k.clone(), t.json())).collect::<serde_json::Map<_, _>>(),
            "subclasses": per_sub.iter().map(|((c, s), t)| (format!("{c}/{s}"), t.json())).collect::<serde_json::Map<_, _>>(),
            "false_positives": fps.iter().map(|(f, v, w)| serde_json::json!({"file": f, "value": v, "why": w})).collect::<Vec<_>>(),
        });
        if let Err(e) = std::fs::write(
            &path,
            serde_json::to_vec_pretty(&summary).unwrap_or_default(),
        ) {
            eprintln!("rasp-eval: {path}: {e}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
