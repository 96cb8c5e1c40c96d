#!/usr/bin/env bash
# Verify a 5-step in-toto layout over N artefacts per step (default 10,000): Palisade
# (release build) against Python in-toto 3.1.0's in-toto-verify, one run each, same
# links. Prints both times and the ratio. Usage: bench/intoto.sh [N]
# (PALISADE_BIN=path uses that binary instead of building one.)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
bash scripts/install-peers.sh >/dev/null
venv="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
if [ -z "${PALISADE_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"
  cargo build --quiet --release -p palisade
  PALISADE_BIN="$CARGO_TARGET_DIR/release/palisade"
fi
P="$PALISADE_BIN"
w=$(mktemp -d)
[ -n "${KEEP_BENCH_DIR:-}" ] && echo "bench dir: $w" >&2 || trap 'rm -rf "$w"' EXIT
cd "$w"
"$P" -q key generate --type ed25519 --out owner >/dev/null
"$P" -q key generate --type ed25519 --out dev >/dev/null
"$venv/bin/python" - "$n" <<'PY'
import os, sys
n = int(sys.argv[1])
for i in range(n):
    d = f"src/d{i % 100:02d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i}.txt", "w") as f:
        f.write(f"artefact {i}\n")
PY
"$P" -q intoto run --step s1 --key dev -p src -x
for i in 2 3 4 5; do "$P" -q intoto run --step "s$i" --key dev -m src -p src -x; done
"$P" -q intoto layout new --out root.layout --expires 2036-01-01T00:00:00Z \
  --step s1=dev.pub --step s2=dev.pub --step s3=dev.pub --step s4=dev.pub --step s5=dev.pub
"$venv/bin/python" - <<'PY'
import json
l = json.load(open("root.layout"))
for i, s in enumerate(l["signed"]["steps"]):
    if i == 0:
        s["expected_products"] = [["CREATE", "src/*"], ["DISALLOW", "*"]]
    else:
        s["expected_materials"] = [["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", f"s{i}"], ["DISALLOW", "*"]]
        s["expected_products"] = [["MATCH", "*", "IN", "src", "WITH", "MATERIALS", "IN", "src", "FROM", f"s{i+1}"], ["DISALLOW", "*"]]
json.dump(l, open("root.layout", "w"))
PY
"$P" -q intoto layout sign --key owner root.layout
# wall and CPU (user + sys) seconds of each verifier; both must accept the chain
TIMEFORMAT='%R %U %S'
{ time "$P" -q intoto verify --layout root.layout --layout-key owner.pub >/dev/null; } 2> ours.time
{ time "$venv/bin/in-toto-verify" --layout root.layout --verification-keys owner.pub; } 2> py.time
read -r ow ou os < <(tail -1 ours.time)
read -r pw pu ps < <(tail -1 py.time)
awk -v ow="$ow" -v oc="$(awk -v u="$ou" -v s="$os" 'BEGIN{print u+s}')" \
    -v pw="$pw" -v pc="$(awk -v u="$pu" -v s="$ps" 'BEGIN{print u+s}')" -v n="$n" 'BEGIN {
  printf "%-14s %10s %16s %8s\n", "verify 5 steps", "palisade", "in-toto-verify", "ratio";
  printf "%-14s %9.3fs %15.3fs %7.1fx\n", "wall", ow, pw, pw / ow;
  printf "%-14s %9.3fs %15.3fs %7.1fx\n", "cpu (usr+sys)", oc, pc, pc / oc;
  printf "(%d artefacts per step; one run, same machine)\n", n;
}'
