#!/usr/bin/env bash
# Issue 14: privilege-escalation verdicts on the AWS managed-policy corpus, side by side.
# The question for each tool and each policy: does this policy, attached to a principal, grant
# a privilege-escalation path? Four tools, one process each over the whole corpus:
#   - guardrail check-policy --format json (one invocation, every file an argument): escalation
#     when the policy has an iam-policy-privilege-escalation finding, at top level or under
#     `related` of an admin finding;
#   - Cloudsplaining: PolicyDocument(...).allows_privilege_escalation (library API, one process);
#   - Parliament: analyze_policy_string(..., include_community_auditors=True), issue
#     PRIVILEGE_ESCALATION;
#   - PMapper: an offline graph per policy (the policy on an IAM user, admin users and roles an
#     attacker could reach), PMapper's own update_admin_status, the nine edge checkers'
#     generate_edges_locally and can_privesc (bench/compare_escalation.py says exactly what).
#
#   bench/compare-escalation.sh
#   GUARDRAIL=target/debug/guardrail bench/compare-escalation.sh   # another build of the CLI
#
# The Python tools go into throwaway venvs under /tmp (pinned versions below), never the
# project's .venv. Wall time and peak RSS from /usr/bin/time, one run each. Output in
# $OUT (default /tmp/guardrail-bench): escalation-verdicts.csv (policy, guardrail,
# cloudsplaining, parliament, pmapper, guardrail_paths, ...) and each tool's raw verdicts.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CORPUS="${CORPUS:-$ROOT/tests/data/aws-managed-policies}"
GUARDRAIL="${GUARDRAIL:-${CARGO_TARGET_DIR:-/work/target-release}/release/guardrail}"
OUT="${OUT:-/tmp/guardrail-bench}"
CLOUDSPLAINING_VERSION=0.9.1
PARLIAMENT_VERSION=1.6.4
PMAPPER_VERSION=1.1.5
mkdir -p "$OUT"

venv() {  # venv DIR PACKAGE VERSION: a fresh venv unless DIR already has PACKAGE at VERSION
    local dir="$1" pkg="$2" version="$3"
    if [[ "$("$dir/bin/pip" show "$pkg" 2>/dev/null | sed -n 's/^Version: //p')" != "$version" ]]; then
        rm -rf "$dir"
        python3 -m venv "$dir"
        "$dir/bin/pip" install -q "$pkg==$version"
    fi
}
venv "${CLOUDSPLAINING_VENV:-/tmp/esc-cloudsplaining-venv}" cloudsplaining "$CLOUDSPLAINING_VERSION"
venv "${PARLIAMENT_VENV:-/tmp/esc-parliament-venv}" parliament "$PARLIAMENT_VERSION"
venv "${PMAPPER_VENV:-/tmp/esc-pmapper-venv}" principalmapper "$PMAPPER_VERSION"
[[ -x "$GUARDRAIL" ]] || { echo "no guardrail CLI at $GUARDRAIL (build it or set GUARDRAIL)" >&2; exit 1; }

files=("$CORPUS"/*.json)
printf '%s\n' "${files[@]}" >"$OUT/escalation-files.txt"
echo "corpus: ${#files[@]} policies in $CORPUS" >&2
echo "guardrail: $GUARDRAIL" >&2
echo "$GUARDRAIL ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))" >"$OUT/escalation-guardrail.version"

# --- guardrail check-policy, one invocation (exit 1 = findings at --fail-on) ------------------
set +e
/usr/bin/time -f '%e %M' -o "$OUT/escalation-guardrail.time" \
    "$GUARDRAIL" check-policy --format json "${files[@]}" >"$OUT/escalation-guardrail.json" 2>"$OUT/escalation-guardrail.err"
rc=$?
set -e
[[ $rc -le 1 ]] || { echo "guardrail check-policy exited $rc:" >&2; tail -5 "$OUT/escalation-guardrail.err" >&2; exit 1; }

# --- the three Python tools, one process each -------------------------------------------------
for tool in cloudsplaining parliament pmapper; do
    case $tool in
        cloudsplaining) py="${CLOUDSPLAINING_VENV:-/tmp/esc-cloudsplaining-venv}/bin/python" ;;
        parliament) py="${PARLIAMENT_VENV:-/tmp/esc-parliament-venv}/bin/python" ;;
        pmapper) py="${PMAPPER_VENV:-/tmp/esc-pmapper-venv}/bin/python" ;;
    esac
    echo "running $tool ..." >&2
    /usr/bin/time -f '%e %M' -o "$OUT/escalation-$tool.time" \
        "$py" "$HERE/compare_escalation.py" "$tool" "$OUT/escalation-$tool.json" "${files[@]}" \
        >"$OUT/escalation-$tool.log" 2>&1 || { echo "$tool failed:" >&2; tail -5 "$OUT/escalation-$tool.log" >&2; exit 1; }
done

python3 "$HERE/compare_escalation.py" merge "$OUT"
