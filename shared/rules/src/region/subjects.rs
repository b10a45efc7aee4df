//! Which resources a call in a disallowed region created, so they can be acted on.

use crate::trigger::{is_ec2_id, ApiCall};
use serde_json::Value;

/// At most this many instances are taken from one event (RunInstances launches at most a few
/// hundred at once); anything beyond is input we refuse to turn into API calls.
pub const MAX_SUBJECTS: usize = 1000;

/// The resources a call created that remediation can act on. Ids are only pointers: the
/// resources are re-read before anything is judged or done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subjects {
    /// The call created nothing this guardrail acts on (alert only).
    None,
    /// Instances launched by RunInstances.
    Instances(Vec<String>),
    /// A volume created by CreateVolume.
    Volume(String),
}

/// What the call created: instances from RunInstances' `responseElements.instancesSet.items[]`,
/// the volume from CreateVolume's `responseElements.volumeId`. Malformed ids are dropped.
pub fn subjects(call: &ApiCall) -> Subjects {
    if call.service() != "ec2" {
        return Subjects::None;
    }
    match call.event_name.as_str() {
        "RunInstances" => {
            let ids: Vec<String> = call
                .response
                .get("instancesSet")
                .and_then(|s| s.get("items"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|item| item.get("instanceId").and_then(Value::as_str))
                .filter(|id| is_ec2_id(id, "i-"))
                .take(MAX_SUBJECTS)
                .map(str::to_string)
                .collect();
            if ids.is_empty() {
                Subjects::None
            } else {
                Subjects::Instances(ids)
            }
        }
        "CreateVolume" => match call.response_str("volumeId") {
            Some(id) if is_ec2_id(id, "vol-") => Subjects::Volume(id.to_string()),
            _ => Subjects::None,
        },
        _ => Subjects::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trigger::{decode, Trigger};
    use serde_json::json;

    fn call(source: &str, name: &str, response: Value) -> ApiCall {
        let event = json!({
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.ec2",
            "account": "123456789012",
            "region": "sa-east-1",
            "detail": {
                "eventID": "e-1",
                "eventName": name,
                "eventSource": source,
                "awsRegion": "sa-east-1",
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice"},
                "requestParameters": {},
                "responseElements": response,
            }
        });
        match decode(&event) {
            Ok(Trigger::ApiCall(c)) => *c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn run_instances_names_its_instances() {
        let c = call(
            "ec2.amazonaws.com",
            "RunInstances",
            json!({"instancesSet": {"items": [
                {"instanceId": "i-0abc"}, {"instanceId": "i-0def"},
                {"instanceId": "i-../../x"}, {"noId": 1}
            ]}}),
        );
        assert_eq!(
            subjects(&c),
            Subjects::Instances(vec!["i-0abc".into(), "i-0def".into()])
        );
    }

    #[test]
    fn create_volume_names_its_volume() {
        let c = call(
            "ec2.amazonaws.com",
            "CreateVolume",
            json!({"volumeId": "vol-0ccc"}),
        );
        assert_eq!(subjects(&c), Subjects::Volume("vol-0ccc".into()));
    }

    #[test]
    fn everything_else_names_nothing() {
        for c in [
            call("ec2.amazonaws.com", "RunInstances", Value::Null),
            call(
                "ec2.amazonaws.com",
                "CreateVolume",
                json!({"volumeId": "i-0abc"}),
            ),
            call(
                "ec2.amazonaws.com",
                "CreateVpc",
                json!({"vpc": {"vpcId": "vpc-1"}}),
            ),
            call(
                "lambda.amazonaws.com",
                "CreateVolume",
                json!({"volumeId": "vol-0ccc"}),
            ),
        ] {
            assert_eq!(subjects(&c), Subjects::None, "{c:?}");
        }
    }

    #[test]
    fn instance_count_is_capped() {
        let items: Vec<Value> = (0..MAX_SUBJECTS + 5)
            .map(|n| json!({"instanceId": format!("i-{n:x}")}))
            .collect();
        let c = call(
            "ec2.amazonaws.com",
            "RunInstances",
            json!({"instancesSet": {"items": items}}),
        );
        match subjects(&c) {
            Subjects::Instances(ids) => assert_eq!(ids.len(), MAX_SUBJECTS),
            other => panic!("{other:?}"),
        }
    }
}
