#!/usr/bin/env bash
# Side by side on the AWS managed-policy corpus: Parliament (PyPI `parliament`, the common
# Python IAM policy linter) vs `guardrail check-policy`. One process each over all files:
# Parliament through its library API in one Python process (a crash on a file is counted and
# the loop goes on), the guardrail CLI in one invocation with every file as an argument.
#
#   bench/compare-parliament.sh
#   GUARDRAIL=target/debug/guardrail bench/compare-parliament.sh   # another build of the CLI
#
# Parliament is installed into a throwaway venv (PARLIAMENT_VENV, default /tmp/parliament-venv),
# never into the project's .venv. Wall time and peak RSS from /usr/bin/time.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CORPUS="${CORPUS:-$ROOT/tests/data/aws-managed-policies}"
PARLIAMENT_VENV="${PARLIAMENT_VENV:-/tmp/parliament-venv}"
GUARDRAIL="${GUARDRAIL:-${CARGO_TARGET_DIR:-/work/target-release}/release/guardrail}"
OUT="${OUT:-/tmp/guardrail-bench}"
mkdir -p "$OUT"

if [[ ! -x "$PARLIAMENT_VENV/bin/python" ]] || ! "$PARLIAMENT_VENV/bin/python" -c 'import parliament' 2>/dev/null; then
    python3 -m venv "$PARLIAMENT_VENV"
    "$PARLIAMENT_VENV/bin/pip" install -q 'parliament==1.6.4'
fi
[[ -x "$GUARDRAIL" ]] || { echo "no guardrail CLI at $GUARDRAIL (build it or set GUARDRAIL)" >&2; exit 1; }

files=("$CORPUS"/*.json)
echo "corpus: ${#files[@]} policies in $CORPUS" >&2
echo "parliament: $("$PARLIAMENT_VENV/bin/pip" show parliament | sed -n 's/^Version: //p')" >&2
echo "guardrail:  $GUARDRAIL" >&2

# --- Parliament, one process -------------------------------------------------------------
cat >"$OUT/parliament_corpus.py" <<'EOF'
import collections, json, sys, time
from parliament import analyze_policy_string
files = sys.argv[1:]
t0 = time.perf_counter()
crashed, findings, files_with = [], collections.Counter(), 0
for path in files:
    try:
        policy = analyze_policy_string(open(path).read())
        issues = policy.findings
        files_with += bool(issues)
        for f in issues:
            findings[f.issue] += 1
    except Exception as e:  # Parliament raises on some valid policies
        crashed.append((path.rsplit("/", 1)[-1], f"{type(e).__name__}: {e}"[:120]))
elapsed = time.perf_counter() - t0
print(json.dumps({
    "files": len(files), "seconds_in_loop": round(elapsed, 2),
    "ms_per_policy": round(elapsed * 1000 / len(files), 2),
    "findings": sum(findings.values()), "files_with_findings": files_with,
    "by_issue": dict(findings.most_common()), "crashed": crashed,
}))
EOF
/usr/bin/time -f '%e %M' -o "$OUT/parliament.time" \
    "$PARLIAMENT_VENV/bin/python" "$OUT/parliament_corpus.py" "${files[@]}" >"$OUT/parliament.json"

# --- guardrail check-policy, one invocation ----------------------------------------------
set +e
/usr/bin/time -f '%e %M' -o "$OUT/guardrail.time" \
    "$GUARDRAIL" check-policy --format json --fail-on critical "${files[@]}" >"$OUT/guardrail.json" 2>"$OUT/guardrail.err"
rc=$?
set -e

python3 - "$OUT" "$rc" <<'EOF'
import collections, json, sys
out, rc = sys.argv[1], sys.argv[2]
p = json.load(open(f"{out}/parliament.json"))
p_wall, p_rss = open(f"{out}/parliament.time").read().split()
g = json.load(open(f"{out}/guardrail.json"))
g_wall, g_rss = open(f"{out}/guardrail.time").read().split()
by_rule = collections.Counter(f["rule"] for f in g)
by_sev = collections.Counter(f["severity"] for f in g)
files_with = len({f["file"] for f in g})
print(f"{'':24} {'Parliament 1.6.4':>18} {'guardrail check-policy':>24}")
print(f"{'wall time (s)':24} {p_wall:>18} {g_wall:>24}")
print(f"{'ms per policy (wall)':24} {float(p_wall)*1000/p['files']:>18.2f} {float(g_wall)*1000/p['files']:>24.3f}")
print(f"{'peak RSS (MB)':24} {int(p_rss)/1024:>18.0f} {int(g_rss)/1024:>24.0f}")
print(f"{'files crashed on':24} {len(p['crashed']):>18} {'0 (exit ' + rc + ')':>24}")
print(f"{'findings':24} {p['findings']:>18} {len(g):>24}")
print(f"{'files with findings':24} {p['files_with_findings']:>18} {files_with:>24}")
print("\nParliament crashes:", *(f"  {n}: {e}" for n, e in p["crashed"]), sep="\n")
print("\nParliament findings by issue:", json.dumps(p["by_issue"]))
print("guardrail findings by rule:", json.dumps(dict(by_rule.most_common())))
print("guardrail findings by severity:", json.dumps(dict(by_sev.most_common())))
EOF
