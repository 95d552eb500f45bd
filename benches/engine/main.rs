//! Native benchmarks of the engine, out of the unit tests:
//!
//! ```text
//! cargo bench --bench engine                 # every default group
//! cargo bench --bench engine -- requests     # the groups whose name contains `requests`
//! cargo bench --bench engine -- --list       # the groups
//! ```
//!
//! Plain `std::time` measurement (CPU time of the thread where Linux
//! reports it), no benchmark framework: the numbers are for comparing two
//! builds on the same machine, as the old `#[ignore]` tests were.
//!
//! `harness = false` benches are also run by `cargo test --all-targets`,
//! in the debug test profile and without `--bench` (and `test = false` does
//! not stop that), so without `--bench` this binary only says how to run it
//! and returns: measuring belongs to `cargo bench`.
//!
//! Groups marked `explicit` (the corpus runs, long listings) run only when
//! a filter names them exactly. Environment: `RASP_CORPUS` (the corpus
//! folder, default `../shared/corpus` next to the repository),
//! `RASP_BENCH_JSON` (a JSON body), `RASP_BENCH_CONFIG` (a configuration
//! for `requests`), `RASP_BENCH_VALUES` and `RASP_TOP` (for `cmdi_values`).

mod adversarial;
mod corpus;
mod detectors;
mod docs;
mod measure;
mod parsers;
mod ratelimit;
mod requests;

use std::process::ExitCode;

/// One named benchmark.
struct Group {
    name: &'static str,
    /// Runs only when a filter equals its name.
    explicit: bool,
    run: fn() -> Result<(), String>,
}

const GROUPS: &[Group] = &[
    Group {
        name: "parsers",
        explicit: false,
        run: parsers::parsers,
    },
    Group {
        name: "json_only",
        explicit: false,
        run: parsers::json_only,
    },
    Group {
        name: "engine_bodies",
        explicit: false,
        run: parsers::engine_bodies,
    },
    Group {
        name: "requests",
        explicit: false,
        run: requests::requests,
    },
    Group {
        name: "values",
        explicit: false,
        run: requests::values,
    },
    Group {
        name: "detectors",
        explicit: false,
        run: requests::detectors,
    },
    Group {
        name: "detector_speed",
        explicit: false,
        run: detectors::detector_speed,
    },
    Group {
        name: "ssrf",
        explicit: false,
        run: detectors::ssrf,
    },
    Group {
        name: "xxe",
        explicit: false,
        run: detectors::xxe,
    },
    Group {
        name: "adversarial",
        explicit: false,
        run: adversarial::adversarial,
    },
    Group {
        name: "ratelimit",
        explicit: false,
        run: ratelimit::ratelimit,
    },
    Group {
        name: "cmdi_values",
        explicit: true,
        run: requests::cmdi_values,
    },
    Group {
        name: "corpus_ssrf",
        explicit: true,
        run: corpus::corpus_ssrf,
    },
    Group {
        name: "corpus_upload",
        explicit: true,
        run: corpus::corpus_upload,
    },
    Group {
        name: "corpus_xxe",
        explicit: true,
        run: corpus::corpus_xxe,
    },
];

fn selected(g: &Group, filters: &[String]) -> bool {
    if filters.is_empty() {
        return !g.explicit;
    }
    filters
        .iter()
        .any(|f| g.name == f || (!g.explicit && g.name.contains(f.as_str())))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("engine benches: run them with `cargo bench --bench engine [-- FILTER]`");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--list") {
        for g in GROUPS {
            println!("{}{}", g.name, if g.explicit { " (explicit)" } else { "" });
        }
        return ExitCode::SUCCESS;
    }
    let filters: Vec<String> = args.into_iter().filter(|a| !a.starts_with('-')).collect();
    let mut failed = false;
    let mut ran = 0;
    for g in GROUPS.iter().filter(|g| selected(g, &filters)) {
        ran += 1;
        println!("== {}", g.name);
        if let Err(e) = (g.run)() {
            eprintln!("{}: {e}", g.name);
            failed = true;
        }
    }
    if ran == 0 {
        eprintln!("no bench group matches {filters:?} (try `-- --list`)");
        failed = true;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
