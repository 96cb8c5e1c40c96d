#!/bin/sh
# CI audit: palisade against zizmor (PyPI, pinned in scripts/peers-ci.sh) on every file of
# ../shared/workflows, both given the same explicit file list in one run.
#
#   bench/ci.sh              # from the workspace root; RUNS=5 for more timing runs
#
# Prints, per comparable rule, findings found by both / only palisade / only zizmor
# (matched by file and line; zizmor's region, e.g. a whole step, contains ours), then
# the best wall time of $RUNS runs of each and the ratio zizmor/palisade.
#   palisade — $PALISADE_BIN, else the release build of this workspace.
#   zizmor   — `zizmor --offline --no-config --format json` from the peers' venv.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS="$ROOT/../shared/workflows"
RUNS="${RUNS:-3}"
VENV="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade-target-ci}"

if [ -z "${PALISADE_BIN:-}" ]; then
    (cd "$ROOT" && cargo build -q -j1 --release -p palisade)
    PALISADE_BIN="$CARGO_TARGET_DIR/release/palisade"
fi
[ -x "$VENV/bin/zizmor" ] || "$ROOT/scripts/peers-ci.sh"
ZIZMOR="$VENV/bin/zizmor"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$CORPUS"
find . -name '*.y*ml' | LC_ALL=C sort > "$WORK/files"
NFILES=$(wc -l < "$WORK/files")

now_ms() { date +%s%3N; }

# best_ms OUT CMD... : best wall time of $RUNS runs in ms; stdout of the last run in OUT
best_ms() {
    out=$1; shift
    best=
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        t0=$(now_ms)
        # shellcheck disable=SC2046
        "$@" $(cat "$WORK/files") > "$out" 2>/dev/null || true
        t1=$(now_ms)
        d=$((t1 - t0))
        if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
        i=$((i + 1))
    done
    echo "$best"
}

P_MS=$(best_ms "$WORK/ours.json" "$PALISADE_BIN" ci audit -q --format json)
Z_MS=$(best_ms "$WORK/zizmor.json" "$ZIZMOR" --offline --no-config --format json)

echo "corpus: $NFILES files of ../shared/workflows ($("$ZIZMOR" --version))"
echo
python3 "$ROOT/bench/ci_compare.py" "$WORK/ours.json" "$WORK/zizmor.json"
echo
python3 - "$WORK/ours.json" "$WORK/zizmor.json" <<'PY'
import json, sys
from collections import Counter
ours = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))
print(f"palisade: {len(ours['findings'])} findings, {len(ours['errors'])} unreadable files; zizmor: {len(theirs)} findings")
print("palisade rules zizmor has no counterpart for:",
      dict(Counter(f["rule"] for f in ours["findings"] if f["rule"] in
                   ("remote-exec", "untrusted-artifacts", "secrets-to-untrusted")
                   or f["rule"].startswith("gitlab-") or f["rule"].startswith("policy-"))))
print("zizmor audits palisade has no counterpart for:",
      dict(Counter(f["ident"] for f in theirs if f["ident"] in
                   ("self-repository", "dependabot-cooldown", "superfluous-actions", "archived-uses",
                    "adhoc-packages", "github-app", "misfeature", "obfuscation", "use-trusted-publishing"))))
PY
echo
printf '%-10s %10s\n' tool "best ms"
printf '%-10s %10s\n' palisade "$P_MS"
printf '%-10s %10s\n' zizmor "$Z_MS"
awk -v a="$Z_MS" -v b="$P_MS" 'BEGIN { if (b > 0) printf "ratio zizmor/palisade: %.1fx\n", a / b }'
