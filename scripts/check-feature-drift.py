#!/usr/bin/env python3
"""Fail when building one function resolves different dependency features than `cargo test
--workspace` (which would compile the AWS SDK a second time; see shared/workspace-hack).
Usage: scripts/check-feature-drift.py PACKAGE..."""
import sys, json, subprocess
def feats(args):
    out = subprocess.run(["cargo"] + args + ["--message-format=json", "-q"], capture_output=True, text=True).stdout
    d = {}
    for l in out.splitlines():
        try: m = json.loads(l)
        except Exception: continue
        if m.get("reason") == "compiler-artifact" and not m["profile"]["test"] and "build-script" not in m["target"]["kind"]:
            d.setdefault(m["package_id"], set()).update(m["features"])
    return d
ws = feats(["test", "--workspace", "--no-run"])
bad = 0
for pkg in sys.argv[1:]:
    one = feats(["build", "-p", pkg])
    for k, v in one.items():
        if k in ws and v != ws[k]:
            bad += 1
            print(pkg, k.split("#")[-1], "missing:", sorted(ws[k] - v), "extra:", sorted(v - ws[k]))
print("drift:", bad)
sys.exit(1 if bad else 0)
