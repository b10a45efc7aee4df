//! Every AWS managed policy in the corpus parses and is analysed without panic.

use guardrail_rules::policy::{analyze, AnalysisOptions, PolicyDocument, PolicyKind};
use guardrail_rules::Severity;
use std::path::Path;

#[test]
fn whole_corpus_parses_and_analyses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/aws-managed-policies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 1500, "corpus missing: {}", files.len());
    let (mut admin, mut statements) = (0, 0);
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let doc = PolicyDocument::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        statements += doc.statements.len();
        for kind in [PolicyKind::Identity, PolicyKind::Scp] {
            let f = analyze(
                &doc,
                &AnalysisOptions {
                    kind,
                    allowed_regions: Some(vec!["eu-west-1".into()]),
                    ..Default::default()
                },
            );
            if kind == PolicyKind::Identity {
                admin += f
                    .iter()
                    .filter(|x| {
                        x.rule == "iam-policy-admin-wildcard" && x.severity == Severity::Critical
                    })
                    .count();
            }
        }
    }
    assert!(statements > 7000);
    // Only a handful of managed policies are full admin.
    assert!(admin < 20, "too many admin findings: {admin}");
}
