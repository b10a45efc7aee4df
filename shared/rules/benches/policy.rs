//! Policy engine benchmarks: analysing the whole AWS managed-policy corpus, and single
//! evaluations. Run: `cargo bench -p guardrail-rules --bench policy`
//! (quick: `-- --warm-up-time 1 --measurement-time 3`).

use criterion::{criterion_group, criterion_main, Criterion};
use guardrail_rules::policy::{analyze, evaluate, AnalysisOptions, PolicyDocument, RequestContext};
use std::hint::black_box;
use std::path::Path;

fn corpus() -> Vec<PolicyDocument> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/aws-managed-policies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| PolicyDocument::parse(&std::fs::read_to_string(p).expect("read")).expect("parse"))
        .collect()
}

fn benches(c: &mut Criterion) {
    let docs = corpus();
    let options = AnalysisOptions::default();
    // Warm the lazily built catalogue outside the measurement.
    let _ = guardrail_rules::policy::catalog();
    let mut g = c.benchmark_group("corpus");
    g.sample_size(10);
    g.bench_function(format!("analyze_all_{}_policies", docs.len()), |b| {
        b.iter(|| {
            let n: usize = docs
                .iter()
                .map(|d| analyze(black_box(d), &options).len())
                .sum();
            black_box(n)
        })
    });
    g.finish();

    let mfa = PolicyDocument::parse(include_str!(
        "../../../tests/data/seed-policies/mfa-force-policy.json"
    ))
    .expect("seed");
    let admin = PolicyDocument::parse(include_str!(
        "../../../tests/data/seed-policies/admin-wildcard-bad.json"
    ))
    .expect("seed");
    let ctx = RequestContext::new("iam:CreateUser", "arn:aws:iam::111122223333:user/x")
        .with("aws:MultiFactorAuthPresent", "false")
        .with("aws:username", "alice");
    c.bench_function("evaluate_mfa_force_plus_admin", |b| {
        b.iter(|| black_box(evaluate(black_box(&[&mfa, &admin]), black_box(&ctx))))
    });
    let ro = docs
        .iter()
        .max_by_key(|d| {
            d.statements
                .iter()
                .map(|s| s.action.patterns.len())
                .sum::<usize>()
        })
        .expect("corpus");
    let ctx2 = RequestContext::new("s3:GetObject", "arn:aws:s3:::b/k");
    c.bench_function("evaluate_largest_corpus_policy", |b| {
        b.iter(|| black_box(evaluate(black_box(&[ro]), black_box(&ctx2))))
    });
    c.bench_function("parse_mfa_force_policy", |b| {
        b.iter(|| {
            black_box(PolicyDocument::parse(black_box(include_str!(
                "../../../tests/data/seed-policies/mfa-force-policy.json"
            ))))
        })
    });
}

criterion_group!(policy, benches);
criterion_main!(policy);
