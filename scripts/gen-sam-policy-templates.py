#!/usr/bin/env python3
"""Generate the SAM policy templates used by guardrail_rules::cfn::sam_templates.

Reads AWS SAM's policy template list (samtranslator/policy_templates_data/policy_templates.json
of aws/serverless-application-model, Apache License 2.0) and writes a compact, committed copy:

    shared/rules/src/cfn/sam_policy_templates.json

    {"notice": ..., "source": ..., "version": ...,
     "templates": {"DynamoDBCrudPolicy": {"parameters": ["TableName"], "definition": {...}}, ...}}

Only what expansion needs is kept: each template's parameter names and its definition
(descriptions are dropped). The copy is committed so the project never reads ../shared at build
or run time; `notice` carries the attribution the Apache License asks for.

Usage: scripts/gen-sam-policy-templates.py [PATH_TO_policy_templates.json]
(default: ../shared/data/sam-policy-templates/policy_templates.json relative to the repo root)
"""
import json
import os
import re
import sys


def source_commit(src: str) -> str:
    """The SAM commit the copy was taken from, as the README beside it records it."""
    readme = os.path.join(os.path.dirname(src), "README.md")
    with open(readme, encoding="utf-8") as f:
        m = re.search(r"commit ([0-9a-f]{40})", f.read())
    if not m:
        raise SystemExit(f"{readme}: no source commit: the attribution needs one")
    return m.group(1)


def main() -> int:
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        repo, "..", "shared", "data", "sam-policy-templates", "policy_templates.json"
    )
    out = os.path.join(repo, "shared", "rules", "src", "cfn", "sam_policy_templates.json")
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    templates = {}
    for name in sorted(data["Templates"]):
        t = data["Templates"][name]
        definition = t["Definition"]
        if not isinstance(definition.get("Statement"), list):
            raise SystemExit(f"{name}: definition has no Statement list")
        templates[name] = {"parameters": sorted(t.get("Parameters", {})), "definition": definition}
    doc = {
        "notice": (
            "AWS SAM policy templates. serverless-application-model, Copyright 2018 Amazon.com, "
            "Inc. or its affiliates. All Rights Reserved. Licensed under the Apache License, "
            "Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0). Descriptions removed."
        ),
        "source": (
            f"https://github.com/aws/serverless-application-model/blob/{source_commit(src)}/"
            "samtranslator/policy_templates_data/policy_templates.json"
        ),
        "generated_by": "scripts/gen-sam-policy-templates.py (do not edit)",
        "version": data.get("Version"),
        "templates": templates,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"), sort_keys=False, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {out}: {len(templates)} templates, {os.path.getsize(out)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
