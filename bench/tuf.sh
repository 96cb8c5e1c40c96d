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
port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# A threaded HTTP/1.1 (keep-alive) static server, so the server is not what is measured
# (python -m http.server answers one request at a time and closes every connection).
(cd "$w/repo" && exec "$venv/bin/python" -c '
import functools, http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$port" >/dev/null 2>&1) &
server=$!
sleep 1
url="http://127.0.0.1:$port"
mkdir -p "$w/ours/meta" "$w/ours/out"
"$P" -q tuf client --metadata-dir "$w/ours/meta" init "$w/repo/metadata/1.root.json"
args=()
while read -r t; do args+=(--target-name "$t"); done < "$w/repo/names.txt"
t0=$(date +%s.%N)
"$P" -q tuf client --metadata-url "$url/metadata" --metadata-dir "$w/ours/meta" \
  --target-dir "$w/ours/out" --target-base-url "$url/targets" "${args[@]}" download
t1=$(date +%s.%N)
"$venv/bin/python" - "$w/repo/metadata/1.root.json" "$url" "$w/py" "$w/repo/names.txt" <<'PY'
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
t2=$(date +%s.%N)
[ "$(ls "$w/ours/out" | wc -l)" = "$n" ] && [ "$(ls "$w/py/out" | wc -l)" = "$n" ]
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$n" 'BEGIN {
  ours = b - a; py = c - b;
  printf "tuf refresh + download of %d targets, 3 delegation levels: palisade %.2f s, python-tuf %.2f s, ratio %.1fx\n", n, ours, py, py / ours }'
