//! `guardrail`: the command line of the AWS security guardrail.
//!
//! main.rs only parses arguments and maps results to exit codes; each subcommand lives in its
//! own module, so adding `scan` later means one enum variant and one module.

mod access;
mod check_policy;
mod check_template;
mod docs;
mod error;
mod event;
mod input;
mod managed_policies;
mod output;
mod scan;
mod simulate;
mod suggest_policy;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit codes: 0 clean, 1 findings at or above --fail-on (or a simulated deny with
/// --expect-allow semantics not used), 2 unreadable input or parse error.
#[derive(Parser, Debug)]
#[command(
    name = "guardrail",
    version,
    about = "AWS security guardrail: IAM policy checks and simulation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Analyse IAM policy documents (identity, trust, SCP) and report findings.
    CheckPolicy(check_policy::Args),
    /// Analyse every IAM policy a CloudFormation/SAM template defines (roles, policies,
    /// resource policies, SAM function policies).
    CheckTemplate(check_template::Args),
    /// Effective access of every user and role of an exported account
    /// (`aws iam get-account-authorization-details`): who is admin, who can become one, who
    /// acts without MFA.
    Access(access::Args),
    /// Explain events: what was decoded, what the gate decided, which template rules and
    /// functions receive each, and the findings of the rules that judge from the event alone.
    Event(event::Args),
    /// Regenerate docs/rules/*.md and the README rule table from the rules' metadata.
    Docs(docs::Args),
    /// Evaluate a request against policies and explain the decision.
    Simulate(Box<simulate::Args>),
    /// A least-privilege policy from IAM's last-accessed data, proved to allow every kept
    /// action and nothing the originals did not.
    SuggestPolicy(suggest_policy::Args),
    /// Sweep an AWS account with every rule (read-only: dry-run, alert mode) and report.
    Scan(scan::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Access(args) => access::run(&args),
        Command::CheckPolicy(args) => check_policy::run(&args),
        Command::CheckTemplate(args) => check_template::run(&args),
        Command::Docs(args) => docs::run(&args),
        Command::Event(args) => event::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Scan(args) => scan::run(&args),
        Command::SuggestPolicy(args) => suggest_policy::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("guardrail: {e}");
            ExitCode::from(2)
        }
    }
}
