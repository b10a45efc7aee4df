#!/usr/bin/env python3
"""Print the end of scripts/demo: what each event did, the accounts afterwards, the alerts.

    demo_summary.py --manifest FILE --state FILE --alerts FILE [--width N]

--manifest  one line per event sent, tab-separated: function, event (path under events/),
            answer file (the function's JSON answer, an `Outcome`), status (`ok` or `failed`),
            note (why it failed)
--state     the accounts afterwards, as scripts/demo reads them (volumes, encryption by default,
            IAM)
--alerts    the alerts read back from the SQS inbox (scripts/read_alerts.py --save)

Three sections: one table (event, function, outcome, rules, actions), the accounts afterwards,
and one line per alert (severity, rule, resource). The outcome of an event is, from its answer:
rejected (the event cannot be decoded), skipped and why (failed call, own role, exempt
principal or account, allowed region, repeat of an incident already alerted, ...), remediated
(an action was done), planned (dry-run), alerted (findings, actions only recommended),
evaluated (an AWS Config rule invocation answered with evaluations), or nothing to report.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap

RULES_WIDTH = 56  # the rules and actions cells are one line: the full lists are in the log
ACTIONS_WIDTH = 40
RESOURCE_WIDTH = 80
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def short(text: str) -> str:
    """ARNs of the demo's own principals are long; the account is shown elsewhere."""
    return re.sub(r"arn:aws:iam::\d{12}:", "", text).replace("role role/", "role ")


def counted(names: list[str]) -> list[str]:
    """Names in first-seen order, repeats as `name x2`."""
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return [f"{n} x{c}" if c > 1 else n for n, c in seen.items()]


STATUS_WORDS = {
    "done": "done",
    "already_done": "already done",
    "recommended": "recommended",
    "planned": "planned (dry-run)",
    "pending": "pending",
}


def action_label(action: dict) -> str:
    status = action.get("status", "?")
    word = STATUS_WORDS.get(status, status)
    if status == "failed":
        word = f"FAILED: {action.get('error', '')}"
    return f"{action.get('step', {}).get('action', '?')} {word}"


def outcome_of(answer: dict) -> str:
    """The outcome column, from a function's JSON answer (an Outcome)."""
    if answer.get("rejected"):
        return f"rejected: {answer['rejected']}"
    if answer.get("skipped"):
        return f"skipped: {short(answer['skipped'])}"
    findings = answer.get("findings") or []
    duplicates = answer.get("duplicates") or []
    notes = answer.get("skipped_resources") or []
    evaluations = answer.get("evaluations") or []
    statuses = [a.get("status") for f in findings for a in f.get("actions") or []]
    if findings:
        if "failed" in statuses:
            text = "remediation FAILED"
        elif "done" in statuses:
            text = "remediated"
        elif "planned" in statuses:
            text = "planned (dry-run)"
        else:
            text = "alerted"
        if duplicates:
            text += f" (+{len(duplicates)} already alerted)"
    elif duplicates:
        text = f"skipped: already alerted ({len(duplicates)} repeat{'s' if len(duplicates) > 1 else ''})"
    elif evaluations:
        text = "evaluated: " + ", ".join(counted([e.get("compliance", "?") for e in evaluations]))
    else:
        text = "nothing to report"
    if len(notes) == 1:
        text += f"; left alone: {short(notes[0])}"
    elif notes:
        text += f"; {len(notes)} left alone (log)"
    return text


def fit(items: list[str], width: int) -> str:
    """As many items as fit in width, then `+N more`: one line."""
    out = ""
    for i, item in enumerate(items):
        rest = len(items) - i - 1
        candidate = f"{out}, {item}" if out else item
        tail = f" +{rest} more" if rest else ""
        if len(candidate + tail) > width and out:
            return f"{out} +{len(items) - i} more"
        out = candidate
    return out


def table(rows: list[list[str]], widths: list[int], wrap: set[int]) -> list[str]:
    """A plain-text table; the cells of the columns in `wrap` wrap within their column."""
    lines = []
    for row in rows:
        cells = [(textwrap.wrap(c, w, break_long_words=True, break_on_hyphens=False)
                  if i in wrap else [c]) or [""]
                 for i, (c, w) in enumerate(zip(row, widths))]
        for i in range(max(len(c) for c in cells)):
            parts = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths)]
            lines.append("  ".join(parts).rstrip())
    return lines


def event_rows(manifest: str) -> tuple[list[list[str]], dict]:
    rows, totals = [], {}
    with open(manifest) as f:
        for line in f:
            if not line.strip():
                continue
            fn, event, answer_file, status, note = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
            event = event.removesuffix(".json").rsplit("/", 1)[-1]
            answer = None
            if status == "ok":
                try:
                    answer = json.load(open(answer_file))
                except (OSError, json.JSONDecodeError) as e:
                    status, note = "failed", f"unreadable answer ({e})"
            if answer is None:
                outcome, rules, actions = f"ERROR: {note or 'no answer'}", "", ""
            else:
                outcome = outcome_of(answer)
                findings = answer.get("findings") or []
                rules = fit(counted([f["rule"] for f in findings]), RULES_WIDTH)
                actions = fit(counted(
                    [action_label(a) for f in findings for a in f.get("actions") or []]),
                    ACTIONS_WIDTH)
            word = outcome.split(":")[0].split(";")[0].split(" (")[0]
            totals[word] = totals.get(word, 0) + 1
            rows.append([event, fn, outcome, rules, actions])
    return rows, totals


def account_lines(state: dict) -> list[str]:
    out = []
    for vid, vol in state["volumes"].items():
        finding = vol["tags"].get("guardrail:finding")
        tag = f"tagged guardrail:finding={finding}" if finding else "no guardrail:* tag (left alone)"
        out.append(f"{vol['label']} volume {vid} (Encrypted={vol['encrypted']}): {tag}")
    on = lambda v: "on" if v else "OFF"  # noqa: E731
    regions = state.get("encryption_by_default_regions") or {}
    out.append("EBS encryption by default: " + ", ".join(f"{r} {on(v)}" for r, v in regions.items())
               + " (the seed turned it off in " + state.get("region", "the demo region") + ")")
    member = state.get("member") or {}
    if member:
        finding = state["member_volume_tags"].get("guardrail:finding")
        tag = f"tagged guardrail:finding={finding}" if finding else "NOT tagged"
        out.append(f"member account {member['account']}: volume {member['volume']} {tag}")
        regions = member.get("encryption_by_default_regions") or {}
        out.append(f"member account {member['account']}: EBS encryption by default "
                   + ", ".join(f"{r} {on(v)}" for r, v in regions.items()))
    iam = state.get("iam")
    if iam:
        out.append("IAM, unchanged (its rules run in alert mode): " + "; ".join(iam))
    return out


def resource_of(alert: dict, home: str) -> str:
    """The alert's resource (from the finding JSON its body ends with, else its subject), with
    the region, and the account when it is not the demo's own."""
    attrs = alert.get("attributes") or {}
    message = alert.get("message") or ""
    account, region = attrs.get("account", "?"), attrs.get("region")
    where = (f" {region}" if region else "") + (f", account {account}" if account != home else "")
    if attrs.get("rule") == "account-sweep":
        return f"account {account}: sweep summary of {attrs.get('findings', '?')} findings"
    marker = "--- finding (JSON) ---"
    if marker in message:
        try:
            finding = json.loads(message.split(marker, 1)[1])
            res = finding["resource"]
            rid = res["id"]
            if finding["rule"] == "iam-change-audit":  # the resource is the account: say what
                what = re.search(r"called (\S+)(.*)", finding.get("reason", ""))
                rid = what.group(1) + what.group(2) if what else rid
            kind = res["type"].split("::")[-1] or "Account"
            return f"{short(rid)} ({kind}){where}"
        except (ValueError, KeyError, TypeError):
            pass
    return f"{alert.get('subject') or '?'}{where}"


def alert_lines(alerts: list[dict], home: str) -> list[str]:
    rows = []
    for alert in alerts:
        attrs = alert.get("attributes") or {}
        rows.append((attrs.get("severity", "?"), attrs.get("rule", "?"), resource_of(alert, home)))
    rows.sort(key=lambda r: (SEVERITY_ORDER.get(r[0], 9), r[1]))
    width = max((len(r[1]) for r in rows), default=0)
    clip = lambda t: t if len(t) <= RESOURCE_WIDTH else t[:RESOURCE_WIDTH - 3] + "..."  # noqa: E731
    return [f"{sev:<8}  {rule:<{width}}  {clip(res)}" for sev, rule, res in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--alerts", required=True)
    parser.add_argument("--account", default="123456789012", help="the demo's own account")
    args = parser.parse_args()

    rows, totals = event_rows(args.manifest)
    head = ["event", "function", "outcome", "rules", "actions"]
    caps = [42, 14, 52, RULES_WIDTH, ACTIONS_WIDTH]
    widths = [min(cap, max([len(head[i])] + [len(r[i]) for r in rows])) for i, cap in enumerate(caps)]
    print("\n".join(table([head, ["-" * w for w in widths]] + rows, widths, wrap={2})))
    print(f"{len(rows)} events: " + ", ".join(f"{n} {w}" for w, n in sorted(totals.items(), key=lambda t: -t[1])))

    print("\nThe accounts afterwards:")
    try:
        state = json.load(open(args.state))
        for line in account_lines(state):
            print("  " + line)
    except (OSError, ValueError, KeyError) as e:
        print(f"  (not read: {e})")

    try:
        alerts = json.load(open(args.alerts))
    except (OSError, ValueError) as e:
        print(f"\nAlerts: not read ({e})")
        return 0
    print(f"\nAlerts published to SNS ({len(alerts)}, read back from the SQS inbox): "
          "severity, rule, resource")
    for line in alert_lines(alerts, args.account):
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
