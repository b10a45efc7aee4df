//! `guardrail check-template TEMPLATE...`: the policy engine on a CloudFormation/SAM template.
//!
//! Trust and resource policies are judged as written ([`cfn::policies`]); identity policies
//! with the principal that holds them ([`cfn::principals`]): inline documents, policies of the
//! template attached to it, expanded SAM policy templates, and the AWS managed policies it
//! names (their documents from the bundle in [`managed_policies`]). Each document is judged on
//! its own for what it says as written (service wildcards, validation, ...); the principal-level
//! rules ([`PRINCIPAL_RULES`]: admin, MFA, escalation) judge the principal's whole set, capped
//! by its permissions boundary, as IAM decides it: a boundary can make an admin policy harmless,
//! and two policies together can grant a path neither grants alone. A finding names the
//! principal and the policy its deciding statement is in
//! (`Resources.Fn (AWS managed policy AdministratorAccess)`). What cannot be judged (a managed
//! policy outside the bundle, a SAM policy template that does not expand, a boundary whose
//! document is unknown) is a note on stderr.

use crate::check_policy::ReportArgs;
use crate::error::CliError;
use crate::managed_policies;
use crate::output::FileFinding;
use guardrail_rules::cfn::{
    self, Suppression, TemplateNote, TemplatePrincipal, TemplatePrincipalKind, PSEUDO_ACCOUNT,
};
use guardrail_rules::policy::analysis::principal::analyze_principal;
use guardrail_rules::policy::analysis::probe::Probe;
use guardrail_rules::policy::analysis::rules::{
    ADMIN_WILDCARD, ALLOWS_WITHOUT_MFA, PRIVILEGE_ESCALATION, VALIDATION,
};
use guardrail_rules::policy::{
    analyze, AnalysisOptions, Caller, PolicyDocument, PolicyFinding, PolicyKind, PolicySet,
};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Templates, YAML (with short-form tags like !Sub) or JSON.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

fn load(path: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    guardrail_rules::cfn::from_yaml(&text).map_err(|reason| CliError::Template {
        path: path.to_path_buf(),
        reason,
    })
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let mut findings = Vec::new();
    let mut count = 0;
    for file in &args.files {
        count += judge_template(file, &mut findings)?;
    }
    args.report.emit(&findings, count, "policy")
}

/// The rules a principal's whole policy set decides, boundary included, rather than each
/// document alone: what two policies grant together, and what a boundary takes away, belong
/// to the principal. The same rules and ids as a document's, so JSON and SARIF stay the same.
const PRINCIPAL_RULES: [&str; 3] = [ADMIN_WILDCARD, ALLOWS_WITHOUT_MFA, PRIVILEGE_ESCALATION];

/// Which of a document's own findings are reported.
#[derive(Debug, Clone, Copy)]
enum Scope {
    /// Every rule of its kind: trust and resource policies, and identity policies no principal
    /// of the template holds.
    Document,
    /// A policy a principal holds: all but [`PRINCIPAL_RULES`], which judge the set.
    Held,
    /// A policy that is only a permissions boundary: it grants nothing, so only how it is
    /// written (the broad Allow of a boundary is no finding).
    Boundary,
}

impl Scope {
    fn keeps(self, rule: &str) -> bool {
        match self {
            Scope::Document => true,
            Scope::Held => !PRINCIPAL_RULES.contains(&rule),
            Scope::Boundary => rule == VALIDATION,
        }
    }
}

/// Judge every policy of one template; how many documents were judged.
fn judge_template(file: &Path, findings: &mut Vec<FileFinding>) -> Result<usize, CliError> {
    let template = load(file)?;
    let (principals, notes) = cfn::principals(&template);
    // Shown on stderr, so JSON and SARIF on stdout stay machine-readable.
    let mut unattached = HashSet::new();
    let mut boundaries = HashSet::new();
    for note in &notes {
        match note {
            TemplateNote::Unattached { logical_id } => {
                unattached.insert(logical_id.as_str());
            }
            TemplateNote::BoundaryOnly { logical_id } => {
                boundaries.insert(logical_id.as_str());
            }
            other => eprintln!("note: {}: {other}", file.display()),
        }
    }
    let mut count = 0;
    // Trust and resource policies as written; identity policies are judged with the
    // principal that holds them, except those of policy resources no principal of this
    // template holds, and boundaries, which are judged with the principals they cap.
    for tp in cfn::policies(&template) {
        let id = tp.logical_id.as_str();
        let scope = match tp.kind {
            PolicyKind::Identity if unattached.contains(id) => Scope::Document,
            PolicyKind::Identity if boundaries.contains(id) => Scope::Boundary,
            PolicyKind::Identity => continue,
            _ => Scope::Document,
        };
        count += 1;
        let location = format!("{}#{}", file.display(), tp.path);
        let doc = parse(&location, &tp.document)?;
        let accept = Acceptance {
            machine_only: tp.service_role,
            suppressions: &tp.suppressions,
            without: "",
        };
        judge_document(&location, &doc, tp.kind, scope, &accept, findings)?;
    }
    for principal in &principals {
        count += judge_principal(file, principal, findings)?;
    }
    Ok(count)
}

/// Judge one principal: each document it holds for what the document says on its own, then
/// its whole set, capped by its boundary, for [`PRINCIPAL_RULES`]. How many documents it holds.
fn judge_principal(
    file: &Path,
    principal: &TemplatePrincipal,
    findings: &mut Vec<FileFinding>,
) -> Result<usize, CliError> {
    let at = |place: &str| format!("{}#{place}", file.display());
    let (held, unknown) = principal.held_policies(bundled_document);
    for arn in unknown {
        eprintln!(
            "note: {}: Resources.{}: {}: not judged",
            file.display(),
            principal.logical_id,
            unknown_policy(arn)
        );
    }
    let boundary = Boundary::of(file, principal)?;
    let without = match &boundary {
        Boundary::Unknown(text) => format!(" (judged without: its permissions boundary {text})"),
        _ => String::new(),
    };
    let accept = Acceptance {
        machine_only: principal.machine_only(),
        suppressions: &principal.suppressions,
        without: &without,
    };
    let mut documents = Vec::with_capacity(held.len());
    for policy in &held {
        let location = at(&policy.location);
        let doc = parse(&location, &policy.document)?;
        judge_document(
            &location,
            &doc,
            PolicyKind::Identity,
            Scope::Held,
            &accept,
            findings,
        )?;
        documents.push(doc);
    }
    let set = PolicySet {
        identity: documents.iter().collect(),
        boundary: match &boundary {
            Boundary::Known { document, .. } => Some(document),
            _ => None,
        },
        ..PolicySet::default()
    };
    let options = options(PolicyKind::Identity);
    // No identity policy: nothing is allowed, nothing to find.
    let Some(probe) = Probe::for_set(set, caller(principal), &options) else {
        return Ok(held.len());
    };
    // MFA is probed for machine roles too: an admin finding lists it under `related`, as a
    // document's does; only the finding of its own is dropped (`Acceptance::add`).
    for f in analyze_principal(&probe).into_findings() {
        // The policy its deciding statement is in: one it holds (identity policies come first
        // in the set), else its boundary; the principal when no statement decided.
        let location = match (f.policy, f.policy.and_then(|i| held.get(i)), &boundary) {
            (_, Some(policy), _) => at(&policy.location),
            (Some(_), None, Boundary::Known { location, .. }) => location.clone(),
            _ => at(&format!("Resources.{}", principal.logical_id)),
        };
        accept.add(&location, PolicyKind::Identity, f, findings)?;
    }
    Ok(held.len())
}

/// A principal's permissions boundary, as far as this template tells.
enum Boundary {
    None,
    Known {
        location: String,
        document: PolicyDocument,
    },
    /// Named, but its document is not known here (a policy created elsewhere, a parameter):
    /// the principal is judged without it, and its findings say so.
    Unknown(String),
}

impl Boundary {
    fn of(file: &Path, principal: &TemplatePrincipal) -> Result<Boundary, CliError> {
        Ok(match principal.held_boundary(bundled_document) {
            None => Boundary::None,
            Some(Ok(held)) => {
                let location = format!("{}#{}", file.display(), held.location);
                let document = parse(&location, &held.document)?;
                Boundary::Known { location, document }
            }
            Some(Err(text)) => {
                eprintln!(
                    "note: {}: Resources.{}: permissions boundary: {}: judged without it",
                    file.display(),
                    principal.logical_id,
                    unknown_policy(text)
                );
                Boundary::Unknown(text.to_string())
            }
        })
    }
}

/// Who a principal's requests are made as: a session of the role, or the user, named by its
/// logical id in the placeholder account, so the request carries a role's keys (no
/// `aws:username`) or a user's. A group makes no requests: the probe's neutral user stands for
/// its members.
fn caller(principal: &TemplatePrincipal) -> Option<Caller> {
    let resource = match principal.kind {
        TemplatePrincipalKind::Role
        | TemplatePrincipalKind::Function
        | TemplatePrincipalKind::StateMachine => "role",
        TemplatePrincipalKind::User => "user",
        TemplatePrincipalKind::Group => return None,
    };
    Some(Caller::from_arn(&format!(
        "arn:aws:iam::{PSEUDO_ACCOUNT}:{resource}/{}",
        principal.logical_id
    )))
}

/// The document of an AWS managed policy, from the bundle embedded in this binary.
fn bundled_document(arn: &str) -> Option<Value> {
    managed_policies::managed_policy(arn).and_then(|p| serde_json::from_str(&p.document).ok())
}

/// Why a managed policy a principal names has no document here.
fn unknown_policy(arn: &str) -> String {
    match cfn::aws_managed_policy_name(arn) {
        Some(name) => format!(
            "AWS managed policy {name} is not in the bundled documents ({} policies)",
            managed_policies::count()
        ),
        None => format!("managed policy {arn} is not defined in this template"),
    }
}

fn options(kind: PolicyKind) -> AnalysisOptions {
    AnalysisOptions {
        kind,
        own_account: Some(PSEUDO_ACCOUNT.to_string()),
        allowed_regions: None,
    }
}

fn parse(location: &str, document: &Value) -> Result<PolicyDocument, CliError> {
    PolicyDocument::from_value(document).map_err(|source| CliError::Parse {
        path: PathBuf::from(location),
        source,
    })
}

/// Judge one document and add the findings `scope` keeps.
fn judge_document(
    location: &str,
    doc: &PolicyDocument,
    kind: PolicyKind,
    scope: Scope,
    accept: &Acceptance<'_>,
    findings: &mut Vec<FileFinding>,
) -> Result<(), CliError> {
    for f in analyze(doc, &options(kind)) {
        if scope.keeps(f.rule) {
            accept.add(location, kind, f, findings)?;
        }
    }
    Ok(())
}

/// What a finding must get past to be reported, the same for a document's findings and a
/// principal's.
struct Acceptance<'a> {
    /// A machine role has no human holder, hence no MFA to ask for.
    machine_only: bool,
    /// Exceptions the template's authors accepted, by rule and Sid.
    suppressions: &'a [Suppression],
    /// What the principal was judged without (its unknown boundary), added to the message of
    /// a principal-level finding; empty otherwise.
    without: &'a str,
}

impl Acceptance<'_> {
    /// Add `f`, found at `location`, unless it does not apply or is accepted (announced on
    /// stderr with its reason; a suppression without one is an error).
    fn add(
        &self,
        location: &str,
        kind: PolicyKind,
        mut f: PolicyFinding,
        findings: &mut Vec<FileFinding>,
    ) -> Result<(), CliError> {
        if self.machine_only && f.rule == ALLOWS_WITHOUT_MFA {
            return Ok(());
        }
        let sid = f.statement.as_ref().and_then(|s| s.sid.as_deref());
        if let Some(s) = self.suppressions.iter().find(|s| s.covers(f.rule, sid)) {
            let Some(reason) = &s.reason else {
                return Err(CliError::Template {
                    path: PathBuf::from(location),
                    reason: format!("suppression of {} has no reason", f.rule),
                });
            };
            eprintln!(
                "suppressed: {location}: [{}] {}: {reason}",
                f.rule,
                sid.unwrap_or("document")
            );
            return Ok(());
        }
        if PRINCIPAL_RULES.contains(&f.rule) {
            f.message.push_str(self.without);
        }
        findings.push(FileFinding {
            file: location.to_string(),
            kind,
            finding: f,
        });
        Ok(())
    }
}
