//! `adversarial`: the inputs of the unit tests' hang guards, each unit
//! repeated to 256 KiB and to 1 MiB, through its detector or parser. The
//! unit tests only prove these inputs finish; this measures how fast, and
//! the time ratio says whether it scales linearly (~4 for 4x the input;
//! a quadratic pass would show ~16).

use std::hint::black_box;
use std::time::Instant;

use envoy_rasp::engine::bytes::Finder;
use envoy_rasp::engine::detect::{cmdi, sqli, ssrf, traversal, upload, xss, xxe, Hit, ValueCtx};
use envoy_rasp::engine::surface::testing::Collect;
use envoy_rasp::engine::surface::{multipart, FilePart, Surface};
use envoy_rasp::engine::ConfigError;

use crate::measure::{cpu_secs, cycle, secs_since};

// data: the units of each detector's hang-guard unit test.
const SQLI: &[&[u8]] = &[
    b"(",
    b"'",
    b"''",
    b"\"",
    b"1 or ",
    b"/*",
    b"/*!",
    b"-- \n",
    b"`",
    b"[",
    b"$$",
    b"@",
    b"0x",
    b"1,",
    b"(select ",
    b"\\'",
    b"case when ",
    b"a.",
    b"';",
];
const XSS: &[&[u8]] = &[
    b"<",
    b"\"",
    b"'",
    b"(",
    b"<a ",
    b"<a x=\"",
    b"'-'",
    b"'-(",
    b"`${",
    b"&#",
    b"\\u",
    b"+A",
    b"/*",
    b"[]!",
    b"on=",
    b"<!--",
    b"=/[",
    b":<!--",
    b"+ADw",
    b"<a x=`",
    b"<a x=\"`",
    b"x:url(",
    b"\\u0",
    b"%u",
    b"<!ATTLIST ",
    b"data:,",
    b"<a href=data:,",
    b"a=top[",
    b"`${`",
];
const CMDI: &[&[u8]] = &[
    b"$(", b"`", b"((((", b"''''", b"\"", b"${", b"; ls", b"{a,", b"a=b;", b"\\", b"$IFS", b"<(",
    b"/???/", b"() {",
];
const TRAVERSAL: &[&[u8]] = &[
    b"%", b"%c0", b"/", b"./", b"a/", b"%25", b"0x", b" /e", b"\xc0",
];
const SSRF: &[&[u8]] = &[
    b"http:", b"a://", b"::::", b"http:a@", b"@@@@", b"1.", b"[::",
];
const XXE: &[&[u8]] = &[
    b"<!ENTITY ",
    b"<![CDATA[",
    b"&lt;!ENTITY ",
    b"<!--",
    b"&x;",
    b"<<<<",
    b"\"'",
    b"<item id=\"1\"><name>Tom &amp; Jerry</name><v>3 &lt; 4</v></item>\n",
];

/// CPU seconds of one call of `f` (the best of three).
fn once(f: &dyn Fn()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let cpu0 = cpu_secs();
            f();
            secs_since(start, cpu0)
        })
        .fold(f64::INFINITY, f64::min)
}

/// One line: MB/s at 1 MiB and the time ratio against 256 KiB.
fn linear(what: &str, unit: &[u8], run: &dyn Fn(&[u8])) {
    let small = cycle(unit, 1 << 18);
    let large = cycle(unit, 1 << 20);
    let ts = once(&|| run(&small));
    let tl = once(&|| run(&large));
    println!(
        "{what:<10} {:<20} {:>8.1} MB/s  1 MiB / 256 KiB time x{:.1}",
        format!("{:?}", String::from_utf8_lossy(unit)),
        large.len() as f64 / tl / 1e6,
        tl / ts.max(1e-9)
    );
}

fn each(name: &str, units: &[&[u8]], d: &dyn Fn(&[u8]) -> Option<Hit>) {
    for unit in units {
        linear(name, unit, &|v| {
            black_box(d(v));
        });
    }
}

fn err(e: ConfigError) -> String {
    e.to_string()
}

fn value_detectors() -> Result<(), String> {
    let ctx = ValueCtx::value(Surface::Query);
    let s = sqli::Sqli::compile(&sqli::SqliConfig::default(), "sql_injection")
        .map_err(err)?
        .ok_or("sqli is off")?;
    each("sqli", SQLI, &|v| s.detect(v, &ctx));
    let x = xss::Xss::compile(&xss::XssConfig::default(), "xss")
        .map_err(err)?
        .ok_or("xss is off")?;
    each("xss", XSS, &|v| x.detect(v, &ctx));
    let c = cmdi::Cmdi::compile(&cmdi::CmdiConfig::default(), "command_injection")
        .map_err(err)?
        .ok_or("cmdi is off")?;
    each("cmdi", CMDI, &|v| c.detect(v, &ctx));
    let t = traversal::Traversal::compile(&traversal::TraversalConfig::default(), "path_traversal")
        .map_err(err)?
        .ok_or("traversal is off")?;
    each("traversal", TRAVERSAL, &|v| t.detect(v, &ctx));
    let d = ssrf::Ssrf::compile(&ssrf::SsrfConfig::default(), "ssrf")
        .map_err(err)?
        .ok_or("ssrf is off")?;
    each("ssrf", SSRF, &|v| d.detect(v, &ctx));
    Ok(())
}

fn documents() -> Result<(), String> {
    let xe = xxe::Xxe::compile(&xxe::XxeConfig::default(), "xxe")
        .map_err(err)?
        .ok_or("xxe is off")?;
    each("xxe", XXE, &|v| xe.detect_document(v));
    let u = upload::Upload::compile(&upload::UploadConfig::default(), "file_upload")
        .map_err(err)?
        .ok_or("file_upload is off")?;
    let part = |filename: &'static [u8]| FilePart {
        field: b"file",
        filename,
        disposition: b"",
        content_type: b"application/octet-stream",
        content: b"",
    };
    linear("upload", b"a.", &|v| {
        black_box(u.detect_file(&FilePart {
            filename: v,
            disposition: v,
            content: v,
            ..part(b"")
        }));
    });
    linear("upload", b"filename=\"\\", &|v| {
        black_box(u.detect_file(&FilePart {
            disposition: v,
            ..part(b"x.jpg")
        }));
    });
    linear("upload", b"<", &|v| {
        black_box(u.detect_file(&FilePart {
            content: v,
            ..part(b"x.jpg")
        }));
    });
    Ok(())
}

fn parsers() {
    // A huge part full of near-boundaries.
    linear("multipart", b"--b", &|v| {
        let mut body =
            b"--b\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\nx".to_vec();
        body.extend_from_slice(v);
        body.extend_from_slice(b"\r\n--b--");
        let mut c = Collect::default();
        multipart::walk(b"b", &body, 64, &mut c);
        black_box(c.files.len());
    });
    // A boundary against its own repetitions.
    linear("multipart", b"-", &|v| {
        let mut c = Collect::default();
        multipart::walk(&[b'-'; 70], v, 64, &mut c);
        black_box(c.items.len());
    });
    // Every position a match, each rejected by the caller.
    linear("find", b"-", &|v| {
        let mut f = Finder::new(&[b'-'; 70]);
        let mut at = 0;
        while let Some(d) = f.find(v, at) {
            at = d + 1;
        }
        black_box(at);
    });
    linear("find", b"a", &|v| {
        let mut needle = vec![b'a'; 69];
        needle.push(b'b');
        black_box(Finder::new(&needle).find(v, 0));
    });
}

pub fn adversarial() -> Result<(), String> {
    value_detectors()?;
    documents()?;
    parsers();
    Ok(())
}
