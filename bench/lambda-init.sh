#!/usr/bin/env bash
# Init time, first-event time, warm-event time and peak memory of each function binary, run
# against a local fake Lambda Runtime API (bench/fake_runtime.py) and a moto server; plus
# release binary and zip sizes. Medians of RUNS runs (default 10).
#
#   bench/lambda-init.sh                 build (once) and measure
#   SRC=/path/to/checkout bench/lambda-init.sh   measure another checkout (e.g. a clean `git archive`)
#   SKIP_BUILD=1 bench/lambda-init.sh    reuse the binaries already built
#   MEMORY="128 256 512 1024" bench/lambda-init.sh   also at each Lambda size, inside
#                                        ../shared/tools/lambda-sandbox (LAMBDA_SANDBOX)
#   FUNCTIONS="iam tamper" bench/lambda-init.sh      only these (ebs iam region tamper exposure sweep)
#
# The release build goes to a SEPARATE target dir (CARGO_TARGET_DIR, default
# /work/target-release): the shared target/ is used by debug builds, and a ~10 minute release
# build there would hold its lock. Output: a JSON line per function on stdout, a summary table
# on stderr, raw results in $OUT (default /tmp/guardrail-bench).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SRC="${SRC:-$ROOT}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-release}"
RUNS="${RUNS:-10}"
OUT="${OUT:-/tmp/guardrail-bench}"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
mkdir -p "$OUT"

[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
[[ -x "$VENV/bin/moto_server" ]] || { echo "needs $VENV (scripts/bootstrap)" >&2; exit 1; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
    (cd "$SRC" && cargo build --release -p ebs-encryption -p iam-guard -p region-guard \
        -p tamper-guard -p exposure-guard -p account-sweep)
fi
BIN="$CARGO_TARGET_DIR/release"

# Sizes: the binary, and the deployment zip (the binary as `bootstrap`, zip -9).
{
    printf '%-16s %12s %12s\n' binary bytes zip_bytes
    for f in ebs-encryption iam-guard region-guard tamper-guard exposure-guard account-sweep; do
        [[ -f "$BIN/$f" ]] || continue
        d="$(mktemp -d)"
        cp "$BIN/$f" "$d/bootstrap"
        (cd "$d" && zip -q -9 bootstrap.zip bootstrap)
        printf '%-16s %12s %12s\n' "$f" "$(stat -c %s "$BIN/$f")" "$(stat -c %s "$d/bootstrap.zip")"
        rm -rf "$d"
    done
} | tee "$OUT/sizes.txt" >&2

# A private moto server (AWS managed policies loaded, as the IAM tests do).
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$OUT/moto.log" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/moto-api/" >/dev/null 2>&1 && break
    sleep 0.1
done

: >"$OUT/lambda-init.jsonl"
declare -A BINARY=([ebs]=ebs-encryption [iam]=iam-guard [region]=region-guard
    [tamper]=tamper-guard [exposure]=exposure-guard [sweep]=account-sweep)
# "full" is a full core, outside any sandbox.
for mem in ${MEMORY:-full}; do
    for name in ${FUNCTIONS:-ebs iam region tamper exposure sweep}; do
        bin="${BINARY[$name]}"
        extra=()
        [[ "$mem" == full ]] || extra=(--memory "$mem")
        "$PY" "$HERE/fake_runtime.py" --binary "$BIN/$bin" --function "$name" "${extra[@]}" \
            --moto-port "$PORT" --runs "$RUNS" --log "$OUT/$bin.log" | tee -a "$OUT/lambda-init.jsonl"
    done
done

"$PY" - "$OUT/lambda-init.jsonl" >&2 <<'EOF'
import json, sys
print(f"{'function':8} {'MB':>5} {'init ms':>8} {'first ms':>9} {'1st event':>9} {'warm ms':>8} {'initCPU':>8} {'allCPU':>7} {'HWM MB':>7} {'maxRSS MB':>9}")
for line in open(sys.argv[1]):
    r = json.loads(line); m = r["median"]
    print(f"{r['function']:8} {str(r.get('memory_mb') or 'full'):>5} {m['init_ms']:8.1f} {m['first_response_ms']:9.1f} {m['first_event_ms']:9.1f} "
          f"{m['warm_event_ms']:8.1f} {m['init_cpu_ms']:8.1f} {m['total_cpu_ms']:7.1f} "
          f"{m['vm_hwm_kb']/1024:7.1f} {m['max_rss_kb']/1024:9.1f}")
EOF
