//! `guardrail simulate --policy FILE... --action A --resource R [--context k=v] [--absent k]
//! [--boundary FILE] [--scp FILE]... [--session-policy FILE] [--resource-policy FILE
//! [--resource-account ID]] [--principal ARN] [--json]`: the complete IAM decision for one
//! request (policy/authorize.rs), with the deciding statement and the policy type that decided.

use crate::error::CliError;
use crate::input::load;
use guardrail_rules::policy::{
    authorize, context::account_of, Caller, Effect, PolicyDocument, PolicySet, RequestContext,
    RequestPrincipal, ResourcePolicy, Verdict,
};
use serde::Serialize;
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
    /// Calling principal (user, role or assumed-role ARN, or an account id). Also sets the keys
    /// a real request carries (`aws:PrincipalArn`, the role's ARN for a role session;
    /// `aws:PrincipalAccount`; `aws:username` for an IAM user), unless --context sets them.
    #[arg(long)]
    pub principal: Option<String>,
    /// The principal's permissions boundary: caps the identity policies.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// A service control policy of the account (repeatable: together they are the account's
    /// SCPs; each action must be allowed by one and denied by none).
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<PathBuf>,
    /// A resource control policy of the resource's account (repeatable, as --scp).
    #[arg(long = "rcp", value_name = "FILE")]
    pub rcps: Vec<PathBuf>,
    /// A session policy passed when the role session was created.
    #[arg(long = "session-policy", value_name = "FILE")]
    pub session_policy: Option<PathBuf>,
    /// The resource's resource-based policy (bucket policy, key policy, ...).
    #[arg(long = "resource-policy", value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// The account that owns the resource (default: the account in the resource ARN, else the
    /// principal's).
    #[arg(long = "resource-account", value_name = "ID")]
    pub resource_account: Option<String>,
    /// Print the decision as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The files of every policy type, in the flat order of `PolicySet::documents`.
struct Loaded {
    identity: Vec<PolicyDocument>,
    boundary: Option<PolicyDocument>,
    session: Option<PolicyDocument>,
    scps: Vec<PolicyDocument>,
    rcps: Vec<PolicyDocument>,
    resource: Option<PolicyDocument>,
    /// File names in the same flat order.
    names: Vec<String>,
}

fn load_all(args: &Args) -> Result<Loaded, CliError> {
    let many = |paths: &[PathBuf]| paths.iter().map(|p| load(p)).collect::<Result<Vec<_>, _>>();
    let one = |p: &Option<PathBuf>| p.as_deref().map(load).transpose();
    let mut names = Vec::new();
    let mut name = |p: &std::path::Path| names.push(p.display().to_string());
    args.policies.iter().for_each(|p| name(p));
    args.boundary.iter().for_each(|p| name(p));
    args.session_policy.iter().for_each(|p| name(p));
    args.scps.iter().for_each(|p| name(p));
    args.rcps.iter().for_each(|p| name(p));
    args.resource_policy.iter().for_each(|p| name(p));
    Ok(Loaded {
        identity: many(&args.policies)?,
        boundary: one(&args.boundary)?,
        session: one(&args.session_policy)?,
        scps: many(&args.scps)?,
        rcps: many(&args.rcps)?,
        resource: one(&args.resource_policy)?,
        names,
    })
}

/// `--json` output: the decision, which policy type decided, and the deciding statement with
/// the file it is in.
#[derive(Serialize)]
struct Report<'a> {
    verdict: Verdict,
    action: &'a str,
    resource: &'a str,
    principal: Option<&'a str>,
    decided_by: Option<&'static str>,
    deciding: Option<Statement<'a>>,
    matched: Vec<Statement<'a>>,
}

#[derive(Serialize)]
struct Statement<'a> {
    /// Index of the policy in the flat order of the files given (--policy files first).
    policy: usize,
    file: &'a str,
    policy_type: &'static str,
    statement: String,
    effect: Effect,
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let loaded = load_all(args)?;
    let mut ctx = RequestContext::new(&args.action, &args.resource);
    for kv in &args.context {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| CliError::BadContext(kv.clone()))?;
        ctx.push(k.trim(), v);
    }
    let caller = args.principal.as_deref().map(Caller::from_arn);
    if let (Some(p), Some(c)) = (&args.principal, &caller) {
        ctx.principal = Some(RequestPrincipal::aws(p.clone()));
        c.fill_request_keys(&mut ctx);
    }
    for k in &args.absent {
        ctx.remove(k);
    }
    let set = PolicySet {
        identity: loaded.identity.iter().collect(),
        boundary: loaded.boundary.as_ref(),
        session: loaded.session.iter().collect(),
        scps: loaded.scps.iter().collect(),
        rcps: loaded.rcps.iter().collect(),
        resource: loaded
            .resource
            .as_ref()
            .map(|document| ResourcePolicy { document }),
        resource_account: args
            .resource_account
            .clone()
            .or_else(|| account_of(&args.resource).map(str::to_string))
            .or_else(|| caller.as_ref().and_then(|c| c.account.clone())),
    };
    let auth = authorize(&set, caller.as_ref(), &ctx);
    let decision = &auth.decision;
    let describe = |m: &guardrail_rules::policy::MatchedStatement| Statement {
        policy: m.policy,
        file: loaded.names.get(m.policy).map(String::as_str).unwrap_or(""),
        policy_type: set.policy_type(m.policy).map(|t| t.as_str()).unwrap_or(""),
        statement: m.statement.to_string(),
        effect: m.effect,
    };
    if args.json {
        let report = Report {
            verdict: decision.verdict,
            action: &args.action,
            resource: &args.resource,
            principal: args.principal.as_deref(),
            decided_by: auth.decided_by.map(|t| t.as_str()),
            deciding: decision.deciding.as_ref().map(describe),
            matched: decision.matched.iter().map(describe).collect(),
        };
        crate::output::emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        let mut out = format!(
            "{} {} on {}\n",
            decision.verdict.as_str(),
            args.action,
            args.resource
        );
        let by = auth.decided_by.map(|t| t.as_str()).unwrap_or("identity");
        match &decision.deciding {
            Some(m) => {
                let s = describe(m);
                out += &format!(
                    "decided by {} ({:?}) in {} ({} policy)\n",
                    s.statement, s.effect, s.file, s.policy_type
                );
            }
            None => out += &format!("no {by} policy allows it (implicit deny)\n"),
        }
        for m in &decision.matched {
            let s = describe(m);
            out += &format!(
                "  matched: {} {} {:?} ({} policy)\n",
                s.file, s.statement, s.effect, s.policy_type
            );
        }
        crate::output::emit(&out)?;
    }
    // Exit code reflects the verdict so scripts can assert on it: 0 allowed, 1 denied.
    Ok(if decision.verdict == Verdict::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
