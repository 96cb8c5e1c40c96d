#!/bin/sh
# Advisory index and `palisade check`: import time and index size for all of
# ../shared/advisories; a check of every lockfile in ../shared/lockfiles; and, on the
# Cargo.lock files, palisade against cargo-audit (one run each, same RustSec data).
#
#   bench/check.sh            # from the workspace root
#
# Tools: palisade — $PALISADE_BIN, else the release build; cargo-audit — installed by
# scripts/peers-cargo-audit.sh into ~/.cache/palisade/cargo-audit (10+ minutes once).
# Prints milliseconds (best of $RUNS runs) and the ratio cargo-audit/palisade.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED="$ROOT/../shared"
RUNS="${RUNS:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade-target-advisory}"
if [ -z "${PALISADE_BIN:-}" ]; then
    (cd "$ROOT" && CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo build -q --release -p palisade)
    PALISADE_BIN="$CARGO_TARGET_DIR/release/palisade"
fi
CARGO_AUDIT="$HOME/.cache/palisade/cargo-audit/bin/cargo-audit"
[ -x "$CARGO_AUDIT" ] || sh "$ROOT/scripts/peers-cargo-audit.sh"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
now_ms() { date +%s%3N; }

# best_ms CMD... : best wall time of $RUNS runs, in ms
best_ms() {
    best=
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        t0=$(now_ms)
        "$@" >/dev/null 2>&1 || true
        t1=$(now_ms)
        d=$((t1 - t0))
        if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
        i=$((i + 1))
    done
    echo "$best"
}

DB="$WORK/db"
t0=$(now_ms)
"$PALISADE_BIN" db import "$SHARED/advisories" --db "$DB" -q
t1=$(now_ms)
size_kb=$(du -sk "$DB" | cut -f1)
advisories=$("$PALISADE_BIN" db status --db "$DB" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(e["advisories"] for e in d["ecosystems"].values()))')
echo "import all of shared/advisories: $((t1 - t0)) ms, $advisories advisories, index $((size_kb / 1024)) MiB"

all_ms=$(best_ms "$PALISADE_BIN" check "$SHARED/lockfiles" --db "$DB" --allow-unchecked -q)
pkgs=$("$PALISADE_BIN" check "$SHARED/lockfiles" --db "$DB" --allow-unchecked --format json -q | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"])')
echo "check of every lockfile in shared/lockfiles: $all_ms ms for $pkgs packages"

# A 2,000-package project: the first 2,000 distinct packages of the npm lockfiles,
# written as one package-lock.json v3.
python3 - "$SHARED/lockfiles/npm" "$WORK/p2000" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
pkgs = {}
for f in sorted(os.listdir(src)):
    try:
        d = json.load(open(os.path.join(src, f)))
    except Exception:
        continue
    for k, v in (d.get("packages") or {}).items():
        if k and "node_modules/" in k and isinstance(v, dict) and v.get("version"):
            name = k.rsplit("node_modules/", 1)[1]
            pkgs.setdefault(name + "@" + v["version"], (name, v))
        if len(pkgs) >= 2000:
            break
os.makedirs(out, exist_ok=True)
lock = {"name": "p2000", "lockfileVersion": 3, "packages": {"": {"name": "p2000"}}}
for i, (name, v) in enumerate(list(pkgs.values())[:2000]):
    lock["packages"]["node_modules/%d/node_modules/%s" % (i, name)] = v
json.dump(lock, open(os.path.join(out, "package-lock.json"), "w"))
PY
p2000_ms=$(best_ms "$PALISADE_BIN" check "$WORK/p2000" --db "$DB" --allow-unchecked -q)
n2000=$("$PALISADE_BIN" check "$WORK/p2000" --db "$DB" --allow-unchecked --format json -q | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"])')
echo "check of a $n2000-package project: $p2000_ms ms (target: under 200 ms)"

# Cargo.lock files: palisade in one run, cargo-audit once per file.
mkdir -p "$WORK/rustsec"
tar xzf "$SHARED/advisories/rustsec/advisory-db.tar.gz" -C "$WORK/rustsec"
set --
for f in "$SHARED"/lockfiles/rust/*.lock; do
    grep -q '^\[\[package\]\]' "$f" && set -- "$@" "$f"
done
ours_ms=$(best_ms "$PALISADE_BIN" check "$@" --db "$DB" --allow-unchecked -q)
audit_all() {
    for f in "$@"; do
        d=$(mktemp -d "$WORK/ca.XXXX")
        cp "$f" "$d/Cargo.lock"
        mkdir -p "$d/.cargo" && printf '[yanked]\nenabled = false\n' > "$d/.cargo/audit.toml"
        (cd "$d" && "$CARGO_AUDIT" audit --no-fetch --db "$WORK/rustsec/advisory-db" -f Cargo.lock >/dev/null 2>&1 || true)
    done
}
theirs_ms=$(best_ms audit_all "$@")
echo "Cargo.lock files ($#): palisade $ours_ms ms, cargo-audit $theirs_ms ms, ratio cargo-audit/palisade $(python3 -c "print(f'{$theirs_ms / max($ours_ms, 1):.1f}')")"
