//! What IAM knows about the escalation catalogue's actions: the ARN format of the resource type
//! each is authorized on, and the condition keys its requests carry.
//!
//! Probes use them to be as precise as IAM: an action is probed on an ARN of its own resource
//! type (a notebook action allowed only on endpoint ARNs is not allowed), and a key the request
//! never carries (`iam:PermissionsBoundary` on `iam:CreateAccessKey`) is never set. The table is
//! generated for the catalogue's actions only ([`table`]); for any other action nothing is known
//! and the probes stay generic.

mod table;

use table::{ActionFacts, ACTION_FACTS};

/// The table's rows of `action`, found by binary search: the table is sorted by lower-case
/// action (a test holds it so), and every probe asks this of every action it considers (an
/// `Allow *` is the whole catalogue, some 17,000 actions).
fn rows(action: &str) -> impl Iterator<Item = &'static ActionFacts> + '_ {
    let lower = |s: &'static str| s.bytes().map(|b| b.to_ascii_lowercase());
    let wanted = || action.bytes().map(|b| b.to_ascii_lowercase());
    let start = ACTION_FACTS.partition_point(|f| lower(f.action).lt(wanted()));
    ACTION_FACTS[start..]
        .iter()
        .take_while(move |f| f.action.eq_ignore_ascii_case(action))
}

/// The condition keys a request for `action` can carry (lower-case, comma-separated, `${…}`
/// templates kept), or `None` when the action is not in the table.
pub fn request_keys(action: &str) -> Option<&'static str> {
    rows(action).next().map(|f| f.keys)
}

/// The ARN format (`arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`) of `action`'s
/// resource type `resource`, `"*"` for an action that takes none.
pub fn arn_format(action: &str, resource: &str) -> Option<&'static str> {
    rows(action).find(|f| f.resource == resource).map(|f| f.arn)
}

/// Global keys every request carries, whatever the action: all `aws:` keys except the tag keys,
/// which only requests that tag (`aws:RequestTag/…`, `aws:TagKeys`) or resources that have tags
/// (`aws:ResourceTag/…`) carry, and which the table lists per action.
fn is_global(key: &str) -> bool {
    key.starts_with("aws:")
        && !key.starts_with("aws:requesttag/")
        && !key.starts_with("aws:resourcetag/")
        && key != "aws:tagkeys"
}

/// Can a request whose keys are `keys` (from [`request_keys`]) carry `key`?
pub fn carries(keys: &str, key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    if is_global(&key) {
        return true;
    }
    keys.split(',').any(|k| match k.split_once("${") {
        Some((prefix, _)) => key.starts_with(prefix) && key.len() > prefix.len(),
        None => k == key,
    })
}

/// An ARN of the format with every `${Variable}` filled: the partition `aws`, the region
/// `us-east-1`, the account given, and `probe` for names and ids.
pub fn instance(format: &str, account: &str) -> String {
    fill(format, |name| match name {
        "Partition" => "aws",
        "Region" => "us-east-1",
        "Account" => account,
        _ => "probe",
    })
}

/// The format as a resource pattern (every `${Variable}` a `*`): which ARNs are of the type.
pub fn pattern(format: &str) -> String {
    fill(format, |_| "*")
}

/// The format with each `${Name}` replaced by `value(Name)`; an unterminated `${` is kept as
/// text.
fn fill<'v>(format: &str, value: impl Fn(&str) -> &'v str) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(value(&after[..end]));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every (action, resource type) in the table, for tests.
pub fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    ACTION_FACTS.iter().map(|f| (f.action, f.resource))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_by_lower_case_action_for_the_binary_search() {
        let lower: Vec<String> = ACTION_FACTS
            .iter()
            .map(|f| f.action.to_ascii_lowercase())
            .collect();
        assert!(lower.windows(2).all(|w| w[0] <= w[1]), "{lower:?}");
        // Every row is found, in any case, with its siblings of the same action.
        for f in ACTION_FACTS {
            let upper = f.action.to_ascii_uppercase();
            assert!(
                rows(&upper).any(|r| (r.action, r.resource) == (f.action, f.resource)),
                "{}",
                f.action
            );
        }
        assert_eq!(rows("zzz:Nothing").count(), 0);
        assert_eq!(rows("").count(), 0);
    }

    #[test]
    fn keys_per_action() {
        let keys = request_keys("iam:CreateAccessKey").unwrap();
        assert!(!carries(keys, "iam:PermissionsBoundary"));
        assert!(carries(keys, "aws:SourceIp"));
        let keys = request_keys("iam:CreateUser");
        assert!(keys.is_none(), "not a catalogue action");
        let keys = request_keys("iam:PassRole").unwrap();
        assert!(carries(keys, "iam:PassedToService"));
        assert!(carries(keys, "aws:ResourceTag/team"));
        assert!(!carries(keys, "aws:RequestTag/team"));
    }

    #[test]
    fn formats() {
        let f = arn_format(
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            "notebook-instance",
        )
        .unwrap();
        assert_eq!(
            instance(f, "111122223333"),
            "arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/probe"
        );
        assert_eq!(pattern(f), "arn:*:sagemaker:*:*:notebook-instance/*");
        assert_eq!(instance("arn:${Broken", "1"), "arn:${Broken");
    }
}
