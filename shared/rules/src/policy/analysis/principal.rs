//! The document analyses run over one principal's whole policy set ([`Probe::for_set`]): the
//! entry points the effective-access rules (`crate::access`) build on.
//!
//! The same admin, MFA and escalation probes that judge one document judge the union of a
//! principal's policies here, after its boundary, SCPs and every Deny, so a path that only two
//! policies together grant is found, and an admin policy a boundary caps is not admin.

use super::super::evaluate::MatchedStatement;
use super::escalation::paths;
use super::probe::Probe;
use super::{admin, escalation, mfa, subsume, PolicyFinding};
use crate::severity::Severity;

/// What a principal's policies amount to.
#[derive(Debug, Clone, Default)]
pub struct PrincipalAnalysis {
    /// Administrator (unconditional, near-admin or behind conditions: the finding says which).
    pub admin: Option<PolicyFinding>,
    /// Sensitive actions allowed without MFA.
    pub without_mfa: Vec<PolicyFinding>,
    /// Escalation paths its own permissions grant.
    pub escalation: Vec<PolicyFinding>,
}

impl PrincipalAnalysis {
    /// Every finding in one list, shaped as [`analyze`](super::analyze) shapes a document's:
    /// an unconditional admin grant subsumes the MFA and escalation findings of its statement
    /// (kept under its `related`), worst first, then by policy and statement. A caller that
    /// reports per-document findings (check-template) can then report a principal's the same
    /// way.
    pub fn into_findings(self) -> Vec<PolicyFinding> {
        let all = self
            .admin
            .into_iter()
            .chain(self.without_mfa)
            .chain(self.escalation)
            .collect();
        let mut out = subsume(all);
        out.sort_by(|a, b| {
            let site = |f: &PolicyFinding| (f.policy, f.statement.as_ref().map(|s| s.index));
            b.severity
                .cmp(&a.severity)
                .then_with(|| site(a).cmp(&site(b)))
                .then_with(|| a.rule.cmp(b.rule))
        });
        out
    }
}

/// Judge a principal's policy set.
pub fn analyze_principal(probe: &Probe<'_>) -> PrincipalAnalysis {
    analyze_principal_with(probe, true)
}

/// As [`analyze_principal`]; `with_mfa == false` leaves `without_mfa` empty for a caller that
/// has it already (the union of per-document answers, when that is exact).
pub fn analyze_principal_with(probe: &Probe<'_>, with_mfa: bool) -> PrincipalAnalysis {
    let admin = admin::check(probe)
        .into_iter()
        .find(|f| f.severity >= Severity::Medium);
    PrincipalAnalysis {
        admin,
        without_mfa: if with_mfa {
            mfa::check(probe)
        } else {
            Vec::new()
        },
        // Assuming a role is a path only if the role is worth having: the graph of principals
        // (crate::access::graph) decides that edge exactly, role by role.
        escalation: escalation::check(probe)
            .into_iter()
            .filter(|f| {
                !f.actions
                    .iter()
                    .all(|a| a.eq_ignore_ascii_case("sts:AssumeRole"))
            })
            .collect(),
    }
}

/// A service a principal can drive with a role it passes: the escalation path's name, the
/// service principal the role must trust, and the actions (besides `iam:PassRole`) it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDrive {
    pub path: &'static str,
    pub service: &'static str,
    pub actions: Vec<&'static str>,
}

/// The pass-role paths whose service-side actions the principal is allowed (on some resource,
/// conditions honoured). Whether it may pass a given role is [`can_pass_role`]'s question.
pub fn service_drives(probe: &Probe<'_>) -> Vec<ServiceDrive> {
    if !probe.mentions("iam:PassRole") {
        return Vec::new();
    }
    // Paths share their service-side actions (lambda:CreateFunction, ec2:RunInstances, ...):
    // each is searched once.
    let mut allowed: Vec<(&'static str, bool)> = Vec::new();
    let mut is_allowed = |a: &'static str| match allowed.iter().find(|(x, _)| *x == a) {
        Some((_, yes)) => *yes,
        None => {
            let yes = probe.find_allow(a, &[], None).is_some();
            allowed.push((a, yes));
            yes
        }
    };
    paths()
        .iter()
        .filter_map(|p| {
            let service = p
                .permissions
                .iter()
                .filter(|perm| perm.action.eq_ignore_ascii_case("iam:PassRole"))
                .flat_map(|perm| perm.conditions.iter())
                .find(|(k, _)| k.eq_ignore_ascii_case("iam:PassedToService"))
                .and_then(|(_, v)| v.first().copied())?;
            let actions: Vec<&'static str> = p
                .actions()
                .filter(|a| !a.eq_ignore_ascii_case("iam:PassRole"))
                .collect();
            actions
                .iter()
                .all(|a| is_allowed(a))
                .then_some(ServiceDrive {
                    path: p.name,
                    service,
                    actions,
                })
        })
        .collect()
}

/// May the principal pass this role to this service? The deciding statement when it may.
pub fn can_pass_role(probe: &Probe<'_>, role_arn: &str, service: &str) -> Option<MatchedStatement> {
    let fixed = [("iam:PassedToService", Some(service))];
    let (_, d) = probe.find_allow_on("iam:PassRole", role_arn, &fixed, None)?;
    d.deciding
}

/// May the principal call `sts:AssumeRole` on this role as far as its own policies go, with
/// `aws:MultiFactorAuthPresent` absent (`mfa == false`) or true?
pub fn can_assume(probe: &Probe<'_>, role_arn: &str, mfa: bool) -> Option<MatchedStatement> {
    let fixed = [(
        "aws:MultiFactorAuthPresent",
        if mfa { Some("true") } else { None },
    )];
    let (_, d) = probe.find_allow_on("sts:AssumeRole", role_arn, &fixed, None)?;
    d.deciding
}

/// Sensitive actions one document allows without MFA, as [`analyze_principal`] would report
/// them for a principal holding only this document.
pub fn without_mfa(probe: &Probe<'_>) -> Vec<PolicyFinding> {
    mfa::check(probe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::analysis::rules::{ADMIN_WILDCARD, PRIVILEGE_ESCALATION};
    use crate::policy::{AnalysisOptions, PolicyDocument, PolicySet};

    fn doc(action: &str) -> PolicyDocument {
        let text = format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": {action}, "Resource": "*"}}]}}"#
        );
        PolicyDocument::parse(&text).unwrap()
    }

    #[test]
    fn findings_of_a_set_are_shaped_as_a_documents() {
        let (read, admin) = (doc(r#""s3:GetObject""#), doc(r#""*""#));
        let options = AnalysisOptions::default();
        let probe =
            Probe::for_set(PolicySet::identity(vec![&read, &admin]), None, &options).unwrap();
        let findings = analyze_principal(&probe).into_findings();
        // One line: the admin grant, in the second policy, its MFA and escalation findings
        // under it.
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].rule, ADMIN_WILDCARD);
        assert_eq!(findings[0].policy, Some(1));
        assert!(findings[0]
            .related
            .iter()
            .any(|f| f.rule == PRIVILEGE_ESCALATION));
    }
}
