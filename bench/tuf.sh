#!/usr/bin/env bash
# Refresh plus download of N targets (default 1,000) held three delegations deep
# (targets -> l1 -> l2 -> l3), served on 127.0.0.1: Palisade's client (one run) against
# python-tuf 7.0.1's ngclient.Updater (one run, same repository). Prints both times and
# the ratio. Usage: bench/tuf.sh [N]   (PALISADE_BIN=path uses that binary.)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
root_dir=$(pwd)
bash scripts/install-peers.sh >/dev/null
venv="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}"
if [ -z "${PALISADE_BIN:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"
  cargo build --quiet --release -p palisade
  PALISADE_BIN="$CARGO_TARGET_DIR/release/palisade"
fi
P="$PALISADE_BIN"
w=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$w"; }
trap cleanup EXIT
"$venv/bin/python" "$root_dir/bench/tuf_repo.py" "$w/repo" "$n"
# Both clients fetch from the same server: `palisade tuf serve` (HTTP/1.1 keep-alive,
# TCP_NODELAY, multi-threaded), so the server is not what is measured.
# (python -m http.server answers one request at a time and closes every connection.)
"$P" -q tuf serve "$w/repo" --listen 127.0.0.1:0 > "$w/url" &
server=$!
for _ in $(seq 100); do [ -s "$w/url" ] && break; sleep 0.05; done
url=$(head -1 "$w/url")
cat > "$w/py.py" <<'PY'
import os, sys
from tuf.ngclient import Updater
root, url, work, names = sys.argv[1:]
os.makedirs(f"{work}/meta"); os.makedirs(f"{work}/out")
up = Updater(f"{work}/meta", f"{url}/metadata/", f"{work}/out", f"{url}/targets/",
             bootstrap=open(root, "rb").read())
up.refresh()
for t in open(names).read().split():
    up.download_target(up.get_targetinfo(t))
PY
args=()
while read -r t; do args+=(--target-name "$t"); done < "$w/repo/names.txt"
# RUNS rounds (default 3), each a fresh client of each kind, alternating; the best round
# of each is kept (the machine may be busy with something else during one of them).
best_ours=""; best_py=""
for round in $(seq "${RUNS:-3}"); do
  rm -rf "$w/ours" "$w/py"
  mkdir -p "$w/ours/meta" "$w/ours/out"
  "$P" -q tuf client --metadata-dir "$w/ours/meta" init "$w/repo/metadata/1.root.json"
  t0=$(date +%s.%N)
  "$P" -q tuf client --metadata-url "$url/metadata" --metadata-dir "$w/ours/meta" \
    --target-dir "$w/ours/out" --target-base-url "$url/targets" "${args[@]}" download
  t1=$(date +%s.%N)
  "$venv/bin/python" "$w/py.py" "$w/repo/metadata/1.root.json" "$url" "$w/py" "$w/repo/names.txt"
  t2=$(date +%s.%N)
  [ "$(ls "$w/ours/out" | wc -l)" = "$n" ] && [ "$(ls "$w/py/out" | wc -l)" = "$n" ]
  best_ours=$(awk -v a="$t0" -v b="$t1" -v m="$best_ours" 'BEGIN { d = b - a; print (m == "" || d < m) ? d : m }')
  best_py=$(awk -v a="$t1" -v b="$t2" -v m="$best_py" 'BEGIN { d = b - a; print (m == "" || d < m) ? d : m }')
done
awk -v ours="$best_ours" -v py="$best_py" -v n="$n" -v r="${RUNS:-3}" 'BEGIN {
  printf "tuf refresh + download of %d targets, 3 delegation levels (best of %d): palisade %.3f s, python-tuf %.3f s, ratio %.1fx\n", n, r, ours, py, py / ours }'
