//! Every AWS managed policy in the corpus parses and is analysed without panic.

use guardrail_rules::policy::{analyze, AnalysisOptions, PolicyDocument, PolicyKind};
use guardrail_rules::Severity;
use std::path::Path;

/// The corpus's files, in order.
fn corpus_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/aws-managed-policies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn whole_corpus_parses_and_analyses() {
    let files = corpus_files();
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

/// The live analysis (`analyze_for_alerts`, which skips what an admin alert makes moot) says
/// what the complete one says about every rule that alerts, on every corpus policy.
#[test]
fn the_live_analysis_alerts_as_the_complete_one() {
    use guardrail_rules::policy::analyze_for_alerts;
    let files = corpus_files();
    let options = AnalysisOptions {
        kind: PolicyKind::Identity,
        own_account: Some("123456789012".into()),
        allowed_regions: None,
    };
    // What `iam::policy` keeps of a full analysis: no validation; no MFA or escalation
    // finding once a grant is admin (high or worse).
    let alertable = |f: &[guardrail_rules::policy::PolicyFinding]| {
        let admin = f
            .iter()
            .any(|x| x.rule == "iam-policy-admin-wildcard" && x.severity >= Severity::High);
        let mut kept: Vec<(String, Severity, Option<usize>)> = f
            .iter()
            .filter(|x| x.rule != "iam-policy-validation")
            .filter(|x| {
                !admin
                    || (x.rule != "iam-policy-allows-without-mfa"
                        && x.rule != "iam-policy-privilege-escalation")
            })
            .map(|x| {
                (
                    x.rule.to_string(),
                    x.severity,
                    x.statement.as_ref().map(|s| s.index),
                )
            })
            .collect();
        kept.sort();
        kept
    };
    for p in &files {
        let doc = PolicyDocument::parse(&std::fs::read_to_string(p).unwrap()).unwrap();
        assert_eq!(
            alertable(&analyze_for_alerts(&doc, &options)),
            alertable(&analyze(&doc, &options)),
            "{}",
            p.display()
        );
    }
}
