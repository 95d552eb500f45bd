//! `rasp-explain`: what would the filter do with this request, and why?
//!
//! Reads one raw HTTP/1.1 request (a file, or `-`/nothing for stdin), runs
//! it through the filter itself (the engine's `RequestFilter`, driven by the
//! in-memory `FakeHost` with the callbacks Envoy would make), and prints
//! every finding, limit violation, the verdict and the events.
//!
//! ```text
//! rasp-explain [--config cfg.json] [--json] [--as-is] [request.http | -]
//! rasp-explain [--config cfg.json] --check
//! rasp-explain --print-defaults
//! rasp-explain --print-schema
//! rasp-explain [--as-is] --diff old.json new.json request.http…
//! ```
//!
//! Exit status: 0 allowed, 1 blocked or rejected, 2 usage, request or
//! configuration error (configuration errors are printed as the filter logs
//! them: `envoy-rasp: invalid configuration: field `…`: …`).
//!
//! Like Envoy's HTTP connection manager, it turns `Host` into `:authority`
//! (not a header the filter counts) and adds `x-forwarded-proto: http` and
//! an `x-request-id` when they are missing, so header sizes match what the
//! filter sees; `--as-is` skips that.
#![warn(clippy::too_many_lines)]

#[path = "rasp-explain/diff.rs"]
mod diff;
#[path = "rasp-explain/schema.rs"]
mod schema;

use std::io::{Read, Write};
use std::process::ExitCode;

use envoy_rasp::engine::config::RawConfig;
use envoy_rasp::engine::detect::Finding;
use envoy_rasp::engine::filter::{FakeHost, RequestFilter};
use envoy_rasp::engine::http::parse_http1;
use envoy_rasp::engine::mode::Taken;
use envoy_rasp::engine::reply::Cause;
use envoy_rasp::engine::{Engine, LocalReply, Mode, RequestHead, Transaction};
use serde_json::{json, Value};

const USAGE: &str = "\
usage: rasp-explain [--config cfg.json] [--json] [--as-is] [request.http | -]
       rasp-explain [--config cfg.json] --check   (exit 1: an exclusion expired)
       rasp-explain --print-defaults | --print-schema
       rasp-explain [--as-is] --diff OLD.json NEW.json REQUEST.http...

Runs one raw HTTP/1.1 request (file, or stdin) through the envoy-rasp engine
and prints the findings, limit violations and the verdict.

  --config FILE     plugin configuration (JSON); default: {}
  --json            one machine-readable JSON object instead of text
  --as-is           do not add the headers Envoy adds (x-request-id, ...)
  --check           only validate the configuration
  --print-defaults  the full default configuration as JSON
  --print-schema    the JSON Schema of the configuration
  --diff OLD NEW    print the requests whose verdict changes from OLD to NEW
                    (exit 1 when any changes)

exit status: 0 allowed, 1 blocked or rejected, 2 usage/request/config error";

/// The request id used when the request has none (Envoy would generate a
/// UUID; this one has the same length).
const EXPLAIN_REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

struct Args {
    config: Option<String>,
    json: bool,
    as_is: bool,
    check: bool,
    request: Option<String>,
    /// `--diff OLD NEW`: the two configurations.
    diff: Option<(String, String)>,
    /// With `--diff`: every request file.
    requests: Vec<String>,
}

enum Cmd {
    Explain(Args),
    PrintDefaults,
    PrintSchema,
    Help,
}

fn parse_args() -> Result<Cmd, String> {
    let mut args = std::env::args().skip(1);
    let mut a = Args {
        config: None,
        json: false,
        as_is: false,
        check: false,
        request: None,
        diff: None,
        requests: Vec::new(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => {
                a.config = Some(args.next().ok_or("--config needs a file name")?);
            }
            "--json" => a.json = true,
            "--as-is" => a.as_is = true,
            "--check" => a.check = true,
            "--diff" => {
                let old = args.next().ok_or("--diff needs two configuration files")?;
                let new = args.next().ok_or("--diff needs two configuration files")?;
                a.diff = Some((old, new));
            }
            "--print-defaults" => return Ok(Cmd::PrintDefaults),
            "--print-schema" => return Ok(Cmd::PrintSchema),
            "-h" | "--help" => return Ok(Cmd::Help),
            "-" => a.request = Some(arg),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ if a.diff.is_some() => a.requests.push(arg),
            _ => {
                if a.request.is_some() {
                    return Err("only one request file".into());
                }
                a.request = Some(arg);
            }
        }
    }
    Ok(Cmd::Explain(a))
}

fn main() -> ExitCode {
    let cmd = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rasp-explain: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match cmd {
        Cmd::Help => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Cmd::PrintDefaults => match serde_json::to_string_pretty(&RawConfig::default()) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("rasp-explain: {e}");
                ExitCode::from(2)
            }
        },
        Cmd::PrintSchema => match schema::generate() {
            Ok((s, missing)) => {
                for m in missing {
                    eprintln!("rasp-explain: warning: field `{m}` has no description (add it to NOTES in src/bin/rasp-explain/schema.rs)");
                }
                println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("rasp-explain: cannot derive the schema: {e}");
                ExitCode::from(2)
            }
        },
        Cmd::Explain(a) => match &a.diff {
            Some((old, new)) => diff::diff(old, new, &a.requests, a.as_is),
            None => explain(&a),
        },
    }
}

fn load_engine(path: Option<&str>) -> Result<Engine, String> {
    let bytes = match path {
        Some(p) => std::fs::read(p).map_err(|e| format!("rasp-explain: {p}: {e}"))?,
        None => Vec::new(),
    };
    // The same message the filter logs from on_configure.
    Engine::from_json(&bytes).map_err(|e| format!("envoy-rasp: {e}"))
}

fn read_request(path: Option<&str>) -> Result<Vec<u8>, String> {
    match path {
        None | Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("rasp-explain: stdin: {e}"))?;
            Ok(buf)
        }
        Some(p) => std::fs::read(p).map_err(|e| format!("rasp-explain: {p}: {e}")),
    }
}

/// Envoy's connection manager turns `Host` into `:authority` and adds
/// `x-forwarded-proto` and `x-request-id` before any filter runs.
fn as_envoy_sees_it(head: &mut RequestHead) {
    head.headers.retain(|(k, _)| k != "host");
    if head.header("x-forwarded-proto").is_none() {
        head.headers
            .push(("x-forwarded-proto".into(), b"http".to_vec()));
    }
    if head.header("x-request-id").is_none() {
        head.headers.push((
            "x-request-id".into(),
            EXPLAIN_REQUEST_ID.as_bytes().to_vec(),
        ));
    }
}

/// What the filter did with one request: the filter (its transaction,
/// the reply it sent) and the fake proxy it ran against (the events).
struct Explained {
    filter: RequestFilter,
    host: FakeHost,
    body: Vec<u8>,
    mode: Mode,
}

impl Explained {
    /// Runs the request through the filter as Envoy would (one body chunk),
    /// from client 127.0.0.1:0, now.
    fn run(engine: &Engine, head: RequestHead, body: Vec<u8>) -> Explained {
        let mut host = FakeHost::with_request(head, "127.0.0.1:0");
        host.now_nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let mut filter = RequestFilter::new(engine.clone(), 1);
        host.run_request(&mut filter, &body, body.len());
        Explained {
            filter,
            host,
            body,
            mode: engine.config().mode,
        }
    }

    fn reply(&self) -> Option<&LocalReply> {
        self.filter.sent_reply()
    }

    /// `allowed`, `blocked` (an attack) or `rejected` (a limit).
    fn verdict(&self) -> &'static str {
        match self.reply() {
            None => "allowed",
            Some(r) if matches!(r.cause, Cause::Attack(_)) => "blocked",
            Some(_) => "rejected",
        }
    }
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "type": f.attack.as_str(),
        "rule": f.rule,
        "reason": f.reason,
        "location": f.location,
        "evidence": f.evidence,
        "action": f.taken.as_str(),
        "logged": f.log,
    })
}

fn explain(a: &Args) -> ExitCode {
    let engine = match load_engine(a.config.as_deref()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if a.check {
        return check(&engine);
    }
    let raw = match read_request(a.request.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let (mut head, body) = match parse_http1(&raw) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("rasp-explain: {e}");
            return ExitCode::from(2);
        }
    };
    if !a.as_is {
        as_envoy_sees_it(&mut head);
    }
    let ex = Explained::run(&engine, head, body);
    let Some(tx) = ex.filter.transaction() else {
        eprintln!("rasp-explain: the request head was not read");
        return ExitCode::from(2);
    };
    let code = if ex.reply().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if a.json {
        let out = json_report(&ex, tx);
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return code;
    }
    let mut o = String::new();
    text_report(&mut o, a, &ex, tx);
    let _ = std::io::stdout().write_all(o.as_bytes());
    code
}

/// `--check`: the configuration loaded; it still fails (exit 1) when an
/// exclusion is past its `expires` date, naming each, so CI catches what
/// the filter only warns about.
fn check(engine: &Engine) -> ExitCode {
    let c = engine.config();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let today = envoy_rasp::engine::profile::exclusion::day_of_nanos(now);
    let scopes = std::iter::once((String::new(), c))
        .chain(
            c.profiles
                .list
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("profiles[{i}].config."), p.config.as_ref())),
        )
        .chain(
            c.shadow
                .iter()
                .map(|s| ("shadow.config.".to_string(), s.config.as_ref())),
        );
    let mut expired = 0;
    for (at, cfg) in scopes {
        for (i, e) in cfg.exclusions.expired(today) {
            let date = e.expires.as_ref().map_or("", |(d, _)| d.as_str());
            eprintln!(
                "expired: field `{at}exclusions[{i}].expires`: {date} has passed \
                 (location {:?}, reason: {})",
                e.location_text, e.reason
            );
            expired += 1;
        }
    }
    println!(
        "configuration {}: mode={}, custom_rules={}, siem={}, exclusions={}, profiles={}, shadow={}",
        if expired > 0 { "loads, but exclusions expired" } else { "ok" },
        c.mode.as_str(),
        c.custom_rules.len(),
        if c.siem.is_some() { "on" } else { "off" },
        c.exclusions.entries().len(),
        c.profiles.list.len(),
        if c.shadow.is_some() { "on" } else { "off" }
    );
    if expired > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn json_report(ex: &Explained, tx: &Transaction) -> Value {
    let reply = ex.reply().map(|r| {
        json!({
            "status": r.status,
            "cause": r.cause.as_str(),
            "headers": r.headers,
            "body": String::from_utf8_lossy(&r.body),
        })
    });
    json!({
        "verdict": ex.verdict(),
        "status": ex.reply().map(|r| r.status),
        "mode": ex.mode.as_str(),
        "request": {
            "method": tx.head().method,
            "path": String::from_utf8_lossy(&tx.head().path),
            "header_bytes": tx.head().header_bytes(),
            "body_bytes": ex.body.len(),
        },
        "findings": tx.findings().iter().map(finding_json).collect::<Vec<_>>(),
        "violations": tx.violations().iter().map(|v| json!({
            "reason": v.cause.as_str(), "status": v.cause.limit_status(),
        })).collect::<Vec<_>>(),
        "allowlisted": tx.allowlisted(),
        "body_inspected": ex.filter.body_inspected(),
        "truncated": tx.truncated(),
        "inspected_bytes": tx.inspected_bytes(),
        "reply": reply,
        "events": ex.host.events
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|_| json!(l)))
            .collect::<Vec<Value>>(),
    })
}

fn text_report(o: &mut String, a: &Args, ex: &Explained, tx: &Transaction) {
    use std::fmt::Write as _;
    let (head, body, mode) = (tx.head(), &ex.body, ex.mode);
    let _ = writeln!(
        o,
        "request     {} {}",
        head.method,
        String::from_utf8_lossy(&head.path)
    );
    let _ = writeln!(
        o,
        "            {} header bytes, {} body bytes{}",
        head.header_bytes(),
        body.len(),
        head.content_type()
            .map(|c| format!(" ({})", String::from_utf8_lossy(c)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "config      {} ({} mode)",
        a.config.as_deref().unwrap_or("defaults"),
        mode.as_str()
    );
    if tx.allowlisted() {
        let _ = writeln!(o, "allowlist   path is allowlisted: not inspected");
    }
    let _ = writeln!(
        o,
        "inspected   {} bytes of values; body {}{}",
        tx.inspected_bytes(),
        if ex.filter.body_inspected() {
            "inspected"
        } else {
            "not inspected"
        },
        if tx.truncated() {
            " (only partly: over limits.max_inspect_bytes or limits.max_body_bytes)"
        } else {
            ""
        }
    );
    let findings = tx.findings();
    if findings.is_empty() {
        let _ = writeln!(o, "findings    none");
    } else {
        let _ = writeln!(o, "findings    {}", findings.len());
        for f in findings {
            let _ = writeln!(
                o,
                "  [{}] {}  rule={}  location={}",
                f.taken.as_str(),
                f.attack.as_str(),
                f.rule,
                f.location
            );
            let _ = writeln!(o, "        reason:   {}", f.reason);
            let _ = writeln!(o, "        evidence: {}", f.evidence);
        }
    }
    for v in tx.violations() {
        let _ = writeln!(
            o,
            "limit       {} (status {}){}",
            v.cause.as_str(),
            v.cause.limit_status(),
            if v.taken == Taken::Monitor {
                ", monitor mode: not enforced"
            } else {
                ""
            }
        );
    }
    match ex.reply() {
        None => {
            let would = findings.iter().any(|f| f.taken == Taken::Monitor)
                || (mode == Mode::Monitor && !tx.violations().is_empty());
            let _ = writeln!(
                o,
                "verdict     ALLOWED{}",
                if would {
                    " (monitor mode: block mode would have answered with a local reply)"
                } else {
                    ""
                }
            );
        }
        Some(r) => {
            let _ = writeln!(
                o,
                "verdict     {} {} ({})",
                ex.verdict().to_uppercase(),
                r.status,
                r.cause.as_str()
            );
            for (k, v) in &r.headers {
                let _ = writeln!(o, "            {k}: {v}");
            }
            if !r.body.is_empty() {
                let _ = writeln!(o, "            {}", String::from_utf8_lossy(&r.body));
            }
        }
    }
    if !ex.host.events.is_empty() {
        let _ = writeln!(o, "events      (logged by the filter, component wasm)");
        for e in &ex.host.events {
            let _ = writeln!(o, "  {e}");
        }
    }
}
