//! The committed rule documentation matches the rules' metadata. On failure, run
//! `cargo run -p guardrail-cli -- docs` and commit the result.

use guardrail_rules::rules::{docs, ALL};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn rule_pages_are_up_to_date() {
    for meta in ALL {
        let path = root().join(format!("docs/rules/{}.md", meta.id));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            committed,
            docs::page(meta),
            "{} is stale: run `cargo run -p guardrail-cli -- docs`",
            path.display()
        );
    }
}

#[test]
fn readme_rule_table_is_up_to_date() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let spliced = docs::splice_readme(&readme).expect("README.md has the rules markers");
    assert!(
        spliced == readme,
        "README.md rule table is stale: run `cargo run -p guardrail-cli -- docs`"
    );
}

#[test]
fn every_rule_id_is_unique_and_kebab_case() {
    let mut ids: Vec<&str> = ALL.iter().map(|m| m.id).collect();
    // Lower case, digits (`s3-...`) and dashes; starting with a letter.
    for id in &ids {
        assert!(
            id.starts_with(|c: char| c.is_ascii_lowercase())
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id}"
        );
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), ALL.len());
}
