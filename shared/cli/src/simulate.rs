//! `guardrail simulate --policy FILE... --action A --resource R [--context k=v] [--absent k]`

use crate::error::CliError;
use crate::input::load;
use guardrail_rules::policy::{evaluate, RequestContext, RequestPrincipal, Verdict};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy documents to evaluate together (identity policies of one principal).
    #[arg(long = "policy", required = true)]
    pub policies: Vec<PathBuf>,
    #[arg(long)]
    pub action: String,
    #[arg(long, default_value = "*")]
    pub resource: String,
    /// Condition key value; repeat a key for a multi-valued key.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Key that is explicitly absent (documentation only: keys not given are absent).
    #[arg(long = "absent", value_name = "KEY")]
    pub absent: Vec<String>,
    /// Calling principal (ARN or account id), for trust and resource policies.
    #[arg(long)]
    pub principal: Option<String>,
    /// Print the decision as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let docs = args
        .policies
        .iter()
        .map(|p| load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ctx = RequestContext::new(&args.action, &args.resource);
    for kv in &args.context {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| CliError::BadContext(kv.clone()))?;
        ctx.push(k.trim(), v);
    }
    for k in &args.absent {
        ctx.remove(k);
    }
    if let Some(p) = &args.principal {
        ctx.principal = Some(RequestPrincipal::aws(p.clone()));
    }
    let refs: Vec<_> = docs.iter().collect();
    let decision = evaluate(&refs, &ctx);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&decision)?);
    } else {
        println!(
            "{} {} on {}",
            decision.verdict.as_str(),
            args.action,
            args.resource
        );
        match &decision.deciding {
            Some(m) => println!(
                "decided by {} {} in {}",
                m.statement,
                if matches!(m.effect, guardrail_rules::policy::Effect::Deny) {
                    "(Deny)"
                } else {
                    "(Allow)"
                },
                args.policies
                    .get(m.policy)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
            None => println!("no statement allows it (implicit deny)"),
        }
        for m in &decision.matched {
            println!(
                "  matched: {} {} {:?}",
                args.policies
                    .get(m.policy)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                m.statement,
                m.effect
            );
        }
    }
    // Exit code reflects the verdict so scripts can assert on it: 0 allowed, 1 denied.
    Ok(if decision.verdict == Verdict::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
