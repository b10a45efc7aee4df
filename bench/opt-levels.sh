#!/usr/bin/env bash
# How the release opt-level was chosen (issue 7): build the Lambda binaries once per opt-level
# and measure what a user pays for: binary and zip size, init time, warm event time, peak
# memory (bench/lambda-init.sh against moto), and the rules core's throughput (criterion).
#
#   bench/opt-levels.sh                  levels 3 2 s z, from a `git archive HEAD` snapshot
#   LEVELS="3 s" bench/opt-levels.sh     only some
#   PHASE=build bench/opt-levels.sh      only build (e.g. niced, while the machine is busy)
#   PHASE=measure bench/opt-levels.sh    only measure what was built (on a quiet machine: the
#                                        timings are wall-clock)
#   KEEP_SRC=1                           reuse the snapshot of an earlier run
#
# Each level builds in its own target dir (/work/target-opt/<level>, ~2 GB each) so the levels
# don't overwrite each other and the shared target/ lock is never held. Everything else in the
# profile (thin LTO, codegen-units 1, strip, panic=unwind) stays as in Cargo.toml; the level is
# set with CARGO_PROFILE_RELEASE_OPT_LEVEL / CARGO_PROFILE_BENCH_OPT_LEVEL.
# Output: $OUT/<level>/ (sizes.txt, lambda-init.jsonl, rules-bench.txt) and a table on stdout.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
LEVELS="${LEVELS:-3 2 s z}"
OUT="${OUT:-/tmp/guardrail-opt}"
RUNS="${RUNS:-10}"
PHASE="${PHASE:-all}"
SRC="$OUT/src"

if [[ "$PHASE" != measure && -z "${KEEP_SRC:-}" ]]; then
    rm -rf "$SRC" && mkdir -p "$SRC"
    git -C "$ROOT" archive HEAD | tar -x -C "$SRC"
    echo "snapshot: $(git -C "$ROOT" rev-parse --short HEAD)" >"$OUT/commit.txt"
fi

for lvl in $LEVELS; do
    dir="$OUT/$lvl"
    mkdir -p "$dir"
    export CARGO_TARGET_DIR="/work/target-opt/$lvl"
    export CARGO_PROFILE_RELEASE_OPT_LEVEL="$lvl" CARGO_PROFILE_BENCH_OPT_LEVEL="$lvl"
    if [[ "$PHASE" != measure ]]; then
        start=$(date +%s)
        (cd "$SRC" && cargo build --release -p ebs-encryption -p iam-guard -p region-guard) \
            >"$dir/build.log" 2>&1
        echo "build_seconds $(( $(date +%s) - start ))" >"$dir/build-time.txt"
        # The rules benchmark's build, so that the measure phase only measures.
        (cd "$SRC" && cargo bench -p guardrail-rules --bench rules --no-run) >>"$dir/build.log" 2>&1
    fi
    [[ "$PHASE" == build ]] && continue
    SRC="$SRC" SKIP_BUILD=1 RUNS="$RUNS" OUT="$dir" "$HERE/lambda-init.sh" \
        >"$dir/lambda-init.out" 2>"$dir/lambda-init.err"
    (cd "$SRC" && cargo bench -p guardrail-rules --bench rules -- \
        --warm-up-time 2 --measurement-time 5 'rules') >"$dir/rules-bench.txt" 2>&1
done

[[ "$PHASE" == build ]] && exit 0
python3 - "$OUT" $LEVELS <<'PY'
import json, os, re, sys
out, levels = sys.argv[1], sys.argv[2:]
def bench(path, name):
    text = open(path).read()
    m = re.search(re.escape(name) + r"[^\n]*\n?\s*time:\s*\[([^\]]+)\]", text)
    return m.group(1).split()[2] + " " + m.group(1).split()[3] if m else "?"
print(f"{'opt':4} {'iam-guard B':>12} {'zip B':>10} {'init ms':>8} {'warm ms':>8} {'HWM MB':>7} {'build s':>8}  all-events  iam-events")
for lvl in levels:
    d = os.path.join(out, lvl)
    sizes = {l.split()[0]: l.split()[1:] for l in open(f"{d}/sizes.txt") if not l.startswith("binary")}
    runs = {json.loads(l)["function"]: json.loads(l)["median"] for l in open(f"{d}/lambda-init.jsonl")}
    m = runs["iam"]
    build = open(f"{d}/build-time.txt").read().split()[1]
    allb = bench(f"{d}/rules-bench.txt", "rules/all_")
    iamb = bench(f"{d}/rules-bench.txt", "rules_iam")
    print(f"{lvl:4} {sizes['iam-guard'][0]:>12} {sizes['iam-guard'][1]:>10} {m['init_ms']:8.1f} "
          f"{m['warm_event_ms']:8.2f} {m['vm_hwm_kb']/1024:7.1f} {build:>8}  {allb:>10}  {iamb:>10}")
PY
