"""Per-policy privilege-escalation verdicts of Cloudsplaining, Parliament and PMapper, and the
merge with `guardrail check-policy` (bench/compare-escalation.sh runs it; issue 14).

One mode a process, each in its tool's own venv, all files of the corpus in one call:

    python compare_escalation.py cloudsplaining OUT.json FILE...
    python compare_escalation.py parliament     OUT.json FILE...
    python compare_escalation.py pmapper        OUT.json FILE...
    python compare_escalation.py merge          OUTDIR          # any python3, stdlib only

A tool mode writes {"tool", "version", "seconds_in_loop", "policies": {name: {"verdict", "detail"}}}
with verdict "escalation", "no" or "crash" (the tool raised on the file; counted, loop goes on).
The question is the same for each: does this policy, attached to a principal, grant a
privilege-escalation path?
"""

import fnmatch
import json
import os
import sys
import time


def policy_name(path):
    return os.path.basename(path)[: -len(".json")] if path.endswith(".json") else os.path.basename(path)


def run_loop(tool, version, files, judge, out):
    t0 = time.perf_counter()
    policies = {}
    for path in files:
        name = policy_name(path)
        try:
            with open(path) as f:
                text = f.read()
            flagged, detail = judge(text)
            policies[name] = {"verdict": "escalation" if flagged else "no", "detail": detail}
        except Exception as e:  # a tool that raises on a valid policy: counted, not fatal
            policies[name] = {"verdict": "crash", "detail": [f"{type(e).__name__}: {e}"[:160]]}
    elapsed = time.perf_counter() - t0
    with open(out, "w") as f:
        json.dump({"tool": tool, "version": version, "seconds_in_loop": round(elapsed, 3),
                   "policies": policies}, f, indent=0, sort_keys=True)


def pkg_version(dist):
    from importlib.metadata import version
    return version(dist)


# --- Cloudsplaining -------------------------------------------------------------------------
def cloudsplaining_main(out, files):
    from cloudsplaining.scan.policy_document import PolicyDocument

    def judge(text):
        # Defaults as `cloudsplaining scan-policy-file` uses them: a statement counts when its
        # Resource is `*` (or the action takes no resource) and it has no Condition.
        found = PolicyDocument(json.loads(text)).allows_privilege_escalation
        return bool(found), sorted(e["type"] for e in found)

    run_loop("cloudsplaining", pkg_version("cloudsplaining"), files, judge, out)


# --- Parliament -----------------------------------------------------------------------------
def parliament_main(out, files):
    from parliament import analyze_policy_string

    def judge(text):
        # PRIVILEGE_ESCALATION is a community auditor: off unless asked for.
        policy = analyze_policy_string(text, include_community_auditors=True)
        found = sorted(f.location.get("type") for f in policy.findings if f.issue == "PRIVILEGE_ESCALATION")
        # Parliament runs its auditors only on a policy it finds valid: one action or condition its
        # database does not know (UNKNOWN_ACTION, ...) and the privilege-escalation auditor is
        # skipped, so the verdict is "no" without the check having run.
        aborted = [] if policy.is_valid else ["auditors skipped: Parliament finds the policy invalid"]
        return bool(found), found + aborted

    run_loop("parliament", pkg_version("parliament"), files, judge, out)


# --- PMapper --------------------------------------------------------------------------------
ACCOUNT = "123456789012"
REGION = "us-east-1"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# Every service PMapper's edge checkers pass a role to (and a few it has no checker for, which
# change nothing): the target roles trust all of them at once.
SERVICES = ["ec2", "lambda", "cloudformation", "codebuild", "sagemaker", "glue", "ecs-tasks",
            "datapipeline", "elasticmapreduce", "states", "apprunner", "bedrock"]


def trust(services, account_root):
    principal = {"Service": [f"{s}.amazonaws.com" for s in services]}
    if account_root:
        principal["AWS"] = f"arn:aws:iam::{ACCOUNT}:root"
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}


def as_list(v):
    return v if isinstance(v, list) else [v]


def instantiate(pattern):
    """A concrete ARN of this account matching an ARN pattern of the policy (None if it has a
    variable or is not an ARN): account `*` -> ours, region `*` -> us-east-1, other wildcards -> x."""
    if "${" in pattern or not pattern.startswith("arn:"):
        return None
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return None
    parts[1] = "aws"
    if parts[3] in ("*", "?"):
        parts[3] = REGION if parts[2] not in ("iam", "sts") else ""
    if parts[4] in ("*", "") and parts[2] in ("iam", "lambda", "cloudformation", "codebuild"):
        parts[4] = ACCOUNT
    elif "*" in parts[4] or "?" in parts[4]:
        parts[4] = ACCOUNT
    parts[5] = parts[5].replace("*", "x").replace("?", "x")
    return ":".join(parts)


def derived_arns(doc, actions, service, kind):
    """Concrete ARNs of resource type `kind` of `service`, one per Resource pattern of an Allow
    statement whose Action list matches one of `actions` (the policy's own named targets)."""
    result = set()
    for st in as_list(doc.get("Statement", [])):
        if not isinstance(st, dict) or st.get("Effect") != "Allow" or "Action" not in st:
            continue
        acts = [a.lower() for a in as_list(st["Action"]) if isinstance(a, str)]
        if not any(fnmatch.fnmatchcase(want, a) for want in actions for a in acts):
            continue
        for r in as_list(st.get("Resource", [])):
            if not isinstance(r, str) or r == "*":
                continue
            arn = instantiate(r)
            if not (arn and arn.split(":")[2] == service and arn.split(":", 5)[5].startswith(kind)):
                continue
            # A stack ARN is stack/NAME/ID: `stack/SC-*` covers stack/SC-x/x (IAM's `*` spans
            # `/`), a pattern naming the stack without `/*` covers no real stack.
            if kind == "stack/" and arn.split(":", 5)[5].count("/") < 2:
                if not r.endswith("*"):
                    continue
                arn += "/x"
            result.add(arn)
    return sorted(result)


def pmapper_main(out, files):
    # principalmapper 1.1.5 (its last release) imports Mapping/MutableMapping from `collections`,
    # gone since Python 3.10: put the collections.abc names back before importing it. Nothing
    # else of PMapper is touched.
    import collections
    import collections.abc
    collections.Mapping, collections.MutableMapping = collections.abc.Mapping, collections.abc.MutableMapping
    from principalmapper.common import Group, Node, Policy
    from principalmapper.graphing import gathering
    from principalmapper.graphing import (autoscaling_edges, cloudformation_edges, codebuild_edges,
                                          ec2_edges, iam_edges, lambda_edges, sagemaker_edges,
                                          ssm_edges, sts_edges)
    from principalmapper.common import Graph
    from principalmapper.querying.presets.privesc import can_privesc

    admin_policy = Policy("arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess", ADMIN_DOC)

    def role(name, services, account_root, profile=True):
        arn = name if name.startswith("arn:") else f"arn:aws:iam::{ACCOUNT}:role/{name}"
        short = arn.rsplit("/", 1)[-1] or "x"
        return Node(arn, "AROA" + short.upper()[:16], [admin_policy], [], trust(services, account_root),
                    [f"arn:aws:iam::{ACCOUNT}:instance-profile/{short}"] if profile else None,
                    0, False, False, None, False, {})

    def judge(text):
        doc = json.loads(text)
        if not isinstance(doc, dict):
            raise ValueError("policy document is not an object")
        name = "subject"
        subject_policy = Policy(f"arn:aws:iam::{ACCOUNT}:policy/subject-policy", "subject-policy", doc)
        group_policy = Policy(f"arn:aws:iam::{ACCOUNT}:policy/subject-group-policy", "subject-group-policy",
                              {"Version": "2012-10-17", "Statement": []})
        group = Group(f"arn:aws:iam::{ACCOUNT}:group/subject-group", [group_policy])
        subject = Node(f"arn:aws:iam::{ACCOUNT}:user/{name}", "AIDASUBJECT", [subject_policy], [group],
                       None, None, 1, True, False, None, False, {})
        # The account an attacker could meet: admin users (with and without a password), an admin
        # role that trusts the account, admin roles that trust every service (with and without an
        # instance profile), plus admin roles at the policy's own named role ARNs (PassRole or
        # UpdateAssumeRolePolicy targets; these trust the services only, not the account).
        nodes = [subject,
                 Node(f"arn:aws:iam::{ACCOUNT}:user/admin-user", "AIDAADMINUSER", [admin_policy], [], None,
                      None, 1, True, False, None, True, {}),
                 Node(f"arn:aws:iam::{ACCOUNT}:user/admin-user-nopw", "AIDAADMINNOPW", [admin_policy], [], None,
                      None, 0, False, False, None, False, {}),
                 role("admin-assumable", [], True, profile=False),
                 role("admin-service-role", SERVICES, False),
                 role("admin-service-role-noprofile", SERVICES, False, profile=False),
                 Node(f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                      "AROAASG", [], [], trust(["autoscaling"], False), None, 0, False, False, None, False, {})]
        seen = {n.arn for n in nodes}
        for arn in derived_arns(doc, ["iam:passrole", "iam:updateassumerolepolicy"], "iam", "role/"):
            if arn not in seen:
                seen.add(arn)
                nodes.append(role(arn, SERVICES, False))
        service_role = f"arn:aws:iam::{ACCOUNT}:role/admin-service-role"
        # Existing resources (what `pmapper graph create` would list) that run as that role:
        functions = [{"FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:admin-fn", "Role": service_role}]
        functions += [{"FunctionArn": a, "Role": service_role}
                      for a in derived_arns(doc, ["lambda:updatefunctioncode"], "lambda", "function:")]
        stacks = [{"StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/admin-stack/1", "RoleARN": service_role}]
        stacks += [{"StackId": a, "RoleARN": service_role}
                   for a in derived_arns(doc, ["cloudformation:updatestack", "cloudformation:createchangeset"],
                                         "cloudformation", "stack/")]
        projects = [{"project_arn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/admin-project",
                     "project_role": service_role, "project_tags": []}]
        projects += [{"project_arn": a, "project_role": service_role, "project_tags": []}
                     for a in derived_arns(doc, ["codebuild:startbuild", "codebuild:startbuildbatch",
                                                 "codebuild:updateproject"], "codebuild", "project/")]
        launch_configs = [{"lc_arn": f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:launchConfiguration:1:launchConfigurationName/admin-lc",
                           "lc_iip": f"arn:aws:iam::{ACCOUNT}:instance-profile/admin-service-role"}]

        gathering.update_admin_status(nodes)
        if subject.is_admin:
            return True, ["is_admin (can grant itself any policy: PutUserPolicy/AttachUserPolicy on itself, "
                          "CreateRole+Attach/PutRolePolicy, CreatePolicyVersion or group policies)"]
        edges = []
        edges += iam_edges.generate_edges_locally(nodes)
        edges += sts_edges.generate_edges_locally(nodes)
        edges += ec2_edges.generate_edges_locally(nodes)
        edges += lambda_edges.generate_edges_locally(nodes, functions)
        edges += cloudformation_edges.generate_edges_locally(nodes, stacks)
        edges += codebuild_edges.generate_edges_locally(nodes, None, projects)
        edges += autoscaling_edges.generate_edges_locally(nodes, None, launch_configs)
        edges += sagemaker_edges.generate_edges_locally(nodes)
        edges += ssm_edges.generate_edges_locally(nodes)
        graph = Graph(nodes, edges, [admin_policy, subject_policy, group_policy], [group],
                      {"account_id": ACCOUNT, "pmapper_version": pkg_version("principalmapper")})
        flagged, path = can_privesc(graph, subject)
        detail = [f"{e.short_reason}: {e.reason} {e.destination.searchable_name()}" for e in path] if flagged else []
        return flagged, detail

    run_loop("pmapper", pkg_version("principalmapper"), files, judge, out)


# --- merge ----------------------------------------------------------------------------------
TOOLS = ["guardrail", "cloudsplaining", "parliament", "pmapper"]
ESCALATION_RULE = "iam-policy-privilege-escalation"


def guardrail_verdicts(path):
    """Per policy: escalation (a top-level escalation finding, or one under `related` of an admin
    finding), the path ids, and whether it has an admin finding."""
    verdicts = {}
    for f in json.load(open(path)):
        name = policy_name(f["file"])
        v = verdicts.setdefault(name, {"paths": set(), "admin": False, "escalation": False})
        if f["rule"] == ESCALATION_RULE:
            v["escalation"] = True
            v["paths"].update(f.get("paths", []))
        if f["rule"].startswith("iam-policy-admin"):
            v["admin"] = True
            for r in f.get("related", []):
                if r["rule"] == ESCALATION_RULE:
                    v["escalation"] = True
                    v["paths"].update(r.get("paths", []))
    return verdicts


def merge_main(outdir):
    import csv
    names = sorted(policy_name(p) for p in open(f"{outdir}/escalation-files.txt").read().split("\n") if p)
    g = guardrail_verdicts(f"{outdir}/escalation-guardrail.json")
    tools = {t: json.load(open(f"{outdir}/escalation-{t}.json")) for t in TOOLS[1:]}
    rows = []
    for n in names:
        gv = g.get(n, {"paths": set(), "admin": False, "escalation": False})
        row = {"policy": n, "guardrail": "escalation" if gv["escalation"] else "no"}
        for t in TOOLS[1:]:
            row[t] = tools[t]["policies"].get(n, {"verdict": "missing"})["verdict"]
        row["guardrail_paths"] = " ".join(sorted(gv["paths"]))
        row["guardrail_admin"] = "admin" if gv["admin"] else ""
        for t in TOOLS[1:]:
            row[f"{t}_detail"] = "; ".join(tools[t]["policies"].get(n, {}).get("detail", []))
        rows.append(row)
    with open(f"{outdir}/escalation-verdicts.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)

    def timing(t):
        try:
            wall, rss = open(f"{outdir}/escalation-{t}.time").read().split()[-2:]
            return f"{float(wall):.2f} s", f"{int(rss) / 1024:.0f} MB"
        except (OSError, ValueError):
            return "-", "-"

    # "PATH (COMMIT)": the checkout's HEAD when the script ran, not necessarily what the CLI was built from
    cli = open(f"{outdir}/escalation-guardrail.version").read().strip()
    print(f"guardrail CLI: {cli}")
    versions = {"guardrail": cli.rsplit("(", 1)[-1].rstrip(")")}
    versions.update({t: tools[t]["version"] for t in TOOLS[1:]})
    print(f"{len(rows)} policies; verdicts in {outdir}/escalation-verdicts.csv\n")
    print(f"{'tool':16} {'version':>10} {'escalation':>11} {'no':>6} {'crash':>6} {'wall':>9} {'peak RSS':>9}")
    for t in TOOLS:
        c = {k: sum(r[t] == k for r in rows) for k in ("escalation", "no", "crash")}
        wall, rss = timing(t)
        print(f"{t:16} {versions[t][:10]:>10} {c['escalation']:>11} {c['no']:>6} {c['crash']:>6} {wall:>9} {rss:>9}")
    admin = sum(r["guardrail_admin"] == "admin" for r in rows)
    print(f"\nguardrail admin findings: {admin} policies")
    print("\npairwise agreement (policies with the same verdict; crashes count as disagreement)")
    print(f"{'':16}" + "".join(f"{t:>16}" for t in TOOLS))
    for a in TOOLS:
        print(f"{a:16}" + "".join(f"{sum(r[a] == r[b] for r in rows):>16}" for b in TOOLS))
    unanimous = sum(len({r[t] for t in TOOLS}) == 1 for r in rows)
    print(f"\nall four agree: {unanimous}; some disagreement: {len(rows) - unanimous}")
    patterns = {}
    for r in rows:
        if len({r[t] for t in TOOLS}) > 1:
            key = " ".join(f"{t[:5]}={'Y' if r[t] == 'escalation' else ('C' if r[t] == 'crash' else '-')}" for t in TOOLS)
            patterns[key] = patterns.get(key, 0) + 1
    print("disagreement patterns (Y = escalation, - = no, C = crash):")
    for k, v in sorted(patterns.items(), key=lambda kv: -kv[1]):
        print(f"  {v:5}  {k}")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "merge":
        merge_main(sys.argv[2])
    else:
        {"cloudsplaining": cloudsplaining_main, "parliament": parliament_main,
         "pmapper": pmapper_main}[mode](sys.argv[2], sys.argv[3:])
