//! The HTML report as a person sees it: `check-policy --format html` on the seed policies,
//! rendered by headless Chromium (Debian's `chromium`, installed by scripts/bootstrap). The DOM
//! the browser built must show the same counts as the JSON output, and a screenshot goes to
//! `target/artifacts/report.png`. Without Chromium the browser part prints
//! "skipped: chromium not installed" and passes; the static checks still run.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use support::browser::{artifacts, chromium, headless};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_policies() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/data/seed-policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    files
}

fn guardrail(format: &str, files: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["check-policy", "--format", format])
        .args(files)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Counts from the JSON output: (total, per rule, per severity).
type Counts = (usize, BTreeMap<String, usize>, BTreeMap<String, usize>);

fn json_counts(json: &str) -> Counts {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let arr = v.as_array().unwrap();
    let (mut rules, mut sev) = (BTreeMap::new(), BTreeMap::new());
    for f in arr {
        *rules
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
        *sev.entry(f["severity"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    (arr.len(), rules, sev)
}

/// `attr="key" ...>N<` for every element carrying `attr`.
fn attr_counts(dom: &str, attr: &str) -> BTreeMap<String, usize> {
    let needle = format!("{attr}=\"");
    let mut out = BTreeMap::new();
    let mut rest = dom;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let key_end = rest.find('"').unwrap();
        let key = rest[..key_end].to_string();
        let gt = rest.find('>').unwrap();
        let text_end = rest[gt + 1..].find('<').unwrap();
        let n: usize = rest[gt + 1..gt + 1 + text_end].trim().parse().unwrap();
        out.insert(key, n);
        rest = &rest[gt..];
    }
    out
}

/// Counts shown by a page (zero-count severities dropped, as JSON has none).
fn dom_counts(dom: &str) -> Counts {
    let total_at = dom.find("id=\"total-findings\"").expect("#total-findings");
    let after = &dom[total_at..];
    let gt = after.find('>').unwrap();
    let lt = after[gt..].find('<').unwrap();
    let total = after[gt + 1..gt + lt].trim().parse().unwrap();
    let mut sev = attr_counts(dom, "data-count-severity");
    sev.retain(|_, n| *n > 0);
    (total, attr_counts(dom, "data-count-rule"), sev)
}

#[test]
fn html_report_shows_the_json_counts_in_a_browser() {
    let files = seed_policies();
    let expected = json_counts(&guardrail("json", &files));
    assert!(expected.0 > 0, "the seed policies have findings");
    let html = guardrail("html", &files);
    let page = artifacts().join("report.html");
    std::fs::write(&page, &html).unwrap();

    // Static: the file itself, self-contained.
    assert_eq!(dom_counts(&html), expected);
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(!html.contains("<link"), "no external stylesheet");
    assert_eq!(html.matches("class=\"finding\"").count(), expected.0);

    let Some(browser) = chromium() else {
        println!("skipped: chromium not installed");
        return;
    };
    let url = format!("file://{}", page.display());
    let dom = headless(&browser, &["--dump-dom".to_string(), url.clone()]);
    assert!(dom.contains("<svg"), "the charts are in the DOM");
    assert_eq!(dom_counts(&dom), expected, "DOM counts differ from JSON");
    assert_eq!(dom.matches("class=\"finding\"").count(), expected.0);

    let png = artifacts().join("report.png");
    let _ = std::fs::remove_file(&png);
    headless(
        &browser,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
            url,
        ],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        bytes.len() > 10_000,
        "a real picture, {} bytes",
        bytes.len()
    );
    println!("screenshot: {}", png.display());
}
