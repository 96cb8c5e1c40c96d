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
# Wall time is the figure; the client's own CPU time (user + sys, from /usr/bin/time) is
# printed beside it, as it does not depend on the server or on other load.
timed() { # timed OUTFILE CMD...: runs CMD, writes "wall cpu" to OUTFILE
  local out=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$out.cpu" "$@"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" '{ print b - a, $1 + $2 }' "$out.cpu" > "$out"
}
best() { # best CURRENT "wall cpu": keeps the pair with the lower wall time
  if [ -z "$1" ]; then echo "$2"; else
    awk -v c="$1" -v n="$2" 'BEGIN { split(c, x, " "); split(n, y, " "); print (y[1] < x[1]) ? n : c }'
  fi
}
best_ours=""; best_py=""
# Each round writes into fresh folders; nothing is deleted until the end: on ext4, creating
# files right after thousands were deleted makes inode allocation scan the recently freed
# ones (`recently_deleted`), which would slow whichever client runs after a deletion.
for round in $(seq "${RUNS:-3}"); do
  ours="$w/ours-$round" py="$w/py-$round"
  mkdir -p "$ours/meta" "$ours/out"
  "$P" -q tuf client --metadata-dir "$ours/meta" init "$w/repo/metadata/1.root.json"
  timed "$w/t.ours" "$P" -q tuf client --metadata-url "$url/metadata" --metadata-dir "$ours/meta" \
    --target-dir "$ours/out" --target-base-url "$url/targets" "${args[@]}" download
  timed "$w/t.py" "$venv/bin/python" "$w/py.py" "$w/repo/metadata/1.root.json" "$url" "$py" "$w/repo/names.txt"
  [ "$(ls "$ours/out" | wc -l)" = "$n" ] && [ "$(ls "$py/out" | wc -l)" = "$n" ]
  best_ours=$(best "$best_ours" "$(cat "$w/t.ours")")
  best_py=$(best "$best_py" "$(cat "$w/t.py")")
done
awk -v o="$best_ours" -v p="$best_py" -v n="$n" -v r="${RUNS:-3}" 'BEGIN {
  split(o, a, " "); split(p, b, " ");
  printf "tuf refresh + download of %d targets, 3 delegation levels (best of %d):\n", n, r
  printf "  wall: palisade %.3f s, python-tuf %.3f s, ratio %.1fx\n", a[1], b[1], b[1] / a[1]
  printf "  client CPU (user+sys): palisade %.2f s, python-tuf %.2f s, ratio %.1fx\n", a[2], b[2], (a[2] > 0 ? b[2] / a[2] : 0) }'
