#!/bin/sh
# Precision and recall on the labelled corpus (../shared/secrets/*.jsonl): palisade
# against detect-secrets and ripsecrets, scored the same way for all three.
#
#   bench/secrets-precision.sh        # from the workspace root; tools as in bench/secrets.sh
#
# Each record becomes one file (named by its path hint, in a directory of its own). A true
# item counts as found when the tool reports anything in its file; a false item counts as
# a false alarm when it does (items with `also_positive_for` are left out). This is
# file-level scoring, since detect-secrets does not print the secret it found.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED="$ROOT/../shared/secrets"
TOOLS="$HOME/.cache/palisade/bench-tools"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"
if [ -z "${PALISADE_BIN:-}" ]; then
    (cd "$ROOT" && cargo build -q -j1 --release -p palisade)
    PALISADE_BIN="$CARGO_TARGET_DIR/release/palisade"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$SHARED" "$WORK/items" <<'PY'
import json, os, sys
shared, out = sys.argv[1], sys.argv[2]
labels = {}
for f in ["noseyparker-examples.jsonl", "gitleaks-rules.jsonl", "detect-secrets-tests.jsonl", "ripsecrets.jsonl"]:
    for i, line in enumerate(open(os.path.join(shared, f), encoding="utf-8")):
        r = json.loads(line)
        if not r["label"] and r.get("also_positive_for"):
            continue
        d = os.path.join(out, f"{r['source']}-{i:04d}")
        os.makedirs(d)
        name = os.path.basename(r.get("path_hint") or "snippet") or "snippet"
        with open(os.path.join(d, name), "w", encoding="utf-8") as fh:
            fh.write(r["text"])
        labels[os.path.basename(d)] = (r["source"], r["label"])
json.dump(labels, open(os.path.join(out, "..", "labels.json"), "w"))
PY

"$PALISADE_BIN" secrets scan "$WORK/items" --format json --quiet >"$WORK/palisade.json" || true
python3 - "$WORK/palisade.json" >"$WORK/palisade.dirs" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    for l in f["locations"]:
        print(l["path"].split("/")[0])
PY
if [ -x "$TOOLS/ds-venv/bin/detect-secrets" ]; then
    (cd "$WORK/items" && "$TOOLS/ds-venv/bin/detect-secrets" scan --all-files . >"$WORK/ds.json" 2>/dev/null) || true
    python3 - "$WORK/ds.json" >"$WORK/detect-secrets.dirs" <<'PY'
import json, sys
for path in json.load(open(sys.argv[1]))["results"]:
    print(path.lstrip("./").split("/")[0])
PY
fi
if [ -x "$TOOLS/bin/ripsecrets" ]; then
    (cd "$WORK/items" && "$TOOLS/bin/ripsecrets" . >"$WORK/rs.txt" 2>/dev/null) || true
    sed 's|^\./||' "$WORK/rs.txt" | cut -d/ -f1 >"$WORK/ripsecrets.dirs"
fi

python3 - "$WORK" <<'PY'
import json, os, sys
work = sys.argv[1]
labels = json.load(open(os.path.join(work, "labels.json")))
sources = ["noseyparker", "gitleaks", "detect-secrets", "ripsecrets"]
print(f"{'tool':<15} {'source':<15} {'TP':>5} {'FN':>5} {'FP':>5} {'TN':>5} {'precision':>9} {'recall':>7}")
for tool in ["palisade", "detect-secrets", "ripsecrets"]:
    p = os.path.join(work, tool + ".dirs")
    if not os.path.exists(p):
        print(f"{tool:<15} (not installed)")
        continue
    hit = set(l.strip() for l in open(p) if l.strip())
    tot = [0, 0, 0, 0]
    for src in sources + ["all"]:
        tp = fn = fp = tn = 0
        for d, (s, lab) in labels.items():
            if src != "all" and s != src:
                continue
            found = d in hit
            if lab:
                tp += found; fn += not found
            else:
                fp += found; tn += not found
        prec = tp / max(tp + fp, 1); rec = tp / max(tp + fn, 1)
        print(f"{tool:<15} {src:<15} {tp:>5} {fn:>5} {fp:>5} {tn:>5} {prec:>9.3f} {rec:>7.3f}")
PY
