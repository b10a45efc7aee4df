//! Actions that are not "made in a region" even though CloudTrail records a region for them.
//!
//! Global services (IAM, STS, Organizations, Route 53, CloudFront, billing, support, ...) are
//! served from one region, usually us-east-1, whatever the caller's allow-list says. Denying
//! or alerting on them would break the account, so they are exempt. The default list is AWS
//! Control Tower's region-deny control (`NotAction` of its SCP), the list AWS itself maintains
//! for exactly this purpose; users extend it with `GUARDRAIL_REGION_EXEMPT_ACTIONS`.
//!
//! Patterns are matched against the call's action as CloudTrail names it: the event source
//! without `.amazonaws.com`, a colon, the event name (`iam:CreateUser`). For most services that
//! is the IAM action; where a service logs under another source name than its IAM prefix, add
//! that name as an extra pattern.

use crate::glob;

/// AWS Control Tower region-deny control, `NotAction` list (global services and calls).
pub const CONTROL_TOWER_NOT_ACTIONS: &[&str] = &[
    "a4b:*",
    "access-analyzer:*",
    "account:*",
    "acm:*",
    "activate:*",
    "artifact:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "budgets:*",
    "ce:*",
    "chatbot:*",
    "chime:*",
    "cloudfront:*",
    "cloudtrail:LookupEvents",
    "compute-optimizer:*",
    "config:*",
    "consoleapp:*",
    "consolidatedbilling:*",
    "cur:*",
    "datapipeline:GetAccountLimits",
    "devicefarm:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "ecr-public:*",
    "fms:*",
    "freetier:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "importexport:*",
    "invoicing:*",
    "iq:*",
    "kms:*",
    "license-manager:ListReceivedLicenses",
    "lightsail:Get*",
    "mobileanalytics:*",
    "networkmanager:*",
    "notifications-contacts:*",
    "notifications:*",
    "organizations:*",
    "payments:*",
    "pricing:*",
    "resource-explorer-2:*",
    "route53-recovery-cluster:*",
    "route53-recovery-control-config:*",
    "route53-recovery-readiness:*",
    "route53:*",
    "route53domains:*",
    "s3:CreateMultiRegionAccessPoint",
    "s3:DeleteMultiRegionAccessPoint",
    "s3:DescribeMultiRegionAccessPointOperation",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketLocation",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetMultiRegionAccessPoint",
    "s3:GetMultiRegionAccessPointPolicy",
    "s3:GetMultiRegionAccessPointPolicyStatus",
    "s3:GetStorageLensConfiguration",
    "s3:GetStorageLensDashboard",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:ListStorageLensConfigurations",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutMultiRegionAccessPointPolicy",
    "savingsplans:*",
    "shield:*",
    "sso:*",
    "sts:*",
    "support:*",
    "supportapp:*",
    "supportplans:*",
    "sustainability:*",
    "tag:GetResources",
    "tax:*",
    "trustedadvisor:*",
    "vendor-insights:ListEntitledSecurityProfiles",
    "waf-regional:*",
    "waf:*",
    "wafv2:*",
];

/// The first pattern (default list first, then `extra`) that exempts `action`, matched
/// case-insensitively with `*` and `?` as IAM does.
pub fn exempt_by<'a>(action: &str, extra: &'a [String]) -> Option<&'a str> {
    CONTROL_TOWER_NOT_ACTIONS
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .find(|pattern| glob::matches_ignore_case(pattern, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_services_are_exempt() {
        assert_eq!(exempt_by("iam:CreateUser", &[]), Some("iam:*"));
        assert_eq!(exempt_by("sts:AssumeRole", &[]), Some("sts:*"));
        assert_eq!(
            exempt_by("route53:ChangeResourceRecordSets", &[]),
            Some("route53:*")
        );
        assert_eq!(
            exempt_by("s3:GetBucketLocation", &[]),
            Some("s3:GetBucketLocation")
        );
    }

    #[test]
    fn regional_calls_are_not() {
        assert_eq!(exempt_by("ec2:RunInstances", &[]), None);
        assert_eq!(exempt_by("ec2:CreateVolume", &[]), None);
        assert_eq!(exempt_by("s3:CreateBucket", &[]), None);
        // `route53:*` must not swallow the recovery services' neighbours by prefix.
        assert_eq!(exempt_by("route53resolver:CreateResolverRule", &[]), None);
        assert_eq!(exempt_by("lightsail:CreateInstances", &[]), None);
    }

    #[test]
    fn matching_ignores_case_and_honours_wildcards() {
        assert_eq!(exempt_by("IAM:createuser", &[]), Some("iam:*"));
        assert_eq!(
            exempt_by("lightsail:GetInstances", &[]),
            Some("lightsail:Get*")
        );
        assert_eq!(
            exempt_by("ec2:describeregions", &[]),
            Some("ec2:DescribeRegions")
        );
    }

    #[test]
    fn extra_patterns_extend_the_default() {
        let extra = vec!["ec2:Describe*".to_string(), "logs:?utLogEvents".to_string()];
        assert_eq!(
            exempt_by("ec2:DescribeInstances", &extra),
            Some("ec2:Describe*")
        );
        assert_eq!(
            exempt_by("logs:PutLogEvents", &extra),
            Some("logs:?utLogEvents")
        );
        // The default list still applies first.
        assert_eq!(exempt_by("iam:CreateUser", &extra), Some("iam:*"));
        assert_eq!(exempt_by("ec2:RunInstances", &extra), None);
    }

    #[test]
    fn every_default_pattern_is_service_colon_action() {
        for p in CONTROL_TOWER_NOT_ACTIONS {
            let (service, action) = p.split_once(':').expect("service:action");
            assert!(!service.is_empty() && !action.is_empty(), "{p}");
            assert_eq!(service, service.to_ascii_lowercase(), "{p}");
        }
    }
}
