//! `ec2-image-shared` (issue 17 item 1) on the `events/exposure/modify-image-attribute-*`
//! files and, when present, Panther's real-shaped AMI records in
//! `../shared/data/cloudtrail-samples/`: judged on the launch permissions as "re-read" here.

use guardrail_rules::finding::{ActionStatus, EventContext};
use guardrail_rules::gate;
use guardrail_rules::plan::RemediationStep;
use guardrail_rules::rules::registry::{call_judges, Judged, Need, Read, SnapshotShares};
use guardrail_rules::rules::Function;
use guardrail_rules::severity::Severity;
use guardrail_rules::trigger::{decode, decode_str, ApiCall, Trigger};
use guardrail_rules::Settings;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const AMI: &str = "ami-0a1b2c3d4e5f60718";
const RULE: &str = "ec2-image-shared";

fn call(rel: &str) -> Box<ApiCall> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(rel);
    match decode_str(&std::fs::read_to_string(path).unwrap()).unwrap() {
        Trigger::ApiCall(c) => c,
        other => panic!("{other:?}"),
    }
}

fn settings(env: &[(&str, &str)]) -> Settings {
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| env.get(k).cloned()).unwrap()
}

fn shares(public: bool, accounts: &[&str]) -> SnapshotShares {
    SnapshotShares {
        snapshot_id: AMI.to_string(),
        public,
        accounts: accounts.iter().map(|a| a.to_string()).collect(),
        tags: Default::default(),
    }
}

/// exposure-guard's judgement with `read` as the image's permissions (`None`: gone).
fn judged(call: &ApiCall, read: Option<SnapshotShares>, settings: &Settings) -> Judged {
    let mut out = Judged::default();
    if gate::screen(call, settings).is_err() {
        return out;
    }
    let ctx = EventContext::of(call);
    for judge in call_judges(Function::ExposureGuard) {
        let Some(need) = (judge.needs)(call, settings) else {
            continue;
        };
        let Need::ImageShares { image_id, region } = need else {
            panic!("{}: {need:?}", judge.rules[0].id);
        };
        assert_eq!(region, call.region);
        assert_eq!(image_id, call.request_str("imageId").unwrap());
        let j = (judge.judge)(call, &Read::ImageShares(read.clone()), &ctx, settings);
        out.findings.extend(j.findings);
        out.notes.extend(j.notes);
    }
    out
}

#[test]
fn a_public_image_is_critical_and_its_removal_says_how_to_undo() {
    let c = call("exposure/modify-image-attribute-public.json");
    let out = judged(&c, Some(shares(true, &[])), &settings(&[]));
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let f = &out.findings[0];
    assert_eq!(f.rule, RULE);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(
        f.resource.arn,
        format!("arn:aws:ec2:ap-northeast-2::image/{AMI}")
    );
    let a = &f.actions[0];
    assert_eq!(a.status, ActionStatus::Recommended, "alert only by default");
    let RemediationStep::RemoveImageShares {
        public, accounts, ..
    } = &a.step
    else {
        panic!("{a:?}")
    };
    assert!(*public && accounts.is_empty());
    assert!(
        a.step.describe().contains(&format!(
            "aws ec2 modify-image-attribute --region ap-northeast-2 --image-id {AMI} \
             --launch-permission 'Add=[{{Group=all}}]'"
        )),
        "{}",
        a.step.describe()
    );
    let live = settings(&[
        ("GUARDRAIL_RULE_MODES", "ec2-image-shared=remediate"),
        ("GUARDRAIL_DRY_RUN", "false"),
    ]);
    let out = judged(&c, Some(shares(true, &[])), &live);
    assert_eq!(out.findings[0].actions[0].status, ActionStatus::Pending);
}

#[test]
fn a_foreign_account_is_high_and_allowed_accounts_keep_their_share() {
    let c = call("exposure/modify-image-attribute-foreign-account.json");
    let s = settings(&[("GUARDRAIL_SHARE_ACCOUNTS", "111122223333")]);
    let out = judged(
        &c,
        Some(shares(false, &["210987654321", "111122223333"])),
        &s,
    );
    assert_eq!(out.findings.len(), 1, "{out:?}");
    let f = &out.findings[0];
    assert_eq!(f.severity, Severity::High);
    let RemediationStep::RemoveImageShares { accounts, .. } = &f.actions[0].step else {
        panic!("{f:?}")
    };
    assert_eq!(accounts, &["210987654321"]);
    // Shared only with allowed accounts, or already unshared: nothing.
    assert!(judged(&c, Some(shares(false, &["111122223333"])), &s)
        .findings
        .is_empty());
    assert!(judged(&c, Some(shares(false, &[])), &s).findings.is_empty());
    // Deregistered since: a note.
    let out = judged(&c, None, &s);
    assert!(out.findings.is_empty() && out.notes.iter().any(|n| n.contains("no longer exists")));
}

#[test]
fn removals_descriptions_failed_calls_and_hostile_shapes_are_not_judged() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../events/exposure/modify-image-attribute-public.json"),
    )
    .unwrap();
    let base: Value = serde_json::from_str(&text).unwrap();
    let with = |params: Value, error: Option<&str>| {
        let mut v = base.clone();
        v["detail"]["requestParameters"] = params;
        if let Some(e) = error {
            v["detail"]["errorCode"] = json!(e);
        }
        match decode(&v).unwrap() {
            Trigger::ApiCall(c) => c,
            other => panic!("{other:?}"),
        }
    };
    let s = settings(&[]);
    let cases = [
        json!({"imageId": AMI, "launchPermission": {"remove": {"items": [{"group": "all"}]}}}),
        json!({"imageId": AMI, "description": {"value": "web"}}),
        json!({"imageId": "not-an-ami", "launchPermission": {"add": {"items": [{"group": "all"}]}}}),
        json!({"imageId": 7, "launchPermission": {"add": {"items": "all"}}}),
        json!(null),
    ];
    for params in cases {
        let c = with(params.clone(), None);
        assert!(
            judged(&c, Some(shares(true, &[])), &s).findings.is_empty(),
            "{params}"
        );
    }
    let c = with(
        base["detail"]["requestParameters"].clone(),
        Some("Client.UnauthorizedOperation"),
    );
    assert!(judged(&c, Some(shares(true, &[])), &s).findings.is_empty());
}

/// Panther's AMI records: made public and shared with a user are judged (they ask for a
/// re-read), a group other than `all` and an error are not.
#[test]
fn the_real_ami_records_ask_for_a_re_read_only_when_they_share() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/data/cloudtrail-samples/panther/AWS.CloudTrail.AMIModifiedForPublicAccess",
    );
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} not present", dir.display());
        return;
    };
    let s = settings(&[]);
    let mut asked = Vec::new();
    for e in entries.flatten() {
        let record: Value =
            serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
        let v = json!({
            "version": "0", "id": "00000000-0000-0000-0000-000000000000",
            "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
            "account": record.get("recipientAccountId").cloned().unwrap_or(json!("123456789012")),
            "time": "2026-01-01T00:00:00Z", "region": record["awsRegion"], "resources": [],
            "detail": record,
        });
        let Ok(Trigger::ApiCall(c)) = decode(&v) else {
            continue;
        };
        if gate::screen(&c, &s).is_err() {
            continue;
        }
        if call_judges(Function::ExposureGuard).any(|j| (j.needs)(&c, &s).is_some()) {
            asked.push(e.file_name().to_string_lossy().to_string());
        }
    }
    asked.sort();
    // "not made public" adds a group other than `all`: the re-read decides (nothing public).
    for want in ["01-ami-made-public.json", "04-ami-added-to-user.json"] {
        assert!(asked.iter().any(|a| a == want), "{want}: {asked:?}");
    }
    assert!(!asked.iter().any(|a| a.starts_with("05-")), "{asked:?}");
}

/// The sweep judges every own image of every swept region the same way.
#[test]
fn the_sweep_finds_public_and_foreign_shared_images() {
    use guardrail_rules::ebs::RegionFacts;
    use guardrail_rules::rules::registry::SWEEP_JUDGES;
    use guardrail_rules::sweep::{RegionSweep, SweepFacts};
    let region = |name: &str, images: Vec<SnapshotShares>| RegionSweep {
        images,
        ..RegionSweep::new(RegionFacts {
            region: name.to_string(),
            account: "123456789012".to_string(),
            encryption_by_default: true,
        })
    };
    let mut private = shares(false, &["123456789012"]);
    private.snapshot_id = "ami-0bbbbbbbbbbbbbbb2".into();
    let facts = SweepFacts {
        account: "123456789012".to_string(),
        regions: vec![
            region("ap-northeast-2", vec![shares(true, &[]), private]),
            region("us-east-1", vec![shares(false, &["210987654321"])]),
        ],
        ..SweepFacts::default()
    };
    let s = settings(&[]);
    let mut found = Vec::new();
    for j in SWEEP_JUDGES {
        let mut out = guardrail_rules::sweep::Swept::default();
        (j.judge)(&facts, &s, &mut out);
        found.extend(out.findings.into_iter().filter(|f| f.rule == RULE));
    }
    let got: Vec<(String, Severity)> = found
        .iter()
        .map(|f| (f.region.clone(), f.severity))
        .collect();
    assert_eq!(
        got,
        [
            ("ap-northeast-2".to_string(), Severity::Critical),
            ("us-east-1".to_string(), Severity::High)
        ],
        "{found:#?}"
    );
    assert!(found[0]
        .reason
        .starts_with(&format!("image {AMI} in ap-northeast-2 is shared")));
}

/// `ec2-block-public-access-off`: the account-level switch for snapshots (and images) turned
/// off is alerted with its undo; turned on is nothing.
#[test]
fn block_public_access_for_snapshots_switched_off_is_alerted() {
    let of = |rel: &str| -> Vec<guardrail_rules::Finding> {
        let c = call(rel);
        let s = settings(&[]);
        let ctx = EventContext::of(&c);
        call_judges(Function::ExposureGuard)
            .filter(|j| (j.needs)(&c, &s).is_some())
            .flat_map(|j| (j.judge)(&c, &Read::Nothing, &ctx, &s).findings)
            .collect()
    };
    for rel in [
        "exposure/disable-snapshot-block-public-access.json",
        "exposure/enable-snapshot-block-public-access-unblocked.json",
    ] {
        let found = of(rel);
        assert_eq!(found.len(), 1, "{rel}: {found:?}");
        assert_eq!(found[0].rule, "ec2-block-public-access-off");
        assert!(
            found[0].reason.contains(
                "aws ec2 enable-snapshot-block-public-access --region ap-northeast-2 --state block-all-sharing"
            ),
            "{}",
            found[0].reason
        );
    }
    assert!(of("exposure/enable-snapshot-block-public-access-all.json").is_empty());
}

/// In remediate mode the region's state is re-read and the switch turned back on while it is
/// still off (block-all-sharing for snapshots, block-new-sharing for images); alert mode reads
/// nothing and plans nothing.
#[test]
fn block_public_access_is_turned_back_on_in_remediate_mode_only_while_off() {
    use guardrail_rules::finding::ActionStatus;
    use guardrail_rules::rules::ec2_block_public_access_off::JUDGE;
    use guardrail_rules::rules::registry::Need;
    let c = call("exposure/disable-snapshot-block-public-access.json");
    assert_eq!((JUDGE.needs)(&c, &settings(&[])), Some(Need::Nothing));
    let s = settings(&[
        (
            "GUARDRAIL_RULE_MODES",
            "ec2-block-public-access-off=remediate",
        ),
        ("GUARDRAIL_DRY_RUN", "false"),
    ]);
    assert_eq!(
        (JUDGE.needs)(&c, &s),
        Some(Need::Ec2BlockPublicAccess {
            region: "ap-northeast-2".into(),
            images: false
        })
    );
    let ctx = EventContext::of(&c);
    let with = |state: &str| (JUDGE.judge)(&c, &Read::Ec2BlockPublicAccess(state.into()), &ctx, &s);
    let j = with("unblocked");
    let a = &j.findings[0].actions[0];
    assert_eq!(a.status, ActionStatus::Pending);
    assert!(
        a.step
            .describe()
            .contains("block-all-sharing; undo: aws ec2 disable-snapshot-block-public-access --region ap-northeast-2"),
        "{}",
        a.step.describe()
    );
    assert_eq!(
        with("block-all-sharing").findings[0].actions[0].status,
        ActionStatus::AlreadyDone
    );
    // Alert mode: the finding, no step.
    let j = (JUDGE.judge)(&c, &Read::Nothing, &ctx, &settings(&[]));
    assert!(j.findings[0].actions.is_empty());
    // Images: block-new-sharing, the one blocking state AMIs have.
    let img = call("exposure/disable-image-block-public-access.json");
    assert_eq!(
        (JUDGE.needs)(&img, &s),
        Some(Need::Ec2BlockPublicAccess {
            region: "ap-northeast-2".into(),
            images: true
        })
    );
    let j = (JUDGE.judge)(
        &img,
        &Read::Ec2BlockPublicAccess("unblocked".into()),
        &ctx,
        &s,
    );
    assert!(j.findings[0].actions[0]
        .step
        .describe()
        .contains("block-new-sharing; undo: aws ec2 disable-image-block-public-access"));
    // An Enable to a blocking state switches nothing off: not judged at all.
    let on = call("exposure/enable-snapshot-block-public-access-all.json");
    assert!((JUDGE.judge)(
        &on,
        &Read::Ec2BlockPublicAccess("unblocked".into()),
        &ctx,
        &s
    )
    .findings
    .is_empty());
}

/// An image with the exempt tag is left alone, said: by the event (the call cleared, no
/// step) and by the sweep (a note, no finding).
#[test]
fn an_image_with_the_exempt_tag_is_left_alone() {
    use guardrail_rules::ebs::RegionFacts;
    use guardrail_rules::rules::registry::SWEEP_JUDGES;
    use guardrail_rules::sweep::{RegionSweep, SweepFacts};
    let mut tagged = shares(true, &[]);
    tagged.tags.insert(
        "guardrail:exempt".to_string(),
        "public-golden-image".to_string(),
    );
    let s = settings(&[]);
    let c = call("exposure/modify-image-attribute-public.json");
    let ctx = EventContext::of(&c);
    let judge = call_judges(Function::ExposureGuard)
        .find(|j| j.rules.iter().any(|m| m.id == RULE))
        .unwrap();
    let j = (judge.judge)(&c, &Read::ImageShares(Some(tagged.clone())), &ctx, &s);
    assert!(j.findings.is_empty(), "{j:?}");
    assert_eq!(
        j.cleared.as_deref(),
        Some(format!("image {AMI} carries the exempt tag guardrail:exempt").as_str())
    );
    let facts = SweepFacts {
        account: "123456789012".to_string(),
        regions: vec![RegionSweep {
            images: vec![tagged],
            ..RegionSweep::new(RegionFacts {
                region: "ap-northeast-2".to_string(),
                account: "123456789012".to_string(),
                encryption_by_default: true,
            })
        }],
        ..SweepFacts::default()
    };
    let mut out = guardrail_rules::sweep::Swept::default();
    for j in SWEEP_JUDGES {
        (j.judge)(&facts, &s, &mut out);
    }
    assert!(!out.findings.iter().any(|f| f.rule == RULE), "{out:?}");
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("carries the exempt tag")),
        "{:?}",
        out.notes
    );
}
