//! Effective access over an account file, the rules core alone (no AWS SDK, no bundled
//! AWS managed documents): `cargo run --release -p guardrail-rules --example access FILE`.
//! bench/RESULTS.md uses it to time the judgement itself; `guardrail access` is the command.
//! `--dump` prints every finding (rule, principal, message), to compare two builds' answers;
//! `--threads N` sets the worker threads (default: one per CPU).

use guardrail_rules::access::{self, AccessOptions, Principals};
use guardrail_rules::sweep::parse_account_file;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dump = args.iter().any(|a| a == "--dump");
    let threads: usize = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let Some(path) = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<usize>().is_err())
    else {
        eprintln!("usage: access FILE [--dump] [--threads N]");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let facts = match parse_account_file(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let account = facts.account_id().unwrap_or_default();
    let principals = Principals::build(&facts, &account, &|_| None);
    let options = AccessOptions {
        threads,
        ..AccessOptions::default()
    };
    let report = access::judge(&principals, &options);
    if dump {
        for f in &report.findings {
            println!(
                "{} {} {} | {}",
                f.rule,
                f.resource.arn,
                f.message,
                f.path.join(" > ")
            );
        }
    }
    let count = |rule: &str| report.findings.iter().filter(|f| f.rule == rule).count();
    println!(
        "{} principal(s): {} admin, {} admin-reachable, {} without MFA; {} note(s)",
        report.principals.len(),
        count(access::ADMIN),
        count(access::ADMIN_REACHABLE),
        count(access::SENSITIVE_WITHOUT_MFA),
        report.notes.len()
    );
}
