//! The labelled development corpora (`RASP_CORPUS`, default
//! `../shared/corpus` next to the repository) and the per-detector corpus
//! runs: `corpus_ssrf`, `corpus_upload`, `corpus_xxe` print per-class
//! counts (rows, flagged) and the misses and false positives worth a look.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use envoy_rasp::engine::detect::{ssrf, upload, xxe, ValueCtx};
use envoy_rasp::engine::surface::{FilePart, Surface};
use envoy_rasp::testing::corpus_dir;

/// One labelled row.
pub struct Row {
    pub class: String,
    pub subclass: String,
    pub value: String,
}

/// The corpus folder, or why there is none.
fn dir() -> Result<PathBuf, String> {
    let dir = corpus_dir();
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "no corpus folder at {} (set RASP_CORPUS)",
            dir.display()
        ))
    }
}

fn read(path: &std::path::Path, out: &mut Vec<Row>) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        if let (Some(class), Some(value)) = (v["class"].as_str(), v["value"].as_str()) {
            out.push(Row {
                class: class.to_string(),
                subclass: v["subclass"].as_str().unwrap_or("").to_string(),
                value: value.to_string(),
            });
        }
    }
    Ok(())
}

/// Every row of every `*.jsonl` file of the corpus folder.
pub fn all_rows() -> Result<Vec<Row>, String> {
    let dir = dir()?;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("jsonl"))
        .collect();
    paths.sort();
    let mut rows = Vec::new();
    for p in paths {
        read(&p, &mut rows)?;
    }
    Ok(rows)
}

/// The benign values of the parameter corpora (the realistic traffic the
/// throughput benches run over).
pub fn benign_values() -> Result<Vec<String>, String> {
    let dir = dir()?;
    let mut rows = Vec::new();
    for f in ["httpparams", "libinjection", "gotestwaf_benign"] {
        read(&dir.join(format!("{f}.jsonl")), &mut rows)?;
    }
    Ok(rows
        .into_iter()
        .filter(|r| r.class == "benign")
        .map(|r| r.value)
        .collect())
}

/// Rows and flagged rows per key, printed as a table.
#[derive(Default)]
struct Tally(BTreeMap<String, (u32, u32)>);

impl Tally {
    fn add(&mut self, key: String, flagged: bool) {
        let e = self.0.entry(key).or_default();
        e.0 += 1;
        e.1 += u32::from(flagged);
    }
    fn print(&self, width: usize) {
        for (k, (n, f)) in &self.0 {
            println!("{k:width$} {n:6} {f:6}");
        }
    }
}

/// Every corpus row through the SSRF detector as a query value: counts per
/// class/subclass, the flagged rows of other classes (at most 300) and the
/// missed `ssrf` rows.
pub fn corpus_ssrf() -> Result<(), String> {
    let d = ssrf::Ssrf::compile(&ssrf::SsrfConfig::default(), "ssrf")
        .map_err(|e| e.to_string())?
        .ok_or("ssrf is off")?;
    let ctx = ValueCtx::value(Surface::Query);
    let mut tally = Tally::default();
    let mut shown = 0;
    for row in all_rows()? {
        let hit = d.detect(row.value.as_bytes(), &ctx);
        tally.add(format!("{}/{}", row.class, row.subclass), hit.is_some());
        if let Some(h) = hit {
            if row.class != "ssrf" && shown < 300 {
                shown += 1;
                println!("{}: {:?} -> {} {}", row.class, row.value, h.rule, h.reason);
            }
        } else if row.class == "ssrf" {
            println!("MISS {}: {:?}", row.subclass, row.value);
        }
    }
    tally.print(60);
    Ok(())
}

/// The `upload_filename` and `benign` rows (each distinct value once)
/// through the upload detector as the file name of a part.
pub fn corpus_upload() -> Result<(), String> {
    let d = upload::Upload::compile(&upload::UploadConfig::default(), "file_upload")
        .map_err(|e| e.to_string())?
        .ok_or("file_upload is off")?;
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    for row in all_rows()? {
        if !matches!(row.class.as_str(), "upload_filename" | "benign")
            || !seen.insert((row.class.clone(), row.value.clone()))
        {
            continue;
        }
        let disposition = format!("form-data; name=\"file\"; filename=\"{}\"", row.value);
        let hit = d.detect_file(&FilePart {
            field: b"file",
            filename: row.value.as_bytes(),
            disposition: disposition.as_bytes(),
            content_type: b"application/octet-stream",
            content: b"hello",
        });
        tally.add(format!("{}/{}", row.class, row.subclass), hit.is_some());
        match (&hit, row.class.as_str()) {
            (None, "upload_filename") => println!("MISS {}: {:?}", row.subclass, row.value),
            (Some(h), "benign") => println!("FLAG benign: {:?} -> {}", row.value, h.rule),
            _ => {}
        }
    }
    tally.print(40);
    Ok(())
}

/// The `xxe`, `xml_other` and `benign` rows (each distinct value once)
/// through the XXE detector as whole documents.
pub fn corpus_xxe() -> Result<(), String> {
    let d = xxe::Xxe::compile(&xxe::XxeConfig::default(), "xxe")
        .map_err(|e| e.to_string())?
        .ok_or("xxe is off")?;
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    for row in all_rows()? {
        if !matches!(row.class.as_str(), "xxe" | "xml_other" | "benign")
            || !seen.insert(row.value.clone())
        {
            continue;
        }
        let hit = d.detect_document(row.value.as_bytes());
        tally.add(row.class.clone(), hit.is_some());
        match (&hit, row.class.as_str()) {
            (None, "xxe") => println!("MISS: {:?}", row.value),
            (Some(h), "xml_other" | "benign") => {
                println!("FLAG {}: {:?} -> {}", row.class, row.value, h.rule)
            }
            _ => {}
        }
    }
    tally.print(20);
    Ok(())
}
