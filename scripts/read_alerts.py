#!/usr/bin/env python3
"""Drain the demo alert queue and print the guardrail's alerts.

Reads every message from the SQS queue `guardrail-alerts-inbox` (ReceiveMessage
with WaitTimeSeconds=1 until the queue answers empty), unwraps the SNS
envelope and prints, for each alert, its Subject, its MessageAttributes (rule,
severity, ...) and its Message body, then the count. Messages are deleted once
read, so a second run only shows new alerts.

    AWS_ENDPOINT_URL=http://127.0.0.1:PORT .venv/bin/python scripts/read_alerts.py [--json]

--json prints one JSON array of {"subject", "attributes", "message", "raw", ...} objects;
--save FILE writes that array to FILE as well (scripts/demo --check reads it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import boto3

DEFAULT_REGION = "ap-northeast-2"
QUEUE_NAME = "guardrail-alerts-inbox"


def unwrap(body: str) -> dict:
    """Turn an SQS body holding an SNS envelope into a flat alert record."""
    try:
        envelope = json.loads(body)
    except json.JSONDecodeError:
        envelope = None
    if not isinstance(envelope, dict) or "Message" not in envelope:
        # Raw delivery or something else: keep what we got.
        return {"subject": None, "attributes": {}, "message": body, "raw": body}
    attributes = {
        name: attr.get("Value")
        for name, attr in (envelope.get("MessageAttributes") or {}).items()
    }
    return {
        "subject": envelope.get("Subject"),
        "attributes": attributes,
        "message": envelope.get("Message"),
        "topic_arn": envelope.get("TopicArn"),
        "message_id": envelope.get("MessageId"),
        "raw": envelope,
    }


def drain(sqs, queue_url: str, keep: bool) -> list[dict]:
    alerts = []
    while True:
        resp = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        )
        messages = resp.get("Messages", [])
        if not messages:
            return alerts
        for msg in messages:
            alerts.append(unwrap(msg["Body"]))
            if not keep:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=msg["ReceiptHandle"])
        if keep:
            # Without deleting, the same messages would come back after the
            # visibility timeout; one pass is all we can do.
            return alerts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the alerts as one JSON array")
    parser.add_argument("--queue-url", help="queue URL (default: look up %s)" % QUEUE_NAME)
    parser.add_argument("--save", metavar="FILE", help="also write the alerts as JSON to FILE")
    parser.add_argument("--keep", action="store_true", help="do not delete the messages read")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"))
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", DEFAULT_REGION))
    args = parser.parse_args()
    if not args.endpoint_url:
        parser.error("AWS_ENDPOINT_URL (or --endpoint-url) must point at moto")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

    sqs = boto3.client("sqs", region_name=args.region, endpoint_url=args.endpoint_url)
    queue_url = args.queue_url or sqs.get_queue_url(QueueName=QUEUE_NAME)["QueueUrl"]
    alerts = drain(sqs, queue_url, args.keep)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(alerts, f, indent=2, default=str)

    if args.json:
        print(json.dumps(alerts, indent=2, default=str))
        return 0

    for i, alert in enumerate(alerts, 1):
        print(f"--- alert {i} ---")
        print(f"Subject: {alert['subject']}")
        attrs = alert["attributes"]
        for key in ["rule", "severity"] + sorted(k for k in attrs if k not in ("rule", "severity")):
            if key in attrs:
                print(f"  {key}: {attrs[key]}")
        print(alert["message"])
    print(f"{len(alerts)} alert(s) read from {queue_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
