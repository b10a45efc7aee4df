//! The fuzz harnesses of the rules core, one per decoder of outside input.
//!
//! Each harness takes raw bytes (what AFL++ mutates) and drives them through the same public
//! entry points the functions and the CLI use, decoding *and* judging, so that a panic, an
//! overflow (debug assertions are on in the fuzz build) or unbounded work anywhere downstream
//! of a decoder is found, not only in the parser. The harnesses return nothing and check
//! nothing beyond "no panic, finite time": the core's invariant is that no input panics
//! (ARCHITECTURE.md). The AFL++ targets (`src/bin/<target>.rs`) wrap them in `afl::fuzz!`;
//! `replay` runs them over files (timings, regressions) without AFL.
//!
//! Seeds come from the repository at run time (`scripts/fuzz` copies them): they are never
//! duplicated here. Inputs that once crashed or hung are kept in `regressions/<target>/`.

use guardrail_rules::alert;
use guardrail_rules::cfn::{self, TemplatePrincipalKind, PSEUDO_ACCOUNT};
use guardrail_rules::ebs;
use guardrail_rules::eventbridge;
use guardrail_rules::finding::EventContext;
use guardrail_rules::gate;
use guardrail_rules::policy::analysis::principal::analyze_principal;
use guardrail_rules::policy::analysis::probe::Probe;
use guardrail_rules::policy::{
    analyze, analyze_for_alerts, analyze_trust, decide, evaluate, AnalysisOptions, Caller,
    PolicyDocument, PolicyKind, PolicySet, RequestContext,
};
use guardrail_rules::region;
use guardrail_rules::rules::registry::CALL_JUDGES;
use guardrail_rules::sweep::{self, CredentialReport, SweepFacts, UserDetail};
use guardrail_rules::trigger::{self, ConfigMessage, Trigger};
use guardrail_rules::{Finding, Outcome, Settings};
use serde_json::Value;
use std::sync::OnceLock;

/// One fuzz target: its name (the binary's and `scripts/fuzz`'s) and its harness.
pub struct Target {
    pub name: &'static str,
    pub what: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, in the order `scripts/fuzz --list` and `--smoke` use.
pub const TARGETS: &[Target] = &[
    Target {
        name: "events",
        what: "EventBridge envelopes (CloudTrail calls, sign-ins, schedules): decode, gate, the judges that need no re-read, the templates' EventBridge patterns",
        run: events,
    },
    Target {
        name: "config",
        what: "AWS Config rule invocations: decode, screen, evaluate the configuration item",
        run: config,
    },
    Target {
        name: "policies",
        what: "IAM policy documents: parse, analyse as every kind, evaluate and authorize requests",
        run: policies,
    },
    Target {
        name: "templates",
        what: "CloudFormation/SAM templates (YAML or JSON): parse, resolve intrinsics, judge every policy and principal, match the patterns",
        run: templates,
    },
    Target {
        name: "credentials",
        what: "IAM credential reports (CSV): parse, sweep the credential rules, Config user evaluations",
        run: credentials,
    },
    Target {
        name: "accounts",
        what: "GetAccountAuthorizationDetails files: parse, then the sweep (principals, effective access, policies)",
        run: accounts,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Initialise what the harnesses build once (settings, the templates' patterns, sample events,
/// the action catalogue) and run each on one real input: before AFL++'s fork server starts, so
/// that no execution pays for it and the first one does not differ from the others (stability).
pub fn warm_up() {
    std::hint::black_box(settings());
    std::hint::black_box(patterns());
    std::hint::black_box(requests());
    std::hint::black_box(allow_all());
    std::hint::black_box(guardrail_rules::policy::catalog());
    for event in sample_events() {
        events(event.to_string().as_bytes());
    }
    config(include_bytes!(
        "../../../events/ebs/config-change-unencrypted.json"
    ));
    policies(ALLOW_ALL.as_bytes());
    templates(include_bytes!(
        "../../../tests/data/templates/sam-managed-policies.yaml"
    ));
    credentials(b"user,arn,mfa_active,password_enabled,access_key_1_active,access_key_2_active\nalice,arn:aws:iam::123456789012:user/alice,false,true,true,false\n");
    accounts(br#"{"UserDetailList":[{"UserName":"alice","UserId":"AIDA1","Arn":"arn:aws:iam::123456789012:user/alice","Path":"/","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}]}]}"#);
}

/// The fixed clock of every harness (2024-06-01T00:00:00Z): the core has no clock of its own.
const NOW: i64 = 1_717_200_000;
const ACCOUNT: &str = "123456789012";

/// The settings each input is judged under: the defaults, and a deployment that switches on
/// everything optional (region allow-list, required boundary, exemptions, members, remediate).
fn settings() -> &'static [Settings; 2] {
    static SETTINGS: OnceLock<[Settings; 2]> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let strict = Settings::from_lookup(|key| {
            let v = match key {
                "GUARDRAIL_DRY_RUN" => "false",
                "GUARDRAIL_DEFAULT_MODE" => "remediate",
                "GUARDRAIL_EXEMPT_PRINCIPALS" => "arn:aws:iam::123456789012:role/BreakGlass",
                "GUARDRAIL_EXEMPT_ACCOUNTS" => "999999999999",
                "GUARDRAIL_OWN_ROLE_ARN" => "arn:aws:iam::123456789012:role/guardrail-fn",
                "GUARDRAIL_ACCOUNT_ID" => ACCOUNT,
                "GUARDRAIL_MEMBER_ROLE_NAME" => "GuardrailMember",
                "GUARDRAIL_MEMBER_ACCOUNTS" => "210987654321",
                "GUARDRAIL_MFA_POLICY_ARN" => "arn:aws:iam::123456789012:policy/RequireMfa",
                "GUARDRAIL_REQUIRED_BOUNDARY_ARN" => "arn:aws:iam::123456789012:policy/Boundary",
                "GUARDRAIL_ALLOWED_REGIONS" => "us-east-1,eu-west-1",
                "GUARDRAIL_REGION_INCLUDE_READ_ONLY" => "true",
                "GUARDRAIL_DEPLOYER_PRINCIPALS" => "arn:aws:iam::123456789012:role/deployer",
                _ => return None,
            };
            Some(v.to_string())
        })
        // A harness mistake, not a finding: fall back rather than report a false crash.
        .unwrap_or_default();
        [Settings::default(), strict]
    })
}

/// Bytes as text: the decoders take `&str`, and invalid UTF-8 is refused before them (by
/// Lambda's runtime and the CLI's readers) exactly like this.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

fn render(findings: &[Finding]) {
    for f in findings {
        std::hint::black_box(alert::render(f));
    }
}

/// The EventBridge patterns of the project's own templates, which every event is matched
/// against (the matcher is fed fuzzed events here and fuzzed patterns in [`templates`]).
fn patterns() -> &'static [Value] {
    static PATTERNS: OnceLock<Vec<Value>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            include_str!("../../../template.yaml"),
            include_str!("../../../templates/member.yaml"),
        ]
        .iter()
        .filter_map(|t| cfn::from_yaml(t).ok())
        .flat_map(|t| cfn::event_rules(&t, &|_| None))
        .filter_map(|r| r.pattern)
        .collect()
    })
}

/// A few real-shaped events, which the patterns of fuzzed templates are matched against.
fn sample_events() -> &'static [Value] {
    static EVENTS: OnceLock<Vec<Value>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        [
            include_str!("../../../events/iam/attach-user-policy-admin.json"),
            include_str!("../../../events/ebs/create-volume-unencrypted.json"),
            include_str!("../../../events/signin/console-login-root.json"),
        ]
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect()
    })
}

/// Everything a function does with a decoded invocation before it reads AWS.
fn judge_trigger(trigger: &Trigger) {
    std::hint::black_box(trigger.label());
    std::hint::black_box(serde_json::to_string(trigger).ok());
    for settings in settings() {
        match trigger {
            Trigger::ApiCall(call) => {
                std::hint::black_box(call.failed());
                std::hint::black_box(call.principal.display());
                // The gate's answer does not stop the fuzzer: judge every call, as if it passed.
                std::hint::black_box(gate::screen(call, settings).is_ok());
                let ctx = EventContext::of(call);
                for judge in CALL_JUDGES {
                    // Every judge decides what it needs (this decodes the request parameters);
                    // only those that need nothing, or only optional facts (judged as unread),
                    // can judge without AWS.
                    let Some(read) = (judge.needs)(call, settings).and_then(|n| n.without_aws("fuzz"))
                    else {
                        continue;
                    };
                    let judged = (judge.judge)(call, &read, &ctx, settings);
                    render(&judged.findings);
                }
                std::hint::black_box(region::violation(call, settings).is_ok());
            }
            Trigger::Config(inv) => {
                std::hint::black_box(Outcome::screen_config(inv, settings).is_ok());
                if let ConfigMessage::ItemChange(item) | ConfigMessage::Oversized(item) =
                    &inv.message
                {
                    let evaluation =
                        ebs::evaluate_config_item(item, inv.event_left_scope, &settings.exempt_tag);
                    std::hint::black_box(evaluation);
                }
            }
            Trigger::Schedule(_) => {}
        }
    }
}

/// Target `events`: an EventBridge envelope (a CloudTrail API call or console sign-in, or a
/// schedule) as a function receives it.
pub fn events(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if text.len() > trigger::MAX_EVENT_BYTES {
        return;
    }
    let Ok(event) = serde_json::from_str::<Value>(text) else {
        return;
    };
    // Config invocations are the `config` target's.
    if event.get("detail-type").is_none() {
        return;
    }
    for pattern in patterns() {
        std::hint::black_box(eventbridge::matches(pattern, &event).ok());
    }
    if let Ok(trigger) = trigger::decode(&event) {
        judge_trigger(&trigger);
    }
}

/// Target `config`: an AWS Config custom-rule invocation (its `invokingEvent` and
/// `ruleParameters` are JSON inside JSON strings).
pub fn config(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if !(text.contains("invokingEvent") || text.contains("configRuleName")) {
        return;
    }
    if let Ok(trigger @ Trigger::Config(_)) = trigger::decode_str(text) {
        judge_trigger(&trigger);
    }
}

/// The requests every parsed policy is evaluated on: a plain one, one with conditions'
/// keys, and one as a principal of another account.
fn requests() -> &'static [RequestContext] {
    static REQUESTS: OnceLock<Vec<RequestContext>> = OnceLock::new();
    REQUESTS.get_or_init(|| {
        vec![
            RequestContext::new("s3:GetObject", "arn:aws:s3:::bucket/key"),
            RequestContext::new(
                "iam:CreatePolicyVersion",
                "arn:aws:iam::123456789012:policy/p",
            )
            .with("aws:MultiFactorAuthPresent", "true")
            .with("aws:RequestedRegion", "eu-west-1")
            .with("aws:SourceIp", "10.1.2.3")
            .with("aws:username", "alice")
            .with("aws:PrincipalTag/team", "ops"),
            RequestContext::new("sts:AssumeRole", "arn:aws:iam::123456789012:role/deploy")
                .with("aws:PrincipalAccount", "210987654321")
                .with("sts:ExternalId", "x-1"),
        ]
    })
}

fn options(kind: PolicyKind, account: &str, regions: bool) -> AnalysisOptions {
    AnalysisOptions {
        kind,
        own_account: Some(account.to_string()),
        allowed_regions: regions.then(|| vec!["us-east-1".to_string(), "eu-west-1".to_string()]),
    }
}

/// Target `policies`: an IAM policy document (raw or URL-encoded JSON) as `check-policy`,
/// the live policy rules and `simulate` read it.
pub fn policies(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(doc) = PolicyDocument::parse(text) else {
        return;
    };
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Trust,
        PolicyKind::ResourceBased,
        PolicyKind::Scp,
    ] {
        std::hint::black_box(analyze(&doc, &options(kind, ACCOUNT, true)));
    }
    let identity = options(PolicyKind::Identity, ACCOUNT, false);
    std::hint::black_box(analyze_for_alerts(&doc, &identity));
    std::hint::black_box(analyze_trust(
        &doc,
        &options(PolicyKind::Trust, ACCOUNT, false),
    ));
    let caller = Caller::from_arn("arn:aws:iam::123456789012:user/alice");
    // The same document as identity policy, as boundary and as SCP of a second one.
    let allow_all = allow_all();
    let set = PolicySet {
        identity: vec![allow_all],
        boundary: Some(&doc),
        scps: vec![&doc],
        ..PolicySet::default()
    };
    for request in requests() {
        std::hint::black_box(evaluate(&[&doc], request));
        std::hint::black_box(decide(&set, Some(&caller), request));
    }
}

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn allow_all() -> &'static PolicyDocument {
    static DOC: OnceLock<Option<PolicyDocument>> = OnceLock::new();
    DOC.get_or_init(|| PolicyDocument::parse(ALLOW_ALL).ok())
        .as_ref()
        .expect("a constant policy parses")
}

/// Target `templates`: a CloudFormation/SAM template, as `check-template` and `guardrail
/// event` read it.
pub fn templates(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(template) = cfn::from_yaml(text) else {
        return;
    };
    std::hint::black_box(cfn::resolve(&template));
    for tp in cfn::policies(&template) {
        if let Ok(doc) = PolicyDocument::from_value(&tp.document) {
            std::hint::black_box(analyze(&doc, &options(tp.kind, PSEUDO_ACCOUNT, false)));
        }
    }
    let (principals, notes) = cfn::principals(&template);
    for note in &notes {
        std::hint::black_box(note.to_string());
    }
    let identity = options(PolicyKind::Identity, PSEUDO_ACCOUNT, false);
    for principal in &principals {
        std::hint::black_box(principal.machine_only());
        let (held, _unknown) = principal.held_policies(|_| None);
        let documents: Vec<PolicyDocument> = held
            .iter()
            .filter_map(|p| PolicyDocument::from_value(&p.document).ok())
            .collect();
        let boundary = match principal.held_boundary(|_| None) {
            Some(Ok(b)) => PolicyDocument::from_value(&b.document).ok(),
            _ => None,
        };
        let set = PolicySet {
            identity: documents.iter().collect(),
            boundary: boundary.as_ref(),
            ..PolicySet::default()
        };
        let resource = match principal.kind {
            TemplatePrincipalKind::User => "user",
            TemplatePrincipalKind::Group => "group",
            _ => "role",
        };
        let caller = Caller::from_arn(&format!(
            "arn:aws:iam::{PSEUDO_ACCOUNT}:{resource}/{}",
            principal.logical_id
        ));
        if let Some(probe) = Probe::for_set(set, Some(caller), &identity) {
            std::hint::black_box(analyze_principal(&probe).into_findings());
        }
    }
    for rule in cfn::event_rules(&template, &|_| None) {
        if let Some(pattern) = &rule.pattern {
            for event in sample_events() {
                std::hint::black_box(eventbridge::matches(pattern, event).ok());
            }
        }
    }
}

/// Target `credentials`: the CSV of IAM's GetCredentialReport, as the sweep reads it.
pub fn credentials(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(report) = CredentialReport::parse(text) else {
        return;
    };
    // Config names users by id: give every user of the report one.
    let users: Vec<UserDetail> = report
        .users()
        .enumerate()
        .map(|(i, row)| UserDetail {
            name: row.user.clone(),
            id: format!("AIDA{i:016}"),
            arn: row.arn.clone(),
            ..UserDetail::default()
        })
        .collect();
    for settings in settings() {
        std::hint::black_box(sweep::key_lookups(&report, NOW, settings));
        std::hint::black_box(sweep::user_evaluations(
            &users, &report, NOW, settings, None,
        ));
    }
    let facts = SweepFacts {
        account: ACCOUNT.to_string(),
        iam_region: "us-east-1".to_string(),
        now: NOW,
        credential_report: Some(report),
        ..SweepFacts::default()
    };
    for settings in settings() {
        render(&sweep::run(&facts, settings).findings);
    }
}

/// Target `accounts`: the JSON of `aws iam get-account-authorization-details`, as `guardrail
/// access` and the sweep read it.
pub fn accounts(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(facts) = sweep::parse_account_file(text) else {
        return;
    };
    // The sweep builds the principals and judges their effective access as `guardrail access`
    // does (Principals::build, access::judge), then the account's policies.
    let account = facts.account_id().unwrap_or_else(|| ACCOUNT.to_string());
    let facts = SweepFacts {
        account,
        iam_region: "us-east-1".to_string(),
        now: NOW,
        iam: facts,
        ..SweepFacts::default()
    };
    render(&sweep::run(&facts, &settings()[1]).findings);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every harness takes empty, non-UTF-8 and trivially wrong input.
    #[test]
    fn harnesses_take_junk() {
        for t in TARGETS {
            for junk in [
                &b""[..],
                b"\xff\xfe",
                b"{}",
                b"[]",
                b"null",
                b"{\"detail-type\":1}",
            ] {
                (t.run)(junk);
            }
        }
    }

    #[test]
    fn warm_up_runs() {
        warm_up();
    }

    #[test]
    fn fixed_inputs_are_there() {
        assert!(
            patterns().len() >= 4,
            "template.yaml's EventBridge patterns"
        );
        assert_eq!(sample_events().len(), 3);
        assert_eq!(
            settings()[1].allowed_regions.len(),
            2,
            "strict settings parsed"
        );
    }
}
