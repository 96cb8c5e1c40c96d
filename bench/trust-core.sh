#!/usr/bin/env bash
# Sign and verify 10,000 in-toto statements in DSSE with ed25519 and ecdsa-p256:
# Palisade's library (release build) against Python securesystemslib, in one run.
# Prints both times and the ratio. Usage: bench/trust-core.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
bash scripts/install-peers.sh >/dev/null
py="${PALISADE_PEERS_VENV:-$HOME/.cache/palisade/venv}/bin/python"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/palisade/target}"
cargo build --quiet --release -p palisade-attest --example bench_sign_verify
ours="$CARGO_TARGET_DIR/release/examples/bench_sign_verify"
printf '%-11s %-7s %12s %16s %8s\n' key op palisade securesystemslib ratio
for kind in ed25519 ecdsa-p256; do
  read -r ps pv < <("$ours" "$kind" "$n")
  read -r ss sv < <("$py" bench/sslib_sign_verify.py "$kind" "$n")
  awk -v k="$kind" -v n="$n" -v ps="$ps" -v pv="$pv" -v ss="$ss" -v sv="$sv" 'BEGIN {
    printf "%-11s %-7s %11.3fs %15.3fs %7.1fx\n", k, "sign", ps, ss, ss/ps;
    printf "%-11s %-7s %11.3fs %15.3fs %7.1fx\n", k, "verify", pv, sv, sv/pv;
    printf "%-11s %-7s %11.3fs %15.3fs %7.1fx\n", k, "both", ps+pv, ss+sv, (ss+sv)/(ps+pv);
  }'
done
echo "($n statements each; one run, same machine)"
