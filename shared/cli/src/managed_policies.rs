//! The documents of AWS managed policies, offline: what `check-template` judges when a template
//! names `AdministratorAccess` instead of writing a document.
//!
//! `scripts/gen-managed-policies.py` writes `data/aws-managed-policies.json` (the corpus's 1,567
//! policies plus AdministratorAccess, which the corpus lacks; about 3.3 MB of compact JSON;
//! source, date and licence in the file) from the corpus beside the repo; it is committed, so
//! nothing is read or fetched at build or run time. Only this
//! binary embeds it: the rules core gets the documents through the lookup it is passed, so the
//! Lambda functions never carry the blob. Parsed once, on first use, through a `OnceLock`:
//! `check-policy` and `simulate` never pay for it.

use guardrail_rules::cfn::aws_managed_policy_name;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

static DATA: &str = include_str!("../data/aws-managed-policies.json");

/// One AWS managed policy of the bundle. check-template reads only `document` today; the rest
/// is for messages and the principal judgement to come.
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct ManagedPolicyDoc {
    pub name: String,
    /// `arn:aws:iam::aws:policy/<name>`: built from the name, because the bundle's source
    /// records no path (`service-role/`, ...). Look policies up by name or by any real ARN.
    pub arn: String,
    /// The default version id, when the bundle's source records one (the corpus does not; the
    /// hand-added AdministratorAccess does).
    pub version: Option<String>,
    /// The policy document, JSON text.
    pub document: String,
}

#[derive(Deserialize)]
struct Bundle {
    policies: HashMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    arn: String,
    version: Option<String>,
    document: serde_json::Value,
}

fn bundle() -> &'static HashMap<String, ManagedPolicyDoc> {
    static BUNDLE: OnceLock<HashMap<String, ManagedPolicyDoc>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        // A bundle that does not parse is caught by the tests; at run time it means every
        // managed policy is reported as not judged, never a crash.
        let bundle: Bundle = serde_json::from_str(DATA).unwrap_or(Bundle {
            policies: HashMap::new(),
        });
        bundle
            .policies
            .into_iter()
            .map(|(name, e)| {
                let doc = ManagedPolicyDoc {
                    name: name.clone(),
                    arn: e.arn,
                    version: e.version,
                    document: e.document.to_string(),
                };
                (name, doc)
            })
            .collect()
    })
}

/// The AWS managed policy `arn_or_name` names: `AdministratorAccess`, or its ARN in any
/// partition and under its path (`arn:aws-cn:iam::aws:policy/service-role/...`). A customer
/// managed policy's ARN is never an AWS one, whatever its name.
pub fn managed_policy(arn_or_name: &str) -> Option<&'static ManagedPolicyDoc> {
    let name = if arn_or_name.starts_with("arn:") {
        aws_managed_policy_name(arn_or_name)?
    } else {
        arn_or_name
    };
    bundle().get(name)
}

/// How many policies the bundle holds.
pub fn count() -> usize {
    bundle().len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use guardrail_rules::policy::PolicyDocument;

    #[test]
    fn the_bundle_holds_every_policy_and_each_parses() {
        assert_eq!(count(), 1568);
        for doc in bundle().values() {
            PolicyDocument::parse(&doc.document).unwrap_or_else(|e| panic!("{}: {e}", doc.name));
        }
    }

    /// Every corpus document is in the bundle unchanged (when the corpus beside the repo is
    /// there to compare with).
    #[test]
    fn the_bundle_matches_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/aws-managed-policies");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            println!("skipped: {} is absent", dir.display());
            return;
        };
        let mut n = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let corpus: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let ours: serde_json::Value =
                serde_json::from_str(&managed_policy(&name).unwrap().document).unwrap();
            assert_eq!(ours, corpus, "{name}");
            n += 1;
        }
        // The corpus, plus the hand-added AdministratorAccess.
        assert_eq!(n + 1, count());
    }

    #[test]
    fn lookup_by_name_and_by_arn_in_any_partition_and_path() {
        let admin = managed_policy("AdministratorAccess").unwrap();
        assert_eq!(admin.arn, "arn:aws:iam::aws:policy/AdministratorAccess");
        assert_eq!(admin.version.as_deref(), Some("v1"));
        assert!(admin.document.contains("\"*\""));
        assert!(managed_policy("arn:aws-us-gov:iam::aws:policy/AdministratorAccess").is_some());
        let basic =
            managed_policy("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
                .unwrap();
        assert_eq!(basic.name, "AWSLambdaBasicExecutionRole");
        assert!(managed_policy("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        assert!(managed_policy("NoSuchPolicy").is_none());
    }
}
