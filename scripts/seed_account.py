#!/usr/bin/env python3
"""Seed the local AWS emulator (moto) with the demo's "misconfigured account".

Run with the venv's python against a running moto (scripts/moto start):

    AWS_ENDPOINT_URL=http://127.0.0.1:PORT .venv/bin/python scripts/seed_account.py

Creates, in ap-northeast-2:
  * an unencrypted 8 GiB gp3 volume in ap-northeast-2a (the finding),
  * an encrypted 8 GiB gp3 volume (compliant, must be left alone),
  * the SNS topic `guardrail-alerts`,
  * the SQS queue `guardrail-alerts-inbox`, subscribed to the topic with
    RawMessageDelivery=false (so the SNS envelope with Subject and
    MessageAttributes arrives) and a queue policy that lets the topic send,
  * the DynamoDB table `guardrail-ledger` (pk: S, PAY_PER_REQUEST) used by the
    guardrail for idempotency,
and leaves EBS encryption-by-default OFF in the region; and, in the member account
222222222222 (reached by assuming GuardrailRemediationRole there, as the central functions
do; moto maps the assumed credentials to that account), one more unencrypted volume.

Prints one JSON object with the ids/ARNs created.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import boto3
from botocore.config import Config

DEFAULT_REGION = "ap-northeast-2"
TOPIC_NAME = "guardrail-alerts"
QUEUE_NAME = "guardrail-alerts-inbox"
LEDGER_TABLE = "guardrail-ledger"
MEMBER_ACCOUNT = "222222222222"
MEMBER_ROLE = "GuardrailRemediationRole"


def fake_credentials() -> None:
    # moto accepts any credentials; never let the demo pick up real ones.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_SESSION_TOKEN", "testing")


def client(service: str, region: str, endpoint: str):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
    )


def create_volume(ec2, az: str, encrypted: bool, name: str) -> str:
    vol = ec2.create_volume(
        AvailabilityZone=az,
        Size=8,
        VolumeType="gp3",
        Encrypted=encrypted,
        TagSpecifications=[
            {
                "ResourceType": "volume",
                "Tags": [
                    {"Key": "Name", "Value": name},
                    {"Key": "owner", "Value": "demo"},
                ],
            }
        ],
    )
    return vol["VolumeId"]


def ensure_table(ddb, name: str) -> str:
    try:
        ddb.describe_table(TableName=name)
    except ddb.exceptions.ResourceNotFoundException:
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
    return name


ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SCOPED_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-reports/*"}],
}


def trust(principal: dict) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
        }
    )


def seed_iam(iam) -> None:
    """The IAM state the events/iam files describe, so the IAM guardrail has real objects to
    judge: users, the admin grants, the policy versions, the roles with their trust policies."""
    if any(u["UserName"] == "alice" for u in iam.list_users()["Users"]):
        return  # seeded already
    for user in ("alice", "bob", "carol"):
        iam.create_user(UserName=user)
    iam.create_group(GroupName="devs")
    iam.create_login_profile(UserName="alice", Password="Demo-Passw0rd-alice!")
    iam.create_login_profile(UserName="bob", Password="Demo-Passw0rd-bob!")
    iam.create_login_profile(UserName="carol", Password="Demo-Passw0rd-carol!")
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    iam.attach_user_policy(UserName="bob", PolicyArn=admin)
    iam.put_user_policy(UserName="bob", PolicyName="bob-admin", PolicyDocument=json.dumps(ADMIN_DOC))
    iam.put_user_policy(UserName="bob", PolicyName="bob-read-reports", PolicyDocument=json.dumps(SCOPED_DOC))
    too_broad = iam.create_policy(PolicyName="TooBroad", PolicyDocument=json.dumps(SCOPED_DOC))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=too_broad, PolicyDocument=json.dumps(ADMIN_DOC), SetAsDefault=True)
    iam.create_policy(PolicyName="ReadAcmeReports", PolicyDocument=json.dumps(SCOPED_DOC))
    no_mfa = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:*", "ec2:StopInstances", "ec2:TerminateInstances"], "Resource": "*"}
        ],
    }
    iam.create_policy(PolicyName="OpsPowerUser", PolicyDocument=json.dumps(no_mfa))
    iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    iam.attach_role_policy(RoleName="app-role", PolicyArn=admin)
    privesc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DeployHelper",
                "Effect": "Allow",
                "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
                "Resource": "*",
            }
        ],
    }
    iam.put_role_policy(RoleName="app-role", PolicyName="deploy-helper", PolicyDocument=json.dumps(privesc))
    s3_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_group_policy(GroupName="devs", PolicyName="s3-everything", PolicyDocument=json.dumps(s3_all))
    iam.attach_group_policy(GroupName="devs", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_role(RoleName="open-trust-role", AssumeRolePolicyDocument=trust({"AWS": "*"}))
    iam.create_role(RoleName="lambda-exec-role", AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    iam.create_role(
        RoleName="partner-access", AssumeRolePolicyDocument=trust({"AWS": "arn:aws:iam::999988887777:root"})
    )


def member_client(service: str, region: str, endpoint: str):
    """A client acting in the member account through its remediation role."""
    creds = client("sts", region, endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{MEMBER_ACCOUNT}:role/{MEMBER_ROLE}",
        RoleSessionName="demo-seed",
        ExternalId="guardrail-demo",
    )["Credentials"]
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"))
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", DEFAULT_REGION))
    args = parser.parse_args()
    if not args.endpoint_url:
        parser.error("AWS_ENDPOINT_URL (or --endpoint-url) must point at moto; refusing to touch real AWS")
    fake_credentials()

    region, endpoint = args.region, args.endpoint_url
    ec2 = client("ec2", region, endpoint)
    sns = client("sns", region, endpoint)
    sqs = client("sqs", region, endpoint)
    ddb = client("dynamodb", region, endpoint)

    az = f"{region}a"
    unencrypted = create_volume(ec2, az, encrypted=False, name="demo-unencrypted")
    encrypted = create_volume(ec2, az, encrypted=True, name="demo-encrypted")

    # The misconfiguration the guardrail is expected to fix.
    ec2.disable_ebs_encryption_by_default()

    # A web servers' group with SSH open to the world (exposure-guard revokes that rule) beside
    # HTTPS for everyone (which stays).
    group = ec2.create_security_group(GroupName="demo-web", Description="demo web servers")["GroupId"]

    def authorize(port: int) -> str:
        added = ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
        return added["SecurityGroupRules"][0]["SecurityGroupRuleId"]

    ssh_rule, https_rule = authorize(22), authorize(443)

    # A golden image made public (exposure-guard, in remediate mode, takes that back).
    image = ec2.register_image(Name="demo-golden-web", RootDeviceName="/dev/xvda")["ImageId"]
    ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})

    topic_arn = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=QUEUE_NAME)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowGuardrailTopic",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})

    existing = [
        s
        for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        if s["Protocol"] == "sqs" and s["Endpoint"] == queue_arn
    ]
    if not existing:
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "false"},
            ReturnSubscriptionArn=True,
        )

    member_ec2 = member_client("ec2", region, endpoint)
    member_unencrypted = create_volume(member_ec2, az, encrypted=False, name="member-unencrypted")

    ledger = ensure_table(ddb, LEDGER_TABLE)
    seed_iam(client("iam", "us-east-1", endpoint))

    print(
        json.dumps(
            {
                "unencrypted_volume": unencrypted,
                "encrypted_volume": encrypted,
                "member_account": MEMBER_ACCOUNT,
                "member_unencrypted_volume": member_unencrypted,
                "security_group": group,
                "ssh_rule": ssh_rule,
                "https_rule": https_rule,
                "image": image,
                "topic_arn": topic_arn,
                "queue_url": queue_url,
                "ledger_table": ledger,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
