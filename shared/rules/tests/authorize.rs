//! The complete decision ([`authorize`]): one test per rule of AWS's documented evaluation
//! logic, each citing the sentence of the IAM User Guide it implements.

use guardrail_rules::policy::{
    authorize, evaluate, Caller, CallerKind, Grant, PolicyDocument, PolicySet, PolicyType,
    RequestContext, ResourcePolicy, Verdict,
};
use serde_json::json;

const ACCOUNT: &str = "111122223333";
const OTHER: &str = "444455556666";
const USER: &str = "arn:aws:iam::111122223333:user/alice";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";
const BUCKET: &str = "arn:aws:s3:::bucket/key";

fn doc(v: serde_json::Value) -> PolicyDocument {
    PolicyDocument::from_value(&v).expect("test policy parses")
}

fn allow(action: &str) -> PolicyDocument {
    doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": "*"}]}))
}

fn deny(action: &str) -> PolicyDocument {
    doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": action, "Resource": "*"}]}))
}

fn bucket_policy(principal: serde_json::Value) -> PolicyDocument {
    doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]}))
}

fn request(caller: &Caller, action: &str, resource: &str) -> RequestContext {
    let mut ctx = RequestContext::new(action, resource);
    caller.fill_request_keys(&mut ctx);
    ctx
}

fn verdict(set: &PolicySet<'_>, caller: &Caller, action: &str) -> (Verdict, Option<PolicyType>) {
    let a = authorize(set, Some(caller), &request(caller, action, BUCKET));
    (a.decision.verdict, a.decided_by)
}

#[test]
fn an_explicit_deny_in_any_policy_wins() {
    // "An explicit deny in any policy overrides any allows."
    let admin = allow("*");
    let d = deny("s3:GetObject");
    let user = Caller::from_arn(USER);
    for place in ["identity", "boundary", "session", "scp"] {
        let mut set = PolicySet::identity(vec![&admin]);
        match place {
            "identity" => set.identity.push(&d),
            "boundary" => set.boundary = Some(&d),
            "session" => set.session.push(&d),
            _ => set.scps.push(&d),
        }
        let a = authorize(&set, Some(&user), &request(&user, "s3:GetObject", BUCKET));
        assert_eq!(a.decision.verdict, Verdict::ExplicitDeny, "{place}");
        let by = a.decided_by.expect("a deny decides");
        let deciding = a.decision.deciding.expect("deciding statement");
        assert_eq!(set.policy_type(deciding.policy), Some(by), "{place}");
    }
}

#[test]
fn scps_must_allow_the_action() {
    // "If an SCP is present, ... the request is allowed only if the SCP allows it": each action
    // must be allowed by one SCP of the account and denied by none.
    let admin = allow("*");
    let s3_only = allow("s3:*");
    let ec2_only = allow("ec2:*");
    let user = Caller::from_arn(USER);
    let mut set = PolicySet::identity(vec![&admin]);
    set.scps = vec![&ec2_only];
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::Scp))
    );
    set.scps.push(&s3_only);
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::Allow, Some(PolicyType::Identity))
    );
    // SCPs never grant: without an identity allow the request is denied.
    let nothing = allow("sqs:GetQueueUrl");
    let set = PolicySet {
        identity: vec![&nothing],
        scps: vec![&s3_only],
        ..PolicySet::default()
    };
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::Identity))
    );
}

#[test]
fn a_permissions_boundary_caps_identity_policies() {
    // "An entity's permissions boundary allows it to perform only the actions that are allowed
    // by both its identity-based policies and its permissions boundaries."
    let admin = allow("*");
    let boundary = allow("s3:*");
    let user = Caller::from_arn(USER);
    let set = PolicySet {
        identity: vec![&admin],
        boundary: Some(&boundary),
        ..PolicySet::default()
    };
    assert_eq!(verdict(&set, &user, "s3:GetObject").0, Verdict::Allow);
    assert_eq!(
        verdict(&set, &user, "iam:CreateUser"),
        (Verdict::ImplicitDeny, Some(PolicyType::PermissionsBoundary))
    );
    // A boundary grants nothing by itself.
    let nothing = allow("sqs:GetQueueUrl");
    let set = PolicySet {
        identity: vec![&nothing],
        boundary: Some(&boundary),
        ..PolicySet::default()
    };
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::Identity))
    );
}

#[test]
fn session_policies_cap_the_session() {
    // "The resulting session's permissions are the intersection of the entity's identity-based
    // policies and the session policies."
    let admin = allow("*");
    let session = allow("s3:GetObject");
    let role = Caller::from_arn(SESSION);
    let set = PolicySet {
        identity: vec![&admin],
        session: vec![&session],
        ..PolicySet::default()
    };
    assert_eq!(verdict(&set, &role, "s3:GetObject").0, Verdict::Allow);
    assert_eq!(
        verdict(&set, &role, "s3:PutObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::Session))
    );
}

#[test]
fn same_account_resource_policy_grant_to_a_user_is_not_capped_by_its_boundary() {
    // "Within an account, an implicit deny in a permissions boundary does not limit the
    // permissions granted to an IAM user by a resource-based policy."
    let nothing = allow("sqs:GetQueueUrl");
    let boundary = allow("ec2:*");
    let bucket = bucket_policy(json!({"AWS": USER}));
    let user = Caller::from_arn(USER);
    let set = PolicySet {
        identity: vec![&nothing],
        boundary: Some(&boundary),
        resource: Some(ResourcePolicy { document: &bucket }),
        resource_account: Some(ACCOUNT.into()),
        ..PolicySet::default()
    };
    let a = authorize(&set, Some(&user), &request(&user, "s3:GetObject", BUCKET));
    assert_eq!(a.decision.verdict, Verdict::Allow);
    assert_eq!(a.decided_by, Some(PolicyType::ResourceBased));
    assert_eq!(a.resource_grant, Some(Grant::Caller));
}

#[test]
fn same_account_grant_to_a_role_arn_is_capped_by_boundary_and_session_policy() {
    // "Resource-based policies that grant permissions to an IAM role ARN are limited by an
    // implicit deny in a permissions boundary or session policy."
    let nothing = allow("sqs:GetQueueUrl");
    let boundary = allow("ec2:*");
    let bucket = bucket_policy(json!({"AWS": ROLE}));
    let role = Caller::from_arn(SESSION);
    assert_eq!(role.role_arn.as_deref(), Some(ROLE));
    let mut set = PolicySet {
        identity: vec![&nothing],
        resource: Some(ResourcePolicy { document: &bucket }),
        resource_account: Some(ACCOUNT.into()),
        ..PolicySet::default()
    };
    // Without a boundary the grant stands alone (no identity allow needed).
    assert_eq!(
        verdict(&set, &role, "s3:GetObject"),
        (Verdict::Allow, Some(PolicyType::ResourceBased))
    );
    set.boundary = Some(&boundary);
    assert_eq!(
        verdict(&set, &role, "s3:GetObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::PermissionsBoundary))
    );
    let session = allow("ec2:*");
    set.boundary = None;
    set.session = vec![&session];
    assert_eq!(
        verdict(&set, &role, "s3:GetObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::Session))
    );
}

#[test]
fn same_account_grant_to_a_role_session_arn_is_not_capped() {
    // "Resource-based policies that grant permissions to an IAM role session ARN ... are not
    // limited by an implicit deny in a permissions boundary or session policy."
    let nothing = allow("sqs:GetQueueUrl");
    let boundary = allow("ec2:*");
    let bucket = bucket_policy(json!({"AWS": SESSION}));
    let role = Caller::from_arn(SESSION);
    let set = PolicySet {
        identity: vec![&nothing],
        boundary: Some(&boundary),
        resource: Some(ResourcePolicy { document: &bucket }),
        resource_account: Some(ACCOUNT.into()),
        ..PolicySet::default()
    };
    assert_eq!(
        verdict(&set, &role, "s3:GetObject"),
        (Verdict::Allow, Some(PolicyType::ResourceBased))
    );
}

#[test]
fn a_grant_to_the_account_delegates_to_identity_policies() {
    // A resource policy naming the account ("arn:aws:iam::ACCOUNT:root") delegates the
    // decision to the account's identity policies: it grants nothing by itself.
    let nothing = allow("sqs:GetQueueUrl");
    let reader = allow("s3:GetObject");
    let bucket = bucket_policy(json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}));
    let user = Caller::from_arn(USER);
    let mut set = PolicySet {
        identity: vec![&nothing],
        resource: Some(ResourcePolicy { document: &bucket }),
        resource_account: Some(ACCOUNT.into()),
        ..PolicySet::default()
    };
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::Identity))
    );
    set.identity = vec![&reader];
    assert_eq!(verdict(&set, &user, "s3:GetObject").0, Verdict::Allow);
}

#[test]
fn cross_account_access_needs_both_sides() {
    // "For cross-account requests, ... both the identity-based policy in the requesting account
    // and the resource-based policy in the trusting account must allow the request."
    let reader = allow("s3:GetObject");
    let nothing = allow("sqs:GetQueueUrl");
    let open_to_account = bucket_policy(json!({"AWS": ACCOUNT}));
    let user = Caller::from_arn(USER);
    let mut set = PolicySet {
        identity: vec![&reader],
        resource_account: Some(OTHER.into()),
        ..PolicySet::default()
    };
    // No resource policy in the other account: denied, whatever the identity side says.
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::ResourceBased))
    );
    set.resource = Some(ResourcePolicy {
        document: &open_to_account,
    });
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::Allow, Some(PolicyType::Identity))
    );
    // The resource policy alone is not enough across accounts.
    set.identity = vec![&nothing];
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::ImplicitDeny, Some(PolicyType::Identity))
    );
}

#[test]
fn not_principal_deny_always_denies_a_principal_with_a_boundary() {
    // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has
    // a permissions boundary policy attached, regardless of the values specified in the
    // NotPrincipal element."
    let admin = allow("*");
    let boundary = allow("*");
    let bucket = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": USER}, "Action": "s3:*", "Resource": "*"}]}));
    let user = Caller::from_arn(USER);
    let mut set = PolicySet {
        identity: vec![&admin],
        resource: Some(ResourcePolicy { document: &bucket }),
        resource_account: Some(ACCOUNT.into()),
        ..PolicySet::default()
    };
    assert_eq!(verdict(&set, &user, "s3:GetObject").0, Verdict::Allow);
    set.boundary = Some(&boundary);
    assert_eq!(
        verdict(&set, &user, "s3:GetObject"),
        (Verdict::ExplicitDeny, Some(PolicyType::ResourceBased))
    );
}

#[test]
fn identity_only_sets_decide_as_evaluate_does() {
    let docs = [allow("s3:*"), deny("s3:DeleteBucket")];
    let refs: Vec<&PolicyDocument> = docs.iter().collect();
    let user = Caller::from_arn(USER);
    for action in ["s3:GetObject", "s3:DeleteBucket", "ec2:RunInstances"] {
        let ctx = request(&user, action, BUCKET);
        let a = authorize(&PolicySet::identity(refs.clone()), Some(&user), &ctx);
        assert_eq!(a.decision, evaluate(&refs, &ctx), "{action}");
    }
}

#[test]
fn callers_carry_the_keys_a_real_request_carries() {
    let user = Caller::from_arn(USER);
    assert_eq!(user.kind, CallerKind::User);
    let ctx = request(&user, "s3:GetObject", BUCKET);
    assert_eq!(ctx.values("aws:username"), Some(&["alice".to_string()][..]));
    assert_eq!(
        ctx.values("aws:PrincipalArn"),
        Some(&[USER.to_string()][..])
    );
    assert_eq!(
        ctx.values("aws:PrincipalAccount"),
        Some(&[ACCOUNT.to_string()][..])
    );
    // A role (given by its ARN) acts as a session; aws:PrincipalArn is the role's ARN and
    // there is no aws:username.
    let role = Caller::from_arn(ROLE);
    assert_eq!(role.kind, CallerKind::RoleSession);
    assert!(role
        .arn
        .starts_with("arn:aws:sts::111122223333:assumed-role/app/"));
    let ctx = request(&role, "s3:GetObject", BUCKET);
    assert_eq!(ctx.values("aws:username"), None);
    assert_eq!(
        ctx.values("aws:PrincipalArn"),
        Some(&[ROLE.to_string()][..])
    );
    // An explicit value wins.
    let mut ctx = RequestContext::new("s3:GetObject", BUCKET).with("aws:username", "bob");
    user.fill_request_keys(&mut ctx);
    assert_eq!(ctx.values("aws:username"), Some(&["bob".to_string()][..]));
}

/// "If AWS cannot resolve a variable this might cause the entire statement to be invalid"
/// (IAM User Guide, "IAM policy elements: Variables and tags"): a statement whose variable
/// has no value does not apply, so negations cannot turn the missing value into a match.
#[test]
fn an_unresolved_variable_makes_its_statement_not_apply() {
    let role = Caller::from_arn(ROLE);
    let user = Caller::from_arn(USER);
    // NotResource with ${aws:username}: a role session has no username.
    let not_resource = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:*",
         "NotResource": "arn:aws:iam::111122223333:user/${aws:username}"}]}));
    let set = PolicySet::identity(vec![&not_resource]);
    let target = "arn:aws:iam::111122223333:user/mallory";
    let a = |c: &Caller| authorize(&set, Some(c), &request(c, "iam:CreateUser", target));
    assert_eq!(a(&role).decision.verdict, Verdict::ImplicitDeny);
    assert_eq!(a(&user).decision.verdict, Verdict::Allow);
    // StringNotEquals against ${aws:username}, in an Allow and in a Deny.
    let allow_not_equals = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringNotEquals": {"s3:prefix": "${aws:username}/"}}}]}));
    let mut ctx = request(&role, "s3:GetObject", BUCKET);
    ctx.set("s3:prefix", vec!["someone/".into()]);
    assert_eq!(
        evaluate(&[&allow_not_equals], &ctx).verdict,
        Verdict::ImplicitDeny
    );
    let admin = allow("*");
    let deny_not_equals = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringNotEquals": {"s3:prefix": "${aws:username}/"}}}]}));
    assert_eq!(
        evaluate(&[&admin, &deny_not_equals], &ctx).verdict,
        Verdict::Allow,
        "a Deny written with an unresolved variable does not over-deny"
    );
    // A default value resolves it.
    let with_default = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:*",
         "NotResource": "arn:aws:iam::111122223333:user/${aws:username, 'nobody'}"}]}));
    let set = PolicySet::identity(vec![&with_default]);
    let d = authorize(&set, Some(&role), &request(&role, "iam:CreateUser", target));
    assert_eq!(d.decision.verdict, Verdict::Allow);
    // An absent condition key under IfExists is decided without consulting the value.
    let if_exists = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEqualsIfExists": {"s3:prefix": "${aws:username}/"}}}]}));
    let ctx = request(&role, "s3:GetObject", BUCKET);
    assert_eq!(evaluate(&[&if_exists], &ctx).verdict, Verdict::Allow);
}
